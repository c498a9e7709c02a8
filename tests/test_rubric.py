"""Rubric files: hand-computed scores, N/A criteria, bonus, auto-fail, bands,
line-numbered validation errors, diff, hash, round trip."""

from __future__ import annotations

import math
import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.rubric.core import Band, Criterion, Rubric, with_weights
from serviceart.schema import measures_table

RUBRIC = """\
[rubric]
name = "tiny"
version = "1"

[bands]
all = [
    { name = "meets", min = 80 },
    { name = "coaching", min = 60 },
    { name = "fails", min = 0 },
]
respect = [{ name = "good", min = 50 }, { name = "bad", min = 0 }]

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
principle = "respect"
name = "rude"
kind = "auto_fail"
value = "disrespect > 0"

[[criteria]]
principle = "service"
name = "acts"
value = "action_taken > 0"
weight = 3

[[criteria]]
principle = "service"
name = "sla"
value = "1 - replies_over_sla / maximum(agent_replies, 1)"
applies = "agent_replies > 0"
weight = 1

[[criteria]]
principle = "service"
name = "extra"
kind = "bonus"
value = "extra_mile > 0"
bonus_points = 10

[[criteria]]
principle = "service"
name = "warm"
kind = "bonus"
value = "empathy > 0"
bonus_points = 20

[[criteria]]
principle = "integrity"
name = "explains"
value = "explanation > 0"
applies = "bad_news > 0"
"""


def _measures(**cols) -> pd.DataFrame:
    table = measures_table()
    n = len(next(iter(cols.values())))
    frame = {c.name: np.zeros(n) if c.name != "interaction_id" else [f"i{k}" for k in range(n)]
             for c in table.columns}
    frame.update(cols)
    return pd.DataFrame(frame)


@pytest.fixture(scope="module")
def tiny() -> tuple[Rubric, pd.DataFrame, pd.DataFrame]:
    rubric = Rubric.from_toml(RUBRIC)
    m = _measures(customer_talk_share=[0.2, np.nan, 0.6, 0.5],
                  courtesy=[1, 1, 0, 1], disrespect=[0, 2, 0, 0],
                  action_taken=[1, 0, 1, 1], agent_replies=[4, 0, 2, 1],
                  replies_over_sla=[1, 0, 0, 1], extra_mile=[1, 0, 1, 1],
                  empathy=[0, 1, 1, 1], bad_news=[1, 0, 2, 0], explanation=[0, 0, 1, 0])
    scores, contrib = rubric.apply(m)
    return rubric, scores.set_index("interaction_id"), contrib


def test_hand_computed_scores(tiny):
    _, s, _ = tiny
    # i0 respect: listening 0.2/0.5 = 0.4 (w 2), polite 1 (w 1): 100 * (0.8 + 1) / 3 = 60
    # i0 service: acts 1 (w 3), sla 1 - 1/4 = 0.75 (w 1): 100 * 3.75 / 4 = 93.75, plus the
    #    extra-mile bonus 10 -> 103.75, capped at 100
    # i0 integrity: bad news without explanation: 0; follow_through: no criterion -> NaN
    assert s.loc["i0", "respect"] == pytest.approx(60)
    assert s.loc["i0", "service"] == pytest.approx(100)
    assert s.loc["i0", "integrity"] == 0
    assert math.isnan(s.loc["i0", "follow_through"])
    assert s.loc["i0", "overall"] == pytest.approx((60 + 100 + 0) / 3)
    # i1 respect: polite 1 -> 100, but disrespect 2 > 0 fires the auto-fail -> 0
    # i1 service: acts 0 (w 3), sla n/a (no replies): 0, plus warm bonus 20 -> 20
    # i1 integrity: explains does not apply (no bad news) and nothing else -> NaN
    assert s.loc["i1", "respect"] == 0
    assert s.loc["i1", "service"] == pytest.approx(20)
    assert math.isnan(s.loc["i1", "integrity"])
    assert s.loc["i1", "overall"] == pytest.approx((0 + 20) / 2)
    # i2 respect: listening 1 (w 2), polite 0: 100 * 2 / 3 = 66.67
    # i2 service: (3 + 1) / 4 = 100: no room left for the bonuses
    assert s.loc["i2", "respect"] == pytest.approx(200 / 3)
    assert s.loc["i2", "service"] == pytest.approx(100)
    assert s.loc["i2", "integrity"] == 100
    # i3 service: acts 1 (w 3), sla 1 - 1/1 = 0 (w 1): 75; bonuses 10 + 20 = 30 > room 25
    assert s.loc["i3", "service"] == pytest.approx(100)


