"""Tables and paragraphs laid out for a terminal of a given width, as plain lines of text.

Why not rich's Table: when its columns do not fit, rich cuts cells with "…" or folds a target id over
two or three lines. Here nothing is ever cut: a column either gets the width of its longest unbreakable
piece (an id, a number, a year: a figure with its year) or the table changes shape — the key column
(the target id, the indicator) goes on a line of its own above the row's other cells, which then have
the whole width. Only a word wider than the terminal itself is folded. Lines are measured in terminal
cells (a Chinese character is two), drawn with ASCII rules only (box-drawing characters are two cells
wide on terminals set for East Asian text), never wider than `width`, and the same on a terminal and in
a pipe: no colour, no markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

GAP = "  "  # between columns
INDENT = "  "  # the cells under a key on a line of its own; the continuation of a paragraph
ATOM_GAP = "  "  # between the pieces of a cell given as a tuple (a year's figure: "2023: 85.3")
LONGEST_WORD = 24  # a free-text column is never made wider than this to keep a long word whole

Cell = str | tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """A column: its header; `wrap` free text may break between words (otherwise the cell is kept on one
    line: ids, numbers, statuses); cells given as tuples break only between their pieces."""

    header: str
    right: bool = False
    wrap: bool = False


def _pieces(cell: Cell, column: Column) -> tuple[list[str], str]:
    """The unbreakable pieces of a cell and what joins them."""
    if isinstance(cell, tuple):
        return [p for p in cell if p], ATOM_GAP
    if column.wrap:
        return cell.split(), " "
    return [cell], " "


def fold(word: str, width: int) -> list[str]:
    """A word wider than `width` in pieces of at most `width` cells (Chinese text has no spaces)."""
    lines, current = [], ""
    for char in word:
        if current and cell_len(current + char) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current] if current or not lines else lines


def wrap(
    cell: Cell, width: int, column: Column = Column("", wrap=True), later: int | None = None
) -> list[str]:
    """A cell in lines of at most `width` cells (`later`: the width of the lines after the first),
    broken between its pieces; a piece wider than the line is folded."""
    pieces, joint = _pieces(cell, column)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        room = width if not lines else (later or width)
        candidate = f"{current}{joint}{piece}" if current else piece
        if cell_len(candidate) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
            room = later or width
        room = min(room, later or width)
        parts = fold(piece, room) if cell_len(piece) > room else [piece]
        lines.extend(parts[:-1])
        current = parts[-1]
    return [*lines, current] if current or not lines else lines


def _natural(column: Column, cells: list[Cell]) -> int:
    widths = [cell_len(joint.join(pieces)) for pieces, joint in (_pieces(c, column) for c in cells)]
    return max([cell_len(column.header), *widths])


def _minimum(column: Column, cells: list[Cell]) -> int:
    """The narrowest the column can be with every unbreakable piece whole (free text: up to a cap)."""
    longest = max([1, *(cell_len(p) for c in cells for p in _pieces(c, column)[0])])
    header = max(cell_len(w) for w in column.header.split() or [""])
    if column.wrap and not isinstance(cells[0] if cells else "", tuple):
        return max(header, min(longest, LONGEST_WORD))
    return max(header, longest)


def fit(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> list[int] | None:
    """Column widths within `width` that keep every unbreakable piece whole, the spare room shared
    among the columns that can wrap; None when even the narrowest widths do not fit."""
    cells = [[row[i] for row in rows] for i in range(len(columns))]
    natural = [_natural(c, v) for c, v in zip(columns, cells, strict=True)]
    room = width - cell_len(GAP) * (len(columns) - 1)
    if sum(natural) <= room:
        return natural
    least = [min(_minimum(c, v), n) for c, v, n in zip(columns, cells, natural, strict=True)]
    if sum(least) > room:
        return None
    spare, wants = room - sum(least), [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(wants)
    widths = [m + spare * w // total for m, w in zip(least, wants, strict=True)]
    widths[wants.index(max(wants))] += room - sum(widths)
    return widths


def _line(texts: Sequence[str], widths: Sequence[int], columns: Sequence[Column]) -> str:
    cells = []
    for text, width, column in zip(texts, widths, columns, strict=True):
        pad = " " * (width - cell_len(text))
        cells.append(pad + text if column.right else text + pad)
    return GAP.join(cells).rstrip()


def _row(row: Sequence[Cell], widths: Sequence[int], columns: Sequence[Column]) -> list[str]:
    wrapped = [wrap(c, w, col) for c, w, col in zip(row, widths, columns, strict=True)]
    height = max(len(w) for w in wrapped)
    return [_line([w[i] if i < len(w) else "" for w in wrapped], widths, columns) for i in range(height)]


def _forced(columns: Sequence[Column], width: int) -> list[int]:
    """Widths for a terminal too narrow for any layout that keeps pieces whole: equal shares."""
    room = max(len(columns), width - cell_len(GAP) * (len(columns) - 1))
    return [max(1, room // len(columns))] * len(columns)


def flat(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], widths: Sequence[int]) -> list[str]:
    """A header, a rule and each row on its lines."""
    header = _row([c.header for c in columns], widths, [Column(c.header, c.right, True) for c in columns])
    rule = _line(["-" * w for w in widths], widths, columns)
    return [*header, rule, *(line for row in rows for line in _row(row, widths, columns))]


def stacked(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> list[str]:
    """The first column on a line of its own, the row's other cells indented under it."""
    rest = columns[1:]
    inner = width - len(INDENT)
    widths = fit(rest, [r[1:] for r in rows], inner) or _forced(rest, inner)
    lines = wrap(columns[0].header, width)
    lines += [INDENT + line for line in _row([c.header for c in rest], widths, rest)]
    lines.append("-" * min(width, len(INDENT) + sum(widths) + len(GAP) * (len(widths) - 1)))
    for row in rows:
        lines += wrap(row[0], width, columns[0])
        lines += [INDENT + line for line in _row(row[1:], widths, rest)]
    return lines


def table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> list[str]:
    """The rows as a table within `width`: one line per row where every column fits whole, else the
    first column (the row's key) on a line of its own above the others."""
    widths = fit(columns, rows, width)
    if widths is not None:
        return flat(columns, rows, widths)
    if len(columns) > 1:
        return stacked(columns, rows, width)
    return flat(columns, rows, _forced(columns, width))


def paragraph(text: str, width: int, indent: str = "") -> list[str]:
    """Text wrapped between words within `width`; lines after the first indented by `indent`."""
    lines = wrap(text, width, later=width - cell_len(indent))
    return [lines[0], *(indent + line for line in lines[1:])]


def emit(console, lines: Sequence[str]) -> None:
    """Print finished lines as they are: no markup, no highlighting, no wrapping by rich."""
    for line in lines:
        console.out(line, highlight=False)


def say(console, text: str, indent: str = "") -> None:
    """A sentence wrapped within the terminal's width, lines after the first indented by `indent`."""
    emit(console, paragraph(text, console.width, indent))
