"""Every word a reader sees, in English and Chinese, from templates/labels.csv: headings, columns,
statuses, units, source kinds, and sentence templates with named slots ({name}, {year} …).

A page, a notebook, a CSV meant for reading, a PDF and the command line all word a thing through this
table, in the one language the reader chose: a Chinese page reads as Chinese, an English page as
English, and a translator edits one file to change a word everywhere.
"""

from __future__ import annotations

import csv
import string
from functools import cache

from analysis.core.errors import PlanTrackerError
from analysis.core.paths import PACKAGE

LABELS_FILE = PACKAGE / "templates" / "labels.csv"
LANGUAGES = ("en", "zh")


@cache
def _table() -> dict[str, dict[str, str]]:
    with LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: {"en": row["en"], "zh": row["zh"]} for row in csv.DictReader(handle)}


def all_keys() -> list[str]:
    """Every key of the table, in its order."""
    return list(_table())


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise PlanTrackerError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return language


def has(key: str) -> bool:
    return key in _table()


def label(key: str, language: str) -> str:
    """The word for `key` in one language."""
    try:
        return _table()[key][check_language(language)]
    except KeyError as exc:
        raise PlanTrackerError(f"{LABELS_FILE.name} has no label {key!r}; add a row for it") from exc


def slots(text: str) -> set[str]:
    """The named slots of a template: {name} and {year} in '{name} in {year}'."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def sentence(key: str, language: str, **fields) -> str:
    """A template of the table with its slots filled; a slot left unfilled names the key and the slot."""
    text = label(key, language)
    try:
        return text.format(**fields)
    except KeyError as exc:
        raise PlanTrackerError(
            f"{LABELS_FILE.name} row {key!r} ({language}) has the slot {{{exc.args[0]}}} that no caller "
            f"fills; use only the slots of the English text: {', '.join(sorted(slots(label(key, 'en'))))}"
        ) from exc


def label_or(key: str, language: str, fallback: str) -> str:
    """The word for `key`, or `fallback` when the table has none (a theme or region of a researcher's own
    file, which goes by its key)."""
    return label(key, language) if has(key) else fallback


def name_in(english: str, chinese: str, language: str) -> str:
    """A thing's name in the chosen language; the other language's when it has none in the chosen one."""
    first, second = (english, chinese) if check_language(language) == "en" else (chinese, english)
    return first if first else second


def unit_word(unit: str, language: str) -> str:
    """A unit as it follows a figure: 'count' reads as nothing in Chinese (≥ 108), '%' as %, 'per 100000
    population' as /10万; a unit the table does not know is shown as written."""
    text = "" if unit is None else str(unit)
    return label_or(f"unit_{text}", language, text)


def unit_name(unit: str, language: str) -> str:
    """A unit named on its own, in a Unit column: count → 计数 where unit_word would be empty."""
    return label_or(f"unitname_{unit}", language, unit_word(unit, language))


def joined(parts, language: str) -> str:
    """Sentences run together: with a space in English, with none in Chinese."""
    return ("" if check_language(language) == "zh" else " ").join(p for p in parts if p)


def listed(items, language: str) -> str:
    """Items of a list: a, b, c in English; a、b、c in Chinese."""
    return ("、" if check_language(language) == "zh" else ", ").join(str(i) for i in items if i)


# Kept for code written when every label showed both languages; they now give the chosen one only.
def pair(english: str, chinese: str, language: str) -> str:
    return name_in(english, chinese, language)


def both(key: str, language: str) -> str:
    return label(key, language)
