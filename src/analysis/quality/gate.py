"""The quality gate: nothing is published that failed its checks.

Each reporting period the tables (analysis.core.schema.PERIOD_TABLES) and the registry snapshot's persons
are checked against the suites in `expectations/*.json` (reviewable JSON, loaded read-only into an
in-memory Great Expectations suite on every run). Column TYPES are checked in Polars (frame.schema
must equal the declared schema); rules that compare dates or join tables are computed in Polars as
boolean columns and checked by an ordinary expectation, so every rule reads the same in the report.

A critical failure blocks publication (`raise_if_critical`); a warning is published and shown.
Examples from restricted data (persons, and the cross-cycle person rows) never show a name, birth
date, record id, URL slug or free text: only `source_file`, `source_row` and the column names.

    report = validate_period(tables, persons, ValidationContext("2026-02", date(2026, 2, 28), prev, prev_persons))
    report.write_json(path); page = render_validation_page(report, "2026-02", synthetic=True)
    raise_if_critical(report)
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from analysis.core import schema
from analysis.core.paths import CHECKOUT_DIR
from analysis.tables.custody import NON_CUSTODIAL_REGIMES, NON_CUSTODIAL_SENTENCES
from analysis.publish.privacy import registry_agrees_with_release
from analysis.core.errors import InputError, ValidationFailed
from analysis.tables.period import SERVED_AFTER_VERDICT

SUITES_DIR = CHECKOUT_DIR / "expectations"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

SEVERITIES = ("critical", "warning")
SUITE_TABLES = ("persons", *schema.PERIOD_TABLES, "stock_flow", "cross_cycle")
MAX_EXAMPLES = 5
HEADLINE_BOUND = 0.10  # the end stock may move by this share of the previous end without explanation
# Registries are revised: people are recognised later with earlier detention dates, so this period's
# start (counted from this period's copy) can differ from the previous period's published end. A
# revision is shown as a warning; one larger than this share of the previous end blocks publication.
REVISION_BOUND = 0.02
# Sentence kinds under which a release before the verdict is no error: not known to be custodial (a
# fine, no sentence, an outcome the source does not know). Compulsory treatment is served in a hospital
# under guard: the rule applies to it.
RELEASED_BEFORE_VERDICT_KINDS = (*NON_CUSTODIAL_SENTENCES, "unknown")
DATE_PRECISIONS = ("day", "month", "year")

# Rows are named in examples by these columns. Persons are restricted: nothing else of theirs is shown.
EXAMPLE_KEYS: dict[str, tuple[str, ...]] = {
    "persons": ("source_file", "source_row"),
    "stock": ("period", "position"),
    "flows": ("period", "direction", "mechanism"),
    "releases": ("event_id",),
    "monthly": ("month",),
    "composition": ("dimension", "category"),
    "time_served": ("scope", "mechanism"),
    "deaths": ("date", "cumulative"),
    "reconciliation": ("figure_id", "metric", "source_org"),
    "coverage": ("item",),
    "stock_flow": ("check_row",),
    "cross_cycle": ("row_kind", "source_file", "source_row", "next_source_file", "next_source_row"),
}
RESTRICTED = frozenset({"persons"})

# The frames joined in Polars. Only counts, dates of public tables, source rows and booleans: no
# names, ids or personal dates ever reach them. Each rule is a boolean column (null = not applied).
_I, _B, _D, _S, _F = pl.Int64, pl.Boolean, pl.Date, pl.String, pl.Float64
STOCK_FLOW: dict[str, pl.DataType] = {
    "check_row": _S, "start_held": _I, "end_held": _I, "start_listed": _I, "end_listed": _I,
    "listed_without_detention_date": _I, "start_as_of": _D, "end_as_of": _D, "flow_entries": _I,
    "flow_exits": _I, "monthly_held_start": _I, "monthly_held_end": _I, "monthly_entries": _I, "monthly_exits": _I,
    "month": _S, "previous_month": _S, "held_start": _I, "entries": _I, "exits": _I, "held_end": _I,
    "previous_held_end": _I, "exits_by_mechanism": _I, "net_change": _I,
    "registry_active": _I, "exit_mechanisms_differing": _S, "period_identity": _B, "stock_as_of_ordered": _B,
    "end_matches_registry_active": _B, "stock_start_matches_monthly": _B,
    "stock_end_matches_monthly": _B, "flows_match_monthly": _B, "monthly_identity": _B, "monthly_chain": _B,
    "months_contiguous": _B, "monthly_exits_add_up": _B, "monthly_net_change": _B,
}
CROSS_CYCLE: dict[str, pl.DataType] = {
    "row_kind": _S, "source_file": _S, "source_row": pl.Int32, "next_source_file": _S, "next_source_row": pl.Int32,
    "present_in_next": _B, "no_return_without_new_detention": _B,
    "previous_end_held": _I, "previous_end_as_of": _D, "start_held": _I, "start_as_of": _D, "end_held": _I,
    "change": _I, "net_flow": _I, "bound": _F, "tolerance": _F,
    "start_equals_previous_end": _B, "start_follows_previous_end": _B, "headline_move_explained": _B,
    "revision": _I, "revision_bound": _F, "revision_within_bound": _B,
}
TYPE_CHECK = "schema (Polars)"

c = pl.col


# ============================================================================ suites


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    severity: str
    rule: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    declared: int
    description: str
    expectations: tuple[Expectation, ...]
    file: str  # file name only: reports never carry a machine's paths
    sha256: str


def load_suites(directory: Path = SUITES_DIR) -> dict[str, Suite]:
    """Read every `<table>.json` of `directory` (read-only); raise InputError on any defect.

    A suite that lists fewer or more expectations than it declares, names an expectation type Great
    Expectations does not know, or lacks a severity or rule stops the run: a check that silently does
    not run is worse than no run.
    """
    directory = Path(directory)
    suites = {s.name: s for s in map(_read_suite, sorted(directory.glob("*.json")))}
    missing = [t for t in SUITE_TABLES if t not in suites]
    if missing:
        raise InputError(directory.name, f"no suite for {', '.join(missing)}",
                         fix=f"add {', '.join(m + '.json' for m in missing)} to the expectations folder")
    return suites


def _read_suite(path: Path) -> Suite:
    data = path.read_bytes()
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path.name, f"not valid JSON: {exc}", fix="fix the JSON syntax") from None
    for key in ("name", "table", "declared_expectations", "description", "expectations"):
        if key not in doc:
            raise InputError(path.name, f"the suite has no '{key}'", field=key, fix="see the other suites")
    if doc["name"] != path.stem or doc["table"] not in SUITE_TABLES:
        raise InputError(path.name, f"suite {doc['name']!r} for table {doc['table']!r}", field="name",
                         fix=f"name a suite after its file and check one of: {', '.join(SUITE_TABLES)}")
    listed = [_read_expectation(path, i, raw) for i, raw in enumerate(doc["expectations"], start=1)]
    if doc["declared_expectations"] != len(listed):
        raise InputError(path.name, f"declares {doc['declared_expectations']} expectations but lists {len(listed)}",
                         field="declared_expectations",
                         fix="a rule went missing or was added: review the suite and fix the count")
    return Suite(doc["name"], doc["table"], doc["declared_expectations"], doc["description"], tuple(listed),
                 path.name, hashlib.sha256(data).hexdigest())


def _read_expectation(path: Path, number: int, raw: dict) -> Expectation:
    meta = raw.get("meta") or {}
    problem = None
    if not _known_type(raw.get("type", "")):
        problem = f"unknown expectation type {raw.get('type')!r}"
    elif not isinstance(raw.get("kwargs"), dict):
        problem = "kwargs must be an object"
    elif meta.get("severity") not in SEVERITIES:
        problem = f"meta.severity must be one of {', '.join(SEVERITIES)}, not {meta.get('severity')!r}"
    elif not str(meta.get("rule", "")).strip():
        problem = "meta.rule (a short human sentence) is missing"
    if problem:
        raise InputError(path.name, f"expectation {number}: {problem}", field="expectations",
                         fix="use a Great Expectations core type and give meta.severity and meta.rule")
    kwargs = raw["kwargs"]
    named = meta.get("columns") or kwargs.get("column_list") or [kwargs[k] for k in ("column", "column_A", "column_B")
                                                                 if k in kwargs]
    return Expectation(raw["type"], kwargs, meta["severity"], meta["rule"].strip(), tuple(named))


def _known_type(name: str) -> bool:
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        get_expectation_impl(name)
    except ExpectationNotFoundError:
        return False
    return True


def _gx_suite(suite: Suite, only: set[int] | None = None):
    """The in-memory Great Expectations suite (or its expectations numbered in `only`); raises if it
    holds fewer expectations than declared."""
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = ExpectationSuite(name=suite.name)
    for number, exp in enumerate(suite.expectations):
        if only is not None and number not in only:
            continue
        config = ExpectationConfiguration(type=exp.type, kwargs=copy.deepcopy(exp.kwargs), meta={"check": number})
        try:
            gx_suite.add_expectation_configuration(config)
        except Exception as exc:  # noqa: BLE001 - any rejection must stop the run, with the suite named
            raise InputError(suite.file, f"expectation {number + 1} ({exp.type}) was rejected: {exc}",
                             field="expectations", fix="fix its kwargs") from None
    if only is None and len(gx_suite.expectations) != suite.declared:
        raise InputError(suite.file, f"loaded {len(gx_suite.expectations)} expectations, declared {suite.declared}",
                         field="expectations", fix="two expectations are identical or one was dropped: review")
    return gx_suite


# ============================================================================ context and report


@dataclass
class ValidationContext:
    period: str
    snapshot_date: dt.date
    previous_tables: dict[str, pl.DataFrame] | None
    previous_persons: pl.DataFrame | None
    tolerance: float = 0.03  # share of the previous end stock a move may differ from entries - exits
    release_records: pl.DataFrame | None = None   # person-level release records (restricted), if any
    small_count_threshold: int = 3  # data/privacy/policy.yaml: no shown breakdown cell counts fewer people


@dataclass(frozen=True)
class CheckResult:
    table: str
    columns: tuple[str, ...]
    rule: str
    severity: str
    success: bool
    unexpected_count: int | None  # None for table-level checks (e.g. the row count)
    examples: tuple[dict[str, Any], ...] = ()
    expectation: str = ""
    checked: int | None = None  # rows the rule applied to
    note: str = ""

    @property
    def outcome(self) -> str:
        return "passed" if self.success else ("failed" if self.severity == "critical" else "warning")

    def sort_key(self) -> tuple:
        return (self.table, self.rule, self.columns, self.expectation)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "columns": list(self.columns), "column": ", ".join(self.columns),
                "rule": self.rule, "severity": self.severity,
                "success": self.success, "outcome": self.outcome, "unexpected_count": self.unexpected_count,
                "checked": self.checked, "expectation": self.expectation, "note": self.note,
                "examples": [dict(e) for e in self.examples]}

    def describe(self) -> str:
        """Readable lines for the CLI: table, columns, rule, count and example rows."""
        count = "" if self.unexpected_count is None else f"{self.unexpected_count} row(s) failed. "
        columns = ", ".join(self.columns) or "(whole table)"
        lines = [f"table {self.table}, column(s) {columns}", f"    rule: {self.rule}"]
        detail = count + (self.note + " " if self.note else "") + ("Examples:" if self.examples else "")
        if detail.strip():
            lines.append("    " + detail.strip())
        lines += ["      - " + ", ".join(f"{k}={_text(v)}" for k, v in e.items()) for e in self.examples]
        return "\n".join(lines)


@dataclass
class ValidationReport:
    period: str
    snapshot_date: dt.date
    synthetic: bool
    checks: list[CheckResult]
    suites: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no critical check failed: the period may be published (warnings shown)."""
        return not self.critical_failures

    @property
    def critical_failures(self) -> list[CheckResult]:
        return sorted((r for r in self.checks if r.outcome == "failed"), key=CheckResult.sort_key)

    @property
    def warnings(self) -> list[CheckResult]:
        return sorted((r for r in self.checks if r.outcome == "warning"), key=CheckResult.sort_key)

    def counts(self) -> tuple[int, int, int]:
        """(passed, warned, failed)."""
        outcomes = [r.outcome for r in self.checks]
        return outcomes.count("passed"), outcomes.count("warning"), outcomes.count("failed")

    def by_table(self) -> dict[str, list[CheckResult]]:
        order = {"failed": 0, "warning": 1, "passed": 2}
        tables: dict[str, list[CheckResult]] = {}
        for check in sorted(self.checks, key=lambda r: (order[r.outcome], r.sort_key())):
            tables.setdefault(check.table, []).append(check)
        return {t: tables[t] for t in sorted(tables, key=lambda t: (SUITE_TABLES + (t,)).index(t))}

    def summary_line(self) -> str:
        passed, warned, failed = self.counts()
        verdict = "publishable" if self.passed else "BLOCKED: nothing may be published"
        return (f"validation of period {self.period} (snapshot {self.snapshot_date.isoformat()}"
                f"{', SYNTHETIC' if self.synthetic else ''}): {passed} passed, {warned} warning(s), "
                f"{failed} critical failure(s) - {verdict}")

    def to_dict(self) -> dict[str, Any]:
        """Deterministic: sorted, no timestamps, no absolute paths."""
        passed, warned, failed = self.counts()
        return {"period": self.period, "snapshot_date": self.snapshot_date.isoformat(), "synthetic": self.synthetic,
                "passed": self.passed, "counts": {"passed": passed, "warned": warned, "failed": failed},
                "suites": sorted(self.suites, key=lambda s: s["name"]),
                "checks": [r.to_dict() for r in sorted(self.checks, key=CheckResult.sort_key)]}

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                        encoding="utf-8")
        return path


