"""`analysis init DIR`: an empty project for real data, without the SYNTHETIC sample.

A project is a folder laid out like this checkout. `init` copies into DIR what every run needs and
nothing generated: the notebooks and quality suites; the real published-figures ledger and release
waves (data/raw snapshots whose metadata says `synthetic: false`, with their provenance); empty
human decisions (decisions/, with the corrections and the withheld list empty). The user then adds
their own copy of the list with `analysis raw add` and runs `analysis run --root DIR`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.core.errors import InputError
from analysis.ingest.provenance import PIPELINE_SOURCES, list_snapshots
from analysis.core.paths import CHECKOUT_DIR

CHECKOUT = CHECKOUT_DIR
COPIED_FOLDERS = ("notebooks", "expectations", "decisions")
DECISION_FILES = ("data/processed/README.md",)
# Header-only files: the project's own decisions about people start empty (the defaults are the sample's).
EMPTY_DECISIONS = ("decisions/corrections.csv", "decisions/withheld_records.csv")

NEXT_STEPS = """\
# A project for real data

Made by `analysis init`. It holds no copy of the list yet, and no SYNTHETIC data.

1. Add a copy of the list, exactly as received:
   `analysis raw add registry 2023-02-15 copy.json --root . --producer "Human Rights Center Viasna"
    --title "..." --url "..." --licence "..." --retrieved 2023-02-16`
2. Run the report cycle for a month the copy covers: `analysis run --root . --period 2023-01`
3. Optional: person-level release records (`data/raw/releases/<date>/release_records.csv`), later copies,
   corrections (`decisions/corrections.csv`) and withheld ids (`decisions/withheld_records.csv`); the other
   decisions (`decisions/`: counting settings, article groups, name equivalences, qualifier bounds, the
   small-count threshold) start as the package's, each with its reason (decisions/README.md).

The published figures and release waves under data/raw are real, with their sources.
"""


def init_project(target: Path, source: Path = CHECKOUT) -> list[Path]:
    """Create the project folder `target` (it must not exist or be empty); return what was written."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(target, "exists and is not an empty folder", fix="choose a new folder for the project")
    missing = [name for name in COPIED_FOLDERS if not (source / name).is_dir()]
    if missing:
        raise InputError(source, f"this installation has no {', '.join(missing)} to copy",
                         fix="run `analysis init` from a checkout of the package (pip install -e .)")
    target.mkdir(parents=True, exist_ok=True)
    written = [Path(shutil.copytree(source / name, target / name)) for name in COPIED_FOLDERS]
    for relative in DECISION_FILES:
        written.append(_copy(source / relative, target / relative))
    for relative in EMPTY_DECISIONS:
        header = (source / relative).read_text(encoding="utf-8").splitlines()[0]
        path = target / relative
        path.write_text(header + "\n", encoding="utf-8")
        written.append(path)
    for source_name in PIPELINE_SOURCES:
        for meta in list_snapshots(source / "data" / "raw", source_name):
            if not meta.synthetic:
                destination = target / "data" / "raw" / source_name / meta.directory.name
                written.append(Path(shutil.copytree(meta.directory, destination)))
    (target / "data" / "raw" / "registry").mkdir(parents=True, exist_ok=True)
    (target / "README.md").write_text(NEXT_STEPS, encoding="utf-8")
    return written + [target / "README.md"]


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
