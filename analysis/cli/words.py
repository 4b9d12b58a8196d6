"""The command line's counted words and suggestions, from the words table (analysis/templates/labels.csv):
"1 plan", "2 plans" rather than "plan(s)", and "did you mean …?" when a name is mistyped.

A count's two forms are the rows `cli_count_<noun>_one` and `cli_count_<noun>_other`, each with an `{n}`
slot, so the sentence is written once per language (Chinese has one form: both rows say the same).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from analysis.core.labels import label


def count(n: int, noun: str, language: str = "en") -> str:
    """`n` with the noun in the form that agrees with it: `count(1, "plan")` is "1 plan"."""
    form = "one" if n == 1 else "other"
    return label(f"cli_count_{noun}_{form}", language).format(n=n)


def word(key: str, language: str = "en") -> str:
    """A heading or phrase the command line prints: the row `cli_<key>` of the words table."""
    return label(f"cli_{key}", language)


def close_to(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices that look like a mistyping of `word` (difflib's ratio of at least 0.6, any case),
    the closest first."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    found = difflib.get_close_matches(word.strip().casefold(), list(by_folded), n=n, cutoff=0.6)
    return [by_folded[f] for f in found]


def suggestion(found: list[str], language: str = "en") -> str:
    """ "did you mean guizhou?" (or "a or b", "a, b or c"); empty when nothing was found."""
    if not found:
        return ""
    either = f" {label('cli_or', language)} "
    joined = found[0] if len(found) == 1 else ", ".join(found[:-1]) + either + found[-1]
    return label("cli_did_you_mean", language).format(choices=joined)


def did_you_mean(word: str, choices: Iterable[str], language: str = "en") -> str:
    """The suggestion for a word close to some choices, else an empty string."""
    return suggestion(close_to(word, choices), language)
