"""Pages the build writes from the data, as .qmd files that Quarto and the offline renderer both render:
one page per target in each language (analysis.site.target_pages), the gaps and changes pages, the home
page's summary (analysis.site.home), the edition record, and the chart and table downloads.

The figures come from the same calls the region notebooks make (`report.region_report`), so a target's
page and its region's page cannot disagree. Each page is markdown headings around raw HTML blocks
(```{=html}), which Quarto passes through untouched. The build runs this module in a process of its own:
`python -m analysis.site.pages ROOT FINGERPRINT [MIN_GRADE]`, which forks (`generate`): the overview's
files, and each language's pages, are made in processes of their own so that every core works while
Quarto waits; the files are the same bytes as one process writes (bench/pages.py compares both).
"""

from __future__ import annotations

import functools
import gc
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.labels import LANGUAGES
from analysis.io.readers import editions
from analysis.pipeline import Project
from analysis.site import citations, data_page, gaps, home, permalinks, report, target_pages
from analysis.site.edition import Edition, edition_of, edition_pages, notebook_default
from analysis.site.figures import import_altair

EDITION_FILE = f"{permalinks.GENERATED_DATA}/edition.json"


def overview_figures(ov) -> list:
    """The overview page's charts in its language."""
    from analysis.site import overview

    return [f for f in overview.status_mix_section(ov) if hasattr(f, "spec")] + overview.shared_figures(ov)


def table_files(ov) -> dict[str, str]:
    """downloads/<language>/<table id>.csv: every row of each table of the data page."""
    return {
        f"{permalinks.DOWNLOADS_FOLDER}/{ov.language}/{table.table_id}.csv": "\ufeff" + table.csv()
        for _, table in data_page.data_tables(ov)
    }


def chart_files(figures: list, language: str) -> dict[str, bytes | str]:
    """charts/<language>/<id>.svg, .png and .csv: the downloads offered under each chart."""
    folder = f"{permalinks.CHARTS_FOLDER}/{language}"
    files: dict[str, bytes | str] = {}
    for figure in figures:
        files[f"{folder}/{figure.chart_id}.svg"] = figure.svg
        files[f"{folder}/{figure.chart_id}.png"] = figure.png()
        files[f"{folder}/{figure.chart_id}.csv"] = "\ufeff" + figure.data_csv
    return files


@dataclass(frozen=True)
class Inputs:
    """What every language's pages are made from, computed once: the regions assessed and forecast in
    English (the figures; each language words them anew), the edition, the last published edition."""

    root: Path
    english: dict
    edition: Edition
    published: object


def inputs(root: Path, min_grade: str | None = None, project: Project | None = None) -> Inputs:
    """The region reports, edition and last published edition the pages of both languages share."""
    as_of = int(notebook_default("as_of", root))
    project = project or Project(root)
    regions = project.regions
    english = {r: report.region_report(r, as_of, "en", project=project, min_grade=min_grade) for r in regions}
    resolved = pd.concat([rr.resolved for rr in english.values()]).drop_duplicates(
        subset=["region", "indicator", "year", "source_file", "source_row"]
    )
    published = editions.last_published(root)
    edition = edition_of(root, as_of, resolved, regions, published)
    return Inputs(root, english, edition, published)


def overview_pages(project: Project, min_grade: str | None = None) -> dict[str, str | bytes]:
    """The overview's chart files and the data page's table downloads, in every language: made from
    every region's statuses (overview.gather), so they need none of the region reports."""
    from analysis.site import overview

    as_of = int(notebook_default("as_of", project.root))
    pages: dict[str, str | bytes] = {}
    for language in LANGUAGES:
        ov = overview.gather(as_of, language, project=project, min_grade=min_grade)
        pages |= chart_files(overview_figures(ov), language)
        pages |= table_files(ov)
    return pages


def language_pages(shared: Inputs, language: str) -> dict[str, str | bytes]:
    """The generated files of one language made from the region reports: its target pages, citation
    records, gaps page, home summary and the region charts' files (the languages share no file, so each
    can be written apart)."""
    regions = list(shared.english)  # the project's regions, in its order
    reports = {r: report.localised(rr, language) for r, rr in shared.english.items()}
    figures = {r: target_pages.region_figures(reports[r]) for r in regions}
    pages: dict[str, str | bytes] = {}
    for region in regions:
        pages |= target_pages.region_target_pages(
            {language: reports[region]}, {language: figures[region]}, shared.edition
        )
    for region in regions:
        pages |= citations.region_records(reports[region], shared.edition)
    pages[permalinks.in_language("gaps.qmd", language)] = gaps.gaps_page(reports, shared.root, language)
    pages[f"{permalinks.GENERATED_DATA}/home.{language}.md"] = home.home_summary(
        reports, shared.edition, language
    )
    return pages | chart_files([f for region in regions for f in figures[region].values()], language)


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it); 1 where processes
    cannot be forked (the workers read what this process computed without copying it)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores))


