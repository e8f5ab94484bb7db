"""The period tables on the embedded sample: identities that must hold exactly, and real waves."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from analysis.core import schema
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.tables import build_period_tables, load_inputs


@pytest.fixture(scope="module")
def inputs_for(sample_project):
    return lambda period: load_inputs(project_paths(sample_project), Period.parse(period))


@pytest.fixture(scope="module")
def february(inputs_for):
    return build_period_tables(inputs_for("2026-02"))


def test_every_table_has_its_schema(february):
    for name, frame in february.items():
        assert dict(frame.schema) == schema.PERIOD_TABLES[name], name


def test_stock_flow_identity_holds_for_every_month_of_the_sample(february):
    monthly = february["monthly"]
    assert monthly["month"].to_list()[0] == "2020-05" and monthly["month"].to_list()[-1] == "2026-02"
    assert (monthly["held_end"] == monthly["held_start"] + monthly["entries"] - monthly["exits"]
            + monthly["listed_without_detention_date"]).all()
    assert (monthly["held_start"].slice(1) == monthly["held_end"].slice(0, monthly.height - 1)).all()
    exits = sum(monthly[f"exits_{m}"] for m in schema.EXIT_MECHANISMS)
    assert (exits == monthly["exits"]).all()


@pytest.mark.parametrize("period", ["2025-09", "2025-12", "2025-Q4", "2025", "2023", "2021-Q2"])
def test_stock_flow_identity_for_the_period(inputs_for, period):
    tables = build_period_tables(inputs_for(period))
    stock = {r["position"]: r["held"] - r["listed_without_detention_date"] for r in tables["stock"].iter_rows(named=True)}
    flows = tables["flows"]
    entries = flows.filter(pl.col("direction") == "entry")["persons"].sum()
    exits = flows.filter(pl.col("direction") == "exit")["persons"].sum()
    assert stock["end"] == stock["start"] + entries - exits


def test_the_december_2025_wave(inputs_for):
    releases = build_period_tables(inputs_for("2025-12"))["releases"]
    wave = releases.filter(pl.col("event_id") == "2025-12-13-pardon").row(0, named=True)
    assert (wave["released"], wave["expelled_to_ukraine"], wave["expelled_to_lithuania"]) == (123, 114, 9)
    assert (wave["our_released"], wave["our_to_ukraine"], wave["our_to_lithuania"]) == (123, 114, 9)
    flows = build_period_tables(inputs_for("2025-12"))["flows"]
    assert flows.filter(pl.col("mechanism") == "pardon_with_expulsion")["persons"][0] == 123


def test_deaths_match_published_cumulative_counts(february):
    deaths = february["deaths"]
    assert deaths.height == 9 and deaths.filter(pl.col("date") <= dt.date(2025, 5, 22)).height == 8


def test_reconciliation_flags_a_disagreeing_figure(inputs_for):
    inputs = inputs_for("2026-02")
    planted = inputs.ledger.head(1).with_columns(
        pl.lit("fig-planted000").alias("figure_id"), pl.lit("current_political_prisoners").alias("metric"),
        pl.lit(dt.date(2026, 2, 15)).alias("as_of_from"), pl.lit(dt.date(2026, 2, 15)).alias("as_of_to"),
        pl.lit(2000, dtype=pl.Int64).alias("value"), pl.lit("exact").alias("qualifier"),
        pl.lit(2000, dtype=pl.Int64).alias("lower"), pl.lit(2000, dtype=pl.Int64).alias("upper"))
    inputs = dataclasses.replace(inputs, ledger=pl.concat([inputs.ledger, planted]))   # the loaded inputs are shared
    row = build_period_tables(inputs)["reconciliation"].filter(pl.col("figure_id") == "fig-planted000").row(0, named=True)
    assert row["status"] == "outside_tolerance" and 1100 < row["our_count"] < 1200
    assert row["difference"] == row["our_count"] - 2000


def test_reconciliation_of_the_default_period(february):
    rows = february["reconciliation"].select("metric", "value", "our_count", "status").rows()
    assert rows == [("current_political_prisoners", 1131, 1135, "within_bounds"),
                    ("deaths_in_custody_cumulative", 8, 9, "within_bounds")]


def test_public_tables_carry_no_personal_columns(february):
    for name, frame in february.items():
        assert not set(frame.columns) & set(schema.RESTRICTED_PERSON_COLUMNS), name


def test_no_snapshot_covers_a_future_period(sample_project):
    from analysis.core.errors import InputError

    with pytest.raises(InputError, match="no registry snapshot covers 2026-03"):
        load_inputs(project_paths(sample_project), Period.parse("2026-03"))


def test_inputs_are_loaded_once_per_process_and_never_served_stale(project):
    from analysis.ingest.build import run_ingest

    run_ingest(project)
    paths, period = project_paths(project), Period.parse("2026-02")
    first = load_inputs(paths, period)
    assert load_inputs(paths, period) is first                      # the tables, gate, charts, report and scan share it
    assert first.timeline is load_inputs(paths, period).timeline     # so the custody table is computed once
    policy = project / "decisions" / "privacy_policy.yaml"
    policy.write_text("small_count_threshold:\n  value: 5\n  reason: a test of a changed decision (SYNTHETIC)\n",
                      encoding="utf-8")
    changed = load_inputs(paths, period)
    assert changed is not first and changed.policy.small_count_threshold == 5
    run_ingest(project, force=True)                                  # a new ingest is a new build folder
    assert load_inputs(paths, period) is not changed
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.ledger = first.ledger.head(0)
