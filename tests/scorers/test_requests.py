"""First response from the first customer message that asks for something."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.schema import EVIDENCE, empty
from serviceart.scorers import LatencyScorer, ScoringContext
from serviceart.scorers.requests import (
    RequestRules,
    _rules_from,
    asks_for_something,
    request_rules,
)

# first messages as customers write them to support accounts and chats (written for these
# tests in the style of the shared Twitter and chat data)
ASKS = [
    "@NorthRail is the 07:42 to Leeds cancelled? The board just says delayed",
    "my parcel was meant to arrive Tuesday and it still hasn't arrived",
    "Hi, I was charged twice for my subscription this month",
    "@Tidewell_Help hi, having trouble logging in on the app, can you help?",
    "How do I change the delivery address on an order I already placed",
    "The router keeps dropping every evening, it's not working after 8pm",
    "Please cancel my membership, I no longer need it",
    "I need a copy of my last three invoices for my accountant",
    "Wifi on the train is down again. Third time this week",
    "my card got declined at checkout even though there's money on it",
    "why can’t I download the game I bought yesterday",
    "When will the refund show on my account?",
    "I’d like to upgrade my plan to the family one",
    "ordered pizza for 7.15 delivery. Still waiting on it",
    "the app crashes every time I open my basket",
    "Hello, I have a question about the warranty on my kettle",
]
DOES_NOT_ASK = [
    "Getting that 3 buck burrito from @BurritoBarn is becoming a Halloween tradition",
    "Once again @SkyJet you set the bar for what an airline should be.",
    "Love my new @PixelPhone, best camera I've had",
    "hello??",
    "Hi there",
    "Thanks so much, you guys are great!",
    "Big sale this weekend at #BurritoBarn, 2 for 1 on everything https://t.co/x1",
    "Just landed in Lisbon with @SkyJet #holiday",
    "@AmazonHelp",  # a handle alone is no request for help
    "Thanks for your help, all sorted now!",  # thanks for help received
    "@AmazonHelp Aww your reply made her night!",
    "Loving the #support from the team today",  # a hashtag is not the word
    "",
]


@pytest.mark.parametrize("text", ASKS)
def test_requests_questions_and_problems_ask_for_something(text):
    assert asks_for_something(pd.Series([text], dtype="string")).tolist() == [True]


@pytest.mark.parametrize("text", DOES_NOT_ASK)
def test_banter_praise_promotions_and_greetings_do_not(text):
    assert asks_for_something(pd.Series([text], dtype="string")).tolist() == [False]


def test_missing_texts_ask_nothing_and_shape_is_kept():
    texts = pd.Series(["can you help", None, "nice"], dtype="string")
    assert asks_for_something(texts).tolist() == [True, False, False]
    assert asks_for_something(pd.Series([], dtype="string")).shape == (0,)


def test_the_shipped_rules_are_data_and_bad_files_are_refused():
    rules = request_rules()
    assert rules.min_words >= 1 and "refund" in rules.phrases and "can you" in rules.phrases
    for data, problem in (
            ({"question": {"min_words": 0}, "phrases": {"a": ["help"]}}, "min_words"),
            ({"question": {"min_words": 3}}, r"\[phrases\]"),
            ({"question": {"min_words": 3}, "phrases": {"a": ["help", ""]}}, "phrases.a"),
            ({"question": {"min_words": 3}, "phrases": {"a": "help"}}, "phrases.a"),
            ({"question": {"min_words": 3}, "phrases": {"a": ["help"]}, "ignore": {}},
             r"\[ignore\]")):
        with pytest.raises(sa.ConfigError, match=problem) as caught:
            _rules_from(data)
        assert caught.value.code == "SA-C095" and "requests.toml" in str(caught.value)


# -------------------------------------------------------------------- first response
T0 = pd.Timestamp("2017-10-31T08:00:00Z")


def _conv(turns: list[tuple[str, str, float]], channel: str = "social",
          iid: str = "t1") -> sa.Conversations:
    """(role, text, seconds after T0) per turn."""
    return sa.Conversations.from_frames(pd.DataFrame([
        {"interaction_id": iid, "role": role, "speaker": "brand" if role == "agent" else "cust",
         "text": text, "timestamp": (T0 + pd.Timedelta(seconds=s)).isoformat(),
         "channel": channel} for role, text, s in turns]))


def _measures(conv: sa.Conversations) -> pd.Series:
    ctx = ScoringContext(conv.turns, conv.interactions, empty(EVIDENCE))
    return LatencyScorer().score(ctx).iloc[0]


H = 3600.0


def test_a_promotional_opening_does_not_start_the_first_response_clock():
    # the case: a broadcast others reply to; the real request comes 20 h later and
    # is answered within 2 minutes
    m = _measures(_conv([
        ("customer", "SNES Classic goes on sale for members at 7 AM PT November 1st "
                     "https://t.co/5O5WXc", 0),
        ("customer", "@Target can you do something similar for the Funko Pop restock?",
         20 * H - 120),
        ("agent", "We'd love to! We'll share the idea with our toys team.", 20 * H)]))
    assert m["first_response_s"] == 120
    # the reply still waited since the first unanswered message: every reply counts
    assert m["max_reply_s"] == 20 * H and m["replies_over_sla"] == 1


def test_a_greeting_answered_first_does_not_count_as_the_first_response():
    m = _measures(_conv([("customer", "hi", 0), ("agent", "Hi! How can I help?", 5),
                         ("customer", "my order #4471 never arrived", 35),
                         ("agent", "Sorry about that, checking it now.", 95)], "chat"))
    assert m["first_response_s"] == 60 and m["agent_replies"] == 2


def test_the_request_is_timed_from_itself_not_from_an_earlier_unanswered_message():
    m = _measures(_conv([("customer", "Hello", 0),
                         ("customer", "I was double charged for my ticket, can you refund it?",
                          60), ("agent", "I've refunded the second charge.", 150)], "chat"))
    assert m["first_response_s"] == 90 and m["max_reply_s"] == 150


def test_without_any_request_the_first_customer_message_starts_the_clock():
    m = _measures(_conv([("customer", "Once again @SkyJet you set the bar!", 0),
                         ("agent", "Thanks so much, we'll pass that on to the crew.", 2 * H)]))
    assert m["first_response_s"] == 2 * H


def test_an_unanswered_request_has_no_first_response():
    m = _measures(_conv([("customer", "Love the new ad", 0),
                         ("agent", "Thank you!", 300),
                         ("customer", "also my app crashes on login, please help", 400)]))
    assert math.isnan(m["first_response_s"]) and math.isnan(m["first_response_sla_ratio"])
    assert m["agent_replies"] == 1 and m["unanswered_customer_turns"] == 1


def test_on_a_call_the_first_response_is_the_gap_after_the_request():
    turns = pd.DataFrame({
        "interaction_id": "k", "role": ["agent", "customer", "agent", "customer", "agent"],
        "text": ["Thanks for calling, this is Sam.", "Hi Sam.", "How are you today?",
                 "Fine. My internet is down since this morning, can you check the line?",
                 "Sorry to hear that, let me run a test."],
        "start_s": [0.0, 3.0, 5.0, 8.0, 16.5], "end_s": [2.5, 4.0, 7.0, 15.0, 19.0]})
    m = _measures(sa.Conversations.from_frames(turns))
    assert m["first_response_s"] == 1.5 and m["agent_replies"] == 2


_TEXTS = st.sampled_from([t for t in ASKS + DOES_NOT_ASK if t])  # an empty turn is rejected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["customer", "agent"]), _TEXTS,
                          st.integers(1, 6 * 3600)), min_size=1, max_size=8))
def test_the_first_response_answers_the_first_request_or_the_first_message(turns):
    rows, t = [], 0.0
    for role, text, gap in turns:
        t += gap
        rows.append((role, text, t))
    m = _measures(_conv(rows))
    asks = [r == "customer" and bool(asks_for_something(pd.Series([x], dtype="string"))[0])
            for r, x, _ in rows]
    start = next((i for i, a in enumerate(asks) if a),
                 next((i for i, (r, _, _) in enumerate(rows) if r == "customer"), None))
    reply = None if start is None else next(
        (i for i in range(start + 1, len(rows)) if rows[i][0] == "agent"), None)
    if reply is None:
        assert math.isnan(m["first_response_s"])
    else:
        assert m["first_response_s"] == rows[reply][2] - rows[start][2]
        assert m["first_response_s"] <= m["max_reply_s"]
        assert m["first_response_sla_ratio"] == m["first_response_s"] / m["sla_s"]


def _python_only(texts: pd.Series) -> list[bool]:
    """asks_for_something with Python's ``re`` on every text (no RE2 pre-check)."""
    rules = request_rules()
    text = texts.astype("string")
    low = text.str.lower().str.replace(rules.ignore, " ", regex=True)
    asks = low.str.contains(rules.pattern, regex=True).fillna(False).astype(bool)
    words = text.str.count(r"\w+").fillna(0)
    question = text.str.contains("?", regex=False).fillna(False).astype(bool)
    return (asks | (question & (words >= rules.min_words))).tolist()


