"""Where things live. The project root is ANALYSIS_ROOT if set, else this checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


PACKAGE_DIR = Path(__file__).resolve().parents[1]        # src/analysis: code, templates, assets
CHECKOUT_DIR = PACKAGE_DIR.parents[1]                     # the checkout the package is installed from


def _default_root() -> Path:
    if os.environ.get("ANALYSIS_ROOT"):
        return Path(os.environ["ANALYSIS_ROOT"]).resolve()
    checkout = CHECKOUT_DIR
    if (checkout / "pyproject.toml").exists() and (checkout / "data").is_dir():
        return checkout
    return Path.cwd().resolve()


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def decisions(self) -> Path:
        """Human decisions kept as data (analysis.core.decisions); `analysis init` copies the defaults."""
        return self.root / "decisions"

    @property
    def corrections(self) -> Path:
        return self.decisions / "corrections.csv"

    @property
    def ingest(self) -> Path:
        """The published ingest build (a link swapped in one step when a new build is complete)."""
        return self.processed / "ingest"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        """The step notebooks (analysis.cycle.steps.STEPS), executed into each build by `analysis run`."""
        return self.root / "notebooks"

    def relative(self, path: Path) -> str:
        """Repository-relative POSIX path, so data files never carry a machine's absolute paths."""
        try:  # abspath, not resolve: a published reports/<period> link keeps its own name
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()


def project_paths(root: str | Path | None = None) -> ProjectPaths:
    return ProjectPaths(Path(root).resolve() if root else _default_root())
