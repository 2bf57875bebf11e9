"""What every run shares: one task per source document, its outcomes in document order.

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

Tasks are :func:`functools.partial` of module-level functions, so they can be sent to
worker processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline import stamps
from pipeline.cache import Cache, digest, tool_fingerprint
from pipeline.config import Config
from pipeline.document import Document, parse_document
from pipeline.errors import PipelineError, SourceError
from pipeline.memory import RECORD_KIND
from pipeline.scheduler import ordered_map
from pipeline.stamps import Stamp
from pipeline.workspace import (
    Layout,
    SourceTree,
    decode_source,
    exclusive,
    forget_seen_folders,
    interrupted,
    read_with_status,
    remove_stale_temporaries,
    scan_sources,
    write_if_changed,
    writing,
)

if TYPE_CHECKING:  # only named in annotations: a no-op extract needs no checks
    from pipeline import catalog
    from pipeline.checks import Problem

__all__ = [
    "Done",
    "Files",
    "Input",
    "Outcome",
    "Place",
    "Progress",
    "Run",
    "Status",
    "Target",
    "Task",
    "Unread",
    "catalog_path",
    "display_path",
    "fingerprint",
    "layout",
    "parse",
    "read",
    "relative",
    "run",
    "target",
    "write",
]


Status = Literal["written", "unchanged", "checked", "failed", "skipped"]
#: Called after each document with (documents done, documents in the run).
Progress = Callable[[int, int], None]


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


# --- the scheduler side: runs in the main process --------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """What every task of a run needs; sent to the workers with each chunk of tasks."""

    config: Config
    #: Hash of the tool and the configuration, part of every cache key ("" without a cache).
    fingerprint: str
    #: Extract only: the header date of new catalogs and the target languages' header data.
    now: dt.datetime | None = None
    languages: tuple[catalog.LanguageInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    """Where a run writes: the folder it locks, and those it cleans up after a killed run."""

    locked: Path
    cleaned: list[Path]


@dataclass(frozen=True, slots=True)
class Done:
    """A task's outcomes, and the cache record to keep for its document (None: forget it).

    ``memory`` holds translation memory records to keep in the cache, by the hash of the
    catalog bytes they were made from (see :func:`pipeline.memory.memory_record`).
    ``replaced`` holds memory records of catalogs the task replaced, kept in the cache
    only for this run's second pass.  ``found`` is what the task read that a second
    pass may need (see :func:`run`).  A ``deferred`` task wrote nothing and needs that
    second pass: its outcomes and record are ignored.

    ``stamps`` and ``unsettled`` are filled in by the run from the task's :class:`Files`.
    """

    outcomes: tuple[Outcome, ...]
    record: Any | None
    memory: tuple[tuple[str, Any], ...] = ()
    found: Any = None
    deferred: bool = False
    replaced: tuple[tuple[str, Any], ...] = ()
    stamps: dict[str, Any] = field(default_factory=dict)
    unsettled: tuple[tuple[str, str], ...] = ()


#: A task: one document (its path, its cache record, how to read its files) to its results.
Task = Callable[[tuple[Path, Any, "Files"]], Done]
#: Makes the task of a run's second pass from what the first pass found, by document.
Again = Callable[[list[Any]], Task]


def run(
    kind: str,
    config: Config,
    place: Place | None,
    prepare: Callable[[list[Path]], Task],
    *,
    jobs: int,
    cache: Cache | None,
    progress: Progress | None,
    keeps_memory: bool = False,
    again: Again | None = None,
) -> Iterator[Outcome]:
    """Discover the sources, then yield each task's outcomes in document order.

    Source discovery happens at once, so a missing source folder is an error of the
    whole command.  The lock of ``place`` is taken when the first outcome is asked for
    and held until the last, around ``prepare`` (which gets the sources and reads what
    the tasks share) and every task; the symbolic links found are reported first.
    Cache records are read shortly before each task is sent (a few hundred at a time)
    and written, when they changed, as its result comes back.  With ``keeps_memory``,
    the tasks' new memory records are stored too, and at the end every one no task
    mentioned is forgotten.

    With a cache, each task is first tried in this process from its files' stamps
    (see :class:`Files`): a document whose files are as the last run left them is
    replayed without a worker and without reading a file.  The files a task wrote, or
    found changed too recently to stamp, are read back and stamped once they settle
    (those written in the last moments of the run are read by the next run instead).

    Tasks that answer ``deferred`` run again once every task has run, with the task
    ``again`` makes from the ``found`` of every first-pass task; their outcomes still
    come in document order.  (Extract defers a document that needs the translation
    memory, which is costly to make and which most runs never need.)
    """
    tree = scan_sources(config.source_dir)
    sources = tree.documents

    def generate() -> Iterator[Outcome]:
        lock = (
            contextlib.nullcontext()
            if place is None
            else exclusive(place.locked, display=display_path(config, place.locked))
        )
        with lock:
            forget_seen_folders()
            if place is not None and interrupted(place.locked):
                for folder in place.cleaned:
                    remove_stale_temporaries(folder)
            with contextlib.nullcontext() if place is None else writing(place.locked):
                task = prepare(sources)
                yield from _skipped_links(config, tree)
                tasks = _Tasks(kind, sources, jobs, cache, progress, keeps_memory)
                yield from tasks.run(task, again)

    return generate()


# Records are read a batch at a time, ahead of the tasks: a task only writes its own.
_RECORDS_AT_ONCE = 256


@dataclass
class _Tasks:
    """The tasks of a run over ``sources``, their cache records and their progress."""

    kind: str
    sources: list[Path]
    jobs: int
    cache: Cache | None
    progress: Progress | None
    keeps_memory: bool
    done: int = 0
    # Memory records tasks mentioned, noted in the cache a batch at a time.
    used: list[str] = field(default_factory=list)
    # Documents with files to stamp once settled: (when noted, document, files).
    unsettled: deque[tuple[int, str, tuple[tuple[str, str], ...]]] = field(default_factory=deque)

    def run(self, task: Task, again: Again | None) -> Iterator[Outcome]:
        """Every document's outcomes, in order: ``task`` on each, then ``again``'s task
        on those it deferred; the cache records that are no longer true are forgotten."""
        found: list[Any] = []
        deferred: list[int] = []
        held: dict[int, tuple[Outcome, ...]] = {}  # outcomes after the first deferred task
        for index, result in enumerate(self._map(task, self.sources, express=True)):
            found.append(result.found)
            if result.deferred:
                deferred.append(index)
            elif deferred:
                held[index] = result.outcomes
            else:
                yield from self._report(result.outcomes)
        if deferred:
            if again is None:
                raise RuntimeError("a task was deferred, but the run has no second pass")
            if self.cache is not None:
                self.cache.commit()  # the second pass may read the records
            second = self._map(again(found), [self.sources[i] for i in deferred])
            for index in range(deferred[0], len(self.sources)):
                outcomes = held.pop(index, None)
                yield from self._report(next(second).outcomes if outcomes is None else outcomes)
        self._settle(final=True)
        if self.cache is not None:
            self.cache.keep_only(self.kind, (rel.as_posix() for rel in self.sources))
            if self.keeps_memory:
                self.cache.note(RECORD_KIND, self.used)
                self.cache.keep_noted(RECORD_KIND)

    def _map(self, task: Task, sources: list[Path], *, express: bool = False) -> Iterator[Done]:
        """``task`` over ``sources`` in order, with each result's records kept; first
        tried ``express`` (see :func:`_express`) when there is a cache."""
        cache = self.cache
        sent: deque[Any] = deque()  # the records of the tasks in flight, oldest first

        def items() -> Iterator[tuple[Path, Any]]:
            for start in range(0, len(sources), _RECORDS_AT_ONCE):
                batch = sources[start : start + _RECORDS_AT_ONCE]
                names = [rel.as_posix() for rel in batch]
                records = {} if cache is None else cache.get_many(self.kind, names)
                for rel, name in zip(batch, names, strict=True):
                    sent.append(records.get(name))
                    yield rel, sent[-1]

        workers = max(1, min(self.jobs, len(sources)))
        in_full = functools.partial(_in_full, task, cache is not None and stamps.RELIABLE)
        local = functools.partial(_express, task) if express and cache is not None else None
        results = ordered_map(in_full, items(), jobs=workers, local=local)
        for rel, result in zip(sources, results, strict=True):
            recorded = sent.popleft()
            if cache is not None and not result.deferred:
                stored = recorded
                if (result.record, result.stamps) != _unpack(recorded):
                    stored = _stored(result.record, result.stamps)
                    cache.put(self.kind, rel.as_posix(), stored)
                if result.unsettled and stored is not None:
                    self.unsettled.append((stamps.now(), rel.as_posix(), result.unsettled))
                    self._settle()
                self._keep_memory(result.memory)
                self._keep_memory(result.replaced, in_use=False)
            yield result

    def _settle(self, *, final: bool = False) -> None:
        """Stamp the files tasks wrote, or found changed too recently to stamp, once they
        have settled: read them back and keep their stamps in their documents' records.

        Called as results come in, for the documents noted a window ago, and at the end
        (``final``) for the rest.  Nothing waits: a file written in the last moments of
        the run is not settled yet, is left unstamped, and the next run reads it.
        """
        cache = self.cache
        while self.unsettled and cache is not None:
            noted, name, files = self.unsettled[0]
            if not final and noted + stamps.WINDOW_NS > stamps.now():
                return
            self.unsettled.popleft()
            settled = dict(_settled(files))
            record, known = _unpack(cache.get(self.kind, name))
            if settled and record is not None:
                cache.put(self.kind, name, _stored(record, {**known, **settled}))

    def _keep_memory(self, records: tuple[tuple[str, Any], ...], *, in_use: bool = True) -> None:
        """Store new memory records; a ``None`` value only says the record is in use.

        Records not ``in_use`` are forgotten at the end of the run, unless another task
        uses them (identical catalogs share a record).
        """
        if self.cache is None or not self.keeps_memory:
            return
        for name, value in records:
            if in_use:
                self.used.append(name)
            if value is not None:
                self.cache.add(RECORD_KIND, name, value)
        if len(self.used) >= _RECORDS_AT_ONCE:
            self.cache.note(RECORD_KIND, self.used)
            self.used.clear()

    def _report(self, outcomes: tuple[Outcome, ...]) -> Iterator[Outcome]:
        yield from outcomes
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, len(self.sources))


def _skipped_links(config: Config, tree: SourceTree) -> Iterator[Outcome]:
    """One ``skipped`` outcome per symbolic link in the sources, saying where it points."""
    for rel in tree.links:
        path = config.source_dir / rel
        note = (
            f"symbolic link not followed (it points to {os.readlink(path)}); put the "
            "document itself in the source folder, links could lead outside it"
        )
        yield Outcome(display_path(config, path), "skipped", note=note)


def _in_full(task: Task, stamping: bool, item: tuple[Path, Any]) -> Done:
    """``task`` on one document in full (in a worker): every file read, and stamped."""
    rel, stored = item
    record, known = _unpack(stored)
    files = Files(known, stamping=stamping)
    done = task((rel, record, files))
    return dataclasses.replace(done, stamps=files.stamps, unsettled=tuple(files.unsettled))


def _express(task: Task, item: tuple[Path, Any]) -> Done | None:
    """``task`` on one document from its files' stamps (in the main process), or None
    when the task needs a file that its stamp does not vouch for, or a file's bytes:
    the document then goes to a worker, in full."""
    rel, stored = item
    record, known = _unpack(stored)
    if record is None or not known:
        return None
    files = Files(known, express=True)
    try:
        done = task((rel, record, files))
    except Unread:
        return None
    return dataclasses.replace(done, stamps=files.stamps)


def _stored(record: Any, kept: Mapping[str, Any]) -> Any:
    """What the cache keeps for a document: the task's record and its files' stamps
    (a damaged stamp is dropped)."""
    if record is None:
        return None
    loaded = {name: Stamp.load(kept[name]) for name in sorted(kept)}
    return {"record": record, "stamps": {n: list(s) for n, s in loaded.items() if s is not None}}


def _unpack(stored: Any) -> tuple[Any, dict[str, Any]]:
    """The task's record and the stamps in ``stored`` (nothing, if it is not one).

    Stamps are checked when used (see :meth:`Files._vouched`): a run uses few of them."""
    if not isinstance(stored, dict) or "record" not in stored:
        return None, {}
    kept = stored.get("stamps")
    return stored["record"], kept if isinstance(kept, dict) else {}


def _settled(files: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Stamp]]:
    """The stamps of ``files`` (display, path) that have settled, read back now."""
    for display, path in files:
        checked = stamps.now()
        try:
            data, status = read_with_status(Path(path), display=display)
        except PipelineError:
            continue  # not stamped: the next run reads it, and reports it
        if data is not None and status is not None and stamps.settled(status, checked):
            yield display, stamps.stamp(status, digest(data))


def fingerprint(config: Config, cache: Cache | None) -> str:
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
            value = display_path(config, value)
        settings.append((setting.name, value))
    return digest(tool_fingerprint(), repr(settings))


# --- what every task uses: runs in a worker --------------------------------------------


@dataclass(frozen=True, slots=True)
class Input:
    """A file a task reads: its path and bytes (None: no such file), or why it cannot.

    ``path`` is None when the path itself was refused (it would lead outside its folder).
    ``hash`` is the :func:`~pipeline.cache.digest` of the bytes: cache keys are made of
    these, so each file is hashed once.  An ``unread`` input has only its hash, vouched
    for by its stamp (see :class:`Files`): asking for its bytes raises :class:`Unread`.
    """

    display: str
    path: Path | None
    content: bytes | None = None
    error: PipelineError | None = None
    hash: str | None = None
    unread: bool = False

    @classmethod
    def of(cls, display: str, path: Path | None, data: bytes | None) -> Input:
        """The input holding ``data``, with its hash."""
        return cls(display, path, data, hash=None if data is None else digest(data))

    @property
    def data(self) -> bytes | None:
        if self.unread:
            raise Unread(self.display)
        return self.content


class Unread(Exception):
    """A task run from stamps (see :class:`Files`) needs a file's bytes: it must run in full."""


