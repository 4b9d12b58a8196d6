"""The quantity a target promises, year by year, worked out from the observed figures.

A target's `measure` (data/README.md) says what it promises: a `level` to reach, an `increase` since a
base year (新建108个 counts the new ones, not the total), a `relative_change` in % of the base (降低20%),
a `per_year` flow (每年更新维护3000个, judged on that year's number, never on a stock), or a `per_unit`
count (每个乡镇1所, judged on the share of units that have it where such a figure exists). Every later step
(the pace, the status, the reason) reads this quantity, never the raw figures, so a change target is
judged on the change and a flow target on the flow.

A figure given as a bound (> 90) is kept as the range of values it allows, so a bound decides a status
only when every value in its range leads to the same one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.assessment.reasons import Words, say
from analysis.core.precision import decimals_of
from analysis.core.vocabulary import CHANGE_MEASURES

BIG = 1e12  # stands in for an unbounded end of a bound (> 90 on an indicator without upper bound)

# How the pace of a quantity is measured: a level from a base figure, a change from 0 at the base year,
# a flow on the year itself.
LEVEL, CHANGE, FLOW = "level", "change", "flow"


# --- figures as value ranges ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFigure:
    """One resolved observation as its source gives it: the range of values it allows (a bound is a
    one-sided range), the digits printed and how good the source is."""

    year: int
    value: float
    qualifier: str
    low: float
    high: float
    decimals: int
    grade: str
    source_url: str


def nudge(value: float) -> float:
    """How far inside a strict bound (> 90) the nearest allowed value lies."""
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


def bound_of(low: float, high: float) -> str:
    """The qualifier of a range as a reader sees it: ≥ when open above, ≤ when open below."""
    if high >= BIG / 10:
        return ">="
    if low <= -BIG / 10:
        return "<="
    return "~"


def figures_of(series: pd.DataFrame, indicator: dict | None) -> list[SourceFigure]:
    """The figures of one series in year order, each with the range its qualifier allows."""
    lower = float((indicator or {}).get("lower_bound", math.nan) or math.nan)
    upper = float((indicator or {}).get("upper_bound", math.nan) or math.nan)
    out = []
    for r in series.to_dict("records"):
        q, v = str(r.get("qualifier") or "="), float(r["value"])
        lo, hi = value_range(q, v, lower, upper)
        decimals = r.get("decimals")
        decimals = decimals_of(v) if decimals is None or pd.isna(decimals) else int(decimals)
        grade = r.get("figure_grade") or r.get("grade") or ""  # corroborated, else the row's own
        out.append(
            SourceFigure(int(r["year"]), v, q, lo, hi, decimals, str(grade), str(r.get("source_url") or ""))
        )
    return sorted(out, key=lambda f: f.year)


def with_defaults(observations: pd.DataFrame) -> pd.DataFrame:
    """Qualifier `=` and empty source/unit/grade where a frame lacks them, so every row reads alike."""
    out = observations.copy()
    for column, default in (("qualifier", "="), ("source_url", ""), ("unit", ""), ("grade", "")):
        out[column] = out[column].fillna(default).replace("", default) if column in out else default
    return out.astype({"year": "int64", "value": "float64"})


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
    rests_on: tuple[SourceFigure, ...]


@dataclass
class Quantity:
    """What a target is judged on; `reason`/`needed` set when it cannot be worked out."""

    points: list[Point] = field(default_factory=list)
    comparator: str = ">="
    goal: float = math.nan
    unit: str = ""
    pace: str = LEVEL  # LEVEL, CHANGE or FLOW: how its pace is measured
    direction: float = 1.0  # −1 when lower is better: a change target's quantity counts the fall
    start: Point | None = None  # the base of a change (value 0) or a stated base of a level
    base_value: float = math.nan
    base_year: int | None = None
    level_goal: float = math.nan
    notes: list[str] = field(default_factory=list)
    reason: str = ""
    needed: str = ""


@dataclass(frozen=True)
class TargetContext:
    """Everything about one target that the quantity and the sentences need."""

    target: dict
    indicator: dict | None
    words: Words
    as_of: int
    settings: dict[str, float]
    coverage: list[SourceFigure] | None = None
    coverage_name: str = ""


def measure_of(target: dict) -> str:
    """The target's measure; a row that states none is a level (or a relative change, by its kind)."""
    measure = target.get("measure")
    if measure is None or (isinstance(measure, float) and math.isnan(measure)) or str(measure).strip() == "":
        return "relative_change" if target.get("kind") == "relative_change" else "level"
    return str(measure).strip()


