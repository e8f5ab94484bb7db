"""Charts: every id built and saved as spec, SVG and PNG; byte-identical reruns; no dependence on the
machine's time zone; SYNTHETIC marked; one font, never a system font; a reconciliation breach drawn in the breach colour;
inputs aggregated before charting.

The period tables here are made by `make_tables` (realistic fixture frames that follow the schemas in
`analysis.core.schema` exactly); the ledger and release waves are the real ones from data/raw."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import vl_convert as vlc
from altair.utils.data import MaxRowsError

from analysis.charts import common, registry, render, style
from analysis.core import schema, vocabulary
from analysis.core.paths import PACKAGE_DIR
from analysis.ingest.figures import read_ledger
from analysis.ingest.releases import read_release_events

PERIOD, PERIOD_START, PERIOD_END = "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)


# ------------------------------------------------------------------ fixture tables


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _target(index: int, total: int) -> int:
    """Held at month-end: 15 in 2020-05, ~100 by 2020-10, ~1,500 in 2023-05, 1,135 at the end."""
    points = [(0, 15), (5, 101), (36, 1500), (total - 1, 1135)]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= index <= x1:
            return round(y0 + (y1 - y0) * (index - x0) / max(x1 - x0, 1))
    return points[-1][1]


def make_tables(*, synthetic: bool = True, breach: bool = True, deaths: int = 9,
                period: str = PERIOD, start: dt.date = PERIOD_START, end: dt.date = PERIOD_END) -> dict[str, pl.DataFrame]:
    months = []
    year, month = 2020, 5
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    monthly, held = [], 0
    for i, (y, m) in enumerate(months):
        target = _target(i, len(months))
        entries = max(target - held, 0) + 20 + (i * 7) % 30
        exits = held + entries - target
        pardon = exits // 2 if (y, m) >= (2024, 7) and i % 3 == 0 else 0
        expelled = 123 if (y, m) == (2025, 12) else (52 if (y, m) == (2025, 9) else 0)
        expelled = min(expelled, exits - pardon)
        died = 1 if i % 9 == 4 and exits - pardon - expelled > 0 else 0
        rest = exits - pardon - expelled - died
        end_of_term = rest * 2 // 3
        other = rest - end_of_term
        monthly.append({
            "month": f"{y:04d}-{m:02d}", "month_end": _month_end(y, m), "held_start": held, "entries": entries,
            "exits": exits, "exits_end_of_term": end_of_term, "exits_pardon": pardon,
            "exits_pardon_with_expulsion": expelled, "exits_death_in_custody": died, "exits_other": other,
            "held_end": target, "net_change": target - held,
            "exit_entry_ratio": round(exits / entries, 6) if entries else None,
            "in_period": start <= _month_end(y, m) <= end, "synthetic": synthetic,
        })
        held = target
    held_end = monthly[-1]["held_end"]

    groups = {"Extremism (361-1 .. 361-4)": 419, "Insulting or defaming officials (188, 367, 368, 369)": 388,
              "Mass riots and group actions (293, 342)": 282, "Incitement of hatred (130)": 215,
              "Calls against national security, treason, conspiracy (356, 357, 361)": 110, "Other articles": 26}
    composition = [("article_group", k, v) for k, v in groups.items()]
    composition += [("gender", "male", 986), ("gender", "female", 149)]
    composition += [("age_band", "under 30", 241), ("age_band", "30-44", 521), ("age_band", "45-59", 309),
                    ("age_band", "60 and over", 64)]
    composition_rows = [{"period": period, "as_of": end, "dimension": d, "category": c, "persons": n,
                         "share": round(n / held_end, 6), "synthetic": synthetic} for d, c, n in composition]

    served = []
    for scope, factor in (("period", 0.1), ("to_date", 1.0)):
        for mechanism, persons, median in (("end_of_term", 1742, 19.4), ("pardon", 348, 17.4),
                                           ("pardon_with_expulsion", 177, 16.6), ("other", 845, 3.1)):
            n = int(persons * factor) if not (scope == "period" and mechanism == "pardon") else 0
            served.append({"period": period, "scope": scope, "mechanism": mechanism, "persons": n,
                           "median_months": median if n else None, "p25_months": median * 0.6 if n else None,
                           "p75_months": median * 1.5 if n else None, "mean_months": median * 1.1 if n else None,
                           "synthetic": synthetic})

    death_days = [dt.date(2021, 5, 21) + dt.timedelta(days=97 * k) for k in range(deaths)]
    death_rows = [{"period": period, "date": d, "cumulative": k + 1, "in_period": start <= d <= end,
                   "synthetic": synthetic} for k, d in enumerate(sorted(death_days))]

    def recon(figure_id, metric, value, qualifier, lower, upper, ours, status, difference, relative, day):
        return {"period": period, "figure_id": figure_id, "as_of_from": day, "as_of_to": day, "metric": metric,
                "value": value, "qualifier": qualifier, "lower": lower, "upper": upper, "source_org": "Viasna",
                "source_title": "test", "url": "", "our_measure": "held on the date" if ours is not None else
                "no comparable measure", "our_as_of": day, "our_count": ours, "status": status,
                "difference": difference, "relative_difference": relative, "tolerance": 0.03, "synthetic": synthetic}

    reconciliation = [
        recon("fig-0000000001", "current_political_prisoners", 1135, "exact", 1135, 1135, 1135, "within_bounds", 0,
              0.0, dt.date(2025, 12, 23)),
        recon("fig-0000000002", "released_full_term_since_2020", 1700, "more than", 1701, None, 1736, "within_bounds",
              0, 0.0, dt.date(2025, 12, 23)),
        recon("fig-0000000003", "newly_recognized_in_year", 509, "exact", 509, 509, 523, "within_tolerance", 14,
              0.027505, dt.date(2025, 12, 23)),
        recon("fig-0000000004", "high_risk_political_prisoners", 164, "at least", 164, None, None, "not_comparable",
              None, None, dt.date(2025, 12, 23)),
    ]
    if breach:
        reconciliation.append(recon("fig-0000000005", "released_pardon_cumulative_since_2024-07", 569, "exact", 569,
                                    569, 492, "outside_tolerance", -77, -0.135325, dt.date(2025, 12, 23)))

    stock = [{"period": period, "position": "start", "as_of": start - dt.timedelta(days=1), "held": 1187,
              "women": 150, "men": 1037, "gender_unknown": 0, "aged_60_plus": 66, "synthetic": synthetic},
             {"period": period, "position": "end", "as_of": end, "held": held_end, "women": 149, "men": 986,
              "gender_unknown": 0, "aged_60_plus": 64, "synthetic": synthetic}]
    flows = [{"period": period, "direction": "entry", "mechanism": "newly_detained", "persons": 172,
              "synthetic": synthetic}] + [
        {"period": period, "direction": "exit", "mechanism": m, "persons": n, "synthetic": synthetic}
        for m, n in zip(schema.EXIT_MECHANISMS, (73, 22, 123, 0, 6))]

    def frame(rows, columns):
        return pl.DataFrame(rows, schema=columns, orient="row") if rows else pl.DataFrame(schema=columns)

    return {
        "stock": frame(stock, schema.STOCK), "flows": frame(flows, schema.FLOWS),
        "releases": pl.DataFrame(schema=schema.RELEASES), "monthly": frame(monthly, schema.MONTHLY),
        "composition": frame(composition_rows, schema.COMPOSITION), "time_served": frame(served, schema.TIME_SERVED),
        "deaths": frame(death_rows, schema.DEATHS), "reconciliation": frame(reconciliation, schema.RECONCILIATION),
    }


@pytest.fixture(scope="module")
def ledger() -> pl.DataFrame:
    return read_ledger()


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return read_release_events()


def context(ledger, events, *, synthetic: bool = True, period: str = PERIOD, end: dt.date = PERIOD_END):
    return common.ChartContext(period=period, period_end=end, synthetic=synthetic, ledger=ledger,
                               release_events=events)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, ledger, events):
    """All charts of the fixture period, built and saved once for the module."""
    folder = tmp_path_factory.mktemp("charts")
    built = registry.build_charts(make_tables(), context(ledger, events))
    paths = registry.save_charts(built, folder)
    return built, folder, paths


def _specs(built) -> dict[str, dict]:
    return {chart_id: render.chart_spec(chart) for chart_id, chart in built.items()}


def _saved_specs(folder: Path) -> dict[str, dict]:
    return {chart_id: json.loads((folder / f"{chart_id}.vl.json").read_text(encoding="utf-8"))
            for chart_id in registry.CHART_IDS}


# ------------------------------------------------------------------ tests


def test_schema_helper_follows_the_period_schemas():
    for name, table in make_tables().items():
        assert dict(table.schema) == schema.PERIOD_TABLES[name], name
    monthly = make_tables()["monthly"]
    assert monthly["month"][0] == "2020-05" and monthly["month"][-1] == "2025-12"
    assert (monthly["held_start"] + monthly["entries"] - monthly["exits"] == monthly["held_end"]).all()
    exits = sum(monthly[f"exits_{m}"] for m in schema.EXIT_MECHANISMS)
    assert (exits == monthly["exits"]).all()


def test_every_chart_is_built_and_saved_in_three_formats(saved):
    built, folder, paths = saved
    assert tuple(built) == registry.CHART_IDS
    assert len(registry.CHART_IDS) >= 8 and len(set(registry.CHART_IDS)) == len(registry.CHART_IDS)
    assert len(paths) == 3 * len(registry.CHART_IDS)
    for chart_id in registry.CHART_IDS:
        spec = (folder / f"{chart_id}.vl.json").read_text(encoding="utf-8")
        assert spec.endswith("}\n") and json.loads(spec)["title"]["text"]
        assert (folder / f"{chart_id}.svg").read_text(encoding="utf-8").startswith("<svg")
        assert (folder / f"{chart_id}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in paths[:3]] == [f"{registry.CHART_IDS[0]}.{e}" for e in ("vl.json", "svg", "png")]


def test_spec_is_written_sorted_and_indented(saved):
    built, folder, _ = saved
    chart_id = "fig-stock-over-time"
    text = (folder / f"{chart_id}.vl.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


TIME_CHARTS = ("fig-stock-over-time", "fig-exits-by-mechanism", "fig-deaths")  # lines, points, bands, utc time units

# Renders specs to SVG with vl-convert alone (fast to start), with the options render.render_svg uses
# and, through FONTCONFIG_FILE in its environment, no system font (as render.isolate_fonts does).
_RENDER_SCRIPT = """
import json, sys
from pathlib import Path
import vl_convert as vlc
options, pairs = json.loads(sys.argv[1]), sys.argv[2:]
for spec, out in zip(pairs[::2], pairs[1::2]):
    Path(out).write_text(vlc.vegalite_to_svg(Path(spec).read_text(encoding="utf-8"), **options), encoding="utf-8")
