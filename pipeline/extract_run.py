"""The extract run: each document's template, and its catalog in every language.

New entries are pre-filled from the translation memory (the language's other catalogs,
snapshotted once per run, and the compendia); see :mod:`pipeline.memory`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polib

from pipeline import catalog, pofile, runs
from pipeline.cache import Cache, digest
from pipeline.config import Config
from pipeline.errors import CatalogError, PipelineError
from pipeline.memory import RECORD_KIND, Snapshot, SnapshotFile, memory_record
from pipeline.runs import Done, Input, Outcome, Place, Progress, Run
from pipeline.workspace import decode_catalog, discover_sources, read_bytes, read_catalog

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
    # Hashes of the catalogs whose memory records the cache holds, found under the lock.
    recorded: set[str] | None = set() if cache is not None else None

    def prepare() -> Callable[[tuple[Path, Any]], Done]:
        memories, found = _memories(config, languages, compendia, cache)
        if recorded is not None:
            recorded.update(found)
        _SHARED_MEMORIES.clear()
        _SHARED_MEMORIES.update(memories)
        # The memory fills only messages new to a catalog, which needs a changed source
        # or catalog: so it is not part of the cache key (see catalog.update).
        plan = Run(config, runs.fingerprint(config, cache), now, languages)
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
            (runs.display_path(config, path), po)
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
    layout = runs.layout(config)
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
                found.append(SnapshotFile(runs.display_path(config, path), path, name, kept))
        compendia = all_compendia[language.code]
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


def _extract_document(run: Run, item: tuple[Path, Any]) -> Done:
    """The template and every catalog of one document.

    The cache record is the hash of the document's files after the run.  Extract leaves
    files it has written as they are when run again, so the next run may skip the
    document while its files still have that hash.  A document with an error of any
    kind gets no record, so the next run reports the error again.
    """
    rel, recorded = item
    config, layout = run.config, runs.layout(run.config)
    source = runs.read(config, lambda: layout.source(rel), config.source_dir / rel)
    template = runs.read(
        config, lambda: layout.template(rel), config.locales_dir / "templates" / rel
    )
    if source.error is not None or template.error is not None:
        error = source.error or template.error
        assert error is not None
        return Done((Outcome(source.display, "failed", error),), None)
    assert template.path is not None
    catalogs = [
        runs.read(
            config,
            functools.partial(layout.catalog, code, rel),
            config.locales_dir / code / rel.with_suffix(".po"),
        )
        for code in config.languages
    ]
    state = _extract_state(run, rel, source, [template, *catalogs])
    if state is not None and state == recorded:
        paths = [template.display] + [c.display for c in catalogs]
        return Done(tuple(Outcome(display, "unchanged") for display in paths), state)
    try:
        document = runs.parse(config, rel, source.data)
    except PipelineError as error:
        return Done((Outcome(source.display, "failed", error),), None)
    assert run.now is not None
    pot = catalog.template(document, reference=source.display, project=config.project, now=run.now)
    text = _template_text(pot, template.data, width=catalog_width(config, template.data))
    outcomes = [runs.write(config, template.path, text, durable=False)]  # made from the source
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
    return Done(tuple(outcomes), state, tuple(memory))


def _extract_catalog(
    run: Run, pot: polib.POFile, language: catalog.LanguageInfo, place: Input
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
    po = catalog.update(
        pot,
        old,
        language=language,
        now=run.now,
        memory=_SHARED_MEMORIES.get(language.code),
        origin=place.display,
        purge_after=config.purge_obsolete_after,
    )
    text = pofile.format_po(po, width=catalog_width(config, place.data, old))
    record = memory_record(po) if run.fingerprint and config.translation_memory else None
    return runs.write(config, place.path, text), text.encode("utf-8"), record


def _extract_state(run: Run, rel: Path, source: Input, files: Sequence[Input]) -> str | None:
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
