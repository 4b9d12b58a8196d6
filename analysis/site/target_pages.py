"""One page per target and language (targets/<id>.qmd, zh/targets/<id>.qmd): the verdict first, then the
plan's words, what is measured, the chart, every figure with its source, the reasoning, the forecast, a
download and how to cite it.

The figures come from the same calls the region notebooks make (`report.region_report`), so a target's
page and its region's page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.core.labels import label, label_or, name_in, unit_name
from analysis.site import citations, permalinks, region_charts, region_words, report
from analysis.site.charts import format_number
from analysis.site.display import (
    data_download,
    esc,
    figure_text,
    interval_text,
    marked,
    missing,
    percent,
    status_badge,
    url_link,
)
from analysis.site.edition import Edition
from analysis.site.forecast_words import explanation_text, is_status_reason, method_text, model_text
from analysis.site.qmd import front_matter, h, raw
from analysis.site.region_words import issuer_text, plan_status_text


def field_list(rows: Iterable[tuple[str, str]]) -> str:
    """Label/value pairs (values already HTML) as a definition list that reflows on a phone."""
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in rows if v)
    return f'<dl class="pt-fields">{items}</dl>'


def grade_of(record: dict) -> str:
    """The source's grade where the observations carry one, else the kind of source it was read from."""
    grade = record.get("grade")
    return str(grade) if not missing(grade) and grade else str(record.get("source_kind") or "")


def grade_text(grade: str, language: str) -> str:
    try:
        return label(f"grade_{grade}", language)
    except Exception:  # a kind of source the label table does not know is shown as written
        return grade


def figures_frame(rr: report.RegionReport, indicator: str) -> pd.DataFrame:
    """Every observation of the region's indicator (used or not), oldest first."""
    rows = rr.observations if "used" in rr.observations else rr.resolved
    own = rows[(rows["region"] == rr.region) & (rows["indicator"] == indicator)]
    return own.sort_values(["year", "source_file", "source_row"]).reset_index(drop=True)


def figures_table(
    rr: report.RegionReport, indicator: str, language: str, frame: pd.DataFrame | None = None
) -> str:
    """Every figure of the indicator with its source (`frame`: its figures_frame, when already made)."""
    frame = figures_frame(rr, indicator) if frame is None else frame
    if frame.empty and rr.min_grade:  # filtered out is not unpublished: say which and how many
        note = region_words.region_sources_note(rr, indicator)
        stop = "。" if language == "zh" else ". "
        return f"<p>{esc(label('filter_no_figures', language))}{stop}{esc(note)}{stop.strip()}</p>"
    if frame.empty:
        return f"<p>{esc(label('word_no_figures', language))}</p>"
    yes, no = label("word_yes", language), label("word_no", language)
    columns = ("year", "value", "grade", "used", "source", "excerpt")  # each a class pt-col-<name>
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="pt-col-{k}" data-label="{esc(label(f"col_{k}", language))}">{c}</td>'
            for k, c in zip(
                columns,
                (
                    esc(r["year"]),
                    esc(figure_text(r["qualifier"], r["value"], r["unit"], language=language)),
                    esc(grade_text(grade_of(r), language)),
                    esc(used_text(r, rr.as_of, yes, no, language)),
                    url_link(r["source_url"]),
                    f'<small class="pt-excerpt" lang="zh">{esc(r["excerpt"])}</small>',
                ),
                strict=True,
            )
        )
        + "</tr>"
        for r in frame.to_dict("records")
    )
    head = "".join(f'<th class="pt-col-{k}">{esc(label(f"col_{k}", language))}</th>' for k in columns)
    return (
        f'<div class="pt-table-wrap"><table class="pt-figures pt-cards"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def used_text(record: dict, as_of: int, yes: str, no: str, language: str) -> str:
    """Whether a figure is used; a figure after the as-of year never is, and the page says why."""
    if int(record["year"]) > as_of:
        return label("word_after_as_of", language).format(no=no, as_of=as_of)
    return yes if record.get("used", True) else no


def summary_html(row: dict, language: str) -> str:
    """The verdict first: status, P(met), latest figure and deadline, readable at a glance."""
    tiles = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_p_met", language), esc(percent(row["p_met"])) or "–"),
        (label("col_latest", language), region_words.latest_html(row, language) or "–"),
        (label("col_target", language), esc(report.target_text(row, language))),
        (label("col_deadline", language), esc(row["target_year"])),
    ]
    cells = "".join(
        f'<div class="pt-tile"><span class="pt-tile-label">{esc(k)}</span>'
        f'<span class="pt-tile-value">{v}</span></div>'
        for k, v in tiles
    )
    return f'<div class="pt-tiles pt-target-summary">{cells}</div>'


