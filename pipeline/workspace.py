"""Project files: where sources, templates, catalogs and outputs live; safe reads and writes."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline import pofile
from pipeline.errors import CatalogError, LockError, PathError, PipelineError, SourceError

try:
    import fcntl
except ImportError:  # Windows: filelock's lock instead, imported when a lock is taken
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK_GRACE",
    "LOCK_NAME",
    "SOURCE_SUFFIXES",
    "WRITING_NAME",
    "Layout",
    "SourceTree",
    "decode_catalog",
    "decode_source",
    "discover_sources",
    "exclusive",
    "forget_seen_folders",
    "interrupted",
    "read_bytes",
    "read_catalog",
    "read_source",
    "read_with_status",
    "remove_stale_temporaries",
    "scan_sources",
    "write_if_changed",
    "writing",
]

SOURCE_SUFFIXES = (".md", ".markdown")

#: The lock file a run holds in the folder it writes to (``locales/`` or ``output/``).
LOCK_NAME = ".l10n.lock"

#: The mark a run keeps in the folder it writes to while it writes: a killed run leaves it.
WRITING_NAME = ".l10n.writing"

#: Seconds a run waits for the lock before it gives up with :class:`LockError`.
LOCK_GRACE = 0.5

# The temporary files of :func:`write_if_changed`: ``.<name>.<8 random characters>.tmp``,
# as :func:`tempfile.mkstemp` names them with our prefix and suffix.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


@dataclass(frozen=True, slots=True)
class Layout:
    """The fixed catalog layout.

    For ``<source>/<rel>.md``: the template is ``<locales>/templates/<rel>.pot``, the
    catalog ``<locales>/<lang>/<rel>.po`` and the output ``<output>/<lang>/<rel>.md``.
    Every method raises :class:`PathError` rather than return a path outside its
    folder: ``rel`` must be relative without ``..``, the language one plain folder name,
    and the resolved path (after symbolic links) must stay inside the resolved folder.
    """

    source_dir: Path
    locales_dir: Path
    output_dir: Path

    def source(self, rel: Path) -> Path:
        return _inside(self.source_dir, _parts(rel, self.source_dir))

    def template(self, rel: Path) -> Path:
        parts = _suffixed(_parts(rel, self.locales_dir), ".pot")
        return _inside(self.locales_dir, ("templates", *parts))

    def catalog(self, language: str, rel: Path) -> Path:
        parts = _suffixed(_parts(rel, self.locales_dir), ".po")
        return _inside(self.locales_dir, (_folder(language), *parts))

    def output(self, language: str, rel: Path) -> Path:
        return _inside(self.output_dir, (_folder(language), *_parts(rel, self.output_dir)))


# Paths are joined as strings, and one Path made of the result: a run with nothing to
# do still locates each of thousands of files, and pathlib's joins cost more than the
# checks.


@functools.lru_cache(maxsize=64)
def _folder(name: str) -> str:
    """``name`` as one folder name; a language code never holds a separator or ``..``."""
    if name in ("", ".", "..") or any(c in name for c in "/\\\0:"):
        raise PathError(
            f"{name!r} cannot name a folder",
            hint="use a language code like 'en', 'ja' or 'pt_BR'",
        )
    return name


def _parts(rel: Path, root: Path) -> tuple[str, ...]:
    """The parts of ``rel``, after checking that joined to ``root`` it stays below it."""
    if rel.is_absolute() or rel.anchor or ".." in rel.parts or not rel.parts:
        raise PathError(
            f"{rel.as_posix()!r} would lead outside {root.as_posix()}",
            path=rel.as_posix(),
            hint="paths in the project are relative and never go up with ..",
        )
    return rel.parts


def _suffixed(parts: tuple[str, ...], suffix: str) -> tuple[str, ...]:
    """``parts`` with the last one's suffix replaced, as :meth:`Path.with_suffix` does."""
    *folders, name = parts
    dot = name.rfind(".")
    stem = name[:dot] if 0 < dot < len(name) - 1 else name
    return (*folders, stem + suffix)


def _inside(root: Path, parts: tuple[str, ...]) -> Path:
    """``root`` joined with ``parts`` (checked by :func:`_parts`), after checking that no
    symbolic link on the way leads outside ``root``."""
    top = os.fspath(root).rstrip(os.sep)  # "" for the root folder itself: "/a", not "//a"
    text = os.sep.join((top, *parts))  # os.path.join's checks are done: parts are relative
    if _through_link(top, parts) and not Path(text).resolve().is_relative_to(root.resolve()):
        path = Path(text)
        raise PathError(
            f"a symbolic link leads outside {root.as_posix()} (to {path.resolve().as_posix()})",
            path=path.as_posix(),
            hint="replace the link by a real file or folder; it was neither read nor written",
        )
    return Path(text)


