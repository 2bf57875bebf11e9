"""The extract, build, check and pseudo runs over a project, one outcome per file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polib

from pipeline import anchors, catalog, checks, pofile, pseudo
from pipeline.checks import CheckOptions, Problem
from pipeline.config import Config
from pipeline.document import Document, Segment, parse_document
from pipeline.errors import PipelineError, SourceError
from pipeline.splice import splice
from pipeline.workspace import Layout, discover_sources, read_catalog, read_source, write_if_changed

__all__ = ["Outcome", "build", "check", "check_options", "extract", "fill_pseudo"]

Status = Literal["written", "unchanged", "checked", "failed"]

_Key = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: written, unchanged, or failed with ``error``.

    ``problems`` are what the checks found: errors are translations a build refused
    (the source text was kept), warnings were used.  ``checked`` is a catalog that
    ``check`` read; ``segments`` then counts its entries.
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

    Translations go through the checks first: one with an error keeps the source
    text.  Fragment links are then pointed at the translated headings' anchors (a
    document another one links to is read ahead when needed).  Untranslated and fuzzy
    segments keep the source text; a document without a catalog is copied with only
    its fragment links rewritten.  A catalog that cannot be read fails that output.
    """
    for code in config.languages:
        catalog.language_info(code)
    layout = _layout(config)
    sources = discover_sources(config.source_dir)
    links = {code: _AnchorsAhead(config, layout, code, sources) for code in config.languages}
    for rel in sources:
        try:
            document = _parse(config, rel)
        except PipelineError as error:
            yield Outcome(_display(config, layout.source(rel)), "failed", error)
            continue
        for code in config.languages:
            yield _build_one(config, layout, rel, document, code, links[code])


def _build_one(
    config: Config,
    layout: Layout,
    rel: Path,
    document: Document,
    code: str,
    links: _AnchorsAhead,
) -> Outcome:
    output = layout.output(code, rel)
    display = _display(config, output)
    if output.resolve() == layout.source(rel).resolve():
        error = SourceError(
            "the output would overwrite its source", path=display, hint="pick another --output"
        )
        return Outcome(display, "failed", error)
    try:
        accepted, problems = _reviewed(config, layout, rel, document, code)
    except PipelineError as error:
        return Outcome(display, "failed", error)
    links.remember(rel, document, accepted)
    texts, broken = anchors.rewrite_links(
        document, accepted, current=rel.as_posix(), index=links.index
    )
    # The checks ran above; rewritten fragments change link targets on purpose.
    result = splice(document, texts, review=lambda segment, text: ())
    problems += [_broken_fragment(document, link) for link in broken]
    problems += result.problems
    written = write_if_changed(output, result.text.encode("utf-8"))
    refused = {(p.path, p.line) for p in result.problems if p.severity == "error"}
    return Outcome(
        display,
        "written" if written else "unchanged",
        problems=tuple(sorted(problems, key=lambda problem: problem.line)),
        translated=sum(
            1
            for segment in document.segments
            if _is_translated(segment, accepted) and (document.path, segment.line) not in refused
        ),
        segments=len(document.segments),
    )


def _reviewed(
    config: Config, layout: Layout, rel: Path, document: Document, code: str
) -> tuple[dict[_Key, str], list[Problem]]:
    """The translations a build may use, and what the checks found in them."""
    path = layout.catalog(code, rel)
    display = _display(config, path)
    po = read_catalog(path, display=display)
    if po is None:
        return {}, []
    problems = checks.check_catalog(
        po, document=document, catalog=display, options=check_options(config, code), used_only=True
    )
    refused = {problem.entry for problem in problems if problem.severity == "error"}
    accepted = {k: v for k, v in catalog.translations(po).items() if k not in refused}
    return accepted, problems


def _is_translated(segment: Segment, accepted: Mapping[_Key, str]) -> bool:
    return accepted.get((segment.msgctxt, segment.msgid), segment.msgid) != segment.msgid


