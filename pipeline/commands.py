"""The extract and build runs over a project, one outcome per file; the CLI reports them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polib

from pipeline import catalog, pofile
from pipeline.checks import Problem
from pipeline.config import Config
from pipeline.document import Document, parse_document
from pipeline.errors import PipelineError, SourceError
from pipeline.splice import splice
from pipeline.workspace import Layout, discover_sources, read_catalog, read_source, write_if_changed

__all__ = ["Outcome", "build", "extract"]

Status = Literal["written", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: written, unchanged, or failed with ``error``.

    ``problems`` are translations a build refused (the source text was kept).
    """

    path: str
    status: Status
    error: PipelineError | None = None
    problems: tuple[Problem, ...] = field(default=())
    translated: int = 0
    segments: int = 0


def extract(config: Config, *, now: dt.datetime) -> Iterator[Outcome]:
    """Write each document's POT template and its catalog for every language.

    A document that cannot be parsed, or a catalog that cannot be read, fails alone:
    its files are left untouched and the others are processed.
    """
    languages = [catalog.language_info(code) for code in config.languages]
    layout = _layout(config)
    for rel in discover_sources(config.source_dir):
        try:
            document = _parse(config, rel)
        except PipelineError as error:
            yield Outcome(_display(config, layout.source(rel)), "failed", error)
            continue
        pot = catalog.template(
            document,
            reference=_display(config, layout.source(rel)),
            project=config.project,
            now=now,
        )
        yield _write_template(config, layout.template(rel), pot)
        for language in languages:
            path = layout.catalog(language.code, rel)
            try:
                old = read_catalog(path, display=_display(config, path))
            except PipelineError as error:
                yield Outcome(_display(config, path), "failed", error)
                continue
            po = catalog.update(pot, old, language=language, now=now)
            yield _write(config, path, pofile.format_po(po))


def build(config: Config) -> Iterator[Outcome]:
    """Write each document localized into every language.

    Untranslated and fuzzy segments keep the source text; a document without a catalog
    is copied as it is.  A catalog that cannot be read fails that output only.
    """
    for code in config.languages:
        catalog.language_info(code)
    layout = _layout(config)
    for rel in discover_sources(config.source_dir):
        try:
            document = _parse(config, rel)
        except PipelineError as error:
            yield Outcome(_display(config, layout.source(rel)), "failed", error)
            continue
        for code in config.languages:
            yield _build_one(config, layout, rel, document, code)


def _build_one(config: Config, layout: Layout, rel: Path, document: Document, code: str) -> Outcome:
    output = layout.output(code, rel)
    display = _display(config, output)
    if output.resolve() == layout.source(rel).resolve():
        error = SourceError(
            "the output would overwrite its source", path=display, hint="pick another --output"
        )
        return Outcome(display, "failed", error)
    try:
        po = read_catalog(
            layout.catalog(code, rel), display=_display(config, layout.catalog(code, rel))
        )
    except PipelineError as error:
        return Outcome(display, "failed", error)
    result = splice(document, catalog.translations(po) if po is not None else {})
    written = write_if_changed(output, result.text.encode("utf-8"))
    return Outcome(
        display,
        "written" if written else "unchanged",
        problems=result.problems,
        translated=result.translated,
        segments=len(document.segments),
    )


def _layout(config: Config) -> Layout:
    return Layout(config.source_dir, config.locales_dir, config.output_dir)


def _display(config: Config, path: Path) -> str:
    """``path`` relative to the project root, with ``/``: how references and messages show it."""
    try:
        return Path(os.path.relpath(path, config.root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _parse(config: Config, rel: Path) -> Document:
    display = _display(config, config.source_dir / rel)
    text = read_source(config.source_dir / rel, display=display)
    return parse_document(text, path=display, keys=config.frontmatter_keys)


def _write_template(config: Config, path: Path, pot: polib.POFile) -> Outcome:
    """Write ``pot``, keeping the old creation date when nothing else changed.

    Re-running extract on unchanged sources then rewrites nothing, and catalogs keep
    the date of the last real change.
    """
    try:
        old = pofile.parse_po(path.read_text(encoding="utf-8"), path=str(path))
    except (OSError, UnicodeDecodeError, PipelineError):
        old = None
    if old is not None and "POT-Creation-Date" in old.metadata:
        created = pot.metadata["POT-Creation-Date"]
        pot.metadata["POT-Creation-Date"] = old.metadata["POT-Creation-Date"]
        if pofile.format_po(pot) != pofile.format_po(old):
            pot.metadata["POT-Creation-Date"] = created
    return _write(config, path, pofile.format_po(pot))


def _write(config: Config, path: Path, text: str) -> Outcome:
    written = write_if_changed(path, text.encode("utf-8"))
    return Outcome(_display(config, path), "written" if written else "unchanged")
