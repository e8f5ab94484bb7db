"""The period tables: stock, flows, releases, monthly (revolving door), composition, time served,
deaths in custody, the reconciliation of our counts with published figures, and the coverage of
what the period's copy of the list can and cannot say.

Everything is computed from one reference registry copy (the first dated on or after the period's
end whose shape dates every exit) through the custody table of `analysis.tables.custody`: each person's
custody is an interval with uncertain ends. Counts on a day come as a point (one documented rule,
custody.POINT_RULE) with a lower and an upper bound. Entries and exits are counted with the same
inequalities as the point stock, so end = start + entries - exits holds exactly, month by month
(plus, on the copy's own date, the `active` records without a detention date, counted by status).

Exit mechanism: death in custody; else the person-level release record's mechanism (amnesty and
exchange are counted as `other`); else, for a release the copy dates, `end_of_term` when it came no
earlier than a month before the sentence ran out; otherwise `other`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import polars as pl
import yaml

from analysis.core import schema
from analysis.core.errors import InputError
from analysis.core.paths import ProjectPaths
from analysis.core.periods import FIRST_MONTH, Period, month_end, months_between
from analysis.tables.custody import DAYS_PER_MONTH, copy_history, custody_intervals, held_counts, point_held
from analysis.publish.privacy import PrivacyPolicy, check_withheld_ids, load_policy, suppress_small_counts

END_OF_TERM_SLACK_MONTHS = 1.0
RECONCILIATION_TOLERANCE = 0.03
AGE_BANDS = ((0, 30, "under 30"), (30, 45, "30-44"), (45, 60, "45-59"), (60, 200, "60 and over"))
TIME_HELD_BANDS = ((0, 12, "under 1 year"), (12, 24, "1-2 years"), (24, 36, "2-3 years"), (36, 60, "3-5 years"),
                   (60, 10_000, "5 years and over"))


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class SnapshotRef:
    date: dt.date
    synthetic: bool
    source_file: str
    dates_every_exit: bool = True   # its shape has both release and death dates (see EXIT_DATE_COLUMNS)
    rows_quarantined: int = 0


@dataclass
class PeriodInputs:
    period: Period
    snapshot: SnapshotRef
    persons: pl.DataFrame
    charges: pl.DataFrame
    release_records: pl.DataFrame
    release_events: pl.DataFrame
    ledger: pl.DataFrame
    previous_snapshot: SnapshotRef | None = None
    policy: PrivacyPolicy = PrivacyPolicy()
    earlier_copies: tuple[tuple[dt.date, pl.DataFrame], ...] = ()   # (date, persons) of copies before `snapshot`

    @property
    def synthetic(self) -> bool:
        return self.snapshot.synthetic

    @cached_property
    def timeline(self) -> pl.DataFrame:
        """The custody table (analysis.tables.custody): one row per person who is not `np`."""
        return custody_intervals(self.persons, self.release_records, self.snapshot.date,
                                 copy_history(list(self.earlier_copies)), END_OF_TERM_SLACK_MONTHS)


# Reads of one ingest build are cached by the build's real folder: a new ingest is a new folder, so
# the cache can never serve stale data, and a backfill reads each snapshot once per process.
@lru_cache(maxsize=32)
def _read(build: str, relative: str) -> pl.DataFrame:
    return pl.read_parquet(Path(build) / relative)


def _ingested(paths: ProjectPaths, relative: str) -> pl.DataFrame:
    if not paths.ingest.exists():
        raise InputError(paths.ingest, "no ingest output yet", fix="run `analysis ingest` first")
    return _read(str(paths.ingest.resolve()), relative)


# A copy can date every exit only if its shape has both columns: the public table has neither, the
# flattened JSON no `died`, and a machine export may lack one.
EXIT_DATE_COLUMNS = ("release_date", "died")
_SHAPE_COLUMNS = {"machine_csv": set(EXIT_DATE_COLUMNS), "flattened_json": {"release_date"}, "public_table": set()}


def _dates_every_exit(shape: str, missing: str | None) -> bool:
    present = _SHAPE_COLUMNS.get(shape, set()) - set((missing or "").split(";"))
    return present >= set(EXIT_DATE_COLUMNS)


def registry_snapshots(paths: ProjectPaths) -> list[SnapshotRef]:
    """The ingested registry snapshots, oldest first (from the public ingest log)."""
    log = _ingested(paths, "public/ingest_log.parquet").filter(pl.col("source") == "registry").sort("snapshot_date")
    return [SnapshotRef(r["snapshot_date"], r["synthetic"], r["source_file"],
                        _dates_every_exit(r["shape"], r["missing_optional_columns"]), r["rows_quarantined"])
            for r in log.iter_rows(named=True)]


def reference_snapshot(paths: ProjectPaths, snapshots: list[SnapshotRef], period: Period) -> SnapshotRef:
    """The first copy of the list dated on or after the period's end whose shape dates every exit.

    Counting who was held on a day needs release and death dates. The public table has no release
    dates and the flattened JSON no deaths, so such a copy is passed over for a later, complete one;
    if none is complete, the first covering copy is used: its undated exits are placed by the point
    rule and bounded (analysis.tables.custody).
    """
    covering = [s for s in snapshots if s.date >= period.end]
    if not covering:
        latest = snapshots[-1].date if snapshots else "none"
        raise InputError("--period", f"no registry snapshot covers {period} (it ends {period.end}; latest "
                                     f"snapshot: {latest})", fix="add a copy of the list dated on or after the "
                                                                 "period's end")
    return next((s for s in covering if s.dates_every_exit), covering[0])


def check_period(paths: ProjectPaths, period: Period, ingested: bool = True) -> None:
    """Refuse, before anything is built, a period the data cannot count: one that ends before the series
    starts (2020-05) or after the latest registry copy (read from data/raw when not yet ingested)."""
    if period.end < FIRST_MONTH:
        raise InputError("--period", f"{period} ends before the series starts ({FIRST_MONTH:%Y-%m})",
                         fix=f"choose a period from {FIRST_MONTH:%Y-%m} on")
    if ingested:
        reference_snapshot(paths, registry_snapshots(paths), period)
        return
    from analysis.ingest.provenance import list_snapshots

    dates = [meta.snapshot_date for meta in list_snapshots(paths.raw, "registry")]
    if not any(date >= period.end for date in dates):
        raise InputError("--period", f"no registry snapshot covers {period} (it ends {period.end}; latest "
                                     f"snapshot: {max(dates) if dates else 'none'})",
                         fix="add a copy of the list dated on or after the period's end")


def period_snapshots(paths: ProjectPaths, period: Period) -> tuple[SnapshotRef, SnapshotRef | None]:
    """The copy a period is counted from, and the copy before it (for the cross-cycle checks)."""
    snapshot, earlier = counting_snapshots(paths, period)
    return snapshot, (earlier[-1] if earlier else None)


def counting_snapshots(paths: ProjectPaths, period: Period) -> tuple[SnapshotRef, list[SnapshotRef]]:
    """The copy a period is counted from, and every earlier copy (they narrow undated exits)."""
    snapshots = registry_snapshots(paths)
    snapshot = reference_snapshot(paths, snapshots, period)
    return snapshot, [s for s in snapshots if s.date < snapshot.date]


def _persons(paths: ProjectPaths, snapshot: SnapshotRef) -> pl.DataFrame:
    return _ingested(paths, f"restricted/registry/{snapshot.date.isoformat()}/persons.parquet")


def load_inputs(paths: ProjectPaths, period: Period) -> PeriodInputs:
    snapshot, earlier = counting_snapshots(paths, period)
    check_withheld_ids(paths)
    folder = f"restricted/registry/{snapshot.date.isoformat()}"
    return PeriodInputs(
        period=period, snapshot=snapshot,
        persons=_persons(paths, snapshot),
        charges=_ingested(paths, f"{folder}/charges.parquet"),
        release_records=_ingested(paths, "restricted/releases/release_records.parquet"),
        release_events=_ingested(paths, "public/release_events.parquet"),
        ledger=_ingested(paths, "public/figures.parquet"),
        previous_snapshot=earlier[-1] if earlier else None,
        policy=load_policy(paths),
        earlier_copies=tuple((s.date, _persons(paths, s)) for s in earlier),
    )


# ------------------------------------------------------------------ counting on a day


def _held_on(inputs: PeriodInputs, day: dt.date) -> pl.DataFrame:
    """The people held on `day` under the point rule."""
    return inputs.timeline.filter(point_held(day, inputs.snapshot.date))


def held_on(inputs: PeriodInputs, day: dt.date) -> int:
    return _held_on(inputs, day).height


def _between(column: str, first: dt.date, last: dt.date) -> pl.Expr:
    return pl.col(column).is_between(first, last, closed="both")


# ------------------------------------------------------------------ the tables


def _timed(column: str, first: dt.date, last: dt.date) -> pl.Expr:
    """A flow in [first, last]: only people placed in time (an exit needs an entry)."""
    return pl.col("placed") & _between(column, first, last)


def _by_rule(column: str) -> pl.Expr:
    """Dated by the point rule rather than by a day the copy gives (a partial or missing date)."""
    if column == "entry":
        return pl.col("entry_precision") != "day"
    return ~pl.col("exit_rule").is_in(["release_date", "death_date", "release_record"]) | (
        pl.col("exit_from") != pl.col("exit_to"))


def stock_table(inputs: PeriodInputs) -> pl.DataFrame:
    period, rows = inputs.period, []
    for position, day in (("start", period.start - dt.timedelta(days=1)), ("end", period.end)):
        held = _held_on(inputs, day)
        rows.append({"period": period.label, "position": position, "as_of": day,
                     **held_counts(inputs.timeline, day, inputs.snapshot.date),
                     "women": held.filter(pl.col("gender") == "female").height,
                     "men": held.filter(pl.col("gender") == "male").height,
                     "gender_unknown": held.filter(pl.col("gender").is_null()).height,
                     "aged_60_plus": held.filter(_age_on(day) >= 60).height,
                     "synthetic": inputs.synthetic})
    return pl.DataFrame(rows, schema=schema.STOCK)


def flows_table(inputs: PeriodInputs) -> pl.DataFrame:
    period, timeline = inputs.period, inputs.timeline
    entries = timeline.filter(_timed("entry", period.start, period.end))
    rows = [{"direction": "entry", "mechanism": "newly_detained", "persons": entries.height,
             "dated_by_rule": entries.filter(_by_rule("entry")).height}]
    exits = timeline.filter(_timed("exit", period.start, period.end))
    for mechanism in schema.EXIT_MECHANISMS:
        these = exits.filter(pl.col("exit_mechanism") == mechanism)
        rows.append({"direction": "exit", "mechanism": mechanism, "persons": these.height,
                     "dated_by_rule": these.filter(_by_rule("exit")).height})
    return pl.DataFrame([{"period": period.label, **r, "synthetic": inputs.synthetic} for r in rows],
                        schema=schema.FLOWS)


def monthly_table(inputs: PeriodInputs) -> pl.DataFrame:
    """Month by month from 2020-05 to the period's last month: the revolving door."""
    timeline, snapshot, rows = inputs.timeline, inputs.snapshot.date, []
    held_start = held_on(inputs, FIRST_MONTH - dt.timedelta(days=1))
    for label in months_between(FIRST_MONTH, inputs.period.end):
        first = dt.date(int(label[:4]), int(label[5:]), 1)
        last = month_end(first.year, first.month)
        entries = timeline.filter(_timed("entry", first, last)).height
        exits = timeline.filter(_timed("exit", first, last))
        by_mechanism = {m: exits.filter(pl.col("exit_mechanism") == m).height for m in schema.EXIT_MECHANISMS}
        counts = held_counts(timeline, last, snapshot)
        held_end = counts["held"]
        rows.append({"month": label, "month_end": last, "held_start": held_start, "entries": entries,
                     "exits": exits.height, **{f"exits_{m}": n for m, n in by_mechanism.items()},
                     "exits_dated_by_rule": exits.filter(_by_rule("exit")).height,
                     "listed_without_detention_date": counts["listed_without_detention_date"],
                     "held_end": held_end, "held_end_lower": counts["held_lower"],
                     "held_end_upper": counts["held_upper"], "net_change": held_end - held_start,
                     "exit_entry_ratio": exits.height / entries if entries else None,
                     "in_period": inputs.period.contains(last), "synthetic": inputs.synthetic})
        held_start = held_end
    return pl.DataFrame(rows, schema=schema.MONTHLY)


