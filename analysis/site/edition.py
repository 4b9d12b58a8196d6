"""The edition a page belongs to: what a reader cites (version, commit, the commit's date, the data's
year), read from the checkout and the region notebook's parameters, and the page of what changed since the
last published edition. `plantracker publish` freezes an edition; a build only compares with the last one.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.labels import LANGUAGES, label
from analysis.io.readers import editions, settings
from analysis.site import changes, permalinks, report


@dataclass(frozen=True)
class Edition:
    """What a reader needs to cite the report: its version, commit, build date, data vintage."""

    version: str
    commit: str
    built: str  # ISO date of the commit the pages were built from (not the clock)
    as_of: int
    latest_year: dict[str, int | None]  # latest observation year of each plan region
    site_url: str = ""  # the site's address (website.site-url of _quarto.yml); "" when not set

    def url(self, path: str) -> str:
        """A page's absolute address; the path relative to the site when the address is not set."""
        return f"{self.site_url}/{path}" if self.site_url else path

    def cite(self, what: str, path: str, language: str) -> str:
        """The citation printed on a page: what, edition, data vintage, version, its absolute URL and the
        access date (the edition's date: the figures cited are those of this edition)."""
        where = self.url(path)
        accessed = label("cite_accessed", language).format(date=self.built)
        relative = "" if self.site_url else " " + label("cite_relative", language)
        if language == "zh":
            return (
                f"Plan Tracker（规划目标跟踪），{what}。{self.built} 版（数据截至 {self.as_of} 年；"
                f"版本 {self.version}，提交 {self.commit}）。{where}{relative}，{accessed}。"
            )
        return (
            f"Plan Tracker, {what}. Edition of {self.built} (data up to {self.as_of}; version "
            f"{self.version}, commit {self.commit}). {where}{relative}. {accessed}."
        )


def notebook_default(name: str, root: Path, notebook: str = "region.ipynb") -> object:
    """A parameter's default, read from the notebook's parameters cell: the one place it is set."""
    cells = json.loads((root / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                    return ast.literal_eval(node.value)
    raise KeyError(f"notebooks/{notebook} sets no parameter {name!r}")


def edition_pages(
    reports: dict[str, dict[str, report.RegionReport]],
    edition: Edition,
    published: editions.PublishedEdition | None,
) -> dict:
    """The page of what changed since the last published edition, in each language (no edition is
    written: only `plantracker publish` does that)."""
    now = changes.status_table(reports["en"], edition.built)
    before = changes.parse(published.status_text if published else None)
    return {
        permalinks.in_language("changes.qmd", language): changes.changes_page(now, before, language)
        for language in LANGUAGES
    }


def commit_of(root: Path) -> tuple[str, str]:
    """(short hash, ISO date) of the commit the pages are built from: the date a reader sees comes from
    the commit, never the clock, so rebuilding one commit gives the same bytes."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %cs"], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return (out[0], out[1]) if len(out) == 2 else ("unknown", "unknown")


def edition_of(
    root: Path,
    as_of: int,
    resolved: pd.DataFrame,
    regions: list[str],
    published: editions.PublishedEdition | None = None,
) -> Edition:
    from importlib import metadata

    try:
        version = metadata.version("plantracker")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit, date = commit_of(root)
    if date == "unknown" and published is not None:  # not a git checkout: the last published edition
        date = published.date
    latest = {}
    for region in regions:
        years = resolved.loc[(resolved["region"] == region) & (resolved["year"] <= as_of), "year"]
        latest[region] = int(years.max()) if not years.empty else None
    return Edition(version, commit, date, as_of, latest, settings.site_url(root))
