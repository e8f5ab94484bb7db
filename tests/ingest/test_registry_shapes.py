"""One snapshot written in every shape and encoding reads into the same canonical table."""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest

from analysis import read_registry, read_registry_file
from analysis.ingest import registry_format as fmt
from conftest import PEOPLE, machine_csv

# The public table carries fewer fields than the machine export; compare what both carry.
PUBLIC_FIELDS = ["status", "gender", "birth_date_from", "birth_date_to", "birth_date_precision", "arrested_from",
                 "verdict_date_from", "charge_count", "sentence_months", "sentence_kind", "penalty_regime",
                 "colony_security", "facility_type", "facility_number", "facility_town", "judge", "name_key"]
MACHINE_FIELDS = PUBLIC_FIELDS + ["record_id", "url_slug", "release_date_from", "description", "name_latin"]

CYRILLIC = {"Maryia Testava": "Марыя Тэстава", "Siarhei Prykladau": "Сяргей Прыкладаў",
            "Ivan Uzorau": "Іван Узораў"}
DATE_DMY = {"1980-03-04": "04.03.1980", "2021-05-06": "06.05.2021", "2021-11-02": "02.11.2021",
            "2020-09-01": "01.09.2020", "2021-01-15": "15.01.2021", "1999-12-31": "31.12.1999",
            "2024-02-10": "10.02.2024", "1961": "1961"}


def flattened_json(people=PEOPLE) -> str:
    records = []
    for person in people:
        record = {key: person.get(key, "") for key in fmt.JSON_KEYS}
        charges = [c for c in person.get("articles", "").split("\n") if c]
        for slot in range(fmt.JSON_ARTICLE_SLOTS):
            record[f"articles/{slot}"] = charges[slot] if slot < len(charges) else ""
        title, _, address = person.get("prison", "").partition("\n")
        record["prison/title"] = title
        record["prison/address"] = address or "FALSE"
        record["articles"] = "FALSE"
        record["prison"] = "FALSE"
        record["photo"] = "FALSE"
        records.append(record)
    return json.dumps(records, ensure_ascii=False, indent=1)


def public_table(language: str, delimiter: str, people=PEOPLE, cyrillic_names=False, dmy=False) -> str:
    labels = fmt.PUBLIC_HEADERS[language]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([labels[c] for c in fmt.PUBLIC_COLUMNS])
    for person in people:
        row = []
        for column in fmt.PUBLIC_COLUMNS:
            value = person.get(column, "")
            if column == "name" and cyrillic_names:
                value = CYRILLIC[value]
            if column in ("birthday", "arrested", "verdict_date") and dmy and value:
                value = DATE_DMY[value]
            if column == "articles":
                value = value.replace("\n", "; ")
            row.append(value)
        writer.writerow(row)
    return buffer.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _canonical(path, columns):
    return read_registry(path).select(columns).sort("arrested_from")


@pytest.fixture
def reference(tmp_path):
    return _write(tmp_path, "machine.csv", machine_csv().encode("utf-8"))


@pytest.mark.parametrize("variant, data", [
    ("machine, UTF-8 with BOM", lambda: b"\xef\xbb\xbf" + machine_csv().encode("utf-8")),
    ("machine, CRLF line ends", lambda: machine_csv().replace("\n", "\r\n").encode("utf-8")),
    ("flattened JSON", lambda: flattened_json().encode("utf-8")),
])
def test_machine_shapes_read_the_same(tmp_path, reference, variant, data):
    other = _write(tmp_path, "other", data())
    assert _canonical(other, MACHINE_FIELDS).equals(_canonical(reference, MACHINE_FIELDS)), variant


@pytest.mark.parametrize("language, delimiter, encoding, cyrillic, dmy", [
    ("en", ",", "utf-8", False, False),
    ("en", ";", "utf-8-sig", False, True),
    ("ru", ";", "cp1251", True, True),
    ("ru", ",", "utf-8", True, False),
    ("be", ";", "utf-8-sig", True, True),
    ("be", ",", "cp1251", True, False),
])
def test_public_table_reads_the_same(tmp_path, reference, language, delimiter, encoding, cyrillic, dmy):
    text = public_table(language, delimiter, cyrillic_names=cyrillic, dmy=dmy)
    path = _write(tmp_path, f"public_{language}.csv", text.encode(encoding))
    read = read_registry_file(path)
    assert read.table.shape == fmt.SHAPE_PUBLIC and read.table.language == language
    assert read.table.delimiter == delimiter
    assert read.table.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-bom", "cp1251": "windows-1251"}[encoding]
    assert _canonical(path, PUBLIC_FIELDS).equals(_canonical(reference, PUBLIC_FIELDS))


