"""msgmerge's fuzzy search in pure Python: which old message an edited msgid most resembles.

GNU msgmerge (gettext 0.21, ``msgl-fsearch.c`` and ``fstrcmp.c``) is reproduced, so an
``l10n extract`` marks the same messages fuzzy as ``msgmerge --previous`` would:

- Candidates are old messages that have a translation (fuzzy or not, current or
  obsolete).  A candidate must share at least one 4-gram of characters with the new
  msgid; msgids shorter than 4 characters are compared with every short old msgid whose
  byte length could still reach the threshold.
- The score is gettext's ``fstrcmp``: ``(a + b - edits) / (a + b)`` over the UTF-8
  *bytes* of both msgids, where ``edits`` counts the inserted and deleted bytes of a
  shortest edit script (rapidfuzz's Indel distance computes exactly that).
- A candidate without msgctxt, or with the same msgctxt, gets a bonus of 0.00001.
- The best score must be strictly above :data:`THRESHOLD` (0.6).  Ties go to the
  candidate that shares more 4-grams, then to the earlier one in the old catalog.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import polib

__all__ = [
    "THRESHOLD",
    "FuzzyIndex",
    "grams",
    "short_sizes",
    "shortlist",
    "similarity",
    "weight",
]

#: msgmerge's FUZZY_THRESHOLD: a match must score strictly above it.
THRESHOLD = 0.6
# A same-context (or context-free) candidate wins a tie against another context.
_BONUS = 0.00001
_GRAM = 4
# Strings of fewer than 4 characters (at most 12 bytes) are compared by length class.
_SHORT_FACTOR = 2 / THRESHOLD - 1
_SHORT_MAX = int(3 * 4 * _SHORT_FACTOR)


def similarity(first: str, second: str) -> float:
    """gettext's ``fstrcmp`` of two strings: 1.0 when equal, 0.0 when nothing is shared."""
    a, b = first.encode("utf-8"), second.encode("utf-8")
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    return (total - _indel().distance(a, b)) / total


@functools.cache
def _indel() -> Any:
    """rapidfuzz's Indel metric, imported on first use: most runs compare no strings, and
    the import costs about 15 ms of every process's start."""
    from rapidfuzz.distance import Indel

    return Indel


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural.get(0) or entry.msgstr_plural.get("0"))
    return bool(entry.msgstr)


def grams(text: str) -> list[str]:
    """The 4-grams of ``text``, repeats included (each repeat counts), in order."""
    return [text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)]


def shortlist(size: int) -> int:
    """How many of the best gram-sharing candidates of ``size`` entries are scored."""
    return max(10, int(math.sqrt(size)))


def short_sizes(size: int) -> range:
    """The byte lengths an entry may have to be compared with a query of ``size`` bytes
    and fewer than 4 characters (it has no 4-gram to share)."""
    return range(math.ceil(size / _SHORT_FACTOR), int(size * _SHORT_FACTOR) + 1)


def weight(query: bytes, other: bytes, *, same_context: bool, bound: float) -> float:
    """``other``'s score for ``query`` (UTF-8 msgids), bonus included; 0.0 when it cannot
    be above ``bound``.

    ``same_context``: the candidate has no msgctxt, or the query's.  Above the bound the
    score is exact, so a search keeps the first candidate of the highest score.
    """
    bonus = _BONUS if same_context else 0.0
    total = len(query) + len(other)
    # Cheap bound first: the score can never pass 2 * shorter / total.
    if total == 0 or 2 * min(len(query), len(other)) / total + bonus <= bound:
        return 0.0
    cutoff = int((1 - (bound - bonus * 1.01)) * total) + 1
    edits = _indel().distance(query, other, score_cutoff=cutoff)
    if edits > cutoff:
        return 0.0
    return (total - edits) / total + bonus