def plan_words_html(row: dict, plan: dict, language: str) -> str:
    quote = f'<blockquote class="pt-quote" lang="zh">{esc(row["quote"])}</blockquote>'
    fields = [
        (label("col_document", language), esc(name_in(plan["title_en"], plan["title_zh"], language))),
        (label("col_clause", language), marked(row["clause"])),
        (label("col_issuer", language), esc(issuer_text(plan["issuing_body"], language))),
        (label("col_plan_status", language), esc(plan_status_text(plan.get("status"), language))),
    ]
    if language == "en":  # the catalogue's statement and note are written in English only
        fields += [
            (label("word_statement_en", language), f'<span lang="en">{esc(row["description_en"])}</span>'),
            (label("col_note", language), marked(row["note"])),
        ]
    elif not missing(row.get("note")) and row.get("note"):
        fields.append((label("col_note", language), esc(label("word_note_english_only", language))))
    return quote + field_list(fields)


def measure_html(row: dict, indicator: dict, language: str) -> str:
    # a base is a level: in the indicator's unit (%), never in the points a change is counted in
    unit = region_words.shown_unit(row)
    base = figure_text("=", row["baseline_value"], unit, language=language)
    used_base = figure_text("=", row["base_value"], unit, row.get("base_decimals"), language)
    name = name_in(indicator["name_en"], indicator["name_zh"], language)
    fields = [
        (label("col_indicator", language), esc(name)),
        (label("col_unit", language), esc(unit_name(row["unit"], language))),
        (label("col_direction", language), esc(label(f"direction_{indicator['direction']}", language))),
        (label("col_target", language), esc(report.target_text(row, language))),
        (label("col_deadline", language), esc(row["target_year"])),
        (
            label("word_stated_base", language),
            esc(f"{base} ({int(row['baseline_year'])})")
            if base and not missing(row["baseline_year"])
            else "",
        ),
        (
            label("word_base_used", language),
            esc(f"{used_base} ({int(row['base_year'])})")
            if used_base and not missing(row["base_year"])
            else "",
        ),
    ]
    return field_list(fields)


def basis_text(basis, language: str) -> str:
    """How R was computed (linear, compound) in words."""
    return "" if missing(basis) or not basis else label_or(f"pace_basis_{basis}", language, str(basis))


def reasoning_html(row: dict, needed: str, language: str) -> str:
    def number(key: str) -> str:
        return "" if missing(row.get(key)) else esc(format_number(float(row[key])))

    fields = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_status_reason", language), marked(row["reason"])),
        (label("col_gap", language), number("gap")),
        (label("word_observed_pace", language), number("observed_pace")),
        (label("word_required_pace", language), number("required_pace")),
        (label("word_ratio", language), number("pace_ratio")),
        (label("word_ratio_basis", language), esc(basis_text(row.get("pace_basis"), language))),
        (label("col_needed", language), marked(needed)),
    ]
    return field_list(fields)


def forecast_value(row: dict) -> str:
    """The forecast with the digits its interval supports (report.honest_digits)."""
    digits = row.get("forecast_decimals")
    if missing(digits):
        return format_number(row["forecast_mean"])
    from analysis.core.precision import fmt

    return fmt(float(row["forecast_mean"]), int(digits))


def forecast_block(row: dict, language: str) -> str:
    if missing(row["forecast_mean"]):
        reason = row.get("method_reason")
        if language != "en" and is_status_reason(reason):  # the same sentence as the status's reason
            reason = label("word_forecast_status_reason", language)
        return (
            f"<p>{esc(label('word_no_forecast', language))}"
            + (f" ({esc(explanation_text(reason, language))})" if not missing(reason) and reason else "")
            + "</p>"
        )
    fields = [
        (label("col_year", language), esc(row["forecast_year"])),
        (label("col_value", language), esc(forecast_value(row))),
        (
            label("col_interval", language),
            esc(
                interval_text(row["forecast_lower80"], row["forecast_upper80"], row.get("forecast_decimals"))
            ),
        ),
        (label("col_p_met", language), esc(percent(row["p_met"]))),
        (label("col_method", language), esc(method_text(row["method"], language))),
        (label("col_model", language), esc(model_text(row.get("model"), language))),
        (label("word_method_reason", language), esc(explanation_text(row["method_reason"], language))),
    ]
    return field_list(fields)


