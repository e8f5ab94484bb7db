"""One strict way to read every file a person edits or hands us.

Snapshot metadata, the privacy policy and withheld list, corrections, the figures ledger, release
records and manifests are written by people (or arrive from elsewhere), so each is read the same way:

* only a regular file, checked before it is opened (no link, pipe or device: a FIFO would hang the
  read, /dev/zero would never end), and no larger than a stated limit;
* text as UTF-8 with or without a byte-order mark, or Windows-1251 (what Excel saves in Belarus);
* YAML without aliases or anchors (an alias bomb expands a few hundred bytes into gigabytes), then a
  declared schema (pydantic): types, allowed values, no unknown keys;
* every violation an InputError naming the file, the entry and the field, and saying what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from analysis.core.errors import InputError

MAX_EDITED_BYTES = 5 * 1024 * 1024     # a hand-kept file (metadata, policy, corrections, ledger, records)
Model = TypeVar("Model", bound=BaseModel)


def check_regular(path: Path) -> os.stat_result:
    """`path`'s status if it is a regular file (not a link, folder, pipe or device), else InputError."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file", fix="check the path") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror}", fix="check the path and its permissions") from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(path, "is a symbolic link, not a file", fix="copy the file itself into place")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "is not a regular file (a folder, pipe or device)",
                         fix="put a plain file at this path")
    return info


def read_regular(path: Path, limit: int = MAX_EDITED_BYTES) -> bytes:
    """The bytes of `path` if it is a regular file no larger than `limit`."""
    path = Path(path)
    info = check_regular(path)
    if info.st_size > limit:
        raise InputError(path, f"is {info.st_size:,} bytes, over the limit of {limit:,} for this kind of file",
                         fix="check it is the right file; a hand-kept file this large is a mistake")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise InputError(path, f"cannot be opened: {exc.strerror}", fix="check the path and its permissions") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):   # swapped between the check and the open
            raise InputError(path, "is not a regular file", fix="put a plain file at this path")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(path, f"grew over the limit of {limit:,} bytes while being read", fix="read it again")
    return data


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else Windows-1251; a NUL byte is never text."""
    if (nul := data.find(b"\x00")) >= 0:
        raise InputError(path, f"holds a NUL byte (at byte {nul}): not a text file", fix="save it as text (UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is neither UTF-8 nor Windows-1251 (byte {exc.start})",
                         fix="save it as UTF-8") from None


def read_text(path: Path, limit: int = MAX_EDITED_BYTES) -> str:
    return decode(path, read_regular(path, limit))


class NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases: a hand-kept file never needs them."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.YAMLError(f"an alias or anchor ('{getattr(event, 'anchor', '')}') at line "
                                 f"{event.start_mark.line + 1}: this file may not use them")
        return super().compose_node(parent, index)


def load_yaml(path: Path, limit: int = MAX_EDITED_BYTES) -> Any:
    """The YAML document in `path`, read strictly (see the module docstring)."""
    text = read_text(path, limit)
    try:
        return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML here: {' '.join(str(exc).split())[:300]}",
                         fix="repair the YAML (no aliases or anchors; quote values with ':' in them)") from None
    except RecursionError:
        raise InputError(path, "nested too deeply to be a hand-kept file", fix="flatten it") from None


def validated(path: Path, model: type[Model], raw: Any, *, fix: str, entry: str = "") -> Model:
    """`raw` as `model`; the first violation names the file, the entry and the field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = f"{entry}: " if entry else ""
        problem = first["msg"].removeprefix("Value error, ")
        raise InputError(path, f"{where}{problem}", field=_location(first["loc"]), fix=fix) from None


def _location(parts: tuple) -> str:
    """("files", 1, "name") -> "files[2].name" (entries counted from 1, as a person counts them)."""
    text = ""
    for part in parts:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the whole file)"
