"""Batch scoring at scale: streamed input, whole cases per part, resumable Parquet parts.

``run_batch(paths, output)`` (the ``serviceart score`` command) scores exports
of any size in bounded memory:

1. **Index.** The input is streamed once (:func:`serviceart.stream`) keeping only
   interaction metadata in memory: ids, case and customer ids, start and end
   times, who opened the contact. The validated chunks go to a temporary spill
   folder beside the output (``.<output>.spill-<pid>``, Arrow IPC files, removed
   at the end), so the input is parsed and validated once. Meanwhile the workers, once
   started, extract each spilled chunk's evidence (the cue pipeline: most of
   the work, and it needs no case and no end of data), so reading and scoring
   overlap; extractions not started when the input is read are dropped (their
   parts extract that evidence themselves). Then the run plan is made over the whole dataset
   (:func:`serviceart.run.plan.make_plan`, as :func:`serviceart.score` and
   :mod:`serviceart.dask` make it): cases, repeat contacts, the end of the data
   and the parts, whole cases of about ``chunk_size`` interactions.
2. **Score.** Parts go to the ``jobs`` worker processes, each as soon as no
   chunk it needs is still being extracted. A task carries only the
   part's plan rows and the numbers of the spilled chunks holding its
   interactions; the worker reads the interactions, turns and extracted evidence
   from the spill itself and scores them with
   :func:`serviceart.run.chunk.score_part`. Workers fork from a server
   that imported spaCy once (the command line starts it before its own
   imports); each holds one spaCy pipeline, and the workers are replaced after
   about ``recycle_after`` tasks each so their string stores cannot grow
   without bound (see :mod:`serviceart.run.pool`).
3. **Write.** A worker writes its part's tables (scores, bands, measures,
   evidence, contributions, promises, rejects, interactions, turns) as
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
unless the folder is emptied. The folder keeps the run's ``rubric.toml`` and
its plan (``plan.parquet``, by which :meth:`serviceart.Result.from_parquet` puts
rows back in input order; see :mod:`serviceart.run.folder`). ``Ctrl-C`` stops
after cancelling pending parts; only complete parts remain. Before it succeeds, a
run checks its tables against its markers and its input (see :mod:`serviceart.run.store`); a
mismatch is an :class:`~serviceart.errors.OutputError`. ``run.json`` is
written last with the counts taken from the tables (interactions in = scored +
rejected), elapsed time, words/s and the peak memory of the workers.
:meth:`serviceart.Result.from_parquet` reads the folder. One run at a time holds
the folder's lock; the spill folder of a killed run is removed by the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from .._words import word_counts
from ..clock.calendar import BusinessCalendar
from ..errors import ConfigError, OutputError
from ..ingest.files import FileLog
from ..ingest.io import expand_paths, stream
from ..ingest.model import concat_rejects
from ..readers.base import reject_rows
from ..rejects import RejectCode
from ..rubric.core import Rubric
from ..schema import EVIDENCE, REJECTS, TURNS, conform, empty
from ..scope import scope_counts
from . import faults
from .folder import PLAN_FILE, write_json, write_part, write_rubric
from .info import run_info
from .plan import attach, contact_meta, make_plan
from .pool import PRELOAD, WORKER_ENV, RotatingPool
from .settings import ScoreSettings
from .spill import spill as write_spill
from .spill import spill_file, unspill
from .store import (
    LOCK_NAME,
    check_tables,
    clean_stale_spills,
    lock_folder,
    spill_prefix,
    verified_parts,
    writing,
)
from .worker import init_worker

__all__ = ["BatchSummary", "run_batch"]

#: the tables a part writes
TABLES = ("scores", "bands", "measures", "evidence", "contributions", "promises", "rejects",
          "interactions", "turns")


@dataclass
class BatchSummary:
    """What a batch run did: counts, time, speed and memory."""

    output: Path
    interactions_in: int = 0
    scored: int = 0
    #: read fine but out of scope (no agent turn, or not a service request): not scored
    out_of_scope: int = 0
    no_agent: int = 0
    non_service: int = 0
    rejected: int = 0
    parts: int = 0
    parts_skipped: int = 0
    parts_failed: int = 0
    #: reject rows tied to no interaction (an unreadable file, a line without a usable id):
    #: not in ``interactions_in``, but in the rejects table with their source and record
    unattributed: int = 0
    #: turn records read (a record a reader rejected counts) and how many were rejected
    turns_in: int = 0
    turns_rejected: int = 0
    #: one row per input file (see :meth:`serviceart.ingest.files.FileLog.table`)
    files: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    words: int = 0
    peak_rss_mb: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def words_per_second(self) -> float:
        """Words scored per second of wall time (skipped parts excluded)."""
        return self.words / self.seconds if self.seconds > 0 else 0.0

    @property
    def empty_files(self) -> list[str]:
        """The input files that gave no interaction scored or out of scope (skipped,
        unreadable, or all of theirs rejected) and added no turn to another file's;
        documentation beside the exports (a README) is not counted."""
        if self.files.empty:
            return []
        f = self.files
        empty = ((f["scored"] + f["out_of_scope"] == 0) & (f["merged"] == 0)
                 & (f["status"] != "document"))
        return f.loc[empty, "file"].astype(str).tolist()


# ---------------------------------------------------------------- phase 1: the index
@dataclass
class _Index:
    """What the index pass keeps: every contact's metadata (with the spilled chunk it
    is in), the readers' rejects and the counts read."""

    meta: pd.DataFrame
    rejects: pd.DataFrame
    interactions_in: int
    turns_in: int
    turns_valid: int


