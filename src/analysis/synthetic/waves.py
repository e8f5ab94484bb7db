"""The release waves and the planned path: which real waves the population goes through, and the exact
number of people active at every checkpoint (month-ends and dates of published Viasna figures)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from analysis.synthetic import config as C
from analysis.synthetic.calibration import FIRST_MONTH, Anchor, month_ends, target_value


@dataclass(frozen=True)
class Wave:
    event_id: str
    date: dt.date
    mechanism: str
    destination: str
    n_pp: int
    n_np: int
    to_lithuania: int | None
    to_ukraine: int | None
    without_documents: int | None
    women: int | None
    men: int | None
    treatment: str


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


def wave_plan(events: pl.DataFrame, end: dt.date = C.END) -> list[Wave]:
    waves = []
    for e in events.sort("date", "event_id").iter_rows(named=True):
        if e["date"] > end:
            continue
        released = e["released"]
        if e["event_id"] in C.WAVES_NOT_ON_LIST:
            n_pp, treatment = 0, "np rows: " + C.WAVES_NOT_ON_LIST[e["event_id"]]
        elif e["political_prisoners_released"] is not None:
            n_pp = e["political_prisoners_released"]
            treatment = f"{n_pp} from the list (as the source states), {released - n_pp} np rows"
        else:
            n_pp = released
            treatment = ("all from the list" if e["counts_toward_list"] == "true" else
                         "all from the list (counts_toward_list unknown; treated as political prisoners)")
        women, men = C.WAVE_GENDER.get(e["event_id"], (None, None))
        waves.append(Wave(e["event_id"], e["date"], e["mechanism"], e["destination"], n_pp, released - n_pp,
                          e["expelled_to_lithuania"], e["expelled_to_ukraine"], e["without_documents"],
                          women, men, treatment))
    return waves


def checkpoint_path(anchors: list[Anchor], waves: list[Wave], end: dt.date = C.END) -> tuple[list[dt.date], dict]:
    """Checkpoints (month-ends and figure dates) and the exact active count planned at each."""
    dates = set(month_ends(FIRST_MONTH, end)) | {a.date for a in anchors if FIRST_MONTH < a.date <= end}
    checkpoints = sorted(dates)
    by_date = {a.date: a for a in anchors}
    path = {}
    for c in checkpoints:
        if c in by_date:
            path[c] = _round(by_date[c].value)
            continue
        lin = target_value(anchors, c)
        before = [a for a in anchors if a.date < c]
        after = [a for a in anchors if a.date > c]
        if not before or not after:
            path[c] = _round(lin)
            continue
        a, b = before[-1], after[0]
        total = sum(w.n_pp for w in waves if a.date < w.date <= b.date)
        so_far = sum(w.n_pp for w in waves if a.date < w.date <= c)
        frac = (c - a.date).days / (b.date - a.date).days
        shaped = a.value + (b.value - a.value + total) * frac - so_far
        clip = C.WAVE_SHAPE_CLIP
        path[c] = _round(min(max(shaped, lin * (1 - clip)), lin * (1 + clip)))
    return checkpoints, path
