"""The vendors' own sample exports of tickets and messages (``../shared/data/vendor_samples``).

Folders ``zendesk``, ``freshdesk``, ``intercom`` and ``messages`` (each has a
``SOURCES.md``). Every file is read without ``format=`` and its turns are
compared with values taken from the raw file here, with the standard library:
role, speaker, text and time of up to three turns per file, and what happens to
every other record (a private note counted, a repeated ticket rejected with its
turns). The tests skip when the shared data folder is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import serviceart as sa

HANDLED = {
    "zendesk": {"go-zendesk_GET_search_ticket.json", "go-zendesk_GET_ticket.json",
                "go-zendesk_GET_ticket_comments.json", "go-zendesk_GET_tickets.json",
                "zendesk_ticket_plus_comments.json"},
    "freshdesk": {"freshdesk_ticket_include_conversations.json", "v1_ticket_1.json",
                  "v2_conversations.json", "v2_search_tickets.json", "v2_ticket_1.json"},
    "intercom": {"intercom_api2.11_close_conversation.json",
                 "intercom_api2.11_reply_admin_note.json", "intercom_api2.11_reply_user.json",
                 "intercom_api2.11_retrieve_conversation.json",
                 "intercom_api2.11_update_conversation.json"},
    "messages": {"sample.csv"},
}


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    folder = shared_data / "vendor_samples"
    if not folder.exists():
        pytest.skip(f"{folder} is not there")
    return folder


def raw(samples: Path, folder: str, name: str) -> Any:
    return json.loads((samples / folder / name).read_text(encoding="utf-8"))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def turn(conv: sa.Conversations, iid: str, k: int) -> dict[str, Any]:
    t = conv.turns[conv.turns["interaction_id"] == iid].reset_index(drop=True)
    row = t.iloc[k]
    return {"role": str(row["role"]), "speaker": row["speaker"], "text": row["text"],
            "timestamp": row["timestamp"]}


def n_turns(conv: sa.Conversations, iid: str) -> int:
    return int((conv.turns["interaction_id"] == iid).sum())


def counts_add_up(conv: sa.Conversations) -> None:
    c = conv.counts
    assert c["interactions_in"] == c["interactions_valid"] + c["interactions_rejected"]
    assert c["turns_in"] == c["turns_valid"] + c["turns_rejected"]


def test_every_sample_file_is_covered(samples: Path) -> None:
    for folder, names in HANDLED.items():
        found = {p.name for p in (samples / folder).iterdir() if p.name != "SOURCES.md"}
        assert found == names, folder


# ------------------------------------------------------------------ zendesk


def test_zendesk_single_ticket(samples: Path) -> None:
    t = raw(samples, "zendesk", "go-zendesk_GET_ticket.json")["ticket"]
    conv = sa.read(samples / "zendesk" / "go-zendesk_GET_ticket.json")
    assert conv.rejects.empty and conv.interactions["interaction_id"].tolist() == ["2"]
    assert turn(conv, "2", 0) == {"role": "customer", "speaker": str(t["submitter_id"]),
                                  "text": t["description"].strip(),
                                  "timestamp": utc(t["created_at"])}
    row = conv.interactions.iloc[0]
    assert (row["channel"], row["customer_id"], row["agent_id"]) == (
        "email", str(t["requester_id"]), str(t["assignee_id"]))


def test_zendesk_tickets_response(samples: Path) -> None:
    tickets = raw(samples, "zendesk", "go-zendesk_GET_tickets.json")["tickets"]
    conv = sa.read(samples / "zendesk" / "go-zendesk_GET_tickets.json")
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == [str(t["id"]) for t in tickets]
    for t in tickets:
        assert turn(conv, str(t["id"]), 0) == {
            "role": "customer", "speaker": str(t["submitter_id"]),
            "text": t["description"].strip(), "timestamp": utc(t["created_at"])}
    web = conv.interactions.set_index("interaction_id").loc["3"]
    assert (web["channel"], web["zendesk_channel"]) == ("email", "web")


def test_zendesk_search_response(samples: Path) -> None:
    t = raw(samples, "zendesk", "go-zendesk_GET_search_ticket.json")["results"][0]
    conv = sa.read(samples / "zendesk" / "go-zendesk_GET_search_ticket.json")
    assert conv.rejects.empty and conv.interactions["interaction_id"].tolist() == ["4"]
    assert turn(conv, "4", 0) == {"role": "customer", "speaker": str(t["requester_id"]),
                                  "text": t["description"], "timestamp": utc(t["created_at"])}
    assert conv.interactions.loc[0, "zendesk_priority"] == "urgent"
    assert pd.isna(conv.interactions.loc[0, "agent_id"])  # nobody assigned, no agent wrote


def test_zendesk_ticket_plus_comments(samples: Path) -> None:
    doc = raw(samples, "zendesk", "zendesk_ticket_plus_comments.json")
    conv = sa.read(samples / "zendesk" / "zendesk_ticket_plus_comments.json")
    assert conv.rejects.empty and n_turns(conv, "2") == len(doc["comments"]) == 2
    for k, c in enumerate(doc["comments"]):
        assert turn(conv, "2", k) == {"role": "customer", "speaker": str(c["author_id"]),
                                      "text": c["body"], "timestamp": utc(c["created_at"])}
    assert not conv.interactions.loc[0, "roles_inferred"]


def test_zendesk_comments_only_response_is_one_ticket(samples: Path) -> None:
    """F7: the List Comments response has no ticket; it is read as one ticket's thread."""
    path = samples / "zendesk" / "go-zendesk_GET_ticket_comments.json"
    comments = raw(samples, "zendesk", path.name)["comments"]
    assert sa.sniff(path) == "zendesk"
    conv = sa.read(path)
    assert conv.rejects.empty
    # no ticket_id in the comments and no ticket address in the paging links: the file name
    iid = path.stem
    assert conv.interactions["interaction_id"].tolist() == [iid]
    for k, c in enumerate(comments):
        assert turn(conv, iid, k) == {"role": "customer", "speaker": str(c["author_id"]),
                                      "text": c["body"], "timestamp": utc(c["created_at"])}
    row = conv.interactions.iloc[0]
    assert (bool(row["roles_inferred"]), row["role_basis"], row["role_confidence"]) == (
        True, "first_comment_author", "low")
    assert row["started_at"] == utc(comments[0]["created_at"])


