"""Where each target stands as of a year, judged on the quantity its words promise.

A target's `measure` (data/README.md) says what it promises: a `level` to reach, an `increase` since a
base year (新建108个 counts the new ones, not the total), a `relative_change` in % of the base (降低20%),
a `per_year` flow (每年更新维护3000个, judged on that year's number, never on a stock), or a `per_unit`
count (每个乡镇1所, judged on the share of units that have it where such a figure exists). The pace ratio
R = observed pace / required pace uses the same quantity, with the Eurostat / Open SDG bands of
data/progress_bands.csv; methods.qmd explains every rule for a reader.

One status vocabulary (STATUS_ORDER): achieved, on_track, needs_acceleration, limited_progress,
moving_away (deadline ahead), missed (deadline passed, its year's figure short), not_assessable (the
reason says which figure would decide it). A bound (> 90) decides only when it settles the question.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.precision import decimals_of
from analysis.assessment.reasons import Words, join, say, where_published

MEASURES = ("level", "increase", "relative_change", "per_year", "per_unit")
STATUS_ORDER = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "moving_away",
    "missed",
    "not_assessable",
]
NOT_ASSESSABLE = "not_assessable"
GRADE_ORDER = ("official", "official_media", "repost", "unverified")  # best first
PROVISIONAL_GRADES = ("repost", "unverified")

COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "target_year",
    "comparator",
    "target_value",
    "unit",
    "kind",
    "measure",
    "base_year",
    "base_value",
    "measured_value",
    "measured_qualifier",
    "measured_year",
    "measured_unit",
    "decimals",
    "latest_value",
    "latest_year",
    "latest_qualifier",
    "latest_source_url",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "pace_ratio",
    "pace_basis",
    "status",
    "provisional",
    "grade",
    "reason",
    "needed",
    "goal_comparator",
    "goal_value",
]
NUMERIC = [
    "target_value",
    "base_value",
    "measured_value",
    "latest_value",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "pace_ratio",
    "goal_value",
]
BIG = 1e12  # stands in for an unbounded end of a bound (> 90 on an indicator without upper bound)


# --- bands ---------------------------------------------------------------------------------------


def band_for(ratio: float, bands: pd.DataFrame) -> str:
    """The band whose [ratio_min, ratio_max) holds R."""
    hit = bands[(bands["ratio_min"] <= ratio) & (ratio < bands["ratio_max"])]
    return str(hit["status"].iloc[0])


# --- the bound rule ---------------------------------------------------------------------------------


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


# --- figures as value ranges ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One resolved observation: the range of values it allows (a bound is a one-sided range)."""

    year: int
    value: float
    qualifier: str
    low: float
    high: float
    decimals: int
    grade: str
    source_url: str


def nudge(value: float) -> float:
    return max(abs(value), 1.0) * 1e-9


def value_range(qualifier: str, value: float, lower: float, upper: float) -> tuple[float, float]:
    """The values a figure allows, within the indicator's natural bounds; a strict bound excludes its edge."""
    lo = lower if math.isfinite(lower) else -BIG
    hi = upper if math.isfinite(upper) else BIG
    q = qualifier or "="
    if q == "=":
        return value, value
    if q in (">", ">="):
        return value + (nudge(value) if q == ">" else 0.0), max(hi, value)
    return min(lo, value), value - (nudge(value) if q == "<" else 0.0)


def figures_of(series: pd.DataFrame, indicator: dict | None) -> list[Figure]:
    lower = float((indicator or {}).get("lower_bound", math.nan) or math.nan)
    upper = float((indicator or {}).get("upper_bound", math.nan) or math.nan)
    out = []
    for r in series.to_dict("records"):
        q, v = str(r.get("qualifier") or "="), float(r["value"])
        lo, hi = value_range(q, v, lower, upper)
        decimals = r.get("decimals")
        decimals = decimals_of(v) if decimals is None or pd.isna(decimals) else int(decimals)
        grade = r.get("figure_grade") or r.get("grade") or ""  # corroborated, else the row's own
        out.append(Figure(int(r["year"]), v, q, lo, hi, decimals, str(grade), str(r.get("source_url") or "")))
    return sorted(out, key=lambda f: f.year)


# --- the quantity a target promises -----------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """The promised quantity in one year (a level, a change since the base, a year's flow), as a range."""

    year: int
    value: float
    low: float
    high: float
    qualifier: str
    decimals: int
    rests_on: tuple[Figure, ...]


