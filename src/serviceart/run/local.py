"""The local engine: :func:`serviceart.score` on conversations in memory.

The run is planned over the whole input (:mod:`serviceart.run.plan`: cases,
repeat contacts, the end of the data, the parts), then every part is scored by
:func:`serviceart.run.chunk.score_part`, in this process or, with ``n_process >
1``, in worker processes (:mod:`serviceart.run.worker`). Rows are put back in
input order, so a parallel run equals a serial one, and equals the batch engine's
and Dask's on the same input and settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

from .._ids import lookup
from ..cases.linking import repeat_contacts, repeat_from_times
from ..clock.calendar import BusinessCalendar
from ..errors import ConfigError, InputError
from ..ingest.model import Conversations
from ..result import Result
from ..rubric.core import Rubric
from ..scope import scope_counts
from ..scorers import Scorer
from .chunk import PartTables, in_plan_order, score_part, with_size
from .info import run_info
from .plan import Plan, attach, contact_meta, make_plan
from .settings import ScoreSettings

__all__ = ["repeat_contacts", "repeat_from_times", "score", "with_size"]


def score(
    conv: Conversations,
    rubric: Rubric | str | None = None,
    *,
    settings: ScoreSettings | None = None,
    sla_s: float | None = None,
    sla: float | str | Mapping[str, float | str] | None = None,
    n_process: int | None = None,
    nlp: Language | None = None,
    tz: str | tzinfo | None = None,
    chunk_size: int | None = None,
    scorers: list[Scorer] | None = None,
    progress: Callable[[int], None] | None = None,
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = None,
    link_by_customer: bool | None = None,
    promise_horizons: Mapping[str, str | pd.Timedelta | None] | None = None,
    as_of: str | pd.Timestamp | None = None,
    redact: bool | str | list[str] | None = None,
    categories: Any = None,
) -> Result:
    """Score every interaction: measures, evidence, principle scores.

    Parameters
    ----------
    conv
        Conversations from :func:`serviceart.read` or
        :meth:`Conversations.from_frames`.
    rubric
        A :class:`Rubric`, a path to a rubric TOML file, or ``None`` for the default.
    settings
        Every setting at once (:class:`ScoreSettings`); then no other setting
        keyword may be given.
    sla_s
        Reply-time target in seconds for every channel (``replies_over_sla``).
    sla
        Reply-time targets: seconds or a duration (``"10m"``) for every channel, or
        by channel (``{"chat": "2m", "email": "1d", "default": "10m"}``). Default:
        the rubric's ``[sla]``, else the built-in targets
        (:data:`serviceart.clock.sla.DEFAULT_SLA`); see :class:`ScoreSettings`.
    n_process
        Worker processes (default 1: this process). Results are identical.
    nlp
        A pipeline with the ``serviceart_cues`` component (serial runs only);
        :func:`serviceart.make_nlp` by default.
    tz
        Time zone (IANA name) in which due times such as "tomorrow" are resolved.
    chunk_size
        Interactions per part (whole cases are never split; default 1000).
    scorers
        Scorer instances; every registered scorer by default.
    progress
        Called with the number of interactions finished after each part (in one
        process, after each group of parts of 10,000 interactions or more).
    calendar
        Business hours (a :class:`BusinessCalendar`, a TOML file path or a
        mapping): written-channel reply latency and ``sla_s`` then count
        business time, and "N business days" due times use its open days and
        holidays.
    case_window
        Contacts of one customer without an exported case are one case when at
        most this far apart (default ``"7D"``); the same window defines
        ``repeat_contact``. See :mod:`serviceart.cases.linking`.
    link_by_customer
        ``False`` keeps only the export's own case ids.
    promise_horizons
        Due time by channel for promises that state none (e.g.
        ``{"email": "2D"}``); see :mod:`serviceart.cases.ledger`.
    as_of
        The end of the data: promises due after it are ``open``. Default: the
        latest turn or start time in the input.
    redact
        Replace personal data in every table returned (``True``: every entity
        type, or a list such as ``["card", "email", "name"]``); scores do not
        change. See :mod:`serviceart.redact`.
    categories
        A QA lead's categories: a TOML file path or a
        :class:`~serviceart.cues.categories.Categories` (see ``docs/categories.md``).
        Each adds evidence rows and the measure ``category_<name>``.

    Returns
    -------
    Result

    Raises
    ------
    ConfigError
        Listing every bad setting (before anything is scored).

    Examples
    --------
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples/chats.jsonl"))
    >>> res.run_info["counts"]["scored"], list(res.scores.columns)[:3]
    (5, ['interaction_id', 'respect', 'service'])
    """
    t0 = time.perf_counter()
    settings = ScoreSettings.resolve(
        settings, rubric=rubric, sla_s=sla_s, sla=sla, jobs=n_process, tz=tz, chunk_size=chunk_size,
        scorers=scorers, calendar=calendar, case_window=case_window,
        link_by_customer=link_by_customer, promise_horizons=promise_horizons, as_of=as_of,
        redact=redact, categories=categories)
    if nlp is not None and settings.jobs > 1:
        raise ConfigError("a custom nlp can only be used with n_process=1", field="nlp",
                          code="SA-C055")
    if isinstance(conv, pd.DataFrame):
        conv = Conversations.from_frames(conv)
    if not isinstance(conv, Conversations):
        raise InputError(f"score() takes Conversations (from sa.read or "
                         f"Conversations.from_frames), got {type(conv).__name__}", code="SA-I013")
    plan = make_plan(contact_meta(conv.turns, conv.interactions), settings)
    run = settings.with_as_of(plan.as_of)
    order = pd.Series(range(len(plan.table)), index=plan.table["interaction_id"].to_numpy())
    parts: list[PartTables] = []
    done = 0
    for tables in _run(conv, plan, run, nlp):
        parts.append(tables)
        done += len(tables.scores)
        if progress is not None:
            progress(done)
    out = in_plan_order(parts, order)
    counts = conv.counts
    scope = scope_counts(out.scores)
    info = run_info(settings, plan, engine="local", seconds=time.perf_counter() - t0,
                    words=int(out.interactions["n_words"].sum()) if len(out.interactions)
                    else 0,
                    counts={"interactions_in": counts["interactions_in"],
                            "scored": len(out.scores) - scope["out_of_scope"], **scope,
                            "rejected": counts["interactions_in"] - len(out.scores),
                            "turns_in": counts["turns_in"],
                            "turns_rejected": counts["turns_rejected"],
                            "reject_rows": len(conv.rejects),
                            "evidence_rows": len(out.evidence)})
    rejects = conv.rejects
    if settings.redact:  # the readers' reasons may quote the input
        from ..redact import redact_tables

        rejects = redact_tables({"rejects": rejects}, settings.redact)["rejects"]
    return Result(scores=out.scores, measures=out.measures, evidence=out.evidence,
                  rejects=rejects, run_info=info, contributions=out.contributions,
                  interactions=out.interactions, promises=out.promises, bands=out.bands,
                  turns=out.turns, rubric=settings.rubric, settings=settings)


def _run(conv: Conversations, plan: Plan, settings: ScoreSettings, nlp: Language | None
         ) -> Iterator[PartTables]:
    """The tables of the parts, in part order: each part in a worker process when
    ``settings.jobs > 1``, else groups of consecutive parts in this process."""
    turns, inter = conv.turns, conv.interactions
    part_of = pd.Series(plan.table["part"].to_numpy(),
                        index=plan.table["interaction_id"].astype(str).to_numpy())
    turn_rows = _rows_by_part(turns, part_of)
    inter_rows = _rows_by_part(inter, part_of)
    rows_of = plan.table.set_index("interaction_id")

    def task(*ks: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        t_pos = np.concatenate([turn_rows.get(k, _NONE) for k in ks])
        i_pos = np.concatenate([inter_rows.get(k, _NONE) for k in ks])
        t = turns.iloc[np.sort(t_pos)].reset_index(drop=True)
        i = inter.iloc[np.sort(i_pos)].reset_index(drop=True)
        return t, attach(i, rows_of)

    n = plan.n_parts
    if settings.jobs == 1 or n <= 1:
        # in one process, consecutive parts are scored together (whole cases either
        # way, so the tables are the same): each call has a fixed cost of some tenths
        # of a second in pandas, worth paying only to spread work over processes
        for group in _groups(plan, SERIAL_GROUP):
            yield score_part(*task(*group), settings, nlp=nlp)
        return
    from .worker import local_pool, score_task

    with local_pool(settings, n) as pool:
        futures = [pool.submit(score_task, *task(k), settings) for k in range(n)]
        for f in futures:
            yield f.result()


#: in one process, parts are scored in groups of at least this many interactions
SERIAL_GROUP = 10_000

_NONE = np.zeros(0, dtype=np.int64)


def _groups(plan: Plan, size: int) -> Iterator[list[int]]:
    """Consecutive part numbers, grouped so that each group holds ``size`` interactions
    or more (the last one may hold fewer)."""
    counts = np.bincount(plan.table["part"].to_numpy(dtype=np.int64), minlength=plan.n_parts)
    group: list[int] = []
    held = 0
    for k, c in enumerate(counts.tolist()):
        group.append(k)
        held += c
        if held >= size:
            yield group
            group, held = [], 0
    if group:
        yield group


def _rows_by_part(frame: pd.DataFrame, part_of: pd.Series) -> dict[int, Any]:
    """Row positions of ``frame`` per part (by its ``interaction_id``), in row order."""
    part = lookup(frame["interaction_id"], part_of, missing=-1)
    rows: dict[int, Any] = {}
    for k, v in pd.Series(part).groupby(part).indices.items():
        if float(k) >= 0:  # type: ignore[arg-type]
            rows[int(k)] = v  # type: ignore[call-overload]
    return rows
