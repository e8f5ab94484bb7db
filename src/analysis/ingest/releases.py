"""Releases: the real release waves (one row per wave) and person-level release records.

* `release_events.csv` (real, compiled from the figures ledger): who was let go when, how many,
  how (pardon, pardon with expulsion, ...), where to, and which ledger figures say so.
* `*release_records*.csv` (person level; the committed one is SYNTHETIC): one row per released
  person with the mechanism, destination, whether documents were withheld, whether the person's
  identity may be published, and the wave (event_id) the release belongs to.

Both readers verify the snapshot's checksums first, return an explicit schema, and stop with an
InputError naming file, data row and field when a value breaks the rules.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from analysis.ingest.csvfile import read_records, whole_number_problem
from analysis.core.errors import InputError
from analysis.core.schema import EVENTS_SCHEMA, RECORDS_QUARANTINE_SCHEMA, RECORDS_SCHEMA
from analysis.ingest.figures import default_raw_root, latest_snapshot
from analysis.ingest.provenance import list_snapshots, verify_checksums

EVENTS_FILE = "release_events.csv"
RECORDS_PATTERN = re.compile(r".*release_records.*\.csv$", re.IGNORECASE)

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "date", "date_precision", "released", "political_prisoners_released", "mechanism",
    "destination", "expelled_to_lithuania", "expelled_to_ukraine", "without_documents",
    "without_documents_qualifier", "foreign_nationals", "mediator", "counts_toward_list",
    "source_figure_ids", "notes",
)
RECORD_COLUMNS: tuple[str, ...] = (
    "record_id", "release_date", "mechanism", "destination", "documents_withheld", "identity_publishable",
    "event_id",
)

MECHANISMS = ("pardon", "pardon_with_expulsion", "end_of_term", "amnesty", "exchange", "other")
DESTINATIONS = ("belarus", "lithuania", "ukraine", "mixed", "not_reported")
# A person goes to one place; "mixed" only describes a wave.
PERSON_DESTINATIONS = ("belarus", "lithuania", "ukraine", "not_reported")
TRISTATE = ("true", "false", "unknown")
DATE_PRECISIONS = ("day", "approximate")
WITHOUT_DOCUMENTS_QUALIFIERS = ("", "exact", "at least")

_FIGURE_ID = re.compile(r"fig-[0-9a-f]{10}")
_EVENT_ID = re.compile(r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?-[a-z_]+")


def _label(path: Path, raw_root: Path) -> str:
    try:
        return path.relative_to(raw_root.parent.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    index, records = read_records(path, columns)
    return [(number, {name: fields[i].strip() for name, i in index.items()}) for number, fields in records]


def _date(path: Path, row: int, field: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(path, f"{text!r} is not an ISO date", row=row, field=field,
                         fix="write the date as YYYY-MM-DD") from None


def _count(path: Path, row: int, field: str, text: str, *, required: bool = False) -> int | None:
    if text == "":
        if required:
            raise InputError(path, "empty", row=row, field=field, fix="give the number as published")
        return None
    if problem := whole_number_problem(text):
        raise InputError(path, problem, row=row, field=field,
                         fix="write a count as digits (0 or more), or leave it empty if no source gives it")
    return int(text)


def _choice(path: Path, row: int, field: str, text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise InputError(path, f"{text!r} is not one of {', '.join(a or '(empty)' for a in allowed)}", row=row,
                         field=field, fix=f"use one of {', '.join(a or '(empty)' for a in allowed)}")
    return text


# ---------------------------------------------------------------------------------------------
# Release waves


def read_release_events(raw_root: Path | None = None) -> pl.DataFrame:
    """The latest `release_events.csv`, typed, validated and sorted by date."""
    raw_root = Path(raw_root) if raw_root is not None else default_raw_root()
    meta = latest_snapshot(raw_root, "releases", EVENTS_FILE)
    verify_checksums(meta)
    path = meta.directory / EVENTS_FILE
    return read_release_events_file(path, source_file=_label(path, raw_root))


def read_release_events_file(path: Path, *, source_file: str | None = None) -> pl.DataFrame:
    path = Path(path)
    source_file = source_file or path.name
    out = []
    seen: dict[str, int] = {}
    for row, r in _rows(path, EVENT_COLUMNS):
        event_id = r["event_id"]
        if not _EVENT_ID.fullmatch(event_id):
            raise InputError(path, f"event_id {event_id!r} is not like 2025-12-13-pardon", row=row, field="event_id",
                             fix="name the event YYYY-MM-DD-<mechanism> (or YYYY-MM-<mechanism> if dated approximately)")
        if event_id in seen:
            raise InputError(path, f"event_id {event_id!r} repeats row {seen[event_id]}", row=row, field="event_id",
                             fix="give every wave its own event_id")
        seen[event_id] = row
        date = _date(path, row, "date", r["date"])
        released = _count(path, row, "released", r["released"], required=True)
        numbers = {name: _count(path, row, name, r[name]) for name in (
            "political_prisoners_released", "expelled_to_lithuania", "expelled_to_ukraine", "without_documents",
            "foreign_nationals")}
        for name, value in numbers.items():
            if value is not None and value > released:
                raise InputError(path, f"{name} is {value}, more than the {released} released", row=row, field=name,
                                 fix="a part of a wave cannot exceed the wave; check the source")
        expelled = (numbers["expelled_to_lithuania"] or 0) + (numbers["expelled_to_ukraine"] or 0)
        if expelled > released:
            raise InputError(path, f"{expelled} expelled in total, more than the {released} released", row=row,
                             field="expelled_to_ukraine", fix="check the split between destinations")
        figure_ids = [f for f in r["source_figure_ids"].split(";") if f]
        if not figure_ids:
            raise InputError(path, "no supporting figure", row=row, field="source_figure_ids",
                             fix="list the figure_id(s) of the ledger rows that state this wave, separated by ';'")
        for figure in figure_ids:
            if not _FIGURE_ID.fullmatch(figure):
                raise InputError(path, f"{figure!r} is not a figure_id", row=row, field="source_figure_ids",
                                 fix="use ids as printed by analysis.ingest.figures.read_ledger, e.g. fig-0123456789")
        out.append((
            event_id, date, _choice(path, row, "date_precision", r["date_precision"], DATE_PRECISIONS), released,
            numbers["political_prisoners_released"], _choice(path, row, "mechanism", r["mechanism"], MECHANISMS),
            _choice(path, row, "destination", r["destination"], DESTINATIONS), numbers["expelled_to_lithuania"],
            numbers["expelled_to_ukraine"], numbers["without_documents"],
            _choice(path, row, "without_documents_qualifier", r["without_documents_qualifier"],
                    WITHOUT_DOCUMENTS_QUALIFIERS) or None,
            numbers["foreign_nationals"], r["mediator"] or None,
            _choice(path, row, "counts_toward_list", r["counts_toward_list"], TRISTATE), figure_ids,
            r["notes"], source_file,
        ))
    frame = pl.DataFrame(out, schema=EVENTS_SCHEMA, orient="row")
    return frame.sort("date", "event_id", maintain_order=True)


# ---------------------------------------------------------------------------------------------
# Person-level release records


def read_release_records(raw_root: Path | None = None, events: pl.DataFrame | None = None) -> pl.DataFrame:
    """The latest person-level release records (checksums verified), typed and validated; none is an
    empty table (exit mechanisms are then inferred by the stated rules, and the report says so).

    Refused: a release dated after the records were compiled (their snapshot date), and a wave
    (event_id) that release_events does not list."""
    raw_root = Path(raw_root) if raw_root is not None else default_raw_root()
    candidates = [m for m in list_snapshots(raw_root, "releases")
                  if any(RECORDS_PATTERN.fullmatch(f.name) for f in m.files)]
    if not candidates:   # optional: most users have a registry copy and nothing more
        return pl.DataFrame(schema=RECORDS_SCHEMA)
    meta = candidates[-1]
    verify_checksums(meta)
    path = next(p for p in meta.file_paths() if RECORDS_PATTERN.fullmatch(p.name))
    records = read_release_records_file(path, source_file=_label(path, raw_root))
    _refuse_first(path, records.filter(pl.col("release_date") > meta.snapshot_date), "release_date",
                  lambda r: f"release on {r['release_date']} is after the records were compiled ({meta.snapshot_date})",
                  "check the date; a record cannot describe a day after its file was made")
    if events is not None:
        known = events["event_id"].to_list()
        _refuse_first(path, records.filter(pl.col("event_id").is_not_null() & ~pl.col("event_id").is_in(known)),
                      "event_id", lambda r: f"event {r['event_id']!r} is not a wave in release_events.csv",
                      "use an event_id from release_events.csv, or leave it empty")
    return records


def _refuse_first(path: Path, bad: pl.DataFrame, field: str, problem, fix: str) -> None:
    if bad.height:
        row = bad.sort("source_row").row(0, named=True)
        more = f" (and {bad.height - 1} more row(s))" if bad.height > 1 else ""
        raise InputError(path, problem(row) + more, row=row["source_row"], field=field, fix=fix)


def quarantine_release_records(records: pl.DataFrame, listed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, quarantined): a record is kept out, with its reason, when its id is in no copy of the list,
    or its release precedes the person's detention in every copy that dates it.

    `listed`: record_id and arrested_from of every person row of every ingested copy."""
    ids = listed["record_id"].drop_nulls().unique()
    latest_detention = (listed.drop_nulls("record_id").group_by("record_id")
                        .agg(pl.col("arrested_from").max().alias("arrested_from")))
    checked = records.join(latest_detention, on="record_id", how="left").with_columns(
        reason=pl.when(~pl.col("record_id").is_in(ids.implode()))
        .then(pl.lit("the record id is in no copy of the list (a typo, or a record of another list)"))
        .when(pl.col("release_date") < pl.col("arrested_from"))
        .then(pl.lit("the release is dated before the person's detention in the list")))
    quarantined = checked.filter(pl.col("reason").is_not_null()).select(list(RECORDS_QUARANTINE_SCHEMA))
    kept = checked.filter(pl.col("reason").is_null()).select(list(RECORDS_SCHEMA))
    assert kept.height + quarantined.height == records.height, "release records lost"
    return kept, quarantined


