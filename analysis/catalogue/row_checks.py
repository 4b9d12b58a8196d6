"""The checks of one row of the catalogue: a target (its quote verbatim in its document, its value in
its quote, its unit, kind, comparator, years, measure and id) or an excluded number.

A researcher must be able to trust that every row says what its document says, word for word, so each
quote is re-read in its document and each value in its quote; every problem names the file, the
spreadsheet row, the column and what to do. The whole tables are checked in `checks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.catalogue.extraction import values_in
from analysis.core.errors import Problem
from analysis.core.schema import REQUIRED_TARGET_FIELDS, ROW, Wording


@dataclass(frozen=True)
class CatalogueContext:
    """What the row checks read: the indicators and registry by key, the text of each plan, the vocabulary,
    and the extractor's wording (how a quote's numbers are read; None where no quote is checked)."""

    file: str
    indicators: dict[str, dict]
    registry: dict[str, dict]
    texts: dict[str, str]
    vocabulary: dict
    wording: Wording | None


RowCheck = Callable[[pd.Series, CatalogueContext], list[Problem]]


def cell_problem(ctx: CatalogueContext, row: pd.Series, column: str, message: str, fix: str) -> list[Problem]:
    """One error on a cell of the row, as a list so that checks can add up their problems."""
    return [Problem(ctx.file, int(row[ROW]), column, message, fix)]


def _loose(text: str) -> str:
    """Text with blanks dropped and half-width punctuation made full-width: to explain a near miss."""
    table = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；", "<": "〈", ">": "〉"})
    return re.sub(r"\s+", "", text.translate(table))


def check_quote(row: pd.Series, ctx: CatalogueContext, column: str = "quote") -> list[Problem]:
    """The quote is a verbatim span of its document."""
    text, quote = ctx.texts.get(row["document"]), row["quote"]
    if text is None or not quote or quote in text:
        return (
            []
            if quote
            else cell_problem(
                ctx, row, column, "the quote is empty", "copy the clause that states it from the document"
            )
        )
    near = _loose(quote) in _loose(text)
    hint = " (it matches once blanks and full-/half-width punctuation are ignored)" if near else ""
    return cell_problem(
        ctx,
        row,
        column,
        f"the quote is not a verbatim substring of {row['document']}{hint}",
        f"copy the span exactly from data/policies/{row['document']} (same characters, "
        "full-width ，（）： as printed, no added or dropped blanks)",
    )


def check_document(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The row's document is one of the registry: its quote can then be read in it."""
    if row["document"] in ctx.texts:
        return []
    return cell_problem(
        ctx,
        row,
        "document",
        f"'{row['document']}' is not a document of the registry",
        "use a file name listed in data/policies/registry.csv, e.g. 000_c9f140dc50251c3d.txt",
    )