def _age_on(day: dt.date) -> pl.Expr:
    """Age in whole years on `day`, from the middle of the birth-date range (partial dates are ranges)."""
    middle = pl.col("birth_date_from") + (pl.col("birth_date_to") - pl.col("birth_date_from")) / 2
    return ((pl.lit(day) - middle).dt.total_days() / 365.25).floor()


def _band(value: pl.Expr, bands) -> pl.Expr:
    expr = pl.when(value.is_null()).then(pl.lit("unknown"))
    for low, high, label in bands:
        expr = expr.when((value >= low) & (value < high)).then(pl.lit(label))
    return expr.otherwise(pl.lit("unknown"))


def article_groups() -> dict[str, str]:
    """Article -> group label, from analysis/data/article_groups.yaml (a human decision, kept as data)."""
    text = (resources.files("analysis.data") / "article_groups.yaml").read_text(encoding="utf-8")
    mapping = {}
    for group, articles in yaml.safe_load(text).items():
        for article in articles:
            assert str(article) not in mapping, f"article {article} is in two groups"
            mapping[str(article)] = group
    return mapping


def composition_table(inputs: PeriodInputs) -> pl.DataFrame:
    day = inputs.period.end
    held = _held_on(inputs, day).with_columns(
        _band(_age_on(day), AGE_BANDS).alias("age_band"),
        _band((pl.lit(day) - pl.col("entry")).dt.total_days() / DAYS_PER_MONTH, TIME_HELD_BANDS).alias("time_held"),
        pl.col("gender").fill_null("unknown"),
        pl.col("penalty_regime").fill_null("no verdict yet"),
        pl.col("facility_type").fill_null("unknown"),
    )
    total = held.height
    parts = [held.group_by(pl.col(d).alias("category")).len().with_columns(pl.lit(d).alias("dimension"))
             for d in ("gender", "age_band", "penalty_regime", "facility_type", "time_held")]
    groups = article_groups()
    charged = (inputs.charges.filter(pl.col("person_key").is_in(held["person_key"].implode()))
               .with_columns(pl.col("article").replace_strict(groups, default="Other articles").alias("category"))
               .unique(["person_key", "category"]))
    parts.append(charged.group_by("category").len().with_columns(pl.lit("article_group").alias("dimension")))
    frame = pl.concat([p.select("dimension", "category", "len") for p in parts])
    counted = (frame.rename({"len": "persons"})
               .with_columns(pl.lit(inputs.period.label).alias("period"), pl.lit(day).alias("as_of"),
                             (pl.col("persons") / total if total else pl.lit(0.0)).alias("share"),
                             pl.lit(inputs.synthetic).alias("synthetic"))
               .sort("dimension", "persons", "category", descending=[False, True, False]))
    # A category of one or two people could single someone out (the one woman over 70 in a colony).
    return (suppress_small_counts(counted, "persons", "dimension", inputs.policy.small_count_threshold, hide=("share",))
            .select(list(schema.COMPOSITION)).cast(schema.COMPOSITION))


