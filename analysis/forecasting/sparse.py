"""Series of two to four figures: statsmodels' `UnobservedComponents` with variances borrowed.

Two to four points cannot estimate a model's variances, so they are estimated where they can be: on
the indicator's longer series (national, provincial), by `UnobservedComponents(...).fit()` (maximum
likelihood), and held fixed for the short series with `UnobservedComponents(...).smooth(params)` (the
Kalman filter with known parameters, no optimisation). The short series' own figures then decide its
level and slope; the longer series decide how much of its movement is noise and how much is signal,
and the forecast standard error comes from the same state-space model (calibrated afterwards on
held-back real series, see bench/short_series.py).

Two structures, named in every forecast:
- random walk with drift (the level a random walk, the drift a constant estimated from the short
  series' own figures, no measurement noise): the default. Measured on held-back real short series
  (bench/short_series.py) it forecast better than the local linear trend and the smooth trend with
  borrowed variances (whose fitted line does not pass through the last figure): its point forecast
  is the last figure plus the mean yearly step, the borrowed variance sets its standard error;
- local level (a random walk plus noise, no slope): when most of the indicator's long series have no
  trend to extrapolate, and for a count that only accumulates and added nothing since its previous
  figure (a flat accumulating count forecasts flat);
- random walk (a level only, no noise, no drift): a series with one exact figure and a bound (the
  bound is checked against the forecast, never fitted, see bound_check). One figure cannot estimate
  a drift: the level stays at the figure, its variance borrowed like the others'.
Years without a figure are missing observations of the state-space model, not filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.forecasting.models import ModelFailure, quiet

TREND, LEVEL, RWALK = "random walk with drift", "local level", "random walk"
METHODS = {
    TREND: "random walk + drift",
    LEVEL: "local level",
    RWALK: "local level",
}  # the method column's word for each
LENDERS_FITTED = 3  # long series fitted per indicator and scale: the longest few say enough
MODEL_CLASS = "statsmodels.tsa.UnobservedComponents"


LEVEL_AT = {TREND: 0, LEVEL: 1, RWALK: 0}  # where the level's variance sits among each structure's parameters


@dataclass(frozen=True)
class Variances:
    """The disturbance variances of one structure on the model scale, in statsmodels' order
    (random walk with drift, random walk: level; local level: irregular, level). `relative`: divided
    by the squared mean level of the series they came from (raw-scale series differ in size)."""

    structure: str
    params: tuple[float, ...]
    relative: bool
    source: str  # what they were estimated on, for the model's name
    own: bool = False  # estimated on the same indicator's long series (else borrowed further afield)

    def at_least(self, variance: float) -> Variances:
        """The level's variance raised to `variance` where it is smaller (any noise is kept)."""
        at = LEVEL_AT[self.structure]
        params = tuple(max(v, variance) if i == at else v for i, v in enumerate(self.params))
        source = f"{self.source}, at least its own yearly change"
        return Variances(self.structure, params, self.relative, source, self.own)

    def scaled(self, size: float) -> Variances:
        """The variances for a series of mean level `size` (raw scale); others are kept."""
        if not self.relative:
            return self
        params = tuple(v * size**2 for v in self.params)
        return Variances(self.structure, params, False, self.source, self.own)


def estimate(z: np.ndarray, relative: bool, structure: str) -> Variances | None:
    """One structure fitted by maximum likelihood on one long series (annual grid, model scale)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    try:
        with quiet():
            result = UnobservedComponents(z, structure, use_exact_diffuse=True).fit(
                disp=False, maxiter=500, start_params=start_params(z, structure)
            )
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise ModelFailure(f"statsmodels could not fit {structure}: {exc}") from exc
    params = np.asarray(result.params, dtype=float)
    if not np.isfinite(params).all():
        return None
    size = max(float(np.mean(np.abs(z))) ** 2, 1e-24) if relative else 1.0
    return Variances(structure, tuple(float(v) / size for v in params), relative, "")


def start_params(z: np.ndarray, structure: str) -> list[float] | None:
    """A warm start for the random walk with drift: the variance of the yearly steps, which is where
    its likelihood peaks (the optimiser then needs a step or two; half the time of statsmodels'
    default start). The local level starts from statsmodels' own guess."""
    if structure != TREND or len(z) < 3:
        return None
    v = float(np.var(np.diff(z), ddof=1))
    return [v] if v > 0 else None


def pooled(found: list[Variances], source: str, own: bool) -> Variances:
    """The median of each variance over the lenders (a robust pool of a handful of fits)."""
    params = tuple(float(np.median([v.params[i] for v in found])) for i in range(len(found[0].params)))
    return Variances(found[0].structure, params, found[0].relative, source, own)


def default(sigma: float, structure: str) -> Variances:
    """No long series to learn from: a yearly variance of `sigma`² on the series' own scale (the
    caller takes the larger of the calibration's default spread and the series' own yearly change:
    two to four points say at least that a year can move that much)."""
    v = sigma**2
    params = (v, v) if structure == LEVEL else (v,)
    source = "no longer series: the larger of the default spread and its own yearly change"
    return Variances(structure, params, False, source)


@dataclass(frozen=True)
class ShortForecast:
    structure: str
    centre: np.ndarray  # model scale, years after the last figure
    se: np.ndarray  # the model's forecast standard error for those years
    model: str  # the statsmodels class and key settings, for the model column


def forecast(years: np.ndarray, z: np.ndarray, h: int, variances: Variances) -> ShortForecast:
    """Forecast `h` years after the last figure with the variances held fixed (`smooth`, no fit)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    grid = np.full(int(years[-1] - years[0]) + 1, np.nan)
    grid[years - years[0]] = z
    structure = variances.structure
    try:
        with quiet():
            model = UnobservedComponents(grid, structure, use_exact_diffuse=True)
            result = model.smooth(np.asarray(variances.params, dtype=float))
            made = result.get_forecast(h)
            centre = np.asarray(made.predicted_mean, dtype=float)
            se = np.asarray(made.se_mean, dtype=float)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise ModelFailure(f"statsmodels could not filter the series: {exc}") from exc
    if not (np.isfinite(centre).all() and np.isfinite(se).all()):
        raise ModelFailure("statsmodels returned a forecast that is not finite")
    return ShortForecast(structure, centre, np.maximum(se, 1e-12), model_name(structure, variances))


def model_name(structure: str, variances: Variances) -> str:
    return f"{MODEL_CLASS}({structure}, variances fixed from {variances.source})"


def structure_for(z: np.ndarray, cumulative: bool, lenders_level: bool) -> tuple[str, str]:
    """Which structure a short series gets, and why (said in the reason)."""
    if len(z) == 1:
        return RWALK, "one exact figure: its level held (one figure cannot estimate a drift)"
    if cumulative and len(z) >= 2 and z[-1] <= z[-2]:
        return LEVEL, "a count that only accumulates added nothing since its previous figure: level held"
    if lenders_level:
        return LEVEL, "most of the indicator's longer series have no trend to extrapolate: level only"
    return TREND, ""


def cell(n_points: int, own: bool) -> str:
    """The calibration cell of a short series: its number of figures, and whether its variances came
    from its own indicator (`short 3`) or from further afield (`short 3 other`: other indicators or
    the default, raised to the series' own yearly change), whose errors differ in size. One figure
    (with a bound) takes the two-figure cell: no held-back one-figure case was measured."""
    return f"short {max(n_points, 2)}" + ("" if own else " other")