"""


def test_saving_again_gives_identical_bytes_and_no_time_zone_dependence(saved, tmp_path, ledger, events):
    built, folder, _ = saved
    # The time charts rendered under three time zones in subprocesses; meanwhile rebuild and save everything.
    procs = {}
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        tag = zone.replace("/", "_")
        pairs = [str(p) for chart_id in TIME_CHARTS
                 for p in (folder / f"{chart_id}.vl.json", tmp_path / f"{chart_id}.{tag}.svg")]
        args = [sys.executable, "-c", _RENDER_SCRIPT, json.dumps(render.render_options()), *pairs]
        env = {**os.environ, "TZ": zone, "FONTCONFIG_FILE": str(render.NO_SYSTEM_FONTS)}
        procs[zone] = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)

    again = tmp_path / "again"
    registry.save_charts(registry.build_charts(make_tables(), context(ledger, events)), again)
    for path in sorted(folder.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name

    for zone, proc in procs.items():
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()
    for chart_id in TIME_CHARTS:
        reference = (folder / f"{chart_id}.svg").read_bytes()
        for zone in procs:
            rendered = (tmp_path / f"{chart_id}.{zone.replace('/', '_')}.svg").read_bytes()
            assert rendered == reference, (chart_id, zone)


def _walk(node, visit):
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def test_temporal_encodings_use_utc_and_dates_are_iso_days(saved):
    built, _, _ = saved
    problems = []

    def visit(node):
        unit = node.get("timeUnit")
        if isinstance(unit, str) and not unit.startswith("utc"):
            problems.append(f"local time unit {unit}")
        if node.get("type") == "temporal":
            scale_type = (node.get("scale") or {}).get("type")
            utc_unit = str(node.get("timeUnit", "")).startswith("utc")
            if not (scale_type == "utc" or utc_unit):
                problems.append(f"temporal encoding without utc: {node}")
    for chart_id, spec in _saved_specs(saved[1]).items():
        _walk({k: v for k, v in spec.items() if k != "datasets"}, visit)
        for name, rows in spec.get("datasets", {}).items():
            for row in rows:
                for value in row.values():
                    assert not (isinstance(value, str) and len(value) >= 16 and value[:4].isdigit()
                                and value[10:11] == "T"), f"{chart_id}: datetime string {value!r}"
    assert not problems, problems
    # every time axis sets its scale to utc explicitly (at least one per time chart)
    for chart_id in ("fig-stock-over-time", "fig-entries-exits", "fig-deaths"):
        assert '"type": "utc"' in (saved[1] / f"{chart_id}.vl.json").read_text(encoding="utf-8"), chart_id


def test_synthetic_is_said_on_every_chart_and_only_then(saved, ledger, events):
    for chart_id, spec in _saved_specs(saved[1]).items():
        subtitle = " ".join(spec["title"]["subtitle"])
        assert "SYNTHETIC" in subtitle, chart_id
        assert "SYNTHETIC" in registry.caption(chart_id, context(ledger, events)), chart_id
    real = registry.build_charts(make_tables(synthetic=False), context(ledger, events, synthetic=False))
    for chart_id, spec in _specs(real).items():
        assert "SYNTHETIC" not in render.spec_text(spec), chart_id
        assert "SYNTHETIC" not in registry.caption(chart_id, context(ledger, events, synthetic=False)), chart_id


def test_captions_name_their_sources(ledger, events):
    ctx = context(ledger, events)
    for chart_id in registry.CHART_IDS:
        text = registry.caption(chart_id, ctx)
        assert "Source:" in text and PERIOD in text, chart_id
    assert "ledger" in registry.caption("fig-stock-over-time", ctx)
    assert "caret" in registry.caption("fig-stock-over-time", ctx)
    assert "to_date" not in registry.caption("fig-time-served", ctx)  # said in words: "since 2020-05"
    with pytest.raises(KeyError):
        registry.caption("fig-unknown", ctx)


def test_one_font_is_named_in_the_config_and_the_svg(saved):
    built, folder, _ = saved
    assert render.fonts_isolated()
    for chart_id, spec in _saved_specs(folder).items():
        config = spec["config"]
        assert config["font"] == style.FONT_FAMILY
        assert config["title"]["font"] == config["title"]["subtitleFont"] == style.FONT_FAMILY
        assert config["axis"]["labelFont"] == config["legend"]["labelFont"] == style.FONT_FAMILY
        assert config["text"]["font"] == style.FONT_FAMILY
        svg = (folder / f"{chart_id}.svg").read_text(encoding="utf-8")
        families = {part.split('"')[1] for part in svg.split("font-family=")[1:]}
        assert families == {style.FONT_FAMILY}, (chart_id, families)


# In a fresh process: is text in `family` drawn like text in a family nobody has (i.e. not found)?
# Then, with vl-convert's warnings on, render the given specs as the pipeline does.
_FONT_PROBE = """
import sys
from pathlib import Path
import vl_convert as vlc
from analysis.charts import render
isolated, family, specs = sys.argv[1] == "isolated", sys.argv[2], sys.argv[3:]
if isolated:
    render.isolate_fonts()
