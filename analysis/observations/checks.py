"""Checking observation rows: each typed figure read by the one number parser and checked against the
catalogue (region, indicator, unit, bounds), the year range and the source vocabulary.

A stage: it takes a file's text (`RawTable`, from analysis.io.readers) and the catalogue as arguments,
and returns the clean rows and every problem with file, row and column. Columns are checked whole
(vectorised); only cells that are not plain numbers go through the parser one by one, once per
distinct text. The rule that decides between sources is analysis.observations.conflicts; loading is
analysis.pipeline.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from analysis.core.errors import Problem, errors_in
from analysis.core.numbers import ParsedValue, canonical_text, parse_value, plain_cells, refusal, unit_fits
from analysis.core.schema import (
    OBSERVATION_OPTIONAL,
    OBSERVATION_OUTPUT,
    OBSERVATION_REQUIRED,
    PREFILLED,
    PROJECT_OBSERVATIONS,
    QUALIFIERS,
    RESOLUTION_COLUMNS,
    ROW,
    ObservationContract,
    Rules,
)
from analysis.observations import evidence

CLEAN_COLUMNS = [c for c in OBSERVATION_OUTPUT[: -len(RESOLUTION_COLUMNS)] if c != "order"]
_TEXT_KEPT = ("excerpt", "indicator_zh", "indicator_en", "date_accessed", "note")


@dataclass(frozen=True)
class Context:
    """What a row is checked against: the catalogue's indicators, the known regions, the rules, and the
    current year (a figure cannot describe a later one)."""

    indicators: dict[str, dict]
    regions: tuple[str, ...]
    rules: Rules
    this_year: int = field(default_factory=lambda: date.today().year)


def make_context(
    indicators: pd.DataFrame, plan_regions: list[str], rules: Rules, this_year: int | None = None
) -> Context:
    """The plans' regions (registry) then the comparison regions of the rules; `this_year` is the
    calendar's unless given (a test, or a check run as of a date)."""
    regions = tuple(dict.fromkeys([*plan_regions, *rules.comparison_regions]))
    indicators_ = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    return Context(indicators_, regions, rules, this_year or date.today().year)


def header_problems(
    header: list[str], labels: dict[str, str], name: str, contract: ObservationContract = PROJECT_OBSERVATIONS
) -> list[Problem]:
    """Missing required columns are errors; unknown ones are ignored with a warning."""
    known = OBSERVATION_REQUIRED + OBSERVATION_OPTIONAL
    problems = [
        Problem(
            name,
            1,
            c,
            f"required column '{c}' is missing from the header",
            f"add a '{c}' column; the header must hold {', '.join(contract.required)}",
        )
        for c in contract.required
        if c not in header
    ]
    problems += [
        Problem(
            name,
            1,
            labels.get(c, c),
            f"column '{c}' is not one the loader reads; it is ignored",
            f"rename it if it was meant to be one of: {', '.join(known)}",
            "warning",
        )
        for c in dict.fromkeys(header)
        if c and c not in known
    ]
    return problems


def span(lower: float, upper: float) -> str:
    return f"{'−∞' if math.isnan(lower) else f'{lower:g}'}–{'∞' if math.isnan(upper) else f'{upper:g}'}"


class _Found:
    """Problems collected column by column, with the rows that have errors."""

    def __init__(self, name: str, labels: dict[str, str]):
        self.name, self.labels = name, labels
        self.problems: list[Problem] = []
        self.bad: set[int] = set()
        self.bad_in: dict[str, set[int]] = {}

    def add(self, rows, column: str, message: str, fix: str, severity: str = "error") -> None:
        label = self.labels.get(column, column)
        for row in rows:
            self.problems.append(Problem(self.name, int(row), label, message, fix, severity))
            if severity == "error":
                self.bad.add(int(row))
                self.bad_in.setdefault(column, set()).add(int(row))

    def each(
        self, frame: pd.DataFrame, mask: pd.Series, column: str, message, fix: str, severity: str = "error"
    ) -> None:
        """One problem per row where `mask` holds; `message(cell)` words it from the row's cell."""
        for row, cell in zip(frame.loc[mask, ROW], frame.loc[mask, column], strict=True):
            self.add([row], column, message(cell), fix, severity)


