"""Which shape a CSV copy of the list has: the machine export or the public table in English, Russian or
Belarusian (the flattened JSON is told by its first character), its delimiter (comma, semicolon or tab,
detected) and the canonical name of each column (analysis.ingest.registry_format)."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from analysis.core.errors import InputError
from analysis.ingest import registry_format as fmt


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("'", "’").replace("\u00a0", " ")
    return " ".join(text.strip().strip('"').split()).casefold()


_PUBLIC_LOOKUP = {
    language: {_normalise_header(label): canonical for canonical, label in labels.items()}
    for language, labels in fmt.PUBLIC_HEADERS.items()
}
REQUIRED_COLUMNS = {
    fmt.SHAPE_MACHINE: ("id", "name", "status", "arrested"),
    fmt.SHAPE_PUBLIC: ("name", "status"),
    fmt.SHAPE_JSON: ("id", "name", "status"),
}


def _classify_header(header: list[str]) -> tuple[str, str | None, list[str | None]] | None:
    """Return (shape, language, canonical name per column) if the header is one we know."""
    normal = [_normalise_header(h) for h in header]
    machine_hits = sum(1 for h in normal if h in fmt.MACHINE_COLUMNS)
    best: tuple[int, str, str | None, list[str | None]] | None = None
    if machine_hits >= 3:
        best = (machine_hits, fmt.SHAPE_MACHINE, None, [h if h in fmt.MACHINE_COLUMNS else None for h in normal])
    for language, lookup in _PUBLIC_LOOKUP.items():
        hits = sum(1 for h in normal if h in lookup)
        if hits >= 3 and (best is None or hits > best[0]):
            best = (hits, fmt.SHAPE_PUBLIC, language, [lookup.get(h) for h in normal])
    return None if best is None else best[1:]


def split_header_line(text: str, delimiter: str) -> list[str]:
    try:  # newline="": CR-only line ends are line ends too
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def detect_csv(text: str, path: str | Path) -> tuple[str, str | None, str, list[str], list[str | None]]:
    """Return (shape, language, delimiter, header, canonical names) for a CSV copy."""
    candidates = []
    for delimiter in (",", ";", "\t"):
        header = split_header_line(text, delimiter)
        if len(header) < 2:
            continue
        known = _classify_header(header)
        if known:
            shape, language, names = known
            candidates.append((sum(n is not None for n in names), delimiter, shape, language, header, names))
    if not candidates:
        first_line = text.splitlines()[0][:200] if text.splitlines() else ""
        raise InputError(path, f"unknown shape: the header does not match the machine export, the flattened "
                               f"JSON or the public table in English/Russian/Belarusian (header starts: "
                               f"{first_line!r})", row=0,
                         fix="check that the first line is the header row; see docs/registry_format.md "
                             "for the headers each shape carries")
    candidates.sort(key=lambda c: -c[0])
    _, delimiter, shape, language, header, names = candidates[0]
    return shape, language, delimiter, header, names
