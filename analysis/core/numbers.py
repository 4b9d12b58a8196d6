"""Numbers as Chinese documents and people write them: full-width digits, 。 or ． as decimal mark,
Chinese numerals. Shared by the extractor (policy text) and the one number parser of every reader
(researchers' cells, the catalogue's columns) so all read 92。5 or 九 the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％﹪＋－＜＞＝", "0123456789.%%+-<>=")
_DECIMAL_MARK = re.compile(r"(?<=\d)[。．·](?=\d)")

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(CHINESE_DIGITS) + "".join(CHINESE_UNITS)


def normalize_digits(text: str) -> str:
    """Full-width digits and signs to ASCII, and 。/．/· between digits to a decimal point.

    Keeps the length of the text unchanged, so positions found in the normalised text are
    positions in the original.
    """
    return _DECIMAL_MARK.sub(".", text.translate(_FULL_WIDTH))


def chinese_numeral_value(numeral: str) -> int:
    """The value of a Chinese numeral such as 九, 十二, 二十八, 一百零五, 三千.

    Raises ValueError for anything that is not one.
    """
    if not numeral or any(c not in CHINESE_NUMERAL_CHARS for c in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    total, section, digit = 0, 0, None
    for char in numeral:
        if char in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[char]
            continue
        unit = CHINESE_UNITS[char]
        if unit >= 10_000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


# ---------------------------------------------------------------------------------------------------
# The one number parser: every reader reads a figure through `parse_value` (observations, series
# files) or `parse_plain` (catalogue and settings columns), so every command accepts the same cells.
# The forms accepted are those data/README.md lists; anything else is refused by name.

# The shortest text that gives back a double has at most 17 significant digits (what pandas' to_csv and
# Python's repr write, e.g. 7.2215300547391434): a machine-written table must read as it was written.
# More digits than that cannot come from a number a program held, so they are refused as a slip.
MAX_DIGITS = 17

# A plain decimal as every reader's fast path takes it; a cell that matches is still held to MAX_DIGITS
# (`plain_cells`), so the fast path and the parser accept the same cells.
PLAIN_DECIMAL = r"-?[0-9]+(?:\.[0-9]+)?"
PLAIN_INTEGER = r"-?[0-9]+"
EXPONENT = r"(?:[eE][+-]?[0-9]{1,3})?"


@dataclass(frozen=True)
class ParsedValue:
    qualifier: str  # "=" unless the text states a bound
    value: float
    mark: str | None  # what followed the number (%, ‰, /10万, 个 …), None if nothing
    decimals: int  # digits after the decimal point as typed: the figure's precision
    explicit: bool  # the text itself stated the qualifier


_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_INNER_SPACE = re.compile(r"[0-9.,]\s+[0-9.,]|[0-9]\s+[.,]|[.,]\s+[0-9]")
_SIGNS = str.maketrans({"≥": "≧", "≤": "≦", "⩾": "≧", "⩽": "≦", "／": "/", "\u3000": " "})
_SYMBOLS = {">=": ">=", "<=": "<=", "≧": ">=", "≦": "<=", ">": ">", "<": "<", "==": "=", "=": "="}


def canonical_text(text: str) -> str:
    """Full-width to ASCII, 。/． between digits to '.', ≥/≤ unified, spaces and thousands commas gone.

    Only for text already checked by `refusal` (which refuses spaces inside a number)."""
    text = normalize_digits(str(text)).translate(_SIGNS)
    return _THOUSANDS.sub("", re.sub(r"\s+", "", text))


def refusal(text: str) -> str | None:
    """Why a cell cannot hold a figure whatever its words: digits other than 0-9 and full-width ones,
    spaces inside the number, more digits than a figure can have. None when none of these applies."""
    s = normalize_digits(str(text)).translate(_SIGNS)
    if re.match(r"\s*=\s*[A-Za-z_(]", s):
        return f"'{_short(text)}' is a spreadsheet formula, not a figure: type the figure itself"
    foreign = sorted({c for c in s if c.isdigit() and c not in "0123456789"})
    if foreign:
        names = ", ".join(f"'{c}' ({unicodedata.name(c, 'a digit')})" for c in foreign[:3])
        return f"'{text}' holds digits other than 0-9 ({names})"
    if _INNER_SPACE.search(s.strip()):
        return f"'{text}' has a space inside the number"
    runs = (m.group().replace(".", "").replace(",", "").lstrip("0") for m in re.finditer(r"[0-9][0-9.,]*", s))
    longest = max((len(r) for r in runs), default=0)
    if longest > MAX_DIGITS:
        return f"'{_short(text)}' has {longest} digits: more than a figure can have ({MAX_DIGITS} at most)"
    return None


def significant_digits(cells: pd.Series) -> pd.Series:
    """Significant digits of each plain number as written (leading zeros and sign, point and exponent
    aside): 0.00125 has 3, 7.2215300547391434 has 17, 100 has 3."""
    mantissa = cells.str.replace(r"[eE].*$", "", regex=True).str.replace(r"[-+.]", "", regex=True)
    return mantissa.str.lstrip("0").str.len()


def plain_cells(cells: pd.Series, integer: bool = False, exponent: bool = False) -> pd.Series:
    """Which text cells every reader may convert at once: a plain decimal (or whole number; with
    `exponent`, 1.5e-06, as a machine-written table holds) of at most MAX_DIGITS significant digits,
    whose value is finite. The other cells go through `parse_value`/`parse_plain`, which say why.

    One fast path for all readers, so no reader accepts a cell another refuses."""
    text = cells.astype(str)
    pattern = (PLAIN_INTEGER if integer else PLAIN_DECIMAL) + (EXPONENT if exponent else "")
    shaped = text.str.fullmatch(pattern) & significant_digits(text).le(MAX_DIGITS)
    if exponent and shaped.any():
        finite = pd.Series(False, index=text.index)
        finite[shaped] = np.isfinite(pd.to_numeric(text[shaped], errors="coerce").astype(float))
        shaped &= finite
    return shaped


def shortest_text(number: float, percent: bool = False) -> str:
    """The shortest decimal text that reads back as `number` (at most 17 significant digits, no
    exponent), as a spreadsheet cell should read; with `percent`, the same digits times 100 (0.925 as
    92.5, moved by text so that no float noise such as 92.50000000000001 appears)."""
    text = np.format_float_positional(float(number), unique=True, trim="-")
    if not percent:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = digits.partition(".")
    fraction = fraction.ljust(2, "0")
    whole, fraction = (whole + fraction[:2]).lstrip("0") or "0", fraction[2:]
    return sign + whole + (f".{fraction}" if fraction else "")


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]


def _strip_words(text: str, table: dict[str, str | None], at_start: bool) -> tuple[str, list[str]]:
    """Remove qualifier and filler words from one end of the text, longest first; return what they mean."""
    found: list[str] = []
    words = sorted(table, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for word in words:
            if text.startswith(word) if at_start else text.endswith(word):
                text = text[len(word) :] if at_start else text[: -len(word)]
                if table[word]:
                    found.append(table[word])
                changed = True
                break
    return text, found


def parse_value(text: str, rules) -> ParsedValue:
    """Read one typed figure (92.5, 92.5%, ≥90%, 90%以上, 12/10万 …); ValueError says what is wrong.

    `rules` is the observation rules (analysis.core.schema.Rules): its words and marks are the vocabulary."""
    why = refusal(text)
    if why:
        raise ValueError(why)
    s = canonical_text(text)
    if not s:
        raise ValueError("the value is empty")
    prefixes = {**_SYMBOLS, **rules.bound_prefixes, **dict.fromkeys(rules.filler_words)}
    rest, found = _strip_words(s, prefixes, at_start=True)
    number = _NUMBER.match(rest)
    if not number:
        raise ValueError(f"'{_short(text)}' is not a number")
    tail, found_after = _strip_words(rest[number.end() :], dict(rules.bound_suffixes), at_start=False)
    found += found_after
    if tail and tail not in rules.unit_marks and tail not in rules.measure_words:
        raise ValueError(f"cannot read '{_short(tail)}' after the number in '{_short(text)}'")
    if len(set(found)) > 1:
        raise ValueError(f"'{text}' states two different bounds ({' and '.join(found)})")
    digits = number.group().lstrip("+-")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return ParsedValue(found[0] if found else "=", float(number.group()), tail or None, decimals, bool(found))


def parse_plain(text: str) -> float:
    """A plain decimal (92.5, -3, 2027): the catalogue's and settings' number columns, no marks."""
    s = str(text).strip()
    why = refusal(s)
    if why:
        raise ValueError(why)
    if not _PLAIN.fullmatch(s):
        raise ValueError(f"'{_short(s)}' is not a plain decimal number such as 92.5")
    return float(s)


def unit_fits(mark: str | None, unit: str, rules) -> bool:
    """Whether a typed unit mark can mean the indicator's unit (a % for a per-1000 indicator cannot)."""
    if mark is None or mark == unit:
        return True
    if mark in rules.unit_marks:
        return unit in rules.unit_marks[mark]
    return mark in rules.measure_words and unit in rules.measure_word_units
