"""What the public tables may show of a person: the privacy policy, small-count suppression, and who
may be named.

Restricted: everything person-level (data/processed/ingest/restricted): names, birth dates, record
ids, URL slugs, free text. Public: everything under reports/. The rules are human decisions kept as
data (analysis.core.decisions):

    decisions/privacy_policy.yaml     small_count_threshold, with its reason
    decisions/withheld_records.csv    record ids whose identity must never be published, each with a reason

A person is *named* in a report only when their release record says identity_publishable = true,
their id is not on the withheld list, and no one else in the data has the same name (a shared name
could be read as the other person's). Everyone else's identity stays restricted; the scan every
publication passes is analysis.publish.leakscan.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from analysis.core.decisions import PRIVACY_POLICY, WITHHELD_RECORDS, small_count_threshold
from analysis.core.errors import InputError
from analysis.core.paths import ProjectPaths
from analysis.core.textfold import name_form
from analysis.ingest.csvfile import read_records

DEFAULT_THRESHOLD = 3
FREE_TEXT_COLUMNS = ("description", "declaration", "clusters", "photo")


# ------------------------------------------------------------------ the policy


@dataclass(frozen=True)
class PrivacyPolicy:
    small_count_threshold: int = DEFAULT_THRESHOLD
    withheld_ids: frozenset[int] = frozenset()


def policy_files(paths: ProjectPaths) -> list[Path]:
    return [p for p in (paths.decisions / PRIVACY_POLICY, withheld_file(paths)) if p.exists()]


def withheld_file(paths: ProjectPaths) -> Path:
    return paths.decisions / WITHHELD_RECORDS


def load_policy(paths: ProjectPaths) -> PrivacyPolicy:
    return PrivacyPolicy(small_count_threshold(paths), _withheld_ids(withheld_file(paths)))


def _withheld_ids(path: Path) -> frozenset[int]:
    if not os.path.lexists(path):
        return frozenset()
    index, rows = read_records(path, ("record_id", "reason"))
    ids = set()
    for row_number, fields in rows:
        text, reason = fields[index["record_id"]].strip(), fields[index["reason"]].strip()
        if not re.fullmatch(r"[0-9]{1,12}", text):
            raise InputError(path, f"record_id {text!r} is not a positive integer", row=row_number,
                             field="record_id", fix="write the registry's numeric record id")
        if not reason:
            raise InputError(path, f"record {text} has no reason", row=row_number, field="reason",
                             fix="say why the identity is withheld (e.g. 'asked by the family')")
        ids.add(int(text))
    return frozenset(ids)


# ------------------------------------------------------------------ small counts


def suppress_small_counts(frame: pl.DataFrame, count: str, group: str, threshold: int,
                          hide: tuple[str, ...] = ()) -> pl.DataFrame:
    """Blank the count (and `hide` columns) of every cell under `threshold` persons, and mark it `suppressed`.

    Within a group (e.g. one dimension of the composition table) whose total is published elsewhere,
    a single blanked cell could be worked out by subtraction, so the next smallest cell is blanked
    with it (secondary suppression). Zero cells are not listed at all, so they need no suppression.
    """
    primary = pl.col(count).is_not_null() & (pl.col(count) > 0) & (pl.col(count) < threshold)
    marked = frame.with_columns(primary.alias("_primary"))
    rank = pl.col(count).rank("ordinal").over(group)
    smallest_other = (~pl.col("_primary")) & (rank == rank.filter(~pl.col("_primary")).min().over(group))
    lonely = pl.col("_primary").sum().over(group) == 1
    suppressed = pl.col("_primary") | (lonely & smallest_other)
    marked = marked.with_columns(suppressed.fill_null(False).alias("suppressed"))
    blank = {c: pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in (count, *hide)}
    return marked.with_columns(**blank).drop("_primary")


# ------------------------------------------------------------------ who may be named


def named_releases(persons: pl.DataFrame, release_records: pl.DataFrame, policy: PrivacyPolicy,
                   start: dt.date, end: dt.date, owners: dict[str, frozenset]) -> pl.DataFrame:
    """People released between start and end whom the records allow to be named (see module docstring).

    `persons` is the period's reference copy; `owners` maps each folded name in every ingested copy
    to the record ids bearing it (`name_owners`): a named person must be the only one.
    """
    consent = release_records.filter(
        pl.col("identity_publishable").fill_null(False) & pl.col("release_date").is_between(start, end)
        & ~pl.col("record_id").is_in(list(policy.withheld_ids)))
    named = (persons.filter(pl.col("record_id").is_not_null())
             .join(consent.select("record_id", "release_date", "mechanism", "destination"), on="record_id")
             .filter(registry_agrees_with_release())   # fail closed: the copy must say so too
             .select("record_id", "name_raw", "release_date", "mechanism", "destination"))
    own = [bool(key) and owners.get(key, frozenset()) <= {record_id}
           for key, record_id in zip(map(name_fold, named["name_raw"]), named["record_id"])]
    return (named.filter(pl.Series(own, dtype=pl.Boolean))
            .select("name_raw", "release_date", "mechanism", "destination").sort("release_date", "name_raw"))


def registry_agrees_with_release(record_date: str = "release_date") -> pl.Expr:
    """Over persons joined with their release record: the copy does not list the person as held (`former`,
    or `np`: convicted in a political case, not recognised, and released too), not as dead in custody,
    and its release date, if it gives one, allows the record's date."""
    dated = pl.col("release_date_from").is_not_null()
    same_day = (pl.col(record_date) >= pl.col("release_date_from")) & (pl.col(record_date) <= pl.col("release_date_to"))
    return ((pl.col("status") != "active") & ~pl.col("died_in_custody").fill_null(False)
            & (~dated | same_day)).fill_null(False)