class Files:
    """How one task reads its files, and the stamps it leaves for the next run.

    In full, each file is read and hashed; a file that has settled gets a stamp (see
    :mod:`pipeline.stamps`), and one that has not, or that the task writes, is listed in
    :attr:`unsettled`, to be stamped at the end of the run.  ``express``, no file is
    read: its hash comes from the stamp ``known`` keeps of it when that still vouches
    for it, and anything else raises :class:`Unread` (the run then gives the task to a
    worker, in full).  Without a cache (``stamping`` off) nothing is stamped.
    """

    def __init__(
        self, known: Mapping[str, Any], *, express: bool = False, stamping: bool = True
    ) -> None:
        self.express = express
        self.stamping = stamping
        #: The stamps to keep: those known (as kept, checked only when used), with what
        #: this task found instead.
        self.stamps: dict[str, Any] = dict(known)
        #: (display, path) of the files to stamp at the end of the run.
        self.unsettled: list[tuple[str, str]] = []

    def read(
        self, config: Config, locate: Callable[[], Path], fallback: Callable[[], Path]
    ) -> Input:
        """Locate a file with ``locate`` (a :class:`Layout` method) and read it.

        ``fallback()`` names the file in messages when ``locate`` refuses the path
        (called only then: a no-op run reads thousands of files).
        """
        try:
            path = locate()
        except PipelineError as error:
            return Input(display_path(config, fallback()), None, error=relative(config, error))
        display = display_path(config, path)
        if self.express:
            return Input(display, path, hash=self._vouched(display, path), unread=True)
        try:
            return Input.of(display, path, self._read(display, path))
        except PipelineError as error:
            return Input(display, path, error=error)

    def hash_of(self, path: Path, display: str) -> str | None:
        """The hash of the bytes of ``path``; None when there is no such file.

        Raises :class:`PipelineError` when it cannot be read.
        """
        if self.express:
            return self._vouched(display, path)
        data = self._read(display, path)
        return None if data is None else digest(data)

    def wrote(self, display: str, path: Path) -> None:
        """The task wrote ``path`` (or found it as it would have written it)."""
        self.stamps.pop(display, None)
        if self.stamping:
            self.unsettled.append((display, os.fspath(path)))

    def _vouched(self, display: str, path: Path) -> str:
        known = Stamp.load(self.stamps.get(display))
        try:
            status = os.stat(path)
        except OSError:
            raise Unread(display) from None
        if known is None or not stamps.vouches(known, status):
            raise Unread(display)
        return known.hash

    def _read(self, display: str, path: Path) -> bytes | None:
        checked = stamps.now()
        data, status = read_with_status(path, display=display)
        self.stamps.pop(display, None)
        if data is None or status is None or not self.stamping:
            return data
        if stamps.settled(status, checked):
            self.stamps[display] = stamps.stamp(status, digest(data))
        else:
            self.unsettled.append((display, os.fspath(path)))
        return data


def read(
    config: Config,
    locate: Callable[[], Path],
    fallback: Callable[[], Path],
    files: Files | None = None,
) -> Input:
    """Locate a file with ``locate`` (a :class:`Layout` method) and read it with ``files``
    (by default in full, without stamps); see :meth:`Files.read`."""
    return (files or Files({}, stamping=False)).read(config, locate, fallback)


@dataclass(frozen=True, slots=True)
class Target:
    """One language of a build task: its catalog, and its output (or why it is refused)."""

    code: str
    catalog: Input
    display: str
    output: Path | None
    error: PipelineError | None = None


def target(
    config: Config, layout: Layout, code: str, rel: Path, files: Files | None = None
) -> Target:
    po = read(
        config,
        functools.partial(layout.catalog, code, rel),
        functools.partial(catalog_path, config, code, rel),
        files,
    )
    try:
        output = layout.output(code, rel)
    except PipelineError as error:
        display = display_path(config, config.output_dir / code / rel)
        return Target(code, po, display, None, relative(config, error))
    return Target(code, po, display_path(config, output), output)


def catalog_path(config: Config, code: str, rel: Path) -> Path:
    """Where ``rel``'s catalog in ``code`` is, unchecked: how messages name it."""
    return config.locales_dir / code / rel.with_suffix(".po")


