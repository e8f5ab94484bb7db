"""Charts of a period report: Vega-Lite specs built with Altair, rendered offline by vl-convert.

Inputs are the period tables (`analysis.core.schema` PERIOD TABLES), the ledger of published figures
and the release waves. Every chart has a stable id (`CHART_IDS`), a title and a subtitle naming
its sources, and, when the registry data is SYNTHETIC, says so in its subtitle.

Outputs are byte-identical across runs and machines (see `analysis.charts.render` for the spec text,
the rendering and the fonts):

* dates go to Vega-Lite as ISO day strings (`2025-12-31`, parsed as UTC midnight) and every
  temporal scale is `utc` (or a `utc*` time unit), so the machine's time zone never matters;
* data is aggregated in Polars and embedded inline (no URLs; vl-convert may fetch nothing).

Colours, font and widths are defined once in `analysis.charts.style`. Text that comes from data
(figure ids, source names, mediators) is only ever chart text or tooltip, never HTML.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import altair as alt
import polars as pl
import polars.selectors as cs
from altair.utils.data import MaxRowsError

from analysis.charts.render import (NO_SYSTEM_FONTS, PNG_PPI, PNG_SCALE, chart_spec, dataset_name, fonts_isolated,
                                    isolate_fonts, render_options, render_png, render_svg, save_chart, spec_text,
                                    vl_version)
from analysis.charts.style import (BREACH_COLOUR, COMPOSITION_COLOUR, DESTINATION_COLOURS, DESTINATION_ORDER,
                                   FLOW_COLOURS, FLOW_DASHES, FONT_FAMILY, INK, MECHANISM_COLOURS, MECHANISM_ORDER,
                                   OKABE_ITO, SOURCE_COLOURS, SOURCE_ORDER, SOURCE_SHAPES, STATUS_COLOURS,
                                   STATUS_ORDER, STATUS_SHAPES, SUBTITLE_CHARS, WIDTH, chart_config)
from analysis.charts.texts import chart_texts, check_texts
from analysis.core import schema
from analysis.core.vocabulary import DESTINATION_LABELS, MECHANISM_LABELS, MECHANISM_SHORT

# Also used from here by the chart step, the report and the tests.
__all__ = ["NO_SYSTEM_FONTS", "PNG_PPI", "PNG_SCALE", "chart_spec", "fonts_isolated", "isolate_fonts", "render_options",
           "render_png", "render_svg", "save_chart", "spec_text", "vl_version", "BREACH_COLOUR", "DESTINATION_COLOURS",
           "FONT_FAMILY", "MECHANISM_COLOURS", "STATUS_COLOURS"]

CHART_IDS: tuple[str, ...] = (
    "fig-stock-over-time",
    "fig-entries-exits",
    "fig-release-waves",
    "fig-exits-by-mechanism",
    "fig-time-served",
    "fig-composition-articles",
    "fig-deaths",
    "fig-reconciliation",
    "fig-composition-gender-age",
)
# Each chart's title and reading are data, in texts.yaml: one entry per id above, and none for another.
check_texts(chart_texts(), CHART_IDS)

FIRST_DAY = dt.date(2020, 5, 1)   # the monthly series starts in 2020-05

FLOW_LABELS = {"entries": "Entries (newly detained)", "exits": "Exits (released or died)"}
STATUS_LABELS = {"within_bounds": "Within bounds", "within_tolerance": "Within tolerance",
                 "outside_tolerance": "OUTSIDE TOLERANCE", "not_comparable": "Not comparable"}
STATUS_SHORT = {"within_bounds": "within bounds", "within_tolerance": "within tolerance",
                "outside_tolerance": "OUTSIDE TOLERANCE", "not_comparable": "not comparable"}
RECONCILIATION_ROW = 38  # px per published figure
GENDER_LABELS = {"female": "Women", "male": "Men", "unknown": "Not known"}

# Unbounded upper limits ("at least", "more than") are drawn as a short bar ending in a caret; its
# length is this share of the axis range and means nothing beyond "no upper limit".
CARET_SHARE = 0.05


# ------------------------------------------------------------------ public API


@dataclass(frozen=True)
class ChartContext:
    period: str
    period_end: dt.date
    synthetic: bool
    ledger: pl.DataFrame
    release_events: pl.DataFrame


def build_charts(tables: dict[str, pl.DataFrame], context: ChartContext) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the period, keyed by CHART_IDS in order."""
    builders: dict[str, Callable[[dict[str, pl.DataFrame], ChartContext], alt.TopLevelMixin]] = {
        "fig-stock-over-time": _stock_over_time,
        "fig-entries-exits": _entries_exits,
        "fig-release-waves": _release_waves,
        "fig-exits-by-mechanism": _exits_by_mechanism,
        "fig-time-served": _time_served,
        "fig-composition-articles": _composition_articles,
        "fig-deaths": _deaths,
        "fig-reconciliation": _reconciliation,
        "fig-composition-gender-age": _composition_gender_age,
    }
    built: dict[str, alt.TopLevelMixin] = {}
    for chart_id in CHART_IDS:
        token = _DATASETS.set({})
        try:
            chart = builders[chart_id](tables, context)
            datasets = _DATASETS.get()
        finally:
            _DATASETS.reset(token)
        # Layers refer to their data by name; the rows sit once under the top-level `datasets`.
        built[chart_id] = _finish(chart, datasets)
    return built


