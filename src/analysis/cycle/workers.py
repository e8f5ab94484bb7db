"""The state of a backfill's worker process: the parent's stop flag and the lock that makes "check the
flag, then publish" one step, so no worker publishes once the parent has said stop.

Kept apart from backfill.py and light on purpose: a spawned worker imports this module to run
`worker_start` first, which keeps jsonschema from compiling grammars it never uses
(kernel.skip_iri_grammars) before the steps' libraries are imported.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

from analysis.cycle.kernel import skip_iri_grammars

_STOP: dict = {}   # set in each worker by `worker_start`


def worker_start(stop_event, publish_lock) -> None:
    skip_iri_grammars()
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the parent decides; a worker is stopped, not interrupted
    _STOP.update(event=stop_event, lock=publish_lock)


@contextmanager
def publishing_allowed():
    """Yield True when the period may be published: always in-process; in a worker, only before a stop."""
    if not _STOP:
        yield True
        return
    with _STOP["lock"]:
        yield not _STOP["event"].is_set()
