"""Dates to months held: the point rule, the four extreme scenarios, delayed entry and who is left out."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.survival.groups import memberships
from analysis.survival.spells import DAYS_PER_MONTH, spells, unplaced_count

from .helpers import COPY, D, custody, person

DAY = dt.timedelta(days=1)


def one(frame: pl.DataFrame, scenario: str, key: str) -> dict:
    rows = frame.filter((pl.col("scenario") == scenario) & (pl.col("person_key") == key)).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_a_month_is_365_25_over_12_days():
    assert DAYS_PER_MONTH == 365.25 / 12 == 30.4375


def test_an_undated_release_is_an_exit_placed_three_ways_never_still_held():
    # Detained 2021-01-01, `former`, no release date, a 24-month term: custody places the exit at the
    # term's end (2021-01-01 + 730 days = 2023-01-01) within [detention, copy] (tests/tables/test_custody.py).
    frame = spells(custody(person(1, "former", D(2021, 1, 1))), COPY)
    point, early, late = (one(frame, s, "id:1") for s in ("point", "exit_earliest", "exit_latest"))
    assert point["days"] == 730 and point["route_name"] == "other"
    assert early["days"] == 0 and early["route_name"] == "other"             # at the earliest: the day of detention
    assert late["days"] == (COPY - D(2021, 1, 1)).days == 775 and late["route"] > 0   # the copy's date: still an exit
    assert one(frame, "entry_earliest", "id:1")["days"] == 730


def test_a_person_still_held_is_censored_at_the_copy_and_a_dated_release_does_not_move():
    frame = spells(custody(person(1, "active", D(2022, 2, 15)), person(2, "former", D(2021, 3, 1), D(2022, 6, 1))), COPY)
    for scenario in ("point", "exit_earliest", "exit_latest"):
        held = one(frame, scenario, "id:1")
        assert held["route"] == 0 and held["days"] == (COPY - D(2022, 2, 15)).days == 365
        assert one(frame, scenario, "id:2")["days"] == (D(2022, 6, 1) - D(2021, 3, 1)).days


def test_a_partial_detention_date_is_its_middle_day_with_both_ends_as_sensitivity():
    frame = spells(custody(person(1, "former", D(2021, 3, 1), D(2022, 3, 1), arrested_to=D(2021, 3, 31),
                                  precision="month")), COPY)
    assert one(frame, "point", "id:1")["days"] == (D(2022, 3, 1) - D(2021, 3, 16)).days   # middle day: the 16th
    assert one(frame, "entry_earliest", "id:1")["days"] == (D(2022, 3, 1) - D(2021, 3, 1)).days
    assert one(frame, "entry_latest", "id:1")["days"] == (D(2022, 3, 1) - D(2021, 3, 31)).days


def test_a_release_dated_to_a_month_moves_across_its_month():
    frame = spells(custody(person(1, "former", D(2021, 1, 1), D(2022, 5, 1), release_to=D(2022, 5, 31))), COPY)
    assert one(frame, "point", "id:1")["days"] == (D(2022, 5, 16) - D(2021, 1, 1)).days
    assert one(frame, "exit_earliest", "id:1")["days"] == (D(2022, 5, 1) - D(2021, 1, 1)).days
    assert one(frame, "exit_latest", "id:1")["days"] == (D(2022, 5, 31) - D(2021, 1, 1)).days


def test_a_question_from_a_calendar_date_takes_people_already_held_with_the_time_served():
    start = D(2022, 1, 1)
    frame = spells(custody(
        person(1, "active", D(2021, 1, 1)),                       # held on the start: delayed entry at 365 days
        person(2, "former", D(2021, 1, 1), D(2021, 6, 1)),        # left before the start: not in the question
        person(3, "former", D(2021, 1, 1), start),                # left on the start day: not held on it
        person(4, "former", D(2022, 3, 1), D(2022, 9, 1)),        # detained after the start: enters at 0
        person(5, "active", start)), COPY, start=start, scenarios=("point",))
    assert set(frame["person_key"]) == {"id:1", "id:4", "id:5"}
    assert one(frame, "point", "id:1")["entry_days"] == 365
    assert one(frame, "point", "id:4")["entry_days"] == float("-inf")
    assert one(frame, "point", "id:5")["entry_days"] == float("-inf")


def test_follow_up_can_end_before_the_copy():
    frame = spells(custody(person(1, "former", D(2021, 1, 1), D(2022, 6, 1))), COPY, end=D(2022, 1, 1),
                   scenarios=("point",))
    row = one(frame, "point", "id:1")
    assert row["route"] == 0 and row["days"] == 365   # released after follow-up ended: censored at its end
    with pytest.raises(ValueError):
        spells(custody(person(1, "active", D(2021, 1, 1))), COPY, end=COPY + DAY)


def test_people_without_a_detention_date_are_left_out_and_counted():
    table = custody(person(1, "active"), person(2, "former", None, D(2022, 6, 1)), person(3, "active", D(2021, 1, 1)))
    frame = spells(table, COPY)
    assert set(frame["person_key"]) == {"id:3"} and unplaced_count(table) == 2


def test_groups_follow_the_composition_tables_rules():
    table = custody(
        person(1, "active", D(2021, 1, 10), gender="female", born=(D(1992, 1, 1), D(1992, 12, 31))),   # 28 at detention
        person(2, "active", D(2021, 1, 10), gender=None, born=(D(1961, 1, 1), D(1961, 12, 31))),      # 59
        person(3, "active", D(2022, 7, 1), born=None))
    charges = pl.DataFrame({"person_key": ["id:1", "id:1", "id:1", "id:2"], "article": ["342", "293", "130", "999"]})
    groups = {"293": "Mass riots", "342": "Mass riots", "130": "Incitement"}
    m = memberships(table, charges=charges, article_groups=groups)
    of = lambda key: sorted(m.filter(pl.col("person_key") == key)["group"].to_list())
    assert of("id:1") == ["age_band=under 30", "article_group=Incitement", "article_group=Mass riots",
                          "detention_year=2021", "gender=female", "overall"]   # two articles of one group: once
    assert of("id:2") == ["age_band=45-59", "article_group=Other articles", "detention_year=2021",
                          "gender=unknown", "overall"]
    assert of("id:3") == ["age_band=unknown", "detention_year=2022", "gender=male", "overall"]   # no charge listed