def save_charts(charts: dict[str, alt.TopLevelMixin], folder: Path) -> list[Path]:
    paths: list[Path] = []
    for chart_id, chart in charts.items():
        paths.extend(save_chart(chart, folder, chart_id))
    return paths


# ------------------------------------------------------------------ captions



def _sources(chart_id: str, context: ChartContext) -> str:
    registry = ("registry: SYNTHETIC sample of the list (not real people)" if context.synthetic
                else "registry: copies of Viasna's list of political prisoners")
    ledger = "published figures: Viasna and others (ledger of published figures, real)"
    waves = "release waves compiled from published reports (release_events, real)"
    if chart_id in ("fig-stock-over-time", "fig-deaths", "fig-reconciliation"):
        return f"Source: {registry}, counted up to {context.period_end.isoformat()}; {ledger}."
    if chart_id == "fig-release-waves":
        return f"Source: {waves}, up to {context.period_end.isoformat()}."
    return f"Source: {registry}, counted up to {context.period_end.isoformat()}."


def _synthetic_line(chart_id: str, context: ChartContext) -> str | None:
    if not context.synthetic:
        return None
    if chart_id == "fig-release-waves":
        return "The waves shown are real; the registry counts elsewhere in this SYNTHETIC report are not."
    if chart_id in ("fig-stock-over-time", "fig-deaths", "fig-reconciliation"):
        return "SYNTHETIC registry data — not real people. The published figures are real."
    return "SYNTHETIC registry data — not real people."




def caption(chart_id: str, context: ChartContext) -> str:
    """The caption printed under a chart in the report: how to read it, its sources, SYNTHETIC or not."""
    if chart_id not in CHART_IDS:
        raise KeyError(f"unknown chart id {chart_id!r}; known: {', '.join(CHART_IDS)}")
    texts = chart_texts()[chart_id]
    parts = [f"{texts.title} ({context.period}).", texts.reading, _sources(chart_id, context)]
    synthetic = _synthetic_line(chart_id, context)
    if synthetic:
        parts.append(synthetic)
    return " ".join(parts)


def _title(chart_id: str, context: ChartContext, *lines: str | None) -> alt.TitleParams:
    paragraphs = [_synthetic_line(chart_id, context), *lines, _sources(chart_id, context)]
    subtitle = [wrapped for line in paragraphs if line
                for wrapped in textwrap.wrap(line, SUBTITLE_CHARS, break_long_words=False, break_on_hyphens=False)]
    return alt.TitleParams(text=chart_texts()[chart_id].title, subtitle=subtitle, anchor="start")


def _finish(chart: alt.TopLevelMixin, datasets: dict[str, list[dict[str, Any]]]) -> alt.TopLevelMixin:
    # Set in place: the chart was just built here, and Altair's copying methods would deep-copy every row.
    chart.config = chart_config()
    chart.datasets = dict(sorted(datasets.items()))
    return chart


# ------------------------------------------------------------------ helpers


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for inline data: dates as ISO day strings, floats rounded, nothing else touched."""
    frame = frame.with_columns(cs.date().dt.strftime("%Y-%m-%d"), cs.float().round(6))
    return frame.to_dicts()


# The datasets of the chart being built (name -> rows); set by build_charts around each builder.
_DATASETS: contextvars.ContextVar[dict[str, list[dict[str, Any]]] | None] = contextvars.ContextVar(
    "chart_datasets", default=None)
MAX_ROWS = 5000  # Altair's MaxRowsError limit: anything bigger is aggregated in Polars first


def _data(frame: pl.DataFrame | list[dict[str, Any]]) -> alt.Data | alt.NamedData:
    rows = _rows(frame) if isinstance(frame, pl.DataFrame) else frame
    if len(rows) > MAX_ROWS:
        raise MaxRowsError(f"{len(rows)} rows for one chart layer (limit {MAX_ROWS:,}): aggregate in Polars first")
    collector = _DATASETS.get()
    if collector is None:
        return alt.Data(values=rows)
    name = dataset_name(rows)
    collector[name] = rows
    return alt.NamedData(name=name)


def _utc(day: dt.date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def _fmt(value: int | float | None) -> str:
    if value is None:
        return "n/a"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _table(tables: dict[str, pl.DataFrame], name: str) -> pl.DataFrame:
    frame = tables.get(name)
    if frame is None:
        return pl.DataFrame(schema=schema.PERIOD_TABLES[name])
    return frame


def _time_axis(context: ChartContext) -> alt.Axis:
    """Yearly ticks (label right of the tick, spanning its year); quarterly for series under 3 years."""
    months = (context.period_end.year - FIRST_DAY.year) * 12 + context.period_end.month - FIRST_DAY.month + 1
    if months > 36:
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0, grid=False,
                        labelAlign="left", labelOffset=2)
    return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0, grid=False,
                    labelAlign="center")


def _tx(field: str) -> alt.X:
    """A temporal x on a utc scale: every temporal encoding says utc, so even the SVG's ARIA labels are
    formatted in UTC, never in the machine's time zone."""
    return alt.X(f"{field}:T", scale=alt.Scale(type="utc"))


