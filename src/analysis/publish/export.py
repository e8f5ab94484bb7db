"""CSV copies of a published period's public tables, for people who work in spreadsheets.

`write_csv(frame, path)` writes UTF-8 with a byte-order mark (so Excel shows Cyrillic), LF line
ends, the frame's own row and column order, and no timestamps: the same frame gives the same
bytes. A text cell that a spreadsheet would run as a formula (one starting with = + - @, a tab
or a carriage return) gets a leading apostrophe, as OWASP's CSV-injection guidance says: the
published tables carry text from sources we do not control (quotes, titles, URLs). Numeric
columns are left alone, so a negative count stays a number.

`export_period(period, to)` exports the tables of `reports/<period>/tables/`, which hold counts
only. Nothing under data/processed/ingest (person-level, restricted) is ever read here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import polars as pl

from analysis.core import schema
from analysis.core.errors import InputError
from analysis.core.layout import BuildLayout
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.publish.access import period_folder

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def _starts_like_formula(column: pl.Expr) -> pl.Expr:
    return pl.any_horizontal(column.str.starts_with(prefix) for prefix in FORMULA_PREFIXES)


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical and list columns as plain text (lists joined with '; '), so every text cell is checked."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, (pl.Categorical, pl.Enum)):
            casts.append(pl.col(name).cast(pl.String))
        elif isinstance(dtype, pl.List):
            casts.append(pl.col(name).cast(pl.List(pl.String)).list.join("; "))
        elif dtype.is_nested():
            raise TypeError(f"column {name!r} is {dtype}: flatten it before writing CSV")
    return frame.with_columns(casts) if casts else frame


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell (and column name) that starts like a formula prefixed with "'"."""
    frame = _as_text(frame)
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    frame = frame.with_columns(
        pl.when(_starts_like_formula(pl.col(name))).then(NEUTRALISER + pl.col(name)).otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )
    return frame.rename({name: NEUTRALISER + name for name in frame.columns if name.startswith(FORMULA_PREFIXES)})


def write_csv(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write `frame` as spreadsheet-safe CSV (see the module docstring), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        neutralise_formulas(frame).write_csv(partial, include_bom=True, line_terminator="\n",
                                             date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S",
                                             null_value="")
        os.replace(partial, path)  # a reader never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    return path


def _published_tables_folder(period: str, root) -> tuple[str, Path]:
    label = Period.parse(period).label
    return label, BuildLayout(period_folder(label, root)).tables


def _read_public_table(folder: Path, name: str, reports: Path) -> pl.DataFrame:
    source = folder / f"{name}.parquet"
    if not source.is_file():
        raise InputError(source, f"table '{name}' is missing from the published period",
                         fix="run the period again (`analysis run --period ... --force`)")
    if not source.resolve().is_relative_to(reports.resolve()):
        raise InputError(source, "points outside reports/: only published tables are exported",
                         fix="rebuild the period with `analysis run`")
    frame = pl.read_parquet(source)
    leaked = sorted(set(frame.columns) & set(schema.RESTRICTED_PERSON_COLUMNS))
    if leaked:  # belt and braces: period tables are counts, never person-level columns
        raise InputError(source, f"carries restricted column(s) {', '.join(leaked)}; nothing was exported",
                         field=leaked[0], fix="rebuild the period; restricted data is never exported")
    return frame


def export_period(period: str, to: str | Path, root: str | Path | None = None,
                  tables: Iterable[str] | None = None) -> list[Path]:
    """Write the published public tables of `period` to `to`/<period>_<table>.csv; returns the files."""
    paths = project_paths(root)
    names = list(tables or schema.PERIOD_TABLES)
    unknown = [name for name in names if name not in schema.PERIOD_TABLES]
    if unknown:
        raise InputError("--table", f"no public table named '{unknown[0]}'",
                         fix=f"choose from {', '.join(schema.PERIOD_TABLES)}")
    target = Path(to)
    for folder, why in ((paths.raw, "data/raw holds files exactly as received"),
                        (paths.reports, "reports/ holds only what a checked build published"),
                        (paths.processed, "data/processed is rebuilt by ingest")):
        if target.resolve().is_relative_to(folder.resolve()):
            raise InputError(target, f"{why}; exports do not go there", fix="choose a folder outside the project's "
                                                                              "data and reports folders")
    label, folder = _published_tables_folder(period, paths.root)
    frames = {name: _read_public_table(folder, name, paths.reports) for name in names}  # all read before any write
    return [write_csv(frame, target / f"{label}_{name}.csv") for name, frame in frames.items()]
