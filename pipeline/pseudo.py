"""Pseudo-translation: shows at a glance what the pipeline translates and what it keeps.

Every letter a translator would translate becomes an accented Latin letter (``Pod`` →
``Ƥóđ``; a Hangul syllable becomes the accented first letter of its romanization, ``파``
→ ``ƥ``), the text grows by about 30% and is wrapped in ``⟦ ⟧``.  Code, link targets,
reference labels, HTML tags, entities, escapes, shortcodes, template code, heading ids,
bare URLs and configured patterns stay as they are; the prose parameters of shortcodes
and tags (``text="파드"``) are pseudo-translated too.  The output passes every check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polib

from pipeline import markdown, placeholders
from pipeline.markdown import SOURCE
from pipeline.placeholders import DEFAULT_TEXT_PARAMS

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["GROWTH", "fill_catalog", "pseudo_translate"]

#: How much longer pseudo text is than the text it replaces.
GROWTH = 0.3
OPEN, CLOSE, PAD = "⟦", "⟧", "·"

_LATIN = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥíĵķĺɱñóƥʠŕšŧúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓƤǪŔŠŦÚṼŴẊÝŽ",
)
# Revised Romanization: the first letter of each initial consonant (ㅇ is silent) and of
# each vowel, by their order in the Unicode Hangul syllable block.
_LEADS = (
    "g",
    "k",
    "n",
    "d",
    "t",
    "r",
    "m",
    "b",
    "p",
    "s",
    "s",
    "",
    "j",
    "j",
    "c",
    "k",
    "t",
    "p",
    "h",
)
_VOWELS = "aayyeeyyowwoyuwwwyeui"
_HANGUL_SYLLABLES = (0xAC00, 0xD7A3)
_COMPATIBILITY_JAMO = (0x3131, 0x318E)


def pseudo_translate(
    msgid: str,
    *,
    is_markdown: bool = True,
    env: Mapping[str, Any] | None = None,
    text_params: Sequence[str] = DEFAULT_TEXT_PARAMS,
    patterns: Sequence[re.Pattern[str]] = (),
) -> str:
    """The pseudo-translation of ``msgid`` (inline markdown, or plain text when not).

    ``env`` holds the document's link references, so ``[text][ref]`` keeps ``ref``.  A
    collapsed or shortcut reference link (``[파드][]``, ``[파드]``), whose label is also
    its target, becomes a full one (``[ƥđ][파드]``).
    """
    found = placeholders.find(msgid, text_params=text_params, patterns=patterns)
    protected = [False] * len(msgid)
    inserts: dict[int, str] = {}
    for placeholder in found:
        _protect(protected, placeholder.start, placeholder.end, placeholder.text_spans)
    if is_markdown:
        tokens = markdown.parse_inline_source(msgid, dict(env or {}))
        _protect_tokens(msgid, tokens, protected, inserts, text_params)
    parts: list[str] = []
    for position, character in enumerate(msgid):
        parts.append(inserts.get(position, ""))
        parts.append(character if protected[position] else _accented(character))
    parts.append(inserts.get(len(msgid), ""))
    start, end = _body(msgid, found)
    padding = PAD * max(1, math.ceil(GROWTH * protected.count(False)))
    # parts holds two strings per character of msgid (an insert, then the character).
    head, body, tail = (
        "".join(parts[: 2 * start]),
        "".join(parts[2 * start : 2 * end]),
        "".join(parts[2 * end :]),
    )
    return f"{head}{OPEN} {body} {padding}{CLOSE}{tail}"


def fill_catalog(
    po: polib.POFile,
    *,
    env: Mapping[str, Any] | None = None,
    text_params: Sequence[str] = DEFAULT_TEXT_PARAMS,
    patterns: Sequence[re.Pattern[str]] = (),
) -> None:
    """Give every current entry of ``po`` its pseudo-translation, not fuzzy."""
    for entry in po:
        if entry.obsolete:
            continue
        entry.msgstr = pseudo_translate(
            entry.msgid,
            is_markdown=not (entry.msgctxt or "").startswith("frontmatter:"),
            env=env,
            text_params=text_params,
            patterns=patterns,
        )
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None


def _body(msgid: str, found: Sequence[placeholders.Placeholder]) -> tuple[int, int]:
    """The span to wrap in ``⟦ ⟧``: what must stay at the edges stays outside.

    A trailing ``{#id}`` must stay last, and a shortcode cut in two by a block boundary
    (opened at the end, or closed at the start of the text) must stay joined to its
    other half.
    """
    start, end = 0, len(msgid)
    stripped = len(msgid.rstrip())
    for placeholder in found:
        cut_open = placeholder.kind == "shortcode" and not placeholder.normalized.endswith("}}")
        if placeholder.end == stripped and (placeholder.kind == "heading-id" or cut_open):
            end = len(msgid[: placeholder.start].rstrip())
        cut_close = placeholder.kind == "shortcode" and not placeholder.normalized.startswith("{{")
        if placeholder.start == 0 and cut_close:
            start = placeholder.end
    return start, max(start, end)


def _protect(
    mask: list[bool], start: int, end: int, except_spans: Iterable[tuple[int, int]] = ()
) -> None:
    mask[start:end] = [True] * (end - start)
    for span_start, span_end in except_spans:
        mask[span_start:span_end] = [False] * (span_end - span_start)


def _protect_tokens(
    msgid: str,
    tokens: Sequence[Token],
    mask: list[bool],
    inserts: dict[int, str],
    text_params: Sequence[str],
) -> None:
    for token in tokens:
        source = token.meta.get(SOURCE)
        if source is None:
            continue
        if token.type == "html_inline":
            tag = placeholders.html_tag(token.content, offset=source.start, text_params=text_params)
            _protect(mask, source.start, source.end, tag.text_spans)
        elif token.type in ("code_inline", "text_special") or token.markup == "autolink":
            _protect(mask, source.start, source.end)
        elif token.type in ("link_open", "image") and source.label is not None:
            _protect_link(msgid, source, mask, inserts)
            _protect_tokens(msgid, token.children or [], mask, inserts, text_params)


def _protect_link(
    msgid: str, source: markdown.InlineSource, mask: list[bool], inserts: dict[int, str]
) -> None:
    """Keep a link's destination or reference; its label is prose."""
    assert source.label is not None
    label_start, label_end = source.label
    _protect(mask, source.start, label_start)  # "[" or "!["
    _protect(mask, label_end, source.end)  # "](...)", "][ref]", "][]" or "]"
    label = msgid[label_start:label_end]
    if source.form == "collapsed":
        inserts[label_end + 2] = label  # [파드][] -> [ƥđ][파드]
    elif source.form == "shortcut":
        inserts[label_end + 1] = f"[{label}]"  # [파드] -> [ƥđ][파드]


def _accented(character: str) -> str:
    code = ord(character)
    if _HANGUL_SYLLABLES[0] <= code <= _HANGUL_SYLLABLES[1]:
        index = code - _HANGUL_SYLLABLES[0]
        lead, vowel = index // (21 * 28), (index // 28) % 21
        letter = _LEADS[lead] or _VOWELS[vowel]
        return letter.translate(_LATIN)
    if _COMPATIBILITY_JAMO[0] <= code <= _COMPATIBILITY_JAMO[1]:
        return "ĥ"
    return character.translate(_LATIN)
