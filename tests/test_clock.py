"""Tests of serviceart.clock: one answer to "when was this turn said" and "when was this
contact", and the modules that use it (evidence due times, the ledger, latency)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import serviceart as sa
from serviceart.cases.ledger import promise_ledger
from serviceart.clock import contact_times, turn_end_times, turn_times
from serviceart.cues.evidence import extract_evidence
from serviceart.testing import relabel_speakers
from serviceart.testing.clock import timed_conversations

T = pd.Timestamp
START = "2026-03-02 10:00Z"
SETTINGS = settings(max_examples=30, deadline=None, database=None)


def _chat(roles: list[str], texts: list[str], **columns: object) -> sa.Conversations:
    """One chat ``ch1`` starting at ``START``, with the given turn columns."""
    turns = pd.DataFrame({"interaction_id": "ch1", "channel": "chat", "role": roles,
                          "text": texts, **columns})
    inter = pd.DataFrame({"interaction_id": ["ch1"], "channel": ["chat"], "started_at": [START]})
    return sa.Conversations.from_frames(turns, inter)


def _promise_rows(conv: sa.Conversations, nlp) -> tuple[pd.Series, pd.Series]:
    ev = extract_evidence(conv.turns, conv.interactions, nlp)
    promise = ev[ev["cue"] == "promise"]
    assert len(promise) == 1
    ledger = promise_ledger(conv.turns, conv.interactions, ev,
                            as_of=T("2026-03-02 12:00Z"))
    assert len(ledger) == 1
    return promise.iloc[0], ledger.iloc[0]


# -- the bug of issue 17 ---------------------------------------------------------------

PROMISE = "I'll send you the tracking link tomorrow."


def test_the_chat_of_issue_17_has_one_due_time_in_evidence_and_ledger(nlp):
    # a chat with started_at, no time stamps, the promise in a later turn: the evidence
    # resolved "tomorrow" (2026-03-03 23:59:59) while the ledger had no made_at, called
    # it unverifiable and still printed that due time. A chat is one sitting: its turns
    # were said after its start, so that start is when the promise was made.
    conv = _chat(["customer", "agent", "agent"],
                 ["My parcel never arrived.", "Sorry to hear that, let me check.", PROMISE])
    ev, row = _promise_rows(conv, nlp)
    assert ev["turn_index"] == 2
    assert json.loads(ev["detail"]) == {"action": "I'll send you", "due_phrase": "tomorrow"}
    assert row["made_at"] == T(START)
    assert ev["due_at"] == row["due"] == T("2026-03-03 23:59:59Z")
    assert (row["status"], row["due_source"], row["due_phrase"]) == (
        "open", "stated", "tomorrow")


def test_an_undated_message_of_a_thread_is_untimed_in_evidence_and_ledger_alike(nlp):
    # an email thread's later messages can be days after its start: no time is guessed
    turns = pd.DataFrame({"interaction_id": "e1", "channel": "email",
                          "role": ["customer", "agent"],
                          "text": ["My parcel never arrived.", PROMISE]})
    inter = pd.DataFrame({"interaction_id": ["e1"], "channel": ["email"],
                          "started_at": [START]})
    conv = sa.Conversations.from_frames(turns, inter)
    ev, row = _promise_rows(conv, nlp)
    assert json.loads(ev["detail"]) == {"action": "I'll send you", "due_phrase": "tomorrow"}
    assert pd.isna(ev["due_at"])
    assert pd.isna(row["made_at"]) and pd.isna(row["due"])
    assert (row["status"], row["due_source"], row["due_phrase"]) == (
        "unverifiable", "none", "tomorrow")
    assert "'tomorrow' cannot be resolved" in row["reason"]


@pytest.mark.parametrize(
    ("roles", "columns", "made_at"),
    [
        # the promise opens the chat (after a system line): said at started_at
        (["system", "agent", "customer"], {}, "2026-03-02 10:00Z"),
        # time stamps
        (["customer", "agent", "customer"],
         {"timestamp": ["2026-03-02 10:00Z", "2026-03-02 10:04Z", "2026-03-02 10:05Z"]},
         "2026-03-02 10:04Z"),
        # offsets from started_at
        (["customer", "agent", "customer"], {"start_s": [0.0, 95.0, 130.0]},
         "2026-03-02 10:01:35Z"),
    ],
)
def test_a_promise_with_a_derivable_time_has_one_due_time(nlp, roles, columns, made_at):
    texts = ["Chat started." if r == "system" else "Where is my parcel?" if r == "customer"
             else PROMISE for r in roles]
    conv = _chat(roles, texts, **columns)
    ev, row = _promise_rows(conv, nlp)
    assert row["made_at"] == T(made_at)
    assert ev["due_at"] == row["due"] == T("2026-03-03 23:59:59Z")
    assert row["due_source"] == "stated"
    assert row["status"] == "open"  # not unverifiable: due after the data ends


def test_the_ledger_never_shows_a_due_time_for_an_untimed_promise(nlp):
    # evidence from elsewhere may carry a due_at for a turn the clock cannot date
    turns = pd.DataFrame({"interaction_id": "e1", "channel": "email",
                          "role": ["customer", "agent"], "text": ["Where is my parcel?", PROMISE]})
    conv = sa.Conversations.from_frames(turns, pd.DataFrame(
        {"interaction_id": ["e1"], "channel": ["email"], "started_at": [START]}))
    ev = extract_evidence(conv.turns, conv.interactions, nlp)
    ev.loc[ev["cue"] == "promise", "due_at"] = T("2026-03-03 23:59:59Z")
    row = promise_ledger(conv.turns, conv.interactions, ev).iloc[0]
    assert pd.isna(row["made_at"]) and pd.isna(row["due"]) and row["status"] == "unverifiable"


# -- the rules -------------------------------------------------------------------------


def test_turn_times_rules():
    turns = pd.DataFrame({
        "interaction_id": ["a", "a", "a", "a", "b", "b", "c"],
        "channel": ["chat"] * 4 + ["call"] * 2 + ["chat"],
        "role": ["system", "customer", "agent", "agent", "agent", "customer", "system"],
        "text": ["Chat started.", "Hi.", "Hello.", "Sorted.", "Hello.", "Hi.", "Joined."],
        "timestamp": [pd.NaT, pd.NaT, pd.NaT, "2026-03-02 10:09Z", pd.NaT, pd.NaT, pd.NaT],
        "start_s": [np.nan, np.nan, np.nan, 30.0, np.nan, 12.5, np.nan],
    })
    inter = pd.DataFrame({"interaction_id": ["a", "b", "c"],
                          "started_at": ["2026-03-02 10:00Z", "2026-03-02 11:00Z",
                                         "2026-03-02 12:00Z"]})
    conv = sa.Conversations.from_frames(turns, inter)
    times = turn_times(conv.turns, conv.interactions)
    assert str(times.dtype) == "datetime64[ns, UTC]"
    assert times.tolist() == [
        pd.NaT,  # a system turn does not open the contact
        T("2026-03-02 10:00Z"),  # the first non-system turn: started_at
        pd.NaT,  # a later turn without a time: unknown, not started_at + 0
        T("2026-03-02 10:09Z"),  # the time stamp wins over the offset
        T("2026-03-02 11:00Z"),  # the turn that opened the call
        T("2026-03-02 11:00:12.5Z"),  # started_at + start_s
        pd.NaT,  # only a system turn: nothing opened it
    ]


def test_turn_times_keep_the_index_of_turns():
    conv = _chat(["agent", "customer"], ["Hello.", "Hi."], start_s=[0.0, 4.0])
    turns = conv.turns.set_axis([10, 20])
    times = turn_times(turns, conv.interactions)
    assert times.index.tolist() == [10, 20]
    assert times.tolist() == [T(START), T(START) + pd.Timedelta(seconds=4)]


def test_contact_times():
    turns = pd.DataFrame({
        "interaction_id": ["k1", "k1", "e1", "e1", "x1"],
        "channel": ["call", "call", "email", "email", "chat"],
        "role": ["agent", "customer", "customer", "agent", "system"],
        "text": ["Hello.", "Hi.", "Where is it?", "Sent today.", "Joined."],
        "start_s": [0.0, 4.0, np.nan, np.nan, np.nan],
        "end_s": [3.5, 61.0, np.nan, np.nan, np.nan],
        "timestamp": [pd.NaT, pd.NaT, "2026-03-02 09:00Z", "2026-03-02 11:30Z", pd.NaT],
    })
    inter = pd.DataFrame({"interaction_id": ["k1", "e1", "x1"],
                          "started_at": ["2026-03-02 10:00Z", pd.NaT, pd.NaT]})
    conv = sa.Conversations.from_frames(turns, inter)
    times = contact_times(conv.turns, conv.interactions)
    assert times.index.tolist() == ["k1", "e1", "x1"]
    assert times.loc["k1"].tolist() == [T("2026-03-02 10:00Z"), T("2026-03-02 10:01:01Z"),
                                         "agent"]
    assert times.loc["e1"].tolist() == [T("2026-03-02 09:00Z"), T("2026-03-02 11:30Z"),
                                         "customer"]
    assert pd.isna(times.loc["x1", "started"]) and pd.isna(times.loc["x1", "ended"])
    assert pd.isna(times.loc["x1", "opened_by"])
    ends = turn_end_times(conv.turns, conv.interactions)
    assert ends.tolist()[:2] == [T("2026-03-02 10:00:03.5Z"), T("2026-03-02 10:01:01Z")]


def test_contact_times_is_still_importable_from_the_case_scorer():
    from serviceart.scorers import case

    assert case.contact_times is contact_times


# -- properties on every kind of timing ------------------------------------------------


def _old_turn_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """The ledger's former ``followthrough.turn_times``, kept as an oracle."""
    started = turns["interaction_id"].map(
        interactions.set_index("interaction_id")["started_at"]).astype("datetime64[ns, UTC]")
    offset = pd.to_timedelta(turns["start_s"], unit="s")
    times = turns["timestamp"].astype("datetime64[ns, UTC]")
    times = times.where(times.notna(), started + offset)
    nonsys = turns["role"].astype("string") != "system"
    first = turns.loc[nonsys].groupby("interaction_id", sort=False)["turn_index"].transform("min")
    is_first = pd.Series(False, index=turns.index)
    is_first.loc[first.index] = (turns.loc[first.index, "turn_index"] == first).to_numpy()
    return times.where(times.notna() | ~is_first, started)


