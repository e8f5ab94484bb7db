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
# about 1,450), longer sentences later.
def period_of(day: dt.date) -> str:
    return "early" if day.year <= 2021 else "y2022" if day.year == 2022 else "y2023" if day.year == 2023 else "late"


REGIME_WEIGHTS = {
    "early": (("colony_general", 55), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 0.5),
              ("khimiya", 16), ("home", 4), ("suspended", 4), ("arrest", 3), ("fine", 2)),
    "y2022": (("colony_general", 46), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 1),
              ("khimiya", 15), ("home", 8), ("suspended", 9), ("arrest", 5), ("fine", 3)),
    "y2023": (("colony_general", 38), ("colony_medium", 10), ("colony_maximum", 3), ("prison", 1),
              ("khimiya", 14), ("home", 12), ("suspended", 15), ("arrest", 6), ("fine", 7)),
    "late": (("colony_general", 50), ("colony_medium", 20), ("colony_maximum", 7), ("prison", 1.5),
             ("khimiya", 12), ("home", 3), ("suspended", 3), ("arrest", 1.5), ("fine", 2)),
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
APPEAL_SHARE = 0.55
INDIVIDUAL_PARDON_SHARE = 0.012  # custodial sentences cut short by an individual pardon (detained before 2024-07)
IDENTITY_NOT_PUBLISHABLE = 0.30  # released people who asked that their names not be published
