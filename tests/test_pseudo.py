"""Pseudo-translation: every translatable letter changes, nothing else does."""

from __future__ import annotations

import polib

from pipeline import markdown
from pipeline.checks import CheckOptions, Message, check_message
from pipeline.pseudo import fill_catalog, pseudo_translate
from tests.corpus_translations import HANGUL

REFERENCES = {"references": {"파드": {"href": "/p", "title": ""}, "N": {"href": "/n", "title": ""}}}


def test_letters_become_accented_latin_and_the_text_is_wrapped() -> None:
    assert pseudo_translate("Pod 파드") == "⟦ Ƥóđ ƥđ ··⟧"


def test_markup_targets_code_and_shortcodes_stay() -> None:
    # 31 characters are translated (text, link label, text= and title= values): 10 dots.
    msgid = (
        "**중요**: [파드](/ko/docs/pods/#파드)를 `kubectl`로 만든다 {{< glossary_tooltip "
        'text="노드" term_id="node" >}} <abbr title="쿠버네티스">K8s</abbr> &nbsp; \\*'
    )
    assert pseudo_translate(msgid) == (
        "⟦ **ĵý**: [ƥđ](/ko/docs/pods/#파드)ŕ `kubectl`ŕ ɱđđ {{< glossary_tooltip "
        'text="ñđ" term_id="node" >}} <abbr title="ķƀñŧš">Ķ8š</abbr> &nbsp; \\* ··········⟧'
    )


def test_reference_labels_stay_and_shortcut_references_become_full() -> None:
    assert pseudo_translate("[파드][] [파드] [노드][n]", env=REFERENCES) == (
        "⟦ [ƥđ][파드] [ƥđ][파드] [ñđ][n] ···⟧"
    )


def test_heading_id_stays_at_the_end() -> None:
    assert pseudo_translate("노드 상태 {#node-status}") == "⟦ ñđ šŧ ··⟧ {#node-status}"


def test_front_matter_is_plain_text() -> None:
    assert pseudo_translate("파드: `개요`", is_markdown=False) == "⟦ ƥđ: `ĝý` ···⟧"


def test_text_grows_by_about_thirty_percent() -> None:
    msgid = (
        "쿠버네티스는 컨테이너화된 워크로드와 서비스를 관리하기 위한 이식성이 있고, "
        "확장가능한 오픈소스 플랫폼이다."
    )
    output = pseudo_translate(msgid)
    assert 1.25 <= len(output) / len(msgid) <= 1.45


def test_pseudo_translations_pass_every_check() -> None:
    options = CheckOptions(language="qps")
    for msgid, kind in [
        ("**파드(Pod)**는 [가장 작은](/ko/docs/) 단위이다.\\\n둘째 줄", "paragraph"),
        ("읽기 \\| 쓰기", "table-cell"),
        ("파드 만들기 {#create}", "heading"),
        ("파드: 개요", "front-matter"),
    ]:
        message = Message(msgid, pseudo_translate(msgid, is_markdown=kind != "front-matter"), kind)
        assert [f.severity for f in check_message(message, options)] in ([], ["warning"])


def test_no_hangul_is_left_in_the_visible_text() -> None:
    output = pseudo_translate("[파드](/ko/#파드)와 `코드` 그리고 ![그림](/a.png)")
    visible = markdown.plain_text(markdown.parse_inline(output))
    assert HANGUL.findall(visible) == ["코", "드"]  # only the code span


def test_fill_catalog_replaces_translations_and_clears_fuzzy() -> None:
    po = polib.POFile()
    po.append(polib.POEntry(msgid="파드", msgstr="Pod", flags=["fuzzy"], previous_msgid="포드"))
    po.append(polib.POEntry(msgctxt="frontmatter:title", msgid="노드", msgstr=""))
    fill_catalog(po)
    assert [(e.msgstr, e.flags, e.previous_msgid) for e in po] == [
        ("⟦ ƥđ ·⟧", [], None),
        ("⟦ ñđ ·⟧", [], None),
    ]
