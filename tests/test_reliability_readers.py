"""Readers never stop on a bad value or a bad file (issue 16).

Malformed values from :mod:`serviceart.testing.values` (placeholder dates, infinite
or absurd numbers, integers over Python's 4,300-digit limit, lists and objects as
ids, charsets that are no text encoding) are written into one record of an
otherwise valid file of every reader. For every read: no exception escapes
``sa.read``, the counts add up from the tables themselves, no interaction of the
clean file is lost, and the injected record is rejected with a code.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.ingest.validate import TIME_RANGE
from serviceart.readers._text import DecodingWarning, decide_encoding
from serviceart.testing.values import (
    NON_TEXT_CODECS,
    SENTINEL_DATES,
    HugeInt,
    bad_charsets,
    bad_number_texts,
    bad_numbers,
    dumps,
    huge_ints,
    leaves,
    malformed_values,
    non_scalar_ids,
    out_of_range_dates,
    replaced,
    with_charset,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "readers" / "fixtures"
SAMPLES = ROOT / "data" / "samples"

FEW = settings(max_examples=12, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow])

TIME_CODES = {"bad_timestamp"}
NUMBER_CODES = {"bad_number", "negative_time", "end_before_start", "bad_timestamp"}
ID_CODES = {"bad_id"}

MESSAGES = {"roles": {"staff": "agent", "user": "customer", "moderator": "agent"}}
EMAIL = {"agent_domains": ["acme.com", "example.com", "northwind.com"]}


def read(path: Path, **options: Any) -> sa.Conversations:
    """``sa.read`` with DecodingWarnings allowed (bad bytes are part of some inputs), and
    the same file streamed in chunks of two (the batch engine's path): the chunks' counts
    and rejects add up to the read's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DecodingWarning)
        whole = sa.read(path, **options)
        chunks = list(sa.stream(path, chunk_size=2, **options))
    for key in ("interactions_in", "interactions_valid", "turns_in", "turns_valid"):
        assert sum(c.counts[key] for c in chunks) == whole.counts[key], key
    streamed = pd.concat([c.rejects for c in chunks]) if chunks else whole.rejects.iloc[:0]
    assert sorted(map(tuple, streamed[["code", "record"]].astype(str).to_numpy())) == \
        sorted(map(tuple, whole.rejects[["code", "record"]].astype(str).to_numpy()))
    return whole


def ids_of(conv: sa.Conversations) -> tuple[set[str], set[str]]:
    """Valid interaction ids, and ids only seen in rejects."""
    valid = set(conv.interactions["interaction_id"].astype(str))
    rejected = set(conv.rejects["interaction_id"].dropna().astype(str)) - valid
    return valid, rejected


def check_counts(conv: sa.Conversations) -> None:
    """interactions_in == valid + rejected, with both sides computed from the tables."""
    valid, rejected = ids_of(conv)
    c = conv.counts
    assert c["interactions_valid"] == len(valid) == len(conv.interactions)
    assert c["interactions_in"] == len(valid) + len(rejected), (c, valid, rejected)
    assert c["turns_in"] == c["turns_valid"] + c["turns_rejected"]
    assert c["turns_valid"] == len(conv.turns)
    assert conv.rejects["code"].notna().all() and conv.rejects["reason"].notna().all()


def check_nothing_lost(clean: sa.Conversations, conv: sa.Conversations) -> None:
    """Every interaction of the clean file is valid or rejected in the damaged one."""
    valid, rejected = ids_of(conv)
    lost = ids_of(clean)[0] - valid - rejected
    assert not lost, f"interactions lost: {sorted(lost)}"


def new_codes(clean: sa.Conversations, conv: sa.Conversations) -> list[str]:
    """Reject codes of the damaged read beyond those of the clean read."""
    before = clean.rejects["code"].value_counts()
    after = conv.rejects["code"].value_counts()
    extra = after.subtract(before, fill_value=0)
    return sorted(c for c, n in extra.items() if n > 0)


# ---------------------------------------------------------------- JSON documents

# (file, path to one turn-level or interaction-level field the reader uses,
#  strategy, expected reject codes, reader options)
JsonCase = tuple[str, tuple[str | int, ...], Callable[[], st.SearchStrategy[Any]], set[str]]

JSON_CASES: list[JsonCase] = [
    ("aws/transcribe_call.json", ("Transcript", 1, "BeginOffsetMillis"), bad_numbers,
     NUMBER_CODES),
    ("aws/transcribe_call.json", ("Transcript", 1, "EndOffsetMillis"), bad_numbers,
     NUMBER_CODES),
    ("aws/contact_lens_chat.json", ("Transcript", 1, "AbsoluteTime"), out_of_range_dates,
     TIME_CODES),
    ("aws/pca_call.json", ("SpeechSegments", 1, "SegmentStartTime"), bad_numbers,
     NUMBER_CODES),
    # an unusable optional start time is documented to be left empty (started_at then
    # comes from the turns): no reject, but no crash and nothing lost either
    ("aws/pca_call.json", ("ConversationAnalytics", "ConversationTime"), out_of_range_dates,
     set()),
    ("genesys/call_transfer.json", ("transcripts", 0, "phrases", 1, "startTimeMs"),
     bad_numbers, NUMBER_CODES),
    ("insights/call_conversation.json", ("startTime",), out_of_range_dates, set()),
    ("insights/chat_entries.json", ("entries", 1, "start_timestamp_usec"), bad_numbers,
     NUMBER_CODES),
    ("helpdesk/zendesk_ticket_comments.json", ("comments", 1, "created_at"),
     out_of_range_dates, TIME_CODES),
    ("helpdesk/freshdesk_tickets.json", (0, "conversations", 0, "created_at"),
     out_of_range_dates, TIME_CODES),
]


@pytest.mark.parametrize(("name", "path", "values", "codes"), JSON_CASES,
                         ids=[f"{c[0]}:{'.'.join(map(str, c[1]))}" for c in JSON_CASES])
def test_bad_value_in_a_json_export_is_rejected(tmp_path: Path, name: str,
                                                path: tuple[str | int, ...],
                                                values: Callable[[], st.SearchStrategy[Any]],
                                                codes: set[str]) -> None:
    source = FIX / name
    doc = json.loads(source.read_text(encoding="utf-8"))
    clean = read(source)
    target = tmp_path / source.name

    @FEW
    @given(value=values())
    def run(value: Any) -> None:
        target.write_text(dumps(replaced(doc, path, value)), encoding="utf-8")
        conv = read(target)
        check_counts(conv)
        check_nothing_lost(clean, conv)
        if codes:
            assert set(new_codes(clean, conv)) & codes, (value, conv.rejects)
        else:
            lo, hi = TIME_RANGE
            assert len(conv) == len(clean)
            assert conv.interactions["started_at"].dropna().between(lo, hi).all()

    run()


JSON_FILES = sorted({c[0] for c in JSON_CASES} | {
    "aws/contact_lens_voice_transfer.json", "genesys/chat_bot_handoff.json",
    "insights/chat_conversation.json"})


@pytest.mark.parametrize("name", JSON_FILES)
def test_any_malformed_value_anywhere_in_a_json_export_never_stops_the_read(
        tmp_path: Path, name: str) -> None:
    """Any leaf of the document, any malformed value: a read with counts that add up,
    or (for a document whose structure is broken) a FormatError naming the file."""
    source = FIX / name
    doc = json.loads(source.read_text(encoding="utf-8"))
    paths = [p for p, _ in leaves(doc)]
    target = tmp_path / source.name

    @FEW
    @given(where=st.sampled_from(paths), value=malformed_values())
    def run(where: tuple[str | int, ...], value: Any) -> None:
        target.write_text(dumps(replaced(doc, where, value)), encoding="utf-8")
        try:
            conv = read(target)
        except sa.FormatError as exc:
            assert exc.source == str(target)
            return
        check_counts(conv)

    run()


# ---------------------------------------------------------------- JSON Lines


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("{")]


