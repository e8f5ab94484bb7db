"""The leak scan: the one way into reports/ is `publish_checked`, which scans the whole staged build
for restricted values and refuses to publish on a single hit.

Restricted values (`Restricted`, from every ingested copy of the list): names in both scripts, birth
dates, withheld record ids, URL slugs and distinctive free text. They are kept as folded keys and
never printed: a hit is reported by file, place, kind and a fingerprint of the value. Who may be named
at all is decided in analysis.tables.disclosure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
import struct
import zlib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from analysis.core.errors import InputError, PrivacyViolation
from analysis.core.paths import ProjectPaths
from analysis.core.periods import Period
from analysis.core.staging import publish
from analysis.core.textfold import fold, word_spans
from analysis.ingest.registry import read_registry_file
from analysis.tables.disclosure import (FREE_TEXT_COLUMNS, PrivacyPolicy, persons_in_build, all_persons,
                                        ingested_name_owners, name_fold, named_releases)
from analysis.tables.inputs import load_inputs

# Free text shared by many records ("SYNTHETIC record") identifies no one; scanning for it would only
# flag boilerplate. Distinctive text is what can point at a person.
DISTINCTIVE_TEXT_CHARS, DISTINCTIVE_TEXT_MAX_RECORDS = 16, 3


# ------------------------------------------------------------------ restricted values


@dataclass
class Restricted:
    """Everything that must not appear in a public file (kept as folded keys, never printed)."""

    names: set[str] = field(default_factory=set)          # folded (textfold), >= 2 words, both scripts
    birth_dates: set[str] = field(default_factory=set)    # ISO, day precision
    withheld_ids: set[int] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)
    free_text: set[str] = field(default_factory=set)      # folded, distinctive only

    max_name_words: int = field(init=False)    # derived from names, for the scanner's phrase loop
    first_words: set[str] = field(init=False)
    joined_names: set[str] = field(init=False)  # the words run together: a name whose break is a removed
                                                # invisible character or nothing at all ("AlesBialiatski")

    def __post_init__(self) -> None:
        self.max_name_words = max((n.count(" ") + 1 for n in self.names), default=0)
        self.first_words = {n.split(" ", 1)[0] for n in self.names}
        self.joined_names = {n.replace(" ", "") for n in self.names}


def restricted_values(paths: ProjectPaths, policy: PrivacyPolicy, allowed_names: AbstractSet[str] = frozenset()) -> Restricted:
    """Every restricted name, birth date, slug and withheld id in the ingested data.

    `allowed_names` (folded) are the names a build may carry (the consented named releases).
    """
    everything = _restricted(str(paths.ingest.resolve()), policy)
    return dataclasses.replace(everything, names=everything.names - set(allowed_names))


@lru_cache(maxsize=4)
def _restricted(build: str, policy: PrivacyPolicy) -> Restricted:
    persons = persons_in_build(build)
    records = pl.read_parquet(Path(build) / "restricted" / "releases" / "release_records.parquet")
    withheld = set(policy.withheld_ids) | set(records.filter(~pl.col("identity_publishable").fill_null(False))
                                              ["record_id"].to_list())
    result = Restricted(
        names=names_in(persons),
        birth_dates={d.isoformat() for d in persons.filter(pl.col("birth_date_precision") == "day")
                     ["birth_date_from"].drop_nulls()},
        withheld_ids=withheld,
        slugs={fold(s) for s in persons["url_slug"].drop_nulls() if "-" in s},
    )
    mine = persons.filter(pl.col("record_id").is_in(list(withheld)))
    for column in FREE_TEXT_COLUMNS:
        counts = persons.group_by(column).agg(pl.col("record_id").n_unique().alias("n")).drop_nulls(column)
        distinctive = set(counts.filter(pl.col("n") <= DISTINCTIVE_TEXT_MAX_RECORDS)[column].to_list())
        result.free_text |= {name_fold(t) for t in mine[column].drop_nulls()
                             if t in distinctive and len(t) >= DISTINCTIVE_TEXT_CHARS}
    return result


def names_in(persons: pl.DataFrame) -> set[str]:
    """Every name of two or more words in a person table, folded, in both scripts."""
    return {n for c in ("name_raw", "name_latin", "name_cyrillic") for n in map(name_fold, persons[c].drop_nulls())
            if " " in n}


def check_file_names(paths: ProjectPaths, files: list[Path], source: str) -> None:
    """Refuse a raw file whose name holds a person's name: file names reach public manifests and logs.
    The names are those of every ingested copy and, for a registry copy, of the copy itself."""
    names: set[str] = set()
    if paths.ingest.exists():
        names |= names_in(all_persons(paths))
    if source == "registry":
        for path in files:
            try:
                names |= names_in(read_registry_file(path).persons)
            except InputError:
                pass   # a copy that cannot be read is refused by ingest, with its own message
    restricted = Restricted(names=names)
    for path in files:
        if scan_text(path.name, restricted):
            raise InputError(path, "the file name holds a person's name (file names reach public manifests)",
                             fix="rename the file, e.g. after its source and date (registry_2026-03-31.csv), "
                                 "and add it again")


# ------------------------------------------------------------------ the scanner


@dataclass(frozen=True)
class Leak:
    file: str
    where: str      # "line 12", "row 3, column name", "PNG text chunk"
    kind: str       # name | birth date | withheld record id | URL slug | free text
    fingerprint: str  # first 8 hex of the value's sha256: identifies the value without printing it

    def line(self) -> str:
        return f"{self.file}: {self.where}: a restricted {self.kind} (value {self.fingerprint}, not shown)"


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED_DATE = re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)")
_ID_CONTEXT = re.compile(r"(?i)(?:record[_ ]?id|person[_ ]?key|\bid)\W{0,4}(?:id:)?(\d{1,12})\b")
# Anchored at the start of a run: unanchored, a long base64 run (the report's embedded fonts) is quadratic.
_SLUG = re.compile(r"(?<![a-z0-9-])[a-z0-9]+(?:-[a-z0-9]+)+")
_TEXT_SUFFIXES = {".html", ".htm", ".svg", ".json", ".ipynb", ".yaml", ".yml", ".csv", ".md", ".txt", ".log", ".xml"}


def scan_folder(folder: Path, restricted: Restricted) -> list[Leak]:
    """Every restricted value found under `folder`: in the names of its files and folders, and in every
    file (text, JSON, notebooks, SVG, HTML, Parquet, PNG). Text is compared folded (analysis.core.textfold)."""
    leaks: list[Leak] = []
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        for kind, fingerprint, _offset in _find(fold(name), restricted):
            leaks.append(Leak(name, "its path", kind, fingerprint))
        if not path.is_file():
            continue
        for part, text in _texts(path):
            folded = fold(text)
            for kind, fingerprint, offset in _find(folded, restricted):
                leaks.append(Leak(name, part.format(line=folded.count("\n", 0, offset) + 1), kind, fingerprint))
    return leaks


def scan_text(text: str, restricted: Restricted) -> list[tuple[str, str]]:
    """(kind, fingerprint) of each restricted value in one piece of text, e.g. a file name."""
    return [(kind, fingerprint) for kind, fingerprint, _ in _find(fold(text), restricted)]


def _texts(path: Path):
    """(location template, text) pairs of everything a reader of the file could see; `{line}` in the
    template is filled with the line of a hit."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _parquet_texts(path)
    elif suffix == ".png":
        for index, text in enumerate(_png_texts(path.read_bytes())):
            yield f"PNG text chunk {index + 1}", text
    else:
        text = _DATA_URL.sub(_blank_data_url, path.read_bytes().decode("utf-8", errors="replace"))
        yield "line {line}", text
        if suffix in (".json", ".ipynb") and "\\u" in text:
            try:   # JSON may spell Cyrillic as \\u escapes: read its strings as a reader would see them
                yield "a JSON string (string {line})", "\n".join(_json_strings(json.loads(text)))
            except ValueError:
                pass
        if suffix in (".html", ".htm", ".svg", ".xml", ".ipynb") and "&" in text:
            yield "line {line} (HTML entities decoded)", html.unescape(text)


