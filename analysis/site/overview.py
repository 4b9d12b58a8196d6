"""The overview page that sets the regions side by side: the status mix and the indicators they share.
notebooks/overview.ipynb and notebooks/data.ipynb call `overview` and display what the functions here
return; the regions' figures are gathered by analysis.site.overview_data, the data page's tables are
analysis.site.data_page's (both imported here under their own names for the notebooks).
"""

from __future__ import annotations

import pandas as pd

from analysis.core import vocabulary
from analysis.core.labels import name_in, unit_name
from analysis.site import charts, overview_charts, permalinks
from analysis.site.data_page import data_page as data_page
from analysis.site.display import (
    HtmlTable,
    csv_text,
    esc,
    heading,
    make_table,
    status_badge,
)
from analysis.site.display import language_switch as language_switch
from analysis.site.display import prose as prose
from analysis.site.figures import Figure
from analysis.site.overview_data import Overview
from analysis.site.overview_data import gather as gather
from analysis.site.region_charts import drawn_goals
from analysis.site.region_data import NATIONAL_REGION, status_counts
from analysis.site.region_words import (
    filtered_banner,
    indicator_names,
    latest_html,
    region_label,
    region_title,
    target_text,
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
    order = vocabulary.STATUS_ORDER
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
    figure = overview_charts.status_mix_figure(
        counts, vocabulary.STATUS_ORDER, ov.language, files=chart_files(ov), data_csv=csv_text(counts)
    )
    parts = [heading("heading_status_mix", ov.language), figure, status_mix_table(ov, mix)]
    return [*filtered_banner(ov.min_grade, ov.left_out, ov.language), *parts]


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
            esc(target_text(r, ov.language)),
            esc(r["target_year"]),
            latest_html(r, ov.language),
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


def shared_figures(ov: Overview) -> list[Figure]:
    """One chart per shared indicator with any observed figure: every region on one axis."""
    meta = ov.indicators.set_index("indicator_id")
    regions = [region_label(r, ov.language) for r in [*ov.regions, NATIONAL_REGION]]
    figures = []
    for indicator in shared_indicators(ov):
        frame = comparison_frame(ov, indicator)
        if not (frame["series"] != "target").any():
            continue
        m = meta.loc[indicator]
        lead = name_in(m["name_en"], m["name_zh"], ov.language)
        unit = unit_name(str(m["unit"]), ov.language)
        figures.append(
            overview_charts.comparison_figure(
                frame,
                f"chart-shared-{indicator}",
                lead,
                unit,
                unit,
                ov.language,
                regions,
                files=chart_files(ov),
                data_csv=csv_text(frame),
            )
        )
    return figures


def shared_section(ov: Overview) -> list:
    return [heading("heading_shared", ov.language), shared_table(ov), *shared_figures(ov)]
