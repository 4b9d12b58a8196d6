"""The data page (notebooks/data.ipynb): the catalogue browser and every table of the project,
each downloadable as CSV.
"""

from __future__ import annotations

from dataclasses import replace

from analysis.core.labels import label, label_or, name_in, unit_name
from analysis.core.schema import SOURCED_FIGURE_COLUMNS
from analysis.site import permalinks
from analysis.site.charts import format_number
from analysis.site.display import (
    HtmlTable,
    Note,
    esc,
    figure_text,
    heading,
    link,
    make_table,
    marked,
    status_badge,
)
from analysis.site.display import language_switch as language_switch
from analysis.site.overview_data import Overview
from analysis.site.region_words import (
    filtered_banner,
    grade_badge,
    indicator_names,
    issuer_text,
    plan_says,
    plan_status_text,
    region_label,
    region_title,
    source_kind_label,
    target_text,
    theme_label,
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
            f"{esc(r['document_id'])} {marked(r['clause'])}",
            plan_says(r, ov.language),
            esc(names.get(r["indicator"], r["indicator"])),
            esc(target_text(r, ov.language)),
            esc(r["target_year"]),
            esc(word("kind", r["kind"], ov.language)),
            esc(theme_label(r["theme"], ov.language)),
            status_badge(r["status"], ov.language),
        ]
        for r in records
    ]
    keys = [
        [
            region_title(r["region"], ov.language),
            label(f"status_{r['status']}", ov.language),
            word("kind", r["kind"], ov.language),
            theme_label(r["theme"], ov.language),
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
            f"<code>{esc(r['indicator_id'])}</code>",
            esc(name_in(r["name_en"], r["name_zh"], ov.language)),
            esc(unit_name(r["unit"], ov.language)),
            esc(label(f"direction_{r['direction']}", ov.language)),
            esc(format_number(r["lower_bound"])),
            esc(format_number(r["upper_bound"])),
            esc(theme_label(r["theme"], ov.language)),
            esc(yes if r["cumulative"] else no),
            esc(word("role", r["role"], ov.language)),
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
        filter_values=[[theme_label(t, ov.language)] for t in frame["theme"]],
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
            link(r["source_url"], figure_text(r["qualifier"], r["value"], r["unit"], language=ov.language)),
            esc(source_kind_label(r["source_kind"], ov.language)),
            grade_badge(r["grade"], r["grade_reason"], "", ov.language).strip(),
            esc(yes if r["used"] else no),
            esc(yes if r["conflict"] else no),
            f'<small class="pt-excerpt">{esc(r["excerpt"])}</small>',  # verbatim, as the source printed it
        ]
        for r in records
    ]
    keys = [
        [
            region_label(r["region"], ov.language),
            source_kind_label(r["source_kind"], ov.language),
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
    """The numbers of the plans that are not targets, and why. The analysts' notes are in English only, so
    a Chinese page leaves them to the download (excluded_note says so)."""
    frame = ov.excluded
    frame = frame.drop(columns=[c for c in ("row",) if c in frame])
    english = ov.language == "en"
    cells = [
        [
            esc(r["document"]),
            marked(r["clause"]),
            marked(r["number"]),  # as the plan prints it
            f'<span class="pt-quote" lang="zh">{esc(r["quote"])}</span>',
            esc(word("excluded", r["reason"], ov.language)),
            *([marked(r["note"])] if english else []),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("document", "col_document"),
        ("clause", "col_clause"),
        ("number", "col_number"),
        ("quote", "col_quote"),
        ("reason", "col_reason"),
        *([("note", "col_note")] if english else []),
    ]
    return make_table(
        "catalogue-excluded",
        columns,
        cells,
        frame,
        ov.language,
        filters=["reason"],
        filter_values=[[word("excluded", r, ov.language)] for r in frame["reason"]],
        search=True,
    )


def registry_table(ov: Overview) -> HtmlTable:
    frame = ov.plans.drop(columns="row").sort_values("document_id")
    cells = [
        [
            esc(r["document_id"]),
            esc(region_title(r["region"], ov.language)),
            esc(name_in(r["title_en"], r["title_zh"], ov.language)),
            esc(issuer_text(r["issuing_body"], ov.language)),
            esc(r["horizon_year"]),
            esc(plan_status_text(r["status"], ov.language)),
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
    parts = []
    for key, table in data_tables(ov):
        parts.append(heading(key, ov.language))
        if key == "heading_excluded" and ov.language != "en":
            parts.append(Note(label("word_notes_in_download", ov.language)))
        parts.append(table)
    return [*filtered_banner(ov.min_grade, ov.left_out, ov.language), *parts]


def word(kind: str, value, language: str) -> str:
    """A value of a closed list (a target's kind, an indicator's role, why a number is excluded) in words;
    a value the label table does not know is shown as written."""
    return label_or(f"{kind}_{value}", language, str(value))
