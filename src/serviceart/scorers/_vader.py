"""The sentiment of one text: VADER's lexicon and rules, with support-language overrides.

VADER (``vaderSentiment``) ships its lexicon with the package, so nothing is
downloaded. The overrides are data (``data/sentiment.toml``, see its header):
text to ignore (handles, links, hashtags), single words with a new valence, and
phrase families ("still not working", "third time") that are scored as one word.

A text is split on whitespace as VADER splits it, with punctuation stripped
from the ends of each word by VADER's rule and each emoji replaced by VADER's
description of it; every word keeps the characters it came from, so that the
words that moved a score can be quoted as evidence. Each word's valence comes
from VADER's own ``sentiment_valence`` (negation, boosters, capitals, idioms),
then VADER's "but" rule scales the words before and after the first "but".
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import tomllib
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
    allcap_differential,
)

from ..errors import ConfigError

__all__ = ["Analyser", "Overrides", "Phrase", "TextSentiment", "Word", "analyser", "compound",
           "load_overrides"]

#: VADER's normalisation constant (``normalize(score, alpha=15)``)
_ALPHA = 15.0
#: VADER's emphasis per "!" (at most four count) and per "?" (two or three; more: 0.96)
_EXCLAIM, _QUESTION, _QUESTIONS_MAX = 0.292, 0.18, 0.96
#: the largest valence VADER's lexicon uses, either way
_LIMIT = 4.0
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_TOKEN = re.compile(r"\S+")
_PUNCTUATION = string.punctuation
#: words before a lexicon word that VADER's rules react to (negations, boosters, "no",
#: "least", "so", "this", "without"); with none of them in the three words before it,
#: and no idiom in the text, a word's valence is its lexicon value
_MODIFIERS = frozenset([*NEGATE, *(k for k in BOOSTER_DICT if " " not in k), "no", "least",
                        "so", "this", "without", "never", "doubt"])
#: VADER's idioms and multi-word boosters
_SEQUENCES = tuple(k for k in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in k)
_FRAGMENT = re.compile(r"<(\w+)>")
#: a phrase is looked for from this many words before one of its anchor words ...
_BEFORE = 6
#: ... to this many words after it
_AFTER = 8


@dataclass(frozen=True)
class Phrase:
    """A phrase family: its name, valence, compiled pattern and the examples it matches."""

    name: str
    valence: float
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    #: the words (VADER's, lower-cased) a match holds one of: the pattern is tried
    #: only around them
    anchors: frozenset[str]

    def find(self, lower: str) -> list[tuple[int, int]]:
        """The spans of the phrase in a lower-cased text."""
        raw = lower.split()
        lows = _stripped(raw)
        return sorted(set(self.near(lower, raw, lows, _starts(lower),
                                    [k for k, w in enumerate(lows) if w in self.anchors])))

    def near(self, lower: str, raw: list[str], lows: list[str], starts: list[int],
             at: list[int]) -> list[tuple[int, int]]:
        """The spans of the pattern from :data:`_BEFORE` words before to :data:`_AFTER`
        words after each word index in ``at`` (``raw``: the words of ``lower``, split
        on whitespace; ``lows`` the same stripped of punctuation; ``starts`` where
        each begins)."""
        last = len(raw) - 1
        ranges: list[list[int]] = []  # the windows, overlapping ones merged
        for k in at:
            lo, hi = max(0, k - _BEFORE), min(last, k + _AFTER)
            if ranges and lo <= ranges[-1][1]:
                ranges[-1][1] = hi
            else:
                ranges.append([lo, hi])
        return [m.span() for lo, hi in ranges
                for m in self.pattern.finditer(lower, starts[lo], starts[hi] + len(raw[hi]))
                if m.end() > m.start()]

    @property
    def token(self) -> str:
        """The one word the phrase is scored as (a lexicon key no text contains)."""
        return f"_sa_{self.name}_"


@dataclass(frozen=True)
class Overrides:
    """The overrides of a sentiment data file (see ``data/sentiment.toml``)."""

    source: str
    ignore: re.Pattern[str] | None
    words: tuple[tuple[str, float], ...]
    phrases: tuple[Phrase, ...]


def load_overrides(path: str | Path | None = None) -> Overrides:
    """Read and check a sentiment overrides file.

    Parameters
    ----------
    path
        A TOML file laid out as ``data/sentiment.toml``; the packaged one when ``None``.

    Returns
    -------
    Overrides

    Raises
    ------
    ConfigError
        When the file cannot be read or parsed, or when any entry is bad (every
        problem is listed: a pattern that does not compile, a valence outside
        -4..4, an example its phrase does not match, a missing key).

    Examples
    --------
    >>> ov = load_overrides()
    >>> dict(ov.words)["kindly"], any(p.name == "still_not" for p in ov.phrases)
    (0.0, True)
    """
    if path is None:
        source = "serviceart/data/sentiment.toml"
        text = resources.files("serviceart").joinpath("data/sentiment.toml").read_text(
            encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the sentiment overrides file {source}: {exc}; "
                              "give the path of a UTF-8 TOML file laid out as "
                              "serviceart/data/sentiment.toml", code="SA-C094",
                              source=source) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the sentiment overrides file {source} is not valid TOML: {exc}; "
                          "correct it (see serviceart/data/sentiment.toml for the layout)",
                          code="SA-C095", source=source) from exc
    problems: list[str] = []
    ignore = _ignore(data.get("ignore", {}), problems)
    words = _words(data.get("words", {}), problems)
    phrases = _phrases(data.get("phrases", []), data.get("fragments", {}),
                       data.get("word_sets", {}), problems)
    if problems:
        raise ConfigError(f"the sentiment overrides file {source} has {len(problems)} bad "
                          "entr" + ("y" if len(problems) == 1 else "ies") + ": "
                          + "; ".join(problems) + "; correct them and load it again",
                          code="SA-C096", source=source)
    return Overrides(source=source, ignore=ignore, words=words, phrases=phrases)


def _compile(pattern: object, where: str, problems: list[str]) -> re.Pattern[str] | None:
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{where}: the pattern must be a non-empty string")
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        problems.append(f"{where}: the pattern does not compile ({exc})")
        return None


def _valence(value: object, where: str, problems: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            -_LIMIT <= float(value) <= _LIMIT):
        problems.append(f"{where}: the valence must be a number from -4 to 4, got {value!r}")
        return None
    return float(value)


def _ignore(table: Any, problems: list[str]) -> re.Pattern[str] | None:
    patterns = table.get("patterns", []) if isinstance(table, dict) else None
    if not isinstance(patterns, list):
        problems.append("[ignore]: 'patterns' must be a list of regular expressions")
        return None
    good = [p for k, p in enumerate(patterns)
            if _compile(p, f"[ignore] pattern {k + 1}", problems) is not None]
    return re.compile("|".join(f"(?:{p})" for p in good)) if good else None


def _words(table: Any, problems: list[str]) -> tuple[tuple[str, float], ...]:
    if not isinstance(table, dict):
        problems.append("[words] must be a table of word = valence")
        return ()
    out = []
    for word, value in table.items():
        where = f"[words] {word!r}"
        if not word or word != word.lower() or any(c.isspace() for c in word):
            problems.append(f"{where}: a word must be one lower-case word (use [[phrases]] "
                            "for several)")
            continue
        valence = _valence(value, where, problems)
        if valence is not None:
            out.append((word, valence))
    return tuple(out)


def _phrases(items: Any, fragments: Any, word_sets: Any, problems: list[str]
             ) -> tuple[Phrase, ...]:
    if not isinstance(items, list) or not isinstance(fragments, dict) or not isinstance(
            word_sets, dict):
        problems.append("[[phrases]] must be an array of tables, [fragments] and "
                        "[word_sets] tables")
        return ()
    out: list[Phrase] = []
    seen: set[str] = set()
    for k, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        where = f"phrase {k + 1} ({name!r})"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(f"{where}: 'name' must be a lower-case identifier")
            continue
        if name in seen:
            problems.append(f"{where}: the name is used twice")
            continue
        seen.add(name)
        valence = _valence(item.get("valence"), where, problems)
        raw = item.get("pattern")
        unknown = [f for f in _FRAGMENT.findall(raw) if f not in fragments] if isinstance(
            raw, str) else []
        if unknown:
            problems.append(f"{where}: unknown fragments {unknown}; define them in [fragments]")
            continue
        expanded = _FRAGMENT.sub(lambda m: str(fragments[m.group(1)]), raw) if isinstance(
            raw, str) else raw
        pattern = _compile(expanded, where, problems)
        examples = item.get("examples", [])
        if not isinstance(examples, list) or not examples or not all(
                isinstance(e, str) for e in examples):
            problems.append(f"{where}: 'examples' must be a non-empty list of strings")
            continue
        anchors = _anchors(item.get("anchors"), word_sets, where, problems)
        if pattern is None or valence is None or anchors is None:
            continue
        phrase = Phrase(name=name, valence=valence, pattern=pattern, examples=tuple(examples),
                        anchors=anchors)
        missed = [e for e in examples if not phrase.find(_normalised(e).lower())]
        if missed:
            problems.append(f"{where}: the pattern (near its anchors) does not match its "
                            f"examples {missed}")
            continue
        out.append(phrase)
    return tuple(out)


def _anchors(given: Any, word_sets: dict[str, Any], where: str, problems: list[str]
             ) -> frozenset[str] | None:
    """A phrase's anchor words, ``<name>`` entries replaced by that word set."""
    if not isinstance(given, list) or not given or not all(
            isinstance(a, str) and a for a in given):
        problems.append(f"{where}: 'anchors' must be a non-empty list of words")
        return None
    out: set[str] = set()
    for a in given:
        named = _FRAGMENT.fullmatch(a)
        if named is None:
            out.add(a.lower())
        elif isinstance(word_sets.get(named.group(1)), list):
            out.update(str(w).lower() for w in word_sets[named.group(1)])
        else:
            problems.append(f"{where}: unknown word set {a}; define it in [word_sets]")
            return None
    return frozenset(out)


def _stripped(raw: list[str]) -> list[str]:
    """VADER's words of whitespace-split ``raw``: ends stripped of punctuation unless
    that leaves two characters or fewer (``:)`` stays)."""
    stripped = [r.strip(_PUNCTUATION) for r in raw]
    return [w if len(w) > 2 else r for w, r in zip(stripped, raw, strict=True)]


def _starts(text: str) -> list[int]:
    """Where each whitespace-separated word of ``text`` begins."""
    return [m.start() for m in _TOKEN.finditer(text)]


def _normalised(text: str) -> str:
    """Curly apostrophes made straight (the length stays the same)."""
    if "\u2019" in text or "\u2018" in text or "\u02bc" in text:
        return text.translate(_APOSTROPHES)
    return text


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

