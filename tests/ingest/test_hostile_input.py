"""Hostile input: a corpus of bad copies, each with its exact outcome (docs/bad_input.md lists them).

Every case runs `analysis ingest` on a throw-away project that already has a published ingest
build, with the bad copy added as a new snapshot, and checks what the README promises:

* refused (exit 2): the message names the file (and row, line, field where there is one) and says
  what to do; data/raw is byte-for-byte unchanged, the previous build is still the published one
  and no half-written build is left behind;
* read (exit 0): exactly the rows listed are quarantined (row, field, reason) or have a field set
  to null, and rows read = rows written + rows quarantined in the ingest log.

The eight refusals of test_bad_input.py (empty file, unknown shape, ...) are not repeated here.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import struct
import zipfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.ingest import unpacking
from analysis.ingest import registry_format as fmt
from analysis.cli import main
from analysis.ingest.provenance import SnapshotMetadata, describe_file, write_metadata
from conftest import PEOPLE, REPO, add_snapshot, machine_csv, tree_digest
from test_figures import figure, ledger_text
from test_registry_shapes import flattened_json, public_table

SNAPSHOT = "2026-03-31"
CYRILLIC = [dict(p, name=n) for p, n in zip(PEOPLE, ["Марыя Тэстава", "Сяргей Прыкладаў", "Іван Узораў"])]
# Rows without quoted (multi-line) cells: an opened quote then runs on into the next records.
PLAIN = [dict(p, articles="Art. 342 of the Criminal Code", prison="") for p in PEOPLE]


def run_ingest(root: Path):
    return CliRunner().invoke(main, ["ingest", "--root", str(root)])


@pytest.fixture(scope="module")
def built_template(tmp_path_factory) -> Path:
    """A project (the repo's figures and releases, one good registry copy) with its ingest published."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    for source in ("figures", "releases"):
        shutil.copytree(REPO / "data" / "raw" / source, root / "data" / "raw" / source)
    add_snapshot(root, "2026-02-28", "registry_2026-02-28.csv", machine_csv().encode("utf-8"))
    result = run_ingest(root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built(built_template, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built_template, root, symlinks=True)  # the published build is a relative link
    return root


class Snapshot:
    """The state a refused ingest must leave untouched."""

    def __init__(self, root: Path):
        self.root = root
        self.raw = tree_digest(root / "data" / "raw")
        self.published = tree_digest(root / "data" / "processed" / "ingest")
        self.builds = sorted(p.name for p in (root / "data" / "processed" / ".builds").iterdir())

    def assert_nothing_lost(self) -> None:
        assert tree_digest(self.root / "data" / "raw") == self.raw, "data/raw changed"
        assert tree_digest(self.root / "data" / "processed" / "ingest") == self.published, "published build changed"
        builds = sorted(p.name for p in (self.root / "data" / "processed" / ".builds").iterdir())
        assert builds == self.builds, "a half-written build was left behind"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ building bad bytes

def _csv(people=PEOPLE, **options) -> bytes:
    return machine_csv(people, **options).encode("utf-8")


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 31, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _patch_zip_headers(data: bytes, *, flag_bits: int | None = None, file_size: int | None = None) -> bytes:
    """Rewrite the single member's local and central headers: the lies a hostile zip can tell."""
    out = bytearray(data)
    local, central = 0, data.index(b"PK\x01\x02")
    if flag_bits is not None:
        struct.pack_into("<H", out, local + 6, flag_bits)
        struct.pack_into("<H", out, central + 8, flag_bits)
    if file_size is not None:
        struct.pack_into("<I", out, local + 22, file_size)
        struct.pack_into("<I", out, central + 24, file_size)
    return bytes(out)


def _bad_gzip_checksum(data: bytes) -> bytes:
    packed = bytearray(_gzip(data))
    packed[-8] ^= 0xFF  # first byte of the CRC-32 in the trailer
    return bytes(packed)


def _xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def _one_utf8_row_in_windows_1251() -> bytes:
    """A Russian public table in Windows-1251 where one row was pasted in as UTF-8."""
    people = [dict(PEOPLE[i % 3], id=str(500 + i)) for i in range(20)]
    lines = public_table("ru", ";", people, cyrillic_names=True).split("\r\n")
    return b"\r\n".join(line.encode("utf-8") if i == 5 else line.encode("cp1251") for i, line in enumerate(lines))


def _joined_exports() -> bytes:
    return _csv() + b"\xef\xbb\xbf" + _csv()


def _cut(data: bytes, marker: bytes, keep: int = 0) -> bytes:
    return data[:data.index(marker) + keep]


def _many_columns() -> bytes:
    header, rows = machine_csv().split("\n", 1)
    return (header + "," + ",".join(f"x{i}" for i in range(2000)) + "\n" + rows).encode()


def _padded(description_chars: int) -> bytes:
    return _csv([dict(PEOPLE[0], description="x" * description_chars)] + PEOPLE[1:])


# ------------------------------------------------------------------ refused: exit 2, nothing lost

# id, file name, bytes, module limits to lower for the case, fragments the message must contain
REFUSED = [
    # encodings
    ("UTF-16 LE with BOM", "registry.csv", b"\xff\xfe" + machine_csv().encode("utf-16-le"), {},
     ["registry.csv", "UTF-16"]),
    ("UTF-16 BE with BOM", "registry.csv", b"\xfe\xff" + machine_csv().encode("utf-16-be"), {},
     ["registry.csv", "UTF-16"]),
    ("UTF-16 without BOM", "registry.csv", machine_csv().encode("utf-16-le"), {},
     ["registry.csv", "UTF-16 without a byte-order mark"]),
    ("Windows-1251 read as Windows-1252 (mojibake)", "registry.csv",
     machine_csv(CYRILLIC).encode("cp1251").decode("cp1252").encode("utf-8"), {},
     ["registry.csv", "row 1", "line 2", "field 'name'", "mojibake", "'Марыя'"]),
    ("double-encoded UTF-8", "registry.csv",
     machine_csv(CYRILLIC).encode("utf-8").decode("latin-1").encode("utf-8"), {},
     ["registry.csv", "row 1", "field 'name'", "double-encoded", "'Марыя'"]),
    ("one UTF-8 row in a Windows-1251 file", "registry.csv", _one_utf8_row_in_windows_1251(), {},
     ["registry.csv", "row 5", "line 9", "field 'name'", "'Сяргей'", "mixing UTF-8 and Windows-1251"]),
    ("one Windows-1251 row in a UTF-8 file", "registry.csv",
     machine_csv(CYRILLIC[:2]).encode("utf-8") + machine_csv(CYRILLIC[2:]).split("\n", 1)[1].encode("cp1251"), {},
     ["registry.csv", "row 3", "field 'name'", "undecodable byte 0xb2", "mixes the two"]),
    ("Cyrillic letters lost to '?'", "registry.csv", _csv([dict(PEOPLE[0], name="????? ???????")] + PEOPLE[1:]),
     {}, ["registry.csv", "row 1", "field 'name'", "replaced by '?'"]),
    ("NUL byte inside a field", "registry.csv", machine_csv(CYRILLIC).replace("Сяргей", "Ся\x00ргей").encode(), {},
     ["registry.csv", "row 2", "line 5", "field 'name'", "NUL"]),
    # not a table at all
    ("HTML error page named .csv", "registry.csv",
     b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n", {},
     ["registry.csv", "HTML page"]),
    ("PDF named .csv", "registry.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", {}, ["registry.csv", "PDF"]),
    ("Excel .xlsx named .csv", "registry.csv", _xlsx(), {}, ["registry.csv", "Excel workbook"]),
    ("old Excel .xls", "registry.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), {}, ["registry.xls", ".xls"]),
    ("bzip2 file", "registry.csv.bz2", b"BZh91AY&SY" + bytes(32), {}, ["registry.csv.bz2", "bzip2"]),
    # delimiters and quotes
    ("header split by ';', rows by ','", "registry.csv",
     (machine_csv().split("\n", 1)[0].replace(",", ";") + "\n" + machine_csv().split("\n", 1)[1]).encode(), {},
     ["registry.csv", "row 1", "none of the 6 row(s) can be read", "header is split at ';'",
      "rows seem to be split at ','"]),
    ("quote never closed swallows the next records", "registry.csv",
     machine_csv(PLAIN).replace(",Maryia Testava,", ',"Maryia Testava,').encode(), {},
     ["registry.csv", "row 1", "line 2", "swallows the record on line 3"]),
    ("the only row cut inside a quoted field", "registry.csv", _cut(_csv(PEOPLE[:1]), b"Art. 342", 3), {},
     ["registry.csv", "row 1", "none of the 1 row(s) can be read", "ends inside a quoted field"]),
    # truncated JSON (test_bad_input has one cut after a key)
    ("JSON cut inside a string", "registry.json", _cut(flattened_json().encode(), b"Prykladau", 4), {},
     ["registry.json", "line", "not valid JSON", "Unterminated string"]),
    ("JSON without its closing bracket", "registry.json", flattened_json().encode().rstrip(b"]\n"), {},
     ["registry.json", "not valid JSON"]),
    # compressed
    ("gzip cut short", "registry.csv.gz", _gzip(_csv())[:-30], {},
     ["registry.csv.gz", "gzip file is corrupt or truncated"]),
    ("gzip with a wrong checksum", "registry.csv.gz", _bad_gzip_checksum(_csv()), {},
     ["registry.csv.gz", "corrupt", "CRC"]),
    ("gzip bomb past the cap", "registry.csv.gz", _gzip(b"0" * 2_000_000), {"MAX_DECOMPRESSED_BYTES": 100_000},
     ["registry.csv.gz", "more than 100000 bytes", "decompression bomb"]),
    ("zip declaring more than the cap", "registry.zip", _zip({"registry.csv": b"0" * 2_000_000}),
     {"MAX_DECOMPRESSED_BYTES": 100_000}, ["registry.zip", "zip member 'registry.csv'", "declares 2000000 bytes"]),
    ("zip whose header understates the size", "registry.zip",
     _patch_zip_headers(_zip({"registry.csv": _csv() * 50}), file_size=1_000), {"MAX_DECOMPRESSED_BYTES": 20_000},
     ["registry.zip", "zip member 'registry.csv'", "cannot be unpacked", "CRC"]),
    ("zip cut short", "registry.zip", _zip({"registry.csv": _csv()})[:-40], {},
     ["registry.zip", "zip file is corrupt or truncated"]),
    ("zip holding two files", "registry.zip", _zip({"registry.csv": _csv(), "notes.txt": b"x"}), {},
     ["registry.zip", "holds 2 entries", "'registry.csv', 'notes.txt'"]),
    ("zip holding nothing", "registry.zip", _zip({}), {}, ["registry.zip", "holds 0 entries"]),
    ("zip member inside a folder", "registry.zip", _zip({"export/registry.csv": _csv()}), {},
     ["registry.zip", "zip member 'export/registry.csv'", "folder"]),
    ("zip member that is not CSV or JSON", "registry.zip", _zip({"registry.xlsx": b"x"}), {},
     ["registry.zip", "zip member 'registry.xlsx'", "not a CSV or JSON"]),
    ("encrypted zip", "registry.zip", _patch_zip_headers(_zip({"registry.csv": _csv()}), flag_bits=0x1), {},
     ["registry.zip", "zip member 'registry.csv'", "encrypted"]),
    ("zip inside gzip", "registry.zip.gz", _gzip(_zip({"registry.csv": _csv()})), {},
     ["registry.zip.gz", "holds another archive"]),
    # structure
    ("header only, no records", "registry.csv", machine_csv([]).encode(), {},
     ["registry.csv", "header but no records", "vanish"]),
    ("header and blank lines only", "registry.csv", machine_csv([]).encode() + b"\n\n,,,\n", {},
     ["registry.csv", "header but no records"]),
    ("JSON empty array", "registry.json", b"[]\n", {}, ["registry.json", "holds no records"]),
    ("JSON object, not an array", "registry.json", json.dumps({"data": json.loads(flattened_json())}).encode(), {},
     ["registry.json", "single object"]),
    ("JSON nested 100,000 deep", "registry.json", b"[" * 100_000 + b"]" * 100_000, {},
     ["registry.json", "not readable as JSON records"]),
    ("JSON number with 5,000 digits", "registry.json",
     b'[{"id": ' + b"9" * 5000 + b', "name": "A B", "status": "active"}]', {},
     ["registry.json", "not readable as JSON records", "digits"]),
    ("two exports joined into one file", "registry.csv", _joined_exports(), {},
     ["registry.csv", "row 4", "line 8", "header row appears again"]),
    ("duplicated column name", "registry.csv", _csv(columns=fmt.MACHINE_COLUMNS + ("name",)), {},
     ["registry.csv", "row 0", "field 'name'", "appears twice"]),
    ("2,000 extra columns", "registry.csv", _many_columns(), {}, ["registry.csv", "row 0", "2023 columns"]),
    ("file over MAX_FILE_BYTES", "registry.csv", _padded(5_000), {"MAX_FILE_BYTES": 4_000},
     ["registry.csv", "above the 4000-byte limit"]),
    # ids (test_bad_input has two records with one id that differ in status)
    ("id ' 101' and '101' with different content", "registry.csv",
     _csv(PEOPLE + [dict(PEOPLE[0], id=" 101", status="former")]),
     {}, ["registry.csv", "row 4", "field 'id'", "record id 101 appears at rows 1 and 4", "id, status"]),
]


@pytest.mark.parametrize("case, name, data, limits, fragments", REFUSED, ids=[c[0] for c in REFUSED])
def test_hostile_copy_is_refused_and_nothing_is_lost(built, monkeypatch, case, name, data, limits, fragments):
    for constant, value in limits.items():
        monkeypatch.setattr(unpacking, constant, value)
    add_snapshot(built, SNAPSHOT, name, data)
    before = Snapshot(built)
    result = run_ingest(built)
    assert result.exit_code == 2, result.output
    message = _one_line(result.output)
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert "What to do:" in result.output
    before.assert_nothing_lost()


# Figures ledger: every bad count stops ingest, naming the ledger file, row and field.
LEDGER_REFUSED = [
    ("negative count", "-5", ["value '-5' is negative"]),
    ("not a number", "abc", ["value 'abc' is not a whole number"]),
    ("thousands separator", "1,118", ["value '1,118' has a thousands separator", "ambiguous"]),
    ("thousands separator (space)", "1 118", ["thousands separator"]),
    ("empty count", "", ["value is empty"]),
    ("fraction", "12.5", ["value '12.5' is a fraction"]),
    ("Arabic-Indic digits", "١٢", ["not a whole number"]),
    ("formula", "=1+1", ["not a whole number"]),
]


@pytest.mark.parametrize("case, value, fragments", LEDGER_REFUSED, ids=[c[0] for c in LEDGER_REFUSED])
def test_bad_count_in_the_figures_ledger_is_refused(built, case, value, fragments):
    rows = [figure(), figure(value="1452"), figure(value=value)]
    add_snapshot(built, "2026-12-01", "published_figures.csv", ledger_text(rows).encode(), source="figures")
    before = Snapshot(built)
    result = run_ingest(built)
    assert result.exit_code == 2, result.output
    message = _one_line(result.output)
    for fragment in ["published_figures.csv", "row 3", "field 'value'", "What to do:", *fragments]:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    before.assert_nothing_lost()


def test_unclosed_quote_in_the_figures_ledger_is_refused(built):
    text = ledger_text([figure(), figure(quote='he said "1452')]).replace('"he said ""1452"', '"he said 1452')
    add_snapshot(built, "2026-12-01", "published_figures.csv", text.encode(), source="figures")
    before = Snapshot(built)
    result = run_ingest(built)
    assert result.exit_code == 2, result.output
    message = _one_line(result.output)
    assert "published_figures.csv, row 2" in message and "malformed CSV" in message and "What to do:" in message
    before.assert_nothing_lost()


def test_ledger_saved_with_a_byte_order_mark_is_read(tmp_path):
    from analysis.ingest.figures import read_ledger_file

    path = tmp_path / "published_figures.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ledger_text([figure(), figure(value="1452")]).encode())
    assert read_ledger_file(path)["value"].to_list() == [1409, 1452]


# ------------------------------------------------------------------ snapshot folders

def _metadata(folder: Path, files: list[Path]) -> None:
    import datetime as dt

    write_metadata(folder, SnapshotMetadata(
        source="registry", snapshot_date=dt.date.fromisoformat(folder.name), producer="test", title="test copy",
        url="", retrieved=dt.date(2026, 4, 1), licence="test", files=tuple(describe_file(f) for f in files),
        synthetic=True))


def _refused(root: Path, fragments: list[str]) -> None:
    before = Snapshot(root)
    result = run_ingest(root)
    assert result.exit_code == 2, result.output
    message = _one_line(result.output)
    for fragment in fragments + ["What to do:"]:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    before.assert_nothing_lost()


def test_two_shapes_in_one_snapshot_are_refused(built):
    """A machine CSV and a JSON side by side: ingest does not guess which one is the copy."""
    folder = built / "data" / "raw" / "registry" / SNAPSHOT
    folder.mkdir(parents=True)
    (folder / "registry.csv").write_bytes(_csv())
    (folder / "registry.json").write_bytes(flattened_json().encode())
    _metadata(folder, [folder / "registry.csv", folder / "registry.json"])
    _refused(built, [SNAPSHOT, "holds one copy of the list; found 2 files", "registry.csv", "registry.json"])


def test_snapshot_with_only_metadata_is_refused(built):
    folder = built / "data" / "raw" / "registry" / SNAPSHOT
    folder.mkdir(parents=True)
    _metadata(folder, [])
    _refused(built, [SNAPSHOT, "no file is listed"])


def test_snapshot_without_metadata_is_refused(built):
    folder = built / "data" / "raw" / "registry" / SNAPSHOT
    folder.mkdir(parents=True)
    (folder / "registry.csv").write_bytes(_csv())
    _refused(built, [SNAPSHOT, "no metadata.yaml"])


def test_symlink_out_of_data_raw_is_refused(built, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(_csv())
    folder = built / "data" / "raw" / "registry" / SNAPSHOT
    folder.mkdir(parents=True)
    (folder / "registry.csv").write_bytes(_csv())
    _metadata(folder, [folder / "registry.csv"])
    (folder / "registry.csv").unlink()
    os.symlink(outside, folder / "registry.csv")   # same bytes, so only the link itself can be refused
    _refused(built, ["registry.csv", "not a regular file"])


# ------------------------------------------------------------------ read: exit 0, rows accounted for

def _quoted_cr_names() -> bytes:
    """A CR at the start of a quoted name is data; csv.writer would not quote it with LF line ends."""
    text = machine_csv([dict(PEOPLE[0], name="\tMaryia Testava"), *PEOPLE[1:]])
    return text.replace(",Ivan Uzorau,", ',"\rIvan Uzorau",').encode()


HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
                 "[bold]x[/bold]"]

# id, file name, bytes, quarantined [(row, field, reason fragment)], field issues [(row, field)], persons written
READ = [
    # line ends, delimiters and headers that are fine
    ("CRLF line ends", "registry.csv", machine_csv().replace("\n", "\r\n").encode(), [], [], 3),
    ("CR-only line ends (old Mac)", "registry.csv", machine_csv().replace("\n", "\r").encode(), [], [], 3),
    ("tab-separated", "registry.tsv", _csv(delimiter="\t"), [], [], 3),
    ("semicolons, with commas inside fields", "registry.csv", _csv(delimiter=";"), [], [], 3),
    ("header in odd case and spacing", "registry.csv",
     machine_csv().replace("id,url,name,status", " ID ,Url,NAME ,  Status").encode(), [], [], 3),
    ("trailing delimiters on every line", "registry.csv",
     "\n".join(line + ",," if line else line for line in machine_csv(PLAIN).split("\n")).encode(), [], [], 3),
    ("trailing delimiters on the rows only", "registry.csv",
     "\n".join(line + ";;" if line and i else line
               for i, line in enumerate(machine_csv(PLAIN, delimiter=";").split("\n"))).encode(), [], [], 3),
    # packed copies read as if unpacked
    ("gzip of a machine CSV", "registry.csv.gz", _gzip(_csv()), [], [], 3),
    ("gzip of the flattened JSON", "registry.json.gz", _gzip(flattened_json().encode()), [], [], 3),
    ("zip of one CSV", "registry.zip", _zip({"registry.csv": _csv()}), [], [], 3),
    # truncated: the cut row is quarantined, the rows before it are kept
    ("cut in the middle of the last row", "registry.csv", _cut(_csv(), b"Uzorau"), [(3, "", "has 3 fields")], [], 2),
    ("cut inside the last row's quoted field", "registry.csv", _cut(_csv(), b"Pre-trial", 3),
     [(3, "", "ends inside a quoted field")], [], 2),
    # quotes and stray characters
    ("stray quotes inside a quoted field", "registry.csv",
     machine_csv().replace(",Siarhei Prykladau,", ',"Siarhei "S" Prykladau",').encode(),
     [(2, "", "malformed CSV")], [], 2),
    ("unquoted CR inside a row", "registry.csv", _csv([PEOPLE[0], dict(PEOPLE[1], name="\rSiarhei Prykladau")]),
     [(2, "", "has 3 fields"), (3, "", "has 21 fields")], [], 1),
    ("BOM in the middle of a row", "registry.csv", machine_csv().replace("\n205,", "\n\ufeff205,").encode(),
     [(2, "id", "'\\ufeff205' is not a positive integer")], [], 2),
    ("1 MB field", "registry.csv", _padded(1_000_000), [(1, "description", "longer than 100000")], [], 2),
    # values that are not what their field holds
    ("ids '1e3' and '-7'", "registry.csv", _csv([dict(PEOPLE[0], id="1e3"), dict(PEOPLE[1], id="-7"), PEOPLE[2]]),
     [(1, "id", "'1e3' is not a positive integer"), (2, "id", "'-7' is not a positive integer")], [], 1),
    ("status in another language", "registry.csv",
     _csv([dict(PEOPLE[0], status="politischer Gefangener"), *PEOPLE[1:]]),
     [(1, "status", "unknown status 'politischer Gefangener'")], [], 2),
    ("JSON: an object where text belongs", "registry.json",
     json.dumps([{"id": "1", "name": {"first": "Maryia"}, "status": "active"},
                 {"id": "2", "name": "Ivan Uzorau", "status": "np"}]).encode(),
     [(1, "name", "holds an object")], [], 1),
    ("JSON: a key twice in one record", "registry.json",
     b'[{"id": "1", "name": "A B", "name": "C D", "status": "active"}, {"id": "2", "name": "E F", "status": "np"}]',
     [(1, "name", "appears twice")], [], 1),
    ("JSON: a 1 MB field", "registry.json",
     json.dumps([{"id": "1", "name": "A B", "status": "active", "description": "x" * 1_000_000},
                 {"id": "2", "name": "Ivan Uzorau", "status": "np"}]).encode(),
     [(1, "description", "longer than 100000")], [], 1),
    ("JSON: a NUL character in a name", "registry.json",
     b'[{"id": "1", "name": "A\\u0000B", "status": "active"}, {"id": "2", "name": "C D", "status": "np"}]',
     [(1, "name", "NUL character")], [], 1),
    ("JSON: a number where the id text belongs", "registry.json",
     b'[{"id": 1e3, "name": "A B", "status": "active"}, {"id": 7, "name": "C D", "status": "np"}]',
     [(1, "id", "'1000.0' is not a positive integer")], [], 1),
    # dates beyond what the list can hold (critical: quarantined; secondary: null + field issue)
    ("detention before 1900", "registry.csv", _csv([dict(PEOPLE[0], arrested="1899-12-31"), *PEOPLE[1:]]),
     [(1, "arrested", "outside the plausible range 1900-2100")], [], 2),
    ("release in 2099", "registry.csv", _csv([PEOPLE[0], dict(PEOPLE[1], release_date="2099-01-01"), PEOPLE[2]]),
     [(2, "release_date", "after the snapshot date")], [], 2),
    ("death in 2099", "registry.csv", _csv([PEOPLE[0], PEOPLE[1], dict(PEOPLE[2], died="2099-01-01")]),
     [(3, "died", "after the snapshot date")], [], 2),
    ("birth before 1900", "registry.csv", _csv([dict(PEOPLE[0], birthday="1899-12-31"), *PEOPLE[1:]]),
     [], [(1, "birthday")], 3),
    ("birth on 1900-01-01 (before the 1910 floor)", "registry.csv",
     _csv([dict(PEOPLE[0], birthday="1900-01-01"), *PEOPLE[1:]]), [], [(1, "birthday")], 3),
    ("birth on 1910-01-01 (the earliest plausible)", "registry.csv",
     _csv([dict(PEOPLE[0], birthday="1910-01-01"), *PEOPLE[1:]]), [], [], 3),
    # formulas and markup in names: not names when they have no letters, else kept as inert text
    ("formula names without letters", "registry.csv",
     _csv([dict(PEOPLE[0], name="+1+1"), dict(PEOPLE[1], name="-2+3"), PEOPLE[2]]),
     [(1, "name", "contains no letters"), (2, "name", "contains no letters")], [], 1),
    ("leading tab and quoted CR in names", "registry.csv", _quoted_cr_names(), [], [], 3),
    ("formula, HTML and markup names", "registry.csv",
     _csv([dict(PEOPLE[i % 3], id=str(600 + i), name=name, description="<script>alert(1)</script>")
           for i, name in enumerate(HOSTILE_NAMES)]), [], [], len(HOSTILE_NAMES)),
]


@pytest.mark.parametrize("case, name, data, quarantined, issues, written", READ, ids=[c[0] for c in READ])
def test_hostile_copy_is_read_and_every_row_accounted_for(built, case, name, data, quarantined, issues, written):
    path = add_snapshot(built, SNAPSHOT, name, data)
    raw_before = tree_digest(built / "data" / "raw")
    result = run_ingest(built)
    assert result.exit_code == 0, result.output
    assert tree_digest(built / "data" / "raw") == raw_before, "data/raw changed"
    folder = built / "data" / "processed" / "ingest" / "restricted" / "registry" / SNAPSHOT
    quarantine = pl.read_parquet(folder / "quarantine.parquet")
    got = quarantine.select("source_row", "field", "reason").rows()
    assert [(row, field) for row, field, _ in got] == [(row, field) for row, field, _ in quarantined], got
    for (_, _, reason), (_, _, fragment) in zip(got, quarantined):
        assert fragment in reason, f"{case}: {fragment!r} not in {reason!r}"
    assert pl.read_parquet(folder / "field_issues.parquet").select("source_row", "field").rows() == issues
    assert pl.read_parquet(folder / "persons.parquet").height == written
    log = pl.read_parquet(built / "data" / "processed" / "ingest" / "public" / "ingest_log.parquet")
    row = log.filter(pl.col("source_file").str.ends_with(path.name)).row(0, named=True)
    assert (row["rows_written"], row["rows_quarantined"]) == (written, len(quarantined))
    assert row["rows_read"] == row["rows_written"] + row["rows_quarantined"]


def test_packed_copy_reports_the_shape_and_encoding_inside(built):
    add_snapshot(built, SNAPSHOT, "registry.zip", _zip({"registry.csv": machine_csv(CYRILLIC).encode("cp1251")}))
    assert run_ingest(built).exit_code == 0
    log = pl.read_parquet(built / "data" / "processed" / "ingest" / "public" / "ingest_log.parquet")
    row = log.filter(pl.col("source_file").str.ends_with("registry.zip")).row(0, named=True)
    assert (row["shape"], row["encoding"], row["delimiter"], row["rows_written"]) == (
        fmt.SHAPE_MACHINE, "windows-1251", ",", 3)


def test_hostile_names_are_kept_as_inert_text(built):
    """Formula and HTML look-alikes are data: stored exactly (restricted tier), never interpreted here."""
    people = [dict(PEOPLE[i % 3], id=str(600 + i), name=name, description="<script>alert(1)</script>")
              for i, name in enumerate(HOSTILE_NAMES)]
    add_snapshot(built, SNAPSHOT, "registry.csv", _csv(people))
    assert run_ingest(built).exit_code == 0
    persons = pl.read_parquet(built / "data" / "processed" / "ingest" / "restricted" / "registry" / SNAPSHOT
                              / "persons.parquet").sort("record_id")
    assert persons["name_raw"].to_list() == HOSTILE_NAMES
    assert set(persons["description"]) == {"<script>alert(1)</script>"}


# ------------------------------------------------------------------ dates, ids and printing (registry.py, cli.py)

def _read_persons(tmp_path: Path, people) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from analysis.ingest.registry import read_registry_file

    path = tmp_path / "registry_2026-03-31.csv"
    path.write_bytes(_csv(people))
    read = read_registry_file(path)
    return read.persons, read.quarantine, read.field_issues


def test_detention_in_1900_is_quarantined(tmp_path):
    _, quarantine, _ = _read_persons(tmp_path, [dict(PEOPLE[0], arrested="1900-01-01"), *PEOPLE[1:]])
    assert quarantine.select("source_row", "field").rows() == [(1, "arrested")]


def test_secondary_dates_after_the_snapshot_are_field_issues(tmp_path):
    people = [dict(PEOPLE[0], verdict_date="2099-01-01"), dict(PEOPLE[1], birthday="2099-01-01"), PEOPLE[2]]
    persons, _, issues = _read_persons(tmp_path, people)
    assert issues.select("source_row", "field").rows() == [(1, "verdict_date"), (2, "birthday")]
    assert persons["verdict_date_from"][0] is None


def test_ids_equal_as_numbers_are_one_record(tmp_path):
    from analysis.core.errors import InputError

    with pytest.raises(InputError, match="record id"):
        _read_persons(tmp_path, PEOPLE + [dict(PEOPLE[0], id="0101", status="former")])


def test_read_prints_values_literally(tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(_csv([dict(PEOPLE[0], status="[/bold]"), dict(PEOPLE[1], status="[red]x[/red]"), PEOPLE[2]]))
    result = CliRunner().invoke(main, ["read", str(path)])
    assert result.exit_code == 0, result.output
    assert "'[/bold]'" in result.output and "'[red]x[/red]'" in result.output


# ------------------------------------------------------------------ CSV export for spreadsheets

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_write_csv_neutralises_formulas_and_leaves_numbers(tmp_path):
    from analysis.publish.export import write_csv

    frame = pl.DataFrame({"text": [*FORMULAS, "Марыя", "a=b", None], "count": [-5, 1, 2, 3, 4, 5, 6, 7, 8]})
    path = write_csv(frame, tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data.replace(b'"\'\rx"', b"")
    assert data.decode("utf-8-sig").split("\n") == [
        "text,count", '"\'=HYPERLINK(""http://x"",""y"")",-5', "'+1+1,1", "'-2+3,2", "'@SUM(A1),3", "'\tx,4",
        '"\'\rx",5', "Марыя,6", "a=b,7", ",8", ""]
    assert write_csv(frame, tmp_path / "again.csv").read_bytes() == data, "not deterministic"


def test_write_csv_neutralises_lists_and_column_names(tmp_path):
    from analysis.publish.export import write_csv

    frame = pl.DataFrame({"=cmd": ["x"], "ids": [["=a", "b"]]})
    text = write_csv(frame, tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert text == "'=cmd,ids\nx,'=a; b\n"


def _publish_fake_period(root: Path, label: str, tables: dict[str, pl.DataFrame]) -> None:
    from analysis.core.storage import write_parquet

    folder = root / "reports" / label
    (folder / "tables").mkdir(parents=True)
    (folder / "report.html").write_text("<html></html>\n", encoding="utf-8")
    for name, frame in tables.items():
        write_parquet(frame, folder / "tables" / f"{name}.parquet")


def _reconciliation_row(**values) -> pl.DataFrame:
    from analysis.core.schema import RECONCILIATION

    return pl.DataFrame([{name: values.get(name) for name in RECONCILIATION}], schema=RECONCILIATION)


def test_export_writes_the_published_tables_with_formulas_neutralised(tmp_path):
    from analysis.core.schema import STOCK

    root = tmp_path / "project"
    _publish_fake_period(root, "2026-02", {
        "reconciliation": _reconciliation_row(period="2026-02", figure_id="fig-1", value=1118, difference=-12,
                                              source_title='=HYPERLINK("http://x","y")', metric="@SUM(A1)"),
        "stock": pl.DataFrame(schema=STOCK),
    })
    result = CliRunner().invoke(main, ["export", "--root", str(root), "--period", "2026-02", "--table",
                                       "reconciliation", "--table", "stock", "--to", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-02_reconciliation.csv", "2026-02_stock.csv"]
    exported = pl.read_csv(tmp_path / "out" / "2026-02_reconciliation.csv")
    assert exported["source_title"][0] == '\'=HYPERLINK("http://x","y")' and exported["metric"][0] == "'@SUM(A1)"
    assert (exported["value"][0], exported["difference"][0]) == (1118, -12)


@pytest.mark.parametrize("args, fragments", [
    (["--period", "2026-03"], ["period 2026-03 is not published", "2026-02"]),
    (["--period", "../../etc"], ["is not a period"]),
    (["--period", "2026-02", "--table", "persons"], ["no public table named 'persons'"]),
    (["--period", "2026-02", "--table", "reconciliation", "--table", "flows"], ["flows.parquet", "missing"]),
    (["--period", "2026-02", "--table", "stock"], ["restricted column(s) name_raw"]),
], ids=["not published", "not a period", "not a public table", "table missing", "restricted column"])
def test_export_refuses_and_writes_nothing(tmp_path, args, fragments):
    root = tmp_path / "project"
    _publish_fake_period(root, "2026-02", {
        "reconciliation": _reconciliation_row(period="2026-02"),
        "stock": pl.DataFrame({"period": ["2026-02"], "name_raw": ["Maryia Testava"]}),
    })
    result = CliRunner().invoke(main, ["export", "--root", str(root), *args, "--to", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    message = _one_line(result.output)
    for fragment in fragments + ["What to do:"]:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert not (tmp_path / "out").exists(), "something was written"


def test_export_never_writes_into_data_raw(tmp_path):
    root = tmp_path / "project"
    _publish_fake_period(root, "2026-02", {"reconciliation": _reconciliation_row(period="2026-02")})
    result = CliRunner().invoke(main, ["export", "--root", str(root), "--period", "2026-02", "--table",
                                       "reconciliation", "--to", str(root / "data" / "raw" / "exports")])
    assert result.exit_code == 2 and "data/raw holds files exactly as received" in _one_line(result.output)
    assert not (root / "data" / "raw").exists()
