"""The components a target's status is read from, worked out once as one record.

As open-sdg/sdg-build's ProgressMeasure does, every number the decision needs is computed first: the
latest figure of the promised quantity, the base of its pace, whether the latest figure settles the
target, where the deadline stands, the observed and required pace and R, and the grades of the sources
they rest on. analysis.assessment.status then maps this record to a status, and
analysis.assessment.explanation writes the reason from it; neither looks at a figure again.

A figure given as a bound is a range of values: R is worked out at each corner (each end of the latest
figure's range against each end of the base's), and the status holds only when every corner agrees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from analysis.assessment.goal import meets, settled
from analysis.assessment.pace import Pace, default_start, flow_ratio, pace_between
from analysis.assessment.quantity import CHANGE, FLOW, LEVEL, Point, Quantity, SourceFigure, TargetContext
from analysis.core.vocabulary import GRADES


@dataclass(frozen=True)
class Corner:
    """One corner of the ranges bounds allow: the latest value at one end, the base value at one end."""

    met: bool  # the latest value meets the target
    base_met: bool  # a level's base value already met it: falling short now is moving away
    ratio: float  # R at this corner; NaN when no pace can be formed


@dataclass(frozen=True)
class Progress:
    """Everything the status and its reason are read from, for one target as of one year."""

    quantity: Quantity  # what the target promises, with its goal, comparator and notes
    deadline: int  # the target year
    as_of: int  # the assessment year: later figures are not used
    cumulative: bool  # a count that only grows (a shortfall after the deadline was one at it)
    deadline_passed: bool  # the assessment year is after the deadline
    latest: Point | None = None  # the latest figure up to the deadline and the assessment year
    at_deadline: bool = False  # the latest figure is the deadline year's
    settled: bool | None = None  # every value the latest figure allows meets (True) or misses (False)
    start: Point | None = None  # the base of the pace; None when there is no earlier figure
    start_met: bool = False  # a level's base figure already met the target
    after_deadline: Point | None = None  # the first figure after a passed deadline
    short_after_deadline: bool = False  # a cumulative count still short after its passed deadline
    corners: tuple[Corner, ...] = ()  # the latest and base values at each end of their ranges
    pace: Pace | None = None  # observed and required pace and R between the base and the latest figure
    latest_grade: str = ""  # the weakest source of the latest figure
    pace_grade: str = ""  # the weakest source of the latest figure and the base of its pace (not a flow's)
    after_deadline_grade: str = ""  # the weakest source of the first figure after the deadline


def weakest(figures: tuple[SourceFigure, ...]) -> str:
    """The worst grade among the figures a result rests on (a figure the plan states has none)."""
    grades = [f.grade for f in figures if f.grade in GRADES]
    if not grades:
        return ""
    return max(grades, key=GRADES.index)


def start_of(q: Quantity, usable: list[Point], latest: Point, settings: Mapping[str, float]) -> Point | None:
    """The base of the pace: the quantity's own (a change's base year, a level's stated base), else, for a
    level, Open SDG's rule with the default base year of data/assessment_settings.csv; none unless it is
    before the latest figure."""
    start = q.start
    if q.pace == LEVEL and start is None:
        start = default_start(usable, int(settings["default_base_year"]))
    if start is not None and start.year >= latest.year:
        return None
    return start


def pace_from(q: Quantity, start: Point, v0: float, t1: int, v1: float, deadline: int) -> Pace:
    """The pace from a base value v0 (in the start's year) to v1 in t1: compound for a level, and a change
    target's required pace over the plan's own years from its base year."""
    required_from = q.base_year if q.pace == CHANGE else None
    return pace_between(v0, start.year, v1, t1, q.goal, deadline, q.pace == LEVEL, required_from)


def pace_of(q: Quantity, latest: Point, start: Point | None, deadline: int) -> Pace | None:
    """The pace shown beside the status: between the base and the latest figure, or a year's flow
    against the flow required every year; None when there is no base to measure from."""
    if q.pace == FLOW:
        return Pace(ratio=flow_ratio(latest.value, q.comparator, q.goal), basis="yearly")
    if start is None:
        return None
    return pace_from(q, start, start.value, latest.year, latest.value, deadline)


def corner(q: Quantity, v1: float, t1: int, start: Point | None, v0: float, deadline: int) -> Corner:
    """The components at one corner: is the target met, was a level's base already met, and R."""
    met = bool(meets("=", v1, q.comparator, q.goal))
    if q.pace == FLOW:
        return Corner(met, False, flow_ratio(v1, q.comparator, q.goal))
    if start is None:
        return Corner(met, False, math.nan)
    base_met = q.pace == LEVEL and bool(meets("=", v0, q.comparator, q.goal))
    return Corner(met, base_met, pace_from(q, start, v0, t1, v1, deadline).ratio)


def corners_of(q: Quantity, latest: Point, start: Point | None, deadline: int) -> tuple[Corner, ...]:
    bases = [start.low, start.high] if start is not None else [math.nan]
    return tuple(
        corner(q, v1, latest.year, start, v0, deadline) for v1 in (latest.low, latest.high) for v0 in bases
    )


def first_after(q: Quantity, deadline: int, as_of: int) -> Point | None:
    """The first figure after the deadline, up to the assessment year."""
    after = [p for p in q.points if deadline < p.year <= as_of]
    return after[0] if after else None


def still_short(q: Quantity, after: Point | None, cumulative: bool) -> bool:
    """A count that only grows, at least N by the deadline, and still short of N after it: short at it too."""
    return (
        cumulative and after is not None and q.comparator == ">=" and not meets("=", after.high, ">=", q.goal)
    )


def base_already_met(q: Quantity, start: Point | None) -> bool:
    """A level whose base figure met the target: falling short of it now is moving away."""
    return start is not None and q.pace == LEVEL and bool(meets("=", start.value, q.comparator, q.goal))


def measure_progress(q: Quantity, ctx: TargetContext) -> Progress:
    """The record of one target's components (see the module's docstring); `q` as quantity_of gives it."""
    deadline, as_of = int(ctx.target["target_year"]), ctx.as_of
    usable = [p for p in q.points if p.year <= min(as_of, deadline)]
    cumulative = bool((ctx.indicator or {}).get("cumulative")) and q.pace != FLOW
    if not usable:
        return Progress(q, deadline, as_of, cumulative, deadline < as_of)
    latest = usable[-1]
    start = start_of(q, usable, latest, ctx.settings)
    after = first_after(q, deadline, as_of)
    return Progress(
        q,
        deadline,
        as_of,
        cumulative,
        deadline < as_of,
        latest=latest,
        at_deadline=latest.year == deadline,
        settled=settled(q, latest.low, latest.high),
        start=start,
        start_met=base_already_met(q, start),
        after_deadline=after,
        short_after_deadline=still_short(q, after, cumulative),
        corners=corners_of(q, latest, start, deadline),
        pace=pace_of(q, latest, start, deadline),
        latest_grade=weakest(latest.rests_on),
        pace_grade=weakest(latest.rests_on + start.rests_on) if start is not None and q.pace != FLOW else "",
        after_deadline_grade=weakest(after.rests_on) if after is not None else "",
    )
