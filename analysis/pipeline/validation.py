"""`plantracker validate`: every problem of the catalogue and of the observation files, each with its file,
row, column and how to fix it, all at once (a researcher fixes a file in one pass, not one error a run)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from analysis.catalogue import checks as catalogue_checks
from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.schema import EXCLUDED_COLUMNS, INDICATOR_COLUMNS, TARGET_COLUMNS
from analysis.io.readers import catalogue as catalogue_files
from analysis.io.readers import observations as observation_files
from analysis.io.readers import wording as wording_files
from analysis.io.readers.files import display_name
from analysis.observations import conflicts, evidence
from analysis.pipeline.observations import observation_context, read_observations, unique_files
from analysis.pipeline.project import Project


def validate_catalogue(project: Project) -> list[Problem]:
    """Every problem of indicators.csv, targets.csv and targets_excluded.csv, with where and how to fix."""
    root = project.root
    problems: list[Problem] = []
    names = {
        "indicators": paths.indicators_file(root),
        "targets": paths.targets_file(root),
        "excluded": paths.excluded_file(root),
    }
    shown = {k: display_name(p, root) for k, p in names.items()}

    def attempt(read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except DataError as exc:
            problems.extend(exc.problems)
            return None

    read_table = catalogue_files.read_catalogue_table
    raw_indicators = attempt(read_table, names["indicators"], INDICATOR_COLUMNS, root)
    raw_targets = attempt(read_table, names["targets"], TARGET_COLUMNS, root)
    excluded = attempt(read_table, names["excluded"], EXCLUDED_COLUMNS, root)
    registry = attempt(catalogue_files.load_registry, root)
    texts = catalogue_files.document_texts(registry, root) if registry is not None else {}
    indicators = targets = None
    if raw_indicators is not None:
        indicators, found = catalogue_files.typed_indicators(raw_indicators, shown["indicators"])
        problems += found
    if raw_targets is not None:
        targets, found = catalogue_files.typed_targets(raw_targets, shown["targets"])
        problems += found
    tables = catalogue_checks.CatalogueTables(
        indicators,
        targets,
        excluded,
        {} if registry is None else {r["file"]: r for r in registry.to_dict("records")},
        texts,
        catalogue_files.load_vocabulary(),
        wording_files.load_wording(),
        shown,
    )
    return problems + catalogue_checks.check_catalogue(tables)


def validate_observation_files(project: Project, given: Iterable[Path] | None = None) -> list[Problem]:
    """Problems of the shipped observation files, or of the given files checked against the shipped data."""
    try:
        ctx = observation_context(project)
    except DataError as exc:
        return exc.problems
    shipped, problems = observation_files.shipped_files(project.root)
    if given is None:
        frame, found = read_observations(shipped, ctx, project)
        return problems + found + conflicts.conflict_warnings(frame) + evidence.source_problems(frame)
    given = [Path(p) for p in given]
    names = {display_name(p, project.root) for p in given}
    frame, found = read_observations(unique_files([*shipped, *given], project), ctx, project)
    return (
        [p for p in found if p.file in names]
        + conflicts.conflict_warnings(frame, names)
        + evidence.source_problems(frame, names)
    )


def validate(project: Project, given: Iterable[Path] | None = None) -> list[Problem]:
    """`plantracker validate`: the catalogue and the observations, or only the given files."""
    given = list(given) if given else None
    problems = [] if given else validate_catalogue(project)
    return problems + validate_observation_files(project, given)
