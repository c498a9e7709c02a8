"""The scoring engine: chunks of whole cases, cue detection, scorers, rubric.

Work is split into chunks of whole cases; each chunk becomes rows (evidence and
measures), never spaCy Docs. With ``n_process > 1`` chunks go to our own process
pool, each worker holding one pipeline; results are put back in input order, so
a parallel run equals a serial one.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import tzinfo
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

from ._words import word_counts
from .businesshours import BusinessCalendar
from .cases import case_summary, link_cases, parse_window
from .codebook import CUES, MEASURES
from .cues.pipeline import make_nlp
from .errors import ConfigError, InputError
from .evidence import extract_evidence
from .followthrough import DEFAULT_HORIZONS, promise_ledger
from .model import Conversations
from .result import Result
from .rubric import Rubric
from .schema import EVIDENCE, PROMISES, conform, empty, measures_table
from .scorers import Scorer, ScoringContext, default_scorers
from .scorers.case import contact_times

__all__ = ["EngineConfig", "repeat_contacts", "repeat_from_times", "score", "score_chunk"]


@dataclass(frozen=True)
class EngineConfig:
    """Settings that every chunk is scored with (picklable, sent to workers)."""

    sla_s: float = 600.0
    tz: str = "UTC"
    patterns_dir: str | None = None
    batch_size: int = 256
    calendar: BusinessCalendar | None = None
    #: the end of the data: promises due later are open
    as_of: pd.Timestamp | None = None
    #: default promise horizons per channel (when no due time was stated)
    horizons: Mapping[str, pd.Timedelta] | None = None


def score_chunk(
    turns: pd.DataFrame,
    interactions: pd.DataFrame,
    config: EngineConfig,
    nlp: Language,
    scorers: list[Scorer],
    evidence: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Evidence, measures and promise ledger for one chunk of whole cases.

    ``evidence``, when given, is the chunk's EVIDENCE table as
    :func:`~serviceart.evidence.extract_evidence` makes it (in turn order, with the
    same ``tz`` and calendar); it is extracted here otherwise. Evidence depends
    on each turn alone, so the batch engine extracts it while the input is still
    being read, before cases are known.

    Returns
    -------
    evidence, measures, promises
        The EVIDENCE table, the measures table and the PROMISES ledger of the chunk.
    """
    if evidence is None:
        evidence = extract_evidence(turns, interactions, nlp, tz=config.tz,
                                    batch_size=config.batch_size, calendar=config.calendar)
    promises = promise_ledger(turns, interactions, evidence, as_of=config.as_of,
                              horizons=config.horizons, calendar=config.calendar)
    ctx = ScoringContext(turns=turns, interactions=interactions, evidence=evidence,
                         sla_s=config.sla_s, calendar=config.calendar, promises=promises)
    measures = pd.DataFrame({"interaction_id": interactions["interaction_id"].to_numpy()})
    for scorer in scorers:
        part = scorer.score(ctx)
        measures = measures.merge(part, on="interaction_id", how="left", validate="1:1")
    return evidence, conform(measures, measures_table(), extra=True), promises


_WORKER: dict[str, Any] = {}


def _init_worker(config: EngineConfig, scorers: list[Scorer]) -> None:
    _WORKER["nlp"] = make_nlp(patterns_dir=config.patterns_dir)
    _WORKER["scorers"] = scorers