def test_belarusian_header_with_straight_apostrophe(tmp_path, reference):
    text = public_table("be", ",").replace("Прад’яўлены", "Прад'яўлены")
    path = _write(tmp_path, "be.csv", text.encode("utf-8"))
    assert "articles" in read_registry_file(path).table.columns


def test_canonical_values(reference):
    persons = read_registry(reference).sort("record_id")
    first = persons.row(0, named=True)
    assert first["record_id"] == 101 and first["status"] == "active" and first["gender"] == "female"
    assert first["url_slug"] == "test-person-a" and first["url_locale"] == "en"
    assert first["sentence_months"] == 54.0 and first["charge_count"] == 2
    assert first["penalty_regime"] == "colony" and first["colony_security"] == "general"
    assert first["facility_type"] == "penal_colony" and first["facility_number"] == "4"
    assert first["facility_town"] == "Homiel"
    second = persons.row(1, named=True)
    # A year-only birth date stays a range; it is never set to 1 January.
    assert (str(second["birth_date_from"]), str(second["birth_date_to"]), second["birth_date_precision"]) == (
        "1961-01-01", "1961-12-31", "year")
    assert second["person_key"] == "id:205"


def test_charges_one_row_per_person_and_charge(reference):
    charges = read_registry_file(reference).charges
    assert charges.select("record_id", "article", "part").rows() == [(101, "293", 2), (101, "342", None),
                                                                      (205, "361-1", None)]


def test_public_table_person_key_uses_name_and_birth(tmp_path):
    path = _write(tmp_path, "p.csv", public_table("en", ",").encode("utf-8"))
    keys = read_registry(path)["person_key"].to_list()
    assert all(k.startswith("name:") for k in keys) and len(set(keys)) == 3


def test_one_synthetic_snapshot_in_all_three_shapes_reads_the_same(tmp_path):
    """The generator writes one day's list as machine CSV, flattened JSON and the Russian public table
    (Windows-1251, semicolons, Cyrillic names, DD.MM.YYYY): the canonical tables agree person by person."""
    import datetime as dt

    from analysis.ingest.figures import read_ledger
    from analysis.ingest.releases import read_release_events
    from analysis.synthetic import DEFAULT_SEED, build_population
    from analysis.synthetic.writers import write_flattened_json, write_machine_csv, write_public_ru
    from conftest import REPO

    raw = REPO / "data" / "raw"
    population = build_population(read_ledger(raw), read_release_events(raw), DEFAULT_SEED)
    day = dt.date(2026, 2, 28)
    paths = {"csv": tmp_path / "machine.csv", "json": tmp_path / "flat.json", "ru": tmp_path / "public_ru.csv"}
    write_machine_csv(population, day, paths["csv"])
    write_flattened_json(population, day, paths["json"])
    write_public_ru(population, day, paths["ru"])
    reads = {k: read_registry_file(p, snapshot_date=day) for k, p in paths.items()}
    assert reads["ru"].table.encoding == "windows-1251" and reads["ru"].table.delimiter == ";"
    machine, flat, public = (reads[k].persons for k in ("csv", "json", "ru"))
    assert machine.height == flat.height == public.height > 4000
    # The structure of real copies the sample now has (anonymous np records, fines in base units, unknown
    # outcomes, compulsory treatment, terms with days, a term with a fine) is read in every shape: nothing is
    # quarantined, and the only notes are the names the source withholds, the same records in every shape.
    assert all(r.quarantine.height == 0 for r in reads.values())
    assert all(set(r.field_issues["reason"]) == {"name withheld by the source: counted, never named"}
               for r in reads.values())
    withheld = {k: r.field_issues.height for k, r in reads.items()}
    assert withheld["csv"] == withheld["json"] == withheld["ru"] > 0
    # The flattened JSON has no `died` key (docs/registry_format.md): deaths in custody are only in the CSV.
    not_in_json = ["source_file", "source_shape", "died_from", "died_to", "died_precision", "died_in_custody"]
    assert machine.drop(not_in_json).equals(flat.drop(not_in_json))
    assert machine["died_in_custody"].sum() == 9 and flat["died_in_custody"].sum() == 0
    # The public table has no ids and writes names in Russian Cyrillic (Владимир for Uladzimir): the same
    # people are found by name key, birth and detention date, and carry the same values.
    key = ["name_key", "birth_date_from", "arrested_from"]
    shared = ["status", "gender", "birth_date_to", "birth_date_precision", "arrested_to", "verdict_date_from",
              "charge_count", "sentence_kind", "sentence_months", "penalty_regime", "colony_security",
              "facility_type", "facility_number"]
    named = [frame.filter(pl.col("name_key").is_not_null()) for frame in (machine, public)]
    assert named[0].select(key).is_duplicated().sum() == 0
    left, right = (frame.select(key + shared).sort(key) for frame in named)
    assert left.height == machine.height - withheld["csv"] and left.equals(right)


