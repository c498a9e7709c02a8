"""A sample of one category's hits, with the turns around them, for a person to judge.

Before a category is trusted in a rubric its precision is checked by reading a random
sample of its hits: :func:`sample_hits` draws them (reproducibly, with ``seed``) and
:func:`format_hits` lays each out with its turn, the hit marked ``[[like this]]``, and
the turns just before and after it (``serviceart categories sample RUN NAME -n 30``).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..result import Result

__all__ = ["format_hits", "sample_hits"]

#: Characters of a neighbouring turn shown around a hit.
CONTEXT_CHARS = 300


def _category_of(detail: pd.Series) -> pd.Series:
    """The category named in each evidence row's ``detail`` (missing where none is)."""

    def name(d: object) -> object:
        if not isinstance(d, str) or '"category"' not in d:
            return pd.NA
        try:
            value = json.loads(d)
        except ValueError:
            return pd.NA
        return value.get("category", pd.NA) if isinstance(value, dict) else pd.NA

    return detail.astype("object").map(name).astype("string")


def sample_hits(result: Result | str | Path, name: str, n: int = 30, *, seed: int = 0
                ) -> pd.DataFrame:
    """Up to ``n`` hits of the category ``name``, drawn at random, with their turns.

    Parameters
    ----------
    result
        A result or a run folder that was scored (or recategorised) with categories.
    name
        The category.
    n
        How many hits (all of them when there are fewer).
    seed
        The random seed: the same seed draws the same hits.

    Returns
    -------
    pandas.DataFrame
        One row per hit, in run order: ``interaction_id``, ``turn_index``, ``role``,
        ``hit`` (the words), ``start_char``, ``end_char``, ``turn`` (the turn's text),
        ``before`` and ``after`` (the neighbouring turns, ``role: text``, or empty);
        ``attrs["total"]`` holds how many hits the category has.

    Raises
    ------
    InputError
        When the run has no categories or stored no turns.
    ConfigError
        When ``name`` is not one of the run's categories (close names are suggested).
    """
    if isinstance(result, (str, Path)):
        result = Result.from_parquet(result)
    where = None if result.folder is None else str(result.folder)
    cats = None if result.settings is None else result.settings.categories
    if cats is None:
        raise InputError("this run was scored without categories; score it with "
                         "--categories FILE or apply them with `serviceart recategorise`",
                         source=where, code="SA-I264")
    cats[name]  # raises, with suggestions, for a name that is not a category
    ev = result.evidence
    mine = ev[((ev["source"].astype("string") == "category").fillna(False)
               & (_category_of(ev["detail"]) == name).fillna(False)).to_numpy(dtype=bool)]
    total = len(mine)
    if total > n:
        picked = np.sort(np.random.default_rng(seed).choice(total, size=n, replace=False))
        mine = mine.iloc[picked]
    turns = result.turns
    if total and (turns is None or turns.empty):
        raise InputError("the run stored no turns, so hits cannot be shown in context",
                         source=where, code="SA-I265")
    frame = _with_context(mine.reset_index(drop=True), turns)
    frame.attrs["total"] = total
    return frame


def _with_context(hits: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """Each hit with its turn's text and the turns before and after it."""
    cols = ["interaction_id", "turn_index", "role", "hit", "start_char", "end_char", "turn",
            "before", "after"]
    if hits.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    t = turns[["interaction_id", "turn_index", "role", "text"]].copy()
    t["interaction_id"] = t["interaction_id"].astype(str)
    t = t.sort_values(["interaction_id", "turn_index"], kind="stable").reset_index(drop=True)
    line = t["role"].astype(str) + ": " + t["text"].astype("string").fillna("").astype(str)
    same_before = t["interaction_id"].eq(t["interaction_id"].shift(1))
    same_after = t["interaction_id"].eq(t["interaction_id"].shift(-1))
    t["before"] = line.shift(1).where(same_before, "")
    t["after"] = line.shift(-1).where(same_after, "")
    key = hits[["interaction_id", "turn_index"]].astype({"interaction_id": str})
    merged = key.merge(t, on=["interaction_id", "turn_index"], how="left")
    return pd.DataFrame({
        "interaction_id": merged["interaction_id"].to_numpy(),
        "turn_index": merged["turn_index"].to_numpy(),
        "role": hits["role"].astype(str).to_numpy(),
        "hit": hits["text"].astype(str).to_numpy(),
        "start_char": hits["start_char"].to_numpy(),
        "end_char": hits["end_char"].to_numpy(),
        "turn": merged["text"].astype("string").fillna("").astype(str).to_numpy(),
        "before": merged["before"].fillna("").astype(str).to_numpy(),
        "after": merged["after"].fillna("").astype(str).to_numpy(),
    })


def _clip(text: str, keep: int = CONTEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= keep else text[:keep - 3].rstrip() + "..."


def format_hits(frame: pd.DataFrame, name: str) -> str:
    """Plain text of sampled hits, numbered, for a person to mark right or wrong.

    Examples
    --------
    >>> f = pd.DataFrame({"interaction_id": ["c1"], "turn_index": [0], "role": ["agent"],
    ...                   "hit": ["recorded"], "start_char": [13], "end_char": [21],
    ...                   "turn": ["This call is recorded."], "before": [""], "after": [""]})
    >>> print(format_hits(f, "recording"))
    1 hit of recording shown (1 in the run)
    <BLANKLINE>
    1. c1, turn 0 (agent)
       > This call is [[recorded]].
    """
    total = frame.attrs.get("total", len(frame))
    lines = [f"{len(frame)} hit{'s' if len(frame) != 1 else ''} of {name} shown "
             f"({total} in the run)"]
    for k, row in enumerate(frame.to_dict("records"), 1):
        turn = str(row["turn"])
        s, e = int(row["start_char"]), int(row["end_char"])
        marked = turn[:s] + "[[" + turn[s:e] + "]]" + turn[e:]
        lines.append("")
        lines.append(f"{k}. {row['interaction_id']}, turn {row['turn_index']} ({row['role']})")
        if row["before"]:
            lines.append(textwrap.indent(_clip(str(row["before"])), "     "))
        lines.append("   > " + " ".join(marked.split()))
        if row["after"]:
            lines.append(textwrap.indent(_clip(str(row["after"])), "     "))
    return "\n".join(lines)
