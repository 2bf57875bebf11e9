"""The project configuration (``l10n.toml``): what to translate, into what, and where files live."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.errors import CatalogError, ConfigError
from pipeline.frontmatter import DEFAULT_KEYS

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


def load_config(path: Path | None, *, cwd: Path) -> Config:
    """Read ``path`` (a TOML file), or return defaults rooted at ``cwd`` when it is ``None``.

    Relative paths in the file are relative to the file's folder.  Raises
    :class:`ConfigError`, with the line, for unreadable TOML, unknown sections or keys,
    values of the wrong type and language codes that are unknown or not codes at all.
    """
    if path is None:
        return _from_table({}, root=cwd.resolve(), path=None, text="")
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
    return Config(
        root=root,
        project=project.get("name", "documentation"),
        source_lang=languages.get("source", "ko"),
        languages=tuple(languages.get("targets", ())),
        source_dir=root / paths.get("source", "source"),
        locales_dir=root / paths.get("locales", "locales"),
        output_dir=root / paths.get("output", "output"),
        frontmatter_keys=tuple(keys),
    )


class _Where:
    """Finds the line of a section or key in the configuration text, for error messages."""

    def __init__(self, path: str | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line(self, section: str, key: str | None = None) -> int | None:
        current = None
        for number, line in enumerate(self.lines, 1):
            header = re.fullmatch(r"\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?", line)
            if header:
                current = header[1].strip("\"'")
                if key is None and current == section:
                    return number
            elif (
                key is not None
                and current == section
                and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line)
            ):
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
            raise where.error(f"[{section}] must be a table", section)
        for key, value in values.items():
            _validate_value(section, key, value, where)
    languages = table.get("languages", {})
    codes = [("source", languages.get("source", "ko"))]
    codes += [("targets", code) for code in languages.get("targets", [])]
    for key, code in codes:
        try:
            catalog.language_info(code)
        except CatalogError as error:
            raise where.error(
                f"languages.{key}: {error.message}", "languages", key, hint=error.hint
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
    if not isinstance(value, expected) or (
        expected is list and not all(isinstance(item, str) and item for item in value)
    ):
        kind = "a list of strings" if expected is list else "a string"
        raise where.error(
            f"{section}.{key} must be {kind}, not {value!r}",
            section,
            key,
            hint="see l10n.toml in the README for the format",
        )
