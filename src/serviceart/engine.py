"""The scoring engine: chunks of whole cases, cue detection, scorers, rubric.

Work is split into chunks of whole cases; each chunk becomes rows (evidence and
measures), never spaCy Docs. With ``n_process > 1`` chunks go to our own process
pool, each worker holding one pipeline; results are put back in input order, so
a parallel run equals a serial one.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import tzinfo
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from typing import Any

import pandas as pd
from spacy.language import Language

from .codebook import CUES, MEASURES
from .cues.pipeline import make_nlp
from .errors import ConfigError, InputError
from .evidence import extract_evidence
from .model import Conversations
from .result import Result
from .rubric import Rubric
from .schema import EVIDENCE, conform, empty, measures_table
from .scorers import Scorer, ScoringContext, default_scorers

__all__ = ["EngineConfig", "score", "score_chunk"]


@dataclass(frozen=True)
class EngineConfig:
    """Settings that every chunk is scored with (picklable, sent to workers)."""

    sla_s: float = 600.0
    tz: str = "UTC"
    patterns_dir: str | None = None
    batch_size: int = 256


def score_chunk(
    turns: pd.DataFrame,
    interactions: pd.DataFrame,
    config: EngineConfig,
    nlp: Language,
    scorers: list[Scorer],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Evidence and measures for one chunk of whole interactions.

    Returns
    -------
    evidence, measures
        The EVIDENCE table and the measures table for the chunk.
    """
    evidence = extract_evidence(turns, interactions, nlp, tz=config.tz,
                                batch_size=config.batch_size)
    ctx = ScoringContext(turns=turns, interactions=interactions, evidence=evidence,
                         sla_s=config.sla_s)
    measures = pd.DataFrame({"interaction_id": interactions["interaction_id"].to_numpy()})
    for scorer in scorers:
        part = scorer.score(ctx)
        measures = measures.merge(part, on="interaction_id", how="left", validate="1:1")
    return evidence, conform(measures, measures_table(), extra=True)


_WORKER: dict[str, Any] = {}


def _init_worker(config: EngineConfig, scorers: list[Scorer]) -> None:
    _WORKER["nlp"] = make_nlp(patterns_dir=config.patterns_dir)
    _WORKER["scorers"] = scorers


