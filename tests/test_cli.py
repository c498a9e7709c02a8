"""The command line, through typer's test runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app

runner = CliRunner()


def test_score_writes_a_run_folder(samples_dir, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(samples_dir), "-o", str(out), "--show", "3"])
    assert result.exit_code == 0, result.output
    assert "read 13 interactions: 13 scored, 0 rejected" in result.output
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
    bad = tmp_path / "bad.csv"
    bad.write_text("interaction_id,text\n1,hi\n")
    result = runner.invoke(app, ["score", str(bad), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "lacks required column(s) ['role']" in result.output
    assert "Traceback" not in result.output


def test_all_rejected_exits_one(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("interaction_id,role,text\n1,robot,hi\n")
    result = runner.invoke(app, ["score", str(bad), "-o", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "0 scored, 1 rejected" in result.output


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
