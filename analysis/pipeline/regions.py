"""Which region a researcher means: the one place a region name typed on the command line or in a notebook
becomes the registry's id (`guiyang`), in either language and whatever the case."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.core.errors import DataError, PlanTrackerError, Problem
from analysis.core.labels import LANGUAGES, label
from analysis.pipeline.project import Project


def region_names(region: str) -> list[str]:
    """The names a region goes by: its registry id, and its English and Chinese names in the labels."""
    names = [region]
    for language in LANGUAGES:
        try:
            names.append(label(f"region_{region}", language))
        except PlanTrackerError:
            continue
    return names


def match_region(name: str, known: Iterable[str]) -> str | None:
    """The registry region a researcher means, whatever the case and in either language: `Guiyang`,
    `guiyang`, `贵阳贵安`, or a short form that starts exactly one region's name (`贵阳`, `巴中`, `贵州`)."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    known = list(known)
    names = {region: [n.casefold() for n in region_names(region)] for region in known}
    exact = [region for region in known if wanted in names[region]]
    if exact:
        return exact[0]
    starts = [region for region in known if any(n.startswith(wanted) for n in names[region])]
    return starts[0] if len(starts) == 1 and len(wanted) >= 2 else None


def _choice(region: str) -> str:
    """A region as the error lists it: `guiyang (Guiyang / 贵阳贵安)`."""
    names = region_names(region)
    return f"{region} ({' / '.join(names[1:])})" if len(names) > 1 else region


def check_region(region: str, project: Project, option: str = "--region") -> str:
    """The registry's id of the region named (see `match_region`), or an error listing the regions that
    have a plan. The command line and the region pages both check a region here."""
    found = match_region(region, project.regions)
    if found is None:
        choices = ", ".join(_choice(r) for r in project.regions)
        raise DataError(
            [
                Problem(
                    option,
                    None,
                    None,
                    f"unknown region '{region}': it has no plan",
                    f"use one of: {choices} (data/policies/registry.csv)",
                )
            ]
        )
    return found
