"""The text reader: plain transcripts."""

from __future__ import annotations

import pandas as pd

import serviceart as sa


def test_sample_transcripts(samples_dir):
    conv = sa.read(samples_dir / "transcripts.txt")
    assert conv.rejects.empty
    assert conv.interactions["interaction_id"].tolist() == ["text-0001", "text-0002",
                                                           "text-0003"]
    first = conv.turns[conv.turns["interaction_id"] == "text-0001"]
    assert first["start_s"].notna().all()
    assert first["timestamp"].iloc[0] == (
        conv.interactions.loc[0, "started_at"] + pd.Timedelta(seconds=first["start_s"].iloc[0]))
    untimed = conv.turns[conv.turns["interaction_id"] == "text-0002"]
    assert untimed["start_s"].isna().all()


def test_format_details(tmp_path):
    f = tmp_path / "calls.txt"
    f.write_text(
        "# id: c-1\n"
        "# team: billing\n"
        "[00:00:01] Agent (Dana): Good morning, this is Dana.\n"
        "[00:00:05] Customer: My internet is down\n"
        "since Tuesday.\n"
        "\n"
        "Rep: Hello\n"
        "Caller: hi\n"
        "Dana: I'm back\n"
    )
    conv = sa.read(f, roles={"dana": "agent"})
    t = conv.turns
    assert t["interaction_id"].tolist() == ["c-1", "c-1", "calls-002", "calls-002",
                                            "calls-002"]
    assert t["speaker"].iloc[0] == "Dana" and pd.isna(t["speaker"].iloc[1])
    assert t["speaker"].iloc[4] == "Dana"  # a name used as the label is the speaker
    assert t["text"].iloc[1] == "My internet is down since Tuesday."
    assert t["start_s"].iloc[:2].tolist() == [1.0, 5.0]
    assert t["role"].tolist() == ["agent", "customer", "agent", "customer", "agent"]
    assert conv.interactions.set_index("interaction_id").loc["c-1", "team"] == "billing"


def test_unknown_label_is_rejected_by_name(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("Agent: hi\nWizard: abracadabra\n")
    conv = sa.read(f)
    rej = conv.rejects.iloc[0]
    assert rej["code"] == "unknown_role" and "'Wizard'" in rej["reason"]
    assert rej["record"] == "line 2"


def test_stray_line_before_any_turn(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("just some words\nAgent: hi\n")
    conv = sa.read(f, format="text")
    assert conv.rejects["code"].tolist() == ["malformed_line"]
    assert len(conv.turns) == 1
