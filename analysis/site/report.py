"""A region's page: the tables, tiles and notes notebooks/region.ipynb shows, from the region's figures
gathered once by `region_report` (analysis.site.region_data); its charts are drawn by
analysis.site.region_charts and its figures worded by analysis.site.region_words.

The notebook calls `report.region_report`, `report.chart_section` … and displays what they return; the
names it and the site's pages use from those modules are imported here under their own names.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.core import vocabulary
from analysis.core.labels import label, name_in, sentence
from analysis.observations import conflicts
from analysis.site import permalinks
from analysis.site.display import (
    Html,
    HtmlTable,
    Note,
    esc,
    figure_text,
    heading,
    link,
    make_table,
    marked,
    percent,
    status_badge,
    url_link,
)
from analysis.site.display import language_switch as language_switch
from analysis.site.display import prose as prose
from analysis.site.forecast_words import conflict_text
from analysis.site.region_charts import chart_section as chart_section
from analysis.site.region_charts import charted_indicators
from analysis.site.region_data import (
    NATIONAL_REGION,
    TARGET_CSV_COLUMNS,
    RegionReport,
    status_counts,
    status_rank,
    summary_counts,
    targets_frame,
)
from analysis.site.region_data import honest_digits as honest_digits
from analysis.site.region_data import localised as localised
from analysis.site.region_data import region_report as region_report
from analysis.site.region_data import scoped as scoped
from analysis.site.region_words import (
    grade_badge,
    grade_reason_note,
    indicator_names,
    issuer_text,
    latest_cell,
    page_source,
    plan_status_text,
    region_label,
    sources_note,
    target_name,
    target_text,
    theme_label,
)

# ---------------------------------------------------------------- the plans and the headline


def plans_table(rr: RegionReport) -> HtmlTable:
    counts = rr.targets["document"].value_counts()
    frame = rr.plans.assign(n_targets=[int(counts.get(f, 0)) for f in rr.plans["file"]])
    frame = frame.sort_values("document_id")[
        ["document_id", "title_zh", "title_en", "issuing_body", "horizon_year", "status", "n_targets", "file"]
    ]
    cells = [
        [
            esc(r["document_id"]),
            esc(name_in(r["title_en"], r["title_zh"], rr.language)),
            esc(issuer_text(r["issuing_body"], rr.language)),
            esc(r["horizon_year"]),
            esc(plan_status_text(r["status"], rr.language)),
            esc(r["n_targets"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("document_id", "col_document"),
        ("title", "col_title"),
        ("issuer", "col_issuer"),
        ("horizon", "col_horizon"),
        ("status", "col_plan_status"),
        ("n_targets", "col_n_targets"),
    ]
    return make_table(
        f"{rr.region}-plans", columns, cells, frame, rr.language, numeric=["horizon", "n_targets"]
    )


def headline_table(rr: RegionReport) -> HtmlTable:
    frame = status_counts(rr.status)
    cells = [
        [status_badge(r["status"], rr.language), esc(r["targets"]), esc(percent(r["share"]))]
        for r in frame.to_dict("records")
    ]
    cells.append([esc(label("status_total", rr.language)), esc(int(frame["targets"].sum())), "100 %"])
    columns = [("status", "col_status"), ("count", "col_n_targets"), ("share", "col_share")]
    return make_table(
        f"{rr.region}-status-counts", columns, cells, frame, rr.language, numeric=["count", "share"]
    )


def headline_note(rr: RegionReport) -> Note:
    counts = status_counts(rr.status).set_index("status")["targets"]
    assessed = int(counts.sum() - counts.get(vocabulary.NOT_ASSESSABLE, 0))
    n_targets, n_plans = len(rr.targets), len(rr.plans)
    key = "page_headline_one_plan" if n_plans == 1 else "page_headline"
    return Note(
        sentence(key, rr.language, n_targets=n_targets, n_plans=n_plans, assessed=assessed, as_of=rr.as_of)
        + (f" {sources_note(rr.min_grade, len(rr.left_out), rr.language)}." if rr.min_grade else "")
    )


def status_legend(rr: RegionReport) -> HtmlTable:
    """What each status means: the bands' meanings from data/progress_bands.csv (the bands are data, not
    code; meaning_zh is their Chinese), the other statuses' from the label table."""

    def bound(value: float) -> str:
        return "" if math.isinf(value) else f"{round(value * 100):d} %"

    def meaning(band: dict) -> str:
        own = band.get("meaning_zh") if rr.language == "zh" else band["meaning"]
        return sentence("page_band_meaning", rr.language, meaning=own or band["meaning"])

    language = rr.language
    rows = [(vocabulary.ACHIEVED, "", "", label("meaning_achieved", language))]
    rows += [
        (r["status"], bound(r["ratio_min"]), bound(r["ratio_max"]), meaning(r))
        for r in rr.bands.to_dict("records")
    ]
    rows.append((vocabulary.MISSED, "", "", label("meaning_missed", language)))
    rows.append((vocabulary.NOT_ASSESSABLE, "", "", label("meaning_not_assessable", language)))
    frame = pd.DataFrame(rows, columns=["status", "ratio_from", "ratio_below", "meaning"])
    cells = [
        [
            status_badge(r["status"], rr.language),
            esc(r["ratio_from"]),
            esc(r["ratio_below"]),
            esc(r["meaning"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("status", "col_status"),
        ("from", "col_ratio_from"),
        ("below", "col_ratio_below"),
        ("meaning", "col_meaning"),
    ]
    return make_table(
        f"{rr.region}-status-legend", columns, cells, frame, rr.language, numeric=["from", "below"]
    )


# ---------------------------------------------------------------- every target


def targets_table(rr: RegionReport) -> HtmlTable:
    """Every target of the region, compact: what it is (linked to its own page), deadline, latest figure
    with its grade, status and P(met). The full record of each target is on its page; the CSV has all
    columns."""
    frame = targets_frame(rr)
    here = page_source(rr)
    records = frame.to_dict("records")
    cells = [
        [
            f"{permalinks.target_link(r['target_id'], here, target_name(r, rr.language))}<br>"
            f"<small>{esc(r['document_id'])} {marked(r['clause'])} · "
            f"{esc(target_text(r, rr.language))}</small>",
            esc(r["target_year"]),
            latest_cell(r, rr.language),
            status_badge(r["status"], rr.language, single=True) + print_reason(r),
            esc(percent(r["p_met"])) or "–",
        ]
        for r in records
    ]
    columns = [
        ("target", "col_target"),
        ("deadline", "col_deadline"),
        ("latest", "col_latest"),
        ("status", "col_status"),
        ("p_met", "col_p_met"),
    ]
    keys = [
        [
            label(f"status_{r['status']}", rr.language),
            str(r["document_id"]),
            theme_label(str(r["theme"]), rr.language),
        ]
        for r in records
    ]
    columns_csv = [c for c in TARGET_CSV_COLUMNS if c in frame]
    filtered = sources_note(rr.min_grade, len(rr.left_out), rr.language)  # a filtered CSV says so
    # what the sort buttons and the toggle read (table-filter.js): rank in the vocabulary, deadline year
    row_data = [
        {
            "target": str(r["target_id"]),
            "status": str(r["status"]),
            "sort-status": str(status_rank(str(r["status"]))),
            "sort-deadline": "" if pd.isna(r["target_year"]) else str(int(r["target_year"])),
        }
        for r in records
    ]
    sorts = [(k, label(f"col_{k}", rr.language)) for k in ("status", "deadline")]
    hide = ("status", vocabulary.NOT_ASSESSABLE, label("word_hide_unassessable", rr.language))
    return make_table(
        f"{rr.region}-targets",
        columns,
        cells,
        frame[columns_csv].assign(sources=filtered) if filtered else frame[columns_csv],
        rr.language,
        numeric=["deadline", "p_met"],
        filters=["status", "plan", "theme"],
        filter_values=keys,
        search=True,
        cards=True,
        filter_labels={"plan": "col_document", "theme": "col_theme"},
        row_data=row_data,
        sorts=sorts,
        hide=hide,
    )


def print_reason(row: dict) -> str:
    """A judged status's reason, printed (PDFs) under it; the screen shows it on the target's page, and
    the reasons of the targets not assessable are in the list of targets without data."""
    if row["status"] == vocabulary.NOT_ASSESSABLE or not esc(row["reason"]):
        return ""
    return f'<small class="pt-print-only pt-reason">{esc(row["reason"])}</small>'


# ---------------------------------------------------------------- the dashboard tiles


def status_chips(statuses: pd.Series, language: str) -> str:
    counts = statuses.value_counts()
    return "".join(
        f'<span class="pt-status pt-status-{esc(s)}">{esc(label(f"status_{s}", language))} '
        f"{int(counts[s])}</span> "
        for s in vocabulary.STATUS_ORDER
        if counts.get(s, 0)
    )


def tile(title: str, statuses: pd.Series, language: str, href: str | None = None) -> str:
    name = f'<a href="{esc(href)}">{esc(title)}</a>' if href else esc(title)
    return (
        f'<div class="pt-tile"><span class="pt-tile-label">{name}</span>'
        f'<span class="pt-tile-value">{len(statuses)} {esc(label("word_targets", language))}</span>'
        f'<span class="pt-tile-chips">{status_chips(statuses, language)}</span></div>'
    )


def status_bar(row: dict, language: str) -> str:
    """One bar split by status in the vocabulary's order, each part as wide as its share of the row's
    targets; decorative (the figures are written beside it), so screen readers skip it."""
    total = max(int(row["total"]), 1)
    parts = "".join(
        f'<span class="pt-bar-part pt-status-{esc(s)}" style="width:{100 * int(row[s]) / total:.2f}%" '
        f'title="{esc(label(f"status_{s}", language))}: {int(row[s])}"></span>'
        for s in vocabulary.STATUS_ORDER
        if int(row[s])
    )
    return f'<span class="pt-bar" aria-hidden="true">{parts}</span>'


def summary_row(row: dict, language: str, overall: bool = False) -> str:
    """A group's name and number of targets, its bar, and the count of each status present, as text."""
    figures = "".join(
        f'<span class="pt-status pt-status-{esc(s)}">{esc(label(f"status_{s}", language))} '
        f"{int(row[s])}</span> "
        for s in vocabulary.STATUS_ORDER
        if int(row[s])
    )
    kind = " pt-summary-overall" if overall else ""
    return (
        f'<div class="pt-summary-row{kind}"><span class="pt-summary-name">{esc(row["group"])} '
        f"<b>{int(row['total'])}</b></span>{status_bar(row, language)}"
        f'<span class="pt-summary-figures">{figures}</span></div>'
    )


def status_tiles(rr: RegionReport) -> Html:
    """The region at a glance: a bar of its targets by status, one per theme under it (bars of one length
    for every group, so a theme's mix compares with the whole), then one tile per plan."""
    frame = targets_frame(rr)
    counts = summary_counts(frame, label("status_total", rr.language)).to_dict("records")
    overall, themes = counts[0], counts[1:]
    plans = rr.plans.sort_values("document_id").to_dict("records")
    by_plan = "".join(
        tile(
            f"{p['document_id']} · {name_in(p['title_en'], p['title_zh'], rr.language)}",
            frame.loc[frame["document"] == p["file"], "status"],
            rr.language,
        )
        for p in plans
    )
    by_theme = "".join(
        summary_row({**row, "group": theme_label(row["group"], rr.language)}, rr.language) for row in themes
    )
    parts = [
        f'<div class="pt-summary">{summary_row(overall, rr.language, overall=True)}</div>',
        f'<h3>{esc(label("word_by_theme", rr.language))}</h3><div class="pt-summary">{by_theme}</div>',
        f'<h3>{esc(label("word_by_plan", rr.language))}</h3><div class="pt-tiles">{by_plan}</div>',
    ]
    text = "; ".join(f"{s}: {int(overall[s])}" for s in vocabulary.STATUS_ORDER)
    text += "\n" + "\n".join(
        f"{row['group']}: " + ", ".join(f"{s} {int(row[s])}" for s in vocabulary.STATUS_ORDER if int(row[s]))
        for row in themes
    )
    return Html("\n".join(parts), text)


# ---------------------------------------------------------------- targets without data


def missing_table(rr: RegionReport) -> HtmlTable:
    frame = targets_frame(rr)
    frame = frame[frame["status"] == vocabulary.NOT_ASSESSABLE]
    names = indicator_names(rr.indicators, rr.language)
    cells = [
        [
            esc(r["target_id"]),
            esc(names.get(r["indicator"], r["indicator"])),
            esc(target_text(r, rr.language)),
            esc(r["target_year"]),
            marked(r["reason"]),
            marked(r["needed"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("target_id", "col_target_id"),
        ("indicator", "col_indicator"),
        ("target", "col_target"),
        ("deadline", "col_deadline"),
        ("reason", "col_status_reason"),
        ("needed", "col_needed"),
    ]
    data = frame[["target_id", "indicator", "unit", "target_year", "reason", "needed"]]
    return make_table(
        f"{rr.region}-without-data", columns, cells, data, rr.language, numeric=["deadline"], search=True
    )


def missing_section(rr: RegionReport) -> list:
    """How many targets wait for a figure, a link to the data gaps page, and the list folded away."""
    table = missing_table(rr)
    if not table.cells:
        return [heading("heading_missing", rr.language), Note(label("word_no_missing", rr.language))]
    gaps = esc(permalinks.page_href("gaps.qmd", page_source(rr)))
    text = label("word_missing_summary", rr.language).format(n=len(table.cells))
    summary = (
        f'<p>{esc(text)} <a href="{gaps}">{esc(label("heading_gaps", rr.language))}</a></p>'
        f'<details class="pt-fold"><summary>{esc(label("word_show_list", rr.language))}</summary>'
        f"{table.to_html()}</details>"
    )
    return [heading("heading_missing", rr.language), Html(summary, table.csv())]


# ---------------------------------------------------------------- sources and conflicts


def sources_table(rr: RegionReport) -> HtmlTable:
    """The pages the figures were read from: the region's, and the national series charted here, each with
    its grade (the seed's own kind of source is a first guess the grades replace, so it is not shown)."""
    charted = charted_indicators(rr)
    resolved = rr.resolved[rr.resolved["year"] <= rr.as_of]
    used = resolved[
        (resolved["region"] == rr.region)
        | ((resolved["region"] == NATIONAL_REGION) & resolved["indicator"].isin(charted))
    ]
    grouped = (
        used.groupby(["region", "source_url", "grade", "grade_reason"], as_index=False)
        .agg(
            figures=("value", "size"),
            indicators=("indicator", lambda s: ", ".join(sorted(set(s)))),
            years=("year", lambda s: ", ".join(str(y) for y in sorted(set(s)))),
        )
        .sort_values(["region", "source_url"])
    )
    cells = [
        [
            url_link(r["source_url"]),
            grade_badge(r["grade"], r["grade_reason"], "", rr.language).strip()
            + grade_reason_note(r, rr.language),
            esc(region_label(r["region"], rr.language)),
            ", ".join(f"<code>{esc(i)}</code>" for i in str(r["indicators"]).split(", ")),  # ids
            esc(r["years"]),
            esc(r["figures"]),
        ]
        for r in grouped.to_dict("records")
    ]
    columns = [
        ("source", "col_source"),
        ("grade", "col_grade"),
        ("region", "col_region"),
        ("indicator", "col_indicator"),
        ("year", "col_year"),
        ("figures", "col_n_figures"),
    ]
    return make_table(f"{rr.region}-sources", columns, cells, grouped, rr.language, numeric=["figures"])


def conflicts_table(rr: RegionReport) -> HtmlTable:
    """Figures on which sources disagree, for the region and the national series charted here."""
    pairs = conflicts.conflicts(rr.observations)
    pairs = pairs[
        (pairs["region"] == rr.region)
        | ((pairs["region"] == NATIONAL_REGION) & pairs["indicator"].isin(charted_indicators(rr)))
    ]
    pairs = pairs.sort_values(["region", "indicator", "year", "other_value"])
    names = indicator_names(rr.indicators, rr.language)
    cells = [
        [
            esc(region_label(r["region"], rr.language)),
            esc(names.get(r["indicator"], r["indicator"])),
            esc(r["year"]),
            link(
                r["used_source_url"], figure_text(r["used_qualifier"], r["used_value"], language=rr.language)
            ),
            link(
                r["other_source_url"],
                figure_text(r["other_qualifier"], r["other_value"], language=rr.language),
            ),
            esc(conflict_text(r["reason"], rr.language)),
        ]
        for r in pairs.to_dict("records")
    ]
    columns = [
        ("region", "col_region"),
        ("indicator", "col_indicator"),
        ("year", "col_year"),
        ("used", "col_used_value"),
        ("other", "col_other_value"),
        ("reason", "col_reason"),
    ]
    data = pairs[
        [
            "region",
            "indicator",
            "year",
            "used_qualifier",
            "used_value",
            "used_source_url",
            "other_qualifier",
            "other_value",
            "other_source_url",
            "reason",
        ]
    ]
    return make_table(f"{rr.region}-conflicts", columns, cells, data, rr.language, numeric=["year"])


def conflicts_section(rr: RegionReport) -> list:
    table = conflicts_table(rr)
    return [
        heading("heading_conflicts", rr.language),
        table if table.cells else Note(label("word_no_conflicts", rr.language)),
    ]


def cite_section(rr: RegionReport) -> list:
    """How to cite this region report: its BibTeX and RIS records (written by the build beside the pages,
    with the page's absolute URL and the edition's date)."""
    links = permalinks.cite_links(permalinks.region_cite_name(rr.region), page_source(rr), rr.language)
    return [heading("heading_cite_report", rr.language), Html(links, "BibTeX · RIS")]


def grade_legend(rr: RegionReport) -> Html:
    """What each grade badge and the provisional badge beside a figure mean (the rules are in
    data/source_grades.csv and Methods)."""
    items = [
        (grade_badge(g, "", "", rr.language).strip(), label(f"grade_meaning_{g}", rr.language))
        for g in vocabulary.GRADES
    ]
    provisional = f'<span class="pt-provisional">{esc(label("word_provisional", rr.language))}</span>'
    items.append((provisional, label("grade_meaning_provisional", rr.language)))
    body = "".join(f"<div><dt>{badge}</dt><dd>{esc(meaning)}</dd></div>" for badge, meaning in items)
    title = esc(label("legend_grades", rr.language))
    text = "; ".join(f"{g}: {label(f'grade_meaning_{g}', rr.language)}" for g in vocabulary.GRADES)
    return Html(
        f'<p class="pt-legend-title">{title}</p><dl class="pt-fields pt-grade-legend">{body}</dl>', text
    )
