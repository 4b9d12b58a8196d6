"""`plantracker`: the command line a researcher uses. Thin: parsing arguments and printing;
all logic lives in the stage modules. Heavy imports happen inside each command so that `--help`
and quick commands stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from analysis.cli.output import (
    OUTPUT_FORMATS,
    REGION_HELP,
    SCHEDULER_ADDRESS,
    FormatOption,
    RegionOption,
    busy,
    choose,
    console,
    err_console,
    fail_on,
    log_unexpected,
    print_problems,
    write_table,
)
from analysis.core.errors import DataError, PlanTrackerError, Problem, errors_in


class GuardedGroup(TyperGroup):
    """Every command behind one guard: a data problem prints its file, row, column and fix; anything
    unforeseen prints one line and where its details were logged, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):  # the command line's own: usage errors, exits
            raise
        except PlanTrackerError as exc:
            raise fail_on(exc) from exc
        except KeyboardInterrupt as exc:
            err_console.print(
                "[red]interrupted[/red]: nothing was half-written (outputs are replaced only when complete)",
                highlight=False,
            )
            raise typer.Exit(code=130) from exc
        except BrokenPipeError as exc:
            raise typer.Exit(code=1) from exc
        except Exception as exc:  # the one place an unforeseen error is turned into a message
            where = log_unexpected(exc)
            logged = f"; details in {where}" if where else ""
            err_console.print(
                f"[red]error[/red] unexpected {type(exc).__name__}: {exc}{logged} — please "
                "report it with that file",
                highlight=False,
                soft_wrap=True,
                markup=True,
            )
            raise typer.Exit(code=2) from exc


app = typer.Typer(
    name="plantracker",
    help="Track the quantitative targets of the Guizhou, Guiyang & Gui'an and Bazhong health plans.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: no type markers such as <bool> beside the flags
    cls=GuardedGroup,
)


@app.command()
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
        region = pipeline.check_region(region, project) if region is not None else None
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


@app.command()
def validate(
    paths_: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Observation files (CSV or XLSX) to check; default: the shipped data"
        ),
    ] = None,
) -> None:
    """Check the catalogue and the observations; every problem names file, row, column and the fix."""
    from analysis import pipeline

    problems = pipeline.validate(pipeline.Project.here(), paths_ or None)
    print_problems(problems)
    errors = errors_in(problems)
    warnings = len(problems) - len(errors)
    if errors:
        err_console.print(f"[red]{len(errors)} error(s)[/red], {warnings} warning(s)")
        raise typer.Exit(code=1)
    console.print(f"valid: no errors, {warnings} warning(s)")


@app.command()
def targets(
    region: RegionOption = None,
    rows: Annotated[bool, typer.Option("--rows", help="Also list every target row")] = False,
    format_: FormatOption = "table",
) -> None:
    """Summarise the targets catalogue: counts by region, year, theme and kind (csv/json: every row)."""
    from analysis import pipeline
    from analysis.cli import terminal

    try:
        fmt = choose(format_, OUTPUT_FORMATS, "--format")
        project = pipeline.Project.here()
        region = pipeline.check_region(region, project) if region is not None else None
        catalogue = project.targets
        if fmt != "table":
            write_table(catalogue if region is None else catalogue[catalogue["region"] == region], fmt)
            return
        terminal.print_targets(console, catalogue, project.indicators, region, rows)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc


@app.command()
def template(
    region: Annotated[str, typer.Option("--region", "-r", help=REGION_HELP)],
    format_: Annotated[str, typer.Option("--format", "-f", help="xlsx or csv")] = "xlsx",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file")] = None,
) -> None:
    """Write a fill-in template of observations for one region, known values pre-filled."""
    from analysis import pipeline

    try:
        written = pipeline.write_template(
            region, pipeline.Project.here(), choose(format_, ("xlsx", "csv"), "--format"), out
        )
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    console.print(
        f"template written to {written}: fill in value, source_url, source_kind and excerpt, put "
        f"it in data/observations/, check it with `plantracker validate data/observations/"
        f"{written.name}`",
        highlight=False,
        soft_wrap=True,
    )


@app.command("observations")
def observations_cmd(
    region: RegionOption = None,
    conflicts: Annotated[
        bool, typer.Option("--conflicts", help="List conflicting figures with both sources")
    ] = False,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Extra observation files (CSV/XLSX)")
    ] = None,
    format_: FormatOption = "table",
) -> None:
    """What data there is per indicator and year, and where sources disagree (csv/json: every row read,
    with the conflict rule's choice)."""
    from analysis import pipeline
    from analysis.cli import terminal
    from analysis.observations import conflicts as rule

    try:
        fmt = choose(format_, OUTPUT_FORMATS, "--format")
        project = pipeline.Project.here()
        frame = pipeline.load_observations(project, data or None)
        if region is not None:
            known = pipeline.observation_context(project).regions
            found = pipeline.match_region(region, known)
            if found is None:
                raise DataError(
                    [
                        Problem(
                            "--region",
                            None,
                            None,
                            f"unknown region '{region}'",
                            f"use one of: {', '.join(known)}",
                        )
                    ]
                )
            frame = frame[frame["region"] == found]
        if fmt != "table":
            write_table(frame, fmt)
            return
        terminal.print_observations(
            console,
            frame,
            rule.resolve(frame),
            rule.conflicts(frame) if conflicts else frame.iloc[0:0],
            conflicts,
        )
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc


