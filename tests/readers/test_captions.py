"""The caption readers: WebVTT and SubRip calls, speakers, merging, malformed cues."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
import serviceart.readers.captions  # registers the vtt and srt readers
from serviceart.readers.captions import SrtReader, VttReader

FIXTURES = Path(__file__).parent / "fixtures" / "captions"
COLUMNS = ["role", "speaker", "text", "start_s", "end_s", "record"]


def rows(conv: sa.Conversations) -> list[list[object]]:
    """The turns as plain lists, a missing speaker as None."""
    t = conv.turns[COLUMNS].astype(object)
    return t.where(t.notna(), None).values.tolist()


def reject_rows(conv: sa.Conversations) -> list[tuple[str, str | None, str]]:
    r = conv.rejects[["record", "field", "code"]].astype(object)
    return [tuple(x) for x in r.where(r.notna(), None).values.tolist()]


# -- well-formed files ---------------------------------------------------------------------


def test_vtt_call():
    conv = sa.read(FIXTURES / "call.vtt")
    assert conv.rejects.empty
    assert rows(conv) == [
        ["agent", "Dana", "Thank you for calling Acme Broadband, this is Dana. How can I help?",
         0.5, 4.0, "cue 1"],
        ["customer", None, "Hi, my internet keeps dropping & the router lights are blinking. "
         "Every evening since Tuesday.", 4.5, 9.0, "cues 2-3"],
        ["agent", "Dana", "I'm sorry about that. Let me check the line <ACC-123> for you. "
         "It looks stable now.", 10.0, 16.0, "cues 4-5"],
        # no voice, 0.5 s after cue 5: continues Dana, but not merged (gap not < 0.5)
        ["agent", "Dana", "Is the modem restarted?", 16.5, 19.5, "cue 6"],
        ["customer", None, "Yes, I did that twice.", 22.0, 25.0, "cue 7"],
        ["system", None, "Please hold while we transfer your call.", 25.0, 27.0, "cue 8"],
    ]
    inter = conv.interactions.iloc[0]
    assert inter["interaction_id"] == "call" and inter["channel"] == "call"
    assert inter["agent_id"] == "Dana"
    assert conv.turns["source"].eq(str(FIXTURES / "call.vtt")).all()
    assert conv.turns["turn_index"].tolist() == [0, 1, 2, 3, 4, 5]


def test_srt_call():
    conv = sa.read(FIXTURES / "billing.srt")
    assert conv.rejects.empty
    assert rows(conv) == [
        ["agent", None, "Good afternoon, Acme Broadband, you're speaking with Sam.",
         1.0, 3.5, "cue 1"],
        # cue 3 has no prefix: it continues the customer (0.2 s later) and merges
        ["customer", None, "Hi Sam. I was charged twice for my June bill. "
         "The second charge is £45.", 4.0, 10.0, "cues 2-3"],
        ["agent", None, "I'm sorry about that. I'll refund the duplicate charge today.",
         11.0, 15.0, "cue 4"],
        ["customer", None, "Thank you!", 15.0, 16.0, "cue 5"],
        ["agent", "Sam", "You'll see it within 3 business days.", 16.5, 20.0, "cue 6"],
    ]
    assert conv.interactions["interaction_id"].tolist() == ["billing"]
    assert conv.interactions["channel"].tolist() == ["call"]


def test_several_files_one_interaction_each():
    conv = sa.read([FIXTURES / "call.vtt", FIXTURES / "billing.srt"])
    assert conv.interactions["interaction_id"].tolist() == ["call", "billing"]
    assert conv.turns.groupby("interaction_id").size().to_dict() == {"billing": 5, "call": 6}


def test_bom_and_crlf():
    srt = sa.read(FIXTURES / "crlf_bom.srt")
    assert srt.rejects.empty
    assert rows(srt) == [
        ["agent", None, "Bonjour, service client, c'est Léa.", 0.0, 2.0, "cue 1"],
        ["customer", None, "Hello, my café order is missing.", 2.5, 4.0, "cue 2"],
    ]
    vtt = sa.read(FIXTURES / "bom_crlf.vtt")
    assert vtt.rejects.empty
    assert rows(vtt) == [
        ["agent", None, "Hello.", 0.0, 2.0, "cue 1"],
        ["customer", None, "Hi, it's Zoë.", 3.0, 5.0, "cue 2"],
    ]


# -- options -------------------------------------------------------------------------------


def test_merge_gap_option():
    each = sa.read(FIXTURES / "call.vtt", merge_gap_s=None)
    assert each.turns["record"].tolist() == [f"cue {i}" for i in range(1, 9)]
    assert each.turns["end_s"].tolist() == [4.0, 7.0, 9.0, 14.0, 16.0, 19.5, 25.0, 27.0]
    assert each.turns["text"].iloc[1] == (
        "Hi, my internet keeps dropping & the router lights are blinking.")
    wide = sa.read(FIXTURES / "call.vtt", merge_gap_s=0.6)
    assert wide.turns["record"].tolist() == ["cue 1", "cues 2-3", "cues 4-6", "cue 7", "cue 8"]
    assert wide.turns[["start_s", "end_s"]].iloc[2].tolist() == [10.0, 19.5]
    assert wide.turns["text"].iloc[2].endswith("It looks stable now. Is the modem restarted?")


def test_continue_gap_option():
    conv = sa.read(FIXTURES / "call.vtt", continue_gap_s=0.5)
    # cue 6 starts 0.5 s after cue 5: no longer "less than" the gap, so its role is unknown
    assert len(conv.turns) == 5
    assert reject_rows(conv) == [("cue 6", "role", "unknown_role")]
    assert "'unknown'" in conv.rejects["reason"].iloc[0]


def test_interaction_id_option():
    conv = sa.read(FIXTURES / "billing.srt", interaction_id="call-0042")
    assert conv.interactions["interaction_id"].tolist() == ["call-0042"]
    assert conv.turns["interaction_id"].eq("call-0042").all()


def test_bad_options_raise_config_error():
    with pytest.raises(sa.ConfigError, match="merge_gap_s"):
        sa.read(FIXTURES / "call.vtt", merge_gap_s="half a second")
    with pytest.raises(sa.ConfigError, match="merge_gap_s"):
        sa.read(FIXTURES / "call.vtt", merge_gap_s=-1)
    with pytest.raises(sa.ConfigError, match="roles"):
        VttReader(roles=["agent"]).load(FIXTURES / "call.vtt")


# -- speakers and roles ----------------------------------------------------------------------


def test_unmapped_speakers_are_rejected_by_name():
    conv = sa.read(FIXTURES / "speakers.vtt")
    assert rows(conv) == [
        ["agent", None, "You're through to Acme, Priya speaking.", 0.0, 2.0, "cue 1"],
        ["customer", None, "Hi Priya, it's about my refund.", 2.5, 5.0, "cue 2"],
    ]
    # the reader rejects the cue without a speaker (cue 7); validation rejects the names
    assert reject_rows(conv) == [("cue 7", "role", "unknown_role"),
                                 ("cue 3", "role", "unknown_role"),
                                 ("cue 4", "role", "unknown_role"),
                                 ("cue 5", "role", "unknown_role"),
                                 ("cue 5", "role", "unknown_role"),
                                 ("cue 6", "role", "unknown_role")]
    reasons = conv.rejects["reason"].tolist()
    named = [r.split(" is not")[0] for r in reasons[1:]]
    assert named == ["role 'Priya'", "role 'Mr. Okafor'", "role 'Priya'", "role 'Mr. Okafor'",
                     "role 'Speaker 3'"]
    assert reasons[0] == (
        "line 28: the cue has no speaker (no '<v Name>' voice, 'Name:' prefix or "
        "'[speaker N]' line) and it does not follow a speaker's cue within continue_gap_s "
        "(1 s), so its role is 'unknown'; pass roles={'unknown': 'customer'} (or another "
        "role) to keep such cues")


def test_roles_option_maps_names_case_insensitively():
    conv = sa.read(FIXTURES / "speakers.vtt", roles={"PRIYA": "agent", "mr. okafor": "customer"})
    assert rows(conv)[2:] == [
        ["agent", "Priya", "Sure, can I take the order number?", 5.2, 7.0, "cue 3"],
        ["customer", "Mr. Okafor", "It's 7741.", 7.5, 9.0, "cue 4"],
        # two voices in one cue share its 1.8 s by text length (7 and 11 characters)
        ["agent", "Priya", "Thanks.", 9.2, 9.9, "cue 5"],
        ["customer", "Mr. Okafor", "No problem.", 9.9, 11.0, "cue 5"],
    ]
    assert reject_rows(conv) == [("cue 7", "role", "unknown_role"),
                                 ("cue 6", "role", "unknown_role")]


def test_unknown_role_can_be_mapped():
    conv = sa.read(FIXTURES / "speakers.vtt",
                   roles={"priya": "agent", "mr. okafor": "customer", "speaker 3": "customer",
                          "unknown": "customer"})
    assert conv.rejects.empty
    assert rows(conv)[-2:] == [
        ["customer", "Speaker 3", "Hello? Is anyone there?", 11.0, 12.0, "cue 6"],
        ["customer", None, "the line went quiet: sorry about that", 30.0, 31.0, "cue 7"],
    ]


def test_reader_output_before_validation():
    raw = VttReader().load(FIXTURES / "speakers.vtt")
    assert raw.turns["role"].tolist() == ["agent", "customer", "Priya", "Mr. Okafor", "Priya",
                                          "Mr. Okafor", "Speaker 3"]
    assert raw.turns["speaker"].isna().tolist()[:3] == [True, True, False]
    assert raw.turns["channel"].eq("call").all()
    assert raw.rejects[["record", "code"]].values.tolist() == [["cue 7", "unknown_role"]]


def test_prefix_rules(tmp_path):
    f = tmp_path / "prefixes.srt"
    f.write_text(
        "1\n00:00:00,000 --> 00:00:02,000\nThe thing is: my bill doubled.\n\n"
        "2\n00:00:05,000 --> 00:00:07,000\nRep: Okay.\nCustomer: Thank you, bye.\n\n"
        "3\n00:00:07,200 --> 00:00:08,000\nRepresentative Lee: Bye now.\n\n"
        "4\n00:00:08,000 --> 00:00:09,000\nCustomer: Wait:\nthe total: £12.\n",
        encoding="utf-8",
    )
    conv = sa.read(f, merge_gap_s=None)
    assert rows(conv) == [
        # "The thing is" is not a name-like label, and no earlier cue: unknown → rejected
        # two role prefixes in one cue: 5 and 15 characters share its 2 s
        ["agent", None, "Okay.", 5.0, 5.5, "cue 2"],
        ["customer", None, "Thank you, bye.", 5.5, 7.0, "cue 2"],
        ["agent", "Lee", "Bye now.", 7.2, 8.0, "cue 3"],
        ["customer", None, "Wait: the total: £12.", 8.0, 9.0, "cue 4"],
    ]
    assert reject_rows(conv) == [("cue 1", "role", "unknown_role")]


def test_cues_without_speakers_are_rejected_one_by_one(tmp_path):
    """Captions without any speaker (Zoom's .cc.vtt) are not one long "agent" turn: each
    cue is rejected, naming its line, and the interaction counts as rejected."""
    f = tmp_path / "meeting.cc.vtt"
    f.write_text("WEBVTT\n\n00:01:08.000 --> 00:01:09.000\nThis doesn't.\n\n"
                 "00:01:09.000 --> 00:01:13.000\nThis as a nerd, it's the window.\n\n"
                 "00:01:13.000 --> 00:01:14.000\nYeah.\n", encoding="utf-8")
    conv = sa.read(f)
    assert conv.turns.empty
    assert reject_rows(conv) == [("cue 1", "role", "unknown_role"),
                                 ("cue 2", "role", "unknown_role"),
                                 ("cue 3", "role", "unknown_role"),
                                 ("interactions row 1", "interaction_id", "no_turns")]
    assert [r.split(":")[0] for r in conv.rejects["reason"][:3]] == ["line 3", "line 6",
                                                                     "line 9"]
    assert conv.counts["interactions_in"] == 1 and conv.counts["interactions_rejected"] == 1
    kept = sa.read(f, roles={"unknown": "customer"}, merge_gap_s=None)
    assert rows(kept) == [
        ["customer", None, "This doesn't.", 68.0, 69.0, "cue 1"],
        ["customer", None, "This as a nerd, it's the window.", 69.0, 73.0, "cue 2"],
        ["customer", None, "Yeah.", 73.0, 74.0, "cue 3"],
    ]


@pytest.mark.parametrize("label, role, speaker", [
    ("User Name", "User Name", "User Name"),  # Teams' display name: a name, not a user
    ("Guest User", "Guest User", "Guest User"),
    ("Member Services Team", "Member Services Team", "Member Services Team"),
    ("Agent Dana", "agent", "Dana"),
    ("Representative Lee", "agent", "Lee"),
    ("Caller 2", "customer", None),
    ("Guest", "customer", None),
    ("Dana (Agent)", "agent", "Dana"),
    ("Customer (Bob Smith)", "customer", "Bob Smith"),
    ("Acme Customer Service", "agent", "Acme"),
])
def test_role_words_inside_names(label, role, speaker):
    raw = VttReader().load(_one_cue(f"<v {label}>Hello there.</v>"))
    assert raw.turns[["role", "speaker"]].astype(object).where(
        raw.turns[["role", "speaker"]].notna(), None).values.tolist() == [[role, speaker]]


def _one_cue(text: str) -> Path:
    f = Path(tempfile.mkdtemp()) / "one.vtt"
    f.write_text(f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n{text}\n", encoding="utf-8")
    return f


def test_teams_display_name_with_a_role_word_is_inferred(tmp_path):
    f = tmp_path / "teams.vtt"
    f.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v User Name>Thanks for calling "
                 "Contoso, this is Sam. How can I help?</v>\n\n00:00:04.500 --> 00:00:08.000\n"
                 "<v Ana Ruiz>My order never arrived and I'm still waiting.</v>\n",
                 encoding="utf-8")
    conv = sa.read(f)
    assert conv.turns[["role", "speaker"]].values.tolist() == [["agent", "User Name"],
                                                                ["customer", "Ana Ruiz"]]
    assert conv.interactions.loc[0, "role_basis"] == "text"


def test_speaker_change_markers_hold_until_the_next(tmp_path):
    """Deepgram's SRT writes "[speaker N]" only where the speaker changes: later cues keep
    that speaker whatever the gap, and the marker is not part of the text."""
    f = tmp_path / "dg.srt"
    f.write_text("1\n00:00:03,040 --> 00:00:03,540\n[speaker 0]\nAnd,\n\n"
                 "2\n00:00:04,640 --> 00:00:07,585\nJessica, we are so proud of you.\n\n"
                 "3\n00:00:17,660 --> 00:00:19,580\n[speaker 1]\nDrew, thank you so much.\n\n"
                 "4\n00:00:24,875 --> 00:00:27,055\n[speaker 0] report it's opened.\n\n"
                 "5\n00:00:40,000 --> 00:00:41,000\nStill speaker zero.\n", encoding="utf-8")
    raw = SrtReader(merge_gap_s=None).load(f)
    assert raw.rejects.empty
    assert raw.turns[["speaker", "text", "record"]].values.tolist() == [
        ["speaker 0", "And,", "cue 1"],
        ["speaker 0", "Jessica, we are so proud of you.", "cue 2"],  # 1.1 s after cue 1
        ["speaker 1", "Drew, thank you so much.", "cue 3"],
        ["speaker 0", "report it's opened.", "cue 4"],
        ["speaker 0", "Still speaker zero.", "cue 5"],  # 13 s later
    ]
    # a bracketed sound is text, not a speaker
    sound = SrtReader().load(_srt(tmp_path, "Agent: Hello.\n[laughter]"))
    assert sound.turns[["role", "text"]].values.tolist() == [["agent", "Hello. [laughter]"]]


def _srt(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "one.srt"
    f.write_text(f"1\n00:00:00,000 --> 00:00:02,000\n{text}\n", encoding="utf-8")
    return f


def test_graph_metadata_content_cues(tmp_path):
    """Teams' metadataContent: each cue's text is a JSON object with the speaker's name."""
    f = tmp_path / "meta.vtt"
    f.write_text('WEBVTT\n\n00:00:16.246 --> 00:00:17.726\n{"startDateTime":"2023-03-08T08:'
                 '22:30.0461639+00:00","speakerName":"User Name","spokenText":"This is a '
                 'transcription test.","spokenLanguage":"en-us"}\n', encoding="utf-8")
    raw = VttReader().load(f)
    assert raw.turns[["role", "speaker", "text", "start_s", "end_s"]].values.tolist() == [
        ["User Name", "User Name", "This is a transcription test.", 16.246, 17.726]]
    # the call started 16.246 s before the first cue's startDateTime
    conv = sa.read(f, roles={"user name": "agent"})
    assert conv.interactions.loc[0, "started_at"] == pd.Timestamp(
        "2023-03-08T08:22:13.8001639Z")
    other = sa.read(_one_cue('{"note": "not a transcript entry"}'), roles={"unknown": "agent"})
    assert pd.isna(other.interactions.loc[0, "started_at"])
    assert other.turns["text"].tolist() == ['{"note": "not a transcript entry"}']


# -- malformed files -------------------------------------------------------------------------


def test_malformed_srt():
    conv = sa.read(FIXTURES / "broken.srt")
    # cue 6 follows cue 5 without a blank line: recovered, "6" read as its index
    assert rows(conv) == [
        ["agent", None, "Hello, thanks for calling.", 1.0, 3.0, "cue 1"],
        ["customer", None, "It was order 5512.", 12.5, 14.0, "cue 5"],
        ["agent", None, "Found it, it ships today.", 14.5, 16.0, "cue 6"],
    ]
    assert reject_rows(conv) == [
        ("cue 2", "end_s", "bad_timestamp"),
        ("cue 3", "end_s", "end_before_start"),
        ("cue 4", "text", "empty_text"),
        ("line 23", None, "malformed_cue"),
        ("cue 7", "start_s", "bad_timestamp"),
    ]
    reasons = conv.rejects["reason"].tolist()
    assert reasons[0].startswith("line 6:") and "'00:00:6,5OO' is not a time" in reasons[0]
    assert reasons[1] == "line 10: the cue ends at 00:00:07,000 before it starts at 00:00:09,000"
    assert reasons[2] == "line 14: the cue has no text"
    assert "'this line is outside any cue'" in reasons[3]
    assert "'00:01:75,000' is not a time" in reasons[4]
    assert conv.rejects["interaction_id"].eq("broken").all()
    assert conv.rejects["source"].eq(str(FIXTURES / "broken.srt")).all()
    assert conv.counts["turns_in"] == 3 + 5


def test_malformed_vtt():
    conv = sa.read(FIXTURES / "malformed.vtt")
    assert rows(conv) == [
        ["agent", None, "Hello, you're through to billing.", 0.0, 2.0, "cue 1"],
        ["customer", None, "Hi, I have a question about a charge.", 2.5, 4.0, "cue 2"],
        ["customer", None, "Thanks for explaining.", 10.5, 12.0, "cue 6"],
    ]
    assert reject_rows(conv) == [
        ("cue 3", "end_s", "end_before_start"),
        ("cue 4", "text", "empty_text"),
        ("cue 5", "start_s", "bad_timestamp"),
        ("line 17", None, "malformed_cue"),
    ]
    assert conv.rejects["reason"].iloc[3].startswith(
        "line 17: 2 line(s) outside any cue, starting '00:09.000 -> 00:10.000'")


def test_file_without_cues_raises_format_error(tmp_path):
    with pytest.raises(sa.FormatError, match="no caption cues") as err:
        sa.read(FIXTURES / "empty.vtt")
    assert err.value.source == str(FIXTURES / "empty.vtt")
    blank = tmp_path / "blank.srt"
    blank.write_bytes(b"")
    with pytest.raises(sa.FormatError, match="SubRip"):
        sa.read(blank, format="srt")


def test_vtt_without_header_is_read_with_a_warning(tmp_path, caplog):
    f = tmp_path / "nohead.vtt"
    f.write_text("00:01.000 --> 00:02.000\n<v Caller>Hello?\n", encoding="utf-8")
    assert sa.sniff(f) == "vtt"
    with caplog.at_level(logging.WARNING, logger="serviceart.readers.captions"):
        conv = sa.read(f)
    assert rows(conv) == [["customer", None, "Hello?", 1.0, 2.0, "cue 1"]]
    assert "no WEBVTT header" in caplog.text


# -- sniffing --------------------------------------------------------------------------------


def test_sniff():
    for name, fmt in [("call.vtt", "vtt"), ("bom_crlf.vtt", "vtt"), ("empty.vtt", "vtt"),
                      ("billing.srt", "srt"), ("crlf_bom.srt", "srt"), ("broken.srt", "srt")]:
        assert sa.sniff(FIXTURES / name) == fmt, name
    head = (FIXTURES / "call.vtt").read_text(encoding="utf-8")
    assert VttReader.sniff(Path("x.vtt"), head) == 0.95
    assert VttReader.sniff(Path("X.VTT"), "\ufeffWEBVTT\r\n\r\n") == 0.95
    assert VttReader.sniff(Path("x.vtt"), "WEBVTTX\n") == 0.3
    assert VttReader.sniff(Path("x.txt"), head) == 0.0
    srt = (FIXTURES / "crlf_bom.srt").read_bytes().decode("utf-8")
    assert SrtReader.sniff(Path("x.srt"), srt) == 0.9
    assert SrtReader.sniff(Path("x.srt"), "just words\n") == 0.3
    assert SrtReader.sniff(Path("x.vtt"), srt) == 0.0
    assert VttReader.sniff(Path("x.srt"), head) == 0.0


# -- end to end ------------------------------------------------------------------------------


def test_score_talk_shares_from_cue_timing(nlp):
    # call.vtt: agent 3.5 + 6.0 + 3.0 = 12.5 s, customer 4.5 + 3.0 = 7.5 s (system left out)
    res = sa.score(sa.read(FIXTURES / "call.vtt"), nlp=nlp)
    m = res.measures.set_index("interaction_id")
    assert m.loc["call", "agent_talk_share"] == pytest.approx(12.5 / 20)
    assert m.loc["call", "customer_talk_share"] == pytest.approx(7.5 / 20)
    # billing.srt: agent 2.5 + 4.0 + 3.5 = 10 s, customer 6.0 + 1.0 = 7 s
    res = sa.score(sa.read(FIXTURES / "billing.srt"), nlp=nlp)
    m = res.measures.set_index("interaction_id")
    assert m.loc["billing", "agent_talk_share"] == pytest.approx(10 / 17)
    assert m.loc["billing", "customer_talk_share"] == pytest.approx(7 / 17)
    assert res.run_info["counts"]["scored"] == 1


# -- robustness ------------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from([
    "WEBVTT", "\n", "\n\n", "\r\n", "\r", " --> ", "-->", "00:00:01.000", "00:02,500", "99:99",
    "123456789012:00:00.000", "00:00.0000", "1", "NOTE", "STYLE", "<v Agent>", "<v >", "<v.x>",
    "</v>", "<c.a>", "<00:00:01.000>", "&amp;", "&lt;", "&#x110000;", "&", "Agent: ", "Caller:",
    "Speaker 3: ", "(Dana)", ":", "{\\an8}", "<", ">", "\ufeff", "\x00", "é", " ",
])
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)
_GOOD_STAMP = st.sampled_from(["00:00:01.000", "00:02,500", "01:00:00.000", "00:03.250"])
_STAMP = st.one_of(_GOOD_STAMP, _GOOD_STAMP, _GOOD_STAMP, _FRAGMENTS, st.text(max_size=6))
_SAYS = st.lists(st.one_of(st.sampled_from(["Agent: ", "<v Customer>", "<v Dana>", "Caller: ",
                                            "Hi.", "ok", "\n", "&amp;", "</v>", "<i>"]),
                           st.text(max_size=6)), max_size=8).map("".join)
