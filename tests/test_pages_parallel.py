"""Writing the generated pages fast: each language in a forked process of its own writes the same files as
one process writing both, a process that fails fails the whole run before any stamp is written, a table's
CSV is cut and neutralised exactly as a column-by-column copy would be, and a chart's PNG rasterised from
the SVG already drawn is the PNG vl-convert draws from the spec."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.site import display, pages

# ---------------------------------------------------------------- CSV text


def tricky_frame() -> pd.DataFrame:
    """A column of every kind csv_text meets, and of some it should not need to."""
    return pd.DataFrame(
        {
            "long_floats": [86.618497123456, 1 / 3, math.nan],  # cut to 86.6185, 0.333333
            "short_floats": [92.6, -1.5, math.nan],  # unchanged
            "ints": [2025, 2026, 2027],
            "bools": [True, False, True],
            "text": ["=1+1", "ok", None],  # a formula neutralised
            "plain_text": ["县域内就诊率", "b", math.nan],  # nothing to neutralise
            "object_numbers": pd.Series([1, 2.5, None], dtype=object),  # map infers float64: 1.0
            "object_ints": pd.Series([1, 2, 3], dtype=object),
            "all_missing": pd.Series([None, math.nan, None], dtype=object),
            "float32": np.array([0.1, 2.123456789, 3], dtype=np.float32),
            "nullable": pd.array([1.123456789, None, 3.0], dtype="Float64"),
            "category": pd.Categorical(["-2", "a", "a"]),
            "numpy_nan_text": pd.Series(["+x", np.float64("nan"), "y"], dtype=object),
            "str_plain": pd.Series(["a", None, "b"], dtype=pd.StringDtype("python", na_value=np.nan)),
            "str_formula": pd.Series(["a", None, "@b"], dtype=pd.StringDtype("python", na_value=np.nan)),
            "str_na": pd.Series(["a", None, "b"], dtype="string"),  # missing as pd.NA
        }
    )


def test_csv_text_is_the_column_by_column_csv_whatever_the_columns_hold():
    frame = tricky_frame()
    for columns in [[c] for c in frame.columns] + [list(frame.columns)]:
        part = frame[columns]
        assert display.csv_text(part) == display.csv_text_by_column(part), columns


def test_csv_text_cuts_floats_and_neutralises_formulas_and_leaves_its_input_alone():
    frame = tricky_frame()
    before = frame.copy()
    lines = display.csv_text(frame[["long_floats", "text", "object_numbers"]]).splitlines()
    assert lines == ["long_floats,text,object_numbers", "86.6185,'=1+1,1.0", "0.333333,ok,2.5", ",,"]
    pd.testing.assert_frame_equal(frame, before)
    repeated = pd.DataFrame([["=a", 1.23456789]], columns=["x", "x"])  # a repeated column name
    assert display.csv_text(repeated) == display.csv_text_by_column(repeated)
    assert display.csv_text(repeated).splitlines()[1].startswith("'=a,")


# ---------------------------------------------------------------- processes


def square_or_fail(item):
    if item == "fail":
        raise ValueError("row 3 of data/x.csv has no value")
    if item == "die":
        os._exit(3)
    return {"item": item, "square": item * item}


def test_tasks_in_processes_return_what_they_return_in_this_one_in_order():
    items = [3, 1, 2]
    assert pages.in_processes(square_or_fail, items) == [square_or_fail(i) for i in items]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("fail", "ValueError: row 3 of data/x.csv has no value"),
        ("die", "a page writer process ended without its pages (exit code 3)"),
    ],
)
def test_a_task_that_fails_or_dies_fails_the_call_with_one_line(item, message):
    with pytest.raises(pages.WorkerFailed) as failed:
        pages.in_processes(square_or_fail, [2, item])
    assert str(failed.value) == message


def test_a_failed_language_writes_no_page_and_no_stamp(tmp_path: Path, monkeypatch, capsys):
    def language_pages(shared, language):
        if language == "zh":
            raise KeyError("region_x")
        return {"targets/a.qmd": "a page\n"}

    monkeypatch.setattr(pages, "inputs", lambda *args: None)
    monkeypatch.setattr(pages, "overview_pages", lambda project, min_grade: {"charts/en/a.svg": "<svg/>"})
    monkeypatch.setattr(pages, "language_pages", language_pages)
    assert pages.main([str(tmp_path), "fingerprint"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "KeyError: 'region_x'"
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no page, no stamp


# ---------------------------------------------------------------- the real pages, a small part


# In a fresh process: a process must fork before vl-convert has drawn anything (its runtime's threads do
# not survive a fork), and this test process may have drawn charts in other tests already.
FORKED_AND_SERIAL = """
import dataclasses, functools, hashlib, json
from analysis.core.paths import project_root
from analysis.site import pages
shared = pages.inputs(project_root())
region = min(shared.english, key=lambda r: len(shared.english[r].targets))
shared = dataclasses.replace(shared, english={region: shared.english[region]})
[forked] = pages.in_processes(functools.partial(pages.language_pages, shared), ["zh"])
serial = pages.language_pages(shared, "zh")
print(json.dumps({
    "region": region, "targets": list(shared.english[region].targets["target_id"]),
    "serial": sorted(serial), "forked": sorted(forked),
    "differ": [name for name in serial if forked.get(name) != serial[name]],
}))
"""


def test_a_language_written_in_a_process_of_its_own_is_the_same_files():
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FORKED_AND_SERIAL], capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["forked"] == result["serial"]
    assert result["differ"] == []
    assert {f"zh/targets/{t}.qmd" for t in result["targets"]} <= set(result["serial"])
    assert any(name.endswith(".png") for name in result["serial"])


def test_a_charts_png_from_its_svg_is_the_png_drawn_from_its_spec():
    import vl_convert

    from analysis.core.paths import project_root
    from analysis.pipeline import Project
    from analysis.site import fonts, region_charts, report
    from analysis.site.edition import notebook_default

    project = Project(project_root())
    as_of = int(notebook_default("as_of", project.root))
    rr = report.region_report(project.regions[0], as_of, "zh", project=project)
    figure = region_charts.indicator_figure(rr, region_charts.charted_indicators(rr)[0])
    assert figure.drawn  # drawn once, kept for the PNG
    fonts.register()
    assert figure.png() == vl_convert.vegalite_to_png(fonts.with_fonts(figure.spec), scale=2)


def test_the_narrow_drawing_is_the_wide_spec_at_the_narrow_size():
    from analysis.site import charts

    def rows(columns, *values):
        return pd.DataFrame(list(values), columns=columns)

    frame = charts.chart_frame(
        rows(["year", "qualifier", "value"], (2020, "=", 18.83), (2024, "=", 32.52), (2023, "<=", 35.0)),
        rows(["year", "qualifier", "value"], (2024, "=", 31.87)),
        rows(["target_id", "target_year", "comparator", "goal_value"], ("t-2025", 2025, ">=", 30.0)),
        rows(["year", "mean", "lower80", "upper80", "method"], (2025, 35.1, 33.7, 39.66, "pace")),
    )
    title = "居民健康素养水平 Health literacy, a title long enough to wrap in the narrow drawing"
    wide = charts.indicator_chart(frame, title, "贵阳贵安 Guiyang", "%", "zh").to_dict(validate=False)
    narrow = charts.indicator_chart(
        frame, title, "贵阳贵安 Guiyang", "%", "zh", charts.NARROW_WIDTH, charts.NARROW_HEIGHT
    ).to_dict(validate=False)
    assert narrow != wide  # the sizes and the title's lines differ, so the test can fail
    assert charts.narrow_spec(wide, title, "贵阳贵安 Guiyang") == narrow


SLEEPER = """
import os, sys, time
from pathlib import Path
from analysis.site import pages