def test_zendesk_comments_only_ids_and_roles(samples: Path, tmp_path: Path) -> None:
    """The ticket id comes from ``ticket_id`` or a paging link; users give the roles."""
    doc = raw(samples, "zendesk", "go-zendesk_GET_ticket_comments.json")
    agent = {**doc["comments"][1], "author_id": 9001}
    linked = {"comments": [doc["comments"][0], agent],
              "next_page": "https://x.zendesk.com/api/v2/tickets/77/comments.json?page=2",
              "users": [{"id": 377922500012, "role": "end-user"},
                        {"id": 9001, "role": "agent"}]}
    (tmp_path / "page1.json").write_text(json.dumps(linked))
    conv = sa.read(tmp_path / "page1.json")
    assert conv.interactions["interaction_id"].tolist() == ["77"]
    assert conv.turns["role"].astype(str).tolist() == ["customer", "agent"]
    assert not conv.interactions.loc[0, "roles_inferred"]
    two = {"comments": [{**doc["comments"][0], "ticket_id": 5},
                        {**doc["comments"][1], "ticket_id": 6}]}
    (tmp_path / "two.json").write_text(json.dumps(two))
    conv = sa.read(tmp_path / "two.json", format="zendesk", agent_ids=[9001])
    assert conv.interactions["interaction_id"].tolist() == ["5", "6"]
    # agent_ids given: unlisted authors are customers, nothing is inferred
    assert conv.turns["role"].astype(str).tolist() == ["customer", "customer"]


# ------------------------------------------------------------------ freshdesk


def test_freshdesk_ticket(samples: Path) -> None:
    t = raw(samples, "freshdesk", "v2_ticket_1.json")
    conv = sa.read(samples / "freshdesk" / "v2_ticket_1.json")
    assert conv.rejects.empty and conv.interactions["interaction_id"].tolist() == ["1"]
    assert turn(conv, "1", 0) == {"role": "customer", "speaker": str(t["requester_id"]),
                                  "text": t["description_text"],
                                  "timestamp": utc(t["created_at"])}


