"""Fill-in templates for researchers: every indicator with a target in a region × every year, the figures
known so far and their sources filled in. Building the table is here; writing the workbook or CSV is
analysis.io.writers, and `analysis.pipeline.write_template` joins the two.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import DataError, Problem
from analysis.core.schema import TEMPLATE_COLUMNS, Rules


def template_years(region_targets: pd.DataFrame, rules: Rules) -> range:
    """From the earliest baseline (and no later than the rules' base year) to the latest deadline."""
    baselines = region_targets["baseline_year"].dropna()
    first = min([rules.template_base_year, *(int(y) for y in baselines)])
    return range(first, int(region_targets["target_year"].max()) + 1)


def template_frame(
    region: str, targets: pd.DataFrame, indicators: pd.DataFrame, resolved: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """One row per indicator with a target in the region and per year; known figures and sources filled in."""
    own = targets[targets["region"] == region]
    if own.empty:
        regions = ", ".join(sorted(targets["region"].unique()))
        raise DataError(
            [
                Problem(
                    "data/targets.csv",
                    None,
                    "region",
                    f"no targets for region '{region}'",
                    f"choose a region with targets: {regions}",
                )
            ]
        )
    catalogue = indicators.set_index("indicator_id")
    known = resolved[resolved["region"] == region].set_index(["indicator", "year"])
    rows = []
    for indicator in dict.fromkeys(own["indicator"]):
        for year in template_years(own, rules):
            row = {c: "" for c in TEMPLATE_COLUMNS}
            row.update(
                region=region,
                indicator=indicator,
                year=year,
                unit=catalogue.loc[indicator, "unit"],
                indicator_zh=catalogue.loc[indicator, "name_zh"],
            )
            if (indicator, year) in known.index:
                hit = known.loc[(indicator, year)]
                row.update(
                    qualifier=hit["qualifier"],
                    value=hit["value_text"],
                    source_url=hit["source_url"],
                    source_kind=hit["source_kind"],
                    excerpt=hit["excerpt"],
                    indicator_zh=hit["indicator_zh"] or row["indicator_zh"],
                    note=hit["note"],
                    date_accessed=hit["date_accessed"],
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


HOW_TO = [
    "How to fill in this template",
    "1. Fill in 'value', 'source_url', 'source_kind' and 'excerpt' on the rows you have figures for; "
    "rows left without a value are skipped.",
    "2. value: the number as printed: 92.5, 92.5%, 12/10万, 3.5‰. A bound goes in 'qualifier' (<=, <, >=, >) "
    "or in the value itself: ≥90%, 90%以上, 不低于90%, 控制在12/10万以下.",
    "3. The unit must be the indicator's (sheet 'indicators'): a % for a per-1000 indicator is an error.",
    "4. source_kind: statistical_bulletin, government_report, official_news, plan_baseline or other.",
    "5. Keep the sheet name 'observations' and its header row. Put the file in data/observations/ or pass it "
    "with --data; check it with `plantracker validate FILE`.",
    "Rows already filled in are the figures known so far, with their sources.",
]


def indicator_sheet(own_targets: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The template's read-me of indicators: names, unit, bounds and the targets set for them."""
    wording = [
        f"{c} {v:g} {u} by {y}"
        for c, v, u, y in zip(
            own_targets["comparator"],
            own_targets["target_value"],
            own_targets["unit"],
            own_targets["target_year"],
            strict=True,
        )
    ]
    stated = own_targets.assign(target=wording).groupby("indicator", sort=False)["target"].agg("; ".join)
    table = indicators.set_index("indicator_id").loc[list(stated.index)]
    columns = ["name_zh", "name_en", "unit", "direction", "lower_bound", "upper_bound"]
    return table[columns].assign(targets=stated).rename_axis("indicator_id").reset_index()
