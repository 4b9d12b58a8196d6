"""One page per target and language (targets/<id>.qmd, zh/targets/<id>.qmd): the verdict first, then the
plan's words, what is measured, the chart, every figure with its source, the reasoning, the forecast, a
download and how to cite it.

The figures come from the same calls the region notebooks make (`report.region_report`), so a target's
page and its region's page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.core.labels import label, pair
from analysis.site import permalinks, region_charts, report
from analysis.site.charts import format_number
from analysis.site.display import (
    data_download,
    esc,
    figure_text,
    interval_text,
    missing,
    percent,
    status_badge,
    url_link,
)
from analysis.site.edition import Edition
from analysis.site.qmd import front_matter, h, raw


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


def figures_table(rr: report.RegionReport, indicator: str, language: str) -> str:
    frame = figures_frame(rr, indicator)
    if frame.empty:
        return f"<p>{esc(label('word_no_figures', language))}</p>"
    yes, no = label("word_yes", language), label("word_no", language)
    heads = [
        label(k, language)
        for k in ("col_year", "col_value", "col_grade", "col_used", "col_source", "col_excerpt")
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{esc(k)}">{c}</td>'  # a card on a phone: each cell says what it is
            for k, c in zip(
                heads,
                (
                    esc(r["year"]),
                    esc(figure_text(r["qualifier"], r["value"], r["unit"])),
                    esc(grade_text(grade_of(r), language)),
                    esc(yes if r.get("used", True) else no),
                    url_link(r["source_url"]),
                    f'<small lang="zh">{esc(r["excerpt"])}</small>',
                ),
                strict=True,
            )
        )
        + "</tr>"
        for r in frame.to_dict("records")
    )
    head = "".join(f"<th>{esc(x)}</th>" for x in heads)
    return (
        f'<div class="pt-table-wrap"><table class="pt-figures pt-cards"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def summary_html(row: dict, language: str) -> str:
    """The verdict first: status, P(met), latest figure and deadline, readable at a glance."""
    latest = figure_text(row["latest_qualifier"], row["latest_value"], row["unit"])
    tiles = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_p_met", language), esc(percent(row["p_met"])) or "–"),
        (label("col_latest", language), f"{esc(latest)} ({esc(row['latest_year'])})" if latest else "–"),
        (label("col_target", language), esc(report.target_text(row))),
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
        (label("col_document", language), esc(pair(plan["title_en"], plan["title_zh"], language))),
        (label("col_clause", language), esc(row["clause"])),
        (label("col_issuer", language), esc(plan["issuing_body"])),
        (label("word_statement_en", language), f'<span lang="en">{esc(row["description_en"])}</span>'),
        (label("col_note", language), esc(row["note"])),
    ]
    return quote + field_list(fields)


def measure_html(row: dict, indicator: dict, language: str) -> str:
    base = figure_text("=", row["baseline_value"], row["unit"])
    used_base = figure_text("=", row["base_value"], row["unit"])
    name = pair(indicator["name_en"], indicator["name_zh"], language)
    fields = [
        (label("col_indicator", language), esc(name)),
        (label("col_unit", language), esc(row["unit"])),
        (label("col_direction", language), esc(label(f"direction_{indicator['direction']}", language))),
        (label("col_target", language), esc(report.target_text(row))),
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


def reasoning_html(row: dict, needed: str, language: str) -> str:
    def number(key: str) -> str:
        return "" if missing(row.get(key)) else esc(format_number(float(row[key])))

    fields = [
        (label("col_status", language), status_badge(row["status"], language, single=True)),
        (label("col_status_reason", language), esc(row["reason"])),
        (label("col_gap", language), number("gap")),
        (label("word_observed_pace", language), number("observed_pace")),
        (label("word_required_pace", language), number("required_pace")),
        (label("word_ratio", language), number("pace_ratio")),
        (label("word_ratio_basis", language), esc(row.get("pace_basis"))),
        (label("col_needed", language), esc(needed)),
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
        return (
            f"<p>{esc(label('word_no_forecast', language))}"
            + (f' <span lang="en">({esc(reason)})</span>' if not missing(reason) and reason else "")
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
        (label("col_method", language), esc(row["method"])),
        (label("col_model", language), f'<span lang="en">{esc(row.get("model"))}</span>'),
        (label("word_method_reason", language), f'<span lang="en">{esc(row["method_reason"])}</span>'),
    ]
    return field_list(fields)


def target_page(
    rr: report.RegionReport, row: dict, figure, needed: str, edition: Edition, language: str
) -> str:
    """The .qmd text of one target's page."""
    source = permalinks.target_source(row["target_id"], language)
    plan = rr.plans.set_index("file").loc[row["document"]].to_dict()
    indicator = rr.indicators.set_index("indicator_id").loc[row["indicator"]].to_dict()
    title = row["description_en"] if language == "en" else row["description_zh"]
    region_name = label(f"region_{rr.region}", language)
    front = {"title": title, "subtitle": f"{region_name} · {row['target_id']}", "lang": language}
    region_link = permalinks.page_href(f"reports/{rr.region}.ipynb", source)
    back = f'<p class="pt-back"><a href="{esc(region_link)}">← {esc(region_name)}</a></p>'
    download = data_download(
        target_csv(row, figures_frame(rr, row["indicator"])), f"{row['target_id']}.csv", language
    )
    cite = edition.cite(f"“{title}” ({row['target_id']})", permalinks.output_path(source), language)
    chart = (
        figure._repr_mimebundle_()["text/html"]
        if figure is not None
        else f"<p>{esc(label('word_no_chart', language))}</p>"
    )
    parts = [
        front_matter(front),
        raw(permalinks.language_switch(source) + back + summary_html(row, language)),
        h(label("heading_plan_words", language)),
        raw(plan_words_html(row, plan, language)),
        h(label("heading_measure", language)),
        raw(measure_html(row, indicator, language)),
        h(label("heading_chart", language)),
        raw(chart),
        h(label("heading_figures", language)),
        raw(figures_table(rr, row["indicator"], language)),
        h(label("heading_reasoning", language)),
        raw(reasoning_html(row, needed, language)),
        h(label("heading_forecast", language)),
        raw(forecast_block(row, language)),
        h(label("heading_download", language)),
        raw(f"<p>{download}</p>"),
        h(label("heading_cite", language)),
        raw(f'<p class="pt-cite">{esc(cite)}</p>'),
    ]
    return "\n\n".join(parts) + "\n"


TARGET_CSV_COLUMNS = [
    *report.TARGET_CSV_COLUMNS,
    "quote",
    "description_en",
    "reason",
    "needed",
    "method_reason",
]
FIGURE_CSV_COLUMNS = ["year", "qualifier", "value", "unit", "source_url", "source_kind", "used", "excerpt"]


def target_csv(row: dict, figures: pd.DataFrame) -> pd.DataFrame:
    """One table to download: the target (one row) and below it each figure of its indicator."""
    target = pd.DataFrame([{"row_kind": "target", **{c: row.get(c) for c in TARGET_CSV_COLUMNS}}])
    keep = [c for c in FIGURE_CSV_COLUMNS if c in figures]
    shown = figures[keep].assign(row_kind="figure", target_id=row["target_id"])
    return pd.concat([target, shown], ignore_index=True)


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
        for row in frame.to_dict("records"):
            source = permalinks.target_source(row["target_id"], language)
            needed = "" if row["status"] != "not_assessable" or missing(row.get("needed")) else row["needed"]
            pages[source] = target_page(rr, row, figures.get(row["indicator"]), needed, edition, language)
    return pages
