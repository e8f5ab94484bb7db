"""Human decisions, kept as data in the project's `decisions/` folder (in the spirit of HRDAG's `hand/`).

A decision is something a person chose and could choose otherwise: which articles form a group, which
given-name forms are one name, what a published "about" allows, how many people a shown cell needs,
how wide the end-of-term window is. Each lives in one file a researcher edits without Python, with a
reason beside every entry or setting; each is read strictly (analysis.core.safeio) and checked against
a declared schema on every read; every file here is an input of the ingest's and every period's key,
so changing one rebuilds what depends on it.

    decisions/counting.yaml          counting settings (windows, tolerances, the reference-copy rule)
    decisions/privacy_policy.yaml    small-count threshold
    decisions/withheld_records.csv   record ids never named (read by analysis.tables.disclosure)
    decisions/corrections.csv        corrections to raw values (read by analysis.ingest.corrections)
    decisions/article_groups.yaml    Criminal Code articles grouped for the composition table
    decisions/qualifier_bounds.yaml  what a published figure's wording allows (read by analysis.ingest.figures)
    decisions/given_names.yaml       given-name forms that are one name (read by analysis.ingest.parsing.names)
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from analysis.core.errors import InputError
from analysis.core.paths import CHECKOUT_DIR, ProjectPaths
from analysis.core.safeio import load_yaml, validated

FOLDER = "decisions"
COUNTING = "counting.yaml"
PRIVACY_POLICY = "privacy_policy.yaml"
WITHHELD_RECORDS = "withheld_records.csv"
CORRECTIONS = "corrections.csv"
ARTICLE_GROUPS = "article_groups.yaml"
QUALIFIER_BOUNDS = "qualifier_bounds.yaml"
GIVEN_NAMES = "given_names.yaml"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
T = TypeVar("T")


def folder(paths: ProjectPaths | None = None) -> Path:
    """The decisions folder of a project (ProjectPaths.decisions; default: the package checkout's)."""
    return paths.decisions if paths is not None else CHECKOUT_DIR / FOLDER


def decision_files(paths: ProjectPaths) -> list[Path]:
    """Every file of the decisions folder: each is an input of the ingest's and every period's key."""
    base = folder(paths)
    return sorted(p for p in base.iterdir() if p.is_file() and not p.name.startswith(".")) if base.is_dir() else []


def _yaml(path: Path) -> Any:
    if not os.path.lexists(path):
        raise InputError(path, "this decision file is missing",
                         fix=f"restore it (a new project gets one from `analysis init`; see {FOLDER}/README.md)")
    return load_yaml(path)


def _cache_key(path: Path) -> tuple[str, int, int]:
    info = os.stat(path) if os.path.exists(path) else None
    return str(path), info.st_size if info else -1, info.st_mtime_ns if info else -1


# ------------------------------------------------------------------ counting settings


class Setting(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid")
    value: T
    reason: Reason


class CountingSettings(BaseModel):
    """The declared schema of decisions/counting.yaml."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    end_of_term_window_months: Setting[Annotated[float, Field(ge=0, le=24)]]
    reconciliation_tolerance: Setting[Annotated[float, Field(ge=0, le=1)]]
    headline_bound: Setting[Annotated[float, Field(ge=0, le=1)]]
    headline_tolerance: Setting[Annotated[float, Field(ge=0, le=1)]]
    revision_bound: Setting[Annotated[float, Field(ge=0, le=1)]]
    exit_date_columns: Setting[tuple[str, ...]]
    shape_columns: Setting[dict[str, tuple[str, ...]]]

    def dates_every_exit(self, shape: str, missing: str | None) -> bool:
        """Whether a copy of this shape (less its missing columns) has every exit-date column."""
        present = set(self.shape_columns.value.get(shape, ())) - set((missing or "").split(";"))
        return present >= set(self.exit_date_columns.value)


def counting(paths: ProjectPaths | None = None) -> CountingSettings:
    return _counting(*_cache_key(folder(paths) / COUNTING))


@lru_cache(maxsize=8)
def _counting(path: str, _size: int, _mtime: int) -> CountingSettings:
    raw = _yaml(Path(path))
    if not isinstance(raw, dict):
        raise InputError(path, "expected settings, each with a value and a reason", fix=f"see {FOLDER}/README.md")
    return validated(Path(path), CountingSettings, raw,
                     fix="each setting is `name: {value: ..., reason: ...}`; the names are listed in "
                         f"{FOLDER}/README.md")


# ------------------------------------------------------------------ privacy policy


class PrivacyPolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    small_count_threshold: Setting[Annotated[int, Field(ge=1, le=1000, strict=True)]]


def small_count_threshold(paths: ProjectPaths) -> int:
    path = folder(paths) / PRIVACY_POLICY
    return _threshold(*_cache_key(path))


@lru_cache(maxsize=8)
def _threshold(path: str, _size: int, _mtime: int) -> int:
    raw = _yaml(Path(path))
    if not isinstance(raw, dict):
        raise InputError(path, "expected 'small_count_threshold: {value: <number>, reason: ...}'",
                         fix=f"see {FOLDER}/README.md")
    return validated(Path(path), PrivacyPolicyFile, raw,
                     fix="set small_count_threshold: {value: a whole number such as 3, reason: why}; no other key "
                         "is known").small_count_threshold.value


# ------------------------------------------------------------------ article groups


class ArticleGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    articles: Annotated[list[Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}(-[0-9]{1,2})?$")]],
                        Field(min_length=1)]
    reason: Reason


def article_groups(paths: ProjectPaths | None = None) -> dict[str, str]:
    """Article -> group label (a person charged under articles of several groups counts in each)."""
    return _article_groups(*_cache_key(folder(paths) / ARTICLE_GROUPS))


@lru_cache(maxsize=8)
def _article_groups(path: str, _size: int, _mtime: int) -> dict[str, str]:
    raw = _yaml(Path(path))
    if not isinstance(raw, list):
        raise InputError(path, "expected a list of groups", fix="each entry: group, articles, reason")
    mapping: dict[str, str] = {}
    for number, entry in enumerate(raw, start=1):
        group = validated(Path(path), ArticleGroup, entry, entry=f"entry {number}",
                          fix="each entry: group (a label), articles (a list such as ['293', '361-1']), reason")
        for article in group.articles:
            if article in mapping:
                raise InputError(path, f"article {article} is in two groups ({mapping[article]!r} and "
                                       f"{group.group!r})", field=f"[{number}].articles",
                                 fix="an article belongs to one group")
            mapping[article] = group.group
    return mapping


# ------------------------------------------------------------------ given names


class GivenName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    forms: Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]],
                     Field(min_length=2)]
    reason: Reason


def given_name_forms(path: Path) -> list[list[str]]:
    """The lines of given_names.yaml: each the forms of one name."""
    return _given_names(*_cache_key(path))


@lru_cache(maxsize=8)
def _given_names(path: str, _size: int, _mtime: int) -> list[list[str]]:
    raw = _yaml(Path(path))
    if not isinstance(raw, list):
        raise InputError(path, "expected a list of names", fix="each entry: forms (two or more), reason")
    return [validated(Path(path), GivenName, entry, entry=f"entry {number}",
                      fix="each entry: forms (the spellings of one name), reason").forms
            for number, entry in enumerate(raw, start=1)]
