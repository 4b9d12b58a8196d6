"""Source grades: each rule of data/source_grades.csv on a hand-picked page, corroboration, --min-grade."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import pipeline
from analysis.io.readers.settings import load_grade_rules
from analysis.observations import grading
from analysis.pipeline import Project

RULES = load_grade_rules()


@pytest.mark.parametrize(
    ("url", "text", "grade", "says"),
    [
        ("https://wjw.guizhou.gov.cn/zwgk/x.html", "县域内就诊率达92.6%", "official", "government domain"),
        ("https://www.cnbz.gov.cn/public/1.html", "2020年底,全市医疗机构3344个", "official", ".gov.cn"),
        (
            "http://sc.people.com.cn/n2/2024/0329/c1.html",
            "建成县域中医医疗次中心2个",
            "official_media",
            "人民网",
        ),
        (
            "https://gz.cri.cn/n/20230714/x.html",
            "全省三级公立医院从47家增加到71家",
            "official_media",
            "cri.cn",
        ),
        # a third-party page that names its original is a repost, whatever kind the seed gave it
        ("http://www.gwycn.cn/hot/id/97281.html", "记者从省政府新闻发布会获悉", "repost", "press conference"),
        (
            "https://www.yuhaojiang.com/redian/1.html",
            "[贵州日报 via third-party repost]",
            "repost",
            "贵州日报",
        ),
        # … one that names none, or a spam-like mirror, or a row the seed doubts, is unverified
        (
            "http://www.huayikangjian.com/detail/9656.html",
            "第一批50个次中心已全部完成建设",
            "unverified",
            "names no original",
        ),
        (
            "http://www.z9z0k.cn/news/content/1.html",
            "(新华社)全省人均预期寿命",
            "unverified",
            "random letters",
        ),
        (
            "http://kaowaiyu.cn/health/1.html",
            "Number of grade IIIA hospitals (LOW RELIABILITY)",
            "unverified",
            "low reliability",
        ),
        ("", "no page at all", "unverified", "no source page"),
    ],
)
def test_each_rule_grades_a_page(url, text, grade, says):
    got, reason = grading.grade_of(url, text, RULES)
    assert got == grade
    assert says.lower() in reason.lower()


def test_latin_patterns_match_whole_words_only():
    assert grading.grade_of("http://a.example/x", "a trivial remark", RULES)[0] == "unverified"
    assert grading.grade_of("http://a.example/x", "[Xinhua via mirror]", RULES)[0] == "repost"


def rows(*specs):
    """(url, value, resolution) rows of one region, indicator and year."""
    return pd.DataFrame(
        [
            {
                "region": "guizhou",
                "indicator": "life_expectancy",
                "year": 2020,
                "value": v,
                "qualifier": "=",
                "source_url": u,
                "excerpt": "(新华社) figure",
                "resolution": res,
            }
            for u, v, res in specs
        ]
    )


def test_corroboration_lifts_a_figure_to_its_best_source():
    frame = rows(
        ("http://www.z9z0k.cn/a", 75.2, "used"),
        ("https://wjw.guizhou.gov.cn/b", 75.2, "corroborates"),
        ("http://www.gwycn.cn/c", 75.0, "conflicts"),
    )
    graded = grading.with_grades(frame, RULES)
    assert graded["grade"].tolist() == ["unverified", "official", "repost"]
    assert graded["figure_grade"].tolist() == ["official"] * 3
    assert "corroboration" in graded["figure_grade_reason"].iloc[0]


def test_two_reposts_agreeing_stay_reposts():
    frame = rows(
        ("http://www.gwycn.cn/a", 75.2, "used"), ("https://www.yuhaojiang.com/b", 75.2, "corroborates")
    )
    assert grading.with_grades(frame, RULES)["figure_grade"].tolist() == ["repost", "repost"]


def test_every_shipped_observation_is_graded():
    loaded = pipeline.load_observations(Project.here())
    assert set(loaded["grade"]) <= set(grading.GRADES)
    assert loaded["grade_reason"].str.len().min() > 10
    # the government pages are official, the seed's spam-like mirrors are marked, not hidden
    on = loaded.set_index("source_url")["grade"]
    assert (on[on.index.str.contains(".gov.cn", regex=False)] == "official").all()
    assert (on[on.index.str.contains("z9z0k.cn", regex=False)] == "unverified").all()


def test_min_grade_keeps_better_sources_only_and_resolves_again():
    loaded = pipeline.load_observations(Project.here())
    better = pipeline.load_observations(Project.here(), min_grade="official_media")
    assert set(better["grade"]) <= {"official", "official_media"}
    assert len(better) == int(loaded["grade"].isin(["official", "official_media"]).sum())
    assert better.groupby(["region", "indicator", "year"])["used"].sum().eq(1).all()


def test_unknown_min_grade_is_an_error_naming_the_option():
    from analysis.core.errors import DataError

    with pytest.raises(DataError) as caught:
        pipeline.load_observations(Project.here(), min_grade="good")
    assert caught.value.problems[0].file == "--min-grade"
