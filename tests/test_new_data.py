"""The researcher's loop, end to end, in a copy of the project: a new valid file in data/observations/,
`build --check` names the reports it makes stale, the build re-executes only the pages that read it, and
the tests that read the shipped data and reports then pass there too.

The subset run in the copy (the whole suite would double CI time): `build --check`; the tests of
test_observations.py and test_build.py that read the project's own data or committed reports, and nbval on
the three English notebooks the new file re-executes (the Chinese editions run the same code), both in one
pytest run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SYNTHETIC = (
    "region,indicator,year,qualifier,value,unit,source_url,source_kind,excerpt\n"
    "guiyang,maternal_mortality_ratio,2023,=,10.5,per 100000 live births,http://example.org/synthetic,other,"
    "synthetic figure for a test\n"
    "guiyang,infant_mortality_rate,2023,=,3.1,‰,http://example.org/synthetic,other,"
    "synthetic figure for a test\n"
)
SHIPPED_DATA_TESTS = "shipped or seed or projects or conflicts_command or committed"


def run(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """A command in the copy, importing the copy's own analysis package."""
    env = {**os.environ, "PLANTRACKER_ROOT": str(root), "COLUMNS": "200"}
    env.pop("PLANTRACKER_REQUIRE_BROWSER", None)
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_name(folder: Path, stem: str) -> Path:
    """A file name not yet in the folder: the researcher's own files may already hold any name."""
    return next(
        folder / f"{stem}{n or ''}.csv" for n in range(1000) if not (folder / f"{stem}{n or ''}.csv").exists()
    )


def test_a_new_observations_file_rebuilds_its_pages_and_the_suite_stays_green(project_copy: Path):
    root = project_copy
    assert run(root, "-m", "analysis", "build", "--check").returncode == 0  # committed reports: current
    new = free_name(root / "data" / "observations", "synthetic_guiyang")
    new.write_text(SYNTHETIC, encoding="utf-8")

    stale = run(root, "-m", "analysis", "build", "--check")
    assert stale.returncode == 1
    assert f"reports/guiyang.ipynb: data/observations/{new.name} is new" in stale.stderr
    assert "reports/guizhou.ipynb" not in stale.stderr and "reports/bazhong.ipynb" not in stale.stderr
    assert "run `make site`, then commit" in stale.stderr

    guizhou = (root / "reports" / "guizhou.ipynb").read_bytes()
    built = run(root, "-m", "analysis", "build", "--renderer", "offline")
    assert built.returncode == 0, built.stdout + built.stderr
    executing = next(line for line in built.stdout.splitlines() if line.startswith("executing "))
    assert "guiyang" in executing and "guizhou" not in executing.split("(")[0]
    assert (root / "reports" / "guizhou.ipynb").read_bytes() == guizhou
    assert "10.5" in (root / "reports" / "guiyang.ipynb").read_text(encoding="utf-8")
    assert run(root, "-m", "analysis", "build", "--check").returncode == 0

    # The shipped-data tests and nbval on the re-executed notebooks, in one pytest (one start-up): -k keeps
    # the shipped-data tests of the two files and every cell of the notebooks (their items are named after
    # the .ipynb file).
    notebooks = [f"reports/{name}.ipynb" for name in ("guiyang", "overview", "data")]
    suite = run(
        root,
        "-m",
        "pytest",
        "-v",  # an item per line: the notebooks' cells are seen to have run
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "--color=no",
        "tests/test_observations.py",
        "tests/test_build.py",
        *notebooks,
        "-k",
        f"({SHIPPED_DATA_TESTS}) or ipynb",
    )
    assert suite.returncode == 0, suite.stdout[-3000:]
    # each file had items that ran and passed (nbval names a cell's item "reports/<name>::ipynb::Cell N")
    ran = [n.removesuffix(".ipynb") for n in notebooks]
    ran += ["tests/test_observations.py", "tests/test_build.py"]
    assert [n for n in ran if not re.search(rf"^{re.escape(n)}\W.* PASSED", suite.stdout, re.M)] == []
