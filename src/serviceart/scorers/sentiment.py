"""Customer sentiment: at the start and the end of each interaction, the shift between
them, the whole conversation's, and the shift across a case.

Sentiment is VADER's compound score (-1..1) with support-language overrides
(:mod:`serviceart.scorers._vader`, ``data/sentiment.toml``). Turns scored
together count as VADER scores one text, except that its "but" rule and its
test for words in capitals look within each turn. Each text is analysed once per
process and remembered, so agent templates repeated across a run cost nothing
after the first time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import EVIDENCE, conform, empty
from ._timeline import customer_start_end
from ._vader import Word, analyser, compound
from .base import Scorer, ScoringContext, register_scorer

__all__ = ["SentimentScorer"]

CUE = "customer_sentiment"
"""The evidence name of the words that moved the customer's sentiment."""


@register_scorer
class SentimentScorer(Scorer):
    """The customer's sentiment and how it moved, per interaction and per case.

    - ``customer_sentiment_start``: the customer's turns before the agent first
      spoke, scored together; when the agent spoke first, the customer's first
      turn. NaN when the customer did not speak.
    - ``customer_sentiment_end``: the customer's last turns after the agent
      first spoke (those since the agent's last turn before them), scored
      together. NaN when the customer did not speak after an agent did.
    - ``customer_sentiment_shift``: end minus start (NaN when either is).
    - ``conversation_sentiment``: every agent and customer turn scored together
      (the whole-conversation baseline). NaN without such turns.
    - ``case_sentiment_shift``: the end of the case's last contact minus the start
      of its first (contacts share ``case_id``; ordered by start time, as
      :class:`~serviceart.scorers.CaseScorer` orders them). NaN when either is.

    The customer turns that make the start and the end get evidence rows with cue
    ``customer_sentiment``: the words with the largest valence in the turn, with
    ``detail`` holding the valence and which measure the turn counts for.

    Parameters
    ----------
    overrides
        A sentiment overrides file laid out as ``serviceart/data/sentiment.toml``;
        the packaged one when ``None``.
    evidence_words
        The most words per turn given as evidence.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.Conversations.from_frames(pd.DataFrame({"interaction_id": "c1",
    ...     "role": ["customer", "agent", "customer"],
    ...     "text": ["My router is still not working.", "I've reset your line.",
    ...              "That worked, thanks!"]}))
    >>> ctx = ScoringContext(turns=conv.turns, interactions=conv.interactions,
    ...                      evidence=pd.DataFrame())
    >>> out, evidence = SentimentScorer().score_with_evidence(ctx)
    >>> out[["customer_sentiment_start", "customer_sentiment_end"]].round(3).values.tolist()
    [[-0.494, 0.735]]
    >>> evidence[["turn_index", "text"]].values.tolist()
    [[0, 'still not working'], [2, 'That worked'], [2, 'thanks']]
    """

    name = "sentiment"
    columns = ("customer_sentiment_start", "customer_sentiment_end", "customer_sentiment_shift",
               "conversation_sentiment", "case_sentiment_shift")

    def __init__(self, *, overrides: str | None = None, evidence_words: int = 3) -> None:
        self.overrides = overrides
        self.evidence_words = evidence_words

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute the sentiment measures of every interaction of ``ctx``."""
        return self.score_with_evidence(ctx)[0]

    def score_with_evidence(self, ctx: ScoringContext) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The sentiment measures and the ``customer_sentiment`` evidence rows."""
        spoken = _spoken(ctx)
        start_rows, end_rows = customer_start_end(spoken.iid, spoken.role)
        customer = spoken.role == "customer"
        marks = start_rows & customer, end_rows & customer
        totals = analyser(self.overrides).totals(spoken.text.tolist(),
                                                 words_for=marks[0] | marks[1])
        sums = pd.DataFrame({
            "iid": spoken.iid,
            "total": totals.total,
            "exclaim": totals.exclaim.astype("float64"),
            "question": totals.question.astype("float64"),
        })
        start = _scored(sums[start_rows])
        end = _scored(sums[end_rows])
        conversation = _scored(sums)
        shift = end - start.reindex(end.index)
        case_shift = _case_shift(ctx, start, end)
        out = ctx.frame({
            "customer_sentiment_start": start,
            "customer_sentiment_end": end,
            "customer_sentiment_shift": shift,
            "conversation_sentiment": conversation,
            "case_sentiment_shift": case_shift,
        })
        return out, self._evidence(spoken, totals.words, *marks)

    def _evidence(self, spoken: _Spoken, found: dict[int, tuple[Word, ...]],
                  start: np.ndarray, end: np.ndarray) -> pd.DataFrame:
        """Evidence rows: the strongest words (``found``, by row) of each start and end
        turn, in text order."""
        rows = np.flatnonzero(start | end)
        cols: dict[str, list[object]] = {k: [] for k in
                                         ("interaction_id", "turn_index", "start_char",
                                          "end_char", "text", "detail")}
        texts, ids, index = spoken.text, spoken.interaction_id, spoken.turn_index
        # the measures a turn counts for, as the JSON of ``detail`` writes them
        counts_for = {(a, b): json.dumps([m for m, on in (("start", a), ("end", b)) if on])
                      for a in (False, True) for b in (False, True)}
        for r, at_start, at_end in zip(rows.tolist(), start[rows].tolist(),
                                       end[rows].tolist(), strict=True):
            words = found.get(r, ())
            if not words:
                continue
            strongest = sorted(words, key=lambda w: (-abs(w.valence), w.start))
            counts = counts_for[at_start, at_end]
            text, iid, turn = texts[r], ids[r], index[r]
            for w in sorted(strongest[:self.evidence_words], key=lambda w: w.start):
                cols["interaction_id"].append(iid)
                cols["turn_index"].append(turn)
                cols["start_char"].append(w.start)
                cols["end_char"].append(w.end)
                cols["text"].append(text[w.start:w.end])
                # json.dumps({"valence": ..., "counts_for": ...}, sort_keys=True); JSON
                # writes a finite float as its repr
                cols["detail"].append(f'{{"counts_for": {counts}, "valence": '
                                      f'{round(w.valence, 3)!r}}}')
        if not cols["interaction_id"]:
            return empty(EVIDENCE)
        n = len(cols["interaction_id"])
        return conform({**cols, "role": ["customer"] * n, "cue": [CUE] * n}, EVIDENCE)


