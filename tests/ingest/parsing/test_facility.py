"""split_prison_cell and parse_facility: titles in three languages, numbers, towns."""

from __future__ import annotations

import pytest

from analysis.ingest.parsing import FACILITY_TYPES, Facility, parse_facility, split_prison_cell

TITLES = [
    # title, type, number, town
    ("Penal colony No. 15", "penal_colony", "15", None),
    ("Pre-trial detention center No. 1", "pretrial_detention_center", "1", None),
    ("Pre-trial detention centre No. 8", "pretrial_detention_center", "8", None),
    ("Open correctional facility No. 24", "open_correctional_facility", "24", None),
    ("Prison No. 4", "prison", "4", None),
    ("Released awaiting the commencement of the sentence", "released_awaiting_sentence", None, None),
    ("Temporary detention facility", "temporary_detention", None, None),
    ("Penal colony No. 17, Shklou", "penal_colony", "17", "Shklou"),
    ("Penal colony 2", "penal_colony", "2", None),
    ("Correctional colony No. 4", "penal_colony", "4", None),
    # Russian
    ("Исправительная колония №15", "penal_colony", "15", None),
    ("ИК-15", "penal_colony", "15", None),
    ("ИК 15", "penal_colony", "15", None),
    ("СИЗО-1", "pretrial_detention_center", "1", None),
    ("СИЗО №1 г. Минск", "pretrial_detention_center", "1", "Минск"),
    ("Следственный изолятор № 7", "pretrial_detention_center", "7", None),
    ("Тюрьма №4", "prison", "4", None),
    ("ИУОТ №24", "open_correctional_facility", "24", None),
    ("Исправительное учреждение открытого типа № 2", "open_correctional_facility", "2", None),
    ("ИВС", "temporary_detention", None, None),
    ("Изолятор временного содержания", "temporary_detention", None, None),
    ("Освобожден в ожидании вступления приговора в силу", "released_awaiting_sentence", None, None),
    # Belarusian
    ("Папраўчая калонія №15", "penal_colony", "15", None),
    ("Турма №4", "prison", "4", None),
    ("СІЗА №1", "pretrial_detention_center", "1", None),
    ("СІЗА-8 г. Жодзіна", "pretrial_detention_center", "8", "Жодзіна"),
    ("ІЧУ", "temporary_detention", None, None),
    ("Сізо-1", "pretrial_detention_center", "1", None),
    ("Следчы ізалятар №1", "pretrial_detention_center", "1", None),
    # Unknown places are "other", never an error
    ("Republican psychiatric hospital", "other", None, None),
]


@pytest.mark.parametrize(("title", "ftype", "number", "town"), TITLES)
def test_titles(title, ftype, number, town):
    assert parse_facility(title) == Facility(type=ftype, number=number, town=town, address=None, title=title)


@pytest.mark.parametrize(
    ("title", "address", "town"),
    [
        ("Prison No. 4", "213105, Mahilioŭ, Arlowskaha 1", "Mahilioŭ"),
        ("Pre-trial detention center No. 1", "220030, Minsk, Valadarskaha 2", "Minsk"),
        ("Penal colony No. 17, Shklou", "213010, Shklou, Zavodskaja 1", "Shklou"),
        ("Penal colony No. 17, Shklou", None, "Shklou"),
        ("Penal colony No. 17, Shklou", "Zavodskaja 1", "Shklou"),  # no postcode: address not trusted for town
        ("СИЗО №1", "220030, г. Минск, ул. Володарского, 2", "Минск"),
        ("Penal colony No. 15", "Arlowskaha 1, Mahilioŭ", None),
    ],
)
def test_town(title, address, town):
    f = parse_facility(title, address)
    assert f.town == town
    assert f.address == address


def test_full_record_with_address():
    assert parse_facility("  Prison No. 4 ", " 213105, Mahilioŭ,  Arlowskaha 1 ") == Facility(
        type="prison", number="4", town="Mahilioŭ", address="213105, Mahilioŭ, Arlowskaha 1", title="Prison No. 4")


@pytest.mark.parametrize("title", ["", "  "])
def test_empty_title_is_none(title):
    assert parse_facility(title) is None
    assert parse_facility(title, "  ") is None


def test_address_without_title_is_an_error():
    with pytest.raises(ValueError) as err:
        parse_facility("", "213105, Mahilioŭ, Arlowskaha 1")
    assert "'213105, Mahilioŭ, Arlowskaha 1'" in str(err.value)


ADDR = "213105, Mahilioŭ, Arlowskaha 1"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Penal colony No. 15\n213105, Mahilioŭ, Arlowskaha 1", ("Penal colony No. 15", ADDR)),
        ("Penal colony No. 15\r\n213105, Mahilioŭ, Arlowskaha 1\r\n", ("Penal colony No. 15", ADDR)),
        ("Penal colony No. 15; 213105, Mahilioŭ, Arlowskaha 1", ("Penal colony No. 15", ADDR)),
        ("Prison No. 4\n213105, Mahilioŭ\nArlowskaha 1", ("Prison No. 4", ADDR)),
        ("Released awaiting the commencement of the sentence",
         ("Released awaiting the commencement of the sentence", None)),
        ("Prison No. 4\n  ", ("Prison No. 4", None)),
        ("", ("", None)),
    ],
)
def test_split_prison_cell(cell, expected):
    assert split_prison_cell(cell) == expected


def test_split_then_parse():
    title, address = split_prison_cell("Open correctional facility No. 24\n247760, Mazyr, Pushkina 12")
    assert parse_facility(title, address) == Facility(
        type="open_correctional_facility", number="24", town="Mazyr", address="247760, Mazyr, Pushkina 12",
        title="Open correctional facility No. 24")


def test_types_are_in_the_vocabulary():
    for _, ftype, _, _ in TITLES:
        assert ftype in FACILITY_TYPES