def _index(paths: list[Path], format: str | None, chunk_size: int,
           read_options: Mapping[str, Any], spill: Path,
           extract: Callable[[int], None] | None = None,
           file_log: FileLog | None = None,
           reading: Callable[[int], None] | None = None) -> _Index:
    """Read the whole input once: spill each validated chunk (Arrow IPC), keep its
    contacts' metadata (:func:`serviceart.run.plan.contact_meta`) and rejects.

    ``extract(k)``, when given, is called after chunk ``k`` is spilled (it hands the
    chunk's evidence extraction to the workers, see :class:`_Extractor`).
    ``reading(turns)`` is called after each chunk with the turn records read so far.
    """
    with writing(spill):
        spill.mkdir(parents=True, exist_ok=True)
    chunks = stream(paths, format, chunk_size=chunk_size, file_log=file_log, **read_options)
    metas: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    interactions_in = turns_in = turns_valid = 0
    try:
        for k, chunk in enumerate(chunks):
            inter = chunk.interactions
            write_spill(chunk.turns, spill_file(spill, k, "turns"))
            write_spill(inter, spill_file(spill, k, "interactions"))
            if extract is not None and len(inter):
                extract(k)
            meta = contact_meta(chunk.turns, inter)
            meta["_chunk"] = k
            metas.append(meta)
            rejects.append(chunk.rejects)
            interactions_in += chunk.counts["interactions_in"]
            turns_in += chunk.counts["turns_in"]
            turns_valid += chunk.counts["turns_valid"]
            if reading is not None:
                reading(turns_in)
    finally:  # a write error stops the pass: the readers close their files now
        if isinstance(chunks, Generator):
            chunks.close()
    meta = (pd.concat(metas, ignore_index=True) if metas else
            contact_meta(empty(TURNS), pd.DataFrame({"interaction_id": pd.Series(
                dtype="string")})).assign(_chunk=pd.Series(dtype="int64")))
    return _Index(meta, concat_rejects(rejects), interactions_in, turns_in, turns_valid)


