"""Laws that hold for any markdown: identity reproduces the source, translation keeps structure."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import markdown
from pipeline.document import parse_document, structure
from pipeline.splice import splice
from tests.corpus_translations import HANGUL, hostile, pseudo, translations_for, visible_text

WORDS = [
    "파드",
    "노드는",
    "클러스터를",
    "관리한다",
    "API",
    "`kubectl`",
    "**중요**",
    "*강조*",
    "2024년",
]
INLINE_EXTRAS = [
    "[링크](/ko/docs/)",
    "![그림](/img.png)",
    "<https://k8s.io>",
    "\\*",
    "{{< note >}}",
]

words = st.lists(st.sampled_from(WORDS + INLINE_EXTRAS), min_size=1, max_size=8).map(" ".join)
trailing = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def paragraph(draw: st.DrawFn) -> list[str]:
    lines = draw(st.lists(words, min_size=1, max_size=3))
    return [line + draw(trailing) for line in lines]


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kinds = ["paragraph", "heading", "setext", "fence", "table", "hr", "html"]
    if depth < 3:
        kinds += ["bullet", "ordered", "quote"]
    kind = draw(st.sampled_from(kinds))
    if kind == "paragraph":
        return draw(paragraph())
    if kind == "heading":
        return [
            "#" * draw(st.integers(1, 6)) + " " + draw(words) + draw(st.sampled_from(["", " ##"]))
        ]
    if kind == "setext":
        return [*draw(paragraph()), draw(st.sampled_from(["===", "---"]))]
    if kind == "fence":
        return ["```yaml", "key: 값", "```"]
    if kind == "table":
        rows = draw(st.integers(1, 3))
        return ["| 이름 | 설명 |", "|---|:--|"] + [
            f"| {draw(words)} | {draw(words)} |" for _ in range(rows)
        ]
    if kind == "hr":
        # A leading "---" would open front matter; "* * *" and "___" are unambiguous.
        return ["* * *"] if draw(st.booleans()) else ["___"]
    if kind == "html":
        return ["<div>", "한국어 HTML", "</div>"]
    inner = draw(st.lists(block(depth + 1), min_size=1, max_size=2))
    body = [line for item in inner for line in [*item, ""]][:-1]
    if kind == "quote":
        return ["> " + line if line else ">" for line in body]
    marker = draw(st.sampled_from(["- ", "* ", "1. "])) if kind == "bullet" else "1. "
    pad = " " * len(marker)
    return [marker + body[0]] + [pad + line if line else "" for line in body[1:]]


@st.composite
def document_text(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        title = draw(st.sampled_from(["파드", "'파드: 개요'", '"노드"', "클러스터 # 주석"]))
        lines += ["---", f"title: {title}", "weight: 3", "aka:", "- 포드", "---"]
    blocks = draw(st.lists(block(), min_size=1, max_size=6))
    for item in blocks:
        lines += [*item, ""]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    return text if draw(st.booleans()) else text.rstrip("\r\n")


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(document_text())
def test_identity_translation_reproduces_the_source(text: str) -> None:
    document = parse_document(text)
    assert splice(document, {}).text == text
    assert splice(document, translations_for(document, lambda msgid: msgid)).text == text


@SETTINGS
@given(document_text())
def test_pseudo_translation_keeps_structure_and_links(text: str) -> None:
    document = parse_document(text)
    result = splice(document, translations_for(document, pseudo))
    assert result.problems == ()
    assert structure(result.text) == structure(text)
    before, _ = markdown.parse(text.replace("\r\n", "\n"))
    after, _ = markdown.parse(result.text.replace("\r\n", "\n"))
    links = [markdown.link_targets(t.children or []) for t in before if t.type == "inline"]
    assert links == [markdown.link_targets(t.children or []) for t in after if t.type == "inline"]
    leftover = [s.msgid for s in parse_document(result.text).segments]
    assert not any(HANGUL.search(visible_text(msgid)) for msgid in leftover)


@SETTINGS
@given(document_text(), st.sampled_from(["1. ", "- ", "# ", "> ", "| ", "\n\n"]), st.booleans())
def test_hostile_translation_keeps_structure(text: str, injection: str, new_line: bool) -> None:
    document = parse_document(text)
    result = splice(document, translations_for(document, hostile(injection, new_line=new_line)))
    assert structure(result.text) == structure(text)


@SETTINGS
@given(document_text())
def test_extracting_an_identity_build_gives_the_same_msgids(text: str) -> None:
    document = parse_document(text)
    rebuilt = splice(document, translations_for(document, lambda msgid: msgid)).text
    assert [s.msgid for s in parse_document(rebuilt).segments] == [
        s.msgid for s in document.segments
    ]
