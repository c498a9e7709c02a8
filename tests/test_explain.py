"""Explanations: contributions, bands and quoted evidence, as text and escaped HTML."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import serviceart as sa
from serviceart.rubric.core import Rubric
from serviceart.views.explain import Explanation, explain


def test_explanation_rebuilds_the_scores(sample_result):
    ex = explain(sample_result, "call-0003")
    assert isinstance(ex, Explanation)
    s = sample_result.scores.set_index("interaction_id").loc["call-0003"]
    for p in sa.PRINCIPLES:
        rows = ex.contributions[ex.contributions.principle == p]
        assert rows["points"].sum() == pytest.approx(0 if math.isnan(s[p]) else s[p])
        assert ex.scores[p] == pytest.approx(s[p], nan_ok=True)
    assert ex.bands == {"respect": "fails", "service": "fails", "integrity": "fails",
                        "follow_through": "fails", "overall": "fails"}


def test_table_links_criteria_to_their_evidence(sample_result):
    ex = explain(sample_result, "call-0003")
    t = ex.table
    assert {"principle", "criterion", "kind", "value", "weight", "bonus_points", "applied",
            "points", "points_lost", "via", "turn_index", "role", "cue", "text"} <= set(t.columns)
    fail = t[t.criterion == "disrespect_fails"]
    assert set(fail["cue"]) == {"disrespect"} and (fail["via"] == "value").all()
    assert (fail["kind"] == "auto_fail").all()
    ev = sample_result.evidence
    quotes = set(ev[(ev.interaction_id == "call-0003") & (ev.cue == "disrespect")]["text"])
    assert set(fail["text"]) == quotes
    # criteria without cues keep one row, evidence columns missing
    finish = t[t.criterion == "lets_customer_finish"]
    assert len(finish) == 1 and pd.isna(finish["cue"].iloc[0])
    # cues read by `applies` are marked so
    ack = t[t.criterion == "acknowledges_problem"]
    assert set(ack.loc[ack.via == "applies", "cue"]) <= {"unresolved", "repeat_request",
                                                         "chasing"}
    assert str(t.dtypes["turn_index"]) == "Int64" and str(t.dtypes["text"]) == "string"
    # every contribution row is in the table
    assert len(t.drop_duplicates(["principle", "criterion"])) == len(ex.contributions)


def test_plain_text(sample_result):
    text = str(explain(sample_result, "call-0003"))
    lines = text.splitlines()
    assert lines[0].startswith("call-0003 - rubric default v3 (")
    assert "respect: 0.0 / 100 [fails], failed by disrespect_fails" in text
    assert "service: 57.3 / 100 [fails]" in text
    row = next(ln for ln in lines if ln.strip().startswith("no_disrespect "))
    assert row.split() == ["no_disrespect", "score", "0", "2", "yes", "0.0", "15.4"]
    assert "goes_extra_mile" in text and "+5" in text  # bonus points shown as +N
    assert 'disrespect_fails <- disrespect, turn 6 (agent): "not my problem" [hurt]' in text
    assert "measures: customer_talk_share = " in text
    assert repr(explain(sample_result, "call-0001")).startswith("<Explanation call-0001")


def test_unknown_interaction(sample_result):
    with pytest.raises(sa.InputError, match=r"'call-0030' is not in this result; did you mean"):
        explain(sample_result, "call-0030")


def _hostile_result(nlp):
    text = "<script>alert('x')</script> calm down, as I already explained & <b>bye</b>"
    turns = pd.DataFrame({
        "interaction_id": ["<img src=x onerror=alert(1)>"] * 2,
        "role": ["customer", "agent"],
        "text": ["My <i>order</i> never came", text],
        "start_s": [0.0, 5.0], "end_s": [4.0, 12.0]})
    return sa.score(sa.Conversations.from_frames(turns), nlp=nlp)


def test_html_escapes_everything(nlp):
    res = _hostile_result(nlp)
    iid = res.scores["interaction_id"].iloc[0]
    ex = explain(res, iid)
    page = ex._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>bye" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    quoted = ex.table["text"].dropna()
    assert len(quoted)  # the disrespect cue was found and quoted, escaped
    for q in quoted:
        import html
        assert html.escape(q) in page
    assert page.count("<table>") == sum(
        1 for p in sa.PRINCIPLES if (ex.contributions.principle == p).any())


def test_explicit_rubric_and_unknown_rubric(sample_result):
    rubric = Rubric.default()
    a = explain(sample_result, "chat-0004", rubric=rubric)
    info = dict(sample_result.run_info, rubric={"name": "gone", "hash": "0" * 16,
                                                "source": "/nowhere.toml"})
    res = sa.Result(scores=sample_result.scores, measures=sample_result.measures,
                    evidence=sample_result.evidence, rejects=sample_result.rejects,
                    run_info=info, contributions=sample_result.contributions)
    b = explain(res, "chat-0004")
    assert a.bands["overall"] == "meets" and b.bands["overall"] is None
    assert b.scores == a.scores
    assert set(b.contributions["kind"]) <= {"score", "bonus or auto_fail"}


def test_custom_rubric_found_by_hash(nlp, samples_dir, tmp_path):
    text = (Rubric.default().to_toml()
            .replace('name = "default"', 'name = "mine"', 1))
    path = tmp_path / "mine.toml"
    path.write_text(text)
    res = sa.score(sa.read(samples_dir / "calls.csv"), rubric=str(path), nlp=nlp)
    ex = explain(res, "call-0001")
    assert ex.rubric["name"] == "mine" and ex.bands["overall"] is not None