class _Extractor:
    """Hands spilled chunks to the workers for evidence extraction during the index pass.

    While the workers start (the fork server imports spaCy first), chunk numbers
    wait in a backlog and the reader goes on; as soon as the workers are up, the
    backlog is submitted (by a thread that waits for them), then each new chunk
    at once, at most ``limit`` waiting at a time (tasks hold only chunk numbers;
    a queue shorter than a pool's share never spreads over two pools).

    When the input is read (:meth:`stop`), extractions that have not started are
    dropped: their parts extract that evidence themselves, which costs less than
    a separate task (no spilled evidence to write and read back) and lets every
    part go to the workers at once instead of after the last extraction.
    """

    def __init__(self, pool: RotatingPool, spill: Path, settings: ScoreSettings,
                 limit: int) -> None:
        self.pool, self.spill, self.settings = pool, spill, settings
        self.limit = max(1, limit)
        self.futures: dict[int, Future[int]] = {}
        self._backlog: list[int] = []
        self._queued: set[Future[int]] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        threading.Thread(target=self._when_ready, name="serviceart-extract", daemon=True
                         ).start()

    def __call__(self, k: int) -> None:
        with self._lock:
            self._backlog.append(k)
            if self.pool.ready.is_set():
                self._drain()

    def _when_ready(self) -> None:
        """Submit the backlog as soon as the workers are up (a thread)."""
        while not self.pool.ready.wait(0.5):
            if self._stopped.is_set():
                return
        with self._lock:
            if not self._stopped.is_set():
                try:
                    self._drain()
                except RuntimeError:  # the pool was shut down: the run is stopping
                    self._backlog = []

    def _drain(self) -> None:
        while self._backlog and not self._stopped.is_set():
            while len(self._queued) >= self.limit:
                done, _ = wait(self._queued, return_when=FIRST_COMPLETED)
                self._queued.difference_update(done)
            k = self._backlog.pop(0)
            future = self.pool.submit(_extract, k, str(self.spill), self.settings)
            self._queued.add(future)
            self.futures[k] = future

    def stop(self) -> dict[int, Future[int]]:
        """Submit no more extractions and cancel those that have not started; the
        extractions that remain (done or running), by chunk."""
        self._stopped.set()
        with self._lock:
            self._backlog = []
            for k, future in list(self.futures.items()):
                if future.cancel():
                    del self.futures[k]
            return dict(self.futures)


def _extract(k: int, spill: str, settings: ScoreSettings) -> int:
    """Worker: the evidence of spilled chunk ``k``, written beside it (a cache: a
    chunk without its file has its evidence extracted with its part instead)."""
    from .chunk import evidence_for

    faults.check("extract", k)
    folder = Path(spill)
    turns = pd.read_feather(spill_file(folder, k, "turns"))
    inter = pd.read_feather(spill_file(folder, k, "interactions"))
    write_spill(evidence_for(turns, inter, settings), spill_file(folder, k, "evidence"))
    return k


# ---------------------------------------------------------------- the worker
def _part_evidence(spill: Path, chunks: list[int], extracted: set[int], ids: pd.Series,
                   settings: ScoreSettings) -> pd.DataFrame | None:
    """A part's EVIDENCE, chunk by chunk in input order: read back where the chunk's
    evidence was extracted while reading, extracted now for the part's interactions in
    the other chunks; ``None`` (:func:`serviceart.run.chunk.score_part` extracts it all)
    when no chunk was extracted."""
    if not extracted.intersection(chunks):
        return None
    from .chunk import evidence_for

    frames = []
    for k in chunks:  # as the chunk's own extraction would (see _extract), for the part
        frame = (unspill(spill, [k], "evidence", ids) if k in extracted else
                 evidence_for(unspill(spill, [k], "turns", ids),
                              unspill(spill, [k], "interactions", ids), settings))
        if len(frame):
            frames.append(conform(frame, EVIDENCE))
    return (conform(pd.concat(frames, ignore_index=True), EVIDENCE) if frames
            else empty(EVIDENCE))


def _init(fail: faults.Faults) -> None:
    """Worker start (see :func:`serviceart.run.worker.init_worker`), with the simulated
    failures of this run (tests only)."""
    init_worker()
    faults.install(fail)


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _arrow_pool() -> str:
    import pyarrow as pa

    return str(pa.default_memory_pool().backend_name)


