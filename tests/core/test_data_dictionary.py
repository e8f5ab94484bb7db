"""docs/data_dictionary.md documents exactly the columns the code writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.core import schema

DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md"


def documented_tables() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        cell = re.match(r"^\| ([a-z_0-9 /]+?) \|", line)
        if current and cell and cell.group(1) not in ("column",):
            first, *rest = [part.strip() for part in cell.group(1).split("/")]
            tables[current].append(first)
            stem = first.rsplit("_", 1)[0]
            tables[current].extend(stem + suffix for suffix in rest)
    return tables


def code_tables() -> dict[str, list[str]]:
    from analysis.ingest.figures import LEDGER_SCHEMA
    from analysis.core.schema import EVENTS_SCHEMA, RECORDS_SCHEMA

    tables = {"persons": schema.PERSONS, "charges": schema.CHARGES, "quarantine": schema.QUARANTINE,
              "field_issues": schema.FIELD_ISSUES, "ingest_log": schema.INGEST_LOG, "figures": LEDGER_SCHEMA,
              "release_events": EVENTS_SCHEMA, "release_records": RECORDS_SCHEMA, **schema.PERIOD_TABLES}
    return {name: list(columns) for name, columns in tables.items()}


@pytest.mark.parametrize("table", sorted(code_tables()))
def test_every_column_is_documented_in_order(table):
    assert documented_tables().get(table) == code_tables()[table]
