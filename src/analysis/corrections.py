"""Human corrections to raw registry values, kept as data with a reason (raw files are never edited).

`data/corrections/registry.csv` columns:
    snapshot_date  YYYY-MM-DD of the copy it applies to, or * for every copy
    record         id:<record id>  or  row:<data row>  (row only for copies without ids)
    field          canonical raw field (name, status, arrested, decision, ...)
    expected_value the value as it stands in the raw file (so a stale correction is noticed)
    corrected_value
    reason         why; required
    decided_by, decided_on
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl

from .errors import InputError
from .rawtext import RawTable

COLUMNS = ("snapshot_date", "record", "field", "expected_value", "corrected_value", "reason", "decided_by",
           "decided_on")


def read_corrections(path: Path) -> pl.DataFrame:
    """Read the corrections file; every row must say which record, which field and why."""
    if not path.exists():
        return pl.DataFrame(schema={c: pl.String for c in COLUMNS})
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"missing column(s): {', '.join(missing)}", row=0, field=missing[0],
                             fix=f"the header must be: {','.join(COLUMNS)}")
        rows = list(reader)
    for number, row in enumerate(rows, start=1):
        for key in ("snapshot_date", "record", "field", "reason"):
            if not (row.get(key) or "").strip():
                raise InputError(path, f"'{key}' is empty", row=number, field=key,
                                 fix="every correction names its copy, record and field, and gives a reason")
        if not row["record"].startswith(("id:", "row:")):
            raise InputError(path, f"record {row['record']!r} must be id:<n> or row:<n>", row=number, field="record",
                             fix="write id:12345 (or row:17 for a copy without ids)")
    return pl.DataFrame([{c: (r.get(c) or "") for c in COLUMNS} for r in rows],
                        schema={c: pl.String for c in COLUMNS})


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
                             field=fix["field"], fix="check data/corrections/registry.csv")
        record = table.records[index]
        current = record.fields.get(fix["field"], "")
        if current != fix["expected_value"]:
            raise InputError(table.file, f"correction for {fix['record']} field '{fix['field']}' expects "
                                         f"{fix['expected_value']!r} but the file has {current!r}: stale correction",
                             row=record.row, field=fix["field"],
                             fix="update or remove the correction in data/corrections/registry.csv")
        fields = dict(record.fields)
        fields[fix["field"]] = fix["corrected_value"]
        table.records[index] = replace(record, fields=fields)
        applied += 1
    table.corrections_applied += applied
    return applied
