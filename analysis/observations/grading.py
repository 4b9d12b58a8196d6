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

from analysis.core.vocabulary import GRADES  # best first

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


def _rule_lists(rules: pd.DataFrame) -> dict[str, list]:
    """The rules split by kind once, in file order, so grading a row costs no table look-up."""
    kinds = ("doubt", "domain", "attribution")
    return {kind: list(rules[rules["rule"] == kind].itertuples()) for kind in kinds}


def _grade(url: str, text: str, split: dict[str, list]) -> tuple[str, str]:
    for r in split["doubt"]:
        if _found(r.pattern, text):
            return "unverified", r.reason
    host = host_of(url)
    if not host:
        return "unverified", "no source page is named: the figure cannot be traced"
    hits = [r for r in split["domain"] if host == r.pattern or host.endswith("." + r.pattern)]
    if hits:
        best = max(hits, key=lambda r: len(r.pattern))
        return best.grade, f"{host}: {best.reason}"
    for r in split["attribution"]:
        if _found(r.pattern, text):
            return "repost", f"{host} is a third-party page; it {r.reason}"
    return "unverified", f"{host} is a third-party page that names no original publisher"


def grade_of(url: str, text: str, rules: pd.DataFrame) -> tuple[str, str]:
    """The grade of one row and the reason, by the first rule that applies (see the module's docstring)."""
    return _grade(url, text, _rule_lists(rules))


KEY = ["region", "indicator", "year"]


def with_grades(observations: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """A copy with each row's own `grade` and `grade_reason`, and, where resolution columns exist, the
    `figure_grade` of its region, indicator and year: the best grade among the rows that agree with the
    figure used (itself and those that corroborate it).

    Each distinct (page, text) is graded once and keys are joined, not scanned, so a batch of 100,000
    rows is graded in about the time it takes to read it."""
    out = observations.copy()
    texts = [" ".join(str(r.get(c) or "") for c in TEXT_COLUMNS) for r in out.to_dict("records")]
    blank = pd.Series([""] * len(out), index=out.index)
    urls = out["source_url"].fillna("") if "source_url" in out else blank
    split, seen = _rule_lists(rules), {}
    graded = [
        seen.get((u, t)) or seen.setdefault((u, t), _grade(u, t, split))
        for u, t in zip(urls, texts, strict=True)
    ]
    out["grade"] = [g for g, _ in graded]
    out["grade_reason"] = [why for _, why in graded]
    out["figure_grade"], out["figure_grade_reason"] = out["grade"], out["grade_reason"]
    if out.empty or "resolution" not in out:
        return out
    agreeing = out[out["resolution"].isin(["used", "corroborates"])]
    if agreeing.empty:
        return out
    # the first best-graded agreeing row of each key, and the first row used
    ranked = agreeing.assign(_rank=agreeing["grade"].map(GRADES.index)).sort_values("_rank", kind="stable")
    best = ranked.drop_duplicates(KEY)[KEY + ["grade", "grade_reason", "source_url"]]
    used = agreeing[agreeing["resolution"] == "used"].drop_duplicates(KEY)[KEY + ["grade", "grade_reason"]]
    per_key = best.merge(used, on=KEY, how="left", suffixes=("", "_used"))
    has_used = per_key["grade_used"].notna()
    lifted = has_used & (
        per_key["grade"].map(GRADES.index)
        < per_key["grade_used"].map(lambda g: GRADES.index(g) if isinstance(g, str) else -1)
    )
    reasons = [
        f"{g} through corroboration: {host_of(url)} states the same figure ({why})"
        if lift
        else used_why
        if has
        else why
        for g, why, url, lift, has, used_why in zip(
            per_key["grade"],
            per_key["grade_reason"],
            per_key["source_url"],
            lifted,
            has_used,
            per_key["grade_reason_used"],
            strict=True,
        )
    ]
    per_key = per_key[KEY].assign(_figure_grade=per_key["grade"].to_numpy(), _figure_reason=reasons)
    joined = out[KEY].merge(per_key, on=KEY, how="left")
    found = joined["_figure_grade"].notna().to_numpy()
    out.loc[found, "figure_grade"] = joined.loc[found, "_figure_grade"].to_numpy()
    out.loc[found, "figure_grade_reason"] = joined.loc[found, "_figure_reason"].to_numpy()
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
