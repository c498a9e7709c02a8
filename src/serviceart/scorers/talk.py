"""Respect measures from who talks, when and how much."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._timeline import Group, intersection_length, split_groups, union
from .base import Scorer, ScoringContext, register_scorer

__all__ = ["TalkScorer"]

_NAN = float("nan")


def _talk(group: Group) -> dict[str, float]:
    role = np.asarray(group["role"], dtype=object)
    start = np.asarray(group["start_s"], dtype="float64")
    end = np.asarray(group["end_s"], dtype="float64")
    agent, customer = role == "agent", role == "customer"
    timed = bool(len(group)) and not (np.isnan(start).any() or np.isnan(end).any())
    out: dict[str, float] = {}
    if timed:
        dur = end - start
        a, c = float(dur[agent].sum()), float(dur[customer].sum())
    else:
        words = np.asarray(group["_words"], dtype="float64")
        a, c = float(words[agent].sum()), float(words[customer].sum())
    total = a + c
    out["agent_talk_share"] = a / total if total > 0 else _NAN
    out["customer_talk_share"] = c / total if total > 0 else _NAN
    out["agent_questions"] = float(np.asarray(group["_questions"])[agent].sum())
    if not timed:
        out.update(longest_agent_monologue_s=_NAN, interruptions_by_agent=_NAN,
                   interruptions_by_customer=_NAN, overlap_s=_NAN, silence_share=_NAN)
        return out
    longest, run_start, run_end = 0.0, None, 0.0
    for r, s, e in zip(role, start, end, strict=False):
        if r == "agent":
            if run_start is None:
                run_start, run_end = s, e
            run_end = max(run_end, e)
            longest = max(longest, run_end - run_start)
        elif r == "customer":
            run_start = None
    out["longest_agent_monologue_s"] = longest
    last_end = {"agent": -np.inf, "customer": -np.inf}
    interrupts = {"agent": 0, "customer": 0}
    for r, s, e in zip(role, start, end, strict=False):
        if r in interrupts:
            other = "customer" if r == "agent" else "agent"
            if s < last_end[other]:
                interrupts[r] += 1
            last_end[r] = max(last_end[r], e)
    out["interruptions_by_agent"] = float(interrupts["agent"])
    out["interruptions_by_customer"] = float(interrupts["customer"])
    out["overlap_s"] = intersection_length(union(start[agent], end[agent]),
                                           union(start[customer], end[customer]))
    length = float(np.max(end))
    spoken = sum(e - s for s, e in union(start, end))
    out["silence_share"] = max(0.0, 1.0 - spoken / length) if length > 0 else _NAN
    return out


@register_scorer
class TalkScorer(Scorer):
    """Talk shares, monologues, questions, interruptions, overlap and silence.

    Shares use talk time when every turn of the interaction has ``start_s`` and
    ``end_s``, else words. Timing measures are NaN without timing. An interruption
    is a turn that starts before the other side's previous turn has ended.

    Examples
    --------
    >>> import pandas as pd, serviceart as sa
    >>> turns = pd.DataFrame({"interaction_id": "c1", "role": ["agent", "customer", "agent"],
    ...     "text": ["Hello, how can I help?", "My bill is wrong.", "Let me look."],
    ...     "start_s": [0.0, 3.0, 4.5], "end_s": [3.0, 6.0, 6.0]})
    >>> res = sa.score(sa.Conversations.from_frames(turns))
    >>> res.measures.loc[0, ["agent_talk_share", "interruptions_by_agent", "overlap_s"]].tolist()
    [0.6, 1.0, 1.5]
    """

    name = "talk"
    columns = ("customer_talk_share", "agent_talk_share", "longest_agent_monologue_s",
               "agent_questions", "interruptions_by_agent", "interruptions_by_customer",
               "overlap_s", "silence_share")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute the talk measures for every interaction of ``ctx``."""
        turns = ctx.turns[["interaction_id", "role", "start_s", "end_s"]].copy()
        turns["role"] = turns["role"].astype(object)
        text = ctx.turns["text"].astype("string").fillna("")
        turns["_words"] = ctx.words.astype("float64")
        turns["_questions"] = text.str.count(r"\?+").astype("float64")
        cols = ["role", "start_s", "end_s", "_words", "_questions"]
        ids = turns["interaction_id"]
        timed = (turns["start_s"].notna() & turns["end_s"].notna()).groupby(
            ids, sort=False).all()
        in_timed = ids.map(timed).to_numpy(dtype=bool)
        rows: dict[Any, dict[str, float]] = {
            iid: _talk(g) for iid, g in split_groups(turns[in_timed], cols)}
        table = pd.DataFrame.from_dict(rows, orient="index")
        untimed = self._by_words(turns[~in_timed])
        if len(untimed):
            table = untimed if table.empty else pd.concat([table, untimed])
        return ctx.frame({c: table[c] if c in table else pd.Series(dtype="float64")
                          for c in self.columns})

    @staticmethod
    def _by_words(turns: pd.DataFrame) -> pd.DataFrame:
        """:func:`_talk` for interactions without full timing, for all of them at once:
        shares of words and agent questions (sums of whole numbers, so exact in any
        order), timing measures NaN."""
        if turns.empty:
            return pd.DataFrame()
        role = turns["role"].to_numpy(dtype=object)
        agent, customer = role == "agent", role == "customer"
        words = turns["_words"].to_numpy(dtype="float64")
        sums = pd.DataFrame({
            "a": np.where(agent, words, 0.0), "c": np.where(customer, words, 0.0),
            "q": np.where(agent, turns["_questions"].to_numpy(dtype="float64"), 0.0),
        }).groupby(turns["interaction_id"].to_numpy(), sort=False).sum()
        total = sums["a"] + sums["c"]
        out = pd.DataFrame(index=sums.index)
        out["agent_talk_share"] = (sums["a"] / total).where(total > 0)
        out["customer_talk_share"] = (sums["c"] / total).where(total > 0)
        out["agent_questions"] = sums["q"]
        for col in ("longest_agent_monologue_s", "interruptions_by_agent",
                    "interruptions_by_customer", "overlap_s", "silence_share"):
            out[col] = _NAN
        return out
