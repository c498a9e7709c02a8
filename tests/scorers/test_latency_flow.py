"""Latency, handoffs, holds and readability measures, computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import serviceart as sa
from serviceart.scorers import FlowScorer, LatencyScorer, ReadabilityScorer
from serviceart.testing import check_scorer


def _chat() -> sa.Conversations:
    t0 = pd.Timestamp("2026-03-02T10:00:00Z")
    at = [0, 30, 100, 200, 900, 2000, 2100, 2150]
    turns = pd.DataFrame({
        "interaction_id": "ch",
        "role": ["customer", "customer", "agent", "customer", "agent", "agent", "customer",
                 "customer"],
        "speaker": ["c", "c", "ann", "c", "bob", "ann", "c", "c"],
        "text": ["hi", "hello??", "Hi, sorry.", "my order", "Checking now.", "Done.", "thx",
                 "bye"],
        "timestamp": [t0 + pd.Timedelta(seconds=s) for s in at],
    })
    return sa.Conversations.from_frames(turns)


def test_chat_latency_from_first_unanswered_message():
    m = check_scorer(LatencyScorer(sla_s=600), _chat()).iloc[0]
    # replies: 100-0 = 100, 900-200 = 700; the agent turn at 2000 answers nothing new
    assert m["first_response_s"] == 100
    assert m["median_reply_s"] == 400
    assert m["max_reply_s"] == 700
    assert m["replies_over_sla"] == 1
    assert m["agent_replies"] == 2
    assert m["unanswered_customer_turns"] == 2


def test_sla_parameter_changes_breaches():
    assert LatencyScorer(sla_s=60).score(_ctx(_chat()))["replies_over_sla"].iloc[0] == 2


def _ctx(conv, evidence=None):
    from serviceart.schema import EVIDENCE, empty
    from serviceart.scorers import ScoringContext

    return ScoringContext(conv.turns, conv.interactions,
                          evidence if evidence is not None else empty(EVIDENCE))


def test_call_latency_is_the_gap_after_the_customer():
    turns = pd.DataFrame({"interaction_id": "k", "role": ["customer", "agent", "customer",
                                                          "agent"],
                          "text": ["a", "b", "c", "d"], "start_s": [0, 6, 10, 9.5],
                          "end_s": [5, 9, 12, 15]})
    m = LatencyScorer().score(_ctx(sa.Conversations.from_frames(turns))).iloc[0]
    # turns sort by start: c0 (0-5), a (6-9), a (9.5-15), c (10-12) -> one reply of 1 s
    assert m["first_response_s"] == 1 and m["agent_replies"] == 1
    assert m["unanswered_customer_turns"] == 1


def test_no_timing_gives_nan_latency():
    turns = pd.DataFrame({"interaction_id": "k", "role": ["customer", "agent"],
                          "text": ["a", "b"]})
    m = LatencyScorer().score(_ctx(sa.Conversations.from_frames(turns))).iloc[0]
    assert math.isnan(m["first_response_s"]) and m["unanswered_customer_turns"] == 0


def test_handoffs_count_distinct_agents():
    m = check_scorer(FlowScorer(), _chat()).iloc[0]
    assert m["handoffs"] == 1
    assert math.isnan(m["hold_s"])  # a chat has no talk timing


def test_hold_runs_until_the_agent_speaks_again(nlp):
    turns = pd.DataFrame({
        "interaction_id": "h", "role": ["agent", "customer", "agent"],
        "text": ["Let me put you on hold for a moment.", "Okay.", "Thanks for holding."],
        "start_s": [0, 4, 95], "end_s": [3, 5, 97]})
    res = sa.score(sa.Conversations.from_frames(turns), nlp=nlp)
    assert res.measures.loc[0, "hold_s"] == 90
    assert res.measures.loc[0, "hold"] == 1


def test_reading_ease_only_on_written_channels_with_enough_words():
    long = ("I have processed the refund for you today. It will reach your card in three "
            "days. You will get an email when it is done. Is there anything else I can do "
            "for you?")
    turns = pd.DataFrame({"interaction_id": ["w", "w", "s", "v"],
                          "role": ["agent", "customer", "agent", "agent"],
                          "text": [long, "ok", "Done.", long],
                          "channel": ["chat", "chat", "chat", "call"]})
    m = check_scorer(ReadabilityScorer(), sa.Conversations.from_frames(turns)).set_index(
        "interaction_id")["agent_reading_ease"]
    import textstat

    assert m["w"] == pytest.approx(textstat.flesch_reading_ease(long))
    assert 60 < m["w"] <= 100
    assert math.isnan(m["s"]) and math.isnan(m["v"])


def test_samples_latency_and_flow(sample_result):
    m = sample_result.measures.set_index("interaction_id")
    assert m.loc["chat-0003", "max_reply_s"] == 740
    # replies of 40, 95, 740, 145 and 35 s against the chat SLA of 2 minutes
    assert m.loc["chat-0003", "sla_s"] == 120
    assert m.loc["chat-0003", "replies_over_sla"] == 2
    assert m.loc["chat-0003", "handoffs"] == 1
    assert m.loc["call-0001", "handoffs"] == 1
    assert m.loc["chat-0005", "unanswered_customer_turns"] == 1
    assert m.loc["call-0002", "hold_s"] == pytest.approx(124, abs=0.05)
    assert m["agent_reading_ease"].notna().sum() == 5  # the five chats


@pytest.mark.parametrize("waits", [[7.5], [1.0, 4.0], [5.0, 1.0, 2.5], [4.5, 3.0, 9.0, 1.0]])
def test_median_reply_equals_numpy_for_any_number_of_replies(waits):
    import numpy as np

    base = pd.Timestamp("2026-03-02T09:00:00Z")
    rows, t = [], 0.0
    for k, w in enumerate(waits):
        rows.append(("customer", t))
        t += w
        rows.append(("agent", t))
        t += 60.0 + k
    turns = pd.DataFrame({"interaction_id": "c", "role": [r for r, _ in rows],
                          "text": "hello", "channel": "chat",
                          "timestamp": [base + pd.Timedelta(seconds=s) for _, s in rows]})
    conv = sa.Conversations.from_frames(turns)
    got = LatencyScorer().score(_ctx(conv)).iloc[0]
    secs = [(b - a) for (_, a), (_, b) in zip(rows[::2], rows[1::2], strict=True)]
    assert got["median_reply_s"] == float(np.median(np.asarray(secs)))
    assert got["agent_replies"] == len(waits)
