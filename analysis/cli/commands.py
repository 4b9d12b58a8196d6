"""`plantracker`: the command line a researcher uses. Thin: parsing arguments and printing;
all logic lives in the stage modules. Heavy imports happen inside each command so that `--help`
and quick commands stay fast.

Here: the app and the guard every command runs behind, the commands that look at the project's own data
(validate, targets, observations, status), build and publish, and `COMMANDS`, every command in the order
the help lists them. The batch commands (extract, template, forecast, assess) are in analysis.cli.batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from analysis.cli import batch
from analysis.cli.output import (
    OUTPUT_FORMATS,
    FormatOption,
    IndicatorOption,
    RegionOption,
    busy,
    choose,
    console,
    err_console,
    fail_on,
    indicator_of,
    log_unexpected,
    print_problems,
    region_of,
    write_table,
)
from analysis.cli.words import count
from analysis.core.errors import DataError, PlanTrackerError, errors_in


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
        err_console.print(f"[red]{count(len(errors), 'error')}[/red], {count(warnings, 'warning')}")
        raise typer.Exit(code=1)
    console.print(f"valid: no errors, {count(warnings, 'warning')}")


def targets(
    region: RegionOption = None,
    indicator: IndicatorOption = None,
    rows: Annotated[bool, typer.Option("--rows", help="Also list every target row")] = False,
    format_: FormatOption = "table",
) -> None:
    """Summarise the targets catalogue: counts by region, year, theme and kind (csv/json: every row)."""
    from analysis import pipeline
    from analysis.cli import terminal

    try:
        fmt = choose(format_, OUTPUT_FORMATS, "--format")
        project = pipeline.Project.here()
        region = region_of(region, project) if region is not None else None
        catalogue = project.targets
        if indicator is not None:
            catalogue = catalogue[catalogue["indicator"] == indicator_of(indicator, project.indicators)]
        if fmt != "table":
            write_table(catalogue if region is None else catalogue[catalogue["region"] == region], fmt)
            return
        terminal.print_targets(console, catalogue, project.indicators, region, rows)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc


def observations_cmd(
    region: RegionOption = None,
    indicator: IndicatorOption = None,
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
            known = list(pipeline.observation_context(project).regions)
            frame = frame[frame["region"] == region_of(region, project, known)]
        if indicator is not None:
            frame = frame[frame["indicator"] == indicator_of(indicator, project.indicators)]
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
        regions = [region_of(r, project) for r in region] if region else None
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
            f"[red]{count(len(errors), 'error')}[/red], {count(len(exc.problems) - len(errors), 'warning')} "
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


def status(
    region: RegionOption = None,
    indicator: IndicatorOption = None,
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
        regions = [region_of(region, project)] if region is not None else project.regions
        wanted = indicator_of(indicator, project.indicators) if indicator is not None else None
        with busy("assessing and forecasting the targets"):
            frame = terminal.status_frame(regions, project, as_of)
        if wanted is not None:
            frame = frame[frame["indicator"] == wanted]
        if fmt == "table":
            terminal.print_status(console, frame)
        else:
            write_table(frame, fmt)
    except PlanTrackerError as exc:
        raise fail_on(exc) from exc


# The commands in the order `plantracker --help` lists them: (name, function; its docstring is the help).
COMMANDS = [
    ("extract", batch.extract),
    ("validate", validate),
    ("targets", targets),
    ("template", batch.template),
    ("observations", observations_cmd),
    ("forecast", batch.forecast),
    ("assess", batch.assess),
    ("build", build),
    ("publish", publish),
    ("status", status),
]
for name, command in COMMANDS:
    app.command(name)(command)
