"""Deterministic Parquet: fixed writer settings, explicit schemas, rows sorted by the caller.

Same frame in, same bytes out, on any machine with the locked library versions.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from analysis.core.staging import naming_write_errors

WRITER_SETTINGS = dict(
    compression="zstd",
    compression_level=3,
    use_dictionary=True,
    write_statistics=True,
    version="2.6",
    data_page_version="1.0",
    store_schema=False,
)


def write_parquet(frame: pl.DataFrame, path: Path, schema: dict | None = None) -> Path:
    """Write `frame` (cast to `schema` if given, column order included) with fixed settings."""
    if schema is not None:
        missing = [c for c in schema if c not in frame.columns]
        assert not missing, f"{path}: columns missing from the frame: {missing}"
        frame = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    with naming_write_errors(path):   # pyarrow's disk-full error names no file
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, **WRITER_SETTINGS)
    return path


def read_parquet(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path)
