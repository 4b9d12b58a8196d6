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

import errno
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from analysis.core import paths
from analysis.site import permalinks
from analysis.build import render
from analysis.core.errors import BuildError, DataError, PlanTrackerError, Problem, errors_in

REGION_NOTEBOOK = "region.ipynb"
GRADES = ("official", "official_media", "repost", "unverified")  # as analysis.observations.grading ranks them
# A page or region name becomes a file name in reports/: nothing that could climb out of it.
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Code that shapes the site but not the figures in a notebook: changing it re-renders, never re-executes
# (the build and command-line folders, the page template and the stylesheet).
SITE_ONLY_FOLDERS = {"build", "cli"}
SITE_ONLY_CODE = {"__main__.py", "page.html", "site.css"}
# Libraries whose version can change a figure; a new version re-executes the notebooks.
FIGURE_LIBRARIES = ("pandas", "numpy", "statsmodels", "altair", "vl-convert-python")
SITE_STAMP = ".plantracker-site"
# Top-level files a renderer may read besides the pages (Quarto: stylesheets, includes, bibliographies).
SITE_TOP_LEVEL = {".yml", ".yaml", ".qmd", ".md", ".css", ".scss", ".html", ".bib", ".csl"}


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
    kept: list[str] = field(default_factory=list)  # executed, same figures: the file was left as it was
    skipped: list[str] = field(default_factory=list)
    renderer: str = ""
    rendered: bool = False
    site: Path | None = None
    seconds: float = 0.0


# ---------------------------------------------------------------- which notebooks


def plan_regions(root: Path) -> list[str]:
    """The regions that have a plan, from the policy registry (its one reader)."""
    from analysis.io.readers.catalogue import plan_regions as registered

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


def plan_jobs(root: Path, config: render.SiteConfig, regions: list[str] | None = None,
              min_grade: str | None = None) -> list[NotebookJob]:
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
                jobs.append(NotebookJob(job_name, source, output, {"region": name, **extra, **graded}, name,
                                        titles.get(page, "")))
            continue
        source = paths.notebooks_dir(root) / f"{name}.ipynb"
        if not source.exists():
            raise BuildError(f"{render.CONFIG_FILE}: page {page} has no notebook {source}")
        jobs.append(NotebookJob(job_name, source, output, {**extra, **graded}, None, titles.get(page, "")))
    return jobs


# ---------------------------------------------------------------- what a notebook depends on


def library_files() -> list[Path]:
    """The analysis code and its data files that a notebook's figures depend on."""
    package = paths.PACKAGE
    return sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.relative_to(package).parts[0] not in SITE_ONLY_FOLDERS
                  and p.name not in SITE_ONLY_CODE and p.suffix != ".pyc")


def data_files(root: Path) -> list[Path]:
    """Every input file under data/ (the README files describe, they do not feed figures)."""
    return sorted(p for p in paths.data_dir(root).rglob("*") if p.is_file() and p.suffix.lower() != ".md")


def scoped_bytes(path: Path, exclude_regions: set[str], root: Path | None = None) -> bytes | None:
    """A data file as one region's page sees it: rows of the other plan regions left out, None when no
    row is left (a file of another region's figures is no input of this page at all).

    Tables (CSV, and the observations sheet of a workbook) with a `region` column are narrowed, read by
    the readers the notebooks use, so a region is recognised as they recognise it; anything else, or a
    table the readers refuse, counts whole.
    """
    raw = path.read_bytes()
    if path.suffix.lower() not in (".csv", ".xlsx") or not exclude_regions:
        return raw
    table = _region_rows(path, root, len(raw), path.stat().st_mtime_ns)
    if table is None:
        return raw
    header, rows = table
    kept = [[number, cells] for number, region, cells in rows if region not in exclude_regions]
    if rows and not kept:
        return None
    return json.dumps([header, kept], ensure_ascii=False).encode("utf-8")


