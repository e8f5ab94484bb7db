"""The report cycle, step by step: STEPS is the ordered step list, each step with its notebook in
notebooks/ (which calls the step's function) and the function itself.

A period's outputs are built in a staging folder (`output_dir`, laid out as analysis.core.layout.BuildLayout),
in this order:

    ingest    raw snapshots -> data/processed/ingest (its own staged swap)
    tables    period tables -> tables/<name>.parquet
    validate  the quality gate -> validation/{summary.json, validation.html}; raises on a critical
              failure, so nothing after it runs and nothing is published
    charts    charts/<id>.{vl.json,svg,png}
    report    report.html and numbers.yaml

`analysis run` executes the notebooks and publishes the staging folder to reports/<period> in one step
only when every step succeeded (run.py); `analysis backfill` calls the same functions in-process
(backfill.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from analysis.charts.common import ChartContext
from analysis.charts.registry import build_charts
from analysis.charts.render import save_chart
from analysis.core import faults, schema
from analysis.core.layout import BuildLayout
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.core.staging import naming_write_errors
from analysis.core.storage import write_parquet
from analysis.ingest.build import run_ingest
from analysis.quality import ValidationContext, raise_if_critical, render_validation_page, validate_period
from analysis.report.page import write_report
from analysis.tables import PeriodInputs, build_period_tables, load_inputs, read_period_tables


def step_ingest(root: str | Path | None = None):
    summary = run_ingest(root)
    return pl.DataFrame(summary.files, schema=schema.INGEST_LOG)


def step_tables(period: str, root: str | Path | None, output_dir: str | Path) -> dict[str, pl.DataFrame]:
    inputs = load_inputs(project_paths(root), Period.parse(period))
    tables = build_period_tables(inputs)
    layout = BuildLayout(Path(output_dir))
    for name, frame in tables.items():
        write_parquet(frame, layout.table(name), schema.PERIOD_TABLES[name])
        faults.checkpoint("tables", layout.tables)   # crash tests stop here: one table written, the rest not
    return tables


def previous_dir(root: str | Path | None, period: Period) -> Path | None:
    """The previous period's published folder, if it has tables (for the cross-cycle checks)."""
    folder = project_paths(root).reports / period.previous().label
    return folder if BuildLayout(folder).tables.is_dir() else None


def step_validate(period: str, root: str | Path | None, output_dir: str | Path, previous: str | Path | None = None):
    """Run the quality gate on the staged tables; write the summary and page; raise if critical."""
    paths, parsed = project_paths(root), Period.parse(period)
    inputs = load_inputs(paths, parsed)
    previous = previous if previous is not None else previous_dir(root, parsed)
    previous_persons = inputs.earlier_copies[-1][1] if inputs.earlier_copies else None
    context = ValidationContext(period=parsed.label, snapshot_date=inputs.snapshot.date,
                                previous_tables=read_period_tables(BuildLayout(Path(previous))) if previous else None,
                                previous_persons=previous_persons,
                                small_count_threshold=inputs.policy.small_count_threshold,
                                release_records=inputs.release_records, settings=inputs.settings)
    suites = paths.root / "expectations"
    layout = BuildLayout(Path(output_dir))
    report = validate_period(read_period_tables(layout), inputs.persons, context,
                             suites_dir=suites if suites.is_dir() else None)
    with naming_write_errors(layout.validation):
        layout.validation.mkdir(parents=True, exist_ok=True)
        report.write_json(layout.validation_summary)
        faults.checkpoint("validation", layout.validation)   # crash tests stop here: the summary written, the page not
        layout.validation_page.write_text(render_validation_page(report, parsed.label, inputs.synthetic),
                                          encoding="utf-8", newline="\n")
    raise_if_critical(report)
    return report


def chart_context(inputs: PeriodInputs) -> ChartContext:
    return ChartContext(period=inputs.period.label, period_end=inputs.period.end, synthetic=inputs.synthetic,
                        ledger=inputs.ledger, release_events=inputs.release_events)


def step_charts(period: str, root: str | Path | None, output_dir: str | Path) -> list[Path]:
    inputs = load_inputs(project_paths(root), Period.parse(period))
    layout = BuildLayout(Path(output_dir))
    charts = build_charts(read_period_tables(layout), chart_context(inputs))
    saved: list[Path] = []
    with naming_write_errors(layout.charts):
        # Chart by chart (what charts.registry.save_charts does), so that a crash test can stop between two.
        for chart_id, chart in charts.items():
            saved.extend(save_chart(chart, layout.charts, chart_id))
            faults.checkpoint("charts", layout.charts)
    return saved


def step_report(period: str, root: str | Path | None, output_dir: str | Path) -> Path:
    paths = project_paths(root)
    inputs = load_inputs(paths, Period.parse(period))
    with naming_write_errors(output_dir):
        return write_report(paths, inputs, chart_context(inputs), BuildLayout(Path(output_dir)))


@dataclass(frozen=True)
class Step:
    name: str
    notebook: str                # in notebooks/; it calls `function`
    function: Callable
    reads_previous: bool = False  # takes `previous`: the previous period's build, for the cross-cycle checks


STEPS: tuple[Step, ...] = (
    Step("ingest", "01_ingest.ipynb", step_ingest),
    Step("tables", "02_tables.ipynb", step_tables),
    Step("validate", "03_validate.ipynb", step_validate, reads_previous=True),
    Step("charts", "04_charts.ipynb", step_charts),
    Step("report", "05_report.ipynb", step_report),
)
NOTEBOOKS: tuple[str, ...] = tuple(s.notebook for s in STEPS)


def step(name: str) -> Step:
    return next(s for s in STEPS if s.name == name)
