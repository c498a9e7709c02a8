"""The vendors' own voice, chat and caption samples (``../shared/data/vendor_samples``).

Every file of the ``contact_lens``, ``transcribe``, ``insights``, ``pca``, ``genesys``,
``vtt`` and ``srt`` folders either reads with the roles, speakers and times the file
gives (three turns per file are compared with the raw values, read here with the
standard library), or is refused with a reason naming the position of the fault.
The folders' ``SOURCES.md`` say where each file comes from.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import serviceart as sa
from serviceart.cases.linking import link_cases
from serviceart.ingest.roles import RoleInferenceWarning

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vendor_samples"
FOLDERS = ("contact_lens", "transcribe", "insights", "pca", "genesys", "vtt", "srt")

pytestmark = pytest.mark.skipif(not SAMPLES.exists(),
                                reason=f"the shared vendor samples {SAMPLES} are not here")

AGENT_CL = "f36a545d-67b2-4fd4-89fb-896136b609a7"
CUSTOMER_CL = "e9b36a6d-12aa-4c21-9745-1881648ecfc8"
SYSTEM_CL = "2b2288b4-ff6e-4996-8d8e-260fd5a8ac02"
AGENT_GENESYS = "e8b5dcdd-cb3c-48af-b2fe-b73089f3e83b"


@dataclass(frozen=True)
class Spot:
    """A turn to compare with the file: its record, role and speaker (None: no speaker)."""

    record: str
    role: str
    speaker: str | None


@dataclass(frozen=True)
class Reads:
    """What a readable file gives."""

    reader: str
    turns: int
    spots: tuple[Spot, ...]
    agent_id: str | None = None
    customer_id: str | None = None
    #: reject codes by record, from the reader or validation
    rejects: dict[str, str] = field(default_factory=dict)
    #: the roles were inferred from speaker names (caption files)
    inferred: bool = False


#: Files refused as a whole, with the position the reason must name.
REFUSED: dict[str, str] = {
    # AWS's published examples: one extra closing brace; // comments and missing commas
    "contact_lens/connect-admin-guide_voice_analyzed.json": "Extra data at line 297 column 1",
    "contact_lens/connect-admin-guide_voice_redacted.json":
        "Expecting ',' delimiter at line 10 column 44",
    # "Items removed for brevity" and "..." elisions
    "transcribe/transcribe-guide_analyze-output.json":
        "Expecting property name enclosed in double quotes at line 34 column 12",
    "transcribe/transcribe-guide_tca-output-batch_compiled.json":
        "Expecting property name enclosed in double quotes at line 14 column 13",
}

READS: dict[str, Reads] = {
    # F1: the participant ids AGENT and CUSTOMER are role slots: no speaker, no ids
    "contact_lens/aws_transcript.json": Reads("contact_lens", 10, (
        Spot("Transcript[0]", "agent", None), Spot("Transcript[3]", "customer", None),
        Spot("Transcript[9]", "customer", None))),
    # chat participant ids are UUIDs of this contact's participants; join/leave events are
    # skipped. Transcript[19] is labelled AGENT in the analyzed file, CUSTOMER in its twin
    "contact_lens/connect-admin-guide_chat_analyzed.json": Reads("contact_lens", 31, (
        Spot("Transcript[1]", "system", SYSTEM_CL), Spot("Transcript[5]", "agent", AGENT_CL),
        Spot("Transcript[19]", "agent", AGENT_CL)), AGENT_CL, CUSTOMER_CL),
    "contact_lens/connect-admin-guide_chat_redacted.json": Reads("contact_lens", 31, (
        Spot("Transcript[6]", "customer", CUSTOMER_CL), Spot("Transcript[19]", "customer",
                                                             CUSTOMER_CL),
        Spot("Transcript[32]", "agent", AGENT_CL)), AGENT_CL, CUSTOMER_CL),
    "transcribe/transcribe-guide_analyze-output.repaired.json": Reads("transcribe", 3, (
        Spot("Transcript[0]", "customer", None), Spot("Transcript[1]", "agent", None),
        Spot("Transcript[2]", "customer", None))),
    # F2: user_id 1 and 2 are role slots (either way round): no speaker, no ids
    "insights/aws_output.json": Reads("insights", 10, (
        Spot("entries[0]", "agent", None), Spot("entries[1]", "customer", None),
        Spot("entries[9]", "customer", None))),
    "insights/ccai-generate-call-logs_chat_0.json": Reads("insights", 14, (
        Spot("entries[0]", "agent", None), Spot("entries[1]", "customer", None),
        Spot("entries[13]", "customer", None))),
    "insights/ccai-insights-sample-data_README_example.json": Reads("insights", 14, (
        Spot("entries[0]", "agent", None), Spot("entries[3]", "customer", None),
        Spot("entries[12]", "agent", None))),
    "insights/genesys_output.json": Reads("insights", 4, (
        Spot("entries[0]", "customer", None), Spot("entries[2]", "agent", None),
        Spot("entries[3]", "customer", None))),
    # F3: no start_timestamp_usec at all: read, with unknown times
    "insights/sample_conversation.json": Reads("insights", 10, (
        Spot("entries[0]", "agent", None), Spot("entries[1]", "customer", None),
        Spot("entries[9]", "customer", None))),
    # the labels as the file gives them (spk_0 "Agent"), although spk_1 opens the call
    "pca/testfile.json": Reads("pca", 12, (
        Spot("SpeechSegments[0]", "agent", None), Spot("SpeechSegments[1]", "customer", None),
        Spot("SpeechSegments[11]", "customer", None))),
    "genesys/genesys_transcript.json": Reads("genesys", 4, (
        Spot("transcripts[0].phrases[0]", "customer", None),
        Spot("transcripts[0].phrases[2]", "agent", AGENT_GENESYS),
        Spot("transcripts[0].phrases[3]", "customer", None)), AGENT_GENESYS),
    # F4: Zoom's closed captions have no speakers: every cue is rejected (see below)
    "vtt/GMT20240124-202901_Recording.cc.vtt": Reads("vtt", 0, ()),
    # Zoom transcripts: "Name: text" cues; the one cue without a name is rejected
    "vtt/GMT20240124-202901_Recording.transcript.vtt": Reads("vtt", 61, (
        Spot("cue 1", "", "Srijani Ghosh"), Spot("cue 2", "", "Conor Healy"),
        Spot("cues 5-6", "", "Conor Healy")), rejects={"cue 48": "unknown_role"},
        inferred=True),
    "vtt/meeting001_transcript.vtt": Reads("vtt", 182, (
        Spot("cue 1", "", "Andrew Knight"), Spot("cue 5", "", "Paul McCartney"),
        Spot("cue 6", "", "George Harrison")), rejects={"cue 34": "unknown_role"},
        inferred=True),
    "vtt/deepgram-captions_dg_speakers.vtt": Reads("vtt", 22, (
        Spot("cue 1", "", "Speaker 0"), Spot("cues 8-11", "", "Speaker 1"),
        Spot("cues 32-35", "", "Speaker 2")), inferred=True),
    # F5: Teams' <v User Name> is a speaker named "User Name", not a customer "Name"
    "vtt/graph-calltranscript-get_example2_content.vtt": Reads("vtt", 1, (
        Spot("cue 1", "", "User Name"),), inferred=True),
    # Teams' metadataContent: the cue text is JSON with speakerName and spokenText
    "vtt/graph-calltranscript-get_example4_metadataContent.vtt": Reads("vtt", 1, (
        Spot("cue 1", "", "User Name"),), inferred=True),
    # F4: Deepgram's SRT writes "[speaker N]" where the speaker changes
    "srt/deepgram-captions_dg_speakers.srt": Reads("srt", 22, (
        Spot("cue 1", "", "speaker 0"), Spot("cues 8-11", "", "speaker 1"),
        Spot("cues 32-35", "", "speaker 2")), inferred=True),
}


def sample_files() -> list[str]:
    """The sample files of the voice, chat and caption folders, relative to SAMPLES."""
    if not SAMPLES.exists():
        return []
    return sorted(str(p.relative_to(SAMPLES)) for folder in FOLDERS
                  for p in (SAMPLES / folder).iterdir() if p.name != "SOURCES.md")


def read(name: str) -> sa.Conversations:
    """The file read alone, with role-inference warnings recorded, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RoleInferenceWarning)
        return sa.read(SAMPLES / name)


