"""Place of detention ("prison"): a facility title, a number and the town.

The machine export packs the title and the postal address into one cell; the JSON shape has
them apart. Titles come in English, Russian (including abbreviations such as "ИК-15",
"СИЗО-1") and Belarusian. An unrecognised title is type "other", not an error: the
vocabulary includes hospitals, police stations and so on, and the raw title is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FACILITY_TYPES = (
    "penal_colony", "pretrial_detention_center", "open_correctional_facility", "prison",
    "temporary_detention", "released_awaiting_sentence", "other",
)


@dataclass(frozen=True)
class Facility:
    type: str  # one of FACILITY_TYPES
    number: str | None  # as text: "15", "1"
    town: str | None
    address: str | None
    title: str


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# Order matters: "released ..." and "temporary detention" must win over words shared with
# other types; an open correctional *facility* is not a colony although both "correct".
_TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("released_awaiting_sentence", _rx(r"\breleased\b", r"awaiting\s+the\s+commencement", r"освобожд", r"вызвален")),
    ("temporary_detention", _rx(
        r"temporary\s+detention", r"(?<!\w)(?:ивс|івс|ічу|цип|ціп|ivs)(?!\w)", r"временного\s+содержания",
        r"часовага\s+ўтрымання", r"изоляции\s+правонарушителей", r"ізаляцыі\s+правапарушальнікаў",
    )),
    ("pretrial_detention_center", _rx(
        r"pre\s*trial", r"detention\s+cent(?:er|re)", r"(?<!\w)(?:сизо|сізо|сіза|sizo)(?!\w)",
        r"следственн\w*\s+изолятор", r"следч\w*\s+ізалятар",
    )),
    ("open_correctional_facility", _rx(
        r"open\s+(?:correctional|penal|type)", r"(?<!\w)(?:иуот|іуат|пуат)(?!\w)",
        r"открытого\s+типа", r"адкрытага\s+тыпу",
    )),
    ("prison", _rx(r"\bprison\b", r"тюрьм", r"турм")),
    ("penal_colony", _rx(
        r"\bcolony\b", r"колони", r"калоні", r"(?<!\w)(?:ик|ік|пк|ik)(?!\w)",
    )),
)

# "No. 15", "№15", "N 15", "#15"; or an abbreviation with the number attached ("ИК-15").
_NUMBER_MARKED = re.compile(r"(?:№|(?<!\w)(?:no|nr|n)\.?(?=\s*\d)|#)\s*(?P<num>\d+)", re.IGNORECASE)
_NUMBER_ABBR = re.compile(
    r"(?<!\w)(?:ик|ік|пк|сизо|сізо|сіза|ивс|іуат|иуот|пуат|ik|sizo)\s*[-\u2010\u2011\u2013]?\s*(?P<num>\d+)",
    re.IGNORECASE,
)
_TOWN_MARKER = re.compile(r"(?:,|\s)\s*(?:г\.|г\s|горад\s|city\s+of\s|g\.)\s*(?P<town>[^,()]+)", re.IGNORECASE)
_POSTCODE = re.compile(r"\d{5,6}")
_TOWN_PREFIX = re.compile(r"^(?:г\.|г\s|g\.|горад\s|city\s+of\s)\s*", re.IGNORECASE)


def split_prison_cell(cell: str) -> tuple[str, str | None]:
    """Split a machine-export `prison` cell into (title, address).

    The title ends at the first line break or ';'; the rest is the postal address
    (further lines are joined with ", "). An empty cell gives ("", None).
    """
    if cell is None:
        return "", None
    pieces = re.split(r"\r\n|\r|\n|;", cell.strip(), maxsplit=1)
    title = pieces[0].strip()
    if len(pieces) == 1:
        return title, None
    lines = [ln.strip() for ln in re.split(r"\r\n|\r|\n|;", pieces[1]) if ln.strip()]
    return title, ", ".join(lines) or None


def parse_facility(title: str, address: str | None = None) -> Facility | None:
    """Type, number and town of a facility; None if the title is empty.

    Town: the second comma-separated piece of an address that starts with a postcode
    ("213105, Mahilioŭ, Arlowskaha 1"); otherwise a town written in the title after a comma
    or "г." ("Penal colony No. 17, Shklou", "СИЗО №1 г. Минск"); otherwise None. An address
    without a title raises ValueError: the facility type cannot be read from a street.
    """
    t = re.sub(r"\s+", " ", title or "").strip()
    addr = re.sub(r"\s+", " ", address or "").strip() or None
    if not t:
        if addr:
            raise ValueError(f"facility address {address!r} has no facility title; expected e.g. 'Penal colony No. 15'")
        return None

    main, title_town = _split_title_town(t)
    # Hyphens read as spaces for the type ("Pre-trial", "open-type"), not for the number.
    spaced = re.sub(r"[\-\u2010\u2011]", " ", main)
    ftype = next((name for name, rx in _TYPE_RULES if rx.search(spaced)), "other")
    number = None if ftype == "released_awaiting_sentence" else _number(main)
    town = _town_from_address(addr) or title_town
    return Facility(type=ftype, number=number, town=town, address=addr, title=t)


def _split_title_town(t: str) -> tuple[str, str | None]:
    if m := _TOWN_MARKER.search(t):
        return t[: m.start()].strip(), m["town"].strip() or None
    main, sep, rest = t.partition(",")
    town = rest.split(",")[0].strip() if sep else ""
    # A piece with digits after the comma is not a town ("Penal colony, No. 15").
    if town and not re.search(r"\d", town):
        return main.strip(), town
    return t, None


def _number(main: str) -> str | None:
    if m := _NUMBER_MARKED.search(main) or _NUMBER_ABBR.search(main):
        return str(int(m["num"]))
    numbers = re.findall(r"(?<![\d\w])\d+(?![\d\w])", main)
    # A single bare number ("Penal colony 15") is the facility number; several are ambiguous.
    return str(int(numbers[0])) if len(numbers) == 1 else None


def _town_from_address(addr: str | None) -> str | None:
    if not addr:
        return None
    pieces = [p.strip() for p in addr.split(",")]
    # Only "postcode, town, ..." is trusted: without a postcode the first piece may be a street.
    if len(pieces) >= 2 and _POSTCODE.fullmatch(pieces[0]):
        town = _TOWN_PREFIX.sub("", pieces[1]).strip()
        return town or None
    return None
