"""Which outputs are current: an executed notebook records the inputs it was built from, the rendered
site carries its fingerprint in a stamp, and this machine remembers notebooks it re-executed to the same
figures. From those: what to skip, and which committed reports are stale and why."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from analysis.build import lockcheck, render
from analysis.build.fingerprint import fingerprint_of, notebook_inputs, short_hash, site_fingerprint
from analysis.build.jobs import NotebookJob, plan_jobs, project_relative
from analysis.build.scratch import scratch_dir
from analysis.core import paths
from analysis.io.readers.catalogue import plan_regions

# The parts of a notebook's inputs a researcher changes, checked by `plantracker build --check`; the rest
# (the analysis code, the libraries and fonts of the machine) decide re-execution on this machine only.
RESEARCHER_INPUTS = ("parameters", "notebook", "data")
MACHINE_CHANGES = {
    "code": "the analysis code changed",
    "environment": "the lock file or the chart fonts changed",
}
# The file in the rendered site that holds the fingerprint of what it was rendered from.
SITE_STAMP = ".plantracker-site"


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
    """The fingerprint an executed notebook records (None when it records none)."""
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
        changes += changed_data(stored.get("data") or {}, current["data"])
    changes += [MACHINE_CHANGES[p] for p in MACHINE_CHANGES if p in parts and stored.get(p) != current[p]]
    return changes


def changed_data(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The data files new, removed or changed since a notebook was built, by name."""
    changes = [f"{name} is new" for name in sorted(set(now) - set(before))]
    changes += [f"{name} was removed" for name in sorted(set(before) - set(now))]
    changes += [f"{name} changed" for name in sorted(set(now) & set(before)) if now[name] != before[name]]
    return changes


def stale_reports(root: Path | None = None) -> list[tuple[str, list[str]]]:
    """The committed reports/*.ipynb not built from the current data and notebooks, with what changed.

    Checks only what a researcher changes (data, notebooks, parameters); first, that the installed
    libraries are the locked ones (one line naming each that is not, and the fix), since reports built
    with others would not be these."""
    lockcheck.require_locked()
    root = (root or paths.project_root()).resolve()
    config = render.load_site_config(root)
    known = plan_regions(root)
    stale = []
    for job in plan_jobs(root, config):
        current = notebook_inputs(job, root, known)
        stored = stored_record(job.output)
        if not job.output.is_file():
            stale.append((project_relative(root, job.output), ["it does not exist"]))
        elif changes := changed_inputs(stored.get("inputs") or {}, current):
            stale.append((project_relative(root, job.output), changes))
    return stale


def stale_message(stale: list[tuple[str, list[str]]]) -> str:
    """The stale reports, what changed in each, and how to bring them up to date."""
    lines = [f"{len(stale)} report(s) were not built from the current inputs:"]
    lines += [f"  {report}: {'; '.join(changes)}" for report, changes in stale]
    folders = sorted({str(PurePosixPath(report).parent) for report, _ in stale})
    lines.append(
        f"Fix: run `make site`, then commit the re-executed notebooks "
        f"(git add {' '.join(f'{f}/*.ipynb' for f in folders)} && git commit)."
    )
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
    return (
        record.get("input_hash") == fingerprint
        and job.output.is_file()
        and record.get("file") == short_hash(job.output.read_bytes())
    )


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


def keep_unchanged(
    root: Path, pending: list[tuple[NotebookJob, dict]], executed: dict[str, Path]
) -> list[str]:
    """Leave alone the notebooks re-executed only because the environment changed (a new lock file or
    chart fonts) whose figures came out the same: their files stay as committed, this machine remembers
    they are current. (A change of data, notebook or code is recorded in the file, so that a fresh clone knows
    what it was built from.) Takes them out of `executed`; returns their names."""
    kept, record = [], {}
    for job, inputs in pending:
        stored = stored_record(job.output).get("inputs") or {}
        page = project_relative(root, job.output)
        if same_figures(executed[page], job.output) and not changed_inputs(
            stored, inputs, (*RESEARCHER_INPUTS, "code")
        ):
            del executed[page]
            kept.append(job.name)
            record[job.name] = {
                "input_hash": fingerprint_of(inputs),
                "file": short_hash(job.output.read_bytes()),
            }
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


def site_is_current(root: Path, config: render.SiteConfig, renderer: str) -> bool:
    """Whether reports/_site was rendered from exactly the current sources (reports/*.ipynb included)."""
    stamp = paths.site_dir(root) / SITE_STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == site_fingerprint(
        root, config, renderer
    )
