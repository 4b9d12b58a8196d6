"""Evidence a judgement may rest on (issue 19, points 1, 4 and 6): figures dated after the current year
refused, exact duplicates warned, one source giving values a power of ten apart refused, plan-tense
excerpts flagged and set aside, grades ranking sources before anything else, one grade per source, and
one number parser that reads a double's shortest text (17 significant digits) in every reader.

Every expected figure is worked out by hand in the comments. Files are written into a copy of the small
project of tests/fixtures/observations (six indicators, five shipped rows on example.org pages, which
source_grades.csv grades `unverified`).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli import app
from analysis.core import numbers
from analysis.core.errors import DataError, errors_in
from analysis.core.paths import project_root
from analysis.core.schema import PROJECT_OBSERVATIONS, ROW
from analysis.io.readers import catalogue as catalogue_files
from analysis.io.readers import observations as observation_files
from analysis.observations import checks, conflicts, evidence, grading
from analysis.pipeline import Project

REPO = project_root()
SMALL = Path(__file__).parent / "fixtures" / "observations" / "small_project"
HEADER = "region,indicator,year,value,source_url,source_kind,excerpt,note"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(SMALL, root)
    for name in ("observation_rules.yaml", "source_grades.csv"):
        shutil.copy(REPO / "data" / name, root / "data" / name)
    return root


@pytest.fixture(scope="module")
def rules():
    return Project(REPO).rules


def write(folder: Path, name: str, *lines: str, header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path, root: Path) -> list:
    """The problems `validate FILE` reports for one file (checked beside the project's own rows)."""
    return pipeline.validate_observation_files(Project(root), [path])


# ---------------------------------------------------------------------------------------------------
# 6. One number parser: 17 significant digits read everywhere, more refused


def test_a_doubles_shortest_text_is_read_with_all_its_digits(rules):
    # pandas' to_csv writes 7.2215300547391434: 1 + 16 = 17 significant digits, 16 decimals
    parsed = numbers.parse_value("7.2215300547391434", rules)
    assert (parsed.value, parsed.decimals) == (7.2215300547391434, 16)
    assert numbers.parse_plain("7.2215300547391434") == 7.2215300547391434


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("123456789012345678", 18),  # one digit more than a double's shortest text
        ("1234567890.12345678", 18),
        ("12345678901234567890", 20),
    ],
)
def test_more_than_17_significant_digits_are_refused(text, digits, rules):
    with pytest.raises(
        ValueError, match=f"has {digits} digits: more than a figure can have \\(17 at most\\)"
    ):
        numbers.parse_value(text, rules)
    with pytest.raises(ValueError, match=f"{digits} digits"):
        numbers.parse_plain(text)


def test_leading_zeros_are_not_significant():
    # 0.000000000000000012345 has 5 significant digits, though 21 decimals
    assert numbers.parse_plain("0.000000000000000012345") == 1.2345e-17


def test_the_fast_path_accepts_exactly_what_the_parser_accepts():
    cells = pd.Series(["7.2215300547391434", "123456789012345.12", "123456789012345.123", "92.5", "-3"])
    # 17, 17, 18, 3, 1 significant digits: the third is not plain, and the parser refuses it too
    assert numbers.plain_cells(cells).tolist() == [True, True, False, True, True]
    with pytest.raises(ValueError, match="18 digits"):
        numbers.parse_plain("123456789012345.123")


def test_an_exponent_that_overflows_is_refused_by_the_catalogue_reader():
    # 1e999 is beyond the largest double (about 1.8e308): it would read as infinity
    frame = pd.DataFrame({ROW: [2, 3], "value": ["1.5e-06", "1e999"]})
    values, problems = catalogue_files.numbers(
        frame, "value", "calibration.csv", required=True, exponent=True
    )
    assert values.iloc[0] == 1.5e-06
    assert [(p.row, p.column) for p in problems] == [(3, "value")]


def test_a_target_value_with_17_digits_is_read_by_the_catalogue_reader():
    frame = pd.DataFrame({ROW: [2, 3], "target_value": ["7.2215300547391434", "123456789012345678"]})
    values, problems = catalogue_files.numbers(frame, "target_value", "targets.csv", required=True)
    assert values.iloc[0] == 7.2215300547391434
    assert [(p.row, "18 digits" in p.message) for p in problems] == [(3, True)]


