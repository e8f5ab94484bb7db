"""Read any copy of the political-prisoner registry into the canonical person table.

`read_registry(path)` is the one public entry point for researchers: it detects the shape
(machine CSV, flattened JSON, public table in en/ru/be), the encoding and the delimiter, parses
every field, and returns one row per person. `read_registry_file(path)` returns everything
ingest needs besides: charges (one row per person and charge), quarantined rows and field-level
issues, with rows read = rows written + rows quarantined.

Failure policy: a row whose identity or status cannot be read, or whose detention, release or
death date is impossible or after the snapshot date, is quarantined with its reason. A secondary
field that cannot be parsed (a sentence, a penalty, a birth date ...) is set to null, the row is
kept, and the problem is listed in `field_issues`. Two different records with one id stop the read.

An empty name is not an unreadable one: the source lists people whose name it withholds. Such a
row is counted like any other, with null name columns and a note in `field_issues` (which is
restricted); its person_key is `id:<record id>`, or `anonymous:row<source row>` in a copy without
ids, so that two anonymous people never share a key. A name with no letters ("+1+1") is garbage,
not a withheld name, and is quarantined.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.core.decisions import GIVEN_NAMES
from analysis.ingest import parsing
from analysis.ingest.parsing import names
from analysis.core import schema
from analysis.ingest import registry_format as fmt
from analysis.core.errors import InputError
from analysis.ingest.provenance import METADATA_FILE, read_metadata
from analysis.ingest.corrections import apply_corrections
from analysis.ingest.rawtext import Quarantined, RawRecord, RawTable, read_raw_table


class _Memo:
    """A pure parser with its answers remembered, failures included.

    Successive copies of the list repeat almost every cell, so each distinct text is parsed once
    per process: ingest of the six sample copies drops from ~9 s to a few seconds. Safe only because
    the parsers are pure and return frozen values. Bounded, so a long session cannot grow it.
    """

    LIMIT = 200_000

    def __init__(self, parse):
        self.parse, self.answers = parse, {}

    def __call__(self, *args):
        answer = self.answers.get(args)
        if answer is None:
            if len(self.answers) >= self.LIMIT:
                self.answers.clear()
            try:
                answer = (True, self.parse(*args))
            except ValueError as exc:
                answer = (False, str(exc))
            self.answers[args] = answer
        ok, value = answer
        if not ok:
            raise ValueError(value)
        return value


def _tuple_of_charges(cell: str) -> tuple:
    return tuple(parsing.parse_charges(cell))


_parse_date, _parse_name, _parse_status, _parse_gender = (
    _Memo(parsing.parse_date), _Memo(parsing.parse_name), _Memo(parsing.parse_status), _Memo(parsing.parse_gender))
_parse_charges, _parse_sentence, _parse_penalty = (
    _Memo(_tuple_of_charges), _Memo(parsing.parse_sentence), _Memo(parsing.parse_penalty))
_split_prison_cell, _parse_facility = _Memo(parsing.split_prison_cell), _Memo(parsing.parse_facility)

def use_decisions(folder: Path) -> None:
    """Read the given-name equivalences of the project whose copies are read next (its decisions/ folder);
    parses remembered under another project's equivalences are forgotten."""
    if names.use_given_names(folder / GIVEN_NAMES):
        _parse_name.answers.clear()


_URL = re.compile(r"^https?://[^/]+/(?P<locale>[a-z]{2})/person/(?P<slug>[^/?#\s]+)/?$")
_ISO_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_TRUTHY = {"1", "true", "yes", "да", "так"}

WITHHELD_NAME = "name withheld by the source: counted, never named"

# Dates whose failure quarantines the row: they decide whether someone is counted.
CRITICAL_DATES = {"arrested": "arrested", "release_date": "release_date", "died": "died"}
SECONDARY_DATES = {"birthday": "birth_date", "verdict_date": "verdict_date",
                   "penalty_start_date": "penalty_start_date", "appeal_date": "appeal_date"}


