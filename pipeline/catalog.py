"""Segments to gettext catalogs: templates, updates that keep translators' work, and lookups."""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polib
from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from pipeline import markdown
from pipeline.errors import CatalogError
from pipeline.fuzzy import THRESHOLD, FuzzyIndex

if TYPE_CHECKING:
    from pipeline.document import Document, Segment
    from pipeline.memory import Lookup, Suggestion

__all__ = [
    "LINK_NOTE",
    "MARKDOWN_FLAG",
    "MEMORY_NOTE",
    "OBSOLETE_AGE",
    "LanguageInfo",
    "format_date",
    "language_info",
    "template",
    "translations",
    "update",
]

#: po4a's flag for markdown entries; Weblate runs its markdown checks on them.
MARKDOWN_FLAG = "markdown-text"
#: Starts the translator comment naming link targets that changed under a fuzzy entry.
LINK_NOTE = "link targets changed:"
#: Starts the translator comment naming the catalog a pre-filled translation came from.
MEMORY_NOTE = "translation memory:"
#: Starts the extracted comment of an obsolete entry: source changes since it went obsolete.
OBSOLETE_AGE = "obsolete-age:"

_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_LOCAL_USE = re.compile(r"q[a-t][a-z](?:[_-][A-Za-z0-9]{2,8})*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    """What the catalog header says about a language, from Babel's CLDR data."""

    code: str
    english_name: str
    plural_forms: str


def language_info(code: str) -> LanguageInfo:
    """Header data for a language code such as ``en``, ``pt_BR`` or ``zh-Hans``.

    Codes reserved for local use (``qaa``-``qtz``, such as the pseudo-locale ``qps``) are
    accepted without CLDR data.  Raises :class:`CatalogError` for a code Babel does not
    know, or one that could not be a path segment (the code names a folder under ``locales/``).
    """
    if not _LANGUAGE_CODE.fullmatch(code):
        raise CatalogError(
            f"{code!r} is not a language code",
            hint="use a code like 'en', 'ja' or 'pt_BR'",
        )
    if _LOCAL_USE.fullmatch(code):
        # ISO 639 reserves qaa-qtz for local use; "qps" is the usual pseudo-locale.
        return LanguageInfo(code, f"{code} (pseudo-locale)", "nplurals=2; plural=(n != 1);")
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise CatalogError(
            f"unknown language code {code!r}",
            hint="use an ISO 639 code Babel knows, like 'en', 'ja' or 'pt_BR'",
        ) from error
    plural = get_plural(locale)
    return LanguageInfo(code, locale.english_name or code, str(plural))


def format_date(moment: dt.datetime) -> str:
    """A header date as gettext writes it: ``2026-11-29 06:24+0000``."""
    return moment.strftime("%Y-%m-%d %H:%M%z")


def template(document: Document, *, reference: str, project: str, now: dt.datetime) -> polib.POFile:
    """The POT template for ``document``: one entry per distinct ``(msgctxt, msgid)``.

    Entries follow the source order.  ``reference`` is the document's path as ``#:``
    lines show it.  Equal msgids are one entry with all their references and the
    names of all the elements they come from.
    """
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": format_date(now),
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    by_key: dict[tuple[str | None, str], polib.POEntry] = {}
    for segment in document.segments:
        entry = by_key.get((segment.msgctxt, segment.msgid))
        if entry is None:
            entry = by_key[(segment.msgctxt, segment.msgid)] = _entry(segment)
            pot.append(entry)
        _add_occurrence(entry, segment, reference)
    return pot


def _entry(segment: Segment) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=segment.msgctxt,
        msgid=segment.msgid,
        msgstr="",
        flags=[MARKDOWN_FLAG] if segment.is_markdown else [],
    )


def _add_occurrence(entry: polib.POEntry, segment: Segment, reference: str) -> None:
    entry.occurrences.append((reference, str(segment.line)))
    elements = entry.comment.split("\n") if entry.comment else []
    if segment.element not in elements:
        entry.comment = "\n".join([*elements, segment.element])


