"""Project files: where sources, templates, catalogs and outputs live; safe reads and writes."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import pofile
from pipeline.errors import CatalogError, SourceError

__all__ = [
    "SOURCE_SUFFIXES",
    "Layout",
    "decode_catalog",
    "decode_source",
    "discover_sources",
    "read_bytes",
    "read_catalog",
    "read_source",
    "write_if_changed",
]

SOURCE_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Layout:
    """The fixed catalog layout.

    For ``<source>/<rel>.md``: the template is ``<locales>/templates/<rel>.pot``, the
    catalog ``<locales>/<lang>/<rel>.po`` and the output ``<output>/<lang>/<rel>.md``.
    """

    source_dir: Path
    locales_dir: Path
    output_dir: Path

    def source(self, rel: Path) -> Path:
        return self.source_dir / rel

    def template(self, rel: Path) -> Path:
        return self.locales_dir / "templates" / rel.with_suffix(".pot")

    def catalog(self, language: str, rel: Path) -> Path:
        return self.locales_dir / language / rel.with_suffix(".po")

    def output(self, language: str, rel: Path) -> Path:
        return self.output_dir / language / rel


def discover_sources(source_dir: Path) -> list[Path]:
    """Source documents under ``source_dir``, as sorted relative paths.

    Symbolic links are not followed: a link could lead the build to read, and a
    mirrored output to write, outside the project.
    """
    if not source_dir.is_dir():
        raise SourceError(
            "the source folder does not exist",
            path=str(source_dir),
            hint="create it or pass --source DIR",
        )
    found = []
    for folder, folders, files in os.walk(source_dir):
        folders[:] = sorted(f for f in folders if not (Path(folder) / f).is_symlink())
        for name in files:
            path = Path(folder) / name
            if path.suffix in SOURCE_SUFFIXES and not path.is_symlink():
                found.append(path.relative_to(source_dir))
    return sorted(found)


def read_source(path: Path, *, display: str) -> str:
    """The text of a UTF-8 markdown file; see :func:`decode_source`."""
    return decode_source(path.read_bytes(), display=display)


def decode_source(data: bytes, *, display: str) -> str:
    """The text of a markdown file's bytes (a BOM is kept as ``\\ufeff``).

    Raises :class:`SourceError` naming the line of the first byte that is not UTF-8,
    or of the first NUL byte (a binary file).
    """
    if b"\0" in data:
        raise SourceError(
            "this is a binary file, not markdown text",
            path=display,
            line=data.count(b"\n", 0, data.index(b"\0")) + 1,
            hint="remove it from the source folder or rename it so it does not end in .md",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"invalid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            path=display,
            line=data.count(b"\n", 0, error.start) + 1,
            hint="save the file as UTF-8",
        ) from error


def read_catalog(path: Path, *, display: str) -> polib.POFile | None:
    """The catalog at ``path``, or ``None`` when there is none yet."""
    return decode_catalog(read_bytes(path), display=display)


def read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``, or ``None`` when there is no such file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def decode_catalog(data: bytes | None, *, display: str) -> polib.POFile | None:
    """The catalog in ``data`` (``None`` for a catalog that does not exist yet)."""
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CatalogError(
            "the catalog is not UTF-8 text",
            path=display,
            line=data.count(b"\n", 0, error.start) + 1,
            hint="convert it to UTF-8 (msgconv -t UTF-8); it was not overwritten",
        ) from error
    return pofile.parse_po(text, path=display)


def write_if_changed(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds it.

    The bytes go to a temporary file in the same folder, which is then renamed over
    ``path``: a reader (or a killed run) sees the old file or the new one, never half of
    one.  ``durable`` files are flushed to disk (fsync) before the rename, so they
    survive a power cut too; files that the next run can make again (templates,
    outputs) skip that, which saves a disk round trip per file.  Returns whether the
    file was written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
