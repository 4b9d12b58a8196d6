"""Every region side by side, gathered once: the targets, observations and statuses the overview and
the data page show (analysis.site.overview, analysis.site.data_page).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.core.labels import check_language
from analysis.observations import conflicts
from analysis.pipeline import Project, assess, load_observations


@dataclass(frozen=True)
class Overview:
    """Every region's targets and statuses."""

    as_of: int
    language: str
    regions: list[str]
    plans: pd.DataFrame
    targets: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    resolved: pd.DataFrame
    status: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    project: Project | None = field(default=None, repr=False)  # where the figures were read
    min_grade: str | None = None  # a filtered build: sources of this grade or better only
    left_out: int = 0  # the figures up to as_of a filtered build leaves out


def gather(
    as_of: int, language: str = "en", project: Project | None = None, min_grade: str | None = None
) -> Overview:
    """Statuses of all targets: a status depends on its own region's series only, as on the region pages;
    with `min_grade`, from sources of that grade or better only. The notebooks call this without a
    project (the repository, or `PLANTRACKER_ROOT`); the site's pages pass theirs."""
    project = project or Project.here()
    check_language(language)
    indicators, targets = project.indicators, project.targets
    loaded = load_observations(project, min_grade=min_grade)
    every = load_observations(project) if min_grade else loaded
    resolved = conflicts.resolve(loaded)
    return Overview(
        as_of=as_of,
        language=language,
        regions=project.regions,
        plans=project.registry,
        targets=targets,
        indicators=indicators,
        observations=loaded,
        resolved=resolved,
        status=assess(targets, indicators, resolved, as_of, project, language),
        excluded=project.excluded,
        project=project,
        min_grade=min_grade,
        left_out=int((every["year"] <= as_of).sum() - (loaded["year"] <= as_of).sum()),
    )