def test_na_criteria_are_left_out(tiny):
    _, _, c = tiny
    row = c[(c.interaction_id == "i1") & (c.criterion == "listening")].iloc[0]
    assert not row["applied"] and row["points"] == 0 and row["points_lost"] == 0
    assert math.isnan(row["value"])
    sla = c[(c.interaction_id == "i1") & (c.criterion == "sla")].iloc[0]
    assert not sla["applied"]  # applies = "agent_replies > 0" is false


def _points(c, iid, principle):
    return c[(c.interaction_id == iid) & (c.principle == principle)].set_index("criterion")


def test_contributions_rebuild_every_score(tiny):
    _, s, c = tiny
    total = c.groupby(["interaction_id", "principle"])["points"].sum().unstack()
    for p in ("respect", "service", "integrity"):
        expected = s[p].fillna(0)
        assert np.allclose(total.loc[expected.index, p], expected)
    assert s["follow_through"].isna().all()  # no criterion: NaN, no rows
    # the weighted mean from value, weight and applied (bonus and auto-fail rows weigh 0)
    i0 = _points(c, "i0", "respect")
    base = 100 * (i0.weight * i0.value.fillna(0) * i0.applied).sum() / (
        i0.weight * i0.applied).sum()
    assert base == pytest.approx(60)
    assert i0.loc["polite", "points"] == pytest.approx(100 / 3)
    assert i0.loc["listening", "points_lost"] == pytest.approx(2 * 0.6 * 100 / 3)


def test_bonus_is_capped_and_scaled(tiny):
    _, _, c = tiny
    i0 = _points(c, "i0", "service")
    assert i0.loc["extra", "points"] == pytest.approx(100 - 93.75)  # only the room to 100
    assert i0.loc["extra", "weight"] == 0 and i0.loc["extra", "applied"]
    i1 = _points(c, "i1", "service")
    assert i1.loc["warm", "points"] == pytest.approx(20)
    # i3: room 25 shared in proportion 10 : 20
    i3 = _points(c, "i3", "service")
    assert i3.loc["extra", "points"] == pytest.approx(25 * 10 / 30)
    assert i3.loc["warm", "points"] == pytest.approx(25 * 20 / 30)


def test_bonus_needs_a_score_to_add_to():
    r = Rubric.from_toml(RUBRIC)
    m = _measures(extra_mile=[1], action_taken=[0])
    no_score = Rubric([Criterion("service", "b", "extra_mile > 0", kind="bonus",
                                 bonus_points=10),
                       Criterion("service", "a", "action_taken > 0", applies="False")])
    s, c = no_score.apply(m)
    assert math.isnan(s["service"].iloc[0]) and not c["applied"].any()
    assert r.apply(m)[0]["service"].iloc[0] == pytest.approx(10)


def test_auto_fail_zeroes_the_principle_and_names_the_criterion(tiny):
    _, _, c = tiny
    i1 = _points(c, "i1", "respect")
    assert i1.loc["rude", "applied"] and i1.loc["rude", "value"] == 1
    assert i1.loc["rude", "points_lost"] == pytest.approx(100)  # what it wiped out
    assert i1["points"].sum() == 0
    assert i1.loc["polite", "points"] == 0
    # not fired: the auto-fail row costs nothing
    i0 = _points(c, "i0", "respect")
    assert i0.loc["rude", "value"] == 0 and i0.loc["rude", "points_lost"] == 0