def is_blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def as_int(value) -> int | None:
    return None if is_blank(value) else int(float(value))


def as_float(value) -> float:
    return math.nan if is_blank(value) else float(value)


def level_point(f: SourceFigure) -> Point:
    return Point(f.year, f.value, f.low, f.high, f.qualifier, f.decimals, (f,))


def direction_sign(indicator: dict | None) -> float | None:
    """+1 when higher is better, −1 when lower is, None when the indicator does not say."""
    return {"higher": 1.0, "lower": -1.0}.get((indicator or {}).get("direction"))


def stated_base(ctx: TargetContext, value: float, year: int) -> tuple[SourceFigure, str]:
    """The plan's own base figure (data/targets.csv baseline_value), and the note that says so."""
    f = SourceFigure(year, value, "=", value, value, decimals_of(value), "plan", "")
    w = ctx.words
    return f, say("base_stated", w.language, v0=w.figure(value, f.decimals), base_year=year)


# --- a level ----------------------------------------------------------------------------------------


def level_quantity(ctx: TargetContext, figures: list[SourceFigure], comparator: str, goal: float) -> Quantity:
    """A level to reach: each figure as it stands; the pace from the plan's base where it states one."""
    t = ctx.target
    points = [level_point(f) for f in figures]
    q = Quantity(
        points=points, comparator=comparator, goal=goal, unit=str(t.get("unit") or ""), level_goal=goal
    )
    stated, year = as_float(t.get("baseline_value")), as_int(t.get("baseline_year"))
    year = year if year is not None else as_int(t.get("base_year"))
    if year is None:
        return q
    if not math.isnan(stated):
        base, note = stated_base(ctx, stated, year)
        q.start = level_point(base)
        q.notes.append(note)
    else:
        at = [f for f in figures if f.year == year]
        q.start = level_point(at[0]) if at else None
    return q


# --- a change since the base year -------------------------------------------------------------------


def base_figure(
    ctx: TargetContext, figures: list[SourceFigure], base_year: int
) -> tuple[SourceFigure | None, str]:
    """The base of a change: the plan's stated value, else the figure of the base year, else the nearest
    within the tolerance (the later one on a tie: it never credits the plan with what came before it)."""
    stated = as_float(ctx.target.get("baseline_value"))
    if not math.isnan(stated):
        return stated_base(ctx, stated, as_int(ctx.target.get("baseline_year")) or base_year)
    tolerance = int(ctx.settings.get("base_year_tolerance", 0))
    near = sorted(
        (f for f in figures if abs(f.year - base_year) <= tolerance),
        key=lambda f: (abs(f.year - base_year), -f.year),
    )
    if not near:
        return None, ""
    f = near[0]
    w = ctx.words
    note = "" if f.year == base_year else say("base_nearest", w.language, year=f.year, base_year=base_year)
    return f, note


def change_of(value: float, base: float, sign: float, relative: bool) -> float:
    """The change from `base` to `value` in the good direction: in units, or in % of the base."""
    return sign * ((value - base) / base * 100 if relative else value - base)


def change_points(
    figures: list[SourceFigure], base: SourceFigure, sign: float, relative: bool
) -> list[Point]:
    """The change since the base in each later year, as the range the two figures' ranges allow."""
    points = []
    for f in figures:
        if f.year <= base.year:
            continue
        corners = [change_of(v, v0, sign, relative) for v in (f.low, f.high) for v0 in (base.low, base.high)]
        value = change_of(f.value, base.value, sign, relative)
        digits = 1 if relative else max(f.decimals, base.decimals)
        exact = f.qualifier == "=" and base.qualifier == "="
        qualifier = "=" if exact else bound_of(min(corners), max(corners))
        points.append(Point(f.year, value, min(corners), max(corners), qualifier, digits, (base, f)))
    return points


def without_base(q: Quantity, w: Words, nearest: str = "") -> Quantity:
    """A change target whose base year has no usable figure: the reason, and the figure that would do."""
    q.reason = say(
        "no_base", w.language, base_year=q.base_year, name=w.name, region=w.region, nearest=nearest
    )
    q.needed = say("need_figure", w.language, year=q.base_year, name=w.name, region=w.region)
    return q


