"""Explicit schemas of the canonical tables. The data dictionary (docs/data_dictionary.md) documents
every column; a test checks that the two agree, so neither can drift."""

from __future__ import annotations

import polars as pl

DATE_FIELDS = ("birth_date", "arrested", "verdict_date", "penalty_start_date", "release_date", "appeal_date", "died")


def _date_columns() -> dict[str, pl.DataType]:
    columns: dict[str, pl.DataType] = {}
    for name in DATE_FIELDS:
        columns[f"{name}_from"] = pl.Date
        columns[f"{name}_to"] = pl.Date
        columns[f"{name}_precision"] = pl.String
    return columns


PERSONS: dict[str, pl.DataType] = {
    "snapshot_date": pl.Date,
    "synthetic": pl.Boolean,
    "source_file": pl.String,
    "source_shape": pl.String,
    "source_row": pl.Int32,
    "record_id": pl.Int64,
    "person_key": pl.String,
    "url_locale": pl.String,
    "url_slug": pl.String,
    "name_raw": pl.String,
    "name_latin": pl.String,
    "name_cyrillic": pl.String,
    "name_key": pl.String,
    "status": pl.String,
    "gender": pl.String,
    **_date_columns(),
    "died_in_custody": pl.Boolean,
    "charges_raw": pl.String,
    "charge_count": pl.Int16,
    "sentence_raw": pl.String,
    "sentence_kind": pl.String,
    "sentence_months": pl.Float64,
    "penalty_raw": pl.String,
    "penalty_regime": pl.String,
    "colony_security": pl.String,
    "prison_raw": pl.String,
    "facility_title": pl.String,
    "facility_type": pl.String,
    "facility_number": pl.String,
    "facility_town": pl.String,
    "facility_address": pl.String,
    "judge": pl.String,
    "prosecutor": pl.String,
    "councel": pl.String,
    "declaration": pl.String,
    "description": pl.String,
    "photo": pl.String,
    "fake_terrorist_list": pl.String,
    "clusters": pl.String,
}

CHARGES: dict[str, pl.DataType] = {
    "snapshot_date": pl.Date,
    "synthetic": pl.Boolean,
    "person_key": pl.String,
    "record_id": pl.Int64,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "charge_seq": pl.Int16,
    "article": pl.String,
    "part": pl.Int16,
    "preparation_article": pl.String,
    "code": pl.String,
    "title": pl.String,
    "raw": pl.String,
}

QUARANTINE: dict[str, pl.DataType] = {
    "source_file": pl.String,
    "source_row": pl.Int32,
    "source_line": pl.Int32,
    "field": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}

FIELD_ISSUES: dict[str, pl.DataType] = {
    "source_file": pl.String,
    "source_row": pl.Int32,
    "source_line": pl.Int32,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "action": pl.String,
}

# Public, no personal data: one row per ingested raw file.
INGEST_LOG: dict[str, pl.DataType] = {
    "source": pl.String,
    "snapshot_date": pl.Date,
    "synthetic": pl.Boolean,
    "source_file": pl.String,
    "sha256": pl.String,
    "shape": pl.String,
    "encoding": pl.String,
    "delimiter": pl.String,
    "language": pl.String,
    "rows_read": pl.Int64,
    "rows_written": pl.Int64,
    "rows_quarantined": pl.Int64,
    "field_issues": pl.Int64,
    "corrections_applied": pl.Int64,
    "active": pl.Int64,
    "former": pl.Int64,
    "np": pl.Int64,
    "missing_optional_columns": pl.String,
    "extra_columns": pl.String,
}

# Names, birth dates, free text and anything that identifies a person: never in the public tier.
RESTRICTED_PERSON_COLUMNS = (
    "record_id", "person_key", "url_slug", "name_raw", "name_latin", "name_cyrillic", "name_key",
    "birth_date_from", "birth_date_to", "description", "declaration", "photo", "judge", "prosecutor", "councel",
)


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
