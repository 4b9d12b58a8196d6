"""The sentences a reader sees beside a status, in English or Chinese.

A reason names the indicator as the page does (never its id), gives both ends of a pace with their
years, prints figures with the digits their sources printed, and, when a target cannot be judged,
says which figure for which year would decide it and where such figures are usually published
(data/publication_sources.csv, editable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.core.errors import PlanTrackerError
from analysis.core.labels import LANGUAGES, label, label_or, sentence, unit_word
from analysis.core.precision import fmt, ratio_text, signed
from analysis.core.vocabulary import COMPARATOR_SIGNS


def say(key: str, language: str, **fields) -> str:
    """A reason's sentence: the template reason_<key> of templates/labels.csv with its slots filled."""
    return sentence(f"reason_{key}", language, **fields)


def unit_in_reason(unit: str, language: str) -> str:
    """A unit as a reason prints it: a count or an index with no word (200, not 200 count)."""
    return label_or(f"unitreason_{unit}", language, unit_word(unit, language))


def join(parts: list[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(p for p in parts if p)


@dataclass(frozen=True)
class Words:
    """What the sentences of one target need: its indicator's name and unit, the region, the language."""

    language: str
    name: str
    region: str
    unit: str

    def figure(self, value: float, decimals: int, qualifier: str = "=", unit: str | None = None) -> str:
        """A figure with its bound sign and unit: ≥ 90 %, 32.52 %, 200."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        unit = self.unit if unit is None else unit
        word = unit_in_reason(unit, self.language)
        sign = COMPARATOR_SIGNS.get(qualifier or "=", qualifier)
        text = f"{sign} {fmt(value, decimals)}".strip()
        return f"{text} {word}".strip() if self.language != "zh" or word not in ("%", "‰") else text + word

    def dated(self, value: float, decimals: int, year: int, qualifier: str = "=") -> str:
        text = self.figure(value, decimals, qualifier)
        return f"{year}年{text}" if self.language == "zh" else f"{text} ({year})"

    def change(self, value: float, decimals: int, unit: str, qualifier: str = "=") -> str:
        """A change with its sign and unit: +1.5 points, −12.0 %."""
        word = unit_in_reason(unit, self.language)
        sign = COMPARATOR_SIGNS.get(qualifier or "=", qualifier)
        text = f"{sign} {signed(value, decimals)}".strip()
        return f"{text} {word}".strip() if self.language != "zh" or word in ("",) else f"{text}{word}"

    def statuses(self, statuses: list[str]) -> str:
        language = self.language if self.language in LANGUAGES else "en"
        return ("、" if language == "zh" else ", ").join(self._status_word(s, language) for s in statuses)

    @staticmethod
    def _status_word(status: str, language: str) -> str:
        """The status as the page's legend names it (templates/labels.csv), so a reason and the badge
        beside it use the same word."""
        try:
            return label(f"status_{status}", language)
        except PlanTrackerError:
            return status

    def grade(self, grade: str) -> str:
        return label_or(f"gradeword_{grade}", self.language, grade)


def region_name(region: str, language: str) -> str:
    """A region as the pages name it; a region of a researcher's own file goes by its key."""
    try:
        return label(f"region_{region}", language)
    except PlanTrackerError:  # a region of a researcher's own file: its key is its name
        return region


def indicator_name(indicator: dict | None, fallback: str, language: str) -> str:
    """An indicator as the pages name it in `language`; its id when the catalogue has no name for it."""
    if not indicator:
        return fallback
    name = indicator.get("name_zh" if language == "zh" else "name_en")
    return str(name) if name and not pd.isna(name) else fallback


def where_published(table: pd.DataFrame | None, indicator: dict | None, language: str) -> str:
    """Where figures of this indicator usually appear: its own row of the table, else its theme's, else
    the table's default row (theme `*`)."""
    if table is None or table.empty:
        return ""
    column = "where_zh" if language == "zh" else "where_en"
    ind = indicator or {}
    for key, value in (("indicator", ind.get("indicator_id")), ("theme", ind.get("theme")), ("theme", "*")):
        if not value:
            continue
        hit = table[(table[key] == value) & ((table["indicator"] == "") if key == "theme" else True)]
        if len(hit):
            return str(hit[column].iloc[0])
    return ""


def ratio(value: float) -> str:
    return ratio_text(value)
