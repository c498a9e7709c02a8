"""The fast matching path finds exactly what plain spaCy matchers find.

Token patterns run as phrase families (``expand``) or gated (``GatedPatterns``);
both must give the same raw matches as one ``Matcher`` holding every token pattern
and one ``PhraseMatcher`` holding the phrase patterns, run over every document.
"""

from __future__ import annotations

import random
import shutil

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher, PhraseMatcher

import serviceart as sa
from serviceart.cues.families import family_phrases
from serviceart.cues.matching import anchor, expand, phrase_key
from serviceart.cues.pipeline import COMPONENT, normalise
from serviceart.cues.rules import _pattern_dir
from tests.conftest import SAMPLES
from tests.cues.test_patterns import CASES

FILLERS = ["Dana", "really", ",", ".", "working", "3", "the", "it", "not", "again",
           "Here", "still", "you", "team", "!", "twice", "about", "so"]


def _sample(pattern: list[dict], rng: random.Random) -> list[str]:
    """Words that follow a token pattern loosely: literal norms where it has them."""
    words: list[str] = []
    for spec in pattern:
        op = spec.get("OP")
        reps = {None: 1, "?": rng.randint(0, 1), "*": rng.randint(0, 2),
                "+": rng.randint(1, 2)}.get(op, rng.randint(0, 2))
        for _ in range(reps):
            norm = spec.get("NORM")
            if isinstance(norm, str):
                words.append(norm)
            elif isinstance(norm, dict) and "IN" in norm:
                words.append(rng.choice(norm["IN"]))
            else:
                words.append(rng.choice(FILLERS))
    return words


def _texts(nlp) -> list[str]:
    rng = random.Random(7)
    det = nlp.get_pipe(COMPONENT)
    texts = [t for case in CASES.values() for t in (case[0], case[2])]
    texts += sa.read(SAMPLES).turns["text"].astype(str).tolist()
    for _, pattern, _, _ in det.patterns.tokens:
        for _ in range(40):
            words = _sample(pattern, rng)
            if rng.random() < 0.3 and len(words) > 1:  # a near miss: drop or swap a word
                del words[rng.randrange(len(words))]
            before = rng.sample(FILLERS, rng.randint(0, 3))
            after = rng.sample(FILLERS, rng.randint(0, 3))
            text = " ".join([*before, *words, *after])
            texts.append(text[:1].upper() + text[1:] if rng.random() < 0.5 else text)
    return texts


def _raw_fast(det, doc) -> set[tuple[str, bool, int, int]]:
    norms = det.norms.rewrite(doc)
    out, anchors = set(), []
    for match_id, start, end in det.phrase_matcher(doc):
        if match_id in det._keys:
            label, off = det._keys[match_id]
            out.add((label, off, start, end))
        else:
            anchors.append((match_id, start, end))
    out |= set(det.token_patterns(doc, norms, anchors))
    return out


@pytest.fixture(scope="module")
def reference(nlp):
    """Plain spaCy matchers over the shipped patterns, as the component had them."""
    det = nlp.get_pipe(COMPONENT)
    phrases = PhraseMatcher(nlp.vocab, attr="NORM")
    for label, text, off in det.patterns.phrases:
        phrases.add(("!" if off else "") + label, [det.norms(nlp.make_doc(text))])
    tokens = Matcher(nlp.vocab, validate=True)
    for label, pattern, off, _ in det.patterns.tokens:
        tokens.add(("!" if off else "") + label, [pattern])

    def raw(doc) -> set[tuple[str, bool, int, int]]:
        found = set()
        for match_id, start, end in [*phrases(doc), *tokens(doc)]:
            key = nlp.vocab.strings[match_id]
            found.add((key.lstrip("!"), key.startswith("!"), start, end))
        return found

    return raw


def test_fast_matching_equals_plain_spacy_matchers(nlp, reference):
    det = nlp.get_pipe(COMPONENT)
    texts = _texts(nlp)
    assert len(texts) > 1000
    hits = 0
    for doc in nlp.pipe(normalise(t) for t in texts):
        fast = _raw_fast(det, doc)  # norms were rewritten by the component already
        assert fast == reference(doc), doc.text
        hits += bool(fast)
    assert hits > len(texts) // 2  # the texts do exercise the patterns


def test_some_token_patterns_run_as_phrase_families_and_the_rest_are_anchored(nlp):
    det = nlp.get_pipe(COMPONENT)
    listed = [pid for _, p, _, pid in det.patterns.tokens if expand(p) is not None]
    assert any(pid.startswith("does_that_fix ") for pid in listed)
    assert len(det.token_patterns) == len(det.patterns.tokens) - len(listed)
    for _, pattern, _, pid in det.patterns.tokens:
        assert anchor(pattern), f"token pattern {pid} has no literal anchor: it runs on every doc"


