"""Stage 3, the quality gate: the period's tables and its registry copy -> validation/summary.json and
validation.html, checked against the Great Expectations suites in expectations/; a critical failure
stops the cycle before anything is published.
"""

from analysis.quality.gate import validate_period
from analysis.quality.page import render_validation_page
from analysis.quality.results import ValidationContext, ValidationReport, raise_if_critical
from analysis.quality.suites import SUITES_DIR, load_suites

__all__ = ["SUITES_DIR", "ValidationContext", "ValidationReport", "load_suites", "raise_if_critical",
           "render_validation_page", "validate_period"]
