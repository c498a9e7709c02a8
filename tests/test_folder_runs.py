"""Folder and multi-file runs: no file stops the run, every file is listed with what it
gave, and the counts add up per file (issue 20, "Folder runs")."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.ingest.files import FILE_COLUMNS, FileLog
from serviceart.readers.base import RawFrames, reject_rows

runner = CliRunner()

CHATS = ("conversation_id,speaker_type,message,sent_at\n"
         "c1,customer,\"Hi, my order 1234 never arrived.\",2026-03-01T10:00:00Z\n"
         "c1,agent,\"Sorry to hear that! I will check and email you by 5pm.\","
         "2026-03-01T10:01:30Z\n"
         "c2,customer,\"How do I reset my password?\",2026-03-02T09:00:00Z\n")
BROKEN_JSON = '{"Transcript": [{"Content": "hello", "ParticipantId": "AGENT"},\n'


def _vendor_folder(shared_data: Path, dest: Path) -> list[str]:
    """Every file of the vendor samples (SOURCES.md included) in one folder, plus a stray
    notes.txt, an invalid JSON and a PDF no reader handles; the names of the files."""
    dest.mkdir()
    for sub in sorted(p for p in (shared_data / "vendor_samples").iterdir() if p.is_dir()):
        for f in sorted(sub.iterdir()):
            if f.is_file():
                shutil.copy(f, dest / f"{sub.name}__{f.name}")
    (dest / "notes.txt").write_text("call the printer people on monday\n", encoding="utf-8")
    (dest / "broken.json").write_text(BROKEN_JSON, encoding="utf-8")
    (dest / "summary.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    return sorted(str(p) for p in dest.iterdir())


def _check_accounting(files: pd.DataFrame, rejects: pd.DataFrame, counts: dict[str, int],
                      names: list[str]) -> None:
    """Every file listed once; per file, interactions = scored + out of scope + rejected;
    the per-file numbers add up to the run's and every reject names a listed file."""
    assert sorted(files["file"]) == names
    per_file = files["scored"] + files["out_of_scope"] + files["rejected"]
    assert (files["interactions"] == per_file).all(), files[files["interactions"] != per_file]
    assert (files["unaccounted"] == 0).all()
    assert files["interactions"].sum() == counts["interactions_in"]
    assert files["turns"].sum() == counts["turns_in"]
    assert files["rejects"].sum() == len(rejects)
    assert set(rejects["source"]) <= set(names)  # "3 files" is no file
    for row in files[files["status"] == "unreadable"].itertuples():
        mine = rejects[rejects["source"] == row.file]
        assert mine["code"].tolist() == ["file_unreadable"], row.file
        assert row.reason and row.reason in mine["reason"].iloc[0]


@pytest.mark.slow
def test_a_folder_of_every_vendor_sample_is_scored_and_accounted_for(shared_data, tmp_path):
    folder = tmp_path / "exports"
    names = _vendor_folder(shared_data, folder)
    out = tmp_path / "run"
    args = ["score", str(folder), "-o", str(out), "--jobs", "2"]
    result = runner.invoke(app, args)
    # files that gave nothing (the stray ones at least) fail the run, naming them
    assert result.exit_code == 1, result.output
    assert "input file(s) gave no interaction" in result.output
    assert "--allow-empty-files" in result.output and "Traceback" not in result.output
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    files = pd.DataFrame(info["files"])
    assert list(files.columns) == list(FILE_COLUMNS)
    res = sa.Result.from_parquet(out)
    counts = info["counts"]
    assert counts["interactions_in"] == (counts["scored"] + counts["out_of_scope"]
                                         + counts["rejected"])
    assert files["scored"].sum() == counts["scored"]
    assert files["out_of_scope"].sum() == counts["out_of_scope"]
    assert files["rejected"].sum() == counts["rejected"]
    assert len(res.scores) == counts["scored"] + counts["out_of_scope"]
    _check_accounting(files, res.rejects, counts, names)
    status = files.set_index("file")["status"]
    assert status[str(folder / "notes.txt")] == "unreadable"
    assert status[str(folder / "broken.json")] == "unreadable"
    assert status[str(folder / "summary.pdf")] == "skipped"
    assert set(status[[n for n in names if n.endswith("SOURCES.md")]]) == {"document"}
    assert (status == "read").sum() > 20  # most vendor files read
    # rejected turn records are counted in the summary line and in run.json
    assert counts["turns_rejected"] == counts["turns_in"] - len(res.turns) > 0
    assert f"{counts['turns_in']} turn records ({counts['turns_rejected']} rejected)" \
        in result.output
    # the table lists every file by name, relative to the folder, with the reasons below
    for name in names:
        assert Path(name).name in result.output
    assert "broken.json: not valid JSON" in result.output
    # the same run accepts the files that gave nothing when asked to (and resumes)
    again = runner.invoke(app, [*args, "--allow-empty-files"])
    assert again.exit_code == 0, again.output
    assert "already done" in again.output


