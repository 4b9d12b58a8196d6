"""Opening a table file: the only code that reads CSV or XLSX bytes.

Every table of the project, and every file a researcher passes on the command line, goes through
`read_raw`: it refuses folders, special files, symbolic links that leave the project, encodings
other than UTF-8, other separators than commas, headers with empty or repeated names, and reads
workbooks as a stream (a stray cell at row 1,048,576 costs nothing). Cells come back as text, with the
spreadsheet row number of each row (header = row 1); converting them is the number parser's job.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.numbers import shortest_text
from analysis.core.schema import ROW

MAX_BYTES = 512 * 1024 * 1024  # a table file larger than this is not an observation file
MAX_COLUMNS = 200  # a header wider than this is not one of the project's tables
CSV_FIX = "save the file as CSV UTF-8 (comma-separated), e.g. in Excel: Save As → 'CSV UTF-8'"


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


def display_name(path: Path, root: Path | None = None) -> str:
    """The file as a researcher finds it: relative to the project root when inside it."""
    base = (root or paths.project_root()).resolve()
    absolute = Path(path).absolute()
    for candidate in (absolute, absolute.resolve()):
        try:
            return str(candidate.relative_to(base))
        except ValueError:
            continue
    return str(path)


def column_name(text: str) -> str:
    """Header cells as the readers know them: 'Source URL ' and 'source_url' are the same column."""
    return re.sub(r"\s+", "_", strip_controls(str(text)).strip().lower())


# C0 and C1 controls except tab and line breaks, zero-width and bidirectional formatting characters
_CONTROLS = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def strip_controls(text: str) -> str:
    """Text without control characters (tabs and line breaks become spaces)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)


def has_controls(text: str) -> bool:
    return bool(_CONTROLS.search(text))


def _refuse(name: str, message: str, fix: str, row: int | None = None, column: str | None = None):
    return DataError([Problem(name, row, column, message, fix)])


def check_input_file(path: Path, name: str, root: Path | None = None) -> None:
    """A path the readers may open: an existing regular file, not a folder or a device, not a symbolic
    link to somewhere outside the project, not absurdly large."""
    path = Path(path)
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise _refuse(
                name,
                "a symbolic link whose target does not exist",
                "remove the link or restore the file it points to",
            )
        project = (root or paths.project_root()).resolve()
        if not target.is_relative_to(project):
            raise _refuse(
                name,
                "a symbolic link to a file outside the project",
                "copy the file into the project instead of linking to it",
            )
    if not path.exists():
        raise _refuse(name, "file not found", "check the path")
    try:
        info = path.stat()
    except OSError as exc:
        raise _refuse(name, f"cannot be read ({exc.strerror})", "check the file's permissions") from exc
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(name, "is a folder, not a file", "give the path of a .csv or .xlsx file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            name, "is not a regular file (a device, pipe or socket)", "give the path of a .csv or .xlsx file"
        )
    if info.st_size > MAX_BYTES:
        raise _refuse(
            name,
            f"is {info.st_size / 2**20:.0f} MB: larger than any table this project reads "
            f"({MAX_BYTES // 2**20} MB at most)",
            "split the file, or check that it is the right one",
        )


