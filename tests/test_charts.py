"""Charts: the points a chart draws, bounds kept as bounds, a text alternative with the same numbers, SVG
that needs no script and cannot collide with another chart, data text escaped."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis.site import charts, figures, overview_charts


def observed(*rows):
    return pd.DataFrame(rows, columns=["year", "qualifier", "value"])


def targets(*rows):
    return pd.DataFrame(rows, columns=["target_id", "target_year", "comparator", "goal_value"])


def fan(*rows):
    return pd.DataFrame(rows, columns=["year", "mean", "lower80", "upper80", "method"])


@pytest.fixture
def literacy_frame() -> pd.DataFrame:
    """Two observed figures, one upper bound, a national figure, a target and a two-year forecast."""
    return charts.chart_frame(
        observed((2020, "=", 18.83), (2024, "=", 32.52), (2023, "<=", 35.0)),
        observed((2024, "=", 31.87)),
        targets(("t-2025", 2025, ">=", 30.0), ("t-2027-relative", 2027, ">=", math.nan)),
        fan((2025, 35.1, 33.7, 39.66, "pace"), (2026, math.nan, math.nan, math.nan, "none")),
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (92.6, "92.6"),
        (3.5, "3.5"),
        (2027.0, "2027"),
        (12345.6, "12346"),
        (0.00123, "0.0012"),
        (76.34, "76.34"),
        (100.0, "100"),
        (math.nan, "–"),
    ],
)
def test_figures_are_printed_without_float_noise(value, text):
    assert charts.format_number(value) == text


def test_chart_frame_keeps_bounds_as_bounds_and_drops_what_cannot_be_drawn(literacy_frame):
    rows = list(zip(literacy_frame["series"], literacy_frame["year"], literacy_frame["value"], strict=True))
    # legend order: national, observed, bounds, forecast, target; a target without an absolute goal and a
    # forecast year without a mean are not drawn
    assert rows == [
        ("national", 2024, 31.87),
        ("observed", 2020, 18.83),
        ("observed", 2024, 32.52),
        ("upper_bound", 2023, 35.0),
        ("forecast", 2025, 35.1),
        ("target", 2025, 30.0),
    ]


def test_text_alternative_states_every_point_with_its_bound_and_interval(literacy_frame):
    sentence = charts.alt_sentence(literacy_frame, "en")
    assert sentence == (
        "national — 2024: 31.87 | observed — 2020: 18.83; 2024: 32.52 | "
        "upper bound (at most, ≤) — 2023: ≤ 35 | forecast — 2025: 35.1 (33.7–39.7) | "
        "target — 2025: ≥ 30"
    )
    table = charts.alt_table_html(literacy_frame, "zh")
    assert table.count("<tr>") == 1 + 6  # header and one row per point
    assert "<td>预测</td><td>2025</td><td>35.1</td><td>33.7–39.7</td><td>pace</td>" in table


def test_chart_spec_is_valid_vega_lite_with_a_layer_per_kind_of_mark(literacy_frame):
    chart = charts.indicator_chart(literacy_frame, "health literacy", "居民健康素养水平", "%", "en")
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line", "line", "point", "point", "text"]
    assert spec["title"] == {"text": "health literacy", "subtitle": "居民健康素养水平", "anchor": "start"}


def test_figure_is_inline_svg_with_caption_and_numbers_and_no_script(literacy_frame):
    figure = charts.figure(
        literacy_frame,
        "chart-guizhou-health_literacy_rate",
        "health literacy",
        "健康素养",
        "%",
        "Guizhou: health literacy (%)",
        "en",
    )
    bundle = figure._repr_mimebundle_()
    html_out = figure.to_html()
    assert html_out.startswith('<figure class="pt-chart" id="chart-guizhou-health_literacy_rate">')
    assert re.search(r"<svg[^>]*>.*</svg>", html_out, re.DOTALL)
    assert "<script" not in html_out and "http" not in html_out.replace("http://www.w3.org", "")
    assert "<figcaption>Guizhou: health literacy (%)</figcaption>" in html_out
    assert bundle["text/plain"].splitlines()[1].startswith("national — 2024: 31.87")


def test_data_text_in_titles_and_captions_is_escaped(literacy_frame):
    name = '<script>alert("x")</script>'
    figure = charts.figure(literacy_frame, "chart-x", name, name, name, f"caption {name}", "en")
    html_out = figure.to_html()
    assert "<script" not in html_out
    assert "&lt;script&gt;" in html_out


def test_svg_ids_are_prefixed_so_two_charts_on_a_page_cannot_share_a_clip_path():
    alt = figures.import_altair()
    data = pd.DataFrame({"year": [2020, 2021], "value": [1.0, 2.0]})
    chart = (
        alt.Chart(data)
        .mark_line(clip=True)
        .encode(x="year:Q", y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1.5])))
    )
    svg = figures.to_svg(chart, "chart-a")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("chart-a-") for i in ids)
    assert all(ref.startswith("chart-a-") for ref in re.findall(r"url\(#([^)]+)\)", svg))


def test_status_mix_lists_each_region_with_its_counts():
    counts = pd.DataFrame(
        {
            "region_label": ["A", "A", "B"],
            "status": ["achieved", "not_assessable", "on_track"],
            "targets": [2, 5, 0],
        }
    )
    figure = overview_charts.status_mix_figure(counts, ["achieved", "on_track", "not_assessable"], "en")
    assert figure.sentence == "A: achieved 2; not assessable 5"  # a zero count is not a bar


def test_comparison_figure_puts_regions_side_by_side():
    frame = pd.DataFrame(
        {
            "region_label": ["North", "North", "South"],
            "series": ["observed", "target", "observed"],
            "year": [2020, 2025, 2021],
            "qualifier": ["=", ">=", "="],
            "value": [1.0, 2.0, 1.5],
        }
    )
    figure = overview_charts.comparison_figure(
        frame, "chart-shared-x", "x", "叉", "count", "en", ["North", "South", "National"]
    )
    assert figure.sentence == "North — observed 2020: 1; target 2025: ≥ 2 | South — observed 2021: 1.5"


def test_a_region_keeps_its_colour_when_the_others_have_no_data():
    south_only = pd.DataFrame(
        {
            "region_label": ["South"],
            "series": ["observed"],
            "year": [2021],
            "qualifier": ["="],
            "value": [1.5],
        }
    )
    figure = overview_charts.comparison_figure(
        south_only, "chart-shared-y", "y", "乙", "count", "en", ["North", "South", "National"]
    )
    assert (
        overview_charts.REGION_COLOURS[1] in figure.svg
        and overview_charts.REGION_COLOURS[0] not in figure.svg
    )


def test_the_forecast_line_and_fan_start_at_the_last_exact_observation(literacy_frame):
    fan = charts.joined_fan(literacy_frame)
    # the last exact figure (2024: 32.52) opens the forecast with an interval of zero width
    assert fan[["year", "value", "lower80", "upper80"]].values.tolist() == [
        [2024, 32.52, 32.52, 32.52],
        [2025, 35.1, 33.7, 39.66],
    ]
    assert charts.alt_sentence(literacy_frame, "en").count("forecast — 2025") == 1  # the table is unchanged


def test_a_chart_has_a_narrow_drawing_for_phones_its_sources_and_downloads(literacy_frame):
    figure = charts.figure(
        literacy_frame,
        "chart-x",
        "literacy",
        "健康素养",
        "%",
        "caption",
        "en",
        source="Source: wjw.guizhou.gov.cn (official)",
        data_csv="year,value\n2024,32.52\n",
        files="../charts/en/",
    )
    out = figure.to_html()
    wide = re.search(r'pt-chart-wide.*?<svg[^>]*width="(\d+)"', out, re.S)
    narrow = re.search(r'pt-chart-narrow.*?<svg[^>]*width="(\d+)"', out, re.S)
    assert int(narrow.group(1)) < 400 < int(wide.group(1))  # drawn for a phone, not the wide one shrunk
    assert '<p class="pt-chart-source">Source: wjw.guizhou.gov.cn (official)</p>' in out
    assert [f'href="../charts/en/chart-x.{k}"' in out for k in ("svg", "png", "csv")] == [True] * 3
    assert figure.png().startswith(b"\x89PNG")  # a PNG file's signature
