from __future__ import annotations

import datetime as dt

import pytest

from analysis.core.errors import InputError
from analysis.core.periods import Period, months_between


@pytest.mark.parametrize("text, start, end, kind, months", [
    ("2026-02", "2026-02-01", "2026-02-28", "month", 1),
    ("2024-02", "2024-02-01", "2024-02-29", "month", 1),
    ("2025-Q4", "2025-10-01", "2025-12-31", "quarter", 3),
    ("2025-q1", "2025-01-01", "2025-03-31", "quarter", 3),
    ("2025", "2025-01-01", "2025-12-31", "year", 12),
])
def test_parse(text, start, end, kind, months):
    period = Period.parse(text)
    assert (str(period.start), str(period.end), period.kind, len(period.months())) == (start, end, kind, months)


@pytest.mark.parametrize("text, previous", [("2026-01", "2025-12"), ("2025-Q1", "2024-Q4"), ("2025", "2024")])
def test_previous(text, previous):
    assert Period.parse(text).previous().label == previous


@pytest.mark.parametrize("text", ["2026-13", "2025-Q5", "26-02", "February", "2026-2"])
def test_bad_periods_say_what_to_write(text):
    with pytest.raises(InputError, match="2025-Q4"):
        Period.parse(text)


def test_months_between():
    assert months_between(dt.date(2020, 5, 1), dt.date(2020, 8, 31)) == ["2020-05", "2020-06", "2020-07", "2020-08"]
