"""The help-desk readers: zendesk, intercom, freshdesk.

Fixtures under ``fixtures/helpdesk`` were written from the vendors' documented
JSON formats (see each reader's module docstring): ``zendesk_export.json`` is an
Admin Center style NDJSON export (three tickets), ``zendesk_ticket_comments.json``
the ticket + comments API call with side-loaded users, ``intercom_conversations.jsonl``
three conversations one per line, ``freshdesk_tickets.json`` an array of two
tickets viewed with ``include=conversations``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
import serviceart.readers.freshdesk  # registers the reader
import serviceart.readers.intercom  # registers the reader
import serviceart.readers.zendesk  # registers the reader
from serviceart.readers import helpdesk
from serviceart.readers.freshdesk import FreshdeskReader
from serviceart.readers.intercom import IntercomReader
from serviceart.readers.zendesk import ZendeskReader
from serviceart.testing import check_reader

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "helpdesk"
ROOT = HERE.parent.parent
ZD = FIX / "zendesk_export.json"
ZD_PAIR = FIX / "zendesk_ticket_comments.json"
IC = FIX / "intercom_conversations.jsonl"
FD = FIX / "freshdesk_tickets.json"
GOOD = {"zendesk": ZD, "intercom": IC, "freshdesk": FD}
READERS = {"zendesk": ZendeskReader, "intercom": IntercomReader, "freshdesk": FreshdeskReader}


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def write_lines(path: Path, objs: list[Any]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def of(conv: sa.Conversations, iid: str) -> pd.DataFrame:
    return conv.turns[conv.turns["interaction_id"] == iid].reset_index(drop=True)


def row(conv: sa.Conversations, iid: str) -> pd.Series:
    return conv.interactions.set_index("interaction_id").loc[iid]


def roles(turns: pd.DataFrame) -> list[str]:
    return turns["role"].astype(str).tolist()


def rejects(conv: sa.Conversations) -> list[tuple[str, str | None, str]]:
    return [(r.record, None if pd.isna(r.field) else r.field, r.code)
            for r in conv.rejects.itertuples()]


# ------------------------------------------------------------------ registry and sniffing


def test_readers_are_registered() -> None:
    assert {"zendesk", "intercom", "freshdesk"} <= set(sa.list_readers())


@pytest.mark.parametrize(("path", "name"), [
    (ZD, "zendesk"), (ZD_PAIR, "zendesk"), (IC, "intercom"), (FD, "freshdesk")])
def test_sniff_fixtures(path: Path, name: str) -> None:
    assert sa.sniff(path) == name


def test_sniff_scores() -> None:
    heads = {n: p.read_text()[:8192] for n, p in GOOD.items()}
    for name, cls in READERS.items():
        for other, head in heads.items():
            assert cls.sniff(Path("x.json"), head) == (0.9 if other == name else 0.1)
            assert cls.sniff(Path("x.jsonl"), head) == (0.9 if other == name else 0.1)
            assert cls.sniff(Path("x.txt"), head) == 0.0
        assert cls.sniff(Path("x.ndjson"), '{"orders": []}') == 0.1


def test_no_other_fixture_is_claimed() -> None:
    others = [p for d in (HERE / "fixtures", ROOT / "data" / "samples") for p in d.rglob("*")
              if p.is_file() and "helpdesk" not in p.parts]
    assert len(others) > 20
    for p in others:
        try:
            name = sa.sniff(p)
        except sa.ServiceartError:
            continue
        assert name not in READERS, p


# ------------------------------------------------------------------ zendesk


def test_zendesk_export() -> None:
    conv = sa.read(ZD)
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == ["4101", "4102", "4103"]
    assert len(conv.turns) == 10
    t = of(conv, "4101")
    assert roles(t) == ["customer", "agent", "customer", "agent"]
    assert t["speaker"].tolist() == ["9001", "7001", "9001", "7002"]  # reassigned to 7002
    assert t["record"].tolist() == [f"line 1: ticket 4101 comment {c}"
                                    for c in (50001, 50002, 50004, 50005)]
    assert t["timestamp"].tolist() == [ts("2024-05-06 08:00"), ts("2024-05-06 08:30"),
                                       ts("2024-05-09 10:00"), ts("2024-05-09 11:30")]
    # html_body only: <p>, <br>, entities converted; the quoted reply and signature removed
    assert t.loc[1, "text"] == ("Hi Maria,\n\nI'm sorry about the cracked screen & the hassle.\n"
                                "I have opened a replacement request and I'll update you by "
                                "Friday.")
    assert t.loc[1, "removed_text"].startswith("Best regards,\nDana\n\nOn Mon, 6 May 2024")
    assert t.loc[1, "removed_text"].endswith("arrived with a cracked screen.")
    assert t.loc[3, "text"] == ("Hi Maria, I have taken over your ticket. The replacement "
                                "ships today and the tracking number follows by email.")
    assert t.loc[3, "removed_text"] == (
        "On Thu, 9 May 2024 at 10:00, Maria <maria@example.com> wrote:\n"
        "> Any news on my replacement? It has been three days.")
    assert t.loc[2, "text"] == "Any news on my replacement? It has been three days."
    r = row(conv, "4101")
    assert (r["channel"], r["case_id"], r["customer_id"], r["agent_id"]) == (
        "email", "4101", "9001", "7002")
    assert r["started_at"] == ts("2024-05-06 08:00")
    assert r["private_notes"] == 1
    assert (r["zendesk_status"], r["zendesk_priority"], r["zendesk_type"]) == (
        "solved", "normal", "incident")
    assert (r["zendesk_tags"], r["zendesk_channel"], r["zendesk_group_id"]) == (
        "replacement,hardware", "email", "360001")
    assert (r["zendesk_organization_id"], r["zendesk_satisfaction"]) == ("88", "offered")
    assert row(conv, "4102")["channel"] == "chat"  # native_messaging
    assert row(conv, "4103")["channel"] == "email"  # web form
    assert pd.isna(row(conv, "4102")["zendesk_organization_id"])
    # chat bodies are not quote-stripped
    assert of(conv, "4102")["removed_text"].tolist() == ["", "", ""]


def test_zendesk_requester_guess_and_agent_ids() -> None:
    # no side-loaded users: any author other than the requester counts as an agent
    assert roles(of(sa.read(ZD), "4103")) == ["customer", "agent", "agent"]
    fixed = sa.read(ZD, agent_ids=[7001, "7002"])
    assert roles(of(fixed, "4103")) == ["customer", "agent", "customer"]
    assert roles(of(fixed, "4101")) == ["customer", "agent", "customer", "agent"]
    by_id = sa.read(ZD, roles={"9100": "customer"})
    assert roles(of(by_id, "4103")) == ["customer", "agent", "customer"]


def test_zendesk_side_loaded_users() -> None:
    conv = sa.read(ZD_PAIR, format="zendesk")
    t = of(conv, "4200")
    # 9201 is not the requester but an end-user by the side-loaded role
    assert roles(t) == ["customer", "agent", "customer"]
    assert t["record"].tolist() == [f"ticket 4200 comment {c}" for c in (60001, 60002, 60003)]
    r = row(conv, "4200")
    assert (r["channel"], r["zendesk_channel"], r["agent_id"]) == ("social", "twitter", "7001")
    swapped = sa.read(ZD_PAIR, roles={"end-user": "agent", "agent": "customer"})
    assert roles(of(swapped, "4200")) == ["agent", "customer", "agent"]


def test_zendesk_private_notes_as_system() -> None:
    conv = sa.read(ZD, private_notes="system")
    t = of(conv, "4101")
    assert roles(t) == ["customer", "agent", "system", "customer", "agent"]
    assert t.loc[2, "text"] == "Escalating to the hardware team; reassigning to Sam."
    assert t.loc[2, "record"] == "line 1: ticket 4101 comment 50003"
    assert row(conv, "4101")["private_notes"] == 1


def test_zendesk_tickets_response_and_description(tmp_path: Path) -> None:
    tickets = lines(ZD)
    users = [{"id": 9100, "role": "end-user"}, {"id": 7001, "role": "agent"}]
    plain = {k: v for k, v in tickets[1].items() if k != "comments"}
    plain["description"] = "Hello, I can't log in to my account."
    doc = {"tickets": [tickets[2], plain], "users": users, "count": 2}
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(doc, indent=2))
    conv = sa.read(path)
    assert conv.rejects.empty
    assert roles(of(conv, "4103")) == ["customer", "agent", "customer"]
    assert of(conv, "4103")["record"].tolist()[0] == "tickets[0]: ticket 4103 comment 50021"
    t = of(conv, "4102")  # no comments: the description is the one turn
    assert (t["text"].tolist(), roles(t), t["speaker"].tolist()) == (
        ["Hello, I can't log in to my account."], ["customer"], ["9002"])
    assert t.loc[0, "timestamp"] == ts("2024-05-07 14:00")


def test_zendesk_audits_response(tmp_path: Path) -> None:
    """A List Audits response: each Comment event is a comment of the audit's ticket."""
    audit = {"author_id": 5246746, "created_at": "2011-09-25T22:35:44Z", "id": 1, "ticket_id": 666,
             "via": {"channel": "web"},
             "events": [{"id": 11, "type": "Comment", "author_id": 9001, "public": True,
                         "body": "My invoice shows the wrong VAT number.",
                         "html_body": "<p>My invoice shows the wrong VAT number.</p>"},
                        {"id": 12, "type": "Change", "field_name": "status",
                         "previous_value": "new", "value": "open"}]}
    reply = {"author_id": 7001, "created_at": "2011-09-26T09:00:00Z", "id": 2, "ticket_id": 666,
             "events": [{"id": 21, "type": "Comment", "public": True,
                         "body": "Corrected; a new invoice is attached.",
                         "html_body": "<p>Corrected; a new invoice is attached.</p>"},
                        {"id": 22, "type": "Notification", "body": "Your request was updated"}]}
    path = tmp_path / "audits.json"
    path.write_text(json.dumps({"audits": [audit, reply], "count": 2, "next_page": None}))
    assert sa.sniff(path) == "zendesk"
    conv = sa.read(path, agent_ids=[7001])
    assert conv.rejects.empty and conv.interactions["interaction_id"].tolist() == ["666"]
    t = of(conv, "666")
    assert (roles(t), t["speaker"].tolist(), t["record"].tolist()) == (
        ["customer", "agent"], ["9001", "7001"], ["ticket 666 comment 11", "ticket 666 comment 21"])
    assert t["text"].tolist() == ["My invoice shows the wrong VAT number.",
                                  "Corrected; a new invoice is attached."]
    assert t["timestamp"].tolist() == [ts("2011-09-25 22:35:44"), ts("2011-09-26 09:00")]


