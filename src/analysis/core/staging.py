"""Write, audit, publish: build outputs in a staging folder, then swap them in with one rename.

The published location is a symbolic link to a complete build. A new build is written beside
it; only when it is complete (and validated by the caller) does `os.replace` point the link at
it. A crash or a failed check at any moment leaves the previous build in place and readable;
what a killed run leaves behind (its staging folder, a link not yet swapped in) is swept by the
next publish of the same target.

A full disk or a folder that cannot be written is an error of its own (`OutputsUnwritable`,
exit code 4): it names the file and the folder to free or fix, and nothing is published.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from analysis.core import faults
from analysis.core.errors import InputError

BUILDS_DIR = ".builds"


def _builds(target: Path) -> Path:
    return target.parent / BUILDS_DIR


def new_build(target: Path) -> Path:
    """A new, empty build folder for `target`: <target's folder>/.builds/<target's name>-<12 hex digits>.
    The one place a build id is made (`sweep` recognises the pattern)."""
    builds = _builds(Path(target))
    builds.mkdir(parents=True, exist_ok=True)
    build = builds / f"{Path(target).name}-{uuid.uuid4().hex[:12]}"
    build.mkdir()
    return build


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit it replaces `target` atomically.

    On an exception the staging folder is removed and `target` is left exactly as it was.
    """
    target = Path(target)
    build = new_build(target)
    try:
        yield build
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    publish(build, target)


def publish(build: Path, target: Path) -> None:
    """Point `target` at `build` in one step and remove the build it replaced.

    If it fails before the swap, `target` is as it was, and `build` and the new link are removed (a
    build that was never published is only litter). After the swap `build` is published, so nothing
    that follows may raise: a caller that removes `build` on an error would leave `target` pointing at
    nothing.
    """
    previous = target.resolve() if target.is_symlink() else None
    link = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:8]}"
    legacy = None
    try:
        if target.exists() and not target.is_symlink():
            # A plain folder from an older layout: move it aside so the link can take its place.
            legacy = _builds(target) / f"{target.name}-legacy-{uuid.uuid4().hex[:8]}"
            target.rename(legacy)
        os.symlink(os.path.relpath(build, target.parent), link)
        faults.checkpoint("publish", link)
        os.replace(link, target)
    except BaseException:
        _remove_link(link)
        if legacy is not None and not os.path.lexists(target):
            legacy.rename(target)
        shutil.rmtree(build, ignore_errors=True)
        raise
    _tidy_after_swap(build, target, previous)


def _tidy_after_swap(build: Path, target: Path, previous: Path | None) -> None:
    try:
        faults.checkpoint("publish-swapped", target)
        _fsync_dir(target.parent)
        if previous is not None and previous != build.resolve():
            shutil.rmtree(previous, ignore_errors=True)
        sweep(target)
    except OSError:
        pass  # `build` is published; whatever was not removed now is swept by the next publish


def sweep(target: Path) -> None:
    """Remove builds of `target` that nothing points at, and links never swapped in (left by a crash).

    Call it only while holding the lock of whatever publishes `target`: a build or link of a run in
    progress would look just like a crash's leftovers.
    """
    current = target.resolve() if target.is_symlink() else None
    # Exactly this target's leftovers: "2025" must not sweep those of "2025-01".
    own_link = re.compile(rf"\.{re.escape(target.name)}\.link-[0-9a-f]{{8}}")
    for candidate in target.parent.iterdir():
        if own_link.fullmatch(candidate.name):
            _remove_link(candidate)
    builds = _builds(target)
    if not builds.is_dir():
        return
    own = re.compile(rf"{re.escape(target.name)}-(?:legacy-)?[0-9a-f]{{8,12}}")
    for candidate in builds.iterdir():
        if own.fullmatch(candidate.name) and candidate.resolve() != current:
            shutil.rmtree(candidate, ignore_errors=True)


def _remove_link(link: Path) -> None:
    try:
        link.unlink()
    except FileNotFoundError:
        pass


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


# ------------------------------------------------------------------ outputs that cannot be written

# errno values that mean "cannot write here" (the place, not the code, is at fault): disk full,
# over quota, permission denied, read-only file system.
UNWRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS,
                        errno.ENOTDIR, errno.EEXIST, errno.EISDIR})

_FIXES = {
    errno.ENOSPC: "free disk space on the file system holding {folder}",
    errno.EDQUOT: "free space within your disk quota for {folder}",
    errno.EROFS: "{folder} is on a read-only file system: remount it writable or use another --root",
    # A file where the project needs a folder (data/processed, reports/.builds ...), or the reverse.
    errno.ENOTDIR: "a file stands where a folder is needed on the way to {path}: move that file away",
    errno.EEXIST: "a file stands where a folder is needed at {path}: move that file away",
    errno.EISDIR: "a folder stands where a file is written at {path}: move that folder away",
}
_PERMISSION_FIX = "let the user running `analysis` write to {folder} (check its owner and permissions)"


class OutputsUnwritable(Exception):
    """Outputs could not be written (disk full, over quota, permission denied): nothing was published."""

    def __init__(self, code: int, path: str | None):
        self.code, self.path = code, path
        super().__init__(self.message)

    @property
    def folder(self) -> str:
        """The folder to free or fix: the one holding the staging area when the path lies inside it."""
        if not self.path:
            return "the project's reports/ and data/processed/ folders"
        parts = Path(self.path).parts
        if BUILDS_DIR in parts:
            return str(Path(*parts[:parts.index(BUILDS_DIR)]))
        return str(Path(self.path).parent)

    @property
    def message(self) -> str:
        where = f" ({self.path})" if self.path else ""
        fix = _FIXES.get(self.code, _PERMISSION_FIX).format(folder=self.folder, path=self.path or self.folder)
        return (f"cannot write outputs: {os.strerror(self.code)}{where}: nothing was published; the last good "
                f"outputs are unchanged.\n  What to do: {fix}, then run again")


def unwritable(exc: BaseException) -> OutputsUnwritable | None:
    """The disk-full or permission error behind `exc` (or what it was raised from), if it is one."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in UNWRITABLE:
            path = exc.filename
            return OutputsUnwritable(exc.errno, str(path) if isinstance(path, (str, Path)) else None)
        exc = exc.__cause__
    return None


@contextmanager
def naming_write_errors(path: str | Path) -> Iterator[None]:
    """Make a disk-full or permission error name an absolute path: a failed write() and pyarrow name no
    file, and a notebook kernel's paths are relative to the project, not to where `analysis` was run."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        named = exc.filename if isinstance(exc.filename, str) else path
        raise OSError(exc.errno, os.strerror(exc.errno), os.path.abspath(named)) from exc
