"""The look of every chart, defined once: font, widths, colours per variable, the Altair configuration.

Colours follow the Okabe-Ito palette, one mapping per variable defined once here; categories are also
told apart by shape, dash or direct labels, never by red/green alone. All text is Liberation Sans, the
font compiled into vl-convert (see `analysis.charts.render.isolate_fonts`).
"""

from __future__ import annotations

import altair as alt

from analysis.core.vocabulary import DESTINATIONS, EXIT_MECHANISMS

FONT_FAMILY = "Liberation Sans"   # compiled into vl-convert; metric-compatible with Arial
WIDTH = 620              # plot width of single-panel charts, px (with axis labels: ~700 in all)
SUBTITLE_CHARS = 104     # subtitle lines are wrapped at this many characters

# ------------------------------------------------------------------ colours (Okabe-Ito), defined once

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
GREY = "#999999"
LIGHT_GREY = "#BBBBBB"
INK = "#222222"          # text and the registry line

MECHANISM_ORDER = EXIT_MECHANISMS
MECHANISM_COLOURS = {
    "end_of_term": OKABE_ITO["bluish_green"], "pardon": OKABE_ITO["sky_blue"],
    "pardon_with_expulsion": OKABE_ITO["reddish_purple"], "death_in_custody": OKABE_ITO["black"], "other": GREY,
}
FLOW_COLOURS = {"entries": OKABE_ITO["vermillion"], "exits": OKABE_ITO["black"]}
FLOW_DASHES = {"entries": [1, 0], "exits": [6, 3]}

DESTINATION_ORDER = DESTINATIONS
DESTINATION_COLOURS = {"belarus": OKABE_ITO["sky_blue"], "lithuania": OKABE_ITO["orange"],
                       "ukraine": OKABE_ITO["blue"], "not_reported": LIGHT_GREY}

SOURCE_ORDER = ("Viasna", "Other sources")
SOURCE_COLOURS = {"Viasna": OKABE_ITO["blue"], "Other sources": OKABE_ITO["orange"]}
SOURCE_SHAPES = {"Viasna": "circle", "Other sources": "diamond"}

STATUS_ORDER = ("within_bounds", "within_tolerance", "outside_tolerance", "not_comparable")
STATUS_COLOURS = {"within_bounds": OKABE_ITO["blue"], "within_tolerance": OKABE_ITO["orange"],
                  "outside_tolerance": OKABE_ITO["vermillion"], "not_comparable": GREY}
STATUS_SHAPES = {"within_bounds": "circle", "within_tolerance": "diamond", "outside_tolerance": "cross",
                 "not_comparable": "circle"}
BREACH_COLOUR = STATUS_COLOURS["outside_tolerance"]

COMPOSITION_COLOUR = OKABE_ITO["blue"]


def chart_config() -> alt.Config:
    """One configuration for every chart: the vendored font for all text, white background, quiet axes."""
    font = FONT_FAMILY
    return alt.Config(
        font=font, background="#FFFFFF", padding={"left": 10, "right": 16, "top": 10, "bottom": 10},
        title=alt.TitleConfig(font=font, subtitleFont=font, fontSize=16, fontWeight="bold", subtitleFontSize=11,
                              subtitleColor="#333333", color=INK, anchor="start", offset=12, subtitlePadding=6),
        axis=alt.AxisConfig(labelFont=font, titleFont=font, labelFontSize=11, titleFontSize=11.5,
                            titleFontWeight="normal", titleColor="#333333", labelColor="#333333",
                            gridColor="#E6E6E6", domainColor="#888888", tickColor="#888888"),
        legend=alt.LegendConfig(labelFont=font, titleFont=font, labelFontSize=11, titleFontSize=11.5,
                                titleFontWeight="normal", orient="top", labelLimit=320, symbolStrokeWidth=2),
        header=alt.HeaderConfig(labelFont=font, titleFont=font, labelFontSize=11.5, titleFontSize=12),
        text=alt.MarkConfig(font=font, fontSize=11, color=INK),
        view=alt.ViewConfig(stroke=None),
    )
