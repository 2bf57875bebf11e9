"""Read PO files strictly and write them byte for byte the way ``msgcat --no-wrap`` does."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator

import polib

from pipeline.errors import CatalogError

__all__ = [
    "DEFAULT_WIDTH",
    "MIN_WIDTH",
    "REFERENCE_WIDTH",
    "detect_width",
    "entry_key",
    "format_po",
    "parse_po",
]

#: Byte width at which gettext starts a new ``#:`` line, even under ``--no-wrap``.
REFERENCE_WIDTH = 79
#: gettext's default page width, assumed for a wrapped catalog no width reproduces.
DEFAULT_WIDTH = 79
#: gettext raises a smaller ``--width`` to this.
MIN_WIDTH = 20

#: gettext 0.21's format languages, in the order it writes their ``*-format`` flags.
_FORMAT_LANGUAGES = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)
_FORMAT_FLAG = re.compile(r"(no-|possible-|impossible-)?(.+)-format")
_RANGE_FLAG = re.compile(r"range:\s*(\d+)\.\.(\d+)")

# gettext escapes exactly these; every other character, control or not, is written raw.
_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        '"': '\\"',
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
    }
)
_ESCAPED = frozenset(chr(code) for code in _ESCAPES)
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(sorted(_ESCAPED))) + "]")
_CHUNK = re.compile(r"[^\n]*\n|[^\n]+")

_HINT = "fix the PO file by hand or restore it from version control; it was not overwritten"
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
_KEYWORD_LINE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr\[\d+\]|msgstr)(?:\s+(.*))?")
# Unrolled ("[^\\"]*" runs between escapes): the same strings as "(?:[^\\"]|\\.)*", without
# an alternation per character, which made this check a third of the line checks' time.
_STRING = re.compile(r'"[^\\"]*(?:\\.[^\\"]*)*"')
_ESCAPE = re.compile(r"\\(.)")
# What may follow each keyword inside one entry; None is "between entries".
_NEXT_KEYWORD = {
    None: ("msgctxt", "msgid"),
    "msgctxt": ("msgid",),
    "msgid": ("msgstr", "msgid_plural"),
    "msgid_plural": ("msgstr[]",),
    "msgstr": ("msgctxt", "msgid"),
    "msgstr[]": ("msgstr[]", "msgctxt", "msgid"),
}


def entry_key(entry: polib.POEntry) -> tuple[str | None, str]:
    """``(msgctxt, msgid)``: what identifies a message; ``msgctxt`` is None when absent."""
    return entry.msgctxt, entry.msgid


# --------------------------------------------------------------------------- writing


def format_po(po: polib.POFile, *, width: int | None = None) -> str:
    """``po`` as the text ``msgcat --no-wrap`` (GNU gettext 0.21) writes for it.

    With ``width``, as ``msgcat --width=WIDTH`` writes it instead: strings are wrapped
    where libunistring's line breaking allows (:mod:`pipeline.linebreak`), ``#:`` lines
    at ``width`` bytes; messages flagged ``no-wrap`` stay unwrapped.  Like gettext, a
    ``width`` below :data:`MIN_WIDTH` counts as that.

    Contract: feeding the result to ``msgcat --no-wrap`` gives it back byte for byte,
    except that gettext drops flags it does not know, such as our ``markdown-text``
    (and that msgcat writes nothing for a header-only catalog unless given
    ``--force-po``).  Like gettext, this writes known flags in gettext's order
    (``fuzzy`` first, and only on translated messages), merges duplicate references and
    drops obsolete messages that have no translation.  Active messages come first, then
    obsolete ones.  A comment line ending in a backslash gets a trailing space, because
    gettext would read backslash-newline as a line continuation.
    """
    if width is not None:
        width = max(width, MIN_WIDTH)
    return "".join(line + "\n" for line in _generate_po(po, width))


def _generate_po(po: polib.POFile, width: int | None) -> Iterator[str]:
    """The lines of :func:`format_po`, without newlines; a blank line between entries."""
    blocks = [list(_header_lines(po, width))]
    blocks += [list(_entry_lines(entry, width)) for entry in po if not entry.obsolete]
    blocks += [
        list(_entry_lines(entry, width)) for entry in po if entry.obsolete and _is_translated(entry)
    ]
    for index, block in enumerate(block for block in blocks if block):
        if index:
            yield ""
        yield from block


def _header_lines(po: polib.POFile, width: int | None) -> Iterator[str]:
    """The header entry: comments, ``#, fuzzy`` and ``po.metadata`` in insertion order.

    Nothing is written when there is no metadata, no header comment and no fuzzy mark.
    """
    msgstr = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    if not (msgstr or po.header or po.metadata_is_fuzzy):
        return
    yield from _comment_lines("#", po.header)
    if _header_is_fuzzy(po) and msgstr:
        yield "#, fuzzy"
    yield 'msgid ""'
    yield from _string_lines("msgstr", msgstr, "", width)


def _header_is_fuzzy(po: polib.POFile) -> bool:
    """``po.metadata_is_fuzzy``, which polib sets to the header's list of flags when parsing."""
    value = po.metadata_is_fuzzy
    return "fuzzy" in value if isinstance(value, list | tuple) else bool(value)


