"""The assessment's progress bands and settings, and the forecast calibration table.

These files are written by hand (bands, settings) or by bench/calibrate_forecast.py (calibration);
each is read once here, checked with a pandera schema whose failures are reported as file, row and
column, and handed to the stages as plain tables.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.schema import BAND_COLUMNS, CALIBRATION_COLUMNS, ROW, SETTING_COLUMNS
from analysis.core.vocabulary import GRADES
from analysis.io.readers.catalogue import numbers
from analysis.io.readers.files import display_name, read_table


def bands_file(root: Path | None = None) -> Path:
    return paths.data_dir(root) / "progress_bands.csv"


def settings_file(root: Path | None = None) -> Path:
    return paths.data_dir(root) / "assessment_settings.csv"


def calibration_file(root: Path | None = None) -> Path:
    return paths.data_dir(root) / "forecast_calibration.csv"


def validated(frame: pd.DataFrame, schema: pa.DataFrameSchema, name: str, fix: str) -> pd.DataFrame:
    """`frame` checked by a pandera schema; every failure becomes a Problem at its file, row and column."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        problems = []
        for case in cases.itertuples(index=False):
            index = case.index
            row = (
                int(frame[ROW].iloc[int(index)])
                if index is not None and not pd.isna(index) and ROW in frame
                else None
            )
            column = case.column if isinstance(case.column, str) else None
            problems.append(
                Problem(name, row, column, f"'{case.failure_case}' fails the check {case.check}", fix)
            )
        raise DataError(problems) from exc


BANDS = pa.DataFrameSchema(
    {
        "status": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$"), unique=True),
        "ratio_min": pa.Column(float),
        "ratio_max": pa.Column(float),
    },
    checks=pa.Check(lambda f: f["ratio_min"] < f["ratio_max"], error="ratio_min < ratio_max"),
)


def load_bands(root: Path | None = None) -> pd.DataFrame:
    """The R bands, open ends as ±inf, ordered from the best band down."""
    path = bands_file(root)
    name = display_name(path, root)
    frame = read_table(path, BAND_COLUMNS, display_name=name, root=root)
    typed, problems = frame, []
    for column, open_end in (("ratio_min", -math.inf), ("ratio_max", math.inf)):
        values, found = numbers(frame, column, name, required=False)
        typed = typed.assign(**{column: values.fillna(open_end)})
        problems += found
    if problems:
        raise DataError(problems)
    typed = validated(typed, BANDS, name, "each band needs a status name and ratio_min below ratio_max")
    return typed.drop(columns=ROW).sort_values("ratio_min", ascending=False, ignore_index=True)


def load_settings(root: Path | None = None) -> dict[str, float]:
    """data/assessment_settings.csv as setting → number."""
    path = settings_file(root)
    name = display_name(path, root)
    frame = read_table(path, SETTING_COLUMNS, display_name=name, root=root)
    values, problems = numbers(frame, "value", name, required=True)
    repeated = frame[frame["setting"].duplicated()]
    problems += [
        Problem(name, int(r), "setting", f"setting '{s}' appears twice", "keep one of them")
        for r, s in zip(repeated[ROW], repeated["setting"], strict=True)
    ]
    if problems:
        raise DataError(problems)
    return {s: float(v) for s, v in zip(frame["setting"], values, strict=True)}


PUBLICATION_COLUMNS = ["theme", "indicator", "where_en", "where_zh"]


def publications_file(root: Path | None = None) -> Path:
    return paths.data_dir(root) / "publication_sources.csv"


def load_publication_sources(root: Path | None = None) -> pd.DataFrame:
    """data/publication_sources.csv: where figures of a theme (or of one indicator) are usually published;
    the reason of a target that cannot be judged names them."""
    path = publications_file(root)
    frame = read_table(path, PUBLICATION_COLUMNS, display_name=display_name(path, root), root=root)
    return frame.drop(columns=ROW)


GRADE_RULE_COLUMNS = ["rule", "pattern", "grade", "reason"]
GRADE_RULES = pa.DataFrameSchema(
    {
        "rule": pa.Column(str, pa.Check.isin(["doubt", "domain", "attribution"])),
        "pattern": pa.Column(str, pa.Check.str_length(min_value=1)),
        "grade": pa.Column(str, pa.Check.isin(list(GRADES))),
        "reason": pa.Column(str, pa.Check.str_length(min_value=1)),
    }
)


def grade_rules_file(root: Path | None = None) -> Path:
    return paths.data_dir(root) / "source_grades.csv"


def load_grade_rules(root: Path | None = None) -> pd.DataFrame:
    """data/source_grades.csv: the rules that grade a source (analysis.observations.grading), each with
    its reason; every grade one of analysis.core.vocabulary.GRADES."""
    path = grade_rules_file(root)
    name = display_name(path, root)
    frame = read_table(path, GRADE_RULE_COLUMNS, display_name=name, root=root)
    frame = frame.assign(
        pattern=frame["pattern"].str.strip(), rule=frame["rule"].str.strip(), grade=frame["grade"].str.strip()
    )
    grades = f"{', '.join(GRADES[:-1])} or {GRADES[-1]}"
    fix = f"rule is doubt, domain or attribution; grade is {grades}; every rule names its pattern and reason"
    return validated(frame, GRADE_RULES, name, fix).drop(columns=ROW)


CALIBRATION = pa.DataFrameSchema(
    {
        "parameter": pa.Column(str, pa.Check.str_matches(r"^(kappa|default_sigma_\w+|error_quantile)$")),
        "cell": pa.Column(str),
        "horizon": pa.Column(float, pa.Check.ge(0)),
        "level": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "value": pa.Column(float),
    }
)


def load_calibration_table(root: Path | None = None) -> pd.DataFrame:
    """data/forecast_calibration.csv as its long table (analysis.forecasting.calibration.from_frame builds
    the model)."""
    path = calibration_file(root)
    name = display_name(path, root)
    if not path.exists():
        raise DataError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "the forecast calibration file is missing",
                    "run `python bench/calibrate_forecast.py` to derive it",
                )
            ]
        )
    frame = read_table(path, CALIBRATION_COLUMNS, display_name=name, root=root)
    problems = []
    typed = frame
    for column in ("horizon", "level", "value"):
        values, found = numbers(frame, column, name, required=column == "value", exponent=True)
        typed = typed.assign(**{column: values})
        problems += found
    if problems:
        raise DataError(problems)
    typed = validated(typed, CALIBRATION, name, "derive the file again with bench/calibrate_forecast.py")
    return typed.drop(columns=ROW).astype({"horizon": int})


def site_url(root: Path | None = None) -> str:
    """The site's published address (`website.site-url` in _quarto.yml), without a trailing slash; "" when
    the file or the key is absent, so citations fall back to paths relative to the site and say so."""
    import yaml

    path = (root or paths.project_root()) / "_quarto.yml"
    if not path.exists():
        return ""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return ""  # the build reports a broken _quarto.yml with its line; a citation need not
    url = (raw.get("website") or {}).get("site-url") if isinstance(raw, dict) else None
    return str(url).strip().rstrip("/") if url else ""