def _run_chunk(args: tuple[pd.DataFrame, pd.DataFrame, EngineConfig]
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
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
    chunk_size: int = 1000,
    scorers: list[Scorer] | None = None,
    progress: Callable[[int], None] | None = None,
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = "7D",
    link_by_customer: bool = True,
    promise_horizons: Mapping[str, str | pd.Timedelta] | None = None,
    as_of: str | pd.Timestamp | None = None,
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
    calendar
        Business hours (a :class:`BusinessCalendar`, a TOML file path or a
        mapping): written-channel reply latency and ``sla_s`` then count
        business time, and "N business days" due times use its open days and
        holidays.
    case_window
        Contacts of one customer without an exported case are one case when at
        most this far apart (default ``"7D"``); the same window defines
        ``repeat_contact``. See :mod:`serviceart.cases`.
    link_by_customer
        ``False`` keeps only the export's own case ids.
    promise_horizons
        Due time by channel for promises that state none (e.g.
        ``{"email": "2D"}``); see :mod:`serviceart.followthrough`.
    as_of
        The end of the data: promises due after it are ``open``. Default: the
        latest turn or start time in the input.

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
    cal = _calendar(calendar)
    window = parse_window(case_window)
    conv = link_cases(conv, window, by_customer=link_by_customer)
    end = _as_of(conv, as_of)
    horizons = {**DEFAULT_HORIZONS, **{str(k): parse_window(v) for k, v in
                                      (promise_horizons or {}).items()}}
    config = EngineConfig(sla_s=float(sla_s), tz=tz, calendar=cal, as_of=end,
                          horizons=horizons)
    scorers = default_scorers() if scorers is None else list(scorers)

    chunks = list(conv.iter_cases(chunk_size))
    results: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = []
    done = 0
    for ev, me, pr in _run(chunks, config, scorers, nlp, n_process):
        results.append((ev, me, pr))
        done += len(me)
        if progress is not None:
            progress(done)

    evidence = (pd.concat([r[0] for r in results], ignore_index=True) if results
                else empty(EVIDENCE))
    measures = (pd.concat([r[1] for r in results], ignore_index=True) if results
                else empty(measures_table()))
    # chunks hold whole cases, so put rows back in input order
    order = pd.Series(range(len(conv.interactions)),
                      index=conv.interactions["interaction_id"].to_numpy())
    measures = measures.iloc[order.loc[measures["interaction_id"]].argsort(kind="stable")]
    evidence = evidence.iloc[order.loc[evidence["interaction_id"]].argsort(kind="stable")]
    measures = measures.reset_index(drop=True)
    measures["repeat_contact"] = repeat_contacts(conv.turns, conv.interactions, window
                                                 ).reindex(measures["interaction_id"]).to_numpy()
    evidence = conform(evidence.reset_index(drop=True), EVIDENCE)
    promises = (pd.concat([r[2] for r in results], ignore_index=True) if results
                else empty(PROMISES))
    promises = conform(promises.iloc[order.loc[promises["interaction_id"]].argsort(
        kind="stable")].reset_index(drop=True), PROMISES)
    scores, contributions = rub.apply(measures)
    elapsed = time.perf_counter() - t0
    sized = with_size(conv.turns, conv.interactions)
    words = int(sized["n_words"].sum())
    counts = conv.counts
    run_info = {
        "versions": _versions(),
        "rubric": {"name": rub.name, "version": rub.version, "hash": rub.hash,
                   "source": rub.source},
        "settings": {"sla_s": config.sla_s, "tz": config.tz, "n_process": n_process,
                     "chunk_size": chunk_size, "scorers": [s.name for s in scorers],
                     "calendar": None if cal is None else cal.to_dict(),
                     "as_of": None if end is None else end.isoformat(),
                     "promise_horizons": {k: str(v) for k, v in horizons.items()}},
        "case_linking": case_summary(conv.interactions, window),
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
                  interactions=sized, promises=promises,
                  bands=rub.assign_bands(scores), turns=conv.turns)


def with_size(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Interactions with ``n_turns`` and ``n_words``: how much transcript each has
    (for data-quality checks, e.g. in :func:`serviceart.fairness`)."""
    out = interactions.copy()
    ids = turns["interaction_id"]
    words = pd.Series(word_counts(turns["text"]), index=turns.index)
    key = out["interaction_id"]
    out["n_turns"] = key.map(ids.value_counts()).fillna(0).astype("int64").to_numpy()
    out["n_words"] = key.map(words.groupby(ids).sum()).fillna(0).astype("int64").to_numpy()
    return out


def _calendar(value: BusinessCalendar | str | Mapping[str, Any] | None
              ) -> BusinessCalendar | None:
    if value is None or isinstance(value, BusinessCalendar):
        return value
    if isinstance(value, Mapping):
        return BusinessCalendar.from_dict(value)
    return BusinessCalendar.from_toml(value)


def _as_of(conv: Conversations, value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    """The end of the data: the given time, else the latest turn or start time."""
    if value is not None:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"as_of={value!r} is not a date and time", field="as_of") from exc
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if conv.turns.empty:
        return None
    times = contact_times(conv.turns, conv.interactions)
    latest = times["ended"].max()
    return None if pd.isna(latest) else pd.Timestamp(latest)


def repeat_contacts(turns: pd.DataFrame, interactions: pd.DataFrame,
                    window: pd.Timedelta) -> pd.Series:
    """``repeat_contact`` per interaction: 1 when the customer contacted again later.

    A later contact opened by the customer (its first agent-or-customer turn is
    theirs) on the same case, or by the same ``customer_id`` within ``window``,
    makes this contact a repeat (it did not resolve the issue the first time);
    0 otherwise; NaN when the contact has no start time.
    """
    if interactions.empty:
        return pd.Series(dtype="float64")
    return repeat_from_times(interactions, contact_times(turns, interactions), window)


def repeat_from_times(interactions: pd.DataFrame, times: pd.DataFrame,
                      window: pd.Timedelta) -> pd.Series:
    """:func:`repeat_contacts` from interaction metadata and :func:`contact_times`
    (``started``, ``opened_by`` indexed by interaction id), without the turns."""
    if interactions.empty:
        return pd.Series(dtype="float64")
    inter = interactions.set_index("interaction_id")
    times = times.reindex(inter.index)
    frame = pd.DataFrame({"case": inter["case_id"].astype("string"),
                          "customer": inter["customer_id"].astype("string"),
                          "started": times["started"],
                          "by_customer": times["opened_by"] == "customer"})
    out = pd.Series(0.0, index=inter.index)
    out[frame["started"].isna()] = np.nan
    came_back = frame[frame["by_customer"].fillna(False).astype(bool) & frame["started"].notna()]
    # the latest customer-opened start per case, and per customer (sorted starts)
    if came_back.empty:
        return out
    last_in_case = came_back.groupby("case")["started"].max()
    later_case = pd.to_datetime(frame["case"].map(last_in_case), utc=True)
    out[(later_case > frame["started"]).fillna(False).to_numpy(dtype=bool)] = 1.0
    starts = {c: np.sort(g.to_numpy(dtype="datetime64[ns]"))
              for c, g in came_back.dropna(subset=["customer"]).groupby("customer")["started"]}
    known = frame[frame["customer"].notna() & frame["started"].notna()]
    for cust, g in known.groupby("customer"):
        arr = starts.get(cust)
        if arr is None:
            continue
        t = g["started"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
        k = np.searchsorted(arr, t, side="right")
        nxt = arr[np.minimum(k, len(arr) - 1)]
        hit = (k < len(arr)) & (nxt - t <= np.timedelta64(int(window.value), "ns"))
        out.loc[g.index[hit]] = 1.0
    return out


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
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    if n_process == 1 or len(chunks) <= 1:
        pipeline = nlp or make_nlp(patterns_dir=config.patterns_dir)
        for c in chunks:
            yield score_chunk(c.turns, c.interactions, config, pipeline, scorers)
        return
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_process, len(chunks)), mp_context=ctx,
                             initializer=_init_worker, initargs=(config, scorers)) as pool:
        yield from pool.map(_run_chunk, [(c.turns, c.interactions, config) for c in chunks])