def _write_lines(path: Path, rows: list[Any]) -> None:
    path.write_text("\n".join(dumps(r) for r in rows) + "\n", encoding="utf-8")


JSONL_CASES = [
    # (file, field, strategy, codes, options)
    (SAMPLES / "chats.jsonl", "timestamp", out_of_range_dates, TIME_CODES, {}),
    (SAMPLES / "chats.jsonl", "interaction_id", non_scalar_ids, ID_CODES, {}),
    # a JSON NaN is a missing value in a table column, like null: no reject
    (SAMPLES / "chats.jsonl", "start_s", lambda: bad_numbers().filter(
        lambda v: not (isinstance(v, float) and math.isnan(v))), NUMBER_CODES, {}),
    (SAMPLES / "chats.jsonl", "end_s", bad_number_texts, NUMBER_CODES, {}),
    (FIX / "messages/forum.jsonl", "created_at", out_of_range_dates, TIME_CODES, MESSAGES),
    (FIX / "messages/forum.jsonl", "id", non_scalar_ids, ID_CODES, MESSAGES),
    (FIX / "messages/forum.jsonl", "parent_id", non_scalar_ids, ID_CODES, MESSAGES),
]


@pytest.mark.parametrize(("source", "fld", "values", "codes", "options"), JSONL_CASES,
                         ids=[f"{c[0].name}:{c[1]}" for c in JSONL_CASES])
