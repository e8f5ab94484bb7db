"""The checked frames: each table in its declared schema (types are checked in Polars), with every rule
that compares dates or columns computed as a boolean column (null = not applied), for an ordinary
expectation to check. Restricted persons rows carry only source rows and booleans out of here."""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core import schema
from analysis.core.schema import Columns
from analysis.quality.results import CheckResult
from analysis.tables.coverage import SERVED_AFTER_VERDICT
from analysis.tables.custody import NON_CUSTODIAL_REGIMES, NON_CUSTODIAL_SENTENCES
from analysis.tables.disclosure import registry_agrees_with_release

MAX_EXAMPLES = 5


# Sentence kinds under which a release before the verdict is no error: not known to be custodial (a
# fine, no sentence, an outcome the source does not know). Compulsory treatment is served in a hospital
# under guard: the rule applies to it.
RELEASED_BEFORE_VERDICT_KINDS = (*NON_CUSTODIAL_SENTENCES, "unknown")
DATE_PRECISIONS = ("day", "month", "year")
TYPE_CHECK = "schema (Polars)"
c = pl.col


def type_checks(tables: dict[str, pl.DataFrame], persons: pl.DataFrame):
    declared = {"persons": schema.PERSONS, **schema.PERIOD_TABLES}
    given = {"persons": persons, **tables}
    checks, conformed = [], {}
    for name, columns in declared.items():
        frame = given.get(name)
        checks.append(_type_check(name, frame, columns))
        conformed[name] = conform(frame, columns)
    return checks, conformed


def _type_check(table: str, frame: pl.DataFrame | None, declared: Columns) -> CheckResult:
    rule = f"Column names, order and types equal the declared schema of {table} (docs/data_dictionary.md)"
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


def conform(frame: pl.DataFrame | None, declared: Columns) -> pl.DataFrame:
    """The frame in the declared schema (wrong types cast, missing columns null) so value rules still run."""
    if frame is None:
        return schema.empty(declared)
    return frame.select([c(n).cast(t, strict=False) if n in frame.columns else pl.lit(None, t).alias(n)
                         for n, t in declared.items()])


def _range_well_formed(name: str) -> pl.Expr:
    lo, hi, precision = c(f"{name}_from"), c(f"{name}_to"), c(f"{name}_precision")
    absent = lo.is_null() & hi.is_null() & precision.is_null()
    present = (lo <= hi).fill_null(False) & precision.is_in(DATE_PRECISIONS).fill_null(False)
    return (absent | present).alias(f"{name}_range_well_formed")


def persons_frame(persons: pl.DataFrame, snapshot: dt.date, records: pl.DataFrame | None = None) -> pl.DataFrame:
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


def stock_frame(stock: pl.DataFrame) -> pl.DataFrame:
    return stock.with_columns(
        gender_parts_add_up=c("women") + c("men") + c("gender_unknown") == c("held"),
        point_within_bounds=(c("held_lower") <= c("held")) & (c("held") <= c("held_upper")),
        listed_without_date_within_held=c("listed_without_detention_date") <= c("held"),
        aged_60_plus_within_held=c("aged_60_plus") <= c("held"),
    )


def releases_frame(releases: pl.DataFrame) -> pl.DataFrame:
    expelled = c("expelled_to_lithuania").fill_null(0) + c("expelled_to_ukraine").fill_null(0)
    return releases.with_columns(expelled_within_released=expelled <= c("released"))


def monthly_frame(monthly: pl.DataFrame) -> pl.DataFrame:
    ratio = c("exits").cast(pl.Float64) / c("entries").cast(pl.Float64)
    return monthly.with_columns(
        month_end_matches_month=c("month_end") == month_start(c("month")).dt.month_end(),
        point_within_bounds=(c("held_end_lower") <= c("held_end")) & (c("held_end") <= c("held_end_upper")),
        exits_by_rule_within_exits=c("exits_dated_by_rule") <= c("exits"),
        exit_entry_ratio_matches=pl.when(c("entries") > 0).then((c("exit_entry_ratio") - ratio).abs() < 1e-9)
        .otherwise(c("exit_entry_ratio").is_null()),
    )


def month_start(month: pl.Expr) -> pl.Expr:
    return (month + "-01").str.to_date("%Y-%m-%d", strict=False)


def deaths_frame(deaths: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    return deaths.sort("date", "cumulative", nulls_last=True).with_columns(
        cumulative_counts_each_death=c("cumulative") == pl.int_range(1, pl.len() + 1),
        death_not_after_snapshot=c("date") <= pl.lit(snapshot),
    )


def reconciliation_frame(reconciliation: pl.DataFrame) -> pl.DataFrame:
    return reconciliation.with_columns(
        bounds_ordered=c("lower") <= c("upper"),
        comparable_has_count=pl.when(c("status") != "not_comparable").then(c("our_count").is_not_null()),
        our_count_within_our_bounds=pl.when(c("our_count").is_not_null())
        .then((c("our_lower") <= c("our_count")) & (c("our_count") <= c("our_upper"))),
    )
