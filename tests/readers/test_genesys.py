"""The ``genesys`` reader: Genesys Cloud Speech and Text Analytics transcript JSON.

Fixtures under ``fixtures/genesys`` were written from the published transcript schema
and the public clients cited in :mod:`serviceart.readers.genesys`.
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
import serviceart.readers.genesys  # registers the reader
import serviceart.readers.insights  # registered too: no cross claims
from serviceart.readers.genesys import GenesysReader
from serviceart.testing import check_reader

FIX = Path(__file__).resolve().parent / "fixtures"
CALL = FIX / "genesys" / "call_transfer.json"
CHAT = FIX / "genesys" / "chat_bot_handoff.json"
MARIA = "3f6a1c2e-8d4b-4e7a-9c15-2b7e0d9a4f61"
TOM = "a90d7b34-5e21-4c6f-8b3a-7d1e2f4c9b08"
T0 = pd.Timestamp("2024-06-12T14:03:07.250Z")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def reject_keys(conv: sa.Conversations) -> set[tuple[str, str | None, str]]:
    return {(r.record, None if pd.isna(r.field) else r.field, r.code)
            for r in conv.rejects.itertuples()}


# ------------------------------------------------------------------ registry and sniffing


def test_registered_and_sniffed() -> None:
    assert "genesys" in sa.list_readers()
    assert sa.sniff(CALL) == "genesys" and sa.sniff(CHAT) == "genesys"


def test_sniff_scores_and_no_cross_claims() -> None:
    j = Path("x.json")
    assert GenesysReader.sniff(j, CALL.read_text()[:8192]) == 0.9
    assert GenesysReader.sniff(j, '{"orders": []}') == 0.1
    assert GenesysReader.sniff(Path("x.txt"), CALL.read_text()[:8192]) == 0.0
    for other in sorted((FIX / "aws").glob("*.json")) + sorted((FIX / "insights").glob("*.json")):
        assert GenesysReader.sniff(other, other.read_text()[:8192]) == 0.1, other
        assert sa.sniff(other) != "genesys"


# ------------------------------------------------------------------ the call


def test_call_turns() -> None:
    conv = sa.read(CALL, format="genesys")
    t = conv.turns
    assert conv.rejects.empty
    assert len(t) == 18
    ivr = ["system", "system", "customer", "system"]
    maria = ["agent", "customer", "agent", "agent", "customer", "agent", "customer", "agent",
             "customer"]
    tom = ["agent", "customer", "agent", "customer", "agent"]
    assert t["role"].tolist() == [*ivr, *maria, *tom]
    # decoratedText wins over the raw lower-case text; plain text where there is none
    assert t.loc[0, "text"] == ("Thank you for calling Contoso Mobile. Calls may be recorded "
                                "for quality and training.")
    assert t.loc[12, "text"] == "sure thanks"
    assert t.loc[9, "text"] == ("I'll submit the refund today and you'll get a confirmation "
                                "email by tomorrow.")
    assert (t.loc[0, "start_s"], t.loc[0, "end_s"]) == pytest.approx((1.2, 6.4))
    assert (t.loc[13, "start_s"], t.loc[13, "end_s"]) == pytest.approx((121.5, 125.7))
    assert (t.loc[17, "start_s"], t.loc[17, "end_s"]) == pytest.approx((142.8, 146.4))
    assert t.loc[0, "timestamp"] == T0 + pd.Timedelta(milliseconds=1200)
    assert t.loc[17, "timestamp"] == pd.Timestamp("2024-06-12T14:05:30.050Z")
    assert str(t["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert t["record"].tolist()[:2] == ["transcripts[0].phrases[0]", "transcripts[0].phrases[1]"]
    assert t["record"].tolist()[-1] == "transcripts[1].phrases[4]"
    agents = t[t["role"] == "agent"]
    assert agents["speaker"].unique().tolist() == [MARIA, TOM]
    assert t.loc[t["role"] != "agent", "speaker"].isna().all()


def test_call_interaction() -> None:
    row = sa.read(CALL).interactions.iloc[0]
    assert row["interaction_id"] == "7b1e4f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b" == row["case_id"]
    assert row["channel"] == "call"
    assert row["started_at"] == T0
    assert row["agent_id"] == MARIA
    assert row["genesys_organization_id"] == "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    assert row["genesys_communication_id"] == "e4c1a2b3-6d5f-4e8a-9b7c-1f2e3d4c5b6a"
    assert (row["genesys_media_type"], row["genesys_language"]) == ("call", "en-US")
    assert row["genesys_queue_id"] == "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4"
    assert row["genesys_duration_s"] == 147.0


def test_transcripts_are_ordered_by_time(tmp_path: Path) -> None:
    doc = load(CALL)
    doc["transcripts"].reverse()
    conv = sa.read(write(tmp_path / "reversed.json", doc))
    assert conv.turns["record"].tolist()[0] == "transcripts[1].phrases[0]"
    assert conv.turns["record"].tolist()[-1] == "transcripts[0].phrases[4]"
    assert conv.turns["start_s"].is_monotonic_increasing


def test_offsets_without_epoch_times(tmp_path: Path) -> None:
    # Phrases timed only by offsets from their transcript's start, no conversation start
    doc = load(CALL)
    for key in ("conversationStartTime", "startTime"):
        del doc[key]
    for tr in doc["transcripts"]:
        for p in tr["phrases"]:
            del p["startTimeMs"]
    conv = sa.read(write(tmp_path / "offsets.json", doc))
    t = conv.turns
    assert conv.rejects.empty
    assert t["start_s"].tolist()[:2] == pytest.approx([1.2, 7.0])
    assert t.loc[13, "start_s"] == pytest.approx(121.5)
    assert conv.interactions.loc[0, "started_at"] == T0  # earliest transcript startTime
    doc["transcripts"][1]["startTime"] = None
    for tr in doc["transcripts"]:
        del tr["startTime"]
    conv = sa.read(write(tmp_path / "bare.json", doc), started_at="2024-06-12T14:00:00Z")
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-06-12T14:00:00Z")
    assert conv.turns["timestamp"].isna().all()


def test_without_participants_purposes_decide(tmp_path: Path) -> None:
    doc = load(CALL)
    del doc["participants"], doc["conversationId"]
    conv = sa.read(write(tmp_path / "call-77.json", doc))
    t = conv.turns
    assert t["role"].astype(str).value_counts().to_dict() == {"agent": 11, "customer": 7}
    assert t["speaker"].isna().all()
    row = conv.interactions.iloc[0]
    assert row["interaction_id"] == "call-77" and pd.isna(row["genesys_queue_id"])


# ------------------------------------------------------------------ the chat


def test_chat() -> None:
    conv = sa.read(CHAT)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty and len(t) == 9
    assert t["role"].tolist() == ["customer", "system", "customer", "system", "agent", "agent",
                                  "customer", "agent", "customer"]
    assert t["start_s"].isna().all() and t["end_s"].isna().all()
    assert t["timestamp"].tolist()[:2] == [pd.Timestamp("2024-06-14T09:41:02.118Z"),
                                           pd.Timestamp("2024-06-14T09:41:04.018Z")]
    assert row["channel"] == "chat" and row["genesys_media_type"] == "message"
    assert row["started_at"] == pd.Timestamp("2024-06-14T09:41:02.118Z")
    assert row["agent_id"] == "c81d4e2f-7a3b-4c5d-9e6f-0a1b2c3d4e5f"


@pytest.mark.parametrize("path", [CALL, CHAT])
def test_check_reader(path: Path, tmp_path: Path) -> None:
    conv = check_reader("genesys", path, tmp_dir=tmp_path)
    assert len(conv) == 1


# ------------------------------------------------------------------ options


def test_roles_option(tmp_path: Path) -> None:
    conv = sa.read(CALL, roles={"internal": "customer", "external": "agent"})
    counts = conv.turns["role"].astype(str).value_counts().to_dict()
    assert counts == {"customer": 11, "agent": 7}
    conv = sa.read(CALL, roles={"ivr": "agent"})
    assert conv.turns["role"].tolist()[:2] == ["agent", "agent"]
    doc = load(CALL)
    doc["transcripts"][0]["phrases"][2]["participantPurpose"] = "coach"
    f = write(tmp_path / "coach.json", doc)
    conv = sa.read(f)
    assert reject_keys(conv) == {("transcripts[0].phrases[2]", "role", "unknown_role")}
    assert "'coach'" in conv.rejects.loc[0, "reason"]
    assert sa.read(f, roles={"coach": "agent"}).rejects.empty
    with pytest.raises(sa.ConfigError, match="roles="):
        sa.read(CALL, roles=["agent"])


def test_started_at_option_only_where_the_export_has_none() -> None:
    conv = sa.read(CALL, started_at="2020-01-01T00:00:00Z")
    assert conv.interactions.loc[0, "started_at"] == T0


# ------------------------------------------------------------------ bad records


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["transcripts"][0]["phrases"].__setitem__(3, "oops"),
     ("transcripts[0].phrases[3]", None, "malformed_record")),
    (lambda d: d["transcripts"].append(7), ("transcripts[2]", None, "malformed_record")),
    (lambda d: d["transcripts"][0]["phrases"][3].pop("participantPurpose"),
     ("transcripts[0].phrases[3]", "participantPurpose", "missing_field")),
    (lambda d: [d["transcripts"][0]["phrases"][3].pop(k) for k in ("startTimeMs", "offset")],
     ("transcripts[0].phrases[3]", "startTimeMs", "missing_field")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(startTimeMs="soon"),
     ("transcripts[0].phrases[3]", "startTimeMs", "bad_number")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(duration={"milliseconds": "long"}),
     ("transcripts[0].phrases[3]", "duration.milliseconds", "bad_number")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(decoratedText=None, text=["a"]),
     ("transcripts[0].phrases[3]", "text", "bad_value")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(startTimeMs=1e22),
     ("transcripts[0].phrases[3]", "startTimeMs", "bad_timestamp")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(decoratedText=" ", text=""),
     ("transcripts[0].phrases[3]", "text", "empty_text")),
    (lambda d: d["transcripts"][0]["phrases"][3].update(duration={"milliseconds": -900}),
     ("transcripts[0].phrases[3]", "end_s", "end_before_start")),
    (lambda d: d.update(mediaType="video"),
     ("interaction 7b1e4f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b", "channel", "unknown_channel")),
])
def test_bad_records(tmp_path: Path, mutate, expected) -> None:
    doc = copy.deepcopy(load(CALL))
    mutate(doc)
    f = write(tmp_path / "call.json", doc)
    conv = sa.read(f, format="genesys")
    assert reject_keys(conv) == {expected}
    bad = conv.rejects.iloc[0]
    assert bad["source"] == str(f) and bad["reason"]
    assert bad["interaction_id"] == "7b1e4f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
    n_turns = 17 if ".phrases[" in expected[0] else 18
    assert len(conv.turns) == (0 if expected[2] == "unknown_channel" else n_turns)


def test_bad_record_reasons(tmp_path: Path) -> None:
    doc = load(CALL)
    doc["transcripts"][0]["phrases"][4]["startTimeMs"] = "soon"
    doc["transcripts"][0]["phrases"][5]["startTimeMs"] = T0.value // 10**6 - 5000
    conv = sa.read(write(tmp_path / "call.json", doc))
    reasons = conv.rejects.set_index("record")["reason"]
    assert reasons["transcripts[0].phrases[4]"] == "startTimeMs 'soon' is not a number"
    # a phrase before the conversation started has a negative start
    assert conv.rejects.set_index("record").loc["transcripts[0].phrases[5]", "code"] == \
        "negative_time"


def test_no_usable_phrase_gives_no_turns(tmp_path: Path) -> None:
    doc = load(CALL)
    doc["transcripts"] = [{"phrases": [{"text": "hi"}, 3]}, {"phrases": []}]
    f = write(tmp_path / "x.json", doc)
    conv = sa.read(f)
    assert len(conv) == 0
    assert reject_keys(conv) == {
        ("transcripts[0].phrases[0]", "participantPurpose", "missing_field"),
        ("transcripts[0].phrases[1]", None, "malformed_record"),
        ("transcripts", "transcripts", "no_turns"),
    }
    assert conv.counts["interactions_in"] == 1 and conv.counts["interactions_rejected"] == 1
    doc["transcripts"] = []
    conv = sa.read(write(tmp_path / "empty.json", doc))
    assert reject_keys(conv) == {("transcripts", "transcripts", "no_turns")}


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("   \n", "the file is empty"),
    ("[1, 2]", "expected a JSON object at the top, found a list"),
    ('{"conversationId": "x"}', "no 'transcripts'; not a Genesys Cloud transcript"),
    ('{"transcripts": {"a": 1}}', "'transcripts' is a dict, not a list"),
    ("not json at all", "not valid JSON"),
])
def test_unusable_files_raise_format_error(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "broken.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(sa.FormatError, match=message) as info:
        sa.read(f, format="genesys")
    assert info.value.source == str(f) and str(f) in str(info.value)


def test_truncated_file_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "truncated.json"
    f.write_text(CALL.read_text()[:5000], encoding="utf-8")
    assert sa.sniff(f) == "genesys"
    with pytest.raises(sa.FormatError, match="truncated") as info:
        sa.read(f)
    assert info.value.source == str(f)


# ------------------------------------------------------------------ scoring end to end


def test_call_scores_transfer_hold_and_promise(nlp) -> None:
    res = sa.score(sa.read(CALL), nlp=nlp)
    m = res.measures.iloc[0]
    assert res.run_info["counts"]["scored"] == 1
    assert m["handoffs"] == 1.0  # Maria transferred the caller to Tom
    # "bear with me" at 51.8-57.0, Maria speaks again at 74.5
    assert m["hold_s"] == pytest.approx(17.5)
    cues = res.evidence.groupby("cue", observed=True)["turn_index"].agg(list).to_dict()
    assert cues["transfer"] == [11]
    assert cues["promise"] == [9]
    assert 6 in cues["hold"]
    assert 0 not in cues.get("greeting", [])  # the IVR's welcome is not the agent's greeting
    assert 4 in cues["greeting"]


# ------------------------------------------------------------------ robustness


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_files_give_rejects_or_serviceart_errors(data, tmp_path: Path) -> None:
    raw = data.draw(st.sampled_from([CALL, CHAT])).read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    pos = data.draw(st.integers(0, cut))
    f = tmp_path / "broken.json"
    f.write_bytes(raw[:pos] + junk + raw[pos:cut])
    try:
        conv = sa.read(f, format="genesys")
    except sa.ServiceartError:
        return
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]


_KEYS = ["transcripts", "phrases", "participantPurpose", "startTimeMs", "duration",
         "milliseconds", "offset", "text", "decoratedText", "participants", "userId",
         "endTimeMs", "conversationStartTime", "startTime", "mediaType", "conversationId"]
_scalars = (st.none() | st.booleans() | st.integers(-(10**25), 10**25)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
            | st.sampled_from(["internal", "external", "ivr", "acd", "agent", "call",
                               "chat", "", "NaN", "1e400"]))
_json = st.recursive(_scalars, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(st.sampled_from(_KEYS), kids, max_size=6),
                     max_leaves=30)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.fixed_dictionaries({"transcripts": st.lists(st.fixed_dictionaries(
    {"phrases": st.lists(st.dictionaries(st.sampled_from(_KEYS), _json, max_size=6)
                         | _json, max_size=4)},
    optional={"startTime": _json}) | _json, max_size=3)},
    optional={k: _json for k in ("participants", "mediaType", "conversationStartTime")}))
def test_random_documents_never_raise_other_errors(doc: Any, tmp_path: Path) -> None:
    f = tmp_path / "random.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    with contextlib.suppress(sa.ServiceartError):
        sa.read(f, format="genesys")
