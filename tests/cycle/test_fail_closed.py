"""Fail closed: each class of the held-out attack gets a clear message (exit 2 or 4), a quarantine with its
reason, or a leak-scan hit; never a traceback, a hang, a write outside the project, or a wrong name."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.cli import main
from conftest import REPO, add_snapshot, machine_csv

FIGURES = REPO / "data" / "raw" / "figures"


def cli(*args: str, root: Path | None = None):
    arguments = list(args) + (["--root", str(root)] if root is not None else [])
    return CliRunner().invoke(main, arguments)


def refused(result, *phrases: str, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output)


@pytest.fixture
def ingested(project: Path) -> Path:
    assert cli("ingest", root=project).exit_code == 0
    return project


# ------------------------------------------------------------------ periods


@pytest.mark.parametrize("period, phrase", [
    ("0000-01", "year 0000 is outside"),
    ("２０２６-02", "not plain ASCII"),
    ("2026-02\u200b", "not plain ASCII"),
    ("2019-12", "ends before the series starts"),
    ("2099-01", "no registry snapshot covers 2099-01"),
])
def test_a_period_outside_the_data_is_bad_input(project, period, phrase):
    refused(cli("run", "--period", period, root=project), phrase)
    assert not (project / "reports").exists(), "nothing is built for a period that cannot be counted"


# ------------------------------------------------------------------ snapshot metadata


def _meta(folder: Path) -> Path:
    return folder / "metadata.yaml"


@pytest.mark.parametrize("edit, phrase", [
    (lambda t: t.replace("name: registry_2026-02-28.csv", "name: ../../figures/x.csv"), "not a plain file name"),
    (lambda t: t.replace("name: registry_2026-02-28.csv", "name: /etc/passwd"), "not a plain file name"),
    (lambda t: t.replace("bytes: ", "bytes: many # "), "bytes"),
    (lambda t: t.replace("files:", "files: 7\nold_files:"), "files"),
    (lambda t: t + "snapshot_dat: '2026-02-28'\n", "snapshot_dat"),
    (lambda t: t.replace("retrieved: '2026-03-01'", "retrieved: '2099-03-01'"), "in the future"),
    (lambda t: "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" + t,
     "alias or anchor"),
])
def test_malformed_snapshot_metadata_is_refused_naming_the_field(project, edit, phrase):
    path = _meta(project / "data" / "raw" / "registry" / "2026-02-28")
    path.write_text(edit(path.read_text()))
    started = time.monotonic()
    refused(cli("ingest", root=project), "metadata.yaml", phrase)
    assert time.monotonic() - started < 10


def test_a_snapshot_dated_after_it_was_retrieved_is_refused(project):
    folder = project / "data" / "raw" / "registry" / "2099-01-31"
    add_snapshot(project, "2099-01-31", "registry_2099.csv", machine_csv().encode())
    path = _meta(folder)
    path.write_text(path.read_text().replace("retrieved: '2099-01-31'", "retrieved: '2026-03-01'"))
    refused(cli("ingest", root=project), "snapshot_date 2099-01-31 is after the date it was retrieved")


def test_a_file_outside_the_snapshot_folder_is_never_read(project, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(machine_csv())
    path = _meta(project / "data" / "raw" / "registry" / "2026-02-28")
    path.write_text(path.read_text().replace("name: registry_2026-02-28.csv", f"name: {outside}"))
    refused(cli("ingest", root=project), "not a plain file name")


# ------------------------------------------------------------------ the privacy policy and withheld list


@pytest.mark.parametrize("text, phrase", [
    ("small_count_threshold: [1, 2]", "small_count_threshold"),
    ("small_count_threshold: {value: 3, reason: a reason long enough}\nsmall_count_treshold: 5\n", "small_count_treshold"),
    ("small_count_threshold: {value: 3}\n", "reason"),
    ("a: &a [1, 1, 1, 1]\nb: [*a, *a, *a]\n", "alias or anchor"),
    ("small_count_threshold: 3\n  : [", "not valid YAML"),
])
def test_a_malformed_policy_is_refused(tmp_path, text, phrase):
    from analysis.core.errors import InputError
    from analysis.core.paths import project_paths
    from analysis.tables.disclosure import load_policy

    policy = tmp_path / "decisions" / "privacy_policy.yaml"
    policy.parent.mkdir(parents=True)
    policy.write_text(text)
    started = time.monotonic()
    with pytest.raises(InputError, match=f"policy.yaml.*{phrase}"):
        load_policy(project_paths(tmp_path))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_the_withheld_list_is_read_in_every_encoding_and_an_unknown_id_stops_the_run(ingested, encoding):
    from analysis.core.errors import InputError
    from analysis.core.paths import project_paths
    from analysis.tables.disclosure import check_withheld_ids, load_policy

    path = ingested / "decisions" / "withheld_records.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("record_id,reason\n101,родные просят\n".encode(encoding))
    assert load_policy(project_paths(ingested)).withheld_ids == {101}
    check_withheld_ids(project_paths(ingested))
    path.write_bytes("record_id,reason\n1011,родные просят (a typo of 101)\n".encode(encoding))
    with pytest.raises(InputError, match="withheld_records.csv, row 1, field 'record_id': record id 1011 is in no copy"):
        check_withheld_ids(project_paths(ingested))


# ------------------------------------------------------------------ corrections


CORRECTIONS = "snapshot_date,record,field,expected_value,corrected_value,reason,decided_by,decided_on\n"


@pytest.mark.parametrize("row, phrase", [
    ("2026-02-28,id:101,arested,2021-05-06,2021-05-07,typo,AB,2026-03-02", "'arested' is not a field"),
    ("2026-02-28,id:101,arrested,2021-05-06,2021-02-30,typo,AB,2026-03-02", "the corrected date is impossible"),
    ("2026-02-30,id:101,arrested,2021-05-06,2021-05-07,typo,AB,2026-03-02", "is not a date"),
    ("2026-01-31,id:101,arrested,2021-05-06,2021-05-07,typo,AB,2026-03-02", "no registry copy is dated 2026-01-31"),
])
def test_a_bad_correction_is_refused_not_logged_as_applied(project, row, phrase):
    path = project / "decisions" / "corrections.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((CORRECTIONS + row + "\n").encode("cp1251"))
    refused(cli("ingest", root=project), "corrections.csv", phrase)


def test_a_correction_saved_with_a_byte_order_mark_in_windows_1251_applies(project):
    path = project / "decisions" / "corrections.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((CORRECTIONS + "2026-02-28,id:101,arrested,2021-05-06,2021-05-07,дата из приговора,AB,"
                      "2026-03-02\n").encode("cp1251"))
    assert cli("ingest", root=project).exit_code == 0
    persons = pl.read_parquet(project / "data/processed/ingest/restricted/registry/2026-02-28/persons.parquet")
    assert persons.filter(pl.col("record_id") == 101)["arrested_from"][0] == dt.date(2021, 5, 7)


# ------------------------------------------------------------------ ledger and release records


def _rewrite(path: Path, text: str) -> None:
    from conftest import rewrite_snapshot_file

    rewrite_snapshot_file(path, text.encode())


def test_a_figure_dated_after_the_ledger_was_retrieved_is_refused(project):
    ledger = next((project / "data" / "raw" / "figures").glob("*/published_figures.csv"))
    lines = ledger.read_text().splitlines()
    lines.append("2099-01-01" + lines[1][lines[1].index(","):])
    _rewrite(ledger, "\n".join(lines) + "\n")
    refused(cli("ingest", root=project), "published_figures.csv", "after the ledger was retrieved")


RECORDS_HEADER = "record_id,release_date,mechanism,destination,documents_withheld,identity_publishable,event_id\n"


@pytest.mark.parametrize("row, phrase", [
    ("205,2026-06-01,pardon,belarus,false,true,", "after the records were compiled"),
    ("205,2023-03-01,pardon,belarus,false,true,2023-03-01-pardon", "is not a wave in release_events.csv"),
])
def test_an_impossible_release_record_is_refused(project, row, phrase):
    add_snapshot(project, "2026-03-01", "release_records.csv", (RECORDS_HEADER + row + "\n").encode(), "releases")
    refused(cli("ingest", root=project), "release_records.csv", phrase)


def test_a_release_record_for_no_one_or_before_the_detention_is_quarantined(project):
    rows = ["205,2023-03-01,pardon,belarus,false,true,", "9999,2023-03-01,pardon,belarus,false,true,",
            "101,2020-01-01,pardon,belarus,false,true,"]
    add_snapshot(project, "2026-03-01", "release_records.csv", (RECORDS_HEADER + "\n".join(rows) + "\n").encode(),
                 "releases")
    assert cli("ingest", root=project).exit_code == 0
    folder = project / "data" / "processed" / "ingest" / "restricted" / "releases"
    kept = pl.read_parquet(folder / "release_records.parquet")
    quarantined = pl.read_parquet(folder / "release_records_quarantine.parquet").sort("record_id")
    assert kept["record_id"].to_list() == [205]
    assert quarantined.select("record_id", "reason").rows() == [
        (101, "the release is dated before the person's detention in the list"),
        (9999, "the record id is in no copy of the list (a typo, or a record of another list)")]


# ------------------------------------------------------------------ files where folders belong, and the reverse


@pytest.mark.parametrize("where, command", [("data/processed", ["ingest"]),
                                            ("reports/.builds", ["run", "--period", "2026-02"])])
def test_a_file_where_a_folder_belongs_is_named(project, where, command):
    target = project / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("not a folder")
    refused(cli(*command, root=project), "a file stands where a folder is needed", code=4)


# ------------------------------------------------------------------ nothing written outside the project


def test_root_pointing_nowhere_creates_nothing(tmp_path):
    nowhere = tmp_path / "no-such-project"
    for args in (["ingest"], ["run", "--period", "2026-02"], ["raw", "verify"]):
        refused(cli(*args, root=nowhere), "does not exist")
    assert not nowhere.exists()


def test_export_refuses_a_target_inside_the_project_s_own_folders(project):
    for target in ("reports/2026-02", "data/raw/exports", "data/processed/x"):
        refused(cli("export", "--period", "2026-02", "--to", str(project / target), root=project), "exports do not go")


@pytest.mark.parametrize("edit, phrase", [
    (lambda m: m.update(inputs=[{"path": "../../outside.txt", "sha256": "0" * 64}]), "not a plain relative path"),
    (lambda m: m.update(inputs=[{"path": "data/../../x", "sha256": "0" * 64}]), "not a plain relative path"),
    (lambda m: m.update(outputs=[{"path": "/etc/passwd", "sha256": "0" * 64, "compared": True}]),
     "not a plain relative path"),
    (lambda m: m.pop("inputs"), "inputs"),
])
def test_reproduce_refuses_a_crafted_manifest_and_writes_nothing_outside(tmp_path, project, edit, phrase):
    manifest = {"period": "2026-02", "inputs": [], "outputs": [], "code": {"commit": "x", "dirty": False}}
    edit(manifest)
    path = tmp_path / "MANIFEST.json"
    path.write_text(json.dumps(manifest))
    refused(cli("reproduce", str(path), root=project), phrase)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_reproduce_refuses_a_truncated_manifest(tmp_path, project):
    path = tmp_path / "MANIFEST.json"
    path.write_text('{"period": "2026-02", "inputs": [')
    refused(cli("reproduce", str(path), root=project), "not a readable manifest")


# ------------------------------------------------------------------ raw add


def test_raw_add_refuses_two_files_of_one_name_a_pipe_and_a_name_in_a_file_name(project, tmp_path):
    common = ["--producer", "p", "--title", "t", "--licence", "l", "--retrieved", "2026-03-02"]
    (tmp_path / "a").mkdir()
    for folder in (tmp_path, tmp_path / "a"):
        (folder / "copy.csv").write_text(machine_csv())
    refused(cli("raw", "add", "registry", "2026-03-01", str(tmp_path / "copy.csv"), str(tmp_path / "a" / "copy.csv"),
                *common, root=project), "two of the files have this name")
    os.mkfifo(tmp_path / "pipe.csv")
    refused(cli("raw", "add", "registry", "2026-03-01", str(tmp_path / "pipe.csv"), *common, root=project),
            "not a regular file")
    named = tmp_path / "Maryia_Testava-registry.csv"
    named.write_text(machine_csv())
    refused(cli("raw", "add", "registry", "2026-03-01", str(named), *common, root=project), "holds a person's name")
    refused(cli("raw", "add", "registry", "2099-03-01", str(tmp_path / "copy.csv"), *common, root=project),
            "cannot be")
    assert not (project / "data" / "raw" / "registry" / "2026-03-01").exists()


# ------------------------------------------------------------------ no traceback


def test_an_unexpected_error_is_a_short_message_asking_for_a_bug_report(project, monkeypatch):
    import analysis.ingest.build

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("an internal mistake")

    monkeypatch.setattr(analysis.ingest.build, "run_ingest", broken)
    result = cli("ingest", root=project)
    assert result.exit_code == 70 and "internal error: ZeroDivisionError" in result.output
    assert "Traceback" not in result.output and "report it" in result.output


# ------------------------------------------------------------------ stopping: Ctrl-C, SIGTERM, a killed parent


def _analysis(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
                            start_new_session=True)


def _published(root: Path) -> dict[str, str]:
    reports = root / "reports"
    return {p.name: os.readlink(p) for p in sorted(reports.glob("20*")) if p.is_symlink()} if reports.exists() else {}


def test_a_backfill_stopped_by_sigterm_publishes_nothing_more_and_says_what_it_published(small_project):
    process = _analysis("backfill", "--root", str(small_project), "--from", "2025-09", "--to", "2026-02",
                        "--jobs", "2")
    deadline = time.monotonic() + 300
    while not _published(small_project) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert _published(small_project), "the backfill published nothing before the deadline"
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "backfill interrupted: nothing was published after the interruption" in output, output
    after = _published(small_project)
    time.sleep(3)
    assert _published(small_project) == after, "a period was published after the backfill said it stopped"
    for label, build in after.items():
        folder = small_project / "reports" / label
        assert (folder / "MANIFEST.json").exists() and (folder / "report.html").exists(), label
        assert label in output
    assert "Traceback" not in output


def _kernel_pids(parent: int) -> list[int]:
    found = subprocess.run(["pgrep", "-f", "ipykernel_launcher"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found if _ancestor(int(pid)) == parent]


def _ancestor(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_kernels_die_with_a_sigkilled_run_even_when_stuck(small_project, tmp_path):
    """A kernel stuck in a call that holds the interpreter (its own parent-watching thread cannot run)
    still ends when `analysis run` is SIGKILLed: the operating system ends it (PR_SET_PDEATHSIG)."""
    signal_file = tmp_path / "paused"
    process = _analysis("run", "--root", str(small_project), "--period", "2026-02", "--force",
                        env={"ANALYSIS_FAULT_AT": "tables", "ANALYSIS_FAULT": "stuck",
                             "ANALYSIS_FAULT_SIGNAL": str(signal_file)})
    deadline = time.monotonic() + 120
    while not signal_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert signal_file.exists(), "the run never reached the tables step"
    kernels = [pid for pid in map(int, subprocess.run(["pgrep", "-f", "ipykernel_launcher"], capture_output=True,
                                                      text=True).stdout.split())]
    ours = [pid for pid in kernels if _ancestor(pid) == process.pid]
    assert ours, "the run has kernels"
    os.kill(process.pid, signal.SIGKILL)            # the parent only, not its process group
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and _ancestor(pid) not in (None, 0) and
              "ipykernel" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace") for pid in ours) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [pid for pid in ours if Path(f"/proc/{pid}").exists()
             and "ipykernel" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
    for pid in alive:   # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive, "a kernel outlived its SIGKILLed run"
    shutil.rmtree(small_project / "reports" / ".builds", ignore_errors=True)
