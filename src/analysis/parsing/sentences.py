"""Sentence lengths ("decision"): free text such as "4 1/2 years" or "2 г. 6 мес.".

The result is a term in months, life, or no term at all (a fine, no verdict yet). The kind
of penalty (colony, khimiya, ...) is a separate field, parsed by `penalty.py`; words about it
inside a sentence cell ("3 years of restricted freedom") are allowed and ignored here.

Unit words are matched tolerantly because real copies carry typos ("yers", "monhts"):

* English: a word is a year (month) unit if it is a known abbreviation (yr, yrs, y; mo, mos,
  m) or starts with "y" ("m") and is within optimal-string-alignment distance 1 of "year" or
  "years" ("month" or "months"): one inserted, deleted, substituted or swapped letter.
* Russian/Belarusian: year if the word is "г", "лет", or starts with "год"/"гад"; month if
  it starts with "мес". (Grammatical endings vary; these stems are unambiguous.)

A day unit, a number followed by any other word, a unit given twice, or text without any
term or recognised phrase raises ValueError: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

SENTENCE_KINDS = ("term", "life", "none")


@dataclass(frozen=True)
class Sentence:
    """`months` is set only for kind == "term"."""

    months: float | None
    kind: str  # one of SENTENCE_KINDS
    raw: str


_LIFE = re.compile(r"\blife\b|пожизненн|пажыццёв|пажыццев", re.IGNORECASE)
# Phrases meaning "no custodial/restriction term"; used only when the text names no term.
_NO_TERM = re.compile(
    r"\bfines?\b|штраф|no\s+sentence|not\s+(?:yet\s+)?sentenced|no\s+verdict|acquitted"
    r"|приговор\w*\s+не\s+вынес|не\s+вынесен|нет\s+приговора|без\s+приговора|не\s+осужд|оправдан"
    r"|прысуд\w*\s+не\s+вынес|няма\s+прысуду|апраўдан",
    re.IGNORECASE,
)
_HALF_YEAR = re.compile(r"\bhalf\s+(?:a\s+)?year\b|полгода|паўгода", re.IGNORECASE)

# A quantity ("4", "2.5", "4 1/2", "1/2") and the word right after it.
_AMOUNT = re.compile(
    r"(?P<qty>(?:\d+\s+)?\d+\s*/\s*\d+|\d+(?:[.,]\d+)?)\s*(?P<unit>[^\W\d_]+\.?)?",
)

_FRACTION = re.compile(r"(?:(?P<whole>\d+)\s+)?(?P<num>\d+)\s*/\s*(?P<den>\d+)")
_EN_YEAR_ABBR = {"y", "yr", "yrs"}
_EN_MONTH_ABBR = {"m", "mo", "mos", "mth", "mths"}
_DAY_WORDS = re.compile(r"^(?:days?|дн|дня|дней|дзён|дзень|дні|сут)", re.IGNORECASE)


def parse_sentence(text: str) -> Sentence | None:
    """Parse a sentence cell: None if empty, else a Sentence; ValueError if unreadable."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    s = raw.lower().replace("ё", "е").replace("½", " 1/2")
    s = _HALF_YEAR.sub(" 1/2 year ", s)

    if _LIFE.search(s):
        return Sentence(None, "life", raw)

    years: Fraction | None = None
    months: Fraction | None = None
    for m in _AMOUNT.finditer(s):
        qty = _quantity(m["qty"], raw)
        word = (m["unit"] or "").rstrip(".")
        unit = _unit(word)
        if unit is None:
            if _NO_TERM.search(s) and not _unit_anywhere(s):
                # e.g. "fine of 100 basic units": the number is the fine, not a term.
                return Sentence(None, "none", raw)
            what = f"the word {word!r}" if word else "no unit"
            raise ValueError(
                f"sentence {raw!r}: the number {m['qty'].strip()!r} has {what}; "
                "expected years or months, e.g. '2 years 6 months' or '2 г. 6 мес.'"
            )
        if unit == "day":
            raise ValueError(f"sentence {raw!r} is given in days, which is not supported; expected years or months")
        if unit == "year":
            if years is not None:
                raise ValueError(f"sentence {raw!r} gives years twice")
            years = qty
        else:
            if months is not None:
                raise ValueError(f"sentence {raw!r} gives months twice")
            months = qty

    if years is None and months is None:
        if _NO_TERM.search(s):
            return Sentence(None, "none", raw)
        raise ValueError(
            f"cannot read sentence {raw!r}; expected a term such as '6 years', '4 1/2 years', "
            "'19 months', '2 years 6 months', 'life imprisonment', or a fine"
        )
    total = (years or 0) * 12 + (months or 0)
    return Sentence(float(total), "term", raw)


def _quantity(text: str, raw: str) -> Fraction:
    """"4", "2.5"/"2,5", "1/2" or the mixed number "4 1/2", exactly."""
    if m := _FRACTION.fullmatch(text.strip()):
        whole, num, den = int(m["whole"] or 0), int(m["num"]), int(m["den"])
        if not 0 < num < den:
            raise ValueError(
                f"sentence {raw!r}: {num}/{den} is not a proper fraction; expected e.g. '4 1/2 years'"
            )
        return whole + Fraction(num, den)
    return Fraction(text.strip().replace(",", "."))


def _unit(word: str) -> str | None:
    """'year', 'month', 'day' or None for a unit word (see the module docstring)."""
    w = word.lower()
    if not w:
        return None
    if _DAY_WORDS.match(w):
        return "day"
    if w in _EN_YEAR_ABBR or w in {"г", "лет"} or w.startswith(("год", "гад")):
        return "year"
    if w in _EN_MONTH_ABBR or w.startswith("мес"):
        return "month"
    if w[0] == "y" and min(_osa_distance(w, c) for c in ("year", "years")) <= 1:
        return "year"
    if w[0] == "m" and min(_osa_distance(w, c) for c in ("month", "months")) <= 1:
        return "month"
    return None


def _unit_anywhere(s: str) -> bool:
    return any(_unit(m["unit"].rstrip(".")) in ("year", "month") for m in _AMOUNT.finditer(s) if m["unit"])


def _osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: edits plus swaps of two adjacent letters."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]