def check_withheld_ids(paths: ProjectPaths) -> None:
    """Every id on the withheld list must be in some copy of the list: a typo would leave the person it
    was meant to protect unprotected, so an unknown id stops the run."""
    path = withheld_file(paths)
    if not os.path.lexists(path):
        return
    known = set(all_persons(paths)["record_id"].drop_nulls().to_list())
    index, rows = read_records(path, ("record_id", "reason"))
    for row_number, fields in rows:
        text = fields[index["record_id"]].strip()
        if int(text) not in known:
            raise InputError(path, f"record id {text} is in no copy of the list", row=row_number, field="record_id",
                             fix="correct the id (a typo here would leave the person it should protect named), "
                                 "or remove the row if the record is gone")


def name_owners(everyone: pl.DataFrame) -> dict[str, frozenset]:
    """Folded name -> the record ids (None for a copy without ids) of the rows bearing it, in any script."""
    owners: dict[str, set] = {}
    for column in ("name_raw", "name_latin", "name_cyrillic"):
        for name, record_id in everyone.select(column, "record_id").drop_nulls(column).iter_rows():
            owners.setdefault(name_fold(name), set()).add(record_id)
    return {key: frozenset(ids) for key, ids in owners.items()}


@lru_cache(maxsize=4)
def _build_name_owners(build: str) -> dict[str, frozenset]:
    return name_owners(persons_in_build(build))


def ingested_name_owners(paths: ProjectPaths) -> dict[str, frozenset]:
    return _build_name_owners(str(paths.ingest.resolve()))


@lru_cache(maxsize=262_144)
def name_fold(text: str | None) -> str:
    """A name as compared (analysis.core.textfold): however it is written, its folded words joined by one
    space ("<b>Ales__BIАLIATSKI" with a Cyrillic А -> "b ales bialiatski")."""
    return name_form(text)


# ------------------------------------------------------------------ every ingested person


def all_persons(paths: ProjectPaths) -> pl.DataFrame:
    """The identifying columns of every person row in every ingested copy (restricted data)."""
    return persons_in_build(str(paths.ingest.resolve()))


@lru_cache(maxsize=4)
def persons_in_build(build: str) -> pl.DataFrame:
    columns = ["record_id", "name_raw", "name_latin", "name_cyrillic", "birth_date_from", "birth_date_precision",
               "url_slug", *FREE_TEXT_COLUMNS]
    files = sorted((Path(build) / "restricted" / "registry").glob("*/persons.parquet"))
    return pl.concat([pl.read_parquet(f, columns=columns) for f in files]) if files else pl.DataFrame(
        schema={c: pl.String for c in columns})
