"""An interaction_id given twice: the second interaction is rejected with its own turns.

Readers put a private key (:data:`serviceart.ingest.validate.INTERACTION_KEY`) on
their turns and interaction rows, so the validator knows which turns belong to
the repeated row; nothing of it may end up inside the first interaction.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.ingest.validate import INTERACTION_KEY

FIX = Path(__file__).parent / "readers" / "fixtures"


def _balanced(conv: sa.Conversations) -> None:
    c = conv.counts
    assert c["interactions_in"] == c["interactions_valid"] + c["interactions_rejected"]
    assert c["turns_in"] == c["turns_valid"] + c["turns_rejected"]
    turn_rejects = conv.rejects[~conv.rejects["record"].str.startswith("interactions row")]
    assert len(turn_rejects) == c["turns_rejected"]


def test_from_frames_with_keys() -> None:
    turns = pd.DataFrame({
        "interaction_id": ["7", "7", "7", "8"],
        "role": ["customer", "agent", "customer", "customer"],
        "text": ["Card declined in 2014", "Try again", "Card declined in 2020", "Hello"],
        "source": ["a.json", "a.json", "b.json", "b.json"],
        "record": ["t1", "t2", "t3", "t4"],
        INTERACTION_KEY: ["a", "a", "b", "c"],
    })
    inter = pd.DataFrame({"interaction_id": ["7", "7", "8"], "queue": ["old", "new", "x"],
                          INTERACTION_KEY: ["a", "b", "c"]})
    conv = sa.Conversations.from_frames(turns, inter)
    assert conv.turns["text"].tolist() == ["Card declined in 2014", "Try again", "Hello"]
    assert conv.interactions["queue"].tolist() == ["old", "x"]
    assert INTERACTION_KEY not in conv.turns.columns
    assert INTERACTION_KEY not in conv.interactions.columns
    rej = conv.rejects
    assert rej["code"].tolist() == ["duplicate_interaction"] * 2
    assert rej["record"].tolist() == ["interactions row 2", "t3"]
    assert rej["source"].tolist() == ["b.json", "b.json"]
    assert "the first is in a.json" in rej["reason"].iloc[1]
    _balanced(conv)


def test_without_keys_the_turn_table_decides() -> None:
    turns = pd.DataFrame({"interaction_id": ["7", "7"], "role": ["customer", "agent"],
                          "text": ["Hi", "Hello"]})
    inter = pd.DataFrame({"interaction_id": ["7", "7"], "queue": ["a", "b"]})
    conv = sa.Conversations.from_frames(turns, inter)
    assert len(conv.turns) == 2 and conv.interactions["queue"].tolist() == ["a"]
    assert conv.rejects["code"].tolist() == ["duplicate_interaction"]


def test_one_interaction_per_file_readers(tmp_path: Path) -> None:
    """Two exports of one contact (a JSON reader): the second file's turns are rejected."""
    src = FIX / "aws" / "transcribe_call.json"
    shutil.copy(src, tmp_path / "a.json")
    shutil.copy(src, tmp_path / "b.json")
    alone = sa.read(src)
    conv = sa.read(tmp_path)
    assert len(conv) == 1 and len(conv.turns) == len(alone.turns)
    assert set(conv.turns["source"]) == {str(tmp_path / "a.json")}
    rej = conv.rejects
    assert set(rej["code"]) == {"duplicate_interaction"}
    assert set(rej["source"]) == {str(tmp_path / "b.json")}
    assert len(rej) == len(alone.turns) + 1
    _balanced(conv)


def test_helpdesk_json_lines_read_and_streamed(tmp_path: Path) -> None:
    lines = [json.loads(x) for x in (FIX / "helpdesk" / "zendesk_export.json").read_text()
             .splitlines() if x.strip()]
    again = {**lines[0], "subject": "a different ticket numbered the same",
             "comments": [{**c, "plain_body": f"later: a question about order #{n}"}
                          for n, c in enumerate(lines[0]["comments"], 7100)]}
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in [*lines, again]))
    first = str(lines[0]["id"])
    conv = sa.read(path)
    kept = conv.turns[conv.turns["interaction_id"] == first]
    assert not kept["text"].str.startswith("later:").any()
    assert len(kept) == len(sa.read(FIX / "helpdesk" / "zendesk_export.json").turns.query(
        "interaction_id == @first"))
    assert conv.interactions.set_index("interaction_id").loc[first, "zendesk_subject"] \
        != again["subject"]
    assert set(conv.rejects["code"]) == {"duplicate_interaction"}
    assert conv.rejects["record"].str.startswith(f"line {len(lines) + 1}: ticket").sum() \
        == len(conv.rejects) - 1
    _balanced(conv)
    streamed = list(sa.stream(path, chunk_size=1))
    texts = pd.concat([c.turns for c in streamed])["text"]
    assert not texts.str.startswith("later:").any()
    assert sum(c.counts["turns_in"] for c in streamed) == conv.counts["turns_in"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.sampled_from(["101", "102", "103"]), min_size=1, max_size=6),
       sizes=st.lists(st.integers(1, 3), min_size=6, max_size=6))
def test_any_repeats_keep_only_the_first_tickets_comments(tmp_path: Path, ids: list[str],
                                                          sizes: list[int]) -> None:
    tickets = [{"id": tid, "requester_id": 1, "via": {"channel": "chat"},
                "created_at": "2024-05-06T08:00:00Z",
                "comments": [{"id": 10 * k + j, "author_id": 1 + j % 2, "public": True,
                              "created_at": f"2024-05-06T08:{10 * k + j:02d}:00Z",
                              "plain_body": f"ticket {k} comment {j}"}
                             for j in range(sizes[k])]}
               for k, tid in enumerate(ids)]
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps({"tickets": tickets}))
    conv = sa.read(path)
    first = {tid: ids.index(tid) for tid in ids}
    want = sorted(f"ticket {first[tid]} comment {j}" for tid in set(ids)
                  for j in range(sizes[first[tid]]))
    assert sorted(conv.turns["text"]) == want
    for tid, k in first.items():
        texts = conv.turns.loc[conv.turns["interaction_id"] == tid, "text"]
        assert texts.str.startswith(f"ticket {k} ").all()
    repeated = [k for k, tid in enumerate(ids) if first[tid] != k]
    turn_rejects = conv.rejects[~conv.rejects["record"].str.startswith("interactions row")]
    assert sorted(turn_rejects["record"]) == sorted(
        f"tickets[{k}]: ticket {ids[k]} comment {10 * k + j}" for k in repeated
        for j in range(sizes[k]))
    assert (conv.rejects["code"] == "duplicate_interaction").all()
    assert conv.counts["turns_in"] == sum(sizes[:len(ids)])
    _balanced(conv)
