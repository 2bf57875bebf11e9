"""Segments to gettext catalogs: templates, updates that keep translators' work, and lookups."""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import polib
from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from pipeline.document import Document, Segment
from pipeline.errors import CatalogError

__all__ = [
    "MARKDOWN_FLAG",
    "LanguageInfo",
    "format_date",
    "language_info",
    "template",
    "translations",
    "update",
]

#: po4a's flag for markdown entries; Weblate runs its markdown checks on them.
MARKDOWN_FLAG = "markdown-text"

_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    """What the catalog header says about a language, from Babel's CLDR data."""

    code: str
    english_name: str
    plural_forms: str


def language_info(code: str) -> LanguageInfo:
    """Header data for a language code such as ``en``, ``pt_BR`` or ``zh-Hans``.

    Raises :class:`CatalogError` for a code Babel does not know, or one that could
    not be a path segment (the code names a folder under ``locales/``).
    """
    if not _LANGUAGE_CODE.fullmatch(code):
        raise CatalogError(
            f"{code!r} is not a language code",
            hint="use a code like 'en', 'ja' or 'pt_BR'",
        )
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
    pot: polib.POFile, old: polib.POFile | None, *, language: LanguageInfo, now: dt.datetime
) -> polib.POFile:
    """The catalog for ``language``: ``pot``'s entries with ``old``'s translations.

    An entry whose ``(msgctxt, msgid)`` is in ``old`` (current or obsolete) keeps its
    msgstr, translator comments and fuzzy state.  Translated entries of ``old`` that
    ``pot`` no longer has become obsolete (``#~``), so no translation is ever lost.
    The header keeps the translator's fields and gets the template's creation date.
    """
    po = polib.POFile(wrapwidth=0)
    po.header = old.header if old is not None else ""
    po.metadata = _metadata(pot, old, language, now)
    previous = {_key(entry): entry for entry in (old or [])}
    for entry in pot:
        po.append(_merged(entry, previous.pop(_key(entry), None)))
    for entry in previous.values():
        if entry.msgstr or any(entry.msgstr_plural.values()):
            obsolete = copy.copy(entry)
            obsolete.obsolete = True
            obsolete.occurrences = []
            po.append(obsolete)
    return po


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    """``(msgctxt, msgid)``, NFC-normalised like segments: a PO file written on macOS may
    hold decomposed (NFD) Hangul, which must still match."""
    context = unicodedata.normalize("NFC", entry.msgctxt) if entry.msgctxt else None
    return (context, unicodedata.normalize("NFC", entry.msgid))


def _merged(new: polib.POEntry, old: polib.POEntry | None) -> polib.POEntry:
    entry = polib.POEntry(
        msgctxt=new.msgctxt,
        msgid=new.msgid,
        msgstr="",
        occurrences=list(new.occurrences),
        comment=new.comment,
        flags=list(new.flags),
    )
    if old is not None:
        entry.msgstr = old.msgstr
        entry.tcomment = old.tcomment
        if "fuzzy" in old.flags and old.msgstr:
            entry.flags.insert(0, "fuzzy")
            entry.previous_msgid = old.previous_msgid
            entry.previous_msgctxt = old.previous_msgctxt
    return entry


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
