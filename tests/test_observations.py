"""Observations: reading figures as typed, checking files, the conflict rule, templates, the shipped data.

Fixtures live in tests/fixtures/observations/: `small_project/` is a tiny project (six indicators, four
synthetic targets, five shipped rows); `bad/` holds one file per defect, `good/` files that load.
Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli.commands import app
from analysis.core import numbers, schema
from analysis.core.errors import DataError, errors_in
from analysis.core.paths import project_root
from analysis.io.readers import observations as observation_files
from analysis.io.readers.observations import load_rules
from analysis.observations import conflicts
from analysis.observations import seed as seeding
from analysis.pipeline import Project

FIXTURES = Path(__file__).parent / "fixtures" / "observations"
BAD, GOOD = FIXTURES / "bad", FIXTURES / "good"
REPO = project_root()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the small project, with the real rules file, that a test may write into."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "small_project", root)
    for name in ("observation_rules.yaml", "source_grades.csv"):
        shutil.copy(REPO / "data" / name, root / "data" / name)
    return root


@pytest.fixture(scope="module")
def rules() -> schema.Rules:
    return load_rules(REPO)


# ---------------------------------------------------------------------------------------------------
# Reading figures as people type them


@pytest.mark.parametrize(
    ("text", "qualifier", "value", "mark"),
    [
        ("92.5", "=", 92.5, None),
        ("92.5%", "=", 92.5, "%"),
        ("92。5%", "=", 92.5, "%"),  # 。 as a decimal mark
        ("９２．５", "=", 92.5, None),  # full-width digits and point
        ("≥90%", ">=", 90.0, "%"),
        ("90%以上", ">=", 90.0, "%"),  # 以上 includes the number
        ("不低于90%", ">=", 90.0, "%"),
        ("保持在90%以上", ">=", 90.0, "%"),  # 保持在 is filler; the bound comes from 以上
        ("超过90%", ">", 90.0, "%"),  # 超过 excludes the number
        ("12/10万", "=", 12.0, "/10万"),
        ("控制在12/10万以下", "<=", 12.0, "/10万"),
        ("3.5‰", "=", 3.5, "‰"),
        ("5‰及以下", "<=", 5.0, "‰"),
        ("＜5", "<", 5.0, None),
        ("1,818.1", "=", 1818.1, None),  # thousands separator
        ("200个", "=", 200.0, "个"),
        (" 78.6 岁 ", "=", 78.6, "岁"),
    ],
)
def test_parse_value_reads_each_typed_form(text, qualifier, value, mark, rules):
    parsed = numbers.parse_value(text, rules)
    assert (parsed.qualifier, parsed.value, parsed.mark) == (qualifier, value, mark)


def test_parse_value_keeps_the_precision_as_printed(rules):
    # 8.80 and 8.8 are the same number but 8.80 was printed with two decimals
    assert numbers.parse_value("8.80", rules).decimals == 2
    assert numbers.parse_value("79", rules).decimals == 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("about 25", "not a number"),
        ("", "empty"),
        ("25 percent", "cannot read 'percent'"),
        ("≥90%以下", "two different bounds"),
    ],
)
def test_parse_value_refuses_what_it_cannot_read(text, words, rules):
    with pytest.raises(ValueError, match=words):
        numbers.parse_value(text, rules)


@pytest.mark.parametrize(
    ("mark", "unit", "fits"),
    [
        ("%", "%", True),
        ("%", "per 1000 population", False),  # a % for a per-1000 indicator is an error, not a guess
        ("/10万", "per 100000 live births", True),
        ("/10万", "‰", False),
        ("‰", "per 1000 population", False),
        ("人", "per 1000 population", True),  # a measure word says nothing about the unit
        ("个", "%", False),
        (None, "years", True),
    ],
)
def test_unit_marks_must_fit_the_indicator(mark, unit, fits, rules):
    assert numbers.unit_fits(mark, unit, rules) is fits


def test_typed_forms_file_loads_with_the_hand_read_figures(project):
    frame = pipeline.load_observations(Project(project), extra=[GOOD / "typed_forms.csv"])
    mine = frame[frame["source_file"].str.endswith("typed_forms.csv")]
    got = {(r.indicator, r.year): (r.qualifier, r.value, r.unit) for r in mine.itertuples()}
    assert got[("health_literacy_rate", 2012)] == ("=", 92.5, "%")
    assert got[("health_literacy_rate", 2013)] == ("=", 92.5, "%")
    assert got[("health_literacy_rate", 2017)] == (">=", 90.0, "%")
    assert got[("maternal_mortality_ratio", 2011)] == ("<=", 12.0, "per 100000 live births")
    assert got[("maternal_mortality_ratio", 2012)] == ("<", 12.0, "per 100000 live births")
    assert got[("infant_mortality_rate", 2011)] == ("<=", 5.0, "‰")
    assert got[("county_medical_subcentres", 2010)] == ("=", 1818.0, "count")
    assert got[("life_expectancy", 2010)] == ("=", 78.6, "years")
    assert len(mine) == 17


def test_percent_formatted_excel_cell_reads_as_a_percentage(project):
    # the cell holds 0.925 with number format 0.0 %: the researcher saw and meant 92.5 %
    frame = pipeline.load_observations(Project(project), extra=[GOOD / "percent_formatted.xlsx"])
    row = frame[frame["source_file"].str.endswith("percent_formatted.xlsx")].iloc[0]
    assert (row["year"], row["value"], row["unit"], row["source_row"]) == (2022, 92.5, "%", 2)


# ---------------------------------------------------------------------------------------------------
# Validation: one test per error class, each naming file, row and column


def only_error(path: Path, root: Path):
    problems = errors_in(pipeline.validate_observation_files(Project(root), [path]))
    assert len(problems) == 1, problems
    assert problems[0].file.endswith(path.name)
    return problems[0]


@pytest.mark.parametrize(
    ("name", "row", "column", "words"),
    [
        ("unknown_region.csv", 3, "region", "unknown region 'guangdong'"),
        ("unknown_indicator.csv", 3, "indicator", "unknown indicator 'life_expectancy_at_birth'"),
        ("year_out_of_range.csv", 3, "year", "1999 is outside 2000–2035"),
        ("non_numeric_value.csv", 3, "value", "non-numeric value"),
        (
            "share_out_of_bounds.csv",
            3,
            "value",
            "125 is outside the bounds of health_literacy_rate (0–100 %)",
        ),
        ("missing_source_url.csv", 3, "source_url", "missing source URL"),
        ("qualifier_contradicts_value.csv", 3, "qualifier", "says '<=' but the value says '>='"),
        ("unknown_source_kind.csv", 3, "source_kind", "unknown source_kind 'newspaper'"),
        ("bad_header.csv", 1, "source_url", "required column 'source_url' is missing"),
        ("bad_header.xlsx", 1, "source_url", "required column 'source_url' is missing"),
        ("truncated.csv", 3, None, "the file ends in the middle of this row"),
        ("latin1.csv", 3, None, "not UTF-8"),
        ("utf16.csv", 1, None, "it is UTF-16"),
        ("excel_named_csv.csv", 1, None, "it is an Excel workbook"),
        ("semicolon_separated.csv", 1, None, "separated by ';'"),
        ("header_only.csv", 2, None, "header but no rows"),
    ],
)
def test_each_error_names_file_row_and_column(project, name, row, column, words):
    problem = only_error(BAD / name, project)
    assert (problem.row, problem.column) == (row, column)
    assert words in problem.message


def test_wrong_unit_is_an_error_in_the_value_or_the_unit_column(project):
    problems = errors_in(pipeline.validate_observation_files(Project(project), [BAD / "wrong_unit.csv"]))
    # row 3 types 2.5% for physicians per 1000; row 4 says % in the unit column
    assert [(p.row, p.column) for p in problems] == [(3, "value"), (4, "unit")]
    assert "'per 1000 population'" in problems[0].message


def test_gbk_file_is_refused_with_a_hint(project):
    problem = only_error(BAD / "gbk.csv", project)
    assert problem.row == 2 and "GBK" in problem.message and "CSV UTF-8" in problem.fix


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "the file is empty"),
        ("wrong_sheet.xlsx", "no sheet named 'observations' (sheets found: Sheet1)"),
        ("truncated.xlsx", "cannot be opened as an Excel workbook"),
        ("old_excel_format.xls", "'.xls' files cannot be read"),
    ],
)
def test_unreadable_files_are_named(project, name, words):
    problem = only_error(BAD / name, project)
    assert words in problem.message


def test_missing_file_is_named(project):
    problem = only_error(project / "nowhere.csv", project)
    assert "file not found" in problem.message


def test_conflicting_duplicates_warn_and_state_the_rule_choice(project):
    problems = pipeline.validate_observation_files(Project(project), [GOOD / "conflicting_duplicates.csv"])
    assert errors_in(problems) == []
    (warning,) = problems
    # both example.org pages are unverified (the kind does not rank), one page and one decimal each:
    # the row read first, 25.1, is used; the warning sits on the losing row 3
    assert (warning.severity, warning.row, warning.column) == ("warning", 3, "value")
    assert "the rule uses 25.1: equal on every criterion; the row read first is used" in warning.message


def test_warnings_alone_do_not_make_errors(project):
    problems = pipeline.validate_observation_files(Project(project), [GOOD / "warnings_only.csv"])
    assert errors_in(problems) == []
    located = sorted((p.row, p.column) for p in problems)
    assert located == [(2, "source_kind"), (2, "source_url"), (3, "value")]


def test_loader_refuses_a_file_with_errors_and_names_them(project):
    # the loader refuses the whole run, listing the error; it never drops the bad row silently
    with pytest.raises(DataError, match="unknown region 'guangdong'"):
        pipeline.load_observations(Project(project), extra=[BAD / "unknown_region.csv"])


def test_validate_command_exit_codes(project, monkeypatch):
    monkeypatch.setenv("PLANTRACKER_ROOT", str(project))
    runner = CliRunner()
    bad = runner.invoke(app, ["validate", str(BAD / "year_out_of_range.csv")])
    assert bad.exit_code == 1
    assert "row 3" in bad.output and "column year" in bad.output
    unreadable = runner.invoke(app, ["validate", str(BAD / "wrong_sheet.xlsx")])
    assert unreadable.exit_code == 1 and "wrong_sheet.xlsx" in unreadable.output
    warned = runner.invoke(app, ["validate", str(GOOD / "conflicting_duplicates.csv")])
    assert warned.exit_code == 0 and "1 warning" in warned.output


# ---------------------------------------------------------------------------------------------------
# Corroboration and conflicts


def rows(*specs) -> pd.DataFrame:
    """Observation rows for one region/indicator/year: (qualifier, value, kind, url[, decimals])."""
    records = [
        {
            "region": "guizhou",
            "indicator": "maternal_mortality_ratio",
            "year": 2023,
            "qualifier": q,
            "value": v,
            "source_kind": k,
            "source_url": u,
            "decimals": (rest or (1,))[0],
        }
        for q, v, k, u, *rest in specs
    ]
    return pd.DataFrame(records)


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        (("<=", 12.0), ("=", 11.8), True),  # a bound consistent with a figure corroborates it
        (("<=", 12.0), ("=", 12.5), False),
        (("<=", 12.0), ("=", 12.0), True),  # at or below includes 12
        (("<", 12.0), ("=", 12.0), False),
        ((">", 90.0), ("=", 90.0), False),
        ((">", 90.0), (">=", 90.0), True),
        (("<=", 12.0), ("<=", 10.0), True),
        (("<", 5.0), (">", 5.0), False),
        (("=", 8.8), ("=", 8.80), True),
        (("=", 76.3), ("=", 76.34), False),
    ],
)
def test_consistency_between_figures_and_bounds(a, b, agree):
    assert conflicts.consistent(a, b) is agree
    assert conflicts.consistent(b, a) is agree


def test_bound_met_by_a_figure_corroborates_and_the_figure_is_used(rules):
    marked = conflicts.mark_resolution(
        rows(("<=", 12, "government_report", "u1", 0), ("=", 11.8, "other", "u2")), rules
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["qualifier"], used["value"], used["conflict"], used["n_sources"]) == ("=", 11.8, False, 2)
    assert list(marked["resolution"]) == ["corroborates", "used"]


def test_bound_contradicted_by_a_figure_conflicts_and_the_better_source_stands(rules):
    marked = conflicts.mark_resolution(
        rows(("<=", 12, "government_report", "u1", 0), ("=", 12.5, "other", "u2")).assign(
            grade=["official", "unverified"]
        ),
        rules,
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["qualifier"], used["value"], used["conflict"], used["n_sources"]) == ("<=", 12.0, True, 1)
    assert used["reason"] == "grade official outranks unverified"


def test_figure_from_a_better_source_beats_a_bound(rules):
    marked = conflicts.mark_resolution(
        rows(("<=", 12, "other", "u1", 0), ("=", 12.5, "statistical_bulletin", "u2")), rules
    )
    assert conflicts.resolve(marked).iloc[0]["value"] == 12.5


def test_corroboration_decides_between_equal_kinds(rules):
    # 6.46 from two pages against 6.5 from one, all `other`: 6.46 has 2 sources
    marked = conflicts.mark_resolution(
        rows(("=", 6.5, "other", "u1"), ("=", 6.46, "other", "u2", 2), ("=", 6.46, "other", "u3", 2)), rules
    )
    used = conflicts.resolve(marked).iloc[0]
    assert (used["value"], used["n_sources"]) == (6.46, 2)
    assert used["reason"] == "2 sources agree with it against 1"


def test_the_same_page_twice_counts_once(rules):
    marked = conflicts.mark_resolution(
        rows(("=", 6.5, "other", "u1"), ("=", 6.46, "other", "u2", 2), ("=", 6.46, "other", "u2", 2)), rules
    )
    used = conflicts.resolve(marked).iloc[0]
    # support ties at one URL each; 6.46 wins on precision (2 decimals against 1)
    assert (used["value"], used["n_sources"]) == (6.46, 1)
    assert used["reason"] == "the more precise figure (2 decimals against 1)"


def test_reading_order_breaks_a_full_tie(rules):
    marked = conflicts.mark_resolution(rows(("=", 2.0, "other", "u1"), ("=", 1.0, "other", "u2")), rules)
    assert conflicts.resolve(marked).iloc[0]["value"] == 2.0
    assert "the row read first is used" in conflicts.resolve(marked).iloc[0]["reason"]


def test_marking_does_not_change_its_input(rules):
    frame = rows(("=", 2.0, "other", "u1"), ("=", 1.0, "other", "u2"))
    before = frame.copy()
    conflicts.mark_resolution(frame, rules)
    pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------------------------------------------
# Intake: folder, --data, templates


def test_files_in_the_researcher_folder_are_loaded_automatically(project):
    (project / "data" / "observations").mkdir()
    shutil.copy(GOOD / "typed_forms.csv", project / "data" / "observations" / "typed_forms.csv")
    (project / "data" / "observations" / "notes.txt").write_text("not data", encoding="utf-8")
    frame, problems = pipeline.load_with_problems(Project(project))
    assert (frame["source_file"] == "data/observations/typed_forms.csv").sum() == 17
    assert [(p.file, p.severity) for p in problems if "notes" in p.file] == [
        ("data/observations/notes.txt", "warning")
    ]


def test_template_lists_each_target_indicator_and_year(project):
    out = pipeline.write_template("guizhou", Project(project), "csv", project / "t.csv")
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    # guizhou has targets on 3 indicators; earliest baseline 2018, latest deadline 2027: 3 × 10 rows
    assert len(frame) == 30
    assert sorted(frame["indicator"].unique()) == [
        "county_medical_subcentres",
        "health_literacy_rate",
        "maternal_mortality_ratio",
    ]
    assert (frame["year"].astype(int).min(), frame["year"].astype(int).max()) == (2018, 2027)
    known = frame[frame["value"] != ""]
    prefilled = zip(known["indicator"], known["year"], known["qualifier"], known["value"], strict=True)
    assert sorted(prefilled) == [
        ("county_medical_subcentres", "2023", "=", "50"),
        ("health_literacy_rate", "2020", "=", "18.83"),
        ("maternal_mortality_ratio", "2023", "<=", "12"),
    ]


def test_region_without_targets_has_no_template(project):
    with pytest.raises(DataError, match="no targets for region 'guiyang'"):
        pipeline.write_template("guiyang", Project(project), "csv", project / "t.csv")


FILLED = {  # (indicator, year) -> what the researcher types, and what must load
    ("health_literacy_rate", 2021): ("21.6%", "=", 21.6),
    ("health_literacy_rate", 2022): ("２４．８", "=", 24.8),
    ("health_literacy_rate", 2025): ("保持在30%以上", ">=", 30.0),
    ("maternal_mortality_ratio", 2024): ("11.9/10万", "=", 11.9),
    ("county_medical_subcentres", 2025): (100, "=", 100.0),
}


def test_xlsx_template_round_trip(project):
    out = pipeline.write_template("guizhou", Project(project), "xlsx", project / "guizhou.xlsx")
    book = load_workbook(out)
    sheet = book["observations"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, sheet.max_row + 1):
        key = (sheet.cell(row, col["indicator"]).value, sheet.cell(row, col["year"]).value)
        if key in FILLED:
            sheet.cell(row, col["value"]).value = FILLED[key][0]
            sheet.cell(row, col["source_url"]).value = f"http://example.org/filled/{key[0]}/{key[1]}"
            sheet.cell(row, col["source_kind"]).value = "statistical_bulletin"
    book.save(out)
    frame = pipeline.load_observations(Project(project), extra=[out])
    mine = frame[frame["source_file"] == "guizhou.xlsx"]
    got = {
        (r.indicator, r.year): (r.qualifier, r.value)
        for r in mine.itertuples()
        if r.source_url.startswith("http://example.org/filled/")
    }
    assert got == {key: (q, v) for key, (_, q, v) in FILLED.items()}
    # the three pre-filled rows come back as they were, corroborating the shipped rows (same page: 1 source)
    prefilled = mine[~mine["source_url"].str.startswith("http://example.org/filled/")]
    assert sorted(zip(prefilled["indicator"], prefilled["year"], prefilled["value"], strict=True)) == [
        ("county_medical_subcentres", 2023, 50.0),
        ("health_literacy_rate", 2020, 18.83),
        ("maternal_mortality_ratio", 2023, 12.0),
    ]
    assert not frame["conflict"][frame["region"] == "guizhou"].any()
    literacy_2020 = frame[(frame["indicator"] == "health_literacy_rate") & (frame["year"] == 2020)]
    assert literacy_2020["n_sources"].eq(1).all()


def test_csv_template_round_trip(project):
    out = pipeline.write_template("guizhou", Project(project), "csv", project / "guizhou.csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    for record in records:
        key = (record["indicator"], int(record["year"]))
        if key in FILLED:
            record.update(
                value=str(FILLED[key][0]), source_url="http://example.org/filled", source_kind="official_news"
            )
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=schema.TEMPLATE_COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    frame = pipeline.load_observations(Project(project), extra=[out])
    mine = frame[
        (frame["source_file"] == "guizhou.csv") & (frame["source_url"] == "http://example.org/filled")
    ]
    assert {(r.indicator, r.year): (r.qualifier, r.value) for r in mine.itertuples()} == {
        key: (q, v) for key, (_, q, v) in FILLED.items()
    }


# ---------------------------------------------------------------------------------------------------
# The shipped data


@pytest.fixture(scope="module")
def shipped_only(tmp_path_factory) -> Path:
    """The project's data without the researchers' folder (data/observations/): what the shipped files
    say, whatever a researcher has added since."""
    root = tmp_path_factory.mktemp("shipped") / "project"
    shutil.copytree(
        REPO / "data",
        root / "data",
        ignore=lambda folder, names: ["observations"] if Path(folder) == REPO / "data" else [],
    )
    return root


@pytest.fixture(scope="module")
def shipped(shipped_only: Path) -> pd.DataFrame:
    return pipeline.load_observations(Project(shipped_only))


def test_every_seed_row_is_carried_with_url_and_excerpt():
    """Both seeds, one to one and in order: the first seed's rows, then the second's."""
    first, second = (
        pd.read_csv(REPO / "data" / "sources" / name, dtype=str, keep_default_na=False)
        for name in ("observations_seed.csv", "observations_seed_2.csv")
    )
    carried = pd.read_csv(REPO / "data" / "observations.csv", dtype=str, keep_default_na=False)
    assert len(first) + len(second) == len(carried) > len(first) > 0
    same = [
        "region",
        "indicator_zh",
        "indicator_en",
        "year",
        "qualifier",
        "value",
        "unit",
        "source_url",
        "source_kind",
        "excerpt",
    ]
    seeds = pd.concat([first, second], ignore_index=True)
    pd.testing.assert_frame_equal(carried[same], seeds[same])
    assert carried["seed_row"].tolist() == [str(i) for i in range(2, len(first) + 2)] + [
        f"seed_2:{i}" for i in range(2, len(second) + 2)
    ]


def test_shipped_file_is_what_the_seed_and_mapping_give():
    seeds, mapping = observation_files.read_seeds(REPO)
    carried = pd.read_csv(REPO / "data" / "observations.csv", dtype=str, keep_default_na=False)
    rebuilt = seeding.observations_from_seeds(seeds, mapping)
    assert rebuilt.astype(str).values.tolist() == carried[schema.SHIPPED_COLUMNS].values.tolist()


def test_seed_names_map_onto_the_plans_indicators():
    mapping = pd.read_csv(observation_files.seed_mapping_file(REPO), dtype=str)
    mapping = mapping.set_index("indicator_zh")["indicator"]
    assert mapping["县域内住院人次占比"] == mapping["县域内住院率"] == "county_inpatient_share"
    assert mapping["国家三级公立医院绩效考核A+级医院数"] == "tertiary_hospitals_rated_a_plus"
    assert mapping["三级甲等医院数"] == "grade_3a_hospitals"
    assert mapping["县域中医医疗次中心（2023年建成）"] != "county_medical_subcentres"
    # the second seed's near matches are kept apart from the plans' indicators, each with its decision
    near = {
        "县办中医医疗机构覆盖率": "county_tcm_institution_coverage",
        "紧密型医疗集团（医共体）覆盖乡镇卫生院和政府办社区卫生服务中心的比例": (
            "medical_consortium_primary_facility_coverage"
        ),
        "三级医院综合ICU床位数": "standardized_icu_beds",
        "村卫生室改造数（十四五累计）": "village_clinics_renovated_per_year",
    }
    assert all(mapping[name] != target for name, target in near.items())
    notes = pd.read_csv(observation_files.seed_mapping_file(REPO), dtype=str)
    notes = notes.set_index("indicator_zh")["note"]
    assert all("recorded decision" in notes[name] or "context" in notes[name] for name in near)
    assert mapping["国家区域医疗中心数"] == "national_regional_medical_centres"
    assert (
        mapping["省外三甲医院帮扶县（市、特区）覆盖率"]
        == "out_of_province_tertiary_assistance_county_coverage"
    )


def test_the_projects_observations_have_no_errors():
    """Shipped and researchers' files alike: `make site` refuses to build on an error."""
    assert errors_in(pipeline.validate_observation_files(Project(REPO))) == []


