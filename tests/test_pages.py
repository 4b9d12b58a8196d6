"""The pages the build writes from the data: what changed between two editions, the data gaps ranked
by the targets a statistic would decide, tables cut to their first rows with every row downloadable,
and the PDF of a page printed by Chromium."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.build import pdf
from analysis.site import changes, gaps
from analysis.site.display import make_table


def editions(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=changes.EDITION_COLUMNS)


PREVIOUS = editions(
    ("2026-06-01", "a", "guizhou", "not_assessable", None, math.nan, pd.NA),
    ("2026-06-01", "b", "guizhou", "on_track", "=", 80.0, 2023),
    ("2026-06-01", "c", "bazhong", "on_track", "=", 50.0, 2023),
    ("2026-06-01", "d", "bazhong", "achieved", "=", 10.0, 2024),
)
CURRENT = editions(
    ("2026-12-01", "a", "guizhou", "achieved", "=", 95.0, 2025),  # a first figure: now judged
    ("2026-12-01", "b", "guizhou", "needs_acceleration", "=", 81.0, 2025),  # slower than required
    ("2026-12-01", "c", "bazhong", "on_track", "=", 55.0, 2025),  # a new figure, the same status
    ("2026-12-01", "d", "bazhong", "achieved", "=", 10.0, 2024),  # nothing moved
    ("2026-12-01", "e", "bazhong", "not_assessable", None, math.nan, pd.NA),  # a target added
)


def test_what_moved_between_two_editions():
    moved = changes.changes(PREVIOUS, CURRENT)
    assert dict(zip(moved["target_id"], moved["change"], strict=True)) == {
        "a": "became_assessable",
        "b": "status_changed",
        "c": "new_figure",
        "e": "new_target",
    }


def test_the_changes_page_lists_what_moved_and_says_when_nothing_did():
    page = changes.changes_page(CURRENT, PREVIOUS, "en")
    assert "became assessable: 1; status changed: 1; new figure: 1; new target: 1" in page
    assert page.index('href="targets/a.html"') < page.index('href="targets/b.html"')  # judged first
    assert 'href="targets/d.html"' not in page
    assert "first edition" in changes.changes_page(CURRENT, changes.parse(None), "en")
    assert "均无变化" in changes.changes_page(PREVIOUS, PREVIOUS, "zh")


@pytest.mark.parametrize(
    ("row", "years"),
    [
        ({"target_year": 2027, "baseline_value": math.nan, "base_value": math.nan}, [2020, 2025]),  # no base
        ({"target_year": 2027, "baseline_value": 80.0, "base_value": math.nan}, [2025]),  # the plan states it
        (
            {"target_year": 2023, "baseline_value": math.nan, "base_value": math.nan},
            [2023],
        ),  # deadline passed
    ],
)
def test_the_years_whose_figure_would_decide_a_target(row, years):
    assert gaps.years_needed(row, base_year=2020, as_of=2025) == years


def test_a_statistic_that_decides_several_targets_comes_first():
    rows = pd.DataFrame(
        [
            ("guizhou", "beds", "t1", 2025, [2025], ""),
            ("bazhong", "doctors", "t2", 2027, [2020, 2025], ""),
            ("bazhong", "doctors", "t3", 2030, [2025], ""),
            ("guizhou", "nurses", "t4", 2025, [2025], ""),
            ("bazhong", "doctors", "t5", 2025, [2025], ""),
        ],
        columns=gaps.GAP_COLUMNS,
    )
    stats = gaps.statistics(rows)
    assert stats[["rank", "region", "indicator", "targets"]].values.tolist() == [
        [1, "bazhong", "doctors", 3],
        [2, "guizhou", "beds", 1],
        [3, "guizhou", "nurses", 1],
    ]
    assert stats["years"].iloc[0] == [2020, 2025] and stats["target_ids"].iloc[0] == ["t2", "t3", "t5"]


def test_a_long_table_shows_its_first_rows_and_offers_every_row_as_a_file():
    frame = pd.DataFrame({"n": range(1, 8)})
    table = make_table(
        "long",
        [("n", "col_count")],
        [[str(n)] for n in frame["n"]],
        frame,
        "en",
        files="../downloads/en/",
        max_rows=3,
    )
    html = table.to_html()
    assert html.count("<tr><td") == 3 and "The first 3 of 7 rows are shown" in html
    assert 'href="../downloads/en/long.csv"' in html and "base64" not in html
    assert table.csv().splitlines() == ["n", *map(str, range(1, 8))]  # the file: every row
    assert table._repr_mimebundle_()["text/plain"].splitlines()[:4] == ["n", "1", "2", "3"]


def test_a_page_is_printed_to_pdf_by_chromium(tmp_path: Path):
    browser = pdf.find_browser()
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><body><h1>Guizhou · 贵州省</h1><p>92 targets</p></body></html>",
        encoding="utf-8",
    )
    target = tmp_path / "out" / "guizhou.pdf"
    pdf.print_page(browser, page, target)
    assert target.read_bytes()[:5] == b"%PDF-" and target.stat().st_size > 1000
    assert [p.name for p in target.parent.iterdir()] == ["guizhou.pdf"]  # no partial file left


def test_pdf_without_chromium_says_how_to_install_it(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(Exception, match="apt-get install chromium"):
        pdf.write_pdfs(tmp_path, ["guizhou"])
