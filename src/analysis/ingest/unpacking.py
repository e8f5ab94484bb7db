"""The bytes of a raw copy as received, unpacked: a size cap on the file, a gzip file or a zip of one
file unpacked in memory with a cap on what it unpacks to (a decompression bomb is refused without the
memory being allocated), and a refusal of what is not a text table (HTML pages, PDFs, spreadsheets,
other archives)."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from pathlib import Path

from analysis.core.errors import InputError

MAX_FILE_BYTES = 200 * 1024 * 1024
# Cap on what a .gz or .zip copy unpacks to. Unpacking reads in chunks and stops at the cap, so a
# decompression bomb is refused without the memory being allocated.
MAX_DECOMPRESSED_BYTES = MAX_FILE_BYTES
_CHUNK_BYTES = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"
_ZIP_MEMBER_SUFFIXES = (".csv", ".json", ".tsv", ".txt")
REEXPORT = "download or export the copy again and check the transfer was complete"
_NOT_A_TABLE = (
    # (leading bytes, what the file is, what to do)
    (b"%PDF-", "a PDF document", "export the list as CSV or JSON; a PDF cannot be read as a table"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel or Word file (.xls/.doc)",
     "open it and save it as 'CSV UTF-8'"),
    (b"BZh", "compressed with bzip2", "unpack it, or pack it as .gz or .zip"),
    (b"\xfd7zXZ\x00", "compressed with xz", "unpack it, or pack it as .gz or .zip"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it, or pack it as .gz or .zip"),
    (b"Rar!\x1a\x07", "a RAR archive", "unpack it, or pack it as .gz or .zip"),
    (b"\x28\xb5\x2f\xfd", "compressed with zstd", "unpack it, or pack it as .gz or .zip"),
)
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
                         re.IGNORECASE | re.DOTALL)


def _archive_kind(data: bytes) -> str | None:
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    return None


def _refuse_if_not_a_table(data: bytes, path) -> None:
    for magic, what, fix in _NOT_A_TABLE:
        if data.startswith(magic):
            raise InputError(path, f"the file is {what}, not a registry table", fix=fix)
    if _HTML_START.match(data[:4096].removeprefix(UTF8_BOM)):
        raise InputError(path, "the file is an HTML page (a web page or an error page saved from the browser), "
                               "not a registry table",
                         fix="download the export itself (CSV or JSON), not the page; check the site did not "
                             "answer with an error or a login page")


def _read_capped(stream, path, what: str) -> bytes:
    """Everything `stream` yields, read in chunks; refused as soon as it passes the cap."""
    cap = MAX_DECOMPRESSED_BYTES
    parts, total = [], 0
    while chunk := stream.read(min(_CHUNK_BYTES, cap + 1 - total)):
        total += len(chunk)
        if total > cap:
            raise InputError(path, f"{what} unpacks to more than {cap} bytes, the limit "
                                   "(a small archive that unpacks this far is a decompression bomb)",
                             fix="check where the archive came from; if the copy is genuine, unpack it and "
                                 "split it, or raise unpacking.MAX_DECOMPRESSED_BYTES")
        parts.append(chunk)
    return b"".join(parts)


def _gunzip(data: bytes, path) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream, path, "the gzip file")
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(path, f"the gzip file is corrupt or truncated ({exc})", fix=REEXPORT) from None


def _zip_member(archive: zipfile.ZipFile, path) -> zipfile.ZipInfo:
    """The one registry file inside a zip, or a refusal saying why there is not exactly one."""
    entries = archive.infolist()
    names = [e.filename for e in entries]
    if "[Content_Types].xml" in names:
        raise InputError(path, "the file is an Excel workbook (.xlsx) or another Office document, not a CSV",
                         fix="open it and save it as 'CSV UTF-8'")
    if len(entries) != 1:
        shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
        raise InputError(path, f"the zip holds {len(entries)} entries ({shown or 'none'}); a zipped registry copy "
                               "holds exactly one CSV or JSON file",
                         fix="zip each copy on its own, or unpack it and add the CSV or JSON itself")
    member = entries[0]
    if member.is_dir() or "/" in member.filename or "\\" in member.filename:
        raise InputError(path, f"zip member '{member.filename}' sits in a folder inside the zip",
                         fix="zip the CSV or JSON file itself, without its folder")
    if not member.filename.lower().endswith(_ZIP_MEMBER_SUFFIXES):
        raise InputError(path, f"zip member '{member.filename}' is not a CSV or JSON file",
                         fix="zip the registry copy as CSV or JSON")
    if member.flag_bits & 0x1:
        raise InputError(path, f"zip member '{member.filename}' is encrypted",
                         fix="zip it again without a password: a raw copy must be readable by whoever re-runs "
                             "the analysis")
    if member.file_size > MAX_DECOMPRESSED_BYTES:
        raise InputError(path, f"zip member '{member.filename}' declares {member.file_size} bytes unpacked, above "
                               f"the {MAX_DECOMPRESSED_BYTES}-byte limit",
                         fix="check where the archive came from; if the copy is genuine, split it, or raise "
                             "unpacking.MAX_DECOMPRESSED_BYTES")
    return member


def _unzip(data: bytes, path) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(path, f"the zip file is corrupt or truncated ({exc})", fix=REEXPORT) from None
    with archive:
        member = _zip_member(archive, path)
        try:
            # Read with a cap as well: the sizes in a zip's headers are only claims.
            with archive.open(member) as stream:
                return _read_capped(stream, path, f"zip member '{member.filename}'")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise InputError(path, f"zip member '{member.filename}' cannot be unpacked ({exc})",
                             fix=REEXPORT) from None


def unpack(data: bytes, path: str | Path) -> tuple[bytes, str | None]:
    """(the table's bytes, "gzip"/"zip"/None): a packed copy is unpacked in memory, within the cap."""
    kind = _archive_kind(data)
    if kind is None:
        _refuse_if_not_a_table(data, path)
        return data, None
    inner = _gunzip(data, path) if kind == "gzip" else _unzip(data, path)
    if _archive_kind(inner):
        raise InputError(path, f"the {kind} file holds another archive", fix="unpack it until the CSV or JSON "
                                                                               "itself is left, and add that")
    _refuse_if_not_a_table(inner, path)
    return inner, kind


def read_file_bytes(path: Path) -> bytes:
    if path.is_symlink():
        raise InputError(path, f"is a symbolic link (to {path.readlink()}), not a copy as received",
                         fix="copy the file itself into the snapshot folder (`analysis raw add` does): a link "
                             "can point outside data/raw and change without the snapshot changing")
    if not path.is_file():
        raise InputError(path, "no such file", fix="check the path")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"the file is {size} bytes, above the {MAX_FILE_BYTES}-byte limit",
                         fix="split the copy or raise unpacking.MAX_FILE_BYTES if it is genuine")
    return path.read_bytes()
