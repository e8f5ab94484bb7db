"""Stage 2, tables: the ingested copy of the list and the release data -> the period's public tables
(stock, flows, monthly, composition, time served, deaths, releases, reconciliation, coverage),
counted from custody intervals with point, lower and upper counts.

    inputs = tables.load_inputs(paths, period)      # read once per process (analysis.tables.inputs)
    frames = tables.build_period_tables(inputs)     # analysis.tables.build
"""

from analysis.tables.build import build_period_tables, read_period_tables
from analysis.tables.inputs import PeriodInputs, check_period, load_inputs

__all__ = ["PeriodInputs", "build_period_tables", "check_period", "load_inputs", "read_period_tables"]
