"""What a message must keep in translation, read off its markdown-it inline token tree.

:func:`read` parses one msgid or msgstr once and collects everything the checks compare:
link and image targets, inline code, placeholders (shortcodes, template code, heading
ids, bare URLs, HTML tags, configured patterns), emphasis counts, emphasis delimiters
that failed to parse, and the prose a reader sees.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline import markdown, placeholders
from pipeline.placeholders import DEFAULT_TEXT_PARAMS, Placeholder

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["EMPHASIS_KINDS", "Invariants", "read"]

#: Emphasis kinds counted, by the token type prefix markdown-it gives them.
EMPHASIS_KINDS: tuple[str, ...] = ("em", "strong", "s")

# A run of ``*`` or ``~~`` left in a text token is a delimiter the emphasis rules did not
# pair: written as markup, shown as punctuation.  A lone ``*`` between spaces is an
# asterisk, not markup, and ``_`` is left out: it is common inside identifiers.
_STAR_RUN = re.compile(r"(?<![*\\])\*{1,3}(?!\*)")
_TILDE_RUN = re.compile(r"(?<![~\\])~~(?!~)")
_SEPARATOR = "\0"  # stands in the prose stream for code, link edges and images
# Without these characters, inline markdown is one run of text: no escape, entity, code,
# emphasis, strikethrough, link, image, autolink, HTML or line break.  Most Korean
# sentences are such runs, and reading them as plain text skips a parse (the build
# checks every translation, so this is most of its work).  Placeholders are still found.
_KEPT = re.compile(rb"\x01+")  # a run of kept characters in a mask
_PLAIN = re.compile(r"[^\\`*_\[\]!<&~\n\r\0]*")


@dataclass(frozen=True, slots=True)
class Invariants:
    """What one message contains that a translation must carry over.

    ``emphasis`` counts parsed emphasis by kind (``em``, ``strong``, ``s``); ``unparsed``
    counts delimiter runs that stayed literal text, such as the two ``**`` of
    ``**파드(Pod)**는``, which CommonMark does not close before a Hangul letter.
    ``words`` is the prose a reader sees, without code, URLs, tags and placeholders but
    with the text parameters of shortcodes and tags.
    """

    links: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()
    emphasis: Mapping[str, int] = field(default_factory=dict)
    unparsed: Mapping[str, int] = field(default_factory=dict)
    words: str = ""


def read(
    text: str,
    *,
    is_markdown: bool = True,
    env: Mapping[str, Any] | None = None,
    text_params: Sequence[str] = DEFAULT_TEXT_PARAMS,
    patterns: Sequence[re.Pattern[str]] = (),
) -> Invariants:
    """The invariants of ``text``: inline markdown, or plain text (front matter values).

    ``env`` holds the document's link reference definitions, so ``[text][ref]`` resolves
    to its target as it does in the document.  The result is shared between calls with
    the same arguments: treat it as read-only.
    """
    # markdown-it reads only the env's references, and only at a "[": most texts do not
    # depend on the env, and their invariants are cached.
    uses_env = "[" in text and env is not None and bool(env.get("references"))
    if uses_env or not isinstance(text_params, tuple) or not isinstance(patterns, tuple):
        return _read(text, is_markdown, env, text_params, patterns)
    return _read_cached(text, is_markdown, text_params, patterns)


# A build checks a msgid once per language, and headings ("개요") recur across documents.
# Bounded, so memory does not grow with the corpus.
@functools.lru_cache(maxsize=4096)
def _read_cached(
    text: str,
    is_markdown: bool,
    text_params: tuple[str, ...],
    patterns: tuple[re.Pattern[str], ...],
) -> Invariants:
    return _read(text, is_markdown, None, text_params, patterns)


def _read(
    text: str,
    is_markdown: bool,
    env: Mapping[str, Any] | None,
    text_params: Sequence[str],
    patterns: Sequence[re.Pattern[str]],
) -> Invariants:
    if not is_markdown or _PLAIN.fullmatch(text):
        found = placeholders.find(text, text_params=text_params, patterns=patterns)
        return Invariants(placeholders=tuple(found), words=_words(text, [(0, len(text))], found))
    return _read_markdown(text, env=env, text_params=text_params, patterns=patterns)


def _read_markdown(
    text: str,
    *,
    env: Mapping[str, Any] | None,
    text_params: Sequence[str],
    patterns: Sequence[re.Pattern[str]],
) -> Invariants:
    stream = _Stream()
    stream.walk(markdown.parse_inline_escapes(text, dict(env or {})))
    found = placeholders.find(stream.text, text_params=text_params, patterns=patterns)
    found += [
        placeholders.html_tag(raw, offset=start, text_params=text_params)
        for start, raw in stream.html
        if not any(p.start <= start < p.end for p in found)
    ]
    found.sort(key=lambda placeholder: placeholder.start)
    return Invariants(
        links=tuple(stream.links),
        code=tuple(stream.code),
        placeholders=tuple(found),
        emphasis=dict(stream.emphasis),
        unparsed={kind: count for kind, count in stream.delimiters.items() if count},
        words=_words(stream.text, stream.prose, found),
    )


class _Stream:
    """The text of an inline token tree as one string, to search for placeholders.

    Hugo expands shortcodes before markdown, so a shortcode may be split over several
    tokens (``{{<note>}}`` parses as text, an HTML tag, text): searching the joined text
    finds it whole.  Code spans, link edges and images become separators.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.prose: list[tuple[int, int]] = []
        self.html: list[tuple[int, str]] = []
        self.links: list[str] = []
        self.code: list[str] = []
        self.emphasis: Counter[str] = Counter()
        self.delimiters: Counter[str] = Counter()

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, text: str, *, prose: bool) -> int:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if prose:
            self.prose.append((start, self.length))
        return start

    def walk(self, tokens: Sequence[Token]) -> None:
        autolink = False
        for token in tokens:
            kind = token.type
            if kind == "text" and autolink:
                self.add(_SEPARATOR, prose=False)  # the URL is the link's target
            elif kind == "text":
                self.add(token.content, prose=True)
                self._count_delimiters(token.content)
            elif kind == "text_special":
                self.add(token.content, prose=True)
            elif kind in ("softbreak", "hardbreak"):
                self.add("\n" if kind == "hardbreak" else " ", prose=True)
            elif kind == "html_inline":
                self.html.append((self.add(token.content, prose=False), token.content))
            elif kind == "code_inline":
                self.code.append(token.content)
                self.add(_SEPARATOR, prose=False)
            elif kind in ("link_open", "link_close"):
                if kind == "link_open":
                    self.links.append(str(token.attrGet("href") or ""))
                autolink = kind == "link_open" and token.markup == "autolink"
                self.add(_SEPARATOR, prose=False)
            elif kind == "image":
                self.links.append(str(token.attrGet("src") or ""))
                self.add(_SEPARATOR, prose=False)
                self.walk(token.children or [])
                self.add(_SEPARATOR, prose=False)
            elif kind.endswith("_open") and kind[:-5] in EMPHASIS_KINDS:
                self.emphasis[kind[:-5]] += 1

    def _count_delimiters(self, text: str) -> None:
        for match in _STAR_RUN.finditer(text):
            before = text[match.start() - 1 : match.start()]
            after = text[match.end() : match.end() + 1]
            if (not before or before.isspace()) and (not after or after.isspace()):
                continue  # an asterisk standing alone
            length = len(match.group())
            if length != 2:
                self.delimiters["em"] += 1
            if length >= 2:
                self.delimiters["strong"] += 1
        self.delimiters["s"] += len(_TILDE_RUN.findall(text))


def _words(text: str, prose: Sequence[tuple[int, int]], found: Sequence[Placeholder]) -> str:
    """The prose characters of ``text``: in ``prose`` spans, outside placeholders except
    their text parameters; every other character becomes a space."""
    if not found and list(prose) == [(0, len(text))]:
        return text  # plain text without placeholders (most messages): all prose
    keep = bytearray(len(text))
    for start, end in prose:
        keep[start:end] = b"\1" * (end - start)
    for placeholder in found:
        keep[placeholder.start : placeholder.end] = bytes(placeholder.end - placeholder.start)
        for start, end in placeholder.text_spans:
            keep[start:end] = b"\1" * (end - start)
    parts, position = [], 0
    for run in _KEPT.finditer(keep):
        parts.append(" " * (run.start() - position))
        parts.append(text[run.start() : run.end()])
        position = run.end()
    parts.append(" " * (len(text) - position))
    return "".join(parts)
