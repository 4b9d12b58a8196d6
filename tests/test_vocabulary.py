"""One vocabulary (analysis.core.vocabulary): the data files and the words that repeat its lists agree
with it, so a status, grade, measure or comparator added in one place and not the other is caught."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.assessment.table import assess
from analysis.core import labels, vocabulary
from analysis.io.readers.catalogue import load_vocabulary
from analysis.io.readers.settings import load_bands, load_grade_rules, load_publication_sources, load_settings


def test_the_catalogue_accepts_exactly_the_measures_and_comparators_the_assessment_knows():
    rules = load_vocabulary()
    assert tuple(rules["measures"]) == vocabulary.MEASURES
    assert tuple(rules["comparators"]) == vocabulary.COMPARATORS
    assert set(vocabulary.CHANGE_MEASURES) < set(vocabulary.MEASURES)


def test_bands_name_statuses_of_the_vocabulary():
    assert set(load_bands()["status"]) < set(vocabulary.STATUS_ORDER)


def test_grade_rules_use_the_grades_of_the_vocabulary():
    assert set(load_grade_rules()["grade"]) <= set(vocabulary.GRADES)
    assert set(vocabulary.PROVISIONAL_GRADES) < set(vocabulary.GRADES)
    assert vocabulary.GRADES[-len(vocabulary.PROVISIONAL_GRADES) :] == vocabulary.PROVISIONAL_GRADES


@pytest.mark.parametrize("language", labels.LANGUAGES)
def test_every_status_and_grade_has_its_words_in_the_labels(language):
    for status in vocabulary.STATUS_ORDER:
        assert labels.label(f"status_{status}", language)
    for grade in vocabulary.GRADES:
        assert labels.label(f"grade_{grade}", language)


@pytest.mark.parametrize("language", labels.LANGUAGES)
def test_every_grade_has_its_word_in_the_reasons(language):
    for grade in vocabulary.GRADES:
        assert labels.label(f"gradeword_{grade}", language)


def test_every_comparator_and_its_reverse_has_a_sign():
    for comparator in vocabulary.COMPARATORS:
        assert comparator in vocabulary.COMPARATOR_SIGNS
        assert vocabulary.REVERSED[vocabulary.REVERSED[comparator]] == comparator


def judged(measure: str) -> pd.Series:
    """A target of `measure` on a yearly-flow count with figures for 2020–2022, judged in 2022."""
    indicators = pd.DataFrame(
        [
            {
                "indicator_id": "things",
                "name_en": "things",
                "name_zh": "things",
                "unit": "count",
                "direction": "higher",
                "lower_bound": 0.0,
                "upper_bound": math.nan,
                "theme": "primary_care",
                "cumulative": False,
                "flow": True,
                "coverage_indicator": "",
            }
        ]
    )
    target = {
        "target_id": "t",
        "region": "r",
        "indicator": "things",
        "target_year": 2025,
        "comparator": ">=",
        "target_value": 10.0,
        "unit": "count",
        "kind": "count",
        "measure": measure,
        "base_year": 2020,
        "baseline_value": math.nan,
        "baseline_year": None,
    }
    observed = pd.DataFrame(
        {"region": "r", "indicator": "things", "year": [2020, 2021, 2022], "value": [1.0, 2.0, 3.0]}
    )
    targets = pd.DataFrame([target]).astype({"baseline_year": "Int64", "base_year": "Int64"})
    bands, settings, publications = load_bands(), load_settings(), load_publication_sources()
    return assess(targets, indicators, observed, 2022, bands, settings, publications).iloc[0]


UNKNOWN = "is not one this assessment knows"


@pytest.mark.parametrize("measure", vocabulary.MEASURES)
def test_the_assessment_judges_every_measure(measure):
    row = judged(measure)
    assert UNKNOWN not in row["reason"]
    assert row["status"] in vocabulary.STATUS_ORDER


def test_a_measure_outside_the_vocabulary_is_not_judged():
    row = judged("per_decade")
    assert row["status"] == vocabulary.NOT_ASSESSABLE and UNKNOWN in row["reason"]
