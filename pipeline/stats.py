"""Translation progress: translated, fuzzy and untranslated messages and source words.

Word rule (Korean is written in eojeol, space-separated words with their particles):
a word is a maximal run of non-space characters that holds at least one letter or
digit, counted in the text a reader sees.  For markdown messages that text is the
inline text, link text, image alt text and code spans; link and image URLs, HTML tags
and markup characters (``*``, ``[``, backticks) are not counted.  A Hugo shortcode
counts as the words of its ``text``, ``title``, ``alt``, ``prepend`` and ``caption``
parameters.  Front matter values are plain text.  A message counts once, however
many times it occurs in the document (as gettext's statistics count messages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polib

from pipeline import markdown
from pipeline.catalog import MARKDOWN_FLAG

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["Counts", "Progress", "count_words", "progress"]

_WORD = re.compile(r"\S+")
_WORDY = re.compile(r"\w")
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
_TEXT_PARAM = re.compile(r"\b(?:text|title|alt|prepend|caption)=\"([^\"]*)\"")


@dataclass(frozen=True, slots=True)
class Counts:
    """A number of messages and the source words they hold."""

    messages: int = 0
    words: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.messages + other.messages, self.words + other.words)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one document's translation into one language has come."""

    translated: Counts = Counts()
    fuzzy: Counts = Counts()
    untranslated: Counts = Counts()

    @property
    def total(self) -> Counts:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Translated share of the source words; 100 when there is nothing to translate."""
        words = self.total.words
        return 100.0 if words == 0 else 100.0 * self.translated.words / words

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON: the three states' messages and words, totals, percent."""
        states = {
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
        }
        data: dict[str, object] = {
            name: {"messages": counts.messages, "words": counts.words}
            for name, counts in states.items()
        }
        data["percent_translated"] = round(self.percent, 2)
        return data

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.translated + other.translated,
            self.fuzzy + other.fuzzy,
            self.untranslated + other.untranslated,
        )


def count_words(text: str, *, is_markdown: bool = True) -> int:
    """The words of one message, by the rule in this module's docstring."""
    text = _SHORTCODE.sub(lambda m: " ".join(_TEXT_PARAM.findall(m[0])), text)
    if is_markdown:
        # Pieces join without spaces: "[컨테이너](/c)의" is one eojeol, "컨테이너의".
        text = "".join(_visible(markdown.parse_inline(text)))
    return sum(1 for word in _WORD.findall(text) if _WORDY.search(word))


def _visible(tokens: Iterable[Token]) -> Iterable[str]:
    for token in tokens:
        if token.type in ("text", "code_inline"):
            yield token.content
        elif token.type == "image":
            yield from _visible(token.children or [])
        elif token.type in ("softbreak", "hardbreak"):
            yield " "


def progress(template: polib.POFile, catalog: polib.POFile | None) -> Progress:
    """The state of ``template``'s messages in ``catalog`` (None: nothing translated).

    A message is translated when the catalog has a non-fuzzy, non-empty msgstr for its
    ``(msgctxt, msgid)`` (what a build uses), fuzzy when it has a fuzzy one, and
    untranslated otherwise, including when the catalog predates a source change.
    """
    states: dict[tuple[str | None, str], str] = {}
    for entry in catalog or []:
        if entry.obsolete or not entry.msgstr:
            continue
        states[(entry.msgctxt or None, entry.msgid)] = "fuzzy" if "fuzzy" in entry.flags else "done"
    result = Progress()
    for entry in template:
        counts = Counts(1, count_words(entry.msgid, is_markdown=MARKDOWN_FLAG in entry.flags))
        state = states.get((entry.msgctxt or None, entry.msgid))
        if state == "done":
            result += Progress(translated=counts)
        elif state == "fuzzy":
            result += Progress(fuzzy=counts)
        else:
            result += Progress(untranslated=counts)
    return result
