"""From the custody table to time-to-exit data: one spell of custody per person, under five scenarios.

Why a separate step: the custody table (analysis.tables.custody) gives dates with uncertain ends; the
estimator wants numbers. This module decides, once and in one place, how dates become times:

* **Time** is months held since detention: days / (365.25 / 12) (custody.DAYS_PER_MONTH, so a month
  is 30.4375 days on average and 12 months are a Julian year). Days are whole calendar days
  (exit - entry), so people released after the same number of days are tied, and the estimator
  handles the tie exactly. Everything is computed in days and only reported in months.
* **Who counts**: a person on the list who is not `np` and whose detention date is known (`placed`).
  One without a detention date cannot be placed in time (custody.py) and is left out; the number
  left out is returned with the data.
* **Route**: the custody table's `exit_mechanism` (ROUTES). An exit after follow-up ends, and a
  person still held, is censored at the end of follow-up (the copy's date unless `end` is earlier).
  A `former` person whose release the copy does not date is an exit, never "still held": the exit
  lies in [exit_from, exit_to] and the scenarios below place it.
* **A question that starts at a calendar date** (`start`): people detained before it and still held
  on it enter the risk set at the time they had already served on that day (delayed entry: L = days
  from detention to `start`); people who had left before it (exit on or before `start`) are not in
  the question; people detained on or after it enter at time 0.

**Scenarios** (SCENARIOS): the same people, with the uncertain ends placed differently.

    point           entry at `entry` (a partial date's middle day), exit at `exit` (custody.POINT_RULE)
    exit_earliest   every exit at its earliest possible day, exit_from (never before the entry)
    exit_latest     every exit at its latest possible day, exit_to (never before the entry)
    entry_earliest  every detention at its earliest possible day, entry_from
    entry_latest    every detention at its latest possible day, entry_to (never after the exit)

For an exit dated to the day the three exit scenarios agree; for an undated release (exit_rule
verdict, term_end or midpoint) and a release dated only to a month or a year they move it across its
whole range. exit_earliest/exit_latest are the two extremes (every such exit at its earliest date,
or at its latest). They are scenarios, not a guaranteed envelope: with censoring, moving an exit
earlier, past someone's censoring time, changes the weight of later steps, and moving one route's
exits earlier lowers the share left to leave by another route, so a value under a third placement
can fall outside them. The report shows both beside the point value.
Groups (detention year, age at detention) are always read from the point dates, so a person stays
in the same group under every scenario.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.tables.custody import DAYS_PER_MONTH

ROUTES = ("end_of_term", "pardon", "pardon_with_expulsion", "death_in_custody", "other")
ROUTE_LABELS = {"end_of_term": "end of term", "pardon": "pardon (stayed in Belarus)",
                "pardon_with_expulsion": "pardon with expulsion", "death_in_custody": "death in custody",
                "other": "other"}
SCENARIOS = ("point", "exit_earliest", "exit_latest", "entry_earliest", "entry_latest")
UNDATED_EXIT_RULES = ("verdict", "term_end", "midpoint")
NOT_DELAYED = float("-inf")
c = pl.col

__all__ = ["DAYS_PER_MONTH", "ROUTES", "SCENARIOS", "spells", "unplaced_count"]


def _dates(scenario: str) -> tuple[pl.Expr, pl.Expr]:
    """(entry, exit) dates of one scenario; exit is null for someone still held."""
    entry, exit_ = c("entry"), c("exit")
    if scenario == "exit_earliest":
        exit_ = pl.max_horizontal(c("exit_from").fill_null(c("exit")), c("entry"))
    elif scenario == "exit_latest":
        exit_ = pl.max_horizontal(c("exit_to").fill_null(c("exit")), c("entry"))
    elif scenario == "entry_earliest":
        entry = c("entry_from").fill_null(c("entry"))
    elif scenario == "entry_latest":
        latest = c("entry_to").fill_null(c("entry"))
        entry = pl.when(c("exit").is_not_null()).then(pl.min_horizontal(latest, c("exit"))).otherwise(latest)
    elif scenario != "point":
        raise ValueError(f"unknown scenario {scenario!r}; one of {SCENARIOS}")
    exit_ = pl.when(c("exit").is_not_null()).then(exit_).otherwise(pl.lit(None, dtype=pl.Date))
    return entry, exit_


def spells(custody: pl.DataFrame, snapshot: dt.date, *, start: dt.date | None = None, end: dt.date | None = None,
           scenarios: tuple[str, ...] = SCENARIOS) -> pl.DataFrame:
    """One row per (scenario, person in the question): person_key, days (T), entry_days (L; -inf when
    the person enters at time 0), route (0 = censored, 1.. = ROUTES index + 1), route_name.

    `snapshot` is the copy's date; follow-up ends at `end` (default: the snapshot). People without a
    detention date are left out (`unplaced_count` says how many).
    """
    end = end or snapshot
    if end > snapshot:
        raise ValueError(f"follow-up cannot end ({end}) after the copy's date ({snapshot})")
    if start is not None and start > end:
        raise ValueError(f"the question starts ({start}) after follow-up ends ({end})")
    unknown = (custody.filter(c("exit").is_not_null() & ~c("exit_mechanism").is_in(ROUTES))
               .get_column("exit_mechanism").unique().to_list())
    if unknown:
        raise ValueError(f"exit_mechanism {unknown} is not a route; routes: {ROUTES}")
    base = custody.filter(c("placed").fill_null(False) & c("entry").is_not_null()).select(
        "person_key", "entry", "entry_from", "entry_to", "exit", "exit_from", "exit_to", "exit_mechanism")
    route_code = c("exit_mechanism").replace_strict({r: i + 1 for i, r in enumerate(ROUTES)}, default=0,
                                                    return_dtype=pl.Int64)
    end_lit = pl.lit(end)
    frames = []
    for scenario in scenarios:
        entry, exit_ = _dates(scenario)
        observed = exit_.is_not_null() & (exit_ <= end_lit)
        stop = pl.when(observed).then(exit_).otherwise(end_lit)
        frame = base.select(
            "person_key", pl.lit(scenario).alias("scenario"), entry.alias("_entry"), stop.alias("_stop"),
            pl.when(observed).then(route_code).otherwise(0).alias("route"),
        ).filter(c("_entry") <= end_lit)
        if start is not None:
            delayed = c("_entry") < pl.lit(start)
            frame = frame.filter(~delayed | (c("_stop") > pl.lit(start))).with_columns(
                pl.when(delayed).then((pl.lit(start) - c("_entry")).dt.total_days().cast(pl.Float64))
                .otherwise(pl.lit(NOT_DELAYED)).alias("entry_days"))
        else:
            frame = frame.with_columns(pl.lit(NOT_DELAYED).alias("entry_days"))
        frames.append(frame.with_columns((c("_stop") - c("_entry")).dt.total_days().cast(pl.Float64).alias("days"))
                      .drop("_entry", "_stop"))
    out = pl.concat(frames).with_columns(
        pl.when(c("route") > 0).then(c("route").replace_strict({i + 1: r for i, r in enumerate(ROUTES)},
                                                               default=None, return_dtype=pl.String))
        .alias("route_name"))
    return out.select("scenario", "person_key", "days", "entry_days", "route", "route_name")


def unplaced_count(custody: pl.DataFrame) -> int:
    """People on the list (not `np`) left out because their detention date is unknown."""
    return custody.filter(~(c("placed").fill_null(False) & c("entry").is_not_null())).height


def months(days):
    """Days -> months held (365.25/12 days a month)."""
    return days / DAYS_PER_MONTH


def days(months_):
    """Months held -> days."""
    return months_ * DAYS_PER_MONTH
