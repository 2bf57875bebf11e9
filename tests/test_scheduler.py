"""The scheduler: worker results come back in order, with few tasks in flight."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from pipeline.scheduler import default_jobs, ordered_map


def _slow_first(item: int) -> tuple[int, int]:
    """Earlier items take longer, so workers finish them last."""
    time.sleep(0.02 * (8 - item) if item < 8 else 0)
    return item, os.getpid()


def _fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError("three")
    return item


def test_results_come_back_in_order_though_workers_finish_out_of_order() -> None:
    results = list(ordered_map(_slow_first, range(20), jobs=2, chunk=1))
    assert [item for item, _ in results] == list(range(20))
    assert len({pid for _, pid in results} - {os.getpid()}) == 2  # really two workers


def test_one_job_runs_in_this_process_without_pickling() -> None:
    results = list(ordered_map(lambda item: (item, os.getpid()), range(5), jobs=1))
    assert results == [(item, os.getpid()) for item in range(5)]


def test_items_are_taken_a_few_chunks_ahead_not_all_at_once() -> None:
    taken = []

    def items() -> Iterator[int]:
        for item in range(1000):
            taken.append(item)
            yield item

    results = ordered_map(_fail_on_three, items(), jobs=2, chunk=2)
    assert next(results) == 0
    assert len(taken) <= 2 * 3 * 2 + 2  # jobs * chunks ahead * chunk size, plus one chunk
    results.close()


def test_an_error_in_a_worker_stops_the_run() -> None:
    with pytest.raises(ValueError, match="three"):
        list(ordered_map(_fail_on_three, range(10), jobs=2, chunk=1))


def test_default_jobs_is_the_usable_cpu_count() -> None:
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def _pid(item: int) -> tuple[int, int]:
    return item, os.getpid()


def _local_evens(item: int) -> tuple[int, int] | None:
    """Even items are answered here (pid 0), odd ones need ``_pid``."""
    return (item, 0) if item % 2 == 0 else None


def test_local_results_and_worker_results_keep_the_order_of_the_items() -> None:
    results = list(ordered_map(_pid, range(40), jobs=2, chunk=2, local=_local_evens))
    assert [item for item, _ in results] == list(range(40))
    assert {pid for item, pid in results if item % 2 == 0} == {0}
    assert os.getpid() not in {pid for item, pid in results if item % 2}  # sent to workers


def test_fewer_items_to_send_than_a_chunk_run_here_without_workers() -> None:
    results = list(ordered_map(_pid, range(11), jobs=2, chunk=8, local=_local_evens))
    assert [item for item, _ in results] == list(range(11))
    assert {pid for item, pid in results if item % 2} == {os.getpid()}  # 5 odd items < 8


def test_a_chunk_of_items_to_send_starts_the_workers() -> None:
    results = list(ordered_map(_pid, range(16), jobs=2, chunk=8, local=_local_evens))
    assert [item for item, _ in results] == list(range(16))
    assert os.getpid() not in {pid for item, pid in results if item % 2}  # 8 odd items


def test_results_do_not_pile_up_behind_an_item_kept_back() -> None:
    """One item to send, then many local results: the workers start rather than hold
    hundreds of results until the end."""
    results = ordered_map(_pid, range(600), jobs=2, chunk=8, local=lambda i: (i, 0) if i else None)
    first = next(results)
    assert first[0] == 0 and first[1] != os.getpid()
    assert [item for item, _ in results] == list(range(1, 600))
