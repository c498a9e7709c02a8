"""The ``serviceart_cues`` spaCy component and the default model-free pipeline.

Matching is on token norms (``NORM``), so that one pattern covers contractions
and case: ``"i will call you back"`` matches "I'll call you back", "I’ll call
you back" and "I WILL call you back", while "I won't call you back" (norms
``i will not call``) does not.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from ..codebook import CUES
from ..errors import ConfigError
from .families import Family, PhraseFamilies
from .learned import COMPONENT as MODEL_COMPONENT
from .learned import MODEL_KEY, ROLES_KEY
from .matching import GatedPatterns, NormRewriter, Phrase, family
from .resolve import idiom_hashes, negating_norms, resolve
from .rules import load_patterns
from .sentences import FACTORY as SENTENCIZER

__all__ = ["COMPONENT", "ROLES_KEY", "SPANS_KEY", "CueDetector", "detect", "make_nlp"]

COMPONENT = "serviceart_cues"
SPANS_KEY = "serviceart"


class CueDetector:
    """Finds codebook cues in a Doc and stores them in ``doc.spans["serviceart"]``.

    Phrase patterns, and token patterns that list an exact phrase family (see
    :func:`~serviceart.cues.matching.expand`), run in one ``PhraseMatcher`` on
    norms; the other token patterns run gated (see
    :class:`~serviceart.cues.matching.GatedPatterns`).

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
        self._nlp = nlp
        self.norms = NormRewriter(nlp.vocab, self.patterns.norms)
        self._all = _Matchers(nlp, self.norms, self.patterns.phrases, self.patterns.tokens)
        #: role sets -> the labels their cues need (:meth:`labels_for`)
        self._labels_of: dict[frozenset[str], frozenset[str]] = {}
        #: label sets -> the matchers of those labels only (None: the full ones pay)
        self._by_labels: dict[frozenset[str], _Matchers | None] = {}
        strings = nlp.vocab.strings
        self._negators = frozenset(strings.add(w) for w in self.patterns.negators)
        #: negator hash -> hashes of the words after which it is no negation ("no problem")
        self._idioms = idiom_hashes(strings, self.patterns.negation_idioms)
        if not nlp.has_pipe("sentencizer") and not nlp.has_pipe("senter") and not (
            nlp.has_pipe("parser")
        ):
            raise ConfigError(
                f"the {COMPONENT} component needs sentence boundaries: add a 'sentencizer' "
                "(or a parser) before it, or build the pipeline with serviceart.make_nlp()",
                code="SA-C043"
            )

    @property
    def phrase_matcher(self) -> PhraseFamilies:
        """The phrase matcher of every label's phrases, families and anchors."""
        return self._all.phrase_matcher

    @property
    def token_patterns(self) -> GatedPatterns:
        """The gated token patterns of every label."""
        return self._all.token_patterns

    @property
    def _keys(self) -> dict[int, tuple[str, bool]]:
        return self._all.keys

    def labels_for(self, roles: frozenset[str]) -> frozenset[str]:
        """The labels whose patterns decide the cues of ``roles``: the cues of those
        roles and, through the precedence rules, every cue that can drop one of them."""
        labels = {c for c, cue in CUES.items() if cue.role in roles}
        grown = True
        while grown:
            grown = False
            for rule in self.patterns.precedence:
                if rule.drop in labels and not labels.issuperset(rule.when):
                    labels.update(rule.when)
                    grown = True
        return frozenset(labels)

    def _matchers(self, roles: frozenset[str] | None) -> _Matchers:
        """The matchers for a doc whose cues are wanted for ``roles`` only (all when
        ``None``): those of the roles' labels when they hold at most half the patterns
        (built once per label set, so role sets needing the same labels share them),
        else the full ones."""
        if roles is None:
            return self._all
        keep = self._labels_of.get(roles)
        if keep is None:
            keep = self._labels_of[roles] = self.labels_for(roles)
        if keep not in self._by_labels:
            phrases = [p for p in self.patterns.phrases if p[0] in keep]
            tokens = [t for t in self.patterns.tokens if t[0] in keep]
            total = len(self.patterns.phrases) + len(self.patterns.tokens)
            small = len(phrases) + len(tokens) <= total // 2
            self._by_labels[keep] = (_Matchers(self._nlp, self.norms, phrases, tokens)
                                     if small else None)
        return self._by_labels[keep] or self._all

    def __call__(self, doc: Doc) -> Doc:
        """Detect cues in ``doc`` and store them as labelled spans.

        When ``doc.user_data`` names the roles whose cues are wanted (:data:`ROLES_KEY`),
        only the cues those roles can have are certain to be found; others may be
        missing (their turns drop them anyway)."""
        norms = self.norms.rewrite(doc)
        found, suppress = self._matchers(doc.user_data.get(ROLES_KEY)).match(doc, norms)
        if not found:
            doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY)
            return doc
        cues = resolve(found, suppress, self.patterns, doc=doc,
                       norms=negating_norms(norms, self._idioms), negators=self._negators)
        spans = [Span(doc, _after_handles(doc, s, e), e, label=label) for s, e, label in cues]
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans)
        return doc



