"""The region dashboard (issue 21, part 5): its status summary counted by hand, the sort keys and the toggle
the targets table writes for table-filter.js, and the wrapping of long chart titles and addresses that
keeps tables and charts inside their column (part 3). The browser half is tests/test_layout.py."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core import vocabulary
from analysis.site import charts, display, report
from analysis.site.region_data import status_rank, summary_counts

# Seven targets in two themes, counted by hand:
#   all:       achieved 2, on_track 1, missed 1, not_assessable 3         (7)
#   financing: achieved 1, not_assessable 2                               (3)
#   tcm:       achieved 1, on_track 1, missed 1, not_assessable 1         (4)
FRAME = pd.DataFrame(
    {
        "theme": ["tcm", "financing", "tcm", "tcm", "financing", "tcm", "financing"],
        "status": [
            "achieved",
            "achieved",
            "on_track",
            "missed",
            "not_assessable",
            "not_assessable",
            "not_assessable",
        ],
    }
)


def test_summary_counts_overall_and_per_theme_by_hand():
    counts = summary_counts(FRAME, "all").set_index("group")
    assert list(counts.index) == ["all", "financing", "tcm"]
    assert list(counts.columns) == [*vocabulary.STATUS_ORDER, "total"]
    assert counts.loc["all"].to_dict() == {
        "achieved": 2,
        "on_track": 1,
        "needs_acceleration": 0,
        "limited_progress": 0,
        "moving_away": 0,
        "missed": 1,
        "not_assessable": 3,
        "total": 7,
    }
    assert counts.loc["financing", ["achieved", "not_assessable", "total"]].tolist() == [1, 2, 3]
    assert counts.loc["tcm", ["achieved", "on_track", "missed", "not_assessable", "total"]].tolist() == [
        1,
        1,
        1,
        1,
        4,
    ]
    # every row's statuses add up to its total, and the themes to the whole
    assert (counts[vocabulary.STATUS_ORDER].sum(axis=1) == counts["total"]).all()
    assert counts.loc[["financing", "tcm"], "total"].sum() == counts.loc["all", "total"]


def test_summary_bar_parts_are_the_shares_written_beside_them():
    row = summary_counts(FRAME, "all").to_dict("records")[0]
    html = report.summary_row(row, "en", overall=True)
    widths = re.findall(r'pt-status-(\w+)" style="width:([0-9.]+)%', html)
    # 2/7, 1/7, 1/7, 3/7 of the bar, in the vocabulary's order
    assert widths == [
        ("achieved", "28.57"),
        ("on_track", "14.29"),
        ("missed", "14.29"),
        ("not_assessable", "42.86"),
    ]
    assert ">achieved 2<" in html and ">not assessable 3<" in html and "<b>7</b>" in html
    zh = report.summary_row(row, "zh")
    assert ">已实现 2<" in zh and ">无法评估 3<" in zh


def test_status_sorts_in_the_vocabularys_order_not_alphabetically():
    ranks = [status_rank(s) for s in ["not_assessable", "achieved", "missed", "on_track"]]
    assert ranks == [6, 0, 5, 1]
    assert sorted(vocabulary.STATUS_ORDER, key=status_rank) == vocabulary.STATUS_ORDER
    assert status_rank("unknown") == len(vocabulary.STATUS_ORDER)


@pytest.fixture(scope="module")
def bazhong() -> report.RegionReport:
    return report.region_report("bazhong", 2025, "en")


def test_targets_table_writes_sort_keys_and_a_hidden_toggle(bazhong):
    table = report.targets_table(bazhong)
    page = table.to_html()
    rows = re.findall(r"<tr ([^>]*)>", page)  # the header row has no attributes
    assert len(rows) == len(bazhong.targets)
    first = dict(re.findall(r'data-([\w-]+)="([^"]*)"', rows[0]))
    target = bazhong.targets.set_index("target_id").loc[table.data["target_id"][0]].to_dict()
    target["target_id"] = table.data["target_id"][0]
    status = bazhong.status.set_index("target_id").loc[target["target_id"], "status"]
    assert first["target"] == target["target_id"]
    assert first["sort-deadline"] == str(int(target["target_year"]))
    assert first["sort-status"] == str(vocabulary.STATUS_ORDER.index(status))
    # the controls are written hidden: without the script they would do nothing
    assert '<span class="pt-sort" data-role="sort" hidden>Sort by ' in page
    assert 'data-sort="status"' in page and 'data-sort="deadline"' in page
    assert (
        '<label class="pt-hide" hidden><input type="checkbox" data-role="hide" data-attr="status" '
        'data-value="not_assessable"> Hide targets that cannot be assessed</label>'
    ) in page


def test_a_wide_table_scrolls_in_its_box_and_a_card_table_does_not():
    data = pd.DataFrame({"name": ["a"]})
    plain = display.make_table("t", [("name", "col_name")], [["a"]], data, "en").to_html()
    cards = display.make_table("t", [("name", "col_name")], [["a"]], data, "en", cards=True).to_html()
    assert '<div class="pt-table-wrap" data-scroll-box>' in plain
    assert "data-scroll-box" not in cards


def test_long_addresses_are_shown_short_and_linked_whole():
    url = "http://wjw.guizhou.gov.cn/xwzx/tzgg/202301/t20230118_78087915.html"
    assert display.short_url(url) == "wjw.guizhou.gov.cn/…/t20230118_78087915.html"
    assert display.short_url("https://www.x.org/a/") == "x.org/a"
    link = display.url_link(url)
    assert f'href="{url}"' in link and f'title="{url}"' in link
    assert display.url_link("javascript:alert(1)") == "javascript:alert(1)"


def test_long_chart_titles_wrap_to_the_chart_width():
    title = "Share of counties with out-of-province tertiary hospital assistance"
    lines = charts.title_lines(title, 300)
    assert " ".join(lines) == title and len(lines) == 2
    assert all(charts.text_width(line, charts.TITLE_SIZE) <= 300 for line in lines)
    # 30 Chinese characters at 13 px are 390 px: two lines, broken between characters
    zh = "县域获得省外三级医院帮扶比例" * 2 + "比例"
    assert [len(x) for x in charts.title_lines(zh, 300)] == [23, 7]
    assert charts.title_lines("short", 300) == ["short"]
