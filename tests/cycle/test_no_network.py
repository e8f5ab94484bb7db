"""A run makes no network connection: a report must never tell anyone who is being read about.

Two layers. Every Python process of the run (the command, its kernels, its workers) loads an audit
hook that refuses and records any internet socket, DNS lookup or URL opened. Where the machine
allows it (`unshare -rn`), the run also happens in a network namespace with no interface up at all,
which catches native code too (ZeroMQ, vl-convert): there, even a TCP connection to localhost fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PERIOD = "2026-02"

AUDIT_HOOK = '''
import json, os, socket, sys

_LOG = os.environ["ANALYSIS_NETWORK_LOG"]
_INTERNET = (socket.AF_INET, socket.AF_INET6)


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _refuse(event, args):
    if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        if sock.family not in _INTERNET:
            return
        # urllib3 probes for IPv6 by binding ('::1', 0): a local probe that sends nothing anywhere.
        if event == "socket.bind" and args[1][0] in _LOOPBACK:
            return
    elif event not in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request"):
        return
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps({"pid": os.getpid(), "event": event, "args": repr(args[1:])[:200],
                              "argv": sys.argv[:3]}) + "\\n")
    raise PermissionError(f"network use refused in a test run: {event}")


sys.addaudithook(_refuse)
'''


def _namespace_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def test_a_run_opens_no_internet_socket_and_resolves_no_name(small_project, tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "network.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               ANALYSIS_NETWORK_LOG=str(log))
    analysis = str(Path(sys.executable).parent / "analysis")
    prefix = _namespace_prefix()

    # The hook works: a lookup in a process started the same way is refused and recorded.
    probe = subprocess.run([*prefix, sys.executable, "-c", "import socket; socket.getaddrinfo('example.org', 443)"],
                           env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "network use refused" in probe.stderr
    assert json.loads(log.read_text().splitlines()[0])["event"] == "socket.getaddrinfo"
    log.unlink()

    for command in (["run", "--period", PERIOD], ["export", "--period", PERIOD, "--to", str(tmp_path / "csv")]):
        result = subprocess.run([*prefix, analysis, *command, "--root", str(small_project)], env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (prefix, result.stdout[-2000:], result.stderr[-4000:])
    assert not log.exists(), log.read_text()
    assert (small_project / "reports" / PERIOD / "report.html").exists()
