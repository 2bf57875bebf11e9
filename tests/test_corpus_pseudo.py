"""Pseudo-localize the whole Korean corpus, check it and build it (the issue's acceptance run)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from pipeline import commands, markdown
from pipeline.config import Config
from pipeline.document import parse_document
from pipeline.workspace import discover_sources
from tests.conftest import CORPUS, corpus_files
from tests.corpus_translations import HANGUL, visible_text

LANGUAGE = "qps"
_HEADING_ID = re.compile(r"\{#[^}]*\}\s*$")  # an anchor, not text: Hugo does not show it


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Config:
    files = corpus_files()
    if not files:
        pytest.fail(f"the Korean corpus is missing at {CORPUS}; set L10N_CORPUS")
    root = tmp_path_factory.mktemp("pseudo")
    parts = files[0].parts
    content = Path(*parts[: parts.index("content") + 2])  # .../content/ko, as Hugo serves /ko/
    assert all(path.is_relative_to(content) for path in files)
    shutil.copytree(content, root / "source")
    config = Config(
        root=root,
        languages=(LANGUAGE,),
        source_dir=root / "source",
        locales_dir=root / "locales",
        output_dir=root / "output",
        slug_style="blackfriday",  # what kubernetes.io uses
        site_prefix="/ko/",
    )
    outcomes = list(commands.fill_pseudo(config, now=dt.datetime(2024, 6, 4, tzinfo=dt.UTC)))
    assert [o.error for o in outcomes if o.status == "failed"] == []
    return config


def test_pseudo_catalogs_pass_check_with_zero_errors(built: Config) -> None:
    outcomes = list(commands.check(built))
    assert len(outcomes) == len(corpus_files()) == 129
    problems = [p for o in outcomes for p in o.problems]
    assert [str(p) for p in problems if p.severity == "error"] == []
    # The one warning is the corpus's own: `*\`/etc/kubernetes/manifests\`*에` does not parse.
    assert [(p.code, p.line) for p in problems] == [("markup", 239)]


def test_pseudo_build_keeps_structure_and_leaves_no_hangul(built: Config) -> None:
    outcomes = list(commands.build(built))
    assert [o.error for o in outcomes if o.status == "failed"] == []
    problems = [p for o in outcomes for p in o.problems]
    assert [str(p) for p in problems if p.severity == "error"] == []
    # Warnings: the markup one above, and fragment links the corpus itself gets wrong.
    assert {p.code for p in problems} == {"markup", "broken-fragment"}
    source, output = built.source_dir, built.output_dir / LANGUAGE
    sources = discover_sources(source)
    assert len(sources) == 129
    for rel in sources:
        before = (source / rel).read_text(encoding="utf-8")
        after = (output / rel).read_text(encoding="utf-8")
        assert _shape(after) == _shape(before), rel
        leftover = [
            s.msgid
            for s in parse_document(after).segments
            if HANGUL.search(
                visible_text(_HEADING_ID.sub("", s.msgid)) if s.is_markdown else s.msgid
            )
        ]
        assert leftover == [], rel


def test_pseudo_text_grows_by_about_thirty_percent(built: Config) -> None:
    before = after = 0
    output = built.output_dir / LANGUAGE
    for rel in discover_sources(built.source_dir):
        source = parse_document((built.source_dir / rel).read_text(encoding="utf-8"))
        target = parse_document((output / rel).read_text(encoding="utf-8"))
        before += sum(len(visible_text(s.msgid)) for s in source.segments if s.is_markdown)
        after += sum(len(visible_text(s.msgid)) for s in target.segments if s.is_markdown)
    assert 1.25 <= after / before <= 1.45


def _shape(text: str) -> tuple[list, list, list]:
    """Block skeleton, inline markup of every inline token, and link targets without fragments.

    Fragments differ on purpose: they follow the translated headings.
    """
    document = parse_document(text)
    body = text
    if document.front_matter is not None:
        end = document.front_matter.end
        body = "\n" * text.count("\n", 0, end) + text[end:]
    tokens, _ = markdown.parse(body.lstrip("\ufeff"))
    inlines = [markdown.inline_skeleton(t.children or []) for t in tokens if t.type == "inline"]
    links = [
        [href.partition("#")[0] for href in markdown.link_targets(t.children or [])]
        for t in tokens
        if t.type == "inline"
    ]
    return markdown.skeleton(tokens), inlines, links