# where RE2 (ASCII \w, \s and \b) and Python's re differ: letters beyond ASCII next to a
# phrase, white space beyond ASCII (and \v) between its words and inside ignored phrases
EDGES = [
    "can\u00a0you check my order", "not\u2003working since monday", "still\x0bwaiting",
    "can\u3000you look", "éhelp", "helpé", "naïve problemé", "über issue", "ça ne marche pas",
    "thanks\u00a0for your help", "thanks for\u2028your help!", "thank you for your helpé",
    "glad to help\u00a0please", "happy to help", "@help", "#refund", "help\n", "ok\u0085help",
    "ΑΠΑΝΤΗΣΗ problem", "İstanbul delay", "KELVIN \u212a issue", "",
]


@pytest.mark.parametrize("text", EDGES + ASKS + DOES_NOT_ASK)
def test_the_re2_precheck_changes_no_answer(text):
    texts = pd.Series([text, None], dtype="string")
    assert asks_for_something(texts).tolist() == _python_only(texts)


_PIECES = st.sampled_from(["help", "can", "you", "not", "working", "thanks", "for", "your",
                           "still", "waiting", "é", "ß", "İ", "@", "#", "?", "'", "’", "x"])
_GAPS = st.sampled_from([" ", "", "\u00a0", "\u2003", "\x0b", "\n", "\u0085", "\t"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), max_size=12))
def test_the_re2_precheck_agrees_with_python_on_mixed_text(parts):
    text = "".join(p + g for p, g in parts)
    texts = pd.Series([text, text.upper()], dtype="string")
    assert asks_for_something(texts).tolist() == _python_only(texts)


def test_rules_written_by_hand_are_matched_by_python_alone():
    # a pattern RE2 would read more narrowly (its \\w is ASCII only): no RE2 pre-check
    rules = RequestRules(min_words=3, phrases=("help",), pattern=r"(?:^|[^\w@#])(?:fix\w+)(?:\W|$)")
    texts = pd.Series(["please fixé it", "fixes", "nothing here"], dtype="string")
    assert asks_for_something(texts, rules).tolist() == [True, True, False]


@pytest.mark.parametrize("text", [
    "hi there, so yesterday i tried again and it is still not working",
    "@helpdesk #help xhelp helpx, and then: can you check my order?",
    "é then later can you check",  # not ASCII: searched from the start
    "nothing to see here at all, just a long chat about the weather today",
])
def test_python_searches_from_the_first_possible_match(text):
    """Python's ``re`` starts where RE2's wider pattern first matched (ASCII texts):
    the same answers as searching the whole text."""
    texts = pd.Series([text, text.upper(), None], dtype="string")
    assert asks_for_something(texts).tolist() == _python_only(texts)
