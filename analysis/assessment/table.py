"""The assessment table: one row per target, where it stands as of a year and why.

Each target goes the same way: its figures (analysis.assessment.quantity) become the quantity its
measure promises; the components of its progress are worked out once as one record
(analysis.assessment.progress); a pure mapping reads the status off that record
(analysis.assessment.status); the reason is written from the record (analysis.assessment.explanation).
methods.qmd explains every rule for a reader.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.assessment.explanation import why, why_not
from analysis.assessment.goal import gap
from analysis.assessment.progress import Progress, measure_progress
from analysis.assessment.quantity import (
    CHANGE,
    LEVEL,
    Quantity,
    SourceFigure,
    TargetContext,
    as_float,
    as_int,
    figures_of,
    measure_of,
    quantity_of,
    with_defaults,
)
from analysis.assessment.reasons import Words, indicator_name, join, region_name, say, where_published
from analysis.assessment.status import Verdict, verdict_of
from analysis.core.labels import label
from analysis.core.vocabulary import ACHIEVED, GRADES, MISSED, NOT_ASSESSABLE, PROVISIONAL_GRADES

# What a judged row repeats of its target, first columns first.
TARGET_FIELDS = [
    "target_id",
    "region",
    "indicator",
    "target_year",
    "comparator",
    "target_value",
    "unit",
    "kind",
]
COLUMNS = [
    *TARGET_FIELDS,
    "measure",
    "base_year",
    "base_value",
    "measured_value",
    "measured_qualifier",
    "measured_year",
    "measured_unit",
    "decimals",
    "latest_value",
    "latest_year",
    "latest_qualifier",
    "latest_source_url",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "pace_ratio",
    "pace_basis",
    "status",
    "provisional",
    "grade",
    "reason",
    "needed",
    "goal_comparator",
    "goal_value",
]
NUMERIC = [
    "target_value",
    "base_value",
    "measured_value",
    "latest_value",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "pace_ratio",
    "goal_value",
]


# --- one row ----------------------------------------------------------------------------------------


def empty_row(target: dict, measure: str) -> dict:
    row = {c: target.get(c) for c in TARGET_FIELDS}
    return row | {
        "measure": measure,
        "base_year": as_int(target.get("base_year")),
        "status": NOT_ASSESSABLE,
        "provisional": False,
        "grade": "",
        "reason": "",
        "needed": "",
    }


def not_assessable(
    row: dict, ctx: TargetContext, reason: str, needed: str, publications: pd.DataFrame | None
) -> dict:
    """A row that cannot be judged: the reason, the figure that would decide it and where such figures
    are usually published."""
    w = ctx.words
    parts = [reason]
    if needed:
        parts.append(say("needed", w.language, needed=needed))
        where = where_published(publications, ctx.indicator, w.language)
        if where:
            parts.append(say("published", w.language, where=where))
    return row | {"status": NOT_ASSESSABLE, "reason": join(parts, w.language), "needed": needed}


def judged(status: str, sentence: str, grade: str, q: Quantity, w: Words) -> dict:
    """The status columns of a judged row; provisional when its figures rest only on weak sources."""
    provisional = grade in PROVISIONAL_GRADES
    parts = [sentence, *q.notes]
    if provisional:
        parts.append(say("provisional", w.language, grade=w.grade(grade)))
    return {
        "status": status,
        "reason": join(parts, w.language),
        "provisional": provisional,
        "grade": grade,
        "needed": "",
    }


def measured_columns(progress: Progress) -> dict:
    """The latest figure of the promised quantity, the one the status is judged on."""
    latest = progress.latest
    if latest is None:
        return {}
    return {
        "measured_value": latest.value,
        "measured_year": latest.year,
        "measured_qualifier": latest.qualifier,
        "decimals": latest.decimals,
        "gap": gap(progress.quantity, latest.value),
    }


def pace_columns(progress: Progress, verdict: Verdict) -> dict:
    """The pace beside a status read off it, and a level's base; a met target has no R to rank."""
    if not verdict.on_pace:
        return {}
    columns = progress.pace.columns() if progress.pace is not None else {}
    if progress.pace is not None and progress.quantity.pace == LEVEL:
        columns |= {"base_value": progress.start.value, "base_year": progress.start.year}
    if verdict.status == ACHIEVED:
        columns |= {"pace_ratio": math.nan, "pace_basis": ""}
    return columns