def time_served_table(inputs: PeriodInputs) -> pl.DataFrame:
    period = inputs.period
    # Only releases with a date from the copy or a release record: a time served from a placed date
    # would be the point rule's guess, not a measurement.
    released = inputs.timeline.filter(pl.col("placed") & pl.col("exit_rule").is_in(["release_date", "release_record"])
                                      & (pl.col("exit") <= period.end)).with_columns(
        ((pl.col("exit") - pl.col("entry")).dt.total_days() / DAYS_PER_MONTH).alias("months"))
    rows = []
    for scope, frame in (("period", released.filter(pl.col("exit") >= period.start)), ("to_date", released)):
        for mechanism in (m for m in schema.EXIT_MECHANISMS if m != "death_in_custody"):
            months = frame.filter(pl.col("exit_mechanism") == mechanism)["months"]
            # The median time served of one or two people is their own time served.
            few = 0 < months.len() < inputs.policy.small_count_threshold
            shown = months.clear() if few else months
            rows.append({"period": period.label, "scope": scope, "mechanism": mechanism, "persons": months.len(),
                         "median_months": _rounded(shown.median()), "p25_months": _rounded(shown.quantile(0.25)),
                         "p75_months": _rounded(shown.quantile(0.75)), "mean_months": _rounded(shown.mean()),
                         "suppressed": few, "synthetic": inputs.synthetic})
    return pl.DataFrame(rows, schema=schema.TIME_SERVED)


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 2)


