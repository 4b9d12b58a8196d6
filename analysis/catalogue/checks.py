"""The targets catalogue: indicators, targets and the numbers that are not targets, checked against the plans.

`check_catalogue` checks indicators.csv, targets.csv and targets_excluded.csv as a whole (unique ids,
each indicator's vocabulary and role) and each of their rows with the checks of `row_checks`;
`check_judged_targets` checks a targets file given to `plantracker assess`. Vocabularies (units, kinds,
comparators, themes …) live in catalogue_rules.yaml beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.catalogue.row_checks import (
    TARGET_CHECKS,
    CatalogueContext,
    cell_problem,
    check_comparator,
    check_excluded_row,
    check_known_indicator,
    check_measure,
)
from analysis.core.errors import Problem
from analysis.core.schema import ROW, Rules, Wording


def check_judged_targets(
    targets: pd.DataFrame, indicators: dict[str, dict], file: str, vocabulary: dict, rules: Rules
) -> list[Problem]:
    """The rows of a targets file given to `plantracker assess`: the catalogue's own checks of what the
    row says (comparator, measure and base year, a known indicator), and a deadline in the rules' years."""
    ctx = CatalogueContext(file, indicators, {}, {}, vocabulary, None)  # no quote is checked here
    problems = check_unique_ids(targets, "target_id", file)
    for _, row in targets.iterrows():
        empty = [c for c in ("target_id", "region", "indicator") if not str(row[c]).strip()]
        problems += [p for c in empty for p in cell_problem(ctx, row, c, "the cell is empty", f"fill in {c}")]
        problems += check_comparator(row, ctx) + check_known_indicator(row, ctx)
        if row["measure"] == "":
            problems += cell_problem(
                ctx,
                row,
                "measure",
                "the cell is empty",
                "write level, increase, relative_change, per_year or per_unit (data/README.md)",
            )
        else:  # a level target may name the base year of its pace here
            problems += [p for p in check_measure(row, ctx) if "no base year of its own" not in p.message]
        year = row["target_year"]
        if pd.notna(year) and not rules.first_year <= year <= rules.last_year:
            problems += cell_problem(
                ctx,
                row,
                "target_year",
                f"target_year {year} is outside {rules.first_year}–{rules.last_year}",
                "write the deadline year of the target",
            )
    return problems


def check_unique_ids(frame: pd.DataFrame, column: str, file: str) -> list[Problem]:
    """Each id once: every row after the first with the same id is a problem."""
    repeated = frame[frame[column].duplicated(keep="first") & frame[column].ne("")]
    return [
        Problem(
            file,
            int(r[ROW]),
            column,
            f"'{r[column]}' already appears on an earlier row",
            "give each row its own id (add -b, -c for a second target of the same key)",
        )
        for _, r in repeated.iterrows()
    ]


def _indicator_links(row: pd.Series, units: dict[str, str], file: str) -> list[Problem]:
    """A flow is never cumulative; a coverage indicator is a known % indicator."""
    problems = []
    if row["flow"] and row["cumulative"]:
        problems.append(
            Problem(
                file,
                int(row[ROW]),
                "flow",
                "flow and cumulative are both true",
                "a flow counts what is done in one year (flow = true); a cumulative count "
                "is a total standing at year end (cumulative = true): keep one",
            )
        )
    coverage = str(row["coverage_indicator"]).strip()
    if coverage and units.get(coverage) != "%":
        problems.append(
            Problem(
                file,
                int(row[ROW]),
                "coverage_indicator",
                f"'{coverage}' is not an indicator in % of data/indicators.csv",
                "name the indicator giving the share of units that reach the per-unit "
                "count, or leave the cell empty",
            )
        )
    return problems


def check_indicators(indicators: pd.DataFrame, used: set[str], file: str, vocab: dict) -> list[Problem]:
    """indicators.csv: unique ids, known units, directions, themes and roles, and a role that says
    whether a target measures the indicator (`used`)."""
    problems = check_unique_ids(indicators, "indicator_id", file)
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    columns = {
        "unit": vocab["units"],
        "direction": vocab["directions"],
        "theme": vocab["themes"],
        "role": vocab["roles"],
    }
    for _, row in indicators.iterrows():
        problems += [
            Problem(
                file,
                int(row[ROW]),
                c,
                f"'{row[c]}' is not one of {', '.join(allowed)}",
                f"write one of: {', '.join(allowed)}",
            )
            for c, allowed in columns.items()
            if row[c] not in allowed
        ]
        problems += _indicator_links(row, units, file)
        role = "target" if row["indicator_id"] in used else "context"
        if row["role"] in vocab["roles"] and row["role"] != role:
            problems.append(
                Problem(
                    file,
                    int(row[ROW]),
                    "role",
                    f"role '{row['role']}' but {'a' if role == 'target' else 'no'} target measures it",
                    f"write {role}",
                    "warning",
                )
            )
    return problems


# ---------------------------------------------------------------- the whole catalogue


@dataclass(frozen=True)
class CatalogueTables:
    """The catalogue as read (analysis.io.readers.catalogue): each table typed, or None when unreadable."""

    indicators: pd.DataFrame | None
    targets: pd.DataFrame | None
    excluded: pd.DataFrame | None
    registry: dict[str, dict]
    texts: dict[str, str]
    vocabulary: dict
    wording: Wording  # the extractor's, to read the numbers of each quote
    names: dict[str, str]  # "indicators", "targets", "excluded" → the file as a researcher finds it


def check_catalogue(tables: CatalogueTables) -> list[Problem]:
    """Every problem of indicators.csv, targets.csv and targets_excluded.csv, with where and how to fix."""
    problems: list[Problem] = []
    names = tables.names
    indicators: dict[str, dict] = {}
    if tables.indicators is not None:
        used = set(tables.targets["indicator"]) if tables.targets is not None else set()
        problems += check_indicators(tables.indicators, used, names["indicators"], tables.vocabulary)
        indicators = {r["indicator_id"]: r for r in tables.indicators.to_dict("records")}
    if tables.targets is not None:
        ctx = CatalogueContext(
            names["targets"], indicators, tables.registry, tables.texts, tables.vocabulary, tables.wording
        )
        problems += check_unique_ids(tables.targets, "target_id", names["targets"])
        problems += [
            p for _, row in tables.targets.iterrows() for check in TARGET_CHECKS for p in check(row, ctx)
        ]
    if tables.excluded is not None:
        ctx = CatalogueContext(
            names["excluded"], indicators, tables.registry, tables.texts, tables.vocabulary, tables.wording
        )
        problems += [p for _, row in tables.excluded.iterrows() for p in check_excluded_row(row, ctx)]
    return problems
