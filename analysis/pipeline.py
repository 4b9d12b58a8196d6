"""The one module that joins reading and computing, for the notebooks and the command line.

Readers (analysis.io.readers) open the files; the stages (catalogue checks, observation checks, the
conflict rule, assessment, forecast) take what was read as arguments. Every command goes through the
functions here, so `validate`, `forecast`, `assess`, `template` and the build read a file the same
way and accept exactly the same files.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import forecasting
from analysis.assessment import status as assessment
from analysis.forecasting import calibration
from analysis.catalogue import checks as catalogue
from analysis.observations import conflicts
from analysis.observations import evidence
from analysis.catalogue import extraction
from analysis.observations import grading
from analysis.observations import checks as observations
from analysis.core import paths
from analysis.observations import templates
from analysis.observations import seed as seeding
from analysis.core.errors import DataError, PlanTrackerError, Problem, errors_in
from analysis.core.labels import LANGUAGES, label
from analysis.io.readers import catalogue as catalogue_files
from analysis.io.readers import fit_store
from analysis.io.readers import observations as observation_files
from analysis.io.readers import settings as setting_files
from analysis.io.readers import wording as wording_files
from analysis.io.readers.files import display_name, read_plan_text
from analysis.core.schema import (
    ASSESS_OUTPUT_COLUMNS,
    ASSESS_TARGET_COLUMNS,
    BATCH_TARGET_COLUMNS,
    EXCLUDED_COLUMNS,
    INDICATOR_COLUMNS,
    JUDGED_SERIES,
    OBSERVATION_OUTPUT,
    PROJECT_OBSERVATIONS,
    SERIES,
    TARGET_COLUMNS,
    ObservationContract,
    Rules,
)
from analysis.io.writers import check_output, write_csv
from analysis.io.writers import write_template as write_template_file

# --- the catalogue ---------------------------------------------------------------------------------

load_registry = catalogue_files.load_registry
load_indicators = catalogue_files.load_indicators
load_targets = catalogue_files.load_targets
load_excluded = catalogue_files.load_excluded
plan_regions = catalogue_files.plan_regions
document_text = catalogue_files.document_text
load_rules = observation_files.load_rules
load_bands = setting_files.load_bands
load_settings = setting_files.load_settings
load_publication_sources = setting_files.load_publication_sources
load_grade_rules = setting_files.load_grade_rules


def region_names(region: str) -> list[str]:
    """The names a region goes by: its registry id, and its English and Chinese names in the labels."""
    names = [region]
    for language in LANGUAGES:
        try:
            names.append(label(f"region_{region}", language))
        except PlanTrackerError:
            continue
    return names


def match_region(name: str, known: Iterable[str]) -> str | None:
    """The registry region a researcher means, whatever the case and in either language: `Guiyang`,
    `guiyang`, `贵阳贵安`, or a short form that starts exactly one region's name (`贵阳`, `巴中`, `贵州`)."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    known = list(known)
    names = {region: [n.casefold() for n in region_names(region)] for region in known}
    exact = [region for region in known if wanted in names[region]]
    if exact:
        return exact[0]
    starts = [region for region in known if any(n.startswith(wanted) for n in names[region])]
    return starts[0] if len(starts) == 1 and len(wanted) >= 2 else None


def check_region(region: str, root: Path | None = None, option: str = "--region") -> str:
    """The registry's id of the region named (see `match_region`), or an error listing them."""
    known = plan_regions(root)
    found = match_region(region, known)
    if found is None:
        choices = ", ".join(f"{r} ({' / '.join(region_names(r)[1:])})" if len(region_names(r)) > 1 else r
                            for r in known)
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"unknown region '{region}'",
                    f"use one of: {choices} (data/policies/registry.csv)",
                )
            ]
        )
    return found


