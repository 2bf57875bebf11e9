"""Synthetic translations for whole-corpus tests: identity, pseudo and hostile."""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline import markdown
from pipeline.document import Document
from pipeline.splice import Translations

HANGUL = re.compile("[\uac00-\ud7a3]")
# Parts of a msgid that a careful translator leaves alone: code spans, link destinations and
# reference labels, autolinks and HTML tags, shortcodes (whose text parameters are translated).
_PROTECTED = re.compile(
    r"(`+).*?\1|\]\((?:[^()]|\([^()]*\))*\)|\]\[[^\]]*\]|<[^<>]*>|\{\{[<%].*?[%>]\}\}", re.S
)
_TEXT_PARAM = re.compile(r'((?:text|title|alt|prepend|caption)=")([^"]*)(")')


def _ascii(text: str) -> str:
    """Each Hangul syllable becomes an ASCII letter chosen from its code point."""
    return HANGUL.sub(lambda m: "abcdefghijklmnopqrstuvwxyz"[ord(m.group()) % 26], text)


def pseudo(msgid: str) -> str:
    """``msgid`` with Hangul replaced by ASCII letters outside code, URLs and markup."""
    parts, position = [], 0
    for match in _PROTECTED.finditer(msgid):
        parts.append(_ascii(msgid[position : match.start()]))
        piece = match.group()
        if piece.startswith("{{"):
            piece = _TEXT_PARAM.sub(lambda m: m.group(1) + _ascii(m.group(2)) + m.group(3), piece)
        elif piece.startswith("]("):
            piece = piece  # link destination: kept
        parts.append(piece)
        position = match.end()
    parts.append(_ascii(msgid[position:]))
    return "".join(parts)


HOSTILE_INJECTIONS = ("1. ", "- ", "# ", "> ", "| ", "\n\n")


def hostile(injection: str, *, new_line: bool) -> Callable[[str], str]:
    """Translations that try to open a block at the start and in the middle, and with
    ``new_line`` also on a line of their own after a hard break."""

    def translate(msgid: str) -> str:
        words = msgid.split(" ")
        middle = len(words) // 2
        text = " ".join([injection + words[0], *words[1:middle], injection, *words[middle:]])
        return text + ("\\\n" + injection + "끝" if new_line else "")

    return translate


def translations_for(document: Document, translate: Callable[[str], str]) -> Translations:
    return {(s.msgctxt, s.msgid): translate(s.msgid) for s in document.segments}


def visible_text(msgid: str) -> str:
    """Text a reader sees: inline text tokens, without code, HTML, URLs and autolinks."""
    words, autolink = [], False
    for token in markdown.parse_inline(msgid):
        if token.type == "link_open":
            autolink = token.markup == "autolink"
        elif token.type == "link_close":
            autolink = False
        elif token.type == "text" and not autolink:
            words.append(token.content)
    return " ".join(words)
