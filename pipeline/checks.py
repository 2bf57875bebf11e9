"""Checks that keep a translation from breaking its document; they return problems, never print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline import markdown

__all__ = ["Problem", "link_target_problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A translation that was not used, and why.

    ``code`` is a short stable name (``link-target``, ``block-structure``, ``yaml``, ...)
    for scripts; ``message`` is for people.
    """

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.message}"


def link_target_problem(msgid: str, translation: str, env: Mapping[str, Any]) -> str | None:
    """Why ``translation`` does not keep the link and image targets of ``msgid``, or ``None``.

    Targets are compared as a multiset: word order differs between languages, so a
    translation may reorder links, but it may not drop, add or change one.
    """
    if "[" not in msgid + translation and "<" not in msgid + translation:
        return None  # no link, image or autolink on either side: nothing to parse
    source = Counter(markdown.link_targets(markdown.parse_inline(msgid, dict(env))))
    target = Counter(markdown.link_targets(markdown.parse_inline(translation, dict(env))))
    if source == target:
        return None
    missing = sorted((source - target).elements())
    added = sorted((target - source).elements())
    parts = []
    if missing:
        parts.append("drops " + ", ".join(missing))
    if added:
        parts.append("adds " + ", ".join(added))
    return "translation " + " and ".join(parts) + "; keep every link target as in the source"
