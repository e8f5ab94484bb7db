"""Person names: Latin display form, Cyrillic form, and a cross-script matching key.

The same person appears as "Maryia Kalesnikava" (Belarusian Latin, Viasna's English pages),
"Maria Kolesnikova" (Russian-style Latin), "Мария Колесникова" (Russian) and
"Марыя Калеснікава" (Belarusian). `name_key` maps all of these to one key.

Transliteration rules
---------------------
Belarusian (`transliterate_be`): the passport-style system Viasna's English pages use
("Maryia Kalesnikava", "Aliaksandr", "Siarhei Tsikhanouski", "Ales Bialiatski"):
г→h, ґ→g, х→kh, ц→ts, ч→ch, ш→sh, ж→zh, й→i, ы→y, э→e, і→i, ў→u, ь and apostrophes dropped.
Iotated vowels: word-initially and after a vowel я→ya, ю→yu, ё→yo, е→ye ("Yauhen",
"Tsikhanouskaya", "Andreyeu"); after a consonant, ь or apostrophe я→ia, ю→iu, ё→io, е→e
(е→ie after ь/apostrophe) ("Aliaksandr", "Kalesnikava", "Verabiou"); after ы the y is
written i ("Maryia") and after і it is dropped ("Yulia"), so no "yy"/"ii" appears. (The
national system for geographic names would give "Kaliesnikava" and "ŭ"; Viasna does not
write names that way.)

Russian (`transliterate_ru`): ICAO Doc 9303 as in Russian passports since 2013, unchanged:
"Мария Колесникова" → "Mariia Kolesnikova", "Сергей Тихановский" → "Sergei Tikhanovskii"
(х→kh, ц→ts, щ→shch, й→i, ю→iu, я→ia, е/ё/э→e, ъ→ie, ь dropped). Chosen because it is an
official, predictable standard; the press forms ("Maria", "Tikhanovsky") differ only in
vowels and so still share the key.

Both functions also accept the other language's letters (и, щ, ъ in Belarusian text; і, ў
in Russian text) and raise ValueError for a Cyrillic letter they do not know.

Matching key (`name_key`)
-------------------------
1. Fix look-alike letters (see `_fix_scripts`): a word that mixes scripts (Latin "i" typed
   for "і", Cyrillic "а" or "с" in a Latin word) is written in its majority script, on a tie
   in the name's, and a word made only of look-alikes of the other script (a Cyrillic initial
   "с" in a Latin name) in the name's script, so "Bсd" with a Cyrillic "с" has the key of
   "Bcd". This is done on the casefolded text, so that the key does not depend on case; then
   transliterate any Cyrillic (Belarusian rules if і/ў/apostrophe occurs, else Russian).
2. Spell out Latin diacritics (č→ch, š→sh, ž→zh, ŭ→u, ł→l, ...), strip other accents (NFKD),
   drop apostrophes, split into tokens at anything that is not a letter (spaces, hyphens).
3. Per token, unify what differs between Belarusian and Russian forms: shch and sh → S,
   zh → Z, ch → C, ts→t and dz→d (Belarusian ці/дзе ↔ Russian ти/де),
   kh, g and h → H (г is h in Belarusian, g in Russian), x→ks, c→k, q→k, ph→f, w→v, and "u"
   after a/e/o → v (ў ↔ в: "Tsikhanouski" ↔ "Tikhanovsky", "Paulau" ↔ "Pavlov").
4. Collapse doubled letters, then keep the consonants only, plus "a" in front if the token
   starts with a vowel (a e i o u y j) and "a" at the end if it ends with a, e, o or u (not
   i/y/j, so Russian "-ий" still matches Belarusian forms without it). The end marker keeps
   "Aliaksandr"/"Aliaksandra", "Ivanou"/"Ivanova" and "Tsikhanouski"/"Tsikhanouskaya"
   apart. The symbols S, Z, C, H stay upper case in the key so they cannot merge with s, z, c.
5. With three or more tokens, drop one token that looks like a patronymic (-ovich, -evich,
   -avich, -ovna, -evna, -auna, -euna, -ichna) if exactly one does, so that
   "Колесникова Мария Александровна" matches "Maryia Kalesnikava".
6. Replace the key of a given name that has different Belarusian and Russian *forms*
   (Мікалай/Николай, Уладзімір/Владимир, Ганна/Анна, Зміцер/Дмитрий ...) by one key per
   name, from the equivalence list in `decisions/given_names.yaml` (data, not code).
7. Sort the tokens, so "Surname Name" and "Name Surname" match.

Known non-matches: given-name forms missing from that list; Łacinka spellings where c
means ц ("Cichanoŭski"); patronymics when two tokens end like one ("Статкевич Николай
Викторович"); foreign spellings of a surname ("Hersche" for Гершэ); double surnames
written with and without one of the parts. Collisions are possible by design (only
consonants are compared), e.g. "Ana"/"Yana"; keys propose matches, they do not prove identity.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analysis.core import decisions


@dataclass(frozen=True)
class PersonName:
    raw: str
    latin: str
    cyrillic: str | None
    key: str


_APOSTROPHES = "’'ʼ‘`´"
_CYR_VOWELS = set("аеёіиоуыэюяєї")
_SOFTENERS = set("ьъ") | set(_APOSTROPHES)

_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "ж": "zh", "з": "z", "і": "i", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ы": "y", "ь": "", "э": "e", "ґ": "g", "ї": "i",
}
_BE = {**_COMMON, "г": "h", "ъ": ""}
_RU = {**_COMMON, "г": "g", "ъ": "ie", "е": "e", "ё": "e", "є": "ie", "ю": "iu", "я": "ia"}
# Belarusian iotated vowels: (word-initial or after a vowel, after a consonant/ь/apostrophe).
_BE_IOTATED = {
    "я": ("ya", "ia"), "ю": ("yu", "iu"), "ё": ("yo", "io"), "е": ("ye", "e"), "є": ("ye", "e"),
}

_HOMOGLYPHS_TO_CYR = dict(zip("aceopxyiABCEHKMOPTXI", "асеорхуіАВСЕНКМОРТХІ"))
_HOMOGLYPHS_TO_LAT = {c: latin for latin, c in _HOMOGLYPHS_TO_CYR.items()}
# For the key, which is casefolded anyway: the lower-case forms of capital-only look-alikes
# too (B/В, H/Н, K/К, M/М, T/Т), so that the key does not depend on letter case.
_FOLDED_TO_CYR = {k.lower(): v.lower() for k, v in _HOMOGLYPHS_TO_CYR.items()}
_FOLDED_TO_LAT = {c: latin for latin, c in _FOLDED_TO_CYR.items()}
# Letters a whole word may be made of to take the script of the rest of the name.
_ALL_HOMOGLYPHS = set(_HOMOGLYPHS_TO_CYR) | set(_HOMOGLYPHS_TO_LAT)
_LOWER_HOMOGLYPHS = {c for c in _ALL_HOMOGLYPHS if c.islower()}


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and not _is_cyrillic(ch) and unicodedata.name(ch, "").startswith("LATIN")


def transliterate_be(text: str) -> str:
    """Belarusian Cyrillic → Latin as on Viasna's English pages (see the module docstring)."""
    return _transliterate(text, belarusian=True)


