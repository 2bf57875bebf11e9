"""Translation memory: reviewed translations from other catalogs of a language and compendia.

A language's memory holds the reviewed entries of every catalog of the site, and a run
asks it about the few messages that are new.  So it indexes nothing up front: the
msgids stay UTF-8 bytes, as the cache records hold them (nothing is decoded), in one
list, and each question is answered with scans of that list at C speed; an index is
made only for what many questions use (see :class:`Memory`).
"""

from __future__ import annotations

import hashlib
import weakref
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, groupby, pairwise
from operator import add, itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import polib

from pipeline.cache import Cache, digest
from pipeline.errors import PipelineError
from pipeline.fuzzy import THRESHOLD, grams, short_sizes, shortlist, weight
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
# A memory record (see memory_record) starts with this tag.
_TAG = b"l10n-memory-2"
# Between the msgids (and the msgstrs) of a record: U+0000, which no PO file holds.
_SEP = b"\x00"
# Questions (of each kind) answered with passes over all the msgids before they are
# indexed: a run asks one or two per language, indexing costs as much as a few passes.
_SCANS = 4
# Searches for grams in the distinct msgids before every gram of them is indexed:
# indexing costs about 400 searches (measured at 1,000 documents).
_INDEX_AFTER = 400
# The longest msgid (in bytes) a query of fewer than 4 characters is compared with.
_SHORT_MAX = short_sizes(3 * 4)[-1]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A translation found in the memory for a new message.

    ``origin`` names the catalog or compendium it came from; ``exact`` tells whether
    its msgid (and msgctxt) is the new message's, or only close to it.
    """

    entry: polib.POEntry | Reviewed
    origin: str
    exact: bool
    weight: float = 1.0


class Reviewed(NamedTuple):
    """A reviewed translation of the memory: the parts of a :class:`polib.POEntry` that
    a catalog update reads of a suggestion."""

    msgctxt: str | None
    msgid: str
    msgstr: str
    # Plain class attributes (no annotation), not fields: what a POEntry also answers.
    obsolete = False
    flags = ()
    msgid_plural = ""
    msgstr_plural = MappingProxyType({})


def _reviewed(entry: polib.POEntry | Reviewed) -> bool:
    """A current, non-fuzzy, translated singular message: what the memory may offer."""
    return bool(
        entry.msgstr
        and not entry.obsolete
        and "fuzzy" not in entry.flags
        and entry.msgid
        and not entry.msgid_plural
    )


class _Msgids(list[bytes]):
    """The msgids of a record, split once for all the memories of a run: the catalogs
    of a document in each language share them (see :func:`_decoded`)."""

    __slots__ = ("__weakref__",)


#: The msgids that memories alive hold, by the hash of the record part they come from.
_SPLIT: weakref.WeakValueDictionary[bytes, _Msgids] = weakref.WeakValueDictionary()


class _Columns(NamedTuple):
    """A source's reviewed entries, in order: the msgids in UTF-8, the msgctxts by
    position, and the msgstrs in UTF-8 (from a record, still joined by ``_SEP`` and
    compressed: few are ever asked for, and they are most of a memory's size)."""

    ids: list[bytes]
    contexts: list[tuple[int, str]]
    strs: bytes | list[bytes] | None  # None: found damaged


def _columns(entries: Iterable[polib.POEntry | Reviewed]) -> _Columns:
    reviewed = [entry for entry in entries if _reviewed(entry)]
    return _Columns(
        [entry.msgid.encode("utf-8") for entry in reviewed],
        [(n, entry.msgctxt) for n, entry in enumerate(reviewed) if entry.msgctxt is not None],
        [entry.msgstr.encode("utf-8") for entry in reviewed],
    )


class Memory:
    """Translations of one language, looked up exactly or fuzzily, never from ``exclude``.

    ``sources`` are ``(origin, entries)`` pairs in priority order: for a msgid translated
    in several catalogs, the first one's translation is offered.  Only reviewed
    translations are kept: not fuzzy, not obsolete, not empty, not plural.

    The fuzzy search is :class:`~pipeline.fuzzy.FuzzyIndex`'s with ``heuristic`` over
    all the entries, to the tie: the same candidates, scored in the same order.  Its
    index is never built, though, nor any per entry: a run asks about a handful of new
    messages.  The msgids are kept in UTF-8 (what the search compares), in one list; a
    question finds its grams with a search of the distinct msgids joined (shared by
    the memories of other languages with the same msgids), then counts and ranks the
    entries with C-level passes over the list.  Exact questions scan the list until
    a few have been asked, then index it.
    """

    def __init__(self, sources: Iterable[tuple[str, Iterable[Any]]]) -> None:
        self._origins: list[str] = []
        self._starts: list[int] = []  # each source's first entry
        self._ids: list[bytes] = []
        self._contexts: dict[int, str] = {}
        self._strs: list[bytes | list[bytes] | None] = []
        self._held: list[list[bytes]] = []  # what keeps shared msgids alive
        for origin, entries in sources:
            columns = entries if isinstance(entries, _Columns) else _columns(entries)
            start = len(self._ids)
            self._origins.append(origin)
            self._starts.append(start)
            self._ids += columns.ids
            self._held.append(columns.ids)
            self._contexts.update((start + n, context) for n, context in columns.contexts)
            self._strs.append(columns.strs)
        self._few = shortlist(len(self._ids))
        self._scans = Counter[str]()  # questions answered by passes, by kind
        self._first: dict[bytes, int] | None = None  # msgid -> its first entry
        self._by_text: dict[bytes, list[int]] | None = None  # msgid -> its entries
        self._texts: _Texts | None = None  # the distinct msgids
        self._short: dict[int, list[int]] | None = None  # byte length -> short entries

    def __len__(self) -> int:
        return len(self._ids)

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        """The first translation of exactly ``(msgctxt, msgid)`` outside ``exclude``."""
        key = msgid.encode("utf-8")
        index = self._find(key, 0)
        while index >= 0:
            if self._contexts.get(index) == msgctxt and self._origin(index) != exclude:
                entry = self._entry(index)
                if entry is not None:
                    return Suggestion(entry, self._origin(index), exact=True)
            index = self._find(key, index + 1)
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
        query = msgid.encode("utf-8")
        shared = grams(msgid)
        if shared:
            candidates = self._sharing_most(shared, exclude)
        else:
            short = self._short_entries()
            ranked = [i for size in short_sizes(len(query)) for i in short.get(size, ())]
            candidates = self._accepted(ranked, exclude, len(ranked))
        best, best_weight = -1, lower_bound
        for index in candidates:
            context = self._contexts.get(index)
            same = context is None or (msgctxt is not None and context == msgctxt)
            score = weight(query, self._ids[index], same_context=same, bound=best_weight)
            if score > best_weight:
                best, best_weight = index, score
        entry = self._entry(best) if best >= 0 else None
        if entry is None:
            return None
        return Suggestion(entry, self._origin(best), exact=False, weight=best_weight)

    def _find(self, key: bytes, start: int) -> int:
        """The first entry from ``start`` on whose msgid is ``key``; -1 if none."""
        if start == 0:
            if self._first is None and self._scans["exact"] >= _SCANS:
                ids = self._ids
                self._first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
            if self._first is not None:
                return self._first.get(key, -1)
            self._scans["exact"] += 1
        try:
            return self._ids.index(key, start)
        except ValueError:
            return -1

    def _sharing_most(self, shared: list[str], exclude: str) -> list[int]:
        """The first few entries not ``exclude``'s sharing a gram of ``shared``: those
        sharing most first, then in order."""
        counts: Counter[bytes] = Counter()
        for gram in shared:
            counts.update(self._texts_with(gram))
        if self._by_text is None and self._scans["close"] < _SCANS:
            self._scans["close"] += 1
            keys = list(map(counts.get, self._ids))
            ranked = list(compress(range(len(keys)), keys))
            ranked.sort(key=keys.__getitem__, reverse=True)  # stable: ties stay in order
            return self._accepted(ranked, exclude, self._few)
        if self._by_text is None:
            self._by_text = {}
            for index, text in enumerate(self._ids):
                self._by_text.setdefault(text, []).append(index)
        # Only the entries of the texts sharing most are ranked, until there are enough.
        chosen: list[int] = []
        by_count = sorted(counts.items(), key=itemgetter(1), reverse=True)
        for _, texts in groupby(by_count, key=itemgetter(1)):
            level = sorted(chain.from_iterable(self._by_text[text] for text, _ in texts))
            chosen += self._accepted(level, exclude, self._few - len(chosen))
            if len(chosen) >= self._few:
                break
        return chosen

    def _accepted(self, ranked: list[int], exclude: str, limit: int) -> list[int]:
        """The first ``limit`` of ``ranked`` that are not ``exclude``'s."""
        ends = [*self._starts[1:], len(self._ids)]
        left_out = [
            (start, end)
            for origin, start, end in zip(self._origins, self._starts, ends, strict=False)
            if origin == exclude and start < end
        ]
        if not left_out:
            return ranked[:limit]
        accepted: list[int] = []
        for index in ranked:
            if len(accepted) >= limit:
                break
            if not any(start <= index < end for start, end in left_out):
                accepted.append(index)
        return accepted

    def _texts_with(self, gram: str) -> list[bytes]:
        """The distinct msgids containing ``gram``."""
        if self._texts is None:
            distinct = tuple(dict.fromkeys(self._ids))
            self._texts = _SEARCHED.get(distinct)
            if self._texts is None:
                self._texts = _SEARCHED[distinct] = _Texts(list(distinct))
        return self._texts.containing(gram)

    def _short_entries(self) -> dict[int, list[int]]:
        if self._short is None:
            self._short = {}
            for index, size in enumerate(map(len, self._ids)):
                if size <= _SHORT_MAX:
                    self._short.setdefault(size, []).append(index)
        return self._short

    def _source(self, index: int) -> int:
        return bisect_right(self._starts, index) - 1

    def _origin(self, index: int) -> str:
        return self._origins[self._source(index)]

    def _entry(self, index: int) -> Reviewed | None:
        """The entry at ``index``; None if its record turns out damaged (its msgstrs do
        not decompress to one non-empty text per msgid, or a text is not UTF-8), which
        only reading it tells."""
        source = self._source(index)
        strs = self._strs[source]
        if isinstance(strs, bytes):
            strs = self._strs[source] = _msgstrs(strs, len(self._held[source]))
        if strs is None:
            return None
        try:
            msgid = self._ids[index].decode("utf-8")
            msgstr = strs[index - self._starts[source]].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return Reviewed(self._contexts.get(index), msgid, msgstr)


def _msgstrs(compressed: bytes, count: int) -> list[bytes] | None:
    """The ``count`` msgstrs of a record; None if they are not that (a damaged record)."""
    try:
        strs = zlib.decompress(compressed).split(_SEP)
    except zlib.error:
        return None
    return strs if len(strs) == count and b"" not in strs else None


class _Texts:
    """Distinct msgids (UTF-8), searched for 4-grams; what is found is remembered (the
    questions of a run share many grams).

    A gram is looked for in all of them joined (one C-level search, much faster than a
    search per msgid), while that costs less than indexing every gram of every msgid,
    which a run of many new messages ends up doing.  UTF-8 is self-synchronising: the
    bytes of a gram are in a msgid's bytes exactly when the gram is in the msgid.
    """

    def __init__(self, texts: list[bytes]) -> None:
        self._texts = texts
        self._joined = _SEP.join(texts)
        # Where each text starts in ``_joined``, and where one after the last would.
        self._starts = list(map(add, accumulate(map(len, texts), initial=0), range(len(texts) + 1)))
        self._scanned = 0
        self._index: dict[str, list[bytes]] | None = None
        self._found: dict[str, list[bytes]] = {}

    def containing(self, gram: str) -> list[bytes]:
        """The texts containing ``gram``, in order."""
        found = self._found.get(gram)
        if found is None:
            found = self._found[gram] = self._search(gram)
        return found

    def _search(self, gram: str) -> list[bytes]:
        if self._index is None and self._scanned > _INDEX_AFTER * len(self._joined):
            self._index = {}
            for text in self._texts:
                # (A text of a damaged record may not be UTF-8: it matches nothing.)
                for each in dict.fromkeys(grams(text.decode("utf-8", "surrogateescape"))):
                    self._index.setdefault(each, []).append(text)
        if self._index is not None:
            return self._index.get(gram, [])
        self._scanned += len(self._joined)
        needle, joined, starts, found = gram.encode("utf-8"), self._joined, self._starts, []
        at = joined.find(needle)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            found.append(self._texts[number])
            at = joined.find(needle, starts[number + 1])
        return found


#: The distinct msgids of the memories alive, searched: the languages of a site mostly
#: have the same, whose searches they share.
_SEARCHED: weakref.WeakValueDictionary[tuple[bytes, ...], _Texts] = weakref.WeakValueDictionary()


def memory_record(po: polib.POFile) -> bytes | list[list[str | None]]:
    """What the memory keeps of ``po``: its reviewed entries, for the cache.

    A line ``l10n-memory-2 <entries> <bytes of msgctxts, of msgids, of msgstrs>``, then
    the msgctxts (``position, msgctxt, ...`` of the entries that have one), the msgids
    and the msgstrs (compressed with zlib), each in UTF-8 and joined by U+0000, which
    no PO file holds: a catalog where one does gets the JSON ``[[msgctxt, msgid,
    msgstr], ...]``.
    """
    entries = [entry for entry in po if _reviewed(entry)]
    contexts = _SEP.join(
        part
        for n, entry in enumerate(entries)
        if entry.msgctxt is not None
        for part in (b"%d" % n, entry.msgctxt.encode("utf-8"))
    )
    ids = _SEP.join(entry.msgid.encode("utf-8") for entry in entries)
    strs = _SEP.join(entry.msgstr.encode("utf-8") for entry in entries)
    pairs = sum(entry.msgctxt is not None for entry in entries)
    if (contexts.count(_SEP) != max(2 * pairs - 1, 0)) or (
        entries and not ids.count(_SEP) == strs.count(_SEP) == len(entries) - 1
    ):
        return [[entry.msgctxt, entry.msgid, entry.msgstr] for entry in entries]
    # Level 1: the fastest (the records are written in every cold run); it keeps 2/5.
    strs = zlib.compress(strs, 1) if entries else b""
    head = b"%s %d %d %d %d\n" % (_TAG, len(entries), len(contexts), len(ids), len(strs))
    return head + contexts + ids + strs


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

    def _sources(self, cache: Cache | None) -> Iterator[tuple[str, _Columns]]:
        """Each catalog's origin and reviewed entries, in order, a batch of records at a
        time (a site's records are large)."""
        for start in range(0, len(self.files), _BATCH):
            batch = self.files[start : start + _BATCH]
            wanted = [file.hash for file in batch if file.hash not in self._records]
            recorded = cache.get_many(RECORD_KIND, wanted) if cache is not None else {}
            for file in batch:
                columns = _recorded_columns(self._records.get(file.hash, recorded.get(file.hash)))
                if columns is None:
                    columns = _catalog_columns(file)
                if columns is not None:
                    yield file.origin, columns


def _catalog_columns(file: SnapshotFile) -> _Columns | None:
    """The entries of ``file``'s catalog if it still has the hash it had before the run
    (it was not recorded, or its record is damaged)."""
    try:
        data = read_bytes(file.path)
    except PipelineError:
        return None
    if data is None or digest(data) != file.hash:
        return None
    try:
        po = decode_catalog(data, display=file.origin)
    except PipelineError:
        return None
    return None if po is None else _columns(po)


def _recorded_columns(record: Any) -> _Columns | None:
    """The entries of a :func:`memory_record` read back from the cache; None when it is
    missing or not of that shape (a damaged cache is never trusted)."""
    if isinstance(record, bytes):
        return _decoded(record)
    if isinstance(record, list) and all(map(_is_item, record)):
        return _columns(Reviewed(*item) for item in record)
    return None


def _decoded(record: bytes) -> _Columns | None:
    """The columns of a record of bytes (see :func:`memory_record`), checked for shape.

    The msgstrs are checked when a suggestion reads them (see :meth:`Memory._entry`).
    """
    end = record.find(b"\n")
    fields = record[:end].split(b" ")
    if end < 0 or len(fields) != 5 or fields[0] != _TAG or not all(map(bytes.isdigit, fields[1:])):
        return None
    count, context_size, ids_size, strs_size = map(int, fields[1:])
    start = end + 1
    if len(record) != start + context_size + ids_size + strs_size:
        return None
    if count == 0:
        return _Columns([], [], []) if start == len(record) else None
    context = record[start : start + context_size]
    ids = _split(record[start + context_size : start + context_size + ids_size])
    strs = record[start + context_size + ids_size :]
    if ids is None or len(ids) != count or not strs:
        return None
    contexts = _contexts(context, count)
    return None if contexts is None else _Columns(ids, contexts, strs)


def _split(part: bytes) -> _Msgids | None:
    """The non-empty msgids joined in ``part``, split once per run (see :data:`_SPLIT`);
    None when one is empty."""
    key = hashlib.sha256(part).digest()
    ids = _SPLIT.get(key)
    if ids is None:
        ids = _Msgids(part.split(_SEP))
        if b"" in ids:
            return None
        _SPLIT[key] = ids
    return ids


def _contexts(data: bytes, count: int) -> list[tuple[int, str]] | None:
    """The ``position, msgctxt, ...`` of a record of ``count`` entries, in order."""
    if not data:
        return []
    parts = data.split(_SEP)
    positions, names = parts[0::2], parts[1::2]
    if len(positions) != len(names) or not all(map(bytes.isdigit, positions)):
        return None
    numbers = list(map(int, positions))
    if numbers[-1] >= count or any(a >= b for a, b in pairwise(numbers)):
        return None
    try:
        return [(n, name.decode("utf-8")) for n, name in zip(numbers, names, strict=True)]
    except UnicodeDecodeError:
        return None


def _is_item(item: Any) -> bool:
    """``[msgctxt, msgid, msgstr]``: strings, and None for no context (the JSON form)."""
    return (
        type(item) is list
        and len(item) == 3
        and type(item[1]) is str
        and type(item[2]) is str
        and (item[0] is None or type(item[0]) is str)
    )
