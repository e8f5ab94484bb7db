"""New political prisoners and exits from custody each month (top), and exits per entry (bottom)."""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from analysis.charts.common import REGISTRY, ChartContext, ChartInfo, data, fmt, period_band, table, time_x
from analysis.charts.style import FLOW_COLOURS, FLOW_DASHES, WIDTH

CHART = ChartInfo(id="fig-entries-exits", sources=REGISTRY)

FLOW_LABELS = {"entries": "Entries (newly detained)", "exits": "Exits (released or died)"}


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    monthly = table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return CHART.empty(context, "No monthly counts for this period.")
    long = (monthly.select(pl.col("month_end").alias("date"), "month", "entries", "exits", "net_change",
                           "exit_entry_ratio")
            .unpivot(index=["date", "month", "net_change", "exit_entry_ratio"], on=["entries", "exits"],
                     variable_name="flow", value_name="persons")
            .with_columns(pl.col("flow").replace_strict(FLOW_LABELS, return_dtype=pl.String).alias("flow_label"))
            .sort("flow", "date"))
    flows = list(FLOW_LABELS)
    colour = alt.Color("flow_label:N", title="Per month",
                       scale=alt.Scale(domain=[FLOW_LABELS[f] for f in flows], range=[FLOW_COLOURS[f] for f in flows]))
    dash = alt.StrokeDash("flow_label:N", title="Per month",
                          scale=alt.Scale(domain=[FLOW_LABELS[f] for f in flows], range=[FLOW_DASHES[f] for f in flows]))
    tooltip = [alt.Tooltip("month:N", title="Month"), alt.Tooltip("flow_label:N", title="Flow"),
               alt.Tooltip("persons:Q", title="Persons", format=","),
               alt.Tooltip("exit_entry_ratio:Q", title="Exits per entry", format=".2f"),
               alt.Tooltip("net_change:Q", title="Net change", format="+,")]
    lines = alt.Chart(data(long)).mark_line(strokeWidth=1.8).encode(
        x=time_x(context, ""), y=alt.Y("persons:Q", title="Persons per month", axis=alt.Axis(format=",d")),
        color=colour, strokeDash=dash, detail="flow:N", tooltip=tooltip)
    top = alt.layer(*period_band(monthly, context), lines).properties(width=WIDTH, height=260)

    ratio = monthly.filter(pl.col("exit_entry_ratio").is_not_null()).select(
        pl.col("month_end").alias("date"), "month", "entries", "exits", "exit_entry_ratio")
    ratio_max = max(2.0, math.ceil(float(ratio["exit_entry_ratio"].max() or 0.0) * 2) / 2)
    ratio_line = alt.Chart(data(ratio)).mark_line(color="#555555", strokeWidth=1.2, point=alt.OverlayMarkDef(
        color="#555555", size=14, filled=True)).encode(
        x=time_x(context, "Month"),
        y=alt.Y("exit_entry_ratio:Q", title="Exits per entry", scale=alt.Scale(domain=[0, ratio_max]),
                axis=alt.Axis(format=".1f", tickCount=4)),
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("entries:Q", title="Entries", format=","),
                 alt.Tooltip("exits:Q", title="Exits", format=","),
                 alt.Tooltip("exit_entry_ratio:Q", title="Exits per entry", format=".2f")])
    one = alt.Chart(data([{"y": 1.0, "label": "1 = as many left as entered"}]))
    one_rule = one.mark_rule(strokeDash=[2, 2], color="#000000").encode(y="y:Q")
    one_text = one.mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=10, color="#333333").encode(
        y="y:Q", x=alt.value(0), text="label:N")
    bottom = alt.layer(*period_band(monthly, context, label=False), ratio_line, one_rule, one_text).properties(
        width=WIDTH, height=120)
    last = monthly.tail(1).row(0, named=True)
    note = (f"{last['month']}: {fmt(last['entries'])} entries, {fmt(last['exits'])} exits, "
            f"held {fmt(last['held_start'])} → {fmt(last['held_end'])}.")
    return alt.vconcat(top, bottom, spacing=8, title=CHART.title(context, note))