@functools.lru_cache(maxsize=256)
def _region_rows(path: Path, root: Path | None, size: int, mtime: int):
    """(header, [(row number, region, cells)]) of a table with a region column, else None; cached by
    size and time so that each file is read once per build, not once per page."""
    from analysis.io.readers import observations as observation_files
    from analysis.io.readers.raw_table import column_name

    try:
        table = observation_files.read_observation_file(path, root)
    except PlanTrackerError:
        return None
    header = [column_name(h) for h in table.header]
    if "region" not in header:
        return None
    at = header.index("region")
    rows = [(n, (cells[at] if len(cells) > at else "").strip().lower(), cells) for n, cells in table.rows]
    return header, rows


def plan_texts_of(root: Path, regions: set[str]) -> set[Path]:
    """The policy texts (data/policies/*.txt) of these regions, by the registry's `file` column."""
    if not regions:
        return set()
    from analysis.io.readers.catalogue import load_registry

    registry = load_registry(root)
    chosen = registry[registry["region"].isin(regions)]
    return {paths.policies_dir(root) / name for name in chosen["file"] if name}


def environment_versions() -> dict[str, str]:
    versions = {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    for name in FIGURE_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


# Where the chart renderer (vl-convert, through fontdb) finds the machine's fonts.
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
                "/Library/Fonts", "~/Library/Fonts", "/System/Library/Fonts")
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2", ".pfa", ".pfb"}


def installed_fonts() -> list[str]:
    """The fonts that lay out chart text (an installed font moves SVG text), as name, size and time:
    enough to notice a font added, removed or replaced without reading megabytes of font files."""
    found = []
    for folder in FONT_FOLDERS:
        base = Path(folder).expanduser()
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                info = path.stat()
                found.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return found


# The parts of a notebook's inputs a researcher changes, checked by `plantracker build --check`; the rest
# (the analysis code, the libraries and fonts of the machine) decide re-execution on this machine only.
RESEARCHER_INPUTS = ("parameters", "notebook", "data")


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def notebook_inputs(job: NotebookJob, root: Path, regions: list[str]) -> dict:
    """What can change the bytes of one executed notebook, each part hashed on its own so that a stale
    report can say which input changed: its parameters, its source notebook, the data files it reads
    (a region's page sees only its own rows of tables with a `region` column), the analysis code, and
    the machine's libraries and fonts."""
    package = paths.PACKAGE
    code = hashlib.sha256()
    for path in library_files():
        name = path.relative_to(package).as_posix() if path.is_relative_to(package) else path.name
        code.update(name.encode())
        code.update(path.read_bytes())
    environment = {"versions": environment_versions(), "fonts": installed_fonts()}
    others = set(regions) - {job.scope} if job.scope else set()
    other_plans = plan_texts_of(root, others)
    return {
        "parameters": short_hash(json.dumps({"parameters": job.parameters, "title": job.title},
                                            sort_keys=True, ensure_ascii=False).encode()),
        "notebook": short_hash(job.source.read_bytes()),
        "data": {name: short_hash(content) for name, content in
                 ((p.relative_to(root).as_posix(), scoped_bytes(p, others, root))
                  for p in data_files(root)
                  if p not in other_plans)
                 if content is not None},
        "code": code.hexdigest()[:16],
        "environment": short_hash(json.dumps(environment, sort_keys=True).encode()),
    }


