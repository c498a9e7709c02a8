"""Categories a QA lead owns: loading with located errors, matching (negation, role,
window, extending a cue), measures a rubric reads, run folders, recategorising a
finished run, the precision sample, and equal results from every engine."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.cues.categories import Categories, load_categories
from serviceart.cues.category_match import CategoryMatcher, match_texts
from serviceart.errors import ConfigError, InputError, RubricError
from serviceart.run.settings import ScoreSettings
from serviceart.views.categories import format_hits, sample_hits

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TWCS = SHARED / "twcs_random_sample" / "twcs_small.csv"

CATEGORIES = """\
# what the QA lead checks
[[category]]
name = "recording_disclosure"
principle = "integrity"
role = "any"
phrases = ["calls may be recorded", "this call is recorded", "record calls"]
patterns = [[{NORM = "call"}, {NORM = {IN = ["is", "may"]}}, {OP = "?"}, {NORM = "recorded"}]]

[[category]]
name = "competitor"
role = "customer"
phrases = ["acme telecom", "globex"]

[[category]]
name = "warranty_script"
role = "agent"
phrases = ["extended warranty"]
window = "first 2 turns"

[[category]]
name = "more_help"
extends = "anything_else"
phrases = ["sort out one more thing"]
"""


def _cats(text: str = CATEGORIES) -> Categories:
    return Categories.from_toml(text, source="cats.toml")


@functools.cache
def _blank() -> spacy.language.Language:
    return spacy.blank("en")


def _hits(cats: Categories, texts: list[str]) -> list[list[tuple[str, str]]]:
    nlp = _blank()
    matcher = CategoryMatcher(nlp, cats)
    return [[(c.name, t[s:e]) for c, s, e in found]
            for t, found in zip(texts, match_texts(texts, matcher, nlp), strict=True)]


def _conv(rows: list[tuple[str, int, str, str, float]]) -> sa.Conversations:
    turns = pd.DataFrame(rows, columns=["interaction_id", "turn_index", "role", "text",
                                        "start_s"])
    ids = list(dict.fromkeys(turns["interaction_id"]))
    return sa.Conversations.from_frames(turns, pd.DataFrame(
        {"interaction_id": ids, "channel": ["call"] * len(ids)}))


# -- loading ----------------------------------------------------------------------
def test_a_file_loads_with_names_measures_and_a_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "cats.toml"
    path.write_text(CATEGORIES, encoding="utf-8")
    cats = load_categories(path)
    assert cats.names == ("recording_disclosure", "competitor", "warranty_script", "more_help")
    assert cats.measures == ("category_recording_disclosure", "category_competitor",
                             "category_warranty_script")
    assert cats["more_help"].extends == "anything_else"
    assert cats["more_help"].role == "agent"  # the cue's role
    assert cats["warranty_script"].window == ("first", 2, "turns")
    # comments and layout do not change the hash; a phrase does
    assert _cats("# another comment\n" + CATEGORIES).hash == cats.hash
    assert _cats(CATEGORIES.replace("globex", "initech")).hash != cats.hash


def test_every_problem_is_reported_at_its_line_with_suggestions() -> None:
    text = """\
[[category]]
name = "promise"
phrases = ["i promise"]

[[category]]
name = "closing"
extends = "anythin_else"
phrases = ["bye"]

