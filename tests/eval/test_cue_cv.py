"""Regression floors of the cue detectors on cross-validated figures (issue 19).

``benchmarks/eval_cues.py``'s :func:`cross_validate` runs patterns plus the learned
model over the labelled cue corpus (the dev set, and ``data/cue_corpus/labels.jsonl``,
``labels2.jsonl``, ``labels3.jsonl`` and ``labels4.jsonl`` when present), five folds grouped by
conversation, each fold's model built as the shipped one is (licensed sources only,
thresholds from an inner cross-validation). The floors use these figures, not the
dev-set ones that the patterns were written against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests._benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
DEV_GOLD = ROOT.parent / "shared" / "data" / "gold" / "cues_dev.jsonl"

# Measured with `python benchmarks/eval_cues.py --cv --half check --split rounds` on 5,358
# turns (the 358 dev turns, the 2,600 of data/cue_corpus/labels.jsonl, the 1,200 of
# labels2.jsonl, the 600 of labels3.jsonl and the 600 of labels4.jsonl, the fourth round
# labelled in session 15), patterns plus the learned model, after session 15's phrase
# families: turn-level micro F1 0.887, macro F1 0.749 over cues with support > 0, 0.763
# over cues with support >= 5 (session 14's detectors on the same turns: 0.886, 0.746 and
# 0.760). On the fourth round alone (the check part), drawn at random as the dev set was
# and read by no one writing patterns: micro 0.853, macro 0.668 over cues with support
# >= 5 (session 14's detectors: 0.852 and 0.663). Issue 19's acceptance (cross-validated
# macro F1 >= 0.80, every cue with support >= 20 at F1 >= 0.70) is NOT met: these floors
# guard what there is, 0.02 under the measured values (per cue 0.03).
MEASURED_TURNS = 5358
MEASURED = {"micro_f1": 0.887, "macro_f1": 0.749, "macro5_f1": 0.763}
CHURN = 0.02
# per cue with support >= 20 (turn-level F1)
MEASURED_CUES = {
    "greeting": 0.992, "courtesy": 0.984, "apology": 0.991, "empathy": 0.720,
    "active_listening": 0.658, "escalation": 0.773, "redirect": 0.869,
    "action_taken": 0.737, "anything_else": 0.851, "admits_unknown": 0.796,
    "bad_news": 0.784, "explanation": 0.687, "vague_stall": 0.805, "hedge": 0.824,
    "promise": 0.792, "next_steps": 0.709, "resolution_check": 0.881, "unresolved": 0.629,
    "chasing": 0.710,
}
CUE_CHURN = 0.03


@pytest.fixture(scope="module")
def cv() -> dict[str, Any]:
    if not DEV_GOLD.exists():
        pytest.skip(f"the development gold set {DEV_GOLD} is not beside the project")
    rows = load_benchmark("train_cues").load_corpus()
    return load_benchmark("eval_cues").cross_validate(rows)


def _measured_corpus(cv: dict[str, Any]) -> None:
    if cv["n_turns"] != MEASURED_TURNS:
        pytest.fail(f"the corpus has {cv['n_turns']} turns, the floors were measured on "
                    f"{MEASURED_TURNS}: run `python benchmarks/eval_cues.py --cv` and update them")


@pytest.mark.slow
def test_cross_validated_averages_hold_their_floors(cv: dict[str, Any]) -> None:
    _measured_corpus(cv)
    for key, value in MEASURED.items():
        got = cv["turn"][key]
        assert got >= value - CHURN, f"{key} {got:.3f} < {value - CHURN:.3f}"


@pytest.mark.slow
def test_every_frequent_cue_holds_its_floor(cv: dict[str, Any]) -> None:
    _measured_corpus(cv)
    low = {name: round(cv["cues"][name]["turn"]["f1"], 3) for name, value
           in MEASURED_CUES.items() if cv["cues"][name]["turn"]["f1"] < value - CUE_CHURN}
    assert not low, f"cues under their cross-validated floor: {low}"


@pytest.mark.slow
def test_the_model_never_lowers_a_cue_below_the_patterns_by_much(cv: dict[str, Any]) -> None:
    """Out of fold, what the model adds must not cost a cue more than 0.02 of F1 against
    the patterns alone (its thresholds were picked to keep precision >= 0.85)."""
    worse = {}
    for name, c in cv["cues"].items():
        pat = cv["patterns"]["cues"][name]["turn"]["f1"]
        if c["turn"]["f1"] < pat - 0.02:
            worse[name] = (round(pat, 3), round(c["turn"]["f1"], 3))
    assert not worse, f"patterns F1 -> with the model: {worse}"


# --- the look and check halves (benchmarks/eval_cues.py --half) --------------------------


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    if not DEV_GOLD.exists():
        pytest.skip(f"the development gold set {DEV_GOLD} is not beside the project")
    return load_benchmark("train_cues").load_corpus()


def test_halves_split_the_corpus_by_conversation(corpus: list[dict[str, Any]]) -> None:
    harness = load_benchmark("eval_cues")
    halves: dict[str, set[str]] = {}
    for row in corpus:
        halves.setdefault(harness.half_of(row["conversation"]), set()).add(row["conversation"])
    assert set(halves) == {"look", "check"}
    assert not halves["look"] & halves["check"], "a conversation is in both halves"
    look = sum(harness.half_of(r["conversation"]) == "look" for r in corpus)
    assert 0.4 < look / len(corpus) < 0.6, f"{look} of {len(corpus)} turns in the look half"


def test_half_scores_count_each_turn_once_and_hide_check_errors() -> None:
    harness = load_benchmark("eval_cues")
    rows = [{"id": f"t{i}", "role": "agent", "conversation": str(i),
             "text": "I'm sorry for the wait.", "cues": [{"cue": "apology", "start": 0,
                                                          "end": 9}]}
            for i in range(40)]
    # every second turn's prediction misses the apology and adds a stray courtesy
    preds = [[("apology", 0, 9, "pattern")] if i % 2 else [("courtesy", 10, 13, "model")]
             for i in range(40)]
    cv = {"predictions": preds}
    look, check = (harness.half_scores(rows, cv, h) for h in ("look", "check"))
    assert look["n_turns"] + check["n_turns"] == 40
    for half in (look, check):
        apology = half["cues"]["apology"]["turn"]
        assert apology["tp"] + apology["fn"] == half["n_turns"]
        # the model's courtesy is left out of the patterns-only figures
        assert half["patterns"]["cues"]["courtesy"]["turn"]["fp"] == 0
    assert "FN t" in harness.format_half(look, errors=5)
    assert "FN t" not in harness.format_half(check, errors=5)


def test_rounds_split_puts_the_latest_round_in_check(corpus: list[dict[str, Any]]) -> None:
    harness = load_benchmark("eval_cues")
    parts = {(r["set"], harness.part_of(r, "rounds")) for r in corpus}
    assert parts == {("dev", "look"), ("corpus", "look"), ("corpus2", "look"),
                     ("corpus3", "look"), ("corpus4", "check")}
    assert sum(r["set"] == "corpus2" for r in corpus) == 1200
    assert sum(r["set"] == "corpus3" for r in corpus) == 600
    assert sum(r["set"] == "corpus4" for r in corpus) == 600
    # the default split is still the halves by conversation
    assert all(harness.part_of(r) == harness.half_of(r["conversation"]) for r in corpus[:50])
    rows = [{"id": f"t{i}", "role": "agent", "conversation": "c", "set": s,
             "text": "I'm sorry.", "cues": [{"cue": "apology", "start": 0, "end": 9}]}
            for i, s in enumerate(["dev", "corpus3", "corpus4", "corpus4"])]
    preds = [[] for _ in rows]  # every apology missed
    look = harness.half_scores(rows, {"predictions": preds}, "look", "rounds")
    check = harness.half_scores(rows, {"predictions": preds}, "check", "rounds")
    assert (look["n_turns"], check["n_turns"]) == (2, 2)
    assert "FN t0" in harness.format_half(look, errors=5)
    assert "FN t2" not in harness.format_half(check, errors=5)