def fingerprint_of(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def input_fingerprint(job: NotebookJob, root: Path, regions: list[str]) -> str:
    """One hash of everything that can change the bytes of one executed notebook."""
    return fingerprint_of(notebook_inputs(job, root, regions))


def stored_record(output: Path) -> dict:
    """The fingerprint and inputs an executed notebook was built from ({} for none or unreadable)."""
    if not output.is_file():
        return {}
    try:
        notebook = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return notebook.get("metadata", {}).get("plantracker") or {}


def stored_fingerprint(output: Path) -> str | None:
    return stored_record(output).get("input_hash")


def changed_inputs(stored: dict, current: dict, parts: tuple[str, ...] = RESEARCHER_INPUTS) -> list[str]:
    """What differs between the inputs a notebook was built from and today's, in a researcher's words."""
    if not stored:
        return ["it was built by an older version of plantracker (no record of its inputs)"]
    changes = []
    if "parameters" in parts and stored.get("parameters") != current["parameters"]:
        changes.append("its parameters or title changed")
    if "notebook" in parts and stored.get("notebook") != current["notebook"]:
        changes.append("its source notebook changed")
    if "data" in parts:
        before, now = stored.get("data") or {}, current["data"]
        changes += [f"{name} is new" for name in sorted(set(now) - set(before))]
        changes += [f"{name} was removed" for name in sorted(set(before) - set(now))]
        changes += [f"{name} changed" for name in sorted(set(now) & set(before)) if now[name] != before[name]]
    for part in ("code", "environment"):
        if part in parts and stored.get(part) != current[part]:
            changes.append({"code": "the analysis code changed",
                            "environment": "the libraries or fonts of this machine changed"}[part])
    return changes


def stale_reports(root: Path | None = None) -> list[tuple[str, list[str]]]:
    """The committed reports/*.ipynb not built from the current data and notebooks, with what changed.

    Checks only what a researcher changes (data, notebooks, parameters): a machine with other fonts or
    library versions re-executes its own copies, and nbval compares the figures either way."""
    root = (root or paths.project_root()).resolve()
    config = render.load_site_config(root)
    known = plan_regions(root)
    stale = []
    for job in plan_jobs(root, config):
        current = notebook_inputs(job, root, known)
        stored = stored_record(job.output)
        if not job.output.is_file():
            stale.append((_rel(root, job.output), ["it does not exist"]))
        elif changes := changed_inputs(stored.get("inputs") or {}, current):
            stale.append((_rel(root, job.output), changes))
    return stale


def stale_message(stale: list[tuple[str, list[str]]]) -> str:
    lines = [f"{len(stale)} report(s) were not built from the current inputs:"]
    lines += [f"  {report}: {'; '.join(changes)}" for report, changes in stale]
    folders = sorted({str(PurePosixPath(report).parent) for report, _ in stale})
    lines.append(f"Fix: run `make site`, then commit the re-executed notebooks "
                 f"(git add {' '.join(f'{f}/*.ipynb' for f in folders)} && git commit).")
    return "\n".join(lines)


def executed_cache(root: Path) -> Path:
    """This machine's record of notebooks re-executed with unchanged figures, left as they were."""
    return paths.cache_dir(root) / "unchanged-outputs.json"


def is_current(job: NotebookJob, fingerprint: str, root: Path) -> bool:
    """Built from these inputs: as recorded in the notebook, or re-executed here to the same bytes."""
    if stored_fingerprint(job.output) == fingerprint:
        return True
    try:
        record = json.loads(executed_cache(root).read_text(encoding="utf-8")).get(job.name) or {}
    except (OSError, ValueError):
        return False
    return record.get("input_hash") == fingerprint and job.output.is_file() and \
        record.get("file") == short_hash(job.output.read_bytes())


# ---------------------------------------------------------------- the build's own folder: lock and scratch


def lock_file(root: Path) -> Path:
    return paths.cache_dir(root) / "build.lock"


def scratch_dir(root: Path) -> Path:
    """The one folder a build writes into before publishing; only the build holding the lock uses it."""
    return paths.cache_dir(root) / "build"


def journal_file(root: Path) -> Path:
    """The list of moves of a publish under way; present only between its first and its last rename."""
    return paths.cache_dir(root) / "publish.json"


def failed_dir(root: Path) -> Path:
    """Where a failed page's notebook and kernel log are kept for reading (replaced by the next failure)."""
    return paths.cache_dir(root) / "failed"


def kernel_socket_dir(root: Path) -> Path:
    """The kernels' socket folder: in the scratch folder unless its path is too long for a socket name
    (about 100 characters), then a folder in the system's temporary folder whose name the project fixes,
    so that a killed build's sockets are found and removed by the next build all the same."""
    inside = scratch_dir(root) / "k"
    if len(str(inside)) <= 70:
        return inside
    key = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"plantracker-{os.getuid() if hasattr(os, 'getuid') else 0}-{key}"


class BuildLock:
    """One build at a time per project: a second one waits for the first, saying so once.

    An advisory lock (flock) on .plantracker-cache/build.lock; the system releases it when the process
    ends however it ends, so a killed build never leaves the project locked.
    """

    def __init__(self, root: Path, console=None, wait: bool = True):
        self.path, self.console, self.wait = lock_file(root), console, wait
        self.handle = None

    def __enter__(self) -> BuildLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "unknown"
            if not self.wait:
                self.handle.close()
                raise BuildError(f"another build of this project is running (pid {holder}); wait for it "
                                 f"to finish, then build again") from None
            _say(self.console, f"another build of this project is running (pid {holder}); waiting for it "
                               f"to finish…")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"{os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> bool:
        import fcntl

        self.handle.seek(0)
        self.handle.truncate()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        return False


@dataclass(frozen=True)
class Scratch:
    """The layout of the scratch folder."""

    root: Path

    @property
    def reports(self) -> Path:  # executed notebooks waiting to be published
        return self.root / "reports"

    @property
    def logs(self) -> Path:  # the kernels' own messages
        return self.root / "logs"

    @property
    def stage(self) -> Path:  # the site's sources as they will be after publishing
        return self.root / "stage"

    @property
    def site(self) -> Path:  # the rendered site waiting to be published; after it, the old one
        return self.root / "site"


def remove_stale_scratch(root: Path) -> list[str]:
    """Remove what killed builds left behind (called holding the lock); returns what was removed."""
    removed = []
    leftovers = [scratch_dir(root), kernel_socket_dir(root), paths.cache_dir(root) / "run"]
    reports = paths.reports_dir(root)
    if reports.is_dir():  # the folders of the earlier publishing scheme
        leftovers += [p for p in reports.iterdir() if p.name.startswith((".site-new-", ".site-old-"))]
    for path in leftovers:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path, ignore_errors=True)
        else:
            continue
        removed.append(str(path))
    return removed


