"""What the long series of an indicator lend its short (2–4-point) series.

Two to four points cannot tell a trend from noise; the indicator's long series (five points or more,
national or provincial) can. They lend their spread (for the calibration's regime), whether they have
a trend to extrapolate (`decisions.drift_t`, the rule long series follow themselves) and the variances
of statsmodels' `UnobservedComponents` fitted on them (sparse.estimate), which the short series then
keeps fixed. A trend is never borrowed across indicators; variances are, from the long series on the
same scale, when the indicator has none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import analysis.forecasting.decisions as decisions
import analysis.forecasting.sparse as sparse
from analysis.forecasting import calibration as calib
from analysis.forecasting.models import ModelFailure
from analysis.forecasting.series import MIN_MODEL_POINTS, Series, annual_grid, spread
from analysis.forecasting.transforms import choose_scale, to_model


class Lent(NamedTuple):
    """What a long series can lend the short series of its indicator: its scale, its spread in a form
    another series can use, whether it has a trend to extrapolate, and its grid (model scale), on
    which the state-space variances are estimated when a short series asks for them."""

    kind: str
    sigma: float
    trending: bool
    grid: np.ndarray | None = None


@dataclass(frozen=True)
class Borrowed:
    """What a 2–4-point series takes from its indicator's long series: a spread, how many of them have
    no trend (when most have none, the short series gets a level, no slope) and the variances its
    `UnobservedComponents` model keeps fixed."""

    sigma: float
    trend_free: int = 0  # lenders of the same indicator without a trend
    lenders: int = 0  # lenders of the same indicator (the trend is never borrowed across indicators)
    variances: sparse.Variances | None = None
    why: str = ""  # why the structure was chosen, when it is not the default

    @property
    def level(self) -> bool:
        return 2 * self.trend_free > self.lenders > 0


def relative_sigma(series: Series) -> Lent | None:
    """A long series' spread and trend in a form another series of the indicator can borrow."""
    if len(series.values) < MIN_MODEL_POINTS:
        return None
    kind, _ = choose_scale(series.values, series.bounds)
    z = to_model(series.values, kind, series.bounds)
    _, sigma = spread(series.years, z)
    relative = sigma / max(float(np.mean(np.abs(z))), 1e-12) if kind == "identity" else sigma
    grid = annual_grid(series.years, z)
    trending = decisions.drift_t(grid) >= decisions.LEVEL_BELOW_T
    return Lent(kind, relative, bool(trending), grid)


def lenders_of(all_series: list[Series]) -> dict[tuple[str, str], list[Lent]]:
    """Long series by (indicator, scale), and all of them by ("*", scale)."""
    out: dict[tuple[str, str], list[Lent]] = {}
    for s in all_series:
        lent = relative_sigma(s.exact()[0])
        if lent and np.isfinite(lent.sigma) and lent.sigma > 0:
            out.setdefault((s.indicator, lent.kind), []).append(lent)
            out.setdefault(("*", lent.kind), []).append(lent)
    return out


def fitted_lenders(pool: list[Lent]) -> list[Lent]:
    """The lenders whose variances are estimated: the longest few (they say enough)."""
    longest = sorted((lent for lent in pool if lent.grid is not None), key=lambda lent: -len(lent.grid))
    return longest[: sparse.LENDERS_FITTED]


def fit_key(grid: np.ndarray, relative: bool, structure: str) -> tuple[bytes, bool, str]:
    return (np.ascontiguousarray(grid, dtype="<f8").tobytes(), relative, structure)


def estimate_one(grid: np.ndarray, relative: bool, structure: str) -> sparse.Variances | None:
    """One lender's variances, None where statsmodels cannot fit it."""
    try:
        return sparse.estimate(grid, relative, structure)
    except ModelFailure:
        return None


def pooled_variances(
    pool: list[Lent], kind: str, structure: str, source: str, own: bool, estimated: dict | None = None
) -> sparse.Variances | None:
    """Median variances over the longest few lenders (each fitted once by maximum likelihood; found in
    `estimated`, keyed by fit_key, when they were fitted beforehand on the executor)."""
    estimated = {} if estimated is None else estimated
    found = []
    for lent in fitted_lenders(pool):
        key = fit_key(lent.grid, kind == "identity", structure)
        if key not in estimated:
            estimated[key] = estimate_one(lent.grid, kind == "identity", structure)
        if estimated[key] is not None:
            found.append(estimated[key])
    return sparse.pooled(found, f"{len(found)} {source}", own) if found else None