def test_freshdesk_v1_list_and_damaged_notes(tmp_path: Path) -> None:
    ticket = {"display_id": 41, "id": 5007268700, "requester_id": 9, "responder_id": 7,
              "source": 1, "status": 2, "created_at": "2015-02-01T09:00:00+10:00",
              "description": "My invoice is missing.",
              "description_html": "<div>My invoice is missing.</div>", "ticket_type": "Problem",
              "notes": [{"note": {"id": 1, "body": "Sent again today.", "incoming": False,
                                  "private": False, "user_id": 7,
                                  "body_html": "<div>Sent again today.</div>",
                                  "created_at": "2015-02-01T10:00:00+10:00"}}, "oops"]}
    broken = {**ticket, "display_id": 42, "notes": {"note": {}}}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps([{"helpdesk_ticket": ticket}, {"helpdesk_ticket": broken}]))
    assert sa.sniff(path) == "freshdesk"
    conv = sa.read(path)
    assert conv.interactions["interaction_id"].tolist() == ["41", "42"]
    assert of(conv, "41")["text"].tolist() == ["My invoice is missing.", "Sent again today."]
    assert roles(of(conv, "41")) == ["customer", "agent"]
    assert of(conv, "41")["timestamp"].tolist() == [ts("2015-01-31 23:00"), ts("2015-02-01 00:00")]
    assert rejects(conv) == [("[0]: ticket 41 conversations[1]", None, "malformed_record"),
                             ("[1]: ticket 42", "conversations", "malformed_record")]


