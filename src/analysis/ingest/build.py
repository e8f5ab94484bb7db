"""`analysis ingest`: every raw snapshot -> typed Parquet, restricted and public tiers apart.

Declared inputs: data/raw/{registry,releases,figures}/<date>/ (checksums verified first) and
decisions/ (corrections, given names, qualifier bounds). Declared output: data/processed/ingest/, swapped in only when
the whole build succeeded:

    public/ingest_log.parquet           one row per raw file: shape, encoding, rows in/out/quarantined
    public/figures.parquet              the published-figures ledger with bounds
    public/release_events.parquet       real release waves with their sources
    restricted/registry/<date>/persons.parquet, charges.parquet, quarantine.parquet, field_issues.parquet
    restricted/releases/release_records.parquet, release_records_quarantine.parquet (with reasons)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from analysis.core import faults, schema
from analysis.core.decisions import decision_files
from analysis.core.digests import code_digest, digest, files_digest, sha256_file
from analysis.core.errors import InputError
from analysis.core.paths import ProjectPaths, project_paths
from analysis.core.staging import exclusive, naming_write_errors, staged
from analysis.core.storage import write_parquet
from analysis.ingest.corrections import check_copies_exist, read_corrections
from analysis.ingest.figures import LEDGER_SCHEMA, read_ledger
from analysis.ingest.provenance import list_snapshots, verify_checksums
from analysis.ingest.registry import RegistryRead, read_registry_file, use_decisions
from analysis.ingest.releases import quarantine_release_records, read_release_events, read_release_records


@dataclass
class IngestSummary:
    output: Path
    snapshots: int = 0
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    field_issues: int = 0
    files: list[dict] = field(default_factory=list)
    skipped: bool = False

    def line(self) -> str:
        verb = "unchanged since the last ingest" if self.skipped else "ingested"
        return (f"{verb}: {self.snapshots} registry snapshot(s): {self.rows_read} rows read = "
                f"{self.rows_written} written + {self.rows_quarantined} quarantined; "
                f"{self.field_issues} field issue(s); output in {self.output}")


def _registry_file(meta) -> Path:
    files = [p for p in meta.file_paths()]
    if len(files) != 1:
        raise InputError(meta.directory, f"a registry snapshot holds one copy of the list; found {len(files)} files "
                                         f"({', '.join(p.name for p in files)})",
                         fix="put each copy in its own snapshot folder named after its date")
    return files[0]


def _log_row(paths: ProjectPaths, meta, path: Path, read: RegistryRead) -> dict:
    counts = read.persons.group_by("status").len()
    by_status = dict(zip(counts["status"].to_list(), counts["len"].to_list()))
    table = read.table
    return {
        "source": "registry", "snapshot_date": meta.snapshot_date, "synthetic": meta.synthetic,
        "source_file": paths.relative(path), "sha256": sha256_file(path), "shape": table.shape,
        "encoding": table.encoding, "delimiter": table.delimiter, "language": table.language,
        "rows_read": table.rows_read, "rows_written": read.persons.height,
        "rows_quarantined": read.quarantine.height, "field_issues": read.field_issues.height,
        "corrections_applied": table.corrections_applied,
        "active": by_status.get("active", 0), "former": by_status.get("former", 0), "np": by_status.get("np", 0),
        "missing_optional_columns": ";".join(table.missing_optional),
        "extra_columns": ";".join(table.extra_columns),
    }


def _relabel(frame: pl.DataFrame, column: str, label: str) -> pl.DataFrame:
    return frame.with_columns(pl.lit(label, dtype=pl.String).alias(column)) if frame.height else frame


def ingest_registry(paths: ProjectPaths, out: Path, summary: IngestSummary,
                    progress: Callable[[str], None]) -> list[dict]:
    use_decisions(paths.decisions)
    corrections = read_corrections(paths.corrections)
    snapshots = list_snapshots(paths.raw, "registry")
    check_copies_exist(paths.corrections, corrections, {m.snapshot_date for m in snapshots})
    log = []
    for meta in snapshots:
        verify_checksums(meta)
        path = _registry_file(meta)
        progress(f"registry {meta.snapshot_date}: {path.name}")
        read = read_registry_file(path, snapshot_date=meta.snapshot_date, synthetic=meta.synthetic,
                                  corrections=corrections)
        label = paths.relative(path)
        folder = out / "restricted" / "registry" / meta.snapshot_date.isoformat()
        write_parquet(_relabel(read.persons, "source_file", label), folder / "persons.parquet", schema.PERSONS)
        write_parquet(_relabel(read.charges, "source_file", label), folder / "charges.parquet", schema.CHARGES)
        write_parquet(_relabel(read.quarantine, "source_file", label), folder / "quarantine.parquet",
                      schema.QUARANTINE)
        write_parquet(_relabel(read.field_issues, "source_file", label), folder / "field_issues.parquet",
                      schema.FIELD_ISSUES)
        faults.checkpoint("ingest", folder)   # crash tests stop here: staged, not yet swapped in
        row = _log_row(paths, meta, path, read)
        log.append(row)
        summary.snapshots += 1
        summary.rows_read += read.rows_read
        summary.rows_written += read.persons.height
        summary.rows_quarantined += read.quarantine.height
        summary.field_issues += read.field_issues.height
    return log


def ingest_releases_and_figures(paths: ProjectPaths, out: Path, progress: Callable[[str], None]) -> None:
    progress("figures ledger")
    ledger = read_ledger(paths.raw)
    write_parquet(ledger.sort("figure_id"), out / "public" / "figures.parquet", LEDGER_SCHEMA)
    progress("release events and records")
    events = read_release_events(paths.raw)
    write_parquet(events, out / "public" / "release_events.parquet", schema.EVENTS_SCHEMA)
    listed = [pl.read_parquet(f, columns=["record_id", "arrested_from"])
              for f in sorted((out / "restricted" / "registry").glob("*/persons.parquet"))]
    kept, quarantined = quarantine_release_records(
        read_release_records(paths.raw, events),
        pl.concat(listed) if listed else pl.DataFrame(schema={"record_id": pl.Int64, "arrested_from": pl.Date}))
    write_parquet(kept.sort("record_id", "release_date"), out / "restricted" / "releases" / "release_records.parquet",
                  schema.RECORDS_SCHEMA)
    write_parquet(quarantined.sort("source_row"), out / "restricted" / "releases" / "release_records_quarantine.parquet",
                  schema.RECORDS_QUARANTINE_SCHEMA)


KEY_FILE = "BUILD_KEY"


def ingest_key(paths: ProjectPaths) -> str:
    """The ingest's content address: every raw file, the corrections and the code."""
    raw = [p for p in paths.raw.rglob("*") if p.is_file() and not p.name.startswith(".")]
    corrections = decision_files(paths)
    return digest([("inputs", files_digest(paths, raw + corrections)), ("code", code_digest())])


