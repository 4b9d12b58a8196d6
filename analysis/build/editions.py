"""`plantracker publish`: freeze the published edition into reports/editions/<date>/.

An edition is what a researcher cites and what the next changes page compares with: the status table of
every target (all sources, never a `--min-grade` selection), the data vintage, the date, the version and
the commit. It is written only by this explicit step, committed with the data, and never by a build, so
rebuilding any number of times leaves the comparison with the last published edition unchanged.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import PlanTrackerError
from analysis.io.readers import editions as edition_files
from analysis.pipeline import Project
from analysis.site import changes, report
from analysis.site.edition import edition_of, notebook_default


@dataclass(frozen=True)
class Published:
    folder: Path
    date: str
    targets: int
    same_as: str | None  # the date of an earlier edition with the same statuses and figures


def check_date(date: str) -> str:
    """An ISO date (YYYY-MM-DD) that is a real day, not after today."""
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError as exc:
        raise PlanTrackerError(
            f"--date {date!r}: not a date; write it as YYYY-MM-DD, e.g. 2027-01-15"
        ) from exc
    if edition_files.DATE.match(date) is None:
        raise PlanTrackerError(f"--date {date!r}: write it as YYYY-MM-DD, e.g. 2027-01-15")
    if day > datetime.date.today():
        raise PlanTrackerError(
            f"--date {date}: after today; an edition is published on or before the day it is frozen"
        )
    return date


def current_edition(root: Path, date: str) -> tuple[str, dict]:
    """The status table (CSV text) and record of an edition frozen today from the current data."""
    as_of = int(notebook_default("as_of", root))
    project = Project(root)
    regions = project.regions
    reports = {r: report.region_report(r, as_of, "en", project=project) for r in regions}
    table = changes.status_table(reports, date)
    resolved = pd.concat([rr.resolved for rr in reports.values()])
    edition = edition_of(root, as_of, resolved, regions)
    record = {
        "date": date,
        "as_of": as_of,
        "version": edition.version,
        "commit": edition.commit,
        "latest_year": edition.latest_year,
        "targets": len(table),
    }
    return changes.as_text(table), record


def publish(root: Path, date: str | None = None, replace: bool = False) -> Published:
    """Write reports/editions/<date>/status.csv and edition.json; refuse to overwrite unless `replace`."""
    date = check_date(date or datetime.date.today().isoformat())
    folder = edition_files.editions_dir(root) / date
    if folder.exists() and not replace:
        raise PlanTrackerError(
            f"{folder.relative_to(root)} already exists: an edition was published on {date}. "
            f"Use --replace to freeze today's figures in its place, or another --date"
        )
    status_text, record = current_edition(root, date)
    earlier = [edition_files.read_edition(root, d) for d in edition_files.published_dates(root) if d != date]
    now = changes.parse(status_text)
    same_as = next(
        (e.date for e in reversed(earlier) if changes.same_edition(changes.parse(e.status_text), now)), None
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / edition_files.STATUS_FILE).write_text(status_text, encoding="utf-8")
    (folder / edition_files.RECORD_FILE).write_text(
        json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return Published(folder, date, record["targets"], same_as)
