"""The incremental cache: facts about earlier runs that let a run skip work it would redo.

Every record is a fact that stays true, keyed by content hashes: "for this tool, this
configuration and these source, template and catalog bytes, extract writes nothing"; "for
this tool, configuration, source and catalog, the output is the file with this hash and these
refused translations".  A run that finds the files as a record describes them skips the
document; anything else (a changed byte anywhere, another tool version, another
configuration) simply misses.  So the cache is never needed for correctness, an old or
partial cache is harmless, and deleting ``.l10n-cache/`` at any time is safe.

Records live in one SQLite file, written only by the main process.  A cache that cannot be
opened or read (a read-only folder, a corrupt file) is dropped for the run with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["CACHE_DIR", "Cache", "digest", "tool_fingerprint"]

#: The cache folder's name, at the project root (next to ``l10n.toml``).
CACHE_DIR = ".l10n-cache"
_DATABASE = "records.sqlite3"
# 2: translation memory records are bytes (see pipeline.memory.memory_record).  The
# records of 1 would still be read, slowly, and never replaced: the table is emptied.
_SCHEMA = 2
# Commit every this many records: a run that is killed keeps most of its work.
_BATCH = 256
# The records noted as in use (see Cache.note); a temporary table lives as long as its
# connection.
_NOTED_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS noted (kind TEXT, name TEXT, PRIMARY KEY (kind, name))"
)
_README = (
    "This folder is the l10n incremental cache. It only saves time: delete it whenever\n"
    "you like, and keep it out of version control.\n"
)


def digest(*parts: bytes | str | None) -> str:
    """A hash of ``parts`` that keeps them apart: ``("ab", "c")`` differs from ``("a", "bc")``.

    ``None`` (a file that does not exist) differs from every string and every bytes value.
    """
    chunks: list[bytes] = []
    for part in parts:
        if part is None:
            chunks.append(b"N")
            continue
        data = part.encode("utf-8") if isinstance(part, str) else part
        chunks += (b"S" if isinstance(part, str) else b"B", len(data).to_bytes(8, "little"), data)
    # One call on the joined bytes: a no-op run hashes thousands of files.  SHA-256
    # rather than BLAKE2: CPUs made since about 2017 compute it in hardware (SHA-NI,
    # ARMv8), twice as fast as BLAKE2b here.
    return hashlib.sha256(b"".join(chunks)).hexdigest()


def tool_fingerprint() -> str:
    """What the outputs depend on besides the project: this code and the libraries it uses.

    The package's own source files are hashed, so any change to the tool (a release or a
    local edit) invalidates every record; so does another Python, markdown-it-py, PyYAML
    (with or without libyaml), polib or Babel.  The libraries are not imported for this:
    a no-op run needs none of them (see :func:`_library_identity`).
    """
    package = Path(__file__).resolve().parent
    parts: list[str | bytes] = [sys.version]
    for name in _LIBRARIES:
        parts += [name, _library_identity(name)]
    parts.append(str(_has_libyaml()))
    for source in sorted(package.glob("*.py")):
        parts += [source.name, source.read_bytes()]
    return digest(*parts)


#: The libraries the outputs depend on, by import name.
_LIBRARIES = ("markdown_it", "yaml", "polib", "babel")


def _library_identity(name: str) -> bytes | str:
    """What identifies the installed version of library ``name``, without importing it.

    That is the file its import starts from (``__init__.py``, ``polib.py``), where each of
    these libraries declares its ``__version__``: another version has other bytes there.
    Importing them to read ``__version__`` would cost a no-op run about 40 ms, and
    :mod:`importlib.metadata` about 20.  A library loaded from something that is not a
    file (a zip archive) is imported, and its version string used.
    """
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.has_location and spec.origin is not None:
        with contextlib.suppress(OSError):
            return Path(spec.origin).read_bytes()
    return str(importlib.import_module(name).__version__)


def _has_libyaml() -> bool:
    """Whether PyYAML has its libyaml extension (``yaml._yaml``), found without importing it.

    An extension that is present but cannot load counts as there, unlike PyYAML's own
    ``__with_libyaml__``; outputs do not depend on it (libyaml only composes faster, see
    :mod:`pipeline.frontmatter`), so the cache is only kept where it might have been
    dropped.
    """
    spec = importlib.util.find_spec("yaml")
    folders = None if spec is None else spec.submodule_search_locations
    if not folders:
        return False
    return importlib.machinery.PathFinder.find_spec("yaml._yaml", list(folders)) is not None


class Cache:
    """Records by ``(kind, name)``, each a JSON value or bytes (kept as they are), in
    ``folder``/records.sqlite3.

    The database is opened on first use, so a process pool forked before that does not
    inherit the connection.  Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._connection: sqlite3.Connection | None = None
        self._broken = False
        self._pending = 0
        self._noted_on: sqlite3.Connection | None = None  # where the notes are

    def get(self, kind: str, name: str) -> Any | None:
        """The record stored under ``(kind, name)``, or ``None``."""
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT value FROM records WHERE kind = ? AND name = ?", (kind, name)
            ).fetchone()
            return None if row is None else _value(row[0])
        except (sqlite3.Error, ValueError) as error:
            self._drop(error)
            return None

    def get_many(self, kind: str, names: Iterable[str]) -> dict[str, Any]:
        """The records of ``kind`` stored under ``names``, by name (missing ones left out).

        One query per few hundred names: the translation memory reads a record per
        catalog of a language at once.
        """
        connection = self._connect()
        wanted = list(dict.fromkeys(names))
        found: dict[str, Any] = {}
        if connection is None:
            return found
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                marks = ", ".join("?" * len(batch))
                rows = connection.execute(
                    f"SELECT name, value FROM records WHERE kind = ? AND name IN ({marks})",
                    (kind, *batch),
                )
                found.update((name, _value(value)) for name, value in rows)
        except (sqlite3.Error, ValueError) as error:
            self._drop(error)
            return {}
        return found

    def put(self, kind: str, name: str, value: Any | None) -> None:
        """Store ``value`` under ``(kind, name)``; ``None`` removes the record."""
        connection = self._connect()
        if connection is None:
            return
        try:
            if value is None:
                connection.execute("DELETE FROM records WHERE kind = ? AND name = ?", (kind, name))
            else:
                if not isinstance(value, bytes):
                    value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                connection.execute(
                    "INSERT OR REPLACE INTO records (kind, name, value) VALUES (?, ?, ?)",
                    (kind, name, value),
                )
            self._wrote(connection)
        except sqlite3.Error as error:
            self._drop(error)

    def _wrote(self, connection: sqlite3.Connection) -> None:
        """Count a record written, and commit every ``_BATCH``."""
        self._pending += 1
        if self._pending >= _BATCH:
            connection.commit()
            self._pending = 0

    def add(self, kind: str, name: str, value: Any) -> None:
        """Store ``value`` under ``(kind, name)`` unless a record is there already: for
        records named by the hash of what they hold, which never change."""
        connection = self._connect()
        if connection is None:
            return
        if not isinstance(value, bytes):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        try:
            connection.execute(
                "INSERT OR IGNORE INTO records (kind, name, value) VALUES (?, ?, ?)",
                (kind, name, value),
            )
            self._wrote(connection)
        except sqlite3.Error as error:
            self._drop(error)

    def note(self, kind: str, names: Iterable[str]) -> None:
        """Note the records ``names`` of ``kind`` as in use, for :meth:`keep_noted`.

        The names go to a temporary table, not to a set: a site has thousands.
        """
        connection = self._connect()
        if connection is None:
            return
        try:
            connection.execute(_NOTED_TABLE)
            connection.executemany(
                "INSERT OR IGNORE INTO noted (kind, name) VALUES (?, ?)",
                ((kind, name) for name in names),
            )
            self._noted_on = connection
        except sqlite3.Error as error:
            self._drop(error)

    def keep_noted(self, kind: str) -> None:
        """Forget the records of ``kind`` that :meth:`note` did not name.

        The notes last as long as the database stays open: if it was closed since
        one was taken, nothing is forgotten (records kept too long only take room).
        """
        connection = self._connect()
        if connection is None or self._noted_on not in (None, connection):
            return
        try:
            connection.execute(_NOTED_TABLE)
            connection.execute(
                "DELETE FROM records WHERE kind = ? "
                "AND name NOT IN (SELECT name FROM noted WHERE kind = ?)",
                (kind, kind),
            )
        except sqlite3.Error as error:
            self._drop(error)

    def commit(self) -> None:
        """Make what was recorded so far visible to other connections."""
        if self._connection is None:
            return
        try:
            self._connection.commit()
            self._pending = 0
        except sqlite3.Error as error:
            self._drop(error)

    def keep_only(self, kind: str, names: Iterable[str]) -> None:
        """Forget the records of ``kind`` whose name is not in ``names`` (deleted sources)."""
        connection = self._connect()
        if connection is None:
            return
        try:
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY)")
            connection.execute("DELETE FROM kept")
            connection.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((n,) for n in names))
            connection.execute(
                "DELETE FROM records WHERE kind = ? AND name NOT IN (SELECT name FROM kept)",
                (kind,),
            )
        except sqlite3.Error as error:
            self._drop(error)

    def close(self) -> None:
        """Commit what was recorded and close the database."""
        if self._connection is None:
            return
        try:
            self._connection.commit()
            self._connection.close()
        except sqlite3.Error as error:
            self._drop(error)
        self._connection = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None or self._broken:
            return self._connection
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            readme = self.folder / "README"
            if not readme.exists():
                readme.write_text(_README, encoding="utf-8")
                (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
            try:
                self._connection = self._open()
            except sqlite3.DatabaseError:  # not a database (any more): start afresh
                for suffix in ("", "-wal", "-shm"):
                    (self.folder / (_DATABASE + suffix)).unlink(missing_ok=True)
                self._connection = self._open()
        except (OSError, sqlite3.Error) as error:
            self._drop(error)
        return self._connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.folder / _DATABASE, timeout=30)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
                connection.execute("DROP TABLE IF EXISTS records")
                connection.execute(f"PRAGMA user_version = {_SCHEMA}")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS records "
                "(kind TEXT, name TEXT, value TEXT, PRIMARY KEY (kind, name))"
            )
            connection.commit()
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _drop(self, error: Exception) -> None:
        """Run on without the cache: it only ever saves time."""
        import logging  # here: only a cache that cannot be used logs anything

        logging.getLogger(__name__).warning(
            "the cache in %s is not used this run: %s", self.folder, error
        )
        self._broken = True
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None


def _value(stored: str | bytes) -> Any:
    """A record's value: bytes are stored as a BLOB and come back as they went in."""
    return stored if isinstance(stored, bytes) else json.loads(stored)
