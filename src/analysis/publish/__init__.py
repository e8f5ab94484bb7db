"""Stage 6, publish: the leak scan of a staged build, the manifest of what it was built from, the swap
into reports/<period>; and reading what was published (analysis.load, export to CSV).
"""
