"""The turns reader: CSV, JSONL, Parquet, mappings, malformed input."""

from __future__ import annotations

import pandas as pd
import pytest

import serviceart as sa
from serviceart.readers import DecodingWarning


def test_sample_calls_csv(samples_dir):
    conv = sa.read(samples_dir / "calls.csv")
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == [f"call-000{i}" for i in range(1, 6)]
    assert set(conv.interactions["channel"]) == {"call"}
    assert conv.interactions.set_index("interaction_id").loc["call-0005", "case_id"] == \
        "call-0002"
    assert {"team", "segment"} <= set(conv.interactions.columns)
    assert conv.turns["source"].str.endswith("calls.csv").all()
    assert conv.turns["start_s"].notna().all()
    assert conv.counts["turns_in"] == 91


def test_sample_chats_jsonl(samples_dir):
    conv = sa.read(samples_dir / "chats.jsonl")
    assert len(conv) == 5 and conv.rejects.empty
    assert conv.turns["timestamp"].notna().all()
    assert conv.turns["record"].iloc[0] == "line 1"
    assert set(conv.interactions["channel"]) == {"chat"}


def test_csv_malformed_lines_become_rejects(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text(
        "interaction_id,role,text\n"
        "a,agent,hello\n"
        "a,customer,too,many,fields\n"
        "a,customer,fine\n"
    )
    conv = sa.read(f)
    assert conv.turns["text"].tolist() == ["hello", "fine"]
    rej = conv.rejects.iloc[0]
    assert (rej["code"], rej["record"]) == ("malformed_line", "line 3")
    assert "expected 3 fields, saw 5" in rej["reason"]
    assert conv.counts["turns_in"] == 3 and conv.counts["turns_rejected"] == 1


def test_jsonl_bad_lines_become_rejects(tmp_path):
    f = tmp_path / "t.jsonl"
    f.write_text('{"interaction_id": "a", "role": "agent", "text": "hi"}\n'
                 '{"interaction_id": "a", "role": \n'
                 '[1, 2]\n'
                 '{"interaction_id": "a", "role": "customer", "text": "yo"}\n')
    conv = sa.read(f)
    assert len(conv.turns) == 2
    assert conv.rejects["record"].tolist() == ["line 2", "line 3"]
    assert conv.rejects["code"].tolist() == ["malformed_line", "malformed_line"]


def test_column_and_role_mappings(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("call,who,utterance\n1,Rep,hello\n1,Caller,my bill\n")
    conv = sa.read(f, format="turns",
                   columns={"call": "interaction_id", "who": "role", "utterance": "text"},
                   roles={"rep": "agent", "caller": "customer"})
    assert conv.turns["role"].tolist() == ["agent", "customer"]
    assert conv.interactions["interaction_id"].tolist() == ["1"]


def test_missing_column_names_the_file(tmp_path):
    """A table without a role column is refused as a whole, naming the file, the column
    and the file's columns (not one missing_id or missing_field reject per row)."""
    f = tmp_path / "bad.csv"
    f.write_text("interaction_id,text\n1,hello\n")
    with pytest.raises(sa.FormatError, match=r"SA-F150.*bad\.csv.*role.*'interaction_id', "
                                             r"'text'"):
        sa.read(f, format="turns")


def test_empty_file_is_a_format_error(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text("")
    with pytest.raises(sa.FormatError, match=r"empty\.csv.*empty"):
        sa.read(f, format="turns")


def test_parquet_round_trip(tmp_path, samples_dir):
    conv = sa.read(samples_dir / "calls.csv")
    frame = conv.turns.merge(conv.interactions, on="interaction_id")
    path = tmp_path / "calls.parquet"
    frame.drop(columns=["source", "record"]).to_parquet(path)
    again = sa.read(path)
    cols = ["interaction_id", "turn_index", "role", "speaker", "text", "start_s", "end_s"]
    pd.testing.assert_frame_equal(again.turns[cols], conv.turns[cols])
    assert again.interactions["team"].tolist() == conv.interactions["team"].tolist()


def test_non_utf8_csv_is_read_with_replacement_and_a_warning(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("interaction_id,role,text\na,agent,caf\xe9 ok\n".encode("latin-1"))
    with pytest.warns(DecodingWarning, match=r"latin\.csv: not valid in utf-8; 1 undecodable"
                      r" .* first on line 2\. Pass encoding="):
        conv = sa.read(f)
    assert conv.turns["text"].iloc[0] == "caf\ufffd ok"


def test_encoding_option_reads_latin1_exactly(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("interaction_id,role,text\na,agent,caf\xe9 ok\n".encode("latin-1"))
    conv = sa.read(f, encoding="cp1252")
    assert conv.turns["text"].iloc[0] == "caf\xe9 ok"


def test_unknown_format_lists_readers(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"\x00\x01")
    readers = r"\['contact_lens', 'eml', .*'turns', 'vtt', 'zendesk'\]"
    with pytest.raises(sa.FormatError, match=r"cannot tell the format.*" + readers):
        sa.read(f)


def test_missing_path(tmp_path):
    with pytest.raises(sa.InputError, match="no such file"):
        sa.read(tmp_path / "nope.csv")


def test_folder_reads_every_claimed_file(samples_dir):
    conv = sa.read(samples_dir)
    assert len(conv) == 13
    assert set(conv.interactions["channel"]) == {"call", "chat"}


def test_roles_mapping_is_applied_once(tmp_path):
    # a swapping map must swap, not be undone by a second pass
    f = tmp_path / "swap.csv"
    f.write_text("interaction_id,role,text\n1,agent,hello\n1,customer,hi\n")
    conv = sa.read(f, roles={"agent": "customer", "customer": "agent"})
    assert conv.turns["role"].tolist() == ["customer", "agent"]
