"""A process pool whose workers are replaced after a number of tasks.

spaCy's string store only grows, so long batch runs replace their workers now
and then. ``ProcessPoolExecutor(max_tasks_per_child=...)`` is not used: on the
Pythons we support it can lose a worker for good (a worker that exits after
its last task is not replaced when the pool counts an idle worker that is not
there, and a run with every worker gone waits forever; seen on Python 3.11
when many tasks are queued at once). Instead, :class:`RotatingPool` sends the
first ``per_pool`` tasks to one ``ProcessPoolExecutor``, then starts a fresh
one for the next ``per_pool`` while the old one finishes what it was given and
exits.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

__all__ = ["PRELOAD", "WORKER_ENV", "RotatingPool", "start_fork_server"]

#: what the batch engine's fork server imports (and builds) before its first fork
PRELOAD = ("serviceart._preload",)

#: environment of the batch engine's fork server and so of its workers: Arrow
#: memory from the C library's ``malloc``. pyarrow's default pool (mimalloc)
#: keeps freed pages for reuse; on 20,000 chats a worker's peak was then about
#: 85-105 MB higher and grew from part to part, at no gain in speed. A value the
#: user set in the environment wins.
WORKER_ENV: dict[str, str] = {"ARROW_DEFAULT_MEMORY_POOL": "system"}

T = TypeVar("T")


class RotatingPool:
    """Worker processes replaced after every ``per_pool`` tasks.

    Workers are forked from a ``forkserver`` where the platform has one (Linux,
    macOS), else spawned.

    Parameters
    ----------
    workers
        Processes per pool.
    per_pool
        Tasks sent to one pool before a fresh pool takes over.
    initializer, initargs
        Run once in every worker process.
    preload
        Modules the fork server imports once, before it forks any worker.
    server_env
        Environment variables the fork server starts with (unless already set),
        when this pool starts it.
    """

    def __init__(self, workers: int, per_pool: int, initializer: Callable[..., Any],
                 initargs: Sequence[Any] = (), preload: Sequence[str] = (),
                 server_env: Mapping[str, str] | None = None) -> None:
        if workers < 1 or per_pool < 1:
            raise ValueError("workers and per_pool must be >= 1")
        self.workers, self.per_pool = workers, per_pool
        if start_fork_server(preload, server_env):
            # workers fork from a server that imported ``preload`` once, instead of
            # each importing spaCy and pandas anew
            self._context: BaseContext = get_context("forkserver")
        else:
            self._context = get_context("spawn")
        self._init, self._initargs = initializer, tuple(initargs)
        self._pool: ProcessPoolExecutor | None = None
        self._sent = 0
        self._retired: list[ProcessPoolExecutor] = []
        self._lock = threading.Lock()
        self._closed = False
        #: set once the first pool's workers have started
        self.ready = threading.Event()
        #: how many pools were started
        self.pools = 0

    def start(self) -> None:
        """Start the first pool's workers in the background and return at once.

        Starting a fork server means importing ``preload`` before the first fork,
        a few seconds in which :meth:`submit` would block; the caller can go on
        with other work meanwhile and check :attr:`ready`.
        """
        def begin() -> None:
            try:
                for f in [self.submit(_started) for _ in range(self.workers)]:
                    f.result()
            except BaseException:  # a broken start shows again on the first real task
                pass
            finally:
                self.ready.set()

        threading.Thread(target=begin, name="serviceart-pool-start", daemon=True).start()

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a worker; a fresh pool takes over every ``per_pool`` tasks."""
        with self._lock:
            return self._submit(fn, *args)

    def _submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("the pool was shut down")
        if self._pool is None or self._sent >= self.per_pool:
            if self._pool is not None:
                self._pool.shutdown(wait=False)  # finishes its tasks, then its workers exit
                self._retired.append(self._pool)
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=self._context,
                                             initializer=self._init, initargs=self._initargs)
            self._sent = 0
            self.pools += 1
        self._sent += 1
        return self._pool.submit(fn, *args)

    def shutdown(self, *, cancel: bool = False) -> None:
        """Wait for every pool to finish (dropping queued tasks when ``cancel``); the
        pool takes no task afterwards."""
        with self._lock:
            pools = [*self._retired, *([self._pool] if self._pool is not None else [])]
            self._retired, self._pool, self._closed = [], None, True
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=cancel)


def start_fork_server(preload: Sequence[str], env: Mapping[str, str] | None = None) -> bool:
    """Start the fork server now, so that it imports ``preload`` while the caller goes on.

    A :class:`RotatingPool` created later forks its workers from this server. A
    command line that calls this before its own heavy imports has both
    processes importing at once. Does nothing where there is no fork server
    (Windows), and nothing but check it when one is already running.

    Parameters
    ----------
    preload
        Modules the server imports before it forks any worker.
    env
        Environment variables the server starts with, unless this process has
        them set already (this process's environment is left as it was).

    Returns
    -------
    bool
        Whether a fork server is running.
    """
    if "forkserver" not in get_all_start_methods():
        return False
    from multiprocessing import forkserver

    get_context("forkserver").set_forkserver_preload(list(preload))
    with _environment(env or {}):
        forkserver.ensure_running()
    return True


@contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    """``extra`` in ``os.environ`` for a moment (names already set keep their value)."""
    added = [k for k in extra if k not in os.environ]
    os.environ.update({k: extra[k] for k in added})
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


def _started() -> None:
    """The task :meth:`RotatingPool.start` sends: its result means a worker is up."""
