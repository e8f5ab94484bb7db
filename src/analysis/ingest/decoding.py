"""The text of a raw copy: its encoding detected (UTF-8 with or without BOM, or Windows-1251), and text
refused that is not what the source wrote: UTF-16, NUL bytes, and Cyrillic garbled by a wrong decoding
on the way (mojibake) or lost to '?'. Each refusal names the line, data row and column where it can."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from analysis.core.errors import InputError
from analysis.ingest.shapes import detect_csv
from analysis.ingest.unpacking import UTF8_BOM

# Non-ASCII characters that real Windows-1251 copies contain besides Cyrillic letters.
_CP1251_PUNCTUATION = set("«»—–’‘“”„№…•·°\u00a0")
_CP1251_LETTERS = set("ЁёІіЎў")


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def line_of(text: str, offset: int) -> int:
    """Physical line (LF, CRLF or CR endings, as the CSV reader counts them) holding `offset`."""
    before = text[:offset]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _looks_like_cp1251(text: str) -> bool:
    """Russian/Belarusian text, not UTF-8 bytes misread (mojibake is full of Ђ, ѓ, ‰, ±...)."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    plausible = sum(1 for ch in non_ascii if "\u0410" <= ch <= "\u044f" or ch in _CP1251_LETTERS
                    or ch in _CP1251_PUNCTUATION)
    return plausible / len(non_ascii) >= 0.95


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 8:
        return False
    evens, odds = sample[0::2].count(0), sample[1::2].count(0)
    return max(evens, odds) > 0.3 * half and min(evens, odds) < 0.05 * half


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (text, encoding name). Raises InputError naming the line of a bad byte."""
    if not data.strip(b" \t\r\n" + UTF8_BOM):
        raise InputError(path, "the file is empty", fix="re-export the registry copy; an empty file holds no rows")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "the file is UTF-16 (a 'Unicode text' export)",
                         fix="re-save it as CSV UTF-8 (comma- or semicolon-separated)")
    if _looks_like_utf16(data):
        raise InputError(path, "the file is UTF-16 without a byte-order mark (a NUL byte beside every letter)",
                         fix="re-save it as CSV UTF-8 (comma- or semicolon-separated)")
    encoding = "utf-8-sig" if data.startswith(UTF8_BOM) else "utf-8"
    try:
        return data.decode(encoding), ("utf-8-bom" if encoding == "utf-8-sig" else "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if encoding == "utf-8":
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_cp1251(text):
            return text, "windows-1251"
    line, column = _line_and_column(data, utf8_error.start)
    bad = data[utf8_error.start:utf8_error.start + 1].hex()
    row, field_name = _locate(data.decode("utf-8", errors="replace"), "\ufffd")
    raise InputError(path, f"undecodable byte 0x{bad} at column {column}: the file is neither valid UTF-8 "
                           "nor Windows-1251 text (or mixes the two)", line=line, row=row, field=field_name,
                     fix="re-save the copy as UTF-8 (or Windows-1251) and check it was not truncated or mixed")


def _locate(text: str, needle: str) -> tuple[int | None, str | None]:
    """Data row and column name of the first cell containing `needle`, for an error message."""
    try:
        _shape, _lang, delimiter, header, names = detect_csv(text, "")
    except InputError:
        return None, None
    row = -1  # the header is row 0; blank lines are not rows
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if row >= 0 and all(not v.strip() for v in values):
                continue
            row += 1
            for index, value in enumerate(values):
                if needle in value:
                    label = (names[index] if index < len(names) and names[index] else
                             header[index] if index < len(header) else f"column {index + 1}")
                    return row, label
    except csv.Error:
        pass
    return None, None


# Cyrillic saved through a wrong decoding: (encoding of the original bytes, encoding they were read as).
_GARBLINGS = (
    ("utf-8", "cp1251", "UTF-8 bytes read as Windows-1251 (one file mixing UTF-8 and Windows-1251 rows?)"),
    ("utf-8", "cp1252", "UTF-8 bytes read as Windows-1252/Latin-1 and saved again as UTF-8 (double-encoded)"),
    ("cp1251", "cp1252", "Windows-1251 bytes read as Windows-1252/Latin-1 and saved again"),
)
_SUSPECT_RUN = re.compile(r"[^\x00-\x7f]{4,}")
_C1_CONTROL = re.compile(r"[\x80-\x9f]")
# Letters replaced by '?' when Cyrillic was saved in an encoding without it: "????? ???????".
_LOST_LETTERS = re.compile(r"(?<![^\s,;\"])\?{3,}[ \t]+\?{3,}(?![^\s,;\"])")


def _as_bytes_read_in(text: str, codec: str) -> bytes | None:
    """The bytes that `text` was decoded from, had it been read in `codec` (None if it cannot have been)."""
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        pass
    if not _C1_CONTROL.search(text):
        return None
    out = bytearray()  # bytes the codec leaves undefined come through as C1 control characters
    for ch in text:
        try:
            out += ch.encode(codec)
        except UnicodeEncodeError:
            if not "\x80" <= ch <= "\x9f":
                return None
            out.append(ord(ch))
    return bytes(out)


def _is_cyrillic_text(text: str) -> bool:
    letters = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    return letters >= 2 and all("\u0400" <= ch <= "\u04ff" or ch in _CP1251_PUNCTUATION or ch in "’ʼ"
                                for ch in text)


def _repair(run: str) -> tuple[str, str] | None:
    """(what the run should read, how it was garbled) if it is Cyrillic garbled by a wrong decoding."""
    for original, read_as, how in _GARBLINGS:
        data = _as_bytes_read_in(run, read_as)
        if data is None:
            continue
        try:
            fixed = data.decode(original)
        except UnicodeDecodeError:
            continue
        if fixed != run and _is_cyrillic_text(fixed):
            return fixed, how
    return None


def refuse_garbled(text: str, path) -> None:
    """Refuse a copy whose Cyrillic was garbled on the way: its names would be read as nonsense."""
    if text.isascii():
        return
    for run in dict.fromkeys(_SUSPECT_RUN.findall(text)):  # each distinct run once, in order
        repaired = _repair(run)
        if repaired:
            fixed, how = repaired
            row, field_name = _locate(text, run)
            raise InputError(path, f"garbled text (mojibake): {run[:40]!r} is {fixed[:40]!r} after {how}",
                             row=row, field=field_name, line=line_of(text, text.index(run)),
                             fix="add the copy exactly as the source exported it (do not open and re-save it "
                                 "in a spreadsheet or editor), or re-export it as UTF-8")
    lost = _LOST_LETTERS.search(text) if "???" in text else None
    if lost:
        row, field_name = _locate(text, lost.group().strip())
        raise InputError(path, f"letters replaced by '?' ({lost.group().strip()!r}): the copy was saved in an "
                               "encoding that has no Cyrillic letters",
                         row=row, field=field_name, line=line_of(text, lost.start()),
                         fix="re-export the copy from the source as UTF-8; the lost letters cannot be recovered")


def refuse_nul(text: str, path) -> None:
    if "\x00" in text:
        row, field_name = _locate(text, "\x00")
        raise InputError(path, "contains a NUL byte (binary data, not text)", line=line_of(text, text.index("\x00")),
                         row=row, field=field_name, fix="re-export the copy as text (CSV or JSON)")
