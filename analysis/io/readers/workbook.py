"""Reading one sheet of an Excel workbook as text, as a stream (a stray cell at row 1,048,576 costs
nothing): cells as the researcher typed them (a %-formatted 0.925 reads as 92.5%), formulas Excel never
computed reported, the header checks shared with CSV files.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path

from analysis.core.errors import DataError, Problem
from analysis.core.numbers import shortest_text
from analysis.io.readers.raw_table import (
    MAX_COLUMNS,
    RawTable,
    checked_table,
    column_name,
    refusal,
    summarised,
)


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
        raise refusal(
            name,
            f"{len(matches)} sheets are named like '{wanted}' ({listed}): which one holds "
            "the data is ambiguous",
            "rename or delete all but one of them",
        )
    if not matches:
        raise refusal(
            name,
            f"no sheet named '{wanted}' (sheets found: {', '.join(sheet_names)})",
            f"put the table on a sheet named '{wanted}', as in the file `plantracker template` writes",
        )
    return matches[0]


def _open_workbook(path: Path, name: str):
    """The workbook, opened for streaming; any failure to open means the same thing to a researcher."""
    from openpyxl import load_workbook

    try:
        zipfile.ZipFile(path).close()
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise refusal(
            name,
            "cannot be opened as an Excel workbook "
            f"({exc.__class__.__name__}): it may be cut short, or not an .xlsx file",
            "save it again from Excel as .xlsx (or export CSV UTF-8)",
        ) from exc


def _row_texts(ws, cells: list[dict], number: int, name: str, chosen: str, formulas: list[Problem]) -> dict:
    """One row's filled cells as text by column number; a formula never computed is added to `formulas`,
    a cell beyond MAX_COLUMNS refuses the sheet."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils import get_column_letter

    texts: dict[int, str] = {}
    for cell in cells:
        value = cell["value"]
        if value is None or value == "":
            continue
        if cell["column"] > MAX_COLUMNS:
            letter = get_column_letter(cell["column"])
            raise refusal(
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
    return texts


def _sheet_grid(book, chosen: str, name: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """The filled rows of a sheet (row number, cells as text up to the row's last filled cell) and the
    formulas Excel never computed, parsed as a stream."""
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
            texts = _row_texts(ws, cells, number, name, chosen, formulas)
            if texts:
                width = max(texts)
                grid.append((number, [texts.get(i, "") for i in range(1, width + 1)]))
    return grid, formulas


def read_xlsx_file(path: Path, name: str, sheet: str) -> RawTable:
    """One sheet of a workbook, header on row 1, read as a stream in bounded memory."""
    from openpyxl.utils import get_column_letter

    book = _open_workbook(path, name)
    try:
        chosen = choose_sheet(book.sheetnames, sheet, name)
        grid, formulas = _sheet_grid(book, chosen, name)
    except DataError:
        raise
    except Exception as exc:
        raise refusal(
            name,
            f"sheet '{sheet}' cannot be read ({exc.__class__.__name__})",
            "save it again from Excel as .xlsx (or export CSV UTF-8)",
        ) from exc
    finally:
        book.close()
    if formulas:
        raise DataError(summarised(formulas))
    if not grid or grid[0][0] != 1:
        raise refusal(name, f"sheet '{chosen}' has no header on row 1", "row 1 must hold the column names", 1)
    header = grid[0][1]
    width = max(len(header), max(len(c) for _, c in grid))
    rows = [(n, (cells + [""] * width)[:width]) for n, cells in grid[1:]]
    labels = {
        column_name(h): f"{column_name(h)} ({get_column_letter(i + 1)})"
        for i, h in enumerate(header)
        if h.strip()
    }
    return checked_table(name, header + [""] * (width - len(header)), rows, labels, letter=get_column_letter)
