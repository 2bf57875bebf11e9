"""Build a localized document by splicing translations into the source text, not re-rendering."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import checks, frontmatter, markdown
from pipeline.checks import Problem
from pipeline.document import Document, Segment, block_spans, structure
from pipeline.frontmatter import FrontMatterValue

__all__ = ["Review", "SpliceResult", "Translations", "splice"]

#: Translations by ``(msgctxt, msgid)``; empty strings mean "not translated".
Translations = Mapping[tuple[str | None, str], str]

#: Problems with one segment's translation; an ``error`` keeps the source text.
Review = Callable[[Segment, str], Sequence[Problem]]

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")
_ATX_CLOSING = re.compile(r"(^|[ \t])(#+)([ \t]*)$")

# Line starts that would open a block where a paragraph line is expected, with the
# position to put a backslash at.  The first group ends where the escape goes.
_ANY_LINE_STARTS = (
    re.compile(r"()#{1,6}(?:[ \t]|$)"),  # ATX heading
    re.compile(r"()[-+*](?:[ \t]|$)"),  # bullet list item
    re.compile(r"(\d{1,9})[.)](?:[ \t]|$)"),  # ordered list item
    re.compile(r"()>"),  # blockquote
    re.compile(r"()(?:`{3,}|~{3,})"),  # code fence
    re.compile(r"()([-*_])[ \t]*(?:\2[ \t]*){2,}$"),  # thematic break
    re.compile(
        r"()<(?:/?(?:script|pre|style|textarea|address|article|aside|blockquote|body|center|"
        r"details|dialog|dir|div|dl|dd|dt|fieldset|figcaption|figure|footer|form|h[1-6]|head|"
        r"header|hr|html|iframe|li|main|menu|nav|ol|p|section|summary|table|tbody|td|tfoot|th|"
        r"thead|tr|ul)(?:[\s/>]|$)|!--|\?|![A-Za-z]|!\[CDATA\[)",
        re.IGNORECASE,
    ),  # HTML block
)
_FIRST_LINE_STARTS = (
    re.compile(r"()\[[^\]]*\]:"),  # link reference definition
    re.compile(r"()</?[A-Za-z][A-Za-z0-9-]*(?:\s[^>]*)?/?>[ \t]*$"),  # lone HTML tag
)
_LATER_LINE_STARTS = (
    re.compile(r"()(?:=+|-+)[ \t]*$"),  # setext heading underline
    re.compile(r"()[|:-][-|: \t]*$"),  # table delimiter row
)


@dataclass(frozen=True, slots=True)
class SpliceResult:
    """The localized text, how many segments were translated, and the problems found.

    Problems of severity ``error`` are translations refused (the source text was kept);
    a ``review`` may add warnings about translations that were used.
    """

    text: str
    translated: int
    problems: tuple[Problem, ...]


def splice(
    document: Document, translations: Translations, *, review: Review | None = None
) -> SpliceResult:
    """Replace each translated segment of ``document`` by its translation.

    Bytes outside replaced segments are copied unchanged.  A segment keeps its source
    text when its translation is empty or equal to the msgid, and also when the
    translation would break the document (a problem is reported): when ``review``
    reports an error for it (by default: when it changes a link target), or when it
    would change the block structure (checked by re-parsing the result) or the front
    matter.  With no translations the result is the source, byte for byte.
    """
    review = review or (lambda segment, text: _link_review(document, segment, text))
    replacements: list[tuple[Segment, str]] = []
    problems: list[Problem] = []
    front_matter: list[tuple[Segment, str]] = []
    for segment in document.segments:
        translation = translations.get((segment.msgctxt, segment.msgid), "")
        translation = unicodedata.normalize("NFC", translation)
        if not translation or translation == segment.msgid:
            continue
        found = review(segment, translation)
        problems.extend(found)
        if any(problem.severity == "error" for problem in found):
            continue
        if segment.kind == "front-matter":
            front_matter.append((segment, translation))
            continue
        replacement = _replacement(document, segment, translation)
        if isinstance(replacement, Problem):
            problems.append(replacement)
        else:
            replacements.append((segment, replacement))
    for segment, replacement in _front_matter_replacements(document, front_matter):
        if isinstance(replacement, Problem):
            problems.append(replacement)
        else:
            replacements.append((segment, replacement))
    replacements, refused = _keep_structure(document, replacements)
    problems.extend(refused)
    problems.sort(key=lambda problem: problem.line)
    return SpliceResult(_apply(document.text, replacements), len(replacements), tuple(problems))


def _apply(text: str, replacements: Sequence[tuple[Segment, str]], offset: int = 0) -> str:
    """``text`` with the replacements made; ``text`` starts at ``offset`` in the document."""
    parts, position = [], 0
    for segment, replacement in sorted(replacements, key=lambda item: item[0].start):
        parts.append(text[position : segment.start - offset])
        parts.append(replacement)
        position = segment.end - offset
    parts.append(text[position:])
    return "".join(parts)


def _problem(document: Document, segment: Segment, code: str, message: str) -> Problem:
    return Problem(document.path, segment.line, code, message)


def _link_review(document: Document, segment: Segment, translation: str) -> list[Problem]:
    """The default review: a translation must keep the segment's link targets."""
    if segment.kind == "front-matter":
        return []
    reason = checks.link_target_problem(segment.msgid, translation, document.env)
    return [_problem(document, segment, "link-target", reason)] if reason else []


