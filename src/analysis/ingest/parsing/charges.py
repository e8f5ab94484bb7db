"""Charges ("articles"): one registry cell holds every charge of a person.

Each charge names an article of a code, optionally a part of it and a point (clause) inside
that part ("p. 5 of Part 2 of Art. 147", "п. 5 ч. 2 ст. 147 УК"), optionally via Article 13
(preparation) or Article 14 (attempt) of the Belarusian Criminal Code, and usually a title
after a dash. English, Russian and Belarusian wordings are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODES = ("criminal_code", "administrative_code")
# General-part articles of the Criminal Code that are only ever charged together with the
# substantive article: 13 = preparation, 14 = attempt.
PREPARATION_ARTICLES = ("13", "14")


@dataclass(frozen=True)
class Charge:
    """One charge. `article` is text so that hyphenated numbers ("361-1") survive."""

    article: str
    part: int | None
    clause: int | None  # the point ("p.", "п.") inside the part, when given
    preparation_article: str | None
    code: str
    title: str | None
    raw: str


# Pieces of a cell are separated by line breaks or semicolons (never by commas: a comma
# also joins "ч. 1 ст. 13, ч. 2 ст. 293" inside one charge).
_PIECE_SEPARATOR = re.compile(r"\r\n|\r|\n|;")
# A dash between two digits is part of an article number ("361–1" typed with an en dash).
_DASH_IN_NUMBER = re.compile(r"(?<=\d)\s?[\u2010\u2011\u2012\u2013]\s?(?=\d)")
# The title follows the first em/en dash, or a hyphen with spaces on both sides.
_TITLE_SEPARATOR = re.compile(r"\s*[\u2014\u2013\u2015]\s*|\s+-\s+")

# "Art.", "Article", "ст.", "статья", "арт.", "артыкул" directly followed by its number.
# Administrative articles have dotted numbers ("23.34"); a dot is kept only before a digit.
_ARTICLE = re.compile(
    r"(?<!\w)(?:articles?|art|ст(?:ать[яиеюй]|атьей)?|арт(?:ыкул[аеу]?)?)\.?\s*"
    r"(?P<num>\d+(?:[-.]\d+)?)(?![\d\w])",
    re.IGNORECASE,
)
# "Part 2", "ч. 2", "часть 2", "частка 2".
_PART = re.compile(
    r"(?<!\w)(?:part|ч|часть|части|частк[аіи])\.?\s*(?P<num>\d+)(?![\d\w])",
    re.IGNORECASE,
)
# "p. 5", "point 5", "clause 5", "п. 5", "пункт 5": a point inside a part.
_POINT = re.compile(
    r"(?<!\w)(?:p|point|clause|п|пункт(?:а|е|у)?)\.?\s*(?P<num>\d+)(?![\d\w])",
    re.IGNORECASE,
)
_ADMIN_CODE = re.compile(
    r"administrative\s+(?:code|offen[cs]es)|code\s+of\s+administrative|административн\w*"
    r"|адміністрацыйн\w*|(?<!\w)(?:коап|каап)(?!\w)",
    re.IGNORECASE,
)
_CRIMINAL_CODE = re.compile(
    r"criminal\s+code|уголовн\w*|крымінальн\w*|(?<!\w)(?:ук|кк)(?!\w)",
    re.IGNORECASE,
)


def split_charges(cell: str) -> list[str]:
    """Split a cell into one string per charge (line breaks or ';'), dropping empty pieces."""
    if cell is None:
        return []
    return [p.strip() for p in _PIECE_SEPARATOR.split(cell) if p.strip()]


def parse_charges(cell: str) -> list[Charge]:
    """Split a cell and parse every piece; an empty cell gives []."""
    pieces = split_charges(cell)
    charges = []
    for i, piece in enumerate(pieces, start=1):
        try:
            charges.append(parse_charge(piece))
        except ValueError as e:
            raise ValueError(f"charge {i} of {len(pieces)} ({piece!r}): {e}") from e
    return charges


def parse_charge(text: str) -> Charge:
    """Parse one charge such as "Part 2 of Art. 293 of the Criminal Code — Mass riots".

    Raises ValueError for empty text (use `parse_charges` for a cell that may be empty),
    for text without an article number, and for references that cannot be one charge
    (two substantive articles, a part with no article, Art. 13/14 with nothing to prepare).
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("empty charge text; expected e.g. 'Part 2 of Art. 293 of the Criminal Code'")
    s = _DASH_IN_NUMBER.sub("-", raw)

    head, title = s, None
    if sep := _TITLE_SEPARATOR.search(s):
        head, title = s[: sep.start()], s[sep.end():].strip() or None

    refs = _article_references(head, raw)
    if not refs:
        raise ValueError(f"no article number found in charge {raw!r}; expected e.g. 'Art. 342' or 'ч. 1 ст. 342'")

    preparation = None
    if refs[0][2] in PREPARATION_ARTICLES and len(refs) > 1:
        preparation = refs[0][2]
        refs = refs[1:]
    if len(refs) > 1:
        named = ", ".join(f"Art. {a}" for _, _, a in refs)
        raise ValueError(
            f"charge {raw!r} names several articles ({named}); expected one charge per line "
            "or ';'-separated piece, optionally via Art. 13 (preparation) or 14 (attempt)"
        )
    part, clause, article = refs[0]
    if article in PREPARATION_ARTICLES and preparation is None:
        raise ValueError(
            f"charge {raw!r} names only Art. {article} (preparation/attempt) without the "
            "substantive article it applies to"
        )

    return Charge(article=article, part=part, clause=clause, preparation_article=preparation,
                  code=_code(head, raw), title=title, raw=raw)


