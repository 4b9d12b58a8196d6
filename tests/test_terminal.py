"""The terminal a researcher reads: `status`, `observations --region R` and `targets --rows` in an
80-column pseudo-terminal print no line wider than 80 cells, every target id whole on one line, no cell
cut with "…", and the same text as in a pipe; wider terminals are used and never overrun; mistyped
names get a suggestion; counted words agree with their number.

The widths are measured here independently of rich (a character is two cells when Unicode calls it
wide or full-width), and the ids are read straight from data/targets.csv.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from analysis.cli import layout, terminal, words
from analysis.cli.batch import template_path
from analysis.cli.commands import app
from analysis.core import paths

REPO = paths.project_root()
PLANTRACKER = Path(sys.executable).with_name("plantracker")
ID_CHARS = r"[A-Za-z0-9_\-]"


def cells(line: str) -> int:
    """Terminal cells of a line: wide and full-width characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line
    )


def catalogue(column: str = "target_id", region: str | None = None) -> list[str]:
    rows = csv.DictReader(io.StringIO((REPO / "data" / "targets.csv").read_text(encoding="utf-8-sig")))
    return [r[column] for r in rows if region is None or r["region"] == region]


def observation_regions() -> list[str]:
    text = (REPO / "data" / "observations.csv").read_text(encoding="utf-8-sig")
    return sorted({r["region"] for r in csv.DictReader(io.StringIO(text))})


def whole(target_id: str, lines: list[str]) -> bool:
    """The id on one line, not part of a longer id."""
    pattern = re.compile(rf"(?<!{ID_CHARS}){re.escape(target_id)}(?!{ID_CHARS})")
    return any(pattern.search(line) for line in lines)


TERMINAL_CODES = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07]*\x07|\r|\n|[^\x1b\r\n]+")


def visible(raw: bytes) -> str:
    """What a terminal shows of a pseudo-terminal's bytes: text written where the cursor is, carriage
    return, new line, cursor up and erase line obeyed, other escape codes (colours) dropped."""
    screen, row, col = [""], 0, 0
    for match in TERMINAL_CODES.finditer(raw.decode("utf-8")):
        token, code = match.group(0), match.group(2)
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            screen += [""] * (row + 1 - len(screen))
        elif code == "A":
            row = max(0, row - int(match.group(1) or 1))
        elif code == "K":
            screen[row] = "" if match.group(1) == "2" else screen[row][:col]
        elif code is None and not token.startswith("\x1b"):
            line = screen[row].ljust(col)
            screen[row] = line[:col] + token + line[col + len(token) :]
            col += len(token)
    return "\n".join(screen)


BUSY = "assessing and forecasting the targets"  # what status says on a terminal while it works


