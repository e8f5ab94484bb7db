"""Dates as they appear in registry copies: ISO, day-first, and partial dates.

A partial date ("2021", "05.2021") is kept as the range of days it could mean, with its
precision, so that later counts can treat it honestly instead of pretending it was the 1st.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PRECISIONS = ("day", "month", "year")
MIN_YEAR = 1900
MAX_YEAR = 2100


@dataclass(frozen=True)
class DateRange:
    """The days a registry date can mean: one day, a whole month or a whole year."""

    start: dt.date
    end: dt.date
    precision: str  # one of PRECISIONS


# An optional time part, as left by spreadsheets and JSON exports ("T00:00:00", " 00:00",
# with optional fractions and time zone). The time itself never matters for these fields.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"

_ISO_DAY = re.compile(rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}")
# Day first, as everywhere in Belarus; "/" is read the same way (never month-first, US style).
_DMY = re.compile(rf"(?P<d>\d{{1,2}})(?P<sep>[./])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}){_TIME}")
_ISO_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})")
_MY = re.compile(r"(?P<m>\d{1,2})[./](?P<y>\d{4})")
_YEAR = re.compile(r"(?P<y>\d{4})")
# Recognised only to give a precise error: "21.05.21" could be 1921 or 2021.
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}|\d{1,2}[./]\d{2}")


def parse_date(text: str) -> DateRange | None:
    """Parse one date cell; None for an empty cell, ValueError for anything unreadable.

    Accepted: ``2021-05-21`` (optionally with a time part, which is dropped), ``21.05.2021``,
    ``1.5.2021``, ``21/05/2021`` (day first), ``2021-05``, ``05.2021``, ``5.2021`` (a month)
    and ``2021`` (a year). Impossible dates, two-digit years and years outside 1900-2100
    raise ValueError quoting the text.
    """
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None

    if m := _ISO_DAY.fullmatch(s) or _DMY.fullmatch(s):
        y, mo, d = _year(m["y"], text), _month(m["m"], text), int(m["d"])
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            last = calendar.monthrange(y, mo)[1]
            raise ValueError(
                f"date {text!r} does not exist: {y}-{mo:02d} has days 1-{last}, not {d}"
            ) from None
        return DateRange(day, day, "day")

    if m := _ISO_MONTH.fullmatch(s) or _MY.fullmatch(s):
        y, mo = _year(m["y"], text), _month(m["m"], text)
        last = calendar.monthrange(y, mo)[1]
        return DateRange(dt.date(y, mo, 1), dt.date(y, mo, last), "month")

    if m := _YEAR.fullmatch(s):
        y = _year(m["y"], text)
        return DateRange(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")

    if _TWO_DIGIT_YEAR.fullmatch(s):
        raise ValueError(
            f"date {text!r} has a two-digit year, which is ambiguous; "
            "expected a four-digit year as in 21.05.2021 or 2021-05-21"
        )
    raise ValueError(
        f"cannot read date {text!r}; expected YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, "
        "YYYY-MM, MM.YYYY or YYYY"
    )


def _year(digits: str, text: str) -> int:
    y = int(digits)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueError(f"date {text!r} has year {y}, outside the plausible range {MIN_YEAR}-{MAX_YEAR}")
    return y


def _month(digits: str, text: str) -> int:
    mo = int(digits)
    if not 1 <= mo <= 12:
        raise ValueError(f"date {text!r} has month {mo}; expected a month from 1 to 12")
    return mo
