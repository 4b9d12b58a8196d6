"""How good each figure's source is: official, official_media, repost or unverified.

The rules are data (data/source_grades.csv, each with its reason): the seed's own doubts first (LOW
RELIABILITY, unattributed, machine-spun), then the page's domain (government domains are the publisher's
own site; state and provincial news outlets are official media; spam-like mirrors are unverified), then,
for any other page, whether the excerpt names the original it copies (a repost) or not (unverified). The
seed's `source_kind` is the seed's first guess and is not used: several repost sites are labelled
official news there.

Corroboration counts: a figure is as good as the best source that states it (the same value, or a
bound it meets, on another page), so a repost confirmed by a government page is an official figure.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pandas as pd

GRADES = ("official", "official_media", "repost", "unverified")  # best first
PROVISIONAL = ("repost", "unverified")
GRADE_COLUMNS = ["grade", "grade_reason", "figure_grade", "figure_grade_reason"]
TEXT_COLUMNS = ("excerpt", "indicator_en", "indicator_zh", "note")


def host_of(url: str) -> str:
    try:
        return (urlparse(str(url).strip()).hostname or "").lower()
    except ValueError:
        return ""


def _found(pattern: str, text: str) -> bool:
    """A Latin pattern as a whole word, case aside (via, not trivial); a Chinese one anywhere."""
    if pattern.isascii():
        return re.search(rf"(?<![A-Za-z]){re.escape(pattern)}(?![A-Za-z])", text, re.IGNORECASE) is not None
    return pattern in text


def grade_of(url: str, text: str, rules: pd.DataFrame) -> tuple[str, str]:
    """The grade of one row and the reason, by the first rule that applies (see the module's docstring)."""
    for r in rules[rules["rule"] == "doubt"].itertuples():
        if _found(r.pattern, text):
            return "unverified", r.reason
    host = host_of(url)
    if not host:
        return "unverified", "no source page is named: the figure cannot be traced"
    domains = rules[rules["rule"] == "domain"]
    hits = [r for r in domains.itertuples() if host == r.pattern or host.endswith("." + r.pattern)]
    if hits:
        best = max(hits, key=lambda r: len(r.pattern))
        return best.grade, f"{host}: {best.reason}"
    for r in rules[rules["rule"] == "attribution"].itertuples():
        if _found(r.pattern, text):
            return "repost", f"{host} is a third-party page; it {r.reason}"
    return "unverified", f"{host} is a third-party page that names no original publisher"


def with_grades(observations: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """A copy with each row's own `grade` and `grade_reason`, and, where resolution columns exist, the
    `figure_grade` of its region, indicator and year: the best grade among the rows that agree with the
    figure used (itself and those that corroborate it)."""
    out = observations.copy()
    texts = [" ".join(str(r.get(c) or "") for c in TEXT_COLUMNS) for r in out.to_dict("records")]
    urls = out["source_url"] if "source_url" in out else pd.Series([""] * len(out), index=out.index)
    graded = [grade_of(u, t, rules) for u, t in zip(urls.fillna(""), texts, strict=True)]
    out["grade"] = [g for g, _ in graded]
    out["grade_reason"] = [why for _, why in graded]
    out["figure_grade"], out["figure_grade_reason"] = out["grade"], out["grade_reason"]
    if out.empty or "resolution" not in out:
        return out
    agreeing = out["resolution"].isin(["used", "corroborates"])
    rank = out["grade"].map(GRADES.index)
    for _, group in out[agreeing].groupby(["region", "indicator", "year"], sort=False):
        best = group.loc[rank[group.index].idxmin()]
        used = group[group["resolution"] == "used"]
        keys = (out["region"] == best["region"]) & (out["indicator"] == best["indicator"]) & (
            out["year"] == best["year"])
        out.loc[keys, "figure_grade"] = best["grade"]
        lifted = len(used) and GRADES.index(best["grade"]) < GRADES.index(used["grade"].iloc[0])
        out.loc[keys, "figure_grade_reason"] = (
            f"{best['grade']} through corroboration: {host_of(best['source_url'])} states the same figure "
            f"({best['grade_reason']})" if lifted else used["grade_reason"].iloc[0] if len(used)
            else best["grade_reason"])
    return out


def at_least(observations: pd.DataFrame, min_grade: str) -> pd.DataFrame:
    """The rows whose own grade is `min_grade` or better (a report built from better sources only)."""
    if min_grade not in GRADES:
        raise ValueError(f"unknown grade {min_grade!r}: use one of {', '.join(GRADES)}")
    keep = observations["grade"].map(GRADES.index) <= GRADES.index(min_grade)
    return observations[keep].reset_index(drop=True)


def grade_counts(observations: pd.DataFrame) -> pd.Series:
    """Rows per grade, every grade listed, best first."""
    counts = observations["grade"].value_counts()
    return pd.Series({g: int(counts.get(g, 0)) for g in GRADES})
