"""Forecast methods, bounds, sparse-data rules, P(met) and the batch command, on hand-made fixtures.

A hand-made calibration keeps the figures checkable by hand: every standardised error quantile is
(level − 0.5) × 10, so the 80 % interval is the point forecast ± 4 spreads and P(below x) = 0.5 + x/10.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import forecasting, pipeline
from analysis.core.errors import DataError
from analysis.forecasting import calibration as calib
from analysis.forecasting import decisions, lending, models
from analysis.forecasting import sparse as sparse_cells
from analysis.io.readers.fit_store import FitStore
from analysis.pipeline import Project

SETTINGS = Project.here().settings  # data/assessment_settings.csv: the base of a change target's goal
SHORT_CELLS = [sparse_cells.cell(n, own) for n in (2, 3, 4) for own in (True, False)]
UNIFORM = calib.Calibration(
    kappa=0.0,
    default_sigma={"identity": 0.01, "log": 0.02, "logit": 0.03},
    quantiles={cell: np.tile((calib.LEVELS - 0.5) * 10, (25, 1)) for cell in calib.all_cells() + SHORT_CELLS},
)

INDICATORS = pd.DataFrame(
    [
        {"indicator_id": "share", "lower_bound": 0.0, "upper_bound": 100.0, "cumulative": False},
        {"indicator_id": "rate", "lower_bound": 0.0, "upper_bound": math.nan, "cumulative": False},
        {"indicator_id": "built", "lower_bound": 0.0, "upper_bound": math.nan, "cumulative": True},
    ]
)


def obs(indicator, first_year, values, region="r", qualifiers=None):
    return pd.DataFrame(
        {
            "region": region,
            "indicator": indicator,
            "year": range(first_year, first_year + len(values)),
            "value": values,
            "qualifier": qualifiers or ["="] * len(values),
        }
    )


def run(frame, to_year, indicators=INDICATORS):
    return forecasting.forecast_series(frame, to_year, indicators, UNIFORM)


# --- the candidates -----------------------------------------------------------------------------


def one(name: str, z, h: int) -> np.ndarray:
    return models.MODELS[name].fit(np.asarray(z, dtype=float)).predict(h)


def test_drift_continues_the_average_step():
    # (6 − 1) / 3 = 5/3 a year after 6
    assert one("drift", [1.0, 3, 5, 6], 2) == pytest.approx([6 + 5 / 3, 6 + 10 / 3])


def test_linear_trend_is_least_squares():
    # points (0,1) (1,2) (2,4): slope 1.5, intercept 7/3 − 1.5 = 5/6; at t = 3: 5/6 + 4.5
    assert one("linear", [1.0, 2, 4], 1) == pytest.approx([5 / 6 + 4.5])


Z = np.array([10.0, 11.2, 12.1, 13.5, 14.0, 14.9, 15.3, 15.8])


def test_damped_trend_steps_shrink_by_a_damping_factor_in_its_bounds():
    # a damped trend's forecast steps are b·φ, b·φ², …: each step is φ times the one before
    f = one("damped", Z, 6)
    steps = np.diff(f)
    ratios = steps[1:] / steps[:-1]
    assert ratios == pytest.approx(np.full(4, ratios[0]), rel=1e-9)
    assert models.DAMPING_BOUNDS[0] - 1e-9 <= ratios[0] <= models.DAMPING_BOUNDS[1] + 1e-9
    assert steps[0] > 0  # a rising series keeps rising


def test_simple_smoothing_holds_a_level_inside_the_history():
    f = one("ses", Z, 3)
    assert f == pytest.approx(np.full(3, f[0]))
    assert Z.min() <= f[0] <= Z.max()
    # on a constant series the level is the constant
    assert one("ses", [4.0] * 6, 2) == pytest.approx([4.0, 4.0])


def test_theta_steps_are_half_the_least_squares_slope():
    # Theta (θ = 2) adds half the linear trend to a flat exponential-smoothing forecast
    slope = np.polyfit(np.arange(len(Z)), Z, 1)[0]
    assert np.diff(one("theta", Z, 4)) == pytest.approx(np.full(3, slope / 2), rel=1e-6)


def test_model_based_candidates_are_fitted_by_statsmodels():
    fitted = models.MODELS["damped"].fit(Z)
    assert type(fitted.result).__module__.startswith("statsmodels.")
    assert type(models.MODELS["theta"].fit(Z).result).__module__.startswith("statsmodels.")
    assert type(models.MODELS["linear"].fit(Z).result).__module__.startswith("statsmodels.")


def test_damped_plus_drift_is_their_mean():
    z = np.array([1.0, 2.0, 2.5, 3.5, 4.0, 4.2])
    both = models.forecasts(z, 3, ["damped+drift", "damped", "drift"])
    assert both["damped+drift"] == pytest.approx((both["damped"] + both["drift"]) / 2)


def test_backtest_choice_prefers_the_smaller_error():
    # a straight line: drift is exact, the damped trend bends away: damped+drift wins
    z = np.arange(10, dtype=float) * 2
    errors = decisions.backtest_errors(z, decisions.CHOICES)
    assert errors["damped+drift"] < errors["damped"]
    assert decisions.decide(z).method == "damped+drift"


def test_a_series_without_a_trend_gets_a_level():
    # steps 0.4 −0.6 0.5 −0.4 0.3 −0.5 0.4 −0.1: mean 0, so drift / its standard error = 0 < 1
    z = np.array([5.0, 5.4, 4.8, 5.3, 4.9, 5.2, 4.7, 5.1, 5.0])
    assert decisions.drift_t(z) == pytest.approx(0.0, abs=1e-12)
    decision = decisions.decide(z)
    assert decision.method == "ses" and "no trend" in decision.note
    assert decision.path[:5] == pytest.approx(np.full(5, decision.path[0]))
    assert 4.7 <= decision.path[0] <= 5.4


def test_drift_over_its_standard_error():
    # steps 1, 3: mean 2, sd √2, two steps: t = 2·√2/√2 = 2
    assert decisions.drift_t(np.array([0.0, 1.0, 4.0])) == pytest.approx(2.0)


def test_short_series_get_the_default_without_a_backtest():
    z = np.array([1.0, 2.0, 2.5, 3.5, 4.0, 4.2])  # fewer points than a backtest needs to choose
    decision = decisions.decide(z)
    assert (decision.method, decision.errors) == (decisions.DEFAULT, {})


# --- bounds, monotone counts ----------------------------------------------------------------------


def test_share_never_leaves_its_bounds():
    out = run(obs("share", 2015, [50, 70, 85, 95, 98, 99.2]), 2045)
    assert (out["upper80"] < 100).all() and (out["lower80"] > 0).all()
    assert (out["mean"] <= out["upper80"]).all() and (out["mean"] >= out["lower80"]).all()
    assert out["method_reason"].iloc[0].find("logit") >= 0


def test_falling_rate_never_forecast_below_zero():
    out = run(obs("rate", 2015, [40, 30, 21, 14, 9, 6]), 2040)
    assert (out["lower80"] > 0).all()
    assert out["mean"].is_monotonic_decreasing


def test_cumulative_count_never_falls():
    # a (strange) falling history of a count that only accumulates: forecasts hold at the last value
    out = run(obs("built", 2015, [50, 49, 48, 47, 46]), 2030)
    assert (out["mean"] >= 46).all() and (out["lower80"] >= 46).all()
    for column in ("mean", "lower80", "upper80"):
        assert out[column].is_monotonic_increasing


def test_value_at_a_bound_uses_the_raw_scale_clipped():
    out = run(obs("share", 2018, [96, 98, 99, 100, 100]), 2030)
    assert (out["upper80"] <= 100).all()
    assert "natural bound" in out["method_reason"].iloc[0]


# --- sparse data ----------------------------------------------------------------------------------

LENDER = obs("mystery", 2015, [100, 104, 105, 109, 110], region="national")
# lender: steps 4, 1, 4, 1; drift 2.5; deviations ±1.5 → sigma = sqrt(4 · 2.25 / 3) = sqrt(3) = 1.7320508;
# its drift over its standard error 2.5 · √4 / √3 = 2.9: a trend. On the raw scale it lends sigma relative
# to its mean level 105.6: 0.0164020
TREND_FREE_LENDER = obs("mystery", 2015, [100, 102, 101, 103, 102], region="national")
# steps 2, −1, 2, −1: drift 0.5, standard deviation of the steps √3 → 0.5 · √4 / √3 = 0.58 < 1: no trend


def test_two_points_use_a_random_walk_with_drift_and_the_lenders_variance():
    # The lender's random walk with drift, fitted by maximum likelihood with a diffuse start (the
    # restricted likelihood): the variance of its steps around their mean, 9 / 3 = 3, relative to its
    # mean level 105.6; for this series (mean level 14) sigma² = 3 · (14 / 105.6)².
    # Two figures four years apart: the drift (18 − 10) / 4 = 2 has variance 4 sigma² / 4² = sigma² / 4,
    # so h years after 2024 the forecast 18 + 2h has variance h sigma² + h² sigma² / 4.
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    out = run(pd.concat([LENDER, sparse]), 2026)
    rows = out[out["region"] == "r"].reset_index(drop=True)
    assert list(rows["year"]) == [2025, 2026]
    assert rows["mean"].tolist() == pytest.approx([20.0, 22.0], rel=1e-6)
    assert (rows["method"] == "random walk + drift").all()
    assert rows["model"][0] == (
        "statsmodels.tsa.UnobservedComponents(random walk with drift, "
        "variances fixed from 1 longer series of the indicator)"
    )
    sigma2 = 3 * (14 / 105.6) ** 2
    se = np.sqrt(sigma2 * np.array([1 + 1 / 4, 2 + 4 / 4]))
    assert rows["lower80"].to_numpy() == pytest.approx(np.array([20, 22]) - 4 * se, rel=1e-3)
    assert rows["upper80"].to_numpy() == pytest.approx(np.array([20, 22]) + 4 * se, rel=1e-3)
    assert "not in indicators.csv" in rows["method_reason"][0]
    assert "(short 2)" in rows["method_reason"][0]


def test_lenders_are_fitted_once_per_batch_and_only_for_series_that_borrow():
    # two short series of the indicator, both trending: they share the one lender's random walk fit;
    # the lender itself (five points) borrows its spread only and asks for no fit
    short = [
        pd.DataFrame({"region": r, "indicator": "mystery", "year": [2020, 2024], "value": [10.0, v]})
        for r, v in (("r", 18.0), ("s", 14.0))
    ]
    series = forecasting.split_series(pd.concat([LENDER, *short]), INDICATORS)
    lenders = forecasting.lenders_of(series)
    jobs = lending.needed_fits(series, lenders)
    assert [(relative, structure) for _, relative, structure in jobs] == [(True, sparse_cells.TREND)]
    assert lending.needed_fits([s for s in series if s.region == "national"], lenders) == []
    long = forecasting.borrowed_for(series[0], lenders, UNIFORM)
    assert series[0].region == "national" and long.variances is None


def test_sparse_series_gets_a_level_when_its_indicator_has_no_trend():
    # two points cannot tell a trend from noise; the indicator's long series (here its only one) can.
    # Local level, variances (noise e, level step n) from the lender: the first figure sets the level
    # (variance e), four years on its variance is e + 4n, and the second figure pulls it by the gain
    # K = (e + 4n) / (e + 4n + e): level 10 + 8K, held for every later year.
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    out = run(pd.concat([TREND_FREE_LENDER, sparse]), 2026)
    rows = out[out["region"] == "r"].reset_index(drop=True)
    lender = TREND_FREE_LENDER["value"].to_numpy(dtype=float)
    e, n = np.array(sparse_cells.estimate(lender, True, sparse_cells.LEVEL).params) * 14**2
    gain = (e + 4 * n) / (2 * e + 4 * n)
    assert rows["mean"].tolist() == pytest.approx([10 + 8 * gain] * 2, rel=1e-4)
    assert (rows["method"] == "local level").all()
    assert "level only" in rows["method_reason"][0]
    assert "UnobservedComponents(local level" in rows["model"][0]


def test_a_trend_is_never_borrowed_from_another_indicator():
    other = TREND_FREE_LENDER.assign(indicator="another")
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    out = run(pd.concat([other, sparse]), 2025)
    assert out[out["region"] == "r"]["method"].tolist() == ["random walk + drift"]
    assert "other indicators" in out[out["region"] == "r"]["model"].iloc[0]


def test_sparse_series_without_lender_takes_at_least_its_own_yearly_change():
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    out = run(sparse, 2025)
    # default relative spread 0.01 × mean level 14 = 0.14 is smaller than the yearly change 2: sigma = 2;
    # one year after 2024 the variance is sigma² (1 + 1/4) (see above); ± 4 standard errors
    half = 4 * 2 * math.sqrt(1.25)
    assert (out["lower80"].iloc[0], out["upper80"].iloc[0]) == pytest.approx((20 - half, 20 + half), rel=1e-4)
    assert "short 2 other" in out["method_reason"].iloc[0]


def test_a_flat_accumulating_count_forecasts_flat():
    # national regional medical centres: 2 in 2022, 5 in 2023, still 5 in 2025: nothing added since
    built = pd.DataFrame(
        {"region": "r", "indicator": "built", "year": [2022, 2023, 2025], "value": [2.0, 5, 5]}
    )
    out = run(built, 2028)
    assert out["mean"].tolist() == [5.0, 5.0, 5.0]
    assert (out["method"] == "local level").all()
    assert (out["lower80"] >= 5).all()


def test_a_growing_count_continues_its_mean_yearly_addition_from_its_last_figure():
    # county sub-centres: 50, 150, 200: the random walk with drift adds the mean step (200 − 50) / 2 = 75
    # a year to the last figure (exact diffuse start: its level is the last figure, not pulled back)
    built = obs("built", 2023, [50.0, 150.0, 200.0])
    out = run(built, 2027)
    assert out["mean"].tolist() == pytest.approx([275.0, 350.0], rel=1e-9)
    assert (out["method"] == "random walk + drift").all()


def test_every_forecast_names_its_statsmodels_model_and_none_says_pace():
    frame = pd.concat([MANY, LENDER, obs("share", 2021, [40.0, 44.0, 47.0], region="d")], ignore_index=True)
    out = run(frame, 2027)
    forecast = out[out["mean"].notna()]
    assert forecast["model"].str.startswith(("statsmodels.", "equal-weight mean of statsmodels.")).all()
    assert not out["method"].str.contains("pace").any()
    assert not out["method_reason"].str.contains("pace").any()


# --- one exact figure and a bound: a flat path, the bound checked -----------------------------------

Z90 = 1.2815515655446004  # the standard normal's 90 % quantile
FACTOR = 0.8  # a calibration that narrows the model's normal interval to 0.8 of its width
NORMAL_08 = calib.Calibration(
    kappa=0.0,
    default_sigma={"identity": 0.01, "log": 0.02, "logit": 0.03},
    quantiles={
        cell: np.tile(FACTOR * np.array([statistics.NormalDist().inv_cdf(p) for p in calib.LEVELS]), (25, 1))
        for cell in calib.all_cells() + SHORT_CELLS
    },
)


def figure_and_bound(qualifier: str, bound: float, bound_year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": "r",
            "indicator": "mystery",
            "year": [2018, bound_year],
            "value": [50.0, bound],
            "qualifier": ["=", qualifier],
        }
    )


def test_one_figure_and_a_bound_is_forecast_flat_with_the_lenders_random_walk_variance():
    # The lender's random walk (no drift), fitted by maximum likelihood with a diffuse start: its steps
    # 4, 1, 4, 1 are the disturbances, sigma² = (16 + 1 + 16 + 1) / 4 = 8.5 at its mean level 105.6; for
    # this series (level 50) sigma² = 8.5 · (50 / 105.6)². h years after 2018 the level's variance is
    # h·sigma² and the mean stays 50; the calibration (0.8 × normal quantiles, cell short 2) makes the
    # 80 % half-width 1.2816 · sqrt(h·sigma²) · 0.8.
    frame = pd.concat([LENDER, figure_and_bound("<=", 40.0)])
    out = forecasting.forecast_series(frame, 2021, INDICATORS, NORMAL_08)
    rows = out[out["region"] == "r"].reset_index(drop=True)
    assert rows["year"].tolist() == [2019, 2020, 2021]
    assert rows["mean"].tolist() == pytest.approx([50.0, 50.0, 50.0], rel=1e-9)
    half = Z90 * np.sqrt(np.array([1, 2, 3]) * 8.5 * (50 / 105.6) ** 2) * FACTOR
    assert (rows["upper80"] - rows["mean"]).to_numpy() == pytest.approx(half, rel=1e-3)
    assert (rows["mean"] - rows["lower80"]).to_numpy() == pytest.approx(half, rel=1e-3)
    assert (rows["method"] == "local level").all()
    assert rows["model"][0] == (
        "statsmodels.tsa.UnobservedComponents(random walk, "
        "variances fixed from 1 longer series of the indicator)"
    )
    assert "(short 2)" in rows["method_reason"][0]


def test_one_figure_without_a_lender_takes_the_default_spread():
    # no long series: sigma = default 0.01 × level 50 = 0.5 a year; UNIFORM's 80 % interval is ± 4 sigma·√h
    out = run(figure_and_bound(">", 40.0), 2020)
    assert out["mean"].tolist() == [50.0, 50.0]
    assert out["upper80"].to_numpy() == pytest.approx(50 + 4 * 0.5 * np.sqrt([1, 2]), rel=1e-4)
    assert "short 2 other" in out["method_reason"].iloc[0]


def test_a_bound_the_flat_path_breaks_is_said_with_its_gap_and_not_fitted():
    # 50 held flat; "<= 40" in 2020 is 10 below it: still forecast flat, the reason says by how much
    out = run(figure_and_bound("<=", 40.0, 2020), 2021)
    assert out["mean"].tolist() == [50.0, 50.0, 50.0]
    reason = out["method_reason"].iloc[0]
    assert "the 2020 bound <= 40 disagrees with the flat path (50 in 2020, 10 above it)" in reason
    assert "bounds left out of fitting (2020 <= 40)" in reason


def test_a_bound_the_flat_path_keeps_agrees_and_one_outside_the_forecast_is_not_checked():
    agrees = run(figure_and_bound(">", 40.0, 2020), 2021)["method_reason"].iloc[0]
    assert "the 2020 bound > 40 agrees with the flat path (50 in 2020)" in agrees
    # a bound the same as the flat level but strict: 50 is not < 50
    strict = run(figure_and_bound("<", 50.0, 2020), 2021)["method_reason"].iloc[0]
    assert "the 2020 bound < 50 disagrees with the flat path (50 in 2020, exactly at it)" in strict
    before = run(figure_and_bound("<=", 60.0, 2016), 2020)
    assert before["mean"].tolist() == [50.0, 50.0]
    assert (
        "the 2016 bound <= 60 lies outside the forecast years: not checked" in before["method_reason"].iloc[0]
    )


def test_one_point_gives_no_forecast_and_says_why():
    out = run(obs("share", 2023, [85]), 2025)
    assert out["mean"].isna().all() and (out["method"] == "none").all()
    assert "one exact figure" in out["method_reason"].iloc[0]


def test_bounds_are_left_out_of_fitting():
    # 92.6 then "> 90": fitting 90 as a value would invent a fall; the one exact figure is held flat
    out = run(obs("share", 2023, [92.6, 90], qualifiers=["=", ">"]), 2026)
    assert out["mean"].tolist() == pytest.approx([92.6, 92.6, 92.6], rel=1e-9)
    assert "bounds left out of fitting (2024 > 90)" in out["method_reason"].iloc[0]
    assert "the 2024 bound > 90 agrees with the flat path (92.6 in 2024)" in out["method_reason"].iloc[0]


def test_gaps_are_filled_for_fitting_and_said():
    frame = pd.DataFrame(
        {
            "region": "r",
            "indicator": "rate",
            "year": [2010, 2012, 2013, 2015, 2016, 2018],
            "value": [10.0, 9.0, 8.6, 7.8, 7.5, 7.0],
        }
    )
    out = run(frame, 2020)
    assert list(out["year"]) == [2019, 2020]
    assert "gaps filled" in out["method_reason"].iloc[0]


# --- P(met) ---------------------------------------------------------------------------------------

TARGETS = pd.DataFrame(
    [
        {
            "target_id": "reach-21",
            "region": "r",
            "indicator": "mystery",
            "target_year": 2025,
            "comparator": ">=",
            "target_value": 21.0,
            "kind": "level",
            "baseline_value": math.nan,
            "baseline_year": None,
        },
        {
            "target_id": "cap-21",
            "region": "r",
            "indicator": "mystery",
            "target_year": 2025,
            "comparator": "<=",
            "target_value": 21.0,
            "kind": "level",
            "baseline_value": math.nan,
            "baseline_year": None,
        },
        {
            "target_id": "observed",
            "region": "r",
            "indicator": "mystery",
            "target_year": 2024,
            "comparator": ">=",
            "target_value": 17.0,
            "kind": "level",
            "baseline_value": math.nan,
            "baseline_year": None,
        },
    ]
).astype({"baseline_year": "Int64"})


def test_probability_of_meeting_the_target():
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    out = forecasting.forecast_targets(
        TARGETS, None, pd.concat([LENDER, sparse]), 2024, UNIFORM, settings=SETTINGS
    )
    out = out.set_index("target_id")
    # 2025: point 20; the random walk with drift's standard error one year on (see above)
    # √(3 · (14 / 105.6)² · 1.25) = 0.256732; 21 lies (21 − 20) / 0.256732 = 3.89511 of them above:
    # P(below) = 0.5 + 0.389511 = 0.889511
    spread = math.sqrt(3 * 1.25) / 105.6 * 14
    assert 1 - out.loc["reach-21", "p_met"] == pytest.approx(0.889511, abs=1e-4)
    assert out.loc["reach-21", "p_met"] == pytest.approx(1 - (0.5 + (1 / spread) / 10), rel=1e-4)
    assert out.loc["cap-21", "p_met"] == pytest.approx(0.5 + (1 / spread) / 10, rel=1e-4)
    assert out.loc["reach-21", "forecast_mean"] == pytest.approx(20.0)
    assert (out.loc["observed", "method"], out.loc["observed", "p_met"]) == ("observed", 1.0)


def test_probability_never_certain():
    sparse = pd.DataFrame(
        {"region": "r", "indicator": "mystery", "year": [2020, 2024], "value": [10.0, 18.0]}
    )
    far = TARGETS.iloc[[0]].assign(target_value=40.0)
    out = forecasting.forecast_targets(
        far, None, pd.concat([LENDER, sparse]), 2024, UNIFORM, settings=SETTINGS
    )
    assert out["p_met"].iloc[0] == calib.P_FLOOR


# --- fitting the calibration to held-back real series (the benches that write the file) ------------


def test_symmetric_quantiles_count_every_error_with_both_signs():
    # errors 1 and −3 become −3, −1, 1, 3; numpy's linear quantile at 90 % sits 2.7 of the 3 gaps in:
    # 1 + 0.7 · (3 − 1) = 2.4, at 10 % −2.4, at 50 % 0
    q = calib.symmetric_quantiles(np.array([1.0, -3.0, np.nan]))
    at = dict(zip(calib.LEVELS, q, strict=True))
    assert (at[0.1], at[0.5], at[0.9]) == pytest.approx((-2.4, 0.0, 2.4))


def test_spread_scaled_moves_quantiles_about_the_median():
    # the uniform row shifted by 1: median 1, 90 % at 1 + 4; half the spread puts it at 1 + 2
    table = np.tile((calib.LEVELS - 0.5) * 10 + 1, (2, 1))
    out = calib.spread_scaled(table, 0.5)
    assert out[1, calib.LEVELS.tolist().index(0.9)] == pytest.approx(3.0)
    assert out[1, calib.LEVELS.tolist().index(0.5)] == pytest.approx(1.0)
    assert out[0, calib.LEVELS.tolist().index(0.1)] == pytest.approx(-1.0)


def test_needed_factor_is_the_share_of_the_interval_an_error_reaches():
    # uniform row: 80 % interval −4 … 4 about 0; 2 needs half of it, −8 twice, 4 exactly all
    rows = np.tile((calib.LEVELS - 0.5) * 10, (3, 1))
    assert calib.needed_factor(np.array([2.0, -8.0, 4.0]), rows) == pytest.approx([0.5, 2.0, 1.0])


def test_smallest_factor_holds_the_target_share():
    needed = np.array([0.5, 1.0, 2.0, 3.0, 0.2])
    # four of five (80 %) need at most 2; three of five (60 %) at most 1
    assert calib.smallest_factor(needed) == pytest.approx(2.0)
    assert calib.smallest_factor(needed, target=0.6) == pytest.approx(1.0)


def test_cumulative_count_already_past_the_target_is_certain():
    targets = TARGETS.iloc[[0]].assign(indicator="built", target_value=40.0, target_year=2027)
    out = forecasting.forecast_targets(
        targets,
        INDICATORS,
        obs("built", 2020, [30, 38, 45]).assign(region="r"),
        2022,
        calibration=UNIFORM,
        settings=SETTINGS,
    )
    assert out["p_met"].iloc[0] == 1.0


# --- the batch command -----------------------------------------------------------------------------


def batch(*args, **kwargs) -> list[Path]:
    """The `forecast` command's work with the hand-made calibration; the files it wrote."""
    return pipeline.forecast_batch(*args, cal=UNIFORM, project=Project.here(), **kwargs)[0]


