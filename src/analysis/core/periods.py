"""Reporting periods: a month (`2026-02`), a quarter (`2025-Q4`) or a year (`2025`)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from analysis.core.errors import InputError

# ASCII digits only: \d would also take "２０２６" (full-width), which would publish a second copy of a month.
_MONTH = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})")
_QUARTER = re.compile(r"(?P<y>[0-9]{4})-[Qq](?P<q>[1-4])")
_YEAR = re.compile(r"(?P<y>[0-9]{4})")
_FORMS = "write a month (2026-02), a quarter (2025-Q4) or a year (2025)"
FIRST_MONTH = dt.date(2020, 5, 1)  # the series starts with the 2020 election campaign
# Years a period label may name: independent Belarus to a bound no real period reaches (year 0 or 9999
# would only make dates that cannot exist).
FIRST_YEAR, LAST_YEAR = 1991, 2999


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    label: str
    kind: str  # month | quarter | year

    @classmethod
    def parse(cls, text: str) -> "Period":
        text = str(text).strip()
        if not text.isascii():
            raise InputError("--period", f"{text!r} has characters that are not plain ASCII", fix=_FORMS)
        if (match := _MONTH.fullmatch(text) or _QUARTER.fullmatch(text) or _YEAR.fullmatch(text)) and not (
                FIRST_YEAR <= int(match["y"]) <= LAST_YEAR):
            raise InputError("--period", f"year {match['y']} is outside {FIRST_YEAR}-{LAST_YEAR}", fix=_FORMS)
        if match := _MONTH.fullmatch(text):
            year, month = int(match["y"]), int(match["m"])
            if not 1 <= month <= 12:
                raise InputError("--period", f"month {month} does not exist in {text!r}", fix=_FORMS)
            return cls(dt.date(year, month, 1), month_end(year, month), text, "month")
        if match := _QUARTER.fullmatch(text):
            year, quarter = int(match["y"]), int(match["q"])
            first = 3 * (quarter - 1) + 1
            return cls(dt.date(year, first, 1), month_end(year, first + 2), f"{year}-Q{quarter}", "quarter")
        if match := _YEAR.fullmatch(text):
            year = int(match["y"])
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), text, "year")
        raise InputError("--period", f"{text!r} is not a period",
                         fix=_FORMS)

    def months(self) -> list[str]:
        """The YYYY-MM labels of the months in the period."""
        labels, day = [], self.start
        while day <= self.end:
            labels.append(f"{day.year:04d}-{day.month:02d}")
            day = month_end(day.year, day.month) + dt.timedelta(days=1)
        return labels

    def previous(self) -> "Period":
        """The period of the same kind just before this one."""
        day = self.start - dt.timedelta(days=1)
        if self.kind == "month":
            return Period.parse(f"{day.year:04d}-{day.month:02d}")
        if self.kind == "quarter":
            return Period.parse(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
        return Period.parse(f"{day.year:04d}")

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def months_between(first: dt.date, last: dt.date) -> list[str]:
    """YYYY-MM labels from the month of `first` to the month of `last`, inclusive."""
    return Period(dt.date(first.year, first.month, 1), last, "", "month").months()
