"""Parse a markdown document once into translatable segments, each with its exact source span."""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from pipeline import frontmatter, markdown
from pipeline.frontmatter import FrontMatter

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "Document",
    "Heading",
    "Segment",
    "SegmentKind",
    "block_spans",
    "is_translatable",
    "parse_document",
    "structure",
]

SegmentKind = Literal["heading", "paragraph", "table-cell", "front-matter"]

_NEWLINE = re.compile(r"\r\n|\r|\n")
# markdown-it trims these around paragraphs and cells (it includes NBSP and U+3000).
# markdown-it's MD_TRIM_CHARS (what it strips from paragraphs and headings) without the
# line breaks; spelled out so that importing this module does not import markdown-it
# (tests/test_document.py checks it against the library's).
_TRIM = (
    "\t\x0b\x0c \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A line holding only Hugo shortcodes (``{{< note >}}``, ``{{% /tab %}}``) is layout: it
# stays on its own line, outside any segment, unless a parameter holds text.
_SHORTCODE_LINE = re.compile(r"[ \t]*(?:\{\{[<%].*?[%>]\}\}[ \t]*)+")
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}")
_TEXT_PARAM = re.compile(r"\b(?:text|title|alt|prepend|caption)=\"([^\"]*)\"")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
# Text without these characters has no code, link, image, autolink, HTML, entity, escape,
# shortcode or URL: every letter in it is a letter of an inline text token.
_PLAIN = re.compile(r"[^`<\[&\\{:]*")
_HANGUL = re.compile("[\uac00-\ud7a3]")
# Where a link's text ends and its destination or label begins: ``](/simple/path)`` and
# ``][label]`` end where shown; any other ``](`` or ``][`` may run to the end of the msgid.
_LINK_TAIL = re.compile(r"\]\([^()\s\"'<]*\)|\]\[[^\]]*\]|\][(\[]")
_URL_WORD = re.compile(r"\S*://\S*")


@dataclass(frozen=True, slots=True)
class Segment:
    """One translatable block of a document.

    Splicing a translation replaces ``document.text[start:end]``; every other character
    of the document is kept.
    """

    kind: SegmentKind
    #: The text translators see: inline markdown as written, container prefixes removed,
    #: soft line breaks joined with one space, NFC-normalised.
    msgid: str
    #: Character offsets of the replaced region in :attr:`Document.text`.
    start: int
    end: int
    #: 1-based line of the segment's first character.
    line: int
    #: What the element is, for the ``#.`` comment: "heading 2", "paragraph in list item".
    element: str
    #: Prefix for each line a translation adds (``"> "``, list indentation).
    continuation: str = ""
    #: Front matter only: the key path, the YAML style of the scalar and its loaded value.
    key: tuple[str | int, ...] = ()
    style: str = ""
    value: str = ""

    @property
    def msgctxt(self) -> str | None:
        """Front matter values get a context so they never merge with markdown text."""
        if self.kind != "front-matter":
            return None
        return "frontmatter:" + ".".join(str(p) for p in self.key if isinstance(p, str))

    @property
    def is_markdown(self) -> bool:
        """Whether the msgid is markdown (front matter values are plain YAML strings)."""
        return self.kind != "front-matter"


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the document, translatable or not: its line and inline content."""

    line: int
    level: int
    content: str


@dataclass(frozen=True, slots=True)
class Document:
    """A source document: its exact text and the segments found in it."""

    text: str
    segments: tuple[Segment, ...]
    front_matter: FrontMatter | None = None
    #: Link reference definitions, so ``[text][ref]`` in a translation resolves.
    references: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    path: str = "<string>"
    #: The block structure with text left out (see :func:`pipeline.markdown.skeleton`).
    skeleton: tuple[Any, ...] = ()
    #: Every heading in document order, for anchors (segments skip untranslatable ones).
    headings: tuple[Heading, ...] = ()

    @property
    def env(self) -> dict[str, Any]:
        """A markdown-it env holding the references, for parsing the document's inline text."""
        return {"references": dict(self.references)}

    @property
    def newline(self) -> str:
        """The document's first line ending (``\\n`` when it has none)."""
        match = _NEWLINE.search(self.text)
        return match.group() if match else "\n"


