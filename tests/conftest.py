"""Shared fixtures: tiny registry copies written by hand, and a throw-away project root."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from analysis.cycle.init import EMPTY_DECISIONS
from analysis.ingest import registry_format as fmt
from analysis.ingest.provenance import SnapshotMetadata, describe_file, write_metadata

REPO = Path(__file__).resolve().parents[1]

# Three made-up people (SYNTHETIC test records), covering all statuses.
PEOPLE = [
    {"id": "101", "url": "https://prisoners.spring96.org/en/person/test-person-a", "name": "Maryia Testava",
     "status": "active", "gender": "female", "birthday": "1980-03-04", "arrested": "2021-05-06",
     "articles": "Part 2 of Art. 293 of the Criminal Code — Mass riots\nArt. 342 of the Criminal Code — Gross violation of public order",
     "prison": "Penal colony No. 4\n246035, Homiel, Antoshkina 3", "decision": "4 1/2 years",
     "penalty": "imprisonment in a general-security penal colony", "judge": "Judge Test", "verdict_date": "2021-11-02",
     "description": "SYNTHETIC record"},
    {"id": "205", "url": "https://prisoners.spring96.org/en/person/test-person-b", "name": "Siarhei Prykladau",
     "status": "former", "gender": "male", "birthday": "1961", "arrested": "2020-09-01",
     "articles": "Art. 361-1 of the Criminal Code — Creation of an extremist formation",
     "prison": "", "decision": "2 years 6 months", "penalty": "restricted freedom in an open penal facility",
     "verdict_date": "2021-01-15", "release_date": "2023-03-01", "description": "SYNTHETIC record"},
    {"id": "317", "url": "https://prisoners.spring96.org/en/person/test-person-c", "name": "Ivan Uzorau",
     "status": "np", "gender": "male", "birthday": "1999-12-31", "arrested": "2024-02-10",
     "articles": "", "prison": "Pre-trial detention center No. 1\n220030, Minsk, Valadarskaha 2", "decision": "",
     "penalty": "", "description": "SYNTHETIC record"},
]


def machine_csv(people=PEOPLE, *, columns=fmt.MACHINE_COLUMNS, delimiter=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for person in people:
        writer.writerow([person.get(c, "") for c in columns])
    return buffer.getvalue()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with one registry snapshot and the repo's real figures/releases raw data."""
    root = tmp_path / "project"
    for source in ("figures", "releases"):
        if (REPO / "data" / "raw" / source).is_dir():
            shutil.copytree(REPO / "data" / "raw" / source, root / "data" / "raw" / source)
    add_snapshot(root, "2026-02-28", "registry_2026-02-28.csv", machine_csv().encode("utf-8"))
    return root


def add_snapshot(root: Path, date: str, name: str, data: bytes, source: str = "registry") -> Path:
    import datetime as dt

    if not (root / "decisions").exists():   # a project holds its human decisions (the package's defaults)
        shutil.copytree(REPO / "decisions", root / "decisions")
        for about_people in EMPTY_DECISIONS:   # ... but none about the sample's people, as `analysis init` does
            header = (root / about_people).read_text(encoding="utf-8").splitlines()[0]
            (root / about_people).write_text(header + "\n", encoding="utf-8")

    folder = root / "data" / "raw" / source / date
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    write_metadata(folder, SnapshotMetadata(
        source=source, snapshot_date=dt.date.fromisoformat(date), producer="test", title="test copy", url="",
        retrieved=max(dt.date.fromisoformat(date), dt.date(2026, 3, 1)), licence="test",
        files=(describe_file(folder / name),), synthetic=True))
    return folder / name


def tree_digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """A copy of the embedded sample with `analysis ingest` already run (once per test worker)."""
    from analysis.ingest.build import run_ingest

    root = tmp_path_factory.mktemp("sample") / "project"
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "decisions", root / "decisions")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "expectations", root / "expectations", dirs_exist_ok=True)
    run_ingest(root)
    return root


def rewrite_snapshot_file(path: Path, data: bytes) -> None:
    """Replace a raw file and record its new sha256 (test fixtures only: real raw data is never edited)."""
    from analysis.ingest.provenance import read_metadata

    path.write_bytes(data)
    meta = read_metadata(path.parent)
    files = tuple(describe_file(path) if f.name == path.name else f for f in meta.files)
    write_metadata(path.parent, SnapshotMetadata(**{**meta.__dict__, "files": files, "directory": None}))


def _keep_every_tenth_person(path: Path) -> None:
    """Thin a machine-CSV snapshot to the records whose id ends in 0 (a small, consistent sample)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    kept = [rows[0]] + [r for r in rows[1:] if r[0].endswith("0")]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(kept)
    rewrite_snapshot_file(path, buffer.getvalue().encode("utf-8"))


@pytest.fixture(scope="session")
def small_project_template(tmp_path_factory) -> Path:
    """The embedded sample cut down for end-to-end runs: two machine-CSV snapshots (2025-12-31 and
    2026-02-28), every tenth person, the real figures and release waves, notebooks and suites."""
    root = tmp_path_factory.mktemp("small") / "project"
    for folder in ("data/raw/figures", "data/raw/releases", "decisions", "notebooks",
                   "expectations"):
        shutil.copytree(REPO / folder, root / folder)
    for date in ("2025-12-31", "2026-02-28"):
        shutil.copytree(REPO / "data" / "raw" / "registry" / date, root / "data" / "raw" / "registry" / date)
        _keep_every_tenth_person(next((root / "data" / "raw" / "registry" / date).glob("*.csv")))
    # The withheld list may only name people in the data (an unknown id stops a run): keep those the cut kept.
    withheld = root / "decisions" / "withheld_records.csv"
    lines = withheld.read_text(encoding="utf-8").splitlines()
    withheld.write_text("\n".join([lines[0], *(line for line in lines[1:] if line.split(",")[0].endswith("0"))]) + "\n",
                        encoding="utf-8")
    return root


@pytest.fixture
def small_project(small_project_template, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(small_project_template, root, symlinks=True)
    return root
