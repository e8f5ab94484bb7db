"""The reconciliation of our counts with published figures: every figure dated in the period next to
our count for the same measure and date, with its point, bounds and where it stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from analysis.core import schema
from analysis.core.periods import FIRST_MONTH
from analysis.tables.custody import held_counts
from analysis.tables.inputs import PeriodInputs
from analysis.tables.stock_flows import between



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
        between("release_date", a, b) & (pl.col(column) == value)).height)
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


def reconciliation_table(inputs: PeriodInputs, tolerance: float | None = None) -> pl.DataFrame:
    """Every published figure dated in the period next to our count for the same measure and date."""
    tolerance = inputs.settings.reconciliation_tolerance.value if tolerance is None else tolerance
    period, measures, rows = inputs.period, _measures(inputs), []
    figures = inputs.ledger.filter(pl.col("as_of_to").is_not_null() & between("as_of_to", period.start, period.end))
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