def parse_document(
    text: str, *, path: str = "<string>", keys: Sequence[str] = frontmatter.DEFAULT_KEYS
) -> Document:
    """Split ``text`` into segments: front matter values under ``keys``, then markdown blocks.

    ``path`` is used in error messages only.  Raises :class:`~pipeline.errors.SourceError`
    for front matter that is unterminated, invalid or not a mapping.
    """
    bom = 1 if text.startswith("\ufeff") else 0
    front = frontmatter.locate(text, offset=bom, path=path)
    segments = [] if front is None else _front_matter_segments(text, front, keys, path)
    source = _Source(text, bom, front)
    tokens, env = markdown.parse_blocks(source.markdown)
    segments.extend(_markdown_segments(tokens, source, env))
    return Document(
        text=text,
        segments=tuple(segments),
        front_matter=front,
        references=MappingProxyType(dict(env.get("references", {}))),
        path=path,
        skeleton=tuple(markdown.skeleton(tokens)),
        headings=tuple(_headings(tokens)),
    )


def _headings(tokens: Sequence[Token]) -> Iterator[Heading]:
    # markdown-it's line numbers are the document's: front matter lines are blanked, not cut.
    for token, inline in itertools.pairwise(tokens):
        if token.type == "heading_open" and token.map is not None:
            yield Heading(token.map[0] + 1, int(token.tag[1:]), _nfc(inline.content))


def structure(text: str, *, path: str = "<string>") -> tuple[Any, ...]:
    """The markdown block structure of ``text`` (front matter skipped), for comparisons."""
    bom = 1 if text.startswith("\ufeff") else 0
    front = frontmatter.locate(text, offset=bom, path=path)
    return tuple(markdown.block_skeleton(_Source(text, bom, front).markdown))


def block_spans(text: str, *, path: str = "<string>") -> list[tuple[int, int]]:
    """Character spans of the top-level markdown blocks of ``text``, in order.

    Each span covers whole lines, line endings included; front matter is skipped.  A
    top-level block (a paragraph, a whole list, a whole blockquote, a table, a fence)
    can be re-parsed on its own, which is how a build finds a translation that breaks
    the structure without re-parsing the whole document for every suspect.
    """
    bom = 1 if text.startswith("\ufeff") else 0
    source = _Source(text, bom, frontmatter.locate(text, offset=bom, path=path))
    tokens, _ = markdown.parse_blocks(source.markdown)
    spans = []
    for token in tokens:
        if token.level == 0 and token.nesting >= 0 and token.map:
            begin, end = token.map
            stop = source.starts[end] if end < len(source.starts) else len(text)
            spans.append((source.starts[begin], stop))
    return spans


def _front_matter_segments(
    text: str, front: FrontMatter, keys: Sequence[str], path: str
) -> list[Segment]:
    return [
        Segment(
            kind="front-matter",
            msgid=_nfc(value.value.strip()),
            start=value.start,
            end=value.end,
            line=value.line,
            element=f"front matter: {value.dotted}",
            key=value.key,
            style=value.style,
            value=value.value,
        )
        for value in frontmatter.values(text, front, keys, path=path)
        if value.value.strip()
    ]


class _Source:
    """The text markdown-it parses, and the way back from its offsets to the document's.

    markdown-it sees the document with the BOM dropped, front matter lines blanked and
    every line ending turned into ``\\n``; line ``k``, column ``c`` of that text is line
    ``k``, column ``c`` of the document (column shifted by the BOM on line 0).
    """

    def __init__(self, text: str, bom: int, front: FrontMatter | None) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        lines = [text[start : self._line_end(k)] for k, start in enumerate(self.starts)]
        lines[0] = lines[0][bom:]
        self.bom = bom
        # Front matter lines are blanked, so markdown-it neither parses nor counts them.
        hidden = 0 if front is None else _bisect(self.starts, front.end - 1) + 1
        for k in range(min(hidden, len(lines))):
            lines[k] = ""
        self.markdown = "\n".join(lines)
        self.md_starts = [0]
        for line in lines[:-1]:
            self.md_starts.append(self.md_starts[-1] + len(line) + 1)

    def _line_end(self, k: int) -> int:
        if k + 1 < len(self.starts):
            end = self.starts[k + 1]
            return end - (2 if self.text[end - 2 : end] == "\r\n" else 1)
        return len(self.text)

    def to_text(self, offset: int) -> int:
        """Document offset of markdown-it offset ``offset``."""
        k = _bisect(self.md_starts, offset)
        return self.starts[k] + (offset - self.md_starts[k]) + (self.bom if k == 0 else 0)

    def line_of(self, offset: int) -> int:
        """1-based line of markdown-it offset ``offset``."""
        return _bisect(self.md_starts, offset) + 1


