"""The markdown-it-py parser we use, taught to remember where each block's lines start."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # markdown-it-py is imported by the first parse: a no-op run needs none
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = [
    "LINE_SPANS",
    "MAX_NESTING",
    "SOURCE",
    "InlineSource",
    "block_skeleton",
    "inline_skeleton",
    "link_targets",
    "make_parser",
    "parse",
    "parse_blocks",
    "parse_inline",
    "parse_inline_escapes",
    "parse_inline_source",
    "plain_text",
    "skeleton",
]

#: ``Token.meta`` key under which the recording rules store, for each source line of a
#: paragraph, heading or table row, ``(start, end)`` offsets into the parsed source: from the
#: first character after the container prefix and indentation to the end of the line.
LINE_SPANS = "l10n_line_spans"

#: Deepest block nesting parsed.  The commonmark preset stops at 20 levels and silently
#: drops what is deeper; a list 50 levels deep needs 101 (a list and an item per level,
#: then the paragraph).  The limit also bounds markdown-it's recursion.
MAX_NESTING = 128

# Block rules whose tokens carry translatable inline content.  Their lines are recorded
# while the parser still knows each line's container prefix (``bMarks``/``tShift``);
# afterwards only the stripped ``content`` survives.
_RECORDED_RULES = {
    "paragraph": "paragraph_open",
    "heading": "heading_open",
    "lheading": "heading_open",
    "table": "tr_open",
}


def _recording(rule: Callable[..., bool], open_type: str) -> Callable[..., bool]:
    @functools.wraps(rule)
    def wrapper(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first_new = len(state.tokens)
        matched = rule(state, start_line, end_line, silent)
        if matched and not silent:
            for token in state.tokens[first_new:]:
                if token.type == open_type and token.map:
                    begin, end = token.map
                    token.meta[LINE_SPANS] = tuple(
                        (state.bMarks[i] + state.tShift[i], state.eMarks[i])
                        for i in range(begin, end)
                    )
        return matched

    return wrapper


def _preset(*, recording: bool = True) -> MarkdownIt:
    """CommonMark plus GFM tables and strikethrough, with line recording."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    md.options["maxNesting"] = MAX_NESTING
    for rule in md.block.ruler.__rules__:
        if recording and rule.name in _RECORDED_RULES:
            md.block.ruler.at(
                rule.name, _recording(rule.fn, _RECORDED_RULES[rule.name]), {"alt": rule.alt}
            )
    return md


@functools.cache
def make_parser() -> MarkdownIt:
    """The one parser preset: CommonMark plus GFM tables, with line recording.

    Nesting goes to :data:`MAX_NESTING` levels instead of the preset's 20.

    ``gfm-like`` is not used because it enables linkify (an extra dependency) and
    strikethrough rendering we do not need for segmentation.  The instance is cached:
    building one costs more than parsing a typical page.
    """
    return _preset()


@functools.cache
def _block_parser() -> MarkdownIt:
    """:func:`make_parser` without the inline pass: block tokens keep their ``content``.

    Segmentation and the structure comparison only look at block tokens, and inline
    parsing is most of markdown-it's work.
    """
    return _preset().disable(["inline", "text_join"])


@functools.cache
def _shape_parser() -> MarkdownIt:
    """:func:`_block_parser` without line recording: for skeletons, which do not use it."""
    return _preset(recording=False).disable(["inline", "text_join"])


def block_skeleton(src: str) -> list[tuple[Any, ...]]:
    """``skeleton(parse_blocks(src)[0])``, a little faster: no line spans are recorded."""
    return skeleton(_shape_parser().parse(src, {}))


def parse_blocks(src: str) -> tuple[list[Token], dict[str, Any]]:
    """Like :func:`parse`, but inline tokens have no ``children``: about half the work."""
    env: dict[str, Any] = {}
    tokens = _block_parser().parse(src, env)
    return tokens, env


