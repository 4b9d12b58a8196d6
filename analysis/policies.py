"""The policy documents: the registry of the five plans and their verbatim text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.tables import read_table

REGISTRY_COLUMNS = ["document_id", "file", "region", "title_zh", "title_en", "issuing_body",
                    "issuing_body_basis", "horizon_year", "status"]


def load_registry(root: Path | None = None) -> pd.DataFrame:
    """The document registry, one row per plan, horizon_year as int."""
    frame = read_table(paths.registry_file(root), REGISTRY_COLUMNS)
    return frame.assign(horizon_year=frame["horizon_year"].astype(int))


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def document_text(file: str, root: Path | None = None) -> str:
    """The verbatim text of a plan, by its file name in data/policies/."""
    return _read(paths.policies_dir(root) / file)
