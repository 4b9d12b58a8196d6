"""The hostile-input corpus (tests/fixtures/hostile/, written by its generate.py) through every command
that reads observations: `validate FILE`, `forecast FILE`, `assess --observations FILE`, and the build's
loader (the file placed in data/observations/ of a copy of the project, loaded as the notebooks load it).

Each file must end in the outcome expected.csv gives it — loaded, warned (with the words), or refused
with the file, row, column and the words — and no command may print a traceback.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli.commands import app
from analysis.core.errors import DataError, errors_in
from analysis.core.paths import project_root
from analysis.pipeline import Project

REPO = project_root()
CORPUS = Path(__file__).parent / "fixtures" / "hostile"
ENV = {"PLANTRACKER_ROOT": str(REPO), "COLUMNS": "400"}


def _generator():
    spec = importlib.util.spec_from_file_location("hostile_generate", CORPUS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()
with (CORPUS / "expected.csv").open(encoding="utf-8", newline="") as handle:
    EXPECTED = {(r["file"], r["reads"]): r for r in csv.DictReader(handle)}
FILES = sorted({f for f, _ in EXPECTED})


def test_the_corpus_is_what_its_script_writes(tmp_path):
    GENERATE.write(tmp_path)
    for name in [*FILES, "expected.csv"]:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
    assert len(FILES) + len(GENERATE.SPECIAL) >= 60


@pytest.fixture(scope="module")
def special(tmp_path_factory) -> dict[str, Path]:
    outside = tmp_path_factory.mktemp("outside")
    paths = GENERATE.make_special(tmp_path_factory.mktemp("special"), outside)
    return paths


def expectation(name: str, reads: str) -> tuple[str, int | None, str | None, str]:
    if name in GENERATE.SPECIAL:
        return GENERATE.SPECIAL[name]
    r = EXPECTED[(name, reads)]
    return r["outcome"], int(r["row"]) if r["row"] else None, r["column"] or None, r["words"]


def check_problems(problems, name: str, expected) -> None:
    """The problems one command found in file `name` against the expected outcome."""
    outcome, row, column, words = expected
    mine = [p for p in problems if Path(p.file).name == name or p.file.endswith(name)]
    errors = errors_in(mine)
    if outcome == "refused":
        assert errors, f"{name}: expected a refusal, got {mine}"
        hit = [p for p in errors if words in p.message]
        assert hit, f"{name}: no error says {words!r}: {errors}"
        assert (hit[0].row, hit[0].column) == (row, column), f"{name}: {hit[0]}"
        assert hit[0].fix, f"{name}: the error says no fix"
    else:
        assert errors == [], f"{name}: {errors}"
        warned = [p for p in mine if p.severity == "warning" and words in p.message]
        if outcome == "warned":
            assert warned, f"{name}: no warning says {words!r}: {mine}"
            assert (warned[0].row, warned[0].column) == (row, column), f"{name}: {warned[0]}"


def path_of(name: str, special: dict[str, Path]) -> Path:
    return special[name] if name in special else CORPUS / name


ALL = [*FILES, *GENERATE.SPECIAL]


def check_command(args: list[str], expected: tuple):
    """The command a researcher types: no traceback, exit 1 exactly when the file is refused."""
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == (1 if expected[0] == "refused" else 0), result.output
    return result


def batch_problems(run) -> list:
    """What a batch command's pipeline call reports: its warnings, or the problems it refused with."""
    try:
        _, warnings = run()
    except DataError as exc:
        return exc.problems
    return warnings


@pytest.mark.parametrize("name", ALL)
def test_validate(name, special):
    path = path_of(name, special)
    expected = expectation(name, "project")
    check_problems(pipeline.validate(Project(REPO), [path]), name, expected)
    result = check_command(["validate", str(path)], expected)
    if expected[0] == "refused":
        assert expected[3] in result.output


@pytest.mark.parametrize("name", ALL)
def test_forecast(name, special, tmp_path):
    path = path_of(name, special)
    expected = expectation(name, "series")
    out = tmp_path / "forecast.csv"
    problems = batch_problems(lambda: pipeline.forecast_batch(path, 2030, out, project=Project(REPO)))
    check_problems(problems, name, expected)
    assert out.exists() == (expected[0] != "refused")
    out.unlink(missing_ok=True)
    check_command(["forecast", str(path), "--to", "2030", "--out", str(out)], expected)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The project's data (not its reports) in a folder the build's loader can be pointed at."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("observations"))
    (root / "data" / "observations").mkdir()
    return root


@pytest.mark.parametrize("name", ALL)
def test_build_loader(name, special, project_copy):
    folder = project_copy / "data" / "observations"
    for old in folder.iterdir():
        old.rmdir() if old.is_dir() and not old.is_symlink() else old.unlink()
    source = path_of(name, special)
    placed = folder / name
    if name == "special_missing.csv":
        pytest.skip("a file that does not exist cannot be placed in the folder")
    if source.is_symlink():
        placed.symlink_to(source.readlink())
    elif source.is_dir():
        placed.mkdir()
    elif not source.is_file():
        import os

        os.mkfifo(placed)
    else:
        shutil.copyfile(source, placed)
    expected = expectation(name, "build")
    if name == "special_folder.csv":  # a folder in data/observations/ is skipped, as README.md says
        expected = ("loaded", None, None, "")
    if expected[3] == "file not found":
        return
    frame, problems = pipeline.load_with_problems(Project(project_copy))
    check_problems(problems, name, expected)
    if expected[0] == "refused":
        with pytest.raises(DataError):
            pipeline.load_observations(Project(project_copy))


ASSESS_TARGETS = (
    "target_id,region,indicator,comparator,target_value,target_year,measure,base_year\n"
    "t1,guizhou,health_literacy_rate,>=,30,2025,level,\n"
)


@pytest.mark.parametrize("name", ALL)
def test_assess(name, special, tmp_path):
    path = path_of(name, special)
    expected = expectation(name, "assess")
    targets = tmp_path / "targets.csv"
    targets.write_text(ASSESS_TARGETS, encoding="utf-8")
    out = tmp_path / "judged.csv"
    problems = batch_problems(lambda: pipeline.assess_batch(targets, path, out, project=Project(REPO)))
    check_problems(problems, name, expected)
    assert out.exists() == (expected[0] != "refused")
    out.unlink(missing_ok=True)
    check_command(
        ["assess", "--targets", str(targets), "--observations", str(path), "--out", str(out)], expected
    )