def test_bad_value_in_a_jsonl_row_rejects_that_row(tmp_path: Path, source: Path, fld: str,
                                                   values: Callable[[], st.SearchStrategy[Any]],
                                                   codes: set[str],
                                                   options: dict[str, Any]) -> None:
    rows = _jsonl(source)
    clean = read(source, **options)
    target = tmp_path / source.name

    @FEW
    @given(row=st.integers(1, len(rows) - 1), value=values())
    def run(row: int, value: Any) -> None:
        damaged = list(rows)
        damaged[row] = {**rows[row], fld: value}
        _write_lines(target, damaged)
        conv = read(target, **options)
        check_counts(conv)
        if fld not in ("interaction_id", "id", "parent_id"):  # a bad pointer may cut a thread
            check_nothing_lost(clean, conv)
        mine = conv.rejects[conv.rejects["record"] == f"line {row + 1}"]
        assert set(mine["code"]) & codes, (value, conv.rejects)

    run()


@pytest.mark.parametrize("source", [SAMPLES / "chats.jsonl",
                                    FIX / "helpdesk/intercom_conversations.jsonl",
                                    FIX / "messages/forum.jsonl"], ids=lambda p: p.name)
def test_any_malformed_value_in_any_jsonl_field_never_stops_the_read(
        tmp_path: Path, source: Path) -> None:
    rows = _jsonl(source)
    options = MESSAGES if "forum" in source.name else {}
    target = tmp_path / source.name
    slots = [(i, p) for i, r in enumerate(rows[:3]) for p, _ in leaves(r)]

    @FEW
    @given(slot=st.sampled_from(slots), value=malformed_values())
    def run(slot: tuple[int, tuple[str | int, ...]], value: Any) -> None:
        i, where = slot
        damaged = list(rows)
        damaged[i] = replaced(rows[i], where, value)
        _write_lines(target, damaged)
        check_counts(read(target, **options))

    run()


