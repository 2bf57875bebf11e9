"""Translation checks: one failing and one passing Korean → English example per code."""

from __future__ import annotations

import re

import polib
import pytest
from markdown_it.utils import read_fixture_file

from pipeline import checks
from pipeline.checks import CODES, CheckOptions, Message, check_catalog, check_message
from pipeline.document import parse_document
from tests.conftest import FIXTURES

CASES = read_fixture_file(FIXTURES / "checks.md")
_ESCAPE = re.compile(r"\\(\\|n|u[0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape == "n":
            return "\n"
        return "\\" if escape == "\\" else chr(int(escape[1:], 16))

    return _ESCAPE.sub(replace, text)


def _case(text: str) -> tuple[Message, CheckOptions]:
    fields = dict(line.split(":", 1) for line in text.splitlines())
    fields = {key: value[1:] if value.startswith(" ") else value for key, value in fields.items()}
    url_map = {}
    if "urls" in fields:
        source, target = fields["urls"].split(" -> ")
        url_map[source] = target
    message = Message(
        _unescape(fields["msgid"]),
        _unescape(fields["msgstr"]),
        kind=fields.get("kind", "paragraph"),
        fuzzy=fields.get("fuzzy") == "yes",
    )
    return message, CheckOptions(language=fields.get("language", "en"), url_map=url_map)


@pytest.mark.parametrize(("line", "title", "text", "expected"), CASES, ids=[c[1] for c in CASES])
def test_check_fixture(line: int, title: str, text: str, expected: str) -> None:
    message, options = _case(text)
    found = [f"{f.severity} {f.code}" for f in check_message(message, options)]
    assert found == ([] if expected.strip() == "none" else expected.strip().splitlines())


def test_every_code_has_a_failing_and_a_passing_example() -> None:
    titles = [title for _, title, _, _ in CASES]
    failing = {expected.split()[1] for *_, expected in CASES if expected.strip() != "none"}
    assert failing == set(CODES)
    for code in CODES:
        assert any(
            title.startswith(code + ":")
            for title, (*_, e) in zip(titles, CASES, strict=True)
            if e.strip() == "none"
        ), code


def test_configured_pattern_must_survive() -> None:
    options = CheckOptions(language="en", patterns=(re.compile(r"%\(\w+\)s"),))
    kept = check_message(Message("%(count)s개의 파드", "%(count)s pods"), options)
    dropped = check_message(Message("%(count)s개의 파드", "some pods"), options)
    assert kept == []
    assert [f.code for f in dropped] == ["placeholder"]


def test_configured_text_parameter_may_be_translated() -> None:
    msgid = '{{< figure src="/a.png" label="구조" >}}'
    msgstr = '{{< figure src="/a.png" label="Layout" >}}'
    default = check_message(Message(msgid, msgstr), CheckOptions(language="en"))
    configured = CheckOptions(language="en", text_params=(*CheckOptions().text_params, "label"))
    assert [f.code for f in default] == ["placeholder"]
    assert check_message(Message(msgid, msgstr), configured) == []


def test_reference_links_resolve_through_the_document() -> None:
    document = parse_document("[파드][p]를 본다.\n\n[p]: /ko/docs/pods/\n")
    env = document.env
    kept = Message("[파드][p]를 본다.", "See [pods][p].", env=env)
    inline = Message("[파드][p]를 본다.", "See [pods](/ko/docs/pods/).", env=env)
    lost = Message("[파드][p]를 본다.", "See [pods][q].", env=env)
    assert check_message(kept) == []
    assert check_message(inline) == []  # the same target, written inline
    assert [f.code for f in check_message(lost)] == ["link-target"]


def test_catalog_findings_point_at_the_entry_and_the_source() -> None:
    document = parse_document("# 파드\n\n[파드](/ko/docs/pods/)는 작다.\n", path="source/pods.md")
    po = polib.pofile(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: source/pods.md:1\nmsgid "파드"\nmsgstr "Pods"\n\n'
        '#: source/pods.md:3\nmsgid "[파드](/ko/docs/pods/)는 작다."\nmsgstr "Pods are small."\n\n'
        '#, fuzzy\nmsgid "옛 문장"\nmsgstr "Old 노드"\n'
    )
    options = CheckOptions(language="en")
    problems = check_catalog(po, document=document, catalog="locales/en/pods.po", options=options)
    assert [(p.path, p.line, p.code, p.catalog, p.catalog_line) for p in problems] == [
        ("source/pods.md", 3, "link-target", "locales/en/pods.po", 9)
    ]
    with_fuzzy = check_catalog(
        po, document=document, catalog="locales/en/pods.po", options=options, fuzzy=True
    )
    assert [(p.code, p.path) for p in with_fuzzy][1:] == [
        ("untranslated-residue", "locales/en/pods.po")
    ]


def test_link_target_problem_keeps_its_contract_for_splice() -> None:
    reason = checks.link_target_problem("[파드](/ko/docs/pods/)", "Pods", {})
    assert reason == "translation drops /ko/docs/pods/; keep every link target as in the source"
    assert checks.link_target_problem("[파드](/a)", "[pods](/a)", {}) is None
