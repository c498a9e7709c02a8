"""RotatingPool: workers replaced after a number of tasks, nothing lost or stuck."""

from __future__ import annotations

import itertools
import os

import pytest

from serviceart._pool import RotatingPool

pytestmark = pytest.mark.slow

_SEEN: dict[str, int] = {}


def _start(tag: str) -> None:
    _SEEN["tag"] = len(tag)


def _task(x: int) -> tuple[int, int, int]:
    return x * x, os.getpid(), _SEEN["tag"]


def test_every_task_runs_and_workers_are_replaced():
    pool = RotatingPool(2, 4, _start, ("abc",))
    # many tasks queued at once: the case that stalls max_tasks_per_child on Python 3.11
    futures = [pool.submit(_task, x) for x in range(13)]
    results = [f.result(timeout=120) for f in futures]
    pool.shutdown()
    assert [r[0] for r in results] == [x * x for x in range(13)]
    assert {r[2] for r in results} == {3}  # the initializer ran in every worker
    assert pool.pools == 4  # 13 tasks, 4 per pool
    by_pool = [{r[1] for r in results[i:i + 4]} for i in range(0, 13, 4)]
    for a, b in itertools.pairwise(by_pool):
        assert a.isdisjoint(b)  # a fresh pool has fresh processes


def test_shutdown_with_cancel_drops_queued_tasks():
    pool = RotatingPool(1, 100, _start, ("x",))
    futures = [pool.submit(_task, x) for x in range(50)]
    pool.shutdown(cancel=True)
    assert any(f.cancelled() for f in futures)
    assert all(f.done() for f in futures)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match=">= 1"):
        RotatingPool(0, 1, _start)


def test_start_brings_the_workers_up_in_the_background():
    pool = RotatingPool(2, 10, _start, ("abcd",))
    pool.start()  # returns at once; the workers come up meanwhile
    assert pool.ready.wait(120)
    assert pool.pools == 1
    assert pool.submit(_task, 3).result(timeout=60)[::2] == (9, 4)
    pool.shutdown()


def test_a_shut_pool_takes_no_more_tasks():
    pool = RotatingPool(1, 10, _start, ("ab",))
    pool.start()  # may still be starting when it is shut: nothing must outlive it
    pool.shutdown(cancel=True)
    assert pool.ready.wait(120)
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(_task, 1)