def _through_link(top: str, parts: tuple[str, ...]) -> bool:
    """Whether a part of ``parts`` below the folder ``top`` exists and is a symbolic link.

    Without one, ``top`` joined with ``parts`` resolves to ``top`` resolved and joined
    with ``parts`` (which hold no ``..``), so only then is the full resolution needed:
    resolving both paths costs a dozen ``lstat`` calls per file, half of a no-op run.
    Folders already seen during this run are not looked at again (see
    :func:`forget_seen_folders`).
    """
    *folders, name = parts
    parent = os.sep.join((top, *folders))
    if parent not in _SEEN_FOLDERS:
        current = top
        for part in folders:
            current = current + os.sep + part
            if current in _SEEN_FOLDERS:
                continue
            try:
                mode = os.lstat(current).st_mode
            except OSError:
                return False  # nothing further down exists to be a link
            if stat.S_ISLNK(mode):
                return True
            if len(_SEEN_FOLDERS) >= _SEEN_AT_MOST:
                _SEEN_FOLDERS.clear()  # looked at again: the set stays small on any site
            _SEEN_FOLDERS.add(current)
    try:
        return stat.S_ISLNK(os.lstat(parent + os.sep + name).st_mode)
    except OSError:
        return False


# Folders found to be real folders (not links) since the run began: a site's thousands
# of files share a few dozen folders.
_SEEN_FOLDERS: set[str] = set()
# Sources are visited in order, so a document's folders were mostly seen just before.
_SEEN_AT_MOST = 2048


def forget_seen_folders() -> None:
    """Look at every folder again from now on; a run calls this when it takes its lock.

    A folder replaced by a symbolic link between two runs in one process (a test, an
    editor's plugin) is then caught.
    """
    _SEEN_FOLDERS.clear()


@dataclass(frozen=True, slots=True)
class SourceTree:
    """What :func:`scan_sources` found: documents and the symbolic links it did not follow.

    Both are sorted paths relative to the source folder.
    """

    documents: list[Path] = field(default_factory=list)
    links: list[Path] = field(default_factory=list)


def scan_sources(source_dir: Path) -> SourceTree:
    """Source documents under ``source_dir``, and the symbolic links skipped.

    Symbolic links (to files or folders) are never followed: a link could lead the
    build to read, and a mirrored output to write, outside the project.  Links to
    folders and links named like documents are listed so the caller can say so.
    """
    if not source_dir.is_dir():
        raise SourceError(
            "the source folder does not exist",
            path=str(source_dir),
            hint="create it or pass --source DIR",
        )
    tree = SourceTree()
    _scan(source_dir, Path(), tree)
    tree.documents.sort()
    tree.links.sort()
    return tree


def _scan(folder: Path, rel: Path, tree: SourceTree) -> None:
    # os.scandir rather than os.walk: its entries know whether they are links without
    # another system call per file.
    try:
        with os.scandir(folder) as entries:
            found = sorted(entries, key=lambda entry: entry.name)
    except OSError:
        return  # a folder that cannot be listed is left out, as os.walk does
    for entry in found:
        path = rel / entry.name
        if _is_link(entry):
            if entry.is_dir() or Path(entry.name).suffix in SOURCE_SUFFIXES:
                tree.links.append(path)
        elif entry.is_dir(follow_symlinks=False):
            _scan(folder / entry.name, path, tree)
        elif Path(entry.name).suffix in SOURCE_SUFFIXES:
            tree.documents.append(path)


def _is_link(entry: os.DirEntry[str] | Path) -> bool:
    # A Windows junction is a link too; ``is_junction`` exists from Python 3.12.
    return entry.is_symlink() or getattr(entry, "is_junction", lambda: False)()


def discover_sources(source_dir: Path) -> list[Path]:
    """Source documents under ``source_dir``, as sorted relative paths (links skipped)."""
    return scan_sources(source_dir).documents