def sleep(item):
    Path(sys.argv[1], str(item)).write_text(str(os.getpid()))
    time.sleep(120)

pages.in_processes(sleep, [1, 2])
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="the parent-death signal is Linux's")
def test_the_processes_end_when_the_page_writer_is_killed(tmp_path: Path):
    import signal
    import subprocess
    import sys
    import time

    writer = subprocess.Popen([sys.executable, "-c", SLEEPER, str(tmp_path)])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    children = [int(p.read_text()) for p in tmp_path.iterdir()]
    assert len(children) == 2
    writer.send_signal(signal.SIGKILL)  # what the build does to a writer it no longer wants
    writer.wait()

    def alive(pid: int) -> bool:
        status = Path(f"/proc/{pid}/stat")
        return status.exists() and status.read_text().split(")")[-1].split()[0] != "Z"

    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)]


def test_generate_forks_only_when_asked(tmp_path: Path, monkeypatch):
    """A caller in a process that has drawn charts (a test, a notebook) gets the serial path by default:
    forking after vl-convert started its runtime hangs the children (seen in the full suite)."""
    import types

    def no_fork():
        raise AssertionError("generate forked without being asked to")

    edition = types.SimpleNamespace(version="v")
    shared = types.SimpleNamespace(english={}, edition=edition, published=None)
    monkeypatch.setattr(pages, "Forked", no_fork)
    monkeypatch.setattr(pages, "Project", lambda root: None)
    monkeypatch.setattr(pages, "inputs", lambda *args: shared)
    monkeypatch.setattr(pages, "overview_pages", lambda project, min_grade: {"charts/en/a.svg": "<svg/>"})
    monkeypatch.setattr(pages, "language_pages", lambda shared, language: {f"{language}.qmd": language})
    monkeypatch.setattr(pages, "edition_pages", lambda *args: {"changes.qmd": "c"})
    built = pages.generate(tmp_path)
    assert set(built) == {"charts/en/a.svg", "en.qmd", "zh.qmd", "changes.qmd", pages.EDITION_FILE}
    with pytest.raises(AssertionError, match="forked"):
        pages.generate(tmp_path, workers=2)
