"""Reply-time targets by channel: durations, settings, rubric [sla], the command line,
and the latency measures that read them."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.clock.sla import DEFAULT_SLA, parse_duration, parse_sla, resolve_sla
from serviceart.rubric.core import with_weights
from serviceart.run.settings import ScoreSettings
from serviceart.schema import EVIDENCE, empty
from serviceart.scorers import LatencyScorer, ScoringContext

runner = CliRunner()
DAY = 86_400.0


# ------------------------------------------------------------------------ durations
@pytest.mark.parametrize(("given", "seconds"), [
    (600, 600.0), (1.5, 1.5), ("600", 600.0), ("2m", 120.0), ("1h", 3600.0), ("1d", DAY),
    ("1D", DAY), ("1h30m", 5400.0), ("1.5 hours", 5400.0), ("45 Seconds", 45.0),
    ("2 min", 120.0), ("1w", 7 * DAY), (" 10m ", 600.0),
])
def test_durations_are_read_in_seconds(given, seconds):
    assert parse_duration(given) == seconds


@pytest.mark.parametrize(("given", "why"), [
    (0, "positive"), (-5, "positive"), ("-5m", "positive"), ("0s", "positive"),
    (float("nan"), "positive"), (float("inf"), "positive"), ("5x", "unknown unit 'x'"),
    ("3y", "unknown unit 'y'"), ("ten", "not a duration"), ("", "not a duration"),
    ("2m soon", "not a duration"), (True, "not a duration"), (None, "not a duration"),
    ([600], "not a duration"),
])
def test_bad_durations_say_why(given, why):
    with pytest.raises(ValueError, match=why):
        parse_duration(given)


def test_an_sla_mapping_lists_every_bad_entry():
    with pytest.raises(ValueError) as caught:
        parse_sla({"chat": "2x", "voice": "1m", "email": -1, "social": "1h"})
    msg = str(caught.value)
    assert "chat: '2x' has an unknown unit 'x'" in msg
    assert "unknown channel 'voice'" in msg and "call" in msg  # the known channels listed
    assert "email: -1 must be a positive" in msg and "social" not in msg.split("(")[0]


def test_layers_replace_what_they_name_and_a_single_value_replaces_all():
    assert resolve_sla() == dict(sorted(DEFAULT_SLA.items()))
    table = resolve_sla({"chat": "5m", "default": "15m"}, None, {"email": "4h"})
    assert table["chat"] == 300 and table["email"] == 4 * 3600 and table["default"] == 900
    assert table["social"] == DEFAULT_SLA["social"]
    assert resolve_sla({"chat": "5m"}, 60, {"email": "1d"}) == {"default": 60.0, "email": DAY}


# ------------------------------------------------------------------------- settings
def test_settings_take_an_sla_by_channel_a_duration_or_seconds():
    s = ScoreSettings(sla={"chat": "2m", "social": "1h", "email": "1d"})
    assert s.sla_by_channel["chat"] == 120 and s.sla_by_channel["social"] == 3600
    assert s.sla_by_channel["email"] == DAY and s.sla_s == 600.0  # the default channel
    assert ScoreSettings(sla="10m").sla_by_channel == {"default": 600.0}
    assert ScoreSettings(sla=300).sla == (("default", 300.0),)
    # sla_s keeps meaning every channel
    assert ScoreSettings(sla_s=240).sla_by_channel == {"default": 240.0}
    assert ScoreSettings(sla_s=240).sla_s == 240.0
    # the built-in targets by default
    assert ScoreSettings().sla_by_channel == DEFAULT_SLA


def test_sla_s_is_the_base_and_sla_names_channels_over_it():
    s = ScoreSettings(sla_s=300, sla={"email": "1d"})
    assert s.sla_by_channel == {"default": 300.0, "email": DAY}


def test_every_bad_sla_is_reported_in_one_error_naming_keyword_and_flag():
    with pytest.raises(sa.ConfigError) as caught:
        ScoreSettings(sla={"chat": "2x", "voice": "1m", "email": 0}, sla_s=-1, tz="Mars/Base")
    err = caught.value
    assert err.code == "SA-C088"
    msg = str(err)
    assert "3 bad settings" in msg
    assert "sla (--sla)" in msg and "sla_s (--sla)" in msg and "tz (--tz)" in msg
    assert "'2x'" in msg and "'voice'" in msg and "email: 0 must be a positive" in msg
    assert err.field is not None and "sla" in err.field.split(", ")


def test_the_rubric_sla_comes_between_the_built_in_targets_and_the_settings():
    rubric = sa.Rubric(sa.Rubric.default().criteria, name="house", sla={"chat": "90s",
                                                                        "email": "8h"})
    s = ScoreSettings(rubric=rubric)
    assert s.sla_by_channel["chat"] == 90 and s.sla_by_channel["email"] == 8 * 3600
    assert s.sla_by_channel["social"] == DEFAULT_SLA["social"]  # not named: built in
    explicit = ScoreSettings(rubric=rubric, sla={"chat": "3m"})
    assert explicit.sla_by_channel["chat"] == 180 and explicit.sla_by_channel["email"] == 8 * 3600
    assert ScoreSettings(rubric=rubric, sla_s=60).sla_by_channel == {"default": 60.0}


def test_settings_with_slas_round_trip_through_run_info():
    rubric = sa.Rubric(sa.Rubric.default().criteria, name="house", sla={"email": "8h"})
    s = ScoreSettings(rubric=rubric, sla={"chat": "2m", "default": "5m"})
    recorded = s.to_dict()
    assert recorded["sla"] == {"call": 600.0, "chat": 120.0, "default": 300.0, "email": 28800.0,
                               "forum": DAY, "social": 3600.0}
    assert recorded["sla_s"] == 300.0
    back = ScoreSettings.from_run_info(json.loads(json.dumps({"settings": recorded})),
                                       rubric=rubric)
    assert back == s and back.sla == s.sla
    assert dataclasses.replace(s, as_of="2026-03-31").sla == s.sla  # with_as_of keeps it


def test_a_run_recorded_before_slas_by_channel_rebuilds_with_one_sla_for_all():
    old = ScoreSettings().to_dict()
    del old["sla"]
    old["sla_s"] = 600.0  # what every earlier run recorded
    back = ScoreSettings.from_run_info({"settings": old})
    assert back.sla_by_channel == {"default": 600.0}


# --------------------------------------------------------------------- rubric [sla]
SLA_TABLE = '\n[sla]\nchat = "90s"\nemail = "8h"\ndefault = "15m"\n'


def test_a_rubric_sla_table_is_read_written_and_hashed():
    base = sa.Rubric.default()
    rubric = sa.Rubric.from_toml(base.to_toml() + SLA_TABLE, source="house.toml")
    assert rubric.sla == {"chat": 90.0, "default": 900.0, "email": 28800.0}
    text = rubric.to_toml()
    assert '[sla]\nchat = "90s"\ndefault = "15m"\nemail = "8h"\n' in text
    again = sa.Rubric.from_toml(text)
    assert again.sla == rubric.sla and again.hash == rubric.hash
    assert rubric.hash != base.hash
    # a rubric without [sla] keeps the hash it had before rubrics could carry one
    assert sa.Rubric(base.criteria, name=base.name, version=base.version,
                     description=base.description, bands=base.bands, sla={}).hash == base.hash
    assert str(base.diff(rubric)) == "sla.chat: none -> 90s\nsla.default: none -> 15m\n" \
                                     "sla.email: none -> 8h"
    assert with_weights(rubric, {"listening": 4}).sla == rubric.sla
    from serviceart.analysis.calibrate import _reweighted  # calibrate's new rubric

    assert _reweighted(rubric, {("respect", "listening"): 4.0})[0].sla == rubric.sla


def test_a_bad_rubric_sla_table_names_each_line():
    text = sa.Rubric.default().to_toml() + '\n[sla]\nchat = "-2m"\nvoice = "1m"\nemail = "1d"\n'
    with pytest.raises(sa.RubricError) as caught:
        sa.Rubric.from_toml(text, source="house.toml")
    msg = str(caught.value)
    lines = text.splitlines()
    chat_line = lines.index('chat = "-2m"') + 1
    assert f"line {chat_line} ([sla] chat)" in msg and "must be a positive" in msg
    assert f"line {chat_line + 1} ([sla] voice)" in msg and "unknown channel 'voice'" in msg
    assert "email" not in msg.split("voice")[-1].split("(channels")[0]
    with pytest.raises(sa.RubricError, match=r"\[sla\] must be a table"):
        sa.Rubric.from_toml(sa.Rubric.default().to_toml().replace(
            "[rubric]", 'sla = "10m"\n[rubric]', 1))


# ---------------------------------------------------------------------- command line
def test_the_cli_takes_slas_by_channel(samples_dir, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(samples_dir / "chats.jsonl"), "-o", str(out),
                                 "--jobs", "1", "--sla", "chat=1m, email=1d,default=5m"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "run.json").read_text())
    assert info["settings"]["sla"]["chat"] == 60 and info["settings"]["sla"]["email"] == DAY
    assert info["settings"]["sla_s"] == 300
    m = sa.Result.from_parquet(out).measures.set_index("interaction_id")
    assert (m["sla_s"] == 60).all()  # every sample chat takes the chat target
    # chat-0003's replies take 40, 95, 740, 145 and 35 s
    assert m.loc["chat-0003", "replies_over_sla"] == 3


def test_the_cli_takes_one_sla_for_every_channel(samples_dir, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(samples_dir), "-o", str(out), "--jobs", "1",
                                 "--sla", "10m"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "run.json").read_text())
    assert info["settings"]["sla"] == {"default": 600.0}
    assert (sa.Result.from_parquet(out).measures["sla_s"] == 600).all()


@pytest.mark.parametrize(("value", "code", "shown"), [
    ("chat=", "SA-C094", "'chat=' is not CHANNEL=DURATION"),
    ("chat=2m,email", "SA-C094", "'email' is not CHANNEL=DURATION"),
    ("=2m", "SA-C094", "'=2m' is not CHANNEL=DURATION"),
    ("chat=2x", "SA-C088", "unknown unit 'x'"),
    ("voice=2m", "SA-C088", "unknown channel 'voice'"),
    ("-5", "SA-C088", "must be a positive"),
    ("soon", "SA-C088", "not a duration"),
])
def test_the_cli_refuses_a_bad_sla_before_reading_input(value, code, shown, tmp_path):
    missing = tmp_path / "not-there.jsonl"  # never read: the settings fail first
    out = tmp_path / "run"
    result = runner.invoke(app, ["score", str(missing), "-o", str(out), "--sla", value])
    assert result.exit_code == 2, result.output
    assert f"[{code}]" in result.output and shown in result.output
    assert "--sla" in result.output and "Traceback" not in result.output
    assert not out.exists()


# -------------------------------------------------------------- latency by channel
T0 = pd.Timestamp("2026-03-02T09:00:00Z")


def _thread(iid: str, channel: str, gaps_s: list[float], speakers: tuple[str, str] = (
        "dana.r@example.com", "support@tidewell.example")) -> list[dict[str, object]]:
    customer = ["Hi, I was charged twice for my March invoice, can you refund one of them?",
                "Thanks. Will the refund show on the same card?"]
    agent = ["Sorry about that. I've refunded the duplicate charge of 49.00 today.",
             "Yes, it goes back to the card you paid with, within 5 working days."]
    rows, t = [], T0
    for k, gap in enumerate(gaps_s):
        rows.append({"interaction_id": iid, "role": "customer", "speaker": speakers[0],
                     "text": customer[k % 2], "timestamp": t.isoformat(), "channel": channel})
        t += pd.Timedelta(seconds=gap)
        rows.append({"interaction_id": iid, "role": "agent", "speaker": speakers[1],
                     "text": agent[k % 2], "timestamp": t.isoformat(), "channel": channel})
        t += pd.Timedelta(minutes=3)
    return rows


def _ctx(conv: sa.Conversations, sla: dict[str, object] | None = None) -> ScoringContext:
    s = ScoreSettings(sla=sla)
    return ScoringContext(conv.turns, conv.interactions, empty(EVIDENCE), sla_s=s.sla_s,
                          sla=s.sla)


def test_each_interaction_is_held_to_its_channels_sla():
    five_hours, five_minutes = 5 * 3600.0, 300.0
    conv = sa.Conversations.from_frames(pd.DataFrame(
        _thread("mail-1", "email", [five_hours]) + _thread("chat-1", "chat", [five_minutes])
        + _thread("post-1", "social", [five_minutes, 2 * 3600.0])))
    m = LatencyScorer().score(_ctx(conv)).set_index("interaction_id")
    # an email answered in 5 hours is within the email SLA (a day)
    assert m.loc["mail-1", "sla_s"] == DAY and m.loc["mail-1", "replies_over_sla"] == 0
    assert m.loc["mail-1", "first_response_sla_ratio"] == pytest.approx(5 / 24)
    # a chat answered in 5 minutes is not within the chat SLA (2 minutes)
    assert m.loc["chat-1", "sla_s"] == 120 and m.loc["chat-1", "replies_over_sla"] == 1
    assert m.loc["chat-1", "first_response_sla_ratio"] == pytest.approx(2.5)
    # social: 5 minutes within the hour, 2 hours not
    assert m.loc["post-1", "replies_over_sla"] == 1 and m.loc["post-1", "sla_s"] == 3600
    # a target for every channel applies to all three
    one = LatencyScorer().score(_ctx(conv, sla="10m")).set_index("interaction_id")
    assert one["replies_over_sla"].to_dict() == {"mail-1": 1.0, "chat-1": 0.0, "post-1": 1.0}
    # the scorer's own sla_s still overrides every channel
    fixed = LatencyScorer(sla_s=60).score(_ctx(conv)).set_index("interaction_id")
    assert (fixed["sla_s"] == 60).all() and fixed.loc["mail-1", "replies_over_sla"] == 1


def test_a_rubric_grades_first_response_on_a_log_scale_of_its_sla():
    conv = sa.Conversations.from_frames(pd.DataFrame(
        _thread("mail-1", "email", [5 * 3600.0]) + _thread("chat-1", "chat", [300.0])
        + _thread("chat-2", "chat", [60.0])))
    res = sa.score(conv, sla={"chat": "2m", "email": "1d"})
    value = "clip(1 - log(first_response_sla_ratio) / log(24), 0, 1)"
    rubric = sa.Rubric([sa.Criterion("service", "fast_first_reply", value,
                                     applies="notna(first_response_sla_ratio)")])
    scores = rubric.apply(res.measures)[0].set_index("interaction_id")["service"]
    assert scores["mail-1"] == 100 and scores["chat-2"] == 100  # within their targets
    assert scores["chat-1"] == pytest.approx(100 * (1 - math.log(2.5) / math.log(24)))
    assert res.run_info["settings"]["sla"]["chat"] == 120


@settings(max_examples=25, deadline=None)
@given(channel=st.sampled_from(["chat", "email", "social", "call", "forum"]),
       gaps=st.lists(st.integers(0, 3 * 86_400), min_size=1, max_size=4),
       sla=st.one_of(st.none(), st.integers(1, 7 * 86_400)), names=st.tuples(
           st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12)).filter(
           lambda p: p[0] != p[1]))
def test_sla_ratio_is_first_response_over_sla_and_ignores_speaker_names(channel, gaps, sla,
                                                                       names):
    rows = _thread("x", channel, gaps)
    conv = sa.Conversations.from_frames(pd.DataFrame(rows))
    relabelled = sa.Conversations.from_frames(pd.DataFrame(_thread("x", channel, gaps, names)))
    targets = None if sla is None else {channel: sla}
    m = LatencyScorer().score(_ctx(conv, targets)).iloc[0]
    assert m["first_response_sla_ratio"] >= 0
    assert m["first_response_sla_ratio"] == pytest.approx(m["first_response_s"] / m["sla_s"])
    assert m["sla_s"] == (DEFAULT_SLA[channel] if sla is None else sla)
    assert m["replies_over_sla"] == sum(1 for g in gaps if g > m["sla_s"])
    pd.testing.assert_frame_equal(LatencyScorer().score(_ctx(relabelled, targets)),
                                  LatencyScorer().score(_ctx(conv, targets)))


def test_the_sla_examples_in_the_rubric_docs_load():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "rubric.md").read_text(encoding="utf-8")
    section = text[text.index("## Reply-time targets (SLAs) by channel"):]
    sla_block, criterion_block = [b.split("```")[0] for b in section.split("```toml\n")[1:3]]
    rubric = sa.Rubric.from_toml(sla_block + criterion_block)
    assert rubric.sla == {"chat": 90.0, "social": 1800.0, "email": 28800.0, "default": 600.0}
    ratio = pd.DataFrame({"first_response_sla_ratio": [0.0, 0.5, 24.0, float("nan")]})
    from serviceart.rubric.expr import evaluate

    crit = rubric.criteria[0]
    assert evaluate(crit.value, ratio).tolist()[:3] == [1.0, 1.0, 0.0]
    assert evaluate(crit.applies, ratio).tolist() == [1.0, 1.0, 1.0, 0.0]
    # the built-in targets the docs list are the ones in the code
    for channel, shown in (("chat", "2 minutes"), ("social", "1 hour"), ("email", "1 day"),
                           ("forum", "1 day")):
        assert f"| `{channel}` | {shown} |" in section
    assert (DEFAULT_SLA["chat"], DEFAULT_SLA["social"], DEFAULT_SLA["email"],
            DEFAULT_SLA["forum"], DEFAULT_SLA["call"]) == (120, 3600, DAY, DAY, 600)
