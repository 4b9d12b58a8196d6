"""A region's page: its figures gathered once, then the tables and charts the notebook shows.

notebooks/region.ipynb calls `region_report` and displays what the section functions return. A region
page is computed from its own observations and the context series (national, provincial); other plan
regions' rows are not among its inputs, which is also what `plantracker build` fingerprints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis import assessment, charts, conflicts, paths, permalinks, pipeline
from analysis.charts import format_number
from analysis.display import (
    Html,
    Note,
    Table,
    csv_text,
    esc,
    figure_text,
    heading,
    interval_text,
    link,
    make_table,
    missing,
    percent,
    status_badge,
)
from analysis.display import language_switch as language_switch
from analysis.display import prose as prose
from analysis.errors import PlanTrackerError
from analysis.labels import both, check_language, label, pair
from analysis.precision import fmt

NATIONAL_REGION = "china"  # the observations' key of national series, drawn beside a region's own


@dataclass(frozen=True)
class RegionReport:
    """Everything a region page shows, computed once from the data up to `as_of`."""

    region: str
    as_of: int
    language: str
    plans: pd.DataFrame
    targets: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame  # every row of the region and of the context series
    resolved: pd.DataFrame
    status: pd.DataFrame
    forecasts: pd.DataFrame
    series_forecasts: pd.DataFrame
    base_year: int
    bands: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    root: Path | None = field(default=None, repr=False)


def plan_regions(root: Path | None = None) -> list[str]:
    return pipeline.plan_regions(root)


def check_region(region: str, root: Path | None = None) -> str:
    known = plan_regions(root)
    if region not in known:
        raise PlanTrackerError(f"region {region!r} has no plan; choose one of {', '.join(known)}")
    return region


def scoped(frame: pd.DataFrame, region: str, regions: Iterable[str]) -> pd.DataFrame:
    """Rows of this region and of the context series: other plan regions' rows are not a page's input."""
    others = set(regions) - {region}
    return frame[~frame["region"].isin(others)].reset_index(drop=True)


def region_report(region: str, as_of: int, language: str = "en", extra_observations: Iterable[str] = (),
                  root: Path | None = None, min_grade: str | None = None) -> RegionReport:
    """Load, resolve, assess and forecast one region; `extra_observations` are paths from the project root."""
    check_language(language)
    check_region(region, root)
    extra = [(root or paths.project_root()) / p for p in extra_observations]
    indicators = pipeline.load_indicators(root)
    targets = pipeline.load_targets(root)
    targets = targets[targets["region"] == region].reset_index(drop=True)
    loaded = pipeline.load_observations(extra=extra or None, root=root, min_grade=min_grade)
    loaded = scoped(loaded, region, plan_regions(root))
    resolved = conflicts.resolve(loaded)
    own = resolved[(resolved["region"] == region) & (resolved["year"] <= as_of)]
    horizon = int(max([as_of, *targets["target_year"].tolist()]))
    registry = pipeline.load_registry(root)
    return RegionReport(
        region=region, as_of=as_of, language=language,
        plans=registry[registry["region"] == region].reset_index(drop=True),
        targets=targets, indicators=indicators, observations=loaded, resolved=resolved,
        status=pipeline.assess(targets, indicators, resolved, as_of, root=root, language=language),
        forecasts=pipeline.forecast_targets(targets, indicators, resolved, as_of, root=root),
        series_forecasts=pipeline.forecast_series(own[["region", "indicator", "year", "value", "qualifier"]],
                                                  horizon, indicators, root=root),
        base_year=int(pipeline.load_settings(root)["default_base_year"]), bands=pipeline.load_bands(root),
        root=root,
    )


def localised(rr: RegionReport, language: str) -> RegionReport:
    """The same region in another language: the figures are the same, the reasons are written anew."""
    if language == rr.language:
        return rr
    status = pipeline.assess(rr.targets, rr.indicators, rr.resolved, rr.as_of, root=rr.root,
                             language=language)
    return replace(rr, language=check_language(language), status=status)


def region_title(region: str, language: str) -> str:
    return both(f"region_{region}", language)


def indicator_names(indicators: pd.DataFrame, language: str) -> dict[str, str]:
    return {r["indicator_id"]: pair(r["name_en"], r["name_zh"], language)
            for r in indicators.to_dict("records")}


def plan_says(row: dict, language: str) -> str:
    """The plan's own words (the verbatim quote) and the English statement, the page's language first."""
    says = [f'<span lang="zh">{esc(row["quote"])}</span>',
            f'<span lang="en">{esc(row["description_en"])}</span>']
    return "<br>".join(says if language == "zh" else says[::-1])


def target_text(row: dict) -> str:
    """The target as the plan sets it: ≥ 90 %, ≤ 12 per 100000 live births, ≥ 20 % (relative change)."""
    text = figure_text(row["comparator"], row["target_value"], row["unit"])
    return f"{text} (relative change)" if row["kind"] == "relative_change" else text


def latest_html(row: dict) -> str:
    """The figure the status rests on: the latest level, or for a change target the change since its base
    in the target's own unit (+50, from 150 in 2024 to 200 in 2025)."""
    level_unit = row.get("indicator_unit") or row["unit"]
    latest = figure_text(row["latest_qualifier"], row["latest_value"], level_unit, row.get("latest_decimals"))
    if not latest:
        return ""
    shown = f"{link(row['latest_source_url'], latest)} ({esc(row['latest_year'])})"
    if row.get("measure") in ("increase", "relative_change") and not missing(row.get("measured_value")):
        change = measured_text(row)
        base = figure_text("=", row["base_value"], row.get("indicator_unit") or "", row.get("base_decimals"))
        return f"{esc(change)}<br><small>{esc(base)} ({esc(row['base_year'])}) → {shown}</small>"
    return shown