@pytest.mark.parametrize(
    ("number", "percent", "text"),
    [
        (7.2215300547391434, False, "7.2215300547391434"),
        (0.925, True, "92.5"),  # 0.925 * 100 is 92.50000000000001 in floating point
        (1e16, False, "10000000000000000"),  # no exponent: the parser refuses exponents
        (-0.1234, True, "-12.34"),
        (5.0, False, "5"),
    ],
)
def test_a_workbook_number_is_written_as_its_shortest_text(number, percent, text):
    assert numbers.shortest_text(number, percent) == text


def test_forecast_and_validate_read_the_same_17_digit_cell(project, tmp_path):
    path = write(
        tmp_path,
        "machine.csv",
        "guizhou,health_literacy_rate,2021,7.2215300547391434,http://example.org/m,,to_csv output,",
        "guizhou,health_literacy_rate,2022,8.5,http://example.org/m,,to_csv output,",
    )
    assert errors_in(problems_of(path, project)) == []
    series, _ = pipeline.read_series(path, Project(project))
    assert series.set_index("year").at[2021, "value"] == 7.2215300547391434


def test_a_workbook_cell_keeps_all_its_digits(project, tmp_path):
    # openpyxl stores 7.2215300547391434 as <v>7.221530054739143</v> (16 digits); the reader used to
    # round it to 15 (7.22153005473914), a figure the CSV reader would not have read
    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(HEADER.split(","))
    sheet.append(["guizhou", "health_literacy_rate", 2021, 7.2215300547391434, "http://example.org/x"])
    book.save(tmp_path / "machine.xlsx")
    table = observation_files.read_observation_file(tmp_path / "machine.xlsx", project)
    assert table.frame(["value"])["value"].iloc[0] == "7.221530054739143"


def test_forecast_command_accepts_the_17_digit_cell(tmp_path, monkeypatch):
    path = write(
        tmp_path,
        "machine.csv",
        *[
            f"guizhou,health_literacy_rate,{year},{value},,,,"
            for year, value in [(2019, "20.1"), (2020, "21.3"), (2021, "7.2215300547391434"), (2022, "24.9")]
        ],
    )
    monkeypatch.setenv("PLANTRACKER_ROOT", str(REPO))  # the project's calibration and settings
    result = CliRunner().invoke(
        app, ["forecast", str(path), "--to", "2025", "--out", str(tmp_path / "f.csv")]
    )
    assert "17 digits" not in result.output
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------------
# 4. Dates: a figure dated after the current year is refused


def small_context(this_year: int) -> checks.Context:
    indicators = pd.read_csv(SMALL / "data" / "indicators.csv", dtype=str, keep_default_na=False)
    return checks.make_context(indicators, ["guizhou"], Project(REPO).rules, this_year=this_year)


def table(*rows: dict) -> pd.DataFrame:
    """Rows as a reader gives them: every column of the contract as text, and the spreadsheet row."""
    columns = PROJECT_OBSERVATIONS.columns
    return pd.DataFrame([{ROW: i + 2, **dict.fromkeys(columns, ""), **r} for i, r in enumerate(rows)])


def row(year: str, value: str = "30", url: str = "http://example.org/a", excerpt: str = "", note: str = ""):
    return {
        "region": "guizhou",
        "indicator": "health_literacy_rate",
        "year": year,
        "value": value,
        "source_url": url,
        "source_kind": "official_news",
        "excerpt": excerpt,
        "note": note,
    }


def test_a_figure_dated_after_the_current_year_is_refused_at_its_cell():
    frame = table(row("2026"), row("2027"))
    header = list(PROJECT_OBSERVATIONS.columns)
    clean, problems = checks.check_table(header, {}, frame, "f.csv", small_context(this_year=2026))
    # 2026 is the current year: allowed; 2027 has not happened yet: refused at row 3, column year
    (error,) = errors_in(problems)
    assert (error.file, error.row, error.column) == ("f.csv", 3, "year")
    assert "year 2027 is after the current year (2026)" in error.message
    assert "targets.csv" in error.fix
    assert clean["year"].tolist() == [2026]


def test_validate_refuses_next_year_naming_file_row_and_column(project, tmp_path):
    next_year = date.today().year + 1
    path = write(
        tmp_path, "future.csv", f"guizhou,health_literacy_rate,{next_year},30,http://example.org/f,,,"
    )
    (error,) = errors_in(problems_of(path, project))
    assert (error.file.endswith("future.csv"), error.row, error.column) == (True, 2, "year")
    with pytest.raises(DataError, match="after the current year"):
        pipeline.load_observations(Project(project), extra=[path])


# ---------------------------------------------------------------------------------------------------
# 4. Slips: exact duplicates warned once; one source, values a power of ten apart, refused