def update(
    pot: polib.POFile,
    old: polib.POFile | None,
    *,
    language: LanguageInfo,
    now: dt.datetime,
    memory: Lookup | None = None,
    origin: str = "",
    purge_after: int = 0,
) -> polib.POFile:
    """The catalog for ``language``: ``pot``'s entries, in ``pot``'s order, with old work.

    What ``msgmerge --previous`` does (see :mod:`pipeline.fuzzy` for the matching):

    - an entry whose ``(msgctxt, msgid)`` is in ``old``, current or obsolete, keeps its
      msgstr, translator comments and fuzzy state; an obsolete one comes back;
    - otherwise (a message new to this catalog) ``memory`` (other catalogs of
      the language, compendia; ``origin`` is this catalog's own name there, never
      offered back) gives an exact translation, kept as translated with a
      ``translation memory:`` comment;
    - otherwise the most similar translated old entry, or a strictly more similar
      memory entry, gives its msgstr, marked ``fuzzy`` with the old msgid as ``#|``;
    - translated entries of ``old`` that nothing used become obsolete (``#~``).

    A fuzzy entry whose link targets differ from its previous msgid's gets a
    ``link targets changed:`` translator comment naming them; it is dropped once the
    entry is no longer fuzzy.  Obsolete entries carry ``#. obsolete-age: N``, the number
    of source changes since they went obsolete; with ``purge_after`` > 0 those at least
    that old are dropped.  The header keeps the translator's fields.
    """
    po = polib.POFile(wrapwidth=0)
    po.header = old.header if old is not None else ""
    po.metadata = _metadata(pot, old, language, now)
    definitions = [entry for entry in (old or []) if entry.msgid]
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    for entry in definitions:
        exact.setdefault(_key(entry), entry)
    index = FuzzyIndex(definitions)
    used: set[int] = set()
    for new in pot:
        entry, source = _match(new, exact, index, memory, origin)
        if source is not None:
            used.add(id(source))
        po.append(entry)
    changed = old is not None and _source_changed(pot, old)
    for entry in definitions:
        if id(entry) not in used and _is_translated(entry):
            obsolete = _obsolete(entry, aged=changed)
            if not purge_after or _age(obsolete) < purge_after:
                po.append(obsolete)
    return po


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    """``(msgctxt, msgid)``, NFC-normalised like segments: a PO file written on macOS may
    hold decomposed (NFD) Hangul, which must still match."""
    context = unicodedata.normalize("NFC", entry.msgctxt) if entry.msgctxt else None
    return (context, unicodedata.normalize("NFC", entry.msgid))


def _is_translated(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr or any(entry.msgstr_plural.values()))


def _match(
    new: polib.POEntry,
    exact: dict[tuple[str | None, str], polib.POEntry],
    index: FuzzyIndex,
    memory: Lookup | None,
    origin: str,
) -> tuple[polib.POEntry, polib.POEntry | None]:
    """The merged entry for ``new`` and the old entry it used, if any (msgmerge's order).

    The memory only fills entries the catalog does not have yet.  An entry an earlier
    extract left untranslated stays as the translator left it: so a document whose
    source and catalog did not change gets the same catalog whatever the other
    catalogs hold, which lets the incremental cache skip it (msgmerge with a compendium
    would fill it; ``l10n extract --no-cache`` does not either, so the two agree).
    """
    old = exact.get(_key(new))
    if old is not None:
        return _merged(new, old), old
    suggestion = memory.exact(new.msgctxt, new.msgid, exclude=origin) if memory else None
    if suggestion is not None:
        return _from_memory(new, suggestion), None
    found = index.best(new.msgctxt, new.msgid) if len(index) else None
    if memory:
        bound = found[1] if found is not None else THRESHOLD
        suggestion = memory.close(new.msgctxt, new.msgid, exclude=origin, lower_bound=bound)
        if suggestion is not None:
            return _from_memory(new, suggestion), None
    if found is not None:
        return _fuzzy(new, found[0]), found[0]
    return _blank(new), None


def _blank(new: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=new.msgctxt,
        msgid=new.msgid,
        msgstr="",
        occurrences=list(new.occurrences),
        comment=new.comment,
        flags=list(new.flags),
    )


def _merged(new: polib.POEntry, old: polib.POEntry) -> polib.POEntry:
    """``new`` with the translation of the old entry that has its very msgid."""
    entry = _blank(new)
    entry.msgstr = old.msgstr
    fuzzy = "fuzzy" in old.flags and bool(old.msgstr)
    entry.tcomment = old.tcomment if fuzzy else _without_notes(old.tcomment, LINK_NOTE)
    if fuzzy:
        entry.flags.insert(0, "fuzzy")
        entry.previous_msgid = old.previous_msgid
        entry.previous_msgctxt = old.previous_msgctxt
    return entry