def grade_of(progress: Progress, verdict: Verdict) -> str:
    """The weakest source the status rests on: the latest figure alone when the target is met or missed
    on it, the latest figure and its base when judged on the pace."""
    if verdict.case == "missed_cumulative":
        return progress.after_deadline_grade
    if verdict.on_pace and verdict.status not in (ACHIEVED, MISSED) and progress.pace_grade:
        return progress.pace_grade
    return progress.latest_grade


def judge(
    q: Quantity, ctx: TargetContext, bands: pd.DataFrame, publications: pd.DataFrame | None, row: dict
) -> dict:
    """The row of a target whose quantity could be worked out: its progress, status and reason."""
    progress = measure_progress(q, ctx)
    verdict = verdict_of(progress, bands)
    columns = measured_columns(progress) | pace_columns(progress, verdict)
    if verdict.status == NOT_ASSESSABLE:
        reason, needed = why_not(progress, verdict, ctx)
        return columns | not_assessable(
            row, ctx, join([reason, *q.notes], ctx.words.language), needed, publications
        )
    sentence = why(progress, verdict, ctx)
    return row | columns | judged(verdict.status, sentence, grade_of(progress, verdict), q, ctx.words)


def assess_target(
    target: dict,
    series: pd.DataFrame,
    indicator: dict | None,
    as_of: int,
    bands: pd.DataFrame,
    settings: dict[str, float],
    words: Words,
    publications: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    coverage_indicator: dict | None = None,
    coverage_name: str = "",
) -> dict:
    """One target's status, the quantity it rests on and the sentence that explains it; the best-graded
    figures that settle it decide it (decided_by_better)."""
    measure = measure_of(target)
    row = empty_row(target, measure)
    cover = figures_of(coverage, coverage_indicator) if coverage is not None and len(coverage) else None
    ctx = TargetContext(target, indicator, words, as_of, settings, cover, coverage_name)
    if math.isnan(as_float(target.get("target_value"))):
        return not_assessable(row, ctx, say("qualitative", words.language), "", publications)
    figures = [f for f in figures_of(series, indicator) if f.year <= as_of]
    everything = assess_figures(row, ctx, figures, bands, publications)
    better = decided_by_better(everything, row, ctx, figures, bands, publications)
    return better if better is not None else everything


def assess_figures(
    row: dict,
    ctx: TargetContext,
    figures: list[SourceFigure],
    bands: pd.DataFrame,
    publications: pd.DataFrame | None,
) -> dict:
    """The row judged on these figures (all of them, or those of one grade or better)."""
    row = dict(row)
    if figures:
        last = figures[-1]
        row.update(
            latest_value=last.value,
            latest_year=last.year,
            latest_qualifier=last.qualifier,
            latest_source_url=last.source_url,
        )
    q = quantity_of(ctx, figures)
    row.update(
        base_value=q.base_value if not math.isnan(q.base_value) else math.nan,
        goal_comparator=str(ctx.target["comparator"]) if not math.isnan(q.level_goal) else None,
        goal_value=q.level_goal,
        measured_unit=q.unit,
    )
    if (
        q.base_year is not None
    ):  # the year of the base figure used (the nearest one when it is not the plan's)
        row["base_year"] = q.start.year if q.pace == CHANGE and q.start is not None else q.base_year
    if q.reason:
        return not_assessable(
            row, ctx, join([q.reason, *q.notes], ctx.words.language), q.needed, publications
        )
    return row | judge(q, ctx, bands, publications, row)


def decided_by_better(
    everything: dict,
    row: dict,
    ctx: TargetContext,
    figures: list[SourceFigure],
    bands: pd.DataFrame,
    publications: pd.DataFrame | None,
) -> dict | None:
    """The row judged on the best-graded figures alone, when they settle the target (achieved or missed)
    and the judgement on every figure rests on a lower grade or on none: a status never rests on a weaker
    source than one that decides it (an earlier official figure that already meets a level target beats a
    later unverified one). None when no better grade settles it."""
    rests_on = everything.get("grade")
    worst = GRADES.index(rests_on) if rests_on in GRADES else len(GRADES)
    for tier in range(worst):
        kept = [f for f in figures if f.grade in GRADES[: tier + 1]]
        if not kept or len(kept) == len(figures):
            continue
        better = assess_figures(row, ctx, kept, bands, publications)
        if better["status"] in (ACHIEVED, MISSED):
            left = [f for f in figures if f not in kept]
            return better | {
                "reason": join(
                    [better["reason"], left_aside(left, GRADES[tier], ctx.words)], ctx.words.language
                )
            }
    return None


