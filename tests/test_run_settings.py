"""ScoreSettings, the run plan and what a Result carries: one place for every setting."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.codebook import CUES, MEASURES
from serviceart.run.plan import contact_meta, make_plan
from serviceart.run.settings import ScoreSettings
from serviceart.schema import measures_table
from serviceart.scorers import SCORERS, RepeatScorer, ScoringContext, default_scorers

CALENDAR = {"hours": {"mon-fri": "09:00-17:00"}, "tz": "Europe/London",
            "holidays": ["2026-12-25"]}


def test_settings_are_converted_checked_and_frozen():
    s = ScoreSettings(sla_s="300", tz="Europe/Paris", as_of="2026-03-31",
                      case_window="48h", promise_horizons={"email": "3D", "forum": None},
                      calendar=CALENDAR)
    assert s.sla_s == 300.0 and s.case_window == pd.Timedelta(hours=48)
    assert s.as_of == pd.Timestamp("2026-03-31", tz="UTC")
    assert s.horizons["email"] == pd.Timedelta(days=3) and s.horizons["forum"] is None
    assert s.horizons["chat"] == pd.Timedelta(days=1)  # the defaults stay for the rest
    assert isinstance(s.calendar, sa.BusinessCalendar) and isinstance(s.rubric, sa.Rubric)
    assert [x.name for x in s.scorers] == SCORERS.names()
    with pytest.raises(AttributeError):
        s.sla_s = 10  # type: ignore[misc]


def test_every_bad_setting_is_reported_together_naming_keyword_and_flag():
    with pytest.raises(sa.ConfigError) as caught:
        ScoreSettings(sla_s=-5, as_of="garbage", tz="Mars/Olympus", case_window="soon",
                      calendar={"hours": {"funday": "09:00-17:00"}}, chunk_size=0,
                      promise_horizons={"email": "whenever"})
    msg = str(caught.value)
    assert "7 bad settings" in msg
    for keyword, flag in (("sla_s", "--sla"), ("as_of", "--as-of"), ("tz", "--tz"),
                          ("case_window", "--case-window"), ("calendar", "--calendar"),
                          ("chunk_size", "--chunk-size"), ("promise_horizons", "--horizon")):
        assert f"{keyword} ({flag})" in msg
    assert "funday" in msg and "whenever" in msg and "'garbage'" in msg
    assert caught.value.field is not None and "sla_s" in caught.value.field


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, "ten", True, "-5m", "3y"])
def test_an_sla_must_be_a_positive_finite_number(value):
    with pytest.raises(sa.ConfigError, match="sla_s"):
        ScoreSettings(sla_s=value)


def test_settings_pickle_and_rebuild_from_run_info(tmp_path):
    rubric = sa.Rubric.default()
    custom = sa.Rubric(rubric.criteria[1:], name="mine", version="3")
    s = ScoreSettings(rubric=custom, calendar=CALENDAR, as_of="2026-03-20T12:00Z",
                      promise_horizons={"chat": "12h"}, link_by_customer=False, jobs=2)
    assert pickle.loads(pickle.dumps(s)) == s
    info = {"settings": s.to_dict()}
    assert ScoreSettings.from_run_info(info, rubric=custom) == s
    with pytest.raises(sa.ConfigError, match="not the default; pass it as rubric="):
        ScoreSettings.from_run_info(info)
    with pytest.raises(sa.ConfigError, match="is not the one the run used"):
        ScoreSettings.from_run_info(info, rubric=rubric)


def test_sa_score_refuses_settings_given_twice(samples_dir):
    conv = sa.read(samples_dir / "chats.jsonl")
    with pytest.raises(sa.ConfigError, match=r"not both .*sla_s"):
        sa.score(conv, settings=ScoreSettings(), sla_s=30)


def test_a_result_carries_its_rubric_and_settings_through_its_folder(samples_dir, tmp_path):
    custom = sa.Rubric(sa.Rubric.default().criteria, name="house", version="7",
                       bands={"all": [{"name": "ok", "min": 50}, {"name": "low", "min": 0}]})
    s = ScoreSettings(rubric=custom, sla_s=120, case_window="2D")
    res = sa.score(sa.read(samples_dir), settings=s)
    assert res.rubric is custom and res.settings is s
    back = sa.Result.from_parquet(res.to_parquet(tmp_path / "run"))
    assert back.rubric == custom and back.settings == s
    iid = res.scores["interaction_id"][0]
    # the scorecard's bands are the run's own, from its bands table
    assert back.explain(iid).bands == res.explain(iid).bands
    assert set(res.explain(iid).bands.values()) <= {"ok", "low"}
    assert res.bands.set_index("interaction_id").loc[iid, "overall_band"] == \
        res.explain(iid).bands["overall"]


@pytest.mark.slow
def test_the_cli_refuses_bad_settings_before_reading_any_input(tmp_path):
    # a FIFO as input: reading it would block the command for ever
    fifo = tmp_path / "export.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "run"
    for args, option in ((["--as-of", "garbage"], "--as-of"), (["--sla", "-5"], "--sla"),
                         (["--tz", "Nowhere/City"], "--tz"),
                         (["--calendar", str(_bad_calendar(tmp_path))], "--calendar"),
                         (["--horizon", "email"], "--horizon")):
        done = subprocess.run([sys.executable, "-m", "serviceart", "score", str(fifo), "-o",
                               str(out), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("error:") == 1 and "[SA-C" in done.stderr
        assert option in done.stderr, done.stderr
        assert not out.exists()


def _bad_calendar(folder: Path) -> Path:
    path = folder / "calendar.toml"
    path.write_text('[hours]\nfunday = "09:00-17:00"\n', encoding="utf-8")
    return path


# -------------------------------------------------------------- measures and scorers
def test_every_codebook_measure_is_produced_by_exactly_one_scorer_and_nothing_else():
    produced: dict[str, list[str]] = {}
    for scorer in default_scorers():
        for column in scorer.columns:
            produced.setdefault(column, []).append(scorer.name)
    assert {m: names for m, names in produced.items() if len(names) > 1} == {}
    assert set(MEASURES) <= set(produced), sorted(set(MEASURES) - set(produced))
    # the other columns are cue counts
    assert set(produced) - set(MEASURES) == set(CUES)
    assert set(measures_table().names) - {"interaction_id"} == set(produced)


def test_repeat_contact_comes_from_the_plan_and_alone_from_the_context(samples_dir):
    conv = sa.link_cases(sa.read(samples_dir))
    plan = make_plan(contact_meta(conv.turns, conv.interactions), ScoreSettings())
    inter = plan.apply(conv.interactions)
    ctx = ScoringContext(turns=conv.turns, interactions=inter, evidence=pd.DataFrame())
    planned = RepeatScorer().score(ctx).set_index("interaction_id")["repeat_contact"]
    alone = RepeatScorer().score(ScoringContext(
        turns=conv.turns, interactions=conv.interactions, evidence=pd.DataFrame())
    ).set_index("interaction_id")["repeat_contact"]
    pd.testing.assert_series_equal(planned, alone)
    assert planned.notna().all()


def _chats(n_customers: int, gaps: list[int]) -> pd.DataFrame:
    rows = []
    for c in range(n_customers):
        t = pd.Timestamp("2026-03-02T09:00Z")
        for k, gap in enumerate(gaps):
            t = t + pd.Timedelta(hours=gap)
            for j, role in enumerate(("customer", "agent")):
                rows.append({"interaction_id": f"u{c}-{k}", "role": role,
                             "text": "My order is late." if role == "customer" else
                             "Sorry, I'll check it today.", "channel": "chat",
                             "customer_id": f"u{c}",
                             "timestamp": (t + pd.Timedelta(minutes=j)).isoformat()})
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.lists(st.integers(1, 200), min_size=1, max_size=5),
       st.integers(1, 7))
def test_the_plan_never_splits_a_case_and_keeps_every_interaction(n, gaps, chunk):
    frame = _chats(n, gaps)
    conv = sa.Conversations.from_frames(frame)
    plan = make_plan(contact_meta(conv.turns, conv.interactions),
                     ScoreSettings(chunk_size=chunk, case_window="3D"))
    table = plan.table
    assert list(table["interaction_id"]) == list(conv.interactions["interaction_id"])
    assert table.groupby("case_id")["part"].nunique().max() == 1  # whole cases
    assert sorted(table["part"].unique()) == list(range(plan.n_parts))
    parts = list(plan.parts())
    assert sum(len(p) for p in parts) == len(table)
    # a part holds at most chunk_size interactions unless one case is larger
    for p in parts:
        assert len(p) <= max(chunk, p.groupby("case_id").size().max())
    assert plan.as_of == pd.to_datetime(frame["timestamp"]).max()
