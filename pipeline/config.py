"""The project configuration (``l10n.toml``): what to translate, into what, and where files live."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import CatalogError, ConfigError
from pipeline.frontmatter import DEFAULT_KEYS
from pipeline.placeholders import DEFAULT_TEXT_PARAMS

# The modules that only reading a file needs (tomllib, Babel through the catalog, the
# anchors) are imported there: ``l10n --help`` needs none of them.
if TYPE_CHECKING:
    from pipeline.anchors import SlugStyle

__all__ = ["CONFIG_NAME", "MIN_WIDTH", "Config", "load_config"]

#: The file looked for in the working directory when ``--config`` is not given.
CONFIG_NAME = "l10n.toml"
#: The narrowest ``width`` accepted for wrapped catalogs (gettext widens smaller ones).
MIN_WIDTH = 20


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a configuration value must be: a description for errors and a test."""

    description: str
    accepts: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_percent(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and 0 <= value <= 100


_STRING = _Kind("a string", lambda value: isinstance(value, str))
_STRINGS = _Kind(
    "a list of strings",
    lambda value: isinstance(value, list) and all(isinstance(v, str) and v for v in value),
)
_BOOL = _Kind("true or false", lambda value: isinstance(value, bool))
_COUNT = _Kind("a whole number, 0 or more", lambda value: _is_int(value) and value >= 0)
_WIDTH = _Kind(
    f"0 (unwrapped) or a whole number, {MIN_WIDTH} or more",
    lambda value: _is_int(value) and (value == 0 or value >= MIN_WIDTH),
)
_PERCENT = _Kind("a number from 0 to 100", _is_percent)
_TABLE = _Kind("a table", lambda value: isinstance(value, dict))
_PERCENTS = _Kind(
    "a table of language codes to numbers from 0 to 100",
    lambda value: isinstance(value, dict) and all(_is_percent(v) for v in value.values()),
)

# Section -> key -> kind; anything else in the file is an error, so a typo
# ("langauges") is reported instead of silently ignored.
_SCHEMA: Mapping[str, Mapping[str, _Kind]] = {
    "project": {"name": _STRING},
    "languages": {"source": _STRING, "targets": _STRINGS},
    "paths": {"source": _STRING, "locales": _STRING, "output": _STRING},
    "frontmatter": {"keys": _STRINGS},
    "catalog": {
        "width": _WIDTH,
        "purge_obsolete_after": _COUNT,
        "translation_memory": _BOOL,
        "compendia": _STRINGS,
    },
    "build": {"min_translated": _PERCENT, "min_translated_by_language": _PERCENTS},
    "check": {"placeholders": _STRINGS, "text_params": _STRINGS, "urls": _TABLE},
    "anchors": {"style": _STRING, "site_prefix": _STRING},
}


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one run; paths are absolute.

    ``root`` is the project folder: ``#:`` references are relative to it.
    """

    root: Path
    project: str = "documentation"
    source_lang: str = "ko"
    languages: tuple[str, ...] = ()
    source_dir: Path = field(default=Path("source"))
    locales_dir: Path = field(default=Path("locales"))
    output_dir: Path = field(default=Path("output"))
    frontmatter_keys: tuple[str, ...] = DEFAULT_KEYS
    #: Wrap catalogs as ``msgcat --width=N`` does; 0 writes them unwrapped (``--no-wrap``);
    #: None keeps each existing catalog's style and writes new ones unwrapped.
    width: int | None = None
    #: Drop obsolete entries this many source changes after they went obsolete; 0 never.
    purge_obsolete_after: int = 0
    #: Pre-fill new entries from the other catalogs of the same language.
    translation_memory: bool = True
    #: Compendium PO files; each serves the language its ``Language`` header names.
    compendia: tuple[Path, ...] = ()
    #: Percent of source words a document must have translated to be published.
    min_translated: float = 0
    #: Per-language overrides of :attr:`min_translated`.
    #: ``(language, percent)`` pairs; a tuple, not a mapping, so the config pickles and
    #: hashes (it is sent to worker processes and is part of the cache fingerprint).
    min_translated_by_language: tuple[tuple[str, float], ...] = ()

    #: Regular expressions whose matches a translation must keep (``[check] placeholders``).
    placeholder_patterns: tuple[str, ...] = ()
    #: Shortcode and HTML parameters whose values are prose: the defaults plus
    #: ``[check] text_params``.
    text_params: tuple[str, ...] = DEFAULT_TEXT_PARAMS
    #: Per target language, link prefixes a translation may localize: ``{"en": {"/ko/": "/en/"}}``.
    url_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: How heading anchors are made (``github`` or ``blackfriday``).
    slug_style: SlugStyle = "github"
    #: The URL path the site serves the source folder under (``/ko/``), for fragment links.
    site_prefix: str = ""

    def threshold(self, language: str) -> float:
        """The publishing threshold for ``language``, in percent of source words."""
        return dict(self.min_translated_by_language).get(language, self.min_translated)


def load_config(path: Path | None, *, cwd: Path) -> Config:
    """Read ``path`` (a TOML file), or return defaults rooted at ``cwd`` when it is ``None``.

    Relative paths in the file are relative to the file's folder.  Raises
    :class:`ConfigError`, with the line, for unreadable TOML, unknown sections or keys,
    values of the wrong type and language codes that are unknown or not codes at all.
    """
    if path is None:
        return _from_table({}, root=cwd.resolve(), path=None, text="")
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except OSError as error:
        raise ConfigError(
            f"cannot read the configuration: {error.strerror}", path=str(path)
        ) from error
    except UnicodeDecodeError as error:
        raise ConfigError("the configuration is not UTF-8 text", path=str(path)) from error
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        # tomllib says "at end of document" for an unclosed array or string: the last line.
        last = len(text.splitlines()) if "end of document" in str(error) else None
        raise ConfigError(
            f"the configuration is not valid TOML: {error}",
            path=str(path),
            line=int(line.group(1)) if line else last,
            hint="see l10n.toml in the README for the format",
        ) from error
    return _from_table(table, root=path.resolve().parent, path=str(path), text=text)


def _from_table(table: Mapping[str, Any], *, root: Path, path: str | None, text: str) -> Config:
    _validate(table, _Where(path, text))
    project = table.get("project", {})
    languages = table.get("languages", {})
    paths = table.get("paths", {})
    keys = table.get("frontmatter", {}).get("keys", list(DEFAULT_KEYS))
    catalog = table.get("catalog", {})
    build = table.get("build", {})
    check = table.get("check", {})
    anchors = table.get("anchors", {})
    extra_params = [p for p in check.get("text_params", []) if p not in DEFAULT_TEXT_PARAMS]
    return Config(
        root=root,
        project=project.get("name", "documentation"),
        source_lang=languages.get("source", "ko"),
        languages=tuple(languages.get("targets", ())),
        source_dir=root / paths.get("source", "source"),
        locales_dir=root / paths.get("locales", "locales"),
        output_dir=root / paths.get("output", "output"),
        frontmatter_keys=tuple(keys),
        width=catalog.get("width"),
        purge_obsolete_after=catalog.get("purge_obsolete_after", 0),
        translation_memory=catalog.get("translation_memory", True),
        compendia=tuple(root / name for name in catalog.get("compendia", ())),
        min_translated=build.get("min_translated", 0),
        min_translated_by_language=tuple(build.get("min_translated_by_language", {}).items()),
        placeholder_patterns=tuple(check.get("placeholders", ())),
        text_params=DEFAULT_TEXT_PARAMS + tuple(extra_params),
        url_maps={code: dict(prefixes) for code, prefixes in check.get("urls", {}).items()},
        slug_style=anchors.get("style", "github"),
        site_prefix=anchors.get("site_prefix", ""),
    )


_HEADER = re.compile(r"\s*\[\[?\s*(.+?)\s*\]\]?\s*(?:#.*)?")
_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")


def _dotted_key(text: str) -> str | None:
    """A TOML key as written (``a."b".c``) as ``a.b.c``; None when ``text`` is no key."""
    parts, position = [], 0
    while True:
        match = _KEY_PART.match(text, position)
        if match is None:
            return None
        parts.append(next(part for part in match.groups() if part is not None))
        position = match.end()
        if position == len(text):
            return ".".join(parts)
        if text[position] != ".":
            return None
        position += 1


class _Where:
    """Finds the line of a section or key in the configuration text, for error messages."""

    def __init__(self, path: str | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line(self, section: str, key: str | None = None) -> int | None:
        """The line that defines ``section`` (or its ``key``), however TOML spells it: a
        ``[table]`` or ``[table.sub]`` header, a ``key =`` line, a dotted ``a.b =`` key,
        or the line of an inline table ``a = { b = 1 }`` that holds it."""
        wanted = section if key is None else f"{section}.{key}"
        current = ""
        for number, line in enumerate(self.lines, 1):
            header = _HEADER.fullmatch(line)
            if header:
                current = _dotted_key(header[1]) or ""
                if current == wanted or current.startswith(wanted + "."):
                    return number
                continue
            name, equals, _ = line.partition("=")
            assigned = _dotted_key(name) if equals else None
            if assigned is not None:
                full = f"{current}.{assigned}" if current else assigned
                if full == wanted or full.startswith(wanted + ".") or wanted.startswith(full + "."):
                    return number
        return None

    def error(self, message: str, section: str, key: str | None = None, **hint: str) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line(section, key), **hint)


def _validate(table: Mapping[str, Any], where: _Where) -> None:
    for section, values in table.items():
        if section not in _SCHEMA:
            raise where.error(
                f"unknown section [{section}]",
                section,
                hint="known sections: " + ", ".join(f"[{name}]" for name in _SCHEMA),
            )
        if not isinstance(values, dict):
            raise where.error(
                f"[{section}] must be a table",
                section,
                hint=f"write a [{section}] header followed by key = value lines",
            )
        for key, value in values.items():
            _validate_value(section, key, value, where)
    _validate_languages(table, where)
    _validate_checks(table.get("check", {}), where)
    from pipeline.anchors import SLUG_STYLES

    style = table.get("anchors", {}).get("style", "github")
    if style not in SLUG_STYLES:
        raise where.error(
            f"anchors.style must be one of {', '.join(SLUG_STYLES)}, not {style!r}",
            "anchors",
            "style",
            hint="github is Hugo's default; kubernetes.io uses blackfriday",
        )


def _validate_languages(table: Mapping[str, Any], where: _Where) -> None:
    """Every language code in the file must be one Babel knows, wherever it appears."""
    languages = table.get("languages", {})
    codes = [("languages", "source", languages.get("source", "ko"))]
    codes += [("languages", "targets", code) for code in languages.get("targets", [])]
    thresholds = table.get("build", {}).get("min_translated_by_language", {})
    codes += [("build.min_translated_by_language", code, code) for code in thresholds]
    codes += [("check.urls", code, code) for code in table.get("check", {}).get("urls", {})]
    from pipeline.catalog import language_info

    for section, key, code in codes:
        try:
            language_info(code)
        except CatalogError as error:
            raise where.error(
                f"{section}.{key}: {error.message}", section, key, hint=error.hint
            ) from error


def _validate_value(section: str, key: str, value: Any, where: _Where) -> None:
    expected = _SCHEMA[section].get(key)
    if expected is None:
        raise where.error(
            f"unknown key {key!r} in [{section}]",
            section,
            key,
            hint="known keys: " + ", ".join(_SCHEMA[section]),
        )
    if not expected.accepts(value):
        raise where.error(
            f"{section}.{key} must be {expected.description}, not {value!r}",
            section,
            key,
            hint="see l10n.toml in the README for the format",
        )


def _validate_checks(check: Mapping[str, Any], where: _Where) -> None:
    for pattern in check.get("placeholders", ()):
        try:
            re.compile(pattern)
        except re.error as error:
            raise where.error(
                f"check.placeholders: {pattern!r} is not a regular expression: {error}",
                "check",
                "placeholders",
                hint="write patterns in Python's re syntax, in single quotes in TOML",
            ) from error
    for code, prefixes in check.get("urls", {}).items():
        if not isinstance(prefixes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in prefixes.items()
        ):
            raise where.error(
                f"check.urls.{code} must map source link prefixes to target prefixes",
                f"check.urls.{code}",
                hint='write [check.urls.en] then "/ko/" = "/en/"',
            )
