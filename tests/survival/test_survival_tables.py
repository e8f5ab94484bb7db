"""The public builders: the incidence table, the chart curves and the medians, their suppression, and
the checks a quality gate runs on them (which must pass on real output and fail on mangled output)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from analysis.survival import checks
from analysis.survival.spells import ROUTES, SCENARIOS
from analysis.survival.tables import (
    ANY_ROUTE,
    REPORT_MONTHS,
    fit_groups,
    release_incidence_curves,
    release_incidence_table,
    release_medians,
)

from .helpers import D, random_custody

SNAP = D(2026, 2, 28)
GROUPS = {"293": "Mass riots", "342": "Mass riots", "130": "Incitement"}


@pytest.fixture(scope="module")
def custody() -> pl.DataFrame:
    return random_custody(900, seed=3, copy=SNAP)


@pytest.fixture(scope="module")
def charges(custody) -> pl.DataFrame:
    keys = custody["person_key"].to_list()
    rng = np.random.default_rng(5)
    articles = rng.choice(["293", "342", "130", "999"], len(keys))
    extra = rng.random(len(keys)) < 0.3
    return pl.DataFrame({"person_key": keys + [k for k, e in zip(keys, extra) if e],
                         "article": list(articles) + ["130"] * int(extra.sum())})


@pytest.fixture(scope="module")
def outputs(custody, charges):
    fits = fit_groups(custody, SNAP, charges=charges, article_groups=GROUPS)
    table = release_incidence_table(custody, SNAP, fits=fits, synthetic=True)
    curves = release_incidence_curves(custody, SNAP, synthetic=True,
                                      fits=[f for f in fits if f.group_kind in ("overall", "detention_year")])
    medians = release_medians(custody, SNAP, fits=fits, synthetic=True)
    return fits, table, curves, medians


def test_the_table_has_every_group_route_and_time(outputs):
    _, table, _, _ = outputs
    for column in ("group_kind", "group", "route", "months", "incidence", "lower", "upper", "at_risk", "suppressed",
                   "incidence_earliest", "incidence_latest", "incidence_entry_earliest", "incidence_entry_latest",
                   "synthetic"):
        assert column in table.columns
    assert set(table["route"]) == {*ROUTES, ANY_ROUTE}
    assert sorted(set(table["months"])) == list(REPORT_MONTHS)
    assert {"overall", "detention_year=2021", "gender=female", "age_band=30-44", "article_group=Mass riots",
            "article_group=Incitement", "article_group=Other articles"} <= set(table["group"])
    assert table["synthetic"].all()
    shown = table.filter(~pl.col("suppressed"))
    assert (shown["lower"] <= shown["incidence"]).all() and (shown["incidence"] <= shown["upper"]).all()
    assert shown["lower"].min() >= 0 and shown["upper"].max() <= 1


def test_a_person_in_several_article_groups_counts_in_each(outputs, charges):
    fits, _, _, _ = outputs
    people = {f.group: f.people for f in fits}
    in_incitement = charges.filter(pl.col("article") == "130")["person_key"].n_unique()
    assert people["article_group=Incitement"] == in_incitement
    assert sum(v for k, v in people.items() if k.startswith("article_group=")) > people["overall"]


def test_the_checks_pass_on_real_output(outputs):
    fits, table, curves, medians = outputs
    assert checks.routes_sum_to_at_most_one(table) and checks.routes_sum_to_at_most_one(curves)
    assert checks.incidence_non_decreasing(table) and checks.incidence_non_decreasing(curves)
    assert checks.rising_at_risk(table).height == 0 and checks.rising_at_risk(curves).height == 0   # no delayed entry
    assert all(checks.at_risk_consistent(fit) for g in fits for fit in g.fits.values() if fit is not None)
    assert checks.medians_agree(medians, curves, table)
    assert checks.table_curve_disagreements(table, curves).height == 0
    assert (medians["median_status"] == "reached").sum() >= 1


def test_the_routes_add_up_to_the_any_route_incidence(outputs):
    _, table, _, _ = outputs
    shown = table.filter(~pl.col("suppressed"))
    total = (shown.filter(pl.col("route") != ANY_ROUTE).group_by("group", "months").agg(pl.col("incidence").sum())
             .join(shown.filter(pl.col("route") == ANY_ROUTE).select("group", "months", pl.col("incidence").alias("any")),
                   on=["group", "months"]))
    assert (total["incidence"] - total["any"]).abs().max() < 1e-12


def test_the_checks_fail_on_mangled_output(outputs):
    _, table, curves, medians = outputs
    row = (pl.col("group") == "overall") & (pl.col("months") == 24.0) & (pl.col("route") == "pardon")
    too_much = table.with_columns(pl.when(row).then(pl.lit(0.99)).otherwise(pl.col("incidence")).alias("incidence"))
    assert not checks.routes_sum_to_at_most_one(too_much)
    falling = table.with_columns(pl.when(row).then(pl.lit(0.0)).otherwise(pl.col("incidence")).alias("incidence"))
    assert not checks.incidence_non_decreasing(falling)
    rising = table.with_columns(pl.when(row).then(pl.lit(10**6)).otherwise(pl.col("at_risk")).alias("at_risk"))
    assert checks.rising_at_risk(rising).height >= 1
    wrong = medians.with_columns(pl.when(pl.col("group") == "overall").then(pl.col("median_months") + 1.0)
                                 .otherwise(pl.col("median_months")).alias("median_months"))
    assert checks.median_disagreements(wrong, curves, table)["group"].to_list().count("overall") >= 1
    off = table.with_columns(pl.when(row).then(pl.col("incidence") + 0.01).otherwise(pl.col("incidence")).alias("incidence"))
    assert checks.table_curve_disagreements(off, curves).rows() != []


def test_curves_of_every_scenario_for_a_chart(custody):
    curves = release_incidence_curves(custody, SNAP, kinds=("overall",), scenarios=SCENARIOS)
    assert set(curves["scenario"]) == set(SCENARIOS)
    assert curves.filter(pl.col("scenario") != "point")["lower"].null_count() == curves.filter(
        pl.col("scenario") != "point").height
    assert checks.routes_sum_to_at_most_one(curves) and checks.incidence_non_decreasing(curves)


def test_small_groups_are_suppressed_and_curves_stop_where_few_remain(custody):
    # Three women: with threshold 3 their estimates show only while all three are at risk.
    women = custody.filter(pl.col("gender") == "female").head(3)
    small = pl.concat([custody.filter(pl.col("gender") == "male"), women])
    table = release_incidence_table(small, SNAP, kinds=("gender",), small_count_threshold=3)
    female = table.filter(pl.col("group") == "gender=female")
    assert (female["suppressed"] == (female["min_at_risk"] < 3)).all()
    assert female.filter(pl.col("suppressed"))["incidence"].null_count() == female["suppressed"].sum()
    assert female["suppressed"].any()
    curves = release_incidence_curves(small, SNAP, kinds=("gender",), small_count_threshold=3)
    shown = curves.filter(pl.col("group") == "gender=female")
    assert shown.height == 0 or shown["at_risk"].min() >= 3
    male = curves.filter((pl.col("group") == "gender=male") & (pl.col("route") == ANY_ROUTE))
    assert male["months"][0] == 0.0 and male["incidence"][0] == 0.0
    assert male["at_risk"].min() >= 3
    # The male curve stops before the first event time with fewer than 3 at risk, nowhere earlier.
    fit = fit_groups(small, SNAP, kinds=("gender",))[1]
    assert fit.group == "gender=male"
    hidden = fit.point.times[fit.min_at_risk(fit.point.times) < 3]
    assert male["months"].max() * 30.4375 < (hidden.min() if hidden.size else np.inf)


def test_scenarios_agree_when_every_date_is_exact_and_differ_when_exits_are_undated():
    exact = random_custody(400, seed=8, copy=SNAP, undated_share=0.0)
    table = release_incidence_table(exact, SNAP, kinds=("overall",)).filter(~pl.col("suppressed"))
    for name in ("earliest", "latest", "entry_earliest", "entry_latest"):
        assert (table[f"incidence_{name}"] - table["incidence"]).abs().max() < 1e-15
    vague = random_custody(400, seed=8, copy=SNAP, undated_share=0.5)
    table = release_incidence_table(vague, SNAP, kinds=("overall",)).filter(
        (pl.col("route") == ANY_ROUTE) & ~pl.col("suppressed"))
    # Undated exits at the day of detention: more have left by 6 months; at the copy's date: fewer.
    six = table.filter(pl.col("months") == 6.0).row(0, named=True)
    assert six["incidence_earliest"] > six["incidence"] > six["incidence_latest"]
    # The extremes are scenarios, not an envelope (spells module): here, moving half the exits to the
    # day of detention leaves a smaller all-route incidence at 36 months than the point rule: under the
    # point rule those exits come after some people were censored and carry the weight the censored
    # pass on to later exits (Efron's redistribution to the right); at time 0 nobody has been censored.
    late = table.filter(pl.col("months") == 36.0).row(0, named=True)
    assert late["incidence_earliest"] < late["incidence"]


def test_a_question_from_a_calendar_date_uses_delayed_entry(custody):
    start = dt.date(2024, 1, 1)
    fits = fit_groups(custody, SNAP, start=start, kinds=("overall",))
    fit = fits[0].point
    assert fit.delayed and checks.at_risk_consistent(fit)
    assert (np.diff(fit.at_risk) > 0).any()   # people already held join the risk set at their time served
    table = release_incidence_table(custody, SNAP, start=start, kinds=("overall",), fits=fits)
    assert table["start"].unique().to_list() == [start]
    assert checks.routes_sum_to_at_most_one(table) and checks.incidence_non_decreasing(table)
    medians = release_medians(custody, SNAP, fits=fits)
    curves = release_incidence_curves(custody, SNAP, fits=fits)
    assert checks.medians_agree(medians, curves, table)
    assert checks.table_curve_disagreements(table, curves).height == 0


def test_with_delayed_entry_the_table_and_the_curve_stop_at_the_same_time(custody):
    # A question from a recent date: at first only the few detained since are at risk, so with a high
    # threshold the group's estimates stop early, and stay stopped when people already held join later.
    start = dt.date(2026, 1, 1)
    fits = fit_groups(custody, SNAP, start=start, kinds=("overall",))
    g = fits[0]
    threshold = 20
    stop = g.shown_until(threshold)
    assert stop < np.inf
    table = release_incidence_table(custody, SNAP, start=start, kinds=("overall",), fits=fits,
                                    small_count_threshold=threshold)
    curves = release_incidence_curves(custody, SNAP, start=start, fits=fits, small_count_threshold=threshold)
    assert (table["suppressed"] == (table["months"] * 30.4375 >= stop) | (table["min_at_risk"] < threshold)).all()
    assert curves.height == 0 or curves["months"].max() * 30.4375 < stop
    assert checks.table_curve_disagreements(table, curves).height == 0
