"""The quality gate: nothing is published that failed its checks. `validate_period` runs it.

Each reporting period the tables (analysis.core.schema.PERIOD_TABLES) and the registry snapshot's persons
are checked against the suites in `expectations/*.json` (reviewable JSON, loaded read-only into an
in-memory Great Expectations suite on every run). Column TYPES are checked in Polars (frame.schema
must equal the declared schema); rules that compare dates or join tables are computed in Polars as
boolean columns and checked by an ordinary expectation, so every rule reads the same in the report.

A critical failure blocks publication (`raise_if_critical`); a warning is published and shown.
Examples from restricted data (persons, and the cross-cycle person rows) never show a name, birth
date, record id, URL slug or free text: only `source_file`, `source_row` and the column names.

    report = validate_period(tables, persons, ValidationContext("2026-02", date(2026, 2, 28), prev, prev_persons))
    report.write_json(path); page = render_validation_page(report, "2026-02", synthetic=True)
    raise_if_critical(report)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.core import schema
from analysis.quality.cross_cycle import cross_cycle_frame
from analysis.quality.frames import (c, conform, deaths_frame, monthly_frame, persons_frame, reconciliation_frame,
                                     releases_frame, stock_frame, type_checks)
from analysis.quality.gx_runner import run_suites
from analysis.quality.identities import stock_flow_frame
from analysis.quality.results import ValidationContext, ValidationReport
from analysis.quality.suites import SUITES_DIR, load_suites


def validate_period(tables: dict[str, pl.DataFrame], persons: pl.DataFrame, context: ValidationContext,
                    suites_dir: Path | None = None) -> ValidationReport:
    """Check one period's tables and its registry snapshot; returns the report (never raises on data).

    Raises InputError only when a suite is broken (then nothing was checked).
    """
    suites = load_suites(suites_dir or SUITES_DIR)
    typed, conformed = type_checks(tables, persons)
    frames = _checked_frames(conformed, context)
    checks = typed + run_suites(suites, frames, {"current_period": [context.period],
                                                      "small_count_threshold": context.small_count_threshold})
    synthetic = _any_true(conformed["persons"], "synthetic") or any(
        _any_true(conformed[t], "synthetic") for t in schema.PERIOD_TABLES)
    suite_info = [{"name": s.name, "file": s.file, "sha256": s.sha256, "declared_expectations": s.declared}
                  for s in suites.values()]
    return ValidationReport(context.period, context.snapshot_date, synthetic, checks, suite_info)


def _any_true(frame: pl.DataFrame, column: str) -> bool:
    return frame.height > 0 and bool(frame[column].fill_null(False).any())


def _checked_frames(tables: dict[str, pl.DataFrame], context: ValidationContext) -> dict[str, pl.DataFrame]:
    previous = {name: conform(frame, schema.PERIOD_TABLES[name])
                for name, frame in (context.previous_tables or {}).items() if name in schema.PERIOD_TABLES}
    return {
        "persons": persons_frame(tables["persons"], context.snapshot_date, context.release_records),
        "stock": stock_frame(tables["stock"]),
        "flows": tables["flows"],
        "releases": releases_frame(tables["releases"]),
        "monthly": monthly_frame(tables["monthly"]),
        "composition": tables["composition"],
        "time_served": tables["time_served"].with_columns(
            quantiles_ordered=(c("p25_months") <= c("median_months")) & (c("median_months") <= c("p75_months"))),
        "deaths": deaths_frame(tables["deaths"], context.snapshot_date),
        "reconciliation": reconciliation_frame(tables["reconciliation"]),
        "coverage": tables["coverage"],
        "stock_flow": stock_flow_frame(tables, context.snapshot_date),
        "cross_cycle": cross_cycle_frame(tables, previous if context.previous_tables is not None else None,
                                         context),
    }
