"""One-line access for researchers: any published table or chart of any period.

    import analysis
    analysis.load("stock", period="2025-Q4")
    analysis.load_chart("fig-stock-over-time", period="2026-02")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.core import schema
from analysis.core.errors import InputError
from analysis.core.layout import BuildLayout
from analysis.core.paths import project_paths
from analysis.core.periods import Period


def published_periods(root: str | Path | None = None) -> list[str]:
    """Periods with a published report under reports/, in order."""
    reports = project_paths(root).reports
    if not reports.is_dir():
        return []
    found = [p.name for p in reports.iterdir() if not p.name.startswith(".") and BuildLayout(p).report.exists()]
    return [p.label for p in sorted(Period.parse(name) for name in found)]


def period_folder(period: str | None, root) -> Path:
    label = Period.parse(period).label if period else None
    periods = published_periods(root)
    if label is None:
        if not periods:
            raise InputError(project_paths(root).reports, "no period is published yet", fix="run `analysis run`")
        label = periods[-1]
    folder = project_paths(root).reports / label
    if not BuildLayout(folder).report.exists():
        raise InputError(folder, f"period {label} is not published",
                         fix=f"run `analysis run --period {label}` (published: {', '.join(periods) or 'none'})")
    return folder


def load(name: str, period: str | None = None, root: str | Path | None = None) -> pl.DataFrame:
    """A published table of a period (default: the latest published period)."""
    if name not in schema.PERIOD_TABLES:
        raise InputError(name, "no such table", fix=f"choose one of {', '.join(schema.PERIOD_TABLES)}")
    return pl.read_parquet(BuildLayout(period_folder(period, root)).table(name))


@dataclass(frozen=True)
class PublishedChart:
    """A published chart: shows as SVG in JupyterLab; `.spec` is its Vega-Lite JSON (data included)."""

    chart_id: str
    svg_path: Path
    spec_path: Path

    @property
    def spec(self) -> dict:
        return json.loads(self.spec_path.read_text(encoding="utf-8"))

    def _repr_svg_(self) -> str:
        return self.svg_path.read_text(encoding="utf-8")

    def to_altair(self):
        import altair as alt   # lazy: a researcher's `import analysis` should not pay for Altair (about 1 s)

        return alt.Chart.from_dict(self.spec, validate=False)


def load_chart(chart_id: str, period: str | None = None, root: str | Path | None = None) -> PublishedChart:
    layout = BuildLayout(period_folder(period, root))
    folder = layout.charts
    svg, spec = layout.chart(chart_id, ".svg"), layout.chart(chart_id, ".vl.json")
    if not svg.exists():
        available = sorted(p.name[:-4] for p in folder.glob("*.svg"))
        raise InputError(svg, "no such chart", fix=f"choose one of {', '.join(available)}")
    return PublishedChart(chart_id, svg, spec)
