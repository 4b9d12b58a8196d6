"""Finding every number in a Chinese policy text, and drafting catalogue rows from them.

A researcher adding a new plan runs `plantracker extract`: every numeric expression is found with its
sentence (so nothing is missed), dates and section numbers are told apart from quantities, and each
quantity that reads like a target becomes a proposed row of targets.csv, to be checked by hand, with a
confidence and the rule that proposed it. Years are told apart by what they are to a target (deadline,
base, date of a past result); results of the last period become observations; plain-text indicator
tables give one row per indicator and year column.
The same `find_numbers` reads the quotes of the catalogue when it is validated, so 九, １２ and 全覆盖
count as the numbers they are. The wording rules (analysis/extraction_rules.yaml, extraction_units.csv) are
read by `analysis.io.readers.wording` and given to every function here as a `Wording`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import DataError, Problem
from analysis.core.numbers import CHINESE_DIGITS, chinese_numeral_value, normalize_digits
from analysis.core.schema import TARGET_COLUMNS, UnitRule, Wording

NUMBER_COLUMNS = ["start", "end", "expression", "value", "unit", "role", "sentence", "upper", "magnitude",
                  "form", "sentence_start", "sentence_end"]
POSITION_COLUMNS = ["start", "end", "sentence_start", "sentence_end"]

SPACE = r"[ \t\u3000]*"
YEAR = r"(?:19|20)\d{2}"
DECIMAL = r"\d+(?:\.\d+)?"
RANGE_SEP = r"[-—–~～至]{1,2}"
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUMERAL = f"[{CN_DIGITS}十百千]+[万亿]?"
CN_SECTION = "一二三四五六七八九十"
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
LEADING_SECTION = re.compile(rf"(?:\d{{1,2}}[.．、]|[（(][\d{CN_SECTION}]+[）)]|[{CN_SECTION}]+、){SPACE}")
CLAUSE_END = re.compile(r"[，；;。：！？!?\n]|(?<!\d)[,:]|[,:](?!\d)")


# ---------------------------------------------------------------- the number patterns of a wording

def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Dates: 2021—2030年, 〔2021〕, 2023年3月30日, 2024年底, 3月30日.
# Also timestamps of web pages (2023/11/20 14:22, 2023-11-20) and the first years of a list (2022、2030年).
DATE = (rf"(?<!\d){YEAR}(?P<sep1>[/\-.]){SPACE}\d{{1,2}}(?P=sep1)\d{{1,2}}(?!\d)"
        rf"(?:{SPACE}\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
        rf"|(?<!\d)(?P<a>{YEAR}){SPACE}{RANGE_SEP}{SPACE}(?P<b>{YEAR}){SPACE}年度?"
        rf"|(?<![\d.]){YEAR}(?={SPACE}(?:和|、|及|与){SPACE}{YEAR}{SPACE}年)"
        rf"|[〔\[]{YEAR}[〕\]]"
        rf"|(?<!\d){YEAR}{SPACE}年(?:度|底|末|初)?"
        rf"(?:{SPACE}\d{{1,2}}{SPACE}月(?:{SPACE}\d{{1,2}}{SPACE}日|底|末|初)?)?"
        rf"|(?<!\d)\d{{1,2}}月(?:\d{{1,2}}日|底|末|初)")
# 索引号：000014349/2023-00123, 发布时间：2024-02-18 10:05 — one token after the label (and a time of day),
# so a page copied without its line breaks keeps its text.
IDENTIFIER = rf"(?:{{labels}}){SPACE}[：:]{SPACE}[^\s，。；,;]+(?: \d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
# The end of a five-year plan period as a date: “十四五”末, 十四五期末, “十三五”时期, “十五五”期间.
FIVE_YEAR_PERIOD = r"[“\"]?十(?P<n>[一二三四五六七八九])五[”\"]?(?:规划)?(?:期末|末期|时期末|末|期间|时期)"
# Section numbers: 一、 （三） 第一 at any place; 1. 1、 at the start of a line (or after ：or ]); (1); 附件1.
SECTION_CHINESE = (rf"(?m:^{SPACE}[{CN_SECTION}]+、)|(?<=[。；;]){SPACE}[{CN_SECTION}]+、"
                   rf"|[（(][{CN_SECTION}]+[）)]|第{CN_NUMERAL}|第\d+")
SECTION_ARABIC = (rf"(?m:^{SPACE}\d{{1,2}}[.．、](?!\d))|(?<=[：:\]])\d{{1,2}}[.．](?!\d)"
                  rf"|[（(]\d{{1,2}}[）)]|附件\d+")
RATIO = r"(?<![\d.])(?P<a>\d+):(?P<b>\d+)(?![\d.])"
# 12, 3.5‰, 3—5个, 3万—10万, 12/10万, 1.1/10万人, 6.5万元/人: number, magnitude, range, per, unit.
ARABIC = (rf"(?<![\d.])(?P<a>{DECIMAL})(?P<am>[万亿])?"
          rf"(?:{SPACE}(?P<sep>{RANGE_SEP}){SPACE}(?P<b>{DECIMAL})(?P<bm>[万亿])?)?"
          rf"(?P<per>/(?:10*[万千]?|[万千])人?(?![\d.]))?(?P<unit>{{units}})?(?P<suffix>/[人年床次例天])?")
# 九个, 三四级, 两级 — a Chinese numeral counts only with a measure word (not 一般, 一批, 一次性, 每千人).
# A lone 千 or 万 before 人 is a per-population base (千人床位数), not a number.
CHINESE = (rf"(?<![第每{CN_DIGITS}十百千万亿\d])(?![百千万](?:人|名|户))(?P<c>{CN_NUMERAL})"
           rf"(?P<unit>{{units}})(?![性度])")


@cache
def _patterns(wording: Wording) -> list[tuple[str, str, re.Pattern, Callable[[re.Match], dict]]]:
    """The passes of `find_numbers`, most specific first: (role, form, pattern, reader); compiled once per
    wording."""
    arabic_units = _alternation(list(wording.units))
    chinese_units = _alternation([u for u, r in wording.units.items() if r.after_chinese_numeral])
    phrases = _alternation(list(wording.rules["full_value_phrases"]))
    identifiers = _alternation(wording.rules["identifier_labels"])
    return [
        ("identifier", "arabic", re.compile(IDENTIFIER.replace("{labels}", identifiers)), _read_identifier),
        ("date", "arabic", re.compile(DATE), _read_date),
        ("date", "period", re.compile(FIVE_YEAR_PERIOD), _read_period),
        ("section", "chinese", re.compile(SECTION_CHINESE), _read_section),
        ("section", "arabic", re.compile(SECTION_ARABIC), _read_section),
        ("quantity", "arabic", re.compile(RATIO), _read_ratio),
        ("quantity", "arabic", re.compile(ARABIC.replace("{units}", arabic_units)), _read_arabic),
        ("quantity", "chinese", re.compile(CHINESE.replace("{units}", chinese_units)), _read_chinese),
        ("quantity", "phrase", re.compile(rf"(?<!健)(?:{phrases})"),
         partial(_read_phrase, wording.rules["full_value_phrases"])),  # not 健全覆盖
    ]


# ---------------------------------------------------------------- readers: one match → value, unit

def _read_identifier(m: re.Match) -> dict:
    return {"value": np.nan, "upper": np.nan, "unit": "", "magnitude": 1.0}


def _read_period(m: re.Match) -> dict:
    """“十四五”末 → 2025: the last year of the five-year plan period (十一五 ended in 2010)."""
    return {"value": float(2010 + 5 * (10 + CHINESE_DIGITS[m.group("n")] - 11)), "upper": np.nan, "unit": "",
            "magnitude": 1.0}


def _read_date(m: re.Match) -> dict:
    first = re.search(r"\d+", m.group(0))
    upper = float(m.group("b")) if m.group("b") else np.nan
    return {"value": float(first.group(0)), "upper": upper, "unit": "", "magnitude": 1.0}


def _read_section(m: re.Match) -> dict:
    numeral = re.sub(r"[^\d" + CN_DIGITS + "十百千万亿]", "", m.group(0))
    value = float(numeral) if numeral.isdigit() else float(chinese_numeral_value(numeral))
    return {"value": value, "upper": np.nan, "unit": "", "magnitude": 1.0}


def _read_ratio(m: re.Match) -> dict:
    a, b = float(m.group("a")), float(m.group("b"))
    return {"value": a / b if b else np.nan, "upper": np.nan, "unit": "ratio", "magnitude": 1.0}


def _read_arabic(m: re.Match) -> dict:
    magnitude = {"万": 1e4, "亿": 1e8, None: 1.0}
    upper_mag = magnitude[m.group("bm")]
    lower_mag = magnitude[m.group("am")] if m.group("am") else upper_mag
    unit = (m.group("per") or "") + (m.group("unit") or "") + (m.group("suffix") or "")
    upper = float(m.group("b")) * upper_mag / lower_mag if m.group("b") else np.nan
    return {"value": float(m.group("a")), "upper": upper, "unit": unit, "magnitude": lower_mag}


def _read_chinese(m: re.Match) -> dict:
    numeral = m.group("c")
    if len(numeral) == 2 and all(c in CHINESE_DIGITS for c in numeral):  # 三四级: grades 3 and 4
        lower, upper = (float(CHINESE_DIGITS[c]) for c in numeral)
    else:
        lower, upper = float(chinese_numeral_value(numeral)), np.nan
    return {"value": lower, "upper": upper, "unit": m.group("unit"), "magnitude": 1.0}


def _read_phrase(full_values: Mapping[str, float], m: re.Match) -> dict:
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
    for role, form, pattern, reader in _patterns(wording):
        for m in pattern.finditer(norm):
            start, end = m.span()
            if start == end or any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            yield {"start": start, "end": end, "expression": text[start:end], "role": role, "form": form,
                   **reader(m)}


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
        record.update(sentence_start=s_start, sentence_end=max(s_end, record["end"]),
                      sentence=text[s_start:max(s_end, record["end"])])
    frame = pd.DataFrame.from_records(found, columns=NUMBER_COLUMNS)
    return frame.astype({"start": int, "end": int, "sentence_start": int, "sentence_end": int,
                         "value": float, "upper": float, "magnitude": float})


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


# ---------------------------------------------------------------- the layout a proposal is read against

ANNEX_START = re.compile(rf"{SPACE}附件{SPACE}\d*{SPACE}")
YEAR_JOIN = re.compile(rf"{SPACE}(?:和|、|及|与|以及){SPACE}(?:到)?{SPACE}")
CELL_SEP = re.compile(r"\t+|[ \u3000]{2,}|\u3000|[ \t\u3000]*[|｜][ \t\u3000]*")
# A header cell naming one year: 2025年, 2020年（基期）, 基期（2020年）, 2030目标值.
YEAR_HEADER = re.compile(rf"^[^\d]{{0,6}}(?P<year>{YEAR}){SPACE}年?[^\d]{{0,8}}$")
HEADING = re.compile(rf"^{SPACE}(?:第[{CN_SECTION}]+[章节部分篇]|[{CN_SECTION}]+、"
                     rf"|[（(][{CN_SECTION}\d]+[）)])")


@dataclass(frozen=True)
class Table:
    """A plain-text indicator table: its header cells and, per row, the row's line and its cells."""

    header: list[tuple[int, int, str]]
    rows: list[tuple[tuple[int, int], list[tuple[int, int, str]]]]

    @property
    def span(self) -> tuple[int, int]:
        return self.header[0][0], self.rows[-1][0][1]


