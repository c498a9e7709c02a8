"""End to end on the bundled samples: cues, promise details, counts, parallel == serial."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import serviceart as sa
from serviceart.codebook import EVIDENCE_CUES

# interaction -> cues the sample was written to show (data/samples/README.md)
EXPECTED: dict[str, set[str]] = {
    "call-0001": {"greeting", "courtesy", "apology", "active_listening", "transfer", "hold",
                  "action_taken", "anything_else", "repeat_request", "next_steps",
                  "explanation"},
    "call-0002": {"greeting", "courtesy", "apology", "empathy", "hold", "extra_mile",
                  "bad_news", "explanation", "promise", "next_steps", "anything_else"},
    "call-0003": {"disrespect", "deflection", "vague_stall", "overpromise", "hedge",
                  "unresolved", "chasing", "repeat_request"},
    "call-0004": {"greeting", "courtesy", "active_listening", "escalation", "bad_news",
                  "explanation", "next_steps", "anything_else"},
    "call-0005": {"greeting", "follow_up", "resolution_check", "resolution_confirmed",
                  "unresolved", "next_steps", "anything_else"},
    "chat-0001": {"greeting", "courtesy", "apology", "admits_unknown", "promise",
                  "next_steps", "anything_else"},
    "chat-0002": {"greeting", "courtesy", "hold", "hedge", "redirect", "explanation"},
    "chat-0003": {"greeting", "courtesy", "transfer", "vague_stall", "active_listening",
                  "action_taken", "explanation", "resolution_check", "resolution_confirmed",
                  "anything_else"},
    "chat-0004": {"greeting", "courtesy", "apology", "empathy", "active_listening", "hold",
                  "action_taken", "extra_mile", "explanation", "resolution_check",
                  "resolution_confirmed", "anything_else"},
    "chat-0005": {"greeting", "courtesy", "apology", "empathy", "hold", "escalation",
                  "action_taken", "explanation", "promise", "next_steps", "unresolved",
                  "chasing"},
    "text-0001": {"greeting", "courtesy", "apology", "empathy", "active_listening",
                  "bad_news", "explanation", "extra_mile", "action_taken", "promise",
                  "anything_else"},
    "text-0002": {"greeting", "courtesy", "apology", "empathy", "active_listening",
                  "action_taken", "extra_mile", "next_steps", "anything_else", "chasing"},
    "text-0003": {"greeting", "courtesy", "apology", "active_listening", "admits_unknown",
                  "hedge", "escalation", "promise", "next_steps", "action_taken",
                  "anything_else", "unresolved", "chasing"},
}


def _cues(res: sa.Result) -> dict[str, set[str]]:
    ev = res.evidence
    return {iid: set(g["cue"].astype(str)) for iid, g in ev.groupby("interaction_id")}


def test_every_codebook_cue_is_found_in_the_samples(sample_result):
    # the pattern cues and the evidence scorers add (customer_sentiment)
    assert set(sample_result.evidence["cue"].astype(str)) == set(EVIDENCE_CUES)


@pytest.mark.parametrize("iid", sorted(EXPECTED))
def test_sample_interaction_shows_its_cues(sample_result, iid):
    missing = EXPECTED[iid] - _cues(sample_result).get(iid, set())
    assert not missing, f"{iid} lacks {sorted(missing)}"


def _turn_cues(res, iid, turn):
    ev = res.evidence
    return set(ev[(ev.interaction_id == iid) & (ev.turn_index == turn)]["cue"].astype(str))


def test_sample_near_misses(sample_result):
    res = sample_result
    # "Not a problem at all!" is courtesy, not disrespect
    assert "disrespect" not in _turn_cues(res, "chat-0004", 12)
    assert "courtesy" in _turn_cues(res, "chat-0004", 12)
    # "I won't be able to call you back today, but ..." is no promise
    assert "promise" not in _turn_cues(res, "call-0002", 12)
    assert "bad_news" in _turn_cues(res, "call-0002", 12)
    # "May I have your account number?" is no hedge
    assert "hedge" not in _turn_cues(res, "call-0001", 3)
    # customer thanks are not courtesy: customer turns carry customer cues only
    ev = res.evidence
    customer_cues = {c for c, cue in EVIDENCE_CUES.items() if cue.role == "customer"}
    assert set(ev.loc[ev.role == "customer", "cue"].astype(str)) <= customer_cues
    assert set(ev.loc[ev.role == "agent", "cue"].astype(str)).isdisjoint(customer_cues)
    # the rude call has no disrespect-free respect score
    assert res.scores.set_index("interaction_id").loc["call-0003", "respect"] < 50


def test_promise_details_carry_action_and_due(sample_result):
    ev = sample_result.evidence
    promises = ev[ev.cue == "promise"].set_index(["interaction_id", "turn_index"])
    detail = json.loads(promises.loc[("call-0002", 14), "detail"])
    assert detail["action"].lower().startswith("i'll ring you")
    assert detail["due_phrase"] == "tomorrow morning before ten"
    assert "due" not in detail  # the due time is the typed due_at column
    assert promises.loc[("call-0002", 14), "due_at"] == pd.Timestamp("2026-03-04T10:00Z")
    assert promises.loc[("chat-0001", 5), "due_at"] == pd.Timestamp("2026-03-03T11:00Z")
    assert str(ev["due_at"].dtype) == "datetime64[ns, UTC]"
    assert ev.loc[ev.cue != "promise", "due_at"].isna().all()
    m = sample_result.measures.set_index("interaction_id")
    assert m.loc["chat-0001", "promises"] >= 2
    assert m.loc["chat-0001", "promises_with_due"] == m.loc["chat-0001", "promises"]


def test_due_times_follow_the_time_zone(nlp):
    turns = pd.DataFrame({"interaction_id": "z", "role": ["agent"],
                          "text": ["I'll call you back tomorrow."],
                          "timestamp": ["2026-03-06T23:30:00Z"]})
    conv = sa.Conversations.from_frames(turns)
    utc = sa.score(conv, nlp=nlp).evidence["due_at"].iloc[0]
    ny = sa.score(conv, nlp=nlp, tz="America/New_York").evidence["due_at"].iloc[0]
    assert utc == pd.Timestamp("2026-03-07T23:59:59Z")
    assert ny == pd.Timestamp("2026-03-08T04:59:59Z")  # March 7, 23:59:59 EST


def test_run_info_and_counts(sample_result):
    info = sample_result.run_info
    assert info["counts"]["interactions_in"] == 13
    assert info["counts"]["scored"] + info["counts"]["rejected"] == 13
    assert info["rubric"]["hash"] == sa.Rubric.default().hash
    assert info["versions"]["spacy"] and info["words"] > 3000
    assert info["words_per_second"] > 0


def test_scores_in_range(sample_result):
    s = sample_result.scores
    assert len(s) == 13 and s["interaction_id"].is_unique
    vals = s[[*sa.PRINCIPLES, "overall"]].to_numpy()
    assert ((vals >= 0) & (vals <= 100)).all()


def test_rejected_interactions_are_counted(nlp):
    turns = pd.DataFrame({"interaction_id": ["a", "b", "b"], "role": ["agent", "x", "y"],
                          "text": ["hi", "1", "2"]})
    res = sa.score(sa.Conversations.from_frames(turns), nlp=nlp)
    c = res.run_info["counts"]
    assert (c["interactions_in"], c["scored"], c["rejected"]) == (2, 1, 1)
    assert len(res.rejects) == 2


def test_bad_options(sample_result):
    conv = sa.read("data/samples/transcripts.txt")
    with pytest.raises(sa.ConfigError, match="unknown time zone"):
        sa.score(conv, tz="Mars/Olympus")
    with pytest.raises(sa.ConfigError, match="jobs"):
        sa.score(conv, n_process=0)
    with pytest.raises(sa.InputError, match="Conversations"):
        sa.score("data/samples")  # type: ignore[arg-type]


@pytest.mark.slow
def test_parallel_equals_serial(samples_dir, sample_result):
    conv = sa.read(samples_dir)
    par = sa.score(conv, n_process=2, chunk_size=3)
    for name in ("scores", "measures", "evidence", "contributions"):
        pd.testing.assert_frame_equal(getattr(par, name), getattr(sample_result, name),
                                      obj=name)


def test_parquet_round_trip(sample_result, tmp_path):
    out = sample_result.to_parquet(tmp_path / "run")
    assert sorted(p.name for p in out.iterdir()) == [
        "bands.parquet", "contributions.parquet", "evidence.parquet", "interactions.parquet",
        "measures.parquet", "promises.parquet", "rejects.parquet", "rubric.toml",
        "run.json", "scores.parquet", "turns.parquet"]
    back = sa.Result.from_parquet(out)
    pd.testing.assert_frame_equal(back.scores, sample_result.scores)
    assert back.run_info["counts"] == sample_result.run_info["counts"]


def test_scoring_a_part_pauses_the_cycle_collector_and_restores_it():
    """The collector is off while a part is scored (speed) and on again afterwards,
    also when scoring fails; a pause inside a pause leaves it to the outer one."""
    import gc

    from serviceart.run.chunk import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()
    sa.score(sa.Conversations.from_frames(pd.DataFrame({
        "interaction_id": "c1", "role": ["customer", "agent"],
        "text": ["my order is late", "I've refunded it today"]})))
    assert gc.isenabled()
