"""Jupyter kernels shared by a notebook chain, reached over Unix sockets (a run opens no TCP port).

Starting a kernel and importing Polars, Great Expectations and Altair into it costs more than most
steps of a period (about 1 s to start, 2-4 s of imports). A run therefore starts its kernels once,
warming them up while the parent process ingests, and runs several notebooks in each. Each notebook
still begins from nothing a reader could see: before every notebook the IPython namespace, history
and execution count are reset, so an executed notebook reads exactly as if it had run alone. What
carries over is only the imported modules and their per-process caches of ingested Parquet.
"""

from __future__ import annotations

import builtins
import ctypes
import os
import re
import resource
import signal
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "python3"

def skip_iri_grammars() -> None:
    """Keep jsonschema from compiling IRI grammars this package never uses (1.1 s per process).

    jsonschema (under GX, Altair, nbformat and Papermill) imports rfc3987_syntax when it is installed
    (jupyter-events pulls it in), which builds 38 Lark parsers at import time, only to check the
    "iri" string format. Called in the processes a run owns (its parent, kernels and workers), never
    in a researcher's own session; jsonschema then simply has no "iri" format checker.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


# Limits of one notebook step (README, "Crashes"): a cell running longer, or a kernel growing larger
# than this, is stopped with an error instead of hanging the run or the machine.
CELL_TIMEOUT_SECONDS = 900
KERNEL_MEMORY_BYTES = 8 * 1024**3


def bound_this_kernel(parent_pid: int, memory_bytes: int = KERNEL_MEMORY_BYTES) -> None:
    """In a kernel: die with the process that started it (also when that one is SIGKILLed), and never
    grow past `memory_bytes` of data (RLIMIT_DATA: heap and private writable mappings. Not the address
    space: vl-convert's V8 reserves tens of GB of it without using them). Linux only; elsewhere the
    kernel's parent poller remains."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:      # the parent died before the line above took effect
            os._exit(1)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _prelude() -> str:
    """Sent silently before any notebook, so that no notebook's record shows it."""
    return (f"import analysis.cycle.kernel; analysis.cycle.kernel.bound_this_kernel({os.getpid()}); "
            "analysis.cycle.kernel.skip_iri_grammars(); ")


WARM_UP_MAIN = "import analysis.cycle.steps, analysis.tables, analysis.charts.registry, analysis.report.page"
WARM_UP_GATE = "import analysis.cycle.steps, analysis.quality, great_expectations"
RESET = "get_ipython().reset(new_session=True)"


# How an OSError reads once it has crossed from a kernel: "[Errno 28] No space left on device: 'path'".
_OS_ERROR_TEXT = re.compile(r"\[Errno (\d+)\] (.*?)(?:: (['\"])(.*?)\3(?: -> .*)?)?", re.DOTALL)


class NotebookFailed(RuntimeError):
    def __init__(self, name: str, ename: str, evalue: str):
        super().__init__(f"notebook {name} failed: {ename}: {evalue}")
        self.name, self.ename, self.evalue = name, ename, evalue

    def os_error(self) -> OSError | None:
        """The OSError raised in the kernel, rebuilt with its errno and file, if that is what failed."""
        kind = getattr(builtins, self.ename, None)
        match = _OS_ERROR_TEXT.fullmatch(self.evalue.strip())
        if not (isinstance(kind, type) and issubclass(kind, OSError) and match):
            return None
        return OSError(int(match[1]), match[2], match[4])


class SharedKernel:
    """Context manager: start an IPC kernel in `cwd`, warm it up, and run notebooks in it one by one."""

    def __init__(self, cwd: Path, warm_up: str = ""):
        self.cwd, self.warm_up = Path(cwd), warm_up
        self._sockets = None
        self.manager = self.client = None

    def __enter__(self) -> SharedKernel:
        skip_iri_grammars()
        # Jupyter and Papermill are imported only when a kernel starts, after skip_iri_grammars: this module
        # is also imported by every backfill worker (cycle/workers.py), which runs no kernel and must start light.
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._sockets = tempfile.TemporaryDirectory(prefix="analysis-kernel-")
        self.manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                                          ip=str(Path(self._sockets.name) / "kernel"))
        try:
            run_sync(self.manager.start_kernel)(cwd=str(self.cwd))
            self.client = self.manager.blocking_client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=120)
            # Runs in the kernel while the caller gets on with other work.
            self.client.execute(_prelude() + self.warm_up, silent=True, store_history=False)
            import papermill  # noqa: F401  (its import costs ~0.5 s: take it here, not in the first notebook)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def execute(self, source: Path, output: Path, parameters: dict[str, str]) -> Path:
        """Execute one notebook from a fresh namespace; raise NotebookFailed naming the error raised in it."""
        import papermill   # lazy, as in __enter__ (already imported there: this costs nothing)

        reply = self.client.execute_interactive(RESET, silent=True, store_history=False, timeout=600)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not reset the kernel before {source.name}: {reply['content']}")
        output.parent.mkdir(parents=True, exist_ok=True)
        try:
            # No `cwd=` here: the kernel already runs in self.cwd, and Papermill's cwd changes the whole
            # process's directory, which two notebooks running at once would leave in a muddle.
            papermill.execute_notebook(str(source.resolve()), str(output.resolve()), parameters=parameters,
                                       kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                       km=self.manager, execution_timeout=CELL_TIMEOUT_SECONDS)
        except papermill.PapermillExecutionError as exc:
            raise NotebookFailed(source.name, exc.ename, exc.evalue) from None
        except Exception as exc:   # the kernel died (over its memory limit) or a cell ran past its time limit
            if type(exc).__name__ not in ("DeadKernelError", "CellTimeoutError", "TimeoutError"):
                raise
            raise NotebookFailed(source.name, "StepLimit", f"{type(exc).__name__}: {exc}".strip()) from None
        return output

    def __exit__(self, *_exc) -> None:
        from jupyter_core.utils import run_sync   # lazy, as in __enter__

        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None and self.manager.has_kernel:
            # Every notebook has finished and written its files: nothing is lost by not waiting.
            run_sync(self.manager.shutdown_kernel)(now=True)
        if self._sockets is not None:
            self._sockets.cleanup()
