"""Targets from the plain-text indicator tables of a plan (指标名称 | 单位 | 2020年（基期） | 2025年):
one proposed row per indicator and year column.

A base column (2020年（基期）, or the earliest year before any deadline when only later columns carry
≥/≤ marks) gives the baseline of the row's targets instead of a target of its own. The comparator is the
mark in the cell (≥4, 5.5以下), else the direction the indicator's name implies (死亡率: at most).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.catalogue.extraction.layout import YEAR_HEADER, Cell, IndicatorTable, Layout
from analysis.catalogue.extraction.reading import Reading, target_row
from analysis.core.numbers import normalize_digits
from analysis.core.schema import Wording

# A cell holding one figure: an optional comparator before it, a unit and a comparator after it.
TABLE_CELL = re.compile(
    r"^(?P<pre>≥|≤|>=|<=|>|<|不低于|不少于|不高于|不超过|控制在)?"
    r"\s*(?P<num>\d+(?:\.\d+)?)"
    r"\s*(?P<unit>%|‰|/10万|/万|/千)?\s*(?P<post>以上|以下|以内|左右)?$"
)
TABLE_MARK = re.compile(r"≥|≤|>|<|＞|＜|不低于|不少于|不高于|不超过|以上|以下|以内")
# The unit a row's name ends with: 健康素养水平（%）.
UNIT_AFTER_NAME = re.compile(r"[（(]([^（）()]*)[）)]\s*$")


class Position(NamedTuple):
    """Where a table target stands: its cell, and its row's line in place of a sentence."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True)
class Columns:
    """What the header says of each column: its name, the year of each year column, which of those are
    base columns, and the unit and indicator columns when the header names them."""

    names: list[str]
    years: dict[int, int]
    base: set[int]
    unit: int | None
    indicator: int | None


def _table_unit(wording: Wording, unit_text: str, name: str) -> tuple[str, str]:
    """Unit and kind of a table row, from its unit column, its cell mark or the (单位) after its name."""
    unit_text = re.sub(r"[（()）\s]", "", unit_text)
    per_population = [u for w, u in wording.rules["per_population"].items() if w in name or w in unit_text]
    if per_population and re.fullmatch(r"[张名人个床]?/?(?:每)?[千万]人口?", unit_text.replace("张/", "张")):
        return per_population[0], "level"  # 张/千人, 人/万人
    if unit_text in ("%", "％"):
        return "%", "coverage" if "覆盖" in name else "share"
    if unit_text == "‰":
        return "‰", "rate"
    if "/10万" in unit_text or "十万分之" in unit_text:
        births = any(w in name for w in wording.rules["per_live_births_words"])
        return ("per 100000 live births" if births else "per 100000 population"), "rate"
    rule = wording.units.get(unit_text)
    if rule is not None and rule.unit == "count" and per_population:
        return per_population[0], "level"
    if rule is not None and rule.unit:
        return rule.unit, rule.kind
    return ("years", "level") if unit_text in ("岁", "年") else ("index", "level")


def table_targets(
    wording: Wording,
    layout_: Layout,
    table: IndicatorTable,
    start_year: int | None,
    first_deadline: int | None,
) -> list[dict]:
    """One proposal per indicator × year column; a base column (2020年（基期）) gives the baseline."""
    columns = _columns(wording, table, start_year, first_deadline)
    targets = []
    for line, cells in table.rows:
        if len(cells) == len(columns.names) - 1:
            cells = [(line[0], line[0], "")] + cells  # a row without its serial number
        if len(cells) != len(columns.names):
            continue
        indicator = columns.indicator if columns.indicator is not None else _indicator_cell(columns, cells)
        if indicator is not None:
            targets += _row_targets(wording, layout_, columns, line, cells, cells[indicator][2])
    return targets


def _columns(
    wording: Wording, table: IndicatorTable, start_year: int | None, first_deadline: int | None
) -> Columns:
    """Read the header: the year columns, the base ones among them, the unit and indicator columns."""
    names = [normalize_digits(c[2]) for c in table.header]
    years = {k: int(m.group("year")) for k, n in enumerate(names) if (m := YEAR_HEADER.match(n))}
    base = {
        k
        for k, y in years.items()
        if any(w in names[k] for w in wording.rules["table_base_headers"]) or (start_year and y < start_year)
    }
    if not base and len(years) > 1 and first_deadline is not None:
        base = _unmarked_first_column(table, names, years, first_deadline)
    unit = _first(k for k, n in enumerate(names) if any(w in n for w in wording.rules["table_unit_headers"]))
    # 指标名称 (or another header the rules name), else a header with 指标 in it that is not 指标属性
    indicator = _first(k for k, n in enumerate(names) if n in wording.rules["table_indicator_headers"])
    if indicator is None:
        indicator = _first(k for k, n in enumerate(names) if "指标" in n and "属性" not in n)
    return Columns(names, years, base, unit, indicator)


