"""Forecast skill: rolling-origin backtests of every candidate and of the final method.

    .venv/bin/python bench/forecast_skill.py [--quick]

Test series (none of them used to derive data/forecast_calibration.csv):
- fertility: World Bank fertility series of the countries at odd positions of statsmodels' data set;
- synthetic: seven shapes from seed 2 (bench/backtest.py);
- shipped: every series of data/observations.csv with six points or more.
Prints MASE per candidate (history lengths 2–4 and 5+ apart), the final method against naive and
drift, coverage of the calibrated 80 % intervals (and of statsmodels' raw ones on a subsample), and a
reliability table for P(met) on targets set along each history's own pace.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import calibration as calib  # noqa: E402
from analysis import forecast as fc  # noqa: E402
from analysis import pipeline  # noqa: E402

LENGTHS = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20]
MAX_H = 10
SYNTHETIC_SEED = 2
FINAL = "final"
SINGLE = list(fc.METHODS)


def candidate_points(history: fc.Series, h: int, kind: str) -> dict[str, np.ndarray]:
    """Each candidate's point forecast on the indicator's scale (fitted on the model scale)."""
    z = fc.annual_grid(history.years, fc.to_model(history.values, kind, history.bounds))
    return {
        name: fc.from_model(f, kind, history.bounds)
        for name, f in fc.point_forecasts(z, h, fc.METHODS).items()
    }


def score_window(
    history: fc.Series,
    years: np.ndarray,
    values: np.ndarray,
    cal: calib.Calibration,
    borrowed: float | None,
    rng: np.random.Generator,
) -> dict:
    pred = fc.predictive(history, int(years[-1]), cal, borrowed)
    at = years - history.years[-1] - 1
    points = candidate_points(history, int(at[-1]) + 1, pred.kind)
    points[FINAL] = pred.point()
    scale = bt.naive_scale(history.values)
    mase = {name: float(np.mean(np.abs(values - p[at]))) / scale for name, p in points.items()}
    lower, upper = pred.quantile(0.1, cal)[at], pred.quantile(0.9, cal)[at]
    inside = (values >= lower) & (values <= upper)
    return {
        "mase": mase,
        "inside": inside,
        "cell": pred.cell,
        "horizons": at + 1,
        "flat": bool(np.all(np.diff(history.values) == 0)),
        "p_met": p_met_case(history, pred, years, values, cal, rng),
    }


def p_met_case(
    history: fc.Series,
    pred: fc.Predictive,
    years: np.ndarray,
    values: np.ndarray,
    cal: calib.Calibration,
    rng: np.random.Generator,
) -> tuple[float, bool] | None:
    """A target along the history's own pace (k × the pace, k from −0.5 to 2.5) some years ahead."""
    i = int(rng.integers(0, min(len(years), 8)))
    pace = (history.values[-1] - history.values[0]) / (history.years[-1] - history.years[0])
    goal = history.values[-1] + rng.uniform(-0.5, 2.5) * pace * (years[i] - history.years[-1])
    comparator = ">=" if pace >= 0 else "<="
    if pace == 0:
        return None
    p = pred.prob(int(years[i]), comparator, float(goal), cal)
    met = values[i] >= goal if comparator == ">=" else values[i] <= goal
    return p, bool(met)


