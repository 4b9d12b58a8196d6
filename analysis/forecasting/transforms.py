"""Scales that keep forecasts inside an indicator's natural bounds.

Shares are modelled on the logit scale between their bounds, positive quantities on the log scale
above their lower bound, anything else on the raw scale (clipped to any bound it has). Models see
only the transformed series; forecasts are transformed back, so a share never passes 100 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SCALES = ("identity", "log", "logit")


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
            "a count that only accumulates: raw scale, never falling",
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


def near_bound(goal: float, bounds: Bounds) -> float:
    """A goal at a natural bound (全覆盖 = 100 %) counts as met within 0.05 of it, the rounding of a
    figure printed to one decimal; a model on the logit scale never reaches the bound itself."""
    if goal >= bounds.upper:
        return bounds.upper - 0.05
    if goal <= bounds.lower:
        return bounds.lower + 0.05
    return goal