def _broken_fragment(document: Document, link: anchors.BrokenLink) -> Problem:
    return Problem(
        document.path,
        link.segment.line,
        "broken-fragment",
        f"link to {link.target} points to no heading in {link.document}; fix the fragment "
        "in the source",
        "warning",
    )


class _AnchorsAhead(Mapping[str, anchors.Anchors]):
    """Each source document's anchors in one language, worked out when first needed.

    A document's own build records its anchors; a link to a document not built yet
    reads that document and the headings of its catalog ahead of time.  Only the small
    :class:`~pipeline.anchors.Anchors` are kept, never documents.
    """

    def __init__(self, config: Config, layout: Layout, code: str, sources: Iterable[Path]):
        self._config, self._layout, self._code = config, layout, code
        self._sources = {rel.as_posix(): rel for rel in sources}
        self._found: dict[str, anchors.Anchors] = {}
        #: How links in this language find documents and their anchors.
        self.index = anchors.LinkIndex(self, config.site_prefix, config.url_maps.get(code, {}))

    def __getitem__(self, key: str) -> anchors.Anchors:
        if key not in self._found:
            self._found[key] = self._read_ahead(self._sources[key])
        return self._found[key]

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def remember(self, rel: Path, document: Document, accepted: Mapping[_Key, str]) -> None:
        style = self._config.slug_style
        self._found[rel.as_posix()] = anchors.document_anchors(document, accepted, style=style)

    def _read_ahead(self, rel: Path) -> anchors.Anchors:
        """Problems are left out here: the document's own build reports them."""
        try:
            document = _parse(self._config, rel)
            accepted, _ = _reviewed(
                self._config, self._layout, rel, _only_headings(document), self._code
            )
        except PipelineError:
            return anchors.Anchors()
        style = self._config.slug_style
        return anchors.document_anchors(document, accepted, style=style)


def _only_headings(document: Document) -> Document:
    """``document`` with only its heading segments, so only those entries are checked."""
    return dataclasses.replace(
        document, segments=tuple(s for s in document.segments if s.kind == "heading")
    )


def check_options(config: Config, code: str) -> CheckOptions:
    """The check settings of ``config`` for target language ``code``."""
    return CheckOptions(
        language=code,
        text_params=config.text_params,
        patterns=tuple(re.compile(pattern) for pattern in config.placeholder_patterns),
        url_map=dict(config.url_maps.get(code, {})),
    )


def check(config: Config, *, fuzzy: bool = False) -> Iterator[Outcome]:
    """Check every catalog of every source document; one outcome per catalog.

    Only translated entries are checked, fuzzy ones too with ``fuzzy``.  A document or
    catalog that cannot be read fails alone; a missing catalog has nothing to check.
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
            path = layout.catalog(code, rel)
            display = _display(config, path)
            try:
                po = read_catalog(path, display=display)
            except PipelineError as error:
                yield Outcome(display, "failed", error)
                continue
            if po is None:
                continue
            problems = checks.check_catalog(
                po,
                document=document,
                catalog=display,
                options=check_options(config, code),
                fuzzy=fuzzy,
            )
            entries = sum(1 for entry in po if not entry.obsolete)
            yield Outcome(display, "checked", problems=tuple(problems), segments=entries)


def fill_pseudo(config: Config, *, now: dt.datetime) -> Iterator[Outcome]:
    """Write, for every language, a catalog of pseudo-translations of every source entry.

    The catalog is updated from the sources as ``extract`` would, then every entry gets
    its pseudo-translation (see :mod:`pipeline.pseudo`).
    """
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
        for code in config.languages:
            path = layout.catalog(code, rel)
            try:
                old = read_catalog(path, display=_display(config, path))
            except PipelineError as error:
                yield Outcome(_display(config, path), "failed", error)
                continue
            po = catalog.update(pot, old, language=catalog.language_info(code), now=now)
            options = check_options(config, code)
            pseudo.fill_catalog(
                po,
                env=document.env,
                text_params=options.text_params,
                patterns=options.patterns,
            )
            yield _write(config, path, pofile.format_po(po))


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