def run(cases: list[bt.Case], cal: calib.Calibration, step: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for case in cases:
        lent = bt.lender_sigma(case)
        for history, years, values in bt.windows(case, LENGTHS, step, MAX_H):
            s = score_window(history, years, values, cal, bt.borrowed_for(history, lent), rng)
            p = s["p_met"] or (np.nan, False)
            rows.append(
                {
                    "group": case.group,
                    "n": len(history.values),
                    "cell": s["cell"],
                    "flat": s["flat"],
                    **s["mase"],
                    "inside": s["inside"].tolist(),
                    "horizons": s["horizons"].tolist(),
                    "p": p[0],
                    "met": p[1],
                }
            )
    return pd.DataFrame(rows)


def mase_table(scores: pd.DataFrame) -> pd.DataFrame:
    usable = scores[~scores["flat"]]
    usable = usable.assign(length=np.where(usable["n"] < fc.MIN_MODEL_POINTS, "2-4", "5+"))
    names = [*SINGLE, FINAL]
    table = usable.groupby(["group", "length"])[names].mean()
    table["windows"] = usable.groupby(["group", "length"]).size()
    overall = usable.groupby("length")[names].mean().assign(windows=usable.groupby("length").size())
    overall.index = pd.MultiIndex.from_product([["all"], overall.index])
    return pd.concat([table, overall]).round(3)


def coverage_table(scores: pd.DataFrame) -> pd.DataFrame:
    long = scores[["group", "n", "cell", "inside", "horizons"]].explode(["inside", "horizons"])
    long = long.assign(
        inside=long["inside"].astype(bool),
        horizons=long["horizons"].astype(int),
        length=[calib.length_class(n) for n in long["n"]],
        regime=[c.split()[1] for c in long["cell"]],
    )
    by_group = long.groupby("group")["inside"].agg(["mean", "size"])
    by_length = long.groupby("length")["inside"].agg(["mean", "size"])
    by_h = (
        long.assign(h=pd.cut(long["horizons"], [0, 1, 3, 6, 10]))
        .groupby("h", observed=True)["inside"]
        .agg(["mean", "size"])
    )
    by_h.index = by_h.index.astype(str)
    by_regime = long.groupby("regime")["inside"].agg(["mean", "size"])
    return pd.concat(
        {
            "group": by_group,
            "length": by_length,
            "regime": by_regime,
            "horizon": by_h,
            "all": long["inside"].agg(["mean", "size"]).to_frame("all").T,
        }
    ).round(3)


def reliability_table(scores: pd.DataFrame) -> pd.DataFrame:
    cases = scores.dropna(subset=["p"])
    bins = pd.cut(cases["p"], np.linspace(0, 1, 11), include_lowest=True)
    table = cases.groupby(bins, observed=True).agg(
        mean_p=("p", "mean"), observed=("met", "mean"), targets=("met", "size")
    )
    brier = float(np.mean((cases["p"] - cases["met"]) ** 2))
    base = float(np.mean((cases["met"].mean() - cases["met"]) ** 2))
    print(f"Brier score {brier:.3f} (always the base rate: {base:.3f}); {len(cases)} targets")
    table.index = table.index.astype(str)
    return table.round(3)


def statsmodels_subsample(cases: list[bt.Case], cal: calib.Calibration, count: int) -> pd.DataFrame:
    """statsmodels' damped ETS, Theta and ARIMA drift on a subsample, with their raw 80 % intervals."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", UserWarning)
    all_windows = [(c, w) for c in cases for w in bt.windows(c, [8, 12, 15], 5, 6, min_test=6)]
    picked = all_windows[:: max(1, len(all_windows) // count)][:count]
    rows, seconds = [], {"ets_damped_sm": 0.0, "theta_sm": 0.0, "arima_drift_sm": 0.0, FINAL: 0.0}
    for _, (history, years, values) in picked:
        kind, _ = fc.choose_scale(history.values, history.bounds)
        z = fc.to_model(history.values, kind, history.bounds)
        scale = bt.naive_scale(history.values)
        row = {}
        for name, model in SM_MODELS.items():
            started = time.perf_counter()
            mean, lo, hi = model(z, len(years))
            seconds[name] += time.perf_counter() - started
            back = [fc.from_model(a, kind, history.bounds) for a in (mean, lo, hi)]
            row[name] = float(np.mean(np.abs(values - back[0]))) / scale
            row[name + " cover"] = float(np.mean((values >= back[1]) & (values <= back[2])))
        started = time.perf_counter()
        pred = fc.predictive(history, int(years[-1]), cal, None)
        lo, hi = pred.quantile(0.1, cal), pred.quantile(0.9, cal)
        seconds[FINAL] += time.perf_counter() - started
        row[FINAL] = float(np.mean(np.abs(values - pred.point()))) / scale
        row[FINAL + " cover"] = float(np.mean((values >= lo) & (values <= hi)))
        rows.append(row)
    table = pd.DataFrame(rows).mean().round(3)
    per_fit = {k: round(1000 * v / len(picked), 1) for k, v in seconds.items()}
    print(f"{len(picked)} windows (8, 12, 15 points, 6 years ahead); ms per series: {per_fit}")
    return table


def sm_ets(z: np.ndarray, h: int):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    res = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True).fit(disp=False)
    frame = res.get_prediction(start=len(z), end=len(z) + h - 1).summary_frame(alpha=0.2)
    return frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()


def sm_theta(z: np.ndarray, h: int):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(z, period=1, deseasonalize=False).fit()
    intervals = res.prediction_intervals(h, alpha=0.2)
    return np.asarray(res.forecast(h)), np.asarray(intervals["lower"]), np.asarray(intervals["upper"])


def sm_arima_drift(z: np.ndarray, h: int):
    from statsmodels.tsa.arima.model import ARIMA

    frame = ARIMA(z, order=(0, 1, 0), trend="t").fit().get_forecast(h).summary_frame(alpha=0.2)
    return frame["mean"].to_numpy(), frame["mean_ci_lower"].to_numpy(), frame["mean_ci_upper"].to_numpy()


SM_MODELS = {"ets_damped_sm": sm_ets, "theta_sm": sm_theta, "arima_drift_sm": sm_arima_drift}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer windows (every 6th origin)")
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    started = time.perf_counter()
    cal = pipeline.load_calibration()
    cases = bt.fertility_cases("odd") + bt.synthetic_cases(SYNTHETIC_SEED, 15) + bt.shipped_cases()
    scores = run(cases, cal, step=6 if args.quick else 3)
    print(f"{len(cases)} test series, {len(scores)} windows ({time.perf_counter() - started:.0f} s)\n")
    print("MASE (mean over windows; flat histories left out) — lower is better")
    print(mase_table(scores).to_string(), "\n")
    print("Coverage of the calibrated 80 % intervals (goal 0.75–0.85)")
    print(coverage_table(scores).to_string(), "\n")
    print("Reliability of P(met): predicted vs observed share of targets met")
    print(reliability_table(scores).to_string(), "\n")
    print("statsmodels candidates (raw intervals) against the final method, fertility test series")
    print(
        statsmodels_subsample(
            [c for c in cases if c.group == "fertility"], cal, 60 if args.quick else 200
        ).to_string()
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
