"""Every registered reader passes the reader contract (serviceart.testing.check_reader)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.testing import check_reader

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parents[2] / "data" / "samples"

# one good file per registered reader
GOOD: dict[str, Path] = {
    "turns": SAMPLES / "calls.csv",
    "text": SAMPLES / "transcripts.txt",
    "vtt": FIXTURES / "captions" / "call.vtt",
    "srt": FIXTURES / "captions" / "billing.srt",
    "transcribe": FIXTURES / "aws" / "transcribe_call.json",
    "contact_lens": FIXTURES / "aws" / "contact_lens_voice_transfer.json",
    "pca": FIXTURES / "aws" / "pca_call.json",
    "messages": FIXTURES / "messages" / "forum.jsonl",
    "mbox": FIXTURES / "email" / "support.mbox",
    "eml": FIXTURES / "email" / "gmail_reply.eml",
    "genesys": FIXTURES / "genesys" / "call_transfer.json",
    "insights": FIXTURES / "insights" / "call_conversation.json",
    "zendesk": FIXTURES / "helpdesk" / "zendesk_export.json",
    "intercom": FIXTURES / "helpdesk" / "intercom_conversations.jsonl",
    "freshdesk": FIXTURES / "helpdesk" / "freshdesk_tickets.json",
}
OPTIONS: dict[str, dict[str, list[str]]] = {
    "mbox": {"agent_domains": ["acme.com"]},
    "eml": {"agent_domains": ["acme.com"]},
}
EXTRA: dict[str, list[Path]] = {
    "turns": [SAMPLES / "chats.jsonl"],
    "contact_lens": [FIXTURES / "aws" / "contact_lens_chat.json"],
    "genesys": [FIXTURES / "genesys" / "chat_bot_handoff.json"],
    "insights": [FIXTURES / "insights" / "chat_entries.json",
                 FIXTURES / "insights" / "chat_conversation.json"],
    "zendesk": [FIXTURES / "helpdesk" / "zendesk_ticket_comments.json"],
}


def test_every_registered_reader_has_a_conformance_file():
    known = set(sa.list_readers())
    missing = known - set(GOOD)
    # readers registered by modules still in progress must add a file here
    assert not missing, f"add a conformance file for {sorted(missing)}"


@pytest.mark.parametrize(("name", "path"), [
    *GOOD.items(), *[(n, p) for n, ps in EXTRA.items() for p in ps]])
def test_reader_contract(name, path, tmp_path):
    conv = check_reader(name, path, tmp_dir=tmp_path, **OPTIONS.get(name, {}))
    assert len(conv) >= 1 and len(conv.turns) >= (1 if name == "eml" else 2)
    assert sa.sniff(path) == name


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(GOOD)), data=st.data())
def test_corrupted_files_give_rejects_or_serviceart_errors(name, data, tmp_path):
    raw = GOOD[name].read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    pos = data.draw(st.integers(0, cut))
    corrupted = raw[:pos] + junk + raw[pos:cut]
    path = tmp_path / f"broken{GOOD[name].suffix}"
    path.write_bytes(corrupted)
    try:
        conv = sa.read(path, format=name, **OPTIONS.get(name, {}))
    except sa.ServiceartError:
        return
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]
