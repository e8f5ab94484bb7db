"""Stage 4, charts: the period's tables -> charts/<id>.{vl.json,svg,png}, one module per figure,
rendered by vl-convert with its own font only.

Vega-Lite specs are built with Altair and rendered offline by vl-convert; the files are byte-identical
across runs and machines. Where things are:

    registry.py   the charts, in order, one line each; CHART_IDS, build_charts, caption, save_charts
    texts.yaml    each chart's title and how to read it (its caption), as data; read by texts.py
    <chart>.py    one module per chart: CHART (its id and sources) and build(tables, context)
    common.py     what the charts share: ChartContext, headings, inline data, UTC time axes, period band,
                  published figures
    style.py      font, widths, Okabe-Ito colours per variable, the Altair configuration
    render.py     spec text, SVG and PNG with vl-convert, font isolation, saving a chart

To add a chart: write its module, add its line to registry.CHART_MODULES and its entry to texts.yaml.
"""
