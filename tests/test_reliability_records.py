"""Every input record is accounted for: damaged files read by sa.read and sa.stream.

Files come from serviceart.testing.records: valid exports damaged record by record.
From the tables themselves (not the counts alone), every interaction of the input
is valid or rejected with its id, each damaged record's interaction is rejected
under its id, and streaming (the batch engine's path) gives the same account in
chunks that neither repeat a reject nor lose one.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.testing.records import (
    DamagedFile,
    captions,
    email_messages,
    linked_folders,
    mailboxes,
    transcripts,
    turn_tables,
    unaccounted,
    write_files,
)

SETTINGS = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _account(files: list[DamagedFile], chunk_size: int) -> None:
    """Read the files with sa.read and sa.stream; both must account for everything."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(files, tmp)
        options = dict(files[0].options)
        whole = sa.read(paths, **options)
        assert unaccounted(whole, files) == []
        chunks = list(sa.stream(paths, chunk_size=chunk_size, **options))
        assert unaccounted(chunks, files) == []
        # the stream rejects exactly what read rejects, once each
        key = ["source", "record", "code", "interaction_id"]
        streamed = pd.concat([c.rejects for c in chunks], ignore_index=True)[key]
        assert sorted(map(tuple, streamed.astype(str).values.tolist())) == \
            sorted(map(tuple, whole.rejects[key].astype(str).values.tolist()))
        assert sum(c.counts["interactions_in"] for c in chunks) == \
            whole.counts["interactions_in"]


@pytest.mark.slow
@SETTINGS
@given(f=turn_tables("csv"), size=st.integers(1, 4))
def test_damaged_csv_records_are_all_accounted_for(f, size):
    _account([f], size)


@pytest.mark.slow
@SETTINGS
@given(f=turn_tables("jsonl"), size=st.integers(1, 4))
def test_damaged_jsonl_records_are_all_accounted_for(f, size):
    _account([f], size)


@pytest.mark.slow
@SETTINGS
@given(f=transcripts(), size=st.integers(1, 4))
def test_damaged_transcripts_are_all_accounted_for(f, size):
    _account([f], size)


@pytest.mark.slow
@SETTINGS
@given(files=st.lists(captions(), min_size=1, max_size=3, unique_by=lambda f: f.name),
       size=st.integers(1, 3))
def test_damaged_captions_are_all_accounted_for(files, size):
    _account(files, size)


@pytest.mark.slow
@SETTINGS
@given(f=mailboxes(), size=st.integers(1, 4))
def test_broken_messages_in_an_mbox_are_all_accounted_for(f, size):
    _account([f], size)


@pytest.mark.slow
@SETTINGS
@given(files=email_messages(), size=st.integers(1, 4))
def test_broken_eml_messages_are_all_accounted_for(files, size):
    _account(files, size)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, database=None, derandomize=True)
@given(plan=linked_folders())
def test_folders_behind_symbolic_links_are_read_once(plan):
    with tempfile.TemporaryDirectory() as tmp:
        top = plan.build(tmp)
        conv = sa.read(top)
        assert unaccounted(conv, plan.files) == []
        assert len(conv) == sum(len(f.ids) for f in plan.files)  # each folder read once
        chunks = list(sa.stream(top, chunk_size=2))
        assert unaccounted(chunks, plan.files) == []


# ---------------------------------------------------------------- the cases found

def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chats.csv"
    path.write_text(text)
    return path


def test_a_stray_quote_rejects_the_swallowed_interaction_under_its_id(tmp_path):
    path = _csv(tmp_path, 'interaction_id,role,text\na,agent,"Hello there\n'
                          'b,agent,Hi, how can I help?"\nc,agent,Bye\n')
    conv = sa.read(path)
    assert conv.counts["interactions_in"] == 3
    assert conv.interactions["interaction_id"].tolist() == ["c"]
    rej = conv.rejects.set_index("interaction_id")
    assert set(rej.index) == {"a", "b"} and set(rej["code"]) == {"stray_quote"}
    assert "swallowing 1 record(s) of interaction(s) 'b'" in rej.loc["a", "reason"]
    assert rej.loc["b", "record"] == "row 1, line 2 of its text"


def test_a_stray_quote_running_to_the_end_of_the_file_is_no_crash(tmp_path):
    path = _csv(tmp_path, 'interaction_id,role,text\na,agent,Hi\nb,agent,"Hello there\n'
                          'c,customer,My router\nd,agent,Bye\n')
    conv = sa.read(path)
    assert conv.interactions["interaction_id"].tolist() == ["a"]
    assert sorted(conv.rejects["interaction_id"]) == ["b", "c", "d"]
    assert conv.counts["interactions_in"] == 4


def test_a_legitimate_multi_line_text_is_read_whole(tmp_path):
    path = _csv(tmp_path, 'interaction_id,role,text\na,agent,"Hello,\nthanks for waiting.\n'
                          'Regards, Dana"\nb,customer,Hi\n')
    conv = sa.read(path)
    assert len(conv) == 2 and conv.rejects.empty
    assert conv.turns["text"].iloc[0] == "Hello,\nthanks for waiting.\nRegards, Dana"


