"""The project's own data judged and forecast: the status of each target with the project's bands and
settings, and forecasts with its calibration and the fits kept across builds."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import forecasting
from analysis.assessment import table as assessment
from analysis.forecasting import calibration
from analysis.io.readers import fit_store
from analysis.io.readers import settings as setting_files
from analysis.pipeline.project import Project


@lru_cache(maxsize=4)
def _calibration(path: Path, stamp: float) -> calibration.Calibration:
    return calibration.from_frame(setting_files.load_calibration_table(path.parent.parent))


def load_calibration(project: Project) -> calibration.Calibration:
    """The forecast calibration (data/forecast_calibration.csv), read once per file version."""
    path = setting_files.calibration_file(project.root)
    if not path.exists():
        setting_files.load_calibration_table(project.root)  # raises the message for a missing file
    return _calibration(path, path.stat().st_mtime)


def fit_cache(project: Project) -> forecasting.FitCache:
    """The forecast fits kept across builds and batch runs, under the project's cache folder."""
    return forecasting.StoredCache(fit_store.project_fit_store(project.root))


def assess(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    resolved: pd.DataFrame,
    as_of: int,
    project: Project,
    language: str = "en",
) -> pd.DataFrame:
    """Where each target stands as of `as_of`, with the project's bands, settings and the table of where
    figures are published; reasons in `language`."""
    return assessment.assess(
        targets,
        indicators,
        resolved,
        as_of,
        project.bands,
        project.settings,
        project.publication_sources,
        language,
    )


def forecast_targets(
    targets: pd.DataFrame,
    indicators: pd.DataFrame | None,
    resolved: pd.DataFrame,
    as_of: int,
    project: Project,
) -> pd.DataFrame:
    """P(met) of each target, from the forecast of its series up to its deadline."""
    return forecasting.forecast_targets(
        targets,
        indicators,
        resolved,
        as_of,
        load_calibration(project),
        fit_cache(project),
        settings=project.settings,
    )


def forecast_series(
    observed: pd.DataFrame,
    to_year: int,
    indicators: pd.DataFrame | None,
    project: Project,
    jobs: int | None = None,
) -> pd.DataFrame:
    """Each series forecast up to `to_year`, in `jobs` local processes if given."""
    executor = forecasting.executor_for(jobs=jobs) if jobs else None
    return forecasting.forecast_series(
        observed, to_year, indicators, load_calibration(project), fit_cache(project), executor
    )