def read_source(path: Path, *, display: str) -> str:
    """The text of a UTF-8 markdown file; see :func:`decode_source`.

    Raises :class:`SourceError` also when the file cannot be read.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(
            f"cannot read: {error.strerror or error}", path=display, hint="check the file"
        ) from error
    return decode_source(data, display=display)


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
    """The catalog at ``path``, or ``None`` when there is none yet; see :func:`decode_catalog`."""
    return decode_catalog(read_bytes(path, display=display), display=display)


def read_bytes(path: Path, *, display: str | None = None) -> bytes | None:
    """The bytes of ``path``, or ``None`` when there is no such file.

    Raises :class:`PipelineError` naming ``display`` (else ``path``) when the file exists
    but cannot be read: a folder, no permission, an I/O error.
    """
    return read_with_status(path, display=display)[0]


def read_with_status(
    path: Path, *, display: str | None = None
) -> tuple[bytes | None, os.stat_result | None]:
    """The bytes of ``path`` and what ``fstat`` said of it just before they were read;
    ``(None, None)`` when there is no such file.  Errors as :func:`read_bytes`."""
    try:
        with open(path, "rb") as file:
            status = os.fstat(file.fileno())  # before reading: a change meanwhile changes it
            return file.read(), status
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise PipelineError(
            f"cannot read: {error.strerror or error}",
            path=display or path.as_posix(),
            hint="check the file and its permissions; it was not overwritten",
        ) from error


def decode_catalog(data: bytes | None, *, display: str) -> polib.POFile | None:
    """The catalog in ``data`` (``None`` for a catalog that does not exist yet).

    Raises :class:`CatalogError` for a file that is not UTF-8, starts with a byte order
    mark (gettext tools refuse those) or does not parse (see :func:`pofile.parse_po`).
    """
    if data is None:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        raise CatalogError(
            "the catalog starts with a byte order mark (BOM), which gettext tools refuse",
            path=display,
            line=1,
            hint="save it as UTF-8 without BOM; it was not overwritten",
        )
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
    import tempfile  # here: a run that writes nothing does without it (and shutil, random)

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


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files that interrupted writes left under ``folder``.

    :func:`write_if_changed` removes its temporary file when it fails, but not when the
    process is killed.  Call this while holding :func:`exclusive` on ``folder``, so no
    other run is writing there.  Symbolic links are not followed.  Returns the files
    removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # no folder yet, or one that cannot be listed: nothing to clean
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and not _is_link(entry):
            removed += remove_stale_temporaries(Path(entry.path))
        elif _TEMPORARY.fullmatch(entry.name) and not entry.is_dir():
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return sorted(removed)


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Mark ``folder`` as being written to meanwhile (call it holding :func:`exclusive`).

    The mark goes when the run ends, also with an error: :func:`write_if_changed`
    removes its temporary file then.  Only a killed run leaves the mark, and so only
    then must the next run look for temporary files (see :func:`interrupted`): on a
    large site that walk costs more than the rest of a no-op run.
    """
    mark = folder / WRITING_NAME
    mark.touch()
    try:
        yield
    finally:
        mark.unlink(missing_ok=True)


def interrupted(folder: Path) -> bool:
    """Whether the last run writing to ``folder`` was killed (it left its mark there)."""
    return (folder / WRITING_NAME).exists()


@contextmanager
def exclusive(folder: Path, *, display: str) -> Iterator[None]:
    """Hold the lock file :data:`LOCK_NAME` in ``folder`` (created if needed) meanwhile.

    Raises :class:`LockError` when another run holds it :data:`LOCK_GRACE` seconds
    later.  The operating system releases the lock when its holder dies, so a killed run
    never blocks the next one: processes forked meanwhile (the workers) close their copy
    of it at once (see :func:`_close_inherited_locks`), and the grace covers a worker
    killed between its fork and that.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        release = _lock(folder / LOCK_NAME)
    except TimeoutError as error:
        raise LockError(
            f"another l10n run is writing to {display}",
            path=f"{display}/{LOCK_NAME}",
            hint="wait for it to finish, then run this command again",
        ) from error
    try:
        yield
    finally:
        release()


# Seconds between two attempts to take a lock someone holds.
_POLL = 0.02
# What flock(2) answers when another open file holds the lock.
_BUSY = frozenset({errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK})


def _lock(path: Path) -> Callable[[], None]:
    """Take the lock ``path`` within :data:`LOCK_GRACE` seconds; the function releasing it.

    An exclusive ``flock`` on the open file: a second run, or a second :func:`exclusive`
    in this process (another open file), waits for it.  The file is opened as filelock
    opens it: created with mode 0o666 less the umask, never truncated, a symbolic link
    refused.  Where ``flock`` does not exist (Windows) or the file system lacks it,
    filelock does the locking.  Raises :class:`TimeoutError` when the lock stays taken.
    """
    if fcntl is None:
        return _filelock(path)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        locked = _flock(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    if not locked:
        os.close(descriptor)
        return _filelock(path)
    _HELD.add(descriptor)

    def release() -> None:
        _HELD.discard(descriptor)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)

    return release


def _flock(descriptor: int) -> bool:
    """Lock the open file within :data:`LOCK_GRACE` seconds; False if its file system cannot.

    Raises :class:`TimeoutError` when another open file holds the lock that long.
    """
    deadline = time.monotonic() + LOCK_GRACE
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno == errno.ENOSYS:
                return False
            if error.errno not in _BUSY:
                raise
            if time.monotonic() >= deadline:
                raise TimeoutError("another process holds the lock") from error
        time.sleep(_POLL)


def _filelock(path: Path) -> Callable[[], None]:
    """:func:`_lock` by filelock, where ``flock`` cannot lock ``path``."""
    import filelock

    lock = filelock.FileLock(path, timeout=LOCK_GRACE)
    try:
        lock.acquire(poll_interval=_POLL)
    except filelock.Timeout as error:
        raise TimeoutError("another process holds the lock") from error
    return lock.release


#: The descriptors of the lock files this process holds.
_HELD: set[int] = set()


def _close_inherited_locks() -> None:
    """In a forked child: close its copies of the descriptors of the parent's locks.

    ``flock`` locks belong to the open file, which a fork shares, so a worker would hold
    its parent's lock too: a worker still dying a few milliseconds after its killed
    parent would make the next run fail with :class:`LockError`.  The child never
    unlocks (that would unlock the parent); it only closes.
    """
    held = list(_HELD)
    _HELD.clear()
    for descriptor in held:
        with contextlib.suppress(OSError):
            os.close(descriptor)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)