_CUE = st.tuples(st.sampled_from(["", "1\n", "intro\n"]), _STAMP, _STAMP,
                 st.sampled_from(["", " align:start"]),
                 st.sampled_from(["Agent: ", "<v Customer>", ""]), _SAYS).map(
    lambda c: f"{c[0]}{c[1]} --> {c[2]}{c[3]}\n{c[4]}{c[5]}\n")
_FILE = st.tuples(st.sampled_from(["WEBVTT\n\n", "", "\ufeffWEBVTT\r\n\r\n"]),
                  st.lists(st.one_of(_CUE, _TEXT), max_size=8),
                  st.sampled_from(["\n", "\n\n", "\r\n"])).map(
    lambda f: f[0] + f[2].join(f[1]))


def _read_never_crashes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"random{suffix}"
        f.write_bytes(data)
        for fmt in (None, suffix[1:]):
            try:
                conv = sa.read(f, format=fmt)
            except sa.ServiceartError:
                continue
            assert isinstance(conv.turns, pd.DataFrame)
            assert conv.turns["role"].isin(["agent", "customer", "system"]).all()


@pytest.mark.slow
@settings(max_examples=150, deadline=None, database=None)
@given(text=st.one_of(_TEXT, _FILE), suffix=st.sampled_from([".vtt", ".srt"]))
def test_random_text_raises_only_serviceart_errors(text, suffix):
    _read_never_crashes(text.encode("utf-8"), suffix)


