"""Public tables of how and when people leave custody: incidence by route at 6/12/24/36 months, the
curves for a chart, and the median time held, for every group, under every scenario.

Why one module builds all three: the table, the chart and the medians must say the same thing, so
they are read from the same fits (aalen_johansen on spells.spells joined to groups.memberships) with
the same suppression rule:

**Suppression.** An estimate at time t stands on every step taken up to t. It is blanked
(`suppressed`) when fewer than `small_count_threshold` people were at risk at t or at any event time
before t (`min_at_risk`), under any of the five scenarios, and from then on: a group's estimates stop
at the first time (0 or an event time) where that happens (GroupFits.shown_until), even if delayed
entries later refill the risk set. Without delayed entry the number at risk never rises, so this is
exactly "fewer than the threshold remain at risk at t"; with delayed entry it also blanks values
resting on an early step taken on a handful of people. A curve stops at that time ("no curve past the
point where fewer than the threshold remain at risk"), the table blanks every report time from it on,
and a median, or an end of its interval, that falls there is not reported: all three read the same rule.

**Scenarios** (spells.SCENARIOS) are reported side by side: `incidence` is the point rule;
`incidence_earliest` / `incidence_latest` put every exit at its earliest / latest possible day;
`incidence_entry_earliest` / `incidence_entry_latest` do the same for detention dates. The report can
show the range of every figure. Intervals are given for the point rule only.

**Median time held** (time by which half had left by any route): the first event time at which the
all-route incidence 1 - S(t) reaches 0.5, read off the same curve (where 1 - S is exactly 0.5 over a
stretch, the start of the stretch; R's survfit would take its middle). Its 95% interval inverts the
pointwise log(-log) interval of the all-route incidence (Brookmeyer & Crowley 1982, as R's survfit
does): from the first time the interval's upper end reaches 0.5 to the first time its lower end does.
"not reached" when the curve never reaches 0.5 within follow-up.

`at_risk` stays visible on a suppressed row (it says why the row is blank); the incidence, its
interval and the scenario values are blanked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.survival.estimator import CompetingRisksFit, aalen_johansen
from analysis.survival.groups import GROUP_KINDS, memberships
from analysis.survival.spells import DAYS_PER_MONTH, ROUTES, SCENARIOS, spells

REPORT_MONTHS = (6, 12, 24, 36)
ANY_ROUTE = "any_route"
SMALL_COUNT_THRESHOLD = 3
SCENARIO_COLUMNS = {"exit_earliest": "earliest", "exit_latest": "latest", "entry_earliest": "entry_earliest",
                    "entry_latest": "entry_latest"}
c = pl.col


@dataclass(frozen=True)
class GroupFits:
    """The fits of one group: one per scenario (a scenario with nobody in it is None)."""

    group_kind: str
    group_value: str
    group: str
    people: int
    fits: dict[str, CompetingRisksFit | None]

    @property
    def point(self) -> CompetingRisksFit | None:
        return self.fits.get("point")

    def shown_until(self, threshold: int) -> float:
        """The first time (0 or an event time of any scenario) at which the smallest risk set behind
        the estimate falls under `threshold`: every estimate from it on is suppressed (inf: none)."""
        times = np.unique(np.concatenate([[0.0], *[f.times for f in self.fits.values() if f is not None]]))
        hidden = times[self.min_at_risk(times) < threshold]
        return float(hidden[0]) if hidden.size else float("inf")

    def shown(self, days: np.ndarray, threshold: int) -> np.ndarray:
        """Whether the estimates at these times may be shown: before the first suppressed time, and
        with at least `threshold` at risk behind them."""
        days = np.asarray(days, dtype=float)
        return (days < self.shown_until(threshold)) & (self.min_at_risk(days) >= threshold)

    def min_at_risk(self, days: np.ndarray) -> np.ndarray:
        """Smallest risk set behind the estimate at each time, over all scenarios (0 if a scenario is empty)."""
        out = np.full(np.shape(days), np.iinfo(np.int64).max, dtype=np.int64)
        for fit in self.fits.values():
            out = np.minimum(out, fit.min_at_risk_until(days) if fit is not None else 0)
        return out


def fit_groups(custody: pl.DataFrame, snapshot: dt.date, *, start: dt.date | None = None, end: dt.date | None = None,
               kinds: tuple[str, ...] = GROUP_KINDS, charges: pl.DataFrame | None = None,
               article_groups: dict[str, str] | None = None,
               scenarios: tuple[str, ...] = SCENARIOS) -> list[GroupFits]:
    """Every group's fits, in group order. One vectorised fit per (group, scenario); no loop per person."""
    if "point" not in scenarios:
        raise ValueError("the point scenario is always needed")
    data = spells(custody, snapshot, start=start, end=end, scenarios=scenarios)
    members = memberships(custody, kinds, charges=charges, article_groups=article_groups)
    joined = members.join(data, on="person_key", how="inner")
    parts = joined.partition_by(["group", "scenario"], as_dict=True, maintain_order=True)
    labels = members.select("group_kind", "group_value", "group").unique(maintain_order=True)
    sizes = dict(members.group_by("group").len().iter_rows())
    out = []
    for kind, value, label in labels.iter_rows():
        fits = {}
        for scenario in scenarios:
            part = parts.get((label, scenario))
            fits[scenario] = None if part is None or part.height == 0 else aalen_johansen(
                part["days"].to_numpy(), part["route"].to_numpy(), part["entry_days"].to_numpy(), len(ROUTES))
        out.append(GroupFits(kind, value, label, int(sizes.get(label, 0)), fits))
    return out


