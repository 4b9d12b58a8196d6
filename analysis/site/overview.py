"""The pages that set the regions side by side: the overview (status mix, shared indicators) and the data
page (the catalogue browser and every table, downloadable). notebooks/overview.ipynb and
notebooks/data.ipynb call `overview` and display what the functions here return.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.assessment import status as assessment
from analysis.core.labels import both, check_language, pair
from analysis.observations import conflicts
from analysis.pipeline import Project, assess, load_observations
from analysis.site import charts, permalinks
from analysis.site.charts import format_number
from analysis.site.display import (
    HtmlTable,
    csv_text,
    esc,
    figure_text,
    heading,
    link,
    make_table,
    status_badge,
)
from analysis.site.display import language_switch as language_switch
from analysis.site.display import prose as prose
from analysis.site.report import (
    NATIONAL_REGION,
    drawn_goals,
    grade_badge,
    indicator_names,
    latest_html,
    plan_says,
    region_label,
    region_title,
    status_counts,
    target_text,
)


@dataclass(frozen=True)
class Overview:
    """Every region's targets and statuses."""

    as_of: int
    language: str
    regions: list[str]
    plans: pd.DataFrame
    targets: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    resolved: pd.DataFrame
    status: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    project: Project | None = field(default=None, repr=False)  # where the figures were read


def gather(
    as_of: int, language: str = "en", project: Project | None = None, min_grade: str | None = None
) -> Overview:
    """Statuses of all targets: a status depends on its own region's series only, as on the region pages;
    with `min_grade`, from sources of that grade or better only. The notebooks call this without a
    project (the repository, or `PLANTRACKER_ROOT`); the site's pages pass theirs."""
    project = project or Project.here()
    check_language(language)
    indicators, targets = project.indicators, project.targets
    loaded = load_observations(project, min_grade=min_grade)
    resolved = conflicts.resolve(loaded)
    return Overview(
        as_of=as_of,
        language=language,
        regions=project.regions,
        plans=project.registry,
        targets=targets,
        indicators=indicators,
        observations=loaded,
        resolved=resolved,
        status=assess(targets, indicators, resolved, as_of, project, language),
        excluded=project.excluded,
        project=project,
    )


# ---------------------------------------------------------------- status mix


def chart_files(ov: Overview) -> str:
    """Where this page's chart files are, as a link from the overview page in its language."""
    return permalinks.chart_files_href(permalinks.in_language("reports/overview.ipynb", ov.language))


def status_mix(ov: Overview) -> pd.DataFrame:
    """Targets by region and status (long), every status of every region listed."""
    parts = [status_counts(ov.status[ov.status["region"] == r]).assign(region=r) for r in ov.regions]
    frame = pd.concat(parts, ignore_index=True)
    return frame.assign(region_label=[region_title(r, ov.language) for r in frame["region"]])


def status_mix_table(ov: Overview, mix: pd.DataFrame) -> HtmlTable:
    order = assessment.STATUS_ORDER
    wide = mix.pivot(index="region", columns="status", values="targets")[order].loc[ov.regions]
    wide = wide.assign(total=wide.sum(axis=1)).reset_index()
    cells = [
        [esc(region_title(r["region"], ov.language)), *(esc(int(r[s])) for s in order), esc(int(r["total"]))]
        for r in wide.to_dict("records")
    ]
    columns = [("region", "col_region"), *((s, f"status_{s}") for s in order), ("total", "status_total")]
    return make_table("overview-status-mix", columns, cells, wide, ov.language, numeric=[*order, "total"])


def status_mix_section(ov: Overview) -> list:
    mix = status_mix(ov)
    counts = mix[["region_label", "status", "targets"]]
    figure = charts.status_mix_figure(
        counts, assessment.STATUS_ORDER, ov.language, files=chart_files(ov), data_csv=csv_text(counts)
    )
    return [heading("heading_status_mix", ov.language), figure, status_mix_table(ov, mix)]


# ---------------------------------------------------------------- shared indicators


def shared_indicators(ov: Overview) -> list[str]:
    """Indicators with targets in two regions or more, in catalogue order."""
    regions_per = ov.targets.groupby("indicator")["region"].nunique()
    return [i for i in dict.fromkeys(ov.targets["indicator"]) if regions_per.get(i, 0) >= 2]


