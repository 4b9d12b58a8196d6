"""Rolling-origin backtests shared by bench/calibrate_forecast.py and bench/forecast_skill.py.

Series come from three places, always named as what they are:
- `fertility`: the World Bank total fertility rates (births per woman, 1960–2013, one series per
  country) that statsmodels ships as `statsmodels.datasets.fertility` — real annual series;
  countries are split in two by their position in the file: even positions calibrate, odd ones test.
- `synthetic`: series of known shape made here with fixed seeds (generators below).
- `shipped`: every series of data/observations.csv with six points or more.

A window cuts `n` consecutive points of a series as history and scores forecasts of the points after it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import forecasting as fc  # noqa: E402

LENGTHS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 19, 22, 26, 30]
MAX_H = 25


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    years: np.ndarray
    values: np.ndarray
    bounds: fc.Bounds
    shape: str = ""  # the generator of a synthetic series; the group otherwise


# --- where series come from ---------------------------------------------------------------------


def longest_run(values: np.ndarray) -> tuple[int, int]:
    """Start and end (exclusive) of the longest stretch without gaps."""
    best, start = (0, 0), None
    for i, ok in enumerate(np.append(np.isfinite(values), False)):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            best = max(best, (start, i), key=lambda r: r[1] - r[0])
            start = None
    return best


def fertility_cases(part: str) -> list[Case]:
    """World Bank fertility rates shipped with statsmodels; every second usable country is treated as an
    indicator unknown to indicators.csv (raw scale), the others as known with lower bound 0 (log scale)."""
    import statsmodels.api as sm

    data = sm.datasets.fertility.load_pandas().data
    year_columns = [c for c in data.columns if c.isdigit()]
    cases = []
    for position, (_, row) in enumerate(data.iterrows()):
        if position % 2 != (0 if part == "even" else 1):
            continue
        values = row[year_columns].to_numpy(dtype=float)
        a, b = longest_run(values)
        if b - a < 30:
            continue
        known = len(cases) % 2 == 0
        bounds = fc.Bounds(lower=0.0) if known else fc.Bounds(known=False)
        cases.append(
            Case(
                f"fertility {row['Country Code']}",
                "fertility",
                np.array([int(c) for c in year_columns[a:b]]),
                values[a:b],
                bounds,
                "fertility",
            )
        )
    return cases


def synthetic_cases(seed: int, per_kind: int, length: int = 40) -> list[Case]:
    """Series of known shape, `per_kind` of each generator, all from one seeded generator."""
    rng = np.random.default_rng(seed)
    years = np.arange(2024 - length + 1, 2025)
    cases = []
    for kind, make in GENERATORS.items():
        for i in range(per_kind):
            values, bounds = make(rng, length)
            cases.append(Case(f"synthetic {kind} {i}", "synthetic", years, values, bounds, kind))
    return cases


def _walk(rng: np.random.Generator, length: int, sd: float) -> np.ndarray:
    return np.cumsum(rng.normal(0, sd, length))


def share_logistic(rng, length):
    """A share rising along a logistic curve (0–100), with a wandering level and noise."""
    t = np.arange(length)
    logit = rng.uniform(-2.5, 1) + rng.uniform(0, 0.15) * t + _walk(rng, length, rng.uniform(0, 0.05))
    logit += rng.normal(0, rng.uniform(0, 0.05), length)
    return 100 / (1 + np.exp(-logit)), fc.Bounds(0.0, 100.0)


def rate_decline(rng, length):
    """A mortality-like rate (‰) falling at a rate that itself drifts."""
    slope = -rng.uniform(0.01, 0.08) + _walk(rng, length, rng.uniform(0, 0.005))
    log_y = math.log(rng.uniform(10, 60)) + np.cumsum(slope) + rng.normal(0, rng.uniform(0, 0.04), length)
    return np.exp(log_y), fc.Bounds(0.0, 1000.0)


def level_trend(rng, length):
    """A life-expectancy-like level (years, 0–120): decelerating rise, noise, occasional dips."""
    t = np.arange(length)
    y = rng.uniform(60, 75) + rng.uniform(0.1, 0.4) * t - rng.uniform(0, 0.003) * t**2
    y += rng.normal(0, rng.uniform(0.05, 0.4), length)
    shocks = (rng.random(length) < 0.05) * rng.uniform(0.5, 2, length)
    return y - shocks, fc.Bounds(0.0, 120.0)


def resource_growth(rng, length):
    """Resources per 1000 population (lower bound 0) on a local linear trend."""
    slope = rng.uniform(0, 0.06) + _walk(rng, length, rng.uniform(0, 0.01))
    log_y = math.log(rng.uniform(1, 8)) + np.cumsum(slope) + rng.normal(0, rng.uniform(0, 0.03), length)
    return np.exp(log_y), fc.Bounds(lower=0.0)


def cumulative_count(rng, length):
    """Things built: Poisson additions at a changing rate, never falling."""
    rate = np.maximum(rng.uniform(0.5, 6) + _walk(rng, length, rng.uniform(0, 0.4)), 0.1)
    return rng.integers(1, 20) + np.cumsum(rng.poisson(rate)).astype(float), fc.Bounds(
        lower=0.0, cumulative=True
    )


def random_walk(rng, length):
    """An unknown indicator: a random walk with drift on the raw scale."""
    y = 100 + np.cumsum(rng.normal(0, 1) + rng.normal(0, rng.uniform(0.5, 3), length))
    return y, fc.Bounds(known=False)


def trend_break(rng, length):
    """A log-linear series whose slope changes once at an unknown year."""
    first = rng.uniform(-0.05, 0.08)
    change = np.where(np.arange(length) >= rng.integers(5, length - 5), rng.normal(0, 0.03), 0)
    log_y = math.log(rng.uniform(5, 50)) + np.cumsum(first + change) + rng.normal(0, 0.02, length)
    return np.exp(log_y), fc.Bounds(lower=0.0)


def noisy_level(rng, length):
    """A share that moves around a level without a trend (bed occupancy, a satisfaction rate): noise
    and a slowly wandering level, nothing to extrapolate."""
    level = rng.uniform(40, 90) + _walk(rng, length, rng.uniform(0, 0.5))
    return np.clip(level + rng.normal(0, rng.uniform(0.5, 3), length), 1, 99), fc.Bounds(0.0, 100.0)


GENERATORS = {
    "share_logistic": share_logistic,
    "rate_decline": rate_decline,
    "level_trend": level_trend,
    "resource_growth": resource_growth,
    "cumulative_count": cumulative_count,
    "random_walk": random_walk,
    "trend_break": trend_break,
    "noisy_level": noisy_level,
}


def shipped_cases(min_points: int = 6) -> list[Case]:
    """Series of the shipped observations with at least `min_points` points (exact figures only)."""
    try:
        from analysis.observations.conflicts import resolve
        from analysis.pipeline import Project, load_observations

        project = Project.here()
        resolved = resolve(load_observations(project))
        indicators = project.indicators
    except Exception as exc:  # the shipped data is built by another stage; say so rather than fail
        print(f"(shipped series unavailable: {type(exc).__name__}: {exc})")
        return []
    bounds = fc.bounds_table(indicators)
    exact = resolved[resolved["qualifier"] == "="]
    cases = []
    for (region, indicator), group in exact.groupby(["region", "indicator"], sort=True):
        group = group.sort_values("year")
        if len(group) >= min_points:
            cases.append(
                Case(
                    f"shipped {region} {indicator}",
                    "shipped",
                    group["year"].to_numpy(dtype=int),
                    group["value"].to_numpy(dtype=float),
                    bounds.get(indicator, fc.Bounds(known=False)),
                    "shipped",
                )
            )
    return cases


# --- windows ------------------------------------------------------------------------------------


def lender_sigmas(cases: list[Case]) -> list[tuple[float, int, int, list]]:
    """What a 2–4-point window of each case borrows: the median spread of the *other* long series of its
    shape, how many of them have no trend, and those series themselves (their state-space variances
    are estimated when a window asks), as `forecasting.borrowed_for` lends a sparse series what its
    indicator's siblings show (never its own future, which production does not know)."""
    own = [fc.relative_sigma(as_series(case, slice(None))) for case in cases]
    out = []
    for i, case in enumerate(cases):
        pool = [
            lent
            for j, (c, lent) in enumerate(zip(cases, own, strict=True))
            if j != i and c.shape == case.shape and lent and np.isfinite(lent.sigma) and lent.sigma > 0
        ]
        if pool:
            sigma = float(np.median([p.sigma for p in pool]))
            out.append((sigma, sum(not p.trending for p in pool), len(pool), pool))
        else:
            out.append((math.nan if own[i] is None else own[i].sigma, 0, 0, []))
    return out


