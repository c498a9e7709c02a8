"""Batch scoring at scale: streamed input, whole cases per part, resumable Parquet parts.

``run_batch(paths, output)`` (the ``serviceart score`` command) scores exports
of any size in bounded memory:

1. **Index.** The input is streamed once (:func:`serviceart.stream`) keeping only
   interaction metadata in memory: ids, case and customer ids, start and end
   times, who opened the contact. The validated chunks go to a temporary spill
   folder beside the output (``.<output>.spill-<pid>``, Arrow IPC files, removed
   at the end), so the input is parsed and validated once. Meanwhile the workers, already
   started, extract each spilled chunk's evidence (the cue pipeline: most of
   the work, and it needs no case and no end of data), so reading and scoring
   overlap. Cases are then linked over the whole dataset
   (:func:`serviceart.cases.assign_cases`), repeat contacts found, and the end
   of the data (``as_of``) fixed, exactly as :func:`serviceart.score` would.
2. **Score.** The spilled interaction tables are read back in order;
   interactions wait in a buffer until every contact of their case has been
   read, and whole cases are handed out in *parts* of about ``chunk_size``
   interactions (the last one cut in halves, so the workers finish together) to
   the ``jobs`` worker processes. A task carries only the part's interactions
   and the numbers of the chunks holding its turns; the worker reads the turns
   and the extracted evidence from the spill itself. Workers fork from a server
   that imported spaCy once (the command line starts it before its own
   imports); each holds one spaCy pipeline, and the workers are replaced after
   about ``recycle_after`` tasks each so their string stores cannot grow
   without bound (see :mod:`serviceart._pool`).
3. **Write.** A worker writes its part's tables (scores, measures, evidence,
   contributions, promises, rejects, interactions) as
   ``<output>/<table>/part-NNNNN.parquet`` under temporary names and renames
   them, then writes ``<output>/parts/part-NNNNN.json`` last: a part is
   complete exactly when its marker exists. A part that fails to score puts
   its interactions in ``rejects`` with code ``scoring_failed`` and the error,
   and the run goes on.

Rerunning the same command on the same output skips the parts whose marker
exists and whose files match the rows and sha256 the marker records (the input
is read again, but only missing, damaged and, unless ``retry_failed=False``,
failed parts are scored, with their evidence extracted in the part), so an
interrupted run resumes; a different input, rubric or settings is refused
unless the folder is emptied. ``Ctrl-C`` stops after cancelling pending
parts; only complete parts remain. Before it succeeds, a run checks its tables
against its markers and its input (see :mod:`serviceart._runfolder`); a
mismatch is an :class:`~serviceart.errors.OutputError`. ``run.json`` is
written last with the counts taken from the tables (interactions in = scored +
rejected), elapsed time, words/s and the peak memory of the workers.
:meth:`serviceart.Result.from_parquet` reads the folder. One run at a time holds
the folder's lock; the spill folder of a killed run is removed by the next.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import resource
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.language import Language

from ._ids import member
from ._pool import PRELOAD, WORKER_ENV, RotatingPool
from ._runfolder import (
    LOCK_NAME,
    check_tables,
    clean_stale_spills,
    file_sha256,
    lock_folder,
    spill_prefix,
    verified_parts,
    writing,
)
from ._words import word_counts
from .businesshours import BusinessCalendar
from .cases import assign_cases, case_summary, parse_window
from .cues.pipeline import make_nlp
from .engine import (
    EngineConfig,
    _calendar,
    _check_tz,
    _versions,
    repeat_from_times,
    score_chunk,
    with_size,
)
from .errors import ConfigError, OutputError
from .evidence import extract_evidence
from .followthrough import DEFAULT_HORIZONS
from .io import expand_paths, stream
from .model import Conversations, case_groups, concat_rejects
from .readers.base import reject_rows
from .rubric import Rubric
from .schema import (
    CONTRIBUTIONS,
    EVIDENCE,
    PROMISES,
    REJECTS,
    SCORES,
    TURNS,
    conform,
    empty,
    measures_table,
)
from .scorers import Scorer, default_scorers
from .scorers.case import contact_times

__all__ = ["BatchSummary", "run_batch"]

TABLES = ("scores", "measures", "evidence", "contributions", "promises", "rejects",
          "interactions")


@dataclass
class BatchSummary:
    """What a batch run did: counts, time, speed and memory."""

    output: Path
    interactions_in: int = 0
    scored: int = 0
    rejected: int = 0
    parts: int = 0
    parts_skipped: int = 0
    parts_failed: int = 0
    #: reject rows tied to no interaction (an unreadable file, a line without a usable id):
    #: not in ``interactions_in``, but in the rejects table with their source and record
    unattributed: int = 0
    seconds: float = 0.0
    words: int = 0
    peak_rss_mb: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def words_per_second(self) -> float:
        """Words scored per second of wall time (skipped parts excluded)."""
        return self.words / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------- phase 1: the index
def _index(paths: list[Path], format: str | None, chunk_size: int,
           read_options: Mapping[str, Any], spill: Path,
           extract: Callable[[int], None] | None = None,
           ) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Interaction metadata of the whole input (no turns), its rejects, and turn counts.

    Each validated chunk is also written to ``spill`` (Parquet), so that the
    scoring pass reads validated tables instead of parsing and validating the
    input a second time in the parent process. ``extract(k)``, when given, is
    called after chunk ``k`` is spilled (it hands the chunk's evidence
    extraction to the workers, see :class:`_Extractor`).
    """
    with writing(spill):
        spill.mkdir(parents=True, exist_ok=True)
    chunks = stream(paths, format, chunk_size=chunk_size, **read_options)
    try:
        metas, rejects, interactions_in, turns_in = _index_chunks(chunks, spill, extract)
    finally:  # a write error stops the pass: the readers close their files now
        if isinstance(chunks, Generator):
            chunks.close()
    keep = ["interaction_id", "case_id", "customer_id", "started_at", "previous_contact_id",
            "aws_contact_id"]
    meta = pd.concat(metas, ignore_index=True) if metas else pd.DataFrame(columns=keep)
    return meta, concat_rejects(rejects), interactions_in, turns_in


