"""What the chart modules share: the data they are given, their headings, inline data, time axes, the
period band and the published figures drawn over our counts.

Inputs are the period tables (`analysis.core.schema` PERIOD TABLES), the ledger of published figures
and the release waves (`ChartContext`). Every chart has a stable id, a title and a subtitle naming its
sources, and, when the registry data is SYNTHETIC, says so in its subtitle (`ChartInfo`).

What keeps the specs identical across runs and machines, on this side of the rendering:

* dates go to Vega-Lite as ISO day strings (`2025-12-31`, parsed as UTC midnight) and every
  temporal scale is `utc` (or a `utc*` time unit), so the machine's time zone never matters;
* data is aggregated in Polars and embedded inline (no URLs; vl-convert may fetch nothing), each
  distinct table once under the spec's top-level `datasets`.

Text that comes from data (figure ids, source names, mediators) is only ever chart text or tooltip,
never HTML.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl
import polars.selectors as cs
from altair.utils.data import MaxRowsError

from analysis.charts.render import dataset_name
from analysis.charts.style import (INK, OKABE_ITO, SOURCE_COLOURS, SOURCE_ORDER, SOURCE_SHAPES, SUBTITLE_CHARS, WIDTH,
                                   chart_config)
from analysis.charts.texts import chart_texts
from analysis.core import schema

FIRST_DAY = dt.date(2020, 5, 1)   # the monthly series starts in 2020-05
MAX_ROWS = 5000  # Altair's MaxRowsError limit: anything bigger is aggregated in Polars first
# Unbounded upper limits ("at least", "more than") are drawn as a short bar ending in a caret; its
# length is this share of the axis range and means nothing beyond "no upper limit".
CARET_SHARE = 0.05


@dataclass(frozen=True)
class ChartContext:
    period: str
    period_end: dt.date
    synthetic: bool
    ledger: pl.DataFrame
    release_events: pl.DataFrame


Builder = Callable[[dict[str, pl.DataFrame], ChartContext], alt.TopLevelMixin]

# ------------------------------------------------------------------ headings: title, sources, SYNTHETIC

# What a chart draws from, as its subtitle and caption name it.
REGISTRY = "registry"                        # counts from the registry copies
REGISTRY_AND_LEDGER = "registry and ledger"  # those counts and the published figures of the ledger
RELEASE_WAVES = "release waves"              # the release waves compiled from published reports
SOURCES = (REGISTRY, REGISTRY_AND_LEDGER, RELEASE_WAVES)


@dataclass(frozen=True)
class ChartInfo:
    """What a chart module declares about itself (as `CHART`): its id and what it draws from. Its title and
    reading are data, in texts.yaml under the same id."""

    id: str
    sources: str

    def __post_init__(self) -> None:
        if self.sources not in SOURCES:
            raise ValueError(f"{self.id}: sources {self.sources!r} is none of {', '.join(SOURCES)}")

    @property
    def title_text(self) -> str:
        return chart_texts()[self.id].title

    def source_line(self, context: ChartContext) -> str:
        registry = ("registry: SYNTHETIC sample of the list (not real people)" if context.synthetic
                    else "registry: copies of Viasna's list of political prisoners")
        ledger = "published figures: Viasna and others (ledger of published figures, real)"
        waves = "release waves compiled from published reports (release_events, real)"
        if self.sources == REGISTRY_AND_LEDGER:
            return f"Source: {registry}, counted up to {context.period_end.isoformat()}; {ledger}."
        if self.sources == RELEASE_WAVES:
            return f"Source: {waves}, up to {context.period_end.isoformat()}."
        return f"Source: {registry}, counted up to {context.period_end.isoformat()}."

    def synthetic_line(self, context: ChartContext) -> str | None:
        if not context.synthetic:
            return None
        if self.sources == RELEASE_WAVES:
            return "The waves shown are real; the registry counts elsewhere in this SYNTHETIC report are not."
        if self.sources == REGISTRY_AND_LEDGER:
            return "SYNTHETIC registry data — not real people. The published figures are real."
        return "SYNTHETIC registry data — not real people."

    def caption(self, context: ChartContext) -> str:
        """The caption printed under the chart in the report: how to read it, its sources, SYNTHETIC or not."""
        parts = [f"{self.title_text} ({context.period}).", chart_texts()[self.id].reading, self.source_line(context)]
        synthetic = self.synthetic_line(context)
        if synthetic:
            parts.append(synthetic)
        return " ".join(parts)

    def title(self, context: ChartContext, *lines: str | None) -> alt.TitleParams:
        """The chart's title, and a subtitle: SYNTHETIC or not, the given notes, the sources."""
        paragraphs = [self.synthetic_line(context), *lines, self.source_line(context)]
        subtitle = [wrapped for line in paragraphs if line
                    for wrapped in textwrap.wrap(line, SUBTITLE_CHARS, break_long_words=False,
                                                 break_on_hyphens=False)]
        return alt.TitleParams(text=self.title_text, subtitle=subtitle, anchor="start")

    def empty(self, context: ChartContext, message: str) -> alt.Chart:
        """The chart when there is nothing to draw: its heading and the message."""
        chart = alt.Chart(data([{"message": message}])).mark_text(fontSize=13, color="#555555").encode(
            text="message:N")
        return chart.properties(width=WIDTH, height=80, title=self.title(context))


