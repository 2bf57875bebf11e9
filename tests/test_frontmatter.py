"""Front matter: alias bombs, deep nesting and huge blocks stay bounded; libyaml (when PyYAML
has it) must see exactly what the pure-Python loader sees."""

from __future__ import annotations

import time
import tracemalloc

import pytest
import yaml

from pipeline import frontmatter
from pipeline.document import parse_document
from pipeline.errors import SourceError
from pipeline.splice import splice
from tests.conftest import corpus_files


def _billion_laughs() -> str:
    """Ten levels of nine aliases each: 10⁹ strings once expanded by a naive loader."""
    lines = ['a: &a ["웃음", "웃음", "웃음", "웃음", "웃음", "웃음", "웃음", "웃음", "웃음"]']
    for level in range(1, 10):
        name, previous = "abcdefghij"[level], "abcdefghij"[level - 1]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\ntitle: *j\nkeywords: *j\n---\n\n# 본문\n"


def test_billion_laughs_is_composed_not_expanded() -> None:
    text = _billion_laughs()
    tracemalloc.start()
    started = time.perf_counter()
    document = parse_document(text, path="bomb.md")
    result = splice(document, {(s.msgctxt, s.msgid): "laugh" for s in document.segments})
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Observed: 0.1 s and under 2 MB.  The bounds only catch an expansion (10⁹ strings).
    assert peak < 20_000_000
    assert elapsed < 20
    # The nine anchored strings are translated once each, where they are written.
    assert [s.msgid for s in document.segments if s.kind == "front-matter"] == ["웃음"] * 9
    assert result.text.count('"laugh"') == 9 and result.problems == ()


@pytest.mark.parametrize(
    "body",
    [
        "title: " + "[" * 5000,
        "title: " + "[" * 200 + "]" * 200,
        "title: " + "{a: " * 200 + "}" * 200,
        "".join(" " * depth + "a:\n" for depth in range(200)),
        "".join(" " * depth + "- \n" for depth in range(200)),
    ],
    ids=["unclosed-flow", "flow-sequences", "flow-mappings", "block-mappings", "block-sequences"],
)
def test_deep_nesting_is_a_clear_error_not_a_recursion_crash(body: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_document(f"---\n{body}\n---\n본문\n", path="deep.md")
    assert "nested deeper than 64 levels" in str(caught.value)
    assert caught.value.line is not None and caught.value.line >= 2


def test_nesting_up_to_the_limit_is_fine() -> None:
    body = "title: 파드\nextra: " + "[" * 60 + "]" * 60
    document = parse_document(f"---\n{body}\n---\n본문\n")
    assert [s.msgid for s in document.segments] == ["파드", "본문"]


def test_front_matter_larger_than_the_limit_is_refused() -> None:
    keywords = "".join(f"- 키워드 {n}\n" for n in range(30_000))
    with pytest.raises(SourceError) as caught:
        parse_document(f"---\nkeywords:\n{keywords}---\n본문\n", path="big.md")
    assert str(caught.value).startswith("big.md:2: front matter is ")
    assert "at most 256 KiB" in str(caught.value)
    assert "data file" in caught.value.hint


def test_many_translated_values_cost_a_few_loads_not_one_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keywords = "".join(f"- 키워드 {n}\n" for n in range(500))
    text = f"---\ntitle: 제목\nkeywords:\n{keywords}---\n본문\n"
    document = parse_document(text)
    loads = []
    original = frontmatter._load
    monkeypatch.setattr(frontmatter, "_load", lambda body: loads.append(body) or original(body))
    # Half need quoting (": " cannot be plain), half keep the plain style.
    translations = {
        (s.msgctxt, s.msgid): f"keyword: {s.msgid[-3:]}" if n % 2 else f"keyword {s.msgid[-3:]}"
        for n, s in enumerate(document.segments)
    }
    result = splice(document, translations)
    assert result.problems == ()
    assert '- "keyword: ' in result.text and "- keyword " in result.text
    big_loads = [body for body in loads if len(body) > 1000]
    assert len(big_loads) <= 4


@pytest.mark.parametrize(
    ("items", "translations", "expected"),
    [
        ("[파드, 노드]", {"파드": "Pod, Pods", "노드": "Node"}, '["Pod, Pods", Node]'),
        ("[파드, 노드]", {"파드": "a]", "노드": "b"}, '["a]", b]'),
        ("[파드, 노드]", {"파드": "x", "노드": "{y}"}, '[x, "{y}"]'),
    ],
)
def test_flow_items_are_quoted_only_when_needed(
    items: str, translations: dict[str, str], expected: str
) -> None:
    document = parse_document(f"---\nkeywords: {items}\n---\n")
    result = splice(
        document, {(s.msgctxt, s.msgid): translations[s.msgid] for s in document.segments}
    )
    assert result.text == f"---\nkeywords: {expected}\n---\n"


def test_characters_yaml_refuses_are_reported_not_written() -> None:
    document = parse_document("---\ntitle: 파드\n---\n", path="doc.md")
    result = splice(document, {("frontmatter:title", "파드"): "Pod\x80"})
    assert result.text == "---\ntitle: 파드\n---\n"
    assert [f"{p.line}:{p.code}" for p in result.problems] == ["2:yaml"]


needs_libyaml = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False),
    reason="PyYAML was built without libyaml; only the pure-Python loader is used",
)


def _values(text: str) -> list[frontmatter.FrontMatterValue]:
    bom = 1 if text.startswith("\ufeff") else 0
    front = frontmatter.locate(text, offset=bom)
    return [] if front is None else frontmatter.values(text, front, frontmatter.DEFAULT_KEYS)


@needs_libyaml
def test_both_loaders_find_the_same_values_in_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [path.read_bytes().decode("utf-8") for path in corpus_files()]
    fast = [_values(text) for text in texts]
    monkeypatch.setattr(frontmatter, "_FAST_LOADER", yaml.SafeLoader)
    assert [_values(text) for text in texts] == fast
    assert sum(map(len, fast)) > 100  # the corpus really has front matter values


@needs_libyaml
def test_anchor_and_alias_are_one_value_with_both_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '---\ntitle: "파드"\naka:\n- &x 포드\n- *x\n- 팟\n---\n'
    fast = _values(text)
    monkeypatch.setattr(frontmatter, "_FAST_LOADER", yaml.SafeLoader)
    assert _values(text) == fast
    assert [(v.key, v.style, v.value) for v in fast] == [
        (("title",), '"', "파드"),
        (("aka", 0), "", "포드"),
        (("aka", 2), "", "팟"),
    ]


def test_invalid_yaml_is_reported_by_the_pure_python_loader() -> None:
    with pytest.raises(SourceError) as caught:
        _values("---\ntitle: 파드\n  bad: [\n---\n")
    assert caught.value.line == 3
    assert "not valid YAML" in caught.value.message