def _time_x(context: ChartContext, title: str = "Month", *, field: str = "date") -> alt.X:
    return alt.X(f"{field}:T", title=title,
                 scale=alt.Scale(type="utc", domain=[_utc(FIRST_DAY), _utc(context.period_end)]),
                 axis=_time_axis(context))


def _line_key(label: str, colour: str = INK) -> list[alt.Chart]:
    """A legend entry for a line, drawn in the plot's top-left corner (where the series starts low)."""
    key = alt.Chart(_data([{"label": label}]))
    return [key.mark_rule(color=colour, strokeWidth=2).encode(x=alt.value(10), x2=alt.value(34), y=alt.value(12)),
            key.mark_text(align="left", baseline="middle", fontWeight="bold", color=colour).encode(
                x=alt.value(40), y=alt.value(12), text="label:N")]


def _period_span(monthly: pl.DataFrame, context: ChartContext) -> tuple[dt.date, dt.date] | None:
    months = monthly.filter(pl.col("in_period")).sort("month")
    if months.height:
        first = months["month"][0]
        return dt.date(int(first[:4]), int(first[5:7]), 1), context.period_end
    return None


def _period_band(monthly: pl.DataFrame, context: ChartContext, *, label: bool = True) -> list[alt.Chart]:
    span = _period_span(monthly, context)
    if span is None:
        return []
    rows = [{"start": span[0].isoformat(), "end": (span[1] + dt.timedelta(days=1)).isoformat(),
             "label": context.period}]
    base = alt.Chart(_data(rows))
    # Decorative, so no ARIA label (Vega-Lite would format its x2 in local time there).
    band = base.mark_rect(color="#000000", opacity=0.07, aria=False).encode(x=_tx("start"), x2="end:T")
    if not label:
        return [band]
    text = base.mark_text(align="right", baseline="top", dx=-3, dy=3, fontSize=10, color="#555555", aria=False).encode(
        x=_tx("start"), y=alt.value(0), text="label:N")
    return [band, text]


def _empty(chart_id: str, context: ChartContext, message: str) -> alt.Chart:
    chart = alt.Chart(_data([{"message": message}])).mark_text(fontSize=13, color="#555555").encode(
        text="message:N")
    return chart.properties(width=WIDTH, height=80, title=_title(chart_id, context))


def _source_kind(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.to_lowercase().str.contains("viasna")).then(pl.lit("Viasna")).otherwise(
        pl.lit("Other sources"))


def _published(context: ChartContext, metric: str) -> pl.DataFrame:
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


def _published_layers(figures: pl.DataFrame, y_max: float, *, y_title: str, colour_by_source: bool,
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
    data = _data(frame)
    base = alt.Chart(data)
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
        x=_tx("date"), y="lower:Q", y2="bar_top:Q", color=plain_colour)
    carets = base.transform_filter("datum.unbounded").mark_point(shape="triangle-up", filled=True, size=45).encode(
        x=_tx("date"), y="bar_top:Q", color=plain_colour)
    points = base.mark_point(filled=True, size=size, opacity=0.95, stroke="#FFFFFF", strokeWidth=0.8).encode(
        x=_tx("date"), y=alt.Y("value:Q", title=y_title), color=colour, shape=shape_enc, tooltip=tooltip)
    return [bars, carets, points]


# ------------------------------------------------------------------ 1. stock over time