def parse(src: str) -> tuple[list[Token], dict[str, Any]]:
    """Parse ``src`` into block tokens (with inline children) and the parser env.

    The env holds link reference definitions, which translations need to resolve
    ``[text][ref]`` links the same way the source does.
    """
    env: dict[str, Any] = {}
    tokens = make_parser().parse(src, env)
    return tokens, env


def parse_inline(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """Inline children of ``text`` parsed as one paragraph's content."""
    tokens = make_parser().parseInline(text, dict(env or {}))
    return tokens[0].children or [] if tokens else []


def link_targets(children: Iterable[Token]) -> list[str]:
    """Link hrefs and image srcs of inline ``children``, in document order."""
    targets: list[str] = []
    for token in children:
        if token.type == "link_open":
            targets.append(str(token.attrGet("href") or ""))
        elif token.type == "image":
            targets.append(str(token.attrGet("src") or ""))
            targets.extend(link_targets(token.children or []))
    return targets


# Inline tokens that only carry text; their number changes when a translation joins
# soft line breaks, so the skeleton leaves them out.
_TEXTUAL = frozenset({"text", "text_special", "softbreak"})


def inline_skeleton(children: Iterable[Token]) -> tuple[tuple[str, str, str], ...]:
    """The markup of inline ``children``: type, tag and markup of every non-text token."""
    return tuple(
        (token.type, token.tag, token.markup) for token in children if token.type not in _TEXTUAL
    )


def skeleton(tokens: Iterable[Token]) -> list[tuple[Any, ...]]:
    """The block structure of ``tokens``: what must survive any translation.

    Block token types, nesting, tags and markup (list markers, heading levels, fences
    with their info string and content, table shapes, HTML blocks), in order.  Inline
    content is left out: a translation may legitimately change emphasis or add a hard
    break (link targets are checked on their own).
    """
    shape: list[tuple[Any, ...]] = []
    for token in tokens:
        if token.type == "inline":
            continue
        verbatim = token.content if token.type in _VERBATIM else ""
        shape.append((token.type, token.tag, token.nesting, token.markup, token.info, verbatim))
    return shape


# Blocks whose content is never translated: it must come out exactly as it went in.
_VERBATIM = frozenset({"fence", "code_block", "html_block"})


# --- inline tokens that know where they came from ---------------------------------------

#: ``Token.meta`` key under which :func:`parse_inline_source` stores an :class:`InlineSource`
#: on every token that is not plain text.
SOURCE = "l10n_source"

LinkForm = Literal["inline", "full", "collapsed", "shortcut", ""]


@dataclass(frozen=True, slots=True)
class InlineSource:
    """Where an inline token came from in the text given to :func:`parse_inline_source`.

    ``start``/``end`` cover everything the token's rule consumed (a whole link for
    ``link_open``, the backticks for ``code_inline``).  Links and images also get the span
    of their label (the text between ``[`` and ``]``), of their raw destination (``<...>``
    kept) when written inline, and their form: ``[a](b)`` inline, ``[a][b]`` full,
    ``[a][]`` collapsed, ``[a]`` shortcut.
    """

    start: int
    end: int
    label: tuple[int, int] | None = None
    destination: tuple[int, int] | None = None
    form: LinkForm = ""


# The inline rules whose tokens get a span: those that make code, tags, escapes, entities,
# autolinks, links and images.  Text, line breaks and emphasis delimiters need none.
_SPANNED_RULES = frozenset(
    {"escape", "backticks", "link", "image", "autolink", "html_inline", "entity"}
)


def _recording_inline(
    rule: Callable[[StateInline, bool], bool], *, is_link: bool
) -> Callable[..., bool]:
    @functools.wraps(rule)
    def wrapper(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start, first_new = state.pos, len(state.tokens)
        label_end = _label_end(state, start) if is_link else -1
        matched = rule(state, silent)
        if matched:
            source = _link_source(state, start, label_end)
            for token in state.tokens[first_new:]:
                # Text tokens are merged afterwards (fragments_join), so their spans would
                # lie; nested tokens already carry their own span.
                if token.type != "text" and SOURCE not in token.meta:
                    token.meta[SOURCE] = source
                if token.type == "image" and source.label:
                    _shift(token.children or [], source.label[0])
        return matched

    return wrapper


def _label_end(state: StateInline, start: int) -> int:
    src = state.src
    if src.startswith("![", start):
        return state.md.helpers.parseLinkLabel(state, start + 1, False)
    if src.startswith("[", start):
        return state.md.helpers.parseLinkLabel(state, start, True)
    return -1


def _link_source(state: StateInline, start: int, label_end: int) -> InlineSource:
    end = state.pos
    if label_end < 0:
        return InlineSource(start, end)
    src = state.src
    label = (start + (2 if src[start] == "!" else 1), label_end)
    after = label_end + 1
    if src.startswith("(", after) and src[end - 1] == ")":
        position = after + 1
        while position < end and src[position] in " \t\n":
            position += 1
        found = state.md.helpers.parseLinkDestination(src, position, end)
        if found.ok and found.pos < end:
            return InlineSource(start, end, label, (position, found.pos), "inline")
    if src.startswith("[]", after):
        return InlineSource(start, end, label, None, "collapsed")
    if src.startswith("[", after) and end > after + 1:
        return InlineSource(start, end, label, None, "full")
    return InlineSource(start, end, label, None, "shortcut")


def _shift(tokens: Iterable[Token], offset: int) -> None:
    """Make spans recorded inside an image's alt text relative to the outer text."""
    for token in tokens:
        source = token.meta.get(SOURCE)
        if source is not None:
            token.meta[SOURCE] = InlineSource(
                source.start + offset,
                source.end + offset,
                _moved(source.label, offset),
                _moved(source.destination, offset),
                source.form,
            )
        _shift(token.children or [], offset)


def _moved(span: tuple[int, int] | None, offset: int) -> tuple[int, int] | None:
    return None if span is None else (span[0] + offset, span[1] + offset)


def _escapes_preset() -> MarkdownIt:
    """The :func:`make_parser` preset keeping escapes apart, without line recording.

    ``text_join`` is off, so a backslash escape or an entity stays a ``text_special``
    token instead of melting into the text around it: an escaped ``\\*`` can then be
    told from a ``*`` that failed to open emphasis.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").disable("text_join")


@functools.cache
def _escapes_parser() -> MarkdownIt:
    return _escapes_preset()


@functools.cache
def _source_parser() -> MarkdownIt:
    """:func:`_escapes_preset`, recording the source span of inline tokens."""
    md = _escapes_preset()
    for rule in md.inline.ruler.__rules__:
        if rule.name in _SPANNED_RULES:
            recording = _recording_inline(rule.fn, is_link=rule.name in ("link", "image"))
            md.inline.ruler.at(rule.name, recording, {"alt": rule.alt})
    return md


def parse_inline_source(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """Inline children of ``text`` with an :class:`InlineSource` on each non-text token.

    Escapes and entities are ``text_special`` tokens (``markup`` holds the source form).
    """
    tokens = _source_parser().parseInline(text, dict(env or {}))
    return tokens[0].children or [] if tokens else []


def parse_inline_escapes(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """:func:`parse_inline_source` without the spans: the same tokens, with no ``meta``.

    The span bookkeeping re-reads every link's label and destination; readers that
    look only at token types, contents and attributes skip it.
    """
    tokens = _escapes_parser().parseInline(text, dict(env or {}))
    return tokens[0].children or [] if tokens else []


def plain_text(children: Iterable[Token]) -> str:
    """What a reader sees of inline ``children``: text, escapes, entities and code, no tags."""
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(plain_text(token.children or []))
    return "".join(parts)
