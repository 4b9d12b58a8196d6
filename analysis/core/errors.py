"""The project's own exceptions and the one shape every data problem is reported in.

A researcher fixing a file needs to know where (file, row, column), what is wrong and what to do;
every check in the project reports through `Problem` so the CLI can print them all alike.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str
    severity: Severity = "error"

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} — {self.fix}"


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


class PlanTrackerError(Exception):
    """Base of every error the project raises on purpose."""


class DataError(PlanTrackerError):
    """Input data that cannot be used as it is; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input data:\n{lines}")


class BuildError(PlanTrackerError):
    """A site build that failed; the last good site is left in place."""
