"""Forecasts of annual series to a year, with calibrated 80 % intervals and P(target met).

The production path is closed-form numpy (a series costs well under a millisecond): candidates suited
to short annual series (naive, drift, linear trend, damped trend, Theta — the last two re-implemented
and checked against statsmodels in the tests), combined by equal weights on a transformed scale
(logit for shares, log for positive indicators with a floor), with intervals read from backtest errors
(analysis.calibration). bench/forecast_skill.py holds the evidence for every choice made here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
import pandas as pd

from analysis import calibration as calib

OUTPUT_COLUMNS = ["region", "indicator", "year", "mean", "lower80", "upper80", "method", "method_reason"]
TARGET_COLUMNS = [
    "target_id",
    "forecast_year",
    "forecast_mean",
    "forecast_lower80",
    "forecast_upper80",
    "p_met",
    "method",
    "method_reason",
]
QUALIFIERS = ("=", "<", "<=", ">", ">=")
MIN_MODEL_POINTS = 5  # below this a series gets the pace between its points and a borrowed spread
# The final method chooses, per series, between these two by its own rolling-origin backtest; the
# pair and the backtest settings won on held-out series in bench/forecast_skill.py.
CHOICES = ("damped", "damped+drift")
BACKTEST_ORIGINS, BACKTEST_STEPS, BACKTEST_MIN_FIT = 6, 3, 4
PARALLEL_FROM = 2000  # series; below this a process pool costs more than it saves


# --- transformed scales: forecasts stay inside natural bounds ----------------------------------


@dataclass(frozen=True)
class Bounds:
    lower: float = math.nan
    upper: float = math.nan
    cumulative: bool = False
    known: bool = True  # False: the indicator is not in indicators.csv


def choose_scale(values: np.ndarray, bounds: Bounds) -> tuple[str, str]:
    """logit between two bounds, log above a lower bound, else the raw scale (clipped to any bound)."""
    lo, hi = bounds.lower, bounds.upper
    if not bounds.known:
        return "identity", "indicator not in indicators.csv: raw scale, no bounds known"
    if bounds.cumulative:
        return (
            "identity",
            "a count that only accumulates: raw scale (additions go on at their pace), never falling",
        )
    inside_lo = math.isnan(lo) or bool((values > lo).all())
    inside_hi = math.isnan(hi) or bool((values < hi).all())
    if not (inside_lo and inside_hi):
        return "identity", f"a value lies at a natural bound: raw scale, clipped to {bound_text(bounds)}"
    if not math.isnan(lo) and not math.isnan(hi):
        return "logit", f"logit scale between the bounds {bound_text(bounds)}"
    if not math.isnan(lo):
        return "log", f"log scale above the lower bound {lo:g}"
    return "identity", "raw scale (no natural bound)"


def bound_text(bounds: Bounds) -> str:
    lo = "" if math.isnan(bounds.lower) else f"{bounds.lower:g}"
    hi = "" if math.isnan(bounds.upper) else f"{bounds.upper:g}"
    return f"[{lo or '−∞'}, {hi or '∞'}]"


def to_model(y: np.ndarray, kind: str, bounds: Bounds) -> np.ndarray:
    if kind == "log":
        return np.log(y - bounds.lower)
    if kind == "logit":
        return np.log((y - bounds.lower) / (bounds.upper - y))
    return np.asarray(y, dtype=float)


def from_model(z: np.ndarray, kind: str, bounds: Bounds) -> np.ndarray:
    if kind == "log":
        return bounds.lower + np.exp(z)
    if kind == "logit":
        return bounds.lower + (bounds.upper - bounds.lower) / (1 + np.exp(-z))
    lo = -np.inf if math.isnan(bounds.lower) else bounds.lower
    hi = np.inf if math.isnan(bounds.upper) else bounds.upper
    return np.clip(z, lo, hi)


# --- candidates: point forecasts on an annual grid ----------------------------------------------


def naive(z: np.ndarray, h: int) -> np.ndarray:
    return np.full(h, z[-1])


def drift(z: np.ndarray, h: int) -> np.ndarray:
    """Random walk with drift: the average step between first and last point, continued."""
    return z[-1] + (z[-1] - z[0]) / (len(z) - 1) * np.arange(1, h + 1)


def linear(z: np.ndarray, h: int) -> np.ndarray:
    """Ordinary least-squares line through the points, extended."""
    t = np.arange(len(z), dtype=float)
    slope, intercept = np.polyfit(t, z, 1)
    return intercept + slope * (len(z) - 1 + np.arange(1, h + 1))


def ses(z: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing for many alphas at once (level starts at z[0] as in statsmodels'
    ThetaModel): one-step forecasts of the next value and the sum of squared one-step errors."""
    level, sse = np.full(len(alphas), z[0]), np.zeros(len(alphas))
    for y in z[1:]:
        error = y - level
        sse += error * error
        level = level + alphas * error
    return level, sse


