"""The extract run: each document's template, and its catalog in every language.

New entries are pre-filled from the translation memory (the language's other catalogs,
snapshotted once per run, and the compendia); see :mod:`pipeline.memory`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import polib

from pipeline import catalog, pofile, runs
from pipeline.cache import Cache, digest
from pipeline.config import Config
from pipeline.errors import CatalogError, PipelineError
from pipeline.memory import (
    Pending,
    Question,
    Snapshot,
    SnapshotFile,
    memory_record,
)
from pipeline.runs import Done, Input, Outcome, Place, Progress, Run
from pipeline.workspace import decode_catalog, read_catalog

__all__ = ["catalog_width", "extract"]


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
    # The memory fills only messages new to a catalog, which needs a changed source or
    # catalog: so it is not part of the cache key (see catalog.update).
    plan = Run(config, runs.fingerprint(config, cache), now, languages)

    def prepare(sources: list[Path]) -> runs.Task:
        _SHARED_MEMORIES.clear()
        _SHARED_MEMORIES.update({c.code: _pending(config, c.code, compendia) for c in languages})
        return functools.partial(_extract_document, plan)

    def again(found: list[Any]) -> runs.Task:
        _SHARED_MEMORIES.clear()
        _SHARED_MEMORIES.update(_memories(config, languages, compendia, cache, found))
        return functools.partial(_extract_document, plan)

    folders = [config.locales_dir / name for name in ("templates", *config.languages)]
    place = Place(config.locales_dir, folders)
    return runs.run(
        "extract",
        config,
        place,
        prepare,
        jobs=jobs,
        cache=cache,
        progress=progress,
        keeps_memory=True,
        again=again,
    )


#: The memories of the current pass of an extract run, by language; inherited by forked
#: workers.  In the first pass a memory is :class:`Pending` (each task records what it
#: asks with a new one): a document that asked something is run again in a second pass,
#: once the memory of the catalogs as they were before the run (which every first-pass
#: task reports) has answered every question recorded, in this process.  So every task
#: sees the same memory whatever ``jobs`` is, though tasks rewrite catalogs as they go,
#: and a run where no message is new never reads the other catalogs.
_SHARED_MEMORIES: dict[str, Pending | Snapshot | None] = {}


def _compendia(
    config: Config, languages: Sequence[catalog.LanguageInfo]
) -> dict[str, list[tuple[str, polib.POFile]]]:
    """Each language's compendia, read before the run takes its lock or writes anything."""
    return {
        language.code: [
            (runs.display_path(config, path), po)
            for path in config.compendia
            if (po := _compendium(config, path, language.code)) is not None
        ]
        for language in languages
    }


def _pending(
    config: Config, code: str, compendia: dict[str, list[tuple[str, polib.POFile]]]
) -> Pending | Snapshot | None:
    """A language's memory for the first pass: pending while other catalogs could fill it.

    Without the memory, or before the language has any catalog (a first extract), the
    compendia are the whole memory, and they are read already.
    """
    if config.translation_memory and _has_catalogs(config.locales_dir / code):
        return Pending()
    return Snapshot([], compendia[code], None) if compendia[code] else None


def _has_catalogs(folder: Path) -> bool:
    for _here, _folders, files in os.walk(folder):
        if any(name.endswith(".po") for name in files):
            return True
    return False


