"""Translation checks: plain functions in a list, each comparing a msgstr with its msgid.

Like Babel's ``babel.messages.checkers``, every checker is a small function with one
signature, listed in :data:`CHECKERS`.  A checker gets a :class:`Pair` (the message and
the invariants of both sides, parsed once with markdown-it-py) and yields
:class:`Finding` s.  Nothing here prints or reads files: :func:`check_catalog` returns
:class:`Problem` s with the PO entry's and the source's locations, and the CLI shows them.

Codes and severities (``error`` keeps the source text in a build; ``warning`` is
reported but the translation is used):

==========================  ========  ==================================================
code                        severity  meaning
==========================  ========  ==================================================
``link-target``             error     a link or image target dropped, changed or added
``code-span``               error     inline code dropped or changed
``placeholder``             error     a shortcode, ``{{ }}``, ``{#id}``, HTML tag, bare
                                      URL or configured pattern dropped, changed or added
``markup``                  error     emphasis, strong or strikethrough count differs
                                      (warning when the translation keeps the source's
                                      own unparsed ``**``)
``block-injection``         error     a blank line, a new block, a line break in a
                                      heading or cell (warning: a ``|`` in a table cell,
                                      which the build escapes)
``yaml``                    error     a front matter value YAML cannot hold
``untranslated-residue``    warning   Hangul left in a translation into another language
``same-as-source``          warning   the msgstr is the Korean msgid
``empty-fuzzy``             warning   a fuzzy entry without a translation
``whitespace``              warning   leading or trailing whitespace differs
==========================  ========  ==================================================
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

import polib

from pipeline import invariants, markdown
from pipeline.invariants import EMPHASIS_KINDS, Invariants
from pipeline.placeholders import DEFAULT_TEXT_PARAMS

if TYPE_CHECKING:
    from pipeline.document import Document, Segment

__all__ = [
    "CHECKERS",
    "CODES",
    "CheckOptions",
    "Finding",
    "Message",
    "Pair",
    "Problem",
    "Severity",
    "check_catalog",
    "check_message",
    "link_target_problem",
]

Severity = Literal["error", "warning"]

#: Every code a check can report, with its usual severity.
CODES: Mapping[str, Severity] = MappingProxyType(
    {
        "link-target": "error",
        "code-span": "error",
        "placeholder": "error",
        "markup": "error",
        "block-injection": "error",
        "yaml": "error",
        "untranslated-residue": "warning",
        "same-as-source": "warning",
        "empty-fuzzy": "warning",
        "whitespace": "warning",
    }
)

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]+")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")
# First characters of a line that may open a block other than a paragraph.
_BLOCK_START = re.compile(r"[ \t]*(?:[#>+*=_~`<|:[-]|\d)")
_EMPHASIS_NAMES = {
    "em": "emphasis (*…*)",
    "strong": "strong emphasis (**…**)",
    "s": "~~strikethrough~~",
}
_BLOCK_NAMES = {
    "heading_open": "a heading",
    "bullet_list_open": "a list",
    "ordered_list_open": "a numbered list",
    "blockquote_open": "a blockquote",
    "fence": "a code block",
    "code_block": "a code block",
    "hr": "a thematic break",
    "html_block": "an HTML block",
    "table_open": "a table",
    "paragraph_open": "a new paragraph",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a translation, where it is, and how bad.

    ``path``/``line`` locate the source text (the segment in the markdown document);
    ``catalog``/``catalog_line`` the PO entry, when the problem comes from one.  ``code``
    is a short stable name for scripts (see :data:`CODES`; the build adds
    ``block-structure`` and ``broken-fragment``); ``message`` is for people.  An
    ``error`` means the translation was not used.
    """

    path: str
    line: int
    code: str
    message: str
    severity: Severity = "error"
    catalog: str = ""
    catalog_line: int = 0
    #: ``(msgctxt, msgid)`` of the entry, when the problem is about a catalog entry.
    entry: tuple[str | None, str] | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Settings of a check run.

    ``language`` is the target language code (Hangul is expected only in ``ko``).
    ``text_params`` are the shortcode and tag parameters that hold prose;
    ``patterns`` extra placeholders that must survive; ``url_map`` source link prefixes
    a translation may replace (``{"/ko/": "/en/"}``).
    """

    language: str = ""
    text_params: tuple[str, ...] = DEFAULT_TEXT_PARAMS
    patterns: tuple[re.Pattern[str], ...] = ()
    url_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def expects_hangul(self) -> bool:
        """Whether Hangul is normal in the target language."""
        return self.language.lower().replace("-", "_").split("_")[0] == "ko"


@dataclass(frozen=True, slots=True)
class Message:
    """One translation to check.

    ``kind`` is the segment kind (``heading``, ``paragraph``, ``table-cell``,
    ``front-matter``) or ``""`` when unknown; ``env`` the document's link references.
    """

    msgid: str
    msgstr: str
    kind: str = "paragraph"
    fuzzy: bool = False
    env: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_markdown(self) -> bool:
        return self.kind != "front-matter"


@dataclass(frozen=True, slots=True)
class Pair:
    """A message with the invariants of its msgid (``source``) and msgstr (``target``)."""

    message: Message
    source: Invariants
    target: Invariants


@dataclass(frozen=True, slots=True)
class Finding:
    """What a checker reports: a code from :data:`CODES`, a severity and a message."""

    code: str
    message: str
    severity: Severity = "error"


Checker = Callable[[Pair, CheckOptions], Iterator[Finding]]


# --- the checkers ---------------------------------------------------------------------


def check_link_targets(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Link and image targets are a multiset: links may be reordered, never lost."""
    reason = _link_difference(pair.source.links, pair.target.links, options.url_map)
    if reason:
        yield Finding("link-target", reason)