def _replacement(document: Document, segment: Segment, translation: str) -> str | Problem:
    text = translation.replace("\r\n", "\n").replace("\r", "\n").strip(" \t\n")
    if _BLANK_LINE.search(text):
        return _problem(
            document,
            segment,
            "block-injection",
            "translation contains a blank line, which would split the "
            f"{segment.kind.replace('-', ' ')}; remove it",
        )
    one_line = segment.kind == "table-cell" or (
        segment.kind == "heading" and _is_atx(document, segment)
    )
    if one_line and "\n" in text:
        return _problem(
            document,
            segment,
            "block-injection",
            f"a {segment.kind.replace('-', ' ')} must stay on one line; remove the line break",
        )
    if segment.kind == "table-cell":
        text = _UNESCAPED_PIPE.sub(lambda m: m.group(1) + "\\|", text)
        # Without a leading pipe, the first cell starts the line: "- x" would be a list.
        return _escape_start(text, _ANY_LINE_STARTS) if _starts_line(document, segment) else text
    if one_line:
        return _escape_atx_closing(text)
    newline = _newline_at(document.text, segment.start)
    return _guard_lines(text).replace("\n", newline + segment.continuation)


def _front_matter_replacements(
    document: Document, edits: Sequence[tuple[Segment, str]]
) -> list[tuple[Segment, str | Problem]]:
    """The YAML for each translated front matter value, rendered (and checked) together."""
    if not edits:
        return []
    assert document.front_matter is not None
    values = [FrontMatterValue(s.key, s.start, s.end, s.line, s.style, s.value) for s, _ in edits]
    rendered = frontmatter.render_values(
        document.text,
        document.front_matter,
        [(value, translation) for value, (_, translation) in zip(values, edits, strict=True)],
    )
    return [
        (segment, text if text is not None else _yaml_problem(document, segment))
        for (segment, _), text in zip(edits, rendered, strict=True)
    ]


def _yaml_problem(document: Document, segment: Segment) -> Problem:
    return _problem(
        document,
        segment,
        "yaml",
        "translation cannot be written as a YAML string at this key; "
        "remove control characters or line separators from it",
    )


def _line_prefix(document: Document, segment: Segment) -> str:
    """The text between the start of the segment's first line and the segment."""
    text = document.text
    line_start = max(text.rfind("\n", 0, segment.start), text.rfind("\r", 0, segment.start)) + 1
    return text[line_start : segment.start]


def _starts_line(document: Document, segment: Segment) -> bool:
    """Whether only container markup (quote markers, indentation) precedes the segment."""
    return "|" not in _line_prefix(document, segment)


def _is_atx(document: Document, segment: Segment) -> bool:
    """An ATX heading has its ``#`` marker on the segment's line, before the segment."""
    return "#" in _line_prefix(document, segment)


def _escape_atx_closing(text: str) -> str:
    """Keep a trailing `` #`` from being read as the heading's closing sequence."""
    return _ATX_CLOSING.sub(lambda m: m.group(1) + "\\" + m.group(2) + m.group(3), text)


