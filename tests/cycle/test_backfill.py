"""Backfills skip what is unchanged and rebuild only what depends on a changed input; runs of one
period exclude each other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from analysis.cycle.backfill import periods_between, run_backfill
from analysis.cli import main
from conftest import rewrite_snapshot_file


def test_periods_between():
    assert [p.label for p in periods_between("2025-11", "2026-02")] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.label for p in periods_between("2024-Q4", "2025-Q2")] == ["2024-Q4", "2025-Q1", "2025-Q2"]


def test_backfill_skips_the_unchanged_and_rebuilds_only_the_dependants(small_project):
    first = run_backfill("2025-12", "2026-02", small_project, jobs=2)
    assert first.built == ["2025-12", "2026-01", "2026-02"] and not first.failed
    for label in first.built:
        assert (small_project / "reports" / label / "MANIFEST.json").exists()

    again = run_backfill("2025-12", "2026-02", small_project, jobs=2)
    assert again.built == [] and sorted(again.skipped) == ["2025-12", "2026-01", "2026-02"]

    # A changed copy dated 2026-02-28: 2026-01 and 2026-02 are counted from it; 2025-12 is not.
    path = next((small_project / "data" / "raw" / "registry" / "2026-02-28").glob("*.csv"))
    rewrite_snapshot_file(path, path.read_bytes().replace(b"SYNTHETIC record", b"SYNTHETIC record.", 1))
    changed = run_backfill("2025-12", "2026-02", small_project, jobs=1)
    assert changed.built == ["2026-01", "2026-02"] and changed.skipped == ["2025-12"]

    # `analysis run` agrees that nothing is left to do.
    result = CliRunner().invoke(main, ["run", "--root", str(small_project), "--period", "2026-02"])
    assert result.exit_code == 0 and "unchanged" in result.output


def test_a_second_run_of_the_same_period_is_refused_while_the_first_holds_it(small_project):
    from analysis.core.staging import exclusive

    (small_project / "reports").mkdir()
    with exclusive(small_project / "reports", "run-2026-02"):
        result = CliRunner().invoke(main, ["run", "--root", str(small_project), "--period", "2026-02"])
    assert result.exit_code == 2 and "another 'run-2026-02' run holds the lock" in " ".join(result.output.split())


def test_two_concurrent_runs_one_proceeds_the_other_is_told(small_project):
    exe = str(Path(sys.executable).parent / "analysis")
    command = [exe, "run", "--root", str(small_project), "--period", "2026-02", "--force"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=300), p.stdout.read()) for p in runs)
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    assert "holds the lock" in " ".join(outcomes[1][1].split())
    verify = CliRunner().invoke(main, ["reproduce", "--root", str(small_project), "2026-02"])
    assert verify.exit_code == 0, verify.output
