"""Assessment against hand-worked figures; every fixture is written here, none read from data/."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.assessment import assess, meets
from analysis.pipeline import load_bands, load_settings

BANDS, SETTINGS = load_bands(), load_settings()  # the shipped bands and settings, as every page uses them

INDICATORS = pd.DataFrame(
    [
        {
            "indicator_id": "share",
            "unit": "%",
            "direction": "higher",
            "lower_bound": 0.0,
            "upper_bound": 100.0,
            "cumulative": False,
        },
        {
            "indicator_id": "things",
            "unit": "count",
            "direction": "higher",
            "lower_bound": 0.0,
            "upper_bound": math.nan,
            "cumulative": True,
        },
        {
            "indicator_id": "deaths",
            "unit": "‰",
            "direction": "lower",
            "lower_bound": 0.0,
            "upper_bound": 1000.0,
            "cumulative": False,
        },
    ]
)


def target(
    indicator="share",
    value=90.0,
    year=2025,
    comparator=">=",
    kind="share",
    unit="%",
    baseline_value=math.nan,
    baseline_year=None,
    target_id="t",
):
    return {
        "target_id": target_id,
        "region": "r",
        "indicator": indicator,
        "target_year": year,
        "comparator": comparator,
        "target_value": value,
        "unit": unit,
        "kind": kind,
        "baseline_value": baseline_value,
        "baseline_year": baseline_year,
    }


def observations(indicator, points, unit="%"):
    """points: (year, value) or (year, qualifier, value)."""
    rows = []
    for p in points:
        year, qualifier, value = (p[0], "=", p[1]) if len(p) == 2 else p
        rows.append(
            {
                "region": "r",
                "indicator": indicator,
                "year": year,
                "qualifier": qualifier,
                "value": value,
                "unit": unit,
                "source_url": f"https://example.org/{year}",
            }
        )
    return pd.DataFrame(rows)


def one(t, obs, as_of=2025):
    targets = pd.DataFrame([t]).astype({"baseline_year": "Int64"})
    return assess(targets, INDICATORS, obs, as_of, BANDS, SETTINGS).iloc[0]


# --- the bound rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualifier", "value", "comparator", "goal", "expected"),
    [
        ("=", 92.6, ">=", 90, True),
        ("=", 89.9, ">=", 90, False),
        (">", 90, ">=", 90, True),  # more than 90 satisfies at least 90
        (">=", 95, ">=", 90, True),
        (">", 85, ">=", 90, None),  # more than 85 may or may not reach 90
        ("<", 90, ">=", 90, False),  # below 90 cannot be at least 90
        ("<=", 90, ">=", 90, None),  # may be exactly 90
        ("<=", 12, "<=", 10, None),  # at most 12 may or may not be at most 10
        ("<=", 10, "<=", 12, True),
        ("<", 12, "<=", 12, True),
        (">", 12, "<=", 12, False),
        (">=", 12, "<=", 12, None),
    ],
)
def test_bound_rule(qualifier, value, comparator, goal, expected):
    assert meets(qualifier, value, comparator, goal) is expected


def test_bound_that_satisfies_the_target_is_achieved():
    row = one(target(), observations("share", [(2023, 92.6), (2025, ">", 90)]))
    assert row["status"] == "achieved"
    assert (row["latest_value"], row["latest_year"], row["latest_qualifier"]) == (90.0, 2025, ">")
    assert row["latest_source_url"] == "https://example.org/2025"
    assert "> 90" in row["status_reason"]


def test_target_already_met():
    row = one(target(), observations("share", [(2020, 85), (2023, 92.6)]))
    assert row["status"] == "achieved"
    assert row["gap"] == pytest.approx(90 - 92.6)  # negative: beyond the target


# --- the bands (linear pace: a count that starts from zero has no compound growth) ----------------


@pytest.mark.parametrize(
    ("latest_2024", "ratio", "status"),
    [
        (40, 1.0, "on_track"),  # 40/4 = 10 a year; required (100 − 0)/10 = 10 a year
        (38, 0.95, "on_track"),  # 9.5 / 10, the lower edge of the band
        (28, 0.7, "needs_acceleration"),  # 7 / 10
        (24, 0.6, "needs_acceleration"),  # 6 / 10, the lower edge
        (12, 0.3, "limited_progress"),  # 3 / 10
    ],
)
def test_bands_on_linear_pace(latest_2024, ratio, status):
    t = target("things", 100, 2030, kind="count", unit="count")
    row = one(t, observations("things", [(2020, 0), (2024, latest_2024)], unit="count"))
    assert row["ratio_basis"] == "linear"
    assert math.isnan(row["observed_cagr"])
    assert row["observed_pace"] == pytest.approx(latest_2024 / 4)
    assert row["required_pace"] == pytest.approx(10.0)
    assert row["ratio"] == pytest.approx(ratio)
    assert row["progress_share"] == pytest.approx(latest_2024 / 100)
    assert row["status"] == status


def test_compound_pace_on_track():
    # base 2020 = 80 (the default base year), latest 2023 = 86, target >= 90 by 2025
    # observed CAGR (86/80)^(1/3) − 1 = 0.024400; required (90/80)^(1/5) − 1 = 0.023836; R = 1.0237
    row = one(target(), observations("share", [(2018, 70), (2020, 80), (2023, 86)]))
    assert (row["base_value"], row["base_year"]) == (80.0, 2020)
    assert row["observed_cagr"] == pytest.approx(0.024400, abs=1e-6)
    assert row["required_cagr"] == pytest.approx(0.023836, abs=1e-6)
    assert row["ratio"] == pytest.approx(1.0237, abs=1e-4)
    assert row["status"] == "on_track"
    assert row["gap"] == pytest.approx(4.0)


def test_lower_is_better_moving_away():
    # target <= 10 by 2030; 20 in 2020, 22 in 2024. Observed CAGR 1.1^(1/4) − 1 = 0.024114,
    # required 0.5^(1/10) − 1 = −0.066967, R = −0.3601
    t = target("deaths", 10, 2030, "<=", kind="rate", unit="‰")
    row = one(t, observations("deaths", [(2020, 20), (2024, 22)], unit="‰"))
    assert row["ratio"] == pytest.approx(-0.3601, abs=1e-4)
    assert row["status"] == "moving_away"
    assert row["gap"] == pytest.approx(12.0)  # 22 − 10 still to fall


def test_base_that_had_met_the_target_then_fell_back():
    row = one(target(), observations("share", [(2020, 95), (2023, 88)]))
    assert row["status"] == "moving_away"
    assert "already met" in row["status_reason"]


# --- relative targets ----------------------------------------------------------------------------


def test_relative_target_with_stated_base():
    # 降低20% from 50 (2020): goal <= 40 by 2025. Latest 44 (2024).
    # observed 0.88^(1/4) − 1 = −0.031453; required 0.8^(1/5) − 1 = −0.043648; R = 0.7206
    t = target(
        "deaths", 20, 2025, ">=", kind="relative_change", unit="%", baseline_value=50, baseline_year=2020
    )
    row = one(t, observations("deaths", [(2024, 44)], unit="‰"))
    assert (row["goal_comparator"], row["goal_value"]) == ("<=", pytest.approx(40.0))
    assert (row["base_value"], row["base_year"]) == (50.0, 2020)
    assert row["ratio"] == pytest.approx(0.7206, abs=1e-4)
    assert row["status"] == "needs_acceleration"


def test_relative_target_base_year_read_from_observations():
    t = target("deaths", 20, 2025, ">=", kind="relative_change", unit="%", baseline_year=2020)
    row = one(t, observations("deaths", [(2020, 50), (2024, 44)], unit="‰"))
    assert row["goal_value"] == pytest.approx(40.0)
    assert row["status"] == "needs_acceleration"


def test_relative_target_without_base_is_not_assessable():
    t = target("deaths", 20, 2025, ">=", kind="relative_change", unit="%")
    row = one(t, observations("deaths", [(2020, 50), (2024, 44)], unit="‰"))
    assert row["status"] == "not_assessable"
    assert "without a base" in row["status_reason"]


# --- deadlines, sparse data, no data ------------------------------------------------------------


def test_past_deadline_judged_on_its_own_year():
    # target >= 90 by 2023, assessed in 2025: 2024's 91 is after the deadline and does not count.
    # R = ((88/80)^(1/3) − 1) / ((90/80)^(1/3) − 1) = 0.032280 / 0.040041 = 0.8062
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 88), (2024, 91)]))
    assert row["latest_year"] == 2023
    assert row["ratio"] == pytest.approx(0.8062, abs=1e-4)
    assert row["status"] == "needs_acceleration"
    assert row["status_reason"].startswith("missed")


def test_missed_deadline_is_never_on_track():
    # 89.8 in 2023: R = ((89.8/80)^(1/3) − 1) / 0.040041 = 0.039271 / 0.040041 = 0.981, yet missed
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 89.8)]))
    assert row["ratio"] == pytest.approx(0.981, abs=1e-3)
    assert row["status"] == "needs_acceleration"


def test_met_at_past_deadline_is_achieved():
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 90.5)]))
    assert row["status"] == "achieved"


def test_past_deadline_without_its_observation():
    row = one(target(year=2022), observations("share", [(2020, 80), (2023, 88)]))
    assert row["status"] == "not_assessable"
    assert "2022" in row["status_reason"] and "80 in 2020" in row["status_reason"]


def test_one_point_only_and_not_met():
    row = one(target(), observations("share", [(2023, 85)]))
    assert row["status"] == "not_assessable"
    assert "one observation only" in row["status_reason"]


def test_no_data():
    row = one(target(), observations("share", [(2023, 85)]).assign(region="elsewhere"))
    assert row["status"] == "not_assessable"
    assert row["status_reason"].startswith("no observation")


def test_observations_after_the_assessment_year_are_ignored():
    row = one(target(), observations("share", [(2020, 80), (2022, 84), (2024, 95)]), as_of=2023)
    assert row["latest_year"] == 2022
    assert row["status"] != "achieved"


def test_qualitative_target():
    row = one(target(value=math.nan), observations("share", [(2020, 80), (2023, 88)]))
    assert row["status"] == "not_assessable"
    assert "qualitative" in row["status_reason"]


def test_latest_bound_used_at_its_value_says_so():
    # <= 3.5 in 2023 for a rate to bring to <= 3 by 2025, from 5 in 2020: pace at the bound
    t = target("deaths", 3, 2025, "<=", kind="rate", unit="‰")
    row = one(t, observations("deaths", [(2020, 5), (2023, "<=", 3.5)], unit="‰"))
    assert row["observed_pace"] == pytest.approx(-0.5)  # (3.5 − 5) / 3
    assert "bound (<= 3.5)" in row["status_reason"] and "understates" in row["status_reason"]


def test_every_band_has_its_source():
    bands = load_bands()
    assert list(bands["status"]) == ["on_track", "needs_acceleration", "limited_progress", "moving_away"]
    assert bands["source"].str.len().min() > 20
