"""How a region's targets and figures read on a page: names in the page's language, a target as the plan
sets it, the latest figure with its source and grade, a forecast with its interval. The region page, the
overview and the target pages all word a figure through these functions, so it reads the same on each.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.assessment.reasons import unit_in_reason
from analysis.core.errors import PlanTrackerError
from analysis.core.labels import label, label_or, name_in, sentence
from analysis.core.precision import fmt
from analysis.core.vocabulary import COMPARATOR_SIGNS
from analysis.site import permalinks
from analysis.site.charts import format_number
from analysis.site.display import esc, figure_text, interval_text, link, marked, missing
from analysis.site.region_data import RegionReport


def region_title(region: str, language: str) -> str:
    """A region's name in the page's language (a KeyError-like PlanTrackerError for an unknown key)."""
    return label(f"region_{region}", language)


def indicator_names(indicators: pd.DataFrame, language: str) -> dict[str, str]:
    return {
        r["indicator_id"]: name_in(r["name_en"], r["name_zh"], language)
        for r in indicators.to_dict("records")
    }


def plan_says(row: dict, language: str) -> str:
    """The plan's own words (the verbatim quote, Chinese on either page) and, on an English page, the
    English statement above it."""
    quote = f'<span lang="zh" class="pt-quote">{esc(row["quote"])}</span>'
    if language == "zh":
        return quote
    return f'<span lang="en">{esc(row["description_en"])}</span><br>{quote}'


def target_text(row: dict, language: str = "en") -> str:
    """The target as the plan sets it: ≥ 90 %, ≤ 12 per 100000 live births; a change as the change it
    promises and, where the assessment worked it out, the level that change implies (+108, i.e. ≥ 258)."""
    change = promised_change(row, language)
    if change:
        level = implied_level(row, language)
        return label("word_change_implies", language).format(change=change, level=level) if level else change
    text = figure_text(row["comparator"], row["target_value"], row["unit"], language=language)
    if row["kind"] == "relative_change":
        return sentence("page_relative_change", language, target=text)
    return text


def change_unit(unit, language: str = "en") -> str:
    """How a change's unit reads beside its number: points for percentage points, nothing for a count."""
    if missing(unit) or str(unit) == "count":
        return ""
    if str(unit) == "percentage points":
        return label("word_points", language)
    return unit_in_reason(str(unit), language)


def promised_change(row: dict, language: str = "en") -> str:
    """An increase or relative change target as the change it promises (+108, −20 %); "" for a level."""
    if row.get("measure") not in ("increase", "relative_change") or missing(row.get("target_value")):
        return ""
    from analysis.core.precision import decimals_of, signed

    value = float(row["target_value"])
    sign = -1.0 if row.get("direction") == "lower" else 1.0
    unit = "%" if row.get("measure") == "relative_change" else change_unit(row.get("unit"), language)
    plain = row["comparator"] == ">="  # at least the promised change in the good direction: no sign
    bound = "" if plain else COMPARATOR_SIGNS.get(str(row["comparator"]), "") + " "
    return f"{bound}{signed(sign * value, decimals_of(value))} {unit}".strip()


def implied_level(row: dict, language: str = "en") -> str:
    """The level a change target is met at (≥ 258), from the base figure the assessment used."""
    if missing(row.get("goal_value")) or missing(row.get("goal_comparator")):
        return ""
    unit = shown_unit(row)
    return figure_text(row["goal_comparator"], row["goal_value"], unit, row.get("base_decimals"), language)


def level_unit(unit) -> str:
    """The unit of a level when only a change's unit is known: a change in points is of a level in %."""
    return "%" if unit == "percentage points" else ("" if missing(unit) else str(unit))


def shown_unit(row: dict) -> str:
    """The unit printed beside a level of this row's indicator: % or ‰ or per …, nothing for a count."""
    unit = row.get("indicator_unit") or level_unit(row.get("unit"))
    return "" if unit == "count" else unit


def latest_html(row: dict, language: str = "en") -> str:
    """The figure the status rests on: the latest level, or for a change target the change since its base
    in the target's own unit (+50 since 2024 (150 → 200)); a level is never in points."""
    unit = shown_unit(row)
    latest = figure_text(
        row["latest_qualifier"], row["latest_value"], unit, row.get("latest_decimals"), language
    )
    if not latest:
        return ""
    shown = f"{link(row['latest_source_url'], latest)} ({esc(row['latest_year'])})"
    if row.get("measure") in ("increase", "relative_change") and not missing(row.get("measured_value")):
        return change_since(row, link(row["latest_source_url"], esc(latest)), language)
    return shown


def change_since(row: dict, latest: str, language: str) -> str:
    """+50 since 2024 (150 → 200): the change, the base year used and both ends (`latest` already HTML)."""
    unit = shown_unit(row)
    base = figure_text("=", row["base_value"], unit, row.get("base_decimals"), language)
    words = label("word_change_since", language)
    return (
        words.format(
            change=esc(measured_text(row, language)), year=esc(row["base_year"]), v0=esc(base), v1=latest
        )
        + f" <small>({esc(row['latest_year'])})</small>"
    )


def measured_text(row: dict, language: str = "en") -> str:
    """A change as the target counts it: +1.5 points, −12.0 %, +50."""
    from analysis.core.precision import signed

    unit = change_unit(row["measured_unit"], language)
    decimals = None if missing(row.get("decimals")) else int(row["decimals"])
    # the measured value counts progress in the good direction; the reader sees the change as it happened
    sign = -1.0 if row.get("direction") == "lower" else 1.0
    return f"{signed(sign * float(row['measured_value']), decimals)} {unit}".strip()


