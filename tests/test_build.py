"""`plantracker build`: which notebooks run, the site swapped in only on success, nothing written outside
reports/, and (with the real region notebook) data text escaped and nbval catching a changed figure."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from analysis.build import fingerprint, freshness, jobs, publish, render
from analysis.build import orchestrate as build
from analysis.build.execute import execute_job, kernel_root
from analysis.build.scratch import scratch_folder
from analysis.core import paths
from analysis.core.errors import BuildError

TINY = Path(__file__).parent / "fixtures" / "tiny_site"
REPO = paths.project_root()
SANITIZE = Path(__file__).parent / "nbval_sanitize.cfg"
FIGURE_CODE = fingerprint.library_files  # the real list, before `fixed_library` pins it for each test


@pytest.fixture(autouse=True)
def fixed_library(monkeypatch, tmp_path_factory):
    """The fingerprint's library part pinned to one file the tests own (others edit analysis/ meanwhile)."""
    library = tmp_path_factory.getbasetemp() / "library.py"
    if not library.exists():
        library.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(fingerprint, "library_files", lambda: [library])
    monkeypatch.setattr(build, "input_problems", tiny_checks)
    return library


def tiny_checks(root: Path) -> list:
    """The tiny site has no catalogue to validate: its inputs are checked by nothing but the notebooks."""
    return []


