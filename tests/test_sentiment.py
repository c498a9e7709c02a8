"""Customer sentiment: VADER with support-language overrides, the start/end/shift rules,
the case shift, the evidence rows, and the scorer contract."""

from __future__ import annotations

import json
import math
import re
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

import serviceart as sa
from serviceart.errors import ConfigError
from serviceart.scorers import ScoringContext, SentimentScorer
from serviceart.scorers._vader import (
    Analyser,
    Overrides,
    _word_starts,
    analyser,
    load_overrides,
)
from serviceart.testing import check_scorer, conversations_frames, relabel_speakers

COLUMNS = list(SentimentScorer.columns)


def _score(text: str) -> float:
    return analyser().analyse(text).compound


def _moved(text: str) -> list[str]:
    """The words that moved the score of ``text``, as quoted from it."""
    return [text[w.start:w.end] for w in analyser().analyse(text).words]


def _conv(*interactions: tuple[str, list[tuple[str, str]]], **meta: list[object]
          ) -> sa.Conversations:
    rows = [{"interaction_id": iid, "turn_index": k, "role": role, "text": text,
             "speaker": f"{role}-{iid}"}
            for iid, turns in interactions for k, (role, text) in enumerate(turns)]
    inter = None
    if meta:
        inter = pd.DataFrame({"interaction_id": [iid for iid, _ in interactions], **meta})
    return sa.Conversations.from_frames(pd.DataFrame(rows), inter)