@dataclass(frozen=True)
class _Spoken:
    """The agent and customer turns (:func:`_spoken`), column by column.

    Plain arrays rather than a DataFrame: pandas would turn each column of Python
    strings into Arrow strings, which the scorer turns straight back.
    """

    #: the interaction ids as given, and as ``str``
    interaction_id: np.ndarray
    iid: np.ndarray
    turn_index: np.ndarray
    #: "agent" or "customer"
    role: np.ndarray
    #: never missing ("" for a missing text)
    text: np.ndarray


def _spoken(ctx: ScoringContext) -> _Spoken:
    """The agent and customer turns, by interaction (in ``ctx.interactions`` order) and
    turn index."""
    turns = ctx.turns
    role = turns["role"]  # compared as it is (a category): no string copy
    keep = role.isin(["agent", "customer"]).to_numpy(dtype=bool)
    iid = turns["interaction_id"].astype(str).to_numpy()[keep]
    # each turn's interaction as its position in ``ctx.interactions`` (inf: not there)
    at = pd.Index(ctx.interactions["interaction_id"].astype(str).to_numpy(), dtype=object
                  ).get_indexer(pd.Index(iid, dtype=object))
    pos = np.where(at >= 0, at, np.inf)
    index = turns["turn_index"].to_numpy()[keep]
    order = np.lexsort((index, pos))
    return _Spoken(
        interaction_id=turns["interaction_id"].to_numpy()[keep][order],
        iid=iid[order],
        turn_index=index[order],
        role=role.to_numpy(dtype=object)[keep][order],
        text=turns["text"].astype("string").fillna("").to_numpy(dtype=object)[keep][order])


def _scored(sums: pd.DataFrame) -> pd.Series:
    """Compound score per interaction of the turns in ``sums``, scored together."""
    if sums.empty:
        return pd.Series(dtype="float64")
    grouped = sums.groupby("iid", sort=False)[["total", "exclaim", "question"]].sum()
    return pd.Series(compound(grouped["total"].to_numpy(), grouped["exclaim"].to_numpy(),
                              grouped["question"].to_numpy()), index=grouped.index)


def _case_shift(ctx: ScoringContext, start: pd.Series, end: pd.Series) -> pd.Series:
    """Per interaction: its case's last contact's end minus its first contact's start."""
    inter = ctx.interactions
    ids = inter["interaction_id"].astype(str)
    case = inter["case_id"].astype("string").fillna(inter["interaction_id"].astype("string"))
    times = ctx.contact_times
    order = pd.DataFrame({"case": case.to_numpy(), "id": ids.to_numpy(),
                          "started": times["started"].array,
                          "ended": times["ended"].array})
    # ties in time (and unknown times, last) are broken by id, as CaseScorer does
    order = order.sort_values(["case", "started", "ended", "id"], kind="mergesort")
    first = order.groupby("case", sort=False)["id"].first()
    last = order.groupby("case", sort=False)["id"].last()
    began = first.map(start)
    finished = last.map(end)
    shift = (finished - began).astype("float64")
    return pd.Series(case.map(shift).to_numpy(dtype="float64", na_value=np.nan),
                     index=ids.to_numpy())