# ---------------------------------------------------------------- raw values of the files


def _item(doc: Any, record: str) -> Any:
    """The JSON item a record path such as ``transcripts[0].phrases[2]`` names."""
    for key, index in re.findall(r"(\w+)\[(\d+)\]", record):
        doc = doc[key][int(index)]
    return doc


def raw_json(name: str, record: str) -> tuple[str, float, float, pd.Timestamp | None]:
    """(text, start_s, end_s, timestamp) of a JSON turn, straight from the file."""
    doc = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    item = _item(doc, record)
    folder = name.split("/")[0]
    nan = math.nan
    if folder in ("contact_lens", "transcribe"):
        stamp = item.get("AbsoluteTime")
        return (item["Content"], item.get("BeginOffsetMillis", nan * 1000) / 1000,
                item.get("EndOffsetMillis", nan * 1000) / 1000,
                pd.Timestamp(stamp) if stamp else None)
    if folder == "insights":
        usec = item.get("start_timestamp_usec")
        return (item["text"], nan, nan,
                None if usec is None else pd.Timestamp(usec, unit="us", tz="UTC"))
    if folder == "pca":
        return item["DisplayText"], item["SegmentStartTime"], item["SegmentEndTime"], None
    assert folder == "genesys", folder
    start = (item["startTimeMs"] - doc["conversationStartTime"]) / 1000
    return (item["text"], start, start + item["duration"]["milliseconds"] / 1000,
            pd.Timestamp(item["startTimeMs"], unit="ms", tz="UTC"))


