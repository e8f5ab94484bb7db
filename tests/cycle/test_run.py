"""The whole report cycle through Papermill, on a small cut of the sample (each run < 1 minute)."""

from __future__ import annotations

import csv
import io
import json
import time

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.cli import main
from conftest import rewrite_snapshot_file, tree_digest

PERIOD = "2026-02"


def run(root, period=PERIOD):
    return CliRunner().invoke(main, ["run", "--root", str(root), "--period", period])


def _publish(root):
    started = time.monotonic()
    result = run(root)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60, "the chain took more than a minute on the small fixture"
    return root


@pytest.fixture(scope="module")
def shared(small_project_template, tmp_path_factory):
    """One published run for the tests that only read it."""
    import shutil

    root = tmp_path_factory.mktemp("shared") / "project"
    shutil.copytree(small_project_template, root, symlinks=True)
    return _publish(root)


@pytest.fixture
def published(small_project):
    """A published run of its own, for tests that change inputs."""
    return _publish(small_project)


def test_the_chain_publishes_tables_charts_validation_report_and_notebooks(shared):
    published = shared
    folder = published / "reports" / PERIOD
    assert folder.is_symlink(), "reports/<period> is swapped in as one link"
    assert sorted(p.stem for p in (folder / "tables").glob("*.parquet")) == sorted(
        ["stock", "flows", "releases", "monthly", "composition", "time_served", "deaths", "reconciliation",
         "coverage"])
    for suffix in (".vl.json", ".svg", ".png"):
        assert len(list((folder / "charts").glob(f"*{suffix}"))) >= 8
    summary = json.loads((folder / "validation" / "summary.json").read_text())
    assert summary["counts"]["failed"] == 0
    html = (folder / "report.html").read_text()
    assert "SYNTHETIC" in html and html.count("<svg") >= 8
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html
    executed = sorted(p.name for p in (folder / "notebooks").glob("*.ipynb"))
    assert executed == ["01_ingest.ipynb", "02_tables.ipynb", "03_validate.ipynb", "04_charts.ipynb",
                        "05_report.ipynb"]
    notebook = json.loads((folder / "notebooks" / "02_tables.ipynb").read_text())
    assert "start_time" not in notebook["metadata"]["papermill"]
    for name in executed:   # the notebooks share kernels, but each reads as if it ran alone
        cells = json.loads((folder / "notebooks" / name).read_text())["cells"]
        counts = [c["execution_count"] for c in cells if c["cell_type"] == "code"]
        assert counts == list(range(1, len(counts) + 1)), (name, counts)


