"""Published editions of the report: each `plantracker publish` freezes one into
reports/editions/<date>/ (the status table of every target, and a record of what it was built from),
committed with the data. The changes page compares the current figures with the last of them.

This module only reads them; `analysis.build.editions` writes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core.errors import DataError

EDITIONS_FOLDER = "reports/editions"
STATUS_FILE = "status.csv"
RECORD_FILE = "edition.json"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PublishedEdition:
    """One frozen edition: its date, the status table as stored (CSV text) and its record."""

    date: str
    status_text: str
    record: dict


def editions_dir(root: Path) -> Path:
    return root / EDITIONS_FOLDER


def published_dates(root: Path) -> list[str]:
    """The dates of the published editions, oldest first (folders named YYYY-MM-DD holding a status table)."""
    folder = editions_dir(root)
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.is_dir() and DATE.match(p.name) and (p / STATUS_FILE).is_file()
    )


def read_edition(root: Path, date: str) -> PublishedEdition:
    """One published edition; a record that is not JSON is refused with its path and the fix."""
    folder = editions_dir(root) / date
    status = (folder / STATUS_FILE).read_text(encoding="utf-8")
    record_path = folder / RECORD_FILE
    record: dict = {}
    if record_path.is_file():
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DataError(
                f"{record_path.relative_to(root)}: not valid JSON ({exc}); restore it from git "
                f"(`git checkout -- {record_path.relative_to(root)}`) or publish the edition "
                f"again with `plantracker publish --date {date} --replace`"
            ) from exc
    return PublishedEdition(date, status, record)


def last_published(root: Path) -> PublishedEdition | None:
    """The latest published edition, None before the first `plantracker publish`."""
    dates = published_dates(root)
    return read_edition(root, dates[-1]) if dates else None


def edition_files(root: Path) -> list[Path]:
    """Every file of the published editions: an input of the changes page."""
    folder = editions_dir(root)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
