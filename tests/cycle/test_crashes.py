"""Crashes and full disks (docs/crashes.md).

A run SIGKILLed at any stage leaves the published outputs byte for byte as they were, and readable;
the next run completes and publishes what an uninterrupted run publishes. A full disk or an
unwritable folder ends the run with exit code 4 and a message naming the problem and the folder,
and publishes nothing. The kills and errors are placed with `analysis.core.faults` checkpoints: a test
cannot time a real SIGKILL into a stage, and as root it cannot make a folder unwritable with chmod.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import psutil
import pytest

import analysis
from analysis.core import faults
from analysis.core.errors import InputError
from analysis.core.staging import BUILDS_DIR, exclusive, publish, sweep, unwritable
from conftest import tree_digest

PERIOD = "2026-02"
# Executed notebooks and the manifest record the staging folder and the build time; everything else
# an uninterrupted run publishes must come out byte for byte the same.
NOT_COMPARED = ("MANIFEST.json", "notebooks/")


# ------------------------------------------------------------------ helpers


@pytest.fixture
def scratch():
    """A short folder (kernel socket paths have a length limit) for logs and what killed kernels leave."""
    folder = Path(tempfile.mkdtemp(prefix="crash-"))
    (folder / "runtime").mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _environment(scratch: Path, **fault: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_FAULT")}
    # A killed run cannot remove its kernels' socket folders and connection files: keep them in scratch.
    env.update(TMPDIR=str(scratch), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"), **fault)
    return env


def _command(root: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "analysis.cli", "run", "--root", str(root), "--period", PERIOD, *options]


def _analysis_run(root: Path, scratch: Path, *options: str, **fault: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(root, *options), env=_environment(scratch, **fault), capture_output=True,
                          text=True, timeout=300)


def _report(root: Path) -> Path:
    return root / "reports" / PERIOD


def _ingest(root: Path) -> Path:
    return root / "data" / "processed" / "ingest"


def _compared(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree_digest(folder).items() if not name.startswith(NOT_COMPARED)}


def _published(root: Path) -> dict[str, tuple[Path, dict[str, bytes]]]:
    """Where the published links point and every byte under them."""
    return {target.name: (target.resolve(), tree_digest(target)) for target in (_report(root), _ingest(root))}


def _leftovers(root: Path) -> list[str]:
    """Staging folders nothing published points at, and links never swapped in."""
    found = []
    for target in (_report(root), _ingest(root)):
        current = target.resolve()
        found += [p.name for p in (target.parent / BUILDS_DIR).iterdir() if p.resolve() != current]
        found += [p.name for p in target.parent.glob(f".{target.name}.link-*")]
    return sorted(found)


def _assert_readable(root: Path) -> None:
    assert analysis.published_periods(root) == [PERIOD]
    assert analysis.load("stock", period=PERIOD, root=root).height == 2
    assert "<svg" in analysis.load_chart("fig-stock-over-time", period=PERIOD, root=root)._repr_svg_()
    assert "</html>" in (_report(root) / "report.html").read_text(encoding="utf-8")
    assert pl.read_parquet(_ingest(root) / "public" / "ingest_log.parquet").height == 2


def _assert_unlocked(root: Path) -> None:
    """Neither the period's lock nor the ingest's is held (a held one raises at once)."""
    try:
        with exclusive(root / "reports", f"run-{PERIOD}"), exclusive(root / "data" / "processed", "ingest"):
            pass
    except InputError as exc:
        pytest.fail(f"a lock is still held: {exc}")


def _running(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


# The stages that run inside a notebook kernel: the kill must find kernels, and they must not outlive it.
IN_A_KERNEL = ("tables", "validation", "charts")


def _kill_run_at(stage: str, root: Path, scratch: Path, *options: str) -> None:
    """Start `analysis run`, wait until it pauses at `stage`, SIGKILL its process group, and check that
    its kernels (each in a session of its own, out of reach of the group kill) exit after it."""
    signal_file, log = scratch / f"paused-at-{stage}", scratch / f"killed-at-{stage}.log"
    env = _environment(scratch, ANALYSIS_FAULT_AT=stage, ANALYSIS_FAULT_SIGNAL=str(signal_file))
    with open(log, "wb") as output:
        run = subprocess.Popen(_command(root, *options), env=env, stdout=output, stderr=subprocess.STDOUT,
                               start_new_session=True)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not signal_file.exists():
            if run.poll() is not None:
                pytest.fail(f"the run ended (exit {run.returncode}) before reaching {stage!r}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the run did not reach {stage!r} within 120 s:\n{log.read_text()}")
            time.sleep(0.05)
        children = psutil.Process(run.pid).children(recursive=True)
        if stage in IN_A_KERNEL:
            assert any("ipykernel" in " ".join(c.cmdline()) for c in children), "no kernel found to be orphaned"
        os.killpg(run.pid, signal.SIGKILL)
        assert run.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 20
        while _running(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(children), f"processes outlived the killed run: {_running(children)}"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        for process in _running(children):
            process.kill()


@pytest.fixture(scope="module")
def published_template(small_project_template, tmp_path_factory) -> Path:
    """The small project with 2026-02 published by an uninterrupted run: the outputs every test expects."""
    root = tmp_path_factory.mktemp("crashes") / "project"
    shutil.copytree(small_project_template, root, symlinks=True)
    scratch = Path(tempfile.mkdtemp(prefix="crash-"))
    try:
        result = _analysis_run(root, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert result.returncode == 0, result.stdout + result.stderr
    compared = _compared(_report(root))
    assert {name.split("/")[0] for name in compared} >= {"tables", "charts", "validation", "report.html"}
    return root


@pytest.fixture
def project(published_template, tmp_path) -> Path:
    """A copy of the published project (links are relative, so the copy is published too)."""
    root = tmp_path / "project"
    shutil.copytree(published_template, root, symlinks=True)
    return root


def _invalidate_ingest(root: Path) -> None:
    """As after a code change: the published ingest no longer matches, so the next run ingests again."""
    (_ingest(root) / "BUILD_KEY").unlink()


# ------------------------------------------------------------------ killed runs


@pytest.mark.parametrize("stage", ["ingest", "tables", "validation", "charts", "publish"])
def test_a_run_killed_at_any_stage_keeps_the_published_outputs_and_the_next_run_completes(
        stage, project, published_template, scratch):
    if stage == "ingest":
        _invalidate_ingest(project)
    before = _published(project)

    _kill_run_at(stage, project, scratch, "--force")

    assert _published(project) == before, "the published outputs changed"
    _assert_readable(project)
    assert _leftovers(project), "the kill left no staging behind: it did not land mid-build"
    _assert_unlocked(project)

    rerun = _analysis_run(project, scratch, "--force")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _compared(_report(project)) == _compared(_report(published_template))
    assert (_report(project) / "MANIFEST.json").is_file()
    assert tree_digest(_ingest(project)) == tree_digest(_ingest(published_template))
    assert not _leftovers(project), "the killed run's staging was not swept by the next publish"
    _assert_readable(project)


def test_a_run_killed_just_after_the_swap_has_published_its_complete_build(project, published_template, scratch):
    replaced = _report(project).resolve()

    _kill_run_at("publish-swapped", project, scratch, "--force")

    assert _report(project).resolve() != replaced
    assert _compared(_report(project)) == _compared(_report(published_template))
    assert (_report(project) / "MANIFEST.json").is_file()
    _assert_readable(project)
    assert _leftovers(project) == [replaced.name], "only the replaced build should be left, to be swept"
    _assert_unlocked(project)

    rerun = _analysis_run(project, scratch, "--force")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert not _leftovers(project)


# ------------------------------------------------------------------ full disk, permission denied


@pytest.mark.parametrize("stage, fault", [
    ("tables", "enospc"), ("tables", "eacces"), ("charts", "enospc"), ("charts", "eacces"),
    ("publish", "enospc"), ("publish", "eacces"), ("ingest", "enospc"),
])
def test_a_full_disk_or_an_unwritable_folder_exits_4_names_the_folder_and_publishes_nothing(
        stage, fault, project, scratch):
    if stage == "ingest":
        _invalidate_ingest(project)
    before = _published(project)

    result = _analysis_run(project, scratch, "--force", ANALYSIS_FAULT_AT=stage, ANALYSIS_FAULT=fault)

    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = " ".join(result.stderr.split())
    reason = {"enospc": "No space left on device", "eacces": "Permission denied"}[fault]
    folder = project / "data" / "processed" if stage == "ingest" else project / "reports"
    assert f"error: cannot write outputs: {reason} ({folder}/" in message, message
    assert "nothing was published; the last good outputs are unchanged" in message, message
    what_to_do = message.split("What to do:")[1]
    assert str(folder) in what_to_do and ("disk space" if fault == "enospc" else "permissions") in what_to_do
    assert _published(project) == before, "the published outputs changed"
    assert not _leftovers(project), "the failed build was left behind"
    _assert_unlocked(project)


# ------------------------------------------------------------------ the pieces, without a run


def test_a_checkpoint_does_nothing_unless_its_stage_is_asked_for(monkeypatch, tmp_path):
    monkeypatch.delenv(faults.STAGE, raising=False)
    faults.checkpoint("tables", tmp_path)
    monkeypatch.setenv(faults.STAGE, "charts")
    monkeypatch.setenv(faults.MODE, "enospc")
    faults.checkpoint("tables", tmp_path)
    with pytest.raises(OSError) as full:
        faults.checkpoint("charts", "reports/x")
    assert full.value.errno == errno.ENOSPC and full.value.filename == os.path.abspath("reports/x")
    monkeypatch.setenv(faults.MODE, "eacces")
    with pytest.raises(PermissionError):
        faults.checkpoint("charts")
    monkeypatch.setenv(faults.MODE, "explode")
    with pytest.raises(ValueError, match="expected pause, stuck, enospc or eacces"):
        faults.checkpoint("charts")


def test_a_write_error_from_a_notebook_kernel_is_recognised_and_others_are_not():
    from analysis.cycle.kernel import NotebookFailed

    def from_kernel(ename, evalue):
        os_error = NotebookFailed("02_tables.ipynb", ename, evalue).os_error()
        return unwritable(os_error) if os_error is not None else None

    full = from_kernel("OSError", "[Errno 28] No space left on device: '/p/reports/.builds/2026-02-0a/tables'")
    assert full is not None and full.path == "/p/reports/.builds/2026-02-0a/tables" and full.folder == "/p/reports"
    denied = from_kernel("PermissionError", "[Errno 13] Permission denied: '/p/r/x'")
    assert denied is not None and "Permission denied (/p/r/x)" in str(denied)
    assert NotebookFailed("02_tables.ipynb", "KeyError", "'[Errno 28] in a key'").os_error() is None
    assert from_kernel("FileNotFoundError", "[Errno 2] No such file: 'x'") is None
    read_only = unwritable(OSError(errno.EROFS, "Read-only file system", "/p/reports/.run-2026-02.lock"))
    assert read_only is not None and read_only.folder == "/p/reports"


def _two_builds(tmp_path: Path) -> tuple[Path, Path, Path]:
    target = tmp_path / "reports" / PERIOD
    old, new = (tmp_path / "reports" / BUILDS_DIR / f"{PERIOD}-{n * 12}" for n in "ab")
    for build in (old, new):
        build.mkdir(parents=True)
        (build / "report.html").write_text(build.name)
    publish(old, target)
    return target, old, new


def test_a_publish_that_fails_before_the_swap_leaves_the_target_and_no_link(tmp_path, monkeypatch):
    target, old, new = _two_builds(tmp_path)
    monkeypatch.setenv(faults.STAGE, "publish")
    monkeypatch.setenv(faults.MODE, "enospc")
    with pytest.raises(OSError):
        publish(new, target)
    assert target.resolve() == old and (target / "report.html").read_text() == old.name
    assert not list(target.parent.glob(".*.link-*")) and not new.exists(), "the failed publish left litter"


def test_an_error_after_the_swap_does_not_fail_a_publish_that_happened(tmp_path, monkeypatch):
    target, old, new = _two_builds(tmp_path)
    monkeypatch.setenv(faults.STAGE, "publish-swapped")
    monkeypatch.setenv(faults.MODE, "enospc")
    publish(new, target)   # the caller would remove `new` on an error, leaving the link pointing at nothing
    assert target.resolve() == new and old.is_dir(), "the replaced build is left to the next sweep"


def test_sweep_removes_a_killed_runs_builds_and_links_and_nothing_of_another_target(tmp_path):
    reports = tmp_path / "reports"
    current = reports / BUILDS_DIR / "2025-aaaaaaaaaaaa"
    current.mkdir(parents=True)
    (reports / "2025").symlink_to(current.relative_to(reports))
    killed = reports / BUILDS_DIR / "2025-bbbbbbbbbbbb"
    other = reports / BUILDS_DIR / "2025-01-cccccccccccc"
    for build in (killed, other):
        build.mkdir()
    (reports / ".2025.link-0123abcd").symlink_to(killed.relative_to(reports))
    (reports / ".2025-01.link-0123abcd").symlink_to(other.relative_to(reports))
    sweep(reports / "2025")
    assert sorted(p.name for p in (reports / BUILDS_DIR).iterdir()) == sorted([current.name, other.name])
    assert sorted(p.name for p in reports.glob(".*.link-*")) == [".2025-01.link-0123abcd"]