def _score_part(index: int, rows: pd.DataFrame, chunks: list[int], extracted: list[int],
                spill: str, out: str, settings: ScoreSettings) -> dict[str, Any]:
    """Worker: score one part and write it; a failure becomes ``scoring_failed`` rejects.

    ``rows`` are the part's plan rows; its interactions and turns are read from
    the spilled ``chunks``, and its evidence from those of them that are
    ``extracted`` (the evidence of the others is extracted here).
    """
    from .chunk import PartTables, pipeline, score_part  # workers only: spaCy

    t0 = time.perf_counter()
    words = 0
    ids = rows["interaction_id"]
    try:
        inter = unspill(Path(spill), chunks, "interactions", ids)
        inter = attach(inter.drop_duplicates("interaction_id", keep="first"),
                       rows.set_index("interaction_id"))
        turns = unspill(Path(spill), chunks, "turns", ids)
        words = int(word_counts(turns["text"]).sum())
        evidence = _part_evidence(Path(spill), chunks, set(extracted), ids, settings)
        faults.check("part", index)
        tables = dict(score_part(turns, inter, settings, nlp=pipeline(settings),
                                 evidence=evidence).items())
        tables["rejects"] = empty(REJECTS)
        scored, failed = len(tables["scores"]), None
    except Exception as exc:  # one bad part must not stop a night's run
        reason = (f"scoring failed: {type(exc).__name__}: {exc}; the other parts were "
                  "scored. Rerun to retry this part.")
        tables = dict(PartTables.empty().items())
        tables["rejects"] = reject_rows([
            {"source": None, "record": f"part {index}", "interaction_id": iid,
             "field": None, "code": RejectCode.SCORING_FAILED, "reason": reason}
            for iid in ids.astype(str)])
        scored, failed, words = 0, "".join(traceback.format_exception_only(exc)).strip(), 0
    marker = {"part": index, "interactions": len(rows), "scored": scored,
              "failed": failed, "words": words, "seconds": time.perf_counter() - t0,
              "peak_rss_mb": _peak_mb(), "pid": os.getpid(),
              "arrow_pool": _arrow_pool()}
    return write_part(Path(out), index, {t: tables[t] for t in TABLES}, marker,
                      before_write=lambda path: faults.check("write", index, str(path)))


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
    settings: ScoreSettings | None = None,
    rubric: Rubric | str | None = None,
    jobs: int | None = None,
    chunk_size: int | None = None,
    recycle_after: int | None = None,
    sla_s: float | None = None,
    sla: float | str | Mapping[str, float | str] | None = None,
    tz: str | tzinfo | None = None,
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = None,
    link_by_customer: bool | None = None,
    promise_horizons: Mapping[str, str | pd.Timedelta | None] | None = None,
    as_of: str | pd.Timestamp | None = None,
    redact: bool | str | list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    reading: Callable[[int], None] | None = None,
    retry_failed: bool = True,
    _faults: faults.Faults | None = None,
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
    settings
        Every setting at once (:class:`~serviceart.ScoreSettings`); then no other
        setting keyword may be given.
    rubric, sla_s, sla, tz, calendar, case_window, link_by_customer, promise_horizons, as_of
        As for :func:`serviceart.score`.
    redact
        Personal data to replace in the run's tables, as for :func:`serviceart.score`.
    jobs
        Worker processes (default: all cores).
    chunk_size
        About how many interactions each part holds (whole cases, never split).
    recycle_after
        About how many tasks (evidence chunks and parts) a worker runs before it
        is replaced.
    progress
        Called as ``progress(done, total)`` with interactions finished.
    reading
        Called as ``reading(turns)`` while the input is read (before the total is
        known), with the turn records read so far.
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
    ConfigError
        Listing every bad setting, before any input is read; or when the folder
        holds a different run or something else.
    OutputError
        When the output cannot be written (a full disk, a read-only folder),
        another run is writing the same folder, or the finished tables do not
        hold exactly the input's interactions.

    Examples
    --------
    >>> import tempfile, serviceart as sa
    >>> from serviceart.run.batch import run_batch
    >>> with tempfile.TemporaryDirectory() as d:
    ...     s = run_batch("data/samples", d, jobs=1)
    ...     (s.interactions_in, s.scored, s.rejected), len(sa.Result.from_parquet(d).scores)
    ((13, 13, 0), 13)
    """
    t0 = time.perf_counter()
    settings = ScoreSettings.resolve(
        settings, jobs=jobs or (None if settings else os.cpu_count() or 1), rubric=rubric,
        chunk_size=chunk_size, recycle_after=recycle_after, sla_s=sla_s, sla=sla, tz=tz,
        calendar=calendar, case_window=case_window, link_by_customer=link_by_customer,
        promise_horizons=promise_horizons, as_of=as_of, redact=redact)
    file_log = FileLog()
    files = expand_paths(paths, file_log)
    out = Path(output)
    _open_folder(out)
    lock = lock_folder(out)  # one run at a time; released however this process ends
    # validated chunks wait beside the output folder between the two passes; a spill
    # folder of a run that was killed is removed now
    spill = out.resolve().parent / f"{spill_prefix(out)}{os.getpid()}"
    try:
        clean_stale_spills(out)
        return _run(files, out, spill, settings, format=format, progress=progress,
                    reading=reading, retry_failed=retry_failed, file_log=file_log,
                    fail=_faults or faults.Faults(),
                    read_options=read_options, t0=t0)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        if lock is not None:
            lock.close()


#: evidence tasks the index pass may queue before it waits for the workers
_READ_AHEAD = 32


def _run(files: list[Path], out: Path, spill: Path, settings: ScoreSettings, *,
         format: str | None, progress: Callable[[int, int], None] | None,
         reading: Callable[[int], None] | None,
         retry_failed: bool, fail: faults.Faults, file_log: FileLog,
         read_options: Mapping[str, Any], t0: float) -> BatchSummary:
    """The two passes of :func:`run_batch` (``spill`` holds the validated chunks).

    The workers start before the index pass: while the parent reads, each
    spilled chunk's evidence (the cue pipeline, most of the work, which needs
    no case or end-of-data) is extracted by a worker once the workers are up,
    so reading and scoring overlap; what is not under way when the input is
    read is extracted with the parts. A resumed run (the folder already holds
    parts) extracts evidence with each missing part instead, so finished parts
    cost no extraction.
    """
    jobs = settings.jobs
    pool = RotatingPool(jobs, settings.recycle_after * jobs, _init, (fail,),
                        preload=PRELOAD, server_env=WORKER_ENV)
    pool.start()
    fresh = not any((out / "parts").glob("part-*.json"))
    extract = (_Extractor(pool, spill, settings,
                          min(_READ_AHEAD, settings.recycle_after * jobs // 2))
               if fresh else None)
    try:
        summary = _passes(files, out, spill, pool, extract, settings, format=format,
                          progress=progress, reading=reading, read_options=read_options,
                          retry_failed=retry_failed, file_log=file_log, t0=t0)
    except BaseException:  # Ctrl-C or a read error: stop the workers, keep complete parts
        if extract is not None:
            extract.stop()
        pool.shutdown(cancel=True)
        raise
    pool.shutdown()
    return summary


def _passes(files: list[Path], out: Path, spill: Path, pool: RotatingPool,
            extract: _Extractor | None, settings: ScoreSettings, *, format: str | None,
            progress: Callable[[int, int], None] | None,
            reading: Callable[[int], None] | None, read_options: Mapping[str, Any],
            retry_failed: bool, file_log: FileLog, t0: float) -> BatchSummary:
    index = _index(files, format, settings.chunk_size, read_options, spill, extract,
                   file_log, reading)
    # extractions still running go on; the parts that need them wait for them
    running = extract.stop() if extract is not None else {}
    index_seconds = time.perf_counter() - t0
    plan = make_plan(index.meta, settings)
    run = settings.with_as_of(plan.as_of)
    chunk_of = index.meta.drop_duplicates("interaction_id").set_index("interaction_id")[
        "_chunk"]
    fingerprint = _fingerprint(files, {
        "format": format, "settings": settings.outcome_dict(),
        "read_options": {k: str(v) for k, v in sorted(read_options.items())}})
    _claim(out, fingerprint, settings.rubric)
    if settings.categories is not None:  # imported only then: ``cues`` imports spaCy,
        from ..cues.categories import write_categories  # which this process needs not

        write_categories(out, settings.categories)
    plan_file = plan.table.assign(_chunk=plan.table["interaction_id"].map(chunk_of).to_numpy())
    with writing(out / PLAN_FILE):
        plan_file.to_parquet(out / f".{PLAN_FILE}.tmp", index=False)
        os.replace(out / f".{PLAN_FILE}.tmp", out / PLAN_FILE)

    # finished parts are kept only when their marker reads and their files match it
    check = verified_parts(out, retry_failed=retry_failed)
    done_parts = check.done
    summary = BatchSummary(output=out, interactions_in=index.interactions_in)
    total, finished = len(plan.table), 0
    todo: list[tuple[int, pd.DataFrame, list[int]]] = []
    for k, rows in enumerate(plan.parts()):
        if k in done_parts:
            summary.parts_skipped += 1
            finished += len(rows)
            if progress:
                progress(finished, total)
            continue
        todo.append((k, rows[["interaction_id", "case_id", "case_rule", "repeat_contact"]
                             ].reset_index(drop=True),
                     sorted(set(rows["interaction_id"].map(chunk_of).astype(int).tolist()))))
    t_score = time.perf_counter()
    extracted: dict[int, bool] = {}
    futures: set[Future[dict[str, Any]]] = set()
    markers: list[dict[str, Any]] = []
    while todo or futures or running:
        _settle(running, extracted)
        # parts in order, each as soon as none of its chunks is still being extracted
        # (at most two per worker waiting, so that Ctrl-C has little to cancel)
        waiting = []
        for k, rows, chunks in todo:
            if len(futures) >= 2 * settings.jobs or any(c in running for c in chunks):
                waiting.append((k, rows, chunks))
                continue
            futures.add(pool.submit(_score_part, k, rows, chunks,
                                    [c for c in chunks if extracted.get(c, False)],
                                    str(spill), str(out), run))
        todo = waiting
        if not futures and not running:
            continue
        watched: set[Future[Any]] = {*futures, *running.values()}
        done, _ = wait(watched, return_when=FIRST_COMPLETED)
        parts = {f for f in futures if f in done}
        for f in parts:
            futures.discard(f)
            marker = f.result()
            markers.append(marker)
            finished += int(marker["interactions"])
        if progress and parts:
            progress(finished, total)
    scored_seconds = time.perf_counter() - t_score

    all_markers = {**done_parts, **{int(m["part"]): m for m in markers}}
    read_rejects = index.rejects
    if settings.redact:  # the readers' reasons may quote the input
        from ..redact import redact_tables

        read_rejects = redact_tables({"rejects": read_rejects}, settings.redact)["rejects"]
    _write_read_rejects(out, read_rejects)
    # the counts come from the tables, checked against the markers and the input
    ids = pd.Index(plan.table["interaction_id"])
    in_scores, summary.rejected = check_tables(
        out, all_markers, plan.n_parts, ids, index.interactions_in - len(ids))
    scope = _scope_counts(out)
    summary.out_of_scope, summary.no_agent, summary.non_service = (
        scope["out_of_scope"], scope["no_agent"], scope["non_service"])
    summary.scored = in_scores - summary.out_of_scope
    if summary.scored + summary.out_of_scope + summary.rejected != index.interactions_in:
        raise OutputError(
            f"{index.interactions_in} interactions were read but the tables hold "
            f"{summary.scored} scored, {summary.out_of_scope} out of scope and "
            f"{summary.rejected} rejected; run the same "
            "command again (or use a new --output folder)", source=str(out), code="SA-O005")
    summary.files = _file_table(out, file_log)
    summary.turns_in = index.turns_in
    summary.turns_rejected = index.turns_in - index.turns_valid
    summary.parts = len(all_markers)
    summary.parts_failed = sum(1 for m in all_markers.values() if m.get("failed"))
    summary.unattributed = int(index.rejects["interaction_id"].isna().sum())
    summary.words = sum(int(m["words"]) for m in markers)
    summary.peak_rss_mb = max([float(m["peak_rss_mb"]) for m in markers] or [0.0])
    summary.seconds = time.perf_counter() - t0
    info = run_info(
        settings, plan, engine="batch", seconds=summary.seconds, words=summary.words,
        counts={"interactions_in": index.interactions_in, "scored": summary.scored,
                **scope, "rejected": summary.rejected, "turns_in": index.turns_in,
                "turns_rejected": summary.turns_rejected,
                "rejects_without_interaction": summary.unattributed,
                "parts": summary.parts, "parts_skipped": summary.parts_skipped,
                "parts_failed": summary.parts_failed,
                "parts_repaired": len(check.repaired), "parts_retried": len(check.retried)},
        format=format, read_options={k: str(v) for k, v in sorted(read_options.items())},
        fingerprint=fingerprint, index_seconds=round(index_seconds, 3),
        scoring_seconds=round(scored_seconds, 3),
        evidence_extracted_while_reading=sum(extracted.values()),
        peak_rss_mb_per_worker=round(summary.peak_rss_mb, 1),
        files=_file_records(summary.files))
    info["rubric"]["file"] = "rubric.toml"
    summary.info = info
    write_json(out / "run.json", info)
    return summary


def _file_table(out: Path, file_log: FileLog) -> pd.DataFrame:
    """The per-file table of the run (see :meth:`FileLog.table`) from its checked
    tables; an interaction of a file found in neither scores nor rejects is an
    :class:`~serviceart.errors.OutputError`."""
    scores = [pd.read_parquet(f, columns=["interaction_id", "scope"])
              for f in sorted((out / "scores").glob("part-*.parquet"))]
    scores = [f for f in scores if len(f)]
    table = (pd.concat(scores, ignore_index=True) if scores
             else pd.DataFrame({"interaction_id": pd.Series(dtype="string"),
                                "scope": pd.Series(dtype="string")}))
    service = table["scope"].isna() | (table["scope"].astype("string") == "service")
    rejects = [pd.read_parquet(f, columns=["source", "interaction_id"])
               for f in sorted((out / "rejects").glob("*.parquet"))]
    rejects = [f for f in rejects if len(f)]
    files = file_log.table(
        valid=table.loc[service, "interaction_id"].astype(str),
        out_of_scope=table.loc[~service, "interaction_id"].astype(str),
        rejects=pd.concat(rejects, ignore_index=True) if rejects else None)
    lost = files[files["unaccounted"] > 0]
    if len(lost):
        shown = ", ".join(f"{f} ({n})" for f, n in zip(lost["file"], lost["unaccounted"],
                                                        strict=True))
        raise OutputError(f"interactions read from these files are in neither the scores "
                          f"nor the rejects: {shown}; run the same command again (or use a "
                          "new --output folder)", source=str(out), code="SA-O110")
    return files


def _file_records(files: pd.DataFrame) -> list[dict[str, Any]]:
    """The per-file table as JSON records (missing values as ``null``)."""
    return [{str(k): (None if pd.isna(v) else v) for k, v in row.items()}
            for row in files.astype(object).to_dict("records")]


def _scope_counts(out: Path) -> dict[str, int]:
    """Out-of-scope interactions in the run's (checked) scores parts, by scope."""
    files = sorted((out / "scores").glob("part-*.parquet"))
    frames = [pd.read_parquet(f, columns=["scope"]) for f in files]
    frames = [f for f in frames if len(f)]
    return scope_counts(pd.concat(frames, ignore_index=True) if frames
                        else pd.DataFrame({"scope": pd.Series(dtype="string")}))