def measured_text(row: dict) -> str:
    """A change as the target counts it: +1.5 points, −12.0 %, +50."""
    from analysis.precision import signed

    unit = {"percentage points": "points", "count": ""}.get(row["measured_unit"], row["measured_unit"])
    decimals = None if missing(row.get("decimals")) else int(row["decimals"])
    # the measured value counts progress in the good direction; the reader sees the change as it happened
    sign = -1.0 if row.get("direction") == "lower" else 1.0
    return f"{signed(sign * float(row['measured_value']), decimals)} {unit}".strip()


# ---------------------------------------------------------------- the plans and the headline


def plans_table(rr: RegionReport) -> Table:
    counts = rr.targets["document"].value_counts()
    frame = rr.plans.assign(n_targets=[int(counts.get(f, 0)) for f in rr.plans["file"]])
    frame = frame.sort_values("document_id")[["document_id", "title_zh", "title_en", "issuing_body",
                                              "horizon_year", "status", "n_targets", "file"]]
    cells = [[esc(r["document_id"]), esc(pair(r["title_en"], r["title_zh"], rr.language)),
              esc(r["issuing_body"]), esc(r["horizon_year"]), esc(r["status"]), esc(r["n_targets"])]
             for r in frame.to_dict("records")]
    columns = [("document_id", "col_document"), ("title", "col_title"), ("issuer", "col_issuer"),
               ("horizon", "col_horizon"), ("status", "col_plan_status"), ("n_targets", "col_n_targets")]
    return make_table(f"{rr.region}-plans", columns, cells, frame, rr.language,
                      numeric=["horizon", "n_targets"])


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Targets by status, every status listed (zero included) in the bands' order."""
    counts = status["status"].value_counts()
    frame = pd.DataFrame({"status": assessment.STATUS_ORDER,
                          "targets": [int(counts.get(s, 0)) for s in assessment.STATUS_ORDER]})
    return frame.assign(share=frame["targets"] / max(int(frame["targets"].sum()), 1))


def headline_table(rr: RegionReport) -> Table:
    frame = status_counts(rr.status)
    cells = [[status_badge(r["status"], rr.language), esc(r["targets"]), esc(percent(r["share"]))]
             for r in frame.to_dict("records")]
    cells.append([esc(both("status_total", rr.language)), esc(int(frame["targets"].sum())), "100 %"])
    columns = [("status", "col_status"), ("count", "col_n_targets"), ("share", "col_share")]
    return make_table(f"{rr.region}-status-counts", columns, cells, frame, rr.language,
                      numeric=["count", "share"])


