"""The column contracts of every table the project reads or writes, in one place.

Readers check files against these lists, stages select by them, writers order by them; nothing else
spells a column list out. Shared by the catalogue checks and the extractor (which drafts rows of
targets.csv), so neither has to import the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ROW = "row"  # the spreadsheet row number (header = 1) every table carries from its reader

# --- the catalogue (data/indicators.csv, data/targets.csv, data/targets_excluded.csv, the registry) ----
INDICATOR_COLUMNS = [
    "indicator_id",
    "name_zh",
    "name_en",
    "unit",
    "direction",
    "lower_bound",
    "upper_bound",
    "theme",
    "cumulative",
    "role",
]
# Optional columns of data/indicators.csv, with what an absent column means: figures are totals standing
# at year end (not yearly flows), and no coverage indicator judges a per-unit target.
OPTIONAL_INDICATOR_COLUMNS = {"flow": "false", "coverage_indicator": ""}
TARGET_COLUMNS = [
    "target_id",
    "region",
    "document",
    "clause",
    "indicator",
    "description_zh",
    "description_en",
    "comparator",
    "target_value",
    "unit",
    "target_year",
    "baseline_value",
    "baseline_year",
    "kind",
    "measure",
    "base_year",
    "quote",
    "note",
]
EXCLUDED_COLUMNS = ["document", "clause", "number", "quote", "reason", "note"]
REQUIRED_TARGET_FIELDS = [
    "target_id",
    "region",
    "document",
    "indicator",
    "comparator",
    "target_value",
    "unit",
    "target_year",
    "kind",
    "measure",
    "quote",
]
# What P(met) and the status need of a targets file given on the command line.
BATCH_TARGET_COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "comparator",
    "target_value",
    "target_year",
    "kind",
]
# What `plantracker assess` needs of a targets file (baseline_value, kind and unit optional).
ASSESS_TARGET_COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "comparator",
    "target_value",
    "target_year",
    "measure",
    "base_year",
]
ASSESS_OUTPUT_COLUMNS = [
    "target_id",
    "status",
    "measured_value",
    "measured_year",
    "pace_ratio",
    "provisional",
    "reason",
]
REGISTRY_COLUMNS = [
    "document_id",
    "file",
    "region",
    "title_zh",
    "title_en",
    "issuing_body",
    "issuing_body_basis",
    "horizon_year",
    "status",
]
# Optional registry columns: the year the document was written and where that was read (the base-year
# rule of data/README.md uses it).
OPTIONAL_REGISTRY_COLUMNS = {"document_year": "", "document_year_basis": ""}

# --- observations ---------------------------------------------------------------------------------
OBSERVATION_SHEET = "observations"  # the sheet of a workbook that holds observations
QUALIFIERS = ("=", "<", "<=", ">", ">=")
OBSERVATION_REQUIRED = ["region", "indicator", "year", "value", "source_url"]
OBSERVATION_OPTIONAL = [
    "qualifier",
    "unit",
    "source_kind",
    "excerpt",
    "indicator_zh",
    "indicator_en",
    "date_accessed",
    "note",
    "seed_row",
]
# A series file for the batch commands (`forecast`, `assess`): the same table, sources optional.
SERIES_REQUIRED = ["region", "indicator", "year", "value"]
# A sourced figure as every observation table writes it, first columns first: the shipped file, the
# loaders' output and the extractor's draft of past results all begin with these.
SOURCED_FIGURE_COLUMNS = [
    "region",
    "indicator",
    "year",
    "qualifier",
    "value",
    "unit",
    "source_url",
    "source_kind",
    "excerpt",
    "indicator_zh",
]
SHIPPED_COLUMNS = [*SOURCED_FIGURE_COLUMNS, "indicator_en", "seed_row"]
# The past results the extractor finds in a plan's text (`extract --observations`)
OBSERVATION_DRAFT_COLUMNS = [*SOURCED_FIGURE_COLUMNS, "note"]
TEMPLATE_COLUMNS = [
    "region",
    "indicator",
    "indicator_zh",
    "unit",
    "year",
    "qualifier",
    "value",
    "source_url",
    "source_kind",
    "excerpt",
    "date_accessed",
    "note",
]
RESOLUTION_COLUMNS = ["used", "conflict", "n_sources", "resolution", "reason"]
OBSERVATION_OUTPUT = [
    *SOURCED_FIGURE_COLUMNS,
    "indicator_en",
    "date_accessed",
    "note",
    "value_text",
    "decimals",
    "source_file",
    "source_row",
    "order",
    *RESOLUTION_COLUMNS,
]
OBSERVATION_KEY = ["region", "indicator", "year"]
SEED_COLUMNS = [
    "region",
    "indicator_zh",
    "indicator_en",
    "year",
    "qualifier",
    "value",
    "unit",
    "source_url",
    "source_kind",
    "excerpt",
]
MAPPING_COLUMNS = ["indicator_zh", "indicator", "unit", "note"]
# Columns a template fills before the researcher starts: a row with only these is not an observation.
PREFILLED = {"region", "indicator", "indicator_zh", "indicator_en", "unit", "year", "qualifier"}

# --- assessment and forecast settings --------------------------------------------------------------
BAND_COLUMNS = ["status", "ratio_min", "ratio_max", "meaning", "source"]
SETTING_COLUMNS = ["setting", "value"]
CALIBRATION_COLUMNS = ["parameter", "cell", "horizon", "level", "value"]


@dataclass(frozen=True)
class ObservationContract:
    """Which columns a kind of observation file must hold and which keys it may use.

    Project data (data/observations*, `validate`, the build) name a source for every figure and only
    regions of the registry or the comparison regions; a series file for a batch (`forecast`) may
    describe any region (a county run) and needs no source. A series to judge targets on (`assess`) may
    hold no row yet: a new plan's researcher gets every target back as not assessable. Every other rule
    is the same.
    """

    name: str
    required: tuple[str, ...]
    known_regions_only: bool
    known_indicators_only: bool
    may_be_empty: bool = False

    @property
    def columns(self) -> list[str]:
        return list(self.required) + [
            c for c in OBSERVATION_REQUIRED + OBSERVATION_OPTIONAL if c not in self.required
        ]


PROJECT_OBSERVATIONS = ObservationContract("observations", tuple(OBSERVATION_REQUIRED), True, True)
SERIES = ObservationContract("series", tuple(SERIES_REQUIRED), False, False)
# `plantracker assess`: a series whose indicators are those of data/indicators.csv (their unit, direction,
# bounds and flow decide how a target is judged), any region.
JUDGED_SERIES = ObservationContract("series", tuple(SERIES_REQUIRED), False, True, may_be_empty=True)


@dataclass(frozen=True)
class Rules:
    """What the observation checks accept and how sources rank (data/observation_rules.yaml)."""

    source_kinds: tuple[str, ...]
    comparison_regions: tuple[str, ...]
    first_year: int
    last_year: int
    template_base_year: int
    unit_marks: dict[str, tuple[str, ...]]
    measure_words: tuple[str, ...]
    measure_word_units: tuple[str, ...]
    bound_prefixes: dict[str, str]
    bound_suffixes: dict[str, str]
    filler_words: tuple[str, ...]
    # Wording that makes an excerpt a plan rather than a result (regular expressions, one clause at a
    # time), wording that keeps a clause a result, and the note that says a flagged row is a result.
    plan_markers: tuple[str, ...] = ()
    result_markers: tuple[str, ...] = ()
    result_note: str = r"^\s*result\b"

    def __post_init__(self) -> None:
        """A pattern that is not a regular expression is refused when the rules are read (ValueError,
        which the reader reports at the rules file), not when the first excerpt is checked."""
        for pattern in (*self.plan_markers, *self.result_markers, self.result_note):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from exc

    def kind_rank(self, kind: str) -> int:
        """Position of a source kind in the ranking; blank or unknown kinds rank with the last kind."""
        return self.source_kinds.index(kind) if kind in self.source_kinds else len(self.source_kinds) - 1


# --- the extractor's wording rules (analysis/extraction_rules.yaml, analysis/extraction_units.csv) -----
EXTRACTION_UNIT_COLUMNS = ["printed", "unit", "kind", "category", "after_chinese_numeral"]
# Every rule the extractor looks up by name: a rules file without one of them is refused when read.
EXTRACTION_RULE_NAMES = (
    "comparator_before",
    "comparator_after",
    "approximate_after",
    "qualifier_units",
    "relative_change_before",
    "coverage_words",
    "measure_words",
    "not_target_words",
    "not_target_exceptions",
    "frequency_words",
    "frequency_units",
    "per_occasion_words",
    "role_after",
    "aspect_nouns",
    "existing_set_before",
    "chinese_count_verbs",
    "grade_verbs",
    "grade_names_after",
    "full_value_phrases",
    "always_proposed_phrases",
    "attainment_verbs",
    "all_of_markers",
    "increase_words",
    "flow_words",
    "per_year_words",
    "per_unit_pattern",
    "from_words",
    "base_year_before",
    "base_year_after",
    "past_year_before",
    "past_markers",
    "review_heading_words",
    "review_heading_not_after",
    "per_population",
    "per_live_births_words",
    "label_brackets",
    "form_annex_words",
    "identifier_labels",
    "service_circle_units",
    "service_circle_verbs",
    "horizon_pattern",
    "table_base_headers",
    "table_unit_headers",
    "table_indicator_headers",
    "table_comparators",
    "lower_is_better_words",
)


@dataclass(frozen=True)
class UnitRule:
    """How a printed unit reads: our unit vocabulary, the kind of target, and whether it can be one."""

    printed: str
    unit: str
    kind: str
    category: str  # quantity, time, age, money, grade, multiple, label
    after_chinese_numeral: bool


@dataclass(frozen=True, eq=False)
class Wording:
    """The words the extractor reads a plan by: the rules by name (lists as tuples, maps read-only) and
    the printed units. Compared and hashed by identity: the extractor compiles its patterns once per
    wording, and the reader reads the packaged files once per process."""

    rules: Mapping[str, Any]
    units: Mapping[str, UnitRule]