def _index_chunks(chunks: Iterator[Conversations], spill: Path,
                  extract: Callable[[int], None] | None
                  ) -> tuple[list[pd.DataFrame], list[pd.DataFrame], int, int]:
    """The loop of :func:`_index`: spill each chunk, keep its metadata and rejects."""
    metas: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    interactions_in = turns_in = 0
    keep = ["interaction_id", "case_id", "customer_id", "started_at", "previous_contact_id",
            "aws_contact_id"]
    for k, chunk in enumerate(chunks):
        inter = chunk.interactions
        _spill(chunk.turns, _spill_file(spill, k, "turns"))
        _spill(inter, _spill_file(spill, k, "interactions"))
        if extract is not None and len(inter):
            extract(k)
        times = contact_times(chunk.turns, inter) if len(inter) else pd.DataFrame(
            columns=["started", "ended", "opened_by"])
        meta = inter[[c for c in keep if c in inter.columns]].copy()
        meta["_started"] = times["started"].reindex(inter["interaction_id"]).to_numpy()
        meta["_ended"] = times["ended"].reindex(inter["interaction_id"]).to_numpy()
        meta["_opened_by"] = times["opened_by"].reindex(inter["interaction_id"]).to_numpy()
        metas.append(meta)
        rejects.append(chunk.rejects)
        c = chunk.counts
        interactions_in += c["interactions_in"]
        turns_in += c["turns_in"]
    return metas, rejects, interactions_in, turns_in


class _Extractor:
    """Hands spilled chunks to the workers for evidence extraction during the index pass.

    While the workers start (the fork server imports spaCy first), chunk numbers
    wait in a backlog and the reader goes on; once they are up, chunks are
    submitted, at most ``limit`` waiting at a time (tasks hold only chunk
    numbers; a queue shorter than a pool's share never spreads over two pools).
    """

    def __init__(self, pool: RotatingPool, spill: Path, tz: str,
                 calendar: BusinessCalendar | None, limit: int) -> None:
        self.pool, self.spill, self.tz, self.calendar = pool, spill, tz, calendar
        self.limit = max(1, limit)
        self.futures: dict[int, Future[int]] = {}
        self._backlog: list[int] = []
        self._queued: set[Future[int]] = set()

    def __call__(self, k: int) -> None:
        self._backlog.append(k)
        if self.pool.ready.is_set():
            self._drain()

    def _drain(self) -> None:
        for k in self._backlog:
            while len(self._queued) >= self.limit:
                done, _ = wait(self._queued, return_when=FIRST_COMPLETED)
                self._queued.difference_update(done)
            future = self.pool.submit(_extract, k, str(self.spill), self.tz, self.calendar)
            self._queued.add(future)
            self.futures[k] = future
        self._backlog = []

    def finish(self) -> dict[int, Future[int]]:
        """Submit what is still waiting (once the workers are up); the futures by chunk."""
        if self._backlog:
            self.pool.ready.wait()
            self._drain()
        return self.futures


