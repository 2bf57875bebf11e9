"""The stats run: each document's translation progress in every language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import catalog, runs
from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.stats import Progress as Counts
from pipeline.stats import progress as count_progress
from pipeline.workspace import discover_sources, read_bytes, read_catalog

__all__ = ["Report", "progress_template", "stats"]


@dataclass(frozen=True, slots=True)
class Report:
    """The translation progress of one document in one language, or why it is unknown."""

    document: str
    language: str
    progress: Counts | None
    error: PipelineError | None = None


def stats(config: Config) -> Iterator[Report]:
    """The progress of every document in every language, from its source and catalog.

    Counts come from the current source, so a catalog not yet re-extracted shows the
    changed messages as untranslated.  An unreadable document or catalog gives a report
    with an error.
    """
    for code in config.languages:
        catalog.language_info(code)
    layout = runs.layout(config)
    for rel in discover_sources(config.source_dir):
        source = runs.display_path(config, config.source_dir / rel)
        try:
            source_path = layout.source(rel)
            document = runs.parse(config, rel, read_bytes(source_path, display=source))
            pot = progress_template(config, source_path, document)
        except PipelineError as error:
            yield Report(source, "", None, runs.relative(config, error))
            continue
        for code in config.languages:
            try:
                path = layout.catalog(code, rel)
                po = read_catalog(path, display=runs.display_path(config, path))
            except PipelineError as error:
                yield Report(source, code, None, runs.relative(config, error))
                continue
            yield Report(source, code, count_progress(pot, po))


def progress_template(config: Config, source: Path, document: Document) -> polib.POFile:
    """``document``'s template, for progress counts (its creation date is not used)."""
    now = dt.datetime.now(dt.UTC)
    return catalog.template(
        document, reference=runs.display_path(config, source), project=config.project, now=now
    )
