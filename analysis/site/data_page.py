"""The data page (notebooks/data.ipynb): the catalogue browser and every table of the project,
each downloadable as CSV.
"""

from __future__ import annotations

from dataclasses import replace

from analysis.core.labels import label, name_in
from analysis.core.schema import SOURCED_FIGURE_COLUMNS
from analysis.site import permalinks
from analysis.site.charts import format_number
from analysis.site.display import (
    HtmlTable,
    esc,
    figure_text,
    heading,
    link,
    make_table,
    status_badge,
)
from analysis.site.display import language_switch as language_switch
from analysis.site.overview_data import Overview
from analysis.site.region_words import (
    grade_badge,
    indicator_names,
    plan_says,
    region_label,
    region_title,
    target_text,
)

CATALOGUE_CSV_COLUMNS = [
    "target_id",
    "region",
    "document_id",
    "clause",
    "indicator",
    "description_zh",
    "description_en",
    "comparator",
    "target_value",
    "unit",
    "target_year",
    "baseline_value",
    "baseline_year",
    "kind",
    "theme",
    "quote",
    "note",
    "status",
]


def catalogue_table(ov: Overview) -> HtmlTable:
    """The catalogue browser: every target of every plan, searchable, filtered by region, status, kind
    and theme."""
    themes = dict(zip(ov.indicators["indicator_id"], ov.indicators["theme"], strict=True))
    documents = dict(zip(ov.plans["file"], ov.plans["document_id"], strict=True))
    frame = ov.targets.merge(ov.status[["target_id", "status"]], on="target_id", how="left")
    frame = frame.assign(theme=frame["indicator"].map(themes), document_id=frame["document"].map(documents))
    frame = frame.sort_values(["region", "row"])
    names = indicator_names(ov.indicators, ov.language)
    records = frame.to_dict("records")
    cells = [
        [
            esc(r["target_id"]),
            esc(region_title(r["region"], ov.language)),
            esc(f"{r['document_id']} {r['clause']}"),
            plan_says(r, ov.language),
            esc(names.get(r["indicator"], r["indicator"])),
            esc(target_text(r)),
            esc(r["target_year"]),
            esc(r["kind"]),
            esc(r["theme"]),
            status_badge(r["status"], ov.language),
        ]
        for r in records
    ]
    keys = [
        [
            region_title(r["region"], ov.language),
            label(f"status_{r['status']}", ov.language),
            r["kind"],
            r["theme"],
        ]
        for r in records
    ]
    columns = [
        ("target_id", "col_target_id"),
        ("region", "col_region"),
        ("clause", "col_clause"),
        ("says", "col_plan_says"),
        ("indicator", "col_indicator"),
        ("target", "col_target"),
        ("deadline", "col_deadline"),
        ("kind", "col_kind"),
        ("theme", "col_theme"),
        ("status", "col_status"),
    ]
    return make_table(
        "catalogue-targets",
        columns,
        cells,
        frame[CATALOGUE_CSV_COLUMNS],
        ov.language,
        numeric=["deadline"],
        filters=["region", "status", "kind", "theme"],
        filter_values=keys,
        search=True,
    )


