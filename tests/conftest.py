"""Shared fixtures: the real Korean corpus beside the repository, and gettext availability."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(os.environ.get("L10N_CORPUS", REPO.parent / "shared" / "corpus"))
SEED = REPO / "source" / "business-process-outsourcing.md"

needs_gettext = pytest.mark.skipif(
    shutil.which("msgcat") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext (msgcat, msgfmt) is not installed; .ci/run installs it",
)


def corpus_files() -> list[Path]:
    """The corpus's markdown documents (its own README and manifest excluded)."""
    return sorted(path for path in CORPUS.rglob("*.md") if "content" in path.parts)


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    files = corpus_files()
    if not files:
        pytest.fail(f"the Korean corpus is missing at {CORPUS}; set L10N_CORPUS")
    return files