# ------------------------------------------------------------------ building: inline data, one config

# The datasets of the chart being built (name -> rows); set by build_chart around each builder.
_DATASETS: contextvars.ContextVar[dict[str, list[dict[str, Any]]] | None] = contextvars.ContextVar(
    "chart_datasets", default=None)


def build_chart(build: Builder, tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    """One chart, its rows collected once under the top-level `datasets`, with the common configuration."""
    token = _DATASETS.set({})
    try:
        chart = build(tables, context)
        datasets = _DATASETS.get()
    finally:
        _DATASETS.reset(token)
    # Layers refer to their data by name; the rows sit once under the top-level `datasets`.
    return _finish(chart, datasets or {})


def _finish(chart: alt.TopLevelMixin, datasets: dict[str, list[dict[str, Any]]]) -> alt.TopLevelMixin:
    # Set in place: the chart was just built here, and Altair's copying methods would deep-copy every row.
    chart.config = chart_config()
    chart.datasets = dict(sorted(datasets.items()))
    return chart


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for inline data: dates as ISO day strings, floats rounded, nothing else touched."""
    frame = frame.with_columns(cs.date().dt.strftime("%Y-%m-%d"), cs.float().round(6))
    return frame.to_dicts()


def data(frame: pl.DataFrame | list[dict[str, Any]]) -> alt.Data | alt.NamedData:
    """A layer's data: named by its rows' hash, the rows kept for the chart's `datasets` (inline outside
    build_chart)."""
    rows = _rows(frame) if isinstance(frame, pl.DataFrame) else frame
    if len(rows) > MAX_ROWS:
        raise MaxRowsError(f"{len(rows)} rows for one chart layer (limit {MAX_ROWS:,}): aggregate in Polars first")
    collector = _DATASETS.get()
    if collector is None:
        return alt.Data(values=rows)
    name = dataset_name(rows)
    collector[name] = rows
    return alt.NamedData(name=name)


def table(tables: dict[str, pl.DataFrame], name: str) -> pl.DataFrame:
    """A period table, or an empty one of its schema when absent."""
    frame = tables.get(name)
    if frame is None:
        return pl.DataFrame(schema=schema.PERIOD_TABLES[name])
    return frame


def fmt(value: int | float | None) -> str:
    if value is None:
        return "n/a"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def nice(value: float) -> float:
    """A round axis maximum at or above value."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


# ------------------------------------------------------------------ time axes, always in UTC


def utc(day: dt.date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def time_axis(context: ChartContext) -> alt.Axis:
    """Yearly ticks (label right of the tick, spanning its year); quarterly for series under 3 years."""
    months = (context.period_end.year - FIRST_DAY.year) * 12 + context.period_end.month - FIRST_DAY.month + 1
    if months > 36:
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0, grid=False,
                        labelAlign="left", labelOffset=2)
    return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0, grid=False,
                    labelAlign="center")


