"""reports/<period>/report.html: one self-contained, offline page per period.

Headline numbers, the charts (inline SVG), the tables, the data-quality summary with its
warnings, and the sources. Rendered with Jinja2 and autoescaping: every text that comes from
data is escaped. No script, no stylesheet or font is loaded from anywhere.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jinja2
import polars as pl
import yaml

from analysis.charts.common import ChartContext
from analysis.charts.registry import CHART_IDS, caption
from analysis.core import schema
from analysis.core.layout import BuildLayout
from analysis.core.paths import PACKAGE_DIR, ProjectPaths
from analysis.core.vocabulary import MECHANISM_LABELS, in_sentence
from analysis.tables import PeriodInputs, read_period_tables
from analysis.tables.coverage import COVERAGE_ITEMS
from analysis.tables.custody import POINT_RULE
from analysis.tables.disclosure import ingested_name_owners, named_releases

TEMPLATES = Path(__file__).parent / "templates"


def headline_numbers(tables: dict[str, pl.DataFrame]) -> dict[str, int | float | None]:
    """Every number quoted in the report's text, keyed by a stable name."""
    stock = {row["position"]: row for row in tables["stock"].iter_rows(named=True)}
    flows = tables["flows"]
    exits = {r["mechanism"]: r["persons"] for r in flows.filter(pl.col("direction") == "exit").iter_rows(named=True)}
    entries = int(flows.filter(pl.col("direction") == "entry")["persons"].sum())
    releases, deaths = tables["releases"], tables["deaths"]
    reconciliation = tables["reconciliation"]
    total_exits = int(sum(exits.values()))
    coverage = {row["item"]: row["records"] for row in tables["coverage"].iter_rows(named=True)}
    return {
        "held_start": stock["start"]["held"],
        "held_start_lower": stock["start"]["held_lower"],
        "held_start_upper": stock["start"]["held_upper"],
        "held_end": stock["end"]["held"],
        "held_end_lower": stock["end"]["held_lower"],
        "held_end_upper": stock["end"]["held_upper"],
        "held_end_listed_without_detention_date": stock["end"]["listed_without_detention_date"],
        "held_change": stock["end"]["held"] - stock["start"]["held"],
        "held_end_women": stock["end"]["women"],
        "held_end_aged_60_plus": stock["end"]["aged_60_plus"],
        "entries": entries,
        "exits": total_exits,
        **{f"exits_{mechanism}": int(n) for mechanism, n in exits.items()},
        "exits_dated_by_rule": int(flows.filter(pl.col("direction") == "exit")["dated_by_rule"].sum()),
        **{f"coverage_{item}": int(n) for item, n in coverage.items()},
        "exit_entry_ratio": round(total_exits / entries, 2) if entries else None,
        "release_waves": releases.height,
        "released_in_waves_published": int(releases["released"].sum()),
        "expelled_to_lithuania_published": int(releases["expelled_to_lithuania"].fill_null(0).sum()),
        "expelled_to_ukraine_published": int(releases["expelled_to_ukraine"].fill_null(0).sum()),
        "deaths_in_custody_to_date": deaths.height,
        "deaths_in_custody_in_period": int(deaths["in_period"].sum()),
        "published_figures_in_period": reconciliation.height,
        "published_figures_outside_tolerance": reconciliation.filter(pl.col("status") == "outside_tolerance").height,
        "published_figures_within_uncertainty": reconciliation.filter(pl.col("status") == "within_uncertainty").height,
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["thousands"] = lambda n: "–" if n is None else f"{n:,}"
    env.filters["signed"] = lambda n: "–" if n is None else f"{n:+,}"
    env.filters["percent"] = lambda x: "–" if x is None else f"{x:.1%}"
    return env


REPORT_FONTS = {"normal": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}


def _embedded_fonts() -> dict[str, str]:
    """The charts' font family as data URLs by weight, so the report and its inline SVG charts look
    the same on any machine, offline (assets/fonts/README.md says where the files come from)."""
    folder = PACKAGE_DIR / "assets" / "fonts"
    return {weight: "data:font/ttf;base64," + base64.b64encode((folder / name).read_bytes()).decode("ascii")
            for weight, name in REPORT_FONTS.items()}


def _svg(path: Path) -> str:
    """Inline SVG markup (vl-convert escapes every text node); the XML prolog is dropped."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def _records(frame: pl.DataFrame) -> list[dict]:
    return frame.to_dicts()


def write_report(paths: ProjectPaths, inputs: PeriodInputs, context: ChartContext, layout: BuildLayout) -> Path:
    """The report and numbers.yaml, from the tables, charts and validation summary staged in `layout`."""
    parsed = inputs.period
    tables = read_period_tables(layout)
    summary = json.loads(layout.validation_summary.read_text(encoding="utf-8"))
    figures = [{"id": chart_id, "caption": caption(chart_id, context),
                "svg": _svg(layout.chart(chart_id, ".svg"))} for chart_id in CHART_IDS]
    reconciliation = tables["reconciliation"]
    html = _environment().get_template("report.html.j2").render(
        period=parsed, synthetic=context.synthetic, numbers=headline_numbers(tables),
        mechanism_labels={code: in_sentence(label) for code, label in MECHANISM_LABELS.items()}, exit_mechanisms=schema.EXIT_MECHANISMS, figures=figures,
        validation=summary,
        stock=_records(tables["stock"]), flows=_records(tables["flows"]), releases=_records(tables["releases"]),
        composition=_records(tables["composition"]), deaths=_records(tables["deaths"]),
        time_served=_records(tables["time_served"].filter(pl.col("persons") > 0)),
        reconciliation=_records(reconciliation.sort("status", "as_of_to", "metric")),
        breaches=_records(reconciliation.filter(pl.col("status") == "outside_tolerance")),
        sources=_sources(reconciliation, tables["releases"], context.ledger),
        snapshot_file=inputs.snapshot.source_file, font_urls=_embedded_fonts(),
        threshold=inputs.policy.small_count_threshold, suppression=_suppressed_cells(tables),
        named=_records(_named(paths, inputs)),
        coverage=_coverage(tables["coverage"]), point_rule=POINT_RULE, release_records=inputs.release_records.height,
        earlier_copies=len(inputs.earlier_copies),
    )
    layout.report.write_text(html, encoding="utf-8", newline="\n")
    layout.numbers.write_text(
        "# Every number quoted in report.html's text, by a stable name (tests re-derive each from the tables).\n"
        + yaml.safe_dump(headline_numbers(tables), sort_keys=True), encoding="utf-8", newline="\n")
    return layout.report


def _coverage(coverage: pl.DataFrame) -> list[dict]:
    """The coverage rows with their meaning in words, in the declared order."""
    counts = dict(coverage.select("item", "records").iter_rows())
    return [{"item": item, "records": counts.get(item, 0), "meaning": meaning} for item, meaning in COVERAGE_ITEMS.items()]


def _suppressed_cells(tables: dict[str, pl.DataFrame]) -> list[str]:
    """Where small-count suppression was applied, e.g. "composition: facility_type (2 cells)"."""
    where = []
    composition = tables["composition"].filter(pl.col("suppressed"))
    for dimension, cells in composition.group_by("dimension").len().sort("dimension").iter_rows():
        where.append(f"composition by {dimension} ({cells} cell{'s' if cells > 1 else ''})")
    served = tables["time_served"].filter(pl.col("suppressed"))
    if served.height:
        where.append(f"time served, months of {served.height} scope/mechanism row{'s' if served.height > 1 else ''}")
    return where


def _named(paths: ProjectPaths, inputs: PeriodInputs) -> pl.DataFrame:
    return named_releases(inputs.persons, inputs.release_records, inputs.policy, inputs.period.start,
                          inputs.period.end, ingested_name_owners(paths))


def _sources(reconciliation: pl.DataFrame, releases: pl.DataFrame, ledger: pl.DataFrame) -> list[dict]:
    """Every published figure the report relies on: the period's figures and those behind its release waves."""
    ids = set(reconciliation["figure_id"].to_list())
    for joined in releases["source_figure_ids"].to_list():
        ids.update(i for i in (joined or "").split(";") if i)
    cited = ledger.filter(pl.col("figure_id").is_in(sorted(ids)))
    return cited.select("figure_id", "as_of_text", "metric", "value", "qualifier", "source_org", "source_title", "url",
                        "quote").sort("as_of_text", "figure_id").to_dicts()
