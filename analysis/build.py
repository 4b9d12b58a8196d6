"""`plantracker build`: execute the report notebooks with papermill and render the static site.

One page per entry of `_quarto.yml`'s `project.render`. A page `reports/<region>.ipynb` is
`notebooks/region.ipynb` run with that region; any other `reports/<name>.ipynb` is
`notebooks/<name>.ipynb`. A notebook is re-executed only when its inputs changed (the notebook, the
data it reads, the analysis code, the versions of the libraries that compute the figures); the
fingerprint of those inputs is stored in the executed notebook, so a fresh clone with the committed
reports does not re-run anything. The site is written into a temporary folder beside `reports/_site`
and swapped in only when every page rendered, so a failed build leaves the last good site in place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from analysis import paths, permalinks, render
from analysis.errors import BuildError

REGION_NOTEBOOK = "region.ipynb"
# A page or region name becomes a file name in reports/: nothing that could climb out of it.
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Code that shapes the site but not the figures in a notebook: changing it re-renders, never re-executes.
SITE_ONLY_CODE = {"build.py", "render.py", "cli.py", "__main__.py", "page.html", "site.css"}
# Libraries whose version can change a figure; a new version re-executes the notebooks.
FIGURE_LIBRARIES = ("pandas", "numpy", "statsmodels", "altair", "vl-convert-python")
SITE_STAMP = ".plantracker-site"


@dataclass(frozen=True)
class NotebookJob:
    """One executed notebook of the site: where it comes from, where it goes, with which parameters."""

    name: str
    source: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    scope: str | None = None  # the plan region whose page this is (other plan regions' rows are not inputs)
    title: str = ""


@dataclass
class BuildReport:
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    renderer: str = ""
    rendered: bool = False
    site: Path | None = None
    seconds: float = 0.0


# ---------------------------------------------------------------- which notebooks


def plan_regions(root: Path) -> list[str]:
    """The regions that have a plan, from the policy registry (its one reader)."""
    from analysis.readers.catalogue import plan_regions as registered

    return registered(root)


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


def plan_jobs(root: Path, config: render.SiteConfig, regions: list[str] | None = None) -> list[NotebookJob]:
    """The notebooks of the site in page order; `regions` limits which region pages are executed."""
    known = plan_regions(root)
    wanted = [check_name(r, "region", known) for r in regions] if regions else known
    titles = render.page_titles(config)
    jobs = []
    for page in config.pages:
        if PurePosixPath(page).suffix != ".ipynb":
            continue
        language = permalinks.language_of(page)  # zh/reports/x.ipynb: the same notebook in Chinese
        pure = PurePosixPath(permalinks.english_source(page))
        if pure.parent != PurePosixPath("reports"):
            raise BuildError(f"{render.CONFIG_FILE}: notebook page {page} must be reports/<name>.ipynb "
                             "(or zh/reports/<name>.ipynb)")
        name = check_name(pure.stem, "page")
        job_name = name if language == "en" else f"{name}_{language}"
        output = report_path(root, name, language)
        extra = {} if language == "en" else {"language": language}
        if name in known:
            if name in wanted:
                source = paths.notebooks_dir(root) / REGION_NOTEBOOK
                jobs.append(NotebookJob(job_name, source, output, {"region": name, **extra}, name,
                                        titles.get(page, "")))
            continue
        source = paths.notebooks_dir(root) / f"{name}.ipynb"
        if not source.exists():
            raise BuildError(f"{render.CONFIG_FILE}: page {page} has no notebook {source}")
        jobs.append(NotebookJob(job_name, source, output, extra, None, titles.get(page, "")))
    return jobs


# ---------------------------------------------------------------- what a notebook depends on


def library_files() -> list[Path]:
    """The analysis code and its data files that a notebook's figures depend on."""
    package = Path(__file__).parent
    return sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.name not in SITE_ONLY_CODE and p.suffix != ".pyc")


