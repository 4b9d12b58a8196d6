"""Executing the notebooks: papermill in this very Python, several kernels at once, each notebook
tidied so that unchanged inputs give byte-identical files, a failed one kept for reading."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from analysis.build import page_html
from analysis.build.fingerprint import fingerprint_of
from analysis.build.jobs import NotebookJob, project_relative
from analysis.build.progress import progress_for
from analysis.build.scratch import Scratch, failed_dir, kernel_socket_dir
from analysis.core import paths
from analysis.core.errors import BuildError


class Cancelled(Exception):
    """Raised between two cells when the build is being stopped."""


class kernel_root:
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
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
            )

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


def execute_job(
    job: NotebookJob,
    root: Path,
    inputs: dict,
    scratch: Scratch,
    on_cell: Callable[[int, int], None] | None = None,
) -> Path:
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
                str(job.source),
                str(executed),
                parameters=job.parameters,
                progress_bar=False,
                kernel_name="python3",
                on_cell_executed=hook,
                kernel_manager_class=current_env_kernel_manager(sockets / "k", stderr),
            )
    except papermill.PapermillExecutionError as exc:
        kept = keep_failure(root, job, executed, log)
        raise BuildError(
            f"{job.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue} "
            f"(the failed notebook and the kernel's log are kept in {kept})"
        ) from exc
    notebook = tidy_notebook(nbformat.read(executed, as_version=4), job, root, inputs)
    nbformat.write(notebook, executed)
    return executed


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
        if cell.metadata.get("tags") == []:  # papermill's empty list: Quarto would wrap the cell in a div
            del cell.metadata["tags"]  # (data-tags), which hides its headings from the contents list
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

    front, rest = page_html.split_front_matter(source if source.endswith("\n") else source + "\n")
    front = {**front, "title": title, "lang": language}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + rest


def run_jobs(
    jobs: list[tuple[NotebookJob, dict]], root: Path, scratch: Scratch, workers: int, console
) -> tuple[dict[str, Path], list[str]]:
    """Execute notebooks in parallel threads (each kernel is its own process), with a progress bar on a
    terminal and one line per finished page elsewhere. Ctrl-C (or SIGTERM) stops every kernel after its
    current cell. Returns the executed notebooks by page and the failures."""
    executed: dict[str, Path] = {}
    failures: list[str] = []
    stop = threading.Event()
    with progress_for(console) as progress:
        pool = ThreadPoolExecutor(max_workers=workers)
        tasks = {job.name: progress.add_task(job.name, total=None) for job, _ in jobs}

        def on_cell(name: str) -> Callable[[int, int], None]:
            def update(done: int, total: int) -> None:
                if stop.is_set():
                    raise Cancelled
                progress.update(tasks[name], completed=done, total=total)

            return update

        started = time.perf_counter()
        futures = {
            pool.submit(execute_job, job, root, inputs, scratch, on_cell(job.name)): job
            for job, inputs in jobs
        }
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    executed[project_relative(root, job.output)] = future.result()
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
