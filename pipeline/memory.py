"""Translation memory: reviewed translations from other catalogs of a language and compendia."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import polib

from pipeline.cache import Cache, digest
from pipeline.errors import PipelineError
from pipeline.fuzzy import THRESHOLD, FuzzyIndex
from pipeline.workspace import decode_catalog, read_bytes

__all__ = [
    "RECORD_KIND",
    "Memory",
    "MemoryNeeded",
    "Pending",
    "Reviewed",
    "Snapshot",
    "SnapshotFile",
    "Suggestion",
    "memory_record",
]

#: The cache records holding the reviewed entries of a catalog, named by its bytes' hash.
RECORD_KIND = "memory"
# Catalogs whose records are read and decoded at once.
_BATCH = 256


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A translation found in the memory for a new message.

    ``origin`` names the catalog or compendium it came from; ``exact`` tells whether
    its msgid (and msgctxt) is the new message's, or only close to it.
    """

    entry: polib.POEntry
    origin: str
    exact: bool
    weight: float = 1.0


class Reviewed(NamedTuple):
    """A reviewed translation read back from the cache: the parts of a
    :class:`polib.POEntry` that the memory and the fuzzy search read, in a tenth of the
    space (a site's whole memory may be held at once).  A named tuple: made from a
    cache record's items at C speed (:meth:`_make`)."""

    msgctxt: str | None
    msgid: str
    msgstr: str
    # Plain class attributes (no annotation), not fields: what a POEntry also answers.
    obsolete = False
    flags = ()
    msgid_plural = ""
    msgstr_plural = MappingProxyType({})


def _reviewed(entry: polib.POEntry) -> bool:
    """A current, non-fuzzy, translated singular message: what the memory may offer."""
    return bool(entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags and entry.msgid)


class Memory:
    """Translations of one language, looked up exactly or fuzzily, never from ``exclude``.

    ``sources`` are ``(origin, catalog)`` pairs in priority order: for a msgid translated
    in several catalogs, the first one's translation is offered.  Only reviewed
    translations are kept: not fuzzy, not obsolete, not empty.
    """

    def __init__(self, sources: Iterable[tuple[str, Iterable[polib.POEntry | Reviewed]]]) -> None:
        self._exact: dict[tuple[str | None, str], list[tuple[polib.POEntry, str]]] = {}
        self._origin: dict[int, str] = {}
        entries: list[polib.POEntry] = []
        for origin, po in sources:
            for entry in po:
                if _reviewed(entry):
                    key = (entry.msgctxt, entry.msgid)
                    self._exact.setdefault(key, []).append((entry, origin))
                    self._origin[id(entry)] = origin
                    entries.append(entry)
        self._index = FuzzyIndex(entries)

    def __len__(self) -> int:
        return len(self._index)

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        """The first translation of exactly ``(msgctxt, msgid)`` outside ``exclude``."""
        for entry, origin in self._exact.get((msgctxt, msgid), ()):
            if origin != exclude:
                return Suggestion(entry, origin, exact=True)
        return None

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None:
        """The most similar translation scoring strictly above ``lower_bound``.

        Like msgmerge's compendium search, only the few candidates that share the most
        4-grams with ``msgid`` are scored.
        """
        found = self._index.best(
            msgctxt,
            msgid,
            lower_bound=lower_bound,
            heuristic=True,
            accept=lambda entry: self._origin[id(entry)] != exclude,
        )
        if found is None:
            return None
        entry, weight = found
        return Suggestion(entry, self._origin[id(entry)], exact=False, weight=weight)


def memory_record(po: polib.POFile) -> list[list[str | None]]:
    """What the memory keeps of ``po``: ``[msgctxt, msgid, msgstr]`` of each reviewed entry."""
    return [[entry.msgctxt, entry.msgid, entry.msgstr] for entry in po if _reviewed(entry)]


class MemoryNeeded(Exception):
    """Raised by :class:`Pending` when a catalog update asks the memory something."""


class Pending:
    """Stands for a memory that is not made yet: any question raises :class:`MemoryNeeded`.

    An extract runs its documents with it first, and again with the real memory only
    those that asked (see :mod:`pipeline.extract_run`): most runs have no new message,
    and making the memory means reading every catalog of the language.
    """

    def __bool__(self) -> bool:
        return True

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        raise MemoryNeeded

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None:
        raise MemoryNeeded


