"""Ingest is deterministic, publishes in one step, and keeps the previous build on failure."""

from __future__ import annotations

import pytest

from analysis.ingest.build import run_ingest
from conftest import tree_digest


def test_two_runs_give_byte_identical_outputs(project):
    run_ingest(project)
    first = tree_digest(project / "data" / "processed" / "ingest")
    run_ingest(project, force=True)
    assert tree_digest(project / "data" / "processed" / "ingest") == first
    assert {p.split("/")[0] for p in first} == {"public", "restricted", "BUILD_KEY"}


def test_an_unchanged_ingest_is_skipped_and_a_changed_one_is_not(project):
    from conftest import add_snapshot, machine_csv

    assert not run_ingest(project).skipped
    build = (project / "data" / "processed" / "ingest").resolve()
    assert run_ingest(project).skipped and (project / "data" / "processed" / "ingest").resolve() == build
    add_snapshot(project, "2026-03-31", "registry.csv", machine_csv().encode())
    assert not run_ingest(project).skipped


def test_a_crash_mid_build_leaves_the_previous_build(project, monkeypatch):
    run_ingest(project)
    before = tree_digest(project / "data" / "processed" / "ingest")

    def explode(*_args, **_kwargs):
        raise RuntimeError("simulated crash while writing figures")

    monkeypatch.setattr("analysis.ingest.build.ingest_releases_and_figures", explode)
    with pytest.raises(RuntimeError):
        run_ingest(project, force=True)
    assert tree_digest(project / "data" / "processed" / "ingest") == before
    builds = list((project / "data" / "processed" / ".builds").iterdir())
    assert len(builds) == 1, "the failed build's staging folder was not removed"


def test_a_second_concurrent_ingest_is_refused(project):
    from analysis.core.errors import InputError
    from analysis.core.paths import project_paths
    from analysis.core.staging import exclusive

    with exclusive(project_paths(project).processed, "ingest"):
        with pytest.raises(InputError, match="another 'ingest' run holds the lock"):
            run_ingest(project)
