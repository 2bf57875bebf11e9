"""Find the front matter block, locate its translatable values, and write them back as YAML."""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import SourceError

if TYPE_CHECKING:  # PyYAML is imported by the first front matter read: a no-op run needs none
    import yaml

__all__ = [
    "DEFAULT_KEYS",
    "MAX_DEPTH",
    "MAX_SIZE",
    "FrontMatter",
    "FrontMatterValue",
    "locate",
    "render_value",
    "render_values",
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

#: Largest YAML front matter accepted, in characters.  PyYAML composes about 250 KB a
#: second; real front matter is a few hundred bytes, so this bounds a hostile block.
MAX_SIZE = 256 * 1024
#: Deepest nesting of YAML collections accepted.  PyYAML's composer recurses per level and
#: its scanner slows down quadratically with the flow level, so depth is bounded too.
MAX_DEPTH = 64

_STR_TAG = "tag:yaml.org,2002:str"
# libyaml, when PyYAML has it, composes about ten times faster than the pure-Python loader
# and reports the same nodes, styles and character offsets.  A document it rejects is
# composed again by the pure-Python loader, so error messages and the final verdict do not
# depend on how PyYAML was built.  None: libyaml's loader if PyYAML has it, else the
# pure-Python one (decided on first use, when PyYAML is imported).
_FAST_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] | None = None
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
    for invalid YAML, a block that is not a mapping, a block larger than
    :data:`MAX_SIZE` or nested deeper than :data:`MAX_DEPTH`.  Aliases are never
    expanded, so a "billion laughs" block costs what its text costs.
    """
    if not front.is_yaml:
        return []
    body = text[front.body_start : front.body_end]
    if len(body) > MAX_SIZE:
        raise SourceError(
            f"front matter is {len(body) // 1024} KiB; at most {MAX_SIZE // 1024} KiB is read",
            path=path,
            line=front.first_line,
            hint="move large data out of the front matter, into a data file",
        )
    import yaml

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


@functools.cache
def _bounded_loader() -> type[yaml.SafeLoader]:
    """:class:`_BoundedLoader`, defined on first use (it subclasses PyYAML's loader)."""
    import yaml

    class _BoundedLoader(yaml.SafeLoader):
        """PyYAML's safe loader, refusing collections nested deeper than :data:`MAX_DEPTH`.

        Composing (not constructing) keeps one node per anchor, so aliases cost nothing.
        """

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._depth = 0

        def fetch_flow_collection_start(self, TokenClass: type) -> None:  # PyYAML's names
            if self.flow_level >= MAX_DEPTH:
                raise yaml.scanner.ScannerError(
                    None,
                    None,
                    f"collections nested deeper than {MAX_DEPTH} levels",
                    self.get_mark(),
                )
            super().fetch_flow_collection_start(TokenClass)

        def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
            if self._depth >= MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"collections nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return _BoundedLoader


def _load(body: str) -> yaml.Node | None:
    """The YAML node graph of ``body``, bounded in depth; aliases are not expanded.

    libyaml composes first when PyYAML has it; a body it rejects, or whose graph is
    deeper than :data:`MAX_DEPTH`, is composed again by :class:`_BoundedLoader`, which
    gives the verdict and the error.  libyaml stops at its own nesting limit (1000), so
    the fast pass is bounded too.
    """
    import yaml

    fast = _FAST_LOADER or getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if fast is not yaml.SafeLoader:
        try:
            root = yaml.compose(body, Loader=fast)
        except yaml.YAMLError:
            pass
        else:
            if _height(root) <= MAX_DEPTH:
                return root
    return yaml.compose(body, Loader=_bounded_loader())


def _height(root: yaml.Node | None) -> float:
    """Levels of nodes under ``root``, scalars included (as :class:`_BoundedLoader` counts).

    An alias is its anchor's node, so this is at least the height the bounded loader sees;
    each node is visited once, whatever the number of aliases to it.  A recursive graph
    (an alias inside its own anchor) has no height: infinity.
    """
    heights: dict[int, float] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            heights[id(node)] = 1 + max((heights[id(c)] for c in children), default=0)
            continue
        if id(node) in heights:
            continue
        if id(node) in open_nodes:
            return float("inf")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children)
    return heights.get(id(root), 0)


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _compose(body: str, front: FrontMatter, path: str) -> yaml.Node | None:
    import yaml

    try:
        return _load(body)
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
    import yaml

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
    return render_values(text, front, [(value, translation)])[0]


