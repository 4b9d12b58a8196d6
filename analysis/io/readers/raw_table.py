"""A table file's header and rows as text, and the checks every table gets whatever its format: named,
unique columns, no data under an empty header, control characters found and removed, one message per
kind of problem. The CSV reader (analysis.io.readers.files) and the workbook reader
(analysis.io.readers.workbook) both end here, so a table reads the same in either format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.core.errors import DataError, Problem
from analysis.core.schema import ROW

MAX_COLUMNS = 200  # a header wider than this is not one of the project's tables


@dataclass
class RawTable:
    """A file's header and rows as text, with how to name each column in a message."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    labels: dict[str, str]  # column name -> how to name it in a message (XLSX adds the column letter)
    warnings: list[Problem]

    def frame(self, columns: list[str]) -> pd.DataFrame:
        """The given columns as strings ('' where the file lacks the column) and the `row` column."""
        index = {h: i for i, h in enumerate(self.header) if h}
        data = {ROW: [n for n, _ in self.rows]}
        for column in columns:
            at = index.get(column)
            data[column] = (
                [cells[at].strip() for _, cells in self.rows] if at is not None else [""] * len(self.rows)
            )
        return pd.DataFrame(data, columns=[ROW, *columns])


def column_name(text: str) -> str:
    """Header cells as the readers know them: 'Source URL ' and 'source_url' are the same column."""
    return re.sub(r"\s+", "_", strip_controls(str(text)).strip().lower())


# C0 and C1 controls except tab and line breaks, zero-width and bidirectional formatting characters
CONTROLS = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def strip_controls(text: str) -> str:
    """Text without control characters (tabs and line breaks become spaces)."""
    if not CONTROLS.search(text):
        return text
    return CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)


def has_controls(text: str) -> bool:
    return bool(CONTROLS.search(text))


def refusal(name: str, message: str, fix: str, row: int | None = None, column: str | None = None):
    return DataError([Problem(name, row, column, message, fix)])


def checked_table(
    name: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    labels: dict[str, str],
    letter: Callable[[int], str] | None = None,
    controls: bool = True,
) -> RawTable:
    """Header checks shared by CSV and XLSX: named, unique columns; no data under an empty header.

    `controls`: whether the cells may hold control characters (False when the text was searched whole)."""
    names = [column_name(h) for h in header]
    where = (lambda i: letter(i + 1)) if letter else (lambda i: f"{i + 1}")
    problems = []
    for i, column in enumerate(names):
        if column:
            continue
        filled = [n for n, cells in rows if i < len(cells) and cells[i].strip()]
        if filled:
            shown = ", ".join(map(str, filled[:5])) + (" …" if len(filled) > 5 else "")
            problems.append(
                Problem(
                    name,
                    1,
                    f"{where(i)}",
                    f"column {where(i)} has no name in the header but holds data (rows {shown})",
                    "write the column's name in row 1, or delete the column",
                )
            )
    for column in dict.fromkeys(c for c in names if c):
        if names.count(column) > 1:
            problems.append(
                Problem(
                    name,
                    1,
                    column,
                    f"column '{column}' appears {names.count(column)} times in the header",
                    "keep one of them (or rename the others)",
                )
            )
    if problems:
        raise DataError(problems)
    warnings = control_warnings(name, names, rows, labels) if controls else []
    if warnings:
        rows = [(n, [strip_controls(c) for c in cells]) for n, cells in rows]
    labels = {c: labels.get(c, c) for c in names if c}
    return RawTable(name, names, rows, labels, warnings)


def control_warnings(
    name: str, header: list[str], rows: list[tuple[int, list[str]]], labels: dict[str, str]
) -> list[Problem]:
    """One warning per column holding control or invisible formatting characters (they are removed)."""
    found: dict[int, list[int]] = {}
    for number, cells in rows:
        for i, cell in enumerate(cells):
            if has_controls(cell):
                found.setdefault(i, []).append(number)
    problems = []
    for i, numbers in found.items():
        column = header[i] if i < len(header) else str(i + 1)
        shown = ", ".join(map(str, numbers[:5])) + (
            f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
        )
        sample = next(c for n, cells in rows if n == numbers[0] for c in [cells[i]])
        kinds = sorted({unicodedata.name(c, f"U+{ord(c):04X}") for c in CONTROLS.findall(sample)})[:2]
        problems.append(
            Problem(
                name,
                numbers[0],
                labels.get(column, column),
                f"control or invisible characters ({', '.join(kinds)}) in rows {shown}: removed",
                "check the cells; retype them if the text looks wrong",
                "warning",
            )
        )
    return problems


def summarised(problems: list[Problem], keep: int = 20) -> list[Problem]:
    """At most `keep` problems of one message kind per file, then one line counting the rest."""
    out, counts = [], {}
    for p in problems:
        key = (p.file, p.column, re.sub(r"\d+", "#", p.message)[:40])
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= keep:
            out.append(p)
    for (file, column, _), n in counts.items():
        if n > keep:
            out.append(
                Problem(
                    file,
                    None,
                    column,
                    f"{n - keep} more rows with the same problem",
                    "fix the rows above, then check again",
                )
            )
    return out
