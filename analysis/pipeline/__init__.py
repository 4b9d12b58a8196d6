"""Where reading and computing meet, for the notebooks' reports and the command line.

Readers (analysis.io.readers) open the files; the stages (catalogue checks, observation checks, the
conflict rule, assessment, forecast) take what was read as arguments. The modules here join the two,
each for one job, all on one `Project` (the root and its tables, read once):

- `project`: the `Project` object;
- `regions`: which region a name means (`check_region`, in either language);
- `observations`: the project's observations, the fill-in templates, the seed;
- `validation`: `plantracker validate`;
- `forecasts`: the project's targets judged and forecast;
- `batch`: `plantracker forecast` and `plantracker assess` on a researcher's own files;
- `drafts`: `plantracker extract`.

Every command goes through these functions, so `validate`, `forecast`, `assess`, `template` and the
build read a file the same way and accept exactly the same files. They are importable from here under
their own names; the readers are not: import a table's reader from analysis.io.readers.
"""

from analysis.pipeline.batch import (
    FORECAST_AHEAD,
    assess_batch,
    check_forecast_year,
    forecast_batch,
    p_met_path,
    read_assess_targets,
    read_batch_targets,
    read_series,
)
from analysis.pipeline.drafts import draft_catalogue, find_numbers
from analysis.pipeline.forecasts import assess, fit_cache, forecast_series, forecast_targets, load_calibration
from analysis.pipeline.observations import (
    better_sources,
    load_observations,
    load_with_problems,
    observation_context,
    read_observations,
    write_seed_observations,
    write_template,
)
from analysis.pipeline.project import Project
from analysis.pipeline.regions import check_region, match_region, region_names
from analysis.pipeline.validation import validate, validate_catalogue, validate_observation_files

__all__ = [
    "FORECAST_AHEAD",
    "Project",
    "assess",
    "assess_batch",
    "better_sources",
    "check_forecast_year",
    "check_region",
    "draft_catalogue",
    "find_numbers",
    "fit_cache",
    "forecast_batch",
    "forecast_series",
    "forecast_targets",
    "load_calibration",
    "load_observations",
    "load_with_problems",
    "match_region",
    "observation_context",
    "p_met_path",
    "read_assess_targets",
    "read_batch_targets",
    "read_observations",
    "read_series",
    "region_names",
    "validate",
    "validate_catalogue",
    "validate_observation_files",
    "write_seed_observations",
    "write_template",
]