def _run(conv: sa.Conversations, turns: pd.DataFrame | None = None, **params: object
         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    ctx = ScoringContext(turns=conv.turns if turns is None else turns,
                         interactions=conv.interactions, evidence=pd.DataFrame())
    out, evidence = SentimentScorer(**params).score_with_evidence(ctx)  # type: ignore[arg-type]
    return out.set_index("interaction_id"), evidence


# ------------------------------------------------------------------ the lexicon
@pytest.mark.parametrize("text", [
    "@AcmeHelp my router is still not working after the reset",
    "The app still isn't working on my phone",
    "still hasnt been fixed, 4 days now",
    "It's STILL not loading",
    "My card still doesn't work at the machine",
    "I've been waiting since Tuesday for the engineer",
    "this is the third time I'm writing about the same bill",
    "I have called you 4 times this week",
    "no response to my email from last week",
    "nobody has got back to me about the refund",
    "I haven't heard back from the store",
    "the website is down again",
    "my parcel never arrived",
    "the app keeps crashing when I open the camera",
    "I can't log in to my account",
    "your online chat was no help",
    "honestly this service is a joke",
    "thanks for nothing",
])
def test_complaints_in_support_language_are_negative(text):
    assert _score(text) < -0.2, (text, _score(text), _moved(text))


@pytest.mark.parametrize(("text", "phrase"), [
    ("It's still not working", "still not working"),
    ("it is still not working", "still not working"),
    ("it's still not working!!", "still not working"),
    ("it’s still not working", "still not working"),  # curly apostrophe
    ("still hasn't worked", "still hasn't worked"),
    ("the update didn't work", "didn't work"),
    ("the update doesnt work", "doesnt work"),
    ("it isn't even loading", "isn't even loading"),
    ("we have been waiting", "been waiting"),
    ("I waited over 2 hours", "waited over 2 hours"),
])
def test_phrase_families_cover_contractions_and_tenses(text, phrase):
    assert phrase in _moved(text)
    assert _score(text) < 0


def test_vader_scores_still_not_working_near_zero_and_the_override_makes_it_negative():
    vader = SentimentIntensityAnalyzer().polarity_scores("It's still not working")["compound"]
    assert vader == 0.0
    assert _score("It's still not working") < -0.4


@pytest.mark.parametrize("text", [
    "Kindly check my order status", "kindly DM me the details", "Please DM us your order number",
    "Can you help me with my account?", "I would like to speak to customer support",
])
def test_politeness_and_service_words_are_neutral(text):
    raw = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert raw > 0  # plain VADER reads these requests as praise
    assert _score(text) == 0.0


@pytest.mark.parametrize("text", [
    "That worked, thank you so much!", "all sorted now, thanks", "it's fixed, cheers",
    "Resolved, thanks for the quick reply", "It's working again", "Thanks!",
])
def test_confirmations_and_thanks_are_positive(text):
    assert _score(text) > 0.3, (text, _moved(text))


def test_negated_confirmations_are_negative():
    for text in ("it's not fixed", "that hasn't resolved it", "it never worked"):
        assert _score(text) < 0, text


def test_handles_links_and_hashtags_do_not_sway_the_score():
    plain = "my order never arrived"
    decorated = ("@GreatService my order never arrived https://t.co/LoveIt #happy #fail "
                 "&amp; www.best.example")
    assert _score(decorated) == pytest.approx(_score(plain))
    assert _moved(decorated) == _moved(plain)


def test_emoji_count_as_vader_describes_them():
    assert _score("my flight got cancelled 😢") < _score("my flight got cancelled")
    assert _moved("love it ❤") == ["love", "❤"]


def test_without_overrides_it_is_vader_on_real_tweets(shared_data):
    """With no overrides the analyser is VADER itself: same compound on real support
    tweets (leaving out curly quotes, which VADER does not read as apostrophes, emoji,
    whose description VADER glues to neighbouring words, and "but", whose VADER rule
    finds the wrong words when valences repeat)."""
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", nrows=6000)["text"].dropna()
    bare = Analyser(Overrides(source="none", ignore=None, words=(), phrases=()))
    vader = SentimentIntensityAnalyzer()
    checked = 0
    for text in texts.astype(str):
        words = [w.strip(string.punctuation).lower() for w in text.split()]
        if "but" in words or any(c in text for c in "‘’“”") or not text.isascii():
            continue
        checked += 1
        expected = vader.polarity_scores(text)["compound"]
        assert round(bare.analyse(text).compound, 4) == expected, text
    assert checked > 3000


def _same_as_analyse(a: Analyser, texts: list[str]) -> None:
    """``a.totals`` gives each text exactly what ``a.analyse`` gives it, words included."""
    got = a.totals(texts, words_for=np.ones(len(texts), dtype=bool))
    for k, text in enumerate(texts):
        part = a.analyse(text)
        assert got.total[k] == pytest.approx(part.total, abs=1e-9), text
        assert (got.exclaim[k], got.question[k]) == (part.exclaim, part.question), text
        assert got.worded[k] == bool(part.words), text
        assert [(w.start, w.end) for w in got.words.get(k, ())] == [
            (w.start, w.end) for w in part.words], text
        assert [w.valence for w in got.words.get(k, ())] == pytest.approx(
            [w.valence for w in part.words]), text


def test_totals_of_many_texts_equal_analysing_each_on_real_support_text(shared_data):
    """The vector path (Arrow kernels for the texts VADER's rules leave alone) agrees
    with the word-by-word analyser on real tweets and forum posts, and takes most of them."""
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", nrows=4000)["text"].dropna()
    texts = texts.astype(str).tolist()
    a = Analyser(load_overrides())
    _same_as_analyse(a, texts)
    assert a.totals(texts).simple.mean() > 0.7


@pytest.mark.parametrize("text", [
    "   I'm so sorry, then good news",              # Arrow splits a leading space into ""
    "@AcmeHelp I'm so sorry about that",            # a booster, after a blanked handle
    "really, REALLY dumb hot takes",                # capitals among other words
    "MAJOR trouble with ANY video, it's crashing",  # a booster in capitals
    "no problem at all, glad to help",              # "no" is a rule of its own
    "it is kind of bad but the staff were great",   # "kind of" and "but"
    "not bad, not good, but better than yesterday",
    "the app isn\u2019t working and I\u2019m angry",  # curly apostrophes
    "caf\u00e9 service was lovely \u2013 thank you",  # other text outside ASCII
    "love it \u2764 but the delivery \U0001f622",     # emoji go word by word
    "great\u00a0service\u2028thanks",                  # whitespace Python and Arrow differ on
    "\tnot\x0bgood\x0cnews\r\nso bad  ",             # every ASCII space Arrow splits on
    "good\x1cbad not\x1fgreat",                      # \x1c-\x1f: Python's, not ASCII Arrow's
    "@AcmeHelp https://t.co/x still not working #fail &amp; more",
    "the bomb, yeah right",                         # VADER idioms
    "", "   ", "!!! ???",
])
def test_totals_equal_analyse_on_texts_that_test_each_rule(text):
    _same_as_analyse(Analyser(load_overrides()), [text, "fine", text.upper()])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([
    "good", "bad", "not", "very", "so", "no", "but", "GREAT", "terrible", "kind", "of",
    "still", "working", "isn't", "never", "help", "love", "hate", ":)", "!", "?", "...",
    "@handle", "http://x.co/a", "really", "the", "it", "works", "fixed", "now", "ok,"]),
    max_size=14).map(" ".join), min_size=1, max_size=6))
