"""Status and gender codes, plus the plain-language labels of saved public tables.

Labels are matched exactly after normalisation (case, "ё", surrounding punctuation and
spaces), never by substring: "political prisoner" is a substring of "former political
prisoner", and the two must not be confused.
"""

from __future__ import annotations

import re

# The codes themselves live with the format constants, so reader and writer cannot drift.
from analysis.ingest.registry_format import GENDERS, STATUSES

__all__ = ["GENDERS", "STATUSES", "parse_gender", "parse_status"]

_STATUS_LABELS: dict[str, tuple[str, ...]] = {
    "active": (
        "active", "current", "political prisoner", "current political prisoner",
        "политзаключенный", "политзаключенная", "политический заключенный", "действующий",
        "палітвязень", "палітвязніца", "палітычны вязень", "дзеючы",
    ),
    "former": (
        "former", "released", "former political prisoner",
        "бывший политзаключенный", "бывшая политзаключенная", "бывший", "освобожден", "освобождена",
        "освобожденный", "былы палітвязень", "былая палітвязніца", "былы", "вызвалены", "вызваленая",
    ),
    "np": (
        "np", "n/p", "not recognised", "not recognized", "not recognised as a political prisoner",
        "not recognized as a political prisoner", "не признан", "не признана",
        "не признан политзаключенным", "не признана политзаключенной",
        "не прызнаны", "не прызнаная", "не прызнаны палітвязнем", "не прызнаная палітвязнем",
    ),
}
_GENDER_LABELS: dict[str, tuple[str, ...]] = {
    "male": ("male", "m", "man", "м", "муж", "мужской", "мужчина", "мужчына", "мужчынскі"),
    "female": ("female", "f", "woman", "ж", "жен", "женский", "женщина", "жанчына", "жаночы"),
}


def _normalise(text: str) -> str:
    s = text.casefold().replace("ё", "е")
    # Latin "i" typed for Belarusian "і" is common in hand-made copies.
    s = re.sub(r"(?<=[а-яў])i|i(?=[а-яў])", "і", s)
    s = re.sub(r"\s+", " ", s)
    return s.strip(" .,;:!-–—\"'")


def _index(labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_normalise(label): code for code, group in labels.items() for label in group}


_STATUS_INDEX = _index(_STATUS_LABELS)
_GENDER_INDEX = _index(_GENDER_LABELS)


def parse_status(text: str) -> str:
    """Return "active", "former" or "np"; ValueError (listing accepted values) otherwise.

    Status is a required field, so empty text is an error too.
    """
    key = _normalise(text or "")
    if key in _STATUS_INDEX:
        return _STATUS_INDEX[key]
    accepted = "; ".join(f"{code}: " + ", ".join(repr(v) for v in group) for code, group in _STATUS_LABELS.items())
    raise ValueError(f"unknown status {text!r}; accepted (any case) are {accepted}")


def parse_gender(text: str) -> str | None:
    """Return "male" or "female", None for empty text; ValueError for anything else."""
    if text is None or not text.strip():
        return None
    key = _normalise(text)
    if key in _GENDER_INDEX:
        return _GENDER_INDEX[key]
    accepted = ", ".join(repr(v) for group in _GENDER_LABELS.values() for v in group)
    raise ValueError(f"unknown gender {text!r}; accepted (any case) are {accepted}")
