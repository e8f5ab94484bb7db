"""The two tiers, enforced: what may leave the restricted tier, and the check every publication passes.

Restricted: everything person-level (data/processed/ingest/restricted): names, birth dates, record
ids, URL slugs, free text. Public: everything under reports/. The only way into reports/ is
`publish_checked`, which scans the whole staged build for restricted values and refuses to publish
on a single hit. The rules are project data (data/privacy/):

    policy.yaml             small_count_threshold (default 3)
    withheld_records.csv    record ids whose identity must never be published, each with a reason

A person is *named* in a report only when their release record says identity_publishable = true,
their id is not on the withheld list, and no one else in the data has the same name (a shared name
could be read as the other person's). Everyone else's identity stays restricted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from analysis.ingest.csvfile import read_records
from analysis.core.errors import InputError, PrivacyViolation
from analysis.core.paths import ProjectPaths
from analysis.core.safeio import load_yaml, validated
from analysis.core.textfold import fold, name_form, word_spans

POLICY_FILE = Path("data/privacy/policy.yaml")
WITHHELD_FILE = Path("data/privacy/withheld_records.csv")
DEFAULT_THRESHOLD = 3
FREE_TEXT_COLUMNS = ("description", "declaration", "clusters", "photo")
# Free text shared by many records ("SYNTHETIC record") identifies no one; scanning for it would only
# flag boilerplate. Distinctive text is what can point at a person.
DISTINCTIVE_TEXT_CHARS, DISTINCTIVE_TEXT_MAX_RECORDS = 16, 3


# ------------------------------------------------------------------ the policy


@dataclass(frozen=True)
class PrivacyPolicy:
    small_count_threshold: int = DEFAULT_THRESHOLD
    withheld_ids: frozenset[int] = frozenset()


def policy_files(paths: ProjectPaths) -> list[Path]:
    return [p for p in (paths.root / POLICY_FILE, paths.root / WITHHELD_FILE) if p.exists()]


def load_policy(paths: ProjectPaths) -> PrivacyPolicy:
    return PrivacyPolicy(_threshold(paths.root / POLICY_FILE), _withheld_ids(paths.root / WITHHELD_FILE))


class _PolicyFile(BaseModel):
    """The declared schema of data/privacy/policy.yaml."""
    model_config = ConfigDict(extra="forbid")
    small_count_threshold: Annotated[StrictInt, Field(ge=1, le=1000)] = DEFAULT_THRESHOLD


def _threshold(path: Path) -> int:
    if not os.path.lexists(path):
        return DEFAULT_THRESHOLD
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise InputError(path, "expected 'small_count_threshold: <number>'", fix="see data/privacy/README.md")
    return validated(path, _PolicyFile, raw, fix="set small_count_threshold to a whole number, e.g. 3 (cells of 1 "
                                                 "or 2 persons suppressed); no other key is known").small_count_threshold


def _withheld_ids(path: Path) -> frozenset[int]:
    if not os.path.lexists(path):
        return frozenset()
    index, rows = read_records(path, ("record_id", "reason"))
    ids = set()
    for row_number, fields in rows:
        text, reason = fields[index["record_id"]].strip(), fields[index["reason"]].strip()
        if not re.fullmatch(r"[0-9]{1,12}", text):
            raise InputError(path, f"record_id {text!r} is not a positive integer", row=row_number,
                             field="record_id", fix="write the registry's numeric record id")
        if not reason:
            raise InputError(path, f"record {text} has no reason", row=row_number, field="reason",
                             fix="say why the identity is withheld (e.g. 'asked by the family')")
        ids.add(int(text))
    return frozenset(ids)


# ------------------------------------------------------------------ small counts


def suppress_small_counts(frame: pl.DataFrame, count: str, group: str, threshold: int,
                          hide: tuple[str, ...] = ()) -> pl.DataFrame:
    """Blank the count (and `hide` columns) of every cell under `threshold` persons, and mark it `suppressed`.

    Within a group (e.g. one dimension of the composition table) whose total is published elsewhere,
    a single blanked cell could be worked out by subtraction, so the next smallest cell is blanked
    with it (secondary suppression). Zero cells are not listed at all, so they need no suppression.
    """
    primary = pl.col(count).is_not_null() & (pl.col(count) > 0) & (pl.col(count) < threshold)
    marked = frame.with_columns(primary.alias("_primary"))
    rank = pl.col(count).rank("ordinal").over(group)
    smallest_other = (~pl.col("_primary")) & (rank == rank.filter(~pl.col("_primary")).min().over(group))
    lonely = pl.col("_primary").sum().over(group) == 1
    suppressed = pl.col("_primary") | (lonely & smallest_other)
    marked = marked.with_columns(suppressed.fill_null(False).alias("suppressed"))
    blank = {c: pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in (count, *hide)}
    return marked.with_columns(**blank).drop("_primary")


# ------------------------------------------------------------------ who may be named


def named_releases(persons: pl.DataFrame, release_records: pl.DataFrame, policy: PrivacyPolicy,
                   start: dt.date, end: dt.date, owners: dict[str, frozenset]) -> pl.DataFrame:
    """People released between start and end whom the records allow to be named (see module docstring).

    `persons` is the period's reference copy; `owners` maps each folded name in every ingested copy
    to the record ids bearing it (`name_owners`): a named person must be the only one.
    """
    consent = release_records.filter(
        pl.col("identity_publishable").fill_null(False) & pl.col("release_date").is_between(start, end)
        & ~pl.col("record_id").is_in(list(policy.withheld_ids)))
    named = (persons.filter(pl.col("record_id").is_not_null())
             .join(consent.select("record_id", "release_date", "mechanism", "destination"), on="record_id")
             .filter(registry_agrees_with_release())   # fail closed: the copy must say so too
             .select("record_id", "name_raw", "release_date", "mechanism", "destination"))
    own = [bool(key) and owners.get(key, frozenset()) <= {record_id}
           for key, record_id in zip(map(name_fold, named["name_raw"]), named["record_id"])]
    return (named.filter(pl.Series(own, dtype=pl.Boolean))
            .select("name_raw", "release_date", "mechanism", "destination").sort("release_date", "name_raw"))


def registry_agrees_with_release(record_date: str = "release_date") -> pl.Expr:
    """Over persons joined with their release record: the copy does not list the person as held (`former`,
    or `np`: convicted in a political case, not recognised, and released too), not as dead in custody,
    and its release date, if it gives one, allows the record's date."""
    dated = pl.col("release_date_from").is_not_null()
    same_day = (pl.col(record_date) >= pl.col("release_date_from")) & (pl.col(record_date) <= pl.col("release_date_to"))
    return ((pl.col("status") != "active") & ~pl.col("died_in_custody").fill_null(False)
            & (~dated | same_day)).fill_null(False)


