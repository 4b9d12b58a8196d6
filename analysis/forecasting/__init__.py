"""Forecasts of annual series to a year, with calibrated 80 % intervals and P(target met).

Shaped like a many-series forecasting library with statsmodels inside:
- `transforms`: the logit / log / raw scales that keep forecasts inside natural bounds;
- `models`: the candidates, one fit/predict interface, each fitted by statsmodels (naive and drift in
  closed form);
- `decisions`: the per-series rolling-origin backtest that picks the method (all fitting happens here);
- `cache`: decisions kept across builds, keyed by the series' content;
- `executors`: in-process, local processes or a Dask cluster;
- `series`, `sparse`, `lending`: a series as the engine sees it; short (2–4-point) series by
  UnobservedComponents with variances borrowed from the indicator's longer series;
- `core`: many series at once, calibration of the spread (analysis.forecasting.calibration);
- `targets`: each target's forecast to its deadline and P(met).
"""

from analysis.forecasting.cache import FitCache, MemoryCache, StoredCache
from analysis.forecasting.core import (
    MIN_MODEL_POINTS,
    OUTPUT_COLUMNS,
    TARGET_COLUMNS,
    Borrowed,
    Fit,
    Lent,
    Predictive,
    Series,
    annual_grid,
    borrowed_for,
    bounds_table,
    calibrated,
    effective_sigma,
    fit_many,
    forecast_series,
    lenders_of,
    predictive,
    probability_met,
    relative_sigma,
    split_series,
    spread,
)
from analysis.forecasting.executors import EXECUTORS, executor_for
from analysis.forecasting.models import COMBINATIONS, METHODS, MODELS
from analysis.forecasting.targets import forecast_fields, forecast_targets
from analysis.forecasting.transforms import Bounds, choose_scale, from_model, near_bound, to_model

__all__ = [
    "COMBINATIONS",
    "EXECUTORS",
    "METHODS",
    "MIN_MODEL_POINTS",
    "MODELS",
    "OUTPUT_COLUMNS",
    "TARGET_COLUMNS",
    "Bounds",
    "Fit",
    "FitCache",
    "MemoryCache",
    "Predictive",
    "Series",
    "StoredCache",
    "annual_grid",
    "Borrowed",
    "Lent",
    "borrowed_for",
    "bounds_table",
    "calibrated",
    "choose_scale",
    "effective_sigma",
    "executor_for",
    "fit_many",
    "forecast_fields",
    "forecast_series",
    "forecast_targets",
    "from_model",
    "lenders_of",
    "near_bound",
    "predictive",
    "probability_met",
    "relative_sigma",
    "split_series",
    "spread",
    "to_model",
]
