"""Turn the bytes of a registry copy into rows of raw strings, whatever its shape.

Steps, each with one job: unpack (a gzip file or a zip of one file, in memory, with a size cap),
refuse what is not a text table (HTML pages, PDFs, spreadsheets, other archives), decode (UTF-8
with/without BOM, or Windows-1251, detected), refuse text garbled by a wrong decoding (mojibake),
detect the shape (machine CSV, flattened JSON, public table in en/ru/be) and the delimiter (comma,
semicolon or tab, detected), then yield `RawRecord`s keyed by canonical field name.
Rows that cannot be read as records are returned as quarantine entries, never dropped; a file
whose damage would silently swallow records (a quote never closed, a header without rows, rows
split at another delimiter than the header) is refused as a whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest import registry_format as fmt
from analysis.core.errors import InputError

MAX_FILE_BYTES = 200 * 1024 * 1024
# Cap on what a .gz or .zip copy unpacks to. Unpacking reads in chunks and stops at the cap, so a
# decompression bomb is refused without the memory being allocated.
MAX_DECOMPRESSED_BYTES = MAX_FILE_BYTES
MAX_FIELD_CHARS = 100_000
MAX_COLUMNS = 1_000        # a registry copy has about 25; thousands means a broken export
_CHUNK_BYTES = 1 << 20
_RAW_KEPT_CHARS = 2_000    # of a quarantined record's text (the raw file itself is kept whole)
_UTF8_BOM = b"\xef\xbb\xbf"
# Non-ASCII characters that real Windows-1251 copies contain besides Cyrillic letters.
_CP1251_PUNCTUATION = set("«»—–’‘“”„№…•·°\u00a0")
_CP1251_LETTERS = set("ЁёІіЎў")
_ZIP_MEMBER_SUFFIXES = (".csv", ".json", ".tsv", ".txt")
_REEXPORT = "download or export the copy again and check the transfer was complete"


@dataclass(frozen=True)
class RawRecord:
    row: int                 # 1-based data row (header = row 0; JSON: array index + 1)
    line: int | None         # physical line where the record starts, when known
    fields: dict[str, str]   # canonical field name -> raw text ("" for absent)


@dataclass(frozen=True)
class Quarantined:
    file: str
    row: int
    line: int | None
    field: str
    reason: str
    raw: str                 # the offending record as text, kept so nothing is lost


@dataclass
class RawTable:
    file: str
    shape: str
    encoding: str
    delimiter: str | None
    language: str | None
    columns: tuple[str, ...]                   # canonical names present in the file
    missing_optional: tuple[str, ...]
    extra_columns: tuple[str, ...]             # columns we do not know, kept out of the canonical table
    records: list[RawRecord] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    rows_read: int = 0
    corrections_applied: int = 0
    compression: str | None = None             # "gzip" or "zip" when the copy came packed


# ---------------------------------------------------------------- unpacking and sniffing

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
    if _HTML_START.match(data[:4096].removeprefix(_UTF8_BOM)):
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
                                 "split it, or raise rawtext.MAX_DECOMPRESSED_BYTES")
        parts.append(chunk)
    return b"".join(parts)


def _gunzip(data: bytes, path) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream, path, "the gzip file")
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(path, f"the gzip file is corrupt or truncated ({exc})", fix=_REEXPORT) from None


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
                             "rawtext.MAX_DECOMPRESSED_BYTES")
    return member


def _unzip(data: bytes, path) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(path, f"the zip file is corrupt or truncated ({exc})", fix=_REEXPORT) from None
    with archive:
        member = _zip_member(archive, path)
        try:
            # Read with a cap as well: the sizes in a zip's headers are only claims.
            with archive.open(member) as stream:
                return _read_capped(stream, path, f"zip member '{member.filename}'")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise InputError(path, f"zip member '{member.filename}' cannot be unpacked ({exc})",
                             fix=_REEXPORT) from None


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


# ---------------------------------------------------------------- decoding

def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _line_of(text: str, offset: int) -> int:
    """Physical line (LF, CRLF or CR endings, as the CSV reader counts them) holding `offset`."""
    before = text[:offset]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _looks_like_cp1251(text: str) -> bool:
    """Russian/Belarusian text, not UTF-8 bytes misread (mojibake is full of Ђ, ѓ, ‰, ±...)."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    plausible = sum(1 for ch in non_ascii if "\u0410" <= ch <= "\u044f" or ch in _CP1251_LETTERS
                    or ch in _CP1251_PUNCTUATION)
    return plausible / len(non_ascii) >= 0.95


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 8:
        return False
    evens, odds = sample[0::2].count(0), sample[1::2].count(0)
    return max(evens, odds) > 0.3 * half and min(evens, odds) < 0.05 * half


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (text, encoding name). Raises InputError naming the line of a bad byte."""
    if not data.strip(b" \t\r\n" + _UTF8_BOM):
        raise InputError(path, "the file is empty", fix="re-export the registry copy; an empty file holds no rows")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "the file is UTF-16 (a 'Unicode text' export)",
                         fix="re-save it as CSV UTF-8 (comma- or semicolon-separated)")
    if _looks_like_utf16(data):
        raise InputError(path, "the file is UTF-16 without a byte-order mark (a NUL byte beside every letter)",
                         fix="re-save it as CSV UTF-8 (comma- or semicolon-separated)")
    encoding = "utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8"
    try:
        return data.decode(encoding), ("utf-8-bom" if encoding == "utf-8-sig" else "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if encoding == "utf-8":
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_cp1251(text):
            return text, "windows-1251"
    line, column = _line_and_column(data, utf8_error.start)
    bad = data[utf8_error.start:utf8_error.start + 1].hex()
    row, field_name = _locate(data.decode("utf-8", errors="replace"), "\ufffd")
    raise InputError(path, f"undecodable byte 0x{bad} at column {column}: the file is neither valid UTF-8 "
                           "nor Windows-1251 text (or mixes the two)", line=line, row=row, field=field_name,
                     fix="re-save the copy as UTF-8 (or Windows-1251) and check it was not truncated or mixed")


def _locate(text: str, needle: str) -> tuple[int | None, str | None]:
    """Data row and column name of the first cell containing `needle`, for an error message."""
    try:
        _shape, _lang, delimiter, header, names = detect_csv(text, "")
    except InputError:
        return None, None
    row = -1  # the header is row 0; blank lines are not rows
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if row >= 0 and all(not v.strip() for v in values):
                continue
            row += 1
            for index, value in enumerate(values):
                if needle in value:
                    label = (names[index] if index < len(names) and names[index] else
                             header[index] if index < len(header) else f"column {index + 1}")
                    return row, label
    except csv.Error:
        pass
    return None, None


# ---------------------------------------------------------------- garbled text (mojibake)

# Cyrillic saved through a wrong decoding: (encoding of the original bytes, encoding they were read as).
_GARBLINGS = (
    ("utf-8", "cp1251", "UTF-8 bytes read as Windows-1251 (one file mixing UTF-8 and Windows-1251 rows?)"),
    ("utf-8", "cp1252", "UTF-8 bytes read as Windows-1252/Latin-1 and saved again as UTF-8 (double-encoded)"),
    ("cp1251", "cp1252", "Windows-1251 bytes read as Windows-1252/Latin-1 and saved again"),
)
_SUSPECT_RUN = re.compile(r"[^\x00-\x7f]{4,}")
_C1_CONTROL = re.compile(r"[\x80-\x9f]")
# Letters replaced by '?' when Cyrillic was saved in an encoding without it: "????? ???????".
_LOST_LETTERS = re.compile(r"(?<![^\s,;\"])\?{3,}[ \t]+\?{3,}(?![^\s,;\"])")


def _as_bytes_read_in(text: str, codec: str) -> bytes | None:
    """The bytes that `text` was decoded from, had it been read in `codec` (None if it cannot have been)."""
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        pass
    if not _C1_CONTROL.search(text):
        return None
    out = bytearray()  # bytes the codec leaves undefined come through as C1 control characters
    for ch in text:
        try:
            out += ch.encode(codec)
        except UnicodeEncodeError:
            if not "\x80" <= ch <= "\x9f":
                return None
            out.append(ord(ch))
    return bytes(out)


def _is_cyrillic_text(text: str) -> bool:
    letters = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    return letters >= 2 and all("\u0400" <= ch <= "\u04ff" or ch in _CP1251_PUNCTUATION or ch in "’ʼ"
                                for ch in text)


def _repair(run: str) -> tuple[str, str] | None:
    """(what the run should read, how it was garbled) if it is Cyrillic garbled by a wrong decoding."""
    for original, read_as, how in _GARBLINGS:
        data = _as_bytes_read_in(run, read_as)
        if data is None:
            continue
        try:
            fixed = data.decode(original)
        except UnicodeDecodeError:
            continue
        if fixed != run and _is_cyrillic_text(fixed):
            return fixed, how
    return None


def _refuse_garbled(text: str, path) -> None:
    """Refuse a copy whose Cyrillic was garbled on the way: its names would be read as nonsense."""
    if text.isascii():
        return
    for run in dict.fromkeys(_SUSPECT_RUN.findall(text)):  # each distinct run once, in order
        repaired = _repair(run)
        if repaired:
            fixed, how = repaired
            row, field_name = _locate(text, run)
            raise InputError(path, f"garbled text (mojibake): {run[:40]!r} is {fixed[:40]!r} after {how}",
                             row=row, field=field_name, line=_line_of(text, text.index(run)),
                             fix="add the copy exactly as the source exported it (do not open and re-save it "
                                 "in a spreadsheet or editor), or re-export it as UTF-8")
    lost = _LOST_LETTERS.search(text) if "???" in text else None
    if lost:
        row, field_name = _locate(text, lost.group().strip())
        raise InputError(path, f"letters replaced by '?' ({lost.group().strip()!r}): the copy was saved in an "
                               "encoding that has no Cyrillic letters",
                         row=row, field=field_name, line=_line_of(text, lost.start()),
                         fix="re-export the copy from the source as UTF-8; the lost letters cannot be recovered")


# ---------------------------------------------------------------- shape detection

def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("'", "’").replace("\u00a0", " ")
    return " ".join(text.strip().strip('"').split()).casefold()


_PUBLIC_LOOKUP = {
    language: {_normalise_header(label): canonical for canonical, label in labels.items()}
    for language, labels in fmt.PUBLIC_HEADERS.items()
}
_REQUIRED = {
    fmt.SHAPE_MACHINE: ("id", "name", "status", "arrested"),
    fmt.SHAPE_PUBLIC: ("name", "status"),
    fmt.SHAPE_JSON: ("id", "name", "status"),
}


def _classify_header(header: list[str]) -> tuple[str, str | None, list[str | None]] | None:
    """Return (shape, language, canonical name per column) if the header is one we know."""
    normal = [_normalise_header(h) for h in header]
    machine_hits = sum(1 for h in normal if h in fmt.MACHINE_COLUMNS)
    best: tuple[int, str, str | None, list[str | None]] | None = None
    if machine_hits >= 3:
        best = (machine_hits, fmt.SHAPE_MACHINE, None, [h if h in fmt.MACHINE_COLUMNS else None for h in normal])
    for language, lookup in _PUBLIC_LOOKUP.items():
        hits = sum(1 for h in normal if h in lookup)
        if hits >= 3 and (best is None or hits > best[0]):
            best = (hits, fmt.SHAPE_PUBLIC, language, [lookup.get(h) for h in normal])
    return None if best is None else best[1:]


def _split_header_line(text: str, delimiter: str) -> list[str]:
    try:  # newline="": CR-only line ends are line ends too
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def detect_csv(text: str, path: str | Path) -> tuple[str, str | None, str, list[str], list[str | None]]:
    """Return (shape, language, delimiter, header, canonical names) for a CSV copy."""
    candidates = []
    for delimiter in (",", ";", "\t"):
        header = _split_header_line(text, delimiter)
        if len(header) < 2:
            continue
        known = _classify_header(header)
        if known:
            shape, language, names = known
            candidates.append((sum(n is not None for n in names), delimiter, shape, language, header, names))
    if not candidates:
        first_line = text.splitlines()[0][:200] if text.splitlines() else ""
        raise InputError(path, f"unknown shape: the header does not match the machine export, the flattened "
                               f"JSON or the public table in English/Russian/Belarusian (header starts: "
                               f"{first_line!r})", row=0,
                         fix="check that the first line is the header row; see docs/registry_format.md "
                             "for the headers each shape carries")
    candidates.sort(key=lambda c: -c[0])
    _, delimiter, shape, language, header, names = candidates[0]
    return shape, language, delimiter, header, names


# ---------------------------------------------------------------- CSV records

def _check_required(path, shape: str, present: set[str]) -> None:
    missing = [c for c in _REQUIRED[shape] if c not in present]
    if missing:
        raise InputError(path, f"required column(s) missing for the {shape} shape: {', '.join(missing)}",
                         row=0, field=missing[0],
                         fix="re-export the full table; columns must not be removed or renamed")


def _check_column_count(path, count: int) -> None:
    if count > MAX_COLUMNS:
        raise InputError(path, f"the header has {count} columns (a registry copy has about 25; the limit is "
                               f"{MAX_COLUMNS})", row=0,
                         fix="re-export the table; check the delimiter and that no rows were pasted into the header")


class _Lines:
    """The physical lines of a text for csv.reader, counting the characters handed out, so the exact
    text of a record that fails to parse can be quarantined."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.offset = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.offset += len(line)
        return line


