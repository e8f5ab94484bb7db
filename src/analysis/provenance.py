"""Provenance of raw snapshots: one `metadata.yaml` per `data/raw/<source>/<snapshot-date>/`.

The metadata says who produced the files, where they came from, when they were
retrieved, under which licence, and the sha256 of every file. Ingest refuses a
snapshot whose files no longer match their recorded checksums: raw data is
immutable, and a changed byte must be noticed, not silently processed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ChecksumMismatch, InputError

METADATA_FILE = "metadata.yaml"
# Inputs of the report cycle, and reference material kept with the same provenance but never counted:
# `real_structure` is an anonymised half of a real copy of the list (to test parsing and calibrate the
# SYNTHETIC generator), `mse_reference` published capture-recapture tables (to check estimators).
PIPELINE_SOURCES = ("registry", "releases", "figures")
REFERENCE_SOURCES = ("real_structure",)
SOURCES = PIPELINE_SOURCES + REFERENCE_SOURCES
REQUIRED_KEYS = ("source", "snapshot_date", "producer", "title", "url", "retrieved", "licence", "files")


@dataclass(frozen=True)
class RawFile:
    name: str
    sha256: str
    bytes: int
    description: str = ""


@dataclass(frozen=True)
class SnapshotMetadata:
    source: str
    snapshot_date: dt.date
    producer: str
    title: str
    url: str
    retrieved: dt.date
    licence: str
    files: tuple[RawFile, ...]
    synthetic: bool = False
    notes: str = ""
    directory: Path | None = field(default=None, compare=False)

    def file_paths(self) -> list[Path]:
        assert self.directory is not None, "metadata was not read from a directory"
        return [self.directory / f.name for f in self.files]

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "snapshot_date": self.snapshot_date.isoformat(),
            "synthetic": self.synthetic,
            "producer": self.producer,
            "title": self.title,
            "url": self.url,
            "retrieved": self.retrieved.isoformat(),
            "licence": self.licence,
            "notes": self.notes,
            "files": [
                {"name": f.name, "sha256": f.sha256, "bytes": f.bytes, "description": f.description}
                for f in self.files
            ],
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path, description: str = "") -> RawFile:
    return RawFile(name=path.name, sha256=sha256_file(path), bytes=path.stat().st_size, description=description)


def write_metadata(directory: Path, metadata: SnapshotMetadata) -> Path:
    """Write `metadata.yaml` (stable key order, no timestamps beyond the declared dates)."""
    path = Path(directory) / METADATA_FILE
    text = yaml.safe_dump(metadata.to_dict(), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _as_date(value, path: Path, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(path, f"'{value}' is not an ISO date (YYYY-MM-DD)", field=key,
                         fix=f"write {key} as YYYY-MM-DD") from None


def read_metadata(directory: Path) -> SnapshotMetadata:
    directory = Path(directory)
    path = directory / METADATA_FILE
    if not path.exists():
        raise InputError(directory, f"no {METADATA_FILE} in this snapshot folder",
                         fix=f"add {METADATA_FILE} with producer, title, url, retrieved, licence and "
                             "the sha256 of each file (`analysis raw describe <folder>` writes a draft)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML: {exc}", fix="repair the YAML syntax") from None
    if not isinstance(raw, dict):
        raise InputError(path, "expected a mapping of keys to values", fix="see data/raw/README.md")
    for key in REQUIRED_KEYS:
        if key not in raw or raw[key] in (None, ""):
            if key == "url" and key in raw:
                continue  # documents without a public URL keep an empty string
            raise InputError(path, f"required key '{key}' is missing", field=key,
                             fix=f"add '{key}:' to {METADATA_FILE}")
    if raw["source"] not in SOURCES:
        raise InputError(path, f"unknown source '{raw['source']}'", field="source",
                         fix=f"use one of {', '.join(SOURCES)}")
    files = []
    for index, entry in enumerate(raw["files"], start=1):
        for key in ("name", "sha256"):
            if not entry.get(key):
                raise InputError(path, f"file entry {index} has no '{key}'", field=f"files[{index}].{key}",
                                 fix="list every file with its name and sha256")
        files.append(RawFile(name=str(entry["name"]), sha256=str(entry["sha256"]).lower(),
                             bytes=int(entry.get("bytes") or 0), description=str(entry.get("description") or "")))
    snapshot_date = _as_date(raw["snapshot_date"], path, "snapshot_date")
    if directory.name != snapshot_date.isoformat():
        raise InputError(path, f"snapshot_date {snapshot_date} does not match folder name '{directory.name}'",
                         field="snapshot_date", fix="name the folder after the snapshot date, YYYY-MM-DD")
    return SnapshotMetadata(
        source=raw["source"],
        snapshot_date=snapshot_date,
        producer=str(raw["producer"]),
        title=str(raw["title"]),
        url=str(raw.get("url") or ""),
        retrieved=_as_date(raw["retrieved"], path, "retrieved"),
        licence=str(raw["licence"]),
        files=tuple(files),
        synthetic=bool(raw.get("synthetic", False)),
        notes=str(raw.get("notes") or ""),
        directory=directory,
    )


def verify_checksums(metadata: SnapshotMetadata) -> None:
    """Raise ChecksumMismatch naming the first file whose bytes changed or went missing."""
    directory = metadata.directory
    assert directory is not None
    listed = {f.name for f in metadata.files}
    for raw_file in metadata.files:
        path = directory / raw_file.name
        if not path.exists():
            raise ChecksumMismatch(path, "listed in metadata.yaml but missing",
                                   fix="restore the file from the original copy; raw files are never deleted")
        actual = sha256_file(path)
        if actual != raw_file.sha256:
            raise ChecksumMismatch(
                path,
                f"sha256 is {actual}, but metadata.yaml records {raw_file.sha256}: the raw file changed",
                fix="restore the file exactly as received; put corrections in data/corrections/ with a reason",
            )
    unlisted = sorted(p.name for p in directory.iterdir() if p.is_file() and p.name != METADATA_FILE
                      and p.name not in listed and not p.name.startswith("."))
    if unlisted:
        raise InputError(directory / unlisted[0], "file is not listed in metadata.yaml",
                         fix="add it with its sha256 to metadata.yaml, or move it out of data/raw")


def list_snapshots(raw_root: Path, source: str) -> list[SnapshotMetadata]:
    """Every snapshot of one source, oldest first, with metadata read (not yet verified)."""
    base = Path(raw_root) / source
    if not base.is_dir():
        return []
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [read_metadata(folder) for folder in folders]
