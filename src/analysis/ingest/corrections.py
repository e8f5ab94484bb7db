"""Human corrections to raw registry values, kept as data with a reason (raw files are never edited).

`decisions/corrections.csv` columns:
    snapshot_date  YYYY-MM-DD of the copy it applies to, or * for every copy
    record         id:<record id>  or  row:<data row>  (row only for copies without ids)
    field          canonical raw field (name, status, arrested, decision, ...)
    expected_value the value as it stands in the raw file (so a stale correction is noticed)
    corrected_value
    reason         why; required
    decided_by, decided_on
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path

import polars as pl

from analysis.ingest import registry_format as fmt
from analysis.ingest.csvfile import read_records
from analysis.core.errors import InputError
from analysis.ingest.parsing import parse_date
from analysis.ingest.rawtext import RawTable

COLUMNS = ("snapshot_date", "record", "field", "expected_value", "corrected_value", "reason", "decided_by",
           "decided_on")


# The raw fields a correction may name: every column of every shape of the list.
KNOWN_FIELDS = frozenset(fmt.MACHINE_COLUMNS) | frozenset(fmt.PUBLIC_COLUMNS) | frozenset(fmt.JSON_KEYS)
DATE_FIELDS = ("birthday", "arrested", "verdict_date", "penalty_start_date", "release_date", "appeal_date", "died")
_RECORD = re.compile(r"(?:id|row):[0-9]{1,12}")


def read_corrections(path: Path) -> pl.DataFrame:
    """Read the corrections file; every row must name a real copy date, record and field, and say why."""
    if not os.path.lexists(path):
        return pl.DataFrame(schema={c: pl.String for c in COLUMNS})
    index, records = read_records(path, COLUMNS)
    rows = []
    for number, fields in records:
        row = {c: fields[i].strip() for c, i in index.items()}
        _check(path, number, row)
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})


def _check(path: Path, number: int, row: dict[str, str]) -> None:
    def refuse(field: str, problem: str, fix: str) -> None:
        raise InputError(path, problem, row=number, field=field, fix=fix)

    for key in ("snapshot_date", "record", "field", "reason"):
        if not row[key]:
            refuse(key, f"'{key}' is empty", "every correction names its copy, record and field, and gives a reason")
    if row["snapshot_date"] != "*" and not _is_date(row["snapshot_date"]):
        refuse("snapshot_date", f"{row['snapshot_date']!r} is not a date", "write the copy's date YYYY-MM-DD, or *")
    if row["decided_on"] and not _is_date(row["decided_on"]):
        refuse("decided_on", f"{row['decided_on']!r} is not a date", "write YYYY-MM-DD")
    if not _RECORD.fullmatch(row["record"]):
        refuse("record", f"record {row['record']!r} must be id:<n> or row:<n>",
               "write id:12345 (or row:17 for a copy without ids)")
    if row["field"] not in KNOWN_FIELDS:
        refuse("field", f"{row['field']!r} is not a field of the list (misspelt?)",
               f"use one of: {', '.join(sorted(KNOWN_FIELDS))}")
    if row["field"] in DATE_FIELDS and row["corrected_value"]:
        try:
            parse_date(row["corrected_value"])
        except ValueError as exc:
            refuse("corrected_value", f"the corrected date is impossible: {exc}", "write a real date, YYYY-MM-DD")


def _is_date(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)) and dt.date.fromisoformat(text) is not None
    except ValueError:
        return False


def check_copies_exist(path: Path, corrections: pl.DataFrame, dates: set[dt.date]) -> None:
    """A correction for a copy date that no snapshot has would silently apply to nothing."""
    known = {d.isoformat() for d in dates}
    for number, day in enumerate(corrections["snapshot_date"].to_list(), start=1):
        if day != "*" and day not in known:
            raise InputError(path, f"no registry copy is dated {day}", row=number, field="snapshot_date",
                             fix="give the date of an existing snapshot folder, or * for every copy")


def apply_corrections(table: RawTable, corrections: pl.DataFrame, snapshot_date: dt.date | None) -> int:
    """Apply the corrections for this copy in place; returns how many were applied."""
    day = snapshot_date.isoformat() if snapshot_date else None
    wanted = corrections.filter(pl.col("snapshot_date").is_in(["*", day]))
    if wanted.is_empty():
        return 0
    by_key = {}
    for index, record in enumerate(table.records):
        by_key[f"row:{record.row}"] = index
        if record.fields.get("id"):
            by_key[f"id:{record.fields['id'].strip()}"] = index
    applied = 0
    for number, fix in enumerate(wanted.iter_rows(named=True), start=1):
        index = by_key.get(fix["record"])
        if index is None:
            if fix["snapshot_date"] == "*":
                continue
            raise InputError(table.file, f"correction for {fix['record']} ({fix['reason']}) finds no such record",
                             field=fix["field"], fix="check decisions/corrections.csv")
        record = table.records[index]
        current = record.fields.get(fix["field"], "")
        if current != fix["expected_value"]:
            raise InputError(table.file, f"correction for {fix['record']} field '{fix['field']}' expects "
                                         f"{fix['expected_value']!r} but the file has {current!r}: stale correction",
                             row=record.row, field=fix["field"],
                             fix="update or remove the correction in decisions/corrections.csv")
        fields = dict(record.fields)
        fields[fix["field"]] = fix["corrected_value"]
        table.records[index] = replace(record, fields=fields)
        applied += 1
    table.corrections_applied += applied
    return applied
