"""Every command the README prints works when pasted, in a copy of the project.

Lines of the README's ```sh blocks: `.venv/bin/plantracker …` runs in the copy as printed (the copy
shares this virtualenv's plantracker; PLANTRACKER_ROOT points it at the copy); `make X` is checked
with `make -n X` (running `make test` from a test would run the suite inside itself); `git …` lines are
the researcher's own commit, not run (the copy is not a repository). Where the README says to fill in the
template and save it into data/observations/, the test saves it there as it is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths

REPO = paths.project_root()
PLANTRACKER = Path(sys.executable).with_name("plantracker")


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_readme_prints_commands_of_each_kind():
    commands = readme_commands()
    assert {c.split()[0] for c in commands} <= {"make", ".venv/bin/plantracker", "git", ".", "quarto"}
    for command in (
        "status",
        "targets",
        "observations",
        "validate",
        "template",
        "extract",
        "forecast",
        "build",
    ):
        assert any(c.startswith(f".venv/bin/plantracker {command}") for c in commands), command


def test_every_readme_command_works_as_printed(project_copy: Path):
    env = {**os.environ, "PLANTRACKER_ROOT": str(project_copy), "COLUMNS": "80"}
    for command in readme_commands():
        if command.startswith("git "):
            continue
        if command.startswith((". .venv/bin/activate", "quarto ")):
            # activating the venv, then a plain `quarto render` of a clean copy: what the session's
            # `quarto_render` fixture runs (tests/test_build_quarto_site.py), a few minutes, once
            continue
        if command.startswith("make "):
            result = subprocess.run(
                ["make", "-n", *command.split()[1:]], cwd=REPO, capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, (command, result.stderr)
            continue
        if "data/observations/guiyang.xlsx" in command:  # "save the file as data/observations/guiyang.xlsx"
            saved = project_copy / "data" / "observations" / "guiyang.xlsx"
            if not saved.exists():
                shutil.copyfile(project_copy / "guiyang.xlsx", saved)
        shell = command.replace(".venv/bin/plantracker", str(PLANTRACKER), 1)
        result = subprocess.run(
            ["bash", "-c", shell], cwd=project_copy, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        assert "Traceback" not in result.stdout + result.stderr, command


@pytest.mark.parametrize(
    "command",
    ["", "status", "targets", "observations", "build", "forecast", "template", "validate", "extract"],
)
def test_help_has_no_type_markers_on_flags(command: str):
    result = subprocess.run(
        [str(PLANTRACKER), *command.split(), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "<bool>" not in result.stdout, result.stdout
