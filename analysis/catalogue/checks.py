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

import pandas as pd

from analysis.catalogue.extraction import values_in
from analysis.core.errors import Problem
from analysis.core.schema import REQUIRED_TARGET_FIELDS, ROW, Wording

# ---------------------------------------------------------------- checks

@dataclass(frozen=True)
class Context:
    """What the row checks read: the indicators and registry by key, the text of each plan, the vocabulary,
    and the extractor's wording (how a quote's numbers are read; None where no quote is checked)."""

    file: str
    indicators: dict[str, dict]
    registry: dict[str, dict]
    texts: dict[str, str]
    vocabulary: dict
    wording: Wording | None


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
    value = row["target_value"]
    if pd.isna(value) or not row["quote"]:
        return []
    found = values_in(ctx.wording, row["quote"])
    if round(float(value), 6) in found:
        return []
    listed = ", ".join(f"{v:g}" for v in sorted(found)) or "none"
    return _problem(ctx, row, "target_value", f"target_value {value:g} does not appear in the quote "
                    f"(numbers in it: {listed})",
                    "set target_value to the number the quote states, or quote the clause that states it")


def check_comparator(row: pd.Series, ctx: Context) -> list[Problem]:
    allowed = ctx.vocabulary["comparators"]
    if row["comparator"] in allowed:
        return []
    return _problem(ctx, row, "comparator", f"comparator '{row['comparator']}' is not one of "
                    f"{', '.join(allowed)}", "write >= (不少于, 以上, 达到, 全覆盖), <= (控制在…以内, "
                    "不超过) or == (exactly)")


def check_indicator_and_unit(row: pd.Series, ctx: Context) -> list[Problem]:
    """The indicator exists and the row's unit is the indicator's (% for a relative change)."""
    units = ctx.vocabulary["units"]
    if row["unit"] not in units:
        return _problem(ctx, row, "unit", f"unit '{row['unit']}' is not in the unit vocabulary",
                        f"use one of: {', '.join(units)}")
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None:
        return [] if not row["indicator"] else _problem(
            ctx, row, "indicator", f"indicator '{row['indicator']}' is not in data/indicators.csv",
            "add the indicator to data/indicators.csv or use an existing indicator_id")
    expected, why = quantity_units(row["measure"], indicator["unit"]), (
        "a relative_change is stated in % of its base" if row["measure"] == "relative_change"
        else "a rise of a % indicator is stated in percentage points"
        if row["measure"] == "increase" and indicator["unit"] == "%"
        else f"the unit of {row['indicator']} in data/indicators.csv")
    if row["unit"] in expected:
        return []
    return _problem(ctx, row, "unit", f"unit '{row['unit']}' differs from '{' or '.join(expected)}' ({why})",
                    f"write {expected[0]}, or measure the target with an indicator in {row['unit']}")


def quantity_units(measure: str, indicator_unit: str) -> list[str]:
    """The unit a target's value is stated in: the indicator's own, points for a rise of a share,
    % of the base for a relative change."""
    if measure == "relative_change":
        return ["%"]
    if measure == "increase" and indicator_unit == "%":
        return ["percentage points"]
    return [indicator_unit]


def check_direction(row: pd.Series, ctx: Context) -> list[Problem]:
    """A ceiling on a higher-is-better indicator (or a floor on a lower one) is probably misread."""
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is None or row["measure"] != "level" or row["comparator"] not in (">=", "<="):
        return []
    expected = "<=" if indicator["direction"] == "lower" else ">="
    if row["comparator"] == expected:
        return []
    better = indicator["direction"]
    message = f"comparator {row['comparator']} on {row['indicator']}, where {better} is better"
    return [Problem(ctx.file, int(row[ROW]), "comparator", message,
                    f"check the wording: {expected} is the usual reading", "warning")]


def check_kind(row: pd.Series, ctx: Context) -> list[Problem]:
    kinds = ctx.vocabulary["kind_units"]
    if row["kind"] not in kinds:
        return _problem(ctx, row, "kind", f"kind '{row['kind']}' is not one of {', '.join(kinds)}",
                        "see the kind column in data/README.md")
    if row["unit"] in kinds[row["kind"]] or row["unit"] not in ctx.vocabulary["units"]:
        return []
    return _problem(ctx, row, "kind", f"kind '{row['kind']}' does not fit unit '{row['unit']}'",
                    "share, coverage and relative_change take %; count takes count; rate takes ‰ or per N …; "
                    "level takes years, index, minutes, yuan, times or per N population")


