"""Scoring on a Dask cluster: the same chunk function over partitions of whole cases.

Install the extra (``pip install "serviceart[dask]"``) and pass a Dask DataFrame
of turns (the ``turns`` format: one row per turn with ``interaction_id``,
``role``, ``text`` and any turn or interaction columns) or export paths (read
with serviceart's readers, one task per file)::

    from dask.distributed import Client
    import serviceart.dask as sad

    client = Client("tcp://scheduler:8786")        # an existing cluster
    out = sad.score("s3://bucket/exports/*.parquet")  # or a dask DataFrame
    out.scores.to_parquet("s3://bucket/runs/2026-11/scores")
    res = out.compute()                              # a serviceart.Result

How it works, in the same steps as :mod:`serviceart.run.batch` and
:func:`serviceart.score`:

1. Turns are shuffled so that each partition holds whole interactions, and
   each partition reports its contacts' metadata
   (:func:`serviceart.run.plan.contact_meta`). The client makes the run plan over
   the whole dataset (:func:`serviceart.run.plan.make_plan`: cases, repeat
   contacts, the end of the data, the parts).
2. Turns are shuffled again by part, and every part is scored by
   :func:`serviceart.run.chunk.score_part` with one spaCy pipeline per worker
   process.
3. ``compute()`` gathers every table into a :class:`serviceart.Result` in input
   order, with its rubric, settings and counts (interactions in = scored +
   rejected).

The results equal the local engine's (tested on a ``LocalCluster`` with two
workers). Workers need serviceart installed, and the same version as the
client. Nothing is fetched from the network by serviceart itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

try:
    import dask
    import dask.dataframe as dd
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("serviceart.dask needs the dask extra: pip install 'serviceart[dask]'"
                      ) from exc

from ..clock.calendar import BusinessCalendar
from ..ingest.io import expand_paths, read
from ..ingest.model import Conversations, concat_rejects
from ..result import Result
from ..rubric.core import Rubric
from ..schema import REJECTS, conform, empty
from ..scope import scope_counts
from .chunk import PartTables, in_plan_order, score_part, with_size
from .info import run_info
from .plan import META_COLUMNS, Plan, attach, contact_meta, make_plan
from .settings import ScoreSettings

__all__ = ["DaskResult", "score"]

#: the tables of a result, as :class:`DaskResult` holds them
_TABLES = tuple(name for name, _ in PartTables.empty().items())


@dataclass
class DaskResult:
    """Lazy results: one Dask DataFrame per table (see :class:`serviceart.Result`)."""

    scores: dd.DataFrame
    bands: dd.DataFrame
    measures: dd.DataFrame
    evidence: dd.DataFrame
    contributions: dd.DataFrame
    promises: dd.DataFrame
    interactions: dd.DataFrame
    turns: dd.DataFrame
    rejects: pd.DataFrame
    run_info: dict[str, Any]
    settings: ScoreSettings
    plan: Plan = field(repr=False)

    def compute(self) -> Result:
        """Compute every table into a :class:`serviceart.Result`: rows in input order,
        with the rubric, the settings and the counts (interactions in = scored +
        rejected)."""
        tables = dask.compute(*(getattr(self, t) for t in _TABLES))
        parts = PartTables(**dict(zip(_TABLES, tables, strict=True)))
        order = pd.Series(range(len(self.plan.table)),
                          index=self.plan.table["interaction_id"].astype(str).to_numpy())
        out = in_plan_order([parts], order)
        info = dict(self.run_info)
        counts = dict(info["counts"])
        scope = scope_counts(out.scores)
        counts.update(scored=len(out.scores) - scope["out_of_scope"], **scope,
                      rejected=counts["interactions_in"] - len(out.scores),
                      evidence_rows=len(out.evidence))
        info["counts"] = counts
        return Result(scores=out.scores, measures=out.measures, evidence=out.evidence,
                      rejects=self.rejects, run_info=info, contributions=out.contributions,
                      interactions=out.interactions, promises=out.promises, bands=out.bands,
                      turns=out.turns, rubric=self.settings.rubric, settings=self.settings)


def _flat(conv: Conversations) -> pd.DataFrame:
    """Turns with their interaction's columns: one self-contained row per turn."""
    inter = conv.interactions
    extra = [c for c in inter.columns if c == "interaction_id" or c not in conv.turns.columns]
    return conv.turns.merge(inter[extra], on="interaction_id", how="left")


def _read_summary(path: str | list[str], format: str | None, options: Mapping[str, Any]
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], list[str]]:
    """Worker: what reading one export file gives besides its turns: the flat turn
    table's columns (an empty frame), the rejects, the counts and which columns are
    the turns' own. A file of several given as ``[path]`` is read as part of them:
    if it fails as a whole it becomes a ``file_unreadable`` reject."""
    conv = read(path, format=format, **options)
    return _flat(conv).iloc[:0], conv.rejects, conv.counts, list(conv.turns.columns)


