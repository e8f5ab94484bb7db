"""Property-based fuzzing of every reader of a file a person edits or hands us (Hypothesis).

Whatever the bytes, a reader either returns or raises the package's own InputError (which names the
file and says what to do): no other exception escapes, no example takes more than a couple of seconds,
and memory stays bounded (alias bombs and huge declared sizes are refused, not expanded).
"""

from __future__ import annotations

import csv
import io
import json
import resource
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import InputError

REPO_DECISIONS = Path(__file__).resolve().parents[2] / "decisions"
FUZZ = settings(max_examples=40, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# Characters that make readers stumble: YAML and CSV syntax, quotes, line ends of every kind, NUL, a
# byte-order mark, zero-width and bidirectional controls, Cyrillic, full-width digits.
TRICKY = st.sampled_from(list(":-&*!|>[]{},\"'#%@`\n\r\t ;=+\\/.0123456789абвЯ\u00a0\u200b\u202e\ufeff\u2028"
                              "\x00\x85\uff11xyzAZ"))
TEXT = st.text(alphabet=st.one_of(TRICKY, st.characters()), max_size=400)
BYTES = st.binary(max_size=400)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True), TEXT, st.dates().map(str))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def _yaml_documents():
    """Valid YAML of arbitrary shape, near-miss metadata (right keys, wrong values) and raw text."""
    keys = st.sampled_from(["source", "snapshot_date", "synthetic", "producer", "title", "url", "retrieved",
                            "licence", "notes", "files", "small_count_threshold", "name", "sha256", "bytes"])
    near = st.dictionaries(keys, VALUES, max_size=10).map(lambda d: yaml.safe_dump(d, allow_unicode=True))
    return st.one_of(near, VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True)), TEXT)


def _csv_documents(header: tuple[str, ...]):
    row = st.lists(TEXT, min_size=0, max_size=len(header) + 2)

    def render(rows, with_header):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if with_header:
            writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue()

    return st.one_of(st.builds(render, st.lists(row, max_size=6), st.booleans()), TEXT)


def _file(content: str | bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / name
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return path


def _only_input_errors(read, path: Path) -> None:
    try:
        read(path)
    except InputError:
        pass


@pytest.fixture(scope="module", autouse=True)
def memory_stays_bounded():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500, f"fuzzing grew the process by {grown_mb:.0f} MB"


def _metadata_folder(content) -> Path:
    path = _file(content, "metadata.yaml")
    target = path.parent / "2026-02-28"
    target.mkdir()
    path.rename(target / "metadata.yaml")
    return target


@FUZZ
@given(st.one_of(_yaml_documents(), BYTES))
def test_snapshot_metadata(content):
    from analysis.ingest.provenance import read_metadata

    _only_input_errors(read_metadata, _metadata_folder(content))


@FUZZ
@given(st.one_of(_yaml_documents(), BYTES))
def test_privacy_policy(content):
    from analysis.core.paths import project_paths
    from analysis.tables.disclosure import load_policy

    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    POLICY_FILE = Path("decisions/privacy_policy.yaml")
    (root / POLICY_FILE).parent.mkdir(parents=True)
    (root / POLICY_FILE).write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    _only_input_errors(lambda _p: load_policy(project_paths(root)), root)


@FUZZ
@given(st.one_of(_csv_documents(("record_id", "reason")), BYTES))
def test_withheld_list(content):
    from analysis.core.paths import project_paths
    from analysis.tables.disclosure import load_policy

    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    WITHHELD_FILE = Path("decisions/withheld_records.csv")
    shutil.copytree(REPO_DECISIONS, root / "decisions")
    (root / WITHHELD_FILE).write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str)
                                       else content)
    _only_input_errors(lambda _p: load_policy(project_paths(root)), root)


@FUZZ
@given(st.one_of(_csv_documents(("snapshot_date", "record", "field", "expected_value", "corrected_value", "reason",
                                 "decided_by", "decided_on")), BYTES))
def test_corrections(content):
    from analysis.ingest.corrections import read_corrections

    _only_input_errors(read_corrections, _file(content, "registry.csv"))


@FUZZ
@given(st.one_of(_csv_documents(("as_of_date", "metric", "value", "qualifier", "unit", "source_org", "source_title",
                                 "url", "quote")), BYTES))
def test_figures_ledger(content):
    from analysis.ingest.figures import read_ledger_file

    _only_input_errors(read_ledger_file, _file(content, "published_figures.csv"))


@FUZZ
@given(st.one_of(_csv_documents(("record_id", "release_date", "mechanism", "destination", "documents_withheld",
                                 "identity_publishable", "event_id")), BYTES))
def test_release_records(content):
    from analysis.ingest.releases import read_release_records_file

    _only_input_errors(read_release_records_file, _file(content, "release_records.csv"))


@FUZZ
@given(st.one_of(_csv_documents(("event_id", "date", "date_precision", "released", "political_prisoners_released",
                                 "mechanism", "destination", "expelled_to_lithuania", "expelled_to_ukraine",
                                 "without_documents", "without_documents_qualifier", "foreign_nationals", "mediator",
                                 "counts_toward_list", "source_figure_ids", "notes")), BYTES))
def test_release_events(content):
    from analysis.ingest.releases import read_release_events_file

    _only_input_errors(read_release_events_file, _file(content, "release_events.csv"))


MANIFEST_KEYS = st.sampled_from(["period", "inputs", "outputs", "code", "path", "sha256", "compared"])


@FUZZ
@given(st.one_of(st.dictionaries(MANIFEST_KEYS, VALUES, max_size=6).map(json.dumps), VALUES.map(json.dumps),
                 TEXT, BYTES))
def test_manifest(content):
    from analysis.publish.manifest import read_manifest

    _only_input_errors(read_manifest, _file(content, "MANIFEST.json"))


@FUZZ
@given(st.one_of(_csv_documents(("id", "url", "name", "status", "gender", "birthday", "arrested", "articles",
                                 "decision", "penalty", "release_date", "verdict_date", "died")),
                 VALUES.map(lambda v: json.dumps(v, ensure_ascii=False)), BYTES))
def test_registry_copy(content):
    from analysis.ingest.registry import read_registry_file

    _only_input_errors(read_registry_file, _file(content, "registry_2026-02-28.csv"))
