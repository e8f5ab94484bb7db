"""Errors that point a person at the exact place in an input file and say what to do."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, the row and the field, and says how to fix it.

    `row` is the 1-based data row (the header is row 0) or None when the problem
    concerns the whole file; `line` is the physical line in the file when known.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
        fix: str = "",
    ):
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.field = field
        self.line = line
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        text = f"{', '.join(where)}: {self.problem}"
        if self.fix:
            text += f"\n  What to do: {self.fix}"
        return text


class ChecksumMismatch(InputError):
    """A raw file no longer has the sha256 recorded in its snapshot metadata."""


class ValidationFailed(Exception):
    """A quality gate found a critical problem; nothing was published."""


class PrivacyViolation(RuntimeError):
    """A staged build holds restricted values (names, birth dates, withheld ids...): nothing was published."""