def _years(frame: pd.DataFrame, rules: Rules, this_year: int, found: _Found) -> pd.Series:
    cells = frame["year"]
    plain = cells.str.fullmatch(r"[0-9]{4}")
    years = pd.Series(0, index=frame.index, dtype="int64")
    years[plain] = cells[plain].astype("int64")
    readable = pd.Series(plain, index=frame.index)
    for text in cells[~plain].unique():
        s = canonical_text(text).removesuffix("年") if refusal(text) is None else ""
        at = cells.eq(text) & ~plain
        if re.fullmatch(r"[0-9]{4}", s):
            years[at], readable[at] = int(s), True
        else:
            found.each(
                frame,
                at,
                "year",
                lambda c: f"'{c}' is not a year" if c else "the year is missing",
                "write the year the figure describes, e.g. 2023",
            )
    outside = readable & ~years.between(rules.first_year, rules.last_year)
    found.each(
        frame,
        outside,
        "year",
        lambda c: (
            f"year {int(canonical_text(c).removesuffix('年'))} is "
            f"outside {rules.first_year}–{rules.last_year}"
        ),
        "check the year (a typing error?)",
    )
    _future(frame, years, readable & ~outside, this_year, found)
    return years


def _future(
    frame: pd.DataFrame, years: pd.Series, readable: pd.Series, this_year: int, found: _Found
) -> None:
    """A figure dated after the current year describes a year that has not happened: a plan's deadline
    or a typing error, never an observation."""
    later = readable & years.gt(this_year)
    found.each(
        frame,
        later,
        "year",
        lambda c: (
            f"year {int(canonical_text(c).removesuffix('年'))} is after the current year ({this_year}): "
            "no figure can describe it yet"
        ),
        "write the year the figure describes; a figure a plan promises for a later year is a target "
        "(data/targets.csv), not an observation",
    )


def _values(frame: pd.DataFrame, rules: Rules, found: _Found) -> pd.DataFrame:
    """value, decimals, mark, qualifier, explicit per row (NaN value where it cannot be read)."""
    cells = frame["value"]
    plain = plain_cells(cells)
    out = pd.DataFrame(
        {"value": np.nan, "decimals": 0, "mark": None, "parsed_qualifier": "=", "explicit": False},
        index=frame.index,
    )
    out.loc[plain, "value"] = cells[plain].astype(float)
    out.loc[plain, "decimals"] = cells[plain].str.extract(r"\.([0-9]+)$", expand=False).str.len().fillna(0)
    others = cells[~plain]
    parsed: dict[str, ParsedValue | str] = {}
    for text in others.unique():
        try:
            parsed[text] = parse_value(text, rules)
        except ValueError as exc:
            parsed[text] = str(exc)
    results = others.map(parsed)
    failed = results.map(lambda r: isinstance(r, str))
    for row, why in zip(frame.loc[failed[failed].index, ROW], results[failed], strict=True):
        found.add(
            [row], "value", f"non-numeric value: {why}", "write a number such as 92.5, 92.5%, ≥90% or 12/10万"
        )
    read = results[~failed]
    if len(read):
        out.loc[read.index, "value"] = [r.value for r in read]
        out.loc[read.index, "decimals"] = [r.decimals for r in read]
        out.loc[read.index, "mark"] = [r.mark for r in read]
        out.loc[read.index, "parsed_qualifier"] = [r.qualifier for r in read]
        out.loc[read.index, "explicit"] = [r.explicit for r in read]
    return out


