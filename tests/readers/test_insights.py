"""The ``insights`` reader: Google Contact Center AI Insights conversation JSON.

Fixtures under ``fixtures/insights`` were written from the published upload format
and the ``Conversation`` resource reference cited in :mod:`serviceart.readers.insights`.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
import serviceart.readers.genesys  # registered too: no cross claims
import serviceart.readers.insights  # registers the reader
from serviceart.readers.insights import InsightsReader
from serviceart.testing import check_reader

FIX = Path(__file__).resolve().parent / "fixtures"
CALL = FIX / "insights" / "call_conversation.json"
ENTRIES = FIX / "insights" / "chat_entries.json"
CHAT = FIX / "insights" / "chat_conversation.json"
ALL = (CALL, ENTRIES, CHAT)
START = pd.Timestamp("2024-07-02T16:20:05Z")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def reject_keys(conv: sa.Conversations) -> set[tuple[str, str | None, str]]:
    return {(r.record, None if pd.isna(r.field) else r.field, r.code)
            for r in conv.rejects.itertuples()}


def roles(conv: sa.Conversations) -> list[str]:
    return conv.turns["role"].astype(str).tolist()


# ------------------------------------------------------------------ registry and sniffing


@pytest.mark.parametrize("path", ALL)
def test_sniffed(path: Path) -> None:
    assert "insights" in sa.list_readers()
    assert sa.sniff(path) == "insights"
    assert InsightsReader.sniff(path, path.read_text()[:8192]) == 0.9


def test_sniff_scores_and_no_cross_claims() -> None:
    j = Path("x.json")
    assert InsightsReader.sniff(j, '{"entries": [{"id": 1}]}') == 0.1
    assert InsightsReader.sniff(Path("x.txt"), CALL.read_text()[:8192]) == 0.0
    assert InsightsReader.sniff(j, '{"name": "projects/p/locations/l/conversations/42"}') == 0.9
    for other in sorted((FIX / "aws").glob("*.json")) + sorted((FIX / "genesys").glob("*.json")):
        assert InsightsReader.sniff(other, other.read_text()[:8192]) == 0.1, other
        assert sa.sniff(other) != "insights"


# ------------------------------------------------------------------ the call (a Conversation)


def test_call_turns() -> None:
    conv = sa.read(CALL, format="insights")
    t = conv.turns
    assert conv.rejects.empty and len(t) == 13
    assert roles(conv) == ["system", "customer", "system", "agent", "customer", "agent",
                           "agent", "customer", "agent", "customer", "agent", "customer",
                           "agent"]
    assert t.loc[0, "text"].startswith("Welcome to Northwind Energy.")
    assert (t.loc[0, "start_s"], t.loc[0, "end_s"]) == (0.4, 5.9)
    assert (t.loc[8, "start_s"], t.loc[8, "end_s"]) == (84.9, 95.0)
    assert t.loc[8, "text"].startswith("Yes. I'll send you a corrected bill by Friday")
    assert t.loc[0, "timestamp"] == START + pd.Timedelta(seconds=0.4)
    assert t.loc[12, "timestamp"] == pd.Timestamp("2024-07-02T16:21:50Z")
    assert t["record"].tolist()[:2] == ["transcript.transcriptSegments[0]",
                                        "transcript.transcriptSegments[1]"]
    assert t.loc[3, "speaker"] == "agent-0417"
    assert t.loc[1, "speaker"] == "cust-7c1f0e"
    assert t.loc[0, "speaker"].endswith("/participants/virtual-agent")
    # segment 11 has no segmentParticipant: its channelTag 1 is callMetadata.customerChannel
    assert t.loc[11, "role"] == "customer" and pd.isna(t.loc[11, "speaker"])


def test_call_interaction() -> None:
    row = sa.read(CALL).interactions.iloc[0]
    assert row["interaction_id"] == "8414926193551138561" == row["case_id"]
    assert row["insights_name"] == (
        "projects/northwind-ccai/locations/us-central1/conversations/8414926193551138561")
    assert (row["channel"], row["agent_id"], row["customer_id"]) == (
        "call", "agent-0417", "cust-7c1f0e")
    assert row["started_at"] == START
    assert (row["insights_language"], row["insights_duration_s"],
            row["insights_turn_count"]) == ("en-US", 108.64, 13.0)
    assert row["insights_labels"] == "queue=billing,site=manila"
    assert pd.isna(row["insights_categories"])


def test_call_fallbacks(tmp_path: Path) -> None:
    doc = load(CALL)
    del doc["name"], doc["agentId"], doc["medium"], doc["startTime"]
    doc["transcript"]["transcriptSegments"][5]["words"] = []
    doc["transcript"]["transcriptSegments"][5]["messageTime"] = "2024-07-02T16:20:46Z"
    conv = sa.read(write(tmp_path / "call-9.json", doc))
    row = conv.interactions.iloc[0]
    assert row["interaction_id"] == "call-9"
    assert row["channel"] == "call"  # word offsets
    assert row["agent_id"] == "agent-0417"  # qualityMetadata.agentInfo
    # no startTime: the segment's messageTime, else createTime
    assert row["started_at"] == pd.Timestamp("2024-07-02T16:20:46Z")
    t = conv.turns
    assert pd.isna(t.loc[5, "start_s"]) and t.loc[5, "text"].startswith("Thanks. I can put")


def test_started_at_from_create_time_or_option(tmp_path: Path) -> None:
    doc = load(CALL)
    del doc["startTime"]
    conv = sa.read(write(tmp_path / "a.json", doc))
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-07-02T16:31:44.912837Z")
    assert conv.turns["timestamp"].isna().all()
    del doc["createTime"]
    conv = sa.read(write(tmp_path / "b.json", doc), started_at="2024-07-02T18:20:05+02:00")
    assert conv.interactions.loc[0, "started_at"] == START


# ------------------------------------------------------------------ chats


def test_chat_entries() -> None:
    conv = sa.read(ENTRIES)
    t, row = conv.turns, conv.interactions.iloc[0]
    doc = load(ENTRIES)
    assert conv.rejects.empty and len(t) == len(doc["entries"]) == 11
    assert roles(conv) == ["customer", "system", "customer", "system", "agent", "customer",
                           "agent", "agent", "customer", "agent", "customer"]
    assert t["text"].tolist() == [e["text"] for e in doc["entries"]]
    assert t["speaker"].tolist()[:5] == ["1001", "9001", "1001", "9001", "2001"]
    assert t["timestamp"].tolist()[:3] == [pd.Timestamp("2024-07-03T10:15:00Z"),
                                           pd.Timestamp("2024-07-03T10:15:03.2Z"),
                                           pd.Timestamp("2024-07-03T10:15:21.75Z")]
    assert t["start_s"].isna().all() and t["end_s"].isna().all()
    assert t["record"].tolist() == [f"entries[{n}]" for n in range(11)]
    assert (row["interaction_id"], row["channel"]) == ("chat_entries", "chat")
    assert row["started_at"] == pd.Timestamp("2024-07-03T10:15:00Z")
    assert row["insights_categories"] == "Delivery,Missing parcel"


def test_chat_conversation() -> None:
    conv = sa.read(CHAT)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty and len(t) == 5
    assert roles(conv) == ["customer", "system", "agent", "customer", "agent"]
    assert t["timestamp"].tolist()[2] == pd.Timestamp("2024-07-05T18:02:59.493Z")
    assert t["start_s"].isna().all()
    assert (row["interaction_id"], row["channel"], row["agent_id"]) == (
        "chat-2024-07-05-000913", "chat", "agent-0233")
    assert row["started_at"] == pd.Timestamp("2024-07-05T18:02:11.403Z")
    assert (row["insights_language"], row["insights_duration_s"]) == ("en-GB", 79.25)


def test_entries_without_times_are_read_in_file_order(tmp_path: Path) -> None:
    """Entries without ``start_timestamp_usec`` (Google's devkit sample has none) are turns
    with unknown times, in file order, and the file is still sniffed as ``insights``."""
    doc = load(ENTRIES)
    for entry in doc["entries"]:
        entry.pop("start_timestamp_usec")
    f = write(tmp_path / "untimed.json", doc)
    assert sa.sniff(f) == "insights"
    conv = sa.read(f)
    assert conv.rejects.empty
    assert conv.turns["text"].tolist() == [e["text"] for e in doc["entries"]]
    assert conv.turns["timestamp"].isna().all()
    assert pd.isna(conv.interactions.loc[0, "started_at"])


def test_one_entry_without_time_keeps_the_others(tmp_path: Path) -> None:
    doc = load(ENTRIES)
    doc["entries"][2].pop("start_timestamp_usec")
    conv = sa.read(write(tmp_path / "one_untimed.json", doc))
    assert conv.rejects.empty and len(conv.turns) == 11
    by_record = conv.turns.set_index("record")["timestamp"]
    assert pd.isna(by_record["entries[2]"])
    assert by_record["entries[3]"] == pd.Timestamp("2024-07-03T10:15:23.1Z")


@pytest.mark.parametrize("user_id", [1, 2, "1"])
def test_slot_user_ids_are_no_speaker(tmp_path: Path, user_id: int | str) -> None:
    """user_id 1 and 2 are the role slots Google's tools write: no speaker, no agent_id."""
    doc = load(ENTRIES)
    for entry in doc["entries"]:
        entry["user_id"] = user_id
    conv = sa.read(write(tmp_path / "slots.json", doc))
    assert conv.turns["speaker"].isna().all()
    row = conv.interactions.iloc[0]
    assert pd.isna(row["agent_id"]) and pd.isna(row["customer_id"])


@pytest.mark.parametrize("path", ALL)
def test_check_reader(path: Path, tmp_path: Path) -> None:
    assert len(check_reader("insights", path, tmp_dir=tmp_path)) == 1


# ------------------------------------------------------------------ options


def test_roles_option(tmp_path: Path) -> None:
    conv = sa.read(ENTRIES, roles={"automated_agent": "agent"})
    assert roles(conv)[1] == "agent" and roles(conv)[3] == "agent"
    conv = sa.read(CALL, roles={"agent": "customer", "customer": "agent"})
    assert roles(conv)[:4] == ["system", "agent", "system", "customer"]
    doc = load(CHAT)
    doc["transcript"]["transcriptSegments"][3]["segmentParticipant"]["role"] = "ROLE_UNSPECIFIED"
    f = write(tmp_path / "unspecified.json", doc)
    conv = sa.read(f)
    assert reject_keys(conv) == {("transcript.transcriptSegments[3]", "role", "unknown_role")}
    assert "'ROLE_UNSPECIFIED'" in conv.rejects.loc[0, "reason"]
    assert sa.read(f, roles={"role_unspecified": "customer"}).rejects.empty


# ------------------------------------------------------------------ bad records


@pytest.mark.parametrize(("path", "mutate", "expected"), [
    (ENTRIES, lambda d: d["entries"].__setitem__(2, [1]), ("entries[2]", None, "malformed_record")),
    (ENTRIES, lambda d: d["entries"][2].pop("role"), ("entries[2]", "role", "missing_field")),
    (ENTRIES, lambda d: d["entries"][2].update(start_timestamp_usec="later"),
     ("entries[2]", "start_timestamp_usec", "bad_number")),
    (ENTRIES, lambda d: d["entries"][2].update(start_timestamp_usec=10**30),
     ("entries[2]", "start_timestamp_usec", "bad_timestamp")),
    (ENTRIES, lambda d: d["entries"][2].update(text=17), ("entries[2]", "text", "bad_value")),
    (ENTRIES, lambda d: d["entries"][2].update(text="  "), ("entries[2]", "text", "empty_text")),
    (CALL, lambda d: d["transcript"]["transcriptSegments"].__setitem__(4, None),
     ("transcript.transcriptSegments[4]", None, "malformed_record")),
    (CALL, lambda d: d["transcript"]["transcriptSegments"][11].update(channelTag=3),
     ("transcript.transcriptSegments[11]", "segmentParticipant.role", "missing_field")),
    (CALL, lambda d: d["transcript"]["transcriptSegments"][4]["words"][0].update(
        startOffset="soon"), ("transcript.transcriptSegments[4]", "words[0].startOffset",
                              "bad_number")),
    (CALL, lambda d: d["transcript"]["transcriptSegments"][4]["words"][-1].update(
        endOffset="1.0s"), ("transcript.transcriptSegments[4]", "end_s", "end_before_start")),
    (CHAT, lambda d: d["transcript"]["transcriptSegments"][2].update(messageTime="noonish"),
     ("transcript.transcriptSegments[2]", "messageTime", "bad_timestamp")),
    (CHAT, lambda d: d["transcript"]["transcriptSegments"][2].pop("messageTime"),
     ("transcript.transcriptSegments[2]", "messageTime", "missing_field")),
    (CHAT, lambda d: d["transcript"]["transcriptSegments"][2].pop("text"),
     ("transcript.transcriptSegments[2]", "text", "missing_field")),
])
def test_bad_records(tmp_path: Path, path: Path, mutate, expected) -> None:
    doc = copy.deepcopy(load(path))
    mutate(doc)
    f = write(tmp_path / path.name, doc)
    conv = sa.read(f, format="insights")
    assert reject_keys(conv) == {expected}
    bad = conv.rejects.iloc[0]
    assert bad["source"] == str(f) and bad["reason"]
    assert len(conv) == 1
    assert len(conv.turns) == {CALL: 12, ENTRIES: 10, CHAT: 4}[path]


def test_bad_record_reasons(tmp_path: Path) -> None:
    doc = load(ENTRIES)
    doc["entries"][2]["start_timestamp_usec"] = "later"
    doc["entries"][3]["text"] = 17
    conv = sa.read(write(tmp_path / "chat.json", doc))
    reasons = conv.rejects.set_index("record")["reason"]
    assert reasons["entries[2]"] == "start_timestamp_usec 'later' is not a number"
    assert reasons["entries[3]"] == "text is a int, not a string"


def test_no_usable_turn(tmp_path: Path) -> None:
    f = write(tmp_path / "empty.json", {"entries": []})
    conv = sa.read(f, format="insights")
    assert len(conv) == 0
    assert conv.rejects[["source", "record", "interaction_id", "field", "code"]].values.tolist() \
        == [[str(f), "entries", "empty", "entries", "no_turns"]]
    doc = load(CHAT)
    doc["transcript"]["transcriptSegments"] = [{"text": "hi"}, "x"]
    conv = sa.read(write(tmp_path / "chat.json", doc))
    assert reject_keys(conv) == {
        ("transcript.transcriptSegments[0]", "segmentParticipant.role", "missing_field"),
        ("transcript.transcriptSegments[1]", None, "malformed_record"),
        ("transcript.transcriptSegments", "transcript.transcriptSegments", "no_turns"),
    }


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("[]", "expected a JSON object at the top, found a list"),
    ('{"name": "projects/p/locations/l/conversations/1"}',
     "no 'transcript.transcriptSegments' and no 'entries'"),
    ('{"entries": "none"}', "'entries' is a str, not a list"),
    ('{"transcript": {"transcriptSegments": {}}}', "is a dict, not a list"),
    ('{"entries": [{"text": "hi", "role": "AGENT", "start_timestamp_usec": 1', "truncated"),
])
def test_unusable_files_raise_format_error(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "broken.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(sa.FormatError, match=message) as info:
        sa.read(f, format="insights")
    assert info.value.source == str(f) and str(f) in str(info.value)


def test_truncated_fixture_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "truncated.json"
    f.write_text(CALL.read_text()[:3000], encoding="utf-8")
    assert sa.sniff(f) == "insights"
    with pytest.raises(sa.FormatError, match="truncated") as info:
        sa.read(f)
    assert info.value.source == str(f)


# ------------------------------------------------------------------ scoring end to end


def test_call_scores_hold_and_promise(nlp) -> None:
    res = sa.score(sa.read(CALL), nlp=nlp)
    m = res.measures.iloc[0]
    assert res.run_info["counts"]["scored"] == 1
    # the hold cue ends at 46.4 s; Dana speaks again at 71.9 s
    assert m["hold_s"] == pytest.approx(25.5)
    assert m["handoffs"] == 0.0
    cues = res.evidence.groupby("cue", observed=True)["turn_index"].agg(list).to_dict()
    assert cues["promise"] == [8]
    assert 5 in cues["hold"]
    # the virtual agent's "connecting you" is a system turn, not an agent transfer
    assert "transfer" not in cues


def test_chat_entries_score_the_transfer(nlp) -> None:
    res = sa.score(sa.read(ENTRIES), nlp=nlp)
    m = res.measures.iloc[0]
    assert m["handoffs"] == 1.0  # agents 2001 and 2002
    cues = res.evidence.groupby("cue", observed=True)["turn_index"].agg(list).to_dict()
    assert cues["transfer"] == [6] and cues["promise"] == [7]


# ------------------------------------------------------------------ robustness


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_files_give_rejects_or_serviceart_errors(data, tmp_path: Path) -> None:
    raw = data.draw(st.sampled_from(ALL)).read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    pos = data.draw(st.integers(0, cut))
    f = tmp_path / "broken.json"
    f.write_bytes(raw[:pos] + junk + raw[pos:cut])
    try:
        conv = sa.read(f, format="insights")
    except sa.ServiceartError:
        return
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]