# Plausibility floors: the list is of people held in independent Belarus (from 1991), and no one on
# it was born before 1910. A 1900 in a date cell is a typo or a placeholder, never a fact.
EARLIEST_EVENT = dt.date(1991, 1, 1)
EARLIEST_DATES = {"birth_date": dt.date(1910, 1, 1)}
# Dates a copy may list before they happen: a sentence's start and an appeal hearing are scheduled.
MAY_BE_AHEAD = {"penalty_start_date", "appeal_date"}


class RowRejected(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass
class RegistryRead:
    persons: pl.DataFrame
    charges: pl.DataFrame
    quarantine: pl.DataFrame
    field_issues: pl.DataFrame
    table: RawTable
    snapshot_date: dt.date | None
    synthetic: bool

    @property
    def rows_read(self) -> int:
        return self.table.rows_read

    def assert_accounted(self) -> None:
        written, quarantined = self.persons.height, self.quarantine.height
        assert self.rows_read == written + quarantined, (
            f"{self.table.file}: rows read {self.rows_read} != written {written} + quarantined {quarantined}")


def _snapshot_context(path: Path) -> tuple[dt.date | None, bool]:
    """Snapshot date and synthetic flag from the folder's metadata.yaml, else from the names."""
    if (path.parent / METADATA_FILE).exists():
        meta = read_metadata(path.parent)
        return meta.snapshot_date, meta.synthetic or "SYNTHETIC" in path.name.upper()
    for candidate in (path.parent.name, path.name):
        match = _ISO_IN_NAME.search(candidate)
        if match:
            try:
                return dt.date.fromisoformat(match.group(1)), "SYNTHETIC" in path.name.upper()
            except ValueError:
                pass
    return None, "SYNTHETIC" in path.name.upper()


class _RowParser:
    """Parses one raw record into a canonical row (+ its charges), collecting field issues."""

    def __init__(self, table: RawTable, snapshot_date: dt.date | None, synthetic: bool):
        self.table = table
        self.snapshot_date = snapshot_date
        self.synthetic = synthetic
        self.issues: list[dict] = []

    def _issue(self, record: RawRecord, field: str, value: str, reason: str, action: str = "set to null") -> None:
        self.issues.append({"source_file": self.table.file, "source_row": record.row, "source_line": record.line,
                            "field": field, "value": value[:500], "reason": reason, "action": action})

    def _date(self, record: RawRecord, raw_field: str, out: str, row: dict, critical: bool) -> None:
        text = record.fields.get(raw_field, "")
        try:
            parsed = _parse_date(text)
            if parsed and self.snapshot_date and parsed.start > self.snapshot_date and out not in MAY_BE_AHEAD:
                raise ValueError(f"{parsed.start} is after the snapshot date {self.snapshot_date}")
            floor = EARLIEST_DATES.get(out, EARLIEST_EVENT)
            if parsed and parsed.end < floor:
                raise ValueError(f"{parsed.start} is before {floor}: not a plausible {out.replace('_', ' ')} "
                                 f"for this list")
        except ValueError as exc:
            if critical:
                raise RowRejected(raw_field, f"{exc}")
            self._issue(record, raw_field, text, str(exc))
            parsed = None
        row[f"{out}_from"] = parsed.start if parsed else None
        row[f"{out}_to"] = parsed.end if parsed else None
        row[f"{out}_precision"] = parsed.precision if parsed else None

    def _optional(self, record: RawRecord, field: str, parse) -> object | None:
        text = record.fields.get(field, "")
        try:
            return parse(text)
        except ValueError as exc:
            self._issue(record, field, text, str(exc))
            return None

    def parse(self, record: RawRecord) -> tuple[dict, list[dict]]:
        f = record.fields
        text = {k: (v.strip() if isinstance(v, str) else "") for k, v in f.items()}
        row: dict = {"snapshot_date": self.snapshot_date, "synthetic": self.synthetic,
                     "source_file": self.table.file, "source_shape": self.table.shape, "source_row": record.row}

        record_id = None
        if "id" in text or self.table.shape != fmt.SHAPE_PUBLIC:
            if not re.fullmatch(r"[0-9]{1,12}", text.get("id", "")):
                raise RowRejected("id", f"record id {text.get('id', '')!r} is not a positive integer")
            record_id = int(text["id"])
        row["record_id"] = record_id

        url = text.get("url", "")
        match = _URL.match(url) if url else None
        if url and not match:
            self._issue(record, "url", url, "not a https://<host>/<locale>/person/<slug> address")
        row["url_locale"] = match.group("locale") if match else None
        row["url_slug"] = match.group("slug") if match else None

        self._name(record, text.get("name", ""), row)
        try:
            row["status"] = _parse_status(text.get("status", ""))
        except ValueError as exc:
            raise RowRejected("status", str(exc))
        row["gender"] = self._optional(record, "gender", _parse_gender)

        for raw_field, out in SECONDARY_DATES.items():
            self._date(record, raw_field, out, row, critical=False)
        for raw_field, out in CRITICAL_DATES.items():
            if raw_field == "died":
                continue
            self._date(record, raw_field, out, row, critical=True)
        self._died(record, text.get("died", ""), row)

        charges_raw = f.get("articles", "") or ""
        charges = self._optional(record, "articles", _parse_charges) if charges_raw.strip() else []
        row["charges_raw"] = charges_raw or None
        row["charge_count"] = len(charges) if charges is not None else None

        sentence = self._optional(record, "decision", _parse_sentence)
        row.update(sentence_raw=text.get("decision") or None,
                   sentence_kind=sentence.kind if sentence else None,
                   sentence_months=sentence.months if sentence else None)
        penalty = self._optional(record, "penalty", _parse_penalty)
        row.update(penalty_raw=text.get("penalty") or None,
                   penalty_regime=penalty.regime if penalty else None,
                   colony_security=penalty.colony_security if penalty else None)
        self._facility(record, f.get("prison", "") or "", row)

        for column in ("judge", "prosecutor", "councel", "declaration", "description", "photo",
                       "fake_terrorist_list", "clusters"):
            row[column] = text.get(column) or None
        row["person_key"] = _person_key(record_id, row, record.row)
        charge_rows = [
            {"snapshot_date": self.snapshot_date, "synthetic": self.synthetic, "person_key": row["person_key"],
             "record_id": record_id, "source_file": self.table.file, "source_row": record.row,
             "charge_seq": seq, "article": c.article, "part": c.part, "clause": c.clause,
             "preparation_article": c.preparation_article,
             "code": c.code, "title": c.title, "raw": c.raw}
            for seq, c in enumerate(charges or [], start=1)
        ]
        return row, charge_rows

    def _name(self, record: RawRecord, text: str, row: dict) -> None:
        """Name columns; an empty name is withheld by the source (kept, noted), an unreadable one rejects the row."""
        if not text:
            row.update(name_raw=None, name_latin=None, name_cyrillic=None, name_key=None)
            self._issue(record, "name", "", WITHHELD_NAME, action="kept without a name")
            return
        try:
            name = _parse_name(text)
        except ValueError as exc:
            raise RowRejected("name", str(exc))
        row.update(name_raw=name.raw, name_latin=name.latin, name_cyrillic=name.cyrillic, name_key=name.key)

    def _died(self, record: RawRecord, text: str, row: dict) -> None:
        row.update(died_from=None, died_to=None, died_precision=None, died_in_custody=False)
        if not text or text.upper() == fmt.JSON_NULL_MARKER or text in ("0", "false"):
            return
        if text.casefold() in _TRUTHY:
            row["died_in_custody"] = True
            return
        self._date(record, "died", "died", row, critical=True)
        row["died_in_custody"] = True

    def _facility(self, record: RawRecord, cell: str, row: dict) -> None:
        row["prison_raw"] = cell.strip() or None
        facility = None
        if cell.strip():
            title, address = _split_prison_cell(cell)
            facility = self._optional(record, "prison", lambda _t: _parse_facility(title, address))
        row.update(facility_title=facility.title if facility else None,
                   facility_type=facility.type if facility else None,
                   facility_number=facility.number if facility else None,
                   facility_town=facility.town if facility else None,
                   facility_address=facility.address if facility else None)


def _person_key(record_id: int | None, row: dict, source_row: int) -> str:
    """id:<record id>; else name:<name key>|<birth date>; an anonymous row without an id is keyed by its row."""
    if record_id is not None:
        return f"id:{record_id}"
    if row["name_key"] is None:
        return f"anonymous:row{source_row}"
    return f"name:{row['name_key']}|{row['birth_date_from'] or ''}"


def _raw_text(record: RawRecord) -> str:
    return " | ".join(f"{k}={v}" for k, v in record.fields.items() if v)[:2000]


def _deduplicate(table: RawTable) -> tuple[list[RawRecord], list[Quarantined]]:
    """Drop exact duplicate rows (quarantined with a reason); two different records with one id is an error."""
    kept: list[RawRecord] = []
    dropped: list[Quarantined] = []
    seen_content: dict[tuple, int] = {}
    seen_id: dict[str, RawRecord] = {}
    for record in table.records:
        content = tuple(sorted(record.fields.items()))
        if content in seen_content:
            dropped.append(Quarantined(table.file, record.row, record.line, "",
                                       f"exact duplicate of row {seen_content[content]}", _raw_text(record)))
            continue
        seen_content[content] = record.row
        record_id = record.fields.get("id", "").strip()
        if record_id.isascii() and record_id.isdigit():
            record_id = str(int(record_id))   # "0101" and "101" are one record id
        if record_id and record_id in seen_id:
            first = seen_id[record_id]
            differing = sorted(k for k in record.fields if record.fields.get(k) != first.fields.get(k))
            raise InputError(table.file, f"record id {record_id} appears at rows {first.row} and {record.row} "
                                         f"with different content (differs in: {', '.join(differing)})",
                             row=record.row, field="id", line=record.line,
                             fix="ids are unique in a copy of the list: keep the right record, or record which "
                                 "one is right in decisions/corrections.csv with a reason")
        if record_id:
            seen_id[record_id] = record
        kept.append(record)
    return kept, dropped


def read_registry_file(path: str | Path, *, snapshot_date: dt.date | None = None,
                       synthetic: bool | None = None, corrections: pl.DataFrame | None = None) -> RegistryRead:
    """Everything in one registry copy: persons, charges, quarantine and field issues."""
    path = Path(path)
    context_date, context_synthetic = _snapshot_context(path)
    snapshot_date = snapshot_date or context_date
    synthetic = context_synthetic if synthetic is None else synthetic
    table = read_raw_table(path)
    if corrections is not None and corrections.height:
        apply_corrections(table, corrections, snapshot_date)
    records, duplicates = _deduplicate(table)
    parser = _RowParser(table, snapshot_date, synthetic)
    persons: list[dict] = []
    charges: list[dict] = []
    quarantined = list(table.quarantined) + duplicates
    for record in records:
        try:
            row, charge_rows = parser.parse(record)
        except RowRejected as exc:
            quarantined.append(Quarantined(table.file, record.row, record.line, exc.field, exc.reason,
                                           _raw_text(record)))
            continue
        persons.append(row)
        charges.extend(charge_rows)
    result = RegistryRead(
        persons=pl.DataFrame(persons, schema=schema.PERSONS).sort("source_row"),
        charges=pl.DataFrame(charges, schema=schema.CHARGES).sort("source_row", "charge_seq"),
        quarantine=pl.DataFrame(
            [{"source_file": q.file, "source_row": q.row, "source_line": q.line, "field": q.field,
              "reason": q.reason, "raw": q.raw} for q in quarantined], schema=schema.QUARANTINE).sort("source_row"),
        field_issues=pl.DataFrame(parser.issues, schema=schema.FIELD_ISSUES).sort("source_row", "field"),
        table=table, snapshot_date=snapshot_date, synthetic=synthetic,
    )
    result.assert_accounted()
    return result


def read_registry(path: str | Path) -> pl.DataFrame:
    """The canonical person table (one row per person) of one registry copy, in any shape and encoding.

    >>> persons = read_registry("data/raw/registry/2026-02-28/SYNTHETIC_registry_2026-02-28.csv")
    """
    return read_registry_file(path).persons
