"""Notes the stages write in English, in the page's language: a forecast's method and explanation, why
one source's figure was used where sources disagree.

The forecasting stage writes its explanation as English notes joined by '; ' ("3 points 2023–2025; a
count that only accumulates: raw scale, never falling; …"), the conflict rule one note per figure. Each
kind of note is a template of templates/labels.csv (forecastnote_*, conflictnote_*), so the same table
reads a note back (its English with the slots as wildcards) and writes it in Chinese, slot by slot; a
note no template knows stays as written, so a new kind of note shows up as English on a Chinese page
(tests/test_zh_pages.py counts it) rather than vanishing.
"""

from __future__ import annotations

import re
from functools import cache

from analysis.core.labels import all_keys, has, label, label_or, sentence

NOTE_PREFIX = "forecastnote_"
CONFLICT_PREFIX = "conflictnote_"
MODEL_CLASS = re.compile(r"^(statsmodels(?:\.\w+)+)\((.*)\)$")


# Slots that hold a number, a year or a range of them; a method's or a regime's name one word (damped+drift);
# any other slot any text.
NUMERIC_SLOTS = {"n", "m", "a", "b", "first", "last", "year", "pct", "lengths", "t", "limit", "row", "lo"}
SLOT_PATTERNS = {"regime": r"\w+", "method": r"[\w+]+", "failed": r"[\w+]+", "used": r"[\w+]+"}


def _pattern(template: str) -> re.Pattern:
    """An English template as a pattern: its text literally, each {slot} a number, a word or any text."""
    parts = re.split(r"\{(\w+)\}", template)

    seen: set[str] = set()

    def slot(name: str) -> str:
        if name in seen:  # a slot a template uses twice holds the same text both times
            return f"(?P={name})"
        seen.add(name)
        what = r"[0-9.,+\-–−]+" if name in NUMERIC_SLOTS else SLOT_PATTERNS.get(name, ".+?")
        return f"(?P<{name}>{what})"

    body = "".join(re.escape(p) if i % 2 == 0 else slot(p) for i, p in enumerate(parts))
    return re.compile(f"^{body}$")


@cache
def _notes(prefix: str) -> list[tuple[str, re.Pattern]]:
    """Every note template of a kind, the most literal text first (a fixed sentence wins over a pattern
    and a long pattern over a short one)."""
    found = [(k, _pattern(label(k, "en"))) for k in all_keys() if k.startswith(prefix)]
    return sorted(found, key=lambda kp: -len(re.sub(r"\{\w+\}", "", label(kp[0], "en"))))


def note_text(note: str, language: str, prefix: str = NOTE_PREFIX) -> str:
    """One note in `language`: the template it matches, its slots translated in turn (a slot that is a
    scale or a grade by its key reads as its word)."""
    if language == "en" or not note:
        return note
    for key, pattern in _notes(prefix):
        hit = pattern.match(note)
        if hit:
            slots = {name: note_text(value, language, prefix) for name, value in hit.groupdict().items()}
            return sentence(key, language, **slots)
    for key in (f"{NOTE_PREFIX}scale_{note}", f"{NOTE_PREFIX}regime_{note}", f"grade_{note}"):
        if has(key):
            return label(key, language)
    return note


def is_status_reason(text) -> bool:
    """Whether a forecast's explanation is a sentence of the assessment (reason_* in English): the
    forecasting stage copies the reason a target's quantity cannot be measured (no base figure …) when it
    has nothing to forecast, and the page states that reason, in its language, under the status."""
    if not isinstance(text, str) or not text:
        return False
    return any(pattern.match(text) for _, pattern in _notes("reason_"))


def conflict_text(reason, language: str) -> str:
    """Why the figure used was chosen over the other source's, in `language`."""
    return note_text(reason, language, CONFLICT_PREFIX) if isinstance(reason, str) else ""


def explanation_text(text, language: str) -> str:
    """A forecast's explanation (notes joined by '; ') in `language`."""
    if not isinstance(text, str) or not text:
        return ""
    separator = "；" if language == "zh" else "; "
    return separator.join(note_text(n, language) for n in text.split("; "))


def method_text(method, language: str) -> str:
    """The forecast method's name (random walk + drift, local level, linear …) in `language`."""
    if not isinstance(method, str) or not method:
        return ""
    return label_or(f"method_{method}", language, method)


def model_text(model, language: str) -> str:
    """The statsmodels call: its class name as written, the words in its brackets in `language`."""
    if not isinstance(model, str) or not model:
        return ""
    hit = MODEL_CLASS.match(model)
    if language == "en" or not hit:
        return model
    return f"{hit.group(1)}（{note_text(hit.group(2), language)}）"
