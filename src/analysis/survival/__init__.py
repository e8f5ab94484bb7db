"""Statistics stage, survival: how and when people leave custody, as competing risks.

Reads the custody table (analysis.tables.custody.custody_intervals) of one copy of the list, and for
group membership by article the charges table and an article -> group mapping. Writes nothing
itself: it returns Polars frames for a report or a chart.

    estimator   the Aalen–Johansen estimator (ties exact, right censoring, delayed entry, 95% intervals)
    spells      dates -> months held under the point rule and four extreme scenarios
    groups      overall, detention year, gender, age band at detention, article group
    tables      the incidence table at 6/12/24/36 months, curves for a chart, medians
    checks      properties a quality gate can verify

    from analysis.survival import release_incidence_table
    table = release_incidence_table(custody, snapshot, charges=charges, article_groups=article_groups(),
                                    synthetic=True)
"""

from analysis.survival.estimator import CompetingRisksFit, aalen_johansen
from analysis.survival.groups import GROUP_KINDS, memberships
from analysis.survival.spells import DAYS_PER_MONTH, ROUTES, SCENARIOS, spells
from analysis.survival.tables import (
                                      ANY_ROUTE,
                                      REPORT_MONTHS,
                                      fit_groups,
                                      release_incidence_curves,
                                      release_incidence_table,
                                      release_medians,
)

__all__ = [
                                      "ANY_ROUTE",
                                      "DAYS_PER_MONTH",
                                      "GROUP_KINDS",
                                      "REPORT_MONTHS",
                                      "ROUTES",
                                      "SCENARIOS",
                                      "CompetingRisksFit",
                                      "aalen_johansen",
                                      "fit_groups",
                                      "memberships",
                                      "release_incidence_curves",
                                      "release_incidence_table",
                                      "release_medians",
                                      "spells",
]
