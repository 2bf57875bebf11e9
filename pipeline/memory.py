"""Translation memory: reviewed translations from other catalogs of a language and compendia.

A language's memory is the reviewed entries of every catalog of the site, and a run asks
it about the few messages that are new.  It is never held whole: a run first records
what its catalog updates ask (see :class:`Pending`), then :meth:`Snapshot.answer`
answers all of it in one pass over the entries, a batch of catalogs' records at a time,
keeping for each question only the entries it could still be offered.  What is in
memory at once is a batch of records, the questions with their candidates (at most a
shortlist each) and at most ``_SEEN_BYTES`` of msgids already counted: not the site.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, filterfalse, pairwise
from operator import add, itemgetter
from pathlib import Path
from sys import maxsize
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

import polib

from pipeline.cache import Cache, digest
from pipeline.errors import PipelineError
from pipeline.fuzzy import THRESHOLD, grams, short_sizes, shortlist, weight
from pipeline.workspace import decode_catalog, read_bytes

__all__ = [
    "RECORD_KIND",
    "Lookup",
    "Pending",
    "Question",
    "Reviewed",
    "Snapshot",
    "SnapshotFile",
    "Suggestion",
    "memory_record",
]

#: The cache records holding the reviewed entries of a catalog, named by its bytes' hash.
RECORD_KIND = "memory"
# Catalogs whose records are read and searched at once.
_BATCH = 256
# A memory record (see memory_record) starts with this tag.
_TAG = b"l10n-memory-2"
# Between the msgids (and the msgstrs) of a record: U+0000, which no PO file holds.
_SEP = b"\x00"
# What finding the msgids that hold each of many grams costs with one pass over all
# their grams, in searches of the msgids for one gram (measured: about 40).
_PASS = 40
# What indexing every gram of the msgids costs, in searches (measured: about 400).
_INDEX = 400


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


class Question(NamedTuple):
    """What a catalog update asks the memory about a message new to its catalog.

    ``kind`` is ``"exact"`` (the first translation of exactly ``msgctxt`` and ``msgid``)
    or ``"close"`` (the most similar translation scoring strictly above
    ``lower_bound``).  Neither is ever taken from the catalog named ``exclude``.
    """

    kind: str
    msgctxt: str | None
    msgid: str
    exclude: str = ""
    lower_bound: float = THRESHOLD


class Lookup(Protocol):
    """A translation memory as a catalog update asks it (see :func:`pipeline.catalog.update`)."""

    def __bool__(self) -> bool: ...

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None: ...

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None: ...


def _reviewed(entry: polib.POEntry | Reviewed) -> bool:
    """A current, non-fuzzy, translated singular message: what the memory may offer."""
    return bool(
        entry.msgstr
        and not entry.obsolete
        and "fuzzy" not in entry.flags
        and entry.msgid
        and not entry.msgid_plural
    )


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


class Pending:
    """Stands for a memory not read yet: it answers nothing, and records what it is asked.

    An extract runs its documents with one first; a document whose catalog updates
    asked something writes nothing, the memory then answers every question recorded in
    one pass (see :meth:`Snapshot.answer`), and those documents run again (see
    :mod:`pipeline.extract_run`).  What an update asks does not depend on the answers,
    except that it asks for a close translation only when there is no exact one: so
    what it asks here is all it can ask with the real memory.
    """

    def __init__(self) -> None:
        #: The questions asked, once each, in order.
        self.asked: dict[Question, None] = {}

    def __bool__(self) -> bool:
        return True

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        self.asked[Question("exact", msgctxt, msgid, exclude)] = None
        return None

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None:
        self.asked[Question("close", msgctxt, msgid, exclude, lower_bound)] = None
        return None


@dataclass(frozen=True, slots=True)
class SnapshotFile:
    """A catalog as it was before the run, named by the hash of its bytes then."""

    origin: str
    path: Path | str
    hash: str


class Snapshot:
    """A language's translation memory as the catalogs were before the run.

    ``files`` are the catalogs in priority order (for a msgid translated in several,
    the first one's translation is offered), then come ``compendia``, ``(origin,
    catalog)`` pairs.  Only reviewed translations count: not fuzzy, not obsolete, not
    empty, not plural.  Each catalog's entries come from ``records`` (memory records by
    hash, held by the run), else from the cache (``cache_folder``), else from the file
    if it still has the hash it had before the run.  A catalog found nowhere (its file
    changed during the run and nothing recorded its old entries, or it cannot be
    parsed) is left out: its own document reports any error.

    :meth:`answer` answers many questions in one pass over the entries, a batch of
    records at a time; :meth:`exact` and :meth:`close` give those answers, and make a
    pass for a question not answered yet.  The answers are those of one
    :class:`~pipeline.fuzzy.FuzzyIndex` (with ``heuristic``) over all the entries, to
    the tie.
    """

    def __init__(
        self,
        files: Sequence[SnapshotFile],
        compendia: Sequence[tuple[str, polib.POFile]],
        cache_folder: Path | None,
        records: Mapping[str, Any] | None = None,
    ) -> None:
        self.files = files  # not copied: a run's may be made as they are read
        self._compendia = list(compendia)
        self._cache_folder = cache_folder
        self._records = records or {}
        self._answers: dict[Question, Suggestion | None] = {}
        self._total: int | None = None  # the entries, once a pass has counted them
        self._kept: _Batch | None = None  # the compendia's entries: they are in memory

    def __bool__(self) -> bool:
        """True without reading anything: an empty memory simply finds nothing."""
        return True

    def __len__(self) -> int:
        """The number of entries (the first time, a pass over them counts them)."""
        if self._total is None:
            self._total = self._search([], None).total
        return self._total

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        """The first translation of exactly ``(msgctxt, msgid)`` outside ``exclude``."""
        return self._answer(Question("exact", msgctxt, msgid, exclude))

    def close(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        exclude: str = "",
        lower_bound: float = THRESHOLD,
    ) -> Suggestion | None:
        """The most similar translation outside ``exclude`` scoring strictly above
        ``lower_bound``.

        Like msgmerge's compendium search, only the few entries that share the most
        4-grams with ``msgid`` are scored (see :func:`~pipeline.fuzzy.shortlist`).
        """
        return self._answer(Question("close", msgctxt, msgid, exclude, lower_bound))

    def answer(self, questions: Iterable[Question]) -> None:
        """Answer ``questions`` with one pass over the entries; :meth:`exact` and
        :meth:`close` then give the answers without reading anything.

        A close question whose exact question (same message and ``exclude``) is
        answered is dropped: a catalog update does not ask it.
        """
        new = [question for question in dict.fromkeys(questions) if question not in self._answers]
        if not new:
            return
        search = self._search(new, None if self._total is None else shortlist(self._total))
        close = any(question.kind == "close" for question in new)
        if close and shortlist(search.total) > search.few:
            # The catalogs read last had far more entries than the others: the
            # shortlists kept were too short (see _guess).
            search = self._search(new, shortlist(search.total))
        self._total = search.total
        self._answers.update(search.answers(shortlist(search.total)))

    def _answer(self, question: Question) -> Suggestion | None:
        if question not in self._answers:
            self.answer([question])
        return self._answers[question]

    def _search(self, questions: list[Question], few: int | None) -> _Search:
        """``questions`` after a pass over every entry, keeping ``few`` candidates each
        (None: as many as the entries read so far suggest, see :meth:`_guess`)."""
        search = _Search(questions, few)
        read, entries = 0, 0  # catalogs, and their entries
        cache = self._cache()
        try:
            for batch in self._batches(cache):
                if batch is not self._kept:
                    read, entries = min(read + _BATCH, len(self.files)), entries + len(batch)
                if few is None:
                    search.narrow(shortlist(self._guess(read, entries)))
                search.feed(batch)
                del batch  # before the next is read: one batch in memory at a time
        finally:
            if cache is not None:
                cache.close()
        return search

    def _guess(self, read: int, entries: int) -> int:
        """How many entries there may be, when the first ``read`` catalogs have
        ``entries``: twice as many for each of the others as they have on average.

        The shortlist of a close question depends on the number of entries, which only
        the end of the pass tells (reading the records ahead to count them would cost as
        much as the pass).  It is guessed as the pass goes, each guess closer; if the
        last guessed fewer than there are, the pass is made again (see :meth:`answer`).
        """
        compendia = len(self._compendia_batch()) if self._compendia else 0
        average = max(entries // read, 1) if read else 1
        return entries + 2 * average * (len(self.files) - read) + compendia

    def _cache(self) -> Cache | None:
        return Cache(self._cache_folder) if self._cache_folder is not None and self.files else None

    def _batches(self, cache: Cache | None) -> Iterator[_Batch]:
        """The entries, in order: the catalogs a batch of records at a time, then the
        compendia."""
        for start in range(0, len(self.files), _BATCH):
            files = self.files[start : start + _BATCH]
            wanted = [file.hash for file in files if file.hash not in self._records]
            recorded = cache.get_many(RECORD_KIND, wanted) if cache is not None else {}
            sources = []
            for file in files:
                columns = _recorded_columns(self._records.get(file.hash, recorded.get(file.hash)))
                if columns is None:
                    columns = _catalog_columns(file)
                if columns is not None:
                    sources.append((file.origin, columns))
            del recorded  # the records of one batch in memory at a time
            yield _Batch(sources)
            del sources
        if self._compendia:
            yield self._compendia_batch()

    def _compendia_batch(self) -> _Batch:
        if self._kept is None:
            self._kept = _Kept([(origin, _columns(po)) for origin, po in self._compendia])
        return self._kept


class _Batch:
    """Sources read for one pass, searched together: their entries in order, from 0."""

    def __init__(self, sources: Sequence[tuple[str, _Columns]]) -> None:
        self.origins = [origin for origin, _ in sources]
        self._columns = [columns for _, columns in sources]
        #: Every entry's msgid, in UTF-8.
        self.ids: list[bytes] = list(chain.from_iterable(c.ids for c in self._columns))
        # Where each source's entries start, and where one after the last would.
        self._starts = list(accumulate((len(c.ids) for c in self._columns), initial=0))
        self._contexts = {
            start + n: context
            for start, columns in zip(self._starts, self._columns, strict=False)
            for n, context in columns.contexts
        }
        self._strs: dict[int, list[bytes] | None] = {}  # each source's msgstrs, once read
        self._spans: dict[str, list[tuple[int, int]]] | None = None  # by origin
        self._repeats: Counter[bytes] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def origin(self, index: int) -> str:
        return self.origins[bisect_right(self._starts, index) - 1]

    def context(self, index: int) -> str | None:
        return self._contexts.get(index)

    def spans(self, origin: str) -> list[tuple[int, int]]:
        """Where the entries of ``origin`` are: (first, one after the last) of each run."""
        if self._spans is None:
            self._spans = {}
            for name, span in zip(self.origins, pairwise(self._starts), strict=True):
                self._spans.setdefault(name, []).append(span)
        return self._spans.get(origin, [])

    def outside(self, origin: str, indexes: list[int]) -> list[int]:
        """``indexes`` without those of ``origin``'s entries."""
        spans = self.spans(origin)
        if not spans:
            return indexes
        return [i for i in indexes if not any(start <= i < end for start, end in spans)]

    @property
    def repeats(self) -> Counter[bytes]:
        """The distinct msgids, in order, and how many entries have each."""
        if self._repeats is None:
            self._repeats = Counter(self.ids)
        return self._repeats

    def positions(self, texts: Collection[bytes]) -> dict[bytes, list[int]]:
        """The entries whose msgid is one of ``texts``, by msgid, in order."""
        found: dict[bytes, list[int]] = {}
        ids = self.ids
        for index in compress(range(len(ids)), map(texts.__contains__, ids)):
            found.setdefault(ids[index], []).append(index)
        return found

    def sized(self, sizes: Collection[int]) -> list[int]:
        """The entries whose msgid has one of these lengths in bytes, in order."""
        return list(compress(range(len(self.ids)), map(sizes.__contains__, map(len, self.ids))))

    def fresh(self, universe: frozenset[str], seen: _Seen) -> dict[str, list[bytes]]:
        """The msgids not ``seen`` yet in the pass holding each gram of ``universe`` (a
        gram none holds may be left out); they are seen now."""
        held = seen.learn(seen.new(self.repeats), universe)
        found: dict[str, list[bytes]] = {}
        for text, grams_held in held.items():
            for gram in grams_held:
                found.setdefault(gram, []).append(text)
        return found

    def lend(self, index: int) -> _Lent | None:
        """What the entry at ``index`` offers, still in UTF-8 (see :func:`_offered`);
        None if its record's msgstrs turn out damaged, which only reading them tells."""
        source = bisect_right(self._starts, index) - 1
        if source not in self._strs:
            strs, size = self._columns[source].strs, len(self._columns[source].ids)
            self._strs[source] = _msgstrs(strs, size) if isinstance(strs, bytes) else strs
        strs = self._strs[source]
        if strs is None:
            return None
        msgstr = strs[index - self._starts[source]]
        return _Lent(self.origins[source], self._contexts.get(index), self.ids[index], msgstr)


