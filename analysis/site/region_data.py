"""A region's figures, gathered once: its plans, targets, observations, statuses and forecasts up to a
year. The region page (analysis.site.report), the target pages and `plantracker status` all read them from
here, so a figure is the same wherever it is shown.

A region page is computed from its own observations and the context series (national, provincial); other
plan regions' rows are not among its inputs, which is also what `plantracker build` fingerprints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.core import vocabulary
from analysis.core.labels import check_language
from analysis.observations import conflicts
from analysis.pipeline import (
    Project,
    assess,
    check_region,
    forecast_series,
    forecast_targets,
    load_observations,
)
from analysis.site.display import missing

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
    project: Project | None = field(default=None, repr=False)  # where the figures were read
    min_grade: str | None = None  # a filtered build: sources of this grade or better only
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # the region's rows it drops


def scoped(frame: pd.DataFrame, region: str, regions: Iterable[str]) -> pd.DataFrame:
    """Rows of this region and of the context series: other plan regions' rows are not a page's input."""
    others = set(regions) - {region}
    return frame[~frame["region"].isin(others)].reset_index(drop=True)


def region_report(
    region: str,
    as_of: int,
    language: str = "en",
    extra_observations: Iterable[str] = (),
    project: Project | None = None,
    min_grade: str | None = None,
) -> RegionReport:
    """Load, resolve, assess and forecast one region; `extra_observations` are paths from the project root.

    The notebooks call this without a project (the repository, or `PLANTRACKER_ROOT`); the site's pages
    pass theirs, so every region is computed from tables read once."""
    project = project or Project.here()
    check_language(language)
    region = check_region(region, project)
    extra = [project.root / p for p in extra_observations]
    indicators = project.indicators
    targets = project.targets
    targets = targets[targets["region"] == region].reset_index(drop=True)
    loaded = load_observations(project, extra or None, min_grade)
    loaded = scoped(loaded, region, project.regions)
    left_out = left_out_rows(project, extra, min_grade, region, as_of)
    resolved = conflicts.resolve(loaded)
    own = resolved[(resolved["region"] == region) & (resolved["year"] <= as_of)]
    horizon = int(max([as_of, *targets["target_year"].tolist()]))
    registry = project.registry
    return RegionReport(
        region=region,
        as_of=as_of,
        language=language,
        plans=registry[registry["region"] == region].reset_index(drop=True),
        targets=targets,
        indicators=indicators,
        observations=loaded,
        resolved=resolved,
        status=assess(targets, indicators, resolved, as_of, project, language),
        forecasts=forecast_targets(targets, indicators, resolved, as_of, project),
        series_forecasts=forecast_series(
            own[["region", "indicator", "year", "value", "qualifier"]], horizon, indicators, project
        ),
        base_year=int(project.settings["default_base_year"]),
        bands=project.bands,
        project=project,
        min_grade=min_grade,
        left_out=left_out,
    )


def left_out_rows(
    project: Project, extra: list, min_grade: str | None, region: str, as_of: int
) -> pd.DataFrame:
    """The region's figures up to `as_of` that a filtered build leaves out (sources below `min_grade`),
    so every page can say how many (a page must not claim no figure exists when it was filtered out)."""
    if not min_grade:
        return pd.DataFrame()
    every = load_observations(project, extra or None)
    worse = every["grade"].map(vocabulary.GRADES.index) > vocabulary.GRADES.index(min_grade)
    mine = (every["region"] == region) & (every["year"] <= as_of)
    return every[worse & mine].reset_index(drop=True)


def localised(rr: RegionReport, language: str) -> RegionReport:
    """The same region in another language: the figures are the same, the reasons are written anew."""
    if language == rr.language:
        return rr
    status = assess(rr.targets, rr.indicators, rr.resolved, rr.as_of, rr.project or Project.here(), language)
    return replace(rr, language=check_language(language), status=status)


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Targets by status, every status listed (zero included) in the bands' order."""
    counts = status["status"].value_counts()
    frame = pd.DataFrame(
        {
            "status": vocabulary.STATUS_ORDER,
            "targets": [int(counts.get(s, 0)) for s in vocabulary.STATUS_ORDER],
        }
    )
    return frame.assign(share=frame["targets"] / max(int(frame["targets"].sum()), 1))


def summary_counts(frame: pd.DataFrame, overall: str = "") -> pd.DataFrame:
    """The dashboard's summary: one row for all targets (group `overall`), then one per theme in name
    order; a column of counts per status in the vocabulary's order (zeros kept, so every bar has the same
    segments) and the row's total. `frame` has a status and a theme per target (targets_frame)."""
    groups = [(overall, frame), *((str(t), g) for t, g in frame.groupby("theme", sort=True))]
    rows = []
    for name, group in groups:
        counts = group["status"].value_counts()
        row = {"group": name, **{s: int(counts.get(s, 0)) for s in vocabulary.STATUS_ORDER}}
        rows.append({**row, "total": len(group)})
    return pd.DataFrame(rows, columns=["group", *vocabulary.STATUS_ORDER, "total"])


