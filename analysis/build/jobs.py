"""Which notebooks the site executes: one job per notebook page of `_quarto.yml`, and where it is written.

A page `reports/<region>.ipynb` is `notebooks/region.ipynb` run with that region; any other
`reports/<name>.ipynb` is `notebooks/<name>.ipynb`; `zh/reports/...` is the same notebook in Chinese.
Page and region names become file names, so they are checked here, before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analysis.build import render
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.io.readers.catalogue import plan_regions
from analysis.site import permalinks

REGION_NOTEBOOK = "region.ipynb"
# A page or region name becomes a file name in reports/: nothing that could climb out of it.
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class NotebookJob:
    """One executed notebook of the site: where it comes from, where it goes, with which parameters."""

    name: str
    source: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    scope: str | None = None  # the plan region whose page this is (other plan regions' rows are not inputs)
    title: str = ""


def check_name(name: str, what: str, allowed: Iterable[str] | None = None) -> str:
    """Refuse a region or page name that is not a plain lower-case word from the known list."""
    allowed = list(allowed) if allowed is not None else None
    if not SAFE_NAME.match(name) or (allowed is not None and name not in allowed):
        choices = f"; choose one of {', '.join(allowed)}" if allowed else ""
        raise BuildError(f"{what} {name!r} is not allowed: a name is lower-case letters, digits, _{choices}")
    return name


def report_path(root: Path, name: str, language: str = "en") -> Path:
    """reports/<name>.ipynb (zh/reports/<name>.ipynb for Chinese), guaranteed to stay inside that folder."""
    reports = (root / permalinks.in_language("reports", language)).resolve()
    target = (reports / f"{check_name(name, 'page')}.ipynb").resolve()
    if target.parent != reports:
        raise BuildError(f"page {name!r} would be written outside {reports}")
    return target


def project_relative(root: Path, path: Path) -> str:
    """A path as `_quarto.yml`, the publish journal and the stale-report message name it: from the root."""
    return path.resolve().relative_to(root).as_posix()


def plan_jobs(
    root: Path, config: render.SiteConfig, regions: list[str] | None = None, min_grade: str | None = None
) -> list[NotebookJob]:
    """The notebooks of the site in page order; `regions` limits which region pages are executed;
    `min_grade` builds every page from sources of that grade or better."""
    graded = {"min_grade": min_grade} if min_grade else {}
    known = plan_regions(root)
    wanted = [check_name(r, "region", known) for r in regions] if regions else known
    titles = render.page_titles(config)
    jobs = []
    for page in config.pages:
        if PurePosixPath(page).suffix != ".ipynb":
            continue
        job = _page_job(root, page, known, graded, titles.get(page, ""))
        if job.scope is None or job.scope in wanted:
            jobs.append(job)
    return jobs


def _page_job(root: Path, page: str, known: list[str], graded: dict, title: str) -> NotebookJob:
    """The job of one notebook page: a region's page runs the region notebook, any other its own."""
    language = permalinks.language_of(page)  # zh/reports/x.ipynb: the same notebook in Chinese
    pure = PurePosixPath(permalinks.english_source(page))
    if pure.parent != PurePosixPath("reports"):
        raise BuildError(
            f"{render.CONFIG_FILE}: notebook page {page} must be reports/<name>.ipynb "
            "(or zh/reports/<name>.ipynb)"
        )
    name = check_name(pure.stem, "page")
    job_name = name if language == "en" else f"{name}_{language}"
    output = report_path(root, name, language)
    extra = {} if language == "en" else {"language": language}
    if name in known:
        source = paths.notebooks_dir(root) / REGION_NOTEBOOK
        return NotebookJob(job_name, source, output, {"region": name, **extra, **graded}, name, title)
    source = paths.notebooks_dir(root) / f"{name}.ipynb"
    if not source.exists():
        raise BuildError(f"{render.CONFIG_FILE}: page {page} has no notebook {source}")
    return NotebookJob(job_name, source, output, {**extra, **graded}, None, title)
