"""Exits from custody each month, stacked by mechanism (end of term, pardon, expulsion, death, other)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from analysis.charts.common import (FIRST_DAY, REGISTRY, ChartContext, ChartInfo, data, fmt, nice, period_band, table,
                                    time_axis, utc)
from analysis.charts.style import MECHANISM_COLOURS, MECHANISM_ORDER, WIDTH
from analysis.core.vocabulary import MECHANISM_LABELS, MECHANISM_SHORT

CHART = ChartInfo(id="fig-exits-by-mechanism", sources=REGISTRY)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    monthly = table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return CHART.empty(context, "No monthly counts for this period.")
    columns = [f"exits_{m}" for m in MECHANISM_ORDER]
    long = (monthly.select("month", *columns)
            .unpivot(index="month", on=columns, variable_name="mechanism", value_name="persons")
            .with_columns(pl.col("mechanism").str.strip_prefix("exits_"))
            .filter(pl.col("persons") > 0)
            .with_columns((pl.col("month") + "-01").alias("month_start"),
                          pl.col("mechanism").replace_strict(MECHANISM_LABELS, return_dtype=pl.String).alias("label"),
                          pl.col("mechanism").replace_strict({m: i for i, m in enumerate(MECHANISM_ORDER)},
                                                             return_dtype=pl.Int64).alias("rank"))
            .sort("month", "rank"))
    colour = alt.Color("label:N", title=None, legend=alt.Legend(columns=3, symbolType="square"),
                       scale=alt.Scale(domain=[MECHANISM_LABELS[m] for m in MECHANISM_ORDER],
                                       range=[MECHANISM_COLOURS[m] for m in MECHANISM_ORDER]))
    x = alt.X("utcyearmonth(month_start):T", title="Month",
              scale=alt.Scale(domain=[utc(FIRST_DAY), utc(context.period_end + dt.timedelta(days=1))]),
              axis=time_axis(context))
    bars = alt.Chart(data(long)).mark_bar(width={"band": 0.85}).encode(
        x=x, y=alt.Y("sum(persons):Q", title="Exits per month (persons)", axis=alt.Axis(format=",d", tickMinStep=1),
                     stack="zero", scale=alt.Scale(domain=[0, nice(float(monthly["exits"].max() or 1) * 1.05)])),
        color=colour, order=alt.Order("rank:Q", sort="ascending"),
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("label:N", title="Mechanism"),
                 alt.Tooltip("persons:Q", title="Persons", format=",")])
    band = period_band(monthly, context)
    totals = monthly.select([pl.sum(c) for c in columns]).row(0)
    span = f"{monthly['month'][0]} to {monthly['month'][-1]}"
    note = f"All exits {span}: " + ", ".join(
        f"{MECHANISM_SHORT[m].lower()} {fmt(t)}" for m, t in zip(MECHANISM_ORDER, totals) if t) + "."
    return alt.layer(*band, bars).properties(width=WIDTH, height=320, title=CHART.title(context, note))
