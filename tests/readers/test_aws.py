"""The Amazon readers: Transcribe Call Analytics, Contact Lens (voice, chat), Post-Call Analytics.

Fixtures under ``fixtures/aws`` were written from the published examples (see the
module docstring of :mod:`serviceart.readers.aws`); the real PCA sample lives in
the shared data folder beside the repository.
"""

from __future__ import annotations

import contextlib
import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
import serviceart.readers.aws  # registers the readers
from serviceart.readers.aws import ContactLensReader, TranscribeReader
from serviceart.readers.pca import PcaReader

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "aws"
BAD = FIX / "malformed"
REPO = HERE.parent.parent
PCA_SAMPLE = REPO.parent / "shared" / "data" / "aws_pca_sample" / "testfile.json"

TRANSCRIBE = FIX / "transcribe_call.json"
CL_VOICE = FIX / "contact_lens_voice_transfer.json"
CL_CHAT = FIX / "contact_lens_chat.json"
PCA = FIX / "pca_call.json"

READER_NAMES = ("transcribe", "contact_lens", "pca")


@pytest.fixture(scope="module")
def pca_sample() -> Path:
    if not PCA_SAMPLE.exists():
        pytest.skip(f"the real PCA sample {PCA_SAMPLE} is not beside the repository")
    return PCA_SAMPLE


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def reject_keys(conv: sa.Conversations) -> set[tuple[str, str, str]]:
    return {(r.record, None if pd.isna(r.field) else r.field, r.code)
            for r in conv.rejects.itertuples()}


def role_counts(turns: pd.DataFrame) -> dict[str, int]:
    return turns["role"].astype(str).value_counts().to_dict()


def share(durations: dict[str, float]) -> float:
    return durations["agent"] / (durations["agent"] + durations["customer"])


# ------------------------------------------------------------------ registry and sniffing


def test_readers_are_registered() -> None:
    assert set(READER_NAMES) <= set(sa.list_readers())
    assert serviceart.readers.aws.TranscribeReader is TranscribeReader


@pytest.mark.parametrize(("path", "name"), [
    (TRANSCRIBE, "transcribe"),
    (CL_VOICE, "contact_lens"),
    (CL_CHAT, "contact_lens"),
    (PCA, "pca"),
    (BAD / "transcribe_truncated.json", "transcribe"),
    (BAD / "transcribe_missing_content.json", "transcribe"),
    (BAD / "contact_lens_unknown_role.json", "contact_lens"),
])
def test_sniff_fixtures(path: Path, name: str) -> None:
    assert sa.sniff(path) == name


def test_sniff_real_pca_sample(pca_sample: Path) -> None:
    assert sa.sniff(pca_sample) == "pca"


def test_sniff_scores() -> None:
    tca_head = TRANSCRIBE.read_text()[:8192]
    chat_head = CL_CHAT.read_text()[:8192]
    pca_head = PCA.read_text()[:8192]
    j, txt = Path("x.json"), Path("x.txt")
    assert TranscribeReader.sniff(j, tca_head) == 0.9
    assert ContactLensReader.sniff(j, tca_head) == 0.1
    assert ContactLensReader.sniff(j, chat_head) == 0.9
    assert TranscribeReader.sniff(j, chat_head) == 0.1
    assert PcaReader.sniff(j, pca_head) == 0.9
    assert PcaReader.sniff(j, '{"name": "something else"}') == 0.1
    for cls in (TranscribeReader, ContactLensReader, PcaReader):
        assert cls.sniff(txt, pca_head + tca_head + chat_head) == 0.0


def test_other_json_is_not_claimed(tmp_path: Path) -> None:
    f = write(tmp_path / "other.json", {"orders": [{"id": 1}]})
    with pytest.raises(sa.FormatError, match="cannot tell the format"):
        sa.sniff(f)


# ------------------------------------------------------------------ the real PCA sample