def test_totals_equal_analyse_on_generated_texts(texts):
    _same_as_analyse(Analyser(load_overrides()), texts)



@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(
    ["a", "b", "!", " ", "\n", "\t", "\u00a0", "\u2009", "\u3000", "\u2028", "\x1c",
     "\u00e9", "\U0001f622", "\ud800", "\u200b"]), max_size=30), max_size=8))
def test_word_starts_of_many_texts_are_where_each_text_splits(texts):
    """The starts of whitespace-separated words, found for many texts at once from
    their code points, are those of ``\\S+`` in each text (Unicode whitespace, a lone
    surrogate and a zero-width space, which is not whitespace, included)."""
    starts, offsets = _word_starts(texts)
    assert len(offsets) == len(texts) + 1
    for k, text in enumerate(texts):
        got = starts[offsets[k]:offsets[k + 1]].tolist()
        assert got == [m.start() for m in re.finditer(r"\S+", text)], repr(text)
        assert len(got) == len(text.split())

def test_the_packaged_file_loads_and_every_phrase_matches_its_examples():
    ov = load_overrides()
    assert {p.name for p in ov.phrases} >= {"still_not", "not_working", "repeated", "again"}
    for phrase in ov.phrases:
        for example in phrase.examples:
            assert np.sign(_score(example)) == np.sign(phrase.valence), (phrase.name, example)


@pytest.mark.parametrize(("body", "code", "named"), [
    ("[words]\nkindly = 9\n", "SA-C098", "'kindly'"),
    ("[words]\n'two words' = 1\n", "SA-C098", "'two words'"),
    ("[[phrases]]\nname = 'x'\nvalence = -1\npattern = '(unclosed'\nexamples = ['a']\n"
     "anchors = ['a']\n", "SA-C098", "does not compile"),
    ("[[phrases]]\nname = 'x'\nvalence = -1\npattern = 'broken'\nexamples = ['fine']\n"
     "anchors = ['broken']\n", "SA-C098", "does not match its examples ['fine']"),
    ("[[phrases]]\nname = 'x'\nvalence = -1\npattern = 'is broken'\n"
     "examples = ['fine for a week, then one day, out of the blue, it is broken']\n"
     "anchors = ['fine']\n",  # a match must be near one of its anchors
     "SA-C098", "does not match its examples ['fine for a week"),
    ("[[phrases]]\nname = 'x'\nvalence = -1\npattern = 'broken'\nexamples = ['broken']\n"
     "anchors = ['<nope>']\n", "SA-C098", "unknown word set <nope>"),
    ("[[phrases]]\nname = 'x'\nvalence = -1\npattern = '<nope> x'\nexamples = ['x']\n"
     "anchors = ['x']\n", "SA-C098", "unknown fragments ['nope']"),
    ("[words\n", "SA-C097", "not valid TOML"),
])
def test_a_bad_overrides_file_is_refused_naming_the_entry(tmp_path, body, code, named):
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_overrides(path)
    assert info.value.code == code
    assert named in str(info.value) and "mine.toml" in str(info.value)