def transliterate_ru(text: str) -> str:
    """Russian Cyrillic → Latin per ICAO Doc 9303 (see the module docstring)."""
    return _transliterate(text, belarusian=False)


def _transliterate(text: str, *, belarusian: bool) -> str:
    table = _BE if belarusian else _RU
    s = unicodedata.normalize("NFC", text)
    caps = _all_caps_mask(s)
    out: list[str] = []
    for i, ch in enumerate(s):
        prev = s[i - 1] if i else ""
        if ch in _APOSTROPHES and _is_cyrillic(prev):
            continue  # the Belarusian apostrophe only marks a separate "j" sound
        low = ch.lower()
        if not _is_cyrillic(ch):
            out.append(ch)
            continue
        if belarusian and low in _BE_IOTATED:
            y_form, i_form = _BE_IOTATED[low]
            p = prev.lower()
            if p == "ы":
                latin = "i" + y_form[1:]  # "Марыя" → "Maryia"
            elif p == "і":
                latin = y_form[1:]  # "Юлія" → "Yulia", not "Yuliia"/"Yuliya"
            elif not prev or p in _CYR_VOWELS or not (prev.isalpha() or prev in _APOSTROPHES):
                latin = y_form  # "Яўген" → "Yauhen", "Ціханоўская" → "Tsikhanouskaya"
            elif p in _SOFTENERS and low == "е":
                latin = "ie"  # "Вераб’ева" → "Verabieva"
            else:
                latin = i_form  # "Аляксандр" → "Aliaksandr", "Калеснікава" → "Kalesnikava"
        elif low in table:
            latin = table[low]
        else:
            raise ValueError(
                f"cannot transliterate the letter {ch!r} in {text!r}; expected Belarusian or Russian Cyrillic"
            )
        if ch != low:
            latin = latin.upper() if caps[i] else latin[:1].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def _all_caps_mask(s: str) -> list[bool]:
    """For each character: is it in a word of two or more letters written all in capitals?"""
    mask = [False] * len(s)
    for m in re.finditer(r"[^\W\d_]+", s):
        word = m.group()
        if len(word) > 1 and word.isupper():
            mask[m.start():m.end()] = [True] * len(word)
    return mask