@dataclass(frozen=True)
class Layout:
    """Clauses, paragraphs (lines), quoted labels, section numbering, years, review sections and tables."""

    text: str
    sentences: list[tuple[int, int]]
    clauses: list[tuple[int, int]]
    lines: list[tuple[int, int]]
    in_label: np.ndarray
    not_target: np.ndarray  # titles of the document and its annexes, forms to fill in
    line_section: list[str]
    mid_line_sections: list[list[tuple[int, str]]]
    line_heading_year: list[int | None]
    line_in_review: list[bool]
    years: pd.DataFrame  # start, end, year, role (deadline, base, past), group (a list of deadlines)
    tables: list[Table]
    in_table: np.ndarray

    def piece(self, pieces: list[tuple[int, int]], position: int) -> tuple[int, int]:
        i = bisect.bisect_right([s for s, _ in pieces], position) - 1
        return pieces[max(i, 0)]

    def line_index(self, position: int) -> int:
        return max(bisect.bisect_right([s for s, _ in self.lines], position) - 1, 0)

    def section(self, position: int) -> str:
        line = self.line_index(position)
        inner = [label for start, label in self.mid_line_sections[line] if start < position]
        return self.line_section[line] + (inner[-1] if inner else "")

    def years_in(self, start: int, end: int, role: str | None = "deadline") -> pd.DataFrame:
        inside = self.years[(self.years["start"] >= start) & (self.years["start"] < end)]
        return inside if role is None else inside[inside["role"].eq(role)]


def _label_mask(wording: Wording, text: str) -> np.ndarray:
    """True where a character sits inside “…” or 《…》: names, slogans and titles of other documents."""
    pairs = wording.rules["label_brackets"]
    closing = {v: k for k, v in pairs.items()}
    depth = {k: 0 for k in pairs}
    mask = np.zeros(len(text), dtype=bool)
    for i, char in enumerate(text):
        if char in closing:
            depth[closing[char]] = max(depth[closing[char]] - 1, 0)
        mask[i] = any(depth.values())
        if char in pairs:
            depth[char] += 1
    return mask


def _is_title(line: str) -> bool:
    return not re.search(r"[，。；：,;:！？!?]", line) and len(line.strip()) <= 60