def check_years(row: pd.Series, ctx: Context) -> list[Problem]:
    span = ctx.vocabulary["target_years"]
    year, base_year = row["target_year"], row["baseline_year"]
    if pd.notna(year) and not span["first"] <= year <= span["last"]:
        return _problem(ctx, row, "target_year",
                        f"target_year {year} is outside {span['first']}–{span['last']}",
                        "write the deadline year the text gives (到20XX年), else the document's horizon")
    if pd.notna(year) and pd.notna(base_year) and base_year >= year:
        return _problem(ctx, row, "baseline_year", f"baseline_year {base_year} is not before the target year "
                        f"{year}", "write the year of the stated base, or leave it empty")
    return []


def check_measure(row: pd.Series, ctx: Context) -> list[Problem]:
    """What the target promises (data/README.md, measure): a known measure, a base year where a change is
    measured, a kind that agrees, and figures that can show it."""
    measures = ctx.vocabulary["measures"]
    measure = row["measure"]
    if measure not in measures:
        return _problem(ctx, row, "measure", f"measure '{measure}' is not one of {', '.join(measures)}",
                        "write level (a value to reach), increase (a rise since the base), relative_change "
                        "(a change in % of the base), per_year (a flow every year) or per_unit "
                        "(in each unit)")
    problems = []
    base_year, year = row["base_year"], row["target_year"]
    if measure in ("increase", "relative_change") and pd.isna(base_year):
        problems += _problem(ctx, row, "base_year", f"a {measure} target needs the base year its change is "
                             "measured from", "write the base year the plan states, else the one the "
                             "base-year rule of data/README.md gives")
    if measure == "level" and pd.notna(base_year) and pd.isna(row["baseline_year"]):
        problems += _problem(ctx, row, "base_year", "a level target has no base year of its own",
                             "leave base_year empty (the pace's base is the setting default_base_year), "
                             "or write the plan's stated base in baseline_year")
    if pd.notna(base_year) and pd.notna(year) and base_year >= year:
        problems += _problem(ctx, row, "base_year", f"base_year {base_year} is not before the target year "
                             f"{year}", "write the year the change is measured from")
    if pd.notna(base_year) and pd.notna(row["baseline_year"]) and base_year != row["baseline_year"]:
        problems += _problem(ctx, row, "base_year", f"base_year {base_year} differs from the stated "
                             f"baseline_year {row['baseline_year']}", "write the stated baseline year")
    if (measure == "relative_change") != (row["kind"] == "relative_change"):
        problems += _problem(ctx, row, "kind", f"kind '{row['kind']}' with measure '{measure}'",
                             "kind relative_change goes with measure relative_change, and only with it")
    indicator = ctx.indicators.get(row["indicator"])
    if indicator is not None and measure == "per_year" and not indicator.get("flow", False):
        problems.append(Problem(ctx.file, int(row[ROW]), "measure",
                                f"a per_year target on {row['indicator']}, whose figures are totals "
                                "standing at year end (flow = false)",
                                "mark the indicator flow = true if its figures count what is done in a "
                                "year, or measure the target with such an indicator", "warning"))
    return problems


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
                                 check_indicator_and_unit, check_kind, check_years, check_measure,
                                 check_target_id]


def check_known_indicator(row: pd.Series, ctx: Context) -> list[Problem]:
    if row["indicator"] in ctx.indicators:
        return []
    return _problem(ctx, row, "indicator", f"indicator '{row['indicator']}' is not in data/indicators.csv",
                    "use an indicator_id of data/indicators.csv: its unit, direction and bounds decide how "
                    "the target is judged")