def tx(field: str) -> alt.X:
    """A temporal x on a utc scale: every temporal encoding says utc, so even the SVG's ARIA labels are
    formatted in UTC, never in the machine's time zone."""
    return alt.X(f"{field}:T", scale=alt.Scale(type="utc"))


def time_x(context: ChartContext, title: str = "Month", *, field: str = "date") -> alt.X:
    """The x of a time series: 2020-05 to the period's end, on a utc scale."""
    return alt.X(f"{field}:T", title=title,
                 scale=alt.Scale(type="utc", domain=[utc(FIRST_DAY), utc(context.period_end)]),
                 axis=time_axis(context))


def line_key(label: str, colour: str = INK) -> list[alt.Chart]:
    """A legend entry for a line, drawn in the plot's top-left corner (where the series starts low)."""
    key = alt.Chart(data([{"label": label}]))
    return [key.mark_rule(color=colour, strokeWidth=2).encode(x=alt.value(10), x2=alt.value(34), y=alt.value(12)),
            key.mark_text(align="left", baseline="middle", fontWeight="bold", color=colour).encode(
                x=alt.value(40), y=alt.value(12), text="label:N")]


def period_span(monthly: pl.DataFrame, context: ChartContext) -> tuple[dt.date, dt.date] | None:
    """First and last day of the period's months in the monthly table (None if it has none)."""
    months = monthly.filter(pl.col("in_period")).sort("month")
    if months.height:
        first = months["month"][0]
        return dt.date(int(first[:4]), int(first[5:7]), 1), context.period_end
    return None


def period_band(monthly: pl.DataFrame, context: ChartContext, *, label: bool = True) -> list[alt.Chart]:
    """The shaded band of the period on a time axis, labelled with the period unless label=False."""
    span = period_span(monthly, context)
    if span is None:
        return []
    rows = [{"start": span[0].isoformat(), "end": (span[1] + dt.timedelta(days=1)).isoformat(),
             "label": context.period}]
    base = alt.Chart(data(rows))
    # Decorative, so no ARIA label (Vega-Lite would format its x2 in local time there).
    band = base.mark_rect(color="#000000", opacity=0.07, aria=False).encode(x=tx("start"), x2="end:T")
    if not label:
        return [band]
    text = base.mark_text(align="right", baseline="top", dx=-3, dy=3, fontSize=10, color="#555555", aria=False).encode(
        x=tx("start"), y=alt.value(0), text="label:N")
    return [band, text]


# ------------------------------------------------------------------ published figures over our counts


def _source_kind(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.to_lowercase().str.contains("viasna")).then(pl.lit("Viasna")).otherwise(
        pl.lit("Other sources"))


def published_figures(context: ChartContext, metric: str) -> pl.DataFrame:
    """Dated ledger figures of one metric from 2020-05 to the period's end, one row per figure."""
    ledger = context.ledger
    figures = ledger.filter((pl.col("metric") == metric) & pl.col("as_of_from").is_not_null()
                            & pl.col("as_of_to").is_not_null()
                            & (pl.col("as_of_to") >= FIRST_DAY) & (pl.col("as_of_from") <= context.period_end))
    midpoint = pl.col("as_of_from") + (pl.col("as_of_to") - pl.col("as_of_from")) / 2
    return (figures.with_columns(midpoint.cast(pl.Date).alias("date"),
                                 _source_kind(pl.col("source_org")).alias("source_kind"),
                                 pl.when(pl.col("as_of_from") == pl.col("as_of_to"))
                                 .then(pl.col("as_of_from").dt.strftime("%Y-%m-%d"))
                                 .otherwise(pl.col("as_of_from").dt.strftime("%Y-%m-%d") + pl.lit(" to ")
                                            + pl.col("as_of_to").dt.strftime("%Y-%m-%d")).alias("as_of"))
            .sort("date", "figure_id"))