def test_an_exact_duplicate_is_warned_once_naming_both_rows(project, tmp_path):
    same = "guizhou,health_literacy_rate,2022,25.1,http://example.org/d,,二〇二二年25.1%,"
    path = write(
        tmp_path, "dup.csv", same, "guizhou,health_literacy_rate,2021,24.0,http://example.org/d,,,", same
    )
    problems = [p for p in problems_of(path, project) if "same row" in p.message]
    # rows 2 and 4 are identical; one warning, at the second of them
    assert [(p.row, p.severity) for p in problems] == [(4, "warning")]
    assert "rows 2 and 4 are the same row" in problems[0].message


def test_three_copies_give_one_warning_naming_all_three(project, tmp_path):
    same = "guizhou,health_literacy_rate,2022,25.1,http://example.org/d,,,"
    path = write(
        tmp_path, "dup3.csv", same, same, "guizhou,health_literacy_rate,2020,19,http://example.org/e,,,", same
    )
    (warning,) = [p for p in problems_of(path, project) if "same row" in p.message]
    assert warning.row == 3 and "rows 2, 3 and 5 are the same row" in warning.message


def test_rows_differing_in_one_cell_are_not_duplicates(project, tmp_path):
    path = write(
        tmp_path,
        "near.csv",
        "guizhou,health_literacy_rate,2022,25.1,http://example.org/d,,a,",
        "guizhou,health_literacy_rate,2022,25.1,http://example.org/d,,b,",
    )
    assert not [p for p in problems_of(path, project) if "same row" in p.message]


@pytest.mark.parametrize(
    ("a", "b", "k"),
    [
        (98, 9.8, 1),
        (9.8, 98, 1),
        (1200, 12, 2),
        (0.5, 50, 2),
        (98, 9.7, 0),
        (98, 97, 0),
        (0, 0, 0),
        (-5, 50, 0),
        (33, 33, 0),
    ],
)
def test_tenfold_finds_values_a_power_of_ten_apart(a, b, k):
    assert evidence._tenfold(a, b) == k


def test_one_source_giving_98_and_9_8_is_refused_naming_both_rows(project, tmp_path):
    path = write(
        tmp_path,
        "slip.csv",
        "guizhou,health_literacy_rate,2023,98,http://example.org/same,,,",
        "guizhou,health_literacy_rate,2023,9.8,http://example.org/same,,,",
    )
    (error,) = errors_in(problems_of(path, project))
    assert (error.row, error.column) == (3, "value")
    assert "gives 98 (" in error.message and "row 2) and 9.8 (" in error.message
    assert "row 3), 10 times apart" in error.message
    with pytest.raises(DataError, match="10 times apart"):
        pipeline.load_observations(Project(project), extra=[path])


def test_two_sources_giving_98_and_9_8_are_a_conflict_not_a_slip(project, tmp_path):
    path = write(
        tmp_path,
        "two.csv",
        "guizhou,health_literacy_rate,2023,98,http://example.org/one,,,",
        "guizhou,health_literacy_rate,2023,9.8,http://example.org/two,,,",
    )
    problems = problems_of(path, project)
    assert errors_in(problems) == []
    # both unverified, one page each: the more precise 9.8 is used, the warning sits on 98 (row 2)
    assert [p.row for p in problems if "sources disagree" in p.message] == [2]


def test_a_power_of_ten_across_years_is_not_a_slip(project, tmp_path):
    path = write(
        tmp_path,
        "years.csv",
        "guizhou,health_literacy_rate,2022,98,http://example.org/same,,,",
        "guizhou,health_literacy_rate,2023,9.8,http://example.org/same,,,",
    )
    assert errors_in(problems_of(path, project)) == []


# ---------------------------------------------------------------------------------------------------
# 4. Plans are not results