def validate_catalogue(root: Path | None = None) -> list[Problem]:
    """Every problem of indicators.csv, targets.csv and targets_excluded.csv, with where and how to fix."""
    problems: list[Problem] = []
    names = {
        "indicators": paths.indicators_file(root),
        "targets": paths.targets_file(root),
        "excluded": paths.excluded_file(root),
    }
    shown = {k: display_name(p, root) for k, p in names.items()}

    def attempt(read, *args):
        try:
            return read(*args)
        except DataError as exc:
            problems.extend(exc.problems)
            return None

    raw_indicators = attempt(
        catalogue_files.read_catalogue_table, names["indicators"], INDICATOR_COLUMNS, root
    )
    raw_targets = attempt(catalogue_files.read_catalogue_table, names["targets"], TARGET_COLUMNS, root)
    excluded = attempt(catalogue_files.read_catalogue_table, names["excluded"], EXCLUDED_COLUMNS, root)
    registry = attempt(load_registry, root)
    texts = catalogue_files.document_texts(registry, root) if registry is not None else {}
    indicators = targets = None
    if raw_indicators is not None:
        indicators, found = catalogue_files.typed_indicators(raw_indicators, shown["indicators"])
        problems += found
    if raw_targets is not None:
        targets, found = catalogue_files.typed_targets(raw_targets, shown["targets"])
        problems += found
    tables = catalogue.CatalogueTables(
        indicators,
        targets,
        excluded,
        {} if registry is None else {r["file"]: r for r in registry.to_dict("records")},
        texts,
        catalogue_files.load_vocabulary(),
        wording_files.load_wording(),
        shown,
    )
    return problems + catalogue.check_catalogue(tables)


# --- observations ----------------------------------------------------------------------------------


def observation_context(root: Path | None = None, rules: Rules | None = None) -> observations.Context:
    """What observation rows are checked against: the catalogue's indicators, the regions, the rules."""
    return observations.make_context(load_indicators(root), plan_regions(root), rules or load_rules(root))


