"""Counts of political prisoners in Belarus, traceable to their sources.

For researchers in a notebook:

    import analysis
    analysis.load("stock", period="2025-Q4")                    # any published table of any period
    analysis.load_chart("fig-stock-over-time", period="2026-02")  # any published chart
    analysis.read_registry("data/raw/registry/2026-02-28/SYNTHETIC_registry_2026-02-28.csv")  # restricted
"""

from analysis.publish.access import load, load_chart, published_periods
from analysis.core.errors import InputError, ValidationFailed
from analysis.ingest.registry import read_registry, read_registry_file

__all__ = ["InputError", "ValidationFailed", "load", "load_chart", "published_periods", "read_registry",
           "read_registry_file"]
