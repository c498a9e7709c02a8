"""Worker processes: one cue pipeline each, shared by the local and batch engines.

Workers fork from a server that imported spaCy and built the default pipeline
once (:mod:`serviceart.run.preload`), through :class:`serviceart.run.pool.RotatingPool`;
each keeps one pipeline per pattern folder (:func:`serviceart.run.chunk.pipeline`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from ..ingest.model import Conversations
from .pool import PRELOAD, WORKER_ENV, RotatingPool
from .settings import ScoreSettings

if TYPE_CHECKING:
    from .chunk import PartTables

__all__ = ["init_worker", "local_pool", "preload", "score_task"]


def preload() -> None:
    """Build and warm the default pipeline once, in the fork server, for every worker."""
    settings = ScoreSettings()
    _warm_up(settings)


def init_worker() -> None:
    """Worker start: Arrow memory from ``malloc`` (see :data:`serviceart.run.pool.WORKER_ENV`);
    the pipeline comes from the fork server, or is built on the first task."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())


def _warm_up(settings: ScoreSettings) -> None:
    """Score one small chat, so that one-time loads (textstat's dictionaries, lazy
    imports) happen before the first part, not in it."""
    turns = pd.DataFrame({
        "interaction_id": "warm-up", "role": ["customer", "agent"], "channel": "chat",
        "timestamp": ["2026-03-02T09:00:00Z", "2026-03-02T09:01:00Z"],
        "text": ["Hi, my order has not arrived yet.",
                 "Sorry about that! I will email you the tracking number tomorrow morning, "
                 "once the warehouse confirms it has been shipped to your address. The "
                 "parcel usually takes two working days, and you can follow it online "
                 "with the link in that email."]})  # 30+ agent words: readability too
    conv = Conversations.from_frames(turns)
    inter = conv.interactions.assign(case_id="warm-up", case_rule="single",
                                     repeat_contact=0.0)
    from .chunk import pipeline, score_part

    score_part(conv.turns, inter, settings, nlp=pipeline(settings))


def score_task(turns: pd.DataFrame, interactions: pd.DataFrame, settings: ScoreSettings
               ) -> PartTables:
    """Worker: score one part sent with its tables (the local engine's task)."""
    from .chunk import score_part

    return score_part(turns, interactions, settings)


@contextmanager
def local_pool(settings: ScoreSettings, tasks: int) -> Iterator[RotatingPool]:
    """A pool of ``settings.jobs`` workers (at most one per task) for the local engine."""
    workers = max(1, min(settings.jobs, tasks))
    pool = RotatingPool(workers, settings.recycle_after * workers, init_worker,
                        preload=PRELOAD, server_env=WORKER_ENV)
    try:
        yield pool
    except BaseException:
        pool.shutdown(cancel=True)
        raise
    pool.shutdown()