@dataclass
class Quantity:
    """What a target is judged on; `reason`/`needed` set when it cannot be worked out."""

    points: list[Point] = field(default_factory=list)
    comparator: str = ">="
    goal: float = math.nan
    unit: str = ""
    pace: str = "level"  # level: from a base figure; change: from 0 at the base year; flow: the year itself
    direction: float = 1.0  # −1 when lower is better: a change target's quantity counts the fall
    start: Point | None = None  # the base of a change (value 0) or a stated base of a level
    base_value: float = math.nan
    base_year: int | None = None
    level_goal: float = math.nan
    notes: list[str] = field(default_factory=list)
    reason: str = ""
    needed: str = ""
    all_points: list[Point] = field(default_factory=list)  # up to as_of, after the deadline too


def measure_of(target: dict) -> str:
    measure = target.get("measure")
    if measure is None or (isinstance(measure, float) and math.isnan(measure)) or str(measure).strip() == "":
        return "relative_change" if target.get("kind") == "relative_change" else "level"
    return str(measure).strip()


def as_int(value) -> int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return None
    return int(float(value))


def as_float(value) -> float:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return math.nan
    return float(value)


def level_point(f: Figure) -> Point:
    return Point(f.year, f.value, f.low, f.high, f.qualifier, f.decimals, (f,))


def direction_sign(indicator: dict | None) -> float | None:
    return {"higher": 1.0, "lower": -1.0}.get((indicator or {}).get("direction"))


@dataclass(frozen=True)
class Context:
    """Everything about one target that the quantity and the sentences need."""

    target: dict
    indicator: dict | None
    words: Words
    as_of: int
    settings: dict[str, float]
    coverage: list[Figure] | None = None
    coverage_name: str = ""


def base_figure(ctx: Context, figures: list[Figure], base_year: int) -> tuple[Figure | None, str]:
    """The base of a change: the plan's stated value, else the figure of the base year, else the nearest
    within the tolerance (the later one on a tie: it never credits the plan with what came before it)."""
    t, w = ctx.target, ctx.words
    stated = as_float(t.get("baseline_value"))
    if not math.isnan(stated):
        year = as_int(t.get("baseline_year")) or base_year
        f = Figure(year, stated, "=", stated, stated, decimals_of(stated), "plan", "")
        return f, say("base_stated", w.language, v0=w.figure(stated, f.decimals), base_year=year)
    tolerance = int(ctx.settings.get("base_year_tolerance", 0))
    near = sorted((f for f in figures if abs(f.year - base_year) <= tolerance),
                  key=lambda f: (abs(f.year - base_year), -f.year))
    if not near:
        return None, ""
    f = near[0]
    note = "" if f.year == base_year else say("base_nearest", w.language, year=f.year, base_year=base_year)
    return f, note


def level_quantity(ctx: Context, figures: list[Figure], comparator: str, goal: float) -> Quantity:
    t = ctx.target
    points = [level_point(f) for f in figures]
    q = Quantity(points=points, comparator=comparator, goal=goal, unit=str(t.get("unit") or ""),
                 level_goal=goal)
    stated, year = as_float(t.get("baseline_value")), as_int(t.get("baseline_year"))
    year = year if year is not None else as_int(t.get("base_year"))
    if year is not None:
        if not math.isnan(stated):
            f = Figure(year, stated, "=", stated, stated, decimals_of(stated), "plan", "")
            q.start = level_point(f)
            q.notes.append(say("base_stated", ctx.words.language, v0=ctx.words.figure(stated, f.decimals),
                               base_year=year))
        else:
            at = [f for f in figures if f.year == year]
            q.start = level_point(at[0]) if at else None
    return q


