"""Every number of a Chinese policy text: the patterns that find them and what each match reads as.

Dates and section numbers are told apart from quantities by passes run most specific first, a later pass
never taking characters an earlier one took. The same `find_numbers` reads the quotes of the catalogue
when it is validated (`values_in`), so 九, １２ and 全覆盖 count as the numbers they are. The wording
(units, full-value phrases, identifier labels) comes in as a `Wording`, read from the packaged rule files
by `analysis.io.readers.wording`; the patterns are compiled once per wording.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache, lru_cache, partial
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.core.numbers import CHINESE_DIGITS, chinese_numeral_value, normalize_digits
from analysis.core.schema import Wording

NUMBER_COLUMNS = [
    "start",
    "end",
    "expression",
    "value",
    "unit",
    "role",
    "sentence",
    "upper",
    "magnitude",
    "form",
    "sentence_start",
    "sentence_end",
]

SPACE = r"[ \t\u3000]*"
YEAR = r"(?:19|20)\d{2}"
DECIMAL = r"\d+(?:\.\d+)?"
RANGE_SEP = r"[-—–~～至]{1,2}"
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUMERAL = f"[{CN_DIGITS}十百千]+[万亿]?"
CN_SECTION = "一二三四五六七八九十"
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
CLAUSE_END = re.compile(r"[，；;。：！？!?\n]|(?<!\d)[,:]|[,:](?!\d)")
# The present or a dated past a figure is compared with: 2020年底, 目前 (较目前的76.3岁, 由2020年的…).
NOW = rf"(?:{YEAR}{SPACE}年(?:底|末)?|目前|现在|当前|现有)"


class FoundNumber(Protocol):
    """One number `find_numbers` found, as a row of its frame (`itertuples`): where it stands, what it
    reads as, and where its sentence stands."""

    start: int
    end: int
    expression: str
    value: float
    upper: float
    magnitude: float
    unit: str
    form: str
    sentence_start: int
    sentence_end: int


# ---------------------------------------------------------------- the number patterns of a wording


def alternation(words: list[str]) -> str:
    """A regex alternative of the words, longest first, so that 不低于 wins over 低于."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Dates: 2021—2030年, 〔2021〕, 2023年3月30日, 2024年底, 3月30日.
# Also timestamps of web pages (2023/11/20 14:22, 2023-11-20) and the first years of a list (2022、2030年).
DATE = (
    rf"(?<!\d){YEAR}(?P<sep1>[/\-.]){SPACE}\d{{1,2}}(?P=sep1)\d{{1,2}}(?!\d)"
    rf"(?:{SPACE}\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
    rf"|(?<!\d)(?P<a>{YEAR}){SPACE}{RANGE_SEP}{SPACE}(?P<b>{YEAR}){SPACE}年度?"
    rf"|(?<![\d.]){YEAR}(?={SPACE}(?:和|、|及|与){SPACE}{YEAR}{SPACE}年)"
    rf"|[〔\[]{YEAR}[〕\]]"
    rf"|(?<!\d){YEAR}{SPACE}年(?:度|底|末|初)?"
    rf"(?:{SPACE}\d{{1,2}}{SPACE}月(?:{SPACE}\d{{1,2}}{SPACE}日|底|末|初)?)?"
    rf"|(?<!\d)\d{{1,2}}月(?:\d{{1,2}}日|底|末|初)"
)
# 索引号：000014349/2023-00123, 发布时间：2024-02-18 10:05 — one token after the label (and a time of day),
# so a page copied without its line breaks keeps its text.
IDENTIFIER = rf"(?:{{labels}}){SPACE}[：:]{SPACE}[^\s，。；,;]+(?: \d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
# The end of a five-year plan period as a date: “十四五”末, 十四五期末, “十三五”时期, “十五五”期间.
FIVE_YEAR_PERIOD = r"[“\"]?十(?P<n>[一二三四五六七八九])五[”\"]?(?:规划)?(?:期末|末期|时期末|末|期间|时期)"
# Section numbers: 一、 （三） 第一 at any place; 1. 1、 at the start of a line (or after ：or ]); (1); 附件1.
SECTION_CHINESE = (
    rf"(?m:^{SPACE}[{CN_SECTION}]+、)|(?<=[。；;]){SPACE}[{CN_SECTION}]+、"
    rf"|[（(][{CN_SECTION}]+[）)]|第{CN_NUMERAL}|第\d+"
)
SECTION_ARABIC = (
    rf"(?m:^{SPACE}\d{{1,2}}[.．、](?!\d))|(?<=[：:\]])\d{{1,2}}[.．](?!\d)"
    rf"|[（(]\d{{1,2}}[）)]|附件\d+"
)
RATIO = r"(?<![\d.])(?P<a>\d+):(?P<b>\d+)(?![\d.])"
# 12, 3.5‰, 3—5个, 3万—10万, 12/10万, 1.1/10万人, 6.5万元/人: number, magnitude, range, per, unit.
ARABIC = (
    rf"(?<![\d.])(?P<a>{DECIMAL})(?P<am>[万亿])?"
    rf"(?:{SPACE}(?P<sep>{RANGE_SEP}){SPACE}(?P<b>{DECIMAL})(?P<bm>[万亿])?)?"
    rf"(?P<per>/(?:10*[万千]?|[万千])人?(?![\d.]))?(?P<unit>{{units}})?(?P<suffix>/[人年床次例天])?"
)
# 九个, 三四级, 两级 — a Chinese numeral counts only with a measure word (not 一般, 一批, 一次性, 每千人).
# A lone 千 or 万 before 人 is a per-population base (千人床位数), not a number.
CHINESE = (
    rf"(?<![第每{CN_DIGITS}十百千万亿\d])(?![百千万](?:人|名|户))(?P<c>{CN_NUMERAL})"
    rf"(?P<unit>{{units}})(?![性度])"
)