def _bisect(starts: list[int], offset: int) -> int:
    """Index of the last start at or before ``offset`` (``starts`` is sorted, from 0)."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


# --- markdown rules ---------------------------------------------------------------------
#
# Like markdown-it's own block rules, each rule below handles one kind of block: it gets the
# opening token's index and yields segments.  ``_RULES`` maps token types to rules; table
# rows also get their number, counted here (counting back from each row made long tables
# quadratic).

_Rule = Callable[
    [list["Token"], int, "_Source", tuple[str, ...], Mapping[str, Any]], Iterator[Segment]
]


def _markdown_segments(
    tokens: list[Token], source: _Source, env: Mapping[str, Any]
) -> Iterator[Segment]:
    containers: list[str] = []
    row = 0  # of the current table: 0 is the header row, then 1, 2, ... in the body
    for index, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append("blockquote" if token.type == "blockquote_open" else "list item")
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif token.type == "tr_open":
            row = 0 if tokens[index - 1].type == "thead_open" else row + 1
            yield from _table_row(tokens, index, source, tuple(containers), row, env)
        elif token.type in _RULES:
            yield from _RULES[token.type](tokens, index, source, tuple(containers), env)


def _where(containers: tuple[str, ...]) -> str:
    return "".join(f" in {name}" for name in reversed(containers))


def _paragraph(
    tokens: list[Token], index: int, source: _Source, containers: tuple[str, ...], env: Any
) -> Iterator[Segment]:
    spans = tokens[index].meta.get(markdown.LINE_SPANS, ())
    element = "paragraph" + _where(containers)
    for run in _runs_without_shortcode_lines(source.markdown, spans):
        yield from _text_segment("paragraph", run, source, element, env)


def _heading(
    tokens: list[Token], index: int, source: _Source, containers: tuple[str, ...], env: Any
) -> Iterator[Segment]:
    token, inline = tokens[index], tokens[index + 1]
    spans = token.meta.get(markdown.LINE_SPANS, ())
    element = f"heading {token.tag[1:]}" + _where(containers)
    if token.markup in ("=", "-"):  # setext: the underline stays as it is
        yield from _text_segment("heading", spans[:-1], source, element, env)
        return
    line_start, line_end = spans[0]
    line = source.markdown[line_start:line_end]
    start = source.markdown.find(
        inline.content, line_start + len(line) - len(line.lstrip("#")), line_end
    )
    if inline.content and start >= 0:
        yield from _text_segment(
            "heading", ((start, start + len(inline.content)),), source, element, env
        )


def _table_row(
    tokens: list[Token],
    index: int,
    source: _Source,
    containers: tuple[str, ...],
    row: int,
    env: Any,
) -> Iterator[Segment]:
    spans = tokens[index].meta.get(markdown.LINE_SPANS, ())
    if not spans:
        return
    header = row == 0
    cells = _cell_spans(source.markdown, *spans[0])
    inlines = [t for t in _row_tokens(tokens, index) if t.type == "inline"]
    for column, (inline, (start, end)) in enumerate(zip(inlines, cells, strict=False), 1):
        raw = source.markdown[start:end]
        if raw.replace("\\|", "|") != inline.content:
            continue  # the cell is not where we think it is; never splice blindly
        where = (
            f"table header, column {column}"
            if header
            else f"table cell, row {row}, column {column}"
        )
        yield from _text_segment(
            "table-cell", ((start, end),), source, where + _where(containers), env
        )


def _row_tokens(tokens: list[Token], index: int) -> Iterator[Token]:
    # Indexes, not slices: copying the token list for every row made big tables quadratic.
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == "tr_close":
            return
        yield tokens[position]


def _cell_spans(src: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of a table row's cells, split as markdown-it's ``escapedSplit`` does."""
    while start < end and src[start] in _TRIM:
        start += 1
    while end > start and src[end - 1] in _TRIM:
        end -= 1
    cells, cell_start, escaped = [], start, False
    for position in range(start, end):
        if src[position] == "|" and not escaped:
            cells.append((cell_start, position))
            cell_start = position + 1
        escaped = src[position] == "\\"
    cells.append((cell_start, end))
    if cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    if cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return [_trimmed(src, a, b) for a, b in cells]


def _trimmed(src: str, start: int, end: int) -> tuple[int, int]:
    text = src[start:end]
    lead = len(text) - len(text.lstrip(_TRIM))
    return start + lead, start + len(text.rstrip(_TRIM)) if text.strip(_TRIM) else start + lead


_RULES: Mapping[str, _Rule] = MappingProxyType(
    {"paragraph_open": _paragraph, "heading_open": _heading}
)


# --- from line spans to a segment ----------------------------------------------------------


def _runs_without_shortcode_lines(
    src: str, spans: Sequence[tuple[int, int]]
) -> Iterator[tuple[tuple[int, int], ...]]:
    run: list[tuple[int, int]] = []
    for start, end in spans:
        if _SHORTCODE_LINE.fullmatch(src, start, end) and not _TEXT_PARAM.search(src, start, end):
            if run:
                yield tuple(run)
            run = []
        else:
            run.append((start, end))
    if run:
        yield tuple(run)


