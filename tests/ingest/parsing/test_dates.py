"""parse_date: every form seen in registry copies, partial dates as ranges, strict errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.parsing import DateRange, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-05-21", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("2021-05-21T00:00:00", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("2021-05-21 00:00:00", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("2021-05-21T13:45", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("2021-05-21T00:00:00Z", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("21.05.2021", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("1.5.2021", DateRange(D(2021, 5, 1), D(2021, 5, 1), "day")),
        ("21/05/2021", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("05/04/2021", DateRange(D(2021, 4, 5), D(2021, 4, 5), "day")),  # day first, never US order
        ("29.02.2024", DateRange(D(2024, 2, 29), D(2024, 2, 29), "day")),
        ("  2021-05-21\t", DateRange(D(2021, 5, 21), D(2021, 5, 21), "day")),
        ("2021", DateRange(D(2021, 1, 1), D(2021, 12, 31), "year")),
        ("2021-05", DateRange(D(2021, 5, 1), D(2021, 5, 31), "month")),
        ("05.2021", DateRange(D(2021, 5, 1), D(2021, 5, 31), "month")),
        ("5.2021", DateRange(D(2021, 5, 1), D(2021, 5, 31), "month")),
        ("02.2024", DateRange(D(2024, 2, 1), D(2024, 2, 29), "month")),
        ("2023-02", DateRange(D(2023, 2, 1), D(2023, 2, 28), "month")),
        ("1900-01-01", DateRange(D(1900, 1, 1), D(1900, 1, 1), "day")),
        ("2100", DateRange(D(2100, 1, 1), D(2100, 12, 31), "year")),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_is_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2021-02-30", "does not exist"),
        ("31.04.2022", "does not exist"),
        ("29.02.2023", "does not exist"),
        ("00.05.2021", "does not exist"),
        ("2021-13-01", "month 13"),
        ("13.2021", "month 13"),
        ("2021-00", "month 0"),
        ("21.05.21", "two-digit year"),
        ("21/05/21", "two-digit year"),
        ("05.21", "two-digit year"),
        ("1899-12-31", "outside"),
        ("2101", "outside"),
        ("21 May 2021", "cannot read"),
        ("2021.05.21", "cannot read"),
        ("yesterday", "cannot read"),
        ("21.05-2021", "cannot read"),
    ],
)
def test_rejected_forms_quote_the_text(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_date(text)
    assert repr(text) in str(err.value)
    assert fragment in str(err.value)


def test_partial_date_is_a_range_not_the_first():
    r = parse_date("2021-05")
    assert r.start != r.end
    assert (r.start, r.end) == (D(2021, 5, 1), D(2021, 5, 31))


def test_daterange_is_frozen():
    r = parse_date("2021")
    with pytest.raises(AttributeError):
        r.precision = "day"  # type: ignore[misc]


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_iso_round_trip(d):
    assert parse_date(d.isoformat()) == DateRange(d, d, "day")


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_day_first_forms_agree_with_iso(d):
    assert parse_date(f"{d.day}.{d.month}.{d.year}") == parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}")
    assert parse_date(f"{d.day:02d}.{d.month:02d}.{d.year}").start == d


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_month_range_contains_the_day(d):
    r = parse_date(f"{d.month:02d}.{d.year}")
    assert r.precision == "month"
    assert r.start <= d <= r.end
    assert r.start.day == 1 and (r.end + dt.timedelta(days=1)).day == 1
