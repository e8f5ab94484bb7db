"""The SYNTHETIC sample: reproducible to the byte, labelled, free of real names, shaped like real copies."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from analysis.ingest import registry_format as fmt
from analysis.ingest.figures import read_ledger
from analysis.ingest.releases import read_release_events
from analysis.synthetic import DEFAULT_SEED, build_population, generate_sample
from analysis.synthetic import config as C
from analysis.synthetic.names import REAL_NAMES_IN_SOURCES, NameBook, is_banned

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
SNAPSHOT_DATES = [d.isoformat() for d, _ in C.SNAPSHOTS]
GENERATED = [RAW / "registry" / d for d in SNAPSHOT_DATES] + [RAW / "releases" / "2026-02-28"]

# Real people named in the ledger's quotes and the seed documents (typed here, independently of the generator).
REAL_NAMES = ["Ashurak", "Klimovich", "Khrasko", "Shtermer", "Padniabenny", "Pidnebennyi", "Bialiatski",
              "Kalesnikava", "Kolesnikova", "Tsikhanouski", "Tsikhanouskaya", "Babaryka", "Babariko", "Znak",
              "Kastusiou", "Berasnieu", "Lutskina", "Pushkin", "Dudoit", "Liubakova", "Lukashenko", "Lukashenka",
              "Nauseda", "Moskalenko", "Климович", "Колесникова", "Тихановск", "Бабарико", "Беляцк", "Лукашенко"]


def files_in(folders: list[Path]) -> dict[str, bytes]:
    return {f"{folder.parent.name}/{folder.name}/{p.name}": p.read_bytes()
            for folder in folders for p in sorted(folder.iterdir()) if p.is_file()}


def text_of(name: str, data: bytes) -> str:
    return data.decode("cp1251" if "_public_ru" in name else "utf-8")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("regen") / "raw"
    return generate_sample(root, inputs_root=RAW)


@pytest.fixture(scope="module")
def committed() -> dict[str, bytes]:
    return files_in(GENERATED)


@pytest.fixture(scope="module")
def population():
    return build_population(read_ledger(RAW), read_release_events(RAW), DEFAULT_SEED)


def read_machine(date: str) -> list[dict[str, str]]:
    path = RAW / "registry" / date / f"SYNTHETIC_registry_{date}.csv"
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# ---------------------------------------------------------------------------------------------
# Reproducible, idempotent, small


def test_regeneration_is_byte_identical(regenerated, committed):
    assert [f"{p.parent.name}/{p.name}" for p in regenerated] == [f"{p.parent.name}/{p.name}" for p in GENERATED]
    assert files_in(regenerated) == committed


def test_generation_is_idempotent_and_touches_only_its_folders(regenerated, committed):
    root = regenerated[0].parents[1]
    (root / "registry" / SNAPSHOT_DATES[0] / "SYNTHETIC_registry_stale.csv").write_text("old", encoding="utf-8")
    again = generate_sample(root, inputs_root=RAW)
    assert files_in(again) == committed  # the stale SYNTHETIC file is gone, the rest rewritten identically
    real = root / "registry" / "2024-01-01"  # a folder that is not the generator's stays untouched
    real.mkdir()
    (real / "metadata.yaml").write_text("synthetic: false\n", encoding="utf-8")
    generate_sample(root, inputs_root=RAW)
    assert (real / "metadata.yaml").read_text(encoding="utf-8") == "synthetic: false\n"


def test_refuses_to_overwrite_real_data(tmp_path):
    folder = tmp_path / "raw" / "registry" / SNAPSHOT_DATES[0]
    folder.mkdir(parents=True)
    (folder / "metadata.yaml").write_text("synthetic: false\n", encoding="utf-8")
    (folder / "real_copy.csv").write_text("id\n", encoding="utf-8")
    from analysis.core.errors import InputError

    with pytest.raises(InputError):
        generate_sample(tmp_path / "raw", inputs_root=RAW)
    assert (folder / "real_copy.csv").exists()


def test_another_seed_gives_another_sample(population):
    other = build_population(read_ledger(RAW), read_release_events(RAW), DEFAULT_SEED + 1)
    assert [p.name.be_lat for p in other.persons[:50]] != [p.name.be_lat for p in population.persons[:50]]


def test_sample_size(committed):
    total = sum(len(b) for b in committed.values())
    assert total < 20 * 1024 * 1024
    rows = len(read_machine("2026-02-28"))
    assert 4500 <= rows <= 5200


# ---------------------------------------------------------------------------------------------
# Labelled SYNTHETIC, no real names


def test_synthetic_everywhere(committed):
    for name in committed:
        if not name.endswith("metadata.yaml"):
            assert Path(name).name.startswith("SYNTHETIC_"), name
    for folder in GENERATED:
        meta = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
        assert meta["synthetic"] is True and meta["licence"] == "CC0 (synthetic)" and meta["url"] == ""
        assert f"seed {DEFAULT_SEED}" in meta["producer"] and meta["notes"].startswith("SYNTHETIC")
    for date in SNAPSHOT_DATES:
        if date == "2025-11-30":
            continue  # the public table has no description column, as in real copies
        if date == "2026-01-31":
            records = json.loads((RAW / "registry" / date / f"SYNTHETIC_registry_{date}.json").read_text("utf-8"))
            descriptions = [r["description"] for r in records]
        else:
            descriptions = [r["description"] for r in read_machine(date)]
        assert descriptions and all(d.startswith("SYNTHETIC record") for d in descriptions)


def test_no_real_name_leaks(committed):
    names = set(REAL_NAMES) | set(REAL_NAMES_IN_SOURCES)
    for file, data in committed.items():
        text = text_of(file, data).lower()
        for name in names:
            assert name.lower() not in text, f"{name} in {file}"


def test_the_real_names_are_really_in_the_ledger():
    quotes = (RAW / "figures" / "2026-11-22" / "published_figures.csv").read_text(encoding="utf-8")
    for name in ("Ashurak", "Klimovich", "Khrasko", "Shtermer", "Padniabenny", "Bialiatski", "Kalesnikava",
                 "Tsikhanouski", "Znak", "Kastusiou", "Berasnieu", "Lutskina"):
        assert name in quotes


def test_name_generator_never_produces_a_real_name():
    book = NameBook(random.Random(1))
    for _ in range(3000):
        name = book.new(random.Random(_).choice(["male", "female"]))
        assert not any(is_banned(name.form(v)) for v in range(4))


# ---------------------------------------------------------------------------------------------
# Shapes


def test_machine_csv_shape():
    for date, shape in C.SNAPSHOTS:
        if shape != "machine_csv":
            continue
        raw = (RAW / "registry" / date.isoformat() / f"SYNTHETIC_registry_{date}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        header = raw.split(b"\n", 1)[0].decode("utf-8")
        assert tuple(header.split(",")) == fmt.MACHINE_COLUMNS
    rows = read_machine("2026-02-28")
    assert {r["status"] for r in rows} == {"active", "former", "np"}
    assert all(r["url"].startswith("https://prisoners.spring96.org/en/person/") for r in rows)
    # A detention date, or none as real copies have: most np records and a few active ones.
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["arrested"]) or (r["arrested"] == "" and r["status"] != "former")
               for r in rows)
    assert any("\n" in r["articles"] for r in rows) and any("\n" in r["prison"] for r in rows)
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[-1] - ids[0] + 1 > len(ids)  # gaps


def test_public_table_shape():
    path = RAW / "registry" / "2025-11-30" / "SYNTHETIC_registry_2025-11-30_public_ru.csv"
    text = path.read_bytes().decode("cp1251")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == [fmt.PUBLIC_HEADERS["ru"][c] for c in fmt.PUBLIC_COLUMNS]
    body = [dict(zip(fmt.PUBLIC_COLUMNS, r)) for r in rows[1:]]
    assert all(re.fullmatch(r"[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+", r["name"]) or (r["name"] == "" and r["status"] == "np")
               for r in body)  # anonymous records are np with no name
    assert any(r["name"] == "" for r in body)
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", r["arrested"]) or r["arrested"] == "" for r in body)
    assert {r["status"] for r in body} == {"active", "former", "np"}
    assert any(re.search(r"ч\. \d ст\. \d+(-\d)? УК — ", r["articles"]) for r in body)
    assert any("; " in r["articles"] for r in body)
    assert any(re.fullmatch(r"\d{2}\.\d{4}", r["birthday"]) for r in body)  # partial MM.YYYY


def test_json_shape():
    path = RAW / "registry" / "2026-01-31" / "SYNTHETIC_registry_2026-01-31.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    assert all(tuple(r) == fmt.JSON_KEYS for r in records)
    assert all(r["articles"] == "FALSE" and r["prison"] == "FALSE" and r["photo"] == "FALSE" for r in records)
    assert all(r["articles/0"] and r["articles/12"] == "" for r in records)
    assert any(r["prison/address"] == "FALSE" for r in records)  # "Released awaiting ..." has no address
    assert path.read_text(encoding="utf-8").startswith('[\n {\n  "id": ')


def test_exactly_one_duplicated_row():
    for date in ("2025-09-30", "2025-10-31", "2025-12-31", "2026-02-28"):
        path = RAW / "registry" / date / f"SYNTHETIC_registry_{date}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))[1:]
        seen: dict[tuple, int] = {}
        for row in rows:
            seen[tuple(row)] = seen.get(tuple(row), 0) + 1
        repeats = [(row, n) for row, n in seen.items() if n > 1]
        if date == "2025-12-31":
            assert len(repeats) == 1 and repeats[0][1] == 2
            index = rows.index(list(repeats[0][0]))
            assert rows[index + 1] == rows[index]
        else:
            assert repeats == []


# ---------------------------------------------------------------------------------------------
# Projections and mess


def test_snapshots_are_projections():
    early = {r["id"]: r for r in read_machine("2025-09-30")}
    late = {r["id"]: r for r in read_machine("2026-02-28")}
    assert set(early) < set(late)
    cut = "2025-09-30"
    for rid, row in late.items():
        if row["arrested"] > cut or (row["arrested"] == "" and rid not in early):
            assert rid not in early  # detained later (or, without a detention date, listed later)
            continue
        before = early[rid]
        if row["release_date"] > cut:
            assert before["status"] == ("np" if row["status"] == "np" else "active")
            assert before["release_date"] == ""
        if row["verdict_date"] > cut:
            assert before["verdict_date"] == before["decision"] == before["penalty"] == before["judge"] == ""
        assert before["name"] == row["name"] and before["birthday"] == row["birthday"]
    recent = [r for r in late.values() if r["arrested"] >= "2026-02-01"]
    # No verdict yet, unless the person was taken to serve after it (khimiya, arrest, converted sentences).
    assert recent and all(r["verdict_date"] == "" or r["verdict_date"] < r["arrested"] for r in recent)


def test_mess_rates(population):
    rows = read_machine("2026-02-28")
    n = len(rows)
    year_only = sum(bool(re.fullmatch(r"\d{4}", r["birthday"])) for r in rows) / n
    year_month = sum(bool(re.fullmatch(r"\d{4}-\d{2}", r["birthday"])) for r in rows) / n
    assert 0.01 <= year_only <= 0.03 and 0.003 <= year_month <= 0.02
    russian_style = sum(p.latin_variant == 3 for p in population.persons) / len(population.persons)
    assert 0.12 <= russian_style <= 0.18
    decisions = [r["decision"] for r in rows]
    assert any("yers" in d or "monhts" in d for d in decisions)
    assert any(re.fullmatch(r"\d+ 1/2 years", d) for d in decisions)
    assert any(re.fullmatch(r"\d+ months", d) for d in decisions)
    assert any(re.fullmatch(r"\d+ years \d+ months", d) for d in decisions)
    assert any("art. " in r["articles"] for r in rows)
    assert any("Article 13 and" in r["articles"] or "Article 14 and" in r["articles"] for r in rows)


def test_people_are_plausible(population):
    end = dt.date(2026, 2, 28)
    active = [p for p in population.persons if p.category == "pp" and p.gone is None]
    ages = [(end - p.birth).days / 365.25 for p in active]
    assert 18 <= min(ages) and max(ages) <= 80 and sum(a > 60 for a in ages) > 10
    women = sum(p.gender == "female" for p in active) / len(active)
    assert 0.11 <= women <= 0.15
    for p in population.persons:
        # Verdict before detention only for people taken to serve after it (khimiya, arrest, converted sentences).
        assert p.arrested <= p.verdict or p.release is not None or p.taken_after_verdict
        assert p.release is None or p.release >= p.arrested
        assert 1 <= len(p.charges) <= 3
    rows = read_machine("2026-02-28")
    assert any(r["prison"].startswith("Penal colony No. ") for r in rows)
    assert any(r["prison"].startswith("Open correctional facility No. ") for r in rows)
    assert any(r["prison"].startswith("Prison No. ") for r in rows)
    assert any(r["prison"] == "Released awaiting the commencement of the sentence" for r in rows)


def test_deaths_in_custody_in_the_snapshot():
    rows = read_machine("2026-02-28")
    died = sorted(r["died"] for r in rows if r["died"])
    assert died == [d.isoformat() for d, _ in C.DEATHS]
    assert all(r["status"] == "former" and r["release_date"] == "" for r in rows if r["died"])


def test_population_checkpoints_are_exact(population):
    end = population.end
    for c in population.checkpoints:
        held = sum(1 for p in population.persons if p.category == "pp" and p.arrested <= c
                   and (p.gone is None or p.gone > c))
        assert held == population.path[c], c
    assert all(n >= 0 for n in population.entries.values())
    assert population.end == end