def _title_and_form_mask(wording: Wording, text: str, lines: list[tuple[int, int]]) -> np.ndarray:
    """The document's title, the list and titles of its annexes, and annexes that are forms to fill in
    (an agreement template): numbers there name things, they are not targets."""
    mask = np.zeros(len(text), dtype=bool)
    for start, end in lines[:4]:
        if not _is_title(text[start:end]):
            break
        mask[start:end] = True
    form_words = tuple(wording.rules["form_annex_words"])
    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        listing = re.match(rf"^{SPACE}附件{SPACE}[：:]", line)
        if listing:
            mask[start:end] = True
            i += 1
            while i < len(lines) and re.match(rf"^{SPACE}\d+[.．、]", text[slice(*lines[i])]) \
                    and _is_title(text[slice(*lines[i])]):
                mask[slice(*lines[i])] = True
                i += 1
            continue
        if ANNEX_START.fullmatch(line):
            title_lines = []
            j = i + 1
            while j < len(lines) and len(title_lines) < 3 and _is_title(text[slice(*lines[j])]):
                title_lines.append(lines[j])
                j += 1
            title = "".join(text[slice(*span)] for span in title_lines)
            for span in title_lines:
                mask[slice(*span)] = True
            if any(w in title for w in form_words):
                k = j
                while k < len(lines) and not ANNEX_START.fullmatch(text[slice(*lines[k])]):
                    k += 1
                mask[start:lines[k - 1][1]] = True
                i = k
                continue
            i = j
            continue
        i += 1
    return mask


