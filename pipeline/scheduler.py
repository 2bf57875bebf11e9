"""Run independent tasks on worker processes and hand their results back in order."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

# The pool's modules are imported when a pool starts: a run on one worker, or a command
# that starts none, does without them.
if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["default_jobs", "ordered_map"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

# prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1

# Chunks in flight per worker: enough to keep every worker busy while the main process
# consumes results, few enough that memory does not grow with the number of tasks.
_AHEAD = 3


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def ordered_map(
    function: Callable[[_Item], _Result],
    items: Iterable[_Item],
    *,
    jobs: int,
    chunk: int = 8,
    local: Callable[[_Item], _Result | None] | None = None,
) -> Iterator[_Result]:
    """``map(function, items)`` computed by ``jobs`` worker processes.

    Results come back in the order of ``items`` whatever order the workers finish in, so
    what the caller writes and prints does not depend on ``jobs``.  Items are sent in
    chunks of ``chunk`` and at most a few chunks per worker are in flight, so memory does
    not grow with the number of items.  ``items`` is consumed lazily, in the calling
    process.  ``local``, when given, is tried first on each item in the calling
    process: a result other than None is used, and the item is not sent.  The workers
    start when the first item is sent; with ``jobs == 1`` everything runs in this
    process, without a pool.  ``function`` must be picklable (a module-level function
    or a ``functools.partial`` of one) and is expected to turn its own errors into
    results: an exception it raises stops the run.
    """
    if jobs <= 1:
        for item in items:
            result = None if local is None else local(item)
            yield function(item) if result is None else result
        return
    pool: ProcessPoolExecutor | None = None
    # Chunks sent (futures) and results made here, in the order of their items.
    pending: deque[Future[list[_Result]] | list[_Result]] = deque()
    batch: list[_Item] = []
    try:
        for item in items:
            result = None if local is None else local(item)
            if result is None:
                batch.append(item)
            if batch and (result is not None or len(batch) == chunk):
                pool = pool or _pool(jobs)
                pending.append(pool.submit(_run_chunk, function, batch))
                batch = []
            if result is not None:
                pending.append([result])
            while len(pending) >= _AHEAD * jobs or (pending and _ready(pending[0])):
                yield from _results(pending.popleft())
        if batch:
            pool = pool or _pool(jobs)
            pending.append(pool.submit(_run_chunk, function, batch))
        while pending:
            yield from _results(pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _pool(jobs: int) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(),)
    )


def _ready(entry: Future[list[_Result]] | list[_Result]) -> bool:
    return isinstance(entry, list) or entry.done()


def _results(entry: Future[list[_Result]] | list[_Result]) -> list[_Result]:
    return entry if isinstance(entry, list) else entry.result()


def _start_worker(parent: int) -> None:
    """Make this worker die with the main process (Linux; elsewhere nothing is done).

    A killed main process would otherwise leave its workers behind: idle forever, or
    still writing the files of their chunk while the next run starts.
    """
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no usable libc: keep the default behaviour
        return
    if os.getppid() != parent:  # the main process died before prctl took effect
        os._exit(1)


def _run_chunk(function: Callable[[_Item], _Result], batch: list[_Item]) -> list[_Result]:
    return [function(item) for item in batch]


def _context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux: workers start at once with every module already imported.

    The main process starts no threads of its own before the pool, and the pool forks
    all its workers before starting its manager thread, so forking is safe here.
    Elsewhere the platform's default (``spawn`` on macOS and Windows) is used.
    """
    import multiprocessing

    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
