"""The parser preset: the block-only parse must see the blocks the full parse sees."""

from __future__ import annotations

from pipeline import markdown
from tests.conftest import corpus_files


def _blocks(tokens: list) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.markup, t.info, t.map, t.content, t.meta) for t in tokens]


def test_block_parse_equals_the_full_parse_without_inline_children() -> None:
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8")
        full, full_env = markdown.parse(text)
        blocks, env = markdown.parse_blocks(text)
        assert _blocks(blocks) == _blocks(full), path
        assert env == full_env, path
        assert all(not token.children for token in blocks)