def test_source_notebooks_are_thin_and_stripped(small_project):
    for path in (small_project / "notebooks").glob("*.ipynb"):
        notebook = json.loads(path.read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path.name
        if path.name != "explore.ipynb":
            assert "parameters" in code[0]["metadata"].get("tags", []), path.name
        assert sum(len("".join(c["source"]).splitlines()) for c in code) < 40, f"{path.name} is not thin"


def _corrupt_latest_snapshot(root):
    """2026-02-28: one person released before being detained, and one person of 2025-12-31 removed."""
    path = next((root / "data" / "raw" / "registry" / "2026-02-28").glob("*.csv"))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    former = next(i for i, r in enumerate(rows[1:], 1) if r[col["status"]] == "former" and r[col["release_date"]])
    rows[former][col["release_date"]] = "2019-01-01"
    vanished = next(i for i, r in enumerate(rows[1:], 1) if r[col["status"]] == "active" and i != former)
    del rows[vanished]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    rewrite_snapshot_file(path, buffer.getvalue().encode("utf-8"))


def test_a_corrupted_snapshot_blocks_publication_and_keeps_the_previous_outputs(published):
    before = tree_digest(published / "reports" / PERIOD)
    _corrupt_latest_snapshot(published)
    result = run(published)
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert "table persons" in message and "release_date" in message and "source_row=" in message
    assert "table cross_cycle" in message and "still listed" in message
    assert tree_digest(published / "reports" / PERIOD) == before, "the published outputs changed"
    assert not [p for p in (published / "reports" / ".builds").iterdir() if p.name != (
        published / "reports" / PERIOD).resolve().name], "a failed build was left behind"


def test_a_disagreeing_published_figure_is_flagged_in_the_table_and_the_report(small_project):
    path = small_project / "data" / "raw" / "figures" / "2026-11-22" / "published_figures.csv"
    planted = ('2026-02-14,current_political_prisoners,2500,exact,persons,Planted test source,'
               'A test figure,,"There are 2,500 political prisoners [planted by a test]"\n')
    rewrite_snapshot_file(path, path.read_bytes() + planted.encode())
    result = run(small_project)
    assert result.exit_code == 0, result.output
    folder = small_project / "reports" / PERIOD
    reconciliation = pl.read_parquet(folder / "tables" / "reconciliation.parquet")
    row = reconciliation.filter(pl.col("source_org") == "Planted test source").row(0, named=True)
    assert row["status"] == "outside_tolerance" and row["value"] == 2500
    html = (folder / "report.html").read_text()
    assert "Planted test source published exact 2,500" in html
    summary = json.loads((folder / "validation" / "summary.json").read_text())
    assert summary["counts"]["warned"] >= 1


def test_explore_notebook_loads_a_published_period_in_one_line(shared):
    published = shared
    import papermill

    import analysis

    assert analysis.published_periods(published) == [PERIOD]
    assert analysis.load("stock", period=PERIOD, root=published)["held"].to_list()[-1] > 0
    assert "<svg" in analysis.load_chart("fig-stock-over-time", period=PERIOD, root=published)._repr_svg_()
    output = published / "explore-run.ipynb"
    papermill.execute_notebook(str(published / "notebooks" / "explore.ipynb"), str(output),
                               parameters={"period": PERIOD, "root": str(published)}, kernel_name="python3",
                               progress_bar=False, cwd=str(published / "notebooks"))
    executed = json.loads(output.read_text())
    assert not [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_numbers_yaml_matches_what_the_tables_give(shared):
    published = shared
    """Every number quoted in the report's text is re-derived here from the published tables."""
    import yaml

    folder = published / "reports" / PERIOD
    numbers = yaml.safe_load((folder / "numbers.yaml").read_text())
    t = {p.stem: pl.read_parquet(p) for p in (folder / "tables").glob("*.parquet")}
    stock = {r["position"]: r for r in t["stock"].iter_rows(named=True)}
    flows = {(r["direction"], r["mechanism"]): r["persons"] for r in t["flows"].iter_rows(named=True)}
    exits = sum(n for (direction, _), n in flows.items() if direction == "exit")
    entries = flows[("entry", "newly_detained")]
    monthly = t["monthly"].filter(pl.col("in_period"))
    derived = {
        "held_start": stock["start"]["held"], "held_end": stock["end"]["held"],
        "held_change": stock["end"]["held"] - stock["start"]["held"],
        "held_end_women": stock["end"]["women"], "held_end_aged_60_plus": stock["end"]["aged_60_plus"],
        "entries": int(monthly["entries"].sum()), "exits": int(monthly["exits"].sum()),
        **{f"exits_{m}": int(monthly[f"exits_{m}"].sum()) for m in
           ("end_of_term", "pardon", "pardon_with_expulsion", "death_in_custody", "other")},
        "exit_entry_ratio": round(exits / entries, 2) if entries else None,
        "release_waves": t["releases"].height,
        "released_in_waves_published": int(t["releases"]["released"].sum()),
        "expelled_to_lithuania_published": int(t["releases"]["expelled_to_lithuania"].fill_null(0).sum()),
        "expelled_to_ukraine_published": int(t["releases"]["expelled_to_ukraine"].fill_null(0).sum()),
        "deaths_in_custody_to_date": t["deaths"].height,
        "deaths_in_custody_in_period": t["deaths"].filter(pl.col("in_period")).height,
        "published_figures_in_period": t["reconciliation"].height,
        "published_figures_outside_tolerance": t["reconciliation"].filter(
            pl.col("status") == "outside_tolerance").height,
        "published_figures_within_uncertainty": t["reconciliation"].filter(
            pl.col("status") == "within_uncertainty").height,
        **{f"held_{p}_{b}": stock[p][f"held_{b}"] for p in ("start", "end") for b in ("lower", "upper")},
        "held_end_listed_without_detention_date": stock["end"]["listed_without_detention_date"],
        "exits_dated_by_rule": int(monthly["exits_dated_by_rule"].sum()),
        **{f"coverage_{r['item']}": r["records"] for r in t["coverage"].iter_rows(named=True)},
    }
    assert numbers == derived
    html = (folder / "report.html").read_text()
    for name in ("held_end", "entries", "exits", "held_end_women", "deaths_in_custody_to_date"):
        assert f">{numbers[name]:,}<" in html, name


def test_manifest_records_inputs_code_libraries_and_outputs(shared):
    published = shared
    manifest = json.loads((published / "reports" / PERIOD / "MANIFEST.json").read_text())
    assert manifest["period"] == PERIOD and manifest["parameters"] == {"period": PERIOD, "root": "."}
    assert {"polars", "pyarrow", "altair", "vl-convert-python", "great-expectations"} <= set(manifest["libraries"])
    paths = [i["path"] for i in manifest["inputs"]]
    assert "data/raw/registry/2026-02-28/metadata.yaml" in paths and "data/raw/registry/2025-12-31/metadata.yaml" in paths
    registry = next(i for i in manifest["inputs"] if i["path"].endswith(".csv") and "registry" in i["path"])
    assert registry["source"]["synthetic"] is True and len(registry["sha256"]) == 64
    outputs = {o["path"]: o for o in manifest["outputs"]}
    assert outputs["tables/stock.parquet"]["rows"] == 2 and outputs["report.html"]["compared"]
    assert not outputs["notebooks/02_tables.ipynb"]["compared"]
    assert manifest["validation"]["counts"]["failed"] == 0


def test_reproduce_matches_every_output_byte_for_byte(shared):
    published = shared
    result = CliRunner().invoke(main, ["reproduce", "--root", str(published), PERIOD])
    assert result.exit_code == 0, result.output
    assert "outputs reproduced byte for byte" in result.output and "DIFFERS" not in result.output


def test_reproduce_names_a_changed_raw_file_and_touches_nothing(published):
    path = next((published / "data" / "raw" / "registry" / "2026-02-28").glob("*.csv"))
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    before = tree_digest(published / "reports" / PERIOD)
    result = CliRunner().invoke(main, ["reproduce", "--root", str(published), PERIOD])
    assert result.exit_code == 2
    assert path.name in result.output and "changed since the period was published" in " ".join(result.output.split())
    assert tree_digest(published / "reports" / PERIOD) == before


def test_the_notebooks_are_exactly_the_step_list_in_order():
    from analysis.core.paths import CHECKOUT_DIR
    from analysis.cycle.run import STAGES
    from analysis.cycle.steps import NOTEBOOKS, STEPS

    assert [s.name for s in STEPS] == ["ingest", "tables", "validate", "charts", "report"]
    assert sorted(p.name for p in (CHECKOUT_DIR / "notebooks").glob("0*.ipynb")) == list(NOTEBOOKS)
    assert [s for stage in STAGES for s, _kernel in stage] == list(STEPS)
    for each in STEPS:   # each notebook calls its step's function
        source = (CHECKOUT_DIR / "notebooks" / each.notebook).read_text(encoding="utf-8")
        assert f"from analysis.cycle.steps import {each.function.__name__}" in source, each.notebook
