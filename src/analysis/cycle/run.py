"""`analysis run --period P`: the report cycle as a chain of notebooks, run by Papermill.

Write, audit, publish: every notebook writes into one staging folder under reports/.builds/;
only when the whole chain succeeded (the validation notebook raises on a critical failure) is
reports/<period> pointed at it, in one step. A failure exits non-zero and leaves the previously
published outputs byte for byte as they were.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from analysis.core.digests import tables_digest
from analysis.core.errors import InputError, ValidationFailed
from analysis.core.layout import BuildLayout
from analysis.core.paths import ProjectPaths, project_paths
from analysis.core.periods import Period
from analysis.core.staging import exclusive, new_build
from analysis.cycle.kernel import (CELL_TIMEOUT_SECONDS, KERNEL_MEMORY_BYTES, WARM_UP_GATE, WARM_UP_MAIN, NotebookFailed,
                                   SharedKernel)
from analysis.cycle.keys import period_key, published_key
from analysis.cycle.steps import STEPS, previous_dir, step
from analysis.ingest.build import ingest_is_current, run_ingest
from analysis.ingest.provenance import list_snapshots
from analysis.publish.leakscan import publish_checked, restricted_values, scan_folder
from analysis.publish.manifest import write_manifest
from analysis.tables import check_period
from analysis.tables.disclosure import load_policy

# The step list (steps.STEPS) in stages of (step, kernel). The quality gate and the charts both read only
# the staged tables, so they run side by side, one kernel per core; the report needs both. The gate's
# kernel is the slow one to warm up (Great Expectations), so everything else runs in the main kernel,
# which is ready by the time the ingest is done.
MAIN, GATE = 0, 1
STAGES = (((step("ingest"), MAIN),), ((step("tables"), MAIN),),
          ((step("validate"), GATE), (step("charts"), MAIN)), ((step("report"), MAIN),))
assert tuple(s for stage in STAGES for s, _kernel in stage) == STEPS, "the stages must run every step, in order"


@dataclass
class RunResult:
    period: str
    report: Path
    tables: int = 0
    charts: int = 0
    checks: tuple[int, int, int] = (0, 0, 0)   # passed, warned, failed
    notebooks: list[Path] = field(default_factory=list)
    skipped: bool = False

    def line(self) -> str:
        passed, warned, failed = self.checks
        unchanged = " (unchanged: inputs, code and parameters as published; nothing rebuilt)" if self.skipped else ""
        return (f"{self.period}{unchanged}: {self.tables} tables, {self.charts} charts, checks {passed} passed / {warned} warned "
                f"/ {failed} failed; report: {self.report}")


def default_period(root: str | Path | None = None) -> str:
    """The latest month covered by the raw registry snapshots (works before any ingest)."""
    snapshots = list_snapshots(project_paths(root).raw, "registry")
    if not snapshots:
        raise InputError(project_paths(root).raw / "registry", "no registry snapshots",
                         fix="add a copy of the list with `analysis raw add registry <date> <file> ...`")
    latest = snapshots[-1].snapshot_date
    return f"{latest.year:04d}-{latest.month:02d}"


def _scrub(notebook_path: Path) -> None:
    """Drop Papermill's wall-clock metadata so an executed notebook depends only on its inputs."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    notebook.get("metadata", {}).get("papermill", {}).pop("start_time", None)
    for key in ("end_time", "duration"):
        notebook.get("metadata", {}).get("papermill", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    notebook_path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                             encoding="utf-8")


def _execute(kernel, paths: ProjectPaths, name: str, build: Path, parameters: dict[str, str]) -> Path:
    output = BuildLayout(build).notebook(name)
    try:
        return kernel.execute(paths.notebooks / name, output, parameters)
    except NotebookFailed as exc:
        if exc.ename == "ValidationFailed":
            raise ValidationFailed(exc.evalue) from None
        if exc.ename in ("InputError", "ChecksumMismatch"):
            raise InputError(paths.notebooks / name, exc.evalue) from None
        if exc.ename == "StepLimit":
            raise InputError(paths.notebooks / name,
                             f"the step was stopped at a limit ({exc.evalue}): a step may use at most "
                             f"{KERNEL_MEMORY_BYTES // 1024**3} GB of memory and {CELL_TIMEOUT_SECONDS} s a cell",
                             fix="look for something enormous in the inputs (a huge cell or file); nothing was "
                                 "published") from None
        if (os_error := exc.os_error()) is not None:   # e.g. a full disk: the CLI says what to do (exit 4)
            raise os_error from exc
        raise
    finally:
        if output.exists():
            _scrub(output)