def change_quantity(ctx: Context, figures: list[Figure], relative: bool) -> Quantity:
    """increase / relative_change: the change since the base year, in the good direction of the indicator."""
    t, w, ind = ctx.target, ctx.words, ctx.indicator
    base_year = as_int(t.get("base_year")) or as_int(t.get("baseline_year"))
    goal = float(t["target_value"])
    unit = "%" if relative else str(t.get("unit") or (ind or {}).get("unit") or "")
    if relative and unit != "%":
        unit = "%"
    q = Quantity(comparator=str(t["comparator"]), goal=goal, unit=unit, pace="change", base_year=base_year)
    if base_year is None:
        q.reason = say("no_base_year", w.language)
        return q
    sign = direction_sign(ind)
    if sign is None:
        q.reason = say("no_direction", w.language, name=w.name)
        return q
    q.direction = sign
    if (ind or {}).get("flow") and not relative:
        return flow_sum(ctx, figures, q, sign)
    base, note = base_figure(ctx, figures, base_year)
    if base is None:
        q.reason = say("no_base", w.language, base_year=base_year, name=w.name, region=w.region,
                       nearest="")
        q.needed = say("need_figure", w.language, year=base_year, name=w.name, region=w.region)
        return q
    if note:
        q.notes.append(note)
    if relative and base.low <= 0:
        q.reason = say("zero_base", w.language, v0=w.figure(base.value, base.decimals, base.qualifier),
                       base_year=base.year)
        return q
    q.base_value, q.start = base.value, Point(base.year, 0.0, 0.0, 0.0, "=", 0, (base,))

    def change(v: float, v0: float) -> float:
        return sign * ((v - v0) / v0 * 100 if relative else v - v0)

    for f in figures:
        if f.year <= base.year:
            continue
        corners = [change(v, v0) for v in (f.low, f.high) for v0 in (base.low, base.high)]
        value = change(f.value, base.value)
        digits = 1 if relative else max(f.decimals, base.decimals)
        exact = f.qualifier == "=" and base.qualifier == "="
        qualifier = "=" if exact else bound_of(min(corners), max(corners))
        q.points.append(Point(f.year, value, min(corners), max(corners), qualifier, digits, (base, f)))
    if not any(p.year <= ctx.as_of for p in q.points) and base.year != base_year:
        q.points, q.start, q.notes = [], None, []
        nearest = say("nearest_later", w.language, year=base.year)
        q.reason = say("no_base", w.language, base_year=base_year, name=w.name, region=w.region,
                       nearest=nearest)
        q.needed = say("need_figure", w.language, year=base_year, name=w.name, region=w.region)
        return q
    if relative:
        q.level_goal = base.value * (1 + sign * goal / 100)
    else:
        q.level_goal = base.value + sign * goal
    return q


def bound_of(low: float, high: float) -> str:
    """The qualifier of a range as a reader sees it: ≥ when open above, ≤ when open below."""
    if high >= BIG / 10:
        return ">="
    if low <= -BIG / 10:
        return "<="
    return "~"


def flow_sum(ctx: Context, figures: list[Figure], q: Quantity, sign: float) -> Quantity:
    """An increase on yearly flows: the sum of every year's figure after the base year, none missing."""
    w = ctx.words
    by_year = {f.year: f for f in figures}
    first = q.base_year + 1
    if first not in by_year:
        q.reason = say("flow_gap", w.language, first=first, name=w.name, region=w.region)
        q.needed = say("need_flow", w.language, name=w.name, year=first, region=w.region)
        return q
    q.start = Point(q.base_year, 0.0, 0.0, 0.0, "=", 0, ())
    low = high = value = 0.0
    used: list[Figure] = []
    year = first
    while year in by_year:
        f = by_year[year]
        used.append(f)
        value, low, high = value + sign * f.value, low + sign * (f.low if sign > 0 else f.high), \
            high + sign * (f.high if sign > 0 else f.low)
        exact = all(u.qualifier == "=" for u in used)
        q.points.append(Point(year, value, min(low, high), max(low, high),
                              "=" if exact else bound_of(low, high), max(u.decimals for u in used),
                              tuple(used)))
        year += 1
    if any(f.year > year for f in figures):
        q.notes.append(say("flow_stops", w.language, year=year - 1))
    return q


def per_year_quantity(ctx: Context, figures: list[Figure]) -> Quantity:
    t, w, ind = ctx.target, ctx.words, ctx.indicator
    q = Quantity(comparator=str(t["comparator"]), goal=float(t["target_value"]),
                 unit=str(t.get("unit") or ""), pace="flow")
    if not (ind or {}).get("flow"):
        q.reason = say("stock_only", w.language, name=w.name)
        year = min(ctx.as_of, int(t["target_year"]))
        q.needed = say("need_flow", w.language, name=w.name, year=year, region=w.region)
        return q
    q.points = [level_point(f) for f in figures]
    return q


def per_unit_quantity(ctx: Context, figures: list[Figure]) -> Quantity:
    """A count in each unit: on the share of units that reach it where that figure exists, else on the
    per-unit figure itself (with the caveat that an average can hide a unit that falls short)."""
    t, w = ctx.target, ctx.words
    if ctx.coverage:
        q = level_quantity(ctx, ctx.coverage, ">=", 100.0)
        q.unit = "%"
        q.level_goal = math.nan
        q.notes.append(say("per_unit_coverage", w.language, name=ctx.coverage_name))
        return q
    if figures:
        q = level_quantity(ctx, figures, str(t["comparator"]), float(t["target_value"]))
        q.notes.append(say("per_unit_own", w.language))
        return q
    value = float(t["target_value"])
    q = Quantity(comparator=str(t["comparator"]), goal=value, unit=str(t.get("unit") or ""))
    target_text = w.figure(value, decimals_of(value), str(t["comparator"]), q.unit)
    q.reason = say("no_coverage", w.language, target=target_text)
    q.needed = say("need_coverage", w.language, region=w.region, target=target_text,
                   year=min(ctx.as_of, int(t["target_year"])))
    return q


