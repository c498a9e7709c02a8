"""Importers: a CSV of criteria and Amazon Connect evaluation forms."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import serviceart as sa
from serviceart.rubric.core import Rubric
from serviceart.rubric.importers import UnmappedQuestionWarning, from_connect_form, from_csv
from serviceart.schema import measures_table

FIXTURES = Path(__file__).parent / "fixtures" / "rubrics"
FORM = FIXTURES / "connect_form.json"
POINTS = FIXTURES / "connect_points_form.json"

QUESTIONS = {
    "q_greet": "greeting > 0",
    "Was the agent professional throughout?": {"Yes": "disrespect == 0 and courtesy > 0",
                                              "o_prof_mostly": "disrespect == 0"},
    "q_hold": {"value": "hold_s / 60", "applies": "notna(hold_s)"},
    "q_idv": "active_listening > 0",
    "q_resolved": {"Resolved": "resolution_confirmed > 0",
                   "Next step agreed": "(next_steps + promise) > 0"},
    "q_further": "anything_else > 0",
}
SECTIONS = {"Opening and courtesy": "respect", "s_resolution": "follow_through"}


def _measures(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    frame = {c.name: np.zeros(n) if c.name != "interaction_id" else [f"i{k}" for k in range(n)]
             for c in measures_table().columns}
    frame.update(cols)
    return pd.DataFrame(frame)


# -- CSV ---------------------------------------------------------------------------------
def test_csv_criteria():
    r = from_csv(FIXTURES / "criteria.csv")
    assert r.name == "criteria" and r.source.endswith("criteria.csv")
    by = {c.name: c for c in r.criteria}
    assert by["listening"].weight == 2 and by["listening"].applies == "notna(customer_talk_share)"
    assert by["courtesy"].kind == "score" and by["courtesy"].weight == 1
    assert by["rude"].kind == "auto_fail"
    assert by["extra"].kind == "bonus" and by["extra"].bonus_points == 5
    assert by["checks_resolution"].weight == 1.5
    assert Rubric.from_csv(FIXTURES / "criteria.csv").hash == r.hash
    # the imported rubric scores: i0 listening 1 (w 2) + courtesy 1 -> 100; rude fails it in i1
    s, _ = r.apply(_measures(customer_talk_share=[0.5, 0.5], courtesy=[1, 1],
                             disrespect=[0, 1]))
    assert s["respect"].tolist() == [100, 0]
    # and round-trips through TOML
    assert Rubric.from_toml(r.to_toml()).hash == r.hash


def test_csv_errors_name_their_lines():
    with pytest.raises(sa.RubricError) as info:
        from_csv(FIXTURES / "bad_criteria.csv")
    msg = str(info.value)
    assert "4 problems" in msg
    assert re.search(r"line 3 \(criterion 'polite'\), field value: .*'curtesy'.*did you mean "
                     r"'courtesy'", msg)
    assert "line 4 (criterion 'fast'), field weight: weight must be a number, got 'heavy'" in msg
    assert "line 5 (criterion 'smiles'), field principle: principle 'kindness'" in msg
    assert "line 6 (criterion 'plain'), field weight: weight must be > 0, got 0" in msg


def test_csv_header_and_quoted_newlines(tmp_path):
    bad = tmp_path / "h.csv"
    bad.write_text("principle,title,value\nrespect,x,1\n", encoding="utf-8")
    with pytest.raises(sa.RubricError, match=r"line 1.*missing columns \['name'\].*unknown "
                                             r"columns \['title'\]"):
        from_csv(bad)
    multi = tmp_path / "m.csv"
    multi.write_text('principle,name,value,rationale\nrespect,a,1,"two\nlines"\n'
                     'respect,b,nope,x\n', encoding="utf-8")
    with pytest.raises(sa.RubricError, match=r"line 4 \(criterion 'b'\)"):
        from_csv(multi)
    with pytest.raises(sa.RubricError, match="cannot read"):
        from_csv(tmp_path / "missing.csv")


# -- Amazon Connect -------------------------------------------------------------------------
def test_connect_form_becomes_a_rubric():
    r = from_connect_form(FORM, questions=QUESTIONS, principles=SECTIONS)
    assert r.name == "contact_centre_qa_form" and r.version == "3"
    by = {c.name: c for c in r.criteria}
    assert {c.principle for c in r.criteria} == {"respect", "service", "follow_through"}
    greet = by["did_the_agent_greet_the_customer_and"]
    assert greet.weight == 10 and greet.value == "greeting > 0"
    assert greet.rationale == "Did the agent greet the customer and introduce themselves?"
    # text and date questions are not scored
    assert not any("notes" in c.name or "date" in c.name for c in r.criteria)
    # automatic fails become auto_fail criteria
    fails = {c.name: c for c in r.criteria if c.kind == "auto_fail"}
    assert set(fails) == {"was_the_agent_professional_throughout_auto_fail",
                          "how_many_minutes_was_the_customer_on_auto_fail"}
    assert fails["how_many_minutes_was_the_customer_on_auto_fail"].applies == "notna(hold_s)"


def test_connect_option_scores_hand_computed():
    r = from_connect_form(FORM, questions=QUESTIONS, principles=SECTIONS)
    m = _measures(greeting=[1, 0, 1], courtesy=[1, 0, 0], disrespect=[0, 0, 1],
                  hold_s=[60.0, 240.0, 1200.0], active_listening=[1, 0, 0],
                  resolution_confirmed=[1, 0, 0], next_steps=[0, 1, 0],
                  anything_else=[1, 1, 0])
    s, c = r.apply(m)
    s = s.set_index("interaction_id")
    # i0: greet Yes (10/10, w 10), professional Yes (w 20) -> respect 100
    #     hold 1 min: 0-2 range, score 10/10 -> 1 (w 20); identity Yes (w 10) -> service 100
    #     resolved (w 30) and further help (w 10) -> follow_through 100
    assert s.loc["i0", ["respect", "service", "follow_through"]].tolist() == [100, 100, 100]
    # i1: greet No (0, w 10), professional Mostly (5/10, w 20): 100 * 10 / 30 = 33.3
    #     hold 4 min: 3-5 range, 5/10 (w 20); identity No (w 10): 100 * 10 / 30 = 33.3
    #     next step agreed 6/10 (w 30), further help (w 10): 100 * (18 + 10) / 40 = 70
    assert s.loc["i1", "respect"] == pytest.approx(100 / 3)
    assert s.loc["i1", "service"] == pytest.approx(100 / 3)
    assert s.loc["i1", "follow_through"] == pytest.approx(70)
    # i2: disrespect -> professional "No", an automatic fail; hold 20 min, automatic fail
    assert s.loc["i2", "respect"] == 0 and s.loc["i2", "service"] == 0
    fired = c[(c.interaction_id == "i2") & c.applied & (c.value > 0) & (c.weight == 0)]
    assert set(fired["criterion"]) == {"was_the_agent_professional_throughout_auto_fail",
                                       "how_many_minutes_was_the_customer_on_auto_fail"}
    # i0 has no fail firing
    assert not c[(c.interaction_id == "i0") & (c.weight == 0)]["value"].any()


def test_connect_not_applicable_question_is_left_out():
    r = from_connect_form(FORM, questions=QUESTIONS, principles=SECTIONS)
    s, c = r.apply(_measures(hold_s=[np.nan], active_listening=[1]))
    row = c[c.criterion == "how_many_minutes_was_the_customer_on"].iloc[0]
    assert not row["applied"]
    assert s["service"].iloc[0] == 100  # only the identity question counted


def test_connect_unmapped_questions_and_sections_are_listed():
    q = {k: v for k, v in QUESTIONS.items() if k not in ("q_idv", "q_further")}
    with pytest.raises(sa.RubricError) as info:
        from_connect_form(FORM, questions=q, principles=SECTIONS)
    msg = str(info.value)
    assert "q_idv: \"Did the agent verify the caller's identity?\"" in msg
    assert "Items[1].Section.Items[1].Question" in msg
    assert "q_further" in msg and "skip_unmapped=True" in msg
    with pytest.raises(sa.RubricError, match=r"section 'Opening and courtesy' maps to no "
                                             r"principle"):
        from_connect_form(FORM, questions=QUESTIONS, principles={"Resolution": "follow_through"})
    with pytest.raises(sa.RubricError, match=r"names no question of the form: \['q_nope'\]"):
        from_connect_form(FORM, questions={**QUESTIONS, "q_nope": "1"}, principles=SECTIONS)


def test_connect_skip_unmapped_warns():
    q = {k: v for k, v in QUESTIONS.items() if k != "q_idv"}
    with pytest.warns(UnmappedQuestionWarning, match="q_idv"):
        r = from_connect_form(FORM, questions=q, principles=SECTIONS, skip_unmapped=True)
    assert not any("identity" in c.rationale for c in r.criteria)


def test_connect_bad_expressions_and_options_are_located():
    q = {**QUESTIONS, "q_greet": "greetings > 0"}
    with pytest.raises(sa.RubricError, match=r"Items\[0\].Section.Items\[0\].Question \(question "
                                             r"'q_greet'\).*did you mean 'greeting'"):
        from_connect_form(FORM, questions=q, principles=SECTIONS)
    q = {**QUESTIONS, "q_resolved": {"Fixed": "resolution_confirmed > 0"}}
    with pytest.raises(sa.RubricError, match=r"no option \['Fixed'\]"):
        from_connect_form(FORM, questions=q, principles=SECTIONS)
    q = {**QUESTIONS, "q_prof": "courtesy > 0"}
    q.pop("Was the agent professional throughout?")
    r = from_connect_form(FORM, questions=q, principles=SECTIONS)  # fail on the worst: fine
    assert "(courtesy > 0) <= 0" in [c.value for c in r.criteria if c.kind == "auto_fail"]
    form = json.loads(FORM.read_text())
    options = form["EvaluationForm"]["Items"][0]["Section"]["Items"][1]["Question"][
        "QuestionTypeProperties"]["SingleSelect"]["Options"]
    options[1]["Score"], options[2]["Score"] = 0, 2  # "No" (automatic fail) is not the worst
    with pytest.raises(sa.RubricError, match="not the worst answer"):
        from_connect_form(form, questions=q, principles=SECTIONS)
    with pytest.raises(sa.RubricError, match="not an Amazon Connect evaluation form"):
        from_connect_form({"Title": "x"}, questions={})


def test_connect_points_based_form_with_bonus_and_thresholds():
    q = {"p_thanks": "courtesy > 0", "p_empathy": "empathy > 0", "p_extra": "extra_mile > 0"}
    r = from_connect_form(POINTS, questions=q)  # the section is titled "Respect"
    by = {c.name: c for c in r.criteria}
    assert by["thanked_the_customer"].weight == 4 and by["showed_empathy"].weight == 6
    # a 5-point bonus over 10 points of the principle is worth 50 points out of 100
    assert by["went_beyond_the_request"].kind == "bonus"
    assert by["went_beyond_the_request"].bonus_points == 50
    assert [b.name for b in r.bands_for("respect")] == [
        "exceeds_expectations", "meets_expectations", "needs_improvement"]
    assert r.bands_for("respect")[-1].min == 0
    s, _ = r.apply(_measures(courtesy=[1, 1], empathy=[0, 0], extra_mile=[0, 1]))
    # i0: 4 of 10 points -> 40; i1: 40 + 50 bonus -> 90
    assert s["respect"].tolist() == pytest.approx([40, 90])
    assert r.band_of("respect", 90) == "exceeds_expectations"


def test_connect_form_as_mapping_and_create_request_body():
    data = json.loads(FORM.read_text())["EvaluationForm"]
    body = {k: data[k] for k in ("Title", "Description", "Items", "ScoringStrategy")}
    a = from_connect_form(body, questions=QUESTIONS, principles=SECTIONS, version="3")
    b = Rubric.from_connect_form(FORM, questions=QUESTIONS, principles=SECTIONS)
    assert a.hash == b.hash
    assert a.source == "<connect form>" and b.source == str(FORM)


def test_connect_section_only_weights(tmp_path):
    data = json.loads(FORM.read_text())
    form = data["EvaluationForm"]
    form["ScoringStrategy"]["Mode"] = "SECTION_ONLY"
    for item, w in zip(form["Items"], (50, 30, 20), strict=True):
        item["Section"]["Weight"] = w
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data))
    r = from_connect_form(path, questions=QUESTIONS, principles=SECTIONS)
    w = {c.name: c.weight for c in r.criteria if c.kind == "score"}
    # section 1: 50 shared 10 : 20 between its two scored questions
    assert w["did_the_agent_greet_the_customer_and"] == pytest.approx(50 * 10 / 30)
    assert w["was_the_agent_professional_throughout"] == pytest.approx(50 * 20 / 30)
    assert w["was_the_issue_resolved_or_a_next_step"] == pytest.approx(20 * 30 / 40)
    assert not math.isnan(sum(w.values()))
