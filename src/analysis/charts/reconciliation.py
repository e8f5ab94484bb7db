"""Our counts against the figures published in the period: one row per comparable figure, its published
range and tolerance, and our count relative to the published value."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.charts.common import REGISTRY_AND_LEDGER, ChartContext, ChartInfo, data, fmt, nice, table
from analysis.charts.style import BREACH_COLOUR, STATUS_COLOURS, STATUS_ORDER, STATUS_SHAPES

CHART = ChartInfo(id="fig-reconciliation", sources=REGISTRY_AND_LEDGER)

STATUS_LABELS = {"within_bounds": "Within bounds", "within_tolerance": "Within tolerance",
                 "outside_tolerance": "OUTSIDE TOLERANCE", "not_comparable": "Not comparable"}
STATUS_SHORT = {"within_bounds": "within bounds", "within_tolerance": "within tolerance",
                "outside_tolerance": "OUTSIDE TOLERANCE", "not_comparable": "not comparable"}
RECONCILIATION_ROW = 38  # px per published figure

_PROPER_NOUNS = {"lithuania": "Lithuania", "ukraine": "Ukraine", "ukrainian": "Ukrainian", "belarus": "Belarus",
                 "belarusian": "Belarusian", "belarusians": "Belarusians", "us": "US"}


def build(tables: dict[str, pl.DataFrame], context: ChartContext) -> alt.TopLevelMixin:
    recon = table(tables, "reconciliation").sort("as_of_to", "metric", "figure_id")
    comparable = recon.filter(pl.col("status") != "not_comparable")
    omitted = recon.height - comparable.height
    if comparable.height == 0:
        message = (f"No published figure dated in {context.period} can be compared with our counts"
                   + (f" ({omitted} not comparable)." if omitted else "."))
        return CHART.empty(context, message)
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
            "numbers": f"ours {fmt(our)} · published {fmt(r['value'])} ({_short(r['qualifier'], 14)})",
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
    d = nice(max(0.06, max(extent) * 1.2) * 100) / 100
    for row in rows:
        row["bar_lower"] = max(row["lower_rel"], -d)
        row["bar_upper"] = d if row["upper_rel"] is None else min(row["upper_rel"], d)
        row["tol_lower"] = max(row["tol_lower_rel"], -d)
        row["tol_upper"] = d if row["tol_upper_rel"] is None else min(row["tol_upper_rel"], d)
        row["caret"] = d
        row["x_min"], row["x_max"] = -d, d
    keys = [row["key"] for row in rows]
    height = RECONCILIATION_ROW * len(rows)
    base = alt.Chart(data(rows))
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
        alt.Chart(data([{"x": 0}])).mark_rule(color="#000000", strokeWidth=1).encode(x="x:Q"),
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
    return alt.hconcat(left, plot, right, spacing=4, title=CHART.title(context, summary, tol_note)
                       ).resolve_scale(y="shared")


def _metric_label(metric: str) -> str:
    words = [_PROPER_NOUNS.get(word, word) for word in metric.replace("_", " ").split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _short(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _signed(value: float | int, pattern: str) -> str:
    """+12 / −12 with a true minus sign, as d3 writes it on the axis."""
    text = format(value, "+" + pattern)
    return text.replace("-", "\u2212")