def quantity_of(ctx: Context, figures: list[Figure]) -> Quantity:
    measure, t = measure_of(ctx.target), ctx.target
    if measure == "level":
        return level_quantity(ctx, figures, str(t["comparator"]), float(t["target_value"]))
    if measure in ("increase", "relative_change"):
        return change_quantity(ctx, figures, measure == "relative_change")
    if measure == "per_year":
        return per_year_quantity(ctx, figures)
    if measure == "per_unit":
        return per_unit_quantity(ctx, figures)
    return Quantity(reason=say("unknown_measure", ctx.words.language, measure=measure))


# --- pace -------------------------------------------------------------------------------------------


def pace(v0: float, t0: int, v1: float, t1: int) -> float:
    return (v1 - v0) / (t1 - t0)


def cagr(v0: float, t0: int, v1: float, t1: int) -> float:
    """Compound annual growth; undefined (NaN) unless both values are positive."""
    if v0 <= 0 or v1 <= 0 or t1 == t0:
        return math.nan
    return (v1 / v0) ** (1 / (t1 - t0)) - 1


def pace_fields(v0: float, t0: int, v1: float, t1: int, goal: float, deadline: int, compound: bool,
                required_from: int | None = None) -> dict:
    """Linear (and, for a level, compound) pace observed base → latest and required base → goal.

    `required_from` is the plan's base year when the base figure is from a nearby year: the observed pace
    runs over the years the figures span, the required one over the plan's own years."""
    tr = t0 if required_from is None else required_from
    out = {
        "progress_share": (v1 - v0) / (goal - v0) if goal != v0 else math.nan,
        "observed_pace": pace(v0, t0, v1, t1),
        "required_pace": pace(v0, tr, goal, deadline) if deadline > tr else math.nan,
        "observed_cagr": cagr(v0, t0, v1, t1) if compound else math.nan,
        "required_cagr": cagr(v0, tr, goal, deadline) if compound and deadline > tr else math.nan,
    }
    if np.isfinite([out["observed_cagr"], out["required_cagr"]]).all() and out["required_cagr"] != 0:
        out.update(pace_ratio=out["observed_cagr"] / out["required_cagr"], pace_basis="compound")
    elif np.isfinite(out["required_pace"]) and out["required_pace"] != 0:
        out.update(pace_ratio=out["observed_pace"] / out["required_pace"], pace_basis="linear")
    else:
        out.update(pace_ratio=math.nan, pace_basis="")
    return out


def flow_ratio(value: float, comparator: str, goal: float) -> float:
    """A yearly flow against the flow required every year."""
    if comparator == "<=":
        return goal / value if value > 0 else math.inf
    return value / goal if goal else math.nan


def default_start(points: list[Point], base_year: int) -> Point:
    """Open SDG's rule with this project's base year: the last figure in or before it, else the first."""
    before = [p for p in points if p.year <= base_year]
    return before[-1] if before else points[0]


# --- judging ----------------------------------------------------------------------------------------


def classify(q: Quantity, v1: float, t1: int, start: Point | None, v0: float, deadline: int,
             bands: pd.DataFrame) -> str:
    """The status of exact values (one corner of the ranges bounds allow)."""
    if meets("=", v1, q.comparator, q.goal):
        return "achieved"
    if t1 == deadline:
        return "missed"
    if q.pace == "flow":
        r = flow_ratio(v1, q.comparator, q.goal)
        return band_for(r, bands) if math.isfinite(r) else NOT_ASSESSABLE
    if start is None:
        return NOT_ASSESSABLE
    if q.pace == "level" and meets("=", v0, q.comparator, q.goal):
        return "moving_away"
    r = pace_fields(v0, start.year, v1, t1, q.goal, deadline, q.pace == "level",
                    q.base_year if q.pace == "change" else None)["pace_ratio"]
    return band_for(r, bands) if math.isfinite(r) else NOT_ASSESSABLE