[[category]]
name = "mention"
role = "agnet"
phrase = ["globex"]
window = "first three turns"
"""
    with pytest.raises(ConfigError) as info:
        Categories.from_toml(text, source="bad.toml")
    message = str(info.value)
    assert info.value.code == "SA-C267" and "bad.toml" in message
    assert "line 2 (category 'promise')" in message and "extends = 'promise'" in message
    assert "line 7 (category 'closing')" in message and "'anything_else'" in message
    assert "line 12 (category 'mention')" in message and "did you mean 'agent'" in message
    assert "line 13 (category 'mention')" in message and "did you mean 'phrases'" in message
    assert "line 14 (category 'mention')" in message and "first N turns" in message


def test_bad_toml_a_bad_token_pattern_and_a_repeated_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        Categories.from_toml("[[category]\nname = 'x'")
    assert info.value.code == "SA-C260"
    bad = '[[category]]\nname = "x"\npatterns = [[{NORM = "a"}, {FOO = "b"}]]\n'
    with pytest.raises(ConfigError, match="token pattern 1 is not a valid spaCy") as info:
        Categories.from_toml(bad)
    assert info.value.record == "line 3 (category 'x')"
    twice = '[[category]]\nname = "x"\nphrases = ["a"]\n[[category]]\nname = "x"\nphrases = ["b"]\n'
    with pytest.raises(ConfigError, match="given twice") as info:
        Categories.from_toml(twice)
    assert info.value.record == "line 5 (category 'x')"


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the categories file") as info:
        load_categories(tmp_path / "nope.toml")
    assert info.value.code == "SA-C263"


# -- matching ---------------------------------------------------------------------
def test_phrases_match_on_norms_and_negation_drops_denials() -> None:
    cats = _cats()
    got = _hits(cats, [
        "Calls may be recorded for training purposes.",
        "THIS CALL IS RECORDED.",
        "We do not record calls on this line.",  # a negator before the phrase
        "This call is not recorded.",  # the pattern's wildcard is a negator
        "This call is definitely recorded.",
        "We don't record calls. We record calls.",  # the second sentence is a hit
    ])
    assert got == [
        [("recording_disclosure", "Calls may be recorded")],
        [("recording_disclosure", "THIS CALL IS RECORDED")],
        [],
        [],
        [("recording_disclosure", "call is definitely recorded")],
        [("recording_disclosure", "record calls")],
    ]
    off = _cats(CATEGORIES.replace('role = "any"', 'role = "any"\nnegation = false'))
    assert _hits(off, ["We do not record calls on this line."]) == [
        [("recording_disclosure", "record calls")]]


def test_no_problem_before_a_category_phrase_is_no_denial() -> None:
    # the cue rules' negation idioms hold for categories too: "no problem" opens a set
    # phrase, "no, we do not" still denies
    got = _hits(_cats(), ["No problem we record calls for quality.",
                          "No worries we record calls here.",
                          "No we do not record calls."])
    assert got == [[("recording_disclosure", "record calls")],
                   [("recording_disclosure", "record calls")],
                   []]


def test_a_negator_the_category_names_itself_is_kept() -> None:
    cats = _cats('[[category]]\nname = "refusal"\nphrases = ["cannot refund"]\n')
    assert _hits(cats, ["Sorry, we cannot refund that.", "Sorry, we can refund that."]) == [
        [("refusal", "cannot refund")], []]


@pytest.mark.slow
def test_role_window_and_extends_decide_the_evidence_rows() -> None:
    conv = _conv([
        ("c1", 0, "system", "Calls may be recorded for training purposes.", 0.0),
        ("c1", 1, "agent", "Hello, I see the extended warranty on your order.", 5.0),
        ("c1", 2, "customer", "Globex offered me a better extended warranty.", 9.0),
        ("c1", 3, "agent", "I hear you. Our extended warranty covers the pump.", 15.0),
        ("c1", 4, "agent", "Shall I sort out one more thing for you while we are here?", 20.0),
        ("c2", 0, "agent", "Acme Telecom is not something I can comment on.", 0.0),
        ("c2", 1, "customer", "My extended warranty is gone.", 3.0),
    ])
    res = sa.score(conv, categories=_cats())
    ev = res.evidence[res.evidence["source"] == "category"]
    got = sorted(zip(ev["interaction_id"], ev["turn_index"], ev["cue"].astype(str),
                     ev["detail"], ev["text"], strict=True))
    assert got == [
        ("c1", 0, "category", '{"category": "recording_disclosure"}', "Calls may be recorded"),
        # first 2 turns only, agent only: turn 3 is late, c2's turn is the customer's
        ("c1", 1, "category", '{"category": "warranty_script"}', "extended warranty"),
        ("c1", 2, "category", '{"category": "competitor"}', "Globex"),
        ("c1", 4, "anything_else", '{"category": "more_help"}', "sort out one more thing"),
        # an agent saying a competitor's name is not a customer's mention
    ]
    m = res.measures.set_index("interaction_id")
    assert m.loc["c1", ["category_recording_disclosure", "category_competitor",
                        "category_warranty_script"]].tolist() == [1, 1, 1]
    assert m.loc["c2", ["category_recording_disclosure", "category_competitor",
                        "category_warranty_script"]].tolist() == [0, 0, 0]
    plain = sa.score(conv).measures.set_index("interaction_id")
    assert m.loc["c1", "anything_else"] == plain.loc["c1", "anything_else"] + 1


@pytest.mark.slow
def test_an_extending_phrase_the_cue_already_found_is_not_counted_twice() -> None:
    conv = _conv([("c1", 0, "customer", "My router keeps dropping.", 0.0),
                  ("c1", 1, "agent", "Is there anything else I can help with?", 4.0)])
    plain = sa.score(conv)
    cats = _cats('[[category]]\nname = "else_help"\nextends = "anything_else"\n'
                 'phrases = ["anything else i can help with"]\n')
    res = sa.score(conv, categories=cats)
    assert plain.measures["anything_else"].tolist() == [1]
    assert res.measures["anything_else"].tolist() == [1]
    assert (res.evidence["source"] == "category").sum() == 0


@pytest.mark.slow
def test_windows_in_seconds_use_turn_times() -> None:
    cats = _cats('[[category]]\nname = "late_sorry"\nrole = "agent"\nphrases = ["sorry"]\n'
                 'window = "last 30 seconds"\n[[category]]\nname = "early_sorry"\n'
                 'role = "agent"\nphrases = ["sorry"]\nwindow = "first 10 seconds"\n')
    conv = _conv([("c1", 0, "agent", "Sorry for the wait.", 0.0),
                  ("c1", 1, "customer", "Fine.", 8.0),
                  ("c1", 2, "agent", "Sorry again, all done now.", 100.0),
                  ("c1", 3, "customer", "Thanks.", 110.0)])
    res = sa.score(conv, categories=cats)
    m = res.measures.iloc[0]
    assert (m["category_early_sorry"], m["category_late_sorry"]) == (1, 1)
    ev = res.evidence[res.evidence["source"] == "category"]
    assert sorted(zip(ev["turn_index"], ev["detail"], strict=True)) == [
        (0, '{"category": "early_sorry"}'), (2, '{"category": "late_sorry"}')]


def test_two_hundred_categories_run_in_one_matcher_and_each_is_found() -> None:
    lines = []
    for k in range(200):
        lines.append(f'[[category]]\nname = "code_{k}"\nphrases = ["offer code {k} applied", '
                     f'"promo {k} applied"]\n')
        if k % 4 == 0:
            lines.append(f'patterns = [[{{NORM = "voucher"}}, {{IS_DIGIT = true}}, '
                         f'{{NORM = "for"}}, {{NORM = "plan{k}"}}]]\n')
    cats = _cats("".join(lines))
    nlp = spacy.blank("en")
    matcher = CategoryMatcher(nlp, cats)
    # one key per category, one anchor each, and one for the clitics a second norm
    # rewrite could change (see CategoryMatcher.__call__)
    assert len(matcher.phrase_matcher) == 200 + 50 + 1
    texts = ["I have the offer code 150 applied now.", "voucher 20 for plan48 please",
             "voucher 20 for plan49 please", "promo 7 applied and promo 199 applied"]
    got = [[(c.name, t[s:e]) for c, s, e in f]
           for t, f in zip(texts, match_texts(texts, matcher, nlp), strict=True)]
    assert got == [[("code_150", "offer code 150 applied")],
                   [("code_48", "voucher 20 for plan48")], [],
                   [("code_7", "promo 7 applied"), ("code_199", "promo 199 applied")]]



def test_after_the_cue_component_a_doc_without_a_phrase_is_skipped_with_the_same_hits(
        ) -> None:
    """In the pipeline the categories read norms the cue component rewrote; a doc with
    no phrase match is done without reading them, the others as before, including
    the clitic a second rewrite still changes ("u re" becomes "you are")."""
    from serviceart.cues.category_match import add_to_pipeline
    from serviceart.cues.pipeline import make_nlp, normalise

    cats = _cats(CATEGORIES + '[[category]]\nname = "you_are_late"\nphrases = ["you are late"]\n'
                 '[[category]]\nname = "fee"\npatterns = [[{NORM = "late"}, '
                 '{IS_ALPHA = true, OP = "?"}, {NORM = "fee"}]]\n')
    texts = ["Sorry for the wait, I can refund that today.", "u re late again!!",
             "Hi there, thanks", "I'm not going to refund it, it's a late payment fee",
             "Amazon's order is late, no fee", "", "ok", "u'll get it, we're on it"]
    nlp = make_nlp()
    component = add_to_pipeline(nlp, cats)
    assert component.matcher.after_cues
    for _ in nlp.pipe([normalise(t) for t in texts]):
        pass
    got = component.take()
    ref_nlp = make_nlp()  # the cue component alone, then the categories read its norms
    reference = CategoryMatcher(ref_nlp, cats)
    assert not reference.after_cues
    want = [reference(doc) for doc in ref_nlp.pipe([normalise(t) for t in texts])]
    assert [[(c.name, s, e) for c, s, e in h] for h in got] == \
        [[(c.name, s, e) for c, s, e in h] for h in want]
    assert ("you_are_late", 0, 9) in [(c.name, s, e) for c, s, e in got[1]]
    assert [c.name for c, _, _ in got[3]] == ["fee"]  # a token pattern, negated refund
    assert got[2] == got[5] == got[6] == []


WORDS = ["refund", "order", "delivery", "router", "engineer", "voucher", "broadband",
         "parcel", "invoice", "upgrade"]


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(phrase=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
       before=st.lists(st.sampled_from(WORDS), max_size=4),
       after=st.lists(st.sampled_from(WORDS), max_size=4),
       shout=st.booleans())
def test_a_phrase_in_a_text_is_always_found_where_it_stands(
        phrase: list[str], before: list[str], after: list[str], shout: bool) -> None:
    cats = _cats(f'[[category]]\nname = "p"\nphrases = ["{" ".join(phrase)}"]\n')
    said = " ".join(phrase).upper() if shout else " ".join(phrase)
    text = " ".join([*before, said, *after]) + "."
    nlp = _blank()
    (found,) = match_texts([text], CategoryMatcher(nlp, cats), nlp)
    start = len(" ".join(before)) + (1 if before else 0)
    end = start + len(said)
    # a hit covers the phrase where it stands (overlapping repeats are one hit)
    assert any(s <= start and end <= e for _, s, e in found)
    for _, s, e in found:
        words = text[s:e].lower().split()
        assert len(words) >= len(phrase) and set(words) <= set(phrase)


# -- rubrics ----------------------------------------------------------------------
RUBRIC = """\
[rubric]
name = "with-categories"

