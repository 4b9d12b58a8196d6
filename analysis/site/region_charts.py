"""A region page's charts: one per indicator of its targets that has figures, the region's own
observations beside the national series, the targets at their deadlines and the forecast fan.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.labels import label, name_in, unit_name
from analysis.site import charts, permalinks
from analysis.site.display import Note, csv_text, esc, heading
from analysis.site.figures import Figure
from analysis.site.region_data import NATIONAL_REGION, RegionReport
from analysis.site.region_words import grade_label, page_source, region_title


def charted_indicators(rr: RegionReport) -> list[str]:
    """Indicators of the region's targets with a figure of the region or a national series, in catalogue
    order."""
    usable = rr.resolved[rr.resolved["year"] <= rr.as_of]
    with_data = set(usable.loc[usable["region"].isin([rr.region, NATIONAL_REGION]), "indicator"])
    return [i for i in dict.fromkeys(rr.targets["indicator"]) if i in with_data]


def drawn_goals(status: pd.DataFrame) -> pd.DataFrame:
    """The level each target asks for, as a chart draws it: the assessment's goal where it worked one out
    (a change target needs its base for that), else the target value itself for a target of a level."""
    measure = (
        status["measure"]
        if "measure" in status
        else status["kind"].map(lambda k: "relative_change" if k == "relative_change" else "level")
    )
    own_level = status["target_value"].where(measure == "level")
    return status.assign(
        comparator=status["goal_comparator"].fillna(status["comparator"]),
        goal_value=status["goal_value"].fillna(own_level),
    )


def indicator_figure(rr: RegionReport, indicator: str) -> Figure:
    """Observations (bounds as bounds), targets at their deadlines, the forecast fan, the national series."""
    usable = rr.resolved[(rr.resolved["year"] <= rr.as_of) & (rr.resolved["indicator"] == indicator)]
    own = usable[usable["region"] == rr.region]
    targets = drawn_goals(rr.status[rr.status["indicator"] == indicator])
    fan = rr.series_forecasts[
        (rr.series_forecasts["indicator"] == indicator)
        & (rr.series_forecasts["year"] <= int(targets["target_year"].max()))
    ]
    national = usable[usable["region"] == NATIONAL_REGION]
    frame = charts.chart_frame(own, national, targets, fan)
    meta = rr.indicators.set_index("indicator_id").loc[indicator]
    name = name_in(meta["name_en"], meta["name_zh"], rr.language)
    unit = unit_name(str(meta["unit"]), rr.language)
    caption = f"{region_title(rr.region, rr.language)}: {name} ({unit})"
    if own.empty:
        caption += f" — {label('word_context_only', rr.language)}"
    here = page_source(rr)
    drawn = targets.dropna(subset=["goal_value"])["target_id"]
    links = ", ".join(permalinks.target_link(t, here) for t in drawn)
    title = esc(label("word_targets_in_chart", rr.language))
    links_html = f'<p class="pt-chart-targets">{title}: {links}</p>' if links else ""
    return charts.figure(
        frame,
        f"chart-{rr.region}-{indicator}",
        name,
        unit,
        unit,
        caption,
        rr.language,
        source=source_line(pd.concat([own, national]), rr.language),
        links_html=links_html,
        data_csv=csv_text(frame),
        files=permalinks.chart_files_href(here),
    )


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
    pairs = dict.fromkeys(
        f"{publisher(u)} ({grade_label(g, language)})"
        for u, g in zip(rows["source_url"], grades, strict=True)
    )
    return f"{label('word_source', language)}: {'; '.join(pairs)}"


def chart_section(rr: RegionReport) -> list:
    figures = [indicator_figure(rr, i) for i in charted_indicators(rr)]
    return [
        heading("heading_charts", rr.language),
        *(figures or [Note(label("word_no_charts", rr.language))]),
    ]
