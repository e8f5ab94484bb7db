"""The words the package counts with, and how they read: declared once, read by tables, charts and report.

Each vocabulary maps a code (what the tables hold) to its label (what a reader sees). Charts use the
labels as they are; the report's sentences use them with a lower-case first letter.
"""

from __future__ import annotations

STATUSES = ("active", "former", "np")

ENTRY_MECHANISMS = ("newly_detained",)
EXIT_MECHANISMS = ("end_of_term", "pardon", "pardon_with_expulsion", "death_in_custody", "other")

# code -> (label, short label for narrow places such as a chart's axis)
MECHANISMS: dict[str, tuple[str, str]] = {
    "newly_detained": ("Newly detained", "Newly detained"),
    "end_of_term": ("End of term", "End of term"),
    "pardon": ("Pardon (stayed in Belarus or not reported)", "Pardon"),
    "pardon_with_expulsion": ("Pardon with forced expulsion", "Pardon + expulsion"),
    "death_in_custody": ("Death in custody", "Death in custody"),
    "other": ("Other / not known", "Other / not known"),
}
MECHANISM_LABELS = {code: label for code, (label, _short) in MECHANISMS.items()}
MECHANISM_SHORT = {code: short for code, (_label, short) in MECHANISMS.items()}

# Where a released person was taken (release records and waves).
DESTINATIONS = ("belarus", "lithuania", "ukraine", "not_reported")
DESTINATION_LABELS = {"belarus": "Stayed in Belarus", "lithuania": "Expelled to Lithuania",
                      "ukraine": "Expelled to Ukraine", "not_reported": "Destination not reported"}


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case ("Pardon (...)" -> "pardon (...)")."""
    return label[:1].lower() + label[1:]
