"""The pipeline's sentencizer gives exactly spaCy's sentence starts, on real support
text and on generated text, and survives a round trip through bytes."""

from __future__ import annotations

import functools
import pickle

import pandas as pd
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.cues.sentences import Sentencizer


@functools.lru_cache(maxsize=1)
def _pipelines() -> tuple[spacy.language.Language, spacy.language.Language]:
    """(spaCy's blank English + its sentencizer, blank English + ours); one vocab each."""
    theirs = spacy.blank("en")
    theirs.add_pipe("sentencizer")
    ours = spacy.blank("en")
    ours.add_pipe("serviceart_sentencizer", name="sentencizer")
    return theirs, ours


def _starts(nlp: spacy.language.Language, texts: list[str]) -> list[list[bool]]:
    return [[bool(t.is_sent_start) for t in doc] for doc in nlp.pipe(texts, batch_size=64)]


def test_make_nlp_uses_it_under_the_usual_name():
    nlp = sa.make_nlp()
    assert nlp.pipe_names == ["sentencizer", "serviceart_cues", "serviceart_cue_model"]
    assert isinstance(nlp.get_pipe("sentencizer"), Sentencizer)
    doc = nlp("Thanks for waiting!! I'll call you back... OK? ok")
    # "..." is one token and not a sentence-ending character, as in spaCy
    assert [s.text for s in doc.sents] == ["Thanks for waiting!!", "I'll call you back... OK?",
                                           "ok"]


def test_equals_spacy_on_real_support_text(shared_data):
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", index_col=0, lineterminator="\n"
                        )["text"].dropna().astype(str).tolist()
    theirs, ours = _pipelines()
    got, want = _starts(ours, texts), _starts(theirs, texts)
    assert got == want
    assert sum(sum(s) for s in got) > len(texts)  # texts of several sentences are common


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab .!?…。\"')(-\n")), max_size=40),
                max_size=5))
def test_equals_spacy_on_generated_text(texts):
    theirs, ours = _pipelines()
    assert _starts(ours, texts) == _starts(theirs, texts)
    for text in texts:  # one doc at a time (__call__) as well as in batches (pipe)
        assert [t.is_sent_start for t in ours(text)] == [t.is_sent_start for t in theirs(text)]


def test_custom_punctuation_serialisation_and_pickling():
    nlp = spacy.blank("en")
    nlp.add_pipe("serviceart_sentencizer", name="sentencizer", config={"punct_chars": [";"]})
    assert [s.text for s in nlp("one; two. three").sents] == ["one;", "two. three"]
    again = spacy.blank("en")
    again.add_pipe("serviceart_sentencizer", name="sentencizer")
    again.get_pipe("sentencizer").from_bytes(nlp.get_pipe("sentencizer").to_bytes())
    assert [s.text for s in again("one; two. three").sents] == ["one;", "two. three"]
    copied = pickle.loads(pickle.dumps(nlp))
    assert [s.text for s in copied("one; two. three").sents] == ["one;", "two. three"]
