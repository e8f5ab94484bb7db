"""Time held before release, by release mechanism: median and middle half, since 2020-05 and in the period."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.charts.common import REGISTRY, ChartContext, ChartInfo, data, nice, table
from analysis.charts.style import MECHANISM_COLOURS, MECHANISM_ORDER, WIDTH
from analysis.core.vocabulary import MECHANISM_SHORT

CHART = ChartInfo(id="fig-time-served", sources=REGISTRY)


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    served = table(tables, "time_served").filter((pl.col("persons") > 0) & pl.col("median_months").is_not_null())
    if served.height == 0:
        return CHART.empty(context, "No releases up to the end of the period.")
    mechanisms = [m for m in MECHANISM_ORDER if m in set(served["mechanism"].to_list())]
    scope_labels = {"to_date": "All releases since 2020-05", "period": f"Releases in {context.period}"}
    frame = served.with_columns(
        pl.col("mechanism").replace_strict(MECHANISM_SHORT, return_dtype=pl.String).alias("label"),
        pl.col("scope").replace_strict(scope_labels, return_dtype=pl.String).alias("scope_label"),
        pl.col("scope").replace_strict({"to_date": 0, "period": 1}, return_dtype=pl.Int64).alias("scope_rank"),
    ).with_columns(
        (pl.lit("median ") + pl.col("median_months").map_elements(lambda v: f"{v:.1f}", return_dtype=pl.String)
         + pl.lit(" months · n = ")
         + pl.col("persons").map_elements(lambda v: f"{v:,}", return_dtype=pl.String)).alias("text"),
    ).select("label", "mechanism", "scope", "scope_label", "scope_rank", "persons", "median_months", "p25_months",
             "p75_months", "mean_months", "text").sort("mechanism", "scope_rank")
    labels = [MECHANISM_SHORT[m] for m in mechanisms]
    x_max = nice(float(frame["p75_months"].max() or 1.0) * 1.35)
    y = alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(ticks=False, domain=False, labelFontWeight="bold"))
    y_offset = alt.YOffset("scope_label:N", sort=[scope_labels["to_date"], scope_labels["period"]],
                           scale=alt.Scale(paddingInner=0.25, paddingOuter=0.4))
    colour = alt.Color("mechanism:N", legend=None, scale=alt.Scale(domain=list(MECHANISM_ORDER),
                                                                    range=[MECHANISM_COLOURS[m] for m in MECHANISM_ORDER]))
    tooltip = [alt.Tooltip("label:N", title="Mechanism"), alt.Tooltip("scope_label:N", title="Releases"),
               alt.Tooltip("persons:Q", title="People", format=","),
               alt.Tooltip("median_months:Q", title="Median (months)", format=".1f"),
               alt.Tooltip("p25_months:Q", title="25th percentile", format=".1f"),
               alt.Tooltip("p75_months:Q", title="75th percentile", format=".1f"),
               alt.Tooltip("mean_months:Q", title="Mean (months)", format=".1f")]
    base = alt.Chart(data(frame))
    x = alt.X("p25_months:Q", title="Months held between detention and release", scale=alt.Scale(domain=[0, x_max]),
              axis=alt.Axis(tickMinStep=1))
    ranges = base.mark_rule(strokeWidth=3, opacity=0.75).encode(y=y, yOffset=y_offset, x=x, x2="p75_months:Q",
                                                                 color=colour)
    shape = alt.Shape("scope_label:N", title=None,
                      scale=alt.Scale(domain=[scope_labels["to_date"], scope_labels["period"]],
                                      range=["circle", "circle"]))
    fill = alt.Fill("scope_label:N", title=None,
                    scale=alt.Scale(domain=[scope_labels["to_date"], scope_labels["period"]],
                                    range=["#333333", "#FFFFFF"]))
    medians = base.mark_point(size=80, strokeWidth=2, opacity=1, stroke="#333333").encode(
        y=y, yOffset=y_offset, x="median_months:Q", shape=shape, fill=fill, tooltip=tooltip)
    text = base.mark_text(align="left", baseline="middle", dx=8, fontSize=10.5).encode(
        y=y, yOffset=y_offset, x="p75_months:Q", text="text:N")
    missing = [MECHANISM_SHORT[m] for m in ("end_of_term", "pardon", "pardon_with_expulsion", "other")
               if m not in set(frame.filter(pl.col("scope") == "period")["mechanism"].to_list())]
    note = ("Point: median; bar: 25th–75th percentile; filled: since 2020-05, open: in the period."
            + (f" No releases in the period by: {', '.join(m.lower() for m in missing)}." if missing else ""))
    return alt.layer(ranges, medians, text).properties(
        width=WIDTH - 120, height=62 * len(mechanisms),
        title=CHART.title(context, note))