def test_zendesk_audit_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    audit = {"ticket_id": 9, "author_id": 3, "created_at": "2024-01-02T10:00:00Z",
             "events": [{"id": 1, "type": "Comment", "public": True, "plain_body": "Hello"}]}
    path = tmp_path / "audits.json"
    path.write_text(json.dumps({"audits": [audit, "junk"]}))
    conv = sa.read(path, format="zendesk")
    assert conv.interactions["interaction_id"].tolist() == ["9"]
    assert of(conv, "9")["text"].tolist() == ["Hello"]
    assert rejects(conv) == [("ticket 9 comments[1]", None, "malformed_record")]


# ------------------------------------------------------------------ intercom


def test_intercom_conversations() -> None:
    conv = sa.read(IC)
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == ["215470001", "215470002",
                                                            "215470003"]
    assert len(conv.turns) == 9
    t = of(conv, "215470001")
    # the bot is a system turn, assignment/close events are not turns, the note is skipped
    assert roles(t) == ["customer", "system", "agent", "customer", "agent"]
    assert t["speaker"].tolist() == ["64a1", "7770", "5001", "64a1", "5002"]
    assert t["record"].tolist() == [
        "line 1: conversation 215470001 source",
        *[f"line 1: conversation 215470001 part {p}" for p in (9001, 9003, 9006, 9007)]]
    assert t["timestamp"].tolist() == [ts("2024-05-06 10:00"), ts("2024-05-06 10:00:05"),
                                       ts("2024-05-06 10:04"), ts("2024-05-09 09:00"),
                                       ts("2024-05-09 09:20")]
    assert t.loc[2, "text"] == ("Hi Lena, sorry about that \u2014 I can see the duplicate "
                                "charge.\nI've started the refund and I'll update you by Friday.")
    assert t.loc[4, "text"] == "Hi Lena, the refund of \u20ac49.00 was issued today."
    r = row(conv, "215470001")
    assert (r["channel"], r["customer_id"], r["agent_id"], r["intercom_team_id"]) == (
        "chat", "64a1", "5002", "814")
    assert r["started_at"] == ts("2024-05-06 10:00")
    assert (r["private_notes"], r["intercom_tags"], r["intercom_rating"]) == (
        1, "billing,refund", 5.0)
    assert (r["intercom_time_to_reply_s"], r["intercom_reopens"]) == (240.0, 1.0)
    assert (r["intercom_state"], r["intercom_delivered_as"]) == ("closed", "customer_initiated")