def _stock_over_time(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-stock-over-time"
    monthly = _table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return _empty(chart_id, context, "No monthly counts for this period.")
    line_frame = monthly.select(pl.col("month_end").alias("date"), "month", "held_end", "held_end_lower",
                                "held_end_upper")
    figures = _published(context, "current_political_prisoners")
    y_max = float(max([monthly["held_end_upper"].max() or 0]
                      + [v for v in figures["value"].to_list() if v is not None]
                      + [v for v in figures["upper"].to_list() if v is not None]))
    y = alt.Y("held_end:Q", title="Political prisoners held (persons)", axis=alt.Axis(format=",d"),
              scale=alt.Scale(domain=[0, _nice(y_max * (1 + 2 * CARET_SHARE))]))
    line = alt.Chart(_data(line_frame)).mark_line(color=INK, strokeWidth=2, interpolate="linear").encode(
        x=_time_x(context, "Month-end"), y=y,
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("held_end:Q", title="Held at month-end", format=","),
                 alt.Tooltip("held_end_lower:Q", title="At least", format=","),
                 alt.Tooltip("held_end_upper:Q", title="At most", format=",")])
    # What the sources allow: certainly held (lower) to possibly held (upper), around the point rule's line.
    band = alt.Chart(_data(line_frame)).mark_area(color=INK, opacity=0.14, interpolate="linear").encode(
        x=_time_x(context, "Month-end"), y=alt.Y("held_end_lower:Q").scale(y.to_dict()["scale"]).title(None),
        y2="held_end_upper:Q")
    label = "Registry count at month-end" + (" (SYNTHETIC)" if context.synthetic else "")
    layers = [*_period_band(monthly, context), band, line,
              *_published_layers(figures, y_max, y_title="Political prisoners held (persons)", colour_by_source=True),
              *_line_key(label)]
    undated = context.ledger.filter((pl.col("metric") == "current_political_prisoners")
                                    & pl.col("as_of_from").is_null()).height
    last = monthly.tail(1).row(0, named=True)
    note = (f"Registry count on {last['month_end'].isoformat()}: {_fmt(last['held_end'])} (the sources allow "
            f"{_fmt(last['held_end_lower'])}–{_fmt(last['held_end_upper'])}: grey band). "
            f"Points: {figures.height} dated published figures ({undated} undated ones not drawn); "
            "bars: the range their wording allows; ▲ = no upper limit.")
    return alt.layer(*layers).properties(
        width=WIDTH, height=360, title=_title(chart_id, context, note))


