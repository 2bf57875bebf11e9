"""Placeholders: what survives translation, and which parts of it are prose."""

from __future__ import annotations

import re

from pipeline.placeholders import find, html_tag


def test_shortcode_text_parameter_is_prose_and_the_rest_is_kept() -> None:
    text = '{{< glossary_tooltip text="파드" term_id="pod" >}}를 만든다.'
    (shortcode,) = find(text)
    assert shortcode.kind == "shortcode"
    assert shortcode.normalized == '{{< glossary_tooltip text=… term_id="pod" >}}'
    assert [text[a:b] for a, b in shortcode.text_spans] == ["파드"]


def test_spacing_inside_a_shortcode_does_not_matter() -> None:
    assert find("{{<note>}}")[0].normalized == find("{{< note  >}}")[0].normalized


def test_template_code_heading_id_and_url() -> None:
    text = "{{ .Site.Title }} 참고: https://kubernetes.io/docs/를 본다. {#see-also}"
    assert [(p.kind, text[p.start : p.end]) for p in find(text)] == [
        ("template", "{{ .Site.Title }}"),
        ("url", "https://kubernetes.io/docs/"),
        ("heading-id", "{#see-also}"),
    ]


def test_url_inside_a_shortcode_belongs_to_the_shortcode() -> None:
    text = '{{< figure src="https://k8s.io/a.png" alt="그림" >}}'
    assert [p.kind for p in find(text)] == ["shortcode"]


def test_configured_patterns() -> None:
    text = "%(count)s개의 파드, {name}"
    found = find(text, patterns=(re.compile(r"%\(\w+\)s"), re.compile(r"\{\w+\}")))
    assert [p.normalized for p in found] == ["%(count)s", "{name}"]


def test_html_tag_keeps_name_and_attributes_but_not_prose_values() -> None:
    raw = '<img src="/a.png" alt="구조도">'
    tag = html_tag(raw, offset=10)
    assert tag.normalized == '<img src="/a.png" alt=…>'
    assert [raw[a - 10 : b - 10] for a, b in tag.text_spans] == ["구조도"]
    assert html_tag("</B>").normalized == "</b>"