@settings(max_examples=50, deadline=None, database=None)
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".vtt", ".srt"]))
def test_random_bytes_raise_only_serviceart_errors(data, suffix):
    _read_never_crashes(data, suffix)


_LABELLED = st.sampled_from(["", "Agent: ", "Customer: ", "Dana: ", "User Name: ",
                             "[speaker 1]\n", "<v Guest User>"])


@settings(max_examples=60, deadline=None, database=None)
@given(cues=st.lists(st.tuples(_LABELLED, st.sampled_from([0.0, 0.3, 0.9, 1.5, 12.0])),
                     min_size=1, max_size=12),
       merge=st.sampled_from([None, 0.5]), keep_unknown=st.booleans())
def test_every_cue_is_a_turn_or_a_reject(cues, merge, keep_unknown):
    """Nothing is lost silently: each cue is in exactly one turn's record range or one
    reject; a cue without a speaker never gets a role unless roles= says which."""
    def stamp(seconds: float) -> str:  # whole milliseconds: 59.9999... is never "60.000"
        ms = round(seconds * 1000)
        return f"00:{ms // 60000:02d}:{ms % 60000 / 1000:06.3f}"

    lines, at = ["WEBVTT", ""], 0.0
    for n, (label, gap) in enumerate(cues, 1):
        start, at = at + gap, at + gap + 2.0
        lines += [f"{stamp(start)} --> {stamp(at)}", f"{label}words of cue {n}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "prop.vtt"
        f.write_text("\n".join(lines), encoding="utf-8")
        raw = VttReader(merge_gap_s=merge,
                        roles={"unknown": "customer"} if keep_unknown else None).load(f)
    covered: list[int] = []
    for record in raw.turns["record"]:
        first, _, last = record.split(" ", 1)[1].partition("-")
        covered += range(int(first), int(last or first) + 1)
    covered += [int(r.split(" ")[1]) for r in raw.rejects["record"]]
    assert sorted(covered) == list(range(1, len(cues) + 1))
    assert not raw.turns["role"].eq("unknown").any()
    assert raw.rejects["code"].eq("unknown_role").all()
    if keep_unknown:
        assert raw.rejects.empty
