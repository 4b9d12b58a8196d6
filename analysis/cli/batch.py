"""The batch commands, which turn input files into output files a researcher passes on: `extract` (a draft
catalogue from a plan's text), `template` (a fill-in sheet of observations), `forecast` and `assess` (the
forecasts and judgements of any targets and observations files). Registered on the command line's app in
analysis.cli.commands; heavy imports happen inside each command so that `--help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis.cli.layout import say
from analysis.cli.output import (
    REGION_HELP,
    SCHEDULER_ADDRESS,
    RegionOption,
    busy,
    choose,
    console,
    fail_on,
    print_problems,
    region_of,
)
from analysis.core.errors import DataError, PlanTrackerError, Problem


def extract(
    file: Annotated[Path, typer.Argument(help="A policy text (.txt: UTF-8, UTF-16 or GBK/GB18030)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the draft catalogue (CSV)")],
    region: RegionOption = None,
    horizon: Annotated[
        int | None,
        typer.Option(
            min=2000,
            max=2100,
            help="Year (2000–2100) of targets whose text names none (default: the registry's, else the "
            "commonest 到20XX年)",
        ),
    ] = None,
    numbers: Annotated[
        Path | None,
        typer.Option(
            help="Also write every numeric expression found (date, section or quantity) "
            "with its sentence (CSV)",
        ),
    ] = None,
    observations: Annotated[
        Path | None,
        typer.Option(
            "--observations",
            help="Also write the results the plan reports for past years, "
            "in the observation intake format (CSV)",
        ),
    ] = None,
) -> None:
    """Draft catalogue rows for a new plan: each number that reads like a target, with its clause,
    a confidence and the rule that proposed it; past results can go to an observations file."""
    from analysis import pipeline
    from analysis.catalogue import extraction
    from analysis.io import writers

    try:
        outputs = [(out, "--out"), (observations, "--observations"), (numbers, "--numbers")]
        for path, option in outputs:
            if path is not None:
                writers.check_output(path, option, [file])
        project = pipeline.Project.here()
        region = region_of(region, project) if region is not None else None
        with busy(f"reading {file}"):
            draft = pipeline.draft_catalogue(file, project, region=region, horizon=horizon)
        writers.write_csv(draft.targets, out)
        console.print(f"{len(draft.targets)} proposed target rows written to {out}", highlight=False)
        if observations is not None:
            writers.write_csv(draft.observations, observations, "--observations")
            console.print(
                f"{len(draft.observations)} past results written to {observations} (observation "
                f"intake format: fill in indicator, and year where empty, then check it with "
                f"`plantracker validate {observations}`)",
                highlight=False,
                soft_wrap=True,
            )
        if numbers is not None:
            found = pipeline.find_numbers(file, project)
            writers.write_csv(found[extraction.NUMBER_COLUMNS[:7]], numbers, "--numbers")
            console.print(f"{len(found)} numeric expressions written to {numbers}", highlight=False)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    console.print(f"summary: {draft.summary()}", highlight=False, soft_wrap=True)


DRAFTS = "drafts"  # where `template` writes by default: a folder of the project that git ignores


def template_path(root: Path, region: str, fmt: str, out: Path | None, force: bool) -> Path:
    """Where the fill-in sheet goes: `--out`, else drafts/observations_template_<region>.<fmt> in the
    project (git ignores drafts/: a sheet half filled in is never committed nor read as data by mistake;
    data/observations/ is read by every run, so it is where the sheet goes once filled in). Never over
    an existing file without --force, never over one of the project's input tables."""
    from analysis.core import paths
    from analysis.io import writers

    path = Path(out) if out is not None else root / DRAFTS / f"observations_template_{region}.{fmt}"
    if out is None:
        path.parent.mkdir(exist_ok=True)
    inputs = [paths.observations_file(root), paths.targets_file(root), paths.indicators_file(root)]
    writers.check_output(path, "--out", [p for p in inputs if p.exists()])
    if path.exists() and not force:
        shown = _shown(path, root)
        raise DataError(
            [
                Problem(
                    "--out",
                    None,
                    None,
                    f"'{shown}' already exists (it may hold figures you filled in)",
                    "add --force to replace it, or give another file with --out",
                )
            ]
        )
    return path