def test_read_lists_every_file_and_never_stops(tmp_path, caplog):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.csv").write_text("interaction_id,role,text\na,customer,Hi there\n"
                                     "a,agent,\"Hello, how can I help?\"\n", encoding="utf-8")
    (folder / "chats.csv").write_text(CHATS, encoding="utf-8")
    (folder / "broken.json").write_text(BROKEN_JSON, encoding="utf-8")
    (folder / "thread.eml").write_text(
        "From: ana@example.net\nTo: help@acme.com\nSubject: Card\nDate: Mon, 02 Mar 2026 "
        "09:00:00 +0000\nMessage-ID: <t1@example.net>\n\nMy card is declined.\n",
        encoding="utf-8")
    (folder / "scores.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "README.md").write_text("# exports\n", encoding="utf-8")
    log = FileLog()
    with caplog.at_level(logging.INFO, logger="serviceart.ingest.io"):
        conv = sa.read(folder, file_log=log)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("scores.pdf: no reader for .pdf files" in m for m in warned)
    assert not any("README.md" in m for m in warned)  # documentation: listed, no warning
    table = log.table(valid=conv.interactions["interaction_id"], rejects=conv.rejects)
    status = dict(zip(table["file"], table["status"], strict=True))
    assert status == {str(folder / n): s for n, s in [
        ("README.md", "document"), ("broken.json", "unreadable"), ("chats.csv", "unreadable"),
        ("good.csv", "read"), ("scores.pdf", "skipped"), ("thread.eml", "unreadable")]}
    # the CSV whose columns map to nothing is one file-level reject, not a missing_id per row
    rejects = conv.rejects.set_index("source")
    assert set(conv.rejects["code"]) == {"file_unreadable"}
    reason = rejects.loc[str(folder / "chats.csv"), "reason"]
    assert "no column of the file is read as interaction_id, role, text" in reason
    assert "['conversation_id', 'speaker_type', 'message', 'sent_at']" in reason
    assert "columns={'your_column': 'interaction_id'" in reason  # Python's spelling here
    # email without agent_domains= is the file's problem in a folder, and says what to give
    assert "give agent_domains=['acme.com']" in rejects.loc[str(folder / "thread.eml"),
                                                            "reason"]
    assert "not valid JSON" in rejects.loc[str(folder / "broken.json"), "reason"]
    assert conv.counts["interactions_valid"] == 1
    _check_accounting(table, conv.rejects, conv.counts, sorted(status))


def test_a_file_named_alone_still_raises_and_option_errors_still_stop_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "chats.csv").write_text(CHATS, encoding="utf-8")
    (folder / "good.csv").write_text("interaction_id,role,text\na,agent,Hello\n",
                                     encoding="utf-8")
    with pytest.raises(sa.FormatError, match=r"no column of the file is read as") as info:
        sa.read(folder / "chats.csv")
    assert info.value.code == "SA-F150" and info.value.source == str(folder / "chats.csv")
    # the options are everyone's: a bad value is an error before a file is failed for it
    with pytest.raises(sa.ConfigError, match="encoding='no-such-codec'"):
        sa.read(folder, encoding="no-such-codec")


def test_stream_gives_the_same_file_table_as_read(samples_dir, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(samples_dir, folder)
    (folder / "chats.csv").write_text(CHATS, encoding="utf-8")
    whole, parts = FileLog(), FileLog()
    conv = sa.read(folder, file_log=whole)
    chunks = list(sa.stream(folder, chunk_size=2, file_log=parts))
    valid = pd.concat([c.interactions["interaction_id"] for c in chunks])
    rejects = pd.concat([c.rejects for c in chunks], ignore_index=True)
    a = whole.table(valid=conv.interactions["interaction_id"], rejects=conv.rejects)
    b = parts.table(valid=valid, rejects=rejects)
    pd.testing.assert_frame_equal(a, b)
    assert a.set_index("file").loc[str(folder / "calls.csv"), "interactions"] == 5


def test_rejects_found_together_name_the_file_of_their_interaction(tmp_path):
    log = FileLog()
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    log.record(one, "zendesk", RawFrames(turns=pd.DataFrame(
        {"interaction_id": ["1", "1"], "role": ["customer", "agent"], "text": ["a", "b"]})))
    log.record(two, "freshdesk", RawFrames(turns=pd.DataFrame(
        {"interaction_id": ["1", "7"], "role": ["customer", "agent"], "text": ["c", "d"]})))
    found = reject_rows([{"source": "2 files", "record": "interactions row 3",
                          "interaction_id": "7", "code": "duplicate_interaction",
                          "reason": "the interaction_id appears more than once"},
                         {"source": str(one), "record": "row 1", "interaction_id": "1",
                          "code": "empty_text", "reason": "empty"}])
    assert log.attribute(found)["source"].tolist() == [str(two), str(one)]
    # ticket 1 of two formats is one interaction: listed as a clash, merged for the second
    assert log.clashes() == {"1": [str(one), str(two)]}
    table = log.table(valid=["1"], rejects=found).set_index("file")
    assert table.loc[str(two), ["interactions", "merged", "rejected", "rejects"]].tolist() \
        == [1, 1, 1, 1]
    assert table.loc[str(one), ["interactions", "scored", "merged"]].tolist() == [1, 1, 0]


@pytest.mark.slow
def test_the_dask_path_reads_a_folder_with_a_broken_file(samples_dir, tmp_path):
    dask = pytest.importorskip("dask")
    sad = pytest.importorskip("serviceart.dask")
    folder = tmp_path / "in"
    shutil.copytree(samples_dir, folder)
    (folder / "broken.json").write_text(BROKEN_JSON, encoding="utf-8")
    with dask.config.set(scheduler="synchronous"):
        res = sad.score(folder).compute()
    assert len(res.scores) == 13
    bad = res.rejects[res.rejects["source"] == str(folder / "broken.json")]
    assert bad["code"].tolist() == ["file_unreadable"]
    with pytest.raises(sa.FormatError):  # named alone, it is an error
        sad.score(folder / "broken.json")
