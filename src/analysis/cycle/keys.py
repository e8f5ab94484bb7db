"""Content addresses: a build is skipped when the digest of everything it depends on is unchanged.

An ingest depends on every raw file, the corrections and the code. A period depends on the files
listed by `manifest.period_input_files`, the code, the lock file, its parameters and the bytes of
the previous period's tables (which its cross-cycle checks read). Digests are sha256 over sorted
(path, content sha256) pairs; file hashes are cached by (path, size, mtime) within a process.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from analysis.core.paths import PACKAGE_DIR, ProjectPaths
from analysis.ingest.provenance import sha256_file

PACKAGE = PACKAGE_DIR
CODE_SUFFIXES = (".py", ".j2", ".yaml", ".ttf")


@lru_cache(maxsize=4096)
def _cached_sha(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def file_sha(path: Path) -> str:
    stat = os.stat(path)
    return _cached_sha(str(path), stat.st_size, stat.st_mtime_ns)


def digest(pairs) -> str:
    return hashlib.sha256(json.dumps(sorted(pairs), ensure_ascii=False).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package's own files (code, templates, data tables, fonts): what turns inputs into bytes."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts]
    return digest((p.relative_to(PACKAGE).as_posix(), file_sha(p)) for p in files)


def files_digest(paths: ProjectPaths, files) -> str:
    return digest((paths.relative(f), file_sha(f)) for f in files)


def ingest_key(paths: ProjectPaths) -> str:
    raw = [p for p in paths.raw.rglob("*") if p.is_file() and not p.name.startswith(".")]
    corrections = sorted(paths.corrections.glob("*.csv"))
    return digest([("inputs", files_digest(paths, raw + corrections)), ("code", code_digest())])


def tables_digest(folder: Path) -> str:
    """Digest of a period's tables folder (empty string when there is none)."""
    if not folder.is_dir():
        return ""
    return digest((p.name, file_sha(p)) for p in sorted(folder.glob("*.parquet")))


def period_key(paths: ProjectPaths, period, previous_tables: str) -> str:
    from analysis.publish.manifest import period_input_files

    lock = paths.root / "requirements.lock"
    return digest([
        ("period", period.label),
        ("inputs", files_digest(paths, period_input_files(paths, period, previous_tables=False))),
        ("previous_tables", previous_tables),
        ("code", code_digest()),
        ("lock", file_sha(lock) if lock.exists() else ""),
    ])


def published_key(paths: ProjectPaths, label: str) -> str | None:
    manifest = paths.reports / label / "MANIFEST.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("build_key")