def weakest(figures: tuple[Figure, ...]) -> str:
    grades = [f.grade for f in figures if f.grade in GRADE_ORDER]
    if not grades:
        return ""
    return max(grades, key=GRADE_ORDER.index)


def empty_row(target: dict, measure: str) -> dict:
    row = {c: target.get(c) for c in ("target_id", "region", "indicator", "target_year", "comparator",
                                      "target_value", "unit", "kind")}
    return row | {"measure": measure, "base_year": as_int(target.get("base_year")), "status": NOT_ASSESSABLE,
                  "provisional": False, "grade": "", "reason": "", "needed": ""}


def not_assessable(row: dict, ctx: Context, reason: str, needed: str, publications: pd.DataFrame) -> dict:
    w = ctx.words
    parts = [reason]
    if needed:
        parts.append(say("needed", w.language, needed=needed))
        where = where_published(publications, ctx.indicator, w.language)
        if where:
            parts.append(say("published", w.language, where=where))
    return row | {"status": NOT_ASSESSABLE, "reason": join(parts, w.language), "needed": needed}


def target_words(q: Quantity, ctx: Context) -> str:
    """The target as the quantity it promises: ≥ +108, ≥ +1 points, ≥ 20 %, ≥ 3000 a year, ≥ 90 %."""
    if q.pace == "change":
        return change_target_text(ctx.words, q)
    return ctx.words.figure(q.goal, decimals_of(q.goal), q.comparator, q.unit)


FLIPPED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "=": "=", "~": "~"}


def change_target_text(w: Words, q: Quantity) -> str:
    """A change target as the reader says it: ≥ +108, ≥ +1 points, and for an indicator where lower is
    better the fall it asks for: ≤ −20 %."""
    comparator = q.comparator if q.direction > 0 else FLIPPED.get(q.comparator, q.comparator)
    sign = {">=": "≥", "<=": "≤", "==": "="}.get(comparator, comparator)
    text = w.change(q.direction * q.goal, decimals_of(q.goal), q.unit)
    return f"{sign} {text}" if sign != "=" else text


def assess_target(target: dict, series: pd.DataFrame, indicator: dict | None, as_of: int,
                  bands: pd.DataFrame, settings: dict[str, float], words: Words,
                  publications: pd.DataFrame | None = None, coverage: pd.DataFrame | None = None,
                  coverage_indicator: dict | None = None, coverage_name: str = "") -> dict:
    """One target's status, the quantity it rests on and the sentence that explains it."""
    measure = measure_of(target)
    row = empty_row(target, measure)
    cover = figures_of(coverage, coverage_indicator) if coverage is not None and len(coverage) else None
    ctx = Context(target, indicator, words, as_of, settings, cover, coverage_name)
    if math.isnan(as_float(target.get("target_value"))):
        return not_assessable(row, ctx, say("qualitative", words.language), "", publications)
    figures = [f for f in figures_of(series, indicator) if f.year <= as_of]
    if figures:
        last = figures[-1]
        row.update(latest_value=last.value, latest_year=last.year, latest_qualifier=last.qualifier,
                   latest_source_url=last.source_url)
    q = quantity_of(ctx, figures)
    row.update(base_value=q.base_value if not math.isnan(q.base_value) else math.nan,
               goal_comparator=str(target["comparator"]) if not math.isnan(q.level_goal) else None,
               goal_value=q.level_goal, measured_unit=q.unit)
    if q.base_year is not None:
        row["base_year"] = q.base_year
    if q.reason:
        return not_assessable(row, ctx, join([q.reason, *q.notes], words.language), q.needed, publications)
    return row | judge(q, ctx, bands, publications, row)