def test_real_pca_sample(pca_sample: Path) -> None:
    conv = sa.read(pca_sample)
    t, i = conv.turns, conv.interactions
    assert conv.rejects.empty
    assert len(t) == 12 and len(i) == 1
    assert role_counts(t) == {"agent": 6, "customer": 6}
    first, last = t.iloc[0], t.iloc[-1]
    assert (first["text"], first["start_s"], first["end_s"], first["role"]) == (
        "MM.", 0.04, 0.25, "agent")
    assert (last["text"], last["start_s"], last["end_s"], last["role"]) == (
        "Do you want me to just tell you the meeting I'd be?", 27.04, 28.96, "customer")
    assert t["record"].tolist() == [f"SpeechSegments[{n}]" for n in range(12)]
    assert t["speaker"].isna().all()  # Agent and Cust are "None" in the sample
    row = i.iloc[0]
    # GUID is "None", so the id is the Transcribe job name
    assert row["interaction_id"] == "stereo_std_1.mp3" == row["case_id"]
    assert row["channel"] == "call"
    # ConversationTime is a copy of ProcessTime: no call time is known
    assert pd.isna(row["started_at"])
    assert pd.isna(row["agent_id"]) and pd.isna(row["customer_id"])
    assert row["aws_categories"] == "Dummy_Missing"
    assert row["aws_language"] == "en-US"
    assert row["aws_duration_s"] == 28.67
    assert (row["aws_talk_time_agent_s"], row["aws_talk_time_customer_s"]) == (9.879, 19.56)
    assert row["aws_non_talk_time_s"] == 0.0
    assert row["aws_interruptions"] == 1.0
    assert (row["aws_sentiment_agent"], row["aws_sentiment_customer"]) == (1.7, 1.7)


def test_real_pca_sample_scores_match_independent_talk_share(pca_sample: Path, nlp) -> None:
    doc = load(pca_sample)
    labels = {lab["Speaker"]: lab["DisplayText"].lower()
              for lab in doc["ConversationAnalytics"]["SpeakerLabels"]}
    dur = {"agent": 0.0, "customer": 0.0}
    for seg in doc["SpeechSegments"]:
        dur[labels[seg["SegmentSpeaker"]]] += seg["SegmentEndTime"] - seg["SegmentStartTime"]
    res = sa.score(sa.read(pca_sample), nlp=nlp)
    m = res.measures.iloc[0]
    assert m["agent_talk_share"] == pytest.approx(share(dur), abs=1e-12)
    assert m["handoffs"] == 0.0
    vendor = sa.read(pca_sample).interactions.iloc[0]
    vendor_share = vendor["aws_talk_time_agent_s"] / (
        vendor["aws_talk_time_agent_s"] + vendor["aws_talk_time_customer_s"])
    assert abs(m["agent_talk_share"] - vendor_share) < 0.03


def test_real_pca_sample_roles_can_be_swapped(pca_sample: Path) -> None:
    # The sample's channels look swapped (spk_1 says "Thank you for calling ...").
    conv = sa.read(pca_sample, roles={"agent": "customer", "customer": "agent"})
    t = conv.turns
    assert t.loc[1, "text"] == "Thank you for calling Networks abc technical Support."
    assert t.loc[1, "role"] == "agent" and t.loc[0, "role"] == "customer"


# ------------------------------------------------------------------ Transcribe Call Analytics


def test_transcribe_call() -> None:
    conv = sa.read(TRANSCRIBE)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty
    assert len(t) == 11
    assert role_counts(t) == {"agent": 6, "customer": 5}
    assert t.iloc[0]["text"].startswith("Thank you for calling Northwind Energy")
    assert (t.iloc[0]["start_s"], t.iloc[0]["end_s"]) == (0.42, 4.98)
    assert t.iloc[-1]["text"] == "Thanks for calling Northwind, have a great day."
    assert (t.iloc[-1]["start_s"], t.iloc[-1]["end_s"]) == (40.5, 43.26)
    assert t["record"].iloc[3] == "Transcript[3]"
    assert t["source"].unique().tolist() == [str(TRANSCRIBE)]
    assert t["speaker"].isna().all() and t["timestamp"].isna().all()
    assert row["interaction_id"] == "support-call-0007" == row["case_id"] == row["aws_job_name"]
    assert row["channel"] == "call" and pd.isna(row["started_at"])
    assert row["aws_account_id"] == "111122223333"
    assert row["aws_categories"] == "positive-resolution,billing"
    assert row["aws_duration_s"] == 43.26
    assert (row["aws_talk_time_s"], row["aws_talk_time_agent_s"],
            row["aws_talk_time_customer_s"]) == (37.39, 26.41, 10.98)
    assert (row["aws_non_talk_time_s"], row["aws_interruptions"],
            row["aws_interruption_time_s"]) == (0.0, 1.0, 0.38)
    assert (row["aws_sentiment_agent"], row["aws_sentiment_customer"]) == (2.8, 1.4)


