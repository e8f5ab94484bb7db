"""One SYNTHETIC person: their life history (detention, charges, verdict, release or death) and how
their record is written in the copies of the list (the structure of real copies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analysis.synthetic.names import PersonName
from analysis.synthetic.vocab import Charge, Facility

# Latin letters and their Cyrillic look-alikes: a name in Latin may carry one (config, "Structure").
LOOKALIKES = dict(zip("aceopxyi", "асеорхуі"))


@dataclass
class Person:
    key: int
    category: str  # "pp" (on the list) or "np" (convicted, not recognised)
    gender: str
    name: PersonName
    latin_variant: int  # names.BE_LAT or names.RU_LAT
    birth: dt.date
    birth_precision: str  # day, month, year
    arrested: dt.date
    charges: tuple[Charge, ...]
    regime: str
    term_months: int | None
    fine_units: int | None
    verdict: dt.date
    appeal: dt.date | None
    penalty_start: dt.date
    scheduled: dt.date  # when the sentence (or the wait for a verdict that frees) ends
    scheduled_mechanism: str  # end_of_term, other, pardon
    pretrial: Facility
    placement: Facility | None
    judge: PersonName
    prosecutor: PersonName
    sentence_style: str
    typo: str | None
    identity_publishable: bool
    release: dt.date | None = None
    mechanism: str | None = None
    destination: str | None = None
    event_id: str | None = None
    documents_withheld: str = "false"
    died: dt.date | None = None
    id: int = 0
    slug: str = ""
    # Structure of real copies (config, "Structure of real copies"): how the person's record is written.
    taken_after_verdict: bool = False  # not held before trial: `arrested` is the day taken to serve
    short_stay: bool = False  # detained and released pending trial within one interval
    fine_style: str = "base rates"  # how a fine alone is written (config.FINE_TEXT_WEIGHTS)
    release_undated: bool = False  # `former` without a release date in every copy
    verdict_unlisted: bool = False  # the verdict never reaches the list (released pending trial)
    arrested_withheld: bool = False  # no detention date (np: always; others: while `active`)
    conflict_release: dt.date | None = None  # a past release date on an `active` record
    decision_form: str | None = None  # fine_with_term, term_with_days, unknown, compulsory_treatment
    anonymous: bool = False  # listed without a name
    gender_flipped: bool = False  # recorded gender differs from the name's
    cyrillic_letter: int | None = None  # index of a Latin letter written as its Cyrillic look-alike

    @property
    def gone(self) -> dt.date | None:
        """The day the person stops being held (release or death), if any."""
        return self.died or self.release

    def latin_name(self) -> str:
        return self.name.form(self.latin_variant)
