"""Sentence lengths ("decision"): free text such as "4 1/2 years" or "2 г. 6 мес.".

The result is one of SENTENCE_KINDS:

* `term`: a custodial or restriction term, in months (a float). The kind of penalty (colony,
  khimiya, ...) is a separate field, parsed by `penalty.py`; words about it inside a sentence
  cell ("3 years of restricted freedom") are allowed and ignored here.
* `life`: life imprisonment.
* `fine`: a fine only, in base units or money ("150 base rates", "3.200 rubles", "fine").
* `compulsory_treatment`: compulsory (psychiatric) treatment / security measures, no term.
* `unknown`: the source says the outcome is unknown ("unknown", "result unknown").
* `none`: no sentence: no verdict yet, acquitted, released from criminal liability (e.g. under
  the statute of limitations).

`months` is set only for `term`. A term next to a fine ("8 1/2 years, fine of 8,700 rubles",
"140 base rates, 18 months") or next to compulsory treatment is kind `term`: the fine or the
treatment is an additional measure and the number of base units or rubles is never a term.
A term next to a phrase saying there is no sentence or no known outcome ("2 years, acquitted")
contradicts itself and raises ValueError, as do two phrase kinds without a term.

Exact terms are given to the day ("6 years, 3 months and 2 days", "1 year and 1 day"): days
count as months at 365.25/12 = 30.4375 days a month (the mean Gregorian month), so "1 year and
1 day" is 12 + 12/365.25 = 12.0329 months. Days are accepted only next to years or months:
a number of days alone ("15 days", "10 суток") is administrative arrest, not a sentence.

Numbers are digits ("4", "2.5", "4 1/2", "4 1\\2" with a backslash as the fraction bar) or the
words one to twenty (English; Russian and Belarusian nominative forms: "пять лет", "пяць гадоў").

Unit words are matched tolerantly because real copies carry typos ("yers", "monhts"):

* English: a word is a year (month) unit if it is a known abbreviation (yr, yrs, y; mo, mos,
  m) or starts with "y" ("m") and is within optimal-string-alignment distance 1 of "year" or
  "years" ("month" or "months"): one inserted, deleted, substituted or swapped letter.
* Russian/Belarusian: year if the word is "г", "лет", or starts with "год"/"гад"; month if
  it starts with "мес". (Grammatical endings vary; these stems are unambiguous.)
* Day: "day(s)", "дн…", "дзён/дзень/дні", "сут…".
* Fine amount: a number followed by base units or money ("base", "basic", "rubles", "roubles",
  "rub", "BYN", "руб…", "базов…", "базав…"), or right after the word "fine"/"штраф".

A number followed by any other word or by none, a unit given twice, a fraction that is not
proper, or text without any term or recognised phrase raises ValueError: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

SENTENCE_KINDS = ("term", "life", "fine", "compulsory_treatment", "unknown", "none")

# Days per month when a term is given to the day: the mean Gregorian month.
DAYS_PER_MONTH = Fraction(36525, 1200)


@dataclass(frozen=True)
class Sentence:
    """`months` is set only for kind == "term"."""

    months: float | None
    kind: str  # one of SENTENCE_KINDS
    raw: str


_LIFE = re.compile(r"\blife\b|пожизненн|пажыццёв|пажыццев", re.IGNORECASE)
# Phrases of the kinds without a term, tried only on the lower-cased text.
_FINE = re.compile(r"\bfine[sd]?\b|штраф")
_COMPULSORY_TREATMENT = re.compile(
    r"\b(?:compulsory|coercive|forced)\s+(?:\w+\s+){0,3}?treatment"
    r"|принудительн\w*\s+(?:\w+\s+){0,3}?(?:лечени|мер)|прымусов\w*\s+(?:\w+\s+){0,3}?(?:лячэнн|лекаванн|мер)"
)
_UNKNOWN = re.compile(r"\bunknown\b|неизвестн|невядом")
_NO_SENTENCE = re.compile(
    r"no\s+sentence|not\s+(?:yet\s+)?sentenced|no\s+verdict|acquitted"
    r"|releas\w*\s+from\s+criminal\s+liability|statute\s+of\s+limitations"
    r"|приговор\w*\s+не\s+вынес|не\s+вынесен|нет\s+приговора|без\s+приговора|не\s+осужд|оправдан"
    r"|освобожд\w*\s+от\s+уголовной\s+ответственности|срок\w*\s+давности"
    r"|прысуд\w*\s+не\s+вынес|няма\s+прысуду|апраўдан|вызвал\w*\s+ад\s+крымінальнай\s+адказнасці"
    r"|тэрмін\w*\s+даўнасці"
)
_PHRASES = {"fine": _FINE, "compulsory_treatment": _COMPULSORY_TREATMENT, "unknown": _UNKNOWN, "none": _NO_SENTENCE}
# Phrases that may stand next to a term: additional measures, not contradictions.
_WITH_A_TERM = {"fine", "compulsory_treatment"}

_HALF_YEAR = re.compile(r"\bhalf\s+(?:a\s+)?year\b|полгода|паўгода")
_BACKSLASH_FRACTION = re.compile(r"(?<=\d)\s*\\\s*(?=\d)")
_NUMBER_WORDS = {
    word: str(n)
    for words in (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty",
        "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать "
        "четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать",
        "адзін два тры чатыры пяць шэсць сем восем дзевяць дзесяць адзінаццаць дванаццаць трынаццаць "
        "чатырнаццаць пятнаццаць шаснаццаць сямнаццаць васямнаццаць дзевятнаццаць дваццаць",
    )
    for n, word in enumerate(words.split(), start=1)
}
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")

# A quantity ("4", "2.5", "4 1/2", "1/2") and the word right after it.
_AMOUNT = re.compile(
    r"(?P<qty>(?:\d+\s+)?\d+\s*/\s*\d+|\d+(?:[.,]\d+)?)\s*(?P<unit>[^\W\d_]+\.?)?",
)

_FRACTION = re.compile(r"(?:(?P<whole>\d+)\s+)?(?P<num>\d+)\s*/\s*(?P<den>\d+)")
_EN_YEAR_ABBR = {"y", "yr", "yrs"}
_EN_MONTH_ABBR = {"m", "mo", "mos", "mth", "mths"}
_DAY_WORDS = re.compile(r"^(?:days?|день|дн|дня|дней|дзён|дзень|дні|сут)", re.IGNORECASE)
_FINE_UNIT = re.compile(r"^(?:bas(?:e|ic)|r(?:o)?ubles?|rub|byn|руб\w*|базов\w*|базав\w*)$")
# A bare number right after "fine (of)" / "штраф (в размере)" is the fine's amount.
_AFTER_FINE_WORD = re.compile(
    r"(?:\bfine[sd]?|штраф\w*)(?:\s+(?:of|in\s+the\s+amount\s+of|в\s+размере|у\s+памеры))?\s*$"
)


def parse_sentence(text: str) -> Sentence | None:
    """Parse a sentence cell: None if empty, else a Sentence; ValueError if unreadable."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    s = _normalise(raw)

    if _LIFE.search(s):
        return Sentence(None, "life", raw)

    term, fined = _term_and_fine(s, raw)
    phrases = {kind for kind, pattern in _PHRASES.items() if pattern.search(s)} | ({"fine"} if fined else set())
    if term is not None:
        if contradictions := sorted(phrases - _WITH_A_TERM):
            raise ValueError(f"sentence {raw!r} gives a term and also says {_described(contradictions)}; "
                             "which one applies cannot be told")
        return Sentence(float(term), "term", raw)
    if len(phrases) == 1:
        return Sentence(None, phrases.pop(), raw)
    if phrases:
        raise ValueError(f"sentence {raw!r} says {_described(sorted(phrases))} at once; expected one outcome")
    raise ValueError(
        f"cannot read sentence {raw!r}; expected a term such as '6 years', '4 1/2 years', "
        "'19 months', '2 years 6 months', 'life imprisonment', a fine, compulsory treatment, "
        "'unknown' or 'no verdict'"
    )


