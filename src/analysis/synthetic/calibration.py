"""How far a person table's implied counts are from Viasna's published figures.

The target series is Viasna's published number of current political prisoners: every ledger row
with metric `current_political_prisoners`, a date, and a source_org that mentions Viasna. A
month-only date stands for the month's last day; two figures on one day are replaced by their
midpoint (1,452 and 1,477 on 2023-12-31 -> 1,464.5). Between dated figures the target is linear
in days; after the last one it stays flat; before the first (2020-10-31: 101) it ramps linearly
from RAMP_START_VALUE at RAMP_START_DATE, which is an ASSUMPTION of the synthetic generator,
not a published figure.

`calibration_table` compares the count implied by a person table with (a) every dated Viasna
figure ("published", tolerance +-3% of the figure) and (b) the interpolated target at every
month-end without a figure ("interpolated", +-3% of the target); and the deaths in custody
implied by the table with Viasna's cumulative and per-year figures (tolerance: the range the
figure's qualifier allows, e.g. "at least 6" -> 6 or more).

The person table follows the canonical contract (`analysis.read_registry`): columns `status`
(active/former/np), `arrested_from`, `release_date_from` (null if not released) and `died_from`
(null unless the person died in custody). At date t a person counts as active when
status != np, arrested_from <= t, and neither released nor dead on or before t. A `former`
person with neither a release date nor a date of death cannot be placed in time: such people
are counted in `undetermined`, never as active.

How a copy is *written* (its structure rather than its counts) is measured by
analysis.synthetic.structure_rates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

import polars as pl

from analysis.core.schema import Columns

TOLERANCE = 0.03
METRIC_CURRENT = "current_political_prisoners"
METRIC_DEATHS_CUMULATIVE = "deaths_in_custody_cumulative"
METRIC_DEATHS_IN_YEAR = "deaths_in_custody_in_year"
FIRST_MONTH = dt.date(2020, 5, 31)
LAST_MONTH = dt.date(2026, 2, 28)

# ASSUMPTION (synthetic generator): the list held 15 people at the end of May 2020, the month from
# which Viasna counts ("since May 2020"). No published figure; chosen small so that the ramp to the
# first published figure (101 on 2020-10-31) is gradual.
RAMP_START_DATE = FIRST_MONTH
RAMP_START_VALUE = 15

CALIBRATION_SCHEMA: Columns = {
    "month": pl.String,
    "as_of": pl.Date,
    "metric": pl.String,
    "published": pl.Int64,
    "qualifier": pl.String,
    "source_org": pl.String,
    "figure_id": pl.String,
    "target": pl.Float64,
    "synthetic": pl.Int64,
    "deviation": pl.Float64,
    "within_tolerance": pl.Boolean,
    "kind": pl.String,
}


@dataclass(frozen=True)
class Anchor:
    date: dt.date
    value: float  # midpoint when several figures share the date
    figure_ids: tuple[str, ...]
    values: tuple[int, ...]


def month_ends(start: dt.date = FIRST_MONTH, end: dt.date = LAST_MONTH) -> list[dt.date]:
    out = []
    year, month = start.year, start.month
    while True:
        day = dt.date(year, month, calendar.monthrange(year, month)[1])
        if day > end:
            return out
        out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _viasna(ledger: pl.DataFrame, metric: str) -> pl.DataFrame:
    return ledger.filter(
        (pl.col("metric") == metric)
        & pl.col("source_org").str.to_lowercase().str.contains("viasna")
        & pl.col("as_of_to").is_not_null()
    ).sort("as_of_to", "row_number")


def viasna_anchors(ledger: pl.DataFrame) -> list[Anchor]:
    """Dated Viasna figures for current political prisoners, one anchor per date (midpoint of ties)."""
    rows = _viasna(ledger, METRIC_CURRENT)
    anchors = []
    for (date,), group in rows.group_by(["as_of_to"], maintain_order=True):
        values = tuple(group["value"].to_list())
        anchors.append(Anchor(date, (min(values) + max(values)) / 2, tuple(group["figure_id"].to_list()), values))
    return sorted(anchors, key=lambda a: a.date)


def _points(anchors: Sequence[Anchor]) -> list[tuple[dt.date, float]]:
    points = [(RAMP_START_DATE, float(RAMP_START_VALUE))]
    points += [(a.date, a.value) for a in anchors if a.date > RAMP_START_DATE]
    return points


def target_value(anchors: Sequence[Anchor], day: dt.date) -> float:
    """The interpolated target on one day (flat before the ramp start and after the last anchor)."""
    points = _points(anchors)
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if d0 < day <= d1:
            return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    return points[-1][1]


def implied_active(persons: pl.DataFrame, dates: Iterable[dt.date]) -> pl.DataFrame:
    """Active count at each date (see the module docstring), plus `undetermined` formers."""
    dates = sorted(set(dates))
    frame = persons.select(
        pl.col("status").cast(pl.String),
        pl.col("arrested_from").cast(pl.Date),
        pl.col("release_date_from").cast(pl.Date),
        pl.col("died_from").cast(pl.Date),
    ).filter((pl.col("status") != "np") & pl.col("arrested_from").is_not_null())
    grid = pl.DataFrame({"as_of": dates}, schema={"as_of": pl.Date})
    crossed = grid.join(frame, how="cross").filter(pl.col("arrested_from") <= pl.col("as_of"))
    unplaced = (pl.col("status") == "former") & pl.col("release_date_from").is_null() & pl.col("died_from").is_null()
    gone = ((pl.col("release_date_from").is_not_null() & (pl.col("release_date_from") <= pl.col("as_of")))
            | (pl.col("died_from").is_not_null() & (pl.col("died_from") <= pl.col("as_of"))))
    counts = crossed.group_by("as_of").agg(
        (~unplaced & ~gone).sum().cast(pl.Int64).alias("active"),
        unplaced.sum().cast(pl.Int64).alias("undetermined"),
    )
    return grid.join(counts, on="as_of", how="left").with_columns(
        pl.col("active").fill_null(0), pl.col("undetermined").fill_null(0)).sort("as_of")


def deaths_by(persons: pl.DataFrame, day: dt.date, since: dt.date | None = None) -> int:
    died = persons["died_from"].cast(pl.Date)
    mask = died.is_not_null() & (died <= day)
    if since is not None:
        mask = mask & (died >= since)
    return int(mask.sum())


def calibration_table(persons: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """Published and interpolated targets against the counts implied by `persons` (see module doc)."""
    anchors = viasna_anchors(ledger)
    figures = _viasna(ledger, METRIC_CURRENT)
    figure_dates = set(figures["as_of_to"].to_list())
    months = month_ends()
    counts = implied_active(persons, months + sorted(figure_dates))
    active = dict(zip(counts["as_of"].to_list(), counts["active"].to_list()))
    rows = []
    for month_end in months:
        if month_end in figure_dates:
            continue  # the published row(s) below stand for this month
        target = target_value(anchors, month_end)
        synthetic = active[month_end]
        deviation = (synthetic - target) / target
        rows.append((month_end.strftime("%Y-%m"), month_end, METRIC_CURRENT, None, None, None, None, target,
                     synthetic, deviation, abs(deviation) <= TOLERANCE, "interpolated"))
    for r in figures.iter_rows(named=True):
        day = r["as_of_to"]
        synthetic = active[day]
        deviation = (synthetic - r["value"]) / r["value"]
        rows.append((day.strftime("%Y-%m"), day, METRIC_CURRENT, r["value"], r["qualifier"], r["source_org"],
                     r["figure_id"], target_value(anchors, day), synthetic, deviation,
                     abs(deviation) <= TOLERANCE, "published"))
    for metric in (METRIC_DEATHS_CUMULATIVE, METRIC_DEATHS_IN_YEAR):
        for r in _viasna(ledger, metric).iter_rows(named=True):
            day = r["as_of_to"]
            since = dt.date(day.year, 1, 1) if metric == METRIC_DEATHS_IN_YEAR else None
            synthetic = deaths_by(persons, day, since)
            within = synthetic >= r["lower"] and (r["upper"] is None or synthetic <= r["upper"])
            deviation = (synthetic - r["value"]) / r["value"] if r["value"] else None
            rows.append((day.strftime("%Y-%m"), day, metric, r["value"], r["qualifier"], r["source_org"],
                         r["figure_id"], None, synthetic, deviation, within, "published"))
    table = pl.DataFrame(rows, schema=CALIBRATION_SCHEMA, orient="row")
    return table.sort("as_of", "metric", "kind", "figure_id", nulls_last=True)


def dated_by_release_records(persons: pl.DataFrame, release_records: pl.DataFrame | None) -> pl.DataFrame:
    """`persons` with the release date of a `former` record that gives none taken from the person-level
    release records (by record id), as the report's custody rule does. A copy of the list leaves out about
    half of the release dates (the sample does too, as real copies do); without the records those people
    could not be placed in time and would count as `undetermined`."""
    if release_records is None or release_records.height == 0 or "record_id" not in persons.columns:
        return persons
    records = (release_records.select("record_id", pl.col("release_date").cast(pl.Date).alias("_record_date"))
               .unique("record_id", keep="first"))
    undated = (pl.col("status") == "former") & pl.col("release_date_from").is_null() & pl.col("died_from").is_null()
    return (persons.join(records, on="record_id", how="left")
            .with_columns(release_date_from=pl.when(undated).then(pl.col("_record_date"))
                          .otherwise(pl.col("release_date_from")))
            .drop("_record_date"))


def persons_from_population(population) -> pl.DataFrame:
    """The canonical-contract frame (status, arrested_from, release_date_from, died_from) of a
    synthetic master population (`analysis.synthetic.build_population`), as of its end date."""
    people = getattr(population, "persons", population)
    end = getattr(population, "end", LAST_MONTH)
    rows = []
    for p in people:
        released = p.release if p.release is not None and p.release <= end else None
        died = p.died if p.died is not None and p.died <= end else None
        if p.category == "np":
            status = "np"
        elif released is not None or died is not None:
            status = "former"
        else:
            status = "active"
        rows.append((status, p.arrested, released, died))
    return pl.DataFrame(rows, schema={"status": pl.String, "arrested_from": pl.Date,
                                      "release_date_from": pl.Date, "died_from": pl.Date}, orient="row")
