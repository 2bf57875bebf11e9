"""Catalogs: templates from segments, updates that keep every translation, headers."""

from __future__ import annotations

import datetime as dt

import polib
import pytest

from pipeline.catalog import language_info, template, translations, update
from pipeline.document import parse_document
from pipeline.errors import CatalogError
from pipeline.memory import Snapshot

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


# --------------------------------------------------------------------------- lifecycle

EN = language_info("en")
ARTICLE = """# 파드

파드는 쿠버네티스에서 생성하고 관리할 수 있는 가장 작은 배포 단위이다.

[노드](/ko/docs/concepts/nodes/)는 파드를 실행하는 워커 머신이다.
"""
POD = "파드는 쿠버네티스에서 생성하고 관리할 수 있는 가장 작은 배포 단위이다."
NODE = "[노드](/ko/docs/concepts/nodes/)는 파드를 실행하는 워커 머신이다."
POD_EN = "A pod is the smallest deployable unit you can create and manage in Kubernetes."
NODE_EN = "A [node](/ko/docs/concepts/nodes/) is a worker machine that runs pods."


def _translated_article(text: str = ARTICLE) -> polib.POFile:
    return _translated(
        update(_pot(text), None, language=EN, now=NOW),
        {"파드": "Pods", POD: POD_EN, NODE: NODE_EN},
    )


def _by_msgid(po: polib.POFile) -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in po}


def test_edited_msgid_gets_the_old_translation_as_fuzzy_with_the_previous_msgid() -> None:
    old = _translated_article()
    old[1].tcomment = "용어집의 번역을 따름"
    edited = POD.replace("단위이다", "단위입니다")
    new = _by_msgid(update(_pot(ARTICLE.replace(POD, edited)), old, language=EN, now=LATER))
    entry = new[edited]
    assert (entry.msgstr, entry.previous_msgid) == (POD_EN, POD)
    assert entry.flags == ["fuzzy", "markdown-text"]
    assert entry.tcomment == "용어집의 번역을 따름"
    assert POD not in new  # its translation lives on in the fuzzy entry


def test_an_old_fuzzy_entry_passes_on_its_own_previous_msgid() -> None:
    old = _translated_article()
    old[1].flags.insert(0, "fuzzy")
    old[1].previous_msgid = "파드는 가장 작은 단위이다."
    edited = POD + " 정말로."
    new = _by_msgid(update(_pot(ARTICLE.replace(POD, edited)), old, language=EN, now=LATER))
    assert new[edited].previous_msgid == "파드는 가장 작은 단위이다."


def test_a_different_msgid_stays_untranslated_and_the_old_one_goes_obsolete() -> None:
    other = "서비스는 파드 집합을 네트워크에 노출한다."
    new = update(_pot(ARTICLE.replace(POD, other)), _translated_article(), language=EN, now=NOW)
    entries = _by_msgid(new)
    assert entries[other].msgstr == "" and "fuzzy" not in entries[other].flags
    assert entries[POD].obsolete and entries[POD].msgstr == POD_EN


def test_obsolete_entries_are_fuzzy_candidates_too() -> None:
    gone = update(_pot("# 파드\n"), _translated_article(), language=EN, now=NOW)
    assert _by_msgid(gone)[POD].obsolete
    back = POD.replace("가장 작은", "제일 작은")
    new = _by_msgid(update(_pot(ARTICLE.replace(POD, back)), gone, language=EN, now=NOW))
    assert (new[back].msgstr, new[back].previous_msgid) == (POD_EN, POD)
    assert not new[back].obsolete


def test_a_changed_link_target_is_named_in_a_translator_comment() -> None:
    moved = NODE.replace("/ko/docs/concepts/nodes/", "/ko/docs/concepts/architecture/nodes/")
    old = _translated_article()
    new = _by_msgid(update(_pot(ARTICLE.replace(NODE, moved)), old, language=EN, now=LATER))
    assert "fuzzy" in new[moved].flags
    assert new[moved].tcomment == (
        "link targets changed: removed /ko/docs/concepts/nodes/; "
        "added /ko/docs/concepts/architecture/nodes/"
    )
    # Once a reviewer clears the fuzzy flag, the next extract drops the note.
    reviewed = update(_pot(ARTICLE.replace(NODE, moved)), old, language=EN, now=LATER)
    for entry in reviewed:
        if entry.msgid == moved:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    again = _by_msgid(update(_pot(ARTICLE.replace(NODE, moved)), reviewed, language=EN, now=LATER))
    assert again[moved].tcomment == ""


def test_a_fuzzy_edit_that_keeps_its_links_gets_no_link_comment() -> None:
    edited = NODE.replace("워커 머신이다", "워커 머신입니다")
    new = _by_msgid(
        update(_pot(ARTICLE.replace(NODE, edited)), _translated_article(), language=EN, now=NOW)
    )
    assert "fuzzy" in new[edited].flags and new[edited].tcomment == ""