def test_intercom_email_quotes_and_lead() -> None:
    conv = sa.read(IC, format="intercom")
    t = of(conv, "215470002")
    assert t["text"].tolist() == ["I never received the reset email, can you resend it?",
                                  "Done, I have resent it. It can take up to 10 minutes to "
                                  "arrive."]
    assert t["removed_text"].tolist() == [
        "On Tue, 7 May 2024 at 08:00, Acme Support <help@acme.io> wrote:\n\n"
        "Click the link below to reset your password.", "Best,\nDana"]
    r = row(conv, "215470002")
    assert (r["channel"], r["intercom_subject"]) == ("email", "Password reset")
    assert roles(of(conv, "215470003")) == ["customer", "agent"]  # a lead is a customer
    assert row(conv, "215470003")["customer_id"] == "66c3"
    assert row(conv, "215470003")["agent_id"] == "5003"  # no assignee: the first agent
    kept = sa.read(IC, strip_quotes=False)
    assert of(kept, "215470002").loc[1, "text"].endswith("Best,\nDana")


def test_intercom_role_options() -> None:
    conv = sa.read(IC, roles={"bot": "agent"}, private_notes="system")
    t = of(conv, "215470001")
    assert roles(t) == ["customer", "agent", "agent", "system", "customer", "agent"]
    assert t.loc[3, "text"] == "Refund ticket FIN-221 raised; handing over to Sam."
    assert roles(of(sa.read(IC, agent_ids=["7770"]), "215470001"))[1] == "agent"
    assert roles(of(sa.read(IC, roles={"64a1": "system"}), "215470001"))[0] == "system"


