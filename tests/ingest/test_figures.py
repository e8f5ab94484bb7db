"""The published-figures ledger: qualifier bounds, dates, stable ids, and errors that point at the cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import polars as pl
import pytest

from analysis.core.errors import ChecksumMismatch, InputError
from analysis.ingest.figures import LEDGER_COLUMNS, LEDGER_SCHEMA, figure_id, load_bound_rules, read_ledger, read_ledger_file

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
LEDGER = RAW / "figures" / "2026-11-22" / "published_figures.csv"


def ledger_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in LEDGER_COLUMNS])
    return buffer.getvalue()


def figure(**fields: str) -> dict[str, str]:
    base = {"as_of_date": "2024-07-03", "metric": "current_political_prisoners", "value": "1409",
            "qualifier": "exact", "unit": "persons", "source_org": "Test org", "source_title": "Test title",
            "url": "", "quote": "made-up test sentence"}
    base.update(fields)
    return base


def write_ledger(tmp_path: Path, rows: list[dict[str, str]], name: str = "published_figures.csv") -> Path:
    path = tmp_path / name
    path.write_text(ledger_text(rows), encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def ledger() -> pl.DataFrame:
    return read_ledger(RAW)


# ---------------------------------------------------------------------------------------------
# Bounds


@pytest.mark.parametrize("qualifier, value, lower, upper", [
    ("exact", 1409, 1409, 1409),
    ("at least", 1131, 1131, None),
    ("more than", 1500, 1501, None),
    ("over", 16000, 16001, None),
    ("exceeded", 300, 301, None),
    ("reached", 1000, 1000, None),
    ("about", 1110, 1054, 1166),          # 1054.5 rounded down, 1165.5 rounded up
    ("approx", 1150, 1092, 1208),
    ("some", 1400, 1330, 1470),
    ("nearly", 1200, 1140, 1200),
    ("almost", 2800, 2660, 2800),
    ("up to", 600000, 0, 600000),
    ("approx (called for release of a further)", 1150, 1092, 1208),
    ("more than (exceeded)", 300, 301, None),
    ("At Least", 6, 6, None),
])
def test_qualifier_bounds(tmp_path, qualifier, value, lower, upper):
    table = read_ledger_file(write_ledger(tmp_path, [figure(qualifier=qualifier, value=str(value))]))
    row = table.row(0, named=True)
    assert (row["lower"], row["upper"]) == (lower, upper)
    assert row["qualifier"] == qualifier  # kept as written
    assert row["bound_rule"].startswith(qualifier.lower().split(" (")[0])


def test_parenthetical_remark_is_named_in_the_rule(tmp_path):
    table = read_ledger_file(write_ledger(tmp_path, [figure(qualifier="more than (exceeded)", value="300")]))
    assert "matched from 'more than (exceeded)'" in table["bound_rule"][0]


def test_every_rule_has_a_reason_and_sane_bounds():
    rules = load_bound_rules()
    assert {"exact", "at least", "more than", "over", "about", "approx", "some", "nearly", "almost", "up to",
            "reached", "exceeded"} <= set(rules)
    for rule in rules.values():
        assert rule.reason
        lower, upper = rule.bounds(1000)
        assert lower >= 0 and (upper is None or lower <= upper)


def test_real_ledger_bounds_contain_or_border_the_value(ledger):
    assert ledger.filter(pl.col("upper").is_not_null() & (pl.col("lower") > pl.col("upper"))).height == 0
    assert ledger.filter(pl.col("lower") > pl.col("value") + 1).height == 0
    assert ledger.filter(pl.col("upper").is_not_null() & (pl.col("upper") < pl.col("value"))).height == 0


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize("text, start, end, precision", [
    ("2024-07-03", dt.date(2024, 7, 3), dt.date(2024, 7, 3), "day"),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
    ("2020-12", dt.date(2020, 12, 1), dt.date(2020, 12, 31), "month"),
    ("", None, None, "undated"),
])
def test_dates(tmp_path, text, start, end, precision):
    row = read_ledger_file(write_ledger(tmp_path, [figure(as_of_date=text)])).row(0, named=True)
    assert (row["as_of_from"], row["as_of_to"], row["as_of_precision"], row["as_of_text"]) == (
        start, end, precision, text)


def test_real_ledger_dates(ledger):
    assert ledger.filter(pl.col("as_of_precision") == "undated").height == 11
    assert set(ledger["as_of_precision"].unique()) == {"day", "month", "undated"}
    month = ledger.filter(pl.col("as_of_text") == "2022-02").row(0, named=True)
    assert month["as_of_to"] == dt.date(2022, 2, 28)


# ---------------------------------------------------------------------------------------------
# Ids, schema, provenance


def test_schema_and_row_count(ledger):
    assert ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert ledger.height == 124
    assert ledger["row_number"].to_list() == list(range(1, 125))
    assert ledger["source_file"].unique().to_list() == ["data/raw/figures/2026-11-22/published_figures.csv"]


def test_ids_are_unique_and_stable(ledger, tmp_path):
    ids = ledger["figure_id"].to_list()
    assert len(ids) == len(set(ids)) == 124
    assert all(i.startswith("fig-") and len(i) == 14 for i in ids)
    assert read_ledger(RAW)["figure_id"].to_list() == ids  # same file, same ids
    # The id depends on the row's content, not its position: reversing the rows keeps each row's id.
    lines = LEDGER.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines))
    shuffled = tmp_path / "reversed.csv"
    with open(shuffled, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([rows[0]] + rows[:0:-1])
    again = read_ledger_file(shuffled)
    assert sorted(again["figure_id"].to_list()) == sorted(ids)
    assert dict(zip(again["quote"], again["figure_id"])) == dict(zip(ledger["quote"], ledger["figure_id"]))


def test_different_rows_get_different_ids():
    base = list(figure().values())
    changed = list(figure(value="1410").values())
    assert figure_id(base) == figure_id(list(base))
    assert figure_id(base) != figure_id(changed)


def test_seed_documents_flagged(ledger):
    seeds = ledger.filter("is_seed_document")
    assert seeds.height == 20
    assert (seeds["url"] == "").all()


def test_read_ledger_verifies_checksums(tmp_path):
    root = tmp_path / "data" / "raw"
    shutil.copytree(RAW / "figures", root / "figures")
    copy = root / "figures" / "2026-11-22" / "published_figures.csv"
    copy.write_bytes(copy.read_bytes().replace(b"1452", b"1453", 1))
    with pytest.raises(ChecksumMismatch):
        read_ledger(root)


# ---------------------------------------------------------------------------------------------
# Errors name file, row and field


def _error(tmp_path: Path, rows: list[dict[str, str]]) -> InputError:
    path = write_ledger(tmp_path, rows, "bad_ledger.csv")
    with pytest.raises(InputError) as caught:
        read_ledger_file(path)
    error = caught.value
    assert "bad_ledger.csv" in str(error)
    return error


def test_unknown_qualifier(tmp_path):
    error = _error(tmp_path, [figure(), figure(qualifier="roughly-ish")])
    assert (error.row, error.field) == (2, "qualifier")
    assert "row 2" in str(error) and "field 'qualifier'" in str(error) and "roughly-ish" in str(error)


@pytest.mark.parametrize("value", ["-5", "1,452", "about 1400", "", "12.5"])
def test_bad_values(tmp_path, value):
    error = _error(tmp_path, [figure(), figure(), figure(value=value)])
    assert (error.row, error.field) == (3, "value")
    assert "row 3" in str(error) and "field 'value'" in str(error)


@pytest.mark.parametrize("text", ["2024-13-01", "31.12.2023", "2024-02-30", "Dec 2023"])
def test_bad_dates(tmp_path, text):
    error = _error(tmp_path, [figure(as_of_date=text)])
    assert (error.row, error.field) == (1, "as_of_date")
    assert "row 1" in str(error)


def test_missing_column(tmp_path):
    path = tmp_path / "bad_ledger.csv"
    path.write_text("as_of_date,metric,value\n2024-01-01,x,1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ledger_file(path)
    assert caught.value.field == "qualifier"
