"""Stage 5, report: tables, charts and the validation summary -> report.html and numbers.yaml (every
number quoted in the report).
"""
