"""Agent reading ease on written channels (textstat's Flesch reading ease)."""

from __future__ import annotations

import pandas as pd

from .base import Scorer, ScoringContext, register_scorer

__all__ = ["ReadabilityScorer"]

WRITTEN = ("chat", "email", "social", "forum")


@register_scorer
class ReadabilityScorer(Scorer):
    """Flesch reading ease of everything the agent wrote in the interaction.

    Only for written channels; NaN for calls and when the agent wrote fewer than
    ``min_words`` words (the formula is unstable on short texts).

    Parameters
    ----------
    min_words
        The least number of agent words to score.
    """

    name = "readability"
    columns = ("agent_reading_ease",)

    def __init__(self, *, min_words: int = 30) -> None:
        self.min_words = min_words

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute ``agent_reading_ease`` for every interaction of ``ctx``."""
        import textstat

        written = ctx.interactions.loc[
            ctx.interactions["channel"].astype("string").isin(WRITTEN), "interaction_id"]
        agent = ctx.turns[(ctx.turns["role"] == "agent")
                          & ctx.turns["interaction_id"].isin(written)]
        texts = agent.groupby("interaction_id", sort=False)["text"].agg(
            lambda s: " ".join(s.astype(str)))
        ease = {
            iid: float(textstat.flesch_reading_ease(text))
            for iid, text in texts.items()
            if len(text.split()) >= self.min_words
        }
        return ctx.frame({"agent_reading_ease": pd.Series(ease, dtype="float64")})
