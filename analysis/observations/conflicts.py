"""Corroboration and conflicts: which figure stands when sources for the same region, indicator and year
disagree (data/README.md, "Corroboration and conflicts").

Rows corroborate when one value could make them all true and conflict otherwise; a documented,
deterministic rule picks the row used and every conflict stays visible. The source's grade ranks first
(official > official_media > repost > unverified, analysis.observations.grading), so a figure never
rests on a lower grade while a higher-graded row exists for its region, indicator and year; the seed's
source kind describes a source but does not rank it. Rows whose excerpt states a plan are set aside
(analysis.observations.evidence). Most keys have one row: they are marked at once, only keys with
several rows go through the rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from analysis.core.errors import Problem
from analysis.core.schema import OBSERVATION_KEY as GROUP
from analysis.core.schema import RESOLUTION_COLUMNS, Rules
from analysis.observations.evidence import plan_markers
from analysis.observations.grading import GRADES

UNGRADED = "ungraded"  # rows marked before grading (a unit test, a frame without `grade`) rank alike


def interval(qualifier: str, value: float) -> tuple[float, float, bool, bool]:
    """The values a row allows: (low, high, low excluded, high excluded)."""
    inf = math.inf
    return {
        "=": (value, value, False, False),
        "<=": (-inf, value, False, False),
        "<": (-inf, value, False, True),
        ">=": (value, inf, False, False),
        ">": (value, inf, True, False),
    }[qualifier]


def consistent(a: tuple[str, float], b: tuple[str, float]) -> bool:
    """Two rows agree when one value could satisfy both: `<=` 12 and `=` 11.8 agree; `=` 12.5 does not."""
    lo1, hi1, lo1_open, hi1_open = interval(*a)
    lo2, hi2, lo2_open, hi2_open = interval(*b)
    low, high = max(lo1, lo2), min(hi1, hi2)
    if low != high:
        return low < high
    excluded = (
        (lo1 == low and lo1_open)
        or (lo2 == low and lo2_open)
        or (hi1 == high and hi1_open)
        or (hi2 == high and hi2_open)
    )
    return not excluded


def _grade_rank(grade: str) -> int:
    """Position of a grade, best first; an ungraded row ranks after every grade."""
    return GRADES.index(grade) if grade in GRADES else len(GRADES)


def _rank_key(row: dict, support: int) -> tuple:
    """Smaller is better: source grade, corroboration, exact before bound, precision, reading order."""
    return (
        _grade_rank(row["grade"]),
        -support,
        row["qualifier"] != "=",
        -row["decimals"],
        row["order"],
    )


def _reason(used: dict, reference: dict, rival: dict | None, keys: dict[int, tuple], n_sources: int) -> str:
    """Why the used row stands: the first criterion that separates it from its best-ranked rival."""
    if used is not reference:
        bound = figure(reference["qualifier"], reference["value"])
        return (
            f"the best-ranked source ({reference['grade']}) gives only a bound, "
            f"{bound}; the best-ranked exact figure of that grade meeting it is used"
        )
    if rival is None:
        return "only source" if n_sources == 1 else f"{n_sources} sources agree"
    a, b = keys[used["_i"]], keys[rival["_i"]]
    criteria = [
        f"grade {used['grade']} outranks {rival['grade']}",
        f"{-a[1]} sources agree with it against {-b[1]}",
        "an exact figure is preferred to a bound",
        f"the more precise figure ({-a[3]} decimals against {-b[3]})",
        f"equal on every criterion; the row read first is used "
        f"({used['source_file']} row {used['source_row']})",
    ]
    return next(text for x, y, text in zip(a, b, criteria, strict=False) if x != y)


def _resolve_group(rows: list[dict]) -> dict[int, dict]:
    """used / corroborates / conflicts for each row of one (region, indicator, year).

    Rows that state the same figure or bound agree with the same rows, so agreement is worked out once
    per distinct (qualifier, value), not once per pair of rows."""
    figures = list(dict.fromkeys((r["qualifier"], r["value"]) for r in rows))
    urls: dict[tuple, set[str]] = {f: set() for f in figures}
    for r in rows:
        urls[(r["qualifier"], r["value"])].add(r["source_url"])
    agrees = {f: [g for g in figures if consistent(f, g)] for f in figures}
    support = {f: len(set().union(*(urls[g] for g in agrees[f]))) for f in figures}

    def figure_of(r: dict) -> tuple:
        return (r["qualifier"], r["value"])

    keys = {r["_i"]: _rank_key(r, support[figure_of(r)]) for r in rows}
    ranked = sorted(rows, key=lambda r: keys[r["_i"]])
    reference = ranked[0]
    with_reference = set(agrees[figure_of(reference)])
    # a figure says more than a bound it meets, but only a figure of the bound's own grade replaces it:
    # the figure used never comes from a lower grade than the best source of its key
    used = next(
        (
            r
            for r in ranked
            if r["qualifier"] == "=" and figure_of(r) in with_reference and r["grade"] == reference["grade"]
        ),
        reference,
    )
    with_used = set(agrees[figure_of(used)])
    rival = next((r for r in ranked if figure_of(r) not in with_used), None)
    n_sources = support[figure_of(used)]
    reason = _reason(used, reference, rival, keys, n_sources)

    def role(r: dict) -> str:
        return "used" if r is used else ("corroborates" if figure_of(r) in with_used else "conflicts")

    return {
        r["_i"]: {
            "used": r is used,
            "conflict": rival is not None,
            "n_sources": n_sources,
            "resolution": role(r),
            "reason": reason,
        }
        for r in rows
    }


def _mark_exact_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The rule for keys whose rows are all exact figures, for all such keys at once: figures agree only
    when equal, so support is the number of distinct URLs giving the same value."""
    work = frame.assign(grade_rank=frame["grade"].map(_grade_rank))
    work["support"] = work.groupby([*GROUP, "value"])["source_url"].transform("nunique")
    ranked = work.sort_values(
        [*GROUP, "grade_rank", "support", "decimals", "order"],
        ascending=[True, True, True, True, False, False, True],
        kind="stable",
    )
    by_key = ranked.groupby(GROUP, sort=False)
    used_value = by_key["value"].transform("first")
    agree = ranked["value"].eq(used_value)
    used_index = by_key.head(1).index
    conflict = (~agree).groupby([ranked[c] for c in GROUP], sort=False).transform("any")
    n_sources = by_key["support"].transform("first")
    out = pd.DataFrame(
        {
            "used": ranked.index.isin(used_index),
            "conflict": conflict,
            "n_sources": n_sources,
            "resolution": [
                "used" if u else ("corroborates" if a else "conflicts")
                for u, a in zip(ranked.index.isin(used_index), agree, strict=True)
            ],
            "reason": "",
        },
        index=ranked.index,
    )
    used_rows = ranked.loc[used_index]
    rivals = ranked[~agree].groupby(GROUP, sort=False).head(1)
    rival_of = dict(zip(zip(*(rivals[c] for c in GROUP), strict=True), rivals.index, strict=True))
    reason_of = {}
    rival_rows = rivals.to_dict("index")
    for i, record in zip(used_rows.index, used_rows.to_dict("records"), strict=True):
        used = {**record, "_i": i}
        key = tuple(used[c] for c in GROUP)
        rival = {**rival_rows[rival_of[key]], "_i": rival_of[key]} if key in rival_of else None
        keys = {r["_i"]: _rank_key(r, r["support"]) for r in ([used, rival] if rival else [used])}
        reason_of[key] = _reason(used, used, rival, keys, int(used["support"]))
    out["reason"] = [reason_of[k] for k in zip(*(ranked[c] for c in GROUP), strict=True)]
    return out.loc[frame.index]