def _after_handles(doc: Doc, start: int, end: int) -> int:
    """Where a cue's span starts: after the @-handles it begins with, if any (a pattern
    may anchor on the handles a tweet opens with; the cue is the words after them)."""
    while start < end - 1 and doc[start].text.startswith("@"):
        start += 1
    return start


class _Matchers:
    """The phrase matcher and gated token patterns of a set of phrase and token patterns."""

    def __init__(self, nlp: Language, norms: NormRewriter,
                 phrases: Iterable[tuple[str, str, bool]],
                 tokens: Iterable[tuple[str, list[dict[str, Any]], bool, str]]) -> None:
        vocab = nlp.vocab
        self.phrase_matcher = PhraseFamilies(vocab)
        grouped: dict[tuple[str, bool], list[Phrase]] = defaultdict(list)
        for label, text, suppress in phrases:
            grouped[label, suppress].append(norms(nlp.make_doc(text)))
        families: dict[tuple[str, bool], list[Family]] = defaultdict(list)
        token_patterns = []
        for label, pattern, suppress, pid in tokens:
            slots = family(pattern)
            if slots is None:
                token_patterns.append((label, pattern, suppress, pid))
            else:
                families[label, suppress].append(slots)
        self.keys: dict[int, tuple[str, bool]] = {}
        for label, suppress in {*grouped, *families}:
            key = ("!" if suppress else "") + label
            self.keys[vocab.strings.add(key)] = (label, suppress)
            self.phrase_matcher.add(key, grouped.get((label, suppress), []))
            for slots in families.get((label, suppress), []):
                self.phrase_matcher.add_family(key, slots)
        self.token_patterns = GatedPatterns(vocab, token_patterns)
        for key, slots in self.token_patterns.anchors.items():
            self.phrase_matcher.add_family(key, slots)

    def match(self, doc: Doc, norms: list[int]
              ) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]:
        """Matches in ``doc`` (its norms rewritten) per label: positive ones and suppressors."""
        found: dict[str, list[tuple[int, int]]] = {}
        suppress: dict[str, list[tuple[int, int]]] = {}
        anchors: list[tuple[int, int, int]] = []
        keys = self.keys
        for match in self.phrase_matcher(doc, norms):
            match_id, start, end = match
            if match_id not in keys:
                anchors.append(match)
                continue
            label, off = keys[match_id]
            (suppress if off else found).setdefault(label, []).append((start, end))
        for label, off, start, end in self.token_patterns(doc, norms, anchors):
            (suppress if off else found).setdefault(label, []).append((start, end))
        return found, suppress


@Language.factory(COMPONENT, default_config={"patterns_dir": None})
def _make_cue_detector(nlp: Language, name: str, patterns_dir: str | None) -> CueDetector:
    return CueDetector(nlp, name, patterns_dir)


