"""A period's inputs: which copy of the list it is counted from, and everything read for it.

Everything is computed from one reference registry copy: the first dated on or after the period's
end whose shape dates every exit (`reference_snapshot`). Earlier copies narrow the exits the
reference copy leaves undated. `PeriodInputs.timeline` is the custody table of
analysis.tables.custody: each person's custody as an interval with uncertain ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import polars as pl

from analysis.core import decisions
from analysis.core.decisions import CountingSettings, decision_files
from analysis.core.digests import files_digest
from analysis.core.errors import InputError
from analysis.core.paths import ProjectPaths
from analysis.core.periods import FIRST_MONTH, Period
from analysis.ingest.provenance import list_snapshots
from analysis.tables.custody import copy_history, custody_intervals
from analysis.tables.disclosure import PrivacyPolicy, check_withheld_ids, load_policy


@dataclass(frozen=True)
class SnapshotRef:
    date: dt.date
    synthetic: bool
    source_file: str
    dates_every_exit: bool = True   # its shape has every exit-date column (decisions/counting.yaml)
    rows_quarantined: int = 0


@dataclass(frozen=True)
class PeriodInputs:
    period: Period
    snapshot: SnapshotRef
    persons: pl.DataFrame
    charges: pl.DataFrame
    release_records: pl.DataFrame
    release_events: pl.DataFrame
    ledger: pl.DataFrame
    previous_snapshot: SnapshotRef | None = None
    policy: PrivacyPolicy = PrivacyPolicy()
    earlier_copies: tuple[tuple[dt.date, pl.DataFrame], ...] = ()   # (date, persons) of copies before `snapshot`
    settings: CountingSettings = field(default_factory=lambda: decisions.counting())   # decisions/counting.yaml
    article_groups: dict[str, str] = field(default_factory=lambda: decisions.article_groups())

    @property
    def synthetic(self) -> bool:
        return self.snapshot.synthetic

    @cached_property
    def timeline(self) -> pl.DataFrame:
        """The custody table (analysis.tables.custody): one row per person who is not `np`."""
        return custody_intervals(self.persons, self.release_records, self.snapshot.date,
                                 copy_history(list(self.earlier_copies)),
                                 self.settings.end_of_term_window_months.value)


# Reads of one ingest build are cached by the build's real folder: a new ingest is a new folder, so
# the cache can never serve stale data, and a backfill reads each snapshot once per process.
@lru_cache(maxsize=32)
def _read(build: str, relative: str) -> pl.DataFrame:
    return pl.read_parquet(Path(build) / relative)


def _ingested(paths: ProjectPaths, relative: str) -> pl.DataFrame:
    if not paths.ingest.exists():
        raise InputError(paths.ingest, "no ingest output yet", fix="run `analysis ingest` first")
    return _read(str(paths.ingest.resolve()), relative)


def registry_snapshots(paths: ProjectPaths) -> list[SnapshotRef]:
    """The ingested registry snapshots, oldest first (from the public ingest log)."""
    log = _ingested(paths, "public/ingest_log.parquet").filter(pl.col("source") == "registry").sort("snapshot_date")
    settings = decisions.counting(paths)
    return [SnapshotRef(r["snapshot_date"], r["synthetic"], r["source_file"],
                        settings.dates_every_exit(r["shape"], r["missing_optional_columns"]), r["rows_quarantined"])
            for r in log.iter_rows(named=True)]


def reference_snapshot(paths: ProjectPaths, snapshots: list[SnapshotRef], period: Period) -> SnapshotRef:
    """The first copy of the list dated on or after the period's end whose shape dates every exit.

    Counting who was held on a day needs release and death dates. The public table has no release
    dates and the flattened JSON no deaths, so such a copy is passed over for a later, complete one;
    if none is complete, the first covering copy is used: its undated exits are placed by the point
    rule and bounded (analysis.tables.custody).
    """
    covering = [s for s in snapshots if s.date >= period.end]
    if not covering:
        latest = snapshots[-1].date if snapshots else "none"
        raise InputError("--period", f"no registry snapshot covers {period} (it ends {period.end}; latest "
                                     f"snapshot: {latest})", fix="add a copy of the list dated on or after the "
                                                                 "period's end")
    return next((s for s in covering if s.dates_every_exit), covering[0])


def check_period(paths: ProjectPaths, period: Period, ingested: bool = True) -> None:
    """Refuse, before anything is built, a period the data cannot count: one that ends before the series
    starts (2020-05) or after the latest registry copy (read from data/raw when not yet ingested)."""
    if period.end < FIRST_MONTH:
        raise InputError("--period", f"{period} ends before the series starts ({FIRST_MONTH:%Y-%m})",
                         fix=f"choose a period from {FIRST_MONTH:%Y-%m} on")
    if ingested:
        reference_snapshot(paths, registry_snapshots(paths), period)
        return
    dates = [meta.snapshot_date for meta in list_snapshots(paths.raw, "registry")]
    if not any(date >= period.end for date in dates):
        raise InputError("--period", f"no registry snapshot covers {period} (it ends {period.end}; latest "
                                     f"snapshot: {max(dates) if dates else 'none'})",
                         fix="add a copy of the list dated on or after the period's end")


def period_snapshots(paths: ProjectPaths, period: Period) -> tuple[SnapshotRef, SnapshotRef | None]:
    """The copy a period is counted from, and the copy before it (for the cross-cycle checks)."""
    snapshot, earlier = counting_snapshots(paths, period)
    return snapshot, (earlier[-1] if earlier else None)


def counting_snapshots(paths: ProjectPaths, period: Period) -> tuple[SnapshotRef, list[SnapshotRef]]:
    """The copy a period is counted from, and every earlier copy (they narrow undated exits)."""
    snapshots = registry_snapshots(paths)
    snapshot = reference_snapshot(paths, snapshots, period)
    return snapshot, [s for s in snapshots if s.date < snapshot.date]


def _persons(paths: ProjectPaths, snapshot: SnapshotRef) -> pl.DataFrame:
    return _ingested(paths, f"restricted/registry/{snapshot.date.isoformat()}/persons.parquet")


def load_inputs(paths: ProjectPaths, period: Period) -> PeriodInputs:
    """The period's inputs, read once per process: cached by the ingest build's real folder (a new ingest
    is a new folder), the period and the digest of the decision files read beside it, so a changed input
    is never served stale. The tables, validate, charts and report steps and the leak scan all call this,
    so a process computes a period's custody table once. The result is frozen: do not mutate its frames.
    """
    return _load_inputs(str(paths.ingest.resolve()), period, files_digest(paths, decision_files(paths)), paths)


@lru_cache(maxsize=8)
def _load_inputs(build: str, period: Period, decisions_digest: str, paths: ProjectPaths) -> PeriodInputs:
    # `build` and `decisions_digest` are the cache key's guard against stale data; the reads go through `paths`.
    snapshot, earlier = counting_snapshots(paths, period)
    check_withheld_ids(paths)
    folder = f"restricted/registry/{snapshot.date.isoformat()}"
    return PeriodInputs(
        period=period, snapshot=snapshot,
        persons=_persons(paths, snapshot),
        charges=_ingested(paths, f"{folder}/charges.parquet"),
        release_records=_ingested(paths, "restricted/releases/release_records.parquet"),
        release_events=_ingested(paths, "public/release_events.parquet"),
        ledger=_ingested(paths, "public/figures.parquet"),
        previous_snapshot=earlier[-1] if earlier else None,
        policy=load_policy(paths),
        earlier_copies=tuple((s.date, _persons(paths, s)) for s in earlier),
        settings=decisions.counting(paths), article_groups=decisions.article_groups(paths),
    )
