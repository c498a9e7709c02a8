"""A rubric that loads never fails at scoring; one that cannot score fails at load.

Every failure found by the adversarial pass is reproduced here (each loaded, then
made every interaction ``scoring_failed``, or raised something other than a
RubricError), and hypothesis generates hostile rubric files
(:mod:`serviceart.testing.rubrics`): each one either fails at load with a
RubricError or scores the bundled samples with every score in 0..100.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.codebook import PRINCIPLES
from serviceart.rubric.check import MAX_WEIGHT, dry_run_frame
from serviceart.rubric.core import Rubric
from serviceart.rubric.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LITERAL,
    ExpressionError,
    evaluate,
    names_in,
    parse,
)
from serviceart.rubric.importers import from_connect_form, from_csv
from serviceart.run.batch import run_batch
from serviceart.testing.markup import PAYLOADS
from serviceart.testing.rubrics import (
    MEASURE_NAMES,
    expressions,
    long_sum,
    rubric_documents,
    toml_document,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
HEAD = '[[criteria]]\nprinciple = "respect"\nname = "x"\n'


@functools.cache
def sample_measures() -> pd.DataFrame:
    """The measures of the bundled samples (what Rubric.apply gets when scoring them)."""
    return sa.score(sa.read(SAMPLES)).measures


def score_like_a_batch(rubric: Rubric, measures: pd.DataFrame) -> pd.DataFrame:
    """What a batch part does with the rubric (an exception here is ``scoring_failed``)."""
    scores, contributions = rubric.apply(measures)
    bands = rubric.assign_bands(scores)
    assert len(scores) == len(measures) == len(bands)
    assert len(contributions) == len(measures) * len(rubric.criteria)
    return scores


def assert_in_range(scores: pd.DataFrame) -> None:
    values = scores[[*PRINCIPLES, "overall"]].to_numpy(dtype="float64")
    finite = values[~np.isnan(values)]
    assert ((finite >= 0) & (finite <= 100)).all(), finite


# -- the failures of the adversarial pass, one by one ------------------------------------
@pytest.mark.parametrize(("value", "message"), [
    ("courtesy in 1", r"comparison 'in' is not allowed; compare numbers with =="),
    ("courtesy not in 1", r"comparison 'not in' is not allowed"),
    ("courtesy is 1", r"comparison 'is' is not allowed"),
    ("courtesy is not None", r"comparison 'is not' is not allowed"),
    ("clip + clip(courtesy, 0, 1)", r"clip is a function, not a value: call it, "
                                    r"clip\(x, lo, hi\)"),
    ("minimum", r"minimum is a function, not a value"),
    ("clip(courtesy)", r"clip takes 3 argument\(s\), got 1: write clip\(x, lo, hi\)"),
    ("isna(courtesy, 1)", r"isna takes 1 argument\(s\), got 2"),
    ("where()", r"where takes 3 argument\(s\), got 0"),
    ("abs(x=courtesy)", r"abs takes plain arguments, no keywords"),
    ("log1p(*courtesy)", r"log1p takes plain arguments"),
    ("courtesy < 1" + "0" * 400, r"the number 1000000000\.\.\..* is out of range; numbers "
                                 r"must be finite and at most 1e\+12"),
    ("courtesy * 1e400", r"the number inf is out of range"),
    ("courtesy * 1e13", r"the number 1e\+13 is out of range"),
    ("courtesy // 2", r"operator not allowed: //; use / \(and clip\) instead"),
    ("courtesy ^ 1", r"operator not allowed: \^"),
    ("'a' < courtesy", r"only numbers are allowed as constants"),
    ("courtesy if 1 else 0", r"IfExp is not allowed"),
    (long_sum(400), rf"is nested more than {MAX_DEPTH} levels deep .* split it over several "
                    r"criteria"),
    ("-" * 1000 + "courtesy", r"nested more than"),
    (long_sum(450, "courtesy"), rf"has \d+ characters, more than {MAX_LENGTH}; split it"),
    ("(" * 250 + "courtesy" + ")" * 250, r"cannot parse .*too many nested parentheses"),
    ("courtesy\x00", r"cannot parse .*null bytes"),
])
def test_expressions_that_used_to_fail_at_scoring_fail_at_load(value, message):
    text = HEAD + f"value = {json.dumps(value)}\n"
    with pytest.raises(sa.RubricError, match=message) as info:
        Rubric.from_toml(text, source="shared.toml")
    err = info.value
    assert err.source == "shared.toml" and err.field == "value"
    assert err.record == "line 4 (criterion 'x')"


def test_error_messages_stay_short_for_huge_expressions():
    value = "courtesy < " + "9" * 1900
    with pytest.raises(sa.RubricError) as info:
        Rubric.from_toml(HEAD + f'value = "{value}"\n')
    assert len(str(info.value)) < 400


@pytest.mark.parametrize("weight", ["1e308", "1.7976931348623157e308", "1e7", "inf", "nan",
                                    "-inf", "0"])
def test_weights_that_overflow_or_are_not_finite_fail_at_load(weight):
    text = (HEAD + f'value = "1"\nweight = {weight}\n\n[[criteria]]\nprinciple = "respect"\n'
            f'name = "y"\nvalue = "1"\nweight = {weight}\n')
    with pytest.raises(sa.RubricError, match=r"line 5 \(criterion 'x'\), field weight: weight "
                                             r"must be (> 0|at most 1e\+06)"):
        Rubric.from_toml(text)


@pytest.mark.slow
def test_the_largest_allowed_weights_score_a_perfect_interaction_100():
    # 1e308 weights used to overflow the weighted sum: a perfect interaction scored 0
    crits = [sa.Criterion("respect", f"c{k}", "1", weight=MAX_WEIGHT) for k in range(1000)]
    rubric = Rubric(crits)
    scores = score_like_a_batch(rubric, sample_measures())
    assert (scores["respect"] == 100).all()
    with pytest.raises(sa.RubricError, match="1001 criteria, more than 1000"):
        Rubric([*crits, sa.Criterion("respect", "one_more", "1")])


def test_bonus_points_must_be_finite_and_at_most_100():
    for points in ("inf", "nan", "1e308"):
        with pytest.raises(sa.RubricError, match=r"bonus_points in \(0, 100\]"):
            Rubric.from_toml(HEAD + f'value = "1"\n\n[[criteria]]\nprinciple = "respect"\n'
                             f'name = "b"\nkind = "bonus"\nvalue = "1"\nbonus_points = {points}\n')


def test_deeply_nested_toml_is_a_rubric_error(tmp_path):
    for depth in (100, 2000, 20000):
        body = f"x = {'[' * depth}{']' * depth}\n"
        with pytest.raises(sa.RubricError, match=r"nested too deeply|unknown top-level keys"):
            Rubric.from_toml(body + HEAD + 'value = "1"\n')
    inline = "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"
    with pytest.raises(sa.RubricError, match="nested too deeply"):
        Rubric.from_toml(inline + HEAD + 'value = "1"\n')


def test_nested_values_where_text_belongs_are_reported_briefly():
    deep = "[" * 200 + "]" * 200
    text = f'[rubric]\nname = {deep}\n\n{HEAD}value = "1"\nrationale = {deep}\n'
    with pytest.raises(sa.RubricError) as info:
        Rubric.from_toml(text)
    msg = str(info.value)
    assert "name must be a string" in msg and "rationale must be a string" in msg
    assert len(msg) < 600


def test_a_latin1_rubric_file_is_a_rubric_error_naming_the_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes((HEAD + 'value = "1"\nrationale = "Café manners"\n').encode("latin-1"))
    with pytest.raises(sa.RubricError, match=r"record line 5: the rubric is not UTF-8 text "
                                             r"\(byte 0xe9 at offset \d+\); save it as UTF-8"):
        Rubric.from_file(path)


def test_a_utf8_rubric_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff".encode() + (HEAD + 'value = "1"\nrationale = "Café"\n').encode())
    assert Rubric.from_file(path).criteria[0].rationale == "Café"


def test_importers_reject_latin1_and_malformed_forms(tmp_path):
    csv_path = tmp_path / "criteria.csv"
    csv_path.write_bytes("principle,name,value\nrespect,café,courtesy > 0\n".encode("latin-1"))
    with pytest.raises(sa.RubricError, match="criteria CSV is not UTF-8"):
        from_csv(csv_path)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(sa.RubricError, match="nested too deeply"):
        from_connect_form(deep, questions={})
    form = json.loads(Path("tests/fixtures/rubrics/connect_form.json").read_text("utf-8"))
    # a number where the list of a section's items belongs
    form["EvaluationForm"]["Items"][0]["Section"]["Items"] = 7
    with pytest.raises(sa.RubricError, match="wrong type"):
        from_connect_form(form, questions={})


def test_criteria_built_in_python_are_checked_too():
    with pytest.raises(sa.RubricError, match="weight must be a number"):
        Rubric([sa.Criterion("respect", "a", "1", weight="2")])  # type: ignore[arg-type]
    with pytest.raises(sa.RubricError, match="name must be a string"):
        Rubric([sa.Criterion("respect", ["a"], "1")])  # type: ignore[arg-type]
    with pytest.raises(sa.RubricError, match="lone surrogate"):
        Rubric([sa.Criterion("respect", "a\ud800", "1")])
    with pytest.raises(sa.RubricError, match="shorten it to at most 200"):
        Rubric([sa.Criterion("respect", "a" * 201, "1")])


# -- what loads is total ----------------------------------------------------------------
def test_the_dry_run_frame_has_every_measure_and_edge_values():
    frame = dry_run_frame()
    assert set(MEASURE_NAMES) <= set(frame.columns)
    col = frame["courtesy"].to_numpy(dtype="float64")
    assert 0 in col and np.isnan(col).any() and np.nanmax(col) >= 1e300 and np.nanmin(col) < 0


@pytest.mark.parametrize("value", [
    "courtesy / 0", "0 / 0", "(-1) ** 0.5", "courtesy ** 1e12", "1e12 ** 1e12 - 1e12 ** 1e12",
    "log1p(-2)", "log(0)", "log(-courtesy)", "log(courtesy) / log(1)",
    "courtesy % 0", "2 ** -1", "where(courtesy, 1e12, -1e12) * 1e12",
    "clip(courtesy, 1, 0)", "fillna(courtesy / 0, 0.5)", "~(courtesy / 0)",
])
def test_floating_point_trouble_gives_nan_or_inf_never_an_exception(value):
    rubric = Rubric.from_toml(HEAD + f'value = "{value}"\n')
    out = evaluate(parse(value), dry_run_frame())
    assert out.shape == (len(dry_run_frame()),) and out.dtype == np.float64
    assert_in_range(score_like_a_batch(rubric, sample_measures()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_hostile_expressions_parse_or_raise_expression_error(expression):
    try:
        tree = parse(expression)
    except ExpressionError as exc:
        event(f"rejected: {str(exc).split(':')[-1].split(';')[0][:30]}")
        return
    frame = dry_run_frame()
    unknown = names_in(expression) - set(MEASURE_NAMES)
    if unknown:  # the rubric check names these; evaluating says the same
        event("parsed, unknown name")
        with pytest.raises(ExpressionError, match="unknown measure"):
            evaluate(tree, frame)
        return
    event("accepted")
    out = evaluate(tree, frame)
    assert out.shape == (len(frame),) and out.dtype == np.float64
    for node_text in ("__import__", "lambda", ".real", "[0]", " is ", " in "):
        assert node_text not in expression


@pytest.mark.slow
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rubric_documents())
def test_hostile_rubric_files_fail_with_rubric_error_or_score_the_samples(tmp_path_factory,
                                                                          document):
    path = tmp_path_factory.mktemp("rubric") / "hostile.toml"
    path.write_bytes(document)
    try:
        rubric = Rubric.from_file(path)
    except sa.RubricError as exc:
        event("rejected at load")
        assert exc.source == str(path)
        return
    event("loaded")
    assert_in_range(score_like_a_batch(rubric, sample_measures()))


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rubric_documents(loadable=True))
def test_well_formed_rubrics_with_hostile_text_and_extreme_numbers_load_and_score(document):
    rubric = Rubric.from_toml(document.decode("utf-8"))
    scores = score_like_a_batch(rubric, sample_measures())
    assert_in_range(scores)
    again = Rubric.from_toml(rubric.to_toml())
    assert again.hash == rubric.hash


@pytest.mark.slow
def test_a_batch_run_with_hostile_but_valid_rubrics_has_no_scoring_failed(tmp_path):
    crits = []
    for k, payload in enumerate(PAYLOADS):
        principle = PRINCIPLES[k % 4]
        crits.append({"principle": principle, "name": payload, "rationale": payload,
                      "value": ["courtesy / 0", "clip(hold_s ** 1e12, 0, 1)",
                                "fillna(first_response_s, 1e12) < 1e12",
                                long_sum(MAX_DEPTH - 1, "courtesy") + " > 0"][k % 4],
                      "weight": [MAX_WEIGHT, 1e-300, 1, 2 ** 19][k % 4]})
    crits.append({"principle": "respect", "name": "bonus", "kind": "bonus",
                  "value": "1e12 * courtesy", "bonus_points": 100})
    crits.append({"principle": "service", "name": "fail", "kind": "auto_fail",
                  "value": "0 / 0"})
    bands = [{"name": PAYLOADS[0], "min": 100}, {"name": PAYLOADS[1], "min": 1e-9},
             {"name": PAYLOADS[12], "min": 0}]
    path = tmp_path / "hostile.toml"
    path.write_text(toml_document({"rubric": {"name": PAYLOADS[3], "version": "1",
                                              "description": PAYLOADS[4]},
                                   "bands": {"all": bands}, "criteria": crits}),
                    encoding="utf-8")
    Rubric.from_file(path)
    summary = run_batch(SAMPLES, tmp_path / "run", rubric=str(path), jobs=1)
    res = sa.Result.from_parquet(tmp_path / "run")
    assert summary.parts_failed == 0
    assert "scoring_failed" not in set(res.rejects["code"].astype(str))
    assert len(res.scores) == summary.interactions_in == 13
    assert_in_range(res.scores)
    assert not math.isnan(res.scores["overall"].max())
    assert set(res.bands["overall_band"].dropna()) <= {PAYLOADS[0], PAYLOADS[1], PAYLOADS[12]}


def test_every_literal_bound_is_documented_in_the_error():
    with pytest.raises(ExpressionError, match=re.escape(f"at most {MAX_LITERAL:g}")):
        parse(f"courtesy < {MAX_LITERAL * 10:.0f}")
    assert parse(f"courtesy < {MAX_LITERAL:.0f}") is not None


@settings(max_examples=30, deadline=None)
@given(st.integers(1, MAX_DEPTH - 1))
def test_sums_within_the_depth_limit_load_and_add_up(terms):
    rubric = Rubric.from_toml(HEAD + f'value = "({long_sum(terms, "courtesy")}) / {terms}"\n')
    m = sample_measures()
    scores = score_like_a_batch(rubric, m)
    expected = 100 * np.clip(m["courtesy"].to_numpy(dtype="float64"), 0, 1)
    np.testing.assert_allclose(scores["respect"].to_numpy(dtype="float64"), expected)
