"""Whether a row is evidence a judgement may rest on, and slips between rows that no single row shows.

- An excerpt that states a plan (力争, 预计, 将…建成, 到2025年…将达到) is not a result: the row is flagged
  and set aside by the conflict rule unless its note says it is a result (the words are in
  data/observation_rules.yaml: `plan_markers`, `result_markers`, `result_note`).
- A row entered twice in one file is a slip: warned once, naming the rows.
- One source (one URL) giving two values a power of ten apart for one region, indicator and year (98 and
  9.8) has a misplaced decimal point: refused, naming both rows, because neither can be trusted until
  someone looks at the source.
- One source with two grades (the same URL graded `repost` in one row and `unverified` in another) breaks
  "one grade per source": warned, naming both rows, with the rule to add.

A stage: pure functions over the checked rows; analysis.pipeline calls them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from analysis.core.errors import Problem
from analysis.core.numbers import normalize_digits
from analysis.core.schema import OBSERVATION_KEY, ROW, Rules

_SENTENCE = re.compile(r"[。；;！？!?\n]")
_CLAUSE = re.compile(r"[，,]")
_SEED_NOTE = re.compile(r"\[[^\]]*\]")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


def _clauses(excerpt: str, rules: Rules) -> list[tuple[str, str]]:
    """Each clause of the excerpt with the plan wording that governs it ('' for a result).

    A plan word reaches to the end of its sentence (2015年预计比2010年提高1岁，达到75.8岁: the second
    clause is a projection too); a clause with result wording (已, 达到了, 截至) is a result. The seed's
    own [bracketed notes] are not the source's words and are left out."""
    plans, results = _compiled(rules.plan_markers), _compiled(rules.result_markers)
    out = []
    for sentence in _SENTENCE.split(_SEED_NOTE.sub("", normalize_digits(excerpt))):
        governing = ""
        for clause in _CLAUSE.split(sentence):
            governing = next((m.group() for p in plans if (m := p.search(clause))), "") or governing
            out.append((clause, "" if any(r.search(clause) for r in results) else governing))
    return out


def plan_marker(excerpt: str, note: str, figure: str, rules: Rules) -> str:
    """The words that make the row a plan ('' when it reads as a result).

    The clauses that print the figure decide (一批50个已建成，二批50个将建成 states 50 as a result);
    when the figure is not printed as such (全覆盖 for 100), any plan clause does. A note beginning
    `result` (rules.result_note) says the researcher has read the source as a result."""
    if re.search(rules.result_note, str(note or "")):
        return ""
    clauses = _clauses(str(excerpt or ""), rules)
    number = _NUMBER.search(normalize_digits(str(figure or "")))
    if number:
        printed = re.compile(rf"(?<![0-9.]){re.escape(number.group())}(?!\.?[0-9])")
        stating = [marker for clause, marker in clauses if printed.search(clause)]
        if stating:
            return "" if "" in stating else stating[0]
    return next((marker for _, marker in clauses if marker), "")


def plan_markers(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    """`plan_marker` of every row, the figure as typed (`value_text`, else the value), '' where a
    column is missing; only rows with an excerpt are read (a machine-written series has none), each
    distinct (excerpt, note, figure) once."""
    out = pd.Series("", index=frame.index, dtype=object)
    if "excerpt" not in frame:
        return out
    worded = frame[frame["excerpt"].fillna("").astype(str).ne("")]
    if worded.empty:
        return out
    blank = pd.Series("", index=worded.index)

    def text(column: str) -> pd.Series:
        return worded[column].fillna("").astype(str) if column in worded else blank

    figures = text("value_text") if "value_text" in worded else worded["value"].map(_figure_text)
    triples = list(zip(text("excerpt"), text("note"), figures, strict=True))
    found = {triple: plan_marker(*triple, rules) for triple in set(triples)}
    out[worded.index] = [found[t] for t in triples]
    return out


def _figure_text(value: object) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return ""


def plan_warnings(frame: pd.DataFrame, rules: Rules, name: str, labels: dict[str, str]) -> list[Problem]:
    """One warning per row whose excerpt states a plan: it is loaded but not used for a judgement."""
    markers = plan_markers(frame.assign(value_text=frame["value"]), rules)
    return [
        Problem(
            name,
            int(row),
            labels.get("excerpt", "excerpt"),
            f"the excerpt states a plan, not a result ('{marker}'): the figure is not used for a judgement",
            "if the source reports what was reached, begin the note with 'result:' (and say why); "
            "otherwise leave the row out, or put the plan's figure in targets.csv",
            "warning",
        )
        for row, marker in zip(frame[ROW], markers, strict=True)
        if marker
    ]


def _rows(rows: list[int]) -> str:
    listed = [str(r) for r in rows]
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} and {listed[-1]}"


