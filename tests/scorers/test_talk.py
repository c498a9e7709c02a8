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
