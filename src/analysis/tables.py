"""The period tables: stock, flows, releases, monthly (revolving door), composition, time served,
deaths in custody, and the reconciliation of our counts with published figures.

Everything is computed from one reference registry snapshot (the first copy of the list dated on
or after the period's end) through a per-person timeline: entry = date of detention, exit = the
earlier of release and death in custody. A political prisoner (status not `np`) is held on day t
when entry <= t < exit. Because entries and exits are counted with the same inequalities, the
identity end = start + entries - exits holds exactly, month by month.

Exit mechanism: death in custody; else the person-level release record's mechanism (amnesty is
counted as `other`); else, with no record, `end_of_term` when the release came no earlier than a
month before the sentence ran out, otherwise `other`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import polars as pl
import yaml

from . import schema
from .errors import InputError
from .paths import ProjectPaths
from .periods import FIRST_MONTH, Period, month_end, months_between
from .privacy import PrivacyPolicy, load_policy, suppress_small_counts

DAYS_PER_MONTH = 365.25 / 12
END_OF_TERM_SLACK_MONTHS = 1.0
RECONCILIATION_TOLERANCE = 0.03
AGE_BANDS = ((0, 30, "under 30"), (30, 45, "30-44"), (45, 60, "45-59"), (60, 200, "60 and over"))
TIME_HELD_BANDS = ((0, 12, "under 1 year"), (12, 24, "1-2 years"), (24, 36, "2-3 years"), (36, 60, "3-5 years"),
                   (60, 10_000, "5 years and over"))
RECORD_MECHANISMS = {"end_of_term": "end_of_term", "pardon": "pardon", "pardon_with_expulsion": "pardon_with_expulsion",
                     "amnesty": "other", "other": "other"}


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class SnapshotRef:
    date: dt.date
    synthetic: bool
    source_file: str


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

    @property
    def synthetic(self) -> bool:
        return self.snapshot.synthetic

    @cached_property
    def timeline(self) -> pl.DataFrame:
        return person_timeline(self.persons, self.release_records)


# Reads of one ingest build are cached by the build's real folder: a new ingest is a new folder, so
# the cache can never serve stale data, and a backfill reads each snapshot once per process.
@lru_cache(maxsize=32)
def _read(build: str, relative: str) -> pl.DataFrame:
    return pl.read_parquet(Path(build) / relative)


def _ingested(paths: ProjectPaths, relative: str) -> pl.DataFrame:
    if not paths.ingest.exists():
        raise InputError(paths.ingest, "no ingest output yet", fix="run `analysis ingest` first")
    return _read(str(paths.ingest.resolve()), relative)


def registry_snapshots(paths: ProjectPaths) -> list[SnapshotRef]:
    """The ingested registry snapshots, oldest first (from the public ingest log)."""
    log = _ingested(paths, "public/ingest_log.parquet").filter(pl.col("source") == "registry").sort("snapshot_date")
    return [SnapshotRef(r["snapshot_date"], r["synthetic"], r["source_file"]) for r in log.iter_rows(named=True)]


def undated_exits(paths: ProjectPaths, snapshot: SnapshotRef) -> int:
    """People a copy lists as `former` with neither a release nor a death date (it cannot date their exit)."""
    return _undated_exits(str(paths.ingest.resolve()), snapshot.date.isoformat())


@lru_cache(maxsize=32)
def _undated_exits(build: str, date: str) -> int:
    persons = Path(build) / "restricted" / "registry" / date / "persons.parquet"
    return (pl.scan_parquet(persons)
            .filter((pl.col("status") == "former") & pl.col("release_date_from").is_null()
                    & ~(pl.col("died_in_custody") & pl.col("died_from").is_not_null()))
            .select(pl.len()).collect().item())


def reference_snapshot(paths: ProjectPaths, snapshots: list[SnapshotRef], period: Period) -> SnapshotRef:
    """The first copy of the list dated on or after the period's end that can date every exit.

    Counting who was held on a day needs release and death dates. The public table has no release
    dates and the flattened JSON no deaths, so such a copy is passed over for a later, complete one;
    if none is complete, the first covering copy is used and its undated exits are left out (and
    reported by the quality gate).
    """
    covering = [s for s in snapshots if s.date >= period.end]
    if not covering:
        latest = snapshots[-1].date if snapshots else "none"
        raise InputError("--period", f"no registry snapshot covers {period} (it ends {period.end}; latest "
                                     f"snapshot: {latest})", fix="add a copy of the list dated on or after the "
                                                                 "period's end")
    return next((s for s in covering if undated_exits(paths, s) == 0), covering[0])


def period_snapshots(paths: ProjectPaths, period: Period) -> tuple[SnapshotRef, SnapshotRef | None]:
    """The copy a period is counted from, and the copy before it (for the cross-cycle checks)."""
    snapshots = registry_snapshots(paths)
    snapshot = reference_snapshot(paths, snapshots, period)
    earlier = [s for s in snapshots if s.date < snapshot.date]
    return snapshot, (earlier[-1] if earlier else None)


def load_inputs(paths: ProjectPaths, period: Period) -> PeriodInputs:
    snapshot, previous = period_snapshots(paths, period)
    folder = f"restricted/registry/{snapshot.date.isoformat()}"
    return PeriodInputs(
        period=period, snapshot=snapshot,
        persons=_ingested(paths, f"{folder}/persons.parquet"),
        charges=_ingested(paths, f"{folder}/charges.parquet"),
        release_records=_ingested(paths, "restricted/releases/release_records.parquet"),
        release_events=_ingested(paths, "public/release_events.parquet"),
        ledger=_ingested(paths, "public/figures.parquet"),
        previous_snapshot=previous,
        policy=load_policy(paths),
    )


# ------------------------------------------------------------------ the per-person timeline


def person_timeline(persons: pl.DataFrame, release_records: pl.DataFrame) -> pl.DataFrame:
    """One row per political prisoner: entry, exit, exit mechanism, and what composition needs."""
    records = (release_records.select("record_id", pl.col("release_date").alias("record_date"),
                                      pl.col("mechanism").alias("record_mechanism"), "destination",
                                      "documents_withheld", "event_id")
               .unique("record_id", keep="first", maintain_order=True))
    people = persons.filter(pl.col("status") != "np").join(records, on="record_id", how="left")
    # `former` with neither a release nor a death date cannot be placed in time: left out entirely, so
    # that held(t) = entries up to t - exits up to t stays exact (the quality gate reports them).
    people = people.filter(~((pl.col("status") == "former") & pl.col("release_date_from").is_null()
                             & ~(pl.col("died_in_custody") & pl.col("died_from").is_not_null())))
    died = pl.col("died_in_custody") & pl.col("died_from").is_not_null()
    served_months = (pl.col("release_date_from") - pl.col("arrested_from")).dt.total_days() / DAYS_PER_MONTH
    inferred = (pl.when(served_months >= pl.col("sentence_months") - END_OF_TERM_SLACK_MONTHS)
                .then(pl.lit("end_of_term")).otherwise(pl.lit("other")))
    mechanism = (pl.when(died).then(pl.lit("death_in_custody"))
                 .when(pl.col("release_date_from").is_null()).then(pl.lit(None, dtype=pl.String))
                 .when(pl.col("record_mechanism").is_not_null())
                 .then(pl.col("record_mechanism").replace_strict(RECORD_MECHANISMS, default="other"))
                 .otherwise(inferred))
    return people.select(
        "person_key", "record_id", "status", "gender", "birth_date_from", "birth_date_to",
        pl.col("arrested_from").alias("entry"),
        pl.when(died).then(pl.col("died_from")).otherwise(pl.col("release_date_from")).alias("exit"),
        mechanism.alias("exit_mechanism"),
        "penalty_regime", "facility_type", "destination", "documents_withheld", "event_id",
    )


def _held_on(timeline: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return timeline.filter((pl.col("entry") <= day) & (pl.col("exit").is_null() | (pl.col("exit") > day)))


def held_on(timeline: pl.DataFrame, day: dt.date) -> int:
    return _held_on(timeline, day).height


def _between(column: str, first: dt.date, last: dt.date) -> pl.Expr:
    return pl.col(column).is_between(first, last, closed="both")


# ------------------------------------------------------------------ the tables


def stock_table(inputs: PeriodInputs) -> pl.DataFrame:
    period, rows = inputs.period, []
    for position, day in (("start", period.start - dt.timedelta(days=1)), ("end", period.end)):
        held = _held_on(inputs.timeline, day)
        rows.append({"period": period.label, "position": position, "as_of": day, "held": held.height,
                     "women": held.filter(pl.col("gender") == "female").height,
                     "men": held.filter(pl.col("gender") == "male").height,
                     "gender_unknown": held.filter(pl.col("gender").is_null()).height,
                     "aged_60_plus": held.filter(_age_on(day) >= 60).height,
                     "synthetic": inputs.synthetic})
    return pl.DataFrame(rows, schema=schema.STOCK)


def flows_table(inputs: PeriodInputs) -> pl.DataFrame:
    period, timeline = inputs.period, inputs.timeline
    rows = [{"direction": "entry", "mechanism": "newly_detained",
             "persons": timeline.filter(_between("entry", period.start, period.end)).height}]
    exits = timeline.filter(_between("exit", period.start, period.end))
    for mechanism in schema.EXIT_MECHANISMS:
        rows.append({"direction": "exit", "mechanism": mechanism,
                     "persons": exits.filter(pl.col("exit_mechanism") == mechanism).height})
    return pl.DataFrame([{"period": period.label, **r, "synthetic": inputs.synthetic} for r in rows],
                        schema=schema.FLOWS)


def monthly_table(inputs: PeriodInputs) -> pl.DataFrame:
    """Month by month from 2020-05 to the period's last month: the revolving door."""
    timeline, rows = inputs.timeline, []
    held_start = held_on(timeline, FIRST_MONTH - dt.timedelta(days=1))
    for label in months_between(FIRST_MONTH, inputs.period.end):
        first = dt.date(int(label[:4]), int(label[5:]), 1)
        last = month_end(first.year, first.month)
        entries = timeline.filter(_between("entry", first, last)).height
        exits = timeline.filter(_between("exit", first, last))
        by_mechanism = {m: exits.filter(pl.col("exit_mechanism") == m).height for m in schema.EXIT_MECHANISMS}
        held_end = held_on(timeline, last)
        rows.append({"month": label, "month_end": last, "held_start": held_start, "entries": entries,
                     "exits": exits.height, **{f"exits_{m}": n for m, n in by_mechanism.items()},
                     "held_end": held_end, "net_change": held_end - held_start,
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
    held = _held_on(inputs.timeline, day).with_columns(
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
    released = inputs.timeline.filter(pl.col("exit_mechanism").is_not_null()
                                      & (pl.col("exit_mechanism") != "death_in_custody")
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
    deaths = (inputs.timeline.filter((pl.col("exit_mechanism") == "death_in_custody")
                                     & (pl.col("exit") <= inputs.period.end))
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


# ------------------------------------------------------------------ reconciliation


def _measures(inputs: PeriodInputs):
    """metric -> (description, function(first day, last day) -> our count)."""
    t = inputs.timeline
    records = inputs.release_records

    def exits(mechanisms, first, last):
        return t.filter(_between("exit", first, last) & pl.col("exit_mechanism").is_in(mechanisms)).height

    pardons = ["pardon", "pardon_with_expulsion"]
    year_start = lambda day: dt.date(day.year, 1, 1)  # noqa: E731
    month_start = lambda day: dt.date(day.year, day.month, 1)  # noqa: E731
    on_day = lambda column, value: lambda a, b: records.filter(  # noqa: E731
        _between("release_date", a, b) & (pl.col(column) == value)).height
    return {
        "current_political_prisoners": ("held on the date", lambda a, b: held_on(t, b)),
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
        "newly_recognized_in_month": ("newly detained in the month", lambda a, b: t.filter(
            _between("entry", month_start(b), b)).height),
        "newly_recognized_in_year": ("newly detained in the year", lambda a, b: t.filter(
            _between("entry", year_start(b), b)).height),
        "total_recognized_since_2020": ("political prisoners detained since 2020-05 up to the date",
                                        lambda a, b: t.filter(_between("entry", FIRST_MONTH, b)).height),
        "total_recognized_since_2020-05": ("political prisoners detained since 2020-05 up to the date",
                                           lambda a, b: t.filter(_between("entry", FIRST_MONTH, b)).height),
    }


def _status(count: int | None, lower: int, upper: int | None, tolerance: float) -> tuple[str, int | None, float | None]:
    if count is None:
        return "not_comparable", None, None
    if count < lower:
        nearest = lower
    elif upper is not None and count > upper:
        nearest = upper
    else:
        return "within_bounds", 0, 0.0
    difference = count - nearest
    relative = difference / nearest if nearest else float("inf")
    return ("within_tolerance" if abs(relative) <= tolerance else "outside_tolerance"), difference, round(relative, 6)


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
            "our_count": count, "status": status, "difference": difference, "relative_difference": relative,
            "tolerance": tolerance, "synthetic": inputs.synthetic})
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
    }