@pytest.mark.parametrize("row", [1, 2])
def test_a_row_with_extra_fields_is_rejected_with_its_id_and_line(tmp_path, row):
    rows = ["a,agent,Hello", "b,agent,Hi", "c,agent,Bye"]
    rows[row - 1] = rows[row - 1] + ", and more,text"
    conv = sa.read(_csv(tmp_path, "interaction_id,role,text\n" + "\n".join(rows) + "\n"))
    bad = conv.rejects.iloc[0]
    assert (bad["interaction_id"], bad["record"], bad["code"]) == \
        ("abc"[row - 1], f"line {row + 1}", "malformed_line")
    assert "expected 3 fields, saw 5" in bad["reason"]
    # the other rows keep their columns (no shift into an index)
    assert set(conv.turns["role"]) == {"agent"}
    assert conv.counts["interactions_in"] == 3


def test_a_broken_jsonl_line_keeps_the_id_it_still_shows(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"interaction_id": "a", "role": "agent", "text": "Hi"}\n'
                    '{"interaction_id": "b", "role": "agent", "text": "he said "no""}\n'
                    '{"interaction_id": "c", "ro\n')
    conv = sa.read(path)
    assert conv.rejects[["record", "interaction_id"]].values.tolist() == \
        [["line 2", "b"], ["line 3", "c"]]
    assert conv.counts["interactions_in"] == 3


def _eml(k: int, body: str = "My order has not arrived.", sender: bool = True) -> str:
    who = f"From: Cust {k} <c{k}@example.com>\n" if sender else ""
    return (f"{who}To: help@acme.com\nSubject: Order {k}\n"
            f"Date: Mon, 2 Mar 2026 09:{k:02d}:00 +0000\nMessage-ID: <m{k}@example.com>\n\n"
            f"{body}\n")


def test_streamed_email_rejects_are_in_one_chunk_and_counted(tmp_path):
    for k in range(30):
        (tmp_path / f"m{k:02d}.eml").write_text(_eml(k))
    (tmp_path / "bad1.eml").write_text("no headers here\n\nat all\n")
    (tmp_path / "bad2.eml").write_text(_eml(40, sender=False))
    (tmp_path / "bad3.eml").write_text(_eml(41, body=""))
    whole = sa.read(tmp_path, agent_domains=["acme.com"])
    chunks = list(sa.stream(tmp_path, chunk_size=5, agent_domains=["acme.com"]))
    assert len(chunks) == 6
    assert sum(len(c.rejects) for c in chunks) == len(whole.rejects) == 3
    assert sum(c.counts["interactions_in"] for c in chunks) == \
        whole.counts["interactions_in"] == 32
    assert sum(c.counts["turns_in"] for c in chunks) == whole.counts["turns_in"] == 33


def test_email_files_without_a_valid_interaction_still_yield_their_rejects(tmp_path):
    (tmp_path / "bad1.eml").write_text("no headers here\n\nat all\n")
    (tmp_path / "bad2.eml").write_text(_eml(40, sender=False))
    chunks = list(sa.stream(tmp_path, chunk_size=5, agent_domains=["acme.com"]))
    assert [len(c.rejects) for c in chunks] == [2]
    assert chunks[0].counts["interactions_in"] == 1  # the one whose id can be read


def test_iter_cases_splits_rejects_and_counts_without_copies():
    turns = pd.DataFrame({"interaction_id": ["a", "a", "b", "c", "d"],
                          "role": ["agent", "robot", "agent", "robot", "agent"],
                          "text": ["hi", "beep", "hello", "beep", "bye"]})
    conv = sa.Conversations.from_frames(turns)
    chunks = list(conv.iter_cases(1))
    assert [c.interactions["interaction_id"].tolist() for c in chunks] == [["a"], ["b"], ["d"]]
    # a's dropped turn stays with a; c (rejected whole) goes to the first chunk
    assert [sorted(c.rejects["interaction_id"]) for c in chunks] == [["a", "c"], [], []]
    for key in ("interactions_in", "turns_in", "interactions_rejected", "turns_valid"):
        assert sum(c.counts[key] for c in chunks) == conv.counts[key]


def test_a_symlinked_folder_is_read_and_a_cycle_ends(tmp_path, caplog):
    real = tmp_path / "real"
    real.mkdir()
    (real / "calls.csv").write_text("interaction_id,role,text\nx,agent,Hello\n")
    top = tmp_path / "top"
    top.mkdir()
    (top / "own.csv").write_text("interaction_id,role,text\ny,agent,Hi\n")
    (top / "linked").symlink_to(real, target_is_directory=True)
    (top / "loop").symlink_to(top, target_is_directory=True)
    (top / "gone.csv").symlink_to(tmp_path / "missing.csv")
    with caplog.at_level(logging.WARNING, logger="serviceart.ingest.io"):
        conv = sa.read(top)
    assert sorted(conv.interactions["interaction_id"]) == ["x", "y"]
    assert "a broken symbolic link" in caplog.text and "gone.csv" in caplog.text
    assert "loop" in caplog.text and "read already" in caplog.text


def test_the_text_reader_is_linear(tmp_path):
    import time

    def seconds(n: int) -> float:
        path = tmp_path / f"t{n}.txt"
        path.write_text("".join(
            f"# id: call-{i}\n# channel: call\nAgent: Hello, this is Dana.\n"
            f"Customer: Hi, my internet is down.\nsince Tuesday.\n\n" for i in range(n)))
        reader = sa.readers.READERS.get("text")()
        start = time.perf_counter()
        reader.load(path)
        return time.perf_counter() - start

    seconds(500)  # warm up
    small, large = min(seconds(2000) for _ in range(2)), min(seconds(8000) for _ in range(2))
    assert large < 8 * small  # 4x the input: quadratic would be ~16x
