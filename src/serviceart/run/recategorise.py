"""Apply new or changed categories to a finished run, from its stored turns.

:func:`recategorise` keeps the run's cue evidence (rows found by the pattern files and
the learned detector), replaces its category rows by those of the new categories, and
scores every part again from the stored turns and interactions with the run's own
settings (rubric, SLAs, time zone, ``as_of``...): every measure built on cues, the
promise ledger, scores, bands and contributions follow. The input files are not read
again. The result equals scoring the input with the new categories
(``tests/test_categories.py`` checks this).

The run folder it came from is left as it was: a run folder records one scoring, so
the new result is written to a new folder (``serviceart recategorise RUN -o NEW``),
whose ``run_info`` names the run it was made from.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..cues.categories import Categories, load_categories
from ..cues.category_match import with_categories
from ..errors import InputError
from ..result import Result
from .chunk import PartTables, in_plan_order, score_part
from .folder import read_result

__all__ = ["recategorise"]

#: evidence sources that do not depend on the categories (kept as the run found them)
_CUE_SOURCES = ("pattern", "model")


def recategorise(result: Result | str | Path, categories: Categories | str | Path | None
                 ) -> Result:
    """The run ``result`` scored again with ``categories`` in place of its own.

    Parameters
    ----------
    result
        A :class:`~serviceart.Result` (from :func:`serviceart.score` or read back with
        :meth:`~serviceart.Result.from_parquet`), or a run folder.
    categories
        The new categories (a TOML path or
        :class:`~serviceart.cues.categories.Categories`); ``None`` removes the run's
        categories.

    Returns
    -------
    Result
        Every table scored again; ``run_info`` records the new categories and, under
        ``recategorised``, the run it came from and its categories.

    Raises
    ------
    InputError
        When the run's settings cannot be rebuilt or it stored no turns.
    RubricError
        When the run's rubric reads a category measure the new categories do not define.

    Examples
    --------
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples/chats.jsonl"))
    >>> cats = sa.Categories.from_toml('[[category]]\\nname = "refund"\\nphrases = ["refund"]')
    >>> new = sa.recategorise(res, cats)
    >>> int(new.measures["category_refund"].sum()) >= 0
    True
    """
    t0 = time.perf_counter()
    if isinstance(result, (str, Path)):
        result = read_result(result)
    where = str(result.folder) if result.folder is not None else None
    if result.settings is None:
        raise InputError("the run's settings cannot be rebuilt (its rubric or scorers are "
                         "unknown here); read it with the serviceart version that wrote it",
                         source=where, code="SA-I262")
    if len(result.scores) and (result.turns is None or result.turns.empty):
        raise InputError("the run stored no turns, so its categories cannot be applied "
                         "again; score the input with --categories instead", source=where,
                         code="SA-I263")
    cats = None if categories is None else load_categories(categories)
    settings = replace(result.settings, categories=cats)
    as_of = (result.run_info.get("plan") or {}).get("as_of")
    run = settings.with_as_of(None if as_of is None else pd.Timestamp(as_of))
    turns, interactions = result.turns, result.interactions
    evidence = result.evidence
    source = evidence["source"].astype("string")
    base = evidence[source.isin(_CUE_SOURCES).fillna(False).to_numpy(dtype=bool)]
    parts = [score_part(t, i, run, evidence=with_categories(e, t, i, run))
             for t, i, e in _parts(turns, interactions, base, run.chunk_size)]
    order = pd.Series(np.arange(len(result.scores)),
                      index=result.scores["interaction_id"].astype(str).to_numpy())
    out = in_plan_order(parts, order) if parts else PartTables.empty()
    info: dict[str, Any] = dict(result.run_info)
    previous = (info.get("settings") or {}).get("categories")
    info["settings"] = settings.to_dict()
    info["recategorised"] = {
        "from": where, "previous_categories": previous,
        "categories": None if cats is None else cats.to_dict(),
        "seconds": round(time.perf_counter() - t0, 3)}
    return Result(scores=out.scores, measures=out.measures, evidence=out.evidence,
                  rejects=result.rejects, run_info=info, contributions=out.contributions,
                  interactions=out.interactions, promises=out.promises, bands=out.bands,
                  turns=out.turns, rubric=result.rubric, settings=settings)


def _parts(turns: pd.DataFrame, interactions: pd.DataFrame, evidence: pd.DataFrame,
           size: int) -> list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Turns, interactions and evidence in parts of whole cases, about ``size``
    interactions each (a case is never split: the promise ledger reads whole cases)."""
    if interactions.empty:
        return []
    iid = interactions["interaction_id"].astype(str).to_numpy()
    case = (interactions["case_id"].astype("string").fillna(pd.Series(iid, dtype="string"))
            if "case_id" in interactions.columns else pd.Series(iid, dtype="string"))
    codes, _ = pd.factorize(case.to_numpy(dtype=object))
    sizes = np.bincount(codes)
    part_of_case = (np.cumsum(sizes) - 1) // size if len(sizes) else np.zeros(0, dtype=int)
    part = pd.Series(part_of_case[codes], index=iid)
    turn_part = turns["interaction_id"].astype(str).map(part).to_numpy()
    ev_part = evidence["interaction_id"].astype(str).map(part).to_numpy()
    out = []
    for k in np.unique(part.to_numpy()).tolist():
        out.append((turns[turn_part == k].reset_index(drop=True),
                    interactions[part.to_numpy() == k].reset_index(drop=True),
                    evidence[ev_part == k].reset_index(drop=True)))
    return out