@pytest.mark.parametrize(
    ("excerpt", "figure", "marker"),
    [
        ("力争到2025年达到95%", "95", "力争"),
        ("预计2025年全省将达到80%", "80", "预计"),
        ("到2025年，全省将建成200个县域医疗次中心", "200", "将建成"),
        ("目标是到2025年覆盖率达到90%", "90", "目标是"),
        ("计划新建3所医院", "3", "计划"),
        ("有望突破1000家", "1000", "有望"),
        ("2015年預計比2010年提高1歲,達到75.8歲", "75.8", "預計"),  # the 预计 governs the whole sentence
        # results
        ("全省已建成200个县域医疗次中心", "200", ""),
        ("县域内就诊率已达到92.6%", "92.6", ""),
        ("健康素养水平提升至32.52%", "32.52", ""),
        ("2023年预计已达到90%", "90", ""),  # 已: an estimate of what happened
        ("人均预期寿命达到78.6岁", "78.6", ""),  # 预期寿命 is life expectancy, not 预计
        ("《2015年中國衛生和計劃生育事業發展統計公報》每千人口執業醫師2.21人", "2.21", ""),  # family planning
        ("截至2021年底托位数为2.03个,距离十四五期末4.5个的目标尚存很大差距", "2.03", ""),
        ("积极争取到2个国家区域医疗中心落地", "2", ""),  # 争取到 2 = obtained
        ("以构建整合型服务体系为目标,1475个卫生院全部纳入", "100", ""),
        ("达到75.8岁 [preliminary estimate 预计]", "75.8", ""),  # the seed's own note is not the source
        # a result beside a plan: the clause that prints the figure decides
        ("第一批50个次中心已全部完成建设,第二批50个次中心将在今年年底前建成并投用", "50", ""),
        ("已完成50个，力争2025年达到100个", "100", "力争"),
        ("已完成50个，力争2025年达到100个", "50", ""),
    ],
)
def test_plan_wording_is_found_and_results_are_let_through(excerpt, figure, marker, rules):
    assert evidence.plan_marker(excerpt, "", figure, rules) == marker


def test_a_note_beginning_result_makes_a_plan_worded_row_a_result(rules):
    excerpt = "将200个乡镇卫生院建成县域医疗次中心"
    assert evidence.plan_marker(excerpt, "", "200", rules).startswith("将")
    assert evidence.plan_marker(excerpt, "result: the 2025 review reports them built", "200", rules) == ""
    assert evidence.plan_marker(excerpt, "Result - press conference of 2025-12-08", "200", rules) == ""
    assert evidence.plan_marker(excerpt, "not a result", "200", rules).startswith("将")


def test_a_plan_row_is_warned_and_not_used_when_a_result_exists(project, tmp_path):
    path = write(
        tmp_path,
        "plan.csv",
        "guizhou,county_medical_subcentres,2025,200,http://example.org/p,,到2025年将建成200个次中心,",
        "guizhou,county_medical_subcentres,2025,150,http://example.org/r,,已建成150个次中心,",
    )
    (warning,) = [p for p in problems_of(path, project) if "states a plan" in p.message]
    assert (warning.row, warning.column, warning.severity) == (2, "excerpt", "warning")
    frame = pipeline.load_observations(Project(project), extra=[path])
    mine = frame[frame["source_file"].str.endswith("plan.csv")].set_index("source_row")
    # the plan's 200 is set aside; 150 stands alone, and the two do not conflict
    assert mine.loc[2, ["used", "resolution", "n_sources"]].tolist() == [False, "plan", 0]
    assert mine.loc[3, ["used", "conflict", "n_sources"]].tolist() == [True, False, 1]


def test_a_key_with_only_a_plan_has_no_figure_unless_the_note_says_result(project, tmp_path):
    line = "guizhou,county_medical_subcentres,2025,200,http://example.org/p,,将200个卫生院建成次中心,{}"
    plan = write(tmp_path, "plan_only.csv", line.format(""))
    resolved = conflicts.resolve(pipeline.load_observations(Project(project), extra=[plan]))
    assert ("county_medical_subcentres", 2025) not in set(
        zip(resolved["indicator"], resolved["year"], strict=True)
    )
    result = write(tmp_path, "plan_result.csv", line.format("result: the 2025 press conference reviews them"))
    assert not [p for p in problems_of(result, project) if "states a plan" in p.message]
    resolved = conflicts.resolve(pipeline.load_observations(Project(project), extra=[result]))
    got = resolved.set_index(["indicator", "year"]).loc[("county_medical_subcentres", 2025), "value"]
    assert got == 200


# ---------------------------------------------------------------------------------------------------
# 1. The best grade decides, before corroboration, precision and the seed's source kind


def graded(*specs) -> pd.DataFrame:
    """Rows of one key: (qualifier, value, source kind, url, grade, decimals)."""
    return pd.DataFrame(
        [
            {
                "region": "guizhou",
                "indicator": "county_outpatient_share",
                "year": 2023,
                "qualifier": q,
                "value": v,
                "source_kind": k,
                "source_url": u,
                "grade": g,
                "decimals": d,
            }
            for q, v, k, u, g, d in specs
        ]
    )


def test_grade_beats_kind_in_a_conflict(rules):
    # 90 from a `statistical_bulletin` on a spam mirror against 92.6 `other` on a .gov.cn page
    marked = conflicts.mark_resolution(
        graded(
            ("=", 90, "statistical_bulletin", "u1", "unverified", 0),
            ("=", 92.6, "other", "u2", "official", 1),
        ),
        rules,
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["value"], used["conflict"], used["reason"]) == (
        92.6,
        True,
        "grade official outranks unverified",
    )