def deaths_table(inputs: PeriodInputs) -> pl.DataFrame:
    deaths = (inputs.timeline.filter((pl.col("exit_rule") == "death_date") & (pl.col("exit") <= inputs.period.end))
              .select(pl.col("exit").alias("date")).sort("date"))
    return deaths.with_columns(
        pl.lit(inputs.period.label).alias("period"),
        pl.int_range(1, deaths.height + 1, dtype=pl.Int64).alias("cumulative"),
        pl.col("date").is_between(inputs.period.start, inputs.period.end).alias("in_period"),
        pl.lit(inputs.synthetic).alias("synthetic"),
    ).select(list(schema.DEATHS)).cast(schema.DEATHS)


def releases_table(inputs: PeriodInputs) -> pl.DataFrame:
    period = inputs.period
    events = inputs.release_events.filter(_between("date", period.start, period.end))
    ours = (inputs.release_records.filter(pl.col("event_id").is_not_null())
            .group_by("event_id").agg(
                pl.len().cast(pl.Int64).alias("our_released"),
                (pl.col("destination") == "lithuania").sum().cast(pl.Int64).alias("our_to_lithuania"),
                (pl.col("destination") == "ukraine").sum().cast(pl.Int64).alias("our_to_ukraine"),
                (pl.col("documents_withheld") == "true").sum().cast(pl.Int64).alias("our_documents_withheld")))
    return (events.join(ours, on="event_id", how="left")
            .with_columns(pl.lit(period.label).alias("period"),
                          pl.col("source_figure_ids").list.join(";"),
                          *[pl.col(c).fill_null(0) for c in ("our_released", "our_to_lithuania", "our_to_ukraine",
                                                            "our_documents_withheld")],
                          pl.lit(inputs.synthetic).alias("synthetic"))
            .select(list(schema.RELEASES)).cast(schema.RELEASES).sort("date", "event_id"))


