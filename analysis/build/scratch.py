"""The build's own folder: everything a build writes before publishing goes into one scratch folder
(executed notebooks, kernel logs and sockets, the staged and rendered site), which is removed on every
way out of the build and, should a killed build leave it, at the start of the next one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths


def link_or_copy(origin: str | Path, target: str | Path) -> None:
    """A hard link where possible (the build replaces files by rename, never writes them in place), else
    a copy (another file system, or links not allowed); also a copytree copy_function."""
    try:
        os.link(origin, target)
    except OSError:
        shutil.copyfile(origin, target)


def scratch_dir(root: Path) -> Path:
    """The one folder a build writes into before publishing; only the build holding the lock uses it."""
    return paths.cache_dir(root) / "build"


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
