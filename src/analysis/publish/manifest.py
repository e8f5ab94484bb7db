"""reports/<period>/MANIFEST.json: what a published period was built from, with, and into.

Every input (path, sha256, its source metadata), the parameters, the code version, the lock
file's hash and the versions of the libraries that write output bytes, every output (path,
sha256, rows) and the validation summary. The build time is recorded here and nowhere else:
no data file carries a wall-clock value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Annotated

import pyarrow.parquet as pq
from pydantic import AfterValidator, BaseModel, StringConstraints

from analysis.core.digests import sha256_file
from analysis.core.errors import InputError
from analysis.core.layout import BuildLayout
from analysis.core.paths import ProjectPaths
from analysis.core.periods import Period
from analysis.core.safeio import read_regular, validated
from analysis.ingest.provenance import METADATA_FILE, read_metadata
from analysis.core.decisions import decision_files
from analysis.tables.inputs import counting_snapshots

BYTE_WRITERS = ("polars", "pyarrow", "altair", "vl-convert-python", "great-expectations", "papermill", "jinja2")
# Executed notebooks record the staging folder they ran in: listed, not compared byte for byte.
NOT_COMPARED = (BuildLayout(Path()).notebooks.as_posix() + "/",)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_version(root: Path) -> dict:
    """The commit and whether the working tree differs from it (files under reports/ and data/processed/ aside)."""
    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--", ".", ":!reports", ":!data/processed")
    return {"commit": commit or "unknown", "dirty": bool(status) if status is not None else None}


def library_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in BYTE_WRITERS}


def period_input_files(paths: ProjectPaths, period: Period, previous_tables: bool = True) -> list[Path]:
    """Every file a period's outputs depend on: the registry copies it counts and checks against,
    release data, figures, every human decision (decisions/), quality suites, notebooks and, if asked, the previous
    period's published tables."""
    snapshot, earlier = counting_snapshots(paths, period)   # earlier copies narrow undated exits
    folders = [paths.raw / "registry" / s.date.isoformat() for s in (*earlier, snapshot)]
    folders += [p for source in ("releases", "figures") for p in sorted((paths.raw / source).iterdir()) if p.is_dir()]
    files = [f for folder in folders for f in sorted(folder.iterdir()) if f.is_file()]
    files += decision_files(paths)
    files += sorted((paths.root / "expectations").glob("*.json"))
    files += sorted(paths.notebooks.glob("0*.ipynb"))
    previous = BuildLayout(paths.reports / period.previous().label).tables
    if previous_tables and previous.is_dir():
        files += sorted(previous.glob("*.parquet"))
    return files


def _input_entry(paths: ProjectPaths, path: Path) -> dict:
    entry = {"path": paths.relative(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}
    if path.name != METADATA_FILE and (path.parent / METADATA_FILE).exists():
        meta = read_metadata(path.parent).to_dict()
        entry["source"] = {k: meta.get(k) for k in ("source", "snapshot_date", "synthetic", "producer", "title", "url",
                                                    "retrieved", "licence")}
    return entry


def _output_entry(folder: Path, path: Path) -> dict:
    relative = path.relative_to(folder).as_posix()
    entry = {"path": relative, "sha256": sha256_file(path), "bytes": path.stat().st_size,
             "compared": not relative.startswith(NOT_COMPARED)}
    if path.suffix == ".parquet":
        entry["rows"] = pq.read_metadata(path).num_rows
    return entry


def _previous_table_entries(period: Period, previous_dir: Path | None) -> list[dict]:
    """The previous period's tables, named where they are (or will be) published."""
    if previous_dir is None or not BuildLayout(previous_dir).tables.is_dir():
        return []
    published = BuildLayout(Path("reports") / period.previous().label)
    return [{"path": published.table(p.stem).as_posix(), "sha256": sha256_file(p),
             "bytes": p.stat().st_size} for p in sorted(BuildLayout(previous_dir).tables.glob("*.parquet"))]


def build_manifest(paths: ProjectPaths, period: Period, build: Path, parameters: dict, build_key: str,
                   previous_dir: Path | None) -> dict:
    inputs = [_input_entry(paths, p) for p in period_input_files(paths, period, previous_tables=False)]
    inputs += _previous_table_entries(period, previous_dir)
    layout = BuildLayout(build)
    outputs = [_output_entry(build, p) for p in sorted(build.rglob("*")) if p.is_file() and p != layout.manifest]
    lock = paths.root / "requirements.lock"
    summary = json.loads(layout.validation_summary.read_text(encoding="utf-8"))
    return {
        "period": period.label,
        "build_key": build_key,
        "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "code": code_version(paths.root),
        "lock_sha256": sha256_file(lock) if lock.exists() else None,
        "libraries": library_versions(),
        "inputs": inputs,
        "inputs_digest": _digest(json.dumps([(i["path"], i["sha256"]) for i in inputs])),
        "outputs": outputs,
        "validation": summary,
    }


def write_manifest(paths: ProjectPaths, period: Period, build: Path, parameters: dict, build_key: str,
                   previous_dir: Path | None) -> Path:
    manifest = build_manifest(paths, period, build, parameters, build_key, previous_dir)
    path = BuildLayout(build).manifest
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _relative(value: str) -> str:
    """A path inside the project (inputs) or the period folder (outputs): relative, no '..', no backslash."""
    parts = PurePosixPath(value).parts
    if not value or value.startswith("/") or "\\" in value or "\x00" in value or ".." in parts or "." in parts:
        raise ValueError(f"{value!r} is not a plain relative path inside the project")
    return value


_Sha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
_Path = Annotated[str, AfterValidator(_relative)]


class _Input(BaseModel):
    path: _Path
    sha256: _Sha


class _Output(BaseModel):
    path: _Path
    sha256: _Sha
    compared: bool


class _Manifest(BaseModel):
    """What `reproduce` relies on in a manifest (other keys are kept as they are)."""
    period: str
    inputs: list[_Input]
    outputs: list[_Output]
    code: dict


MANIFEST_MAX_BYTES = 50 * 1024 * 1024


def read_manifest(path: Path) -> dict:
    """A manifest read strictly: valid JSON, the keys `reproduce` uses, every path inside the project."""
    try:
        raw = json.loads(read_regular(Path(path), MANIFEST_MAX_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not a readable manifest (cut short or not JSON: {exc})",
                         fix="use the MANIFEST.json a published period wrote, unchanged") from None
    if not isinstance(raw, dict):
        raise InputError(path, "not a manifest (expected a JSON object)", fix="use a period's MANIFEST.json")
    validated(path, _Manifest, raw, fix="use the MANIFEST.json a published period wrote, unchanged")
    Period.parse(raw["period"])
    return raw
