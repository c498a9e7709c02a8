"""A text said again is analysed once: every turn still gets its own evidence rows.

Cues depend on a turn's text alone, so :func:`extract_evidence` runs the pipeline over
the distinct texts of a part; the role filter, the promise's due time (from each
turn's own time) and the categories' hits are then read for every turn.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.cues.categories import Categories
from serviceart.cues.evidence import extract_evidence
from serviceart.cues.pipeline import detect, distinct, make_nlp

PROMISE = "Sorry about that. I'll call you back tomorrow with the tracking number."
THANKS = "Thanks so much for your help!"
LINES = [PROMISE, THANKS, "I'm sorry to hear that, is there anything else I can do?",
         "My parcel never arrived and nobody called me back.", "OK", "",
         "I'LL EMAIL YOU THE LABEL BY FRIDAY."]

NLP = make_nlp()


def _conv(rows: list[tuple[str, int, str, str, str]]) -> sa.Conversations:
    turns = pd.DataFrame(rows, columns=["interaction_id", "turn_index", "role", "text",
                                        "timestamp"])
    turns["timestamp"] = pd.to_datetime(turns["timestamp"], utc=True)
    ids = list(dict.fromkeys(turns["interaction_id"]))
    return sa.Conversations.from_frames(turns, pd.DataFrame(
        {"interaction_id": ids, "channel": ["chat"] * len(ids)}))


def _one_by_one(conv: sa.Conversations) -> pd.DataFrame:
    """The evidence of each turn extracted on its own (no text is ever repeated)."""
    parts = []
    for i in range(len(conv.turns)):
        turn = conv.turns.iloc[[i]]
        inter = conv.interactions[
            conv.interactions["interaction_id"] == turn["interaction_id"].iloc[0]]
        parts.append(extract_evidence(turn, inter, NLP))
    return pd.concat(parts, ignore_index=True) if parts else extract_evidence(
        conv.turns, conv.interactions, NLP)


def test_distinct_keeps_first_seen_order_and_maps_every_text() -> None:
    unique, codes = distinct(["Thanks!", "OK", "Thanks!", "I\u2019LL CALL", "i'll call"])
    assert unique == ["Thanks!", "OK", "i'll call"]  # normalised texts are compared
    assert codes == [0, 1, 0, 2, 2]


def test_a_promise_said_twice_gets_each_turns_own_due_time_and_role() -> None:
    conv = _conv([
        ("a", 0, "customer", "Where is my order?", "2024-03-04T09:00:00Z"),
        ("a", 1, "agent", PROMISE, "2024-03-04T09:05:00Z"),
        ("b", 0, "customer", PROMISE, "2024-03-07T10:00:00Z"),  # a customer quoting it
        ("b", 1, "agent", PROMISE, "2024-03-07T10:05:00Z"),
    ])
    ev = extract_evidence(conv.turns, conv.interactions, NLP)
    promises = ev[ev["cue"] == "promise"].set_index("interaction_id")
    assert list(promises.index) == ["a", "b"]  # the customer's copy carries no promise
    assert promises["turn_index"].tolist() == [1, 1]
    # "tomorrow" from each turn's own day
    assert promises.loc["a", "due_at"].date().isoformat() == "2024-03-05"
    assert promises.loc["b", "due_at"].date().isoformat() == "2024-03-08"
    pd.testing.assert_frame_equal(ev, _one_by_one(conv))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(["agent", "customer"])),
                min_size=1, max_size=8))
def test_repeated_texts_give_the_rows_of_turns_analysed_one_by_one(
        said: list[tuple[str, str]]) -> None:
    rows = [(f"c{i // 3}", i % 3, role, text, f"2024-05-0{1 + i // 3}T12:0{i % 3}:00Z")
            for i, (text, role) in enumerate(said)]
    conv = _conv(rows)
    ev = extract_evidence(conv.turns, conv.interactions, NLP)
    pd.testing.assert_frame_equal(ev, _one_by_one(conv))
    # detect: one list per text, equal lists for equal texts, never the same object
    texts = [t for t, _ in said]
    found = detect(texts, nlp=NLP)
    assert len(found) == len(texts)
    for i, t in enumerate(texts):
        assert found[i] == detect([t], nlp=NLP)[0]
    if len(texts) > 1 and texts[0] == texts[1]:
        assert found[0] is not found[1]


def test_category_hits_are_read_for_every_turn_saying_the_text() -> None:
    cats = Categories.from_toml(
        '[[category]]\nname = "recording"\nrole = "agent"\n'
        'phrases = ["this call is recorded"]\n', source="cats.toml")
    line = "Hello, this call is recorded for training."
    conv = _conv([
        ("a", 0, "agent", line, "2024-03-04T09:00:00Z"),
        ("a", 1, "customer", line, "2024-03-04T09:01:00Z"),
        ("b", 0, "agent", line, "2024-03-04T10:00:00Z"),
        ("b", 1, "agent", "Anything else?", "2024-03-04T10:01:00Z"),
    ])
    res = sa.score(conv, categories=cats)
    ev = res.evidence
    hits = ev[(ev["source"] == "category") & ev["detail"].str.contains('"recording"')]
    assert sorted(zip(hits["interaction_id"], hits["turn_index"], strict=True)) == [
        ("a", 0), ("b", 0)]  # the customer's copy is not the agent's disclosure