def test_transcribe_end_to_end_talk_share(nlp) -> None:
    doc = load(TRANSCRIBE)
    dur = {"agent": 0.0, "customer": 0.0}
    for item in doc["Transcript"]:
        dur[item["ParticipantRole"].lower()] += (
            item["EndOffsetMillis"] - item["BeginOffsetMillis"]) / 1000
    res = sa.score(sa.read(TRANSCRIBE), nlp=nlp)
    m = res.measures.iloc[0]
    assert m["agent_talk_share"] == pytest.approx(share(dur), abs=1e-12)
    assert m["interruptions_by_customer"] == 1.0  # the vendor counted 1 as well
    talk = doc["ConversationCharacteristics"]["TalkTime"]["DetailsByParticipant"]
    vendor = talk["AGENT"]["TotalTimeMillis"] / (
        talk["AGENT"]["TotalTimeMillis"] + talk["CUSTOMER"]["TotalTimeMillis"])
    assert abs(m["agent_talk_share"] - vendor) < 0.02
    assert res.run_info["counts"]["scored"] == 1


def test_transcribe_started_at_option() -> None:
    conv = sa.read(TRANSCRIBE, started_at="2024-02-01T10:00:00")
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-02-01 10:00", tz="UTC")
    conv = sa.read(TRANSCRIBE, started_at={"support-call-0007": "2024-02-01T10:00:00+01:00"})
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-02-01 09:00", tz="UTC")
    conv = sa.read(TRANSCRIBE, started_at={"another-call": "2024-02-01T10:00:00Z"})
    assert pd.isna(conv.interactions.loc[0, "started_at"])
    with pytest.raises(sa.ConfigError, match="started_at"):
        sa.read(TRANSCRIBE, started_at="the day before yesterday")


def test_roles_option(tmp_path: Path) -> None:
    conv = sa.read(TRANSCRIBE, roles={"agent": "customer", "customer": "agent"})
    assert role_counts(conv.turns) == {"customer": 6, "agent": 5}
    doc = load(TRANSCRIBE)
    doc["Transcript"][0]["ParticipantRole"] = "SUPERVISOR"
    f = write(tmp_path / "supervisor.json", doc)
    assert sa.read(f).turns.loc[0, "role"] == "agent"
    assert sa.read(f, roles={"Supervisor": "system"}).turns.loc[0, "role"] == "system"
    with pytest.raises(sa.ConfigError, match="roles="):
        sa.read(TRANSCRIBE, roles=["agent"])


def test_id_falls_back_to_the_file_stem(tmp_path: Path) -> None:
    doc = load(TRANSCRIBE)
    del doc["JobName"]
    conv = sa.read(write(tmp_path / "call-42.json", doc), format="transcribe")
    assert conv.interactions.loc[0, "interaction_id"] == "call-42"
    assert conv.turns["interaction_id"].unique().tolist() == ["call-42"]


# ------------------------------------------------------------------ Contact Lens


def test_contact_lens_voice_transfer(nlp) -> None:
    doc = load(CL_VOICE)
    conv = sa.read(CL_VOICE)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty and len(t) == 9
    a1, a2 = (p["ParticipantId"] for p in doc["Participants"] if p["ParticipantRole"] == "AGENT")
    cust = doc["Participants"][0]["ParticipantId"]
    assert t.loc[t["role"] == "agent", "speaker"].unique().tolist() == [a1, a2]
    assert t.loc[t["role"] == "customer", "speaker"].unique().tolist() == [cust]
    assert row["interaction_id"] == doc["CustomerMetadata"]["ContactId"] == row["case_id"]
    assert row["aws_contact_id"] == row["interaction_id"]
    assert row["aws_instance_id"] == doc["CustomerMetadata"]["InstanceId"]
    assert (row["channel"], row["agent_id"], row["customer_id"]) == ("call", a1, cust)
    assert row["aws_categories"] == "billing-dispute,transfer"
    assert (row["aws_talk_time_agent_s"], row["aws_non_talk_time_s"]) == (25.12, 26.64)

    roles = {p["ParticipantId"]: p["ParticipantRole"].lower() for p in doc["Participants"]}
    dur = {"agent": 0.0, "customer": 0.0}
    for item in doc["Transcript"]:
        dur[roles[item["ParticipantId"]]] += (
            item["EndOffsetMillis"] - item["BeginOffsetMillis"]) / 1000
    m = sa.score(conv, nlp=nlp).measures.iloc[0]
    assert m["handoffs"] == 1.0
    assert m["agent_talk_share"] == pytest.approx(share(dur), abs=1e-12)


