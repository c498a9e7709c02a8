"""serviceart.plot: each plot returns its Axes, on full, single and empty results."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import serviceart as sa
from serviceart import plot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _only(res: sa.Result, ids: list[str]) -> sa.Result:
    """The result restricted to some interactions (new frames; the input is untouched)."""
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        if "interaction_id" not in frame.columns:
            return frame
        return frame[frame["interaction_id"].astype(str).isin(ids)].reset_index(drop=True)
    return replace(res, scores=keep(res.scores), measures=keep(res.measures),
                   evidence=keep(res.evidence), contributions=keep(res.contributions),
                   interactions=keep(res.interactions), bands=keep(res.bands),
                   turns=keep(res.turns))


def _note_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _labels(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


@pytest.fixture(scope="module")
def empty_results(sample_result) -> list[sa.Result]:
    bare = sa.Result(scores=pd.DataFrame(), measures=pd.DataFrame(),
                     evidence=pd.DataFrame(), rejects=pd.DataFrame(), run_info={})
    return [bare, _only(sample_result, [])]


# --------------------------------------------------------------------------- principles

def test_principles_one_row_per_principle_with_every_score(sample_result):
    ax = plot.principles(sample_result)
    assert isinstance(ax, plt.Axes)
    assert _labels(ax) == [f"{p} (n=13)" for p in (*sa.PRINCIPLES, "overall")]
    points = [c for c in ax.collections if len(c.get_offsets())]
    assert [len(c.get_offsets()) for c in points] == [13] * 5
    respect = np.sort(np.asarray(points[0].get_offsets())[:, 0])
    np.testing.assert_allclose(respect, np.sort(sample_result.scores["respect"]))
    assert [float(x) for x in ax.get_xticks()] == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    lo, hi = ax.get_xlim()
    assert lo < 0.0 and hi > 100.0  # the points at 0 and 100 are not cut in half


def test_principles_draws_on_the_given_axes_and_leaves_nan_out(sample_result):
    scores = sample_result.scores.copy()
    scores.loc[0, "integrity"] = np.nan
    res = replace(sample_result, scores=scores)
    _, given = plt.subplots()
    ax = plot.principles(res, principles="integrity", ax=given)
    assert ax is given
    assert _labels(ax) == ["integrity (n=12)"]


def test_principles_rejects_an_unknown_principle(sample_result):
    with pytest.raises(sa.ConfigError, match="unknown score column"):
        plot.principles(sample_result, principles="kindness")


# --------------------------------------------------------------------------- agents

def test_agents_orders_rankable_groups_first_and_greys_the_rest(sample_result):
    table = sample_result.by("agent_id", principles="overall", n_boot=200, min_n=2)
    ax = plot.agents(table)
    labels = _labels(ax)
    assert labels[:2] == ["priya.s (n=2)", "kofi.a (n=2)"]  # the only n >= 2, best first
    assert len(labels) == table["agent_id"].nunique() == 11
    colours = [t.get_color() for t in ax.get_yticklabels()]
    assert colours[0] != "#808080" and set(colours[2:]) == {"#808080"}
    assert "grey: n < 2" in ax.get_xlabel()
    # the interval line of priya.s spans its bootstrap interval
    row = table[table["agent_id"] == "priya.s"].iloc[0]
    spans = [tuple(line.get_xdata()) for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert (row["ci_low"], row["ci_high"]) in spans


def test_agents_min_n_overrides_the_table_flag(sample_result):
    table = sample_result.by("team", principles=["service", "overall"], n_boot=50, min_n=30)
    ax = plot.agents(table, "service", min_n=1)
    assert "grey" not in ax.get_xlabel()
    assert ax.get_title(loc="left") == "service by team"


def test_agents_refuses_tables_it_cannot_draw(sample_result):
    weekly = sample_result.by("agent_id", period="W", principles="overall", n_boot=0)
    with pytest.raises(sa.ConfigError, match="period"):
        plot.agents(weekly)
    with pytest.raises(sa.ConfigError, match="no principle 'respect'"):
        plot.agents(sample_result.by("agent_id", principles="overall", n_boot=0), "respect")
    with pytest.raises(sa.ConfigError, match=r"needs a table from res\.by"):
        plot.agents(sample_result.scores)


# --------------------------------------------------------------------------- trend

def test_trend_one_line_per_principle_through_the_weekly_means(sample_result):
    ax = plot.trend(sample_result, "W", n_boot=100)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(sa.PRINCIPLES)
    table = sample_result.by("segment", period="W", principles="service", n_boot=0)
    weeks = sorted(table["period"].unique())
    assert len(lines[0].get_xdata()) == len(weeks) == 2
    started = pd.to_datetime(sample_result.interactions["started_at"]).dt.tz_localize(None)
    week = started.dt.to_period("W")
    merged = sample_result.scores.assign(week=week.to_numpy())
    expected = merged.groupby("week")["service"].mean().to_numpy()
    np.testing.assert_allclose(lines[1].get_ydata(), expected)
    assert "6 to 7 interactions per week" in ax.get_title(loc="left")


def test_trend_counts_undated_interactions_in_a_note(sample_result):
    inter = sample_result.interactions.copy()
    inter.loc[inter["interaction_id"] == "call-0003", "started_at"] = pd.NaT
    ax = plot.trend(replace(sample_result, interactions=inter), "D", principles="overall",
                    n_boot=0)
    assert "1 interaction(s) without started_at left out" in _note_texts(ax)
    assert len(ax.get_lines()[0].get_xdata()) == 10  # 12 dated interactions on 10 days


def test_trend_without_dates_gives_a_note(sample_result):
    inter = sample_result.interactions.assign(started_at=pd.NaT)
    ax = plot.trend(replace(sample_result, interactions=inter))
    assert _note_texts(ax) == ["no interaction has a started_at: no trend to draw"]
    ax = plot.trend(replace(sample_result,
                            interactions=sample_result.interactions.drop(columns="started_at")))
    assert "no started_at" in _note_texts(ax)[0]


def test_trend_rejects_an_unknown_period(sample_result):
    with pytest.raises(sa.ConfigError, match="unknown period"):
        plot.trend(sample_result, "fortnight")


# --------------------------------------------------------------------------- talk

@pytest.mark.parametrize("iid", ["call-0001", "call-0002", "call-0003", "call-0004",
                                 "call-0005"])
def test_talk_marks_as_many_interruptions_as_the_talk_scorer_counts(sample_result, iid):
    ax = plot.talk(sample_result, iid)
    m = sample_result.measures.set_index("interaction_id").loc[iid]
    expected = int(m["interruptions_by_agent"] + m["interruptions_by_customer"])
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()] if legend else []
    found = [t for t in texts if t.startswith("interruption")]
    assert found == ([f"interruption ({expected})"] if expected else [])


def test_talk_rows_per_speaker_and_silences(sample_result):
    ax = plot.talk(sample_result, "call-0001")
    assert _labels(ax) == ["agent tom.b", "agent dana.k", "customer cust-1042", "system"]
    ax = plot.talk(sample_result, "call-0005", silence_s=20)
    # README: router restart gaps of 26, 34, 92 and 21 s
    assert sorted(t for t in _note_texts(ax) if t.endswith(" s")) == \
        sorted(["26 s", "34 s", "92 s", "21 s"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["silence > 20 s (4)"]


def test_talk_draws_chats_at_their_message_times(sample_result):
    ax = plot.talk(sample_result, "chat-0003")
    assert ax.get_xlabel() == "minutes since the first message"
    assert _labels(ax) == ["agent jo.w", "agent ravi.p", "customer cust-7781"]
    xs = np.concatenate([line.get_xdata() for line in ax.get_lines()])
    n_turns = int((sample_result.turns["interaction_id"] == "chat-0003").sum())
    assert len(xs) == n_turns and xs.min() == 0.0
    # a transcript with start times but no ends is drawn the same way
    ax = plot.talk(sample_result, "text-0001")
    assert ax.get_xlabel() == "minutes since the first message"


def test_talk_refuses_untimed_and_unknown_interactions(sample_result):
    with pytest.raises(sa.ConfigError, match="'text-0002' has no timing"):
        plot.talk(sample_result, "text-0002")
    with pytest.raises(sa.ConfigError, match="no turns for interaction 'nope'"):
        plot.talk(sample_result, "nope")


def test_talk_notes_turns_without_times(sample_result):
    turns = sample_result.turns.copy()
    turns.loc[(turns["interaction_id"] == "call-0004") & (turns["turn_index"] == 2),
              "start_s"] = np.nan
    ax = plot.talk(replace(sample_result, turns=turns), "call-0004")
    assert "1 turn(s) without start_s/end_s not shown" in _note_texts(ax)


# --------------------------------------------------------------------------- empty, single

def _all_plots(res: sa.Result, iid: str) -> list[Axes]:
    table = res.by("agent_id", n_boot=50) if "interaction_id" in res.interactions else \
        pd.DataFrame(columns=["agent_id", "principle", "n", "mean", "ci_low", "ci_high",
                              "rankable"])
    return [plot.principles(res), plot.agents(table), plot.trend(res, "W"),
            plot.talk(res, iid)]


def test_empty_results_give_notes_not_errors(empty_results):
    for res in empty_results:
        axes = _all_plots(res, "call-0001")
        assert all(isinstance(ax, plt.Axes) for ax in axes)
        for ax in axes:
            assert len(ax.texts) == 1 and ax.texts[0].get_text().startswith(("no ", "the "))
            assert not ax.get_lines() and not ax.collections


@pytest.mark.parametrize("iid", ["call-0003", "chat-0004"])
def test_single_interaction_results_plot(sample_result, iid):
    res = _only(sample_result, [iid])
    principles, agents, trend, talk = _all_plots(res, iid)
    assert _labels(principles)[0] == "respect (n=1)"
    assert len(_labels(agents)) == 1 and "grey" in agents.get_xlabel()
    assert [len(line.get_xdata()) for line in trend.get_lines()] == [1] * 4
    assert talk.get_title(loc="left").startswith(iid)


def test_plots_do_not_modify_the_result(sample_result):
    before = {n: getattr(sample_result, n).copy() for n in ("scores", "interactions", "turns")}
    _all_plots(sample_result, "call-0003")
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(sample_result, name), frame)


# --------------------------------------------------------------------------- import, backend

def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**environ, **env}, check=False, timeout=120)


def test_importing_serviceart_does_not_import_matplotlib():
    out = _run("import sys, serviceart; print('matplotlib' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_sa_plot_is_loaded_on_first_access():
    out = _run("import sys, serviceart as sa\n"
               "assert 'matplotlib' not in sys.modules\n"
               "f = sa.plot.principles\n"
               "print(callable(f), 'matplotlib' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True False"  # matplotlib itself waits for the first plot


def test_agg_only_when_no_backend_is_set():
    code = ("import matplotlib, serviceart as sa\n"
            "from serviceart import plot\n"
            "res = sa.Result(scores=__import__('pandas').DataFrame(), measures=None, "
            "evidence=None, rejects=None, run_info={})\n"
            "plot.principles(res); print(matplotlib.get_backend().lower())")
    if sys.platform.startswith("linux"):
        headless = _run(code)
        assert headless.returncode == 0, headless.stderr
        assert headless.stdout.strip() == "agg"
    chosen = _run(code, MPLBACKEND="svg")
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.strip() == "svg"


def test_trend_leaves_out_stray_dates_and_says_so(shared_data):
    """The Twitter support threads: two months of 2017 and a few threads from 2011 to
    September 2017. The x axis covers the two months; the strays are counted in a note."""
    res = sa.score(sa.read(shared_data / "twcs" / "twcs.csv"))
    ax = plot.trend(res, "W", principles="overall", n_boot=0)
    x = [pd.Timestamp(t) for t in ax.get_lines()[0].get_xdata()]
    assert x[0] >= pd.Timestamp("2017-09-25") and x[-1] <= pd.Timestamp("2017-12-04")
    when = res.interactions["started_at"]
    notes = [m for t in _note_texts(ax) for m in re.finditer(
        r"(\d+) interaction\(s\) outside (\S+) to (\S+) left out \((\d+) before, (\d+) "
        r"after\) as stray dates", t)]
    assert len(notes) == 1
    n, start, end, before, after = notes[0].groups()
    start_ts, end_ts = pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC")
    # the 1st percentile is 7-8 October 2017, less a week; the 99th 26 November, plus one
    assert pd.Timestamp("2017-09-29", tz="UTC") <= start_ts <= pd.Timestamp("2017-10-02",
                                                                           tz="UTC")
    assert int(before) == int((when < start_ts).sum()) == int(n) == 7
    assert int(after) == int((when > end_ts + pd.Timedelta(days=1)).sum()) == 0
    assert when.min().year == 2011 and int(n) <= 0.01 * len(when)
    every = plot.trend(res, "W", principles="overall", n_boot=0, strays=None)
    years = {pd.Timestamp(t).year for t in every.get_lines()[0].get_xdata()}
    assert min(years) == 2011 and not any("stray" in t for t in _note_texts(every))


def test_trend_keeps_every_date_of_a_tight_run(sample_result):
    ax = plot.trend(sample_result, "D", principles="overall", n_boot=0)
    every = plot.trend(sample_result, "D", principles="overall", n_boot=0, strays=None)
    assert len(ax.get_lines()[0].get_xdata()) == 10  # 13 interactions on 10 days
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(),
                                  every.get_lines()[0].get_xdata())
    assert not any("stray" in t for t in _note_texts(ax))