def _nice(value: float) -> float:
    """A round axis maximum at or above value."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


# ------------------------------------------------------------------ 2. entries and exits


def _entries_exits(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-entries-exits"
    monthly = _table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return _empty(chart_id, context, "No monthly counts for this period.")
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
    lines = alt.Chart(_data(long)).mark_line(strokeWidth=1.8).encode(
        x=_time_x(context, ""), y=alt.Y("persons:Q", title="Persons per month", axis=alt.Axis(format=",d")),
        color=colour, strokeDash=dash, detail="flow:N", tooltip=tooltip)
    top = alt.layer(*_period_band(monthly, context), lines).properties(width=WIDTH, height=260)

    ratio = monthly.filter(pl.col("exit_entry_ratio").is_not_null()).select(
        pl.col("month_end").alias("date"), "month", "entries", "exits", "exit_entry_ratio")
    ratio_max = max(2.0, math.ceil(float(ratio["exit_entry_ratio"].max() or 0.0) * 2) / 2)
    ratio_line = alt.Chart(_data(ratio)).mark_line(color="#555555", strokeWidth=1.2, point=alt.OverlayMarkDef(
        color="#555555", size=14, filled=True)).encode(
        x=_time_x(context, "Month"),
        y=alt.Y("exit_entry_ratio:Q", title="Exits per entry", scale=alt.Scale(domain=[0, ratio_max]),
                axis=alt.Axis(format=".1f", tickCount=4)),
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("entries:Q", title="Entries", format=","),
                 alt.Tooltip("exits:Q", title="Exits", format=","),
                 alt.Tooltip("exit_entry_ratio:Q", title="Exits per entry", format=".2f")])
    one = alt.Chart(_data([{"y": 1.0, "label": "1 = as many left as entered"}]))
    one_rule = one.mark_rule(strokeDash=[2, 2], color="#000000").encode(y="y:Q")
    one_text = one.mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=10, color="#333333").encode(
        y="y:Q", x=alt.value(0), text="label:N")
    bottom = alt.layer(*_period_band(monthly, context, label=False), ratio_line, one_rule, one_text).properties(
        width=WIDTH, height=120)
    last = monthly.tail(1).row(0, named=True)
    note = (f"{last['month']}: {_fmt(last['entries'])} entries, {_fmt(last['exits'])} exits, "
            f"held {_fmt(last['held_start'])} → {_fmt(last['held_end'])}.")
    return alt.vconcat(top, bottom, spacing=8, title=_title(chart_id, context, note))


# ------------------------------------------------------------------ 3. release waves


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
    total = _fmt(row["released"])
    parts = [f"{_fmt(row[d])} to {d.capitalize()}" for d in ("ukraine", "lithuania") if row[d]]
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


def _release_waves(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-release-waves"
    events = context.release_events.filter(pl.col("date") <= context.period_end).sort("date", "event_id")
    if events.height == 0:
        return _empty(chart_id, context, f"No release waves recorded up to {context.period_end.isoformat()}.")
    frame = _wave_segments(events)
    period_span = _period_span(_table(tables, "monthly"), context)
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
        if period_span and period_span[0] <= row["date"] <= context.period_end:
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
    x_max = _nice(max(r["released"] for r in rows) * 1.9)
    x = alt.X("x0:Q", title="People released in the wave (as published)",
              scale=alt.Scale(domain=[0, x_max]), axis=alt.Axis(format=",d", grid=True))
    bars = alt.Chart(_data(segments)).mark_bar(height={"band": 0.72}, stroke="#FFFFFF", strokeWidth=0.6).encode(
        y=y, x=x, x2="x1:Q", color=colour,
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("destination:N", title="Destination"),
                 alt.Tooltip("persons:Q", title="Persons", format=","),
                 alt.Tooltip("released:Q", title="Released in the wave", format=","),
                 alt.Tooltip("mechanism:N", title="Mechanism"), alt.Tooltip("mediator:N", title="Mediator"),
                 alt.Tooltip("sources:N", title="Ledger ids"), alt.Tooltip("event_id:N", title="Event")])
    text = alt.Chart(_data(ends)).mark_text(align="left", baseline="middle", dx=4, fontSize=10.5).encode(
        y=alt.Y("axis_label:N", sort=labels), x="released:Q", text="label:N")
    in_period = f"Bold: waves in {context.period}." if bold else None
    total = sum(r["released"] for r in rows)
    expelled = sum(int(r["lithuania"] or 0) + int(r["ukraine"] or 0) for r in rows)
    note = (f"{len(rows)} waves from {rows[0]['date'].isoformat()} to {rows[-1]['date'].isoformat()}: "
            f"{total:,} people released, {expelled:,} of them expelled abroad.")
    return alt.layer(bars, text).properties(width=WIDTH - 160, height=max(120, 24 * len(rows)),
                                             title=_title(chart_id, context, note, in_period))


def _bold_condition(labels: list[str]) -> Any:
    if not labels:
        return "normal"
    test = " || ".join(f"datum.value === {json.dumps(label)}" for label in labels)
    return {"condition": {"test": test, "value": "bold"}, "value": "normal"}


# ------------------------------------------------------------------ 4. exits by mechanism


def _exits_by_mechanism(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-exits-by-mechanism"
    monthly = _table(tables, "monthly").sort("month")
    if monthly.height == 0:
        return _empty(chart_id, context, "No monthly counts for this period.")
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
              scale=alt.Scale(domain=[_utc(FIRST_DAY), _utc(context.period_end + dt.timedelta(days=1))]),
              axis=_time_axis(context))
    bars = alt.Chart(_data(long)).mark_bar(width={"band": 0.85}).encode(
        x=x, y=alt.Y("sum(persons):Q", title="Exits per month (persons)", axis=alt.Axis(format=",d", tickMinStep=1),
                     stack="zero", scale=alt.Scale(domain=[0, _nice(float(monthly["exits"].max() or 1) * 1.05)])),
        color=colour, order=alt.Order("rank:Q", sort="ascending"),
        tooltip=[alt.Tooltip("month:N", title="Month"), alt.Tooltip("label:N", title="Mechanism"),
                 alt.Tooltip("persons:Q", title="Persons", format=",")])
    band = _period_band(monthly, context)
    totals = monthly.select([pl.sum(c) for c in columns]).row(0)
    span = f"{monthly['month'][0]} to {monthly['month'][-1]}"
    note = f"All exits {span}: " + ", ".join(
        f"{MECHANISM_SHORT[m].lower()} {_fmt(t)}" for m, t in zip(MECHANISM_ORDER, totals) if t) + "."
    return alt.layer(*band, bars).properties(width=WIDTH, height=320, title=_title(chart_id, context, note))


# ------------------------------------------------------------------ 5. time served


def _time_served(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-time-served"
    served = _table(tables, "time_served").filter((pl.col("persons") > 0) & pl.col("median_months").is_not_null())
    if served.height == 0:
        return _empty(chart_id, context, "No releases up to the end of the period.")
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
    x_max = _nice(float(frame["p75_months"].max() or 1.0) * 1.35)
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
    base = alt.Chart(_data(frame))
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
        title=_title(chart_id, context, note))


# ------------------------------------------------------------------ 6. composition: article groups


def _share_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        (pl.col("persons").map_elements(lambda v: f"{v:,}", return_dtype=pl.String) + pl.lit(" · ")
         + (pl.col("share") * 100).map_elements(lambda v: f"{v:.1f}%", return_dtype=pl.String)).alias("text"))


def _composition_articles(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-composition-articles"
    everything = _table(tables, "composition").filter(pl.col("dimension") == "article_group")
    comp = _shown(everything)
    if comp.height == 0:
        return _empty(chart_id, context, "No composition by article group for this period.")
    # Largest first; "Other articles" always last.
    frame = _share_text(comp.with_columns((pl.col("category") == "Other articles").alias("is_other"))
                        .sort(["is_other", "persons", "category"], descending=[False, True, False]))
    order = frame["category"].to_list()
    as_of = comp["as_of"].max()
    x_max = _nice(float(frame["persons"].max()) * 1.3)
    base = alt.Chart(_data(frame.select("category", "persons", "share", "text")))
    y = alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelLimit=420, ticks=False, domain=False))
    bars = base.mark_bar(color=COMPOSITION_COLOUR, height={"band": 0.7}).encode(
        y=y, x=alt.X("persons:Q", title=f"People held on {as_of.isoformat()} (persons)",
                     scale=alt.Scale(domain=[0, x_max]), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip("category:N", title="Article group"), alt.Tooltip("persons:Q", title="Persons", format=","),
                 alt.Tooltip("share:Q", title="Share of all held", format=".1%")])
    text = base.mark_text(align="left", baseline="middle", dx=4).encode(y=y, x="persons:Q", text="text:N")
    held = _held_at(tables, as_of)
    note = (f"Share of all {_fmt(held)} people held on {as_of.isoformat()}; " if held is not None
            else f"Share of all people held on {as_of.isoformat()}; ") + \
        "a person charged under several groups counts in each." + _suppressed_note(everything)
    return alt.layer(bars, text).properties(width=260, height=28 * frame.height,
                                            title=_title(chart_id, context, note))


def _shown(composition: pl.DataFrame) -> pl.DataFrame:
    """The cells a chart may draw: suppressed small counts have no number to draw."""
    return composition.filter(~pl.col("suppressed")) if "suppressed" in composition.columns else composition


def _suppressed_note(composition: pl.DataFrame) -> str:
    hidden = composition.filter(pl.col("suppressed")).height if "suppressed" in composition.columns else 0
    if not hidden:
        return ""
    return (f" {hidden} small {'category is' if hidden == 1 else 'categories are'} not shown "
            f"(suppressed so that no one can be singled out).")


def _held_at(tables: dict[str, pl.DataFrame], day: dt.date) -> int | None:
    stock = _table(tables, "stock").filter(pl.col("as_of") == day)
    return int(stock["held"][0]) if stock.height else None


# ------------------------------------------------------------------ 7. deaths in custody


def _deaths(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-deaths"
    # One step per day (the table has one row per death).
    deaths = (_table(tables, "deaths").group_by("date")
              .agg(pl.col("cumulative").max(), pl.len().cast(pl.Int64).alias("deaths_that_day"))
              .sort("date"))
    figures = _published(context, "deaths_in_custody_cumulative")
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
    line = alt.Chart(_data(steps)).mark_line(interpolate="step-after", color=INK, strokeWidth=2).encode(
        x=_time_x(context, "Date of death"), y=y)
    points = alt.Chart(_data(deaths.select("date", "cumulative", "deaths_that_day"))).mark_point(
        filled=True, size=40, color=INK).encode(
        x=_tx("date"), y="cumulative:Q",
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("deaths_that_day:Q", title="Deaths that day"),
                 alt.Tooltip("cumulative:Q", title="Deaths so far")])
    label = "Registry count (SYNTHETIC)" if context.synthetic else "Registry count"
    end = alt.Chart(_data([{"date": context.period_end.isoformat(), "cumulative": int(deaths["cumulative"].max() or 0),
                            "label": f"{label}: {int(deaths['cumulative'].max() or 0)}"}])).mark_text(
        align="right", baseline="bottom", dy=-14, fontWeight="bold").encode(x=_tx("date"), y="cumulative:Q",
                                                                              text="label:N")
    published = _published_layers(figures, y_top, y_title="Deaths in custody since 2020-05 (persons)",
                                  colour_by_source=False, point_colour=OKABE_ITO["vermillion"], shape="diamond",
                                  size=90)
    legend_note = ("Vermillion diamonds: published cumulative figures with the range their wording allows "
                   "(▲ = no upper limit)." if figures.height else "No published cumulative figures in the ledger.")
    return alt.layer(*_period_band(_table(tables, "monthly"), context), line, points, *published, end).properties(
        width=WIDTH, height=280, title=_title(chart_id, context, legend_note))


# ------------------------------------------------------------------ 8. reconciliation


_PROPER_NOUNS = {"lithuania": "Lithuania", "ukraine": "Ukraine", "ukrainian": "Ukrainian", "belarus": "Belarus",
                 "belarusian": "Belarusian", "belarusians": "Belarusians", "us": "US"}


def _metric_label(metric: str) -> str:
    words = [_PROPER_NOUNS.get(word, word) for word in metric.replace("_", " ").split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _short(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _signed(value: float | int, fmt: str) -> str:
    """+12 / −12 with a true minus sign, as d3 writes it on the axis."""
    text = format(value, "+" + fmt)
    return text.replace("-", "\u2212")


def _reconciliation(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-reconciliation"
    recon = _table(tables, "reconciliation").sort("as_of_to", "metric", "figure_id")
    comparable = recon.filter(pl.col("status") != "not_comparable")
    omitted = recon.height - comparable.height
    if comparable.height == 0:
        message = (f"No published figure dated in {context.period} can be compared with our counts"
                   + (f" ({omitted} not comparable)." if omitted else "."))
        return _empty(chart_id, context, message)
    rows = []
    for index, r in enumerate(comparable.iter_rows(named=True)):
        base = r["value"] if r["value"] else max(r["lower"] or 0, 1)
        tol = float(r["tolerance"] or 0.0)
        our = r["our_count"]
        rel = lambda v: None if v is None else v / base - 1  # noqa: E731
        date = r["as_of_to"].isoformat() if r["as_of_from"] == r["as_of_to"] else (
            f"{r['as_of_from'].isoformat()}..{r['as_of_to'].isoformat()}")
        status = r["status"]
        if status == "within_bounds":
            verdict = "within the published bounds"
        else:
            verdict = (f"{STATUS_SHORT[status]}: {_signed(our - r['value'], ',')} "
                       f"({_signed((our / base - 1) * 100, '.1f')}%)")
        rows.append({
            "key": f"{index:03d}", "status": status, "status_label": STATUS_LABELS.get(status, status),
            "breach": status == "outside_tolerance",
            "metric_label": _short(_metric_label(r["metric"]), 42),
            "origin": f"{date} · {_short(r['source_org'], 34)}",
            "numbers": f"ours {_fmt(our)} · published {_fmt(r['value'])} ({_short(r['qualifier'], 14)})",
            "verdict": verdict,
            "our_rel": rel(our), "lower_rel": rel(r["lower"]), "upper_rel": rel(r["upper"]),
            "tol_lower_rel": rel(r["lower"] * (1 - tol)),
            "tol_upper_rel": None if r["upper"] is None else rel(r["upper"] * (1 + tol)),
            "unbounded": r["upper"] is None,
            "source": _short(r["source_org"], 80), "figure_id": r["figure_id"], "our_measure": r["our_measure"] or "",
            "value": r["value"], "our_count": our, "lower": r["lower"],
            "upper_text": "no upper limit" if r["upper"] is None else f"{r['upper']:,}",
        })
    extent = [abs(v) for row in rows for v in (row["our_rel"], row["lower_rel"], row["upper_rel"],
                                               row["tol_lower_rel"], row["tol_upper_rel"]) if v is not None]
    d = _nice(max(0.06, max(extent) * 1.2) * 100) / 100
    for row in rows:
        row["bar_lower"] = max(row["lower_rel"], -d)
        row["bar_upper"] = d if row["upper_rel"] is None else min(row["upper_rel"], d)
        row["tol_lower"] = max(row["tol_lower_rel"], -d)
        row["tol_upper"] = d if row["tol_upper_rel"] is None else min(row["tol_upper_rel"], d)
        row["caret"] = d
        row["x_min"], row["x_max"] = -d, d
    keys = [row["key"] for row in rows]
    height = RECONCILIATION_ROW * len(rows)
    base = alt.Chart(_data(rows))
    y = alt.Y("key:N", title=None, sort=keys, axis=None, scale=alt.Scale(paddingInner=0.08, paddingOuter=0.04))
    tint = base.transform_filter("datum.breach").mark_rect(color=BREACH_COLOUR, opacity=0.14)

    # Left: what was published, when and by whom.
    label_width = 290
    left = alt.layer(
        tint.encode(y=y, x=alt.value(0), x2=alt.value(label_width)),
        base.mark_text(align="right", baseline="bottom", dy=-1, fontSize=11, fontWeight="bold").encode(
            y=y, x=alt.value(label_width - 6), text="metric_label:N"),
        base.mark_text(align="right", baseline="top", dy=2, fontSize=10, color="#555555").encode(
            y=y, x=alt.value(label_width - 6), text="origin:N"),
    ).properties(width=label_width, height=height)

    # Middle: bounds, tolerance and our count, relative to the published value.
    x_scale = alt.Scale(domain=[-d, d], clamp=True)
    x_axis = alt.Axis(title="Difference from the published value", tickCount=5, grid=True,
                      labelExpr="(datum.value > 0 ? '+' : '') + format(datum.value, '.0%')")
    status_domain = [s for s in STATUS_ORDER if s != "not_comparable"]
    colour = alt.Color("status_label:N", title="Our count",
                       scale=alt.Scale(domain=[STATUS_LABELS[s] for s in status_domain],
                                       range=[STATUS_COLOURS[s] for s in status_domain]))
    shape = alt.Shape("status_label:N", title="Our count",
                      scale=alt.Scale(domain=[STATUS_LABELS[s] for s in status_domain],
                                      range=[STATUS_SHAPES[s] for s in status_domain]))
    tooltip = [alt.Tooltip("metric_label:N", title="Figure"), alt.Tooltip("origin:N", title="Date and source"),
               alt.Tooltip("value:Q", title="Published", format=","), alt.Tooltip("lower:Q", title="Lower", format=","),
               alt.Tooltip("upper_text:N", title="Upper"), alt.Tooltip("our_count:Q", title="Ours", format=","),
               alt.Tooltip("our_measure:N", title="Our measure"), alt.Tooltip("status_label:N", title="Status"),
               alt.Tooltip("figure_id:N", title="Ledger id")]
    plot = alt.layer(
        tint.encode(y=y, x=alt.X("x_min:Q", scale=x_scale, axis=x_axis), x2="x_max:Q"),
        base.mark_rule(strokeWidth=9, color="#D9D9D9").encode(y=y, x="tol_lower:Q", x2="tol_upper:Q"),
        base.mark_rule(strokeWidth=4, color="#7A7A7A").encode(y=y, x="bar_lower:Q", x2="bar_upper:Q"),
        base.transform_filter("datum.unbounded").mark_point(shape="triangle-right", filled=True, size=60,
                                                            color="#7A7A7A").encode(y=y, x="caret:Q"),
        alt.Chart(_data([{"x": 0}])).mark_rule(color="#000000", strokeWidth=1).encode(x="x:Q"),
        base.mark_point(filled=True, opacity=1, strokeWidth=3).encode(
            y=y, x="our_rel:Q", color=colour, shape=shape, tooltip=tooltip,
            size=alt.condition("datum.breach", alt.value(230), alt.value(90))),
    ).properties(width=190, height=height)

    # Right: the numbers and the verdict; a breach in bold, in the breach colour.
    table_width = 225
    right = alt.layer(
        tint.encode(y=y, x=alt.value(0), x2=alt.value(table_width)),
        base.mark_text(align="left", baseline="bottom", dy=-1, dx=6, fontSize=10.5).encode(
            y=y, x=alt.value(0), text="numbers:N"),
        base.transform_filter("!datum.breach").mark_text(
            align="left", baseline="top", dy=2, dx=6, fontSize=10.5, color="#333333").encode(
            y=y, x=alt.value(0), text="verdict:N"),
        base.transform_filter("datum.breach").mark_text(
            align="left", baseline="top", dy=2, dx=6, fontSize=10.5, fontWeight="bold", color=BREACH_COLOUR).encode(
            y=y, x=alt.value(0), text="verdict:N"),
    ).properties(width=table_width, height=height)

    breaches = sum(1 for row in rows if row["breach"])
    summary = (f"{len(rows)} comparable figures: {breaches} outside tolerance (tinted rows)."
               if breaches else f"{len(rows)} comparable figures: none outside tolerance.")
    if omitted:
        summary += f" Not drawn: {omitted} with no comparable measure of ours (listed in the table)."
    tolerances = sorted({float(t) for t in comparable["tolerance"].drop_nulls().to_list()})
    tol_note = ("Dark bar: range the wording allows; light bar: widened by the tolerance ("
                + ", ".join(f"{t:.0%}" for t in tolerances) + "); ► = no upper limit; black line: published value."
                if tolerances else None)
    return alt.hconcat(left, plot, right, spacing=4, title=_title(chart_id, context, summary, tol_note)
                       ).resolve_scale(y="shared")


# ------------------------------------------------------------------ 9. composition: gender and age


def _age_key(category: str) -> tuple[int, str]:
    text = category.strip().lower()
    if text.startswith("under"):
        return (0, text)
    digits = "".join(ch for ch in text.split("-")[0].split(" ")[0] if ch.isdigit())
    return (int(digits) if digits else 10_000, text)


def _composition_gender_age(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    chart_id = "fig-composition-gender-age"
    everything = _table(tables, "composition").filter(pl.col("dimension").is_in(["gender", "age_band"]))
    comp = _shown(everything)
    gender = comp.filter(pl.col("dimension") == "gender").with_columns(
        pl.col("category").replace(GENDER_LABELS).alias("category"))
    age = comp.filter(pl.col("dimension") == "age_band").with_columns(
        (pl.col("category").str.slice(0, 1).str.to_uppercase() + pl.col("category").str.slice(1)).alias("category"))
    if gender.height == 0 and age.height == 0:
        return _empty(chart_id, context, "No composition by gender or age for this period.")
    as_of = comp["as_of"].max()

    def panel(frame: pl.DataFrame, order: list[str], title: str) -> alt.LayerChart:
        frame = _share_text(frame)
        base = alt.Chart(_data(frame.select("category", "persons", "share", "text")))
        y = alt.Y("category:N", title=None, sort=order, axis=alt.Axis(ticks=False, domain=False))
        x = alt.X("persons:Q", title="Persons", scale=alt.Scale(domain=[0, _nice(float(frame["persons"].max()) * 1.45)]),
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
    held = _held_at(tables, as_of)
    note = f"People held on {as_of.isoformat()}" + (f": {_fmt(held)}." if held is not None else ".")
    return alt.hconcat(*panels, spacing=40, title=_title(chart_id, context, note + _suppressed_note(everything)))
