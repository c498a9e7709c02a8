"""Run once by the engines' fork server, before it forks any worker: the heavy
imports (spaCy, pandas, pyarrow, the engines), the default pipeline and the
one-time loads (textstat's pronouncing dictionary), which every worker then shares
instead of repeating (see :mod:`serviceart.run.worker`). First of all, the server
makes sure it dies with the process that started it (see
:func:`serviceart.run.pool.die_with_parent`)."""

from __future__ import annotations

import os

from .pool import PARENT_ENV, die_with_parent

if os.environ.get(PARENT_ENV, "") == str(os.getppid()):
    die_with_parent(os.getppid())

from . import (
    batch,  # noqa: F401  (after the lifeline: these imports take seconds)
    worker,
)

worker.preload()
