"""The batch commands, `plantracker forecast` and `plantracker assess`: a researcher's own series and
targets files, read by the project's readers and checks, and the CSVs written from them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import forecasting
from analysis.assessment import table as assessment
from analysis.catalogue import checks as catalogue_checks
from analysis.catalogue.row_checks import quantity_units
from analysis.core import paths
from analysis.core.errors import DataError, Problem, errors_in
from analysis.core.schema import (
    ASSESS_OUTPUT_COLUMNS,
    ASSESS_TARGET_COLUMNS,
    BATCH_TARGET_COLUMNS,
    JUDGED_SERIES,
    SERIES,
    ObservationContract,
    Rules,
)
from analysis.forecasting import calibration
from analysis.io.readers import catalogue as catalogue_files
from analysis.io.readers.files import display_name
from analysis.io.writers import check_output, write_csv
from analysis.observations import checks, conflicts, evidence
from analysis.pipeline.forecasts import assess, fit_cache, load_calibration
from analysis.pipeline.observations import observation_context, read_observations
from analysis.pipeline.project import Project

FORECAST_AHEAD = 30  # `--to` at most this many years after the latest observation


def _refused(file: str, row: int | None, message: str, fix: str) -> DataError:
    return DataError([Problem(file, row, None, message, fix)])


def read_series(
    path: Path, project: Project, contract: ObservationContract = SERIES
) -> tuple[pd.DataFrame, list[Problem]]:
    """A series file for `forecast` or `assess`: the observation reader and checks, any region, sources
    optional; several rows for one key are resolved by the same rule as the project's data.

    Returns the resolved rows (one per region, indicator, year) and the warnings; raises on errors."""
    path = Path(path)
    ctx = observation_context(project)
    shipped = paths.observations_file(project.root)
    if path.exists() and shipped.exists() and path.resolve() == shipped.resolve():
        frame, problems = read_observations([path], ctx, project)
    else:
        frame, problems = read_observations([path], ctx, project, contract)
    problems += conflicts.conflict_warnings(frame) + evidence.source_problems(frame)
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    resolved = conflicts.resolve(frame)
    if resolved.empty and not (frame.empty and contract.may_be_empty):
        raise _refused(
            display_name(path, project.root),
            None,
            "the file holds no figure to use",
            "add rows with region, indicator, year and value",
        )
    return resolved, problems


def _comparator_problems(targets: pd.DataFrame, name: str) -> list[Problem]:
    comparators = catalogue_files.load_vocabulary()["comparators"]
    return [
        Problem(
            name,
            int(r.row),
            "comparator",
            f"comparator '{r.comparator}' is not one of {', '.join(comparators)}",
            "write >=, <= or ==",
        )
        for r in targets.itertuples()
        if r.comparator not in comparators
    ]


def _deadline_problems(targets: pd.DataFrame, name: str, rules: Rules) -> list[Problem]:
    return [
        Problem(
            name,
            int(r.row),
            "target_year",
            f"target_year {r.target_year} is outside {rules.first_year}–{rules.last_year}",
            "write the deadline year of the target",
        )
        for r in targets.itertuples()
        if not rules.first_year <= r.target_year <= rules.last_year
    ]


def _bound_problems(targets: pd.DataFrame, name: str, indicators: pd.DataFrame) -> list[Problem]:
    bounds = indicators.set_index("indicator_id")[["lower_bound", "upper_bound", "unit"]]
    problems = []
    for r in targets.itertuples():
        if r.kind == "relative_change" or r.indicator not in bounds.index:
            continue
        low, high, unit = bounds.loc[r.indicator]
        if r.target_value < low or r.target_value > high:  # NaN (unbounded) compares False
            problems.append(
                Problem(
                    name,
                    int(r.row),
                    "target_value",
                    f"target_value {r.target_value:g} is "
                    f"outside the bounds of {r.indicator} ({checks.span(low, high)} {unit})",
                    "check the figure and its unit",
                )
            )
    return problems


def read_batch_targets(path: Path, project: Project) -> pd.DataFrame:
    """A targets file for P(met) or the status: the catalogue's reader with the columns a batch needs."""
    targets = catalogue_files.load_targets(project.root, path=Path(path), columns=BATCH_TARGET_COLUMNS)
    name = display_name(path, project.root)
    problems = _comparator_problems(targets, name)
    problems += _deadline_problems(targets, name, project.rules)
    problems += _bound_problems(targets, name, project.indicators)
    if problems:
        raise DataError(problems)
    if targets.empty:
        raise _refused(name, 2, "the file has a header but no targets", "add target rows below the header")
    return targets


