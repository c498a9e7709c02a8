"""Aggregation: by() with bootstrap intervals and periods, rank() with tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serviceart.analysis.aggregate import SCORE_COLUMNS, by, rank
from serviceart.errors import ConfigError, InputError
from serviceart.result import Result
from serviceart.schema import EVIDENCE, REJECTS, empty


def make_result(values: dict[str, np.ndarray], meta: dict[str, object]) -> Result:
    n = len(next(iter(values.values())))
    ids = pd.array([f"i{i:05d}" for i in range(n)], dtype="string")
    scores = pd.DataFrame({"interaction_id": ids, **values})
    inter = pd.DataFrame({"interaction_id": ids, **meta})
    return Result(scores=scores, measures=pd.DataFrame({"interaction_id": ids}),
                  evidence=empty(EVIDENCE), rejects=empty(REJECTS), run_info={},
                  interactions=inter)


def test_by_team_matches_a_pandas_groupby(sample_result: Result) -> None:
    table = by(sample_result, "team", min_n=2, n_boot=200)
    merged = sample_result.scores.merge(sample_result.interactions[["interaction_id", "team"]],
                                        on="interaction_id")
    expected = merged.groupby("team")[list(SCORE_COLUMNS)].count()
    assert len(table) == len(expected) * len(SCORE_COLUMNS)
    for row in table.itertuples(index=False):
        assert row.n == expected.loc[row.team, row.principle]
        assert row.rankable == (row.n >= 2)
    means = merged.groupby("team")["service"].mean()
    service = table[table["principle"] == "service"].set_index("team")["mean"]
    pd.testing.assert_series_equal(service.sort_index(), means.sort_index(),
                                   check_names=False)
    assert list(table.columns) == ["team", "principle", "n", "mean", "ci_low", "ci_high",
                                   "rankable"]
    ok = table["n"] > 0
    assert (table.loc[ok, "ci_low"] <= table.loc[ok, "mean"] + 1e-9).all()
    assert (table.loc[ok, "mean"] <= table.loc[ok, "ci_high"] + 1e-9).all()


def test_by_is_deterministic_and_leaves_the_result_alone(sample_result: Result) -> None:
    before = sample_result.scores.copy()
    a = by(sample_result, ["team", "segment"], n_boot=300, seed=3)
    b = by(sample_result, ["team", "segment"], n_boot=300, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = by(sample_result, "segment", n_boot=300, seed=3)
    d = by(sample_result, "segment", n_boot=300, seed=4)
    assert not np.allclose(c["ci_low"], d["ci_low"])
    pd.testing.assert_frame_equal(sample_result.scores, before)
    assert a.attrs["keys"] == ["team", "segment"] and a.attrs["n_boot"] == 300
    assert len(a) == len(sample_result.interactions[["team", "segment"]].drop_duplicates()) * 5


def test_nan_scores_are_left_out_per_principle() -> None:
    res = make_result({"service": np.array([10.0, np.nan, 30.0, 50.0]),
                       "respect": np.array([np.nan, np.nan, np.nan, 80.0])},
                      {"team": ["a", "a", "a", "b"]})
    t = by(res, "team", principles=["service", "respect"], min_n=2, n_boot=100)
    got = t.set_index(["team", "principle"])
    assert got.loc[("a", "service"), "n"] == 2
    assert got.loc[("a", "service"), "mean"] == 20.0
    assert got.loc[("a", "respect"), "n"] == 0
    assert np.isnan(got.loc[("a", "respect"), "mean"])
    assert not got.loc[("a", "respect"), "rankable"]
    assert got.loc[("b", "respect"), "ci_low"] == got.loc[("b", "respect"), "ci_high"] == 80.0


def test_missing_key_values_form_their_own_group() -> None:
    res = make_result({"service": np.arange(6, dtype=float)},
                      {"team": pd.array(["a", None, "a", None, "b", "b"], dtype="string")})
    t = by(res, "team", principles="service", n_boot=0, min_n=1)
    assert t["n"].tolist() == [2, 2, 2]
    assert t["team"].isna().tolist() == [False, False, True]
    assert t["ci_low"].isna().all()


def test_periods_over_started_at_with_undated_interactions() -> None:
    start = pd.Timestamp("2026-03-02", tz="UTC")  # a Monday
    when = pd.Series([start, start + pd.Timedelta(days=1), start + pd.Timedelta(days=7),
                      start + pd.Timedelta(days=8), pd.NaT, start + pd.Timedelta(days=15)],
                     dtype="datetime64[ns, UTC]")
    res = make_result({"service": np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])},
                      {"agent_id": ["x"] * 6, "started_at": when})
    t = by(res, "agent_id", period="W", principles="service", n_boot=50, min_n=1)
    assert list(t.columns[:3]) == ["agent_id", "period", "principle"]
    assert t["n"].tolist() == [2, 2, 1, 1]
    assert t["mean"].tolist() == [15.0, 35.0, 60.0, 50.0]
    assert t["period"].isna().tolist() == [False, False, False, True]
    assert str(t["period"].iloc[0]) == "2026-03-02/2026-03-08"
    assert t.attrs["undated"] == 1
    monthly = by(res, "agent_id", period="M", principles="service", n_boot=0)
    assert monthly["n"].tolist() == [5, 1]
    assert by(res, "agent_id", period="ME", principles="service", n_boot=0)["n"].tolist() \
        == [5, 1]


def test_bootstrap_intervals_cover_the_true_mean_at_about_the_nominal_rate() -> None:
    rng = np.random.default_rng(7)
    groups, size = 300, 40
    values = rng.exponential(20.0, groups * size) + 50.0  # skewed, true mean 70
    res = make_result({"service": values},
                      {"agent_id": np.repeat([f"a{g:03d}" for g in range(groups)], size)})
    t = by(res, "agent_id", principles="service", n_boot=400, ci=0.9, seed=1)
    covered = ((t["ci_low"] <= 70.0) & (t["ci_high"] >= 70.0)).mean()
    assert 0.83 <= covered <= 0.95  # percentile intervals run a little short on skewed data
    assert (t["n"] == size).all() and t["rankable"].all()


def test_min_n_flags_small_groups() -> None:
    res = make_result({"service": np.ones(35)}, {"team": ["big"] * 31 + ["small"] * 4})
    t = by(res, "team", principles="service", n_boot=10)
    assert t.set_index("team")["rankable"].to_dict() == {"big": True, "small": False}
    assert by(res, "team", principles="service", n_boot=10, min_n=4)["rankable"].all()


def _table(means: list[float], half: list[float], n: list[int]) -> pd.DataFrame:
    m, h = np.asarray(means), np.asarray(half)
    return pd.DataFrame({"team": [f"t{i}" for i in range(len(means))], "principle": "service",
                         "n": n, "mean": m, "ci_low": m - h, "ci_high": m + h,
                         "rankable": np.asarray(n) >= 30})


def test_rank_marks_ties_when_intervals_overlap() -> None:
    t = _table([80.0, 78.0, 60.0, 95.0, 40.0], [3.0, 3.0, 2.0, 20.0, 1.0], [50, 50, 50, 5, 40])
    r = rank(t, "service")
    assert r["team"].tolist() == ["t0", "t1", "t2", "t4", "t3"]
    assert r["rank"].tolist()[:4] == [1, 1, 2, 3] and r["rank"].isna().tolist()[4]
    assert r["tied"].tolist() == [True, True, False, False, False]
    assert r["overlaps"].tolist()[:3] == ["t1", "t0", ""]
    assert "cannot order them" in r["note"].iloc[0]
    assert r["note"].iloc[4] == "not ranked: n=5 is too small (rankable is False)"
    t.attrs["min_n"] = 30
    assert rank(t, "service")["note"].iloc[4] == "not ranked: n=5 is under min_n=30"
    assert rank(t, "service", min_n=5)["team"].iloc[0] == "t3"


def test_rank_chains_overlaps_so_different_ranks_never_overlap() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        k = int(rng.integers(2, 12))
        t = _table(list(rng.uniform(40, 90, k)), list(rng.uniform(0.5, 8, k)), [40] * k)
        r = rank(t, "service")
        assert r["rank"].is_monotonic_increasing
        lo, hi, rk = r["ci_low"].to_numpy(), r["ci_high"].to_numpy(), r["rank"].to_numpy()
        for i in range(k):
            for j in range(i + 1, k):
                if rk[i] != rk[j]:
                    assert hi[j] < lo[i]  # ordered and disjoint
        assert (r["tied"] == r.groupby("rank")["team"].transform("size").gt(1)).all()


def test_rank_within_each_period_from_by() -> None:
    start = pd.Timestamp("2026-03-02", tz="UTC")
    rng = np.random.default_rng(2)
    n = 400
    team = np.where(np.arange(n) % 2 == 0, "a", "b")
    week = (np.arange(n) // 200) * 7
    values = np.where(team == "a", 80.0, 50.0) + rng.normal(0, 5, n)
    values[week == 7] = np.where(team[week == 7] == "a", 50.0, 80.0) + rng.normal(0, 5, 200)
    res = make_result({"service": values},
                      {"team": team, "started_at": start + pd.to_timedelta(week, unit="D")})
    r = rank(by(res, "team", period="W", principles="service", n_boot=200), "service")
    assert r["team"].tolist() == ["a", "b", "b", "a"]
    assert r["rank"].tolist() == [1, 2, 1, 2]
    assert not r["tied"].any()


def test_errors_say_what_is_available(sample_result: Result) -> None:
    with pytest.raises(ConfigError, match=r"unknown interaction column.*tier.*segment"):
        by(sample_result, "tier")
    with pytest.raises(ConfigError, match="the scores have: respect, service"):
        by(sample_result, "team", principles=["kindness"])
    with pytest.raises(ConfigError, match="unknown period 'fortnight'"):
        by(sample_result, "team", period="fortnight")
    with pytest.raises(ConfigError, match="ci must be between 0 and 1"):
        by(sample_result, "team", ci=95)
    with pytest.raises(ConfigError, match="min_n must be an integer"):
        by(sample_result, "team", min_n=0)
    table = by(sample_result, "team", principles="service", n_boot=10)
    with pytest.raises(ConfigError, match="no principle 'respect'; it has: service"):
        rank(table, "respect")
    bare = Result(scores=sample_result.scores, measures=sample_result.measures,
                  evidence=sample_result.evidence, rejects=sample_result.rejects, run_info={})
    with pytest.raises(InputError, match="no interaction table"):
        by(bare, "team")
