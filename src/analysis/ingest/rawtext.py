"""Turn the bytes of a registry copy into rows of raw strings, whatever its shape.

Steps, each with one job: unpack (analysis.ingest.unpacking: a gzip file or a zip of one file, in
memory, with a size cap; what is not a text table is refused), decode (analysis.ingest.decoding: UTF-8
with/without BOM, or Windows-1251, detected; text garbled by a wrong decoding refused), detect the
shape (analysis.ingest.shapes: machine CSV, public table in en/ru/be, and the delimiter; or flattened
JSON), then read `RawRecord`s keyed by canonical field name (here).
Rows that cannot be read as records are returned as quarantine entries, never dropped; a file
whose damage would silently swallow records (a quote never closed, a header without rows, rows
split at another delimiter than the header) is refused as a whole.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import InputError
from analysis.ingest import registry_format as fmt
from analysis.ingest.decoding import decode, line_of, refuse_garbled, refuse_nul
from analysis.ingest.shapes import REQUIRED_COLUMNS, detect_csv, split_header_line
from analysis.ingest.unpacking import read_file_bytes, unpack

MAX_FIELD_CHARS = 100_000
MAX_COLUMNS = 1_000        # a registry copy has about 25; thousands means a broken export
_RAW_KEPT_CHARS = 2_000    # of a quarantined record's text (the raw file itself is kept whole)


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


def _check_required(path, shape: str, present: set[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS[shape] if c not in present]
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
        if len(split_header_line(later, delimiter)) == width:
            raise InputError(path, f"a quote opened in the record starting on line {line} is not closed where it "
                                   f"should be and swallows the record on line {line + offset}; the rows after it "
                                   "cannot be read reliably", row=row, line=line,
                             fix="re-export the copy; a quote inside a field must be doubled (\"\")")


def _line_span(raw: str, line: int) -> str:
    last = line + line_of(raw.rstrip("\r\n"), len(raw.rstrip("\r\n"))) - 1
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


def read_raw_table(path: str | Path) -> RawTable:
    """Read any registry copy into raw string records, detecting packing, encoding, shape and delimiter."""
    path = Path(path)
    data, compression = unpack(read_file_bytes(path), path)
    text, encoding = decode(data, path)
    refuse_nul(text, path)
    refuse_garbled(text, path)
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
