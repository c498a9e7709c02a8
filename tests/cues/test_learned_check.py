"""The learned check of pattern hits: a hit of a checked cue is dropped when its
sentence's probability of the hit being right is under the cue's threshold, and the
thresholds come from out-of-fold probabilities of the training turns only (issue 19)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import serviceart as sa
from serviceart.cues import train
from serviceart.cues.evidence import extract_evidence
from serviceart.cues.learned import CueModel, sentences

RIGHT = "You will receive an email with the return label."
WRONG = "You will receive this message because you subscribed to our newsletter."


def _check_model() -> CueModel:
    """No cue added; next_steps checked: "label" speaks for a hit, "subscribed" against."""
    return CueModel(features=["w label", "w subscribed"], idf=np.array([2.0, 2.0]),
                    cues=[], coef=np.zeros((2, 0)), intercept=np.zeros(0),
                    threshold=np.zeros(0), meta={"sources": {}},
                    check_cues=["next_steps"], check_coef=np.array([[4.0], [-4.0]]),
                    check_intercept=np.array([0.0]), check_threshold=np.array([0.5]))


@pytest.fixture(scope="module")
def check_nlp(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("model") / "check.json"
    path.write_text(_check_model().to_json(), encoding="utf-8")
    return sa.make_nlp(model_path=path)


def _cues(doc: Any) -> list[tuple[str, str]]:
    return [(sp.label_, sp.sent.text) for sp in doc.spans["serviceart"]]


def test_both_sentences_are_pattern_hits_without_the_check() -> None:
    doc = sa.make_nlp(model=False)(f"{RIGHT} {WRONG}")
    assert [c for c, _ in _cues(doc)].count("next_steps") == 2


def test_check_drops_the_wrong_hit_and_keeps_the_right_one(check_nlp: Any) -> None:
    doc = check_nlp(f"{RIGHT} {WRONG}")
    assert [s for c, s in _cues(doc) if c == "next_steps"] == [RIGHT]
    assert ("explanation", WRONG) in _cues(doc)  # cues that are not checked stay
    # the batch path gives the same
    (again,) = list(check_nlp.pipe([f"{RIGHT} {WRONG}"]))
    assert _cues(again) == _cues(doc)


def test_a_dropped_hit_has_no_evidence_row(check_nlp: Any) -> None:
    turns = pd.DataFrame({
        "interaction_id": ["c1", "c1"], "turn_index": [0, 1],
        "role": ["customer", "agent"],
        "text": ["Where is my return label?", f"{RIGHT} {WRONG}"],
        "timestamp": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:05"], utc=True)})
    conv = sa.Conversations.from_frames(turns)
    ev = extract_evidence(conv.turns, conv.interactions, check_nlp)
    steps = ev[ev["cue"] == "next_steps"]
    assert steps[["turn_index", "text", "source"]].astype(str).values.tolist() == [
        ["1", "You will receive", "pattern"]]
    assert steps["confidence"].tolist() == [1.0]


def test_check_survives_the_json_round_trip() -> None:
    model = _check_model()
    again = CueModel.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    assert again.check_cues == ["next_steps"]
    assert again.check_threshold.tolist() == [0.5]


def _turn(n: int, text: str, cues: list[tuple[str, int, int]]) -> dict[str, Any]:
    return {"id": f"t:{n}:0", "source": "t", "conversation": str(n), "role": "agent",
            "text": text, "cues": [{"cue": c, "start": s, "end": e} for c, s, e in cues]}


def _corpus(right: int, wrong: int) -> list[dict[str, Any]]:
    rows = [_turn(i, RIGHT, [("next_steps", 0, 16)]) for i in range(right)]
    rows += [_turn(right + i, WRONG, [("explanation", 27, 34)]) for i in range(wrong)]
    return rows


def test_threshold_maximises_f1_on_the_chosen_turns_only() -> None:
    prep = train.prepare(_corpus(8, 12))
    col = prep.cues.index("next_steps")
    assert prep.pattern[:, col].sum() == 20 and prep.gold[:, col].sum() == 8
    check = np.full(prep.gold.shape, np.nan)
    check[:, col] = np.where(prep.gold[:, col], 0.9, 0.2)
    every = np.ones(len(prep.rows), dtype=bool)
    thr, stats = train.check_thresholds(prep, every, check)
    assert 0.2 < thr[col] < 0.9  # drops the 12 wrong hits, keeps the 8 right ones
    assert stats["next_steps"]["dropped"] == 12 == stats["next_steps"]["dropped_wrong"]
    assert stats["next_steps"]["f1_checked"] == 1.0
    # counted on the chosen turns only: with 9 of the wrong turns left out, 3 wrong
    # hits are too few for a check
    some = every.copy()
    some[8:17] = False
    thr, stats = train.check_thresholds(prep, some, check)
    assert thr[col] == 0.0 and "next_steps" not in stats


def test_a_check_that_does_not_raise_f1_by_the_margin_is_not_kept() -> None:
    prep = train.prepare(_corpus(8, 12))
    col = prep.cues.index("next_steps")
    check = np.full(prep.gold.shape, np.nan)
    check[:, col] = 0.5  # no ranking: the only cut is none or all
    thr, stats = train.check_thresholds(prep, np.ones(len(prep.rows), dtype=bool), check)
    assert thr[col] == 0.0
    assert stats["next_steps"]["wrong"] == 12 and "threshold" not in stats["next_steps"]


def test_build_learns_the_check_from_out_of_fold_hits(monkeypatch: Any) -> None:
    monkeypatch.setattr(train, "licences", lambda: {"t": {"train": True}})
    monkeypatch.setattr(train, "CHECK", True)
    rows = _corpus(15, 15)
    model = train.build(train.prepare(rows))
    assert model.check_cues == ["next_steps"]
    doc = sa.make_nlp(model=False)(f"{RIGHT} {WRONG}")
    prob = model.check_proba(sentences([doc]))[:, 0]
    assert prob[0] >= model.check_threshold[0] > prob[1]
    assert model.meta["checks"]["next_steps"]["hits"] == 30



def test_no_check_is_learned_when_checks_are_off(monkeypatch: Any) -> None:
    monkeypatch.setattr(train, "licences", lambda: {"t": {"train": True}})
    monkeypatch.setattr(train, "CHECK", False)
    model = train.build(train.prepare(_corpus(15, 15)))
    assert model.check_cues == [] and "checks" not in model.meta
    assert '"check"' not in model.to_json()


def test_a_check_may_not_drop_many_right_hits_with_the_wrong_ones() -> None:
    prep = train.prepare(_corpus(8, 12))
    col = prep.cues.index("next_steps")
    check = np.full(prep.gold.shape, np.nan)
    check[:, col] = np.where(prep.gold[:, col], 0.9, 0.2)
    check[np.flatnonzero(prep.gold[:, col])[:3], col] = 0.1  # ranked under the wrong ones
    # dropping the 15 lowest would raise F1 (0.44 to 0.77) but 3 of them are right
    thr, stats = train.check_thresholds(prep, np.ones(len(prep.rows), dtype=bool), check)
    assert thr[col] == 0.0 and "threshold" not in stats["next_steps"]