def test_auto_fail_with_nothing_else_applying():
    r = Rubric([Criterion("respect", "rude", "disrespect > 0", kind="auto_fail"),
                Criterion("respect", "listen", "customer_talk_share", applies="False")])
    s, _ = r.apply(_measures(disrespect=[1, 0]))
    assert s["respect"].iloc[0] == 0 and math.isnan(s["respect"].iloc[1])


def test_bands(tiny):
    rubric, s, _ = tiny
    b = rubric.assign_bands(s.reset_index()).set_index("interaction_id")
    assert b.loc["i0", "respect_band"] == "good"  # respect has its own bands
    assert b.loc["i0", "service_band"] == "meets"
    assert b.loc["i0", "integrity_band"] == "fails"
    assert pd.isna(b.loc["i0", "follow_through_band"])  # NaN score: no band
    assert b.loc["i0", "overall_band"] == "fails"  # 53.3
    assert str(b.dtypes["overall_band"]) == "string"
    assert rubric.band_of("service", 79.999) == "coaching"
    assert rubric.band_of("service", 80) == "meets"
    assert Rubric([Criterion("respect", "x", "1")]).band_of("respect", 50) is None


def test_default_rubric_is_valid_and_covers_principles():
    r = sa.Rubric.default()
    assert {c.principle for c in r.criteria} == set(sa.PRINCIPLES)
    assert all(c.rationale for c in r.criteria)
    kinds = {c.name: c.kind for c in r.criteria}
    assert kinds["disrespect_fails"] == "auto_fail"
    assert kinds["goes_extra_mile"] == kinds["follows_up"] == "bonus"
    assert [b.name for b in r.bands_for("overall")] == ["meets", "coaching", "fails"]


def test_default_rubric_on_sample_measures(sample_result):
    # every principle score is rebuilt from the contributions
    c = sample_result.contributions
    total = c.groupby(["interaction_id", "principle"])["points"].sum().unstack()
    s = sample_result.scores.set_index("interaction_id")
    for p in sa.PRINCIPLES:
        assert np.allclose(total.loc[s.index, p], s[p].fillna(0))
    assert s.loc["call-0003", "respect"] == 0  # disrespect fails respect


def test_round_trip_and_hash(tmp_path):
    r = sa.Rubric.default()
    path = tmp_path / "r.toml"
    r.to_file(path)
    again = sa.Rubric.from_file(path)
    assert again.hash == r.hash and again.to_toml() == r.to_toml()
    assert again.bands == r.bands
    assert not r.diff(again)
    edited = path.read_text().replace("weight = 3.0", "weight = 2.5", 1)
    assert sa.Rubric.from_toml(edited).hash != r.hash
    assert pickle.loads(pickle.dumps(r)).hash == r.hash