def raise_if_critical(report: ValidationReport) -> None:
    """Raise ValidationFailed, listing every failed critical rule with example rows; else return."""
    failures = report.critical_failures
    if not failures:
        return
    head = (f"quality gate for period {report.period} (snapshot {report.snapshot_date.isoformat()}) failed: "
            f"{len(failures)} critical check(s) failed, so nothing was published.")
    body = [f"{n}. " + f.describe() for n, f in enumerate(failures, start=1)]
    warned = len(report.warnings)
    tail = [f"Also {warned} warning(s), which alone would not block publication."] if warned else []
    raise ValidationFailed("\n".join([head, *body, *tail]))


def _text(value: Any) -> str:
    return "null" if value is None else str(value)


# ============================================================================ validate


def validate_period(tables: dict[str, pl.DataFrame], persons: pl.DataFrame, context: ValidationContext,
                    suites_dir: Path | None = None) -> ValidationReport:
    """Check one period's tables and its registry snapshot; returns the report (never raises on data).

    Raises InputError only when a suite is broken (then nothing was checked).
    """
    suites = load_suites(suites_dir or SUITES_DIR)
    type_checks, conformed = _type_checks(tables, persons)
    frames = _checked_frames(conformed, context)
    checks = type_checks + _run_suites(suites, frames, {"current_period": [context.period],
                                                      "small_count_threshold": context.small_count_threshold})
    synthetic = _any_true(conformed["persons"], "synthetic") or any(
        _any_true(conformed[t], "synthetic") for t in schema.PERIOD_TABLES)
    suite_info = [{"name": s.name, "file": s.file, "sha256": s.sha256, "declared_expectations": s.declared}
                  for s in suites.values()]
    return ValidationReport(context.period, context.snapshot_date, synthetic, checks, suite_info)


