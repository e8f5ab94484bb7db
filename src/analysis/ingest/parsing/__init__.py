"""Pure parsers for single registry cells: raw text in, typed frozen values out.

No I/O and no dataframe code here. Every parser returns None for an empty cell (except
where a value is required: charges, status, names) and raises ValueError with a message
quoting the offending text when a cell cannot be read; the reader turns that into a
quarantine entry naming the file, row and field.
"""

from __future__ import annotations

from .charges import CODES, Charge, parse_charge, parse_charges, split_charges
from .dates import DateRange, parse_date
from .facility import FACILITY_TYPES, Facility, parse_facility, split_prison_cell
from .names import PersonName, name_key, parse_name, transliterate_be, transliterate_ru
from .penalty import COLONY_SECURITY, PENALTY_REGIMES, Penalty, parse_penalty
from .sentences import SENTENCE_KINDS, Sentence, parse_sentence
from .status import GENDERS, STATUSES, parse_gender, parse_status

__all__ = [
    "CODES", "COLONY_SECURITY", "FACILITY_TYPES", "GENDERS", "PENALTY_REGIMES", "SENTENCE_KINDS",
    "STATUSES", "Charge", "DateRange", "Facility", "Penalty", "PersonName", "Sentence",
    "name_key", "parse_charge", "parse_charges", "parse_date", "parse_facility", "parse_gender",
    "parse_name", "parse_penalty", "parse_sentence", "parse_status", "split_charges",
    "split_prison_cell", "transliterate_be", "transliterate_ru",
]
