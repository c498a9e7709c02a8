"""Outcome measures: answered messages, substance, links, private redirects, the last word."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.scorers import OutcomeScorer
from serviceart.scorers.outcome import _Groups, outcome_patterns
from serviceart.testing import check_scorer


def _thread(iid: str, turns: list[tuple[str, str]], gap_s: int = 600) -> pd.DataFrame:
    t0 = pd.Timestamp("2017-10-31T22:00:00Z")
    return pd.DataFrame({
        "interaction_id": iid,
        "role": [r for r, _ in turns],
        "speaker": ["cust_7" if r == "customer" else "brand" for r, _ in turns],
        "text": [x for _, x in turns],
        "timestamp": [t0 + pd.Timedelta(seconds=gap_s * i) for i in range(len(turns))],
        "channel": "social",
    })


def _score(*frames: pd.DataFrame) -> pd.DataFrame:
    conv = sa.Conversations.from_frames(pd.concat(frames, ignore_index=True))
    return check_scorer(OutcomeScorer(), conv).set_index("interaction_id")


HELPED = _thread("helped", [
    ("customer", "@brand my order 55120 never arrived and it's been two weeks, what's going on?"),
    ("agent", "@cust_7 So sorry about that! I've sent a replacement, it ships today and the "
              "tracking number will come by email within the hour."),
    ("customer", "@brand great, that worked. Thanks a lot!"),
])
LINKED = _thread("linked", [
    ("customer", "@brand I was told last week someone would call me back. Nobody called me back."),
    ("agent", "@cust_7 Hi there, please see https://help.example.com/contact"),
    ("customer", "@brand still not working, useless"),
    ("customer", "@brand hello??"),
])
DM = _thread("dm", [
    ("customer", "@brand I was charged twice for my subscription this month"),
    ("agent", "@cust_7 We're sorry to hear this. Please send us a DM with your account email "
              "and we'll take a look."),
])


def test_a_helped_thread():
    m = _score(HELPED, LINKED, DM).loc["helped"]
    assert m["customer_messages"] == 2
    assert m["answered_share"] == 1.0  # the closing thanks needs no reply
    assert m["customer_followups"] == 1
    assert m["agent_link_share"] == 0.0 and m["bare_link_replies"] == 0
    assert m["substantive_share"] == 1.0
    assert m["customer_outcome"] == 1.0


def test_a_bare_link_and_a_complaint_about_earlier_contacts():
    m = _score(HELPED, LINKED, DM).loc["linked"]
    # the customer's two last turns are one message, left unanswered
    assert m["customer_messages"] == 2 and m["answered_share"] == 0.5
    assert m["agent_link_share"] == 1.0 and m["bare_link_replies"] == 1
    assert m["substantive_share"] == 0.0
    assert m["customer_outcome"] == 0.0
    # "nobody called me back" before the agent spoke is about an earlier contact
    assert m["earlier_contact_complaints"] >= 1
    assert m["chasing_after_reply"] == 0


def test_a_move_to_private_messages_is_counted_apart():
    m = _score(HELPED, LINKED, DM).loc["dm"]
    assert m["private_redirects"] >= 1
    assert math.isnan(m["customer_outcome"])  # the customer did not write again


def test_no_agent_turn_leaves_the_shares_undefined():
    only = _thread("alone", [("customer", "@brand love the new flavour!")])
    m = _score(only).loc["alone"]
    assert math.isnan(m["agent_link_share"]) and math.isnan(m["substantive_share"])
    assert m["answered_share"] == 0.0 and m["customer_followups"] == 0


def test_pattern_families_generalise_over_forms():
    pats = outcome_patterns()
    for text in ("DM us your order number", "send us a direct message", "check your inbox",
                 "please send me a private message"):
        assert pats["private_channel"].search(text), text
    for text in ("That did the trick, cheers", "all sorted now", "it works, thank u"):
        assert pats["customer_satisfied"].search(text), text
    for text in ("it still doesn't load", "that didn't help at all", "not fixed"):
        assert pats["customer_unsatisfied"].search(text), text
    assert not pats["private_channel"].search("a dmv appointment")


WORDS = st.sampled_from(["thanks", "still broken", "my bill is wrong", "see https://x.co/a",
                         "I've refunded it", "please DM us", "hello", "why??"])


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["customer", "agent"]), WORDS), min_size=1,
                max_size=7))
def test_measures_stay_in_range_and_ignore_speaker_names(turns):
    a = _thread("t", turns)
    b = a.assign(speaker=a["speaker"].map({"cust_7": "someone", "brand": "desk_9"}))
    ma, mb = _score(a).loc["t"], _score(b).loc["t"]
    pd.testing.assert_series_equal(ma, mb)
    for col in ("answered_share", "agent_link_share", "substantive_share"):
        assert math.isnan(ma[col]) or 0.0 <= ma[col] <= 1.0
    assert ma["customer_outcome"] in (0.0, 1.0) or math.isnan(ma["customer_outcome"])


def test_families_are_lower_case_and_mean_the_same_to_arrow_and_python():
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = ["please dm us your order number", "it still doesn't load", "that worked, thanks",
             "go to settings > privacy", "tap the 3 dots", "nothing to see", "a dmv office"]
    for name, pattern in outcome_patterns().items():
        assert pattern.pattern == pattern.pattern.lower(), name
        arrow = pc.match_substring_regex(pa.array(texts), pattern.pattern).to_pylist()
        assert arrow == [bool(pattern.search(t)) for t in texts], name


def test_outcome_and_sentiment_read_the_same_last_word_of_the_customer():
    """A system turn between two customer turns does not split their last word: both
    turns since the agent last spoke count, for the outcome as for the end sentiment."""
    thread = _thread("sys", [
        ("customer", "@brand my card was declined at checkout, what is wrong?"),
        ("agent", "@cust_7 Sorry about that! I've lifted the block, please try again now."),
        ("customer", "@brand great, that worked, thank you"),
        ("system", "The customer left the chat."),
        ("customer", "@brand bye"),
    ])
    thread.loc[3, "speaker"] = "system"
    assert _score(thread).loc["sys", "customer_outcome"] == 1.0
    conv = sa.Conversations.from_frames(thread)
    ctx = sa.scorers.ScoringContext(turns=conv.turns, interactions=conv.interactions,
                                    evidence=pd.DataFrame())
    _, evidence = sa.scorers.SentimentScorer().score_with_evidence(ctx)
    ends = evidence[evidence["detail"].str.contains('"end"')]
    assert set(ends["turn_index"]) == {2}  # "bye" moves nothing
    assert ends["text"].tolist() == ["great", "that worked", "thank"]


def test_only_the_agents_short_link_replies_are_bare():
    """Words are counted in the agent's linked turns only: the boundary is 15 words."""
    short = "@cust_7 Hi there, the steps for a reset are on this page: https://help.example.com/r"
    long_ = ("@cust_7 Hi there, unplug the router for thirty seconds, plug it back in, wait "
             "for the green light and then try again; the full steps are at "
             "https://help.example.com/r")
    thread = _thread("links", [
        ("customer", "@brand here is my screenshot https://pic.example.com/x wifi is down"),
        ("agent", short),
        ("customer", "@brand www.example.com says nothing about it"),
        ("agent", long_),
    ])
    m = _score(thread, HELPED).loc["links"]
    assert m["agent_link_share"] == 1.0
    assert m["bare_link_replies"] == 1  # the short one; the customer's links never count
    assert _score(HELPED).loc["helped", "bare_link_replies"] == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]),
                          st.sampled_from(["agent", "customer", "system"]), st.booleans()),
                max_size=25))
def test_groups_count_and_shift_as_pandas_groupby_does(rows):
    """The per-id counts and neighbours the scorer reads equal pandas' groupby (rows of
    an id apart from each other, missing ids in no group)."""
    keys = pd.Series([r[0] for r in rows], dtype="string")
    role = np.array([r[1] for r in rows], dtype=object)
    flags = np.array([r[2] for r in rows], dtype=bool)
    groups = _Groups(keys)
    expected = pd.Series(flags).astype("float64").groupby(keys).sum()
    counted = groups.sum(flags)
    assert sorted(counted.index) == sorted(expected.index)
    assert (counted.reindex(expected.index) == expected).all()
    for step in (1, -1):
        shifted = pd.Series(role).groupby(keys).shift(-step)
        assert [v if isinstance(v, str) else None for v in shifted] == list(
            groups.beside(role, step))
