"""Heading anchors: slugs, and fragment links that follow translated headings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote

import polib
import pytest

from pipeline import anchors, build_run, commands, markdown
from pipeline.anchors import LinkIndex, document_anchors, explicit_id, rewrite_links, slugify
from pipeline.config import Config
from pipeline.document import parse_document
from tests.conftest import corpus_files
from tests.corpus_translations import pseudo


@pytest.mark.parametrize(
    ("text", "github", "blackfriday"),
    [
        ("최대 서지(Max Surge)", "최대-서지max-surge", "최대-서지-max-surge"),
        ("헤드리스(Headless) 서비스", "헤드리스headless-서비스", "헤드리스-headless-서비스"),
        ("What's new in v1.2?", "whats-new-in-v12", "what-s-new-in-v1-2"),
        ("snake_case 이름", "snake_case-이름", "snake-case-이름"),
    ],
)
def test_slug_styles(text: str, github: str, blackfriday: str) -> None:
    assert slugify(text, "github") == github
    assert slugify(text, "blackfriday") == blackfriday


def test_explicit_id_is_read_from_the_end_of_the_heading() -> None:
    assert explicit_id("노드 상태 {#node-status}") == "node-status"
    assert explicit_id("{#a} 노드 상태") is None


def test_repeated_headings_are_numbered_in_both_languages() -> None:
    document = parse_document("# 설치\n\n## 설치\n\n## 상태 {#state}\n")
    found = document_anchors(
        document,
        {(None, "설치"): "Setup", (None, "상태 {#state}"): "State {#state}"},
        style="github",
    )
    assert dict(found.mapping) == {"설치": "setup", "설치-1": "setup-1", "state": "state"}


def _rewrite(text: str, texts: dict, index: LinkIndex, current: str = "docs/a.md") -> tuple:
    document = parse_document(text)
    result, broken = rewrite_links(document, texts, current=current, index=index)
    return result, [(link.segment.line, link.target) for link in broken]


def test_fragment_links_follow_translated_headings_in_every_form() -> None:
    source = (
        "## 설치하기\n\n[a](#설치하기) [b](#%EC%84%A4%EC%B9%98%ED%95%98%EA%B8%B0) [c](b.md#상태)\n"
    )
    other = parse_document("# 상태\n")
    a = parse_document(source)
    heading = {(None, "설치하기"): "Installing"}
    index = LinkIndex(
        {
            "docs/a.md": document_anchors(a, heading, style="github"),
            "docs/b.md": document_anchors(other, {(None, "상태"): "State"}, style="github"),
        },
        site_prefix="/ko/",
        url_map={"/ko/": "/en/"},
    )
    paragraph = "[a](#설치하기) [b](#%EC%84%A4%EC%B9%98%ED%95%98%EA%B8%B0) [c](b.md#상태)"
    result, broken = _rewrite(source, heading, index)
    assert result[(None, paragraph)] == "[a](#installing) [b](#installing) [c](b.md#state)"
    assert broken == []
    site = "[d](/ko/docs/b/#상태) [e](/en/docs/b/#상태) [f](https://k8s.io/#상태) [g](/ko/x/#y)"
    result, broken = _rewrite(site + "\n", {}, index)
    assert result[(None, site)] == (
        "[d](/ko/docs/b/#state) [e](/en/docs/b/#state) [f](https://k8s.io/#상태) [g](/ko/x/#y)"
    )


def test_fragments_that_point_nowhere_are_reported() -> None:
    index = LinkIndex({"docs/a.md": anchors.Anchors({"설치": "setup"})})
    _, broken = _rewrite("# 설치\n\n[a](#설치) [b](#없는-절)\n", {}, index)
    assert broken == [(3, "#없는-절")]


# --- the acceptance fixture: two documents, translated headings, links both ways ----------

GUIDE = """---
title: 가이드
---
# 파드 개요

