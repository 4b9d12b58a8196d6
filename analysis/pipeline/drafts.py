"""A new plan's draft rows (`plantracker extract`) and the numbers of a plan text, with the project's
registry and indicators when it has them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.catalogue import extraction
from analysis.core import paths
from analysis.io.readers import wording as wording_files
from analysis.io.readers.files import display_name, read_plan_text
from analysis.pipeline.project import Project


def draft_catalogue(
    path: Path, project: Project, region: str | None = None, horizon: int | None = None
) -> extraction.Draft:
    """Draft targets.csv rows and past results for a new plan (`plantracker extract`)."""
    path = Path(path)
    root = project.root
    text = read_plan_text(path, display_name(path, root), root)
    entry: dict = {}
    if paths.registry_file(root).exists():
        registry = project.registry
        match = registry[registry["file"].eq(path.name)]
        entry = match.iloc[0].to_dict() if len(match) else {}
    indicators = project.indicators if paths.indicators_file(root).exists() else None
    return extraction.draft_catalogue(
        wording_files.load_wording(), text, path.name, region, horizon, entry, indicators
    )


def find_numbers(path: Path, project: Project) -> pd.DataFrame:
    """Every numeric expression of a text file, with its sentence."""
    text = read_plan_text(Path(path), display_name(path, project.root), project.root)
    return extraction.find_numbers(wording_files.load_wording(), text)