def change_from_base(
    ctx: TargetContext, figures: list[SourceFigure], q: Quantity, relative: bool
) -> Quantity:
    """The change since the base figure, and the level of the indicator at which the target is met."""
    w = ctx.words
    base, note = base_figure(ctx, figures, q.base_year)
    if base is None:
        return without_base(q, w)
    if note:
        q.notes.append(note)
    if relative and base.low <= 0:
        q.reason = say(
            "zero_base",
            w.language,
            v0=w.figure(base.value, base.decimals, base.qualifier),
            base_year=base.year,
        )
        return q
    q.base_value, q.start = base.value, Point(base.year, 0.0, 0.0, 0.0, "=", 0, (base,))
    q.points = change_points(figures, base, q.direction, relative)
    if base.year != q.base_year and not any(p.year <= ctx.as_of for p in q.points):
        q.points, q.start, q.notes, q.base_value = [], None, [], math.nan
        return without_base(q, w, say("nearest_later", w.language, year=base.year))
    if relative:
        q.level_goal = base.value * (1 + q.direction * q.goal / 100)
    else:
        q.level_goal = base.value + q.direction * q.goal
    return q


def change_quantity(ctx: TargetContext, figures: list[SourceFigure], relative: bool) -> Quantity:
    """increase / relative_change: the change since the base year, in the good direction of the indicator."""
    t, w, ind = ctx.target, ctx.words, ctx.indicator
    base_year = as_int(t.get("base_year")) or as_int(t.get("baseline_year"))
    unit = "%" if relative else str(t.get("unit") or (ind or {}).get("unit") or "")
    q = Quantity(
        comparator=str(t["comparator"]),
        goal=float(t["target_value"]),
        unit=unit,
        pace=CHANGE,
        base_year=base_year,
    )
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
    return change_from_base(ctx, figures, q, relative)


# --- yearly flows -----------------------------------------------------------------------------------


def flow_sum(ctx: TargetContext, figures: list[SourceFigure], q: Quantity, sign: float) -> Quantity:
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
    used: list[SourceFigure] = []
    year = first
    while year in by_year:
        f = by_year[year]
        used.append(f)
        value = value + sign * f.value
        low, high = (
            low + sign * (f.low if sign > 0 else f.high),
            high + sign * (f.high if sign > 0 else f.low),
        )
        exact = all(u.qualifier == "=" for u in used)
        qualifier = "=" if exact else bound_of(low, high)
        decimals = max(u.decimals for u in used)
        q.points.append(Point(year, value, min(low, high), max(low, high), qualifier, decimals, tuple(used)))
        year += 1
    if any(f.year > year for f in figures):
        q.notes.append(say("flow_stops", w.language, year=year - 1))
    return q


def per_year_quantity(ctx: TargetContext, figures: list[SourceFigure]) -> Quantity:
    """A number to be done every year: judged on each year's own figure, which a stock cannot give."""
    t, w, ind = ctx.target, ctx.words, ctx.indicator
    q = Quantity(
        comparator=str(t["comparator"]),
        goal=float(t["target_value"]),
        unit=str(t.get("unit") or ""),
        pace=FLOW,
    )
    if not (ind or {}).get("flow"):
        q.reason = say("stock_only", w.language, name=w.name)
        year = min(ctx.as_of, int(t["target_year"]))
        q.needed = say("need_flow", w.language, name=w.name, year=year, region=w.region)
        return q
    q.points = [level_point(f) for f in figures]
    return q


# --- a count in each unit ---------------------------------------------------------------------------


def per_unit_quantity(ctx: TargetContext, figures: list[SourceFigure]) -> Quantity:
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
    q.needed = say(
        "need_coverage",
        w.language,
        region=w.region,
        target=target_text,
        year=min(ctx.as_of, int(t["target_year"])),
    )
    return q


def quantity_of(ctx: TargetContext, figures: list[SourceFigure]) -> Quantity:
    """The quantity the target's measure promises, from the figures up to the assessment year."""
    measure, t = measure_of(ctx.target), ctx.target
    if measure == "level":
        return level_quantity(ctx, figures, str(t["comparator"]), float(t["target_value"]))
    if measure in CHANGE_MEASURES:
        return change_quantity(ctx, figures, measure == "relative_change")
    if measure == "per_year":
        return per_year_quantity(ctx, figures)
    if measure == "per_unit":
        return per_unit_quantity(ctx, figures)
    return Quantity(reason=say("unknown_measure", ctx.words.language, measure=measure))