@cache
def number_patterns(wording: Wording) -> list[tuple[str, str, re.Pattern, Callable[[re.Match], dict]]]:
    """The passes of `find_numbers`, most specific first: (role, form, pattern, reader); compiled once per
    wording."""
    arabic_units = alternation(list(wording.units))
    chinese_units = alternation([u for u, r in wording.units.items() if r.after_chinese_numeral])
    phrases = alternation(list(wording.rules["full_value_phrases"]))
    identifiers = alternation(wording.rules["identifier_labels"])
    return [
        ("identifier", "arabic", re.compile(IDENTIFIER.replace("{labels}", identifiers)), _read_identifier),
        ("date", "arabic", re.compile(DATE), _read_date),
        ("date", "period", re.compile(FIVE_YEAR_PERIOD), _read_period),
        ("section", "chinese", re.compile(SECTION_CHINESE), _read_section),
        ("section", "arabic", re.compile(SECTION_ARABIC), _read_section),
        ("quantity", "arabic", re.compile(RATIO), _read_ratio),
        ("quantity", "arabic", re.compile(ARABIC.replace("{units}", arabic_units)), _read_arabic),
        ("quantity", "chinese", re.compile(CHINESE.replace("{units}", chinese_units)), _read_chinese),
        (
            "quantity",
            "phrase",
            re.compile(rf"(?<!健)(?:{phrases})"),
            partial(_read_phrase, wording.rules["full_value_phrases"]),
        ),  # not 健全覆盖
    ]


# ---------------------------------------------------------------- readers: one match → value, unit


def _read_identifier(m: re.Match) -> dict:
    """索引号：000014349/2023-00123: a label, no value."""
    return {"value": np.nan, "upper": np.nan, "unit": "", "magnitude": 1.0}


def _read_period(m: re.Match) -> dict:
    """“十四五”末 → 2025: the last year of the five-year plan period (十一五 ended in 2010)."""
    return {
        "value": float(2010 + 5 * (10 + CHINESE_DIGITS[m.group("n")] - 11)),
        "upper": np.nan,
        "unit": "",
        "magnitude": 1.0,
    }


def _read_date(m: re.Match) -> dict:
    """2023年3月30日 → 2023; 2021—2030年 → 2021 to 2030."""
    first = re.search(r"\d+", m.group(0))
    upper = float(m.group("b")) if m.group("b") else np.nan
    return {"value": float(first.group(0)), "upper": upper, "unit": "", "magnitude": 1.0}


def _read_section(m: re.Match) -> dict:
    """（三） → 3, 第十二 → 12, 2. → 2: the number of the section."""
    numeral = re.sub(r"[^\d" + CN_DIGITS + "十百千万亿]", "", m.group(0))
    value = float(numeral) if numeral.isdigit() else float(chinese_numeral_value(numeral))
    return {"value": value, "upper": np.nan, "unit": "", "magnitude": 1.0}


def _read_ratio(m: re.Match) -> dict:
    """1:3 → 1/3, unit `ratio`."""
    a, b = float(m.group("a")), float(m.group("b"))
    return {"value": a / b if b else np.nan, "upper": np.nan, "unit": "ratio", "magnitude": 1.0}


