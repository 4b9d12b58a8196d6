"""The candidate models: one `fit(z) -> Fitted`, `Fitted.predict(h)` interface over statsmodels.

Every model-based candidate is fitted and forecast by statsmodels (`statsmodels.tsa.holtwinters`,
`statsmodels.tsa.forecasting.theta`, `statsmodels.regression.linear_model`); naive and drift are
closed-form. Each model names the statsmodels class and options it uses, for the Methods page.
Models see a series already on its model scale (see transforms) and on an annual grid.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class ModelFailure(Exception):
    """statsmodels could not fit or forecast this series (the caller falls back and says so)."""


class Fitted(Protocol):
    def predict(self, h: int) -> np.ndarray: ...


class Model(Protocol):
    name: str
    engine: str  # the statsmodels class and options, or "closed form"
    cite: str  # the same, short, for the forecast's model column
    min_points: int

    def fit(self, z: np.ndarray) -> Fitted: ...


@dataclass(frozen=True)
class Path:
    """A forecast already computed to some horizon (closed-form models)."""

    last: float
    step: float

    def predict(self, h: int) -> np.ndarray:
        return self.last + self.step * np.arange(1, h + 1)


@dataclass(frozen=True)
class StatsmodelsFit:
    """A fitted statsmodels results object; forecasts come from its own `forecast`."""

    result: object

    def predict(self, h: int) -> np.ndarray:
        with quiet():
            out = np.asarray(self.result.forecast(h), dtype=float)
        if out.shape != (h,) or not np.isfinite(out).all():
            raise ModelFailure("statsmodels returned a forecast that is not finite")
        return out


@dataclass(frozen=True)
class OlsFit:
    result: object
    n: int

    def predict(self, h: int) -> np.ndarray:
        t = np.arange(self.n, self.n + h, dtype=float)
        return np.asarray(self.result.predict(np.column_stack([np.ones(h), t])), dtype=float)


@contextmanager
def quiet() -> Iterator[None]:
    """statsmodels warns on every short series (convergence, few observations); the backtest judges
    the fits instead, so the warnings are silenced where the fits are made."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class Naive:
    name, engine, min_points = "naive", "closed form: the last value, held", 1
    cite = "last value held (no model; a baseline in the benchmarks only)"

    def fit(self, z: np.ndarray) -> Fitted:
        return Path(float(z[-1]), 0.0)


class Drift:
    name, engine, min_points = (
        "drift",
        "statsmodels `OLS(steps, 1)`: random walk with drift, the mean yearly step",
        2,
    )
    cite = "statsmodels.regression.linear_model.OLS(yearly steps on a constant: random walk with drift)"

    def fit(self, z: np.ndarray) -> Fitted:
        from statsmodels.regression.linear_model import OLS

        steps = np.diff(z)
        with quiet():
            step = float(OLS(steps, np.ones(len(steps))).fit().params[0])
        return Path(float(z[-1]), step)


class Linear:
    name, engine, min_points = "linear", "statsmodels `OLS(z, [1, t])`: least-squares straight line", 3
    cite = "statsmodels.regression.linear_model.OLS(values on [1, year]: straight line)"

    def fit(self, z: np.ndarray) -> Fitted:
        from statsmodels.regression.linear_model import OLS

        t = np.arange(len(z), dtype=float)
        return OlsFit(OLS(z, np.column_stack([np.ones(len(z)), t])).fit(), len(z))


class SimpleSmoothing:
    name = "ses"
    engine = (
        "statsmodels `SimpleExpSmoothing(z, initialization_method='estimated')`"
        "`.fit(use_brute=False)`: level only"
    )
    min_points = 3
    cite = "statsmodels.tsa.holtwinters.SimpleExpSmoothing(level only, initial level estimated)"

    def fit(self, z: np.ndarray) -> Fitted:
        from statsmodels.tsa.holtwinters import SimpleExpSmoothing

        return _fitted(lambda: SimpleExpSmoothing(z, initialization_method="estimated").fit(use_brute=False))


DAMPING_BOUNDS = (0.8, 0.98)  # the range usual for annual data (Hyndman & Athanasopoulos, ETS)


class DampedTrend:
    name = "damped"
    engine = (
        "statsmodels `ExponentialSmoothing(z, trend='add', damped_trend=True, "
        "initialization_method='estimated', "
        f"bounds={{'damping_trend': {DAMPING_BOUNDS}}})`.fit(use_brute=False)`: additive damped trend"
    )
    min_points = 4
    cite = (
        "statsmodels.tsa.holtwinters.ExponentialSmoothing(additive damped trend, damping in "
        f"[{DAMPING_BOUNDS[0]}, {DAMPING_BOUNDS[1]}], initial states estimated)"
    )

    def fit(self, z: np.ndarray) -> Fitted:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        return _fitted(
            lambda: ExponentialSmoothing(
                z,
                trend="add",
                damped_trend=True,
                initialization_method="estimated",
                bounds={"damping_trend": DAMPING_BOUNDS},
            ).fit(use_brute=False)
        )


class Theta:
    name = "theta"
    engine = "statsmodels `ThetaModel(z, period=1, deseasonalize=False).fit()`: θ = 2"
    min_points = 4
    cite = "statsmodels.tsa.forecasting.theta.ThetaModel(θ = 2, no seasonality)"

    def fit(self, z: np.ndarray) -> Fitted:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        return _fitted(lambda: ThetaModel(z, period=1, deseasonalize=False).fit())


def _fitted(make) -> Fitted:
    try:
        with quiet():
            return StatsmodelsFit(make())
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
        raise ModelFailure(f"statsmodels could not fit: {exc}") from exc


MODELS: dict[str, Model] = {
    m.name: m for m in (Naive(), Drift(), Linear(), SimpleSmoothing(), DampedTrend(), Theta())
}
# Equal-weight combinations (M4: combinations win most often on yearly data).
COMBINATIONS: dict[str, tuple[str, ...]] = {"damped+drift": ("damped", "drift")}
METHODS = list(MODELS) + list(COMBINATIONS)


def cite(method: str) -> str:
    """The statsmodels class(es) and key settings behind a method, for the model column."""
    parts = COMBINATIONS.get(method, (method,))
    if len(parts) == 1:
        return MODELS[method].cite
    return "equal-weight mean of " + " and ".join(MODELS[p].cite for p in parts)


_SPENT = [0.0]  # seconds inside model fits and forecasts in this process (bench/scale.py reads it)


def seconds_fitting() -> float:
    return _SPENT[0]


def members(methods: list[str] | tuple[str, ...]) -> list[str]:
    return sorted({m for name in methods for m in COMBINATIONS.get(name, (name,))})


def forecasts(z: np.ndarray, h: int, methods: list[str] | tuple[str, ...]) -> dict[str, np.ndarray]:
    """Forecasts of several methods; each model is fitted once even when combinations share it.
    A model that fails, or that needs more points than z has, is missing from the result."""
    single = {}
    for name in members(methods):
        model = MODELS[name]
        if len(z) < model.min_points:
            continue
        started = time.perf_counter()
        try:
            single[name] = model.fit(z).predict(h)
        except ModelFailure:
            continue
        finally:
            _SPENT[0] += time.perf_counter() - started
    out = {}
    for name in methods:
        parts = COMBINATIONS.get(name, (name,))
        if all(p in single for p in parts):
            out[name] = np.mean([single[p] for p in parts], axis=0)
    return out