def _settle(running: dict[int, Future[int]], extracted: dict[int, bool]) -> None:
    """Move the finished extractions from ``running`` to ``extracted`` (whether each
    chunk's evidence was extracted: a failed one is extracted again with its part)."""
    for k, future in list(running.items()):
        if future.done():
            del running[k]
            extracted[k] = not future.cancelled() and future.exception() is None


def _open_folder(out: Path) -> None:
    """Create ``out``, or check that it is empty or holds a serviceart batch run."""
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
    if (out / "batch.json").exists():
        return
    if any(p.name != LOCK_NAME for p in out.iterdir()):
        raise ConfigError("the output folder is not empty and is not a serviceart batch "
                          "run; choose an empty folder", source=str(out), code="SA-C012")


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
                "again", source=str(out), code="SA-C013")
    else:
        with writing(stamp):
            stamp.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    write_rubric(out, rubric)
    # run.json is the mark of a finished, checked run: until this run has checked its
    # tables, the folder has none
    with writing(out / "run.json"):
        (out / "run.json").unlink(missing_ok=True)


def _write_read_rejects(out: Path, rejects: pd.DataFrame) -> None:
    """The readers' rejects, as one more part of the rejects table."""
    folder = out / "rejects"
    tmp = folder / ".read.parquet.tmp"
    with writing(tmp):
        folder.mkdir(parents=True, exist_ok=True)
        conform(rejects, REJECTS).to_parquet(tmp, index=False)
        os.replace(tmp, folder / "read.parquet")