def shared_table(ov: Overview) -> HtmlTable:
    shared = shared_indicators(ov)
    keep = ["target_id", "latest_value", "latest_year", "latest_qualifier", "latest_source_url", "status"]
    frame = ov.targets[ov.targets["indicator"].isin(shared)]
    frame = frame.merge(ov.status[keep], on="target_id", how="left")
    frame = frame.assign(_order=frame["indicator"].map({ind: i for i, ind in enumerate(shared)}))
    frame = frame.sort_values(["_order", "region", "target_year", "target_id"])
    names = indicator_names(ov.indicators, ov.language)
    cells = [
        [
            esc(names.get(r["indicator"], r["indicator"])),
            esc(region_title(r["region"], ov.language)),
            esc(r["target_id"]),
            esc(target_text(r)),
            esc(r["target_year"]),
            latest_html(r),
            status_badge(r["status"], ov.language),
        ]
        for r in frame.to_dict("records")
    ]
    columns = [
        ("indicator", "col_indicator"),
        ("region", "col_region"),
        ("target_id", "col_target_id"),
        ("target", "col_target"),
        ("deadline", "col_deadline"),
        ("latest", "col_latest"),
        ("status", "col_status"),
    ]
    data = frame[
        [
            "indicator",
            "region",
            "target_id",
            "comparator",
            "target_value",
            "unit",
            "target_year",
            "latest_qualifier",
            "latest_value",
            "latest_year",
            "status",
        ]
    ]
    return make_table(
        "overview-shared",
        columns,
        cells,
        data,
        ov.language,
        numeric=["deadline"],
        filters=["indicator"],
        filter_values=[[names.get(i, i)] for i in data["indicator"]],
    )


def comparison_frame(ov: Overview, indicator: str) -> pd.DataFrame:
    """Every region's figures of one indicator (and the national series) with each region's targets."""
    usable = ov.resolved[(ov.resolved["year"] <= ov.as_of) & (ov.resolved["indicator"] == indicator)]
    usable = usable[usable["region"].isin([*ov.regions, NATIONAL_REGION])]
    rows = [
        {
            "region": r["region"],
            "series": charts.BOUND_SERIES.get(r["qualifier"], "observed"),
            "year": r["year"],
            "qualifier": r["qualifier"],
            "value": r["value"],
        }
        for r in usable.to_dict("records")
    ]
    goals = drawn_goals(ov.status[ov.status["indicator"] == indicator]).dropna(subset=["goal_value"])
    rows += [
        {
            "region": r["region"],
            "series": "target",
            "year": r["target_year"],
            "qualifier": r["comparator"],
            "value": r["goal_value"],
        }
        for r in goals.to_dict("records")
    ]
    frame = pd.DataFrame(rows, columns=["region", "series", "year", "qualifier", "value"])
    frame = frame.sort_values(["region", "series", "year", "value"], kind="stable").reset_index(drop=True)
    return frame.assign(region_label=[region_label(r, ov.language) for r in frame["region"]])


def shared_figures(ov: Overview) -> list[charts.Figure]:
    """One chart per shared indicator with any observed figure: every region on one axis."""
    meta = ov.indicators.set_index("indicator_id")
    regions = [region_label(r, ov.language) for r in [*ov.regions, NATIONAL_REGION]]
    figures = []
    for indicator in shared_indicators(ov):
        frame = comparison_frame(ov, indicator)
        if not (frame["series"] != "target").any():
            continue
        m = meta.loc[indicator]
        lead, other = (m["name_en"], m["name_zh"]) if ov.language == "en" else (m["name_zh"], m["name_en"])
        figures.append(
            charts.comparison_figure(
                frame,
                f"chart-shared-{indicator}",
                lead,
                other,
                str(m["unit"]),
                ov.language,
                regions,
                files=chart_files(ov),
                data_csv=csv_text(frame),
            )
        )
    return figures


def shared_section(ov: Overview) -> list:
    return [heading("heading_shared", ov.language), shared_table(ov), *shared_figures(ov)]


# ---------------------------------------------------------------- the data page


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
            both(f"status_{r['status']}", ov.language),
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
    yes, no = both("word_yes", ov.language), both("word_no", ov.language)
    cells = [
        [
            esc(r["indicator_id"]),
            esc(pair(r["name_en"], r["name_zh"], ov.language)),
            esc(r["unit"]),
            esc(both(f"direction_{r['direction']}", ov.language)),
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
    "region",
    "indicator",
    "year",
    "qualifier",
    "value",
    "unit",
    "source_url",
    "source_kind",
    "excerpt",
    "indicator_zh",
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
    yes, no = both("word_yes", ov.language), both("word_no", ov.language)
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
            both(f"grade_{r['grade']}", ov.language),
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
            esc(pair(r["title_en"], r["title_zh"], ov.language)),
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