def test_freshdesk_ticket_with_conversations(samples: Path) -> None:
    t = raw(samples, "freshdesk", "freshdesk_ticket_include_conversations.json")
    conv = sa.read(samples / "freshdesk" / "freshdesk_ticket_include_conversations.json")
    assert conv.rejects.empty and n_turns(conv, "1") == 2
    assert turn(conv, "1", 0)["text"] == t["description_text"]
    note, reply = t["conversations"]
    assert note["private"] and not reply["private"]
    assert turn(conv, "1", 1) == {"role": "agent", "speaker": str(reply["user_id"]),
                                  "text": reply["body_text"],
                                  "timestamp": utc(reply["created_at"])}
    assert conv.interactions.loc[0, "private_notes"] == 1


def test_freshdesk_conversations_list_is_one_ticket(samples: Path) -> None:
    """F7: the List Conversations response is one ticket's thread, not tickets."""
    path = samples / "freshdesk" / "v2_conversations.json"
    convs = raw(samples, "freshdesk", path.name)
    assert sa.sniff(path) == "freshdesk"
    conv = sa.read(path)
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == [str(convs[0]["ticket_id"])]
    reply = convs[1]
    assert n_turns(conv, "1") == 1  # the other conversation is a private note
    assert turn(conv, "1", 0) == {"role": "agent", "speaker": str(reply["user_id"]),
                                  "text": reply["body_text"],
                                  "timestamp": utc(reply["created_at"])}
    row = conv.interactions.iloc[0]
    assert (row["private_notes"], row["started_at"]) == (1, utc(reply["created_at"]))
    # the same list read as the conversations of a ticket gives the same turn
    whole = sa.read(samples / "freshdesk" / "freshdesk_ticket_include_conversations.json")
    assert turn(whole, "1", 1) == turn(conv, "1", 0)


def test_freshdesk_conversations_of_several_tickets(tmp_path: Path) -> None:
    convs = [{"id": 1, "ticket_id": 10, "incoming": True, "private": False, "user_id": 5,
              "body_text": "My order is late.", "created_at": "2024-03-01T09:00:00Z"},
             {"id": 2, "ticket_id": 11, "incoming": False, "private": False, "user_id": 7,
              "body_text": "Your refund is on its way.", "created_at": "2024-03-01T10:00:00Z"},
             {"id": 3, "ticket_id": 10, "incoming": False, "private": False, "user_id": 7,
              "body_text": "It ships today.", "created_at": "2024-03-01T09:30:00Z"}]
    (tmp_path / "convs.json").write_text(json.dumps(convs))
    conv = sa.read(tmp_path / "convs.json", format="freshdesk", channel="chat")
    assert conv.interactions["interaction_id"].tolist() == ["10", "11"]
    assert conv.turns["role"].astype(str).tolist() == ["customer", "agent", "agent"]
    assert conv.turns["record"].tolist()[0] == "conversations of ticket 10: ticket 10 " \
        "conversation 1"


def test_freshdesk_v1_helpdesk_ticket(samples: Path) -> None:
    """The deprecated API v1 wrapper ``helpdesk_ticket`` with ``notes``."""
    path = samples / "freshdesk" / "v1_ticket_1.json"
    t = raw(samples, "freshdesk", path.name)["helpdesk_ticket"]
    assert sa.sniff(path) == "freshdesk"
    conv = sa.read(path)
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == [str(t["display_id"])]
    assert turn(conv, "1", 0) == {"role": "customer", "speaker": str(t["requester_id"]),
                                  "text": t["description"], "timestamp": utc(t["created_at"])}
    note = t["notes"][0]["note"]
    assert turn(conv, "1", 1) == {"role": "agent", "speaker": str(note["user_id"]),
                                  "text": note["body"], "timestamp": utc(note["created_at"])}
    row = conv.interactions.iloc[0]
    assert (row["freshdesk_type"], row["freshdesk_status"], row["agent_id"]) == (
        t["ticket_type"], "Open", str(t["responder_id"]))


