"""The extract, build, check and pseudo runs over a project, one outcome per file.

Each source document is one task: it is read and parsed once, then turned into its
template and every language's catalog (extract) or every language's output (build).
Tasks run on ``jobs`` worker processes; their outcomes come back in document order, so
what is written and printed does not depend on ``jobs``.  With a :class:`Cache`, a task
whose files are as an earlier run left them does no work (see :mod:`pipeline.cache`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polib

from pipeline import anchors, catalog, checks, pofile, pseudo
from pipeline.cache import Cache, digest, tool_fingerprint
from pipeline.checks import CheckOptions, Problem
from pipeline.config import Config
from pipeline.document import Document, Segment, parse_document
from pipeline.errors import CatalogError, PipelineError, SourceError
from pipeline.memory import RECORD_KIND, Snapshot, SnapshotFile, memory_record
from pipeline.scheduler import ordered_map
from pipeline.splice import splice
from pipeline.stats import Progress as Counts
from pipeline.stats import progress as count_progress
from pipeline.workspace import (
    Layout,
    decode_catalog,
    decode_source,
    discover_sources,
    read_bytes,
    read_catalog,
    write_if_changed,
)

__all__ = [
    "Outcome",
    "Progress",
    "Report",
    "build",
    "check",
    "check_options",
    "extract",
    "fill_pseudo",
    "stats",
]

Status = Literal["written", "unchanged", "checked", "failed", "skipped"]
#: Called after each document with (documents done, documents in the run).
Progress = Callable[[int, int], None]

_Key = tuple[str | None, str]


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
    progress: Counts | None
    error: PipelineError | None = None


def extract(
    config: Config,
    *,
    now: dt.datetime,
    jobs: int = 1,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Iterator[Outcome]:
    """Write each document's POT template and its catalog for every language.

    New entries are pre-filled from the translation memory: the other catalogs of the
    language (unless ``config.translation_memory`` is off) and ``config.compendia``.
    A document that cannot be parsed, or a catalog that cannot be read, fails alone:
    its files are left untouched and the others are processed.  A compendium that
    cannot be read stops the run before anything is written.
    """
    languages = tuple(catalog.language_info(code) for code in config.languages)
    memories, recorded = _memories(config, languages, cache)
    recorded = recorded if cache is not None else None
    _SHARED_MEMORIES.clear()
    _SHARED_MEMORIES.update(memories)
    # The memory fills only messages new to a catalog, which needs a changed source or
    # catalog: so it is not part of the cache key (see catalog.update).
    plan = _Run(config, _fingerprint(config, cache), now, languages)
    task = functools.partial(_extract_document, plan)
    return _run(
        "extract", config, task, jobs=jobs, cache=cache, progress=progress, memory_records=recorded
    )


#: The memories of the current extract run, by language; inherited by forked workers.
_SHARED_MEMORIES: dict[str, Snapshot | None] = {}


def _memories(
    config: Config, languages: Sequence[catalog.LanguageInfo], cache: Cache | None
) -> tuple[dict[str, Snapshot | None], set[str]]:
    """Each language's memory (its catalogs, unless turned off, and the compendia), and
    the hashes of the catalogs whose memory records the cache has."""
    layout = _layout(config)
    sources = discover_sources(config.source_dir) if config.translation_memory else []
    recorded = cache.names(RECORD_KIND) if cache is not None and sources else set()
    folder = cache.folder if cache is not None else None
    memories: dict[str, Snapshot | None] = {}
    for language in languages:
        found = []
        for rel in sources:
            path = layout.catalog(language.code, rel)
            data = read_bytes(path)
            if data is not None:
                name = digest(data)
                kept = None if name in recorded else data
                found.append(SnapshotFile(_display(config, path), path, name, kept))
        compendia = [
            (_display(config, path), po)
            for path in config.compendia
            if (po := _compendium(config, path, language.code)) is not None
        ]
        memories[language.code] = Snapshot(found, compendia, folder) if found or compendia else None
    hashes = {
        file.hash
        for snapshot in memories.values()
        if snapshot is not None
        for file in snapshot.files
    }
    return memories, hashes & recorded


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


def _width(config: Config, text: bytes | None, old: polib.POFile | None = None) -> int | None:
    """The wrap width for a catalog: the configured one, else that of its old ``text``
    (``old``, parsed, if the caller has it); None (unwrapped) for a new file."""
    if config.width is not None:
        return config.width or None
    if text is None:
        return None
    try:
        return pofile.detect_width(text.decode("utf-8"), old)
    except (UnicodeDecodeError, PipelineError):
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
            source_path = layout.source(rel)
            document = _parse(config, rel, read_bytes(source_path))
            pot = _template(config, source_path, document)
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
            yield Report(source, code, count_progress(pot, po))


def _template(config: Config, source: Path, document: Document) -> polib.POFile:
    """``document``'s template, for progress counts (its creation date is not used)."""
    now = dt.datetime.now(dt.UTC)
    return catalog.template(
        document, reference=_display(config, source), project=config.project, now=now
    )


