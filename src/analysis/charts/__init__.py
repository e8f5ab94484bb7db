"""Stage 4, charts: the period's tables -> charts/<id>.{vl.json,svg,png}, one module per figure,
rendered by vl-convert with its own font only.
"""
