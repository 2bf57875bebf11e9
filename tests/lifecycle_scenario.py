"""A week of documentation changes, scripted: five kinds of edit made to a real document.

Given a corpus document, :func:`edit_five_ways` picks distinct paragraphs (each msgid
occurring once) and makes the edits a writer makes:

- ``typo``: one Hangul syllable in the middle of a paragraph is corrected;
- ``added``: a sentence is appended to a long paragraph;
- ``removed``: a top-level paragraph is deleted;
- ``moved``: a top-level paragraph moves to the end of the document;
- ``link``: the target of a ``/ko/docs/...`` link changes.

It returns the edited text and, per edit, the old and new msgid, so the test can check
the outcome of each.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pipeline.document import Document, Segment, parse_document

HANGUL = re.compile("[\uac00-\ud7a3]")
LINK = re.compile(r"\]\((/ko/docs/[^)\s]+)\)")
ADDED_SENTENCE = " 이 내용은 새로 추가되었다."


@dataclass
class Edits:
    """The edited source and what each edit did: kind -> (old msgid, new msgid)."""

    text: str
    restored: str  # the edited text with the removed paragraph put back
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    old_target: str = ""
    new_target: str = ""


@functools.lru_cache(maxsize=512)
def parsed(text: str) -> Document:
    """``parse_document(text)``, remembered: the scenario parses the same texts again."""
    return parse_document(text)


def _unique(document: Document) -> list[Segment]:
    counts: dict[str, int] = {}
    for segment in document.segments:
        counts[segment.msgid] = counts.get(segment.msgid, 0) + 1
    return [
        s
        for s in document.segments
        if counts[s.msgid] == 1 and s.kind == "paragraph" and HANGUL.search(s.msgid)
    ]


def _top_level(segment: Segment) -> bool:
    return segment.element == "paragraph" and not segment.continuation


def _line_span(text: str, segment: Segment) -> tuple[int, int]:
    """The whole lines of ``segment``, with one blank line after it when there is one."""
    start = text.rfind("\n", 0, segment.start) + 1
    end = text.find("\n", segment.end)
    end = len(text) if end < 0 else end + 1
    if text.startswith("\n", end):
        end += 1
    return start, end


def _pick(document: Document) -> dict[str, Segment] | None:
    candidates = _unique(document)
    picked: dict[str, Segment] = {}
    rules = {
        "link": lambda s: LINK.search(s.msgid) and "\n" not in s.msgid,
        "removed": lambda s: _top_level(s) and len(s.msgid) >= 20,
        "moved": lambda s: _top_level(s) and len(s.msgid) >= 20,
        "added": lambda s: len(s.msgid) >= 60 and not LINK.search(s.msgid),
        "typo": lambda s: len(s.msgid) >= 30 and not LINK.search(s.msgid),
    }
    for kind, rule in rules.items():
        for segment in candidates:
            if segment not in picked.values() and rule(segment):
                picked[kind] = segment
                break
        else:
            return None
    return picked


def _typo(msgid: str) -> str:
    positions = [m.start() for m in HANGUL.finditer(msgid)]
    at = positions[len(positions) // 2]
    return msgid[:at] + chr(ord(msgid[at]) + 1) + msgid[at + 1 :]


def edit_five_ways(text: str) -> Edits | None:
    """``text`` edited five ways, or None when the document lacks suitable paragraphs."""
    document = parsed(text)
    picked = _pick(document)
    if picked is None:
        return None
    replacements: list[tuple[int, int, str]] = []
    edits = Edits(text="", restored="")
    typo = picked["typo"]
    replacements.append((typo.start, typo.end, _typo(text[typo.start : typo.end])))
    added = picked["added"]
    replacements.append((added.end, added.end, ADDED_SENTENCE))
    link = picked["link"]
    target = LINK.search(text, link.start, link.end)
    assert target is not None
    edits.old_target = target[1]
    edits.new_target = target[1].replace("/ko/docs/", "/ko/docs/v2/", 1)
    replacements.append((target.start(1), target.end(1), edits.new_target))
    moved = picked["moved"]
    moved_span = _line_span(text, moved)
    replacements.append((*moved_span, ""))
    removed_span = _line_span(text, picked["removed"])
    tail = "" if text.endswith("\n") else "\n"
    edited = _apply(text, [*replacements, (*removed_span, "")])
    edits.text = edited + tail + "\n" + text[moved.start : moved.end] + "\n"
    restored = _apply(text, replacements)
    edits.restored = restored + tail + "\n" + text[moved.start : moved.end] + "\n"
    return _record(edits, picked)


def _apply(text: str, replacements: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _record(edits: Edits, picked: dict[str, Segment]) -> Edits | None:
    """Fill ``edits.changes`` from the re-parsed text; None if an edit did not land."""
    after = {s.msgid for s in parsed(edits.text).segments}
    restored = {s.msgid for s in parsed(edits.restored).segments}
    typo, added, link = picked["typo"].msgid, picked["added"].msgid, picked["link"].msgid
    edits.changes = {
        "typo": (typo, _typo(typo)),
        "added": (added, added + ADDED_SENTENCE),
        "link": (link, link.replace(edits.old_target, edits.new_target, 1)),
        "removed": (picked["removed"].msgid, ""),
        "moved": (picked["moved"].msgid, picked["moved"].msgid),
    }
    for kind, (old, new) in edits.changes.items():
        if kind == "removed":
            if old in after or old not in restored:
                return None
        elif new not in after or (kind != "moved" and old in after):
            return None
    return edits