def _csv_rows(text: str, delimiter: str):
    """(line, cells or None, CSV error or None, the record's text) per record after the header."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # no field can outgrow the text
    next(reader)  # the header, already parsed
    while True:
        line, start = reader.line_num + 1, lines.offset
        try:
            values, error = next(reader), None
        except StopIteration:
            return
        except csv.Error as exc:  # the reader carries on at the next physical line
            values, error = None, str(exc)
        if values is not None and all(not v.strip() for v in values):
            continue  # blank line between records: not a row
        yield line, values, error, text[start:lines.offset]


def _fit_to_header(values: list[str] | None, error: str | None, width: int,
                   delimiter: str) -> tuple[list[str] | None, str | None]:
    """(cells, None) for a record with the header's width, else (cells, why it cannot be read)."""
    if error and "unexpected end of data" in error:
        return None, "the file ends inside a quoted field (cut short, or a quote never closed)"
    if error:
        return None, f"malformed CSV (a quote not closed, or a stray quote): {error}"
    if len(values) > width and not any(v.strip() for v in values[width:]):
        values = values[:width]  # trailing delimiters: dropping empty cells loses nothing
    if len(values) != width:
        return values, f"has {len(values)} fields, the header has {width} (a stray '{delimiter}' or a truncated line)"
    return values, None