def read_observations(
    files: Iterable[Path],
    ctx: observations.Context,
    root: Path | None = None,
    contract: ObservationContract = PROJECT_OBSERVATIONS,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check every file: the clean rows in reading order, marked by the conflict rule, and every
    problem (a file that cannot be read is reported and the others still load)."""
    parts, problems = [], []
    for path in files:
        try:
            table = observation_files.read_observation_file(path, root)
        except DataError as exc:
            problems += exc.problems
            continue
        problems += table.warnings
        clean, found = observations.check_table(
            table.header, table.labels, table.frame(contract.columns), table.name, ctx, contract
        )
        parts.append(clean)
        problems += found
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=observations.CLEAN_COLUMNS)
    read = OBSERVATION_OUTPUT[: -len(conflicts.RESOLUTION_COLUMNS)]
    frame = frame.assign(order=range(len(frame)))[read]
    frame = frame.astype({"year": "int64", "value": "float64", "decimals": "int64", "source_row": "int64"})
    grade_rules = load_grade_rules(root)
    marked = conflicts.mark_resolution(_ranking_grades(frame, grade_rules), ctx.rules)
    return grading.with_grades(marked, grade_rules), problems


def _ranking_grades(frame: pd.DataFrame, grade_rules: pd.DataFrame) -> pd.DataFrame:
    """The rows with the grade the conflict rule ranks them by, for the rows that share their region,
    indicator and year with another (a lone row needs no ranking): a series of distinct keys costs no
    second grading."""
    shared = frame.duplicated(["region", "indicator", "year"], keep=False)
    graded_by = [c for c in ("source_url", *grading.TEXT_COLUMNS) if c in frame]  # all a grade reads
    own = grading.with_grades(frame.loc[shared, graded_by], grade_rules)["grade"]
    return frame.assign(grade=own.reindex(frame.index))


def better_sources(observations_: pd.DataFrame, min_grade: str, root: Path | None = None) -> pd.DataFrame:
    """Only the rows whose source is `min_grade` or better, the conflict rule and corroboration worked out
    again among them (a figure no longer corroborated by a dropped page loses that support)."""
    try:
        kept = grading.at_least(observations_, min_grade)
    except ValueError as exc:
        raise DataError([Problem("--min-grade", None, None, str(exc),
                                 f"use one of: {', '.join(grading.GRADES)}")]) from exc
    marked = conflicts.mark_resolution(kept, load_rules(root))
    return grading.with_grades(marked, load_grade_rules(root))


def _unique(paths_: Iterable[Path], root: Path | None) -> list[Path]:
    """Each file once, in the order given (the same file named twice would corroborate itself)."""
    seen, out = set(), []
    for path in paths_:
        key = display_name(path, root)
        if key not in seen:
            seen.add(key)
            out.append(Path(path))
    return out


def load_with_problems(
    extra: Iterable[Path] | None = None, root: Path | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every observation row with its resolution, and every problem (errors and warnings) found."""
    ctx = observation_context(root)
    files, problems = observation_files.shipped_files(root)
    frame, found = read_observations(_unique([*files, *(extra or [])], root), ctx, root)
    return frame, problems + found + conflicts.conflict_warnings(frame) + evidence.source_problems(frame)


def load_observations(
    extra: Iterable[Path] | None = None, root: Path | None = None, min_grade: str | None = None
) -> pd.DataFrame:
    """The one loader everything downstream uses: shipped data, data/observations/*, and `extra` files,
    each row with its source's grade; with `min_grade`, only rows from sources that good or better.

    Raises DataError listing every error; warnings (conflicts, unread files) do not stop loading.
    """
    frame, problems = load_with_problems(extra, root)
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    return better_sources(frame, min_grade, root) if min_grade else frame


def validate_observation_files(
    given: Iterable[Path] | None = None, root: Path | None = None
) -> list[Problem]:
    """Problems of the shipped observation files, or of the given files checked against the shipped data."""
    try:
        ctx = observation_context(root)
    except DataError as exc:
        return exc.problems
    shipped, problems = observation_files.shipped_files(root)
    if given is None:
        frame, found = read_observations(shipped, ctx, root)
        return problems + found + conflicts.conflict_warnings(frame) + evidence.source_problems(frame)
    given = [Path(p) for p in given]
    names = {display_name(p, root) for p in given}
    frame, found = read_observations(_unique([*shipped, *given], root), ctx, root)
    return ([p for p in found if p.file in names] + conflicts.conflict_warnings(frame, names)
            + evidence.source_problems(frame, names))


def validate(given: Iterable[Path] | None = None, root: Path | None = None) -> list[Problem]:
    """`plantracker validate`: the catalogue and the observations, or only the given files."""
    given = list(given) if given else None
    problems = [] if given else validate_catalogue(root)
    return problems + validate_observation_files(given, root)


def resolve(observations_: pd.DataFrame) -> pd.DataFrame:
    """One row per region, indicator and year: the row the conflict rule uses."""
    return conflicts.resolve(observations_)


# --- series files for the batch commands -----------------------------------------------------------


def read_series(
    path: Path, root: Path | None = None, contract: ObservationContract = SERIES
) -> tuple[pd.DataFrame, list[Problem]]:
    """A series file for `forecast` or `assess`: the observation reader and checks, any region, sources
    optional; several rows for one key are resolved by the same rule as the project's data.

    Returns the resolved rows (one per region, indicator, year) and the warnings; raises on errors."""
    path = Path(path)
    ctx = observation_context(root)
    shipped = paths.observations_file(root)
    if path.exists() and shipped.exists() and path.resolve() == shipped.resolve():
        frame, problems = read_observations([path], ctx, root)
    else:
        frame, problems = read_observations([path], ctx, root, contract)
    problems += conflicts.conflict_warnings(frame) + evidence.source_problems(frame)
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    resolved = conflicts.resolve(frame)
    if resolved.empty:
        raise DataError(
            [
                Problem(
                    display_name(path, root),
                    None,
                    None,
                    "the file holds no figure to use",
                    "add rows with region, indicator, year and value",
                )
            ]
        )
    return resolved, problems


def read_batch_targets(path: Path, root: Path | None = None) -> pd.DataFrame:
    """A targets file for P(met) or the status: the catalogue's reader with the columns a batch needs."""
    targets = load_targets(root, path=Path(path), columns=BATCH_TARGET_COLUMNS)
    name = display_name(path, root)
    vocabulary = catalogue_files.load_vocabulary()
    problems = [
        Problem(
            name,
            int(r.row),
            "comparator",
            f"comparator '{r.comparator}' is not one of {', '.join(vocabulary['comparators'])}",
            "write >=, <= or ==",
        )
        for r in targets.itertuples()
        if r.comparator not in vocabulary["comparators"]
    ]
    rules = load_rules(root)
    problems += [
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
    bounds = load_indicators(root).set_index("indicator_id")[["lower_bound", "upper_bound", "unit"]]
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
                    f"outside the bounds of {r.indicator} ({observations.span(low, high)} {unit})",
                    "check the figure and its unit",
                )
            )
    if problems:
        raise DataError(problems)
    if targets.empty:
        raise DataError(
            [
                Problem(
                    name, 2, None, "the file has a header but no targets", "add target rows below the header"
                )
            ]
        )
    return targets


@lru_cache(maxsize=4)
def _calibration(path: Path, stamp: float) -> calibration.Calibration:
    return calibration.from_frame(setting_files.load_calibration_table(path.parent.parent))


def load_calibration(root: Path | None = None) -> calibration.Calibration:
    """The forecast calibration (data/forecast_calibration.csv), read once per file version."""
    path = setting_files.calibration_file(root)
    if not path.exists():
        setting_files.load_calibration_table(root)  # raises the message for a missing file
    return _calibration(path, path.stat().st_mtime)