def test_expand_lists_exactly_the_bounded_literal_family():
    pattern = [{"NORM": {"IN": ["is", "was"]}}, {"NORM": "it", "OP": "{0,2}"},
               {"NORM": "done"}]
    assert expand(pattern) == [("is", "done"), ("is", "it", "done"), ("is", "it", "it", "done"),
                               ("was", "done"), ("was", "it", "done"),
                               ("was", "it", "it", "done")]
    assert expand([{"NORM": "a", "OP": "?"}, {"NORM": "b"}]) is None  # optional first token
    assert expand([{"NORM": "a"}, {"NORM": "b", "OP": "*"}, {"NORM": "c"}]) is None
    assert expand([{"LOWER": "a"}]) is None
    assert expand([{"NORM": {"IN": ["a", "b", "c"]}}] * 3, limit=26) is None


def test_anchor_prefers_the_longest_literal_run():
    pattern = [{"NORM": "still"}, {"IS_ALPHA": True}, {"NORM": {"IN": ["is", "are"]}},
               {"NORM": "not"}, {"NORM": "x", "OP": "*"}]
    assert anchor(pattern) == [("is", "not"), ("are", "not")]
    assert anchor([{"IS_TITLE": True}]) == []


def test_invalid_token_pattern_names_file_and_line(tmp_path):
    shutil.copy(_pattern_dir().parent / "rules.json", tmp_path / "rules.json")
    for name in ("respect", "service", "integrity", "follow_through"):
        (tmp_path / f"{name}.jsonl").write_text('{"label": "courtesy", "pattern": "thanks"}\n')
    (tmp_path / "integrity.jsonl").write_text(
        '{"label": "hedge", "pattern": "i think"}\n'
        '{"label": "hedge", "id": "bad_op", "pattern": [{"NORM": "maybe", "OP": "~"}]}\n')
    with pytest.raises(sa.ConfigError, match=r"bad_op \(integrity.jsonl:2\)"):
        sa.make_nlp(patterns_dir=tmp_path)


def test_clitic_context_is_read_before_rewriting(nlp):
    # "u" reads "you", but the clitic after it is judged on the original token
    det = nlp.get_pipe(COMPONENT)
    doc = nlp.make_doc("u s here. it s been a while")
    norms = [nlp.vocab.strings[n] for n in det.norms.rewrite(doc)]
    assert norms == ["you", "s", "here", ".", "it", "has", "been", "a", "while"]
    assert [t.norm_ for t in doc] == norms


SYNTHETIC = [
    [{"IS_ALPHA": True, "OP": "{0,2}"}, {"NORM": "a"}, {"NORM": {"IN": ["b", "c"]}},
     {"IS_PUNCT": False, "OP": "?"}],
    [{"NORM": "b", "OP": "+"}, {"IS_TITLE": True}, {"NORM": "a"}],
    [{"NORM": "c"}, {"NORM": "a", "OP": "!"}, {"NORM": "b"}],
    [{"IS_ALPHA": True}, {"NORM": "c"}, {"IS_ALPHA": True, "OP": "*"}],
    [{"IS_TITLE": True}, {"IS_PUNCT": True}],  # no anchor: runs on every doc
    # unbounded parts that test norms only: the window reaches the run of such norms
    [{"NORM": {"IN": ["a", "x"]}, "OP": "*"}, {"NORM": "b"}, {"NORM": "c"},
     {"NORM": {"IN": ["a", "b"]}, "OP": "+"}, {"NORM": "x"}],
    [{"NORM": "a", "OP": "*"}, {"NORM": "c"}, {"NORM": "b"}, {"NORM": "a", "OP": "*"}],
    [{"NORM": {"IN": ["a", "b"]}, "OP": "+"}, {"NORM": "x"}, {"NORM": "c"},
     {"NORM": "a", "OP": "!"}],  # a negation at the edge: no bound from norms
    # wide bounded repeats run unbounded and are filtered back to their bounds:
    # one repeat, the other tokens once (the match's length decides)
    [{"NORM": "a"}, {"IS_PUNCT": False, "OP": "{0,6}"}, {"NORM": "b"}],
    [{"NORM": {"IN": ["b", "c"]}}, {"NORM": "x"}, {"IS_SENT_START": False, "OP": "{0,5}"}],
    # other variable tokens too (the alignment decides, or the exact pattern)
    [{"NORM": "a"}, {"IS_ALPHA": True, "OP": "{1,6}"}, {"NORM": {"IN": ["b", "c"]}},
     {"IS_PUNCT": True, "OP": "?"}],
    [{"IS_TITLE": True, "OP": "{0,5}"}, {"NORM": "x"}, {"NORM": {"IN": ["a", "c"]}, "OP": "{2,7}"}],
    [{"NORM": "c"}, {"OP": "{0,8}"}, {"NORM": "a", "OP": "!"}, {"NORM": "b", "OP": "{0,5}"},
     {"NORM": "x"}],
]