@pytest.fixture(scope="module")
def built_template(tmp_path_factory) -> Path:
    """The tiny two-region site after one cold build (3 notebooks executed)."""
    root = tmp_path_factory.mktemp("template") / "site"
    shutil.copytree(TINY, root)
    library = tmp_path_factory.getbasetemp() / "library.py"
    library.write_text("VERSION = 1\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fingerprint, "library_files", lambda: [library])
        patch.setattr(build, "input_problems", tiny_checks)
        report = build.build_site(renderer="offline", root=root, jobs=2)
    assert report.executed == ["north", "south", "summary"]
    return root


@pytest.fixture
def built(built_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(built_template, root)
    return root


def edit_csv(path: Path, region: str, column: str, value: str) -> None:
    """Set `column` on the first row of `region` (a synthetic change in a temporary copy)."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    next(r for r in rows if r["region"] == region)[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- skipping unchanged notebooks


def test_cold_build_writes_tidy_notebooks_and_the_site(built: Path):
    notebook = json.loads((built / "reports" / "north.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["papermill"] == {
        "parameters": {"region": "north"},
        "input_path": "notebooks/region.ipynb",
        "output_path": "reports/north.ipynb",
    }
    assert len(notebook["metadata"]["plantracker"]["input_hash"]) == 64
    assert "".join(notebook["cells"][0]["source"]) == "---\ntitle: North · 北\nlang: en\n---\n"  # navbar text
    injected = [c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert [c["id"] for c in injected] == ["injected-parameters"]
    assert not any("execution" in c["metadata"] or "papermill" in c["metadata"] for c in notebook["cells"])
    assert "north: 5.1" in json.dumps(notebook)
    site = built / "reports" / "_site"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) == [
        "index.html",
        "reports/north.html",
        "reports/south.html",
        "reports/summary.html",
    ]


def test_nothing_changed_nothing_executed_nor_rendered(built: Path):
    report = build.build_site(renderer="offline", root=built)
    assert (report.executed, report.skipped, report.rendered) == ([], ["north", "south", "summary"], False)


def test_one_region_changed_reexecutes_its_page_and_the_cross_region_page_only(built: Path):
    edit_csv(built / "data" / "observations.csv", "north", "value", "5.3")
    report = build.build_site(renderer="offline", root=built)
    assert report.executed == ["north", "summary"]
    assert report.skipped == ["south"]
    page = built / "reports" / "_site" / "reports" / "north.html"
    assert "north: 5.3" in page.read_text(encoding="utf-8")


def test_a_national_figure_is_an_input_of_every_page(built: Path):
    edit_csv(built / "data" / "observations.csv", "china", "value", "6.1")
    assert build.build_site(renderer="offline", root=built).executed == ["north", "south", "summary"]


def test_changed_notebook_or_library_code_reexecutes(built: Path, fixed_library: Path):
    source = built / "notebooks" / "region.ipynb"
    source.write_text(
        source.read_text(encoding="utf-8").replace("The figures of the region.", "Figures."), encoding="utf-8"
    )
    assert build.build_site(renderer="offline", root=built).executed == ["north", "south"]
    fixed_library.write_text("VERSION = 2\n", encoding="utf-8")
    try:
        assert build.build_site(renderer="offline", root=built).executed == ["north", "south", "summary"]
    finally:
        fixed_library.write_text("VERSION = 1\n", encoding="utf-8")


def test_forced_rebuild_gives_byte_identical_notebooks(built: Path):
    before = tree(built / "reports")
    report = build.build_site(renderer="offline", root=built, force=True, regions=["south"])
    assert report.executed == ["south", "summary"]
    after = tree(built / "reports")
    assert {k: v for k, v in after.items() if k.endswith(".ipynb")} == {
        k: v for k, v in before.items() if k.endswith(".ipynb")
    }


def test_progress_is_a_line_per_notebook_off_a_terminal(built: Path):
    console = Console(record=True, width=120, force_terminal=False)
    build.build_site(renderer="offline", root=built, force=True, regions=["north"], console=console)
    text = console.export_text()
    assert "executing north, summary\n" in text  # south is not asked for
    assert "  north executed (" in text and "  summary executed (" in text
    assert "cells" not in text and "\x1b" not in text  # no bar
    assert "site written" in text


def test_progress_is_a_bar_per_notebook_on_a_terminal(built: Path):
    console = Console(record=True, width=120, force_terminal=True)
    build.build_site(renderer="offline", root=built, force=True, regions=["north"], console=console)
    text = console.export_text()
    assert "north" in text and "cells" in text and "executed (" not in text


# ---------------------------------------------------------------- a failed build keeps the last good site


def test_failed_notebook_leaves_site_and_last_good_notebook(built: Path, monkeypatch):
    before = tree(built / "reports")
    monkeypatch.setenv("TINY_FAIL_SOUTH", "1")
    with pytest.raises(BuildError, match="south: cell .* asked to fail") as failure:
        build.build_site(renderer="offline", root=built, force=True)
    assert "the site and reports/*.ipynb were not changed" in str(failure.value)
    assert tree(built / "reports") == before  # north and summary executed fine: not published either
    assert not (built / ".plantracker-cache" / "build").exists()
    assert (built / ".plantracker-cache" / "failed" / "south.ipynb").exists()


def test_failed_render_leaves_the_last_good_site(built: Path):
    before = tree(built / "reports" / "_site")
    (built / "index.qmd").unlink()
    with pytest.raises(BuildError, match="index.qmd"):
        build.build_site(renderer="offline", root=built)
    assert tree(built / "reports" / "_site") == before
    assert sorted(p.name for p in (built / "reports").iterdir() if p.name.startswith(".")) == []
    assert not (built / ".plantracker-cache" / "build").exists()


def test_swap_replaces_the_old_site_entirely_and_hands_back_the_old_one(tmp_path: Path):
    site, fresh = tmp_path / "_site", tmp_path / "fresh"
    site.mkdir()
    (site / "stale.html").write_text("old")
    fresh.mkdir()
    (fresh / "index.html").write_text("new")
    publish.swap_in(fresh, site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site", "fresh"]
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert [p.name for p in fresh.iterdir()] == ["stale.html"]


# ---------------------------------------------------------------- the region parameter cannot escape reports/


@pytest.mark.parametrize("region", ["../../evil", "/tmp/evil", "north/../../evil", "North", "nowhere", ""])
def test_region_parameter_cannot_name_a_file_outside_reports(built: Path, region: str):
    before = tree(built.parent)
    with pytest.raises(BuildError, match="not allowed"):
        build.build_site(renderer="offline", root=built, regions=[region])
    assert tree(built.parent) == before


def test_report_path_stays_in_reports(tmp_path: Path):
    assert jobs.report_path(tmp_path, "north") == (tmp_path / "reports" / "north.ipynb").resolve()
    for name in ("..", "../x", "a/b", "x.ipynb", "/etc/passwd"):
        with pytest.raises(BuildError):
            jobs.report_path(tmp_path, name)


def test_a_page_outside_reports_in_quarto_yml_is_refused(built: Path):
    config = built / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("reports/south.ipynb", "reports/../south.ipynb"), encoding="utf-8")
    with pytest.raises(BuildError, match="must be reports/<name>.ipynb"):
        build.build_site(renderer="offline", root=built)


def test_scoped_bytes_leaves_out_only_other_plan_regions(tmp_path: Path):
    table = tmp_path / "t.csv"
    table.write_text("region,value\nnorth,1\nSouth ,2\nchina,3\n", encoding="utf-8")
    assert json.loads(fingerprint.scoped_bytes(table, {"south"}, tmp_path)) == [
        ["region", "value"],
        [[2, ["north", "1"]], [4, ["china", "3"]]],
    ]  # rows as numbered in a sheet
    assert fingerprint.scoped_bytes(table, set(), tmp_path) == table.read_bytes()
    assert (
        fingerprint.scoped_bytes(table, {"north", "south", "china"}, tmp_path) is None
    )  # no row for this page


def test_scoped_bytes_reads_a_workbook_as_the_readers_do(tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    for row in (["Region", "value"], ["north", 1.5], ["south", 2]):
        sheet.append(row)
    path = tmp_path / "figures.xlsx"
    book.save(path)
    north_only = json.loads(fingerprint.scoped_bytes(path, {"south"}, tmp_path))
    assert north_only[0] == ["region", "value"] and [r[0] for r in north_only[1]] == [2]
    assert fingerprint.scoped_bytes(path, {"north", "south"}, tmp_path) is None


def test_a_new_file_of_one_region_reexecutes_its_page_and_the_cross_region_page_only(built: Path):
    from openpyxl import Workbook

    before = tree(built / "reports")
    book = Workbook()
    book.active.title = "observations"
    for row in (["region", "indicator", "year", "value"], ["north", "beds", 2021, 5.2]):
        book.active.append(row)
    (built / "data" / "observations").mkdir()
    book.save(built / "data" / "observations" / "north_2021.xlsx")
    report = build.build_site(renderer="offline", root=built)
    assert (report.executed, report.skipped) == (["north", "summary"], ["south"])
    after = tree(built / "reports")
    assert after["south.ipynb"] == before["south.ipynb"]  # not even rewritten
    assert after["north.ipynb"] != before["north.ipynb"]  # its record names the new file
    assert (
        "data/observations/north_2021.xlsx"
        in freshness.stored_record(built / "reports" / "north.ipynb")["inputs"]["data"]
    )


# ---------------------------------------------------------------- the real region notebook, end to end


def copy_project(destination: Path) -> Path:
    """data/, notebooks/ and the site definition of the repository, in a folder of its own."""
    for name in ("data", "notebooks"):
        shutil.copytree(REPO / name, destination / name)
    for name in ("_quarto.yml", "index.qmd", *(p.name for p in REPO.glob("_quarto-*.yml"))):
        shutil.copyfile(REPO / name, destination / name)
    (destination / "reports").mkdir()
    return destination


SCRIPT_NAME = '<script>alert("indicator")</script> health literacy'


@pytest.fixture(scope="module")
def guizhou_page(tmp_path_factory) -> Path:
    """guizhou.ipynb executed on a copy of the data whose health-literacy indicator is named with a script."""
    root = copy_project(tmp_path_factory.mktemp("e2e"))
    indicators = root / "data" / "indicators.csv"
    rows = list(csv.DictReader(io.StringIO(indicators.read_text(encoding="utf-8"))))
    next(r for r in rows if r["indicator_id"] == "health_literacy_rate")["name_en"] = SCRIPT_NAME
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    indicators.write_text(out.getvalue(), encoding="utf-8")
    config = render.load_site_config(root)
    job = next(j for j in jobs.plan_jobs(root, config, ["guizhou"]) if j.name == "guizhou")
    with kernel_root(root), scratch_folder(root) as scratch:
        os.replace(execute_job(job, root, {}, scratch), job.output)
    return root


def test_indicator_name_with_a_script_is_escaped_on_the_page(guizhou_page: Path):
    config = render.load_site_config(guizhou_page)
    page = render.render_page(guizhou_page, "reports/guizhou.ipynb", config)
    assert "&lt;script&gt;alert(&quot;indicator&quot;)&lt;/script&gt; health literacy" in page
    assert '<script>alert("indicator")' not in page and "<script>alert(" not in page
    # the only scripts on the page are the table filters the report writes itself
    assert page.count("<script>") == page.count('<div class="pt-filter"')


def test_every_guizhou_target_is_on_the_page(guizhou_page: Path):
    text = (guizhou_page / "reports" / "guizhou.ipynb").read_text(encoding="utf-8")
    targets = csv.DictReader(io.StringIO((guizhou_page / "data" / "targets.csv").read_text(encoding="utf-8")))
    missing = [t["target_id"] for t in targets if t["region"] == "guizhou" and t["target_id"] not in text]
    assert missing == []


def run_nbval(root: Path, notebook: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(SANITIZE),
        "-p",
        "no:cacheprovider",
        "-q",
        str(notebook),
    ]
    return subprocess.run(
        command,
        cwd=root,
        env={**os.environ, "PLANTRACKER_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_nbval_fails_when_a_figure_changes_without_a_rebuild(guizhou_page: Path):
    """(That nbval passes on unchanged data is what `make test` checks on the committed reports.)"""
    notebook = guizhou_page / "reports" / "guizhou.ipynb"
    observations = guizhou_page / "data" / "observations.csv"
    original = observations.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(original)))
    row = [r for r in rows if r["region"] == "guizhou" and r["indicator"] == "health_literacy_rate"][-1]
    row["value"] = f"{float(row['value']) + 1.5:g}"  # synthetic: 32.52 → 34.02 in this copy only
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    observations.write_text(out.getvalue(), encoding="utf-8")
    try:
        changed = run_nbval(guizhou_page, notebook)
    finally:
        observations.write_text(original, encoding="utf-8")
    assert changed.returncode == 1, changed.stdout[-3000:]
    assert row["value"] in changed.stdout  # the new figure is what nbval reports as different
    assert "failed" in changed.stdout.splitlines()[-1]


# ---------------------------------------------------------------- the committed reports


@pytest.mark.parametrize("region", ["guizhou", "guiyang", "bazhong"])
def test_every_target_of_the_catalogue_is_on_its_committed_region_page(region: str):
    page = REPO / "reports" / f"{region}.ipynb"
    assert page.exists(), f"{page} is missing: run `plantracker build` and commit reports/*.ipynb"
    text = page.read_text(encoding="utf-8")
    targets = csv.DictReader(io.StringIO((REPO / "data" / "targets.csv").read_text(encoding="utf-8")))
    missing = [t["target_id"] for t in targets if t["region"] == region and t["target_id"] not in text]
    assert missing == []


@pytest.mark.parametrize("name", ["region", "overview", "data"])
def test_source_notebooks_are_thin_and_parameterised(name: str):
    """A tagged parameters cell, no function definitions, no absolute paths, no stored outputs."""
    notebook = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c for c in code if "parameters" in c["metadata"].get("tags", [])] == code[:1]
    sources = ["".join(c["source"]) for c in code]
    assert not [s for s in sources if "def " in s or "/work/" in s or "/home/" in s or "/tmp/" in s]
    assert all(not c["outputs"] for c in code)


# ---------------------------------------------------------------- stale reports, and no record-only rewrites


def test_stale_reports_name_the_report_and_the_changed_input(built: Path):
    assert freshness.stale_reports(built) == []
    edit_csv(built / "data" / "observations.csv", "north", "value", "5.3")
    (built / "data" / "observations").mkdir()
    (built / "data" / "observations" / "extra.csv").write_text("region,value\nsouth,1\n", encoding="utf-8")
    assert freshness.stale_reports(built) == [
        ("reports/north.ipynb", ["data/observations.csv changed"]),
        ("reports/south.ipynb", ["data/observations/extra.csv is new"]),
        ("reports/summary.ipynb", ["data/observations/extra.csv is new", "data/observations.csv changed"]),
    ]
    message = freshness.stale_message(freshness.stale_reports(built))
    assert "3 report(s) were not built from the current inputs" in message
    assert (
        "run `make site`, then commit the re-executed notebooks (git add reports/*.ipynb && git commit)"
        in message
    )
    build.build_site(renderer="offline", root=built)
    assert freshness.stale_reports(built) == []


def test_a_missing_report_is_stale(built: Path):
    (built / "reports" / "south.ipynb").unlink()
    assert freshness.stale_reports(built) == [("reports/south.ipynb", ["it does not exist"])]


def test_the_code_or_environment_alone_does_not_make_a_report_stale(
    built: Path, monkeypatch, fixed_library: Path
):
    """`build --check` names what a researcher changed; a new lock or code re-executes on `make site`."""
    monkeypatch.setattr(fingerprint, "environment_versions", lambda: {"lock": "another lock", "fonts": "f"})
    fixed_library.write_text("VERSION = 3\n", encoding="utf-8")
    try:
        assert freshness.stale_reports(built) == []
    finally:
        fixed_library.write_text("VERSION = 1\n", encoding="utf-8")


def test_same_figures_from_a_new_lock_leave_the_files_untouched(built: Path, monkeypatch):
    before = tree(built / "reports")
    monkeypatch.setattr(fingerprint, "environment_versions", lambda: {"lock": "another lock", "fonts": "f"})
    report = build.build_site(renderer="offline", root=built)
    assert report.executed == ["north", "south", "summary"]
    assert report.kept == ["north", "south", "summary"]  # same figures: no record-only diff
    after = tree(built / "reports")
    assert {k: v for k, v in after.items() if k.endswith(".ipynb")} == {
        k: v for k, v in before.items() if k.endswith(".ipynb")
    }
    again = build.build_site(renderer="offline", root=built)  # and they count as current here
    assert (again.executed, again.rendered) == ([], False)


def test_a_code_change_is_recorded_in_the_notebooks(built: Path, fixed_library: Path):
    fixed_library.write_text("VERSION = 4\n", encoding="utf-8")
    try:
        report = build.build_site(renderer="offline", root=built)
        assert report.executed == ["north", "south", "summary"] and report.kept == []
        code = {
            freshness.stored_record(built / "reports" / f"{n}.ipynb")["inputs"]["code"]
            for n in ("north", "south", "summary")
        }
        assert code == {hashlib.sha256(b"library.py" + b"VERSION = 4\n").hexdigest()[:16]}
    finally:
        fixed_library.write_text("VERSION = 1\n", encoding="utf-8")


def test_a_data_change_that_moves_no_figure_still_records_the_new_inputs(built: Path):
    """A row for a region without a page changes the summary's inputs but none of its figures: the file
    is rewritten with its new record, or `make test` would call it stale forever."""
    table = built / "data" / "observations.csv"
    table.write_text(table.read_text(encoding="utf-8") + "west,beds,2020,3.0\n", encoding="utf-8")
    report = build.build_site(renderer="offline", root=built)
    assert report.executed == ["north", "south", "summary"] and report.kept == []
    assert freshness.stale_reports(built) == []


def test_code_that_shapes_only_the_site_or_the_command_line_is_an_input_of_the_site_not_of_a_notebook():
    """Editing the page template, the stylesheet, the build or the command line re-renders the site and
    re-executes no notebook; the code that computes figures (and the table script the reports write into
    the notebooks) stays an input of every notebook."""
    package = paths.PACKAGE
    figure_code = set(FIGURE_CODE())
    site_or_command = [
        *fingerprint.site_code(),
        package / "__main__.py",
        *(package / "cli").glob("*.py"),
        *(package / "build").glob("*.py"),
    ]
    assert len(site_or_command) > 5 and all(p.is_file() for p in site_or_command)
    assert figure_code.isdisjoint(site_or_command)
    assert {package / "site" / "display.py", package / "assets" / "table-filter.js"} <= figure_code
    site = {path for _, path in fingerprint.site_inputs(REPO, render.load_site_config(REPO))}
    assert set(fingerprint.site_code()) <= site


# ---------------------------------------------------------------- inputs validated before anything runs


def test_build_refuses_bad_inputs_before_executing_anything(tmp_path: Path):
    root = copy_project(tmp_path / "project")
    site = root / "reports" / "_site"
    site.mkdir()
    (site / "index.html").write_text("last good site", encoding="utf-8")
    (root / "data" / "observations" / "bad.csv").write_text(
        "region,indicator,year,value,source_url\n"
        "atlantis,life_expectancy,2021,79.1,http://example.org/synthetic\n"
        "guizhou,life_expectancy,2021,seventy,http://example.org/synthetic\n",
        encoding="utf-8",
    )
    command = [str(Path(sys.executable).with_name("plantracker")), "build", "--renderer", "offline"]
    result = subprocess.run(
        command,
        env={**os.environ, "PLANTRACKER_ROOT": str(root), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 2 and len(set(errors)) == 2, result.stderr
    assert "data/observations/bad.csv:row 2:column region" in errors[0] + errors[1]
    assert "data/observations/bad.csv:row 3:column value" in errors[0] + errors[1]
    assert "nothing was executed, the site and reports are as they were" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "executing" not in result.stdout
    assert (site / "index.html").read_text(encoding="utf-8") == "last good site"
    assert not list((root / "reports").glob("*.ipynb"))
    assert not (root / ".plantracker-cache" / "build").exists()