def _cells(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The cells of a line split at tabs, runs of spaces or |, with their positions."""
    out, at = [], start
    for m in [*CELL_SEP.finditer(text, start, end), None]:
        stop = m.start() if m else end
        piece = text[at:stop]
        left, right = len(piece) - len(piece.lstrip()), len(piece.rstrip())
        if right > left:
            out.append((at + left, at + right, piece.strip()))
        if m:
            at = m.end()
    return out


def _tables(text: str, lines: list[tuple[int, int]]) -> list[Table]:
    """Indicator tables: a header row holding years (指标 | 2022年 | 2030年) and the rows under it."""
    found, i = [], 0
    while i < len(lines):
        header = _cells(text, *lines[i])
        years = [c for c in header if YEAR_HEADER.match(normalize_digits(c[2]))]
        if len(header) < 2 or not years or any(len(c[2]) > 16 for c in header):
            i += 1
            continue
        rows, j = [], i + 1
        while j < len(lines):
            if re.fullmatch(r"[\s|｜:：\-—–=+]+", text[slice(*lines[j])]):
                j += 1
                continue
            cells = _cells(text, *lines[j])
            if len(cells) < 2:
                break
            rows.append((lines[j], cells))
            j += 1
        if rows:
            found.append(Table(header, rows))
        i = j if rows else i + 1
    return found


def _section_level(expression: str, at_line_start: bool) -> tuple[int, str] | None:
    """The nesting level of a section number and the label it adds (一、→ 一, （三）, 1. → 1)."""
    bare = expression.strip()
    if bare.startswith("第"):
        return None  # an ordinal (第一人民医院), not a heading
    if bare.startswith("附件"):
        return (0, bare) if at_line_start else None
    if bare.endswith("、") and not bare[0].isdigit():
        return 1, bare[:-1]
    if bare[0] in "（(":
        return (2, bare) if at_line_start else (4, bare)
    return 3, bare.rstrip(".．、")


def _sections(text: str, numbers: pd.DataFrame, lines: list[tuple[int, int]]):
    """Section label of each line, and the (1) (2) enumerations inside lines."""
    line_starts = [s for s, _ in lines]
    per_line: dict[int, list[tuple[int, int, str]]] = {}
    for row in numbers[numbers["role"].eq("section")].itertuples():
        line = max(bisect.bisect_right(line_starts, row.start) - 1, 0)
        at_start = not text[lines[line][0]:row.start].strip()
        level = _section_level(row.expression, at_start)
        if level:
            per_line.setdefault(line, []).append((row.start, *level))
    stack: dict[int, str] = {}
    labels, inner = [], []
    for line in range(len(lines)):
        mids = []
        for start, level, label in per_line.get(line, []):
            if level == 4:
                mids.append((start, label))
                continue
            stack = {k: v for k, v in stack.items() if k < level} | {level: label}
        labels.append("".join(stack[k] for k in sorted(stack)))
        inner.append(mids)
    return labels, inner


def _year_roles(wording: Wording, text: str, numbers: pd.DataFrame, in_label: np.ndarray,
                clauses: list[tuple[int, int]]) -> pd.DataFrame:
    """Single years (2025年, 到2024年底) outside titles and labels, each with what it is to a target:
    a `deadline`, the `base` it is measured from (比2015年, 在2018年基础上) or the date of a `past` result
    (截至2015年); deadlines joined by 和/、 (到2022年和2030年) share a `group`."""
    dates = numbers[numbers["role"].eq("date") & numbers["upper"].isna()
                    & (numbers["expression"].str.contains("年") | numbers["expression"].str.fullmatch(YEAR)
                       | numbers["form"].eq("period"))]
    dates = dates[~in_label[dates["start"].to_numpy(dtype=int)]]
    starts, ends = dates["start"].to_numpy(dtype=int), dates["end"].to_numpy(dtype=int)
    clause_starts = [s for s, _ in clauses]
    base_before = tuple(wording.rules["base_year_before"])
    # right after the year, or after its figure (在2020年77.5岁的基础上); not a comparison later in the clause
    base_after = re.compile(rf"^(?:底|末)?{SPACE}(?:的)?(?:[^，。；;]{{0,12}}?的)?{SPACE}(?:水平)?{SPACE}"
                            rf"(?:{_alternation(wording.rules['base_year_after'])})")
    past_before = tuple(wording.rules["past_year_before"])
    roles, groups = [], []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        clause = max(bisect.bisect_right(clause_starts, start) - 1, 0)
        clause_end = clauses[clause][1] if clauses else len(text)
        stop = min(clause_end, starts[i + 1] if i + 1 < len(starts) else len(text))
        before, after = text[max(start - 4, 0):start].rstrip(), text[end:stop]
        if before.endswith(past_before):
            roles.append("past")
        elif before.endswith(base_before) or base_after.match(after):
            roles.append("base")
        else:
            roles.append("deadline")
        joined = (i > 0 and roles[i - 1] == "deadline" and roles[i] == "deadline"
                  and YEAR_JOIN.fullmatch(text[ends[i - 1]:start]))
        groups.append(groups[-1] if joined else (groups[-1] + 1 if groups else 0))
    return pd.DataFrame({"start": starts, "end": ends, "year": dates["value"].astype(int).to_numpy(),
                         "role": roles, "group": groups})


def _headings(wording: Wording, text: str, lines: list[tuple[int, int]],
              years: pd.DataFrame) -> tuple[list[int | None], list[bool]]:
    """For each line, the year named by its nearest enclosing heading (a short line of one phrase), and
    whether it lies in a review of the last period (发展基础, 取得成效 …)."""
    review_words = tuple(wording.rules["review_heading_words"])
    deadlines = years[years["role"].eq("deadline")]
    out, in_review, current = [], [], {}
    for start, end in lines:
        m = HEADING.match(text[start:end])
        if m:
            marker = m.group(0).strip()
            level = 0 if marker.startswith("第") else 1 if marker.endswith("、") else 2
            named = deadlines[(deadlines["start"] >= start) & (deadlines["start"] < end)]
            line = text[start:end]
            short = end - start <= 40 and "。" not in line.rstrip().rstrip("。")
            current = {k: v for k, v in current.items() if k < level}
            year = int(named["year"].iloc[0]) if short and len(named) else None
            title = line[m.end():].strip().rstrip("。：:")
            review = (short and "，" not in title and any(w in title for w in review_words)
                      and not title.startswith(tuple(wording.rules["review_heading_not_after"])))
            current[level] = (year, review)
        known = [y for _, (y, _) in sorted(current.items()) if y is not None]
        out.append(known[-1] if known else None)
        in_review.append(any(review for _, review in current.values()))
        named = deadlines[(deadlines["start"] >= start) & (deadlines["start"] < end)]
        if text[start:end].rstrip().endswith(("：", ":")) and len(named):
            # 到2025年，主要目标是： — the year of the list lines that follow, up to the next heading
            current[3] = (int(named["year"].iloc[-1]), current.get(2, current.get(1, (None, False)))[1])
    return out, in_review


# A heading run into the text before it (…的通知。一、工作目标 …。（二）主要任务 …), as in pages copied from a
# website without their line breaks, starts a paragraph of its own.
RUN_IN_HEADING = rf"{SPACE}(?:[（(][{CN_SECTION}]+[）)]|[{CN_SECTION}]+、)"
PARAGRAPH = re.compile(rf"(?:[^\n。；;]|[。；;](?!{RUN_IN_HEADING}))+[。；;]?")


def layout(wording: Wording, text: str, numbers: pd.DataFrame | None = None) -> Layout:
    """Read the structure of a text once, for all its proposals."""
    numbers = find_numbers(wording, text) if numbers is None else numbers
    lines = spans(text, PARAGRAPH)
    clauses = clause_spans(text)
    in_label = _label_mask(wording, text)
    line_sections, mids = _sections(text, numbers, lines)
    years = _year_roles(wording, text, numbers, in_label, clauses)
    heading_years, in_review = _headings(wording, text, lines, years)
    tables = _tables(text, lines)
    in_table = np.zeros(len(text), dtype=bool)
    for table in tables:
        in_table[slice(*table.span)] = True
    return Layout(text, spans(text), clauses, lines, in_label, _title_and_form_mask(wording, text, lines),
                  line_sections, mids, heading_years, in_review, years, tables, in_table)


# ---------------------------------------------------------------- reading one quantity as a target

@dataclass(frozen=True)
class Reading:
    value: float
    unit: str
    kind: str
    notes: tuple[str, ...] = ()


def _last_word(prefix: str, words: list[str]) -> tuple[int, str] | None:
    """The word of the list that ends last in the prefix; the longest on a tie (不低于 over 低于)."""
    found = [(prefix.rfind(w) + len(w), len(w), w) for w in words if w in prefix]
    return max(found)[::2] if found else None


def _comparator_words(wording: Wording) -> tuple[dict[str, str], dict[str, str]]:
    before = {w: c for c, words in wording.rules["comparator_before"].items() for w in words}
    after = {w: c for c, words in wording.rules["comparator_after"].items() for w in words}
    return before, after


def comparator(wording: Wording, prefix: str, after: str) -> str:
    """`>=`, `<=` or `==` from the words around a number, within its clause (default: at least)."""
    before_words, after_words = _comparator_words(wording)
    cut = min([after.find(w) for w in before_words if w in after] + [len(after)])
    window = after[:cut]
    qualifiers = tuple(wording.rules["qualifier_units"]) + ("及",)
    hits = sorted((m.start(), w) for w in after_words for m in re.finditer(re.escape(w), window)
                  if not window[:m.start()].endswith(qualifiers))
    if hits:
        return after_words[hits[0][1]]
    last = _last_word(prefix, list(before_words))
    return before_words[last[1]] if last else ">="


def _per_population_unit(wording: Wording, denominator: str, clause: str) -> str:
    number = float(re.sub(r"[^\d.]", "", denominator)) * (1e4 if "万" in denominator else 1)
    if number == 1e5 and any(w in clause for w in wording.rules["per_live_births_words"]):
        return "per 100000 live births"
    return f"per {number:.0f} population"


def _full_value(wording: Wording, row, clause: str) -> Reading | None:
    """全覆盖, or 全部/所有 in a clause with a verb of attainment or 均 (所有…均开展): 100 % coverage."""
    always = row.expression in wording.rules["always_proposed_phrases"]
    markers = wording.rules["attainment_verbs"] + wording.rules["all_of_markers"]
    if always or any(v in clause for v in markers):
        return Reading(row.value, "%", "coverage", (f"{row.expression} = 100",))
    return None


def _grade_reached(wording: Wording, row, prefix: str, after: str, stated: bool) -> bool:
    """3级 after 达到 …, 完成…三级认证: a grade to reach, not the name of a kind of hospital."""
    if after.startswith(tuple(wording.rules["grade_names_after"])):
        return False
    return (row.form == "arabic" and stated) or _last_word(prefix, wording.rules["grade_verbs"]) is not None


def _names_something(wording: Wording, row, prefix: str, after: str, rule: UnitRule | None) -> bool:
    """Counts that organise the work or name things (每批次3-5人, 1人任队长, 其余18个县, 四个能力)."""
    if any(w in prefix for w in wording.rules["per_occasion_words"]):
        return True
    a_count = rule is not None and rule.unit == "count"
    if a_count and any(w in after[:6] for w in wording.rules["aspect_nouns"]):
        return True  # 聚焦5个重点领域, 从3个方面: how the text is organised
    if prefix.rstrip().endswith(tuple(wording.rules["existing_set_before"])):
        return True
    if a_count and row.unit in ("人", "名") \
            and after.lstrip().startswith(tuple(wording.rules["role_after"])):
        return True
    last_item = prefix.rsplit("、", 1)[-1]
    before_words, _ = _comparator_words(wording)
    listed = "、" in prefix and prefix.count("、") + 1 == row.value
    if (row.form == "chinese" and a_count and listed
            and not re.search(r"\d", last_item) and not any(w in last_item for w in before_words)):
        return True  # 诊疗能力、健康管理、医院管理、人才建设四个能力: the number of the items listed
    return (row.form == "chinese" and rule is not None and rule.category == "quantity"
            and not any(v in prefix for v in wording.rules["chinese_count_verbs"]))


def read_quantity(wording: Wording, row, prefix: str, clause: str, after: str = "",
                  observed: bool = False) -> Reading | None:
    """What a quantity would be as a target (value, unit, kind), or None when it cannot be one.
    `observed`: the sentence reports a result, where an age is a value (人均预期寿命77.2岁) without 达到."""
    if row.form == "phrase":
        return _full_value(wording, row, clause)
    before_words, _ = _comparator_words(wording)
    stated = _last_word(prefix, list(before_words)) is not None
    unit = str(row.unit)
    plain = unit and not unit.startswith("/") and unit != "ratio"
    rule = wording.units.get(unit.split("/")[0]) if plain else None
    if _names_something(wording, row, prefix, after, rule):
        return None
    if unit.startswith("/"):
        return Reading(row.value, _per_population_unit(wording, unit, clause), "rate")
    if unit in ("", "ratio"):
        return Reading(row.value, "index", "level") if unit == "" and stated else None
    if rule is None:
        return None
    if rule.category == "grade" and not _grade_reached(wording, row, prefix, after, stated):
        return None
    changes = tuple(wording.rules["relative_change_before"] + wording.rules["from_words"] + ("较", "比"))
    core = re.sub(rf"{NOW}?{SPACE}的?{SPACE}$", "", prefix)  # 提高到2025年的77.5岁, 较目前的76.3岁
    reached = observed or core.rstrip().endswith(tuple(before_words) + changes)
    who = after.lstrip().startswith(("以下", "以上", "及以上", "及以下"))
    if rule.category == "age" and (not reached or who):
        return None  # 5岁以下儿童: who is counted, not a target
    if rule.category in ("time", "money", "multiple", "label"):
        return None
    if unit in wording.rules["frequency_units"] \
            and any(w in prefix for w in wording.rules["frequency_words"]):
        return None
    return _shape(wording, row, rule, prefix, clause)


def _speaks_of_coverage(wording: Wording, prefix: str, clause: str) -> bool:
    """Coverage when the measure named last before the number is one (覆盖率), else when the clause is."""
    measure = _last_word(prefix, wording.rules["measure_words"])
    if measure is None:
        return any(w in clause for w in wording.rules["coverage_words"])
    end, word = measure
    return prefix[:end - len(word)].endswith("覆盖")


def _shape(wording: Wording, row, rule: UnitRule, prefix: str, clause: str) -> Reading:
    """Unit and kind from the unit as printed and the words of the clause."""
    value, unit, kind = row.value * row.magnitude, rule.unit, rule.kind
    per_population = [u for w, u in wording.rules["per_population"].items()
                      if re.search(rf"(?<![\d.{CN_DIGITS}十百]){re.escape(w)}(?!次)", clause)]
    if unit == "count" and per_population:
        unit, kind = per_population[0], "level"
    elif unit == "%" and kind == "share":
        relative = prefix.rstrip().endswith(tuple(wording.rules["relative_change_before"]))
        covered = _speaks_of_coverage(wording, prefix, clause)
        kind = "relative_change" if relative else "coverage" if covered else "share"
    notes = ("relative change: base unstated",) if kind == "relative_change" else ()
    if not np.isnan(row.upper):
        notes += (f"range {row.expression}: lower bound kept",)
    return Reading(value, unit, kind, notes)


def target_year(layout_: Layout, position: int, horizon: int) -> tuple[int, str, tuple[int, ...]]:
    """The year a target takes: its sentence's, its paragraph's, its heading's (or that of the line
    ending in ： that introduces its list), else the horizon.

    Only deadlines count (a base year 比2015年 never does). The third value lists the years of a paired
    deadline (到2022年和2030年…分别达到A和B) the target's sentence names before it, for `_pair_years`.
    """
    for name, (start, end) in (("sentence", layout_.piece(layout_.sentences, position)),
                               ("paragraph", layout_.lines[layout_.line_index(position)])):
        inside = layout_.years_in(start, end)
        before, after = inside[inside["start"] < position], inside[inside["start"] > position]
        if len(before) or (name == "sentence" and len(after)):  # a paragraph's later year rules what follows
            if len(before):
                group = inside[inside["group"].eq(before["group"].iloc[-1])]
                sentence = layout_.piece(layout_.sentences, position)
                own = name == "sentence" or not len(layout_.years_in(*sentence))
                paired = tuple(int(y) for y in group["year"]) if len(group) > 1 and own else ()
                return int(before["year"].iloc[-1]), f"year from the {name}", paired
            return int(after["year"].iloc[0]), f"year from the {name}", ()
    heading = layout_.line_heading_year[layout_.line_index(position)]
    if heading is not None:
        return heading, "year from the heading", ()
    return horizon, "year = document horizon", ()


def measure(wording: Wording, reading: Reading, prefix: str) -> str:
    """What the target's words promise (the judgements' vocabulary): level, increase, relative_change,
    per_year or per_unit."""
    if reading.kind == "relative_change":
        return "increase" if reading.unit == "percentage points" else "relative_change"
    tail = prefix.rstrip()
    if (tail.endswith(tuple(wording.rules["relative_change_before"]))
            or any(w in prefix for w in wording.rules["increase_words"])):
        return "increase"
    if reading.unit == "count" and any(w in prefix for w in wording.rules["flow_words"]) \
            and not any(w in prefix for w in wording.rules["per_year_words"]):
        return "increase"
    if any(w in prefix for w in wording.rules["per_year_words"]):
        return "per_year"
    if re.search(wording.rules["per_unit_pattern"], prefix) and reading.unit == "count":
        return "per_unit"
    return "level"
# ---------------------------------------------------------------- proposing rows, drafting a catalogue

DRAFT_EXTRA = ["measure", "base_year", "confidence", "rule"]
DRAFT_COLUMNS = TARGET_COLUMNS + [c for c in DRAFT_EXTRA if c not in TARGET_COLUMNS]
OBSERVATION_DRAFT_COLUMNS = ["region", "indicator", "year", "qualifier", "value", "unit", "source_url",
                             "source_kind", "excerpt", "indicator_zh", "note"]
NOW = rf"(?:{YEAR}{SPACE}年(?:底|末)?|目前|现在|当前|现有)"
FROM_BEFORE = re.compile(rf"(?:由|从){SPACE}{NOW}?{SPACE}(?:的)?{SPACE}$")
COMPARED_BEFORE = re.compile(rf"(?:较|比|相比){SPACE}{NOW}?{SPACE}的{SPACE}$")  # 较目前的76.3岁继续增长
TO_AFTER = re.compile(rf"^{SPACE}[^\d，。；;]{{0,6}}?(?:到|至)")
BASE_PHRASE_AFTER = re.compile(r"^(?:的)?(?:基础上|水平上)")


def infer_horizon(wording: Wording, text: str) -> int | None:
    """The year a plan aims at when nothing else says: the end of the period its title states
    (…规划（2021—2025年）), else its most frequent 到20XX年."""
    period = _title_period(text)
    if period:
        return period[1]
    years = re.findall(wording.rules["horizon_pattern"], normalize_digits(text))
    return int(Counter(years).most_common(1)[0][0]) if years else None


def _title_period(text: str) -> tuple[int, int] | None:
    """The plan period its title states (…规划（2021—2025年）, “十四五”…规划), if it states one."""
    head = normalize_digits("\n".join(text.strip().splitlines()[:3]))
    m = re.search(rf"(?P<a>{YEAR}){SPACE}{RANGE_SEP}{SPACE}(?P<b>{YEAR}){SPACE}年", head)
    if m:
        return int(m.group("a")), int(m.group("b"))
    five = re.search(r"十(?P<n>[一二三四五六七八九])五", head)
    if five:
        end = 2010 + 5 * (10 + CHINESE_DIGITS[five.group("n")] - 11)
        return end - 4, end
    title = head.strip().splitlines()[0] if head.strip() else ""
    single = re.findall(rf"(?<!\d)({YEAR}){SPACE}年(?!{SPACE}\d{{1,2}}{SPACE}月)", title)
    if len(single) == 1 and _is_title(title) and not HEADING.match(title):  # 2023年…工作实施方案
        return int(single[0]), int(single[0])
    return None


def plan_start(text: str) -> int | None:
    """The first year of the plan period its title states as a period (2021—2025年, “十四五”), if it does."""
    period = _title_period(text)
    return period[0] if period and period[0] != period[1] else None


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


def _is_past(wording: Wording, layout_: Layout, position: int, start_year: int | None) -> bool:
    """A result already reached: in a review of the last period, in a sentence that reports one, or
    dated before the plan period its title states (2020年… in a plan for 2021—2025年)."""
    if layout_.line_in_review[layout_.line_index(position)]:
        return True
    start, end = layout_.piece(layout_.sentences, position)
    sentence = layout_.text[start:end]
    # 目前 … reports the present, but 较目前的, 在目前基础上 compare a target with it
    if any(not sentence[:m.start()].endswith(("较", "比", "从", "由", "在", "与"))
           for w in wording.rules["past_markers"] for m in re.finditer(re.escape(w), sentence)):
        return True
    if len(layout_.years_in(start, position, "past")):
        return True
    own = layout_.years_in(start, end)
    return start_year is not None and len(own) > 0 and int(own["year"].max()) < start_year


def _observed_year(layout_: Layout, position: int) -> int | None:
    """The year a past result describes: 截至2015年, else a year of its sentence or paragraph, else its
    heading's."""
    start, end = layout_.piece(layout_.sentences, position)
    for role in ("past", "deadline"):
        years = layout_.years_in(start, end, role)
        before = years[years["start"] < position]
        if len(before) or len(years):
            return int((before if len(before) else years)["year"].iloc[-1 if len(before) else 0])
    line = layout_.lines[layout_.line_index(position)]
    years = layout_.years_in(*line, None)
    if len(years):
        return int(years["year"].iloc[-1])
    return layout_.line_heading_year[layout_.line_index(position)]


