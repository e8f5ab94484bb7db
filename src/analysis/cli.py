"""The `analysis` command: the entry point for people and schedulers.

Every subcommand calls a function that notebooks can import too; this module only parses
options, shows progress and turns errors into a clear message and a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import click
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.core import schema
from analysis.core.errors import InputError, PrivacyViolation, ValidationFailed
from analysis.core.paths import project_paths
from analysis.core.safeio import check_regular
from analysis.core.staging import unwritable
from analysis.cycle.init import init_project
from analysis.ingest.figures import read_ledger
from analysis.ingest.provenance import (SOURCES, SnapshotMetadata, check_metadata_file, describe_file, list_snapshots,
                                        verify_checksums, write_metadata)
from analysis.ingest.registry import WITHHELD_NAME, read_registry, read_registry_file
from analysis.ingest.releases import read_release_records
from analysis.publish.export import export_period
from analysis.synthetic import DEFAULT_SEED, generate_sample
from analysis.synthetic.calibration import calibration_table, dated_by_release_records
from analysis.synthetic.structure_rates import REAL_HALF, structure_comparison, structure_of_copy

# The stages that write Parquet, run notebooks or draw charts (analysis.ingest.build, analysis.cycle.*,
# analysis.publish.leakscan, analysis.core.storage) cost 0.2 to 2 s to import. They are imported inside
# the commands that use them, so that `analysis --help`, `analysis raw verify` and the re-import of this
# module in each spawned backfill worker stay quick.

# Wide enough for the tables when output goes to a file or a scheduler's log, not a terminal.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", 160))
console = Console(stderr=True, width=_WIDTH)
out = Console(width=_WIDTH)

# An existing folder: a --root pointing nowhere must not create a project by accident.
ROOT_OPTION = click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                           help="Project root, an existing folder (default: this checkout, or $ANALYSIS_ROOT).")
BUG = 70   # an error no input should cause (sysexits' EX_SOFTWARE)


def _fail(exc: Exception, code: int) -> None:
    console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(code)


class _Guarded(click.Group):
    """Bad input and failed checks end with a message, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            _fail(exc, 2)
        except (ValidationFailed, PrivacyViolation) as exc:
            _fail(exc, 3)
        except OSError as exc:   # a full disk or an unwritable folder, here or in a notebook kernel
            if (cannot_write := unwritable(exc)) is None:
                _bug(exc)
            _fail(cannot_write, 4)
        except (click.exceptions.Exit, click.exceptions.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            console.print("[bold red]interrupted:[/] nothing more was published; what was published is whole.")
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - no traceback reaches a user: a short message instead
            _bug(exc)


def _bug(exc: BaseException) -> None:
    """An error no input should cause: a short message, the traceback only when asked for."""
    if os.environ.get("ANALYSIS_DEBUG"):
        raise exc
    console.print(f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc)[:300])}\n"
                  "  This is a bug in the package, not in your data. Please report it with the command you ran "
                  "and this message (run again with ANALYSIS_DEBUG=1 to see the traceback; it may show file "
                  "contents, so check it before sharing).", highlight=False, soft_wrap=True)
    sys.exit(BUG)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="belarus-political-prisoners-analysis")
def main() -> None:
    """Count, track and publish figures on political prisoners in Belarus, traceably.

    Exit codes: 0 success, 2 bad input (the message names file, row and field), 3 a failed quality
    check or a privacy check (restricted values found in a build: nothing published), 4 outputs
    could not be written (disk full, permission denied: nothing published).
    """


@main.command()
@ROOT_OPTION
@click.option("--force", is_flag=True, help="Rebuild even if raw files and code are unchanged.")
def ingest(root: Path | None, force: bool) -> None:
    """Turn every raw snapshot in data/raw into typed Parquet under data/processed/ingest.

    Checksums are verified first; person-level tables go to the restricted area; rows read =
    rows written + rows quarantined. The previous output is replaced only when all succeeded.
    """
    from analysis.ingest.build import run_ingest

    with console.status("ingesting") as status:
        summary = run_ingest(root, progress=lambda message: status.update(f"ingesting {message}"), force=force)
    table = Table("snapshot", "file", "shape", "encoding", "read", "written", "quarantined", "field issues",
                  "active", title="Ingest (SYNTHETIC files say so in their names)")
    for row in summary.files:
        table.add_row(str(row["snapshot_date"]), Path(row["source_file"]).name, row["shape"], row["encoding"],
                      str(row["rows_read"]), str(row["rows_written"]), str(row["rows_quarantined"]),
                      str(row["field_issues"]), str(row["active"]))
    out.print(table)
    out.print(summary.line())


@main.command()
@ROOT_OPTION
@click.option("--period", default=None, help="A month (2026-02), quarter (2025-Q4) or year (2025); "
                                             "default: the latest month of the registry snapshots.")
@click.option("--force", is_flag=True, help="Rebuild even if inputs, code and parameters are unchanged.")
def run(root: Path | None, period: str | None, force: bool) -> None:
    """Run the report cycle for one period: ingest, tables, quality gate, charts, report.

    The notebooks in notebooks/ run through Papermill into a staging folder; reports/PERIOD is
    replaced in one step only if every check passed. A critical check failure exits with code 3
    and names the table, column, rule and example rows; the previous report stays as it was.
    """
    from analysis.cycle.run import run_period

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("starting", total=5)
        result = run_period(period, root, force=force, progress=lambda name, done, total: bar.update(
            task, description=f"{period or 'latest'}: {name}", completed=done, total=total))
        bar.update(task, description="published", completed=5)
    out.print(result.line(), highlight=False)


@main.command()
@ROOT_OPTION
@click.option("--from", "first", required=True, help="First period (e.g. 2020-05).")
@click.option("--to", "last", default=None, help="Last period (default: the latest month of the snapshots).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for the quality gate, charts and report.")
@click.option("--force", is_flag=True, help="Rebuild every period even if unchanged.")
def backfill(root: Path | None, first: str, last: str | None, jobs: int, force: bool) -> None:
    """Build every period in a range; periods whose inputs, code and parameters are unchanged are skipped.

    Runs the same steps as the notebooks, in-process (no executed notebook copies), ingesting once.
    Each period is published on its own when its checks pass; exits 3 if any period failed.
    """
    from analysis.cycle.backfill import periods_between, run_backfill
    from analysis.cycle.run import default_period

    last = last or default_period(root)
    total = len(periods_between(first, last))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("planning", total=total)
        result = run_backfill(first, last, root, jobs=jobs, force=force,
                              progress=lambda message: bar.update(task, description=message),
                              advance=lambda label: bar.update(task, advance=1, description=f"done {label}"))
    for label, error in sorted(result.failed.items()):
        console.print(f"[bold red]{label} not published:[/] {escape(error)}", highlight=False)
    out.print(result.line(), highlight=False)
    if result.stopped:
        sys.exit(130)
    if result.failed:
        sys.exit(3)


@main.command()
@ROOT_OPTION
@click.argument("target")
@click.option("--keep-scratch", is_flag=True, help="Keep the scratch rebuild for inspection.")
def reproduce(root: Path | None, target: str, keep_scratch: bool) -> None:
    """Rebuild a published period from data/raw and compare it with its manifest, byte for byte.

    TARGET is a period (2026-02) or the path of a MANIFEST.json. Inputs are checked against the
    manifest first (a changed raw file is named and nothing is rebuilt). Prints match or the first
    difference for every table, chart, validation summary and report; exits 1 on any mismatch.
    """
    from analysis.cycle.reproduce import reproduce as rebuild

    with console.status(f"rebuilding {target} in a scratch directory"):
        result = rebuild(target, root, keep_scratch=keep_scratch)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)
    for comparison in result.comparisons:
        verdict = "[green]match[/]" if comparison.matches else f"[red]DIFFERS[/]: {escape(comparison.difference)}"
        out.print(f"{comparison.path}: {verdict}", highlight=False)
    matched = sum(c.matches for c in result.comparisons)
    out.print(f"{result.period}: {matched}/{len(result.comparisons)} outputs reproduced byte for byte", highlight=False)
    if not result.ok:
        sys.exit(1)


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_command(directory: Path) -> None:
    """Start an empty project for real data in DIRECTORY (no SYNTHETIC sample).

    Copies the notebooks, quality suites, privacy policy and the real published figures and
    release waves; decision files start empty. Then add a copy of the list with `analysis raw add`.
    """
    init_project(directory)
    out.print(escape(f"created the project {directory}; next: add a copy of the list with\n"
                     f"  analysis raw add registry <date> <file> --root {directory} --producer ... --title ... "
                     f"--licence ...\nthen: analysis run --root {directory} --period <YYYY-MM>  "
                     f"(see {directory / 'README.md'})"), highlight=False)