def _old_reference_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """The evidence's former ``reference_times`` (started_at + 0 for any untimed turn)."""
    started = turns["interaction_id"].map(interactions.set_index("interaction_id")["started_at"])
    offset = pd.to_timedelta(turns["start_s"].fillna(0.0), unit="s")
    from_start = (started + offset).astype("datetime64[ns, UTC]")
    return turns["timestamp"].where(turns["timestamp"].notna(), from_start)


def _old_contact_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """The case scorer's former ``contact_times``, built on ``_old_reference_times``."""
    inter = interactions.set_index("interaction_id")
    t = turns[["interaction_id", "turn_index", "role", "end_s"]].copy()
    t["at"] = _old_reference_times(turns, interactions)
    started_at = t["interaction_id"].map(inter["started_at"])
    end_at = started_at + pd.to_timedelta(t["end_s"], unit="s")
    t["end_at"] = end_at.where(t["end_s"].notna(), t["at"])
    g = t.groupby("interaction_id", sort=False)
    people = t[t["role"].astype("string").isin(["agent", "customer"])]
    first = people.sort_values(["interaction_id", "turn_index"]).groupby(
        "interaction_id", sort=False)["role"].first().astype("string")
    out = pd.DataFrame(index=inter.index)
    out["started"] = inter["started_at"].fillna(g["at"].min().reindex(inter.index))
    out["ended"] = g["end_at"].max().reindex(inter.index).fillna(out["started"])
    out["opened_by"] = first.reindex(inter.index)
    return out


