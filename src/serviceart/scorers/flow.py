"""Service measures of the flow of a contact: handoffs between agents and holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Scorer, ScoringContext, register_scorer

__all__ = ["FlowScorer"]


@register_scorer
class FlowScorer(Scorer):
    """Handoffs (distinct agent speakers minus one) and seconds on hold.

    ``hold_s`` adds, for every agent turn holding a ``hold`` cue, the silence
    before the agent next speaks (from the end of the last turn before it, so a
    customer's "okay" does not end the hold). It is NaN when the interaction has
    no timing.

    Parameters
    ----------
    min_hold_s
        Gaps shorter than this after a hold cue are not counted as a hold.
    """

    name = "flow"
    columns = ("handoffs", "hold_s")

    def __init__(self, *, min_hold_s: float = 5.0) -> None:
        self.min_hold_s = min_hold_s

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute handoffs and hold time for every interaction of ``ctx``."""
        turns = ctx.turns
        agents = turns.loc[turns["role"] == "agent"]
        handoffs = (agents.groupby("interaction_id", sort=False)["speaker"].nunique()
                    .sub(1).clip(lower=0).astype("float64"))
        handoffs = ctx.interactions["interaction_id"].map(handoffs).fillna(0.0)

        holds = ctx.evidence.loc[ctx.evidence["cue"] == "hold"]
        hold_turns = holds.groupby("interaction_id", observed=True)["turn_index"].agg(set)
        # no hold cue: 0 s on a timed interaction, NaN without timing
        timed = (turns["start_s"].notna() & turns["end_s"].notna()).groupby(
            turns["interaction_id"], sort=False).all()
        hold = np.where(timed.to_numpy(dtype=bool), 0.0, np.nan)
        with_hold = turns[turns["interaction_id"].isin(list(hold_turns.index))]
        held = {iid: self._hold(g, hold_turns.get(iid, set()))
                for iid, g in with_hold.groupby("interaction_id", sort=False)}
        if held:  # the few interactions with a hold cue (one array write for all)
            hold[timed.index.get_indexer(pd.Index(list(held)))] = np.fromiter(
                held.values(), dtype="float64", count=len(held))
        return ctx.frame({"handoffs": pd.Series(handoffs.to_numpy(),
                                                index=ctx.interactions["interaction_id"]),
                          "hold_s": pd.Series(hold, index=timed.index)})

    def _hold(self, group: pd.DataFrame, hold_turns: set[int]) -> float:
        """Seconds of silence before the agent speaks again after each hold cue."""
        start = group["start_s"].to_numpy(dtype="float64")
        end = group["end_s"].to_numpy(dtype="float64")
        if not len(group) or np.isnan(start).any() or np.isnan(end).any():
            return float("nan")
        roles = group["role"].to_numpy(dtype=object)
        index = group["turn_index"].to_numpy()
        total = 0.0
        for i in np.flatnonzero(np.isin(index, list(hold_turns))):
            later = [j for j in range(i + 1, len(group)) if roles[j] == "agent"]
            if not later:
                continue
            j = later[0]
            gap = start[j] - float(end[i:j].max())
            if gap >= self.min_hold_s:
                total += gap
        return total
