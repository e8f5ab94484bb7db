"""`analysis run --period P`: the report cycle as a chain of notebooks, run by Papermill.

Write, audit, publish: every notebook writes into one staging folder under reports/.builds/;
only when the whole chain succeeded (the validation notebook raises on a critical failure) is
reports/<period> pointed at it, in one step. A failure exits non-zero and leaves the previously
published outputs byte for byte as they were.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InputError, ValidationFailed
from .manifest import write_manifest
from .paths import ProjectPaths, project_paths
from .periods import Period
from .staging import BUILDS_DIR, exclusive, publish

NOTEBOOKS = ("01_ingest.ipynb", "02_tables.ipynb", "03_validate.ipynb", "04_charts.ipynb", "05_report.ipynb")
KERNEL = "python3"


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
    from .provenance import list_snapshots

    snapshots = list_snapshots(project_paths(root).raw, "registry")
    if not snapshots:
        raise InputError(project_paths(root).raw / "registry", "no registry snapshots",
                         fix="add a copy with `analysis raw add registry ...` or run `analysis sample generate`")
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


def _ipc_kernel_manager(socket_dir: str):
    """A kernel manager that talks to its kernel over Unix sockets, not TCP: a run opens no network port."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(socket_dir) / "kernel"))
            super().__init__(**kwargs)

    return IPCKernelManager


def _execute(paths: ProjectPaths, name: str, build: Path, parameters: dict[str, str]) -> Path:
    import papermill

    output = build / "notebooks" / name
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
            papermill.execute_notebook(str(paths.root / "notebooks" / name), str(output), parameters=parameters,
                                       kernel_name=KERNEL, progress_bar=False, log_output=False,
                                       cwd=str(paths.root), kernel_manager_class=_ipc_kernel_manager(sockets))
    except papermill.PapermillExecutionError as exc:
        if exc.ename == "ValidationFailed":
            raise ValidationFailed(exc.evalue) from None
        if exc.ename in ("InputError", "ChecksumMismatch"):
            raise InputError(paths.root / "notebooks" / name, exc.evalue) from None
        raise RuntimeError(f"notebook {name} failed: {exc.ename}: {exc.evalue}") from None
    finally:
        if output.exists():
            _scrub(output)
    return output


def current_key(paths: ProjectPaths, period: Period) -> str:
    """The content address of a period: its inputs, the code, the lock and the previous period's tables."""
    from .keys import period_key, tables_digest
    from .pipeline import previous_dir

    previous = previous_dir(paths.root, period)
    return period_key(paths, period, tables_digest(previous / "tables") if previous else "")


def run_period(period: str | None = None, root: str | Path | None = None,
               progress: Callable[[str, int, int], None] = lambda _n, _i, _t: None, force: bool = False) -> RunResult:
    """Run the notebook chain for one period; publish reports/<period> only if every step passed.

    Nothing is rebuilt when the published period came from the same inputs, code and parameters.
    """
    from .ingest import run_ingest
    from .keys import published_key
    from .pipeline import previous_dir

    paths = project_paths(root)
    parsed = Period.parse(period or default_period(root))
    target = paths.reports / parsed.label
    builds = paths.reports / BUILDS_DIR
    builds.mkdir(parents=True, exist_ok=True)
    with exclusive(paths.reports, f"run-{parsed.label}"):
        run_ingest(paths.root, wait_seconds=600)
        key = current_key(paths, parsed)
        if not force and published_key(paths, parsed.label) == key:
            result = _result(parsed, target, target, paths)
            result.skipped = True
            return result
        build = builds / f"{parsed.label}-{uuid.uuid4().hex[:12]}"
        build.mkdir()
        parameters = {"period": parsed.label, "root": ".", "output_dir": build.relative_to(paths.root).as_posix()}
        try:
            executed = []
            for index, name in enumerate(NOTEBOOKS):
                progress(name, index, len(NOTEBOOKS))
                executed.append(_execute(paths, name, build, parameters))
            progress("publish", len(NOTEBOOKS), len(NOTEBOOKS))
            write_manifest(paths, parsed, build, parameters, key, previous_dir(paths.root, parsed))
            result = _result(parsed, build, target, paths)
        except BaseException as exc:
            if isinstance(exc, ValidationFailed):
                _keep_failed_validation(paths, parsed, build)
            shutil.rmtree(build, ignore_errors=True)
            raise
        publish(build, target)
        shutil.rmtree(paths.reports / ".failed" / parsed.label, ignore_errors=True)
    result.notebooks = [target / "notebooks" / p.name for p in executed]
    return result


def _keep_failed_validation(paths: ProjectPaths, period: Period, build: Path) -> None:
    """Keep a blocked run's validation results (no personal data) in reports/.failed/<period> for inspection."""
    source = build / "validation"
    if source.is_dir():
        target = paths.reports / ".failed" / period.label / "validation"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def _result(period: Period, build: Path, target: Path, paths: ProjectPaths) -> RunResult:
    summary = json.loads((build / "validation" / "summary.json").read_text(encoding="utf-8"))
    counts = summary.get("counts", {})
    return RunResult(
        period=period.label, report=target.relative_to(paths.root) / "report.html",
        tables=len(list((build / "tables").glob("*.parquet"))),
        charts=len(list((build / "charts").glob("*.svg"))),
        checks=(counts.get("passed", 0), counts.get("warned", 0), counts.get("failed", 0)),
    )