def check_code_spans(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Every inline code span of the source is in the translation, character for character.

    Extra code spans are fine: a translator may mark up a command name.
    """
    if not pair.source.code or pair.source.code == pair.target.code:
        return  # most messages: nothing to count
    missing = Counter(pair.source.code) - Counter(pair.target.code)
    if missing:
        extra = sorted((Counter(pair.target.code) - Counter(pair.source.code)).elements())
        spans = ", ".join(f"`{code}`" for code in sorted(missing.elements()))
        found = f" (the translation has {', '.join(f'`{c}`' for c in extra)})" if extra else ""
        yield Finding(
            "code-span",
            f"inline code {spans} is missing or changed{found}; copy code spans exactly",
        )


def check_placeholders(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Shortcodes, template code, heading ids, tags, URLs and patterns survive.

    Only the values of text-bearing parameters (``text="파드"``) may change.
    """
    if not pair.source.placeholders and not pair.target.placeholders:
        return  # most messages: nothing to count
    source = Counter(p.normalized for p in pair.source.placeholders)
    target = Counter(p.normalized for p in pair.target.placeholders)
    missing = sorted((source - target).elements())
    added = sorted((target - source).elements())
    if missing or added:
        parts = []
        if missing:
            parts.append("drops or changes " + ", ".join(missing))
        if added:
            parts.append("adds " + ", ".join(added))
        yield Finding(
            "placeholder",
            "translation " + " and ".join(parts) + "; keep them, translating only text= "
            "style parameters",
        )


def check_markup(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Emphasis, strong and strikethrough counts match what the source means.

    The source's intent counts pairs of delimiters that failed to parse:
    ``**파드(Pod)**는`` is meant as strong emphasis even though CommonMark's flanking
    rules leave the ``**`` as text before a Hangul letter.  A translation that parses as
    the author meant passes; one that keeps the source's unparsed ``**`` as they are gets
    a warning (it is no worse than the source); any other difference, including a new
    delimiter that would show as an asterisk, is an error.
    """
    if not pair.message.is_markdown:
        return
    for kind in EMPHASIS_KINDS:
        finding = _markup_finding(kind, pair.source, pair.target)
        if finding is not None:
            yield finding


def _markup_finding(kind: str, source: Invariants, target: Invariants) -> Finding | None:
    source_parsed, source_literal = source.emphasis.get(kind, 0), source.unparsed.get(kind, 0)
    parsed, literal = target.emphasis.get(kind, 0), target.unparsed.get(kind, 0)
    name = _EMPHASIS_NAMES[kind]
    if (parsed, literal) == (source_parsed, source_literal):
        if source_literal < 2:
            return None
        return Finding(
            "markup",
            f"{name} does not parse, in the source as in the translation (CommonMark needs "
            "a space or punctuation after a closing delimiter that follows punctuation); "
            "the page shows the asterisks",
            "warning",
        )
    meant = source_parsed + source_literal // 2
    fixed = source_literal - 2 * (parsed - source_parsed)  # literal runs the source leaves
    if parsed == meant and literal <= fixed:
        return None
    hint = (
        "; after punctuation a closing ** needs a space or punctuation after it, as in "
        "'**Pod(파드)** is'"
        if literal
        else ""
    )
    if parsed != meant:
        return Finding("markup", f"{name}: the source has {meant}, the translation {parsed}{hint}")
    return Finding(
        "markup", f"{name}: {literal} delimiter(s) in the translation show as asterisks{hint}"
    )


def check_block_injection(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """The translation stays one inline element: it opens no block of its own."""
    message = pair.message
    if not message.is_markdown:
        return
    text = _as_spliced(message.msgstr)
    if re.search(r"\n[ \t]*\n", text):
        yield Finding("block-injection", "translation contains a blank line; remove it")
        return
    if message.kind in ("heading", "table-cell") and "\n" in text and "\n" not in message.msgid:
        where = "heading" if message.kind == "heading" else "table cell"
        yield Finding("block-injection", f"a {where} must stay on one line; remove the line break")
        return
    if message.kind == "heading":
        return  # the rest of the line is heading text, whatever it starts with
    if message.kind == "table-cell":
        if len(_UNESCAPED_PIPE.findall(text)) > len(_UNESCAPED_PIPE.findall(message.msgid)):
            yield Finding(
                "block-injection",
                "an unescaped | would split the table cell; the build writes it as \\|",
                "warning",
            )
        return
    opened = _new_block(message.msgid, text)
    if opened:
        yield Finding(
            "block-injection",
            f"translation would start {opened}; escape the first character "
            "(\\#, \\-, 1\\., \\>) or reword",
        )


def check_yaml(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """A front matter value must load back from YAML as exactly the translation."""
    if pair.message.is_markdown:
        return
    import yaml  # here: a build whose outputs are all up to date loads no YAML

    msgstr = pair.message.msgstr
    try:
        loaded = yaml.safe_load("value: " + json.dumps(msgstr, ensure_ascii=False))
    except yaml.YAMLError:
        loaded = None
    if not isinstance(loaded, dict) or loaded.get("value") != msgstr:
        yield Finding(
            "yaml",
            "translation cannot be written as a YAML string; remove characters YAML "
            "forbids or reads as line breaks (U+007F, U+0085, U+FFFE, lone surrogates)",
        )


def check_residue(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Hangul outside code and URLs is untranslated text, unless the target is Korean."""
    message = pair.message
    if options.expects_hangul or message.msgstr == message.msgid:
        return  # same-as-source says it once
    left = _HANGUL.findall(pair.target.words)
    if left:
        shown = ", ".join(dict.fromkeys(left[:5]))
        yield Finding("untranslated-residue", f"Hangul left in the translation: {shown}", "warning")


def check_same_as_source(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """A Korean msgid copied as its own translation is not a translation."""
    message = pair.message
    if (
        not options.expects_hangul
        and message.msgstr == message.msgid
        and _HANGUL.search(pair.source.words)
    ):
        yield Finding(
            "same-as-source",
            "the translation is the Korean source text; translate it or leave msgstr empty",
            "warning",
        )


def check_whitespace(pair: Pair, options: CheckOptions) -> Iterator[Finding]:
    """Leading and trailing whitespace match (editors add stray newlines and spaces)."""
    msgid, msgstr = pair.message.msgid, pair.message.msgstr
    for side, part in (("leading", _leading), ("trailing", _trailing)):
        if part(msgid) != part(msgstr):
            yield Finding(
                "whitespace",
                f"{side} whitespace differs from the source: {part(msgstr)!r} instead of "
                f"{part(msgid)!r}",
                "warning",
            )
            return


#: The checks, in the order their findings are reported.
CHECKERS: tuple[Checker, ...] = (
    check_link_targets,
    check_code_spans,
    check_placeholders,
    check_markup,
    check_block_injection,
    check_yaml,
    check_residue,
    check_same_as_source,
    check_whitespace,
)


# --- running them -----------------------------------------------------------------------


def check_message(message: Message, options: CheckOptions | None = None) -> list[Finding]:
    """Every finding of :data:`CHECKERS` for one message, plus ``empty-fuzzy``.

    An untranslated entry has nothing to check.
    """
    options = options or CheckOptions()
    if not message.msgstr:
        if message.fuzzy:
            return [
                Finding(
                    "empty-fuzzy",
                    "fuzzy entry without a translation; translate it or remove the fuzzy flag",
                    "warning",
                )
            ]
        return []
    source = _read(message.msgid, message, options)
    pair = Pair(message, source, _read(message.msgstr, message, options))
    return [finding for checker in CHECKERS for finding in checker(pair, options)]


def check_catalog(
    po: polib.POFile,
    *,
    document: Document | None,
    catalog: str,
    options: CheckOptions,
    fuzzy: bool = False,
    used_only: bool = False,
) -> list[Problem]:
    """Problems of every current entry of ``po``, located in the catalog and the source.

    ``document`` is the parsed source: it gives each entry its segment kind, link
    references and source line (without it, the ``#:`` reference is used).  Fuzzy
    entries are checked only with ``fuzzy``.  ``used_only`` checks just what a build
    uses: translated, non-fuzzy entries whose msgid is in the document.
    """
    segments = _first_segments(document)
    env = document.env if document is not None else {}
    problems: list[Problem] = []
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        # NFC, as catalog.translations and the segments are: a PO file from a macOS
        # tool may hold decomposed Hangul, and the build uses its translations.
        msgid = unicodedata.normalize("NFC", entry.msgid)
        key = (unicodedata.normalize("NFC", entry.msgctxt) if entry.msgctxt else None, msgid)
        segment = segments.get(key)
        is_fuzzy = "fuzzy" in entry.flags
        if used_only and (segment is None or is_fuzzy or not entry.msgstr):
            continue
        if is_fuzzy and entry.msgstr and not fuzzy:
            continue
        msgstr = unicodedata.normalize("NFC", entry.msgstr)  # as the splice uses it
        message = Message(msgid, msgstr, _kind(entry, segment), is_fuzzy, env)
        path, line = _source_location(entry, segment, document, catalog)
        problems.extend(
            Problem(path, line, f.code, f.message, f.severity, catalog, entry.linenum or 0, key)
            for f in check_message(message, options)
        )
    return problems


def link_target_problem(msgid: str, translation: str, env: Mapping[str, Any]) -> str | None:
    """Why ``translation`` does not keep the link and image targets of ``msgid``, or ``None``.

    Targets are compared as a multiset: word order differs between languages, so a
    translation may reorder links, but it may not drop, add or change one.
    """
    if "[" not in msgid + translation and "<" not in msgid + translation:
        return None  # no link, image or autolink on either side: nothing to parse
    source = markdown.link_targets(markdown.parse_inline(msgid, dict(env)))
    target = markdown.link_targets(markdown.parse_inline(translation, dict(env)))
    return _link_difference(source, target, {})


# --- helpers ------------------------------------------------------------------------------


def _read(text: str, message: Message, options: CheckOptions) -> Invariants:
    return invariants.read(
        text,
        is_markdown=message.is_markdown,
        env=message.env,
        text_params=options.text_params,
        patterns=options.patterns,
    )


def _link_difference(
    source: Sequence[str], target: Sequence[str], url_map: Mapping[str, str]
) -> str | None:
    """Why ``target`` links are not ``source`` links (each may be localized by ``url_map``)."""
    if tuple(source) == tuple(target):
        return None  # most messages: the same links in the same order, or none
    remaining = Counter(source)
    added: list[str] = []
    for href in target:
        match = href if remaining[href] else _unlocalized(href, url_map, remaining)
        if match is None:
            added.append(href)
        else:
            remaining[match] -= 1
    missing = sorted(remaining.elements())
    if not missing and not added:
        return None
    parts = []
    if missing:
        parts.append("drops " + ", ".join(unquote(href) for href in missing))
    if added:
        parts.append("adds " + ", ".join(unquote(href) for href in sorted(added)))
    return "translation " + " and ".join(parts) + "; keep every link target as in the source"


def _unlocalized(href: str, url_map: Mapping[str, str], remaining: Counter[str]) -> str | None:
    for source_prefix, target_prefix in url_map.items():
        if href.startswith(target_prefix):
            original = source_prefix + href[len(target_prefix) :]
            if remaining[original]:
                return original
    return None


def _as_spliced(msgstr: str) -> str:
    """The translation as the splice writes it: LF line ends, trimmed, lines unindented."""
    text = msgstr.replace("\r\n", "\n").replace("\r", "\n").strip(" \t\n")
    return "\n".join(line.lstrip(" \t") for line in text.split("\n"))


def _new_block(msgid: str, translation: str) -> str | None:
    """The kind of block ``translation`` opens that ``msgid`` does not, if any.

    Both are parsed on their own.  A translation that is one paragraph is always safe;
    otherwise it must have the msgid's shape (a msgid taken from the middle of a
    paragraph, after a shortcode line, may parse alone as a list: "2. 단계").
    """
    if "\n" not in translation and not _BLOCK_START.match(translation):
        return None  # one line that starts like prose: a paragraph, no need to parse
    target = _blocks(translation)
    if target == _ONE_PARAGRAPH:
        return None
    source = _blocks(_as_spliced(msgid))
    if source == target:
        return None
    for index, shape in enumerate(target):
        if index >= len(source) or source[index] != shape:
            return _BLOCK_NAMES.get(shape[0], "a new block")
    return "a new block"


_ONE_PARAGRAPH = [("paragraph_open", "p", 1, ""), ("paragraph_close", "p", -1, "")]


def _blocks(text: str) -> list[tuple[Any, ...]]:
    return [shape[:4] for shape in markdown.block_skeleton(text)]


def _leading(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _trailing(text: str) -> str:
    return text[len(text.rstrip()) :]


def _first_segments(document: Document | None) -> dict[tuple[str | None, str], Segment]:
    found: dict[tuple[str | None, str], Segment] = {}
    for segment in document.segments if document is not None else ():
        found.setdefault((segment.msgctxt, segment.msgid), segment)
    return found


def _kind(entry: polib.POEntry, segment: Segment | None) -> str:
    """The segment kind, or a guess from the ``#.`` comment for an entry not in the source."""
    if segment is not None:
        return segment.kind
    if (entry.msgctxt or "").startswith("frontmatter:"):
        return "front-matter"
    comment = entry.comment or ""
    for prefix, kind in (("heading", "heading"), ("table", "table-cell")):
        if comment.startswith(prefix):
            return kind
    return "paragraph"


def _source_location(
    entry: polib.POEntry, segment: Segment | None, document: Document | None, catalog: str
) -> tuple[str, int]:
    if segment is not None and document is not None:
        return document.path, segment.line
    if entry.occurrences:
        path, line = entry.occurrences[0]
        return path, int(line) if str(line).isdigit() else 0
    return catalog, entry.linenum or 0
