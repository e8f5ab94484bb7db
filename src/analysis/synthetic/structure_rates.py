"""Structure: how a copy of the list is written, measured the same way on the sample and on real data.

`structure_rates(persons)` measures, on one canonical person table (`analysis.read_registry`), the
rates of the patterns real copies have and a sample built from assumptions may lack: `former`
records without a release date (by penalty regime), detention after the verdict, scheduled appeal
hearings, conflicts inside the source, missing detention dates, decision texts the sentence parser
may not read, anonymous records, and two patterns the anonymised real half cannot show. Decision
texts are classified by the regexes below on the raw `decision` text, so the rates do not depend on
the sentence parser. Anonymous records (the source withholds the name) are kept by the reader and
counted like any other. `structure_comparison` sets the sample's rates beside the real half's, with
their tolerances. (How far a copy's *counts* are from the published figures: analysis.synthetic.calibration.)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core.schema import Columns
from analysis.ingest.registry import read_registry_file
from analysis.synthetic.names import FEMALE_GIVEN, MALE_GIVEN

REAL_HALF = ("real_structure", "2023-02-15", "viasna_2023-02_anonymised_half.json")

_DAY_UNIT = r"\bdays?\b"
_TERM_UNIT = r"\b(?:\d+(?:[.,]\d+)?(?:\s+\d+\s*[/\\]\s*\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)\s+" \
             r"(?:years?|yers?|months?|monhts?|month)\b"
_FINE = r"\b(?:base|basic)\s+(?:rates?|values?|units?|amounts?)\b|\brubles?\b|\bfine\b"
DECISION_CLASSES = {
    # name: (regex on the lower-cased decision text, description)
    "fine_only": "a fine alone, e.g. '150 base rates', '3.200 rubles'",
    "fine_with_term": "a term and a fine, e.g. '8 1/2 years, fine of 8,700 rubles', '140 base rates, 18 months'",
    "term_with_days": "an exact term with days, e.g. '6 years, 3 months and 2 days', '1 year and 1 day'",
    "unknown": "the outcome is not known: 'unknown', 'result unknown'",
    "compulsory_treatment": "compulsory (psychiatric) treatment instead of a sentence",
}


def decision_class(text: pl.Expr) -> pl.Expr:
    """The class of a raw decision text (DECISION_CLASSES), or null for an ordinary term or no text."""
    s = text.str.to_lowercase()
    fine, term = s.str.contains(_FINE), s.str.contains(_TERM_UNIT)
    return (pl.when(s.str.contains(r"treatment")).then(pl.lit("compulsory_treatment"))
            .when(s.str.contains(r"\bunknown\b")).then(pl.lit("unknown"))
            .when(fine & term).then(pl.lit("fine_with_term"))
            .when(fine).then(pl.lit("fine_only"))
            .when(s.str.contains(_DAY_UNIT)).then(pl.lit("term_with_days")))


# Patterns the anonymisation of the real half removed: measured on the sample, never on the half.
NOT_MEASURABLE_IN_HALF = {
    "gender_inconsistent_with_name": "names were replaced by pseudonyms",
    "latin_name_with_cyrillic_letter": "names were replaced by pseudonyms",
    "anonymous_sharing_a_url": "URL slugs were replaced by the renumbered record id",
}
# Measured in the half but not comparable: the anonymisation changed it.
NOT_COMPARABLE = {
    "birthday_year_only": "birth dates were reduced to the year in the anonymisation; the sample's rate is "
                          "an assumption (synthetic.config.MESS), not calibrated to the half",
}

# Shown beside the half's, not held to a tolerance (see STRUCTURE_TOLERANCES).
UNTESTED = {
    "status_active": "shown, not tested: the split depends on the copy's date (formers accumulate)",
    "status_former": "shown, not tested: the split depends on the copy's date (formers accumulate)",
    "status_np": "shown, not tested: the generator's np rows (config.NP_BACKGROUND) are not calibrated",
    "former_undated_arrest": "shown, not tested: 10 real records",
    "former_undated_suspended_or_fine": "shown, not tested: 5 real records",
    "detained_after_verdict_arrest": "shown, not tested: 10 real records",
    "anonymous": "shown, not tested: follows the np share; see anonymous_of_np",
}

STRUCTURE_SCHEMA: Columns = {
    "rate": pl.String, "description": pl.String, "numerator": pl.Int64, "denominator": pl.Int64,
    "value": pl.Float64,
}

# Penalty regimes grouped as the undated-former rate depends on them.
_REGIME_GROUPS = {
    "home_confinement": ("home_confinement",), "khimiya": ("khimiya",), "colony_or_prison": ("colony", "prison"),
    "arrest": ("arrest",), "suspended_or_fine": ("suspended", "fine"),
}

_CYRILLIC = r"[\u0400-\u04ff]"
_LATIN = r"[A-Za-z]"


def _given_name_genders() -> dict[str, str]:
    """Given name (any spelling, lower case) -> gender, from the generator's name book. Covers the
    sample's names; a real copy's names mostly are not in it (and the half's are pseudonyms)."""
    out: dict[str, str] = {}
    for gender, parts in (("male", MALE_GIVEN), ("female", FEMALE_GIVEN)):
        for part in parts:
            for form in part.forms:
                out.setdefault(form.lower(), gender)
    return out


def c_(name: str) -> pl.Expr:
    return pl.col(name)


def structure_rates(persons: pl.DataFrame, snapshot: dt.date | None = None) -> pl.DataFrame:
    """The structural rates of one copy of the list (see the comment above STRUCTURE_SCHEMA).

    `persons` is a canonical person table; `snapshot` defaults to the table's snapshot_date."""
    if snapshot is None:
        snapshot = persons["snapshot_date"].drop_nulls().first() if persons.height else None
    p = persons.with_columns(
        regime=c_("penalty_regime"),
        undated=(c_("status") == "former") & c_("release_date_from").is_null() & c_("died_from").is_null()
        & ~c_("died_in_custody").fill_null(False),
        after_verdict=(c_("arrested_from") > c_("verdict_date_to")),
        both_dates=c_("arrested_from").is_not_null() & c_("verdict_date_to").is_not_null(),
        decision=decision_class(c_("sentence_raw").fill_null("")),
        anonymous=c_("name_raw").fill_null("").str.strip_chars() == "",
    )
    rows: list[tuple] = []

    def add(rate: str, description: str, numerator: int, denominator: int) -> None:
        rows.append((rate, description, int(numerator), int(denominator),
                     numerator / denominator if denominator else None))

    def count(frame: pl.DataFrame, expr: pl.Expr | None = None) -> int:
        return frame.height if expr is None else int(frame.select(expr.fill_null(False).sum()).item())

    status = c_("status")
    records = p.height
    n_status = {s: count(p, status == s) for s in ("active", "former", "np")}
    for s in ("active", "former", "np"):
        add(f"status_{s}", f"records with status {s}", n_status[s], records)
    formers = p.filter(status == "former")
    add("former_undated", "`former` records without a release date (nor a date of death)",
        count(formers, c_("undated")), formers.height)
    for group, regimes in _REGIME_GROUPS.items():
        subset = formers.filter(c_("regime").is_in(regimes))
        add(f"former_undated_{group}", f"... of the `former` records under {group.replace('_', ' ')}",
            count(subset, c_("undated")), subset.height)
    subset = formers.filter(c_("regime").is_null())
    add("former_undated_no_regime", "... of the `former` records without a penalty", count(subset, c_("undated")),
        subset.height)
    active = p.filter(status == "active")
    add("active_home_confinement", "`active` records under home confinement (not custody)",
        count(active, c_("regime") == "home_confinement"), active.height)
    dated = p.filter(c_("both_dates"))
    for name, regimes, what in (
            ("detained_after_verdict_khimiya", ("khimiya",), "khimiya: taken to the open facility after the verdict"),
            ("detained_after_verdict_restricted", ("khimiya", "home_confinement"),
             "restricted freedom (khimiya or home confinement)"),
            ("detained_after_verdict_colony_or_prison", ("colony", "prison"),
             "colony or prison: a sentence converted later"),
            ("detained_after_verdict_arrest", ("arrest",), "arrest")):
        subset = dated.filter(c_("regime").is_in(regimes))
        add(name, f"detention after the verdict, {what} (of those with both dates)",
            count(subset, c_("after_verdict")), subset.height)
    appeals = p.filter(c_("appeal_date_from").is_not_null())
    add("appeal_dated", "records with an appeal date", appeals.height, records)
    add("appeal_after_copy", "appeal dates after the copy's date (scheduled hearings)",
        count(appeals, c_("appeal_date_from") > snapshot) if snapshot else 0, appeals.height)
    add("active_with_past_release_date", "`active` records with a release date on or before the copy's date "
        "(a conflict inside the source)", count(active, c_("release_date_to") <= snapshot) if snapshot else 0,
        active.height)
    add("active_without_detention_date", "`active` records without a detention date",
        count(active, c_("arrested_from").is_null()), active.height)
    np_ = p.filter(status == "np")
    add("np_without_detention_date", "`np` records without a detention date",
        count(np_, c_("arrested_from").is_null()), n_status["np"])
    decided = p.filter(c_("sentence_raw").fill_null("").str.strip_chars() != "")
    for cls, description in DECISION_CLASSES.items():
        add(f"decision_{cls}", f"decisions: {description}", count(decided, c_("decision") == cls), decided.height)
    n_anonymous = count(p, c_("anonymous"))
    add("anonymous", "records without a name (the source withholds it)", n_anonymous, records)
    add("anonymous_of_np", "`np` records without a name", count(p, c_("anonymous") & (status == "np")),
        n_status["np"])
    add("anonymous_np", "anonymous records that are `np`", count(p, c_("anonymous") & (status == "np")), n_anonymous)
    urls = p.filter(c_("anonymous")).select(url=c_("url_slug").cast(pl.String)).drop_nulls()
    shared = urls.group_by("url").len().filter(c_("len") > 1)["len"].sum() if urls.height else 0
    add("anonymous_sharing_a_url", "anonymous records that share their URL with another anonymous record", shared,
        n_anonymous)
    births = p.filter(c_("birth_date_precision").is_not_null())
    add("birthday_year_only", "birth dates given as a year only (of those given)",
        count(births, c_("birth_date_precision") == "year"), births.height)
    genders = _given_name_genders()
    named = p.filter(c_("gender").is_not_null() & ~c_("anonymous")).with_columns(
        implied=c_("name_raw").str.split(" ").list.first().str.to_lowercase().replace_strict(
            genders, default=None, return_dtype=pl.String))
    named = named.filter(c_("implied").is_not_null())
    add("gender_inconsistent_with_name", "recorded gender differs from the given name's (of records whose given "
        "name the generator's name book knows)", count(named, c_("implied") != c_("gender")), named.height)
    latin = p.filter(c_("name_raw").fill_null("").str.contains(_LATIN))
    add("latin_name_with_cyrillic_letter", "Latin names containing a Cyrillic look-alike letter",
        count(latin, c_("name_raw").str.contains(_CYRILLIC)), latin.height)
    return pl.DataFrame(rows, schema=STRUCTURE_SCHEMA, orient="row")


# Tolerances of the sample against the real half. ("points", a): the shares differ by at most `a` percentage
# points. ("ratio", a): a pattern the half shows only a handful of times (counts of 1-6, whose Poisson
# uncertainty alone is a factor of 2-3): the sample's share is within a factor `a` of the half's.
# ("count", a, b): the sample's count lies in [a, b]. Rows without an entry are shown, not tested: the status
# shares depend on the copy's date (formers accumulate: the half is of 2023-02, the sample's latest copy of
# 2026-02) and on how many np rows the generator adds (config.NP_BACKGROUND, not calibrated); the arrest and
# suspended-or-fine rows rest on 10 and 5 real records; `anonymous` of all records follows the np share.
# The per-regime undated rates carry the odds factor config.UNDATED_FORMER_ODDS_FACTOR (1.6) that brings the
# overall share to the half's, so they may differ by up to 20 points; the overall share is held to 5.
STRUCTURE_TOLERANCES: dict[str, tuple] = {
    "former_undated": ("points", 5),
    "former_undated_home_confinement": ("points", 10),
    "former_undated_khimiya": ("points", 20),
    "former_undated_colony_or_prison": ("points", 20),
    "former_undated_no_regime": ("points", 25),
    "active_home_confinement": ("count", 0, 0),
    "detained_after_verdict_khimiya": ("points", 10),
    "detained_after_verdict_restricted": ("points", 10),
    "detained_after_verdict_colony_or_prison": ("ratio", 3),
    "appeal_dated": ("points", 2),
    "appeal_after_copy": ("ratio", 3),
    "active_with_past_release_date": ("ratio", 3),
    "active_without_detention_date": ("points", 1),
    "np_without_detention_date": ("points", 10),
    "decision_fine_only": ("points", 1),
    "decision_fine_with_term": ("ratio", 3),
    "decision_term_with_days": ("ratio", 3),
    "decision_unknown": ("ratio", 3),
    "decision_compulsory_treatment": ("ratio", 3),
    "anonymous_of_np": ("ratio", 3),
    "anonymous_np": ("points", 0),
}

STRUCTURE_COMPARISON_SCHEMA: Columns = {
    "rate": pl.String, "description": pl.String, "sample_numerator": pl.Int64, "sample_denominator": pl.Int64,
    "sample": pl.Float64, "real_numerator": pl.Int64, "real_denominator": pl.Int64, "real": pl.Float64,
    "difference": pl.Float64, "tolerance": pl.String, "within_tolerance": pl.Boolean, "note": pl.String,
}


def _tolerance_text(rule: tuple | None) -> str:
    if rule is None:
        return ""
    if rule[0] == "points":
        return f"±{rule[1]:g} points"
    if rule[0] == "ratio":
        return f"within x{rule[1]:g}"
    return f"{rule[1]:g} records" if rule[1] == rule[2] else f"{rule[1]:g}-{rule[2]:g} records"


def _within(rule: tuple, sample: dict, real: dict) -> bool | None:
    kind = rule[0]
    if kind == "count":
        return rule[1] <= sample["numerator"] <= rule[2]
    if sample["value"] is None or real["value"] is None:
        return None
    if kind == "points":
        return abs(sample["value"] - real["value"]) * 100 <= rule[1] + 1e-9
    if real["value"] == 0:
        return sample["value"] == 0
    return 1 / rule[1] <= sample["value"] / real["value"] <= rule[1]


def structure_comparison(sample: pl.DataFrame, real: pl.DataFrame | None) -> pl.DataFrame:
    """Each structural rate of the sample beside the real half's, the difference, and whether it is within
    STRUCTURE_TOLERANCES (null where no tolerance is set, or the half cannot show the pattern)."""
    real_rows = {r["rate"]: r for r in real.iter_rows(named=True)} if real is not None else {}
    rows = []
    for s in sample.iter_rows(named=True):
        rate = s["rate"]
        r = real_rows.get(rate)
        note = ""
        if rate in NOT_MEASURABLE_IN_HALF:
            r, note = None, "not measurable in the anonymised half: " + NOT_MEASURABLE_IN_HALF[rate]
        elif rate in NOT_COMPARABLE:
            note = "not comparable: " + NOT_COMPARABLE[rate]
        elif r is None:
            note = "no real copy to compare with"
        elif rate in UNTESTED:
            note = UNTESTED[rate]
        rule = STRUCTURE_TOLERANCES.get(rate) if r is not None and rate not in NOT_COMPARABLE else None
        difference = (s["value"] - r["value"]) if r is not None and s["value"] is not None \
            and r["value"] is not None else None
        within = _within(rule, s, r) if rule is not None else None
        rows.append((rate, s["description"], s["numerator"], s["denominator"], s["value"],
                     r["numerator"] if r else None, r["denominator"] if r else None, r["value"] if r else None,
                     difference, _tolerance_text(rule), within, note))
    return pl.DataFrame(rows, schema=STRUCTURE_COMPARISON_SCHEMA, orient="row")


def structure_of_copy(path) -> pl.DataFrame:
    """structure_rates of one registry file, read with the package's reader."""
    read = read_registry_file(path)
    return structure_rates(read.persons, read.snapshot_date)