def test_contact_lens_case_id_from_contact_chain(tmp_path: Path) -> None:
    doc = load(CL_VOICE)
    doc["CustomerMetadata"]["PreviousContactId"] = "prev-contact"
    conv = sa.read(write(tmp_path / "a.json", doc))
    assert conv.interactions.loc[0, "case_id"] == "prev-contact"
    doc["CustomerMetadata"]["InitialContactId"] = "first-contact"
    conv = sa.read(write(tmp_path / "b.json", doc))
    assert conv.interactions.loc[0, "case_id"] == "first-contact"


def test_contact_lens_redacted_ids_are_roles(tmp_path: Path) -> None:
    # The published redacted example uses "AGENT"/"CUSTOMER" as ParticipantIds in items.
    doc = load(CL_VOICE)
    for item in doc["Transcript"]:
        item["ParticipantId"] = "CUSTOMER" if "dispute" in item["Content"] else "AGENT"
    conv = sa.read(write(tmp_path / "redacted.json", doc))
    assert conv.rejects.empty
    assert conv.turns["role"].tolist()[:2] == ["agent", "customer"]


def test_contact_lens_chat(nlp) -> None:
    doc = load(CL_CHAT)
    conv = sa.read(CL_CHAT)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty
    messages = [i for i in doc["Transcript"] if i["Type"] == "MESSAGE"]
    assert len(t) == len(messages) == 9  # join/leave/typing/ended events are skipped
    assert role_counts(t) == {"customer": 4, "agent": 3, "system": 2}
    assert t["text"].tolist() == [i["Content"] for i in messages]
    assert t["record"].tolist() == [f"Transcript[{doc['Transcript'].index(i)}]"
                                    for i in messages]
    assert t["timestamp"].tolist() == [pd.Timestamp(i["AbsoluteTime"]) for i in messages]
    assert str(t["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert t["start_s"].isna().all() and t["end_s"].isna().all()
    assert row["channel"] == "chat"
    assert row["started_at"] == pd.Timestamp("2024-03-12T14:02:10.118Z")
    assert row["interaction_id"] == "b49644f6-672f-445c-b209-f76b36482830"
    assert row["agent_id"] == "f36a545d-67b2-4fd4-89fb-896136b609a7"
    assert row["aws_agent_greeting_time_s"] == 2.631
    assert (row["aws_sentiment_agent"], row["aws_sentiment_customer"]) == (2.5, 1.25)
    assert row["aws_categories"] == "damaged-item"

    words = {"agent": 0.0, "customer": 0.0}
    for i in messages:
        if i["ParticipantRole"] in ("AGENT", "CUSTOMER"):
            words[i["ParticipantRole"].lower()] += len(i["Content"].split())
    m = sa.score(conv, nlp=nlp).measures.iloc[0]
    assert m["agent_talk_share"] == pytest.approx(share(words), abs=1e-12)
    assert m["handoffs"] == 0.0


def test_chat_without_channel_and_with_offsets(tmp_path: Path) -> None:
    doc = load(CL_CHAT)
    del doc["Channel"]
    conv = sa.read(write(tmp_path / "chat.json", doc), format="contact_lens")
    assert conv.interactions.loc[0, "channel"] == "chat"
    doc = load(CL_CHAT)
    for n, item in enumerate(doc["Transcript"]):
        item["BeginOffsetMillis"] = 1000 * n
    conv = sa.read(write(tmp_path / "chat2.json", doc))
    assert conv.turns["start_s"].tolist()[:2] == [1.0, 2.0]
    assert conv.turns["end_s"].isna().all()


# ------------------------------------------------------------------ PCA fixture


def test_pca_fixture() -> None:
    conv = sa.read(PCA)
    t, row = conv.turns, conv.interactions.iloc[0]
    assert conv.rejects.empty and len(t) == 7
    assert t["role"].tolist() == ["system", "agent", "customer", "agent", "customer", "agent",
                                  "customer"]
    assert pd.isna(t["speaker"].iloc[0])  # the IVR has no speaker id
    assert t["speaker"].iloc[1:].tolist() == ["AnaR", "C-1042"] * 3
    assert row["interaction_id"] == "7f3c2a1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
    assert (row["agent_id"], row["customer_id"]) == ("AnaR", "C-1042")
    # 09:15 wall time in New York (EDT, UTC-4)
    assert row["started_at"] == pd.Timestamp("2024-05-07 13:15", tz="UTC")
    assert row["aws_job_name"] == "claims_GUID_7f3c2a1e.wav"
    assert row["aws_talk_time_s"] == pytest.approx(21.38)


def test_pca_bad_segments(tmp_path: Path) -> None:
    doc = load(PCA)
    segs = doc["ConversationAnalytics"], doc["SpeechSegments"]
    del segs[1][1]["SegmentSpeaker"]
    segs[1][2]["SegmentSpeaker"] = "spk_2"
    del segs[1][3]["DisplayText"]  # OriginalText is used instead
    segs[1][4]["SegmentEndTime"] = "soon"
    segs[1][5] = "not a segment"
    conv = sa.read(write(tmp_path / "pca.json", doc))
    assert reject_keys(conv) == {
        ("SpeechSegments[1]", "SegmentSpeaker", "missing_field"),
        ("SpeechSegments[2]", "role", "unknown_role"),
        ("SpeechSegments[4]", "SegmentEndTime", "bad_number"),
        ("SpeechSegments[5]", None, "malformed_record"),
    }
    assert "'spk_2'" in conv.rejects.set_index("record").loc["SpeechSegments[2]", "reason"]
    assert conv.turns["text"].iloc[1].startswith("I'm sorry for the wait.")
    conv = sa.read(tmp_path / "pca.json", roles={"spk_2": "customer"})
    assert "SpeechSegments[2]" not in set(conv.rejects["record"])


def test_pca_time_zones(tmp_path: Path) -> None:
    doc = load(PCA)
    ca = doc["ConversationAnalytics"]
    ca["ConversationLocation"] = "Not/AZone"
    conv = sa.read(write(tmp_path / "a.json", doc))
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-05-07 09:15", tz="UTC")
    ca["ConversationTime"] = "2024-05-07T09:15:00+02:00"
    conv = sa.read(write(tmp_path / "b.json", doc))
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-05-07 07:15", tz="UTC")
    ca["ConversationTime"] = "whenever"
    conv = sa.read(write(tmp_path / "c.json", doc), started_at="2024-05-07T08:00:00Z")
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-05-07 08:00", tz="UTC")


# ------------------------------------------------------------------ malformed fixtures


def test_truncated_json_names_the_file() -> None:
    f = BAD / "transcribe_truncated.json"
    with pytest.raises(sa.FormatError, match="truncated") as info:
        sa.read(f)
    assert info.value.source == str(f) and str(f) in str(info.value)


def test_missing_content() -> None:
    conv = sa.read(BAD / "transcribe_missing_content.json")
    assert reject_keys(conv) == {("Transcript[3]", "Content", "missing_field")}
    assert conv.rejects.loc[0, "interaction_id"] == "support-call-0008"
    assert len(conv.turns) == 10 and len(conv) == 1


def test_negative_reversed_and_non_numeric_offsets() -> None:
    conv = sa.read(BAD / "transcribe_bad_offsets.json")
    assert reject_keys(conv) == {
        ("Transcript[1]", "start_s", "negative_time"),
        ("Transcript[4]", "end_s", "end_before_start"),
        ("Transcript[6]", "EndOffsetMillis", "bad_number"),
    }
    reasons = conv.rejects.set_index("record")["reason"]
    assert reasons["Transcript[4]"] == "end_s 17.4 is before start_s 24.73"
    assert "'33.88s'" in reasons["Transcript[6]"]
    assert len(conv.turns) == 8


def test_unknown_role_and_participant() -> None:
    conv = sa.read(BAD / "contact_lens_unknown_role.json")
    assert reject_keys(conv) == {
        ("Transcript[4]", "role", "unknown_role"),
        ("Transcript[7]", "ParticipantId", "unknown_participant"),
    }
    reasons = conv.rejects.set_index("record")["reason"]
    assert "'THIRD_PARTY'" in reasons["Transcript[4]"]
    assert "'ghost-participant'" in reasons["Transcript[7]"]
    assert len(conv.turns) == 9
    fixed = sa.read(BAD / "contact_lens_unknown_role.json", roles={"third_party": "system"})
    assert reject_keys(fixed) == {("Transcript[7]", "ParticipantId", "unknown_participant")}


def test_empty_transcript() -> None:
    f = BAD / "transcribe_empty_transcript.json"
    conv = sa.read(f)
    assert len(conv) == 0 and conv.turns.empty
    assert conv.rejects[["source", "record", "interaction_id", "field", "code"]].values.tolist() \
        == [[str(f), "Transcript", "support-call-0010", "Transcript", "no_turns"]]
    assert conv.counts["interactions_in"] == 1 and conv.counts["interactions_rejected"] == 1


def test_all_items_rejected_gives_no_turns(tmp_path: Path) -> None:
    doc = load(TRANSCRIBE)
    doc["Transcript"] = [{"Content": "hi"}, 7]
    conv = sa.read(write(tmp_path / "x.json", doc))
    assert reject_keys(conv) == {
        ("Transcript[0]", "ParticipantRole", "missing_field"),
        ("Transcript[1]", None, "malformed_record"),
        ("Transcript", "Transcript", "no_turns"),
    }
    assert "none of the 2 items" in conv.rejects.set_index("code").loc["no_turns", "reason"]


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["Transcript"][2].update(Content=42), ("Transcript[2]", "Content", "bad_value")),
    (lambda d: d["Transcript"][2].update(Content="  "), ("Transcript[2]", "text", "empty_text")),
    (lambda d: d["Transcript"][2].pop("EndOffsetMillis"),
     ("Transcript[2]", "EndOffsetMillis", "missing_field")),
    (lambda d: d["Transcript"][2].update(BeginOffsetMillis=True),
     ("Transcript[2]", "BeginOffsetMillis", "bad_number")),
    (lambda d: d["Transcript"][2].update(BeginOffsetMillis="NaN"),
     ("Transcript[2]", "BeginOffsetMillis", "bad_number")),
    (lambda d: d["Transcript"][2].update(ParticipantRole="MANAGER"),
     ("Transcript[2]", "role", "unknown_role")),
    (lambda d: d.update(Channel="TASK"), ("interaction support-call-0007", "channel",
                                          "unknown_channel")),
])
def test_bad_records(tmp_path: Path, mutate, expected) -> None:
    doc = copy.deepcopy(load(TRANSCRIBE))
    mutate(doc)
    conv = sa.read(write(tmp_path / "call.json", doc), format="transcribe")
    assert reject_keys(conv) == {expected}