def _route(values: dict[str, np.ndarray], key: str, r: int) -> np.ndarray:
    """Column r of an estimate (r = len(ROUTES) is the any-route incidence, 1 - S)."""
    return values["any_" + key] if r == len(ROUTES) else values[key][:, r]


def _at(fit: CompetingRisksFit | None, days: np.ndarray) -> dict[str, np.ndarray]:
    if fit is None:
        k = len(ROUTES)
        zeros = np.zeros((days.size, k))
        return {"incidence": zeros, "lower": zeros, "upper": zeros, "any_incidence": np.zeros(days.size),
                "any_lower": np.zeros(days.size), "any_upper": np.zeros(days.size),
                "at_risk": np.zeros(days.size, dtype=np.int64)}
    return fit.value_at(days)


def release_incidence_table(custody: pl.DataFrame, snapshot: dt.date, *, start: dt.date | None = None,
                            end: dt.date | None = None, kinds: tuple[str, ...] = GROUP_KINDS,
                            charges: pl.DataFrame | None = None, article_groups: dict[str, str] | None = None,
                            months: tuple[float, ...] = REPORT_MONTHS, small_count_threshold: int = SMALL_COUNT_THRESHOLD,
                            synthetic: bool = False, fits: list[GroupFits] | None = None) -> pl.DataFrame:
    """Cumulative incidence of leaving custody by each route (and by any route) at `months` months
    held, for every group: one row per (group, route, months). See the module docstring.

    start: a question from this calendar date (delayed entry, spells module); end: follow-up stops
    here (default: the copy's date). Article groups need `charges` and `article_groups`; without them
    the other groups are built and article groups left out. `fits` reuses fit_groups' output."""
    if "article_group" in kinds and (charges is None or article_groups is None) and fits is None:
        kinds = tuple(k for k in kinds if k != "article_group")
    fits = fits if fits is not None else fit_groups(custody, snapshot, start=start, end=end, kinds=kinds,
                                                    charges=charges, article_groups=article_groups)
    at_days = np.asarray(months, dtype=float) * DAYS_PER_MONTH
    frames = []
    for g in fits:
        point = _at(g.point, at_days)
        others = {s: _at(g.fits.get(s), at_days) for s in SCENARIO_COLUMNS}
        min_risk = g.min_at_risk(at_days)
        hidden = ~g.shown(at_days, small_count_threshold)
        for r, route in enumerate((*ROUTES, ANY_ROUTE)):
            frames.append(pl.DataFrame({
                "group_kind": g.group_kind, "group_value": g.group_value, "group": g.group, "route": route,
                "months": np.asarray(months, dtype=float), "incidence": _route(point, "incidence", r),
                "lower": _route(point, "lower", r), "upper": _route(point, "upper", r), "at_risk": point["at_risk"],
                "min_at_risk": min_risk, "people": g.people, "suppressed": hidden,
                **{f"incidence_{name}": _route(others[s], "incidence", r) for s, name in SCENARIO_COLUMNS.items()},
            }))
    schema: Any = {"group_kind": pl.String, "group_value": pl.String, "group": pl.String,
              "route": pl.String, "months": pl.Float64, "incidence": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
              "at_risk": pl.Int64, "min_at_risk": pl.Int64, "people": pl.Int64, "suppressed": pl.Boolean,
              **{f"incidence_{name}": pl.Float64 for name in SCENARIO_COLUMNS.values()}}
    table = pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)
    blank = ["incidence", "lower", "upper", *[f"incidence_{n}" for n in SCENARIO_COLUMNS.values()]]
    return table.with_columns(
        *[pl.when(c("suppressed")).then(None).otherwise(c(name)).alias(name) for name in blank],
        pl.lit(start, dtype=pl.Date).alias("start"), pl.lit(end or snapshot, dtype=pl.Date).alias("end"),
        pl.lit(synthetic).alias("synthetic"))


