"""The catalogue: typed loading, validation against the plans, the summary, and completeness."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from analysis.catalogue.extraction import find_numbers, quantities
from analysis.cli import terminal
from analysis.core import paths
from analysis.core.errors import DataError, errors_in
from analysis.io.readers.catalogue import (
    document_text,
    load_excluded,
    load_indicators,
    load_registry,
    load_targets,
)
from analysis.io.readers.wording import load_wording
from analysis.pipeline import Project, check_region, validate_catalogue

WORDING = load_wording()  # the packaged wording rules, read once for every test here
SHIPPED = paths.project_root() / "data"
TARGETS = "data/targets.csv"


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def copy_of_shipped_data(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED / "policies", tmp_path / "data" / "policies")
    for name in ("indicators.csv", "targets.csv", "targets_excluded.csv"):
        shutil.copy(SHIPPED / name, tmp_path / "data" / name)
    return tmp_path


def edit_cell(root: Path, name: str, sheet_row: int, column: str, value: str) -> str:
    """Set one cell (sheet rows count the header as row 1); return what it held."""
    rows = read_csv(root / "data" / name)
    at = rows[0].index(column)
    old, rows[sheet_row - 1][at] = rows[sheet_row - 1][at], value
    write_csv(root / "data" / name, rows)
    return old


def problems_at(problems, row: int, column: str):
    return [p for p in problems if (p.file, p.row, p.column) == (TARGETS, row, column)]


# ---------------------------------------------------------------- a small plan, written by hand

SMALL_PLAN = (
    "到2025年，建成县域医疗次中心九个，县办中医医疗机构全覆盖，孕产妇系统管理率达92%以上。\n"
    "到2027年，建成示范中医馆１２个。对建成的给予50万元奖励。\n"
)
TARGET_HEADER = [
    "target_id",
    "region",
    "document",
    "clause",
    "indicator",
    "description_zh",
    "description_en",
    "comparator",
    "target_value",
    "unit",
    "target_year",
    "baseline_value",
    "baseline_year",
    "kind",
    "measure",
    "base_year",
    "quote",
    "note",
]


def small_target(indicator: str, value: str, unit: str, year: str, kind: str, quote: str) -> list[str]:
    return [
        f"005-{indicator}-{year}",
        "guiyang",
        "005_small_plan.txt",
        "",
        indicator,
        quote,
        "",
        ">=",
        value,
        unit,
        year,
        "",
        "",
        kind,
        "level",
        "",
        quote,
        "",
    ]


@pytest.fixture
def small_plan(tmp_path: Path) -> Path:
    """One plan of two paragraphs: 九个 (a Chinese numeral), 全覆盖, 92%, １２个 (full-width), 50万元."""
    data = tmp_path / "data"
    (data / "policies").mkdir(parents=True)
    (data / "policies" / "005_small_plan.txt").write_text(SMALL_PLAN, encoding="utf-8")
    write_csv(
        data / "policies" / "registry.csv",
        [
            [
                "document_id",
                "file",
                "region",
                "title_zh",
                "title_en",
                "issuing_body",
                "issuing_body_basis",
                "horizon_year",
                "status",
            ],
            ["small", "005_small_plan.txt", "guiyang", "小规划", "small plan", "n/a", "n/a", "2027", "final"],
        ],
    )
    write_csv(
        data / "indicators.csv",
        [
            [
                "indicator_id",
                "name_zh",
                "name_en",
                "unit",
                "direction",
                "lower_bound",
                "upper_bound",
                "theme",
                "cumulative",
                "role",
            ],
            [
                "county_medical_subcentres",
                "县域医疗次中心",
                "sub-centres",
                "count",
                "higher",
                "0",
                "",
                "primary_care",
                "true",
                "target",
            ],
            [
                "county_tcm_institution_coverage",
                "县办中医医疗机构覆盖",
                "TCM coverage",
                "%",
                "higher",
                "0",
                "100",
                "tcm",
                "false",
                "target",
            ],
            [
                "maternal_systematic_management_rate",
                "孕产妇系统管理率",
                "maternal management",
                "%",
                "higher",
                "0",
                "100",
                "maternal_child",
                "false",
                "target",
            ],
            [
                "demonstration_tcm_halls",
                "示范中医馆",
                "TCM halls",
                "count",
                "higher",
                "0",
                "",
                "tcm",
                "true",
                "target",
            ],
        ],
    )
    write_csv(
        data / "targets.csv",
        [
            TARGET_HEADER,
            small_target(
                "county_medical_subcentres", "9", "count", "2025", "count", "建成县域医疗次中心九个"
            ),
            small_target(
                "county_tcm_institution_coverage", "100", "%", "2025", "coverage", "县办中医医疗机构全覆盖"
            ),
            small_target(
                "maternal_systematic_management_rate", "92", "%", "2025", "share", "孕产妇系统管理率达92%以上"
            ),
            small_target("demonstration_tcm_halls", "12", "count", "2027", "count", "建成示范中医馆１２个"),
        ],
    )
    write_csv(
        data / "targets_excluded.csv",
        [
            ["document", "clause", "number", "quote", "reason", "note"],
            ["005_small_plan.txt", "", "50万元", "对建成的给予50万元奖励", "incentive_money", ""],
        ],
    )
    return tmp_path


def test_small_plan_is_valid_with_chinese_full_width_and_full_coverage_values(small_plan):
    assert validate_catalogue(Project(small_plan)) == []


def test_loaders_give_typed_columns(small_plan):
    targets = load_targets(small_plan)
    assert targets["target_value"].tolist() == [9.0, 100.0, 92.0, 12.0]
    assert targets["target_year"].tolist() == [2025, 2025, 2025, 2027]
    assert targets["target_year"].dtype == int and targets["baseline_year"].dtype == "Int64"
    assert targets["baseline_value"].isna().all() and targets["baseline_year"].isna().all()
    indicators = load_indicators(small_plan).set_index("indicator_id")
    assert np.isnan(indicators.loc["county_medical_subcentres", "upper_bound"])
    assert indicators.loc["county_tcm_institution_coverage", "upper_bound"] == 100.0
    assert indicators["cumulative"].tolist() == [True, False, False, True]
    assert load_excluded(small_plan)["number"].tolist() == ["50万元"]


def test_a_value_that_is_not_a_plain_number_stops_loading(small_plan):
    edit_cell(small_plan, "targets.csv", 3, "target_value", "100%")
    with pytest.raises(DataError) as caught:
        load_targets(small_plan)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (TARGETS, 3, "target_value")
    assert "'100%' is not a plain decimal number" in problem.message


def test_summary_counts_targets_by_region_year_theme_and_kind(small_plan):
    console = Console(record=True, width=120)
    terminal.print_targets(console, load_targets(small_plan), load_indicators(small_plan), rows=True)
    out = console.export_text()
    # 4 targets: 2025 three (九个, 全覆盖, 92%), 2027 one (１２个); themes tcm 2, primary_care 1,
    # maternal_child 1; kinds count 2, coverage 1, share 1.
    assert out.splitlines()[0] == "4 targets in 1 document"
    cells = {tuple(re.split(r"\s{2,}", line.strip())) for line in out.splitlines()}
    for label, n in [
        ("2025", 3),
        ("2027", 1),
        ("tcm", 2),
        ("primary_care", 1),
        ("maternal_child", 1),
        ("count", 2),
        ("coverage", 1),
        ("share", 1),
        ("guiyang", 4),
    ]:
        assert (label, str(n)) in cells
    assert "005-demonstration_tcm_halls-2027" in out
    with pytest.raises(DataError, match="unknown region"):
        check_region("chengdu", Project(small_plan))


@pytest.mark.parametrize(
    ("sheet_row", "column", "value", "message"),
    [
        (2, "unit", "%", "differs from 'count'"),
        (4, "kind", "count", "kind 'count' does not fit unit '%'"),
        (2, "region", "bazhong", "differs from the region of 005_small_plan.txt in the registry ('guiyang')"),
        (5, "target_year", "2040", "outside 2023–2035"),
        (3, "target_id", "005-county_medical_subcentres-2025", "already appears on an earlier row"),
        (2, "indicator", "no_such_indicator", "not in data/indicators.csv"),
        (
            4,
            "comparator",
            "<=",
            "comparator <= on maternal_systematic_management_rate, where higher is better",
        ),
    ],
)
def test_each_rule_names_row_and_column(small_plan, sheet_row, column, value, message):
    edit_cell(small_plan, "targets.csv", sheet_row, column, value)
    found = problems_at(validate_catalogue(Project(small_plan)), sheet_row, column)
    assert any(message in p.message for p in found), [str(p) for p in found]


def test_excluded_quote_must_be_verbatim_and_hold_its_number(small_plan):
    edit_cell(small_plan, "targets_excluded.csv", 2, "quote", "对建成的给予50万元的奖励")
    edit_cell(small_plan, "targets_excluded.csv", 2, "number", "60万元")
    found = {(p.file, p.row, p.column) for p in validate_catalogue(Project(small_plan))}
    assert found == {("data/targets_excluded.csv", 2, "quote"), ("data/targets_excluded.csv", 2, "number")}


# ---------------------------------------------------------------- the shipped catalogue


def test_shipped_catalogue_is_valid():
    problems = validate_catalogue(Project.here())
    for p in problems:
        print(p)
    assert errors_in(problems) == []


def test_altered_quote_is_reported(tmp_path):
    root = copy_of_shipped_data(tmp_path)
    quote = read_csv(root / "data" / "targets.csv")[1][TARGET_HEADER.index("quote")]
    edit_cell(root, "targets.csv", 2, "quote", quote[:2] + "某" + quote[2:])
    (problem,) = problems_at(validate_catalogue(Project(root)), 2, "quote")
    assert str(problem).startswith("data/targets.csv:row 2:column quote: error: the quote is not a verbatim")
    assert "copy the span exactly from data/policies/" in problem.fix


def test_value_not_in_quote_is_reported(tmp_path):
    root = copy_of_shipped_data(tmp_path)
    edit_cell(root, "targets.csv", 3, "target_value", "987654")
    (problem,) = problems_at(validate_catalogue(Project(root)), 3, "target_value")
    assert str(problem).startswith(
        "data/targets.csv:row 3:column target_value: error: target_value 987654 does not appear in the quote"
    )


def test_unknown_comparator_is_reported(tmp_path):
    root = copy_of_shipped_data(tmp_path)
    edit_cell(root, "targets.csv", 4, "comparator", "=>")
    (problem,) = problems_at(validate_catalogue(Project(root)), 4, "comparator")
    assert str(problem).startswith(
        "data/targets.csv:row 4:column comparator: error: comparator '=>' is not one of >=, <=, =="
    )


def _covered(text: str, quotes: pd.Series) -> np.ndarray:
    covered = np.zeros(len(text), dtype=bool)
    for quote in quotes[quotes.ne("")]:
        at = text.find(quote)
        while at >= 0:
            covered[at : at + len(quote)] = True
            at = text.find(quote, at + 1)
    return covered


@pytest.mark.parametrize("document", load_registry(paths.project_root())["file"].tolist())
def test_every_number_of_each_plan_is_accounted_for(document):
    """Each quantity the extractor finds lies inside the quote of a target or of an excluded row."""
    text = document_text(document, paths.project_root())
    targets, excluded = load_targets(paths.project_root()), load_excluded(paths.project_root())
    quotes = pd.concat(
        [
            targets.loc[targets["document"].eq(document), "quote"],
            excluded.loc[excluded["document"].eq(document), "quote"],
        ]
    )
    covered = _covered(text, quotes)
    numbers = quantities(find_numbers(WORDING, text))
    missing = [n for n in numbers.itertuples() if not covered[n.start : n.end].all()]
    print(f"\n{document}: {len(numbers)} quantities, {len(missing)} unaccounted")
    for n in missing:
        print(f"  unaccounted: {n.expression} at {n.start} in «{n.sentence}»")
    assert missing == []


# ---------------------------------------------------------------- what each target measures


def test_every_shipped_target_states_its_measure_and_the_change_targets_their_base_year():
    targets = load_targets(paths.project_root())
    assert set(targets["measure"]) <= {"level", "increase", "relative_change", "per_year", "per_unit"}
    change = targets[targets["measure"].isin(["increase", "relative_change"])]
    assert change["base_year"].notna().all() and (change["base_year"] < change["target_year"]).all()
    by_id = targets.set_index("target_id")
    # the examples of the plans' words: 新建 is a rise, 建成 a total, 每年 a flow, 每个 a count per unit
    assert by_id.loc["000-county_medical_subcentres-2027", ["measure", "base_year"]].tolist() == [
        "increase",
        2024,
    ]
    assert by_id.loc["002-county_medical_subcentres-2025", "measure"] == "level"
    assert by_id.loc["002-health_literacy_rate-2025-b", ["measure", "unit"]].tolist() == [
        "increase",
        "percentage points",
    ]
    assert by_id.loc["002-out_of_province_referral_rate-2025", "measure"] == "relative_change"
    assert by_id.loc["000-village_clinics_renovated_per_year-2027", "measure"] == "per_year"
    assert by_id.loc["002-emergency_response_teams_per_county-2025", "measure"] == "per_unit"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("base_year", "", "needs the base year"),
        ("measure", "rise", "measure 'rise' is not one of"),
        ("base_year", "2028", "is not before the target year"),
    ],
)
def test_a_change_target_without_a_proper_base_year_is_an_error_naming_its_row(
    tmp_path, column, value, message
):
    root = copy_of_shipped_data(tmp_path)
    rows = read_csv(root / "data" / "targets.csv")
    at = next(i for i, r in enumerate(rows) if r[0] == "000-county_medical_subcentres-2027") + 1
    edit_cell(root, "targets.csv", at, column, value)
    errors = errors_in(problems_at(validate_catalogue(Project(root)), at, column))
    assert any(message in p.message for p in errors), errors


def test_a_rise_of_a_share_is_stated_in_points(tmp_path):
    root = copy_of_shipped_data(tmp_path)
    rows = read_csv(root / "data" / "targets.csv")
    at = next(i for i, r in enumerate(rows) if r[0] == "002-health_literacy_rate-2025-b") + 1
    edit_cell(root, "targets.csv", at, "unit", "%")
    errors = problems_at(validate_catalogue(Project(root)), at, "unit")
    assert errors and "percentage points" in errors[0].message
