"""The layout a proposal is read against: sentences, clauses, paragraphs, quoted labels, section
numbering, headings and reviews of the last period, years and what each is to a target, indicator
tables, and the plan period its title states.

A number is a target or not, and takes its year, from where it stands: 附件 titles and forms to fill in
name things; a year is a deadline, a base (比2015年) or the date of a past result (截至2015年); a heading
such as 发展基础 opens a review whose figures are results, not targets. `layout` reads all this once per
text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from itertools import takewhile

import numpy as np
import pandas as pd

from analysis.catalogue.extraction.patterns import (
    CN_SECTION,
    RANGE_SEP,
    SPACE,
    YEAR,
    alternation,
    clause_spans,
    find_numbers,
    spans,
)
from analysis.core.numbers import CHINESE_DIGITS, normalize_digits
from analysis.core.schema import Wording

ANNEX_START = re.compile(rf"{SPACE}附件{SPACE}\d*{SPACE}")
YEAR_JOIN = re.compile(rf"{SPACE}(?:和|、|及|与|以及){SPACE}(?:到)?{SPACE}")
CELL_SEP = re.compile(r"\t+|[ \u3000]{2,}|\u3000|[ \t\u3000]*[|｜][ \t\u3000]*")
# A header cell naming one year: 2025年, 2020年（基期）, 基期（2020年）, 2030目标值.
YEAR_HEADER = re.compile(rf"^[^\d]{{0,6}}(?P<year>{YEAR}){SPACE}年?[^\d]{{0,8}}$")
HEADING = re.compile(
    rf"^{SPACE}(?:第[{CN_SECTION}]+[章节部分篇]|[{CN_SECTION}]+、"
    rf"|[（(][{CN_SECTION}\d]+[）)])"
)


Cell = tuple[int, int, str]  # start, end and text of a table cell


@dataclass(frozen=True)
class IndicatorTable:
    """A plain-text indicator table: its header cells and, per row, the row's line and its cells."""

    header: list[Cell]
    rows: list[tuple[tuple[int, int], list[Cell]]]

    @property
    def span(self) -> tuple[int, int]:
        """From the header's first cell to the end of the last row: the text the table takes."""
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
    tables: list[IndicatorTable]
    in_table: np.ndarray

    def piece(self, pieces: list[tuple[int, int]], position: int) -> tuple[int, int]:
        """The sentence (or clause, line) a position lies in: the last that starts at or before it."""
        i = bisect.bisect_right([s for s, _ in pieces], position) - 1
        return pieces[max(i, 0)]

    def line_index(self, position: int) -> int:
        """The number of the line (paragraph) a position lies in."""
        return max(bisect.bisect_right([s for s, _ in self.lines], position) - 1, 0)

    def section(self, position: int) -> str:
        """The section label at a position (三（二）2), for the catalogue's clause column."""
        line = self.line_index(position)
        inner = [label for start, label in self.mid_line_sections[line] if start < position]
        return self.line_section[line] + (inner[-1] if inner else "")

    def years_in(self, start: int, end: int, role: str | None = "deadline") -> pd.DataFrame:
        """The years of a stretch of text in a role (deadline, base, past; None: any role)."""
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
    """A short line without a clause's punctuation: a title, not a sentence."""
    return not re.search(r"[，。；：,;:！？!?]", line) and len(line.strip()) <= 60


def _title_and_form_mask(wording: Wording, text: str, lines: list[tuple[int, int]]) -> np.ndarray:
    """The document's title, the list and titles of its annexes, and annexes that are forms to fill in
    (an agreement template): numbers there name things, they are not targets."""
    mask = np.zeros(len(text), dtype=bool)
    for start, end in takewhile(lambda span: _is_title(text[slice(*span)]), lines[:4]):
        mask[start:end] = True
    form_words = tuple(wording.rules["form_annex_words"])
    i = 0
    while i < len(lines):
        line = text[slice(*lines[i])]
        if re.match(rf"^{SPACE}附件{SPACE}[：:]", line):
            masked, i = _annex_list(text, lines, i)
        elif ANNEX_START.fullmatch(line):
            masked, i = _annex(text, lines, i, form_words)
        else:
            masked, i = [], i + 1
        for start, end in masked:
            mask[start:end] = True
    return mask


def _annex_list(text: str, lines: list[tuple[int, int]], i: int) -> tuple[list[tuple[int, int]], int]:
    """附件：1.… 2.…: the line listing the annexes and the numbered titles under it; and the next line."""
    j = i + 1
    while (
        j < len(lines)
        and re.match(rf"^{SPACE}\d+[.．、]", text[slice(*lines[j])])
        and _is_title(text[slice(*lines[j])])
    ):
        j += 1
    return lines[i:j], j


