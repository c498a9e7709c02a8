"""RotatingPool: workers replaced after a number of tasks, nothing lost or stuck."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest

from serviceart.run.pool import RotatingPool

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


def test_a_fork_server_started_early_preloads_for_later_pools():
    # the command line starts the fork server before its own imports; a pool made
    # later forks from it, so its workers have the preloaded module without importing
    # it (run in a fresh process: this one may have a fork server already)
    import subprocess
    import sys
    from multiprocessing import get_all_start_methods

    if "forkserver" not in get_all_start_methods():
        pytest.skip("no fork server on this platform")
    code = """
import sys
from serviceart.run.pool import RotatingPool, start_fork_server

import os

def mods(name):
    return name in sys.modules

def env(name):
    return os.environ.get(name)

if __name__ == "__main__":
    assert start_fork_server(["serviceart._words"], {"SA_TEST_SERVER": "on"}) is True
    assert "serviceart._words" not in sys.modules  # imported by the server only
    assert "SA_TEST_SERVER" not in os.environ  # the caller's environment is unchanged
    pool = RotatingPool(1, 10, print, ("up",), preload=["serviceart._words"])
    try:
        assert pool.submit(mods, "serviceart._words").result(timeout=120) is True
        assert pool.submit(mods, "serviceart.run.local").result(timeout=120) is False
        assert pool.submit(env, "SA_TEST_SERVER").result(timeout=120) == "on"
    finally:
        pool.shutdown()
"""
    script = Path(tempfile.mkdtemp()) / "early.py"
    script.write_text(code, encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True, timeout=300)


def test_the_server_environment_never_overrides_the_callers(monkeypatch):
    from serviceart.run.pool import _environment

    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    monkeypatch.delenv("SA_TEST_EXTRA", raising=False)
    with _environment({"ARROW_DEFAULT_MEMORY_POOL": "system", "SA_TEST_EXTRA": "1"}):
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"  # the user's choice
        assert os.environ["SA_TEST_EXTRA"] == "1"
    assert "SA_TEST_EXTRA" not in os.environ
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
