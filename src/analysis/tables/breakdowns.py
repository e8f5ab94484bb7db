"""The period's breakdowns: who is held at its end (composition), how long the released had served
(time served), deaths in custody, and the release waves with our release records beside them.

A breakdown cell of one or two people could single someone out: such cells are suppressed
(analysis.tables.disclosure), and so is the median time served of fewer people than the threshold.
"""

from __future__ import annotations

import polars as pl

from analysis.core import decisions, schema
from analysis.core.paths import ProjectPaths
from analysis.tables.custody import DAYS_PER_MONTH
from analysis.tables.disclosure import suppress_small_counts
from analysis.tables.inputs import PeriodInputs
from analysis.tables.stock_flows import age_on, between, held_people

AGE_BANDS = ((0, 30, "under 30"), (30, 45, "30-44"), (45, 60, "45-59"), (60, 200, "60 and over"))
TIME_HELD_BANDS = ((0, 12, "under 1 year"), (12, 24, "1-2 years"), (24, 36, "2-3 years"), (36, 60, "3-5 years"),
                   (60, 10_000, "5 years and over"))


def _band(value: pl.Expr, bands) -> pl.Expr:
    expr = pl.when(value.is_null()).then(pl.lit("unknown"))
    for low, high, label in bands:
        expr = expr.when((value >= low) & (value < high)).then(pl.lit(label))
    return expr.otherwise(pl.lit("unknown"))


def article_groups(paths: ProjectPaths | None = None) -> dict[str, str]:
    """Article -> group label, from decisions/article_groups.yaml (a human decision, kept as data)."""
    return decisions.article_groups(paths)


def composition_table(inputs: PeriodInputs) -> pl.DataFrame:
    day = inputs.period.end
    held = held_people(inputs, day).with_columns(
        _band(age_on(day), AGE_BANDS).alias("age_band"),
        _band((pl.lit(day) - pl.col("entry")).dt.total_days() / DAYS_PER_MONTH, TIME_HELD_BANDS).alias("time_held"),
        pl.col("gender").fill_null("unknown"),
        pl.col("penalty_regime").fill_null("no verdict yet"),
        pl.col("facility_type").fill_null("unknown"),
    )
    total = held.height
    parts = [held.group_by(pl.col(d).alias("category")).len().with_columns(pl.lit(d).alias("dimension"))
             for d in ("gender", "age_band", "penalty_regime", "facility_type", "time_held")]
    groups = inputs.article_groups
    charged = (inputs.charges.filter(pl.col("person_key").is_in(held["person_key"].implode()))
               .with_columns(pl.col("article").replace_strict(groups, default="Other articles").alias("category"))
               .unique(["person_key", "category"]))
    parts.append(charged.group_by("category").len().with_columns(pl.lit("article_group").alias("dimension")))
    frame = pl.concat([p.select("dimension", "category", "len") for p in parts])
    counted = (frame.rename({"len": "persons"})
               .with_columns(pl.lit(inputs.period.label).alias("period"), pl.lit(day).alias("as_of"),
                             (pl.col("persons") / total if total else pl.lit(0.0)).alias("share"),
                             pl.lit(inputs.synthetic).alias("synthetic"))
               .sort("dimension", "persons", "category", descending=[False, True, False]))
    # A category of one or two people could single someone out (the one woman over 70 in a colony).
    return (suppress_small_counts(counted, "persons", "dimension", inputs.policy.small_count_threshold, hide=("share",))
            .select(list(schema.COMPOSITION)).cast(schema.COMPOSITION))


def time_served_table(inputs: PeriodInputs) -> pl.DataFrame:
    period = inputs.period
    # Only releases with a date from the copy or a release record: a time served from a placed date
    # would be the point rule's guess, not a measurement.
    released = inputs.timeline.filter(pl.col("placed") & pl.col("exit_rule").is_in(["release_date", "release_record"])
                                      & (pl.col("exit") <= period.end)).with_columns(
        ((pl.col("exit") - pl.col("entry")).dt.total_days() / DAYS_PER_MONTH).alias("months"))
    rows = []
    for scope, frame in (("period", released.filter(pl.col("exit") >= period.start)), ("to_date", released)):
        for mechanism in (m for m in schema.EXIT_MECHANISMS if m != "death_in_custody"):
            months = frame.filter(pl.col("exit_mechanism") == mechanism)["months"]
            # The median time served of one or two people is their own time served.
            few = 0 < months.len() < inputs.policy.small_count_threshold
            shown = months.clear() if few else months
            rows.append({"period": period.label, "scope": scope, "mechanism": mechanism, "persons": months.len(),
                         "median_months": _rounded(shown.median()), "p25_months": _rounded(shown.quantile(0.25)),
                         "p75_months": _rounded(shown.quantile(0.75)), "mean_months": _rounded(shown.mean()),
                         "suppressed": few, "synthetic": inputs.synthetic})
    return pl.DataFrame(rows, schema=schema.TIME_SERVED)


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 2)


def deaths_table(inputs: PeriodInputs) -> pl.DataFrame:
    deaths = (inputs.timeline.filter((pl.col("exit_rule") == "death_date") & (pl.col("exit") <= inputs.period.end))
              .select(pl.col("exit").alias("date")).sort("date"))
    return deaths.with_columns(
        pl.lit(inputs.period.label).alias("period"),
        pl.int_range(1, deaths.height + 1, dtype=pl.Int64).alias("cumulative"),
        pl.col("date").is_between(inputs.period.start, inputs.period.end).alias("in_period"),
        pl.lit(inputs.synthetic).alias("synthetic"),
    ).select(list(schema.DEATHS)).cast(schema.DEATHS)


def releases_table(inputs: PeriodInputs) -> pl.DataFrame:
    period = inputs.period
    events = inputs.release_events.filter(between("date", period.start, period.end))
    ours = (inputs.release_records.filter(pl.col("event_id").is_not_null())
            .group_by("event_id").agg(
                pl.len().cast(pl.Int64).alias("our_released"),
                (pl.col("destination") == "lithuania").sum().cast(pl.Int64).alias("our_to_lithuania"),
                (pl.col("destination") == "ukraine").sum().cast(pl.Int64).alias("our_to_ukraine"),
                (pl.col("documents_withheld") == "true").sum().cast(pl.Int64).alias("our_documents_withheld")))
    return (events.join(ours, on="event_id", how="left")
            .with_columns(pl.lit(period.label).alias("period"),
                          pl.col("source_figure_ids").list.join(";"),
                          *[pl.col(c).fill_null(0) for c in ("our_released", "our_to_lithuania", "our_to_ukraine",
                                                            "our_documents_withheld")],
                          pl.lit(inputs.synthetic).alias("synthetic"))
            .select(list(schema.RELEASES)).cast(schema.RELEASES).sort("date", "event_id"))
