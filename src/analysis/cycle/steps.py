"""The report cycle, step by step. Each notebook in notebooks/ calls one of these functions.

A period's outputs are built in a staging folder (`output_dir`), in this order:

    ingest    raw snapshots -> data/processed/ingest (its own staged swap)
    tables    period tables -> <output_dir>/tables/<name>.parquet
    validate  the quality gate -> <output_dir>/validation/{summary.json, validation.html}; raises on a
              critical failure, so nothing after it runs and nothing is published
    charts    <output_dir>/charts/<id>.{vl.json,svg,png}
    report    <output_dir>/report.html

`analysis run` publishes the staging folder to reports/<period> in one step only when every
step succeeded (see run.py).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.core import faults
from analysis.core import schema
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.core.staging import naming_write_errors
from analysis.core.storage import write_parquet

TABLES_DIR, CHARTS_DIR, VALIDATION_DIR, NOTEBOOKS_DIR = "tables", "charts", "validation", "notebooks"


def step_ingest(root: str | Path | None = None):
    from analysis.ingest.build import run_ingest

    summary = run_ingest(root)
    return pl.DataFrame(summary.files, schema=schema.INGEST_LOG)


def step_tables(period: str, root: str | Path | None, output_dir: str | Path) -> dict[str, pl.DataFrame]:
    from analysis.tables.period import build_period_tables, load_inputs

    inputs = load_inputs(project_paths(root), Period.parse(period))
    tables = build_period_tables(inputs)
    folder = Path(output_dir) / TABLES_DIR
    for name, frame in tables.items():
        write_parquet(frame, folder / f"{name}.parquet", schema.PERIOD_TABLES[name])
        faults.checkpoint("tables", folder)   # crash tests stop here: one table written, the rest not
    return tables


def read_tables(output_dir: str | Path) -> dict[str, pl.DataFrame]:
    folder = Path(output_dir) / TABLES_DIR
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in schema.PERIOD_TABLES}


def previous_dir(root: str | Path | None, period: Period) -> Path | None:
    """The previous period's published folder, if it has tables (for the cross-cycle checks)."""
    folder = project_paths(root).reports / period.previous().label
    return folder if (folder / TABLES_DIR).is_dir() else None


def step_validate(period: str, root: str | Path | None, output_dir: str | Path, previous: str | Path | None = None):
    """Run the quality gate on the staged tables; write the summary and page; raise if critical."""
    from analysis.tables.period import load_inputs
    from analysis.quality.gate import ValidationContext, raise_if_critical, render_validation_page, validate_period

    paths, parsed = project_paths(root), Period.parse(period)
    inputs = load_inputs(paths, parsed)
    previous = previous if previous is not None else previous_dir(root, parsed)
    previous_persons = None
    if inputs.previous_snapshot is not None:
        previous_persons = pl.read_parquet(paths.ingest / "restricted" / "registry"
                                           / inputs.previous_snapshot.date.isoformat() / "persons.parquet")
    context = ValidationContext(period=parsed.label, snapshot_date=inputs.snapshot.date,
                                previous_tables=read_tables(previous) if previous else None,
                                previous_persons=previous_persons,
                                small_count_threshold=inputs.policy.small_count_threshold,
                                release_records=inputs.release_records)
    suites = paths.root / "expectations"
    report = validate_period(read_tables(output_dir), inputs.persons, context,
                             suites_dir=suites if suites.is_dir() else None)
    folder = Path(output_dir) / VALIDATION_DIR
    with naming_write_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        report.write_json(folder / "summary.json")
        faults.checkpoint("validation", folder)   # crash tests stop here: the summary written, the page not
        (folder / "validation.html").write_text(render_validation_page(report, parsed.label, inputs.synthetic),
                                                encoding="utf-8", newline="\n")
    raise_if_critical(report)
    return report


def chart_context(period: str, root: str | Path | None):
    # Imported here, as every step's stage is: the gate's kernel imports this module too and need not load
    # Altair and vl-convert.
    from analysis.charts.common import ChartContext
    from analysis.tables.period import load_inputs

    inputs = load_inputs(project_paths(root), Period.parse(period))
    return ChartContext(period=inputs.period.label, period_end=inputs.period.end, synthetic=inputs.synthetic,
                        ledger=inputs.ledger, release_events=inputs.release_events)


def step_charts(period: str, root: str | Path | None, output_dir: str | Path) -> list[Path]:
    from analysis.charts.registry import build_charts
    from analysis.charts.render import save_chart

    charts = build_charts(read_tables(output_dir), chart_context(period, root))
    folder = Path(output_dir) / CHARTS_DIR
    saved: list[Path] = []
    with naming_write_errors(folder):
        # Chart by chart (what charts.registry.save_charts does), so that a crash test can stop between two.
        for chart_id, chart in charts.items():
            saved.extend(save_chart(chart, folder, chart_id))
            faults.checkpoint("charts", folder)
    return saved


def step_report(period: str, root: str | Path | None, output_dir: str | Path) -> Path:
    from analysis.report.page import write_report

    with naming_write_errors(output_dir):
        return write_report(period, root, Path(output_dir))
