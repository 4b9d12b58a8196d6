"""Forecast skill: rolling-origin backtests of every candidate and of the final method.

    .venv/bin/python bench/forecast_skill.py [--quick | --step N] [--jobs 2] [--side-by-side 10000]
    /tmp/sf-venv/bin/python bench/forecast_skill.py --skip-backtest --short-series --side-by-side 2000
        # one run: short-series coverage and error per length beside pace, naive and AutoETS, then
        # the batch's wall and CPU time beside AutoETS

Test series (none of them used to derive data/forecast_calibration.csv):
- fertility: World Bank fertility series of the countries at odd positions of statsmodels' data set;
- synthetic: eight shapes from seed 2 (bench/backtest.py);
- shipped: every series of data/observations.csv with six points or more.
Prints MASE per candidate (history lengths 2–4 and 5+ apart), the final method against naive and
drift, MASE and coverage by series shape and length, coverage of the calibrated 80 % intervals (and
of statsmodels' raw ones on a subsample), a reliability table for P(met) on targets set along each
history's own pace, and a side-by-side run on bench/scale.py's synthetic series (last 3 points held
out) against statsforecast's AutoETS and Naive when statsforecast is installed (it is not a project
dependency, and it requires pandas < 3: install it in a separate environment, never in the project's
.venv, whose library versions the reports record:
    python3 -m venv /tmp/sf && /tmp/sf/bin/pip install -e . statsforecast
then run this file with /tmp/sf/bin/python).

Short series held back from the real series we ship (coverage and error per length beside pace, naive
and AutoETS) are bench/short_series.py's. Here 2–4-point windows borrow the spread and trend of the
other series of their shape (bench/backtest.py) but not their state-space variances: they take the
engine's fallback (at least their own yearly change), so their coverage here is not the one the
calibration aims at.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

# One BLAS thread per process, set before numpy loads: the fits are tiny (ten-point series), and on
# a shared two-core machine OpenBLAS's own threads on top of two worker processes made every L-BFGS
# step several times slower (measured: 300 series 33 CPU s with the default, 7.5 s with one thread).
# Both engines of the side-by-side run under the same setting.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import forecasting as fc  # noqa: E402
from analysis import pipeline  # noqa: E402
from analysis.forecasting import calibration as calib  # noqa: E402
from analysis.forecasting import models  # noqa: E402
from analysis.io.readers.fit_store import FitStore  # noqa: E402

LENGTHS = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20]
MAX_H = 10
SYNTHETIC_SEED = 2
FINAL = "final"
SINGLE = list(fc.METHODS)


def candidate_chunk(chunk: list[tuple[np.ndarray, int]]) -> list[dict[str, np.ndarray]]:
    """Every candidate's forecast on the model scale for each (grid, horizon)."""
    return [models.forecasts(z, h, SINGLE) for z, h in chunk]


def candidate_points(cut, fits, executor) -> list[dict[str, np.ndarray]]:
    """Each candidate's point forecast on the indicator's scale (fitted on the model scale)."""
    work = []
    for (_, history, years, _, _), f in zip(cut, fits, strict=True):
        z = fc.annual_grid(history.years, fc.to_model(history.values, f.kind, history.bounds))
        work.append((z, int(years[-1] - history.years[-1])))
    from analysis.forecasting.executors import chunked

    made = [d for part in executor.map(candidate_chunk, chunked(work, executor.workers)) for d in part]
    return [
        {name: fc.from_model(p, f.kind, w[1].bounds) for name, p in d.items()}
        for d, f, w in zip(made, fits, cut, strict=True)
    ]


def closed_form_points(window, f) -> dict[str, np.ndarray]:
    """Naive and drift only (no fits): the baselines when the other candidates are left out."""
    _, history, years, _, _ = window
    z = fc.annual_grid(history.years, fc.to_model(history.values, f.kind, history.bounds))
    h = int(years[-1] - history.years[-1])
    made = models.forecasts(z, h, ["naive", "drift"])
    return {name: fc.from_model(p, f.kind, history.bounds) for name, p in made.items()}