class scratch_folder:
    """A fresh scratch folder for one build, removed on every way out of it (error, Ctrl-C, SIGTERM)."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self) -> Scratch:
        remove_stale_scratch(self.root)
        scratch = Scratch(scratch_dir(self.root))
        for folder in (scratch.reports, scratch.logs, scratch.stage):
            folder.mkdir(parents=True)
        kernel_socket_dir(self.root).mkdir(parents=True, exist_ok=True)
        return scratch

    def __exit__(self, *exc) -> bool:
        for path in (scratch_dir(self.root), kernel_socket_dir(self.root)):
            shutil.rmtree(path, ignore_errors=True)
        return False


class terminate_as_interrupt:
    """SIGTERM handled like Ctrl-C while building, so that the scratch folder is removed and the
    kernels stopped; only in the main thread, where Python delivers signals."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc) -> bool:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


# ---------------------------------------------------------------- executing


class Cancelled(Exception):
    """Raised between two cells when the build is being stopped."""


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


def execute_job(job: NotebookJob, root: Path, inputs: dict, scratch: Scratch,
                on_cell: Callable[[int, int], None] | None = None) -> Path:
    """Run one notebook into the scratch folder and tidy it; returns the executed notebook's path there."""
    import nbformat
    import papermill

    executed = scratch.reports / f"{job.name}.ipynb"
    total = len(nbformat.read(job.source, as_version=4).cells) + (1 if job.parameters else 0)
    hook = (lambda cell, cell_index, **_: on_cell(cell_index + 1, total)) if on_cell else None
    log = scratch.logs / f"{job.name}.kernel.log"
    # a folder of its own per kernel: socket names are picked by which files exist, and a kernel orphaned
    # by a killed build may still be binding its sockets in the folder it was given
    sockets = Path(tempfile.mkdtemp(prefix=f"{job.name[:12]}-", dir=kernel_socket_dir(root)))
    try:
        with log.open("w") as stderr:
            papermill.execute_notebook(
                str(job.source), str(executed), parameters=job.parameters, progress_bar=False,
                kernel_name="python3", on_cell_executed=hook,
                kernel_manager_class=current_env_kernel_manager(sockets / "k", stderr),
            )
    except papermill.PapermillExecutionError as exc:
        kept = keep_failure(root, job, executed, log)
        raise BuildError(f"{job.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue} "
                         f"(the failed notebook and the kernel's log are kept in {kept})") from exc
    notebook = tidy_notebook(nbformat.read(executed, as_version=4), job, root, inputs)
    nbformat.write(notebook, executed)
    return executed


