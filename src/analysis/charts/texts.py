"""The words of each chart, kept as data in texts.yaml beside this module: a title and how to read it.

The file is read once per process. Its shape is checked here (each entry: a non-empty `title` and
`reading`, nothing else); that it has an entry for every registered chart and for no other is checked by
`analysis.charts.registry` when it loads (`check_texts`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
FIELDS = ("title", "reading")


@dataclass(frozen=True)
class ChartText:
    title: str     # the chart's heading; the caption starts with it and the period
    reading: str   # how to read the chart: the caption's body in the report


def read_texts(path: Path) -> dict[str, ChartText]:
    """chart id -> its texts, in the file's order; ValueError naming the file and entry if malformed."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected a mapping of chart id -> {{title, reading}}")
    texts: dict[str, ChartText] = {}
    for chart_id, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) != set(FIELDS):
            keys = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise ValueError(f"{path}: {chart_id!r} needs exactly {', '.join(FIELDS)} (has {keys})")
        for field in FIELDS:
            if not isinstance(entry[field], str) or not entry[field].strip():
                raise ValueError(f"{path}: {chart_id!r} has no text for {field!r}")
        texts[str(chart_id)] = ChartText(title=entry["title"], reading=entry["reading"])
    return texts


@functools.cache
def chart_texts() -> dict[str, ChartText]:
    """The texts of texts.yaml, read once."""
    return read_texts(TEXTS_FILE)


def check_texts(texts: dict[str, ChartText], chart_ids: Iterable[str], where: Path = TEXTS_FILE) -> None:
    """ValueError unless `texts` has an entry for every chart id and for nothing else."""
    ids = list(chart_ids)
    missing = [chart_id for chart_id in ids if chart_id not in texts]
    unknown = [chart_id for chart_id in texts if chart_id not in ids]
    if missing or unknown:
        problems = ([f"no title and reading for {', '.join(missing)}"] if missing else []) + (
            [f"texts for charts not in the registry: {', '.join(unknown)}"] if unknown else [])
        raise ValueError(f"{where}: {'; '.join(problems)}")