[[criteria]]
principle = "integrity"
name = "disclosed"
value = "category_recording_disclosure > 0"

[[criteria]]
principle = "respect"
name = "courteous"
value = "courtesy > 0"
"""


def test_a_rubric_naming_a_category_measure_needs_the_categories(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        ScoreSettings(rubric=rubric)
    assert info.value.code == "SA-R110"
    assert info.value.record == "line 7 (criterion 'disclosed')"
    assert "--categories FILE" in str(info.value)
    other = _cats('[[category]]\nname = "recording_disclosures"\nphrases = ["recorded"]\n')
    with pytest.raises(RubricError) as info:
        ScoreSettings(rubric=rubric, categories=other)
    assert info.value.code == "SA-R111"
    assert info.value.record == "line 7 (criterion 'disclosed')"
    assert "did you mean 'category_recording_disclosures'" in str(info.value)
    ScoreSettings(rubric=rubric, categories=_cats())  # valid with the categories


@pytest.mark.slow
def test_a_rubric_scores_with_a_category_measure(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    conv = _conv([("c1", 0, "agent", "Thanks for calling, this call is recorded.", 0.0),
                  ("c1", 1, "customer", "My parcel is late.", 4.0),
                  ("c2", 0, "agent", "Thanks for calling.", 0.0),
                  ("c2", 1, "customer", "My parcel is late.", 4.0)])
    res = sa.score(conv, rubric=str(rubric), categories=_cats())
    assert res.scores.set_index("interaction_id")["integrity"].to_dict() == {
        "c1": 100.0, "c2": 0.0}


# -- run folders, recategorise, sample ---------------------------------------------
@pytest.fixture(scope="module")
def twcs() -> sa.Conversations:
    if not TWCS.exists():
        pytest.skip("the shared data is not here")
    return sa.read(TWCS)


TWCS_CATEGORIES = """\
[[category]]
name = "refund_talk"
phrases = ["refund", "money back"]

