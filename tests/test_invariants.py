"""The invariants of a message: the plain-text shortcut must read what the parser reads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import invariants
from pipeline.document import parse_document
from pipeline.placeholders import DEFAULT_TEXT_PARAMS
from tests.conftest import corpus_files
from tests.corpus_translations import pseudo


def _both(text: str, env: dict | None = None) -> tuple[invariants.Invariants, ...]:
    parsed = invariants._read_markdown(text, env=env, text_params=DEFAULT_TEXT_PARAMS, patterns=())
    return invariants.read(text, env=env), parsed


def test_plain_corpus_messages_read_the_same_without_a_parse() -> None:
    plain = 0
    for path in corpus_files():
        document = parse_document(path.read_bytes().decode("utf-8-sig"), path=path.name)
        for segment in document.segments:
            if not segment.is_markdown:
                continue
            for text in (segment.msgid, pseudo(segment.msgid)):
                if invariants._PLAIN.fullmatch(text):
                    plain += 1
                    shortcut, parsed = _both(text, document.env)
                    assert shortcut == parsed, text
    assert plain > 2000  # the shortcut is the common case, so it is worth having


# Hangul, spaces and every ASCII punctuation markdown-it's text rule stops at but that
# opens nothing without the excluded characters; shortcodes and URLs as placeholders.
_PIECES = st.sampled_from(
    [
        "파드",
        "는 ",
        " ",
        "  ",
        "\t",
        "#",
        "$",
        "%",
        ":",
        "@",
        "+",
        "-",
        "=",
        "^",
        "|",
        ">",
        "}",
        "{",
        '"',
        "'",
        "/",
        "(",
        ")",
        ".",
        "1.",
        "https://k8s.io/docs",
        "{{% note %}}",
        '{{% tooltip text="파드" id="pod" %}}',
        "{{ .Site }}",
        "{#id}",
        "\u00a0",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_shortcut_agrees_with_the_parser_on_generated_text(text: str) -> None:
    assert invariants._PLAIN.fullmatch(text)
    shortcut, parsed = _both(text)
    assert shortcut == parsed


def test_markup_is_never_read_as_plain_text() -> None:
    for text in (
        "`code`",
        "**굵게**",
        "[링크](/a)",
        "<b>",
        "a\\*",
        "&amp;",
        "~~취소~~",
        "줄\n바꿈",
    ):
        assert not invariants._PLAIN.fullmatch(text)


def _naive_words(text: str, prose: list, found: list) -> str:
    mask = [False] * len(text)
    for start, end in prose:
        mask[start:end] = [True] * (end - start)
    for placeholder in found:
        mask[placeholder.start : placeholder.end] = [False] * (placeholder.end - placeholder.start)
        for start, end in placeholder.text_spans:
            mask[start:end] = [True] * (end - start)
    return "".join(c if keep else " " for c, keep in zip(text, mask, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join), st.data())
def test_words_keep_prose_and_text_parameters_only(text: str, data: st.DataObject) -> None:
    from pipeline import placeholders

    bounds = st.integers(0, len(text))
    prose = sorted(tuple(sorted(pair)) for pair in data.draw(st.lists(st.tuples(bounds, bounds))))
    found = placeholders.find(text)
    assert invariants._words(text, prose, found) == _naive_words(text, prose, found)


def test_reference_links_resolve_through_each_call_s_own_env() -> None:
    text = "[노드][n]와 [파드]"
    references = {"N": {"href": "/n", "title": ""}, "파드": {"href": "/p", "title": ""}}
    other = {"N": {"href": "/other", "title": ""}}
    assert invariants.read(text).links == ()
    assert invariants.read(text, env={"references": references}).links == ("/n", "/p")
    assert invariants.read(text, env={"references": other}).links == ("/other",)
    assert invariants.read(text, env={"references": {}}).links == ()
    assert invariants.read(text).links == ()


def test_a_cached_read_equals_a_fresh_one() -> None:
    text = '**파드**는 `kubectl` {{< glossary_tooltip text="노드" term_id="node" >}}'
    fresh = invariants._read(text, True, None, DEFAULT_TEXT_PARAMS, ())
    assert invariants.read(text) == fresh
    assert invariants.read(text) is invariants.read(text)
