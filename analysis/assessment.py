"""Where each target stands as of a year: latest figure, gap, pace against the pace required, status.

The ratio R = observed pace / required pace and its bands follow Eurostat's SDG monitoring and
Open SDG's progress methodology (bands in data/progress_bands.csv, settings in
data/assessment_settings.csv, both read by the caller and passed in); methods.qmd explains every rule
for a reader. A target that cannot be assessed says why in `status_reason`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "target_year",
    "comparator",
    "target_value",
    "unit",
    "kind",
    "latest_value",
    "latest_year",
    "latest_qualifier",
    "latest_source_url",
    "base_value",
    "base_year",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "ratio",
    "status",
    "status_reason",
]
# After the contract's columns: the absolute goal a relative target implies, and which pace R compares.
EXTRA_COLUMNS = ["goal_comparator", "goal_value", "ratio_basis"]
STATUS_ORDER = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "moving_away",
    "not_assessable",
]
NOT_ASSESSABLE = "not_assessable"


# --- bands ---------------------------------------------------------------------------------------


def band_for(ratio: float, bands: pd.DataFrame) -> str:
    """The band whose [ratio_min, ratio_max) holds R."""
    hit = bands[(bands["ratio_min"] <= ratio) & (ratio < bands["ratio_max"])]
    return str(hit["status"].iloc[0])


# --- the bound rule -----------------------------------------------------------------------------


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
    # every value the bound allows lies above (or below) `value`; strict bounds exclude it
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


# --- relative targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """The absolute level a target asks for; `reason` is set when it cannot be worked out."""

    comparator: str = ""
    value: float = math.nan
    base_value: float = math.nan
    base_year: int | None = None
    reason: str = ""


def stated_base(target: dict, series: pd.DataFrame) -> tuple[float, int | None, str]:
    """The baseline the target states: its value, or the observation for its baseline year."""
    value, year = target.get("baseline_value"), target.get("baseline_year")
    year = None if year is None or pd.isna(year) else int(year)
    if value is not None and not pd.isna(value):
        return float(value), year, ""
    if year is not None:
        row = series[series["year"] == year]
        if len(row):
            return float(row["value"].iloc[0]), year, f"base value read from the {year} observation"
    return math.nan, year, ""


def goal_of(target: dict, indicator: dict | None, series: pd.DataFrame) -> Goal:
    """Turn a target into an absolute goal; a relative change needs a base and a direction."""
    base_value, base_year, _ = stated_base(target, series)
    if target["kind"] != "relative_change":
        return Goal(target["comparator"], float(target["target_value"]), base_value, base_year)
    if math.isnan(base_value):
        return Goal(
            reason="relative target without a base: the document states neither the base value nor "
            "a base year with an observation, so the change cannot be measured"
        )
    direction = (indicator or {}).get("direction")
    if direction not in ("higher", "lower"):
        return Goal(
            reason=f"relative target on an indicator without a known direction ({target['indicator']})"
        )
    sign = 1.0 if direction == "higher" else -1.0
    value = base_value * (1 + sign * float(target["target_value"]) / 100)
    at_least = (target["comparator"] != "<=") == (sign > 0)
    return Goal(">=" if at_least else "<=", value, base_value, base_year)


# --- pace ---------------------------------------------------------------------------------------


def pace(v0: float, t0: int, v1: float, t1: int) -> float:
    return (v1 - v0) / (t1 - t0)


def cagr(v0: float, t0: int, v1: float, t1: int) -> float:
    """Compound annual growth; undefined (NaN) unless both values are positive."""
    if v0 <= 0 or v1 <= 0 or t1 == t0:
        return math.nan
    return (v1 / v0) ** (1 / (t1 - t0)) - 1


def default_base(series: pd.DataFrame, base_year: int) -> pd.Series:
    """Open SDG's rule with this project's base year: the last observation in or before it, else the first."""
    before = series[series["year"] <= base_year]
    return before.iloc[-1] if len(before) else series.iloc[0]


def bound_note(qualifier: str, value: float, comparator: str, which: str) -> str:
    """What a bound used as a value does to the pace."""
    if qualifier == "=":
        return ""
    towards = (qualifier in (">", ">=")) == (comparator == ">=")
    effect = (
        "understates"
        if (towards and which == "latest") or (not towards and which == "base")
        else "may overstate"
    )
    bound = f"{qualifier} {value:g}"
    return f"the {which} figure is a bound ({bound}), used at its value: the pace {effect} progress"


# --- one target ---------------------------------------------------------------------------------


def empty_row(target: dict, reason: str) -> dict:
    row = {c: target.get(c) for c in COLUMNS[:8]}
    row.update(status=NOT_ASSESSABLE, status_reason=reason)
    return row


def latest_fields(latest: pd.Series) -> dict:
    return {
        "latest_value": float(latest["value"]),
        "latest_year": int(latest["year"]),
        "latest_qualifier": latest["qualifier"],
        "latest_source_url": latest.get("source_url", ""),
    }


def usable_series(target: dict, series: pd.DataFrame, as_of: int) -> tuple[pd.DataFrame, str]:
    """Observations up to the assessment year (and, once the deadline has passed, up to the deadline)."""
    deadline = int(target["target_year"])
    cut = min(as_of, deadline)
    usable = series[series["year"] <= cut]
    if usable.empty:
        return usable, f"no observation of {target['indicator']} for {target['region']} up to {cut}"
    if deadline < as_of and int(usable["year"].iloc[-1]) != deadline:
        last = usable.iloc[-1]
        return usable.iloc[0:0], (
            f"the deadline {deadline} has passed and there is no observation for "
            f"{deadline} (latest before it: {last['value']:g} in {int(last['year'])})"
        )
    return usable, ""


def assess_target(
    target: dict,
    series: pd.DataFrame,
    indicator: dict | None,
    as_of: int,
    bands: pd.DataFrame,
    settings: dict[str, float],
) -> dict:
    if target.get("target_value") is None or pd.isna(target.get("target_value")):
        return empty_row(target, "qualitative target: no number to measure against")
    usable, why = usable_series(target, series, as_of)
    if why:
        return empty_row(target, why)
    latest = usable.iloc[-1]
    unit_obs = str(latest.get("unit", "") or "")
    if target["kind"] != "relative_change" and unit_obs and target.get("unit") and unit_obs != target["unit"]:
        return empty_row(target, f"the observations are in {unit_obs} but the target is in {target['unit']}")
    goal = goal_of(target, indicator, usable)
    row = empty_row(target, goal.reason) | latest_fields(latest)
    if goal.reason:
        return row
    row.update(goal_comparator=goal.comparator, goal_value=goal.value)
    return row | status_fields(target, usable, latest, goal, bands, settings)


def base_point(usable: pd.DataFrame, goal: Goal, settings: dict[str, float]) -> tuple[float, int, str, str]:
    """Base value, year, qualifier and a note on where the base comes from."""
    if not math.isnan(goal.base_value) and goal.base_year is not None:
        return goal.base_value, goal.base_year, "=", "base stated by the target"
    base = default_base(usable, int(settings["default_base_year"]))
    return float(base["value"]), int(base["year"]), base["qualifier"], ""


def status_fields(
    target: dict,
    usable: pd.DataFrame,
    latest: pd.Series,
    goal: Goal,
    bands: pd.DataFrame,
    settings: dict[str, float],
) -> dict:
    v1, t1, q1 = float(latest["value"]), int(latest["year"]), latest["qualifier"]
    deadline = int(target["target_year"])
    sign = {">=": 1.0, "<=": -1.0}.get(goal.comparator, 0.0)
    gap = sign * (goal.value - v1) if sign else abs(goal.value - v1)
    verdict = meets(q1, v1, goal.comparator, goal.value)
    shown = f"{'' if q1 == '=' else q1 + ' '}{v1:g} ({t1})"
    if verdict:
        return {
            "gap": gap,
            "status": "achieved",
            "status_reason": f"the latest figure {shown} meets the target {goal.comparator} {goal.value:g}",
        }
    if verdict is None and t1 == deadline:
        return {
            "gap": gap,
            "status": NOT_ASSESSABLE,
            "status_reason": f"the figure for the deadline year is a bound, {shown}, that neither confirms "
            f"nor rules out {goal.comparator} {goal.value:g}",
        }
    v0, t0, q0, base_note = base_point(usable, goal, settings)
    if t0 >= t1:
        lonely = (
            "one observation only"
            if len(usable) < settings["min_points"]
            else "no observation after the base"
        )
        return {
            "gap": gap,
            "status": NOT_ASSESSABLE,
            "base_value": v0,
            "base_year": t0,
            "status_reason": f"{lonely} ({shown}) and the target is not met: no pace can be measured",
        }
    fields = pace_fields(v0, t0, v1, t1, goal.value, deadline)
    fields.update(gap=gap, base_value=v0, base_year=t0)
    notes = [
        n
        for n in (
            base_note,
            bound_note(q1, v1, goal.comparator, "latest"),
            bound_note(q0, v0, goal.comparator, "base"),
        )
        if n
    ]
    return fields | judge(
        fields, meets(q0, v0, goal.comparator, goal.value), t1 == deadline, shown, goal, bands, notes
    )


def pace_fields(v0: float, t0: int, v1: float, t1: int, goal: float, deadline: int) -> dict:
    """Linear and compound pace observed (base → latest) and required (base → goal by the deadline)."""
    out = {
        "progress_share": (v1 - v0) / (goal - v0) if goal != v0 else math.nan,
        "observed_pace": pace(v0, t0, v1, t1),
        "required_pace": pace(v0, t0, goal, deadline) if deadline > t0 else math.nan,
        "observed_cagr": cagr(v0, t0, v1, t1),
        "required_cagr": cagr(v0, t0, goal, deadline) if deadline > t0 else math.nan,
    }
    compound = np.isfinite([out["observed_cagr"], out["required_cagr"]]).all() and out["required_cagr"] != 0
    if compound:
        out.update(ratio=out["observed_cagr"] / out["required_cagr"], ratio_basis="compound")
    elif np.isfinite(out["required_pace"]) and out["required_pace"] != 0:
        out.update(ratio=out["observed_pace"] / out["required_pace"], ratio_basis="linear")
    else:
        out.update(ratio=math.nan, ratio_basis="")
    return out


def judge(
    fields: dict,
    base_met: bool | None,
    at_deadline: bool,
    shown: str,
    goal: Goal,
    bands: pd.DataFrame,
    notes: list[str],
) -> dict:
    """Status from R, with the special cases spelled out."""
    target_text = f"{goal.comparator} {goal.value:g}"
    if base_met:
        status, reason = (
            "moving_away",
            (
                f"the base {fields['base_value']:g} ({fields['base_year']}) already met "
                f"{target_text}; the latest figure {shown} has fallen back"
            ),
        )
    elif not np.isfinite(fields["ratio"]):
        status, reason = NOT_ASSESSABLE, "the deadline is not after the base year: no required pace"
    else:
        status = band_for(fields["ratio"], bands)
        reason = (
            f"{fields['ratio_basis']} pace {fields['base_year']}–{shown}: R = {fields['ratio']:.2f} of the "
            f"pace required to reach {target_text} by the deadline"
        )
        if at_deadline:
            status = "needs_acceleration" if status == "on_track" else status
            reason = f"missed: the deadline-year figure {shown} does not meet {target_text}; " + reason
    return {"status": status, "status_reason": "; ".join([reason, *notes])}


# --- all targets --------------------------------------------------------------------------------


def with_defaults(observations: pd.DataFrame) -> pd.DataFrame:
    """Qualifier `=` and empty source/unit where a frame lacks them, so every row reads alike."""
    out = observations.copy()
    for column, default in (("qualifier", "="), ("source_url", ""), ("unit", "")):
        out[column] = out[column].fillna(default).replace("", default) if column in out else default
    return out.astype({"year": "int64", "value": "float64"})


def series_by_key(observations: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    ordered = with_defaults(observations).sort_values(["region", "indicator", "year"], kind="stable")
    return {
        key: group.reset_index(drop=True)
        for key, group in ordered.groupby(["region", "indicator"], sort=False)
    }


def assess(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    resolved_observations: pd.DataFrame,
    as_of: int,
    bands: pd.DataFrame,
    settings: dict[str, float],
) -> pd.DataFrame:
    """One row per target: where it stands as of `as_of` (observations after that year are ignored).

    `bands` and `settings` as analysis.readers.settings reads them (data/progress_bands.csv,
    data/assessment_settings.csv)."""
    by_key = series_by_key(resolved_observations)
    by_indicator = {r["indicator_id"]: r for r in indicators.to_dict("records")}
    empty = with_defaults(resolved_observations).iloc[0:0]
    rows = [
        assess_target(
            t,
            by_key.get((t["region"], t["indicator"]), empty),
            by_indicator.get(t["indicator"]),
            as_of,
            bands,
            settings,
        )
        for t in targets.to_dict("records")
    ]
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS + EXTRA_COLUMNS)
    return frame.astype({c: "float64" for c in NUMERIC}).astype(
        {"latest_year": "Int64", "base_year": "Int64"}
    )


NUMERIC = [
    "target_value",
    "latest_value",
    "base_value",
    "gap",
    "progress_share",
    "observed_pace",
    "required_pace",
    "observed_cagr",
    "required_cagr",
    "ratio",
    "goal_value",
]
