"""The ``serviceart_cues`` spaCy component and the default model-free pipeline.

Matching is on token norms (``NORM``), so that one pattern covers contractions
and case: ``"i will call you back"`` matches "I'll call you back", "I’ll call
you back" and "I WILL call you back", while "I won't call you back" (norms
``i will not call``) does not.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from ..errors import ConfigError
from .rules import PatternSet, load_patterns

__all__ = ["COMPONENT", "SPANS_KEY", "CueDetector", "detect", "make_nlp"]

COMPONENT = "serviceart_cues"
SPANS_KEY = "serviceart"
_SUPPRESS = "!"
_MERGE_GAP = 2


class CueDetector:
    """Finds codebook cues in a Doc and stores them in ``doc.spans["serviceart"]``.

    Parameters
    ----------
    nlp
        The pipeline the component belongs to (its vocab and tokenizer are used).
    name
        The component's name in the pipeline.
    patterns_dir
        A folder of pattern files; the shipped ones when ``None``.
    """

    def __init__(self, nlp: Language, name: str = COMPONENT,
                 patterns_dir: str | None = None) -> None:
        self.name = name
        self.patterns = load_patterns(patterns_dir)
        self.norms = NormRewriter(nlp.vocab, self.patterns.norms)
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.matcher = Matcher(nlp.vocab, validate=True)
        grouped: dict[str, list[str]] = defaultdict(list)
        for label, text, suppress in self.patterns.phrases:
            grouped[(_SUPPRESS if suppress else "") + label].append(text)
        for key, texts in grouped.items():
            docs = [self.norms(nlp.make_doc(t)) for t in texts]
            self.phrase_matcher.add(key, docs)
        for label, pattern, suppress, pid in self.patterns.tokens:
            try:
                self.matcher.add((_SUPPRESS if suppress else "") + label, [pattern])
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"invalid token pattern {pid}: {exc}",
                                  field=label) from exc
        self._strings = nlp.vocab.strings
        if not nlp.has_pipe("sentencizer") and not nlp.has_pipe("senter") and not (
            nlp.has_pipe("parser")
        ):
            raise ConfigError(
                f"the {COMPONENT} component needs sentence boundaries: add a 'sentencizer' "
                "(or a parser) before it, or build the pipeline with serviceart.make_nlp()"
            )

    def __call__(self, doc: Doc) -> Doc:
        """Detect cues in ``doc`` and store them as labelled spans."""
        self.norms(doc)
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        suppress: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for match_id, start, end in [*self.phrase_matcher(doc), *self.matcher(doc)]:
            key = self._strings[match_id]
            if key.startswith(_SUPPRESS):
                suppress[key[1:]].append((start, end))
            else:
                found[key].append((start, end))
        spans = _resolve(doc, found, suppress, self.patterns)
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans)
        return doc


class NormRewriter:
    """Rewrites token norms so that one pattern covers spelling and clitic variants.

    Parameters
    ----------
    vocab
        The pipeline's vocab (strings are added to its store).
    rules
        The ``norms`` section of ``rules.json``.
    """

    def __init__(self, vocab: Any, rules: dict[str, Any]) -> None:
        add = vocab.strings.add
        self._strings = vocab.strings
        self._map = {add(k): add(v) for k, v in rules.get("map", {}).items()}
        self._clitic = {add(k): add(v) for k, v in rules.get("after_pronoun", {}).items()}
        self._pronouns = {add(w) for w in rules.get("pronouns", [])}
        self._has_before = {add(w) for w in rules.get("has_before", [])}
        self._has = add("has")
        self._is = add("is")
        self._keys = np.array(sorted({*self._map, *self._clitic}), dtype="uint64")

    def __call__(self, doc: Doc) -> Doc:
        """Rewrite the norms of ``doc`` in place and return it."""
        if not len(doc) or not len(self._keys):
            return doc
        norms = doc.to_array(NORM)
        for i in map(int, np.flatnonzero(np.isin(norms, self._keys))):
            key = int(norms[i])
            if key in self._clitic and i > 0 and int(norms[i - 1]) in self._pronouns:
                new = self._clitic[key]
                if new == self._is and i + 1 < len(doc) and int(norms[i + 1]) in self._has_before:
                    new = self._has
                doc[i].norm_ = self._strings[new]
            elif key in self._map:
                doc[i].norm_ = self._strings[self._map[key]]
        return doc


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(spans: Iterable[tuple[int, int]], sent_of: list[int],
           gap: int = _MERGE_GAP) -> list[tuple[int, int]]:
    """Spans of one label merged when they overlap or stand within ``gap`` tokens
    of each other in the same sentence: one cue, one evidence row."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(set(spans)):
        if merged and s - merged[-1][1] <= gap and sent_of[s] == sent_of[merged[-1][1] - 1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _negated(doc: Doc, span: tuple[int, int], ps: PatternSet, sent_start: int) -> bool:
    lo = max(sent_start, span[0] - ps.negation_window)
    return any(doc[i].norm_ in ps.negators for i in range(lo, span[0]))


def _resolve(
    doc: Doc,
    found: dict[str, list[tuple[int, int]]],
    suppress: dict[str, list[tuple[int, int]]],
    ps: PatternSet,
) -> list[Span]:
    sent_of = [0] * len(doc)
    sent_start: list[int] = []
    for i, sent in enumerate(doc.sents):
        sent_start.append(sent.start)
        for t in range(sent.start, sent.end):
            sent_of[t] = i
    cues: dict[str, list[tuple[int, int]]] = {}
    for label, spans in found.items():
        keep = [s for s in spans if not any(_overlaps(s, q) for q in suppress.get(label, ()))]
        if label in ps.negatable:
            keep = [s for s in keep if not _negated(doc, s, ps, sent_start[sent_of[s[0]]])]
        if keep:
            cues[label] = _merge(keep, sent_of)
    for rule in ps.precedence:
        if rule.drop not in cues:
            continue
        others = [s for w in rule.when for s in cues.get(w, ())]
        if not others:
            continue
        cues[rule.drop] = [s for s in cues[rule.drop] if not _beaten(s, others, rule.scope,
                                                                     sent_of)]
    out = [Span(doc, s, e, label=label) for label, spans in cues.items() for s, e in spans]
    return sorted(out, key=lambda sp: (sp.start, sp.end, sp.label_))


def _beaten(span: tuple[int, int], others: Sequence[tuple[int, int]], scope: str,
            sent_of: list[int]) -> bool:
    sent = sent_of[span[0]]
    for o in others:
        if scope == "overlap" and _overlaps(span, o):
            return True
        if scope == "turn":
            return True
        if scope in ("sentence", "before") and sent_of[o[0]] == sent:
            return True
        if scope == "before" and o[0] < span[0]:
            return True
    return False


@Language.factory(COMPONENT, default_config={"patterns_dir": None})
def _make_cue_detector(nlp: Language, name: str, patterns_dir: str | None) -> CueDetector:
    return CueDetector(nlp, name, patterns_dir)


def make_nlp(nlp: Language | None = None, *, patterns_dir: str | Path | None = None) -> Language:
    """The default cue pipeline: blank English, a sentencizer and ``serviceart_cues``.

    No trained model and no download are needed. Pass your own ``nlp`` (e.g. a
    trained pipeline) to add the cue component to it instead.

    Parameters
    ----------
    nlp
        An existing pipeline to extend; ``spacy.blank("en")`` when ``None``.
    patterns_dir
        A folder of pattern files to use instead of the shipped ones.

    Returns
    -------
    spacy.language.Language

    Examples
    --------
    >>> nlp = make_nlp()
    >>> doc = nlp("Thanks for waiting. I'll call you back tomorrow.")
    >>> [(s.label_, s.text) for s in doc.spans["serviceart"]]
    [('courtesy', 'Thanks'), ('promise', "I'll call you back")]
    """
    import spacy

    if nlp is None:
        nlp = spacy.blank("en")
    if not any(nlp.has_pipe(p) for p in ("sentencizer", "senter", "parser")):
        nlp.add_pipe("sentencizer")
    if nlp.has_pipe(COMPONENT):
        nlp.remove_pipe(COMPONENT)
    config: dict[str, Any] = {"patterns_dir": None if patterns_dir is None else str(patterns_dir)}
    nlp.add_pipe(COMPONENT, config=config)
    return nlp


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                         "\u02bc": "'"})


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def normalise(text: str) -> str:
    """Text prepared for matching, with character offsets unchanged.

    Typographic quotes become ASCII ones, and a turn written mostly in capitals
    is lower-cased (ASCII only, one character for one), since the tokenizer
    does not split shouted contractions such as "I'LL".

    Examples
    --------
    >>> normalise("I\u2019LL CALL YOU BACK")
    "i'll call you back"
    """
    text = text.translate(_QUOTES)
    letters = sum(c.isalpha() for c in text)
    if letters >= 4 and sum(c.isupper() for c in text) >= 0.6 * letters:
        text = text.translate(_ASCII_LOWER)
    return text


def detect(
    texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = 256
) -> list[list[tuple[str, int, int]]]:
    """Cues found in each text, as ``(cue, start_char, end_char)``, role not applied.

    Parameters
    ----------
    texts
        Turn texts.
    nlp
        A pipeline from :func:`make_nlp`; a new default one when ``None``.
    batch_size
        Texts per spaCy batch.

    Returns
    -------
    list of list of tuple
        One list per text, in text order.

    Examples
    --------
    >>> detect(["Sorry for the wait. I'll call you back tomorrow."])
    [[('apology', 0, 5), ('promise', 20, 38)]]
    """
    nlp = nlp or make_nlp()
    out: list[list[tuple[str, int, int]]] = []
    for doc in nlp.pipe((normalise(t) for t in texts), batch_size=batch_size):
        out.append([(s.label_, s.start_char, s.end_char) for s in doc.spans[SPANS_KEY]])
    return out