def _read_flat(path: str | list[str], format: str | None, options: Mapping[str, Any],
               meta: pd.DataFrame) -> pd.DataFrame:
    """Worker: one export file's turns (flat), with the columns and types of ``meta``
    (the union over every file: files of different formats have different columns)."""
    frame = _flat(read(path, format=format, **options)).reindex(columns=meta.columns)
    return frame.astype(meta.dtypes.to_dict())


def _union(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """An empty frame with every column of ``frames`` (object where their types differ)."""
    columns: dict[str, Any] = {}
    for f in frames:
        for name, t in f.dtypes.items():
            c = str(name)
            if c not in columns:
                columns[c] = t
            elif columns[c] != t:
                columns[c] = (pd.StringDtype() if all(
                    pd.api.types.is_string_dtype(x) or isinstance(x, pd.CategoricalDtype)
                    for x in (columns[c], t)) else object)
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def _conversations(part: pd.DataFrame, turn_columns: frozenset[str] | None = None
                   ) -> Conversations:
    """Validated conversations from flat turn rows; ``turn_columns`` (when the readers
    told them) are the turns' own columns, the others are the interactions'."""
    flat = part.drop(columns=[c for c in part.columns if c.startswith("_")]).reset_index(
        drop=True)
    if turn_columns is None:
        return Conversations.from_frames(flat)
    own = [c for c in flat.columns if c in turn_columns]
    inter = ["interaction_id", *(c for c in flat.columns if c not in turn_columns)]
    return Conversations.from_frames(flat[own], flat[inter].drop_duplicates("interaction_id"),
                                     turn_columns=tuple(own))


_META = [*META_COLUMNS, "_order"]


def _meta_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in _META})


def _partition_meta(part: pd.DataFrame, turn_columns: frozenset[str] | None
                    ) -> pd.DataFrame:
    """Per interaction of the partition: its contact metadata and input position."""
    if part.empty:
        return _meta_frame()
    conv = _conversations(part, turn_columns)
    meta = contact_meta(conv.turns, conv.interactions)
    order = part.groupby("interaction_id", sort=False)["_order"].min()
    meta["_order"] = meta["interaction_id"].astype(str).map(order).to_numpy()
    return meta[_META].astype("object")


def _partition_rejects(part: pd.DataFrame, turn_columns: frozenset[str] | None
                       ) -> pd.DataFrame:
    """The validation rejects of a partition of whole interactions (a DataFrame input)."""
    if part.empty:
        return empty(REJECTS)
    return conform(_conversations(part, turn_columns).rejects, REJECTS)


def _partition_counts(part: pd.DataFrame, turn_columns: frozenset[str] | None
                      ) -> pd.DataFrame:
    c = (_conversations(part, turn_columns).counts if len(part)
         else {"interactions_in": 0, "turns_in": 0})
    return pd.DataFrame({"interactions_in": [c["interactions_in"]],
                         "turns_in": [c["turns_in"]]})


def _score_partition(part: pd.DataFrame, settings: ScoreSettings, rows: pd.DataFrame,
                     turn_columns: frozenset[str] | None) -> tuple[pd.DataFrame, ...]:
    """Every table for the parts in one partition (empty tables for an empty one)."""
    if part.empty:
        return tuple(t for _, t in PartTables.empty().items())
    results = []
    for _, group in part.groupby("_part", sort=True):
        conv = _conversations(group.sort_values("_order", kind="mergesort"), turn_columns)
        inter = attach(conv.interactions, rows)
        results.append(score_part(conv.turns, inter, settings))
    order = pd.Series(range(len(rows)), index=rows.index.astype(str))
    return tuple(t for _, t in in_plan_order(results, order).items())


