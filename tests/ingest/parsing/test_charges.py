"""split_charges / parse_charge / parse_charges on the English, Russian and Belarusian forms."""

from __future__ import annotations

import pytest

from analysis.ingest.parsing import Charge, parse_charge, parse_charges, split_charges

CC, AC = "criminal_code", "administrative_code"

CASES = [
    # text, article, part, preparation_article, code, title
    ("Art. 342 of the Criminal Code — Organisation and preparation of actions that grossly violate public order",
     "342", None, None, CC, "Organisation and preparation of actions that grossly violate public order"),
    ("Part 2 of Art. 293 of the Criminal Code — Mass riots", "293", 2, None, CC, "Mass riots"),
    ("Part 1 of Article 13 and Article 293 of the Criminal Code — Preparation for mass riots",
     "293", None, "13", CC, "Preparation for mass riots"),
    ("Part 1 of Art. 14 and Part 2 of Art. 293 of the Criminal Code — Attempted participation in mass riots",
     "293", 2, "14", CC, "Attempted participation in mass riots"),
    ("art. 188 of the Criminal Code — Defamation", "188", None, None, CC, "Defamation"),
    ("Art. 361-1 of the Criminal Code — Creation of an extremist formation or participation in it",
     "361-1", None, None, CC, "Creation of an extremist formation or participation in it"),
    ("Part 3 of Art. 361-4 of the Criminal Code — Facilitating extremist activities",
     "361-4", 3, None, CC, "Facilitating extremist activities"),
    ("Part 1 of Art. 130 of the Criminal Code – Incitement to hatred", "130", 1, None, CC, "Incitement to hatred"),
    ("Art. 369 of the Criminal Code - Insulting a government official", "369", None, None, CC,
     "Insulting a government official"),
    ("Art. 368 of the Criminal Code", "368", None, None, CC, None),
    ("Art. 370 — Desecration of state symbols", "370", None, None, CC, "Desecration of state symbols"),
    ("Article 285 Criminal Code", "285", None, None, CC, None),
    ("Art. 361–1 of the Criminal Code — en dash inside the number", "361-1", None, None, CC,
     "en dash inside the number"),
    ("Art. 339 of the Criminal Code —", "339", None, None, CC, None),
    # Russian
    ("ч. 1 ст. 342 УК", "342", 1, None, CC, None),
    ("ч.1 ст.342 УК РБ", "342", 1, None, CC, None),
    ("ст. 130 УК — Разжигание расовой, национальной, религиозной либо иной социальной вражды или розни",
     "130", None, None, CC, "Разжигание расовой, национальной, религиозной либо иной социальной вражды или розни"),
    ("ч. 1 ст. 13, ч. 2 ст. 293 УК", "293", 2, "13", CC, None),
    ("ч. 1 ст. 14, ч. 1 ст. 364 УК — Насилие в отношении сотрудника", "364", 1, "14", CC,
     "Насилие в отношении сотрудника"),
    ("ст.342 ч.1 УК", "342", 1, None, CC, None),
    ("часть 2 статьи 293 Уголовного кодекса", "293", 2, None, CC, None),
    ("ст. 24.23 КоАП — Нарушение порядка проведения массового мероприятия", "24.23", None, None, AC,
     "Нарушение порядка проведения массового мероприятия"),
    ("Art. 24.23 of the Code of Administrative Offences", "24.23", None, None, AC, None),
    ("Art. 23.34 of the Administrative Code", "23.34", None, None, AC, None),
    # Belarusian
    ("ч. 1 арт. 342 КК", "342", 1, None, CC, None),
    ("арт. 361-1 Крымінальнага кодэкса — Стварэнне экстрэмісцкага фарміравання", "361-1", None, None, CC,
     "Стварэнне экстрэмісцкага фарміравання"),
    ("ст. 24.23 КаАП", "24.23", None, None, AC, None),
]


@pytest.mark.parametrize(("text", "article", "part", "prep", "code", "title"), CASES)
def test_parse_charge(text, article, part, prep, code, title):
    assert parse_charge(text) == Charge(article=article, part=part, clause=None, preparation_article=prep, code=code,
                                        title=title, raw=text.strip())


