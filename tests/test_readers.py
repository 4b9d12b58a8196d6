"""One reader per kind of table: `validate`, `forecast`, `assess` (and the build) accept or refuse a
file alike.

The file below holds the forms data/README.md documents (92.5%, ≥90%, full-width digits, 12/10万);
its figures are read by hand in the comments. Bad variants must be refused by every command with
the same file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli.commands import app
from analysis.core.errors import DataError
from analysis.core.paths import project_root
from analysis.pipeline import Project

REPO = project_root()
HEADER = "region,indicator,year,value,source_url,source_kind\n"
URL = "http://example.org/typed"
FORMS = HEADER + "".join(
    f"guizhou,{i},{y},{v},{URL}/{i}/{y},official_news\n"
    for i, y, v in [
        ("health_literacy_rate", 2021, "21.5%"),  # = 21.5 %
        ("health_literacy_rate", 2022, "２４．８"),  # full-width: = 24.8
        ("health_literacy_rate", 2023, "92.5%"),  # = 92.5 %
        ("health_literacy_rate", 2024, "≥90%"),  # a bound: >= 90
        ("maternal_mortality_ratio", 2021, "12/10万"),  # = 12 per 100000 live births
        ("maternal_mortality_ratio", 2022, "11.5/10万"),
        ("maternal_mortality_ratio", 2023, "控制在11/10万以下"),  # <= 11
    ]
)
EXPECTED = {
    ("health_literacy_rate", 2021): ("=", 21.5),
    ("health_literacy_rate", 2022): ("=", 24.8),
    ("health_literacy_rate", 2023): ("=", 92.5),
    ("health_literacy_rate", 2024): (">=", 90.0),
    ("maternal_mortality_ratio", 2021): ("=", 12.0),
    ("maternal_mortality_ratio", 2022): ("=", 11.5),
    ("maternal_mortality_ratio", 2023): ("<=", 11.0),
}


def write(tmp_path: Path, text: str, name: str = "forms.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_reader_reads_the_documented_forms_as_worked_out_by_hand(tmp_path):
    path = write(tmp_path, FORMS)
    loaded = pipeline.load_observations(Project(REPO), extra=[path])
    mine = loaded[loaded["source_file"] == str(path)]
    assert {(r.indicator, r.year): (r.qualifier, r.value) for r in mine.itertuples()} == EXPECTED
    series, warnings = pipeline.read_series(path, Project(REPO))
    assert {(r.indicator, r.year): (r.qualifier, r.value) for r in series.itertuples()} == EXPECTED
    assert warnings == []


TARGETS = (
    "target_id,region,indicator,comparator,target_value,target_year,measure,base_year\n"
    "t1,guizhou,health_literacy_rate,>=,95,2025,level,\n"
)


def assess_args(tmp_path: Path, path: Path) -> list[str]:
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS, encoding="utf-8")
    out = tmp_path / "a.csv"
    return ["assess", "--targets", str(targets), "--observations", str(path), "--out", str(out)]


def test_validate_forecast_and_assess_accept_the_same_file(tmp_path):
    path = write(tmp_path, FORMS)
    runner = CliRunner()
    env = {"PLANTRACKER_ROOT": str(REPO)}
    checked = runner.invoke(app, ["validate", str(path)], env=env)
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "forecast.csv"
    forecast = runner.invoke(app, ["forecast", str(path), "--to", "2027", "--out", str(out)], env=env)
    assert forecast.exit_code == 0, forecast.output
    assert out.exists()
    judged = runner.invoke(app, assess_args(tmp_path, path), env=env)
    assert judged.exit_code == 0, judged.output
    assert (tmp_path / "a.csv").exists()


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("9 2.5", "space inside the number"),
        ("٩٢٫٥", "digits other than 0-9"),
        ("1" * 400, "400 digits"),
        ("about 90", "not a number"),
        ("92.5‰", "is in '‰'"),
        ("150", "outside the bounds"),
    ],
)
def test_validate_forecast_and_assess_refuse_the_same_cell_at_the_same_place(tmp_path, cell, words):
    path = write(tmp_path, FORMS + f"guizhou,health_literacy_rate,2020,{cell},{URL}/x,official_news\n")
    with pytest.raises(DataError) as by_series:
        pipeline.read_series(path, Project(REPO))
    from_validate = [p for p in pipeline.validate(Project(REPO), [path]) if p.severity == "error"]
    from_series = by_series.value.problems
    assert [(p.file, p.row, p.column) for p in from_validate] == [(str(path), 9, "value")]
    assert [(p.file, p.row, p.column, p.message) for p in from_series] == [
        (p.file, p.row, p.column, p.message) for p in from_validate
    ]
    assert words in from_validate[0].message
    runner = CliRunner()
    env = {"PLANTRACKER_ROOT": str(REPO)}
    for args in (
        ["validate", str(path)],
        ["forecast", str(path), "--to", "2027", "--out", str(tmp_path / "f.csv")],
        assess_args(tmp_path, path),
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1 and "row 9" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "f.csv").exists() and not (tmp_path / "a.csv").exists()


# --- the project: each table read once per project, and a region named either way ----------------


def test_a_project_reads_each_table_once_and_a_new_project_reads_it_again(monkeypatch):
    from analysis.io.readers import catalogue as catalogue_files

    calls = []
    real = catalogue_files.load_registry
    monkeypatch.setattr(catalogue_files, "load_registry", lambda root: calls.append(root) or real(root))
    project = Project(REPO)
    first, again = project.registry, project.registry
    assert first is again and calls == [REPO]
    assert project.regions == ["bazhong", "guiyang", "guizhou"] and calls == [REPO]  # from the same read
    assert len(Project(REPO).registry) == len(first) and calls == [REPO, REPO]


def test_the_observations_of_a_project_are_read_once_and_a_fixed_file_is_read_by_the_next(tmp_path):
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("observations"))
    project = Project(tmp_path)
    frame = pipeline.load_observations(project)
    assert pipeline.load_observations(project) is frame  # the same table, not read twice
    rows = (tmp_path / "data" / "observations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "data" / "observations.csv").write_text("".join(rows[:-1]), encoding="utf-8")
    assert len(pipeline.load_observations(project)) == len(frame)
    assert len(pipeline.load_observations(Project(tmp_path))) == len(frame) - 1


@pytest.mark.parametrize(
    ("name", "region"), [("guiyang", "guiyang"), ("贵阳", "guiyang"), ("Bazhong", "bazhong")]
)
def test_the_region_pages_and_the_command_line_check_a_region_alike(name, region):
    from analysis.site import report

    project = Project(REPO)
    assert pipeline.check_region(name, project) == region
    rr = report.region_report(name, 2025, "en", project=project)
    assert rr.region == region and set(rr.targets["region"]) == {region}
