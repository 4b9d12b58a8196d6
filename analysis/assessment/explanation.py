"""The reason beside a status, written from the progress record and the verdict, never from the figures
again: the sentence names the indicator, both ends of the pace with their years, and, when a target
cannot be judged, the figure that would decide it. The words are analysis.assessment.reasons'.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.assessment.progress import Progress
from analysis.assessment.quantity import CHANGE, FLOW, Point, Quantity, TargetContext
from analysis.assessment.reasons import Words, say
from analysis.assessment.status import Verdict
from analysis.core.precision import decimals_of, ratio_text, signed
from analysis.core.vocabulary import (
    ACHIEVED,
    COMPARATOR_SIGNS,
    COMPARATORS,
    MISSED,
    MOVING_AWAY,
    NOT_ASSESSABLE,
    REVERSED,
)

# --- the quantity in words --------------------------------------------------------------------------


def change_target_text(w: Words, q: Quantity) -> str:
    """A change target as the reader says it: ≥ +108, ≥ +1 points, and for an indicator where lower is
    better the fall it asks for: ≤ −20 %."""
    comparator = q.comparator if q.direction > 0 else REVERSED.get(q.comparator, q.comparator)
    sign = COMPARATOR_SIGNS[comparator] if comparator in COMPARATORS else comparator
    text = w.change(q.direction * q.goal, decimals_of(q.goal), q.unit)
    return f"{sign} {text}" if sign != "=" else text


def target_words(q: Quantity, w: Words) -> str:
    """The target as the quantity it promises: ≥ +108, ≥ +1 points, ≥ 20 %, ≥ 3000 a year, ≥ 90 %."""
    if q.pace == CHANGE:
        return change_target_text(w, q)
    return w.figure(q.goal, decimals_of(q.goal), q.comparator, q.unit)


def shown(p: Point, q: Quantity, w: Words) -> str:
    """A point of the quantity as a reason shows it: a change as it happened (a fall shows as −, whatever
    is better), any other quantity as the figure with its year."""
    if q.pace == CHANGE:
        qualifier = "=" if p.qualifier in ("=", "~") else p.qualifier
        qualifier = qualifier if q.direction > 0 else REVERSED[qualifier]
        return w.change(q.direction * p.value, p.decimals, q.unit, qualifier)
    return w.dated(p.value, p.decimals, p.year, p.qualifier)


def change_ends(progress: Progress, w: Words) -> tuple[str, str]:
    """Both ends of a change as figures with their years: the base figure and the latest one (for a sum
    of yearly flows, nothing at the base year and the sum)."""
    start, latest, q = progress.start, progress.latest, progress.quantity
    if start is None:
        return "", ""
    base, last = start.rests_on[0] if start.rests_on else None, latest.rests_on[-1]
    if base is None:
        return w.figure(0, 0, "=", q.unit), w.dated(latest.value, latest.decimals, latest.year)
    return (
        w.dated(base.value, base.decimals, base.year, base.qualifier),
        w.dated(last.value, last.decimals, last.year, last.qualifier),
    )


# --- why a target cannot be judged ------------------------------------------------------------------


def no_data(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    w, q = ctx.words, progress.quantity
    deadline, cut = progress.deadline, min(progress.as_of, progress.deadline)
    if progress.deadline_passed:
        needed = say("need_figure", w.language, year=deadline, name=w.name, region=w.region)
    else:
        needed = say("need_recent", w.language, name=w.name, region=w.region, cut=cut)
    if q.pace == CHANGE and q.start is None and q.base_year is not None:
        needed = say("need_and_base", w.language, first=needed, base_year=q.base_year)
    return say("no_data", w.language, name=w.name, region=w.region, cut=cut), needed


def no_deadline_figure(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    w, deadline = ctx.words, progress.deadline
    latest = shown(progress.latest, progress.quantity, w)
    return (
        say("no_deadline_figure", w.language, deadline=deadline, name=w.name, latest=latest),
        say("need_figure", w.language, year=deadline, name=w.name, region=w.region),
    )


def bound_open(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    w, q, latest = ctx.words, progress.quantity, progress.latest
    return (
        say("bound_open", w.language, name=w.name, latest=shown(latest, q, w), target=target_words(q, w)),
        say("need_exact", w.language, year=latest.year, name=w.name, region=w.region),
    )


def one_point(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    w, latest = ctx.words, progress.latest
    base_year = int(ctx.settings["default_base_year"])
    return (
        say("one_point", w.language, latest=shown(latest, progress.quantity, w)),
        say("need_second", w.language, name=w.name, region=w.region, base_year=base_year, year=latest.year),
    )


def undecided(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    w, latest = ctx.words, progress.latest
    statuses = w.statuses([s for s in verdict.possible if s != NOT_ASSESSABLE])
    return (
        say(
            "undecided",
            w.language,
            name=w.name,
            latest=shown(latest, progress.quantity, w),
            statuses=statuses,
        ),
        say("need_exact", w.language, year=latest.year, name=w.name, region=w.region),
    )


def no_required_pace(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    return say("no_required_pace", ctx.words.language), ""


UNDECIDED: dict[str, Callable[[Progress, Verdict, TargetContext], tuple[str, str]]] = {
    "no_data": no_data,
    "no_deadline_figure": no_deadline_figure,
    "bound_open": bound_open,
    "one_point": one_point,
    "undecided": undecided,
    "no_required_pace": no_required_pace,
}


def why_not(progress: Progress, verdict: Verdict, ctx: TargetContext) -> tuple[str, str]:
    """Why a target is not assessable, and the figure that would decide it (empty when none would)."""
    return UNDECIDED[verdict.case](progress, verdict, ctx)


# --- why a target has its status --------------------------------------------------------------------


def achieved(progress: Progress, ctx: TargetContext) -> str:
    w, q, latest = ctx.words, progress.quantity, progress.latest
    if q.pace == CHANGE:
        v0, v1 = change_ends(progress, w)
        return say(
            "achieved_change",
            w.language,
            name=w.name,
            change=shown(latest, q, w),
            base_year=q.base_year,
            v0=v0,
            v1=v1,
            target=target_words(q, w),
        )
    return say("achieved", w.language, name=w.name, latest=shown(latest, q, w), target=target_words(q, w))


def change_pace(progress: Progress, ctx: TargetContext) -> str:
    w, q, latest, pace = ctx.words, progress.quantity, progress.latest, progress.pace
    v0, v1 = change_ends(progress, w)
    digits = max(latest.decimals, 1)
    return say(
        "pace_change",
        w.language,
        name=w.name,
        change=shown(latest, q, w),
        base_year=q.base_year,
        t1=latest.year,
        v0=v0,
        v1=v1,
        target=target_words(q, w),
        deadline=progress.deadline,
        observed=w.change(q.direction * pace.observed_pace, digits, q.unit),
        required=w.change(q.direction * pace.required_pace, digits, q.unit),
        ratio=ratio_text(pace.ratio),
    )


def level_pace(progress: Progress, ctx: TargetContext) -> str:
    w, q, latest, start, pace = ctx.words, progress.quantity, progress.latest, progress.start, progress.pace
    ends = {
        "name": w.name,
        "v0": w.figure(start.value, start.decimals, start.qualifier),
        "t0": start.year,
        "v1": w.figure(latest.value, latest.decimals, latest.qualifier),
        "t1": latest.year,
        "goal": w.figure(q.goal, decimals_of(q.goal), q.comparator),
        "deadline": progress.deadline,
        "ratio": ratio_text(pace.ratio),
    }
    if pace.basis == "compound":
        return say(
            "pace_compound",
            w.language,
            observed=signed(pace.observed_cagr * 100, 1),
            required=signed(pace.required_cagr * 100, 1),
            **ends,
        )
    digits = max(latest.decimals, start.decimals) + 1
    return say(
        "pace_linear",
        w.language,
        observed=w.change(pace.observed_pace, digits, q.unit),
        required=w.change(pace.required_pace, digits, q.unit),
        **ends,
    )


def fell_back(progress: Progress, ctx: TargetContext) -> str:
    w, q, latest, start = ctx.words, progress.quantity, progress.latest, progress.start
    return say(
        "fell_back",
        w.language,
        name=w.name,
        target=target_words(q, w),
        v0=w.figure(start.value, start.decimals, start.qualifier),
        t0=start.year,
        v1=w.figure(latest.value, latest.decimals, latest.qualifier),
        t1=latest.year,
    )


def on_pace(status: str, progress: Progress, ctx: TargetContext) -> str:
    """The reason of a status read off the pace: met, missed, or the pace against the one required."""
    w, q = ctx.words, progress.quantity
    if status == ACHIEVED:
        return achieved(progress, ctx)
    if status == MISSED:
        latest = shown(progress.latest, q, w)
        return say(
            "missed",
            w.language,
            deadline=progress.deadline,
            name=w.name,
            latest=latest,
            target=target_words(q, w),
        )
    if q.pace == FLOW:
        latest = shown(progress.latest, q, w)
        ratio = ratio_text(progress.pace.ratio)
        return say(
            "pace_flow", w.language, name=w.name, latest=latest, target=target_words(q, w), ratio=ratio
        )
    if status == MOVING_AWAY and progress.start_met:
        return fell_back(progress, ctx)
    if q.pace == CHANGE:
        return change_pace(progress, ctx)
    return level_pace(progress, ctx)


def cumulative(case: str, progress: Progress, ctx: TargetContext) -> str:
    """The reason of a count that only grows, judged after its deadline from a later figure."""
    w, q = ctx.words, progress.quantity
    point = progress.latest if case == "achieved_cumulative" else progress.after_deadline
    return say(
        case,
        w.language,
        name=w.name,
        latest=shown(point, q, w),
        target=target_words(q, w),
        deadline=progress.deadline,
    )


def why(progress: Progress, verdict: Verdict, ctx: TargetContext) -> str:
    """The sentence that explains a judged status."""
    if verdict.on_pace:
        return on_pace(verdict.status, progress, ctx)
    return cumulative(verdict.case, progress, ctx)
