"""Phrase families in a ``PhraseMatcher``, a large one listed by an anchor only.

A token pattern made of literal norms with bounded repeats (see
:func:`~serviceart.cues.matching.expand`) matches exactly the phrases of its
family, and the ``PhraseMatcher`` finds those faster than a ``Matcher`` would.
But a family is the product of its tokens' choices: five tokens with a dozen
words each list a quarter of a million phrases, and every phrase costs the
matcher start-up time and about a kilobyte of memory (the shipped patterns
once took 1.6 s and 270 MB to build this way).

:class:`PhraseFamilies` lists a large family by one run of its slots, the
anchor (see :func:`anchor_run`), and extends each anchor match through the
slots on either side by reading the document's norms. Every match of the
family holds a match of its anchor where the anchor's slots are, and every
way of extending it is a match, so the result is exactly what one
``PhraseMatcher`` holding every phrase finds (``tests/cues/test_phrase_families.py``
checks this).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TypeVar

from spacy.attrs import NORM
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["ANCHOR_MAX", "SPLIT_MIN", "Family", "PhraseFamilies", "anchor_run", "family_phrases",
           "family_size"]

#: A slot of a family: the norms one token may take, and how often it repeats (min, max).
Slot = tuple[tuple[str, ...], int, int]
#: A phrase family: its slots in order; the first and last repeat at least once.
Family = tuple[Slot, ...]

#: Families listing more phrases than this are listed by an anchor run.
SPLIT_MIN = 200
#: Most phrases an anchor run may list.
ANCHOR_MAX = 2000


def _slot_size(slot: Slot) -> int:
    words, lo, hi = slot
    return sum(len(words) ** k for k in range(lo, hi + 1))


def family_size(family: Family) -> int:
    """How many token sequences the family lists (with repeats, before removing
    duplicates).

    Examples
    --------
    >>> family_size(((("i", "we"), 1, 1), (("will",), 1, 1), (("call", "ring"), 1, 1)))
    4
    """
    return math.prod(_slot_size(s) for s in family)


def family_phrases(family: Family) -> list[tuple[str, ...]]:
    """The family's phrases (norm sequences), without duplicates, in a fixed order.

    Examples
    --------
    >>> family_phrases(((("does",), 1, 1), (("it",), 0, 1), (("work", "help"), 1, 1)))
    [('does', 'work'), ('does', 'help'), ('does', 'it', 'work'), ('does', 'it', 'help')]
    """
    return _phrases(family)


W = TypeVar("W", str, int)


def _phrases(slots: Sequence[tuple[tuple[W, ...], int, int]]) -> list[tuple[W, ...]]:
    choices = [[w for k in range(lo, hi + 1) for w in itertools.product(words, repeat=k)]
               for words, lo, hi in slots]
    phrases = (tuple(w for part in combo for w in part) for combo in itertools.product(*choices))
    return list(dict.fromkeys(p for p in phrases if p))


def _required(family: Family) -> bool:
    return any(lo >= 1 for _, lo, _ in family)


def anchor_run(family: Family, stop: frozenset[str] = frozenset(STOP_WORDS),
               limit: int = ANCHOR_MAX) -> tuple[int, int]:
    """The run of slots ``family[i:j]`` to list in the matcher for a large family:
    required at both ends, at most ``limit`` phrases; the longest shortest phrase
    wins, then the one with fewer very common words, then the one with fewer
    phrases (rare anchors mean few matches to extend).

    Examples
    --------
    >>> fam = ((("i", "we"), 1, 1), (("will",), 1, 1), (("call", "ring", "phone"), 1, 1),
    ...        (("you", "them"), 1, 1), (("back",), 0, 1))
    >>> anchor_run(fam, limit=6)  # "i will call" and its variants: 2 x 3 phrases
    (0, 3)
    >>> anchor_run(fam, limit=12)  # "we will ring them" and the rest: 12
    (0, 4)
    """
    best: tuple[int, int] = (0, 1)
    best_key: tuple[int, int, int] | None = None
    n = len(family)
    for i in range(n):
        if family[i][1] < 1:
            continue
        for j in range(i + 1, n + 1):
            run = family[i:j]
            if run[-1][1] < 1:
                continue
            size = family_size(run)
            if size > limit:
                break
            length = sum(lo for _, lo, _ in run)
            common = max(sum(w in stop for w in p) / len(p) for p in family_phrases(run))
            key = (length, -round(common * 100), -size)
            if best_key is None or key > best_key:
                best, best_key = (i, j), key
    return best


_HashedSlot = tuple[frozenset[int], int, int]


def _reach(norms: Sequence[int], at: int, slots: Sequence[_HashedSlot], step: int) -> set[int]:
    """Positions a match can reach from ``at`` through ``slots`` (rightwards with
    ``step`` 1: the ends; leftwards with -1, slots in reverse: the starts)."""
    n = len(norms)
    positions = {at}
    for words, lo, hi in slots:
        nxt: set[int] = set()
        for p in positions:
            if lo == 0:
                nxt.add(p)
            q = p
            for k in range(1, hi + 1):
                i = q if step > 0 else q - 1
                if i < 0 or i >= n or norms[i] not in words:
                    break
                q += step
                if k >= lo:
                    nxt.add(q)
        positions = nxt
        if not positions:
            break
    return positions


class PhraseFamilies:
    """A ``PhraseMatcher(attr="NORM")`` that also holds phrase families; a large one
    is listed by its anchor run only (see :func:`anchor_run`) and each anchor match
    is extended through the slots on either side, from the document's norms.

    Parameters
    ----------
    vocab
        The pipeline's vocab.
    smallest
        Families listing at most this many phrases are added whole.
    anchor_max
        Most phrases of an anchor run (see :func:`anchor_run`).
    """

    def __init__(self, vocab: Vocab, smallest: int = SPLIT_MIN,
                 anchor_max: int = ANCHOR_MAX) -> None:
        self.vocab = vocab
        self.matcher = PhraseMatcher(vocab, attr="NORM")
        self._smallest = smallest
        self._anchor_max = anchor_max
        self._keys: set[str] = set()
        #: anchor key (hash) -> (family key hash, slots before the anchor in reverse,
        #: slots after it)
        self._anchors: dict[int, tuple[int, tuple[_HashedSlot, ...], tuple[_HashedSlot, ...]]] = {}
        self.phrases = 0  # phrases added to the matcher

    def __len__(self) -> int:
        """Number of keys (families' and phrases' keys, not their anchors')."""
        return len(self._keys)

    def add(self, key: str, phrases: Sequence[object]) -> None:
        """Add phrase patterns (Docs or norm-hash tuples) under ``key``."""
        if phrases:
            self.matcher.add(key, list(phrases))  # type: ignore[arg-type]
            self._keys.add(key)
            self.phrases += len(phrases)

    def _hashes(self, family: Family) -> list[tuple[int, ...]]:
        add = self.vocab.strings.add
        return _phrases([(tuple(add(w) for w in words), lo, hi) for words, lo, hi in family])

    def add_family(self, key: str, family: Family) -> None:
        """Add the phrases of ``family`` under ``key``, by an anchor run when large."""
        if family_size(family) <= self._smallest:
            self.add(key, self._hashes(family))
            return
        i, j = anchor_run(family, limit=self._anchor_max)
        if (i, j) == (0, len(family)):  # the best anchor is the whole family
            self.add(key, self._hashes(family))
            return
        add = self.vocab.strings.add

        def hashed(slots: Sequence[Slot]) -> tuple[_HashedSlot, ...]:
            return tuple((frozenset(add(w) for w in words), lo, hi) for words, lo, hi in slots)

        anchor_key = f"{key}\x00anchor{len(self._anchors)}"
        phrases = self._hashes(family[i:j])
        self.matcher.add(anchor_key, phrases)  # type: ignore[arg-type]
        self.phrases += len(phrases)
        self._keys.add(key)
        self._anchors[add(anchor_key)] = (add(key), hashed(family[:i][::-1]), hashed(family[j:]))

    def __call__(self, doc: Doc, norms: Sequence[int] | None = None
                 ) -> list[tuple[int, int, int]]:
        """``(key, start, end)`` of every match in ``doc``, as one ``PhraseMatcher``
        holding every phrase of every family would find them (``norms``: the doc's
        token norms as hashes, read from it when needed and not given)."""
        matches: list[tuple[int, int, int]] = self.matcher(doc)
        anchors = self._anchors
        if not anchors or anchors.keys().isdisjoint([m[0] for m in matches]):
            return matches
        out: list[tuple[int, int, int]] = []
        joined: set[tuple[int, int, int]] = set()
        for match in matches:
            found = anchors.get(match[0])
            if found is None:
                out.append(match)
                continue
            if norms is None:
                norms = doc.to_array(NORM).tolist()
            key, before, after = found
            ends = _reach(norms, match[2], after, 1) if after else {match[2]}
            if not ends:
                continue
            starts = _reach(norms, match[1], before, -1) if before else {match[1]}
            joined.update((key, s, e) for s in starts for e in ends)
        if joined:
            out.extend(joined)
            out.sort(key=lambda m: (m[1], m[2], m[0]))
        return out
