"""Deaths of political prisoners in custody, cumulative: the registry's step line and the published figures."""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from analysis.charts.common import (CARET_SHARE, FIRST_DAY, REGISTRY_AND_LEDGER, ChartContext, ChartInfo, data,
                                    period_band, published_figures, published_layers, table, time_x, tx)
from analysis.charts.style import INK, OKABE_ITO, WIDTH

CHART = ChartInfo(id="fig-deaths", sources=REGISTRY_AND_LEDGER)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    # One step per day (the table has one row per death).
    deaths = (table(tables, "deaths").group_by("date")
              .agg(pl.col("cumulative").max(), pl.len().cast(pl.Int64).alias("deaths_that_day"))
              .sort("date"))
    figures = published_figures(context, "deaths_in_custody_cumulative")
    # Step line from 0 at the start of the series to the last count at the period's end.
    steps = pl.concat([
        pl.DataFrame({"date": [FIRST_DAY], "cumulative": [0]}, schema={"date": pl.Date, "cumulative": pl.Int64}),
        deaths.select("date", "cumulative"),
        pl.DataFrame({"date": [context.period_end], "cumulative": [int(deaths["cumulative"].max() or 0)]},
                     schema={"date": pl.Date, "cumulative": pl.Int64}),
    ])
    y_max = float(max([int(deaths["cumulative"].max() or 0)]
                      + [v for v in figures["value"].to_list() if v is not None]
                      + [v for v in figures["upper"].to_list() if v is not None] + [1]))
    y_top = max(5.0, math.ceil(y_max * (1 + 3 * CARET_SHARE)) + 1)
    y = alt.Y("cumulative:Q", title="Deaths in custody since 2020-05 (persons)",
              scale=alt.Scale(domain=[0, y_top]), axis=alt.Axis(format="d", tickMinStep=1))
    line = alt.Chart(data(steps)).mark_line(interpolate="step-after", color=INK, strokeWidth=2).encode(
        x=time_x(context, "Date of death"), y=y)
    points = alt.Chart(data(deaths.select("date", "cumulative", "deaths_that_day"))).mark_point(
        filled=True, size=40, color=INK).encode(
        x=tx("date"), y="cumulative:Q",
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("deaths_that_day:Q", title="Deaths that day"),
                 alt.Tooltip("cumulative:Q", title="Deaths so far")])
    label = "Registry count (SYNTHETIC)" if context.synthetic else "Registry count"
    end = alt.Chart(data([{"date": context.period_end.isoformat(), "cumulative": int(deaths["cumulative"].max() or 0),
                           "label": f"{label}: {int(deaths['cumulative'].max() or 0)}"}])).mark_text(
        align="right", baseline="bottom", dy=-14, fontWeight="bold").encode(x=tx("date"), y="cumulative:Q",
                                                                              text="label:N")
    published = published_layers(figures, y_top, y_title="Deaths in custody since 2020-05 (persons)",
                                 colour_by_source=False, point_colour=OKABE_ITO["vermillion"], shape="diamond",
                                 size=90)
    legend_note = ("Vermillion diamonds: published cumulative figures with the range their wording allows "
                   "(▲ = no upper limit)." if figures.height else "No published cumulative figures in the ledger.")
    return alt.layer(*period_band(table(tables, "monthly"), context), line, points, *published, end).properties(
        width=WIDTH, height=280, title=CHART.title(context, legend_note))