def test_grade_beats_corroboration_and_precision(rules):
    # 90.12 on two unverified pages (more support, more decimals) against 92.6 on one official_media page
    marked = conflicts.mark_resolution(
        graded(
            ("=", 90.12, "other", "u1", "unverified", 2),
            ("=", 90.12, "other", "u2", "unverified", 2),
            ("=", 92.6, "other", "u3", "official_media", 1),
        ),
        rules,
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["value"], used["n_sources"]) == (92.6, 1)
    assert used["reason"] == "grade official_media outranks unverified"


def test_corroboration_decides_within_a_grade(rules):
    marked = conflicts.mark_resolution(
        graded(
            ("=", 90.1, "other", "u1", "repost", 1),
            ("=", 90.1, "other", "u2", "repost", 1),
            ("=", 92.64, "other", "u3", "repost", 2),
        ),
        rules,
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["value"], used["n_sources"], used["reason"]) == (
        90.1,
        2,
        "2 sources agree with it against 1",
    )


def test_a_lower_grade_figure_does_not_replace_a_higher_grade_bound(rules):
    # official "<= 12" and an unverified 11.8 agree; the status rests on the official bound, which
    # the 11.8 corroborates (2 sources)
    marked = conflicts.mark_resolution(
        graded(("<=", 12, "other", "u1", "official", 0), ("=", 11.8, "other", "u2", "unverified", 1)), rules
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["qualifier"], used["value"], used["n_sources"], used["conflict"]) == ("<=", 12, 2, False)


def test_a_same_grade_figure_still_replaces_a_bound(rules):
    marked = conflicts.mark_resolution(
        graded(("<=", 12, "other", "u1", "official", 0), ("=", 11.8, "other", "u2", "official", 1)), rules
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["qualifier"], used["value"], used["n_sources"]) == ("=", 11.8, 2)


def test_shipped_health_literacy_2024_uses_its_best_graded_page():
    """Guizhou health literacy 2024: 32.52 % on z9z0k.cn (a spam-like mirror, unverified) and on the
    yuhaojiang.com copy of 贵州日报 (a repost that names its original): the repost is used."""
    frame = pipeline.load_observations(Project(REPO))
    key = frame[
        (frame["region"] == "guizhou")
        & (frame["indicator"] == "health_literacy_rate")
        & (frame["year"] == 2024)
    ]
    used = key[key["used"]].iloc[0]
    assert (used["grade"], used["value"]) == ("repost", 32.52)
    assert "yuhaojiang.com" in used["source_url"]


def test_no_used_figure_rests_on_a_lower_grade_than_its_key_offers():
    frame = pipeline.load_observations(Project(REPO))
    evidence_rows = frame[frame["resolution"] != "plan"]
    rank = evidence_rows["grade"].map(["official", "official_media", "repost", "unverified"].index)
    best = rank.groupby([evidence_rows[c] for c in ("region", "indicator", "year")]).transform("min")
    used = evidence_rows["used"]
    assert (rank[used] == best[used]).all()


def test_one_source_graded_two_ways_is_warned_naming_both_rows(project, tmp_path):
    # no rule names example.net: the first excerpt names 新华社 (a repost), the second names nothing
    path = write(
        tmp_path,
        "grades.csv",
        "guizhou,health_literacy_rate,2021,24,http://example.net/page,,（新华社）健康素养水平24%,",
        "guizhou,health_literacy_rate,2022,25,http://example.net/page,,健康素养水平25%,",
    )
    (warning,) = [p for p in problems_of(path, project) if "one source has one grade" in p.message]
    assert (warning.row, warning.column, warning.severity) == (3, "source_url", "warning")
    assert "graded repost in" in warning.message and "row 2" in warning.message
    assert "unverified in" in warning.message and "row 3" in warning.message


def test_every_shipped_site_has_one_grade():
    """gwycn.cn and nanfei.cn were graded repost in one row and unverified in another (one excerpt named
    the original, the other did not): a domain rule now grades every page of each site alike."""
    frame = pipeline.load_observations(Project(REPO))
    hosts = frame["source_url"].map(grading.host_of)
    per_host = frame.groupby(hosts)["grade"].nunique()
    assert per_host.max() == 1, per_host[per_host > 1]
    gwycn = frame[hosts == "www.gwycn.cn"]
    assert set(gwycn["grade"]) == {"repost"} and len(gwycn) == 4
    problems = pipeline.validate_observation_files(Project(REPO))
    assert not [p for p in problems if "one source has one grade" in p.message]


