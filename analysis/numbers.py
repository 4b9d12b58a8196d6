"""Numbers as Chinese documents and people write them: full-width digits, 。 or ． as decimal mark,
Chinese numerals. Shared by the extractor (policy text) and the observation parser (researchers'
cells) so both read 92。5 or 九 the same way.
"""

from __future__ import annotations

import re

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％﹪＋－＜＞＝", "0123456789.%%+-<>=")
_DECIMAL_MARK = re.compile(r"(?<=\d)[。．·](?=\d)")

CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                  "八": 8, "九": 9}
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
