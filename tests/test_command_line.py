"""The command line a researcher types: region names in either language and any case, the status of
every target, tables that fit 80 columns, and every column in CSV or JSON.

What a command prints is read in this process (`invoke`, typer's runner: the same app and guard as the
installed `plantracker`, without a Python start-up per call); the 80-column tables come from the installed
command in a pipe (`plantracker`), since the width a pipe gets is read from COLUMNS when the process starts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli.commands import app
from analysis.core import paths

REPO = paths.project_root()
PLANTRACKER = Path(sys.executable).with_name("plantracker")
REGIONS = ["bazhong", "guiyang", "guizhou"]


def plantracker(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANTRACKER_ROOT": str(REPO), "COLUMNS": "80"}
    return subprocess.run([str(PLANTRACKER), *args], capture_output=True, text=True, env=env, timeout=300)


def invoke(*args: str):
    """The command run in this process on the project's own data: exit code, stdout and stderr apart."""
    return CliRunner().invoke(app, list(args), env={"PLANTRACKER_ROOT": str(REPO), "COLUMNS": "80"})


def catalogue_ids(region: str) -> list[str]:
    """The region's target ids read straight from targets.csv (a second reading, not the loader)."""
    rows = csv.DictReader(io.StringIO((REPO / "data" / "targets.csv").read_text(encoding="utf-8-sig")))
    return [r["target_id"] for r in rows if r["region"] == region]


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("guiyang", "guiyang"),
        ("Guiyang", "guiyang"),
        ("GUIZHOU", "guizhou"),
        (" bazhong ", "bazhong"),
        ("贵阳", "guiyang"),
        ("贵阳贵安", "guiyang"),
        ("贵州", "guizhou"),
        ("贵州省", "guizhou"),
        ("巴中", "bazhong"),
        ("巴中市", "bazhong"),
        ("Guiyang & Gui'an", "guiyang"),
    ],
)
def test_a_region_is_known_by_any_of_its_names(name: str, region: str):
    assert pipeline.match_region(name, REGIONS) == region


@pytest.mark.parametrize("name", ["贵", "", "atlantis", "g", "china"])
def test_an_unknown_or_ambiguous_name_is_refused(name: str):
    assert pipeline.match_region(name, REGIONS) is None


def test_status_lists_every_target_of_the_region_in_csv_and_json():
    ids = catalogue_ids("guiyang")
    as_csv = invoke("status", "--region", "贵阳", "--format", "CSV")
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["target_id"] for r in rows] == ids
    wanted = {"status", "reason", "p_met", "latest_value", "latest_year", "target_year", "as_of"}
    assert wanted <= set(rows[0])
    assert all(r["reason"] for r in rows) and {r["as_of"] for r in rows} == {"2025"}
    as_json = json.loads(invoke("status", "-r", "Guiyang", "--as-of", "2024", "--format", "json").stdout)
    assert [r["target_id"] for r in as_json] == ids and {r["as_of"] for r in as_json} == {2024}


def test_status_table_fits_80_columns_and_names_every_target():
    result = plantracker("status", "--region", "bazhong")
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    flat = result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert all(i.replace(" ", "") in flat for i in catalogue_ids("bazhong"))


def test_targets_and_observations_print_every_row_as_csv_or_json():
    targets = json.loads(invoke("targets", "--region", "巴中", "--format", "json").stdout)
    assert [t["target_id"] for t in targets] == catalogue_ids("bazhong")
    observations = invoke("observations", "--region", "贵州", "--format", "csv")
    assert observations.exit_code == 0, observations.stderr
    rows = list(csv.DictReader(io.StringIO(observations.stdout)))
    assert rows and {r["region"] for r in rows} == {"guizhou"} and "source_url" in rows[0]


def test_targets_rows_fit_80_columns():
    result = plantracker("targets", "--region", "guizhou", "--rows")
    assert result.returncode == 0 and max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--format", "xml"],
        ["status", "--region", "atlantis"],
        ["build", "--region", "nowhere", "--check"],
    ],
)
def test_a_wrong_word_is_refused_in_one_line_without_a_traceback(args: list[str]):
    result = invoke(*args)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # ended by the guard, not a crash
    assert "Traceback" not in result.stderr and result.stderr.startswith("error ")
