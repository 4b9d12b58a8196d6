"""`plantracker assess`: a targets and an observations file in, one judgement per target out; hand-worked
figures."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli.commands import app
from analysis.core.errors import DataError
from analysis.pipeline import Project

HEADER = "target_id,region,indicator,comparator,target_value,target_year,measure,base_year"
TARGETS = f"""{HEADER}
new,guizhou,county_medical_subcentres,>=,108,2027,increase,2024
points,guizhou,health_literacy_rate,>=,1,2025,increase,2023
level,guizhou,health_literacy_rate,>=,30,2025,level,
fall,guizhou,out_of_province_referral_rate,>=,20,2025,relative_change,2020
yearly,guizhou,village_clinics_renovated_per_year,>=,3000,2027,per_year,2024
stock,guizhou,county_medical_subcentres,>=,30,2027,per_year,2024
late,guiyang,maternal_mortality_ratio,<=,12,2023,level,
bound,guiyang,infant_mortality_rate,<=,3,2023,level,
"""
OBSERVATIONS = """region,indicator,year,value,qualifier,source_url
guizhou,county_medical_subcentres,2024,150,,https://wjw.guizhou.gov.cn/a
guizhou,county_medical_subcentres,2025,200,,https://wjw.guizhou.gov.cn/b
guizhou,health_literacy_rate,2023,29.5,,http://www.z9z0k.cn/c
guizhou,health_literacy_rate,2024,32.52,,http://www.z9z0k.cn/c
guizhou,out_of_province_referral_rate,2020,10,,https://wjw.guizhou.gov.cn/d
guizhou,out_of_province_referral_rate,2024,8.5,,https://wjw.guizhou.gov.cn/e
guizhou,village_clinics_renovated_per_year,2025,2700,,https://wjw.guizhou.gov.cn/f
guiyang,maternal_mortality_ratio,2023,13.1,,https://wjw.guiyang.gov.cn/g
guiyang,infant_mortality_rate,2023,3.5,<=,https://wjw.guiyang.gov.cn/g
"""


def files(tmp_path: Path, targets: str = TARGETS, observations: str = OBSERVATIONS) -> tuple[Path, Path]:
    t, o = tmp_path / "T.csv", tmp_path / "O.csv"
    t.write_text(targets, encoding="utf-8")
    o.write_text(observations, encoding="utf-8")
    return t, o


def run(tmp_path: Path, *extra: str, targets: str = TARGETS, observations: str = OBSERVATIONS):
    t, o = files(tmp_path, targets, observations)
    out = tmp_path / "OUT.csv"
    result = CliRunner().invoke(
        app, ["assess", "--targets", str(t), "--observations", str(o), "--out", str(out), *extra]
    )
    return result, out


def test_one_judgement_per_target_in_the_agreed_columns(tmp_path):
    result, out = run(tmp_path, "--as-of", "2025")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("target_id")
    assert list(pd.read_csv(out).columns) == [
        "target_id",
        "status",
        "measured_value",
        "measured_year",
        "pace_ratio",
        "provisional",
        "reason",
    ]
    assert table["status"].to_dict() == {
        "new": "on_track",  # +50 in one year against 108 / 3 = 36 a year: R = 1.389
        "points": "achieved",  # +3.02 points since 2023 against +1
        "level": "achieved",
        "fall": "needs_acceleration",  # 15 % fall in 4 years against 20 % in 5: R = 3.75 / 4 = 0.938
        "yearly": "needs_acceleration",  # 2700 of 3000 in 2025: R = 0.9
        "stock": "not_assessable",  # a per-year target on totals standing at year end
        "late": "missed",  # 13.1 in the deadline year 2023 against ≤ 12
        "bound": "not_assessable",  # ≤ 3.5 may or may not be ≤ 3
    }
    assert table.loc["new", "measured_value"] == 50 and table.loc["new", "measured_year"] == 2025
    assert table.loc["new", "pace_ratio"] == pytest.approx(50 / 36, abs=1e-3)
    assert table.loc["points", "measured_value"] == pytest.approx(3.02)
    assert table.loc["fall", "measured_value"] == pytest.approx(15.0)
    assert table.loc["fall", "pace_ratio"] == pytest.approx(0.938, abs=1e-3)
    assert table.loc["yearly", "pace_ratio"] == pytest.approx(0.9)
    assert math.isnan(table.loc["stock", "measured_value"])
    # z9z0k.cn is a spam-like mirror: what rests on it alone is provisional
    assert table["provisional"].to_dict() == {
        "new": False,
        "points": True,
        "level": True,
        "fall": False,
        "yearly": False,
        "stock": False,
        "late": False,
        "bound": False,
    }
    assert "+3.02 points" in table.loc["points", "reason"]
    assert "county_medical_subcentres" not in table.loc["stock", "reason"]  # names, never ids
    assert "2025" in table.loc["stock", "reason"]


def test_importable_with_the_same_result(tmp_path):
    t, o = files(tmp_path)
    table, _ = pipeline.assess_batch(t, o, tmp_path / "OUT.csv", 2025, project=Project.here())
    assert table.set_index("target_id").loc["late", "status"] == "missed"


def test_as_of_defaults_to_the_latest_year_of_the_observations(tmp_path):
    result, out = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).set_index("target_id").loc["new", "status"] == "on_track"


def test_an_increase_without_a_base_year_is_an_error_naming_the_row(tmp_path):
    targets = (
        f"{HEADER}\nok,guizhou,health_literacy_rate,>=,30,2025,level,\n"
        "new,guizhou,county_medical_subcentres,>=,108,2027,increase,\n"
    )
    result, out = run(tmp_path, targets=targets)
    assert result.exit_code == 1
    assert "T.csv:row 3:column base_year" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("targets", "where"),
    [
        (f"{HEADER}\nx,guizhou,no_such_indicator,>=,1,2025,level,\n", "T.csv:row 2:column indicator"),
        (f"{HEADER}\nx,guizhou,health_literacy_rate,=>,1,2025,level,\n", "T.csv:row 2:column comparator"),
        (f"{HEADER}\nx,guizhou,health_literacy_rate,>=,1,2025,rise,\n", "T.csv:row 2:column measure"),
        (
            f"{HEADER}\nx,guizhou,health_literacy_rate,>=,lots,2025,level,\n",
            "T.csv:row 2:column target_value",
        ),
        ("target_id,region\nx,guizhou\n", "T.csv:row 1:column indicator"),
    ],
)
def test_bad_targets_get_file_row_column_errors(tmp_path, targets, where):
    result, _ = run(tmp_path, targets=targets)
    assert result.exit_code == 1
    assert where in result.output


@pytest.mark.parametrize(
    ("observations", "where"),
    [
        ("region,indicator,year,value\nguizhou,health_literacy_rate,2024,lots\n", "O.csv:row 2:column value"),
        ("region,indicator,year,value\nguizhou,no_such_indicator,2024,5\n", "O.csv:row 2:column indicator"),
        ("region,indicator,year,value\nguizhou,health_literacy_rate,20x4,5\n", "O.csv:row 2:column year"),
    ],
)
def test_bad_observations_get_file_row_column_errors(tmp_path, observations, where):
    result, _ = run(tmp_path, observations=observations)
    assert result.exit_code == 1
    assert where in result.output


def test_reading_function_raises_not_crashes(tmp_path):
    t, o = files(tmp_path, targets="")
    with pytest.raises(DataError):
        pipeline.assess_batch(t, o, tmp_path / "OUT.csv", 2025, project=Project.here())


def test_a_header_only_series_judges_every_target_not_assessable_with_what_would_decide_it(tmp_path):
    """A new plan, no figure yet: `assess` answers for every target instead of refusing the file
    (`forecast` still refuses it: there is nothing to forecast)."""
    result, out = run(tmp_path, observations="region,indicator,year,value,qualifier,source_url\n")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 8 and set(table["status"]) == {"not_assessable"}
    assert table["measured_value"].isna().all() and table["reason"].str.contains("Would decide it: ").all()
    reasons = table.set_index("target_id")["reason"]
    # a change target needs its base year's figure; a level target a figure up to its deadline; as of the
    # latest deadline (2027), since no figure gives a year
    assert reasons["new"].startswith("The target counts the change since 2024, and there is no 2024 figure")
    assert reasons["yearly"].startswith(
        "No figure of village clinics renovated and maintained per year for Guizhou up to 2027."
    )
