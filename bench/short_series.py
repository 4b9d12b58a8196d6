"""Short series held back from the long real series we ship: coverage and error per length.

    .venv/bin/python bench/short_series.py                 # prints the tables
    .venv/bin/python bench/short_series.py --write         # and writes the `short n` cells of
                                                           # data/forecast_calibration.csv
    /tmp/sf-venv/bin/python bench/short_series.py          # adds AutoETS (statsforecast installed there)

Cases: every real series of data/observations.csv with six exact figures or more (national and
provincial; nothing synthetic) is cut at each of its figures (the origin) to its last 2, 3 and 4
figures up to that origin, and forecast 1–6 years ahead; the figures after the origin score it. The
series of the same indicator (its own longer past and its siblings in other regions) are cut at the
same origin and lend their variances as production lends them (analysis.forecasting.lending), so a
case sees nothing a researcher would not have seen in that year.

Printed per history length (2, 3, 4 figures), side by side in one run:
- coverage of the 80 % interval: the engine with the calibration it ships, the engine with `short n`
  quantiles and their spread factor derived from the other indicators only (leave one indicator out,
  the factor itself chosen leaving each of those out in turn: the honest figure), the former pace with
  its 2–4-point cells, AutoETS's own 80 % interval when statsforecast is installed;
- mean scaled error (absolute error over the series' mean yearly step up to the origin) of the
  engine's statsmodels model, the pace, naive (last value held) and AutoETS.
Then the long series (five figures or more up to the origin): coverage as shipped and with the long
cells' spread factor chosen on the other indicators only (bench/calibrate_forecast.py chooses it on all).
`--write` derives the `short n` quantiles (standardised errors: error over the model's own forecast
standard error, pooled over horizons 1–6, both signs, spread × the leave-one-indicator-out factor) from
all cases and writes them into the calibration file; every other row of the file is kept as it is.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny fits: BLAS threads only compete (forecast_skill.py)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import forecasting as fc  # noqa: E402
from analysis import pipeline  # noqa: E402
from analysis.forecasting import calibration as calib  # noqa: E402
from analysis.forecasting import core  # noqa: E402

LENGTHS = (2, 3, 4)
MAX_H = 6
LONG = 6  # figures a shipped series needs to be cut into held-back cases


def shipped(min_points: int) -> list[bt.Case]:
    return bt.shipped_cases(min_points)


def lenders_at(case: bt.Case, siblings: list[bt.Case], origin: int, own: bool) -> list[fc.Series]:
    """The series that lend at `origin`: every shipped series cut at that year (its own past too,
    unless `own` is False: then only siblings in other regions and other indicators)."""
    out = []
    for s in siblings:
        if not own and s.name == case.name:
            continue
        keep = s.years <= origin
        if keep.sum() >= fc.MIN_MODEL_POINTS:
            n = int(keep.sum())
            out.append(
                fc.Series(s.name, indicator_of(s), s.years[keep], s.values[keep], np.full(n, "="), s.bounds)
            )
    return out


def indicator_of(case: bt.Case) -> str:
    return case.name.split()[-1]


def cases(own: bool) -> list[tuple[bt.Case, fc.Series, np.ndarray, np.ndarray, list[fc.Series]]]:
    """(case, history, future years, future values, lenders) for every cut."""
    everything = shipped(2)
    out = []
    for case in shipped(LONG):
        for last in range(1, len(case.years) - 1):
            origin = int(case.years[last])
            future = (case.years > origin) & (case.years <= origin + MAX_H)
            if not future.any():
                continue
            lenders = lenders_at(case, everything, origin, own)
            for n in LENGTHS:
                if last + 1 < n:
                    continue
                part = slice(last + 1 - n, last + 1)
                history = fc.Series(
                    "case",
                    indicator_of(case),
                    case.years[part],
                    case.values[part],
                    np.full(n, "="),
                    case.bounds,
                )
                out.append((case, history, case.years[future], case.values[future], lenders))
    return out


def scale_of(case: bt.Case, origin: int) -> float:
    """Mean absolute yearly step of the series up to the origin (gaps spread evenly)."""
    keep = case.years <= origin
    years, values = case.years[keep], case.values[keep]
    steps = np.abs(np.diff(values)) / np.diff(years)
    return float(max(steps.mean(), 1e-9))


def engine_rows(cut_cases, cal: calib.Calibration) -> pd.DataFrame:
    """The engine's forecast of every case: errors, standardised errors and the old pace alongside."""
    rows = []
    for ci, (case, history, years, values, lenders) in enumerate(cut_cases):
        lent_map = fc.lenders_of(lenders)
        borrowed = fc.borrowed_for(history, lent_map, cal, {})
        fit = fc.fit_many([history], [int(years[-1])], [borrowed], fc.MemoryCache())[0]
        at = years - history.years[-1] - 1
        kind = fit.kind
        actual = fc.to_model(values, kind, history.bounds)
        pred = fc.calibrated(history, fit, cal)
        z_hist = fc.to_model(history.values, kind, history.bounds)
        slope, _ = fc.spread(history.years, z_hist)
        pace_centre = z_hist[-1] + slope * (at + 1)
        pace_sigma = float(core.effective_sigma(borrowed.sigma, slope, fit.level, cal.kappa))
        pace_cell = calib.cell(len(history.values), borrowed.sigma, slope)
        pace = fc.Predictive(
            fit.years,
            z_hist[-1] + slope * np.arange(1, len(fit.years) + 1),
            pace_sigma,
            len(history.values),
            pace_cell,
            kind,
            history.bounds,
            float(history.values[-1]),
            "pace",
            "",
        )
        scale = scale_of(case, int(history.years[-1]))
        for j, h in enumerate(at):
            rows.append(
                {
                    "case": ci,
                    "indicator": history.indicator,
                    "series": case.name,
                    "n": len(history.values),
                    "h": int(h) + 1,
                    "actual": values[j],
                    "scale": scale,
                    "engine": pred.point()[h],
                    "pace": pace.point()[h],
                    "naive": history.values[-1],
                    "z": (actual[j] - fit.centre[h]) / fit.se[h] if fit.se is not None else np.nan,
                    "engine_lo": pred.quantile(0.1, cal)[h],
                    "engine_hi": pred.quantile(0.9, cal)[h],
                    "pace_lo": pace.quantile(0.1, cal)[h],
                    "pace_hi": pace.quantile(0.9, cal)[h],
                    "centre": fit.centre[h],
                    "se": fit.se[h] if fit.se is not None else np.nan,
                    "kind": kind,
                    "bounds": history.bounds,
                    "last": history.values[-1],
                    "method": fit.method,
                    "pace_z": pace_centre[j],
                    "cell": fit.cell,
                }
            )
    return pd.DataFrame(rows)


