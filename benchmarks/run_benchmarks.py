"""Benchmarks of the embedded sample (a script, not a test): prints a Markdown table for the README.

    .venv/bin/python benchmarks/run_benchmarks.py [--repeats 3] [--backfill-repeats 1]

Each measurement runs the `analysis` command in a fresh copy of the project's inputs (data/raw,
corrections, notebooks, expectations), so "cold" means: nothing ingested, nothing published.
Reported: the median wall-clock time of the repeats, the machine's core count and the versions.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANALYSIS = str(Path(sys.executable).parent / "analysis")
INPUTS = ("data/raw", "decisions", "notebooks", "expectations")
FIRST, LAST = "2020-05", "2026-02"


def fresh_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="analysis-bench-")) / "project"
    for folder in INPUTS:
        shutil.copytree(REPO / folder, root / folder)
    return root


def timed(root: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([ANALYSIS, *args, "--root", str(root)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(name: str, repeats: int, setup, *args: str) -> tuple[str, list[float]]:
    times = []
    for _ in range(repeats):
        root = setup()
        times.append(timed(root, *args))
        shutil.rmtree(root.parent, ignore_errors=True)
    print(f"{name}: {[round(t, 2) for t in times]}", file=sys.stderr)
    return name, times


def noop(repeats: int) -> tuple[str, list[float]]:
    """Backfill once (not timed), then time the same backfill again with nothing changed."""
    root = fresh_project()
    timed(root, "backfill", "--from", FIRST, "--to", LAST, "--jobs", str(os.cpu_count() or 1))
    times = [timed(root, "backfill", "--from", FIRST, "--to", LAST, "--jobs", "2") for _ in range(repeats)]
    shutil.rmtree(root.parent, ignore_errors=True)
    print(f"no-op: {[round(t, 2) for t in times]}", file=sys.stderr)
    return "no-op backfill over the same range (nothing changed)", times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backfill-repeats", type=int, default=1)
    args = parser.parse_args()
    rows = [
        measure("cold single period (`analysis run --period 2026-02`, includes ingest)", args.repeats, fresh_project,
                "run", "--period", LAST),
        measure(f"full backfill {FIRST}..{LAST}, 1 job (70 months, cold)", args.backfill_repeats, fresh_project,
                "backfill", "--from", FIRST, "--to", LAST, "--jobs", "1"),
        measure(f"full backfill {FIRST}..{LAST}, 2 jobs (cold)", args.backfill_repeats, fresh_project,
                "backfill", "--from", FIRST, "--to", LAST, "--jobs", "2"),
        noop(args.repeats),
    ]
    print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print("| measurement | median (s) | runs |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.1f} | {len(times)} |")


if __name__ == "__main__":
    main()
