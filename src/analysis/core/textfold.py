"""Text as the leak scan compares it: however a name is written, it folds to the same words.

A withheld name must not slip into a public file because it was typed with a zero-width joiner, a
soft hyphen, a Cyrillic letter that looks Latin, full-width letters or underscores between its
parts. Both the restricted values and every public text go through `fold`:

1. Unicode NFKC (full-width and stylised letters and digits become plain ones);
2. format and invisible characters removed (zero-width space/joiners, soft hyphen, bidirectional
   controls, variation selectors, fillers): they change no glyph a reader sees;
3. each Cyrillic or Greek letter that looks like a Latin one replaced by it, from Unicode's
   confusables (UTS #39 data, as shipped by the confusable_homoglyphs package): small look-alikes
   first, then the text in capitals through the capital look-alikes, then case-folded, so that
   "Мария", "МАРИЯ" and "Mаrия" (a Cyrillic "а") fold alike (`look_alikes`). Digits are left alone;
4. any run of punctuation, underscores and spaces is one word break (`words`).

A fold is for comparison only; it is never shown.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import lru_cache
from importlib import resources

# Invisible characters that Unicode does not class as format (Cf): the combining grapheme joiner,
# Hangul fillers, variation selectors, Mongolian free variation selectors, the Braille blank.
_INVISIBLE_EXTRA = (0x034F, 0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0, *range(0x180B, 0x1810), *range(0xFE00, 0xFE10),
                    *range(0xE0100, 0xE01F0))
_WORDS = re.compile(r"[^\W_]+")
# Plain Latin, Cyrillic and Greek letters (accents, small capitals, IPA and historic letters aside: through
# them, look-alike chains would join letters no reader confuses, such as y and r).
_PLAIN_LETTER = re.compile(r"(?:LATIN|CYRILLIC|GREEK) (?:SMALL|CAPITAL) LETTER (?!.* WITH )[A-Z]+(?:[- ][A-Z]+)*")


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    table: dict[int, None] = {cp: None for cp in _INVISIBLE_EXTRA}
    table.update({cp: None for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"})
    return table


@lru_cache(maxsize=1)
def look_alikes() -> tuple[dict[int, str], dict[int, str]]:
    """(capitals, small letters): each non-ASCII letter -> the ASCII letter of its case it is confusable
    with (its UTS #39 prototype).

    Like the skeleton, the mapping goes one way, to the Latin letter (Cyrillic "а" -> "a", "Р" -> "P");
    it is not closed over chains, which would join letters no reader confuses (y and r). Capitals and
    small letters have tables of their own because their look-alikes differ: Greek "Υ" looks like "Y",
    its small "υ" like "u". Letters with no Latin look-alike ("я", "л") stay as they are.
    """
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    tables: tuple[dict[int, str], dict[int, str]] = ({}, {})
    for source, homoglyphs in data.items():
        if len(source) != 1 or source.isascii() or not _PLAIN_LETTER.fullmatch(unicodedata.name(source, "")):
            continue
        capital = source.isupper()
        latin = sorted(h["c"] for h in homoglyphs
                       if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha() and h["c"].isupper() == capital)
        if latin:
            tables[0 if capital else 1][ord(source)] = latin[0]
    return tables


def fold(text: str) -> str:
    """The comparison form of `text` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_invisible())
    capitals, small = look_alikes()
    # Small look-alikes first ("υ" looks like "u", its capital like "Y"), then everything upper case so
    # that one capital table serves both cases ("в" and "В" both end as "b"), then case folded.
    # A last pass of the small table catches what only has a small look-alike ("Г" folds to "г", like "r").
    return text.translate(small).upper().translate(capitals).casefold().translate(small)


def words(text: str) -> list[str]:
    """The words of an already folded text: runs of letters and digits (punctuation, `_` and spaces break)."""
    return _WORDS.findall(text)


def word_spans(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in _WORDS.finditer(text)]


def name_form(text: str | None) -> str:
    """A name as compared: its folded words joined by one space ("<b>Ales__BIALIATSKI" -> "b ales bialiatski")."""
    return " ".join(words(fold(text or "")))