def test_shipped_data_warns_only_of_its_conflicts(shipped_only: Path):
    problems = pipeline.validate_observation_files(Project(shipped_only))
    # one warning per year whose sources disagree on national life expectancy (2010, 2015); two
    # plan-tense excerpts (row 10 将…建成, row 40 預計); no URL graded two ways (gwycn.cn and nanfei.cn,
    # once graded two ways by their excerpts, have domain rules in data/source_grades.csv)
    located = sorted((p.row, p.column) for p in problems)
    assert located == [
        (10, "excerpt"),
        (38, "value"),
        (40, "excerpt"),
        (41, "value"),
    ]
    assert errors_in(problems) == []


def test_shipped_conflicts_show_both_sources(shipped):
    table = conflicts.conflicts(shipped)
    pairs = {(r.year, r.used_value, r.other_value) for r in table.itertuples()}
    # 2010: 73.5 (unverified) vs 74.83 (official_media, taiwan.cn): the better grade is used.
    # 2015: 76.3 (official_media, cnwomen.com.cn) against 76.34 (unverified); 75.8 is a 预计 estimate,
    # set aside as a plan, not a conflicting result.
    assert pairs == {(2010, 74.83, 73.5), (2015, 76.3, 76.34)}
    assert set(table["indicator"]) == {"life_expectancy"} and set(table["region"]) == {"china"}
    assert table["other_source_url"].str.startswith("http").all()
    assert table["used_source_url"].str.startswith("http").all()


