"""Agent reading ease on written channels (textstat's Flesch reading ease)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from .base import Scorer, ScoringContext, register_scorer

_LANG = "en_US"


@lru_cache(maxsize=1)
def _syllables() -> Callable[[str], int]:
    """textstat's syllable count of one word, remembered per word.

    The body is textstat's own per-word rule (``count_syllables``: the CMU
    pronouncing dictionary, else pyphen's hyphenation points + 1); textstat
    caches whole texts only, so every word of every new text was looked up again.
    """
    from textstat.backend.utils._get_cmudict import get_cmudict
    from textstat.backend.utils._get_pyphen import get_pyphen

    cmu, pyphen = get_cmudict(_LANG), get_pyphen(_LANG)

    @lru_cache(maxsize=500_000)
    def count(word: str) -> int:
        try:
            return sum(1 for p in cmu[word][0] if p[-1].isdigit())
        except (TypeError, IndexError, KeyError):
            return len(pyphen.positions(word)) + 1

    return count


def reading_ease(text: str) -> float:
    """Flesch reading ease of ``text``, equal to ``textstat.flesch_reading_ease``.

    Computed from textstat's own word list, sentence count and constants, with
    the syllables of each distinct word counted once (``tests/scorers`` compares
    the two on real agent texts).

    Examples
    --------
    >>> import textstat
    >>> text = "Thanks for waiting. Your refund was processed and should arrive soon."
    >>> reading_ease(text) == textstat.flesch_reading_ease(text)
    True
    """
    from textstat.backend.counts import count_sentences, count_words
    from textstat.backend.selections._list_words import list_words
    from textstat.backend.utils._get_lang_cfg import get_lang_cfg
    from textstat.backend.utils._get_lang_root import get_lang_root

    words = count_words(text)
    sentences = count_sentences(text)
    if words == 0 or sentences == 0:
        return 0.0
    count = _syllables()
    syllables = sum(count(w) for w in list_words(text, lowercase=True))
    per_word, length = syllables / words, words / sentences
    if length == 0 or per_word == 0:
        return 0.0
    root = get_lang_root(_LANG)
    return float(get_lang_cfg(root, "fre_base")
                 - get_lang_cfg(root, "fre_sentence_length") * length
                 - get_lang_cfg(root, "fre_syll_per_word") * per_word)

__all__ = ["ReadabilityScorer", "reading_ease"]

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
        written = ctx.interactions.loc[
            ctx.interactions["channel"].astype("string").isin(WRITTEN), "interaction_id"]
        agent = ctx.turns[(ctx.turns["role"] == "agent")
                          & ctx.turns["interaction_id"].isin(written)]
        texts = agent.groupby("interaction_id", sort=False)["text"].agg(
            lambda s: " ".join(s.astype(str)))
        ease = {
            iid: reading_ease(text)
            for iid, text in texts.items()
            if len(text.split()) >= self.min_words
        }
        return ctx.frame({"agent_reading_ease": pd.Series(ease, dtype="float64")})