def _normalise(raw: str) -> str:
    """Lower case; ё→е; "½", "half a year", "4 1\\2" and number words written as digits."""
    s = raw.lower().replace("ё", "е").replace("½", " 1/2")
    s = _BACKSLASH_FRACTION.sub("/", s)
    s = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group()], s)
    return _HALF_YEAR.sub(" 1/2 year ", s)


def _term_and_fine(s: str, raw: str) -> tuple[Fraction | None, bool]:
    """(months of the term or None, whether a fine amount was named) from every number in `s`."""
    given: dict[str, Fraction] = {}
    fined = False
    for m in _AMOUNT.finditer(s):
        word = (m["unit"] or "").rstrip(".")
        if _FINE_UNIT.match(word) or (not word and _AFTER_FINE_WORD.search(s[: m.start()])):
            fined = True  # e.g. "fine of 100 basic units": the number is the fine, not a term
            continue
        unit = _unit(word)
        if unit is None:
            what = f"the word {word!r}" if word else "no unit"
            raise ValueError(
                f"sentence {raw!r}: the number {m['qty'].strip()!r} has {what}; "
                "expected years, months or days, e.g. '2 years 6 months' or '2 г. 6 мес.', or a fine "
                "in base units or rubles"
            )
        if unit in given:
            raise ValueError(f"sentence {raw!r} gives {unit}s twice")
        given[unit] = _quantity(m["qty"], raw)
    if "day" in given and not {"year", "month"} & given.keys():
        raise ValueError(f"sentence {raw!r} is given in days only (administrative arrest, not a sentence); "
                         "expected years or months, with days only as a remainder ('1 year and 5 days')")
    if not given:
        return None, fined
    months = given.get("year", 0) * 12 + given.get("month", 0) + given.get("day", 0) / DAYS_PER_MONTH
    return months, fined


def _described(kinds: list[str]) -> str:
    return " and ".join(kind.replace("_", " ") if kind != "none" else "no sentence" for kind in kinds)


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
