"""The project's observations: every file read, checked against the catalogue, marked by the conflict rule
and graded by its source; and the fill-in templates and the seed built from them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataError, Problem, errors_in
from analysis.core.schema import OBSERVATION_OUTPUT, PROJECT_OBSERVATIONS, ObservationContract, Rules
from analysis.io.readers import observations as observation_files
from analysis.io.readers.files import display_name
from analysis.io.writers import write_csv
from analysis.io.writers import write_template as write_template_file
from analysis.observations import checks, conflicts, evidence, grading, templates
from analysis.observations import seed as seeding
from analysis.pipeline.project import Project
from analysis.pipeline.regions import check_region


def observation_context(project: Project, rules: Rules | None = None) -> checks.Context:
    """What observation rows are checked against: the catalogue's indicators, the regions, the rules."""
    return checks.make_context(project.indicators, project.regions, rules or project.rules)


def read_observations(
    files: Iterable[Path],
    ctx: checks.Context,
    project: Project,
    contract: ObservationContract = PROJECT_OBSERVATIONS,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check every file: the clean rows in reading order, marked by the conflict rule, and every
    problem (a file that cannot be read is reported and the others still load)."""
    parts, problems = [], []
    for path in files:
        try:
            table = observation_files.read_observation_file(path, project.root)
        except DataError as exc:
            problems += exc.problems
            continue
        problems += table.warnings
        clean, found = checks.check_table(
            table.header, table.labels, table.frame(contract.columns), table.name, ctx, contract
        )
        parts.append(clean)
        problems += found
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=checks.CLEAN_COLUMNS)
    read = OBSERVATION_OUTPUT[: -len(conflicts.RESOLUTION_COLUMNS)]
    frame = frame.assign(order=range(len(frame)))[read]
    frame = frame.astype({"year": "int64", "value": "float64", "decimals": "int64", "source_row": "int64"})
    marked = conflicts.mark_resolution(ranking_grades(frame, project.grade_rules), ctx.rules)
    return grading.with_grades(marked, project.grade_rules), problems


def ranking_grades(frame: pd.DataFrame, grade_rules: pd.DataFrame) -> pd.DataFrame:
    """The rows with the grade the conflict rule ranks them by, for the rows that share their region,
    indicator and year with another (a lone row needs no ranking): a series of distinct keys costs no
    second grading."""
    shared = frame.duplicated(["region", "indicator", "year"], keep=False)
    graded_by = [c for c in ("source_url", *grading.TEXT_COLUMNS) if c in frame]  # all a grade reads
    own = grading.with_grades(frame.loc[shared, graded_by], grade_rules)["grade"]
    return frame.assign(grade=own.reindex(frame.index))


def better_sources(observations: pd.DataFrame, min_grade: str, project: Project) -> pd.DataFrame:
    """Only the rows whose source is `min_grade` or better, the conflict rule and corroboration worked out
    again among them (a figure no longer corroborated by a dropped page loses that support)."""
    try:
        kept = grading.at_least(observations, min_grade)
    except ValueError as exc:
        raise DataError(
            [Problem("--min-grade", None, None, str(exc), f"use one of: {', '.join(grading.GRADES)}")]
        ) from exc
    marked = conflicts.mark_resolution(kept, project.rules)
    return grading.with_grades(marked, project.grade_rules)


def unique_files(files: Iterable[Path], project: Project) -> list[Path]:
    """Each file once, in the order given (the same file named twice would corroborate itself)."""
    seen, out = set(), []
    for path in files:
        key = display_name(path, project.root)
        if key not in seen:
            seen.add(key)
            out.append(Path(path))
    return out


def _read_with_problems(project: Project, extra: list[Path]) -> tuple[pd.DataFrame, list[Problem]]:
    ctx = observation_context(project)
    files, problems = observation_files.shipped_files(project.root)
    frame, found = read_observations(unique_files([*files, *extra], project), ctx, project)
    return frame, problems + found + conflicts.conflict_warnings(frame) + evidence.source_problems(frame)


def load_with_problems(
    project: Project, extra: Iterable[Path] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every observation row with its resolution, and every problem (errors and warnings) found; the
    project's own files are read once per project (shared: do not change the table in place)."""
    extra = list(extra or [])
    if extra:
        return _read_with_problems(project, extra)
    return project.remember("observations", lambda: _read_with_problems(project, []))


def load_observations(
    project: Project, extra: Iterable[Path] | None = None, min_grade: str | None = None
) -> pd.DataFrame:
    """The one loader everything downstream uses: shipped data, data/observations/*, and `extra` files,
    each row with its source's grade; with `min_grade`, only rows from sources that good or better.

    Raises DataError listing every error; warnings (conflicts, unread files) do not stop loading.
    """
    frame, problems = load_with_problems(project, extra)
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    return better_sources(frame, min_grade, project) if min_grade else frame


def write_template(region: str, project: Project, fmt: str = "xlsx", out: Path | None = None) -> Path:
    """A fill-in template for one region: each indicator with a target × each year, known figures filled."""
    region = check_region(region, project)
    rules = project.rules
    targets, indicators = project.targets, project.indicators
    resolved = conflicts.resolve(load_observations(project))
    frame = templates.template_frame(region, targets, indicators, resolved, rules)
    out = Path(out) if out else Path(f"observations_template_{region}.{fmt}")
    sheet = templates.indicator_sheet(targets[targets["region"] == region], indicators)
    return write_template_file(frame, sheet, rules, templates.HOW_TO, fmt, out)


def write_seed_observations(project: Project) -> Path:
    """Rebuild data/observations.csv from the seed snapshots of data/sources/ and seed_mapping.csv."""
    seeds, mapping = observation_files.read_seeds(project.root)
    return write_csv(seeding.observations_from_seeds(seeds, mapping), paths.observations_file(project.root))
