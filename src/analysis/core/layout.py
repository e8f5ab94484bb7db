"""Where each output of a period build goes: one object knows the folder's layout.

A period is built in a staging folder (reports/.builds/<period>-<id>) and published as
reports/<period>, a link to it; both have this layout:

    tables/<name>.parquet        the period tables (analysis.core.schema.PERIOD_TABLES)
    validation/summary.json      the quality gate's results
    validation/validation.html   the same, as a page
    charts/<id>.{vl.json,svg,png}
    report.html, numbers.yaml    the report and every number quoted in it
    MANIFEST.json                what the build was made from, with and into
    notebooks/<step>.ipynb       the executed notebooks (`analysis run` only)

Build folders themselves are made (and named) by analysis.core.staging.new_build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

@dataclass(frozen=True)
class BuildLayout:
    """The files of one period build (staged or published) under `folder`."""

    folder: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))

    @property
    def tables(self) -> Path:
        return self.folder / "tables"

    def table(self, name: str) -> Path:
        return self.tables / f"{name}.parquet"

    @property
    def charts(self) -> Path:
        return self.folder / "charts"

    def chart(self, chart_id: str, suffix: str) -> Path:
        """A chart's file: suffix ".svg", ".png" or ".vl.json"."""
        return self.charts / f"{chart_id}{suffix}"

    @property
    def validation(self) -> Path:
        return self.folder / "validation"

    @property
    def validation_summary(self) -> Path:
        return self.validation / "summary.json"

    @property
    def validation_page(self) -> Path:
        return self.validation / "validation.html"

    @property
    def report(self) -> Path:
        return self.folder / "report.html"

    @property
    def numbers(self) -> Path:
        return self.folder / "numbers.yaml"

    @property
    def manifest(self) -> Path:
        return self.folder / "MANIFEST.json"

    @property
    def notebooks(self) -> Path:
        return self.folder / "notebooks"

    def notebook(self, name: str) -> Path:
        return self.notebooks / name
