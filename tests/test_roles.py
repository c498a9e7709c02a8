"""Role inference for exports that name speakers instead of roles."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import serviceart as sa
from serviceart.ingest.roles import RoleInferenceWarning, infer_roles


def test_name_labelled_transcript_is_inferred(tmp_path):
    f = tmp_path / "call.txt"
    f.write_text(
        "Priya: Good morning, thanks for calling Northwind, this is Priya.\n"
        "Tom: Hi, my internet is still not working, this is the third time I've called.\n"
        "Priya: I'm so sorry about that. I'll book an engineer for tomorrow morning.\n"
        "Tom: Okay.\n"
        "Priya: Is there anything else I can help with?\n"
    )
    conv = sa.read(f)
    assert conv.rejects.empty
    assert conv.turns["role"].tolist() == ["agent", "customer", "agent", "customer", "agent"]
    assert conv.turns["speaker"].tolist() == ["Priya", "Tom", "Priya", "Tom", "Priya"]
    row = conv.interactions.iloc[0]
    assert bool(row["roles_inferred"]) and row["role_confidence"] == "high"
    assert row["agent_id"] == "Priya" and row["customer_id"] == "Tom"


def test_thin_evidence_warns_and_names_the_interaction():
    t = pd.DataFrame({"interaction_id": "x1", "role": ["Ann", "Ben"],
                      "text": ["Okay.", "Fine."]})
    with pytest.warns(RoleInferenceWarning, match=r"low confidence for 1 interaction.*'x1'"):
        out = infer_roles(t)
    assert out["role_confidence"].tolist() == ["low", "low"]


def test_valid_roles_are_left_alone_and_inference_can_be_turned_off(tmp_path):
    t = pd.DataFrame({"interaction_id": ["a", "a"], "role": ["agent", "Bob"],
                      "text": ["Hello, how can I help?", "Hi"]})
    assert infer_roles(t)["role"].tolist() == ["agent", "Bob"]  # mixed: not inferred
    f = tmp_path / "call.txt"
    f.write_text("Priya: Good morning, this is Priya.\nTom: hi\n")
    conv = sa.read(f, infer_roles=False)
    assert set(conv.rejects["code"]) == {"unknown_role"}


def test_user_roles_win_over_inference(tmp_path):
    f = tmp_path / "call.txt"
    f.write_text("Priya: Good morning, this is Priya.\nTom: I'm sorry, I'll call back.\n")
    conv = sa.read(f, roles={"tom": "agent", "priya": "customer"})
    assert conv.turns["role"].tolist() == ["customer", "agent"]
    assert "roles_inferred" not in conv.interactions.columns


def test_agent_ids_decide_without_warning(tmp_path):
    # the text alone would point at Tom (he apologises and offers help); the user knows better
    f = tmp_path / "odd.txt"
    f.write_text("Tom: Sorry to bother you, is there anything else I can help with?\n"
                 "Priya: Yes, my order never arrived.\n")
    guessed = sa.read(f)  # from the text alone: Tom, wrongly
    assert guessed.turns["role"].tolist() == ["agent", "customer"]
    assert guessed.interactions["role_basis"].tolist() == ["text"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RoleInferenceWarning)
        conv = sa.read(f, agent_ids=["priya"])
    assert conv.turns["role"].tolist() == ["customer", "agent"]
    row = conv.interactions.iloc[0]
    assert row["role_basis"] == "agent_ids" and row["role_confidence"] == "high"


def test_agent_domains_recognise_addresses_in_labels():
    t = pd.DataFrame({"interaction_id": "m1",
                      "role": ["Kim Lee <kim.lee@gmail.com>", "dana@support.acme.com",
                               "Kim Lee <kim.lee@gmail.com>"],
                      "text": ["Where is my refund?", "It was sent today.", "Thanks"]})
    out = infer_roles(t, agent_domains=["@acme.com"])
    assert out["role"].tolist() == ["customer", "agent", "customer"]
    assert set(out["role_basis"]) == {"agent_domains"}
    # a look-alike domain is not the company's
    t2 = t.assign(role=t["role"].str.replace("support.acme.com", "notacme.com"))
    with pytest.warns(RoleInferenceWarning):
        out2 = infer_roles(t2, agent_domains=["acme.com"])
    assert set(out2["role_basis"]) == {"text"}


@pytest.mark.parametrize("opening", [
    "Thank you for calling Northwind Energy, Sam speaking.",
    "Welcome to Contoso Bank.",
    "You're through to Fabrikam, my name's Sam.",
    "Hi, this is Sam from Tailspin Toys.",
])
def test_an_opening_naming_the_company_marks_the_agent(opening):
    t = pd.DataFrame({"interaction_id": "g", "role": ["Sam", "Alex", "Sam"],
                      "text": [opening, "I want to check my balance.", "Right."]})
    out = infer_roles(t)
    assert out["role"].tolist() == ["agent", "customer", "agent"]
    assert out["role_confidence"].iloc[0] == "high"


def test_company_names_make_the_opening_exact():
    t = pd.DataFrame({"interaction_id": "g", "role": ["Alex", "Sam"],
                      "text": ["I tried calling Contoso twice.", "you've reached contoso"]})
    out = infer_roles(t, company="Contoso")
    assert out["role"].tolist() == ["customer", "agent"]
    # a lower-case mention only counts when the company was named
    with pytest.warns(RoleInferenceWarning):
        generic = infer_roles(t)
    assert generic["role_confidence"].iloc[0] == "low"


def test_unknown_labels_are_no_names():
    """An all-"unknown" interaction is not made one confident agent; unknown turns beside
    names keep their label (validation rejects them) and the names are still inferred."""
    alone = pd.DataFrame({"interaction_id": "zoom", "role": ["unknown"] * 3,
                          "text": ["Thanks for calling Acme, how can I help?", "I'm sorry.",
                                   "Is there anything else I can help with?"]})
    out = infer_roles(alone)
    assert out["role"].tolist() == ["unknown"] * 3
    assert "roles_inferred" not in out.columns
    mixed = pd.DataFrame({"interaction_id": "m", "role": ["Priya", "N/A", "Tom", "Priya"],
                          "text": ["Thanks for calling Northwind, this is Priya.", "hmm",
                                   "My internet is still down, third time I've called.",
                                   "I'm so sorry, I'll book an engineer."]})
    out = infer_roles(mixed)
    assert out["role"].tolist() == ["agent", "N/A", "customer", "agent"]
    assert out["role_confidence"].tolist() == ["high"] * 4


def test_unknown_caption_cues_are_rejected_not_made_the_agent(tmp_path):
    f = tmp_path / "zoom.cc.vtt"
    f.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nThanks for calling Acme.\n\n"
                 "00:00:03.000 --> 00:00:05.000\nI'm sorry about that, I'll fix it.\n",
                 encoding="utf-8")
    conv = sa.read(f)
    assert conv.turns.empty and conv.interactions.empty
    assert conv.rejects["code"].tolist() == ["unknown_role", "unknown_role", "no_turns"]
    assert conv.counts["interactions_rejected"] == 1
