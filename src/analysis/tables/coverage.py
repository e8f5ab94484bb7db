"""What the period's copy of the list can and cannot say: how many records each counting rule had to
handle (COVERAGE_ITEMS, in words for the report; the table keeps only counts).
"""

from __future__ import annotations

import polars as pl

from analysis.core import schema
from analysis.tables.inputs import PeriodInputs

# Restricted freedom and arrest are served after the verdict: their `arrested` date (the day the
# person was taken to the facility) normally follows it.
SERVED_AFTER_VERDICT = ("khimiya", "home_confinement", "arrest")

# item -> how counting treats such records, in words for the report (the table keeps only counts).
COVERAGE_ITEMS: dict[str, str] = {
    "records": "records in the copy (after quarantine)",
    "quarantined": "rows kept out of the copy's tables, each with its reason (restricted quarantine file)",
    "active": "listed as current political prisoners (“active”): the copy's own count on its date",
    "former": "listed as former political prisoners",
    "np": "convicted in a political case but not recognised as political prisoners (“np”): never counted",
    "active_without_detention_date": "“active” without a detention date: held on the copy's own date by their "
                                     "status, possibly held before it (upper bound), never in a flow",
    "former_without_detention_date": "“former” without a detention date: cannot be placed in time; possibly "
                                     "held before their exit (upper bound), never in a count or flow",
    "exits_dated_by_copy": "left custody on a date the copy gives (release or death in custody)",
    "exits_dated_by_release_record": "left custody on a date from a person-level release record (the copy "
                                     "gives none)",
    "exits_placed_at_verdict": "left custody on a date the copy does not give, placed at a non-custodial verdict",
    "exits_placed_at_term_end": "left custody on a date the copy does not give, placed at the end of the term",
    "exits_placed_at_midpoint": "left custody on a date the copy does not give, placed midway between the days "
                                "it can lie in",
    "exits_narrowed_by_earlier_copies": "undated exits narrowed by an earlier copy that still showed the "
                                        "person active (or no longer did)",
    "partial_detention_dates": "detention dates given as a month or a year only (counted at the middle day)",
    "active_with_past_release_date": "“active” records that also carry a past release date: a conflict in the "
                                     "source; counted as held (the status decides), named on the validation page",
    "detention_after_verdict_served_after": "detention dated after the verdict under restricted freedom or "
                                            "arrest, where “arrested” is the day the person was taken to serve it",
    "detention_after_verdict_other": "detention dated after the verdict under another regime (a converted "
                                     "sentence, or an error): shown as a warning",
    "appeal_after_copy": "appeal hearings dated after the copy (scheduled)",
    "anonymous": "records whose name the source withholds: counted, never named",
}


def coverage_table(inputs: PeriodInputs) -> pl.DataFrame:
    """How many records of the period's copy each counting rule had to handle (COVERAGE_ITEMS)."""
    persons, custody, snapshot = inputs.persons, inputs.timeline, inputs.snapshot.date
    status = persons["status"]
    rule = custody["exit_rule"]
    after_verdict = persons.filter(pl.col("arrested_from") > pl.col("verdict_date_to"))
    served_after = after_verdict["penalty_regime"].is_in(SERVED_AFTER_VERDICT)
    undated = custody.filter(rule.is_in(["verdict", "term_end", "midpoint"]))
    narrowed = undated.filter((pl.col("exit_from") > pl.col("entry_from")) | (pl.col("exit_to") < snapshot))
    counts = {
        "records": persons.height, "quarantined": inputs.snapshot.rows_quarantined,
        "active": int((status == "active").sum()), "former": int((status == "former").sum()),
        "np": int((status == "np").sum()),
        "active_without_detention_date": custody.filter(~pl.col("placed") & (pl.col("status") == "active")).height,
        "former_without_detention_date": custody.filter(~pl.col("placed") & (pl.col("status") != "active")).height,
        "exits_dated_by_copy": int(rule.is_in(["release_date", "death_date"]).sum()),
        "exits_dated_by_release_record": int((rule == "release_record").sum()),
        "exits_placed_at_verdict": int((rule == "verdict").sum()),
        "exits_placed_at_term_end": int((rule == "term_end").sum()),
        "exits_placed_at_midpoint": int((rule == "midpoint").sum()),
        "exits_narrowed_by_earlier_copies": narrowed.height,
        "partial_detention_dates": int(custody["entry_precision"].is_in(["month", "year"]).sum()),
        "active_with_past_release_date": int(custody["release_conflict"].sum()),
        "detention_after_verdict_served_after": int(served_after.sum()),
        "detention_after_verdict_other": after_verdict.height - int(served_after.sum()),
        "appeal_after_copy": persons.filter(pl.col("appeal_date_from") > snapshot).height,
        "anonymous": persons.filter(pl.col("name_raw").is_null()).height,
    }
    assert list(counts) == list(COVERAGE_ITEMS), "coverage items and their descriptions differ"
    return pl.DataFrame([{"period": inputs.period.label, "snapshot_date": snapshot, "item": item, "records": n,
                          "synthetic": inputs.synthetic} for item, n in counts.items()], schema=schema.COVERAGE)