# ------------------------------------------------------------------ what the copy can and cannot say

# Restricted freedom and arrest are served after the verdict: their `arrested` date (the day the
# person was taken to the facility) normally follows it.
SERVED_AFTER_VERDICT = ("khimiya", "home_confinement", "arrest")

# item -> how counting treats such records, in words for the report (the table keeps only counts).
COVERAGE_ITEMS: dict[str, str] = {
    "records": "records in the copy (after quarantine)",
    "quarantined": "rows kept out of the copy's tables, each with its reason (restricted quarantine file)",
    "active": "listed as current political prisoners (“active”): the copy's own count on its date",
    "former": "listed as former political prisoners",
    "np": "convicted in a political case but not recognised as political prisoners (“np”): never counted",
    "active_without_detention_date": "“active” without a detention date: held on the copy's own date by their "
                                     "status, possibly held before it (upper bound), never in a flow",
    "former_without_detention_date": "“former” without a detention date: cannot be placed in time; possibly "
                                     "held before their exit (upper bound), never in a count or flow",
    "exits_dated_by_copy": "left custody on a date the copy gives (release or death in custody)",
    "exits_dated_by_release_record": "left custody on a date from a person-level release record (the copy "
                                     "gives none)",
    "exits_placed_at_verdict": "left custody on a date the copy does not give, placed at a non-custodial verdict",
    "exits_placed_at_term_end": "left custody on a date the copy does not give, placed at the end of the term",
    "exits_placed_at_midpoint": "left custody on a date the copy does not give, placed midway between the days "
                                "it can lie in",
    "exits_narrowed_by_earlier_copies": "undated exits narrowed by an earlier copy that still showed the "
                                        "person active (or no longer did)",
    "partial_detention_dates": "detention dates given as a month or a year only (counted at the middle day)",
    "active_with_past_release_date": "“active” records that also carry a past release date: a conflict in the "
                                     "source; counted as held (the status decides), named on the validation page",
    "detention_after_verdict_served_after": "detention dated after the verdict under restricted freedom or "
                                            "arrest, where “arrested” is the day the person was taken to serve it",
    "detention_after_verdict_other": "detention dated after the verdict under another regime (a converted "
                                     "sentence, or an error): shown as a warning",
    "appeal_after_copy": "appeal hearings dated after the copy (scheduled)",
    "anonymous": "records whose name the source withholds: counted, never named",
}


