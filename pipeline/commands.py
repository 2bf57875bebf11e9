"""The extract and build runs over a project, one outcome per file; the CLI reports them."""

from __future__ import annotations

import dataclasses
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
from pipeline.errors import ConfigError, PathError, PipelineError, SourceError
from pipeline.splice import splice
from pipeline.workspace import (
    Layout,
    SourceTree,
    exclusive,
    read_catalog,
    read_source,
    remove_stale_temporaries,
    scan_sources,
    write_if_changed,
)

__all__ = ["Outcome", "build", "extract"]

Status = Literal["written", "unchanged", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: written, unchanged, failed with ``error``, or skipped
    (a symbolic link in the sources, not followed; ``error`` says why).

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
    its files are left untouched and the others are processed.  The run holds the lock
    of the locales folder (a second run fails with :class:`~pipeline.errors.LockError`)
    and first removes the temporary files a killed run left there.
    """
    catalog.language_info(config.source_lang)
    languages = [catalog.language_info(code) for code in config.languages]
    layout = _layout(config)
    tree = scan_sources(config.source_dir)
    with exclusive(config.locales_dir, display=_display(config, config.locales_dir)):
        for folder in ("templates", *config.languages):
            remove_stale_temporaries(config.locales_dir / folder)
        yield from _skipped_links(config, tree)
        for rel in tree.documents:
            yield from _extract_one(config, layout, rel, languages, now)


def _extract_one(
    config: Config,
    layout: Layout,
    rel: Path,
    languages: list[catalog.LanguageInfo],
    now: dt.datetime,
) -> Iterator[Outcome]:
    display = _display(config, config.source_dir / rel)
    try:
        document = _parse(config, layout, rel)
        pot = catalog.template(document, reference=display, project=config.project, now=now)
        template = layout.template(rel)
    except PipelineError as error:
        yield _failed(config, display, error)
        return
    yield _write_template(config, template, pot)
    for language in languages:
        try:
            path = layout.catalog(language.code, rel)
        except PipelineError as error:
            yield _failed(config, display, error)
            continue
        try:
            old = read_catalog(path, display=_display(config, path))
        except PipelineError as error:
            yield _failed(config, _display(config, path), error)
            continue
        po = catalog.update(pot, old, language=language, now=now)
        yield _write(config, path, pofile.format_po(po))


def build(config: Config) -> Iterator[Outcome]:
    """Write each document localized into every language.

    Untranslated and fuzzy segments keep the source text; a document without a catalog
    is copied as it is.  A catalog that cannot be read fails that output only.  An
    output folder that overlaps the source folder is refused with
    :class:`~pipeline.errors.ConfigError`.  The run holds the lock of the output folder
    and first removes the temporary files a killed run left there.
    """
    for code in (config.source_lang, *config.languages):
        catalog.language_info(code)
    _check_output_folder(config)
    layout = _layout(config)
    tree = scan_sources(config.source_dir)
    with exclusive(config.output_dir, display=_display(config, config.output_dir)):
        for code in config.languages:
            remove_stale_temporaries(config.output_dir / code)
        yield from _skipped_links(config, tree)
        for rel in tree.documents:
            try:
                document = _parse(config, layout, rel)
            except PipelineError as error:
                yield _failed(config, _display(config, config.source_dir / rel), error)
                continue
            for code in config.languages:
                yield _build_one(config, layout, rel, document, code)


def _check_output_folder(config: Config) -> None:
    """Refuse an output folder inside the sources (or around them).

    Outputs there would overwrite source documents, or be read back as sources by the
    next run.
    """
    source = config.source_dir.resolve()
    for code in config.languages:
        folder = (config.output_dir / code).resolve()
        if folder.is_relative_to(source) or source.is_relative_to(folder):
            raise ConfigError(
                f"the output folder {_display(config, config.output_dir / code)} overlaps "
                f"the source folder {_display(config, config.source_dir)}",
                hint="pick an --output folder outside the source folder",
            )


def _build_one(config: Config, layout: Layout, rel: Path, document: Document, code: str) -> Outcome:
    display = _display(config, config.output_dir / code / rel)
    try:
        output = layout.output(code, rel)
        path = layout.catalog(code, rel)
        if output.resolve() == layout.source(rel).resolve():
            raise SourceError(
                "the output would overwrite its source", path=display, hint="pick another --output"
            )
        po = read_catalog(path, display=_display(config, path))
    except PipelineError as error:
        return _failed(config, display, error)
    result = splice(document, catalog.translations(po) if po is not None else {})
    written = _write(config, output, result.text)
    return dataclasses.replace(
        written,
        problems=result.problems,
        translated=result.translated,
        segments=len(document.segments),
    )


def _skipped_links(config: Config, tree: SourceTree) -> Iterator[Outcome]:
    for rel in tree.links:
        path = config.source_dir / rel
        display = _display(config, path)
        error = PathError(
            f"symbolic link not followed (it points to {os.readlink(path)})",
            path=display,
            hint="put the document itself in the source folder; links could lead outside it",
        )
        yield Outcome(display, "skipped", error)


def _failed(config: Config, display: str, error: PipelineError) -> Outcome:
    """A failed outcome; an absolute path in ``error`` is shown relative to the project."""
    if error.path is not None and Path(error.path).is_absolute():
        error.path = _display(config, Path(error.path))
    return Outcome(display, "failed", error)


def _layout(config: Config) -> Layout:
    return Layout(config.source_dir, config.locales_dir, config.output_dir)


def _display(config: Config, path: Path) -> str:
    """``path`` relative to the project root, with ``/``: how references and messages show it."""
    try:
        return Path(os.path.relpath(path, config.root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _parse(config: Config, layout: Layout, rel: Path) -> Document:
    display = _display(config, config.source_dir / rel)
    text = read_source(layout.source(rel), display=display)
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
    display = _display(config, path)
    try:
        written = write_if_changed(path, text.encode("utf-8"))
    except OSError as error:  # a full disk, a read-only folder: this file fails alone
        reason = error.strerror or str(error)
        return Outcome(display, "failed", PipelineError(f"cannot write: {reason}", path=display))
    return Outcome(display, "written" if written else "unchanged")