def _any_true(frame: pl.DataFrame, column: str) -> bool:
    return frame.height > 0 and bool(frame[column].fill_null(False).any())


# ---------------------------------------------------------------------------- types (Polars)


def _type_checks(tables: dict[str, pl.DataFrame], persons: pl.DataFrame):
    declared = {"persons": schema.PERSONS, **schema.PERIOD_TABLES}
    given = {"persons": persons, **tables}
    checks, conformed = [], {}
    for name, columns in declared.items():
        frame = given.get(name)
        checks.append(_type_check(name, frame, columns))
        conformed[name] = _conform(frame, columns)
    return checks, conformed


def _type_check(table: str, frame: pl.DataFrame | None, declared: dict[str, pl.DataType]) -> CheckResult:
    rule = f"Column names, order and types equal the declared schema (analysis.core.schema.{table.upper()})"
    if frame is None:
        return CheckResult(table, (), rule, "critical", False, None, expectation=TYPE_CHECK,
                           note="the table was not given")
    found = dict(frame.schema)
    problems = [{"column": name, "declared": str(dtype), "found": str(found.get(name, "missing"))}
                for name, dtype in declared.items() if found.get(name) != dtype]
    problems += [{"column": name, "declared": "absent", "found": str(dtype)} for name, dtype in found.items()
                 if name not in declared]
    if not problems and list(found) != list(declared):
        problems = [{"column": "(all)", "declared": "schema order", "found": "other order"}]
    return CheckResult(table, tuple(p["column"] for p in problems), rule, "critical", not problems, len(problems),
                       tuple(problems[:MAX_EXAMPLES]), TYPE_CHECK, len(declared))