def _unchanged(paths: ProjectPaths, key: str) -> IngestSummary | None:
    """The published build's summary if it was made from exactly these inputs and code."""
    key_file = paths.ingest / KEY_FILE
    if not key_file.exists() or key_file.read_text(encoding="utf-8").strip() != key:
        return None
    log = pl.read_parquet(paths.ingest / "public" / "ingest_log.parquet")
    summary = IngestSummary(output=paths.ingest, snapshots=log.height, files=log.to_dicts(), skipped=True,
                            rows_read=int(log["rows_read"].sum()), rows_written=int(log["rows_written"].sum()),
                            rows_quarantined=int(log["rows_quarantined"].sum()), field_issues=int(log["field_issues"].sum()))
    return summary


def ingest_is_current(paths: ProjectPaths) -> bool:
    """Whether the published ingest came from the present raw files and code (nothing to do)."""
    return _unchanged(paths, ingest_key(paths)) is not None


def run_ingest(root: str | Path | None = None, progress: Callable[[str], None] = lambda _m: None,
               wait_seconds: float = 0, force: bool = False) -> IngestSummary:
    """Ingest everything under data/raw; the previous build stays in place unless this one completes.

    Skipped (in well under a second) when the published build came from the same raw files and code.
    """
    paths = project_paths(root)
    key = ingest_key(paths)
    if not force and (unchanged := _unchanged(paths, key)):
        return unchanged
    summary = IngestSummary(output=paths.ingest)
    with (exclusive(paths.processed, "ingest", wait_seconds=wait_seconds), staged(paths.ingest) as build,
          naming_write_errors(build)):
        log = ingest_registry(paths, build, summary, progress)
        ingest_releases_and_figures(paths, build, progress)
        log_frame = pl.DataFrame(log, schema=schema.INGEST_LOG).sort("source", "snapshot_date", "source_file")
        write_parquet(log_frame, build / "public" / "ingest_log.parquet", schema.INGEST_LOG)
        summary.files = log
        assert summary.rows_read == summary.rows_written + summary.rows_quarantined, summary.line()
        (build / KEY_FILE).write_text(key + "\n", encoding="utf-8")
    return summary