def headline_note(rr: RegionReport) -> Note:
    counts = status_counts(rr.status).set_index("status")["targets"]
    assessed = int(counts.sum() - counts.get(assessment.NOT_ASSESSABLE, 0))
    n_targets, n_plans = len(rr.targets), len(rr.plans)
    return Note(f"{n_targets} targets in {n_plans} plan(s); {assessed} can be assessed with the published "
                f"figures up to {rr.as_of}. · {n_plans} 份规划共 {n_targets} 项目标，其中 {assessed} 项可依据"
                f"截至 {rr.as_of} 年的公开数据评估。")


def status_legend(rr: RegionReport) -> Table:
    """What each status means, from data/progress_bands.csv (the bands are data, not code)."""
    def bound(value: float) -> str:
        return "" if math.isinf(value) else f"{round(value * 100):d} %"

    rows = [("achieved", "", "", "the latest figure (or change, for a target of a change) meets the target")]
    rows += [(r["status"], bound(r["ratio_min"]), bound(r["ratio_max"]), r["meaning"] + " (deadline ahead)")
             for r in rr.bands.to_dict("records")]
    rows.append(("missed", "", "", "the deadline has come and its year's figure falls short of the target"))
    rows.append((assessment.NOT_ASSESSABLE, "", "", "the published figures do not allow a judgement; "
                                                    "the reason names the figure that would decide it"))
    frame = pd.DataFrame(rows, columns=["status", "ratio_from", "ratio_below", "meaning"])
    cells = [[status_badge(r["status"], rr.language), esc(r["ratio_from"]), esc(r["ratio_below"]),
              esc(r["meaning"])] for r in frame.to_dict("records")]
    columns = [("status", "col_status"), ("from", "col_ratio_from"), ("below", "col_ratio_below"),
               ("meaning", "col_meaning")]
    return make_table(f"{rr.region}-status-legend", columns, cells, frame, rr.language,
                      numeric=["from", "below"])


# ---------------------------------------------------------------- every target


def targets_frame(rr: RegionReport) -> pd.DataFrame:
    """Catalogue, status and forecast side by side, one row per target in the catalogue's order."""
    wanted = ["target_id", "latest_value", "latest_year", "latest_qualifier", "latest_source_url",
              "base_value", "base_year", "gap", "progress_share", "pace_ratio", "pace_basis", "status",
              "reason", "measured_value", "measured_year", "measured_qualifier", "measured_unit", "decimals",
              "provisional", "grade", "needed", "observed_pace", "required_pace", "measure"]
    keep = [c for c in dict.fromkeys(wanted) if c in rr.status]
    targets = rr.targets.drop(columns=[c for c in keep if c in rr.targets and c != "target_id"])
    merged = targets.merge(rr.status[keep], on="target_id", how="left", validate="one_to_one")
    merged = merged.merge(rr.forecasts, on="target_id", how="left", validate="one_to_one")
    # a deadline year that already has its figure is judged on it: no forecast, no interval of zero width
    observed = merged["measured_year"].astype("Float64").eq(merged["target_year"])
    observed = observed.fillna(False).to_numpy(bool)
    forecast_columns = [c for c in ("forecast_mean", "forecast_lower80", "forecast_upper80", "p_met")
                        if c in merged]
    merged.loc[observed, forecast_columns] = float("nan")
    documents = dict(zip(rr.plans["file"], rr.plans["document_id"], strict=True))
    units = dict(zip(rr.indicators["indicator_id"], rr.indicators["unit"], strict=True))
    themes = dict(zip(rr.indicators["indicator_id"], rr.indicators["theme"], strict=True))
    directions = dict(zip(rr.indicators["indicator_id"], rr.indicators["direction"], strict=True))
    merged = merged.assign(document_id=merged["document"].map(documents),
                           indicator_unit=merged["indicator"].map(units),
                           theme=merged["indicator"].map(themes),
                           direction=merged["indicator"].map(directions))
    return honest_digits(merged, rr.resolved[rr.resolved["region"] == rr.region]).sort_values("row") \
        .reset_index(drop=True)