# A point (clause) inside a part: English "p."/"point"/"clause", Russian and Belarusian "п."/"пункт".
TITLE_147 = "Serious bodily injury deliberately caused to a person in connection with this person's official duties"
POINTS = [
    # text, article, part, clause, preparation_article, code, title
    (f"p. 5 of Part 2 of Art. 147 of the Criminal Code — {TITLE_147}", "147", 2, 5, None, CC, TITLE_147),  # real
    ("p. 5 of Part 2 of Art. 147 of the Criminal Code", "147", 2, 5, None, CC, None),
    ("point 5 of Part 2 of Article 147 of the Criminal Code", "147", 2, 5, None, CC, None),
    ("Clause 5, Part 2, Art. 147", "147", 2, 5, None, CC, None),
    ("Part 2, p. 5 of Art. 147", "147", 2, 5, None, CC, None),
    ("p.5 of Part 2 of Art. 147", "147", 2, 5, None, CC, None),
    ("Part 1 of Art. 14 and p. 5 of Part 2 of Art. 147 of the Criminal Code", "147", 2, 5, "14", CC, None),
    # Russian
    ("п. 5 ч. 2 ст. 147 УК", "147", 2, 5, None, CC, None),
    ("п.5 ч.2 ст.147 УК РБ", "147", 2, 5, None, CC, None),
    ("пункт 5 части 2 статьи 147 Уголовного кодекса", "147", 2, 5, None, CC, None),
    ("ст. 147 ч. 2 п. 5 УК", "147", 2, 5, None, CC, None),
    ("ч. 1 ст. 14, п. 5 ч. 2 ст. 147 УК — Покушение", "147", 2, 5, "14", CC, "Покушение"),
    # Belarusian
    ("п. 5 ч. 2 арт. 147 КК", "147", 2, 5, None, CC, None),
    ("п. 5 ч. 2 арт. 147 Крымінальнага кодэкса — Умыснае прычыненне цяжкага цялеснага пашкоджання", "147", 2, 5,
     None, CC, "Умыснае прычыненне цяжкага цялеснага пашкоджання"),
    # a point without a part is kept as given
    ("п. 1 ст. 147 УК", "147", None, 1, None, CC, None),
]


@pytest.mark.parametrize(("text", "article", "part", "clause", "prep", "code", "title"), POINTS)
def test_parse_charge_with_a_point(text, article, part, clause, prep, code, title):
    assert parse_charge(text) == Charge(article=article, part=part, clause=clause, preparation_article=prep,
                                        code=code, title=title, raw=text.strip())


def test_real_cell_with_a_point_parses():
    cell = (f"p. 5 of Part 2 of Art. 147 of the Criminal Code — {TITLE_147}\n"
            "Art. 411 — Malicious disobedience to the demands of administration of the correctional institution")
    assert [(c.article, c.part, c.clause) for c in parse_charges(cell)] == [("147", 2, 5), ("411", None, None)]


def test_raw_is_stripped_original():
    c = parse_charge("  Art. 361–1 of the Criminal Code  ")
    assert c.raw == "Art. 361–1 of the Criminal Code"
    assert c.article == "361-1"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Mass riots", "no article number"),
        ("Criminal Code — Art. 342", "no article number"),  # the number must be before the title
        ("Art. 342 and Art. 293 of the Criminal Code", "several articles"),
        ("Art. 342, 293", "neither an article, a part nor a point"),
        ("ч. 1 ст. 13 УК", "without the substantive article"),
        ("Part 1 of Art. 14", "without the substantive article"),
        ("Part 2 of the Criminal Code", "belongs to no article"),
        ("ч. 1 ч. 2 ст. 342", "two parts in a row"),
        ("п. 1 п. 2 ч. 2 ст. 147", "two points in a row"),
        ("p. 5 of the Criminal Code", "a point (5) that belongs to no article"),
        ("п. 5 ч. 2 ст. 147 п. 6", "a point (6) that belongs to no article"),
        ("ч. 2 ст. 342 ст. 293 ч. 1", "several articles"),
        ("ст. 342 УК и ст. 24.23 КоАП", "several articles"),
        ("Art. 342 of the Criminal Code and the Administrative Code", "both"),
    ],
)
def test_rejected_charges_quote_the_text(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_charge(text)
    assert repr(text) in str(err.value)
    assert fragment in str(err.value)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_charge_is_an_error(text):
    with pytest.raises(ValueError, match="empty charge"):
        parse_charge(text)


@pytest.mark.parametrize(
    ("cell", "pieces"),
    [
        ("Art. 342 of the Criminal Code — A\nPart 2 of Art. 293 of the Criminal Code — B",
         ["Art. 342 of the Criminal Code — A", "Part 2 of Art. 293 of the Criminal Code — B"]),
        ("Art. 342\r\nArt. 130\r\n", ["Art. 342", "Art. 130"]),
        ("ч. 1 ст. 342 УК; ст. 130 УК;", ["ч. 1 ст. 342 УК", "ст. 130 УК"]),
        ("ч. 1 ст. 13, ч. 2 ст. 293 УК", ["ч. 1 ст. 13, ч. 2 ст. 293 УК"]),  # a comma does not split
        ("\n ; \n", []),
        ("", []),
    ],
)
def test_split_charges(cell, pieces):
    assert split_charges(cell) == pieces


def test_parse_charges_cell():
    cell = ("Part 1 of Article 13 and Article 293 of the Criminal Code — Preparation for mass riots\n"
            "art. 188 of the Criminal Code — Defamation;Art. 361-1 of the Criminal Code")
    got = parse_charges(cell)
    assert [(c.article, c.part, c.preparation_article) for c in got] == [
        ("293", None, "13"), ("188", None, None), ("361-1", None, None)]
    assert parse_charges("  \n ") == []


def test_parse_charges_names_the_bad_piece():
    with pytest.raises(ValueError) as err:
        parse_charges("Art. 342 of the Criminal Code\nMass riots")
    msg = str(err.value)
    assert "charge 2 of 2" in msg and "'Mass riots'" in msg
