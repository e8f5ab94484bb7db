"""Do two versions of the code publish the same bytes? A refactor must not change a single output.

    .venv/bin/python tools/byte_identity.py --baseline <git rev> [--from 2020-05 --to 2026-02 --jobs 2]

Checks out the baseline revision in a scratch worktree, backfills every period of the range with it and
with the working tree (each in a scratch copy of its own checkout, run with this environment's
libraries), and compares, period by period, every published file: tables, chart specs, SVGs, PNGs,
validation summary and page, numbers.yaml and report. MANIFEST.json records the code version and the
build time, so it is not compared. Prints one line per period and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
NOT_COMPARED = ("MANIFEST.json",)


def _digests(reports: Path) -> dict[str, dict[str, str]]:
    """period -> {relative path: sha256} of everything published (links resolved)."""
    out: dict[str, dict[str, str]] = {}
    for period in sorted(p for p in reports.iterdir() if p.is_symlink() or (p.is_dir() and not p.name.startswith("."))):
        folder = period.resolve()
        out[period.name] = {f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
                            for f in sorted(folder.rglob("*")) if f.is_file() and f.name not in NOT_COMPARED}
    return out


def _backfill(checkout: Path, first: str, last: str, jobs: int) -> dict[str, dict[str, str]]:
    """Backfill the range with the code and data of `checkout`, in a scratch copy of it."""
    project = Path(tempfile.mkdtemp(prefix="identity-")) / "project"
    shutil.copytree(checkout, project, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "processed"))
    (project / "data" / "processed").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "ANALYSIS_ROOT": str(project)}
    command = [sys.executable, "-m", "analysis.cli", "backfill", "--from", first, "--to", last, "--jobs", str(jobs)]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"backfill failed in {project}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    print(f"  {checkout.name}: {result.stdout.strip().splitlines()[-1]}", flush=True)
    return _digests(project / "reports")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--from", dest="first", default="2020-05")
    parser.add_argument("--to", dest="last", default="2026-02")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    worktree = Path(tempfile.mkdtemp(prefix="identity-baseline-")) / "baseline"
    subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", str(worktree), args.baseline], check=True,
                   capture_output=True)
    try:
        print(f"baseline {args.baseline} and the working tree, {args.first}..{args.last}:", flush=True)
        before = _backfill(worktree, args.first, args.last, args.jobs)
        after = _backfill(HERE, args.first, args.last, args.jobs)
    finally:
        subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(worktree)], capture_output=True)
    differing = 0
    for period in sorted(set(before) | set(after)):
        old, new = before.get(period, {}), after.get(period, {})
        changed = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
        differing += bool(changed)
        print(f"{period}: {'identical' if not changed else 'DIFFERS: ' + ', '.join(changed[:8])} "
              f"({len(new)} files)")
    print(f"{len(set(before) | set(after)) - differing} of {len(set(before) | set(after))} periods identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