def p_met_case(history, pred, years, values, cal, rng) -> tuple[float, bool] | None:
    """A target along the history's own pace (k × the pace, k from −0.5 to 2.5) some years ahead."""
    i = int(rng.integers(0, min(len(years), 8)))
    pace = (history.values[-1] - history.values[0]) / (history.years[-1] - history.years[0])
    goal = history.values[-1] + rng.uniform(-0.5, 2.5) * pace * (years[i] - history.years[-1])
    comparator = ">=" if pace >= 0 else "<="
    if pace == 0:
        return None
    p = fc.probability_met(pred, int(years[i]), comparator, float(goal), cal)
    met = values[i] >= goal if comparator == ">=" else values[i] <= goal
    return p, bool(met)


def run(cases: list[bt.Case], cal: calib.Calibration, step: int, jobs: int, cache, final_only: bool):
    rng = np.random.default_rng(7)
    cut = bt.all_windows(cases, LENGTHS, step, MAX_H)
    executor = fc.executor_for(jobs=jobs)
    histories, to_years = [w[1] for w in cut], [int(w[2][-1]) for w in cut]
    fits = fc.fit_many(histories, to_years, [w[4] for w in cut], cache, executor)
    if final_only:
        points = [closed_form_points(w, f) for w, f in zip(cut, fits, strict=True)]
    else:
        points = candidate_points(cut, fits, executor)
    rows = []
    for (ci, history, years, values, _), f, cand in zip(cut, fits, points, strict=True):
        pred = fc.calibrated(history, f, cal)
        at = years - history.years[-1] - 1
        cand = {name: p[: int(at[-1]) + 1] for name, p in cand.items()}
        cand[FINAL] = pred.point()
        scale = bt.naive_scale(history.values)
        mase = {name: float(np.mean(np.abs(values - p[at]))) / scale for name, p in cand.items()}
        lower, upper = pred.quantile(0.1, cal)[at], pred.quantile(0.9, cal)[at]
        inside = (values >= lower) & (values <= upper)
        p = p_met_case(history, pred, years, values, cal, rng) or (np.nan, False)
        rows.append(
            {
                "group": cases[ci].group,
                "shape": cases[ci].shape,
                "n": len(history.values),
                "cell": pred.cell,
                "method": pred.method,
                "flat": bool(np.all(np.diff(history.values) == 0)),
                **mase,
                "inside": inside.tolist(),
                "horizons": (at + 1).tolist(),
                "p": p[0],
                "met": p[1],
            }
        )
    return pd.DataFrame(rows)


def mase_table(scores: pd.DataFrame) -> pd.DataFrame:
    usable = scores[~scores["flat"]]
    usable = usable.assign(length=np.where(usable["n"] < fc.MIN_MODEL_POINTS, "2-4", "5+"))
    names = [n for n in [*SINGLE, FINAL] if n in usable]
    table = usable.groupby(["group", "length"])[names].mean()
    table["windows"] = usable.groupby(["group", "length"]).size()
    overall = usable.groupby("length")[names].mean().assign(windows=usable.groupby("length").size())
    overall.index = pd.MultiIndex.from_product([["all"], overall.index])
    return pd.concat([table, overall]).round(3)


def long_coverage(scores: pd.DataFrame) -> pd.DataFrame:
    long = scores[["group", "shape", "n", "cell", "inside", "horizons"]].explode(["inside", "horizons"])
    return long.assign(
        inside=long["inside"].astype(bool),
        horizons=long["horizons"].astype(int),
        length=[calib.length_class(n) for n in long["n"]],
        regime=[c.split()[1] for c in long["cell"]],
    )


def coverage_table(scores: pd.DataFrame) -> pd.DataFrame:
    long = long_coverage(scores)
    by_h = (
        long.assign(h=pd.cut(long["horizons"], [0, 1, 3, 6, 10]))
        .groupby("h", observed=True)["inside"]
        .agg(["mean", "size"])
    )
    by_h.index = by_h.index.astype(str)
    return pd.concat(
        {
            "group": long.groupby("group")["inside"].agg(["mean", "size"]),
            "length": long.groupby("length")["inside"].agg(["mean", "size"]),
            "regime": long.groupby("regime")["inside"].agg(["mean", "size"]),
            "horizon": by_h,
            "all": long["inside"].agg(["mean", "size"]).to_frame("all").T,
        }
    ).round(3)


