"""Fixtures shared by the test files that need a whole copy of the project."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.core import paths

REPO = paths.project_root()


def copy_of_the_project(destination: Path) -> Path:
    """The files git tracks (as they are in the working tree), without caches, site or virtualenv."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.decode().split("\0"):
            source = REPO / name
            if name and source.is_file():
                (destination / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination / name)
    else:
        shutil.copytree(
            REPO,
            destination,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "_site", ".plantracker-cache", "__pycache__", "test-artefacts", ".*"
            ),
        )
    return destination


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the whole project that a test may change and build."""
    return copy_of_the_project(tmp_path / "project")