def same_figures(executed: Path, published: Path) -> bool:
    """Whether a re-executed notebook shows exactly what the published one does (its record aside)."""
    if not published.is_file():
        return False

    def content(path: Path) -> dict:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook.get("metadata", {}).pop("plantracker", None)
        return notebook

    try:
        return content(executed) == content(published)
    except (OSError, ValueError):
        return False


def keep_failure(root: Path, job: NotebookJob, executed: Path, log: Path) -> Path:
    """Copy a failed page's notebook and kernel log out of the scratch folder, for reading."""
    kept = failed_dir(root)
    kept.mkdir(parents=True, exist_ok=True)
    for path in (executed, log):
        if path.exists():
            shutil.copyfile(path, kept / path.name)
    return kept


def tidy_notebook(notebook, job: NotebookJob, root: Path, inputs: dict):
    """Drop what differs from run to run (timings, absolute paths, random ids) so that an unchanged
    input gives a byte-identical notebook, and record the inputs it was built from."""
    pm = notebook.metadata.get("papermill", {})
    notebook.metadata["papermill"] = {
        "parameters": pm.get("parameters", {}),
        "input_path": job.source.relative_to(root).as_posix(),
        "output_path": job.output.relative_to(paths.reports_dir(root).resolve().parent).as_posix(),
    }
    notebook.metadata["plantracker"] = {"input_hash": fingerprint_of(inputs), "inputs": inputs}
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


def run_jobs(jobs: list[tuple[NotebookJob, dict]], root: Path, scratch: Scratch, workers: int,
             console) -> tuple[dict[str, Path], list[str]]:
    """Execute notebooks in parallel threads (each kernel is its own process), with a progress bar on a
    terminal and one line per finished page elsewhere. Ctrl-C (or SIGTERM) stops every kernel after its
    current cell. Returns the executed notebooks by page and the failures."""
    executed: dict[str, Path] = {}
    failures: list[str] = []
    stop = threading.Event()
    with _progress(console) as progress:
        pool = ThreadPoolExecutor(max_workers=workers)
        tasks = {job.name: progress.add_task(job.name, total=None) for job, _ in jobs}

        def on_cell(name: str) -> Callable[[int, int], None]:
            def update(done: int, total: int) -> None:
                if stop.is_set():
                    raise Cancelled
                progress.update(tasks[name], completed=done, total=total)
            return update

        started = time.perf_counter()
        futures = {pool.submit(execute_job, job, root, inputs, scratch, on_cell(job.name)): job
                   for job, inputs in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    executed[_rel(root, job.output)] = future.result()
                    progress.done(job.name, time.perf_counter() - started)
                except BuildError as exc:
                    failures.append(str(exc))
                except Exception as exc:  # a kernel that dies is reported with the page, not as a traceback
                    failures.append(f"{job.name}: {type(exc).__name__}: {exc}")
        except BaseException:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return executed, failures


class _LineProgress:
    """Off a terminal: no bar, one line per page when it is done."""

    def __init__(self, console):
        self.console = console

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *args, **kwargs):
        return 0

    def update(self, *args, **kwargs):
        pass

    def done(self, name: str, seconds: float) -> None:
        _say(self.console, f"  {name} executed ({seconds:.1f} s)")