_KEYS = ["entries", "text", "role", "user_id", "start_timestamp_usec", "transcript",
         "transcriptSegments", "segmentParticipant", "userId", "words", "startOffset",
         "endOffset", "messageTime", "channelTag", "callMetadata", "agentChannel",
         "customerChannel", "medium", "startTime", "createTime", "duration", "name", "labels"]
_scalars = (st.none() | st.booleans() | st.integers(-(10**25), 10**25)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
            | st.sampled_from(["AGENT", "END_USER", "AUTOMATED_AGENT", "PHONE_CALL", "CHAT",
                               "1.5s", "-2s", "9e999s", "2024-07-02T16:20:05Z", "", "NaN"]))
_json = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(st.sampled_from(_KEYS), kids, max_size=6),
                     max_leaves=30)
_item = st.dictionaries(st.sampled_from(_KEYS), _json, max_size=6) | _json


@pytest.mark.slow
@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.fixed_dictionaries({"entries": st.lists(_item, max_size=4)})
       | st.fixed_dictionaries(
           {"transcript": st.fixed_dictionaries({"transcriptSegments": st.lists(
               _item, max_size=4)})},
           optional={k: _json for k in ("medium", "startTime", "callMetadata", "duration",
                                        "labels", "createTime")}))
def test_random_documents_never_raise_other_errors(doc: Any, tmp_path: Path) -> None:
    f = tmp_path / "random.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    with contextlib.suppress(sa.ServiceartError):
        sa.read(f, format="insights")