def test_hash_ignores_layout_but_not_content():
    base = Rubric.from_toml(RUBRIC).hash
    # reformatted: comments, spacing inside expressions, key order, criteria order, bands order
    blocks = RUBRIC.split("[[criteria]]")
    head, crits = blocks[0], blocks[1:]
    shuffled = []
    for b in reversed(crits):
        lines = [ln for ln in b.strip().splitlines() if ln]
        shuffled.append("[[criteria]]\n# a comment\n" + "\n".join(reversed(lines)) + "\n")
    text = head.replace('name = "tiny"\nversion = "1"', 'version = "1"\nname="tiny"')
    text = text + "\n".join(shuffled)
    text = (text.replace('"courtesy > 0"', '"(courtesy>0)"')
            .replace("weight = 2\n", "weight = 2.0\n"))
    assert Rubric.from_toml(text).hash == base
    for old, new in [('weight = 3', 'weight = 4'), ('name = "polite"', 'name = "civil"'),
                     ('bonus_points = 10', 'bonus_points = 11'), ('min = 60', 'min = 65'),
                     ('version = "1"', 'version = "2"'), ('"courtesy > 0"', '"courtesy > 1"'),
                     ('kind = "auto_fail"', 'kind = "score"')]:
        assert old in RUBRIC
        assert Rubric.from_toml(RUBRIC.replace(old, new, 1)).hash != base, old


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_random_edits_change_the_hash(data):
    r = sa.Rubric.default()
    k = data.draw(st.integers(0, len(r.criteria) - 1))
    c = r.criteria[k]
    edit = data.draw(st.sampled_from(["weight", "name", "rationale", "applies"]))
    if edit == "weight":
        new_w = data.draw(st.floats(0.01, 100).filter(lambda w: w != c.weight))
        new = Criterion(**{**c.__dict__, "weight": new_w, "kind": "score"})
        if c.kind != "score":
            new = Criterion(**{**c.__dict__, "bonus_points": min(100.0, new_w)}) \
                if c.kind == "bonus" and min(100.0, new_w) != c.bonus_points else new
    elif edit == "name":
        suffix = data.draw(st.text("abcxyz_", min_size=1, max_size=5))
        new = Criterion(**{**c.__dict__, "name": c.name + suffix})
    elif edit == "rationale":
        new = Criterion(**{**c.__dict__, "rationale": c.rationale + "!"})
    else:
        new = Criterion(**{**c.__dict__, "applies": f"({c.applies}) & (courtesy >= 0)"})
    criteria = [*r.criteria[:k], new, *r.criteria[k + 1:]]
    other = Rubric(criteria, name=r.name, version=r.version, description=r.description,
                   bands=r.bands)
    assert other.hash != r.hash
    assert r.diff(other)
    # and the same content in another order has the same hash
    order = data.draw(st.permutations(range(len(r.criteria))))
    same = Rubric([r.criteria[i] for i in order], name=r.name, version=r.version,
                  description=r.description, bands=r.bands)
    assert same.hash == r.hash and not r.diff(same)


def test_diff():
    a = Rubric.from_toml(RUBRIC)
    text = (RUBRIC.replace("weight = 3", "weight = 4")
            .replace('name = "polite"', 'name = "civil"')
            .replace('version = "1"', 'version = "2"')
            .replace("min = 60", "min = 65"))
    b = Rubric.from_toml(text)
    d = a.diff(b)
    assert d.metadata == {"version": ("1", "2")}
    assert [c.name for c in d.added] == ["civil"] and [c.name for c in d.removed] == ["polite"]
    assert d.changed == {"service.acts": {"weight": (3.0, 4.0)}}
    assert list(d.bands) == ["all"]
    text_out = str(d)
    assert "version: '1' -> '2'" in text_out
    assert "+ respect.civil (score): courtesy > 0" in text_out
    assert "- respect.polite" in text_out
    assert "~ service.acts\n    weight: 3.0 -> 4.0" in text_out
    assert "bands.all: meets >= 80, coaching >= 60, fails >= 0 -> meets >= 80, coaching >= 65" \
        in text_out
    assert str(a.diff(a)) == "no changes" and not a.diff(a)
    # spacing in expressions is no change
    assert not a.diff(Rubric.from_toml(RUBRIC.replace('"courtesy > 0"', '"courtesy>0"')))


def test_with_weights_keeps_bands():
    r = with_weights(Rubric.from_toml(RUBRIC), {("service", "acts"): 5, "polite": 2})
    assert {c.name: c.weight for c in r.criteria if c.kind == "score"}["acts"] == 5
    assert r.bands == Rubric.from_toml(RUBRIC).bands


# -- validation: every error names its line --------------------------------------------
HEAD = '[rubric]\nname = "x"\n\n[[criteria]]\nprinciple = "respect"\nname = "x"\n'


