"""The shape of the package: data flow one way, files → readers → stages → pipeline → notebooks and CLI.

Every module of analysis/ belongs to one layer; the test reads the imports of each (at the top and
inside functions alike) and checks that no layer reaches up, and that the graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"

FOUNDATION = {"analysis", "analysis.errors", "analysis.paths", "analysis.schema", "analysis.numbers",
              "analysis.labels", "analysis.precision"}
STAGES = {"analysis.catalogue", "analysis.extraction", "analysis.observations", "analysis.conflicts",
          "analysis.assessment", "analysis.calibration", "analysis.templates",
          "analysis.seed", "analysis.forecasting", "analysis.forecasting.transforms",
          "analysis.forecasting.models", "analysis.forecasting.decisions", "analysis.forecasting.cache",
          "analysis.forecasting.executors", "analysis.forecasting.core", "analysis.forecasting.series",
          "analysis.forecasting.sparse", "analysis.forecasting.lending", "analysis.reasons",
          "analysis.grading"}
PIPELINE = {"analysis.pipeline"}
WRITERS = {"analysis.writers"}
PRESENTATION = {"analysis.report", "analysis.overview", "analysis.charts", "analysis.display",
                "analysis.render", "analysis.build", "analysis.terminal", "analysis.permalinks",
                "analysis.pages", "analysis.gaps", "analysis.changes", "analysis.pdf", "analysis.qmd"}
COMMAND_LINE = {"analysis.cli", "analysis.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_reader(name: str) -> bool:
    return name == "analysis.readers" or name.startswith("analysis.readers.")


def layer(name: str) -> str:
    for label, members in [("foundation", FOUNDATION), ("stage", STAGES), ("pipeline", PIPELINE),
                           ("writer", WRITERS), ("presentation", PRESENTATION), ("cli", COMMAND_LINE)]:
        if name in members:
            return label
    return "reader" if is_reader(name) else "unclassified"


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The analysis modules a file imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {n for n in names if n in known}
    return found


GRAPH = {name: imports_of(path, set(modules())) - {name} for name, path in modules().items()}
# What each layer may import (besides itself, except where noted).
ALLOWED = {
    "foundation": {"foundation"},
    "reader": {"foundation", "reader"},
    "stage": {"foundation", "stage"},
    "writer": {"foundation"},
    "pipeline": {"foundation", "reader", "stage", "writer"},
    "presentation": {"foundation", "reader", "stage", "writer", "pipeline", "presentation"},
    "cli": {"foundation", "reader", "stage", "writer", "pipeline", "presentation", "cli"},
}


def test_every_module_has_a_layer():
    assert [m for m in GRAPH if layer(m) == "unclassified"] == []


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_no_module_imports_a_layer_above_its_own(name):
    above = {m for m in GRAPH[name] if layer(m) not in ALLOWED[layer(name)] and m != "analysis"}
    assert above == set(), f"{name} ({layer(name)}) imports {above}"


def test_stages_never_import_readers_writers_or_the_command_line():
    offending = {(s, m) for s in STAGES for m in GRAPH[s]
                 if is_reader(m) or m in WRITERS | PIPELINE | COMMAND_LINE | {"analysis.terminal"}}
    assert offending == set()


# Calls that open or read a file: `open(…)`, `path.open()`, `read_text`, `read_bytes`, `yaml.safe_load`,
# `pd.read_csv`, `pd.read_excel`. Only readers make them (analysis.labels, a foundation module, reads its
# packaged display words, and is not scanned: only the stages are).
OPENING = {"open", "read_text", "read_bytes", "safe_load", "read_csv", "read_excel"}


def file_openings(path: Path) -> list[str]:
    """Each call of the file that opens or reads a file, as `name:line`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in OPENING:
            found.append(f"{name}:{node.lineno}")
    return found


def test_stages_never_open_a_file():
    offending = {s: calls for s in sorted(STAGES) if (calls := file_openings(modules()[s]))}
    assert offending == {}, "stages take what readers read as arguments"


def test_the_checker_sees_a_stage_opening_a_file(tmp_path):
    fake = tmp_path / "stage.py"
    fake.write_text("import yaml, pandas as pd\nrows = (HERE / 'u.csv').open()\n"
                    "def rules():\n    return yaml.safe_load(HERE.read_text()), pd.read_csv(p), open(p)\n")
    assert sorted(file_openings(fake)) == ["open:2", "open:4", "read_csv:4", "read_text:4", "safe_load:4"]


def test_only_the_command_line_prints_to_the_terminal():
    assert {m for m, deps in GRAPH.items() if "analysis.terminal" in deps} <= COMMAND_LINE


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(GRAPH.get(name, ())):
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep):] + [dep] if dep in trail else [name, dep]
                raise AssertionError(" → ".join(cycle))
            if dep not in state:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


def test_the_checker_sees_an_upward_import_anywhere_in_a_file(tmp_path):
    # the checker itself: a made-up stage importing a reader (at the top or in a function) is caught
    fake = tmp_path / "stage.py"
    fake.write_text("from analysis.readers import files\n\ndef f():\n    import analysis.pipeline\n")
    found = imports_of(fake, set(modules()))
    assert found == {"analysis.readers", "analysis.readers.files", "analysis.pipeline"}
    assert {m for m in found if layer(m) not in ALLOWED["stage"]} == found
