"""Same commit, same report, on any machine: the reports built in two separate folders, by two separate
virtual environments installed from the lock, under two HOMEs — one of them with extra fonts visible to
the system, one named like the chart family — are byte for byte the same, executed notebooks and site
pages alike.

The site is the tiny two-region one (tests/fixtures/tiny_site) with one page more that draws a chart with
Chinese and Latin text through analysis.site.charts, so chart layout is part of what is compared.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.core import paths
from analysis.site import fonts

REPO = paths.project_root()
TINY = Path(__file__).parent / "fixtures" / "tiny_site"
CHART_CELL = """\
import pandas as pd
from IPython.display import HTML
from analysis.site import charts

def frame(columns, rows):
    return pd.DataFrame(rows, columns=columns)

drawn = charts.chart_frame(
    frame(["year", "qualifier", "value"], [(2019, "=", 71.2), (2021, "=", 74.5), (2023, "=", 78.0)]),
    frame(["year", "qualifier", "value"], []),
    frame(["target_id", "target_year", "comparator", "goal_value"], [("t", 2025, ">=", 80.0)]),
    frame(["year", "mean", "lower80", "upper80", "method"], [(2025, 81.0, 79.0, 83.0, "damped")]),
)
figure = charts.figure(drawn, "chart-repro", "居民健康素养水平 Health literacy", "贵阳贵安 Guiyang", "%",
                       "synthetic figures for a test", "zh")
HTML(figure.svg)
"""


def site_with_a_chart(folder: Path) -> Path:
    root = folder / "site"
    shutil.copytree(TINY, root)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CHART_CELL, id="chart")]  # an id of its own, not random
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "notebooks" / "chart.ipynb")
    config = root / "_quarto.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "    - reports/summary.ipynb\n", "    - reports/summary.ipynb\n    - reports/chart.ipynb\n"
        ),
        encoding="utf-8",
    )
    return root


def second_environment(folder: Path) -> Path:
    """Another virtual environment, in another folder, installed from the lock as `make install` does."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.skip("uv is not installed in this environment: run `make install`")
    venv = folder / "other venv"
    env = {**os.environ, "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}
    for args in (
        ["venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            "pip",
            "sync",
            "--quiet",
            "--require-hashes",
            "--python",
            str(venv / "bin" / "python"),
            str(REPO / "requirements.lock"),
        ],
        ["pip", "install", "--quiet", "--no-deps", "--python", str(venv / "bin" / "python"), "-e", str(REPO)],
    ):
        done = subprocess.run([str(uv), *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    return venv / "bin" / "python"


def home_with_extra_fonts(folder: Path) -> Path:
    """A HOME whose ~/.fonts holds fonts the machine would otherwise lack, one of them under the chart
    family's own name."""
    home = folder / "home"
    (home / ".fonts").mkdir(parents=True)
    shutil.copyfile(fonts.FOLDER / "PlanTrackerSans-Bold.otf", home / ".fonts" / "Impostor.otf")
    for system_font in sorted(Path("/usr/share/fonts").rglob("*.tt[fc]"))[:3]:
        shutil.copyfile(system_font, home / ".fonts" / system_font.name)
    return home


# `plantracker build --renderer offline`, less the catalogue checks: the tiny site has no catalogue.
BUILD = """
import sys
from pathlib import Path
from analysis.build import orchestrate
orchestrate.input_problems = lambda root: []
orchestrate.build_site(renderer="offline", root=Path(sys.argv[1]), jobs=2)
"""


def build(python: Path, root: Path, home: Path) -> None:
    env = {**os.environ, "PLANTRACKER_ROOT": str(root), "HOME": str(home), "COLUMNS": "200"}
    env.pop("PLANTRACKER_REQUIRE_BROWSER", None)
    done = subprocess.run(
        [str(python), "-c", BUILD, str(root)], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def outputs(root: Path) -> dict[str, bytes]:
    reports = root / "reports"
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(reports.rglob("*"))
        if p.is_file() and (p.suffix in (".ipynb", ".html", ".svg", ".png", ".css"))
    }


def test_two_folders_two_venvs_two_homes_one_report(tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "home").mkdir(parents=True)
    build(Path(sys.executable), site_with_a_chart(first), first / "home")
    build(second_environment(second), site_with_a_chart(second), home_with_extra_fonts(second))
    a, b = outputs(first / "site"), outputs(second / "site")
    assert "reports/chart.ipynb" in a and "reports/_site/reports/chart.html" in a
    assert "PlanTracker Sans" in a["reports/chart.ipynb"].decode("utf-8")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