def _spill_file(spill: Path, k: int, table: str) -> Path:
    """Spilled chunk ``k``'s ``turns``, ``interactions`` or ``evidence``."""
    return spill / f"{k:06d}-{table}.arrow"


def _spill(frame: pd.DataFrame, target: Path) -> None:
    """Write a spilled table (Arrow IPC: written and read back much faster than Parquet,
    and it never leaves the run), under a temporary name first."""
    tmp = target.with_name(f".{target.name}.tmp")
    with writing(target.parent):
        frame.reset_index(drop=True).to_feather(tmp)
        os.replace(tmp, target)


def _unspill(spill: Path, chunks: Iterable[int], table: str, ids: pd.Series) -> pd.DataFrame:
    """The rows of some interactions in spilled chunks, in input order."""
    frames = [pd.read_feather(_spill_file(spill, k, table)) for k in chunks]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame[member(frame["interaction_id"], ids)].reset_index(drop=True)


def _extract(k: int, spill: str, tz: str, calendar: BusinessCalendar | None) -> int:
    """Worker: the evidence of spilled chunk ``k``, written beside it (a cache: a
    chunk without its file has its evidence extracted with its part instead)."""
    if _STATE.get("fail_extract") == k:  # test hook: an extraction that fails
        raise RuntimeError(f"simulated failure extracting chunk {k}")
    folder = Path(spill)
    turns = pd.read_feather(_spill_file(folder, k, "turns"))
    inter = pd.read_feather(_spill_file(folder, k, "interactions"))
    evidence = extract_evidence(turns, inter, _STATE["nlp"], tz=tz, calendar=calendar)
    _spill(evidence, _spill_file(folder, k, "evidence"))
    return k


# ---------------------------------------------------------------- phase 2: whole cases
@dataclass
class _Part:
    """A part to score: its interactions (case columns added) and where its rows are."""

    interactions: pd.DataFrame
    #: the spilled chunks holding its turns, in input order
    chunks: list[int]
    #: whether the evidence of every one of those chunks was extracted
    evidence: bool

    def __len__(self) -> int:
        return len(self.interactions)


def _spilled(spill: Path, extracted: Mapping[int, Future[int]]
             ) -> Iterator[tuple[int, pd.DataFrame, bool]]:
    """The interactions of each spilled chunk, in input order, and whether a worker
    extracted the chunk's evidence."""
    for inter_file in sorted(spill.glob("*-interactions.arrow")):
        k = int(inter_file.name.split("-")[0])
        ok = False
        if k in extracted:
            try:
                extracted[k].result()
                ok = True
            except Exception:  # extracted again with its part; the run goes on
                ok = False
        yield k, pd.read_feather(inter_file), ok


