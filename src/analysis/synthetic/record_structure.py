"""How each SYNTHETIC record is written: the structure of real copies (config, "Structure of real
copies"). Per person and stable across copies: which parts of the record the copies leave out or write
otherwise, drawn from its own random stream after everything the calibration rests on."""

from __future__ import annotations

import datetime as dt
import math
import random

from analysis.synthetic import config as C
from analysis.synthetic.person import LOOKALIKES, Person
from analysis.synthetic.vocab import CUSTODIAL


def _regime_group(p: Person) -> str:
    if p.verdict_unlisted:
        return "none"
    return "colony" if p.regime in CUSTODIAL else p.regime


def undated_probability(group: str) -> float:
    """The chance that a released person's record gives no release date: the measured rate of the
    regime, its odds multiplied by config.UNDATED_FORMER_ODDS_FACTOR."""
    rate = C.UNDATED_FORMER_BY_REGIME[group]
    odds = rate / (1 - rate) * C.UNDATED_FORMER_ODDS_FACTOR if rate < 1 else float("inf")
    return odds / (1 + odds)


def _pick(rng: random.Random, pool: list[Person], share: float, base: int) -> list[Person]:
    """round(share * base) people from pool (in id order), at random."""
    k = min(len(pool), int(math.floor(share * base + 0.5)))
    return rng.sample(pool, k) if k else []


def write_structure(persons: list[Person], seed: int) -> None:
    """Per person and stable across copies: which parts of the record the copies leave out or write
    otherwise. Drawn from its own random stream, after everything the calibration rests on."""
    rng = random.Random(f"{seed}/structure-flags")
    end = C.END
    first_copy = C.SNAPSHOTS[0][0]
    ordered = sorted(persons, key=lambda p: p.id)
    for p in ordered:
        if p.short_stay:
            p.verdict_unlisted = rng.random() < C.SHORT_STAY_VERDICT_NOT_LISTED
        if p.category == "np":
            p.arrested_withheld = rng.random() < C.NP_WITHOUT_DETENTION_DATE
        else:
            p.arrested_withheld = rng.random() < C.ACTIVE_WITHOUT_DETENTION_DATE
        if p.category == "pp" and p.release is not None and p.died is None:
            p.release_undated = rng.random() < undated_probability(_regime_group(p))
    decided = [p for p in ordered if p.verdict <= end and not p.verdict_unlisted]
    with_term = [p for p in decided if p.term_months]
    eligible = {
        "fine_with_term": [p for p in with_term if p.regime in CUSTODIAL],
        "term_with_days": [p for p in with_term if p.regime in CUSTODIAL],
        "unknown": decided,
        "compulsory_treatment": [p for p in with_term if p.regime in CUSTODIAL and not p.taken_after_verdict],
    }
    taken: set[int] = set()
    for form, share in C.DECISION_FORMS.items():
        for p in _pick(rng, [q for q in eligible[form] if q.key not in taken], share, len(decided)):
            p.decision_form = form
            taken.add(p.key)
    active_at_end = [p for p in ordered if p.category == "pp" and p.gone is None and p.arrested <= end]
    pool = [p for p in active_at_end if p.regime in CUSTODIAL and not p.arrested_withheld
            and not p.taken_after_verdict and p.decision_form is None and p.verdict < first_copy - dt.timedelta(days=60)]
    for p in _pick(rng, pool, C.ACTIVE_WITH_PAST_RELEASE_SHARE, len(active_at_end)):
        p.conflict_release = p.verdict + dt.timedelta(days=rng.randint(30, min(400, (first_copy - p.verdict).days - 1)))
    nps = [p for p in ordered if p.category == "np"]
    anonymous = _pick(rng, nps, C.ANONYMOUS_NP_SHARE, len(nps))
    shared = set(id(p) for p in anonymous[: int(len(anonymous) * C.ANONYMOUS_SHARED_URL_SHARE + 0.5)])
    for p in anonymous:
        p.anonymous = True
        p.slug = C.ANONYMOUS_SHARED_SLUG if id(p) in shared else f"{C.ANONYMOUS_SHARED_SLUG}-{p.id}"
    named = [p for p in ordered if not p.anonymous]
    for p in _pick(rng, named, C.GENDER_INCONSISTENT_SHARE, len(ordered)):
        p.gender_flipped = True
    for p in _pick(rng, named, C.LATIN_NAME_CYRILLIC_LETTER_SHARE, len(ordered)):
        name = p.latin_name()
        spots = [i for i, ch in enumerate(name) if ch in LOOKALIKES]
        p.cyrillic_letter = rng.choice(spots) if spots else None
