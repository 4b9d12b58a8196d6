"""The catalogue's tables and the plans: registry, policy texts, indicators, targets, exclusions.

Number columns are read by the one number parser (`analysis.core.numbers.parse_plain`); every cell that
does not convert is reported with file, row and column, all at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.numbers import parse_plain, plain_cells
from analysis.core.schema import (
    EXCLUDED_COLUMNS,
    INDICATOR_COLUMNS,
    OPTIONAL_INDICATOR_COLUMNS,
    OPTIONAL_REGISTRY_COLUMNS,
    REGISTRY_COLUMNS,
    ROW,
    TARGET_COLUMNS,
)
from analysis.io.readers.files import display_name, read_bytes, read_table

VOCABULARY_FILE = paths.PACKAGE / "catalogue" / "catalogue_rules.yaml"


@cache
def load_vocabulary() -> dict:
    """Units, kinds, comparators, themes … the catalogue accepts (analysis/catalogue_rules.yaml)."""
    return yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))


def load_registry(root: Path) -> pd.DataFrame:
    """The document registry, one row per plan, horizon_year as int, document_year as Int64 (empty when
    the text does not show it)."""
    path = paths.registry_file(root)
    name = display_name(path, root)
    frame = read_table(path, REGISTRY_COLUMNS, display_name=name, root=root)
    frame = frame.assign(**{c: v for c, v in OPTIONAL_REGISTRY_COLUMNS.items() if c not in frame})
    years, problems = numbers(frame, "horizon_year", name, required=True, integer=True)
    written, found = numbers(frame, "document_year", name, required=False, integer=True)
    if problems + found:
        raise DataError(problems + found)
    return frame.assign(horizon_year=years.astype(int), document_year=written.astype("Int64"))


def plan_regions(root: Path) -> list[str]:
    """The regions that have a plan: data/policies/registry.csv is the only list of them."""
    return regions_of(load_registry(root))


def regions_of(registry: pd.DataFrame) -> list[str]:
    """The regions of a registry already read, in name order (the one rule for which regions have a plan)."""
    return sorted(registry["region"].str.strip().unique().tolist())


def document_text(file: str, root: Path) -> str:
    """The verbatim text of a plan, by its file name in data/policies/."""
    return _read_text(paths.policies_dir(root) / file)


@cache
def _read_text(path: Path) -> str:
    return read_bytes(path, str(path)).decode("utf-8")


def document_texts(registry: pd.DataFrame, root: Path) -> dict[str, str]:
    """The text of every registered plan whose file exists."""
    folder = paths.policies_dir(root)
    return {f: document_text(f, root) for f in registry["file"] if (folder / f).exists()}


def numbers(
    frame: pd.DataFrame,
    column: str,
    file: str,
    *,
    required: bool,
    integer: bool = False,
    exponent: bool = False,
) -> tuple[pd.Series, list[Problem]]:
    """A text column as numbers; empty cells NaN (or a problem when required), bad cells a problem.

    Plain cells convert at once; only the others go through the parser one by one, for its message.
    `exponent` admits 1.5e-06, which a machine-written table (the calibration) may hold."""
    cells = frame[column].astype(str).str.strip()
    plain = plain_cells(cells, integer=integer, exponent=exponent)
    values = pd.Series(np.nan, index=frame.index, dtype=float)
    values[plain] = pd.to_numeric(cells[plain], errors="coerce")
    problems = []
    empty = cells.eq("")
    if required:
        problems += [
            Problem(file, int(row), column, "the cell is empty", f"write the {column}")
            for row in frame.loc[empty, ROW]
        ]
    kind = "a whole number such as 2027" if integer else "a plain decimal number such as 92.5"
    for row, cell in zip(frame.loc[~plain & ~empty, ROW], cells[~plain & ~empty], strict=True):
        try:
            value = parse_plain(cell)
            message = "" if not integer or value.is_integer() else f"'{cell}' is not a whole number"
        except ValueError as exc:
            message = str(exc)
        problems.append(
            Problem(
                file,
                int(row),
                column,
                message or f"'{cell}' is not {kind}",
                f"write {kind}: no unit, no %, no full-width digits",
            )
        )
    return values, problems


def typed_indicators(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    raw = raw.assign(**{c: v for c, v in OPTIONAL_INDICATOR_COLUMNS.items() if c not in raw})
    lower, p1 = numbers(raw, "lower_bound", file, required=False)
    upper, p2 = numbers(raw, "upper_bound", file, required=False)
    flags = {c: raw[c].str.strip().str.lower() for c in ("cumulative", "flow")}
    p3 = [
        Problem(file, row, column, f"'{cell}' is neither true nor false", "write true or false")
        for column, cells in flags.items()
        for row, cell in zip(raw[ROW], cells, strict=True)
        if cell not in ("true", "false")
    ]
    typed = raw.assign(
        lower_bound=lower,
        upper_bound=upper,
        coverage_indicator=raw["coverage_indicator"].str.strip(),
        **{c: cells.eq("true").astype(bool) for c, cells in flags.items()},
    )
    return typed, p1 + p2 + p3


def typed_targets(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    value, p1 = numbers(raw, "target_value", file, required=True)
    year, p2 = numbers(raw, "target_year", file, required=True, integer=True)
    base, p3 = numbers(raw, "baseline_value", file, required=False)
    baseline_year, p4 = numbers(raw, "baseline_year", file, required=False, integer=True)
    base_year, p5 = numbers(raw, "base_year", file, required=False, integer=True)
    typed = raw.assign(
        target_value=value,
        target_year=year.astype("Int64"),
        baseline_value=base,
        baseline_year=baseline_year.astype("Int64"),
        base_year=base_year.astype("Int64"),
    )
    return typed, p1 + p2 + p3 + p4 + p5


def read_catalogue_table(path: Path, columns: list[str], root: Path) -> pd.DataFrame:
    return read_table(path, columns, display_name=display_name(path, root), root=root)


def _load_typed(path: Path, columns: list[str], typed_by, root: Path) -> pd.DataFrame:
    typed, problems = typed_by(read_catalogue_table(path, columns, root), display_name(path, root))
    if problems:
        raise DataError(problems)
    return typed


def load_indicators(root: Path) -> pd.DataFrame:
    """data/indicators.csv: bounds as float (NaN = unbounded), cumulative as bool, plus the sheet `row`."""
    return _load_typed(paths.indicators_file(root), INDICATOR_COLUMNS, typed_indicators, root)


def load_targets(root: Path, path: Path | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """data/targets.csv (or a targets file with at least `columns`): target_value float, target_year int,
    baseline_value float, baseline_year and base_year Int64; optional text columns a batch file may leave
    out (measure, kind, unit) are empty."""
    path = Path(path) if path is not None else paths.targets_file(root)
    raw = read_catalogue_table(path, columns or TARGET_COLUMNS, root)
    for optional in ("baseline_value", "baseline_year", "base_year", "measure", "kind", "unit"):
        if optional not in raw:
            raw[optional] = ""
    typed, problems = typed_targets(raw, display_name(path, root))
    if problems:
        raise DataError(problems)
    return typed.astype({"target_year": int})


def load_excluded(root: Path) -> pd.DataFrame:
    """data/targets_excluded.csv, as text, plus the sheet `row`."""
    return read_catalogue_table(paths.excluded_file(root), EXCLUDED_COLUMNS, root)