def page_source(rr: RegionReport) -> str:
    """The region page's own path in the site (its language decides the folder)."""
    return permalinks.region_source(rr.region, rr.language)


def latest_cell(row: dict, language: str) -> str:
    """The latest figure, its year and, under it, the grade of the source it rests on."""
    latest = latest_html(row, language)
    if not latest:
        return ""
    grade = row.get("grade")
    if missing(grade) or not grade:
        return latest
    provisional = (
        f' <span class="pt-provisional">{esc(label("word_provisional", language))}</span>'
        if bool(row.get("provisional"))
        else ""
    )
    return f"{latest}<br>{grade_badge(grade, '', '', language).strip()}{provisional}"


def grade_label(grade: str, language: str) -> str:
    try:
        return label(f"grade_{grade}", language)
    except PlanTrackerError:
        return str(grade)


def grade_badge(grade: str, reason: str, sources, language: str) -> str:
    """The source's grade beside a figure (official, official media, repost, unverified), its reason on
    hover, and how many pages state the same figure when more than one does."""
    if missing(grade) or not grade:
        return ""
    single = str(sources) in ("", "1", "nan", "<NA>")
    count = "" if single else f" · {label('word_sources', language)} {sources}"
    title = f' title="{esc(reason)}"' if reason else ""
    return (
        f' <small class="pt-grade pt-grade-{esc(grade)}"{title}>{esc(grade_label(grade, language))}'
        f"{esc(count)}</small>"
    )


ISSUER_NAMES = re.compile(r"^(?P<zh>.*[\u4e00-\u9fff）)])\s*\((?P<en>[^\u4e00-\u9fff]+)\)$")
NOT_STATED = "not stated in the text"  # registry.csv's word for an issuer the plan does not print


def issuer_text(issuer, language: str) -> str:
    """The issuer in the page's language: the registry writes 'Chinese name (English name)', or that
    the plan does not state it."""
    text = "" if missing(issuer) else str(issuer).strip()
    if text == NOT_STATED:
        return label("word_not_stated", language)
    names = ISSUER_NAMES.match(text)
    if not names:
        return text
    return names.group("zh").strip() if language == "zh" else names.group("en").strip()


def plan_status_text(status, language: str) -> str:
    """A plan's status (draft for comment, final) in words."""
    return label_or(f"plan_status_{status}", language, "" if missing(status) else str(status))


def source_kind_label(kind: str, language: str) -> str:
    """What kind of page a figure was read from (statistical bulletin, official news …), in words."""
    return label_or(f"source_kind_{kind}", language, kind)


def grade_reason_note(row: dict, language: str) -> str:
    """Why a source has its grade, under its badge. The reasons are data/source_grades.csv's, written in
    English only, so a Chinese page keeps them in the badge's hover text and does not print them."""
    if language == "zh" or missing(row.get("grade_reason")):
        return ""
    return f"<br><small>{marked(row['grade_reason'])}</small>"


def target_name(row: dict, language: str) -> str:
    """The target in the page's language: the catalogue's Chinese statement or its English one."""
    return str(row["description_zh"] if language == "zh" else row["description_en"])


def theme_label(theme: str, language: str) -> str:
    try:
        return label(f"theme_{theme}", language)
    except PlanTrackerError:
        return theme


def forecast_html(row: dict) -> str:
    """The forecast in the deadline year and, under it, its 80 % interval."""
    if missing(row["forecast_mean"]):
        return ""
    digits = row.get("forecast_decimals")
    interval = interval_text(row["forecast_lower80"], row["forecast_upper80"], digits)
    mean = (
        format_number(row["forecast_mean"])
        if missing(digits)
        else fmt(float(row["forecast_mean"]), int(digits))
    )
    return f"{esc(mean)}<br><small>{esc(interval)}</small>"


def region_label(region: str, language: str) -> str:
    """A region's name in the page's language where the labels know it, else its key (a context series)."""
    try:
        return region_title(region, language)
    except PlanTrackerError:
        return region


# --- a filtered build (plantracker build --min-grade) ------------------------------------------------


def grades_text(min_grade: str, language: str) -> str:
    """The grades a filtered build keeps, in words: official and official-media."""
    from analysis.core.vocabulary import GRADES

    kept = [label(f"gradeword_{g}", language) for g in GRADES[: GRADES.index(min_grade) + 1]]
    if len(kept) == 1:
        return kept[0]
    last = label("filter_and", language)
    return ("、" if language == "zh" else ", ").join(kept[:-1]) + last + kept[-1]


def sources_note(min_grade: str | None, left_out: int, language: str) -> str:
    """What a filtered build says on every page, CSV and citation: which sources it keeps and how many
    lower-grade figures it leaves out; "" for a full build."""
    if not min_grade:
        return ""
    only = label("filter_sources_only", language).format(grades=grades_text(min_grade, language))
    if not left_out:
        return only
    key = "filter_left_out_one" if left_out == 1 else "filter_left_out"
    return only + label("filter_separator", language) + label(key, language).format(n=left_out)


def region_sources_note(rr: RegionReport, indicator: str | None = None) -> str:
    """The note of a region's page (every figure it leaves out) or of one indicator's target page."""
    left = rr.left_out
    if indicator is not None and len(left):
        left = left[left["indicator"] == indicator]
    return sources_note(rr.min_grade, len(left), rr.language)


def filtered_banner(min_grade: str | None, left_out: int, language: str) -> list:
    """A filtered build's note at the head of a page (part of the page, so its PDF carries it too);
    nothing for a full build."""
    from analysis.site.display import Html

    note = sources_note(min_grade, left_out, language)
    return [Html(f'<p class="pt-filtered"><strong>{esc(note)}.</strong></p>', note)] if note else []
