"""parse_status and parse_gender: codes and the labels of saved public tables."""

from __future__ import annotations

import pytest

from analysis.ingest.parsing import GENDERS, STATUSES, parse_gender, parse_status
from analysis.ingest.registry_format import GENDERS as FORMAT_GENDERS
from analysis.ingest.registry_format import STATUSES as FORMAT_STATUSES


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("active", "active"), ("ACTIVE", "active"), (" Active ", "active"),
        ("former", "former"), ("Former", "former"),
        ("np", "np"), ("NP", "np"),
        # English labels
        ("Political prisoner", "active"), ("Current", "active"), ("current political prisoner", "active"),
        ("Former political prisoner", "former"), ("Released", "former"),
        ("Not recognised", "np"), ("Not recognized as a political prisoner", "np"),
        # Russian labels
        ("Политзаключенный", "active"), ("Политзаключённый", "active"), ("Действующий", "active"),
        ("Бывший политзаключенный", "former"), ("Освобожден", "former"), ("Освобождён", "former"),
        ("Не признан политзаключенным", "np"), ("не признан", "np"),
        # Belarusian labels
        ("Палітвязень", "active"), ("Палiтвязень", "active"),  # Latin "i" typed for "і"
        ("Былы палітвязень", "former"), ("Вызвалены", "former"),
        ("Не прызнаны", "np"), ("не прызнаны палітвязнем", "np"),
    ],
)
def test_parse_status(text, status):
    assert parse_status(text) == status


@pytest.mark.parametrize("text", ["", "  ", "unknown", "activ", "political", "prisoner", "бывший палітвязень?x"])
def test_unknown_status_lists_accepted_values(text):
    with pytest.raises(ValueError) as err:
        parse_status(text)
    msg = str(err.value)
    assert repr(text) in msg
    assert "'active'" in msg and "'former'" in msg and "'np'" in msg


def test_status_and_gender_codes_match_the_format():
    assert STATUSES == FORMAT_STATUSES == ("active", "former", "np")
    assert GENDERS == FORMAT_GENDERS == ("male", "female")


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("male", "male"), ("Male", "male"), ("m", "male"), ("M", "male"), ("М", "male"), ("м", "male"),
        ("муж", "male"), ("муж.", "male"), ("мужской", "male"), ("Мужчина", "male"), ("мужчына", "male"),
        ("female", "female"), ("FEMALE", "female"), ("f", "female"), ("F", "female"), ("Ж", "female"),
        ("жен", "female"), ("жен.", "female"), ("женский", "female"), ("Женщина", "female"), ("жанчына", "female"),
    ],
)
def test_parse_gender(text, gender):
    assert parse_gender(text) == gender


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_gender_is_none(text):
    assert parse_gender(text) is None


@pytest.mark.parametrize("text", ["x", "unknown", "mf", "мж", "other"])
def test_unknown_gender(text):
    with pytest.raises(ValueError) as err:
        parse_gender(text)
    assert repr(text) in str(err.value)
    assert "'male'" in str(err.value) and "'female'" in str(err.value)