def _fix_scripts(text: str, *, strict: bool, folded: bool = False) -> str:
    """Replace look-alike letters so that each word is in one script.

    A word mixing Latin and Cyrillic is converted to its majority script; on a tie, to the
    script of the name as a whole (the majority of all its letters, Cyrillic on a tie, since
    Belarusian "і" is so often typed as Latin "i"). If a letter has no look-alike in that
    direction, the other direction is tried ("Lі" → "Li"). A word written wholly in look-alike
    letters of the script the name is not in (an initial "С." or "Ос" typed in Cyrillic inside a
    Latin name) takes the name's script. If a mixed word cannot be fixed, strict mode raises
    ValueError and lenient mode leaves it as it is.

    `folded` text is casefolded (for the key, which must not depend on case): inside a mixed
    word the lower-case forms of capital-only look-alikes (B/В, H/Н, K/К, M/М, T/Т) count too,
    but a whole word is converted only if it is made of letters that look alike in lower case
    (a c e o p x y i / а с е о р х у і). `parse_name` sees the case and so also fixes a whole
    capital "В" in a Latin name before it builds the key.
    """
    if folded:
        to_cyr_table, to_lat_table, whole_word = _FOLDED_TO_CYR, _FOLDED_TO_LAT, _LOWER_HOMOGLYPHS
    else:
        to_cyr_table, to_lat_table, whole_word = _HOMOGLYPHS_TO_CYR, _HOMOGLYPHS_TO_LAT, _ALL_HOMOGLYPHS
    name_in_cyrillic = sum(map(_is_cyrillic, text)) >= sum(map(_is_latin, text))

    def convert(word: str, to_cyr: bool) -> str | None:
        table, foreign = (to_cyr_table, _is_latin) if to_cyr else (to_lat_table, _is_cyrillic)
        fixed = "".join(table.get(c, c) if foreign(c) else c for c in word)
        return None if any(map(foreign, fixed)) else fixed

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        n_cyr, n_lat = sum(map(_is_cyrillic, word)), sum(map(_is_latin, word))
        if not n_cyr or not n_lat:
            in_other_script = (n_lat if name_in_cyrillic else n_cyr) == len(word)
            if in_other_script and set(word) <= whole_word:
                return convert(word, name_in_cyrillic) or word
            return word
        to_cyr = n_cyr > n_lat or (n_cyr == n_lat and name_in_cyrillic)
        fixed = convert(word, to_cyr) or convert(word, not to_cyr)
        if fixed is None:
            if strict:
                raise ValueError(
                    f"name {text!r}: the word {word!r} mixes Latin and Cyrillic letters that are "
                    "not look-alikes; expected one script per word"
                )
            return word
        return fixed

    return re.sub(r"[^\W\d_]+", fix, text)


def _looks_belarusian(text: str) -> bool:
    return bool(re.search(r"[іІўЎ’ʼ']", text))


def _to_latin(text: str) -> str:
    if not any(map(_is_cyrillic, text)):
        return text
    return transliterate_be(text) if _looks_belarusian(text) else transliterate_ru(text)


# Step 2 of the key: diacritics that stand for digraphs in Łacinka/Czech-style spellings.
_DIACRITIC_DIGRAPHS = str.maketrans({
    "č": "ch", "š": "sh", "ž": "zh", "ŭ": "u", "ć": "ts", "ś": "s", "ź": "z", "ń": "n", "ł": "l", "ĺ": "l",
})
# Digraphs become one upper-case symbol first, so that "kh" → "H" cannot create a new "sh"
# ("Iskhakov"); upper case never occurs otherwise because the text is casefolded.
_TOKEN_RULES = (
    ("shch", "S"), ("zh", "Z"), ("kh", "H"), ("ch", "C"), ("sh", "S"), ("ts", "t"), ("dz", "d"),
    ("ph", "f"), ("x", "ks"), ("q", "k"), ("c", "k"), ("g", "H"), ("h", "H"), ("w", "v"),
)
_VOWELS = set("aeiouyj")
_FULL_VOWELS = set("aeou")
_PATRONYMIC = re.compile(r"(?:[oae]vich|[oae]vna|[ae]una|ichna)$")