먼저 [설치하기](#설치하기)를 읽는다.
[노드 상태](nodes.md#노드-상태)와 [주소](/ko/docs/nodes/#addresses)도 본다.

## 설치하기

[설치 절](#%EC%84%A4%EC%B9%98%ED%95%98%EA%B8%B0)을 다시 본다.

## 설치하기

두 번째 [설치하기](#설치하기-1) 절이다.
"""
NODES = """# 노드

## 노드 상태

## 주소 {#addresses}

[가이드의 설치](guide.md#설치하기)와 [상태](#노드-상태)를 본다.
"""
ENGLISH = {
    "파드 개요": "Pod overview",
    "설치하기": "Installing",
    "노드": "Nodes",
    "노드 상태": "Node status",
    "주소 {#addresses}": "Addresses {#addresses}",
    "먼저 [설치하기](#설치하기)를 읽는다. [노드 상태](nodes.md#노드-상태)와 "
    "[주소](/ko/docs/nodes/#addresses)도 본다.": "First read [installing](#설치하기). "
    "See also [node status](nodes.md#노드-상태) and [addresses](/en/docs/nodes/#addresses).",
}


@pytest.fixture
def project(tmp_path: Path) -> Config:
    (tmp_path / "source" / "docs").mkdir(parents=True)
    (tmp_path / "source" / "docs" / "guide.md").write_text(GUIDE, encoding="utf-8")
    (tmp_path / "source" / "docs" / "nodes.md").write_text(NODES, encoding="utf-8")
    config = Config(
        root=tmp_path,
        languages=("en",),
        source_dir=tmp_path / "source",
        locales_dir=tmp_path / "locales",
        output_dir=tmp_path / "output",
        url_maps={"en": {"/ko/": "/en/"}},
        site_prefix="/ko/",
    )
    list(commands.extract(config, now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)))
    for name in ("guide", "nodes"):
        path = tmp_path / "locales" / "en" / "docs" / f"{name}.po"
        po = polib.pofile(str(path))
        for entry in po:
            entry.msgstr = ENGLISH.get(entry.msgid, "")
        po.save()
    return config


def _output_anchors(text: str) -> set[str]:
    """Anchors of the output headings, slugged the GitHub way: explicit ids, then -1, -2."""
    found: set[str] = set()
    for heading in parse_document(text).headings:
        given = explicit_id(heading.content)
        if given:
            found.add(given)
            continue
        slug = slugify(markdown.plain_text(markdown.parse_inline(heading.content)))
        number, unique = 0, slug
        while unique in found:
            number += 1
            unique = f"{slug}-{number}"
        found.add(unique)
    return found


def _fragment_links(text: str) -> list[str]:
    tokens, _ = markdown.parse(text)
    return [
        unquote(href)
        for token in tokens
        if token.type == "inline"
        for href in markdown.link_targets(token.children or [])
        if "#" in href
    ]


def test_after_build_every_fragment_resolves_to_an_output_heading(project: Config) -> None:
    outcomes = list(commands.build(project))
    assert [p for o in outcomes for p in o.problems] == []
    output = project.output_dir / "en" / "docs"
    texts = {
        name: (output / f"{name}.md").read_text(encoding="utf-8") for name in ("guide", "nodes")
    }
    targets = {"guide": _output_anchors(texts["guide"]), "nodes": _output_anchors(texts["nodes"])}
    assert targets == {
        "guide": {"pod-overview", "installing", "installing-1"},
        "nodes": {"nodes", "node-status", "addresses"},
    }
    for name, text in texts.items():
        links = _fragment_links(text)
        assert len(links) == {"guide": 5, "nodes": 2}[name]
        for link in links:
            path, _, fragment = link.partition("#")
            document = path.rsplit("/", 2)[-2] if path.startswith("/") else path[:-3] or name
            assert fragment in targets[document], (name, link)
    assert "[설치 절](#installing)" in texts["guide"]  # an untranslated paragraph, rewritten
    assert "[installing](#installing)" in texts["guide"]
    assert "[addresses](/en/docs/nodes/#addresses)" in texts["guide"]
    assert "[가이드의 설치](guide.md#installing)와 [상태](#node-status)" in texts["nodes"]


def test_build_reports_a_fragment_that_points_nowhere(project: Config) -> None:
    guide = project.source_dir / "docs" / "guide.md"
    guide.write_text(GUIDE + "\n[없는 절](#없는-절)\n", encoding="utf-8")
    problems = [p for o in commands.build(project) for p in o.problems]
    assert [(p.path, p.line, p.code, p.severity) for p in problems] == [
        ("source/docs/guide.md", 17, "broken-fragment", "warning")
    ]
    assert "#없는-절" in problems[0].message


def _outputs(config: Config) -> dict[str, bytes]:
    return {
        path.relative_to(config.output_dir).as_posix(): path.read_bytes()
        for path in sorted(config.output_dir.rglob("*.md"))
    }


def test_two_workers_rewrite_fragments_exactly_as_one(project: Config) -> None:
    list(commands.build(project, jobs=1))
    serial = _outputs(project)
    for path in project.output_dir.rglob("*.md"):
        path.unlink()
    list(commands.build(project, jobs=2))
    assert _outputs(project) == serial


def test_a_cached_build_follows_a_heading_retranslated_in_another_document(
    project: Config,
) -> None:
    from pipeline.cache import Cache

    with Cache(project.root / ".l10n-cache") as cache:
        list(commands.build(project, cache=cache))
    guide = project.output_dir / "en" / "docs" / "guide.md"
    assert "[node status](nodes.md#node-status)" in guide.read_text(encoding="utf-8")
    # Only nodes.po changes, yet guide.md's link into nodes.md must follow the new heading.
    path = project.locales_dir / "en" / "docs" / "nodes.po"
    po = polib.pofile(str(path))
    po.find("노드 상태").msgstr = "Node condition"
    po.save()
    with Cache(project.root / ".l10n-cache") as cache:
        outcomes = list(commands.build(project, cache=cache))
    assert {o.path: o.status for o in outcomes} == {
        "output/en/docs/guide.md": "written",
        "output/en/docs/nodes.md": "written",
    }
    assert "[node status](nodes.md#node-condition)" in guide.read_text(encoding="utf-8")
    with Cache(project.root / ".l10n-cache") as cache:
        again = list(commands.build(project, cache=cache))
    assert {o.status for o in again} == {"unchanged"}


def test_a_link_follows_the_heading_the_build_writes_when_a_paragraph_shares_its_text(
    tmp_path: Path,
) -> None:
    """``b.md`` has a paragraph and a heading with one msgid; the translation would turn
    the paragraph into a list, so the build keeps the source for both.  ``a.md`` is built
    first and reads ``b.md``'s anchors ahead: they must be the ones ``b.md`` gets."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("[설치 절](b.md#설치)을 본다.\n", "utf-8")
    (tmp_path / "source" / "b.md").write_text("설치\n\n## 설치\n\n설명이다.\n", "utf-8")
    config = Config(
        root=tmp_path,
        languages=("en",),
        source_dir=tmp_path / "source",
        locales_dir=tmp_path / "locales",
        output_dir=tmp_path / "output",
    )
    list(commands.extract(config, now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)))
    english = {"[설치 절](b.md#설치)을 본다.": "See [setup](b.md#설치).", "설치": "- Setup"}
    for name in ("a", "b"):
        po = polib.pofile(str(tmp_path / "locales" / "en" / f"{name}.po"))
        for entry in po:
            entry.msgstr = english.get(entry.msgid, "")
        po.save()
    problems = [p for o in commands.build(config) for p in o.problems]
    assert [(p.path, p.code) for p in problems] == [("source/b.md", "block-injection")]
    output = tmp_path / "output" / "en"
    targets = _output_anchors((output / "b.md").read_text(encoding="utf-8"))
    assert targets == {"설치"}
    links = _fragment_links((output / "a.md").read_text(encoding="utf-8"))
    assert links == ["b.md#설치"]


def test_a_broken_catalog_does_not_make_links_into_its_document_look_broken(
    project: Config,
) -> None:
    """nodes.po does not parse: nodes.md fails alone, and guide.md's links into it,
    whose headings are all in the source, are left as they are without a warning."""
    (project.locales_dir / "en" / "docs" / "nodes.po").write_text('msgid "x\n', "utf-8")
    outcomes = {o.path: o for o in commands.build(project)}
    assert outcomes["output/en/docs/nodes.md"].status == "failed"
    guide = outcomes["output/en/docs/guide.md"]
    assert guide.status == "written"
    assert [p.code for p in guide.problems] == []
    text = (project.output_dir / "en" / "docs" / "guide.md").read_text(encoding="utf-8")
    assert "[node status](nodes.md#노드-상태)" in text


def test_plain_headings_are_what_the_parser_shows() -> None:
    checked = 0
    for path in corpus_files():
        for heading in parse_document(path.read_text("utf-8"), path=path.name).headings:
            for text in (heading.content, pseudo(heading.content)):
                if anchors._PLAIN.fullmatch(text):
                    assert markdown.plain_text(markdown.parse_inline(text)) == text, text
                    checked += 1
    assert checked > 1000


def test_anchors_dropped_for_room_are_read_again_and_give_the_same_links(
    project: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build keeps the anchors of the last ``_ANCHORS_KEPT`` documents only (a site's
    would grow with it); a link to a document whose anchors were dropped reads them
    again, and the outputs are those of a build that kept them all."""
    reads: list[str] = []
    read_ahead = build_run._AnchorsAhead._read_ahead

    def counted(self: build_run._AnchorsAhead, rel: Path) -> anchors.Anchors:
        reads.append(rel.as_posix())
        return read_ahead(self, rel)

    monkeypatch.setattr(build_run._AnchorsAhead, "_read_ahead", counted)
    list(commands.build(project, jobs=1))
    kept_all, reads_kept_all = _outputs(project), list(reads)
    for path in project.output_dir.rglob("*.md"):
        path.unlink()
    reads.clear()
    monkeypatch.setattr(build_run, "_ANCHORS_KEPT", 1)
    list(commands.build(project, jobs=1))
    assert _outputs(project) == kept_all
    assert len(reads) > len(reads_kept_all)
    assert len(build_run._SHARED_ANCHORS["en"]._found) == 1