def png(name):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><text x="4" y="28" '
           f'font-family="{name}" font-size="22">Minsk 2026</text></svg>')
    return vlc.svg_to_png(svg, scale=1.0)
print("not found" if png(family) == png("No Such Family") else "found")
for spec in specs:
    text = Path(spec).read_text(encoding="utf-8")
    render.render_png(text, render.render_svg(text))
"""
SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")   # Debian's fonts-dejavu-core


def _font_probe(mode: str, family: str, *specs: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUST_LOG": "warn"}
    env.pop("FONTCONFIG_FILE", None)
    return subprocess.run([sys.executable, "-c", _FONT_PROBE, mode, family, *map(str, specs)], env=env,
                          capture_output=True, text=True, timeout=300, check=True)


def test_charts_see_no_system_font_and_every_character_has_a_glyph(saved):
    folder = saved[1]
    isolated = _font_probe("isolated", "DejaVu Sans", *sorted(folder.glob("*.vl.json")))
    assert isolated.stdout.strip() == "not found"
    assert style.FONT_FAMILY == "Liberation Sans"
    # vl-convert warns "No fonts with a X character", "No match for 'F' font-family", "Fallback from ..."
    font_warnings = [line for line in isolated.stderr.splitlines()
                     if any(w in line for w in ("No fonts with", "No match for", "Fallback from"))]
    assert not font_warnings, font_warnings[:5]
    if SYSTEM_FONT.is_file():   # the control: without isolate_fonts, the same probe sees the system font
        assert _font_probe("plain", "DejaVu Sans").stdout.strip() == "found"


def test_report_embeds_the_charts_font_in_both_weights():
    from analysis.report import page as report

    urls = report._embedded_fonts()
    assert set(urls) == {"normal", "bold"}
    assert all(url.startswith("data:font/ttf;base64,") and len(url) > 400_000 for url in urls.values())
    folder = PACKAGE_DIR / "assets" / "fonts"
    assert "SIL-OFL-1.1" in (folder / "LICENSE-Liberation.txt").read_text(encoding="utf-8")


def _breach_marks(chart) -> int:
    render.isolate_fonts()
    graph = vlc.vegalite_to_scenegraph(render.spec_text(chart), vl_version=render.vl_version())
    hits = []

    def visit(node):
        for item in node.get("items", []) if node.get("role") == "mark" else []:
            if isinstance(item, dict) and any(str(item.get(k, "")).upper() == style.BREACH_COLOUR
                                              for k in ("fill", "stroke")):
                hits.append(item)
    _walk(graph, visit)
    return len(hits)


def test_a_breach_is_drawn_in_the_breach_colour(saved, ledger, events):
    folder = saved[1]
    assert style.BREACH_COLOUR == style.STATUS_COLOURS["outside_tolerance"]
    recon = json.loads((folder / "fig-reconciliation.vl.json").read_text(encoding="utf-8"))
    assert _breach_marks(recon) >= 2  # our marker and the tinted row, at least
    clean = registry.build_charts(make_tables(breach=False), context(ledger, events))
    assert _breach_marks(clean["fig-reconciliation"]) == 0


def test_inputs_are_aggregated_before_charting(ledger, events):
    # 6,000 deaths on 40 days and 6,000 extra ledger rows still give small inline datasets.
    tables = make_tables(deaths=40)
    many = pl.concat([tables["deaths"]] * 150)
    tables["deaths"] = many
    padding = pl.concat([ledger.filter(pl.col("metric") == "released_pardon")] * 300)
    specs = _specs(registry.build_charts(tables, context(pl.concat([ledger, padding]), events)))
    for chart_id, spec in specs.items():
        for name, rows in spec.get("datasets", {}).items():
            assert len(rows) <= common.MAX_ROWS, (chart_id, name, len(rows))
    months = make_tables()["monthly"].height
    assert max(len(rows) for rows in specs["fig-stock-over-time"]["datasets"].values()) == months
    assert max(len(rows) for rows in specs["fig-deaths"]["datasets"].values()) <= 40 + 2
    with pytest.raises(MaxRowsError, match="aggregate"):
        common.data([{"x": i} for i in range(common.MAX_ROWS + 1)])


def test_offline_no_urls_no_html(saved):
    built, folder, _ = saved
    for chart_id in registry.CHART_IDS:
        text = (folder / f"{chart_id}.vl.json").read_text(encoding="utf-8")
        spec = json.loads(text)
        lowered = text.lower()
        assert "cdn" not in lowered and "jsdelivr" not in lowered and "unpkg" not in lowered
        urls = []
        _walk({k: v for k, v in spec.items() if k != "$schema"},
              lambda node: urls.extend(v for k, v in node.items() if k == "url"))
        assert not urls, chart_id
        assert "<" not in json.dumps(spec.get("datasets", {})), chart_id


def test_empty_inputs_still_give_every_chart(ledger, events, tmp_path):
    empty = {name: pl.DataFrame(schema=columns) for name, columns in schema.PERIOD_TABLES.items()}
    ctx = common.ChartContext(period="2020-06", period_end=dt.date(2020, 6, 30), synthetic=True,
                              ledger=ledger.clear(), release_events=events.clear())
    built = registry.build_charts(empty, ctx)
    assert tuple(built) == registry.CHART_IDS
    for chart_id, chart in built.items():
        assert "SYNTHETIC" in render.spec_text(chart), chart_id
    render.save_chart(built["fig-release-waves"], tmp_path, "fig-release-waves")
    assert (tmp_path / "fig-release-waves.png").exists()


def test_release_wave_labels_and_colours_per_destination(saved):
    built, folder, _ = saved
    spec = _saved_specs(folder)["fig-release-waves"]
    rows = [row for data in spec["datasets"].values() for row in data]
    labels = {row["label"] for row in rows if "label" in row}
    assert any(label.startswith("123 · 114 to Ukraine, 9 to Lithuania") for label in labels)
    ukraine = [row for row in rows if row.get("destination") == vocabulary.DESTINATION_LABELS["ukraine"]]
    assert sum(row["persons"] for row in ukraine) == 114
    text = json.dumps(spec)
    assert style.DESTINATION_COLOURS["ukraine"] in text and style.DESTINATION_COLOURS["lithuania"] in text


def test_one_colour_per_mechanism_across_charts(saved):
    folder = saved[1]
    exits = (folder / "fig-exits-by-mechanism.vl.json").read_text(encoding="utf-8")
    served = (folder / "fig-time-served.vl.json").read_text(encoding="utf-8")
    for mechanism in ("end_of_term", "pardon", "pardon_with_expulsion", "other"):
        assert style.MECHANISM_COLOURS[mechanism] in exits and style.MECHANISM_COLOURS[mechanism] in served
    assert len(set(style.MECHANISM_COLOURS.values())) == len(style.MECHANISM_COLOURS)
    assert len(set(style.DESTINATION_COLOURS.values())) == len(style.DESTINATION_COLOURS)


def test_png_is_the_rasterised_svg_of_the_same_spec(saved):
    _, folder, _ = saved
    chart_id = "fig-time-served"
    text = (folder / f"{chart_id}.vl.json").read_text(encoding="utf-8")
    direct = vlc.vegalite_to_png(text, scale=render.PNG_SCALE, ppi=render.PNG_PPI, **render.render_options())
    assert direct == (folder / f"{chart_id}.png").read_bytes()


def test_text_from_the_data_is_drawn_as_text_and_small_cells_are_left_out(ledger, events, tmp_path):
    """A hostile category label is escaped in the SVG; a suppressed cell is not drawn and the chart says so."""
    attack = "<img src=x onerror=alert(1)>"
    tables = make_tables()
    composition = tables["composition"].with_columns(pl.lit(False).alias("suppressed"))
    first = composition.filter(pl.col("dimension") == "article_group")["category"][0]
    composition = composition.with_columns(
        pl.when(pl.col("category") == first).then(pl.lit(attack)).otherwise(pl.col("category")).alias("category"),
        suppressed=(pl.col("dimension") == "age_band") & (pl.col("category") == "under 30"))
    tables["composition"] = composition.with_columns(
        persons=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("persons")))
    built = registry.build_charts(tables, context(ledger, events))
    render.save_chart(built["fig-composition-articles"], tmp_path, "fig-composition-articles")
    render.save_chart(built["fig-composition-gender-age"], tmp_path, "fig-composition-gender-age")
    svg = (tmp_path / "fig-composition-articles.svg").read_text(encoding="utf-8")
    assert attack not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    ages = (tmp_path / "fig-composition-gender-age.svg").read_text(encoding="utf-8")
    assert "Under 30" not in ages and "1 small category is not shown" in ages