def _qualifiers(frame: pd.DataFrame, values: pd.DataFrame, found: _Found) -> pd.Series:
    spelled = {"≧": ">=", "≦": "<=", "==": "="}
    meaning = {t: spelled.get(canonical_text(t), canonical_text(t)) for t in frame["qualifier"].unique()}
    stated = frame["qualifier"].map(meaning)
    unknown = stated.ne("") & ~stated.isin(QUALIFIERS)
    found.each(
        frame,
        unknown,
        "qualifier",
        lambda c: f"qualifier '{c}' is not one of {' '.join(QUALIFIERS)}",
        "use = for a figure, or <, <=, >, >= for a bound",
    )
    clash = stated.ne("") & ~unknown & values["explicit"].astype(bool) & stated.ne(values["parsed_qualifier"])
    for row, said, read in zip(
        frame.loc[clash, ROW], stated[clash], values.loc[clash, "parsed_qualifier"], strict=True
    ):
        found.add(
            [row],
            "qualifier",
            f"the qualifier column says '{said}' but the value says '{read}'",
            "make the two agree (or leave the qualifier column empty)",
        )
    return stated.where(stated.ne(""), values["parsed_qualifier"])


def _units(frame: pd.DataFrame, values: pd.DataFrame, ctx: Context, found: _Found) -> pd.Series:
    """The indicator's unit per row; a typed mark or unit column that does not fit is an error."""
    known = frame["indicator"].isin(ctx.indicators.keys())
    unit = frame["indicator"].map({i: r["unit"] for i, r in ctx.indicators.items()}).fillna("")
    readable = values["value"].notna()
    marked = known & readable & values["mark"].notna()
    pairs = pd.Series(
        list(zip(values.loc[marked, "mark"], unit[marked], strict=True)), index=unit[marked].index
    )
    fits = {pair: unit_fits(pair[0], pair[1], ctx.rules) for pair in set(pairs)}
    for index in pairs.index[~pairs.map(fits).astype(bool)] if len(pairs) else []:
        mark, indicator = values.at[index, "mark"], frame.at[index, "indicator"]
        found.add(
            [frame.at[index, ROW]],
            "value",
            f"'{frame.at[index, 'value']}' is in '{mark}' but {indicator} is measured in '{unit[index]}'",
            f"convert the figure to {unit[index]} yourself, or check the indicator",
        )
    typed = known & readable & frame["unit"].ne("")
    for (text, expected), rows in (
        frame[typed].groupby([frame.loc[typed, "unit"], unit[typed]]).groups.items()
    ):
        stated = canonical_text(text)
        if stated == canonical_text(expected) or unit_fits(stated, expected, ctx.rules):
            continue
        for index in rows:
            found.add(
                [frame.at[index, ROW]],
                "unit",
                f"unit '{text}' does not fit {frame.at[index, 'indicator']}, measured in '{expected}'",
                f"convert the figure to {expected}, or check the indicator",
            )
    return unit.where(known, frame["unit"])


def _bounds(frame: pd.DataFrame, values: pd.DataFrame, ctx: Context, found: _Found) -> None:
    lower = frame["indicator"].map({i: r["lower_bound"] for i, r in ctx.indicators.items()})
    upper = frame["indicator"].map({i: r["upper_bound"] for i, r in ctx.indicators.items()})
    outside = (values["value"] < lower.astype(float)) | (values["value"] > upper.astype(float))
    outside &= ~frame[ROW].isin(found.bad_in.get("value", set()))
    for index in outside[outside].index:
        indicator = ctx.indicators[frame.at[index, "indicator"]]
        found.add(
            [frame.at[index, ROW]],
            "value",
            f"{values.at[index, 'value']:g} is outside the bounds of "
            f"{indicator['indicator_id']} ({span(lower[index], upper[index])} {indicator['unit']})",
            "check the figure and its unit",
        )