def _base_year(layout_: Layout, position: int) -> int | None:
    """The base year the sentence states before the number (比2015年, 在2018年基础上), if any."""
    start, _ = layout_.piece(layout_.sentences, position)
    years = layout_.years_in(start, position, "base")
    return int(years["year"].iloc[-1]) if len(years) else None


def _qualifier(wording: Wording, prefix: str, after: str) -> str:
    """How a past figure is stated: `=` a figure, or the bound its words give (90%以上 → >=)."""
    _, after_words = _comparator_words(wording)
    for word, sign in after_words.items():
        if after.lstrip().startswith(word):
            return sign
    return ">" if prefix.rstrip().endswith("超过") else "="


def _confidence(stated: bool, year_note: str, chinese: bool, base_missing: bool) -> str:
    """high: a comparator word and a year in its own sentence; low: a bare number on the horizon year."""
    score = int(stated) + (1 if "sentence" in year_note or "table" in year_note else
                           -1 if "guessed" in year_note else 0)
    score -= int(chinese) + int(base_missing)
    return "high" if score >= 2 else "medium" if score == 1 else "low"


def _clause_bounds(layout_: Layout, position: int) -> tuple[int, int]:
    start, end = layout_.piece(layout_.clauses, position)
    numbering = LEADING_SECTION.match(layout_.text, start, position)
    return (numbering.end() if numbering else start), end