def test_shipped_corroboration_counts(shipped):
    resolved = conflicts.resolve(shipped).set_index(["region", "indicator", "year"])
    # national beds 2020: three pages give 6.46
    assert resolved.loc[("china", "hospital_beds_per_1000", 2020), "n_sources"] == 3
    # national health literacy 2012: 8.80 and 8.8 are one figure from two pages
    assert resolved.loc[("china", "health_literacy_rate", 2012), "n_sources"] == 2
    # Guizhou maternal mortality 2023 is a bound and stays one
    assert resolved.loc[("guizhou", "maternal_mortality_ratio", 2023), "qualifier"] == "<="


def test_every_key_of_the_projects_observations_resolves_to_one_row():
    """Counted a second way: the distinct (region, indicator, year) keys of every row read."""
    frame = pipeline.load_observations(Project(REPO))
    resolved = conflicts.resolve(frame)
    assert len(resolved) == len(frame[["region", "indicator", "year"]].drop_duplicates())
    assert not resolved.duplicated(["region", "indicator", "year"]).any()


def test_observations_conflicts_command_lists_both_sources(shipped_only: Path):
    result = CliRunner().invoke(
        app, ["observations", "--conflicts"], env={"PLANTRACKER_ROOT": str(shipped_only)}
    )
    assert result.exit_code == 0, result.output
    for text in [
        "74.83",
        "73.5",
        "76.34",
        "http://taiwan.cn/xwzx/PoliticsNews/201208/t20120811_2904464.htm",
        "http://bdf.6849349.cn/ab2a7/37700.html",
    ]:
        assert text in result.output


def test_header_names_are_read_whatever_their_case(project):
    frame = pipeline.load_observations(Project(project), extra=[GOOD / "header_in_other_case.csv"])
    row = frame[frame["source_file"].str.endswith("header_in_other_case.csv")].iloc[0]
    assert (row["value"], row["source_url"], row["qualifier"]) == (25.1, "http://example.org/h", "=")


def test_rows_are_counted_as_a_spreadsheet_shows_them(project):
    # row 2's excerpt spans two lines of text; the bad region is on spreadsheet row 3 (text line 4)
    problem = only_error(BAD / "error_after_multiline_excerpt.csv", project)
    assert (problem.row, problem.column) == (3, "region")


def test_non_numeric_value_is_reported_even_for_an_unknown_indicator(project, tmp_path):
    path = tmp_path / "two_errors_one_row.csv"
    path.write_text(
        "region,indicator,year,value,source_url,source_kind\n"
        "guizhou,no_such_indicator,2022,lots,http://example.org/z,other\n",
        encoding="utf-8",
    )
    problems = errors_in(pipeline.validate_observation_files(Project(project), [path]))
    assert sorted(p.column for p in problems) == ["indicator", "value"]
