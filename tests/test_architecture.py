"""The shape of the package: data flow one way, files → readers → stages → pipeline → site → build → CLI.

A module's layer is the folder it lives in (`FOLDERS`); the test reads the imports of each module (at
the top and inside functions alike) and checks that no layer reaches up, and that the graph has no cycle.
A new folder under analysis/ must be given a layer here before its modules pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"

# Each folder (or top-level module) of analysis/ and its layer, from the bottom up.
FOLDERS = {
    "core": "foundation",
    "io.readers": "reader",
    "io.writers": "writer",
    "catalogue": "stage",
    "observations": "stage",
    "assessment": "stage",
    "forecasting": "stage",
    "pipeline": "pipeline",
    "site": "presentation",
    "build": "build",
    "cli": "cli",
    "__main__": "cli",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_reader(name: str) -> bool:
    return layer(name) == "reader"


def layer(name: str) -> str:
    """The layer of a module: that of the longest folder (or module) path of FOLDERS it lies in."""
    inner = name.removeprefix("analysis").lstrip(".")
    for folder in sorted(FOLDERS, key=len, reverse=True):
        if inner == folder or inner.startswith(folder + "."):
            return FOLDERS[folder]
    return "package" if inner in ("", "io") else "unclassified"


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The analysis modules a file imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` depends on the submodule; `from module import name` on
            # the module
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                for a in node.names
            ]
        else:
            continue
        found |= {n for n in names if n in known}
    return found


GRAPH = {name: imports_of(path, set(modules())) - {name} for name, path in modules().items()}
# What each layer may import (besides itself, except where noted).
ALLOWED = {
    "package": {"package"},
    "foundation": {"foundation"},
    "reader": {"foundation", "reader"},
    "stage": {"foundation", "stage"},
    "writer": {"foundation"},
    "pipeline": {"foundation", "reader", "stage", "writer", "pipeline"},
    "presentation": {"foundation", "reader", "stage", "writer", "pipeline", "presentation"},
    "build": {"foundation", "reader", "stage", "writer", "pipeline", "presentation", "build"},
    "cli": {"foundation", "reader", "stage", "writer", "pipeline", "presentation", "build", "cli"},
}
STAGES = {m for m in modules() if layer(m) == "stage"}
COMMAND_LINE = {m for m in modules() if layer(m) == "cli"}
WRITERS = {m for m in modules() if layer(m) == "writer"}
PIPELINE = {m for m in modules() if layer(m) == "pipeline"}


def test_every_module_has_a_layer():
    assert [m for m in GRAPH if layer(m) == "unclassified"] == []


def test_every_folder_of_the_package_is_a_layer():
    """A folder (a subpackage) of analysis/ that holds code is named in FOLDERS, with its layer."""
    folders = {
        p.parent.relative_to(PACKAGE).as_posix().replace("/", ".")
        for p in PACKAGE.rglob("*.py")
        if p.parent != PACKAGE
    }
    top = {f.split(".")[0] for f in folders} - {"io"}
    assert top <= {f.split(".")[0] for f in FOLDERS}, top - {f.split(".")[0] for f in FOLDERS}


def test_the_layer_of_a_module_is_its_folder():
    assert layer("analysis.core.schema") == "foundation"
    assert layer("analysis.io.readers.files") == "reader"
    assert layer("analysis.io.writers") == "writer"
    assert layer("analysis.forecasting.models") == "stage"
    assert layer("analysis.site.report") == "presentation"
    assert layer("analysis.somewhere_new") == "unclassified"


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_no_module_imports_a_layer_above_its_own(name):
    above = {m for m in GRAPH[name] if layer(m) not in ALLOWED[layer(name)] | {"package"}}
    assert above == set(), f"{name} ({layer(name)}) imports {above}"


def test_stages_never_import_readers_writers_or_the_command_line():
    offending = {
        (s, m) for s in STAGES for m in GRAPH[s] if is_reader(m) or m in WRITERS | PIPELINE | COMMAND_LINE
    }
    assert offending == set()


# Calls that open or read a file: `open(…)`, `path.open()`, `read_text`, `read_bytes`, `yaml.safe_load`,
# `pd.read_csv`, `pd.read_excel`. Only readers make them (analysis.core.labels, a foundation module, reads its
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
    fake.write_text(
        "import yaml, pandas as pd\nrows = (HERE / 'u.csv').open()\n"
        "def rules():\n    return yaml.safe_load(HERE.read_text()), pd.read_csv(p), open(p)\n"
    )
    assert sorted(file_openings(fake)) == ["open:2", "open:4", "read_csv:4", "read_text:4", "safe_load:4"]


def test_only_the_command_line_prints_to_the_terminal():
    assert {m for m, deps in GRAPH.items() if "analysis.cli.terminal" in deps} <= COMMAND_LINE


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(GRAPH.get(name, ())):
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep) :] + [dep] if dep in trail else [name, dep]
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
    fake.write_text("from analysis.io.readers import files\n\ndef f():\n    import analysis.pipeline\n")
    found = imports_of(fake, set(modules()))
    assert found == {"analysis.io.readers.files", "analysis.pipeline"}
    assert {m for m in found if layer(m) not in ALLOWED["stage"]} == found


MAX_LINES = 500  # a module of one concern reads in one sitting


def test_no_module_is_longer_than_a_module_of_one_concern():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, "split these by concern"
