"""Observation files: data/observations.csv, the researchers' folder data/observations/, files given
with --data or on the command line, and the seed snapshot they are built from.

Reading stops at text: the checks against the catalogue, the number parser and the conflict rule are
the stages' (analysis.observations.checks, analysis.observations.conflicts); `analysis.pipeline` joins them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.schema import MAPPING_COLUMNS, OBSERVATION_SHEET, SEED_COLUMNS, Rules
from analysis.io.readers.files import READERS, display_name, read_bytes, read_raw, read_table
from analysis.io.readers.raw_table import RawTable


def rules_file(root: Path) -> Path:
    return paths.data_dir(root) / "observation_rules.yaml"


def seed_mapping_file(root: Path) -> Path:
    return paths.seed_file(root).with_name("seed_mapping.csv")


def load_rules(root: Path) -> Rules:
    """data/observation_rules.yaml: what the checks accept and how sources rank."""
    path = rules_file(root)
    name = display_name(path, root)
    try:
        raw = yaml.safe_load(read_bytes(path, name).decode("utf-8"))
        return Rules(
            source_kinds=tuple(raw["source_kinds"]),
            comparison_regions=tuple(raw["comparison_regions"]),
            first_year=int(raw["first_year"]),
            last_year=int(raw["last_year"]),
            template_base_year=int(raw["template_base_year"]),
            unit_marks={k: tuple(v) for k, v in raw["unit_marks"].items()},
            measure_words=tuple(raw["measure_words"]),
            measure_word_units=tuple(raw["measure_word_units"]),
            bound_prefixes=dict(raw["bound_prefixes"]),
            bound_suffixes=dict(raw["bound_suffixes"]),
            filler_words=tuple(raw["filler_words"]),
            plan_markers=tuple(raw["plan_markers"]),
            result_markers=tuple(raw["result_markers"]),
            result_note=str(raw["result_note"]),
        )
    except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"the rules cannot be read ({exc.__class__.__name__}: {exc})",
                    "restore the file from the repository and edit it again",
                )
            ]
        ) from exc


def researcher_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """data/observations/*.csv|xlsx; other files get a warning (except README, hidden, Excel lock files)."""
    folder = paths.researcher_observations_dir(root)
    if not folder.is_dir():
        return [], []
    files, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")) or path.stem.upper() == "README":
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        if path.suffix.lower() in READERS:
            files.append(path)
        else:
            problems.append(
                Problem(
                    display_name(path, root),
                    None,
                    None,
                    f"'{path.suffix}' files are not read",
                    "save observations as .xlsx or CSV UTF-8, or move the file elsewhere",
                    "warning",
                )
            )
    return files, problems


def shipped_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """data/observations.csv, then the researchers' folder in name order."""
    folder_files, problems = researcher_files(root)
    return [paths.observations_file(root), *folder_files], problems


def read_observation_file(path: Path, root: Path) -> RawTable:
    """One observation file (CSV, or the sheet 'observations' of a workbook) as text."""
    return read_raw(Path(path), display_name(path, root), OBSERVATION_SHEET, root)


def read_seed(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first seed snapshot and its mapping onto our indicators, as text."""
    seed = read_table(paths.seed_file(root), SEED_COLUMNS, display_name="data/sources/observations_seed.csv")
    mapping = read_table(
        seed_mapping_file(root), MAPPING_COLUMNS, display_name="data/sources/seed_mapping.csv"
    )
    return seed, mapping


def read_seeds(root: Path) -> tuple[list[tuple[str, str, pd.DataFrame]], pd.DataFrame]:
    """Every seed snapshot present (name, seed_row mark, table as text) and the one mapping of them all."""
    seeds = [
        (
            f"data/sources/{path.name}",
            mark,
            read_table(path, SEED_COLUMNS, display_name=f"data/sources/{path.name}"),
        )
        for path, mark in paths.seed_files(root)
        if path.exists() or not mark
    ]
    mapping = read_table(
        seed_mapping_file(root), MAPPING_COLUMNS, display_name="data/sources/seed_mapping.csv"
    )
    return seeds, mapping