def short_table(rows: pd.DataFrame) -> np.ndarray:
    """Quantiles of standardised errors, horizons 1–6 pooled and each error counted with both signs
    (calib.symmetric_quantiles): the same row for every horizon, since the model's standard error
    already grows with it. A few dozen errors per cell cannot say more (per horizon, or which side a
    new series misses on): measured leave one indicator out, per-horizon and skewed tables covered
    less, 0.69–0.78."""
    row = calib.symmetric_quantiles(rows["z"].to_numpy())
    return calib.monotone(np.tile(row, (bt.MAX_H, 1)))


MIN_TRAIN = 10  # standardised errors a cell needs before its quantiles are taken


def loio_needed(rows: pd.DataFrame) -> pd.Series:
    """The spread factor each case's error needs to fall inside the 80 % interval of its cell's table
    made from the other indicators' cases (infinite where those are too few)."""
    needed = pd.Series(np.inf, index=rows.index)
    for (indicator, cell), test in rows.groupby(["indicator", "cell"]):
        train = rows[(rows["indicator"] != indicator) & (rows["cell"] == cell)]
        if train["z"].notna().sum() < MIN_TRAIN:
            continue
        table = short_table(train)
        needed[test.index] = calib.needed_factor(test["z"].to_numpy(), table[test["h"].to_numpy() - 1])
    return needed


