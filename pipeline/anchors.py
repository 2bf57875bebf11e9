"""Heading anchors that survive translation: slugs, source → translated maps, link rewriting.

Hugo (and GitHub) give every heading an id made from its text, so translating a heading
changes its id and breaks every ``#fragment`` link to it.  The build therefore records,
for each document and language, which anchor each source anchor became
(:func:`document_anchors`), and rewrites fragment links — within a document, to
``other.md#fragment`` and to site paths such as ``/ko/docs/concepts/pods/#파드`` —
to the translated anchor (:func:`rewrite_links`).  An explicit ``{#id}`` never changes.

Slug styles (``[anchors] style``):

- ``github``: lowercase; keep letters, digits, ``-`` and ``_``; a space becomes ``-``;
  drop everything else (GitHub, and Hugo's default ``autoHeadingIDType``).
- ``blackfriday``: lowercase letters and digits; each run of anything else becomes one
  ``-`` between words (Hugo's ``blackfriday`` type, used by kubernetes.io).

Both number repeated slugs ``-1``, ``-2``, ... in document order.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

from pipeline import markdown
from pipeline.markdown import SOURCE

if TYPE_CHECKING:
    from pipeline.document import Document, Segment

__all__ = [
    "SLUG_STYLES",
    "Anchors",
    "BrokenLink",
    "LinkIndex",
    "SlugStyle",
    "document_anchors",
    "explicit_id",
    "rewrite_links",
    "slugify",
]

SlugStyle = Literal["github", "blackfriday"]

# Without these characters a heading is one run of inline text (no escape, entity, code,
# emphasis, link, image, HTML or line break): what a reader sees is the text itself, and
# most headings are such runs.  The same set as :mod:`pipeline.invariants`' shortcut.
_PLAIN = re.compile(r"[^\\`*_\[\]!<&~\n\r\0]*")
SLUG_STYLES: tuple[SlugStyle, ...] = ("github", "blackfriday")

_EXPLICIT_ID = re.compile(r"[ \t]*\{[ \t]*#([^\s{}]+)[^{}]*\}[ \t]*$")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def slugify(text: str, style: SlugStyle = "github") -> str:
    """The anchor a heading whose visible text is ``text`` gets, before numbering."""
    if style == "blackfriday":
        words, dash = [], False
        for character in text:
            if character.isalpha() or _is_number(character):
                if dash and words:
                    words.append("-")
                words.append(character.lower())
                dash = False
            else:
                dash = True
        return "".join(words)
    kept = []
    for character in text.lower():
        if character.isalnum() or character in "-_" or unicodedata.category(character) == "Mn":
            kept.append(character)
        elif character == " ":
            kept.append("-")
    return "".join(kept)


def _is_number(character: str) -> bool:
    return unicodedata.category(character).startswith("N")


def explicit_id(content: str) -> str | None:
    """The id of a heading that ends with ``{#id}``, as Hugo reads it."""
    match = _EXPLICIT_ID.search(content)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Anchors:
    """A document's heading anchors in the source and in one translation.

    ``mapping`` takes each source anchor to the anchor of the same heading in the
    translation (equal when the heading was not translated or has an explicit id).
    """

    mapping: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def translated(self) -> frozenset[str]:
        return frozenset(self.mapping.values())


def document_anchors(
    document: Document, texts: Mapping[tuple[str | None, str], str], *, style: SlugStyle
) -> Anchors:
    """Anchors of ``document`` when its headings read as ``texts`` (msgid → final text).

    A heading without an entry in ``texts`` keeps its source text.
    """
    segments = {s.line: s for s in document.segments if s.kind == "heading"}
    source_seen: dict[str, int] = {}
    target_seen: dict[str, int] = {}
    mapping: dict[str, str] = {}
    for heading in document.headings:
        segment = segments.get(heading.line)
        source = segment.msgid if segment is not None else heading.content
        target = texts.get((None, source), source) if segment is not None else source
        source_anchor = _anchor(source, style, source_seen, document.env)
        target_anchor = _anchor(target, style, target_seen, document.env)
        if source_anchor:
            mapping.setdefault(source_anchor, target_anchor)
    return Anchors(MappingProxyType(mapping))


def _anchor(content: str, style: SlugStyle, seen: dict[str, int], env: Mapping[str, Any]) -> str:
    given = explicit_id(content)
    if given is not None:
        seen[given] = seen.get(given, 0)
        return given
    plain = _PLAIN.fullmatch(content)
    text = content if plain else markdown.plain_text(markdown.parse_inline(content, dict(env)))
    slug = slugify(text, style)
    if not slug:
        return ""
    if slug in seen:
        seen[slug] += 1
        slug = f"{slug}-{seen[slug]}"
    seen.setdefault(slug, 0)
    return slug


@dataclass(frozen=True, slots=True)
class LinkIndex:
    """Every document's anchors in one language, and how links name documents.

    ``documents`` maps a source document's path (relative to the source folder, with
    ``/``) to its :class:`Anchors`.  ``site_prefix`` is the URL path under which the
    site serves the source folder (``/ko/``): ``/ko/docs/pods/`` is ``docs/pods.md``,
    ``docs/pods/_index.md`` or ``docs/pods/index.md``.  ``url_map`` localized prefixes
    (``{"/ko/": "/en/"}``) are read back to source ones.
    """

    documents: Mapping[str, Anchors]
    site_prefix: str = ""
    url_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def document_of(self, current: str, path: str) -> str | None:
        """The source document a link path points to from document ``current``, if ours."""
        if not path:
            return current
        if _SCHEME.match(path) or path.startswith("//"):
            return None
        if path.startswith("/"):
            return self._site_document(path)
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), unquote(path)))
        return self._existing(joined)

    def _site_document(self, path: str) -> str | None:
        path = unquote(path)
        for source_prefix, target_prefix in self.url_map.items():
            if path.startswith(target_prefix):
                path = source_prefix + path[len(target_prefix) :]
                break
        if not self.site_prefix or not path.startswith(self.site_prefix):
            return None
        return self._existing(path[len(self.site_prefix) :])

    def _existing(self, rel: str) -> str | None:
        rel = rel.strip("/")
        if rel.endswith(_MARKDOWN_SUFFIXES):
            return rel if rel in self.documents else None
        for candidate in (rel + ".md", rel + "/_index.md", rel + "/index.md", rel + ".markdown"):
            if candidate.lstrip("/") in self.documents:
                return candidate.lstrip("/")
        return None


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A fragment link whose target document has no heading with that anchor."""

    segment: Segment
    target: str
    document: str


def rewrite_links(
    document: Document,
    texts: Mapping[tuple[str | None, str], str],
    *,
    current: str,
    index: LinkIndex,
) -> tuple[dict[tuple[str | None, str], str], list[BrokenLink]]:
    """The final text of every markdown segment whose fragment links had to change.

    ``texts`` are the translations in use (a segment without one keeps its msgid);
    ``current`` is ``document``'s path in ``index``.  Returns ``texts`` with rewritten
    links (untranslated segments included) and the fragment links that point nowhere.
    """
    result = dict(texts)
    broken: list[BrokenLink] = []
    for segment in document.segments:
        key = (segment.msgctxt, segment.msgid)
        text = texts.get(key) or segment.msgid
        if not segment.is_markdown or "#" not in text:
            continue

        def resolve(destination: str, segment: Segment = segment) -> str | None:
            new, missing = _resolve(destination, current, index)
            if missing is not None:
                broken.append(BrokenLink(segment, unquote(destination), missing))
            return new

        rewritten = _rewrite(text, document.env, resolve)
        if rewritten != text:
            result[key] = rewritten
    return result, _unique(broken)


def _unique(broken: list[BrokenLink]) -> list[BrokenLink]:
    seen: set[tuple[int, str]] = set()
    kept = []
    for link in broken:
        if (link.segment.line, link.target) not in seen:
            seen.add((link.segment.line, link.target))
            kept.append(link)
    return kept


def _rewrite(text: str, env: Mapping[str, Any], resolve: Callable[[str], str | None]) -> str:
    """``text`` with each inline link destination ``d`` replaced by ``resolve(d)``."""
    edits = []
    for start, end in _destinations(markdown.parse_inline_source(text, dict(env))):
        raw = text[start:end]
        bracketed = raw.startswith("<") and raw.endswith(">")
        new = resolve(raw[1:-1] if bracketed else raw)
        if new is not None:
            edits.append((start, end, f"<{new}>" if bracketed else new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _destinations(tokens: list[Any]) -> Iterator[tuple[int, int]]:
    for token in tokens:
        source = token.meta.get(SOURCE)
        if token.type in ("link_open", "image") and source and source.destination:
            yield source.destination
        if token.type == "image":
            yield from _destinations(token.children or [])


def _resolve(destination: str, current: str, index: LinkIndex) -> tuple[str | None, str | None]:
    """The rewritten destination (None: unchanged) and, if broken, the target document."""
    path, hash_mark, fragment = destination.partition("#")
    if not hash_mark or not fragment:
        return None, None
    target = index.document_of(current, path)
    if target is None:
        return None, None
    anchors = index.documents[target]
    wanted = unquote(fragment)
    if wanted in anchors.mapping:
        new = anchors.mapping[wanted]
        if new == wanted:
            return None, None
        encoded = quote(new, safe="-_.~!$&'()*+,;=:@/?") if "%" in fragment else new
        return f"{path}#{encoded}", None
    if wanted in anchors.translated:
        return None, None
    return None, target