def check_withheld_ids(paths: ProjectPaths) -> None:
    """Every id on the withheld list must be in some copy of the list: a typo would leave the person it
    was meant to protect unprotected, so an unknown id stops the run."""
    path = paths.root / WITHHELD_FILE
    if not os.path.lexists(path):
        return
    known = set(all_persons(paths)["record_id"].drop_nulls().to_list())
    index, rows = read_records(path, ("record_id", "reason"))
    for row_number, fields in rows:
        text = fields[index["record_id"]].strip()
        if int(text) not in known:
            raise InputError(path, f"record id {text} is in no copy of the list", row=row_number, field="record_id",
                             fix="correct the id (a typo here would leave the person it should protect named), "
                                 "or remove the row if the record is gone")


def name_owners(everyone: pl.DataFrame) -> dict[str, frozenset]:
    """Folded name -> the record ids (None for a copy without ids) of the rows bearing it, in any script."""
    owners: dict[str, set] = {}
    for column in ("name_raw", "name_latin", "name_cyrillic"):
        for name, record_id in everyone.select(column, "record_id").drop_nulls(column).iter_rows():
            owners.setdefault(name_fold(name), set()).add(record_id)
    return {key: frozenset(ids) for key, ids in owners.items()}


@lru_cache(maxsize=4)
def _build_name_owners(build: str) -> dict[str, frozenset]:
    return name_owners(_all_persons(build))


def ingested_name_owners(paths: ProjectPaths) -> dict[str, frozenset]:
    return _build_name_owners(str(paths.ingest.resolve()))


@lru_cache(maxsize=262_144)
def name_fold(text: str | None) -> str:
    """A name as compared (analysis.core.textfold): however it is written, its folded words joined by one
    space ("<b>Ales__BIАLIATSKI" with a Cyrillic А -> "b ales bialiatski")."""
    return name_form(text)


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


def restricted_values(paths: ProjectPaths, policy: PrivacyPolicy, allowed_names: set[str] = frozenset()) -> Restricted:
    """Every restricted name, birth date, slug and withheld id in the ingested data.

    `allowed_names` (folded) are the names a build may carry (the consented named releases).
    """
    everything = _restricted(str(paths.ingest.resolve()), policy)
    return dataclasses.replace(everything, names=everything.names - set(allowed_names))


@lru_cache(maxsize=4)
def _restricted(build: str, policy: PrivacyPolicy) -> Restricted:
    persons = _all_persons(build)
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
        from analysis.ingest.registry import read_registry_file

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


def all_persons(paths: ProjectPaths) -> pl.DataFrame:
    """The identifying columns of every person row in every ingested copy (restricted data)."""
    return _all_persons(str(paths.ingest.resolve()))


@lru_cache(maxsize=4)
def _all_persons(build: str) -> pl.DataFrame:
    columns = ["record_id", "name_raw", "name_latin", "name_cyrillic", "birth_date_from", "birth_date_precision",
               "url_slug", *FREE_TEXT_COLUMNS]
    files = sorted((Path(build) / "restricted" / "registry").glob("*/persons.parquet"))
    return pl.concat([pl.read_parquet(f, columns=columns) for f in files]) if files else pl.DataFrame(
        schema={c: pl.String for c in columns})


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
    import pyarrow.parquet as pq

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


def check_build(paths: ProjectPaths, period, build: Path) -> list[Leak]:
    """Scan a staged period build for every restricted value, allowing only the names it may carry."""
    from analysis.tables.period import load_inputs

    inputs = load_inputs(paths, period)
    # Who may be named is worked out again from the inputs, not read from the build it is checking.
    named = named_releases(inputs.persons, inputs.release_records, inputs.policy, period.start, period.end,
                           ingested_name_owners(paths))
    allowed = {name_fold(n) for n in named["name_raw"]}
    return scan_folder(build, restricted_values(paths, inputs.policy, allowed))


def publish_checked(paths: ProjectPaths, period, build: Path, target: Path) -> None:
    """Publish a staged build only if it holds no restricted value; otherwise raise and publish nothing."""
    from analysis.core.staging import publish

    leaks = check_build(paths, period, build)
    if leaks:
        shown = "\n".join(f"  {leak.line()}" for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        raise PrivacyViolation(
            f"nothing was published for {period.label}: the staged build holds {len(leaks)} restricted "
            f"value(s):\n{shown}{more}\nWhat to do: find which step wrote them (the file and line above) and keep "
            f"person-level data in the restricted tier; values are fingerprinted, never printed")
    publish(build, target)
