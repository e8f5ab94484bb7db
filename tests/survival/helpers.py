"""Small custody tables for the survival tests: people written by hand through custody_intervals
(as tests/tables/test_custody.py does), and a larger random custody table built directly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from analysis.core import schema
from analysis.ingest.releases import RECORDS_SCHEMA
from analysis.survival.spells import ROUTES
from analysis.tables.custody import CUSTODY, custody_intervals

D = dt.date
COPY = D(2023, 2, 15)


def person(record_id: int, status: str, arrested: D | None = None, release: D | None = None, *,
           arrested_to: D | None = None, precision: str = "day", release_to: D | None = None,
           regime: str | None = "colony", months: float | None = 24.0, died: D | None = None,
           gender: str | None = "male", born: tuple[D, D] | None = (D(1980, 1, 1), D(1980, 12, 31))) -> dict:
    row = {name: None for name in schema.PERSONS}
    row |= {"record_id": record_id, "person_key": f"id:{record_id}", "status": status, "gender": gender,
            "died_in_custody": died is not None, "penalty_regime": regime,
            "sentence_kind": "term" if months else None, "sentence_months": months}
    if born:
        row |= {"birth_date_from": born[0], "birth_date_to": born[1]}
    if arrested:
        row |= {"arrested_from": arrested, "arrested_to": arrested_to or arrested, "arrested_precision": precision}
    if release:
        row |= {"release_date_from": release, "release_date_to": release_to or release,
                "release_date_precision": "day" if release_to is None else "month"}
    if died:
        row |= {"died_from": died, "died_to": died, "died_precision": "day"}
    return row


def custody(*people: dict, copy: D = COPY) -> pl.DataFrame:
    persons = pl.DataFrame(list(people), schema=schema.PERSONS)
    return custody_intervals(persons, pl.DataFrame(schema=RECORDS_SCHEMA), copy)


LATEST = D(2026, 2, 28)


def random_custody(n: int, seed: int = 0, copy: D = LATEST, undated_share: float = 0.2) -> pl.DataFrame:
    """A custody table of n people, drawn at random (vectorised): detentions 2020-2026, exits by route,
    about a quarter still held, a share of exits undated (a range up to the copy's date)."""
    rng = np.random.default_rng(seed)
    start = (D(2020, 6, 1) - D(1970, 1, 1)).days
    entry = start + rng.integers(0, (copy - D(2020, 6, 1)).days, n)
    held_days = np.floor(rng.gamma(2.0, 300.0, n)).astype(np.int64)
    exit_day = entry + held_days
    still_held = exit_day > (copy - D(1970, 1, 1)).days
    undated = ~still_held & (rng.random(n) < undated_share)
    last = (copy - D(1970, 1, 1)).days
    routes = np.array(ROUTES)[rng.choice(len(ROUTES), n, p=[0.5, 0.2, 0.08, 0.02, 0.2])]
    born = rng.integers(-20 * 365, 35 * 365, n)   # born 1950-2004
    as_date = lambda a: pl.Series(a, dtype=pl.Int32).cast(pl.Date)
    frame = pl.DataFrame({
        "person_key": [f"id:{i}" for i in range(n)], "record_id": np.arange(n),
        "status": np.where(still_held, "active", "former"),
        "gender": rng.choice(["male", "female"], n, p=[0.85, 0.15]),
        "birth_date_from": as_date(born), "birth_date_to": as_date(born + 364),
        "entry_from": as_date(entry), "entry_to": as_date(entry), "entry": as_date(entry),
        "entry_precision": ["day"] * n,
        "exit_from": as_date(np.where(still_held, -1, np.where(undated, entry, exit_day))),
        "exit_to": as_date(np.where(still_held, -1, np.where(undated, last, exit_day))),
        "exit": as_date(np.where(still_held, -1, exit_day)),
        "exit_rule": np.where(still_held, "", np.where(undated, "midpoint", "release_date")),
        "exit_mechanism": np.where(still_held, "", np.where(undated, "other", routes)),
        "placed": np.ones(n, dtype=bool),
    })
    held = pl.col("status") == "active"
    frame = frame.with_columns(*[pl.when(held).then(None).otherwise(pl.col(c)).alias(c)
                                 for c in ("exit_from", "exit_to", "exit", "exit_rule", "exit_mechanism")])
    for name, dtype in CUSTODY.items():
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return frame.select([pl.col(name).cast(dtype) for name, dtype in CUSTODY.items()])