_VARIANCES: dict = {}  # (the lenders' grids, scale, structure) → pooled variances, within one run


def pooled_variances(pool: list, kind: str, structure: str):
    """The siblings' variances as production pools an indicator's long series (lending.pooled_variances:
    the longest three of the same scale), estimated once per distinct set within a run."""
    from analysis.forecasting import lending, sparse

    same = sorted((p for p in pool if p.kind == kind), key=lambda p: -len(p.grid))[: sparse.LENDERS_FITTED]
    key = (tuple(p.grid.tobytes() for p in same), kind, structure)
    if key not in _VARIANCES:
        source = "longer series of the same shape"
        _VARIANCES[key] = lending.pooled_variances(same, kind, structure, source, True) if same else None
    return _VARIANCES[key]


def as_series(case: Case, part: slice) -> fc.Series:
    return fc.Series(
        case.name,
        case.group,
        case.years[part],
        case.values[part],
        np.full(len(case.years[part]), "="),
        case.bounds,
    )


def windows(case: Case, lengths: list[int], step: int, max_h: int, min_test: int = 1):
    """(history, future years, future values) for every history length and every `step`-th origin."""
    total = len(case.years)
    for n in lengths:
        for end in range(n, total - min_test + 1, step):
            history = as_series(case, slice(end - n, end))
            future = slice(end, min(end + max_h, total))
            yield history, case.years[future], case.values[future]


