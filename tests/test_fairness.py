"""Fairness: planted gaps found with their driver, no gap found when none is planted,
gaps explained by data quality flagged as such."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serviceart.analysis.fairness import FairnessReport, _holm, _permutation_p, fairness
from serviceart.errors import ConfigError
from serviceart.result import Result
from serviceart.schema import EVIDENCE, REJECTS, empty

GROUPS = ("gold", "standard", "basic")


def synthetic(seed: int, n: int = 300, *, wait: dict[str, float] | None = None,
              short: str | None = None, groups: tuple[str, ...] = GROUPS) -> Result:
    """Scores made from measures the way a rubric would: service falls with the wait,
    respect rises with courtesy and empathy cues, which longer transcripts hold more of."""
    rng = np.random.default_rng(seed)
    seg = rng.choice(np.asarray(groups), n)
    factor = np.ones(n)
    for g, f in (wait or {}).items():
        factor[seg == g] = f
    first = rng.lognormal(np.log(120), 0.5, n) * factor
    words = rng.lognormal(np.log(250), 0.4, n)
    if short:
        words[seg == short] /= 3
    courtesy = rng.poisson(words / 100)
    empathy = rng.poisson(words / 250)

    def clip(a: np.ndarray) -> np.ndarray:
        return np.clip(a, 0, 100)

    follow = clip(rng.normal(70, 15, n))
    follow[rng.random(n) < 0.2] = np.nan
    ids = pd.array([f"i{i:04d}" for i in range(n)], dtype="string")
    scores = pd.DataFrame({
        "interaction_id": ids,
        "respect": clip(100 * (1 - np.exp(-(courtesy + empathy) / 1.5)) + rng.normal(0, 8, n)),
        "service": clip(95 - 12 * np.log(first / 120) + rng.normal(0, 8, n)),
        "integrity": clip(rng.normal(85, 10, n)),
        "follow_through": follow,
    })
    scores["overall"] = scores[["respect", "service", "integrity", "follow_through"]].mean(axis=1)
    measures = pd.DataFrame({
        "interaction_id": ids, "first_response_s": first,
        "median_reply_s": rng.lognormal(np.log(90), 0.5, n), "courtesy": courtesy,
        "empathy": empathy, "words": words, "handoffs": rng.poisson(0.3, n).astype(float)})
    inter = pd.DataFrame({"interaction_id": ids, "segment": seg})
    return Result(scores=scores, measures=measures, evidence=empty(EVIDENCE),
                  rejects=empty(REJECTS), run_info={}, interactions=inter)


def test_a_planted_wait_gap_is_found_with_its_driver() -> None:
    rep = fairness(synthetic(11, wait={"basic": 3.0}), "segment", n_perm=499, n_boot=300)
    sig = rep.significant
    service = sig[sig["principle"] == "service"]
    assert service["group"].tolist() == ["basic"]
    row = service.iloc[0]
    assert row["best_group"] in ("gold", "standard")
    assert row["gap"] < -8 and row["ci_high"] < 0 and row["p_holm"] <= 0.05
    assert row["top_driver"] == "first_response_s"
    assert row["drivers"].startswith("basic customers wait ")
    assert "x longer (first_response_s median" in row["drivers"]
    assert not row["explained_by_quality"]
    assert row["quality_note"].startswith("not explained by data quality")
    top = rep.drivers[(rep.drivers["principle"] == "service") & (rep.drivers["rank"] == 1)]
    assert 2.3 < float(top["ratio"].iloc[0]) < 4.0  # about the planted 3x
    assert float(top["corr_with_score"].iloc[0]) < 0
    assert set(sig["principle"]) <= {"service", "overall"}
    text = str(rep)
    assert "service: basic" in text and "basic customers wait" in text
    assert "Holm correction over 15 tests" in text and "499 permutations" in text


@pytest.mark.slow
def test_no_planted_gap_means_no_significant_gap_in_at_least_95_percent_of_seeds() -> None:
    flagged = sum(
        len(fairness(synthetic(seed), "segment", n_perm=499, n_boot=50, seed=seed).significant)
        > 0 for seed in range(200))
    assert flagged <= 10, f"{flagged} of 200 null data sets reported a gap"


def test_a_gap_made_by_short_transcripts_is_flagged_as_data_quality() -> None:
    rep = fairness(synthetic(5, short="basic"), "segment", n_perm=499, n_boot=200)
    respect = rep.gaps[(rep.gaps["principle"] == "respect") & (rep.gaps["group"] == "basic")]
    row = respect.iloc[0]
    assert row["significant"] and row["gap"] < -20
    assert row["explained_by_quality"]
    assert abs(row["adjusted_gap"]) < 0.5 * abs(row["gap"])
    assert "words per interaction" in row["quality_note"]
    assert row["top_driver"] in ("courtesy", "empathy")
    q = rep.quality.set_index("group")
    assert q.loc["basic", "words_median"] < q.loc["gold", "words_median"] / 2
    assert "explained by data quality rather than service" in str(rep)
    # a real service gap beside it is not explained away
    both = fairness(synthetic(5, short="basic", wait={"standard": 3.0}), "segment",
                    principles=["service"], n_perm=499, n_boot=100)
    row = both.significant.iloc[0]
    assert row["group"] == "standard" and not row["explained_by_quality"]


def test_words_and_turns_come_from_the_turn_table_when_measures_lack_them() -> None:
    res = synthetic(3, n=120)
    res.measures = res.measures.drop(columns="words")
    ids = res.scores["interaction_id"]
    turns = pd.DataFrame({"interaction_id": np.repeat(ids.to_numpy(), 2),
                          "text": ["hello there", "one two three"] * len(ids)})
    res.rejects = pd.DataFrame({"interaction_id": pd.array([ids[0], ids[0]], dtype="string"),
                                "code": ["x", "y"], "reason": ["r", "r"]})
    rep = fairness(res, "segment", principles="service", n_perm=99, n_boot=20, turns=turns)
    assert (rep.quality["words_median"] == 5).all()
    assert (rep.quality["turns_median"] == 2).all()
    assert rep.quality["timing_share"].eq(1.0).all()
    assert np.isclose(rep.quality["rejects_per_interaction"].sum() * 40, 2, atol=1)
    assert not rep.notes
    no_turns = fairness(res, "segment", principles="service", n_perm=99, n_boot=20)
    assert any("pass turns=conv.turns" in n for n in no_turns.notes)
    with pytest.raises(ConfigError, match="lacks \\['text'\\]"):
        fairness(res, "segment", turns=turns[["interaction_id"]])


def test_small_groups_are_shown_but_not_tested() -> None:
    res = synthetic(2, n=200, groups=("gold", "standard", "tiny"))
    keep = (res.interactions["segment"] != "tiny") | (res.scores.index % 10 == 0)
    res = Result(scores=res.scores[keep], measures=res.measures[keep], evidence=res.evidence,
                 rejects=res.rejects, run_info={}, interactions=res.interactions[keep])
    rep = fairness(res, "segment", principles="service", n_perm=99, n_boot=50)
    tiny = rep.gaps[rep.gaps["group"] == "tiny"].iloc[0]
    assert not tiny["tested"] and np.isnan(tiny["p_value"]) and not np.isnan(tiny["gap"])
    assert tiny["note"].startswith("not tested: n=")
    assert rep.n_tests == 2
    assert "Not tested (n < min_n=30): tiny" in str(rep)
    coarse = fairness(res, "segment", principles="service", n_perm=19, n_boot=10)
    assert any("no gap can be significant; use n_perm >= 40" in n for n in coarse.notes)
    lone = fairness(res, "segment", principles="service", n_perm=99, n_boot=50, min_n=500)
    assert lone.n_tests == 0 and lone.gaps["note"].str.contains("fewer than two").all()


def test_permutation_p_values_are_valid_and_deterministic() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=90)
    g = np.repeat([0, 1, 2], 30)
    p1 = _permutation_p(x, g, 3, 199, np.random.default_rng(1))
    p2 = _permutation_p(x, g, 3, 199, np.random.default_rng(1))
    assert np.array_equal(p1, p2)
    assert np.allclose(p1 * 200, np.round(p1 * 200))  # multiples of 1/(1 + n_perm)
    assert p1[np.argmax([x[g == k].mean() for k in range(3)])] == 1.0  # the best: T = 0
    shifted = x + np.where(g == 2, -1.5, 0.0)
    assert _permutation_p(shifted, g, 3, 199, np.random.default_rng(1))[2] == 1 / 200


def test_holm_matches_the_step_down_definition() -> None:
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    frame = pd.DataFrame({"group": list("abcde"), "principle": "service", "n": 40,
                          "best_group": "e", "best_n": 40, "gap": -1.0,
                          "tested": [True, True, True, True, False], "p_value": p,
                          "adjusted_gap": np.nan, "adjusted_p": np.nan, "confounded": False,
                          "note": ""})
    out = _holm(frame, 0.05)
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4*0.005, 3*0.01, 2*0.03, max(0.06, 0.04)
    assert np.allclose(out["p_holm"].to_numpy()[:4], [0.03, 0.06, 0.06, 0.02])
    assert out["significant"].tolist() == [True, False, False, True, False]


def test_html_escapes_every_text() -> None:
    res = synthetic(11, wait={"basic": 3.0}, groups=("gold", "<script>alert(1)</script>", "basic"))
    rep = fairness(res, "segment", principles=["service"], n_perm=199, n_boot=50)
    page = rep._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "basic customers wait" in page
    assert repr(rep).startswith("<FairnessReport by segment: 1 significant gap")


def test_errors_name_what_is_available() -> None:
    res = synthetic(1, n=60)
    with pytest.raises(ConfigError, match=r"unknown interaction column.*the interactions have: "
                                          "segment"):
        fairness(res, "tier")
    with pytest.raises(ConfigError, match=r"unknown measure.*first_response_s"):
        fairness(res, "segment", measures=["wait_time"])
    with pytest.raises(ConfigError, match="alpha must be between 0 and 1"):
        fairness(res, "segment", alpha=5)
    with pytest.raises(ConfigError, match="n_perm must be an integer"):
        fairness(res, "segment", n_perm=0)


def test_on_the_bundled_samples(sample_result: Result) -> None:
    rep = fairness(sample_result, "segment", min_n=4, n_boot=100)
    assert rep.n_perm == 1200  # the default: 4 x 15 tests / alpha
    # the engine records n_words / n_turns per interaction, so transcript length is known
    assert rep.notes == ()
    assert rep.quality["words_median"].notna().all()
    stripped = Result(scores=sample_result.scores, measures=sample_result.measures,
                      evidence=sample_result.evidence, rejects=sample_result.rejects,
                      run_info={}, interactions=sample_result.interactions.drop(
                          columns=["n_words", "n_turns"]))
    assert fairness(stripped, "segment", min_n=4, n_boot=100).notes == (
        "words and turns per interaction unknown: pass turns=conv.turns "
        "to check transcript length",)
    assert isinstance(rep, FairnessReport)
    counts = sample_result.interactions["segment"].value_counts()
    assert rep.quality.set_index("group")["n"].to_dict() == counts.to_dict()
    overall = rep.groups[rep.groups["principle"] == "overall"].set_index("group")["n"]
    assert overall.to_dict() == counts.to_dict()
    assert rep.n_tests == 15 and rep.significant.empty
    assert "No significant gap at alpha=0.05" in str(rep)
    assert rep.quality["timing_share"].between(0, 1).all()
    same = fairness(sample_result, "segment", min_n=4, n_boot=100)
    pd.testing.assert_frame_equal(rep.gaps, same.gaps)