def test_intercom_list_response(tmp_path: Path) -> None:
    convs = lines(IC)
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"type": "conversation.list", "conversations": convs,
                                "total_count": 3, "pages": {"page": 1}}))
    conv = sa.read(path)
    assert len(conv) == 3 and len(conv.turns) == 9
    assert of(conv, "215470003")["record"].tolist()[1] == (
        "conversations[2]: conversation 215470003 part 9201")


# ------------------------------------------------------------------ freshdesk


def test_freshdesk_tickets() -> None:
    conv = sa.read(FD)
    assert conv.rejects.empty
    assert len(conv) == 2 and len(conv.turns) == 8
    t = of(conv, "812")
    assert roles(t) == ["customer", "agent", "customer", "agent", "customer"]
    assert t["speaker"].tolist() == ["3001", "4001", "3001", "4002", "3001"]
    assert t["record"].tolist() == ["[0]: ticket 812 description",
                                    *[f"[0]: ticket 812 conversation {c}"
                                      for c in (7001, 7003, 7004, 7005)]]
    assert t["text"].tolist() == [
        "My router keeps dropping the connection every evening.",
        "Hi Tom,\n\nSorry for the trouble. I have reset your line remotely and I'll update "
        "you by Friday with the test results.",
        "Hi, any news about the test results?\nTom",  # no body_text: HTML converted
        "Hi Tom, I'm Priya and I've taken over your ticket. The line test passed and the fix "
        "is in place.",
        "Great, thanks!"]
    assert t.loc[1, "removed_text"].startswith("On Mon, 6 May 2024 at 09:00, Tom")
    assert t["timestamp"].tolist()[:2] == [ts("2024-05-06 09:00"), ts("2024-05-06 09:40")]
    r = row(conv, "812")
    assert (r["channel"], r["customer_id"], r["agent_id"], r["private_notes"]) == (
        "email", "3001", "4002", 1)
    assert (r["freshdesk_status"], r["freshdesk_priority"], r["freshdesk_source"]) == (
        "Open", "High", "1")
    assert (r["freshdesk_tags"], r["freshdesk_group_id"], r["freshdesk_company_id"]) == (
        "network,router", "11", "21")
    r = row(conv, "813")
    assert (r["channel"], r["freshdesk_status"], r["freshdesk_type"]) == (
        "chat", "Resolved", "Question")
    assert r["started_at"] == ts("2024-05-07 12:00")


def test_freshdesk_options_and_fallbacks(tmp_path: Path) -> None:
    notes = sa.read(FD, private_notes="system")
    assert roles(of(notes, "812")) == ["customer", "agent", "system", "customer", "agent",
                                       "customer"]
    assert roles(of(sa.read(FD, roles={"incoming": "agent", "outgoing": "customer"}),
                    "813")) == ["agent", "customer", "agent"]
    tickets = json.loads(FD.read_text())
    outbound = dict(tickets[1], source=10)  # outbound email: the agent wrote the description
    for c in outbound["conversations"]:
        del c["incoming"]  # roles from user_id == requester_id
    path = tmp_path / "out.json"
    path.write_text(json.dumps(outbound))
    conv = sa.read(path, format="freshdesk")
    t = of(conv, "813")
    assert (roles(t), t["speaker"].tolist()) == (["agent", "agent", "customer"],
                                                 ["4001", "4001", "3002"])
    assert row(conv, "813")["channel"] == "email"
    assert sa.read(path, format="freshdesk", channel="chat").interactions.loc[
        0, "channel"] == "chat"


# ------------------------------------------------------------------ contract and streaming


@pytest.mark.parametrize(("name", "path"), [*GOOD.items(), ("zendesk", ZD_PAIR)])
def test_reader_contract(name: str, path: Path, tmp_path: Path) -> None:
    conv = check_reader(name, path, tmp_dir=tmp_path)
    assert len(conv) >= 1 and conv.rejects.empty