def _shown(path: Path, root: Path) -> str:
    """A path as the researcher reads it: from the project folder when it is inside it."""
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)


def template(
    region: Annotated[str, typer.Option("--region", "-r", help=REGION_HELP)],
    format_: Annotated[str, typer.Option("--format", "-f", help="xlsx or csv")] = "xlsx",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output file (default: drafts/observations_template_REGION.FORMAT in the project, "
            "a folder git ignores)",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists")] = False,
) -> None:
    """Write a fill-in template of observations for one region, known values pre-filled."""
    from analysis import pipeline

    try:
        project = pipeline.Project.here()
        region = region_of(region, project)
        fmt = choose(format_, ("xlsx", "csv"), "--format")
        path = template_path(project.root, region, fmt, out, force)
        written = pipeline.write_template(region, project, fmt, path)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    shown = _shown(written, project.root)
    folder = "data/observations"
    say(
        console,
        f"template written to {shown}: fill in value, source_url, source_kind and excerpt, save it in "
        f"{folder}/ (every file there is read with the data), then check it with "
        f"`plantracker validate {folder}/{written.name}`",
    )


def forecast(
    obs: Annotated[
        Path, typer.Argument(help="CSV with columns region, indicator, year, value [, qualifier]")
    ],
    to: Annotated[int, typer.Option("--to", help="Forecast every series up to this year")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the forecasts (CSV)")],
    targets_file: Annotated[
        Path | None, typer.Option("--targets", help="Targets CSV: also write P(met)")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run the fits on this Dask scheduler (e.g. tcp://10.0.0.5:8786)"),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(min=0, help="Local worker processes (0, the default: one per core for large batches)"),
    ] = 0,
) -> None:
    """Forecast every (region, indicator) series to a year, with calibrated 80 % intervals."""
    from analysis import pipeline

    try:
        if scheduler is not None and not SCHEDULER_ADDRESS.fullmatch(scheduler):
            raise DataError(
                [
                    Problem(
                        "--scheduler",
                        None,
                        None,
                        f"'{scheduler}' is not a scheduler address",
                        "give the address the Dask scheduler prints, e.g. tcp://10.0.0.5:8786",
                    )
                ]
            )
        with busy(f"forecasting the series of {obs} to {to}"):
            written, warnings = pipeline.forecast_batch(
                obs,
                to,
                out,
                targets_file,
                jobs=jobs or None,
                project=pipeline.Project.here(),
                scheduler=scheduler,
            )
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    print_problems(warnings)
    for path in written:
        console.print(f"written {path}")


def assess(
    targets_file: Annotated[
        Path,
        typer.Option(
            "--targets",
            help="Targets CSV: target_id, region, indicator, comparator, target_value, target_year, "
            "measure, base_year [, baseline_value]",
        ),
    ],
    observations_file: Annotated[
        Path,
        typer.Option(
            "--observations",
            help="Observations CSV: region, indicator, year, value [, qualifier, source_url, source_kind]",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the judgements (CSV)")],
    as_of: Annotated[
        int | None,
        typer.Option("--as-of", help="Judge as of this year (default: the latest year in the observations)"),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the reasons: en or zh")] = "en",
) -> None:
    """Judge every target of a targets file on a file of observations: status, measured value and year,
    pace ratio, provisional, and the reason in plain words."""
    from analysis import pipeline

    try:
        table, warnings = pipeline.assess_batch(
            targets_file, observations_file, out, as_of, language, project=pipeline.Project.here()
        )
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    print_problems(warnings)
    counts = table["status"].value_counts()
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    console.print(f"written {out}: {len(table)} targets ({summary})", highlight=False, soft_wrap=True)
