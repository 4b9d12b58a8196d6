"""A target's goal: whether a figure (or a bound such as `> 90`) meets it, how far off it is, and the
absolute level of the indicator at which it is met, which the forecast's P(met) is judged against.

The level of a change target rests on its base figure, found by the same rule and the same settings
(data/assessment_settings.csv) as the status, so status and P(met) always stand on the same base.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.assessment.quantity import (
    Quantity,
    TargetContext,
    change_quantity,
    direction_sign,
    figures_of,
    measure_of,
    with_defaults,
)
from analysis.assessment.reasons import Words, indicator_name
from analysis.core.vocabulary import CHANGE_MEASURES

# The assessment year goal_of looks from: every figure counts, as the forecast decides which it uses.
EVERY_YEAR = 9999


def meets(qualifier: str, value: float, comparator: str, goal: float) -> bool | None:
    """Does an observation (possibly a bound such as `> 90`) satisfy `comparator goal`?

    True or False when the figure decides it, None when a bound leaves both possible
    (`<= 12` against `<= 10`).
    """
    q = qualifier or "="
    if q == "=":
        if comparator == ">=":
            return value >= goal
        if comparator == "<=":
            return value <= goal
        return math.isclose(value, goal, rel_tol=1e-9, abs_tol=1e-12)
    above = q in (">", ">=")
    if comparator in (">=", "<=") and above == (comparator == ">="):
        return True if (value >= goal if above else value <= goal) else None
    if comparator in (">=", "<="):  # bound points away from the goal: it can only rule it out
        rules_out = value < goal if comparator == ">=" else value > goal
        strict_at_goal = value == goal and q in ("<", ">")
        return False if rules_out or strict_at_goal else None
    rules_out = (
        (value > goal or (value == goal and q == ">"))
        if above
        else (value < goal or (value == goal and q == "<"))
    )
    return False if rules_out else None


def settled(q: Quantity, low: float, high: float) -> bool | None:
    """Whether every value of a range meets the target (True), none does (False), or it stays open (None)."""
    at_low, at_high = meets("=", low, q.comparator, q.goal), meets("=", high, q.comparator, q.goal)
    if at_low and at_high:
        return True
    return False if at_low is False and at_high is False else None


def gap(q: Quantity, value: float) -> float:
    """How far the measured quantity is from the target, positive while short of it."""
    if q.comparator == "<=":
        return value - q.goal
    if q.comparator == ">=":
        return q.goal - value
    return abs(q.goal - value)


@dataclass(frozen=True)
class Goal:
    """The absolute level a target asks for; `reason` is set when it cannot be worked out."""

    comparator: str = ""
    value: float = math.nan
    base_value: float = math.nan
    base_year: int | None = None
    reason: str = ""


def goal_of(
    target: dict, indicator: dict | None, series: pd.DataFrame, settings: Mapping[str, float]
) -> Goal:
    """The level of the indicator at which a target is met, for a forecast of that level: a level target's
    own value, the base plus the increase, the base changed by the relative change. A per-year or
    per-unit target, or an increase counted in yearly flows, has no such level.

    `settings` as analysis.io.readers.settings.load_settings reads data/assessment_settings.csv: the
    base of a change is found with the same tolerance as the status's."""
    measure = measure_of(target)
    if measure == "level":
        return Goal(str(target["comparator"]), float(target["target_value"]))
    if measure not in CHANGE_MEASURES or (indicator or {}).get("flow"):
        return Goal(
            reason=f"a {measure.replace('_', '-')} target is not judged on the level of its "
            "indicator: no forecast of that level decides it"
        )
    words = Words(
        "en",
        indicator_name(indicator, str(target.get("indicator")), "en"),
        str(target.get("region", "")),
        str(target.get("unit") or ""),
    )
    ctx = TargetContext(target, indicator, words, EVERY_YEAR, dict(settings))
    q = change_quantity(ctx, figures_of(with_defaults(series), indicator), measure == "relative_change")
    if q.reason or math.isnan(q.level_goal):
        return Goal(reason=q.reason or "no base figure")
    sign = direction_sign(indicator) or 1.0
    at_least = (str(target["comparator"]) != "<=") == (sign > 0)
    return Goal(">=" if at_least else "<=", q.level_goal, q.base_value, q.base_year)