@dataclass(frozen=True, slots=True)
class SnapshotFile:
    """A catalog as it was before the run, named by the hash of its bytes then."""

    origin: str
    path: Path
    hash: str


class Snapshot:
    """A language's translation memory as the catalogs were before the run, made on first use.

    It answers :meth:`exact`, :meth:`close` and :func:`len` as the :class:`Memory` it
    stands for, which is made only when a catalog update first asks.

    Each catalog's reviewed entries come from ``records`` (memory records by hash,
    held by the run), else from the cache (``cache_folder``), else from the file
    if it still has the hash it had before the run.  A catalog found nowhere (its file
    changed during the run and nothing recorded its old entries, or it cannot be
    parsed) is left out: its own document reports any error.
    """

    def __init__(
        self,
        files: Sequence[SnapshotFile],
        compendia: Sequence[tuple[str, polib.POFile]],
        cache_folder: Path | None,
        records: Mapping[str, Any] | None = None,
    ) -> None:
        self.files = list(files)
        self._compendia = list(compendia)
        self._cache_folder = cache_folder
        self._records = records or {}
        self._memory: Memory | None = None

    def __bool__(self) -> bool:
        """True without reading anything: an empty memory simply finds nothing."""
        return True

    def __len__(self) -> int:
        return len(self.get())

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        """:meth:`Memory.exact` of the memory, made on this first question."""
        return self.get().exact(msgctxt, msgid, exclude=exclude)

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None:
        """:meth:`Memory.close` of the memory, made on this first question."""
        return self.get().close(msgctxt, msgid, exclude=exclude, lower_bound=lower_bound)

    def get(self) -> Memory:
        """The memory, made the first time it is asked for."""
        if self._memory is None:
            cache = Cache(self._cache_folder) if self._cache_folder is not None else None
            try:
                sources = list(self._sources(cache))
            finally:
                if cache is not None:
                    cache.close()
            self._memory = Memory([*sources, *self._compendia])
        return self._memory

    def _sources(self, cache: Cache | None) -> Iterator[tuple[str, Iterable[Any]]]:
        """Each catalog's origin and reviewed entries, in order.

        Records are read a batch at a time: decoded JSON is several times the size of
        the entries kept from it (their strings are interned), and a site's memory is
        large.
        """
        for start in range(0, len(self.files), _BATCH):
            batch = self.files[start : start + _BATCH]
            wanted = [file.hash for file in batch if file.hash not in self._records]
            recorded = cache.get_many(RECORD_KIND, wanted) if cache is not None else {}
            for file in batch:
                record = self._records.get(file.hash, recorded.get(file.hash))
                entries = _reviewed_entries(record)
                if entries is None:
                    entries = _catalog_entries(file)
                if entries is not None:
                    yield file.origin, entries


def _catalog_entries(file: SnapshotFile) -> Iterable[Any] | None:
    """The entries of ``file``'s catalog if it still has the hash it had before the run
    (it was not recorded, or its record is damaged)."""
    try:
        data = read_bytes(file.path)
    except PipelineError:
        return None
    if data is None or digest(data) != file.hash:
        return None
    try:
        return decode_catalog(data, display=file.origin)
    except PipelineError:
        return None


def _reviewed_entries(record: Any) -> list[Reviewed] | None:
    """The entries of a :func:`memory_record` read back from the cache; None when it is
    missing or not of that shape (a damaged cache is never trusted)."""
    if not (isinstance(record, list) and all(map(_is_item, record))):
        return None
    # One copy of each string: a site's memory repeats many (headings, notes, links).
    intern = sys.intern
    return [Reviewed(msgctxt, intern(msgid), intern(msgstr)) for msgctxt, msgid, msgstr in record]


def _is_item(item: Any) -> bool:
    """``[msgctxt, msgid, msgstr]``: strings, and None for no context."""
    return (
        type(item) is list
        and len(item) == 3
        and type(item[1]) is str
        and type(item[2]) is str
        and (item[0] is None or type(item[0]) is str)
    )
