"""Targets and past results from the running text of a plan: each quantity that reads as a target
becomes a proposed row, with a confidence and the rule that proposed it; each that reports a result of
the last period becomes a proposed observation.

A figure stated as a base (由18.5/10万下降到…, 在77.5岁的基础上) becomes the baseline of the target after it
in its sentence; deadlines joined by 和 (到2022年和2030年…分别达到A和B) give their values one year each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue.extraction.layout import Layout, plan_start
from analysis.catalogue.extraction.patterns import CN_SECTION, NOW, SPACE, FoundNumber, quantities
from analysis.catalogue.extraction.reading import (
    Reading,
    comparator,
    comparator_words,
    last_word,
    measure,
    read_quantity,
    target_row,
    target_year,
)
from analysis.core.schema import Wording

# The numbering a clause opens with (1. （三） 一、), left out of its words.
LEADING_SECTION = re.compile(rf"(?:\d{{1,2}}[.．、]|[（(][\d{CN_SECTION}]+[）)]|[{CN_SECTION}]+、){SPACE}")
# A figure stated as the base a target starts from: 由/从…, …到; 较/比…的; …的基础上.
FROM_BEFORE = re.compile(rf"(?:由|从){SPACE}{NOW}?{SPACE}(?:的)?{SPACE}$")
COMPARED_BEFORE = re.compile(rf"(?:较|比|相比){SPACE}{NOW}?{SPACE}的{SPACE}$")  # 较目前的76.3岁继续增长
TO_AFTER = re.compile(rf"^{SPACE}[^\d，。；;]{{0,6}}?(?:到|至)")
BASE_PHRASE_AFTER = re.compile(r"^(?:的)?(?:基础上|水平上)")


def _is_past(wording: Wording, layout_: Layout, position: int, start_year: int | None) -> bool:
    """A result already reached: in a review of the last period, in a sentence that reports one, or
    dated before the plan period its title states (2020年… in a plan for 2021—2025年)."""
    if layout_.line_in_review[layout_.line_index(position)]:
        return True
    start, end = layout_.piece(layout_.sentences, position)
    sentence = layout_.text[start:end]
    # 目前 … reports the present, but 较目前的, 在目前基础上 compare a target with it
    if any(
        not sentence[: m.start()].endswith(("较", "比", "从", "由", "在", "与"))
        for w in wording.rules["past_markers"]
        for m in re.finditer(re.escape(w), sentence)
    ):
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
    _, after_words = comparator_words(wording)
    for word, sign in after_words.items():
        if after.lstrip().startswith(word):
            return sign
    return ">" if prefix.rstrip().endswith("超过") else "="


def _confidence(stated: bool, year_note: str, chinese: bool, base_missing: bool) -> str:
    """high: a comparator word and a year in its own sentence; low: a bare number on the horizon year."""
    score = int(stated) + (
        1 if "sentence" in year_note or "table" in year_note else -1 if "guessed" in year_note else 0
    )
    score -= int(chinese) + int(base_missing)
    return "high" if score >= 2 else "medium" if score == 1 else "low"


def _clause_bounds(layout_: Layout, position: int) -> tuple[int, int]:
    """The clause around a position, without the section number it opens with."""
    start, end = layout_.piece(layout_.clauses, position)
    numbering = LEADING_SECTION.match(layout_.text, start, position)
    return (numbering.end() if numbering else start), end


@dataclass(frozen=True)
class Clause:
    """The clause a number stands in (its words and where they start), and its words before and after the
    number: what a number means is read from them."""

    start: int
    words: str
    before: str
    after: str


def _clause_of(layout_: Layout, row: FoundNumber) -> Clause:
    """The clause around a number, read once for every decision about it."""
    start, end = _clause_bounds(layout_, row.start)
    text = layout_.text
    return Clause(start, text[start:end], text[start : row.start], text[row.end : end])


def _not_target_clause(wording: Wording, clause: str) -> bool:
    """A clause about money, what exists already or copies of a document (支付, 已建成, 一式两份), once
    the phrases that only look like such words (在现有基础上: a base) are left out."""
    for phrase in wording.rules["not_target_exceptions"]:
        clause = clause.replace(phrase, "")
    return any(w in clause for w in wording.rules["not_target_words"])


def _states_a_base(clause: Clause) -> bool:
    """由18.5/10万下降到…, 在77.5岁的基础上, 较目前的76.3岁: the figure is where a target starts from."""
    return bool(
        (FROM_BEFORE.search(clause.before) and TO_AFTER.match(clause.after))
        or BASE_PHRASE_AFTER.match(clause.after)
        or COMPARED_BEFORE.search(clause.before)
    )


def sentence_proposals(
    wording: Wording, numbers: pd.DataFrame, layout_: Layout, horizon: int, horizon_guessed: bool = False
) -> tuple[list[dict], list[dict]]:
    """Targets and past results from the running text, one per quantity that reads as either."""
    targets, observed = [], []
    baselines: dict[int, tuple[float, int | None]] = {}  # sentence start → the base value stated before
    phrase_clauses: set[int] = set()  # clauses that gave their full value (所有…均能: one per clause)
    start_year = plan_start(layout_.text)
    for row in _running_text(numbers, layout_):
        if layout_.in_label[row.start]:
            targets += _service_circle(wording, layout_, row, horizon)
            continue
        clause = _clause_of(layout_, row)
        past = _is_past(wording, layout_, row.start, start_year)
        reading = _reading(wording, row, clause, past, phrase_clauses)
        if reading is None:
            continue
        if row.form == "phrase":
            phrase_clauses.add(clause.start)
        base_year = _base_year(layout_, row.start)
        if _states_a_base(clause):
            baselines[row.sentence_start] = (reading.value, base_year)
            if past and base_year is not None:
                observed.append(_observation(wording, layout_, row, clause, reading, base_year))
        elif past:
            observed.append(
                _observation(wording, layout_, row, clause, reading, _observed_year(layout_, row.start))
            )
        else:
            base_value, stated_base = baselines.pop(row.sentence_start, (np.nan, None))
            targets.append(
                _sentence_target(
                    wording,
                    layout_,
                    row,
                    clause,
                    reading,
                    (base_value, stated_base or base_year),
                    horizon,
                    horizon_guessed,
                )
            )
    return _pair_years(targets), observed


def _running_text(numbers: pd.DataFrame, layout_: Layout) -> list[FoundNumber]:
    """The quantities (and phrases such as 全覆盖) outside titles, forms to fill in and indicator tables."""
    return [
        row
        for row in quantities(numbers, phrases=True).itertuples()
        if not layout_.not_target[row.start] and not layout_.in_table[row.start]
    ]


def _reading(
    wording: Wording, row: FoundNumber, clause: Clause, past: bool, phrase_clauses: set[int]
) -> Reading | None:
    """What the quantity would be as a target or a result; None when its clause is not about one, when
    it cannot be one, or for a second full value (所有…均能) in a clause that gave one."""
    if _not_target_clause(wording, clause.words) or (row.form == "phrase" and clause.start in phrase_clauses):
        return None
    return read_quantity(wording, row, clause.before, clause.words, clause.after, observed=past)


def _sentence_target(
    wording: Wording,
    layout_: Layout,
    row: FoundNumber,
    clause: Clause,
    reading: Reading,
    baseline: tuple[float, int | None],
    horizon: int,
    horizon_guessed: bool,
) -> dict:
    """The proposed row of a quantity that reads as a target: its year, what it measures, its notes,
    the rule that proposed it and how confident that is."""
    base_value, base_year = baseline
    year, year_note, paired = target_year(layout_, row.start, horizon)
    if horizon_guessed and "horizon" in year_note:
        year_note += " (guessed: the commonest 到20XX年 of the text)"
    measure_ = measure(wording, reading, clause.before)
    sign = comparator(wording, clause.before, clause.after)
    before_words, _ = comparator_words(wording)
    stated = (
        last_word(clause.before, list(before_words)) is not None
        or sign != ">="
        or reading.kind == "relative_change"
    )
    stated_year = base_year if base_year is not None else pd.NA
    strong = stated or row.expression in wording.rules["always_proposed_phrases"]
    return target_row(
        layout_,
        row,
        clause.words,
        reading,
        year,
        _target_notes(wording, reading, clause.after, year_note, measure_, base_year),
        comparator=sign,
        baseline_value=base_value,
        # a base figure stated without a year keeps an empty year (None); no base figure: the stated year
        baseline_year=base_year if not np.isnan(base_value) else stated_year,
        measure=measure_,
        base_year=stated_year,
        confidence=_confidence(
            strong, year_note, row.form == "chinese", measure_ != "level" and base_year is None
        ),
        rule=_rule(row, reading, measure_, stated),
        paired=paired,
        clause_start=clause.start,
    )


def _rule(row: FoundNumber, reading: Reading, measure_: str, stated: bool) -> str:
    """The rule that proposed a target from the running text, for the reviewer to weigh it."""
    if row.form == "phrase":
        return "full value"
    if reading.kind == "relative_change":
        return "relative change"
    if measure_ == "increase":
        return "increase"
    return "comparator word" if stated else "bare number"


def _target_notes(
    wording: Wording, reading: Reading, after: str, year_note: str, measure_: str, base_year: int | None
) -> tuple[str, ...]:
    """What a reviewer should know of a proposal: how its figure was read, where its year comes from,
    and its base year (stated, or missing for a change)."""
    approximate = [w for w in wording.rules["approximate_after"] if after.lstrip().startswith(w)]
    stated_notes = tuple(n for n in reading.notes if base_year is None or "base unstated" not in n)
    notes = stated_notes + tuple(f"{w}: approximate, kept as at least" for w in approximate) + (year_note,)
    if base_year is not None:
        notes += (f"base year {base_year} as stated",)
    elif measure_ != "level":
        notes += (f"{measure_}: base year not stated",)
    return notes


def _service_circle(wording: Wording, layout_: Layout, row: FoundNumber, horizon: int) -> list[dict]:
    """构建“城区15分钟、农村30分钟”急救圈: a quoted travel time to build is a target (at most that many
    minutes); a quoted circle the text only refers to (围绕“15分钟服务圈”要求) is a label: no row."""
    text = layout_.text
    opening, closing = text.rfind("“", 0, row.start), text.find("”", row.end)
    if row.unit not in wording.rules["service_circle_units"] or opening < 0 or closing < 0:
        return []
    built = text[max(opening - 4, 0) : opening].endswith(tuple(wording.rules["service_circle_verbs"]))
    if not built or "圈" not in text[closing : closing + 8]:
        return []
    start, end = _clause_bounds(layout_, row.start)
    clause = text[start:end]
    year, year_note, _ = target_year(layout_, row.start, horizon)
    return [
        target_row(
            layout_,
            row,
            clause,
            Reading(row.value, "minutes", "level"),
            year,
            ("a service circle to build: at most this travel time", year_note),
            comparator="<=",
            baseline_value=np.nan,
            baseline_year=pd.NA,
            measure="level",
            base_year=pd.NA,
            confidence="medium",
            rule="service circle",
            paired=(),
            clause_start=start,
        )
    ]


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
        chunks = [members[k * per_year : (k + 1) * per_year] for k in range(len(years))]
        units = {tuple(t["unit"] for t in chunk) for chunk in chunks}
        if per_year and len(members) == per_year * len(years) and len(units) == 1:
            for chunk, year in zip(chunks, years, strict=True):
                for target in chunk:
                    target.update(
                        target_year=year,
                        rule=target["rule"] + "; paired deadlines",
                        note=re.sub(
                            r"year from the (sentence|paragraph)",
                            f"year {year} of the paired deadlines {years}",
                            target["note"],
                        ),
                    )
        else:
            for target in members:
                target.update(
                    confidence="low",
                    note=target["note"] + f"; {len(members)} values against the "
                    f"paired deadlines {years}: check the year",
                )
    return targets


def _observation(
    wording: Wording, layout_: Layout, row: FoundNumber, clause: Clause, reading: Reading, year: int | None
) -> dict:
    """A proposed observation (the observation intake format) of a result the plan reports."""
    start, end = layout_.piece(layout_.sentences, row.start)
    return {
        "year": year if year is not None else pd.NA,
        "qualifier": _qualifier(wording, clause.before, clause.after),
        "value": reading.value,
        "unit": reading.unit,
        "excerpt": layout_.text[start:end],
        "indicator_zh": clause.words,
        "note": "drafted by plantracker extract: a result the plan reports"
        + ("" if year is not None else "; the text states no year: fill it in"),
    }
