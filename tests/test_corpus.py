"""Whole-corpus laws on real Kubernetes Korean documentation (129 files)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline import markdown
from pipeline.document import Document, parse_document
from pipeline.splice import splice
from tests.conftest import corpus_files
from tests.corpus_translations import (
    HANGUL,
    HOSTILE_INJECTIONS,
    hostile,
    pseudo,
    translations_for,
    visible_text,
)

FILES = corpus_files()
IDS = [str(path.relative_to(path.parents[len(path.parts) - 3])) for path in FILES] if FILES else []


def _load(path: Path) -> tuple[str, Document]:
    text = path.read_bytes().decode("utf-8")
    return text, parse_document(text, path=path.name)


def _full_structure(text: str) -> tuple[list, list, list]:
    """Block skeleton, inline markup per inline token, and link targets in order."""
    body = text
    if text.lstrip("\ufeff").startswith(("---", "+++")):
        document = parse_document(text)
        assert document.front_matter is not None
        body = (
            "\n" * text.count("\n", 0, document.front_matter.end)
            + text[document.front_matter.end :]
        )
    tokens, _ = markdown.parse(body.lstrip("\ufeff"))
    inlines = [markdown.inline_skeleton(t.children or []) for t in tokens if t.type == "inline"]
    links = [markdown.link_targets(t.children or []) for t in tokens if t.type == "inline"]
    return markdown.skeleton(tokens), inlines, links


def _front_matter_keys(document: Document) -> list:
    if document.front_matter is None or not document.front_matter.is_yaml:
        return []
    body = document.text[document.front_matter.body_start : document.front_matter.body_end]
    loaded = yaml.safe_load(body) or {}
    return list(loaded)


def test_corpus_is_present() -> None:
    assert len(FILES) == 129


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_identity_translation_is_byte_identical(path: Path) -> None:
    _, document = _load(path)
    result = splice(document, translations_for(document, lambda msgid: msgid))
    assert result.text.encode("utf-8") == path.read_bytes()
    assert result.problems == ()


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_pseudo_translation_keeps_structure_and_leaves_no_hangul(path: Path) -> None:
    text, document = _load(path)
    result = splice(document, translations_for(document, pseudo))
    assert result.problems == ()
    assert _full_structure(result.text) == _full_structure(text)
    output = parse_document(result.text)
    assert _front_matter_keys(output) == _front_matter_keys(document)
    leftover = [s.msgid for s in output.segments if HANGUL.search(visible_text(s.msgid))]
    assert leftover == []


@pytest.mark.parametrize("new_line", [False, True], ids=["inline", "new-line"])
@pytest.mark.parametrize("injection", HOSTILE_INJECTIONS, ids=repr)
def test_hostile_translations_never_change_the_structure(injection: str, new_line: bool) -> None:
    for path in FILES:
        text, document = _load(path)
        translate = hostile(injection, new_line=new_line)
        result = splice(document, translations_for(document, translate))
        assert _full_structure(result.text)[0] == _full_structure(text)[0], path
