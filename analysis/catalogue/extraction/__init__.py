"""Finding every number in a Chinese policy text, and drafting catalogue rows from them.

A researcher adding a new plan runs `plantracker extract`: every numeric expression is found with its
sentence (so nothing is missed), dates and section numbers are told apart from quantities, and each
quantity that reads like a target becomes a proposed row of targets.csv, to be checked by hand, with a
confidence and the rule that proposed it. Years are told apart by what they are to a target (deadline,
base, date of a past result); results of the last period become observations; plain-text indicator
tables give one row per indicator and year column.

The modules, in the order a text goes through them:
- `patterns`: the number patterns of a wording and `find_numbers` (also used to read the catalogue's
  quotes when it is validated, so 九, １２ and 全覆盖 count as the numbers they are);
- `layout`: sentences, clauses, paragraphs, labels, sections, headings, years and tables of a text, and
  the plan period its title states;
- `reading`: one quantity read as a target (value, unit, kind, comparator, year, measure);
- `proposals`: targets and past results from the running text;
- `tables`: targets from indicator tables;
- `draft`: the draft of a plan, in the order of the text, with indicators and ids.

The wording rules (analysis/catalogue/extraction_rules.yaml, extraction_units.csv) are read by
`analysis.io.readers.wording` and given to every function here as a `Wording`: nothing here opens a file.
Import what other code needs from this package, as listed in `__all__`.
"""

from analysis.catalogue.extraction.draft import (
    DRAFT_COLUMNS,
    OBSERVATION_DRAFT_COLUMNS,
    Draft,
    draft_catalogue,
    draft_plan,
    propose_targets,
)
from analysis.catalogue.extraction.layout import infer_horizon
from analysis.catalogue.extraction.patterns import NUMBER_COLUMNS, find_numbers, quantities, values_in
from analysis.catalogue.extraction.reading import comparator

__all__ = [
    "DRAFT_COLUMNS",
    "NUMBER_COLUMNS",
    "OBSERVATION_DRAFT_COLUMNS",
    "Draft",
    "comparator",
    "draft_catalogue",
    "draft_plan",
    "find_numbers",
    "infer_horizon",
    "propose_targets",
    "quantities",
    "values_in",
]
