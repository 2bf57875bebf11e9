"""Progress counts: messages and source words, checked against a hand-counted document."""

from __future__ import annotations

import datetime as dt

import polib
import pytest

from pipeline.catalog import language_info, template, update
from pipeline.document import parse_document
from pipeline.stats import Counts, Progress, count_words, progress

NOW = dt.datetime(2026, 11, 29, 6, 24, tzinfo=dt.UTC)

# Hand count, message by message (a word is a space-separated eojeol a reader sees):
#   front matter title  "파드 개요"                                  2  (파드 / 개요)
#   heading             "파드"                                       1
#   paragraph           "파드는 컨테이너의 그룹이다."                 3  (the URL is not read)
#   paragraph           "kubectl get pods 명령으로 파드를 본다."       6  (code spans are read)
#   paragraph           "워커 노드에서 실행된다."                      3  (a shortcode's text=)
DOCUMENT = """---
title: 파드 개요
weight: 10
---
# 파드

파드는 [컨테이너](/ko/docs/concepts/containers/)의 그룹이다.

`kubectl get pods` 명령으로 파드를 본다.

{{< glossary_tooltip text="워커 노드" term_id="node" >}}에서 실행된다.
"""
LINKED = "파드는 [컨테이너](/ko/docs/concepts/containers/)의 그룹이다."
CODE = "`kubectl get pods` 명령으로 파드를 본다."


def _template() -> polib.POFile:
    return template(parse_document(DOCUMENT), reference="doc.md", project="p", now=NOW)


@pytest.mark.parametrize(
    ("text", "is_markdown", "words"),
    [
        ("파드 개요", False, 2),
        (LINKED, True, 3),
        (CODE, True, 6),
        ('{{< glossary_tooltip text="워커 노드" term_id="node" >}}에서 실행된다.', True, 3),
        ("**굵게** 쓴 *말* — 그리고 ![그림 설명](/a.png)", True, 6),
        ("줄바꿈이\n있는 문장", True, 3),
        ("- * 1", False, 1),  # runs without a letter or digit are not words
    ],
)
def test_count_words(text: str, is_markdown: bool, words: int) -> None:
    assert count_words(text, is_markdown=is_markdown) == words


def test_progress_matches_the_hand_count() -> None:
    po = update(_template(), None, language=language_info("en"), now=NOW)
    for entry in po:
        if entry.msgid in ("파드", LINKED):
            entry.msgstr = "translated"
        elif entry.msgid == CODE:
            entry.msgstr, entry.flags = "to review", ["fuzzy", *entry.flags]
    result = progress(_template(), po)
    assert result.translated == Counts(messages=2, words=1 + 3)
    assert result.fuzzy == Counts(messages=1, words=6)
    assert result.untranslated == Counts(messages=2, words=2 + 3)
    assert result.total == Counts(messages=5, words=15)
    assert result.percent == pytest.approx(100 * 4 / 15)


def test_without_a_catalog_everything_is_untranslated() -> None:
    result = progress(_template(), None)
    assert result.untranslated == Counts(5, 15) and result.percent == 0


def test_a_document_without_words_counts_as_fully_translated() -> None:
    assert Progress().percent == 100


def test_stale_and_obsolete_translations_do_not_count() -> None:
    po = polib.POFile()
    po.append(polib.POEntry(msgid="파드는 가장 작은 단위이다.", msgstr="old"))
    po.append(polib.POEntry(msgid="파드", msgstr="Pod", obsolete=True))
    assert progress(_template(), po).translated == Counts()
