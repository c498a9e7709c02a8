"""Large phrase families listed by an anchor find exactly what the whole listing finds."""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from serviceart.cues.families import (
    PhraseFamilies,
    anchor_run,
    family_phrases,
    family_size,
)
from serviceart.cues.matching import family, phrase_key
from serviceart.cues.pipeline import COMPONENT

VOCAB = spacy.blank("en").vocab
WORDS = ["a", "b", "c", "the", "x", "y"]

slot = st.tuples(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True).map(tuple),
    st.integers(0, 2),
    st.integers(0, 2),
).map(lambda s: (s[0], min(s[1], s[2]), max(s[1], s[2], 1)))
required = slot.map(lambda s: (s[0], max(1, s[1]), max(1, s[2])))
families = st.tuples(required, st.lists(slot, max_size=4), required).map(
    lambda t: (t[0], *t[1], t[2]))


def _plain(fams: list[tuple]) -> PhraseMatcher:
    matcher = PhraseMatcher(VOCAB, attr="NORM")
    for k, fam in enumerate(fams):
        matcher.add(f"k{k % 2}", [phrase_key(VOCAB, p) for p in family_phrases(fam)])
    return matcher


@settings(max_examples=150, deadline=None)
@given(st.lists(families, min_size=1, max_size=3),
       st.lists(st.sampled_from(WORDS), min_size=0, max_size=20),
       st.integers(1, 8), st.integers(1, 6))
def test_anchored_families_match_as_their_whole_listing(fams, words, smallest, anchor_max):
    """Small ``smallest`` and ``anchor_max`` force anchors of every shape (before,
    after, both sides, optional slots beside them); two families share a key."""
    listed = PhraseFamilies(VOCAB, smallest=smallest, anchor_max=anchor_max)
    for k, fam in enumerate(fams):
        listed.add_family(f"k{k % 2}", fam)
    doc = Doc(VOCAB, words=words)
    assert set(listed(doc)) == set(_plain(fams)(doc))
    assert set(listed(doc, [t.norm for t in doc])) == set(_plain(fams)(doc))


def test_a_large_family_is_listed_by_its_anchor_and_still_matched():
    nouns = tuple(f"item{i}" for i in range(30))
    fam = ((("i", "we"), 1, 1), (("have", "had"), 1, 1), (("sent", "shipped", "posted"), 1, 1),
           (("the", "your", "a"), 0, 1), (nouns, 1, 1))
    assert family_size(fam) == 2 * 2 * 3 * 4 * 30
    listed = PhraseFamilies(VOCAB, anchor_max=100)
    listed.add_family("sent", fam)
    assert listed.phrases == 2 * 2 * 3  # the anchor only: "i have sent" and its variants
    assert anchor_run(fam, limit=100) == (0, 3)  # the longest run within the limit
    doc = Doc(VOCAB, words=["so", "we", "had", "shipped", "your", "item7", "and", "i", "have",
                            "sent", "item29"])
    assert sorted(listed(doc)) == [(VOCAB.strings["sent"], 1, 6), (VOCAB.strings["sent"], 7, 11)]
    assert listed(Doc(VOCAB, words=["we", "had", "shipped", "your"])) == []


def test_shipped_patterns_list_a_bounded_number_of_phrases(nlp):
    """Start-up time and memory follow the phrases listed: the shipped patterns' families
    hold about a quarter of a million phrases, of which the matcher lists about half."""
    det = nlp.get_pipe(COMPONENT)
    total = sum(family_size(f) for _, p, _, _ in det.patterns.tokens
                if (f := family(p)) is not None)
    total += sum(family_size(f) for f in det.token_patterns.anchors.values())
    assert total > 200_000
    assert det.phrase_matcher.phrases < 0.6 * total
