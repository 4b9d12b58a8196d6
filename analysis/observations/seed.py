"""The seed snapshots (data/sources/observations_seed.csv, observations_seed_2.csv) carried into
data/observations.csv: every seed
row with our indicator id, its wording, URL, kind and excerpt kept verbatim. `python -m analysis.pipeline`
(`analysis.pipeline.write_seed_observations`) rebuilds the file.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import DataError, Problem
from analysis.core.schema import SHIPPED_COLUMNS


def observations_from_seed(
    seed: pd.DataFrame,
    mapping: pd.DataFrame,
    seed_name: str = "data/sources/observations_seed.csv",
    mapping_name: str = "data/sources/seed_mapping.csv",
    mark: str = "",
) -> pd.DataFrame:
    """Every seed row with our indicator id; the seed's wording, URL, kind and excerpt kept verbatim."""
    table = mapping.set_index("indicator_zh")
    problems = [
        Problem(
            seed_name,
            int(r.row),
            "indicator_zh",
            f"'{r.indicator_zh}' has no row in {mapping_name}",
            f"add it to {mapping_name} with the indicator it measures",
        )
        for r in seed.itertuples()
        if r.indicator_zh not in table.index
    ]
    problems += [
        Problem(
            seed_name,
            int(r.row),
            "unit",
            f"unit '{r.unit}' but {mapping_name} expects "
            f"'{table.loc[r.indicator_zh, 'unit']}' for {r.indicator_zh}",
            "check the mapping",
        )
        for r in seed.itertuples()
        if r.indicator_zh in table.index and table.loc[r.indicator_zh, "unit"] != r.unit
    ]
    if problems:
        raise DataError(problems)
    out = seed.assign(
        indicator=seed["indicator_zh"].map(table["indicator"]), seed_row=mark + seed["row"].astype(str)
    )
    return out[SHIPPED_COLUMNS].reset_index(drop=True)


def observations_from_seeds(
    seeds: list[tuple[str, str, pd.DataFrame]], mapping: pd.DataFrame
) -> pd.DataFrame:
    """Every row of every seed, in order, one to one: the first seed's rows first (seed_row 2, 3 …), then
    the second's (seed_row seed_2:2 …)."""
    problems, frames = [], []
    for name, mark, seed in seeds:
        try:
            frames.append(observations_from_seed(seed, mapping, name, mark=mark))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    return pd.concat(frames, ignore_index=True)