@given(digits=huge_ints())
@settings(max_examples=5, deadline=None)
def test_huge_integer_ids_are_read_as_text(digits: HugeInt) -> None:
    rows = _jsonl(SAMPLES / "chats.jsonl")
    first = rows[0]["interaction_id"]
    damaged = [{**r, "interaction_id": digits} if r["interaction_id"] == first else r
               for r in rows]
    text = "\n".join(dumps(r) for r in damaged)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "chats.jsonl"
        target.write_text(text, encoding="utf-8")
        conv = read(target)
    check_counts(conv)
    assert digits.digits in set(conv.interactions["interaction_id"])
    assert conv.counts["interactions_in"] == read(SAMPLES / "chats.jsonl").counts[
        "interactions_in"]


# ---------------------------------------------------------------- CSV and Parquet


@pytest.mark.slow
def test_bad_cells_in_a_csv_turn_table_reject_their_rows(tmp_path: Path) -> None:
    frame = pd.read_csv(SAMPLES / "calls.csv", dtype=str, keep_default_na=False)
    clean = read(SAMPLES / "calls.csv")
    target = tmp_path / "calls.csv"

    @FEW
    @given(row=st.integers(0, len(frame) - 1),
           cell=st.one_of(st.tuples(st.just("start_s"), bad_number_texts()),
                          st.tuples(st.just("end_s"), bad_number_texts()),
                          st.tuples(st.just("turn_index"), bad_number_texts()),
                          st.tuples(st.just("started_at"), out_of_range_dates())))
    def run(row: int, cell: tuple[str, str]) -> None:
        fld, value = cell
        damaged = frame.copy()
        if fld == "started_at":  # an interaction-level value, given on each of its rows
            damaged.loc[frame["interaction_id"] == frame.loc[row, "interaction_id"], fld] = value
        else:
            damaged.loc[row, fld] = value
        damaged.to_csv(target, index=False)
        conv = read(target)
        check_counts(conv)
        check_nothing_lost(clean, conv)
        iid = frame.loc[row, "interaction_id"]
        if fld == "started_at":  # an interaction-level field: the interaction is rejected
            mine = conv.rejects[conv.rejects["record"] == f"interaction {iid}"]
            assert set(mine["code"]) == {"bad_timestamp"}
            assert "out of range" in mine["reason"].iloc[0]
        else:
            mine = conv.rejects[conv.rejects["record"] == f"row {row + 1}"]
            assert set(mine["code"]) & {"bad_number", "bad_turn_index"}, conv.rejects

    run()


def test_bad_values_in_a_parquet_turn_table_reject_their_rows(tmp_path: Path) -> None:
    import datetime as dt

    base = sa.read(SAMPLES / "chats.jsonl").turns.drop(columns=["source", "record"])
    base = base.astype({"timestamp": "datetime64[us, UTC]"})
    target = tmp_path / "chats.parquet"
    base.to_parquet(target)
    clean = read(target)

    @FEW
    @given(row=st.integers(0, len(base) - 1),
           when=st.sampled_from([dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
                                 dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                                 dt.datetime(2500, 6, 1, tzinfo=dt.UTC)]),
           end=st.sampled_from([math.inf, -math.inf, 1e300]))
    def run(row: int, when: dt.datetime, end: float) -> None:
        damaged = base.copy()
        damaged["timestamp"] = damaged["timestamp"].astype(object)
        damaged.loc[row, "timestamp"] = when
        damaged["timestamp"] = pd.array(damaged["timestamp"].tolist(),
                                        dtype="datetime64[us, UTC]")
        damaged.loc[(row + 1) % len(base), "end_s"] = end
        damaged.to_parquet(target)
        conv = read(target)
        check_counts(conv)
        check_nothing_lost(clean, conv)
        codes = dict(zip(conv.rejects["record"], conv.rejects["code"], strict=True))
        assert codes[f"row {row + 1}"] == "bad_timestamp"
        assert codes[f"row {(row + 1) % len(base) + 1}"] in NUMBER_CODES

    run()


# ---------------------------------------------------------------- text formats