THETA_ALPHAS = np.linspace(0.02, 1.0, 50)


def theta(z: np.ndarray, h: int) -> np.ndarray:
    """Theta method (theta = 2): SES plus half the linear trend, as statsmodels' ThetaModel forecasts it."""
    levels, sse = ses(z, THETA_ALPHAS)
    best = int(np.argmin(sse))
    return theta_forecast(z, h, float(THETA_ALPHAS[best]), float(levels[best]))


def theta_forecast(z: np.ndarray, h: int, alpha: float, one_step: float) -> np.ndarray:
    slope = np.polyfit(np.arange(len(z), dtype=float), z, 1)[0]
    steps = np.arange(h, dtype=float) + 1 / alpha - (1 - alpha) ** len(z) / alpha
    return one_step + 0.5 * slope * steps


def _damped_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, p = np.meshgrid(
        [0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0], [0.05, 0.1, 0.2, 0.4], [0.8, 0.9, 0.95, 0.98], indexing="ij"
    )
    return a.ravel(), b.ravel(), p.ravel()


DAMPED_ALPHA, DAMPED_BETA, DAMPED_PHI = _damped_grid()


def damped_states(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final level, trend and sum of squared one-step errors for every grid point at once."""
    level, trend = np.full(len(DAMPED_ALPHA), z[0]), np.full(len(DAMPED_ALPHA), z[1] - z[0])
    sse = np.zeros(len(DAMPED_ALPHA))
    for y in z[1:]:
        forecast = level + DAMPED_PHI * trend
        error = y - forecast
        sse += error * error
        level = forecast + DAMPED_ALPHA * error
        trend = DAMPED_PHI * trend + DAMPED_ALPHA * DAMPED_BETA * error
    return level, trend, sse


def damped_with(z: np.ndarray, h: int, at: int | None = None) -> np.ndarray:
    """Forecast with grid point `at` (default: the one with the smallest one-step errors)."""
    level, trend, sse = damped_states(z)
    best = int(np.argmin(sse)) if at is None else int(at)
    return level[best] + trend[best] * np.cumsum(DAMPED_PHI[best] ** np.arange(1, h + 1))


def damped(z: np.ndarray, h: int) -> np.ndarray:
    """Additive damped-trend exponential smoothing (Gardner–McKenzie), parameters picked from a grid
    by the sum of squared one-step errors: cheap and deterministic, unlike a numerical optimiser."""
    return damped_with(z, h)


CANDIDATES: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "naive": naive,
    "drift": drift,
    "linear": linear,
    "damped": damped,
    "theta": theta,
}


# Equal-weight combinations (M4: combinations win most often on yearly data).
COMBINATIONS: dict[str, tuple[str, ...]] = {"damped+drift": ("damped", "drift")}
METHODS = list(CANDIDATES) + list(COMBINATIONS)


def point_forecasts(z: np.ndarray, h: int, methods: tuple[str, ...] | list[str]) -> dict[str, np.ndarray]:
    """Forecasts of several methods, each candidate fitted once even if combinations share it."""
    members = {m for name in methods for m in COMBINATIONS.get(name, (name,))}
    single = {m: CANDIDATES[m](z, h) for m in sorted(members)}
    return {name: np.mean([single[m] for m in COMBINATIONS.get(name, (name,))], axis=0) for name in methods}


def backtest_errors(z: np.ndarray, methods: tuple[str, ...]) -> dict[str, float]:
    """Mean absolute error of 1–3-step forecasts from the series' last origins (model scale)."""
    n, errors = len(z), {m: [] for m in methods}
    for origin in range(max(BACKTEST_MIN_FIT, n - BACKTEST_ORIGINS), n):
        steps = min(BACKTEST_STEPS, n - origin)
        for name, f in point_forecasts(z[:origin], steps, methods).items():
            errors[name].append(np.mean(np.abs(z[origin : origin + steps] - f)))
    return {m: float(np.mean(e)) for m, e in errors.items()}


def chosen(z: np.ndarray) -> tuple[str, dict[str, float]]:
    """The method of CHOICES with the smallest backtest error (the first on a tie)."""
    errors = backtest_errors(z, CHOICES)
    return min(errors, key=errors.get), errors


def annual_grid(years: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Values on every year from first to last; gaps are filled by straight lines (said in the reason)."""
    if len(years) == years[-1] - years[0] + 1:
        return z
    return np.interp(np.arange(years[0], years[-1] + 1), years, z)


def spread(years: np.ndarray, z: np.ndarray) -> tuple[float, float]:
    """Per-year drift and the standard deviation of yearly steps around it (random walk with drift;
    a step over a gap of g years counts with variance g·sigma²). sigma is NaN below 3 points."""
    steps, gaps = np.diff(z), np.diff(years).astype(float)
    slope = (z[-1] - z[0]) / (years[-1] - years[0])
    if len(steps) < 2:
        return slope, math.nan
    return slope, float(np.sqrt(np.sum((steps - gaps * slope) ** 2 / gaps) / (len(steps) - 1)))


def effective_sigma(sigma, slope, level, kappa: float):
    """The unit standardised errors are measured in: noise plus a share of the trend, never zero
    (works on numbers and on arrays alike)."""
    floor = 1e-6 * np.maximum(np.abs(level), 1.0)
    return np.maximum(np.hypot(sigma, kappa * np.asarray(slope)), floor)


# --- one series ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Predictive:
    """The calibrated predictive distribution of one series for the years after its last point."""

    years: np.ndarray
    centre: np.ndarray  # point forecast on the model scale
    sigma: float
    n_points: int
    cell: str  # calibration cell: length class and regime
    kind: str
    bounds: Bounds
    last_value: float
    method: str
    reason: str

    def values(self, z: np.ndarray) -> np.ndarray:
        """Back to the indicator's scale; counts that only accumulate never fall."""
        y = from_model(z, self.kind, self.bounds)
        if self.bounds.cumulative:
            y = np.maximum.accumulate(np.maximum(y, self.last_value))
        return y

    def point(self) -> np.ndarray:
        return self.values(self.centre)

    def quantile(self, level: float, cal: calib.Calibration) -> np.ndarray:
        z = self.centre + self.sigma * cal.quantile(self.cell, self.years - self.last_year, level)
        return self.values(z)

    @property
    def last_year(self) -> int:
        return int(self.years[0]) - 1

    def prob(self, year: int, comparator: str, goal: float, cal: calib.Calibration) -> float:
        """P(the value in `year` satisfies `comparator goal`)."""
        at = int(np.searchsorted(self.years, year))
        if self.bounds.cumulative and comparator == ">=" and goal <= self.last_value:
            return 1.0
        goal_z = to_model(np.array([near_bound(goal, self.bounds)]), self.kind, self.bounds)[0]
        x = (goal_z - self.centre[at]) / self.sigma
        return cal.probability(self.cell, int(year - self.last_year), x, above=comparator == ">=")


def near_bound(goal: float, bounds: Bounds) -> float:
    """A goal at a natural bound (全覆盖 = 100 %) counts as met within 0.05 of it, the rounding of a
    figure printed to one decimal; a model on the logit scale never reaches the bound itself."""
    if goal >= bounds.upper:
        return bounds.upper - 0.05
    if goal <= bounds.lower:
        return bounds.lower + 0.05
    return goal


@dataclass(frozen=True)
class Series:
    region: str
    indicator: str
    years: np.ndarray
    values: np.ndarray
    qualifiers: np.ndarray
    bounds: Bounds

    def exact(self) -> tuple[Series, str]:
        """Only the exact figures: a bound (> 90) says where a value is not, not where it is, and
        fitting it as a value would invent a trend (92.6 then > 90 is no fall)."""
        keep = self.qualifiers == "="
        if keep.all():
            return self, ""
        dropped = ", ".join(
            f"{y} {q} {v:g}"
            for y, q, v in zip(self.years[~keep], self.qualifiers[~keep], self.values[~keep], strict=True)
        )
        return (
            Series(
                self.region,
                self.indicator,
                self.years[keep],
                self.values[keep],
                self.qualifiers[keep],
                self.bounds,
            ),
            f"bounds left out of fitting ({dropped})",
        )


@dataclass(frozen=True)
class Fit:
    """A series' point forecast on the model scale and the pieces its spread is made of."""

    kind: str
    years: np.ndarray
    centre: np.ndarray
    slope: float
    sigma: float
    level: float
    method: str
    notes: list[str]


def fit(series: Series, to_year: int, borrowed: float | None) -> Fit:
    """Point forecast (combination, or the pace for 2–4 points) and spread, before calibration."""
    kind, scale_reason = choose_scale(series.values, series.bounds)
    z = to_model(series.values, kind, series.bounds)
    years = np.arange(series.years[-1] + 1, to_year + 1)
    n = len(z)
    slope, sigma = spread(series.years, z)
    notes = [f"{n} points {series.years[0]}–{series.years[-1]}", scale_reason]
    if n < MIN_MODEL_POINTS:
        centre, method = z[-1] + slope * (years - series.years[-1]), "pace"
        sigma = borrowed if borrowed is not None else sigma
        notes.append("pace between the first and last points, spread borrowed from longer series")
    else:
        grid = annual_grid(series.years, z)
        method, errors = chosen(grid)
        centre = point_forecasts(grid, len(years), [method])[method]
        shown = ", ".join(f"{m} {e:.3g}" for m, e in errors.items())
        notes.append(f"{method} chosen by rolling-origin backtest (mean abs. error, model scale: {shown})")
        if len(grid) > n:
            notes.append("gaps filled by straight lines for fitting")
        if not sigma > 0 and slope == 0 and borrowed is not None:
            sigma = borrowed
            notes.append("flat history: spread borrowed from other series")
    return Fit(kind, years, centre, slope, sigma, float(np.mean(np.abs(z))), method, notes)


def predictive(series: Series, to_year: int, cal: calib.Calibration, borrowed: float | None) -> Predictive:
    """Fit, combine and calibrate one series (two points or more)."""
    f = fit(series, to_year, borrowed)
    sigma_eff = float(effective_sigma(f.sigma, f.slope, f.level, cal.kappa))
    n = len(series.values)
    cell = calib.cell(n, f.sigma, f.slope)
    reason = "; ".join([*f.notes, f"80 % interval from backtest errors of series like it ({cell})"])
    return Predictive(
        f.years,
        f.centre,
        sigma_eff,
        n,
        cell,
        f.kind,
        series.bounds,
        float(series.values[-1]),
        f.method,
        reason,
    )


def relative_sigma(series: Series) -> tuple[str, float] | None:
    """A long series' spread in a form another series of the indicator can borrow."""
    if len(series.values) < MIN_MODEL_POINTS:
        return None
    kind, _ = choose_scale(series.values, series.bounds)
    z = to_model(series.values, kind, series.bounds)
    _, sigma = spread(series.years, z)
    return kind, (sigma / max(float(np.mean(np.abs(z))), 1e-12) if kind == "identity" else sigma)


def borrowed_sigma(
    series: Series, lenders: dict[tuple[str, str], list[float]], cal: calib.Calibration
) -> float:
    """Spread for a 2–4-point series: the median of the same indicator's long series, else of all long
    series on the same scale, else the calibration's default."""
    kind, _ = choose_scale(series.values, series.bounds)
    pool = lenders.get((series.indicator, kind)) or lenders.get(("*", kind))
    relative = float(np.median(pool)) if pool else cal.default_sigma[kind]
    if kind == "identity":
        return relative * float(np.mean(np.abs(series.values)))
    return relative


def lenders_of(all_series: list[Series]) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for s in all_series:
        lent = relative_sigma(s.exact()[0])
        if lent and np.isfinite(lent[1]) and lent[1] > 0:
            out.setdefault((s.indicator, lent[0]), []).append(lent[1])
            out.setdefault(("*", lent[0]), []).append(lent[1])
    return out


# --- many series --------------------------------------------------------------------------------


def bounds_table(indicators: pd.DataFrame | None) -> dict[str, Bounds]:
    if indicators is None or indicators.empty:
        return {}
    rows = indicators.to_dict("records")
    return {
        r["indicator_id"]: Bounds(float(r["lower_bound"]), float(r["upper_bound"]), bool(r["cumulative"]))
        for r in rows
    }


def split_series(observations: pd.DataFrame, indicators: pd.DataFrame | None) -> list[Series]:
    """One Series per (region, indicator), sorted by year."""
    frame = observations.sort_values(["region", "indicator", "year"], kind="stable")
    if "qualifier" not in frame:
        frame = frame.assign(qualifier="=")
    frame = frame.assign(qualifier=frame["qualifier"].fillna("=").replace("", "="))
    bounds = bounds_table(indicators)
    keys = list(zip(frame["region"].astype(str), frame["indicator"].astype(str), strict=True))
    years, values = frame["year"].to_numpy(dtype=int), frame["value"].to_numpy(dtype=float)
    qualifiers = frame["qualifier"].astype(str).to_numpy()
    starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    return [
        Series(
            keys[a][0],
            keys[a][1],
            years[a:b],
            values[a:b],
            qualifiers[a:b],
            bounds.get(keys[a][1], Bounds(known=False)),
        )
        for a, b in zip(starts[:-1], starts[1:], strict=True)
        if b > a
    ]


def series_rows(series: Series, to_year: int, cal: calib.Calibration, borrowed: float | None) -> dict:
    """Columns of the forecast table for one series, as arrays."""
    series, dropped = series.exact()
    if len(series.years) == 0:
        return {
            "years": np.array([], dtype=int),
            "mean": np.array([]),
            "lower80": np.array([]),
            "upper80": np.array([]),
            "method": "",
            "reason": "",
        }
    years = np.arange(series.years[-1] + 1, to_year + 1)
    if len(years) == 0:
        empty = np.array([], dtype=float)
        return {"years": years, "mean": empty, "lower80": empty, "upper80": empty, "method": "", "reason": ""}
    if len(series.values) < 2:
        nan = np.full(len(years), np.nan)
        return {
            "years": years,
            "mean": nan,
            "lower80": nan,
            "upper80": nan,
            "method": "none",
            "reason": join_notes(
                f"one exact figure ({series.years[-1]}): status only, no pace to forecast from", dropped
            ),
        }
    pred = predictive(series, to_year, cal, borrowed)
    return {
        "years": years,
        "mean": pred.point(),
        "lower80": pred.quantile(0.1, cal),
        "upper80": pred.quantile(0.9, cal),
        "method": pred.method,
        "reason": join_notes(pred.reason, dropped),
    }


def join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _forecast_chunk(args: tuple[list[Series], int, calib.Calibration, list[float | None]]) -> list[dict]:
    chunk, to_year, cal, borrowed = args
    return [series_rows(s, to_year, cal, b) for s, b in zip(chunk, borrowed, strict=True)]


def run_all(all_series: list[Series], to_year: int, cal: calib.Calibration, jobs: int | None) -> list[dict]:
    lenders = lenders_of(all_series)
    borrowed = [
        borrowed_sigma(s.exact()[0], lenders, cal) if len(s.exact()[0].values) >= 2 else None
        for s in all_series
    ]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(all_series) < PARALLEL_FROM:
        return _forecast_chunk((all_series, to_year, cal, borrowed))
    size = math.ceil(len(all_series) / jobs)
    chunks = [
        (all_series[i : i + size], to_year, cal, borrowed[i : i + size])
        for i in range(0, len(all_series), size)
    ]
    with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
        return [row for part in pool.map(_forecast_chunk, chunks) for row in part]


def forecast_series(
    observations: pd.DataFrame,
    to_year: int,
    indicators: pd.DataFrame | None,
    calibration: calib.Calibration,
    jobs: int | None = None,
) -> pd.DataFrame:
    """Every (region, indicator) series forecast for each year after its last observation up to `to_year`."""
    cal = calibration
    all_series = split_series(observations, indicators)
    results = run_all(all_series, to_year, cal, jobs)
    parts = {c: [] for c in OUTPUT_COLUMNS}
    for s, r in zip(all_series, results, strict=True):
        k = len(r["years"])
        parts["region"] += [s.region] * k
        parts["indicator"] += [s.indicator] * k
        parts["year"].append(r["years"])
        for column in ("mean", "lower80", "upper80"):
            parts[column].append(r[column])
        parts["method"] += [r["method"]] * k
        parts["method_reason"] += [r["reason"]] * k
    for column in ("year", "mean", "lower80", "upper80"):
        parts[column] = np.concatenate(parts[column]) if parts[column] else np.array([])
    return pd.DataFrame(parts, columns=OUTPUT_COLUMNS).astype({"year": "int64"})


# --- targets: P(met) by the deadline ------------------------------------------------------------


def target_row(
    target: dict,
    series: Series | None,
    as_of: int,
    cal: calib.Calibration,
    lenders: dict[tuple[str, str], list[float]],
    indicator: dict | None,
) -> dict:
    """Forecast at the deadline and the probability the target is met then."""
    from analysis.assessment import goal_of, meets

    deadline = int(target["target_year"])
    row = {"target_id": target["target_id"], "forecast_year": deadline}
    if series is None:
        return row | {"method": "none", "method_reason": "no observation up to the assessment year"}
    keep = series.years <= min(as_of, deadline)
    series = Series(
        series.region,
        series.indicator,
        series.years[keep],
        series.values[keep],
        series.qualifiers[keep],
        series.bounds,
    )
    if len(series.years) == 0:
        return row | {"method": "none", "method_reason": f"no observation up to {min(as_of, deadline)}"}
    frame = pd.DataFrame({"year": series.years, "value": series.values, "qualifier": series.qualifiers})
    goal = goal_of(target, indicator, frame)
    if goal.reason:
        return row | {"method": "none", "method_reason": goal.reason}
    if series.years[-1] == deadline:
        verdict = meets(str(series.qualifiers[-1]), float(series.values[-1]), goal.comparator, goal.value)
        p = math.nan if verdict is None else float(verdict)
        why = (
            "the deadline-year figure is a bound that does not decide"
            if verdict is None
            else "the deadline year is observed"
        )
        value = float(series.values[-1])
        return row | {
            "forecast_mean": value,
            "forecast_lower80": value,
            "forecast_upper80": value,
            "p_met": p,
            "method": "observed",
            "method_reason": why,
        }
    return row | forecast_fields(series, deadline, goal.comparator, goal.value, cal, lenders)


def forecast_fields(
    series: Series,
    deadline: int,
    comparator: str,
    goal: float,
    cal: calib.Calibration,
    lenders: dict[tuple[str, str], list[float]],
) -> dict:
    series, dropped = series.exact()
    if len(series.values) < 2:
        count = "no exact figure" if len(series.values) == 0 else f"one exact figure ({series.years[-1]})"
        return {"method": "none", "method_reason": join_notes(f"{count}: status only", dropped)}
    borrowed = borrowed_sigma(series, lenders, cal)
    pred = predictive(series, deadline, cal, borrowed)
    p = math.nan if comparator == "==" else pred.prob(deadline, comparator, goal, cal)
    reason = join_notes(
        pred.reason, dropped, "an exact (==) target has no probability" if comparator == "==" else ""
    )
    return {
        "forecast_mean": float(pred.point()[-1]),
        "forecast_lower80": float(pred.quantile(0.1, cal)[-1]),
        "forecast_upper80": float(pred.quantile(0.9, cal)[-1]),
        "p_met": p,
        "method": pred.method,
        "method_reason": reason,
    }


def forecast_targets(
    targets: pd.DataFrame,
    indicators: pd.DataFrame | None,
    resolved_observations: pd.DataFrame,
    as_of: int,
    calibration: calib.Calibration,
) -> pd.DataFrame:
    """One row per target: the forecast for its deadline year and P(met), from data up to `as_of`."""
    cal = calibration
    usable = resolved_observations[resolved_observations["year"] <= as_of]
    all_series = split_series(usable, indicators)
    by_key = {(s.region, s.indicator): s for s in all_series}
    lenders = lenders_of(all_series)
    by_indicator = {} if indicators is None else {r["indicator_id"]: r for r in indicators.to_dict("records")}
    rows = [
        target_row(
            t,
            by_key.get((t["region"], t["indicator"])),
            as_of,
            cal,
            lenders,
            by_indicator.get(t["indicator"]),
        )
        for t in targets.to_dict("records")
    ]
    return pd.DataFrame.from_records(rows, columns=TARGET_COLUMNS).astype(
        {c: "float64" for c in TARGET_COLUMNS[2:6]}
    )
