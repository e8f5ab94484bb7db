"""Explicit schemas of the canonical tables. The data dictionary (docs/data_dictionary.md) documents
every column; a test checks that the two agree, so neither can drift."""

from __future__ import annotations

from typing import TypeAlias

import polars as pl
from polars.datatypes import DataTypeClass

from analysis.core import vocabulary

# A column type as the schemas write it: a class (pl.Date) or an instance (pl.List(pl.String)).
ColumnType: TypeAlias = pl.DataType | DataTypeClass
Columns: TypeAlias = dict[str, ColumnType]

DATE_FIELDS = ("birth_date", "arrested", "verdict_date", "penalty_start_date", "release_date", "appeal_date", "died")


def _date_columns() -> Columns:
    columns: Columns = {}
    for name in DATE_FIELDS:
        columns[f"{name}_from"] = pl.Date
        columns[f"{name}_to"] = pl.Date
        columns[f"{name}_precision"] = pl.String
    return columns


PERSONS: Columns = {
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

CHARGES: Columns = {
    "snapshot_date": pl.Date,
    "synthetic": pl.Boolean,
    "person_key": pl.String,
    "record_id": pl.Int64,
    "source_file": pl.String,
    "source_row": pl.Int32,
    "charge_seq": pl.Int16,
    "article": pl.String,
    "part": pl.Int16,
    "clause": pl.Int16,
    "preparation_article": pl.String,
    "code": pl.String,
    "title": pl.String,
    "raw": pl.String,
}

QUARANTINE: Columns = {
    "source_file": pl.String,
    "source_row": pl.Int32,
    "source_line": pl.Int32,
    "field": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}

FIELD_ISSUES: Columns = {
    "source_file": pl.String,
    "source_row": pl.Int32,
    "source_line": pl.Int32,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "action": pl.String,
}

# Public, no personal data: one row per ingested raw file.
INGEST_LOG: Columns = {
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


def empty(schema: Columns) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


# ------------------------------------------------------------------ period tables (public tier)
# One set per reporting period, written to reports/<period>/tables/<name>.parquet. No names,
# birth dates, record ids or free text: counts only. `synthetic` is true when computed from
# SYNTHETIC registry data, so every table says what it is.

EXIT_MECHANISMS, ENTRY_MECHANISMS = vocabulary.EXIT_MECHANISMS, vocabulary.ENTRY_MECHANISMS

STOCK: Columns = {
    "period": pl.String,
    "position": pl.String,          # start | end
    "as_of": pl.Date,               # start: the day before the period; end: its last day
    "held": pl.Int64,               # political prisoners held that day under the point rule (analysis.tables.custody)
    "held_lower": pl.Int64,         # certainly held that day (the copy leaves no doubt)
    "held_upper": pl.Int64,         # possibly held that day (what the copy cannot rule out)
    "listed_without_detention_date": pl.Int64,  # in `held` by their status on the copy's own date only
    "women": pl.Int64,
    "men": pl.Int64,
    "gender_unknown": pl.Int64,
    "aged_60_plus": pl.Int64,
    "synthetic": pl.Boolean,
}

FLOWS: Columns = {
    "period": pl.String,
    "direction": pl.String,         # entry | exit
    "mechanism": pl.String,         # ENTRY_MECHANISMS or EXIT_MECHANISMS
    "persons": pl.Int64,
    "dated_by_rule": pl.Int64,      # of `persons`, those whose date the copy gives as a month, a year or not
                                    # at all, placed by the point rule (analysis.tables.custody.POINT_RULE)
    "synthetic": pl.Boolean,
}

# The ingested release data (analysis.ingest.releases): the real release waves (public) and the
# person-level release records (restricted).
EVENTS_SCHEMA: Columns = {
    "event_id": pl.String,
    "date": pl.Date,
    "date_precision": pl.String,
    "released": pl.Int64,
    "political_prisoners_released": pl.Int64,
    "mechanism": pl.String,
    "destination": pl.String,
    "expelled_to_lithuania": pl.Int64,
    "expelled_to_ukraine": pl.Int64,
    "without_documents": pl.Int64,
    "without_documents_qualifier": pl.String,
    "foreign_nationals": pl.Int64,
    "mediator": pl.String,
    "counts_toward_list": pl.String,
    "source_figure_ids": pl.List(pl.String),
    "notes": pl.String,
    "source_file": pl.String,
}
RECORDS_SCHEMA: Columns = {
    "record_id": pl.Int64,
    "release_date": pl.Date,
    "mechanism": pl.String,
    "destination": pl.String,
    "documents_withheld": pl.String,
    "identity_publishable": pl.Boolean,
    "event_id": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
}
# Records kept out of counting and naming, each with its reason (restricted: record ids).
RECORDS_QUARANTINE_SCHEMA: Columns = {
    "record_id": pl.Int64, "release_date": pl.Date, "source_file": pl.String, "source_row": pl.Int32,
    "reason": pl.String,
}

# The release waves of the period as published (release_events' columns, less its bookkeeping),
# next to the people of our release records in each wave.
_EVENT_COLUMNS_NOT_REPEATED = ("counts_toward_list", "source_figure_ids", "notes", "source_file")
RELEASES: Columns = {
    "period": pl.String,
    **{name: dtype for name, dtype in EVENTS_SCHEMA.items() if name not in _EVENT_COLUMNS_NOT_REPEATED},
    "source_figure_ids": pl.String,             # ';'-separated ledger ids
    "our_released": pl.Int64,                   # people in our release records released in this wave
    "our_to_lithuania": pl.Int64,
    "our_to_ukraine": pl.Int64,
    "our_documents_withheld": pl.Int64,
    "synthetic": pl.Boolean,                    # true when the our_* columns come from SYNTHETIC records
}

MONTHLY: Columns = {
    "month": pl.String,                         # YYYY-MM, from 2020-05 to the period's last month
    "month_end": pl.Date,
    "held_start": pl.Int64,                     # held at the end of the previous month
    "entries": pl.Int64,
    "exits": pl.Int64,
    "exits_end_of_term": pl.Int64,
    "exits_pardon": pl.Int64,
    "exits_pardon_with_expulsion": pl.Int64,
    "exits_death_in_custody": pl.Int64,
    "exits_other": pl.Int64,
    "exits_dated_by_rule": pl.Int64,            # of `exits`, those placed by the point rule, not dated by the copy
    "listed_without_detention_date": pl.Int64,  # counted on the copy's own date by status only (else 0)
    "held_end": pl.Int64,                       # = held_start + entries - exits + listed_without_detention_date
    "held_end_lower": pl.Int64,                 # certainly held at month-end
    "held_end_upper": pl.Int64,                 # possibly held at month-end
    "net_change": pl.Int64,
    "exit_entry_ratio": pl.Float64,             # exits / entries; null when there were no entries
    "in_period": pl.Boolean,
    "synthetic": pl.Boolean,
}

COMPOSITION: Columns = {
    "period": pl.String,
    "as_of": pl.Date,
    "dimension": pl.String,          # gender | age_band | article_group | penalty_regime | facility_type | time_held
    "category": pl.String,
    "persons": pl.Int64,
    "share": pl.Float64,             # persons / held at as_of (article_group: a person may be in several groups)
    "suppressed": pl.Boolean,        # persons and share blanked: a small count (see decisions/privacy_policy.yaml)
    "synthetic": pl.Boolean,
}

TIME_SERVED: Columns = {
    "period": pl.String,
    "scope": pl.String,              # period | to_date (every release since 2020-05 up to the period's end)
    "mechanism": pl.String,          # EXIT_MECHANISMS without death_in_custody
    "persons": pl.Int64,
    "median_months": pl.Float64,
    "p25_months": pl.Float64,
    "p75_months": pl.Float64,
    "mean_months": pl.Float64,
    "suppressed": pl.Boolean,        # the months blanked: fewer persons than the small-count threshold
    "synthetic": pl.Boolean,
}

DEATHS: Columns = {
    "period": pl.String,
    "date": pl.Date,                 # date of death in custody (one row per death up to the period's end)
    "cumulative": pl.Int64,
    "in_period": pl.Boolean,
    "synthetic": pl.Boolean,
}

RECONCILIATION: Columns = {
    "period": pl.String,
    "figure_id": pl.String,
    "as_of_from": pl.Date,
    "as_of_to": pl.Date,
    "metric": pl.String,
    "value": pl.Int64,
    "qualifier": pl.String,
    "lower": pl.Int64,
    "upper": pl.Int64,
    "source_org": pl.String,
    "source_title": pl.String,
    "url": pl.String,
    "our_measure": pl.String,        # how our count was computed, in words
    "our_as_of": pl.Date,
    "our_count": pl.Int64,           # null when we have no comparable measure (the point rule's count)
    "our_lower": pl.Int64,           # the least the sources allow
    "our_upper": pl.Int64,           # the most the sources allow
    "status": pl.String,             # within_bounds | within_tolerance | within_uncertainty | outside_tolerance
                                     # | not_comparable
    "difference": pl.Int64,          # our_count minus the nearest bound (0 inside the bounds)
    "relative_difference": pl.Float64,
    "tolerance": pl.Float64,         # stated relative tolerance beyond the bounds
    "synthetic": pl.Boolean,
}

# What the period's registry copy can and cannot say: one row per kind of record that counting has to
# treat by a stated rule (analysis.tables.coverage.COVERAGE_ITEMS says which and how).
COVERAGE: Columns = {
    "period": pl.String,
    "snapshot_date": pl.Date,
    "item": pl.String,
    "records": pl.Int64,
    "synthetic": pl.Boolean,
}

PERIOD_TABLES: dict[str, Columns] = {
    "stock": STOCK, "flows": FLOWS, "releases": RELEASES, "monthly": MONTHLY, "composition": COMPOSITION,
    "time_served": TIME_SERVED, "deaths": DEATHS, "reconciliation": RECONCILIATION,
    "coverage": COVERAGE,
}
