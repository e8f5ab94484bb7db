"""`analysis reproduce <period | MANIFEST.json>`: rebuild a published period from data/raw in a scratch
directory and compare every output with the manifest, byte for byte.

The inputs are checked first: a raw file whose sha256 differs from the manifest stops the run,
naming the file. Then the period is rebuilt with the same chain (`analysis run`) in a scratch copy
of the project, and each table, chart, validation summary and report is reported as a match or
with its first difference.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.core.digests import sha256_file
from analysis.core.errors import ChecksumMismatch, InputError
from analysis.core.layout import BuildLayout
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.cycle.run import run_period
from analysis.publish.manifest import code_version, read_manifest

COPIED = ("data/raw", "decisions", "expectations", "notebooks")


@dataclass
class Comparison:
    path: str
    matches: bool
    difference: str = ""


@dataclass
class ReproduceResult:
    period: str
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.matches for c in self.comparisons)


def _manifest_path(target: str, root) -> Path:
    candidate = Path(target)
    if candidate.suffix == ".json" and candidate.exists():
        return candidate
    path = BuildLayout(project_paths(root).reports / Period.parse(target).label).manifest
    if not path.exists():
        raise InputError(path, "no manifest for this period", fix=f"publish it first with `analysis run --period {target}`")
    return path


# Where a manifest's inputs may lie: a period is built from these folders and nothing else.
INPUT_FOLDERS = ("data/raw/", "decisions/", "expectations/", "notebooks/", "reports/")


def inside(root: Path, relative: str) -> Path:
    """`root / relative`, refused unless it stays inside `root` (links resolved)."""
    path = root / relative
    if not path.resolve().is_relative_to(root.resolve()):
        raise InputError(relative, f"leads outside {root}", fix="use the MANIFEST.json a published period wrote")
    return path


def check_inputs(manifest: dict, root: Path) -> None:
    """Every input must lie in the project's input folders and still have the sha256 the manifest recorded."""
    for entry in manifest["inputs"]:
        if not entry["path"].startswith(INPUT_FOLDERS):
            raise InputError(entry["path"], "is not in a folder a period is built from",
                             fix=f"inputs lie under {', '.join(INPUT_FOLDERS)}")
        path = inside(root, entry["path"])
        if not path.exists():
            raise ChecksumMismatch(path, "an input of the published period is missing",
                                   fix="restore it; the period cannot be reproduced without its inputs")
        actual = sha256_file(path)
        if actual != entry["sha256"]:
            raise ChecksumMismatch(path, f"sha256 is {actual}, the manifest recorded {entry['sha256']}: this input "
                                         "changed since the period was published", fix="restore the file as it was")


def _scratch_project(manifest: dict, root: Path, scratch: Path) -> Path:
    project = scratch / "project"
    for folder in COPIED:
        if (root / folder).exists():
            shutil.copytree(root / folder, project / folder)
    for entry in manifest["inputs"]:  # the previous period's published tables, for the cross-cycle checks
        if entry["path"].startswith("reports/"):
            target = inside(project, entry["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(inside(root, entry["path"]), target)
    return project


def first_difference(expected: Path, actual: Path) -> str:
    """Where two outputs first differ, in the terms of their format."""
    if not actual.exists():
        return "missing from the rebuild"
    if expected.suffix == ".parquet":
        left, right = pl.read_parquet(expected), pl.read_parquet(actual)
        if left.schema != right.schema:
            return f"schema differs: {dict(left.schema)} vs {dict(right.schema)}"
        if left.height != right.height:
            return f"{left.height} rows published, {right.height} rebuilt"
        for column in left.columns:
            differs = (left[column] != right[column]).fill_null(True) & ~(left[column].is_null() & right[column].is_null())
            if differs.any():
                row = int(differs.arg_true()[0])
                return f"row {row}, column '{column}': {left[column][row]!r} published, {right[column][row]!r} rebuilt"
        return "same values, different bytes (writer settings or library versions)"
    a, b = expected.read_bytes(), actual.read_bytes()
    offset = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if expected.suffix in (".json", ".svg", ".html", ".yaml"):
        line = a[:offset].count(b"\n") + 1
        return f"line {line}: {a.splitlines()[line - 1][:120]!r} published vs {b.splitlines()[line - 1][:120]!r} rebuilt" \
            if line <= min(len(a.splitlines()), len(b.splitlines())) else f"lengths differ at line {line}"
    return f"byte {offset} (of {len(a)} published, {len(b)} rebuilt)"


def reproduce(target: str, root: str | Path | None = None, keep_scratch: bool = False) -> ReproduceResult:
    paths = project_paths(root)
    manifest_path = _manifest_path(target, root)
    manifest = read_manifest(manifest_path)
    published = manifest_path.parent
    check_inputs(manifest, paths.root)
    result = ReproduceResult(period=manifest["period"])
    now = code_version(paths.root)
    if now["commit"] != manifest["code"]["commit"] or manifest["code"]["dirty"]:
        result.notes.append(f"code: published with {manifest['code']}, rebuilding with {now}")
    scratch = Path(tempfile.mkdtemp(prefix="analysis-reproduce-"))
    try:
        project = _scratch_project(manifest, paths.root, scratch)
        run_period(manifest["period"], project)
        rebuilt = project / "reports" / manifest["period"]
        for entry in manifest["outputs"]:
            if not entry["compared"]:
                continue
            actual = inside(rebuilt, entry["path"])
            same = actual.exists() and sha256_file(actual) == entry["sha256"]
            result.comparisons.append(Comparison(entry["path"], same, "" if same else
                                                 first_difference(inside(published, entry["path"]), actual)))
    finally:
        if keep_scratch:
            result.notes.append(f"scratch kept at {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return result
