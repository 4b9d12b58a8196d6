"""Where the project's files live, derived from one root so no path is written twice.

The root is the repository (the folder holding `pyproject.toml` and `data/`); `PLANTRACKER_ROOT`
overrides it, e.g. for a researcher's copy of the data.
"""

from __future__ import annotations

import os
from pathlib import Path

# The analysis package itself: its packaged data (page template, stylesheet, words, extraction rules).
PACKAGE = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    env = os.environ.get("PLANTRACKER_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE.parent


def data_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data"


def policies_dir(root: Path | None = None) -> Path:
    return data_dir(root) / "policies"


def registry_file(root: Path | None = None) -> Path:
    return policies_dir(root) / "registry.csv"


def indicators_file(root: Path | None = None) -> Path:
    return data_dir(root) / "indicators.csv"


def targets_file(root: Path | None = None) -> Path:
    return data_dir(root) / "targets.csv"


def excluded_file(root: Path | None = None) -> Path:
    return data_dir(root) / "targets_excluded.csv"


def observations_file(root: Path | None = None) -> Path:
    return data_dir(root) / "observations.csv"


def researcher_observations_dir(root: Path | None = None) -> Path:
    return data_dir(root) / "observations"


def seed_file(root: Path | None = None) -> Path:
    return data_dir(root) / "sources" / "observations_seed.csv"


# The seed snapshots carried into data/observations.csv, in order, each with the mark its rows' seed_row
# carries (the first seed's rows are plain row numbers, as they always were).
SEED_FILES = (("observations_seed.csv", ""), ("observations_seed_2.csv", "seed_2:"))


def seed_files(root: Path | None = None) -> list[tuple[Path, str]]:
    return [(data_dir(root) / "sources" / name, mark) for name, mark in SEED_FILES]


def reports_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "reports"


def site_dir(root: Path | None = None) -> Path:
    return reports_dir(root) / "_site"


def notebooks_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "notebooks"


def cache_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / ".plantracker-cache"
