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
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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

__all__ = ["Analyser", "Overrides", "Phrase", "TextSentiment", "Totals", "Word", "analyser",
           "compound",
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
#: the most windows :meth:`Analyser._ruled` remembers (then it starts again)
_RULED_MEMO = 200_000
#: characters on which Python's and Arrow's whitespace or lower-casing rules may differ
_OTHER_SPACES = ("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
                 "\u0130\u212a]")


#: ``_SPACE[c]``: whether code point ``c`` is whitespace to ``str.split`` and ``\\S``
#: (every whitespace code point is below U+3001).
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=bool)


def _word_starts(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Where each whitespace-separated word of each text begins, for many texts at once.

    Returns the starts (character offsets within their text) of all texts one after
    the other, and ``offsets``: text ``k``'s starts are ``starts[offsets[k]:offsets[k+1]]``.
    The same as ``[m.start() for m in re.finditer(r"\\S+", text)]`` for each text.
    """
    lengths = np.fromiter((len(t) for t in texts), dtype="int64", count=len(texts))
    begins = np.cumsum(lengths + 1) - (lengths + 1)  # texts joined by one newline
    cp = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = np.zeros(len(cp), dtype=bool)
    small = cp < len(_SPACE)
    space[small] = _SPACE[cp[small]]
    pos = np.flatnonzero(~space & np.r_[True, space[:-1]])
    which = np.searchsorted(begins, pos, side="right") - 1
    counts = np.bincount(which, minlength=len(texts))
    return pos - begins[which], np.r_[0, np.cumsum(counts)]


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


@dataclass(frozen=True)
class Totals:
    """The sentiment parts of many texts (:meth:`Analyser.totals`), one entry per text.

    Attributes
    ----------
    total, exclaim, question
        As :class:`TextSentiment`'s, per text.
    worded
        Which texts have a word with a valence (:attr:`TextSentiment.words` not empty).
    words
        The words of the texts asked for, by position (``words_for``).
    simple
        Which texts the word-level vector path scored (the others went through
        :meth:`Analyser.analyse`).
    """

    total: np.ndarray
    exclaim: np.ndarray
    question: np.ndarray
    worded: np.ndarray
    simple: np.ndarray
    words: dict[int, tuple[Word, ...]]


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
        #: valences :meth:`_ruled` found, by window of words, word position and capitals
        self._ruled_memo: dict[tuple[Any, ...], float] = {}

    def totals(self, texts: Sequence[str], words_for: np.ndarray | None = None) -> Totals:
        """The sentiment sums of many texts at once, equal to :meth:`analyse`'s.

        Most support texts hold no emoji and no phrase family, idiom or "kind
        of". Their words are split, stripped and looked up in the lexicon for all
        texts together with Arrow's string kernels; VADER's own rules are applied
        word by word only to the few lexicon words with a negation or booster in
        the three words before them, in capitals, or "no"; "but" is applied by
        position. Every other text goes through :meth:`analyse`.

        Parameters
        ----------
        texts
            The texts, as :meth:`analyse` takes them.
        words_for
            Which texts' words to return too (:attr:`Totals.words`); none by default.

        Returns
        -------
        Totals
        """
        n = len(texts)
        total = np.zeros(n, dtype="float64")
        exclaim = np.zeros(n, dtype="int64")
        question = np.zeros(n, dtype="int64")
        simple = np.zeros(n, dtype=bool)
        worded = np.zeros(n, dtype=bool)
        want = np.zeros(n, dtype=bool) if words_for is None else np.asarray(words_for, bool)
        words: dict[int, tuple[Word, ...]] = {}
        clean = [_normalised(t) for t in texts]
        emoji = self._emoji_chars
        fit = np.flatnonzero(np.fromiter(
            (t.isascii() or emoji.isdisjoint(t) for t in clean), bool, n))
        if len(fit) and self._vectors.usable:
            some = [clean[k] for k in fit.tolist()]
            flat = self._vector(pa.array(some, type=pa.large_string()))
            total[fit], exclaim[fit], question[fit] = flat.total, flat.exclaim, flat.question
            worded[fit], simple[fit] = flat.worded, flat.simple
            for j, found in self._words_of(some, flat, want[fit] & flat.simple).items():
                words[int(fit[j])] = found
        for k in np.flatnonzero(~simple).tolist():
            part = self.analyse(texts[k])
            total[k], exclaim[k], question[k] = part.total, part.exclaim, part.question
            worded[k] = bool(part.words)
            if want[k]:
                words[k] = part.words
        return Totals(total, exclaim, question, worded, simple, words)

    def _vector(self, texts: pa.Array) -> _Flat:
        """:meth:`totals` of texts without emoji (curly apostrophes made straight)."""
        vec = self._vectors
        clean = texts if vec.ignore is None else pc.replace_substring_regex(
            texts, vec.ignore, " ")
        exclaim = pc.count_substring(clean, "!").to_numpy(zero_copy_only=False)
        question = pc.count_substring(clean, "?").to_numpy(zero_copy_only=False)
        lower = pc.utf8_lower(clean)
        complex_text = pc.match_substring_regex(texts, _OTHER_SPACES).to_numpy(
            zero_copy_only=False).copy()
        if vec.phrases:
            complex_text |= pc.match_substring_regex(lower, vec.phrases).to_numpy(
                zero_copy_only=False)
        # Arrow's ASCII split: where it and Python's split differ (white space beyond
        # ASCII, and \x1c-\x1f) the text holds one of _OTHER_SPACES and goes through
        # :meth:`analyse` anyway (the Unicode split took twice as long)
        split = pc.ascii_split_whitespace(clean)
        raw = pc.list_flatten(split)
        parent = pc.list_parent_indices(split).to_numpy()
        spoken = pc.greater(pc.binary_length(raw), 0)  # text that starts with a space splits
        raw = raw.filter(spoken)                       # into an empty word first
        parent = parent[spoken.to_numpy(zero_copy_only=False)]
        offsets = np.zeros(len(texts) + 1, dtype="int64")
        np.cumsum(np.bincount(parent, minlength=len(texts)), out=offsets[1:])
        # each distinct word is stripped, lower-cased and looked up once; ``code`` says
        # which distinct word every word is
        encoded = pc.dictionary_encode(raw)
        code = encoded.indices.to_numpy(zero_copy_only=False)
        distinct = encoded.dictionary
        stripped = pc.utf8_trim(distinct, characters=string.punctuation)
        words = pc.if_else(pc.greater(pc.utf8_length(stripped), 2), stripped, distinct)
        lows = pc.utf8_lower(words)
        pos = np.arange(len(code)) - offsets[:-1][parent]
        at = pc.index_in(lows, value_set=vec.keys)
        hit = at.is_valid().to_numpy(zero_copy_only=False)[code]
        valence = vec.values[at.fill_null(0).to_numpy(zero_copy_only=False)][code]
        modifier = (pc.is_in(lows, value_set=vec.modifiers).to_numpy(zero_copy_only=False)
                    | pc.match_substring(lows, "n't").to_numpy(zero_copy_only=False))[code]
        near = np.zeros(len(code), dtype=bool)
        for back in (1, 2, 3):
            near[back:] |= modifier[:-back] & (pos[back:] >= back)
        upper = pc.utf8_is_upper(words).to_numpy(zero_copy_only=False)[code]
        ruled = hit & (near | upper | pc.equal(lows, "no").to_numpy(zero_copy_only=False)[code])
        kind = pc.equal(lows, "kind").to_numpy(zero_copy_only=False)[code]
        complex_text[parent[kind]] = True
        if len(vec.anchors):  # a phrase RE2 cannot test: texts with its anchors, word by word
            anchored = pc.is_in(lows, value_set=vec.anchors).to_numpy(zero_copy_only=False)
            complex_text[parent[anchored[code]]] = True
        if vec.sequences:
            every = lows.take(pa.array(code))
            joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), every),
                                    pa.scalar(" ", pa.large_string()))
            complex_text |= pc.match_substring_regex(joined, vec.sequences).to_numpy(
                zero_copy_only=False)
        but = pc.equal(lows, "but").to_numpy(zero_copy_only=False)[code]
        pivot = np.full(len(texts), np.iinfo("int64").max, dtype="int64")
        np.minimum.at(pivot, parent[but], pos[but])
        first = pivot[parent]
        scale = np.where(first == np.iinfo("int64").max, 1.0,
                         np.where(pos < first, 0.5, np.where(pos > first, 1.5, 1.0)))
        ruled &= ~complex_text[parent]
        if ruled.any():  # VADER's own rules for these words, on their window of words
            valence[ruled] = self._ruled(words, code, parent, pos, offsets, upper,
                                         np.flatnonzero(ruled))
        scaled = valence * scale
        total = np.bincount(parent[hit], weights=scaled[hit], minlength=len(texts))
        valued = hit & (scaled != 0.0)
        worded = np.bincount(parent[valued], minlength=len(texts)) > 0
        return _Flat(total=total, exclaim=exclaim, question=question, worded=worded,
                     simple=~complex_text, valued=np.flatnonzero(valued), parent=parent,
                     pos=pos, scaled=scaled)

    def _words_of(self, texts: list[str], flat: _Flat, want: np.ndarray
                  ) -> dict[int, tuple[Word, ...]]:
        """The :attr:`TextSentiment.words` of the ``want`` texts scored by :meth:`_vector`."""
        out: dict[int, tuple[Word, ...]] = {}
        at = flat.valued[want[flat.parent[flat.valued]]]
        if not len(at):
            return out
        ignore = self.overrides.ignore
        parents = flat.parent[at]
        first = np.r_[True, parents[1:] != parents[:-1]]
        cleans = [texts[k] if ignore is None else ignore.sub(_blank, texts[k])
                  for k in parents[first].tolist()]
        all_starts, offsets = _word_starts(cleans)
        # where each word begins: its text's first start plus its position
        begins = all_starts[offsets[:-1][np.cumsum(first) - 1] + flat.pos[at]]
        current, n_text = -1, -1
        raw: list[str] = []
        found: list[Word] = []
        for g, begin in zip(at.tolist(), begins.tolist(), strict=True):
            k = int(flat.parent[g])
            if k != current:
                if found:
                    out[current] = tuple(found)
                current, found, n_text = k, [], n_text + 1
                raw = cleans[n_text].split()
            token = raw[int(flat.pos[g])]
            word = token.strip(_PUNCTUATION)  # VADER's stripping, as :func:`_stripped`'s
            if len(word) <= 2:
                word = token
            start = begin + (len(token) - len(token.lstrip(_PUNCTUATION))
                             if word != token else 0)
            found.append(Word(start, start + len(word), float(flat.scaled[g])))
        out[current] = tuple(found)
        return out

    def _ruled(self, words: pa.Array, code: np.ndarray, parent: np.ndarray, pos: np.ndarray,
               offsets: np.ndarray, upper: np.ndarray, at: np.ndarray) -> np.ndarray:
        """VADER's ``sentiment_valence`` of the words at flat positions ``at``, as
        :meth:`_valences` computes it (three words back, two ahead, within the text;
        ``words[code]``: every word, stripped of punctuation as VADER does).

        Only the words of those windows are made Python strings, and a window seen
        before (a repeated template) takes the valence found for it then.
        """
        n_words = np.diff(offsets)
        n_upper = np.bincount(parent[upper], minlength=len(n_words))
        cap_diff = (n_upper > 0) & (n_upper < n_words)  # VADER's allcap_differential
        text = parent[at]
        i = pos[at]
        lo = np.maximum(i - 3, 0)
        hi = np.minimum(i + 3, n_words[text])
        first = offsets[:-1][text] + lo
        size = hi - lo
        ends = np.cumsum(size)
        take = np.repeat(first - (ends - size), size) + np.arange(int(ends[-1]))
        flat = words.take(pa.array(code[take])).to_pylist()
        memo = self._ruled_memo
        if len(memo) > _RULED_MEMO:
            memo.clear()
        vader = self._vader
        out = np.empty(len(at), dtype="float64")
        for j, (b, e, k, cap) in enumerate(zip((ends - size).tolist(), ends.tolist(),
                                               (i - lo).tolist(), cap_diff[text].tolist(),
                                               strict=True)):
            window = flat[b:e]
            key = (*window, k, cap)
            found = memo.get(key)
            if found is None:
                found = memo[key] = vader.sentiment_valence(0, _senti(window, cap),
                                                            window[k], k, [])[0]
            out[j] = found
        return out

    @cached_property
    def _vectors(self) -> _Vectors:
        """The lexicon and rules as Arrow arrays and RE2 patterns, for :meth:`totals`."""
        keys = sorted(self._scored)
        ignore = self.overrides.ignore
        phrases: list[str] = []
        anchors: set[str] = set()
        for phrase in self.overrides.phrases:
            wider = _re2_superset(phrase.pattern.pattern)
            if wider is not None:
                phrases.append(wider)
            else:  # a Python-only pattern: texts with its anchors go word by word
                anchors |= phrase.anchors
        sequences = "|".join(re.escape(s) for s in _SEQUENCES)
        return _Vectors(
            keys=pa.array(keys, type=pa.large_string()),
            values=np.array([self._lexicon[k] for k in keys], dtype="float64"),
            modifiers=pa.array(sorted(_MODIFIERS), type=pa.large_string()),
            anchors=pa.array(sorted(anchors), type=pa.large_string()),
            ignore=ignore.pattern if ignore is not None and _re2(ignore.pattern) else None,
            ignore_python=ignore is not None and not _re2(ignore.pattern),
            phrases="|".join(f"(?:{p})" for p in phrases),
            sequences=sequences if _re2(sequences) else None)

    def _analyse(self, text: str) -> TextSentiment:
        """The sentiment parts of ``text`` (cached per text by :attr:`analyse`)."""
        clean = _normalised(text)
        ignore = self.overrides.ignore
        if ignore is not None:
            clean = ignore.sub(_blank, clean)
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
        if not self._emoji_chars.isdisjoint(clean):
            words, spans = self._words(clean, taken)
            lows = [w.lower() for w in words]
        elif taken:
            words, spans = _with_phrases(raw, words, starts or _starts(clean), clean, taken)
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
        is_cap_diff = allcap_differential(words)
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
            k, inside = _in_phrase(clean, taken, k, start, end, words, spans)
            if inside:
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


@dataclass(frozen=True)
class _Flat:
    """What :meth:`Analyser._vector` found: per text, and per word of all texts."""

    total: np.ndarray
    exclaim: np.ndarray
    question: np.ndarray
    worded: np.ndarray
    simple: np.ndarray
    #: flat positions of the words with a valence other than 0
    valued: np.ndarray
    #: per word: its text, its position in the text, its valence after VADER's rules
    parent: np.ndarray
    pos: np.ndarray
    scaled: np.ndarray


@dataclass(frozen=True)
class _Vectors:
    """What :meth:`Analyser.totals` looks words up in."""

    keys: pa.Array
    values: np.ndarray
    modifiers: pa.Array
    anchors: pa.Array
    ignore: str | None
    ignore_python: bool
    phrases: str
    sequences: str | None

    @property
    def usable(self) -> bool:
        """Whether every rule the vector path checks has an RE2 form (else no text takes it)."""
        return not self.ignore_python and self.sequences is not None


def _re2(pattern: str) -> bool:
    """Whether Arrow's regular expressions (RE2) take ``pattern``."""
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


#: a look-ahead or look-behind group with no group inside it
_LOOKAROUND = re.compile(r"\(\?<?[=!](?:\\.|[^()\\])*\)")


def _re2_superset(pattern: str) -> str | None:
    """``pattern`` in a form RE2 takes that matches at least where it matches: as it
    is, or with its look-arounds left out (every text it matched still matches, so
    a text the wider pattern finds nothing in holds no match of ``pattern``)."""
    if _re2(pattern):
        return pattern
    wider = _LOOKAROUND.sub("", pattern)
    return wider if _re2(wider) else None


def _blank(match: re.Match[str]) -> str:
    """Spaces as long as ``match`` (ignored text keeps the offsets of the rest)."""
    return " " * len(match.group())


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


def _with_phrases(raw: list[str], words: list[str], starts: list[int], clean: str,
                  taken: list[tuple[int, int, Phrase]]
                  ) -> tuple[list[str], list[tuple[int, int]]]:
    """:meth:`Analyser._words` of a text without emoji, from its words already split
    (``raw``), stripped (``words``) and placed (``starts``)."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    k = 0
    for start, token, word in zip(starts, raw, words, strict=True):
        end = start + len(token)
        k, inside = _in_phrase(clean, taken, k, start, end, out, spans)
        if inside:
            continue
        out.append(word)  # VADER's punctuation rule, as :func:`_add` applies it
        if len(word) == len(token):
            spans.append((start, end))
        else:
            lead = start + len(token) - len(token.lstrip(_PUNCTUATION))
            spans.append((lead, lead + len(word)))
    return out, spans


def _in_phrase(clean: str, taken: list[tuple[int, int, Phrase]], k: int, start: int,
               end: int, words: list[str], spans: list[tuple[int, int]]) -> tuple[int, bool]:
    """For the word at ``clean[start:end]``, with ``taken[k:]`` the phrases not yet
    passed: the next ``k``, and whether the word is inside a phrase. A phrase adds its
    one word (upper-cased when said in capitals) at the first of its words."""
    while k < len(taken) and taken[k][1] <= start:
        k += 1
    if k < len(taken) and taken[k][0] < end:
        p_start, p_end, phrase = taken[k]
        if not spans or spans[-1] != (p_start, p_end):
            said = clean[p_start:p_end]
            words.append(phrase.token.upper() if said.isupper() else phrase.token)
            spans.append((p_start, p_end))
        return k, True
    return k, False


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