def cell_tables(rows: pd.DataFrame) -> tuple[dict[str, np.ndarray], float]:
    """The `short n` tables of these cases, every spread scaled by one factor: the smallest that holds
    80 % of the errors when each indicator's cases are scored by tables made from the others' (an
    indicator's errors are bigger or smaller than the rest's, which a table made from its own cases
    cannot show)."""
    factor = calib.smallest_factor(loio_needed(rows).to_numpy())
    tables = {
        str(cell): calib.spread_scaled(short_table(group), factor) for cell, group in rows.groupby("cell")
    }
    return tables, factor


def interval(rows: pd.DataFrame, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """80 % bounds on the indicator's scale from a `short n` table and each row's standard error."""
    h = rows["h"].to_numpy() - 1
    lo_q = np.array([np.interp(0.1, calib.LEVELS, table[i]) for i in h])
    hi_q = np.array([np.interp(0.9, calib.LEVELS, table[i]) for i in h])
    out = []
    for q in (lo_q, hi_q):
        z = rows["centre"].to_numpy() + q * rows["se"].to_numpy()
        kinds, bounds = rows["kind"], rows["bounds"]
        out.append(
            np.array(
                [
                    float(fc.from_model(np.array([v]), k, b)[0])
                    for v, k, b in zip(z, kinds, bounds, strict=True)
                ]
            )
        )
    lo, hi = out
    cumulative = np.array([b.cumulative for b in rows["bounds"]])
    last = rows["last"].to_numpy()
    return np.where(cumulative, np.maximum(lo, last), lo), np.where(cumulative, np.maximum(hi, last), hi)


def leave_one_indicator_out(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, float]]:
    """Coverage when each indicator's `short n` tables, and the factor scaling them, come from the
    other indicators' cases alone (nested: the factor is chosen leaving one of *those* out in turn),
    so no figure of the indicator scored helps make its interval. Also the factor each one got."""
    inside = pd.Series(False, index=rows.index)
    factors = {}
    for indicator in rows["indicator"].unique():
        train = rows[rows["indicator"] != indicator]
        tables, factors[str(indicator)] = cell_tables(train)
        for cell, test in rows[rows["indicator"] == indicator].groupby("cell"):
            if cell not in tables or train.loc[train["cell"] == cell, "z"].notna().sum() < MIN_TRAIN:
                continue
            lo, hi = interval(test, tables[cell])
            inside[test.index] = (test["actual"] >= lo) & (test["actual"] <= hi)
    return inside, factors


