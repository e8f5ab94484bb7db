"""Checks a quality gate can run on the survival outputs: pure functions, frames of violations and booleans.

Why these four: each is a property the estimator guarantees by construction, so a failure means a
bug or a mangled table, never a feature of the data.

1. Routes add up to at most 1: sum_k F_k(t) = 1 - S(t) <= 1 at every time (checked on the curves
   and the table, within 1e-9 for rounding).
2. Each route's incidence (and the any-route incidence) never falls as time goes on.
3. The number at risk: on a fit, exactly n_{j+1} = n_j - d_j - c_j + e_j (estimator module), with
   n_0 = entries before the first event time - censorings before it; without delayed entry e_j = 0,
   so n never rises. On a published table or curve without delayed entry, at_risk never rises with
   months; with delayed entry it may, and only the fit-level identity can be checked.
4. Medians agree with the curves: a reached median is the first curve time whose any-route
   incidence is >= 0.5, and the table's any-route incidence is >= 0.5 at the report times from the
   median on and < 0.5 before it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.survival.estimator import CompetingRisksFit
from analysis.survival.tables import ANY_ROUTE

TOLERANCE = 1e-9
c = pl.col


def routes_exceeding_one(frame: pl.DataFrame, tolerance: float = TOLERANCE) -> pl.DataFrame:
    """(group, months) where the routes' incidences add up to more than 1 (table or curves frame)."""
    keys = [k for k in ("group", "scenario", "months") if k in frame.columns]
    return (frame.filter((c("route") != ANY_ROUTE) & c("incidence").is_not_null())
            .group_by(keys).agg(c("incidence").sum().alias("total"))
            .filter(c("total") > 1 + tolerance).sort(keys))


def routes_sum_to_at_most_one(frame: pl.DataFrame, tolerance: float = TOLERANCE) -> bool:
    return routes_exceeding_one(frame, tolerance).height == 0


def decreasing_incidence(frame: pl.DataFrame, tolerance: float = TOLERANCE) -> pl.DataFrame:
    """Rows whose incidence is lower than at an earlier time of the same group and route."""
    keys = [k for k in ("group", "scenario", "route") if k in frame.columns]
    columns = [name for name in frame.columns if name == "incidence" or name.startswith("incidence_")]
    shown = frame.sort([*keys, "months"])
    flags = [(c(name) < c(name).forward_fill().cum_max().shift(1).over(keys) - tolerance).fill_null(False)
             for name in columns]
    return shown.filter(pl.any_horizontal(flags)) if flags else shown.clear()


def incidence_non_decreasing(frame: pl.DataFrame, tolerance: float = TOLERANCE) -> bool:
    return decreasing_incidence(frame, tolerance).height == 0


def at_risk_identity(fit: CompetingRisksFit) -> pl.DataFrame:
    """Event times where n_{j+1} != n_j - d_j - c_j + e_j, or n_0 is not what came before it."""
    n = fit.at_risk
    expected = np.concatenate(([fit.entered_before - fit.removed_before],
                               n[:-1] - fit.events.sum(axis=1)[:-1] - fit.censored[:-1] + fit.entered[:-1]))
    bad = np.flatnonzero(expected != n) if n.size else np.zeros(0, dtype=np.int64)
    return pl.DataFrame({"time": fit.times[bad], "at_risk": n[bad], "expected": expected[bad]},
                        schema={"time": pl.Float64, "at_risk": pl.Int64, "expected": pl.Int64})


def at_risk_consistent(fit: CompetingRisksFit) -> bool:
    """The exact identity holds, and without delayed entry n never rises."""
    rises = bool(fit.at_risk.size) and bool((np.diff(fit.at_risk) > 0).any())
    return at_risk_identity(fit).height == 0 and not (rises and not fit.delayed)


def rising_at_risk(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows of a table or curves frame where at_risk is higher than at the previous time (only an
    error without delayed entry: pass the table of a question that has no start date)."""
    keys = [k for k in ("group", "scenario", "route") if k in frame.columns]
    return frame.sort([*keys, "months"]).filter((c("at_risk") > c("at_risk").shift(1).over(keys)).fill_null(False))


def median_disagreements(medians: pl.DataFrame, curves: pl.DataFrame | None = None,
                         table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Groups whose reported median disagrees with the curves (first any-route time >= 0.5) or with
    the table (any-route incidence >= 0.5 exactly at the report times at or after the median)."""
    problems = []
    reached = medians.filter(c("median_status") == "reached").select("group", "median_months")
    if curves is not None:
        curves = _point(curves)
        first = (curves.filter((c("route") == ANY_ROUTE) & (c("incidence") >= 0.5))
                 .group_by("group").agg(c("months").min().alias("curve_median")))
        shown = curves.select("group").unique()
        joined = reached.join(shown, on="group", how="semi").join(first, on="group", how="left")
        problems.append(joined.filter(c("curve_median").is_null() | ((c("curve_median") - c("median_months")).abs() > 1e-9))
                        .select("group", pl.lit("curve").alias("against")))
        # A curve that reaches 0.5 must have a reported median (not "not reached").
        missing = first.join(medians.filter(c("median_status") == "not reached"), on="group", how="inner")
        problems.append(missing.select("group", pl.lit("curve reaches 0.5, median says not reached").alias("against")))
    if table is not None:
        rows = (table.filter((c("route") == ANY_ROUTE) & ~c("suppressed"))
                .join(medians.select("group", "median_months", "median_status"), on="group", how="inner"))
        wrong = rows.filter(
            ((c("median_status") == "reached") & ((c("months") >= c("median_months")) != (c("incidence") >= 0.5)))
            | ((c("median_status") == "not reached") & (c("incidence") >= 0.5)))
        problems.append(wrong.select("group", pl.lit("table").alias("against")))
    if not problems:
        return pl.DataFrame(schema={"group": pl.String, "against": pl.String})
    return pl.concat(problems).unique().sort("group", "against")


def _point(curves: pl.DataFrame) -> pl.DataFrame:
    return curves.filter(c("scenario") == "point") if "scenario" in curves.columns else curves


def table_curve_disagreements(table: pl.DataFrame, curves: pl.DataFrame, tolerance: float = TOLERANCE) -> pl.DataFrame:
    """Shown table rows whose incidence is not the curve's value at that time (the last curve point at
    or before it), or that lie past the end of a curve that stopped early (such a row must be suppressed)."""
    curves = _point(curves)
    shown = table.filter(~c("suppressed") & c("group").is_in(curves["group"].unique().implode()))
    ends = curves.group_by("group", "route").agg(c("months").max().alias("_curve_end"),
                                                 c("at_risk").last().alias("_at_risk_end"))
    step = (shown.sort("months")
            .join_asof(curves.select("group", "route", "months", c("incidence").alias("_curve")).sort("months"),
                       on="months", by=["group", "route"], strategy="backward", check_sortedness=False)
            .join(ends, on=["group", "route"], how="left"))
    # A curve that was cut ends before the next event time; rows beyond its last event but before
    # the cut are fine as long as the values agree, so only the values are compared here.
    return step.filter(c("_curve").is_null() | ((c("_curve") - c("incidence")).abs() > tolerance)).select(
        "group", "route", "months", "incidence", "_curve")


def medians_agree(medians: pl.DataFrame, curves: pl.DataFrame | None = None, table: pl.DataFrame | None = None) -> bool:
    return median_disagreements(medians, curves, table).height == 0
