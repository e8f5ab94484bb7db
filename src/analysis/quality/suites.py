"""The quality suites: `expectations/*.json`, reviewable JSON, read strictly and loaded read-only into
in-memory Great Expectations suites. A suite that lists fewer or more expectations than it declares,
names an unknown expectation type, or lacks a severity or rule stops the run."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core import schema
from analysis.core.errors import InputError
from analysis.core.paths import CHECKOUT_DIR

SUITES_DIR = CHECKOUT_DIR / "expectations"
SEVERITIES = ("critical", "warning")
SUITE_TABLES = ("persons", *schema.PERIOD_TABLES, "stock_flow", "cross_cycle")


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    severity: str
    rule: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    declared: int
    description: str
    expectations: tuple[Expectation, ...]
    file: str  # file name only: reports never carry a machine's paths
    sha256: str


def load_suites(directory: Path = SUITES_DIR) -> dict[str, Suite]:
    """Read every `<table>.json` of `directory` (read-only); raise InputError on any defect.

    A suite that lists fewer or more expectations than it declares, names an expectation type Great
    Expectations does not know, or lacks a severity or rule stops the run: a check that silently does
    not run is worse than no run.
    """
    directory = Path(directory)
    suites = {s.name: s for s in map(_read_suite, sorted(directory.glob("*.json")))}
    missing = [t for t in SUITE_TABLES if t not in suites]
    if missing:
        raise InputError(directory.name, f"no suite for {', '.join(missing)}",
                         fix=f"add {', '.join(m + '.json' for m in missing)} to the expectations folder")
    return suites


def _read_suite(path: Path) -> Suite:
    data = path.read_bytes()
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path.name, f"not valid JSON: {exc}", fix="fix the JSON syntax") from None
    for key in ("name", "table", "declared_expectations", "description", "expectations"):
        if key not in doc:
            raise InputError(path.name, f"the suite has no '{key}'", field=key, fix="see the other suites")
    if doc["name"] != path.stem or doc["table"] not in SUITE_TABLES:
        raise InputError(path.name, f"suite {doc['name']!r} for table {doc['table']!r}", field="name",
                         fix=f"name a suite after its file and check one of: {', '.join(SUITE_TABLES)}")
    listed = [_read_expectation(path, i, raw) for i, raw in enumerate(doc["expectations"], start=1)]
    if doc["declared_expectations"] != len(listed):
        raise InputError(path.name, f"declares {doc['declared_expectations']} expectations but lists {len(listed)}",
                         field="declared_expectations",
                         fix="a rule went missing or was added: review the suite and fix the count")
    return Suite(doc["name"], doc["table"], doc["declared_expectations"], doc["description"], tuple(listed),
                 path.name, hashlib.sha256(data).hexdigest())


def _read_expectation(path: Path, number: int, raw: dict) -> Expectation:
    meta = raw.get("meta") or {}
    problem = None
    if not _known_type(raw.get("type", "")):
        problem = f"unknown expectation type {raw.get('type')!r}"
    elif not isinstance(raw.get("kwargs"), dict):
        problem = "kwargs must be an object"
    elif meta.get("severity") not in SEVERITIES:
        problem = f"meta.severity must be one of {', '.join(SEVERITIES)}, not {meta.get('severity')!r}"
    elif not str(meta.get("rule", "")).strip():
        problem = "meta.rule (a short human sentence) is missing"
    if problem:
        raise InputError(path.name, f"expectation {number}: {problem}", field="expectations",
                         fix="use a Great Expectations core type and give meta.severity and meta.rule")
    kwargs = raw["kwargs"]
    named = meta.get("columns") or kwargs.get("column_list") or [kwargs[k] for k in ("column", "column_A", "column_B")
                                                                 if k in kwargs]
    return Expectation(raw["type"], kwargs, meta["severity"], meta["rule"].strip(), tuple(named))


def _known_type(name: str) -> bool:
    # Great Expectations takes seconds to import: only when a suite is read, never on importing this module.
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        get_expectation_impl(name)
    except ExpectationNotFoundError:
        return False
    return True


def gx_suite(suite: Suite, only: set[int] | None = None):
    """The in-memory Great Expectations suite (or its expectations numbered in `only`); raises if it
    holds fewer expectations than declared."""
    # Great Expectations takes seconds to import: only when validating.
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = ExpectationSuite(name=suite.name)
    for number, exp in enumerate(suite.expectations):
        if only is not None and number not in only:
            continue
        config = ExpectationConfiguration(type=exp.type, kwargs=copy.deepcopy(exp.kwargs), meta={"check": number})
        try:
            gx_suite.add_expectation_configuration(config)
        except Exception as exc:  # noqa: BLE001 - any rejection must stop the run, with the suite named
            raise InputError(suite.file, f"expectation {number + 1} ({exp.type}) was rejected: {exc}",
                             field="expectations", fix="fix its kwargs") from None
    if only is None and len(gx_suite.expectations) != suite.declared:
        raise InputError(suite.file, f"loaded {len(gx_suite.expectations)} expectations, declared {suite.declared}",
                         field="expectations", fix="two expectations are identical or one was dropped: review")
    return gx_suite