@cache
def in_terminal(*args: str, columns: int = 80) -> str:
    """The command's output in a real pseudo-terminal of `columns` columns (COLUMNS unset)."""
    pty = pytest.importorskip("pty")
    import fcntl
    import select
    import struct
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(PLANTRACKER_ROOT=str(REPO), TERM="xterm-256color")
    process = subprocess.Popen(
        [str(PLANTRACKER), *args], stdin=child, stdout=child, stderr=child, env=env, close_fds=True
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    os.close(main)
    assert process.wait(timeout=300) == 0, visible(b"".join(chunks))[-2000:]
    return visible(b"".join(chunks))


@cache
def in_pipe(*args: str, columns: str | None = "80") -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PLANTRACKER_ROOT"] = str(REPO)
    if columns is not None:
        env["COLUMNS"] = columns
    result = subprocess.run([str(PLANTRACKER), *args], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_fits(text: str, width: int = 80) -> None:
    lines = text.splitlines()
    too_wide = [line for line in lines if cells(line) > width]
    assert not too_wide, f"{len(too_wide)} lines over {width} cells, e.g. {too_wide[0]!r}"
    assert "…" not in text


def test_status_in_an_80_column_terminal():
    text = in_terminal("status")
    assert_fits(text)
    table = text.split("\nWhy\n")[0].splitlines()  # the table alone, before the reasons
    ids = catalogue()
    assert [i for i in ids if not whole(i, table)] == []
    assert [i for i in ids if not whole(i, text.split("\nWhy\n")[1].splitlines())] == []


@pytest.mark.parametrize("region", observation_regions())
def test_observations_of_each_region_in_an_80_column_terminal(region: str):
    text = in_terminal("observations", "--region", region)
    assert_fits(text)
    assert region in text.splitlines()


def test_target_rows_in_an_80_column_terminal():
    text = in_terminal("targets", "--rows")
    assert_fits(text)
    rows = text.split("\nTargets\n")[1].splitlines()
    assert [i for i in catalogue() if not whole(i, rows)] == []


@pytest.mark.parametrize(
    "args",
    [("status", "--region", "guizhou"), ("observations", "--region", "guizhou"), ("targets", "--rows")],
)
def test_a_pipe_prints_what_the_terminal_shows(args: tuple[str, ...]):
    """In a pipe the width is COLUMNS, or 80 without it: the same lines as an 80-column terminal."""
    shown = [line for line in in_terminal(*args).splitlines() if line != BUSY]
    assert in_pipe(*args).splitlines() == shown
    assert in_pipe(*args, columns=None).splitlines() == shown


def test_a_wide_terminal_puts_each_target_on_one_line():
    text = in_terminal("status", "--region", "bazhong", columns=160)
    assert_fits(text, 160)
    table = [line for line in text.split("\nWhy\n")[0].splitlines() if line != BUSY]
    ids = catalogue(region="bazhong")
    assert len(table) == len(ids) + 2  # header, rule, a line per target
    assert all(whole(i, [line]) for i, line in zip(ids, table[2:], strict=True))


# --- the layout, on tables made up here ---------------------------------------------------------

LONG_ID = "003-township_health_centres_meeting_basic_standard_share-2027"
STATUS_ROWS = pd.DataFrame(
    {
        "target_id": [LONG_ID, "001-x-2025", "002-y_z-2030"],
        "status": ["not_assessable", "on_track", "behind"],
        "latest_value": [None, 12.5, 0.3],
        "latest_year": [None, 2024, 2023],
        "latest_qualifier": [None, ">=", "="],
        "target_year": [2027, 2025, 2030],
        "p_met": [None, 0.85, 0.1],
        "reason": [
            "No figure of the share " * 12,
            "卫生健康事业发展" * 9,
            "https://example.gov.cn/" + "a" * 120,
        ],
    }
)


@pytest.mark.parametrize("width", [80, 81, 100, 132, 200])
def test_status_table_fits_any_width_from_80(width: int):
    out = io.StringIO()
    terminal.print_status(Console(file=out, width=width), STATUS_ROWS)
    assert_fits(out.getvalue(), width)
    table, reasons = out.getvalue().split("\nWhy\n")
    assert all(whole(i, table.splitlines()) for i in STATUS_ROWS["target_id"])
    assert all(whole(i, reasons.splitlines()) for i in STATUS_ROWS["target_id"])
    assert "≥12.5 (2024)" in table or ">=12.5 (2024)" in table


def test_a_table_that_fits_is_one_line_a_row_and_one_that_does_not_puts_the_key_above():
    columns = (layout.Column("id"), layout.Column("words", wrap=True))
    rows = [["a" * 30, "one two three"], ["b" * 10, "four"]]
    assert layout.table(columns, rows, 80) == [
        "id                              words",
        "------------------------------  -------------",
        "a" * 30 + "  one two three",
        "b" * 10 + " " * 22 + "four",
    ]
    narrow = layout.table(columns, rows, 31)
    assert narrow[:3] == ["id", "  words", "---------------"]
    assert narrow[3:] == ["a" * 30, "  one two three", "b" * 10, "  four"]


def test_pieces_stay_whole_and_only_words_wider_than_the_line_are_folded():
    assert layout.wrap(("2023: 85.3", "2024: 86", "2025: 90.1 (2)"), 20, layout.Column("v")) == [
        "2023: 85.3  2024: 86",
        "2025: 90.1 (2)",
    ]
    assert layout.wrap("中文" * 5, 7) == ["中文中", "文中文", "中文中", "文"]
    assert layout.paragraph("aaa bbb ccc ddd", 8, "  ") == ["aaa bbb", "  ccc", "  ddd"]


# --- did you mean ---------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"PLANTRACKER_ROOT": str(REPO), "COLUMNS": "200"})


@pytest.mark.parametrize(
    ("args", "words_"),
    [
        (["targets", "--region", "guizou"], "did you mean guizhou?"),
        (["targets", "--region", "Baz hong"], "did you mean bazhong?"),
        (["observations", "--region", "sichaun"], "did you mean sichuan?"),
        (["targets", "--indicator", "health_literacy_rat"], "did you mean health_literacy_rate?"),
        (["targets", "--indicator", "life expectancy"], "did you mean life_expectancy?"),
        (["targets", "--format", "jsno"], "did you mean json?"),
        (["template", "--region", "guiyng"], "did you mean guiyang?"),
    ],
)
def test_a_mistyped_name_gets_a_suggestion(args: list[str], words_: str):
    result = run(*args)
    assert result.exit_code == 1 and words_ in result.output, result.output
    assert "Traceback" not in result.output


def test_a_name_like_nothing_gets_the_list_and_no_suggestion():
    result = run("targets", "--region", "atlantis")
    assert result.exit_code == 1 and "did you mean" not in result.output
    assert "guizhou" in result.output and "bazhong" in result.output


def test_a_mistyped_command_gets_a_suggestion():
    result = run("stauts")
    assert result.exit_code == 2 and "Did you mean 'status'" in result.output


def test_an_indicator_is_known_by_its_name():
    ids = catalogue("indicator", "guizhou")
    result = run("targets", "--indicator", ids[0].upper(), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert result.exit_code == 0 and rows and {r["indicator"] for r in rows} == {ids[0]}


# --- counted words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "noun", "en", "zh"),
    [
        (1, "plan", "1 plan", "1 份规划"),
        (2, "plan", "2 plans", "2 份规划"),
        (0, "target", "0 targets", "0 个目标"),
        (1, "document", "1 document", "1 份文件"),
        (1, "warning", "1 warning", "1 个警告"),
        (3, "error", "3 errors", "3 个错误"),
    ],
)
def test_a_count_agrees_with_its_number(n: int, noun: str, en: str, zh: str):
    assert words.count(n, noun) == en and words.count(n, noun, "zh") == zh


def test_one_document_is_singular_in_the_targets_summary():
    targets = pd.DataFrame(
        {
            "target_id": ["t1", "t2"],
            "region": ["r", "r"],
            "document": ["d", "d"],
            "indicator": ["i", "i"],
            "target_year": [2025, 2025],
            "kind": ["share", "share"],
        }
    )
    indicators = pd.DataFrame({"indicator_id": ["i"], "theme": ["health"]})
    out = io.StringIO()
    terminal.print_targets(Console(file=out, width=80), targets, indicators)
    assert out.getvalue().splitlines()[0] == "2 targets in 1 document"
    assert "(s)" not in out.getvalue()


# --- template -------------------------------------------------------------------------------------


def test_template_goes_to_an_ignored_folder_and_never_over_a_file(tmp_path: Path):
    default = template_path(tmp_path, "guizhou", "xlsx", None, force=False)
    assert default == tmp_path / "drafts" / "observations_template_guizhou.xlsx"
    assert default.parent.is_dir() and not default.exists()
    default.write_bytes(b"figures filled in")
    result = run("template", "--region", "guizhou", "--out", str(default))
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert default.read_bytes() == b"figures filled in"
    forced = run("template", "--region", "guizhou", "--out", str(default), "--force")
    assert forced.exit_code == 0 and default.read_bytes()[:2] == b"PK"  # an xlsx is a zip
    assert "/drafts/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