def test_a_missing_overrides_file_is_refused(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_overrides(tmp_path / "absent.toml")
    assert info.value.code == "SA-C096" and "absent.toml" in str(info.value)


def test_own_overrides_file_replaces_the_packaged_one(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[words]\nrouter = -2.0\n", encoding="utf-8")
    conv = _conv(("c1", [("customer", "My router again"), ("agent", "Let me look.")]))
    mine, _ = _run(conv, overrides=str(path))
    packaged, _ = _run(conv)
    assert mine.loc["c1", "customer_sentiment_start"] < 0
    assert packaged.loc["c1", "customer_sentiment_start"] == 0.0


BROKE_TWICE = r"""[[phrases]]
name = "broke_twice"
anchors = ["broke", "failed"]
valence = -2.5
pattern = '''\b(broke|failed)\s+and\s+\1\b'''
examples = ["it broke and broke"]
"""


def test_a_phrase_re2_cannot_test_sends_its_texts_word_by_word(tmp_path):
    """A phrase whose pattern RE2 cannot take, even without its look-arounds (here a
    back-reference), is found by Python's ``re`` around its anchors only: the vector
    path must leave every text holding an anchor to ``Analyser.analyse``."""
    path = tmp_path / "mine.toml"
    path.write_text(BROKE_TWICE, encoding="utf-8")
    a = Analyser(load_overrides(path))
    texts = ["the screen broke and broke again", "it failed and failed, great",
             "it broke and failed", "fine thanks", "the update broke nothing"]
    _same_as_analyse(a, texts)
    got = a.totals(texts)
    assert not got.simple[:3].any()  # the anchors' texts went word by word
    assert a.analyse(texts[0]).total < a.analyse("the screen broke again").total


# ------------------------------------------------------------- measures and rules
COMPLAINT = "@AcmeHelp my broadband is still not working, third time I've asked"
FIX = "@cust Sorry about that! I've reset your line from our side, please try now."
THANKS = "@AcmeHelp that worked, thank you!"


def test_start_end_and_shift_of_a_thread_that_was_helped():
    out, _ = _run(_conv(("t1", [("customer", COMPLAINT), ("agent", FIX),
                                ("customer", THANKS)])))
    row = out.loc["t1"]
    assert row["customer_sentiment_start"] == pytest.approx(_score(COMPLAINT))
    assert row["customer_sentiment_end"] == pytest.approx(_score(THANKS))
    assert row["customer_sentiment_start"] < 0 < row["customer_sentiment_end"]
    assert row["customer_sentiment_shift"] == pytest.approx(
        row["customer_sentiment_end"] - row["customer_sentiment_start"])
    assert row["customer_sentiment_shift"] > 0
    # the whole conversation, both sides, as one text
    assert row["conversation_sentiment"] == pytest.approx(
        _score("\n".join([COMPLAINT, FIX, THANKS])))


def test_the_shift_is_negative_when_the_customer_ends_worse():
    out, _ = _run(_conv(("t1", [("customer", "Hi, quick question about my bill please"),
                                ("agent", "We can't change that, sorry."),
                                ("customer", "Useless. I'm fed up, cancelling my contract.")])))
    assert out.loc["t1", "customer_sentiment_shift"] < 0


def test_start_is_every_customer_turn_before_the_agent_and_end_the_last_run():
    first, second = "My parcel never arrived.", "I've been waiting for 2 weeks now."
    mid, last1, last2 = "Ok, the order number is 5521.", "It's fixed.", "Thanks for the help!"
    out, _ = _run(_conv(("t1", [("customer", first), ("customer", second),
                                ("agent", "Sorry to hear that, what's the order number?"),
                                ("customer", mid), ("agent", "I've sent a new one."),
                                ("customer", last1), ("customer", last2)])))
    assert out.loc["t1", "customer_sentiment_start"] == pytest.approx(
        _score(f"{first}\n{second}"))
    assert out.loc["t1", "customer_sentiment_end"] == pytest.approx(_score(f"{last1}\n{last2}"))


def test_when_the_agent_speaks_first_the_start_is_the_customers_first_turn():
    out, _ = _run(_conv(("t1", [("agent", "We're sorry for the outage in your area today."),
                                ("customer", "it's still down again"),
                                ("agent", "Engineers are on it."),
                                ("customer", "ok it's back up now, thanks")])))
    assert out.loc["t1", "customer_sentiment_start"] == pytest.approx(
        _score("it's still down again"))
    assert out.loc["t1", "customer_sentiment_end"] == pytest.approx(
        _score("ok it's back up now, thanks"))


def test_nan_rules():
    out, _ = _run(_conv(
        ("no-reply", [("customer", COMPLAINT), ("customer", "hello??")]),
        ("left", [("customer", COMPLAINT), ("agent", FIX)]),
        ("agent-only", [("agent", "Our stores close early on Sunday.")]),
        ("system-only", [("system", "Call recorded.")]),
    ))
    # nobody answered: a start, no end, no shift; the conversation is the customer's
    assert out.loc["no-reply", "customer_sentiment_start"] < 0
    assert math.isnan(out.loc["no-reply", "customer_sentiment_end"])
    assert math.isnan(out.loc["no-reply", "customer_sentiment_shift"])
    assert out.loc["no-reply", "conversation_sentiment"] == pytest.approx(
        _score(f"{COMPLAINT}\nhello??"))
    # the customer did not speak after the agent
    assert not math.isnan(out.loc["left", "customer_sentiment_start"])
    assert math.isnan(out.loc["left", "customer_sentiment_end"])
    assert math.isnan(out.loc["left", "customer_sentiment_shift"])
    # no customer at all
    assert out.loc["agent-only", COLUMNS[:3]].isna().all()
    assert not math.isnan(out.loc["agent-only", "conversation_sentiment"])
    assert out.loc["system-only", COLUMNS].isna().all()
    # the case shift follows its contacts (each its own case here)
    assert (out["case_sentiment_shift"].isna() == out["customer_sentiment_shift"].isna()).all()


def test_case_shift_is_the_end_of_the_last_contact_minus_the_start_of_the_first():
    conv = _conv(
        ("later", [("customer", "still no refund, this is the third time"),
                   ("agent", "I've issued it now."), ("customer", "Got it, thanks!")]),
        ("earlier", [("customer", "I was charged twice for one order"),
                     ("agent", "I'll look into it."), ("customer", "ok")]),
        ("other", [("customer", "Where is my parcel?"), ("agent", "It arrives today.")]),
        case_id=["k1", "k1", "k2"],
        started_at=pd.to_datetime(["2026-03-03T10:00Z", "2026-03-01T09:00Z",
                                   "2026-03-01T08:00Z"]),
    )
    out, _ = _run(conv)
    expected = out.loc["later", "customer_sentiment_end"] - out.loc[
        "earlier", "customer_sentiment_start"]
    assert out.loc["later", "case_sentiment_shift"] == pytest.approx(expected)
    assert out.loc["earlier", "case_sentiment_shift"] == pytest.approx(expected)
    assert expected > 0
    assert math.isnan(out.loc["other", "case_sentiment_shift"])  # its customer left


# --------------------------------------------------------------------- evidence
def test_evidence_points_at_the_words_that_moved_the_customer():
    conv = _conv(("t1", [("customer", COMPLAINT), ("agent", FIX), ("customer", THANKS)]))
    _, ev = _run(conv)
    assert set(ev["cue"].astype(str)) == {"customer_sentiment"}
    assert set(ev["role"].astype(str)) == {"customer"}
    assert set(ev["turn_index"]) == {0, 2}  # never the agent's turn
    texts = conv.turns.set_index("turn_index")["text"]
    for row in ev.itertuples(index=False):
        assert texts[row.turn_index][row.start_char:row.end_char] == row.text
    quoted = ev.groupby("turn_index")["text"].agg(list).to_dict()
    assert quoted == {0: ["still not working", "third time"], 2: ["that worked", "thank"]}
    detail = [json.loads(d) for d in ev["detail"]]
    assert [d["counts_for"] for d in detail] == [["start"], ["start"], ["end"], ["end"]]
    assert detail[0]["valence"] < 0 < detail[2]["valence"]


def test_evidence_keeps_the_strongest_words_of_a_turn():
    text = "good morning, the app is terrible, it crashed and it's useless, awful"
    _, ev = _run(_conv(("t1", [("customer", text), ("agent", "Sorry!")])), evidence_words=2)
    assert ev["text"].tolist() == ["terrible", "awful"]  # |-2.1| and |-2.0|, in text order


def test_a_turn_that_counts_for_start_and_end_says_so():
    _, ev = _run(_conv(("t1", [("agent", "Hi, how can we help?"),
                               ("customer", "my order never arrived")])))
    assert [json.loads(d)["counts_for"] for d in ev["detail"]] == [["start", "end"]]


def test_scoring_adds_the_evidence_and_explain_quotes_it():
    conv = _conv(("t1", [("customer", COMPLAINT), ("agent", FIX), ("customer", THANKS)]),
                 channel=["social"])
    res = sa.score(conv)
    ev = res.evidence
    mine = ev[ev["cue"] == "customer_sentiment"]
    assert mine["text"].tolist() == ["still not working", "third time", "that worked", "thank"]
    # in turn order among the pattern cues ("third time" is also a chasing cue)
    assert ev["turn_index"].is_monotonic_increasing
    assert "[customer_sentiment: still not working]" in str(res.explain("t1"))
    assert res.measures.loc[0, "customer_sentiment_shift"] > 0


def test_explain_quotes_the_words_under_a_criterion_that_reads_a_sentiment_measure():
    rubric = sa.Rubric.from_toml('''
[rubric]
name = "sentiment-only"
version = "1"

[[criteria]]
principle = "follow_through"
name = "customer_leaves_happier"
value = "customer_sentiment_shift > 0"
applies = "notna(customer_sentiment_shift)"
weight = 1
rationale = "The customer ends happier than they started."
''')
    conv = _conv(("t1", [("customer", COMPLAINT), ("agent", FIX), ("customer", THANKS)]))
    text = str(sa.score(conv, rubric=rubric).explain("t1"))
    assert 'customer_leaves_happier <- customer_sentiment, turn 0 (customer): "still not ' \
        'working"' in text
    assert 'customer_leaves_happier <- customer_sentiment, turn 2 (customer): "that worked"' \
        in text


# ------------------------------------------------------------ contract, properties
def test_the_scorer_passes_the_scorer_contract():
    out = check_scorer(SentimentScorer())
    assert out[COLUMNS].notna().any().all()


def test_the_scorer_passes_the_contract_on_real_rated_threads(shared_data):
    rows = []
    with open(shared_data / "gold" / "qa_dev.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= 25:
                break
            d = json.loads(line)
            rows += [{"interaction_id": d["key"], "turn_index": k, "role": t["role"],
                      "text": t["text"], "speaker": t.get("speaker")}
                     for k, t in enumerate(d["turns"])]
    out = check_scorer(SentimentScorer(), sa.Conversations.from_frames(pd.DataFrame(rows)))
    assert len(out) == 25 and out["customer_sentiment_start"].notna().sum() >= 20


@settings(max_examples=15, deadline=None, database=None)
@given(conversations_frames(max_interactions=4, max_turns=8))
def test_relabelling_speakers_changes_nothing_and_values_stay_in_range(turns):
    conv = sa.Conversations.from_frames(turns)
    out, ev = _run(conv)
    renamed, ev2 = _run(conv, relabel_speakers(conv.turns))
    pd.testing.assert_frame_equal(out, renamed)
    pd.testing.assert_frame_equal(ev, ev2)
    values = out[["customer_sentiment_start", "customer_sentiment_end",
                  "conversation_sentiment"]].to_numpy(dtype="float64")
    assert np.all(np.isnan(values) | ((values >= -1) & (values <= 1)))
    shifts = out[["customer_sentiment_shift", "case_sentiment_shift"]].to_numpy("float64")
    assert np.all(np.isnan(shifts) | ((shifts >= -2) & (shifts <= 2)))
    assert set(ev["role"].astype(str)) <= {"customer"}