def judge(q: Quantity, ctx: Context, bands: pd.DataFrame, publications: pd.DataFrame | None,
          row: dict) -> dict:
    t, w = ctx.target, ctx.words
    deadline, as_of = int(t["target_year"]), ctx.as_of
    cut = min(as_of, deadline)
    usable = [p for p in q.points if p.year <= cut]
    cumulative = bool((ctx.indicator or {}).get("cumulative")) and q.pace != "flow"
    target_text = target_words(q, ctx)

    def shown(p: Point) -> str:
        if q.pace == "change":  # the change as it happened: a fall shows as −, whatever is better
            qualifier = "=" if p.qualifier in ("=", "~") else p.qualifier
            qualifier = qualifier if q.direction > 0 else FLIPPED[qualifier]
            return w.change(q.direction * p.value, p.decimals, q.unit, qualifier)
        return w.dated(p.value, p.decimals, p.year, p.qualifier)

    def fail(reason: str, needed: str) -> dict:
        return not_assessable(row, ctx, join([reason, *q.notes], w.language), needed, publications)

    if not usable:
        needed = say("need_figure", w.language, year=deadline, name=w.name, region=w.region) \
            if deadline < as_of else say("need_recent", w.language, name=w.name, region=w.region, cut=cut)
        if q.pace == "change" and q.start is None and q.base_year is not None:
            needed = say("need_and_base", w.language, first=needed, base_year=q.base_year)
        return fail(say("no_data", w.language, name=w.name, region=w.region, cut=cut), needed)
    latest = usable[-1]
    measured = {"measured_value": latest.value, "measured_year": latest.year,
                "measured_qualifier": latest.qualifier, "decimals": latest.decimals,
                "gap": gap(q, latest.value)}
    grade = weakest(latest.rests_on)
    verdict_low = meets("=", latest.low, q.comparator, q.goal)
    verdict_high = meets("=", latest.high, q.comparator, q.goal)
    if deadline < as_of and latest.year != deadline:
        if cumulative and verdict_low and verdict_high:
            return row | measured | finish("achieved", say("achieved_cumulative", w.language, name=w.name,
                                           latest=shown(latest), target=target_text, deadline=deadline),
                                           grade, q, w)
        after = [p for p in q.points if deadline < p.year <= as_of]
        if cumulative and after and q.comparator == ">=" and not meets("=", after[0].high, ">=", q.goal):
            p = after[0]
            return row | measured | finish("missed", say("missed_cumulative", w.language, name=w.name,
                                           latest=shown(p), target=target_text, deadline=deadline),
                                           weakest(p.rests_on), q, w)
        return row | measured | fail(
            say("no_deadline_figure", w.language, deadline=deadline, name=w.name, latest=shown(latest)),
            say("need_figure", w.language, year=deadline, name=w.name, region=w.region))
    start = q.start
    if q.pace == "level" and start is None:
        start = default_start(usable, int(ctx.settings["default_base_year"]))
    if start is not None and start.year >= latest.year:
        start = None
    settled_met = bool(verdict_low and verdict_high)
    settled_short = verdict_low is False and verdict_high is False
    if not settled_met and latest.year != deadline and q.pace != "flow" and start is None:
        if not settled_short:
            return row | measured | fail(
                say("bound_open", w.language, name=w.name, latest=shown(latest), target=target_text),
                say("need_exact", w.language, year=latest.year, name=w.name, region=w.region))
        base_year = int(ctx.settings["default_base_year"])
        return row | measured | fail(
            say("one_point", w.language, latest=shown(latest)),
            say("need_second", w.language, name=w.name, region=w.region, base_year=base_year,
                year=latest.year))
    lows = [latest.low, latest.high]
    bases = [start.low, start.high] if start is not None else [math.nan]
    statuses = sorted({classify(q, v1, latest.year, start, v0, deadline, bands)
                       for v1 in lows for v0 in bases}, key=STATUS_ORDER.index)
    fields = {}
    if start is not None and start.year < latest.year and q.pace != "flow":
        fields = pace_fields(start.value, start.year, latest.value, latest.year, q.goal, deadline,
                             q.pace == "level", q.base_year if q.pace == "change" else None)
        fields["base_value"] = start.value if q.pace == "level" else row.get("base_value")
        if q.pace == "level":
            fields["base_year"] = start.year
        grade = weakest(latest.rests_on + start.rests_on)
    elif q.pace == "flow":
        fields = {"pace_ratio": flow_ratio(latest.value, q.comparator, q.goal), "pace_basis": "yearly"}
    if len(statuses) > 1 or statuses == [NOT_ASSESSABLE]:
        if len(statuses) > 1:
            return row | measured | fields | fail(
                say("undecided", w.language, name=w.name, latest=shown(latest),
                    statuses=w.statuses([s for s in statuses if s != NOT_ASSESSABLE])),
                say("need_exact", w.language, year=latest.year, name=w.name, region=w.region))
        return row | measured | fields | fail(say("no_required_pace", w.language), "")
    status = statuses[0]
    sentence = explain(status, q, ctx, latest, start, fields, target_text, shown)
    if status == "achieved":  # R ranks progress towards a target not yet met; a met target has none to rank
        fields = fields | {"pace_ratio": math.nan, "pace_basis": ""}
    if status in ("achieved", "missed"):  # judged on the latest figure (and, for a change, its base) alone
        grade = weakest(latest.rests_on)
    return row | measured | fields | finish(status, sentence, grade, q, w)


