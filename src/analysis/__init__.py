"""Counts of political prisoners in Belarus, traceable to their sources.

For researchers in a notebook:

    from analysis import read_registry, load_ingest
    persons = read_registry("data/raw/registry/2026-02-28/SYNTHETIC_registry_2026-02-28.csv")
"""

from .errors import InputError, ValidationFailed
from .registry import read_registry, read_registry_file

__all__ = ["InputError", "ValidationFailed", "read_registry", "read_registry_file"]