def honest_digits(frame: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """Each figure with the digits its inputs carry: the latest and base figures as their sources printed
    them, the measured value with the decimals the assessment worked out, a forecast and its interval no
    finer than the interval's width supports nor the data's own decimals (350 (325–382), not
    350.27 (325.15–382.28)). The rounded values are what the page and its CSV show."""
    from analysis.precision import decimals_of, interval_decimals

    printed = {(r["indicator"], int(r["year"])): int(r["decimals"]) for r in own.to_dict("records")}
    widest = own.groupby("indicator")["decimals"].max().to_dict() if len(own) else {}

    def digits_at(indicator: str, year, value) -> float:
        if missing(value):
            return math.nan
        return printed.get((indicator, int(year)), decimals_of(float(value))) if not missing(year) \
            else decimals_of(float(value))

    records = frame.to_dict("records")
    latest = [digits_at(r["indicator"], r["latest_year"], r["latest_value"]) for r in records]
    base = [digits_at(r["indicator"], r.get("base_year"), r.get("base_value")) for r in records]
    forecast = [math.nan if missing(r.get("forecast_lower80")) else interval_decimals(
        float(r["forecast_lower80"]), float(r["forecast_upper80"]), int(widest.get(r["indicator"], 2)))
        for r in records]
    out = frame.assign(latest_decimals=latest, base_decimals=base, forecast_decimals=forecast)
    for column in ("forecast_mean", "forecast_lower80", "forecast_upper80"):
        if column in out:
            out[column] = [v if missing(v) or missing(d) else round(float(v), int(d))
                           for v, d in zip(out[column], forecast, strict=True)]
    out["measured_value"] = [v if missing(v) or missing(d) else round(float(v), int(d))
                             for v, d in zip(out["measured_value"], out["decimals"], strict=True)]
    return out


TARGET_CSV_COLUMNS = ["target_id", "document_id", "clause", "indicator", "comparator", "target_value", "unit",
                      "target_year", "kind", "latest_qualifier", "latest_value", "latest_year",
                      "latest_source_url", "measure", "base_value", "base_year", "measured_value",
                      "measured_year",
                      "gap", "pace_ratio", "status", "provisional", "grade",
                      "forecast_year", "forecast_mean", "forecast_lower80", "forecast_upper80", "p_met",
                      "method", "model"]


def page_source(rr: RegionReport) -> str:
    """The region page's own path in the site (its language decides the folder)."""
    return permalinks.region_source(rr.region, rr.language)


def latest_cell(row: dict, language: str) -> str:
    """The latest figure, its year and, under it, the grade of the source it rests on."""
    latest = latest_html(row)
    if not latest:
        return ""
    grade = row.get("grade")
    if missing(grade) or not grade:
        return latest
    provisional = f' <span class="pt-provisional">{esc(label("word_provisional", language))}</span>' \
        if bool(row.get("provisional")) else ""
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
    return (f' <small class="pt-grade pt-grade-{esc(grade)}"{title}>{esc(grade_label(grade, language))}'
            f'{esc(count)}</small>')


def targets_table(rr: RegionReport) -> Table:
    """Every target of the region, compact: what it is (linked to its own page), deadline, latest figure
    with its grade, status and P(met). The full record of each target is on its page; the CSV has all
    columns."""
    frame = targets_frame(rr)
    here = page_source(rr)
    records = frame.to_dict("records")
    cells = [[f'{permalinks.target_link(r["target_id"], here, target_name(r, rr.language))}<br>'
              f'<small>{esc(r["document_id"])} {esc(r["clause"])} · {esc(target_text(r))}</small>',
              esc(r["target_year"]), latest_cell(r, rr.language),
              status_badge(r["status"], rr.language, single=True), esc(percent(r["p_met"])) or "–"]
             for r in records]
    columns = [("target", "col_target"), ("deadline", "col_deadline"), ("latest", "col_latest"),
               ("status", "col_status"), ("p_met", "col_p_met")]
    keys = [[label(f"status_{r['status']}", rr.language), str(r["document_id"]), str(r["theme"])]
            for r in records]
    columns_csv = [c for c in TARGET_CSV_COLUMNS if c in frame]
    return make_table(f"{rr.region}-targets", columns, cells, frame[columns_csv], rr.language,
                      numeric=["deadline", "p_met"], filters=["status", "plan", "theme"],
                      filter_values=keys, search=True, cards=True,
                      filter_labels={"plan": "col_document", "theme": "col_theme"})


def target_name(row: dict, language: str) -> str:
    """The target in the page's language: the catalogue's Chinese statement or its English one."""
    return str(row["description_zh"] if language == "zh" else row["description_en"])


# ---------------------------------------------------------------- the dashboard tiles


def status_chips(statuses: pd.Series, language: str) -> str:
    counts = statuses.value_counts()
    return "".join(f'<span class="pt-status pt-status-{esc(s)}">{esc(label(f"status_{s}", language))} '
                   f'{int(counts[s])}</span> ' for s in assessment.STATUS_ORDER if counts.get(s, 0))


def tile(title: str, statuses: pd.Series, language: str, href: str | None = None) -> str:
    name = f'<a href="{esc(href)}">{esc(title)}</a>' if href else esc(title)
    return (f'<div class="pt-tile"><span class="pt-tile-label">{name}</span>'
            f'<span class="pt-tile-value">{len(statuses)} {esc(label("word_targets", language))}</span>'
            f'<span class="pt-tile-chips">{status_chips(statuses, language)}</span></div>')


def status_tiles(rr: RegionReport) -> Html:
    """The region at a glance: one tile per status, then one per plan and one per theme."""
    frame = targets_frame(rr)
    counts = frame["status"].value_counts()
    overall = "".join(
        f'<div class="pt-tile pt-tile-status"><span class="pt-tile-label">'
        f'{status_badge(s, rr.language, single=True)}</span>'
        f'<span class="pt-tile-value">{int(counts.get(s, 0))}</span></div>' for s in assessment.STATUS_ORDER)
    plans = rr.plans.sort_values("document_id").to_dict("records")
    by_plan = "".join(tile(f"{p['document_id']} · {pair(p['title_en'], p['title_zh'], rr.language)}",
                           frame.loc[frame["document"] == p["file"], "status"], rr.language)
                      for p in plans)
    by_theme = "".join(tile(theme_label(t, rr.language), group["status"], rr.language)
                       for t, group in frame.groupby("theme", sort=True))
    parts = [f'<div class="pt-tiles pt-tiles-status">{overall}</div>',
             f'<h3>{esc(label("word_by_plan", rr.language))}</h3><div class="pt-tiles">{by_plan}</div>',
             f'<h3>{esc(label("word_by_theme", rr.language))}</h3><div class="pt-tiles">{by_theme}</div>']
    text = "; ".join(f"{s}: {int(counts.get(s, 0))}" for s in assessment.STATUS_ORDER)
    return Html("\n".join(parts), text)


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
    mean = format_number(row["forecast_mean"]) if missing(digits) else \
        fmt(float(row["forecast_mean"]), int(digits))
    return f"{esc(mean)}<br><small>{esc(interval)}</small>"


# ---------------------------------------------------------------- targets without data


def missing_table(rr: RegionReport) -> Table:
    frame = targets_frame(rr)
    frame = frame[frame["status"] == assessment.NOT_ASSESSABLE]
    names = indicator_names(rr.indicators, rr.language)
    cells = [[esc(r["target_id"]), esc(names.get(r["indicator"], r["indicator"])), esc(target_text(r)),
              esc(r["target_year"]), esc(r["reason"]), esc(r["needed"])]
             for r in frame.to_dict("records")]
    columns = [("target_id", "col_target_id"), ("indicator", "col_indicator"), ("target", "col_target"),
               ("deadline", "col_deadline"), ("reason", "col_status_reason"), ("needed", "col_needed")]
    data = frame[["target_id", "indicator", "unit", "target_year", "reason", "needed"]]
    return make_table(f"{rr.region}-without-data", columns, cells, data, rr.language, numeric=["deadline"],
                      search=True)


def missing_section(rr: RegionReport) -> list:
    """How many targets wait for a figure, a link to the data gaps page, and the list folded away."""
    table = missing_table(rr)
    if not table.cells:
        return [heading("heading_missing", rr.language), Note(both("word_no_missing", rr.language))]
    gaps = esc(permalinks.page_href("gaps.qmd", page_source(rr)))
    text = label("word_missing_summary", rr.language).format(n=len(table.cells))
    summary = (f'<p>{esc(text)} <a href="{gaps}">{esc(label("heading_gaps", rr.language))}</a></p>'
               f'<details class="pt-fold"><summary>{esc(label("word_show_list", rr.language))}</summary>'
               f"{table.to_html()}</details>")
    return [heading("heading_missing", rr.language), Html(summary, table.csv())]


# ---------------------------------------------------------------- charts


def charted_indicators(rr: RegionReport) -> list[str]:
    """Indicators of the region's targets with a figure of the region or a national series, in catalogue
    order."""
    usable = rr.resolved[rr.resolved["year"] <= rr.as_of]
    with_data = set(usable.loc[usable["region"].isin([rr.region, NATIONAL_REGION]), "indicator"])
    return [i for i in dict.fromkeys(rr.targets["indicator"]) if i in with_data]


def drawn_goals(status: pd.DataFrame) -> pd.DataFrame:
    """The level each target asks for, as a chart draws it: the assessment's goal where it worked one out
    (a change target needs its base for that), else the target value itself for a target of a level."""
    measure = status["measure"] if "measure" in status else \
        status["kind"].map(lambda k: "relative_change" if k == "relative_change" else "level")
    own_level = status["target_value"].where(measure == "level")
    return status.assign(comparator=status["goal_comparator"].fillna(status["comparator"]),
                         goal_value=status["goal_value"].fillna(own_level))


def indicator_figure(rr: RegionReport, indicator: str) -> charts.Figure:
    """Observations (bounds as bounds), targets at their deadlines, the forecast fan, the national series."""
    usable = rr.resolved[(rr.resolved["year"] <= rr.as_of) & (rr.resolved["indicator"] == indicator)]
    own = usable[usable["region"] == rr.region]
    targets = drawn_goals(rr.status[rr.status["indicator"] == indicator])
    fan = rr.series_forecasts[(rr.series_forecasts["indicator"] == indicator)
                              & (rr.series_forecasts["year"] <= int(targets["target_year"].max()))]
    national = usable[usable["region"] == NATIONAL_REGION]
    frame = charts.chart_frame(own, national, targets, fan)
    meta = rr.indicators.set_index("indicator_id").loc[indicator]
    names = (meta["name_en"], meta["name_zh"]) if rr.language == "en" else (meta["name_zh"], meta["name_en"])
    caption = f"{region_title(rr.region, rr.language)}: {' · '.join(names)} ({meta['unit']})"
    if own.empty:
        caption += f" — {both('word_context_only', rr.language)}"
    here = page_source(rr)
    drawn = targets.dropna(subset=["goal_value"])["target_id"]
    links = ", ".join(permalinks.target_link(t, here) for t in drawn)
    title = esc(label("word_targets_in_chart", rr.language))
    links_html = f'<p class="pt-chart-targets">{title}: {links}</p>' if links else ""
    return charts.figure(frame, f"chart-{rr.region}-{indicator}", names[0], names[1], str(meta["unit"]),
                         caption, rr.language, source=source_line(pd.concat([own, national]), rr.language),
                         links_html=links_html, data_csv=csv_text(frame),
                         files=permalinks.chart_files_href(here))


def publisher(url: str) -> str:
    """The site a figure was read from (its host name without www.)."""
    from urllib.parse import urlsplit

    host = urlsplit(str(url)).hostname or str(url)
    return host.removeprefix("www.")


def source_line(rows: pd.DataFrame, language: str) -> str:
    """Who published the figures a chart draws, each with the grade of its source."""
    if rows.empty:
        return ""
    grades = rows["grade"] if "grade" in rows else rows["source_kind"]
    pairs = dict.fromkeys(f"{publisher(u)} ({grade_label(g, language)})"
                          for u, g in zip(rows["source_url"], grades, strict=True))
    return f"{label('word_source', language)}: {'; '.join(pairs)}"


def chart_section(rr: RegionReport) -> list:
    figures = [indicator_figure(rr, i) for i in charted_indicators(rr)]
    return [heading("heading_charts", rr.language), *(figures or [Note(both("word_no_charts", rr.language))])]


# ---------------------------------------------------------------- sources and conflicts


def region_label(region: str, language: str) -> str:
    """A region's name in both languages where the labels know it, else its key (a context series)."""
    try:
        return region_title(region, language)
    except PlanTrackerError:
        return region


def sources_table(rr: RegionReport) -> Table:
    """The pages the figures were read from: the region's, and the national series charted here."""
    charted = charted_indicators(rr)
    resolved = rr.resolved[rr.resolved["year"] <= rr.as_of]
    used = resolved[(resolved["region"] == rr.region)
                    | ((resolved["region"] == NATIONAL_REGION) & resolved["indicator"].isin(charted))]
    grouped = (used.groupby(["region", "source_url", "source_kind", "grade", "grade_reason"], as_index=False)
               .agg(figures=("value", "size"), indicators=("indicator", lambda s: ", ".join(sorted(set(s)))),
                    years=("year", lambda s: ", ".join(str(y) for y in sorted(set(s)))))
               .sort_values(["region", "source_url"]))
    cells = [[link(r["source_url"], r["source_url"]), esc(r["source_kind"]),
              grade_badge(r["grade"], r["grade_reason"], "", rr.language).strip()
              + f"<br><small>{esc(r['grade_reason'])}</small>",
              esc(region_label(r["region"], rr.language)),
              esc(r["indicators"]), esc(r["years"]), esc(r["figures"])] for r in grouped.to_dict("records")]
    columns = [("source", "col_source"), ("kind", "col_source_kind"), ("grade", "col_grade"),
               ("region", "col_region"), ("indicator", "col_indicator"), ("year", "col_year"),
               ("figures", "col_n_figures")]
    return make_table(f"{rr.region}-sources", columns, cells, grouped, rr.language, numeric=["figures"])


def conflicts_table(rr: RegionReport) -> Table:
    """Figures on which sources disagree, for the region and the national series charted here."""
    pairs = conflicts.conflicts(rr.observations)
    pairs = pairs[(pairs["region"] == rr.region) | ((pairs["region"] == NATIONAL_REGION)
                                                    & pairs["indicator"].isin(charted_indicators(rr)))]
    pairs = pairs.sort_values(["region", "indicator", "year", "other_value"])
    names = indicator_names(rr.indicators, rr.language)
    cells = [[esc(region_label(r["region"], rr.language)), esc(names.get(r["indicator"], r["indicator"])),
              esc(r["year"]), link(r["used_source_url"], figure_text(r["used_qualifier"], r["used_value"])),
              link(r["other_source_url"], figure_text(r["other_qualifier"], r["other_value"])),
              esc(r["reason"])] for r in pairs.to_dict("records")]
    columns = [("region", "col_region"), ("indicator", "col_indicator"), ("year", "col_year"),
               ("used", "col_used_value"), ("other", "col_other_value"), ("reason", "col_reason")]
    data = pairs[["region", "indicator", "year", "used_qualifier", "used_value", "used_source_url",
                  "other_qualifier", "other_value", "other_source_url", "reason"]]
    return make_table(f"{rr.region}-conflicts", columns, cells, data, rr.language, numeric=["year"])


def conflicts_section(rr: RegionReport) -> list:
    table = conflicts_table(rr)
    return [heading("heading_conflicts", rr.language),
            table if table.cells else Note(both("word_no_conflicts", rr.language))]
