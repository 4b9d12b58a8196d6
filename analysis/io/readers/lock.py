"""The environment's lock file (requirements.lock): which version of each library the project is
installed with.

`make install` installs exactly this file (`uv pip sync --require-hashes`: every package pinned with its
hashes, nothing resolved on the machine); the build compares the installed libraries with it
(analysis.build.lockcheck) and hashes it into every notebook's fingerprint instead of asking the machine.
It is written by `make lock` (`uv pip compile --universal --generate-hashes`).
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.core.errors import BuildError

LOCK_NAME = "requirements.lock"
# `name==version`, then optionally ` ; marker`, at the start of a line (hashes follow on indented lines)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
PROJECT_NOTE = "plantracker (pyproject.toml)"


def lock_file() -> Path | None:
    """The lock of the checkout this code runs from (the nearest requirements.lock above the package),
    None for an installation without one."""
    here = Path(__file__).resolve()
    return next((folder / LOCK_NAME for folder in here.parents if (folder / LOCK_NAME).is_file()), None)


def lock_bytes(path: Path | None) -> bytes:
    """The lock's bytes (b"" without a lock): what a notebook's fingerprint hashes."""
    return path.read_bytes() if path is not None else b""


def lock_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(
            f"{path.name} cannot be read ({exc}): restore it (`git checkout {path.name}`) or "
            f"write it again with `make lock`"
        ) from exc


def parse_pins(text: str) -> list[tuple[str, str, list[str]]]:
    """(name, version, markers) of every package a lock text pins. A package can be pinned twice, each
    version for the Pythons its marker names (numpy for Python 3.11 and for 3.12 and later)."""
    pins = []
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins.append((name, version, [marker.strip()] if marker else []))
    return pins


def locked_packages(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, version, markers) of every package the lock file pins."""
    return parse_pins(lock_text(path))


def asked_by_the_project(text: str) -> set[str]:
    """The packages the lock records as asked for by pyproject.toml itself (its `# via` notes)."""
    asked, current = set(), None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = match.group(1)
        elif current and line.strip().lstrip("#").strip().removeprefix("via ").strip() == PROJECT_NOTE:
            asked.add(current)
    return asked
