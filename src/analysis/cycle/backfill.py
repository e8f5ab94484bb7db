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
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from analysis.core.digests import tables_digest
from analysis.core.errors import InputError, PrivacyViolation, ValidationFailed
from analysis.core.layout import BuildLayout
from analysis.core.paths import ProjectPaths, project_paths
from analysis.core.periods import Period
from analysis.core.staging import exclusive, new_build, unwritable
from analysis.cycle.keys import period_key, published_key
from analysis.cycle.steps import STEPS, step
from analysis.cycle.workers import publishing_allowed, worker_start
from analysis.ingest.build import run_ingest
from analysis.publish.leakscan import publish_checked
from analysis.publish.manifest import write_manifest
from analysis.tables import check_period

# The step list in a backfill: the ingest once, then each period's tables while planning (the next
# period's key and checks read them), then the heavy steps after the tables in worker processes.
PLANNED = (step("ingest"), step("tables"))
HEAVY = STEPS[len(PLANNED):]


@dataclass
class BackfillResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    stopped: bool = False            # interrupted (Ctrl-C, SIGTERM): nothing was published after that
    not_built: list[str] = field(default_factory=list)

    def line(self) -> str:
        line = (f"backfill: {len(self.built)} built, {len(self.skipped)} unchanged, {len(self.failed)} failed"
                + (f" ({', '.join(sorted(self.failed))})" if self.failed else ""))
        if self.stopped:
            published = ", ".join(self.built) or "none"
            line = (f"backfill interrupted: nothing was published after the interruption; published in this run: "
                    f"{published}; not built: {', '.join(self.not_built) or 'none'}. " + line)
        return line


class Interrupted(Exception):
    """SIGINT or SIGTERM during a backfill."""


@contextmanager
def _interruptible():
    """Ctrl-C and SIGTERM raise Interrupted in the main thread (SIGTERM would otherwise end the process
    without a word), for the backfill to stop scheduling and say what was published."""
    def stop(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
    """Quality gate, charts, report (HEAVY), manifest, publish: in a worker process."""
    paths, period, build = project_paths(job.root), Period.parse(job.period), Path(job.build)
    try:
        with exclusive(paths.reports, f"run-{job.period}", wait_seconds=600):
            for heavy in HEAVY:
                heavy.function(job.period, job.root, build,
                               **({"previous": job.previous} if heavy.reads_previous else {}))
            write_manifest(paths, period, build, {"period": job.period, "root": "."}, job.key,
                           Path(job.previous) if job.previous else None)
            with publishing_allowed() as allowed:
                if not allowed:
                    return job.period, "stopped before publishing (the backfill was interrupted)"
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
    jobs: list[_Job] = []
    staged: dict[str, Path] = {}
    for period in periods:
        previous_label = period.previous().label
        previous = staged.get(previous_label)
        if previous is None and BuildLayout(paths.reports / previous_label).tables.is_dir():
            previous = paths.reports / previous_label
        key = period_key(paths, period, tables_digest(BuildLayout(previous).tables) if previous else "")
        if not force and published_key(paths, period.label) == key:
            result.skipped.append(period.label)
            continue
        progress(f"tables {period.label}")
        build = new_build(paths.reports / period.label)
        step("tables").function(period.label, paths.root, build)
        staged[period.label] = build
        job = _Job(str(paths.root), period.label, str(build), str(previous) if previous else None, key)
        jobs.append(job)
        submit(job)
    return jobs


def run_backfill(first: str, last: str, root: str | Path | None = None, jobs: int = 1, force: bool = False,
                 progress: Callable[[str], None] = lambda _m: None,
                 advance: Callable[[str], None] = lambda _p: None) -> BackfillResult:
    paths = project_paths(root)
    periods = periods_between(first, last)
    result = BackfillResult()
    planned: list[_Job] = []
    with exclusive(paths.reports, "backfill"):
        progress("ingest")
        run_ingest(paths.root, wait_seconds=600)   # step("ingest"), once for the range
        for period in (periods[0], periods[-1]):   # the range must lie inside what the data can count
            check_period(paths, period)
        with _interruptible():
            try:
                if jobs <= 1:
                    _plan(paths, periods, force, result, progress, submit=planned.append)
                    _collect((_heavy_steps(job) for job in planned), result, advance)
                else:
                    _in_workers(paths, periods, jobs, force, result, progress, advance, planned)
            except Interrupted:
                _stopped(paths, planned, result)
        for label in result.skipped:
            advance(label)
    for job in planned:
        if job.period in result.failed or job.period in result.not_built:
            shutil.rmtree(job.build, ignore_errors=True)
    result.built.sort()
    return result


def _in_workers(paths, periods, jobs, force, result, progress, advance, planned: list[_Job]) -> None:
    context = multiprocessing.get_context("spawn")  # polars and GX are not fork-safe
    stop, lock = context.Event(), context.Lock()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=worker_start,
                               initargs=(stop, lock))
    futures = []

    def submit(job: _Job) -> None:
        planned.append(job)
        futures.append(pool.submit(_heavy_steps, job))
    try:
        _plan(paths, periods, force, result, progress, submit=lambda job: submit(job))
        _collect((f.result() for f in as_completed(futures)), result, advance)
    except BaseException:
        with lock:          # once set under the lock, no worker can start publishing
            stop.set()
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()   # they publish nothing more; what they staged is swept by the next build
        raise
    pool.shutdown(wait=True)


def _stopped(paths: ProjectPaths, planned: list[_Job], result: BackfillResult) -> None:
    """After an interruption: which planned periods are published (their manifest carries the planned
    key), whatever reached the parent before the signal."""
    result.stopped = True
    result.built = [job.period for job in planned if published_key(paths, job.period) == job.key]
    result.failed = {label: error for label, error in result.failed.items() if label not in result.built}
    result.not_built = [job.period for job in planned if job.period not in result.built
                        and job.period not in result.failed]


def _collect(outcomes, result: BackfillResult, advance: Callable[[str], None]) -> None:
    for label, error in outcomes:
        if error is None:
            result.built.append(label)
        else:
            result.failed[label] = error
        advance(label)