def _run_stage(stage, kernels, paths: ProjectPaths, build: Path, parameters: dict[str, str]) -> None:
    """Run a stage's notebooks at once, each in its kernel; if any fails, raise the first in chain order."""
    if len(stage) == 1:
        only, kernel = stage[0]
        _execute(kernels[kernel], paths, only.notebook, build, parameters)
        return
    with ThreadPoolExecutor(len(stage)) as pool:
        futures = [pool.submit(_execute, kernels[kernel], paths, s.notebook, build, parameters) for s, kernel in stage]
    for future in futures:
        future.result()


def current_key(paths: ProjectPaths, period: Period) -> str:
    """The content address of a period: its inputs, the code, the lock and the previous period's tables."""
    previous = previous_dir(paths.root, period)
    return period_key(paths, period, tables_digest(BuildLayout(previous).tables) if previous else "")


def run_period(period: str | None = None, root: str | Path | None = None,
               progress: Callable[[str, int, int], None] = lambda _n, _i, _t: None, force: bool = False) -> RunResult:
    """Run the notebook chain for one period; publish reports/<period> only if every step passed.

    Nothing is rebuilt when the published period came from the same inputs, code and parameters.
    """
    paths = project_paths(root)
    parsed = Period.parse(period or default_period(root))
    target = paths.reports / parsed.label
    check_period(paths, parsed, ingested=False)   # before a kernel starts or a folder is made
    with exclusive(paths.reports, f"run-{parsed.label}"):
        if not force and ingest_is_current(paths) and published_key(paths, parsed.label) == current_key(paths, parsed):
            return _unchanged(parsed, target, paths)
        # The kernels start and import while this process ingests.
        with SharedKernel(paths.root, WARM_UP_MAIN) as main, SharedKernel(paths.root, WARM_UP_GATE) as gate:
            run_ingest(paths.root, wait_seconds=600)
            check_period(paths, parsed)
            key = current_key(paths, parsed)
            if not force and published_key(paths, parsed.label) == key:
                return _unchanged(parsed, target, paths)
            build = new_build(target)
            parameters = {"period": parsed.label, "root": ".", "output_dir": build.relative_to(paths.root).as_posix()}
            try:
                done = 0
                for stage in STAGES:
                    for each, _kernel in stage:
                        progress(each.notebook, done, len(STEPS))
                    _run_stage(stage, (main, gate), paths, build, parameters)
                    done += len(stage)
                progress("publish", len(STEPS), len(STEPS))
                write_manifest(paths, parsed, build, parameters, key, previous_dir(paths.root, parsed))
                result = _result(parsed, build, target, paths)
                publish_checked(paths, parsed, build, target)
            except BaseException as exc:
                if isinstance(exc, ValidationFailed):
                    _keep_failed_validation(paths, parsed, build)
                if not (target.exists() and target.resolve() == build.resolve()):   # never the published build
                    shutil.rmtree(build, ignore_errors=True)
                raise
        shutil.rmtree(paths.reports / ".failed" / parsed.label, ignore_errors=True)
    result.notebooks = [BuildLayout(target).notebook(s.notebook) for s in STEPS]
    return result


def _unchanged(period: Period, target: Path, paths: ProjectPaths) -> RunResult:
    result = _result(period, target, target, paths)
    result.skipped = True
    return result


def _keep_failed_validation(paths: ProjectPaths, period: Period, build: Path) -> None:
    """Keep a blocked run's validation results in reports/.failed/<period> for inspection, if they pass
    the same privacy scan as a publication (they lie under reports/, the public tier)."""
    source = BuildLayout(build).validation
    target = BuildLayout(paths.reports / ".failed" / period.label).validation
    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir() and not scan_folder(source, restricted_values(paths, load_policy(paths))):
        shutil.copytree(source, target)


def _result(period: Period, build: Path, target: Path, paths: ProjectPaths) -> RunResult:
    built = BuildLayout(build)
    summary = json.loads(built.validation_summary.read_text(encoding="utf-8"))
    counts = summary.get("counts", {})
    return RunResult(
        period=period.label, report=BuildLayout(target.relative_to(paths.root)).report,
        tables=len(list(built.tables.glob("*.parquet"))),
        charts=len(list(built.charts.glob("*.svg"))),
        checks=(counts.get("passed", 0), counts.get("warned", 0), counts.get("failed", 0)),
    )
