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
