"""Role inference for exports that name speakers instead of roles."""

from __future__ import annotations

import pandas as pd
import pytest

import serviceart as sa
from serviceart.roles import RoleInferenceWarning, infer_roles


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