def _annex(
    text: str, lines: list[tuple[int, int]], i: int, form_words: tuple[str, ...]
) -> tuple[list[tuple[int, int]], int]:
    """附件2 on a line of its own: the (up to three) title lines after it; the whole annex, up to the next
    附件 line, when its title names a form to fill in (协议范本). And the line after what was taken."""
    j = i + 1
    while j < len(lines) and j - i <= 3 and _is_title(text[slice(*lines[j])]):
        j += 1
    title = "".join(text[slice(*span)] for span in lines[i + 1 : j])
    if not any(w in title for w in form_words):
        return lines[i + 1 : j], j
    k = next((k for k in range(j, len(lines)) if ANNEX_START.fullmatch(text[slice(*lines[k])])), len(lines))
    return [(lines[i][0], lines[k - 1][1])], k


def _cells(text: str, start: int, end: int) -> list[Cell]:
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


def _tables(text: str, lines: list[tuple[int, int]]) -> list[IndicatorTable]:
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
            found.append(IndicatorTable(header, rows))
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


def _sections(
    text: str, numbers: pd.DataFrame, lines: list[tuple[int, int]]
) -> tuple[list[str], list[list[tuple[int, str]]]]:
    """Section label of each line, and the (1) (2) enumerations inside lines."""
    line_starts = [s for s, _ in lines]
    per_line: dict[int, list[tuple[int, int, str]]] = {}
    for row in numbers[numbers["role"].eq("section")].itertuples():
        line = max(bisect.bisect_right(line_starts, row.start) - 1, 0)
        at_start = not text[lines[line][0] : row.start].strip()
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


def _year_roles(
    wording: Wording, text: str, numbers: pd.DataFrame, in_label: np.ndarray, clauses: list[tuple[int, int]]
) -> pd.DataFrame:
    """Single years (2025年, 到2024年底) outside titles and labels, each with what it is to a target:
    a `deadline`, the `base` it is measured from (比2015年, 在2018年基础上) or the date of a `past` result
    (截至2015年); deadlines joined by 和/、 (到2022年和2030年) share a `group`."""
    dates = numbers[
        numbers["role"].eq("date")
        & numbers["upper"].isna()
        & (
            numbers["expression"].str.contains("年")
            | numbers["expression"].str.fullmatch(YEAR)
            | numbers["form"].eq("period")
        )
    ]
    dates = dates[~in_label[dates["start"].to_numpy(dtype=int)]]
    starts, ends = dates["start"].to_numpy(dtype=int), dates["end"].to_numpy(dtype=int)
    clause_starts = [s for s, _ in clauses]
    base_before = tuple(wording.rules["base_year_before"])
    # right after the year, or after its figure (在2020年77.5岁的基础上); not a comparison later in the clause
    base_after = re.compile(
        rf"^(?:底|末)?{SPACE}(?:的)?(?:[^，。；;]{{0,12}}?的)?{SPACE}(?:水平)?{SPACE}"
        rf"(?:{alternation(wording.rules['base_year_after'])})"
    )
    past_before = tuple(wording.rules["past_year_before"])
    roles, groups = [], []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        clause = max(bisect.bisect_right(clause_starts, start) - 1, 0)
        clause_end = clauses[clause][1] if clauses else len(text)
        stop = min(clause_end, starts[i + 1] if i + 1 < len(starts) else len(text))
        before, after = text[max(start - 4, 0) : start].rstrip(), text[end:stop]
        if before.endswith(past_before):
            roles.append("past")
        elif before.endswith(base_before) or base_after.match(after):
            roles.append("base")
        else:
            roles.append("deadline")
        joined = (
            i > 0
            and roles[i - 1] == "deadline"
            and roles[i] == "deadline"
            and YEAR_JOIN.fullmatch(text[ends[i - 1] : start])
        )
        groups.append(groups[-1] if joined else (groups[-1] + 1 if groups else 0))
    return pd.DataFrame(
        {
            "start": starts,
            "end": ends,
            "year": dates["value"].astype(int).to_numpy(),
            "role": roles,
            "group": groups,
        }
    )


def _headings(
    wording: Wording, text: str, lines: list[tuple[int, int]], years: pd.DataFrame
) -> tuple[list[int | None], list[bool]]:
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
            title = line[m.end() :].strip().rstrip("。：:")
            review = (
                short
                and "，" not in title
                and any(w in title for w in review_words)
                and not title.startswith(tuple(wording.rules["review_heading_not_after"]))
            )
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
    return Layout(
        text,
        spans(text),
        clauses,
        lines,
        in_label,
        _title_and_form_mask(wording, text, lines),
        line_sections,
        mids,
        heading_years,
        in_review,
        years,
        tables,
        in_table,
    )


# ---------------------------------------------------------------- the plan period its title states


def infer_horizon(wording: Wording, text: str) -> int | None:
    """The year a plan aims at when nothing else says: the end of the period its title states
    (…规划（2021—2025年）), else its most frequent 到20XX年."""
    period = title_period(text)
    if period:
        return period[1]
    years = re.findall(wording.rules["horizon_pattern"], normalize_digits(text))
    return int(Counter(years).most_common(1)[0][0]) if years else None


def title_period(text: str) -> tuple[int, int] | None:
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
    period = title_period(text)
    return period[0] if period and period[0] != period[1] else None