def check_table(
    header: list[str],
    labels: dict[str, str],
    frame: pd.DataFrame,
    name: str,
    ctx: Context,
    contract: ObservationContract = PROJECT_OBSERVATIONS,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every row of one file checked; rows with errors are left out and each error is reported.

    `frame` holds the contract's columns as text and the spreadsheet `row` (RawTable.frame)."""
    problems = header_problems(header, labels, name, contract)
    if errors_in(problems):
        return pd.DataFrame(columns=CLEAN_COLUMNS), problems
    if frame.empty and contract.may_be_empty:
        return pd.DataFrame(columns=CLEAN_COLUMNS), problems
    if frame.empty:
        problems.append(
            Problem(
                name,
                2,
                None,
                "the file has a header but no rows: it is empty",
                "add observations below the header, or remove the file",
            )
        )
        return pd.DataFrame(columns=CLEAN_COLUMNS), problems
    no_value = frame["value"].eq("")
    sourced = frame[[c for c in contract.columns if c not in PREFILLED and c != "value"]].ne("").any(axis=1)
    problems += [
        Problem(
            name,
            int(r),
            labels.get("value", "value"),
            "row has a source but no value: it is not loaded",
            "fill in the value, or clear the row",
            "warning",
        )
        for r in frame.loc[no_value & sourced, ROW]
    ]
    frame = frame[~no_value]
    found = _Found(name, labels)
    regions = frame["region"].str.lower()
    frame = frame.assign(region=regions)
    if contract.known_regions_only:
        found.each(
            frame,
            ~regions.isin(ctx.regions),
            "region",
            lambda c: f"unknown region '{c}'",
            f"use one of: {', '.join(ctx.regions)}",
        )
    else:
        found.each(
            frame,
            regions.eq(""),
            "region",
            lambda c: "the region is empty",
            "write the region of this figure",
        )
    known = frame["indicator"].isin(ctx.indicators.keys())
    if contract.known_indicators_only:
        found.each(
            frame,
            ~known,
            "indicator",
            lambda c: f"unknown indicator '{c}'",
            "use an indicator_id of data/indicators.csv (the template lists them)",
        )
    else:
        found.each(
            frame,
            frame["indicator"].eq(""),
            "indicator",
            lambda c: "the indicator is empty",
            "write the indicator of this figure",
        )
        for indicator, rows in frame[~known & frame["indicator"].ne("")].groupby("indicator")[ROW]:
            found.add(
                [rows.iloc[0]],
                "indicator",
                f"indicator '{indicator}' is not in data/indicators.csv "
                f"({len(rows)} rows): its unit and bounds are not checked",
                "use an indicator_id of data/indicators.csv if it is one",
                "warning",
            )
    years = _years(frame, ctx.rules, ctx.this_year, found)
    values = _values(frame, ctx.rules, found)
    unit = _units(frame, values, ctx, found)
    _bounds(frame, values, ctx, found)
    qualifier = _qualifiers(frame, values, found)
    url = frame["source_url"]
    if "source_url" in contract.required:
        found.each(
            frame,
            url.eq(""),
            "source_url",
            lambda c: "missing source URL",
            "give the web address (or printed publication) the figure was read from",
        )
    found.each(
        frame,
        url.ne("") & ~url.str.match(r"(?i)https?://"),
        "source_url",
        lambda c: f"source_url '{c}' is not a web address",
        "give the URL if there is one; a printed source is fine as it is",
        "warning",
    )
    kind = frame["source_kind"]
    found.each(
        frame,
        kind.ne("") & ~kind.isin(ctx.rules.source_kinds),
        "source_kind",
        lambda c: f"unknown source_kind '{c}'",
        f"use one of: {', '.join(ctx.rules.source_kinds)}",
    )
    if "source_url" in contract.required:
        found.each(
            frame,
            kind.eq(""),
            "source_kind",
            lambda c: "no source_kind: the kind of source is not recorded (its grade comes from the URL)",
            f"say what the source is: {', '.join(ctx.rules.source_kinds)}",
            "warning",
        )
    problems += found.problems
    problems += evidence.duplicate_warnings(frame, list(contract.columns), name, labels)
    clean = ~frame[ROW].isin(found.bad)
    problems += evidence.plan_warnings(frame[clean], ctx.rules, name, labels)
    out = pd.DataFrame(
        {
            "region": regions,
            "indicator": frame["indicator"],
            "year": years,
            "qualifier": qualifier,
            "value": values["value"],
            "unit": unit,
            "source_url": url,
            "source_kind": kind,
            **{c: frame[c] for c in _TEXT_KEPT},
            "value_text": frame["value"],
            "decimals": values["decimals"],
            "source_file": name,
            "source_row": frame[ROW],
        }
    )[clean]
    return out[CLEAN_COLUMNS].astype(
        {"year": "int64", "value": "float64", "decimals": "int64", "source_row": "int64"}
    ), problems