def check_required(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """Text cells that must be filled (empty numbers are reported when they are converted)."""
    empty = [
        c
        for c in REQUIRED_TARGET_FIELDS
        if c not in ("target_value", "target_year") and not str(row[c]).strip()
    ]
    return [
        p
        for c in empty
        for p in cell_problem(ctx, row, c, "the cell is empty", f"fill in {c} (see data/README.md)")
    ]


def check_region(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The row's region is its document's: a plan's targets are its region's."""
    expected = ctx.registry.get(row["document"], {}).get("region")
    if expected is None or row["region"] == expected:
        return []
    return cell_problem(
        ctx,
        row,
        "region",
        f"region '{row['region']}' differs from the region of "
        f"{row['document']} in the registry ('{expected}')",
        f"write {expected}",
    )


def check_value_in_quote(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The target value is a number the quote states (九, １２, 3万, the bounds of 2-3家, 全覆盖 = 100)."""
    value = row["target_value"]
    if pd.isna(value) or not row["quote"]:
        return []
    found = values_in(ctx.wording, row["quote"])
    if round(float(value), 6) in found:
        return []
    listed = ", ".join(f"{v:g}" for v in sorted(found)) or "none"
    return cell_problem(
        ctx,
        row,
        "target_value",
        f"target_value {value:g} does not appear in the quote (numbers in it: {listed})",
        "set target_value to the number the quote states, or quote the clause that states it",
    )


def check_comparator(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The comparator is one the judgements know (>=, <=, ==)."""
    allowed = ctx.vocabulary["comparators"]
    if row["comparator"] in allowed:
        return []
    return cell_problem(
        ctx,
        row,
        "comparator",
        f"comparator '{row['comparator']}' is not one of {', '.join(allowed)}",
        "write >= (不少于, 以上, 达到, 全覆盖), <= (控制在…以内, 不超过) or == (exactly)",
    )


def check_indicator_and_unit(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The indicator exists and the row's unit is the indicator's (% for a relative change)."""
    units = ctx.vocabulary["units"]
    if row["unit"] not in units:
        return cell_problem(
            ctx,
            row,
            "unit",
            f"unit '{row['unit']}' is not in the unit vocabulary",
            f"use one of: {', '.join(units)}",
        )
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None:
        return (
            []
            if not row["indicator"]
            else cell_problem(
                ctx,
                row,
                "indicator",
                f"indicator '{row['indicator']}' is not in data/indicators.csv",
                "add the indicator to data/indicators.csv or use an existing indicator_id",
            )
        )
    expected, why = (
        quantity_units(row["measure"], indicator["unit"]),
        (
            "a relative_change is stated in % of its base"
            if row["measure"] == "relative_change"
            else "a rise of a % indicator is stated in percentage points"
            if row["measure"] == "increase" and indicator["unit"] == "%"
            else f"the unit of {row['indicator']} in data/indicators.csv"
        ),
    )
    if row["unit"] in expected:
        return []
    return cell_problem(
        ctx,
        row,
        "unit",
        f"unit '{row['unit']}' differs from '{' or '.join(expected)}' ({why})",
        f"write {expected[0]}, or measure the target with an indicator in {row['unit']}",
    )


def quantity_units(measure: str, indicator_unit: str) -> list[str]:
    """The unit a target's value is stated in: the indicator's own, points for a rise of a share,
    % of the base for a relative change."""
    if measure == "relative_change":
        return ["%"]
    if measure == "increase" and indicator_unit == "%":
        return ["percentage points"]
    return [indicator_unit]


def check_direction(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """A ceiling on a higher-is-better indicator (or a floor on a lower one) is probably misread."""
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None or row["measure"] != "level" or row["comparator"] not in (">=", "<="):
        return []
    expected = "<=" if indicator["direction"] == "lower" else ">="
    if row["comparator"] == expected:
        return []
    better = indicator["direction"]
    message = f"comparator {row['comparator']} on {row['indicator']}, where {better} is better"
    return [
        Problem(
            ctx.file,
            int(row[ROW]),
            "comparator",
            message,
            f"check the wording: {expected} is the usual reading",
            "warning",
        )
    ]


def check_kind(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """A known kind, in a unit that fits it (a share in %, a count in count …)."""
    kinds = ctx.vocabulary["kind_units"]
    if row["kind"] not in kinds:
        return cell_problem(
            ctx,
            row,
            "kind",
            f"kind '{row['kind']}' is not one of {', '.join(kinds)}",
            "see the kind column in data/README.md",
        )
    if row["unit"] in kinds[row["kind"]] or row["unit"] not in ctx.vocabulary["units"]:
        return []
    return cell_problem(
        ctx,
        row,
        "kind",
        f"kind '{row['kind']}' does not fit unit '{row['unit']}'",
        "share, coverage and relative_change take %; count takes count; rate takes ‰ or per N …; "
        "level takes years, index, minutes, yuan, times or per N population",
    )


def check_years(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """A deadline within the years the catalogue covers, after the year of the stated baseline."""
    span = ctx.vocabulary["target_years"]
    year, base_year = row["target_year"], row["baseline_year"]
    if pd.notna(year) and not span["first"] <= year <= span["last"]:
        return cell_problem(
            ctx,
            row,
            "target_year",
            f"target_year {year} is outside {span['first']}–{span['last']}",
            "write the deadline year the text gives (到20XX年), else the document's horizon",
        )
    if pd.notna(year) and pd.notna(base_year) and base_year >= year:
        return cell_problem(
            ctx,
            row,
            "baseline_year",
            f"baseline_year {base_year} is not before the target year {year}",
            "write the year of the stated base, or leave it empty",
        )
    return []


def check_measure(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """What the target promises (data/README.md, measure): a known measure, a base year where a change is
    measured, a kind that agrees, and figures that can show it."""
    measures = ctx.vocabulary["measures"]
    measure = row["measure"]
    if measure not in measures:
        return cell_problem(
            ctx,
            row,
            "measure",
            f"measure '{measure}' is not one of {', '.join(measures)}",
            "write level (a value to reach), increase (a rise since the base), relative_change "
            "(a change in % of the base), per_year (a flow every year) or per_unit "
            "(in each unit)",
        )
    problems = []
    base_year, year = row["base_year"], row["target_year"]
    if measure in ("increase", "relative_change") and pd.isna(base_year):
        problems += cell_problem(
            ctx,
            row,
            "base_year",
            f"a {measure} target needs the base year its change is measured from",
            "write the base year the plan states, else the one the base-year rule of data/README.md gives",
        )
    if measure == "level" and pd.notna(base_year) and pd.isna(row["baseline_year"]):
        problems += cell_problem(
            ctx,
            row,
            "base_year",
            "a level target has no base year of its own",
            "leave base_year empty (the pace's base is the setting default_base_year), "
            "or write the plan's stated base in baseline_year",
        )
    if pd.notna(base_year) and pd.notna(year) and base_year >= year:
        problems += cell_problem(
            ctx,
            row,
            "base_year",
            f"base_year {base_year} is not before the target year {year}",
            "write the year the change is measured from",
        )
    if pd.notna(base_year) and pd.notna(row["baseline_year"]) and base_year != row["baseline_year"]:
        problems += cell_problem(
            ctx,
            row,
            "base_year",
            f"base_year {base_year} differs from the stated baseline_year {row['baseline_year']}",
            "write the stated baseline year",
        )
    if (measure == "relative_change") != (row["kind"] == "relative_change"):
        problems += cell_problem(
            ctx,
            row,
            "kind",
            f"kind '{row['kind']}' with measure '{measure}'",
            "kind relative_change goes with measure relative_change, and only with it",
        )
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is not None and measure == "per_year" and not indicator.get("flow", False):
        problems.append(
            Problem(
                ctx.file,
                int(row[ROW]),
                "measure",
                f"a per_year target on {row['indicator']}, whose figures are totals "
                "standing at year end (flow = false)",
                "mark the indicator flow = true if its figures count what is done in a "
                "year, or measure the target with such an indicator",
                "warning",
            )
        )
    return problems


def check_target_id(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """<document number>-<indicator>-<target year>: an id a reader can decode, stable when rows move."""
    number = re.match(r"\d+", row["document"])
    if not number or pd.isna(row["target_year"]):
        return []
    expected = f"{number.group(0)}-{row['indicator']}-{row['target_year']}"
    if re.fullmatch(re.escape(expected) + r"(-[b-z])?", row["target_id"]):
        return []
    return cell_problem(
        ctx,
        row,
        "target_id",
        f"target_id '{row['target_id']}' does not follow <document number>-<indicator>-<target year>",
        f"write {expected} (or {expected}-b, -c "
        "for a second and third target of the same indicator and year)",
    )


TARGET_CHECKS: list[RowCheck] = [
    check_required,
    check_document,
    check_region,
    check_quote,
    check_value_in_quote,
    check_comparator,
    check_direction,
    check_indicator_and_unit,
    check_kind,
    check_years,
    check_measure,
    check_target_id,
]


def check_known_indicator(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """The indicator is in data/indicators.csv: its unit, direction and bounds decide the judgement."""
    if row["indicator"] in ctx.indicators:
        return []
    return cell_problem(
        ctx,
        row,
        "indicator",
        f"indicator '{row['indicator']}' is not in data/indicators.csv",
        "use an indicator_id of data/indicators.csv: its unit, direction and bounds decide how "
        "the target is judged",
    )


def check_excluded_row(row: pd.Series, ctx: CatalogueContext) -> list[Problem]:
    """An excluded number: known document, verbatim quote, the number inside it, a known reason."""
    problems = check_document(row, ctx) + check_quote(row, ctx)
    if row["number"] and row["number"] not in row["quote"]:
        problems += cell_problem(
            ctx,
            row,
            "number",
            f"'{row['number']}' is not in the quote",
            "write the number exactly as printed in the quote, or widen the quote",
        )
    reasons = ctx.vocabulary["excluded_reasons"]
    if row["reason"] not in reasons:
        problems += cell_problem(
            ctx,
            row,
            "reason",
            f"reason '{row['reason']}' is not one of {', '.join(reasons)}",
            "see targets_excluded.csv in data/README.md",
        )
    return problems
