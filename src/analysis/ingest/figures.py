"""The ledger of published figures: real numbers with their sources, typed and given stable ids.

One row of `data/raw/figures/<date>/published_figures.csv` is one figure as published
(`as_of_date, metric, value, qualifier, unit, source_org, source_title, url, quote`). The
reader keeps every row, including duplicates and conflicting figures, and adds:

* `figure_id`: "fig-" + the first 10 hex digits of the sha256 of the row's original fields,
  so the same row always gets the same id, wherever it sits in the file;
* the date as a range (`as_of_from`..`as_of_to`, with `as_of_precision` day/month/undated);
* the range of counts the qualifier allows (`lower`..`upper`, null upper = unbounded), by the
  rules in `decisions/qualifier_bounds.yaml`, named in `bound_rule`.

Bad input (an unknown qualifier, a negative or non-numeric value, an unreadable date) stops
the read with an InputError naming the file, the data row and the field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from analysis.core.schema import Columns
from analysis.ingest.csvfile import read_records, whole_number_problem
from analysis.core import decisions
from analysis.core.errors import InputError
from analysis.core.safeio import NoAliasLoader, read_text
from analysis.ingest.provenance import list_snapshots, verify_checksums
from analysis.core.paths import project_paths

LEDGER_FILE = "published_figures.csv"
LEDGER_COLUMNS: tuple[str, ...] = (
    "as_of_date", "metric", "value", "qualifier", "unit", "source_org", "source_title", "url", "quote",
)
BOUNDS_RESOURCE = "qualifier_bounds.yaml"

LEDGER_SCHEMA: Columns = {
    "figure_id": pl.String,
    "row_number": pl.Int64,
    "as_of_text": pl.String,
    "as_of_from": pl.Date,
    "as_of_to": pl.Date,
    "as_of_precision": pl.String,
    "metric": pl.String,
    "value": pl.Int64,
    "qualifier": pl.String,
    "lower": pl.Int64,
    "upper": pl.Int64,
    "bound_rule": pl.String,
    "unit": pl.String,
    "source_org": pl.String,
    "source_title": pl.String,
    "url": pl.String,
    "quote": pl.String,
    "is_seed_document": pl.Boolean,
    "source_file": pl.String,
}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})")
_EXPRESSION = re.compile(
    r"(?:(?P<factor>\d+(?:\.\d+)?)\s*\*\s*)?v(?:\s*(?P<sign>[+-])\s*(?P<offset>\d+))?"
)
_REMARK = re.compile(r"^(?P<head>[^()]*?)\s*\((?P<remark>[^()]*)\)\s*$")


def default_raw_root() -> Path:
    """`data/raw` of the project (ANALYSIS_ROOT if set, else this checkout)."""
    return project_paths(None).raw


# ---------------------------------------------------------------------------------------------
# Qualifier rules


@dataclass(frozen=True)
class BoundRule:
    qualifier: str
    lower: str
    upper: str | None
    reason: str

    def bounds(self, value: int) -> tuple[int, int | None]:
        lower = _evaluate(self.lower, value, round_up=False)
        upper = None if self.upper is None else _evaluate(self.upper, value, round_up=True)
        return max(lower, 0), upper

    def describe(self, matched_from: str | None = None) -> str:
        text = f"{self.qualifier}: [{self.lower}, {self.upper or 'unbounded'}] ({self.reason})"
        if matched_from is not None:
            text += f"; matched from '{matched_from}' by its leading words"
        return text


def _evaluate(expression: str, value: int, *, round_up: bool) -> int:
    text = str(expression).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    match = _EXPRESSION.fullmatch(text)
    if not match:
        raise ValueError(f"cannot read bound expression {expression!r}")
    factor = float(match["factor"]) if match["factor"] else 1.0
    offset = int(match["offset"] or 0) * (-1 if match["sign"] == "-" else 1)
    raw = factor * value
    # Round outward; the small epsilon keeps 0.95*100 = 95 from becoming 94 through float error.
    rounded = math.ceil(raw - 1e-9) if round_up else math.floor(raw + 1e-9)
    return rounded + offset


def load_bound_rules(path: Path | None = None) -> dict[str, BoundRule]:
    """The qualifier rules of decisions/qualifier_bounds.yaml (the checkout's by default), keyed by
    lower-case qualifier."""
    path = Path(path) if path is not None else decisions.folder() / decisions.QUALIFIER_BOUNDS
    return _parse_rules(read_text(path), str(path))


@lru_cache(maxsize=4)
def _parse_rules(text: str, origin: str) -> dict[str, BoundRule]:
    try:
        raw = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader without aliases
    except yaml.YAMLError as exc:
        raise InputError(origin, f"not valid YAML: {' '.join(str(exc).split())[:300]}",
                         fix="repair the YAML (no aliases or anchors)") from None
    if not isinstance(raw, dict):
        raise InputError(origin, "expected a mapping of qualifier to {lower, upper, reason}",
                         fix="see the comment at the top of qualifier_bounds.yaml")
    rules: dict[str, BoundRule] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict) or "lower" not in entry or "upper" not in entry or not entry.get("reason"):
            raise InputError(origin, f"qualifier '{name}' needs lower, upper and reason", field=str(name),
                             fix="give both bounds as expressions of v and a one-line reason")
        rule = BoundRule(str(name).strip().lower(), str(entry["lower"]),
                         None if entry["upper"] is None else str(entry["upper"]), str(entry["reason"]))
        try:
            rule.bounds(1000)
        except ValueError as exc:
            raise InputError(origin, str(exc), field=str(name),
                             fix="write bounds like v, v+1, 0.95*v, 0 or null") from None
        rules[rule.qualifier] = rule
    return rules


def match_qualifier(qualifier: str, rules: dict[str, BoundRule]) -> tuple[BoundRule, str | None] | None:
    """The rule for a qualifier as written; a parenthetical remark is matched by its leading words.

    Returns (rule, original text if matched by the leading words else None), or None if unknown.
    """
    text = " ".join(qualifier.strip().lower().split())
    if text in rules:
        return rules[text], None
    remark = _REMARK.match(text)
    if remark and remark["head"] in rules:
        return rules[remark["head"]], qualifier
    return None


# ---------------------------------------------------------------------------------------------
# Dates and ids


def parse_as_of(text: str) -> tuple[dt.date | None, dt.date | None, str]:
    """'2024-07-03' -> that day; '2024-07' -> first..last day; '' -> undated. ValueError otherwise."""
    s = text.strip()
    if not s:
        return None, None, "undated"
    if _DAY.fullmatch(s):
        day = dt.date.fromisoformat(s)
        return day, day, "day"
    if m := _MONTH.fullmatch(s):
        year, month = int(m["y"]), int(m["m"])
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month"
    raise ValueError("not an ISO day (YYYY-MM-DD), a month (YYYY-MM) or empty")


def figure_id(fields: list[str] | tuple[str, ...]) -> str:
    """Stable id of one ledger row: its original fields joined by the unit separator, hashed."""
    digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()
    return "fig-" + digest[:10]


# ---------------------------------------------------------------------------------------------
# Reading


def latest_snapshot(raw_root: Path, source: str, file_name: str | None = None):
    """Metadata of the latest snapshot of `source` (that lists `file_name`, if given)."""
    snapshots = list_snapshots(Path(raw_root), source)
    if file_name is not None:
        snapshots = [m for m in snapshots if any(f.name == file_name for f in m.files)]
    if not snapshots:
        wanted = f" with {file_name}" if file_name else ""
        raise InputError(Path(raw_root) / source, f"no {source} snapshot{wanted}",
                         fix=f"add one under data/raw/{source}/<YYYY-MM-DD>/ with metadata.yaml")
    return snapshots[-1]


def read_ledger(raw_root: Path | None = None) -> pl.DataFrame:
    """The latest figures snapshot as a typed table (checksums verified first)."""
    raw_root = Path(raw_root) if raw_root is not None else default_raw_root()
    meta = latest_snapshot(raw_root, "figures", LEDGER_FILE)
    verify_checksums(meta)
    path = meta.directory / LEDGER_FILE
    try:
        label = path.relative_to(raw_root.parent.parent).as_posix()
    except ValueError:
        label = path.as_posix()
    project_rules = raw_root.parent.parent / decisions.FOLDER / decisions.QUALIFIER_BOUNDS
    ledger = read_ledger_file(path, source_file=label,
                              rules=load_bound_rules(project_rules if project_rules.exists() else None))
    future = ledger.filter(pl.col("as_of_from") > meta.retrieved)
    if future.height:   # a figure cannot refer to a day after the ledger was compiled
        row = future.row(0, named=True)
        raise InputError(path, f"as_of_date {row['as_of_text']} is after the ledger was retrieved ({meta.retrieved})",
                         row=row["row_number"], field="as_of_date",
                         fix="check the figure's date, or the ledger's 'retrieved' date in metadata.yaml")
    return ledger


def read_ledger_file(path: Path, *, source_file: str | None = None,
                     rules: dict[str, BoundRule] | None = None) -> pl.DataFrame:
    """Read one ledger CSV (no checksum check; `read_ledger` is the entry point for data/raw)."""
    path = Path(path)
    rules = load_bound_rules() if rules is None else rules
    source_file = source_file or path.name
    index, records = read_records(path, LEDGER_COLUMNS)
    rows = []
    for row_number, fields in records:
        rows.append(_typed_row(path, row_number, fields, index, rules, source_file))
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA, orient="row")


def _typed_row(path: Path, row_number: int, fields: list[str], index: dict[str, int],
               rules: dict[str, BoundRule], source_file: str) -> tuple:
    get = {name: fields[i] for name, i in index.items()}
    as_of_text = get["as_of_date"].strip()
    try:
        as_of_from, as_of_to, precision = parse_as_of(as_of_text)
    except ValueError as exc:
        raise InputError(path, f"as_of_date {as_of_text!r}: {exc}", row=row_number, field="as_of_date",
                         fix="write the date as YYYY-MM-DD, YYYY-MM, or leave it empty if the source has none"
                         ) from None
    value_text = get["value"].strip()
    if problem := whole_number_problem(value_text):
        raise InputError(path, problem, row=row_number, field="value",
                         fix="write the count as the source states it, in digits without separators (e.g. 1118); "
                             "counts are whole and never negative; 'about', 'over' ... go in the qualifier")
    value = int(value_text)
    qualifier = get["qualifier"].strip()
    matched = match_qualifier(qualifier, rules)
    if matched is None:
        raise InputError(path, f"unknown qualifier {qualifier!r}", row=row_number, field="qualifier",
                         fix=f"use one of {', '.join(sorted(rules))}, or add it with bounds and a reason "
                             f"to decisions/{BOUNDS_RESOURCE}")
    rule, matched_from = matched
    lower, upper = rule.bounds(value)
    quote = get["quote"]
    return (
        figure_id(fields), row_number, as_of_text, as_of_from, as_of_to, precision,
        get["metric"].strip(), value, qualifier, lower, upper, rule.describe(matched_from),
        get["unit"].strip(), get["source_org"].strip(), get["source_title"].strip(), get["url"].strip(),
        quote, "seed document" in quote.lower(), source_file,
    )
