"""Finding every number in a Chinese policy text, and drafting catalogue rows from them.

A researcher adding a new plan runs `plantracker extract`: every numeric expression is found with its
sentence (so nothing is missed), dates and section numbers are told apart from quantities, and each
quantity that reads like a target becomes a proposed row of targets.csv, to be checked by hand.
The same `find_numbers` reads the quotes of the catalogue when it is validated, so 九, １２ and 全覆盖
count as the numbers they are. Wording rules live in extraction_rules.yaml and extraction_units.csv.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.errors import DataError, Problem
from analysis.numbers import CHINESE_DIGITS, chinese_numeral_value, normalize_digits
from analysis.schema import TARGET_COLUMNS

HERE = Path(__file__).resolve().parent
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


# ---------------------------------------------------------------- rules (data beside the module)

@dataclass(frozen=True)
class UnitRule:
    """How a printed unit reads: our unit vocabulary, the kind of target, and whether it can be one."""

    printed: str
    unit: str
    kind: str
    category: str  # quantity, time, age, money, grade, multiple, label
    after_chinese_numeral: bool


@cache
def unit_rules() -> dict[str, UnitRule]:
    with (HERE / "extraction_units.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["printed"]: UnitRule(r["printed"], r["unit"], r["kind"], r["category"],
                                   r["after_chinese_numeral"] == "true") for r in rows}


@cache
def rules() -> dict:
    return yaml.safe_load((HERE / "extraction_rules.yaml").read_text(encoding="utf-8"))


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Dates: 2021—2030年, 〔2021〕, 2023年3月30日, 2024年底, 3月30日.
DATE = (rf"(?<!\d)(?P<a>{YEAR}){SPACE}{RANGE_SEP}{SPACE}(?P<b>{YEAR}){SPACE}年度?"
        rf"|[〔\[]{YEAR}[〕\]]"
        rf"|(?<!\d){YEAR}{SPACE}年(?:度|底|末|初)?"
        rf"(?:{SPACE}\d{{1,2}}{SPACE}月(?:{SPACE}\d{{1,2}}{SPACE}日|底|末|初)?)?"
        rf"|(?<!\d)\d{{1,2}}月(?:\d{{1,2}}日|底|末|初)")
# Section numbers: 一、 （三） 第一 at any place; 1. 1、 at the start of a line (or after ：or ]); (1); 附件1.
SECTION_CHINESE = rf"(?m:^{SPACE}[{CN_SECTION}]+、)|[（(][{CN_SECTION}]+[）)]|第{CN_NUMERAL}|第\d+"
SECTION_ARABIC = (rf"(?m:^{SPACE}\d{{1,2}}[.．、](?!\d))|(?<=[：:\]])\d{{1,2}}[.．](?!\d)"
                  rf"|[（(]\d{{1,2}}[）)]|附件\d+")
RATIO = r"(?<![\d.])(?P<a>\d+):(?P<b>\d+)(?![\d.])"
# 12, 3.5‰, 3—5个, 3万—10万, 12/10万, 1.1/10万人, 6.5万元/人: number, magnitude, range, per, unit.
ARABIC = (rf"(?<![\d.])(?P<a>{DECIMAL})(?P<am>[万亿])?"
          rf"(?:{SPACE}(?P<sep>{RANGE_SEP}){SPACE}(?P<b>{DECIMAL})(?P<bm>[万亿])?)?"
          rf"(?P<per>/{DECIMAL}[万千]?人?)?(?P<unit>{{units}})?(?P<suffix>/[人年床次例天])?")
# 九个, 三四级, 两级 — a Chinese numeral counts only with a measure word (not 一般, 一批, 一次性, 每千人).
CHINESE = rf"(?<![第每{CN_DIGITS}十百千万亿\d])(?P<c>{CN_NUMERAL})(?P<unit>{{units}})(?![性度])"


@cache
def _patterns() -> list[tuple[str, str, re.Pattern, Callable[[re.Match], dict]]]:
    """The passes of `find_numbers`, most specific first: (role, form, pattern, reader)."""
    arabic_units = _alternation(list(unit_rules()))
    chinese_units = _alternation([u for u, r in unit_rules().items() if r.after_chinese_numeral])
    phrases = _alternation(list(rules()["full_value_phrases"]))
    return [
        ("date", "arabic", re.compile(DATE), _read_date),
        ("section", "chinese", re.compile(SECTION_CHINESE), _read_section),
        ("section", "arabic", re.compile(SECTION_ARABIC), _read_section),
        ("quantity", "arabic", re.compile(RATIO), _read_ratio),
        ("quantity", "arabic", re.compile(ARABIC.replace("{units}", arabic_units)), _read_arabic),
        ("quantity", "chinese", re.compile(CHINESE.replace("{units}", chinese_units)), _read_chinese),
        ("quantity", "phrase", re.compile(rf"(?<!健)(?:{phrases})"), _read_phrase),  # not 健全覆盖
    ]


# ---------------------------------------------------------------- readers: one match → value, unit

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


def _read_phrase(m: re.Match) -> dict:
    return {"value": float(rules()["full_value_phrases"][m.group(0)]), "upper": np.nan, "unit": "%",
            "magnitude": 1.0}


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


def _matches(text: str) -> Iterator[dict]:
    """Every match of every pass, a later pass never taking characters an earlier one took."""
    norm = normalize_digits(text)
    taken = bytearray(len(text))
    for role, form, pattern, reader in _patterns():
        for m in pattern.finditer(norm):
            start, end = m.span()
            if start == end or any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            yield {"start": start, "end": end, "expression": text[start:end], "role": role, "form": form,
                   **reader(m)}


def find_numbers(text: str) -> pd.DataFrame:
    """Every numeric expression of the text, in order, with its role and its sentence.

    role: `date` (2027年, 2023年3月30日, 2021—2030年), `section` (一、 （三） 1. 第一) or `quantity`.
    value is the number as printed (the lower bound of a range; `upper` the upper one), `magnitude`
    the 万/亿 that scales it, unit the unit as printed (%, 个, /10万, 万人次 → 人次). 全覆盖 is a
    quantity of form `phrase` (100 %).
    """
    found = sorted(_matches(text), key=lambda r: r["start"])
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
def values_in(text: str) -> frozenset[float]:
    """Every value a reader could take from the text: each bound as printed and scaled by 万/亿."""
    out: set[float] = set()
    for record in _matches(text):
        if record["role"] != "quantity":
            continue
        for v in (record["value"], record["upper"]):
            if not np.isnan(v):
                out |= {round(v, 6), round(v * record["magnitude"], 6)}
    return frozenset(out)


# ---------------------------------------------------------------- the layout a proposal is read against

@dataclass(frozen=True)
class Layout:
    """Clauses, paragraphs (lines), quoted labels, section numbering and years of one text."""

    text: str
    sentences: list[tuple[int, int]]
    clauses: list[tuple[int, int]]
    lines: list[tuple[int, int]]
    in_label: np.ndarray
    line_section: list[str]
    mid_line_sections: list[list[tuple[int, str]]]
    line_heading_year: list[int | None]
    years: pd.DataFrame  # start, year: dates that can set a target year

    def piece(self, pieces: list[tuple[int, int]], position: int) -> tuple[int, int]:
        i = bisect.bisect_right([s for s, _ in pieces], position) - 1
        return pieces[max(i, 0)]

    def line_index(self, position: int) -> int:
        return max(bisect.bisect_right([s for s, _ in self.lines], position) - 1, 0)

    def section(self, position: int) -> str:
        line = self.line_index(position)
        inner = [label for start, label in self.mid_line_sections[line] if start < position]
        return self.line_section[line] + (inner[-1] if inner else "")


def _label_mask(text: str) -> np.ndarray:
    """True where a character sits inside “…” or 《…》: names, slogans and titles of other documents."""
    pairs = rules()["label_brackets"]
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


def _target_years(numbers: pd.DataFrame, in_label: np.ndarray) -> pd.DataFrame:
    """Single years (2025年, 到2024年底) outside titles and labels: the years a target can take."""
    dates = numbers[numbers["role"].eq("date") & numbers["upper"].isna()
                    & numbers["expression"].str.contains("年")]
    dates = dates[~in_label[dates["start"].to_numpy(dtype=int)]]
    return pd.DataFrame({"start": dates["start"].to_numpy(), "year": dates["value"].astype(int).to_numpy()})


def _heading_years(text: str, lines: list[tuple[int, int]], years: pd.DataFrame) -> list[int | None]:
    """For each line, the year named by its nearest enclosing heading (a short line of one phrase)."""
    out, current = [], {}
    heading = re.compile(rf"^{SPACE}(?:[{CN_SECTION}]+、|[（(][{CN_SECTION}\d]+[）)])")
    for start, end in lines:
        m = heading.match(text[start:end])
        if m:
            level = 1 if m.group(0).strip().endswith("、") else 2
            named = years[(years["start"] >= start) & (years["start"] < end)]
            short = end - start <= 40 and "。" not in text[start:end].rstrip().rstrip("。")
            current = {k: v for k, v in current.items() if k < level}
            current[level] = int(named["year"].iloc[0]) if short and len(named) else None
        known = [v for _, v in sorted(current.items()) if v is not None]
        out.append(known[-1] if known else None)
    return out


def layout(text: str, numbers: pd.DataFrame | None = None) -> Layout:
    """Read the structure of a text once, for all its proposals."""
    numbers = find_numbers(text) if numbers is None else numbers
    lines = spans(text, re.compile(r"[^\n]+"))
    in_label = _label_mask(text)
    line_sections, mids = _sections(text, numbers, lines)
    years = _target_years(numbers, in_label)
    return Layout(text, spans(text), clause_spans(text), lines, in_label, line_sections, mids,
                  _heading_years(text, lines, years), years)


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


def _comparator_words() -> tuple[dict[str, str], dict[str, str]]:
    before = {w: c for c, words in rules()["comparator_before"].items() for w in words}
    after = {w: c for c, words in rules()["comparator_after"].items() for w in words}
    return before, after


def comparator(prefix: str, after: str) -> str:
    """`>=`, `<=` or `==` from the words around a number, within its clause (default: at least)."""
    before_words, after_words = _comparator_words()
    cut = min([after.find(w) for w in before_words if w in after] + [len(after)])
    window = after[:cut]
    qualifiers = tuple(rules()["qualifier_units"]) + ("及",)
    hits = sorted((m.start(), w) for w in after_words for m in re.finditer(re.escape(w), window)
                  if not window[:m.start()].endswith(qualifiers))
    if hits:
        return after_words[hits[0][1]]
    last = _last_word(prefix, list(before_words))
    return before_words[last[1]] if last else ">="


def _per_population_unit(denominator: str, clause: str) -> str:
    number = float(re.sub(r"[^\d.]", "", denominator)) * (1e4 if "万" in denominator else 1)
    if number == 1e5 and any(w in clause for w in rules()["per_live_births_words"]):
        return "per 100000 live births"
    return f"per {number:.0f} population"


def _full_value(row, clause: str) -> Reading | None:
    """全覆盖, or 全部/所有 in a clause with a verb of attainment: 100 % coverage."""
    always = row.expression in rules()["always_proposed_phrases"]
    if always or any(v in clause for v in rules()["attainment_verbs"]):
        return Reading(row.value, "%", "coverage", (f"{row.expression} = 100",))
    return None


def _grade_reached(row, prefix: str, after: str, stated: bool) -> bool:
    """3级 after 达到 …, 完成…三级认证: a grade to reach, not the name of a kind of hospital."""
    if after.startswith(tuple(rules()["grade_names_after"])):
        return False
    return (row.form == "arabic" and stated) or _last_word(prefix, rules()["grade_verbs"]) is not None


def read_quantity(row, prefix: str, clause: str, after: str = "") -> Reading | None:
    """What a quantity would be as a target (value, unit, kind), or None when it cannot be one."""
    if row.form == "phrase":
        return _full_value(row, clause)
    before_words, _ = _comparator_words()
    stated = _last_word(prefix, list(before_words)) is not None
    unit = str(row.unit)
    if unit.startswith("/"):
        return Reading(row.value, _per_population_unit(unit, clause), "rate")
    if unit in ("", "ratio"):
        return Reading(row.value, "index", "level") if unit == "" and stated else None
    rule = unit_rules()[unit.split("/")[0]]
    if rule.category == "grade" and not _grade_reached(row, prefix, after, stated):
        return None
    if rule.category == "age" and not prefix.rstrip().endswith(tuple(before_words)):
        return None
    if rule.category in ("time", "money", "multiple", "label"):
        return None
    if unit in rules()["frequency_units"] and any(w in prefix for w in rules()["frequency_words"]):
        return None
    return _shape(row, rule, prefix, clause)


def _speaks_of_coverage(prefix: str, clause: str) -> bool:
    """Coverage when the measure named last before the number is one (覆盖率), else when the clause is."""
    measure = _last_word(prefix, rules()["measure_words"])
    if measure is None:
        return any(w in clause for w in rules()["coverage_words"])
    end, word = measure
    return prefix[:end - len(word)].endswith("覆盖")


def _shape(row, rule: UnitRule, prefix: str, clause: str) -> Reading:
    """Unit and kind from the unit as printed and the words of the clause."""
    value, unit, kind = row.value * row.magnitude, rule.unit, rule.kind
    per_population = [u for w, u in rules()["per_population"].items() if w in clause]
    if unit == "count" and per_population:
        unit, kind = per_population[0], "level"
    elif unit == "%" and kind == "share":
        relative = prefix.rstrip().endswith(tuple(rules()["relative_change_before"]))
        covered = _speaks_of_coverage(prefix, clause)
        kind = "relative_change" if relative else "coverage" if covered else "share"
    notes = ("relative change: base unstated",) if kind == "relative_change" else ()
    if not np.isnan(row.upper):
        notes += (f"range {row.expression}: lower bound kept",)
    return Reading(value, unit, kind, notes)


def target_year(layout_: Layout, position: int, horizon: int) -> tuple[int, str]:
    """The year a target takes: its sentence's, its paragraph's, its heading's, else the horizon."""
    years = layout_.years
    for name, (start, end) in (("sentence", layout_.piece(layout_.sentences, position)),
                               ("paragraph", layout_.lines[layout_.line_index(position)])):
        inside = years[(years["start"] >= start) & (years["start"] < end)]
        before, after = inside[inside["start"] < position], inside[inside["start"] > position]
        if len(before) or (name == "sentence" and len(after)):  # a paragraph's later year rules what follows
            year = before["year"].iloc[-1] if len(before) else after["year"].iloc[0]
            return int(year), f"year from the {name}"
    heading = layout_.line_heading_year[layout_.line_index(position)]
    if heading is not None:
        return heading, "year from the heading"
    return horizon, "year = document horizon"


