"""Every subcommand of `analysis` has help, and the console entry point is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from analysis.cli import main


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path", [" ".join(p) for p in _commands(main)])
def test_every_subcommand_has_help(path):
    result = CliRunner().invoke(main, [*path.split(), "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20, f"`analysis {path} --help` does not say what it does"


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "analysis"
    assert exe.exists(), f"{exe} missing: install the package (make setup)"
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "ingest" in result.stdout


def test_python_dash_m_is_the_same_command(tmp_path):
    exe = Path(sys.executable).parent / "analysis"
    for args, code in ((["--help"], 0), (["run", "--root", str(tmp_path / "missing")], 2)):
        as_module = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=60)
        as_script = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60)
        assert as_module.returncode == as_script.returncode == code, as_module.stderr + as_module.stdout
        assert as_module.stdout == as_script.stdout


def test_raw_add_copies_bytes_and_records_checksums(tmp_path):
    from analysis.core.digests import sha256_file
    from analysis.ingest.provenance import read_metadata, verify_checksums

    source = tmp_path / "copy.csv"
    source.write_bytes("id,name,status\n1,A B,active\n".encode())
    root = tmp_path / "project"
    root.mkdir()   # --root names an existing project folder (it never creates one by accident)
    args = ["raw", "add", "--root", str(root), "registry", "2026-03-31", str(source), "--producer", "Viasna",
            "--title", "list", "--url", "https://example.org", "--licence", "research use", "--retrieved",
            "2026-04-01"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    meta = read_metadata(root / "data" / "raw" / "registry" / "2026-03-31")
    assert meta.files[0].sha256 == sha256_file(source) and str(meta.retrieved) == "2026-04-01"
    verify_checksums(meta)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "never overwritten" in again.output
