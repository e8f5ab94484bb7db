"""The stock-flow identities of a period: start + entries - exits = end, for the period and month by
month, and the stock, flows and monthly tables agreeing with each other (one row per check)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from analysis.core import schema
from analysis.core.schema import Columns
from analysis.quality.frames import c, conform, month_start


# The frames joined in Polars. Only counts, dates of public tables, source rows and booleans: no
# names, ids or personal dates ever reach them. Each rule is a boolean column (null = not applied).
_I, _B, _D, _S, _F = pl.Int64, pl.Boolean, pl.Date, pl.String, pl.Float64
STOCK_FLOW: Columns = {
    "check_row": _S, "start_held": _I, "end_held": _I, "start_listed": _I, "end_listed": _I,
    "listed_without_detention_date": _I, "start_as_of": _D, "end_as_of": _D, "flow_entries": _I,
    "flow_exits": _I, "monthly_held_start": _I, "monthly_held_end": _I, "monthly_entries": _I, "monthly_exits": _I,
    "month": _S, "previous_month": _S, "held_start": _I, "entries": _I, "exits": _I, "held_end": _I,
    "previous_held_end": _I, "exits_by_mechanism": _I, "net_change": _I,
    "registry_active": _I, "exit_mechanisms_differing": _S, "period_identity": _B, "stock_as_of_ordered": _B,
    "end_matches_registry_active": _B, "stock_start_matches_monthly": _B,
    "stock_end_matches_monthly": _B, "flows_match_monthly": _B, "monthly_identity": _B, "monthly_chain": _B,
    "months_contiguous": _B, "monthly_exits_add_up": _B, "monthly_net_change": _B,
}


def stock_flow_frame(tables: dict[str, pl.DataFrame], snapshot: dt.date) -> pl.DataFrame:
    rows = [_period_identity_row(tables, snapshot), _monthly_identity_rows(tables["monthly"])]
    return conform(pl.concat(rows, how="diagonal_relaxed"), STOCK_FLOW)


def stock_value(stock: pl.DataFrame, position: str, column: str = "held"):
    rows = stock.filter(c("position") == position)[column]
    return rows[0] if len(rows) else None


def flow_total(flows: pl.DataFrame, direction: str, mechanism: str | None = None) -> int:
    rows = flows.filter((c("direction") == direction) & ((c("mechanism") == mechanism) if mechanism else pl.lit(True)))
    return int(rows["persons"].fill_null(0).sum())


def equal(a, b) -> bool:
    return a is not None and b is not None and a == b


def _period_numbers(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The period's stock (STOCK), flows (FLOWS), in-period months (MONTHLY) and active count (PERSONS)."""
    stock, flows = tables["stock"], tables["flows"]
    months = tables["monthly"].filter(c("in_period").fill_null(False)).sort("month")
    return {
        "check_row": "period", "start_held": stock_value(stock, "start"), "end_held": stock_value(stock, "end"),
        "start_listed": stock_value(stock, "start", "listed_without_detention_date"),
        "end_listed": stock_value(stock, "end", "listed_without_detention_date"),
        "start_as_of": stock_value(stock, "start", "as_of"), "end_as_of": stock_value(stock, "end", "as_of"),
        "flow_entries": flow_total(flows, "entry"), "flow_exits": flow_total(flows, "exit"),
        "monthly_held_start": months["held_start"][0] if months.height else None,
        "monthly_held_end": months["held_end"][-1] if months.height else None,
        "monthly_entries": int(months["entries"].fill_null(0).sum()),
        "monthly_exits": int(months["exits"].fill_null(0).sum()),
        "registry_active": tables["persons"].filter(c("status") == "active").height,
        "exit_mechanisms_differing": ", ".join(
            m for m in schema.EXIT_MECHANISMS
            if flow_total(flows, "exit", m) != int(months[f"exits_{m}"].fill_null(0).sum())) or None,
    }


def _period_identity_row(tables: dict[str, pl.DataFrame], snapshot: dt.date) -> pl.DataFrame:
    n = _period_numbers(tables)
    start, end, start_as_of, end_as_of = n["start_held"], n["end_held"], n["start_as_of"], n["end_as_of"]
    n |= {
        # Records without a detention date join the stock on the copy's own date by status, not by a flow.
        "period_identity": start is not None and equal(
            end, start + n["flow_entries"] - n["flow_exits"] + (n["end_listed"] or 0) - (n["start_listed"] or 0)),
        "stock_as_of_ordered": start_as_of is not None and end_as_of is not None and start_as_of < end_as_of,
        "end_matches_registry_active": equal(end, n["registry_active"]) if end_as_of == snapshot else None,
        "stock_start_matches_monthly": equal(start, n["monthly_held_start"]),
        "stock_end_matches_monthly": equal(end, n["monthly_held_end"]),
        "flows_match_monthly": n["exit_mechanisms_differing"] is None and n["flow_entries"] == n["monthly_entries"]
        and n["flow_exits"] == n["monthly_exits"],
    }
    return conform(pl.DataFrame([n], strict=False), STOCK_FLOW)


def _monthly_identity_rows(monthly: pl.DataFrame) -> pl.DataFrame:
    exit_columns = [f"exits_{m}" for m in schema.EXIT_MECHANISMS]
    later = pl.int_range(0, pl.len()) > 0
    return (
        monthly.sort("month")
        .with_columns(previous_held_end=c("held_end").shift(1), previous_month=c("month").shift(1),
                      exits_by_mechanism=pl.sum_horizontal(exit_columns))
        .with_columns(
            monthly_identity=(c("held_end") == c("held_start") + c("entries") - c("exits")
                              + c("listed_without_detention_date")).fill_null(False),
            monthly_chain=pl.when(later).then((c("held_start") == c("previous_held_end")).fill_null(False)),
            months_contiguous=pl.when(later).then(
                (month_start(c("previous_month")).dt.offset_by("1mo").dt.strftime("%Y-%m") == c("month"))
                .fill_null(False)),
            monthly_exits_add_up=(c("exits") == c("exits_by_mechanism")).fill_null(False),
            monthly_net_change=(c("net_change") == c("held_end") - c("held_start")).fill_null(False),
        )
        .select(c("month").alias("check_row"), "month", "previous_month", "held_start", "entries", "exits",
                "listed_without_detention_date",
                "held_end", "previous_held_end", "exits_by_mechanism", "net_change", "monthly_identity",
                "monthly_chain", "months_contiguous", "monthly_exits_add_up", "monthly_net_change")
    )
