"""Agreement with reviewers: serviceart against each reviewer and reviewers against each
other, on the QA development set's two rating passes and on synthetic runs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

import serviceart as sa
from serviceart.analysis.agreement import (
    MEAN,
    SERVICEART,
    AgreementReport,
    UnmatchedReviewsWarning,
    agreement,
    agreement_command,
    read_reviews,
)
from serviceart.cli import app
from serviceart.errors import ConfigError, FormatError, InputError, OutputError
from serviceart.result import Result
from tests.test_calibrate import result_of, synthetic_measures

KEYS = ["respect", "service", "integrity", "follow_through", "overall"]
QA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gold" / "qa_dev.jsonl"


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def synthetic() -> Result:
    return result_of(synthetic_measures(120, seed=3))


def own_reviews(res: Result, name: str = "ana", keys: list[str] = KEYS) -> pd.DataFrame:
    """A reviewer who gives serviceart's own scores (in-scope interactions)."""
    s = res.scores.dropna(subset=["overall"])
    return pd.DataFrame({"interaction_id": s["interaction_id"].astype(str).to_numpy(),
                         "reviewer": name, **{k: s[k].to_numpy() for k in keys}})


def _passes(path: Path) -> pd.DataFrame:
    """The two rating passes of qa_dev.jsonl, one row per conversation and pass (1..5)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for k, r in enumerate(rec["raters"]):
                rows.append({"interaction_id": rec["key"], "reviewer": f"pass {k + 1}",
                             **{p: r.get(p) for p in KEYS}, "note": r.get("note")})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def qa(nlp) -> tuple[Result, pd.DataFrame]:
    if not QA.exists():
        pytest.skip(f"shared data file {QA} is not beside the project")
    from tests._benchmarks import load_benchmark

    sets = load_benchmark("outcome_sets")
    data = sets.load_qa(QA)
    res = sa.score(sa.Conversations.from_frames(data.turns, source="qa_dev.jsonl"), nlp=nlp)
    return res, _passes(QA)


# ---------------------------------------------------------------- the QA set's two passes
def test_qa_dev_passes_reproduce_the_statistics_computed_independently(qa):
    res, passes = qa
    rep = agreement(res, passes, scale=(1, 5))
    assert rep.reviewers == ("pass 1", "pass 2") and rep.n_reviews == rep.n_matched == 176
    assert rep.unmatched_ids == ()
    assert any("note" in n for n in rep.notes)  # the free-text column is named as ignored
    table = rep.principles.set_index(["key", "a", "b"])
    assert len(table) == 5 * 4  # per key: serviceart vs pass 1, pass 2, the mean; pass vs pass
    wide = passes.pivot(index="interaction_id", columns="reviewer", values=KEYS)
    for key in KEYS:
        both = wide[key].dropna()
        x, y = both["pass 1"].to_numpy(float), both["pass 2"].to_numpy(float)
        row = table.loc[(key, "pass 1", "pass 2")]
        assert row["n"] == len(both)
        assert row["rho"] == pytest.approx(spearmanr(x, y).statistic)
        assert row["mae"] == pytest.approx(25 * np.abs(x - y).mean())  # 1..5 -> 0, 25 .. 100
        # default bands: meets >= 80 (a 5), coaching >= 60 (a 4), fails (1..3)
        band = {1: 0, 2: 0, 3: 0, 4: 1, 5: 2}
        kappa = cohen_kappa_score([band[v] for v in x.astype(int)],
                                  [band[v] for v in y.astype(int)], weights="quadratic")
        assert row["kappa"] == pytest.approx(kappa)
        assert row["rho_low"] < row["rho"] < row["rho_high"]
        # serviceart against the mean of the passes
        own = res.scores.set_index("interaction_id")[key]
        mean = (25 * (wide[key] - 1)).mean(axis=1)
        pair = pd.concat([own, mean], axis=1, join="inner").dropna()
        row = table.loc[(key, SERVICEART, MEAN)]
        assert row["n"] == len(pair)
        assert row["rho"] == pytest.approx(spearmanr(pair.iloc[:, 0], pair.iloc[:, 1]).statistic)
        assert row["mae"] == pytest.approx((pair.iloc[:, 0] - pair.iloc[:, 1]).abs().mean())
    # kappa on the bands the run's rubric assigns (Rubric.assign_bands)
    rank = {"fails": 0, "coaching": 1, "meets": 2}
    for key in KEYS:
        own_band = res.rubric.assign_bands(res.scores).set_index("interaction_id")[f"{key}_band"]
        p1 = passes[passes["reviewer"] == "pass 1"].set_index("interaction_id")[key].dropna()
        p1_band = pd.Series([res.rubric.band_of(key, 25 * (v - 1)) for v in p1], index=p1.index)
        both = pd.concat([own_band, p1_band], axis=1, join="inner").dropna()
        kappa = cohen_kappa_score(both.iloc[:, 0].map(rank), both.iloc[:, 1].map(rank),
                                  weights="quadratic")
        assert table.loc[(key, SERVICEART, "pass 1"), "kappa"] == pytest.approx(kappa)
    # the reviewers agree with each other more than serviceart agrees with them
    overall = table.xs("overall")
    assert overall.loc[("pass 1", "pass 2"), "rho"] > overall.loc[(SERVICEART, MEAN), "rho"] > 0
    # out-of-scope conversations are named and left out of serviceart's pairs
    assert rep.out_of_scope_ids and all(
        np.isnan(res.scores.set_index("interaction_id").loc[i, "overall"])
        for i in rep.out_of_scope_ids)


def test_qa_dev_disagreements_worst_first_with_the_criterion_that_lost_most(qa):
    res, passes = qa
    d = agreement(res, passes, scale=(1, 5)).disagreements
    assert len(d) > 300 and (d["diff"].abs().diff().dropna() <= 1e-9).all()
    first = d.iloc[0]
    own = res.scores.set_index("interaction_id").loc[first["interaction_id"], first["key"]]
    assert first["serviceart"] == pytest.approx(own)
    mine = passes[passes["interaction_id"] == first["interaction_id"]][first["key"]]
    assert first["reviewers"] == pytest.approx((25 * (mine - 1)).mean())
    c = res.contributions
    for row in d.head(30).itertuples(index=False):
        rows = c[c["interaction_id"].astype(str) == row.interaction_id]
        if row.key != "overall":
            rows = rows[rows["principle"] == row.key]
        best = rows["points_lost"].max()
        if best > 0:
            p, name = row.criterion.split(".")
            assert row.points_lost == pytest.approx(best)
            assert rows.loc[(rows["principle"] == p) & (rows["criterion"] == name),
                            "points_lost"].iloc[0] == pytest.approx(best)
        else:
            assert pd.isna(row.criterion)
    # evidence is quoted from the conversation's own evidence rows
    quoted = d[d["evidence"] != ""].head(10)
    assert len(quoted)
    for row in quoted.itertuples(index=False):
        ev = res.evidence[res.evidence["interaction_id"].astype(str) == row.interaction_id]
        assert any(f'"{t}"' in row.evidence for t in ev["text"].astype(str))
        assert row.evidence.startswith("turn ")


# ---------------------------------------------------------------- agreeing and reversed
def test_a_reviewer_who_agrees_perfectly(synthetic):
    rep = agreement(synthetic, own_reviews(synthetic))
    assert rep.reviewers == ("ana",)
    t = rep.principles
    assert list(t["a"]) == [SERVICEART] * 5 and list(t["b"]) == ["ana"] * 5
    assert np.allclose(t["rho"], 1.0) and (t["mae"] == 0.0).all()
    assert np.allclose(t["kappa"], 1.0)
    assert np.allclose(t["rho_low"], 1.0) and np.allclose(t["rho_high"], 1.0)
    assert (rep.disagreements["diff"] == 0).all()
    assert isinstance(rep, AgreementReport) and "ana" in str(rep)


def test_a_reversed_reviewer_correlates_negatively(synthetic):
    reviews = own_reviews(synthetic)
    for k in KEYS:
        reviews[k] = 100.0 - reviews[k]
    t = agreement(synthetic, reviews).principles
    assert (t["rho"] < -0.99).all() and (t["rho_high"] < 0).all()
    assert (t["kappa"] < 0).all() and (t["mae"] > 0).all()


def test_two_reviewers_give_pairs_with_serviceart_the_mean_and_each_other(synthetic):
    ana = own_reviews(synthetic, "ana")
    bo = own_reviews(synthetic, "bo").assign(overall=lambda f: 100 - f["overall"])
    rep = agreement(synthetic, pd.concat([bo, ana]), top=5)
    pairs = rep.principles.loc[rep.principles["key"] == "overall", ["a", "b"]]
    assert [tuple(p) for p in pairs.to_numpy()] == [
        (SERVICEART, "ana"), (SERVICEART, "bo"), (SERVICEART, MEAN), ("ana", "bo")]
    assert len(rep.disagreements) == 5
    worst = rep.disagreements.iloc[0]
    assert worst["key"] == "overall" and worst["reviewer"] == "bo"
    assert worst["reviewers"] == 50.0


def test_criterion_columns_by_full_or_bare_name(synthetic):
    c = synthetic.contributions
    names = c.drop_duplicates(["principle", "criterion"])
    bare = names["criterion"].value_counts()
    unique = next(n for n in names["criterion"] if bare[n] == 1)
    p = names.loc[names["criterion"] == unique, "principle"].iloc[0]
    own = c[(c["criterion"] == unique) & c["applied"]]
    reviews = pd.DataFrame({"interaction_id": own["interaction_id"].astype(str),
                            "reviewer": "ana", unique: own["value"].to_numpy()})
    rep = agreement(synthetic, reviews, scale={unique: (0, 1)})
    assert rep.principles.empty and list(rep.criteria["key"]) == [f"{p}.{unique}"]
    assert rep.criteria["mae"].iloc[0] == pytest.approx(0.0)
    full = reviews.rename(columns={unique: f"{p}.{unique}"})
    rep2 = agreement(synthetic, full, scale=(0, 1))
    pd.testing.assert_frame_equal(rep.criteria, rep2.criteria)
    assert rep.table("criterion") is rep.criteria
    # a 0/1 column read as 0..100 is refused, asking for its scale
    with pytest.raises(InputError, match=r"SA-I294.*--scale"):
        agreement(synthetic, reviews)


def test_no_reviewer_column_is_one_reviewer(synthetic):
    reviews = own_reviews(synthetic).drop(columns="reviewer")
    rep = agreement(synthetic, reviews)
    assert rep.reviewers == ("reviewer",) and set(rep.principles["b"]) == {"reviewer"}


def test_partial_overlap_agrees_on_the_overlap_and_says_so(synthetic):
    reviews = own_reviews(synthetic).head(40)
    extra = reviews.head(7).assign(interaction_id=[f"gone-{k}" for k in range(7)])
    with pytest.warns(UnmatchedReviewsWarning, match="7 review rows name 7 interactions"):
        rep = agreement(synthetic, pd.concat([reviews, extra]))
    assert rep.n_reviews == 47 and rep.n_matched == 40
    assert rep.unmatched_ids == tuple(sorted(f"gone-{k}" for k in range(7)))
    assert (rep.principles["n"] <= 40).all() and rep.principles["n"].iloc[-1] == 40
    assert "gone-0" in rep.notes[0] and "40 rows that overlap" in rep.notes[0]
    assert "gone-0" in str(rep)


def test_the_html_view_escapes_names(synthetic):
    reviews = own_reviews(synthetic, "<script>alert(1)</script>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = agreement(synthetic, reviews)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


# ---------------------------------------------------------------- errors
def test_no_overlap_at_all(synthetic):
    reviews = own_reviews(synthetic).assign(interaction_id=lambda f: "x" + f["interaction_id"])
    with pytest.raises(InputError, match=r"SA-I299.*none of the \d+ review rows.*'xi0000'"):
        agreement(synthetic, reviews)


def test_non_numeric_scores_name_the_rows(synthetic):
    reviews = own_reviews(synthetic).astype({"service": object})
    reviews.loc[3, "service"] = "good"
    with pytest.raises(InputError, match=r"SA-I292.*field service.*1 review score.*"
                                         r"i0003 \('good'\)") as exc:
        agreement(synthetic, reviews)
    assert exc.value.field == "service"


def test_scores_outside_the_scale(synthetic):
    reviews = own_reviews(synthetic)
    reviews.loc[5, "respect"] = 140
    with pytest.raises(InputError, match=r"SA-I293.*outside 0\.\.100.*i0005 \(140\)"):
        agreement(synthetic, reviews)
    small = own_reviews(synthetic, keys=["respect", "overall"]).assign(respect=3.0, overall=6.0)
    with pytest.raises(InputError, match=r"SA-I293.*outside 1\.\.5.*\(6\)"):
        agreement(synthetic, small, scale=(1, 5))


@pytest.mark.parametrize(("change", "code"), [
    (lambda f: f.drop(columns="interaction_id"), "SA-I290"),
    (lambda f: f[["interaction_id", "reviewer"]].assign(remark="x"), "SA-I291"),
    (lambda f: f.assign(reviewer=[None, *f["reviewer"][1:]]), "SA-I295"),
    (lambda f: pd.concat([f, f.head(2)]), "SA-I296"),
    (lambda f: f.assign(reviewer="serviceart"), "SA-I298"),
])
def test_malformed_tables(synthetic, change, code):
    with pytest.raises(InputError, match=code):
        agreement(synthetic, change(own_reviews(synthetic)))


def test_two_columns_for_one_key_are_ambiguous(synthetic):
    name = str(synthetic.contributions["criterion"].iloc[0])
    p = str(synthetic.contributions["principle"].iloc[0])
    reviews = own_reviews(synthetic).assign(**{name: 1.0, f"{p}.{name}": 1.0})
    with pytest.raises(InputError, match=r"SA-I298.*both score"):
        agreement(synthetic, reviews, scale=(0, 100))


def test_files_and_options(synthetic, tmp_path):
    reviews = own_reviews(synthetic)
    reviews.to_csv(tmp_path / "r.csv", index=False)
    reviews.to_parquet(tmp_path / "r.parquet")
    a = agreement(synthetic, tmp_path / "r.csv").principles
    b = agreement(synthetic, str(tmp_path / "r.parquet")).principles
    pd.testing.assert_frame_equal(a, b)
    assert read_reviews(tmp_path / "r.csv")["interaction_id"].dtype == "string"
    pd.DataFrame({"case": ["007", "010"], "overall": [50, 60]}).to_csv(tmp_path / "ids.csv",
                                                                       index=False)
    assert list(read_reviews(tmp_path / "ids.csv", on="case")["case"]) == ["007", "010"]
    with pytest.raises(InputError, match="SA-I297"):
        agreement(synthetic, tmp_path / "missing.csv")
    (tmp_path / "r.xlsx").write_bytes(b"PK")
    with pytest.raises(FormatError, match="SA-F191"):
        agreement(synthetic, tmp_path / "r.xlsx")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(FormatError, match="SA-F190"):
        agreement(synthetic, tmp_path / "bad.parquet")
    with pytest.raises(ConfigError, match="SA-C292"):
        agreement(synthetic, reviews, scale=(5, 1))
    with pytest.raises(ConfigError, match="SA-C290"):
        agreement(synthetic, reviews, scale=("a", 1))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="SA-C293"):
        agreement(synthetic, reviews, top=-1)
    with pytest.raises(ConfigError, match="SA-C294"):
        agreement(synthetic, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="SA-C291"):
        agreement(synthetic, reviews).table("agent")


# ---------------------------------------------------------------- properties
@st.composite
def review_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    """Two or three reviewers scoring a drawn subset of the synthetic run on 1..5."""
    n_rev = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    ids = [f"i{k:04d}" for k in rng.choice(120, size=draw(st.integers(6, 40)), replace=False)]
    frames = []
    for r in range(n_rev):
        scores = rng.integers(1, 6, size=(len(ids), 2)).astype(float)
        scores[rng.random(scores.shape) < 0.1] = np.nan
        frames.append(pd.DataFrame({"interaction_id": ids, "reviewer": f"r{r}",
                                    "service": scores[:, 0], "overall": scores[:, 1]}))
    return pd.concat(frames, ignore_index=True), seed


def _figures(rep: AgreementReport, names: dict[str, str]) -> pd.DataFrame:
    """The principle table with reviewer names mapped back and each pair sorted."""
    t = rep.principles.copy()
    a = t["a"].map(lambda x: names.get(x, x))
    b = t["b"].map(lambda x: names.get(x, x))
    t["a"], t["b"] = np.where(a <= b, a, b), np.where(a <= b, b, a)
    return t.sort_values(["key", "a", "b"]).reset_index(drop=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(drawn=review_tables(), perm=st.randoms(use_true_random=False))
def test_relabelling_reviewers_or_reordering_rows_changes_no_figure(synthetic, drawn, perm):
    reviews, _ = drawn
    names = sorted(reviews["reviewer"].unique())
    new = names[:]
    perm.shuffle(new)
    relabel = {old: f"z{new_}" for old, new_ in zip(names, new, strict=True)}
    back = {v: k for k, v in relabel.items()}
    order = list(range(len(reviews)))
    perm.shuffle(order)
    shuffled = reviews.iloc[order].assign(reviewer=lambda f: f["reviewer"].map(relabel))
    one = agreement(synthetic, reviews, scale=(1, 5))
    two = agreement(synthetic, shuffled, scale=(1, 5))
    pd.testing.assert_frame_equal(_figures(one, {}), _figures(two, back))
    t = one.principles
    assert (t["mae"].dropna() >= 0).all()
    kappa = t["kappa"].dropna()
    assert ((kappa >= -1 - 1e-12) & (kappa <= 1 + 1e-12)).all()
    rho = t[["rho", "rho_low", "rho_high"]].dropna()
    assert ((rho["rho_low"] <= rho["rho"]) & (rho["rho"] <= rho["rho_high"])).all()
    d1 = one.disagreements.sort_values(["interaction_id", "key"]).reset_index(drop=True)
    d2 = two.disagreements.sort_values(["interaction_id", "key"]).reset_index(drop=True)
    pd.testing.assert_series_equal(d1["diff"], d2["diff"])


# ---------------------------------------------------------------- the command line
def test_cli_prints_the_table_and_the_worst_disagreements(sample_result, tmp_path):
    run = sample_result.to_parquet(tmp_path / "run")
    reviews = own_reviews(sample_result)
    reviews["overall"] = reviews["overall"].where(reviews.index != 0, 0.0)
    reviews.to_csv(tmp_path / "reviews.csv", index=False)
    out = tmp_path / "agree.csv"
    result = CliRunner().invoke(app, ["agreement", str(run), str(tmp_path / "reviews.csv"),
                                      "--show", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    first = reviews["interaction_id"].iloc[0]
    assert "worst 1 disagreements" in result.output and first in result.output
    assert "overall         serviceart  ana" in result.output
    table = pd.read_csv(out)
    assert list(table["key"]) == KEYS and (table["b"] == "ana").all()
    side = pd.read_csv(tmp_path / "agree.disagreements.csv")
    assert side["interaction_id"].iloc[0] == first and side["key"].iloc[0] == "overall"
    crit = CliRunner().invoke(app, ["agreement", str(run), str(tmp_path / "reviews.csv"),
                                    "--by", "criterion"])
    assert crit.exit_code == 0 and "(no criterion scores in the reviews)" in crit.output


def test_cli_errors_exit_with_the_message(sample_result, tmp_path):
    run = sample_result.to_parquet(tmp_path / "run")
    own_reviews(sample_result).assign(overall=3).to_csv(tmp_path / "r.csv", index=False)
    args = ["agreement", str(run), str(tmp_path / "r.csv")]
    # input problems exit 2 today; issue 21 moves them to 1 (usage errors stay 2)
    small = CliRunner().invoke(app, args)
    assert small.exit_code in (1, 2) and "SA-I294" in small.output
    assert "--scale" in small.output
    bad = CliRunner().invoke(app, [*args, "--scale", "one-five"])
    assert bad.exit_code == 2 and "SA-C295" in bad.output
    by = CliRunner().invoke(app, [*args, "--by", "agent"])
    assert by.exit_code == 2 and "SA-C296" in by.output
    norun = CliRunner().invoke(app, ["agreement", str(tmp_path), str(tmp_path / "r.csv")])
    assert norun.exit_code in (1, 2) and "no run.json" in norun.output
    with pytest.raises(OutputError, match="SA-O140"):
        agreement_command(run, tmp_path / "r.csv", scale="0,100",
                          output=tmp_path / "no" / "such" / "dir.csv")
