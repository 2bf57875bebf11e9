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
from pipeline.errors import CatalogError, PipelineError, SourceError
from pipeline.memory import Memory
from pipeline.splice import splice
from pipeline.stats import Progress, progress
from pipeline.workspace import Layout, discover_sources, read_catalog, read_source, write_if_changed

__all__ = ["Outcome", "Report", "build", "extract", "stats"]

Status = Literal["written", "unchanged", "failed", "skipped"]


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
    #: Why a build skipped the file (``skipped`` status), for people.
    note: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """The translation progress of one document in one language, or why it is unknown."""

    document: str
    language: str
    progress: Progress | None
    error: PipelineError | None = None


def extract(config: Config, *, now: dt.datetime) -> Iterator[Outcome]:
    """Write each document's POT template and its catalog for every language.

    New entries are pre-filled from the translation memory: the other catalogs of the
    language (unless ``config.translation_memory`` is off) and ``config.compendia``.
    A document that cannot be parsed, or a catalog that cannot be read, fails alone:
    its files are left untouched and the others are processed.  A compendium that
    cannot be read stops the run before anything is written.
    """
    languages = [catalog.language_info(code) for code in config.languages]
    layout = _layout(config)
    sources = discover_sources(config.source_dir)
    known: dict[Path, polib.POFile | None] = {}
    memories = {
        language.code: _memory(config, layout, sources, language.code, known)
        for language in languages
    }
    for rel in sources:
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
            display = _display(config, path)
            try:
                old = known[path] if path in known else read_catalog(path, display=display)
            except PipelineError as error:
                yield Outcome(display, "failed", error)
                continue
            po = catalog.update(
                pot,
                old,
                language=language,
                now=now,
                memory=memories[language.code],
                origin=display,
                purge_after=config.purge_obsolete_after,
            )
            yield _write(config, path, pofile.format_po(po, width=_width(config, path, old)))


def _memory(
    config: Config,
    layout: Layout,
    sources: list[Path],
    code: str,
    known: dict[Path, polib.POFile | None],
) -> Memory | None:
    """The translation memory for ``code``; the catalogs it reads are kept in ``known``.

    A catalog that cannot be read is left out here; its own document reports it.
    """
    found: list[tuple[str, polib.POFile]] = []
    if config.translation_memory:
        for rel in sources:
            path = layout.catalog(code, rel)
            try:
                known[path] = read_catalog(path, display=_display(config, path))
            except PipelineError:
                continue
            if known[path] is not None:
                found.append((_display(config, path), known[path]))
    for path in config.compendia:
        compendium = _compendium(config, path, code)
        if compendium is not None:
            found.append((_display(config, path), compendium))
    return Memory(found) if found else None


def _compendium(config: Config, path: Path, code: str) -> polib.POFile | None:
    """The compendium at ``path`` if it serves ``code`` (its ``Language`` header says so).

    A compendium without a ``Language`` header serves the only target language; with
    several, which one it is for cannot be told, and that is an error.
    """
    display = _display(config, path)
    po = read_catalog(path, display=display)
    if po is None:
        raise CatalogError(
            "the compendium does not exist", path=display, hint="check --compendium or compendia"
        )
    language = po.metadata.get("Language", "").strip()
    if not language and len(config.languages) > 1:
        raise CatalogError(
            "the compendium has no Language header, so its language is unknown",
            path=display,
            hint="add a 'Language: xx' line to its header",
        )
    return po if not language or _same_language(language, code) else None


def _same_language(first: str, second: str) -> bool:
    return first.replace("-", "_").lower() == second.replace("-", "_").lower()


def _width(config: Config, path: Path, old: polib.POFile | None) -> int | None:
    """The wrap width for the catalog at ``path`` (``old``, parsed): the configured one,
    else the file's own; None (unwrapped) for a new file."""
    if config.width is not None:
        return config.width or None
    if old is None:
        return None
    try:
        return pofile.detect_width(path.read_text(encoding="utf-8"), old)
    except (OSError, UnicodeDecodeError, PipelineError):
        return None


def stats(config: Config) -> Iterator[Report]:
    """The progress of every document in every language, from its source and catalog.

    Counts come from the current source, so a catalog not yet re-extracted shows the
    changed messages as untranslated.  An unreadable document or catalog gives a report
    with an error.
    """
    for code in config.languages:
        catalog.language_info(code)
    layout = _layout(config)
    for rel in discover_sources(config.source_dir):
        source = _display(config, layout.source(rel))
        try:
            pot = _template(config, layout, rel, _parse(config, rel))
        except PipelineError as error:
            yield Report(source, "", None, error)
            continue
        for code in config.languages:
            path = layout.catalog(code, rel)
            try:
                po = read_catalog(path, display=_display(config, path))
            except PipelineError as error:
                yield Report(source, code, None, error)
                continue
            yield Report(source, code, progress(pot, po))


def _template(config: Config, layout: Layout, rel: Path, document: Document) -> polib.POFile:
    """``document``'s template, for progress counts (its creation date is not used)."""
    reference = _display(config, layout.source(rel))
    now = dt.datetime.now(dt.UTC)
    return catalog.template(document, reference=reference, project=config.project, now=now)


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
    skipped = _below_threshold(config, _template(config, layout, rel, document), po, code)
    if skipped:
        if output.is_file():
            output.unlink()
            skipped += "; the old output was removed"
        return Outcome(display, "skipped", note=skipped)
    result = splice(document, catalog.translations(po) if po is not None else {})
    written = write_if_changed(output, result.text.encode("utf-8"))
    return Outcome(
        display,
        "written" if written else "unchanged",
        problems=result.problems,
        translated=result.translated,
        segments=len(document.segments),
    )


def _below_threshold(config: Config, pot: polib.POFile, po: polib.POFile | None, code: str) -> str:
    """Why the document is not published in ``code``, or ``""`` when it is."""
    threshold = config.threshold(code)
    if threshold <= 0:
        return ""
    share = progress(pot, po).percent
    if share >= threshold:
        return ""
    return f"{share:.1f}% of source words translated, below the {threshold:g}% threshold"


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
    return _write(config, path, pofile.format_po(pot, width=_width(config, path, old)))


def _write(config: Config, path: Path, text: str) -> Outcome:
    written = write_if_changed(path, text.encode("utf-8"))
    return Outcome(_display(config, path), "written" if written else "unchanged")
