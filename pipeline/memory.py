"""Translation memory: reviewed translations from other catalogs of a language and compendia."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polib

from pipeline.fuzzy import THRESHOLD, FuzzyIndex

__all__ = ["Memory", "Suggestion"]


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


def _reviewed(entry: polib.POEntry) -> bool:
    """A current, non-fuzzy, translated singular message: what the memory may offer."""
    return bool(entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags and entry.msgid)


class Memory:
    """Translations of one language, looked up exactly or fuzzily, never from ``exclude``.

    ``sources`` are ``(origin, catalog)`` pairs in priority order: for a msgid translated
    in several catalogs, the first one's translation is offered.  Only reviewed
    translations are kept: not fuzzy, not obsolete, not empty.
    """

    def __init__(self, sources: Iterable[tuple[str, polib.POFile]]) -> None:
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
