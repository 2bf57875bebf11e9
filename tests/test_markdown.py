"""The parser preset: block-only parses, and inline tokens that remember their source spans."""

from __future__ import annotations

from pipeline import markdown
from pipeline.document import parse_document
from pipeline.markdown import SOURCE, parse_inline_escapes, parse_inline_source, plain_text
from tests.conftest import corpus_files


def _blocks(tokens: list) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.markup, t.info, t.map, t.content, t.meta) for t in tokens]


def test_block_parse_equals_the_full_parse_without_inline_children() -> None:
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8")
        full, full_env = markdown.parse(text)
        blocks, env = markdown.parse_blocks(text)
        assert _blocks(blocks) == _blocks(full), path
        assert env == full_env, path
        assert all(not token.children for token in blocks)
        assert markdown.block_skeleton(text) == markdown.skeleton(blocks), path


def _spans(text: str, env: dict | None = None) -> list[tuple[str, str]]:
    found = []
    for token in parse_inline_source(text, env):
        source = token.meta.get(SOURCE)
        if source is not None and token.type != "link_close":
            found.append((token.type, text[source.start : source.end]))
    return found


def test_code_html_escapes_and_entities_have_their_source_text() -> None:
    text = "`kubectl` <b>굵게</b> \\* &amp; 끝"
    assert _spans(text) == [
        ("code_inline", "`kubectl`"),
        ("html_inline", "<b>"),
        ("html_inline", "</b>"),
        ("text_special", "\\*"),
        ("text_special", "&amp;"),
    ]


def test_link_records_label_destination_and_form() -> None:
    text = '[파드](</ko/docs/파드 개요/> "제목")와 [노드][n]와 [노드][]'
    env = {"references": {"N": {"href": "/n", "title": ""}, "노드": {"href": "/m", "title": ""}}}
    sources = [t.meta[SOURCE] for t in parse_inline_source(text, env) if t.type == "link_open"]
    assert [s.form for s in sources] == ["inline", "full", "collapsed"]
    first = sources[0]
    assert text[first.label[0] : first.label[1]] == "파드"
    assert text[first.destination[0] : first.destination[1]] == "</ko/docs/파드 개요/>"
    assert sources[1].destination is None


def test_spans_inside_image_alt_text_are_relative_to_the_whole_text() -> None:
    text = "앞 ![대체 `코드`](/a.png) 뒤"
    image = next(t for t in parse_inline_source(text) if t.type == "image")
    code = next(t for t in image.children if t.type == "code_inline")
    source = code.meta[SOURCE]
    assert text[source.start : source.end] == "`코드`"


def test_unmatched_delimiters_stay_text_and_escapes_stay_apart() -> None:
    tokens = parse_inline_source("**파드(Pod)**는 \\*")
    assert [(t.type, t.content) for t in tokens] == [
        ("text", "**파드(Pod)**는 "),
        ("text_special", "*"),
    ]


def test_plain_text_is_what_a_reader_sees() -> None:
    tokens = parse_inline_source("**파드**와 `kubectl` [링크](/a) <b>x</b> &amp;")
    assert plain_text(tokens) == "파드와 kubectl 링크 x &"


def _tree(tokens: list) -> list[tuple]:
    return [
        (
            t.type,
            t.tag,
            t.nesting,
            t.markup,
            t.info,
            t.content,
            t.attrs,
            t.level,
            _tree(t.children or []),
        )
        for t in tokens
    ]


def test_inline_escapes_parse_gives_the_source_parse_tokens_without_spans() -> None:
    texts = [
        '[a [b] c](</x y> "t") ![대체 [링크](/l) `c`](/i.png) [r][] [[n]](/m) \\[x] &amp; <b>',
        "**파드(Pod)**는 \\* ~~취소~~ _강조_ <https://a.b/c> [미완성](/x",
    ]
    for path in corpus_files():
        texts += [s.msgid for s in parse_document(path.read_text("utf-8")).segments]
    env = {"references": {"R": {"href": "/r", "title": ""}}}
    for text in texts:
        plain = parse_inline_escapes(text, env)
        assert all(not token.meta for token in plain), text
        assert _tree(plain) == _tree(parse_inline_source(text, env)), text