def _text_segment(
    kind: SegmentKind,
    spans: Sequence[tuple[int, int]],
    source: _Source,
    element: str,
    env: Any,
) -> Iterator[Segment]:
    if not spans:
        return
    src = source.markdown
    first_start, first_end = spans[0]
    start = (
        first_start
        + len(src[first_start:first_end])
        - len(src[first_start:first_end].lstrip(_TRIM))
    )
    last_start, last_end = spans[-1]
    if len(spans) == 1:
        last_start = start
    end = last_start + len(src[last_start:last_end].rstrip(_TRIM))
    if end <= start:
        return
    lines = (
        [(start, first_end), *spans[1:-1], (last_start, end)] if len(spans) > 1 else [(start, end)]
    )
    msgid = _nfc(_join_lines(src, lines))
    if not is_translatable(msgid, env):
        return
    text_start = source.to_text(start)
    line_start = source.starts[source.line_of(start) - 1]
    yield Segment(
        kind=kind,
        msgid=msgid,
        start=text_start,
        end=source.to_text(end),
        line=source.line_of(start),
        element=element,
        continuation=_continuation(source.text[line_start:text_start]),
    )


def _join_lines(src: str, spans: Sequence[tuple[int, int]]) -> str:
    """Lines of a block as one msgid: soft breaks become a space, hard breaks stay."""
    parts = []
    for number, (start, end) in enumerate(spans, 1):
        line = src[start:end]
        if number == len(spans):
            parts.append(line)
        elif _is_hard_break(line):
            parts.append(line + "\n")
        else:
            parts.append(line.rstrip(" \t") + " ")
    return "".join(parts)


def _is_hard_break(line: str) -> bool:
    if line.endswith("  "):
        return True
    backslashes = len(line) - len(line.rstrip("\\"))
    return backslashes % 2 == 1


def _continuation(prefix: str) -> str:
    """The prefix of a new line inside the same containers as a line starting with ``prefix``.

    List markers become spaces of the same width, blockquote markers stay: ``"> 1. "``
    gives ``">    "``.
    """
    return re.sub(r"[-+*]|\d+[.)]", lambda m: " " * len(m.group()), prefix)


def is_translatable(msgid: str, env: Mapping[str, Any] | None = None) -> bool:
    """Whether ``msgid`` has words to translate outside code, URLs, HTML and shortcodes.

    Text-bearing shortcode parameters (``text="파드"``) count as words.
    """
    if _PLAIN.fullmatch(msgid):  # most msgids: no inline parse needed
        return any(character.isalpha() for character in msgid)
    return _has_plain_hangul(msgid) or _has_words(msgid, env)


def _has_plain_hangul(msgid: str) -> bool:
    """Whether a Hangul syllable of ``msgid`` is certainly in an inline text token.

    A cheap, conservative test that spares most msgids with links or code an inline
    parse: a syllable counts only when it lies outside every span that could be code,
    HTML, an autolink, a shortcode, a link destination or label, or a word with a URL.
    Entities and backslash escapes can make such spans out of other characters, so a
    msgid with ``&`` or ``\\`` is left to the parser.  ``False`` means "ask the parser".
    """
    if "&" in msgid or "\\" in msgid:
        return False
    spans = [
        (msgid.find(opener), msgid.rfind(closer) + len(closer))
        for opener, closer in (("`", "`"), ("<", ">"), ("{{", "}}"))
        if opener in msgid
    ]
    for match in _LINK_TAIL.finditer(msgid):
        end = match.end() if match.group().endswith((")", "]")) else len(msgid)
        spans.append((match.start(), end))
    spans.extend(match.span() for match in _URL_WORD.finditer(msgid))
    return any(
        not any(start <= match.start() < end for start, end in spans)
        for match in _HANGUL.finditer(msgid)
    )


def _has_words(msgid: str, env: Mapping[str, Any] | None) -> bool:
    """:func:`is_translatable` by the book: parse the inline markdown and look at the text."""
    words: list[str] = []
    inside_autolink = False
    for token in markdown.parse_inline(msgid, dict(env or {})):
        if token.type == "link_open":
            inside_autolink = token.markup == "autolink"
        elif token.type == "link_close":
            inside_autolink = False
        elif (token.type == "text" and not inside_autolink) or token.type == "image":
            words.append(token.content)
    text = " ".join(words)
    params = " ".join(_TEXT_PARAM.findall(" ".join(_SHORTCODE.findall(text))))
    text = _URL.sub(" ", _SHORTCODE.sub(" ", text)) + " " + params
    return any(character.isalpha() for character in text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