def read_bytes(path: Path, name: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _refuse(
            name, f"cannot be read ({exc.strerror or exc})", "check the file's permissions"
        ) from exc


# ---------------------------------------------------------------------------------------------------
# CSV


def _utf16(raw: bytes) -> str | None:
    """'LE' or 'BE' when the bytes look like UTF-16 text without a byte-order mark."""
    sample = raw[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 4 and even < odd // 4:
        return "LE"
    if even > len(sample) // 4 and odd < even // 4:
        return "BE"
    return None


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is fine); anything else is refused with what it probably is."""
    if raw.startswith(b"PK\x03\x04"):
        raise _refuse(name, "not a CSV file: it is an Excel workbook", "give it the .xlsx extension", 1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16(raw):
        raise _refuse(name, "not UTF-8 text: it is UTF-16 (Excel's 'Unicode Text')", CSV_FIX, 1)
    if b"\x00" in raw[:65536]:
        raise _refuse(name, "holds NUL bytes: it is not a text file", "give a .csv or .xlsx file", 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        if exc.reason == "unexpected end of data" and exc.end >= len(raw):
            raise _refuse(
                name,
                "the file ends in the middle of a character: it was cut short",
                "copy or export the file again",
                row,
            ) from exc
        raise _refuse(
            name, f"not UTF-8 text: byte {exc.start} cannot be read{_encoding_hint(raw)}", CSV_FIX, row
        ) from exc


def _encoding_hint(raw: bytes) -> str:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return " (it reads as GBK/GB18030, Excel's plain 'CSV' on Chinese Windows)"


# ---------------------------------------------------------------------------------------------------
# Plan texts

PLAN_TEXT_FIX = "save the plan as plain text (.txt), e.g. in Notepad: Save As → Encoding 'UTF-8'"


def decode_plan_text(raw: bytes, name: str) -> str:
    """A plan's text: UTF-8, UTF-16 (Word's 'Unicode Text', with or without a byte-order mark) or
    GBK/GB18030 (Notepad's 'ANSI' on Chinese Windows); other files are refused with what they seem to be."""
    if raw.startswith(b"PK\x03\x04"):
        raise _refuse(name, "not plain text: it is a Word or Excel file (.docx, .xlsx)", PLAN_TEXT_FIX)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(name, "not plain text: it is an old Word or Excel file (.doc, .xls)", PLAN_TEXT_FIX)
    order = _utf16(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif order:
        candidates = [f"utf-16-{order.lower()}"]
    elif b"\x00" in raw[:65536]:
        raise _refuse(name, "holds NUL bytes: it is not a text file", PLAN_TEXT_FIX)
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes almost any bytes: trust it only when Chinese punctuation or words come out
        if encoding != "gb18030" or any(mark in text for mark in "，。的年"):
            return text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac and Windows line ends
    raise _refuse(name, "cannot be read as UTF-8, UTF-16 or GBK/GB18030 text", PLAN_TEXT_FIX)


def read_plan_text(path: Path, name: str, root: Path | None = None) -> str:
    """The text of a plan file given on the command line, in any of the encodings Chinese offices save."""
    check_input_file(path, name, root)
    return decode_plan_text(read_bytes(path, name), name)


def _separator(first_line: str) -> str | None:
    """A tab or semicolon the header is split by instead of commas."""
    counts = {sep: first_line.count(sep) for sep in ("\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] and counts[best] >= first_line.count(",") else None


def read_csv_file(path: Path, name: str) -> RawTable:
    """A UTF-8 CSV as text; every malformed row is reported, not only the first."""
    text = decode(read_bytes(path, name), name)
    if not text.strip():
        raise _refuse(name, "the file is empty", "add a header row and data rows")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    separator = _separator(first)
    if separator:
        shown = "tabs" if separator == "\t" else "semicolons"
        raise _refuse(name, f"the columns are separated by {separator!r} ({shown}), not commas", CSV_FIX, 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _refuse(name, f"cannot be read as CSV ({exc})", CSV_FIX, reader.line_num) from exc
    header = records[0]
    width = len(header)
    rows, problems = [], []
    ends_cut = not text.endswith(("\n", "\r"))
    for number, cells in enumerate(records[1:], start=2):
        if not "".join(cells).strip():
            continue
        if len(cells) != width:
            why = "a comma is missing or extra, or a quote is not closed"
            if ends_cut and number == len(records) and len(cells) < width:
                why = "the file ends in the middle of this row: it was cut short"
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    f"row has {len(cells)} fields but the header has {width}: {why}",
                    "compare this row with the header and fix it",
                )
            )
            continue
        rows.append((number, cells))
    if problems:
        raise DataError(summarised(problems))
    return _table(name, header, rows, {}, controls=bool(_CONTROLS.search(text)))


# ---------------------------------------------------------------------------------------------------
# XLSX


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class FormulaCell(str):
    """A cell that holds a formula Excel never computed (no cached value)."""


def _formula_parser():
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FormulaCell(element.findtext(FORMULA_TAG) or "")
            return cell

    return Parser


def _cell_text(value, number_format: str) -> str:
    """An XLSX cell as the text a researcher typed; a %-formatted number 0.925 reads as 92.5%."""
    if value is None:
        return ""
    if isinstance(value, FormulaCell):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        percent = "%" in (number_format or "")
        return shortest_text(value, percent) + ("%" if percent else "")
    return str(value).strip()


def choose_sheet(sheet_names: list[str], wanted: str, name: str) -> str:
    """The sheet named `wanted` (case and blanks ignored); two such sheets are ambiguous."""
    matches = [s for s in sheet_names if s.strip().casefold() == wanted.casefold()]
    if len(matches) > 1:
        listed = ", ".join(f"'{s}'" for s in matches)
        raise _refuse(
            name,
            f"{len(matches)} sheets are named like '{wanted}' ({listed}): which one holds "
            "the data is ambiguous",
            "rename or delete all but one of them",
        )
    if not matches:
        raise _refuse(
            name,
            f"no sheet named '{wanted}' (sheets found: {', '.join(sheet_names)})",
            f"put the table on a sheet named '{wanted}', as in the file `plantracker template` writes",
        )
    return matches[0]


def read_xlsx_file(path: Path, name: str, sheet: str) -> RawTable:
    """One sheet of a workbook, header on row 1, read as a stream in bounded memory."""
    from openpyxl import load_workbook
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils import get_column_letter

    try:
        zipfile.ZipFile(path).close()
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any failure to open means the same thing to a researcher
        raise _refuse(
            name,
            "cannot be opened as an Excel workbook "
            f"({exc.__class__.__name__}): it may be cut short, or not an .xlsx file",
            "save it again from Excel as .xlsx (or export CSV UTF-8)",
        ) from exc
    try:
        chosen = choose_sheet(book.sheetnames, sheet, name)
        ws = book[chosen]
        grid: list[tuple[int, list[str]]] = []
        formulas: list[Problem] = []
        with ws._get_source() as source:
            parser = _formula_parser()(
                source,
                ws._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                texts: dict[int, str] = {}
                for cell in cells:
                    value = cell["value"]
                    if value is None or value == "":
                        continue
                    if cell["column"] > MAX_COLUMNS:
                        letter = get_column_letter(cell["column"])
                        raise _refuse(
                            name,
                            f"sheet '{chosen}' has a cell in column {letter}, beyond the "
                            f"{MAX_COLUMNS} columns a table may have",
                            "delete the stray cells right of the table",
                            number,
                            letter,
                        )
                    if isinstance(value, FormulaCell):
                        formulas.append(
                            Problem(
                                name,
                                number,
                                get_column_letter(cell["column"]),
                                f"the cell holds a formula (={_clip(value)}) whose value was never saved",
                                "open the workbook in Excel and save it (or paste the cells as values)",
                            )
                        )
                        continue
                    fmt = ReadOnlyCell(ws, **cell).number_format if isinstance(value, int | float) else ""
                    texts[cell["column"]] = _cell_text(value, fmt)
                if texts:
                    width = max(texts)
                    grid.append((number, [texts.get(i, "") for i in range(1, width + 1)]))
    except DataError:
        raise
    except Exception as exc:
        raise _refuse(
            name,
            f"sheet '{sheet}' cannot be read ({exc.__class__.__name__})",
            "save it again from Excel as .xlsx (or export CSV UTF-8)",
        ) from exc
    finally:
        book.close()
    if formulas:
        raise DataError(summarised(formulas))
    if not grid or grid[0][0] != 1:
        raise _refuse(name, f"sheet '{chosen}' has no header on row 1", "row 1 must hold the column names", 1)
    header = grid[0][1]
    width = max(len(header), max(len(c) for _, c in grid))
    rows = [(n, (cells + [""] * width)[:width]) for n, cells in grid[1:]]
    labels = {
        column_name(h): f"{column_name(h)} ({get_column_letter(i + 1)})"
        for i, h in enumerate(header)
        if h.strip()
    }
    return _table(name, header + [""] * (width - len(header)), rows, labels, letter=get_column_letter)


# ---------------------------------------------------------------------------------------------------
# Common to both


def _table(
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
        kinds = sorted({unicodedata.name(c, f"U+{ord(c):04X}") for c in _CONTROLS.findall(sample)})[:2]
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


READERS = {".csv", ".xlsx"}


def read_raw(path: Path, name: str, sheet: str, root: Path | None = None) -> RawTable:
    """A CSV or XLSX file as text (`sheet`: which sheet of a workbook)."""
    path = Path(path)
    check_input_file(path, name, root)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_file(path, name)
    if suffix == ".xlsx":
        return read_xlsx_file(path, name, sheet)
    raise _refuse(
        name,
        f"'{path.suffix or 'extensionless'}' files cannot be read",
        "save the table as .xlsx or as CSV UTF-8",
    )


def read_table(
    path: Path, required: list[str], *, display_name: str | None = None, root: Path | None = None
) -> pd.DataFrame:
    """A project table (CSV) as strings with a `row` column; a missing required column is named."""
    name = display_name or str(path)
    table = read_raw(path, name, "", root)
    missing = [c for c in required if c not in table.header]
    if missing:
        raise DataError(
            [
                Problem(
                    name,
                    1,
                    c,
                    f"required column '{c}' is missing from the header",
                    f"add a '{c}' column; the header must hold: {', '.join(required)}",
                )
                for c in missing
            ]
        )
    return table.frame([h for h in table.header if h])