def _run_chunk(args: tuple[pd.DataFrame, pd.DataFrame, EngineConfig]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    turns, inter, config = args
    return score_chunk(turns, inter, config, _WORKER["nlp"], _WORKER["scorers"])


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("serviceart", "spacy", "pandas", "numpy", "pyarrow", "textstat"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def score(
    conv: Conversations,
    rubric: Rubric | str | None = None,
    *,
    sla_s: float = 600.0,
    n_process: int = 1,
    nlp: Language | None = None,
    tz: str | tzinfo = "UTC",
    chunk_size: int = 200,
    scorers: list[Scorer] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Score every interaction: measures, evidence, principle scores.

    Parameters
    ----------
    conv
        Conversations from :func:`serviceart.read` or
        :meth:`Conversations.from_frames`.
    rubric
        A :class:`Rubric`, a path to a rubric TOML file, or ``None`` for the default.
    sla_s
        Reply-time target in seconds for ``replies_over_sla``.
    n_process
        Worker processes; 1 scores in this process. Results are identical.
    nlp
        A pipeline with the ``serviceart_cues`` component (serial runs only);
        :func:`serviceart.make_nlp` by default.
    tz
        Time zone (IANA name) in which due times such as "tomorrow" are resolved.
    chunk_size
        Interactions per chunk (whole cases are never split).
    scorers
        Scorer instances; every registered scorer by default.
    progress
        Called with the number of interactions finished after each chunk.

    Returns
    -------
    Result

    Examples
    --------
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples/chats.jsonl"))
    >>> res.run_info["counts"]["scored"], list(res.scores.columns)[:3]
    (5, ['interaction_id', 'respect', 'service'])
    """
    t0 = time.perf_counter()
    if isinstance(conv, pd.DataFrame):
        conv = Conversations.from_frames(conv)
    if not isinstance(conv, Conversations):
        raise InputError(f"score() takes Conversations (from sa.read or "
                         f"Conversations.from_frames), got {type(conv).__name__}")
    if n_process < 1:
        raise ConfigError(f"n_process must be >= 1, got {n_process}")
    if not sla_s > 0:
        raise ConfigError(f"sla_s must be a positive number of seconds, got {sla_s}")
    if nlp is not None and n_process > 1:
        raise ConfigError("a custom nlp can only be used with n_process=1")
    if not isinstance(tz, str):
        tz = str(getattr(tz, "key", tz))
    _check_tz(tz)
    rub = Rubric.default() if rubric is None else (
        rubric if isinstance(rubric, Rubric) else Rubric.from_file(rubric))
    config = EngineConfig(sla_s=float(sla_s), tz=tz)
    scorers = default_scorers() if scorers is None else list(scorers)

    chunks = list(conv.iter_cases(chunk_size))
    results: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    done = 0
    for ev, me in _run(chunks, config, scorers, nlp, n_process):
        results.append((ev, me))
        done += len(me)
        if progress is not None:
            progress(done)

    evidence = (pd.concat([r[0] for r in results], ignore_index=True) if results
                else empty(EVIDENCE))
    measures = (pd.concat([r[1] for r in results], ignore_index=True) if results
                else conform(pd.DataFrame({"interaction_id": []}), measures_table()))
    # chunks hold whole cases, so put rows back in input order
    order = pd.Series(range(len(conv.interactions)),
                      index=conv.interactions["interaction_id"].to_numpy())
    measures = measures.iloc[order.loc[measures["interaction_id"]].argsort(kind="stable")]
    evidence = evidence.iloc[order.loc[evidence["interaction_id"]].argsort(kind="stable")]
    measures = measures.reset_index(drop=True)
    evidence = conform(evidence.reset_index(drop=True), EVIDENCE)
    scores, contributions = rub.apply(measures)
    elapsed = time.perf_counter() - t0
    words = int(conv.turns["text"].str.count(r"\S+").sum()) if len(conv.turns) else 0
    counts = conv.counts
    run_info = {
        "versions": _versions(),
        "rubric": {"name": rub.name, "version": rub.version, "hash": rub.hash,
                   "source": rub.source},
        "settings": {"sla_s": config.sla_s, "tz": config.tz, "n_process": n_process,
                     "chunk_size": chunk_size, "scorers": [s.name for s in scorers]},
        "counts": {"interactions_in": counts["interactions_in"], "scored": len(scores),
                   "rejected": counts["interactions_in"] - len(scores),
                   "turns_in": counts["turns_in"], "turns_rejected": counts["turns_rejected"],
                   "reject_rows": len(conv.rejects), "evidence_rows": len(evidence)},
        "seconds": round(elapsed, 3),
        "words": words,
        "words_per_second": round(words / elapsed, 1) if elapsed > 0 else None,
        "codebook": {"cues": len(CUES), "measures": len(MEASURES)},
    }
    return Result(scores=scores, measures=measures, evidence=evidence,
                  rejects=conv.rejects, run_info=run_info, contributions=contributions,
                  interactions=conv.interactions)


def _check_tz(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {tz!r}; use an IANA name such as "
                          "'Europe/London' or 'UTC'", field="tz") from exc


def _run(
    chunks: list[Conversations],
    config: EngineConfig,
    scorers: list[Scorer],
    nlp: Language | None,
    n_process: int,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    if n_process == 1 or len(chunks) <= 1:
        pipeline = nlp or make_nlp(patterns_dir=config.patterns_dir)
        for c in chunks:
            yield score_chunk(c.turns, c.interactions, config, pipeline, scorers)
        return
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_process, len(chunks)), mp_context=ctx,
                             initializer=_init_worker, initargs=(config, scorers)) as pool:
        yield from pool.map(_run_chunk, [(c.turns, c.interactions, config) for c in chunks])