@pytest.mark.parametrize(("body", "message"), [
    # line 7 is the first line of `body`
    ('value = "no_such_measure > 0"', r"record line 7 \(criterion 'x'\), field value: unknown "
                                      r"measure\(s\) \['no_such_measure'\]"),
    ('value = "curtesy > 0"', r"line 7 .*\['curtesy'\].*did you mean 'courtesy'"),
    ('value = "courtesy >"', r"line 7 \(criterion 'x'\), field value: .*cannot parse"),
    ('value = "__import__(\'os\')"', r"line 7 .*only these functions are allowed"),
    ('value = "courtesy.real"', r"line 7 .*Attribute is not allowed"),
    ('value = "courtesy > 0"\nweight = 0', r"line 8 \(criterion 'x'\), field weight: "
                                           r"weight must be > 0, got 0"),
    ('value = "courtesy > 0"\nweight = -1.5', r"line 8 .*weight must be > 0, got -1.5"),
    ('value = "courtesy > 0"\nweight = "heavy"', r"line 8 .*weight must be a number"),
    ('value = "courtesy > 0"\ncolour = "red"', r"line 8 .*unknown keys \['colour'\]"),
    ('value = "courtesy > 0"\nkind = "bonsu"', r"line 8 .*unknown kind 'bonsu'.*did you mean "
                                               r"'bonus'"),
    ('value = "courtesy > 0"\nkind = "bonus"', r"line 4 .*needs bonus_points"),
    ('value = "courtesy > 0"\nkind = "bonus"\nbonus_points = 0', r"line 9 .*bonus_points in "
                                                                 r"\(0, 100\]"),
    ('value = "courtesy > 0"\nkind = "auto_fail"\nweight = 2', r"line 9 .*takes no weight"),
    ('value = "courtesy > 0"\napplies = "max(courtesy)"', r"line 8 .*field applies: .*only "
                                                            r"these functions"),
])
def test_bad_rubrics_give_line_numbers(body, message):
    with pytest.raises(sa.RubricError, match=message) as info:
        Rubric.from_toml(HEAD + body + "\n", source="mine.toml")
    assert "file mine.toml" in str(info.value)


def test_unknown_principle_and_duplicates_are_located():
    text = (HEAD.replace('"respect"', '"respekt"') + 'value = "courtesy > 0"\n\n'
            '[[criteria]]\nprinciple = "service"\nname = "a"\nvalue = "1"\n\n'
            '[[criteria]]\nprinciple = "service"\nname = "a"\nvalue = "1"\n')
    with pytest.raises(sa.RubricError) as info:
        Rubric.from_toml(text)
    msg = str(info.value)
    assert "2 problems" in msg
    assert re.search(r"line 5 \(criterion 'x'\), field principle: principle 'respekt' .*did you "
                     r"mean 'respect'", msg)
    assert re.search(r"line 16 \(criterion 'a'\), field name: duplicate criterion name 'a'", msg)


def test_every_problem_is_reported_at_once():
    text = (HEAD + 'value = "nope > 0"\nweight = 0\n\n'
            '[[criteria]]\nprinciple = "service"\nname = "b"\nvalue = "courtesy >"\n')
    with pytest.raises(sa.RubricError) as info:
        Rubric.from_toml(text)
    lines = str(info.value).splitlines()
    assert "3 problems" in lines[0]
    assert [ln.split(",")[0] for ln in lines[1:]] == [
        "- line 7 (criterion 'x')", "- line 8 (criterion 'x')", "- line 13 (criterion 'b')"]


@pytest.mark.parametrize(("bands", "message"), [
    ("[bands]\nall = [{name = 'a', min = 50}, {name = 'b', min = 60}, {name = 'c', min = 0}]",
     r"line 2 \(bands.all\).*highest min to the lowest"),
    ("[bands]\nall = [{name = 'a', min = 50}, {name = 'b', min = 10}]",
     r"line 2 \(bands.all\).*last band must have min = 0"),
    ("[bands]\nkindness = [{name = 'a', min = 0}]", r"line 2 \(bands.kindness\).*unknown bands "
                                                     r"key 'kindness'"),
    ("[bands]\nrespect = [{name = 'a', min = 150}]", r"min between 0 and 100"),
    ("[bands]\nrespect = [{name = 'a'}]", r"needs a name and a min"),
    ("[bands]\nrespect = [{name = 'a', min = 10}, {name = 'a', min = 0}]", r"band names repeat"),
    ("bands = [{name = 'a', min = 50}, {name = 'b', min = 60}]", r"line 1 \(bands\)"),
])
def test_bad_bands(bands, message):
    text = bands + "\n\n" + HEAD + 'value = "1"\n'
    with pytest.raises(sa.RubricError, match=message):
        Rubric.from_toml(text)


