"""Editions: `plantracker publish` freezes one into reports/editions/<date>/, builds never write one, and
the changes page always compares with the last published edition — however often the site is rebuilt,
and whatever `--min-grade` a build used."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from analysis.build import editions
from analysis.core.errors import PlanTrackerError
from analysis.io.readers import editions as edition_files
from analysis.site import changes, edition, pages


def test_an_edition_date_is_a_real_day_not_after_today():
    assert editions.check_date("2026-01-31") == "2026-01-31"
    with pytest.raises(PlanTrackerError, match="not a date"):
        editions.check_date("2026-02-30")
    with pytest.raises(PlanTrackerError, match="YYYY-MM-DD"):
        editions.check_date("20260131")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(PlanTrackerError, match="after today"):
        editions.check_date(tomorrow)


def test_the_last_published_edition_is_the_latest_date(tmp_path: Path):
    folder = tmp_path / edition_files.EDITIONS_FOLDER
    for date, status in [("2026-06-01", "a"), ("2026-12-01", "b"), ("not-a-date", "c")]:
        (folder / date).mkdir(parents=True)
        (folder / date / "status.csv").write_text(status, encoding="utf-8")
    (folder / "2027-01-01").mkdir()  # no status table: not an edition
    assert edition_files.published_dates(tmp_path) == ["2026-06-01", "2026-12-01"]
    assert edition_files.last_published(tmp_path).status_text == "b"
    assert edition_files.last_published(tmp_path / "elsewhere") is None


def test_publish_then_rebuild_twice_and_with_min_grade_the_changes_page_keeps_the_edition(project_copy: Path):
    root = project_copy
    done = editions.publish(root, "2026-12-05")
    assert done.folder == root / "reports/editions/2026-12-05" and done.targets == 228
    # not the shipped edition's: four targets' figures now rest on better-graded sources (the county
    # outpatient share on the official 92.6 % of 2023, the regional medical centres on a 2023 repost)
    assert done.same_as is None
    record = json.loads((done.folder / "edition.json").read_text(encoding="utf-8"))
    assert record["date"] == "2026-12-05" and record["targets"] == 228
    with pytest.raises(PlanTrackerError, match="already exists"):
        editions.publish(root, "2026-12-05")
    frozen = {p: p.read_bytes() for p in (root / "reports/editions").rglob("*") if p.is_file()}

    # A build with --min-grade (the filtered figures differ from the edition's) writes no edition and
    # still compares with the published one; so does every later build, which reads the same folder.
    built = pages.generate(root, min_grade="official")
    assert "edition published on 2026-12-05" in built["changes.qmd"]
    assert "2026-12-05 发布的版本" in built["zh/changes.qmd"]
    assert not any(name.startswith("reports/editions") for name in built)
    assert {p: p.read_bytes() for p in (root / "reports/editions").rglob("*") if p.is_file()} == frozen


def test_the_date_a_page_prints_comes_from_the_commit_not_the_clock(tmp_path: Path):
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env={"GIT_COMMITTER_DATE": "2025-03-04T10:00:00+00:00", "PATH": "/usr/bin:/bin"},
        )

    git("init", "-q")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    git("add", "a.txt")
    git("commit", "-qm", "a")
    assert edition.commit_of(tmp_path)[1] == "2025-03-04"
    assert edition.commit_of(tmp_path / "not-a-repo") == ("unknown", "unknown")


def test_the_status_table_of_an_edition_reads_back_as_it_was_written():
    table = changes.parse(
        "edition,target_id,region,status,latest_qualifier,latest_value,latest_year\n"
        "2026-12-05,a,guizhou,achieved,=,95.0,2025\n"
    )
    assert changes.same_edition(table, changes.parse(changes.as_text(table)))
