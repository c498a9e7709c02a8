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

Workers and the fork server die with the process that started them, even when it
is killed with ``SIGKILL`` (which no ``finally`` survives): on Linux each sets
``PR_SET_PDEATHSIG`` (the fork server dies with the starting process, a worker
with the fork server), and every worker also watches the starting process
itself (a ``pidfd`` where the platform has one, else its process id twice a
second) and exits when it is gone. Without this, orphaned workers went on
writing parts for seconds and then waited forever.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

__all__ = ["PARENT_ENV", "PRELOAD", "WORKER_ENV", "RotatingPool", "die_with_parent",
           "process_alive", "start_fork_server"]

#: what the batch engine's fork server imports (and builds) before its first fork
PRELOAD = ("serviceart.run.preload",)

#: environment of the batch engine's fork server and so of its workers: Arrow
#: memory from the C library's ``malloc``. pyarrow's default pool (mimalloc)
#: keeps freed pages for reuse; on 20,000 chats a worker's peak was then about
#: 85-105 MB higher and grew from part to part, at no gain in speed. A value the
#: user set in the environment wins.
WORKER_ENV: dict[str, str] = {"ARROW_DEFAULT_MEMORY_POOL": "system"}

#: set in the fork server's environment to the process id it must die with (only when
#: the server is started from the main thread: ``PR_SET_PDEATHSIG`` follows the thread
#: that started a process, so a server started from a passing thread would die with it)
PARENT_ENV = "SERVICEART_DIE_WITH"

_PR_SET_PDEATHSIG = 1

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
        self._init, self._initargs = _worker_start, (os.getpid(), initializer, tuple(initargs))
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
    extra = dict(env or {})
    if threading.current_thread() is threading.main_thread():
        extra[PARENT_ENV] = str(os.getpid())
    with _environment(extra):
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


def _worker_start(parent: int, initializer: Callable[..., Any], initargs: Sequence[Any]
                  ) -> None:
    """Every worker's initializer: die with ``parent`` (the process that made the pool),
    then run the pool's own initializer."""
    die_with_parent(parent, watch=True)
    initializer(*initargs)


def die_with_parent(parent: int, *, watch: bool = False) -> None:
    """Make this process end when process ``parent`` ends, however it ends.

    On Linux, ``PR_SET_PDEATHSIG`` (through ``ctypes``) has the kernel send
    ``SIGKILL`` when this process's parent ends. With ``watch``, a daemon thread
    also waits for ``parent`` itself to end (on a ``pidfd``, else by checking it
    and this process's parent twice a second) and then exits this process at
    once: the portable fallback, and the link from a worker (whose parent is the
    fork server) to the process that made its pool. Returns at once.

    Parameters
    ----------
    parent
        The process id to die with.
    watch
        Start the watching thread (not in a fork server: it forks, and forking a
        process with threads is unsafe).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc or no prctl: the watch remains
            pass
    if not process_alive(parent):
        os._exit(1)  # it ended before this process could watch it
    if watch:
        threading.Thread(target=_watch, args=(parent, os.getppid()), daemon=True,
                         name="serviceart-lifeline").start()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (someone else's process counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _watch(parent: int, ppid: int) -> None:
    """Exit this process as soon as ``parent`` ends (or this process's own parent,
    ``ppid``, does)."""
    pidfd = getattr(os, "pidfd_open", None)
    if pidfd is not None:
        try:
            fd = pidfd(parent)
        except OSError:  # already gone, or no pidfd in this kernel
            fd = -1
        if fd >= 0:
            select.select([fd], [], [])  # readable when the process ends
            os._exit(1)
    while process_alive(parent) and os.getppid() == ppid:
        time.sleep(0.5)
    os._exit(1)
