"""Speed of the survival stage (a script, not a test): every group for one period, on one core.

    .venv/bin/python benchmarks/survival_speed.py [--repeats 5] [--start 2026-02-01]

Reads the SYNTHETIC sample's latest copy (data/raw/registry/2026-02-28, about 4,300 people) and the
release records, builds the custody table once (the tables stage's work, not timed), then times the
survival stage: the fits of every group (overall, detention year, gender, age band, article group)
under all five scenarios, the incidence table, the detention-year curves and the medians. One core:
the process is pinned to one CPU and Polars and the BLAS libraries get one thread each, set before
they are imported. Prints the first (cold) run and the median of the repeats; the target is <= 2 s.
"""

from __future__ import annotations

import os

for _name in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse
import datetime as dt
import platform
import statistics
import time
from pathlib import Path

import polars as pl

from analysis.ingest.registry import read_registry_file
from analysis.ingest.releases import read_release_records
from analysis.survival import (
    fit_groups,
    release_incidence_curves,
    release_incidence_table,
    release_medians,
)
from analysis.tables.custody import custody_intervals
from analysis.tables.breakdowns import article_groups

REPO = Path(__file__).resolve().parents[1]
COPY = REPO / "data" / "raw" / "registry" / "2026-02-28" / "SYNTHETIC_registry_2026-02-28.csv"
SNAPSHOT = dt.date(2026, 2, 28)


def survival_stage(custody: pl.DataFrame, charges: pl.DataFrame, mapping: dict[str, str],
                   start: dt.date | None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    fits = fit_groups(custody, SNAPSHOT, start=start, charges=charges, article_groups=mapping)
    table = release_incidence_table(custody, SNAPSHOT, start=start, fits=fits, synthetic=True)
    curves = release_incidence_curves(custody, SNAPSHOT, start=start, synthetic=True,
                                      fits=[f for f in fits if f.group_kind in ("overall", "detention_year")])
    medians = release_medians(custody, SNAPSHOT, start=start, fits=fits, synthetic=True)
    return table, curves, medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=None,
                        help="a question from this calendar date (delayed entry); default: from detention")
    args = parser.parse_args()
    read = read_registry_file(COPY)
    custody = custody_intervals(read.persons, read_release_records(), SNAPSHOT)
    mapping = article_groups()
    timings = []
    for _ in range(args.repeats + 1):
        began = time.perf_counter()
        table, curves, medians = survival_stage(custody, read.charges, mapping, args.start)
        timings.append(time.perf_counter() - began)
    groups = table["group"].n_unique()
    print(f"survival stage, SYNTHETIC copy {SNAPSHOT}: {custody.filter(pl.col('placed')).height} people placed, "
          f"{groups} groups x 5 scenarios, start={args.start or 'detention'}")
    print(f"rows: table {table.height}, curves {curves.height}, medians {medians.height}")
    print(f"one core (affinity {sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}, "
          f"POLARS_MAX_THREADS={pl.thread_pool_size()}), Python {platform.python_version()}, polars {pl.__version__}")
    print(f"first run {timings[0]:.3f} s; median of {args.repeats} more {statistics.median(timings[1:]):.3f} s "
          f"(min {min(timings[1:]):.3f}, max {max(timings[1:]):.3f}); target <= 2 s")


if __name__ == "__main__":
    main()