def data_files(root: Path) -> list[Path]:
    """Every input file under data/ (the README files describe, they do not feed figures)."""
    return sorted(p for p in paths.data_dir(root).rglob("*") if p.is_file() and p.suffix.lower() != ".md")


def scoped_bytes(path: Path, exclude_regions: set[str]) -> bytes:
    """A data file as one region's page sees it: rows of the other plan regions left out.

    Only tables with a `region` column are narrowed; anything else counts whole.
    """
    raw = path.read_bytes()
    if path.suffix.lower() != ".csv" or not exclude_regions:
        return raw
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        return raw
    if not rows or "region" not in [h.strip() for h in rows[0]]:
        return raw
    column = [h.strip() for h in rows[0]].index("region")
    kept = [rows[0]] + [r for r in rows[1:] if not (len(r) > column and r[column].strip() in exclude_regions)]
    return json.dumps(kept, ensure_ascii=False).encode("utf-8")


def environment_versions() -> dict[str, str]:
    versions = {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    for name in FIGURE_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def input_fingerprint(job: NotebookJob, root: Path, regions: list[str]) -> str:
    """A hash of everything that can change the figures of one notebook."""
    digest = hashlib.sha256()
    header = {"parameters": job.parameters, "versions": environment_versions(), "title": job.title}
    digest.update(json.dumps(header, sort_keys=True).encode())
    digest.update(job.source.read_bytes())
    package = Path(__file__).parent
    for path in library_files():
        name = path.relative_to(package).as_posix() if path.is_relative_to(package) else path.name
        digest.update(name.encode())
        digest.update(path.read_bytes())
    others = set(regions) - {job.scope} if job.scope else set()
    for path in data_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(scoped_bytes(path, others))
    return digest.hexdigest()


def stored_fingerprint(output: Path) -> str | None:
    if not output.exists():
        return None
    try:
        notebook = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (notebook.get("metadata", {}).get("plantracker") or {}).get("input_hash")


# ---------------------------------------------------------------- executing


def current_env_kernel_manager(socket_prefix: Path, stderr):
    """A kernel manager that runs notebooks in this very Python, like nbval's --nbval-current-env,
    talking over local sockets named from `socket_prefix` (no TCP port, no unencrypted-TCP warning),
    its own messages written to `stderr` (a log file) rather than over the progress bar."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    class CurrentEnvKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return CurrentEnvSpecs(data_dir=self.data_dir)

        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return str(socket_prefix)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": stderr})

    return CurrentEnvKernelManager


def execute_job(job: NotebookJob, root: Path, fingerprint: str,
                on_cell: Callable[[int, int], None] | None = None) -> None:
    """Run one notebook into the cache folder, tidy it, then move it over reports/<name>.ipynb."""
    import nbformat
    import papermill

    work = paths.cache_dir(root) / "run"
    work.mkdir(parents=True, exist_ok=True)
    scratch = work / f"{job.name}.ipynb"
    total = len(nbformat.read(job.source, as_version=4).cells) + (1 if job.parameters else 0)
    hook = (lambda cell, cell_index, **_: on_cell(cell_index + 1, total)) if on_cell else None
    log = work / f"{job.name}.kernel.log"
    try:
        # a short folder for the kernel's sockets: socket paths are limited to about 100 characters
        with tempfile.TemporaryDirectory(prefix="pt-kernel-") as sockets, log.open("w") as stderr:
            papermill.execute_notebook(
                str(job.source), str(scratch), parameters=job.parameters, progress_bar=False,
                kernel_name="python3", on_cell_executed=hook,
                kernel_manager_class=current_env_kernel_manager(Path(sockets) / "k", stderr),
            )
    except papermill.PapermillExecutionError as exc:
        raise BuildError(f"{job.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue} "
                         f"(the failed notebook is kept at {scratch}, the kernel's log at {log})") from exc
    notebook = tidy_notebook(nbformat.read(scratch, as_version=4), job, root, fingerprint)
    nbformat.write(notebook, scratch)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, job.output)


def tidy_notebook(notebook, job: NotebookJob, root: Path, fingerprint: str):
    """Drop what differs from run to run (timings, absolute paths, random ids) so that an unchanged
    input gives a byte-identical notebook, and record the input fingerprint."""
    pm = notebook.metadata.get("papermill", {})
    notebook.metadata["papermill"] = {
        "parameters": pm.get("parameters", {}),
        "input_path": job.source.relative_to(root).as_posix(),
        "output_path": job.output.relative_to(paths.reports_dir(root).resolve().parent).as_posix(),
    }
    notebook.metadata["plantracker"] = {"input_hash": fingerprint}
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    first = notebook.cells[0] if notebook.cells else None
    if job.title and first is not None and first.cell_type == "raw":
        first.source = render_front_matter(first.source, job.title, job.parameters.get("language", "en"))
    return notebook


def render_front_matter(source: str, title: str, language: str = "en") -> str:
    """The notebook's front matter with the page's title (the navbar text) and language, for both
    renderers."""
    import yaml

    front, rest = render.split_front_matter(source if source.endswith("\n") else source + "\n")
    front = {**front, "title": title, "lang": language}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + rest


def run_jobs(jobs: list[tuple[NotebookJob, str]], root: Path, workers: int, console) -> list[str]:
    """Execute notebooks in parallel threads (each kernel is its own process), with a progress bar."""
    failures: list[str] = []
    with _progress(console) as progress, ThreadPoolExecutor(max_workers=workers) as pool:
        tasks = {job.name: progress.add_task(job.name, total=None) for job, _ in jobs}

        def on_cell(name: str) -> Callable[[int, int], None]:
            return lambda done, total: progress.update(tasks[name], completed=done, total=total)

        futures = {pool.submit(execute_job, job, root, fp, on_cell(job.name)): job for job, fp in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                future.result()
            except BuildError as exc:
                failures.append(str(exc))
            except Exception as exc:  # a kernel that dies is reported with the page, not as a traceback
                failures.append(f"{job.name}: {type(exc).__name__}: {exc}")
    return failures


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *args, **kwargs):
        return 0

    def update(self, *args, **kwargs):
        pass


def _progress(console):
    if console is None:
        return _NoProgress()
    from rich import progress as bar

    return bar.Progress(bar.SpinnerColumn(), bar.TextColumn("{task.description:<10}"), bar.BarColumn(),
                        bar.MofNCompleteColumn(), bar.TextColumn("cells"), bar.TimeElapsedColumn(),
                        console=console, transient=False)


# ---------------------------------------------------------------- rendering and swapping in


def site_fingerprint(root: Path, config: render.SiteConfig, renderer: str) -> str:
    """A hash of everything the rendered site is made from."""
    digest = hashlib.sha256(renderer.encode())
    sources = [render.CONFIG_FILE, *config.pages]
    for pattern in config.resources:
        sources += sorted(p.relative_to(root).as_posix() for p in root.glob(pattern))
    code = [Path(render.__file__), render.TEMPLATES / "page.html", render.ASSETS / render.STYLESHEET]
    for name, path in [(s, root / s) for s in sources] + [(p.name, p) for p in code]:
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def render_site(root: Path, renderer: str) -> Path:
    """Render into a fresh folder beside reports/_site and swap it in; on failure nothing is touched."""
    site = paths.site_dir(root)
    site.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".site-new-", dir=site.parent))
    try:
        render.RENDERERS[renderer](root, fresh)
        config = render.load_site_config(root)
        (fresh / SITE_STAMP).write_text(site_fingerprint(root, config, renderer) + "\n", encoding="utf-8")
        fresh.chmod(0o755)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    swap_in(fresh, site)
    return site


def swap_in(fresh: Path, site: Path) -> None:
    """Replace `site` by `fresh` with two renames; if the second fails the old site is put back."""
    if not site.exists():
        os.rename(fresh, site)
        return
    old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site.parent))
    os.rmdir(old)
    os.rename(site, old)
    try:
        os.rename(fresh, site)
    except OSError:
        os.rename(old, site)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def site_is_current(root: Path, config: render.SiteConfig, renderer: str) -> bool:
    stamp = paths.site_dir(root) / SITE_STAMP
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == site_fingerprint(root, config,
                                                                                             renderer)


# ---------------------------------------------------------------- the command


def build_site(renderer: str = "auto", regions: list[str] | None = None, force: bool = False,
               jobs: int | None = None, console=None, root: Path | None = None) -> BuildReport:
    """Execute the notebooks whose inputs changed, then render the site into reports/_site."""
    started = time.perf_counter()
    root = (root or paths.project_root()).resolve()
    config = render.load_site_config(root)
    renderer = render.choose_renderer(renderer)
    known = plan_regions(root)
    paths.reports_dir(root).mkdir(parents=True, exist_ok=True)
    report = BuildReport(renderer=renderer, site=paths.site_dir(root))
    pending = []
    for job in plan_jobs(root, config, regions):
        fingerprint = input_fingerprint(job, root, known)
        if not force and stored_fingerprint(job.output) == fingerprint:
            report.skipped.append(job.name)
        else:
            pending.append((job, fingerprint))
    if pending:
        _say(console, f"executing {', '.join(j.name for j, _ in pending)}"
                      + (f" (unchanged: {', '.join(report.skipped)})" if report.skipped else ""))
        with _kernel_root(root):
            failures = run_jobs(pending, root, jobs or os.cpu_count() or 1, console)
        if failures:
            raise BuildError("notebooks failed; the site was not changed:\n" + "\n".join(failures))
        report.executed = [j.name for j, _ in pending]
    # ---- generated pages (analysis/pages.py, owned by the site): written from the data before rendering
    config = generated_pages(root, config, force, console)
    # ----
    if force or pending or not site_is_current(root, config, renderer):
        render_site(root, renderer)
        report.rendered = True
    report.seconds = time.perf_counter() - started
    state = "written" if report.rendered else "unchanged"
    _say(console, f"site {state}: {report.site / 'index.html'} ({len(report.executed)} executed, "
                  f"{len(report.skipped)} unchanged, {report.seconds:.1f} s)")
    return report


def generated_pages(root: Path, config: render.SiteConfig, force: bool, console) -> render.SiteConfig:
    """Write the pages _quarto.yml asks for from the data (a page per target) when their inputs changed;
    the configuration again, its globs now matching the written pages."""
    if not permalinks.wants_generated(config.render_patterns):
        return config
    digest = hashlib.sha256(json.dumps(environment_versions(), sort_keys=True).encode())
    package = Path(__file__).parent
    inputs = [*library_files(), *data_files(root), paths.notebooks_dir(root) / REGION_NOTEBOOK]
    for path in inputs:
        name = (path.relative_to(package) if path.is_relative_to(package) else
                path.relative_to(root) if path.is_relative_to(root) else Path(path.name))
        digest.update(name.as_posix().encode())
        digest.update(path.read_bytes())
    stamp = root / permalinks.GENERATED_STAMP
    if force and stamp.exists():
        stamp.unlink()
    if not (stamp.exists() and stamp.read_text(encoding="utf-8").strip() == digest.hexdigest()):
        from analysis import pages

        _say(console, "writing the target pages")
        pages.write_pages(root, digest.hexdigest())
    return render.load_site_config(root)


class _kernel_root:
    """Kernels inherit the environment: point them at the root being built."""

    def __init__(self, root: Path):
        self.root, self.before = root, os.environ.get("PLANTRACKER_ROOT")

    def __enter__(self):
        os.environ["PLANTRACKER_ROOT"] = str(self.root)

    def __exit__(self, *exc):
        if self.before is None:
            os.environ.pop("PLANTRACKER_ROOT", None)
        else:
            os.environ["PLANTRACKER_ROOT"] = self.before
        return False


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message, highlight=False, soft_wrap=True)
