"""Stage 3, the quality gate: the period's tables and its registry copy -> validation/summary.json and
validation.html, checked against the Great Expectations suites in expectations/; a critical failure
stops the cycle before anything is published.
"""
