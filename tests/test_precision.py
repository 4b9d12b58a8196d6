"""Honest precision: figures with their sources' decimals, intervals with the digits their width supports."""

from __future__ import annotations

import math

import pytest

from analysis.core.precision import decimals_of, fmt, interval_decimals, ratio_text, signed


@pytest.mark.parametrize(
    ("value", "decimals"), [(92.5, 1), (200.0, 0), (8.8, 1), (32.52, 2), (0.125, 3), (math.nan, 0)]
)
def test_decimals_of_a_number_as_printed(value, decimals):
    assert decimals_of(value) == decimals


def test_a_figure_keeps_the_decimals_its_source_printed():
    assert fmt(8.8, 2) == "8.80" and fmt(79.0, 1) == "79.0" and fmt(-0.0001, 2) == "0.00"
    assert signed(1.5, 1) == "+1.5" and signed(-15.0, 1) == "−15.0" and signed(0.0, 0) == "0"


@pytest.mark.parametrize(
    ("lower", "upper", "data", "digits", "text"),
    [
        (325.15, 382.28, 2, 0, "325–382"),  # width 57: a tenth is 5.7, so whole numbers
        (33.7, 39.66, 2, 1, "33.7–39.7"),  # width 6: a tenth is 0.6, one decimal
        (90.12, 90.98, 2, 2, "90.12–90.98"),  # width 0.86: two decimals, as many as the data has
        (90.12, 90.98, 1, 1, "90.1–91.0"),  # never finer than the data's own decimals
    ],
)
def test_an_interval_is_printed_no_finer_than_its_width_supports(lower, upper, data, digits, text):
    assert interval_decimals(lower, upper, data) == digits
    assert f"{fmt(lower, digits)}–{fmt(upper, digits)}" == text


def test_the_pace_ratio_keeps_the_two_decimals_the_band_edges_need():
    assert ratio_text(1.3889) == "1.39" and ratio_text(0.75) == "0.75" and ratio_text(math.nan) == ""
    # … and more where two would round it across a band edge: 0.9499 is below 0.95 (needs acceleration)
    assert ratio_text(0.9499) == "0.9499" and ratio_text(0.5996) == "0.5996"
    assert ratio_text(-0.004) == "-0.004"