def test_shipped_county_outpatient_share_rests_on_the_official_figure():
    """Guizhou's county outpatient share: 92.6 % in 2023 on wjw.guizhou.gov.cn (official) and > 90 % in
    2025 on gwycn.cn (repost). The level target ≥ 90 % by 2027 is met by the official figure alone, so the
    status rests on it: achieved, official, not provisional, 92.6 (2023) shown as the latest figure."""
    project = Project(REPO)
    resolved = conflicts.resolve(pipeline.load_observations(project))
    targets = project.targets[project.targets["target_id"] == "000-county_outpatient_share-2027"]
    row = pipeline.assess(targets, project.indicators, resolved, 2025, project).iloc[0]
    assert (row["status"], row["grade"], bool(row["provisional"])) == ("achieved", "official", False)
    assert (row["measured_value"], row["measured_year"]) == (92.6, 2023)
    assert "not used: > 90 % (2025, repost)" in row["reason"]


# --- quantities as promised -----------------------------------------------------------------------


def card_row(**changes) -> dict:
    """A target page's row as targets_frame gives it: 新建108个 from 2024, 150 then, 200 in 2025."""
    row = {
        "measure": "increase",
        "kind": "count",
        "target_value": 108.0,
        "comparator": ">=",
        "unit": "count",
        "indicator_unit": "count",
        "direction": "higher",
        "goal_comparator": ">=",
        "goal_value": 258.0,
        "base_value": 150.0,
        "base_year": 2024,
        "base_decimals": 0,
        "latest_qualifier": "=",
        "latest_value": 200.0,
        "latest_year": 2025,
        "latest_decimals": 0,
        "latest_source_url": "https://example.org/2025",
        "measured_value": 50.0,
        "measured_unit": "count",
        "decimals": 0,
    }
    return row | changes


def plain(html_text: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_text)).strip()


def test_an_increase_card_shows_the_change_and_the_level_it_implies():
    from analysis.site import region_words

    row = card_row()
    assert plain(region_words.latest_html(row)) == "+50 since 2024 (150 → 200) (2025)"
    assert region_words.target_text(row) == "+108, i.e. ≥ 258"
    assert plain(region_words.latest_html(row, "zh")) == "自2024年以来+50（150 → 200） (2025)"
    assert region_words.target_text(row, "zh") == "+108，即≥ 258"


def test_a_level_is_never_shown_in_points():
    from analysis.site import region_words

    # 提升1—2个百分点: a change in points of a level in %; without the indicator's unit the level is in %
    row = card_row(
        unit="percentage points",
        indicator_unit=None,
        measured_value=None,
        latest_value=32.52,
        latest_year=2024,
        latest_decimals=2,
        target_value=1.0,
        goal_value=None,
    )
    assert plain(region_words.latest_html(row)) == "32.52 % (2024)"
    assert region_words.target_text(row) == "+1 points"


def test_a_fall_target_reads_as_a_fall():
    from analysis.site import region_words

    # 降低20%: a relative fall of at least 20 % from 10.0 ‰: met at ≤ 8.0 ‰
    row = card_row(
        measure="relative_change",
        direction="lower",
        target_value=20.0,
        unit="‰",
        indicator_unit="‰",
        goal_comparator="<=",
        goal_value=8.0,
        base_decimals=1,
    )
    assert region_words.target_text(row) == "−20 %, i.e. ≤ 8.0 ‰"


def test_a_change_target_without_its_base_shows_no_base():
    """002 health literacy -b: +1 point from 2023, which has no figure; the nearest (2024) is after the
    last usable year, so no base is used and none is shown (it was 32.52 "(2023)")."""
    project = Project(REPO)
    resolved = conflicts.resolve(pipeline.load_observations(project))
    targets = project.targets[project.targets["target_id"] == "002-health_literacy_rate-2025-b"]
    row = pipeline.assess(targets, project.indicators, resolved, 2025, project).iloc[0]
    assert row["status"] == "not_assessable"
    assert pd.isna(row["base_value"])


def test_assess_measures_the_promised_change_with_the_base_year_used():
    project = Project(REPO)
    resolved = conflicts.resolve(pipeline.load_observations(project))
    targets = project.targets[project.targets["target_id"] == "000-county_medical_subcentres-2027"]
    row = pipeline.assess(targets, project.indicators, resolved, 2025, project).iloc[0]
    # 150 (2024) → 200 (2025): the promised quantity is the change, +50, against +108 (level 258)
    assert (row["measured_value"], row["base_value"], row["base_year"]) == (50.0, 150.0, 2024)
    assert (row["goal_comparator"], row["goal_value"]) == (">=", 258.0)


