"""Counts of every codebook cue, and promise counts."""

from __future__ import annotations

import pandas as pd

from ..codebook import CUES
from .base import Scorer, ScoringContext, register_scorer

__all__ = ["CueCountScorer", "PromiseScorer"]


@register_scorer
class CueCountScorer(Scorer):
    """One column per codebook cue: how many times it was found in the interaction."""

    name = "cues"
    columns = tuple(CUES)

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Count evidence rows per cue for every interaction of ``ctx``."""
        ev = ctx.evidence
        ids = ctx.interactions["interaction_id"].astype("string")
        if len(ev):
            counts = (ev.groupby([ev["interaction_id"].astype("string"),
                                  ev["cue"].astype("string")]).size().unstack(fill_value=0))
        else:
            counts = pd.DataFrame()
        table = counts.reindex(index=ids.to_numpy(), columns=list(self.columns), fill_value=0)
        out = table.astype("int64").reset_index(drop=True)
        out.insert(0, "interaction_id", ctx.interactions["interaction_id"].to_numpy())
        return out


@register_scorer
class PromiseScorer(Scorer):
    """``promises`` and ``promises_with_due`` (promises that state when: "by Friday")."""

    name = "promises"
    columns = ("promises", "promises_with_due")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Count promise cues, and those whose detail carries a due time."""
        ev = ctx.evidence[ctx.evidence["cue"] == "promise"]
        due = ev["detail"].astype("string").str.contains('"due_phrase":', regex=False).fillna(False)
        by = ev["interaction_id"].astype("string")
        return ctx.frame({
            "promises": ev.groupby(by).size().astype("float64"),
            "promises_with_due": due.groupby(by).sum().astype("float64"),
        }).fillna({"promises": 0.0, "promises_with_due": 0.0})