def _entry_lines(entry: polib.POEntry, page_width: int | None) -> Iterator[str]:
    """One message, its comments in gettext's order: ``#``, ``#.``, ``#:``, ``#,``, ``#|``.

    Comments of obsolete messages carry no ``#~`` (gettext writes them that way);
    their strings and previous strings do (``#~ msgid``, ``#~| msgid``).
    """
    prefix, previous = ("#~ ", "#~| ") if entry.obsolete else ("", "#| ")
    yield from _comment_lines("#", entry.tcomment)
    yield from _comment_lines("#.", entry.comment)
    yield from _reference_lines(entry.occurrences, page_width or REFERENCE_WIDTH)
    flags = _gettext_flags(entry.flags, translated=_is_translated(entry), obsolete=entry.obsolete)
    if flags:
        yield "#, " + ", ".join(flags)
    width = None if "no-wrap" in flags else page_width
    for keyword, value in (
        ("msgctxt", entry.previous_msgctxt),
        ("msgid", entry.previous_msgid),
        ("msgid_plural", entry.previous_msgid_plural),
    ):
        if value is not None:
            yield from _string_lines(previous + keyword, value, previous, width)
    if entry.msgctxt is not None:
        yield from _string_lines(prefix + "msgctxt", entry.msgctxt, prefix, width)
    yield from _string_lines(prefix + "msgid", entry.msgid, prefix, width)
    if not entry.msgid_plural:
        yield from _string_lines(prefix + "msgstr", entry.msgstr, prefix, width)
        return
    yield from _string_lines(prefix + "msgid_plural", entry.msgid_plural, prefix, width)
    for index, value in _plural_forms(entry):
        yield from _string_lines(f"{prefix}msgstr[{index}]", value, prefix, width)


def _plural_forms(entry: polib.POEntry) -> list[tuple[int, str]]:
    """``(index, msgstr)`` in index order; ``[(0, "")]`` when there is none yet."""
    forms = sorted((int(index), value) for index, value in entry.msgstr_plural.items())
    return forms or [(0, "")]


def _is_translated(entry: polib.POEntry) -> bool:
    """gettext's test: the msgstr (the first plural form) is not empty."""
    return bool(_plural_forms(entry)[0][1] if entry.msgid_plural else entry.msgstr)


def _string_lines(keyword: str, value: str, prefix: str, width: int | None = None) -> Iterator[str]:
    """``keyword "value"``, or ``keyword ""`` and one line per ``\\n``-ended chunk.

    gettext breaks a string only when it holds a newline before its last character;
    only ``\\n`` breaks, never U+2028, ``\\v`` or other line separators.  With
    ``width``, each chunk is also wrapped as :func:`_wrapped_lines` says.
    """
    if width is not None:
        yield from _wrapped_lines(prefix, keyword[len(prefix) :], value, width)
        return
    if "\n" not in value[:-1]:
        yield f'{keyword} "{_escape(value)}"'
        return
    yield f'{keyword} ""'
    for chunk in _CHUNK.findall(value):
        yield f'{prefix}"{_escape(chunk)}"'


@functools.lru_cache(maxsize=8192)
def _wrapped_lines(prefix: str, name: str, value: str, page_width: int) -> tuple[str, ...]:
    """:func:`_wrap`'s lines, remembered: extract formats most strings twice, unchanged."""
    return tuple(_wrap(prefix, name, value, page_width))


