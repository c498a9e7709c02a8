"""From raw matches to cues: suppressors, negation, merging and precedence.

Works on token offsets, token norms (hashes) and the sentence starts (read only
when a rule needs them), so that no spaCy ``Token`` or ``Span`` object is made on
the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spacy.attrs import SENT_START
from spacy.strings import StringStore
from spacy.tokens import Doc

from .rules import PatternSet

__all__ = ["MERGE_GAP", "idiom_hashes", "negating_norms", "resolve"]

#: Spans of one cue at most this many tokens apart in a sentence are merged.
MERGE_GAP = 2

Spans = list[tuple[int, int]]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(spans: Iterable[tuple[int, int]], sents: _Sentences,
           gap: int = MERGE_GAP) -> Spans:
    """Spans of one label merged when they overlap or stand within ``gap`` tokens
    of each other in the same sentence: one cue, one evidence row."""
    merged: Spans = []
    for s, e in sorted(set(spans)):
        if merged and s - merged[-1][1] <= gap and sents.same(merged[-1][1] - 1, s):
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


class _Sentences:
    """Whether two tokens share a sentence, read from the sentence starts on first use
    (most docs never need it)."""

    __slots__ = ("_doc", "_starts")

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._starts: list[int] | None = None

    def same(self, a: int, b: int) -> bool:
        """Tokens ``a`` and ``b`` are in one sentence: no sentence starts after the
        first of them, up to the second."""
        if self._starts is None:
            self._starts = self._doc.to_array(SENT_START).tolist()
        lo, hi = (a, b) if a <= b else (b, a)
        return 1 not in self._starts[lo + 1:hi + 1]


def idiom_hashes(strings: StringStore, idioms: Mapping[str, Iterable[str]]
                 ) -> dict[int, frozenset[int]]:
    """``rules.json``'s negation idioms as hashes: negator -> the words after which it
    opens a set phrase ("no" before "problem"), not a negation."""
    return {strings.add(k): frozenset(strings.add(w) for w in v) for k, v in idioms.items()}


def negating_norms(norms: list[int], idioms: Mapping[int, frozenset[int]]) -> list[int]:
    """``norms`` as negation reads them: a negator that opens a set phrase (see
    :func:`idiom_hashes`) is blanked out (0); ``norms`` itself when none does."""
    if not idioms or idioms.keys().isdisjoint(norms):
        return norms
    out = list(norms)
    for i in range(len(norms) - 1):
        after = idioms.get(norms[i])
        if after is not None and norms[i + 1] in after:
            out[i] = 0
    return out


def _negated(start: int, sents: _Sentences, norms: Sequence[int],
             negators: frozenset[int], window: int) -> bool:
    """A negator stands within ``window`` tokens before ``start``, in its sentence."""
    return any(norms[i] in negators and sents.same(i, start)
               for i in range(max(0, start - window), start))


def _beaten(span: tuple[int, int], others: Sequence[tuple[int, int]], scope: str,
            sents: _Sentences) -> bool:
    if scope == "overlap":
        return any(_overlaps(span, o) for o in others)
    if scope == "turn":
        return bool(others)
    return any((scope == "before" and o[0] < span[0]) or sents.same(o[0], span[0])
               for o in others)


def resolve(
    found: Mapping[str, Spans],
    suppress: Mapping[str, Spans],
    ps: PatternSet,
    *,
    doc: Doc,
    norms: Sequence[int],
    negators: frozenset[int],
) -> list[tuple[int, int, str]]:
    """The cues kept, as ``(start, end, label)`` token offsets sorted by position and label.

    Parameters
    ----------
    found, suppress
        Matches per label, of positive patterns and of suppressors.
    ps
        The pattern set (negation and precedence rules).
    doc
        The document (its sentence starts are read when a rule needs them).
    norms
        Token norms (hashes) of the document, as matched.
    negators
        Hashes of the negator norms.
    """
    sents = _Sentences(doc)
    cues: dict[str, Spans] = {}
    for label, spans in found.items():
        blockers = suppress.get(label, ())
        keep = [s for s in spans if not any(_overlaps(s, q) for q in blockers)]
        if label in ps.negatable:
            keep = [s for s in keep
                    if not _negated(s[0], sents, norms, negators, ps.negation_window)]
        if keep:
            cues[label] = _merge(keep, sents)
    for rule in ps.precedence:
        if rule.drop not in cues:
            continue
        others = [s for w in rule.when for s in cues.get(w, ())]
        if not others:
            continue
        cues[rule.drop] = [s for s in cues[rule.drop]
                           if not _beaten(s, others, rule.scope, sents)]
    return sorted((s, e, label) for label, spans in cues.items() for s, e in spans)
