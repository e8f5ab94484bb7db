"""Provenance of raw snapshots: one `metadata.yaml` per `data/raw/<source>/<snapshot-date>/`.

The metadata says who produced the files, where they came from, when they were
retrieved, under which licence, and the sha256 of every file. Ingest refuses a
snapshot whose files no longer match their recorded checksums: raw data is
immutable, and a changed byte must be noticed, not silently processed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints,
                      model_validator)

from analysis.core.digests import sha256_file
from analysis.core.errors import ChecksumMismatch, InputError
from analysis.core.safeio import load_yaml, validated

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


def describe_file(path: Path, description: str = "") -> RawFile:
    return RawFile(name=path.name, sha256=sha256_file(path), bytes=path.stat().st_size, description=description)


def write_metadata(directory: Path, metadata: SnapshotMetadata) -> Path:
    """Write `metadata.yaml` (stable key order, no timestamps beyond the declared dates)."""
    path = Path(directory) / METADATA_FILE
    text = yaml.safe_dump(metadata.to_dict(), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _iso_date(value: object) -> dt.date:
    """A date written as YYYY-MM-DD (YAML may already have made it a date); never a number."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


def _bare_name(value: str) -> str:
    """A file name inside the snapshot folder: no folder part, no '..', nothing hidden or absolute."""
    if (not value or value != value.strip() or "/" in value or "\\" in value or value in (".", "..")
            or value.startswith(".") or "\x00" in value or value == METADATA_FILE):
        raise ValueError(f"{value!r} is not a plain file name inside the snapshot folder")
    return value


_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: Annotated[str, AfterValidator(_bare_name)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
    bytes: Annotated[int, Field(ge=0)] = 0
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class _MetadataFile(BaseModel):
    """The declared schema of metadata.yaml."""
    model_config = ConfigDict(extra="forbid")
    source: Literal[SOURCES]  # type: ignore[valid-type]
    snapshot_date: IsoDate
    synthetic: StrictBool = False
    producer: Text
    title: Text
    url: Annotated[str, StringConstraints(max_length=2000)]
    retrieved: IsoDate
    licence: Text
    notes: Annotated[str, StringConstraints(max_length=20_000)] = ""
    files: Annotated[list[_FileEntry], Field(max_length=1000)]

    @model_validator(mode="after")
    def _dates_and_names(self) -> "_MetadataFile":
        if self.retrieved > dt.date.today():
            raise ValueError(f"retrieved {self.retrieved} is in the future")
        if self.snapshot_date > self.retrieved:
            raise ValueError(f"snapshot_date {self.snapshot_date} is after the date it was retrieved "
                             f"({self.retrieved}): a copy cannot describe a day after it was taken")
        if not self.files:
            raise ValueError("no file is listed: a snapshot folder holds its files, each listed with its sha256")
        names = [f.name for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError(f"file {next(n for n in names if names.count(n) > 1)!r} is listed twice")
        return self


def check_metadata_file(path: Path) -> _MetadataFile:
    """A metadata.yaml read strictly (analysis.core.safeio) and checked against its declared schema."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(path, "expected a mapping of keys to values", fix="see data/raw/README.md")
    return validated(path, _MetadataFile, raw, fix=f"see data/raw/README.md for what {METADATA_FILE} holds")


def read_metadata(directory: Path) -> SnapshotMetadata:
    """A snapshot's metadata.yaml, read strictly (analysis.core.safeio) and checked against its declared schema."""
    directory = Path(directory)
    path = directory / METADATA_FILE
    if not os.path.lexists(path):
        raise InputError(directory, f"no {METADATA_FILE} in this snapshot folder",
                         fix=f"add {METADATA_FILE} with producer, title, url, retrieved, licence and "
                             "the sha256 of each file (`analysis raw add` writes it)")
    meta = check_metadata_file(path)
    if directory.name != meta.snapshot_date.isoformat():
        raise InputError(path, f"snapshot_date {meta.snapshot_date} does not match folder name '{directory.name}'",
                         field="snapshot_date", fix="name the folder after the snapshot date, YYYY-MM-DD")
    return SnapshotMetadata(
        source=meta.source, snapshot_date=meta.snapshot_date, producer=meta.producer, title=meta.title,
        url=meta.url, retrieved=meta.retrieved, licence=meta.licence,
        files=tuple(RawFile(f.name, f.sha256.lower(), f.bytes, f.description) for f in meta.files),
        synthetic=meta.synthetic, notes=meta.notes, directory=directory,
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
                fix="restore the file exactly as received; put corrections in decisions/corrections.csv with a reason",
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