def _wrap(prefix: str, name: str, value: str, page_width: int) -> Iterator[str]:
    """gettext 0.21's ``wrap()`` (write-po.c) without ``--indent``, for one string.

    Each ``\\n``-ended chunk is escaped and broken where :func:`linebreak.line_starts`
    says, a line holding at most ``page_width`` columns with its prefix and quotes.  The
    value starts on a line of its own after ``name ""`` when it has several chunks or
    its first chunk would not fit after ``name``.
    """
    # The line breaking tables are read here, when a catalog is wrapped: reading and
    # writing unwrapped catalogs (and a no-op run) never need them.
    from pipeline import linebreak

    after_break = len(prefix) + 1
    columns = page_width - 1 - after_break
    first = True
    chunks = _CHUNK.findall(value) or [""]
    for number, chunk in enumerate(chunks):
        text, prohibited = _escaped(chunk)
        start = len(prefix) + len(name) + 2 - after_break if first else 0
        starts = linebreak.line_starts(
            text, columns=columns, start_column=start, prohibited=prohibited
        )
        if first and text and (number < len(chunks) - 1 or start > columns or starts):
            yield f'{prefix}{name} ""'
            first = False
            starts = linebreak.line_starts(
                text, columns=columns, start_column=0, prohibited=prohibited
            )
        bounds = [0, *starts, len(text)]
        for index, (begin, end) in enumerate(itertools.pairwise(bounds)):
            head = f"{prefix}{name} " if first and index == 0 else prefix
            yield f'{head}"{text[begin:end]}"'
        first = False


