"""Splicing: translations go exactly where their source was; nothing else changes."""

from __future__ import annotations

import pytest

from pipeline import splice as splice_module
from pipeline.checks import Problem
from pipeline.document import Segment, parse_document, structure
from pipeline.splice import splice


def _translate(text: str, mapping: dict[str, str]) -> tuple[str, list[str]]:
    document = parse_document(text, path="doc.md")
    result = splice(
        document, {(s.msgctxt, s.msgid): mapping.get(s.msgid, "") for s in document.segments}
    )
    return result.text, [f"{p.line}:{p.code}" for p in result.problems]


def test_no_translations_reproduce_the_source_exactly() -> None:
    text = "---\r\ntitle: '파드'  # 제목\r\n---\r\n# 파드\r\n\r\n- 항목  \r\n  계속\r\n"
    document = parse_document(text)
    assert splice(document, {}).text == text


def test_identity_translation_keeps_line_wrapping() -> None:
    text = "첫 줄\n둘째 줄\n"
    assert _translate(text, {"첫 줄 둘째 줄": "첫 줄 둘째 줄"}) == (text, [])


def test_translated_paragraph_is_written_in_place() -> None:
    text = "# 제목\n\n첫 줄\n둘째 줄\n\n끝\n"
    out, problems = _translate(text, {"첫 줄 둘째 줄": "First line, second line."})
    assert out == "# 제목\n\nFirst line, second line.\n\n끝\n"
    assert problems == []


def test_container_prefix_is_restored_on_every_new_line() -> None:
    text = "> - 항목 첫 줄\\\n>   둘째 줄\n"
    out, _ = _translate(text, {"항목 첫 줄\\\n둘째 줄": "Item line one\\\nline two"})
    assert out == "> - Item line one\\\n>   line two\n"


def test_crlf_is_kept_inside_a_translated_paragraph() -> None:
    text = "가\\\r\n나\r\n"
    out, _ = _translate(text, {"가\\\n나": "A\\\nB"})
    assert out == "A\\\r\nB\r\n"


def test_missing_final_newline_and_trailing_spaces_are_kept() -> None:
    text = "# 제목   \n\n본문  "
    out, _ = _translate(text, {"제목": "Title", "본문": "Body"})
    assert out == "# Title   \n\nBody  "


def test_atx_closing_sequence_is_kept() -> None:
    out, _ = _translate("## 제목 ##\n", {"제목": "Title"})
    assert out == "## Title ##\n"


def test_trailing_hash_in_a_heading_translation_is_escaped() -> None:
    out, _ = _translate("## 언어 C\n", {"언어 C": "Learn C #"})
    assert out == "## Learn C \\#\n"
    assert structure(out) == structure("## 언어 C\n")


def test_pipe_in_a_table_cell_translation_is_escaped() -> None:
    text = "| 이름 | 값 |\n|---|---|\n| 가 | 나 |\n"
    out, problems = _translate(text, {"가": "a | b", "나": "c \\| d"})
    assert out == "| 이름 | 값 |\n|---|---|\n| a \\| b | c \\| d |\n"
    assert problems == []