def _fuzzy(new: polib.POEntry, old: polib.POEntry) -> polib.POEntry:
    """``new`` with the translation of a similar old entry, fuzzy, the old msgid as ``#|``.

    When the old entry was itself fuzzy its own previous msgid is kept, as msgmerge
    does: that is the text its msgstr translates.
    """
    entry = _blank(new)
    entry.msgstr = old.msgstr
    entry.flags.insert(0, "fuzzy")
    if "fuzzy" in old.flags and old.previous_msgid is not None:
        entry.previous_msgid, entry.previous_msgctxt = old.previous_msgid, old.previous_msgctxt
    else:
        entry.previous_msgid, entry.previous_msgctxt = old.msgid, old.msgctxt
    notes = [_without_notes(old.tcomment, LINK_NOTE), _link_note(entry)]
    entry.tcomment = "\n".join(note for note in notes if note)
    return entry


def _from_memory(new: polib.POEntry, suggestion: Suggestion) -> polib.POEntry:
    """``new`` pre-filled from the memory: translated when exact, fuzzy when close."""
    entry = _blank(new)
    entry.msgstr = suggestion.entry.msgstr
    notes = [f"{MEMORY_NOTE} {suggestion.origin}"]
    if not suggestion.exact:
        entry.flags.insert(0, "fuzzy")
        entry.previous_msgid = suggestion.entry.msgid
        entry.previous_msgctxt = suggestion.entry.msgctxt
        notes.append(_link_note(entry))
    entry.tcomment = "\n".join(note for note in notes if note)
    return entry


def _link_note(entry: polib.POEntry) -> str:
    """``link targets changed: ...`` when a fuzzy markdown entry's targets moved, else ``""``."""
    if MARKDOWN_FLAG not in entry.flags or entry.previous_msgid is None:
        return ""
    before = Counter(_link_targets(entry.previous_msgid))
    after = Counter(_link_targets(entry.msgid))
    if before == after:
        return ""
    parts = []
    if removed := sorted((before - after).elements()):
        parts.append("removed " + " ".join(removed))
    if added := sorted((after - before).elements()):
        parts.append("added " + " ".join(added))
    return f"{LINK_NOTE} " + "; ".join(parts)


def _link_targets(msgid: str) -> list[str]:
    """Link and image targets as the writer typed them (markdown-it percent-encodes them)."""
    decode = markdown.make_parser().normalizeLinkText
    return [decode(target) for target in markdown.link_targets(markdown.parse_inline(msgid))]


def _without_notes(comment: str, prefix: str) -> str:
    return "\n".join(line for line in comment.split("\n") if not line.startswith(prefix))


def _source_changed(pot: polib.POFile, old: polib.POFile) -> bool:
    """Whether the template differs from what ``old`` was made from (an aging extract)."""
    before = [(_key(e), list(map(tuple, e.occurrences))) for e in old if not e.obsolete]
    after = [(_key(e), list(map(tuple, e.occurrences))) for e in pot]
    return before != after


def _age(entry: polib.POEntry) -> int:
    """The ``obsolete-age`` an obsolete entry carries; 0 when it has none."""
    match = re.fullmatch(rf"{OBSOLETE_AGE} (\d+)", entry.comment or "")
    return int(match[1]) if match else 0


def _obsolete(entry: polib.POEntry, *, aged: bool) -> polib.POEntry:
    """``entry`` as an obsolete message, one source change older when ``aged``.

    Like msgmerge, references and extracted comments go; the extracted comment then
    holds the age.
    """
    age = _age(entry) + 1 if entry.obsolete and aged else _age(entry) if entry.obsolete else 0
    obsolete = copy.copy(entry)
    obsolete.flags = list(entry.flags)
    obsolete.obsolete = True
    obsolete.occurrences = []
    obsolete.comment = f"{OBSOLETE_AGE} {age}"
    return obsolete


def _metadata(
    pot: polib.POFile, old: polib.POFile | None, language: LanguageInfo, now: dt.datetime
) -> dict[str, str]:
    metadata = dict(pot.metadata)
    metadata.update(
        {
            "PO-Revision-Date": format_date(now),
            "Last-Translator": "Automatically generated",
            "Language-Team": language.english_name,
        }
    )
    if old is not None:
        metadata.update(old.metadata)
        metadata["POT-Creation-Date"] = pot.metadata["POT-Creation-Date"]
    metadata["Language"] = language.code
    metadata["Content-Type"] = "text/plain; charset=UTF-8"
    metadata["Content-Transfer-Encoding"] = "8bit"
    metadata["MIME-Version"] = "1.0"
    if not metadata.get("Plural-Forms") or "INTEGER" in metadata["Plural-Forms"]:
        metadata["Plural-Forms"] = language.plural_forms
    return metadata


def translations(po: polib.POFile) -> dict[tuple[str | None, str], str]:
    """Usable translations by ``(msgctxt, msgid)``: not fuzzy, not obsolete, not empty."""
    return {
        _key(entry): entry.msgstr
        for entry in po
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }
