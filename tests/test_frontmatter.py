"""Front matter: libyaml (when PyYAML has it) must see exactly what the pure-Python loader sees."""

from __future__ import annotations

import pytest
import yaml

from pipeline import frontmatter
from pipeline.errors import SourceError
from tests.conftest import corpus_files

needs_libyaml = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False),
    reason="PyYAML was built without libyaml; only the pure-Python loader is used",
)


def _values(text: str) -> list[frontmatter.FrontMatterValue]:
    bom = 1 if text.startswith("\ufeff") else 0
    front = frontmatter.locate(text, offset=bom)
    return [] if front is None else frontmatter.values(text, front, frontmatter.DEFAULT_KEYS)


@needs_libyaml
def test_both_loaders_find_the_same_values_in_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [path.read_bytes().decode("utf-8") for path in corpus_files()]
    fast = [_values(text) for text in texts]
    monkeypatch.setattr(frontmatter, "_FAST_LOADER", yaml.SafeLoader)
    assert [_values(text) for text in texts] == fast
    assert sum(map(len, fast)) > 100  # the corpus really has front matter values


@needs_libyaml
def test_anchor_and_alias_are_one_value_with_both_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '---\ntitle: "파드"\naka:\n- &x 포드\n- *x\n- 팟\n---\n'
    fast = _values(text)
    monkeypatch.setattr(frontmatter, "_FAST_LOADER", yaml.SafeLoader)
    assert _values(text) == fast
    assert [(v.key, v.style, v.value) for v in fast] == [
        (("title",), '"', "파드"),
        (("aka", 0), "", "포드"),
        (("aka", 2), "", "팟"),
    ]


def test_invalid_yaml_is_reported_by_the_pure_python_loader() -> None:
    with pytest.raises(SourceError) as caught:
        _values("---\ntitle: 파드\n  bad: [\n---\n")
    assert caught.value.line == 3
    assert "not valid YAML" in caught.value.message