class _BarProgress:
    def __init__(self, console):
        from rich import progress as bar

        self.bar = bar.Progress(bar.SpinnerColumn(), bar.TextColumn("{task.description:<10}"),
                                bar.BarColumn(), bar.MofNCompleteColumn(), bar.TextColumn("cells"),
                                bar.TimeElapsedColumn(), console=console, transient=False)

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def add_task(self, *args, **kwargs):
        return self.bar.add_task(*args, **kwargs)

    def update(self, *args, **kwargs):
        self.bar.update(*args, **kwargs)

    def done(self, name: str, seconds: float) -> None:
        pass


def _progress(console):
    if console is not None and console.is_terminal:
        return _BarProgress(console)
    return _LineProgress(console)


def keep_unchanged(root: Path, pending: list[tuple[NotebookJob, dict]],
                   executed: dict[str, Path]) -> list[str]:
    """Leave alone the notebooks re-executed only because this machine differs (its libraries or fonts)
    whose figures came out the same: their files stay as committed, this machine remembers they are
    current. (A change of data, notebook or code is recorded in the file, so that a fresh clone knows
    what it was built from.) Takes them out of `executed`; returns their names."""
    kept, record = [], {}
    for job, inputs in pending:
        stored = stored_record(job.output).get("inputs") or {}
        page = _rel(root, job.output)
        if same_figures(executed[page], job.output) and \
                not changed_inputs(stored, inputs, (*RESEARCHER_INPUTS, "code")):
            del executed[page]
            kept.append(job.name)
            record[job.name] = {"input_hash": fingerprint_of(inputs),
                                "file": short_hash(job.output.read_bytes())}
    cache = executed_cache(root)
    try:
        previous = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    merged = {k: v for k, v in previous.items() if k not in {j.name for j, _ in pending}} | record
    pending_file = scratch_dir(root) / cache.name
    pending_file.write_text(json.dumps(merged, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(pending_file, cache)
    return kept


# ---------------------------------------------------------------- staging and rendering the site


def site_sources(root: Path, config: render.SiteConfig) -> list[str]:
    """The files the site is rendered from, relative to the root: the site definition, its pages and
    resources, and the other top-level files a renderer may read (stylesheets, includes)."""
    sources = [render.CONFIG_FILE, *config.pages]
    for pattern in config.resources:
        sources += sorted(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
    sources += sorted(p.name for p in root.iterdir()
                      if p.is_file() and not p.name.startswith(".") and p.suffix in SITE_TOP_LEVEL)
    generated = root / permalinks.GENERATED_DATA  # what generated pages include
    if generated.is_dir():
        sources += sorted(p.relative_to(root).as_posix() for p in generated.rglob("*") if p.is_file())
    return list(dict.fromkeys(sources))


def stage_site(root: Path, scratch: Scratch, executed: dict[str, Path]) -> Path:
    """The site's sources as they will be after publishing: the new notebooks in place of the old."""
    config = render.load_site_config(root)
    new = dict(executed)
    for source in site_sources(root, config):
        origin = new.get(source, root / source)
        if not origin.is_file():
            continue  # a generated page, or one the renderer will report missing
        target = scratch.stage / source
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(origin, target)
    return scratch.stage


def _link_or_copy(origin: Path, target: Path) -> None:
    """A hard link where possible (files are replaced by rename, never written in place), else a copy."""
    try:
        os.link(origin, target)
    except OSError:
        shutil.copyfile(origin, target)


def site_fingerprint(root: Path, config: render.SiteConfig, renderer: str,
                     pages_from: Path | None = None) -> str:
    """A hash of everything the rendered site is made from: its sources (read from `pages_from`, the
    staging folder, when given) and the renderer's code."""
    digest = hashlib.sha256(renderer.encode())
    base = pages_from or root
    code = [Path(render.__file__), render.TEMPLATES / "page.html", render.ASSETS / render.STYLESHEET]
    for name, path in [(s, base / s) for s in site_sources(root, config)] + [(p.name, p) for p in code]:
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def site_is_current(root: Path, config: render.SiteConfig, renderer: str) -> bool:
    """Whether reports/_site was rendered from exactly the current sources (reports/*.ipynb included)."""
    stamp = paths.site_dir(root) / SITE_STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == site_fingerprint(
        root, config, renderer)


def render_staged(root: Path, scratch: Scratch, renderer: str) -> str:
    """Render the staged sources into the scratch folder; returns the new site's fingerprint."""
    config = render.load_site_config(root)
    render.RENDERERS[renderer](scratch.stage, scratch.site)
    fingerprint = site_fingerprint(root, config, renderer, pages_from=scratch.stage)
    (scratch.site / SITE_STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    scratch.site.chmod(0o755)
    return fingerprint


# ---------------------------------------------------------------- publishing: all or nothing


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE), so neither is ever missing.

    Where the system cannot (another OS, a file system without it), three renames put `b` aside, `a` in
    its place and `b` where `a` was: a moment without `b`, the best that system allows.
    """
    if _rename_exchange(a, b):
        return
    aside = b.with_name(b.name + ".aside")
    os.rename(b, aside)
    try:
        os.rename(a, b)
    except OSError:
        os.rename(aside, b)
        raise
    os.rename(aside, a)


def _rename_exchange(a: Path, b: Path) -> bool:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(error, os.strerror(error), str(b))


def swap_in(fresh: Path, site: Path) -> None:
    """Put `fresh` at `site`; the site it replaces ends up at `fresh` (for its owner to remove)."""
    if site.exists() or site.is_symlink():
        exchange(fresh, site)
    else:
        os.rename(fresh, site)


def publish(root: Path, scratch: Scratch, executed: dict[str, Path], site_stamp: str | None) -> None:
    """Move the new notebooks over reports/*.ipynb and the new site over reports/_site, together.

    A journal listing the moves is written first (atomically), so that a build killed half-way is
    completed by the next one (`recover`) instead of leaving some notebooks new and others old.
    """
    moves = [(path, root / page) for page, path in executed.items()]
    entry = {"notebooks": [[_rel(root, a), _rel(root, b)] for a, b in moves],
             "site": _rel(root, scratch.site) if site_stamp else None, "site_stamp": site_stamp}
    pending = scratch.root / "publish.json"
    pending.write_text(json.dumps(entry, indent=1), encoding="utf-8")
    _fsync(pending)
    os.replace(pending, journal_file(root))
    _finish(root, entry)


def recover(root: Path) -> bool:
    """Complete a publish that a killed build began (its journal is still there); True if there was one."""
    journal = journal_file(root)
    if not journal.is_file():
        return False
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except ValueError:  # written whole by a rename, so this cannot happen short of tampering
        journal.unlink()
        return False
    _finish(root, entry)
    return True


def _finish(root: Path, entry: dict) -> None:
    for staged, target in entry["notebooks"]:
        if (root / staged).is_file():
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(root / staged, root / target)
    if entry.get("site"):
        site, fresh = paths.site_dir(root), root / entry["site"]
        stamp = site / SITE_STAMP
        current = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
        if current != entry["site_stamp"] and fresh.is_dir():
            swap_in(fresh, site)
    journal_file(root).unlink()


def _rel(root: Path, path: Path) -> str:
    return path.resolve().relative_to(root).as_posix()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# ---------------------------------------------------------------- the command


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
        _say(console, f"warning {p.location}: {p.message} — {p.fix}")


def build_site(renderer: str = "auto", regions: list[str] | None = None, force: bool = False,
               jobs: int | None = None, console=None, root: Path | None = None,
               wait: bool = True, min_grade: str | None = None) -> BuildReport:
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
    check_inputs(root, console)
    paths.reports_dir(root).mkdir(parents=True, exist_ok=True)
    report = BuildReport(renderer=renderer, site=paths.site_dir(root))
    with BuildLock(root, console, wait), terminate_as_interrupt():
        recover(root)
        with scratch_folder(root) as scratch:
            pending = []
            for job in planned:
                inputs = notebook_inputs(job, root, known)
                if not force and is_current(job, fingerprint_of(inputs), root):
                    report.skipped.append(job.name)
                else:
                    pending.append((job, inputs))
            executed: dict[str, Path] = {}
            # ---- generated pages (analysis/pages.py, owned by the site): written from the data in a
            # process of their own while the notebooks run, before the site is staged; they are no
            # notebook, the site's fingerprint covers them as sources
            generating = start_generated_pages(root, config, force, console, min_grade)
            try:
                if pending:
                    _say(console, f"executing {', '.join(j.name for j, _ in pending)}"
                                  + (f" (unchanged: {', '.join(report.skipped)})" if report.skipped else ""))
                    with _kernel_root(root):
                        executed, failures = run_jobs(pending, root, scratch, jobs or os.cpu_count() or 1,
                                                      console)
                    if failures:
                        raise BuildError("notebooks failed; the site and reports/*.ipynb were not changed:\n"
                                         + "\n".join(failures))
                    report.executed = [j.name for j, _ in pending]
                    report.kept = keep_unchanged(root, pending, executed)
            except BaseException:
                stop_generated_pages(generating)
                raise
            config = finish_generated_pages(root, generating, config)
            # ----
            if force or pending or not site_is_current(root, config, renderer):
                stage_site(root, scratch, executed)
                stamp = render_staged(root, scratch, renderer)
                publish(root, scratch, executed, stamp)
                report.rendered = True
    report.seconds = time.perf_counter() - started
    state = "written" if report.rendered else "unchanged"
    _say(console, f"site {state}: {report.site / 'index.html'} ({len(report.executed)} executed, "
                  f"{len(report.skipped)} unchanged, {report.seconds:.1f} s)")
    return report


def generated_fingerprint(root: Path, min_grade: str | None = None) -> str:
    """A hash of everything the generated pages are made from (the data, the analysis code, the region
    notebook whose parameters they share, the lowest grade of source used)."""
    digest = hashlib.sha256(json.dumps([environment_versions(), min_grade], sort_keys=True).encode())
    package = paths.PACKAGE
    for path in [*library_files(), *data_files(root), paths.notebooks_dir(root) / REGION_NOTEBOOK]:
        name = (path.relative_to(package) if path.is_relative_to(package) else
                path.relative_to(root) if path.is_relative_to(root) else Path(path.name))
        digest.update(name.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def start_generated_pages(root: Path, config: render.SiteConfig, force: bool, console,
                          min_grade: str | None = None):
    """Start writing the pages _quarto.yml asks for from the data (a page per target, the chart files) in
    a process of its own, beside the notebooks; None when they are current or not asked for."""
    if not permalinks.wants_generated(config.render_patterns):
        return None
    fingerprint = generated_fingerprint(root, min_grade)
    stamp = root / permalinks.GENERATED_STAMP
    if not force and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        return None
    _say(console, "writing the target pages and chart files")
    log_path = paths.cache_dir(root) / "pages.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        grade = [min_grade] if min_grade else []
        process = subprocess.Popen([sys.executable, "-m", "analysis.site.pages", str(root), fingerprint, *grade],
                                   stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PLANTRACKER_ROOT": str(root)})
    process.log_path = log_path
    return process


def stop_generated_pages(process) -> None:
    """A build that fails or is interrupted stops the page writer too."""
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def finish_generated_pages(root: Path, process, config: render.SiteConfig) -> render.SiteConfig:
    """Wait for the generated pages; the configuration again, its globs now matching them."""
    if process is None:
        return render.load_site_config(root) if permalinks.wants_generated(config.render_patterns) else config
    if process.wait() != 0:
        lines = process.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        raise BuildError(f"the target pages could not be written: {lines[-1] if lines else 'no message'} "
                         f"(details in {process.log_path}); the site was not changed")
    return render.load_site_config(root)


def generated_pages(root: Path, config: render.SiteConfig, force: bool, console,
                    min_grade: str | None = None) -> render.SiteConfig:
    """Write the generated pages now (when their inputs changed) and return the configuration."""
    process = start_generated_pages(root, config, force, console, min_grade)
    return finish_generated_pages(root, process, config)


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
