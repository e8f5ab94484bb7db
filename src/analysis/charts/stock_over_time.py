"""Political prisoners held at each month-end: the registry count with the range the sources allow, and the
figures published for the same measure."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.charts.common import (CARET_SHARE, REGISTRY_AND_LEDGER, ChartContext, ChartInfo, data, fmt, line_key,
                                    nice, period_band, published_figures, published_layers, table, time_x)
from analysis.charts.style import INK, WIDTH

CHART = ChartInfo(id="fig-stock-over-time", sources=REGISTRY_AND_LEDGER)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    monthly = table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return CHART.empty(context, "No monthly counts for this period.")
    line_frame = monthly.select(pl.col("month_end").alias("date"), "month", "held_end", "held_end_lower",
                                "held_end_upper")
    figures = published_figures(context, "current_political_prisoners")
    y_max = float(max([monthly["held_end_upper"].max() or 0]
                      + [v for v in figures["value"].to_list() if v is not None]
                      + [v for v in figures["upper"].to_list() if v is not None]))
    y = alt.Y("held_end:Q", title="Political prisoners held (persons)", axis=alt.Axis(format=",d"),
              scale=alt.Scale(domain=[0, nice(y_max * (1 + 2 * CARET_SHARE))]))
    line = alt.Chart(data(line_frame)).mark_line(color=INK, strokeWidth=2, interpolate="linear").encode(
        x=time_x(context, "Month-end"), y=y,
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("held_end:Q", title="Held at month-end", format=","),
                 alt.Tooltip("held_end_lower:Q", title="At least", format=","),
                 alt.Tooltip("held_end_upper:Q", title="At most", format=",")])
    # What the sources allow: certainly held (lower) to possibly held (upper), around the point rule's line.
    band = alt.Chart(data(line_frame)).mark_area(color=INK, opacity=0.14, interpolate="linear").encode(
        x=time_x(context, "Month-end"), y=alt.Y("held_end_lower:Q").scale(y.to_dict()["scale"]).title(None),
        y2="held_end_upper:Q")
    label = "Registry count at month-end" + (" (SYNTHETIC)" if context.synthetic else "")
    layers = [*period_band(monthly, context), band, line,
              *published_layers(figures, y_max, y_title="Political prisoners held (persons)", colour_by_source=True),
              *line_key(label)]
    undated = context.ledger.filter((pl.col("metric") == "current_political_prisoners")
                                    & pl.col("as_of_from").is_null()).height
    last = monthly.tail(1).row(0, named=True)
    note = (f"Registry count on {last['month_end'].isoformat()}: {fmt(last['held_end'])} (the sources allow "
            f"{fmt(last['held_end_lower'])}–{fmt(last['held_end_upper'])}: grey band). "
            f"Points: {figures.height} dated published figures ({undated} undated ones not drawn); "
            "bars: the range their wording allows; ▲ = no upper limit.")
    return alt.layer(*layers).properties(
        width=WIDTH, height=360, title=CHART.title(context, note))