def build(
    config: Config,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Iterator[Outcome]:
    """Write each document localized into every language.

    Translations go through the checks first: one with an error keeps the source
    text.  Fragment links are then pointed at the translated headings' anchors (a
    document another one links to is read ahead when needed).  Untranslated and fuzzy
    segments keep the source text; a document without a catalog is copied with only
    its fragment links rewritten.  A catalog that cannot be read fails that output.
    """
    for code in config.languages:
        catalog.language_info(code)
    sources = discover_sources(config.source_dir)
    _SHARED_ANCHORS.clear()
    _SHARED_ANCHORS.update(
        {code: _AnchorsAhead(config, code, sources) for code in config.languages}
    )
    task = functools.partial(_build_document, _Run(config, _fingerprint(config, cache)))
    return _run("build", config, task, jobs=jobs, cache=cache, progress=progress)


# --- the scheduler side: runs in the main process ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    """What every task of a run needs; sent to the workers with each chunk of tasks."""

    config: Config
    #: Hash of the tool and the configuration, part of every cache key ("" without a cache).
    fingerprint: str
    #: Extract only: the header date of new catalogs and the target languages' header data.
    now: dt.datetime | None = None
    languages: tuple[catalog.LanguageInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class _Done:
    """A task's outcomes, and the cache record to keep for its document (None: forget it).

    ``memory`` holds the translation memory records of the catalogs an extract wrote,
    by the hash of their bytes (see :func:`pipeline.memory.memory_record`).
    """

    outcomes: tuple[Outcome, ...]
    record: Any | None
    memory: tuple[tuple[str, Any], ...] = ()


def _run(
    kind: str,
    config: Config,
    task: Callable[[tuple[Path, Any]], _Done],
    *,
    jobs: int,
    cache: Cache | None,
    progress: Progress | None,
    memory_records: set[str] | None = None,
) -> Iterator[Outcome]:
    """Discover the sources, then yield each task's outcomes in document order.

    Source discovery happens before the first outcome, so a missing source folder is an
    error of the whole command.  Cache records are read just before each task is sent
    and written, when they changed, as its result comes back.  With ``memory_records``
    (the memory records still in use before the run), the tasks' memory records are
    stored too, and at the end every other memory record is forgotten.
    """
    sources = discover_sources(config.source_dir)

    def generate() -> Iterator[Outcome]:
        sent: deque[Any] = deque()  # the records of the tasks in flight, oldest first

        def items() -> Iterator[tuple[Path, Any]]:
            for rel in sources:
                sent.append(None if cache is None else cache.get(kind, rel.as_posix()))
                yield rel, sent[-1]

        workers = max(1, min(jobs, len(sources)))
        results = ordered_map(task, items(), jobs=workers)
        for done, (rel, result) in enumerate(zip(sources, results, strict=True)):
            if cache is not None and result.record != sent.popleft():
                cache.put(kind, rel.as_posix(), result.record)
            if cache is not None and memory_records is not None:
                for name, value in result.memory:
                    if name not in memory_records:
                        cache.put(RECORD_KIND, name, value)
                        memory_records.add(name)
            yield from result.outcomes
            if progress is not None:
                progress(done + 1, len(sources))
        if cache is not None:
            cache.keep_only(kind, (rel.as_posix() for rel in sources))
            if memory_records is not None:
                cache.keep_only(RECORD_KIND, memory_records)

    return generate()


def _fingerprint(config: Config, cache: Cache | None) -> str:
    """The tool and every setting but the target languages (cache keys name those).

    Folders count relative to the project root, so a project checked out elsewhere (a CI
    runner restoring ``.l10n-cache/``) keeps its cache.
    """
    if cache is None:
        return ""
    settings = []
    for setting in dataclasses.fields(config):
        value = getattr(config, setting.name)
        if setting.name in ("root", "languages"):
            continue
        if isinstance(value, Path):
            value = _display(config, value)
        settings.append((setting.name, value))
    return digest(tool_fingerprint(), repr(settings))


# --- extract: one document, all languages; runs in a worker ------------------------------


def _extract_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    """The template and every catalog of one document.

    The cache record is the hash of the document's files after the run.  Extract leaves
    files it has written as they are when run again, so the next run may skip the
    document while its files still have that hash.
    """
    rel, recorded = item
    config, layout = run.config, _layout(run.config)
    source_path = layout.source(rel)
    source = read_bytes(source_path)
    paths = [layout.template(rel)] + [layout.catalog(code, rel) for code in config.languages]
    before = [read_bytes(path) for path in paths]
    state = _extract_state(run, rel, source, before)
    if state is not None and state == recorded:
        return _Done(tuple(Outcome(_display(config, p), "unchanged") for p in paths), state)
    try:
        document = _parse(config, rel, source)
    except PipelineError as error:
        return _Done((Outcome(_display(config, source_path), "failed", error),), None)
    assert run.now is not None
    pot = catalog.template(
        document,
        reference=_display(config, source_path),
        project=config.project,
        now=run.now,
    )
    template = _template_text(pot, before[0], width=_width(config, before[0]))
    outcomes = [_write(config, paths[0], template, durable=False)]  # made from the source
    after = [template.encode("utf-8")]
    memory: list[tuple[str, Any]] = []
    for language, path, old_bytes in zip(run.languages, paths[1:], before[1:], strict=True):
        try:
            old = decode_catalog(old_bytes, display=_display(config, path))
        except PipelineError as error:
            outcomes.append(Outcome(_display(config, path), "failed", error))
            continue
        po = catalog.update(
            pot,
            old,
            language=language,
            now=run.now,
            memory=_SHARED_MEMORIES.get(language.code),
            origin=_display(config, path),
            purge_after=config.purge_obsolete_after,
        )
        text = pofile.format_po(po, width=_width(config, old_bytes, old))
        outcomes.append(_write(config, path, text))
        after.append(text.encode("utf-8"))
        if run.fingerprint and config.translation_memory:
            memory.append((digest(after[-1]), memory_record(po)))
    failed = any(outcome.status == "failed" for outcome in outcomes)
    state = None if failed else _extract_state(run, rel, source, after)
    return _Done(tuple(outcomes), state, tuple(memory))


def _extract_state(
    run: _Run, rel: Path, source: bytes | None, files: Sequence[bytes | None]
) -> str | None:
    """The cache key of a document's extract: tool, settings, languages and file hashes."""
    if not run.fingerprint or source is None:
        return None
    return digest(run.fingerprint, rel.as_posix(), *run.config.languages, source, *files)


def _template_text(pot: polib.POFile, old_bytes: bytes | None, *, width: int | None) -> str:
    """``pot`` as text, keeping the old creation date when nothing else changed.

    Re-running extract on unchanged sources then rewrites nothing, and catalogs keep
    the date of the last real change.
    """
    try:
        old = pofile.parse_po(old_bytes.decode("utf-8"), path="") if old_bytes else None
    except (UnicodeDecodeError, PipelineError):
        old = None
    if old is not None and "POT-Creation-Date" in old.metadata:
        created = pot.metadata["POT-Creation-Date"]
        pot.metadata["POT-Creation-Date"] = old.metadata["POT-Creation-Date"]
        if pofile.format_po(pot, width=width) != pofile.format_po(old, width=width):
            pot.metadata["POT-Creation-Date"] = created
    return pofile.format_po(pot, width=width)


# --- build: one document, all languages; runs in a worker --------------------------------


def _build_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    """Every language's output of one document.

    The cache record maps each language to the hash of its inputs (source and catalog)
    and what they gave: the output's hash, the refused translations and the counts.
    """
    rel, recorded = item
    config, layout = run.config, _layout(run.config)
    source_path = layout.source(rel)
    source = read_bytes(source_path)
    source_hash = None if source is None else digest(source)
    places = {
        code: (layout.catalog(code, rel), layout.output(code, rel)) for code in config.languages
    }
    catalogs = {code: read_bytes(po_path) for code, (po_path, _) in places.items()}
    keys = {code: _build_key(run, rel, code, source_hash, catalogs[code]) for code in places}
    cached = {
        code: record
        for code, record in (recorded or {}).items()
        if code in keys and _still_valid(record, keys[code], places[code][1], _SHARED_ANCHORS[code])
    }
    document = None
    if len(cached) < len(keys):
        try:
            document = _parse(config, rel, source)
        except PipelineError as error:
            return _Done((Outcome(_display(config, source_path), "failed", error),), None)
    # Records of languages this run does not build (``-l``) stay: they are still true.
    records = {code: r for code, r in (recorded or {}).items() if code not in places}
    outcomes = []
    for code, (po_path, output) in places.items():
        if code in cached:
            outcomes.append(_replayed(config, output, cached[code]))
            records[code] = cached[code]
            continue
        assert document is not None
        links = _SHARED_ANCHORS[code]
        links.start(rel)
        outcome, data = _build_one(
            config, (rel, document), (code, po_path, catalogs[code]), output, links
        )
        outcomes.append(outcome)
        if outcome.status != "failed" and keys[code] is not None:
            records[code] = _build_record(keys[code], data, outcome, links.consulted())
    return _Done(tuple(outcomes), records or None)


def _build_key(
    run: _Run, rel: Path, code: str, source_hash: str | None, po: bytes | None
) -> str | None:
    if not run.fingerprint or source_hash is None:
        return None
    return digest(run.fingerprint, rel.as_posix(), code, source_hash, po)


def _still_valid(
    record: dict[str, Any], key: str | None, output: Path, links: _AnchorsAhead
) -> bool:
    """Whether ``record`` was made from these inputs and the output is still its file.

    The inputs include the other documents whose headings the build looked up for
    fragment links: a changed heading translation there changes this output.
    """
    if key is None or record.get("key") != key:
        return False
    data = read_bytes(output)
    if data is None or digest(data) != record.get("output"):
        return False
    return all(links.state(rel) == state for rel, state in record.get("links", {}).items())


def _build_record(
    key: str, output: bytes, outcome: Outcome, links: Mapping[str, str | None]
) -> dict[str, Any]:
    return {
        "key": key,
        "output": digest(output),
        "problems": [_problem_record(p) for p in outcome.problems],
        "translated": outcome.translated,
        "segments": outcome.segments,
        "links": dict(links),
    }


def _problem_record(problem: Problem) -> list[Any]:
    entry = None if problem.entry is None else list(problem.entry)
    fields = (problem.path, problem.line, problem.code, problem.message, problem.severity)
    return [*fields, problem.catalog, problem.catalog_line, entry]


def _replayed(config: Config, output: Path, record: dict[str, Any]) -> Outcome:
    """The outcome a build would have: the file is unchanged, the same problems apply."""
    problems = []
    for *fields, entry in record["problems"]:
        problems.append(Problem(*fields, entry=None if entry is None else tuple(entry)))
    return Outcome(
        _display(config, output),
        "unchanged",
        problems=tuple(problems),
        translated=record["translated"],
        segments=record["segments"],
    )


def _build_one(
    config: Config,
    source: tuple[Path, Document],
    catalog_file: tuple[str, Path, bytes | None],
    output: Path,
    links: _AnchorsAhead,
) -> tuple[Outcome, bytes]:
    """Check one language's translations, splice them into the document, write ``output``."""
    rel, document = source
    display = _display(config, output)
    source_path = config.source_dir / rel
    if output.resolve() == source_path.resolve():
        error = SourceError(
            "the output would overwrite its source", path=display, hint="pick another --output"
        )
        return Outcome(display, "failed", error), b""
    code, po_path, po_bytes = catalog_file
    try:
        po = decode_catalog(po_bytes, display=_display(config, po_path))
    except PipelineError as error:
        return Outcome(display, "failed", error), b""
    skipped = _below_threshold(config, _template(config, source_path, document), po, code)
    if skipped:
        if output.is_file():
            output.unlink()
            skipped += "; the old output was removed"
        return Outcome(display, "skipped", note=skipped), b""
    accepted, problems = _reviewed(config, (po_path, po), document, code)
    links.remember(rel, document, accepted)
    texts, broken = anchors.rewrite_links(
        document, accepted, current=rel.as_posix(), index=links.index
    )
    # The checks ran above; rewritten fragments change link targets on purpose.
    result = splice(document, texts, review=lambda segment, text: ())
    problems += [_broken_fragment(document, link) for link in broken]
    problems += result.problems
    data = result.text.encode("utf-8")
    written = write_if_changed(output, data, durable=False)  # made again by the next build
    refused = {(p.path, p.line) for p in result.problems if p.severity == "error"}
    translated = sum(
        1
        for segment in document.segments
        if _is_translated(segment, accepted) and (document.path, segment.line) not in refused
    )
    outcome = Outcome(
        display,
        "written" if written else "unchanged",
        problems=tuple(sorted(problems, key=lambda problem: problem.line)),
        translated=translated,
        segments=len(document.segments),
    )
    return outcome, data


def _reviewed(
    config: Config, catalog_file: tuple[Path, polib.POFile | None], document: Document, code: str
) -> tuple[dict[_Key, str], list[Problem]]:
    """The translations a build may use, and what the checks found in them."""
    path, po = catalog_file
    if po is None:
        return {}, []
    problems = checks.check_catalog(
        po,
        document=document,
        catalog=_display(config, path),
        options=check_options(config, code),
        used_only=True,
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
    :class:`~pipeline.anchors.Anchors` are kept, never documents.  Every worker process
    has its own; they agree, since both ways give the same anchors.

    For the cache, it notes which other documents the current build looked at
    (:meth:`consulted`): their source and catalog are inputs of its output.
    """

    def __init__(self, config: Config, code: str, sources: Sequence[Path]) -> None:
        self._config, self._code = config, code
        self._layout = _layout(config)
        self._sources = {rel.as_posix(): rel for rel in sources}
        self._found: dict[str, anchors.Anchors] = {}
        self._current = ""
        self._consulted: set[str] = set()
        #: How links in this language find documents and their anchors.
        self.index = anchors.LinkIndex(self, config.site_prefix, config.url_maps.get(code, {}))

    def __getitem__(self, key: str) -> anchors.Anchors:
        self._note(key)
        if key not in self._found:
            self._found[key] = self._read_ahead(self._sources[key])
        return self._found[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._note(key)
        return key in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def start(self, rel: Path) -> None:
        """Begin the build of ``rel``: forget what the previous build consulted."""
        self._current = rel.as_posix()
        self._consulted = set()

    def consulted(self) -> dict[str, str | None]:
        """The documents the current build looked up, each with :meth:`state`."""
        return {key: self.state(key) for key in sorted(self._consulted)}

    def state(self, key: str) -> str | None:
        """A hash of what ``key``'s anchors depend on; None when it is not a source."""
        rel = self._sources.get(key)
        if rel is None:
            return None
        source = read_bytes(self._layout.source(rel))
        return digest(source, read_bytes(self._layout.catalog(self._code, rel)))

    def remember(self, rel: Path, document: Document, accepted: Mapping[_Key, str]) -> None:
        style = self._config.slug_style
        self._found[rel.as_posix()] = anchors.document_anchors(document, accepted, style=style)

    def _note(self, key: str) -> None:
        if key != self._current:
            self._consulted.add(key)

    def _read_ahead(self, rel: Path) -> anchors.Anchors:
        """Problems are left out here: the document's own build reports them."""
        try:
            document = _parse(self._config, rel, read_bytes(self._layout.source(rel)))
            path = self._layout.catalog(self._code, rel)
            po = read_catalog(path, display=_display(self._config, path))
            accepted, _ = _reviewed(self._config, (path, po), _only_headings(document), self._code)
        except PipelineError:
            return anchors.Anchors()
        return anchors.document_anchors(document, accepted, style=self._config.slug_style)


#: The anchors of the current build run, by language; inherited by forked workers.
_SHARED_ANCHORS: dict[str, _AnchorsAhead] = {}


def _only_headings(document: Document) -> Document:
    """``document`` with only its heading segments, so only those entries are checked."""
    return dataclasses.replace(
        document, segments=tuple(s for s in document.segments if s.kind == "heading")
    )


# --- check and pseudo --------------------------------------------------------------------


def check_options(config: Config, code: str) -> CheckOptions:
    """The check settings of ``config`` for target language ``code``."""
    return CheckOptions(
        language=code,
        text_params=config.text_params,
        patterns=tuple(re.compile(pattern) for pattern in config.placeholder_patterns),
        url_map=dict(config.url_maps.get(code, {})),
    )


def check(config: Config, *, fuzzy: bool = False, jobs: int = 1) -> Iterator[Outcome]:
    """Check every catalog of every source document; one outcome per catalog.

    Only translated entries are checked, fuzzy ones too with ``fuzzy``.  A document or
    catalog that cannot be read fails alone; a missing catalog has nothing to check.
    """
    for code in config.languages:
        catalog.language_info(code)
    task = functools.partial(_check_document, _Run(config, ""), fuzzy)
    return _run("check", config, task, jobs=jobs, cache=None, progress=None)


def _check_document(run: _Run, fuzzy: bool, item: tuple[Path, Any]) -> _Done:
    rel, _ = item
    config, layout = run.config, _layout(run.config)
    try:
        document = _parse(config, rel, read_bytes(layout.source(rel)))
    except PipelineError as error:
        return _Done((Outcome(_display(config, layout.source(rel)), "failed", error),), None)
    outcomes = []
    for code in config.languages:
        path = layout.catalog(code, rel)
        display = _display(config, path)
        try:
            po = read_catalog(path, display=display)
        except PipelineError as error:
            outcomes.append(Outcome(display, "failed", error))
            continue
        if po is None:
            continue
        problems = checks.check_catalog(
            po, document=document, catalog=display, options=check_options(config, code), fuzzy=fuzzy
        )
        entries = sum(1 for entry in po if not entry.obsolete)
        outcomes.append(Outcome(display, "checked", problems=tuple(problems), segments=entries))
    return _Done(tuple(outcomes), None)


def fill_pseudo(
    config: Config, *, now: dt.datetime, jobs: int = 1, progress: Progress | None = None
) -> Iterator[Outcome]:
    """Write, for every language, a catalog of pseudo-translations of every source entry.

    The catalog is updated from the sources as ``extract`` would, then every entry gets
    its pseudo-translation (see :mod:`pipeline.pseudo`).
    """
    languages = tuple(catalog.language_info(code) for code in config.languages)
    task = functools.partial(_pseudo_document, _Run(config, "", now, languages))
    return _run("pseudo", config, task, jobs=jobs, cache=None, progress=progress)


def _pseudo_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    rel, _ = item
    config, layout = run.config, _layout(run.config)
    source_path = layout.source(rel)
    try:
        document = _parse(config, rel, read_bytes(source_path))
    except PipelineError as error:
        return _Done((Outcome(_display(config, source_path), "failed", error),), None)
    assert run.now is not None
    pot = catalog.template(
        document, reference=_display(config, source_path), project=config.project, now=run.now
    )
    outcomes = []
    for language in run.languages:
        path = layout.catalog(language.code, rel)
        try:
            old = read_catalog(path, display=_display(config, path))
        except PipelineError as error:
            outcomes.append(Outcome(_display(config, path), "failed", error))
            continue
        po = catalog.update(pot, old, language=language, now=run.now)
        options = check_options(config, language.code)
        pseudo.fill_catalog(
            po, env=document.env, text_params=options.text_params, patterns=options.patterns
        )
        outcomes.append(_write(config, path, pofile.format_po(po)))
    return _Done(tuple(outcomes), None)


# --- shared ----------------------------------------------------------------------------


def _below_threshold(config: Config, pot: polib.POFile, po: polib.POFile | None, code: str) -> str:
    """Why the document is not published in ``code``, or ``""`` when it is."""
    threshold = config.threshold(code)
    if threshold <= 0:
        return ""
    share = count_progress(pot, po).percent
    if share >= threshold:
        return ""
    return f"{share:.1f}% of source words translated, below the {threshold:g}% threshold"


def _layout(config: Config) -> Layout:
    return Layout(config.source_dir, config.locales_dir, config.output_dir)


def _display(config: Config, path: Path) -> str:
    """``path`` relative to the project root, with ``/``: how references and messages show it."""
    text, root = str(path), str(config.root)
    if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep:
        # The usual case, without os.path.relpath: a no-op run shows thousands of paths.
        return text[len(root) + 1 :].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(path, config.root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _parse(config: Config, rel: Path, data: bytes | None) -> Document:
    display = _display(config, config.source_dir / rel)
    if data is None:
        raise SourceError("the source file vanished during the run", path=display)
    text = decode_source(data, display=display)
    return parse_document(text, path=display, keys=config.frontmatter_keys)


def _write(config: Config, path: Path, text: str, *, durable: bool = True) -> Outcome:
    """Write ``text``; catalogs hold translators' work and are ``durable``."""
    written = write_if_changed(path, text.encode("utf-8"), durable=durable)
    return Outcome(_display(config, path), "written" if written else "unchanged")