def test_gated_windows_find_what_a_plain_matcher_finds(nlp):
    from serviceart.cues.matching import GatedPatterns

    gated = GatedPatterns(nlp.vocab, [("hedge", p, False, f"p{i}")
                                      for i, p in enumerate(SYNTHETIC)])
    anchors = PhraseMatcher(nlp.vocab, attr="NORM")
    for key, slots in gated.anchors.items():
        anchors.add(key, [phrase_key(nlp.vocab, p) for p in family_phrases(slots)])
    plain = [Matcher(nlp.vocab) for _ in SYNTHETIC]
    for m, p in zip(plain, SYNTHETIC, strict=True):
        m.add("hedge", [p])
    rng = random.Random(3)
    words = ["a", "b", "c", "A", "B", "C", "x", ",", ".", "Yo"]
    for _ in range(3000):
        doc = nlp.make_doc(" ".join(rng.choice(words) for _ in range(rng.randint(1, 18))))
        doc[0].is_sent_start = True
        for token in doc[1:]:
            token.is_sent_start = token.nbor(-1).text == "."
        norms = [t.norm for t in doc]
        fast = sorted(gated(doc, norms, anchors(doc)))
        slow = sorted(("hedge", False, s, e) for m in plain for _, s, e in m(doc))
        assert fast == slow, doc.text


def test_identical_patterns_of_several_labels_run_once_for_each(nlp):
    """A pattern listed under several labels (one suppressor per cue) has one matcher
    and one anchor, and each label gets the matches it would get alone."""
    from serviceart.cues.matching import GatedPatterns

    listed = [(label, p, off, f"{label}{i}") for i, p in enumerate(SYNTHETIC)
              for label, off in (("hedge", False), ("promise", True), ("apology", True))]
    gated = GatedPatterns(nlp.vocab, listed)
    alone = GatedPatterns(nlp.vocab, [("hedge", p, False, f"p{i}")
                                      for i, p in enumerate(SYNTHETIC)])
    assert len(gated) == len(listed)
    assert len(gated._patterns) == len(gated.anchors) + len(gated._always) == len(SYNTHETIC)

    def anchors_of(g):
        m = PhraseMatcher(nlp.vocab, attr="NORM")
        for key, slots in g.anchors.items():
            m.add(key, [phrase_key(nlp.vocab, p) for p in family_phrases(slots)])
        return m

    both, one = anchors_of(gated), anchors_of(alone)
    rng = random.Random(5)
    words = ["a", "b", "c", "A", "B", "C", "x", ",", ".", "Yo"]
    for _ in range(500):
        doc = nlp.make_doc(" ".join(rng.choice(words) for _ in range(rng.randint(1, 18))))
        norms = [t.norm for t in doc]
        spans = {(s, e) for _, _, s, e in alone(doc, norms, one(doc))}
        found = set(gated(doc, norms, both(doc)))
        assert found == {(label, off, s, e) for s, e in spans
                         for label, off in (("hedge", False), ("promise", True),
                                            ("apology", True))}, doc.text


def test_wide_repeats_are_relaxed_and_their_bounds_kept(nlp):
    """Each relaxed form above is in use, and its bounds do cut matches: the plain
    ``*`` form finds longer ones that the gated patterns must not return."""
    from serviceart.cues.matching import GatedPatterns, _Relaxed, relax

    gated = GatedPatterns(nlp.vocab, [("hedge", p, False, f"p{i}")
                                      for i, p in enumerate(SYNTHETIC)])
    relaxed = [p for p in gated._patterns if isinstance(p.matcher, _Relaxed)]
    assert len(relaxed) == 5
    doc = nlp.make_doc("a b b b b b b b b b")  # the first pattern with 8 tokens between
    loose = Matcher(nlp.vocab)
    loose.add("x", [relax(SYNTHETIC[8])[0]])
    assert (0, 10) in [(s, e) for _, s, e in loose(doc)]
    assert max(e - s for _, s, e in relaxed[0].matcher.matcher(doc)) == 10
    assert list(relaxed[0].matcher(doc)) == [(0, 2), (0, 3), (0, 4), (0, 5), (0, 6),
                                            (0, 7), (0, 8)]


_BLANK = spacy.blank("en")
WORDS = ["we", "will", "call", "you", "back", "'ll", "can't", "n't", "tomorrow", "a", "the",
         "refund", "Refund", "é", "to", "-", "!"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), min_size=1,
                max_size=8),
       st.lists(st.sampled_from(WORDS), min_size=0, max_size=25))
def test_norm_arrays_match_as_the_docs_they_stand_for(phrases: list[list[str]],
                                                      text: list[str]) -> None:
    """A PhraseMatcher given phrase_key arrays finds exactly what one given phrase_doc
    Docs finds: the arrays are the Docs' NORMs, which is all the matcher keeps."""
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    from serviceart.cues.matching import add_phrases, phrase_doc, phrase_key

    vocab = _BLANK.vocab
    for p in phrases:
        assert list(phrase_key(vocab, p)) == phrase_doc(vocab, p).to_array(NORM).tolist()
    by_doc, by_key = PhraseMatcher(vocab, attr="NORM"), PhraseMatcher(vocab, attr="NORM")
    by_doc.add("k", [phrase_doc(vocab, p) for p in phrases])
    add_phrases(by_key, "k", [phrase_key(vocab, p) for p in phrases])
    doc = Doc(vocab, words=text) if text else Doc(vocab, words=[])
    for token in doc:  # norms as a pipeline would leave them: some rewritten, some not
        if token.text == "'ll":
            token.norm_ = "will"
    assert sorted(by_key(doc)) == sorted(by_doc(doc))
