"""Property-based tests of the reader, scorers and rubric (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.scorers import SCORERS
from serviceart.testing import check_scorer, conversations_frames, relabel_speakers
from serviceart.testing.scorers import scoring_context

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.mark.slow
@SETTINGS
@given(frame=conversations_frames())
def test_scores_in_range_one_row_per_interaction(frame, nlp):
    conv = sa.Conversations.from_frames(frame)
    res = sa.score(conv, nlp=nlp)
    assert len(res.scores) == frame["interaction_id"].nunique() == len(res.measures)
    vals = res.scores[[*sa.PRINCIPLES, "overall"]].to_numpy(dtype="float64")
    ok = np.isnan(vals) | ((vals >= 0) & (vals <= 100))
    assert ok.all()
    c = res.run_info["counts"]
    assert c["scored"] + c["out_of_scope"] + c["rejected"] == c["interactions_in"]


@pytest.mark.slow
@SETTINGS
@given(frame=conversations_frames())
def test_renaming_speakers_changes_no_score(frame, nlp):
    a = sa.score(sa.Conversations.from_frames(frame), nlp=nlp)
    b = sa.score(sa.Conversations.from_frames(relabel_speakers(frame)), nlp=nlp)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.measures, b.measures)


@pytest.mark.slow
@SETTINGS
@given(frame=conversations_frames(), seed=st.integers(0, 2**16))
def test_interaction_order_changes_no_score(frame, seed, nlp):
    ids = frame["interaction_id"].unique()
    order = np.random.default_rng(seed).permutation(ids)
    shuffled = pd.concat([frame[frame["interaction_id"] == i] for i in order],
                         ignore_index=True)
    a = sa.score(sa.Conversations.from_frames(frame), nlp=nlp).scores.set_index(
        "interaction_id").sort_index()
    b = sa.score(sa.Conversations.from_frames(shuffled), nlp=nlp).scores.set_index(
        "interaction_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
@SETTINGS
@given(frame=conversations_frames(max_interactions=4, max_turns=6))
def test_every_scorer_meets_the_contract(frame, nlp):
    ctx = scoring_context(sa.Conversations.from_frames(frame), nlp=nlp)
    for _, cls in SCORERS:
        check_scorer(cls(), context=ctx)


@SETTINGS
@given(frame=conversations_frames(), data=st.data())
def test_reader_keeps_every_row_or_rejects_it(frame, data, tmp_path_factory):
    # corrupt some cells, write a CSV, read it back: rows in = valid + rejected
    frame = frame.copy()
    n = len(frame)
    bad = data.draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    frame["role"] = frame["role"].astype(object)
    for i in bad:
        col = data.draw(st.sampled_from(["role", "text", "interaction_id"]))
        frame.loc[i, col] = data.draw(st.sampled_from(["", "robot", None]))
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    frame.to_csv(path, index=False)
    conv = sa.read(path)
    assert conv.counts["turns_in"] == n
    assert conv.counts["turns_valid"] + conv.counts["turns_rejected"] == n
    assert len(conv.turns) + len(conv.rejects) >= n - len(bad)
    assert len(conv.turns) == n - conv.rejects["record"].nunique()


@SETTINGS
@given(text=st.text(max_size=300))
def test_text_reader_never_crashes(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("txt") / "t.txt"
    path.write_text(text, encoding="utf-8")
    try:
        conv = sa.read(path, format="text")
    except sa.ServiceartError:
        return
    assert conv.counts["turns_valid"] <= conv.counts["turns_in"]


@pytest.mark.slow
@settings(max_examples=3, deadline=None, database=None)
@given(frame=conversations_frames(max_interactions=5, max_turns=6))
def test_parallel_equals_serial(frame):
    conv = sa.Conversations.from_frames(frame)
    a = sa.score(conv, chunk_size=2)
    b = sa.score(conv, chunk_size=2, n_process=2)
    for name in ("scores", "measures", "evidence"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