# ---------------------------------------------------------------- proposing rows, drafting a catalogue

def infer_horizon(text: str) -> int | None:
    """The year a plan aims at when nothing else says: its most frequent 到20XX年."""
    years = re.findall(rules()["horizon_pattern"], normalize_digits(text))
    return int(Counter(years).most_common(1)[0][0]) if years else None


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


def _proposal(row, layout_: Layout, horizon: int) -> dict | None:
    if layout_.in_label[row.start]:
        return None
    start, end = layout_.piece(layout_.clauses, row.start)
    numbering = LEADING_SECTION.match(layout_.text, start, row.start)
    start = numbering.end() if numbering else start
    clause, prefix, after = layout_.text[start:end], layout_.text[start:row.start], layout_.text[row.end:end]
    if any(w in clause for w in rules()["not_target_words"]):
        return None
    reading = read_quantity(row, prefix, clause, after)
    if reading is None:
        return None
    year, year_note = target_year(layout_, row.start, horizon)
    approximate = [w for w in rules()["approximate_after"] if after.lstrip().startswith(w)]
    notes = reading.notes + tuple(f"{w}: approximate, kept as at least" for w in approximate) + (year_note,)
    return {"clause": layout_.section(row.start), "description_zh": clause, "description_en": "",
            "comparator": comparator(prefix, after), "target_value": reading.value, "unit": reading.unit,
            "target_year": year, "baseline_value": np.nan, "baseline_year": pd.NA, "kind": reading.kind,
            "quote": clause, "note": "drafted by plantracker extract; " + "; ".join(notes),
            "start": row.start, "end": row.end, "sentence_start": row.sentence_start,
            "sentence_end": row.sentence_end, "sentence": row.sentence}


