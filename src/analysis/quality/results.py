"""The quality gate's results: the context a period is checked in, one result per check, the report
(summary.json, deterministic) and `raise_if_critical`, which blocks publication on a critical failure."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from analysis.core.errors import ValidationFailed
from analysis.core import decisions
from analysis.core.decisions import CountingSettings
from analysis.quality.suites import SUITE_TABLES


@dataclass
class ValidationContext:
    period: str
    snapshot_date: dt.date
    previous_tables: dict[str, pl.DataFrame] | None
    previous_persons: pl.DataFrame | None
    tolerance: float | None = None  # share of the previous end a move may differ from entries - exits
    release_records: pl.DataFrame | None = None   # person-level release records (restricted), if any
    small_count_threshold: int = 3  # decisions/privacy_policy.yaml: no shown breakdown cell counts fewer people
    # decisions/counting.yaml (the checkout's when not given): the headline bound and tolerance, the revision bound
    settings: CountingSettings = field(default_factory=lambda: decisions.counting())

    def __post_init__(self) -> None:
        if self.tolerance is None:
            self.tolerance = self.settings.headline_tolerance.value


@dataclass(frozen=True)
class CheckResult:
    table: str
    columns: tuple[str, ...]
    rule: str
    severity: str
    success: bool
    unexpected_count: int | None  # None for table-level checks (e.g. the row count)
    examples: tuple[dict[str, Any], ...] = ()
    expectation: str = ""
    checked: int | None = None  # rows the rule applied to
    note: str = ""

    @property
    def outcome(self) -> str:
        return "passed" if self.success else ("failed" if self.severity == "critical" else "warning")

    def sort_key(self) -> tuple:
        return (self.table, self.rule, self.columns, self.expectation)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "columns": list(self.columns), "column": ", ".join(self.columns),
                "rule": self.rule, "severity": self.severity,
                "success": self.success, "outcome": self.outcome, "unexpected_count": self.unexpected_count,
                "checked": self.checked, "expectation": self.expectation, "note": self.note,
                "examples": [dict(e) for e in self.examples]}

    def describe(self) -> str:
        """Readable lines for the CLI: table, columns, rule, count and example rows."""
        count = "" if self.unexpected_count is None else f"{self.unexpected_count} row(s) failed. "
        columns = ", ".join(self.columns) or "(whole table)"
        lines = [f"table {self.table}, column(s) {columns}", f"    rule: {self.rule}"]
        detail = count + (self.note + " " if self.note else "") + ("Examples:" if self.examples else "")
        if detail.strip():
            lines.append("    " + detail.strip())
        lines += ["      - " + ", ".join(f"{k}={shown(v)}" for k, v in e.items()) for e in self.examples]
        return "\n".join(lines)


@dataclass
class ValidationReport:
    period: str
    snapshot_date: dt.date
    synthetic: bool
    checks: list[CheckResult]
    suites: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no critical check failed: the period may be published (warnings shown)."""
        return not self.critical_failures

    @property
    def critical_failures(self) -> list[CheckResult]:
        return sorted((r for r in self.checks if r.outcome == "failed"), key=CheckResult.sort_key)

    @property
    def warnings(self) -> list[CheckResult]:
        return sorted((r for r in self.checks if r.outcome == "warning"), key=CheckResult.sort_key)

    def counts(self) -> tuple[int, int, int]:
        """(passed, warned, failed)."""
        outcomes = [r.outcome for r in self.checks]
        return outcomes.count("passed"), outcomes.count("warning"), outcomes.count("failed")

    def by_table(self) -> dict[str, list[CheckResult]]:
        order = {"failed": 0, "warning": 1, "passed": 2}
        tables: dict[str, list[CheckResult]] = {}
        for check in sorted(self.checks, key=lambda r: (order[r.outcome], r.sort_key())):
            tables.setdefault(check.table, []).append(check)
        return {t: tables[t] for t in sorted(tables, key=lambda t: (SUITE_TABLES + (t,)).index(t))}

    def summary_line(self) -> str:
        passed, warned, failed = self.counts()
        verdict = "publishable" if self.passed else "BLOCKED: nothing may be published"
        return (f"validation of period {self.period} (snapshot {self.snapshot_date.isoformat()}"
                f"{', SYNTHETIC' if self.synthetic else ''}): {passed} passed, {warned} warning(s), "
                f"{failed} critical failure(s) - {verdict}")

    def to_dict(self) -> dict[str, Any]:
        """Deterministic: sorted, no timestamps, no absolute paths."""
        passed, warned, failed = self.counts()
        return {"period": self.period, "snapshot_date": self.snapshot_date.isoformat(), "synthetic": self.synthetic,
                "passed": self.passed, "counts": {"passed": passed, "warned": warned, "failed": failed},
                "suites": sorted(self.suites, key=lambda s: s["name"]),
                "checks": [r.to_dict() for r in sorted(self.checks, key=CheckResult.sort_key)]}

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                        encoding="utf-8")
        return path


def raise_if_critical(report: ValidationReport) -> None:
    """Raise ValidationFailed, listing every failed critical rule with example rows; else return."""
    failures = report.critical_failures
    if not failures:
        return
    head = (f"quality gate for period {report.period} (snapshot {report.snapshot_date.isoformat()}) failed: "
            f"{len(failures)} critical check(s) failed, so nothing was published.")
    body = [f"{n}. " + f.describe() for n, f in enumerate(failures, start=1)]
    warned = len(report.warnings)
    tail = [f"Also {warned} warning(s), which alone would not block publication."] if warned else []
    raise ValidationFailed("\n".join([head, *body, *tail]))


def shown(value: Any) -> str:
    return "null" if value is None else str(value)