def coverage_table(inputs: PeriodInputs) -> pl.DataFrame:
    """How many records of the period's copy each counting rule had to handle (COVERAGE_ITEMS)."""
    persons, custody, snapshot = inputs.persons, inputs.timeline, inputs.snapshot.date
    status = persons["status"]
    rule = custody["exit_rule"]
    after_verdict = persons.filter(pl.col("arrested_from") > pl.col("verdict_date_to"))
    served_after = after_verdict["penalty_regime"].is_in(SERVED_AFTER_VERDICT)
    undated = custody.filter(rule.is_in(["verdict", "term_end", "midpoint"]))
    narrowed = undated.filter((pl.col("exit_from") > pl.col("entry_from")) | (pl.col("exit_to") < snapshot))
    counts = {
        "records": persons.height, "quarantined": inputs.snapshot.rows_quarantined,
        "active": int((status == "active").sum()), "former": int((status == "former").sum()),
        "np": int((status == "np").sum()),
        "active_without_detention_date": custody.filter(~pl.col("placed") & (pl.col("status") == "active")).height,
        "former_without_detention_date": custody.filter(~pl.col("placed") & (pl.col("status") != "active")).height,
        "exits_dated_by_copy": int(rule.is_in(["release_date", "death_date"]).sum()),
        "exits_dated_by_release_record": int((rule == "release_record").sum()),
        "exits_placed_at_verdict": int((rule == "verdict").sum()),
        "exits_placed_at_term_end": int((rule == "term_end").sum()),
        "exits_placed_at_midpoint": int((rule == "midpoint").sum()),
        "exits_narrowed_by_earlier_copies": narrowed.height,
        "partial_detention_dates": int(custody["entry_precision"].is_in(["month", "year"]).sum()),
        "active_with_past_release_date": int(custody["release_conflict"].sum()),
        "detention_after_verdict_served_after": int(served_after.sum()),
        "detention_after_verdict_other": after_verdict.height - int(served_after.sum()),
        "appeal_after_copy": persons.filter(pl.col("appeal_date_from") > snapshot).height,
        "anonymous": persons.filter(pl.col("name_raw").is_null()).height,
    }
    assert list(counts) == list(COVERAGE_ITEMS), "coverage items and their descriptions differ"
    return pl.DataFrame([{"period": inputs.period.label, "snapshot_date": snapshot, "item": item, "records": n,
                          "synthetic": inputs.synthetic} for item, n in counts.items()], schema=schema.COVERAGE)