def test_entry_order_follows_the_source_after_a_move() -> None:
    swapped = f"# 파드\n\n{NODE}\n\n{POD}\n"
    new = update(_pot(swapped), _translated_article(), language=EN, now=NOW)
    assert [e.msgid for e in new] == ["파드", NODE, POD]
    assert [e.msgstr for e in new] == ["Pods", NODE_EN, POD_EN]


def test_obsolete_entries_age_with_source_changes_and_can_be_purged() -> None:
    po = update(_pot("# 파드\n"), _translated_article(), language=EN, now=NOW)
    assert _by_msgid(po)[POD].comment == "obsolete-age: 0"
    same = update(_pot("# 파드\n"), po, language=EN, now=NOW)
    assert _by_msgid(same)[POD].comment == "obsolete-age: 0"  # nothing changed: no aging
    changed = update(_pot("# 파드\n\n새 문단.\n"), po, language=EN, now=NOW)
    assert _by_msgid(changed)[POD].comment == "obsolete-age: 1"
    purged = update(_pot("# 파드\n\n또 다른 문단.\n"), changed, language=EN, now=NOW, purge_after=2)
    assert POD not in _by_msgid(purged) and NODE not in _by_msgid(purged)
    kept = update(_pot("# 파드\n\n또 다른 문단.\n"), changed, language=EN, now=NOW, purge_after=3)
    assert _by_msgid(kept)[POD].comment == "obsolete-age: 2"


def _memory(*catalogs: tuple[str, dict[str, str]]) -> Snapshot:
    sources = []
    for origin, mapping in catalogs:
        po = polib.POFile()
        po.extend(polib.POEntry(msgid=k, msgstr=v) for k, v in mapping.items())
        sources.append((origin, po))
    return Snapshot([], sources, None)


def test_memory_pre_fills_exact_matches_as_translated_naming_their_origin() -> None:
    memory = _memory(("locales/en/nodes.po", {NODE: NODE_EN, "파드": "Pod"}))
    new = _by_msgid(update(_pot(), None, language=EN, now=NOW, memory=memory))
    assert new["파드"].msgstr == "Pod" and "fuzzy" not in new["파드"].flags
    assert new["파드"].tcomment == "translation memory: locales/en/nodes.po"


def test_memory_pre_fills_close_matches_as_fuzzy() -> None:
    memory = _memory(("compendium.po", {POD.replace("이다.", "입니다."): POD_EN}))
    new = _by_msgid(update(_pot(ARTICLE), None, language=EN, now=NOW, memory=memory))
    assert new[POD].msgstr == POD_EN and new[POD].flags[0] == "fuzzy"
    assert new[POD].previous_msgid == POD.replace("이다.", "입니다.")
    assert new[POD].tcomment == "translation memory: compendium.po"


def test_memory_never_offers_a_catalog_its_own_translations() -> None:
    memory = _memory(("locales/en/pods.po", {POD: POD_EN}))
    new = _by_msgid(
        update(
            _pot(ARTICLE), None, language=EN, now=NOW, memory=memory, origin="locales/en/pods.po"
        )
    )
    assert new[POD].msgstr == ""


def test_an_exact_memory_match_beats_a_fuzzy_match_in_the_old_catalog() -> None:
    edited = POD.replace("단위이다", "단위입니다")
    memory = _memory(("locales/en/glossary.po", {edited: "From the glossary."}))
    old = _translated_article()
    new = _by_msgid(
        update(_pot(ARTICLE.replace(POD, edited)), old, language=EN, now=NOW, memory=memory)
    )
    assert new[edited].msgstr == "From the glossary." and "fuzzy" not in new[edited].flags
    assert new[POD].obsolete  # the old translation is kept


def test_an_equally_close_memory_match_loses_to_the_old_catalog() -> None:
    edited = POD.replace("단위이다", "단위입니다")
    memory = _memory(("locales/en/glossary.po", {POD: "From the glossary."}))
    new = _by_msgid(
        update(
            _pot(ARTICLE.replace(POD, edited)),
            _translated_article(),
            language=EN,
            now=NOW,
            memory=memory,
        )
    )
    assert new[edited].msgstr == POD_EN and "translation memory" not in new[edited].tcomment


def test_memory_leaves_an_entry_an_earlier_extract_left_untranslated() -> None:
    # The memory fills only messages new to the catalog: an unchanged document's
    # catalog never depends on other catalogs, which keeps the incremental cache exact.
    old = update(_pot(), None, language=EN, now=NOW)
    old[1].tcomment = "용어집 확인"
    memory = _memory(("locales/en/nodes.po", {"파드": "Pod"}))
    new = _by_msgid(update(_pot(), old, language=EN, now=LATER, memory=memory))
    assert new["파드"].msgstr == ""
    assert new["파드"].tcomment == "용어집 확인"