def _guard_lines(text: str) -> str:
    """Escape every line start of ``text`` that would open a new block."""
    lines = [line.lstrip(" \t") for line in text.split("\n")]
    return "\n".join(
        _escape_start(
            line, _ANY_LINE_STARTS + (_FIRST_LINE_STARTS if n == 0 else _LATER_LINE_STARTS)
        )
        for n, line in enumerate(lines)
    )


def _escape_start(line: str, patterns: Sequence[re.Pattern[str]]) -> str:
    for pattern in patterns:
        match = pattern.match(line)
        if match:
            at = match.end(1)
            return line[:at] + "\\" + line[at:]
    return line


def _newline_at(text: str, position: int) -> str:
    match = _NEWLINE.search(text, position)
    return match.group() if match else "\n"


def _keep_structure(
    document: Document, replacements: list[tuple[Segment, str]]
) -> tuple[list[tuple[Segment, str]], list[Problem]]:
    """Drop the replacements that change the document's block structure.

    The whole result is re-parsed once.  Only when its structure differs from the
    source's is each top-level block re-parsed alone with its replacements, and a binary
    search among those of a changed block finds the ones that break it.  A whole-document
    parse then confirms the result; should blocks interact, a binary search over the
    whole document refuses the rest.  The cost is a few whole-document parses, not a
    binary search over the whole document per refused translation.
    """
    kept = sorted(replacements, key=lambda item: item[0].start)
    refused: list[Problem] = []
    if not kept or _same_structure(document, kept):
        return kept, refused
    kept = _keep_block_structure(document, kept, refused)
    kept = _refuse_breaking(document, kept, lambda some: _same_structure(document, some), refused)
    return kept, refused


def _keep_block_structure(
    document: Document, kept: list[tuple[Segment, str]], refused: list[Problem]
) -> list[tuple[Segment, str]]:
    """``kept`` without the replacements that change their own top-level block."""
    spans = block_spans(document.text, path=document.path)
    starts = [start for start, _ in spans]
    by_block: dict[int, list[tuple[Segment, str]]] = {}
    result = []
    for item in kept:
        index = bisect.bisect_right(starts, item[0].start) - 1
        if index >= 0 and item[0].end <= spans[index][1]:
            by_block.setdefault(index, []).append(item)
        else:  # front matter: only the whole-document check sees it
            result.append(item)
    for index, items in by_block.items():
        start, end = spans[index]
        block = document.text[start:end]
        expected = markdown.block_skeleton(block)

        def same(
            some: Sequence[tuple[Segment, str]],
            block: str = block,
            start: int = start,
            expected: list[Any] = expected,
        ) -> bool:
            return markdown.block_skeleton(_apply(block, some, start)) == expected

        result.extend(_refuse_breaking(document, items, same, refused))
    return sorted(result, key=lambda item: item[0].start)


def _refuse_breaking(
    document: Document,
    kept: list[tuple[Segment, str]],
    same: Callable[[Sequence[tuple[Segment, str]]], bool],
    refused: list[Problem],
) -> list[tuple[Segment, str]]:
    """``kept`` (in document order) without the replacements that break ``same``.

    While ``same(kept)`` is false, a binary search finds the shortest broken prefix; its
    last replacement is refused and the search goes on after it.
    """
    kept = list(kept)
    verified = 0  # kept[:verified] is known to keep the structure
    while kept and not same(kept):  # no replacement: the source itself
        low, high = verified, len(kept)  # kept[:low] is fine, kept[:high] is broken
        while high - low > 1:
            middle = (low + high) // 2
            if same(kept[:middle]):
                low = middle
            else:
                high = middle
        segment, _ = kept.pop(high - 1)
        refused.append(
            _problem(
                document,
                segment,
                "block-structure",
                "translation would change the markdown structure (a new block, list, "
                "quote or lost markup); the source text was kept",
            )
        )
        verified = high - 1
    return kept


def _same_structure(document: Document, replacements: Sequence[tuple[Segment, str]]) -> bool:
    return structure(_apply(document.text, replacements), path=document.path) == document.skeleton