# --- a filtered build says so ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_grade", "left", "language", "expected"),
    [
        (
            "official_media",
            3,
            "en",
            "Built from official and official-media sources only; 3 lower-grade figures left out",
        ),
        (
            "repost",
            1,
            "en",
            "Built from official, official-media and repost sources only; 1 lower-grade figure left out",
        ),
        ("official", 0, "en", "Built from official sources only"),
        ("official_media", 3, "zh", "仅依据官方和官方媒体来源；3 个较低等级来源的数字未采用"),
        (None, 5, "en", ""),
    ],
)
def test_a_filtered_build_names_its_sources_and_what_it_left_out(min_grade, left, language, expected):
    from analysis.site import region_words

    assert region_words.sources_note(min_grade, left, language) == expected


@pytest.fixture(scope="module")
def filtered_guizhou():
    from analysis.site import region_data

    return region_data.region_report("guizhou", 2025, "en", project=Project(REPO), min_grade="official_media")


def test_a_filtered_target_page_says_its_figures_were_left_out_not_unpublished(filtered_guizhou):
    """Guizhou health literacy: 18.83 (2020) and 32.52 (2024) on z9z0k.cn (unverified), 12.69 (2016) and
    32.52 (2024) on yuhaojiang.com (repost): an official-media build leaves out all four."""
    from analysis.core.labels import label
    from analysis.site import target_pages

    rr = filtered_guizhou
    assert len(rr.left_out[rr.left_out["indicator"] == "health_literacy_rate"]) == 4
    text = target_pages.figures_table(rr, "health_literacy_rate", "en")
    assert label("word_no_figures", "en") not in text
    assert "official and official-media sources only; 4 lower-grade figures left out" in text
    row = {"target_id": "t", "status": "not_assessable", "reason": "", "provisional": False}
    csv_frame = target_pages.target_csv(row, target_pages.figures_frame(rr, "health_literacy_rate"), "note")
    assert set(csv_frame["sources"]) == {"note"}


def test_a_filtered_region_page_says_so_in_its_headline(filtered_guizhou):
    from analysis.site import report

    text = report.headline_note(filtered_guizhou).text
    assert "Built from official and official-media sources only;" in text
    assert "仅依据官方和官方媒体来源；" not in text  # an English page reads as English
    from dataclasses import replace

    zh = report.headline_note(replace(filtered_guizhou, language="zh")).text
    assert "仅依据官方和官方媒体来源；" in zh and "Built from" not in zh
    own = pipeline.load_observations(Project(REPO))
    own = own[(own["region"] == "guizhou") & (own["year"] <= 2025)]
    worse = own["grade"].isin(["repost", "unverified"]).sum()
    assert f"{worse} lower-grade figures left out" in text and worse == len(filtered_guizhou.left_out)


# --- citations ------------------------------------------------------------------------------------


def edition(site_url: str = "https://example.org/plan-tracker"):
    from analysis.site.edition import Edition

    return Edition("1.2.0", "abc1234", "2026-12-01", 2025, {"guizhou": 2025}, site_url)


def test_the_site_address_is_read_from_quarto_yml(tmp_path):
    from analysis.io.readers import settings

    assert settings.site_url(tmp_path) == ""  # no _quarto.yml
    (tmp_path / "_quarto.yml").write_text("website:\n  title: x\n", encoding="utf-8")
    assert settings.site_url(tmp_path) == ""
    (tmp_path / "_quarto.yml").write_text("website:\n  site-url: https://example.org/pt/\n", encoding="utf-8")
    assert settings.site_url(tmp_path) == "https://example.org/pt"


def test_a_citation_carries_its_absolute_url_and_access_date():
    text = edition().cite("“t” (t-1)", "targets/t-1.html", "en")
    assert text.endswith("https://example.org/plan-tracker/targets/t-1.html. Accessed 2026-12-01.")
    zh = edition().cite("“t” (t-1)", "zh/targets/t-1.html", "zh")
    assert zh.endswith("https://example.org/plan-tracker/zh/targets/t-1.html，访问日期：2026-12-01。")


def test_without_a_site_address_a_citation_says_its_path_is_relative():
    text = edition("").cite("“t” (t-1)", "targets/t-1.html", "en")
    assert "targets/t-1.html (a path within the site" in text and "Accessed 2026-12-01." in text


