"""Stamps: a file's hash, vouched for by what ``stat`` says of it.

A run that finds a document's files as an earlier run left them replays that run's
outcomes (see :mod:`pipeline.cache`), but finding that out by reading and hashing the
5–7 files of every document is most of the work of a run that has nothing to do.  A
stamp keeps what ``stat`` said of a file next to the hash of the bytes read.  While
``stat`` still says the same (size, modification and change times, inode and device),
the file holds the same bytes, and its hash is taken from the stamp without reading it.

Timestamps have a granularity: a file changed twice within one tick keeps its
modification time.  So, as git does for its index, a stamp is made only of a file
whose last change was at least :data:`WINDOW_NS` before it was read (:data:`COARSE_WINDOW_NS`
on file systems that keep whole seconds): a later change cannot then keep that time.  A
file the run has just written is stamped at the end of the run instead, when it is read
back (see :func:`pipeline.runs.run`).  The change time cannot be set by programs, so
tools that restore a file's modification time (``touch -d``, ``cp -p``, ``rsync -t``)
still change its stamp.
"""

from __future__ import annotations

import os
import time
from typing import Any, NamedTuple

__all__ = [
    "COARSE_WINDOW_NS",
    "RELIABLE",
    "WINDOW_NS",
    "Stamp",
    "now",
    "settled",
    "stamp",
    "vouches",
]

#: Whether stamps can vouch for files here.  On Windows ``st_ctime`` is the creation
#: time, which programs can set, and some file systems give every file inode 0: an edit
#: of the same size with its modification time put back would keep its stamp.
RELIABLE = os.name != "nt"

#: How long after its last change a file's stat can vouch for it: a tick of the file
#: system's clock, which lags the system clock by a few milliseconds, with room to spare.
WINDOW_NS = 100_000_000
#: The same on file systems that keep whole seconds (FAT keeps two).
COARSE_WINDOW_NS = 2_000_000_000


class Stamp(NamedTuple):
    """What ``stat`` said of a file when its bytes had ``hash``."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    hash: str

    @classmethod
    def load(cls, value: Any) -> Stamp | None:
        """The stamp kept as ``value`` (a JSON list), or None if it is not one."""
        if isinstance(value, Stamp):
            return value
        if not isinstance(value, list) or len(value) != len(cls._fields):
            return None
        *numbers, hash_ = value
        if not all(type(n) is int for n in numbers) or not isinstance(hash_, str):
            return None
        return cls(*numbers, hash_)


def now() -> int:
    """The time to compare with a file's times, in nanoseconds: take it *before* ``stat``."""
    return time.time_ns()


def settled(status: os.stat_result, checked: int) -> bool:
    """Whether the file ``status`` describes last changed long enough before ``checked``
    (see :func:`now`) that a later change would change its times."""
    coarse = status.st_mtime_ns % 1_000_000_000 == 0
    window = COARSE_WINDOW_NS if coarse else WINDOW_NS
    return max(status.st_mtime_ns, status.st_ctime_ns) + window < checked


def stamp(status: os.stat_result, hash_: str) -> Stamp:
    return Stamp(
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
        hash_,
    )


def vouches(known: Stamp | None, status: os.stat_result) -> bool:
    """Whether ``known`` still describes the file ``status`` describes."""
    return known is not None and known[:5] == (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )
