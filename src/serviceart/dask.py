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

How it works, in the same steps as :mod:`serviceart.batch`:

1. Turns are shuffled so that each partition holds whole interactions, and
   each partition reports its interactions' metadata (ids, case, customer,
   start and end, who opened the contact). The client links cases over the
   whole dataset (:func:`serviceart.cases.assign_cases`), finds repeat contacts
   and fixes the end of the data, exactly as :func:`serviceart.score` does.
2. Turns are shuffled again by case, and every partition is scored by
   :func:`serviceart.engine.score_chunk` with one spaCy pipeline per worker
   process, then the rubric is applied.

The results equal the local engine's (tested on a ``LocalCluster`` with two
workers). Workers need serviceart installed, and the same version as the
client. Nothing is fetched from the network by serviceart itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

try:
    import dask
    import dask.dataframe as dd
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("serviceart.dask needs the dask extra: pip install 'serviceart[dask]'"
                      ) from exc

from .businesshours import BusinessCalendar
from .cases import assign_cases, parse_window
from .cues.pipeline import make_nlp
from .engine import EngineConfig, _calendar, _check_tz, repeat_from_times, score_chunk
from .followthrough import DEFAULT_HORIZONS
from .io import read
from .model import Conversations
from .result import Result
from .rubric import Rubric
from .schema import (
    CONTRIBUTIONS,
    EVIDENCE,
    PROMISES,
    REJECTS,
    SCORES,
    empty,
    measures_table,
)
from .scorers import default_scorers
from .scorers.case import contact_times

__all__ = ["DaskResult", "score"]

_TABLES = ("scores", "measures", "evidence", "contributions", "promises", "rejects")
_NLP: dict[str, Any] = {}


@dataclass
class DaskResult:
    """Lazy results: one Dask DataFrame per table (see :class:`serviceart.Result`)."""

    scores: dd.DataFrame
    measures: dd.DataFrame
    evidence: dd.DataFrame
    contributions: dd.DataFrame
    promises: dd.DataFrame
    rejects: dd.DataFrame
    run_info: dict[str, Any]

    def compute(self) -> Result:
        """Compute every table into a :class:`serviceart.Result` (in interaction order)."""
        tables = dask.compute(*(getattr(self, t) for t in _TABLES))
        out = {t: f.reset_index(drop=True) for t, f in zip(_TABLES, tables, strict=True)}
        return Result(scores=out["scores"], measures=out["measures"],
                      evidence=out["evidence"], rejects=out["rejects"],
                      contributions=out["contributions"], promises=out["promises"],
                      run_info=self.run_info)


def _empty_tables() -> tuple[pd.DataFrame, ...]:
    """Empty scores, measures, evidence, contributions, promises and rejects tables."""
    return (empty(SCORES), empty(measures_table()), empty(EVIDENCE), empty(CONTRIBUTIONS),
            empty(PROMISES), empty(REJECTS))


def _flat(conv: Conversations) -> pd.DataFrame:
    """Turns with their interaction's columns: one self-contained row per turn."""
    inter = conv.interactions
    extra = [c for c in inter.columns if c == "interaction_id" or c not in conv.turns.columns]
    return conv.turns.merge(inter[extra], on="interaction_id", how="left")


def _read_file(path: str, format: str | None, options: Mapping[str, Any]) -> pd.DataFrame:
    return _flat(read(path, format=format, **options))


def _conversations(part: pd.DataFrame) -> Conversations:
    turns = part.drop(columns=[c for c in part.columns if c.startswith("_")])
    return Conversations.from_frames(turns.reset_index(drop=True))


def _partition_meta(part: pd.DataFrame) -> pd.DataFrame:
    """Per interaction of the partition: metadata for case linking."""
    cols = ["interaction_id", "case_id", "customer_id", "started_at", "previous_contact_id",
            "aws_contact_id", "_started", "_ended", "_opened_by", "_order"]
    if part.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    conv = _conversations(part)
    inter = conv.interactions
    times = contact_times(conv.turns, inter)
    meta = pd.DataFrame({"interaction_id": inter["interaction_id"].astype(str)})
    for c in cols[1:6]:
        meta[c] = inter[c].to_numpy() if c in inter.columns else None
    meta["_started"] = times["started"].reindex(inter["interaction_id"]).to_numpy()
    meta["_ended"] = times["ended"].reindex(inter["interaction_id"]).to_numpy()
    meta["_opened_by"] = times["opened_by"].reindex(inter["interaction_id"]).astype(
        "object").to_numpy()
    order = part.groupby("interaction_id", sort=False)["_order"].min()
    meta["_order"] = meta["interaction_id"].map(order).to_numpy()
    return meta[cols].astype("object")


def _score_partition(part: pd.DataFrame, config: EngineConfig, rubric: Rubric
                     ) -> tuple[pd.DataFrame, ...]:
    """Every table for one partition of whole cases (empty tables for an empty one)."""
    if part.empty:
        return _empty_tables()
    if "nlp" not in _NLP:
        _NLP["nlp"] = make_nlp(patterns_dir=config.patterns_dir)
        _NLP["scorers"] = default_scorers()
    conv = _conversations(part)
    evidence, measures, promises = score_chunk(conv.turns, conv.interactions, config,
                                               _NLP["nlp"], _NLP["scorers"])
    repeat = part.groupby("interaction_id", sort=False)["_repeat"].first()
    measures["repeat_contact"] = measures["interaction_id"].astype(str).map(repeat).astype(
        "float64").to_numpy()
    scores, contributions = rubric.apply(measures)
    return scores, measures, evidence, contributions, promises, conv.rejects


def score(
    data: dd.DataFrame | str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    rubric: Rubric | str | None = None,
    sla_s: float = 600.0,
    tz: str = "UTC",
    calendar: BusinessCalendar | str | Mapping[str, Any] | None = None,
    case_window: str | pd.Timedelta | float | None = "7D",
    as_of: str | pd.Timestamp | None = None,
    npartitions: int | None = None,
    **read_options: Any,
) -> DaskResult:
    """Score on Dask: partitions of whole cases, each through the local chunk function.

    Parameters
    ----------
    data
        A Dask DataFrame of turns, or export files/folders (read on the workers,
        one task per file, with serviceart's readers).
    format, rubric, sla_s, tz, calendar, case_window, as_of
        As for :func:`serviceart.score`.
    npartitions
        Partitions after grouping by case (default: as many as the input).
    **read_options
        Reader options when ``data`` are paths.

    Returns
    -------
    DaskResult
        Lazy Dask DataFrames of scores, measures, evidence, contributions,
        promises and rejects; ``.compute()`` gives a :class:`serviceart.Result`.
    """
    _check_tz(tz)
    rub = Rubric.default() if rubric is None else (
        rubric if isinstance(rubric, Rubric) else Rubric.from_file(rubric))
    cal = _calendar(calendar)
    window = parse_window(case_window)
    if isinstance(data, dd.DataFrame):
        turns = data
    else:
        from .io import expand_paths

        files = [str(f) for f in expand_paths(data)]
        parts = [dask.delayed(_read_file)(f, format, dict(read_options)) for f in files]
        first = _read_file(files[0], format, read_options)
        turns = dd.from_delayed(parts, meta=first.iloc[:0])
    n = npartitions or turns.npartitions
    # keep the input order of interactions, for results in the order sa.score gives
    turns = turns.assign(_order=1)
    turns["_order"] = turns["_order"].cumsum()
    by_interaction = turns.shuffle(on="interaction_id", npartitions=n)
    meta = by_interaction.map_partitions(
        _partition_meta, meta=pd.DataFrame({c: pd.Series(dtype="object") for c in [
            "interaction_id", "case_id", "customer_id", "started_at", "previous_contact_id",
            "aws_contact_id", "_started", "_ended", "_opened_by", "_order"]})).compute()
    meta = meta.sort_values("_order", kind="mergesort").reset_index(drop=True)
    for c in ("started_at", "_started", "_ended"):
        meta[c] = pd.to_datetime(meta[c], utc=True)
    for c in ("interaction_id", "case_id", "customer_id", "previous_contact_id",
              "aws_contact_id"):
        meta[c] = meta[c].astype("string")
    linked = assign_cases(meta, window).set_index("interaction_id")
    times = pd.DataFrame({"started": linked["_started"], "opened_by": linked["_opened_by"]},
                         index=linked.index)
    linked["_repeat"] = repeat_from_times(linked.reset_index(), times, window)
    end: pd.Timestamp | None
    if as_of is not None:
        end = pd.Timestamp(as_of)
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    else:
        end = None if linked["_ended"].isna().all() else pd.Timestamp(linked["_ended"].max())
    config = EngineConfig(sla_s=float(sla_s), tz=tz, calendar=cal, as_of=end,
                          horizons=dict(DEFAULT_HORIZONS))
    cases = pd.DataFrame({"interaction_id": pd.Series(linked.index.astype(str),
                                                      dtype="string"),
                          "_case": linked["case_id"].astype(str).to_numpy(),
                          "_rule": linked["case_rule"].astype(str).to_numpy(),
                          "_repeat": linked["_repeat"].to_numpy()})
    joined = by_interaction.drop(columns=[c for c in ("case_id", "case_rule")
                                          if c in by_interaction.columns])
    joined["interaction_id"] = joined["interaction_id"].astype("string")
    joined = joined.merge(cases, on="interaction_id", how="left")
    joined = joined.rename(columns={"_case": "case_id", "_rule": "case_rule"})
    by_case = joined.shuffle(on="case_id", npartitions=n)
    delayed = [dask.delayed(_score_partition, nout=6)(p, config, rub)
               for p in by_case.to_delayed()]
    metas = _empty_tables()
    frames = [dd.from_delayed([d[k] for d in delayed], meta=metas[k]) for k in range(6)]
    info = {"engine": "dask", "rubric": {"name": rub.name, "version": rub.version,
                                         "hash": rub.hash},
            "settings": {"sla_s": sla_s, "tz": tz, "case_window": str(window),
                         "as_of": None if end is None else end.isoformat(),
                         "calendar": None if cal is None else cal.to_dict()},
            "counts": {"interactions": len(linked)}}
    scores, measures, evidence, contributions, promises, rejects = frames
    return DaskResult(scores=scores, measures=measures, evidence=evidence,
                      contributions=contributions, promises=promises, rejects=rejects,
                      run_info=info)
