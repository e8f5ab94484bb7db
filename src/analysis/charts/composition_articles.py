"""People held at the end of the period, by the group of Criminal Code articles they are charged under."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.charts.common import (REGISTRY, ChartContext, ChartInfo, data, fmt, held_at, nice, share_text, shown,
                                    suppressed_note, table)
from analysis.charts.style import COMPOSITION_COLOUR

CHART = ChartInfo(id="fig-composition-articles", sources=REGISTRY)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    everything = table(tables, "composition").filter(pl.col("dimension") == "article_group")
    comp = shown(everything)
    if comp.height == 0:
        return CHART.empty(context, "No composition by article group for this period.")
    # Largest first; "Other articles" always last.
    frame = share_text(comp.with_columns((pl.col("category") == "Other articles").alias("is_other"))
                       .sort(["is_other", "persons", "category"], descending=[False, True, False]))
    order = frame["category"].to_list()
    as_of = comp["as_of"].max()
    x_max = nice(float(frame["persons"].max()) * 1.3)
    base = alt.Chart(data(frame.select("category", "persons", "share", "text")))
    y = alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelLimit=420, ticks=False, domain=False))
    bars = base.mark_bar(color=COMPOSITION_COLOUR, height={"band": 0.7}).encode(
        y=y, x=alt.X("persons:Q", title=f"People held on {as_of.isoformat()} (persons)",
                     scale=alt.Scale(domain=[0, x_max]), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip("category:N", title="Article group"), alt.Tooltip("persons:Q", title="Persons", format=","),
                 alt.Tooltip("share:Q", title="Share of all held", format=".1%")])
    text = base.mark_text(align="left", baseline="middle", dx=4).encode(y=y, x="persons:Q", text="text:N")
    held = held_at(tables, as_of)
    note = (f"Share of all {fmt(held)} people held on {as_of.isoformat()}; " if held is not None
            else f"Share of all people held on {as_of.isoformat()}; ") + \
        "a person charged under several groups counts in each." + suppressed_note(everything)
    return alt.layer(bars, text).properties(width=260, height=28 * frame.height,
                                            title=CHART.title(context, note))
