"""The markdown-it-py parser we use, taught to remember where each block's lines start."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

__all__ = [
    "LINE_SPANS",
    "MAX_NESTING",
    "inline_skeleton",
    "link_targets",
    "make_parser",
    "parse",
    "parse_blocks",
    "parse_inline",
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


def _preset() -> MarkdownIt:
    """CommonMark plus GFM tables and strikethrough, with line recording."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    md.options["maxNesting"] = MAX_NESTING
    for rule in md.block.ruler.__rules__:
        if rule.name in _RECORDED_RULES:
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
