"""The command line, through typer's test runner."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_score_writes_a_run_folder(samples_dir, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(samples_dir), "-o", str(out), "--show", "3"])
    assert result.exit_code == 0, result.output
    assert "read 13 interactions: 13 scored, 0 out of scope, 0 rejected" in result.output
    assert "Principle scores" in result.output and "Top evidence" in result.output
    scores = sa.Result.from_parquet(out).scores
    assert len(scores) == 13
    info = json.loads((out / "run.json").read_text())
    assert info["counts"]["scored"] == 13 and info["settings"]["sla_s"] == 600


def test_score_options(samples_dir, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(samples_dir / "chats.jsonl"), "-o", str(out),
                                 "--sla", "60", "--format", "turns"])
    assert result.exit_code == 0, result.output
    m = sa.Result.from_parquet(out).measures.set_index("interaction_id")
    assert m.loc["chat-0001", "replies_over_sla"] >= 1


def test_unusable_input_exits_non_zero_with_a_clear_message(tmp_path):
    """A table without a role column is bad data (exit 1), named with its file and the
    command line's option, not a Python keyword."""
    bad = tmp_path / "bad.csv"
    bad.write_text("interaction_id,text\n1,hi\n")
    result = runner.invoke(app, ["score", str(bad), "-o", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert ("no column of the file is read as role (its columns are ['interaction_id', "
            "'text']); name them with --columns your_column=role") in result.output
    assert "columns={" not in result.output and "Traceback" not in result.output
    read = runner.invoke(app, ["validate", str(bad)])
    assert read.exit_code == 1
    assert f"file_unreadable (1): {bad}: the file cannot be read: no column of the file " \
           "is read as role" in read.output and "--columns your_column=role" in read.output


def test_all_rejected_exits_one(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("interaction_id,role,text\n1,robot,hi\n")
    result = runner.invoke(app, ["score", str(bad), "-o", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "0 scored, 0 out of scope, 1 rejected" in result.output


def test_validate_groups_rejects(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("interaction_id,role,text\na,agent,hi\na,robot,x\nb,wizard,y\nc,agent,\n")
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 1
    assert "unknown_role" in result.output and "empty_text" in result.output
    ok = runner.invoke(app, ["validate", str(f.parent / "t.csv")])
    assert ok.exit_code == 1


def test_validate_clean_input(samples_dir):
    result = runner.invoke(app, ["validate", str(samples_dir)])
    assert result.exit_code == 0
    assert "13 interactions (13 valid)" in result.output


def test_list():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    for word in ("turns", "latency", "promise", "customer_talk_share"):
        assert word in result.output
    assert runner.invoke(app, ["list", "nonsense"]).exit_code == 2


def test_rerunning_the_same_command_resumes(samples_dir, tmp_path):
    out = tmp_path / "run"
    args = ["score", str(samples_dir / "chats.jsonl"), "-o", str(out), "--chunk-size", "2",
            "--jobs", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 parts (0 already done, 0 failed)" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "3 parts (3 already done, 0 failed)" in again.output
    other = runner.invoke(app, [*args, "--sla", "60"])
    assert other.exit_code == 2 and "different input or settings" in other.output


TERMINALS = [{"COLUMNS": "40"}, {"COLUMNS": "80"}, {"COLUMNS": "250"},
             {"COLUMNS": "40", "FORCE_COLOR": "1", "TERM": "xterm-256color"},
             {"NO_COLOR": "1", "TERM": "dumb"}]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    env = {"COLUMNS": None, "FORCE_COLOR": None, "NO_COLOR": None, "TERM": None, **env}
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, ANSI.sub("", result.output)


@pytest.mark.slow
def test_output_does_not_depend_on_the_terminal(samples_dir, tmp_path):
    """Paths, ids and messages come out whole at any width, with or without colour: a
    narrow terminal folds long lines itself, nothing is broken mid-word by the CLI."""
    deep = tmp_path / ("a-folder-with-a-long-name-" * 3) / "exports"
    deep.mkdir(parents=True)
    bad = deep / "turns-with-unknown-roles.csv"
    bad.write_text("interaction_id,role,text\n"
                   "an-interaction-id-far-longer-than-forty-columns-0001,robot,hi\n"
                   "b,agent,fine\n")
    chats = deep / "chats.jsonl"
    chats.write_text((samples_dir / "chats.jsonl").read_text(encoding="utf-8"),
                     encoding="utf-8")
    ids = sa.read(chats).interactions["interaction_id"].tolist()
    messages: dict[str, set[str]] = {"validate": set(), "report": set(), "summary": set()}
    for k, env in enumerate(TERMINALS):
        code, text = _run(["validate", str(bad)], env)
        assert code == 1
        messages["validate"].add(text.splitlines()[0])
        assert f"  unknown_role (1): {bad} row 1: role 'robot' is not one of " in text

        code, text = _run(["report", str(deep / "nowhere"), "-o", str(deep / "r.html")], env)
        assert code == 2
        messages["report"].add(text)
        assert "not a serviceart run folder (no run.json)" in text

        run = deep / f"run-{k}"
        code, text = _run(["score", str(chats), "-o", str(run), "--show", "5", "--jobs",
                           "1"], env)
        assert code == 0, text
        summary = [ln for ln in text.splitlines() if ln.startswith("read ")]
        assert len(summary) == 1 and summary[0].endswith(f"-> {run}")
        messages["summary"].add(re.sub(r"[\d.]+ s, \d+ words/s, peak memory \d+ MB", "",
                                       summary[0].replace(str(run), "")))
        for iid in ids:
            assert iid in text

        code, text = _run(["list", "measures"], env)
        assert code == 0
        for name in sa.MEASURES:
            assert re.search(rf"\b{name}\b", text), (env, name)
    # the messages are the same at every width, in colour or not
    assert {k: len(v) for k, v in messages.items()} == {"validate": 1, "report": 1,
                                                        "summary": 1}
    (line,) = messages["report"]
    assert line == f"error: [SA-I023] file {deep / 'nowhere'}: not a serviceart run folder " \
                   "(no run.json)\n"


def test_ids_with_markup_are_shown_as_text(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("interaction_id,role,text\n[/bold]x,agent,Hello [red]there\n"
                 "[/bold]x,customer,thanks\n")
    code, text = _run(["score", str(f), "-o", str(tmp_path / "run"), "--show", "1",
                       "--jobs", "1"], {"COLUMNS": "80"})
    assert code == 0, text
    assert "[/bold]x" in text
    code, text = _run(["validate", str(f)], {})
    assert code == 0, text


@pytest.mark.slow
def test_rejects_tied_to_no_interaction_are_in_the_summary(samples_dir, tmp_path):
    """An unreadable file in a folder is a reject without an interaction id: the summary
    says so, the run exits 1 naming the file that gave nothing (0 with
    --allow-empty-files), and a run in which nothing could be read or scored exits 1."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "chats.jsonl").write_text((samples_dir / "chats.jsonl").read_text("utf-8"),
                                        encoding="utf-8")
    (folder / "notes.txt").write_text("no speaker labels in this file at all\n",
                                      encoding="utf-8")
    code, text = _run(["score", str(folder), "-o", str(tmp_path / "run"), "--jobs", "1"],
                      {"COLUMNS": "80"})
    assert code == 1, text
    assert "0 rejected (and 1 rejected record tied to no interaction" in text
    assert (f"1 input file(s) gave no interaction: {folder / 'notes.txt'} (see the table of "
            "files); fix or remove them, or pass --allow-empty-files") in text
    code, text = _run(["score", str(folder), "-o", str(tmp_path / "run"), "--jobs", "1",
                       "--allow-empty-files"], {"COLUMNS": "80"})
    assert code == 0, text
    assert "0 rejected (and 1 rejected record tied to no interaction" in text
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["counts"]["rejects_without_interaction"] == 1
    rejects = sa.Result.from_parquet(tmp_path / "run").rejects
    assert rejects.loc[rejects["interaction_id"].isna(), "code"].tolist() == \
        ["file_unreadable"]
    (folder / "chats.jsonl").unlink()
    (folder / "more.txt").write_text("nor here\n", encoding="utf-8")
    code, text = _run(["score", str(folder), "-o", str(tmp_path / "run2"), "--jobs", "1"],
                      {"COLUMNS": "80"})
    assert code == 1, text
    assert ("read 0 interactions: 0 scored, 0 out of scope, 0 rejected (and 2 rejected "
            "records") in text
    assert "no interaction could be scored" in text
