"""The translation memory as it was first written: what the streaming memory must answer.

Every reviewed entry in one list, exact questions answered by scanning it, close ones by
one :class:`~pipeline.fuzzy.FuzzyIndex` over all of it with msgmerge's heuristic.
"""

from __future__ import annotations

from collections.abc import Sequence

import polib

from pipeline.fuzzy import THRESHOLD, FuzzyIndex
from pipeline.memory import Suggestion


class ReferenceMemory:
    """``sources`` (origin, catalog) in priority order, answered the simple way."""

    def __init__(self, sources: Sequence[tuple[str, polib.POFile]]) -> None:
        self._entries = [
            (entry, origin)
            for origin, po in sources
            for entry in po
            if entry.msgstr
            and not entry.obsolete
            and "fuzzy" not in entry.flags
            and entry.msgid
            and not entry.msgid_plural
        ]
        self._origins = {id(entry): origin for entry, origin in self._entries}
        self._index = FuzzyIndex(entry for entry, _ in self._entries)

    def __bool__(self) -> bool:
        return True

    def exact(self, msgctxt: str | None, msgid: str, *, exclude: str = "") -> Suggestion | None:
        for entry, origin in self._entries:
            if (entry.msgctxt, entry.msgid) == (msgctxt, msgid) and origin != exclude:
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
        found = self._index.best(
            msgctxt,
            msgid,
            lower_bound=lower_bound,
            heuristic=True,
            accept=lambda entry: self._origins[id(entry)] != exclude,
        )
        if found is None:
            return None
        entry, score = found
        return Suggestion(entry, self._origins[id(entry)], exact=False, weight=score)
