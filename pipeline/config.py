"""The project configuration (``l10n.toml``): what to translate, into what, and where files live."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.anchors import SLUG_STYLES, SlugStyle
from pipeline.errors import ConfigError
from pipeline.frontmatter import DEFAULT_KEYS
from pipeline.placeholders import DEFAULT_TEXT_PARAMS

__all__ = ["CONFIG_NAME", "Config", "load_config"]

#: The file looked for in the working directory when ``--config`` is not given.
CONFIG_NAME = "l10n.toml"

# Section -> key -> expected type; anything else in the file is an error, so a typo
# ("langauges") is reported instead of silently ignored.
_SCHEMA: Mapping[str, Mapping[str, type]] = {
    "project": {"name": str},
    "languages": {"source": str, "targets": list},
    "paths": {"source": str, "locales": str, "output": str},
    "frontmatter": {"keys": list},
    "check": {"placeholders": list, "text_params": list, "urls": dict},
    "anchors": {"style": str, "site_prefix": str},
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


def load_config(path: Path | None, *, cwd: Path) -> Config:
    """Read ``path`` (a TOML file), or return defaults rooted at ``cwd`` when it is ``None``.

    Relative paths in the file are relative to the file's folder.  Raises
    :class:`ConfigError` for unreadable TOML, unknown sections or keys, and values of the
    wrong type.
    """
    if path is None:
        return _from_table({}, root=cwd.resolve(), path=None)
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
        raise ConfigError(
            f"the configuration is not valid TOML: {error}",
            path=str(path),
            line=int(line.group(1)) if line else None,
            hint="see l10n.toml in the README for the format",
        ) from error
    return _from_table(table, root=path.resolve().parent, path=str(path))


def _from_table(table: Mapping[str, Any], *, root: Path, path: str | None) -> Config:
    _validate(table, path)
    project = table.get("project", {})
    languages = table.get("languages", {})
    paths = table.get("paths", {})
    keys = table.get("frontmatter", {}).get("keys", list(DEFAULT_KEYS))
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
        placeholder_patterns=tuple(check.get("placeholders", ())),
        text_params=DEFAULT_TEXT_PARAMS + tuple(extra_params),
        url_maps={code: dict(prefixes) for code, prefixes in check.get("urls", {}).items()},
        slug_style=anchors.get("style", "github"),
        site_prefix=anchors.get("site_prefix", ""),
    )


def _validate(table: Mapping[str, Any], path: str | None) -> None:
    for section, values in table.items():
        if section not in _SCHEMA:
            raise ConfigError(
                f"unknown section [{section}]",
                path=path,
                hint="known sections: " + ", ".join(f"[{name}]" for name in _SCHEMA),
            )
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table", path=path)
        for key, value in values.items():
            expected = _SCHEMA[section].get(key)
            if expected is None:
                raise ConfigError(
                    f"unknown key {key!r} in [{section}]",
                    path=path,
                    hint="known keys: " + ", ".join(_SCHEMA[section]),
                )
            if not isinstance(value, expected) or (
                expected is list and not all(isinstance(item, str) and item for item in value)
            ):
                kind = {list: "a list of strings", dict: "a table"}.get(expected, "a string")
                raise ConfigError(f"{section}.{key} must be {kind}, not {value!r}", path=path)
    _validate_checks(table.get("check", {}), path)
    style = table.get("anchors", {}).get("style", "github")
    if style not in SLUG_STYLES:
        raise ConfigError(
            f"anchors.style must be one of {', '.join(SLUG_STYLES)}, not {style!r}", path=path
        )


def _validate_checks(check: Mapping[str, Any], path: str | None) -> None:
    for pattern in check.get("placeholders", ()):
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConfigError(
                f"check.placeholders: {pattern!r} is not a regular expression: {error}",
                path=path,
                hint="write patterns in Python's re syntax, in single quotes in TOML",
            ) from error
    for code, prefixes in check.get("urls", {}).items():
        if not isinstance(prefixes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in prefixes.items()
        ):
            raise ConfigError(
                f"check.urls.{code} must map source link prefixes to target prefixes",
                path=path,
                hint='write [check.urls.en] then "/ko/" = "/en/"',
            )
