"""The sentiment of one text: VADER's lexicon and rules, with support-language overrides.

VADER (``vaderSentiment``) ships its lexicon with the package, so nothing is
downloaded. The overrides are data (``data/sentiment.toml``, see its header; read by
:mod:`serviceart.scorers._overrides`):
text to ignore (handles, links, hashtags), single words with a new valence, and
phrase families ("still not working", "third time") that are scored as one word.

A text is split on whitespace as VADER splits it, with punctuation stripped
from the ends of each word by VADER's rule and each emoji replaced by VADER's
description of it; every word keeps the characters it came from, so that the
words that moved a score can be quoted as evidence. Each word's valence is
VADER's: its own ``sentiment_valence`` (negation, boosters, capitals, idioms)
where one of its modifiers is near, the lexicon value where its rules change
nothing; then VADER's "but" rule scales the words before and after the first
"but". Without overrides, scores equal VADER's (``tests/test_sentiment.py``
checks it on real support tweets).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
    allcap_differential,
)

from ._overrides import (
    _PUNCTUATION,
    _TOKEN,
    Overrides,
    Phrase,
    _normalised,
    _starts,
    _stripped,
    load_overrides,
)

__all__ = ["Analyser", "Overrides", "Phrase", "TextSentiment", "Word", "analyser", "compound",
           "load_overrides"]

#: VADER's normalisation constant (``normalize(score, alpha=15)``)
_ALPHA = 15.0
#: VADER's emphasis per "!" (at most four count) and per "?" (two or three; more: 0.96)
_EXCLAIM, _QUESTION, _QUESTIONS_MAX = 0.292, 0.18, 0.96
#: words before a lexicon word that VADER's rules react to (negations, boosters, "no",
#: "least", "so", "this", "without"); with none of them in the three words before it,
#: and no idiom in the text, a word's valence is its lexicon value
_MODIFIERS = frozenset([*NEGATE, *(k for k in BOOSTER_DICT if " " not in k), "no", "least",
                        "so", "this", "without", "never", "doubt"])
#: VADER's idioms and multi-word boosters
_SEQUENCES = tuple(k for k in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in k)


@dataclass(frozen=True)
class Word:
    """A word with a valence: its characters in the text and its valence after VADER's rules."""

    start: int
    end: int
    valence: float


@dataclass(frozen=True)
class TextSentiment:
    """What one text adds to a sentiment score.

    Attributes
    ----------
    total
        The sum of its words' valences (VADER's ``sum_s`` before emphasis).
    exclaim, question
        Its "!" and "?" (VADER's emphasis counts them over the text scored).
    words
        The words with a valence other than 0, in text order.
    """

    total: float
    exclaim: int
    question: int
    words: tuple[Word, ...]

    @property
    def compound(self) -> float:
        """VADER's compound score of the text alone, -1..1."""
        return float(compound(np.array([self.total]), np.array([self.exclaim]),
                              np.array([self.question]))[0])


def compound(total: np.ndarray, exclaim: np.ndarray, question: np.ndarray) -> np.ndarray:
    """VADER's compound score of texts scored together, from their summed parts.

    Parameters
    ----------
    total, exclaim, question
        Per group of texts: the sum of word valences and the counts of "!" and "?".

    Returns
    -------
    numpy.ndarray
        Scores in -1..1 (0 where the total is 0).

    Examples
    --------
    >>> compound(np.array([1.9, 0.0]), np.array([1, 3]), np.array([0, 2])).round(4).tolist()
    [0.4926, 0.0]
    """
    total = np.asarray(total, dtype="float64")
    ex = np.minimum(np.asarray(exclaim, dtype="float64"), 4.0) * _EXCLAIM
    q = np.asarray(question, dtype="float64")
    qm = np.where(q > 3, _QUESTIONS_MAX, np.where(q > 1, q * _QUESTION, 0.0))
    s = total + np.sign(total) * (ex + qm)
    return np.clip(s / np.sqrt(s * s + _ALPHA), -1.0, 1.0)