def _conform(frame: pl.DataFrame | None, declared: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame in the declared schema (wrong types cast, missing columns null) so value rules still run."""
    if frame is None:
        return schema.empty(declared)
    return frame.select([c(n).cast(t, strict=False) if n in frame.columns else pl.lit(None, t).alias(n)
                         for n, t in declared.items()])


# ---------------------------------------------------------------------------- checked frames (Polars)


def _checked_frames(tables: dict[str, pl.DataFrame], context: ValidationContext) -> dict[str, pl.DataFrame]:
    previous = {name: _conform(frame, schema.PERIOD_TABLES[name])
                for name, frame in (context.previous_tables or {}).items() if name in schema.PERIOD_TABLES}
    return {
        "persons": _persons_frame(tables["persons"], context.snapshot_date, context.release_records),
        "stock": _stock_frame(tables["stock"]),
        "flows": tables["flows"],
        "releases": _releases_frame(tables["releases"]),
        "monthly": _monthly_frame(tables["monthly"]),
        "composition": tables["composition"],
        "time_served": tables["time_served"].with_columns(
            quantiles_ordered=(c("p25_months") <= c("median_months")) & (c("median_months") <= c("p75_months"))),
        "deaths": _deaths_frame(tables["deaths"], context.snapshot_date),
        "reconciliation": _reconciliation_frame(tables["reconciliation"]),
        "coverage": tables["coverage"],
        "stock_flow": _stock_flow_frame(tables, context.snapshot_date),
        "cross_cycle": _cross_cycle_frame(tables, previous if context.previous_tables is not None else None,
                                          context),
    }


def _range_well_formed(name: str) -> pl.Expr:
    lo, hi, precision = c(f"{name}_from"), c(f"{name}_to"), c(f"{name}_precision")
    absent = lo.is_null() & hi.is_null() & precision.is_null()
    present = (lo <= hi).fill_null(False) & precision.is_in(DATE_PRECISIONS).fill_null(False)
    return (absent | present).alias(f"{name}_range_well_formed")


def _persons_frame(persons: pl.DataFrame, snapshot: dt.date, records: pl.DataFrame | None = None) -> pl.DataFrame:
    snap = pl.lit(snapshot)
    persons = _with_release_records(persons, records, snapshot)
    # Released before the verdict is normal under a non-custodial sentence; detention after it is normal
    # where the sentence is served after the verdict (restricted freedom, arrest).
    non_custodial = (c("penalty_regime").is_in(NON_CUSTODIAL_REGIMES)
                     | c("sentence_kind").is_in(RELEASED_BEFORE_VERDICT_KINDS)).fill_null(False)
    served_after = c("penalty_regime").is_in(SERVED_AFTER_VERDICT).fill_null(False)
    died = c("died_in_custody").fill_null(False) | c("died_from").is_not_null()
    return persons.with_columns(
        *[_range_well_formed(name) for name in schema.DATE_FIELDS],
        *[(c(f"{name}_from") <= snap).alias(f"{name}_not_after_snapshot")
          for name in ("birth_date", "arrested", "verdict_date", "died")],   # an appeal may be scheduled ahead
        snapshot_date_matches=c("snapshot_date") == snap,
        person_key_matches_record_id=pl.when(c("record_id").is_not_null())
        .then(c("person_key") == pl.lit("id:") + c("record_id").cast(pl.String)),
        name_key_unless_withheld=_named_or_withheld(),
        birth_before_detention=c("birth_date_from") < c("arrested_to"),
        detention_not_after_verdict=pl.when(~served_after).then(c("arrested_from") <= c("verdict_date_to")),
        verdict_not_after_release=pl.when(~non_custodial).then(c("verdict_date_from") <= c("release_date_to")),
        detention_not_after_release=c("arrested_from") <= c("release_date_to"),
        death_not_before_detention=c("died_to") >= c("arrested_from"),
        release_not_after_snapshot=pl.when(c("status") != "active").then(c("release_date_from") <= snap),
        active_not_released=pl.when(c("status") == "active").then(~(c("release_date_to") <= snap).fill_null(False)),
        died_not_active=pl.when(died).then(c("status") != "active"),
        sentence_months_fit_kind=pl.when(c("sentence_kind") == "term").then(c("sentence_months").is_not_null())
        .when(c("sentence_kind").is_not_null()).then(c("sentence_months").is_null()),
        colony_security_only_for_colony=pl.when(c("colony_security").is_not_null())
        .then(c("penalty_regime") == "colony"),
        prisoner_has_detention_date=pl.when(c("status") != "np").then(c("arrested_from").is_not_null()),
        release_record_agrees=pl.when(c("record_release_date").is_not_null())
        .then(registry_agrees_with_release("record_release_date")),
    ).drop("record_release_date")


def _with_release_records(persons: pl.DataFrame, records: pl.DataFrame | None, snapshot: dt.date) -> pl.DataFrame:
    """persons + the date of their release record, where one says they were released by the copy's date."""
    if records is None or records.is_empty():
        return persons.with_columns(record_release_date=pl.lit(None, pl.Date))
    dated = (records.filter(c("release_date") <= snapshot).group_by("record_id")
             .agg(c("release_date").max().alias("record_release_date")))
    return persons.join(dated, on="record_id", how="left", maintain_order="left")


def _named_or_withheld() -> pl.Expr:
    """A row is named (a name and its key) or withheld (no name column at all, not keyed by name): never half."""
    names = [c(n) for n in ("name_raw", "name_latin", "name_cyrillic", "name_key")]
    named = c("name_raw").is_not_null() & c("name_latin").is_not_null() & c("name_key").is_not_null()
    withheld = pl.all_horizontal(n.is_null() for n in names) & ~c("person_key").str.starts_with("name:")
    return (named | withheld).fill_null(False)


def _stock_frame(stock: pl.DataFrame) -> pl.DataFrame:
    return stock.with_columns(
        gender_parts_add_up=c("women") + c("men") + c("gender_unknown") == c("held"),
        point_within_bounds=(c("held_lower") <= c("held")) & (c("held") <= c("held_upper")),
        listed_without_date_within_held=c("listed_without_detention_date") <= c("held"),
        aged_60_plus_within_held=c("aged_60_plus") <= c("held"),
    )


def _releases_frame(releases: pl.DataFrame) -> pl.DataFrame:
    expelled = c("expelled_to_lithuania").fill_null(0) + c("expelled_to_ukraine").fill_null(0)
    return releases.with_columns(expelled_within_released=expelled <= c("released"))


def _monthly_frame(monthly: pl.DataFrame) -> pl.DataFrame:
    ratio = c("exits").cast(pl.Float64) / c("entries").cast(pl.Float64)
    return monthly.with_columns(
        month_end_matches_month=c("month_end") == _month_start(c("month")).dt.month_end(),
        point_within_bounds=(c("held_end_lower") <= c("held_end")) & (c("held_end") <= c("held_end_upper")),
        exits_by_rule_within_exits=c("exits_dated_by_rule") <= c("exits"),
        exit_entry_ratio_matches=pl.when(c("entries") > 0).then((c("exit_entry_ratio") - ratio).abs() < 1e-9)
        .otherwise(c("exit_entry_ratio").is_null()),
    )


def _month_start(month: pl.Expr) -> pl.Expr:
    return (month + "-01").str.to_date("%Y-%m-%d", strict=False)


def _deaths_frame(deaths: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    return deaths.sort("date", "cumulative", nulls_last=True).with_columns(
        cumulative_counts_each_death=c("cumulative") == pl.int_range(1, pl.len() + 1),
        death_not_after_snapshot=c("date") <= pl.lit(snapshot),
    )


def _reconciliation_frame(reconciliation: pl.DataFrame) -> pl.DataFrame:
    return reconciliation.with_columns(
        bounds_ordered=c("lower") <= c("upper"),
        comparable_has_count=pl.when(c("status") != "not_comparable").then(c("our_count").is_not_null()),
        our_count_within_our_bounds=pl.when(c("our_count").is_not_null())
        .then((c("our_lower") <= c("our_count")) & (c("our_count") <= c("our_upper"))),
    )


# ---------------------------------------------------------------------------- stock-flow identities


def _stock_flow_frame(tables: dict[str, pl.DataFrame], snapshot: dt.date) -> pl.DataFrame:
    rows = [_period_identity_row(tables, snapshot), _monthly_identity_rows(tables["monthly"])]
    return _conform(pl.concat(rows, how="diagonal_relaxed"), STOCK_FLOW)


def _stock_value(stock: pl.DataFrame, position: str, column: str = "held"):
    rows = stock.filter(c("position") == position)[column]
    return rows[0] if len(rows) else None


def _flow_total(flows: pl.DataFrame, direction: str, mechanism: str | None = None) -> int:
    rows = flows.filter((c("direction") == direction) & ((c("mechanism") == mechanism) if mechanism else pl.lit(True)))
    return int(rows["persons"].fill_null(0).sum())


def _equal(a, b) -> bool:
    return a is not None and b is not None and a == b


def _period_numbers(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The period's stock (STOCK), flows (FLOWS), in-period months (MONTHLY) and active count (PERSONS)."""
    stock, flows = tables["stock"], tables["flows"]
    months = tables["monthly"].filter(c("in_period").fill_null(False)).sort("month")
    return {
        "check_row": "period", "start_held": _stock_value(stock, "start"), "end_held": _stock_value(stock, "end"),
        "start_listed": _stock_value(stock, "start", "listed_without_detention_date"),
        "end_listed": _stock_value(stock, "end", "listed_without_detention_date"),
        "start_as_of": _stock_value(stock, "start", "as_of"), "end_as_of": _stock_value(stock, "end", "as_of"),
        "flow_entries": _flow_total(flows, "entry"), "flow_exits": _flow_total(flows, "exit"),
        "monthly_held_start": months["held_start"][0] if months.height else None,
        "monthly_held_end": months["held_end"][-1] if months.height else None,
        "monthly_entries": int(months["entries"].fill_null(0).sum()),
        "monthly_exits": int(months["exits"].fill_null(0).sum()),
        "registry_active": tables["persons"].filter(c("status") == "active").height,
        "exit_mechanisms_differing": ", ".join(
            m for m in schema.EXIT_MECHANISMS
            if _flow_total(flows, "exit", m) != int(months[f"exits_{m}"].fill_null(0).sum())) or None,
    }


def _period_identity_row(tables: dict[str, pl.DataFrame], snapshot: dt.date) -> pl.DataFrame:
    n = _period_numbers(tables)
    start, end, start_as_of, end_as_of = n["start_held"], n["end_held"], n["start_as_of"], n["end_as_of"]
    n |= {
        # Records without a detention date join the stock on the copy's own date by status, not by a flow.
        "period_identity": start is not None and _equal(
            end, start + n["flow_entries"] - n["flow_exits"] + (n["end_listed"] or 0) - (n["start_listed"] or 0)),
        "stock_as_of_ordered": start_as_of is not None and end_as_of is not None and start_as_of < end_as_of,
        "end_matches_registry_active": _equal(end, n["registry_active"]) if end_as_of == snapshot else None,
        "stock_start_matches_monthly": _equal(start, n["monthly_held_start"]),
        "stock_end_matches_monthly": _equal(end, n["monthly_held_end"]),
        "flows_match_monthly": n["exit_mechanisms_differing"] is None and n["flow_entries"] == n["monthly_entries"]
        and n["flow_exits"] == n["monthly_exits"],
    }
    return _conform(pl.DataFrame([n], strict=False), STOCK_FLOW)


def _monthly_identity_rows(monthly: pl.DataFrame) -> pl.DataFrame:
    exit_columns = [f"exits_{m}" for m in schema.EXIT_MECHANISMS]
    later = pl.int_range(0, pl.len()) > 0
    return (
        monthly.sort("month")
        .with_columns(previous_held_end=c("held_end").shift(1), previous_month=c("month").shift(1),
                      exits_by_mechanism=pl.sum_horizontal(exit_columns))
        .with_columns(
            monthly_identity=(c("held_end") == c("held_start") + c("entries") - c("exits")
                              + c("listed_without_detention_date")).fill_null(False),
            monthly_chain=pl.when(later).then((c("held_start") == c("previous_held_end")).fill_null(False)),
            months_contiguous=pl.when(later).then(
                (_month_start(c("previous_month")).dt.offset_by("1mo").dt.strftime("%Y-%m") == c("month"))
                .fill_null(False)),
            monthly_exits_add_up=(c("exits") == c("exits_by_mechanism")).fill_null(False),
            monthly_net_change=(c("net_change") == c("held_end") - c("held_start")).fill_null(False),
        )
        .select(c("month").alias("check_row"), "month", "previous_month", "held_start", "entries", "exits",
                "listed_without_detention_date",
                "held_end", "previous_held_end", "exits_by_mechanism", "net_change", "monthly_identity",
                "monthly_chain", "months_contiguous", "monthly_exits_add_up", "monthly_net_change")
    )


# ---------------------------------------------------------------------------- cross-cycle continuity


def _cross_cycle_frame(tables, previous_tables, context: ValidationContext) -> pl.DataFrame:
    rows = [_continuity_row(tables, previous_tables, context.tolerance)]
    if context.previous_persons is not None:
        previous_persons = _conform(context.previous_persons, schema.PERSONS)
        rows.append(_conform(_person_continuity(previous_persons, tables["persons"]), CROSS_CYCLE))
    return pl.concat(rows)


def _continuity_row(tables, previous_tables, tolerance: float) -> pl.DataFrame:
    row: dict[str, Any] = {"row_kind": "period", "start_equals_previous_end": None, "start_follows_previous_end": None,
                           "headline_move_explained": None, "revision_within_bound": None}
    if previous_tables is not None:
        stock, previous = tables["stock"], previous_tables.get("stock", schema.empty(schema.STOCK))
        prev_end, start, end = _stock_value(previous, "end"), _stock_value(stock, "start"), _stock_value(stock, "end")
        net_flow = _flow_total(tables["flows"], "entry") - _flow_total(tables["flows"], "exit")
        change = end - prev_end if end is not None and prev_end is not None else None
        row |= {"previous_end_held": prev_end, "start_held": start, "end_held": end, "change": change,
                "net_flow": net_flow, "bound": HEADLINE_BOUND, "tolerance": tolerance,
                "previous_end_as_of": _stock_value(previous, "end", "as_of"),
                "start_as_of": _stock_value(stock, "start", "as_of"),
                "start_equals_previous_end": _equal(start, prev_end),
                "revision": None if start is None or prev_end is None else start - prev_end,
                "revision_bound": REVISION_BOUND,
                "revision_within_bound": start is not None and prev_end is not None
                and abs(start - prev_end) <= REVISION_BOUND * prev_end,
                "headline_move_explained": change is not None and (
                    abs(change) <= HEADLINE_BOUND * prev_end or abs(change - net_flow) <= tolerance * prev_end)}
        row["start_follows_previous_end"] = _equal(row["start_as_of"], row["previous_end_as_of"])
    return _conform(pl.DataFrame([row], strict=False), CROSS_CYCLE)


def _person_continuity(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """One row per previous person: where they are now and whether a return to active is explained.

    A person whose name the source withholds can be followed only by record id: where either copy
    has no ids, whether they are still listed is not known (null, not applied), never a failure.
    Only source rows and booleans leave this function: no names, ids or dates.
    """
    matched = _match_persons(previous, current)
    by_id = c("record_id").is_not_null() & pl.lit(bool(current["record_id"].is_not_null().any()))
    followable = by_id | c("name_key").is_not_null()
    present = c("next_source_row").is_not_null()
    returned = (c("status") == "former") & (c("next_status") == "active")
    new_detention = pl.when(c("arrested_to").is_null()).then(c("next_arrested_from").is_not_null()) \
        .otherwise((c("next_arrested_from") > c("arrested_to")).fill_null(False))
    return matched.select(
        pl.lit("person").alias("row_kind"), "source_file", "source_row", "next_source_file", "next_source_row",
        pl.when(followable | present).then(present).alias("present_in_next"),
        pl.when(returned).then(new_detention).alias("no_return_without_new_detention"),
    )


def _match_persons(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """record_id where both rows have one; otherwise name_key + birth_date_from (both copies' rows)."""
    keep = ["record_id", "name_key", "birth_date_from"]
    prev = previous.select("source_file", "source_row", *keep, "status", "arrested_to").with_row_index("_prev")
    nxt = current.select(*keep, next_source_file="source_file", next_source_row="source_row", next_status="status",
                         next_arrested_from="arrested_from")
    found = ["_prev", "next_source_file", "next_source_row", "next_status", "next_arrested_from"]
    by_id = prev.filter(c("record_id").is_not_null()).join(nxt.filter(c("record_id").is_not_null()), on="record_id")
    by_name = (prev.join(by_id.select("_prev"), on="_prev", how="anti").filter(c("name_key").is_not_null())
               .join(nxt.filter(c("name_key").is_not_null()), on=["name_key", "birth_date_from"], nulls_equal=True)
               .filter(c("record_id").is_null() | c("record_id_right").is_null()))
    best = (pl.concat([by_id.select(found), by_name.select(found)])
            .sort("_prev", "next_source_row").unique("_prev", keep="first"))
    return prev.join(best, on="_prev", how="left").sort("_prev")


# ---------------------------------------------------------------------------- Great Expectations


_GX: dict[str, Any] = {}                      # one ephemeral context per process (a backfill validates many periods)
_SNAPSHOT_RESULTS: dict[tuple, list] = {}     # persons-suite results by (suite sha256, frame content)


def _gx_source():
    if not _GX:
        import great_expectations as gx  # 2-8 s to import: only when validating
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _GX.update(source=context.data_sources.add_pandas("period"), assets=0)
    _GX["assets"] += 1
    return _GX["source"], _GX["assets"]


def _run_suites(suites: dict[str, Suite], frames: dict[str, pl.DataFrame], parameters: dict) -> list[CheckResult]:
    results: list[CheckResult] = []
    for name in sorted(suites):
        suite, frame = suites[name], frames[suites[name].table]
        # The persons suite depends only on the registry copy: periods counted from one copy share it.
        key = (suite.sha256, frame.height, int(frame.hash_rows(seed=7).sum())) if suite.table == "persons" else None
        if key in _SNAPSHOT_RESULTS:
            results += _SNAPSHOT_RESULTS[key]
            continue
        source, number = _gx_source()
        batch = (source.add_dataframe_asset(f"{name}-{number}").add_batch_definition_whole_dataframe("whole")
                 .get_batch(batch_parameters={"dataframe": frame.to_pandas()}))
        outcome = batch.validate(_gx_suite(suite), result_format=_COUNTS, expectation_parameters=parameters)
        if len(outcome.results) != suite.declared:
            raise InputError(suite.file, f"{len(outcome.results)} results for {suite.declared} declared expectations",
                             fix="an expectation did not run: review the suite")
        checked = [_check_result(suite, r, frame) for r in _with_examples(suite, batch, outcome.results, parameters)]
        if key is not None:
            _SNAPSHOT_RESULTS[key] = checked
        results += checked
    return results


# Counts and observed values of every expectation; the rows behind a failure (SUMMARY's index list)
# only for the failed ones, in a second pass: SUMMARY for all costs a third more, and most pass.
_COUNTS = {"result_format": "BASIC", "partial_unexpected_count": MAX_EXAMPLES}
_EXAMPLES = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES}


def _with_examples(suite: Suite, batch, results: list, parameters: dict) -> list:
    """`results`, each failed one replaced by its SUMMARY result (same counts, plus example rows)."""
    failed = {r.expectation_config.meta["check"] for r in results if not r.success}
    if not failed:
        return results
    detailed = batch.validate(_gx_suite(suite, only=failed), result_format=_EXAMPLES,
                              expectation_parameters=parameters).results
    by_check = {r.expectation_config.meta["check"]: r for r in detailed}
    if set(by_check) != failed:
        raise InputError(suite.file, f"the second pass returned {sorted(by_check)} for the failed {sorted(failed)}",
                         fix="an expectation did not run: review the suite")
    return [by_check.get(r.expectation_config.meta["check"], r) for r in results]


def _check_result(suite: Suite, result, frame: pl.DataFrame) -> CheckResult:
    exp = suite.expectations[result.expectation_config.meta["check"]]
    info, raw = result.result or {}, result.exception_info or {}
    error = next((v for v in raw.values() if isinstance(v, dict)), raw) if raw else {}
    if error.get("raised_exception"):
        return CheckResult(suite.table, exp.columns, exp.rule, exp.severity, False, None, (), exp.type, None,
                           _error_note(suite.table, error.get("exception_message") or ""))
    indices = info.get("partial_unexpected_index_list") or []
    checked = info["element_count"] - info.get("missing_count", 0) if "element_count" in info else None
    note = _note(info, checked)
    return CheckResult(suite.table, exp.columns, exp.rule, exp.severity, bool(result.success),
                       info.get("unexpected_count"), _examples(frame, suite.table, exp, indices), exp.type,
                       checked, note)


def _note(info: dict, checked: int | None) -> str:
    if "observed_value" in info:
        return f"observed: {info['observed_value']}"
    if checked == 0:
        return "not applicable: no rows to check"
    return ""


def _error_note(table: str, message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if table in RESTRICTED and "does not exist" not in first:
        first = "details withheld (restricted data)"  # an engine message might quote a value
    return f"the check could not run: {first[:200]}"


def _examples(frame: pl.DataFrame, table: str, exp: Expectation, indices: list) -> tuple[dict[str, Any], ...]:
    keys = [k for k in EXAMPLE_KEYS[table] if k in frame.columns]
    shown = [] if table in RESTRICTED else [col for col in exp.columns if col in frame.columns and col not in keys]
    rows = []
    for index in sorted(int(i) for i in indices)[:MAX_EXAMPLES]:
        record = frame.row(index, named=True)
        example = {k: _plain(record[k]) for k in keys if record[k] is not None}
        example |= {col: _plain(record[col]) for col in shown}
        rows.append(example)
    return tuple(rows)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# ============================================================================ page


def render_validation_page(report: ValidationReport, period: str, synthetic: bool) -> str:
    """A self-contained offline HTML page (inline CSS, no scripts); all text from data is escaped."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    passed, warned, failed = report.counts()
    return env.get_template("validation.html.j2").render(
        report=report, period=period, synthetic=synthetic, passed=passed, warned=warned, failed=failed,
        tables=report.by_table(), text=_text)