def _memories(
    config: Config,
    languages: Sequence[catalog.LanguageInfo],
    all_compendia: dict[str, list[tuple[str, polib.POFile]]],
    cache: Cache | None,
    found: list[Any],
) -> dict[str, Snapshot | None]:
    """Each language's memory for the second pass: the catalogs as every first-pass
    task ``found`` them (in document order), then the compendia; it has answered the
    questions the deferred tasks asked."""
    folder = cache.folder if cache is not None else None
    memories: dict[str, Snapshot | None] = {}
    with _heap_frozen():
        for language in languages:
            code = language.code
            files = [file for task in found for file in _catalogs(task) if file.code == code]
            snapshot = _Snapshotted(config, code, files)
            records = {file.hash: file.record for file in files if file.record is not None}
            compendia = all_compendia[code]
            memory = (
                Snapshot(snapshot, compendia, folder, records) if snapshot or compendia else None
            )
            if memory is not None:
                memory.answer(
                    question
                    for task in found
                    if isinstance(task, _Deferred)
                    for question in task.asked.get(code, ())
                )
            memories[code] = memory
    return memories


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects alive now left out of the garbage collector's passes meanwhile.

    Answering the memory makes many small objects, and so many collections, each of
    which would otherwise walk all that the first pass keeps per document (at 10,000
    documents that was a quarter of the answering's time).  Nothing is lost: objects
    frozen are still freed when no longer referenced, and cycles once unfrozen.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _compendium(config: Config, path: Path, code: str) -> polib.POFile | None:
    """The compendium at ``path`` if it serves ``code`` (its ``Language`` header says so).

    A compendium without a ``Language`` header serves the only target language; with
    several, which one it is for cannot be told, and that is an error.
    """
    display = runs.display_path(config, path)
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


def catalog_width(
    config: Config, text: bytes | None, old: polib.POFile | None = None
) -> int | None:
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


# --- one document, all languages: runs in a worker -------------------------------------


def _extract_document(run: Run, item: tuple[Path, Any, runs.Files]) -> Done:
    """The template and every catalog of one document.

    The cache record is the hash of the document's files after the run.  Extract leaves
    files it has written as they are when run again, so the next run may skip the
    document while its files still have that hash.  A document with an error of any
    kind gets no record, so the next run reports the error again.  A document whose
    catalog updates ask a :class:`~pipeline.memory.Pending` memory something is deferred
    before it writes anything, with what they asked.  ``found`` lists the catalogs as
    they were before the run, for the memory of the second pass (see :func:`_memories`).
    """
    rel, recorded, files = item
    config, layout = run.config, runs.layout(run.config)
    source = runs.read(config, lambda: layout.source(rel), lambda: config.source_dir / rel, files)
    template = runs.read(
        config,
        lambda: layout.template(rel),
        lambda: config.locales_dir / "templates" / rel,
        files,
    )
    catalogs = [
        runs.read(
            config,
            functools.partial(layout.catalog, code, rel),
            functools.partial(runs.catalog_path, config, code, rel),
            files,
        )
        for code in config.languages
    ]
    found = _found(run, rel, catalogs)
    in_use = tuple((file.hash, None) for file in found)
    if source.error is not None or template.error is not None:
        error = source.error or template.error
        assert error is not None
        return Done((Outcome(source.display, "failed", error),), None, in_use, found)
    assert template.path is not None
    state = _extract_state(run, rel, source, [template, *catalogs])
    if state is not None and state == recorded:
        paths = [template.display] + [c.display for c in catalogs]
        outcomes = tuple(Outcome(display, "unchanged") for display in paths)
        return Done(outcomes, state, in_use, found)
    try:
        document = runs.parse(config, rel, source.data)
    except PipelineError as error:
        return Done((Outcome(source.display, "failed", error),), None, in_use, found)
    assert run.now is not None
    pot = catalog.template(document, reference=source.display, project=config.project, now=run.now)
    # First: it keeps the old creation date in ``pot`` when nothing else changed, and the
    # catalogs' headers copy that date.
    text = _template_text(pot, template.data, width=catalog_width(config, template.data))
    memories = {code: _task_memory(code) for code in config.languages}
    updates = [
        _update_catalog(run, pot, language, place, memories[language.code])
        for language, place in zip(run.languages, catalogs, strict=True)
    ]
    asked = {
        code: tuple(memory.asked)
        for code, memory in memories.items()
        if isinstance(memory, Pending) and memory.asked
    }
    if asked:
        return Done((), None, found=_Deferred(found, asked), deferred=True)
    return _write_document(run, (rel, files), (source, template), text, updates, found)


def _task_memory(code: str) -> Pending | Snapshot | None:
    """A task's memory for ``code``: the pass's, or a new recorder where that is pending."""
    memory = _SHARED_MEMORIES.get(code)
    return Pending() if isinstance(memory, Pending) else memory


def _found(run: Run, rel: Path, catalogs: Sequence[Input]) -> tuple[_Found, ...]:
    """The catalogs read, by hash, for the memory (nothing when the memory is off)."""
    if not run.config.translation_memory:
        return ()
    name = rel.as_posix()  # one string for every language
    return tuple(
        _Found(code, name, place.hash)
        for code, place in zip(run.config.languages, catalogs, strict=True)
        if place.error is None and place.path is not None and place.hash is not None
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Found:
    """A catalog as a task found it before writing: what the memory needs of it.

    The run keeps one per catalog of the site until its second pass: so it holds the
    language, the document's POSIX path (shared by its languages) and the hash, and
    the catalog's path and name are made again when the memory reads them (see
    :class:`_Snapshotted`).
    """

    code: str
    rel: str
    hash: str
    record: Any = None  # its memory record, when the run holds it (no cache)


class _Snapshotted(Sequence[SnapshotFile]):
    """The catalogs of language ``code`` that the first pass found, as the memory reads
    them: each :class:`~pipeline.memory.SnapshotFile` is made when asked for, a batch at
    a time, so the run never holds every catalog's path and name at once."""

    def __init__(self, config: Config, code: str, files: list[_Found]) -> None:
        self._config, self._code, self._files = config, code, files
        self._layout = runs.layout(config)

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, index: int) -> SnapshotFile: ...
    @overload
    def __getitem__(self, index: slice) -> list[SnapshotFile]: ...
    def __getitem__(self, index: int | slice) -> SnapshotFile | list[SnapshotFile]:
        if isinstance(index, slice):
            return [self._snapshot(file) for file in self._files[index]]
        return self._snapshot(self._files[index])

    def _snapshot(self, file: _Found) -> SnapshotFile:
        rel = Path(file.rel)
        try:
            path = self._layout.catalog(self._code, rel)  # as the task found it
        except PipelineError:
            # A link put on the way since: the name is the same (it names the catalog in
            # questions), and the memory reads the file only if its bytes still have the
            # hash the task saw.
            path = runs.catalog_path(self._config, self._code, rel)
        return SnapshotFile(runs.display_path(self._config, path), os.fspath(path), file.hash)


@dataclasses.dataclass(frozen=True, slots=True)
class _Deferred:
    """What a deferred task found: the catalogs, and the questions asked by language."""

    catalogs: tuple[_Found, ...]
    asked: dict[str, tuple[Question, ...]]


def _catalogs(found: tuple[_Found, ...] | _Deferred | None) -> tuple[_Found, ...]:
    """The catalogs a first-pass task found."""
    if isinstance(found, _Deferred):
        return found.catalogs
    return found or ()


@dataclasses.dataclass(frozen=True, slots=True)
class _Update:
    """One language's catalog, updated but not written yet (or why it cannot be)."""

    place: Input
    failure: Outcome | None = None
    old: polib.POFile | None = None
    po: polib.POFile | None = None


def _update_catalog(
    run: Run,
    pot: polib.POFile,
    language: catalog.LanguageInfo,
    place: Input,
    memory: Pending | Snapshot | None,
) -> _Update:
    """``place``'s catalog updated from ``pot``, new messages looked up in ``memory``."""
    config = run.config
    try:
        if place.error is not None:
            raise place.error
        old = decode_catalog(place.data, display=place.display)
    except PipelineError as error:
        return _Update(place, Outcome(place.display, "failed", error))
    assert run.now is not None
    po = catalog.update(
        pot,
        old,
        language=language,
        now=run.now,
        memory=memory,
        origin=place.display,
        purge_after=config.purge_obsolete_after,
    )
    return _Update(place, None, old, po)


def _write_document(
    run: Run,
    task: tuple[Path, runs.Files],
    read: tuple[Input, Input],
    text: str,
    updates: list[_Update],
    found: tuple[_Found, ...],
) -> Done:
    """Write the template's ``text`` and the updated catalogs; the outcomes and records.

    Memory records go with the catalogs written: that of the new bytes (kept in the
    cache), and that of the bytes they replaced, which this run's second pass (the
    memory of the catalogs before the run) may need.  Without a cache to keep those,
    they go with ``found``.
    """
    config, (rel, files) = run.config, task
    source, template = read
    assert template.path is not None
    outcomes = [runs.write(config, template.path, text, durable=False)]  # made from the source
    files.wrote(template.display, template.path)
    after = [Input.of(template.display, template.path, text.encode("utf-8"))]
    memory: list[tuple[str, Any]] = []
    replaced: list[tuple[str, Any]] = []
    for code, update in zip(config.languages, updates, strict=True):
        place = update.place
        if update.failure is not None:
            outcomes.append(update.failure)
            after.append(place)
            continue
        assert place.path is not None and update.po is not None
        # Formatted only here: a deferred task writes nothing.
        width = catalog_width(config, place.data, update.old)
        catalog_text = pofile.format_po(update.po, width=width)
        outcome = runs.write(config, place.path, catalog_text)
        outcomes.append(outcome)
        files.wrote(place.display, place.path)
        written = Input.of(place.display, place.path, catalog_text.encode("utf-8"))
        after.append(written)
        if run.fingerprint and config.translation_memory:
            memory.append((written.hash, memory_record(update.po)))
            if outcome.status == "written" and place.data is not None and update.old is not None:
                # The old bytes are gone; this run's second pass may need their entries.
                replaced.append((place.hash, memory_record(update.old)))
        elif found and outcome.status == "written":  # the memory on, no cache
            found = _with_old_entries(found, code, update)
    failed = any(outcome.status == "failed" for outcome in outcomes)
    state = None if failed else _extract_state(run, rel, source, after)
    return Done(tuple(outcomes), state, tuple(memory), found, replaced=tuple(replaced))


def _with_old_entries(found: tuple[_Found, ...], code: str, update: _Update) -> tuple[_Found, ...]:
    if update.old is None:
        return found
    record = memory_record(update.old)
    return tuple(
        dataclasses.replace(file, record=record) if file.code == code else file for file in found
    )


def _extract_state(run: Run, rel: Path, source: Input, files: Sequence[Input]) -> str | None:
    """The cache key of a document's extract: tool, settings, languages and file hashes.

    None (no caching) without a cache, or when a file is missing or could not be read.
    """
    if not run.fingerprint or source.hash is None:
        return None
    if any(file.error is not None for file in (source, *files)):
        return None
    hashes = [file.hash for file in files]
    return digest(run.fingerprint, rel.as_posix(), *run.config.languages, source.hash, *hashes)


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
