"""Release waves (real, from the ledger) and person-level release records (SYNTHETIC)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

from analysis.core.errors import InputError
from analysis.core.schema import EVENTS_SCHEMA, RECORDS_SCHEMA
from analysis.ingest.figures import read_ledger
from analysis.ingest.releases import (EVENT_COLUMNS, MECHANISMS, read_release_events, read_release_events_file,
                                      read_release_records, read_release_records_file)

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
EVENTS = RAW / "releases" / "2026-11-22" / "release_events.csv"

# The waves the ledger documents: date -> size as published.
EXPECTED_WAVES = {
    "2024-07-11": 18, "2024-08-16": 30, "2024-08-22": 13, "2024-09-04": 30, "2024-09-16": 37, "2024-11-07": 31,
    "2024-11-20": 32, "2024-12-09": 29, "2025-01-18": 23, "2025-05-07": 42, "2025-06-21": 14, "2025-09-11": 52,
    "2025-09-16": 25, "2025-11-22": 31, "2025-12-13": 123, "2025-12-30": 22,
}


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return read_release_events(RAW)


@pytest.fixture(scope="module")
def ledger() -> pl.DataFrame:
    return read_ledger(RAW)


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    return read_release_records(RAW)


def test_events_schema_order_and_rules(events):
    assert events.schema == pl.Schema(EVENTS_SCHEMA)
    assert events["date"].is_sorted()
    assert events["event_id"].n_unique() == events.height
    for column in ("released", "political_prisoners_released", "expelled_to_lithuania", "expelled_to_ukraine",
                   "without_documents", "foreign_nationals"):
        assert (events[column].drop_nulls() >= 0).all()
    assert (events["expelled_to_lithuania"].fill_null(0) + events["expelled_to_ukraine"].fill_null(0)
            <= events["released"]).all()
    assert set(events["mechanism"]) <= set(MECHANISMS)
    assert set(events["counts_toward_list"]) <= {"true", "false", "unknown"}
    raw = EVENTS.read_bytes()
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")


def test_the_documented_waves(events):
    assert {d.isoformat(): n for d, n in zip(events["date"], events["released"])} == EXPECTED_WAVES
    dec = events.filter(pl.col("event_id") == "2025-12-13-pardon").row(0, named=True)
    assert (dec["expelled_to_ukraine"], dec["expelled_to_lithuania"], dec["destination"]) == (114, 9, "mixed")
    assert (dec["without_documents"], dec["without_documents_qualifier"]) == (18, "at least")
    assert dec["counts_toward_list"] == "true" and dec["mediator"] == "United States"
    sep = events.filter(pl.col("event_id") == "2025-09-11-pardon").row(0, named=True)
    assert (sep["foreign_nationals"], sep["political_prisoners_released"], sep["expelled_to_lithuania"]) == (14, 40, 52)
    june = events.filter(pl.col("event_id") == "2025-06-21-pardon").row(0, named=True)
    assert (june["destination"], june["mediator"], june["expelled_to_lithuania"]) == ("lithuania", "United States", 14)
    ukrainians = events.filter(pl.col("event_id") == "2025-11-22-pardon").row(0, named=True)
    assert ukrainians["counts_toward_list"] == "unknown" and ukrainians["foreign_nationals"] == 31
    assert "two dates" in events.filter(pl.col("event_id") == "2025-09-16-pardon")["notes"][0].lower()


def test_every_source_figure_exists_and_supports_the_size(events, ledger):
    figures = {r["figure_id"]: r for r in ledger.iter_rows(named=True)}
    for event in events.iter_rows(named=True):
        cited = [figures.get(f) for f in event["source_figure_ids"]]
        assert all(c is not None for c in cited), f"{event['event_id']} cites a figure not in the ledger"
        sizes = {c["value"] for c in cited if c["metric"].startswith("released_pardon")
                 and not c["metric"].startswith(("released_pardon_cumulative", "released_pardon_in_",
                                                 "released_pardon_two_waves"))}
        assert event["released"] in sizes, f"{event['event_id']}: no cited released_pardon figure of {event['released']}"


# ---------------------------------------------------------------------------------------------
# Errors in the events file


def _events_file(tmp_path: Path, **changes: str) -> Path:
    rows = list(csv.DictReader(io.StringIO(EVENTS.read_text(encoding="utf-8"))))
    rows[2].update(changes)
    path = tmp_path / "bad_events.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EVENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("changes, field", [
    ({"expelled_to_lithuania": "99"}, "expelled_to_lithuania"),
    ({"released": "-3"}, "released"),
    ({"released": "thirty"}, "released"),
    ({"date": "16.08.2024"}, "date"),
    ({"mechanism": "released"}, "mechanism"),
    ({"destination": "poland"}, "destination"),
    ({"counts_toward_list": "maybe"}, "counts_toward_list"),
    ({"event_id": "2024-07-pardon"}, "event_id"),  # repeats row 1
    ({"source_figure_ids": "fig-xyz"}, "source_figure_ids"),
])
def test_event_errors_name_file_row_field(tmp_path, changes, field):
    with pytest.raises(InputError) as caught:
        read_release_events_file(_events_file(tmp_path, **changes))
    error = caught.value
    assert (error.row, error.field) == (3, field)
    assert "bad_events.csv" in str(error) and "row 3" in str(error)


# ---------------------------------------------------------------------------------------------
# Person-level records (SYNTHETIC)


def test_records_schema_and_vocabulary(records, events):
    assert records.schema == pl.Schema(RECORDS_SCHEMA)
    assert records["record_id"].n_unique() == records.height
    assert set(records["mechanism"]) <= set(MECHANISMS)
    assert set(records["event_id"].drop_nulls()) <= set(events["event_id"])
    assert "SYNTHETIC" in records["source_file"][0]
    share = 1 - records["identity_publishable"].mean()
    assert 0.25 <= share <= 0.35


def test_records_reproduce_every_wave(records, events):
    for event in events.iter_rows(named=True):
        members = records.filter(pl.col("event_id") == event["event_id"])
        assert members.height == event["released"], event["event_id"]
        assert (members["release_date"] == event["date"]).all()
        assert (members["mechanism"] == event["mechanism"]).all()
        if event["destination"] == "mixed":
            counts = dict(members.group_by("destination").len().iter_rows())
            assert counts == {"ukraine": event["expelled_to_ukraine"], "lithuania": event["expelled_to_lithuania"]}
        else:
            assert (members["destination"] == event["destination"]).all()


def test_named_waves_in_records(records):
    def wave(day: str) -> pl.DataFrame:
        return records.filter(pl.col("event_id").is_not_null() & (pl.col("release_date") == dt.date.fromisoformat(day)))

    dec = wave("2025-12-13")
    assert dec.height == 123
    assert dict(dec.group_by("destination").len().iter_rows()) == {"ukraine": 114, "lithuania": 9}
    assert dec.filter(pl.col("documents_withheld") == "true").height >= 18
    assert dec.filter((pl.col("documents_withheld") == "true") & (pl.col("destination") != "ukraine")).height == 0
    assert wave("2025-09-11").height == 52 and (wave("2025-09-11")["destination"] == "lithuania").all()
    assert wave("2025-06-21").height == 14 and (wave("2025-06-21")["destination"] == "lithuania").all()


def test_records_cover_releases_since_july_2024(records):
    recent = records.filter(pl.col("release_date") >= dt.date(2024, 7, 1))
    assert recent.height > 1000
    assert recent.filter(pl.col("event_id").is_null())["mechanism"].is_in(["end_of_term", "other", "pardon"]).all()


def test_record_errors(tmp_path):
    path = tmp_path / "SYNTHETIC_bad_release_records.csv"
    path.write_text("record_id,release_date,mechanism,destination,documents_withheld,identity_publishable,event_id\n"
                    "1,2025-01-01,end_of_term,belarus,false,true,\n"
                    "2,2025-01-02,death_in_custody,belarus,false,true,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_release_records_file(path)
    assert (caught.value.row, caught.value.field) == (2, "mechanism")


HEADER = "record_id,release_date,mechanism,destination,documents_withheld,identity_publishable,event_id\n"


def test_records_saved_by_a_spreadsheet_are_read_and_broken_quoting_is_named(tmp_path):
    """The release files share the ledger's CSV reader: a byte-order mark is fine, a stray quote is a named error."""
    path = tmp_path / "SYNTHETIC_release_records.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "1,2025-01-01,end_of_term,belarus,false,true,\r\n").encode())
    assert read_release_records_file(path)["record_id"].to_list() == [1]
    path.write_text(HEADER + '1,2025-01-01,end_of_term,belarus,false,true,\n2,2025-01-0"2,pardon,belarus,"false\n')
    with pytest.raises(InputError, match="malformed CSV") as caught:
        read_release_records_file(path)
    assert caught.value.row == 2
    path.write_text(HEADER + "١٢,2025-01-01,end_of_term,belarus,false,true,\n")
    with pytest.raises(InputError, match="not a whole number") as caught:
        read_release_records_file(path)
    assert caught.value.field == "record_id"
