"""Segmentation: what becomes a msgid, with which line and element name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from pipeline import markdown
from pipeline.document import is_translatable, parse_document
from pipeline.errors import SourceError
from tests.conftest import FIXTURES, corpus_files

CASES = read_fixture_file(FIXTURES / "segments.md")


def _describe(text: str) -> str:
    document = parse_document(text)
    return "".join(
        f"{s.line} | {s.element} | {s.msgid}".replace("\n", "\\n") + "\n" for s in document.segments
    )


@pytest.mark.parametrize(("line", "title", "text", "expected"), CASES, ids=[c[1] for c in CASES])
def test_segments_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert _describe(text) == expected


def test_segment_span_covers_exactly_the_source_text() -> None:
    text = "> - 첫 줄\n>   둘째 줄  \n"
    (segment,) = parse_document(text).segments
    assert text[segment.start : segment.end] == "첫 줄\n>   둘째 줄"
    assert segment.continuation == ">   "


def test_crlf_source_gives_lf_free_msgids_and_exact_spans() -> None:
    text = "---\r\ntitle: 제목\r\n---\r\n\r\n# 머리말\r\n\r\n첫 줄\r\n둘째 줄\r\n"
    segments = parse_document(text).segments
    assert [s.msgid for s in segments] == ["제목", "머리말", "첫 줄 둘째 줄"]
    assert [text[s.start : s.end] for s in segments] == ["제목", "머리말", "첫 줄\r\n둘째 줄"]
    assert [s.line for s in segments] == [2, 5, 7]


def test_bom_is_not_part_of_the_first_segment() -> None:
    text = "\ufeff# 제목\n"
    (segment,) = parse_document(text).segments
    assert (segment.msgid, text[segment.start : segment.end]) == ("제목", "제목")


def test_front_matter_value_has_context_and_no_markdown_flag() -> None:
    (segment,) = parse_document("---\ntitle: 파드\n---\n").segments
    assert segment.msgctxt == "frontmatter:title"
    assert not segment.is_markdown


def test_front_matter_nested_keys_by_dotted_path() -> None:
    text = "---\nparams:\n  summary: 요약\n  weight: 요약 아님\n---\n"
    segments = parse_document(text, keys=["params.summary"]).segments
    assert [(s.element, s.msgid) for s in segments] == [("front matter: params.summary", "요약")]


def test_front_matter_alias_is_extracted_once() -> None:
    text = "---\naka:\n- &x 포드\n- *x\n---\n"
    assert [s.msgid for s in parse_document(text).segments] == ["포드"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: 파드\n", 1, "never closed"),
        ("---\ntitle: [파드\n---\n", 3, "not valid YAML"),
        ("---\n- 파드\n---\n", 2, "not a mapping"),
    ],
)
def test_bad_front_matter_is_an_error_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(SourceError, match=words) as caught:
        parse_document(text, path="a.md")
    assert (caught.value.path, caught.value.line) == ("a.md", line)


def test_toml_front_matter_is_kept_out_of_the_markdown() -> None:
    text = '+++\ntitle = "파드"\n+++\n본문\n'
    assert [s.msgid for s in parse_document(text).segments] == ["본문"]


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("파드", True),
        ("`kubectl`", False),
        ("<https://kubernetes.io>", False),
        ("https://kubernetes.io/ko/", False),
        ("{{< note >}}", False),
        ('{{< glossary_tooltip text="파드" term_id="pod" >}}', True),
        ("[](https://example.com)", False),
        ("1.28", False),
        ("v1.28 release", True),
    ],
)
def test_is_translatable(msgid: str, expected: bool) -> None:
    assert is_translatable(msgid) is expected


def _translatable_by_parsing(msgid: str, env: dict) -> bool:
    """The definition :func:`is_translatable` must agree with: letters in inline text."""
    words, autolink = [], False
    for token in markdown.parse_inline(msgid, env):
        if token.type == "link_open":
            autolink = token.markup == "autolink"
        elif token.type == "link_close":
            autolink = False
        elif (token.type == "text" and not autolink) or token.type == "image":
            words.append(token.content)
    text = " ".join(words)
    shortcode = r"\{\{[<%].*?[%>]\}\}"
    params = re.findall(
        r"\b(?:text|title|alt|prepend|caption)=\"([^\"]*)\"", " ".join(re.findall(shortcode, text))
    )
    text = re.sub(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+", " ", re.sub(shortcode, " ", text))
    return any(character.isalpha() for character in text + " " + " ".join(params))


# Pieces that open, close or hide inline markup, mixed with Hangul and Latin words.
_PIECES = [
    *'가a `<>[]()!{&\\"\n',
    "{{%",
    "%}}",
    "https://",
    "](",
    "][",
    "{{<",
    ">}}",
    "&#x41;",
    "&#123;",
    "참조",
]
_ENV = parse_document("[참조]: /ko/docs/\n").references


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join))
def test_is_translatable_agrees_with_the_inline_parse(msgid: str) -> None:
    env = {"references": dict(_ENV)}
    assert is_translatable(msgid, env) is _translatable_by_parsing(msgid, env)


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ('[](/x "파드")', False),  # a link title is not text
        ("[](/x (파드))", False),
        ("[](<파드>)", False),
        ("[](파드)", False),
        ("![](파드)", False),
        ("[1][참조]", False),  # a defined reference label is not text
        ("[1][파드]", True),  # an undefined one is literal text
        ('<a title="파드">', False),
        ("``파드``", False),
        ("https://x.io/파드", False),
        ("{{% 파드 %}}", False),
        ("&#123;&#123;% 파드 %&#125;&#125;", False),  # entities spell a shortcode
        ("\\{\\{% 파드 %\\}\\}", False),  # so do escapes
        ("a&#58;//파드", False),  # and a URL
        ("[파드](/ko/docs/)는 `kubectl`로", True),
    ],
)
def test_is_translatable_on_markup_that_hides_hangul(msgid: str, expected: bool) -> None:
    env = {"references": dict(_ENV)}
    assert _translatable_by_parsing(msgid, env) is expected
    assert is_translatable(msgid, env) is expected


def test_is_translatable_agrees_with_the_inline_parse_on_the_corpus() -> None:
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8")
        for line in text.splitlines():
            assert is_translatable(line) is _translatable_by_parsing(line, {}), (path, line)


def test_table_cells_are_numbered_by_row_in_each_table() -> None:
    text = (
        "| 이름 | 설명 |\n|---|---|\n| 파드 | 컨테이너 묶음 |\n| 노드 | 머신 |\n\n"
        "> | 종류 |\n> |---|\n> | 서비스 |\n"
    )
    elements = [s.element for s in parse_document(text).segments]
    assert elements == [
        "table header, column 1",
        "table header, column 2",
        "table cell, row 1, column 1",
        "table cell, row 1, column 2",
        "table cell, row 2, column 1",
        "table cell, row 2, column 2",
        "table header, column 1 in blockquote",
        "table cell, row 1, column 1 in blockquote",
    ]


def test_the_trimmed_characters_are_markdown_its() -> None:
    from markdown_it.common.utils import MD_TRIM_CHARS

    from pipeline.document import _TRIM

    assert set(_TRIM) == set(MD_TRIM_CHARS) - {"\n", "\r"}
