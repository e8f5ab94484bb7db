"""A chart to bytes: its spec text, and the SVG and PNG vl-convert renders from it, offline.

The bytes are identical across runs and machines:

* the spec is written as `json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False)` + "\\n",
  and the SVG and PNG are rendered by vl-convert from that same text, with a pinned Vega-Lite
  version, locale, PNG scale and ppi;
* all text is Liberation Sans 2.00.1, the font compiled into vl-convert (pinned by the lock file),
  and vl-convert's font database holds no system font (`isolate_fonts`), so the rendering never
  depends on the machine's fonts;
* data sits inline in the spec, each distinct table once under `datasets` (no URLs: vl-convert may
  fetch nothing).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from analysis.core.paths import PACKAGE_DIR

# A fontconfig file whose one font directory is /dev/null: read by vl-convert when it builds its font
# database, so that no system font is loaded (see isolate_fonts).
NO_SYSTEM_FONTS = PACKAGE_DIR / "assets" / "fontconfig" / "fonts.conf"
# vl-convert renders PNGs at scale x ppi / 72 pixels per CSS pixel: 1.0 x 144 ppi = twice the SVG's
# pixels, and the PNG's pHYs header says 144 ppi, so both print at the same physical size.
PNG_SCALE = 1.0
PNG_PPI = 144.0
LOCALE = "en-US"         # d3 number and time formats: 1,135 and "Dec"


def dataset_name(rows: list[dict[str, Any]]) -> str:
    """The name of an inline table: the sha256 of its rows, so equal tables share one name."""
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "data-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec of a chart, data inline: each distinct table once under top-level `datasets`,
    named by the sha256 of its rows, and referenced by name from the layers that use it."""
    spec = chart.to_dict(validate=True)
    datasets: dict[str, Any] = dict(spec.pop("datasets", {}) or {})

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and set(data) == {"values"}:
                name = dataset_name(data["values"])
                datasets[name] = data["values"]
                node["data"] = {"name": name}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    if datasets:
        spec["datasets"] = datasets
    return spec


def spec_text(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """The spec exactly as written to `<id>.vl.json`."""
    spec = chart if isinstance(chart, dict) else chart_spec(chart)
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render_options() -> dict[str, Any]:
    """Keyword arguments of every vl-convert call: pinned Vega-Lite version and locale, no URL allowed."""
    return {"vl_version": vl_version(), "allowed_base_urls": [], "format_locale": LOCALE,
            "time_format_locale": LOCALE}


def render_svg(text: str) -> str:
    isolate_fonts()
    return vlc.vegalite_to_svg(text, **render_options())


def render_png(text: str, svg: str | None = None) -> bytes:
    """The PNG of the spec: its SVG rasterised by vl-convert (byte-identical to `vegalite_to_png` with the
    same options, in about half the time when the SVG is already there)."""
    isolate_fonts()
    if svg is None:
        svg = render_svg(text)
    return vlc.svg_to_png(svg, scale=PNG_SCALE, ppi=PNG_PPI)


def save_chart(chart: alt.TopLevelMixin | dict[str, Any], folder: Path, chart_id: str) -> list[Path]:
    """Write `<id>.vl.json`, `<id>.svg` and `<id>.png` (all from the same spec text); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = spec_text(chart)
    paths = [folder / f"{chart_id}.vl.json", folder / f"{chart_id}.svg", folder / f"{chart_id}.png"]
    svg = render_svg(text)
    paths[0].write_bytes(text.encode("utf-8"))
    paths[1].write_bytes(svg.encode("utf-8"))
    paths[2].write_bytes(render_png(text, svg))
    return paths


_FONT_LOCK = threading.Lock()
_FONTS_ISOLATED = False


def isolate_fonts() -> None:
    """Build vl-convert's font database without any system font (once per process, before its first
    conversion): only the Liberation Sans compiled into vl-convert remains.

    vl-convert builds that database once, at its first use, from the fontconfig file named by
    FONTCONFIG_FILE; this points it, for that one call, at NO_SYSTEM_FONTS. Why: a system font
    would make the bytes depend on the machine's font packages, and vl-convert opens and maps a
    font file from disk at every text measurement (~2,000 times a chart, half the rendering time),
    while the compiled-in font is already in memory. A process that used vl-convert before this
    call keeps the database it built then; every render in this module calls this first. Linux
    only: on macOS and Windows vl-convert's font loader reads no fontconfig file, so system fonts
    stay visible there.
    """
    global _FONTS_ISOLATED
    with _FONT_LOCK:
        if _FONTS_ISOLATED:
            return
        if not NO_SYSTEM_FONTS.is_file():
            raise FileNotFoundError(f"{NO_SYSTEM_FONTS} is missing: reinstall the package")
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(NO_SYSTEM_FONTS)
        try:
            # The directory holds no font: registering it only makes vl-convert build the database now.
            vlc.register_font_directory(str(NO_SYSTEM_FONTS.parent))
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before
        _FONTS_ISOLATED = True


def fonts_isolated() -> bool:
    return _FONTS_ISOLATED


def vl_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it (e.g. 6.4)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if major_minor not in vlc.get_vegalite_versions():
        raise RuntimeError(f"vl-convert {vlc.__version__} cannot render Vega-Lite {major_minor} "
                           f"(Altair {alt.__version__}); pin matching versions")
    return major_minor
