"""Reader options on the command line, messages in its spelling, help texts, exit codes
(issue 20: "The command line cannot read a non-canonical export"; issue 21: "The CLI")."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.progress import Progress
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import _Count, app
from serviceart.readers.mapping import pairs, read_options
from serviceart.readers.spelling import for_cli

runner = CliRunner()

FIXTURES = Path(__file__).parent / "readers" / "fixtures"
MBOX = FIXTURES / "email" / "support.mbox"
CHATS = ("conversation_id,speaker_type,message,sent_at\n"
         "c1,customer,\"Hi, my order 1234 never arrived.\",2026-03-01T10:00:00Z\n"
         "c1,agent,\"Sorry to hear that! I will check it and email you by 5pm today.\","
         "2026-03-01T10:01:30Z\n"
         "c1,customer,\"Thanks a lot.\",2026-03-01T10:02:00Z\n"
         "c2,customer,\"How do I reset my password?\",2026-03-02T09:00:00Z\n"
         "c2,agent,\"Click 'Forgot password' on the login page; I can stay on while you "
         "try.\",2026-03-02T09:03:00Z\n")
COLUMNS = ["--columns", "conversation_id=interaction_id,speaker_type=role",
           "--columns", "message=text", "--columns", "sent_at=timestamp"]


@pytest.fixture
def chats(tmp_path: Path) -> Path:
    path = tmp_path / "chats.csv"
    path.write_text(CHATS, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the acceptance
@pytest.mark.slow
def test_a_csv_with_its_own_column_names_is_scored_from_the_cli(chats, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(chats), "-o", str(out), "--jobs", "1",
                                 *COLUMNS])
    assert result.exit_code == 0, result.output
    assert "read 2 interactions: 2 scored" in result.output
    res = sa.Result.from_parquet(out)
    assert sorted(res.scores["interaction_id"]) == ["c1", "c2"]
    turns = res.turns[res.turns["interaction_id"] == "c1"]
    assert turns["role"].tolist() == ["customer", "agent", "customer"]
    assert turns["timestamp"].iloc[1] == sa.read(chats, columns={
        "conversation_id": "interaction_id", "speaker_type": "role", "message": "text",
        "sent_at": "timestamp"}).turns["timestamp"].iloc[1]
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "'message': 'text'" in info["read_options"]["columns"]


@pytest.mark.slow
def test_an_mbox_with_agents_at_acme_is_scored_from_the_cli(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(MBOX), "-o", str(out), "--jobs", "1",
                                 "--agent-domain", "acme.com"])
    assert result.exit_code == 0, result.output
    res = sa.Result.from_parquet(out)
    assert len(res.scores) == 2
    agents = res.turns.loc[res.turns["role"] == "agent", "speaker"].astype(str)
    assert len(agents) and agents.str.endswith("acme.com").all()
    # without it, the file is listed as unreadable with the flag to give, and nothing scored
    bare = runner.invoke(app, ["score", str(MBOX), "-o", str(tmp_path / "bare"), "--jobs",
                               "1"])
    assert bare.exit_code == 1
    assert "give --agent-domain acme.com" in bare.output
    assert "agent_domains=" not in bare.output


# ---------------------------------------------------------------- reader options, read only
def test_without_the_mapping_the_error_names_the_flag_not_a_keyword(chats):
    result = runner.invoke(app, ["validate", str(chats)])
    assert result.exit_code == 1
    assert "--columns your_column=interaction_id" in result.output
    assert "columns={" not in result.output
    # from Python, the same problem speaks Python
    with pytest.raises(sa.FormatError) as info:
        sa.read(chats)
    assert "columns={'your_column': 'interaction_id', ...}" in info.value.message
    assert "--columns" not in info.value.message


def test_flags_and_a_mapping_file_read_the_csv(chats, tmp_path):
    assert runner.invoke(app, ["validate", str(chats), *COLUMNS]).exit_code == 0
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nconversation_id = "interaction_id"\nmessage = "text"\n'
                       'sent_at = "timestamp"\nspeaker_type = "role"\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(chats), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "2 interactions (2 valid), 5 turn records (5 valid)" in result.output


def test_roles_and_agent_ids_reach_the_readers(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("interaction_id,role,text\na,client,My bill doubled.\n"
                      "a,rep,Let me look into it.\n", encoding="utf-8")
    bad = runner.invoke(app, ["validate", str(labels)])
    assert bad.exit_code == 1 and "--roles LABEL=ROLE" in bad.output
    assert "roles={" not in bad.output
    ok = runner.invoke(app, ["validate", str(labels), "--roles", "client=customer,rep=agent"])
    assert ok.exit_code == 0, ok.output
    call = tmp_path / "call.txt"
    call.write_text("Dana: Thanks for calling, this is Dana. How can I help?\n"
                    "Sam: My router keeps dropping the line.\n"
                    "Dana: Sorry about that, let me check.\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(call), "--agent-id", "Dana"])
    assert result.exit_code == 0, result.output
    assert "low confidence" not in result.output


def test_flags_add_to_the_mapping_file(tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('agent_domains = "acme.com"\ncompany = ["Acme"]\n'
                       '[columns]\nmsg = "text"\nwho = "role"\n', encoding="utf-8")
    got = read_options(mapping=mapping, columns=["who=speaker"], agent_domains=["acme.de"],
                       company=None)
    assert got == {"agent_domains": ["acme.com", "acme.de"], "company": ["Acme"],
                   "columns": {"msg": "text", "who": "speaker"}}


@pytest.mark.parametrize(("args", "toml", "code", "says"), [
    (["--columns", "message"], None, "SA-C250", "'message' is not KEY=VALUE; write e.g. "
                                                "--columns message=text"),
    (["--roles", "rep=agent,client"], None, "SA-C250", "'client' is not KEY=VALUE"),
    (["--mapping", "{missing}"], None, "SA-C251", "cannot read the mapping file"),
    (["--mapping", "{map}"], '[columns\nmessage = "text"\n', "SA-C252", "(at line 1"),
    (["--mapping", "{map}"], 'agent_domain = ["acme.com"]\n', "SA-C254",
     "'agent_domain' (did you mean 'agent_domains'?)"),
    (["--mapping", "{map}", "--format", "turns"], 'company = "Acme"\n', "SA-C254",
     "not options the turns reader takes: 'company'"),
    (["--mapping", "{map}"], 'columns = ["message"]\n', "SA-C253", "[columns] must be"),
    (["--mapping", "{map}"], 'agent_ids = [{x = 1}]\n', "SA-C255", "agent_ids must be"),
    (["--format", "nope"], None, "SA-G", "no reader named 'nope'"),
])
def test_usage_errors_exit_2_with_the_cause(chats, tmp_path, args, toml, code, says):
    mapping = tmp_path / "map.toml"
    if toml is not None:
        mapping.write_text(toml, encoding="utf-8")
    args = [a.format(map=mapping, missing=tmp_path / "nope.toml") for a in args]
    result = runner.invoke(app, ["validate", str(chats), *args])
    assert result.exit_code == 2, result.output
    assert f"error: [{code}" in result.output and says in result.output
    assert "Traceback" not in result.output


def test_usage_and_input_problems_have_their_exit_codes(chats, tmp_path):
    assert runner.invoke(app, ["validate", str(chats), "--no-such-flag"]).exit_code == 2
    missing = runner.invoke(app, ["validate", str(tmp_path / "nowhere.csv")])
    assert missing.exit_code == 2 and "SA-I017" in missing.output
    assert runner.invoke(app, ["list", "nonsense"]).exit_code == 2
    assert runner.invoke(app, ["validate", str(chats), *COLUMNS]).exit_code == 0
    assert runner.invoke(app, ["validate", str(chats)]).exit_code == 1  # bad data


# ---------------------------------------------------------------- messages in CLI spelling
@pytest.mark.parametrize(("python", "cli"), [
    ("give agent_domains=['acme.com'] (senders at that domain) and/or "
     "agent_addresses=['dana@gmail.com']; every other sender is a customer",
     "give --agent-domain acme.com (senders at that domain) and/or "
     "--agent-address dana@gmail.com; every other sender is a customer"),
    ("pass roles={'name': 'agent', ...}, agent_ids=[...] or company='...' to the reader to "
     "set them", "pass --roles name=agent ..., --agent-id ID or --company NAME to set them"),
    ("Rename them or pass columns={'your_name': 'interaction_id'} to the reader.",
     "Rename them or pass --columns your_name=interaction_id."),
    ("role 'x' is not one of ['agent']; map it with roles={...}",
     "role 'x' is not one of ['agent']; map it with --roles LABEL=ROLE"),
    ("cannot tell the format; pass format= one of ['text']",
     "cannot tell the format; pass --format one of ['text']"),
    ("company='Acme Inc' is a name", "--company 'Acme Inc' is a name"),
    ("limit of 10; raise it with max_depth=...",
     "limit of 10; raise it with max_depth = ... in a --mapping file"),
    ("Pass encoding= (e.g. encoding='cp1252')",
     'Pass encoding = ... in a --mapping file (e.g. encoding = "cp1252" in a --mapping file)'),
    # other words with = are left alone
    ("a.format=3, turns_format=2, x == y, sla=600", "a.format=3, turns_format=2, x == y, "
                                                   "sla=600"),
])
def test_for_cli_rewrites_reader_options(python, cli):
    assert for_cli(python) == cli


# ---------------------------------------------------------------- version, help, progress
def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"serviceart {sa.__version__}"


@pytest.mark.parametrize("command", [[], ["score"], ["validate"], ["report"], ["list"],
                                     ["agreement"], ["export"], ["recategorise"],
                                     ["categories"], ["categories", "sample"]])
def test_help_is_written_for_the_command_line(command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    text = result.output
    for python in ("<bool>", "<path>", "<int", "<str>", "list[", ":mod:", ":func:", "``",
                   "see the module docstring", "docstring", "<text>"):
        assert python not in text, (command, python)
    if command in ([], ["score"], ["validate"]):
        assert "Exit codes: 0 done; 1 input problems" in " ".join(text.split())
    if command in (["score"], ["validate"]):
        for flag in ("--columns THEIRS=OURS", "--roles LABEL=ROLE", "--agent-domain DOMAIN",
                     "--agent-id ID", "--company NAME", "--mapping FILE",
                     "--allow-empty-files"):
            assert flag in text, flag


def test_the_reading_bar_counts_turn_records_until_the_total_is_known():
    with Progress(_Count(), disable=True) as bar:
        task = bar.add_task("reading", total=None, unit="turn records")
        bar.update(task, completed=12345)
        assert _Count().render(bar.tasks[0]).plain == "12,345 turn records read"
        bar.reset(task, total=40, completed=3, description="scoring", unit="interactions")
        assert _Count().render(bar.tasks[0]).plain == "3/40"


@pytest.mark.slow
def test_reading_progress_and_strict(samples_dir, tmp_path):
    """run_batch reports turn records while reading; --strict fails on any reject."""
    from serviceart.run.batch import run_batch

    seen: list[int] = []
    summary = run_batch(samples_dir, tmp_path / "a", jobs=1, chunk_size=2,
                        reading=seen.append)
    assert seen == sorted(seen) and len(seen) > 2 and seen[-1] == summary.turns_in
    f = tmp_path / "t.csv"
    f.write_text("interaction_id,role,text\na,customer,My bill doubled.\na,agent,Let me "
                 "look into it.\na,robot,beep\n", encoding="utf-8")
    out = tmp_path / "b"
    loose = runner.invoke(app, ["score", str(f), "-o", str(out), "--jobs", "1"])
    assert loose.exit_code == 0, loose.output
    assert "3 turn records (1 rejected)" in loose.output
    strict = runner.invoke(app, ["score", str(f), "-o", str(out), "--jobs", "1", "--strict"])
    assert strict.exit_code == 1
    assert re.search(r"--strict: 1 rejected interaction\(s\) or record\(s\)", strict.output)


_NAMES = st.text(st.characters(categories=("L", "N"), include_characters="_-' "),
                 min_size=1, max_size=12).filter(lambda s: s == s.strip())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_NAMES, _NAMES, min_size=1, max_size=4))
def test_advice_in_cli_spelling_reads_back_as_the_same_mapping(columns):
    """Whatever the names, the flags for_cli writes give back the mapping when typed."""
    said = for_cli(f"rename them or pass columns={columns!r} to the reader")
    words = shlex.split(said)
    given_ = [words[i + 1] for i, w in enumerate(words) if w == "--columns"]
    assert pairs(given_, "--columns", "message=text") == columns


def test_validate_lists_the_files_of_a_folder(samples_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "calls.csv").write_text((samples_dir / "calls.csv").read_text("utf-8"),
                                      encoding="utf-8")
    (folder / "broken.json").write_text('{"Transcript": [', encoding="utf-8")
    (folder / "scores.pdf").write_bytes(b"%PDF-1.4\n")
    result = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "100"})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "5 interactions (5 valid), 92 turn records (91 valid)"
    rows = [[c.strip() for c in ln.strip("│ ").split("│")] for ln in lines
            if ln.startswith("│")]
    cells = {r[0]: r[1:7] for r in rows}
    assert cells == {"broken.json": ["-", "unreadable", "0", "1", "1", "0"],
                     "calls.csv": ["turns", "read", "5", "91", "0", "5"],
                     "scores.pdf": ["-", "skipped", "0", "0", "0", "0"]}
    assert "  broken.json: " in result.output and "  scores.pdf: no reader for .pdf files" \
        in result.output
    assert "2 input file(s) gave no interaction" in result.output
    # a README beside the exports is documentation, not a file that gave nothing
    (folder / "broken.json").unlink()
    (folder / "scores.pdf").unlink()
    (folder / "README.md").write_text("# calls\n", encoding="utf-8")
    ok = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "100"})
    assert ok.exit_code == 0, ok.output
    assert "document" in ok.output


def test_list_speaks_to_the_command_line():
    """`serviceart list` shows no pointers to Python documentation or markup, and each
    reader's files and the options a --mapping file may give it."""
    result = runner.invoke(app, ["list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for python in ("``", ":mod:", ":func:", "docstring", "<bool>"):
        assert python not in result.output, python
    readers = runner.invoke(app, ["list", "readers"], env={"COLUMNS": "250"}).output
    line = next(ln for ln in readers.splitlines() if "│ eml " in ln)
    assert "Read one email message per .eml file. Files: .eml. Options (flags or " \
           "--mapping keys): agent_addresses, agent_domains." in line
