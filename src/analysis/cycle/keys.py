"""Content addresses of a period: a build is skipped when the digest of everything it depends on is unchanged.

A period depends on the files listed by `manifest.period_input_files`, the code, the lock file, its
parameters and the bytes of the previous period's tables (which its cross-cycle checks read). Digests
are those of analysis.core.digests; the ingest's own key is analysis.ingest.build.ingest_key.
"""

from __future__ import annotations

import json

from analysis.core.digests import code_digest, digest, file_sha, files_digest
from analysis.core.layout import BuildLayout
from analysis.core.paths import ProjectPaths
from analysis.core.periods import Period
from analysis.publish.manifest import period_input_files


def period_key(paths: ProjectPaths, period: Period, previous_tables: str) -> str:
    lock = paths.root / "requirements.lock"
    return digest([
        ("period", period.label),
        ("inputs", files_digest(paths, period_input_files(paths, period, previous_tables=False))),
        ("previous_tables", previous_tables),
        ("code", code_digest()),
        ("lock", file_sha(lock) if lock.exists() else ""),
    ])


def published_key(paths: ProjectPaths, label: str) -> str | None:
    manifest = BuildLayout(paths.reports / label).manifest
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("build_key")