def test_bibtex_and_ris_records_of_a_page():
    from analysis.site import citations

    bib = citations.bibtex(
        "k", "A & B (t-1)", "targets/t-1.html", edition(), "en", "Built from official sources only"
    )
    assert bib.startswith("@online{k,\n")
    assert "  title = {{A \\& B (t-1)}},\n" in bib
    assert "  url = {https://example.org/plan-tracker/targets/t-1.html},\n" in bib
    assert "  urldate = {2026-12-01},\n" in bib
    assert (
        "note = {Edition of 2026-12-01; data up to 2025; version 1.2.0, commit abc1234; "
        "Built from official sources only}" in bib
    )
    ris = citations.ris("A & B (t-1)", "targets/t-1.html", edition(), "en").splitlines()
    assert ris[0] == "TY  - ELEC" and ris[-1] == "ER  -"
    assert "UR  - https://example.org/plan-tracker/targets/t-1.html" in ris
    assert "Y2  - 2026/12/01" in ris and "DA  - 2026/12/01" in ris


def test_a_target_page_cites_itself_with_url_bibtex_and_ris(filtered_guizhou):
    import yaml

    from analysis.site import citations, report, target_pages

    rr = filtered_guizhou
    row = report.targets_frame(rr).set_index("target_id").loc["000-county_outpatient_share-2027"]
    row = {"target_id": "000-county_outpatient_share-2027", **row.to_dict()}
    page = target_pages.target_page(rr, row, None, "", edition(), "en")
    front = yaml.safe_load(page.split("---")[1])
    url = "https://example.org/plan-tracker/targets/000-county_outpatient_share-2027.html"
    assert front["citation"]["url"] == url and front["citation"]["accessed"] == "2026-12-01"
    assert f"{url}. Accessed 2026-12-01." in page
    assert "[Built from official and official-media sources only; 1 lower-grade figure left out]" in page
    assert 'class="pt-filtered"' in page
    assert 'href="../downloads/en/cite/000-county_outpatient_share-2027.bib"' in page
    files = citations.records("000-county_outpatient_share-2027", "t", "targets/x.html", edition(), "en")
    assert set(files) == {
        "downloads/en/cite/000-county_outpatient_share-2027.bib",
        "downloads/en/cite/000-county_outpatient_share-2027.ris",
    }


def test_a_figure_after_the_as_of_year_is_marked_not_used(filtered_guizhou):
    """As of 2022, the official 92.6 % (2023) of the county outpatient share is listed but not used: the
    page says it is after the year assessed."""
    from dataclasses import replace

    from analysis.site import target_pages

    rr = replace(filtered_guizhou, as_of=2022)
    text = target_pages.figures_table(rr, "county_outpatient_share", "en")
    assert re.search(r'<td class="pt-col-year"[^>]*>2023</td>', text)
    assert re.search(r'<td class="pt-col-used"[^>]*>no: after 2022, the year assessed</td>', text)
    frame = target_pages.figures_frame(rr, "county_outpatient_share")
    record = frame.iloc[0].to_dict()
    assert target_pages.used_text(record, 2022, "是", "否", "zh") == "否：晚于评估年份 2022 年"
    assert target_pages.used_text(record, 2023, "yes", "no", "en") == "yes"


def test_a_filtered_region_table_and_overview_say_so(filtered_guizhou):
    import io

    from analysis.site import overview, report

    table = report.targets_table(filtered_guizhou)
    frame = pd.read_csv(io.StringIO(table.csv()))
    note = "Built from official and official-media sources only"
    assert set(frame["sources"]) == {f"{note}; {len(filtered_guizhou.left_out)} lower-grade figures left out"}
    ov = overview.gather(2025, "en", project=Project(REPO), min_grade="official_media")
    every = pipeline.load_observations(Project(REPO))
    worse = int(((every["year"] <= 2025) & every["grade"].isin(["repost", "unverified"])).sum())
    assert ov.left_out == worse
    (banner, *_) = overview.status_mix_section(ov)
    assert (
        banner.text
        == f"Built from official and official-media sources only; {worse} lower-grade figures left out"
    )
    assert overview.data_page(ov)[0].text == banner.text
    assert not overview.filtered_banner(None, 0, "en")


def test_the_region_page_cites_itself_and_explains_its_badges(filtered_guizhou):
    from analysis.site import report

    heading, links = report.cite_section(filtered_guizhou)
    assert 'href="../downloads/en/cite/region-guizhou.bib"' in links.html
    assert 'href="../downloads/en/cite/region-guizhou.ris"' in links.html
    legend = report.grade_legend(filtered_guizhou).html
    for grade in ("official", "official_media", "repost", "unverified"):
        assert f"pt-grade-{grade}" in legend
    assert 'class="pt-provisional"' in legend and "rests only on repost or unverified pages" in legend