def _unmarked_first_column(
    table: IndicatorTable, names: list[str], years: dict[int, int], first_deadline: int
) -> set[int]:
    """The earliest column, before any deadline the text names, with plain figures where a later column
    has ≥/≤ marks, is the base: 2020年 | 2025年 with 4.6 | ≤4. Else there is no base column."""
    aligned = [cells for _, cells in table.rows if len(cells) == len(names)]
    marked = {k: any(TABLE_MARK.search(cells[k][2]) for cells in aligned) for k in years}
    earliest = min(years, key=years.get)
    if years[earliest] < first_deadline and not marked[earliest] and any(marked.values()):
        return {earliest}
    return set()


def _indicator_cell(columns: Columns, cells: list[Cell]) -> int | None:
    """When the header names no indicator column: the row's first cell with words in it (not only
    figures or numbering) outside the year and unit columns."""
    return _first(
        k
        for k, c in enumerate(cells)
        if k not in columns.years and k != columns.unit and re.search(r"[^\d\s.、]", c[2])
    )


def _first(columns: Iterable[int]) -> int | None:
    """The first column found, or None."""
    return next(iter(columns), None)


def _row_targets(
    wording: Wording, layout_: Layout, columns: Columns, line: tuple[int, int], cells: list[Cell], name: str
) -> list[dict]:
    """The targets of one row, year column by year column; a base column's figure is the baseline of the
    targets in the columns after it."""
    unit_mark = UNIT_AFTER_NAME.search(name)
    base_value, base_year = np.nan, None
    targets = []
    for k in sorted(columns.years):
        m = TABLE_CELL.match(normalize_digits(cells[k][2]).replace("＞", ">").replace("＜", "<"))
        if m is None:
            continue
        unit_text = (
            cells[columns.unit][2]
            if columns.unit is not None
            else m.group("unit") or (unit_mark.group(1) if unit_mark else "")
        )
        unit, kind = _table_unit(wording, unit_text, name)
        value = float(m.group("num"))
        if k in columns.base:
            base_value, base_year = value, columns.years[k]
            continue
        position = Position(cells[k][0], cells[k][1], *line)
        targets.append(
            _cell_target(
                wording,
                layout_,
                position,
                name,
                columns.names[k],
                m,
                Reading(value, unit, kind),
                columns.years[k],
                (base_value, base_year),
            )
        )
    return targets


def _cell_target(
    wording: Wording,
    layout_: Layout,
    position: Position,
    name: str,
    header: str,
    cell: re.Match,
    reading: Reading,
    year: int,
    baseline: tuple[float, int | None],
) -> dict:
    """The proposed row of one cell: its comparator from the cell's mark, else from the indicator's name
    (lower is better: at most)."""
    signs = {w: c for c, words in wording.rules["table_comparators"].items() for w in words}
    base_value, base_year = baseline
    words = [w for w in (cell.group("pre"), cell.group("post")) if w]
    lower = any(w in name for w in wording.rules["lower_is_better_words"])
    sign = signs[words[0]] if words else "<=" if lower else ">="
    note = (
        f"table row, column {header}",
        "no comparator in the cell: " + ("a ceiling (lower is better)" if lower else "at least")
        if not words
        else f"{words[0]} in the cell",
    )
    row_text = layout_.text[position.sentence_start : position.sentence_end]
    return target_row(
        layout_,
        position,
        name,
        reading,
        year,
        note,
        comparator=sign,
        baseline_value=base_value,
        baseline_year=base_year if base_year is not None else pd.NA,
        measure="level",
        base_year=base_year if base_year is not None else pd.NA,
        confidence="high" if words or reading.unit != "index" else "medium",
        rule="indicator table",
        paired=(),
        clause_start=position.sentence_start,
    ) | {"quote": row_text, "description_zh": name}