def _refuse_swallowed_records(path, raw: str, delimiter: str, width: int, row: int, line: int) -> None:
    """A broken record whose text holds a whole record on a later line: a quote left open swallowed it,
    and quarantining it would make people vanish into one bad row."""
    for offset, later in enumerate(io.StringIO(raw, newline="").readlines()[1:], start=1):
        if len(_split_header_line(later, delimiter)) == width:
            raise InputError(path, f"a quote opened in the record starting on line {line} is not closed where it "
                                   f"should be and swallows the record on line {line + offset}; the rows after it "
                                   "cannot be read reliably", row=row, line=line,
                             fix="re-export the copy; a quote inside a field must be doubled (\"\")")


def _line_span(raw: str, line: int) -> str:
    last = line + _line_of(raw.rstrip("\r\n"), len(raw.rstrip("\r\n"))) - 1
    return f"lines {line}-{last}: " if last > line else ""


def _delimiter_hint(text: str, width: int, delimiter: str) -> str:
    """Which other delimiter splits the first data row into the header's width, to say so in the refusal."""
    for other in (",", ";", "\t"):
        records = csv.reader(io.StringIO(text, newline=""), delimiter=other)
        try:
            next(records)
            if other != delimiter and len(next(records)) == width:
                return f"; the header is split at {delimiter!r} but the rows seem to be split at {other!r}"
        except (csv.Error, StopIteration):
            continue
    return ""


