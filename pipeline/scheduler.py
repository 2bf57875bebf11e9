"""Run independent tasks on worker processes and hand their results back in order."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

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
    process: a result other than None is used, and the item is not sent.

    The workers start once ``chunk`` items are to be sent: fewer than that in all (the
    few documents a run with almost nothing to do redoes) run in this process, as
    everything does with ``jobs == 1``.  ``function`` must be picklable (a module-level
    function or a ``functools.partial`` of one) and is expected to turn its own errors
    into results: an exception it raises stops the run.
    """
    if jobs <= 1:
        for item in items:
            result = None if local is None else local(item)
            yield function(item) if result is None else result
        return
    pending = _Pending(function, jobs, chunk)
    try:
        for item in items:
            result = None if local is None else local(item)
            if result is None:
                pending.send(item)
            else:
                pending.ready(result)
            yield from pending.done()
        yield from pending.finish()
    finally:
        pending.close()


class _Unsent(list):  # type: ignore[type-arg]
    """Items kept back until there are enough of them to start the workers."""


class _Pending:
    """The results to come, in the order of their items: chunks sent to the workers
    (futures), results made in the calling process, and items kept back (:class:`_Unsent`)
    while there are too few to start the workers for."""

    def __init__(self, function: Callable[[Any], Any], jobs: int, chunk: int) -> None:
        self.function, self.jobs, self.chunk = function, jobs, chunk
        self.pool: ProcessPoolExecutor | None = None
        self.entries: deque[Future[list[Any]] | list[Any]] = deque()
        self.batch: list[Any] = []  # items to send in the next chunk, once workers run
        self.kept = 0  # items kept back

    def send(self, item: Any) -> None:
        if self.pool is not None:
            self.batch.append(item)
            if len(self.batch) == self.chunk:
                self._submit()
            return
        if not self.entries or not isinstance(self.entries[-1], _Unsent):
            self.entries.append(_Unsent())
        self.entries[-1].append(item)  # type: ignore[union-attr]
        self.kept += 1
        if self.kept >= self.chunk:
            self._start()

    def ready(self, result: Any) -> None:
        self._submit()
        self.entries.append([result])
        if self.pool is None and len(self.entries) > _KEPT_RESULTS:
            self._start()  # results held behind kept items: bound them

    def done(self) -> Iterator[Any]:
        """The results at the head that are ready; waits for the oldest chunk when too
        many are in flight."""
        entries = self.entries
        while entries and not isinstance(entries[0], _Unsent):
            head = entries[0]
            waiting = not isinstance(head, list) and not head.done()
            if waiting and len(entries) < _AHEAD * self.jobs:
                return
            entries.popleft()
            yield from head if isinstance(head, list) else head.result()

    def finish(self) -> Iterator[Any]:
        """Every result left: kept items run here, since too few came to start workers."""
        self._submit()
        while self.entries:
            head = self.entries.popleft()
            if isinstance(head, _Unsent):
                yield from map(self.function, head)
            else:
                yield from head if isinstance(head, list) else head.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> None:
        self.pool = _pool(self.jobs)
        for index, entry in enumerate(self.entries):
            if isinstance(entry, _Unsent):
                self.entries[index] = self.pool.submit(_run_chunk, self.function, list(entry))
        self.kept = 0

    def _submit(self) -> None:
        if self.batch and self.pool is not None:
            self.entries.append(self.pool.submit(_run_chunk, self.function, self.batch))
            self.batch = []


# Results made in the calling process that may wait behind items kept back.
_KEPT_RESULTS = 256


def _pool(jobs: int) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(),)
    )


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