def check_forecast_year(to_year: int, observed: pd.DataFrame, rules: Rules) -> int:
    """`--to`: after the latest observation and at most LATEST_FORECAST_AHEAD years after it."""
    latest = int(observed["year"].max())
    if to_year <= latest:
        raise DataError(
            [
                Problem(
                    "--to",
                    None,
                    None,
                    f"--to {to_year} is not after the latest observation ({latest})",
                    f"give a year from {latest + 1} to {latest + FORECAST_AHEAD}",
                )
            ]
        )
    if to_year > latest + FORECAST_AHEAD:
        raise DataError(
            [
                Problem(
                    "--to",
                    None,
                    None,
                    f"--to {to_year} is more than {FORECAST_AHEAD} years "
                    f"after the latest observation ({latest}): a forecast that far says nothing",
                    f"give a year up to {latest + FORECAST_AHEAD}",
                )
            ]
        )
    return to_year


FORECAST_AHEAD = 30  # `--to` at most this many years after the latest observation


def p_met_path(out_path: Path) -> Path:
    return Path(out_path).with_name(Path(out_path).stem + "_p_met.csv")


def fit_cache(root: Path | None = None) -> forecasting.FitCache:
    """The forecast fits kept across builds and batch runs, under the project's cache folder."""
    return forecasting.StoredCache(fit_store.project_fit_store(root))


def forecast_batch(
    obs_path: Path,
    to_year: int,
    out_path: Path,
    targets_path: Path | None = None,
    indicators: pd.DataFrame | None = None,
    jobs: int | None = None,
    cal: calibration.Calibration | None = None,
    root: Path | None = None,
    scheduler: str | None = None,
) -> tuple[list[Path], list[Problem]]:
    """`plantracker forecast`: forecasts to a CSV, and with targets P(met) to a second CSV beside it.
    The fits run in local processes, or on the Dask scheduler at `scheduler` if given.

    Returns the files written and the warnings met while reading."""
    inputs = [Path(obs_path)] + ([Path(targets_path)] if targets_path else [])
    check_output(out_path, "--out", inputs)
    if targets_path is not None:
        check_output(p_met_path(out_path), "--out", inputs)
    series, warnings = read_series(Path(obs_path), root)
    check_forecast_year(to_year, series, load_rules(root))
    targets = read_batch_targets(Path(targets_path), root) if targets_path is not None else None
    indicators = load_indicators(root) if indicators is None else indicators
    cal = cal or load_calibration(root)
    cache = fit_cache(root)
    executor = forecasting.executor_for(scheduler, jobs) if scheduler or jobs else None
    try:
        table = forecasting.forecast_series(
            series[["region", "indicator", "year", "value", "qualifier"]], to_year, indicators, cal, cache,
            executor,
        )
        if table.empty:
            raise DataError(
                [
                    Problem(
                        str(obs_path),
                        None,
                        None,
                        f"no series has a year to forecast up to {to_year}",
                        "give a later --to, or check the file",
                    )
                ]
            )
        written = [write_csv(table, Path(out_path), float_format="%.10g")]
        if targets is not None:
            as_of = int(series["year"].max())
            p_met = forecasting.forecast_targets(targets, indicators, series, as_of, cal, cache, executor)
            written.append(write_csv(p_met, p_met_path(out_path), float_format="%.10g"))
    finally:
        if hasattr(executor, "close"):
            executor.close()
    return written, warnings


def read_assess_targets(path: Path, root: Path | None = None) -> pd.DataFrame:
    """A targets file for `plantracker assess`: the catalogue's reader and its row checks (comparator,
    measure, base year, a known indicator, the deadline's range), each problem at its file, row, column."""
    targets = load_targets(root, path=Path(path), columns=ASSESS_TARGET_COLUMNS)
    name = display_name(path, root)
    if targets.empty:
        raise DataError(
            [Problem(name, 2, None, "the file has a header but no targets",
                     "add target rows below the header")]
        )
    kinds = targets["kind"].where(targets["kind"].str.strip().ne(""), targets["measure"].map(
        lambda m: "relative_change" if m == "relative_change" else ""))
    targets = targets.assign(kind=kinds)
    indicators = load_indicators(root)
    problems = catalogue.check_judged_targets(
        targets, {r["indicator_id"]: r for r in indicators.to_dict("records")}, name,
        catalogue_files.load_vocabulary(), load_rules(root))
    errors = errors_in(problems)
    if errors:
        raise DataError(errors)
    units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
    unit = [u if u.strip() else catalogue.quantity_units(m, units[i])[0]
            for u, m, i in zip(targets["unit"], targets["measure"], targets["indicator"], strict=True)]
    return targets.assign(unit=unit)


