"""What the report pages show: tables escaped and downloadable, figures printed as the sources print them,
the figure a target without data needs, a region page computed from its own and the context series."""

from __future__ import annotations

import base64
import math

import pandas as pd
import pytest

from analysis.core import labels
from analysis.core.errors import PlanTrackerError
from analysis.pipeline import Project, check_region
from analysis.site import data_page, display, overview, region_charts, report


@pytest.mark.parametrize(
    ("qualifier", "value", "unit", "text"),
    [
        ("=", 92.6, "%", "92.6 %"),
        ("<=", 12.0, "per 100000 live births", "≤ 12 per 100000 live births"),
        (">", 90.0, "%", "> 90 %"),
        ("=", math.nan, "%", ""),
        ("=", 200.0, pd.NA, "200"),
    ],
)
def test_figure_is_written_with_its_bound_and_unit(qualifier, value, unit, text):
    assert display.figure_text(qualifier, value, unit) == text


def test_probability_and_interval_text():
    assert display.percent(0.987) == "99 %"
    assert display.percent(math.nan) == ""
    assert display.interval_text(33.747657, 39.66104) == "33.75–39.66"


def test_csv_text_keeps_six_significant_digits():
    frame = pd.DataFrame({"target": ["a"], "mean": [86.618497123456], "year": [2027]})
    assert display.csv_text(frame) == "target,mean,year\na,86.6185,2027\n"


def test_links_only_for_web_addresses():
    assert (
        display.link("https://x.org/a?b=1&c=2", "<7>")
        == '<a href="https://x.org/a?b=1&amp;c=2" rel="noopener">&lt;7&gt;</a>'
    )
    assert display.link("javascript:alert(1)", "x") == "x"


def test_table_escapes_filters_and_offers_its_rows_as_csv():
    data = pd.DataFrame({"name": ["<b>bold</b>"], "value": [1.5]})
    table = display.make_table(
        "t-1",
        [("name", "col_name"), ("value", "col_value")],
        [[display.esc("<b>bold</b>"), "1.5"]],
        data,
        "en",
        numeric=["value"],
        filters=["name"],
        filter_values=[["<b>"]],
        search=True,
    )
    html_out = table.to_html()
    assert '<tr data-f0="&lt;b&gt;"><td class="pt-col-name">&lt;b&gt;bold&lt;/b&gt;</td>' in html_out
    assert '<td class="pt-col-value pt-num">1.5</td>' in html_out
    assert '<option value="&lt;b&gt;">&lt;b&gt;</option>' in html_out
    assert 'document.getElementById("t-1")' in html_out  # the filter script is bound to this table
    encoded = html_out.split("base64,")[1].split('"')[0]
    assert base64.b64decode(encoded).decode("utf-8") == "\ufeffname,value\n<b>bold</b>,1.5\n"
    assert table._repr_mimebundle_()["text/plain"] == "name,value\n<b>bold</b>,1.5\n"


def test_headings_are_markdown_with_data_escaped():
    assert (
        display.Heading("<script>x</script> *a*")._repr_mimebundle_()["text/markdown"]
        == "## &lt;script&gt;x&lt;/script&gt; \\*a\\*"
    )


def test_html_outputs_are_raw_markdown_blocks_so_quarto_loads_no_widget_libraries():
    # Quarto gives any notebook holding a text/html output require.js and jQuery from a CDN
    table = display.make_table(
        "t-2", [("name", "word_all")], [["<i>x</i>"]], pd.DataFrame({"name": ["x"]}), "en"
    )
    for shown in (table, display.Html("<p>a</p>", "a"), display.prose("prose_region_status", "en")):
        bundle = shown._repr_mimebundle_()
        assert "text/html" not in bundle
        assert bundle["text/markdown"].startswith("```{=html}\n<") and bundle["text/markdown"].endswith(
            "\n```"
        )
    assert display.Html("<p>a</p>", "a")._repr_mimebundle_()["text/markdown"] == "```{=html}\n<p>a</p>\n```"
    assert "<i>x</i>" in table._repr_mimebundle_()["text/markdown"]


