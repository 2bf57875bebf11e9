"""Segmentation: what becomes a msgid, with which line and element name."""

from __future__ import annotations

import pytest
from markdown_it.utils import read_fixture_file

from pipeline.document import is_translatable, parse_document
from pipeline.errors import SourceError
from tests.conftest import FIXTURES

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
