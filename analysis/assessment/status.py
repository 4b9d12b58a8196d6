"""Where a target stands: a small pure mapping of its progress record (analysis.assessment.progress) to
one status of the vocabulary (analysis.core.vocabulary.STATUS_ORDER).

achieved when every value the latest figure allows meets the target; missed when the deadline year's
figure is short; moving_away when a level that had met the target fell back; otherwise the band of
data/progress_bands.csv that R falls in (Eurostat / Open SDG). not_assessable when no figure decides it,
and the verdict names which case that is, so the reason can say which figure would decide it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.assessment.pace import band_for
from analysis.assessment.progress import Corner, Progress
from analysis.assessment.quantity import FLOW
from analysis.core.vocabulary import ACHIEVED, MISSED, MOVING_AWAY, NOT_ASSESSABLE, STATUS_ORDER

# STATUS_ORDER and NOT_ASSESSABLE are the vocabulary's; the site's pages still read them from here.
__all__ = ["NOT_ASSESSABLE", "STATUS_ORDER", "Verdict", "corner_status", "verdict_of"]


@dataclass(frozen=True)
class Verdict:
    """A status and the case that explains it: the status itself when judged on the pace, else the key of
    the sentence in analysis.assessment.reasons (no_data, bound_open, achieved_cumulative, …)."""

    status: str
    case: str
    possible: tuple[str, ...] = ()  # the statuses the ranges of bounds leave open
    on_pace: bool = False  # read off the corners' pace: the pace columns go in the table


def corner_status(corner: Corner, at_deadline: bool, bands: pd.DataFrame) -> str:
    """The status of exact values (one corner of the ranges bounds allow)."""
    if corner.met:
        return ACHIEVED
    if at_deadline:
        return MISSED
    if corner.base_met:
        return MOVING_AWAY
    return band_for(corner.ratio, bands) if math.isfinite(corner.ratio) else NOT_ASSESSABLE


def after_deadline_verdict(progress: Progress) -> Verdict:
    """The deadline has passed with no figure for its year: only a count that only grows can tell."""
    if progress.cumulative and progress.settled is True:
        return Verdict(ACHIEVED, "achieved_cumulative")
    if progress.short_after_deadline:
        return Verdict(MISSED, "missed_cumulative")
    return Verdict(NOT_ASSESSABLE, "no_deadline_figure")


def pace_verdict(progress: Progress, bands: pd.DataFrame) -> Verdict:
    """The status every corner agrees on; not_assessable when they differ or none has a pace to rank."""
    possible = tuple(
        sorted(
            {corner_status(c, progress.at_deadline, bands) for c in progress.corners}, key=STATUS_ORDER.index
        )
    )
    if len(possible) > 1:
        return Verdict(NOT_ASSESSABLE, "undecided", possible, on_pace=True)
    if possible == (NOT_ASSESSABLE,):
        return Verdict(NOT_ASSESSABLE, "no_required_pace", possible, on_pace=True)
    return Verdict(possible[0], possible[0], possible, on_pace=True)


def verdict_of(progress: Progress, bands: pd.DataFrame) -> Verdict:
    """The status of a target's progress record; `bands` as analysis.io.readers.settings.load_bands reads
    data/progress_bands.csv."""
    if progress.latest is None:
        return Verdict(NOT_ASSESSABLE, "no_data")
    if progress.deadline_passed and not progress.at_deadline:
        return after_deadline_verdict(progress)
    one_figure = progress.start is None and progress.quantity.pace != FLOW and not progress.at_deadline
    if one_figure and progress.settled is not True:  # nothing to measure a pace from, and not yet met
        return Verdict(NOT_ASSESSABLE, "one_point" if progress.settled is False else "bound_open")
    return pace_verdict(progress, bands)
