"""Fault injection for the crash tests: named checkpoints where a run can be paused or made to fail.

Production code calls `checkpoint("<stage>")` at the moments where a crash or a full disk matters;
it does nothing (one environment lookup) unless the environment asks for that stage:

    ANALYSIS_FAULT_AT=<stage>     the checkpoint to act at (see STAGES)
    ANALYSIS_FAULT=pause          (default) write this process's pid to $ANALYSIS_FAULT_SIGNAL, then
                                  sleep until killed: a test waits for the file, then SIGKILLs the run
    ANALYSIS_FAULT=enospc         raise OSError(ENOSPC), as a full disk would
    ANALYSIS_FAULT=eacces         raise PermissionError(EACCES), as an unwritable folder would
    ANALYSIS_FAULT=stuck          like pause, but stuck inside one call that never lets go of the
                                  interpreter (a runaway regular expression): no Python thread of the
                                  process runs again, so only the operating system can end it

The tests need this because a test cannot time a real SIGKILL into a given stage, and because they
run as root, where chmod cannot make a folder unwritable. Notebook kernels inherit the environment
of `analysis run`, so the checkpoints inside notebook steps work the same way.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import time
from pathlib import Path

STAGE, MODE, SIGNAL = "ANALYSIS_FAULT_AT", "ANALYSIS_FAULT", "ANALYSIS_FAULT_SIGNAL"

# Where each checkpoint sits. Each one is reached after some output of its stage was written.
STAGES = {
    "ingest": "ingest.build.ingest_registry: a snapshot's Parquet is staged, the ingest not yet swapped in",
    "tables": "cycle.steps.step_tables: the first period table is written, the others not yet",
    "validation": "cycle.steps.step_validate: the suites ran, summary.json is written, validation.html not yet",
    "charts": "cycle.steps.step_charts: the first chart is written, the others not yet",
    "publish": "staging.publish: the new link exists beside the old one, not yet swapped in",
    "publish-swapped": "staging.publish: the new build is published, the one it replaced not yet removed",
}


def checkpoint(stage: str, path: str | Path | None = None) -> None:
    """Pause or fail here if ANALYSIS_FAULT_AT names `stage`; `path` is the file or folder being written."""
    if os.environ.get(STAGE) != stage:
        return
    mode = os.environ.get(MODE, "pause")
    where = os.path.abspath(path) if path is not None else None
    if mode in ("pause", "stuck"):
        _pause(stage, stuck=mode == "stuck")
    elif mode == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), where)
    elif mode == "eacces":
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), where)
    else:
        raise ValueError(f"{MODE}={mode!r}: expected pause, stuck, enospc or eacces")


def _pause(stage: str, stuck: bool = False) -> None:
    signal_file = os.environ.get(SIGNAL)
    if signal_file:
        # Written whole, then renamed, so that a watcher never sees an empty file.
        partial = f"{signal_file}.{os.getpid()}.partial"
        Path(partial).write_text(f"{os.getpid()}\n", encoding="utf-8")
        os.replace(partial, signal_file)
    print(f"analysis: paused at fault checkpoint {stage!r} (pid {os.getpid()}); kill me", file=sys.__stderr__,
          flush=True)
    if stuck:   # catastrophic backtracking: one C call that holds the GIL for longer than any test runs
        re.match(r"(a+)+$", "a" * 64 + "b")
    while True:
        time.sleep(3600)
