"""Reading the project's CSV tables so that every later check can name file, row and column.

Tables are read as text (no type guessing, nothing coerced): each stage converts the columns it
needs and reports what does not convert. `row` is the spreadsheet row number (header = 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.errors import DataError, Problem

ROW = "row"


def read_table(path: Path, required: list[str], *, display_name: str | None = None) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings, with a `row` column.

    Raises DataError on an unreadable file or missing columns, naming each.
    """
    name = display_name or str(path)
    if not path.exists():
        raise DataError([Problem(name, None, None, "file not found", "check the path")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                 "save the file as UTF-8 (in Excel: CSV UTF-8)")]) from exc
    if not text.strip():
        raise DataError([Problem(name, None, None, "the file is empty", "add a header row and data rows")])
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError([Problem(name, 1, c, f"required column '{c}' is missing from the header",
                                 f"add a '{c}' column; the header must hold: {', '.join(required)}")
                         for c in missing])
    problems = [Problem(name, i, None, f"row has {len(r)} fields but the header has {len(header)}",
                        "check for a stray comma or an unclosed quote on this row")
                for i, r in enumerate(rows[1:], start=2) if r and len(r) != len(header)]
    if problems:
        raise DataError(problems)
    records = [dict(zip(header, r, strict=True)) for r in rows[1:] if r]
    numbers = [i for i, r in enumerate(rows[1:], start=2) if r]
    frame = pd.DataFrame.from_records(records, columns=header).astype("string").fillna("")
    frame.insert(0, ROW, numbers)
    return frame
