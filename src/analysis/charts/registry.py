"""The charts of a period report, in the report's order: one line per chart in CHART_MODULES.

A chart is one module of this package plus its line here. The module declares `CHART` (a
`common.ChartInfo`: its id and what it draws from) and `build(tables, context)`, which returns the Altair
chart; its title and reading are data, in texts.yaml under the same id. Everything else derives from
the list below: `CHART_IDS`, `build_charts`, `caption` and `save_charts`, and through them the chart
step, the report and its captions. Loading this module checks that every registered chart has a title
and a reading in texts.yaml and that texts.yaml has none for any other chart.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

import altair as alt
import polars as pl

from analysis.charts.common import ChartContext, build_chart
from analysis.charts.render import save_chart
from analysis.charts.texts import chart_texts, check_texts

# One line per chart: its module in this package. Imported by name (here, at load time) so that adding a
# chart is this one line; the modules import nothing from this one, so there is no cycle.
CHART_MODULES: tuple[str, ...] = (
    "stock_over_time",
    "entries_exits",
    "release_waves",
    "exits_by_mechanism",
    "time_served",
    "composition_articles",
    "deaths",
    "reconciliation",
    "composition_gender_age",
)

CHARTS: tuple[ModuleType, ...] = tuple(import_module(f"{__package__}.{name}") for name in CHART_MODULES)
CHART_IDS: tuple[str, ...] = tuple(module.CHART.id for module in CHARTS)
_BY_ID: dict[str, ModuleType] = dict(zip(CHART_IDS, CHARTS))

if len(_BY_ID) != len(CHARTS):
    raise ValueError(f"two chart modules declare one id: {', '.join(CHART_IDS)}")
check_texts(chart_texts(), CHART_IDS)


def build_charts(tables: dict[str, pl.DataFrame], context: ChartContext) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the period, keyed by CHART_IDS in order."""
    return {module.CHART.id: build_chart(module.build, tables, context) for module in CHARTS}


def caption(chart_id: str, context: ChartContext) -> str:
    """The caption printed under a chart in the report: how to read it, its sources, SYNTHETIC or not."""
    if chart_id not in _BY_ID:
        raise KeyError(f"unknown chart id {chart_id!r}; known: {', '.join(CHART_IDS)}")
    return _BY_ID[chart_id].CHART.caption(context)


def save_charts(charts: dict[str, alt.TopLevelMixin], folder: Path) -> list[Path]:
    """Save each built chart (`<id>.vl.json`, `.svg`, `.png`), in the order given; return the paths."""
    paths: list[Path] = []
    for chart_id, chart in charts.items():
        paths.extend(save_chart(chart, folder, chart_id))
    return paths
