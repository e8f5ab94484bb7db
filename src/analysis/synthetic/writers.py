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

from analysis.ingest import registry_format as fmt
from analysis.synthetic.calibration import METRIC_CURRENT, RAMP_START_DATE, RAMP_START_VALUE
from analysis.core.errors import InputError
from analysis.ingest.figures import read_ledger
from analysis.ingest.provenance import METADATA_FILE, SnapshotMetadata, describe_file, write_metadata
from analysis.ingest.releases import read_release_events
from analysis.synthetic import config as C
from analysis.synthetic.names import BE_LAT
from analysis.synthetic.person import LOOKALIKES, Person
from analysis.synthetic.population import Population, build_population
from analysis.synthetic.vocab import (AWAITING, CUSTODIAL, PENALTY_EN, PENALTY_RU, TREATMENT_EN, TREATMENT_RU, UNKNOWN_EN, UNKNOWN_RU,
                    Facility, fine_en, fine_ru, fine_with_term_en, fine_with_term_ru, sentence_en, sentence_ru,
                    term_with_days_en, term_with_days_ru)

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


def _days(p: Person) -> int:
    return 1 + p.id % 5


def decision_en(p: Person) -> str:
    form = p.decision_form
    if form == "unknown":
        return UNKNOWN_EN[p.id % len(UNKNOWN_EN)]
    if form == "compulsory_treatment":
        return TREATMENT_EN[p.id % len(TREATMENT_EN)]
    if form == "term_with_days":
        return term_with_days_en(p.term_months or 0, _days(p))
    if form == "fine_with_term":
        return fine_with_term_en(p.term_months or 0, 100 + 10 * (p.id % 30), p.id % 2)
    if p.regime == "fine":
        return fine_en(p.fine_units or 0, p.fine_style)
    return sentence_en(p.term_months or 0, p.sentence_style, p.typo)


def decision_ru(p: Person) -> str:
    form = p.decision_form
    if form == "unknown":
        return UNKNOWN_RU
    if form == "compulsory_treatment":
        return TREATMENT_RU
    if form == "term_with_days":
        return term_with_days_ru(p.term_months or 0, _days(p))
    if form == "fine_with_term":
        return fine_with_term_ru(p.term_months or 0, 100 + 10 * (p.id % 30))
    if p.regime == "fine":
        return fine_ru(p.fine_units or 0)
    return sentence_ru(p.term_months or 0)


def penalty_key(p: Person) -> str | None:
    """The penalty the copy writes: none for an unknown outcome, compulsory treatment instead of the regime."""
    if p.decision_form == "unknown":
        return None
    return "compulsory_treatment" if p.decision_form == "compulsory_treatment" else p.regime


def listed_name(p: Person, variant: int) -> str:
    """The name as the copy writes it: empty for an anonymous record; one letter of a Latin name typed as its
    Cyrillic look-alike where the person has one."""
    if p.anonymous:
        return ""
    name = p.name.form(variant)
    if p.cyrillic_letter is not None and variant == p.latin_variant and p.cyrillic_letter < len(name):
        i = p.cyrillic_letter
        name = name[:i] + LOOKALIKES.get(name[i], name[i]) + name[i + 1:]
    return name


def listed_gender(p: Person) -> str:
    if not p.gender_flipped:
        return p.gender
    return "male" if p.gender == "female" else "female"


def arrested_listed(p: Person, day: dt.date) -> dt.date | None:
    """No detention date for an np record that has none, and for others while they are `active`."""
    if p.arrested_withheld and (p.category == "np" or status_at(p, day) == "active"):
        return None
    return p.arrested


def release_listed(p: Person, day: dt.date) -> dt.date | None:
    status = status_at(p, day)
    if status == "former" and p.release_undated:
        return None
    if status == "active" and p.conflict_release is not None:
        return p.conflict_release if p.conflict_release <= day else None
    return p.release if p.release is not None and p.release <= day else None


def appeal_listed(p: Person, day: dt.date) -> dt.date | None:
    """An appeal hearing is listed from the verdict on (config.APPEAL_LISTED_FROM_VERDICT), so a copy can
    show one still to come."""
    if p.appeal is None or p.verdict > day or p.verdict_unlisted:
        return None
    return p.appeal if C.APPEAL_LISTED_FROM_VERDICT or p.appeal <= day else None


