"""Find the front matter block, locate its translatable values, and write them back as YAML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import yaml

from pipeline.errors import SourceError

__all__ = [
    "DEFAULT_KEYS",
    "FrontMatter",
    "FrontMatterValue",
    "locate",
    "render_value",
    "values",
]

#: Keys extracted when the configuration names none (Hugo, Jekyll and MkDocs names).
DEFAULT_KEYS: tuple[str, ...] = (
    "title",
    "linkTitle",
    "linktitle",
    "description",
    "short_description",
    "summary",
    "keywords",
    "aka",
)

_STR_TAG = "tag:yaml.org,2002:str"
# libyaml, when PyYAML has it, composes about ten times faster than the pure-Python loader
# and reports the same nodes, styles and character offsets.  A document it rejects is
# composed again by the pure-Python loader, so error messages and the final verdict do not
# depend on how PyYAML was built.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = re.compile(r"(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Where the front matter block sits in a document's text.

    ``start``/``end`` cover the whole block, delimiters and final line ending included;
    ``body_start``/``body_end`` cover the YAML (or TOML) text between the delimiters.
    ``first_line`` is the 1-based line number of the first body line.
    """

    start: int
    end: int
    body_start: int
    body_end: int
    first_line: int
    delimiter: str

    @property
    def is_yaml(self) -> bool:
        """TOML (``+++``) blocks are kept verbatim; only YAML values are translated."""
        return self.delimiter == "---"


@dataclass(frozen=True, slots=True)
class FrontMatterValue:
    """One translatable string in the front matter.

    ``key`` is the path from the root mapping (``("aka", 2)``), ``start``/``end`` the span of
    the scalar in the document text (quotes and block indicators included), ``style`` its
    YAML style (``""`` plain, ``'``, ``"``, ``|`` or ``>``) and ``value`` the loaded string.
    """

    key: tuple[str | int, ...]
    start: int
    end: int
    line: int
    style: str
    value: str

    @property
    def dotted(self) -> str:
        """The key as the catalog comment shows it: ``aka`` or ``params.summary``."""
        return ".".join(_names(self.key))


def locate(text: str, *, offset: int = 0, path: str = "<string>") -> FrontMatter | None:
    """Find a front matter block that opens at ``offset`` (after a BOM, if any).

    Raises :class:`SourceError` when the block is never closed: treating the whole
    document as front matter would silently drop it from translation.
    """
    opening = _OPEN.match(text, offset)
    if opening is None:
        return None
    delimiter = opening.group(1)
    closers = (delimiter, "...") if delimiter == "---" else (delimiter,)
    position = opening.end()
    while position < len(text):
        current = _LINE.match(text, position)
        assert current is not None  # the pattern matches the empty string
        if current.group().rstrip("\r\n").rstrip(" \t") in closers:
            return FrontMatter(offset, current.end(), opening.end(), position, 2, delimiter)
        position = current.end()
    raise SourceError(
        f"front matter opened with {delimiter!r} on line 1 is never closed",
        path=path,
        line=1,
        hint=f"add a line with {delimiter} after the last front matter key",
    )


def values(
    text: str, front: FrontMatter, keys: Sequence[str], *, path: str = "<string>"
) -> list[FrontMatterValue]:
    """The string values under ``keys`` (dotted paths) in document order.

    Strings, lists of strings and mappings of those count.  Aliases are skipped: the
    anchored value is translated once, where it is written.  Raises :class:`SourceError`
    for invalid YAML or a block that is not a mapping.
    """
    if not front.is_yaml:
        return []
    body = text[front.body_start : front.body_end]
    root = _compose(body, front, path)
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(
            "front matter is not a mapping of keys to values",
            path=path,
            line=front.first_line + root.start_mark.line,
            hint="write front matter as 'key: value' lines",
        )
    found = [
        _value(body, front, key, node)
        for key, node in _walk(root, (), frozenset(keys), set())
        if node.tag == _STR_TAG
    ]
    return sorted(found, key=lambda value: value.start)


