"""Who is in which group: overall, detention year, gender, age band at detention, article group.

Why a membership table (person_key, group_kind, group_value) rather than a column per grouping: a
person charged under articles of several groups counts in each of them (as in the composition
table), so groups are not a partition; one long table lets every grouping be estimated the same way.

* overall: everyone.
* detention_year: the year of the point detention date (custody's `entry`).
* gender: as the copy gives it; missing is "unknown".
* age_band: the composition table's bands (tables.breakdowns.AGE_BANDS: under 30, 30-44, 45-59,
  60 and over), of the age at detention, in whole years from the middle of the birth-date range
  ((entry - middle) / 365.25 days, rounded down, as the composition table's age on a day); no
  birth date is "unknown".
* article_group: from the charges table (person_key, article) and an article -> group mapping passed
  in (tables.breakdowns.article_groups() reads the project's); an article the mapping does not list is
  "Other articles", as in the composition table. A person with no charge listed is in no article group.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from analysis.tables.breakdowns import AGE_BANDS

GROUP_KINDS = ("overall", "detention_year", "gender", "age_band", "article_group")
OTHER_ARTICLES = "Other articles"
c = pl.col


def _age_band(age: pl.Expr) -> pl.Expr:
    expr: Any = pl.when(age.is_null()).then(pl.lit("unknown"))
    for low, high, label in AGE_BANDS:
        expr = expr.when((age >= low) & (age < high)).then(pl.lit(label))
    return expr.otherwise(pl.lit("unknown"))


def age_at_detention() -> pl.Expr:
    """Whole years from the middle of the birth-date range to the point detention date."""
    middle = c("birth_date_from") + (c("birth_date_to") - c("birth_date_from")) / 2
    return ((c("entry") - middle).dt.total_days() / 365.25).floor()


def group_label(kind: pl.Expr, value: pl.Expr) -> pl.Expr:
    """"overall", or "kind=value" (e.g. "detention_year=2021", "gender=female")."""
    return pl.when(kind == "overall").then(pl.lit("overall")).otherwise(pl.concat_str([kind, pl.lit("="), value]))


def memberships(custody: pl.DataFrame, kinds: tuple[str, ...] = GROUP_KINDS, *, charges: pl.DataFrame | None = None,
                article_groups: dict[str, str] | None = None) -> pl.DataFrame:
    """person_key, group_kind, group_value, group: one row per person and group the person is in."""
    unknown = set(kinds) - set(GROUP_KINDS)
    if unknown:
        raise ValueError(f"unknown group kinds {sorted(unknown)}; one of {GROUP_KINDS}")
    people = custody.filter(c("placed").fill_null(False) & c("entry").is_not_null())
    parts = []
    simple = {"overall": pl.lit("all"), "detention_year": c("entry").dt.year().cast(pl.String),
              "gender": c("gender").fill_null("unknown"), "age_band": _age_band(age_at_detention())}
    for kind in kinds:
        if kind in simple:
            parts.append(people.select("person_key", pl.lit(kind).alias("group_kind"),
                                       simple[kind].alias("group_value")))
    if "article_group" in kinds:
        if charges is None or article_groups is None:
            raise ValueError("article groups need the charges table and the article -> group mapping")
        mapping = {str(k): v for k, v in article_groups.items()}
        parts.append(charges.filter(c("person_key").is_in(people["person_key"].implode()) & c("article").is_not_null())
                     .select("person_key", pl.lit("article_group").alias("group_kind"),
                             c("article").cast(pl.String).replace_strict(mapping, default=OTHER_ARTICLES,
                                                                        return_dtype=pl.String).alias("group_value"))
                     .unique())
    frame = pl.concat(parts) if parts else pl.DataFrame(
        schema={"person_key": pl.String, "group_kind": pl.String, "group_value": pl.String})
    order = {k: i for i, k in enumerate(GROUP_KINDS)}
    return (frame.with_columns(group_label(c("group_kind"), c("group_value")).alias("group"),
                               c("group_kind").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
            .sort("_order", "group_value", "person_key").drop("_order"))
