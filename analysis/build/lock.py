"""One build at a time per project."""

from __future__ import annotations

import os
from pathlib import Path

from analysis.build.progress import say
from analysis.core import paths
from analysis.core.errors import BuildError


def lock_file(root: Path) -> Path:
    """The file the running build holds locked; it names the build's process."""
    return paths.cache_dir(root) / "build.lock"


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
                raise BuildError(
                    f"another build of this project is running (pid {holder}); wait for it "
                    f"to finish, then build again"
                ) from None
            say(
                self.console,
                f"another build of this project is running (pid {holder}); waiting for it to finish…",
            )
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
