"""The extractor's wording rules, read by the reading layer: the packaged files as written, and rule files a
researcher broke refused with the file and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.catalogue import extraction
from analysis.catalogue.extraction import patterns
from analysis.core.errors import DataError
from analysis.core.schema import EXTRACTION_RULE_NAMES, UnitRule
from analysis.io.readers.wording import RULES_FILE, UNITS_FILE, load_wording, read_wording

WORDING = load_wording()


def test_the_packaged_wording_reads_as_its_files_say():
    # extraction_units.csv: "个,count,count,quantity,true" and "%,%,share,quantity,false"
    assert WORDING.units["个"] == UnitRule("个", "count", "count", "quantity", True)
    assert WORDING.units["%"] == UnitRule("%", "%", "share", "quantity", False)
    # extraction_rules.yaml: comparator_after: "<=": [以内, 以下]; full_value_phrases: 全覆盖: 100
    assert WORDING.rules["comparator_after"]["<="] == ("以内", "以下")
    assert WORDING.rules["full_value_phrases"]["全覆盖"] == 100


def test_the_wording_cannot_be_changed_once_read():
    with pytest.raises(TypeError):
        WORDING.rules["comparator_after"]["<="] = ("以内",)
    with pytest.raises(TypeError):
        WORDING.units["个"] = WORDING.units["%"]
    assert not hasattr(WORDING.rules["coverage_words"], "append")


def test_the_reader_asks_for_every_rule_the_extractor_looks_up():
    source = "".join(
        p.read_text(encoding="utf-8") for p in sorted(Path(extraction.__file__).parent.glob("*.py"))
    )
    looked_up = set(re.findall(r"""wording\.rules\[["'](\w+)["']\]""", source))
    assert looked_up == set(EXTRACTION_RULE_NAMES)


def test_the_number_patterns_are_compiled_once_per_wording():
    extraction.find_numbers(WORDING, "到2025年，建成县域医疗次中心九个。")
    compiled = patterns.number_patterns.cache_info().misses
    extraction.find_numbers(WORDING, "到2027年，孕产妇死亡率控制在12/10万以下。")
    assert patterns.number_patterns.cache_info().misses == compiled


def rules_without(tmp_path: Path, rule: str) -> Path:
    lines = RULES_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "rules.yaml"
    path.write_text("".join(line for line in lines if not line.startswith(f"{rule}:")), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        ('comparator_before:\n  ">=": [达到, 超过\n', 3, "cannot be read as YAML"),
        ("- 达到\n- 超过\n", None, "not a list of named rules"),
    ],
)
def test_a_rules_file_that_is_not_named_rules_is_refused(tmp_path, text, row, words):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as refused:
        read_wording(path, UNITS_FILE)
    [problem] = refused.value.problems
    assert (problem.file, problem.row) == (str(path), row)
    assert words in problem.message


def test_a_rules_file_missing_a_rule_names_it(tmp_path):
    with pytest.raises(DataError) as refused:
        read_wording(rules_without(tmp_path, "horizon_pattern"), UNITS_FILE)
    [problem] = refused.value.problems
    assert problem.message.endswith("no rule horizon_pattern")


def test_a_units_file_with_a_flag_neither_true_nor_false_names_the_row(tmp_path):
    path = tmp_path / "units.csv"
    text, line = UNITS_FILE.read_text(encoding="utf-8"), "个,count,count,quantity,true"
    path.write_text(text.replace(line, "个,count,count,quantity,yes"), encoding="utf-8")
    row = text.splitlines().index(line) + 1  # the header is row 1
    with pytest.raises(DataError) as refused:
        read_wording(RULES_FILE, path)
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), row, "after_chinese_numeral")
    assert "'yes' is neither true nor false" in problem.message


def test_a_units_file_missing_a_column_names_it(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("printed,unit,kind,category\n个,count,count,quantity\n", encoding="utf-8")
    with pytest.raises(DataError) as refused:
        read_wording(RULES_FILE, path)
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "after_chinese_numeral")]