def name_key(text: str) -> str:
    """Matching key equal across Belarusian/Russian, Latin/Cyrillic forms of one name.

    See the module docstring for the rule and its known non-matches. ValueError if the text
    has no letters.
    """
    tokens = re.sub(r"[^\w]|[\d_]", " ", _fold(text or "")).split()
    if not tokens:
        raise ValueError(f"name {text!r} has no letters (after transliteration) to build a matching key from")

    if len(tokens) >= 3:
        patronymics = [t for t in tokens if _PATRONYMIC.search(t)]
        if len(patronymics) == 1:
            tokens.remove(patronymics[0])
    given = _given_name_keys()
    return " ".join(sorted(given.get(key, key) for key in (_token_key(t) for t in tokens)))


# The project's decisions/given_names.yaml (ingest points this at the project it reads for).
_GIVEN_NAMES = [decisions.folder() / decisions.GIVEN_NAMES]


def use_given_names(path: Path) -> bool:
    """Read given-name equivalences from `path` from now on; True if that changed anything."""
    changed = Path(path) != _GIVEN_NAMES[0]
    _GIVEN_NAMES[0] = Path(path)
    return changed


def _given_name_keys() -> dict[str, str]:
    path = _GIVEN_NAMES[0]
    info = path.stat()
    return _keys_of(str(path), info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _keys_of(path: str, _size: int, _mtime: int) -> dict[str, str]:
    """Token key of every listed given-name form -> the key of its line's first form."""
    mapping: dict[str, str] = {}
    for forms in decisions.given_name_forms(Path(path)):
        keys = [_single_token_key(form) for form in forms]
        for form, key in zip(forms, keys):
            assert mapping.get(key, keys[0]) == keys[0], f"given name {form!r} falls into two lines of given_names.yaml"
            mapping[key] = keys[0]
    return mapping



def _fold(text: str) -> str:
    """Lower-case Latin without diacritics or apostrophes, whatever the script of `text`."""
    s = unicodedata.normalize("NFC", text).casefold()
    s = _to_latin(_fix_scripts(s, strict=False, folded=True)).translate(_DIACRITIC_DIGRAPHS)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(f"[{_APOSTROPHES}]", "", s)


def _single_token_key(word: str) -> str:
    return _token_key(_fold(word))


def _token_key(token: str) -> str:
    t = token
    for old, new in _TOKEN_RULES:
        t = t.replace(old, new)
    t = re.sub(r"(?<=[aeo])u", "v", t)  # Belarusian ў after a vowel ↔ Russian в
    t = re.sub(r"(.)\1+", r"\1", t)  # "Natallia"/"Natalia", "Illia"/"Ilya"
    consonants = "".join(c for c in t if c not in _VOWELS)
    start = "a" if t[0] in _VOWELS else ""
    # Only a full vowel counts as an ending: "-ii"/"-yi"/"-y" (Russian -ий) must still
    # match Belarusian forms without it ("Evgenii"/"Yauhen", "Vasilii"/"Vasil").
    end = "a" if t[-1] in _FULL_VOWELS else ""
    return start + consonants + end


def parse_name(text: str) -> PersonName:
    """Split a name cell into display forms and a key; ValueError if empty or letterless.

    Latin input: latin is the text with whitespace collapsed, cyrillic None. Cyrillic input:
    cyrillic is the text with whitespace collapsed and look-alike Latin letters replaced,
    latin its transliteration (Belarusian rules if і/ў/apostrophe occurs, else Russian).
    Look-alike letters are fixed first (see `_fix_scripts`): a Latin name with one Cyrillic
    look-alike ("Bсd") gives the same latin and key as its all-Latin spelling, and cyrillic None.
    A word mixing scripts beyond look-alikes raises ValueError.
    """
    raw = text if text is not None else ""
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw)).strip()
    if not s:
        raise ValueError("empty name; every registry row needs a name")
    if not re.search(r"[^\W\d_]", s):
        raise ValueError(f"name {raw!r} contains no letters")
    s = _fix_scripts(s, strict=True)
    if any(map(_is_cyrillic, s)):
        return PersonName(raw=raw, latin=_to_latin(s), cyrillic=s, key=name_key(s))
    return PersonName(raw=raw, latin=s, cyrillic=None, key=name_key(s))