_LABELS = (re.compile(r"<v ([^>]+)>(.*?)(?:</v>)?"), re.compile(r"\[(speaker \d+)\] (.*)"),
           re.compile(r"([^:<>]{1,40}): (.*)"))
_TIMING = re.compile(r"([\d:.,]+)\s*-->\s*([\d:.,]+)")


def _seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return total


def raw_cues(name: str) -> list[tuple[float, float, str | None, str]]:
    """(start, end, speaker label or None, text) of each cue of a caption file, in order."""
    text = (SAMPLES / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    cues = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        at = next((k for k, line in enumerate(lines) if "-->" in line), None)
        if at is None:
            continue
        start, end = (_seconds(s) for s in _TIMING.search(lines[at]).groups())  # type: ignore[union-attr]
        body = " ".join(line.strip() for line in lines[at + 1:])
        label = None
        if body.startswith("{"):
            entry = json.loads(body)
            label, body = entry["speakerName"], entry["spokenText"]
        else:  # a voice, a [speaker N] marker or a "Name:" prefix
            for pattern in _LABELS:
                if m := pattern.fullmatch(body):
                    label, body = m.groups()
                    break
        cues.append((start, end, label, " ".join(body.split())))
    return cues


def raw_caption(name: str, record: str) -> tuple[str, float, float, set[str | None]]:
    """(text, start_s, end_s, labels) of a caption turn ``cue N`` or ``cues N-M``."""
    first, _, last = record.split(" ", 1)[1].partition("-")
    cues = raw_cues(name)[int(first) - 1: int(last or first)]
    return (" ".join(c[3] for c in cues), cues[0][0], cues[-1][1], {c[2] for c in cues})


# ---------------------------------------------------------------- the tests


def test_every_file_is_covered() -> None:
    assert sample_files(), "no vendor sample files found"
    assert sorted([*REFUSED, *READS]) == sample_files()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_invalid_json_is_refused_naming_the_position(name: str) -> None:
    assert sa.sniff(SAMPLES / name) == name.split("/")[0]
    with pytest.raises(sa.FormatError, match=re.escape(REFUSED[name])) as err:
        sa.read(SAMPLES / name)
    assert str(SAMPLES / name) in str(err.value)


def test_invalid_json_in_a_folder_is_a_reject_naming_the_position() -> None:
    names = sorted(n for n in READS if n.startswith("contact_lens/")) + sorted(
        n for n in REFUSED if n.startswith("contact_lens/"))
    conv = sa.read([SAMPLES / n for n in names])
    bad = conv.rejects[conv.rejects["code"] == "file_unreadable"]
    assert sorted(bad["source"]) == [str(SAMPLES / n) for n in sorted(REFUSED)
                                     if n.startswith("contact_lens/")]
    for source, reason in zip(bad["source"], bad["reason"], strict=True):
        assert REFUSED[str(Path(source).relative_to(SAMPLES))] in reason


@pytest.mark.parametrize("name", sorted(READS))
def test_reads_with_the_files_roles_speakers_and_times(name: str) -> None:
    want = READS[name]
    assert sa.sniff(SAMPLES / name) == want.reader
    conv = read(name)
    assert len(conv.turns) == want.turns
    rejects = conv.rejects
    if name.endswith(".cc.vtt"):
        return  # checked in test_captions_without_speakers_are_rejected
    assert dict(zip(rejects["record"], rejects["code"], strict=True)) == want.rejects
    row = conv.interactions.iloc[0]
    assert len(conv.interactions) == 1
    if not want.inferred:  # inferred agents: test_caption_roles_are_inferred_from_names...
        ids = [None if pd.isna(row[c]) else row[c] for c in ("agent_id", "customer_id")]
        assert ids == [want.agent_id, want.customer_id]
    by_record = conv.turns.set_index("record")
    for spot in want.spots:
        turn = by_record.loc[spot.record]
        assert isinstance(turn, pd.Series), f"{spot.record} is not one turn"
        speaker = None if pd.isna(turn["speaker"]) else turn["speaker"]
        assert speaker == spot.speaker, spot
        if want.inferred:
            assert turn["role"] in ("agent", "customer")
            text, start, end, labels = raw_caption(name, spot.record)
            assert labels <= {spot.speaker, None}, labels  # one speaker's cues, merged
            stamp = None
        else:
            assert turn["role"] == spot.role, spot
            text, start, end, stamp = raw_json(name, spot.record)
        assert turn["text"] == text
        assert turn["start_s"] == pytest.approx(start, nan_ok=True)
        assert turn["end_s"] == pytest.approx(end, nan_ok=True)
        assert (pd.isna(turn["timestamp"]) if stamp is None else turn["timestamp"] == stamp)


@pytest.mark.parametrize("name", sorted(n for n, r in READS.items() if r.inferred))
def test_caption_roles_are_inferred_from_names_and_marked(name: str) -> None:
    """Speakers of caption files are names, never role words taken from inside a name;
    their roles are inferred, marked as such, one agent per call."""
    conv = read(name)
    row = conv.interactions.iloc[0]
    assert bool(row["roles_inferred"]) and row["role_basis"] == "text"
    assert row["role_confidence"] in ("high", "low")
    agents = conv.turns.loc[conv.turns["role"] == "agent", "speaker"].unique().tolist()
    assert agents == [row["agent_id"]]


def test_captions_without_speakers_are_rejected() -> None:
    """F4: Zoom's .cc.vtt has no speaker labels: each cue is rejected with its line, and
    the call is counted as rejected, not read as one confident agent."""
    name = "vtt/GMT20240124-202901_Recording.cc.vtt"
    conv = read(name)
    cues = raw_cues(name)
    assert conv.turns.empty and conv.interactions.empty
    by_cue, whole = conv.rejects.iloc[:-1], conv.rejects.iloc[-1]
    assert by_cue["code"].eq("unknown_role").all()
    assert by_cue["record"].tolist() == [f"cue {n}" for n in range(1, len(cues) + 1)]
    assert by_cue["reason"].str.contains("the cue has no speaker").all()
    assert (whole["code"], whole["interaction_id"]) == ("no_turns", Path(name).stem)
    assert conv.counts["interactions_rejected"] == 1
    kept = sa.read(SAMPLES / name, roles={"unknown": "customer"}, merge_gap_s=None)
    assert len(kept.turns) == len(cues) and kept.turns["role"].eq("customer").all()
    assert kept.turns["speaker"].isna().all()


def test_deepgram_srt_and_vtt_read_alike() -> None:
    """The vendor's two renderings of one response give the same turns: the SRT's
    "[speaker N]" change markers hold like the VTT's voices, and leave the text."""
    vtt = read("vtt/deepgram-captions_dg_speakers.vtt").turns
    srt = read("srt/deepgram-captions_dg_speakers.srt").turns
    cols = ["record", "role", "text", "start_s", "end_s"]
    pd.testing.assert_frame_equal(vtt[cols], srt[cols])
    assert (vtt["speaker"].str.lower() == srt["speaker"]).all()
    assert not srt["text"].str.contains(r"\[speaker", regex=True).any()


def test_the_same_call_as_vtt_and_srt_is_caught_as_a_duplicate() -> None:
    """The two renderings of one Deepgram response share the file stem: read together,
    the second is flagged as a duplicate interaction, not silently merged."""
    names = ["vtt/deepgram-captions_dg_speakers.vtt", "srt/deepgram-captions_dg_speakers.srt"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RoleInferenceWarning)
        conv = sa.read([SAMPLES / n for n in names])
    dup = conv.rejects[conv.rejects["code"] == "duplicate_interaction"]
    assert dup["interaction_id"].tolist() == ["deepgram-captions_dg_speakers"]


@pytest.mark.parametrize("name", ["contact_lens/aws_transcript.json",
                                  "insights/aws_output.json",
                                  "insights/ccai-generate-call-logs_chat_0.json"])
def test_role_slot_ids_do_not_link_calls(name: str, tmp_path: Path) -> None:
    """F1/F2: two calls of different customers, with the same slot ids, a day apart, stay
    two cases (they were one customer's case when the slots were taken as ids)."""
    raw = (SAMPLES / name).read_text(encoding="utf-8")
    paths = [tmp_path / f"call_{n}.json" for n in (1, 2)]
    for p in paths:
        p.write_text(raw, encoding="utf-8")
    conv = sa.read(paths, started_at={"call_1": "2024-03-01T10:00", "call_2": "2024-03-02T10:00"})
    assert conv.interactions["agent_id"].isna().all()
    assert conv.interactions["customer_id"].isna().all()
    linked = link_cases(conv).interactions
    assert linked["case_id"].tolist() == ["call_1", "call_2"]
    assert linked["case_rule"].tolist() == ["single", "single"]


def test_pca_sample_labels_can_be_swapped() -> None:
    """The PCA sample labels spk_0 "Agent", yet spk_1 answers the call ("Thank you for
    calling Networks abc technical Support."). The reader keeps the file's labels; the
    documented ``roles=`` swap puts them right."""
    name = "pca/testfile.json"
    swapped = sa.read(SAMPLES / name, roles={"agent": "customer", "customer": "agent"})
    as_given = read(name)
    assert swapped.turns["role"].tolist() == [
        {"agent": "customer", "customer": "agent"}[r] for r in as_given.turns["role"]]
    opening = swapped.turns.set_index("record").loc["SpeechSegments[1]"]
    assert opening["role"] == "agent"
    assert opening["text"] == raw_json(name, "SpeechSegments[1]")[0]


def test_teams_metadata_content_gives_the_call_start() -> None:
    name = "vtt/graph-calltranscript-get_example4_metadataContent.vtt"
    body = (SAMPLES / name).read_text(encoding="utf-8").strip().splitlines()[-1]
    start, _, _, _ = raw_cues(name)[0]
    conv = read(name)
    want = pd.Timestamp(json.loads(body)["startDateTime"]) - pd.Timedelta(round(start * 1000),
                                                                          unit="ms")
    assert conv.interactions.loc[0, "started_at"] == want