@settings(max_examples=10, deadline=None, database=None)
@given(frames=timed_conversations())
def test_the_strategy_gives_tables_that_validation_keeps(frames):
    # the properties below run on the strategy's tables without validating them
    # (validation is slow); here a few draws are checked against it
    turns, inter = frames
    conv = sa.Conversations.from_frames(turns, inter)
    assert conv.rejects.empty
    pd.testing.assert_frame_equal(conv.turns[["interaction_id", "turn_index", "start_s",
                                              "end_s", "timestamp"]],
                                  turns[["interaction_id", "turn_index", "start_s", "end_s",
                                         "timestamp"]])
    pd.testing.assert_series_equal(conv.interactions["started_at"], inter["started_at"])


@SETTINGS
@given(frames=timed_conversations())
def test_times_agree_with_the_old_functions_where_those_were_right(frames):
    turns, inter = frames
    times = turn_times(turns, inter)
    # the ledger's rule is the clock's rule
    pd.testing.assert_series_equal(times, _old_turn_times(turns, inter), check_names=False)
    # the evidence's rule agreed wherever the turn had a time of its own or opened the
    # contact after no system turn; elsewhere it guessed started_at + 0
    old = _old_reference_times(turns, inter)
    own = turns["timestamp"].notna() | turns["start_s"].notna()
    pd.testing.assert_series_equal(times[own], old[own], check_names=False)
    guessed = times.isna() & old.notna()
    assert (old[guessed] == turns.loc[guessed, "interaction_id"].map(
        inter.set_index("interaction_id")["started_at"])).all()
    # contacts: the same answer (untimed turns never moved a contact's span)
    pd.testing.assert_frame_equal(contact_times(turns, inter), _old_contact_times(turns, inter),
                                  check_dtype=False)