@pytest.mark.parametrize(("name", "path"), list(GOOD.items()))
def test_iter_load_one_record_per_item(name: str, path: Path) -> None:
    reader = READERS[name]()
    items = list(reader.iter_load(path, chunk_size=1))
    whole = reader.load(path)
    assert [len(i.interactions) for i in items if i.interactions is not None] == \
        [1] * len(whole.interactions)
    assert len(items) == len(whole.interactions)
    pd.testing.assert_frame_equal(pd.concat([i.turns for i in items], ignore_index=True),
                                  whole.turns)
    pd.testing.assert_frame_equal(
        pd.concat([i.interactions for i in items], ignore_index=True), whole.interactions)
    assert [len(i.interactions) for i in reader.iter_load(path, chunk_size=2)
            if i.interactions is not None] == ([2, 1] if name != "freshdesk" else [2])


def test_iter_load_streams_json_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: Any) -> Any:
        raise AssertionError("a JSON Lines file must not be read whole")

    monkeypatch.setattr(helpdesk, "_open_text", never)
    monkeypatch.setattr(helpdesk, "load_json", never)
    path = write_lines(tmp_path / "many.jsonl", lines(ZD) * 4)
    chunks = ZendeskReader().iter_load(path, chunk_size=5)
    first = next(chunks)
    assert first.interactions is not None and len(first.interactions) == 5
    rest = list(chunks)
    assert [len(c.interactions) for c in rest if c.interactions is not None] == [5, 2]
    one = next(IntercomReader().iter_load(IC, chunk_size=1)).interactions
    assert one is not None and one["interaction_id"].tolist() == ["215470001"]


# ------------------------------------------------------------------ bad input


def test_zendesk_rejects(tmp_path: Path) -> None:
    t1, t2, t3 = lines(ZD)
    c = t1["comments"]
    c[0]["created_at"] = "yesterday"                      # bad_timestamp
    del c[2]["author_id"]                                 # missing_field (a private note)
    c[3]["plain_body"] = 42                               # bad_value
    c[4]["plain_body"] = c[4]["body"] = "On Thu, 9 May 2024, Maria wrote:\n> Any news?"
    t2["comments"][1] = "not a comment"                   # malformed_record
    t3["comments"] = [dict(x, public=False) for x in t3["comments"]]  # all private: no_turns
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([json.dumps(t1), json.dumps(t2), "{not json", json.dumps(t3),
                               json.dumps([1, 2]), json.dumps({"subject": "no id"})]) + "\n")
    conv = sa.read(path, format="zendesk")
    assert rejects(conv) == [
        ("line 1: ticket 4101 comment 50001", "created_at", "bad_timestamp"),
        ("line 1: ticket 4101 comment 50003", "author_id", "missing_field"),
        ("line 1: ticket 4101 comment 50004", "plain_body", "bad_value"),
        ("line 1: ticket 4101 comment 50005", "text", "only_quoted"),
        ("line 2: ticket 4102 comments[1]", None, "malformed_record"),
        ("line 3", None, "malformed_line"),
        ("line 4: ticket 4103", None, "no_turns"),
        ("line 5", None, "malformed_record"),
        ("line 6: ticket", "id", "missing_field"),
    ]
    assert set(conv.rejects["source"]) == {str(path)}
    reasons = conv.rejects.set_index("code")["reason"]
    assert "'yesterday' is not a date and time" in reasons["bad_timestamp"]
    assert reasons["bad_value"] == "plain_body is a int, not a string"
    assert "none of the 3 messages" in reasons["no_turns"]
    assert "3 private notes" in reasons["no_turns"]
    assert "not valid JSON" in reasons["malformed_line"]
    assert roles(of(conv, "4101")) == ["agent"]
    assert list(conv.interactions["interaction_id"]) == ["4101", "4102"]
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]


def test_intercom_rejects(tmp_path: Path) -> None:
    c1, c2, c3 = lines(IC)
    c1["created_at"] = "soon"                                               # whole conversation
    parts = c2["conversation_parts"]["conversation_parts"]
    parts[0]["created_at"] = None                                           # missing_field
    c3["source"]["body"] = {"html": "<p>x</p>"}                             # bad_value
    del c3["conversation_parts"]["conversation_parts"][0]["author"]         # missing_field
    conv = sa.read(write_lines(tmp_path / "bad.jsonl", [c1, c2, c3]), format="intercom")
    assert rejects(conv) == [
        ("line 1: conversation 215470001", "created_at", "bad_timestamp"),
        ("line 2: conversation 215470002 part 9101", "created_at", "missing_field"),
        ("line 3: conversation 215470003 source", "body", "bad_value"),
        ("line 3: conversation 215470003 part 9201", "author.type", "missing_field"),
        ("line 3: conversation 215470003", None, "no_turns"),
    ]
    assert conv.interactions["interaction_id"].tolist() == ["215470002"]


