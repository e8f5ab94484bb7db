"""The Great Expectations runner: each suite against its checked frame in one ephemeral context per
process, counts for every expectation and example rows for the failed ones only. Examples from
restricted data never show a name, birth date, record id, URL slug or free text: only `source_file`,
`source_row` and the column names."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from analysis.core.errors import InputError
from analysis.quality.frames import MAX_EXAMPLES
from analysis.quality.results import CheckResult
from analysis.quality.suites import Expectation, Suite, gx_suite


# Rows are named in examples by these columns. Persons are restricted: nothing else of theirs is shown.
EXAMPLE_KEYS: dict[str, tuple[str, ...]] = {
    "persons": ("source_file", "source_row"),
    "stock": ("period", "position"),
    "flows": ("period", "direction", "mechanism"),
    "releases": ("event_id",),
    "monthly": ("month",),
    "composition": ("dimension", "category"),
    "time_served": ("scope", "mechanism"),
    "deaths": ("date", "cumulative"),
    "reconciliation": ("figure_id", "metric", "source_org"),
    "coverage": ("item",),
    "stock_flow": ("check_row",),
    "cross_cycle": ("row_kind", "source_file", "source_row", "next_source_file", "next_source_row"),
}
RESTRICTED = frozenset({"persons"})
_GX: dict[str, Any] = {}                      # one ephemeral context per process (a backfill validates many periods)
_SNAPSHOT_RESULTS: dict[tuple, list] = {}     # persons-suite results by (suite sha256, frame content)


def _gx_source():
    if not _GX:
        import great_expectations as gx  # 2-8 s to import: only when validating
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _GX.update(source=context.data_sources.add_pandas("period"), assets=0)
    _GX["assets"] += 1
    return _GX["source"], _GX["assets"]


def run_suites(suites: dict[str, Suite], frames: dict[str, pl.DataFrame], parameters: dict) -> list[CheckResult]:
    results: list[CheckResult] = []
    for name in sorted(suites):
        suite, frame = suites[name], frames[suites[name].table]
        # The persons suite depends only on the registry copy: periods counted from one copy share it.
        key = (suite.sha256, frame.height, int(frame.hash_rows(seed=7).sum())) if suite.table == "persons" else None
        if key in _SNAPSHOT_RESULTS:
            results += _SNAPSHOT_RESULTS[key]
            continue
        source, number = _gx_source()
        batch = (source.add_dataframe_asset(f"{name}-{number}").add_batch_definition_whole_dataframe("whole")
                 .get_batch(batch_parameters={"dataframe": frame.to_pandas()}))
        outcome = batch.validate(gx_suite(suite), result_format=_COUNTS, expectation_parameters=parameters)
        if len(outcome.results) != suite.declared:
            raise InputError(suite.file, f"{len(outcome.results)} results for {suite.declared} declared expectations",
                             fix="an expectation did not run: review the suite")
        checked = [_check_result(suite, r, frame) for r in _with_examples(suite, batch, outcome.results, parameters)]
        if key is not None:
            _SNAPSHOT_RESULTS[key] = checked
        results += checked
    return results


# Counts and observed values of every expectation; the rows behind a failure (SUMMARY's index list)
# only for the failed ones, in a second pass: SUMMARY for all costs a third more, and most pass.
_COUNTS = {"result_format": "BASIC", "partial_unexpected_count": MAX_EXAMPLES}
_EXAMPLES = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES}


def _with_examples(suite: Suite, batch, results: list, parameters: dict) -> list:
    """`results`, each failed one replaced by its SUMMARY result (same counts, plus example rows)."""
    failed = {r.expectation_config.meta["check"] for r in results if not r.success}
    if not failed:
        return results
    detailed = batch.validate(gx_suite(suite, only=failed), result_format=_EXAMPLES,
                              expectation_parameters=parameters).results
    by_check = {r.expectation_config.meta["check"]: r for r in detailed}
    if set(by_check) != failed:
        raise InputError(suite.file, f"the second pass returned {sorted(by_check)} for the failed {sorted(failed)}",
                         fix="an expectation did not run: review the suite")
    return [by_check.get(r.expectation_config.meta["check"], r) for r in results]


def _check_result(suite: Suite, result, frame: pl.DataFrame) -> CheckResult:
    exp = suite.expectations[result.expectation_config.meta["check"]]
    info, raw = result.result or {}, result.exception_info or {}
    error = next((v for v in raw.values() if isinstance(v, dict)), raw) if raw else {}
    if error.get("raised_exception"):
        return CheckResult(suite.table, exp.columns, exp.rule, exp.severity, False, None, (), exp.type, None,
                           _error_note(suite.table, error.get("exception_message") or ""))
    indices = info.get("partial_unexpected_index_list") or []
    checked = info["element_count"] - info.get("missing_count", 0) if "element_count" in info else None
    note = _note(info, checked)
    return CheckResult(suite.table, exp.columns, exp.rule, exp.severity, bool(result.success),
                       info.get("unexpected_count"), _examples(frame, suite.table, exp, indices), exp.type,
                       checked, note)


def _note(info: dict, checked: int | None) -> str:
    if "observed_value" in info:
        return f"observed: {info['observed_value']}"
    if checked == 0:
        return "not applicable: no rows to check"
    return ""


def _error_note(table: str, message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if table in RESTRICTED and "does not exist" not in first:
        first = "details withheld (restricted data)"  # an engine message might quote a value
    return f"the check could not run: {first[:200]}"


def _examples(frame: pl.DataFrame, table: str, exp: Expectation, indices: list) -> tuple[dict[str, Any], ...]:
    keys = [k for k in EXAMPLE_KEYS[table] if k in frame.columns]
    shown = [] if table in RESTRICTED else [col for col in exp.columns if col in frame.columns and col not in keys]
    rows = []
    for index in sorted(int(i) for i in indices)[:MAX_EXAMPLES]:
        record = frame.row(index, named=True)
        example = {k: _plain(record[k]) for k in keys if record[k] is not None}
        example |= {col: _plain(record[col]) for col in shown}
        rows.append(example)
    return tuple(rows)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
