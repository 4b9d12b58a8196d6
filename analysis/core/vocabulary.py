"""The project's fixed vocabulary, each list defined once: statuses, source grades, measures, comparators.

These are the keys the code compares against; the words a reader sees for them (the badge of a status,
the legend of a grade) live in analysis/templates/labels.csv in English and Chinese. Data files that
repeat a list (data/progress_bands.csv names statuses, data/source_grades.csv grades, the catalogue's
rules measures and comparators) are checked against the lists here by their readers or tests.
"""

from __future__ import annotations

# --- where a target stands (analysis.assessment) ----------------------------------------------------

# Best first; the order of every status table, legend and chart. `moving_away` is for a deadline still
# ahead, `missed` for one passed with its year's figure short, `not_assessable` when no figure decides.
STATUS_ORDER = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "moving_away",
    "missed",
    "not_assessable",
]
ACHIEVED = "achieved"
MISSED = "missed"
MOVING_AWAY = "moving_away"
NOT_ASSESSABLE = "not_assessable"

# --- how good a figure's source is (analysis.observations.grading) ----------------------------------

GRADES = ("official", "official_media", "repost", "unverified")  # best first
# A status that rests only on these is shown as provisional: no official page states its figures.
PROVISIONAL_GRADES = ("repost", "unverified")

# --- what a target promises (data/README.md, the `measure` column of data/targets.csv) --------------

# level: a value to reach; increase: a change since a base year; relative_change: that change in % of the
# base; per_year: a flow in each year; per_unit: a count in each unit (a township, a county).
MEASURES = ("level", "increase", "relative_change", "per_year", "per_unit")
CHANGE_MEASURES = ("increase", "relative_change")  # judged on the change since the base year

# --- how a target compares and how a figure is bounded ----------------------------------------------

COMPARATORS = (">=", "<=", "==")  # the comparators a target may state
# How a comparator or a bound is printed beside a figure (≥ 90 %), in reasons and tables alike.
COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<", "=": ""}
# The comparator seen from the other side: a fall of at least 20 is a change of at most −20.
REVERSED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "=": "=", "~": "~"}