# The report embeds its fonts as base64 data URLs (a megabyte of letters and digits that cannot spell
# a name or a date): blanked before scanning, keeping the line count, to halve the scan's work.
_DATA_URL = re.compile(r"data:font/[\w.+-]+;base64,[A-Za-z0-9+/=]+")


def _blank_data_url(match: re.Match) -> str:
    return "data:font;base64,..."


def _parquet_texts(path: Path):
    table = pq.read_table(path)
    yield "column names", " ".join(table.column_names)
    for name in table.column_names:
        values = table.column(name).to_pylist()
        # One line per row, so a hit's line is its row; integers carry their column name, which is
        # what tells a record id from a count.
        lines = ["" if v is None else (f"{name}={v}" if isinstance(v, int) and not isinstance(v, bool)
                                       else v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v))
                 for v in values]
        yield f"row {{line}}, column {name}", "\n".join(lines)


def _json_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _json_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_strings(value)


def _png_texts(data: bytes) -> list[str]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG: the only place a PNG carries readable text."""
    texts, offset = [], 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"tEXt":
            texts.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\0")
            texts.append(keyword.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            texts.append(body.decode("utf-8", errors="replace"))
        offset += 12 + length
    return texts


def _find(folded: str, restricted: Restricted):
    """(kind, fingerprint, offset) of each restricted value in a folded text (textfold.fold)."""
    spans = word_spans(folded)
    words = [word for word, _ in spans]
    for word, offset in spans:
        if word in restricted.joined_names:
            yield "name", _fingerprint(word), offset
    firsts = restricted.first_words.intersection(words)   # usually empty: then no name can be there
    if firsts:
        sizes = range(2, restricted.max_name_words + 1)
        for start, word in enumerate(words):
            if word in firsts:
                for size in sizes:
                    phrase = " ".join(words[start:start + size])
                    if phrase in restricted.names:
                        yield "name", _fingerprint(phrase), spans[start][1]
    for match in _ISO_DATE.finditer(folded):
        year, month, day = match.groups()
        if f"{year}-{month}-{day}" in restricted.birth_dates:
            yield "birth date", _fingerprint(f"{year}-{month}-{day}"), match.start()
    for match in _DOTTED_DATE.finditer(folded):
        day, month, year = match.groups()
        if f"{year}-{month}-{day}" in restricted.birth_dates:
            yield "birth date", _fingerprint(f"{year}-{month}-{day}"), match.start()
    for match in _ID_CONTEXT.finditer(folded):
        if int(match.group(1)) in restricted.withheld_ids:
            yield "withheld record id", _fingerprint(match.group(1)), match.start()
    for match in _SLUG.finditer(folded):
        if match.group() in restricted.slugs:
            yield "URL slug", _fingerprint(match.group()), match.start()
    if restricted.free_text:
        plain = _SPACES.sub(" ", folded)
        for snippet in restricted.free_text:
            if snippet in plain:
                yield "free text", _fingerprint(snippet), 0


_SPACES = re.compile(r"\W+")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


# ------------------------------------------------------------------ the one way into reports/


def check_build(paths: ProjectPaths, period: Period, build: Path) -> list[Leak]:
    """Scan a staged period build for every restricted value, allowing only the names it may carry."""
    inputs = load_inputs(paths, period)
    # Who may be named is worked out again from the inputs, not read from the build it is checking.
    named = named_releases(inputs.persons, inputs.release_records, inputs.policy, period.start, period.end,
                           ingested_name_owners(paths))
    allowed = {name_fold(n) for n in named["name_raw"]}
    return scan_folder(build, restricted_values(paths, inputs.policy, allowed))


def publish_checked(paths: ProjectPaths, period: Period, build: Path, target: Path) -> None:
    """Publish a staged build only if it holds no restricted value; otherwise raise and publish nothing."""
    leaks = check_build(paths, period, build)
    if leaks:
        shown = "\n".join(f"  {leak.line()}" for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        raise PrivacyViolation(
            f"nothing was published for {period.label}: the staged build holds {len(leaks)} restricted "
            f"value(s):\n{shown}{more}\nWhat to do: find which step wrote them (the file and line above) and keep "
            f"person-level data in the restricted tier; values are fingerprinted, never printed")
    publish(build, target)