def autoets(cut_cases) -> pd.DataFrame | None:
    """statsforecast's AutoETS on each history (its own 80 % interval), when installed."""
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Naive
    except ImportError:
        print("(statsforecast not installed here: AutoETS columns left out; see the docstring)")
        return None
    frames = []
    for ci, (_, history, _, _, _) in enumerate(cut_cases):
        frames.append(pd.DataFrame({"unique_id": str(ci), "ds": history.years, "y": history.values}))
    sf = StatsForecast(models=[AutoETS(season_length=1)], freq=1, n_jobs=1, fallback_model=Naive())
    horizon = max(int(c[2][-1] - c[1].years[-1]) for c in cut_cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sf.forecast(df=pd.concat(frames), h=horizon, level=[80])
    out = out.reset_index() if "unique_id" not in out else out
    return out.assign(case=out["unique_id"].astype(int), year=out["ds"].astype(int))


def summary(rows: pd.DataFrame, ets: bool) -> pd.DataFrame:
    scaled = {m: (rows[m] - rows["actual"]).abs() / rows["scale"] for m in ("engine", "pace", "naive")}
    table = pd.DataFrame(
        {
            "n": rows["n"],
            "cover engine": rows["actual"].between(rows["engine_lo"], rows["engine_hi"]),
            "cover engine LOIO": rows["inside_loio"],
            "cover pace": rows["actual"].between(rows["pace_lo"], rows["pace_hi"]),
            **{f"error {m}": e for m, e in scaled.items()},
        }
    )
    if ets:
        table["cover AutoETS"] = rows["actual"].between(rows["ets_lo"], rows["ets_hi"])
        table["error AutoETS"] = (rows["AutoETS"] - rows["actual"]).abs() / rows["scale"]
    grouped = table.groupby("n").mean()
    grouped.loc["all"] = table.drop(columns="n").mean()
    grouped["forecasts"] = list(table.groupby("n").size()) + [len(table)]
    grouped["cases"] = list(rows.groupby("n")["case"].nunique()) + [rows["case"].nunique()]
    return grouped.round(3)


def with_autoets(rows: pd.DataFrame, cut_cases, ets: pd.DataFrame | None) -> pd.DataFrame:
    if ets is None:
        return rows
    year = [int(c[1].years[-1]) for c in cut_cases]
    rows = rows.assign(year=[year[c] + h for c, h in zip(rows["case"], rows["h"], strict=True)])
    keep = ets[["case", "year", "AutoETS", "AutoETS-lo-80", "AutoETS-hi-80"]].rename(
        columns={"AutoETS-lo-80": "ets_lo", "AutoETS-hi-80": "ets_hi"}
    )
    return rows.merge(keep, on=["case", "year"], how="left")


def write(rows: pd.DataFrame) -> None:
    """Replace the `short n` rows of the calibration file; every other row stays byte for byte."""
    from analysis.io.readers.settings import calibration_file, load_calibration_table
    from analysis.io.writers import write_csv

    table = load_calibration_table()
    keep = table[~table["cell"].fillna("").astype(str).str.startswith("short ")]
    quantiles, factor = cell_tables(rows)
    fresh = calib.to_frame(calib.Calibration(0.0, {}, quantiles)).iloc[1:]  # the quantile rows only
    out = calibration_file()
    write_csv(pd.concat([keep, fresh], ignore_index=True), out, float_format="%.6g")
    print(f"written the short 2–4 cells of {out} (spreads × {factor:g}, chosen leaving one indicator out)")


def measured(own: bool, cal: calib.Calibration) -> tuple[pd.DataFrame, list]:
    cut_cases = cases(own=own)
    rows = engine_rows(cut_cases, cal)
    return with_autoets(rows, cut_cases, autoets(cut_cases)).assign(variant=own), cut_cases


def report(cal: calib.Calibration, write_cells: bool = False) -> None:
    """Print the held-back short and long real series' figures (and write the short cells if asked)."""
    pd.set_option("display.width", 200)
    started = time.perf_counter()
    both = {own: measured(own, cal) for own in (True, False)}
    union = pd.concat([rows for rows, _ in both.values()], ignore_index=True)
    union = union.assign(case=union["case"] + np.where(union["variant"], 0, 100_000))
    inside, factors = leave_one_indicator_out(union)
    union = union.assign(inside_loio=inside)
    shown = ", ".join(f"{k} {v:g}" for k, v in factors.items())
    print(f"short-series spread factor chosen without each indicator (nested, for LOIO): {shown}")
    print(f"and from all of them (what --write ships): {cell_tables(union)[1]:g}")
    for own, (_, cut_cases) in both.items():
        rows = union[union["variant"] == own]
        print(f"\n{VARIANTS[own]}")
        methods = rows.groupby("case")["method"].first().value_counts()
        print(
            f"{len(cut_cases)} held-back cases from {rows['series'].nunique()} real series, {len(rows)} "
            f"forecasts 1–{MAX_H} years ahead; methods: " + ", ".join(f"{k} {v}" for k, v in methods.items())
        )
        print("Per history length: 80 % coverage (goal 0.75–0.85) and mean scaled error (lower is better)")
        print(summary(rows, "AutoETS" in rows).to_string())
        cells = rows.groupby("case")["cell"].first().value_counts()
        print("cells: " + ", ".join(f"{k} {v}" for k, v in cells.items()))
    long = long_rows(cal)
    series = long["series"].nunique()
    print(f"\nThe long real series held back at each origin: {series} series, {len(long)} forecasts")
    print(long_summary(long).to_string())
    print(f"\n(held-back real series: {time.perf_counter() - started:.1f} s)")
    if write_cells:
        write(union)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write the short n cells of the calibration")
    args = parser.parse_args()
    report(pipeline.load_calibration(pipeline.Project.here()), args.write)


# --- the long real series held back at each origin (five figures or more up to it) ----------------


def long_rows(cal: calib.Calibration) -> pd.DataFrame:
    """Every shipped series of six figures or more, cut at each origin with five or more figures up to
    it, forecast 1–6 years ahead by the engine (its chosen model and calibrated interval)."""
    rows = []
    for case in shipped(LONG):
        for last in range(fc.MIN_MODEL_POINTS - 1, len(case.years) - 1):
            origin = int(case.years[last])
            future = (case.years > origin) & (case.years <= origin + MAX_H)
            history = fc.Series(
                "case",
                indicator_of(case),
                case.years[: last + 1],
                case.values[: last + 1],
                np.full(last + 1, "="),
                case.bounds,
            )
            fit = fc.fit_many([history], [int(case.years[future][-1])], [None], fc.MemoryCache())[0]
            pred = fc.calibrated(history, fit, cal)
            at = case.years[future] - origin - 1
            lo, hi = pred.quantile(0.1, cal)[at], pred.quantile(0.9, cal)[at]
            needed = long_needed(pred, case.values[future], at, cal)
            scale = scale_of(case, origin)
            for j, h in enumerate(at):
                actual = case.values[future][j]
                rows.append(
                    {
                        "series": case.name,
                        "indicator": indicator_of(case),
                        "n": last + 1,
                        "h": int(h) + 1,
                        "inside": lo[j] <= actual <= hi[j],
                        "needed": needed[j],
                        "cell": pred.cell,
                        "error engine": abs(pred.point()[h] - actual) / scale,
                        "error naive": abs(history.values[-1] - actual) / scale,
                        "z_lo": lo[j],
                        "z_hi": hi[j],
                        "centre": pred.point()[h],
                        "actual": actual,
                    }
                )
    return pd.DataFrame(rows)


def long_needed(
    pred: fc.Predictive, actual: np.ndarray, at: np.ndarray, cal: calib.Calibration
) -> np.ndarray:
    """The spread factor each held-back figure needs to fall inside the calibrated 80 % interval
    (1 = inside as shipped), on the model scale where the quantiles apply."""
    from analysis.forecasting.transforms import near_bound

    z = fc.to_model(np.array([near_bound(v, pred.bounds) for v in actual]), pred.kind, pred.bounds)
    sigma = np.broadcast_to(pred.sigma, pred.centre.shape)[at]
    return calib.needed_factor((z - pred.centre[at]) / sigma, cal.table(pred.cell, at + 1))


def long_factor(rows: pd.DataFrame) -> float:
    """The factor on the long cells' spreads that holds 80 % of these held-back figures."""
    return calib.smallest_factor(rows["needed"].to_numpy())


def long_loio(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, float]]:
    """Coverage when the factor is chosen on the other indicators' series only."""
    inside = pd.Series(False, index=rows.index)
    factors = {}
    for indicator, test in rows.groupby("indicator"):
        factors[str(indicator)] = long_factor(rows[rows["indicator"] != indicator])
        inside[test.index] = test["needed"] <= factors[str(indicator)]
    return inside, factors


def long_summary(rows: pd.DataFrame) -> pd.DataFrame:
    inside, factors = long_loio(rows)
    shown = ", ".join(f"{k} {v:g}" for k, v in factors.items())
    print(f"long-series spread factor chosen without each indicator (for LOIO): {shown}")
    print(
        f"and from all of them (1 = as shipped; bench/calibrate_forecast.py sets it): {long_factor(rows):g}"
    )
    rows = rows.assign(loio=inside, length=[calib.length_class(n) for n in rows["n"]])
    columns = ["inside", "loio", "error engine", "error naive"]
    table = rows.groupby("length")[columns].mean()
    table.loc["all"] = rows[columns].mean()
    table["forecasts"] = list(rows.groupby("length").size()) + [len(rows)]
    return table.rename(columns={"inside": "cover engine", "loio": "cover engine LOIO"}).round(3)


VARIANTS = {
    True: "Lenders: the series' own longer past (standing for the national series) and its siblings, "
    "cut at the origin",
    False: "Lenders: siblings in other regions only, cut at the origin (else other indicators' series)",
}


if __name__ == "__main__":
    main()
