"""Derive data/forecast_calibration.csv: the distribution of standardised forecast errors.

    .venv/bin/python bench/calibrate_forecast.py            # writes data/forecast_calibration.csv

Calibration series (never the ones bench/forecast_skill.py tests on): the World Bank fertility
series of the countries at even positions of statsmodels' `fertility` data set, and synthetic series
of eight shapes from seed 1 (bench/backtest.py). Histories of 2–30 points are cut from them at every
tenth origin (a documented subsample: every statsmodels fit costs ~20 times the former numpy
recursion, and every second origin would take five times as long) and the final point forecast is
scored 1–25 years ahead on the model scale. A 2–4-point history borrows the median spread of the other
series of its shape and, when most of them have no trend, holds its last value, as production borrows
from an indicator's other series. About 4 minutes on two cores. (Production's 2–4-point series use
the `short n` cells instead, derived on held-back real series by bench/short_series.py --write; this
script keeps those rows as they are. The 2–4 cells here serve a calibration file without them.)

1. kappa, the weight of the trend in the spread, is chosen from a grid by the 80 % interval score
   (width plus penalties, in units of the history's mean step) on half the series, with quantiles
   taken from the other half.
2. With that kappa the error quantiles (1 %…99 %) are taken per length class and horizon from all of
   them, and the default spreads for series with no long sibling are the medians of the whole series.
3. The fertility and synthetic series move more than the real series we forecast (national and
   provincial health statistics): their intervals held 0.87 of the long real series' held-back
   figures. So every cell of five points or more has its spread about the median scaled by one
   factor, the smallest that holds 80 % of those figures (every shipped series of six figures or
   more, cut at each origin with five or more, 1–6 years ahead: bench/short_series.py). Chosen
   without each indicator in turn, the factor's intervals hold 0.77 of that indicator's figures (the
   out-of-sample figure Methods reports).
The output is deterministic: same package versions, same file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import forecasting as fc  # noqa: E402
from analysis.forecasting import calibration as calib  # noqa: E402
from analysis.io.readers.settings import calibration_file  # noqa: E402
from analysis.io.writers import write_csv  # noqa: E402
from analysis.pipeline import Project, load_calibration  # noqa: E402

KAPPAS = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0]  # reaches past the best value on both sides
SYNTHETIC_SEED, SYNTHETIC_PER_KIND = 1, 8
ORIGIN_STEP = 10  # every tenth origin of every series (see above)


def calibration_cases() -> list[bt.Case]:
    return bt.fertility_cases("even") + bt.synthetic_cases(SYNTHETIC_SEED, SYNTHETIC_PER_KIND)


def with_class(errors: pd.DataFrame, kappa: float) -> pd.DataFrame:
    cells = [
        calib.cell(n, sigma, slope)
        for n, sigma, slope in zip(errors["n"], errors["sigma"], errors["slope"], strict=True)
    ]
    return pd.DataFrame(
        {"cell": cells, "horizon": errors["horizon"].to_numpy(), "z": bt.standardise(errors, kappa)}
    )


def interval_score(errors: pd.DataFrame, table: dict[str, np.ndarray], kappa: float) -> float:
    """Mean 80 % interval score in units of each history's mean step (MSIS as in the M4 competition),
    the worst 1 % capped: flat histories (mean step ≈ 0) would otherwise decide alone."""
    z = with_class(errors, kappa)
    sigma_eff = fc.effective_sigma(
        errors["sigma"].to_numpy(), errors["slope"].to_numpy(), errors["level"].to_numpy(), kappa
    )
    lo, hi = np.empty(len(z)), np.empty(len(z))
    for label, rows in z.groupby("cell").groups.items():
        h = np.minimum(z.loc[rows, "horizon"].to_numpy(), bt.MAX_H) - 1
        lo[rows] = np.array([np.interp(0.1, calib.LEVELS, r) for r in table[label][h]])
        hi[rows] = np.array([np.interp(0.9, calib.LEVELS, r) for r in table[label][h]])
    e = z["z"].to_numpy()
    score = (hi - lo) + 10 * np.maximum(lo - e, 0) + 10 * np.maximum(e - hi, 0)
    scaled = score * sigma_eff / errors["scale"].to_numpy()
    return float(np.mean(np.minimum(scaled, np.quantile(scaled, 0.99))))


def choose_kappa(errors: pd.DataFrame) -> float:
    fit_half, score_half = errors[errors["case"] % 2 == 0], errors[errors["case"] % 2 == 1]
    scores = {}
    for kappa in KAPPAS:
        table = calib.quantile_table(with_class(fit_half, kappa), bt.MAX_H)
        scores[kappa] = interval_score(score_half.reset_index(drop=True), table, kappa)
        print(f"kappa {kappa:4.2f}: mean scaled 80 % interval score {scores[kappa]:.3f}", flush=True)
    return min(scores, key=scores.get)


def default_sigmas(cases: list[bt.Case]) -> dict[str, float]:
    lent: dict[str, list[float]] = {}
    for case in cases:
        found = fc.relative_sigma(bt.as_series(case, slice(None)))
        if found and np.isfinite(found.sigma):
            lent.setdefault(found.kind, []).append(found.sigma)
    return {kind: float(np.median(values)) for kind, values in sorted(lent.items())}


def main() -> None:
    started = time.perf_counter()
    cases = calibration_cases()
    errors = bt.model_errors(cases, step=ORIGIN_STEP, jobs=2)
    print(
        f"{len(cases)} calibration series, {len(errors)} scored forecasts "
        f"({time.perf_counter() - started:.1f} s)"
    )
    kappa = choose_kappa(errors)
    table = calib.quantile_table(with_class(errors, kappa), bt.MAX_H)
    # the short-series cells come from held-back real series (bench/short_series.py --write): kept
    table |= {k: v for k, v in load_calibration(Project.here()).quantiles.items() if k.startswith("short ")}
    result = calib.Calibration(kappa, default_sigmas(cases), table)
    factor = real_series_factor(result)
    table = {k: calib.spread_scaled(v, factor) if long_cell(k) else v for k, v in table.items()}
    result = calib.Calibration(kappa, result.default_sigma, table)
    out = calibration_file()
    write_csv(calib.to_frame(result), out, float_format="%.6g")
    print(
        f"kappa = {kappa}; default spreads {result.default_sigma}; long cells' spreads × {factor:g}; "
        f"written {out}"
    )


def long_cell(label: str) -> bool:
    """The cells of five figures or more, the ones the long real series can test (the 2–4 cells serve a
    file without `short n` cells and the former pace's baseline in bench/short_series.py: kept)."""
    return not label.startswith(("short ", "2-4 "))


def real_series_factor(cal: calib.Calibration) -> float:
    """The factor on the long cells' spreads that holds 80 % of the shipped long real series' held-back
    figures (bench/short_series.py cuts them at every origin and prints the factor chosen without each
    indicator, and the coverage that gives: the out-of-sample figure)."""
    import short_series

    rows = short_series.long_rows(cal)
    factor = short_series.long_factor(rows)
    print(f"{len(rows)} held-back figures of {rows['series'].nunique()} long real series: factor {factor:g}")
    return factor


if __name__ == "__main__":
    main()