def test_remembered_parses_fail_the_same_way_every_time():
    """The reader remembers each distinct cell's parse; a remembered failure is raised again, unchanged."""
    from analysis.ingest.registry import _Memo

    calls = []

    def parse(text):
        calls.append(text)
        if not text.isdigit():
            raise ValueError(f"{text!r} is not a number")
        return int(text)

    memo = _Memo(parse)
    assert [memo("7"), memo("7")] == [7, 7]
    for _ in range(2):
        with pytest.raises(ValueError, match="'x' is not a number"):
            memo("x")
    assert calls == ["7", "x"]


# ------------------------------------------------------------------ people whose name the source withholds

ANONYMOUS_URL = "https://prisoners.spring96.org/en/person/anonymous"


def _anonymous(record_id: str, **fields) -> dict:
    return {**PEOPLE[1], "id": record_id, "url": ANONYMOUS_URL, "name": "", **fields}


@pytest.mark.parametrize("shape", ["machine", "json"])
def test_anonymous_records_sharing_one_url_are_all_counted(tmp_path, shape):
    """The source lists people without a name, several under one URL: each is a person, none is dropped."""
    people = [*PEOPLE, _anonymous("900"), _anonymous("901"), _anonymous("902", status="active"),
              _anonymous("903", name="   ")]
    data = machine_csv(people) if shape == "machine" else flattened_json(people)
    read = read_registry_file(_write(tmp_path, f"registry.{'csv' if shape == 'machine' else 'json'}",
                                     data.encode("utf-8")))
    read.assert_accounted()
    assert read.quarantine.height == 0 and read.persons.height == 7
    anonymous = read.persons.filter(pl.col("record_id") >= 900).sort("record_id")
    assert anonymous["person_key"].to_list() == ["id:900", "id:901", "id:902", "id:903"]
    assert anonymous.select("name_raw", "name_latin", "name_cyrillic", "name_key").null_count().row(0) == (4, 4, 4, 4)
    assert set(anonymous["url_slug"]) == {"anonymous"}
    assert anonymous["status"].to_list() == ["former", "former", "active", "former"]
    notes = read.field_issues.filter(pl.col("field") == "name")
    assert notes.select("source_row", "value", "action").rows() == [(row, "", "kept without a name") for row in (4, 5, 6, 7)]
    assert set(notes["reason"]) == {"name withheld by the source: counted, never named"}
    assert read.charges.filter(pl.col("record_id") == 900)["person_key"].to_list() == ["id:900"]


def test_anonymous_rows_of_a_public_table_never_share_a_key(tmp_path):
    """Without ids, an anonymous row is keyed by its row: two anonymous people cannot merge into one."""
    people = [*PEOPLE, _anonymous("", arrested="2021-01-01"), _anonymous("", arrested="2022-02-02")]
    read = read_registry_file(_write(tmp_path, "public.csv", public_table("en", ",", people=people).encode("utf-8")))
    assert read.quarantine.height == 0 and read.persons.height == 5
    keys = read.persons.sort("source_row")["person_key"].to_list()
    assert keys[3:] == ["anonymous:row4", "anonymous:row5"] and len(set(keys)) == 5


@pytest.mark.parametrize("name", ["+1+1", "123", "--"])
def test_a_name_without_letters_is_still_quarantined(tmp_path, name):
    """Garbage in the name cell is not a withheld name."""
    read = read_registry_file(_write(tmp_path, "registry.csv", machine_csv([*PEOPLE, _anonymous("900", name=name)])
                                     .encode("utf-8")))
    assert read.quarantine.select("source_row", "field").rows() == [(4, "name")]
    assert "no letters" in read.quarantine["reason"][0]
