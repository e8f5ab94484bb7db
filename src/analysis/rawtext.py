"""Turn the bytes of a registry copy into rows of raw strings, whatever its shape.

Steps, each with one job: decode (UTF-8 with/without BOM, or Windows-1251, detected),
detect the shape (machine CSV, flattened JSON, public table in en/ru/be) and the delimiter
(comma or semicolon, detected), then yield `RawRecord`s keyed by canonical field name.
Rows that cannot be read as records are returned as quarantine entries, never dropped.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import registry_format as fmt
from .errors import InputError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_FIELD_CHARS = 100_000
_UTF8_BOM = b"\xef\xbb\xbf"
# Non-ASCII characters that real Windows-1251 copies contain besides Cyrillic letters.
_CP1251_PUNCTUATION = set("«»—–’‘“”„№…•·°\u00a0")
_CP1251_LETTERS = set("ЁёІіЎў")


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


# ---------------------------------------------------------------- decoding

def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _looks_like_cp1251(text: str) -> bool:
    """Russian/Belarusian text, not UTF-8 bytes misread (mojibake is full of Ђ, ѓ, ‰, ±...)."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    plausible = sum(1 for ch in non_ascii if "\u0410" <= ch <= "\u044f" or ch in _CP1251_LETTERS
                    or ch in _CP1251_PUNCTUATION)
    return plausible / len(non_ascii) >= 0.95


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (text, encoding name). Raises InputError naming the line of a bad byte."""
    if not data.strip(b" \t\r\n" + _UTF8_BOM):
        raise InputError(path, "the file is empty", fix="re-export the registry copy; an empty file holds no rows")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "the file is UTF-16 (a 'Unicode text' export)",
                         fix="re-save it as CSV UTF-8 (comma- or semicolon-separated)")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\x1f\x8b"):
        raise InputError(path, "the file is compressed (zip/gzip), not a registry table",
                         fix="unpack it and put the CSV or JSON itself in data/raw")
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
    row, field_name = _locate_replacement(data.decode("utf-8", errors="replace"))
    raise InputError(path, f"undecodable byte 0x{bad} at column {column}: the file is neither valid UTF-8 "
                           "nor Windows-1251 text", line=line, row=row, field=field_name,
                     fix="re-save the copy as UTF-8 (or Windows-1251) and check it was not truncated or mixed")


def _locate_replacement(text: str) -> tuple[int | None, str | None]:
    """Data row and column name holding the first undecodable byte, for the error message."""
    try:
        _shape, _lang, delimiter, header, names = detect_csv(text, "")
    except InputError:
        return None, None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row, values in enumerate(reader):
        for index, value in enumerate(values):
            if "\ufffd" in value:
                label = (names[index] if index < len(names) and names[index] else
                         header[index] if index < len(header) else f"column {index + 1}")
                return row, label
    return None, None


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
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return first


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


# ---------------------------------------------------------------- records

def _check_required(path, shape: str, present: set[str]) -> None:
    missing = [c for c in _REQUIRED[shape] if c not in present]
    if missing:
        raise InputError(path, f"required column(s) missing for the {shape} shape: {', '.join(missing)}",
                         row=0, field=missing[0],
                         fix="re-export the full table; columns must not be removed or renamed")


def _csv_table(text: str, path: str, encoding: str) -> RawTable:
    shape, language, delimiter, header, names = detect_csv(text, path)
    present = {n for n in names if n}
    _check_required(path, shape, present)
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise InputError(path, f"column '{duplicated[0]}' appears twice in the header", row=0, field=duplicated[0],
                         fix="remove the duplicated column so each field has one meaning")
    expected = fmt.MACHINE_COLUMNS if shape == fmt.SHAPE_MACHINE else fmt.PUBLIC_COLUMNS
    table = RawTable(
        file=path, shape=shape, encoding=encoding, delimiter=delimiter, language=language,
        columns=tuple(n for n in names if n),
        missing_optional=tuple(c for c in expected if c not in present),
        extra_columns=tuple(h for h, n in zip(header, names) if not n),
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    csv.field_size_limit(MAX_FILE_BYTES)
    next(reader)  # header, already parsed
    row = 0
    line_start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row += 1
            table.rows_read += 1
            table.quarantined.append(Quarantined(path, row, line_start, "", f"malformed CSV: {exc}", ""))
            break  # the reader cannot resynchronise after a broken quote: the rest is one bad record
        this_line, line_start = line_start, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue  # blank line between records: not a row
        row += 1
        table.rows_read += 1
        raw = delimiter.join(values)
        if len(values) != len(header):
            table.quarantined.append(Quarantined(
                path, row, this_line, "", f"has {len(values)} fields, the header has {len(header)} "
                                          f"(a stray '{delimiter}' or a truncated line)", raw))
            continue
        too_long = next((n or h for v, n, h in zip(values, names, header) if len(v) > MAX_FIELD_CHARS), None)
        if too_long:
            table.quarantined.append(Quarantined(path, row, this_line, too_long,
                                                 f"field longer than {MAX_FIELD_CHARS} characters", raw[:2000]))
            continue
        fields = {n: v for v, n in zip(values, names) if n}
        table.records.append(RawRecord(row=row, line=this_line, fields=fields))
    return table


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


def _json_table(text: str, path: str, encoding: str) -> RawTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg} at column {exc.colno} (the file may be truncated)",
                         line=exc.lineno, fix="re-export the JSON copy in full") from None
    if not isinstance(data, list):
        raise InputError(path, "the JSON is not an array of records", fix="export the list as a JSON array")
    keys = set().union(*(d.keys() for d in data if isinstance(d, dict))) if data else set()
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
        if not isinstance(obj, dict):
            table.quarantined.append(Quarantined(path, index, None, "", "array element is not a record (object)",
                                                 json.dumps(obj, ensure_ascii=False)[:2000]))
            continue
        table.records.append(RawRecord(row=index, line=None, fields=_flatten_json_record(obj)))
    return table


def read_raw_table(path: str | Path) -> RawTable:
    """Read any registry copy into raw string records, detecting encoding, shape and delimiter."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file", fix="check the path")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"the file is {size} bytes, above the {MAX_FILE_BYTES}-byte limit",
                         fix="split the copy or raise rawtext.MAX_FILE_BYTES if it is genuine")
    data = path.read_bytes()
    text, encoding = decode(data, path)
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError(path, "contains a NUL byte (binary data, not text)", line=line,
                         fix="re-export the copy as text (CSV or JSON)")
    if text.lstrip().startswith("["):
        return _json_table(text, str(path), encoding)
    if text.lstrip().startswith("{"):
        raise InputError(path, "the JSON is a single object, not an array of records",
                         fix="export the list as a JSON array")
    return _csv_table(text, str(path), encoding)
