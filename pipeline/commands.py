"""The extract, build, check and pseudo runs over a project, one outcome per file.

Each source document is one task: it is read and parsed once, then turned into its
template and every language's catalog (extract) or every language's output (build).
Tasks run on ``jobs`` worker processes; their outcomes come back in document order, so
what is written and printed does not depend on ``jobs``.  With a :class:`Cache`, a task
whose files are as an earlier run left them does no work (see :mod:`pipeline.cache`).

Safety: a run holds the lock of the folder it writes to (``locales/`` for extract,
``output/`` for build) from before it reads anything there until its last write, and
first removes the temporary files a killed run left in that folder.  Every path goes
through :class:`~pipeline.workspace.Layout`, which refuses paths that lead outside their
folder; symbolic links in the sources are reported and not followed.  Only results that
had no error are cached, so a cached run reports every error a fresh run would.
"""

from __future__ import annotations

import contextlib
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
from pipeline.errors import CatalogError, ConfigError, PipelineError, SourceError
from pipeline.memory import RECORD_KIND, Snapshot, SnapshotFile, memory_record
from pipeline.scheduler import ordered_map
from pipeline.splice import splice
from pipeline.stats import Progress as Counts
from pipeline.stats import progress as count_progress
from pipeline.workspace import (
    Layout,
    SourceTree,
    decode_catalog,
    decode_source,
    discover_sources,
    exclusive,
    read_bytes,
    read_catalog,
    remove_stale_temporaries,
    scan_sources,
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
    """What happened to one file: written, unchanged, failed with ``error``, or skipped
    (``note`` says why: a symbolic link in the sources, not followed; a build below its
    publishing threshold).

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
    cannot be read stops the run before anything is written.  The run holds the lock
    of the locales folder (a second run fails with :class:`~pipeline.errors.LockError`).
    """
    catalog.language_info(config.source_lang)
    languages = tuple(catalog.language_info(code) for code in config.languages)
    compendia = _compendia(config, languages)
    # Hashes of the catalogs whose memory records the cache holds, found under the lock.
    recorded: set[str] | None = set() if cache is not None else None

    def prepare() -> Callable[[tuple[Path, Any]], _Done]:
        memories, found = _memories(config, languages, compendia, cache)
        if recorded is not None:
            recorded.update(found)
        _SHARED_MEMORIES.clear()
        _SHARED_MEMORIES.update(memories)
        # The memory fills only messages new to a catalog, which needs a changed source
        # or catalog: so it is not part of the cache key (see catalog.update).
        plan = _Run(config, _fingerprint(config, cache), now, languages)
        return functools.partial(_extract_document, plan)

    folders = [config.locales_dir / name for name in ("templates", *config.languages)]
    place = _Place(config.locales_dir, folders)
    return _run(
        "extract",
        config,
        place,
        prepare,
        jobs=jobs,
        cache=cache,
        progress=progress,
        memory_records=recorded,
    )


#: The memories of the current extract run, by language; inherited by forked workers.
_SHARED_MEMORIES: dict[str, Snapshot | None] = {}


def _compendia(
    config: Config, languages: Sequence[catalog.LanguageInfo]
) -> dict[str, list[tuple[str, polib.POFile]]]:
    """Each language's compendia, read before the run takes its lock or writes anything."""
    return {
        language.code: [
            (_display(config, path), po)
            for path in config.compendia
            if (po := _compendium(config, path, language.code)) is not None
        ]
        for language in languages
    }


def _memories(
    config: Config,
    languages: Sequence[catalog.LanguageInfo],
    all_compendia: dict[str, list[tuple[str, polib.POFile]]],
    cache: Cache | None,
) -> tuple[dict[str, Snapshot | None], set[str]]:
    """Each language's memory (its catalogs, unless turned off, and the compendia), and
    the hashes of the catalogs whose memory records the cache has.

    Call it holding the lock of the locales folder: it snapshots the catalogs.
    """
    layout = _layout(config)
    sources = discover_sources(config.source_dir) if config.translation_memory else []
    recorded = cache.names(RECORD_KIND) if cache is not None and sources else set()
    folder = cache.folder if cache is not None else None
    memories: dict[str, Snapshot | None] = {}
    for language in languages:
        found = []
        for rel in sources:
            try:
                path = layout.catalog(language.code, rel)
                data = read_bytes(path)
            except PipelineError:
                continue  # its own document reports it
            if data is not None:
                name = digest(data)
                kept = None if name in recorded else data
                found.append(SnapshotFile(_display(config, path), path, name, kept))
        compendia = all_compendia[language.code]
        memories[language.code] = Snapshot(found, compendia, folder) if found or compendia else None
    hashes = {file.hash for snapshot in memories.values() if snapshot for file in snapshot.files}
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
        source = _display(config, config.source_dir / rel)
        try:
            source_path = layout.source(rel)
            document = _parse(config, rel, read_bytes(source_path, display=source))
            pot = _template(config, source_path, document)
        except PipelineError as error:
            yield Report(source, "", None, _relative(config, error))
            continue
        for code in config.languages:
            try:
                path = layout.catalog(code, rel)
                po = read_catalog(path, display=_display(config, path))
            except PipelineError as error:
                yield Report(source, code, None, _relative(config, error))
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
    its fragment links rewritten.  A catalog that cannot be read fails that output
    only.  An output folder that overlaps the source folder is refused with
    :class:`~pipeline.errors.ConfigError`.  The run holds the lock of the output folder.
    """
    for code in (config.source_lang, *config.languages):
        catalog.language_info(code)
    _check_output_folder(config)

    def prepare() -> Callable[[tuple[Path, Any]], _Done]:
        sources = scan_sources(config.source_dir).documents
        _SHARED_ANCHORS.clear()
        _SHARED_ANCHORS.update(
            {code: _AnchorsAhead(config, code, sources) for code in config.languages}
        )
        return functools.partial(_build_document, _Run(config, _fingerprint(config, cache)))

    place = _Place(config.output_dir, [config.output_dir / code for code in config.languages])
    return _run("build", config, place, prepare, jobs=jobs, cache=cache, progress=progress)


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
class _Place:
    """Where a run writes: the folder it locks, and the folders it cleans up first."""

    locked: Path
    cleaned: list[Path]


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
    place: _Place | None,
    prepare: Callable[[], Callable[[tuple[Path, Any]], _Done]],
    *,
    jobs: int,
    cache: Cache | None,
    progress: Progress | None,
    memory_records: set[str] | None = None,
) -> Iterator[Outcome]:
    """Discover the sources, then yield each task's outcomes in document order.

    Source discovery happens at once, so a missing source folder is an error of the
    whole command.  The lock of ``place`` is taken when the first outcome is asked for
    and held until the last, around ``prepare`` (which reads what the tasks share) and
    every task; the symbolic links found are reported first.  Cache records are read
    just before each task is sent and written, when they changed, as its result comes
    back.  With ``memory_records`` (the memory records still in use before the run,
    filled in by ``prepare``), the tasks' memory records are stored too, and at the end
    every other memory record is forgotten.
    """
    tree = scan_sources(config.source_dir)
    sources = tree.documents

    def generate() -> Iterator[Outcome]:
        lock = (
            contextlib.nullcontext()
            if place is None
            else exclusive(place.locked, display=_display(config, place.locked))
        )
        with lock:
            for folder in place.cleaned if place is not None else ():
                remove_stale_temporaries(folder)
            task = prepare()
            yield from _skipped_links(config, tree)
            yield from _tasks(
                kind,
                task,
                sources,
                jobs=jobs,
                cache=cache,
                progress=progress,
                memory_records=memory_records,
            )

    return generate()


def _tasks(
    kind: str,
    task: Callable[[tuple[Path, Any]], _Done],
    sources: list[Path],
    *,
    jobs: int,
    cache: Cache | None,
    progress: Progress | None,
    memory_records: set[str] | None = None,
) -> Iterator[Outcome]:
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


def _skipped_links(config: Config, tree: SourceTree) -> Iterator[Outcome]:
    """One ``skipped`` outcome per symbolic link in the sources, saying where it points."""
    for rel in tree.links:
        path = config.source_dir / rel
        note = (
            f"symbolic link not followed (it points to {os.readlink(path)}); put the "
            "document itself in the source folder, links could lead outside it"
        )
        yield Outcome(_display(config, path), "skipped", note=note)


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


@dataclass(frozen=True, slots=True)
class _Input:
    """A file a task reads: its path and bytes (None: no such file), or why it cannot.

    ``path`` is None when the path itself was refused (it would lead outside its folder).
    """

    display: str
    path: Path | None
    data: bytes | None = None
    error: PipelineError | None = None


def _read(config: Config, locate: Callable[[], Path], fallback: Path) -> _Input:
    """Locate a file with ``locate`` (a :class:`Layout` method) and read it.

    ``fallback`` names the file in messages when ``locate`` refuses the path.
    """
    try:
        path = locate()
    except PipelineError as error:
        return _Input(_display(config, fallback), None, error=_relative(config, error))
    display = _display(config, path)
    try:
        return _Input(display, path, read_bytes(path, display=display))
    except PipelineError as error:
        return _Input(display, path, error=error)


def _extract_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    """The template and every catalog of one document.

    The cache record is the hash of the document's files after the run.  Extract leaves
    files it has written as they are when run again, so the next run may skip the
    document while its files still have that hash.  A document with an error of any
    kind gets no record, so the next run reports the error again.
    """
    rel, recorded = item
    config, layout = run.config, _layout(run.config)
    source = _read(config, lambda: layout.source(rel), config.source_dir / rel)
    template = _read(config, lambda: layout.template(rel), config.locales_dir / "templates" / rel)
    if source.error is not None or template.error is not None:
        error = source.error or template.error
        assert error is not None
        return _Done((Outcome(source.display, "failed", error),), None)
    assert template.path is not None
    catalogs = [
        _read(
            config,
            functools.partial(layout.catalog, code, rel),
            config.locales_dir / code / rel.with_suffix(".po"),
        )
        for code in config.languages
    ]
    state = _extract_state(run, rel, source, [template, *catalogs])
    if state is not None and state == recorded:
        paths = [template.display] + [c.display for c in catalogs]
        return _Done(tuple(Outcome(display, "unchanged") for display in paths), state)
    try:
        document = _parse(config, rel, source.data)
    except PipelineError as error:
        return _Done((Outcome(source.display, "failed", error),), None)
    assert run.now is not None
    pot = catalog.template(document, reference=source.display, project=config.project, now=run.now)
    text = _template_text(pot, template.data, width=_width(config, template.data))
    outcomes = [_write(config, template.path, text, durable=False)]  # made from the source
    after = [dataclasses.replace(template, data=text.encode("utf-8"))]
    memory: list[tuple[str, Any]] = []
    for language, place in zip(run.languages, catalogs, strict=True):
        outcome, data, record = _extract_catalog(run, pot, language, place)
        outcomes.append(outcome)
        after.append(dataclasses.replace(place, data=data))
        if data is not None and record is not None:
            memory.append((digest(data), record))
    failed = any(outcome.status == "failed" for outcome in outcomes)
    state = None if failed else _extract_state(run, rel, source, after)
    return _Done(tuple(outcomes), state, tuple(memory))


def _extract_catalog(
    run: _Run, pot: polib.POFile, language: catalog.LanguageInfo, place: _Input
) -> tuple[Outcome, bytes | None, Any | None]:
    """Update one language's catalog from ``pot``: the outcome, the bytes written and,
    with a cache and the memory on, the catalog's memory record."""
    config = run.config
    try:
        if place.error is not None:
            raise place.error
        old = decode_catalog(place.data, display=place.display)
    except PipelineError as error:
        return Outcome(place.display, "failed", error), None, None
    assert place.path is not None and run.now is not None
    lazy = _SHARED_MEMORIES.get(language.code)
    po = catalog.update(
        pot,
        old,
        language=language,
        now=run.now,
        memory=lazy.get() if lazy is not None else None,
        origin=place.display,
        purge_after=config.purge_obsolete_after,
    )
    text = pofile.format_po(po, width=_width(config, place.data, old))
    record = memory_record(po) if run.fingerprint and config.translation_memory else None
    return _write(config, place.path, text), text.encode("utf-8"), record


def _extract_state(run: _Run, rel: Path, source: _Input, files: Sequence[_Input]) -> str | None:
    """The cache key of a document's extract: tool, settings, languages and file hashes.

    None (no caching) without a cache, or when a file is missing or could not be read.
    """
    if not run.fingerprint or source.data is None:
        return None
    if any(file.error is not None for file in (source, *files)):
        return None
    data = [file.data for file in files]
    return digest(run.fingerprint, rel.as_posix(), *run.config.languages, source.data, *data)


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


@dataclass(frozen=True, slots=True)
class _Target:
    """One language of a build task: its catalog, and its output (or why it is refused)."""

    code: str
    catalog: _Input
    display: str
    output: Path | None
    error: PipelineError | None = None


def _target(config: Config, layout: Layout, code: str, rel: Path) -> _Target:
    po = _read(
        config,
        functools.partial(layout.catalog, code, rel),
        config.locales_dir / code / rel.with_suffix(".po"),
    )
    display = _display(config, config.output_dir / code / rel)
    try:
        return _Target(code, po, display, layout.output(code, rel))
    except PipelineError as error:
        return _Target(code, po, display, None, _relative(config, error))


def _build_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    """Every language's output of one document.

    The cache record maps each language to the hash of its inputs (source and catalog)
    and what they gave: the output's hash, the refused translations and the counts.  A
    language whose output failed gets no record; a record that does not have the
    expected shape is ignored.
    """
    rel, recorded = item
    config, layout = run.config, _layout(run.config)
    source = _read(config, lambda: layout.source(rel), config.source_dir / rel)
    if source.error is not None:
        return _Done((Outcome(source.display, "failed", source.error),), None)
    assert source.path is not None
    recorded = recorded if isinstance(recorded, dict) else {}
    targets = [_target(config, layout, code, rel) for code in config.languages]
    keys = {t.code: _build_key(run, rel, source, t) for t in targets}
    cached = {
        t.code: _replayed(t, keys[t.code], recorded.get(t.code), _SHARED_ANCHORS[t.code])
        for t in targets
    }
    document = None
    if any(outcome is None for outcome in cached.values()):
        try:
            document = _parse(config, rel, source.data)
        except PipelineError as error:
            return _Done((Outcome(source.display, "failed", error),), None)
    # Records of languages this run does not build (``-l``) stay: they are still true.
    records = {code: r for code, r in recorded.items() if code not in keys}
    outcomes = []
    for target in targets:
        replayed = cached[target.code]
        if replayed is not None:
            outcomes.append(replayed)
            records[target.code] = recorded[target.code]
            continue
        assert document is not None
        links = _SHARED_ANCHORS[target.code]
        links.start(rel)
        outcome, data = _build_one(config, (rel, document), target, links)
        outcomes.append(outcome)
        key = keys[target.code]
        if outcome.status != "failed" and key is not None:
            records[target.code] = _build_record(key, data, outcome, links.consulted())
    return _Done(tuple(outcomes), records or None)


def _build_key(run: _Run, rel: Path, source: _Input, target: _Target) -> str | None:
    """The cache key of one language's output; None when anything about it has an error."""
    if not run.fingerprint or source.data is None:
        return None
    if target.error is not None or target.catalog.error is not None:
        return None
    code = target.code
    return digest(run.fingerprint, rel.as_posix(), code, digest(source.data), target.catalog.data)


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


def _replayed(
    target: _Target, key: str | None, record: Any, links: _AnchorsAhead
) -> Outcome | None:
    """The outcome a build would have, if ``record`` was made from these inputs and the
    output is still its file: unchanged, the same problems.  None otherwise, also for a
    record of the wrong shape (a cache written by hand, or damaged).

    The inputs include the other documents whose headings the build looked up for
    fragment links: a changed heading translation there changes this output.
    """
    if key is None or target.output is None or not isinstance(record, dict):
        return None
    if record.get("key") != key:
        return None
    try:
        data = read_bytes(target.output)
        if data is None or digest(data) != record.get("output"):
            return None
        if any(links.state(rel) != state for rel, state in record["links"].items()):
            return None
        problems = []
        for *fields, entry in record["problems"]:
            problems.append(Problem(*fields, entry=None if entry is None else tuple(entry)))
        return Outcome(
            target.display,
            "unchanged",
            problems=tuple(problems),
            translated=int(record["translated"]),
            segments=int(record["segments"]),
        )
    except (PipelineError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _build_one(
    config: Config, source: tuple[Path, Document], target: _Target, links: _AnchorsAhead
) -> tuple[Outcome, bytes]:
    """Check one language's translations, splice them into the document, write its output."""
    rel, document = source
    display, output = target.display, target.output
    source_path = config.source_dir / rel
    try:
        if target.error is not None:
            raise target.error
        assert output is not None
        if output.resolve() == source_path.resolve():
            raise SourceError(
                "the output would overwrite its source", path=display, hint="pick another --output"
            )
        if target.catalog.error is not None:
            raise target.catalog.error
        po = decode_catalog(target.catalog.data, display=target.catalog.display)
    except PipelineError as error:
        return Outcome(display, "failed", error), b""
    skipped = _below_threshold(config, _template(config, source_path, document), po, target.code)
    if skipped:
        return _unpublished(display, output, skipped), b""
    accepted, problems = _reviewed(config, (target.catalog.display, po), document, target.code)
    links.remember(rel, document, accepted)
    texts, broken = anchors.rewrite_links(
        document, accepted, current=rel.as_posix(), index=links.index
    )
    # The checks ran above; rewritten fragments change link targets on purpose.
    result = splice(document, texts, review=lambda segment, text: ())
    problems += [_broken_fragment(document, link) for link in broken]
    problems += result.problems
    data = result.text.encode("utf-8")
    written = _write(config, output, result.text, durable=False)  # made again by the next build
    refused = {(p.path, p.line) for p in result.problems if p.severity == "error"}
    translated = sum(
        1
        for segment in document.segments
        if _is_translated(segment, accepted) and (document.path, segment.line) not in refused
    )
    outcome = dataclasses.replace(
        written,
        problems=tuple(sorted(problems, key=lambda problem: problem.line)),
        translated=translated,
        segments=len(document.segments),
    )
    return outcome, data


def _unpublished(display: str, output: Path, why: str) -> Outcome:
    """A document below its threshold: skipped, and its old output removed."""
    if output.is_file():
        try:
            output.unlink()
        except OSError as error:
            reason = error.strerror or str(error)
            return Outcome(
                display, "failed", PipelineError(f"cannot remove: {reason}", path=display)
            )
        why += "; the old output was removed"
    return Outcome(display, "skipped", note=why)


def _reviewed(
    config: Config, catalog_file: tuple[str, polib.POFile | None], document: Document, code: str
) -> tuple[dict[_Key, str], list[Problem]]:
    """The translations a build may use, and what the checks found in them.

    ``catalog_file`` is the catalog's name in messages and its entries (None: no catalog).
    """
    display, po = catalog_file
    if po is None:
        return {}, []
    problems = checks.check_catalog(
        po,
        document=document,
        catalog=display,
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
        try:
            source = read_bytes(self._layout.source(rel))
            return digest(source, read_bytes(self._layout.catalog(self._code, rel)))
        except PipelineError as error:
            return digest("unreadable", str(error))

    def remember(self, rel: Path, document: Document, accepted: Mapping[_Key, str]) -> None:
        style = self._config.slug_style
        self._found[rel.as_posix()] = anchors.document_anchors(document, accepted, style=style)

    def _note(self, key: str) -> None:
        if key != self._current:
            self._consulted.add(key)

    def _read_ahead(self, rel: Path) -> anchors.Anchors:
        """Problems are left out here: the document's own build reports them.

        A catalog that cannot be read gives the source's anchors: the headings are
        there, so links to them are not reported as pointing nowhere.
        """
        try:
            document = _parse(self._config, rel, read_bytes(self._layout.source(rel)))
        except PipelineError:
            return anchors.Anchors()
        try:
            path = self._layout.catalog(self._code, rel)
            display = _display(self._config, path)
            po = read_catalog(path, display=display)
            headings = _only_headings(document)
            accepted, _ = _reviewed(self._config, (display, po), headings, self._code)
        except PipelineError:
            accepted = {}
        return anchors.document_anchors(document, accepted, style=self._config.slug_style)


#: The anchors of the current build run, by language; inherited by forked workers.
_SHARED_ANCHORS: dict[str, _AnchorsAhead] = {}


def _only_headings(document: Document) -> Document:
    """``document`` with only the segments that share a heading's entry, so only those
    entries are checked.

    Segments with a heading's msgid but another kind stay: an entry is checked as the
    first segment that uses it (a paragraph "설치" before the heading "설치"), so the
    checks refuse here exactly what they refuse in the document's own build.
    """
    keys = {(s.msgctxt, s.msgid) for s in document.segments if s.kind == "heading"}
    return dataclasses.replace(
        document, segments=tuple(s for s in document.segments if (s.msgctxt, s.msgid) in keys)
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
    # Catalogs are replaced atomically, so reading them needs no lock.
    return _run("check", config, None, lambda: task, jobs=jobs, cache=None, progress=None)


def _check_document(run: _Run, fuzzy: bool, item: tuple[Path, Any]) -> _Done:
    rel, _ = item
    config, layout = run.config, _layout(run.config)
    source = _read(config, lambda: layout.source(rel), config.source_dir / rel)
    try:
        if source.error is not None:
            raise source.error
        document = _parse(config, rel, source.data)
    except PipelineError as error:
        return _Done((Outcome(source.display, "failed", error),), None)
    outcomes = []
    for code in config.languages:
        target = _target(config, layout, code, rel)
        try:
            if target.catalog.error is not None:
                raise target.catalog.error
            po = decode_catalog(target.catalog.data, display=target.catalog.display)
        except PipelineError as error:
            outcomes.append(Outcome(target.catalog.display, "failed", error))
            continue
        if po is None:
            continue
        options = check_options(config, code)
        problems = checks.check_catalog(
            po, document=document, catalog=target.catalog.display, options=options, fuzzy=fuzzy
        )
        entries = sum(1 for entry in po if not entry.obsolete)
        outcome = Outcome(
            target.catalog.display, "checked", problems=tuple(problems), segments=entries
        )
        outcomes.append(outcome)
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
    folders = [config.locales_dir / code for code in config.languages]
    place = _Place(config.locales_dir, folders)
    return _run("pseudo", config, place, lambda: task, jobs=jobs, cache=None, progress=progress)


def _pseudo_document(run: _Run, item: tuple[Path, Any]) -> _Done:
    rel, _ = item
    config, layout = run.config, _layout(run.config)
    source = _read(config, lambda: layout.source(rel), config.source_dir / rel)
    try:
        if source.error is not None:
            raise source.error
        document = _parse(config, rel, source.data)
    except PipelineError as error:
        return _Done((Outcome(source.display, "failed", error),), None)
    assert run.now is not None
    pot = catalog.template(document, reference=source.display, project=config.project, now=run.now)
    outcomes = []
    for language in run.languages:
        target = _target(config, layout, language.code, rel)
        po_file = target.catalog
        try:
            if po_file.error is not None or po_file.path is None:
                raise po_file.error or PipelineError("refused path", path=po_file.display)
            old = decode_catalog(po_file.data, display=po_file.display)
        except PipelineError as error:
            outcomes.append(Outcome(po_file.display, "failed", error))
            continue
        po = catalog.update(pot, old, language=language, now=run.now)
        options = check_options(config, language.code)
        pseudo.fill_catalog(
            po, env=document.env, text_params=options.text_params, patterns=options.patterns
        )
        text = pofile.format_po(po, width=_width(config, po_file.data, old))
        outcomes.append(_write(config, po_file.path, text))
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
    """Write ``text``; catalogs hold translators' work and are ``durable``.

    A file that cannot be written (a full disk, a read-only folder) fails alone.
    """
    display = _display(config, path)
    try:
        written = write_if_changed(path, text.encode("utf-8"), durable=durable)
    except OSError as error:
        reason = error.strerror or str(error)
        hint = "check the folder, its permissions and free disk space; the old file was kept"
        error = PipelineError(f"cannot write: {reason}", path=display, hint=hint)
        return Outcome(display, "failed", error)
    return Outcome(display, "written" if written else "unchanged")


def _relative(config: Config, error: PipelineError) -> PipelineError:
    """``error``, with an absolute path in it shown relative to the project."""
    if error.path is not None and Path(error.path).is_absolute():
        error.path = _display(config, Path(error.path))
    return error