@SETTINGS
@given(frames=timed_conversations())
def test_every_known_turn_time_lies_within_its_contact(frames):
    turns, inter = frames
    times = turn_times(turns, inter)
    span = contact_times(turns, inter)
    started = turns["interaction_id"].map(span["started"])
    ended = turns["interaction_id"].map(span["ended"])
    known = times.notna()
    assert (started[known] <= times[known]).all() and (times[known] <= ended[known]).all()
    assert (turn_end_times(turns, inter)[known] >= times[known]).all()
    # a contact whose turns have a time has a start and an end
    dated = turns.loc[known, "interaction_id"].unique()
    assert span.loc[dated, ["started", "ended"]].notna().all().all()


@SETTINGS
@given(frames=timed_conversations())
def test_relabelling_speakers_or_swapping_roles_changes_no_time(frames):
    turns, inter = frames
    times = turn_times(turns, inter)
    span = contact_times(turns, inter)
    renamed = relabel_speakers(turns)
    pd.testing.assert_series_equal(turn_times(renamed, inter), times)
    pd.testing.assert_frame_equal(contact_times(renamed, inter), span)
    turns = turns.copy()
    swapped = turns.copy()
    swapped["role"] = turns["role"].map(
        {"agent": "customer", "customer": "agent", "system": "system"}).astype(turns["role"].dtype)
    pd.testing.assert_series_equal(turn_times(swapped, inter), times)
    pd.testing.assert_frame_equal(contact_times(swapped, inter)[["started", "ended"]],
                                  span[["started", "ended"]])
    # and the input tables are left as they were
    pd.testing.assert_frame_equal(turns, frames[0])


# -- the modules that ask the clock ---------------------------------------------------


def test_latency_dates_the_opening_turn_of_a_chat_from_its_start(nlp):
    # the first message has no time stamp; the chat's started_at dates it
    conv = _chat(["customer", "agent", "customer", "agent"],
                 ["Where is my parcel?", "Let me check.", "Any update?", "It left today."],
                 timestamp=[pd.NaT, "2026-03-02 10:03Z", "2026-03-02 10:10Z",
                            "2026-03-02 10:12Z"])
    m = sa.score(conv, nlp=nlp).measures.set_index("interaction_id").loc["ch1"]
    assert (m["first_response_s"], m["max_reply_s"], m["agent_replies"]) == (180.0, 180.0, 2.0)


def test_latency_of_a_chat_with_an_untimed_later_turn_is_unknown(nlp):
    conv = _chat(["customer", "agent"], ["Where is my parcel?", "Let me check."],
                 timestamp=["2026-03-02 10:00Z", pd.NaT])
    m = sa.score(conv, nlp=nlp).measures.set_index("interaction_id").loc["ch1"]
    assert np.isnan(m["first_response_s"]) and np.isnan(m["agent_replies"])