def score(
    data: dd.DataFrame | str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    settings: ScoreSettings | None = None,
    rubric: Rubric | str | None = None,
    sla_s: float | None = None,
    sla: float | str | Mapping[str, float | str] | None = None,
    tz: str | tzinfo | None = None,
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = None,
    link_by_customer: bool | None = None,
    promise_horizons: Mapping[str, str | pd.Timedelta | None] | None = None,
    as_of: str | pd.Timestamp | None = None,
    chunk_size: int | None = None,
    npartitions: int | None = None,
    **read_options: Any,
) -> DaskResult:
    """Score on Dask: the run plan, then every part through the local part function.

    Parameters
    ----------
    data
        A Dask DataFrame of turns, or export files/folders (read on the workers,
        one task per file, with serviceart's readers).
    format
        Reader name when ``data`` are paths; sniffed per file when ``None``.
    settings
        Every setting at once (:class:`~serviceart.ScoreSettings`); then no other
        setting keyword may be given.
    rubric, sla_s, sla, tz, calendar, case_window, link_by_customer, promise_horizons, as_of,
    chunk_size
        As for :func:`serviceart.score`.
    npartitions
        Partitions for the shuffles (default: as many as the input).
    **read_options
        Reader options when ``data`` are paths.

    Returns
    -------
    DaskResult
        Lazy Dask DataFrames of every table; ``.compute()`` gives a
        :class:`serviceart.Result`.
    """
    settings = ScoreSettings.resolve(
        settings, rubric=rubric, sla_s=sla_s, sla=sla, tz=tz, calendar=calendar,
        case_window=case_window, link_by_customer=link_by_customer,
        promise_horizons=promise_horizons, as_of=as_of, chunk_size=chunk_size)
    read_rejects: pd.DataFrame | None = None
    read_counts: dict[str, int] | None = None
    turn_columns: frozenset[str] | None = None
    if isinstance(data, dd.DataFrame):
        turns = data
        sample = data._meta
    else:
        found = [str(f) for f in expand_paths(data)]
        # one file named alone: its failure is an error; else each file is read as one
        # of several, so that a file that fails becomes a reject and the run goes on
        alone = len(found) == 1 and isinstance(data, (str, Path)) and Path(data).is_file()
        files: list[str | list[str]] = [f if alone else [f] for f in found]
        (summaries,) = dask.compute([dask.delayed(_read_summary)(f, format, dict(read_options))
                                     for f in files])
        sample = _union([m for m, _, _, _ in summaries])
        turn_columns = frozenset(c for *_, cols in summaries for c in cols)
        turns = dd.from_delayed([dask.delayed(_read_flat)(f, format, dict(read_options), sample)
                                 for f in files], meta=sample, verify_meta=False)
        counts_list = [c for _, _, c, _ in summaries]
        read_rejects = concat_rejects([r for _, r, _, _ in summaries])
        read_counts = {k: sum(c[k] for c in counts_list) for k in ("interactions_in",
                                                                  "turns_in")}
    n = npartitions or turns.npartitions
    # the input position of each turn, for results in input order
    turns = turns.assign(_order=1)
    turns["_order"] = turns["_order"].cumsum()
    by_interaction = turns.shuffle(on="interaction_id", npartitions=n)
    meta, part_rejects, part_counts = dask.compute(
        by_interaction.map_partitions(_partition_meta, turn_columns, meta=_meta_frame()),
        by_interaction.map_partitions(_partition_rejects, turn_columns, meta=empty(REJECTS)),
        by_interaction.map_partitions(_partition_counts, turn_columns, meta=pd.DataFrame(
            {"interactions_in": pd.Series(dtype="int64"),
             "turns_in": pd.Series(dtype="int64")})))
    meta = meta.sort_values("_order", kind="mergesort").reset_index(drop=True)
    meta = _contact_meta_types(meta)
    plan = make_plan(meta, settings)
    run = settings.with_as_of(plan.as_of)
    rows = plan.table.set_index("interaction_id")
    parts = pd.DataFrame({"interaction_id": plan.table["interaction_id"].astype("string"),
                          "_part": plan.table["part"].to_numpy()})
    joined = by_interaction.assign(
        interaction_id=by_interaction["interaction_id"].astype("string"))
    joined = joined.merge(parts, on="interaction_id", how="inner")
    by_part = joined.shuffle(on="_part", npartitions=max(1, min(n, plan.n_parts)))
    delayed = [dask.delayed(_score_partition, nout=len(_TABLES))(p, run, rows, turn_columns)
               for p in by_part.to_delayed()]
    empties = _empty_tables(sample, rows, settings, turn_columns)
    frames = {name: dd.from_delayed([d[k] for d in delayed], meta=empties[name],
                                    verify_meta=False)
              for k, name in enumerate(_TABLES)}
    if read_counts is None or read_rejects is None:  # a DataFrame input: validated here
        counts = {k: int(part_counts[k].sum()) for k in ("interactions_in", "turns_in")}
        rejects = conform(part_rejects, REJECTS).reset_index(drop=True)
    else:
        counts, rejects = read_counts, conform(read_rejects, REJECTS)
    if settings.redact:  # the readers' reasons may quote the input
        from ..redact import redact_tables

        rejects = redact_tables({"rejects": rejects}, settings.redact)["rejects"]
    info = run_info(settings, plan, engine="dask", seconds=0.0, words=0,
                    counts={**counts, "reject_rows": len(rejects)})
    return DaskResult(**frames, rejects=rejects, run_info=info, settings=settings, plan=plan)


def _empty_tables(sample: pd.DataFrame, rows: pd.DataFrame, settings: ScoreSettings,
                  turn_columns: frozenset[str] | None) -> dict[str, pd.DataFrame]:
    """Empty tables with the columns the parts will have (the Dask DataFrames' meta)."""
    out = dict(PartTables.empty().items())
    conv = _conversations(sample, turn_columns)
    out["interactions"] = with_size(conv.turns, attach(conv.interactions, rows.iloc[:0]))
    out["turns"] = conv.turns
    out["bands"] = settings.rubric.assign_bands(out["scores"])
    return out


def _contact_meta_types(meta: pd.DataFrame) -> pd.DataFrame:
    """Contact metadata gathered from partitions (object columns) with its real types."""
    out = meta.copy()
    for c in ("started_at", "started", "ended"):
        out[c] = pd.to_datetime(out[c], utc=True)
    for c in META_COLUMNS:
        if c not in ("started_at", "started", "ended"):
            out[c] = out[c].astype("string")
    return out
