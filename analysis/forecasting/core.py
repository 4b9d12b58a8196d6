"""Many series at once: split, fit (cached, on an executor), calibrate, and read P(target met).

The stage functions take DataFrames, a Calibration and optionally a cache and an executor; they open
no file. Only `decisions` fits models; everything here is arithmetic on its results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

import analysis.forecasting.decisions as decisions
from analysis.forecasting import calibration as calib
from analysis.forecasting import lending, models, sparse
from analysis.forecasting.bound_check import bound_notes
from analysis.forecasting.cache import FitCache, MemoryCache
from analysis.forecasting.executors import Executor, chunked, executor_for
from analysis.forecasting.lending import Borrowed, Lent, borrowed_for, lenders_of, relative_sigma
from analysis.forecasting.series import MIN_MODEL_POINTS, Series, annual_grid, spread
from analysis.forecasting.transforms import Bounds, choose_scale, from_model, near_bound, to_model

__all__ = [
    "MIN_MODEL_POINTS",
    "Borrowed",
    "Lent",
    "Series",
    "annual_grid",
    "borrowed_for",
    "lenders_of",
    "relative_sigma",
    "spread",
]

OUTPUT_COLUMNS = [
    "region",
    "indicator",
    "year",
    "mean",
    "lower80",
    "upper80",
    "method",
    "model",
    "method_reason",
]
TARGET_COLUMNS = [
    "target_id",
    "forecast_year",
    "forecast_mean",
    "forecast_lower80",
    "forecast_upper80",
    "p_met",
    "method",
    "model",
    "method_reason",
]


def effective_sigma(sigma, slope, level, kappa: float):
    """The unit standardised errors are measured in: noise plus a share of the trend, never zero
    (works on numbers and on arrays alike)."""
    floor = 1e-6 * np.maximum(np.abs(level), 1.0)
    return np.maximum(np.hypot(sigma, kappa * np.asarray(slope)), floor)


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
    model: str = ""  # the statsmodels class and its key settings
    se: np.ndarray | None = None  # the model's own forecast standard error (short series)
    cell: str = ""  # the calibration cell of a short series (sparse.cell)


@dataclass(frozen=True)
class Predictive:
    """The calibrated predictive distribution of one series for the years after its last point."""

    years: np.ndarray
    centre: np.ndarray  # point forecast on the model scale
    sigma: float | np.ndarray  # one spread, or one per forecast year (short series)
    n_points: int
    cell: str  # calibration cell: length class and regime
    kind: str
    bounds: Bounds
    last_value: float
    method: str
    reason: str
    model: str = ""

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
        return probability_met(self, year, comparator, goal, cal)


def probability_met(
    pred: Predictive, year: int, comparator: str, goal: float, cal: calib.Calibration
) -> float:
    """P(the value in `year` satisfies `comparator goal`) under the calibrated predictive distribution
    (`>=`/`>` read as at least, `<=`/`<` as at most; a continuous distribution does not tell them apart)."""
    at = int(np.searchsorted(pred.years, year))
    above = comparator in (">=", ">")
    if pred.bounds.cumulative and above and goal <= pred.last_value:
        return 1.0
    goal_z = to_model(np.array([near_bound(goal, pred.bounds)]), pred.kind, pred.bounds)[0]
    x = (goal_z - pred.centre[at]) / np.broadcast_to(pred.sigma, pred.centre.shape)[at]
    return cal.probability(pred.cell, int(year - pred.last_year), x, above=above)


# --- fitting many series --------------------------------------------------------------------------


def _decide_chunk(chunk: list[np.ndarray]) -> tuple[list[decisions.Decision], float]:
    return decisions.decide_many(chunk)


@dataclass
class FitStats:
    """What a batch cost: series decided afresh, found in the cache, and seconds inside model fits."""

    fitted: int = 0
    cached: int = 0
    fit_seconds: float = 0.0


LAST_STATS = FitStats()


def decide_all(
    grids: list[np.ndarray], cache: FitCache | None, executor: Executor | None
) -> list[decisions.Decision]:
    """One decision per grid, each distinct series decided once: from the cache, else on the executor."""
    settings = decisions.settings_text()
    keys = [decisions.key(z, settings) for z in grids]
    cache = cache if cache is not None else MemoryCache()
    found = cache.get_many(sorted(set(keys)))
    missing: dict[str, np.ndarray] = {}
    for k, z in zip(keys, grids, strict=True):
        if k not in found and k not in missing:
            missing[k] = z
    stats = FitStats(cached=len(set(keys)) - len(missing))
    if missing:
        runner = executor or executor_for(count=len(missing))
        order = list(missing)
        results = runner.map(_decide_chunk, chunked([missing[k] for k in order], runner.workers))
        made = [d for part, _ in results for d in part]
        stats.fit_seconds = sum(seconds for _, seconds in results)
        stats.fitted = len(made)
        fresh = dict(zip(order, made, strict=True))
        cache.put_many(fresh)
        found |= fresh
    LAST_STATS.fitted += stats.fitted
    LAST_STATS.cached += stats.cached
    LAST_STATS.fit_seconds += stats.fit_seconds
    return [found[k] for k in keys]


def fit_many(
    histories: list[Series],
    to_years: list[int],
    borrowed: list[Borrowed | None],
    cache: FitCache | None = None,
    executor: Executor | None = None,
) -> list[Fit]:
    """Point forecasts and spreads, before calibration, for histories of two exact points or more:
    the model the series' decision chose (five points or more), else `UnobservedComponents` with
    variances borrowed from longer series (sparse)."""
    prepared, grids = [], []
    for series, to_year in zip(histories, to_years, strict=True):
        kind, scale_reason = choose_scale(series.values, series.bounds)
        z = to_model(series.values, kind, series.bounds)
        years = np.arange(series.years[-1] + 1, to_year + 1)
        if len(years) > decisions.PATH_YEARS:
            raise ValueError(f"forecasts go at most {decisions.PATH_YEARS} years beyond the last figure")
        prepared.append((series, kind, scale_reason, z, years))
        if len(z) >= MIN_MODEL_POINTS:
            grids.append(annual_grid(series.years, z))
    decided = iter(decide_all(grids, cache, executor))
    fits = []
    for (series, kind, scale_reason, z, years), lent in zip(prepared, borrowed, strict=True):
        span = f"{len(z)} points {series.years[0]}–{series.years[-1]}" if len(z) > 1 else ""
        notes = [span or f"one exact figure ({series.years[0]})", scale_reason]
        if len(z) < MIN_MODEL_POINTS:
            fits.append(short_fit(series, kind, z, years, lent, notes))
        else:
            fits.append(long_fit(series, kind, z, years, lent, notes, next(decided)))
    return fits


def long_fit(
    series: Series,
    kind: str,
    z: np.ndarray,
    years: np.ndarray,
    lent: Borrowed | None,
    notes: list[str],
    decision: decisions.Decision,
) -> Fit:
    """A series of five points or more: the method its decision chose and the path it forecast."""
    slope, sigma = spread(series.years, z)
    if decision.errors:
        shown = ", ".join(f"{m} {e:.3g}" for m, e in decision.errors.items())
        notes.append(f"{decision.method} chosen by backtest (mean abs. error, model scale: {shown})")
    if decision.note:
        notes.append(decision.note)
    if len(series.years) < series.years[-1] - series.years[0] + 1:
        notes.append("gaps filled by straight lines for fitting")
    if not sigma > 0 and slope == 0 and lent is not None:
        sigma = lent.sigma
        notes.append("flat history: spread borrowed from other series")
    centre = decision.path[: len(years)]
    level = float(np.mean(np.abs(z)))
    return Fit(kind, years, centre, slope, sigma, level, decision.method, notes, models.cite(decision.method))


FALLBACK_SIGMA = 0.02  # model-scale spread of a short series with nothing to borrow from (tests, benches)


def short_fit(
    series: Series, kind: str, z: np.ndarray, years: np.ndarray, lent: Borrowed | None, notes: list[str]
) -> Fit:
    """A 2–4-point series: `UnobservedComponents` with its variances fixed from longer series."""
    slope, sigma = spread(series.years, z)
    variances, why = (lent.variances, lent.why) if lent is not None else (None, "")
    if variances is None:
        size = float(np.mean(np.abs(z))) if kind == "identity" else 1.0
        structure, why = sparse.structure_for(z, series.bounds.cumulative, lent is not None and lent.level)
        variances = sparse.default(max(FALLBACK_SIGMA * size, abs(slope)), structure)
    level = float(np.mean(np.abs(z)))
    h = max(len(years), 1)
    try:
        made = sparse.forecast(series.years, z, h, variances)
    except models.ModelFailure as exc:
        path = models.forecasts(annual_grid(series.years, z), h, ["drift"])["drift"]
        notes.append(f"{exc}; random walk with drift used")
        return Fit(kind, years, path[: len(years)], slope, sigma, level, "drift", notes, models.cite("drift"))
    if why:
        notes.append(why)
    notes.append(f"{made.structure}, variances fixed from {variances.source}")
    sigma = lent.sigma if lent is not None else sigma
    n = len(z)
    centre, se = made.centre[: len(years)], made.se[: len(years)]
    method = sparse.METHODS[made.structure]
    return Fit(
        kind, years, centre, slope, sigma, level, method, notes, made.model, se, sparse.cell(n, variances.own)
    )


def calibrated(series: Series, f: Fit, cal: calib.Calibration) -> Predictive:
    """The fit's predictive distribution: spread times the calibrated error quantiles of its cell.
    A short series' spread is its state-space model's own forecast standard error, scaled by the
    errors of held-back real short series (cells `short 2`…`short 4`, bench/short_series.py)."""
    n, cell = len(series.values), f.cell
    if f.se is not None and cell in cal.quantiles:
        sigma_eff: float | np.ndarray = f.se
        how = f"80 % interval: the model's standard error scaled by held-back short series ({cell})"
    else:
        sigma_eff = float(effective_sigma(f.sigma, f.slope, f.level, cal.kappa))
        cell = calib.cell(n, f.sigma, f.slope)
        how = f"80 % interval from backtest errors of series like it ({cell})"
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
        "; ".join([*f.notes, how]),
        f.model,
    )


def predictive(
    series: Series,
    to_year: int,
    cal: calib.Calibration,
    borrowed: Borrowed | None,
    cache: FitCache | None = None,
) -> Predictive:
    """Fit and calibrate one series (two exact points or more)."""
    return calibrated(series, fit_many([series], [to_year], [borrowed], cache)[0], cal)


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
    regions = frame["region"].astype(str).to_numpy()
    names = frame["indicator"].astype(str).to_numpy()
    years, values = frame["year"].to_numpy(dtype=int), frame["value"].to_numpy(dtype=float)
    qualifiers = frame["qualifier"].astype(str).to_numpy()
    if len(frame) == 0:
        return []
    change = (regions[1:] != regions[:-1]) | (names[1:] != names[:-1])
    starts = np.concatenate([[0], np.flatnonzero(change) + 1, [len(frame)]])
    return [
        Series(
            regions[a],
            names[a],
            years[a:b],
            values[a:b],
            qualifiers[a:b],
            bounds.get(names[a], Bounds(known=False)),
        )
        for a, b in zip(starts[:-1], starts[1:], strict=True)
    ]


def join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _estimate_chunk(chunk: list[tuple[np.ndarray, bool, str]]) -> list:
    return [lending.estimate_one(*job) for job in chunk]


def prefit_lenders(
    series: list[Series], lenders: dict[tuple[str, str], list[Lent]], executor: Executor | None
) -> dict:
    """The state-space variances of every long series a short one will borrow from, fitted on the
    executor (keyed by lending.fit_key; borrowed_for pools them)."""
    jobs = lending.needed_fits(series, lenders)
    if not jobs:
        return {}
    runner = executor or executor_for(count=len(jobs) * LENDER_FIT_WEIGHT)
    made = [v for part in runner.map(_estimate_chunk, chunked(jobs, runner.workers)) for v in part]
    return {lending.fit_key(*job): v for job, v in zip(jobs, made, strict=True)}


LENDER_FIT_WEIGHT = 10  # a lender's maximum-likelihood fit costs about as much as ten series' decisions


def predictives(
    histories: list[Series],
    to_years: list[int],
    cal: calib.Calibration,
    lenders: dict[tuple[str, str], list[Lent]],
    cache: FitCache | None,
    executor: Executor | None,
) -> list[tuple[Predictive | None, str, str]]:
    """For each history: its predictive distribution (None below two exact points, unless one exact
    figure comes with a bound: then a flat path, the bounds checked against it), the bounds left out
    of fitting, and the reason there is no forecast."""
    exact = [h.exact() for h in histories]
    usable = [i for i, (s, dropped) in enumerate(exact) if len(s.values) >= 2 or (len(s.values) and dropped)]
    series = [exact[i][0] for i in usable]
    memo: dict = {"fits": prefit_lenders(series, lenders, executor)}
    borrowed: list[Borrowed | None] = [borrowed_for(s, lenders, cal, memo) for s in series]
    fits = fit_many(series, [to_years[i] for i in usable], borrowed, cache, executor)
    out: list[tuple[Predictive | None, str, str]] = []
    for s, dropped in exact:
        count = "no exact figure" if len(s.values) == 0 else f"one exact figure ({s.years[-1]})"
        out.append((None, dropped, count))
    for i, s, f in zip(usable, series, fits, strict=True):
        pred = calibrated(s, f, cal)
        if len(s.values) == 1:
            checked = bound_notes(histories[i], pred.years, pred.point())
            pred = replace(pred, reason=join_notes(pred.reason, checked))
        out[i] = (pred, exact[i][1], "")
    return out


def forecast_series(
    observations: pd.DataFrame,
    to_year: int,
    indicators: pd.DataFrame | None,
    calibration: calib.Calibration,
    cache: FitCache | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Every (region, indicator) series forecast for each year after its last observation up to `to_year`."""
    cal = calibration
    all_series = split_series(observations, indicators)
    lenders = lenders_of(all_series)
    results = predictives(all_series, [to_year] * len(all_series), cal, lenders, cache, executor)
    parts: dict[str, list] = {c: [] for c in OUTPUT_COLUMNS}
    for s, (pred, dropped, missing) in zip(all_series, results, strict=True):
        exact_years = s.years[s.qualifiers == "="]
        if len(exact_years) == 0:
            continue
        years = np.arange(exact_years[-1] + 1, to_year + 1)
        k = len(years)
        if k == 0:
            continue
        if pred is None:
            nan = np.full(k, np.nan)
            mean = lower = upper = nan
            method, model = "none", ""
            reason = join_notes(f"{missing}: status only, nothing to forecast from", dropped)
        else:
            mean, lower, upper = pred.point(), pred.quantile(0.1, cal), pred.quantile(0.9, cal)
            method, model, reason = pred.method, pred.model, join_notes(pred.reason, dropped)
        parts["region"] += [s.region] * k
        parts["indicator"] += [s.indicator] * k
        parts["year"].append(years)
        parts["mean"].append(mean)
        parts["lower80"].append(lower)
        parts["upper80"].append(upper)
        parts["method"] += [method] * k
        parts["model"] += [model] * k
        parts["method_reason"] += [reason] * k
    for column in ("year", "mean", "lower80", "upper80"):
        parts[column] = np.concatenate(parts[column]) if parts[column] else np.array([])
    return pd.DataFrame(parts, columns=OUTPUT_COLUMNS).astype({"year": "int64"})