def test_bad_chat_time(tmp_path: Path) -> None:
    doc = load(CL_CHAT)
    doc["Transcript"][4]["AbsoluteTime"] = "yesterday"
    doc["Transcript"][0]["AbsoluteTime"] = 12  # an event: skipped, not rejected
    conv = sa.read(write(tmp_path / "chat.json", doc))
    assert reject_keys(conv) == {("Transcript[4]", "AbsoluteTime", "bad_timestamp")}
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp("2024-03-12T14:02:11.402Z")


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("[1, 2]", "expected a JSON object at the top, found a list"),
    ('{"JobStatus": "FAILED", "JobName": "x"}', r"no 'Transcript'.*JobStatus FAILED"),
    ('{"Transcript": {"a": 1}}', "'Transcript' is a dict, not a list"),
    ('{"JobStatus": "COMPLETED", "Transcript": [', "looks truncated"),
])
def test_unusable_files_raise_format_error(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "broken.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(sa.FormatError, match=message) as info:
        sa.read(f, format="transcribe")
    assert info.value.source == str(f)


def test_pca_reader_refuses_other_layouts(tmp_path: Path) -> None:
    with pytest.raises(sa.FormatError, match="not a Post-Call Analytics file"):
        sa.read(TRANSCRIBE, format="pca")


# ------------------------------------------------------------------ several files


def test_read_several_files_together(pca_sample: Path, nlp) -> None:
    files = [TRANSCRIBE, CL_VOICE, CL_CHAT, PCA, pca_sample,
             BAD / "transcribe_missing_content.json"]
    conv = sa.read(files)
    assert len(conv) == 6
    assert conv.counts["interactions_in"] == 6
    assert set(conv.interactions["channel"]) == {"call", "chat"}
    meta = serviceart.readers.aws.META_COLUMNS
    assert [c for c in conv.interactions.columns if c in meta] == list(meta)
    assert reject_keys(conv) == {("Transcript[3]", "Content", "missing_field")}
    res = sa.score(conv, nlp=nlp)
    assert res.run_info["counts"]["scored"] == 6
    handoffs = res.measures.set_index("interaction_id")["handoffs"]
    assert handoffs[load(CL_VOICE)["CustomerMetadata"]["ContactId"]] == 1.0


# ------------------------------------------------------------------ robustness

_KEYS = [
    "Transcript", "Participants", "ParticipantId", "ParticipantRole", "BeginOffsetMillis",
    "EndOffsetMillis", "Content", "Id", "AbsoluteTime", "Type", "ContentType", "Channel",
    "JobName", "JobStatus", "CustomerMetadata", "ContactId", "InitialContactId",
    "ConversationCharacteristics", "TalkTime", "DetailsByParticipant", "AGENT", "CUSTOMER",
    "TotalTimeMillis", "Categories", "MatchedCategories", "Sentiment", "OverallSentiment",
    "ConversationAnalytics", "SpeechSegments", "SegmentStartTime", "SegmentEndTime",
    "SegmentSpeaker", "SpeakerLabels", "Speaker", "DisplayText", "OriginalText", "UserId",
    "IVRSegment", "SegmentInterruption", "GUID", "Agent", "Cust", "ConversationTime",
    "ProcessTime", "ConversationLocation", "SpeakerTime", "TotalTimeSecs", "Duration",
    "SentimentTrends", "SentimentScore", "CategoriesDetected", "Name", "SourceInformation",
    "TranscribeJobInfo", "TranscriptionJobName", "NonTalkTime",
]
_WORDS = ["AGENT", "CUSTOMER", "SYSTEM", "IVR", "SUPERVISOR", "VOICE", "CHAT", "MESSAGE",
          "EVENT", "text/plain", "None", "spk_0", "spk_1", "Agent", "Customer",
          "2024-03-12T14:02:10Z", "2024-05-07 09:15:00", "America/New_York", "Not/AZone",
          "-5", "1e400", "", " ", "NaN", "0001-01-01T00:00:00", "99999-01-01"]
_scalars = (st.none() | st.booleans() | st.integers(-(10**25), 10**25)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
            | st.sampled_from(_WORDS))
_json = st.recursive(
    _scalars,
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), kids, max_size=6),
    max_leaves=30)
_item = st.dictionaries(st.sampled_from(_KEYS), _scalars | _json, max_size=8)
_doc = (
    _json
    | st.fixed_dictionaries({"Transcript": st.lists(_item | _json, max_size=5)},
                            optional={k: _json for k in ("Participants", "Channel",
                                                         "CustomerMetadata",
                                                         "ConversationCharacteristics")})
    | st.fixed_dictionaries({"ConversationAnalytics": st.dictionaries(
        st.sampled_from(_KEYS), _json, max_size=8), "SpeechSegments": st.lists(
            _item | _json, max_size=5)})
)


def _read_only_raises_serviceart_errors(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "export.json"
        f.write_bytes(content)
        for name in (*READER_NAMES, None):
            with contextlib.suppress(sa.ServiceartError):
                sa.read(f, format=name)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc)
def test_random_json_never_raises_other_errors(doc: Any) -> None:
    _read_only_raises_serviceart_errors(json.dumps(doc).encode("utf-8"))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_random_bytes_never_raise_other_errors(content: bytes) -> None:
    _read_only_raises_serviceart_errors(content)