class Analyser:
    """VADER's analyser with the overrides applied to its lexicon.

    Parameters
    ----------
    overrides
        From :func:`load_overrides`.
    """

    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self._vader = SentimentIntensityAnalyzer()
        lexicon = self._vader.lexicon
        for word, valence in overrides.words:
            if valence == 0.0:
                lexicon.pop(word, None)
            else:
                lexicon[word] = valence
        for phrase in overrides.phrases:
            lexicon[phrase.token] = phrase.valence
        self._lexicon: dict[str, float] = lexicon
        self._emoji = {k: v for k, v in self._vader.emojis.items() if len(k) == 1}
        self._emoji_chars = frozenset(self._emoji)
        self._anchors = frozenset(w for p in overrides.phrases for w in p.anchors)
        #: the lexicon words VADER values (boosters only modify other words)
        self._scored = frozenset(w for w in lexicon if w not in BOOSTER_DICT)
        self.analyse = lru_cache(maxsize=200_000)(self._analyse)

    def _analyse(self, text: str) -> TextSentiment:
        """The sentiment parts of ``text`` (cached per text by :attr:`analyse`)."""
        clean = _normalised(text)
        ignore = self.overrides.ignore
        if ignore is not None:
            clean = ignore.sub(lambda m: " " * len(m.group()), clean)
        lower = clean.lower()
        if len(lower) != len(clean):  # a few characters lower-case to two: keep offsets
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in clean)
        raw = clean.split()
        words = _stripped(raw)
        lows = [w.lower() for w in words]
        starts: list[int] | None = None
        anchored = ([] if self._anchors.isdisjoint(lows)
                    else [k for k, w in enumerate(lows) if w in self._anchors])
        taken: list[tuple[int, int, Phrase]] = []
        if anchored:
            starts = _starts(clean)
            taken = self._phrases(lower, raw, lows, starts, anchored)
        spans: Sequence[tuple[int, int]] | Mapping[int, tuple[int, int]] | None = None
        if taken or not self._emoji_chars.isdisjoint(clean):
            words, spans = self._words(clean, taken)
            lows = [w.lower() for w in words]
        scored = self._scored
        hits = [i for i, w in enumerate(lows) if w in scored]
        if "kind" in scored and "kind" in lows:  # VADER: "kind of" is a booster, not "kind"
            hits = [i for i in hits if not (lows[i] == "kind" and i + 1 < len(lows)
                                            and lows[i + 1] == "of")]
        exclaim, question = clean.count("!"), clean.count("?")
        if not hits:
            return TextSentiment(0.0, exclaim, question, ())
        if spans is None:
            spans = _spans(starts if starts is not None else _starts(clean), raw, words, hits)
        valences = self._valences(words, lows, hits)
        if "but" in lows:  # VADER's rule: words before the first "but" count half, after 1.5x
            pivot = lows.index("but")
            valences = [v * 0.5 if i < pivot else v * 1.5 if i > pivot else v
                        for i, v in zip(hits, valences, strict=True)]
        found = tuple(Word(spans[i][0], spans[i][1], v)
                      for i, v in zip(hits, valences, strict=True) if v != 0.0)
        return TextSentiment(math.fsum(valences), exclaim, question, found)

    def _valences(self, words: list[str], lows: list[str], hits: list[int]) -> list[float]:
        """VADER's ``sentiment_valence`` of the words at ``hits``.

        A word with none of VADER's modifiers in the three words before it, not in
        capitals among other words, not "no", in a text without VADER's idioms, has
        its lexicon value: VADER's rules change nothing then, so it is taken as is.
        Other words go through VADER's own ``sentiment_valence``. VADER looks at
        most three words back and two ahead, but copies the whole text's words for
        each look; here it is given that window of words, with the same result.
        """
        vader, lexicon = self._vader, self._lexicon
        # VADER's "some words in capitals" matters only for a word in capitals
        is_cap_diff = any(words[i].isupper() for i in hits) and allcap_differential(words)
        joined = " ".join(lows)
        idioms = any(seq in joined for seq in _SEQUENCES)
        out = []
        for i in hits:
            low = lows[i]
            if not idioms and low != "no" and not (is_cap_diff and words[i].isupper()) and all(
                    w not in _MODIFIERS and "n't" not in w for w in lows[max(0, i - 3):i]):
                out.append(float(lexicon[low]))
                continue
            lo = max(0, i - 3)
            senti = _senti(words[lo:i + 3], is_cap_diff)
            out.append(float(vader.sentiment_valence(0, senti, words[i], i - lo, [])[0]))
        return out

    def _words(self, clean: str, taken: list[tuple[int, int, Phrase]]
               ) -> tuple[list[str], list[tuple[int, int]]]:
        """VADER's words of ``clean``, each with the characters it came from; the
        phrases ``taken`` as their one word, emoji as the words of their description."""
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        emoji = not self._emoji_chars.isdisjoint(clean)
        k = 0
        for m in _TOKEN.finditer(clean):
            start, end = m.span()
            while k < len(taken) and taken[k][1] <= start:
                k += 1
            if k < len(taken) and taken[k][0] < end:  # inside a phrase: the phrase's word
                p_start, p_end, phrase = taken[k]
                if not spans or spans[-1] != (p_start, p_end):
                    said = clean[p_start:p_end]
                    words.append(phrase.token.upper() if said.isupper() else phrase.token)
                    spans.append((p_start, p_end))
                continue
            if emoji:
                self._split_emoji(clean, start, end, words, spans)
            else:
                _add(clean, start, end, words, spans)
        return words, spans

    def _split_emoji(self, clean: str, start: int, end: int, words: list[str],
                     spans: list[tuple[int, int]]) -> None:
        run = start
        for pos in range(start, end):
            description = self._emoji.get(clean[pos])
            if description is None:
                continue
            if run < pos:
                _add(clean, run, pos, words, spans)
            for word in description.split():
                words.append(word)
                spans.append((pos, pos + 1))
            run = pos + 1
        if run < end:
            _add(clean, run, end, words, spans)

    def _phrases(self, lower: str, raw: list[str], lows: list[str], starts: list[int],
                 anchored: list[int]) -> list[tuple[int, int, Phrase]]:
        """Non-overlapping phrase matches near the ``anchored`` words (indices of words
        that anchor some phrase), longest first (then earliest, then in file order), in
        text order."""
        found = []
        for n, phrase in enumerate(self.overrides.phrases):
            at = [k for k in anchored if lows[k] in phrase.anchors]
            if at:
                found += [(start, end, n, phrase)
                          for start, end in set(phrase.near(lower, raw, lows, starts, at))]
        if not found:
            return []
        found.sort(key=lambda f: (f[0] - f[1], f[0], f[2]))
        kept: list[tuple[int, int, Phrase]] = []
        for start, end, _, phrase in found:
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, phrase))
        return sorted(kept, key=lambda f: f[0])