def render_values(
    text: str, front: FrontMatter, edits: Sequence[tuple[FrontMatterValue, str]]
) -> list[str | None]:
    """:func:`render_value` for several values of one front matter block at once.

    Each value gets its first candidate, in :func:`render_value`'s order of styles, that
    loads correctly together with the other values' chosen candidates: the result is
    checked as a whole.  Each load checks every value, so a block with thousands of
    translated values costs a few loads rather than one per value.  When a load fails
    outright, the edit around the error position moves on to its next candidate.
    """
    import yaml

    options = [_usable_candidates(text, value, translation) for value, translation in edits]
    expected = [_expected(value.value, translation) for value, translation in edits]
    choice = [0] * len(edits)
    while True:
        active = [i for i in range(len(edits)) if choice[i] < len(options[i])]
        body, starts = _edited_body(text, front, edits, {i: options[i][choice[i]] for i in active})
        try:
            root = _load(body)
        except yaml.YAMLError as error:
            if not active:  # the block itself does not load: nothing can be written
                return [None] * len(edits)
            choice[_blamed(error, starts)] += 1
            continue
        verdicts = _verdicts(root, [(start, edits[i][0].key, expected[i]) for start, i in starts])
        verdicts = {i: verdict for (_, i), verdict in zip(starts, verdicts, strict=True)}
        wrong = [i for i in active if verdicts[i] == "wrong"]
        displaced = [i for start, i in starts if verdicts[i] == "displaced"]
        if not wrong and not displaced:
            return [options[i][choice[i]] if i in active else None for i in range(len(edits))]
        # A value that is not where its edit is was moved by an earlier edit (a comma in
        # a plain flow item adds an item): it is only blamed when nothing else is wrong.
        for i in wrong or displaced[:1]:
            choice[i] += 1


def _expected(original: str, translation: str) -> str:
    """The translation with the original's leading and trailing whitespace."""
    stripped = original.strip()
    lead = original[: len(original) - len(original.lstrip())] if stripped else ""
    trail = original[len(original.rstrip()) :] if stripped else ""
    return lead + translation + trail


def _usable_candidates(text: str, value: FrontMatterValue, translation: str) -> list[str]:
    """The candidates worth a load: no character YAML refuses, plain ones valid on their own.

    Both filters only drop candidates that could not load in place either: the reader
    rejects such characters anywhere, and block context is the most permissive one for a
    one-line plain scalar.
    """
    import yaml

    expected = _expected(value.value, translation)
    found = []
    for candidate in _candidates(text, value, translation, expected):
        if yaml.reader.Reader.NON_PRINTABLE.search(candidate):
            continue
        if (
            value.style == ""
            and candidate == translation
            and not _plain_loads(translation, flow=_in_flow(text, value))
        ):
            continue
        found.append(candidate)
    return found


def _plain_loads(translation: str, *, flow: bool) -> bool:
    """Whether ``translation`` loads as itself as a plain scalar in block (or flow) context."""
    import yaml

    try:
        root = _load(f"[{translation}]" if flow else "key: " + translation)
    except yaml.YAMLError:
        return False
    return _holds(root, (0,) if flow else ("key",), translation)


def _in_flow(text: str, value: FrontMatterValue) -> bool:
    """Whether ``value`` is an item of a flow sequence: ``[`` or ``,`` comes before it."""
    before = text[: value.start].rstrip(" \t\r\n")
    return before.endswith(("[", ","))


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


def _edited_body(
    text: str,
    front: FrontMatter,
    edits: Sequence[tuple[FrontMatterValue, str]],
    chosen: dict[int, str],
) -> tuple[str, list[tuple[int, int]]]:
    """The front matter body with the chosen candidates in place, and ``(start, edit)``
    pairs: where each edit begins in that body, in body order."""
    parts, starts, position, length = [], [], front.body_start, 0
    for i in sorted(chosen, key=lambda i: edits[i][0].start):
        value = edits[i][0]
        parts.append(text[position : value.start])
        length += value.start - position
        starts.append((length, i))
        parts.append(chosen[i])
        length += len(chosen[i])
        position = value.end
    parts.append(text[position : front.body_end])
    return "".join(parts), starts


def _blamed(error: yaml.YAMLError, starts: list[tuple[int, int]]) -> int:
    """The edit a failed load is blamed on: the last one starting before the error.

    A YAML reader or scanner reports a problem at or after the text that causes it.
    """
    mark = getattr(error, "problem_mark", None)
    index = mark.index if mark is not None else getattr(error, "position", None)
    before = [i for start, i in starts if index is None or start <= index]
    return before[-1] if before else starts[0][1]


def _verdicts(
    root: yaml.Node | None, edits: Sequence[tuple[int, tuple[str | int, ...], str]]
) -> list[str]:
    """For each ``(start, key, expected)`` edit: ``"ok"`` when the node at ``key`` is the
    string ``expected``; ``"displaced"`` when the scalar the edit wrote loads as
    ``expected`` but sits elsewhere (an earlier edit moved it); ``"wrong"`` otherwise."""
    scalars = sorted(_scalars(root), key=lambda node: node.start_mark.index)
    positions = [node.start_mark.index for node in scalars]
    verdicts = []
    for start, key, expected in edits:
        if _is_string(_at(root, key), expected):
            verdicts.append("ok")
            continue
        index = bisect.bisect_right(positions, start) - 1
        here = scalars[index] if index >= 0 else None
        inside = here is not None and start <= here.end_mark.index
        verdicts.append("displaced" if inside and _is_string(here, expected) else "wrong")
    return verdicts


def _scalars(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Every scalar node under ``root``, once each (an alias is its anchor's node)."""
    import yaml

    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)


def _at(root: yaml.Node | None, key: tuple[str | int, ...]) -> yaml.Node | None:
    node = root
    for part in key:
        node = _child(node, part)
    return node


def _is_string(node: yaml.Node | None, expected: str) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG and node.value == expected


def _holds(root: yaml.Node | None, key: tuple[str | int, ...], expected: str) -> bool:
    """Whether the node at ``key`` under ``root`` is the string ``expected``."""
    return _is_string(_at(root, key), expected)


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if getattr(k, "value", None) == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