def test_freshdesk_rejects(tmp_path: Path) -> None:
    t1, t2 = json.loads(FD.read_text())
    t1["conversations"][0]["created_at"] = "2024-13-45T99:00:00Z"
    t1["conversations"][2]["body"] = ["<div>x</div>"]
    t2["created_at"] = None
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"results": [t1, t2, "junk"], "total": 3}))
    conv = sa.read(path, format="freshdesk")
    assert rejects(conv) == [
        ("results[0]: ticket 812 conversation 7001", "created_at", "bad_timestamp"),
        ("results[0]: ticket 812 conversation 7003", "body", "bad_value"),
        ("results[1]: ticket 813", "created_at", "missing_field"),
        ("results[2]", None, "malformed_record"),
    ]
    assert roles(of(conv, "812")) == ["customer", "agent", "customer"]


@pytest.mark.parametrize("name", sorted(READERS))
@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"  \n\n ", "the file is empty"),
    (b'{"id": 4101, "comments": [', "truncated"),
    (b'[{"id": 4101}, ', "truncated"),
    (b"hello, this is not json", "not JSON"),
    (b"[]", "found in the export"),
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    (b"{" * 5 + b"\n" + b"x\n", "not valid JSON"),
])
def test_unreadable_files_raise_format_error(name: str, content: bytes, message: str,
                                             tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(sa.FormatError, match=message) as info:
        sa.read(path, format=name)
    assert str(path) in str(info.value)


def test_json_lines_without_any_json_raise(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"garbage\n\xff\xfe\n")
    with pytest.raises(sa.FormatError, match="none of its 2 lines is JSON"):
        sa.read(path, format="intercom")
    deep = tmp_path / "deep.jsonl"
    deep.write_bytes(b"[" * 200_000 + b"\n" + IC.read_bytes())
    conv = sa.read(deep, format="intercom")
    assert rejects(conv) == [("line 1", None, "malformed_line")] and len(conv) == 3


def test_bad_options_raise_config_error() -> None:
    with pytest.raises(sa.ConfigError, match="private_notes"):
        sa.read(ZD, private_notes="keep")
    with pytest.raises(sa.ConfigError, match="roles"):
        sa.read(ZD, roles={"9001": "boss"})


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(GOOD)), data=st.data())
def test_corrupted_files_give_rejects_or_serviceart_errors(name: str, data: st.DataObject,
                                                           tmp_path: Path) -> None:
    raw = GOOD[name].read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    pos = data.draw(st.integers(0, cut))
    path = tmp_path / f"broken{GOOD[name].suffix}"
    path.write_bytes(raw[:pos] + junk + raw[pos:cut])
    try:
        conv = sa.read(path, format=name)
    except sa.ServiceartError:
        return
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]


# ------------------------------------------------------------------ end to end


def test_scoring_a_zendesk_export(nlp: Any) -> None:
    res = sa.score(sa.read(ZD), nlp=nlp)
    m = res.measures.set_index("interaction_id")
    # first agent reply 30 minutes after the customer wrote; the replies took 30 and 90 min
    assert m.loc["4101", "first_response_s"] == 1800.0
    assert m.loc["4101", "median_reply_s"] == 3600.0
    assert m.loc["4102", "first_response_s"] == 90.0
    promises = res.evidence[res.evidence["cue"] == "promise"]
    assert promises[["interaction_id", "turn_index"]].values.tolist() == [["4101", 1]]
    detail = json.loads(promises["detail"].iloc[0])
    assert detail["due_phrase"] == "by Friday"
    # the Friday after Mon 6 May
    assert promises["due_at"].iloc[0] == pd.Timestamp("2024-05-10T23:59:59Z")
    assert m.loc["4101", "promises_with_due"] == 1