def _units(spill: Path, chunk_size: int, cases: pd.DataFrame,
           extracted: Mapping[int, Future[int]] | None = None) -> Iterator[_Part]:
    """Whole cases, about ``chunk_size`` interactions each, in input order; the last
    part is cut in two halves, so that the workers finish close together (a
    function of the input and ``chunk_size`` only: a resumed run cuts the same
    parts).

    Only interaction tables are read here: a worker reads its part's turns and
    evidence from the spilled chunks itself.
    """
    evidence_ok: dict[int, bool] = {}  # filled as the chunks are read
    held: pd.DataFrame | None = None
    for group in _groups(spill, chunk_size, cases, extracted or {}, evidence_ok):
        if held is not None:
            yield _part(held, evidence_ok)
        held = group
    if held is not None:
        for rows in case_groups(held, max(1, (len(held) + 1) // 2)):
            yield _part(held[rows], evidence_ok)


def _part(group: pd.DataFrame, evidence_ok: Mapping[int, bool]) -> _Part:
    """A :class:`_Part` from interactions with the ``_chunk`` each was spilled in."""
    chunks = sorted(set(group["_chunk"].tolist()))
    return _Part(group.drop(columns="_chunk").reset_index(drop=True), chunks,
                 all(evidence_ok.get(k, False) for k in chunks))


def _groups(spill: Path, chunk_size: int, cases: pd.DataFrame,
            extracted: Mapping[int, Future[int]], evidence_ok: dict[int, bool]
            ) -> Iterator[pd.DataFrame]:
    """The interactions of each part, with the ``_chunk`` each was spilled in; records
    in ``evidence_ok`` whether each chunk read so far had its evidence extracted."""
    case_of = cases["case_id"]
    rule_of = cases["case_rule"]
    repeat_of = cases["repeat_contact"]
    # the stream position of each case's last interaction
    position = pd.Series(range(len(cases)), index=cases.index)
    last = position.groupby(case_of).max()
    seen = 0
    pending: list[pd.DataFrame] = []
    ready_n = 0
    for k, chunk_inter, ok in _spilled(spill, extracted):
        evidence_ok[k] = ok
        inter = chunk_inter.copy()
        ids = inter["interaction_id"].astype(str)
        inter["case_id"] = ids.map(case_of).astype("string").to_numpy()
        inter["case_rule"] = ids.map(rule_of).astype("string").to_numpy()
        inter["repeat_contact"] = ids.map(repeat_of).astype("float64").to_numpy()
        inter["_chunk"] = k
        seen += len(inter)
        pending.append(inter)
        ready_n += len(inter)
        if ready_n < chunk_size:
            continue
        buf = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
        complete = (buf["case_id"].map(last) < seen).to_numpy(dtype=bool)
        if int(complete.sum()) >= chunk_size:
            done = buf[complete]
            groups = [done[rows] for rows in case_groups(done, chunk_size)]
            # a short last part waits for the next chunk's cases: no tiny parts
            short = [groups.pop()] if len(groups) > 1 and len(groups[-1]) < chunk_size else []
            yield from groups
            rest = buf[~complete]
            pending = short + ([rest] if len(rest) else [])
            ready_n = sum(len(p) for p in pending)
    if pending:
        buf = pd.concat(pending, ignore_index=True)
        yield from (buf[rows] for rows in case_groups(buf, chunk_size))


# ---------------------------------------------------------------- the worker
_STATE: dict[str, Any] = {}


def _init(scorers: list[Scorer], rubric: Rubric, patterns_dir: str | None = None,
          fail: Mapping[str, int | None] | None = None) -> None:
    """Worker start: one pipeline, the scorers and the rubric (settings come with each
    task, since the end of the data is known only after the index pass). A worker
    forked from the fork server takes the pipeline the server built and warmed."""
    _system_allocator()
    nlp = _PRELOADED.get("nlp") if patterns_dir is None else None
    if nlp is None:
        nlp = make_nlp(patterns_dir=patterns_dir)
        _warm_up(nlp)
    _STATE.update(nlp=nlp, scorers=scorers, rubric=rubric, **(fail or {}))


#: the pipeline built once in the fork server (see :mod:`serviceart._preload`)
_PRELOADED: dict[str, Language] = {}

#: evidence tasks the index pass may queue before it waits for the workers
_READ_AHEAD = 32


def _system_allocator() -> None:
    """Arrow memory from ``malloc`` in a worker that did not start with
    :data:`serviceart._pool.WORKER_ENV` (spawned workers, where there is no fork
    server; a forked worker has it from the server's environment)."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def preload() -> None:
    """Build and warm the default pipeline once, in the fork server, for every worker."""
    nlp = make_nlp()
    _warm_up(nlp)
    _PRELOADED["nlp"] = nlp


def _warm_up(nlp: Language) -> None:
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
    inter = conv.interactions.assign(case_id="warm-up")
    score_chunk(conv.turns, inter, EngineConfig(horizons=dict(DEFAULT_HORIZONS)), nlp,
                default_scorers())


def _arrow_pool() -> str:
    import pyarrow as pa

    return str(pa.default_memory_pool().backend_name)


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _write(out: Path, index: int, tables: Mapping[str, pd.DataFrame],
           marker: Mapping[str, Any]) -> dict[str, Any]:
    """Write one part atomically: every table, then the marker that makes it complete.

    The marker records each table's rows and the sha256 of its file, so that a
    rerun can tell an intact part from a damaged one. A write error (a full
    disk, a read-only folder) is an :class:`~serviceart.errors.OutputError`.
    """
    name = f"part-{index:05d}"
    rows: dict[str, int] = {}
    sums: dict[str, str] = {}
    for table, frame in tables.items():
        folder = out / table
        tmp = folder / f".{name}.parquet.tmp"
        with writing(tmp):
            if _STATE.get("fail_write") == index:  # test hook: the disk fills up here
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
            folder.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(tmp, index=False)
            sums[table] = file_sha256(tmp)
            os.replace(tmp, folder / f"{name}.parquet")
        rows[table] = len(frame)
    parts = out / "parts"
    tmp = parts / f".{name}.json.tmp"
    full = {**marker, "rows": rows, "sha256": sums}
    with writing(tmp):
        parts.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(full, default=str), encoding="utf-8")
        os.replace(tmp, parts / f"{name}.json")
    return full


def _score_part(index: int, interactions: pd.DataFrame, chunks: list[int],
                with_evidence: bool, spill: str, out: str, config: EngineConfig
                ) -> dict[str, Any]:
    """Score one part and write it; a failure becomes ``scoring_failed`` rejects.

    The part's turns, and its evidence when ``with_evidence``, are read from the
    spilled ``chunks`` (only ids and interactions travel with the task).
    """
    t0 = time.perf_counter()
    turns, words = empty(TURNS), 0
    try:
        ids = interactions["interaction_id"]
        turns = _unspill(Path(spill), chunks, "turns", ids)
        words = int(word_counts(turns["text"]).sum())
        evidence = (conform(_unspill(Path(spill), chunks, "evidence", ids), EVIDENCE)
                    if with_evidence else None)
        if _STATE.get("fail_on") == index:  # test hook: simulate a part that cannot be scored
            raise RuntimeError(f"simulated failure in part {index}")
        evidence, measures, promises = score_chunk(turns, interactions, config, _STATE["nlp"],
                                                   _STATE["scorers"], evidence)
        measures["repeat_contact"] = interactions.set_index("interaction_id")[
            "repeat_contact"].reindex(measures["interaction_id"]).to_numpy()
        scores, contributions = _STATE["rubric"].apply(measures)
        tables = {"scores": scores, "bands": _STATE["rubric"].assign_bands(scores),
                  "measures": measures, "evidence": evidence,
                  "contributions": contributions, "promises": promises,
                  "rejects": empty(REJECTS), "interactions": with_size(turns, interactions),
                  "turns": turns}
        scored, failed = len(scores), None
    except Exception as exc:  # one bad part must not stop a night's run
        reason = (f"scoring failed: {type(exc).__name__}: {exc}; the other parts were "
                  "scored. Rerun to retry this part.")
        rows = [{"source": None, "record": f"part {index}", "interaction_id": iid,
                 "field": None, "code": "scoring_failed", "reason": reason}
                for iid in interactions["interaction_id"].astype(str)]
        tables = {"scores": empty(SCORES), "bands": pd.DataFrame(
            {"interaction_id": pd.Series(dtype="string")}), "measures": empty(measures_table()),
                  "evidence": empty(EVIDENCE), "contributions": empty(CONTRIBUTIONS),
                  "promises": empty(PROMISES), "rejects": reject_rows(rows),
                  "interactions": interactions.iloc[:0], "turns": turns.iloc[:0]}
        scored, failed, words = 0, "".join(traceback.format_exception_only(exc)).strip(), 0
    marker = {"part": index, "interactions": len(interactions), "scored": scored,
              "failed": failed, "words": words, "seconds": time.perf_counter() - t0,
              "peak_rss_mb": _peak_mb(), "pid": os.getpid(),
              "arrow_pool": _arrow_pool()}
    return _write(Path(out), index, tables, marker)


# ---------------------------------------------------------------- the run
def _fingerprint(files: list[Path], settings: Mapping[str, Any]) -> str:
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def run_batch(
    paths: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    format: str | None = None,
    rubric: Rubric | str | None = None,
    jobs: int | None = None,
    chunk_size: int = 1000,
    recycle_after: int = 100,
    sla_s: float = 600.0,
    tz: str = "UTC",
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = "7D",
    as_of: str | pd.Timestamp | None = None,
    progress: Callable[[int, int], None] | None = None,
    retry_failed: bool = True,
    _fail_part: int | None = None,
    _fail_extract: int | None = None,
    _fail_write: int | None = None,
    **read_options: Any,
) -> BatchSummary:
    """Score exports of any size into a resumable run folder of Parquet parts.

    Parameters
    ----------
    paths
        Files or folders.
    output
        The run folder (created; a rerun with the same input and settings resumes).
    format
        Reader name; sniffed per file when ``None``.
    rubric
        A :class:`Rubric` or a TOML path; the default rubric when ``None``.
    jobs
        Worker processes (default: all cores).
    chunk_size
        About how many interactions each part holds (whole cases, never split).
    recycle_after
        About how many tasks (evidence chunks and parts) a worker runs before it
        is replaced.
    sla_s, tz, calendar, case_window, as_of
        As for :func:`serviceart.score`.
    progress
        Called as ``progress(done, total)`` with interactions finished.
    retry_failed
        On a rerun, score again the parts that failed before (their interactions
        are in ``rejects`` with code ``scoring_failed``); ``False`` keeps them.
    **read_options
        Reader options (``columns=``, ``roles=``, ``agent_domains=``...).

    Returns
    -------
    BatchSummary

    Raises
    ------
    OutputError
        When the output cannot be written (a full disk, a read-only folder),
        another run is writing the same folder, or the finished tables do not
        hold exactly the input's interactions.
    ConfigError
        When the folder holds a different run or something else.

    Examples
    --------
    >>> import tempfile, serviceart as sa
    >>> from serviceart.batch import run_batch
    >>> with tempfile.TemporaryDirectory() as d:
    ...     s = run_batch("data/samples", d, jobs=1)
    ...     (s.interactions_in, s.scored, s.rejected), len(sa.Result.from_parquet(d).scores)
    ((13, 13, 0), 13)
    """
    t0 = time.perf_counter()
    files = expand_paths(paths)
    out = Path(output)
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1 or chunk_size < 1 or recycle_after < 1:
        raise ConfigError("jobs, chunk_size and recycle_after must be >= 1")
    _check_tz(tz)
    rub = Rubric.default() if rubric is None else (
        rubric if isinstance(rubric, Rubric) else Rubric.from_file(rubric))
    cal = _calendar(calendar)
    window = parse_window(case_window)

    _open_folder(out)
    lock = lock_folder(out)  # one run at a time; released however this process ends
    # validated chunks wait beside the output folder between the two passes; a spill
    # folder of a run that was killed is removed now
    spill = out.resolve().parent / f"{spill_prefix(out)}{os.getpid()}"
    try:
        clean_stale_spills(out)
        return _run(files, out, spill, format=format, rub=rub, jobs=jobs,
                    chunk_size=chunk_size, recycle_after=recycle_after, sla_s=sla_s, tz=tz,
                    cal=cal, window=window, as_of=as_of, progress=progress,
                    retry_failed=retry_failed,
                    fail={"fail_on": _fail_part, "fail_extract": _fail_extract,
                          "fail_write": _fail_write},
                    read_options=read_options, t0=t0)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        if lock is not None:
            lock.close()


def _run(files: list[Path], out: Path, spill: Path, *, format: str | None, rub: Rubric,
         jobs: int, chunk_size: int, recycle_after: int, sla_s: float, tz: str,
         cal: BusinessCalendar | None, window: pd.Timedelta,
         as_of: str | pd.Timestamp | None, progress: Callable[[int, int], None] | None,
         retry_failed: bool, fail: Mapping[str, int | None],
         read_options: Mapping[str, Any], t0: float) -> BatchSummary:
    """The two passes of :func:`run_batch` (``spill`` holds the validated chunks).

    The workers start before the index pass: while the parent reads, each
    spilled chunk's evidence (the cue pipeline, most of the work, which needs
    no case or end-of-data) is extracted by a worker, so reading and scoring
    overlap. A resumed run (the folder already holds parts) extracts evidence
    with each missing part instead, so finished parts cost no extraction.
    """
    scorers = default_scorers()
    pool = RotatingPool(jobs, recycle_after * jobs, _init, (scorers, rub, None, dict(fail)),
                        preload=PRELOAD, server_env=WORKER_ENV)
    pool.start()
    fresh = not any((out / "parts").glob("part-*.json"))
    extract = (_Extractor(pool, spill, tz, cal, min(_READ_AHEAD, recycle_after * jobs // 2))
               if fresh else None)

    try:
        summary = _passes(files, out, spill, pool, extract, format=format, rub=rub,
                          jobs=jobs, chunk_size=chunk_size, recycle_after=recycle_after,
                          sla_s=sla_s, tz=tz, cal=cal, window=window, as_of=as_of,
                          progress=progress, scorers=scorers, read_options=read_options,
                          retry_failed=retry_failed, t0=t0)
    except BaseException:  # Ctrl-C or a read error: stop the workers, keep complete parts
        pool.shutdown(cancel=True)
        raise
    pool.shutdown()
    return summary


def _passes(files: list[Path], out: Path, spill: Path, pool: RotatingPool,
            extract: _Extractor | None, *, format: str | None,
            rub: Rubric, jobs: int, chunk_size: int, recycle_after: int, sla_s: float,
            tz: str, cal: BusinessCalendar | None, window: pd.Timedelta,
            as_of: str | pd.Timestamp | None, progress: Callable[[int, int], None] | None,
            scorers: list[Scorer], read_options: Mapping[str, Any], retry_failed: bool,
            t0: float) -> BatchSummary:
    meta, read_rejects, interactions_in, turns_in = _index(
        files, format, chunk_size, read_options, spill, extract)
    extracted = extract.finish() if extract is not None else {}
    index_seconds = time.perf_counter() - t0
    meta = meta.drop_duplicates("interaction_id", keep="first")
    linked = assign_cases(meta, window).set_index("interaction_id")
    times = pd.DataFrame({"started": pd.to_datetime(linked["_started"], utc=True),
                          "opened_by": linked["_opened_by"]}, index=linked.index)
    linked["repeat_contact"] = repeat_from_times(linked.reset_index(), times, window)
    end: pd.Timestamp | None
    if as_of is not None:
        end = pd.Timestamp(as_of)
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    else:
        ended = pd.to_datetime(linked["_ended"], utc=True)
        end = None if ended.isna().all() else pd.Timestamp(ended.max())
    horizons = dict(DEFAULT_HORIZONS)
    config = EngineConfig(sla_s=float(sla_s), tz=tz, calendar=cal, as_of=end,
                          horizons=horizons)
    settings = {"format": format, "rubric_hash": rub.hash, "chunk_size": chunk_size,
                "sla_s": sla_s, "tz": tz, "calendar": None if cal is None else cal.to_dict(),
                "case_window": str(window), "as_of": None if end is None else end.isoformat(),
                "read_options": {k: str(v) for k, v in sorted(read_options.items())}}
    fingerprint = _fingerprint(files, settings)
    _claim(out, fingerprint, rub)

    # finished parts are kept only when their marker reads and their files match it
    check = verified_parts(out, retry_failed=retry_failed)
    done_parts = check.done
    summary = BatchSummary(output=out, interactions_in=interactions_in)
    total = len(linked)
    finished = 0
    futures: set[Future[dict[str, Any]]] = set()
    markers: list[dict[str, Any]] = []
    t_score = time.perf_counter()
    n_parts = 0
    for index, part in enumerate(_units(spill, chunk_size, linked, extracted)):
        n_parts = index + 1
        if index in done_parts:
            summary.parts_skipped += 1
            finished += len(part)
            if progress:
                progress(finished, total)
            continue
        futures.add(pool.submit(_score_part, index, part.interactions, part.chunks,
                                part.evidence, str(spill), str(out), config))
        while len(futures) >= 2 * jobs:
            finished += _collect(futures, markers, wait_for=FIRST_COMPLETED)
            if progress:
                progress(finished, total)
    while futures:
        finished += _collect(futures, markers, wait_for=FIRST_COMPLETED)
        if progress:
            progress(finished, total)
    scored_seconds = time.perf_counter() - t_score

    all_markers = {**done_parts, **{int(m["part"]): m for m in markers}}
    _write_read_rejects(out, read_rejects)
    # the counts come from the tables, checked against the markers and the input
    summary.scored, summary.rejected = check_tables(
        out, all_markers, n_parts, linked.index, interactions_in - len(linked))
    if summary.scored + summary.rejected != interactions_in:
        raise OutputError(
            f"{interactions_in} interactions were read but the tables hold "
            f"{summary.scored} scored and {summary.rejected} rejected; run the same "
            "command again (or use a new --output folder)", source=str(out))
    summary.parts = len(all_markers)
    summary.parts_failed = sum(1 for m in all_markers.values() if m.get("failed"))
    summary.unattributed = int(read_rejects["interaction_id"].isna().sum())
    summary.words = sum(int(m["words"]) for m in markers)
    summary.peak_rss_mb = max([float(m["peak_rss_mb"]) for m in markers] or [0.0])
    summary.seconds = time.perf_counter() - t0
    info = {
        "versions": _versions(),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
        "rubric": {"name": rub.name, "version": rub.version, "hash": rub.hash,
                   "source": rub.source, "file": _RUBRIC_FILE},
        "settings": {**settings, "jobs": jobs, "recycle_after": recycle_after,
                     "promise_horizons": {k: str(v) for k, v in horizons.items()}},
        "fingerprint": fingerprint,
        "case_linking": case_summary(linked.reset_index(), window),
        "counts": {"interactions_in": interactions_in, "scored": summary.scored,
                   "rejected": summary.rejected, "turns_in": turns_in,
                   "rejects_without_interaction": summary.unattributed,
                   "parts": summary.parts, "parts_skipped": summary.parts_skipped,
                   "parts_failed": summary.parts_failed,
                   "parts_repaired": len(check.repaired),
                   "parts_retried": len(check.retried)},
        "seconds": round(summary.seconds, 3),
        "index_seconds": round(index_seconds, 3),
        "scoring_seconds": round(scored_seconds, 3),
        "evidence_extracted_while_reading": len(extracted),
        "words": summary.words,
        "words_per_second": round(summary.words / summary.seconds, 1)
        if summary.seconds > 0 and summary.words else None,
        "peak_rss_mb_per_worker": round(summary.peak_rss_mb, 1),
    }
    summary.info = info
    tmp = out / ".run.json.tmp"
    with writing(tmp):
        tmp.write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, out / "run.json")
    return summary


def _collect(futures: set[Future[dict[str, Any]]], markers: list[dict[str, Any]],
             wait_for: str) -> int:
    done, _ = wait(futures, return_when=wait_for)
    n = 0
    for f in done:
        futures.discard(f)
        marker = f.result()
        markers.append(marker)
        n += int(marker["interactions"])
    return n


#: the copy of the rubric a run keeps in its folder (``report`` and ``explain`` read it)
_RUBRIC_FILE = "rubric.toml"


def _open_folder(out: Path) -> None:
    """Create ``out``, or check that it is empty or holds a serviceart batch run."""
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
    if (out / "batch.json").exists():
        return
    if any(p.name != LOCK_NAME for p in out.iterdir()):
        raise ConfigError("the output folder is not empty and is not a serviceart batch "
                          "run; choose an empty folder", source=str(out))


def _claim(out: Path, fingerprint: str, rubric: Rubric) -> None:
    """Make ``out`` this run's folder (with a copy of its rubric), or refuse when it holds
    a different run."""
    stamp = out / "batch.json"
    if stamp.exists():
        try:
            previous = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            previous = None
        if previous != fingerprint:
            raise ConfigError(
                "the output folder holds a run of different input or settings (or its "
                "batch.json is damaged); use a new folder (or empty this one) to start "
                "again", source=str(out))
    else:
        with writing(stamp):
            stamp.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    tmp = out / f".{_RUBRIC_FILE}.tmp"
    with writing(tmp):
        tmp.write_text(rubric.to_toml(), encoding="utf-8")
        os.replace(tmp, out / _RUBRIC_FILE)
        # run.json is the mark of a finished, checked run: until this run has checked its
        # tables, the folder has none
        (out / "run.json").unlink(missing_ok=True)


def _write_read_rejects(out: Path, rejects: pd.DataFrame) -> None:
    """The readers' rejects, as one more part of the rejects table."""
    folder = out / "rejects"
    tmp = folder / ".read.parquet.tmp"
    with writing(tmp):
        folder.mkdir(parents=True, exist_ok=True)
        conform(rejects, REJECTS).to_parquet(tmp, index=False)
        os.replace(tmp, folder / "read.parquet")