def borrowed_for(history: fc.Series, lent: tuple[float, int, int, list]) -> fc.Borrowed | None:
    """What `forecasting.borrowed_for` would hand a sparse history, from its siblings'."""
    from analysis.forecasting import sparse

    if len(history.values) >= fc.MIN_MODEL_POINTS:
        return None
    sigma, trend_free, lenders, pool = lent
    kind, _ = fc.choose_scale(history.values, history.bounds)
    scale = float(np.mean(np.abs(history.values))) if kind == "identity" else 1.0
    z = fc.to_model(history.values, kind, history.bounds)
    structure, why = sparse.structure_for(z, history.bounds.cumulative, 2 * trend_free > lenders > 0)
    variances = pooled_variances(pool, kind, structure)
    variances = None if variances is None else variances.scaled(scale)
    return fc.Borrowed(sigma * scale, trend_free, lenders, variances, why)


def naive_scale(values: np.ndarray) -> float:
    """MASE's denominator: the mean absolute one-step change of the history (never zero)."""
    steps = np.abs(np.diff(values))
    return float(max(steps.mean(), 1e-9 * max(abs(values).mean(), 1.0)))


def all_windows(cases: list[Case], lengths: list[int], step: int, max_h: int, min_test: int = 1):
    """Every window of every case, with the spread a sparse history would borrow."""
    out = []
    for ci, (case, lent) in enumerate(zip(cases, lender_sigmas(cases), strict=True)):
        for history, years, values in windows(case, lengths, step, max_h, min_test):
            out.append((ci, history, years, values, borrowed_for(history, lent)))
    return out


def model_errors(
    cases: list[Case], lengths: list[int] = LENGTHS, step: int = 2, max_h: int = MAX_H, jobs: int = 2
) -> pd.DataFrame:
    """Errors of the final point forecast on the model scale with the spread's pieces, per window and
    horizon: what calibration needs. All windows are fitted in one batch on `jobs` processes."""
    cut = all_windows(cases, lengths, step, max_h)
    fits = fc.fit_many(
        [w[1] for w in cut],
        [int(w[2][-1]) for w in cut],
        [w[4] for w in cut],
        fc.MemoryCache(),
        fc.executor_for(jobs=jobs),
    )
    records = []
    for (ci, history, years, values, _), f in zip(cut, fits, strict=True):
        actual = fc.to_model(values, f.kind, history.bounds)
        at = years - history.years[-1] - 1
        ok = np.isfinite(actual)
        records.append(
            pd.DataFrame(
                {
                    "case": ci,
                    "n": len(history.values),
                    "horizon": (years - history.years[-1])[ok],
                    "error": (actual - f.centre[at])[ok],
                    "sigma": f.sigma,
                    "slope": f.slope,
                    "level": f.level,
                    "scale": naive_scale(fc.to_model(history.values, f.kind, history.bounds)),
                }
            )
        )
    return pd.concat(records, ignore_index=True)


def standardise(errors: pd.DataFrame, kappa: float) -> np.ndarray:
    sigma_eff = fc.effective_sigma(
        errors["sigma"].to_numpy(), errors["slope"].to_numpy(), errors["level"].to_numpy(), kappa
    )
    return errors["error"].to_numpy() / sigma_eff
