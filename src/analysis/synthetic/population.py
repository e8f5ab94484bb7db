"""The SYNTHETIC master population: generated people with full life histories, 2020-05 to 2026-02.

The population is built interval by interval between checkpoints (every month-end and every
date of a published Viasna figure). At each checkpoint c the number of people active at c is
fixed in advance (the path N(c), see `checkpoint_path`); over the interval (prev, c]

    exits   = deaths in custody (config.DEATHS) + members of real release waves dated in the
              interval (release_events.csv) + people whose sentence (or wait for a verdict that
              frees them) ends in the interval,
    entries = N(c) - N(prev) + exits,

so the count at every checkpoint is exact by construction. If entries would fall below a floor,
the nearest-to-release people are released early (mechanism "other") to make room. New
entrants are detained on days spread over the interval and get a sentence at detention time,
so later exits follow from earlier entries. Besides them, a few "short detentions" per month
(config.SHORT_STAYS_PER_MONTH) are detained and released inside one interval: they add to the
totals recognised since 2020 without changing any checkpoint count.

N(c) is the published figure at a figure's date (midpoint if two share a date); at other
month-ends it is the linear interpolation, shaped so that a wave shows as a drop on its date
(clipped to config.WAVE_SHAPE_CLIP of the interpolation, inside the 3% tolerance).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

import polars as pl

from analysis.synthetic import config as C
from analysis.synthetic.calibration import Anchor, viasna_anchors
from analysis.synthetic.names import BE_LAT, RU_LAT, NameBook
from analysis.synthetic.person import Person
from analysis.synthetic.record_structure import write_structure
from analysis.synthetic.vocab import (ARTICLE_WEIGHTS_EARLY, ARTICLE_WEIGHTS_LATE, ARTICLES, CHARGE_COUNT_WEIGHTS,
                                      CUSTODIAL, FACILITIES, RELEASED_AT_VERDICT, Charge, weighted)
from analysis.synthetic.waves import Wave, checkpoint_path, wave_plan


@dataclass
class Population:
    persons: list[Person]
    seed: int
    end: dt.date
    checkpoints: list[dt.date]
    path: dict[dt.date, int]
    entries: dict[dt.date, int]  # newly detained (pp) per interval ending at the checkpoint
    early_releases: dict[dt.date, int]
    waves: list[Wave]
    anchors: list[Anchor]
    deaths: list[tuple[dt.date, int]] = field(default_factory=list)  # (date, person key)
    short_stays: dict[dt.date, int] = field(default_factory=dict)  # detained and released within the interval

    def newly_listed(self) -> dict[dt.date, int]:
        """People added to the list per interval: held at the checkpoint plus short detentions."""
        return {c: self.entries[c] + self.short_stays.get(c, 0) for c in self.entries}


def _add_months(day: dt.date, months: int) -> dt.date:
    return day + dt.timedelta(days=round(months * 30.4375))


# ---------------------------------------------------------------------------------------------
# One person


class _Maker:
    def __init__(self, seed: int):
        self.rng = random.Random(f"{seed}/people")
        self.structure = random.Random(f"{seed}/structure")
        self.names = NameBook(random.Random(f"{seed}/names"))
        officials = random.Random(f"{seed}/officials")
        officials_book = NameBook(officials)
        self.judges = [officials_book.new("female" if officials.random() < 0.45 else "male") for _ in range(90)]
        self.prosecutors = [officials_book.new("female" if officials.random() < 0.4 else "male") for _ in range(70)]
        self.key = 0

    def person(self, category: str, arrested: dt.date, *, gender: str | None = None, custodial: bool = False,
               min_scheduled: dt.date | None = None, verdict_before: dt.date | None = None,
               short_stay_until: dt.date | None = None, regimes=None) -> Person:
        rng = self.rng
        self.key += 1
        if gender is None:
            gender = "female" if rng.random() < C.FEMALE_SHARE.get(arrested.year, 0.14) else "male"
        name = self.names.new(gender)
        latin = RU_LAT if rng.random() < C.MESS["latin_name_russian_style"] else BE_LAT
        age_days = int((18 + rng.betavariate(1.9, 3.4) * 57) * 365.25)
        birth = arrested - dt.timedelta(days=age_days)
        u = rng.random()
        birth_precision = ("year" if u < C.MESS["birthday_year_only"] else
                           "month" if u < C.MESS["birthday_year_only"] + C.MESS["birthday_year_month"] else "day")
        period = C.period_of(arrested)
        weights = ARTICLE_WEIGHTS_EARLY if arrested.year <= 2021 else ARTICLE_WEIGHTS_LATE
        count = weighted(rng, CHARGE_COUNT_WEIGHTS)
        codes: list[str] = []
        while len(codes) < count:
            code = weighted(rng, weights.items())
            if code not in codes:
                codes.append(code)
        charges = []
        for code in codes:
            part = weighted(rng, ARTICLES[code].parts)
            inchoate = (13 if rng.random() < 0.5 else 14) if rng.random() < 0.025 else None
            charges.append(Charge(code, part, inchoate, rng.random() < C.MESS["charge_lowercase_art"]))
        regimes = C.REGIME_WEIGHTS[period] if regimes is None else regimes
        if custodial:
            regimes = tuple((r, w) for r, w in regimes if r in CUSTODIAL)
        if short_stay_until is not None:
            regimes = tuple((r, w) for r, w in regimes if r in RELEASED_AT_VERDICT)
        regime = weighted(rng, regimes)
        term = None
        fine_units = None
        if regime == "fine":
            fine_units = rng.choice((30, 50, 100, 150, 200, 300))
        else:
            table = (C.GENERAL_BY_PERIOD.get(period, C.TERM_WEIGHTS[regime]) if regime == "colony_general"
                     else C.TERM_WEIGHTS[regime])
            term = weighted(rng, table)
            if regime != "arrest" and rng.random() < C.ODD_TERM_SHARE:
                term = max(6, term + rng.choice((-5, -3, -2, 1, 3, 5, 7)))
        median, sigma, low, high = C.VERDICT_LAG_DAYS
        lag = min(max(int(rng.lognormvariate(math.log(median), sigma)), low), high)
        verdict = arrested + dt.timedelta(days=lag)
        if verdict_before is not None and verdict >= verdict_before:
            span = max((verdict_before - arrested).days - 20, 10)
            verdict = arrested + dt.timedelta(days=rng.randint(min(low, span), span))
        mechanism = "end_of_term"
        if regime in CUSTODIAL:
            penalty_start = arrested
            scheduled = max(_add_months(arrested, term), verdict + dt.timedelta(days=rng.randint(3, 30)))
            if arrested < dt.date(2024, 7, 1) and rng.random() < C.INDIVIDUAL_PARDON_SHARE:
                span = (scheduled - verdict).days
                scheduled = verdict + dt.timedelta(days=max(5, int(span * rng.uniform(0.3, 0.8))))
                mechanism = "pardon"
        elif regime == "khimiya":
            # Restricted freedom starts after the verdict; a day held before trial counts as two.
            penalty_start = verdict + dt.timedelta(days=rng.randint(20, 60))
            credit = dt.timedelta(days=2 * (verdict - arrested).days)
            scheduled = max(_add_months(penalty_start, term) - credit, penalty_start + dt.timedelta(days=30))
        elif regime == "arrest":
            penalty_start = arrested
            scheduled = max(_add_months(arrested, term), verdict + dt.timedelta(days=rng.randint(1, 10)))
        else:  # home, suspended, fine: released when the verdict is given
            penalty_start = verdict
            scheduled = verdict
            mechanism = "other"
        taken_share = C.TAKEN_AFTER_VERDICT.get("colony" if regime in CUSTODIAL else regime)
        taken_after = (taken_share is not None and short_stay_until is None
                       and self.structure.random() < taken_share)
        if taken_after:  # not held before trial: taken to serve (the open facility) days after the verdict
            verdict = arrested - dt.timedelta(days=self.structure.randint(*C.TAKEN_AFTER_VERDICT_DAYS))
            penalty_start = arrested
            scheduled = max(_add_months(arrested, term), arrested + dt.timedelta(days=30))
            mechanism = "end_of_term"
        if min_scheduled is not None and scheduled <= min_scheduled:
            shift = (min_scheduled - scheduled).days + rng.randint(1, 25)
            scheduled += dt.timedelta(days=shift)
            if regime in RELEASED_AT_VERDICT:
                verdict = penalty_start = scheduled
        if short_stay_until is not None:  # released pending trial, sentenced later
            scheduled = min(arrested + dt.timedelta(days=rng.randint(3, 21)), short_stay_until)
            mechanism = "other"
            verdict = penalty_start = scheduled + dt.timedelta(days=rng.randint(40, 200))
        appeal = verdict + dt.timedelta(days=rng.randint(35, 110)) if rng.random() < C.APPEAL_SHARE else None
        sizo = FACILITIES["sizo"]
        pretrial = sizo[0] if rng.random() < 0.4 else rng.choice(sizo)
        if regime in ("colony_general", "colony_medium", "colony_maximum"):
            placement = rng.choice(FACILITIES["colony_women" if gender == "female" else "colony_men"])
        elif regime == "prison":
            placement = rng.choice(FACILITIES["prison"])
        elif regime == "khimiya":
            placement = rng.choice(FACILITIES["open"])
        else:
            placement = None
        style = "plain"
        if term is not None:
            if term % 12 == 6 and term >= 18 and rng.random() < C.MESS["sentence_fraction_style"]:
                style = "fraction"
            elif term % 12 and term < 48 and rng.random() < C.MESS["sentence_months_style"]:
                style = "months"
        typo = rng.choice(("yers", "monhts")) if rng.random() < C.MESS["sentence_typo"] else None
        fine_style = weighted(self.structure, C.FINE_TEXT_WEIGHTS) if regime == "fine" else "base rates"
        return Person(
            taken_after_verdict=taken_after, fine_style=fine_style, key=self.key, category=category, gender=gender, name=name, latin_variant=latin, birth=birth,
            birth_precision=birth_precision, arrested=arrested, charges=tuple(charges), regime=regime,
            term_months=term, fine_units=fine_units, verdict=verdict, appeal=appeal, penalty_start=penalty_start,
            scheduled=scheduled, scheduled_mechanism=mechanism, pretrial=pretrial, placement=placement,
            judge=rng.choice(self.judges), prosecutor=rng.choice(self.prosecutors), sentence_style=style,
            typo=typo, identity_publishable=rng.random() >= C.IDENTITY_NOT_PUBLISHABLE,
        )


# ---------------------------------------------------------------------------------------------
# The population


def _release(p: Person, day: dt.date, mechanism: str, destination: str, event_id: str | None = None,
             documents: str = "false") -> None:
    p.release, p.mechanism, p.destination, p.event_id, p.documents_withheld = (
        day, mechanism, destination, event_id, documents)


def _days_between(rng: random.Random, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """n days drawn uniformly from (start, end], sorted."""
    span = (end - start).days
    return sorted(start + dt.timedelta(days=rng.randint(1, span)) for _ in range(n))


def build_population(ledger: pl.DataFrame, events: pl.DataFrame, seed: int = C.DEFAULT_SEED) -> Population:
    anchors = viasna_anchors(ledger)
    waves = wave_plan(events)
    checkpoints, path = checkpoint_path(anchors, waves)
    maker = _Maker(seed)
    rng_dates = random.Random(f"{seed}/dates")
    rng_pick = random.Random(f"{seed}/selection")
    persons: list[Person] = []
    entries: dict[dt.date, int] = {}
    early: dict[dt.date, int] = {}
    deaths: list[tuple[dt.date, int]] = []
    short: dict[dt.date, int] = {}
    quota = 0.0

    first = checkpoints[0]
    month_start = first.replace(day=1) - dt.timedelta(days=1)
    active = [maker.person("pp", d, min_scheduled=first)
              for d in _days_between(rng_dates, month_start, first, path[first])]
    persons.extend(active)
    entries[first] = len(active)

    for prev, c in zip(checkpoints, checkpoints[1:]):
        exits = 0
        # Deaths and waves, in date order, take people held at that date.
        happenings = [(d, 0, reason) for d, reason in C.DEATHS if prev < d <= c]
        happenings += [(w.date, 1, w) for w in waves if prev < w.date <= c]
        for day, kind, item in sorted(happenings, key=lambda h: (h[0], h[1])):
            held = [p for p in active if p.gone is None and p.arrested < day - dt.timedelta(days=30)
                    and p.scheduled > day]
            if kind == 0:
                exits += _die(rng_pick, held, day, deaths)
            else:
                exits += _wave(rng_pick, maker, item, held, persons)
        # Natural ends of sentences (and releases at verdict) in the interval.
        for p in active:
            if p.gone is None and p.scheduled <= c:
                destination = "belarus"
                _release(p, p.scheduled, p.scheduled_mechanism, destination)
                exits += 1
        n_new = path[c] - path[prev] + exits
        floor = round(C.MIN_ENTRIES_PER_DAY * (c - prev).days)
        if n_new < floor:
            extra = floor - n_new
            candidates = sorted((p for p in active if p.gone is None and p.verdict < c - dt.timedelta(days=10)),
                                key=lambda p: (p.scheduled, p.key))
            for p in candidates[:extra]:
                start = max(prev, p.verdict)
                day = start + dt.timedelta(days=rng_dates.randint(1, max((c - start).days, 1)))
                _release(p, min(day, c), "other", "belarus")
            early[c] = min(extra, len(candidates))
            n_new += early[c]
        new = [maker.person("pp", d, min_scheduled=c) for d in _days_between(rng_dates, prev, c, n_new)]
        persons.extend(new)
        # Short detentions inside the interval: detained and released before c.
        quota += C.SHORT_STAYS_PER_MONTH.get(c.year, 0) * (c - prev).days / 30.4375
        skip = (c.year, c.month) in C.SHORT_STAYS_SKIP_MONTHS or (c - prev).days < 2
        n_short = 0 if skip else int(quota)
        quota -= n_short
        for d in _days_between(rng_dates, prev, c - dt.timedelta(days=1), n_short):
            p = maker.person("pp", d, short_stay_until=c)
            p.short_stay = True
            _release(p, p.scheduled, "other", "belarus")
            persons.append(p)
        short[c] = n_short
        entries[c] = n_new
        active = [p for p in active if p.gone is None] + new
        if len(active) != path[c]:  # pragma: no cover - bookkeeping invariant
            raise AssertionError(f"{c}: {len(active)} active, planned {path[c]}")

    _background_np(maker, rng_dates, persons, entries)
    _finish(persons, seed)
    write_structure(persons, seed)
    return Population(persons, seed, C.END, checkpoints, path, entries, early, waves, anchors, deaths, short)


def _die(rng: random.Random, held: list[Person], day: dt.date, deaths: list) -> int:
    pool = [p for p in held if p.verdict < day and p.regime in CUSTODIAL and (day - p.birth).days > 45 * 365]
    pool = pool or [p for p in held if p.verdict < day] or held
    weights = [max((day - p.birth).days / 365.25 - 40, 1.0) ** 1.5 for p in pool]
    person = rng.choices(pool, weights=weights, k=1)[0]
    person.died = day
    deaths.append((day, person.key))
    return 1


def _wave(rng: random.Random, maker: _Maker, wave: Wave, held: list[Person], persons: list[Person]) -> int:
    eligible = [p for p in held if p.verdict < wave.date and p.category == "pp"]
    if wave.women is not None:
        women = [p for p in eligible if p.gender == "female"]
        men = [p for p in eligible if p.gender == "male"]
        chosen = rng.sample(women, wave.women) + rng.sample(men, wave.men)
        chosen = chosen[: wave.n_pp]
    else:
        chosen = rng.sample(eligible, wave.n_pp)
    chosen.sort(key=lambda p: p.key)
    members = list(chosen)
    for _ in range(wave.n_np):  # np members: convicted in political cases, not on the list
        arrested = wave.date - dt.timedelta(days=rng.randint(240, 1100))
        p = maker.person("np", arrested, custodial=True, min_scheduled=wave.date, verdict_before=wave.date)
        persons.append(p)
        members.append(p)
    # Destinations: the event's split, assigned at random among the members.
    order = members[:]
    rng.shuffle(order)
    if wave.destination == "mixed":
        to_ua = wave.to_ukraine or 0
        destinations = ["ukraine"] * to_ua + ["lithuania"] * (len(order) - to_ua)
    elif wave.destination in ("lithuania", "ukraine", "belarus"):
        destinations = [wave.destination] * len(order)
    else:
        destinations = ["not_reported"] * len(order)
    documents = {id(p): "unknown" for p in order}
    if wave.without_documents:
        group = [p for p, d in zip(order, destinations) if d == "ukraine"] or order
        for p in group[: wave.without_documents]:
            documents[id(p)] = "true"
    for p, destination in zip(order, destinations):
        _release(p, wave.date, wave.mechanism, destination, wave.event_id, documents[id(p)])
    return len(chosen)


def _background_np(maker: _Maker, rng: random.Random, persons: list[Person], entries: dict[dt.date, int]) -> None:
    """np rows detained over the whole period, in proportion to the list's newly detained."""
    checkpoints = sorted(entries)
    weights = [entries[c] for c in checkpoints]
    for _ in range(C.NP_BACKGROUND):
        c = rng.choices(checkpoints, weights=weights, k=1)[0]
        start = c.replace(day=1) - dt.timedelta(days=1)
        arrested = start + dt.timedelta(days=rng.randint(1, (c - start).days))
        p = maker.person("np", arrested, regimes=C.NP_REGIME_WEIGHTS)
        if p.scheduled <= C.END:
            _release(p, p.scheduled, p.scheduled_mechanism, "belarus")
        persons.append(p)


def _finish(persons: list[Person], seed: int) -> None:
    """Stable, non-contiguous ids (in order of detention) and unique URL slugs."""
    rng = random.Random(f"{seed}/ids")
    persons.sort(key=lambda p: (p.arrested, p.key))
    next_id = 1000
    slugs: dict[str, int] = {}
    for p in persons:
        next_id += rng.choice((1, 1, 1, 2, 2, 3, 4, 7))
        p.id = next_id
        base = p.latin_name().lower().replace(" ", "-")
        slugs[base] = slugs.get(base, 0) + 1
        p.slug = base if slugs[base] == 1 else f"{base}-{slugs[base]}"