# ------------------------------------------------------------------ reconciliation


@dataclass(frozen=True)
class Count:
    """Our count for a measure: the point rule's value and the bounds the sources allow."""
    point: int
    lower: int
    upper: int


def _ranged(frame: pl.DataFrame, name: str, first: dt.date, last: dt.date) -> Count:
    """People whose `name` date (entry or exit) falls in [first, last]: by the point date, certainly
    (its whole range inside) and possibly (its range overlapping). Only people placed in time."""
    low, high, point = pl.col(f"{name}_from"), pl.col(f"{name}_to"), pl.col(name)
    row = frame.filter(pl.col("placed") & point.is_not_null()).select(
        point=point.is_between(first, last).sum(), lower=((low >= first) & (high <= last)).sum(),
        upper=((low <= last) & (high >= first)).sum()).row(0)
    return Count(*(int(v) for v in row))


def _exact(n: int) -> Count:
    return Count(n, n, n)


def _measures(inputs: PeriodInputs):
    """metric -> (description, function(first day, last day) -> Count)."""
    t, snapshot = inputs.timeline, inputs.snapshot.date
    records = inputs.release_records

    def exits(mechanisms, first, last):
        return _ranged(t.filter(pl.col("exit_mechanism").is_in(mechanisms)), "exit", first, last)

    def entries(first, last):
        return _ranged(t, "entry", first, last)

    def held(day):
        counts = held_counts(t, day, snapshot)
        return Count(counts["held"], counts["held_lower"], counts["held_upper"])

    pardons = ["pardon", "pardon_with_expulsion"]
    year_start = lambda day: dt.date(day.year, 1, 1)  # noqa: E731
    month_start = lambda day: dt.date(day.year, day.month, 1)  # noqa: E731
    on_day = lambda column, value: lambda a, b: _exact(records.filter(  # noqa: E731
        _between("release_date", a, b) & (pl.col(column) == value)).height)
    return {
        "current_political_prisoners": ("held on the date", lambda a, b: held(b)),
        "deaths_in_custody_cumulative": ("deaths in custody since 2020-05 up to the date",
                                         lambda a, b: exits(["death_in_custody"], FIRST_MONTH, b)),
        "deaths_in_custody_in_year": ("deaths in custody in the year up to the date",
                                      lambda a, b: exits(["death_in_custody"], year_start(b), b)),
        "death_in_custody": ("deaths in custody on the date(s)", lambda a, b: exits(["death_in_custody"], a, b)),
        "released_pardon": ("released by pardon on the date(s)", lambda a, b: exits(pardons, a, b)),
        "released_pardon_in_month": ("released by pardon in the month", lambda a, b: exits(pardons, month_start(b), b)),
        "released_pardon_in_year": ("released by pardon in the year", lambda a, b: exits(pardons, year_start(b), b)),
        "released_pardon_cumulative_since_2024-07": ("released by pardon since 2024-07-01",
                                                     lambda a, b: exits(pardons, dt.date(2024, 7, 1), b)),
        "expelled_after_release_in_year": ("released with expulsion in the year",
                                           lambda a, b: exits(["pardon_with_expulsion"], year_start(b), b)),
        "released_full_term_since_2020": ("released at the end of their term since 2020-05",
                                          lambda a, b: exits(["end_of_term"], FIRST_MONTH, b)),
        "expelled_to_lithuania": ("release records: taken to Lithuania on the date(s)",
                                  on_day("destination", "lithuania")),
        "expelled_to_ukraine": ("release records: taken to Ukraine on the date(s)", on_day("destination", "ukraine")),
        "released_without_documents": ("release records: documents withheld on the date(s)",
                                       on_day("documents_withheld", "true")),
        "newly_recognized_in_month": ("newly detained in the month", lambda a, b: entries(month_start(b), b)),
        "newly_recognized_in_year": ("newly detained in the year", lambda a, b: entries(year_start(b), b)),
        "total_recognized_since_2020": ("political prisoners detained since 2020-05 up to the date",
                                        lambda a, b: entries(FIRST_MONTH, b)),
        "total_recognized_since_2020-05": ("political prisoners detained since 2020-05 up to the date",
                                           lambda a, b: entries(FIRST_MONTH, b)),
    }