def sentenced_listed(p: Person, day: dt.date) -> bool:
    return p.verdict <= day and not p.verdict_unlisted


def machine_row(p: Person, day: dt.date) -> dict[str, str]:
    sentenced = sentenced_listed(p, day)
    place = facility_at(p, day)
    penalty = penalty_key(p)
    arrested = arrested_listed(p, day)
    return {
        "id": str(p.id), "url": URL_PREFIX + p.slug, "name": listed_name(p, p.latin_variant),
        "status": status_at(p, day), "gender": listed_gender(p), "photo": "", "description": DESCRIPTION,
        "birthday": birthday_text(p), "arrested": arrested.isoformat() if arrested else "",
        "articles": "\n".join(c.en() for c in p.charges),
        "prison": place.title_en + ("\n" + place.address_en if place.address_en else ""),
        "declaration": "", "decision": decision_en(p) if sentenced else "",
        "penalty": PENALTY_EN[penalty] if sentenced and penalty else "",
        "judge": p.judge.form(BE_LAT) if sentenced else "", "councel": "",
        "penalty_start_date": p.penalty_start.isoformat() if sentenced else "",
        "release_date": _iso(release_listed(p, day), day),
        "verdict_date": _iso(p.verdict, day) if sentenced else "",
        "appeal_date": _iso(appeal_listed(p, day), dt.date.max), "fake_terrorist_list": "",
        "died": _iso(p.died, day), "clusters": "",
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
    sentenced = sentenced_listed(p, day)
    place = facility_at(p, day)
    penalty = penalty_key(p)
    arrested = arrested_listed(p, day)
    return {
        "name": "" if p.anonymous else p.name.ru_cyr, "status": status_at(p, day),
        "birthday": birthday_text(p, dmy=True), "gender": listed_gender(p),
        "arrested": arrested.strftime("%d.%m.%Y") if arrested else "",
        "articles": "; ".join(c.ru() for c in p.charges), "verdict_date": _dmy(p.verdict, day) if sentenced else "",
        "decision": decision_ru(p) if sentenced else "",
        "penalty": PENALTY_RU[penalty] if sentenced and penalty else "",
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
    copies = C.MESS["duplicated_rows"].get(day.isoformat(), 0)
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
        f"row in the 2025-12-31 machine export (a copy placed right after the record). " + _structure_notes()
    )


def _structure_notes() -> str:
    f = C.DECISION_FORMS
    return (
        "Structure of real copies, at the rates measured in the anonymised real half of a copy of 2023-02 "
        "(analysis.synthetic.config; `analysis sample calibration` shows them side by side): about half of the "
        "`former` records have no release date (per person and stable across copies; by regime, home confinement "
        f"{C.UNDATED_FORMER_BY_REGIME['home']:.0%}, khimiya {C.UNDATED_FORMER_BY_REGIME['khimiya']:.0%}, colony "
        f"{C.UNDATED_FORMER_BY_REGIME['colony']:.0%} measured, odds x{C.UNDATED_FORMER_ODDS_FACTOR} so the overall "
        "share matches; the release records still date them); home confinement, suspended sentences and fines "
        f"are released at the verdict; {C.TAKEN_AFTER_VERDICT['khimiya']:.0%} of khimiya sentences (and a few "
        "arrests and colony sentences) have `arrested` after the verdict, the day the person was taken to serve; "
        "appeal dates on about 4% of records, listed from the verdict on (some after the copy's date); a few "
        "`active` records with a past release date and some without a detention date; most np records without a "
        f"detention date; decisions in the real forms: fines as '150 base rates', about {f['fine_with_term']:.2%} "
        f"with a term and a fine, {f['term_with_days']:.2%} exact terms with days, {f['unknown']:.2%} 'unknown', "
        f"{f['compulsory_treatment']:.2%} compulsory treatment; about {C.ANONYMOUS_NP_SHARE:.1%} of np records "
        "without a name (some sharing one URL); ASSUMED: "
        f"{C.GENDER_INCONSISTENT_SHARE:.2%} with the gender inconsistent with the name and "
        f"{C.LATIN_NAME_CYRILLIC_LETTER_SHARE:.2%} Latin names with one Cyrillic look-alike letter."
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