def _compose_yaml(body: str) -> yaml.Node | None:
    """``yaml.compose`` with the fastest safe loader; errors come from the pure-Python one."""
    try:
        return yaml.compose(body, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(body, Loader=yaml.SafeLoader)


def _compose(body: str, front: FrontMatter, path: str) -> yaml.Node | None:
    try:
        return _compose_yaml(body)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = front.first_line + (mark.line if mark else 0)
        raise SourceError(
            f"front matter is not valid YAML: {error.problem or error}",
            path=path,
            line=line,
            hint="fix the YAML syntax; quote values that contain ': ' or start with a symbol",
        ) from error
    except yaml.YAMLError as error:
        raise SourceError(
            f"front matter is not valid YAML: {error}", path=path, line=front.first_line
        ) from error


def _walk(
    node: yaml.Node, prefix: tuple[str | int, ...], keys: frozenset[str], seen: set[int]
) -> Iterator[tuple[tuple[str | int, ...], yaml.Node]]:
    # ``seen`` holds ids of visited nodes: an alias is the same node object as its anchor,
    # and visiting it again would splice one span twice (or loop on recursive aliases).
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (*prefix, key_node.value)
                if _selected(key, keys) or _leads_to(key, keys):
                    yield from _walk(value_node, key, keys, seen)
    elif isinstance(node, yaml.SequenceNode) and _selected(prefix, keys):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*prefix, index), keys, seen)
    elif isinstance(node, yaml.ScalarNode) and _selected(prefix, keys):
        yield prefix, node


def _names(key: tuple[str | int, ...]) -> list[str]:
    return [str(part) for part in key if isinstance(part, str)]


def _leads_to(key: tuple[str | int, ...], keys: frozenset[str]) -> bool:
    """Whether a configured dotted key lies below ``key``."""
    dotted = ".".join(_names(key))
    return any(k.startswith(dotted + ".") for k in keys)


def _selected(key: tuple[str | int, ...], keys: frozenset[str]) -> bool:
    """Whether ``key`` is a configured key or lies below one."""
    names = _names(key)
    return any(".".join(names[:n]) in keys for n in range(1, len(names) + 1))


def _value(
    body: str, front: FrontMatter, key: tuple[str | int, ...], node: yaml.Node
) -> FrontMatterValue:
    start, end = node.start_mark.index, node.end_mark.index
    # A node's span starts at its anchor or tag ("&x" / "!!str"); the scalar follows them.
    while body[start] in "&!":
        while start < end and body[start] not in " \t\r\n":
            start += 1
        while start < end and body[start] in " \t\r\n":
            start += 1
    style = node.style or ""
    if style in "|>" and style:
        end = start + len(body[start:end].rstrip(" \t\r\n"))
    return FrontMatterValue(
        key=key,
        start=front.body_start + start,
        end=front.body_start + end,
        line=front.first_line + node.start_mark.line,
        style=style,
        value=node.value,
    )


def render_value(
    text: str, front: FrontMatter, value: FrontMatterValue, translation: str
) -> str | None:
    """YAML source for ``translation`` to replace ``value`` with, or ``None`` if impossible.

    The original style is kept when the translation can be written in it (a plain scalar
    stays plain, a single-quoted one single-quoted, a block scalar a block); otherwise the
    value is double-quoted.  Every candidate is checked by loading the edited front matter:
    it must yield exactly the translation at the same key, with the original's leading and
    trailing whitespace (a block scalar's final newline).
    """
    original = value.value
    stripped = original.strip()
    lead = original[: len(original) - len(original.lstrip())] if stripped else ""
    trail = original[len(original.rstrip()) :] if stripped else ""
    expected = lead + translation + trail
    for candidate in _candidates(text, value, translation, expected):
        if _loads_to(text, front, value, candidate, expected):
            return candidate
    return None


def _candidates(
    text: str, value: FrontMatterValue, translation: str, expected: str
) -> Iterator[str]:
    single_line = "\n" not in expected and "\r" not in expected
    if value.style == "" and single_line and expected == translation:
        yield translation
    if value.style == "'" and single_line:
        yield "'" + expected.replace("'", "''") + "'"
    if value.style in ("|", ">"):
        yield _block(text, value, translation)
    yield json.dumps(expected, ensure_ascii=False)


def _block(text: str, value: FrontMatterValue, translation: str) -> str:
    source = text[value.start : value.end]
    header, _, rest = source.partition("\n")
    header = header.rstrip("\r")
    newline = "\r\n" if source[len(header) : len(header) + 2] == "\r\n" else "\n"
    indent = re.match(r"[ \t]*", rest.lstrip("\r\n")).group() if rest else "  "
    lines = translation.split("\n")
    return header + newline + newline.join(indent + line if line else "" for line in lines)


def _loads_to(
    text: str, front: FrontMatter, value: FrontMatterValue, candidate: str, expected: str
) -> bool:
    body = text[front.body_start : value.start] + candidate + text[value.end : front.body_end]
    try:
        node = _compose_yaml(body)
    except yaml.YAMLError:
        return False
    for part in value.key:
        node = _child(node, part)
        if node is None:
            return False
    return isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG and node.value == expected


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if getattr(k, "value", None) == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
