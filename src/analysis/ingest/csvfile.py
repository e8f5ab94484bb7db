"""Small hand-kept CSV files (the figures ledger, release waves, release records, corrections, the
withheld list): read strictly.

One reader for all of them, so each gets the same care: a regular file of bounded size, UTF-8 with or
without the byte-order mark a spreadsheet writes or Windows-1251 (analysis.core.safeio), line ends only at CR/LF, broken quoting and wrong field counts reported with row
and line instead of a traceback, blank lines skipped, and the header checked for required columns.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.safeio import read_text

_WHOLE = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take "١٢" or "１２"
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,. \u00a0\u202f'][0-9]{3})+")
_FRACTION = re.compile(r"[0-9]*[.,][0-9]+")


def read_records(path: Path, columns: tuple[str, ...]) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header's index of each required column, and (row number, raw fields) of every non-blank row."""
    text = read_text(path)   # a regular file, UTF-8 with or without a byte-order mark, or Windows-1251
    # newline="": line ends only at CR/LF (str.splitlines would also split at U+2028, \x85 ...).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _record(path, reader, 0)
    if header is None:
        raise InputError(path, "the file is empty", fix=f"the header is {','.join(columns)}")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(path, f"column(s) {', '.join(missing)} missing from the header", row=0, field=missing[0],
                         fix=f"the header is {','.join(columns)}")
    rows, row_number = [], 0
    while (fields := _record(path, reader, row_number + 1)) is not None:
        row_number += 1
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise InputError(path, f"{len(fields)} fields, the header has {len(header)}", row=row_number,
                             line=reader.line_num, fix="quote fields that contain commas or line breaks")
        rows.append((row_number, fields))
    return {name: header.index(name) for name in columns}, rows


def _record(path: Path, reader, row_number: int) -> list[str] | None:
    """The next CSV record (None at the end); broken quoting names the row instead of a traceback."""
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", row=row_number, line=reader.line_num,
                         fix="close every quoted field, and double a quote inside one (\"\")") from None


def whole_number_problem(text: str) -> str | None:
    """None if `text` is a count (ASCII digits); else why not, in words a person can act on."""
    if _WHOLE.fullmatch(text):
        return None
    if not text:
        return "value is empty"
    if text.startswith(("-", "\u2212")):
        return f"value {text!r} is negative"
    if _GROUPED.fullmatch(text):
        return (f"value {text!r} has a thousands separator, which is ambiguous (',' is the decimal mark in "
                "Russian and Belarusian writing)")
    if _FRACTION.fullmatch(text):
        return f"value {text!r} is a fraction, not a whole number of people"
    return f"value {text!r} is not a whole number"
