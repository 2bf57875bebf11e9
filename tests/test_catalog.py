"""Catalogs: templates from segments, updates that keep every translation, headers."""

from __future__ import annotations

import datetime as dt

import polib
import pytest

from pipeline.catalog import language_info, template, translations, update
from pipeline.document import parse_document
from pipeline.errors import CatalogError

NOW = dt.datetime(2026, 11, 29, 6, 24, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SOURCE = """---
title: 파드
---
# 파드

파드는 가장 작은 단위이다.

- 파드
"""


def _pot(text: str = SOURCE) -> polib.POFile:
    return template(parse_document(text), reference="source/pods.md", project="docs", now=NOW)


def test_template_entries_follow_the_source_with_references_and_elements() -> None:
    pot = _pot()
    assert [(e.msgctxt, e.msgid) for e in pot] == [
        ("frontmatter:title", "파드"),
        (None, "파드"),
        (None, "파드는 가장 작은 단위이다."),
    ]
    heading = pot[1]
    assert heading.occurrences == [("source/pods.md", "4"), ("source/pods.md", "8")]
    assert heading.comment == "heading 1\nparagraph in list item"
    assert heading.flags == ["markdown-text"]
    assert pot[0].flags == [] and pot[0].comment == "front matter: title"


def test_template_header_has_the_standard_fields() -> None:
    metadata = _pot().metadata
    assert metadata["POT-Creation-Date"] == "2026-11-29 06:24+0000"
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert metadata["Project-Id-Version"] == "docs"


def test_new_catalog_header_is_complete_for_its_language() -> None:
    po = update(_pot(), None, language=language_info("en"), now=NOW)
    assert po.metadata["Language"] == "en"
    assert po.metadata["Language-Team"] == "English"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["PO-Revision-Date"] == "2026-11-29 06:24+0000"
    for field in ("Last-Translator", "MIME-Version", "Content-Transfer-Encoding"):
        assert po.metadata[field]


@pytest.mark.parametrize(
    ("code", "plural"),
    [
        ("ja", "nplurals=1; plural=0;"),
        ("ru", "nplurals=3;"),
        ("pt_BR", "nplurals="),
        ("zh-Hans", "nplurals=1;"),
    ],
)
def test_plural_forms_come_from_babel(code: str, plural: str) -> None:
    assert language_info(code).plural_forms.startswith(plural)


@pytest.mark.parametrize("code", ["xx", "english", "../en", "en/../../x", ""])
def test_unknown_or_unsafe_language_code_is_an_error(code: str) -> None:
    with pytest.raises(CatalogError, match="language code"):
        language_info(code)


def _translated(po: polib.POFile, mapping: dict[str, str]) -> polib.POFile:
    for entry in po:
        entry.msgstr = mapping.get(entry.msgid, entry.msgstr)
    return po


def test_update_keeps_translations_comments_and_translator_header() -> None:
    old = _translated(update(_pot(), None, language=language_info("en"), now=NOW), {"파드": "Pod"})
    old[1].tcomment = "용어집 참고"
    old.metadata["Last-Translator"] = "Kim <kim@example.com>"
    new = update(_pot(), old, language=language_info("en"), now=LATER)
    assert [e.msgstr for e in new] == ["Pod", "Pod", ""]
    assert new[1].tcomment == "용어집 참고"
    assert new.metadata["Last-Translator"] == "Kim <kim@example.com>"
    assert new.metadata["PO-Revision-Date"] == "2026-11-29 06:24+0000"


def test_vanished_translation_becomes_obsolete_and_comes_back() -> None:
    old = _translated(
        update(_pot(), None, language=language_info("en"), now=NOW),
        {"파드는 가장 작은 단위이다.": "A pod is the smallest unit."},
    )
    shorter = update(
        _pot(SOURCE.replace("파드는 가장 작은 단위이다.", "")),
        old,
        language=language_info("en"),
        now=NOW,
    )
    obsolete = [e for e in shorter if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in obsolete] == [
        ("파드는 가장 작은 단위이다.", "A pod is the smallest unit.")
    ]
    restored = update(_pot(), shorter, language=language_info("en"), now=NOW)
    assert [e.msgstr for e in restored if not e.obsolete] == ["", "", "A pod is the smallest unit."]
    assert not any(e.obsolete for e in restored)


def test_untranslated_vanished_entry_is_dropped() -> None:
    old = update(_pot(), None, language=language_info("en"), now=NOW)
    new = update(_pot("# 다른 제목\n"), old, language=language_info("en"), now=NOW)
    assert [e.msgid for e in new] == ["다른 제목"]


def test_translations_skip_fuzzy_obsolete_and_empty() -> None:
    po = update(_pot(), None, language=language_info("en"), now=NOW)
    _translated(po, {"파드": "Pod", "파드는 가장 작은 단위이다.": "A pod."})
    po[2].flags.append("fuzzy")
    assert translations(po) == {("frontmatter:title", "파드"): "Pod", (None, "파드"): "Pod"}
