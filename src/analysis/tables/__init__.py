"""Stage 2, tables: the ingested copy of the list and the release data -> the period's public tables
(stock, flows, monthly, composition, time served, deaths, releases, reconciliation, coverage),
counted from custody intervals with point, lower and upper counts.
"""
