"""Bad input gets a clear error naming file, row and field, and loses nothing.

Each case runs `analysis ingest` on a throw-away project whose raw data holds the bad copy, and
checks: the exit code, the message, that data/raw is byte-for-byte unchanged, and that the
previous ingest build is still the published one.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from analysis.cli import main
from conftest import PEOPLE, add_snapshot, machine_csv, tree_digest


def run_ingest(root):
    return CliRunner().invoke(main, ["ingest", "--root", str(root)])


@pytest.fixture
def built(project):
    """A project with one good ingest build already published."""
    result = run_ingest(project)
    assert result.exit_code == 0, result.output
    return project


def _assert_nothing_lost(root, raw_before, processed_before):
    assert tree_digest(root / "data" / "raw") == raw_before, "data/raw changed"
    assert tree_digest(root / "data" / "processed" / "ingest") == processed_before, "published build changed"


CYRILLIC_PEOPLE = [dict(p, name=n) for p, n in zip(PEOPLE, ["Марыя Тэстава", "Сяргей Прыкладаў", "Іван Узораў"])]


def _bad_byte() -> bytes:
    data = machine_csv(CYRILLIC_PEOPLE).encode("utf-8")
    # Replace the first byte of row 2's name with 0xff: invalid UTF-8, and not Windows-1251 text either.
    name = "Сяргей".encode("utf-8")
    return data.replace(name, b"\xff" + name[1:], 1)


CASES = [
    # id, file name, bytes, expected fragments of the message
    ("empty file", "registry.csv", b"", ["registry.csv", "empty"]),
    ("whitespace only", "registry.csv", b" \n\n", ["registry.csv", "empty"]),
    ("unknown shape", "registry.csv", b"foo,bar,baz\n1,2,3\n", ["registry.csv", "row 0", "unknown shape"]),
    ("missing required column", "registry.csv",
     machine_csv(columns=tuple(c for c in __import__("analysis.ingest.registry_format", fromlist=["x"]).MACHINE_COLUMNS
                               if c != "status")).encode(), ["registry.csv", "row 0", "field 'status'", "missing"]),
    ("undecodable byte", "registry.csv", _bad_byte(), ["registry.csv", "row 2", "field 'name'", "line 5", "0xff"]),
    ("duplicated record id", "registry.csv",
     machine_csv(PEOPLE + [dict(PEOPLE[0], status="former")]).encode(),
     ["registry.csv", "row 4", "field 'id'", "rows 1 and 4", "status"]),
    ("UTF-16", "registry.csv", machine_csv().encode("utf-16"), ["registry.csv", "UTF-16"]),
    ("truncated JSON", "registry.json", b'[{"id": "1", "name": "A B", "status": "active"}, {"id": "2"',
     ["registry.json", "line 1", "not valid JSON"]),
]


@pytest.mark.parametrize("case, name, data, fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_copy_is_refused_and_nothing_is_lost(built, case, name, data, fragments):
    add_snapshot(built, "2026-03-31", name, data)
    raw_before = tree_digest(built / "data" / "raw")
    processed_before = tree_digest(built / "data" / "processed" / "ingest")
    result = run_ingest(built)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert "What to do:" in result.output
    _assert_nothing_lost(built, raw_before, processed_before)


def test_changed_raw_byte_is_named(built):
    path = next((built / "data" / "raw" / "registry" / "2026-02-28").glob("*.csv"))
    path.write_bytes(path.read_bytes().replace(b"Testava", b"Testeva"))
    processed_before = tree_digest(built / "data" / "processed" / "ingest")
    result = run_ingest(built)
    assert result.exit_code == 2
    assert path.name in result.output and "raw file changed" in " ".join(result.output.split())
    assert tree_digest(built / "data" / "processed" / "ingest") == processed_before


def test_bad_rows_are_quarantined_with_reasons_and_counted(project):
    from analysis.ingest.build import run_ingest as ingest
    import polars as pl

    people = PEOPLE + [
        dict(PEOPLE[0], id="400", arrested="2021-02-30"),            # impossible date
        dict(PEOPLE[0], id="401", arrested="2099-01-01"),            # after the snapshot date
        dict(PEOPLE[0], id="402", status="prisoner?"),               # unknown status
        dict(PEOPLE[0], id="40x"),                                   # id not an integer
        dict(PEOPLE[0], id="403", name=""),                          # name withheld: counted, noted
        dict(PEOPLE[0], id="404", decision="many yaars"),            # secondary field: kept, issue logged
    ]
    text = machine_csv(people) + machine_csv([PEOPLE[2]]).split("\n", 1)[1]  # + an exact duplicate row
    add_snapshot(project, "2026-03-31", "registry.csv", text.encode())
    summary = ingest(project)
    folder = project / "data" / "processed" / "ingest" / "restricted" / "registry" / "2026-03-31"
    quarantine = pl.read_parquet(folder / "quarantine.parquet")
    persons = pl.read_parquet(folder / "persons.parquet")
    issues = pl.read_parquet(folder / "field_issues.parquet")
    assert sorted(quarantine.select("source_row", "field").rows()) == [
        (4, "arrested"), (5, "arrested"), (6, "status"), (7, "id"), (10, "")]
    assert "2021-02-30" in quarantine.filter(pl.col("source_row") == 4)["reason"][0]
    assert "after the snapshot date" in quarantine.filter(pl.col("source_row") == 5)["reason"][0]
    assert "exact duplicate of row 3" in quarantine.filter(pl.col("source_row") == 10)["reason"][0]
    assert persons.height == 5 and {403, 404} <= set(persons["record_id"].to_list())
    assert issues.select("source_row", "field", "action").rows() == [
        (8, "name", "kept without a name"), (9, "decision", "set to null")]
    assert persons.filter(pl.col("record_id") == 404)["sentence_months"][0] is None
    assert summary.rows_read == summary.rows_written + summary.rows_quarantined
    log = pl.read_parquet(project / "data" / "processed" / "ingest" / "public" / "ingest_log.parquet")
    march = log.filter(pl.col("snapshot_date").cast(str) == "2026-03-31").row(0, named=True)
    assert (march["rows_read"], march["rows_written"], march["rows_quarantined"]) == (10, 5, 5)


def test_public_tier_has_no_personal_columns(built):
    import polars as pl

    from analysis.core.schema import RESTRICTED_PERSON_COLUMNS

    public = built / "data" / "processed" / "ingest" / "public"
    for path in public.glob("*.parquet"):
        leaked = set(pl.read_parquet(path).columns) & set(RESTRICTED_PERSON_COLUMNS)
        assert not leaked, f"{path.name} carries {leaked}"