def test_a_label_is_in_the_chosen_language_only():
    assert labels.label("status_on_track", "en") == "on track"
    assert labels.label("status_on_track", "zh") == "进展顺利"
    assert labels.name_in("Guizhou", "贵州省", "zh") == "贵州省"
    assert labels.name_in("Guizhou", "", "zh") == "Guizhou"
    with pytest.raises(PlanTrackerError, match="language 'fr'"):
        labels.label("status_on_track", "fr")


def test_every_status_has_both_labels():
    from analysis.assessment.status import STATUS_ORDER

    assert all(labels.label(f"status_{s}", lang) for s in STATUS_ORDER for lang in labels.LANGUAGES)


def test_a_region_page_leaves_out_other_plan_regions_only():
    frame = pd.DataFrame({"region": ["guizhou", "bazhong", "china", "sichuan"], "value": [1, 2, 3, 4]})
    assert report.scoped(frame, "guizhou", ["guizhou", "bazhong", "guiyang"])["region"].tolist() == [
        "guizhou",
        "china",
        "sichuan",
    ]


def test_status_counts_list_every_status_in_band_order():
    counts = report.status_counts(pd.DataFrame({"status": ["achieved", "not_assessable", "not_assessable"]}))
    assert counts["targets"].tolist() == [1, 0, 0, 0, 0, 0, 2]
    assert counts["share"].round(4).tolist() == [0.3333, 0, 0, 0, 0, 0, 0.6667]


@pytest.mark.parametrize("region", ["../guizhou", "nowhere"])
def test_unknown_region_is_refused(region):
    with pytest.raises(PlanTrackerError, match="has no plan"):
        check_region(region, Project.here())


# ---------------------------------------------------------------- the shipped data


@pytest.fixture(scope="module")
def guizhou() -> report.RegionReport:
    return report.region_report("guizhou", 2025, "zh")


def test_every_guizhou_target_is_in_its_table_with_the_assessed_status(guizhou):
    table = report.targets_table(guizhou)
    assert table.data["target_id"].tolist() == guizhou.targets["target_id"].tolist()
    statuses = dict(zip(guizhou.status["target_id"], guizhou.status["status"], strict=True))
    assert dict(zip(table.data["target_id"], table.data["status"], strict=True)) == statuses
    first = guizhou.targets.iloc[0]
    # language zh: the target is named by the catalogue's Chinese statement, linked to its own page
    href = f"../targets/{first['target_id']}.html"
    assert table.cells[0][0].startswith(
        f'<a class="pt-target-link" href="{href}">{first["description_zh"]}</a>'
    )


def test_region_page_uses_no_other_plan_region(guizhou):
    assert set(guizhou.observations["region"]) <= {"guizhou", "china", "sichuan"}


def test_targets_without_data_are_the_not_assessable_ones(guizhou):
    table = report.missing_table(guizhou)
    expected = guizhou.status.loc[guizhou.status["status"] == "not_assessable", "target_id"]
    assert sorted(table.data["target_id"]) == sorted(expected)
    assert table.data["needed"].str.len().min() > 0


def test_overview_counts_add_up_to_the_catalogue():
    ov = overview.gather(2025, "en")
    mix = overview.status_mix(ov)
    assert mix.groupby("region")["targets"].sum().to_dict() == ov.targets["region"].value_counts().to_dict()
    catalogue = data_page.catalogue_table(ov)
    assert len(catalogue.cells) == len(ov.targets)


def test_a_chart_draws_a_level_target_even_before_any_figure_exists():
    status = pd.DataFrame(
        {
            "kind": ["share", "relative_change", "count"],
            "target_value": [90.0, 20.0, 5.0],
            "comparator": [">=", ">=", ">="],
            "goal_value": [math.nan, math.nan, 6.0],
            "goal_comparator": [pd.NA, pd.NA, ">="],
        }
    )
    goals = region_charts.drawn_goals(status)
    # a share is its own level; a relative change needs its base; a goal worked out by the assessment wins
    assert goals["goal_value"].tolist()[0] == 90.0 and math.isnan(goals["goal_value"].tolist()[1])
    assert goals["goal_value"].tolist()[2] == 6.0
