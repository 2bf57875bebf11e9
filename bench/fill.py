"""Fill every PO file under a folder with a pseudo-translation, the same way for every tool.

Each Hangul syllable becomes an ASCII letter chosen from its code point, outside code
spans, link destinations, HTML tags, shortcodes and heading ids (``{#id}``), which a
translator leaves alone.
Run with any Python that has polib.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

HANGUL = re.compile("[\uac00-\ud7a3]")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
PROTECTED = re.compile(
    r"(`+).*?\1|\]\((?:[^()]|\([^()]*\))*\)|<[^<>]*>|\{\{[<%].*?[%>]\}\}|\{#[^}]*\}", re.S
)


def pseudo(text: str) -> str:
    """``text`` with Hangul syllables replaced by ASCII letters outside protected parts."""
    parts, position = [], 0
    for match in PROTECTED.finditer(text):
        parts.append(_letters(text[position : match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(_letters(text[position:]))
    return "".join(parts)


def _letters(text: str) -> str:
    return HANGUL.sub(lambda match: LETTERS[ord(match.group()) % 26], text)


def fill(folder: Path) -> int:
    """Translate every untranslated entry of every ``*.po`` under ``folder``; the file count."""
    count = 0
    for path in sorted(folder.rglob("*.po")):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            if not entry.msgstr and not entry.obsolete:
                entry.msgstr = pseudo(entry.msgid)
        po.save(str(path))
        count += 1
    return count


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(f"{argument}: {fill(Path(argument))} catalogs filled", file=sys.stderr)