def _target_ids(frame: pd.DataFrame, document_number: str) -> pd.Series:
    """`<document>-<indicator>-<year>`, then -b, -c for a second and third row of the same key."""
    base = (document_number + "-" + frame["indicator"].astype(str).replace("", "unassigned") + "-"
            + frame["target_year"].astype(str))
    rank = base.groupby(base).cumcount()
    return base + rank.map(_suffix)


def _suffix(n: int) -> str:
    """'' for the first row of a key, then -b … -z, then -z27, -z28 … for drafts with many rows."""
    return "" if n == 0 else f"-{chr(ord('a') + n)}" if n < 26 else f"-z{n + 1}"


def propose_targets(text: str, *, document: str = "", region: str = "", horizon: int | None = None,
                    indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Proposed catalogue rows, with the positions of each number and its sentence in the text."""
    horizon = horizon or infer_horizon(text)
    if horizon is None:
        raise DataError([Problem(document or "text", None, None,
                                 "cannot tell the year the plan aims at (no 到20XX年 in the text)",
                                 "pass the horizon year, e.g. --horizon 2027")])
    numbers = find_numbers(text)
    layout_ = layout(text, numbers)
    candidates = quantities(numbers, phrases=True).itertuples()
    rows = [p for row in candidates if (p := _proposal(row, layout_, horizon))]
    frame = pd.DataFrame.from_records(rows, columns=[c for c in TARGET_COLUMNS if c not in
                                                     ("target_id", "region", "document", "indicator")]
                                      + POSITION_COLUMNS + ["sentence"])
    frame["indicator"] = [guess_indicator(c, u, indicators) for c, u in zip(frame["quote"], frame["unit"],
                                                                             strict=True)]
    number = re.match(r"\d+", document)
    frame = frame.assign(region=region, document=document,
                         target_id=_target_ids(frame, number.group(0) if number else Path(document).stem))
    return frame[TARGET_COLUMNS + POSITION_COLUMNS].astype({"target_year": int, "target_value": float})


def draft_catalogue(text: str, document: str, region: str | None = None, horizon: int | None = None,
                    entry: dict | None = None, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Draft targets.csv rows for a plan: one proposed row per quantity that reads like a target.

    Region and horizon come from the arguments, else from the plan's registry `entry` when the file is
    one of the plans in data/policies, else the horizon is the text's most frequent 到20XX年.
    """
    entry = entry or {}
    proposed = propose_targets(text, document=document, region=region or entry.get("region", ""),
                               horizon=horizon or entry.get("horizon_year"), indicators=indicators)
    return proposed[TARGET_COLUMNS]
