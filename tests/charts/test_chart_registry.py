"""The chart registry, the texts file and the chart modules agree: every registered chart has a module that
declares its id and a title and reading in texts.yaml; no chart module or text is left out of the registry.
And the charts package stays small and acyclic."""

from __future__ import annotations

import ast
import pkgutil
from importlib import import_module
from pathlib import Path

import pytest
import yaml

import analysis.charts as package
from analysis.charts import registry
from analysis.charts.common import SOURCES, ChartInfo
from analysis.charts.texts import TEXTS_FILE, chart_texts, check_texts, read_texts

FOLDER = Path(package.__file__).parent
# The package's modules that are not charts; every other module in the folder must be a registered chart.
INFRASTRUCTURE = {"common", "registry", "render", "style", "texts"}


def test_every_registered_chart_has_a_module_declaring_its_id_and_a_builder():
    assert len(registry.CHART_MODULES) == len(set(registry.CHART_MODULES)) >= 9
    assert len(registry.CHART_IDS) == len(set(registry.CHART_IDS)) == len(registry.CHART_MODULES)
    for name, chart_id in zip(registry.CHART_MODULES, registry.CHART_IDS):
        module = import_module(f"analysis.charts.{name}")
        assert isinstance(module.CHART, ChartInfo) and module.CHART.id == chart_id
        assert module.CHART.sources in SOURCES
        assert callable(module.build)
        assert chart_id == "fig-" + name.replace("_", "-"), "a chart module is named after its id"


def test_no_chart_module_is_left_out_of_the_registry():
    modules = {info.name for info in pkgutil.iter_modules([str(FOLDER)])}
    assert INFRASTRUCTURE <= modules
    orphans = modules - INFRASTRUCTURE - set(registry.CHART_MODULES)
    assert not orphans, f"chart modules not in registry.CHART_MODULES: {sorted(orphans)}"
    for name in INFRASTRUCTURE:
        assert not hasattr(import_module(f"analysis.charts.{name}"), "CHART"), name


def test_texts_file_has_a_title_and_reading_for_every_chart_and_nothing_else():
    raw = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    assert list(raw) == list(registry.CHART_IDS)   # same charts, in the registry's order
    texts = chart_texts()
    for chart_id in registry.CHART_IDS:
        assert texts[chart_id].title.strip() and texts[chart_id].reading.strip(), chart_id
        assert "  " not in texts[chart_id].reading and "\n" not in texts[chart_id].reading, chart_id
    check_texts(texts, registry.CHART_IDS)


def test_a_missing_unknown_or_malformed_text_is_refused(tmp_path):
    texts = chart_texts()
    with pytest.raises(ValueError, match="no title and reading for fig-new"):
        check_texts(texts, [*registry.CHART_IDS, "fig-new"])
    with pytest.raises(ValueError, match="not in the registry: fig-deaths"):
        check_texts(texts, [i for i in registry.CHART_IDS if i != "fig-deaths"])
    bad = tmp_path / "texts.yaml"
    bad.write_text("fig-a:\n  title: A\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fig-a.*needs exactly title, reading"):
        read_texts(bad)
    bad.write_text("fig-a:\n  title: A\n  reading: ''\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no text for 'reading'"):
        read_texts(bad)
    bad.write_text("fig-a:\n  title: A\n  reading: B\n  subtitle: C\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs exactly"):
        read_texts(bad)


def test_an_unknown_source_kind_is_refused():
    with pytest.raises(ValueError, match="sources"):
        ChartInfo(id="fig-x", sources="rumours")


def _imports(path: Path) -> set[str]:
    """The analysis.charts modules a file imports, and whether any import is below the top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis.charts"):
            names = [node.module] if node.module != "analysis.charts" else [
                f"analysis.charts.{alias.name}" for alias in node.names]
            found.update(name.rsplit(".", 1)[-1] for name in names)
        elif isinstance(node, ast.Import):
            found.update(a.name.rsplit(".", 1)[-1] for a in node.names if a.name.startswith("analysis.charts."))
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in tree.body:
            raise AssertionError(f"{path.name}: import below the top level, line {node.lineno}")
    return found


def test_charts_package_is_small_acyclic_and_imports_at_the_top():
    graph = {path.stem: _imports(path) for path in sorted(FOLDER.glob("*.py")) if path.stem != "__init__"}
    for path in FOLDER.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path.name
    for name in registry.CHART_MODULES:   # a chart uses the shared modules only, never another chart
        assert graph[name] <= {"common", "style", "render"}, (name, graph[name])
    # No cycle among the shared modules (the registry imports the charts by name, and nothing imports it).
    assert all("registry" not in imports for imports in graph.values())
    order, done = [], set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dependency in sorted(graph.get(name, ())):
            visit(dependency, (*path, name))
        done.add(name)
        order.append(name)

    for name in graph:
        visit(name, ())
    assert order.index("render") < order.index("common") and order.index("style") < order.index("common")