def test_placeholder_dates_in_text_formats_are_rejected(tmp_path: Path) -> None:
    for date in SENTINEL_DATES:
        if int(date[:4]) < 1000:  # RFC 2822 reads year 0001 as 2001
            date = "1000" + date[4:]
        eml = (FIX / "email/top_posted.eml").read_bytes().decode("utf-8")
        lines = [("Date: " + _rfc2822(date)) if line.startswith("Date:") else line
                 for line in eml.splitlines()]
        target = tmp_path / "mail.eml"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        conv = read(target, **EMAIL)
        check_counts(conv)
        assert conv.rejects["code"].tolist() == ["bad_timestamp"]
        assert "out of range" in conv.rejects["reason"].iloc[0]

        txt = (SAMPLES / "transcripts.txt").read_text(encoding="utf-8")
        target = tmp_path / "transcripts.txt"
        target.write_text(txt.replace("2026-03-11T10:30:00Z", date, 1), encoding="utf-8")
        clean = read(SAMPLES / "transcripts.txt")
        conv = read(target)
        check_counts(conv)
        check_nothing_lost(clean, conv)
        assert "bad_timestamp" in set(conv.rejects["code"])


def _rfc2822(iso: str) -> str:
    year = int(iso[:4])
    return f"Fri, 31 Dec {year:04d} 23:59:59 +0000"


def test_absurd_caption_offsets_are_rejected(tmp_path: Path) -> None:
    target = tmp_path / "call.vtt"
    target.write_text("WEBVTT\n\n999999:00:01.000 --> 999999:00:04.000\n<v Agent>Hello, "
                      "how can I help?\n\n00:00:05.000 --> 00:00:07.000\n<v Customer>My bill "
                      "is wrong.\n", encoding="utf-8")
    conv = read(target)
    check_counts(conv)
    assert conv.rejects["code"].tolist() == ["bad_number"]
    assert "30 days" in conv.rejects["reason"].iloc[0]
    assert conv.turns["text"].tolist() == ["My bill is wrong."]


# ---------------------------------------------------------------- declared charsets

CHARSET_FILES = [
    # (file, a word of a text field, options)
    (SAMPLES / "calls.csv", b"Tidewell", {}),
    (SAMPLES / "chats.jsonl", b"Barista", {}),
    (SAMPLES / "transcripts.txt", b"Tidewell", {}),
    (FIX / "captions/call.vtt", b"Acme", {}),
    (FIX / "captions/billing.srt", b"Acme", {}),
    (FIX / "email/top_posted.eml", b"Subject:", EMAIL),
    (FIX / "email/support.mbox", b"Subject:", EMAIL),
    (FIX / "aws/transcribe_call.json", b"Northwind", {}),
    (FIX / "aws/contact_lens_chat.json", b"Content\": \"", {}),
    (FIX / "aws/pca_call.json", b"OriginalText\": \"", {}),
    (FIX / "genesys/call_transfer.json", b"contoso", {}),
    (FIX / "insights/call_conversation.json", b"Northwind", {}),
    (FIX / "helpdesk/zendesk_ticket_comments.json", b"parcel", {}),
    (FIX / "helpdesk/freshdesk_tickets.json", b"router", {}),
    (FIX / "messages/forum.jsonl", b"router", MESSAGES),
    (FIX / "messages/staff.csv", b"order", {"agent_ids": ["support_joe"]}),
]


@pytest.mark.parametrize("charset", NON_TEXT_CODECS)
def test_a_declared_charset_that_is_no_text_encoding_is_ignored(tmp_path: Path,
                                                                charset: str) -> None:
    target = tmp_path / "calls.csv"
    target.write_bytes(with_charset((SAMPLES / "calls.csv").read_bytes(), b"Tidewell",
                                    charset))
    with pytest.warns(DecodingWarning, match=f"declares, '{charset}', is not a text encoding"):
        assert decide_encoding(target) == ("utf-8", "replace")
    with pytest.raises(sa.ConfigError, match="not a known text encoding"):
        decide_encoding(target, charset)