def test_bands_as_a_plain_list_apply_to_all():
    text = "bands = [{name = 'ok', min = 50}, {name = 'low', min = 0}]\n" + HEAD + 'value = "1"\n'
    r = Rubric.from_toml(text)
    assert r.bands == {"all": (Band("ok", 50.0), Band("low", 0.0))}
    assert r.band_of("overall", 49) == "low"


def test_bad_toml_missing_file_and_no_criteria(tmp_path):
    with pytest.raises(sa.RubricError, match="cannot read the rubric"):
        sa.Rubric.from_file(tmp_path / "missing.toml")
    with pytest.raises(sa.RubricError, match=r"record line 3.*not valid TOML"):
        sa.Rubric.from_toml('[rubric]\nname = "x"\n[[criteria]\n')
    with pytest.raises(sa.RubricError, match="no \\[\\[criteria\\]\\] tables"):
        sa.Rubric.from_toml('[rubric]\nname = "x"\n')
    with pytest.raises(sa.RubricError, match="no criteria"):
        Rubric([])


def test_errors_pickle_and_are_coded():
    try:
        Rubric.from_toml(HEAD + 'value = "nope"\n', source="f.toml")
    except sa.RubricError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert str(again) == str(exc) and again.code == exc.code == "SA-R059"
        assert again.record == "line 7 (criterion 'x')" and again.field == "value"


# -- properties ---------------------------------------------------------------------------
NAMES = [c.name for c in measures_table().columns if c.name != "interaction_id"]


@settings(max_examples=30, deadline=None, database=None)
@given(st.data())
def test_scores_always_in_range_and_rebuilt(data):
    n = data.draw(st.integers(1, 6))
    value = st.one_of(st.just(np.nan), st.floats(-5, 5000, allow_nan=False),
                      st.integers(0, 5).map(float))
    cols = {name: data.draw(st.lists(value, min_size=n, max_size=n))
            for name in data.draw(st.lists(st.sampled_from(NAMES), max_size=25, unique=True))}
    m = _measures(**cols) if cols else _measures(courtesy=[0.0] * n)
    for rubric in (sa.Rubric.default(), Rubric.from_toml(RUBRIC)):
        scores, contrib = rubric.apply(m)
        vals = scores[[*sa.PRINCIPLES, "overall"]].to_numpy(dtype="float64")
        assert (np.isnan(vals) | ((vals >= 0) & (vals <= 100 + 1e-9))).all()
        total = contrib.groupby(["interaction_id", "principle"])["points"].sum().unstack()
        s = scores.set_index("interaction_id")
        for p in {c.principle for c in rubric.criteria}:
            assert np.allclose(total.loc[s.index, p], s[p].fillna(0))
        assert (contrib["points"] >= -1e-9).all() and (contrib["points_lost"] >= -1e-9).all()


def test_a_tiny_bonus_beside_a_full_score_neither_overflows_nor_moves_the_score():
    import warnings

    rubric = sa.Rubric([
        sa.Criterion("respect", "a", "courtesy >= 0", weight=1.0),
        sa.Criterion("respect", "b", "minimum(courtesy + 1, 1e-300)", kind="bonus",
                     bonus_points=1e-9),
    ])
    m = pd.DataFrame({"interaction_id": ["x"], "courtesy": [1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores, _ = rubric.apply(m)
    assert scores["respect"].iloc[0] == 100.0


def test_a_vanishing_weight_scores_without_a_division_warning():
    import warnings

    doc = ('[[criteria]]\nprinciple = "respect"\nname = "x"\nvalue = "customer_talk_share"\n'
           'weight = 1.0000000000000002e-300\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rubric = sa.Rubric.from_toml(doc)
        scores, _ = rubric.apply(pd.DataFrame({"interaction_id": ["a", "b"],
                                               "customer_talk_share": [1.0, 0.25]}))
    assert scores["respect"].round(6).tolist() == [100.0, 25.0]