def _not_target_clause(wording: Wording, clause: str) -> bool:
    for phrase in wording.rules["not_target_exceptions"]:
        clause = clause.replace(phrase, "")
    return any(w in clause for w in wording.rules["not_target_words"])


def _row_record(layout_: Layout, row, clause: str, reading: Reading, year: int, notes: tuple[str, ...],
                **extra) -> dict:
    return {"clause": layout_.section(row.start), "description_zh": clause, "description_en": "",
            "target_value": reading.value, "unit": reading.unit, "target_year": year, "kind": reading.kind,
            "quote": clause, "note": "drafted by plantracker extract; " + "; ".join(notes),
            "start": row.start, "end": row.end, "sentence_start": row.sentence_start,
            "sentence_end": row.sentence_end, **extra}


def _sentence_proposals(wording: Wording, numbers: pd.DataFrame, layout_: Layout, horizon: int,
                        horizon_guessed: bool = False) -> tuple[list[dict], list[dict]]:
    """Targets and past results from the running text, one per quantity that reads as either."""
    targets, observed = [], []
    baseline: dict[int, tuple[float, int | None]] = {}  # sentence start → the base value stated before
    before_words, _ = _comparator_words(wording)
    phrase_clauses: set[int] = set()
    start_year = plan_start(layout_.text)
    for row in quantities(numbers, phrases=True).itertuples():
        if layout_.not_target[row.start] or layout_.in_table[row.start]:
            continue
        if layout_.in_label[row.start]:
            if (circle := _service_circle(wording, layout_, row, horizon)) is not None:
                targets.append(circle)
            continue
        start, end = _clause_bounds(layout_, row.start)
        text = layout_.text
        clause, prefix, after = text[start:end], text[start:row.start], text[row.end:end]
        if _not_target_clause(wording, clause):
            continue
        past = _is_past(wording, layout_, row.start, start_year)
        reading = read_quantity(wording, row, prefix, clause, after, observed=past)
        if reading is None or (row.form == "phrase" and start in phrase_clauses):
            continue  # 所有…均能: one full value per clause
        if row.form == "phrase":
            phrase_clauses.add(start)
        base_year = _base_year(layout_, row.start)
        if ((FROM_BEFORE.search(prefix) and TO_AFTER.match(after)) or BASE_PHRASE_AFTER.match(after)
                or COMPARED_BEFORE.search(prefix)):
            baseline[row.sentence_start] = (reading.value, base_year)
            if past and base_year is not None:
                observed.append(_observation(wording, layout_, row, clause, reading, base_year, prefix,
                                             after))
            continue
        if past:
            observed.append(_observation(wording, layout_, row, clause, reading,
                                         _observed_year(layout_, row.start), prefix, after))
            continue
        base_value, stated_base = baseline.pop(row.sentence_start, (np.nan, None))
        base_year = stated_base or base_year
        year, year_note, paired = target_year(layout_, row.start, horizon)
        if horizon_guessed and "horizon" in year_note:
            year_note += " (guessed: the commonest 到20XX年 of the text)"
        measure_ = measure(wording, reading, prefix)
        approximate = [w for w in wording.rules["approximate_after"] if after.lstrip().startswith(w)]
        stated_notes = tuple(n for n in reading.notes if base_year is None or "base unstated" not in n)
        notes = (stated_notes + tuple(f"{w}: approximate, kept as at least" for w in approximate)
                 + (year_note,))
        if base_year is not None:
            notes += (f"base year {base_year} as stated",)
        elif measure_ != "level":
            notes += (f"{measure_}: base year not stated",)
        stated = (_last_word(prefix, list(before_words)) is not None
                  or comparator(wording, prefix, after) != ">=" or reading.kind == "relative_change")
        rule = ("full value" if row.form == "phrase"
                else "relative change" if reading.kind == "relative_change"
                else "increase" if measure_ == "increase" else "comparator word" if stated else "bare number")
        strong = stated or row.expression in wording.rules["always_proposed_phrases"]
        targets.append(_row_record(
            layout_, row, clause, reading, year, notes, comparator=comparator(wording, prefix, after),
            baseline_value=base_value, baseline_year=base_year if not np.isnan(base_value) else
            (base_year if base_year is not None else pd.NA), measure=measure_,
            base_year=base_year if base_year is not None else pd.NA,
            confidence=_confidence(strong, year_note, row.form == "chinese",
                                   measure_ != "level" and base_year is None),
            rule=rule, paired=paired, clause_start=start))
    return _pair_years(targets), observed