def left_aside(left: list[SourceFigure], grade: str, w: Words) -> str:
    """The sentence that names the lower-graded figures a status does not rest on."""
    zh = w.language == "zh"
    shown = ("、" if zh else "; ").join(
        f"{f.year}年{w.figure(f.value, f.decimals, f.qualifier)}（{w.grade(f.grade) or '?'}）"
        if zh
        else f"{w.figure(f.value, f.decimals, f.qualifier)} ({f.year}, {w.grade(f.grade) or '?'})"
        for f in left
    )
    return label("reason_better_grade_decides", w.language).format(grade=w.grade(grade), figures=shown)


# --- all targets ------------------------------------------------------------------------------------


def series_by_key(observations: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """Each region's series of each indicator, in year order."""
    ordered = with_defaults(observations).sort_values(["region", "indicator", "year"], kind="stable")
    return {
        key: group.reset_index(drop=True)
        for key, group in ordered.groupby(["region", "indicator"], sort=False)
    }


def quantity_unit(target: dict, indicator: dict | None) -> str:
    """The unit of the promised quantity: points for an increase of a percentage, % for a relative change."""
    unit = target.get("unit") or (indicator or {}).get("unit") or ""
    if measure_of(target) == "increase" and (indicator or {}).get("unit") == "%":
        return "percentage points"
    if measure_of(target) == "relative_change":
        return "%"
    return unit


def assess(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    resolved_observations: pd.DataFrame,
    as_of: int,
    bands: pd.DataFrame,
    settings: dict[str, float],
    publications: pd.DataFrame | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """One row per target: where it stands as of `as_of` (observations after that year are ignored).

    `bands`, `settings` and `publications` as analysis.io.readers.settings reads them
    (data/progress_bands.csv, data/assessment_settings.csv, data/publication_sources.csv)."""
    by_key = series_by_key(resolved_observations)
    by_indicator = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    empty = with_defaults(resolved_observations).iloc[0:0]
    rows = []
    for t in targets.to_dict("records"):
        indicator = by_indicator.get(t["indicator"])
        cover_id = str((indicator or {}).get("coverage_indicator") or "").strip()
        cover_ind = by_indicator.get(cover_id)
        level_unit = (indicator or {}).get("unit") or t.get("unit") or ""
        words = Words(
            language,
            indicator_name(indicator, t["indicator"], language),
            region_name(t["region"], language),
            str(level_unit),
        )
        rows.append(
            assess_target(
                {**t, "unit": quantity_unit(t, indicator)},
                by_key.get((t["region"], t["indicator"]), empty),
                indicator,
                as_of,
                bands,
                settings,
                words,
                publications,
                by_key.get((t["region"], cover_id)) if cover_id else None,
                cover_ind,
                indicator_name(cover_ind, cover_id, language),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["provisional"] = frame["provisional"].fillna(False).astype(bool)
    return frame.astype({c: "float64" for c in NUMERIC}).astype(
        {"latest_year": "Int64", "base_year": "Int64", "measured_year": "Int64", "decimals": "Int64"}
    )


def reading_table(status: pd.DataFrame) -> pd.DataFrame:
    """The assessment as a CSV for reading: each measured figure with the decimals its inputs carry, R with
    three (the band edges 0.6 and 0.95 need two), the deadline and years as whole numbers."""
    digits = status["decimals"].fillna(0).astype(int)
    measured = [
        round(v, d) if pd.notna(v) else math.nan
        for v, d in zip(status["measured_value"], digits, strict=True)
    ]
    return status.assign(
        measured_value=measured,
        pace_ratio=status["pace_ratio"].round(3),
        provisional=status["provisional"].astype(bool),
    )
