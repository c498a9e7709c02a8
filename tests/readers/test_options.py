"""Reader options: declared by each reader, checked by read() and stream() before reading."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.readers import READERS, Reader, TextReader, TurnsReader
from serviceart.readers.options import check_options, options_for

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
FIX = Path(__file__).parent / "fixtures"
ACME = {"agent_domains": ["acme.com"]}

#: a file of every reader, and the options it needs to read at all
FILES: dict[str, tuple[Path, dict[str, object]]] = {
    "contact_lens": (FIX / "aws" / "contact_lens_chat.json", {}),
    "eml": (FIX / "email" / "thread_1.eml", ACME),
    "freshdesk": (FIX / "helpdesk" / "freshdesk_tickets.json", {}),
    "genesys": (FIX / "genesys" / "call_transfer.json", {}),
    "insights": (FIX / "insights" / "call_conversation.json", {}),
    "intercom": (FIX / "helpdesk" / "intercom_conversations.jsonl", {}),
    "mbox": (FIX / "email" / "support.mbox", ACME),
    "messages": (FIX / "messages" / "forum.jsonl", {}),
    "pca": (FIX / "aws" / "pca_call.json", {}),
    "srt": (FIX / "captions" / "billing.srt", {}),
    "text": (SAMPLES / "transcripts.txt", {}),
    "transcribe": (FIX / "aws" / "transcribe_call.json", {}),
    "turns": (SAMPLES / "calls.csv", {}),
    "vtt": (FIX / "captions" / "call.vtt", {}),
    "zendesk": (FIX / "helpdesk" / "zendesk_export.json", {}),
}


def roles_of(conv: sa.Conversations) -> dict[str, int]:
    return conv.turns["role"].astype(str).value_counts().to_dict()


def test_every_reader_has_a_file_here():
    assert sorted(FILES) == sa.list_readers()


# ---------------------------------------------------------------- declared options


@pytest.mark.parametrize("name", sa.list_readers())
def test_every_reader_declares_and_documents_its_options(name):
    cls = READERS.get(name)
    names = cls.option_names()
    assert names is not None, f"{name} takes **options instead of declaring them"
    assert names, name
    docs = "".join(inspect.getdoc(k) or "" for k in cls.__mro__ if k is not Reader)
    undocumented = [o for o in names if o not in docs]
    assert not undocumented, f"{name}: {undocumented}"
    # keyword-only, with a default: a reader is built from a dict of options
    params = inspect.signature(cls).parameters.values()
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in params), name


@pytest.mark.parametrize("name", sa.list_readers())
def test_each_declared_option_at_its_default_reads_the_same(name):
    path, needed = FILES[name]
    plain = sa.read(path, format=name, **needed)
    for param in inspect.signature(READERS.get(name)).parameters.values():
        if param.name in needed:
            continue
        again = sa.read(path, format=name, **{param.name: param.default}, **needed)
        assert again.turns.equals(plain.turns), (name, param.name)
        assert again.interactions.equals(plain.interactions), (name, param.name)


SWAP = {"agent": "customer", "customer": "agent"}


@pytest.mark.parametrize(("name", "options", "check"), [
    ("turns", {"roles": SWAP},
     lambda c: roles_of(c)["customer"] > roles_of(c)["agent"]),
    ("turns", {"columns": {"team": "queue"}},
     lambda c: "queue" in c.interactions and "team" not in c.interactions),
    ("text", {"roles": SWAP},
     lambda c: c.turns.loc[c.turns["text"].str.startswith("Thanks for calling"),
                           "role"].astype(str).eq("customer").all()),
    ("vtt", {"interaction_id": "call-42"},
     lambda c: c.interactions["interaction_id"].tolist() == ["call-42"]),
    ("srt", {"merge_gap_s": None, "continue_gap_s": None},
     lambda c: "cues 2-3" not in set(c.turns["record"]) and "cue 2" in set(c.turns["record"])),
    ("eml", {"agent_addresses": ["ana@example.net"], "agent_domains": ["acme.com"]},
     lambda c: roles_of(c) == {"agent": 1}),
    ("mbox", {"agent_domains": "acme.com"},
     lambda c: {"agent", "customer"} <= set(roles_of(c))),
    ("transcribe", {"roles": SWAP},
     lambda c: roles_of(c) == {"agent": 5, "customer": 6}),
    ("pca", {"roles": SWAP},
     lambda c: str(c.turns.loc[c.turns["text"].str.startswith("Good morning"), "role"]
                   .iloc[0]) == "customer"),
    ("contact_lens", {"roles": SWAP},
     lambda c: roles_of(c).get("customer", 0) > 0 and "agent" in roles_of(c)),
    ("genesys", {"roles": {"ivr": "agent"}},
     lambda c: "system" not in roles_of(c)),
    ("insights", {"roles": {"automated_agent": "agent"}},
     lambda c: "system" not in roles_of(c)),
    ("freshdesk", {"channel": "chat"},
     lambda c: len(c) == 2 and set(c.interactions["channel"].astype(str)) == {"chat"}),
    ("zendesk", {"channel": "social"},
     lambda c: len(c) == 3 and set(c.interactions["channel"].astype(str)) == {"social"}),
    ("intercom", {"private_notes": "system"},
     lambda c: "system" in roles_of(c)),
    ("messages", {"channel": "forum", "id_prefix": "t-"},
     lambda c: c.interactions["interaction_id"].tolist() == ["t-p1", "t-p5"]
     and set(c.interactions["channel"].astype(str)) == {"forum"}),
])
def test_valid_options_still_take_effect(name, options, check):
    conv = sa.read(FILES[name][0], format=name, **options)
    assert check(conv), (name, options)
    # and the same when the format is sniffed
    assert check(sa.read(FILES[name][0], **options)), (name, options)


def test_the_checks_above_fail_without_the_option():
    # the effects asserted above are the options' own, not the files' defaults
    assert roles_of(sa.read(FILES["transcribe"][0])) == {"agent": 6, "customer": 5}
    assert "cues 2-3" in set(sa.read(FILES["srt"][0]).turns["record"])
    assert sa.read(FILES["messages"][0]).interactions["interaction_id"].tolist() == [
        "thread-p1", "thread-p5"]
    assert roles_of(sa.read(FILES["eml"][0], **ACME)) == {"customer": 1}
    pca = sa.read(FILES["pca"][0]).turns
    assert str(pca.loc[pca["text"].str.startswith("Good morning"), "role"].iloc[0]) == "agent"
    assert "social" not in set(sa.read(FILES["zendesk"][0]).interactions["channel"].astype(str))
    assert set(sa.read(FILES["freshdesk"][0]).interactions["channel"].astype(str)) == {
        "chat", "email"}


def test_a_reader_built_directly_refuses_an_unknown_keyword():
    with pytest.raises(TypeError, match="agent_domain"):
        TurnsReader(agent_domain=["acme.com"])  # type: ignore[call-arg]


# ---------------------------------------------------------------- unknown options


def test_typo_with_a_format_names_the_reader_and_the_right_spelling():
    path = FILES["eml"][0]
    with pytest.raises(sa.ConfigError) as info:
        sa.read(path, format="eml", agent_domain=["acme.com"])
    exc = info.value
    assert exc.field == "agent_domain"
    assert "the eml reader has no option agent_domain=" in exc.message
    assert "did you mean agent_domains=?" in exc.message
    assert "the options of eml: agent_addresses, agent_domains" in exc.message


def test_typo_of_a_sniffed_file_is_an_error_not_ignored():
    with pytest.raises(sa.ConfigError) as info:
        sa.read(SAMPLES / "calls.csv", colums={"team": "queue"})
    assert info.value.message == (
        "no reader has an option colums= (did you mean columns=?); the options of the "
        "readers of these files: turns: columns, encoding, roles, sheet")


def test_with_a_format_an_option_of_another_reader_says_which_reader_takes_it():
    with pytest.raises(sa.ConfigError, match=r"the turns reader has no option agent_addresses= "
                                             r"\(it is an option of the eml, mbox reader\(s\) "
                                             r"only\)"):
        sa.read(SAMPLES / "calls.csv", format="turns", agent_addresses=["dana@acme.com"])


def test_a_name_no_reader_knows_says_so():
    with pytest.raises(sa.ConfigError, match=r"no option verbose= \(no reader has it"):
        sa.read(SAMPLES / "calls.csv", format="turns", verbose=True)


def test_every_unknown_option_is_reported_at_once():
    with pytest.raises(sa.ConfigError) as info:
        sa.read(SAMPLES / "calls.csv", rolse={}, encodng="utf-8", roles={})
    assert info.value.field == "rolse, encodng"
    assert "rolse= (did you mean roles=?)" in info.value.message
    assert "encodng= (did you mean encoding=?)" in info.value.message


def test_unknown_option_is_raised_before_any_file_is_read(monkeypatch, tmp_path):
    loads: list[Path] = []

    def spy(self, path, chunk_size=1000):
        loads.append(path)
        raise AssertionError("read a file before checking the options")

    monkeypatch.setattr(TurnsReader, "iter_load", spy)
    monkeypatch.setattr(TextReader, "load", lambda self, path: spy(self, path))
    with pytest.raises(sa.ConfigError, match="did you mean agent_domains"):
        sa.read(SAMPLES, agent_domain=["tidewell.com"])
    # stream() checks at the call, not at the first chunk
    with pytest.raises(sa.ConfigError, match="did you mean agent_domains"):
        sa.stream(SAMPLES, chunk_size=2, agent_domain=["tidewell.com"])
    assert loads == []


def test_check_options_directly():
    check_options({"roles": {}, "company": "Acme"}, ["text", "turns"])
    check_options({"agent_addresses": ["a@b.c"]}, ["turns", "text"])  # eml takes it
    with pytest.raises(sa.ConfigError, match=r"no reader has an option agent_domain= "
                                             r"\(did you mean agent_domains=\?\); the options "
                                             r"of the readers of these files: text: "):
        check_options({"agent_domain": ["acme.com"]}, ["turns", "text"])
    with pytest.raises(sa.ConfigError, match=r"the turns reader has no option company= "
                                             r"\(it is an option of the srt, text, vtt"):
        check_options({"company": "Acme"}, ["turns"], chosen=True)
    with pytest.raises(sa.ConfigError, match=r"no reader has an option verbosity= \(no reader "
                                             r"has it; check the spelling\); each reader "):
        check_options({"verbosity": 2}, [])  # no file could be sniffed
    with pytest.raises(sa.RegistryError, match="no reader named 'nope'"):
        check_options({}, ["nope"])


# ---------------------------------------------------------------- mixed formats


@pytest.fixture
def mixed(tmp_path) -> Path:
    """A folder of a turn table, plain-text transcripts and an email thread."""
    shutil.copy(SAMPLES / "calls.csv", tmp_path / "calls.csv")
    shutil.copy(SAMPLES / "transcripts.txt", tmp_path / "transcripts.txt")
    for k in (1, 2, 3):
        shutil.copy(FIX / "email" / f"thread_{k}.eml", tmp_path / f"thread_{k}.eml")
    return tmp_path


def test_mixed_folder_gives_each_reader_its_own_options(mixed):
    conv = sa.read(mixed, columns={"team": "queue"}, company="Tidewell",
                   agent_addresses=["nobody@example.org"], agent_domains=["acme.com"])
    channels = set(conv.interactions["channel"].astype(str))
    assert {"call", "email"} <= channels
    assert "queue" in conv.interactions.columns  # the turn table's rename
    emails = conv.turns[conv.turns["source"].astype(str).str.endswith(".eml")]
    assert set(emails["role"].astype(str)) == {"agent", "customer"}  # got agent_domains
    c = conv.counts
    assert c["interactions_valid"] + c["interactions_rejected"] == c["interactions_in"]
    assert len(conv.rejects) == 0


def test_mixed_folder_streams_like_it_reads(mixed):
    options = {"columns": {"team": "queue"}, "agent_domains": ["acme.com"]}
    whole = sa.read(mixed, **options)
    chunks = list(sa.stream(mixed, chunk_size=2, **options))
    ids = [i for c in chunks for i in c.interactions["interaction_id"].astype(str)]
    assert sorted(ids) == sorted(whole.interactions["interaction_id"].astype(str))


def test_each_file_alone_takes_the_options_of_the_whole_input(mixed):
    # an engine reading file by file (Dask) gives each file every option of the run:
    # an option of another file's reader is not an error, a typo is
    options = {"columns": {"team": "queue"}, "agent_domains": ["acme.com"]}
    alone = sa.read(mixed / "calls.csv", **options)
    assert "queue" in alone.interactions.columns
    whole = sa.read(mixed, **options)
    calls = whole.interactions[whole.interactions["interaction_id"].isin(
        alone.interactions["interaction_id"])]
    assert len(calls) == len(alone) == 5
    with pytest.raises(sa.ConfigError, match="did you mean agent_domains"):
        sa.read(mixed / "calls.csv", agent_domain=["acme.com"])


def test_options_for_gives_a_reader_only_its_own():
    given = {"columns": {"a": "text"}, "company": "Acme", "agent_domains": ["acme.com"]}
    assert options_for(TurnsReader, given) == {"columns": {"a": "text"}}
    assert options_for(TextReader, given) == {"company": "Acme",
                                              "agent_domains": ["acme.com"]}


def test_a_plugin_reader_taking_any_keyword_gets_every_option(monkeypatch):
    class Loose(TurnsReader):
        name = "loose_test_reader"

        def __init__(self, **options: object) -> None:
            Reader.__init__(self, **options)

    assert Loose.option_names() is None
    assert options_for(Loose, {"whatever": 1}) == {"whatever": 1}
    monkeypatch.setitem(READERS._items, Loose.name, Loose)
    check_options({"whatever": 1}, [Loose.name])  # cannot be judged unknown
    check_options({"whatever": 1}, [Loose.name, "turns"])


ALL_OPTIONS = {o for _, cls in READERS for o in cls.option_names() or ()}
READ_PARAMETERS = set(inspect.signature(sa.read).parameters)


@settings(max_examples=60, deadline=None, database=None)
@given(st.from_regex(r"[a-z][a-z0-9_]{0,24}", fullmatch=True))
def test_any_name_no_reader_takes_is_refused_by_name(name):
    assume(name not in ALL_OPTIONS and name not in READ_PARAMETERS)
    with pytest.raises(sa.ConfigError) as info:
        sa.read(SAMPLES / "transcripts.txt", **{name: "x"})
    assert info.value.field == name
    assert f"no reader has an option {name}=" in info.value.message
    with pytest.raises(sa.ConfigError) as info:
        sa.read(SAMPLES / "transcripts.txt", format="text", **{name: "x"})
    assert f"the text reader has no option {name}=" in info.value.message
