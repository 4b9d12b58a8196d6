"""Which method forecasts a series, decided by the series' own rolling-origin backtest.

This is the expensive part (every statsmodels fit happens here), so it works on plain arrays, runs on
any executor and its results are cached by the series' content (`key`). bench/forecast_skill.py holds
the evidence for the settings below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

import analysis.forecasting.models as models

# The final method chooses, per series, between these by its own rolling-origin backtest.
CHOICES = ("damped", "damped+drift")
BACKTEST_FROM = 8  # grid points; shorter series are too short for a backtest to choose, they get DEFAULT
DEFAULT = "damped+drift"
# Three origins, every candidate refitted at each (four damped fits per series). Measured side by side
# on 2,000 synthetic series of bench/scale.py (bench/forecast_skill.py --side-by-side 2000): one pass
# from one origin with a single fit (its parameters held fixed there) cost MASE 1.101 against 1.087,
# one origin refitted with a warm-started final fit 1.101 as well, three origins with fixed parameters
# 1.107; the fits were not what made the batch slow (one BLAS thread per process was, see
# analysis/__init__.py), so the choice keeps its three refits.
BACKTEST_ORIGINS, BACKTEST_STEPS, BACKTEST_MIN_FIT = 3, 3, 5
# A series whose drift is smaller than its own standard error (|drift|·√(n−1)/σ below this) has no
# trend to extrapolate: it gets a level (ses) instead of a trend, the way an information criterion
# picks a level model for a noisy flat series.
LEVEL_BELOW_T = 1.0
LEVEL = "ses"
PATH_YEARS = 60  # forecast years kept per decision (the cache holds paths this long)
FALLBACK = "drift"


@dataclass(frozen=True)
class Decision:
    method: str
    errors: dict[str, float]  # mean absolute backtest error per method (model scale); empty if none
    note: str  # what went wrong and what was done instead, if anything
    path: np.ndarray  # the method's forecast for the PATH_YEARS years after the last point


def settings_text() -> str:
    import statsmodels

    return (
        f"v2|{LEVEL_BELOW_T}|statsmodels {statsmodels.__version__}|numpy {np.__version__}|{CHOICES}|"
        f"{BACKTEST_FROM}|{DEFAULT}|{BACKTEST_ORIGINS}|{BACKTEST_STEPS}|{BACKTEST_MIN_FIT}|{PATH_YEARS}|"
        + "|".join(f"{m.name}:{m.engine}" for m in models.MODELS.values())
    )


def key(z: np.ndarray, settings: str) -> str:
    """The cache key of a series on its model scale and annual grid."""
    digest = hashlib.sha256(settings.encode())
    digest.update(np.ascontiguousarray(z, dtype="<f8").tobytes())
    return digest.hexdigest()


def backtest_errors(z: np.ndarray, methods: tuple[str, ...]) -> dict[str, float]:
    """Mean absolute error of 1–3-step forecasts from the series' last origins (model scale); every
    candidate is fitted once per origin. A method that failed at an origin counts as infinitely wrong."""
    n, errors = len(z), {m: [] for m in methods}
    for origin in range(max(BACKTEST_MIN_FIT, n - BACKTEST_ORIGINS), n):
        steps = min(BACKTEST_STEPS, n - origin)
        made = models.forecasts(z[:origin], steps, methods)
        for name in methods:
            f = made.get(name)
            errors[name].append(
                np.inf if f is None else float(np.mean(np.abs(z[origin : origin + steps] - f)))
            )
    return {m: float(np.mean(e)) for m, e in errors.items()}


def drift_t(z: np.ndarray) -> float:
    """The drift of a random walk with drift over its standard error (the steps' spread / √steps)."""
    steps = np.diff(z)
    sd = float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0
    drift = float(np.mean(steps))
    if sd == 0:
        return np.inf if drift else 0.0
    return abs(drift) * np.sqrt(len(steps)) / sd


def decide(z: np.ndarray) -> Decision:
    """The method for one series (five points or more on an annual grid) and its forecast path."""
    errors: dict[str, float] = {}
    t = drift_t(z)
    why = ""
    if t < LEVEL_BELOW_T and np.ptp(z) > 0:
        ranked = [LEVEL, DEFAULT]
        why = f"{LEVEL}: no trend to extrapolate (drift / its standard error = {t:.2f} < {LEVEL_BELOW_T:g})"
    elif len(z) >= BACKTEST_FROM:
        errors = backtest_errors(z, CHOICES)
        ranked = sorted(CHOICES, key=lambda m: (errors[m], CHOICES.index(m)))
    else:
        ranked = [DEFAULT]
        why = f"{DEFAULT}: too few points for a backtest to choose (fewer than {BACKTEST_FROM})"
    for method in ranked:
        path = models.forecasts(z, PATH_YEARS, [method]).get(method)
        if path is not None:
            failed = "" if method == ranked[0] else f"{ranked[0]} could not be fitted; {method} used"
            return Decision(method, errors, "; ".join(n for n in (why, failed) if n), path)
    path = models.forecasts(z, PATH_YEARS, [FALLBACK])[FALLBACK]
    return Decision(FALLBACK, errors, f"{ranked[0]} could not be fitted; {FALLBACK} used", path)


def decide_many(series: list[np.ndarray]) -> tuple[list[Decision], float]:
    """Decisions for many series and the seconds spent inside the models' fits (for bench/scale.py)."""
    started = models.seconds_fitting()
    out = [decide(z) for z in series]
    return out, models.seconds_fitting() - started