def assess_batch(
    targets_path: Path,
    obs_path: Path,
    out_path: Path,
    as_of: int | None = None,
    language: str = "en",
    root: Path | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """`plantracker assess`: one row per target of a targets file, judged on a series file, written to a CSV
    with target_id, status, measured_value, measured_year, pace_ratio, provisional and reason.

    Returns the table written and the warnings met while reading."""
    inputs = [Path(targets_path), Path(obs_path)]
    check_output(out_path, "--out", inputs)
    targets = read_assess_targets(Path(targets_path), root)
    series, warnings = read_series(Path(obs_path), root, JUDGED_SERIES)
    as_of = int(series["year"].max()) if as_of is None else int(as_of)
    status = assess(targets, load_indicators(root), series, as_of, root, language)
    table = assessment.reading_table(status)[ASSESS_OUTPUT_COLUMNS]
    write_csv(table, Path(out_path))
    return table, warnings


# --- assessment and forecasts of the project's own data ---------------------------------------------


def assess(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    resolved: pd.DataFrame,
    as_of: int,
    root: Path | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Where each target stands as of `as_of`, with the project's bands, settings and the table of where
    figures are published; reasons in `language`."""
    return assessment.assess(targets, indicators, resolved, as_of, load_bands(root), load_settings(root),
                             load_publication_sources(root), language)


def forecast_targets(
    targets: pd.DataFrame,
    indicators: pd.DataFrame | None,
    resolved: pd.DataFrame,
    as_of: int,
    root: Path | None = None,
) -> pd.DataFrame:
    return forecasting.forecast_targets(
        targets, indicators, resolved, as_of, load_calibration(root), fit_cache(root)
    )


def forecast_series(
    observed: pd.DataFrame,
    to_year: int,
    indicators: pd.DataFrame | None,
    root: Path | None = None,
    jobs: int | None = None,
) -> pd.DataFrame:
    executor = forecasting.executor_for(jobs=jobs) if jobs else None
    return forecasting.forecast_series(
        observed, to_year, indicators, load_calibration(root), fit_cache(root), executor
    )


# --- templates, the seed, drafts --------------------------------------------------------------------


def write_template(region: str, fmt: str = "xlsx", out: Path | None = None, root: Path | None = None) -> Path:
    """A fill-in template for one region: each indicator with a target × each year, known figures filled."""
    region = check_region(region, root)
    rules = load_rules(root)
    targets, indicators = load_targets(root), load_indicators(root)
    resolved = conflicts.resolve(load_observations(root=root))
    frame = templates.template_frame(region, targets, indicators, resolved, rules)
    out = Path(out) if out else Path(f"observations_template_{region}.{fmt}")
    sheet = templates.indicator_sheet(targets[targets["region"] == region], indicators)
    return write_template_file(frame, sheet, rules, templates.HOW_TO, fmt, out)


def write_seed_observations(root: Path | None = None) -> Path:
    """Rebuild data/observations.csv from the seed snapshots of data/sources/ and seed_mapping.csv."""
    seeds, mapping = observation_files.read_seeds(root)
    return write_csv(seeding.observations_from_seeds(seeds, mapping), paths.observations_file(root))


def draft_catalogue(
    path: Path, region: str | None = None, horizon: int | None = None, root: Path | None = None
) -> extraction.Draft:
    """Draft targets.csv rows and past results for a new plan (`plantracker extract`)."""
    path = Path(path)
    text = read_plan_text(path, display_name(path, root), root)
    entry: dict = {}
    if paths.registry_file(root).exists():
        registry = load_registry(root)
        match = registry[registry["file"].eq(path.name)]
        entry = match.iloc[0].to_dict() if len(match) else {}
    indicators = load_indicators(root) if paths.indicators_file(root).exists() else None
    return extraction.draft_catalogue(wording_files.load_wording(), text, path.name, region, horizon, entry,
                                      indicators)


def find_numbers(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Every numeric expression of a text file, with its sentence."""
    text = read_plan_text(Path(path), display_name(path, root), root)
    return extraction.find_numbers(wording_files.load_wording(), text)


def main() -> None:
    """`python -m analysis.pipeline`: rebuild data/observations.csv from the seed snapshot."""
    print(f"written {write_seed_observations()}")


if __name__ == "__main__":
    main()
