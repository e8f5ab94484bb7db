"""Who was held when: each political prisoner's custody as an interval with uncertain ends.

A copy of the list says less than a count needs. Real copies leave out release dates (about half of
the `former` records), detention dates, and write some dates as a month or a year. So each person's
custody is an interval whose ends are themselves ranges:

    entry  in [entry_from, entry_to]   the detention date's range; unknown when the copy gives none
    exit   in [exit_from, exit_to]     a release or death date's range; for a `former` record with
                                       neither, the day of the person's release record if there is
                                       one, else some day after detention and no later than the copy
                                       (narrowed by earlier copies that still show the person active);
                                       open when the person is still held

**What "held" means** (stated once, applied everywhere): a person whose record is not `np` is held
from the date in `arrested` until release or death in custody, whatever the regime: pre-trial
detention, colony, prison, arrest, and restricted freedom in an open facility ("khimiya"), which
Viasna counts; there `arrested` is the day the person was taken to the facility, after the verdict.
Restricted freedom under home confinement, a suspended sentence and a fine are not custody: a person
detained before such a verdict left custody at it (NON_CUSTODIAL_REGIMES). On the copy's own date,
its statuses decide: everyone `active` is held, everyone else is not.

Three counts of the people held on a day t, from the same intervals:

* lower: certainly held (detained by t for sure, certainly not yet released);
* upper: possibly held (may have been detained by t, may not yet have been released);
* point: one documented rule (POINT_RULE), under which held(t) = entries up to t - exits up to t.

A record without a detention date cannot be placed in time: it counts on the copy's own date by its
status (an `active` one is held, and is `listed_without_detention_date`), is in the upper bound
before it, and never enters a flow (an exit needs an entry). Before this rule, a `former` record with
a release date and no detention date was counted as an exit and never as an entry, which broke the
stock-flow identity by one.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core.schema import Columns

# Regimes that end custody at the verdict. The other regimes (colony, prison, khimiya, arrest) are
# served in custody; `other` and an unknown regime say nothing.
NON_CUSTODIAL_REGIMES = ("home_confinement", "suspended", "fine")
NON_CUSTODIAL_SENTENCES = ("none", "fine")
DAYS_PER_MONTH = 365.25 / 12

POINT_RULE = (
    "A date given as a month or a year counts at the middle day of its range. A release the copy does "
    "not date (a “former” record without a release date, or a death in custody without its date) is "
    "dated by the person's release record if there is one; otherwise it is placed, within the days it "
    "can lie in, at the verdict when the sentence was non-custodial (home confinement, suspended, a "
    "fine: custody ends at the verdict), else at the end of the custodial term (detention + sentence), "
    "else at the middle day of those days. Its route is then “other”, except from a release record.")

EXIT_RULES = ("release_date", "death_date", "release_record", "verdict", "term_end", "midpoint")

# Columns of the custody table (restricted: record ids and personal dates).
CUSTODY: Columns = {
    "person_key": pl.String, "record_id": pl.Int64, "status": pl.String, "gender": pl.String,
    "birth_date_from": pl.Date, "birth_date_to": pl.Date,
    "entry_from": pl.Date, "entry_to": pl.Date, "entry": pl.Date, "entry_precision": pl.String,
    "exit_from": pl.Date, "exit_to": pl.Date, "exit": pl.Date, "exit_rule": pl.String,
    "exit_mechanism": pl.String, "placed": pl.Boolean, "release_conflict": pl.Boolean,
    "penalty_regime": pl.String, "facility_type": pl.String, "destination": pl.String,
    "documents_withheld": pl.String, "event_id": pl.String,
}

RECORD_MECHANISMS = {"end_of_term": "end_of_term", "pardon": "pardon", "pardon_with_expulsion": "pardon_with_expulsion",
                     "amnesty": "other", "exchange": "other", "other": "other"}
c = pl.col


def _middle(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """The middle day of [low, high], rounded down."""
    return low + pl.duration(days=((high - low).dt.total_days() // 2))


def copy_history(copies: list[tuple[dt.date, pl.DataFrame]]) -> pl.DataFrame:
    """Per record id, from earlier copies of the list: the last date it was `active`, and the first
    later date it was no longer active. Used to narrow an undated exit: it lies after the first and
    no later than the second."""
    frames = [persons.filter(c("record_id").is_not_null()).select("record_id", "status",
                                                                   pl.lit(date).alias("copy_date"))
              for date, persons in copies]
    if not frames:
        return pl.DataFrame(schema={"record_id": pl.Int64, "last_active": pl.Date, "first_gone": pl.Date})
    seen = pl.concat(frames)
    last_active = seen.filter(c("status") == "active").group_by("record_id").agg(c("copy_date").max()
                                                                                   .alias("last_active"))
    gone = (seen.filter(c("status") != "active").join(last_active, on="record_id", how="left")
            .filter(c("last_active").is_null() | (c("copy_date") > c("last_active")))
            .group_by("record_id").agg(c("copy_date").min().alias("first_gone")))
    return last_active.join(gone, on="record_id", how="full", coalesce=True).sort("record_id")


def custody_intervals(persons: pl.DataFrame, release_records: pl.DataFrame, snapshot: dt.date,
                      history: pl.DataFrame | None = None, end_of_term_slack_months: float = 1.0) -> pl.DataFrame:
    """One row per person on the list who is not `np`: the custody interval and its point dates."""
    records = (release_records.select("record_id", c("release_date").alias("record_date"),
                                      c("mechanism").alias("record_mechanism"), "destination",
                                      "documents_withheld", "event_id")
               .unique("record_id", keep="first", maintain_order=True))
    history = history if history is not None else copy_history([])
    people = (persons.filter(c("status") != "np").join(records, on="record_id", how="left")
              .join(history, on="record_id", how="left"))
    died = c("died_in_custody").fill_null(False)
    active = (c("status") == "active") & ~died
    dated_death = died & c("died_from").is_not_null()
    dated_release = ~active & ~died & c("release_date_from").is_not_null()
    undated = ~active & ~dated_death & ~dated_release
    snap = pl.lit(snapshot)

    undated_low = pl.max_horizontal(c("arrested_from"), c("last_active") + pl.duration(days=1))
    # An earlier copy that no longer shows the person active bounds the exit, unless it belongs to an
    # earlier detention (it lies before this one's possible exit).
    gone_earlier = (c("first_gone") < snap) & (undated_low.is_null() | (c("first_gone") >= undated_low))
    people = people.with_columns(
        # Ranges end no later than the copy: whoever it lists was detained by its date.
        entry_from=c("arrested_from"), entry_to=pl.min_horizontal(c("arrested_to"), snap),
        entry=_middle(c("arrested_from"), pl.min_horizontal(c("arrested_to"), snap)),
        release_conflict=active & (c("release_date_to") <= snap).fill_null(False),
        exit_from=pl.when(dated_death).then(c("died_from")).when(dated_release).then(c("release_date_from"))
        .when(undated).then(undated_low),
        exit_to=pl.when(dated_death).then(pl.min_horizontal(c("died_to"), snap))
        .when(dated_release).then(pl.min_horizontal(c("release_date_to"), snap))
        .when(undated & gone_earlier.fill_null(False)).then(c("first_gone")).when(undated).then(snap),
    )
    people = people.with_columns(_point_exit(undated & ~died, undated & died, dated_death, dated_release, snap))
    # A release record dates the exit the copy leaves open: its range is that day.
    by_record = c("exit_rule") == "release_record"
    people = people.with_columns(exit_from=pl.when(by_record).then(c("exit")).otherwise(c("exit_from")),
                                 exit_to=pl.when(by_record).then(c("exit")).otherwise(c("exit_to")))
    people = people.with_columns(
        # The point exit never precedes the point entry (a year-only detention and a dated release).
        exit=pl.when(c("exit").is_not_null() & c("entry").is_not_null()).then(pl.max_horizontal("exit", "entry"))
        .otherwise(c("exit")),
        placed=c("entry").is_not_null(),
        entry_precision=c("arrested_precision"),
    )
    return people.with_columns(
        exit_mechanism=_mechanism(dated_death | (undated & died), end_of_term_slack_months)
    ).select([c(name).cast(dtype) for name, dtype in CUSTODY.items()]).sort("person_key")


def _point_exit(undated: pl.Expr, undated_death: pl.Expr, dated_death: pl.Expr, dated_release: pl.Expr,
                snap: pl.Expr) -> list[pl.Expr]:
    """The rule that dates each exit (EXIT_RULES) and the point date it gives (see POINT_RULE)."""
    low, high = c("exit_from"), c("exit_to")
    within = lambda day: (day >= low) & (day <= high)  # noqa: E731
    verdict = c("verdict_date_from")
    non_custodial = (c("penalty_regime").is_in(NON_CUSTODIAL_REGIMES)
                     | c("sentence_kind").is_in(NON_CUSTODIAL_SENTENCES)).fill_null(False)
    term_end = c("arrested_from") + pl.duration(days=(c("sentence_months") * DAYS_PER_MONTH).round().cast(pl.Int64))
    has_term = (c("sentence_kind") == "term") & c("sentence_months").is_not_null()
    from_record = undated & c("record_date").is_not_null() & (c("record_date") <= snap)
    rule = (pl.when(dated_death).then(pl.lit("death_date")).when(dated_release).then(pl.lit("release_date"))
            .when(from_record).then(pl.lit("release_record"))
            .when(undated & non_custodial & within(verdict).fill_null(False)).then(pl.lit("verdict"))
            .when(undated & has_term & within(term_end).fill_null(False)).then(pl.lit("term_end"))
            .when((undated | undated_death) & low.is_not_null()).then(pl.lit("midpoint")))
    day = (pl.when(rule.is_in(["death_date", "release_date"])).then(_middle(low, high))
           .when(rule == "release_record").then(c("record_date"))
           .when(rule == "verdict").then(verdict)
           .when(rule == "term_end").then(term_end)
           .when(rule == "midpoint").then(_middle(low, high)))
    return [rule.alias("exit_rule"), day.alias("exit")]


def _mechanism(died: pl.Expr, slack_months: float) -> pl.Expr:
    """Death in custody; else the release record's mechanism; else, for a release the copy dates,
    `end_of_term` when it came no earlier than `slack_months` before the sentence ran out; else `other`."""
    served = (c("exit") - c("entry")).dt.total_days() / DAYS_PER_MONTH
    inferred = pl.when(served >= c("sentence_months") - slack_months).then(pl.lit("end_of_term")).otherwise(
        pl.lit("other"))
    return (pl.when(died).then(pl.lit("death_in_custody"))
            .when(c("exit").is_null()).then(pl.lit(None, dtype=pl.String))
            .when(c("record_mechanism").is_not_null())
            .then(c("record_mechanism").replace_strict(RECORD_MECHANISMS, default="other"))
            .when(c("exit_rule") == "release_date").then(inferred)
            .otherwise(pl.lit("other")))


# ------------------------------------------------------------------ counting on a day


def point_held(day: dt.date, snapshot: dt.date) -> pl.Expr:
    """Held on `day` under the point rule (a boolean over the custody table)."""
    timed = c("placed") & (c("entry") <= day) & (c("exit").is_null() | (c("exit") > day))
    on_copy_date = pl.lit(day == snapshot) & ~c("placed") & (c("status") == "active")
    return (timed | on_copy_date).fill_null(False)


def certainly_held(day: dt.date, snapshot: dt.date) -> pl.Expr:
    timed = c("placed") & (c("entry_to") <= day) & (c("exit").is_null() | (c("exit_from") > day))
    on_copy_date = pl.lit(day == snapshot) & ~c("placed") & (c("status") == "active")
    return (timed | on_copy_date).fill_null(False)


def possibly_held(day: dt.date) -> pl.Expr:
    entered = c("entry_from").is_null() | (c("entry_from") <= day)
    not_left = c("exit").is_null() & (c("status") == "active") | (c("exit_to") > day)
    return (entered & not_left.fill_null(False)).fill_null(False)


def listed_without_detention_date(day: dt.date, snapshot: dt.date) -> pl.Expr:
    return (pl.lit(day == snapshot) & ~c("placed") & (c("status") == "active")).fill_null(False)


def held_counts(custody: pl.DataFrame, day: dt.date, snapshot: dt.date) -> dict[str, int]:
    """Point, lower and upper counts of the people held on `day`."""
    row = custody.select(
        held=point_held(day, snapshot).sum(), held_lower=certainly_held(day, snapshot).sum(),
        held_upper=possibly_held(day).sum(),
        listed_without_detention_date=listed_without_detention_date(day, snapshot).sum(),
    ).row(0, named=True)
    return {k: int(v) for k, v in row.items()}
