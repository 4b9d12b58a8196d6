"""The draft `plantracker extract` writes for a new plan: the proposed target rows (the columns of
targets.csv, plus measure, base year, confidence and the rule that proposed each) and the past results
the plan reports, in the observation intake format.

The running text and the indicator tables propose rows (`proposals`, `tables`); here they are put in
the order of the text, given an indicator when the clause names one of data/indicators.csv with the same
unit, and a target id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalogue.extraction.layout import Layout, infer_horizon, layout, plan_start, title_period
from analysis.catalogue.extraction.patterns import find_numbers
from analysis.catalogue.extraction.proposals import sentence_proposals
from analysis.catalogue.extraction.tables import table_targets
from analysis.core.errors import DataError, Problem
from analysis.core.schema import OBSERVATION_DRAFT_COLUMNS, TARGET_COLUMNS, Wording

POSITION_COLUMNS = ["start", "end", "sentence_start", "sentence_end"]
DRAFT_EXTRA = ["measure", "base_year", "confidence", "rule"]
DRAFT_COLUMNS = TARGET_COLUMNS + [c for c in DRAFT_EXTRA if c not in TARGET_COLUMNS]


@dataclass(frozen=True)
class Draft:
    """What `plantracker extract` proposes for one plan: target rows and past results (observations)."""

    targets: pd.DataFrame  # DRAFT_COLUMNS + POSITION_COLUMNS
    observations: pd.DataFrame  # OBSERVATION_DRAFT_COLUMNS

    def summary(self) -> str:
        """Counts a reviewer reads first: how many rows, how many still need an indicator, of which kinds."""
        targets = self.targets
        with_indicator = int(targets["indicator"].ne("").sum())
        by_kind = ", ".join(f"{k} {n}" for k, n in targets["kind"].value_counts().items())
        by_confidence = ", ".join(
            f"{c} {int(targets['confidence'].eq(c).sum())}" for c in ("high", "medium", "low")
        )
        return (
            f"{len(targets)} proposals: {with_indicator} with an indicator, "
            f"{len(targets) - with_indicator} without one; by kind: {by_kind or 'none'}; "
            f"by confidence: {by_confidence}; "
            f"{len(self.observations)} past results proposed as observations"
        )


def guess_indicator(clause: str, unit: str, indicators: pd.DataFrame | None) -> str:
    """An indicator whose Chinese name the clause holds, with the same unit; '' when none does."""
    if indicators is None or indicators.empty:
        return ""
    names = indicators.assign(stem=indicators["name_zh"].str.replace(r"(建成)?数$", "", regex=True))
    named = np.array([bool(stem) and stem in clause for stem in names["stem"]], dtype=bool)
    fits = names[named & names["unit"].eq(unit).to_numpy()]
    if fits.empty:
        return ""
    return str(fits.loc[fits["stem"].str.len().idxmax(), "indicator_id"])


def _target_ids(frame: pd.DataFrame, document_number: str) -> pd.Series:
    """`<document>-<indicator>-<year>`, then -b, -c for a second and third row of the same key."""
    base = (
        document_number
        + "-"
        + frame["indicator"].astype(str).replace("", "unassigned")
        + "-"
        + frame["target_year"].astype(str)
    )
    rank = base.groupby(base).cumcount()
    return base + rank.map(_suffix)


def _suffix(n: int) -> str:
    """'' for the first row of a key, then -b … -z, then -z27, -z28 … for drafts with many rows."""
    return "" if n == 0 else f"-{chr(ord('a') + n)}" if n < 26 else f"-z{n + 1}"


def draft_plan(
    wording: Wording,
    text: str,
    *,
    document: str = "",
    region: str = "",
    horizon: int | None = None,
    indicators: pd.DataFrame | None = None,
) -> Draft:
    """Proposed catalogue rows and past results of a plan's text."""
    horizon, guessed = _horizon(wording, text, document, horizon)
    numbers = find_numbers(wording, text)
    layout_ = layout(wording, text, numbers)
    targets, observed = sentence_proposals(wording, numbers, layout_, horizon, guessed)
    start_year, first_deadline = plan_start(text), _first_deadline(layout_)
    for table in layout_.tables:
        targets += table_targets(wording, layout_, table, start_year, first_deadline)
    targets.sort(key=lambda r: r["start"])
    frame = pd.DataFrame.from_records(
        targets,
        columns=[c for c in DRAFT_COLUMNS if c not in ("target_id", "region", "document", "indicator")]
        + POSITION_COLUMNS,
    )
    frame["indicator"] = [
        guess_indicator(c, u, indicators) for c, u in zip(frame["quote"], frame["unit"], strict=True)
    ]
    number = re.match(r"\d+", document)
    frame = frame.assign(
        region=region,
        document=document,
        target_id=_target_ids(frame, number.group(0) if number else Path(document).stem),
    )
    frame = frame[DRAFT_COLUMNS + POSITION_COLUMNS].astype({"target_year": int, "target_value": float})
    obs = pd.DataFrame.from_records(observed, columns=OBSERVATION_DRAFT_COLUMNS)
    obs = obs.assign(
        region=region,
        source_url=document,
        source_kind="plan_baseline",
        indicator=[
            guess_indicator(c, u, indicators) for c, u in zip(obs["indicator_zh"], obs["unit"], strict=True)
        ],
    )
    return Draft(frame, obs[OBSERVATION_DRAFT_COLUMNS])


def _horizon(wording: Wording, text: str, document: str, horizon: int | None) -> tuple[int, bool]:
    """The year the plan aims at: the one given, else the one its text states; and whether that was a
    guess (the commonest 到20XX年, when the title states no period). A text without either is refused."""
    if not text.strip():
        raise _refused(document, "the text is empty", "check that the file holds the plan's text")
    aimed_at = horizon or infer_horizon(wording, text)
    if aimed_at is None:
        raise _refused(
            document,
            "cannot tell the year the plan aims at (no 到20XX年 in the text)",
            "pass the horizon year, e.g. --horizon 2027",
        )
    return aimed_at, not horizon and title_period(text) is None


def _refused(document: str, message: str, fix: str) -> DataError:
    return DataError([Problem(document or "text", None, None, message, fix)])


def _first_deadline(layout_: Layout) -> int | None:
    """The earliest deadline of the running text (outside tables): a table's columns before it may be
    its base."""
    deadlines = layout_.years[layout_.years["role"].eq("deadline")]
    outside = deadlines[~layout_.in_table[deadlines["start"].to_numpy(dtype=int)]]
    return int(outside["year"].min()) if len(outside) else None


def propose_targets(
    wording: Wording,
    text: str,
    *,
    document: str = "",
    region: str = "",
    horizon: int | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Proposed catalogue rows, with the positions of each number and its sentence in the text."""
    return draft_plan(
        wording, text, document=document, region=region, horizon=horizon, indicators=indicators
    ).targets


def draft_catalogue(
    wording: Wording,
    text: str,
    document: str,
    region: str | None = None,
    horizon: int | None = None,
    entry: dict | None = None,
    indicators: pd.DataFrame | None = None,
) -> Draft:
    """Draft targets.csv rows (and past results) for a plan: one proposed row per quantity that reads
    like a target.

    Region and horizon come from the arguments, else from the plan's registry `entry` when the file is
    one of the plans in data/policies, else from the text (`infer_horizon`).
    """
    entry = entry or {}
    draft = draft_plan(
        wording,
        text,
        document=document,
        region=region or entry.get("region", ""),
        horizon=horizon or entry.get("horizon_year"),
        indicators=indicators,
    )
    return Draft(draft.targets[DRAFT_COLUMNS], draft.observations)
