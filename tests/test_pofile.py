"""Tests for pipeline.pofile: the msgcat law, hand-checked layouts and strict parsing."""

from __future__ import annotations

import functools
import shutil
import subprocess

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import CatalogError
from pipeline.pofile import detect_width, entry_key, format_po, parse_po

HAS_GETTEXT = shutil.which("msgcat") is not None and shutil.which("msgfmt") is not None
needs_gettext = pytest.mark.skipif(
    not HAS_GETTEXT, reason="GNU gettext (msgcat, msgfmt) is not installed"
)

METADATA = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ko"}
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ko\\n"\n'
FULL_METADATA = {
    "Project-Id-Version": "korean-md-l10n 0.1.0",
    "POT-Creation-Date": "2024-05-01 12:00+0900",
    "PO-Revision-Date": "2024-05-02 09:30+0900",
    "Last-Translator": "김번역 <translator@example.com>",
    "Language-Team": "Korean <ko@example.com>",
    "Language": "ko",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


# --------------------------------------------------------------------------- helpers


def msgcat(text: str) -> str:
    """What ``msgcat --no-wrap`` writes for ``text``.

    ``--force-po`` only makes msgcat write a catalog that has nothing but a header,
    which it otherwise leaves out entirely.
    """
    result = subprocess.run(
        ["msgcat", "--no-wrap", "--force-po", "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")


def normalize(text: str) -> str:
    """``text`` without the ``markdown-text`` flag, which gettext does not know and drops."""
    lines = []
    for line in text.split("\n"):
        if line.startswith("#, "):
            flags = [flag for flag in line[3:].split(", ") if flag != "markdown-text"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def catalog(*entries: polib.POEntry, metadata: dict[str, str] | None = None) -> polib.POFile:
    """A POFile holding ``entries`` with ``metadata`` (default: a minimal UTF-8 header)."""
    po = polib.POFile()
    po.metadata = dict(METADATA if metadata is None else metadata)
    po.extend(entries)
    return po


def check(po: polib.POFile, expected: str) -> None:
    """``format_po(po) == expected``, and gettext writes ``expected`` back unchanged."""
    assert format_po(po) == expected
    if HAS_GETTEXT:
        assert msgcat(expected) == normalize(expected)


def check_entry(entry: polib.POEntry, expected_entry: str) -> None:
    """:func:`check` for one entry after the minimal header."""
    check(catalog(entry), HEADER + "\n" + expected_entry)


def parse_error(text: str) -> CatalogError:
    """The CatalogError ``parse_po`` raises for ``text``."""
    with pytest.raises(CatalogError) as caught:
        parse_po(text, path="ko/doc.po")
    assert caught.value.path == "ko/doc.po"
    assert "not overwritten" in caught.value.hint
    return caught.value


# --------------------------------------------------------------------------- strategies

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
SPECIAL = st.sampled_from('\t "\\\r\a\b\f\v\x01\x1b\x1c\x7f\x85\u2028\u00a0\u200b😀')
STRING_CHARS = st.one_of(HANGUL, ASCII, SPECIAL, st.just("\n"))
COMMENT_CHARS = st.one_of(
    HANGUL, ASCII, st.sampled_from(["\t", "\\", "\r", "\v", "\u2028", "\x01"])
)
SEGMENT = st.text(st.one_of(HANGUL, st.sampled_from("abcxyz019-_.")), min_size=1, max_size=10)
PATH = st.lists(SEGMENT, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".md")
SAFE_PATH = PATH.filter(lambda path: not path.startswith("./"))  # "./a" and "a" merge
LINE_NUMBER = st.one_of(
    st.just(""), st.integers(0, 99999).map(str), st.integers(0, 999).map(lambda n: f"{n:04d}")
)
HEADER_LINE = st.text(st.one_of(HANGUL, ASCII), max_size=20)
SAFE_HEADER_LINE = HEADER_LINE.filter(lambda text: text.strip() and text == text.rstrip())
VALUE = st.text(st.one_of(HANGUL, ASCII), max_size=20).map(str.strip)
FLAG = st.sampled_from(
    [
        "fuzzy",
        "markdown-text",
        "c-format",
        "no-c-format",
        "python-format",
        "no-wrap",
        "wrap",
        "php-format",
        "range: 1..5",
        "possible-python-brace-format",
        "impossible-sh-format",
    ]
)


@functools.cache
def strings(min_size: int = 0) -> st.SearchStrategy[str]:
    """Message text: Hangul, ASCII, quotes, backslashes, controls and newlines anywhere."""
    return st.text(STRING_CHARS, min_size=min_size, max_size=30)


@functools.cache
def comments(*, safe: bool, extracted: bool) -> st.SearchStrategy[str]:
    """Multi-line comment text; ``safe`` keeps to what polib reads back unchanged.

    polib strips trailing whitespace from comment lines, skips empty ``#.`` lines and
    loses empty ``#`` lines at the start of a comment.
    """
    line = st.text(COMMENT_CHARS, max_size=25)
    if not safe:
        return st.lists(line, max_size=3).map("\n".join)
    line = line.filter(lambda text: text == text.rstrip())
    first = line.filter(lambda text: text != "")
    if extracted:
        line = first
    return st.tuples(first, st.lists(line, max_size=2)).map(lambda t: "\n".join([t[0], *t[1]]))


@st.composite
def entries(draw: st.DrawFn, *, safe: bool) -> polib.POEntry:
    """One message; ``safe`` leaves out what polib cannot read back (see :func:`comments`)."""
    plural = draw(st.booleans())
    obsolete = draw(st.integers(0, 4)) == 0
    entry = polib.POEntry(
        msgid=draw(strings(min_size=1)),
        msgctxt=draw(st.none() | strings()),
        msgstr=draw(strings()),
        tcomment=draw(comments(safe=safe, extracted=False)),
        comment=draw(comments(safe=safe, extracted=True)),
        occurrences=draw(
            st.lists(st.tuples(SAFE_PATH if safe else PATH, LINE_NUMBER), max_size=12)
        ),
        flags=draw(st.lists(FLAG, max_size=5)),
        obsolete=obsolete,
    )
    if plural:
        entry.msgid_plural = draw(strings(min_size=1))
        forms = draw(st.lists(strings(), min_size=1, max_size=3))
        entry.msgstr_plural = dict(enumerate(forms))
    if not (safe and obsolete) and draw(st.booleans()):  # polib drops "#~|" lines
        entry.previous_msgid = draw(strings())
        entry.previous_msgctxt = draw(st.none() | strings())
        if plural:
            entry.previous_msgid_plural = draw(st.none() | strings())
    return entry


@st.composite
def catalogs(draw: st.DrawFn, *, safe: bool) -> polib.POFile:
    """A catalog with a UTF-8 header and up to 12 messages with distinct keys."""
    po = catalog(*draw(st.lists(entries(safe=safe), max_size=12, unique_by=entry_key)))
    po.metadata.update(draw(st.dictionaries(st.sampled_from(["X-Note", "X-Tool"]), VALUE)))
    po.header = "\n".join(draw(st.lists(SAFE_HEADER_LINE if safe else HEADER_LINE, max_size=3)))
    po.metadata_is_fuzzy = draw(st.booleans())
    return po


# --------------------------------------------------------------------------- laws


@needs_gettext
@settings(max_examples=150, deadline=None)
@given(catalogs(safe=False))
def test_format_po_is_what_msgcat_no_wrap_writes(po: polib.POFile) -> None:
    text = format_po(po)
    assert msgcat(text) == normalize(text)


@settings(max_examples=100, deadline=None)
@given(catalogs(safe=True))
def test_parse_po_reads_back_what_format_po_writes(po: polib.POFile) -> None:
    text = format_po(po)
    assert format_po(parse_po(text, path="ko/doc.po")) == text


@settings(max_examples=60, deadline=None)
@given(catalogs(safe=False), st.data())
def test_parse_po_raises_only_catalog_error_on_damaged_files(
    po: polib.POFile, data: st.DataObject
) -> None:
    lines = format_po(po).split("\n")
    start = data.draw(st.integers(0, len(lines)))
    end = data.draw(st.integers(start, len(lines)))
    junk = data.draw(st.lists(st.sampled_from(['"', "msgid", 'msgstr[x] ""', "#~", "\\"])))
    try:
        parse_po("\n".join(lines[:start] + junk + lines[end:]), path="ko/doc.po")
    except CatalogError as error:
        assert error.path == "ko/doc.po"


@needs_gettext
def test_msgfmt_check_accepts_a_formatted_catalog(tmp_path) -> None:
    po = catalog(
        polib.POEntry(msgid="제목", msgstr="Title", occurrences=[("doc.md", "1")]),
        polib.POEntry(
            msgid="첫 줄\n둘째 줄\n",
            msgstr="first line\nsecond line\n",
            flags=["markdown-text"],
            tcomment="번역 메모",
            comment="paragraph",
        ),
        polib.POEntry(
            msgid="새 문장",
            msgstr="Old sentence",
            flags=["fuzzy", "markdown-text"],
            previous_msgid="옛 문장",
        ),
        polib.POEntry(msgid="사과", msgid_plural="사과들", msgstr_plural={0: "apples"}),
        polib.POEntry(msgctxt="menu", msgid="열기", msgstr="Open"),
        polib.POEntry(msgid="지운 문장", msgstr="Removed", obsolete=True),
        metadata=FULL_METADATA,
    )
    path = tmp_path / "ko.po"
    path.write_text(format_po(po), encoding="utf-8")
    result = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, check=False
    )
    assert (result.returncode, result.stderr.decode()) == (0, "")


# --------------------------------------------------------------------------- header


def test_format_po_header_lists_metadata_in_insertion_order() -> None:
    po = catalog(metadata={"Project-Id-Version": "x 1.0", **METADATA, "Language": "ko-KR"})
    check(
        po,
        'msgid ""\nmsgstr ""\n"Project-Id-Version: x 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ko-KR\\n"\n',
    )


def test_format_po_header_with_one_key_stays_on_one_line() -> None:
    po = catalog(metadata={"Content-Type": "text/plain; charset=UTF-8"})
    check(po, 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n')


def test_format_po_header_comments_and_fuzzy() -> None:
    po = catalog()
    po.header = "한국어 번역\n\nCopyright"
    po.metadata_is_fuzzy = True
    check(po, "# 한국어 번역\n#\n# Copyright\n#, fuzzy\n" + HEADER)


def test_format_po_without_header_writes_no_header_entry() -> None:
    check(catalog(polib.POEntry(msgid="a", msgstr="b"), metadata={}), 'msgid "a"\nmsgstr "b"\n')


# --------------------------------------------------------------------------- strings


def test_format_po_single_line_strings() -> None:
    check_entry(polib.POEntry(msgid="안녕", msgstr=""), 'msgid "안녕"\nmsgstr ""\n')


def test_format_po_multiline_msgid_starts_with_empty_string() -> None:
    check_entry(
        polib.POEntry(msgid="첫 줄\n둘째 줄", msgstr="a\nb\n"),
        'msgid ""\n"첫 줄\\n"\n"둘째 줄"\nmsgstr ""\n"a\\n"\n"b\\n"\n',
    )


def test_format_po_string_ending_in_its_only_newline_stays_on_one_line() -> None:
    check_entry(polib.POEntry(msgid="줄\n", msgstr="\n"), 'msgid "줄\\n"\nmsgstr "\\n"\n')


def test_format_po_double_newline_breaks_after_each_newline() -> None:
    check_entry(
        polib.POEntry(msgid="a\n\nb", msgstr="\n\n"),
        'msgid ""\n"a\\n"\n"\\n"\n"b"\nmsgstr ""\n"\\n"\n"\\n"\n',
    )


def test_format_po_leading_newline_breaks() -> None:
    check_entry(polib.POEntry(msgid="\na", msgstr="x"), 'msgid ""\n"\\n"\n"a"\nmsgstr "x"\n')


def test_format_po_escapes_c_escapes_and_writes_other_controls_raw() -> None:
    check_entry(
        polib.POEntry(msgid='\\ " \t \r \a \b \f \v', msgstr="\x01\x1b\x7f"),
        'msgid "\\\\ \\" \\t \\r \\a \\b \\f \\v"\nmsgstr "\x01\x1b\x7f"\n',
    )


def test_format_po_writes_unicode_raw_and_never_breaks_on_it() -> None:
    text = "가\u2028나\u00a0다\u200b😀\x1c\x1d\x85\u2029끝"
    check_entry(polib.POEntry(msgid=text, msgstr=text), f'msgid "{text}"\nmsgstr "{text}"\n')


def test_format_po_empty_msgctxt_is_kept() -> None:
    check_entry(
        polib.POEntry(msgctxt="", msgid="a", msgstr="b"), 'msgctxt ""\nmsgid "a"\nmsgstr "b"\n'
    )


def test_format_po_plural_forms_in_index_order() -> None:
    check_entry(
        polib.POEntry(msgid="사과", msgid_plural="사과\n들", msgstr_plural={1: "b", 0: "a\nx"}),
        'msgid "사과"\nmsgid_plural ""\n"사과\\n"\n"들"\n'
        'msgstr[0] ""\n"a\\n"\n"x"\nmsgstr[1] "b"\n',
    )


def test_format_po_separates_entries_by_one_blank_line_and_ends_with_one_newline() -> None:
    po = catalog(polib.POEntry(msgid="a", msgstr="1"), polib.POEntry(msgid="b", msgstr="2"))
    check(po, HEADER + '\nmsgid "a"\nmsgstr "1"\n\nmsgid "b"\nmsgstr "2"\n')


# --------------------------------------------------------------------------- comments


def test_format_po_comment_order_is_gettext_order() -> None:
    entry = polib.POEntry(
        msgid="새",
        msgstr="new",
        tcomment="역자",
        comment="추출",
        occurrences=[("a.md", "3")],
        flags=["markdown-text", "python-format", "fuzzy"],
        previous_msgctxt="옛 문맥",
        previous_msgid="옛\n글",
        msgctxt="문맥",
    )
    check_entry(
        entry,
        "# 역자\n#. 추출\n#: a.md:3\n#, fuzzy, python-format, markdown-text\n"
        '#| msgctxt "옛 문맥"\n#| msgid ""\n#| "옛\\n"\n#| "글"\n'
        'msgctxt "문맥"\nmsgid "새"\nmsgstr "new"\n',
    )


def test_format_po_empty_comment_lines_are_bare_markers() -> None:
    entry = polib.POEntry(msgid="a", msgstr="b", tcomment="\n  indented", comment="x\n\n y")
    check_entry(entry, '#\n#   indented\n#. x\n#.\n#.  y\nmsgid "a"\nmsgstr "b"\n')


def test_format_po_comment_ending_in_backslash_gets_a_space() -> None:
    entry = polib.POEntry(msgid="a", msgstr="b", tcomment="C:\\", comment="x\\\ny")
    check_entry(entry, '# C:\\ \n#. x\\ \n#. y\nmsgid "a"\nmsgstr "b"\n')


def test_format_po_flags_fuzzy_first_then_gettext_order_then_unknown() -> None:
    flags = ["markdown-text", "no-wrap", "php-format", "no-c-format", "fuzzy", "fuzzy"]
    flags += ["possible-python-format", "impossible-sh-format", "wrap", "no-wrap"]
    check_entry(
        polib.POEntry(msgid="a", msgstr="b", flags=flags),
        '#, fuzzy, no-c-format, python-format, php-format, no-wrap, markdown-text\nmsgid "a"\n'
        'msgstr "b"\n',
    )


def test_format_po_drops_fuzzy_from_untranslated_messages() -> None:
    entry = polib.POEntry(msgid="a", msgstr="", flags=["fuzzy", "markdown-text"])
    entry.previous_msgid = "old"
    check_entry(entry, '#, markdown-text\n#| msgid "old"\nmsgid "a"\nmsgstr ""\n')


def test_format_po_plural_is_translated_when_its_first_form_is() -> None:
    entry = polib.POEntry(msgid="a", msgid_plural="as", msgstr_plural={0: "", 1: "x"})
    entry.flags = ["fuzzy"]
    check_entry(entry, 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] "x"\n')


# --------------------------------------------------------------------------- references


def test_format_po_references_fill_lines_up_to_79_bytes() -> None:
    a, b = ("a" * 34 + ".md", "1"), ("b" * 30 + ".md", "12")  # 2 + 40 + 37 = 79 bytes
    check_entry(
        polib.POEntry(msgid="x", msgstr="y", occurrences=[a, b, (a[0], "2")]),
        f"#: {a[0]}:1 {b[0]}:12\n#: {a[0]}:2\n" + 'msgid "x"\nmsgstr "y"\n',
    )
    b = ("b" * 30 + ".md", "123")  # one byte more: the line would be 80 bytes
    check_entry(
        polib.POEntry(msgid="x", msgstr="y", occurrences=[a, b]),
        f"#: {a[0]}:1\n#: {b[0]}:123\n" + 'msgid "x"\nmsgstr "y"\n',
    )


def test_format_po_references_width_counts_utf8_bytes_not_characters() -> None:
    refs = [("가가가가가.md", str(n)) for n in range(1, 7)]  # 20 bytes, 15 columns each
    check_entry(
        polib.POEntry(msgid="x", msgstr="y", occurrences=refs),
        "#: 가가가가가.md:1 가가가가가.md:2 가가가가가.md:3\n"
        "#: 가가가가가.md:4 가가가가가.md:5 가가가가가.md:6\n" + 'msgid "x"\nmsgstr "y"\n',
    )


def test_format_po_long_reference_gets_a_line_of_its_own() -> None:
    long = "문서/" + "x" * 90 + ".md"
    refs = [("s.md", "1"), (long, "7"), ("t.md", "2"), ("u.md", "")]
    check_entry(
        polib.POEntry(msgid="x", msgstr="y", occurrences=refs),
        f"#: s.md:1\n#: {long}:7\n#: t.md:2 u.md\n" + 'msgid "x"\nmsgstr "y"\n',
    )


def test_format_po_references_merge_duplicates_like_gettext() -> None:
    refs = [("a.md", "1"), ("a.md", "01"), ("./a.md", "1"), ("./././b.md", ""), ("b.md", "")]
    refs += [("a.md", "0"), ("a.md", "")]
    check_entry(
        polib.POEntry(msgid="x", msgstr="y", occurrences=refs),
        '#: a.md:1 b.md a.md:0 a.md\nmsgid "x"\nmsgstr "y"\n',
    )


# --------------------------------------------------------------------------- obsolete


def test_format_po_obsolete_entries_follow_active_ones_with_plain_comments() -> None:
    old = polib.POEntry(
        msgid="옛\n글",
        msgstr="old",
        obsolete=True,
        tcomment="역자",
        occurrences=[("a.md", "1")],
        flags=["fuzzy"],
        msgctxt="c",
    )
    old.previous_msgid = "더 옛"
    po = catalog(old, polib.POEntry(msgid="a", msgstr="b"))
    check(
        po,
        HEADER + '\nmsgid "a"\nmsgstr "b"\n\n# 역자\n#: a.md:1\n#, fuzzy\n#~| msgid "더 옛"\n'
        '#~ msgctxt "c"\n#~ msgid ""\n#~ "옛\\n"\n#~ "글"\n#~ msgstr "old"\n',
    )


def test_format_po_drops_untranslated_obsolete_entries() -> None:
    po = catalog(
        polib.POEntry(msgid="a", msgstr="", obsolete=True),
        polib.POEntry(msgid="p", msgid_plural="ps", msgstr_plural={0: "", 1: "x"}, obsolete=True),
    )
    check(po, HEADER)


# --------------------------------------------------------------------------- parse_po


def test_entry_key_is_msgctxt_and_msgid() -> None:
    assert entry_key(polib.POEntry(msgid="a")) == (None, "a")
    assert entry_key(polib.POEntry(msgctxt="", msgid="a")) == ("", "a")


def test_parse_po_reads_a_catalog() -> None:
    text = HEADER + '\n#, fuzzy\nmsgctxt "c"\nmsgid "가\u2028나\\a"\nmsgstr "x\\n"\n'
    po = parse_po(text, path="ko/doc.po")
    assert po.metadata == METADATA
    [entry] = po
    assert (entry.msgctxt, entry.msgid, entry.msgstr, entry.flags) == (
        "c",
        "가\u2028나\a",
        "x\n",
        ["fuzzy"],
    )
    assert format_po(po) == text


def test_parse_po_syntax_error_names_the_line() -> None:
    error = parse_error(HEADER + '\nmsgid "a"\nmsgstr "b"\nbogus line\n')
    assert error.line == 8
    assert str(error).startswith("ko/doc.po:8: ")


def test_parse_po_rejects_unescaped_quote() -> None:
    error = parse_error(HEADER + '\nmsgid "a"b"\nmsgstr "b"\n')
    assert (error.line, error.message) == (
        6,
        "expected one double-quoted string with escaped quotes",
    )


@pytest.mark.parametrize(
    ("string", "sound"),
    [
        ('""', True),
        ('"a\\\\"', True),  # an escaped backslash, then the closing quote
        ('"\\"파드\\" \\t"', True),
        ('"a\\"', False),  # the closing quote is escaped
        ('"a\\\\\\"', False),
        ('"a" "b"', False),
        ('"a"b', False),
    ],
)
def test_parse_po_reads_a_string_as_one_quoted_c_string(string: str, sound: bool) -> None:
    text = HEADER + f'\nmsgid {string}\nmsgstr ""\n'
    if sound:
        assert parse_po(text, path="ko/doc.po")
    else:
        assert parse_error(text).message == "expected one double-quoted string with escaped quotes"


def test_parse_po_rejects_unsupported_escape() -> None:
    error = parse_error(HEADER + '\nmsgid "a"\nmsgstr "\\x41"\n')
    assert error.line == 7
    assert "\\x" in error.message


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        ('msgid "abc"', 6),
        ('msgid "abc"\n"def"\n# comment', 6),
        ('msgctxt "c"', 6),
        ('msgid "a"\nmsgid_plural "as"\n', 7),
    ],
)
def test_parse_po_rejects_a_truncated_file(tail: str, line: int) -> None:
    error = parse_error(HEADER + "\n" + tail)
    assert error.line == line
    assert "ends inside an entry" in error.message


def test_parse_po_rejects_msgid_without_msgstr_mid_file() -> None:
    error = parse_error(HEADER + '\nmsgid "a"\n\n#: a.md:1\nmsgid "b"\nmsgstr ""\n')
    assert error.line == 9
    assert "msgstr or msgid_plural was expected" in error.message


@pytest.mark.parametrize("marker", ["<<<<<<< HEAD", "=======", ">>>>>>> theirs"])
def test_parse_po_rejects_git_conflict_markers(marker: str) -> None:
    error = parse_error(HEADER + f'\nmsgid "a"\n{marker}\nmsgstr "b"\n')
    assert error.line == 7
    assert "conflict" in error.message


def test_parse_po_rejects_duplicate_messages_at_the_second_one() -> None:
    text = HEADER + '\nmsgid "a"\nmsgstr "1"\n\nmsgid "b"\nmsgstr ""\n\nmsgid "a"\nmsgstr "2"\n'
    error = parse_error(text)
    assert error.line == 12
    assert "duplicate message 'a'" in error.message
    assert "line 6" in error.message


def test_parse_po_allows_same_msgid_in_other_context_or_obsolete() -> None:
    text = HEADER + '\nmsgid "a"\nmsgstr "1"\n\nmsgctxt "c"\nmsgid "a"\nmsgstr "2"\n'
    text += '\n#~ msgid "a"\n#~ msgstr "3"\n'
    assert len(parse_po(text, path="ko/doc.po")) == 3


@pytest.mark.parametrize("charset", ["ISO-8859-1", "CHARSET"])
def test_parse_po_rejects_charsets_other_than_utf8(charset: str) -> None:
    error = parse_error(HEADER.replace("UTF-8", charset) + '\nmsgid "a"\nmsgstr "b"\n')
    assert error.line == 3
    assert charset in error.message
    assert "only UTF-8" in error.message


def test_parse_po_accepts_an_empty_file() -> None:
    assert len(parse_po("", path="ko/doc.po")) == 0


def test_parse_po_round_trips_a_formatted_catalog() -> None:
    old = polib.POEntry(msgid="옛", msgstr="old", obsolete=True, comment="추출")
    po = catalog(
        polib.POEntry(
            msgid="첫 줄\n둘째 줄",
            msgstr="x",
            tcomment="역자\n\n 메모",
            occurrences=[("문서/가.md", "12"), ("b.md", "")],
            flags=["markdown-text", "fuzzy"],
            previous_msgid="옛\n줄",
        ),
        polib.POEntry(msgid="a", msgid_plural="as", msgstr_plural={0: '\t\\"\u2028'}),
        old,
        metadata=FULL_METADATA,
    )
    po.header = "Korean translation"
    text = format_po(po)
    assert format_po(parse_po(text, path="ko/doc.po")) == text


# --------------------------------------------------------------------------- width


def msgcat_width(text: str, width: int) -> str:
    """What ``msgcat --width=WIDTH`` writes for ``text``."""
    result = subprocess.run(
        ["msgcat", f"--width={width}", "--force-po", "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")


@needs_gettext
@settings(max_examples=120, deadline=None)
@given(catalogs(safe=False), st.integers(10, 100))
def test_format_po_with_width_is_what_msgcat_width_writes(po: polib.POFile, width: int) -> None:
    text = format_po(po, width=width)
    assert msgcat_width(text, width) == normalize(text)


def test_a_korean_string_wraps_between_syllables_after_filling_the_line() -> None:
    # Width 20 leaves 18 columns inside the quotes; a Hangul syllable takes 2.
    # "파드는 가장 작은 " fills 17; "단" would make 19, so the line breaks before it.
    po = catalog(
        polib.POEntry(
            msgid="파드는 가장 작은 단위이다.", msgstr="A pod is the smallest unit of deployment."
        )
    )
    expected = (
        'msgid ""\n"파드는 가장 작은 "\n"단위이다."\n'
        'msgstr ""\n"A pod is the "\n"smallest unit of "\n"deployment."\n'
    )
    text = format_po(po, width=20)
    assert text.split("\n\n")[1] == expected
    if HAS_GETTEXT:
        assert msgcat_width(text, 20) == text


def test_wrapping_never_splits_an_escape_and_keeps_no_wrap_entries_whole() -> None:
    long = "가" * 30 + "\\" + "나" * 30
    po = catalog(
        polib.POEntry(msgid=long, msgstr=""),
        polib.POEntry(msgid=long + "!", msgstr="", flags=["no-wrap"]),
    )
    text = format_po(po, width=40)
    assert not any(line.startswith('"\\') or line.endswith('\\"') for line in text.split("\n"))
    assert f'msgid "{(long + "!").replace(chr(92), chr(92) * 2)}"' in text


def test_a_width_below_20_counts_as_20_as_in_gettext() -> None:
    po = catalog(polib.POEntry(msgid="파드는 가장 작은 단위이다.", msgstr=""))
    assert format_po(po, width=5) == format_po(po, width=20)


@settings(max_examples=80, deadline=None)
@given(catalogs(safe=True), st.integers(20, 100))
def test_detect_width_finds_a_width_that_reproduces_the_strings(
    po: polib.POFile, width: int
) -> None:
    assert detect_width(format_po(po)) is None
    text = format_po(po, width=width)
    found = detect_width(text)
    again = parse_po(text, path="ko/doc.po")
    # "#:" lines alone do not reveal a width; every string line must come out the same.
    strings = [line for line in text.split("\n") if not line.startswith("#:")]
    rewritten = format_po(again, width=found).split("\n")
    assert [line for line in rewritten if not line.startswith("#:")] == strings


def test_detect_width_prefers_gettexts_default_79() -> None:
    po = catalog(polib.POEntry(msgid="파드는 " * 30, msgstr=""))
    assert detect_width(format_po(po, width=79)) == 79
    assert detect_width(format_po(po, width=60)) == 60
