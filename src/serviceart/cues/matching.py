"""The matching machinery behind ``serviceart_cues``: norm rewriting, token patterns
listed as phrase families, and gated token patterns.

Speed comes from doing per-token work in spaCy's compiled matchers and per-document
work with C-level set operations:

- :class:`NormRewriter` touches only the documents holding a norm it rewrites;
- :func:`expand` lists the exact phrase family of a token pattern made only of
  literal norms (``{"NORM": ...}`` or ``{"NORM": {"IN": [...]}}`` with ``?`` or
  ``{m,n}``), so it runs in the ``PhraseMatcher`` with the phrase patterns;
- :class:`GatedPatterns` keeps every other token pattern in its own ``Matcher``
  and runs it only where the phrase matcher found its anchor (its best run of
  literal norms, see :func:`anchor`) and the document holds a norm of each of
  its other required tokens, and only on the tokens a match around that anchor
  can reach, when that window too holds a norm of each of its required tokens.
  Each gate is a necessary condition of a match, so the matches are
  exactly those of one ``Matcher`` over every document
  (``tests/cues/test_matching.py`` checks this against plain spaCy matchers);
- a wide bounded repeat (``{0,12}``) is one optional state per copy in spaCy's
  ``Matcher``, whose paths multiply (half a millisecond a call): a gated pattern
  runs with such repeats unbounded (:func:`relax`) and keeps the matches that fit
  the bounds (:class:`_Relaxed`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.attrs import NORM
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from ..errors import ConfigError
from .families import Family, family_phrases

__all__ = ["MAX_VARIANTS", "RELAX", "GatedPatterns", "NormRewriter", "Phrase", "add_phrases",
           "anchor", "expand", "phrase_doc", "phrase_key", "relax"]

#: Most phrases one token pattern may expand to; a larger family stays a token pattern.
MAX_VARIANTS = 5000

#: A bounded repeat with at least this many optional copies (``{m,n}``, n - m >= RELAX)
#: runs unbounded in a gated pattern's matcher (see :func:`relax`).
RELAX = 5

_REPEAT = re.compile(r"^\{(\d*),?(\d*)\}$")


class NormRewriter:
    """Rewrites token norms so that one pattern covers spelling and clitic variants.

    Parameters
    ----------
    vocab
        The pipeline's vocab (strings are added to its store).
    rules
        The ``norms`` section of ``rules.json``.
    """

    def __init__(self, vocab: Vocab, rules: dict[str, Any]) -> None:
        add = vocab.strings.add
        self._map: dict[int, int] = {add(k): add(v) for k, v in rules.get("map", {}).items()}
        self._clitic: dict[int, int] = {
            add(k): add(v) for k, v in rules.get("after_pronoun", {}).items()
        }
        self._pronouns = frozenset(add(w) for w in rules.get("pronouns", []))
        self._has_before = frozenset(add(w) for w in rules.get("has_before", []))
        self._has = add("has")
        self._is = add("is")
        self._keys = frozenset({*self._map, *self._clitic})
        self._text = {h: vocab.strings[h] for h in (*self._map.values(), *self._clitic.values(),
                                                    self._has)}

    def __call__(self, doc: Doc) -> Doc:
        """Rewrite the norms of ``doc`` in place and return it."""
        self.rewrite(doc)
        return doc

    def rewrite(self, doc: Doc) -> list[int]:
        """Rewrite the norms of ``doc`` in place; return its token norms (hashes), rewritten.

        Context (the pronoun before a clitic, the word after it) is read from the
        norms as they were before any rewrite.
        """
        if not len(doc):
            return []
        norms: list[int] = doc.to_array(NORM).tolist()
        if self._keys.isdisjoint(norms):
            return norms
        out = list(norms)
        last = len(norms) - 1
        for i, key in enumerate(norms):
            if key not in self._keys:
                continue
            if key in self._clitic and i > 0 and norms[i - 1] in self._pronouns:
                new = self._clitic[key]
                if new == self._is and i < last and norms[i + 1] in self._has_before:
                    new = self._has
            elif key in self._map:
                new = self._map[key]
            else:
                continue
            doc[i].norm_ = self._text[new]
            out[i] = new
        return out


def _bounds(op: Any) -> tuple[int, int | None] | None:
    """How often a token may repeat under ``op``: (min, max or None when unbounded),
    or ``None`` for a negation."""
    if op is None or op == "1":
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, None
    if op == "+":
        return 1, None
    if op == "!":
        return None
    m = _REPEAT.match(str(op))
    if m is None:
        return None
    lo, hi = m.group(1), m.group(2)
    if "," not in str(op):
        return int(lo), int(lo)
    return int(lo or 0), (int(hi) if hi else None)


def _literal_norms(spec: dict[str, Any]) -> list[str] | None:
    """The norms a token spec accepts when it only tests ``NORM``, else ``None``."""
    norm = spec.get("NORM")
    if isinstance(norm, str):
        return [norm]
    if (isinstance(norm, dict) and set(norm) == {"IN"} and isinstance(norm["IN"], list)
            and norm["IN"] and all(isinstance(w, str) for w in norm["IN"])):
        return list(dict.fromkeys(norm["IN"]))
    return None


def family(pattern: Sequence[dict[str, Any]], limit: int = MAX_VARIANTS) -> Family | None:
    """The phrase family of a token pattern as slots (see
    :mod:`~serviceart.cues.families`), or ``None`` when :func:`expand` would give
    ``None``."""
    if not pattern:
        return None
    slots: list[tuple[tuple[str, ...], int, int]] = []
    total = 1
    for i, spec in enumerate(pattern):
        if set(spec) - {"NORM", "OP"}:
            return None
        words = _literal_norms(spec)
        bounds = _bounds(spec.get("OP"))
        if words is None or bounds is None:
            return None
        lo, hi = bounds
        if hi is None or (lo == 0 and i in (0, len(pattern) - 1)):
            return None
        total *= sum(len(words) ** k for k in range(lo, hi + 1))
        if total > limit:
            return None
        slots.append((tuple(words), lo, hi))
    return tuple(slots)


def expand(pattern: Sequence[dict[str, Any]],
           limit: int = MAX_VARIANTS) -> list[tuple[str, ...]] | None:
    """The phrase family of a token pattern: every norm sequence it matches.

    Only patterns whose tokens all test ``NORM`` alone (a string or ``IN`` list),
    with a bounded ``OP`` (none, ``?``, ``{m,n}``), and whose first and last tokens
    are required, are listed; the family then matches exactly what the token
    pattern matches. Other patterns, or families of more than ``limit`` phrases,
    give ``None``.

    Examples
    --------
    >>> expand([{"NORM": "does"}, {"NORM": "it", "OP": "?"}, {"NORM": {"IN": ["work", "help"]}}])
    [('does', 'work'), ('does', 'help'), ('does', 'it', 'work'), ('does', 'it', 'help')]
    >>> expand([{"NORM": "still"}, {"IS_ALPHA": True}]) is None
    True
    """
    slots = family(pattern, limit)
    return None if slots is None else family_phrases(slots)


#: A phrase pattern of a ``PhraseMatcher(attr="NORM")``: a Doc, or its token norms as
#: hashes (see :func:`phrase_key`).
Phrase = Doc | tuple[int, ...]


def phrase_doc(vocab: Vocab, norms: Sequence[str]) -> Doc:
    """A Doc for the ``PhraseMatcher`` whose token norms are exactly ``norms``."""
    doc = Doc(vocab, words=list(norms))
    for token, norm in zip(doc, norms, strict=True):
        token.norm_ = norm
    return doc


def add_phrases(matcher: PhraseMatcher, key: str, phrases: Sequence[Phrase]) -> None:
    """``matcher.add(key, phrases)`` with Doc patterns, :func:`phrase_key` ones or both
    (spaCy's type stubs name Docs only; its code takes norm arrays too)."""
    matcher.add(key, list(phrases))  # type: ignore[arg-type]


def phrase_key(vocab: Vocab, norms: Sequence[str]) -> tuple[int, ...]:
    """The pattern :func:`phrase_doc` gives a ``PhraseMatcher(attr="NORM")``, without
    the Doc: the norms' hashes, which is all the matcher keeps of a Doc pattern (its
    ``add`` takes such arrays as patterns too, as spaCy's own unpickling does). Phrase
    families expand to tens of thousands of variants: a Doc each cost seconds and
    hundreds of megabytes at start-up."""
    add = vocab.strings.add
    return tuple(add(n) for n in norms)


def _required_slots(pattern: Sequence[dict[str, Any]], vocab: Vocab) -> list[frozenset[int]]:
    """For each token a match cannot do without, the norms it accepts (hashes)."""
    out = []
    for spec in pattern:
        bounds = _bounds(spec.get("OP"))
        words = _literal_norms(spec)
        if bounds is None or bounds[0] < 1 or words is None:
            continue
        out.append(frozenset(vocab.strings.add(w) for w in words))
    return out


def _span(specs: Sequence[dict[str, Any]]) -> int | None:
    """Most tokens ``specs`` can match, or ``None`` when unbounded (or when one is a
    negation, which looks at a token it may not match: window edges must not cut it)."""
    total = 0
    for spec in specs:
        bounds = _bounds(spec.get("OP"))
        if bounds is None or bounds[1] is None:
            return None
        total += bounds[1]
    return total


def _reach(specs: Sequence[dict[str, Any]], vocab: Vocab) -> frozenset[int] | None:
    """The norms (hashes) that every token a match of ``specs`` takes must have, when
    each spec tests ``NORM`` (see :func:`_literal_norms`) and none is a negation;
    ``None`` otherwise. A match of ``specs`` then lies within a run of such tokens,
    which bounds how far an unbounded part (``*``, ``+``) can reach."""
    out: set[int] = set()
    for spec in specs:
        words = _literal_norms(spec)
        if words is None or _bounds(spec.get("OP")) is None:
            return None
        out.update(vocab.strings.add(w) for w in words)
    return frozenset(out)


def _best_run(pattern: Sequence[dict[str, Any]], stop: frozenset[str],
              limit: int) -> tuple[int, int, Family | None]:
    """The run ``pattern[i:j]`` whose family anchors the pattern (see :func:`anchor`)."""
    n = len(pattern)
    runs: list[tuple[int, int, Family]] = []
    for i in range(n):
        for j in range(i + 1, n + 1):
            run = [{"NORM": spec.get("NORM"), "OP": spec.get("OP")} for spec in pattern[i:j]]
            slots = family(run, limit)
            if slots is not None:
                runs.append((i, j, slots))
    if not runs:
        return 0, 0, None
    # the shortest phrase's length first: only the longest runs need their phrases listed
    longest = max(max(1, sum(lo for _, lo, _ in slots)) for _, _, slots in runs)
    best: tuple[int, int, Family | None] = (0, 0, None)
    best_key: tuple[int, int] | None = None
    for i, j, slots in runs:
        if max(1, sum(lo for _, lo, _ in slots)) < longest:
            continue
        phrases = family_phrases(slots)
        common = max(sum(w in stop for w in p) / len(p) for p in phrases)
        key = (-round(common * 100), -len(phrases))
        if best_key is None or key > best_key:
            best, best_key = (i, j, slots), key
    return best


def anchor(pattern: Sequence[dict[str, Any]], stop: frozenset[str] = frozenset(STOP_WORDS),
           limit: int = MAX_VARIANTS) -> list[tuple[str, ...]]:
    """Norm sequences of which every match of ``pattern`` holds one: the phrase family
    of its best run of consecutive tokens that test a literal ``NORM`` (other tests
    on those tokens are ignored), with bounded repeats, required at both ends.

    The longest run wins, then the one with fewer very common words, then the one
    with fewer phrases. Empty when the pattern has no such token.

    Examples
    --------
    >>> anchor([{"NORM": {"IN": ["i", "we"]}}, {"NORM": "will"},
    ...         {"NORM": "just", "OP": "*"}, {"IS_ALPHA": True}])
    [('i', 'will'), ('we', 'will')]
    """
    slots = _best_run(pattern, stop, limit)[2]
    return [] if slots is None else family_phrases(slots)


def relax(pattern: Sequence[dict[str, Any]],
          wide: int = RELAX) -> tuple[list[dict[str, Any]], list[int]] | None:
    """``pattern`` with each wide bounded repeat (``{m,n}`` with ``n - m >= wide``)
    written as ``m`` copies of its token and one ``*``, and for each token of the new
    pattern the index of the token it comes from; ``None`` when no repeat is wide.

    The new pattern matches every span the old one matches and more (longer
    repeats): :class:`_Relaxed` keeps those that fit the bounds.

    Examples
    --------
    >>> tokens, origin = relax([{"NORM": "if"}, {"IS_PUNCT": False, "OP": "{1,8}"},
    ...                         {"NORM": "not"}])
    >>> tokens
    [{'NORM': 'if'}, {'IS_PUNCT': False}, {'IS_PUNCT': False, 'OP': '*'}, {'NORM': 'not'}]
    >>> origin
    [0, 1, 1, 2]
    >>> relax([{"NORM": "if"}, {"IS_PUNCT": False, "OP": "{0,2}"}]) is None
    True
    """
    out: list[dict[str, Any]] = []
    origin: list[int] = []
    changed = False
    for i, spec in enumerate(pattern):
        bounds = _bounds(spec.get("OP"))
        if bounds is None or bounds[1] is None or bounds[1] - bounds[0] < wide:
            out.append(dict(spec))
            origin.append(i)
            continue
        token = {k: v for k, v in spec.items() if k != "OP"}
        out += [dict(token) for _ in range(bounds[0])]
        out.append({**token, "OP": "*"})
        origin += [i] * (bounds[0] + 1)
        changed = True
    return (out, origin) if changed else None


class _Relaxed:
    """The matches of a pattern, found by its :func:`relax` form (no path explosion)
    and filtered to the original bounds: exactly the original pattern's matches.

    When the pattern has one wide repeat and each other token matches exactly one
    token, a match's length tells the repeat's count. Otherwise each match's
    alignment is read: if it keeps every wide repeat within its bounds it is a
    path of the original pattern; if not (another path may exist), the original
    pattern is run on the matched tokens alone to decide.
    """

    __slots__ = ("_exact", "_fixed", "_hi", "_max_len", "_origin", "matcher")

    def __init__(self, vocab: Vocab, label: str, pattern: Sequence[dict[str, Any]],
                 relaxed: list[dict[str, Any]], origin: list[int]) -> None:
        self.matcher = Matcher(vocab, validate=True)
        self.matcher.add(label, [relaxed])
        self._exact = Matcher(vocab, validate=True)
        self._exact.add(label, [list(pattern)])
        self._origin = origin
        bounds = [_bounds(spec.get("OP")) for spec in pattern]
        #: the most tokens each wide repeat may take, by its index in ``pattern``
        self._hi: dict[int, int] = {}
        for spec, i in zip(relaxed, origin, strict=True):
            b = bounds[i]
            if spec.get("OP") == "*" and b is not None and b[1] is not None:
                self._hi[i] = b[1]
        wide = set(self._hi)
        others_once = all(bounds[i] == (1, 1) for i in range(len(pattern)) if i not in wide)
        #: with one wide repeat and every other token once: how many tokens the others take
        self._fixed = len(pattern) - 1 if len(wide) == 1 and others_once else None
        span = _span(pattern)
        self._max_len = span if span is not None else -1

    def __call__(self, doclike: Doc | Span) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each match in ``doclike``, relative to it."""
        if self._fixed is not None:
            (hi,) = self._hi.values()
            for _, start, end in self.matcher(doclike):
                if end - start - self._fixed <= hi:
                    yield start, end
            return
        for _, start, end, align in self.matcher(doclike, with_alignments=True):  # type: ignore[misc]
            if 0 <= self._max_len < end - start:
                continue
            counts: dict[int, int] = {}
            for a in align:
                o = self._origin[a]
                counts[o] = counts.get(o, 0) + 1
            if all(counts.get(i, 0) <= hi for i, hi in self._hi.items()) or any(
                    s == 0 and e == end - start for _, s, e in self._exact(doclike[start:end])):
                yield start, end


class _SlotBits:
    """Required tokens of gated patterns as bits of an int, so that whether a run of
    norms holds a norm of each required token of a pattern is one ``&``.

    A slot (the norms one required token accepts) has a bit; a norm stands for the
    bits of the slots that accept it, and a run of norms holds the union of its
    norms' bits (:meth:`held`). Identical slots share a bit.
    """

    __slots__ = ("_bit", "_of", "_words")

    def __init__(self) -> None:
        self._bit: dict[frozenset[int], int] = {}
        self._of: dict[int, int] = {}  # norm -> the bits of the slots that accept it
        self._words: frozenset[int] | None = frozenset()  # its keys (None: to be made)

    def need(self, slots: Sequence[frozenset[int]]) -> int:
        """The bits of ``slots`` (each given a bit on first sight)."""
        out = 0
        for slot in slots:
            bit = self._bit.get(slot)
            if bit is None:
                bit = self._bit[slot] = 1 << len(self._bit)
                for w in slot:
                    self._of[w] = self._of.get(w, 0) | bit
                self._words = None
            out |= bit
        return out

    def held(self, norms: Sequence[int]) -> int:
        """The bits of the slots that some norm of ``norms`` fills."""
        if self._words is None:
            self._words = frozenset(self._of)
        of = self._of
        out = 0
        for w in self._words.intersection(norms):
            out |= of[w]
        return out


@dataclass(frozen=True)
class _Gated:
    #: ``(label, suppress)`` of each pattern this one runs for: identical patterns of
    #: several labels (one suppressor per cue, say) are matched once
    labels: tuple[tuple[str, bool], ...]
    #: the bits (see :class:`_SlotBits`) of the required tokens outside the anchor run
    #: (the anchor's match holds a norm of each required token in the run); 0: none
    need: int
    matcher: Matcher | _Relaxed
    before: int | None  # most tokens a match has before its anchor (None: unbounded)
    after: int | None  # most tokens a match has after its anchor
    #: when ``before`` / ``after`` is unbounded: the norms the tokens there must have
    #: (a match reaches no further than the run of such tokens), or None
    before_norms: frozenset[int] | None = None
    after_norms: frozenset[int] | None = None


class GatedPatterns:
    """Token patterns, each run only where a match can be.

    A pattern runs when its anchor phrase family (see :func:`anchor`) was found
    by the phrase matcher and the document holds a norm of each of its other
    required tokens; both are necessary for a match. It then runs on the window
    of tokens around each anchor that a match can reach. Where the pattern can grow
    without bound (``*``, ``+``), the window reaches as far as the run of tokens
    whose norms the unbounded part accepts, or to the document's edge when that
    part tests more than norms. Patterns without an anchor run on every document.
    A pattern given under several labels (or as a suppressor of several cues) runs
    once, and each of its matches is given for each of them.

    Parameters
    ----------
    vocab
        The pipeline's vocab.
    patterns
        ``(label, pattern, suppress, id)`` as in :class:`~serviceart.cues.rules.PatternSet`.

    Raises
    ------
    ConfigError
        When spaCy rejects a pattern, naming its id and where it is.
    """

    def __init__(self, vocab: Vocab,
                 patterns: Sequence[tuple[str, list[dict[str, Any]], bool, str]]) -> None:
        stop = frozenset(STOP_WORDS)
        self._patterns: list[_Gated] = []
        self._always: list[int] = []
        self._always_set: frozenset[int] = frozenset()
        #: anchor key (to add to the phrase matcher) -> its phrase family
        self.anchors: dict[str, Family] = {}
        self._by_anchor: dict[int, int] = {}
        self._count = len(patterns)
        self._slots = _SlotBits()
        same: dict[str, list[tuple[str, bool]]] = {}  # a pattern's JSON -> its labels
        first: list[tuple[str, list[dict[str, Any]], str, list[tuple[str, bool]]]] = []
        for label, pattern, suppress, pid in patterns:
            text = json.dumps(pattern, sort_keys=True, default=repr)
            if text not in same:
                same[text] = []
                first.append((label, pattern, pid, same[text]))
            same[text].append((label, suppress))
        for label, pattern, pid, labels in first:
            matcher: Matcher | _Relaxed = Matcher(vocab, validate=True)
            try:
                matcher.add(label, [pattern])  # type: ignore[union-attr]
                relaxed = relax(pattern)
                if relaxed is not None:
                    matcher = _Relaxed(vocab, label, pattern, *relaxed)
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"invalid token pattern {pid}: {exc}", field=label,
                                  code="SA-C042") from exc
            k = len(self._patterns)
            i, j, slots = _best_run(pattern, stop, MAX_VARIANTS)
            need = self._slots.need(_required_slots([*pattern[:i], *pattern[j:]], vocab))
            self._patterns.append(_Gated(tuple(labels), need, matcher,
                                         _span(pattern[:i]), _span(pattern[j:]),
                                         _reach(pattern[:i], vocab), _reach(pattern[j:], vocab)))
            if slots is None:
                self._always.append(k)
                continue
            key = f"serviceart.anchor.{k}"
            self.anchors[key] = slots
            self._by_anchor[vocab.strings.add(key)] = k
        self._always_set = frozenset(self._always)

    def __len__(self) -> int:
        return self._count

    @property
    def unanchored(self) -> bool:
        """Whether some pattern has no anchor and so runs on every document."""
        return bool(self._always)

    def __call__(self, doc: Doc, norms: Sequence[int], anchors: Sequence[tuple[int, int, int]]
                 ) -> Iterator[tuple[str, bool, int, int]]:
        """Matches in ``doc`` as ``(label, suppress, start, end)``.

        ``norms`` are its token norms (hashes) as the matchers see them, and
        ``anchors`` the ``(match_id, start, end)`` anchor matches that the phrase
        matcher found in it.
        """
        if not anchors and not self._always:
            return
        n = len(doc)
        patterns = self._patterns
        windows: dict[int, list[tuple[int, int]]] = {k: [(0, n)] for k in self._always}
        failed: set[int] = set()  # patterns a required norm of which the doc lacks
        present: int | None = None  # the required tokens the doc has a norm of
        for match_id, start, end in anchors:
            k = self._by_anchor[match_id]
            if k in failed:
                continue
            p = patterns[k]
            found = windows.get(k)
            if found is None:
                if p.need:
                    if present is None:
                        present = self._slots.held(norms)
                    if present & p.need != p.need:
                        failed.add(k)
                        continue
                found = windows[k] = []
            if p.before is not None:
                lo = start - p.before if start > p.before else 0
            elif p.before_norms is not None:  # back to the first token it cannot take
                lo, allowed = start, p.before_norms
                while lo > 0 and norms[lo - 1] in allowed:
                    lo -= 1
            else:
                lo = 0
            if p.after is not None:
                hi = end + p.after if end + p.after < n else n
            elif p.after_norms is not None:
                hi, allowed = end, p.after_norms
                while hi < n and norms[hi] in allowed:
                    hi += 1
            else:
                hi = n
            found.append((lo, hi))
        for k in sorted(windows):
            p = patterns[k]
            if k in self._always_set:  # no anchor: its required norms not checked yet
                if present is None:
                    present = self._slots.held(norms)
                if present & p.need != p.need:
                    continue
            for lo, hi in _union(windows[k]):
                part: Doc | Span
                if lo == 0 and hi == n:
                    part = doc
                else:  # a match lies in its window: so do a norm of each required token
                    if p.need and self._slots.held(norms[lo:hi]) & p.need != p.need:
                        continue
                    part = doc[lo:hi]
                for start, end in _spans(p.matcher, part):
                    for label, suppress in p.labels:
                        yield label, suppress, lo + start, lo + end


def _spans(matcher: Matcher | _Relaxed, part: Doc | Span) -> Iterable[tuple[int, int]]:
    """``(start, end)`` of each match of ``matcher`` in ``part``, relative to it."""
    if isinstance(matcher, _Relaxed):
        return matcher(part)
    return [(start, end) for _, start, end in matcher(part)]


def _union(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching windows joined, in order."""
    if len(windows) == 1:
        return windows
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out
