"""How fast a target's quantity moves, how fast it must move, and the ratio R of the two.

R = observed pace / required pace (Eurostat SDG monitoring, Open SDG's progress methodology): the
observed pace runs from the base figure to the latest, the required one from the base to the goal by
the deadline. A level whose two figures are positive is measured compound (its growth rate); any other
quantity linearly; a yearly flow is compared with the flow required every year. The band R falls in
(data/progress_bands.csv) names the status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.assessment.quantity import Point


@dataclass(frozen=True)
class Pace:
    """The observed and required pace between the base and the latest figure, and R.

    `basis` says which pair R divides: compound (growth rates), linear (units a year), yearly (a flow
    against the flow required every year), or empty when no R can be formed."""

    ratio: float = math.nan
    basis: str = ""
    progress_share: float = math.nan
    observed_pace: float = math.nan
    required_pace: float = math.nan
    observed_cagr: float = math.nan
    required_cagr: float = math.nan

    def columns(self) -> dict[str, float | str]:
        """The pace as the assessment table's columns."""
        return {
            "progress_share": self.progress_share,
            "observed_pace": self.observed_pace,
            "required_pace": self.required_pace,
            "observed_cagr": self.observed_cagr,
            "required_cagr": self.required_cagr,
            "pace_ratio": self.ratio,
            "pace_basis": self.basis,
        }


def pace(v0: float, t0: int, v1: float, t1: int) -> float:
    """The linear pace from (t0, v0) to (t1, v1): units a year."""
    return (v1 - v0) / (t1 - t0)


def cagr(v0: float, t0: int, v1: float, t1: int) -> float:
    """Compound annual growth; undefined (NaN) unless both values are positive."""
    if v0 <= 0 or v1 <= 0 or t1 == t0:
        return math.nan
    return (v1 / v0) ** (1 / (t1 - t0)) - 1


def pace_between(
    v0: float,
    t0: int,
    v1: float,
    t1: int,
    goal: float,
    deadline: int,
    compound: bool,
    required_from: int | None = None,
) -> Pace:
    """Linear (and, for a level, compound) pace observed base → latest and required base → goal.

    `required_from` is the plan's base year when the base figure is from a nearby year: the observed pace
    runs over the years the figures span, the required one over the plan's own years."""
    tr = t0 if required_from is None else required_from
    observed, required = pace(v0, t0, v1, t1), pace(v0, tr, goal, deadline) if deadline > tr else math.nan
    observed_cagr = cagr(v0, t0, v1, t1) if compound else math.nan
    required_cagr = cagr(v0, tr, goal, deadline) if compound and deadline > tr else math.nan
    if np.isfinite([observed_cagr, required_cagr]).all() and required_cagr != 0:
        ratio, basis = observed_cagr / required_cagr, "compound"
    elif np.isfinite(required) and required != 0:
        ratio, basis = observed / required, "linear"
    else:
        ratio, basis = math.nan, ""
    return Pace(
        ratio=ratio,
        basis=basis,
        progress_share=(v1 - v0) / (goal - v0) if goal != v0 else math.nan,
        observed_pace=observed,
        required_pace=required,
        observed_cagr=observed_cagr,
        required_cagr=required_cagr,
    )


def flow_ratio(value: float, comparator: str, goal: float) -> float:
    """A yearly flow against the flow required every year."""
    if comparator == "<=":
        return goal / value if value > 0 else math.inf
    return value / goal if goal else math.nan


def default_start(points: list[Point], base_year: int) -> Point:
    """Open SDG's rule with this project's base year: the last figure in or before it, else the first."""
    before = [p for p in points if p.year <= base_year]
    return before[-1] if before else points[0]


def band_for(ratio: float, bands: pd.DataFrame) -> str:
    """The band whose [ratio_min, ratio_max) holds R."""
    hit = bands[(bands["ratio_min"] <= ratio) & (ratio < bands["ratio_max"])]
    return str(hit["status"].iloc[0])