def layout(config: Config) -> Layout:
    return Layout(config.source_dir, config.locales_dir, config.output_dir)


def display_path(config: Config, path: Path) -> str:
    """``path`` relative to the project root, with ``/``: how references and messages show it."""
    text, root = str(path), str(config.root)
    if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep:
        # The usual case, without os.path.relpath: a no-op run shows thousands of paths.
        return text[len(root) + 1 :].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(path, config.root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def parse(config: Config, rel: Path, data: bytes | None) -> Document:
    display = display_path(config, config.source_dir / rel)
    if data is None:
        raise SourceError("the source file vanished during the run", path=display)
    text = decode_source(data, display=display)
    return parse_document(text, path=display, keys=config.frontmatter_keys)


def write(config: Config, path: Path, text: str, *, durable: bool = True) -> Outcome:
    """Write ``text``; catalogs hold translators' work and are ``durable``.

    A file that cannot be written (a full disk, a read-only folder) fails alone.
    """
    display = display_path(config, path)
    try:
        written = write_if_changed(path, text.encode("utf-8"), durable=durable)
    except OSError as error:
        reason = error.strerror or str(error)
        hint = "check the folder, its permissions and free disk space; the old file was kept"
        error = PipelineError(f"cannot write: {reason}", path=display, hint=hint)
        return Outcome(display, "failed", error)
    return Outcome(display, "written" if written else "unchanged")


def relative(config: Config, error: PipelineError) -> PipelineError:
    """``error``, with an absolute path in it shown relative to the project."""
    if error.path is not None and Path(error.path).is_absolute():
        error.path = display_path(config, Path(error.path))
    return error
