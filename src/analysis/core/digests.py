"""Content digests: the sha256 of a file, and one digest over many (path, sha256) pairs.

`sha256_file` refuses anything but a regular file. `file_sha` caches a file's hash by (path, size,
mtime) within a process; `digest` hashes sorted pairs, so the order files are found in never matters.
`code_digest` covers the package's own files (code, templates, data tables, fonts): what turns
inputs into bytes. The content keys of an ingest (analysis.ingest.build) and of a period
(analysis.cycle.keys) are built from these.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from functools import lru_cache
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.paths import PACKAGE_DIR, ProjectPaths

CODE_SUFFIXES = (".py", ".j2", ".yaml", ".ttf")


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file; a link, pipe or device is refused before it is opened."""
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise InputError(path, "is not a regular file (a link, folder, pipe or device)",
                         fix="raw data is plain files: copy the file itself into the snapshot folder")
    digest = hashlib.sha256()
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4096)
def _cached_sha(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def file_sha(path: Path) -> str:
    stat_result = os.stat(path)
    return _cached_sha(str(path), stat_result.st_size, stat_result.st_mtime_ns)


def digest(pairs) -> str:
    return hashlib.sha256(json.dumps(sorted(pairs), ensure_ascii=False).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package's own files (code, templates, data tables, fonts): what turns inputs into bytes."""
    files = [p for p in PACKAGE_DIR.rglob("*")
             if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts]
    return digest((p.relative_to(PACKAGE_DIR).as_posix(), file_sha(p)) for p in files)


def files_digest(paths: ProjectPaths, files) -> str:
    return digest((paths.relative(f), file_sha(f)) for f in files)


def tables_digest(folder: Path) -> str:
    """Digest of a period's tables folder (empty string when there is none)."""
    if not folder.is_dir():
        return ""
    return digest((p.name, file_sha(p)) for p in sorted(folder.glob("*.parquet")))
