"""Rubric files: parsing, validation, hand-computed scores, N/A criteria, hash."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import serviceart as sa
from serviceart.schema import measures_table

RUBRIC = """
[rubric]
name = "tiny"

[[criteria]]
principle = "respect"
name = "listening"
value = "clip(customer_talk_share / 0.5, 0, 1)"
applies = "notna(customer_talk_share)"
weight = 2

[[criteria]]
principle = "respect"
name = "polite"
value = "courtesy > 0"

[[criteria]]
principle = "integrity"
name = "explains"
value = "explanation > 0"
applies = "bad_news > 0"
weight = 1
"""


def _measures(**cols) -> pd.DataFrame:
    table = measures_table()
    n = len(next(iter(cols.values())))
    frame = {c.name: np.zeros(n) if c.name != "interaction_id" else [f"i{k}" for k in range(n)]
             for c in table.columns}
    frame.update(cols)
    return pd.DataFrame(frame)


def test_hand_computed_scores():
    rubric = sa.Rubric.from_toml(RUBRIC)
    m = _measures(customer_talk_share=[0.2, np.nan, 0.6], courtesy=[1, 0, 0],
                  bad_news=[1, 0, 2], explanation=[0, 0, 1])
    scores, contrib = rubric.apply(m)
    # i0: listening 0.4 (w2), polite 1 (w1) -> 100 * (0.8 + 1) / 3 = 60
    # i1: listening n/a, polite 0 -> 0 ; i2: listening 1, polite 0 -> 66.67
    assert scores["respect"].round(2).tolist() == [60.0, 0.0, 66.67]
    # integrity: explains applies only with bad news
    assert scores["integrity"].iloc[0] == 0 and scores["integrity"].iloc[2] == 100
    assert math.isnan(scores["integrity"].iloc[1])
    assert math.isnan(scores["service"].iloc[0])  # no criterion at all
    assert scores["overall"].round(2).tolist() == [30.0, 0.0, 83.33]
    # contributions rebuild the score
    i0 = contrib[(contrib.interaction_id == "i0") & (contrib.principle == "respect")]
    assert i0["points"].sum() == pytest.approx(60)
    assert i0["points_lost"].sum() == pytest.approx(40)
    na = contrib[(contrib.interaction_id == "i1") & (contrib.criterion == "listening")]
    assert not na["applied"].iloc[0] and na["points"].iloc[0] == 0


def test_default_rubric_is_valid_and_covers_principles():
    r = sa.Rubric.default()
    assert {c.principle for c in r.criteria} == set(sa.PRINCIPLES)
    assert all(c.rationale for c in r.criteria)


def test_round_trip_and_hash(tmp_path):
    r = sa.Rubric.default()
    path = tmp_path / "r.toml"
    r.to_file(path)
    again = sa.Rubric.from_file(path)
    assert again.hash == r.hash
    edited = path.read_text().replace("weight = 3.0", "weight = 2.5", 1)
    assert sa.Rubric.from_toml(edited).hash != r.hash


@pytest.mark.parametrize(("body", "message"), [
    ('value = "no_such_measure > 0"', r"criterion 1 \(x\).*unknown measure\(s\) \['no_such"),
    ('value = "courtesy >"', r"criterion 1 \(x\).*cannot parse"),
    ('value = "__import__(\'os\')"', r"only these functions are allowed"),
    ('value = "courtesy.real"', r"Attribute is not allowed"),
    ('value = "courtesy > 0"\nweight = 0', r"weight must be > 0"),
    ('value = "courtesy > 0"\nweight = "heavy"', r"weight must be a number"),
    ('value = "courtesy > 0"\ncolour = "red"', r"unknown keys \['colour'\]"),
])
def test_bad_rubrics_are_rejected_with_the_criterion_named(body, message):
    text = f'[[criteria]]\nprinciple = "respect"\nname = "x"\n{body}\n'
    with pytest.raises(sa.RubricError, match=message):
        sa.Rubric.from_toml(text, source="mine.toml")


def test_bad_principle_and_missing_file(tmp_path):
    with pytest.raises(sa.RubricError, match="principle 'kindness'"):
        sa.Rubric.from_toml('[[criteria]]\nprinciple = "kindness"\nname = "x"\nvalue = "1"\n')
    with pytest.raises(sa.RubricError, match="cannot read the rubric"):
        sa.Rubric.from_file(tmp_path / "missing.toml")
    with pytest.raises(sa.RubricError, match="not valid TOML"):
        sa.Rubric.from_toml("[[criteria]\n")
