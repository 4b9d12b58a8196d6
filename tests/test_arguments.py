"""Command-line arguments and outputs: every argument checked with a message, outputs never over an
input or half-written, empty results an error, and no traceback even for an error nobody foresaw."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import commands as cli
from analysis.cli.commands import app
from analysis.core.paths import project_root

REPO = project_root()
ENV = {"PLANTRACKER_ROOT": str(REPO), "COLUMNS": "400"}
SERIES = "region,indicator,year,value\n" + "".join(
    f"guizhou,health_literacy_rate,{y},{v}\n" for y, v in [(2019, 20), (2020, 22), (2021, 24.1)]
)
TARGETS = "target_id,region,indicator,comparator,target_value,target_year,kind\n"


def run(*args: str):
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def series(tmp_path: Path) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(SERIES, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("2021", "not after the latest observation (2021)"),
        ("999999", "more than 30 years after"),
        ("1850", "not after the latest observation"),
    ],
)
def test_forecast_year_is_checked(series, tmp_path, to, words):
    result = run("forecast", str(series), "--to", to, "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 1 and words in result.output
    assert not (tmp_path / "f.csv").exists()


def test_forecast_never_writes_over_its_input(series):
    before = series.read_bytes()
    result = run("forecast", str(series), "--to", "2025", "--out", str(series))
    assert result.exit_code == 1 and "also an input" in result.output
    assert series.read_bytes() == before


@pytest.mark.parametrize(
    ("out", "words"),
    [("missing/f.csv", "does not exist"), (".", "is a folder"), ("/dev/full", "not a regular file")],
)
def test_forecast_output_must_be_a_writable_file(series, tmp_path, out, words):
    target = out if out.startswith("/") else str(tmp_path / out)
    result = run("forecast", str(series), "--to", "2025", "--out", target)
    assert result.exit_code == 1 and words in result.output


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("", "header but no targets"),
        ("t1,guizhou,health_literacy_rate,≠,30,2025,share\n", "comparator '≠' is not one of"),
        ("t1,guizhou,health_literacy_rate,>=,150,2025,share\n", "outside the bounds of health_literacy_rate"),
        ("t1,guizhou,health_literacy_rate,>=,-50,2025,share\n", "outside the bounds"),
        ("t1,guizhou,health_literacy_rate,>=,30,2100,share\n", "target_year 2100 is outside 2000–2035"),
        ("t1,guizhou,health_literacy_rate,>=,30%,2025,share\n", "not a plain decimal"),
    ],
)
def test_forecast_targets_are_checked(series, tmp_path, rows, words):
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS + rows, encoding="utf-8")
    result = run(
        "forecast", str(series), "--to", "2025", "--out", str(tmp_path / "f.csv"), "--targets", str(targets)
    )
    assert result.exit_code == 1 and words in result.output
    assert not (tmp_path / "f.csv").exists()


def test_header_only_series_is_an_error_not_an_empty_output(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("region,indicator,year,value\n", encoding="utf-8")
    result = run("forecast", str(path), "--to", "2025", "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 1 and "no rows" in result.output
    assert not (tmp_path / "f.csv").exists()


def test_forecast_writes_atomically_and_leaves_no_temporary_file(series, tmp_path):
    result = run("forecast", str(series), "--to", "2023", "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "series.csv"]


def test_build_jobs_must_not_be_negative():
    result = run("build", "--jobs", "-1")
    assert result.exit_code == 2 and "--jobs" in result.output


def test_unknown_region_is_named():
    result = run("targets", "--region", "atlantis")
    assert result.exit_code == 1 and "unknown region 'atlantis'" in result.output
    assert "guizhou" in result.output


def test_an_unforeseen_error_prints_one_line_and_where_it_was_logged(monkeypatch, tmp_path):
    from analysis import pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "validate", broken)
    monkeypatch.setattr(cli, "log_unexpected", lambda exc: tmp_path / "error.log")
    result = run("validate")
    assert result.exit_code == 2
    assert "unexpected ZeroDivisionError: a bug; details in" in result.output
    assert str(tmp_path / "error.log") in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_log_holds_the_traceback(tmp_path, monkeypatch):
    from analysis.core import paths

    monkeypatch.setattr(paths, "cache_dir", lambda root=None: tmp_path)
    try:
        raise KeyError("missing")
    except KeyError as exc:
        where = cli.log_unexpected(exc)
    assert where.parent == tmp_path / "logs"
    assert "Traceback" in where.read_text(encoding="utf-8") and "KeyError: 'missing'" in where.read_text()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--jobs", "-2"], "--jobs"),
        (["--scheduler", "not an address"], "not a scheduler address"),
    ],
)
def test_forecast_options_are_checked(series, tmp_path, args, words):
    result = run("forecast", str(series), "--to", "2025", "--out", str(tmp_path / "f.csv"), *args)
    assert result.exit_code in (1, 2) and words in result.output
    assert not (tmp_path / "f.csv").exists()


def test_extract_horizon_is_a_plausible_year(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("到2030年，全市孕产妇死亡率控制在10/10万以下。", encoding="utf-8")
    result = run("extract", str(plan), "--out", str(tmp_path / "d.csv"), "--horizon", "99999")
    assert result.exit_code == 2 and "--horizon" in result.output