def gap(q: Quantity, value: float) -> float:
    """How far the measured quantity is from the target, positive while short of it."""
    if q.comparator == "<=":
        return value - q.goal
    if q.comparator == ">=":
        return q.goal - value
    return abs(q.goal - value)


def explain(status: str, q: Quantity, ctx: Context, latest: Point, start: Point | None, fields: dict,
            target_text: str, shown) -> str:
    w, t = ctx.words, ctx.target
    deadline = int(t["target_year"])
    if q.pace == "change" and start is not None:
        base, last = start.rests_on[0] if start.rests_on else None, latest.rests_on[-1]
        v0 = w.dated(base.value, base.decimals, base.year, base.qualifier) if base else ""
        v1 = w.dated(last.value, last.decimals, last.year, last.qualifier)
        if base is None:  # a sum of yearly flows: from nothing at the base year
            v0, v1 = w.figure(0, 0, "=", q.unit), w.dated(latest.value, latest.decimals, latest.year)
    if status == "achieved":
        if q.pace == "change":
            return say("achieved_change", w.language, name=w.name, change=shown(latest),
                       base_year=q.base_year, v0=v0, v1=v1, target=target_text)
        return say("achieved", w.language, name=w.name, latest=shown(latest), target=target_text)
    if status == "missed":
        return say("missed", w.language, deadline=deadline, name=w.name, latest=shown(latest),
                   target=target_text)
    if q.pace == "flow":
        return say("pace_flow", w.language, name=w.name, latest=shown(latest), target=target_text,
                   ratio=ratio_text(fields.get("pace_ratio")))
    if status == "moving_away" and q.pace == "level" and start is not None \
            and meets("=", start.value, q.comparator, q.goal):
        return say("fell_back", w.language, name=w.name, target=target_text,
                   v0=w.figure(start.value, start.decimals, start.qualifier), t0=start.year,
                   v1=w.figure(latest.value, latest.decimals, latest.qualifier), t1=latest.year)
    if q.pace == "change":
        digits = max(latest.decimals, 1)
        return say("pace_change", w.language, name=w.name, change=shown(latest), base_year=q.base_year,
                   t1=latest.year, v0=v0, v1=v1, target=target_text, deadline=deadline,
                   observed=w.change(q.direction * fields["observed_pace"], digits, q.unit),
                   required=w.change(q.direction * fields["required_pace"], digits, q.unit),
                   ratio=ratio_text(fields["pace_ratio"]))
    digits = max(latest.decimals, start.decimals) + 1
    common = {"name": w.name, "v0": w.figure(start.value, start.decimals, start.qualifier), "t0": start.year,
              "v1": w.figure(latest.value, latest.decimals, latest.qualifier), "t1": latest.year,
              "goal": w.figure(q.goal, decimals_of(q.goal), q.comparator), "deadline": deadline,
              "ratio": ratio_text(fields["pace_ratio"])}
    if fields.get("pace_basis") == "compound":
        return say("pace_compound", w.language, observed=signed_pct(fields["observed_cagr"]),
                   required=signed_pct(fields["required_cagr"]), **common)
    return say("pace_linear", w.language, observed=w.change(fields["observed_pace"], digits, q.unit),
               required=w.change(fields["required_pace"], digits, q.unit), **common)


def signed_pct(rate: float) -> str:
    from analysis.core.precision import signed

    return signed(rate * 100, 1)


def ratio_text(value) -> str:
    from analysis.core.precision import ratio_text as text

    return text(value)


def finish(status: str, sentence: str, grade: str, q: Quantity, w: Words) -> dict:
    provisional = grade in PROVISIONAL_GRADES
    parts = [sentence, *q.notes]
    if provisional:
        parts.append(say("provisional", w.language, grade=w.grade(grade)))
    return {"status": status, "reason": join(parts, w.language), "provisional": provisional, "grade": grade,
            "needed": ""}


# --- all targets ------------------------------------------------------------------------------------


def with_defaults(observations: pd.DataFrame) -> pd.DataFrame:
    """Qualifier `=` and empty source/unit/grade where a frame lacks them, so every row reads alike."""
    out = observations.copy()
    for column, default in (("qualifier", "="), ("source_url", ""), ("unit", ""), ("grade", "")):
        out[column] = out[column].fillna(default).replace("", default) if column in out else default
    return out.astype({"year": "int64", "value": "float64"})