@pytest.mark.parametrize(
    ("translation", "written"),
    [
        ("# Not a heading", "\\# Not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        ("```not a fence", "\\```not a fence"),
        ("***", "\\***"),
        ("[x]: /not-a-definition", "\\[x]: /not-a-definition"),
        ("<div>not html</div>", "\\<div>not html</div>"),
        ("line\\\n- not a list", "line\\\n\\- not a list"),
        ("line\\\n===", "line\\\n\\==="),
    ],
)
def test_block_starts_in_a_translation_are_escaped(translation: str, written: str) -> None:
    text = "- 원문\n"
    out, problems = _translate(text, {"원문": translation})
    assert out == "- " + written.replace("\n", "\n  ") + "\n"
    assert problems == []
    assert structure(out) == structure(text)


def test_blank_line_in_a_translation_is_refused_and_source_kept() -> None:
    text = "원문 문단\n"
    out, problems = _translate(text, {"원문 문단": "First.\n\nSecond."})
    assert (out, problems) == (text, ["1:block-injection"])


def test_line_break_in_a_heading_translation_is_refused() -> None:
    text = "# 제목\n"
    assert _translate(text, {"제목": "Two\\\nlines"}) == (text, ["1:block-injection"])


def test_dropped_link_is_refused_with_its_line() -> None:
    text = "# 제목\n\n[공급업체](/vendor)에 맡긴다.\n"
    out, problems = _translate(text, {"[공급업체](/vendor)에 맡긴다.": "Left to a vendor."})
    assert (out, problems) == (text, ["3:link-target"])


def test_reordered_links_are_accepted() -> None:
    text = "[가](/a) 그리고 [나](/b)\n"
    out, problems = _translate(text, {"[가](/a) 그리고 [나](/b)": "[B](/b) and [A](/a)"})
    assert (out, problems) == ("[B](/b) and [A](/a)\n", [])


def test_reference_links_resolve_through_the_document_definitions() -> None:
    text = "[문서][ref]를 본다.\n\n[ref]: /docs\n"
    out, problems = _translate(text, {"[문서][ref]를 본다.": "See [the docs][ref]."})
    assert (out, problems) == ("See [the docs][ref].\n\n[ref]: /docs\n", [])


def test_reference_link_pointing_elsewhere_is_refused() -> None:
    text = "[문서][ref]를 본다.\n\n[ref]: /docs\n[other]: /blog\n"
    out, problems = _translate(text, {"[문서][ref]를 본다.": "See [the docs][other]."})
    assert (out, problems) == (text, ["1:link-target"])


def test_a_review_decides_which_translations_are_used() -> None:
    document = parse_document("# 파드\n\n노드\n", path="doc.md")

    def review(segment: Segment, translation: str) -> list[Problem]:
        severity = "error" if segment.kind == "heading" else "warning"
        return [Problem("doc.md", segment.line, "test", translation, severity)]

    result = splice(document, {(None, "파드"): "Pods", (None, "노드"): "Nodes"}, review=review)
    assert result.text == "# 파드\n\nNodes\n"
    assert [(p.line, p.severity) for p in result.problems] == [(1, "error"), (3, "warning")]
    assert result.translated == 1


def test_fence_in_a_translation_is_escaped() -> None:
    text = "가\n\n나\n"
    out, problems = _translate(text, {"가": "a\n  ```", "나": "b"})
    assert (out, problems) == ("a\n\\```\n\nb\n", [])


def test_reparse_refuses_what_escaping_missed(monkeypatch: pytest.MonkeyPatch) -> None:
    # With line-start escaping switched off, only the re-parse stands between a
    # translation and a broken document: it must find the culprit and keep the rest.
    monkeypatch.setattr(splice_module, "_guard_lines", lambda text: text)
    text = "가\n\n나\n\n다\n"
    out, problems = _translate(text, {"가": "A", "나": "- B", "다": "C"})
    assert (out, problems) == ("A\n\n나\n\nC\n", ["3:block-structure"])


def test_fuzzy_or_empty_translation_keeps_the_source() -> None:
    text = "원문\n"
    assert _translate(text, {"원문": ""}) == (text, [])


def test_front_matter_plain_value_stays_plain_and_comments_stay() -> None:
    text = "---\n# 설명\ntitle: 파드  # 주석\nweight: 1\n---\n"
    out, _ = _translate(text, {"파드": "Pods"})
    assert out == "---\n# 설명\ntitle: Pods  # 주석\nweight: 1\n---\n"


def test_front_matter_value_is_quoted_when_it_must_be() -> None:
    text = "---\ntitle: 파드\n---\n"
    out, _ = _translate(text, {"파드": "Pods: the basics"})
    assert out == '---\ntitle: "Pods: the basics"\n---\n'


def test_front_matter_single_quotes_are_kept() -> None:
    text = "---\ntitle: '파드'\n---\n"
    out, _ = _translate(text, {"파드": "Pod's life"})
    assert out == "---\ntitle: 'Pod''s life'\n---\n"


def test_front_matter_block_scalar_stays_a_block() -> None:
    text = "---\ndescription: >\n  긴 설명\n  계속\nweight: 2\n---\n"
    out, _ = _translate(text, {"긴 설명 계속": "A long description"})
    assert out == "---\ndescription: >\n  A long description\nweight: 2\n---\n"


def test_front_matter_flow_list_item_with_a_comma_is_quoted() -> None:
    text = "---\nkeywords: [파드, 노드]\n---\n"
    out, _ = _translate(text, {"파드": "Pod, Pods", "노드": "Node"})
    assert out == '---\nkeywords: ["Pod, Pods", Node]\n---\n'


def test_first_cell_of_a_row_without_leading_pipe_cannot_start_a_list() -> None:
    text = "이름 | 값\n--- | ---\n가 | 나\n"
    out, problems = _translate(text, {"가": "- a", "나": "- b"})
    assert (out, problems) == ("이름 | 값\n--- | ---\n\\- a | - b\n", [])
    assert structure(out) == structure(text)


def _one_by_one(text: str, replacements: list) -> list:
    """The reference the block-wise search must agree with: add replacements in document
    order, dropping each one that changes the whole document's structure."""
    kept: list = []
    for item in replacements:
        if structure(splice_module._apply(text, [*kept, item])) == structure(text):
            kept.append(item)
    return kept


def test_many_refused_translations_cost_a_few_whole_document_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "* " followed by a translation starting with "**" on its own line is "* **": a
    # thematic break.  Every list item refuses its translation; paragraphs keep theirs.
    blocks = [f"문단 {n}번입니다.\n\n* 항목 {n}-1\n* 항목 {n}-2\n" for n in range(40)]
    text = "# 제목\n\n" + "\n".join(blocks)
    document = parse_document(text, path="doc.md")
    translations = {
        (s.msgctxt, s.msgid): ("**\n" + s.msgid if "항목" in s.msgid else f"Paragraph {n}.")
        for n, s in enumerate(document.segments)
    }
    replacements = [
        (s, splice_module._replacement(document, s, translations[(s.msgctxt, s.msgid)]))
        for s in document.segments
    ]
    expected = _one_by_one(text, replacements)
    parses = []
    original = splice_module.structure
    monkeypatch.setattr(
        splice_module, "structure", lambda *a, **k: parses.append(1) or original(*a, **k)
    )
    result = splice(document, translations)
    assert len(result.problems) == 80
    assert {p.code for p in result.problems} == {"block-structure"}
    assert result.translated == len(expected) == 41
    assert result.text == splice_module._apply(text, expected)
    assert len(parses) <= 2  # was 80 binary searches of about 7 parses each