[[category]]
name = "dm_request"
role = "agent"
phrases = ["send us a dm", "dm us"]
window = "first 2 turns"

[[category]]
name = "our_bad"
extends = "apology"
phrases = ["our bad", "apologies for any inconvenience"]
"""


@pytest.fixture(scope="module")
def scored(twcs: sa.Conversations) -> tuple[sa.Result, sa.Result]:
    cats = _cats(TWCS_CATEGORIES)
    return sa.score(twcs), sa.score(twcs, categories=cats)


TABLES = ("scores", "bands", "measures", "evidence", "contributions", "promises",
          "interactions", "turns")


@pytest.mark.slow
def test_recategorise_equals_scoring_with_the_categories(
        scored: tuple[sa.Result, sa.Result]) -> None:
    plain, with_cats = scored
    assert with_cats.measures["category_refund_talk"].sum() > 20
    assert with_cats.measures["category_dm_request"].sum() > 20
    assert (with_cats.measures["apology"] >= plain.measures["apology"]).all()
    again = sa.recategorise(plain, _cats(TWCS_CATEGORIES))
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(with_cats, name),
                                      obj=name)
    assert again.run_info["settings"]["categories"]["hash"] == _cats(TWCS_CATEGORIES).hash
    assert again.run_info["recategorised"]["previous_categories"] is None
    back = sa.recategorise(with_cats, None)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(plain, name), obj=name)


@pytest.mark.slow
def test_a_run_folder_keeps_its_categories_and_cli_recategorises_it(
        scored: tuple[sa.Result, sa.Result], tmp_path: Path) -> None:
    plain, with_cats = scored
    run = with_cats.to_parquet(tmp_path / "run")
    assert (run / "categories.toml").read_text(encoding="utf-8") == TWCS_CATEGORIES
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert info["settings"]["categories"]["hash"] == _cats(TWCS_CATEGORIES).hash
    back = sa.Result.from_parquet(run)
    assert back.settings is not None and back.settings.categories == _cats(TWCS_CATEGORIES)
    before = {p.name: p.read_bytes() for p in run.iterdir()}

    new_file = tmp_path / "new.toml"
    new_file.write_text(TWCS_CATEGORIES.replace('"money back"', '"money back", "reimburse"'),
                        encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["recategorise", str(run), "--categories", str(new_file),
                               "-o", str(tmp_path / "new")])
    assert done.exit_code == 0, done.output
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before  # left as it was
    new = sa.Result.from_parquet(tmp_path / "new")
    assert new.settings is not None and new.settings.categories == load_categories(new_file)
    expected = sa.recategorise(plain, load_categories(new_file))
    for name in ("scores", "measures", "evidence"):
        a, b = getattr(new, name), getattr(expected, name)
        pd.testing.assert_frame_equal(a.astype({c: "string" for c in a.columns if c in (
            "cue", "role", "channel", "scope")}), b.astype({c: "string" for c in b.columns
                                                       if c in ("cue", "role", "channel",
                                                                "scope")}), obj=name)
    busy = runner.invoke(app, ["recategorise", str(run), "--categories", str(new_file),
                               "-o", str(tmp_path / "new")])
    assert busy.exit_code == 2 and "SA-C268" in busy.output


@pytest.mark.slow
def test_the_sample_shows_hits_in_their_turns_reproducibly(
        scored: tuple[sa.Result, sa.Result], tmp_path: Path) -> None:
    _, with_cats = scored
    frame = sample_hits(with_cats, "refund_talk", 5, seed=7)
    assert len(frame) == 5 and frame.attrs["total"] == with_cats.measures[
        "category_refund_talk"].sum()
    assert all(t[s:e] == h for t, s, e, h in zip(frame["turn"], frame["start_char"],
                                                 frame["end_char"], frame["hit"], strict=True))
    assert frame.equals(sample_hits(with_cats, "refund_talk", 5, seed=7))
    assert not frame.equals(sample_hits(with_cats, "refund_talk", 5, seed=8))
    text = format_hits(frame, "refund_talk")
    assert text.startswith(f"5 hits of refund_talk shown ({frame.attrs['total']} in the run)")
    assert text.count("[[") == 5
    run = with_cats.to_parquet(tmp_path / "run")
    done = CliRunner().invoke(app, ["categories", "sample", str(run), "dm_request", "-n",
                                    "3", "--seed", "1"])
    assert done.exit_code == 0, done.output
    assert "3 hits of dm_request shown" in done.output and done.output.count("[[") == 3
    wrong = CliRunner().invoke(app, ["categories", "sample", str(run), "dm_requests"])
    assert wrong.exit_code == 2 and "did you mean 'dm_request'" in wrong.output


@pytest.mark.slow
def test_sampling_a_run_without_categories_says_what_to_do() -> None:
    res = sa.score(_conv([("c1", 0, "agent", "Hello.", 0.0)]))
    with pytest.raises(InputError, match="recategorise") as info:
        sample_hits(res, "x")
    assert info.value.code == "SA-I264"


# -- engines ------------------------------------------------------------------------
def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype) or out[c].dtype == object:
            out[c] = out[c].astype("string")
    return out[sorted(out.columns)].reset_index(drop=True)


@pytest.mark.slow
def test_sa_score_batch_jobs_and_dask_agree_on_a_category(samples_dir: Path,
                                                           tmp_path: Path) -> None:
    cats_file = tmp_path / "cats.toml"
    cats_file.write_text(CATEGORIES.replace("first 2 turns", "first 4 turns"),
                         encoding="utf-8")
    inputs = [samples_dir / "calls.csv", samples_dir / "chats.jsonl"]
    settings_ = ScoreSettings(categories=cats_file, chunk_size=3)
    local = sa.score(sa.read(inputs), settings=settings_)
    assert local.measures["category_recording_disclosure"].sum() >= 1
    assert local.measures["category_warranty_script"].sum() >= 1
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "serviceart", "score", *map(str, inputs),
                           "-o", str(out), "--jobs", "2", "--chunk-size", "3",
                           "--categories", str(cats_file)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    batch = sa.Result.from_parquet(out)
    distributed = pytest.importorskip("distributed")
    sad = pytest.importorskip("serviceart.dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        dask_res = sad.score(inputs, settings=settings_).compute()
    for other in (batch, dask_res):
        assert other.settings is not None
        assert other.settings.outcome_dict() == local.settings.outcome_dict()
        for name in TABLES:
            pd.testing.assert_frame_equal(_norm(getattr(other, name)),
                                          _norm(getattr(local, name)), check_dtype=False,
                                          obj=name)


def test_the_example_file_of_the_docs_loads_and_finds_what_it_says() -> None:
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "categories.md").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    cats = Categories.from_toml(blocks[0], source="docs/categories.md")
    assert cats.names == ("recording_disclosure", "competitor", "spring_offer_script",
                          "more_help_offers")
    assert _hits(cats, ["Hi, this call is being recorded for quality.",
                        "This call is not recorded.", "I'm switching to Globex next month.",
                        "What else can I sort out for you?"]) == [
        [("recording_disclosure", "call is being recorded for quality")], [],
        [("competitor", "switching to Globex")],
        [("more_help_offers", "What else can I sort out for you")]]
    rubric = sa.Rubric.from_toml(blocks[1], source="docs/categories.md")
    assert rubric.category_measures == ["category_recording_disclosure"]
    ScoreSettings(rubric=rubric, categories=cats)


def test_the_benchmark_writes_two_hundred_valid_categories_of_four_kinds() -> None:
    from tests._benchmarks import load_benchmark

    bench = load_benchmark("categories")
    cats = Categories.from_toml(bench.make_categories(200))
    assert len(cats) == 200 and len(cats.measures) == 200
    kinds = {name.rsplit("_", 1)[0] for name in cats.names}
    assert kinds == {"brand", "topic", "script", "pattern"}
    assert sum(bool(c.patterns) for c in cats.categories) == 50
    assert sum(c.window is not None for c in cats.categories) == 40


@pytest.mark.slow
def test_score_on_the_command_line_refuses_bad_categories_before_reading(
        samples_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[category]]\nname = "x"\nrole = "agnet"\nphrases = ["a"]\n',
                   encoding="utf-8")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    for extra, expected in (
            (["--categories", str(bad)], ["SA-C262", "line 3 (category 'x')",
                                          "did you mean 'agent'"]),
            (["--rubric", str(rubric)], ["SA-R110", "line 7 (criterion 'disclosed')",
                                         "--categories FILE"])):
        done = subprocess.run([sys.executable, "-m", "serviceart", "score",
                               str(samples_dir / "calls.csv"), "-o", str(tmp_path / "out"),
                               "--jobs", "1", *extra],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        for text in expected:
            assert text in done.stderr
        assert not (tmp_path / "out").exists()  # refused before anything was read


@pytest.mark.slow
def test_a_category_that_extends_promise_gets_its_due_time_and_enters_the_ledger() -> None:
    cats = _cats('[[category]]\nname = "house_promise"\nextends = "promise"\n'
                 'phrases = ["leave it with me"]\n')
    turns = pd.DataFrame({
        "interaction_id": ["a", "a"], "turn_index": [0, 1], "role": ["customer", "agent"],
        "text": ["My order is missing.", "Leave it with me until Friday. Bye for now."],
        "timestamp": pd.to_datetime(["2026-03-02T10:00Z", "2026-03-02T10:05Z"])})
    conv = sa.Conversations.from_frames(turns, pd.DataFrame(
        {"interaction_id": ["a"], "channel": ["chat"]}))
    plain, res = sa.score(conv), sa.score(conv, categories=cats)
    assert plain.measures["promises"].tolist() == [0.0]
    row = res.evidence[res.evidence["source"] == "category"].iloc[0]
    assert row["cue"] == "promise" and json.loads(row["detail"]) == {
        "action": "Leave it with me", "category": "house_promise", "due_phrase": "until Friday"}
    assert row["due_at"] == pd.Timestamp("2026-03-06T23:59:59Z")
    assert res.measures[["promises", "promises_with_due"]].iloc[0].tolist() == [1.0, 1.0]
    assert res.promises[["action", "due_source"]].iloc[0].tolist() == ["Leave it with me",
                                                                       "stated"]


def test_the_scorecard_quotes_a_category_under_the_criterion_that_reads_it(
        samples_dir: Path, tmp_path: Path) -> None:
    """A criterion reading ``category_<name>`` lists that category's hits as its
    evidence (helped, when the agent's words raise its value), and only those."""
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    cats = _cats('[[category]]\nname = "recording_disclosure"\nrole = "any"\n'
                 'phrases = ["calls may be recorded"]\n\n'
                 '[[category]]\nname = "refund_talk"\nphrases = ["refund"]\n')
    res = sa.score(sa.read(samples_dir / "calls.csv"), rubric=rubric, categories=cats)
    card = res.explain("call-0001")
    rows = card.table[card.table["criterion"] == "disclosed"]
    assert rows["cue"].tolist() == ["category_recording_disclosure"]
    assert rows["text"].str.lower().tolist() == ["calls may be recorded"]
    assert "calls may be recorded" in str(card).lower()
    assert not card.table["cue"].eq("category_refund_talk").any()  # no criterion reads it
