"""The sample project: the seed article and its complete English catalog build a real article."""

from __future__ import annotations

from collections import Counter

import yaml

from pipeline import catalog, markdown, pofile
from pipeline.document import parse_document
from pipeline.splice import splice
from tests.conftest import REPO, SEED
from tests.corpus_translations import HANGUL

CATALOG = REPO / "locales" / "en" / "business-process-outsourcing.po"


def test_sample_source_is_the_seed_article() -> None:
    seed = REPO.parent / "shared" / "seed" / "000_6e4ca3a54c996ec7.txt"
    if seed.is_file():
        assert SEED.read_bytes() == seed.read_bytes()
    assert SEED.read_text(encoding="utf-8").startswith("---\nkeywords:")


def test_english_catalog_translates_every_segment_cleanly() -> None:
    document = parse_document(SEED.read_text(encoding="utf-8"), path="source/bpo.md")
    po = pofile.parse_po(CATALOG.read_text(encoding="utf-8"), path=str(CATALOG))
    result = splice(document, catalog.translations(po))
    assert result.problems == ()
    identical = {s.msgid for s in document.segments if s.msgid.isascii()}
    assert result.translated == len([s for s in document.segments if s.msgid not in identical])
    assert not HANGUL.search(result.text)


def test_english_article_keeps_links_and_front_matter_keys() -> None:
    source = SEED.read_text(encoding="utf-8")
    document = parse_document(source)
    po = pofile.parse_po(CATALOG.read_text(encoding="utf-8"), path=str(CATALOG))
    english = splice(document, catalog.translations(po)).text

    def links(text: str) -> Counter[str]:
        tokens, _ = markdown.parse(text.split("---\n", 2)[2])
        return Counter(
            t
            for tok in tokens
            if tok.type == "inline"
            for t in markdown.link_targets(tok.children or [])
        )

    def keys(text: str) -> list[str]:
        return list(yaml.safe_load(text.split("---\n", 2)[1]))

    assert links(english) == links(source) and sum(links(source).values()) == 6
    assert keys(english) == keys(source) == ["keywords", "title", "description"]
    assert english.count("\n") == source.count("\n")