@app.command()
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


@app.command()
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


@app.command()
def build(
    renderer: Annotated[str, typer.Option(help="quarto, offline or auto")] = "auto",
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Only these regions' pages (and the pages of every region)",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-execute notebooks even if their inputs are unchanged")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            metavar="N", min=0, help="Notebooks executed at once (0, the default: the number of cores)"
        ),
    ] = 0,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Execute nothing: fail, naming each one, if reports/*.ipynb were not built from the "
            "current data and notebooks (what `make test` runs before nbval)",
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="When another build of the project is running: wait for it, or refuse",
        ),
    ] = True,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also print one PDF per region and language into reports/pdf/ (needs Chromium)",
        ),
    ] = False,
    min_grade: Annotated[
        str | None,
        typer.Option(
            "--min-grade",
            help="Use only figures from sources of this grade or better: official, "
            "official_media, repost (default: every figure, weaker ones marked provisional)",
        ),
    ] = None,
) -> None:
    """Execute the region notebooks and render the static site into reports/_site/."""
    from analysis import pipeline
    from analysis.build import freshness
    from analysis.build import orchestrate as building

    try:
        project = pipeline.Project.here()
        regions = [pipeline.check_region(r, project) for r in region] if region else None
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    try:
        if check:
            stale = freshness.stale_reports()
            if stale:
                err_console.print(
                    freshness.stale_message(stale), highlight=False, soft_wrap=True, markup=False
                )
                raise typer.Exit(code=1)
            console.print("reports/*.ipynb were built from the current data and notebooks")
            return
        building.build_site(
            renderer=renderer.strip().lower(),
            regions=regions,
            force=force,
            jobs=jobs or None,
            console=console,
            wait=wait,
            min_grade=min_grade,
        )
        if pdf:
            from analysis.build import pdf as printing

            for path in printing.write_pdfs(project.root, regions or project.regions):
                console.print(f"written {path}", highlight=False)
    except DataError as exc:
        print_problems(exc.problems)
        errors = errors_in(exc.problems)
        err_console.print(
            f"[red]{len(errors)} error(s)[/red], {len(exc.problems) - len(errors)} warning(s) "
            f"in the input data: nothing was executed, the site and reports are as they were; "
            f"fix them (`plantracker validate` checks again) and build again",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from exc
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    except KeyboardInterrupt:
        err_console.print("build stopped; the site and reports/*.ipynb were not changed", highlight=False)
        raise typer.Exit(code=130) from None


@app.command()
def publish(
    date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="The edition's date (default: today)")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Freeze today's figures over an edition already published on that date"
        ),
    ] = False,
) -> None:
    """Freeze the published edition (every target's status, the data vintage, date and commit) into
    reports/editions/<date>/: the changes page compares with the last one. Commit it with the data."""
    from analysis.build import editions
    from analysis.core.paths import project_root

    try:
        with busy("assessing the targets"):
            done = editions.publish(project_root(), date, replace)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
    console.print(
        f"edition {done.date} published: {done.targets} targets in "
        f"{done.folder.relative_to(project_root())}/",
        highlight=False,
    )
    if done.same_as:
        console.print(
            f"(the statuses and figures are the same as in the edition of {done.same_as})", highlight=False
        )
    folder = done.folder.relative_to(project_root())
    console.print(f"commit it: git add {folder} && git commit", highlight=False)


@app.command()
def status(
    region: RegionOption = None,
    as_of: Annotated[
        int | None,
        typer.Option(
            "--as-of",
            metavar="YEAR",
            help="Judge on the figures up to this year (default: the reports' year)",
        ),
    ] = None,
    format_: FormatOption = "table",
) -> None:
    """Where each target stands: status, latest figure, deadline, P(met) and the reason."""
    from analysis import pipeline
    from analysis.cli import terminal

    try:
        fmt = choose(format_, OUTPUT_FORMATS, "--format")
        project = pipeline.Project.here()
        regions = [pipeline.check_region(region, project)] if region is not None else project.regions
        with busy("assessing and forecasting the targets"):
            frame = terminal.status_frame(regions, project, as_of)
        if fmt == "table":
            terminal.print_status(console, frame)
        else:
            write_table(frame, fmt)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc
