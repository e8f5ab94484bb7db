"""The period's stock, flows and month-by-month table (the revolving door), counted on days.

Counts on a day come as a point (one documented rule, custody.POINT_RULE) with a lower and an upper
bound. Entries and exits are counted with the same inequalities as the point stock, so end = start +
entries - exits holds exactly, month by month (plus, on the copy's own date, the `active` records
without a detention date, counted by status).

Exit mechanism: death in custody; else the person-level release record's mechanism (amnesty and
exchange are counted as `other`); else, for a release the copy dates, `end_of_term` when it came no
earlier than a month before the sentence ran out; otherwise `other`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core import schema
from analysis.core.periods import FIRST_MONTH, month_end, months_between
from analysis.tables.custody import held_counts, point_held
from analysis.tables.inputs import PeriodInputs


# ------------------------------------------------------------------ counting on a day


def held_people(inputs: PeriodInputs, day: dt.date) -> pl.DataFrame:
    """The people held on `day` under the point rule."""
    return inputs.timeline.filter(point_held(day, inputs.snapshot.date))


def held_on(inputs: PeriodInputs, day: dt.date) -> int:
    return held_people(inputs, day).height


def between(column: str, first: dt.date, last: dt.date) -> pl.Expr:
    return pl.col(column).is_between(first, last, closed="both")


# ------------------------------------------------------------------ the tables


def _timed(column: str, first: dt.date, last: dt.date) -> pl.Expr:
    """A flow in [first, last]: only people placed in time (an exit needs an entry)."""
    return pl.col("placed") & between(column, first, last)


def _by_rule(column: str) -> pl.Expr:
    """Dated by the point rule rather than by a day the copy gives (a partial or missing date)."""
    if column == "entry":
        return pl.col("entry_precision") != "day"
    return ~pl.col("exit_rule").is_in(["release_date", "death_date", "release_record"]) | (
        pl.col("exit_from") != pl.col("exit_to"))


def stock_table(inputs: PeriodInputs) -> pl.DataFrame:
    period, rows = inputs.period, []
    for position, day in (("start", period.start - dt.timedelta(days=1)), ("end", period.end)):
        held = held_people(inputs, day)
        rows.append({"period": period.label, "position": position, "as_of": day,
                     **held_counts(inputs.timeline, day, inputs.snapshot.date),
                     "women": held.filter(pl.col("gender") == "female").height,
                     "men": held.filter(pl.col("gender") == "male").height,
                     "gender_unknown": held.filter(pl.col("gender").is_null()).height,
                     "aged_60_plus": held.filter(age_on(day) >= 60).height,
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


def age_on(day: dt.date) -> pl.Expr:
    """Age in whole years on `day`, from the middle of the birth-date range (partial dates are ranges)."""
    middle = pl.col("birth_date_from") + (pl.col("birth_date_to") - pl.col("birth_date_from")) / 2
    return ((pl.lit(day) - middle).dt.total_days() / 365.25).floor()