def _cells(values: list[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff").strip() for c in values]


def _csv_header(text: str, path: str) -> tuple[str, str | None, str, list[str], list[str | None]]:
    shape, language, delimiter, header, names = detect_csv(text, path)
    _check_column_count(path, len(header))
    while len(header) > 2 and not header[-1].strip():
        header, names = header[:-1], names[:-1]  # trailing delimiters after the last column name
    _check_required(path, shape, {n for n in names if n})
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise InputError(path, f"column '{duplicated[0]}' appears twice in the header", row=0, field=duplicated[0],
                         fix="remove the duplicated column so each field has one meaning")
    return shape, language, delimiter, header, names


def _csv_table(text: str, path: str, encoding: str) -> RawTable:
    shape, language, delimiter, header, names = _csv_header(text, path)
    present = {n for n in names if n}
    expected = fmt.MACHINE_COLUMNS if shape == fmt.SHAPE_MACHINE else fmt.PUBLIC_COLUMNS
    table = RawTable(
        file=path, shape=shape, encoding=encoding, delimiter=delimiter, language=language,
        columns=tuple(n for n in names if n),
        missing_optional=tuple(c for c in expected if c not in present),
        extra_columns=tuple(h for h, n in zip(header, names) if not n),
    )
    width, header_cells = len(header), _cells(header)
    unsplittable: list[str] = []  # why each row that could not be split into the header's fields failed
    for row, (line, values, error, raw) in enumerate(_csv_rows(text, delimiter), start=1):
        table.rows_read += 1
        values, problem = _fit_to_header(values, error, width, delimiter)
        if problem:
            _refuse_swallowed_records(path, raw, delimiter, width, row, line)
            unsplittable.append(problem)
            table.quarantined.append(Quarantined(path, row, line, "", _line_span(raw, line) + problem,
                                                 raw[:_RAW_KEPT_CHARS]))
            continue
        if _cells(values[:1]) == header_cells[:1] and _cells(values) == header_cells:
            raise InputError(path, "the header row appears again here: two exports joined into one file?",
                             row=row, line=line,
                             fix="add each copy of the list as its own file in its own snapshot folder")
        too_long = next((n or h for v, n, h in zip(values, names, header) if len(v) > MAX_FIELD_CHARS), None)
        if too_long:
            table.quarantined.append(Quarantined(path, row, line, too_long,
                                                 f"field longer than {MAX_FIELD_CHARS} characters",
                                                 raw[:_RAW_KEPT_CHARS]))
            continue
        table.records.append(RawRecord(row=row, line=line, fields={n: v for v, n in zip(values, names) if n}))
    if unsplittable and len(unsplittable) == table.rows_read:  # a wrong delimiter or a broken file, not bad rows
        raise InputError(path, f"none of the {table.rows_read} row(s) can be read (row 1: {unsplittable[0]})"
                               f"{_delimiter_hint(text, width, delimiter)}", row=1,
                         fix="re-export the copy in full, with one delimiter for the header and the rows")
    return table


# ---------------------------------------------------------------- JSON records

_DUPLICATE_KEY = "\x00duplicate key"
_JSON_READ_KEYS = frozenset(fmt.JSON_KEYS)


def _object_keeping_duplicates_visible(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj and obj[key] != value:
            obj.setdefault(_DUPLICATE_KEY, key)
        obj[key] = value
    return obj


def _json_record_problem(obj: dict) -> tuple[str, str] | None:
    """(field, reason) if a record cannot be read as text fields; None if it can."""
    if _DUPLICATE_KEY in obj:
        key = obj[_DUPLICATE_KEY]
        return key, f"key '{key}' appears twice in the record with different values"
    for key, value in obj.items():
        if value.__class__ is str:
            problem = (f"field longer than {MAX_FIELD_CHARS} characters" if len(value) > MAX_FIELD_CHARS else
                       f"field '{key}' contains a NUL character" if "\x00" in value else None)
        elif isinstance(value, (dict, list)):
            problem = f"field '{key}' holds {'an object' if isinstance(value, dict) else 'an array'}, not text"
        else:
            continue
        if problem and (key in _JSON_READ_KEYS or key.startswith("articles/")):  # unknown keys are not read
            return key, problem
    return None


def _flatten_json_record(obj: dict) -> dict[str, str]:
    """Flattened JSON keys -> canonical machine fields; "FALSE" means null where the source uses it so."""
    def value(key: str) -> str:
        raw = obj.get(key)
        if raw is None or raw is False:
            return ""
        text = str(raw)
        if key in fmt.JSON_FALSE_NULL_FIELDS and text == fmt.JSON_NULL_MARKER:
            return ""
        return text

    fields = {key: value(key) for key in fmt.MACHINE_COLUMNS if key not in ("articles", "prison")}
    slots = [value(f"articles/{i}") for i in range(fmt.JSON_ARTICLE_SLOTS)]
    extra_slots = sorted((k for k in obj if k.startswith("articles/") and k[9:].isdigit()
                          and int(k[9:]) >= fmt.JSON_ARTICLE_SLOTS), key=lambda k: int(k[9:]))
    slots += [value(k) for k in extra_slots]
    charges = [s for s in slots if s.strip()]
    fields["articles"] = "\n".join(charges) if charges else value("articles")
    title, address = value("prison/title"), value("prison/address")
    fields["prison"] = "\n".join(p for p in (title, address) if p) if title else value("prison")
    return fields


def _parse_json(text: str, path: str):
    try:
        return json.loads(text, object_pairs_hook=_object_keeping_duplicates_visible)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg} at column {exc.colno} (the file may be truncated)",
                         line=exc.lineno, fix="re-export the JSON copy in full") from None
    except (ValueError, RecursionError) as exc:  # a number with thousands of digits, arrays nested thousands deep
        raise InputError(path, f"not readable as JSON records: {str(exc) or type(exc).__name__}",
                         fix="re-export the list as a JSON array of flat records") from None


def _json_table(text: str, path: str, encoding: str) -> RawTable:
    data = _parse_json(text, path)
    if not isinstance(data, list):
        raise InputError(path, "the JSON is not an array of records", fix="export the list as a JSON array")
    keys = set().union(*(d.keys() for d in data if isinstance(d, dict))) if data else set()
    keys.discard(_DUPLICATE_KEY)
    _check_column_count(path, len(keys))
    if data:
        _check_required(path, fmt.SHAPE_JSON, keys)
    known = set(fmt.JSON_KEYS)
    table = RawTable(
        file=path, shape=fmt.SHAPE_JSON, encoding=encoding, delimiter=None, language=None,
        columns=tuple(k for k in fmt.JSON_KEYS if k in keys),
        missing_optional=tuple(k for k in fmt.MACHINE_COLUMNS if k not in keys and k not in ("articles", "prison")),
        extra_columns=tuple(sorted(k for k in keys if k not in known and not k.startswith("articles/"))),
    )
    for index, obj in enumerate(data, start=1):
        table.rows_read += 1
        problem = ("", "array element is not a record (object)") if not isinstance(obj, dict) else \
            _json_record_problem(obj)
        if problem:
            shown = {k: v for k, v in obj.items() if k != _DUPLICATE_KEY} if isinstance(obj, dict) else obj
            raw = json.dumps(shown, ensure_ascii=False)[:_RAW_KEPT_CHARS]
            table.quarantined.append(Quarantined(path, index, None, problem[0], problem[1], raw))
            continue
        table.records.append(RawRecord(row=index, line=None, fields=_flatten_json_record(obj)))
    return table


# ---------------------------------------------------------------- the file

def _read_file_bytes(path: Path) -> bytes:
    if path.is_symlink():
        raise InputError(path, f"is a symbolic link (to {path.readlink()}), not a copy as received",
                         fix="copy the file itself into the snapshot folder (`analysis raw add` does): a link "
                             "can point outside data/raw and change without the snapshot changing")
    if not path.is_file():
        raise InputError(path, "no such file", fix="check the path")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"the file is {size} bytes, above the {MAX_FILE_BYTES}-byte limit",
                         fix="split the copy or raise rawtext.MAX_FILE_BYTES if it is genuine")
    return path.read_bytes()


def _refuse_nul(text: str, path) -> None:
    if "\x00" in text:
        row, field_name = _locate(text, "\x00")
        raise InputError(path, "contains a NUL byte (binary data, not text)", line=_line_of(text, text.index("\x00")),
                         row=row, field=field_name, fix="re-export the copy as text (CSV or JSON)")


def read_raw_table(path: str | Path) -> RawTable:
    """Read any registry copy into raw string records, detecting packing, encoding, shape and delimiter."""
    path = Path(path)
    data, compression = unpack(_read_file_bytes(path), path)
    text, encoding = decode(data, path)
    _refuse_nul(text, path)
    _refuse_garbled(text, path)
    start = text.lstrip()
    if start.startswith("{"):
        raise InputError(path, "the JSON is a single object, not an array of records",
                         fix="export the list as a JSON array")
    is_json = start.startswith("[")
    table = _json_table(text, str(path), encoding) if is_json else _csv_table(text, str(path), encoding)
    if table.rows_read == 0:
        raise InputError(path, "the JSON array holds no records" if is_json else
                         "the file has a header but no records",
                         fix="re-export the full list: a copy with no rows would make everyone vanish from the counts")
    table.compression = compression
    return table