def indicators_table(ov: Overview) -> HtmlTable:
    frame = ov.indicators.sort_values("indicator_id").drop(columns="row")
    yes, no = label("word_yes", ov.language), label("word_no", ov.language)
    cells = [
        [
            esc(r["indicator_id"]),
            esc(name_in(r["name_en"], r["name_zh"], ov.language)),
            esc(r["unit"]),
            esc(label(f"direction_{r['direction']}", ov.language)),
            esc(format_number(r["lower_bound"])),
            esc(format_number(r["upper_bound"])),
            esc(r["theme"]),
            esc(yes if r["cumulative"] else no),
            esc(r["role"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("indicator_id", "col_indicator"),
        ("name", "col_name"),
        ("unit", "col_unit"),
        ("direction", "col_direction"),
        ("lower", "col_lower_bound"),
        ("upper", "col_upper_bound"),
        ("theme", "col_theme"),
        ("cumulative", "col_cumulative"),
        ("role", "col_role"),
    ]
    return make_table(
        "catalogue-indicators",
        columns,
        cells,
        frame,
        ov.language,
        numeric=["lower", "upper"],
        filters=["theme"],
        filter_values=[[t] for t in frame["theme"]],
        search=True,
    )


OBSERVATION_CSV_COLUMNS = [
    *SOURCED_FIGURE_COLUMNS,
    "source_file",
    "source_row",
    "used",
    "conflict",
    "n_sources",
    "grade",
    "grade_reason",
    "figure_grade",
]


def observations_table(ov: Overview) -> HtmlTable:
    """Every observation row of every input file, with whether it is the figure used."""
    frame = ov.observations.sort_values(["region", "indicator", "year", "source_file", "source_row"])
    frame = frame[OBSERVATION_CSV_COLUMNS]
    names = indicator_names(ov.indicators, ov.language)
    yes, no = label("word_yes", ov.language), label("word_no", ov.language)
    records = frame.to_dict("records")
    cells = [
        [
            esc(region_label(r["region"], ov.language)),
            esc(names.get(r["indicator"], r["indicator"])),
            esc(r["year"]),
            link(r["source_url"], figure_text(r["qualifier"], r["value"], r["unit"])),
            esc(r["source_kind"]),
            grade_badge(r["grade"], r["grade_reason"], "", ov.language).strip(),
            esc(yes if r["used"] else no),
            esc(yes if r["conflict"] else no),
            f"<small>{esc(r['excerpt'])}</small>",
        ]
        for r in records
    ]
    keys = [
        [
            region_label(r["region"], ov.language),
            r["source_kind"],
            label(f"grade_{r['grade']}", ov.language),
            yes if r["used"] else no,
        ]
        for r in records
    ]
    columns = [
        ("region", "col_region"),
        ("indicator", "col_indicator"),
        ("year", "col_year"),
        ("value", "col_value"),
        ("kind", "col_source_kind"),
        ("grade", "col_grade"),
        ("used", "col_used"),
        ("conflict", "col_conflict"),
        ("excerpt", "col_excerpt"),
    ]
    return make_table(
        "observations",
        columns,
        cells,
        frame,
        ov.language,
        numeric=["year"],
        filters=["region", "kind", "grade", "used"],
        filter_values=keys,
        search=True,
    )


def excluded_table(ov: Overview) -> HtmlTable:
    frame = ov.excluded
    frame = frame.drop(columns=[c for c in ("row",) if c in frame])
    cells = [
        [
            esc(r["document"]),
            esc(r["clause"]),
            esc(r["number"]),
            f'<span lang="zh">{esc(r["quote"])}</span>',
            esc(r["reason"]),
            esc(r["note"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("document", "col_document"),
        ("clause", "col_clause"),
        ("number", "col_number"),
        ("quote", "col_quote"),
        ("reason", "col_reason"),
        ("note", "col_note"),
    ]
    return make_table(
        "catalogue-excluded",
        columns,
        cells,
        frame,
        ov.language,
        filters=["reason"],
        filter_values=[[r] for r in frame["reason"]],
        search=True,
    )


def registry_table(ov: Overview) -> HtmlTable:
    frame = ov.plans.drop(columns="row").sort_values("document_id")
    cells = [
        [
            esc(r["document_id"]),
            esc(region_title(r["region"], ov.language)),
            esc(name_in(r["title_en"], r["title_zh"], ov.language)),
            esc(r["issuing_body"]),
            esc(r["horizon_year"]),
            esc(r["status"]),
            esc(r["file"]),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("document_id", "col_document"),
        ("region", "col_region"),
        ("title", "col_title"),
        ("issuer", "col_issuer"),
        ("horizon", "col_horizon"),
        ("status", "col_plan_status"),
        ("file", "col_file"),
    ]
    return make_table("catalogue-plans", columns, cells, frame, ov.language, numeric=["horizon"])


DATA_PAGE_ROWS = 250  # rows a data table shows on the page; the CSV file beside it holds them all


def data_tables(ov: Overview) -> list[tuple[str, HtmlTable]]:
    """The data page's tables (heading label, table), each downloadable as a CSV file of every row."""
    files = permalinks.downloads_href(permalinks.in_language("reports/data.ipynb", ov.language))
    tables = [
        ("heading_catalogue", catalogue_table(ov)),
        ("heading_observations", observations_table(ov)),
        ("heading_indicators", indicators_table(ov)),
        ("heading_excluded", excluded_table(ov)),
        ("heading_registry", registry_table(ov)),
    ]
    return [(key, replace(table, files=files, max_rows=DATA_PAGE_ROWS)) for key, table in tables]


def data_page(ov: Overview) -> list:
    """What the data page shows: each table under its heading."""
    return [part for key, table in data_tables(ov) for part in (heading(key, ov.language), table)]