def published_layers(figures: pl.DataFrame, y_max: float, *, y_title: str, colour_by_source: bool,
                     point_colour: str = OKABE_ITO["blue"], shape: str = "circle",
                     size: int = 55) -> list[alt.Chart]:
    """Published figures as points with their bounds; unbounded upper limits end in a caret."""
    if figures.height == 0:
        return []
    caret = max(1.0, CARET_SHARE * y_max)
    frame = figures.with_columns(
        pl.when(pl.col("upper").is_null()).then(pl.col("lower") + caret)
        .otherwise(pl.col("upper")).cast(pl.Float64).alias("bar_top"),
        pl.col("upper").is_null().alias("unbounded"),
        pl.when(pl.col("upper").is_null()).then(pl.lit("no upper limit"))
        .otherwise(pl.col("upper").map_elements(lambda v: f"{v:,}", return_dtype=pl.String)).alias("upper_text"),
    ).select("date", "as_of", "value", "qualifier", "lower", "upper_text", "bar_top", "unbounded", "source_kind",
             "source_org", "figure_id")
    base = alt.Chart(data(frame))
    if colour_by_source:
        colour_scale = alt.Scale(domain=list(SOURCE_ORDER), range=[SOURCE_COLOURS[s] for s in SOURCE_ORDER])
        colour = alt.Color("source_kind:N", title="Published figure", scale=colour_scale)
        plain_colour = colour  # one scale, one merged legend (colour + shape) for all three layers
        shape_enc = alt.Shape("source_kind:N", title="Published figure",
                              scale=alt.Scale(domain=list(SOURCE_ORDER), range=[SOURCE_SHAPES[s] for s in SOURCE_ORDER]))
    else:
        colour = plain_colour = alt.value(point_colour)
        shape_enc = alt.value(shape)
    tooltip = [alt.Tooltip("as_of:N", title="Date"), alt.Tooltip("value:Q", title="Published", format=","),
               alt.Tooltip("qualifier:N", title="Wording"), alt.Tooltip("lower:Q", title="Lower bound", format=","),
               alt.Tooltip("upper_text:N", title="Upper bound"), alt.Tooltip("source_org:N", title="Source"),
               alt.Tooltip("figure_id:N", title="Ledger id")]
    bars = base.transform_filter("datum.bar_top != datum.lower").mark_rule(strokeWidth=1.5, opacity=0.8).encode(
        x=tx("date"), y="lower:Q", y2="bar_top:Q", color=plain_colour)
    carets = base.transform_filter("datum.unbounded").mark_point(shape="triangle-up", filled=True, size=45).encode(
        x=tx("date"), y="bar_top:Q", color=plain_colour)
    points = base.mark_point(filled=True, size=size, opacity=0.95, stroke="#FFFFFF", strokeWidth=0.8).encode(
        x=tx("date"), y=alt.Y("value:Q", title=y_title), color=colour, shape=shape_enc, tooltip=tooltip)
    return [bars, carets, points]


# ------------------------------------------------------------------ composition: shares of those held


def share_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A `text` column: "1,135 · 12.3%"."""
    return frame.with_columns(
        (pl.col("persons").map_elements(lambda v: f"{v:,}", return_dtype=pl.String) + pl.lit(" · ")
         + (pl.col("share") * 100).map_elements(lambda v: f"{v:.1f}%", return_dtype=pl.String)).alias("text"))


def shown(composition: pl.DataFrame) -> pl.DataFrame:
    """The cells a chart may draw: suppressed small counts have no number to draw."""
    return composition.filter(~pl.col("suppressed")) if "suppressed" in composition.columns else composition


def suppressed_note(composition: pl.DataFrame) -> str:
    hidden = composition.filter(pl.col("suppressed")).height if "suppressed" in composition.columns else 0
    if not hidden:
        return ""
    return (f" {hidden} small {'category is' if hidden == 1 else 'categories are'} not shown "
            f"(suppressed so that no one can be singled out).")


def held_at(tables: dict[str, pl.DataFrame], day: dt.date) -> int | None:
    stock = table(tables, "stock").filter(pl.col("as_of") == day)
    return int(stock["held"][0]) if stock.height else None