def status_rank(status: str) -> int:
    """Where a status stands in the vocabulary's order (achieved first): the targets table's sort key."""
    return (
        vocabulary.STATUS_ORDER.index(status)
        if status in vocabulary.STATUS_ORDER
        else len(vocabulary.STATUS_ORDER)
    )


def targets_frame(rr: RegionReport) -> pd.DataFrame:
    """Catalogue, status and forecast side by side, one row per target in the catalogue's order."""
    wanted = [
        "target_id",
        "latest_value",
        "latest_year",
        "latest_qualifier",
        "latest_source_url",
        "base_value",
        "base_year",
        "gap",
        "progress_share",
        "pace_ratio",
        "pace_basis",
        "status",
        "reason",
        "measured_value",
        "measured_year",
        "measured_qualifier",
        "measured_unit",
        "decimals",
        "provisional",
        "grade",
        "needed",
        "observed_pace",
        "required_pace",
        "measure",
        "goal_comparator",
        "goal_value",
    ]
    keep = [c for c in dict.fromkeys(wanted) if c in rr.status]
    targets = rr.targets.drop(columns=[c for c in keep if c in rr.targets and c != "target_id"])
    merged = targets.merge(rr.status[keep], on="target_id", how="left", validate="one_to_one")
    merged = merged.merge(rr.forecasts, on="target_id", how="left", validate="one_to_one")
    # a deadline year that already has its figure is judged on it: no forecast, no interval of zero width
    observed = merged["measured_year"].astype("Float64").eq(merged["target_year"])
    observed = observed.fillna(False).to_numpy(bool)
    forecast_columns = [
        c for c in ("forecast_mean", "forecast_lower80", "forecast_upper80", "p_met") if c in merged
    ]
    merged.loc[observed, forecast_columns] = float("nan")
    documents = dict(zip(rr.plans["file"], rr.plans["document_id"], strict=True))
    units = dict(zip(rr.indicators["indicator_id"], rr.indicators["unit"], strict=True))
    themes = dict(zip(rr.indicators["indicator_id"], rr.indicators["theme"], strict=True))
    directions = dict(zip(rr.indicators["indicator_id"], rr.indicators["direction"], strict=True))
    merged = merged.assign(
        document_id=merged["document"].map(documents),
        indicator_unit=merged["indicator"].map(units),
        theme=merged["indicator"].map(themes),
        direction=merged["indicator"].map(directions),
    )
    return (
        honest_digits(merged, rr.resolved[rr.resolved["region"] == rr.region])
        .sort_values("row")
        .reset_index(drop=True)
    )


def honest_digits(frame: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """Each figure with the digits its inputs carry: the latest and base figures as their sources printed
    them, the measured value with the decimals the assessment worked out, a forecast and its interval no
    finer than the interval's width supports nor the data's own decimals (350 (325–382), not
    350.27 (325.15–382.28)). The rounded values are what the page and its CSV show."""
    from analysis.core.precision import decimals_of, interval_decimals

    printed = {(r["indicator"], int(r["year"])): int(r["decimals"]) for r in own.to_dict("records")}
    widest = own.groupby("indicator")["decimals"].max().to_dict() if len(own) else {}

    def digits_at(indicator: str, year, value) -> float:
        if missing(value):
            return math.nan
        return (
            printed.get((indicator, int(year)), decimals_of(float(value)))
            if not missing(year)
            else decimals_of(float(value))
        )

    records = frame.to_dict("records")
    latest = [digits_at(r["indicator"], r["latest_year"], r["latest_value"]) for r in records]
    base = [digits_at(r["indicator"], r.get("base_year"), r.get("base_value")) for r in records]
    forecast = [
        math.nan
        if missing(r.get("forecast_lower80"))
        else interval_decimals(
            float(r["forecast_lower80"]), float(r["forecast_upper80"]), int(widest.get(r["indicator"], 2))
        )
        for r in records
    ]
    out = frame.assign(latest_decimals=latest, base_decimals=base, forecast_decimals=forecast)
    for column in ("forecast_mean", "forecast_lower80", "forecast_upper80"):
        if column in out:
            out[column] = [
                v if missing(v) or missing(d) else round(float(v), int(d))
                for v, d in zip(out[column], forecast, strict=True)
            ]
    out["measured_value"] = [
        v if missing(v) or missing(d) else round(float(v), int(d))
        for v, d in zip(out["measured_value"], out["decimals"], strict=True)
    ]
    return out


TARGET_CSV_COLUMNS = [
    "target_id",
    "document_id",
    "clause",
    "indicator",
    "comparator",
    "target_value",
    "unit",
    "target_year",
    "kind",
    "latest_qualifier",
    "latest_value",
    "latest_year",
    "latest_source_url",
    "measure",
    "base_value",
    "base_year",
    "measured_value",
    "measured_year",
    "gap",
    "pace_ratio",
    "status",
    "provisional",
    "grade",
    "forecast_year",
    "forecast_mean",
    "forecast_lower80",
    "forecast_upper80",
    "p_met",
    "method",
    "model",
]
