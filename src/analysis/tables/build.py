"""Every public table of a period, built from its inputs, and read back from a build folder."""

from __future__ import annotations

import polars as pl

from analysis.core import schema
from analysis.core.layout import BuildLayout
from analysis.tables.breakdowns import composition_table, deaths_table, releases_table, time_served_table
from analysis.tables.coverage import coverage_table
from analysis.tables.inputs import PeriodInputs
from analysis.tables.reconciliation import reconciliation_table
from analysis.tables.stock_flows import flows_table, monthly_table, stock_table


def build_period_tables(inputs: PeriodInputs) -> dict[str, pl.DataFrame]:
    """Every public table of the period, typed by its schema, rows in a fixed order."""
    return {
        "stock": stock_table(inputs),
        "flows": flows_table(inputs),
        "releases": releases_table(inputs),
        "monthly": monthly_table(inputs),
        "composition": composition_table(inputs),
        "time_served": time_served_table(inputs),
        "deaths": deaths_table(inputs),
        "reconciliation": reconciliation_table(inputs),
        "coverage": coverage_table(inputs),
    }


def read_period_tables(layout: BuildLayout) -> dict[str, pl.DataFrame]:
    """The period tables written in a build (staged or published), by name."""
    return {name: pl.read_parquet(layout.table(name)) for name in schema.PERIOD_TABLES}