def shape_table(scores: pd.DataFrame) -> pd.DataFrame:
    """MASE (final, naive, drift) and 80 % coverage by series shape and history length class."""
    usable = scores[~scores["flat"]].assign(
        length=[calib.length_class(n) for n in scores.loc[~scores["flat"], "n"]]
    )
    mase = usable.groupby(["shape", "length"])[[FINAL, "naive", "drift"]].mean()
    cover = long_coverage(scores).groupby(["shape", "length"])["inside"].mean().rename("cover80")
    return mase.join(cover).assign(windows=usable.groupby(["shape", "length"]).size()).round(3)


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


def statsmodels_subsample(cases: list[bt.Case], cal: calib.Calibration, count: int) -> pd.Series:
    """statsmodels' damped ETS, Theta and ARIMA drift on a subsample, with their raw 80 % intervals."""
    warnings.simplefilter("ignore")
    all_w = [w for c in cases for w in bt.windows(c, [8, 12, 15], 5, 6, min_test=6)]
    picked = all_w[:: max(1, len(all_w) // count)][:count]
    rows, seconds = [], dict.fromkeys([*SM_MODELS, FINAL], 0.0)
    for history, years, values in picked:
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
    per_fit = {k: round(1000 * v / len(picked), 1) for k, v in seconds.items()}
    print(f"{len(picked)} windows (8, 12, 15 points, 6 years ahead); ms per series: {per_fit}")
    return pd.DataFrame(rows).mean().round(3)


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


# --- side by side with statsforecast on bench/scale.py's series -----------------------------------


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished worker processes (less sensitive than wall
    time to other jobs on a shared machine)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


HELD_OUT = 3


def side_by_side(count: int, cal: calib.Calibration, jobs: int, cache=None) -> pd.DataFrame:
    """bench/scale.py's synthetic series, the last 3 points held out: our final method against
    statsforecast's AutoETS and Naive (if installed), MASE and 80 % coverage by shape and length."""
    import scale

    obs, indicators, _ = scale.synthetic_world(count)
    rank = obs.groupby(["region", "indicator"]).cumcount(ascending=False)
    history, future = obs[rank >= HELD_OUT], obs[rank < HELD_OUT]
    last = int(history["year"].max())
    started, cpu = time.perf_counter(), cpu_seconds()
    ours = fc.forecast_series(
        history, last + HELD_OUT, indicators, cal, cache or fc.MemoryCache(), fc.executor_for(jobs=jobs)
    )
    ours_s, ours_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"our final method: {ours_s:.1f} s ({ours_cpu:.1f} CPU s) for {count} series", flush=True)
    key = ["region", "indicator", "year"]
    table = future[key + ["value"]].merge(ours[key + ["mean", "lower80", "upper80"]], on=key)
    results = {"final": table.rename(columns={"mean": "final", "lower80": "final_lo", "upper80": "final_hi"})}
    timing = {"final": ours_s}
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Naive
    except ImportError:
        print(
            "statsforecast is not installed: AutoETS and Naive columns left out (see this file's docstring)"
        )
        StatsForecast = None
    frame = results["final"]
    if StatsForecast is not None:
        sf_in = history.assign(
            unique_id=history["region"] + "|" + history["indicator"], ds=history["year"], y=history["value"]
        )[["unique_id", "ds", "y"]]
        started, cpu = time.perf_counter(), cpu_seconds()
        sf = StatsForecast(
            models=[AutoETS(season_length=1), Naive()], freq=1, n_jobs=jobs, fallback_model=Naive()
        )
        out = sf.forecast(df=sf_in, h=HELD_OUT, level=[80])
        timing["statsforecast AutoETS + Naive"] = time.perf_counter() - started
        sf_cpu = cpu_seconds() - cpu
        print(
            f"side by side, this run: ours {ours_s:.1f} s against AutoETS + Naive "
            f"{timing['statsforecast AutoETS + Naive']:.1f} s wall = "
            f"{ours_s / timing['statsforecast AutoETS + Naive']:.1f}x; CPU {ours_cpu:.1f} s against "
            f"{sf_cpu:.1f} s = {ours_cpu / sf_cpu:.1f}x (CPU seconds include worker processes)"
        )
        out = out.reset_index() if "unique_id" not in out else out
        parts = out["unique_id"].str.split("|", expand=True)
        out = out.assign(region=parts[0], indicator=parts[1], year=out["ds"].astype(int))
        frame = frame.merge(out[key + ["AutoETS", "AutoETS-lo-80", "AutoETS-hi-80", "Naive"]], on=key)
    scale_of = (
        history.groupby(["region", "indicator"])["value"]
        .apply(lambda v: bt.naive_scale(v.to_numpy()))
        .rename("scale")
    )
    n_of = history.groupby(["region", "indicator"]).size().rename("n")
    frame = frame.join(scale_of, on=["region", "indicator"]).join(n_of, on=["region", "indicator"])
    frame = frame.assign(
        shape=frame["indicator"].str.rsplit("_", n=1).str[0],
        length=np.where(frame["n"] <= 4, "3-4", "5-12"),
    )
    columns = {}
    flat = frame["scale"] < 1e-6 * frame["value"].abs().clip(lower=1.0)  # no step in the history: no MASE
    for name in ["final", "AutoETS", "Naive"]:
        if name in frame:
            columns[f"MASE {name}"] = ((frame["value"] - frame[name]).abs() / frame["scale"]).mask(flat)
    columns["cover80 final"] = frame["value"].between(frame["final_lo"], frame["final_hi"])
    if "AutoETS" in frame:
        columns["cover80 AutoETS"] = frame["value"].between(frame["AutoETS-lo-80"], frame["AutoETS-hi-80"])
    scored = pd.DataFrame(columns).assign(shape=frame["shape"], length=frame["length"])
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in timing.items()))
    by = pd.concat(
        {
            "shape": scored.groupby("shape").mean(numeric_only=True),
            "length": scored.groupby("length").mean(numeric_only=True),
            "all": scored.mean(numeric_only=True).to_frame("all").T,
        }
    )
    return by.assign(
        forecasts=pd.concat(
            [scored.groupby("shape").size(), scored.groupby("length").size(), pd.Series({"all": len(scored)})]
        ).to_numpy()
    ).round(3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer windows (every 6th origin)")
    parser.add_argument("--step", type=int, default=0, help="every n-th origin (default 3, quick 6)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--side-by-side", type=int, default=10_000, help="series for the statsforecast run")
    parser.add_argument("--skip-backtest", action="store_true", help="only the side-by-side run")
    parser.add_argument("--final-only", action="store_true", help="no candidate fits: final, naive, drift")
    parser.add_argument(
        "--short-series",
        action="store_true",
        help="also the held-back real short series: coverage and error per length (bench/short_series.py)",
    )
    parser.add_argument("--fit-cache", type=Path, help="keep the fits in this file (a rerun refits nothing)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    started = time.perf_counter()
    cal = pipeline.load_calibration(pipeline.Project.here())
    cache = fc.StoredCache(FitStore(args.fit_cache)) if args.fit_cache else fc.MemoryCache()
    if not args.skip_backtest:
        cases = bt.fertility_cases("odd") + bt.synthetic_cases(SYNTHETIC_SEED, 15) + bt.shipped_cases()
        step = args.step or (6 if args.quick else 3)
        scores = run(cases, cal, step, args.jobs, cache, args.final_only)
        print(f"every {step}th origin")
        print(f"{len(cases)} test series, {len(scores)} windows ({time.perf_counter() - started:.0f} s)\n")
        print("MASE (mean over windows; flat histories left out) — lower is better")
        print(mase_table(scores).to_string(), "\n")
        print("Final method by shape and history length: MASE and 80 % coverage")
        print(shape_table(scores).to_string(), "\n")
        print("Methods chosen (share of windows with 5+ points)")
        print(
            scores.loc[scores["n"] >= fc.MIN_MODEL_POINTS, "method"]
            .value_counts(normalize=True)
            .round(3)
            .to_string(),
            "\n",
        )
        print("Coverage of the calibrated 80 % intervals (goal 0.75–0.85)")
        print(coverage_table(scores).to_string(), "\n")
        print("Reliability of P(met): predicted vs observed share of targets met")
        print(reliability_table(scores).to_string(), "\n")
        print("statsmodels candidates (raw intervals) against the final method, fertility test series")
        fertility = [c for c in cases if c.group == "fertility"]
        print(statsmodels_subsample(fertility, cal, 60 if args.quick else 200).to_string(), "\n")
    if args.short_series:
        import short_series

        print("Short series held back from the long real series we ship (bench/short_series.py)")
        short_series.report(cal)
        print()
    if args.side_by_side:
        print(f"Side by side: {args.side_by_side} series of bench/scale.py, last {HELD_OUT} points held out")
        print(side_by_side(args.side_by_side, cal, args.jobs, cache).to_string())
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
