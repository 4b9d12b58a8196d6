"""Staging, rendering and publishing: all or nothing.

The site's sources are staged in the scratch folder (the new notebooks in place of the old), rendered
there, and then the new notebooks and the new site are moved over reports/ together, following a journal
written first so that a build killed half-way is completed by the next one. reports/_site is swapped in
one atomic step where the system allows it, so it is never missing.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from analysis.build import quarto, render
from analysis.build.fingerprint import site_fingerprint, site_sources
from analysis.build.freshness import SITE_STAMP
from analysis.build.jobs import project_relative
from analysis.build.scratch import Scratch, link_or_copy
from analysis.core import paths


def journal_file(root: Path) -> Path:
    """The list of moves of a publish under way; present only between its first and its last rename."""
    return paths.cache_dir(root) / "publish.json"


# ---------------------------------------------------------------- staging and rendering the site


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
        link_or_copy(origin, target)
    return scratch.stage


def render_staged(root: Path, scratch: Scratch, renderer: str, console=None) -> str:
    """Render the staged sources into the scratch folder; returns the new site's fingerprint."""
    config = render.load_site_config(root)
    if renderer == "quarto":  # only the pages changed since the published site
        quarto.render_site(scratch.stage, scratch.site, previous=paths.site_dir(root), console=console)
    else:
        render.render_offline(scratch.stage, scratch.site)
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
    """renameat2(RENAME_EXCHANGE) through the C library; False where the system does not offer it."""
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
    entry = {
        "notebooks": [[project_relative(root, a), project_relative(root, b)] for a, b in moves],
        "site": project_relative(root, scratch.site) if site_stamp else None,
        "site_stamp": site_stamp,
    }
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
    """Make the moves of a journal entry (again: each is skipped once done), then remove the journal."""
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


def _fsync(path: Path) -> None:
    """Make sure a file is on disk before the rename that makes it count."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