def generate(root: Path, min_grade: str | None = None, workers: int = 1) -> dict[str, str | bytes]:
    """Every generated page: source path → text (with `min_grade`, from sources that good or better).

    With `workers` > 1 the pages are written in forked processes: the overview's files in one, started
    first (they need no region report), while this process assesses and forecasts the regions; then
    each language's pages in one of its own. Three processes share the cores, so both stay busy to the
    end. workers=1 (the default) makes the same calls one after the other in this process: a process may
    fork only before vl-convert has drawn a chart (its runtime's threads do not survive a fork, the
    children hang), which only the page writer's own process (`main`) can promise; a caller in a process
    that has drawn charts (a notebook, a test) must not ask for more.
    """
    project = Project(root)
    if workers <= 1:
        shared = inputs(root, min_grade, project)
        parts = [overview_pages(project, min_grade), *(language_pages(shared, lang) for lang in LANGUAGES)]
    else:
        import vl_convert  # noqa: F401 - imported before the forks, once (an import starts no thread)

        import_altair()
        with Forked() as forked:
            forked.start(functools.partial(overview_pages, project), min_grade)
            shared = inputs(root, min_grade, project)
            for language in LANGUAGES:
                forked.start(functools.partial(language_pages, shared), language)
            parts = forked.results()
    pages: dict[str, str | bytes] = {}
    for part in parts:
        pages |= part
    pages |= edition_pages({"en": shared.english}, shared.edition, shared.published)
    pages[EDITION_FILE] = json.dumps(shared.edition.__dict__, ensure_ascii=False, indent=1) + "\n"
    return pages


class WorkerFailed(Exception):
    """A page writer process failed; its message is the one line the build shows (the traceback is
    already in the log, printed by the process)."""


class Forked:
    """Tasks each run in a forked process of its own, their results collected in the order started.

    Forked, so a task reads what this process computed without copying it; a process that fails or
    dies fails the whole run (leaving the block stops the others) and nothing it returned is used. Fork
    before anything starts threads (vl-convert starts its runtime on the first chart drawn: draw only
    in tasks, never in this process).
    """

    def __init__(self) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("fork")
        self.running: list = []

    def start(self, task, item) -> None:
        receive, send = self.context.Pipe(duplex=False)
        args = (task, item, send, os.getpid())
        process = self.context.Process(target=_run_task, args=args, daemon=True)
        gc.freeze()  # the child's garbage collector leaves what it inherits alone: no copied pages
        try:
            process.start()
        finally:
            gc.unfreeze()
        send.close()
        self.running.append((process, receive))

    def results(self) -> list:
        return [_task_result(process, receive) for process, receive in self.running]

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc) -> None:
        for process, receive in self.running:
            if process.is_alive():
                process.kill()
            process.join()
            receive.close()


def in_processes(task, items) -> list:
    """[task(item) for item in items], each item in a forked process of its own (see Forked)."""
    with Forked() as forked:
        for item in items:
            forked.start(task, item)
        return forked.results()


def _run_task(task, item, send, parent: int) -> None:
    """In the forked process: send ("ok", result), or ("failed", one line) after printing the traceback."""
    import traceback

    die_with(parent)
    try:
        result = ("ok", task(item))
    except BaseException as exc:  # noqa: BLE001 - any failure is reported to the parent, never lost
        traceback.print_exc()
        result = ("failed", f"{type(exc).__name__}: {exc}")
    send.send(result)
    send.close()


def die_with(parent: int) -> None:
    """Have Linux kill this process when its parent dies: the build kills the page writer it started
    when it fails or is interrupted, and the writer's own processes must not outlive it."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the processes end when their task does
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _task_result(process, receive):
    try:
        kind, value = receive.recv()
    except EOFError:
        process.join()
        raise WorkerFailed(
            f"a page writer process ended without its pages (exit code {process.exitcode})"
        ) from None
    if kind != "ok":
        raise WorkerFailed(value)
    return value


def write_pages(root: Path, fingerprint: str, min_grade: str | None = None, workers: int = 1) -> bool:
    """Write the generated pages unless they were written from the same inputs; True when rewritten
    (`workers`: see `generate`).

    Files of the generated folders that no page claims any more (a target removed) are deleted.
    """
    stamp = root / permalinks.GENERATED_STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        return False
    pages = generate(root, min_grade, workers)
    for folder in [*permalinks.GENERATED_FOLDERS, permalinks.CHARTS_FOLDER, permalinks.DOWNLOADS_FOLDER]:
        for old in (root / folder).rglob("*"):
            if old.is_file() and old.relative_to(root).as_posix() not in pages:
                old.unlink()
    for source, content in pages.items():
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis.site.pages ROOT FINGERPRINT [MIN_GRADE]`: what the build runs beside the
    notebooks."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        # this process has drawn no chart yet: it may fork, one process per core it may use
        write_pages(Path(args[0]), args[1], args[2] if len(args) > 2 else None, usable_cores())
    except Exception as exc:  # one line for the build to show; the traceback stays in its log
        import traceback

        traceback.print_exc()
        print(str(exc) if isinstance(exc, WorkerFailed) else f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