def check_forecast_year(to_year: int, observed: pd.DataFrame, rules: Rules) -> int:
    """`--to`: after the latest observation and at most FORECAST_AHEAD years after it."""
    latest = int(observed["year"].max())
    if to_year <= latest:
        raise _refused(
            "--to",
            None,
            f"--to {to_year} is not after the latest observation ({latest})",
            f"give a year from {latest + 1} to {latest + FORECAST_AHEAD}",
        )
    if to_year > latest + FORECAST_AHEAD:
        raise _refused(
            "--to",
            None,
            f"--to {to_year} is more than {FORECAST_AHEAD} years "
            f"after the latest observation ({latest}): a forecast that far says nothing",
            f"give a year up to {latest + FORECAST_AHEAD}",
        )
    return to_year


def p_met_path(out_path: Path) -> Path:
    """Where the P(met) table goes: beside the forecasts, `<name>_p_met.csv`."""
    return Path(out_path).with_name(Path(out_path).stem + "_p_met.csv")


def forecast_batch(
    obs_path: Path,
    to_year: int,
    out_path: Path,
    targets_path: Path | None = None,
    indicators: pd.DataFrame | None = None,
    jobs: int | None = None,
    cal: calibration.Calibration | None = None,
    *,
    project: Project,
    scheduler: str | None = None,
) -> tuple[list[Path], list[Problem]]:
    """`plantracker forecast`: forecasts to a CSV, and with targets P(met) to a second CSV beside it.
    The fits run in local processes, or on the Dask scheduler at `scheduler` if given.

    Returns the files written and the warnings met while reading."""
    inputs = [Path(obs_path)] + ([Path(targets_path)] if targets_path else [])
    check_output(out_path, "--out", inputs)
    if targets_path is not None:
        check_output(p_met_path(out_path), "--out", inputs)
    series, warnings = read_series(Path(obs_path), project)
    check_forecast_year(to_year, series, project.rules)
    targets = read_batch_targets(Path(targets_path), project) if targets_path is not None else None
    indicators = project.indicators if indicators is None else indicators
    cal = cal or load_calibration(project)
    cache = fit_cache(project)
    executor = forecasting.executor_for(scheduler, jobs) if scheduler or jobs else None
    try:
        table = forecasting.forecast_series(
            series[["region", "indicator", "year", "value", "qualifier"]],
            to_year,
            indicators,
            cal,
            cache,
            executor,
        )
        if table.empty:
            raise _refused(
                str(obs_path),
                None,
                f"no series has a year to forecast up to {to_year}",
                "give a later --to, or check the file",
            )
        written = [write_csv(table, Path(out_path), float_format="%.10g")]
        if targets is not None:
            as_of = int(series["year"].max())
            p_met = forecasting.forecast_targets(
                targets, indicators, series, as_of, cal, cache, executor, settings=project.settings
            )
            written.append(write_csv(p_met, p_met_path(out_path), float_format="%.10g"))
    finally:
        if hasattr(executor, "close"):
            executor.close()
    return written, warnings


def read_assess_targets(path: Path, project: Project) -> pd.DataFrame:
    """A targets file for `plantracker assess`: the catalogue's reader and its row checks (comparator,
    measure, base year, a known indicator, the deadline's range), each problem at its file, row, column."""
    targets = catalogue_files.load_targets(project.root, path=Path(path), columns=ASSESS_TARGET_COLUMNS)
    name = display_name(path, project.root)
    if targets.empty:
        raise _refused(name, 2, "the file has a header but no targets", "add target rows below the header")
    kinds = targets["kind"].where(
        targets["kind"].str.strip().ne(""),
        targets["measure"].map(lambda m: "relative_change" if m == "relative_change" else ""),
    )
    targets = targets.assign(kind=kinds)
    indicators = project.indicators
    problems = catalogue_checks.check_judged_targets(
        targets,
        {r["indicator_id"]: r for r in indicators.to_dict("records")},
        name,
        catalogue_files.load_vocabulary(),
        project.rules,
    )
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    unit = [
        u if u.strip() else quantity_units(m, units[i])[0]
        for u, m, i in zip(targets["unit"], targets["measure"], targets["indicator"], strict=True)
    ]
    return targets.assign(unit=unit)


def assess_batch(
    targets_path: Path,
    obs_path: Path,
    out_path: Path,
    as_of: int | None = None,
    language: str = "en",
    *,
    project: Project,
) -> tuple[pd.DataFrame, list[Problem]]:
    """`plantracker assess`: one row per target of a targets file, judged on a series file, written to a CSV
    with target_id, status, measured_value, measured_year, pace_ratio, provisional and reason.

    Returns the table written and the warnings met while reading."""
    inputs = [Path(targets_path), Path(obs_path)]
    check_output(out_path, "--out", inputs)
    targets = read_assess_targets(Path(targets_path), project)
    series, warnings = read_series(Path(obs_path), project, JUDGED_SERIES)
    if as_of is None:  # the latest figure's year; with no figure yet, the latest deadline
        as_of = int(series["year"].max() if len(series) else targets["target_year"].max())
    status = assess(targets, project.indicators, series, as_of, project, language)
    table = assessment.reading_table(status)[ASSESS_OUTPUT_COLUMNS]
    write_csv(table, Path(out_path))
    return table, warnings
