"""Assessment against hand-worked figures; every fixture is written here, none read from data/."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.assessment.goal import Goal, goal_of, meets
from analysis.assessment.progress import Corner, Progress
from analysis.assessment.quantity import Point, Quantity
from analysis.assessment.status import Verdict, verdict_of
from analysis.assessment.table import assess
from analysis.core.vocabulary import STATUS_ORDER
from analysis.io.readers.settings import load_bands, load_publication_sources, load_settings

# the shipped bands, settings and publication table, as every page uses them
BANDS, SETTINGS, PUBLICATIONS = load_bands(), load_settings(), load_publication_sources()


def indicator(
    indicator_id,
    unit,
    direction="higher",
    lower=0.0,
    upper=math.nan,
    cumulative=False,
    flow=False,
    coverage="",
):
    return {
        "indicator_id": indicator_id,
        "name_en": f"the {indicator_id.replace('_', ' ')} figure",
        "name_zh": f"{indicator_id}指标",
        "unit": unit,
        "direction": direction,
        "lower_bound": lower,
        "upper_bound": upper,
        "theme": "primary_care",
        "cumulative": cumulative,
        "flow": flow,
        "coverage_indicator": coverage,
    }


INDICATORS = pd.DataFrame(
    [
        indicator("share", "%", upper=100.0),
        indicator("things", "count", cumulative=True),
        indicator("deaths", "‰", direction="lower", upper=1000.0),
        indicator("renovated_per_year", "count", flow=True),
        indicator("trained", "count", flow=True),
        indicator("per_township", "count", coverage="township_coverage"),
        indicator("township_coverage", "%", upper=100.0),
        indicator("per_county", "count"),
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
    measure="level",
    base_year=None,
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
        "measure": measure,
        "base_year": base_year,
        "baseline_value": baseline_value,
        "baseline_year": baseline_year,
    }


def observations(indicator, points, unit="%", grade="official"):
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
                "grade": grade,
            }
        )
    return pd.DataFrame(rows)


def one(t, obs, as_of=2025, language="en"):
    targets = pd.DataFrame([t]).astype({"baseline_year": "Int64", "base_year": "Int64"})
    return assess(targets, INDICATORS, obs, as_of, BANDS, SETTINGS, PUBLICATIONS, language).iloc[0]


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
    assert "> 90" in row["reason"]


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
    assert row["pace_basis"] == "linear"
    assert math.isnan(row["observed_cagr"])
    assert row["observed_pace"] == pytest.approx(latest_2024 / 4)
    assert row["required_pace"] == pytest.approx(10.0)
    assert row["pace_ratio"] == pytest.approx(ratio)
    assert row["progress_share"] == pytest.approx(latest_2024 / 100)
    assert row["status"] == status


def test_compound_pace_on_track():
    # base 2020 = 80 (the default base year), latest 2023 = 86, target >= 90 by 2025
    # observed CAGR (86/80)^(1/3) − 1 = 0.024400; required (90/80)^(1/5) − 1 = 0.023836; R = 1.0237
    row = one(target(), observations("share", [(2018, 70), (2020, 80), (2023, 86)]))
    assert (row["base_value"], row["base_year"]) == (80.0, 2020)
    assert row["observed_cagr"] == pytest.approx(0.024400, abs=1e-6)
    assert row["required_cagr"] == pytest.approx(0.023836, abs=1e-6)
    assert row["pace_ratio"] == pytest.approx(1.0237, abs=1e-4)
    assert row["status"] == "on_track"
    assert row["gap"] == pytest.approx(4.0)


def test_lower_is_better_moving_away():
    # target <= 10 by 2030; 20 in 2020, 22 in 2024. Observed CAGR 1.1^(1/4) − 1 = 0.024114,
    # required 0.5^(1/10) − 1 = −0.066967, R = −0.3601
    t = target("deaths", 10, 2030, "<=", kind="rate", unit="‰")
    row = one(t, observations("deaths", [(2020, 20), (2024, 22)], unit="‰"))
    assert row["pace_ratio"] == pytest.approx(-0.3601, abs=1e-4)
    assert row["status"] == "moving_away"
    assert row["gap"] == pytest.approx(12.0)  # 22 − 10 still to fall


def test_base_that_had_met_the_target_then_fell_back():
    row = one(target(), observations("share", [(2020, 95), (2023, 88)]))
    assert row["status"] == "moving_away"
    assert "already met" in row["reason"]


# --- relative change: the change since the base, in % of the base, in the good direction ------------


def test_relative_decrease_with_stated_base():
    # 降低20% from 50 (2020) by 2025; 44 in 2024 is a fall of (50 − 44) / 50 = 12 % of the base.
    # Linear pace on that change: 12 / 4 = 3 % a year against 20 / 5 = 4 % a year: R = 0.75
    t = target(
        "deaths",
        20,
        2025,
        ">=",
        kind="relative_change",
        unit="%",
        baseline_value=50,
        baseline_year=2020,
        measure="relative_change",
        base_year=2020,
    )
    row = one(t, observations("deaths", [(2024, 44)], unit="‰"))
    assert row["measured_value"] == pytest.approx(12.0)
    assert (row["measured_unit"], row["measured_year"]) == ("%", 2024)
    assert (row["goal_comparator"], row["goal_value"]) == (">=", pytest.approx(40.0))  # 50 less 20 %
    assert (row["base_value"], row["base_year"]) == (50.0, 2020)
    assert row["observed_pace"] == pytest.approx(3.0)
    assert row["required_pace"] == pytest.approx(4.0)
    assert row["pace_ratio"] == pytest.approx(0.75)
    assert row["status"] == "needs_acceleration"


def test_relative_base_read_from_the_base_year_figure():
    t = target("deaths", 20, 2025, ">=", kind="relative_change", measure="relative_change", base_year=2020)
    row = one(t, observations("deaths", [(2020, 50), (2024, 44)], unit="‰"))
    assert row["base_value"] == 50.0
    assert row["pace_ratio"] == pytest.approx(0.75)
    assert row["status"] == "needs_acceleration"


def test_relative_target_without_a_base_figure_is_not_assessable():
    t = target("deaths", 20, 2025, ">=", kind="relative_change", measure="relative_change", base_year=2018)
    row = one(t, observations("deaths", [(2021, 50), (2024, 44)], unit="‰"))
    assert row["status"] == "not_assessable"
    assert "2018" in row["needed"]
    assert "the deaths figure" in row["reason"] and "2018" in row["reason"]


# --- increase: the change since the base year, never the total standing ------------------------------


def increase(value=108.0, year=2027, base_year=2024, unit="count", indicator="things"):
    return target(
        indicator, value, year, ">=", kind="count", unit=unit, measure="increase", base_year=base_year
    )


def test_increase_counts_only_what_is_new():
    # 新建108个 by 2027 from the end of 2024: 150 then, 200 in 2025. The total (200) exceeds 108, but only
    # 50 are new: 50 in one year against 108 / 3 = 36 a year needed: R = 50 / 36 = 1.3889, on track.
    row = one(increase(), observations("things", [(2023, 50), (2024, 150), (2025, 200)], unit="count"))
    assert row["status"] == "on_track"
    assert (row["measured_value"], row["base_value"], row["base_year"]) == (50.0, 150.0, 2024)
    assert row["observed_pace"] == pytest.approx(50.0)
    assert row["required_pace"] == pytest.approx(36.0)
    assert row["pace_ratio"] == pytest.approx(1.3889, abs=1e-4)
    assert row["pace_basis"] == "linear"
    assert row["gap"] == pytest.approx(58.0)
    assert "+50" in row["reason"] and "150 (2024)" in row["reason"] and "200 (2025)" in row["reason"]


def test_increase_met():
    row = one(increase(), observations("things", [(2024, 150), (2026, 260)], unit="count"), as_of=2026)
    assert row["status"] == "achieved"
    assert row["measured_value"] == 110.0


def test_increase_without_a_base_figure_is_not_assessable():
    # no 2024 figure: 2023 and 2025 are equally near; the later leaves nothing to compare with
    row = one(increase(), observations("things", [(2023, 50), (2025, 200)], unit="count"))
    assert row["status"] == "not_assessable"
    assert "2024" in row["needed"]
    assert math.isnan(row["measured_value"])


def test_increase_base_a_year_off_is_used_and_said():
    # base 2024 missing, 2023 the only figure within a year: 95 − 40 = 55 by 2026 of 60 by 2027:
    # 55 / 3 years = 18.33 a year against 60 / 3 = 20: R = 0.9167
    row = one(
        increase(60, 2027, 2024), observations("things", [(2023, 40), (2026, 95)], unit="count"), as_of=2026
    )
    assert row["measured_value"] == 55.0
    assert row["status"] == "needs_acceleration"
    assert "2023 figure" in row["reason"]
    # the base shown is the base used, with its own year (not the plan's 2024, which has no figure)
    assert (row["base_value"], row["base_year"]) == (40.0, 2023)


def test_points_target_is_a_change_in_points():
    # 提升1个百分点 by 2025 from 2023: 25.0 % → 26.5 % is +1.5 points, met; shown as points, not as a level
    t = increase(1, 2025, 2023, unit="percentage points", indicator="share")
    row = one(t, observations("share", [(2023, 25.0), (2024, 26.5)]))
    assert row["status"] == "achieved"
    assert (row["measured_value"], row["measured_unit"]) == (pytest.approx(1.5), "percentage points")
    assert "+1.5 points" in row["reason"] and "25.0 %" not in row["reason"]
    assert "25 % (2023) → 26.5 % (2024)" in row["reason"]


def test_points_target_short_of_it():
    # +0.4 points in one year against 1 point in two: 0.4 / 0.5 = R 0.8
    t = increase(1, 2025, 2023, unit="percentage points", indicator="share")
    row = one(t, observations("share", [(2023, 25.0), (2024, 25.4)]))
    assert row["pace_ratio"] == pytest.approx(0.8)
    assert row["status"] == "needs_acceleration"
    assert "+0.4 points" in row["reason"]


def test_increase_on_yearly_flows_sums_every_year_after_the_base():
    # 2000 trained over 2023–2025 from the end of 2022: 600 + 700 in 2023–24 = 1300; 1300 / 2 = 650 a year
    # against 2000 / 3 = 666.7: R = 0.975, on track
    t = increase(2000, 2025, 2022, indicator="trained")
    row = one(t, observations("trained", [(2021, 900), (2023, 600), (2024, 700)], unit="count"))
    assert row["measured_value"] == 1300.0
    assert row["pace_ratio"] == pytest.approx(0.975)
    assert row["status"] == "on_track"


def test_increase_on_flows_needs_the_first_year():
    t = increase(2000, 2025, 2022, indicator="trained")
    row = one(t, observations("trained", [(2024, 700)], unit="count"))
    assert row["status"] == "not_assessable"
    assert "2023" in row["needed"]


# --- per year: that year's flow, never a stock --------------------------------------------------------


def per_year(indicator="renovated_per_year", value=3000.0, year=2027):
    return target(
        indicator, value, year, ">=", kind="count", unit="count", measure="per_year", base_year=2024
    )


@pytest.mark.parametrize(
    ("flow", "status", "ratio"),
    [
        (3200, "achieved", math.nan),  # met: R ranks nothing
        (2700, "needs_acceleration", 0.9),
        (1500, "limited_progress", 0.5),
    ],
)
def test_per_year_judged_on_the_year(flow, status, ratio):
    row = one(per_year(), observations("renovated_per_year", [(2024, 3100), (2025, flow)], unit="count"))
    assert (row["status"], row["measured_value"], row["measured_year"]) == (status, flow, 2025)
    assert row["pace_ratio"] == pytest.approx(ratio, nan_ok=True)


def test_per_year_short_in_the_deadline_year_is_missed():
    row = one(
        per_year(year=2025), observations("renovated_per_year", [(2025, 2700)], unit="count"), as_of=2026
    )
    assert row["status"] == "missed"


def test_per_year_with_only_stock_figures_is_not_assessable():
    row = one(per_year("things"), observations("things", [(2024, 150), (2025, 200)], unit="count"))
    assert row["status"] == "not_assessable"
    assert "totals standing at year end" in row["reason"]
    assert "2025" in row["needed"]


# --- per unit: on the share of units that reach it ----------------------------------------------------


def test_per_unit_judged_on_its_coverage_figure():
    t = target("per_township", 1, 2025, ">=", kind="count", unit="count", measure="per_unit", base_year=2023)
    obs = pd.concat(
        [
            observations("per_township", [(2024, 1.2)], unit="count"),
            observations("township_coverage", [(2024, 100)]),
        ]
    )
    row = one(t, obs)
    assert (row["status"], row["measured_value"], row["measured_unit"]) == ("achieved", 100.0, "%")


def test_per_unit_without_any_figure_says_what_would_decide_it():
    t = target("per_county", 1, 2025, ">=", kind="count", unit="count", measure="per_unit", base_year=2023)
    row = one(t, observations("share", [(2024, 50)]))
    assert row["status"] == "not_assessable"
    assert "share of units" in row["needed"]


# --- deadlines ------------------------------------------------------------------------------------------


def test_missed_past_deadline():
    # >= 90 by 2023; 2023 = 88, assessed in 2025: the 2024 figure (91) is after the deadline
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 88), (2024, 91)]))
    assert (row["status"], row["measured_value"], row["measured_year"]) == ("missed", 88.0, 2023)
    assert "2023" in row["reason"] and "88 %" in row["reason"]


def test_deadline_year_figure_short_in_the_deadline_year_itself_is_missed():
    # 89.8 in 2023 would be R = 0.981 on the pace, but the deadline has come: missed, not on track
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 89.8)]), as_of=2023)
    assert row["status"] == "missed"


def test_met_at_past_deadline_is_achieved():
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, 90.5)]))
    assert row["status"] == "achieved"


def test_past_deadline_without_its_figure():
    row = one(target(year=2022), observations("share", [(2020, 80), (2023, 88)]))
    assert row["status"] == "not_assessable"
    assert "2022" in row["needed"] and "80 % (2020)" in row["reason"]


def test_cumulative_count_met_before_the_deadline_stays_met():
    t = target("things", 100, 2023, ">=", kind="count", unit="count")
    row = one(t, observations("things", [(2020, 40), (2022, 120)], unit="count"))
    assert row["status"] == "achieved"


def test_cumulative_count_short_after_the_deadline_was_short_at_it():
    t = target("things", 100, 2023, ">=", kind="count", unit="count")
    row = one(t, observations("things", [(2020, 40), (2024, 90)], unit="count"))
    assert row["status"] == "missed"


# --- bounds decide only when they settle it ----------------------------------------------------------


def test_undecided_bound_at_the_deadline():
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, ">=", 85)]))
    assert row["status"] == "not_assessable"
    assert "exact" in row["needed"] and "2023" in row["needed"]


def test_undecided_bound_before_the_deadline():
    # <= 3.5 in 2023 for a rate to bring to <= 3 by 2025: it may already be met
    t = target("deaths", 3, 2025, "<=", kind="rate", unit="‰")
    row = one(t, observations("deaths", [(2020, 5), (2023, "<=", 3.5)], unit="‰"))
    assert row["status"] == "not_assessable"
    assert "≤ 3.5" in row["reason"]


def test_bound_short_of_the_target_at_the_deadline_is_missed():
    row = one(target(year=2023), observations("share", [(2020, 80), (2023, "<", 85)]))
    assert row["status"] == "missed"


# --- sparse data, no data, grades ---------------------------------------------------------------------


def test_one_point_only_and_not_met():
    row = one(target(), observations("share", [(2023, 85)]))
    assert row["status"] == "not_assessable"
    assert "2020 or earlier" in row["needed"]


def test_no_data():
    row = one(target(), observations("share", [(2023, 85)]).assign(region="elsewhere"))
    assert row["status"] == "not_assessable"
    assert row["reason"].startswith("No figure of the share figure")


def test_observations_after_the_assessment_year_are_ignored():
    row = one(target(), observations("share", [(2020, 80), (2022, 84), (2024, 95)]), as_of=2023)
    assert row["latest_year"] == 2022
    assert row["status"] != "achieved"


def test_qualitative_target():
    row = one(target(value=math.nan), observations("share", [(2020, 80), (2023, 88)]))
    assert row["status"] == "not_assessable"


@pytest.mark.parametrize(
    ("grades", "grade", "provisional"),
    [
        (("official", "official"), "official", False),
        (("official", "repost"), "repost", True),
        (("official_media", "official"), "official_media", False),
        (("unverified", "repost"), "unverified", True),
    ],
)
def test_status_rests_on_its_weakest_figure(grades, grade, provisional):
    obs = pd.concat(
        [
            observations("share", [(2020, 80)], grade=grades[0]),
            observations("share", [(2023, 86)], grade=grades[1]),
        ]
    )
    row = one(target(), obs)
    assert row["status"] == "on_track"
    assert (row["grade"], row["provisional"]) == (grade, provisional)
    assert ("Provisional" in row["reason"]) is provisional


def test_reasons_name_the_indicator_never_its_id():
    row = one(target(), observations("share", [(2020, 80), (2023, 86)]))
    assert "the share figure went from 80 % (2020) to 86 % (2023)" in row["reason"]
    zh = one(target(), observations("share", [(2020, 80), (2023, 86)]), language="zh")
    assert zh["reason"].startswith("share指标从2020年的80%到2023年的86%")


def test_every_band_has_its_source():
    bands = load_bands()
    assert list(bands["status"]) == ["on_track", "needs_acceleration", "limited_progress", "moving_away"]
    assert bands["source"].str.len().min() > 20
    assert STATUS_ORDER == [
        "achieved",
        "on_track",
        "needs_acceleration",
        "limited_progress",
        "moving_away",
        "missed",
        "not_assessable",
    ]


def test_an_achieved_level_rests_on_its_latest_figure_alone():
    obs = pd.concat(
        [
            observations("share", [(2020, 80)], grade="unverified"),
            observations("share", [(2023, 92)], grade="official"),
        ]
    )
    row = one(target(), obs)
    assert (row["status"], row["grade"], row["provisional"]) == ("achieved", "official", False)


def test_an_earlier_official_figure_that_meets_a_level_decides_over_a_later_weaker_one():
    # ≥ 90 % by 2027: official 92.6 (2023) meets it alone; the later "> 90" is unverified. Judged on every
    # figure the status would rest on the unverified bound; the official figure settles it, so it decides.
    obs = pd.concat(
        [
            observations("share", [(2023, 92.6)], grade="official"),
            observations("share", [(2025, ">", 90)], grade="unverified"),
        ]
    )
    row = one(target(year=2027), obs)
    assert (row["status"], row["grade"], row["provisional"]) == ("achieved", "official", False)
    assert (row["measured_value"], row["measured_year"], row["latest_year"]) == (92.6, 2023, 2023)
    assert "The official figures settle it on their own" in row["reason"]
    assert "not used: > 90 % (2025, unverified)" in row["reason"]
    zh = one(target(year=2027), obs, language="zh")
    assert "未采用：2025年> 90%（未经核实的）" in zh["reason"]


def test_a_better_grade_that_does_not_settle_the_target_leaves_the_judgement_to_every_figure():
    # official 80 (2020) alone cannot settle ≥ 90 by 2025; unverified 95 (2024) meets it: achieved on the
    # unverified figure, provisional, and no figure is said to be left aside.
    obs = pd.concat(
        [
            observations("share", [(2020, 80)], grade="official"),
            observations("share", [(2024, 95)], grade="unverified"),
        ]
    )
    row = one(target(), obs)
    assert (row["status"], row["grade"], row["provisional"]) == ("achieved", "unverified", True)
    assert row["measured_value"] == 95 and "not used" not in row["reason"]


def test_a_missed_deadline_on_official_figures_is_not_overturned_by_a_weaker_later_one():
    # ≥ 90 by 2023, as of 2025: official 85 in 2023 (missed at the deadline); a repost says 95 in 2024.
    # Judged on every figure, 85 (2023) is already the deadline's figure, so missed either way; it rests
    # on the official figure and the repost is not what the status rests on.
    obs = pd.concat(
        [
            observations("share", [(2023, 85)], grade="official"),
            observations("share", [(2024, 95)], grade="repost"),
        ]
    )
    row = one(target(year=2023), obs)
    assert (row["status"], row["grade"], row["provisional"]) == ("missed", "official", False)
    assert row["measured_value"] == 85


# --- the settings file: status and P(met) on the same base -------------------------------------------


def test_base_year_tolerance_of_the_settings_file_moves_status_and_forecast_goal_together():
    # 新增60个 by 2027 from 2024, with figures for 2023 (40) and 2026 (95) only. With the shipped tolerance
    # of one year both the status and the level a forecast is judged against rest on the 2023 figure:
    # 40 + 60 = 100. With no tolerance neither has a base, so neither can be worked out.
    t = increase(60, 2027, 2024)
    obs = observations("things", [(2023, 40), (2026, 95)], unit="count")
    things = INDICATORS.set_index("indicator_id", drop=False).loc["things"].to_dict()
    assert SETTINGS["base_year_tolerance"] == 1.0
    assert one(t, obs, as_of=2026)["status"] == "needs_acceleration"
    assert goal_of(t, things, obs, SETTINGS) == Goal(">=", 100.0, 40.0, 2024)

    strict = SETTINGS | {"base_year_tolerance": 0.0}
    targets = pd.DataFrame([t]).astype({"baseline_year": "Int64", "base_year": "Int64"})
    row = assess(targets, INDICATORS, obs, 2026, BANDS, strict, PUBLICATIONS).iloc[0]
    assert row["status"] == "not_assessable" and "no 2024 figure" in row["reason"]
    goal = goal_of(t, things, obs, strict)
    assert math.isnan(goal.value) and "no 2024 figure" in goal.reason


# --- the status: a pure mapping of the progress record ---------------------------------------------


def point(year, value, low=None, high=None):
    return Point(year, value, value if low is None else low, value if high is None else high, "=", 0, ())


def record(**components):
    """A progress record written by hand: a level target of ≥ 90 by 2025, judged in 2024."""
    given = {"deadline": 2025, "as_of": 2024, "cumulative": False, "deadline_passed": False} | components
    return Progress(Quantity(goal=90.0), **given)


LATEST, START = point(2023, 86.0), point(2020, 80.0)


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        ({}, Verdict("not_assessable", "no_data")),
        # one figure, short of the target or a bound that may or may not be: no pace to measure
        ({"latest": LATEST, "settled": False}, Verdict("not_assessable", "one_point")),
        ({"latest": LATEST, "settled": None}, Verdict("not_assessable", "bound_open")),
        # every corner of the bounds' ranges agrees, or they leave two statuses open
        (
            {"latest": LATEST, "start": START, "corners": (Corner(False, False, 1.2),)},
            Verdict("on_track", "on_track", ("on_track",), on_pace=True),
        ),
        (
            {
                "latest": LATEST,
                "start": START,
                "corners": (Corner(False, False, 1.2), Corner(False, False, 0.7)),
            },
            Verdict("not_assessable", "undecided", ("on_track", "needs_acceleration"), on_pace=True),
        ),
        (
            {"latest": LATEST, "start": START, "corners": (Corner(True, False, 1.2),)},
            Verdict("achieved", "achieved", ("achieved",), on_pace=True),
        ),
        (
            {"latest": LATEST, "start": START, "corners": (Corner(False, True, 1.2),)},
            Verdict("moving_away", "moving_away", ("moving_away",), on_pace=True),
        ),
        (
            {"latest": point(2025, 86.0), "at_deadline": True, "corners": (Corner(False, False, math.nan),)},
            Verdict("missed", "missed", ("missed",), on_pace=True),
        ),
        (
            {"latest": LATEST, "start": START, "corners": (Corner(False, False, math.nan),)},
            Verdict("not_assessable", "no_required_pace", ("not_assessable",), on_pace=True),
        ),
        # the deadline passed without its year's figure: only a count that only grows can tell
        (
            {
                "latest": LATEST,
                "deadline": 2022,
                "deadline_passed": True,
                "cumulative": True,
                "settled": True,
            },
            Verdict("achieved", "achieved_cumulative"),
        ),
        (
            {"latest": LATEST, "deadline": 2022, "deadline_passed": True, "short_after_deadline": True},
            Verdict("missed", "missed_cumulative"),
        ),
        (
            {"latest": LATEST, "deadline": 2022, "deadline_passed": True, "settled": True},
            Verdict("not_assessable", "no_deadline_figure"),
        ),
    ],
)
def test_status_is_read_off_the_progress_record_alone(components, expected):
    assert verdict_of(record(**components), BANDS) == expected