def _escape(text: str) -> str:
    """``text`` with gettext's escapes.  Searching first is faster: ``str.translate``
    looks up every character of a non-ASCII string, and most strings need no escape."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _escaped(chunk: str) -> tuple[str, list[int]]:
    """``chunk`` escaped as gettext writes it, and where no line may start in it.

    A line never starts on the second character of an escape sequence, nor on the
    backslash of a final ``\\n``.
    """
    text = _escape(chunk)
    prohibited: list[int] = []
    if len(text) != len(chunk):
        position = 0
        for char in chunk:
            position += 1
            if char in _ESCAPED:
                prohibited.append(position)
                position += 1
    if chunk.endswith("\n"):
        prohibited.append(len(text) - 2)
    return text, prohibited


def _comment_lines(marker: str, text: str) -> Iterator[str]:
    """``marker text`` for each ``\\n``-separated line of ``text``; a bare ``marker`` if empty.

    A line ending in a backslash gets a space after it: gettext reads backslash-newline
    as a line continuation and would glue the next line onto the comment.
    """
    if not text:
        return
    for line in text.split("\n"):
        if line.endswith("\\"):
            line += " "
        yield f"{marker} {line}" if line else marker


def _reference_lines(
    occurrences: Iterable[tuple[str, str | int]], page_width: int
) -> Iterator[str]:
    """``#:`` lines as gettext writes them, wrapped at ``page_width`` bytes.

    Repeated ``(file, line number)`` pairs are written once, line numbers lose leading
    zeros and file names their leading ``./``.  A reference goes on a new ``#:`` line
    when the current line already has one and adding `` reference`` would pass 79 bytes;
    a reference longer than that gets a line of its own.
    """
    references: dict[tuple[str, int | str], str] = {}
    for file, line_number in occurrences:
        text = str(line_number)
        number = int(text) if text.isascii() and text.isdigit() else text
        name = file
        while name.startswith("./"):
            name = name[2:]
        references.setdefault((name, number), f"{name}:{number}" if text else name)
    line, column = "#:", 2
    for reference in references.values():
        width = len(reference.encode("utf-8")) + 1
        if column > 2 and column + width > page_width:
            yield line
            line, column = "#:", 2
        line, column = f"{line} {reference}", column + width
    if column > 2:
        yield line


def _gettext_flags(flags: Iterable[str], *, translated: bool, obsolete: bool) -> list[str]:
    """``flags`` in gettext's order, then flags gettext does not know in their own order.

    See :func:`_ordered_flags`; a catalog repeats the same few sets of flags, so their
    order is worked out once.
    """
    return list(_ordered_flags(tuple(flags), translated, obsolete))


@functools.lru_cache(maxsize=256)
def _ordered_flags(flags: tuple[str, ...], translated: bool, obsolete: bool) -> tuple[str, ...]:
    """The flags of :func:`_gettext_flags`.

    gettext writes ``fuzzy`` (only when the message is translated), the format flags in
    :data:`_FORMAT_LANGUAGES` order (the last mention of a language wins; ``possible-``
    becomes plain, ``impossible-`` vanishes), ``range: a..b`` (only with ``a <= b`` and
    not on obsolete messages) and ``no-wrap``; it drops ``wrap``.
    """
    fuzzy, wrap, span = False, "", ""
    formats: dict[str, str | None] = {}
    unknown: list[str] = []
    for flag in (flag.strip() for flag in flags):
        format_flag = _FORMAT_FLAG.fullmatch(flag)
        if flag == "fuzzy":
            fuzzy = True
        elif format_flag and format_flag[2] in _FORMAT_LANGUAGES:
            impossible = format_flag[1] == "impossible-"
            formats[format_flag[2]] = None if impossible else flag.removeprefix("possible-")
        elif span_flag := _RANGE_FLAG.fullmatch(flag):
            low, high = int(span_flag[1]), int(span_flag[2])
            span = f"range: {low}..{high}" if low <= high and not obsolete else ""
        elif flag in ("wrap", "no-wrap"):
            wrap = flag
        elif flag and flag not in unknown:
            unknown.append(flag)
    known = ["fuzzy"] if fuzzy and translated else []
    known += [flag for lang in _FORMAT_LANGUAGES if (flag := formats.get(lang))]
    known += [flag for flag in (span, wrap) if flag and flag != "wrap"]
    return (*known, *unknown)


# A line holding (part of) a string: optional obsolete/previous prefix, optional keyword.
_STRING_LINE = re.compile(
    r'(#~\| |#\| |#~ )?(?:(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) )?"(.*)"$'
)


def detect_width(text: str, po: polib.POFile | None = None) -> int | None:
    """The ``msgcat --width`` that wrote ``text``, or None if its strings are unwrapped.

    A catalog is wrapped when one of its strings is laid out in a way ``--no-wrap``
    never writes (``#:`` lines alone do not tell).  Its width is gettext's usual 79 if
    that reproduces the layout of every string, else the smallest width up to its
    longest string line that does, else
    :data:`DEFAULT_WIDTH` (another tool wrapped it).  ``po`` is ``text`` already
    parsed, if the caller has it.  Raises :class:`CatalogError` if ``text`` is not a
    sound catalog.
    """
    lines = text.split("\n")
    blocks = _string_blocks(lines)
    if all(_unwrapped_shape(block) for block in blocks):
        return None
    if po is None:
        po = parse_po(text, path="<catalog>")
    from pipeline import linebreak

    longest = max(
        sum(max(linebreak.width(char), 0) for char in line)
        for line in lines
        if _STRING_LINE.match(line)
    )
    candidates = [DEFAULT_WIDTH, *range(MIN_WIDTH, longest + 9)]
    for width in candidates:
        if _string_blocks(format_po(po, width=width).split("\n")) == blocks:
            return width
    return DEFAULT_WIDTH


def _string_blocks(lines: list[str]) -> list[list[str]]:
    """Each string as the list of its quoted pieces, keyword line first."""
    blocks: list[list[str]] = []
    for line in lines:
        match = _STRING_LINE.match(line)
        if match is None:
            continue
        if match[2] is not None or not blocks:
            blocks.append([])
        blocks[-1].append(match[3])
    return blocks


def _unwrapped_shape(pieces: list[str]) -> bool:
    """Whether ``--no-wrap`` lays a string out this way: one line, or ``""`` followed by
    two or more ``\\n``-ended chunks (the last one may lack its ``\\n``)."""
    if len(pieces) == 1:
        return True
    chunks = pieces[1:]
    return (
        pieces[0] == "" and len(chunks) >= 2 and all(chunk.endswith("\\n") for chunk in chunks[:-1])
    )


# --------------------------------------------------------------------------- reading


class _PoText(str):
    """Text whose lines, for polib, end only at ``\\n``.

    polib splits text with :meth:`str.splitlines`, which also breaks at U+2028, ``\\v``,
    ``\\x1c`` and friends; gettext writes those raw inside strings.
    """

    def splitlines(self, keepends: bool = False) -> list[str]:
        """Lines separated by ``\\n`` only (``keepends`` is ignored; polib never sets it)."""
        return self.split("\n")


def parse_po(text: str, *, path: str) -> polib.POFile:
    """Parse PO ``text`` read from ``path``; raise :class:`CatalogError` if it is not sound.

    Beyond polib's own syntax errors this rejects, each with the line number: git
    conflict markers, a string that is not a properly quoted, properly escaped C string
    (``\\a`` is accepted; octal and ``\\x`` escapes are not), keywords out of order (for
    example ``msgid`` without ``msgstr``, or a file that ends inside an entry), a header
    charset other than UTF-8 and a ``(msgctxt, msgid)`` defined twice among active
    messages.  ``path`` is only used in error messages.
    """
    lines = _checked_lines(text, path)
    # The trailing "" keeps a one-line text from being taken for a file name by polib.
    try:
        po = polib.pofile(_PoText("\n".join([*lines, ""])), encoding="utf-8")
    except Exception as error:  # polib raises OSError, but bad input can raise others.
        message = str(error)
        number = re.search(r"\(line (\d+)\)", message)
        detail = message.split("):", 1)[1].strip() if "):" in message else ""
        raise CatalogError(
            f"PO syntax error{': ' + detail if detail else ''}",
            path=path,
            line=int(number[1]) if number else None,
            hint=_HINT,
        ) from error
    _check_charset(po, text, path)
    _check_duplicates(po, path)
    return po


def _fail(message: str, path: str, line: int | None) -> CatalogError:
    """A :class:`CatalogError` for ``path:line`` with the usual hint."""
    return CatalogError(message, path=path, line=line, hint=_HINT)


def _checked_lines(text: str, path: str) -> list[str]:
    """The lines of ``text`` with ``\\a`` escapes turned into BEL, after the line checks.

    Checks conflict markers, quoting and escapes, and that keywords come in an order
    gettext accepts, ending outside an entry.
    """
    lines = text.split("\n")
    state: str | None = None
    state_line = 0
    for number, raw in enumerate(lines, start=1):
        if raw.startswith(_CONFLICT_MARKERS):
            raise _fail("git conflict marker; the merge was not finished", path, number)
        body = raw.strip()
        is_previous = body.startswith(("#|", "#~|"))
        body = re.sub(r"^#~?\|?\s*", "", body) if body.startswith("#~") or is_previous else body
        if body.startswith('"'):
            lines[number - 1] = _checked_string(raw, body, path, number)
            continue
        match = _KEYWORD_LINE.fullmatch(body)
        if match is None or body.startswith("#"):
            continue
        lines[number - 1] = _checked_string(raw, match[2] or "", path, number)
        if is_previous:
            continue
        keyword = "msgstr[]" if match[1].startswith("msgstr[") else match[1]
        if keyword not in _NEXT_KEYWORD[state]:
            expected = " or ".join(_NEXT_KEYWORD[state])
            raise _fail(f"{match[1]} where {expected} was expected", path, number)
        state, state_line = keyword, number
    if state in ("msgctxt", "msgid", "msgid_plural"):
        raise _fail(f"the file ends inside an entry: {state} has no msgstr", path, state_line)
    return lines


def _checked_string(raw: str, string: str, path: str, number: int) -> str:
    """``raw`` with ``\\a`` replaced by BEL, if ``string`` is one valid quoted string."""
    if not _STRING.fullmatch(string):
        raise _fail("expected one double-quoted string with escaped quotes", path, number)
    if "\\" not in raw:
        return raw  # most lines: no escape to check or to turn into BEL
    for escape in _ESCAPE.findall(string):
        if escape not in 'ntrvbfa"\\':
            raise _fail(f"unsupported escape sequence \\{escape} in a string", path, number)
    return _ESCAPE.sub(lambda m: "\a" if m[1] == "a" else m[0], raw)


def _check_charset(po: polib.POFile, text: str, path: str) -> None:
    """Reject a header charset other than UTF-8: this pipeline reads and writes only UTF-8."""
    match = re.search(r"charset=([^\s;]*)", po.metadata.get("Content-Type", ""))
    if match is None or match[1].lower() == "utf-8":
        return
    position = text.find("Content-Type:")
    raise CatalogError(
        f"the header declares charset {match[1]}, but only UTF-8 is supported",
        path=path,
        line=text.count("\n", 0, position) + 1 if position >= 0 else None,
        hint="convert the file with msgconv -t UTF-8; it was not overwritten",
    )


def _check_duplicates(po: polib.POFile, path: str) -> None:
    """Reject a ``(msgctxt, msgid)`` that two active messages share; msgfmt refuses those."""
    seen: dict[tuple[str | None, str], polib.POEntry] = {}
    for entry in po:
        if entry.obsolete:
            continue
        first = seen.setdefault(entry_key(entry), entry)
        if first is not entry:
            where = f"; the first starts at line {first.linenum}" if first.linenum else ""
            context = f" with msgctxt {entry.msgctxt!r}" if entry.msgctxt is not None else ""
            raise _fail(f"duplicate message {entry.msgid!r}{context}{where}", path, entry.linenum)