def series_by_key(observations: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    ordered = with_defaults(observations).sort_values(["region", "indicator", "year"], kind="stable")
    return {
        key: group.reset_index(drop=True)
        for key, group in ordered.groupby(["region", "indicator"], sort=False)
    }


def region_name(region: str, language: str) -> str:
    from analysis.core.errors import PlanTrackerError
    from analysis.core.labels import label

    try:
        return label(f"region_{region}", language)
    except PlanTrackerError:  # a region of a researcher's own file: its key is its name
        return region


def indicator_name(indicator: dict | None, fallback: str, language: str) -> str:
    if not indicator:
        return fallback
    name = indicator.get("name_zh" if language == "zh" else "name_en")
    return str(name) if name and not pd.isna(name) else fallback


def assess(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    resolved_observations: pd.DataFrame,
    as_of: int,
    bands: pd.DataFrame,
    settings: dict[str, float],
    publications: pd.DataFrame | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """One row per target: where it stands as of `as_of` (observations after that year are ignored).

    `bands`, `settings` and `publications` as analysis.io.readers.settings reads them
    (data/progress_bands.csv, data/assessment_settings.csv, data/publication_sources.csv)."""
    by_key = series_by_key(resolved_observations)
    by_indicator = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    empty = with_defaults(resolved_observations).iloc[0:0]
    rows = []
    for t in targets.to_dict("records"):
        indicator = by_indicator.get(t["indicator"])
        cover_id = str((indicator or {}).get("coverage_indicator") or "").strip()
        cover_ind = by_indicator.get(cover_id)
        unit = t.get("unit") or (indicator or {}).get("unit") or ""
        if measure_of(t) == "increase" and (indicator or {}).get("unit") == "%":
            unit = "percentage points"
        elif measure_of(t) == "relative_change":
            unit = "%"
        level_unit = (indicator or {}).get("unit") or t.get("unit") or ""
        words = Words(language, indicator_name(indicator, t["indicator"], language),
                      region_name(t["region"], language), str(level_unit))
        rows.append(assess_target(
            {**t, "unit": unit}, by_key.get((t["region"], t["indicator"]), empty), indicator, as_of, bands,
            settings, words, publications, by_key.get((t["region"], cover_id)) if cover_id else None,
            cover_ind, indicator_name(cover_ind, cover_id, language)))
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["provisional"] = frame["provisional"].fillna(False).astype(bool)
    return frame.astype({c: "float64" for c in NUMERIC}).astype(
        {"latest_year": "Int64", "base_year": "Int64", "measured_year": "Int64", "decimals": "Int64"}
    )


def reading_table(status: pd.DataFrame) -> pd.DataFrame:
    """The assessment as a CSV for reading: each measured figure with the decimals its inputs carry, R with
    three (the band edges 0.6 and 0.95 need two), the deadline and years as whole numbers."""
    digits = status["decimals"].fillna(0).astype(int)
    measured = [round(v, d) if pd.notna(v) else math.nan for v, d in zip(status["measured_value"], digits,
                                                                         strict=True)]
    return status.assign(measured_value=measured, pace_ratio=status["pace_ratio"].round(3),
                         provisional=status["provisional"].astype(bool))


# --- the level a forecast is judged against ---------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """The absolute level a target asks for; `reason` is set when it cannot be worked out."""

    comparator: str = ""
    value: float = math.nan
    base_value: float = math.nan
    base_year: int | None = None
    reason: str = ""


def goal_of(target: dict, indicator: dict | None, series: pd.DataFrame) -> Goal:
    """The level of the indicator at which a target is met, for a forecast of that level: a level target's
    own value, the base plus the increase, the base changed by the relative change. A per-year or
    per-unit target, or an increase counted in yearly flows, has no such level."""
    measure = measure_of(target)
    if measure == "level":
        return Goal(str(target["comparator"]), float(target["target_value"]))
    if measure not in ("increase", "relative_change") or (indicator or {}).get("flow"):
        return Goal(reason=f"a {measure.replace('_', '-')} target is not judged on the level of its "
                    "indicator: no forecast of that level decides it")
    words = Words("en", indicator_name(indicator, str(target.get("indicator")), "en"),
                  str(target.get("region", "")), str(target.get("unit") or ""))
    ctx = Context(target, indicator, words, 9999, {"base_year_tolerance": 1.0, "default_base_year": 2020})
    q = change_quantity(ctx, figures_of(with_defaults(series), indicator), measure == "relative_change")
    if q.reason or math.isnan(q.level_goal):
        return Goal(reason=q.reason or "no base figure")
    sign = direction_sign(indicator) or 1.0
    at_least = (str(target["comparator"]) != "<=") == (sign > 0)
    return Goal(">=" if at_least else "<=", q.level_goal, q.base_value, q.base_year)