@pytest.mark.parametrize(("source", "anchor", "options"), CHARSET_FILES,
                         ids=[c[0].name for c in CHARSET_FILES])
@given(charset=bad_charsets())
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_reader_reads_a_file_declaring_a_non_text_charset(
        tmp_path: Path, source: Path, anchor: bytes, options: dict[str, Any],
        charset: str) -> None:
    clean = read(source, **options)
    target = tmp_path / source.name
    target.write_bytes(with_charset(source.read_bytes(), anchor, charset))
    conv = read(target, **options)
    check_counts(conv)
    assert conv.counts["interactions_in"] == clean.counts["interactions_in"]
    assert len(conv) == len(clean)


def test_intercom_line_with_undecodable_bytes_is_rejected_naming_the_line(
        tmp_path: Path) -> None:
    """Intercom JSON Lines are decoded line by line as UTF-8: a line with other bytes is
    rejected as a whole (its conversation is not counted as an interaction)."""
    source = FIX / "helpdesk/intercom_conversations.jsonl"
    target = tmp_path / source.name
    target.write_bytes(with_charset(source.read_bytes(), b"invoice", "bz2"))
    conv = read(target)
    check_counts(conv)
    assert len(conv) == len(read(source)) - 1
    assert conv.rejects[["record", "code"]].values.tolist() == [["line 1",
                                                                 "malformed_line"]]
    assert "not UTF-8" in conv.rejects["reason"].iloc[0]


# ---------------------------------------------------------------- whole files


def test_unreadable_files_in_a_folder_become_rejects(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_bytes((SAMPLES / "calls.csv").read_bytes())
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    call = (FIX / "genesys/call_transfer.json").read_text(encoding="utf-8")
    (tmp_path / "truncated.json").write_text(call[:3000], encoding="utf-8")
    (tmp_path / "nocues.vtt").write_text("WEBVTT\n\nnothing here\n", encoding="utf-8")
    conv = sa.read(tmp_path)
    check_counts(conv)
    assert len(conv) == len(sa.read(SAMPLES / "calls.csv"))
    bad = conv.rejects.set_index("source")
    assert set(bad["code"]) == {"file_unreadable"}
    assert set(bad.index) == {str(tmp_path / n) for n in
                              ("empty.csv", "other.json", "truncated.json", "nocues.vtt")}
    assert "the file is empty" in bad.loc[str(tmp_path / "empty.csv"), "reason"]
    assert "cannot tell the format" in bad.loc[str(tmp_path / "other.json"), "reason"]
    assert "not valid JSON" in bad.loc[str(tmp_path / "truncated.json"), "reason"]
    assert "no caption cues" in bad.loc[str(tmp_path / "nocues.vtt"), "reason"]

    chunks = list(sa.stream(tmp_path, chunk_size=2))
    assert sum(len(c) for c in chunks) == len(conv)
    streamed = pd.concat([c.rejects for c in chunks], ignore_index=True)
    assert sorted(streamed["source"]) == sorted(bad.index)
    assert set(streamed["code"]) == {"file_unreadable"}


def test_one_named_unreadable_file_still_raises(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(sa.FormatError, match="empty") as info:
        sa.read(empty)
    assert info.value.source == str(empty)
    with pytest.raises(sa.FormatError, match="empty"):
        list(sa.stream(empty))


def test_a_list_of_files_reads_past_an_unreadable_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    conv = sa.read([empty, SAMPLES / "calls.csv"])
    assert len(conv) == 5
    assert conv.rejects[["source", "code"]].values.tolist() == [[str(empty),
                                                                 "file_unreadable"]]


def test_option_errors_are_not_turned_into_file_rejects(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes((SAMPLES / "calls.csv").read_bytes())
    (tmp_path / "b.csv").write_bytes((SAMPLES / "calls.csv").read_bytes())
    with pytest.raises(sa.ConfigError, match="encoding"):
        sa.read(tmp_path, encoding="bz2")
