"""`analysis backfill --from 2020-05 --to 2026-02 [--jobs N]`: build every period in a range, cheaply.

1. Ingest once (skipped when raw files and code are unchanged).
2. In order, for each period: its content address (inputs, code, lock, and the previous period's
   tables). A period whose published manifest carries the same address is skipped. Otherwise its
   tables are computed now (fast), so that the next period's address and cross-cycle checks can use
   them.
3. The heavy steps of the periods to rebuild (quality gate, charts, report, manifest, publish) run
   in N worker processes. Each period is published on its own, only if its checks passed.

The steps are the same functions the notebooks call, run in-process: a backfill publishes the same
tables, charts, validation and report bytes as `analysis run`, without the executed notebook copies.
"""

from __future__ import annotations

import multiprocessing
import shutil
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InputError, ValidationFailed
from .paths import ProjectPaths, project_paths
from .periods import Period
from .privacy import PrivacyViolation, publish_checked
from .staging import BUILDS_DIR, exclusive, unwritable


@dataclass
class BackfillResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        return (f"backfill: {len(self.built)} built, {len(self.skipped)} unchanged, {len(self.failed)} failed"
                + (f" ({', '.join(sorted(self.failed))})" if self.failed else ""))


def periods_between(first: str, last: str) -> list[Period]:
    start, end = Period.parse(first), Period.parse(last)
    if start.kind != end.kind:
        raise InputError("--from/--to", f"{first} is a {start.kind} and {last} a {end.kind}",
                         fix="give two months, two quarters or two years")
    if start > end:
        raise InputError("--from/--to", f"{first} comes after {last}", fix="swap them")
    periods, current = [], end
    while current >= start:
        periods.append(current)
        current = current.previous()
    return periods[::-1]


@dataclass(frozen=True)
class _Job:
    root: str
    period: str
    build: str
    previous: str | None
    key: str


def _heavy_steps(job: _Job) -> tuple[str, str | None]:
    """Quality gate, charts, report, manifest, publish: in a worker process."""
    from .kernel import skip_iri_grammars

    skip_iri_grammars()
    from .manifest import write_manifest
    from .pipeline import step_charts, step_report, step_validate

    paths, period, build = project_paths(job.root), Period.parse(job.period), Path(job.build)
    try:
        with exclusive(paths.reports, f"run-{job.period}", wait_seconds=600):
            step_validate(job.period, job.root, build, previous=job.previous)
            step_charts(job.period, job.root, build)
            step_report(job.period, job.root, build)
            write_manifest(paths, period, build, {"period": job.period, "root": "."}, job.key,
                           Path(job.previous) if job.previous else None)
            publish_checked(paths, period, build, paths.reports / job.period)
        return job.period, None
    except (ValidationFailed, InputError, PrivacyViolation) as exc:
        return job.period, str(exc)
    except OSError as exc:   # a full disk or an unwritable folder: reported with the period, like a failed check
        if (problem := unwritable(exc)) is None:
            raise
        return job.period, f"cannot write outputs: {problem}"  # its staged tables may still serve the next period; removed at the end


def _plan(paths: ProjectPaths, periods: list[Period], force: bool, result: BackfillResult,
          progress: Callable[[str], None], submit: Callable[[_Job], None] = lambda _j: None) -> list[_Job]:
    """Decide, in order, which periods to rebuild; stage the tables of those that are and hand each
    to `submit` at once, so workers start while later periods are still being planned."""
    from .keys import period_key, published_key, tables_digest
    from .pipeline import TABLES_DIR, step_tables

    jobs: list[_Job] = []
    staged: dict[str, Path] = {}
    builds = paths.reports / BUILDS_DIR
    builds.mkdir(parents=True, exist_ok=True)
    for period in periods:
        previous_label = period.previous().label
        previous = staged.get(previous_label)
        if previous is None and (paths.reports / previous_label / TABLES_DIR).is_dir():
            previous = paths.reports / previous_label
        key = period_key(paths, period, tables_digest(previous / TABLES_DIR) if previous else "")
        if not force and published_key(paths, period.label) == key:
            result.skipped.append(period.label)
            continue
        progress(f"tables {period.label}")
        build = builds / f"{period.label}-{uuid.uuid4().hex[:12]}"
        build.mkdir()
        step_tables(period.label, paths.root, build)
        staged[period.label] = build
        job = _Job(str(paths.root), period.label, str(build), str(previous) if previous else None, key)
        jobs.append(job)
        submit(job)
    return jobs


def run_backfill(first: str, last: str, root: str | Path | None = None, jobs: int = 1, force: bool = False,
                 progress: Callable[[str], None] = lambda _m: None,
                 advance: Callable[[str], None] = lambda _p: None) -> BackfillResult:
    from .ingest import run_ingest

    paths = project_paths(root)
    periods = periods_between(first, last)
    result = BackfillResult()
    with exclusive(paths.reports, "backfill"):
        progress("ingest")
        run_ingest(paths.root, wait_seconds=600)
        if jobs <= 1:
            planned = _plan(paths, periods, force, result, progress)
            _collect((_heavy_steps(job) for job in planned), result, advance)
        else:
            context = multiprocessing.get_context("spawn")  # polars and GX are not fork-safe
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = []
                planned = _plan(paths, periods, force, result, progress,
                                submit=lambda job: futures.append(pool.submit(_heavy_steps, job)))
                _collect((f.result() for f in as_completed(futures)), result, advance)
        for label in result.skipped:
            advance(label)
    for job in planned:
        if job.period in result.failed:
            shutil.rmtree(job.build, ignore_errors=True)
    result.built.sort()
    return result


def _collect(outcomes, result: BackfillResult, advance: Callable[[str], None]) -> None:
    for label, error in outcomes:
        if error is None:
            result.built.append(label)
        else:
            result.failed[label] = error
        advance(label)