@main.command("read")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the canonical person table to this Parquet file (restricted data: keep it private).")
def read_command(path: Path, output: Path | None) -> None:
    """Read one registry copy (any shape, encoding, delimiter) and report what was found."""
    from analysis.core.storage import write_parquet

    read = read_registry_file(path)
    table = read.table
    out.print(escape(f"{path}: {table.shape}, {table.encoding}, delimiter {table.delimiter!r}, "
              f"language {table.language or '-'}; snapshot {read.snapshot_date or 'unknown'}; "
              f"{'SYNTHETIC' if read.synthetic else 'real'}"), highlight=False)
    withheld = read.field_issues.filter(pl.col("reason") == WITHHELD_NAME).height
    out.print(f"rows read {read.rows_read} = written {read.persons.height} + quarantined {read.quarantine.height}; "
              f"{read.field_issues.height} field issue(s) ({withheld} of them names withheld by the source, "
              f"counted); {read.charges.height} charge(s)")
    counts = read.persons.group_by("status").len().sort("status")
    out.print(", ".join(f"{s}: {n}" for s, n in counts.iter_rows()))
    for row in read.quarantine.head(10).iter_rows(named=True):
        out.print(escape(f"  quarantined row {row['source_row']} field '{row['field']}': {row['reason']}"),
                  highlight=False)
    if output:
        write_parquet(read.persons, output, schema.PERSONS)
        out.print(f"wrote {output}")


@main.group()
def sample() -> None:
    """The embedded SYNTHETIC sample: regenerate it, check its calibration."""


@sample.command("generate")
@ROOT_OPTION
@click.option("--seed", type=int, default=None, help="Generator seed (default: the committed sample's seed).")
def sample_generate(root: Path | None, seed: int | None) -> None:
    """Regenerate the SYNTHETIC registry snapshots and release records in data/raw (deterministic)."""
    paths = project_paths(root)
    folders = generate_sample(paths.raw, seed=DEFAULT_SEED if seed is None else seed)
    for folder in folders:
        out.print(f"wrote {paths.relative(folder)}")


@sample.command("calibration")
@ROOT_OPTION
@click.option("--snapshot", default=None, help="Registry snapshot date to calibrate (default: the latest).")
@click.option("--published-only", is_flag=True, help="Only rows with a published figure (not interpolated months).")
def sample_calibration(root: Path | None, snapshot: str | None, published_only: bool) -> None:
    """Print the sample's counts against published figures, and its structure against a real copy's.

    First table: month, published, synthetic and deviation (a `former` record without a release date
    is dated by the person-level release records, as the report does). Second table: each structural
    rate of the copy (undated formers, detention after the verdict, scheduled appeals ...) beside the
    anonymised real half of a copy of 2023-02 in data/raw/real_structure, the difference and the
    tolerance; rows that cannot be measured in the half say so. Exits 3 if either is out of tolerance.
    """

    paths = project_paths(root)
    snapshots = list_snapshots(paths.raw, "registry")
    if not snapshots:
        raise InputError(paths.raw / "registry", "no registry snapshots",
                         fix="the calibration compares the SYNTHETIC sample with published figures: run it in the "
                             "package checkout, or regenerate the sample there with `analysis sample generate`")
    chosen = snapshots[-1] if snapshot is None else next(
        (m for m in snapshots if m.snapshot_date.isoformat() == snapshot), None)
    if chosen is None:
        raise InputError(paths.raw / "registry", f"no snapshot dated {snapshot}",
                         fix="pick one of " + ", ".join(m.snapshot_date.isoformat() for m in snapshots))
    copy = chosen.file_paths()[0]
    persons = dated_by_release_records(read_registry(copy), read_release_records(paths.raw))
    table = calibration_table(persons, read_ledger(paths.raw))
    if published_only:
        table = table.filter(table["kind"] == "published")
    view = Table(title=f"Calibration of {copy.name} against published figures")
    for column in ("month", "as_of", "metric", "kind", "published or target", "synthetic", "deviation", "within ±3%"):
        view.add_column(column)
    for row in table.iter_rows(named=True):
        deviation = row["deviation"]
        view.add_row(str(row["month"]), str(row["as_of"]), row["metric"], row["kind"],
                     str(row["published"]) if row["published"] is not None else f"{row['target']:.1f}",
                     str(row["synthetic"]), "" if deviation is None else f"{deviation:+.2%}",
                     "yes" if row["within_tolerance"] else "[red]NO[/]")
    out.print(view)
    worst = table["deviation"].abs().max()
    outside = table.filter(~table["within_tolerance"]).height
    out.print(f"{table.height} rows; largest deviation {worst:.2%}; {outside} outside tolerance")

    half = paths.raw.joinpath(*REAL_HALF)
    comparison = structure_comparison(structure_of_copy(copy), structure_of_copy(half) if half.exists() else None)
    view = Table(title=f"Structure of {copy.name} against the anonymised real half"
                       + ("" if half.exists() else " (not found: data/raw/" + "/".join(REAL_HALF) + ")"))
    for column in ("rate", "sample", "real half", "difference", "tolerance", "within", "note"):
        view.add_column(column, overflow="fold")

    def share(numerator, denominator, value) -> str:
        return "" if numerator is None else (f"{value:.2%} ({numerator}/{denominator})" if value is not None
                                             else f"- (0/{denominator})")

    for row in comparison.iter_rows(named=True):
        within = row["within_tolerance"]
        view.add_row(row["rate"], share(row["sample_numerator"], row["sample_denominator"], row["sample"]),
                     share(row["real_numerator"], row["real_denominator"], row["real"]),
                     "" if row["difference"] is None else f"{row['difference'] * 100:+.1f} pts",
                     row["tolerance"], "" if within is None else ("yes" if within else "[red]NO[/]"),
                     escape(row["note"]))
    out.print(view)
    structure_outside = comparison.filter(comparison["within_tolerance"].fill_null(True).not_()).height
    tested = comparison["within_tolerance"].is_not_null().sum()
    out.print(f"{comparison.height} structural rates; {tested} with a tolerance, {structure_outside} outside it")
    if outside:
        raise ValidationFailed("the sample is not calibrated within tolerance")
    if structure_outside:
        raise ValidationFailed("the sample's structure is not within tolerance of the real half's")


