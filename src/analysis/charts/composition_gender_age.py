"""People held at the end of the period, by gender and by age band: two panels of bars."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.charts.common import (REGISTRY, ChartContext, ChartInfo, data, fmt, held_at, nice, share_text, shown,
                                    suppressed_note, table)
from analysis.charts.style import COMPOSITION_COLOUR

CHART = ChartInfo(id="fig-composition-gender-age", sources=REGISTRY)

GENDER_LABELS = {"female": "Women", "male": "Men", "unknown": "Not known"}


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    everything = table(tables, "composition").filter(pl.col("dimension").is_in(["gender", "age_band"]))
    comp = shown(everything)
    gender = comp.filter(pl.col("dimension") == "gender").with_columns(
        pl.col("category").replace(GENDER_LABELS).alias("category"))
    age = comp.filter(pl.col("dimension") == "age_band").with_columns(
        (pl.col("category").str.slice(0, 1).str.to_uppercase() + pl.col("category").str.slice(1)).alias("category"))
    if gender.height == 0 and age.height == 0:
        return CHART.empty(context, "No composition by gender or age for this period.")
    as_of = comp["as_of"].max()

    def panel(frame: pl.DataFrame, order: list[str], title: str) -> alt.LayerChart:
        frame = share_text(frame)
        base = alt.Chart(data(frame.select("category", "persons", "share", "text")))
        y = alt.Y("category:N", title=None, sort=order, axis=alt.Axis(ticks=False, domain=False))
        x = alt.X("persons:Q", title="Persons", scale=alt.Scale(domain=[0, nice(float(frame["persons"].max()) * 1.45)]),
                  axis=alt.Axis(format=",d", tickCount=4))
        bars = base.mark_bar(color=COMPOSITION_COLOUR, height={"band": 0.7}).encode(
            y=y, x=x, tooltip=[alt.Tooltip("category:N", title=title), alt.Tooltip("persons:Q", format=","),
                               alt.Tooltip("share:Q", format=".1%")])
        text = base.mark_text(align="left", baseline="middle", dx=4).encode(y=y, x="persons:Q", text="text:N")
        return alt.layer(bars, text).properties(width=210, height=30 * max(frame.height, 1),
                                                title=alt.TitleParams(title, fontSize=12.5, anchor="start"))

    panels = []
    if gender.height:
        panels.append(panel(gender.sort("persons", descending=True),
                            gender.sort("persons", descending=True)["category"].to_list(), "Gender"))
    if age.height:
        order = sorted(age["category"].to_list(), key=_age_key)
        panels.append(panel(age, order, "Age on " + as_of.isoformat()))
    held = held_at(tables, as_of)
    note = f"People held on {as_of.isoformat()}" + (f": {fmt(held)}." if held is not None else ".")
    return alt.hconcat(*panels, spacing=40, title=CHART.title(context, note + suppressed_note(everything)))


def _age_key(category: str) -> tuple[int, str]:
    text = category.strip().lower()
    if text.startswith("under"):
        return (0, text)
    digits = "".join(ch for ch in text.split("-")[0].split(" ")[0] if ch.isdigit())
    return (int(digits) if digits else 10_000, text)
