"""Scale: 10,000 synthetic annual series (88 counties × 114 indicators, 6–15 points each) assessed and
forecast, with seconds and peak memory on this machine.

    .venv/bin/python bench/scale.py [--series 10000] [--jobs 2]

The series are synthetic (bench/backtest.py generators, seed 3), one target per series (deadline
2027, set along its own pace so every band occurs). Goal: under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest as bt  # noqa: E402

from analysis import pipeline  # noqa: E402

SEED = 3
KINDS = list(bt.GENERATORS)


def synthetic_world(count: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Observations, indicators and targets for `count` synthetic series."""
    rng = np.random.default_rng(SEED)
    n_indicators = math.ceil(count / 88)
    indicators, obs, targets = [], [], []
    for i in range(n_indicators):
        kind = KINDS[i % len(KINDS)]
        _, bounds = bt.GENERATORS[kind](rng, 20)
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
    for s in range(count):
        ind = indicators[s % n_indicators]
        length = int(rng.integers(6, 16))
        values = bt.GENERATORS[ind["indicator_id"].rsplit("_", 1)[0]](rng, 20)[0][-length:]
        years = np.arange(2024 - length + 1, 2025)
        region = f"county_{s // n_indicators:03d}"
        obs.append(
            pd.DataFrame(
                {
                    "region": region,
                    "indicator": ind["indicator_id"],
                    "year": years,
                    "qualifier": "=",
                    "value": values,
                    "unit": "u",
                    "source_url": "",
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    obs, indicators, targets = synthetic_world(args.series)
    made = time.perf_counter()
    print(
        f"{args.series} synthetic series, {len(obs)} observations, {len(indicators)} indicators "
        f"(made in {made - started:.1f} s)"
    )
    status = pipeline.assess(targets, indicators, obs, 2024)
    assessed = time.perf_counter()
    print(f"assess: {assessed - made:.1f} s; statuses {status['status'].value_counts().to_dict()}")
    table = pipeline.forecast_series(obs, 2030, indicators, jobs=args.jobs)
    forecasted = time.perf_counter()
    print(
        f"forecast_series to 2030 ({args.jobs} processes): {forecasted - assessed:.1f} s, {len(table)} rows"
    )
    p_met = pipeline.forecast_targets(targets, indicators, obs, 2024)
    done = time.perf_counter()
    print(
        f"forecast_targets (P(met), one process): {done - forecasted:.1f} s, "
        f"mean P(met) {p_met['p_met'].mean():.3f}"
    )
    own, children = peak_mb()
    total = done - made
    print(
        f"total assess + forecast + P(met): {total:.1f} s "
        f"(goal < 60 s: {'met' if total < 60 else 'MISSED'}); "
        f"peak memory {own:.0f} MB (main), {children:.0f} MB (largest worker)"
    )


if __name__ == "__main__":
    main()
