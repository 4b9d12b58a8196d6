"""One copy of the project's data: its root folder, and each of its tables read once.

A command or a report makes one `Project` where it starts (`Project.here()`: the repository, or the copy
`PLANTRACKER_ROOT` names) and hands it down, so every function below reads the same files, and a table
that five region pages need is read from disk once, not five times. The readers stay the file layer:
they take the root explicitly; the project only remembers what they returned.

A project's tables are shared by everything that asks, so the functions receiving them must not change
them in place (the stages never do: they return new tables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import paths
from analysis.core.schema import Rules
from analysis.io.readers import catalogue as catalogue_files
from analysis.io.readers import observations as observation_files
from analysis.io.readers import settings as setting_files


@dataclass(frozen=True)
class Project:
    """The project at `root`, with each input table read on first use and kept for this project's life."""

    root: Path
    _remembered: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def here(cls) -> Project:
        """The project the researcher works in: `PLANTRACKER_ROOT` if set, else the repository."""
        return cls(paths.project_root())

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` the first time `key` is asked for; the same answer afterwards (errors are not kept,
        so a file fixed between two calls is read again)."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]

    # --- the catalogue ------------------------------------------------------------------------------

    @cached_property
    def registry(self) -> pd.DataFrame:
        return catalogue_files.load_registry(self.root)

    @cached_property
    def regions(self) -> list[str]:
        """The regions that have a plan (the registry's regions)."""
        return catalogue_files.regions_of(self.registry)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return catalogue_files.load_indicators(self.root)

    @cached_property
    def targets(self) -> pd.DataFrame:
        return catalogue_files.load_targets(self.root)

    @cached_property
    def excluded(self) -> pd.DataFrame:
        return catalogue_files.load_excluded(self.root)

    # --- the rules and settings ---------------------------------------------------------------------

    @cached_property
    def rules(self) -> Rules:
        return observation_files.load_rules(self.root)

    @cached_property
    def bands(self) -> pd.DataFrame:
        return setting_files.load_bands(self.root)

    @cached_property
    def settings(self) -> dict[str, float]:
        return setting_files.load_settings(self.root)

    @cached_property
    def publication_sources(self) -> pd.DataFrame:
        return setting_files.load_publication_sources(self.root)

    @cached_property
    def grade_rules(self) -> pd.DataFrame:
        return setting_files.load_grade_rules(self.root)
