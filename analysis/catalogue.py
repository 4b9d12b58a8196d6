"""The targets catalogue: indicators, targets and the numbers that are not targets, checked against the plans.

A researcher must be able to trust that every row says what its document says, word for word, so
`validate_catalogue` re-reads each quote in its document and each value in its quote, and reports
every problem with the file, the spreadsheet row, the column and what to do. Vocabularies (units,
kinds, comparators, themes …) live in catalogue_rules.yaml beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from rich.console import Console
from rich.table import Table

from analysis import paths
from analysis.errors import DataError, Problem
from analysis.tables import ROW, read_table

INDICATOR_COLUMNS = ["indicator_id", "name_zh", "name_en", "unit", "direction", "lower_bound",
                     "upper_bound", "theme", "cumulative", "role"]
TARGET_COLUMNS = ["target_id", "region", "document", "clause", "indicator", "description_zh",
                  "description_en", "comparator", "target_value", "unit", "target_year", "baseline_value",
                  "baseline_year", "kind", "quote", "note"]
EXCLUDED_COLUMNS = ["document", "clause", "number", "quote", "reason", "note"]
REQUIRED_TARGET_FIELDS = ["target_id", "region", "document", "indicator", "comparator", "target_value",
                          "unit", "target_year", "kind", "quote"]


@cache
def vocabulary() -> dict:
    return yaml.safe_load((Path(__file__).with_name("catalogue_rules.yaml")).read_text(encoding="utf-8"))


def _name(path: Path, root: Path | None) -> str:
    """The file as a researcher finds it: data/targets.csv, relative to the project root."""
    try:
        return str(path.relative_to(root or paths.project_root()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- typed loading

def _numbers(frame: pd.DataFrame, column: str, file: str, *, required: bool, integer: bool = False,
             ) -> tuple[pd.Series, list[Problem]]:
    """A text column as numbers; empty cells NaN (or a problem when required), bad cells a problem."""
    values, problems = [], []
    for row, cell in zip(frame[ROW], frame[column].str.strip(), strict=True):
        if cell == "":
            values.append(np.nan)
            if required:
                problems.append(Problem(file, row, column, "the cell is empty", f"write the {column}"))
            continue
        pattern = r"-?\d+" if integer else r"-?\d+(\.\d+)?"
        if not re.fullmatch(pattern, cell):
            kind = "a whole number such as 2027" if integer else "a plain decimal number such as 92.5"
            problems.append(Problem(file, row, column, f"'{cell}' is not {kind}",
                                    f"write {kind}: no unit, no %, no full-width digits"))
            values.append(np.nan)
        else:
            values.append(float(cell))
    return pd.Series(values, index=frame.index, dtype=float), problems


def _typed_indicators(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    lower, p1 = _numbers(raw, "lower_bound", file, required=False)
    upper, p2 = _numbers(raw, "upper_bound", file, required=False)
    flags = raw["cumulative"].str.strip().str.lower()
    p3 = [Problem(file, row, "cumulative", f"'{cell}' is neither true nor false", "write true or false")
          for row, cell in zip(raw[ROW], flags, strict=True) if cell not in ("true", "false")]
    typed = raw.assign(lower_bound=lower, upper_bound=upper, cumulative=flags.eq("true").astype(bool))
    return typed, p1 + p2 + p3


def _typed_targets(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    value, p1 = _numbers(raw, "target_value", file, required=True)
    year, p2 = _numbers(raw, "target_year", file, required=True, integer=True)
    base, p3 = _numbers(raw, "baseline_value", file, required=False)
    base_year, p4 = _numbers(raw, "baseline_year", file, required=False, integer=True)
    typed = raw.assign(target_value=value, target_year=year.astype("Int64"), baseline_value=base,
                       baseline_year=base_year.astype("Int64"))
    return typed, p1 + p2 + p3 + p4


def _load_typed(path: Path, columns: list[str], typed_by, root: Path | None) -> pd.DataFrame:
    """Read a catalogue table and convert its number columns, raising every problem at once."""
    name = _name(path, root)
    typed, problems = typed_by(read_table(path, columns, display_name=name), name)
    if problems:
        raise DataError(problems)
    return typed


def load_indicators(root: Path | None = None) -> pd.DataFrame:
    """data/indicators.csv: bounds as float (NaN = unbounded), cumulative as bool, plus the sheet `row`."""
    return _load_typed(paths.indicators_file(root), INDICATOR_COLUMNS, _typed_indicators, root)


def load_targets(root: Path | None = None) -> pd.DataFrame:
    """data/targets.csv: target_value float, target_year int, baseline_value float, baseline_year Int64."""
    typed = _load_typed(paths.targets_file(root), TARGET_COLUMNS, _typed_targets, root)
    return typed.astype({"target_year": int})


def load_excluded(root: Path | None = None) -> pd.DataFrame:
    """data/targets_excluded.csv, as text, plus the sheet `row`."""
    path = paths.excluded_file(root)
    return read_table(path, EXCLUDED_COLUMNS, display_name=_name(path, root))


# ---------------------------------------------------------------- checks

@dataclass(frozen=True)
class Context:
    """What the row checks read: the indicators and registry by key, and the text of each plan."""

    file: str
    indicators: dict[str, dict]
    registry: dict[str, dict]
    texts: dict[str, str]


RowCheck = Callable[[pd.Series, Context], list[Problem]]


def _problem(ctx: Context, row: pd.Series, column: str, message: str, fix: str) -> list[Problem]:
    return [Problem(ctx.file, int(row[ROW]), column, message, fix)]


def _loose(text: str) -> str:
    """Text with blanks dropped and half-width punctuation made full-width: to explain a near miss."""
    table = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；", "<": "〈", ">": "〉"})
    return re.sub(r"\s+", "", text.translate(table))


def check_quote(row: pd.Series, ctx: Context, column: str = "quote") -> list[Problem]:
    """The quote is a verbatim span of its document."""
    text, quote = ctx.texts.get(row["document"]), row["quote"]
    if text is None or not quote or quote in text:
        return [] if quote else _problem(ctx, row, column, "the quote is empty",
                                         "copy the clause that states it from the document")
    near = _loose(quote) in _loose(text)
    hint = " (it matches once blanks and full-/half-width punctuation are ignored)" if near else ""
    return _problem(ctx, row, column, f"the quote is not a verbatim substring of {row['document']}{hint}",
                    f"copy the span exactly from data/policies/{row['document']} (same characters, "
                    "full-width ，（）： as printed, no added or dropped blanks)")


def check_document(row: pd.Series, ctx: Context) -> list[Problem]:
    if row["document"] in ctx.texts:
        return []
    return _problem(ctx, row, "document", f"'{row['document']}' is not a document of the registry",
                    "use a file name listed in data/policies/registry.csv, e.g. 000_c9f140dc50251c3d.txt")


def check_required(row: pd.Series, ctx: Context) -> list[Problem]:
    """Text cells that must be filled (empty numbers are reported when they are converted)."""
    empty = [c for c in REQUIRED_TARGET_FIELDS if c not in ("target_value", "target_year")
             and not str(row[c]).strip()]
    return [p for c in empty for p in _problem(ctx, row, c, "the cell is empty",
                                                f"fill in {c} (see data/README.md)")]


def check_region(row: pd.Series, ctx: Context) -> list[Problem]:
    expected = ctx.registry.get(row["document"], {}).get("region")
    if expected is None or row["region"] == expected:
        return []
    return _problem(ctx, row, "region", f"region '{row['region']}' differs from the region of "
                    f"{row['document']} in the registry ('{expected}')", f"write {expected}")


def check_value_in_quote(row: pd.Series, ctx: Context) -> list[Problem]:
    """The target value is a number the quote states (九, １２, 3万, the bounds of 2-3家, 全覆盖 = 100)."""
    from analysis.extraction import values_in

    value = row["target_value"]
    if pd.isna(value) or not row["quote"]:
        return []
    found = values_in(row["quote"])
    if round(float(value), 6) in found:
        return []
    listed = ", ".join(f"{v:g}" for v in sorted(found)) or "none"
    return _problem(ctx, row, "target_value", f"target_value {value:g} does not appear in the quote "
                    f"(numbers in it: {listed})",
                    "set target_value to the number the quote states, or quote the clause that states it")


def check_comparator(row: pd.Series, ctx: Context) -> list[Problem]:
    allowed = vocabulary()["comparators"]
    if row["comparator"] in allowed:
        return []
    return _problem(ctx, row, "comparator", f"comparator '{row['comparator']}' is not one of "
                    f"{', '.join(allowed)}", "write >= (不少于, 以上, 达到, 全覆盖), <= (控制在…以内, "
                    "不超过) or == (exactly)")


def check_indicator_and_unit(row: pd.Series, ctx: Context) -> list[Problem]:
    """The indicator exists and the row's unit is the indicator's (% for a relative change)."""
    units = vocabulary()["units"]
    if row["unit"] not in units:
        return _problem(ctx, row, "unit", f"unit '{row['unit']}' is not in the unit vocabulary",
                        f"use one of: {', '.join(units)}")
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None:
        return [] if not row["indicator"] else _problem(
            ctx, row, "indicator", f"indicator '{row['indicator']}' is not in data/indicators.csv",
            "add the indicator to data/indicators.csv or use an existing indicator_id")
    relative = row["kind"] == "relative_change"
    expected = vocabulary()["kind_units"]["relative_change"] if relative else [indicator["unit"]]
    if row["unit"] in expected:
        return []
    why = "a relative_change is stated in % of its base or in percentage points" if relative \
        else f"the unit of {row['indicator']} in data/indicators.csv"
    return _problem(ctx, row, "unit", f"unit '{row['unit']}' differs from '{' or '.join(expected)}' ({why})",
                    f"write {expected[0]}, or measure the target with an indicator in {row['unit']}")


def check_direction(row: pd.Series, ctx: Context) -> list[Problem]:
    """A ceiling on a higher-is-better indicator (or a floor on a lower one) is probably misread."""
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None or row["kind"] == "relative_change" or row["comparator"] not in (">=", "<="):
        return []
    expected = "<=" if indicator["direction"] == "lower" else ">="
    if row["comparator"] == expected:
        return []
    better = indicator["direction"]
    message = f"comparator {row['comparator']} on {row['indicator']}, where {better} is better"
    return [Problem(ctx.file, int(row[ROW]), "comparator", message,
                    f"check the wording: {expected} is the usual reading", "warning")]


def check_kind(row: pd.Series, ctx: Context) -> list[Problem]:
    kinds = vocabulary()["kind_units"]
    if row["kind"] not in kinds:
        return _problem(ctx, row, "kind", f"kind '{row['kind']}' is not one of {', '.join(kinds)}",
                        "see the kind column in data/README.md")
    if row["unit"] in kinds[row["kind"]] or row["unit"] not in vocabulary()["units"]:
        return []
    return _problem(ctx, row, "kind", f"kind '{row['kind']}' does not fit unit '{row['unit']}'",
                    "share, coverage and relative_change take %; count takes count; rate takes ‰ or per N …; "
                    "level takes years, index, minutes, yuan, times or per N population")


def check_years(row: pd.Series, ctx: Context) -> list[Problem]:
    span = vocabulary()["target_years"]
    year, base_year = row["target_year"], row["baseline_year"]
    if pd.notna(year) and not span["first"] <= year <= span["last"]:
        return _problem(ctx, row, "target_year",
                        f"target_year {year} is outside {span['first']}–{span['last']}",
                        "write the deadline year the text gives (到20XX年), else the document's horizon")
    if pd.notna(year) and pd.notna(base_year) and base_year >= year:
        return _problem(ctx, row, "baseline_year", f"baseline_year {base_year} is not before the target year "
                        f"{year}", "write the year of the stated base, or leave it empty")
    return []


def check_target_id(row: pd.Series, ctx: Context) -> list[Problem]:
    number = re.match(r"\d+", row["document"])
    if not number or pd.isna(row["target_year"]):
        return []
    expected = f"{number.group(0)}-{row['indicator']}-{row['target_year']}"
    if re.fullmatch(re.escape(expected) + r"(-[b-z])?", row["target_id"]):
        return []
    return _problem(ctx, row, "target_id", f"target_id '{row['target_id']}' does not follow "
                    "<document number>-<indicator>-<target year>", f"write {expected} (or {expected}-b, -c "
                    "for a second and third target of the same indicator and year)")


TARGET_CHECKS: list[RowCheck] = [check_required, check_document, check_region, check_quote,
                                 check_value_in_quote, check_comparator, check_direction,
                                 check_indicator_and_unit, check_kind, check_years, check_target_id]


def check_excluded_row(row: pd.Series, ctx: Context) -> list[Problem]:
    """An excluded number: known document, verbatim quote, the number inside it, a known reason."""
    problems = check_document(row, ctx) + check_quote(row, ctx)
    if row["number"] and row["number"] not in row["quote"]:
        problems += _problem(ctx, row, "number", f"'{row['number']}' is not in the quote",
                             "write the number exactly as printed in the quote, or widen the quote")
    reasons = vocabulary()["excluded_reasons"]
    if row["reason"] not in reasons:
        problems += _problem(ctx, row, "reason",
                             f"reason '{row['reason']}' is not one of {', '.join(reasons)}",
                             "see targets_excluded.csv in data/README.md")
    return problems


def check_unique_ids(frame: pd.DataFrame, column: str, file: str) -> list[Problem]:
    repeated = frame[frame[column].duplicated(keep="first") & frame[column].ne("")]
    return [Problem(file, int(r[ROW]), column, f"'{r[column]}' already appears on an earlier row",
                    "give each row its own id (add -b, -c for a second target of the same key)")
            for _, r in repeated.iterrows()]


def check_indicators(indicators: pd.DataFrame, used: set[str], file: str) -> list[Problem]:
    vocab, problems = vocabulary(), check_unique_ids(indicators, "indicator_id", file)
    columns = {"unit": vocab["units"], "direction": vocab["directions"], "theme": vocab["themes"],
               "role": vocab["roles"]}
    for _, row in indicators.iterrows():
        problems += [Problem(file, int(row[ROW]), c, f"'{row[c]}' is not one of {', '.join(allowed)}",
                             f"write one of: {', '.join(allowed)}")
                     for c, allowed in columns.items() if row[c] not in allowed]
        role = "target" if row["indicator_id"] in used else "context"
        if row["role"] in vocab["roles"] and row["role"] != role:
            problems.append(Problem(file, int(row[ROW]), "role", f"role '{row['role']}' but "
                                    f"{'a' if role == 'target' else 'no'} target measures it",
                                    f"write {role}", "warning"))
    return problems


# ---------------------------------------------------------------- validation entry point

def _read(path: Path, columns: list[str], root: Path | None, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        return read_table(path, columns, display_name=_name(path, root))
    except DataError as exc:
        problems += exc.problems
        return None


def _documents(root: Path | None, problems: list[Problem]) -> tuple[dict, dict]:
    from analysis.policies import load_registry

    try:
        registry = load_registry(root)
    except DataError as exc:
        problems += exc.problems
        return {}, {}
    except ValueError as exc:  # a horizon_year that is not a year
        problems.append(Problem(_name(paths.registry_file(root), root), None, "horizon_year", str(exc),
                                "write the horizon as a year such as 2027"))
        return {}, {}
    texts = {f: (paths.policies_dir(root) / f).read_text(encoding="utf-8") for f in registry["file"]
             if (paths.policies_dir(root) / f).exists()}
    return {r["file"]: r for r in registry.to_dict("records")}, texts


def validate_catalogue(root: Path | None = None) -> list[Problem]:
    """Every problem of indicators.csv, targets.csv and targets_excluded.csv, with where and how to fix."""
    problems: list[Problem] = []
    names = {k: _name(f(root), root) for k, f in (("indicators", paths.indicators_file),
                                                     ("targets", paths.targets_file),
                                                     ("excluded", paths.excluded_file))}
    raw_indicators = _read(paths.indicators_file(root), INDICATOR_COLUMNS, root, problems)
    raw_targets = _read(paths.targets_file(root), TARGET_COLUMNS, root, problems)
    raw_excluded = _read(paths.excluded_file(root), EXCLUDED_COLUMNS, root, problems)
    registry, texts = _documents(root, problems)
    indicators: dict[str, dict] = {}
    if raw_indicators is not None:
        typed, found = _typed_indicators(raw_indicators, names["indicators"])
        used = set(raw_targets["indicator"]) if raw_targets is not None else set()
        problems += found + check_indicators(typed, used, names["indicators"])
        indicators = {r["indicator_id"]: r for r in typed.to_dict("records")}
    if raw_targets is not None:
        targets, found = _typed_targets(raw_targets, names["targets"])
        ctx = Context(names["targets"], indicators, registry, texts)
        problems += found + check_unique_ids(targets, "target_id", names["targets"])
        problems += [p for _, row in targets.iterrows() for check in TARGET_CHECKS for p in check(row, ctx)]
    if raw_excluded is not None:
        ctx = Context(names["excluded"], indicators, registry, texts)
        problems += [p for _, row in raw_excluded.iterrows() for p in check_excluded_row(row, ctx)]
    return problems


# ---------------------------------------------------------------- summary for the command line

def _count_table(title: str, counts: pd.Series, label: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label)
    table.add_column("targets", justify="right")
    for key, n in counts.items():
        table.add_row(str(key), str(n))
    return table


def _rows_table(targets: pd.DataFrame) -> Table:
    table = Table(title="Targets", title_justify="left")
    columns = ["target_id", "comparator", "target_value", "unit", "target_year", "kind", "description_en"]
    for column in columns:
        table.add_column(column, overflow="fold")
    for _, r in targets.iterrows():
        table.add_row(r["target_id"], r["comparator"], f"{r['target_value']:g}", r["unit"],
                      str(r["target_year"]), r["kind"], r["description_en"])
    return table


def print_summary(console: Console, region: str | None = None, rows: bool = False,
                  root: Path | None = None) -> None:
    """Counts of targets by region, year, theme and kind (and every row on request)."""
    targets = load_targets(root)
    if region is not None:
        regions = vocabulary()["regions"]
        if region not in regions:
            raise DataError([Problem("--region", None, None, f"unknown region '{region}'",
                                     f"use one of: {', '.join(regions)}")])
        targets = targets[targets["region"].eq(region)]
    themes = load_indicators(root).set_index("indicator_id")["theme"]
    targets = targets.assign(theme=targets["indicator"].map(themes).fillna("(unknown indicator)"))
    console.print(f"{len(targets)} targets in {targets['document'].nunique()} document(s)"
                  + (f" of {region}" if region else ""))
    for column, title in [("region", "By region"), ("target_year", "By year"), ("theme", "By theme"),
                          ("kind", "By kind")]:
        counts = targets[column].value_counts().sort_index()
        console.print(_count_table(title, counts, column))
    if rows:
        console.print(_rows_table(targets))
