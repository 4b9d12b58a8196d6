"""`plantracker build`: execute the report notebooks with papermill and render the static site.

One page per entry of `_quarto.yml`'s `project.render` (`jobs`). A notebook is re-executed only when
its inputs changed (the notebook, the data it reads, the analysis code, the versions of the libraries
that compute the figures: `fingerprint`); the fingerprint of those inputs is stored in the executed
notebook, so a fresh clone with the committed reports does not re-run anything (`freshness`). The
notebooks run in parallel (`execute`) while the generated pages are written (`generated`); the site is
then rendered in a scratch folder (`scratch`) and swapped in only when every page rendered (`publish`),
so a failed build leaves the last good site in place. One build at a time (`lock`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.build import lockcheck, render
from analysis.build.execute import kernel_root, run_jobs
from analysis.build.fingerprint import fingerprint_of, notebook_inputs
from analysis.build.freshness import is_current, keep_unchanged, site_is_current
from analysis.build.generated import finish_generated_pages, start_generated_pages, stop_generated_pages
from analysis.build.jobs import NotebookJob, plan_jobs
from analysis.build.lock import BuildLock
from analysis.build.progress import say
from analysis.build.publish import publish, recover, render_staged, stage_site
from analysis.build.scratch import Scratch, scratch_folder, terminate_as_interrupt
from analysis.core import paths
from analysis.core.errors import BuildError, DataError, Problem, errors_in
from analysis.core.vocabulary import GRADES
from analysis.io.readers.catalogue import plan_regions


@dataclass
class BuildReport:
    """What one build did: the pages executed, kept as they were, skipped; whether the site was written."""

    executed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # executed, same figures: the file was left as it was
    skipped: list[str] = field(default_factory=list)
    renderer: str = ""
    rendered: bool = False
    site: Path | None = None
    seconds: float = 0.0


def input_problems(root: Path) -> list[Problem]:
    """Every problem of the build's inputs, found by the checks `plantracker validate` runs."""
    from analysis import pipeline

    return pipeline.validate(pipeline.Project(root))


def check_inputs(root: Path, console) -> None:
    """Refuse to build on any error, before anything is executed (each problem listed once); show the
    warnings once, here, rather than in every notebook."""
    problems = input_problems(root)
    if errors_in(problems):
        raise DataError(problems)
    for p in problems:
        say(console, f"warning {p.location}: {p.message} — {p.fix}")


def build_site(
    renderer: str = "auto",
    regions: list[str] | None = None,
    force: bool = False,
    jobs: int | None = None,
    console=None,
    root: Path | None = None,
    wait: bool = True,
    min_grade: str | None = None,
) -> BuildReport:
    """Execute the notebooks whose inputs changed, render the site, and publish both together; with
    `min_grade`, every page from sources of that grade or better."""
    started = time.perf_counter()
    root = (root or paths.project_root()).resolve()
    config = render.load_site_config(root)
    renderer = render.choose_renderer(renderer)
    known = plan_regions(root)
    if min_grade is not None and min_grade not in GRADES:
        raise BuildError(f"--min-grade {min_grade!r} is not a grade: use one of {', '.join(GRADES)}")
    planned = plan_jobs(root, config, regions, min_grade)
    lockcheck.require_locked()
    check_inputs(root, console)
    paths.reports_dir(root).mkdir(parents=True, exist_ok=True)
    report = BuildReport(renderer=renderer, site=paths.site_dir(root))
    with BuildLock(root, console, wait), terminate_as_interrupt():
        recover(root)
        with scratch_folder(root) as scratch:
            pending = changed_jobs(planned, root, known, force, report)
            # the generated pages are written in a process of their own while the notebooks run, before
            # the site is staged
            generating = start_generated_pages(root, config, force, console, min_grade)
            try:
                executed = execute_changed(pending, root, scratch, jobs, console, report)
            except BaseException:
                stop_generated_pages(generating)
                raise
            config = finish_generated_pages(root, generating, config)
            if force or pending or not site_is_current(root, config, renderer):
                stage_site(root, scratch, executed)
                publish(root, scratch, executed, render_staged(root, scratch, renderer, console))
                report.rendered = True
    report.seconds = time.perf_counter() - started
    state = "written" if report.rendered else "unchanged"
    say(
        console,
        f"site {state}: {report.site / 'index.html'} ({len(report.executed)} executed, "
        f"{len(report.skipped)} unchanged, {report.seconds:.1f} s)",
    )
    return report


def changed_jobs(
    planned: list[NotebookJob], root: Path, known: list[str], force: bool, report: BuildReport
) -> list[tuple[NotebookJob, dict]]:
    """The jobs to execute, with their inputs (all of them when forced); the others are noted as
    skipped in `report`."""
    pending = []
    for job in planned:
        inputs = notebook_inputs(job, root, known)
        if not force and is_current(job, fingerprint_of(inputs), root):
            report.skipped.append(job.name)
        else:
            pending.append((job, inputs))
    return pending


def execute_changed(
    pending: list[tuple[NotebookJob, dict]],
    root: Path,
    scratch: Scratch,
    jobs: int | None,
    console,
    report: BuildReport,
) -> dict[str, Path]:
    """Execute the changed notebooks into the scratch folder; returns those to publish, by page (the
    ones whose figures came out as committed are left as they were). Any failure publishes nothing."""
    if not pending:
        return {}
    unchanged = f" (unchanged: {', '.join(report.skipped)})" if report.skipped else ""
    say(console, f"executing {', '.join(j.name for j, _ in pending)}" + unchanged)
    with kernel_root(root):
        executed, failures = run_jobs(pending, root, scratch, jobs or os.cpu_count() or 1, console)
    if failures:
        raise BuildError(
            "notebooks failed; the site and reports/*.ipynb were not changed:\n" + "\n".join(failures)
        )
    report.executed = [j.name for j, _ in pending]
    report.kept = keep_unchanged(root, pending, executed)
    return executed
