"""Kind of penalty ("penalty"): the regime in which a sentence is served.

The vocabulary is open (courts and copy-makers word it freely), so text that matches no
rule is not an error: it becomes regime "other" with the raw text kept for review.

Rules are tried in a fixed order because wordings overlap: "suspended imprisonment" contains
"imprisonment", "domashnyaya khimiya" contains "khimiya", "restriction of freedom without
being sent ..." must not be read as khimiya, and "imprisonment" contains "prison".
Colony security: general; reinforced/enhanced = medium; strict = maximum. A colony whose
security is not stated, is "special regime" (not in COLONY_SECURITY) or is stated twice
with different levels gets colony_security None. A bare "imprisonment" that names neither
a colony nor a prison is "other": the place of serving is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PENALTY_REGIMES = ("colony", "prison", "khimiya", "home_confinement", "suspended", "arrest", "fine", "other")
COLONY_SECURITY = ("general", "medium", "maximum")


@dataclass(frozen=True)
class Penalty:
    regime: str  # one of PENALTY_REGIMES
    colony_security: str | None  # one of COLONY_SECURITY, only for regime "colony"
    raw: str


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


_SUSPENDED = _rx(r"\bsuspended\b", r"\bdeferr?(?:ed|al|ment)\b", r"\bprobation", r"условн", r"отсрочк",
                 r"умоўн", r"адтэрміноўк", r"адтэрмiноўк")
_HOUSE_ARREST = _rx(r"\bhouse\s+arrest\b", r"домашн\w*\s+арест", r"хатн\w*\s+арышт")
_HOME_CONFINEMENT = _rx(
    r"\bhome\s+confinement\b", r"\bdomashn\w*\s+khimi", r"without\s+(?:being\s+)?(?:sent|referral|direction)",
    r"домашн\w*\s+хими", r"без\s+направлени", r"хатн\w*\s+хімі", r"без\s+накіраванн",
)
_KHIMIYA = _rx(
    r"\bkhimi[iy]?a\b", r"\bopen\s+(?:penal|correctional)", r"\bopen\s+type", r"хими[яи]", r"хімі[яі]",
    r"открытого\s+типа", r"с\s+направлением", r"адкрытага\s+тыпу", r"з\s+накіраваннем",
)
_PRISON = _rx(r"\bprison\b", r"тюрьм", r"тюрем", r"турм", r"турэм")
_COLONY = _rx(r"\bcolony\b", r"колони", r"калоні", r"калонi")
_SECURITY = {
    "general": _rx(r"\bgeneral\b", r"общего", r"общий", r"агульнага", r"агульны"),
    "medium": _rx(r"\bmedium\b", r"\breinforced\b", r"\benhanced\b", r"усиленн", r"[уў]змоцнен"),
    "maximum": _rx(r"\bmaximum\b", r"\bstrict\b", r"строг"),
}
_SPECIAL = _rx(r"\bspecial\s+(?:regime|security)", r"особ\w*\s+режим", r"асаблів\w*\s+рэжым")
_ARREST = _rx(r"\barrest\b", r"арест", r"арышт")
_FINE = _rx(r"\bfine\b", r"штраф")


def parse_penalty(text: str) -> Penalty | None:
    """Classify a penalty cell; None if empty, regime "other" if no rule matches."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    # Hyphens become spaces so "general-security" and "open-type" read like their spaced forms.
    s = re.sub(r"[\s\-\u2010\u2011]+", " ", raw.lower().replace("ё", "е"))

    if _SUSPENDED.search(s):
        return Penalty("suspended", None, raw)
    if _HOUSE_ARREST.search(s):
        # A pre-trial measure, not a penalty and not khimiya: keep it visible as "other".
        return Penalty("other", None, raw)
    if _HOME_CONFINEMENT.search(s):
        return Penalty("home_confinement", None, raw)
    if _KHIMIYA.search(s):
        return Penalty("khimiya", None, raw)
    if _PRISON.search(s):
        return Penalty("prison", None, raw)
    levels = [level for level, rx in _SECURITY.items() if rx.search(s)]
    if _COLONY.search(s) or levels or _SPECIAL.search(s):
        security = levels[0] if len(levels) == 1 and not _SPECIAL.search(s) else None
        return Penalty("colony", security, raw)
    if _ARREST.search(s):
        return Penalty("arrest", None, raw)
    if _FINE.search(s):
        return Penalty("fine", None, raw)
    return Penalty("other", None, raw)
