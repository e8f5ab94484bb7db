"""validation.html: the quality gate's results as a self-contained offline page (inline CSS, no
scripts); every text from data is escaped."""

from __future__ import annotations

from pathlib import Path

import jinja2

from analysis.quality.results import ValidationReport, shown

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def render_validation_page(report: ValidationReport, period: str, synthetic: bool) -> str:
    """A self-contained offline HTML page (inline CSS, no scripts); all text from data is escaped."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    passed, warned, failed = report.counts()
    return env.get_template("validation.html.j2").render(
        report=report, period=period, synthetic=synthetic, passed=passed, warned=warned, failed=failed,
        tables=report.by_table(), text=shown)
