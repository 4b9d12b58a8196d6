"""The extractor: finding numbers in sentences taken from the five plans, and proposing targets."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis import pipeline
from analysis.cli import app
from analysis.errors import DataError
from analysis.extraction import comparator, find_numbers, infer_horizon, propose_targets, quantities
from analysis.pipeline import document_text, load_registry, load_targets
from analysis.schema import TARGET_COLUMNS


def found(text: str) -> list[tuple[str, float, str, str]]:
    """(expression, value, unit, role) of every number of the text, in order."""
    numbers = find_numbers(text)
    return list(zip(numbers["expression"], numbers["value"], numbers["unit"], numbers["role"], strict=True))


def proposed(text: str, horizon: int = 2027) -> pd.DataFrame:
    return propose_targets(text, document="999_test.txt", region="guizhou", horizon=horizon)


# ---------------------------------------------------------------- find_numbers

def test_several_rates_in_one_sentence_each_with_its_unit():
    text = "2023年贵阳贵安孕产妇、婴儿、5岁以下儿童死亡率分别控制在12/10万、3.5‰、5‰以内。"
    assert found(text) == [("2023年", 2023, "", "date"), ("5岁", 5, "岁", "quantity"),
                           ("12/10万", 12, "/10万", "quantity"), ("3.5‰", 3.5, "‰", "quantity"),
                           ("5‰", 5, "‰", "quantity")]


def test_positions_point_at_the_expression_and_its_sentence():
    text = "一、目标要求\n到2027年，国家三级公立医院绩效监测结果A级达10家，其中A+不低于4家。下一句。"
    numbers = find_numbers(text)
    for row in numbers.itertuples():
        assert text[row.start:row.end] == row.expression
        assert text[row.sentence_start:row.sentence_end] == row.sentence
        assert row.sentence_start <= row.start < row.end <= row.sentence_end
    four = numbers[numbers["expression"].eq("4家")].iloc[0]
    assert four["sentence"] == "到2027年，国家三级公立医院绩效监测结果A级达10家，其中A+不低于4家。"


def test_dates_are_told_apart_from_quantities():
    text = ("纵深推进《贵州省整体提升卫生健康水平攻坚行动计划（2021—2030年）》（黔党发〔2021〕36号）。"
            "2023年3月30日。到2024年底，组建专科联盟10个以上。于2023年3月底前出台。")
    roles = {e: r for e, _, _, r in found(text)}
    assert roles == {"2021—2030年": "date", "〔2021〕": "date", "36号": "quantity", "2023年3月30日": "date",
                     "2024年底": "date", "10个": "quantity", "2023年3月底": "date"}
    date_range = find_numbers(text).iloc[0]
    assert (date_range["value"], date_range["upper"]) == (2021, 2030)


def test_section_numbers_are_told_apart_from_quantities():
    text = ("一、目标要求\n（三）培育建设医学重点学科\n8.培育重点优势学科28个。\n"
            "全力做好贵阳市第一人民医院(哨点医院)监测。(1)贵阳市妇幼保健院通过复核评估。\n5、 保障措施")
    roles = [(e, r) for e, _, _, r in found(text)]
    assert roles == [("一、", "section"), ("（三）", "section"), ("8.", "section"), ("28个", "quantity"),
                     ("第一", "section"), ("(1)", "section"), ("5、", "section")]


def test_chinese_numerals_count_only_with_a_measure_word():
    text = ("深入实施攻坚“七个专项行动”，一般病在市县解决，统一管理，打造一批重点科研项目，"
            "推进一体化管理，一次性给予800万元支持，有累计一年以上的经历，三四级手术占比不低于65%。")
    assert found(text) == [("七个", 7, "个", "quantity"), ("800万元", 800, "元", "quantity"),
                           ("一年", 1, "年", "quantity"), ("三四级", 3, "级", "quantity"),
                           ("65%", 65, "%", "quantity")]
    grades = find_numbers(text).set_index("expression")
    assert grades.loc["三四级", "upper"] == 4  # 三四级 = grades 3 and 4
    assert grades.loc["800万元", "magnitude"] == 10_000


def test_ranges_keep_both_bounds():
    text = ("辐射带动3—5个乡镇，孵化2-3所研究型医院，建成老年医院2至3家，"
            "每3万—10万居民设置1所社区卫生服务中心。")
    numbers = find_numbers(text)
    bounds = list(zip(numbers["expression"], numbers["value"], numbers["upper"], numbers["magnitude"],
                      strict=True))
    assert bounds[:3] == [("3—5个", 3, 5, 1), ("2-3所", 2, 3, 1), ("2至3家", 2, 3, 1)]
    assert bounds[3] == ("3万—10万", 3, 10, 10_000)  # 3万 to 10万: both in units of 10 000
    assert bounds[4][:2] == ("1所", 1) and math.isnan(bounds[4][2])


def test_full_width_digits_and_decimal_marks_read_as_numbers():
    text = "达到１２个，管理率达９２。５％以上"
    assert found(text) == [("１２个", 12, "个", "quantity"), ("９２。５％", 92.5, "%", "quantity")]


def test_full_coverage_is_a_phrase_worth_100_but_not_inside_a_word():
    numbers = find_numbers("实现县办中医医疗机构全覆盖。健全覆盖全省各市（州）死因监测体系。")
    assert list(zip(numbers["expression"], numbers["value"], numbers["unit"], numbers["form"], strict=True)) \
        == [("全覆盖", 100, "%", "phrase")]
    assert quantities(numbers).empty  # phrases are not numbers the catalogue must account for


def test_money_with_a_per_unit_suffix_and_a_ratio():
    assert found("每年至少补助6.5万元/人，比例为3:1") == [("6.5万元/人", 6.5, "元/人", "quantity"),
                                                       ("3:1", 3, "ratio", "quantity")]


# ---------------------------------------------------------------- comparators and proposals

@pytest.mark.parametrize(("prefix", "after", "expected"), [
    ("分别控制在", "、3.5‰、5‰以内", "<="),  # the ceiling word closes the list
    ("死因监测报告粗死亡率不低于", "", ">="),
    ("", "以上县级综合医院达到国家县医院医疗服务能力推荐标准", ">="),
    ("新建县域医疗次中心", "", ">="),  # no word: at least
    ("5岁以下儿童死亡率", "以下", "<="),
    ("为全市", "以上老年人开展筛查", ">="),
])
def test_comparator_from_the_wording(prefix, after, expected):
    assert comparator(prefix, after) == expected


def test_rates_of_one_sentence_become_one_row_each_with_the_ceiling():
    sentence = "2023年贵阳贵安孕产妇、婴儿、5岁以下儿童死亡率分别控制在12/10万、3.5‰、5‰以内"
    rows = proposed(sentence + "。")
    assert list(zip(rows["target_value"], rows["unit"], rows["comparator"], rows["kind"], rows["target_year"],
                    strict=True)) == [(12, "per 100000 live births", "<=", "rate", 2023),
                                      (3.5, "‰", "<=", "rate", 2023), (5, "‰", "<=", "rate", 2023)]
    assert set(rows["quote"]) == {sentence}


def test_share_relative_change_coverage_and_per_population_level():
    text = ("到2025年，全省国家区域医疗中心相关病种省域外转率降低20%；"
            "省级慢性病综合防控示范区创建覆盖率达40%；"
            "居民健康素养水平提高到30%；每千人口拥有3岁以下婴幼儿托位数4.5个。")
    rows = proposed(text).set_index("target_value")
    assert rows.loc[20, ["kind", "unit"]].tolist() == ["relative_change", "%"]
    assert rows.loc[40, ["kind", "unit"]].tolist() == ["coverage", "%"]
    assert rows.loc[30, ["kind", "unit"]].tolist() == ["share", "%"]  # 提高到: a level, not a change
    assert rows.loc[4.5, ["kind", "unit"]].tolist() == ["level", "per 1000 population"]
    assert set(rows["target_year"]) == {2025}
    assert "base unstated" in rows.loc[20, "note"]


def test_coverage_only_for_the_measure_that_is_one():
    text = "孕产妇系统管理率达92%以上、0-3岁儿童系统管理率达92%以上、7岁以下儿童健康覆盖率达到93%以上。"
    assert proposed(text)["kind"].tolist() == ["share", "share", "coverage"]


def test_money_labels_titles_and_procedure_propose_nothing():
    text = ("对新获批建设的国家技术创新中心一次性给予800万元支持。深入实施“七个专项行动”。"
            "按照《贵州省卫生系列专业技术职务任职资格申报评审条件》执行。每3年为一个周期。"
            "省市每年对照帮扶标准开展1次联合督导。本协议一式三份。所有附件和补充协议成为本协议的有效组成部分。")
    assert proposed(text).empty


def test_range_lower_bound_approximate_value_and_full_value_words():
    text = "建成老年医院2-3家，规划建设国家区域医疗中心5个左右，县级中医医院全部建成“两专科一中心”。"
    rows = proposed(text)
    assert rows["target_value"].tolist() == [2, 5, 100]
    assert "lower bound kept" in rows["note"].iloc[0]
    assert rows["comparator"].iloc[1] == ">=" and "approximate" in rows["note"].iloc[1]
    assert rows[["unit", "kind"]].iloc[2].tolist() == ["%", "coverage"]


def test_grades_reached_are_targets_but_hospital_grades_are_not():
    text = ("完成医院信息互联互通三级认证。创建三级甲等医院6家。"
            "二级、三级医院电子病历系统应用水平分别达到3级、4级。")
    rows = proposed(text)
    assert list(zip(rows["target_value"], rows["unit"], strict=True)) == [(3, "index"), (6, "count"),
                                                                          (3, "index"), (4, "index")]


def test_year_from_sentence_paragraph_heading_or_horizon():
    text = ("（一）2026年重点任务\n建成示范中医馆3个。\n"
            "二、到2024年底，组建专科联盟10个以上。到2027年底，组建专科联盟30个以上。组建医疗集团2个。\n"
            "培育特色科室12个。")
    rows = proposed(text, horizon=2030).set_index("target_value")
    assert rows.loc[3, "target_year"] == 2026 and "heading" in rows.loc[3, "note"]
    assert rows.loc[10, "target_year"] == 2024 and rows.loc[30, "target_year"] == 2027
    assert rows.loc[2, "target_year"] == 2027 and "paragraph" in rows.loc[2, "note"]
    assert rows.loc[12, "target_year"] == 2030 and "horizon" in rows.loc[12, "note"]


def test_clause_label_is_the_section_numbering_from_the_outside_in():
    text = "二、主要任务\n（三）培育建设医学重点学科\n8.培育重点优势学科28个。"
    assert proposed(text)["clause"].tolist() == ["二（三）8"]


def test_horizon_is_the_most_frequent_year_aimed_at():
    assert infer_horizon("到2027年，甲。到2025年，乙。到2027年底，丙。") == 2027
    assert infer_horizon("没有年份") is None
    with pytest.raises(DataError, match="horizon"):
        propose_targets("建成示范中医馆3个。")


def test_draft_catalogue_and_extract_command_write_targets_columns(tmp_path):
    plan = tmp_path / "new_plan.txt"
    plan.write_text("到2030年，全市孕产妇死亡率控制在10/10万以下，人均预期寿命达到79岁。", encoding="utf-8")
    draft = pipeline.draft_catalogue(plan, region="guiyang", root=tmp_path)
    assert list(draft.columns) == TARGET_COLUMNS
    assert draft["target_id"].tolist() == ["new_plan-unassigned-2030", "new_plan-unassigned-2030-b"]
    assert list(zip(draft["target_value"], draft["unit"], draft["comparator"], strict=True)) == [
        (10, "per 100000 live births", "<="), (79, "years", ">=")]
    out = tmp_path / "draft.csv"
    result = CliRunner().invoke(app, ["extract", str(plan), "--out", str(out), "--horizon", "2031"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == TARGET_COLUMNS


# ---------------------------------------------------------------- recall on the five plans

def _overlaps(text: str, quote: str, start: int, end: int) -> bool:
    at = text.find(quote)
    while at >= 0:
        if at < end and at + len(quote) > start:
            return True
        at = text.find(quote, at + 1)
    return False


def _matches(catalogue_row, proposal, text: str) -> bool:
    return (math.isclose(proposal.target_value, catalogue_row.target_value)
            and proposal.unit == catalogue_row.unit
            and _overlaps(text, catalogue_row.quote, proposal.sentence_start, proposal.sentence_end))


@pytest.mark.parametrize("document", load_registry()["file"].tolist())
def test_extractor_recovers_the_catalogue_rows_of_each_plan(document):
    """≥ 90 % of a plan's catalogue rows have a proposal with the same value and unit in the same sentence.

    A proposal may recover several rows (健康学校、健康机关达到65%以上 is one number, two rows); precision is
    the share of proposals that recover some row.
    """
    text, registry = document_text(document), load_registry().set_index("file")
    catalogue = load_targets()
    catalogue = catalogue[catalogue["document"].eq(document)]
    proposals = propose_targets(text, document=document, horizon=int(registry.loc[document, "horizon_year"]))
    hits = [[_matches(c, p, text) for p in proposals.itertuples()] for c in catalogue.itertuples()]
    recovered = [any(h) for h in hits]
    useful = [any(h[i] for h in hits) for i in range(len(proposals))]
    recall, precision = sum(recovered) / len(catalogue), sum(useful) / max(len(proposals), 1)
    print(f"\n{document}: recall {sum(recovered)}/{len(catalogue)} = {recall:.0%}, "
          f"precision {sum(useful)}/{len(proposals)} = {precision:.0%}")
    for ok, row in zip(recovered, catalogue.itertuples(), strict=True):
        if not ok:
            print(f"  not recovered: row {row.row} {row.target_value:g} {row.unit} «{row.quote}»")
    assert recall >= 0.9
