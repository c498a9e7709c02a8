"""Run once by the batch engine's fork server, before it forks any worker: the heavy
imports (spaCy, pandas, pyarrow, the engine), the default pipeline and the one-time
loads (textstat's pronouncing dictionary), which every worker then shares instead
of repeating (see :mod:`serviceart.batch`)."""

from __future__ import annotations

from . import batch

batch.preload()