class _Lent(NamedTuple):
    """An entry a suggestion may offer, its msgid and msgstr still in UTF-8."""

    origin: str
    msgctxt: str | None
    msgid: bytes
    msgstr: bytes


def _offered(lent: _Lent | None, *, exact: bool, score: float = 1.0) -> Suggestion | None:
    """The suggestion of ``lent``; None if it is damaged (a text is not UTF-8)."""
    if lent is None:
        return None
    try:
        entry = Reviewed(lent.msgctxt, lent.msgid.decode("utf-8"), lent.msgstr.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return Suggestion(entry, lent.origin, exact, score)


class _Kept(_Batch):
    """The compendia's entries: in memory for every pass, and asked one question at a
    time when they are the whole memory, so their msgids are indexed as questions come."""

    def __init__(self, sources: Sequence[tuple[str, _Columns]]) -> None:
        super().__init__(sources)
        self._by_text: dict[bytes, list[int]] = {}
        for index, text in enumerate(self.ids):
            self._by_text.setdefault(text, []).append(index)
        self._texts = _Texts(list(self._by_text))

    def positions(self, texts: Collection[bytes]) -> dict[bytes, list[int]]:
        return {text: self._by_text[text] for text in texts if text in self._by_text}

    def fresh(self, universe: frozenset[str], seen: _Seen) -> dict[str, list[bytes]]:
        """Every msgid holding each gram of ``universe``: the compendia are searched once
        per pass, and their msgids are not kept as seen."""
        return self._texts.containing(universe)


def _msgstrs(compressed: bytes, count: int) -> list[bytes] | None:
    """The ``count`` msgstrs of a record; None if they are not that (a damaged record)."""
    try:
        strs = zlib.decompress(compressed).split(_SEP)
    except zlib.error:
        return None
    return strs if len(strs) == count and b"" not in strs else None


def _holding(texts: list[bytes], wanted: frozenset[str]) -> dict[bytes, tuple[str, ...]]:
    """Which grams of ``wanted`` each of ``texts`` (distinct msgids, UTF-8) holds.

    A few grams are each found with one C-level search of the texts joined (UTF-8 is
    self-synchronising: the bytes of a gram are in a text's bytes exactly when the gram
    is in the text); many, with one pass over every text's grams.
    """
    joined = _SEP.join(texts)
    # The joined texts are searched only if each U+0000 in them separates two.
    if len(wanted) >= _PASS or joined.count(_SEP) != len(texts) - 1:
        return {
            # (A text of a damaged record may not be UTF-8: its broken bytes match nothing.)
            text: tuple(wanted.intersection(grams(text.decode("utf-8", "surrogateescape"))))
            for text in texts
        }
    held: dict[bytes, list[str]] = {}
    # Where each text starts in ``joined``, and where one after the last would.
    starts = list(map(add, accumulate(map(len, texts), initial=0), range(len(texts) + 1)))
    for gram in wanted:
        if "\x00" in gram:
            continue  # no text holds one (counted above): it would match across two
        needle = gram.encode("utf-8")
        at = joined.find(needle)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            held.setdefault(texts[number], []).append(gram)
            at = joined.find(needle, starts[number + 1])
    return {text: tuple(held.get(text, ())) for text in texts}


class _Seen:
    """The msgids a pass has seen, with the grams asked about that each holds.

    The questions of a pass are counted against each msgid once, as it is first seen:
    the same msgid comes back (the copies of a page, shared headings), and each question
    keeps the msgids that rank among its candidates (see :class:`_Close`).  At most
    ``limit`` bytes of msgids are kept: one seen beyond that is counted again when it
    comes back, and the memory's size does not grow with the site.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._texts: set[bytes] = set()
        self._size = 0

    def new(self, texts: Iterable[bytes]) -> list[bytes]:
        """Those of ``texts`` not seen yet."""
        return list(filterfalse(self._texts.__contains__, texts))

    def learn(self, texts: list[bytes], universe: frozenset[str]) -> dict[bytes, tuple[str, ...]]:
        """Which grams of ``universe`` each of ``texts`` (distinct, not seen) holds."""
        held = _holding(texts, universe)
        for text in texts:
            if self._size + len(text) > self._limit:
                break
            self._texts.add(text)
            self._size += len(text)
        return held


#: How many bytes of msgids a pass keeps as seen (see :class:`_Seen`).
_SEEN_BYTES = 4 << 20


class _Texts:
    """Msgids kept in memory, asked one question at a time: which of them hold each
    gram, found as grams are asked about, and every gram indexed once finding them has
    cost as much as indexing them."""

    def __init__(self, texts: list[bytes]) -> None:
        self._texts = texts
        self._spent = 0  # in searches of the texts for a gram
        self._found: dict[str, list[bytes]] = {}
        self._index: dict[str, list[bytes]] | None = None

    def containing(self, wanted: Collection[str]) -> dict[str, list[bytes]]:
        """The texts holding each gram of ``wanted``, in order."""
        if self._index is None:
            missing = [gram for gram in wanted if gram not in self._found]
            self._spent += min(len(missing), _PASS)
            if self._spent > _INDEX:
                self._index = self._every_gram()
            elif missing:
                self._found.update((gram, []) for gram in missing)
                for text, held in _holding(self._texts, frozenset(missing)).items():
                    for gram in held:
                        self._found[gram].append(text)
        found = self._found if self._index is None else self._index
        return {gram: found.get(gram, []) for gram in wanted}

    def _every_gram(self) -> dict[str, list[bytes]]:
        index: dict[str, list[bytes]] = {}
        for text in self._texts:
            for gram in dict.fromkeys(grams(text.decode("utf-8", "surrogateescape"))):
                index.setdefault(gram, []).append(text)
        return index


class _Close:
    """A close question during a pass: the candidates it keeps, scored.

    Like msgmerge's compendium search, the candidates are the entries sharing the most
    4-grams with the msgid (repeats counted), the earlier first among equals, and only
    the first ``few`` are scored.  The answer is the first of the highest score among
    them.

    The candidates kept are indexes by number of grams shared, in order; only the score
    of those that may be the answer is kept.  Each msgid is counted as the pass first
    sees it; those sharing more grams than the last candidate kept are remembered, for
    the entries of later batches that have them.
    """

    def __init__(self, question: Question) -> None:
        self.question = question
        self.query = question.msgid.encode("utf-8")
        self.grams = Counter(grams(question.msgid))
        self._levels: dict[int, list[int]] = {}  # grams shared -> the candidates, in order
        self._kept = 0  # candidates
        # Candidates scoring above the bound (by index): the score, and what they offer.
        self._offers: dict[int, tuple[float, _Lent | None]] = {}
        self._known: dict[bytes, int] = {}  # msgids sharing more than the floor: how many
        # The msgids (and whether their context matches) of the candidates scored.
        self._scored: set[tuple[bytes, bool]] = set()

    def floor(self, few: int) -> int:
        """The grams an entry must share, more than, to rank among the ``few`` kept."""
        return min(self._levels) if self._kept >= few else 0

    def learn(self, fresh: Mapping[str, list[bytes]], few: int) -> None:
        """Count how many grams the msgids first seen share (``fresh``: those holding each
        gram), and remember those sharing more than the floor."""
        shared: Counter[bytes] = Counter()
        for gram, times in self.grams.items():
            texts = fresh.get(gram)
            for _ in range(times if texts else 0):
                shared.update(texts)
        floor = self.floor(few)
        self._known.update((text, number) for text, number in shared.items() if number > floor)

    def present(self, batch: _Batch, few: int) -> dict[bytes, int]:
        """The msgids of ``batch`` that may rank among the ``few``, and how many grams
        each shares.

        An entry ranks after the kept ones sharing as many grams or more, and after the
        batch's entries sharing more: those with ``few`` of them ahead (not counting
        ``exclude``'s, which are not candidates) never rank among the few.
        """
        floor, repeats = self.floor(few), batch.repeats
        here = [(n, text) for text, n in self._known.items() if n > floor and text in repeats]
        here.sort(key=itemgetter(0), reverse=True)
        room = few + sum(end - start for start, end in batch.spans(self.question.exclude))
        levels = sorted(self._levels.items(), reverse=True)
        least, ahead, level = 0, 0, 0
        for number, text in here:
            while level < len(levels) and levels[level][0] >= number:
                ahead += len(levels[level][1])  # kept, sharing as many or more
                level += 1
            ahead += repeats[text]
            if ahead >= room:
                least = number  # the others sharing as many may still rank before
                break
        if least:
            # Those admitted now fill the few: a msgid sharing fewer never ranks, here or
            # later.  Forgotten at once, not after every question has learnt the batch,
            # so only one question's count of the batch is held at a time.
            self._known = {text: n for text, n in self._known.items() if n >= least}
        return {text: number for number, text in here if number >= least}

    def admit(self, batch: _Batch, start: int, found: Mapping[int, list[int]], few: int) -> None:
        """Rank ``found`` (indexes of ``batch``'s entries, which start at ``start``, by
        grams shared) after the candidates kept, keep the first ``few`` and score those
        new ones."""
        before = self.floor(few)
        added = []
        for level in sorted(found, reverse=True):
            if self._kept >= few and level <= min(self._levels):
                break  # they rank after every one kept, and so do those sharing fewer
            indexes = sorted(found[level])
            self._levels.setdefault(level, []).extend(indexes)
            self._kept += len(indexes)
            self.trim(few)
            added.append(level)
        ids, scored = batch.ids, self._scored
        for level in added:
            indexes = self._levels.get(level, [])
            for index in indexes[bisect_left(indexes, start) :]:
                # Most are later entries of a msgid scored already: none scores more
                # than one that matched the context (see _score).
                if (ids[index - start], True) not in scored:
                    self._score(batch, index - start, index)
        if len(self._scored) > 4 * few:
            self._scored.clear()  # a bound: it is only a shortcut
        floor = self.floor(few)
        if floor > before:  # msgids sharing no more can never rank among the few
            self._known = {text: n for text, n in self._known.items() if n > floor}
        if len(self._offers) > 2 * few:  # drop those of candidates no longer kept
            kept = set(chain.from_iterable(self._levels.values()))
            self._offers = {i: offer for i, offer in self._offers.items() if i in kept}

    def trim(self, few: int) -> None:
        """Keep the first ``few`` candidates: the last ones go."""
        while self._kept > few:
            lowest = min(self._levels)
            indexes = self._levels[lowest]
            gone = min(self._kept - few, len(indexes))
            del indexes[len(indexes) - gone :]
            self._kept -= gone
            if not indexes:
                del self._levels[lowest]

    def _score(self, batch: _Batch, local: int, index: int) -> None:
        question = self.question
        context = batch.context(local)
        same = context is None or (question.msgctxt is not None and context == question.msgctxt)
        text = batch.ids[local]
        if (text, same) in self._scored:
            # An earlier candidate of the same msgid (and context match) ranks before
            # this one, still kept, and scores the same: this one is never the first of
            # the best.  (One whose context matched scores more than any other.)
            return
        self._scored.add((text, same))
        # Above the bound a score is exact, whatever the bound: so each is scored once,
        # against the question's bound, and compared with the others at the end.
        score = weight(self.query, text, same_context=same, bound=question.lower_bound)
        if score > question.lower_bound:
            self._offers[index] = (score, batch.lend(local))

    def answer(self, few: int) -> Suggestion | None:
        """The first of the highest score among the first ``few``; None if its record
        turns out damaged (the memory does not fall back on the next)."""
        best, best_score, taken = None, self.question.lower_bound, 0
        for level in sorted(self._levels, reverse=True):
            for index in self._levels[level][: few - taken]:
                score, lent = self._offers.get(index, (0.0, None))
                if score > best_score:
                    best, best_score = lent, score
            taken += len(self._levels[level])
            if taken >= few:
                break
        return None if best is None else _offered(best, exact=False, score=best_score)


class _Short:
    """A close question about a msgid of fewer than 4 characters, which shares no gram:
    every entry of a length that could score above the threshold is scored, the shorter
    first, then in order."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.query = question.msgid.encode("utf-8")
        self._sizes = frozenset(short_sizes(len(self.query)))
        self._score = question.lower_bound
        self._size = 0
        self.offered: Suggestion | None = None
        self._found = False

    def feed(self, batch: _Batch) -> None:
        question = self.question
        for index in batch.outside(question.exclude, batch.sized(self._sizes)):
            text = batch.ids[index]
            context = batch.context(index)
            same = context is None or (question.msgctxt is not None and context == question.msgctxt)
            score = weight(self.query, text, same_context=same, bound=question.lower_bound)
            # The first of the highest score in (length, order): a shorter one wins a tie.
            shorter = self._found and score == self._score and len(text) < self._size
            if score > self._score or shorter:
                self._score, self._size, self._found = score, len(text), True
                self.offered = _offered(batch.lend(index), exact=False, score=score)


class _Search:
    """Questions answered in one pass over the entries, a batch at a time.

    Each close question keeps ``few`` candidates: at least the shortlist of all the
    entries, which the pass counts (:attr:`total`).
    """

    def __init__(self, questions: Iterable[Question], few: int | None) -> None:
        self.few = maxsize if few is None else few
        #: The entries seen so far.
        self.total = 0
        self._exact: dict[bytes, list[Question]] = {}  # not answered yet, by msgid
        self._found: dict[Question, Suggestion] = {}
        self._close: dict[Question, _Close] = {}
        self._short: dict[Question, _Short] = {}
        # Close questions by their exact question, whose answer makes them moot.
        self._after: dict[Question, list[Question]] = {}
        self._seen = _Seen(_SEEN_BYTES)
        for question in questions:
            if question.kind == "exact":
                self._exact.setdefault(question.msgid.encode("utf-8"), []).append(question)
                continue
            if question.kind != "close":
                raise ValueError(f"no such question: {question.kind!r}")
            if grams(question.msgid):
                self._close[question] = _Close(question)
            else:
                self._short[question] = _Short(question)
            exact = Question("exact", question.msgctxt, question.msgid, question.exclude)
            self._after.setdefault(exact, []).append(question)

    def narrow(self, few: int) -> None:
        """Keep no more than ``few`` candidates from now on."""
        if few < self.few:
            self.few = few
            for close in self._close.values():
                close.trim(few)

    def feed(self, batch: _Batch) -> None:
        """Search the next ``batch`` of entries."""
        wanted = self._close_wanted(batch) if self._close else {}
        if self._exact or wanted:
            # One scan of the batch finds the entries both kinds of question want.
            positions = batch.positions(self._exact.keys() | wanted.keys())
            if self._exact:
                self._find_exact(batch, positions)
            if wanted:
                self._admit(batch, positions, wanted)
        for short in self._short.values():
            short.feed(batch)
        self.total += len(batch)

    def answers(self, few: int) -> dict[Question, Suggestion | None]:
        """Every question's answer, the close ones from the first ``few`` candidates."""
        answers: dict[Question, Suggestion | None] = dict(self._found)
        answers.update((question, None) for waiting in self._exact.values() for question in waiting)
        answers.update((question, close.answer(few)) for question, close in self._close.items())
        answers.update((question, short.offered) for question, short in self._short.items())
        return answers

    def _find_exact(self, batch: _Batch, positions: Mapping[bytes, list[int]]) -> None:
        for text in [text for text in self._exact if text in positions]:
            indexes, waiting = positions[text], self._exact[text]
            for question in list(waiting):
                found = self._first(batch, question, indexes)
                if found is not None:
                    self._found[question] = found
                    waiting.remove(question)
                    for moot in self._after.pop(question, ()):
                        self._close.pop(moot, None)
                        self._short.pop(moot, None)
            if not waiting:
                del self._exact[text]

    @staticmethod
    def _first(batch: _Batch, question: Question, indexes: list[int]) -> Suggestion | None:
        """The first of ``indexes`` that answers ``question``; a damaged one does not."""
        for index in indexes:
            if batch.context(index) == question.msgctxt and batch.origin(index) != question.exclude:
                found = _offered(batch.lend(index), exact=True)
                if found is not None:
                    return found
        return None

    def _close_wanted(self, batch: _Batch) -> dict[bytes, list[tuple[_Close, int]]]:
        """The msgids of ``batch`` that may rank among the candidates of a close question:
        for each, the questions and how many grams it shares with each."""
        closes = list(self._close.values())
        fresh = batch.fresh(frozenset().union(*(close.grams for close in closes)), self._seen)
        wanted: dict[bytes, list[tuple[_Close, int]]] = {}
        for close in closes:
            close.learn(fresh, self.few)
            for text, shared in close.present(batch, self.few).items():
                wanted.setdefault(text, []).append((close, shared))
        return wanted

    def _admit(
        self,
        batch: _Batch,
        positions: Mapping[bytes, list[int]],
        wanted: Mapping[bytes, list[tuple[_Close, int]]],
    ) -> None:
        """Rank the entries of the ``wanted`` msgids among each question's candidates."""
        start = self.total
        found: dict[_Close, dict[int, list[int]]] = {}
        # Only a question whose ``exclude`` is in the batch needs its entries left out.
        excluding = {close for close in self._close.values() if batch.spans(close.question.exclude)}
        for text, questions in wanted.items():
            for close, shared in questions:
                accepted = positions[text]
                if close in excluding:
                    accepted = batch.outside(close.question.exclude, accepted)
                levels = found.setdefault(close, {})
                levels.setdefault(shared, []).extend(map(start.__add__, accepted))
        for close, entries in found.items():
            if close.question in self._close:  # not answered exactly in this batch
                close.admit(batch, start, entries, self.few)


def _catalog_columns(file: SnapshotFile) -> _Columns | None:
    """The entries of ``file``'s catalog if it still has the hash it had before the run
    (it was not recorded, or its record is damaged)."""
    try:
        data = read_bytes(Path(file.path))
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

    The msgstrs are checked when a suggestion reads them (see :meth:`_Batch.entry`).
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
    ids = record[start + context_size : start + context_size + ids_size].split(_SEP)
    strs = record[start + context_size + ids_size :]
    if len(ids) != count or b"" in ids or not strs:
        return None
    contexts = _contexts(context, count)
    return None if contexts is None else _Columns(ids, contexts, strs)


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