def _read_arabic(m: re.Match) -> dict:
    """3万—10万人 → 3 to 10 (magnitude 10000), unit 人; the upper bound in the lower one's magnitude."""
    magnitude = {"万": 1e4, "亿": 1e8, None: 1.0}
    upper_mag = magnitude[m.group("bm")]
    lower_mag = magnitude[m.group("am")] if m.group("am") else upper_mag
    unit = (m.group("per") or "") + (m.group("unit") or "") + (m.group("suffix") or "")
    upper = float(m.group("b")) * upper_mag / lower_mag if m.group("b") else np.nan
    return {"value": float(m.group("a")), "upper": upper, "unit": unit, "magnitude": lower_mag}


def _read_chinese(m: re.Match) -> dict:
    """九个 → 9; 三四级 → grades 3 to 4."""
    numeral = m.group("c")
    if len(numeral) == 2 and all(c in CHINESE_DIGITS for c in numeral):  # 三四级: grades 3 and 4
        lower, upper = (float(CHINESE_DIGITS[c]) for c in numeral)
    else:
        lower, upper = float(chinese_numeral_value(numeral)), np.nan
    return {"value": lower, "upper": upper, "unit": m.group("unit"), "magnitude": 1.0}


def _read_phrase(full_values: Mapping[str, float], m: re.Match) -> dict:
    """全覆盖 → 100 %: the value the rules give the phrase."""
    return {"value": float(full_values[m.group(0)]), "upper": np.nan, "unit": "%", "magnitude": 1.0}


# ---------------------------------------------------------------- finding numbers


def spans(text: str, pattern: re.Pattern = SENTENCE) -> list[tuple[int, int]]:
    """Start and end of each sentence (or other piece) of the text, surrounding blanks left out."""
    out = []
    for m in pattern.finditer(text):
        piece = m.group(0)
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            out.append((m.start() + left, m.start() + right))
    return out


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Clauses: the pieces between ，；。： (and , : that do not sit between two digits)."""
    bounds = [0] + [p for m in CLAUSE_END.finditer(text) for p in (m.start(), m.end())] + [len(text)]
    out = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        piece = text[start:end]
        left, right = len(piece) - len(piece.lstrip()), len(piece.rstrip())
        if right > left:
            out.append((start + left, start + right))
    return out


def _matches(wording: Wording, text: str) -> Iterator[dict]:
    """Every match of every pass, a later pass never taking characters an earlier one took."""
    norm = normalize_digits(text)
    taken = bytearray(len(text))
    for role, form, pattern, reader in number_patterns(wording):
        for m in pattern.finditer(norm):
            start, end = m.span()
            if start == end or any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            yield {
                "start": start,
                "end": end,
                "expression": text[start:end],
                "role": role,
                "form": form,
                **reader(m),
            }


def find_numbers(wording: Wording, text: str) -> pd.DataFrame:
    """Every numeric expression of the text, in order, with its role and its sentence.

    role: `date` (2027年, 2023年3月30日, 2021—2030年, 2023/11/20 14:22), `section` (一、 （三） 1. 第一),
    `identifier` (what follows 索引号： or 发布时间： on its line) or `quantity`.
    value is the number as printed (the lower bound of a range; `upper` the upper one), `magnitude`
    the 万/亿 that scales it, unit the unit as printed (%, 个, /10万, 万人次 → 人次). 全覆盖 is a
    quantity of form `phrase` (100 %).
    """
    found = sorted(_matches(wording, text), key=lambda r: r["start"])
    sentences = spans(text)
    starts = [s for s, _ in sentences]
    for record in found:
        i = bisect.bisect_right(starts, record["start"]) - 1
        s_start, s_end = sentences[i] if i >= 0 else (record["start"], record["end"])
        record.update(
            sentence_start=s_start,
            sentence_end=max(s_end, record["end"]),
            sentence=text[s_start : max(s_end, record["end"])],
        )
    frame = pd.DataFrame.from_records(found, columns=NUMBER_COLUMNS)
    return frame.astype(
        {
            "start": int,
            "end": int,
            "sentence_start": int,
            "sentence_end": int,
            "value": float,
            "upper": float,
            "magnitude": float,
        }
    )


def quantities(numbers: pd.DataFrame, *, phrases: bool = False) -> pd.DataFrame:
    """The quantities among found numbers; phrases such as 全覆盖 only on request."""
    keep = numbers["role"].eq("quantity") & (phrases | numbers["form"].ne("phrase"))
    return numbers[keep]


@lru_cache(maxsize=4096)
def values_in(wording: Wording, text: str) -> frozenset[float]:
    """Every value a reader could take from the text: each bound as printed and scaled by 万/亿."""
    out: set[float] = set()
    for record in _matches(wording, text):
        if record["role"] != "quantity":
            continue
        for v in (record["value"], record["upper"]):
            if not np.isnan(v):
                out |= {round(v, 6), round(v * record["magnitude"], 6)}
    return frozenset(out)
