"""Every assumption and rate of the SYNTHETIC generator, in one place.

Published facts come from the ledger and release_events.csv; everything here is a choice of
the generator, written down so a reader can see (and change) it.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_SEED = 20260228
END = dt.date(2026, 2, 28)

# The six monthly snapshots and the shape each is written in.
SNAPSHOTS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2025, 9, 30), "machine_csv"),
    (dt.date(2025, 10, 31), "machine_csv"),
    (dt.date(2025, 11, 30), "public_table_ru"),
    (dt.date(2025, 12, 31), "machine_csv"),
    (dt.date(2026, 1, 31), "flattened_json"),
    (dt.date(2026, 2, 28), "machine_csv"),
)
RELEASE_RECORDS_DATE = END

# Realistic mess, applied per person (stable across snapshots) or per charge, at these rates.
MESS: dict[str, object] = {
    "birthday_year_only": 0.02,      # birthday written as "1975"
    "birthday_year_month": 0.01,     # birthday written as "1975-03" (ISO shapes) / "03.1975" (public table)
    "latin_name_russian_style": 0.15,  # Latin name in Russian-style transliteration ("Sergei", "Maria")
    "sentence_typo": 0.01,           # "3 yers", "6 monhts" (English sentence text)
    "sentence_fraction_style": 0.5,  # a half-year sentence written "4 1/2 years" instead of "4 years 6 months"
    "sentence_months_style": 0.4,    # a sentence under 4 years not in whole years written "19 months"
    "charge_lowercase_art": 0.04,    # "art. 342" instead of "Art. 342" (English charges)
    "duplicated_rows": {"2025-12-31": 1},  # exact copies of one record, placed right after it
}

# Deaths in custody: nine synthetic people (GENERATED names) die on these dates, so the synthetic
# cumulative counts match Viasna's: at least 6 by 2024-07-03 and 2024-09-04, 8 at 2025-05-22
# (Shtermer the eighth), 9 by 2025-09-19, 4 in 2024, 2 in 2025. The ledger's non-Viasna death in
# 2022-01 (Energia Democratica Liguria) is not used: Viasna's counts leave room for only three
# deaths before 2024 (8 - 1 in 2025 before May - 4 in 2024), which the three Viasna-documented ones fill.
DEATHS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2021, 5, 21), "ledger date (Viasna)"),
    (dt.date(2023, 5, 7), "ledger date: the day Viasna learned of the death (actual date not given)"),
    (dt.date(2023, 7, 11), "ledger date (Belarus Freedom Forum)"),
    (dt.date(2024, 1, 9), "ledger date (Viasna: night of 8-9 January)"),
    (dt.date(2024, 3, 15), "ASSUMED: one of three 2024 deaths the ledger counts but does not date; before 2024-07-03"),
    (dt.date(2024, 6, 15), "ASSUMED: one of three undated 2024 deaths; before 2024-07-03 so that 6 had died by then"),
    (dt.date(2024, 10, 15), "ASSUMED: the fourth 2024 death, after 2024-09-04 (Viasna still said 'at least six')"),
    (dt.date(2025, 5, 22), "ledger: reported 2025-05-22, exact date not known; dated to the report"),
    (dt.date(2025, 9, 8), "ledger gives 2025-09-03 (CPTI) and 2025-09-08 (OMCT, FIDH and Viasna); "
                          "the date in the statement Viasna co-signed is used"),
)

# How the synthetic list treats each real wave. Default: every released person was `active` on the list
# and becomes `former` on the wave's date. Where a source says how many of the released are political
# prisoners (political_prisoners_released), only that many come from the list; the rest are `np` rows
# (convicted in a politically motivated case, not recognised). Waves listed here are treated otherwise.
WAVES_NOT_ON_LIST: dict[str, str] = {
    "2025-11-22-pardon": "31 Ukrainian citizens; no source says they are on Viasna's list, so they are np rows",
}
# Gender split stated by a source for a wave (women, men); the synthetic wave uses it.
WAVE_GENDER: dict[str, tuple[int, int]] = {
    "2024-12-09-pardon": (11, 18),   # press service via Babel.ua
    "2025-12-30-pardon": (15, 7),    # state media via UNN
}

# Between two published figures the month-end path may deviate from straight-line interpolation
# so that a wave shows as a drop on its date rather than being smeared over the months around
# it; the deviation is clipped to this share of the interpolated target (tolerance is 3%).
WAVE_SHAPE_CLIP = 0.025
# Newly detained per interval never fall below this many per day (extra early releases make room).
MIN_ENTRIES_PER_DAY = 0.2

# Short detentions: people detained and released pending trial within one interval between checkpoints
# (later given a non-custodial sentence). They are on the list (former) and count toward the totals
# recognised since 2020, but are never held at a checkpoint. Per month, by year; they close part of the
# gap between the published totals (almost 2,800 by 2023-10-31; 3,697 by the end of 2024) and the list's
# month-end counts with plausible sentence lengths.
SHORT_STAYS_PER_MONTH = {2022: 3, 2023: 11, 2024: 3}
# Months with a small published monthly count of newly recognised (42 in 2023-07, 30 in 2023-10, 28 in
# 2024-01) get no short detentions; their share moves to the following month.
SHORT_STAYS_SKIP_MONTHS = {(2023, 7), (2023, 10), (2024, 1)}

# Background of np rows (convicted in political cases, not recognised) besides the np members of waves.
NP_BACKGROUND = 300

# Share of women among newly detained, by year of detention (active share is about 11-15% in Viasna's figures).
FEMALE_SHARE = {2020: 0.09, 2021: 0.095, 2022: 0.11, 2023: 0.13, 2024: 0.17, 2025: 0.16, 2026: 0.16}

# Penalty regimes of the people on the list, by period of detention (weights). Short stays dominate
# 2020-2023 (Viasna counts 1,413 released after recognition by the end of 2023, while the list held
# about 1,450), longer sentences later. Suspended sentences and fines are rare among people on the list
# (real half: 4 and 1 of 1,092 active or former records; 17 of its 18 fines are np), so their weight
# (formerly 2-15 each) went to home confinement, which is also released at the verdict.
def period_of(day: dt.date) -> str:
    return "early" if day.year <= 2021 else "y2022" if day.year == 2022 else "y2023" if day.year == 2023 else "late"


REGIME_WEIGHTS = {
    "early": (("colony_general", 55), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 0.5),
              ("khimiya", 16), ("home", 9.5), ("suspended", 0.4), ("arrest", 3), ("fine", 0.1)),
    "y2022": (("colony_general", 46), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 1),
              ("khimiya", 15), ("home", 19.5), ("suspended", 0.4), ("arrest", 5), ("fine", 0.1)),
    "y2023": (("colony_general", 38), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 1),
              ("khimiya", 14), ("home", 33.5), ("suspended", 0.4), ("arrest", 6), ("fine", 0.1)),
    "late": (("colony_general", 50), ("colony_medium", 20), ("colony_maximum", 7), ("prison", 1.5),
             ("khimiya", 12), ("home", 7.5), ("suspended", 0.4), ("arrest", 1.5), ("fine", 0.1)),
}
# Sentence lengths in months (weights) by regime; colony_general differs by period.
GENERAL_BY_PERIOD = {
    "early": ((12, 8), (18, 18), (24, 28), (30, 14), (36, 14), (42, 3), (48, 4), (60, 2), (72, 1)),
    "y2022": ((12, 20), (18, 24), (24, 22), (30, 8), (36, 10), (42, 3), (48, 4), (60, 2), (72, 1)),
    "y2023": ((12, 20), (18, 24), (24, 22), (30, 8), (36, 10), (42, 3), (48, 4), (60, 2), (72, 1)),
}
TERM_WEIGHTS = {
    "colony_general": ((12, 6), (18, 10), (24, 18), (30, 12), (36, 18), (42, 6), (48, 10), (60, 6), (72, 4)),
    "colony_medium": ((24, 6), (36, 14), (48, 14), (60, 16), (72, 12), (84, 8), (96, 6), (120, 4)),
    "colony_maximum": ((60, 8), (72, 10), (96, 10), (120, 10), (144, 6), (180, 4)),
    "prison": ((60, 4), (96, 6), (120, 6), (180, 4)),
    "khimiya": ((12, 8), (18, 8), (24, 10), (30, 4), (36, 6)),
    "home": ((12, 6), (18, 6), (24, 10), (36, 6)),
    "suspended": ((12, 6), (24, 10), (36, 8), (48, 2)),
    "arrest": ((1, 2), (2, 3), (3, 5), (4, 3), (6, 2)),
}
ODD_TERM_SHARE = 0.15  # terms shifted by a few months (e.g. 19 months, 2 years 3 months)
VERDICT_LAG_DAYS = (115, 0.5, 25, 480)  # lognormal median, sigma, min, max: detention to verdict
APPEAL_SHARE = 0.045  # real: 62 of 1,542 records have an appeal date (4.0%); was 0.55 before it was measured
INDIVIDUAL_PARDON_SHARE = 0.012  # custodial sentences cut short by an individual pardon (detained before 2024-07)
IDENTITY_NOT_PUBLISHABLE = 0.30  # released people who asked that their names not be published


# ---------------------------------------------------------------------------------------------
# Structure of real copies of the list, measured in the anonymised real half of a copy of mid-February
# 2023 (data/raw/real_structure/2023-02-15, 1,542 records; `analysis.synthetic.structure_rates`, shown
# beside the sample's by `analysis sample calibration`). "real:" gives the measured value; where a rate is
# not the measured one, the reason is said. Structural draws use their own random stream
# (f"{seed}/structure"), so they do not disturb the people the calibration rests on.

# `former` records written without a release date, by penalty regime (per person, stable across copies:
# a copy that shows the person `former` without a date is followed by copies that do too). The person-level
# release records still date every release, so counts that use them do not change.
UNDATED_FORMER_BY_REGIME = {
    "home": 0.966,        # real: 86 of 89 former records under home confinement
    "khimiya": 0.554,     # real: 41 of 74
    "colony": 0.158,      # real: 22 of 139 under a colony or prison sentence
    "arrest": 0.5,        # real: 5 of 10
    "suspended": 0.966,   # real: 4 of 4, and fine 1 of 1: too few, so home confinement's rate (also released at
    "fine": 0.966,        # the verdict) is used for both
    "none": 0.767,        # real: 33 of 43 former records without a penalty (released before any verdict was listed)
}
# CALIBRATED, not measured: the odds of every regime's rate above are multiplied by this factor. At the
# measured rates (factor 1.0) the sample's latest copy has 44% of its formers undated (1,398 of 3,154), not
# the half's 53% (192 of 360), because more of its formers left a colony or prison (three more years of ends
# of term and the 2024-25 pardon waves: 53% of formers against 39% in the half of 2023-02). With 1.6 the
# overall share is 52% (1,631 of 3,154), and per regime home confinement 99%, khimiya 67%, colony or prison
# 24% (the measured 97%, 55%, 16%). The factor keeps the order of the regimes; 1.0 gives the measured rates.
UNDATED_FORMER_ODDS_FACTOR = 1.6

# Detention after the verdict: the person was not held before trial and `arrested` is the day they were taken
# to serve (to the open facility for khimiya), 8-120 days after the verdict (real gaps: 8-116 days, one 211).
TAKEN_AFTER_VERDICT = {
    "khimiya": 0.33,      # real: 41 of 124 khimiya records with both dates
    "arrest": 0.2,        # real: 2 of 10
    "colony": 0.011,      # real: 5 of 462 colony or prison records (sentences converted later)
}
TAKEN_AFTER_VERDICT_DAYS = (8, 120)

# Scheduled appeals (APPEAL_SHARE above is the share dated): ASSUMED that an appeal date is listed from the
# verdict on, so a copy shows hearings still to come (real: 4 of the 62 appeal dates were after the copy).
APPEAL_LISTED_FROM_VERDICT = True

# Active records with a release date on or before the copy (a conflict inside the source): real 1 of 732
# active. The share of the people active at the end of the sample who get one (a past date, after the verdict).
ACTIVE_WITH_PAST_RELEASE_SHARE = 0.00137
# Active records without a detention date (real: 8 of 732; 16 of 1,439 in the whole copy). The date is
# missing while the record is `active` and given once the person is released (no real `former` record lacks it).
ACTIVE_WITHOUT_DETENTION_DATE = 0.011
# np records without a detention date (real: 364 of 450).
NP_WITHOUT_DETENTION_DATE = 0.81

# Penalty regimes of the background np rows (real np records: home confinement 273, khimiya 77, colony 45,
# arrest 28, fine 17, none 7, suspended 1, compulsory treatment 1, of 450).
NP_REGIME_WEIGHTS = (("home", 273), ("khimiya", 77), ("colony_general", 36), ("colony_medium", 5),
                     ("colony_maximum", 4), ("arrest", 28), ("fine", 17), ("suspended", 1))

# Released pending trial (short detentions) whose verdict never reaches the list: `former` records with no
# penalty (real: 43 of 360 former records have none).
SHORT_STAY_VERDICT_NOT_LISTED = 0.6

# Decision texts the generator writes at the real rates (share of records with a decision; real counts of 1,390).
DECISION_FORMS = {
    "fine_with_term": 0.0014,        # real 2: "8 1/2 years, fine of 8,700 rubles", "140 base rates, 18 months"
    "term_with_days": 0.0029,        # real 4: "6 years, 3 months and 2 days", "1 year and 1 day"
    "unknown": 0.0036,               # real 5: "unknown", "result unknown", "the outcome of the trial is unknown"
    "compulsory_treatment": 0.0036,  # real 5: "coercive treatment", "compulsory treatment" (penalty: compulsory
}                                    # psychiatric treatment)
# Fines alone are written as real copies write them: "150 base rates" (real: 14 of 16), "150 basic values" (1),
# "3.200 rubles" (1). Their rate follows from the regimes (real: 16 of 1,390 decisions, 17 of 18 fines are np).
FINE_TEXT_WEIGHTS = (("base rates", 14), ("basic values", 1), ("rubles", 1))

# Anonymous records: the source withholds the name (real: 6 of 450 np records in the half, 15 in the whole
# copy, all np). ASSUMED (not measurable in the anonymised half, whose URLs were replaced): half of them
# share one URL, as several anonymous records in the real copy do.
ANONYMOUS_NP_SHARE = 0.0133
ANONYMOUS_SHARED_URL_SHARE = 0.5
ANONYMOUS_SHARED_SLUG = "unnamed"
# ASSUMED (not measurable in the anonymised half, whose names are pseudonyms; the README of the half says the
# real copy has both): the recorded gender differs from the name's in 1 record of 300, and a Latin name has
# one Cyrillic look-alike letter (a, e, o, p, c, y, x, i typed in Cyrillic) in 1 of 300.
GENDER_INCONSISTENT_SHARE = 0.0033
LATIN_NAME_CYRILLIC_LETTER_SHARE = 0.0033
