"""The eml and mbox readers: quote/signature stripping, threading, roles, bad input."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
import serviceart.readers.email  # registers the readers
from serviceart.readers.email import (
    EmlReader,
    MboxReader,
    html_to_text,
    normalize_subject,
    read_mailboxes,
    strip_reply,
)

FIXTURES = Path(__file__).parent / "fixtures" / "email"
ROOT = Path(__file__).resolve().parents[2]
ENRON = ROOT.parent / "shared" / "data" / "enron_sample_zedacta" / "enron_sample.csv"
ACME = {"agent_domains": ["acme.com"]}


def one(name: str, **options: object) -> pd.Series:
    """The single turn of an .eml fixture, read by the reader itself (no validation)."""
    frames = EmlReader(**(options or ACME)).load(FIXTURES / name)
    assert frames.rejects.empty, frames.rejects.to_dict("records")
    assert len(frames.turns) == 1
    return frames.turns.iloc[0]


# ------------------------------------------------------------- stripping styles
STYLES = [
    # (fixture, kept text, pieces that must be in removed_text)
    ("gmail_reply.eml", "Hi Dana,\n\nThat worked, the router is back online.",
     ["On Tue, 3 Mar 2026 at 10:02, Dana <dana@acme.com> wrote:",
      "> Please restart the router and hold the reset button for 10 seconds."]),
    ("outlook_header.eml",
     "Hello Bo,\n\nI have refunded the duplicate charge; it will reach your card within "
     "5 business days.",
     ["Kind regards,\nDana\nAcme Support", "From: Bo Lind <bo.lind@example.org>\nSent:",
      "I was charged twice for invoice 4471."]),
    ("outlook_original.eml", "The form still shows an error after the update.",
     ["-----Original Message-----", "We have deployed a fix. Could you try again?"]),
    ("apple_mail.eml", "Friday works for me.",
     ["Sent from my iPhone", "On 3 Mar 2026, at 10:02, Dana wrote:",
      "Your parcel can be delivered on Friday or Monday."]),
    ("forwarded.eml", "This says shipped but nothing arrived. Can you check?",
     ["---------- Forwarded message ---------", "Your order 5521 is on its way."]),
    ("top_posted.eml", "The reset link has expired again, could you send a new one?",
     ["Dana Reyes via Acme Support <dana@acme.com>\nwrote:",
      "> It is valid for 15 minutes."]),
    ("bottom_posted.eml", "Great, I can see it already. Thank you for the quick help.",
     ["On Mon, 9 Mar 2026 at 06:40, Dana <dana@acme.com> wrote:",
      "> The refund was issued this morning."]),
    ("interleaved.eml", "Hi Dana,\n\nIt is 12345.\n\n12 High Street, Leeds.",
     ["> Can you confirm the account number?", "> And the delivery address?"]),
    ("signature_dashes.eml", "Hi Bo,\n\nYour case is closed. Thanks for your patience.",
     ["Dana Reyes | Customer Care\nAcme Ltd, +44 20 7946 0000"]),
    ("html_only.eml", "Hi Bo,\n\nWe\u2019ve replaced the part & tested it.\nIt's ready for pickup.",
     ["Best regards,\nAcme Support"]),
    ("multipart_alternative.eml", "Your plan is upgraded to Fibre 500 from today.",
     ["Best,\nDana"]),
    ("thread_2.eml",
     "Sorry about that, Ana. I have lifted the block on your card; please try again.",
     ["Regards,\nSam", "> My card is declined at checkout since yesterday."]),
]


@pytest.mark.parametrize(("name", "kept", "removed"), STYLES, ids=[s[0] for s in STYLES])
def test_quote_and_signature_styles(name, kept, removed):
    turn = one(name)
    assert turn["text"] == kept
    for piece in removed:
        assert piece in turn["removed_text"]
    # nothing the sender wrote is lost, nothing quoted is kept
    assert ">" not in turn["text"]


def test_removed_text_keeps_original_order():
    kept, removed = strip_reply("Hi\n\nRegards,\nSam\n\nOn Mon, X wrote:\n> q\n")
    assert kept == "Hi"
    assert removed == "Regards,\nSam\n\nOn Mon, X wrote:\n> q"


def test_thanks_is_courtesy_not_signature():
    kept, removed = strip_reply("It works now.\n\nThanks,\nAna")
    assert kept == "It works now.\n\nThanks,\nAna" and removed == ""


def test_no_quote_no_signature_is_untouched_and_removed_empty():
    turn = one("thread_1.eml")
    assert turn["text"] == "My card is declined at checkout since yesterday."
    assert turn["removed_text"] == ""


def test_only_quoted_is_rejected():
    frames = EmlReader(**ACME).load(FIXTURES / "only_quoted.eml")
    assert frames.turns.empty
    r = frames.rejects.iloc[0]
    assert (r["code"], r["record"], r["field"]) == ("only_quoted", "t4@example.net", "text")
    assert r["interaction_id"] == "t1@example.net"
    assert "only quoted" in r["reason"]


# ------------------------------------------------------------- encodings, HTML
@pytest.mark.parametrize("name", ["latin1_qp.eml", "latin1_base64.eml"])
def test_iso_8859_1_bodies_decoded(name):
    turn = one(name)
    assert turn["text"] == ("Hola Se\u00f1or Dana,\n\nel caf\u00e9 M\u00fcller sigue sin "
                            "recibir la factura.")
    assert turn["speaker"] == "jurgen@cafe-muller.de"


def test_encoded_subject_decoded():
    assert one("latin1_qp.eml")["subject"] == "Factura caf\u00e9"


def test_html_only_drops_script_style_and_title():
    turn = one("html_only.eml")
    assert "alert" not in turn["text"] and "tracking" not in turn["text"]
    assert "color" not in turn["text"] and "Ticket" not in turn["text"]


def test_multipart_prefers_plain():
    assert "HTML VERSION" not in one("multipart_alternative.eml")["text"]


def test_html_to_text_breaks_and_entities():
    assert html_to_text("<p>a&amp;b</p><div>c<br/>d</div><style>x{}</style>") == "a&b\n\nc\nd"


# ------------------------------------------------------------- fields and roles
def test_fields_of_a_turn():
    turn = one("gmail_reply.eml")
    assert turn["speaker"] == "bo.lind@example.org"  # lower-cased
    assert turn["role"] == "customer"
    assert turn["channel"] == "email"
    assert turn["record"] == "CAB1gmail.reply@mail.gmail.com"
    assert turn["source"] == str(FIXTURES / "gmail_reply.eml")
    assert turn["interaction_id"] == turn["case_id"] == "bo.0@example.org"  # References root
    assert turn["timestamp"] == pd.Timestamp("2026-03-03 10:20:00", tz="UTC")


def test_timestamp_converted_to_utc():
    assert one("outlook_original.eml")["timestamp"] == pd.Timestamp("2026-03-05 13:00", tz="UTC")


def test_agent_addresses_option():
    turn = one("gmail_reply.eml", agent_addresses=["BO.LIND@example.org"])
    assert turn["role"] == "agent"


def test_without_role_options_config_error():
    with pytest.raises(sa.ConfigError, match="agent_domains"):
        sa.read(FIXTURES / "gmail_reply.eml")


def test_sniffing():
    assert sa.sniff(FIXTURES / "gmail_reply.eml") == "eml"
    assert sa.sniff(FIXTURES / "support.mbox") == "mbox"
    assert EmlReader.sniff(FIXTURES / "x.eml", "hello") == 0.3
    assert EmlReader.sniff(FIXTURES / "x.txt", "From: a@b.c\n") == 0.0
    assert MboxReader.sniff(FIXTURES / "x.mbox", "From a@b Tue Mar  3\n") == 0.95
    assert MboxReader.sniff(FIXTURES / "x.mbx", "junk") == 0.3


# ------------------------------------------------------------- threading
def test_mbox_thread_roles_order_and_latency():
    conv = sa.read(FIXTURES / "support.mbox", **ACME)
    t = conv.turns
    thread = t[t["interaction_id"] == "m1@example.org"]
    assert thread["record"].tolist() == ["m1@example.org", "m2@help.acme.com",
                                         "m3@example.org", "m4@acme.com"]
    assert thread["role"].tolist() == ["customer", "agent", "customer", "agent"]
    assert thread["turn_index"].tolist() == [0, 1, 2, 3]
    assert thread["speaker"].tolist() == ["bo.lind@example.org", "dana@help.acme.com",
                                          "bo.lind@example.org", "support@acme.com"]
    assert thread["text"].iloc[3] == "An engineer will visit tomorrow between 8 and 12."
    inter = conv.interactions.set_index("interaction_id")
    assert inter.loc["m1@example.org", "channel"] == "email"
    assert inter.loc["m1@example.org", "customer_id"] == "bo.lind@example.org"
    assert inter.loc["m1@example.org", "agent_id"] == "dana@help.acme.com"
    # first reply: 10:02:30 UTC minus 09:15 +0100 (08:15 UTC)
    by_hand = (datetime(2026, 3, 3, 10, 2, 30, tzinfo=UTC)
               - datetime(2026, 3, 3, 8, 15, tzinfo=UTC)).total_seconds()
    assert by_hand == 6450.0
    res = sa.score(conv)
    m = res.measures.set_index("interaction_id")
    assert m.loc["m1@example.org", "first_response_s"] == pytest.approx(by_hand)


def test_mbox_missing_message_id_threaded_by_subject_and_broken_date_rejected():
    conv = sa.read(FIXTURES / "support.mbox", **ACME)
    assert sorted(conv.interactions["interaction_id"]) == ["inv1@example.com", "m1@example.org"]
    inv = conv.turns[conv.turns["interaction_id"] == "inv1@example.com"]
    assert inv["record"].tolist() == ["inv1@example.com", "message 6"]
    assert inv["role"].tolist() == ["customer", "agent"]
    r = conv.rejects
    bad = r[r["code"] == "bad_timestamp"]
    assert len(bad) == 1
    assert bad["record"].iloc[0] == "broken.date@example.com"
    assert "broken.date@example.com" in bad["reason"].iloc[0]
    assert "Smarch" in bad["reason"].iloc[0]


def test_eml_files_of_one_thread_read_together():
    files = [FIXTURES / f"thread_{i}.eml" for i in (3, 1, 2)]
    conv = sa.read(files, format="eml", agent_domains=["acme.com"])
    assert conv.interactions["interaction_id"].tolist() == ["t1@example.net"]
    assert conv.turns["record"].tolist() == ["t1@example.net", "t2@acme.com", "t3@example.net"]
    assert conv.turns["role"].tolist() == ["customer", "agent", "customer"]
    assert conv.interactions["customer_id"].iloc[0] == "ana@example.net"


def test_read_mailboxes_follows_in_reply_to_chain_across_files(tmp_path):
    a = tmp_path / "a.eml"
    b = tmp_path / "b.eml"
    c = tmp_path / "c.eml"
    a.write_text("From: x@example.com\nTo: s@acme.com\nSubject: Hi\n"
                 "Date: Mon, 2 Mar 2026 09:00:00 +0000\nMessage-ID: <a@x>\n\nhelp\n")
    b.write_text("From: s@acme.com\nTo: x@example.com\nSubject: Re: Hi\n"
                 "Date: Mon, 2 Mar 2026 09:10:00 +0000\nMessage-ID: <b@acme>\n"
                 "In-Reply-To: <a@x>\n\nsure\n")
    c.write_text("From: x@example.com\nTo: s@acme.com\nSubject: Re: Hi\n"
                 "Date: Mon, 2 Mar 2026 09:20:00 +0000\nMessage-ID: <c@x>\n"
                 "In-Reply-To: <b@acme>\n\nthanks\n")
    frames = read_mailboxes([c, a, b], **ACME)
    assert set(frames.turns["interaction_id"]) == {"a@x"}
    # file by file, c only knows its parent b (documented limitation)
    assert EmlReader(**ACME).load(c).turns["interaction_id"].tolist() == ["b@acme"]


def test_subject_fallback_across_files():
    conv = sa.read([FIXTURES / "noid_1.eml", FIXTURES / "noid_2.eml"], format="eml", **ACME)
    assert len(conv.interactions) == 1
    iid = conv.interactions["interaction_id"].iloc[0]
    assert iid.startswith("subject-")
    assert conv.turns["role"].tolist() == ["customer", "agent"]
    assert conv.turns["record"].tolist() == ["message 1", "message 1"]


def test_normalize_subject():
    assert normalize_subject("RE: AW: [Billing]  wrong address on invoice") == (
        "wrong address on invoice", True)
    assert normalize_subject("Invoice") == ("invoice", False)
    assert normalize_subject("SV: Fwd: FW: x") == ("x", True)


def test_reply_cycle_in_headers_terminates(tmp_path):
    mbox = tmp_path / "cycle.mbox"
    mbox.write_text(
        "From a Mon Mar  2 09:00:00 2026\nFrom: x@example.com\nSubject: Re: a\n"
        "Date: Mon, 2 Mar 2026 09:00:00 +0000\nMessage-ID: <p@x>\nIn-Reply-To: <q@x>\n\none\n\n"
        "From b Mon Mar  2 09:00:00 2026\nFrom: s@acme.com\nSubject: Re: a\n"
        "Date: Mon, 2 Mar 2026 09:05:00 +0000\nMessage-ID: <q@x>\nIn-Reply-To: <p@x>\n\ntwo\n")
    conv = sa.read(mbox, **ACME)
    assert len(conv.interactions) == 1 and len(conv.turns) == 2


# ------------------------------------------------------------- bad input
def test_missing_from_and_no_headers(tmp_path):
    p = tmp_path / "nofrom.eml"
    p.write_text("Subject: x\nDate: Mon, 2 Mar 2026 09:00:00 +0000\nMessage-ID: <n@x>\n\nhi\n")
    frames = EmlReader(**ACME).load(p)
    assert frames.rejects["code"].tolist() == ["missing_sender"]
    q = tmp_path / "plain.eml"
    q.write_text("just some words\n")
    frames = EmlReader(**ACME).load(q)
    assert frames.rejects["code"].tolist() in (["no_headers"], ["bad_timestamp"])


def test_empty_mbox_is_format_error(tmp_path):
    p = tmp_path / "empty.mbox"
    p.write_bytes(b"")
    with pytest.raises(sa.FormatError):
        sa.read(p, **ACME)


@pytest.mark.skipif(not ENRON.exists(), reason="shared Enron sample absent")
def test_enron_flattened_headers_are_rejected_with_reason(tmp_path):
    with ENRON.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 50
    files = []
    for row in rows:
        p = tmp_path / f"enron_{int(row['id']):03d}.eml"
        p.write_text(row["message"], encoding="utf-8")
        files.append(p)
    conv = sa.read(files, format="eml", agent_domains=["enron.com"])
    # the line breaks are gone: the header block is one line, so no Date/From/body can be
    # told apart; every message is a reject with a reason, none a crash
    assert len(conv.turns) == 0
    assert len(conv.rejects) == 50
    assert set(conv.rejects["code"]) == {"flattened_headers"}
    assert conv.rejects["reason"].str.contains("line breaks").all()


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), ext=st.sampled_from([".eml", ".mbox"]),
       prefix=st.sampled_from([b"", b"From a@b Mon Mar  2 09:00:00 2026\n",
                               b"From: a@b.c\nDate: x\n\n"]))
def test_random_bytes_only_serviceart_errors(tmp_path, data, ext, prefix):
    p = tmp_path / f"random{ext}"
    p.write_bytes(prefix + data)
    try:
        conv = sa.read(p, format=ext[1:], **ACME)
    except sa.ServiceartError:
        return
    assert conv.turns["record"].notna().all()
    assert conv.turns["source"].notna().all()


def test_removed_text_stays_on_turns_for_single_message_threads():
    conv = sa.read(FIXTURES / "gmail_reply.eml", agent_domains=["acme.com"])
    assert {"removed_text", "subject", "message_id"} <= set(conv.turns.columns)
    assert "removed_text" not in conv.interactions.columns


def test_raw_non_ascii_header_bytes_are_read_as_windows_1252(tmp_path):
    # 8-bit headers without RFC 2047 encoding: a common export defect
    p = tmp_path / "raw8bit.eml"
    p.write_bytes(b"From: Ren\xe9 <rene@example.com>\r\nTo: help@acme.com\r\n"
                  b"Subject: caf\xe9 \xff order\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
                  b"Message-ID: <a1@example.com>\r\n\r\nMy order is late.\r\n")
    conv = sa.read(p, agent_domains=["acme.com"])
    assert conv.rejects.empty
    row = conv.turns.iloc[0]
    assert row["speaker"] == "rene@example.com" and row["role"] == "customer"
    assert row["subject"] == "caf\u00e9 \u00ff order" and row["text"] == "My order is late."
