"""Conversations.from_frames: validation, rejects, ordering, no mutation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa


def _turns(**cols):
    base = {
        "interaction_id": ["c1", "c1", "c1"],
        "role": ["customer", "agent", "customer"],
        "text": ["hello", "hi there", "thanks"],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_valid_table_builds_both_tables_with_dtypes():
    conv = sa.Conversations.from_frames(_turns(start_s=[0, 2, 5], end_s=[1.5, 4, 6],
                                               team=["t", "t", "t"]))
    assert len(conv) == 1 and len(conv.turns) == 3 and conv.rejects.empty
    assert conv.turns["turn_index"].tolist() == [0, 1, 2]
    assert str(conv.turns["turn_index"].dtype) == "int64"
    assert list(conv.turns["role"].cat.categories) == ["agent", "customer", "system"]
    row = conv.interactions.iloc[0]
    assert row["channel"] == "call"  # timed turns: a call
    assert row["case_id"] == "c1"  # case defaults to the interaction
    assert row["team"] == "t"  # constant per-interaction columns are lifted
    assert "team" not in conv.turns.columns
    assert conv.counts == {"interactions_in": 1, "interactions_valid": 1,
                           "interactions_rejected": 0, "turns_in": 3, "turns_valid": 3,
                           "turns_rejected": 0}


def test_inputs_are_not_mutated():
    turns = _turns(start_s=["0", "2", "5"], end_s=[1.5, 4, 6])
    before = turns.copy(deep=True)
    sa.Conversations.from_frames(turns)
    pd.testing.assert_frame_equal(turns, before)


def test_turns_out_of_order_are_sorted_by_timing():
    conv = sa.Conversations.from_frames(_turns(turn_index=[0, 1, 2], start_s=[9, 0, 4],
                                               end_s=[10, 3, 6]))
    assert conv.turns["text"].tolist() == ["hi there", "thanks", "hello"]
    assert conv.turns["turn_index"].tolist() == [0, 1, 2]
    assert conv.turns["record"].tolist() == ["row 2", "row 3", "row 1"]


def test_chat_turns_sorted_by_timestamp_and_channel_inferred():
    conv = sa.Conversations.from_frames(_turns(timestamp=[
        "2026-03-02T10:05:00Z", "2026-03-02T10:01:00+00:00", "2026-03-02 11:00:00"]))
    assert conv.turns["text"].tolist() == ["hi there", "hello", "thanks"]
    assert conv.interactions.loc[0, "channel"] == "chat"
    assert str(conv.turns["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2026-03-02T10:01:00Z")


def test_every_problem_is_collected_with_code_record_and_field():
    turns = pd.DataFrame({
        "interaction_id": ["a", "a", "a", "a", None, "b", "b", "b", "b", "a"],
        "turn_index": [0, 1, 1, 2, 0, 0, 1, "x", 3, 4],
        "role": ["agent", "customer", "agent", "wizard", "agent", "agent", "customer",
                 "agent", "agent", "agent"],
        "text": ["hi", "yo", "dup", "x", "orphan", "  ", "ok", "z", "late", "bye"],
        "start_s": [0, 2, 3, 4, 0, 0, 1, 2, "soon", 6],
        "end_s": [1, 2.5, 4, 5, 1, 1, 2, 3, 4, 5.5],
        "timestamp": [None, None, None, None, None, None, "not a date", None, None, None],
    })
    conv = sa.Conversations.from_frames(turns, source="mem")
    got = {(r.record, r.code, r.field) for r in conv.rejects.itertuples()}
    assert got == {
        ("row 10", "end_before_start", "end_s"),
        ("row 3", "duplicate_turn", "turn_index"),
        ("row 4", "unknown_role", "role"),
        ("row 5", "missing_id", "interaction_id"),
        ("row 6", "empty_text", "text"),
        ("row 7", "bad_timestamp", "timestamp"),
        ("row 8", "bad_turn_index", "turn_index"),
        ("row 9", "bad_number", "start_s"),
    }
    assert set(conv.rejects["source"]) == {"mem"}
    reason = conv.rejects.set_index("code").loc["unknown_role", "reason"]
    assert "'wizard'" in reason and "roles=" in reason
    # b lost all its turns: rejected as an interaction; a keeps turn 0 and the first turn 1
    assert conv.interactions["interaction_id"].tolist() == ["a"]
    assert conv.counts["interactions_in"] == 2
    assert conv.counts["interactions_rejected"] == 1
    assert conv.counts["turns_in"] == 10 and conv.counts["turns_valid"] == 2


def test_duplicate_turn_names_the_earlier_record():
    conv = sa.Conversations.from_frames(_turns(turn_index=[0, 0, 1]))
    dup = conv.rejects.iloc[0]
    assert dup["code"] == "duplicate_turn" and "row 1" in dup["reason"]


def test_missing_required_column_is_a_schema_error_naming_it():
    with pytest.raises(sa.SchemaError, match=r"lacks required column\(s\) \['role'\]") as ei:
        sa.Conversations.from_frames(pd.DataFrame({"interaction_id": ["a"], "text": ["x"]}),
                                     source="calls.csv")
    assert "calls.csv" in str(ei.value) and "columns=" in str(ei.value)


def test_not_a_frame_is_a_schema_error():
    with pytest.raises(sa.SchemaError, match="DataFrame"):
        sa.Conversations.from_frames([{"interaction_id": "a"}])  # type: ignore[arg-type]


def test_roles_mapping():
    turns = _turns(role=["Caller", "Rep", "Caller"])
    conv = sa.Conversations.from_frames(turns, roles={"caller": "customer", "rep": "agent"})
    assert conv.turns["role"].tolist() == ["customer", "agent", "customer"]


def test_interactions_table_is_merged_and_checked():
    inter = pd.DataFrame({"interaction_id": ["c1", "c1", "ghost"],
                          "channel": ["email", "chat", "chat"], "queue": ["q", "q", "q"]})
    conv = sa.Conversations.from_frames(_turns(), inter)
    assert conv.interactions.loc[0, "channel"] == "email"
    assert conv.interactions.loc[0, "queue"] == "q"
    assert sorted(conv.rejects["code"]) == ["duplicate_interaction", "no_turns"]


def test_unknown_channel_rejects_the_interaction():
    conv = sa.Conversations.from_frames(_turns(channel=["fax"] * 3))
    assert len(conv) == 0
    assert conv.rejects["code"].tolist() == ["unknown_channel"]
    assert conv.counts["interactions_rejected"] == 1


def test_iter_cases_never_splits_a_case():
    turns = pd.DataFrame({
        "interaction_id": ["a", "b", "c", "d", "e"],
        "case_id": ["k1", "k2", "k1", "k3", "k2"],
        "role": ["agent"] * 5, "text": ["hi"] * 5,
    })
    conv = sa.Conversations.from_frames(turns)
    chunks = [sorted(c.interactions["interaction_id"]) for c in conv.iter_cases(2)]
    assert chunks == [["a", "c"], ["b", "e"], ["d"]]


def test_declared_turn_columns_stay_on_turns():
    turns = _turns(subject=["Refund"] * 3, team=["t"] * 3)
    conv = sa.Conversations.from_frames(turns, turn_columns=("subject",))
    assert conv.turns["subject"].tolist() == ["Refund"] * 3
    assert "subject" not in conv.interactions.columns
    assert conv.interactions.loc[0, "team"] == "t"


def test_gigantic_turn_is_rejected_before_it_reaches_the_pipeline():
    from serviceart.ingest.validate import MAX_TURN_CHARS

    text = "I will call you tomorrow. " * (MAX_TURN_CHARS // 20)
    turns = pd.DataFrame({"interaction_id": ["a", "a", "b"],
                          "role": ["agent", "customer", "agent"],
                          "text": [text, "ok", "Hello, how can I help?"]})
    conv = sa.Conversations.from_frames(turns)
    r = conv.rejects.set_index("code")
    assert list(r.index) == ["text_too_long"]
    assert str(len(text)) in r.loc["text_too_long", "reason"]
    assert conv.turns["text"].tolist() == ["ok", "Hello, how can I help?"]
    res = sa.score(conv)
    assert len(res.scores) == 2


@settings(max_examples=150, deadline=None)
@given(cases=st.lists(st.one_of(st.none(), st.sampled_from("abcdefgh")), max_size=40),
       size=st.integers(1, 9))
def test_case_groups_partition_rows_without_splitting_a_case(cases, size):
    from serviceart.ingest.model import case_groups

    frame = pd.DataFrame({"case_id": pd.Series(cases, dtype="string")})
    groups = list(case_groups(frame, size))
    rows = np.concatenate([np.flatnonzero(g) for g in groups]) if groups else np.array([])
    assert sorted(rows.tolist()) == list(range(len(cases)))  # every row once
    keys = frame["case_id"].fillna("<none>")
    for g in groups:
        inside = set(keys[g])
        assert not inside & set(keys[~g])  # a case (or the rows without one) is never split
        assert g.sum() <= size or len(inside) == 1  # only one big case may exceed the size
    # groups follow the order in which cases first appear
    firsts = [keys[g].map(lambda k: keys.tolist().index(k)).min() for g in groups]
    assert firsts == sorted(firsts)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=30),
       ids=st.lists(st.one_of(st.none(), st.text(max_size=3), st.integers(0, 9)), max_size=10),
       storage=st.sampled_from(["pyarrow", "python", "object"]))
def test_member_agrees_with_pandas_isin(values, ids, storage):
    from serviceart._ids import member

    dtype = object if storage == "object" else pd.StringDtype(storage)
    column = pd.Series(values, dtype=dtype)
    wanted = {str(i) for i in ids if i is not None}
    expected = [v is not None and str(v) in wanted for v in values]
    assert member(column, ids).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=30),
       keys=st.lists(st.text(max_size=3), max_size=10, unique=True),
       storage=st.sampled_from(["pyarrow", "python", "object"]))
def test_lookup_agrees_with_a_dictionary(values, keys, storage):
    from serviceart._ids import lookup

    dtype = object if storage == "object" else pd.StringDtype(storage)
    column = pd.Series(values, dtype=dtype)
    numbers = [float(i * 10) for i in range(len(keys))]
    if numbers:
        numbers[-1] = float("nan")  # a number that is missing is not an id that is missing
    table = pd.Series(numbers, index=pd.Index(keys, dtype=object), dtype="float64")
    got = lookup(column, table, missing=-1.0)
    where = dict(zip(keys, numbers, strict=True))
    expected = [where.get(v, -1.0) if v is not None else -1.0 for v in values]
    assert np.array_equal(got, np.array(expected, dtype="float64"), equal_nan=True)
