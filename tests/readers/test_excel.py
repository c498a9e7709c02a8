"""Excel workbooks (``.xlsx``) read by the ``turns`` and ``messages`` readers.

Every workbook is written here with openpyxl from realistic rows: a chat export
with Excel dates and numeric ids, a workbook whose chats are on its second
sheet, and a social-media sheet of tweets with reply pointers.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import serviceart as sa

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["interaction_id", "role", "speaker", "text", "timestamp", "team"]
CHATS = [
    [5012, "customer", "Priya N", "Hi, my broadband has been dropping every evening since "
     "Tuesday.", dt.datetime(2024, 3, 4, 18, 2, 11), "broadband"],
    [5012, "agent", "Sam", "Sorry to hear that, Priya. Let me run a line test now.",
     dt.datetime(2024, 3, 4, 18, 3, 40), "broadband"],
    [5012, "agent", "Sam", "The test shows noise on the line; I have booked an engineer "
     "for Thursday 8am-1pm.", dt.datetime(2024, 3, 4, 18, 9, 2), "broadband"],
    [5012, "customer", "Priya N", "Thanks, Thursday works.", dt.datetime(2024, 3, 4, 18, 10, 0),
     "broadband"],
    ["C-88", "customer", "Tom", "I was charged twice for March & April.",
     dt.datetime(2024, 3, 5, 9, 0, 5), "billing"],
    ["C-88", "agent", "Ana", "I can see the double charge; I've refunded £12.50 today.",
     dt.datetime(2024, 3, 5, 9, 2, 30), "billing"],
]


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def utc(*args: int) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(*args), tz="UTC")


def test_a_chat_sheet_is_sniffed_and_read(tmp_path: Path) -> None:
    path = workbook(tmp_path / "chats.xlsx", {"Chats": [HEADER, *CHATS]})
    assert sa.sniff(path) == "turns"
    conv = sa.read(path)
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == ["5012", "C-88"]
    assert conv.interactions["team"].tolist() == ["broadband", "billing"]
    t = conv.turns
    assert t["text"].tolist() == [r[3] for r in CHATS]
    assert t["role"].astype(str).tolist() == [r[1] for r in CHATS]
    assert t["speaker"].tolist() == [r[2] for r in CHATS]
    assert t["timestamp"].tolist() == [pd.Timestamp(r[4], tz="UTC") for r in CHATS]
    assert t["record"].tolist()[:2] == ["sheet 'Chats' row 2", "sheet 'Chats' row 3"]
    counts = conv.counts
    assert (counts["interactions_valid"], counts["turns_valid"]) == (2, 6)


def test_rejects_name_the_sheet_row_and_blank_rows_are_no_records(tmp_path: Path) -> None:
    rows = [HEADER, CHATS[0], [None] * 6, CHATS[1], [5012, "robot", "x", "beep",
                                                      dt.datetime(2024, 3, 4, 18, 4), "b"],
            [5012, "agent", "Sam", None, dt.datetime(2024, 3, 4, 18, 5), "b"]]
    conv = sa.read(workbook(tmp_path / "chats.xlsx", {"Chats": rows}))
    assert conv.turns["record"].tolist() == ["sheet 'Chats' row 2", "sheet 'Chats' row 4"]
    assert conv.rejects[["record", "code"]].values.tolist() == [
        ["sheet 'Chats' row 5", "unknown_role"], ["sheet 'Chats' row 6", "empty_text"]]
    assert conv.counts["turns_in"] == 4  # the blank row is no record


def test_two_sheets_first_by_default_else_the_one_named(tmp_path: Path) -> None:
    summary = [["interaction_id", "role", "text"],
               ["S-1", "customer", "Where is my parcel?"],
               ["S-1", "agent", "It arrives tomorrow."]]
    path = workbook(tmp_path / "export.xlsx", {"Summary": summary, "Chats": [HEADER, *CHATS]})
    assert sa.read(path).interactions["interaction_id"].tolist() == ["S-1"]
    by_name = sa.read(path, sheet="Chats")
    by_position = sa.read(path, sheet=1)
    assert by_name.interactions["interaction_id"].tolist() == ["5012", "C-88"]
    pd.testing.assert_frame_equal(by_name.turns, by_position.turns)
    assert by_name.turns["record"].iloc[0] == "sheet 'Chats' row 2"
    assert len(sa.read(path, sheet=" chats")) == 2  # case and spaces do not matter
    with pytest.raises(sa.ConfigError, match=r"SA-C221.*'Chat'.*\['Summary', 'Chats'\]"):
        sa.read(path, sheet="Chat")
    with pytest.raises(sa.ConfigError, match=r"SA-C222.*sheet=2 is out of range"):
        sa.read(path, sheet=2)


def test_columns_mapping_on_an_excel_export(tmp_path: Path) -> None:
    rows = [["conversation_id", "speaker_type", "message", "sent_at"],
            *[[r[0], r[1].upper(), r[3], r[4]] for r in CHATS]]
    path = workbook(tmp_path / "crm.xlsx", {"Export": rows})
    conv = sa.read(path, columns={"conversation_id": "interaction_id", "speaker_type": "role",
                                  "message": "text", "sent_at": "timestamp"})
    assert conv.rejects.empty and len(conv.turns) == len(CHATS)
    assert conv.turns["timestamp"].iloc[-1] == utc(2024, 3, 5, 9, 2, 30)


def test_streaming_an_excel_file_gives_what_read_gives(tmp_path: Path) -> None:
    path = workbook(tmp_path / "chats.xlsx", {"Chats": [HEADER, *CHATS]})
    chunks = list(sa.stream(path, chunk_size=1))
    assert [len(c) for c in chunks] == [1, 1]
    whole = sa.read(path)
    streamed = pd.concat([c.turns for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(streamed, whole.turns)


def test_a_tweet_sheet_is_read_by_the_messages_reader(tmp_path: Path) -> None:
    rows = [["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"],
            [2001, "118744", True, "Tue Oct 31 22:10:47 +0000 2017",
             "@AcmeHelp my order &amp; refund are both stuck", None],
            [2002, "AcmeHelp", False, "Tue Oct 31 22:12:01 +0000 2017",
             "@118744 Sorry about that! Please DM us your order number.", 2001]]
    path = workbook(tmp_path / "tweets.xlsx", {"tweets": rows})
    assert sa.sniff(path) == "messages"
    conv = sa.read(path)
    assert conv.interactions["interaction_id"].tolist() == ["thread-2001"]
    assert conv.turns["text"].iloc[0] == "@AcmeHelp my order & refund are both stuck"
    assert conv.turns["role"].astype(str).tolist() == ["customer", "agent"]
    assert conv.turns["timestamp"].iloc[1] == utc(2017, 10, 31, 22, 12, 1)


def test_without_openpyxl_the_error_names_the_extra(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "chats.xlsx", {"Chats": [HEADER, *CHATS]})
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    assert sa.sniff(path) == "turns"  # by its extension; reading says what is missing
    with pytest.raises(sa.ConfigError, match=r"SA-C220.*openpyxl.*serviceart\[excel\]"):
        sa.read(path)
    (tmp_path / "more.csv").write_text("interaction_id,role,text\nx,agent,Hello\n")
    with pytest.raises(sa.ConfigError, match="serviceart\\[excel\\]"):
        sa.read(tmp_path)  # not the file's fault: the run stops and says what to install


def test_a_file_that_is_no_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "chats.xlsx"
    bad.write_text("interaction_id,role,text\nc1,agent,hello\n")
    with pytest.raises(sa.FormatError, match=r"SA-F120.*Excel workbook"):
        sa.read(bad)
    empty = workbook(tmp_path / "empty.xlsx", {"Sheet": []})
    with pytest.raises(sa.FormatError, match=r"SA-F122.*'Sheet' is empty"):
        sa.read(empty)


def test_a_folder_reads_its_workbooks(tmp_path: Path) -> None:
    workbook(tmp_path / "chats.xlsx", {"Chats": [HEADER, *CHATS]})
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "more.csv").write_text("interaction_id,role,text\nx9,agent,Hello there\n")
    conv = sa.read(tmp_path)
    assert sorted(conv.interactions["interaction_id"]) == ["5012", "C-88", "x9"]
    bad = conv.rejects
    assert bad["code"].tolist() == ["file_unreadable"]
    assert bad["source"].iloc[0].endswith("broken.xlsx")
    assert "cannot read it as an Excel workbook" in bad["reason"].iloc[0]
