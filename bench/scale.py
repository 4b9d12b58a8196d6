"""Scale: many synthetic annual series (counties × 100 indicators, 6–15 points each) read from a file,
assessed and forecast, with seconds, peak memory and where the time goes, on this machine.

    .venv/bin/python bench/scale.py [--sizes 1000,10000,30000] [--jobs 2] [--scheduler ADDRESS]
                                    [--dask-local 2]

The series are synthetic (bench/backtest.py generators, seed 3), one target per series (deadline
2027, set along its own pace so every band occurs). They are written to a CSV first and read back
with the batch command's reader (`pipeline.read_series`), so reading stays measured. For the largest
size it also reports the seconds spent inside the models' fits (statsmodels) against everything
else, and statsforecast's AutoETS on the same series when statsforecast is installed (not a project
dependency). Fits are not cached between sizes or runs here (a fresh in-memory cache each time), so
every series is fitted.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import forecasting, pipeline  # noqa: E402
from analysis.forecasting import core  # noqa: E402

SEED = 3
KINDS = list(bt.GENERATORS)


INDICATORS = 100  # a national county-level run: ~2,800 counties × 100 indicators


def synthetic_world(count: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Observations, indicators and targets for `count` synthetic series: 100 indicators (the eight
    shapes in turn) × as many counties as it takes. Series s is drawn from its own generator
    (seed 3, s), so every size is the first `count` series of one world and the shape and length mix
    is the same at every size: seconds per 1,000 series compare across sizes."""
    template = np.random.default_rng(SEED)
    indicators = []
    for i in range(INDICATORS):
        kind = KINDS[i % len(KINDS)]
        _, bounds = bt.GENERATORS[kind](template, 20)
        indicators.append(
            {
                "indicator_id": f"{kind}_{i:03d}",
                "unit": "u",
                "direction": "higher",
                "lower_bound": bounds.lower,
                "upper_bound": bounds.upper,
                "cumulative": bounds.cumulative,
            }
        )
    obs, targets = [], []
    for s in range(count):
        rng = np.random.default_rng([SEED, s])
        ind = indicators[s % INDICATORS]
        length = int(rng.integers(6, 16))
        values = bt.GENERATORS[ind["indicator_id"].rsplit("_", 1)[0]](rng, 20)[0][-length:]
        years = np.arange(2024 - length + 1, 2025)
        region = f"county_{s // INDICATORS:04d}"
        obs.append(
            pd.DataFrame(
                {
                    "region": region,
                    "indicator": ind["indicator_id"],
                    "year": years,
                    "qualifier": "=",
                    "value": values,
                }
            )
        )
        pace = (values[-1] - values[0]) / (length - 1)
        targets.append(
            {
                "target_id": f"t{s:05d}",
                "region": region,
                "indicator": ind["indicator_id"],
                "target_year": 2027,
                "comparator": ">=" if pace >= 0 else "<=",
                "target_value": float(values[-1] + rng.uniform(-1, 4) * pace * 3),
                "unit": "u",
                "kind": "level",
                "baseline_value": math.nan,
                "baseline_year": None,
            }
        )
    return (
        pd.concat(obs, ignore_index=True),
        pd.DataFrame(indicators),
        pd.DataFrame(targets).astype({"baseline_year": "Int64"}),
    )


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished worker processes (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_size(count: int, executor, folder: Path) -> dict:
    obs, indicators, targets = synthetic_world(count)
    path = folder / f"observations_{count}.csv"
    obs.to_csv(path, index=False, float_format="%.10g")
    project = pipeline.Project.here()
    cal = pipeline.load_calibration(project)
    before = (core.LAST_STATS.fitted, core.LAST_STATS.fit_seconds)
    t0 = time.perf_counter()
    observations, _ = pipeline.read_series(path, project)
    t1 = time.perf_counter()
    status = pipeline.assess(targets, indicators, observations, 2024, project)
    t2 = time.perf_counter()
    cache = forecasting.MemoryCache()
    table = forecasting.forecast_series(observations, 2030, indicators, cal, cache, executor)
    t3 = time.perf_counter()
    p_met = forecasting.forecast_targets(
        targets, indicators, observations, 2024, cal, cache, executor, settings=pipeline.load_settings()
    )
    t4 = time.perf_counter()
    return {
        "series": count,
        "rows": len(obs),
        "read s": t1 - t0,
        "assess s": t2 - t1,
        "forecast s": t3 - t2,
        "P(met) s": t4 - t3,
        "total s": t4 - t0,
        "s per 1000": (t4 - t0) / count * 1000,
        "fitted": core.LAST_STATS.fitted - before[0],
        "fit cpu s": core.LAST_STATS.fit_seconds - before[1],
        "statuses": len(status),
        "forecast rows": len(table),
        "mean P(met)": float(p_met["p_met"].mean()),
        "obs": observations,
    }


def statsforecast_seconds(observations: pd.DataFrame, jobs: int) -> float | None:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Naive
    except ImportError:
        print("statsforecast is not installed: no AutoETS comparison (bench/forecast_skill.py says how)")
        return None
    frame = observations.assign(
        unique_id=observations["region"] + "|" + observations["indicator"],
        ds=observations["year"],
        y=observations["value"],
    )[["unique_id", "ds", "y"]]
    sf = StatsForecast(models=[AutoETS(season_length=1)], freq=1, n_jobs=jobs, fallback_model=Naive())
    sf.forecast(df=frame.head(200), h=6, level=[80])  # compile numba once, outside the timing
    started = time.perf_counter()
    sf.forecast(df=frame, h=6, level=[80])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of series")
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes")
    parser.add_argument("--scheduler", help="a Dask scheduler address: run the fits there")
    parser.add_argument("--dask-local", type=int, default=0, help="start a local Dask cluster of N workers")
    args = parser.parse_args()
    cluster = None
    if args.dask_local:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=args.dask_local, threads_per_worker=1, dashboard_address=None)
        args.scheduler = cluster.scheduler_address
    executor = forecasting.executor_for(args.scheduler, args.jobs)
    print(f"executor: {executor.name}, {executor.workers} workers")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for count in [int(s) for s in args.sizes.split(",")]:
            r = run_size(count, executor, Path(folder))
            results.append(r)
            shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in r.items() if k != "obs"}
            print(shown, flush=True)
    last = results[-1]
    stage = last["forecast s"] + last["P(met) s"]
    fit_wall = last["fit cpu s"] / executor.workers
    print(
        f"\n{last['series']} series: forecast + P(met) {stage:.1f} s wall; inside model fits "
        f"{last['fit cpu s']:.1f} CPU s over {executor.workers} workers (≈ {fit_wall:.1f} s wall); "
        f"everything else ≈ {max(stage - fit_wall, 0):.1f} s = {max(stage - fit_wall, 0) / stage:.0%} "
        f"of forecast + P(met) (goal < 25 %)"
    )
    own, children = peak_mb()
    print(f"peak memory {own:.0f} MB (main), {children:.0f} MB (largest local worker)")
    print("seconds per 1,000 series: " + ", ".join(f"{r['series']}: {r['s per 1000']:.2f}" for r in results))
    sf = statsforecast_seconds(last["obs"], args.jobs)
    if sf is not None:
        print(
            f"statsforecast AutoETS on the same {last['series']} series (h = 6, 80 % level, "
            f"{args.jobs} jobs): {sf:.1f} s; our forecast_series {last['forecast s']:.1f} s = "
            f"{last['forecast s'] / sf:.1f} × AutoETS"
        )
    if hasattr(executor, "close"):
        executor.close()
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
