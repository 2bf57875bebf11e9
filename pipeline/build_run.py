"""The build run: each document localized into every language.

Translations go through the checks first; fragment links are pointed at the translated
headings' anchors, read ahead across documents (:class:`_AnchorsAhead`); a document
below its language's publishing threshold is skipped.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polib

from pipeline import anchors, catalog, checks, runs
from pipeline.cache import Cache, digest
from pipeline.checks import Problem
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError, SourceError
from pipeline.runs import Done, Outcome, Place, Progress, Run, Target
from pipeline.workspace import decode_catalog, read_bytes, read_catalog

# The splicer, the checks' options and the word counts are imported where a document is
# built again: a build with every output up to date needs none of them.
if TYPE_CHECKING:
    from pipeline.document import Document, Segment

__all__ = ["build"]


_Key = tuple[str | None, str]


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

    def prepare(sources: list[Path]) -> runs.Task:
        by_key = {rel.as_posix(): rel for rel in sources}  # one for every language
        _SHARED_ANCHORS.clear()
        _SHARED_ANCHORS.update(
            {code: _AnchorsAhead(config, code, by_key) for code in config.languages}
        )
        return functools.partial(_build_document, Run(config, runs.fingerprint(config, cache)))

    place = Place(config.output_dir, [config.output_dir / code for code in config.languages])
    return runs.run("build", config, place, prepare, jobs=jobs, cache=cache, progress=progress)


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
                f"the output folder {runs.display_path(config, config.output_dir / code)} overlaps "
                f"the source folder {runs.display_path(config, config.source_dir)}",
                hint="pick an --output folder outside the source folder",
            )


# --- one document, all languages: runs in a worker -------------------------------------


def _build_document(run: Run, item: tuple[Path, Any, runs.Files]) -> Done:
    """Every language's output of one document.

    The cache record maps each language to the hash of its inputs (source and catalog)
    and what they gave: the output's hash, the refused translations and the counts.  A
    language whose output failed gets no record; a record that does not have the
    expected shape is ignored.
    """
    rel, recorded, files = item
    config, layout = run.config, runs.layout(run.config)
    source = runs.read(config, lambda: layout.source(rel), lambda: config.source_dir / rel, files)
    if source.error is not None:
        return Done((Outcome(source.display, "failed", source.error),), None)
    assert source.path is not None
    recorded = recorded if isinstance(recorded, dict) else {}
    targets = [runs.target(config, layout, code, rel, files) for code in config.languages]
    keys = {t.code: _build_key(run, rel, source.hash, t) for t in targets}
    cached = {
        t.code: _replayed((t, files), keys[t.code], recorded.get(t.code), _SHARED_ANCHORS[t.code])
        for t in targets
    }
    document = None
    if any(outcome is None for outcome in cached.values()):
        try:
            document = runs.parse(config, rel, source.data)
        except PipelineError as error:
            return Done((Outcome(source.display, "failed", error),), None)
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
            records[target.code] = _build_record(key, data, outcome, links.consulted(files))
            if target.output is not None and outcome.status != "skipped":
                files.wrote(target.display, target.output)
    return Done(tuple(outcomes), records or None)


def _build_key(run: Run, rel: Path, source_hash: str | None, target: Target) -> str | None:
    """The cache key of one language's output; None when anything about it has an error."""
    if not run.fingerprint or source_hash is None:
        return None
    if target.error is not None or target.catalog.error is not None:
        return None
    code = target.code
    return digest(run.fingerprint, rel.as_posix(), code, source_hash, target.catalog.hash)


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
    read: tuple[Target, runs.Files], key: str | None, record: Any, links: _AnchorsAhead
) -> Outcome | None:
    """The outcome a build would have, if ``record`` was made from these inputs and the
    output is still its file: unchanged, the same problems.  None otherwise, also for a
    record of the wrong shape (a cache written by hand, or damaged).

    The inputs include the other documents whose headings the build looked up for
    fragment links: a changed heading translation there changes this output.
    """
    target, files = read
    if key is None or target.output is None or not isinstance(record, dict):
        return None
    if record.get("key") != key:
        return None
    try:
        output = files.hash_of(target.output, target.display)
        if output is None or output != record.get("output"):
            return None
        if any(links.state(rel, files) != state for rel, state in record["links"].items()):
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
    config: Config, source: tuple[Path, Document], target: Target, links: _AnchorsAhead
) -> tuple[Outcome, bytes]:
    """Check one language's translations, splice them into the document, write its output."""
    from pipeline.splice import splice
    from pipeline.stats_run import progress_template

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
    skipped = _below_threshold(
        config, progress_template(config, source_path, document), po, target.code
    )
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
    written = runs.write(config, output, result.text, durable=False)  # made again by the next build
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
    from pipeline.check_run import check_options

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
    :class:`~pipeline.anchors.Anchors` of the documents used last are kept, never
    documents: anchors dropped are read ahead again if needed.  Every worker process
    has its own; they agree, since both ways give the same anchors.

    For the cache, it notes which other documents the current build looked at
    (:meth:`consulted`): their source and catalog are inputs of its output.
    """

    def __init__(self, config: Config, code: str, sources: Mapping[str, Path]) -> None:
        self._config, self._code = config, code
        self._layout = runs.layout(config)
        self._sources = sources  # by their POSIX path
        # The most recently used anchors only: a site's would grow with it, and anchors
        # dropped are read ahead again when a link needs them (the same anchors).
        self._found: OrderedDict[str, anchors.Anchors] = OrderedDict()
        self._current = ""
        self._consulted: set[str] = set()
        #: How links in this language find documents and their anchors.
        self.index = anchors.LinkIndex(self, config.site_prefix, config.url_maps.get(code, {}))

    def __getitem__(self, key: str) -> anchors.Anchors:
        self._note(key)
        found = self._found.get(key)
        if found is None:
            found = self._read_ahead(self._sources[key])
        self._keep(key, found)
        return found

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

    def consulted(self, files: runs.Files) -> dict[str, str | None]:
        """The documents the current build looked up, each with :meth:`state`."""
        return {key: self.state(key, files) for key in sorted(self._consulted)}

    def state(self, key: str, files: runs.Files) -> str | None:
        """A hash of what ``key``'s anchors depend on (read with ``files``); None when
        it is not a source."""
        rel = self._sources.get(key)
        if rel is None:
            return None
        config = self._config
        try:
            paths = (self._layout.source(rel), self._layout.catalog(self._code, rel))
            return digest(*(files.hash_of(p, runs.display_path(config, p)) for p in paths))
        except PipelineError as error:
            return digest("unreadable", str(error))

    def remember(self, rel: Path, document: Document, accepted: Mapping[_Key, str]) -> None:
        style = self._config.slug_style
        self._keep(rel.as_posix(), anchors.document_anchors(document, accepted, style=style))

    def _keep(self, key: str, found: anchors.Anchors) -> None:
        self._found[key] = found
        self._found.move_to_end(key)
        if len(self._found) > _ANCHORS_KEPT:
            self._found.popitem(last=False)

    def _note(self, key: str) -> None:
        if key != self._current:
            self._consulted.add(key)

    def _read_ahead(self, rel: Path) -> anchors.Anchors:
        """Problems are left out here: the document's own build reports them.

        A catalog that cannot be read gives the source's anchors: the headings are
        there, so links to them are not reported as pointing nowhere.
        """
        try:
            document = runs.parse(self._config, rel, read_bytes(self._layout.source(rel)))
        except PipelineError:
            return anchors.Anchors()
        try:
            path = self._layout.catalog(self._code, rel)
            display = runs.display_path(self._config, path)
            po = read_catalog(path, display=display)
            headings = _only_headings(document)
            accepted, _ = _reviewed(self._config, (display, po), headings, self._code)
        except PipelineError:
            accepted = {}
        return anchors.document_anchors(document, accepted, style=self._config.slug_style)


# Documents whose anchors each language keeps: links mostly point to pages nearby.
_ANCHORS_KEPT = 256

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


def _below_threshold(config: Config, pot: polib.POFile, po: polib.POFile | None, code: str) -> str:
    """Why the document is not published in ``code``, or ``""`` when it is."""
    threshold = config.threshold(code)
    if threshold <= 0:
        return ""
    from pipeline.stats import progress as count_progress

    share = count_progress(pot, po).percent
    if share >= threshold:
        return ""
    return f"{share:.1f}% of source words translated, below the {threshold:g}% threshold"
