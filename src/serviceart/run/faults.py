"""Simulated failures, for the tests of the batch engine's recovery.

``run_batch(..., _faults=Faults(part=1))`` makes part 1 fail to score, the
evidence extraction of spilled chunk ``extract`` fail, or the writing of part
``write`` meet a full disk. The engine asks :func:`check` at those three points;
with the default (no faults) it does nothing. The faults travel to the worker
processes with the pool's start-up arguments.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

__all__ = ["Faults", "check", "install"]


@dataclass(frozen=True)
class Faults:
    """Which part, chunk or part write fails (``None``: none)."""

    part: int | None = None
    extract: int | None = None
    write: int | None = None


_ACTIVE = Faults()


def install(faults: Faults) -> None:
    """Make ``faults`` this process's simulated failures (a worker's start-up)."""
    global _ACTIVE
    _ACTIVE = faults


def check(stage: str, index: int, path: str = "") -> None:
    """Raise the simulated failure of ``stage`` (``part``, ``extract`` or ``write``) for
    ``index``, if there is one."""
    if getattr(_ACTIVE, stage) != index:
        return
    if stage == "write":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    what = "extracting chunk" if stage == "extract" else "in part"
    raise RuntimeError(f"simulated failure {what} {index}")