def mark_resolution(observations: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """A copy with used, conflict, n_sources, resolution and reason set for every row.

    Needs region, indicator, year, qualifier, value, source_url, source_kind; grade, decimals, order,
    source_file and source_row are filled in when missing (ungraded, 0, row position, blank, 0). A row
    whose excerpt states a plan (`resolution` "plan") is neither used nor counted: the rule decides among
    the others, and a key with only plans has no figure."""
    defaults = {
        "grade": UNGRADED,
        "decimals": 0,
        "order": range(len(observations)),
        "source_file": "",
        "source_row": 0,
    }
    frame = observations.drop(columns=RESOLUTION_COLUMNS, errors="ignore").reset_index(drop=True)
    frame = frame.assign(**{c: v for c, v in defaults.items() if c not in frame})
    markers = plan_markers(frame, rules)
    result = pd.DataFrame(
        {"used": True, "conflict": False, "n_sources": 1, "resolution": "used", "reason": "only source"},
        index=frame.index,
    )
    plans = markers.ne("")
    result.loc[plans, ["used", "n_sources", "resolution"]] = [False, 0, "plan"]
    result.loc[plans, "reason"] = [
        f"the excerpt states a plan, not a result ('{m}'): not used for a judgement" for m in markers[plans]
    ]
    _mark_shared(frame[~plans], result)
    result = result.astype({"used": bool, "conflict": bool, "n_sources": int})
    return pd.concat([frame, result], axis=1)


def _mark_shared(frame: pd.DataFrame, result: pd.DataFrame) -> None:
    """Fill `result` (in place: it is this module's own frame) for the keys with several rows."""
    keys = frame[GROUP].astype({"year": "int64"})
    shared = keys.duplicated(keep=False)
    if not shared.any():
        return
    bounded = frame["qualifier"].ne("=").groupby([keys[c] for c in GROUP]).transform("any")
    exact = shared & ~bounded
    if exact.any():
        result.loc[exact[exact].index] = _mark_exact_groups(frame[exact])[RESOLUTION_COLUMNS]
    mixed = shared & bounded
    if mixed.any():
        groups: dict[tuple, list[dict]] = {}
        for i, record in frame[mixed].to_dict("index").items():
            groups.setdefault((record["region"], record["indicator"], int(record["year"])), []).append(
                {**record, "_i": i}
            )
        marks: dict[int, dict] = {}
        for rows in groups.values():
            marks.update(_resolve_group(rows))
        result.loc[list(marks)] = pd.DataFrame.from_dict(marks, orient="index")[RESOLUTION_COLUMNS]


def resolve(observations: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """One row per (region, indicator, year): the used row, with conflict, n_sources and the reason.

    `observations` as the loader returns them (marked); unmarked rows need the `rules` to be marked."""
    marked = (
        observations
        if {"used", "conflict", "n_sources"} <= set(observations.columns)
        else mark_resolution(observations, _needed(rules))
    )
    return marked[marked["used"]].sort_values(GROUP).reset_index(drop=True)


def _rounds_to(a: tuple[float, int], b: tuple[float, int]) -> bool:
    """Whether the less precise figure is the more precise one rounded (76.3 and 76.34)."""
    (coarse, d_coarse), (fine, d_fine) = sorted([a, b], key=lambda x: x[1])
    return d_fine > d_coarse and round(fine, d_coarse) == coarse


def conflicts(observations: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """Every conflicting row beside the row used for the same region, indicator and year."""
    marked = observations if "resolution" in observations else mark_resolution(observations, _needed(rules))
    marked = marked if "grade" in marked else marked.assign(grade=UNGRADED)
    side = [
        "qualifier",
        "value",
        "decimals",
        "source_kind",
        "grade",
        "source_url",
        "excerpt",
        "source_file",
        "source_row",
    ]
    used = marked[marked["used"]][GROUP + side + ["reason"]].rename(columns={c: f"used_{c}" for c in side})
    other = marked[marked["resolution"] == "conflicts"][GROUP + side]
    pairs = other.rename(columns={c: f"other_{c}" for c in side}).merge(used, on=GROUP, how="left")
    pairs["agrees_when_rounded"] = [
        q1 == "=" and q2 == "=" and _rounds_to((v1, int(d1)), (v2, int(d2)))
        for q1, v1, d1, q2, v2, d2 in zip(
            pairs["used_qualifier"],
            pairs["used_value"],
            pairs["used_decimals"],
            pairs["other_qualifier"],
            pairs["other_value"],
            pairs["other_decimals"],
            strict=True,
        )
    ]
    columns = [
        *GROUP,
        *(f"used_{c}" for c in side),
        *(f"other_{c}" for c in side),
        "agrees_when_rounded",
        "reason",
    ]
    order = [*GROUP, "other_source_file", "other_source_row"]
    return pairs[columns].sort_values(order).reset_index(drop=True)


def figure(qualifier: str, value: float, unit: str = "") -> str:
    shown = f"{value:g}" if qualifier == "=" else f"{qualifier} {value:g}"
    return f"{shown} {unit}".strip()


def _cited(qualifier: str, value: float, grade: str, file: str, row: int) -> str:
    return f"{figure(qualifier, value)} ({grade}, {file} row {row})"


def conflict_warnings(observations: pd.DataFrame, files: Iterable[str] | None = None) -> list[Problem]:
    """One warning per region, indicator and year whose sources disagree, with the count of differing
    rows, the first of them cited, and the rule's choice; with `files`, only keys involving those files."""
    focus = set(files) if files is not None else None
    pairs = conflicts(observations)
    if focus is not None:
        involved = pairs["other_source_file"].isin(focus) | pairs["used_source_file"].isin(focus)
        keys = pairs.loc[involved, GROUP].drop_duplicates()
        pairs = pairs.merge(keys, on=GROUP)
        mine = pairs[pairs["other_source_file"].isin(focus)].groupby(GROUP, sort=False).head(1)
        pairs = pd.concat([mine, pairs]).drop_duplicates(
            subset=[*GROUP, "other_source_file", "other_source_row"]
        )
    counts = pairs.groupby(GROUP, sort=False).size()
    groups: dict[tuple, list[dict]] = {}
    for pair in pairs.groupby(GROUP, sort=False).head(CITED).to_dict("records"):
        groups.setdefault(tuple(pair[c] for c in GROUP), []).append(pair)
    problems = []
    for (region, indicator, year), group in groups.items():
        first, total = group[0], int(counts[(region, indicator, year)])
        mine = group if focus is None else [p for p in group if p["other_source_file"] in focus]
        where = (
            (mine[0]["other_source_file"], mine[0]["other_source_row"])
            if mine
            else (first["used_source_file"], first["used_source_row"])
        )
        cited = [
            _cited(
                p["other_qualifier"],
                p["other_value"],
                p["other_grade"],
                p["other_source_file"],
                p["other_source_row"],
            )
            for p in group[:CITED]
        ]
        more = f" and {total - CITED} more" if total > CITED else ""
        used = _cited(
            first["used_qualifier"],
            first["used_value"],
            first["used_grade"],
            first["used_source_file"],
            first["used_source_row"],
        )
        count = f"{total} rows differ" if total > 1 else "sources disagree"
        problems.append(
            Problem(
                where[0],
                int(where[1]),
                "value",
                f"{region} {indicator} {year}: {count}, {'; '.join(cited)}{more} against {used}; "
                f"the rule uses {figure(first['used_qualifier'], first['used_value'])}: {first['reason']}",
                "check both sources; correct the wrong row or leave both "
                "(`plantracker observations --conflicts` lists the choice)",
                "warning",
            )
        )
    return problems


CITED = 3  # differing rows cited in a conflict warning; the others are counted


def _needed(rules: Rules | None) -> Rules:
    if rules is None:
        raise ValueError("these observations are not marked yet: pass the rules to mark them")
    return rules