def _service_circle(wording: Wording, layout_: Layout, row, horizon: int) -> dict | None:
    """构建“城区15分钟、农村30分钟”急救圈: a quoted travel time to build is a target (at most that many
    minutes); a quoted circle the text only refers to (围绕“15分钟服务圈”要求) is a label."""
    text = layout_.text
    opening, closing = text.rfind("“", 0, row.start), text.find("”", row.end)
    if row.unit not in wording.rules["service_circle_units"] or opening < 0 or closing < 0:
        return None
    built = text[max(opening - 4, 0):opening].endswith(tuple(wording.rules["service_circle_verbs"]))
    if not built or "圈" not in text[closing:closing + 8]:
        return None
    start, end = _clause_bounds(layout_, row.start)
    clause = text[start:end]
    year, year_note, _ = target_year(layout_, row.start, horizon)
    return _row_record(layout_, row, clause, Reading(row.value, "minutes", "level"), year,
                       ("a service circle to build: at most this travel time", year_note), comparator="<=",
                       baseline_value=np.nan, baseline_year=pd.NA, measure="level", base_year=pd.NA,
                       confidence="medium", rule="service circle", paired=(), clause_start=start)


def _pair_years(targets: list[dict]) -> list[dict]:
    """到2022年和2030年，…分别达到A和B: the k-th value of the clause takes the k-th year; with several
    indicators per year (分别控制在12/10万、5‰和10/10万、4‰) the values go year by year. Values that do not
    line up with the years (different units in one year's place) keep the last year, as low confidence."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for target in targets:
        if target["paired"]:
            groups.setdefault((target["sentence_start"], target["clause_start"]), []).append(target)
    for members in groups.values():
        years = members[0]["paired"]
        per_year = len(members) // len(years)
        chunks = [members[k * per_year:(k + 1) * per_year] for k in range(len(years))]
        units = {tuple(t["unit"] for t in chunk) for chunk in chunks}
        if per_year and len(members) == per_year * len(years) and len(units) == 1:
            for chunk, year in zip(chunks, years, strict=True):
                for target in chunk:
                    target.update(target_year=year, rule=target["rule"] + "; paired deadlines",
                                  note=re.sub(r"year from the (sentence|paragraph)",
                                              f"year {year} of the paired deadlines {years}", target["note"]))
        else:
            for target in members:
                target.update(confidence="low", note=target["note"] + f"; {len(members)} values against the "
                              f"paired deadlines {years}: check the year")
    return targets


def _observation(wording: Wording, layout_: Layout, row, clause: str, reading: Reading, year: int | None,
                 prefix: str, after: str) -> dict:
    start, end = layout_.piece(layout_.sentences, row.start)
    return {"year": year if year is not None else pd.NA, "qualifier": _qualifier(wording, prefix, after),
            "value": reading.value, "unit": reading.unit, "excerpt": layout_.text[start:end],
            "indicator_zh": clause, "note": "drafted by plantracker extract: a result the plan reports"
            + ("" if year is not None else "; the text states no year: fill it in")}


# ---------------------------------------------------------------- indicator tables

TABLE_CELL = re.compile(r"^(?P<pre>≥|≤|>=|<=|>|<|不低于|不少于|不高于|不超过|控制在)?"
                        r"\s*(?P<num>\d+(?:\.\d+)?)"
                        r"\s*(?P<unit>%|‰|/10万|/万|/千)?\s*(?P<post>以上|以下|以内|左右)?$")


def _table_unit(wording: Wording, unit_text: str, name: str) -> tuple[str, str]:
    """Unit and kind of a table row, from its unit column, its cell mark or the (单位) after its name."""
    unit_text = re.sub(r"[（()）\s]", "", unit_text)
    per_population = [u for w, u in wording.rules["per_population"].items() if w in name or w in unit_text]
    if per_population and re.fullmatch(r"[张名人个床]?/?(?:每)?[千万]人口?", unit_text.replace("张/", "张")):
        return per_population[0], "level"  # 张/千人, 人/万人
    if unit_text in ("%", "％"):
        return "%", "coverage" if "覆盖" in name else "share"
    if unit_text == "‰":
        return "‰", "rate"
    if "/10万" in unit_text or "十万分之" in unit_text:
        births = any(w in name for w in wording.rules["per_live_births_words"])
        return ("per 100000 live births" if births else "per 100000 population"), "rate"
    rule = wording.units.get(unit_text)
    if rule is not None and rule.unit == "count" and per_population:
        return per_population[0], "level"
    if rule is not None and rule.unit:
        return rule.unit, rule.kind
    return ("years", "level") if unit_text in ("岁", "年") else ("index", "level")


TABLE_MARK = re.compile(r"≥|≤|>|<|＞|＜|不低于|不少于|不高于|不超过|以上|以下|以内")


def _table_targets(wording: Wording, layout_: Layout, table: Table, start_year: int | None,
                   first_deadline: int | None) -> tuple[list[dict], list[dict]]:
    """One proposal per indicator × year column; a base column (2020年（基期）) gives the baseline."""
    text = layout_.text
    names = [normalize_digits(c[2]) for c in table.header]
    years = {k: int(m.group("year")) for k, n in enumerate(names) if (m := YEAR_HEADER.match(n))}
    base = {k for k, y in years.items()
            if any(w in names[k] for w in wording.rules["table_base_headers"])
            or (start_year and y < start_year)}
    if not base and len(years) > 1 and first_deadline is not None:
        # the earliest column, before any deadline the text names, with plain figures where a later
        # column has ≥/≤ marks, is the base: 2020年 | 2025年 with 4.6 | ≤4
        aligned = [cells for _, cells in table.rows if len(cells) == len(names)]
        marked = {k: any(TABLE_MARK.search(cells[k][2]) for cells in aligned) for k in years}
        earliest = min(years, key=years.get)
        if years[earliest] < first_deadline and not marked[earliest] and any(marked.values()):
            base = {earliest}
    unit_col = next((k for k, n in enumerate(names)
                     if any(w in n for w in wording.rules["table_unit_headers"])), None)
    signs = {w: c for c, words in wording.rules["table_comparators"].items() for w in words}
    targets, observed = [], []
    for (line_start, line_end), cells in table.rows:
        if len(cells) == len(names) - 1:
            cells = [(line_start, line_start, "")] + cells  # a row without its serial number
        if len(cells) != len(names):
            continue
        indicator_col = next((k for k, n in enumerate(names)
                              if n in wording.rules["table_indicator_headers"]),
                             next((k for k, n in enumerate(names) if "指标" in n and "属性" not in n),
                             next((k for k, c in enumerate(cells) if k not in years and k != unit_col
                                   and re.search(r"[^\d\s.、]", c[2])), None)))
        if indicator_col is None:
            continue
        name = cells[indicator_col][2]
        unit_mark = re.search(r"[（(]([^（）()]*)[）)]\s*$", name)
        row_text = text[line_start:line_end]
        base_value, base_year = np.nan, None
        for k in sorted(years):
            m = TABLE_CELL.match(normalize_digits(cells[k][2]).replace("＞", ">").replace("＜", "<"))
            if m is None:
                continue
            unit, kind = _table_unit(wording, cells[unit_col][2] if unit_col is not None else
                                     m.group("unit") or (unit_mark.group(1) if unit_mark else ""), name)
            value = float(m.group("num"))
            if k in base:
                base_value, base_year = value, years[k]
                continue
            words = [w for w in (m.group("pre"), m.group("post")) if w]
            lower = any(w in name for w in wording.rules["lower_is_better_words"])
            sign = signs[words[0]] if words else "<=" if lower else ">="
            note = (f"table row, column {cells[k][2] if False else names[k]}",
                    "no comparator in the cell: " + ("a ceiling (lower is better)" if lower else "at least")
                    if not words else f"{words[0]} in the cell")
            row = pd.Series({"start": cells[k][0], "end": cells[k][1], "sentence_start": line_start,
                             "sentence_end": line_end})
            targets.append(_row_record(
                layout_, row, name, Reading(value, unit, kind), years[k], note, comparator=sign,
                baseline_value=base_value, baseline_year=base_year if base_year is not None else pd.NA,
                measure="level", base_year=base_year if base_year is not None else pd.NA,
                confidence="high" if words or unit != "index" else "medium", rule="indicator table",
                paired=(), clause_start=line_start) | {"quote": row_text, "description_zh": name})
    return targets, observed


# ---------------------------------------------------------------- the draft

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
        by_confidence = ", ".join(f"{c} {int(targets['confidence'].eq(c).sum())}"
                                  for c in ("high", "medium", "low"))
        return (f"{len(targets)} proposals: {with_indicator} with an indicator, "
                f"{len(targets) - with_indicator} without one; by kind: {by_kind or 'none'}; "
                f"by confidence: {by_confidence}; "
                f"{len(self.observations)} past results proposed as observations")


def _target_ids(frame: pd.DataFrame, document_number: str) -> pd.Series:
    """`<document>-<indicator>-<year>`, then -b, -c for a second and third row of the same key."""
    base = (document_number + "-" + frame["indicator"].astype(str).replace("", "unassigned") + "-"
            + frame["target_year"].astype(str))
    rank = base.groupby(base).cumcount()
    return base + rank.map(_suffix)


def _suffix(n: int) -> str:
    """'' for the first row of a key, then -b … -z, then -z27, -z28 … for drafts with many rows."""
    return "" if n == 0 else f"-{chr(ord('a') + n)}" if n < 26 else f"-z{n + 1}"


def draft_plan(wording: Wording, text: str, *, document: str = "", region: str = "",
               horizon: int | None = None, indicators: pd.DataFrame | None = None) -> Draft:
    """Proposed catalogue rows and past results of a plan's text."""
    if not text.strip():
        raise DataError([Problem(document or "text", None, None, "the text is empty",
                                 "check that the file holds the plan's text")])
    guessed = not horizon and _title_period(text) is None
    horizon = horizon or infer_horizon(wording, text)
    if horizon is None:
        raise DataError([Problem(document or "text", None, None,
                                 "cannot tell the year the plan aims at (no 到20XX年 in the text)",
                                 "pass the horizon year, e.g. --horizon 2027")])
    numbers = find_numbers(wording, text)
    layout_ = layout(wording, text, numbers)
    targets, observed = _sentence_proposals(wording, numbers, layout_, horizon, guessed)
    deadlines = layout_.years[layout_.years["role"].eq("deadline")]
    outside = deadlines[~layout_.in_table[deadlines["start"].to_numpy(dtype=int)]]
    first_deadline = int(outside["year"].min()) if len(outside) else None
    for table in layout_.tables:
        more, seen = _table_targets(wording, layout_, table, plan_start(text), first_deadline)
        targets, observed = targets + more, observed + seen
    targets.sort(key=lambda r: r["start"])
    frame = pd.DataFrame.from_records(targets, columns=[c for c in DRAFT_COLUMNS if c not in
                                                        ("target_id", "region", "document", "indicator")]
                                      + POSITION_COLUMNS)
    frame["indicator"] = [guess_indicator(c, u, indicators) for c, u in zip(frame["quote"], frame["unit"],
                                                                             strict=True)]
    number = re.match(r"\d+", document)
    frame = frame.assign(region=region, document=document,
                         target_id=_target_ids(frame, number.group(0) if number else Path(document).stem))
    frame = frame[DRAFT_COLUMNS + POSITION_COLUMNS].astype({"target_year": int, "target_value": float})
    obs = pd.DataFrame.from_records(observed, columns=OBSERVATION_DRAFT_COLUMNS)
    obs = obs.assign(region=region, source_url=document, source_kind="plan_baseline",
                     indicator=[guess_indicator(c, u, indicators) for c, u in
                                zip(obs["indicator_zh"], obs["unit"], strict=True)])
    return Draft(frame, obs[OBSERVATION_DRAFT_COLUMNS])


def propose_targets(wording: Wording, text: str, *, document: str = "", region: str = "",
                    horizon: int | None = None, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Proposed catalogue rows, with the positions of each number and its sentence in the text."""
    return draft_plan(wording, text, document=document, region=region, horizon=horizon,
                      indicators=indicators).targets


def draft_catalogue(wording: Wording, text: str, document: str, region: str | None = None,
                    horizon: int | None = None, entry: dict | None = None,
                    indicators: pd.DataFrame | None = None) -> Draft:
    """Draft targets.csv rows (and past results) for a plan: one proposed row per quantity that reads
    like a target.

    Region and horizon come from the arguments, else from the plan's registry `entry` when the file is
    one of the plans in data/policies, else from the text (`infer_horizon`).
    """
    entry = entry or {}
    draft = draft_plan(wording, text, document=document, region=region or entry.get("region", ""),
                       horizon=horizon or entry.get("horizon_year"), indicators=indicators)
    return Draft(draft.targets[DRAFT_COLUMNS], draft.observations)