def _status(count: Count | None, lower: int, upper: int | None,
            tolerance: float) -> tuple[str, int | None, float | None]:
    """Where our point count stands against a figure's bounds; a point beyond tolerance whose range
    [lower, upper] still reaches the figure's bounds is `within_uncertainty` (the copy cannot tell)."""
    if count is None:
        return "not_comparable", None, None
    if count.point < lower:
        nearest = lower
    elif upper is not None and count.point > upper:
        nearest = upper
    else:
        return "within_bounds", 0, 0.0
    difference = count.point - nearest
    relative = difference / nearest if nearest else float("inf")
    if abs(relative) <= tolerance:
        status = "within_tolerance"
    elif count.upper >= lower and (upper is None or count.lower <= upper):
        status = "within_uncertainty"
    else:
        status = "outside_tolerance"
    return status, difference, round(relative, 6)


def reconciliation_table(inputs: PeriodInputs, tolerance: float = RECONCILIATION_TOLERANCE) -> pl.DataFrame:
    """Every published figure dated in the period next to our count for the same measure and date."""
    period, measures, rows = inputs.period, _measures(inputs), []
    figures = inputs.ledger.filter(pl.col("as_of_to").is_not_null() & _between("as_of_to", period.start, period.end))
    for figure in figures.sort("as_of_to", "metric", "figure_id").iter_rows(named=True):
        description, measure = measures.get(figure["metric"], ("no comparable measure", None))
        count = measure(figure["as_of_from"], figure["as_of_to"]) if measure else None
        status, difference, relative = _status(count, figure["lower"], figure["upper"], tolerance)
        rows.append({"period": period.label, **{k: figure[k] for k in (
            "figure_id", "as_of_from", "as_of_to", "metric", "value", "qualifier", "lower", "upper", "source_org",
            "source_title", "url")}, "our_measure": description, "our_as_of": figure["as_of_to"],
            "our_count": count.point if count else None, "our_lower": count.lower if count else None,
            "our_upper": count.upper if count else None, "status": status, "difference": difference,
            "relative_difference": relative, "tolerance": tolerance, "synthetic": inputs.synthetic})
    return pl.DataFrame(rows, schema=schema.RECONCILIATION)


# ------------------------------------------------------------------ all of them


def build_period_tables(inputs: PeriodInputs) -> dict[str, pl.DataFrame]:
    """Every public table of the period, typed by its schema, rows in a fixed order."""
    return {
        "stock": stock_table(inputs),
        "flows": flows_table(inputs),
        "releases": releases_table(inputs),
        "monthly": monthly_table(inputs),
        "composition": composition_table(inputs),
        "time_served": time_served_table(inputs),
        "deaths": deaths_table(inputs),
        "reconciliation": reconciliation_table(inputs),
        "coverage": coverage_table(inputs),
    }
