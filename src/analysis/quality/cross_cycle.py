"""Cross-cycle continuity: this period against the previous one. Its start against the previous
published end (a revision of the registry is a warning, a large one blocks), its headline move against
its flows, and each previous person followed into this copy (no return to active without a new
detention)."""

from __future__ import annotations

from typing import Any

import polars as pl

from analysis.core import schema
from analysis.core.schema import Columns
from analysis.quality.frames import c, conform
from analysis.quality.identities import _B, _D, _F, _I, _S, equal, flow_total, stock_value
from analysis.quality.results import ValidationContext

CROSS_CYCLE: Columns = {
    "row_kind": _S, "source_file": _S, "source_row": pl.Int32, "next_source_file": _S, "next_source_row": pl.Int32,
    "present_in_next": _B, "no_return_without_new_detention": _B,
    "previous_end_held": _I, "previous_end_as_of": _D, "start_held": _I, "start_as_of": _D, "end_held": _I,
    "change": _I, "net_flow": _I, "bound": _F, "tolerance": _F,
    "start_equals_previous_end": _B, "start_follows_previous_end": _B, "headline_move_explained": _B,
    "revision": _I, "revision_bound": _F, "revision_within_bound": _B,
}


def cross_cycle_frame(tables, previous_tables, context: ValidationContext) -> pl.DataFrame:
    rows = [_continuity_row(tables, previous_tables, context)]
    if context.previous_persons is not None:
        previous_persons = conform(context.previous_persons, schema.PERSONS)
        rows.append(conform(_person_continuity(previous_persons, tables["persons"]), CROSS_CYCLE))
    return pl.concat(rows)


def _continuity_row(tables, previous_tables, context: ValidationContext) -> pl.DataFrame:
    """This period's start and headline move against the previous period (bounds: decisions/counting.yaml)."""
    tolerance = context.tolerance
    headline_bound = context.settings.headline_bound.value
    revision_bound = context.settings.revision_bound.value
    row: dict[str, Any] = {"row_kind": "period", "start_equals_previous_end": None, "start_follows_previous_end": None,
                           "headline_move_explained": None, "revision_within_bound": None}
    if previous_tables is not None:
        stock, previous = tables["stock"], previous_tables.get("stock", schema.empty(schema.STOCK))
        prev_end, start, end = stock_value(previous, "end"), stock_value(stock, "start"), stock_value(stock, "end")
        net_flow = flow_total(tables["flows"], "entry") - flow_total(tables["flows"], "exit")
        change = end - prev_end if end is not None and prev_end is not None else None
        row |= {"previous_end_held": prev_end, "start_held": start, "end_held": end, "change": change,
                "net_flow": net_flow, "bound": headline_bound, "tolerance": tolerance,
                "previous_end_as_of": stock_value(previous, "end", "as_of"),
                "start_as_of": stock_value(stock, "start", "as_of"),
                "start_equals_previous_end": equal(start, prev_end),
                "revision": None if start is None or prev_end is None else start - prev_end,
                "revision_bound": revision_bound,
                "revision_within_bound": start is not None and prev_end is not None
                and abs(start - prev_end) <= revision_bound * prev_end,
                "headline_move_explained": change is not None and (
                    abs(change) <= headline_bound * prev_end or abs(change - net_flow) <= tolerance * prev_end)}
        row["start_follows_previous_end"] = equal(row["start_as_of"], row["previous_end_as_of"])
    return conform(pl.DataFrame([row], strict=False), CROSS_CYCLE)


def _person_continuity(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """One row per previous person: where they are now and whether a return to active is explained.

    A person whose name the source withholds can be followed only by record id: where either copy
    has no ids, whether they are still listed is not known (null, not applied), never a failure.
    Only source rows and booleans leave this function: no names, ids or dates.
    """
    matched = _match_persons(previous, current)
    by_id = c("record_id").is_not_null() & pl.lit(bool(current["record_id"].is_not_null().any()))
    followable = by_id | c("name_key").is_not_null()
    present = c("next_source_row").is_not_null()
    returned = (c("status") == "former") & (c("next_status") == "active")
    new_detention = pl.when(c("arrested_to").is_null()).then(c("next_arrested_from").is_not_null()) \
        .otherwise((c("next_arrested_from") > c("arrested_to")).fill_null(False))
    return matched.select(
        pl.lit("person").alias("row_kind"), "source_file", "source_row", "next_source_file", "next_source_row",
        pl.when(followable | present).then(present).alias("present_in_next"),
        pl.when(returned).then(new_detention).alias("no_return_without_new_detention"),
    )


def _match_persons(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """record_id where both rows have one; otherwise name_key + birth_date_from (both copies' rows)."""
    keep = ["record_id", "name_key", "birth_date_from"]
    prev = previous.select("source_file", "source_row", *keep, "status", "arrested_to").with_row_index("_prev")
    nxt = current.select(*keep, next_source_file="source_file", next_source_row="source_row", next_status="status",
                         next_arrested_from="arrested_from")
    found = ["_prev", "next_source_file", "next_source_row", "next_status", "next_arrested_from"]
    by_id = prev.filter(c("record_id").is_not_null()).join(nxt.filter(c("record_id").is_not_null()), on="record_id")
    by_name = (prev.join(by_id.select("_prev"), on="_prev", how="anti").filter(c("name_key").is_not_null())
               .join(nxt.filter(c("name_key").is_not_null()), on=["name_key", "birth_date_from"], nulls_equal=True)
               .filter(c("record_id").is_null() | c("record_id_right").is_null()))
    best = (pl.concat([by_id.select(found), by_name.select(found)])
            .sort("_prev", "next_source_row").unique("_prev", keep="first"))
    return prev.join(best, on="_prev", how="left").sort("_prev")
