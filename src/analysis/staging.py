"""Write, audit, publish: build outputs in a staging folder, then swap them in with one rename.

The published location is a symbolic link to a complete build. A new build is written beside
it; only when it is complete (and validated by the caller) does `os.replace` point the link at
it. A crash or a failed check at any moment leaves the previous build in place and readable.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError

BUILDS_DIR = ".builds"


def _builds(target: Path) -> Path:
    return target.parent / BUILDS_DIR


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `target` atomically.

    On an exception the staging folder is removed and `target` is left exactly as it was.
    """
    target = Path(target)
    builds = _builds(target)
    builds.mkdir(parents=True, exist_ok=True)
    build = builds / f"{target.name}-{uuid.uuid4().hex[:12]}"
    build.mkdir()
    try:
        yield build
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    publish(build, target)


def publish(build: Path, target: Path) -> None:
    """Point `target` at `build` in one step and remove the build it replaced."""
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():
        # A plain folder from an older layout: move it aside so the link can take its place.
        target.rename(_builds(target) / f"{target.name}-legacy-{uuid.uuid4().hex[:8]}")
    link = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(build, target.parent), link)
    os.replace(link, target)
    _fsync_dir(target.parent)
    if previous is not None and previous != build.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    sweep(target)


def sweep(target: Path) -> None:
    """Remove builds of `target` that nothing points at (left by a crash)."""
    builds = _builds(target)
    if not builds.is_dir():
        return
    current = target.resolve() if target.is_symlink() else None
    # Exactly this target's builds: "2025" must not sweep the builds of "2025-01".
    own = re.compile(rf"{re.escape(target.name)}-(?:legacy-)?[0-9a-f]{{8,12}}")
    for candidate in builds.iterdir():
        if own.fullmatch(candidate.name) and candidate.resolve() != current:
            shutil.rmtree(candidate, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def exclusive(directory: Path, name: str, wait_seconds: float = 0) -> Iterator[None]:
    """One `name` run at a time: a second one waits up to `wait_seconds`, then is told so and stops.

    The lock is an advisory flock, released by the kernel if the holder dies, so a killed run never
    leaves a stale lock behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    lock_path = directory / f".{name}.lock"
    deadline = time.monotonic() + wait_seconds
    with open(lock_path, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(lock_path, f"another '{name}' run holds the lock on this project",
                                     fix="wait for it to finish; outputs are only swapped in when a run is "
                                         "complete, so nothing was overwritten") from None
                time.sleep(0.2)
        yield