class FuzzyIndex:
    """The translated messages of a catalog (or a memory), searchable like msgmerge does.

    ``entries`` keep their order: it breaks ties.  Entries without a translation are
    ignored, as msgmerge ignores them.
    """

    def __init__(self, entries: Iterable[polib.POEntry]) -> None:
        self._entries = [entry for entry in entries if _is_translated(entry)]
        self._bytes: list[bytes] = []
        self._by_gram: dict[str, list[int]] = {}
        self._short: dict[int, list[int]] = {}
        self._few = shortlist(len(self._entries))
        # Grams are looked up in the distinct msgids: a memory repeats many (shared
        # headings, notices).  Each gram is found by a scan of them, while that costs
        # less than indexing every gram of every msgid: a memory of a whole site is
        # asked about a few new messages per run.
        self._texts: dict[str, list[int]] = {}  # msgid -> its entries, in order
        self._text_grams: dict[str, list[str]] | None = None  # gram -> msgids, when complete
        self._scanned = 0
        self._budget = 0

    def _build(self) -> None:
        """Prepare the entries on first use: most updates never need a fuzzy search."""
        for index, entry in enumerate(self._entries):
            self._texts.setdefault(entry.msgid, []).append(index)
        # Each distinct msgid is encoded once: a memory repeats many.
        encoded = {text: text.encode("utf-8") for text in self._texts}
        self._bytes = [encoded[entry.msgid] for entry in self._entries]
        for index, data in enumerate(self._bytes):
            if len(data) <= _SHORT_MAX:
                self._short.setdefault(len(data), []).append(index)
        # Measured: splitting a msgid into its grams costs about as much per character
        # as two substring tests.
        self._budget = 2 * sum(map(len, self._texts))

    def _index_every_gram(self) -> None:
        self._text_grams = {}
        for text in self._texts:
            for gram in dict.fromkeys(grams(text)):
                self._text_grams.setdefault(gram, []).append(text)

    def _postings(self, gram: str) -> Sequence[int]:
        """The indices of the entries whose msgid contains ``gram``, in entry order."""
        found = self._by_gram.get(gram)
        if found is not None:
            return found
        if self._text_grams is None and self._scanned > self._budget:
            self._index_every_gram()
        if self._text_grams is not None:
            texts = self._text_grams.get(gram, [])
        else:
            self._scanned += len(self._texts)
            texts = [text for text in self._texts if gram in text]
        if len(texts) == 1:
            found = self._texts[texts[0]]
        else:
            found = sorted(index for text in texts for index in self._texts[text])
        self._by_gram[gram] = found
        return found

    def __len__(self) -> int:
        return len(self._entries)

    def best(
        self,
        msgctxt: str | None,
        msgid: str,
        *,
        lower_bound: float = THRESHOLD,
        heuristic: bool = False,
        accept: Callable[[polib.POEntry], bool] | None = None,
    ) -> tuple[polib.POEntry, float] | None:
        """The most similar entry and its score (bonus included), or None below the bound.

        ``heuristic`` looks only at the few candidates sharing the most 4-grams, as
        msgmerge does for compendia.  ``accept`` filters candidates (for example, the
        memory leaves out the catalog being updated).
        """
        if len(self._bytes) != len(self._entries):
            self._build()
        best: tuple[polib.POEntry, float] | None = None
        best_weight = lower_bound
        query = msgid.encode("utf-8")
        candidates = self._candidates(msgid, query)
        if accept is not None:
            candidates = [i for i in candidates if accept(self._entries[i])]
        if heuristic and len(msgid) >= _GRAM:
            candidates = candidates[: self._few]
        for index in candidates:
            entry = self._entries[index]
            weight = self._weight(index, msgctxt, query, best_weight)
            if weight > best_weight:
                best, best_weight = (entry, weight), weight
        return best

    def _candidates(self, msgid: str, query: bytes) -> Sequence[int]:
        """Indices worth scoring, those sharing the most 4-grams with ``msgid`` first."""
        found = grams(msgid)
        if not found:
            return [i for size in short_sizes(len(query)) for i in self._short.get(size, ())]
        counts: Counter[int] = Counter()
        for gram in found:
            counts.update(self._postings(gram))
        return sorted(counts, key=lambda index: (-counts[index], index))

    def _weight(self, index: int, msgctxt: str | None, query: bytes, bound: float) -> float:
        context = self._entries[index].msgctxt
        same = context is None or (msgctxt is not None and context == msgctxt)
        return weight(query, self._bytes[index], same_context=same, bound=bound)
