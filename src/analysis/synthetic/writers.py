"""Write the SYNTHETIC sample: six monthly registry snapshots in three shapes, and release records.

Every snapshot is a projection of the master population on its date: people detained later are
absent, a person released later is still `active` with an empty release date, and verdict
fields stay empty until the verdict. Files are deterministic (same seed -> same bytes): rows
sorted by id, LF line ends, explicit encodings, no clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

import yaml

from .. import registry_format as fmt
from ..calibration import METRIC_CURRENT, RAMP_START_DATE, RAMP_START_VALUE
from ..errors import InputError
from ..figures import read_ledger
from ..provenance import METADATA_FILE, SnapshotMetadata, describe_file, write_metadata
from ..releases import read_release_events
from . import config as C
from .names import BE_LAT
from .population import Person, Population, build_population
from .vocab import AWAITING, CUSTODIAL, PENALTY_EN, PENALTY_RU, Facility, fine_en, fine_ru, sentence_en, sentence_ru

DESCRIPTION = "SYNTHETIC record"
URL_PREFIX = "https://prisoners.spring96.org/en/person/"
RECORDS_FILE = "SYNTHETIC_release_records.csv"


# ---------------------------------------------------------------------------------------------
# Projection of one person on a snapshot date


def status_at(p: Person, day: dt.date) -> str:
    if p.category == "np":
        return "np"
    gone = p.gone
    return "former" if gone is not None and gone <= day else "active"


def facility_at(p: Person, day: dt.date) -> Facility:
    """Where the person is (or was last held) as seen on `day`."""
    last = p.gone if p.gone is not None and p.gone <= day else day
    if p.verdict > last or p.placement is None:
        return p.pretrial
    if p.regime in CUSTODIAL:
        return p.pretrial if last < p.verdict + dt.timedelta(days=30) else p.placement
    if p.regime == "khimiya":
        return AWAITING if last < p.penalty_start else p.placement
    return p.pretrial


def _iso(day: dt.date | None, as_of: dt.date) -> str:
    return day.isoformat() if day is not None and day <= as_of else ""


def _dmy(day: dt.date | None, as_of: dt.date) -> str:
    return day.strftime("%d.%m.%Y") if day is not None and day <= as_of else ""


def birthday_text(p: Person, dmy: bool = False) -> str:
    b = p.birth
    if p.birth_precision == "year":
        return f"{b.year}"
    if p.birth_precision == "month":
        return f"{b.month:02d}.{b.year}" if dmy else f"{b.year}-{b.month:02d}"
    return b.strftime("%d.%m.%Y") if dmy else b.isoformat()


def decision_en(p: Person) -> str:
    if p.regime == "fine":
        return fine_en(p.fine_units or 0)
    return sentence_en(p.term_months or 0, p.sentence_style, p.typo)


def decision_ru(p: Person) -> str:
    if p.regime == "fine":
        return fine_ru(p.fine_units or 0)
    return sentence_ru(p.term_months or 0)


def machine_row(p: Person, day: dt.date) -> dict[str, str]:
    sentenced = p.verdict <= day
    place = facility_at(p, day)
    return {
        "id": str(p.id), "url": URL_PREFIX + p.slug, "name": p.latin_name(), "status": status_at(p, day),
        "gender": p.gender, "photo": "", "description": DESCRIPTION, "birthday": birthday_text(p),
        "arrested": p.arrested.isoformat(), "articles": "\n".join(c.en() for c in p.charges),
        "prison": place.title_en + ("\n" + place.address_en if place.address_en else ""),
        "declaration": "", "decision": decision_en(p) if sentenced else "",
        "penalty": PENALTY_EN[p.regime] if sentenced else "",
        "judge": p.judge.form(BE_LAT) if sentenced else "", "councel": "",
        "penalty_start_date": p.penalty_start.isoformat() if sentenced else "",
        "release_date": _iso(p.release, day), "verdict_date": _iso(p.verdict, day),
        "appeal_date": _iso(p.appeal, day), "fake_terrorist_list": "", "died": _iso(p.died, day), "clusters": "",
    }


def json_record(p: Person, day: dt.date) -> dict[str, object]:
    row = machine_row(p, day)
    place = facility_at(p, day)
    record: dict[str, object] = {}
    for key in fmt.JSON_KEYS:
        if key.startswith("articles/"):
            slot = int(key.split("/")[1])
            record[key] = p.charges[slot].en() if slot < len(p.charges) else ""
        elif key == "prison/title":
            record[key] = place.title_en
        elif key == "prison/address":
            record[key] = place.address_en or fmt.JSON_NULL_MARKER
        elif key in ("articles", "prison", "photo"):
            record[key] = fmt.JSON_NULL_MARKER
        elif key == "id":
            record[key] = p.id
        else:
            record[key] = row[key]
    return record


def public_ru_row(p: Person, day: dt.date) -> dict[str, str]:
    sentenced = p.verdict <= day
    place = facility_at(p, day)
    return {
        "name": p.name.ru_cyr, "status": status_at(p, day), "birthday": birthday_text(p, dmy=True),
        "gender": p.gender, "arrested": p.arrested.strftime("%d.%m.%Y"),
        "articles": "; ".join(c.ru() for c in p.charges), "verdict_date": _dmy(p.verdict, day),
        "decision": decision_ru(p) if sentenced else "", "penalty": PENALTY_RU[p.regime] if sentenced else "",
        "judge": p.judge.ru_cyr if sentenced else "", "prosecutor": p.prosecutor.ru_cyr if sentenced else "",
        "prison": place.title_ru + ("; " + place.address_ru if place.address_ru else ""),
    }


# ---------------------------------------------------------------------------------------------
# Files


def _present(population: Population, day: dt.date) -> list[Person]:
    return sorted((p for p in population.persons if p.arrested <= day), key=lambda p: p.id)


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_machine_csv(population: Population, day: dt.date, path: Path) -> tuple[int, int | None]:
    """Machine export; returns (rows written, id of the duplicated record or None)."""
    people = _present(population, day)
    rows = [[row[c] for c in fmt.MACHINE_COLUMNS] for row in (machine_row(p, day) for p in people)]
    duplicated = None
    copies = C.MESS["duplicated_rows"].get(day.isoformat(), 0)  # type: ignore[union-attr]
    if copies:
        rng = random.Random(f"{population.seed}/duplicate/{day.isoformat()}")
        for _ in range(copies):
            index = rng.randrange(len(rows))
            rows.insert(index + 1, list(rows[index]))
            duplicated = int(rows[index][0])
    Path(path).write_bytes(_csv_text(list(fmt.MACHINE_COLUMNS), rows).encode("utf-8"))
    return len(rows), duplicated


def write_public_ru(population: Population, day: dt.date, path: Path) -> int:
    people = _present(population, day)
    labels = fmt.PUBLIC_HEADERS["ru"]
    rows = [[row[c] for c in fmt.PUBLIC_COLUMNS] for row in (public_ru_row(p, day) for p in people)]
    text = _csv_text([labels[c] for c in fmt.PUBLIC_COLUMNS], rows, delimiter=";")
    Path(path).write_bytes(text.encode("cp1251"))
    return len(rows)


def write_flattened_json(population: Population, day: dt.date, path: Path) -> int:
    records = [json_record(p, day) for p in _present(population, day)]
    text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    Path(path).write_bytes(text.encode("utf-8"))
    return len(records)


def write_release_records(population: Population, path: Path) -> int:
    released = sorted((p for p in population.persons if p.release is not None and p.release <= population.end),
                      key=lambda p: (p.release, p.id))
    rows = [[str(p.id), p.release.isoformat(), p.mechanism or "", p.destination or "", p.documents_withheld,
             "true" if p.identity_publishable else "false", p.event_id or ""] for p in released]
    header = ["record_id", "release_date", "mechanism", "destination", "documents_withheld", "identity_publishable",
              "event_id"]
    Path(path).write_bytes(_csv_text(header, rows).encode("utf-8"))
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Folders and metadata


def _prepare(folder: Path) -> None:
    """Make room for a SYNTHETIC snapshot: never touch a folder that holds real data."""
    folder = Path(folder)
    if folder.exists():
        meta = folder / METADATA_FILE
        if meta.exists():
            raw = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
            if raw.get("synthetic") is not True:
                raise InputError(meta, "this snapshot folder holds real (non-synthetic) data", field="synthetic",
                                 fix="the generator only overwrites its own SYNTHETIC folders; move the real "
                                     "snapshot or generate into another data root")
        foreign = sorted(p.name for p in folder.iterdir()
                         if p.is_file() and p.name != METADATA_FILE and not p.name.startswith("SYNTHETIC_"))
        if foreign:
            raise InputError(folder / foreign[0], "a non-SYNTHETIC file in a SYNTHETIC snapshot folder",
                             fix="move the file elsewhere; the generator rewrites only SYNTHETIC_* files")
        for p in sorted(folder.iterdir()):
            if p.is_file() and (p.name == METADATA_FILE or p.name.startswith("SYNTHETIC_")):
                p.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _mess_notes() -> str:
    m = C.MESS
    return (
        f"Realistic mess, at fixed rates (analysis.synthetic.config.MESS): {m['birthday_year_only']:.0%} of birthdays "
        f"year-only and {m['birthday_year_month']:.0%} year-month; {m['latin_name_russian_style']:.0%} of Latin names "
        f"in Russian-style transliteration; {m['sentence_typo']:.0%} of English sentences with a typo ('yers', "
        f"'monhts'); half-year sentences written '4 1/2 years' ({m['sentence_fraction_style']:.0%} of them) and "
        f"sentences under 4 years written in months, e.g. '19 months' ({m['sentence_months_style']:.0%} of them); "
        f"{m['charge_lowercase_art']:.0%} of English charges with lower-case 'art.'; exactly one exact duplicated "
        f"row in the 2025-12-31 machine export (a copy placed right after the record)."
    )


def _calibration_notes(population: Population) -> str:
    anchors = population.anchors
    ids = ", ".join(f for a in anchors for f in a.figure_ids)
    return (
        f"Calibrated to real published figures from the ledger (data/raw/figures): the number of people active on "
        f"each date follows Viasna's published {METRIC_CURRENT} ({len(anchors)} dated figures, "
        f"{anchors[0].date}..{anchors[-1].date}; figure_ids {ids}), interpolated linearly between them, ramping from "
        f"an ASSUMED {RAMP_START_VALUE} at {RAMP_START_DATE}, flat after {anchors[-1].date}, within 3% at every month-end and exact at every "
        f"figure date; the release waves in data/raw/releases/2026-11-22/release_events.csv happen on their dates "
        f"with their sizes and destinations; nine deaths in custody match Viasna's cumulative counts (at least 6 by "
        f"2024-07-03, 8 at 2025-05-22, 9 by 2025-09-19; 4 in 2024, 2 in 2025); yearly additions approximate "
        f"Viasna's newly recognised (889 in 2022, 509 in 2025) and totals (3,697 by the end of 2024). "
        f"Assumptions are in analysis/synthetic/config.py."
    )


def _synthetic_meta(folder: Path, day: dt.date, source: str, title: str, files, notes: str, seed: int):
    return SnapshotMetadata(
        source=source, snapshot_date=day, synthetic=True,
        producer=f"this project's deterministic generator (analysis.synthetic, seed {seed})",
        title=title, url="", retrieved=day, licence="CC0 (synthetic)", files=tuple(files), notes=notes,
    )


SHAPE_FILES = {
    "machine_csv": ("{date}.csv", "machine export CSV: MACHINE_COLUMNS header, UTF-8 without BOM, comma, LF; "
                                  "articles joined by line breaks; prison = title, line break, address"),
    "public_table_ru": ("{date}_public_ru.csv", "public table saved as CSV with Russian headers: Windows-1251, "
                                                "semicolon, LF; names in Russian Cyrillic, dates DD.MM.YYYY "
                                                "(partial birthdays YYYY or MM.YYYY), charges in Russian joined "
                                                "by '; ', prison = title; address; no id or url"),
    "flattened_json": ("{date}.json", "flattened JSON array (JSON_KEYS), UTF-8, indent 1; one charge per "
                                      "articles/N slot; 'FALSE' as null in photo, articles, prison, prison/address"),
}


def write_snapshot(population: Population, raw_root: Path, day: dt.date, shape: str) -> Path:
    folder = Path(raw_root) / "registry" / day.isoformat()
    _prepare(folder)
    pattern, shape_note = SHAPE_FILES[shape]
    path = folder / ("SYNTHETIC_registry_" + pattern.format(date=day.isoformat()))
    duplicated = None
    if shape == "machine_csv":
        rows, duplicated = write_machine_csv(population, day, path)
    elif shape == "public_table_ru":
        rows = write_public_ru(population, day, path)
    else:
        rows = write_flattened_json(population, day, path)
    people = _present(population, day)
    active = sum(status_at(p, day) == "active" for p in people)
    dup_note = f" Record id {duplicated} appears twice (the planted duplicate)." if duplicated else ""
    notes = (
        f"SYNTHETIC: every row is a generated person (generated names, dates, charges, courts and addresses); no "
        f"row describes a real individual, and no real person's name occurs. Do not cite these rows as facts. "
        f"Shape: {shape_note}. {len(people)} people detained by {day} ({active} active, "
        f"{sum(status_at(p, day) == 'former' for p in people)} former, {sum(p.category == 'np' for p in people)} np)"
        f"; {rows} rows.{dup_note} " + _calibration_notes(population) + " " + _mess_notes()
    )
    file = describe_file(path, f"SYNTHETIC registry copy as of {day} ({shape})")
    write_metadata(folder, _synthetic_meta(
        folder, day, "registry", f"SYNTHETIC registry of political prisoners in Belarus as of {day} ({shape})",
        [file], notes, population.seed))
    return folder


def write_records_snapshot(population: Population, raw_root: Path) -> Path:
    day = C.RELEASE_RECORDS_DATE
    folder = Path(raw_root) / "releases" / day.isoformat()
    _prepare(folder)
    path = folder / RECORDS_FILE
    rows = write_release_records(population, path)
    in_waves = sum(1 for p in population.persons if p.event_id)
    notes = (
        f"SYNTHETIC: one row per generated person released by {day} (record_id = the person's id in the SYNTHETIC "
        f"registry snapshots), {rows} rows, {in_waves} of them members of the real release waves in "
        f"release_events.csv (event_id), with the waves' real sizes, dates and destination splits (e.g. "
        f"2025-12-13: 114 ukraine + 9 lithuania, at least 18 without documents -> 18 'true'). Deaths in custody are "
        f"not releases and are not listed. Mechanisms: end_of_term, pardon, pardon_with_expulsion, other (released "
        f"at or before a non-custodial verdict, or early). documents_withheld is 'unknown' for wave members where no "
        f"source says, 'false' for releases inside Belarus outside waves (a generator convention). "
        f"identity_publishable is false for about {C.IDENTITY_NOT_PUBLISHABLE:.0%} (people who asked that their "
        f"names not be published; generated at random). Wave treatment: "
        + "; ".join(f"{w.event_id}: {w.treatment}" for w in population.waves) + ". "
        + _calibration_notes(population)
    )
    file = describe_file(path, "SYNTHETIC person-level release records: record_id, release_date, mechanism, "
                               "destination, documents_withheld, identity_publishable, event_id")
    write_metadata(folder, _synthetic_meta(
        folder, day, "releases", "SYNTHETIC person-level release records, 2020-2026", [file], notes,
        population.seed))
    return folder


def generate_sample(raw_root: Path, seed: int = C.DEFAULT_SEED, *, inputs_root: Path | None = None) -> list[Path]:
    """Write the SYNTHETIC registry snapshots and release records under `raw_root`; return the folders.

    The real inputs (figures ledger, release events) are read from `inputs_root` (default: raw_root).
    Deterministic: the same seed and inputs give byte-identical files. Only SYNTHETIC folders are
    overwritten.
    """
    inputs_root = Path(inputs_root) if inputs_root is not None else Path(raw_root)
    population = build_population(read_ledger(inputs_root), read_release_events(inputs_root), seed)
    folders = [write_snapshot(population, raw_root, day, shape) for day, shape in C.SNAPSHOTS]
    folders.append(write_records_snapshot(population, raw_root))
    return folders
