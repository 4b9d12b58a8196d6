"""Calibrated forecast errors: how far annual series really land from their point forecasts.

Raw model intervals on 5–15 annual points are far too narrow (references.md). Instead every forecast
error is measured in units of the series' own spread (`sigma_eff`, see forecast.spread) and the
distribution of these standardised errors, per series length and horizon, is read from rolling-origin
backtests and stored as quantiles in data/forecast_calibration.csv. `bench/calibrate_forecast.py`
writes that file; methods.qmd says which series it was derived from. Reading the file is
analysis.io.readers.settings; `from_frame` builds the model from its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.schema import CALIBRATION_COLUMNS as FILE_COLUMNS

LEVELS = np.round(np.arange(1, 100) / 100, 2)  # quantile levels stored: 1 %, 2 %, ..., 99 %
LENGTH_CLASSES = [(2, 4), (5, 7), (8, 11), (12, 19), (20, 10_000)]
# How much of a series' movement is noise: r = sigma / |drift| (model scale). Smooth trending series
# miss by more, in units of sigma, than noisy ones when their trend bends.
REGIMES = [("trend", 0.5), ("mixed", 2.0), ("noise", np.inf)]
P_FLOOR, P_CEIL = 0.01, 0.99  # a forecast never makes a target certain: beyond the table it says <1 % / >99 %


def class_label(low: int, high: int) -> str:
    return f"{low}+" if high >= 10_000 else f"{low}-{high}"


def length_class(n_points: int) -> str:
    for low, high in LENGTH_CLASSES:
        if low <= n_points <= high:
            return class_label(low, high)
    raise ValueError(f"no length class for {n_points} points")


def regime(sigma: float, slope: float) -> str:
    ratio = sigma / abs(slope) if slope else np.inf
    return next(name for name, upper in REGIMES if ratio <= upper or np.isnan(ratio))


def cell(n_points: int, sigma: float, slope: float) -> str:
    """The calibration cell of a series: its length class and regime, e.g. `8-11 trend`."""
    return f"{length_class(n_points)} {regime(sigma, slope)}"


def all_cells() -> list[str]:
    return [f"{class_label(lo, hi)} {name}" for lo, hi in LENGTH_CLASSES for name, _ in REGIMES]


@dataclass(frozen=True)
class Calibration:
    """The standardised-error quantiles and the settings they were derived with."""

    kappa: float  # weight of the trend in the spread: sigma_eff = sqrt(sigma² + (kappa·drift)²)
    default_sigma: dict[str, float]  # per scale, when no series can lend its spread
    quantiles: dict[str, np.ndarray]  # cell → array[horizon − 1, level]

    @property
    def max_horizon(self) -> int:
        return next(iter(self.quantiles.values())).shape[0]

    def table(self, cell: str, horizons: np.ndarray) -> np.ndarray:
        """Quantiles (rows: horizons, columns: LEVELS); beyond the table, widths grow in proportion to h."""
        q = self.quantiles[cell]
        h = np.asarray(horizons, dtype=int)
        rows = q[np.minimum(h, self.max_horizon) - 1]
        stretch = np.maximum(h / self.max_horizon, 1.0)[:, None]
        return rows * stretch

    def quantile(self, cell: str, horizons: np.ndarray, level: float) -> np.ndarray:
        table = self.table(cell, horizons)
        return np.array([np.interp(level, LEVELS, row) for row in table])

    def probability(self, cell: str, horizon: int, x: float, above: bool) -> float:
        """P(standardised error ≥ x) or P(≤ x), kept within [P_FLOOR, P_CEIL]."""
        row = self.table(cell, np.array([horizon]))[0]
        below = float(np.interp(x, row, LEVELS, left=0.0, right=1.0))
        return float(np.clip(1 - below if above else below, P_FLOOR, P_CEIL))


def from_frame(frame: pd.DataFrame) -> Calibration:
    """Build a Calibration from the long table (the file's rows)."""
    scalars = frame[frame["parameter"] != "error_quantile"]
    kappa = float(scalars.loc[scalars["parameter"] == "kappa", "value"].iloc[0])
    sigmas = {
        p.removeprefix("default_sigma_"): float(v)
        for p, v in zip(scalars["parameter"], scalars["value"], strict=True)
        if p.startswith("default_sigma_")
    }
    rows = frame[frame["parameter"] == "error_quantile"]
    quantiles = {}
    for label, group in rows.groupby("cell", sort=False):
        wide = group.pivot(index="horizon", columns="level", values="value").sort_index()
        quantiles[str(label)] = monotone(wide.to_numpy(dtype=float))
    return Calibration(kappa, sigmas, quantiles)


def monotone(table: np.ndarray) -> np.ndarray:
    """Strictly increasing quantiles per row, so the CDF can be read back by interpolation."""
    return np.maximum.accumulate(table, axis=1) + np.arange(table.shape[1]) * 1e-9


def to_frame(calibration: Calibration) -> pd.DataFrame:
    """The long table written to data/forecast_calibration.csv."""
    rows = [("kappa", "", 0, np.nan, calibration.kappa)]
    rows += [(f"default_sigma_{k}", "", 0, np.nan, v) for k, v in sorted(calibration.default_sigma.items())]
    for label, table in calibration.quantiles.items():
        for h, row in enumerate(table, start=1):
            rows += [("error_quantile", label, h, level, z) for level, z in zip(LEVELS, row, strict=True)]
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


def quantile_table(errors: pd.DataFrame, max_horizon: int) -> dict[str, np.ndarray]:
    """Empirical quantiles of standardised errors (columns cell, horizon, z) per cell and horizon.

    A horizon with fewer than 500 errors pools its neighbours h−1..h+1; with fewer than 50 even so,
    the previous horizon's quantiles are stretched in proportion to h. Widths never shrink with h.
    """
    out = {}
    for label in all_cells():
        sub = errors[errors["cell"] == label]
        table = np.empty((max_horizon, len(LEVELS)))
        for h in range(1, max_horizon + 1):
            z = sub.loc[sub["horizon"] == h, "z"].to_numpy()
            if len(z) < 500:
                z = sub.loc[sub["horizon"].between(h - 1, h + 1), "z"].to_numpy()
            z = z[np.isfinite(z)]
            if len(z) >= 50:
                table[h - 1] = np.quantile(z, LEVELS)
            else:
                table[h - 1] = table[h - 2] * h / (h - 1)
        out[label] = widen_with_horizon(table)
    return out


def widen_with_horizon(table: np.ndarray) -> np.ndarray:
    """Lower quantiles never rise and upper ones never fall as the horizon grows."""
    median = table[:, [len(LEVELS) // 2]]
    spread = table - median
    lower = np.minimum.accumulate(np.minimum(spread, 0), axis=0)
    upper = np.maximum.accumulate(np.maximum(spread, 0), axis=0)
    return median + np.where(spread < 0, lower, upper)


# --- widening or narrowing a table to what held-back real series show ------------------------------
# Used by the benches that write data/forecast_calibration.csv (bench/short_series.py,
# bench/calibrate_forecast.py); production only reads the quantiles they wrote.

TARGET_COVER = 0.8
FACTORS = np.round(np.arange(0.3, 4.0001, 0.01), 2)  # the spread factors tried, smallest first


def symmetric_quantiles(z: np.ndarray) -> np.ndarray:
    """Quantiles at LEVELS of errors counted with both signs: an interval centred on the point forecast,
    as wide as the errors' sizes say (a few dozen errors cannot say which side a new series misses on)."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    return np.quantile(np.concatenate([z, -z]), LEVELS)


def spread_scaled(table: np.ndarray, factor: float) -> np.ndarray:
    """Every quantile moved `factor` times as far from its row's median (the median stays)."""
    median = table[:, [len(LEVELS) // 2]]
    return median + factor * (table - median)


def needed_factor(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The smallest spread factor that puts each standardised error `x` inside the 80 % interval of its
    quantile row (one row of `rows` per error): 0.5 is half the width, 2 twice."""
    rows = np.atleast_2d(rows)
    at = [np.array([np.interp(p, LEVELS, r) for r in rows]) for p in (0.1, 0.5, 0.9)]
    lo, median, hi = at
    x = np.asarray(x, dtype=float)
    above = (x - median) / np.maximum(hi - median, 1e-12)
    below = (median - x) / np.maximum(median - lo, 1e-12)
    return np.where(x >= median, above, below)


def smallest_factor(needed: np.ndarray, target: float = TARGET_COVER) -> float:
    """The smallest factor of FACTORS whose intervals hold at least `target` of the errors."""
    needed = np.asarray(needed, dtype=float)
    needed = needed[np.isfinite(needed)]
    if len(needed) == 0:
        return 1.0
    return float(next((f for f in FACTORS if np.mean(needed <= f) >= target), FACTORS[-1]))
