"""The sentences a reader sees beside a status, in English or Chinese.

A reason names the indicator as the page does (never its id), gives both ends of a pace with their
years, prints figures with the digits their sources printed, and, when a target cannot be judged,
says which figure for which year would decide it and where such figures are usually published
(data/publication_sources.csv, editable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.core.errors import PlanTrackerError
from analysis.core.labels import LANGUAGES, label
from analysis.core.precision import fmt, ratio_text, signed
from analysis.core.vocabulary import COMPARATOR_SIGNS

UNIT_WORDS = {
    "en": {"count": "", "index": "", "percentage points": "points", "%": "%"},
    "zh": {
        "count": "",
        "index": "",
        "percentage points": "个百分点",
        "%": "%",
        "years": "岁",
        "minutes": "分钟",
        "times": "次",
        "yuan": "元",
        "per 1000 population": "/千人",
        "per 10000 population": "/万人",
        "per 100000 population": "/10万",
        "per 100000 live births": "/10万",
        "‰": "‰",
    },
}

TEMPLATES: dict[str, tuple[str, str]] = {
    # judged
    "achieved": ("{name}: {latest} meets the target {target}.", "{name}：{latest}，已达到目标{target}。"),
    "achieved_change": (
        "{name}: {change} since {base_year} ({v0} → {v1}), meeting the target {target}.",
        "{name}：自{base_year}年以来{change}（{v0} → {v1}），已达到目标{target}。",
    ),
    "achieved_cumulative": (
        "{name}: {latest} already meets the target {target}; the count only grows, "
        "so it stood at least as high at the deadline {deadline}.",
        "{name}：{latest}，已达到目标{target}；该数只增不减，{deadline}年（目标年份）不会低于此数。",
    ),
    "missed": (
        "Deadline {deadline} passed: {name} was {latest}, short of the target {target}.",
        "目标年份{deadline}年已过：{name}为{latest}，未达到目标{target}。",
    ),
    "missed_cumulative": (
        "Deadline {deadline} passed: {name} was still {latest}, short of the target "
        "{target}; the count only grows, so it was short in {deadline} too.",
        "目标年份{deadline}年已过：{name}到{latest}仍未达到目标{target}；该数只增不减，"
        "{deadline}年同样未达到。",
    ),
    "pace_linear": (
        "{name} went from {v0} ({t0}) to {v1} ({t1}), {observed} a year; reaching {goal} by "
        "{deadline} needs {required} a year from {t0}: R = {ratio}.",
        "{name}从{t0}年的{v0}到{t1}年的{v1}，年均变化{observed}；{deadline}年达到{goal}"
        "需自{t0}年起年均{required}：R = {ratio}。",
    ),
    "pace_compound": (
        "{name} went from {v0} ({t0}) to {v1} ({t1}), {observed} % a year compound; reaching "
        "{goal} by {deadline} needs {required} % a year from {t0}: R = {ratio}.",
        "{name}从{t0}年的{v0}到{t1}年的{v1}，年均复合变化{observed}%；{deadline}年达到"
        "{goal}需自{t0}年起年均{required}%：R = {ratio}。",
    ),
    "pace_change": (
        "{name}: {change} from {base_year} to {t1} ({v0} → {v1}), {observed} a year; the "
        "target {target} by {deadline} needs {required} a year: R = {ratio}.",
        "{name}：{base_year}年至{t1}年{change}（{v0} → {v1}），年均{observed}；{deadline}年"
        "达到{target}需年均{required}：R = {ratio}。",
    ),
    "pace_flow": (
        "{name}: {latest}, against {target} needed every year: R = {ratio}.",
        "{name}：{latest}，每年需{target}：R = {ratio}。",
    ),
    "fell_back": (
        "{name} already met the target {target} with {v0} ({t0}) but fell back to {v1} ({t1}).",
        "{name}在{t0}年已达到目标{target}（{v0}），{t1}年回落至{v1}。",
    ),
    # not assessable
    "qualitative": ("The target states no number to measure against.", "该目标没有可衡量的数值。"),
    "no_data": ("No figure of {name} for {region} up to {cut}.", "{region}{cut}年及以前没有{name}的数据。"),
    "no_deadline_figure": (
        "The deadline {deadline} has passed and there is no {deadline} figure of {name} "
        "(latest before it: {latest}).",
        "目标年份{deadline}年已过，但没有{name}{deadline}年的数据（此前最新：{latest}）。",
    ),
    "no_base": (
        "The target counts the change since {base_year}, and there is no {base_year} figure of "
        "{name} for {region}{nearest}.",
        "该目标衡量自{base_year}年以来的变化，但{region}没有{name}{base_year}年的数据{nearest}。",
    ),
    "no_base_year": (
        "The target counts a change but states no base year.",
        "该目标衡量变化，但没有基期年份。",
    ),
    "zero_base": (
        "The base {v0} ({base_year}) is zero or a bound that allows zero: a change in % of it is undefined.",
        "基期值{v0}（{base_year}年）为零或可能为零，无法计算相对变化。",
    ),
    "flow_gap": (
        "The target counts what is done each year from {first}, and there is no {first} figure "
        "of {name} for {region}.",
        "该目标累计{first}年起每年完成的数量，但{region}没有{name}{first}年的数据。",
    ),
    "stock_only": (
        "The target is judged on the number done in a year; the figures of {name} are totals "
        "standing at year end, which cannot show a year's number.",
        "该目标按当年完成数判断；{name}的数据为年末累计数，不能说明当年完成多少。",
    ),
    "one_point": (
        "Only {latest}, and the target is not met: no pace can be measured.",
        "只有一个数据（{latest}），且尚未达到目标，无法计算进度。",
    ),
    "undecided": (
        "{name}: {latest} is a bound that leaves the status open ({statuses}).",
        "{name}：{latest}只是一个界限值，无法确定状态（可能为{statuses}）。",
    ),
    "bound_open": (
        "{name}: {latest} is a bound: it may or may not meet the target {target}.",
        "{name}：{latest}只是一个界限值，不能确定是否达到目标{target}。",
    ),
    "no_required_pace": (
        "The deadline is not after the base year: no pace is required.",
        "目标年份不晚于基期，无法计算所需进度。",
    ),
    "unknown_measure": (
        "The target's measure '{measure}' is not one this assessment knows.",
        "未知的目标衡量方式“{measure}”。",
    ),
    "no_direction": (
        "{name} has no known good direction: a change towards the target cannot be told.",
        "{name}没有已知的改善方向，无法判断变化方向。",
    ),
    "no_coverage": (
        "The target asks for {target} in each unit; it is judged on the share of units that "
        "reach it, and there is no such figure.",
        "该目标要求每个单位{target}；应按达到要求的单位占比判断，但没有该数据。",
    ),
    # notes
    "per_unit_own": (
        "Judged on the figure per unit; unless the source says every unit, an average can "
        "hide units that fall short.",
        "按每个单位的数值判断；除非来源说明每个单位均达到，平均数可能掩盖未达标的单位。",
    ),
    "per_unit_coverage": (
        "Judged on {name}, the share of units that reach it.",
        "按达到要求的单位占比（{name}）判断。",
    ),
    "nearest_later": (
        " (the nearest figure, {year}, has no later figure to compare with)",
        "（最接近的{year}年数据之后没有可比较的数据）",
    ),
    "base_nearest": (
        "The base is the {year} figure, the nearest to the base year {base_year}.",
        "基期值取{year}年的数据（最接近基期{base_year}年）。",
    ),
    "base_stated": (
        "The base, {v0} ({base_year}), is the plan's own.",
        "基期值{v0}（{base_year}年）为规划所述。",
    ),
    "flow_stops": (
        "Yearly figures stop after {year}; later years are not counted.",
        "逐年数据至{year}年中断，其后年份未计入。",
    ),
    "provisional": ("Provisional: it rests only on {grade} sources.", "暂定：仅依据{grade}来源。"),
    "needed": ("Would decide it: {needed}.", "所需数据：{needed}。"),
    "published": ("Such figures are usually published in {where}.", "此类数据通常见于{where}。"),
    # what would decide it
    "need_figure": ("the {year} figure of {name} for {region}", "{region}{year}年的{name}"),
    "need_recent": (
        "a figure of {name} for {region} for a recent year (up to {cut})",
        "{region}近年（{cut}年及以前）的{name}",
    ),
    "need_and_base": (
        "{first}, and the {base_year} figure as its base",
        "{first}，以及作为基期的{base_year}年数据",
    ),
    "need_exact": (
        "an exact {year} figure of {name} for {region} (the source gives only a bound)",
        "{region}{year}年{name}的确切数值（来源只给出界限）",
    ),
    "need_second": (
        "a second figure of {name} for {region}: one for {base_year} or earlier, or one after {year}",
        "{region}{name}的第二个数据：{base_year}年或更早，或{year}年以后",
    ),
    "need_flow": (
        "a yearly figure of {name} for {region}: what is done in {year} alone",
        "{region}{year}年当年的{name}（当年数）",
    ),
    "need_coverage": (
        "the share of units in {region} that reach {target} in {year}",
        "{region}{year}年达到{target}的单位占比",
    ),
}

GRADE_WORDS = {
    "en": {
        "official": "official",
        "official_media": "official-media",
        "repost": "repost",
        "unverified": "unverified",
    },
    "zh": {"official": "官方", "official_media": "官方媒体", "repost": "转载", "unverified": "未经核实的"},
}


def say(key: str, language: str, **fields) -> str:
    en, zh = TEMPLATES[key]
    return (zh if language == "zh" else en).format(**fields)


def join(parts: list[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(p for p in parts if p)


@dataclass(frozen=True)
class Words:
    """What the sentences of one target need: its indicator's name and unit, the region, the language."""

    language: str
    name: str
    region: str
    unit: str

    def figure(self, value: float, decimals: int, qualifier: str = "=", unit: str | None = None) -> str:
        """A figure with its bound sign and unit: ≥ 90 %, 32.52 %, 200."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        unit = self.unit if unit is None else unit
        word = UNIT_WORDS.get(self.language, {}).get(unit, unit)
        sign = COMPARATOR_SIGNS.get(qualifier or "=", qualifier)
        text = f"{sign} {fmt(value, decimals)}".strip()
        return f"{text} {word}".strip() if self.language != "zh" or word not in ("%", "‰") else text + word

    def dated(self, value: float, decimals: int, year: int, qualifier: str = "=") -> str:
        text = self.figure(value, decimals, qualifier)
        return f"{year}年{text}" if self.language == "zh" else f"{text} ({year})"

    def change(self, value: float, decimals: int, unit: str, qualifier: str = "=") -> str:
        """A change with its sign and unit: +1.5 points, −12.0 %."""
        word = UNIT_WORDS.get(self.language, {}).get(unit, unit)
        sign = COMPARATOR_SIGNS.get(qualifier or "=", qualifier)
        text = f"{sign} {signed(value, decimals)}".strip()
        return f"{text} {word}".strip() if self.language != "zh" or word in ("",) else f"{text}{word}"

    def statuses(self, statuses: list[str]) -> str:
        language = self.language if self.language in LANGUAGES else "en"
        return ("、" if language == "zh" else ", ").join(self._status_word(s, language) for s in statuses)

    @staticmethod
    def _status_word(status: str, language: str) -> str:
        """The status as the page's legend names it (templates/labels.csv), so a reason and the badge
        beside it use the same word."""
        try:
            return label(f"status_{status}", language)
        except PlanTrackerError:
            return status

    def grade(self, grade: str) -> str:
        return GRADE_WORDS.get(self.language, GRADE_WORDS["en"]).get(grade, grade)


def region_name(region: str, language: str) -> str:
    """A region as the pages name it; a region of a researcher's own file goes by its key."""
    try:
        return label(f"region_{region}", language)
    except PlanTrackerError:  # a region of a researcher's own file: its key is its name
        return region


def indicator_name(indicator: dict | None, fallback: str, language: str) -> str:
    """An indicator as the pages name it in `language`; its id when the catalogue has no name for it."""
    if not indicator:
        return fallback
    name = indicator.get("name_zh" if language == "zh" else "name_en")
    return str(name) if name and not pd.isna(name) else fallback


def where_published(table: pd.DataFrame | None, indicator: dict | None, language: str) -> str:
    """Where figures of this indicator usually appear: its own row of the table, else its theme's, else
    the table's default row (theme `*`)."""
    if table is None or table.empty:
        return ""
    column = "where_zh" if language == "zh" else "where_en"
    ind = indicator or {}
    for key, value in (("indicator", ind.get("indicator_id")), ("theme", ind.get("theme")), ("theme", "*")):
        if not value:
            continue
        hit = table[(table[key] == value) & ((table["indicator"] == "") if key == "theme" else True)]
        if len(hit):
            return str(hit[column].iloc[0])
    return ""


def ratio(value: float) -> str:
    return ratio_text(value)