def _article_references(head: str, raw: str) -> list[tuple[int | None, int | None, str]]:
    """(part, point, article) triples in reading order.

    A part and a point bind to the article that follows them ("п. 5 ч. 2 ст. 147",
    "p. 5 of Part 2 of Art. 147"); a part or point left over at the very end binds to the last
    article ("ст. 342 ч. 1", "ст. 147 ч. 2 п. 5"). A point with no part is kept as given.
    Any other number in the head is an error rather than something silently ignored.
    """
    tokens = sorted([("art", m) for m in _ARTICLE.finditer(head)] + [("part", m) for m in _PART.finditer(head)]
                    + [("point", m) for m in _POINT.finditer(head)], key=lambda t: t[1].start())

    leftover = head
    for _, m in reversed(tokens):
        leftover = leftover[: m.start()] + " " + leftover[m.end():]
    if stray := re.search(r"\d+", leftover):
        raise ValueError(
            f"charge {raw!r} contains the number {stray.group()!r} that is neither an article, a part "
            "nor a point; expected forms like 'Part 2 of Art. 293' or 'ч. 2 ст. 293'"
        )

    refs: list[tuple[int | None, int | None, str]] = []
    pending: dict[str, int] = {}
    for kind, m in tokens:
        if kind == "art":
            refs.append((pending.get("part"), pending.get("point"), m["num"]))
            pending = {}
        elif kind in pending:
            raise ValueError(f"charge {raw!r} has two {kind}s in a row without an article between them")
        else:
            pending[kind] = int(m["num"])
    if pending:
        last = refs[-1] if refs else None
        if last is None or any(last[i] is not None for i, kind in enumerate(("part", "point")) if kind in pending):
            what = " and ".join(f"a {kind} ({number})" for kind, number in pending.items())
            raise ValueError(f"charge {raw!r} has {what} that belongs to no article")
        refs[-1] = (pending.get("part", last[0]), pending.get("point", last[1]), last[2])
    return refs


def _code(head: str, raw: str) -> str:
    admin, criminal = _ADMIN_CODE.search(head), _CRIMINAL_CODE.search(head)
    if admin and criminal:
        raise ValueError(f"charge {raw!r} names both the Criminal and the Administrative Code")
    # Without a named code the charge is criminal: the registry is a list of criminal cases.
    return "administrative_code" if admin else "criminal_code"
