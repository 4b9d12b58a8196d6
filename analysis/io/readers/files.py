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
import stat
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.io.readers.raw_table import CONTROLS, RawTable, checked_table, refusal, summarised
from analysis.io.readers.workbook import read_xlsx_file

MAX_BYTES = 512 * 1024 * 1024  # a table file larger than this is not an observation file
CSV_FIX = "save the file as CSV UTF-8 (comma-separated), e.g. in Excel: Save As → 'CSV UTF-8'"


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


def check_input_file(path: Path, name: str, root: Path | None = None) -> None:
    """A path the readers may open: an existing regular file, not a folder or a device, not a symbolic
    link to somewhere outside the project, not absurdly large."""
    path = Path(path)
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise refusal(
                name,
                "a symbolic link whose target does not exist",
                "remove the link or restore the file it points to",
            )
        project = (root or paths.project_root()).resolve()
        if not target.is_relative_to(project):
            raise refusal(
                name,
                "a symbolic link to a file outside the project",
                "copy the file into the project instead of linking to it",
            )
    if not path.exists():
        raise refusal(name, "file not found", "check the path")
    try:
        info = path.stat()
    except OSError as exc:
        raise refusal(name, f"cannot be read ({exc.strerror})", "check the file's permissions") from exc
    if stat.S_ISDIR(info.st_mode):
        raise refusal(name, "is a folder, not a file", "give the path of a .csv or .xlsx file")
    if not stat.S_ISREG(info.st_mode):
        raise refusal(
            name, "is not a regular file (a device, pipe or socket)", "give the path of a .csv or .xlsx file"
        )
    if info.st_size > MAX_BYTES:
        raise refusal(
            name,
            f"is {info.st_size / 2**20:.0f} MB: larger than any table this project reads "
            f"({MAX_BYTES // 2**20} MB at most)",
            "split the file, or check that it is the right one",
        )


def read_bytes(path: Path, name: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise refusal(
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
        raise refusal(name, "not a CSV file: it is an Excel workbook", "give it the .xlsx extension", 1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16(raw):
        raise refusal(name, "not UTF-8 text: it is UTF-16 (Excel's 'Unicode Text')", CSV_FIX, 1)
    if b"\x00" in raw[:65536]:
        raise refusal(name, "holds NUL bytes: it is not a text file", "give a .csv or .xlsx file", 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        if exc.reason == "unexpected end of data" and exc.end >= len(raw):
            raise refusal(
                name,
                "the file ends in the middle of a character: it was cut short",
                "copy or export the file again",
                row,
            ) from exc
        raise refusal(
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
        raise refusal(name, "not plain text: it is a Word or Excel file (.docx, .xlsx)", PLAN_TEXT_FIX)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise refusal(name, "not plain text: it is an old Word or Excel file (.doc, .xls)", PLAN_TEXT_FIX)
    order = _utf16(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif order:
        candidates = [f"utf-16-{order.lower()}"]
    elif b"\x00" in raw[:65536]:
        raise refusal(name, "holds NUL bytes: it is not a text file", PLAN_TEXT_FIX)
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
    raise refusal(name, "cannot be read as UTF-8, UTF-16 or GBK/GB18030 text", PLAN_TEXT_FIX)


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
        raise refusal(name, "the file is empty", "add a header row and data rows")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    separator = _separator(first)
    if separator:
        shown = "tabs" if separator == "\t" else "semicolons"
        raise refusal(name, f"the columns are separated by {separator!r} ({shown}), not commas", CSV_FIX, 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise refusal(name, f"cannot be read as CSV ({exc})", CSV_FIX, reader.line_num) from exc
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
    return checked_table(name, header, rows, {}, controls=bool(CONTROLS.search(text)))


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
    raise refusal(
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