def test_freshdesk_repeated_ticket_id_is_rejected_with_its_turns(samples: Path) -> None:
    """F8: both search results carry id 1; the second is rejected with its description."""
    path = samples / "freshdesk" / "v2_search_tickets.json"
    first, second = raw(samples, "freshdesk", path.name)["results"]
    conv = sa.read(path)
    assert conv.interactions["interaction_id"].tolist() == ["1"]
    assert n_turns(conv, "1") == 1
    assert turn(conv, "1", 0) == {"role": "customer", "speaker": str(first["requester_id"]),
                                  "text": first["description"],
                                  "timestamp": utc(first["created_at"])}
    assert second["description"] not in conv.turns["text"].tolist()
    assert conv.interactions.loc[0, "freshdesk_subject"] == first["subject"]
    rej = conv.rejects.set_index("record")
    assert set(rej["code"]) == {"duplicate_interaction"}
    assert rej.loc["results[1]: ticket 1 description", "interaction_id"] == "1"
    assert "interactions row 2" in rej.index
    counts_add_up(conv)
    # two turns came in, one is kept, and the rejected one has its reject row
    assert (conv.counts["turns_in"], conv.counts["turns_valid"],
            conv.counts["turns_rejected"]) == (2, 1, 1)


# ------------------------------------------------------------------ intercom


def _intercom_turns(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The turns expected from a conversation: its source and the parts with a body
    that are not notes, role by author type."""
    roles = {"admin": "agent", "user": "customer", "lead": "customer", "bot": "system"}
    items = [{**doc["source"], "created_at": doc["created_at"]}]
    items += [p for p in doc["conversation_parts"]["conversation_parts"]
              if p.get("body") and p.get("part_type") != "note"]
    return [{"role": roles[i["author"]["type"]], "speaker": i["author"]["id"],
             "text": i["body"].removeprefix("<p>").removesuffix("</p>"),
             "timestamp": pd.Timestamp(i["created_at"], unit="s", tz="UTC")}
            for i in items]


@pytest.mark.parametrize(("name", "notes"), [
    ("intercom_api2.11_close_conversation.json", 0),
    ("intercom_api2.11_reply_admin_note.json", 1),
    ("intercom_api2.11_reply_user.json", 0),
    ("intercom_api2.11_retrieve_conversation.json", 0),
    ("intercom_api2.11_update_conversation.json", 0),
])
def test_intercom_conversation(samples: Path, name: str, notes: int) -> None:
    doc = raw(samples, "intercom", name)
    conv = sa.read(samples / "intercom" / name)
    assert conv.rejects.empty
    iid = doc["id"]
    expected = _intercom_turns(doc)
    assert n_turns(conv, iid) == len(expected)
    for k, want in enumerate(expected[:3]):
        assert turn(conv, iid, k) == want
    row = conv.interactions.iloc[0]
    assert (row["private_notes"], row["customer_id"], row["channel"]) == (
        notes, doc["contacts"]["contacts"][0]["id"], "chat")


# ------------------------------------------------------------------ messages (Twitter)


def test_twitter_sample(samples: Path) -> None:
    path = samples / "messages" / "sample.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        tweets = {r["tweet_id"]: r for r in csv.DictReader(fh)}
    conv = sa.read(path)
    counts_add_up(conv)
    assert conv.counts["turns_in"] == len(tweets) == 93
    assert conv.counts["turns_valid"] + len(conv.rejects) == len(tweets)
    by_record = conv.turns.set_index("record")
    rows = {r["tweet_id"]: f"row {i}" for i, r in enumerate(tweets.values(), 1)}
    # three tweets: one with &amp;, one with &gt;, one plain
    for tid, text in (("119242", tweets["119242"]["text"].replace("&amp;", "&")),
                      ("119248", tweets["119248"]["text"].replace("&gt;", ">")),
                      ("119243", tweets["119243"]["text"])):
        t, got = tweets[tid], by_record.loc[rows[tid]]
        assert got["text"] == text
        assert str(got["role"]) == ("customer" if t["inbound"] == "True" else "agent")
        assert got["speaker"] == t["author_id"]
        assert got["timestamp"] == pd.Timestamp(t["created_at"]).tz_convert("UTC")
    assert "&amp;" in tweets["119242"]["text"]
    assert not conv.turns["text"].str.contains("&amp;|&gt;|&lt;").any()
