"""One annual series and the arithmetic every forecasting module shares: its grid and its spread."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.forecasting.transforms import Bounds

MIN_MODEL_POINTS = 5  # below this a series borrows its variances from longer series (see sparse)


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
        return self.where(keep), f"bounds left out of fitting ({dropped})"

    def where(self, keep: np.ndarray) -> Series:
        return Series(
            self.region,
            self.indicator,
            self.years[keep],
            self.values[keep],
            self.qualifiers[keep],
            self.bounds,
        )


def annual_grid(years: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Values on every year from first to last; gaps are filled by straight lines (said in the reason)."""
    if len(years) == years[-1] - years[0] + 1:
        return z
    return np.interp(np.arange(years[0], years[-1] + 1), years, z)


def spread(years: np.ndarray, z: np.ndarray) -> tuple[float, float]:
    """Per-year drift and the standard deviation of yearly steps around it (random walk with drift;
    a step over a gap of g years counts with variance g·sigma²). sigma is NaN below 3 points; one
    point has no drift (0)."""
    steps, gaps = np.diff(z), np.diff(years).astype(float)
    slope = float(z[-1] - z[0]) / (years[-1] - years[0]) if len(z) > 1 else 0.0
    if len(steps) < 2:
        return slope, math.nan
    return slope, float(np.sqrt(np.sum((steps - gaps * slope) ** 2 / gaps) / (len(steps) - 1)))