def check_judged_targets(targets: pd.DataFrame, indicators: dict[str, dict], file: str, vocabulary: dict,
                         rules) -> list[Problem]:
    """The rows of a targets file given to `plantracker assess`: the catalogue's own checks of what the
    row says (comparator, measure and base year, a known indicator), and a deadline in the rules' years."""
    ctx = Context(file, indicators, {}, {}, vocabulary, None)  # no quote is checked here
    problems = check_unique_ids(targets, "target_id", file)
    for _, row in targets.iterrows():
        empty = [c for c in ("target_id", "region", "indicator") if not str(row[c]).strip()]
        problems += [p for c in empty for p in _problem(ctx, row, c, "the cell is empty", f"fill in {c}")]
        problems += check_comparator(row, ctx) + check_known_indicator(row, ctx)
        if row["measure"] == "":
            problems += _problem(ctx, row, "measure", "the cell is empty", "write level, increase, "
                                 "relative_change, per_year or per_unit (data/README.md)")
        else:  # a level target may name the base year of its pace here
            problems += [p for p in check_measure(row, ctx) if "no base year of its own" not in p.message]
        year = row["target_year"]
        if pd.notna(year) and not rules.first_year <= year <= rules.last_year:
            problems += _problem(ctx, row, "target_year", f"target_year {year} is outside "
                                 f"{rules.first_year}–{rules.last_year}",
                                 "write the deadline year of the target")
    return problems


def check_excluded_row(row: pd.Series, ctx: Context) -> list[Problem]:
    """An excluded number: known document, verbatim quote, the number inside it, a known reason."""
    problems = check_document(row, ctx) + check_quote(row, ctx)
    if row["number"] and row["number"] not in row["quote"]:
        problems += _problem(ctx, row, "number", f"'{row['number']}' is not in the quote",
                             "write the number exactly as printed in the quote, or widen the quote")
    reasons = ctx.vocabulary["excluded_reasons"]
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


def _indicator_links(row: pd.Series, units: dict[str, str], file: str) -> list[Problem]:
    """A flow is never cumulative; a coverage indicator is a known % indicator."""
    problems = []
    if row["flow"] and row["cumulative"]:
        problems.append(Problem(file, int(row[ROW]), "flow", "flow and cumulative are both true",
                                "a flow counts what is done in one year (flow = true); a cumulative count "
                                "is a total standing at year end (cumulative = true): keep one"))
    coverage = str(row["coverage_indicator"]).strip()
    if coverage and units.get(coverage) != "%":
        problems.append(Problem(file, int(row[ROW]), "coverage_indicator",
                                f"'{coverage}' is not an indicator in % of data/indicators.csv",
                                "name the indicator giving the share of units that reach the per-unit "
                                "count, or leave the cell empty"))
    return problems


def check_indicators(indicators: pd.DataFrame, used: set[str], file: str, vocab: dict) -> list[Problem]:
    problems = check_unique_ids(indicators, "indicator_id", file)
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    columns = {"unit": vocab["units"], "direction": vocab["directions"], "theme": vocab["themes"],
               "role": vocab["roles"]}
    for _, row in indicators.iterrows():
        problems += [Problem(file, int(row[ROW]), c, f"'{row[c]}' is not one of {', '.join(allowed)}",
                             f"write one of: {', '.join(allowed)}")
                     for c, allowed in columns.items() if row[c] not in allowed]
        problems += _indicator_links(row, units, file)
        role = "target" if row["indicator_id"] in used else "context"
        if row["role"] in vocab["roles"] and row["role"] != role:
            problems.append(Problem(file, int(row[ROW]), "role", f"role '{row['role']}' but "
                                    f"{'a' if role == 'target' else 'no'} target measures it",
                                    f"write {role}", "warning"))
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
        ctx = Context(names["targets"], indicators, tables.registry, tables.texts, tables.vocabulary,
                      tables.wording)
        problems += check_unique_ids(tables.targets, "target_id", names["targets"])
        problems += [p for _, row in tables.targets.iterrows() for check in TARGET_CHECKS
                     for p in check(row, ctx)]
    if tables.excluded is not None:
        ctx = Context(names["excluded"], indicators, tables.registry, tables.texts, tables.vocabulary,
                      tables.wording)
        problems += [p for _, row in tables.excluded.iterrows() for p in check_excluded_row(row, ctx)]
    return problems