@main.group()
def raw() -> None:
    """Add raw copies with provenance, and verify their checksums."""


@raw.command("add")
@ROOT_OPTION
@click.argument("source", type=click.Choice(["registry", "releases", "figures"]))
@click.argument("snapshot_date", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--producer", required=True, help="Who produced the data (e.g. 'Human Rights Center Viasna').")
@click.option("--title", required=True)
@click.option("--url", default="", help="Where it was taken from.")
@click.option("--licence", required=True, help="Terms under which it may be used.")
@click.option("--retrieved", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date retrieved (default: today).")
@click.option("--notes", default="")
def raw_add(root, source, snapshot_date, files, producer, title, url, licence, retrieved, notes) -> None:
    """Copy FILES exactly as received into data/raw/SOURCE/SNAPSHOT_DATE/ with metadata.yaml."""
    from analysis.publish.leakscan import check_file_names

    paths = project_paths(root)
    folder = paths.raw / source / snapshot_date.date().isoformat()
    if os.path.lexists(folder):
        raise InputError(folder, "this snapshot folder already exists; raw data is never overwritten",
                         fix="use another snapshot date, or remove the folder deliberately first")
    names = [path.name for path in files]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise InputError(twice, "two of the files have this name; one would replace the other",
                         fix="rename one of them, then add them again")
    for path in files:
        check_regular(path)   # a plain file: no link, pipe or device
    check_file_names(paths, list(files), source)
    retrieved_on = retrieved.date() if retrieved else dt.date.today()
    if retrieved_on > dt.date.today() or snapshot_date.date() > retrieved_on:
        raise InputError(snapshot_date.date().isoformat(), f"a copy dated {snapshot_date.date()} and retrieved on "
                                                           f"{retrieved_on} cannot be: a copy is taken on or before the "
                                                           "day it is retrieved, and not in the future",
                         fix="check the snapshot date and --retrieved")
    staging = folder.parent / f".{folder.name}.adding"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        copied = []
        for path in files:
            shutil.copyfile(path, staging / path.name)
            copied.append(describe_file(staging / path.name))
        write_metadata(staging, SnapshotMetadata(
            source=source, snapshot_date=snapshot_date.date(), producer=producer, title=title, url=url,
            retrieved=retrieved_on, licence=licence, files=tuple(copied), synthetic=False, notes=notes))
        check_metadata_file(staging / "metadata.yaml")   # dates, names and values, as ingest will read them
        staging.rename(folder)       # the snapshot appears whole, or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    out.print(f"added {len(copied)} file(s) to {paths.relative(folder)} with metadata.yaml")


@raw.command("verify")
@ROOT_OPTION
def raw_verify(root: Path | None) -> None:
    """Check every raw file against the sha256 in its snapshot's metadata.yaml."""
    paths = project_paths(root)
    count = 0
    for source in SOURCES:
        for meta in list_snapshots(paths.raw, source):
            verify_checksums(meta)
            count += len(meta.files)
    out.print(f"{count} raw file(s) match their recorded sha256")


@main.command("export")
@ROOT_OPTION
@click.option("--period", required=True, help="A published period: a month (2026-02), quarter (2025-Q4) or year.")
@click.option("--table", "tables", multiple=True, metavar="NAME",
              help="A public table to export (repeat for several; default: all of the period's tables).")
@click.option("--to", "target", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSV files (created if missing).")
def export(root: Path | None, period: str, tables: tuple[str, ...], target: Path) -> None:
    """Write a published period's public tables as CSV for spreadsheets.

    Reads only reports/PERIOD/tables/ (counts, no names). Files are UTF-8 with a byte-order mark
    so Excel shows Cyrillic; a text cell starting with = + - @ (or a tab/CR) gets a leading ' so it
    cannot run as a formula. Exits 2 if the period is not published.
    """
    for path in export_period(period, target, root=root, tables=tables or None):
        out.print(f"wrote {escape(str(path))}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    main()