def variances_for(
    indicator: str, kind: str, structure: str, lenders: dict[tuple[str, str], list[Lent]], memo: dict
) -> sparse.Variances | None:
    """The indicator's own long series' variances, else those of all long series on its scale;
    estimated once per (indicator, scale, structure) per batch (`memo`), and only when asked for."""
    key = (indicator, kind, structure)
    if key not in memo:
        own = lenders.get((indicator, kind), [])
        source = "longer series of the indicator"
        fits = memo.setdefault("fits", {})
        found = pooled_variances(own, kind, structure, source, True, fits) if own else None
        if found is None:
            if ("*", kind, structure) not in memo:
                source = f"longer series of other indicators ({kind} scale)"
                memo[("*", kind, structure)] = pooled_variances(
                    lenders.get(("*", kind), []), kind, structure, source, False, fits
                )
            found = memo[("*", kind, structure)]
        memo[key] = found
    return memo[key]


def needed_fits(
    series: list[Series], lenders: dict[tuple[str, str], list[Lent]]
) -> list[tuple[np.ndarray, bool, str]]:
    """The lender fits the 2–4-point series among `series` will ask for (borrowed_for), each once:
    fitted together beforehand, on the batch's executor, instead of one by one in this process."""
    wanted: dict = {}
    for s in series:
        if len(s.values) >= MIN_MODEL_POINTS:
            continue
        kind, structure = plan_for(s, lenders)
        pool = lenders.get((s.indicator, kind), []) or lenders.get(("*", kind), [])
        for lent in fitted_lenders(pool):
            wanted.setdefault(
                fit_key(lent.grid, kind == "identity", structure), (lent.grid, kind == "identity", structure)
            )
    return list(wanted.values())


def plan_for(series: Series, lenders: dict[tuple[str, str], list[Lent]]) -> tuple[str, str]:
    """A short series' model scale and state-space structure."""
    kind, _ = choose_scale(series.values, series.bounds)
    own = lenders.get((series.indicator, kind), [])
    trend_free = sum(not lent.trending for lent in own)
    z = to_model(series.values, kind, series.bounds)
    return kind, sparse.structure_for(z, series.bounds.cumulative, 2 * trend_free > len(own) > 0)[0]


def borrowed_for(
    series: Series,
    lenders: dict[tuple[str, str], list[Lent]],
    cal: calib.Calibration,
    memo: dict | None = None,
) -> Borrowed:
    """Spread, trend and variances for a 2–4-point series: from the same indicator's long series, else
    from all long series on the same scale, else the calibration's default spread. A series of five
    points or more borrows its spread only (its model estimates everything else)."""
    kind, _ = choose_scale(series.values, series.bounds)
    own = lenders.get((series.indicator, kind), [])
    pool = own or lenders.get(("*", kind), [])
    relative = float(np.median([lent.sigma for lent in pool])) if pool else cal.default_sigma[kind]
    trend_free = sum(not lent.trending for lent in own)
    size = float(np.mean(np.abs(series.values))) if kind == "identity" else 1.0
    if len(series.values) >= MIN_MODEL_POINTS:
        return Borrowed(relative * size, trend_free, len(own))
    z = to_model(series.values, kind, series.bounds)
    structure, why = sparse.structure_for(z, series.bounds.cumulative, 2 * trend_free > len(own) > 0)
    variances = variances_for(series.indicator, kind, structure, lenders, {} if memo is None else memo)
    if variances is not None and variances.own:
        variances = variances.scaled(size)
    else:
        variances = at_least_own_change(series, kind, size, structure, variances, cal)
    return Borrowed(relative * size, trend_free, len(own), variances, why)


def at_least_own_change(
    series: Series,
    kind: str,
    size: float,
    structure: str,
    pooled: sparse.Variances | None,
    cal: calib.Calibration,
) -> sparse.Variances:
    """Variances for a series its own indicator cannot lend to: another indicator's (or the
    calibration's default spread), but a year's variance never below the series' own yearly change
    (its mean step and the spread of its steps): another indicator's smoothness is no evidence that
    this one is smooth."""
    z = to_model(series.values, kind, series.bounds)
    slope, steps = spread(series.years, z)
    floor = max(cal.default_sigma[kind] * size, abs(slope), steps if np.isfinite(steps) else 0.0)
    if pooled is None:
        return sparse.default(floor, structure)
    return pooled.scaled(size).at_least(floor**2)
