"""parse_sentence: terms in months (with the typos of real copies), life, no term, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.parsing import Sentence, parse_sentence

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
]


@pytest.mark.parametrize(("text", "months"), TERMS)
def test_terms(text, months):
    assert parse_sentence(text) == Sentence(float(months), "term", text.strip())


@pytest.mark.parametrize(
    "text", ["life imprisonment", "Life", "пожизненное лишение свободы", "Пожизненное", "пажыццёвае зняволенне"]
)
def test_life(text):
    assert parse_sentence(text) == Sentence(None, "life", text)


@pytest.mark.parametrize(
    "text",
    ["fine", "Fine of 100 basic units", "штраф", "штраф 100 базовых величин", "no sentence yet",
     "Not yet sentenced", "приговор не вынесен", "прысуд не вынесены", "acquitted"],
)
def test_no_term(text):
    assert parse_sentence(text) == Sentence(None, "none", text)


def test_term_wins_over_fine():
    assert parse_sentence("2 years and a fine") == Sentence(24.0, "term", "2 years and a fine")


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
        ("six years", "cannot read"),
        ("15 days", "days"),
        ("10 суток", "days"),
        ("2 years 3 years", "years twice"),
        ("6 months 2 months", "months twice"),
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
