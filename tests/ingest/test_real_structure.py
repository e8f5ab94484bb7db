"""Proof on real structure: the whole report cycle on the anonymised real half of a copy of the list
(mid-February 2023, flattened JSON), alone in a project made by `analysis init`, with no sample and no
release records. Its counts are checked against a count by hand of the raw JSON."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.cli import main

REPO = Path(__file__).resolve().parents[2]
HALF = REPO / "data" / "raw" / "real_structure" / "2023-02-15" / "viasna_2023-02_anonymised_half.json"
COPY_DATE = dt.date(2023, 2, 15)
MONTH_ENDS = [dt.date(2020, 12, 31), dt.date(2021, 6, 30), dt.date(2021, 12, 31), dt.date(2022, 6, 30),
              dt.date(2022, 12, 31), dt.date(2023, 1, 31)]


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def by_hand(day: dt.date) -> tuple[int, int]:
    """Certainly and possibly held on `day`, counted from the raw JSON with no package code: every date
    in this copy is a full day or empty, and it has no deaths column."""
    lower = upper = 0
    for record in json.loads(HALF.read_text(encoding="utf-8")):
        status, arrested, released = record["status"], _day(record["arrested"]), _day(record["release_date"])
        if status == "np":
            continue
        if day == COPY_DATE:
            lower += status == "active"
            upper += status == "active"
            continue
        still = status == "active" or (released is not None and released > day)
        lower += arrested is not None and arrested <= day and still
        maybe_still = still or (status == "former" and released is None and day < COPY_DATE)
        upper += (arrested is None or arrested <= day) and maybe_still
    return lower, upper


@pytest.fixture(scope="module")
def real_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("real") / "project"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    added = runner.invoke(main, ["raw", "add", "registry", "2023-02-15", str(HALF), "--root", str(root),
                                 "--producer", "Viasna (anonymised half)", "--title", "test", "--licence", "test",
                                 "--retrieved", "2023-02-16"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(main, ["run", "--root", str(root), "--period", "2023-01"])
    assert result.exit_code == 0, result.output
    return root


def test_a_fresh_project_holds_no_synthetic_data(real_project):
    raw = real_project / "data" / "raw"
    assert not [p for p in raw.rglob("*") if "SYNTHETIC" in p.name.upper()]
    assert not list((raw / "releases").glob("*/*release_records*"))
    assert not list(raw.glob("real_structure"))


def test_the_copy_publishes_and_its_own_count_is_its_active_records(real_project):
    from analysis.tables.custody import held_counts
    from analysis.core.paths import project_paths
    from analysis.core.periods import Period
    from analysis.tables import load_inputs

    folder = real_project / "reports" / "2023-01"
    summary = json.loads((folder / "validation" / "summary.json").read_text())
    assert summary["counts"]["failed"] == 0 and not summary["synthetic"]
    coverage = dict(pl.read_parquet(folder / "tables" / "coverage.parquet").select("item", "records").iter_rows())
    active = sum(r["status"] == "active" for r in json.loads(HALF.read_text(encoding="utf-8")))
    assert coverage["active"] == active == 732
    inputs = load_inputs(project_paths(real_project), Period.parse("2023-01"))
    counts = held_counts(inputs.timeline, COPY_DATE, COPY_DATE)
    assert counts["held"] == counts["held_lower"] == counts["held_upper"] == active
    assert (counts["held_lower"], counts["held_upper"]) == by_hand(COPY_DATE)


@pytest.mark.parametrize("day", MONTH_ENDS)
def test_month_end_bounds_equal_a_count_by_hand_and_hold_the_point(real_project, day):
    monthly = pl.read_parquet(real_project / "reports" / "2023-01" / "tables" / "monthly.parquet")
    row = monthly.filter(pl.col("month_end") == day).row(0, named=True)
    assert (row["held_end_lower"], row["held_end_upper"]) == by_hand(day)
    assert row["held_end_lower"] <= row["held_end"] <= row["held_end_upper"]


def test_the_report_explains_the_bounds_and_what_is_missing(real_project):
    html = (real_project / "reports" / "2023-01" / "report.html").read_text(encoding="utf-8")
    assert "What this copy can and cannot say" in html and "No person-level release records" in html
    assert "SYNTHETIC" not in html and "sample generate" not in html
