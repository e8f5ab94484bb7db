"""Custody intervals: point, lower and upper counts worked out by hand on small cases, and the
patterns of real copies (undated releases, records without a detention date, source conflicts)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.core import schema
from analysis.tables.custody import copy_history, custody_intervals, held_counts
from analysis.core.schema import RECORDS_SCHEMA

D = dt.date
COPY = D(2023, 2, 15)


def person(record_id: int, status: str, arrested: D | None = None, release: D | None = None, *,
           arrested_to: D | None = None, precision: str = "day", verdict: D | None = None,
           regime: str | None = "colony", months: float | None = 24.0, died: D | None = None) -> dict:
    row = {name: None for name in schema.PERSONS}
    row |= {"record_id": record_id, "person_key": f"id:{record_id}", "status": status, "gender": "male",
            "died_in_custody": died is not None, "penalty_regime": regime,
            "sentence_kind": "term" if months else None, "sentence_months": months}
    if arrested:
        row |= {"arrested_from": arrested, "arrested_to": arrested_to or arrested, "arrested_precision": precision}
    if release:
        row |= {"release_date_from": release, "release_date_to": release, "release_date_precision": "day"}
    if verdict:
        row |= {"verdict_date_from": verdict, "verdict_date_to": verdict, "verdict_date_precision": "day"}
    if died:
        row |= {"died_from": died, "died_to": died, "died_precision": "day"}
    return row


def custody(*people: dict, records: pl.DataFrame | None = None, history=None) -> pl.DataFrame:
    persons = pl.DataFrame(list(people), schema=schema.PERSONS)
    return custody_intervals(persons, records if records is not None else pl.DataFrame(schema=RECORDS_SCHEMA),
                             COPY, history)


def counts(frame: pl.DataFrame, day: D) -> tuple[int, int, int]:
    c = held_counts(frame, day, COPY)
    return c["held"], c["held_lower"], c["held_upper"]


def test_dated_records_give_one_exact_count():
    frame = custody(person(1, "active", D(2021, 1, 10)), person(2, "former", D(2021, 3, 1), D(2022, 6, 1)))
    assert counts(frame, D(2021, 2, 28)) == (1, 1, 1)
    assert counts(frame, D(2022, 5, 31)) == (2, 2, 2)
    assert counts(frame, D(2022, 6, 1)) == (1, 1, 1)   # released that day: not held at its end
    assert counts(frame, COPY) == (1, 1, 1)


def test_former_without_detention_date_is_never_an_exit_without_an_entry():
    """The real pattern behind the stock-flow break: a release date and no detention date. Counted as an
    exit it would lower the stock by one that was never added; now it is never placed in a flow."""
    frame = custody(person(1, "former", None, D(2022, 6, 1)), person(2, "active", D(2021, 1, 10)))
    row = frame.filter(pl.col("record_id") == 1).row(0, named=True)
    assert row["placed"] is False and row["entry"] is None
    assert counts(frame, D(2022, 5, 31)) == (1, 1, 2)   # possibly held before its release (upper bound only)
    assert counts(frame, D(2022, 6, 30)) == (1, 1, 1)


def test_active_without_detention_date_counts_on_the_copys_date_only():
    frame = custody(person(1, "active"), person(2, "active", D(2021, 1, 10)))
    assert counts(frame, COPY) == (2, 2, 2)            # the copy's own count: both `active`
    assert counts(frame, D(2023, 1, 31)) == (1, 1, 2)  # before it, only possibly held
    assert held_counts(frame, COPY, COPY)["listed_without_detention_date"] == 1


def test_undated_release_lies_between_detention_and_the_copy():
    # Detained 2021-01-01, `former`, no release date, a 24-month colony term: the exit is placed at the
    # term's end (2023-01-01), and bounded by detention and the copy.
    frame = custody(person(1, "former", D(2021, 1, 1)))
    row = frame.row(0, named=True)
    assert (row["exit_from"], row["exit_to"], row["exit_rule"], row["exit_mechanism"]) == (
        D(2021, 1, 1), COPY, "term_end", "other")
    assert row["exit"] == D(2021, 1, 1) + dt.timedelta(days=round(24 * 365.25 / 12))
    assert counts(frame, D(2022, 12, 31)) == (1, 0, 1)
    assert counts(frame, D(2023, 1, 31)) == (0, 0, 1)
    assert counts(frame, COPY) == (0, 0, 0)


def test_non_custodial_verdict_ends_custody_at_the_verdict():
    frame = custody(person(1, "former", D(2021, 5, 1), verdict=D(2021, 9, 1), regime="home_confinement"))
    assert frame.row(0, named=True)["exit"] == D(2021, 9, 1)
    assert frame.row(0, named=True)["exit_rule"] == "verdict"


def test_midpoint_when_nothing_else_places_the_release():
    frame = custody(person(1, "former", D(2021, 2, 15), months=None, regime=None))
    row = frame.row(0, named=True)
    assert row["exit_rule"] == "midpoint"
    assert row["exit"] == D(2021, 2, 15) + dt.timedelta(days=(COPY - D(2021, 2, 15)).days // 2)


def test_a_release_record_dates_what_the_copy_does_not():
    records = pl.DataFrame([{"record_id": 1, "release_date": D(2022, 3, 3), "mechanism": "pardon",
                             "destination": "belarus", "documents_withheld": "false", "identity_publishable": False,
                             "event_id": None, "source_file": "x"}], schema=RECORDS_SCHEMA)
    row = custody(person(1, "former", D(2021, 1, 1)), records=records).row(0, named=True)
    assert (row["exit"], row["exit_rule"], row["exit_mechanism"]) == (D(2022, 3, 3), "release_record", "pardon")


def test_earlier_copies_narrow_an_undated_release():
    earlier = [(D(2022, 10, 31), pl.DataFrame({"record_id": [1], "status": ["active"]})),
               (D(2022, 12, 31), pl.DataFrame({"record_id": [1], "status": ["former"]}))]
    frame = custody(person(1, "former", D(2021, 1, 1), months=None, regime=None), history=copy_history(earlier))
    row = frame.row(0, named=True)
    assert (row["exit_from"], row["exit_to"]) == (D(2022, 11, 1), D(2022, 12, 31))
    assert counts(frame, D(2022, 10, 31)) == (1, 1, 1)   # still active in that copy: certainly held
    assert counts(frame, D(2022, 12, 31)) == (0, 0, 0)


def test_an_active_record_with_a_past_release_date_is_held_by_its_status():
    frame = custody(person(1, "active", D(2021, 1, 1), D(2022, 1, 1)))
    row = frame.row(0, named=True)
    assert row["release_conflict"] and row["exit"] is None
    assert counts(frame, COPY) == (1, 1, 1)


def test_a_month_only_detention_counts_at_the_middle_of_its_month():
    frame = custody(person(1, "active", D(2022, 4, 1), arrested_to=D(2022, 4, 30), precision="month"))
    assert frame.row(0, named=True)["entry"] == D(2022, 4, 15)
    assert counts(frame, D(2022, 4, 10)) == (0, 0, 1)
    assert counts(frame, D(2022, 4, 20)) == (1, 0, 1)
    assert counts(frame, D(2022, 4, 30)) == (1, 1, 1)


def test_death_in_custody_is_an_exit_by_death():
    row = custody(person(1, "former", D(2021, 1, 1), died=D(2022, 7, 7))).row(0, named=True)
    assert (row["exit"], row["exit_rule"], row["exit_mechanism"]) == (D(2022, 7, 7), "death_date", "death_in_custody")


@pytest.mark.parametrize("day", [D(2020, 12, 31), D(2021, 6, 30), D(2022, 6, 30), D(2023, 1, 31), COPY])
def test_point_always_lies_within_its_bounds(day):
    frame = custody(person(1, "active", D(2021, 1, 10)), person(2, "former", None, D(2022, 6, 1)),
                    person(3, "active"), person(4, "former", D(2021, 1, 1)),
                    person(5, "former", D(2021, 5, 1), verdict=D(2021, 9, 1), regime="suspended"),
                    person(6, "active", D(2021, 1, 1), D(2022, 1, 1)))
    held, lower, upper = counts(frame, day)
    assert lower <= held <= upper


def test_the_stock_flow_identity_holds_with_the_real_pattern_that_broke_it():
    """Regression (real copy, mid-February 2023): one `former` record had a release date and no detention
    date. It was counted as an exit and never as an entry, so held at the end was one more than held at
    the start plus entries minus exits. Pinned on the monthly table and the period's stock and flows."""
    from analysis.ingest.figures import LEDGER_SCHEMA
    from analysis.core.periods import Period
    from analysis.core.schema import EVENTS_SCHEMA
    from analysis.tables import PeriodInputs, build_period_tables
    from analysis.tables.inputs import SnapshotRef

    people = [person(1, "former", None, D(2022, 6, 1)),                     # the pattern
              person(2, "active", D(2021, 1, 10)), person(3, "active"),       # one without a detention date
              person(4, "former", D(2021, 3, 1), D(2022, 6, 20)), person(5, "former", D(2022, 2, 1))]
    persons = pl.DataFrame(people, schema=schema.PERSONS).with_columns(
        snapshot_date=pl.lit(COPY), synthetic=pl.lit(False), name_raw=pl.lit("x"))
    for label in ("2022-06", "2023-01", "2022"):
        inputs = PeriodInputs(Period.parse(label), SnapshotRef(COPY, False, "copy.json"), persons,
                              pl.DataFrame(schema=schema.CHARGES), pl.DataFrame(schema=RECORDS_SCHEMA),
                              pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema=LEDGER_SCHEMA))
        tables = build_period_tables(inputs)
        monthly, stock, flows = tables["monthly"], tables["stock"], tables["flows"]
        assert (monthly["held_end"] == monthly["held_start"] + monthly["entries"] - monthly["exits"]
                + monthly["listed_without_detention_date"]).all()
        held = dict(stock.select("position", "held").iter_rows())
        entries = flows.filter(pl.col("direction") == "entry")["persons"].sum()
        exits = flows.filter(pl.col("direction") == "exit")["persons"].sum()
        assert held["end"] == held["start"] + entries - exits, label
    june = build_period_tables(PeriodInputs(Period.parse("2022-06"), SnapshotRef(COPY, False, "copy.json"), persons,
                                            pl.DataFrame(schema=schema.CHARGES), pl.DataFrame(schema=RECORDS_SCHEMA),
                                            pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema=LEDGER_SCHEMA)))
    # Record 4's release counts as an exit in June 2022; record 1's release (no entry) does not.
    assert june["flows"].filter(pl.col("direction") == "exit")["persons"].sum() == 1
