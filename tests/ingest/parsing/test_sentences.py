"""parse_sentence: terms in months (with the typos of real copies), life, fines, compulsory treatment,
unknown outcomes, no sentence, and errors. Strings marked "real" are copied from a real copy of the list
(data/real_structure, mid-February 2023)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.parsing import Sentence, parse_sentence

TERMS = [
    ("6 years", 72),
    ("4 1/2 years", 54),
    ("1/2 year", 6),
    ("19 months", 19),
    ("2 years 6 months", 30),
    ("1 year and 6 months", 18),
    ("2 years, 6 months", 30),
    ("2.5 years", 30),
    ("2,5 years", 30),
    ("1.5 months", 1.5),
    ("3 yers", 36),
    ("5 yeras", 60),
    ("2 yaers", 24),
    ("6 monts", 6),
    ("6 monhts", 6),
    ("6 mounths", 6),
    ("1 year", 12),
    ("1 month", 1),
    ("6years", 72),
    ("6 Years", 72),
    ("15 years of imprisonment", 180),
    ("3 years of restricted freedom", 36),
    ("2 yrs 3 mos", 27),
    ("4½ years", 54),
    ("half a year", 6),
    # Russian
    ("3 года", 36),
    ("5 лет", 60),
    ("1 год", 12),
    ("1 год 6 месяцев", 18),
    ("2 г. 6 мес.", 30),
    ("6 месяцев", 6),
    ("2 месяца", 2),
    ("полгода", 6),
    ("3 года лишения свободы", 36),
    # Belarusian
    ("3 гады", 36),
    ("5 гадоў", 60),
    ("1 год 3 месяцы", 15),
    ("6 месяцаў", 6),
    ("паўгода", 6),
    # real: a backslash typed as the fraction bar
    ("4 1\\2 years", 54),
    # numbers written as words (one to twenty)
    ("five years", 60),  # real
    ("two month community service", 2),  # real
    ("six years", 72),
    ("Twenty years", 240),
    ("one year and six months", 18),
    ("пять лет", 60),
    ("два года шесть месяцев", 30),
    ("пяць гадоў", 60),
    ("тры месяцы", 3),
]


@pytest.mark.parametrize(("text", "months"), TERMS)
def test_terms(text, months):
    assert parse_sentence(text) == Sentence(float(months), "term", text.strip())


@pytest.mark.parametrize(
    "text", ["life imprisonment", "Life", "пожизненное лишение свободы", "Пожизненное", "пажыццёвае зняволенне"]
)
def test_life(text):
    assert parse_sentence(text) == Sentence(None, "life", text)


# An exact term to the day: days count at 365.25/12 days a month.
DAY = 12 / 365.25

EXACT_TERMS = [
    ("6 years, 3 months and 2 days", 75 + 2 * DAY),  # real
    ("1 year and 1 day", 12 + DAY),  # real
    ("6 months and 1 day", 6 + DAY),  # real
    ("1 year and 5 days", 12 + 5 * DAY),  # real
    ("2 года 3 месяца 10 дней", 27 + 10 * DAY),
    ("1 год 2 дні", 12 + 2 * DAY),
    ("1 год 7 месяцев 1 день", 19 + DAY),   # the Russian public table's wording (SYNTHETIC sample)
]


@pytest.mark.parametrize(("text", "months"), EXACT_TERMS)
def test_exact_terms_with_days(text, months):
    got = parse_sentence(text)
    assert (got.kind, got.raw) == ("term", text)
    assert got.months == pytest.approx(months, abs=1e-12)


def test_a_day_is_a_mean_gregorian_month_fraction():
    assert parse_sentence("1 year and 1 day").months == pytest.approx(12 + 1 / 30.4375, abs=1e-12)


# Terms next to a fine: the fine's base units or rubles are not a term.
MIXED = [
    ("8 1/2 years, fine of 8,700 rubles", 102),  # real
    ("140 base rates, 18 months", 18),  # real
    ("2 years and a fine", 24),
    ("fine 100, 2 years", 24),
    ("3 года и штраф 200 базовых величин", 36),
    ("2 years, compulsory treatment for alcoholism", 24),
]


@pytest.mark.parametrize(("text", "months"), MIXED)
def test_term_wins_over_an_additional_fine_or_treatment(text, months):
    assert parse_sentence(text) == Sentence(float(months), "term", text)


FINES = [
    "150 base rates",  # real
    "100 base rates",  # real
    "150 basic values",  # real
    "3.200 rubles",  # real
    "fine of 100 basic units",
    "Fine of 100 basic units",
    "fine of 100 base units",
    "fine",
    "Fined",
    "fine of 500",
    "штраф",
    "штраф 100 базовых величин",
    "штраф в размере 50 базовых величин",
    "штраф 2000 рублей",
    "штраф 100 базавых велічынь",
    "500 BYN",
]


@pytest.mark.parametrize("text", FINES)
def test_fines(text):
    assert parse_sentence(text) == Sentence(None, "fine", text)


COMPULSORY_TREATMENT = [
    "compulsory treatment",  # real
    "coercive treatment",  # real
    "coercive mental treatment",  # real
    "compulsory security measures and treatment in the form of compulsory treatment in a psychiatric hospital "
    "with strict supervision",  # real
    "принудительные меры безопасности и лечения",
    "принудительное лечение",
    "прымусовыя меры бяспекі і лячэння",
]


@pytest.mark.parametrize("text", COMPULSORY_TREATMENT)
def test_compulsory_treatment(text):
    assert parse_sentence(text) == Sentence(None, "compulsory_treatment", text)


@pytest.mark.parametrize(
    "text", ["unknown", "result unknown", "the outcome of the trial is unknown",  # all three real
             "Unknown", "неизвестно", "невядома"])
def test_unknown(text):
    assert parse_sentence(text) == Sentence(None, "unknown", text)


@pytest.mark.parametrize(
    "text",
    ["no sentence yet", "Not yet sentenced", "приговор не вынесен", "прысуд не вынесены", "acquitted",
     "release from criminal liability due to the statute of limitations",  # real
     "освобожден от уголовной ответственности", "вызвалены ад крымінальнай адказнасці"],
)
def test_no_term(text):
    assert parse_sentence(text) == Sentence(None, "none", text)


@pytest.mark.parametrize("text", ["compulsory labour", "принудительные работы", "community service"])
def test_compulsory_work_is_not_treatment(text):
    with pytest.raises(ValueError, match="cannot read"):
        parse_sentence(text)


@pytest.mark.parametrize("text", ["", "  ", "\n"])
def test_empty_is_none(text):
    assert parse_sentence(text) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("6", "has no unit"),
        ("6 blah", "the word 'blah'"),
        ("3 yes", "the word 'yes'"),  # too far from "year" (distance 2)
        ("6 mon", "the word 'mon'"),
        ("asdf", "cannot read"),
        ("thirty years", "cannot read"),  # number words stop at twenty
        ("twenty-one years", "'20' has no unit"),
        ("1 tear", "the word 'tear'"),  # real; "tear" does not start with y: not guessed to be "year"
        ("4 1/2", "'4 1/2' has no unit"),  # real
        ("15 days", "days only"),
        ("10 суток", "days only"),
        ("2 years 3 years", "years twice"),
        ("6 months 2 months", "months twice"),
        ("1 year 2 days 3 days", "days twice"),
        ("100 base rates 2", "'2' has no unit"),
        ("2 years, acquitted", "also says no sentence"),
        ("3 years, result unknown", "also says unknown"),
        ("fine; result unknown", "at once"),
        ("compulsory treatment, acquitted", "at once"),
        ("3 years (reduced from 5)", "'5' has no unit"),
        ("4 3/2 years", "not a proper fraction"),
        ("1/0 year", "not a proper fraction"),
        ("-", "cannot read"),
    ],
)
def test_rejected_sentences_quote_the_text(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_sentence(text)
    assert repr(text) in str(err.value)
    assert fragment in str(err.value)


@given(st.integers(0, 30), st.integers(0, 11))
def test_years_and_months_add_up(years, months):
    assert parse_sentence(f"{years} years {months} months").months == years * 12 + months
    assert parse_sentence(f"{years} г. {months} мес.").months == years * 12 + months


@given(st.integers(1, 30))
def test_half_years(years):
    assert parse_sentence(f"{years} 1/2 years").months == years * 12 + 6
    assert parse_sentence(f"{years}.5 years").months == years * 12 + 6