def duplicate_warnings(
    frame: pd.DataFrame, columns: list[str], name: str, labels: dict[str, str]
) -> list[Problem]:
    """Rows of one file that are the same in every column read: one warning per set, at its second
    row, naming them all. The copy changes nothing (the same page counts once) but is a slip."""
    repeated = frame[frame.duplicated(subset=columns, keep=False)]
    problems = []
    for _, group in repeated.groupby(columns, sort=False):
        rows = sorted(int(r) for r in group[ROW])
        problems.append(
            Problem(
                name,
                rows[1],
                None,
                f"rows {_rows(rows)} are the same row, cell for cell (a row entered twice?)",
                "delete the copies; the same page gives a figure once",
                "warning",
            )
        )
    return problems


def _tenfold(a: float, b: float) -> int:
    """k when a and b are 10^k apart (k ≥ 1, either way round), else 0: 98 and 9.8 → 1."""
    if a == 0 or b == 0 or (a < 0) != (b < 0) or math.isnan(a) or math.isnan(b):
        return 0
    ratio = math.log10(abs(a) / abs(b))
    k = round(abs(ratio))
    return k if k >= 1 and abs(abs(ratio) - k) < 1e-9 else 0


def _place(row: dict) -> str:
    return f"{row['source_file']} row {int(row['source_row'])}"


def _in_focus(rows: Iterable[dict], focus: set[str] | None) -> bool:
    return focus is None or any(r["source_file"] in focus for r in rows)


def _where(first: dict, second: dict, focus: set[str] | None) -> dict:
    """The row a problem between two rows is reported at: the later one, unless only the first is in
    the files being checked."""
    return first if focus is not None and second["source_file"] not in focus else second


def _shared(observations: pd.DataFrame, by: list[str], column: str) -> pd.DataFrame:
    """The rows with a source URL whose group (`by`) holds two or more distinct `column` values: the
    only groups worth a look, found at once so a 100,000-row series costs no loop over its keys."""
    sourced = observations[observations["source_url"].fillna("").ne("")]
    if sourced.empty:
        return sourced
    return sourced[sourced.groupby(by, sort=False)[column].transform("nunique").ge(2)]


def tenfold_errors(observations: pd.DataFrame, files: Iterable[str] | None = None) -> list[Problem]:
    """One error per pair of rows where the same source gives two values a power of ten apart for one
    region, indicator and year; with `files`, only pairs involving those files."""
    focus = set(files) if files is not None else None
    sourced = _shared(observations, [*OBSERVATION_KEY, "source_url"], "value")
    problems = []
    for (region, indicator, year, url), group in sourced.groupby(
        [*OBSERVATION_KEY, "source_url"], sort=False
    ):
        rows = group.drop_duplicates("value").to_dict("records")
        for i, first in enumerate(rows):
            for second in rows[i + 1 :]:
                k = _tenfold(first["value"], second["value"])
                if not k or not _in_focus((first, second), focus):
                    continue
                where = _where(first, second, focus)
                problems.append(
                    Problem(
                        where["source_file"],
                        int(where["source_row"]),
                        "value",
                        f"{region} {indicator} {year}: {url} gives {first['value']:g} ({_place(first)}) "
                        f"and {second['value']:g} ({_place(second)}), {10**k:g} times apart: "
                        "a decimal point or a unit slipped in one of them",
                        "read the figure again in the source and correct the wrong row",
                    )
                )
    return problems


def grade_warnings(observations: pd.DataFrame, files: Iterable[str] | None = None) -> list[Problem]:
    """One warning per source (URL) graded two ways, naming the first row of each grade: a source has one
    grade everywhere, so a conflict between its rows must not be settled by which excerpt named an
    original."""
    focus = set(files) if files is not None else None
    if "grade" not in observations:
        return []
    sourced = _shared(observations, ["source_url"], "grade")
    problems = []
    for url, group in sourced.groupby("source_url", sort=False):
        firsts = group.drop_duplicates("grade").to_dict("records")
        if len(firsts) < 2 or not _in_focus(group.to_dict("records"), focus):
            continue
        first, second = firsts[0], firsts[1]
        where = _where(first, second, focus)
        problems.append(
            Problem(
                where["source_file"],
                int(where["source_row"]),
                "source_url",
                f"{url} is graded {first['grade']} in {_place(first)} ({first['grade_reason']}) and "
                f"{second['grade']} in {_place(second)} ({second['grade_reason']}): one source has one grade",
                "add a domain rule for the site to data/source_grades.csv, so every row of it is graded "
                "alike, or correct the excerpt that names (or does not name) the original",
                "warning",
            )
        )
    return problems


def source_problems(observations: pd.DataFrame, files: Iterable[str] | None = None) -> list[Problem]:
    """The checks between rows of one source: a power of ten apart (errors), two grades (warnings)."""
    files = list(files) if files is not None else None
    return tenfold_errors(observations, files) + grade_warnings(observations, files)