def write(tmp_path: Path, text: str, name="obs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """region,indicator,year,value,source
r,share,2015,50,a
r,share,2016,55,a
r,share,2017,61,a
r,share,2018,64,a
r,share,2019,70,a
r,share,2019,70,b
r,mystery,2018,3,a
r,mystery,2019,4,a
"""


def test_batch_writes_the_agreed_columns(tmp_path):
    out = tmp_path / "out.csv"
    written = batch(write(tmp_path, GOOD), 2021, out, indicators=INDICATORS)
    table = pd.read_csv(written[0])
    assert list(table.columns) == forecasting.OUTPUT_COLUMNS
    assert list(zip(table["indicator"], table["year"], strict=True)) == [
        ("mystery", 2020),
        ("mystery", 2021),
        ("share", 2020),
        ("share", 2021),
    ]
    assert table["mean"].iloc[0] == pytest.approx(5.0)


def test_batch_output_is_byte_identical_on_rerun(tmp_path):
    path = write(tmp_path, GOOD)
    first = batch(path, 2030, tmp_path / "a.csv", indicators=INDICATORS)[0].read_bytes()
    second = batch(path, 2030, tmp_path / "b.csv", indicators=INDICATORS)[0].read_bytes()
    assert first == second


def test_batch_with_targets_writes_p_met_beside(tmp_path):
    targets = write(
        tmp_path,
        "target_id,region,indicator,comparator,target_value,target_year,kind\nt1,r,share,>=,80,2021,share\n",
        "targets.csv",
    )
    written = batch(write(tmp_path, GOOD), 2021, tmp_path / "out.csv", targets, indicators=INDICATORS)
    assert written[1].name == "out_p_met.csv"
    p_met = pd.read_csv(written[1])
    assert list(p_met.columns) == forecasting.TARGET_COLUMNS
    assert 0 < p_met["p_met"].iloc[0] < 1


@pytest.mark.parametrize(
    ("line", "row", "column", "words"),
    [
        ("r,share,2020,about 70,a", 10, "value", "not a number"),
        ("r,share,,70,a", 10, "year", "missing"),
    ],
)
def test_malformed_rows_are_named(tmp_path, line, row, column, words):
    path = write(tmp_path, GOOD + line + "\n")
    with pytest.raises(DataError) as caught:
        batch(path, 2021, tmp_path / "out.csv", indicators=INDICATORS)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), row, column)
    assert words in problem.message


def test_missing_required_column_is_named(tmp_path):
    path = write(tmp_path, "region,indicator,year\nr,share,2020\n")
    with pytest.raises(DataError) as caught:
        batch(path, 2021, tmp_path / "out.csv", indicators=INDICATORS)
    assert caught.value.problems[0].column == "value"


def test_flat_history_borrows_a_spread_instead_of_claiming_certainty():
    flat = obs("mystery", 2015, [7.0] * 6)
    out = run(flat, 2021)
    # no lender but itself (spread 0): the default relative spread 0.01 × level 7 = 0.07, ± 4 spreads
    assert (out["lower80"].iloc[0], out["upper80"].iloc[0]) == pytest.approx((7 - 0.28, 7 + 0.28))
    assert "flat history" in out["method_reason"].iloc[0]


# --- fits cached by content, executors ---------------------------------------------------------------

MANY = pd.concat(
    [
        obs("rate", 2010, [40, 37, 35, 31, 30, 27, 25, 24, 21, 20], region="a"),
        obs("share", 2012, [50, 55, 61, 64, 70, 72, 75, 79], region="a"),
        obs("share", 2012, [50, 55, 61, 64, 70, 72, 75, 79], region="b"),  # same figures as a: one fit
        obs("mystery", 2016, [3.0, 3.4, 3.1, 3.9, 4.2, 4.0], region="c"),
    ],
    ignore_index=True,
)


def test_identical_series_are_fitted_once_and_reused_from_the_cache(tmp_path):
    from analysis.forecasting import core

    cache = forecasting.StoredCache(FitStore(tmp_path / "fits.sqlite"))
    before = core.LAST_STATS.fitted
    first = forecasting.forecast_series(MANY, 2027, INDICATORS, UNIFORM, cache)
    assert core.LAST_STATS.fitted - before == 3  # four series, two of them the same numbers
    # a new process's cache object reads the same file: nothing is fitted again, figures identical
    again = forecasting.StoredCache(FitStore(tmp_path / "fits.sqlite"))
    before = core.LAST_STATS.fitted
    second = forecasting.forecast_series(MANY, 2027, INDICATORS, UNIFORM, again)
    assert core.LAST_STATS.fitted - before == 0
    pd.testing.assert_frame_equal(first, second)
    a, b = (first[first["region"] == r].reset_index(drop=True) for r in ("a", "b"))
    shares = first[first["indicator"] == "share"]
    assert len(shares) == 2 * (2027 - 2019)
    assert a[a["indicator"] == "share"]["mean"].tolist() == b["mean"].tolist()


def test_an_unreadable_cache_is_a_miss_not_an_error(tmp_path):
    broken = tmp_path / "fits.sqlite"
    broken.write_bytes(b"this is not a database")
    cache = forecasting.StoredCache(FitStore(broken))
    out = forecasting.forecast_series(MANY, 2027, INDICATORS, UNIFORM, cache)
    fresh = forecasting.forecast_series(MANY, 2027, INDICATORS, UNIFORM, forecasting.MemoryCache())
    pd.testing.assert_frame_equal(out, fresh)


def test_local_processes_give_the_same_forecasts_as_this_process():
    from analysis.forecasting.executors import InProcess, LocalProcesses

    here = forecasting.forecast_series(
        MANY, 2027, INDICATORS, UNIFORM, forecasting.MemoryCache(), InProcess()
    )
    pool = forecasting.forecast_series(
        MANY, 2027, INDICATORS, UNIFORM, forecasting.MemoryCache(), LocalProcesses(2)
    )
    pd.testing.assert_frame_equal(here, pool)


def test_dask_cluster_runs_the_fits_and_gives_the_same_forecasts():
    from dask.distributed import LocalCluster

    from analysis.forecasting.executors import InProcess

    here = forecasting.forecast_series(
        MANY, 2027, INDICATORS, UNIFORM, forecasting.MemoryCache(), InProcess()
    )
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        executor = forecasting.executor_for(scheduler=cluster.scheduler_address)
        try:
            assert executor.name == "dask"
            remote = forecasting.forecast_series(
                MANY, 2027, INDICATORS, UNIFORM, forecasting.MemoryCache(), executor
            )
            # the fits happened in the worker process, not here
            spent = executor.client.run(lambda: models.seconds_fitting())
        finally:
            executor.close()
    pd.testing.assert_frame_equal(here, remote)
    assert list(spent.values())[0] > 0


def test_batch_command_takes_a_dask_scheduler(tmp_path):
    from dask.distributed import LocalCluster

    path = write(tmp_path, GOOD)
    here = batch(path, 2024, tmp_path / "here.csv", indicators=INDICATORS, jobs=1)[0]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        there = batch(
            path, 2024, tmp_path / "there.csv", indicators=INDICATORS, scheduler=cluster.scheduler_address
        )[0]
    assert here.read_bytes() == there.read_bytes()