def release_incidence_curves(custody: pl.DataFrame, snapshot: dt.date, *, start: dt.date | None = None,
                             end: dt.date | None = None, kinds: tuple[str, ...] = ("overall", "detention_year"),
                             charges: pl.DataFrame | None = None, article_groups: dict[str, str] | None = None,
                             small_count_threshold: int = SMALL_COUNT_THRESHOLD, synthetic: bool = False,
                             scenarios: tuple[str, ...] = ("point",), fits: list[GroupFits] | None = None) -> pl.DataFrame:
    """Curves for a chart: every event time (and 0), per route and any route, per group (by default
    overall and one panel per detention year), per scenario (by default the point rule; pass
    spells.SCENARIOS to draw the extremes too). A curve stops before the first time its estimate would
    be suppressed (module docstring), so nothing past that point is drawn. Intervals are the point
    rule's; a scenario's curve has none (lower/upper null)."""
    fits = fits if fits is not None else fit_groups(custody, snapshot, start=start, end=end, kinds=kinds,
                                                    charges=charges, article_groups=article_groups)
    frames = []
    for g in fits:
        for scenario in scenarios:
            fit = g.fits.get(scenario)
            if fit is None:
                continue
            starts_at_zero = fit.times.size == 0 or fit.times[0] > 0
            t = np.concatenate(([0.0], fit.times)) if starts_at_zero else fit.times
            t = t[g.shown(t, small_count_threshold)]   # stops at the first suppressed time
            values = fit.value_at(t)
            for r, route in enumerate((*ROUTES, ANY_ROUTE)):
                point = scenario == "point"
                frames.append(pl.DataFrame({
                    "group_kind": g.group_kind, "group_value": g.group_value, "group": g.group, "scenario": scenario,
                    "route": route, "months": t / DAYS_PER_MONTH, "incidence": _route(values, "incidence", r),
                    "lower": _route(values, "lower", r) if point else None,
                    "upper": _route(values, "upper", r) if point else None,
                    "at_risk": values["at_risk"]}))
    schema: Any = {"group_kind": pl.String, "group_value": pl.String, "group": pl.String, "scenario": pl.String,
                   "route": pl.String, "months": pl.Float64, "incidence": pl.Float64, "lower": pl.Float64,
                   "upper": pl.Float64, "at_risk": pl.Int64}
    curves = pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)
    return curves.with_columns(pl.lit(synthetic).alias("synthetic"))


def _first_reaching(values: np.ndarray, times: np.ndarray, shown: np.ndarray) -> tuple[float | None, str]:
    """The first event time where values >= 0.5, if it lies on the shown part of the curve."""
    hits = np.flatnonzero(values >= 0.5)
    if hits.size == 0:
        return None, "not reached"
    if not shown[: hits[0] + 1].all():
        return None, "suppressed"
    return float(times[hits[0]] / DAYS_PER_MONTH), "reached"


def release_medians(custody: pl.DataFrame, snapshot: dt.date, *, start: dt.date | None = None,
                    end: dt.date | None = None, kinds: tuple[str, ...] = GROUP_KINDS,
                    charges: pl.DataFrame | None = None, article_groups: dict[str, str] | None = None,
                    small_count_threshold: int = SMALL_COUNT_THRESHOLD, synthetic: bool = False,
                    fits: list[GroupFits] | None = None) -> pl.DataFrame:
    """Median months held before leaving by any route, with its 95% interval, per group; the scenario
    medians beside it (module docstring). `median_status` is reached, not reached or suppressed."""
    if "article_group" in kinds and (charges is None or article_groups is None) and fits is None:
        kinds = tuple(k for k in kinds if k != "article_group")
    fits = fits if fits is not None else fit_groups(custody, snapshot, start=start, end=end, kinds=kinds,
                                                    charges=charges, article_groups=article_groups)
    rows = []
    for g in fits:
        row = {"group_kind": g.group_kind, "group_value": g.group_value, "group": g.group, "people": g.people}
        fit = g.point
        if fit is None:
            rows.append(row | {"median_status": "not reached"})
            continue
        shown = g.shown(fit.times, small_count_threshold)
        row["median_months"], row["median_status"] = _first_reaching(fit.any_incidence, fit.times, shown)
        row["median_lower"], _ = _first_reaching(fit.any_upper, fit.times, shown)
        row["median_upper"], _ = _first_reaching(fit.any_lower, fit.times, shown)
        for scenario, name in SCENARIO_COLUMNS.items():
            other = g.fits.get(scenario)
            if other is not None:
                row[f"median_{name}"], _ = _first_reaching(other.any_incidence, other.times,
                                                           g.shown(other.times, small_count_threshold))
        rows.append(row)
    schema = {"group_kind": pl.String, "group_value": pl.String, "group": pl.String, "people": pl.Int64,
              "median_months": pl.Float64, "median_lower": pl.Float64, "median_upper": pl.Float64,
              "median_status": pl.String, **{f"median_{n}": pl.Float64 for n in SCENARIO_COLUMNS.values()}}
    return pl.DataFrame(rows, schema=schema).with_columns(pl.lit(synthetic).alias("synthetic"))
