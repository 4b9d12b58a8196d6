"""Reading one quantity as a target: its value, unit and kind (`read_quantity`), its comparator, the
year it takes and what it measures (level, increase, per_year …); and the proposed catalogue row
(`target_row`) that the running text and the indicator tables both fill in.

Each reading looks only at the words of the quantity's clause (before and after it) and at the layout
of the text; none of it knows where the quantity will go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from analysis.catalogue.extraction.layout import Layout
from analysis.catalogue.extraction.patterns import CN_DIGITS, NOW, SPACE, FoundNumber
from analysis.core.schema import UnitRule, Wording


@dataclass(frozen=True)
class Reading:
    """A quantity read as a target: its value in the unit of the catalogue, that unit, the kind of
    target, and notes on how it was read (a range's lower bound kept …)."""

    value: float
    unit: str
    kind: str
    notes: tuple[str, ...] = ()


def last_word(prefix: str, words: list[str]) -> tuple[int, str] | None:
    """The word of the list that ends last in the prefix; the longest on a tie (不低于 over 低于)."""
    found = [(prefix.rfind(w) + len(w), len(w), w) for w in words if w in prefix]
    return max(found)[::2] if found else None


def comparator_words(wording: Wording) -> tuple[dict[str, str], dict[str, str]]:
    """The comparator each word gives, for words before the number (不低于 → >=) and after it (以内 → <=)."""
    before = {w: c for c, words in wording.rules["comparator_before"].items() for w in words}
    after = {w: c for c, words in wording.rules["comparator_after"].items() for w in words}
    return before, after


def comparator(wording: Wording, prefix: str, after: str) -> str:
    """`>=`, `<=` or `==` from the words around a number, within its clause (default: at least)."""
    before_words, after_words = comparator_words(wording)
    cut = min([after.find(w) for w in before_words if w in after] + [len(after)])
    window = after[:cut]
    qualifiers = tuple(wording.rules["qualifier_units"]) + ("及",)
    hits = sorted(
        (m.start(), w)
        for w in after_words
        for m in re.finditer(re.escape(w), window)
        if not window[: m.start()].endswith(qualifiers)
    )
    if hits:
        return after_words[hits[0][1]]
    last = last_word(prefix, list(before_words))
    return before_words[last[1]] if last else ">="


def _per_population_unit(wording: Wording, denominator: str, clause: str) -> str:
    """/10万 → per 100000 population, or per 100000 live births where the clause speaks of births."""
    number = float(re.sub(r"[^\d.]", "", denominator)) * (1e4 if "万" in denominator else 1)
    if number == 1e5 and any(w in clause for w in wording.rules["per_live_births_words"]):
        return "per 100000 live births"
    return f"per {number:.0f} population"


def _full_value(wording: Wording, row: FoundNumber, clause: str) -> Reading | None:
    """全覆盖, or 全部/所有 in a clause with a verb of attainment or 均 (所有…均开展): 100 % coverage."""
    always = row.expression in wording.rules["always_proposed_phrases"]
    markers = wording.rules["attainment_verbs"] + wording.rules["all_of_markers"]
    if always or any(v in clause for v in markers):
        return Reading(row.value, "%", "coverage", (f"{row.expression} = 100",))
    return None


def _grade_reached(wording: Wording, row: FoundNumber, prefix: str, after: str, stated: bool) -> bool:
    """3级 after 达到 …, 完成…三级认证: a grade to reach, not the name of a kind of hospital."""
    if after.startswith(tuple(wording.rules["grade_names_after"])):
        return False
    return (row.form == "arabic" and stated) or last_word(prefix, wording.rules["grade_verbs"]) is not None


def _names_something(
    wording: Wording, row: FoundNumber, prefix: str, after: str, rule: UnitRule | None
) -> bool:
    """Counts that organise the work or name things (每批次3-5人, 1人任队长, 其余18个县, 四个能力)."""
    if any(w in prefix for w in wording.rules["per_occasion_words"]):
        return True
    a_count = rule is not None and rule.unit == "count"
    if a_count and any(w in after[:6] for w in wording.rules["aspect_nouns"]):
        return True  # 聚焦5个重点领域, 从3个方面: how the text is organised
    if prefix.rstrip().endswith(tuple(wording.rules["existing_set_before"])):
        return True
    if a_count and row.unit in ("人", "名") and after.lstrip().startswith(tuple(wording.rules["role_after"])):
        return True
    last_item = prefix.rsplit("、", 1)[-1]
    before_words, _ = comparator_words(wording)
    listed = "、" in prefix and prefix.count("、") + 1 == row.value
    if (
        row.form == "chinese"
        and a_count
        and listed
        and not re.search(r"\d", last_item)
        and not any(w in last_item for w in before_words)
    ):
        return True  # 诊疗能力、健康管理、医院管理、人才建设四个能力: the number of the items listed
    return (
        row.form == "chinese"
        and rule is not None
        and rule.category == "quantity"
        and not any(v in prefix for v in wording.rules["chinese_count_verbs"])
    )


def read_quantity(
    wording: Wording, row: FoundNumber, prefix: str, clause: str, after: str = "", observed: bool = False
) -> Reading | None:
    """What a quantity would be as a target (value, unit, kind), or None when it cannot be one.
    `observed`: the sentence reports a result, where an age is a value (人均预期寿命77.2岁) without 达到."""
    if row.form == "phrase":
        return _full_value(wording, row, clause)
    before_words, _ = comparator_words(wording)
    stated = last_word(prefix, list(before_words)) is not None
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
    if _not_a_target_in_its_unit(wording, rule, unit, prefix, after, observed):
        return None
    return _shape(wording, row, rule, prefix, clause)


def _not_a_target_in_its_unit(
    wording: Wording, rule: UnitRule, unit: str, prefix: str, after: str, observed: bool
) -> bool:
    """An age no one is to reach (5岁以下儿童: who is counted), a time, sum of money, multiple or label,
    or how often something is done (每年开展1次督导): numbers of a unit that are no target here."""
    before_words, _ = comparator_words(wording)
    changes = tuple(wording.rules["relative_change_before"] + wording.rules["from_words"] + ("较", "比"))
    core = re.sub(rf"{NOW}?{SPACE}的?{SPACE}$", "", prefix)  # 提高到2025年的77.5岁, 较目前的76.3岁
    reached = observed or core.rstrip().endswith(tuple(before_words) + changes)
    who = after.lstrip().startswith(("以下", "以上", "及以上", "及以下"))
    if rule.category == "age" and (not reached or who):
        return True
    if rule.category in ("time", "money", "multiple", "label"):
        return True
    return unit in wording.rules["frequency_units"] and any(
        w in prefix for w in wording.rules["frequency_words"]
    )


def _speaks_of_coverage(wording: Wording, prefix: str, clause: str) -> bool:
    """Coverage when the measure named last before the number is one (覆盖率), else when the clause is."""
    measure = last_word(prefix, wording.rules["measure_words"])
    if measure is None:
        return any(w in clause for w in wording.rules["coverage_words"])
    end, word = measure
    return prefix[: end - len(word)].endswith("覆盖")


def _shape(wording: Wording, row: FoundNumber, rule: UnitRule, prefix: str, clause: str) -> Reading:
    """Unit and kind from the unit as printed and the words of the clause."""
    value, unit, kind = row.value * row.magnitude, rule.unit, rule.kind
    per_population = [
        u
        for w, u in wording.rules["per_population"].items()
        if re.search(rf"(?<![\d.{CN_DIGITS}十百]){re.escape(w)}(?!次)", clause)
    ]
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
    for name, (start, end) in (
        ("sentence", layout_.piece(layout_.sentences, position)),
        ("paragraph", layout_.lines[layout_.line_index(position)]),
    ):
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
    if tail.endswith(tuple(wording.rules["relative_change_before"])) or any(
        w in prefix for w in wording.rules["increase_words"]
    ):
        return "increase"
    if (
        reading.unit == "count"
        and any(w in prefix for w in wording.rules["flow_words"])
        and not any(w in prefix for w in wording.rules["per_year_words"])
    ):
        return "increase"
    if any(w in prefix for w in wording.rules["per_year_words"]):
        return "per_year"
    if re.search(wording.rules["per_unit_pattern"], prefix) and reading.unit == "count":
        return "per_unit"
    return "level"


def target_row(
    layout_: Layout,
    row: FoundNumber,
    clause: str,
    reading: Reading,
    year: int,
    notes: tuple[str, ...],
    **extra: object,
) -> dict:
    """A proposed catalogue row: the clause quoted as the description, where the number and its sentence
    stand in the text, and the `extra` columns (comparator, baseline, measure, confidence, rule …)."""
    return {
        "clause": layout_.section(row.start),
        "description_zh": clause,
        "description_en": "",
        "target_value": reading.value,
        "unit": reading.unit,
        "target_year": year,
        "kind": reading.kind,
        "quote": clause,
        "note": "drafted by plantracker extract; " + "; ".join(notes),
        "start": row.start,
        "end": row.end,
        "sentence_start": row.sentence_start,
        "sentence_end": row.sentence_end,
        **extra,
    }
