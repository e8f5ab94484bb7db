"""Release waves as published: one bar per wave, stacked by where the people released were taken."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import altair as alt
import polars as pl

from analysis.charts.common import RELEASE_WAVES, ChartContext, ChartInfo, data, fmt, nice, period_span, table
from analysis.charts.style import DESTINATION_COLOURS, DESTINATION_ORDER, WIDTH
from analysis.core.vocabulary import DESTINATION_LABELS

CHART = ChartInfo(id="fig-release-waves", sources=RELEASE_WAVES)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    events = context.release_events.filter(pl.col("date") <= context.period_end).sort("date", "event_id")
    if events.height == 0:
        return CHART.empty(context, f"No release waves recorded up to {context.period_end.isoformat()}.")
    frame = _wave_segments(events)
    span = period_span(table(tables, "monthly"), context)
    labels: list[str] = []
    bold: list[str] = []
    rows = []
    seen: dict[str, int] = {}
    for row in frame.iter_rows(named=True):
        axis_label = _wave_axis_label(row)
        seen[axis_label] = seen.get(axis_label, 0) + 1
        if seen[axis_label] > 1:  # two waves on one day stay two rows
            axis_label = f"{axis_label} ({seen[axis_label]})"
        labels.append(axis_label)
        if span and span[0] <= row["date"] <= context.period_end:
            bold.append(axis_label)
        row["axis_label"] = axis_label
        row["label"] = _wave_label(row)
        rows.append(row)
    segments = []
    for order, row in enumerate(rows):
        start = 0
        for rank, destination in enumerate(DESTINATION_ORDER):
            persons = int(row[destination] or 0)
            if persons <= 0:
                continue
            segments.append({
                "axis_label": row["axis_label"], "order": order, "destination": DESTINATION_LABELS[destination],
                "rank": rank, "persons": persons, "x0": start, "x1": start + persons,
                "event_id": row["event_id"], "date": row["date"].isoformat(), "released": row["released"],
                "mechanism": row["mechanism"], "mediator": row["mediator"] or "",
                "sources": "; ".join(row["source_figure_ids"] or []),
            })
            start += persons
    ends = [{"axis_label": r["axis_label"], "released": r["released"], "label": r["label"]} for r in rows]
    y = alt.Y("axis_label:N", title=None, sort=labels,
              axis=alt.Axis(labelFontWeight=_bold_condition(bold), labelLimit=200, ticks=False, domain=False))
    present = [d for d in DESTINATION_ORDER if any(int(r[d] or 0) > 0 for r in rows)]
    colour = alt.Color("destination:N", title=None,
                       scale=alt.Scale(domain=[DESTINATION_LABELS[d] for d in present],
                                       range=[DESTINATION_COLOURS[d] for d in present]))
    x_max = nice(max(r["released"] for r in rows) * 1.9)
    x = alt.X("x0:Q", title="People released in the wave (as published)",
              scale=alt.Scale(domain=[0, x_max]), axis=alt.Axis(format=",d", grid=True))
    bars = alt.Chart(data(segments)).mark_bar(height={"band": 0.72}, stroke="#FFFFFF", strokeWidth=0.6).encode(
        y=y, x=x, x2="x1:Q", color=colour,
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("destination:N", title="Destination"),
                 alt.Tooltip("persons:Q", title="Persons", format=","),
                 alt.Tooltip("released:Q", title="Released in the wave", format=","),
                 alt.Tooltip("mechanism:N", title="Mechanism"), alt.Tooltip("mediator:N", title="Mediator"),
                 alt.Tooltip("sources:N", title="Ledger ids"), alt.Tooltip("event_id:N", title="Event")])
    text = alt.Chart(data(ends)).mark_text(align="left", baseline="middle", dx=4, fontSize=10.5).encode(
        y=alt.Y("axis_label:N", sort=labels), x="released:Q", text="label:N")
    in_period = f"Bold: waves in {context.period}." if bold else None
    total = sum(r["released"] for r in rows)
    expelled = sum(int(r["lithuania"] or 0) + int(r["ukraine"] or 0) for r in rows)
    note = (f"{len(rows)} waves from {rows[0]['date'].isoformat()} to {rows[-1]['date'].isoformat()}: "
            f"{total:,} people released, {expelled:,} of them expelled abroad.")
    return alt.layer(bars, text).properties(width=WIDTH - 160, height=max(120, 24 * len(rows)),
                                             title=CHART.title(context, note, in_period))


def _wave_segments(events: pl.DataFrame) -> pl.DataFrame:
    """One row per wave and destination: Lithuania and Ukraine as published, the rest in Belarus or
    not reported (by the wave's destination)."""
    frame = events.with_columns(
        pl.when(pl.col("destination") == "lithuania").then(pl.coalesce("expelled_to_lithuania", "released"))
        .otherwise(pl.col("expelled_to_lithuania").fill_null(0)).alias("lithuania"),
        pl.when(pl.col("destination") == "ukraine").then(pl.coalesce("expelled_to_ukraine", "released"))
        .otherwise(pl.col("expelled_to_ukraine").fill_null(0)).alias("ukraine"),
    ).with_columns((pl.col("released") - pl.col("lithuania") - pl.col("ukraine")).clip(lower_bound=0).alias("rest"))
    frame = frame.with_columns(
        pl.when(pl.col("destination") == "belarus").then(pl.col("rest")).otherwise(0).alias("belarus"),
        pl.when(pl.col("destination") == "belarus").then(0).otherwise(pl.col("rest")).alias("not_reported"))
    return frame


def _wave_label(row: dict[str, Any]) -> str:
    total = fmt(row["released"])
    parts = [f"{fmt(row[d])} to {d.capitalize()}" for d in ("ukraine", "lithuania") if row[d]]
    parts = sorted(parts, key=lambda p: -int(p.split(" ")[0].replace(",", "")))
    if not parts:
        return total
    if len(parts) == 1 and row["lithuania"] + row["ukraine"] == row["released"]:
        text = f"{total} · all expelled to {'Ukraine' if row['ukraine'] else 'Lithuania'}"
    else:
        text = f"{total} · " + ", ".join(parts)
    if row.get("mediator"):
        text += f" · mediated by {row['mediator']}"
    return text


def _wave_axis_label(row: dict[str, Any]) -> str:
    day: dt.date = row["date"]
    if row["date_precision"] != "day":
        return f"{day.strftime('%b %Y')} (approx.)"
    return f"{day.day} {day.strftime('%b %Y')}"


def _bold_condition(labels: list[str]) -> Any:
    if not labels:
        return "normal"
    test = " || ".join(f"datum.value === {json.dumps(label)}" for label in labels)
    return {"condition": {"test": test, "value": "bold"}, "value": "normal"}
