"""Writing the project's outputs: forecasts, P(met) tables, drafts, templates, the rebuilt seed file.

Every file is written to a temporary file beside its destination and renamed over it only when
complete, so an interrupted command never leaves half a file; an output never replaces one of the
command's inputs, and a missing folder is an error that says so rather than a traceback.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from analysis.core.errors import DataError, Problem
from analysis.core.schema import OBSERVATION_SHEET, TEMPLATE_COLUMNS, Rules


def check_output(path: Path, option: str, inputs: Iterable[Path] = ()) -> Path:
    """An output path that can be written: its folder exists, it is not a folder, not an input."""
    path = Path(path)
    shown = str(path)
    if path.exists() and path.is_dir():
        raise DataError([Problem(option, None, None, f"'{shown}' is a folder", "give a file name to write")])
    if path.exists() and not path.is_file():
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"'{shown}' is not a regular file (a device or pipe)",
                    "give the path of a file to write",
                )
            ]
        )
    folder = path.absolute().parent
    if not folder.is_dir():
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"the folder '{folder}' does not exist",
                    "create it first, or write somewhere else",
                )
            ]
        )
    for given in inputs:
        if given is not None and Path(given).exists() and path.exists() and path.samefile(given):
            raise DataError(
                [
                    Problem(
                        option,
                        None,
                        None,
                        f"'{shown}' is also an input of this command: writing it would destroy the input",
                        "write the output elsewhere",
                    )
                ]
            )
    if not os.access(folder, os.W_OK):
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"the folder '{folder}' cannot be written",
                    "write somewhere else, or check the folder's permissions",
                )
            ]
        )
    return path


def write_atomically(path: Path, write: Callable[[Path], None], option: str = "--out") -> Path:
    """Call `write(temporary)` then rename the finished file over `path`."""
    path = Path(path)
    folder = path.absolute().parent
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"'{path}' could not be written ({exc.strerror or exc})",
                    "check the disk space and the folder's permissions",
                )
            ]
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_csv(frame: pd.DataFrame, path: Path, option: str = "--out", **options) -> Path:
    """A table as UTF-8 CSV, written atomically."""
    settings = {"index": False, "lineterminator": "\n", **options}
    return write_atomically(path, lambda tmp: frame.to_csv(tmp, **settings), option)


def _write_csv_template(
    frame: pd.DataFrame, indicators: pd.DataFrame, rules: Rules, how_to: list[str], out: Path
) -> None:
    # UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly.
    frame.to_csv(out, index=False, encoding="utf-8-sig")


def _write_xlsx_template(
    frame: pd.DataFrame, indicators: pd.DataFrame, rules: Rules, how_to: list[str], out: Path
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = OBSERVATION_SHEET
    sheet.append(TEMPLATE_COLUMNS)
    for record in frame.itertuples(index=False):
        sheet.append([None if v == "" else v for v in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"' + ",".join(rules.source_kinds) + '"', allow_blank=True)
    letter = get_column_letter(TEMPLATE_COLUMNS.index("source_kind") + 1)
    kinds.add(f"{letter}2:{letter}{len(frame) + 1000}")
    sheet.add_data_validation(kinds)
    for i, width in enumerate([10, 34, 24, 18, 7, 9, 10, 40, 20, 50, 13, 30], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    info = book.create_sheet("indicators")
    info.append(list(indicators.columns))
    for record in indicators.itertuples(index=False):
        info.append([None if isinstance(v, float) and math.isnan(v) else v for v in record])
    how = book.create_sheet("how_to")
    for line in how_to:
        how.append([line])
    book.save(out)


TEMPLATE_WRITERS: dict[str, Callable[..., None]] = {"csv": _write_csv_template, "xlsx": _write_xlsx_template}


def write_template(
    frame: pd.DataFrame, indicators: pd.DataFrame, rules: Rules, how_to: list[str], fmt: str, out: Path
) -> Path:
    """A fill-in template as a workbook (sheets observations, indicators, how_to) or a CSV."""
    writer = TEMPLATE_WRITERS.get(fmt)
    if writer is None:
        raise DataError(
            [
                Problem(
                    "--format",
                    None,
                    None,
                    f"unknown format '{fmt}'",
                    f"use one of: {', '.join(TEMPLATE_WRITERS)}",
                )
            ]
        )
    check_output(out, "--out")
    return write_atomically(out, lambda tmp: writer(frame, indicators, rules, how_to, tmp))
