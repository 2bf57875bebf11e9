"""What a translation must carry over verbatim: shortcodes, template code, ids, tags, URLs.

Hugo expands ``{{< name ... >}}`` and ``{{% name ... %}}`` shortcodes and ``{{ ... }}``
template code before markdown is rendered, and reads a trailing ``{#id}`` as a heading's
anchor.  HTML tags and bare URLs (Hugo's goldmark linkifies them) pass through to the
page.  A translator may reword the text-bearing parameters of a shortcode or a tag
(``text="파드"``, ``alt="..."``) but nothing else about it.

:func:`find` locates these in prose text; each :class:`Placeholder` says what must
survive (``normalized``, with text parameters blanked) and which parts may be translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_TEXT_PARAMS",
    "Placeholder",
    "PlaceholderKind",
    "find",
    "html_tag",
    "is_text_param",
]

#: Parameters whose value is prose, in shortcodes and HTML tags alike.
DEFAULT_TEXT_PARAMS: tuple[str, ...] = ("text", "title", "alt", "prepend", "caption")

PlaceholderKind = Literal["shortcode", "template", "heading-id", "url", "html", "pattern"]

_SHORTCODE = re.compile(r"\{\{([<%])(.*?)([%>])\}\}", re.S)
# A shortcode cut in two by a block boundary: Hugo reads it whole, our segments see halves
# ("{{< tooltip text=... term_id=x" in one paragraph, "}}" opening the next).
_SHORTCODE_START = re.compile(r"\{\{([<%])((?:(?!\{\{|[%>]\}\}).)*)()()$", re.S)
_SHORTCODE_END = re.compile(r"^(?:(?!\{\{).)*?([%>]?\}\})", re.S)
_TEMPLATE = re.compile(r"\{\{(?![<%])(.*?)\}\}", re.S)
_HEADING_ID = re.compile(r"\{[ \t]*#[^\s{}]+[^{}]*\}")
# URL characters are ASCII: in Korean prose a particle follows a URL without a space
# ("https://k8s.io를"), and trailing punctuation ends the sentence, not the URL.
_URL = re.compile(r"\b(?:https?|ftp)://[A-Za-z0-9._~:/?#@!$&*+,;=%-]*[A-Za-z0-9_~/#=%&*+-]")
# One shortcode or tag parameter: ``name="value"``, ``name=value`` or a positional value.
_PARAM = re.compile(
    r"""(?:([\w.:-]+)[ \t]*=[ \t]*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s"'`=<>]+)""", re.S
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(.*?)(/?)>", re.S)
_ELIDED = "…"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One thing a translation must keep, found at ``text[start:end]``.

    ``normalized`` is what is compared between source and translation: the text with
    runs of whitespace collapsed and the values of text-bearing parameters replaced by
    ``…``.  ``text_spans`` are those values' spans (quotes excluded): translatable.
    """

    kind: PlaceholderKind
    start: int
    end: int
    normalized: str
    text_spans: tuple[tuple[int, int], ...] = ()


def is_text_param(name: str, text_params: Iterable[str]) -> bool:
    """Whether a parameter called ``name`` holds prose (``text``, ``title``, ...)."""
    return name.lower() in {param.lower() for param in text_params}


def find(
    text: str,
    *,
    text_params: Sequence[str] = DEFAULT_TEXT_PARAMS,
    patterns: Sequence[re.Pattern[str]] = (),
) -> list[Placeholder]:
    """Shortcodes, template code, heading ids, bare URLs and ``patterns`` in ``text``.

    Matches do not overlap: where two would, the one starting first (then the longer)
    wins, so a URL inside a shortcode's parameter belongs to the shortcode.  HTML tags
    are not searched here: the markdown parser finds them (see :func:`html_tag`).
    """
    found = [*_shortcodes(text, text_params), *_simple(text, patterns)]
    found.sort(key=lambda p: (p.start, -p.end))
    kept: list[Placeholder] = []
    for placeholder in found:
        if not kept or placeholder.start >= kept[-1].end:
            kept.append(placeholder)
    return kept


def _shortcodes(text: str, text_params: Sequence[str]) -> Iterator[Placeholder]:
    whole = list(_SHORTCODE.finditer(text))
    start = _SHORTCODE_START.search(text, whole[-1].end() if whole else 0)
    for match in [*whole, *([start] if start else [])]:
        opening, closing = match.group(1), match.group(3)
        words, spans = _parameters(match.group(2), match.start(2), text_params)
        normalized = "{{" + opening + " " + " ".join(words) + (f" {closing}}}}}" if closing else "")
        yield Placeholder("shortcode", match.start(), match.end(), normalized, spans)
    end = _SHORTCODE_END.match(text)
    if end is not None and (not whole or end.end() <= whole[0].start()):
        yield Placeholder("shortcode", end.start(1), end.end(1), end.group(1))


def _simple(text: str, patterns: Sequence[re.Pattern[str]]) -> Iterator[Placeholder]:
    kinds: list[tuple[PlaceholderKind, re.Pattern[str]]] = [
        ("template", _TEMPLATE),
        ("heading-id", _HEADING_ID),
        ("url", _URL),
    ]
    kinds += [("pattern", pattern) for pattern in patterns]
    for kind, pattern in kinds:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                normalized = " ".join(match.group().split())
                yield Placeholder(kind, match.start(), match.end(), normalized)


def _parameters(
    body: str, offset: int, text_params: Sequence[str]
) -> tuple[list[str], tuple[tuple[int, int], ...]]:
    """Words of a shortcode or tag body, text values elided, and those values' spans."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(body):
        match = _PARAM.search(body, position)
        if match is None:
            rest = body[position:].strip()
            if rest:
                words.append(rest)
            break
        between = body[position : match.start()].strip()
        if between:
            words.append(between)  # "/" of a closing shortcode, stray characters
        name, value = match.group(1), match.group(2)
        if name is not None and is_text_param(name, text_params):
            quoted = value[:1] in "\"'`"
            start = match.start(2) + (1 if quoted else 0)
            end = match.end(2) - (1 if quoted else 0)
            spans.append((offset + start, offset + end))
            words.append(f"{name}={_ELIDED}")
        else:
            words.append(match.group())
        position = match.end()
    return words, tuple(spans)


def html_tag(
    raw: str, *, offset: int = 0, text_params: Sequence[str] = DEFAULT_TEXT_PARAMS
) -> Placeholder:
    """An inline HTML tag (or comment) as a placeholder; ``offset`` is where ``raw`` starts.

    The tag's name, its other attributes and their order must stay; the values of
    text-bearing attributes (``alt``, ``title``, ...) may be translated.  Comments and
    processing instructions must stay as they are.
    """
    match = _TAG.fullmatch(raw)
    if match is None:
        return Placeholder("html", offset, offset + len(raw), " ".join(raw.split()))
    closing, name, body, self_closing = match.groups()
    words, spans = _parameters(body, offset + match.start(3), text_params)
    normalized = "<" + closing + " ".join([name.lower(), *words]) + self_closing + ">"
    return Placeholder("html", offset, offset + len(raw), normalized, spans)
