"""Talk measures on hand-built calls and chats, computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import serviceart as sa
from serviceart.scorers import TalkScorer
from serviceart.testing import check_scorer


def _call() -> sa.Conversations:
    # agent 0-10, customer 8-20 (overlap 2 s; customer interrupts), agent 25-30,
    # agent 30-100 (one agent run 25-100 = 75 s), customer 95-110 (interrupts), agent 109-112
    turns = pd.DataFrame({
        "interaction_id": "c1",
        "role": ["agent", "customer", "agent", "agent", "customer", "agent"],
        "text": ["Hello, how can I help?", "My bill is wrong", "Let me see.", "Right. ok?",
                 "Hm", "Fine?"],
        "start_s": [0, 8, 25, 30, 95, 109],
        "end_s": [10, 20, 30, 100, 110, 112],
    })
    return sa.Conversations.from_frames(turns)


def test_timed_call_measures():
    m = check_scorer(TalkScorer(), _call()).iloc[0]
    agent_time = 10 + 5 + 70 + 3
    customer_time = 12 + 15
    assert m["agent_talk_share"] == pytest.approx(agent_time / (agent_time + customer_time))
    assert m["customer_talk_share"] == pytest.approx(customer_time / (agent_time + customer_time))
    assert m["longest_agent_monologue_s"] == 75
    assert m["interruptions_by_customer"] == 2  # at 8 s and 95 s
    assert m["interruptions_by_agent"] == 1  # at 109 s, customer speaks until 110
    assert m["overlap_s"] == pytest.approx(2 + 5 + 1)
    # spoken: 0-20, 25-112 -> 107 of 112 s
    assert m["silence_share"] == pytest.approx(5 / 112)
    assert m["agent_questions"] == 3


def test_untimed_uses_words_and_leaves_timing_nan():
    turns = pd.DataFrame({"interaction_id": "x", "role": ["agent", "customer"],
                          "text": ["one two three", "four"]})
    m = check_scorer(TalkScorer(), sa.Conversations.from_frames(turns)).iloc[0]
    assert m["agent_talk_share"] == 0.75 and m["customer_talk_share"] == 0.25
    for col in ("longest_agent_monologue_s", "interruptions_by_agent", "overlap_s",
                "silence_share"):
        assert math.isnan(m[col]), col


def test_samples_talk(sample_result):
    m = sample_result.measures.set_index("interaction_id")
    assert m.loc["call-0004", "longest_agent_monologue_s"] == pytest.approx(70.6, abs=0.05)
    assert m.loc["call-0004", "agent_talk_share"] > 0.8
    assert m.loc["text-0002", "customer_talk_share"] > 0.6
    assert m.loc["call-0003", "interruptions_by_agent"] == 2
    assert m.loc["call-0003", "interruptions_by_customer"] == 1
    assert m.loc["call-0003", "overlap_s"] == pytest.approx(4.6, abs=0.05)
    assert m.loc["call-0005", "silence_share"] == pytest.approx(0.72, abs=0.01)


def test_word_shares_equal_the_per_interaction_rule_on_real_and_mixed_text(shared_data):
    """Interactions without timing are scored all at once; the values are exactly
    those of the per-interaction rule (``_talk``), next to timed calls."""
    import numpy as np

    from serviceart._words import word_counts
    from serviceart.scorers._timeline import split_groups
    from serviceart.scorers.base import ScoringContext
    from serviceart.scorers.talk import _talk

    twcs = sa.read(shared_data / "twcs" / "twcs.csv")
    call = _call()
    turns = pd.concat([twcs.turns, call.turns], ignore_index=True)
    inter = pd.concat([twcs.interactions, call.interactions], ignore_index=True)
    ctx = ScoringContext(turns=turns, interactions=inter, evidence=None, sla_s=600.0)
    got = TalkScorer().score(ctx).set_index("interaction_id")

    t = turns[["interaction_id", "role", "start_s", "end_s"]].copy()
    t["role"] = t["role"].astype(object)
    t["_words"] = word_counts(turns["text"]).astype("float64")
    t["_questions"] = turns["text"].astype("string").str.count(r"\?+").astype("float64")
    want = pd.DataFrame.from_dict(
        {iid: _talk(g) for iid, g in split_groups(
            t, ["role", "start_s", "end_s", "_words", "_questions"])}, orient="index")
    want = want.reindex(got.index)[list(got.columns)]
    assert np.array_equal(got.to_numpy(), want.to_numpy(dtype="float64"), equal_nan=True)
    assert got["agent_talk_share"].notna().sum() > 1000
    assert got["overlap_s"].notna().sum() == len(call.interactions)
