"""The Result's analyst-facing API: explain, bands, by, fairness through sa.*"""

from __future__ import annotations

import pandas as pd

import serviceart as sa
from serviceart.analysis.aggregate import by as aggregate_by


def test_bands_follow_the_default_thresholds(sample_result):
    bands = sample_result.bands.set_index("interaction_id")
    scores = sample_result.scores.set_index("interaction_id")
    for p in ("respect", "service", "integrity", "follow_through", "overall"):
        for iid, v in scores[p].items():
            want = None if pd.isna(v) else ("meets" if v >= 80 else "coaching" if v >= 60
                                            else "fails")
            got = bands.loc[iid, f"{p}_band"]
            assert (None if pd.isna(got) else got) == want, (iid, p)


def test_explain_rebuilds_the_score(sample_result):
    ex = sample_result.explain("call-0003")
    text = str(ex)
    score = sample_result.scores.set_index("interaction_id").loc["call-0003", "respect"]
    assert "respect" in text and "disrespect_fails" in text
    c = sample_result.contributions
    mine = c[(c["interaction_id"] == "call-0003") & (c["principle"] == "respect")]
    assert abs(mine["points"].sum() - score) < 1e-9
    assert "<script" not in ex._repr_html_()


def test_by_and_fairness_from_the_result(sample_result):
    table = sample_result.by("team", n_boot=200, min_n=2)
    assert table.equals(aggregate_by(sample_result, "team", n_boot=200, min_n=2))
    n = table[table["principle"] == "overall"].set_index("team")["n"].to_dict()
    want = sample_result.interactions.merge(sample_result.scores, on="interaction_id") \
        .dropna(subset=["overall"]).groupby("team").size().to_dict()
    assert n == want
    report = sa.fairness(sample_result, by="segment", min_n=2, n_boot=200, n_perm=199)
    assert set(report.groups["group"].astype(str)) == set(
        sample_result.interactions["segment"].astype(str))
    # the engine records transcript size, so the quality checks have it
    assert not any("unknown" in n for n in report.notes)
    assert report.quality["words_median"].notna().all()
    inter = sample_result.interactions
    assert (inter["n_words"] > 0).all() and (inter["n_turns"] > 0).all()
