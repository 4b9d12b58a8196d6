"""What every command shares: the two consoles (results to stdout, problems to stderr), how a problem is
printed, where an unforeseen error is logged, the options several commands take, and writing a table as
CSV or JSON. The commands are in analysis.cli.commands and analysis.cli.batch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analysis.core.errors import DataError, PlanTrackerError, Problem

console = Console()
err_console = Console(stderr=True)


def print_problems(problems: list[Problem]) -> None:
    """Print problems one per line, errors first; the location leads so a reader can jump to it."""
    for p in sorted(problems, key=lambda p: (p.severity != "error", p.file, p.row or 0)):
        style = "red" if p.severity == "error" else "yellow"
        err_console.print(
            f"[{style}]{p.severity}[/{style}] {p.location}: {p.message} — {p.fix}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )


def fail_on(exc: PlanTrackerError) -> typer.Exit:
    if isinstance(exc, DataError):
        print_problems(exc.problems)
    else:
        err_console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ucx|inproc|ws|wss)://)?[\w.\-\[\]:]+:\d{1,5}")
REGION_HELP = "A region of data/policies/registry.csv, in any case or in Chinese (guizhou, Guiyang, 巴中)"
RegionOption = Annotated[str | None, typer.Option("--region", "-r", help=REGION_HELP)]
IndicatorOption = Annotated[
    str | None,
    typer.Option(
        "--indicator", "-i", help="Only this indicator: an indicator_id of data/indicators.csv, or its name"
    ),
]
OUTPUT_FORMATS = ("table", "csv", "json")
FormatOption = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="table (for reading), csv or json (every column, to stdout)"
    ),
]


def choose(value: str, allowed: tuple[str, ...], option: str) -> str:
    """A word from a fixed vocabulary, whatever its case; otherwise an error naming the choices."""
    from analysis.cli.words import did_you_mean

    wanted = value.strip().casefold()
    if wanted not in allowed:
        hint = did_you_mean(value, allowed)
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"'{value}' is not one of {', '.join(allowed)}" + (f": {hint}" if hint else ""),
                    f"use {option} {' or '.join(allowed)}",
                )
            ]
        )
    return wanted


def write_table(frame, fmt: str) -> None:
    """A table to stdout as CSV or JSON records (missing values empty or null)."""
    import sys

    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")


def busy(message: str):
    """Say what is running when it is slow, on a terminal only (logs and pipes stay clean): one plain
    line, not a spinner, whose redrawn frames would leave a terminal's transcript one very long line of
    carriage returns and escape codes, unlike what a pipe gets."""
    from contextlib import nullcontext

    if err_console.is_terminal:
        err_console.out(message, highlight=False)
    return nullcontext()


def log_unexpected(exc: BaseException) -> Path | None:
    """Write the traceback of an error we did not foresee to a log file; where it went, if anywhere."""
    import tempfile
    import time
    import traceback

    from analysis.core import paths

    text = "".join(traceback.format_exception(exc))
    name = f"error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for folder in (paths.cache_dir() / "logs", Path(tempfile.gettempdir()) / "plantracker-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
            return folder / name
        except OSError:
            continue
    return None


def _unknown(option: str, kind: str, name: str, hint: str, fix: str) -> DataError:
    message = f"unknown {kind} '{name}'" + (f": {hint}" if hint else "")
    return DataError([Problem(option, None, None, message, fix)])


def region_of(name: str, project, known: list[str] | None = None, option: str = "--region") -> str:
    """The region a researcher means (any case, either language, see pipeline.match_region), or an
    error that suggests the closest names and lists every region."""
    from analysis import pipeline
    from analysis.cli.words import close_to, suggestion

    known = list(project.regions if known is None else known)
    found = pipeline.match_region(name, known)
    if found is not None:
        return found
    names = {n: region for region in known for n in pipeline.region_names(region)}
    close = list(dict.fromkeys(names[n] for n in close_to(name, names)))
    choices = ", ".join(f"{r} ({' / '.join(pipeline.region_names(r)[1:])})" for r in known)
    raise _unknown(option, "region", name, suggestion(close), f"use one of: {choices}")


def indicator_of(name: str, indicators, option: str = "--indicator") -> str:
    """The indicator_id a researcher means: its id, or its English or Chinese name in data/indicators.csv
    (any case), or an error that suggests the closest ids."""
    from analysis.cli.words import close_to, suggestion

    wanted = name.strip().casefold()
    for row in indicators.itertuples():
        if wanted in {str(getattr(row, c, "")).casefold() for c in ("indicator_id", "name_en", "name_zh")}:
            return row.indicator_id
    ids = [str(i) for i in indicators["indicator_id"]]
    names = {str(n): i for n, i in zip(indicators["name_en"], ids, strict=True)}
    close = close_to(name, ids) or list(dict.fromkeys(names[n] for n in close_to(name, names)))
    fix = "use an indicator_id of data/indicators.csv"
    raise _unknown(option, "indicator", name, suggestion(close), fix)