def _senti(words: list[str], is_cap_diff: bool) -> Any:
    """A VADER ``SentiText`` of words already split (VADER reads only these two)."""
    senti = SentiText.__new__(SentiText)
    senti.words_and_emoticons = words
    senti.is_cap_diff = is_cap_diff
    return senti


def _spans(starts: list[int], raw: list[str], words: list[str], hits: list[int]
           ) -> dict[int, tuple[int, int]]:
    """The characters of the words at ``hits``: ``raw`` is the text split on whitespace,
    ``starts`` where each begins, ``words`` the same with VADER's stripping of punctuation."""
    out = {}
    for i in hits:
        start = starts[i] + (len(raw[i]) - len(raw[i].lstrip(_PUNCTUATION))
                             if words[i] != raw[i] else 0)
        out[i] = (start, start + len(words[i]))
    return out


def _add(clean: str, start: int, end: int, words: list[str],
         spans: list[tuple[int, int]]) -> None:
    """Add the word ``clean[start:end]`` with VADER's punctuation rule (ends stripped
    unless that leaves two characters or fewer, e.g. ``:)``)."""
    token = clean[start:end]
    stripped = token.strip(_PUNCTUATION)
    if len(stripped) <= 2:
        words.append(token)
        spans.append((start, end))
        return
    lead = len(token) - len(token.lstrip(_PUNCTUATION))
    words.append(stripped)
    spans.append((start + lead, start + lead + len(stripped)))


@lru_cache(maxsize=4)
def analyser(path: str | None = None) -> Analyser:
    """This process's analyser for an overrides file (the packaged one by default), built once.

    Examples
    --------
    >>> a = analyser()
    >>> a.analyse("It's still not working").compound < 0 < a.analyse("That worked!").compound
    True
    >>> a.analyse("Kindly DM me").compound
    0.0
    """
    return Analyser(load_overrides(path))

