"""Targets: P(met) by the deadline. Each target's series, cut at the assessment year, is forecast to the
target's deadline (with `core.predictives`, which fits many series at once) and its probability of
meeting the goal read from the calibrated predictive distribution. A target whose deadline year is
observed is settled by that figure."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from analysis.forecasting import calibration as calib
from analysis.forecasting.cache import FitCache
from analysis.forecasting.core import (
    TARGET_COLUMNS,
    Predictive,
    join_notes,
    predictives,
    probability_met,
    split_series,
)
from analysis.forecasting.executors import Executor
from analysis.forecasting.lending import lenders_of
from analysis.forecasting.series import Series


def forecast_fields(
    pred: Predictive | None,
    dropped: str,
    missing: str,
    deadline: int,
    comparator: str,
    goal: float,
    cal: calib.Calibration,
) -> dict:
    """The forecast columns of a target row from its series' predictive distribution."""
    if pred is None:
        return {"method": "none", "method_reason": join_notes(f"{missing}: status only", dropped)}
    p = math.nan if comparator == "==" else probability_met(pred, deadline, comparator, goal, cal)
    reason = join_notes(
        pred.reason, dropped, "an exact (==) target has no probability" if comparator == "==" else ""
    )
    return {
        "forecast_mean": float(pred.point()[-1]),
        "forecast_lower80": float(pred.quantile(0.1, cal)[-1]),
        "forecast_upper80": float(pred.quantile(0.9, cal)[-1]),
        "p_met": p,
        "method": pred.method,
        "model": pred.model,
        "method_reason": reason,
    }


def forecast_targets(
    targets: pd.DataFrame,
    indicators: pd.DataFrame | None,
    resolved_observations: pd.DataFrame,
    as_of: int,
    calibration: calib.Calibration,
    cache: FitCache | None = None,
    executor: Executor | None = None,
    *,
    settings: Mapping[str, float],
) -> pd.DataFrame:
    """One row per target: the forecast for its deadline year and P(met), from data up to `as_of`.

    `settings` as analysis.io.readers.settings.load_settings reads data/assessment_settings.csv: a
    change target's goal rests on the same base figure as its status."""
    from analysis.assessment.goal import goal_of, meets

    cal = calibration
    usable = resolved_observations[resolved_observations["year"] <= as_of]
    all_series = split_series(usable, indicators)
    by_key = {(s.region, s.indicator): s for s in all_series}
    lenders = lenders_of(all_series)
    by_indicator = {} if indicators is None else {r["indicator_id"]: r for r in indicators.to_dict("records")}
    rows: list[dict] = []
    pending: list[tuple[int, Series, int, str, float]] = []
    for t in targets.to_dict("records"):
        deadline = int(t["target_year"])
        row = {"target_id": t["target_id"], "forecast_year": deadline}
        rows.append(row)
        series = by_key.get((t["region"], t["indicator"]))
        if series is None:
            row |= {"method": "none", "method_reason": "no observation up to the assessment year"}
            continue
        series = series.where(series.years <= min(as_of, deadline))
        if len(series.years) == 0:
            row |= {"method": "none", "method_reason": f"no observation up to {min(as_of, deadline)}"}
            continue
        frame = pd.DataFrame({"year": series.years, "value": series.values, "qualifier": series.qualifiers})
        goal = goal_of(t, by_indicator.get(t["indicator"]), frame, settings)
        if goal.reason:
            row |= {"method": "none", "method_reason": goal.reason}
            continue
        if series.years[-1] == deadline:
            verdict = meets(str(series.qualifiers[-1]), float(series.values[-1]), goal.comparator, goal.value)
            value = float(series.values[-1])
            row |= {
                "forecast_mean": value,
                "forecast_lower80": value,
                "forecast_upper80": value,
                "p_met": math.nan if verdict is None else float(verdict),
                "method": "observed",
                "method_reason": "the deadline-year figure is a bound that does not decide"
                if verdict is None
                else "the deadline year is observed",
            }
            continue
        pending.append((len(rows) - 1, series, deadline, goal.comparator, goal.value))
    results = predictives([p[1] for p in pending], [p[2] for p in pending], cal, lenders, cache, executor)
    for (at, _, deadline, comparator, goal), (pred, dropped, missing) in zip(pending, results, strict=True):
        rows[at] |= forecast_fields(pred, dropped, missing, deadline, comparator, goal, cal)
    return pd.DataFrame.from_records(rows, columns=TARGET_COLUMNS).astype(
        {c: "float64" for c in TARGET_COLUMNS[2:6]}
    )