def target_page(
    rr: report.RegionReport,
    row: dict,
    figure,
    needed: str,
    edition: Edition,
    language: str,
    own: pd.DataFrame | None = None,
) -> str:
    """The .qmd text of one target's page (`own`: the figures_frame of its indicator, when already made:
    the targets of one indicator share it)."""
    source = permalinks.target_source(row["target_id"], language)
    plan = rr.plans.set_index("file").loc[row["document"]].to_dict()
    indicator = rr.indicators.set_index("indicator_id").loc[row["indicator"]].to_dict()
    title = row["description_en"] if language == "en" else row["description_zh"]
    region_name = label(f"region_{rr.region}", language)
    front = {"title": title, "subtitle": f"{region_name} · {row['target_id']}", "lang": language}
    front |= citations.front_matter(cite_title(row, language), permalinks.output_path(source), edition)
    region_link = permalinks.page_href(f"reports/{rr.region}.ipynb", source)
    back = f'<p class="pt-back"><a href="{esc(region_link)}">← {esc(region_name)}</a></p>'
    filtered = region_words.region_sources_note(rr, row["indicator"])
    own = figures_frame(rr, row["indicator"]) if own is None else own
    figures = own.assign(used=own["used"] & (own["year"] <= rr.as_of)) if "used" in own else own
    download = data_download(target_csv(row, figures, filtered), f"{row['target_id']}.csv", language)
    what = f"“{title}” ({row['target_id']})" + (f" [{filtered}]" if filtered else "")
    cite = edition.cite(what, permalinks.output_path(source), language)
    banner = f'<p class="pt-filtered"><strong>{esc(filtered)}.</strong></p>' if filtered else ""
    chart = figure.to_html() if figure is not None else f"<p>{esc(label('word_no_chart', language))}</p>"
    parts = [
        front_matter(front),
        raw(permalinks.language_switch(source) + back + banner + summary_html(row, language)),
        h(label("heading_plan_words", language)),
        raw(plan_words_html(row, plan, language)),
        h(label("heading_measure", language)),
        raw(measure_html(row, indicator, language)),
        h(label("heading_chart", language)),
        raw(chart),
        h(label("heading_figures", language)),
        raw(figures_table(rr, row["indicator"], language, own)),
        h(label("heading_reasoning", language)),
        raw(reasoning_html(row, needed, language)),
        h(label("heading_forecast", language)),
        raw(forecast_block(row, language)),
        h(label("heading_download", language)),
        raw(f"<p>{download}</p>"),
        h(label("heading_cite", language)),
        raw(
            f'<p class="pt-cite">{esc(cite)}</p>' + permalinks.cite_links(row["target_id"], source, language)
        ),
    ]
    return "\n\n".join(parts) + "\n"


def cite_title(row: dict, language: str) -> str:
    """A target page's title as a citation names it: the target in the page's language and its id."""
    title = row["description_en"] if language == "en" else row["description_zh"]
    return f"{title} ({row['target_id']})"


TARGET_CSV_COLUMNS = [
    *report.TARGET_CSV_COLUMNS,
    "quote",
    "description_en",
    "reason",
    "needed",
    "method_reason",
]
FIGURE_CSV_COLUMNS = ["year", "qualifier", "value", "unit", "source_url", "grade", "used", "excerpt"]


def target_csv(row: dict, figures: pd.DataFrame, filtered: str = "") -> pd.DataFrame:
    """One table to download: the target (one row) and below it each figure of its indicator; a filtered
    build says so in a `sources` column on every row (a CSV read alone still tells it)."""
    target = pd.DataFrame([{"row_kind": "target", **{c: row.get(c) for c in TARGET_CSV_COLUMNS}}])
    keep = [c for c in FIGURE_CSV_COLUMNS if c in figures]
    shown = figures[keep].assign(row_kind="figure", target_id=row["target_id"])
    table = pd.concat([target, shown], ignore_index=True)
    return table.assign(sources=filtered) if filtered else table


# ---------------------------------------------------------------- every target of a region


def region_figures(rr: report.RegionReport) -> dict:
    """The region page's charts, by indicator (the same calls as the notebook's)."""
    return {i: region_charts.indicator_figure(rr, i) for i in region_charts.charted_indicators(rr)}


def region_target_pages(
    reports: dict[str, report.RegionReport], figures_of: dict[str, dict], edition: Edition
) -> dict[str, str]:
    """source path → .qmd text, for every target of one region; `reports` and `figures_of`: the region
    and its charts in each language (the assessment writes its reasons in the page's language)."""
    pages = {}
    for language, rr in reports.items():
        frame = report.targets_frame(rr)
        figures = figures_of[language]
        own: dict[str, pd.DataFrame] = {}  # figures_frame by indicator, made once for its targets
        for row in frame.to_dict("records"):
            source = permalinks.target_source(row["target_id"], language)
            needed = "" if row["status"] != "not_assessable" or missing(row.get("needed")) else row["needed"]
            if row["indicator"] not in own:
                own[row["indicator"]] = figures_frame(rr, row["indicator"])
            figure = figures.get(row["indicator"])
            pages[source] = target_page(rr, row, figure, needed, edition, language, own[row["indicator"]])
            filtered = region_words.region_sources_note(rr, row["indicator"])
            path = permalinks.output_path(source)
            title = cite_title(row, language)
            pages |= citations.records(row["target_id"], title, path, edition, language, filtered)
    return pages