def make_nlp(nlp: Language | None = None, *, patterns_dir: str | Path | None = None,
             model: bool = True, model_path: str | Path | None = None) -> Language:
    """The default cue pipeline: blank English, a sentencizer, ``serviceart_cues`` and
    ``serviceart_cue_model``.

    The sentencizer (named ``sentencizer``) is spaCy's rule-based one, in the
    faster form of :class:`serviceart.cues.sentences.Sentencizer`. The learned
    component (:class:`serviceart.cues.learned.ModelCues`) adds the cues the
    patterns missed, sentence by sentence.

    No trained model and no download are needed. Pass your own ``nlp`` (e.g. a
    trained pipeline) to add the cue component to it instead.

    Parameters
    ----------
    nlp
        An existing pipeline to extend; ``spacy.blank("en")`` when ``None``.
    patterns_dir
        A folder of pattern files to use instead of the shipped ones.
    model
        Add the learned component (patterns only when false).
    model_path
        A model file to use instead of the shipped one.

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
        nlp.add_pipe(SENTENCIZER, name="sentencizer")
    if nlp.has_pipe(COMPONENT):
        nlp.remove_pipe(COMPONENT)
    config: dict[str, Any] = {"patterns_dir": None if patterns_dir is None else str(patterns_dir)}
    nlp.add_pipe(COMPONENT, config=config)
    if nlp.has_pipe(MODEL_COMPONENT):
        nlp.remove_pipe(MODEL_COMPONENT)
    if model:
        nlp.add_pipe(MODEL_COMPONENT, config={
            "model_path": None if model_path is None else str(model_path)})
    return nlp


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                         "\u02bc": "'"})


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER_BYTES = string.ascii_uppercase.encode("ascii")
_ASCII_LOWER_BYTES = string.ascii_lowercase.encode("ascii")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


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
    if text.isascii():  # no typographic quotes; count letters at C speed
        raw = text.encode("ascii")
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER_BYTES))
        if upper < 3:  # fewer than 60% of at least 4 letters
            return text
        letters = upper + len(raw) - len(raw.translate(None, _ASCII_LOWER_BYTES))
        return text.lower() if letters >= 4 and upper >= 0.6 * letters else text
    text = text.translate(_QUOTES)
    # ASCII letters counted at C speed as above, the few other characters one by one
    raw = text.encode("ascii", "ignore")
    upper = len(raw) - len(raw.translate(None, _ASCII_UPPER_BYTES))
    letters = upper + len(raw) - len(raw.translate(None, _ASCII_LOWER_BYTES))
    for c in _NON_ASCII.findall(text):
        letters += c.isalpha()
        upper += c.isupper()
    if letters >= 4 and upper >= 0.6 * letters:
        text = text.translate(_ASCII_LOWER)
    return text


def distinct(texts: Iterable[str]) -> tuple[list[str], list[int]]:
    """The distinct normalised texts (first-seen order) and, per text, its position
    among them.

    Cues depend on a turn's text alone, so a text that comes back (a templated
    reply, "Thanks!", an automated prompt) is analysed once.

    Examples
    --------
    >>> distinct(["Thanks!", "OK", "Thanks!"])
    (['Thanks!', 'OK'], [0, 1, 0])
    """
    index: dict[str, int] = {}
    codes = [index.setdefault(normalise(t), len(index)) for t in texts]
    return list(index), codes


def detect(
    texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = 256
) -> list[list[tuple[str, int, int]]]:
    """Cues found in each text, as ``(cue, start_char, end_char)``, role not applied.

    Pattern cues come first, then the learned component's (when the pipeline has it).

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
    unique, codes = distinct(texts)
    out: list[list[tuple[str, int, int]]] = []
    for doc in nlp.pipe(unique, batch_size=batch_size):
        found = [(s.label_, s.start_char, s.end_char) for s in doc.spans[SPANS_KEY]]
        if MODEL_KEY in doc.spans:
            found += [(s.label_, s.start_char, s.end_char) for s in doc.spans[MODEL_KEY]]
        out.append(found)
    return [list(out[c]) for c in codes]
