"""The extractor's wording rules: the words of analysis/extraction_rules.yaml and the printed units of
analysis/extraction_units.csv, packaged with the code and read here once, so that the extractor
(`analysis.catalogue.extraction`) takes them as an argument and a researcher who edits them gets a message
naming the file, not a traceback.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from analysis.core import paths
from analysis.core.errors import DataError, Problem
from analysis.core.schema import EXTRACTION_RULE_NAMES, EXTRACTION_UNIT_COLUMNS, ROW, UnitRule, Wording
from analysis.io.readers.files import check_input_file, decode, display_name, read_bytes, read_table

RULES_FILE = paths.PACKAGE / "catalogue" / "extraction_rules.yaml"
UNITS_FILE = paths.PACKAGE / "catalogue" / "extraction_units.csv"


@cache
def load_wording() -> Wording:
    """The packaged wording rules, read once per process (the extractor caches its patterns by them)."""
    return read_wording(RULES_FILE, UNITS_FILE)


def read_wording(rules_file: Path, units_file: Path) -> Wording:
    """Wording rules from a rules file (YAML) and a units file (CSV)."""
    return Wording(_frozen(read_rules(rules_file)), MappingProxyType(read_units(units_file)))


def read_rules(path: Path) -> dict[str, Any]:
    """The rules by name; the file must be YAML mapping every name the extractor looks up."""
    name = display_name(path)
    check_input_file(path, name)
    try:
        rules = yaml.safe_load(decode(read_bytes(path, name), name))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        why = getattr(exc, "problem", None) or exc
        line = mark.line + 1 if mark else None
        raise DataError(
            [
                Problem(
                    name,
                    line,
                    None,
                    f"cannot be read as YAML ({why})",
                    "fix the line: indentation, a missing ':' or an unclosed bracket",
                )
            ]
        ) from exc
    missing = [r for r in EXTRACTION_RULE_NAMES if r not in rules] if isinstance(rules, dict) else None
    if missing is None or missing:
        what = "not a list of named rules" if missing is None else f"no rule {', '.join(missing)}"
        raise DataError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"the extractor's wording rules: {what}",
                    "keep every rule of the packaged file (`git diff` shows what changed): "
                    "edit the words of a rule, never its name",
                )
            ]
        )
    return rules


def read_units(path: Path) -> dict[str, UnitRule]:
    """The printed units by how they are printed; after_chinese_numeral must be true or false."""
    name = display_name(path)
    frame = read_table(path, EXTRACTION_UNIT_COLUMNS, display_name=name)
    flags = frame["after_chinese_numeral"]
    wrong = frame[~flags.isin(["true", "false"])]
    if len(wrong):
        raise DataError(
            [
                Problem(
                    name,
                    int(r[ROW]),
                    "after_chinese_numeral",
                    f"'{r['after_chinese_numeral']}' is neither true nor false",
                    "write true when the unit may follow a Chinese numeral (九个), else false",
                )
                for _, r in wrong.iterrows()
            ]
        )
    return {
        r["printed"]: UnitRule(
            r["printed"], r["unit"], r["kind"], r["category"], r["after_chinese_numeral"] == "true"
        )
        for _, r in frame.iterrows()
    }


def _frozen(value: Any) -> Any:
    """Maps made read-only and lists tuples, all the way down: the compiled patterns cannot go stale."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
