"""Words the report shows, in English and Chinese, from templates/labels.csv.

The language parameter of a notebook chooses which language leads; the other follows it, so a reader
of either finds their own words on every heading, column, status and chart legend.
"""

from __future__ import annotations

import csv
from functools import cache

from analysis.core.errors import PlanTrackerError
from analysis.core.paths import PACKAGE

LABELS_FILE = PACKAGE / "templates" / "labels.csv"
LANGUAGES = ("en", "zh")
SEPARATOR = " · "


@cache
def _table() -> dict[str, dict[str, str]]:
    with LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: {"en": row["en"], "zh": row["zh"]} for row in csv.DictReader(handle)}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise PlanTrackerError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return language


def label(key: str, language: str) -> str:
    """The word for `key` in one language."""
    try:
        return _table()[key][check_language(language)]
    except KeyError as exc:
        raise PlanTrackerError(f"{LABELS_FILE.name} has no label {key!r}; add a row for it") from exc


def pair(english: str, chinese: str, language: str) -> str:
    """Two names of one thing, the chosen language first; one of them alone when the other is missing."""
    first, second = (english, chinese) if check_language(language) == "en" else (chinese, english)
    return SEPARATOR.join(t for t in (first, second) if t)


def both(key: str, language: str) -> str:
    """The label in both languages, the chosen one first."""
    return pair(label(key, "en"), label(key, "zh"), language)