def read_release_records_file(path: Path, *, source_file: str | None = None) -> pl.DataFrame:
    path = Path(path)
    source_file = source_file or path.name
    out = []
    seen: dict[int, int] = {}
    for row, r in _rows(path, RECORD_COLUMNS):
        record_id = _count(path, row, "record_id", r["record_id"], required=True)
        if record_id in seen:
            raise InputError(path, f"record_id {record_id} repeats row {seen[record_id]}", row=row, field="record_id",
                             fix="one row per released person")
        seen[record_id] = row
        publishable = _choice(path, row, "identity_publishable", r["identity_publishable"], ("true", "false"))
        event_id = r["event_id"]
        if event_id and not _EVENT_ID.fullmatch(event_id):
            raise InputError(path, f"event_id {event_id!r} is not like 2025-12-13-pardon", row=row, field="event_id",
                             fix="use an event_id from release_events.csv or leave it empty")
        out.append((
            record_id, _date(path, row, "release_date", r["release_date"]),
            _choice(path, row, "mechanism", r["mechanism"], MECHANISMS),
            _choice(path, row, "destination", r["destination"], PERSON_DESTINATIONS),
            _choice(path, row, "documents_withheld", r["documents_withheld"], TRISTATE),
            publishable == "true", event_id or None, source_file, row,
        ))
    return pl.DataFrame(out, schema=RECORDS_SCHEMA, orient="row").sort("release_date", "record_id")
