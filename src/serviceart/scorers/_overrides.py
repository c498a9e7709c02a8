"""The support-language overrides of the sentiment lexicon: reading and checking a
data file laid out as ``data/sentiment.toml`` (text to ignore, single words, phrase
families with their anchor words), and the word splitting shared with the analyser
(:mod:`serviceart.scorers._vader`)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import tomllib

from ..errors import ConfigError

__all__ = ["Overrides", "Phrase", "load_overrides"]

#: the largest valence VADER's lexicon uses, either way
_LIMIT = 4.0
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_TOKEN = re.compile(r"\S+")
_PUNCTUATION = string.punctuation
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
                              "serviceart/data/sentiment.toml", code="SA-C096",
                              source=source) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the sentiment overrides file {source} is not valid TOML: {exc}; "
                          "correct it (see serviceart/data/sentiment.toml for the layout)",
                          code="SA-C097", source=source) from exc
    problems: list[str] = []
    ignore = _ignore(data.get("ignore", {}), problems)
    words = _words(data.get("words", {}), problems)
    phrases = _phrases(data.get("phrases", []), data.get("fragments", {}),
                       data.get("word_sets", {}), problems)
    if problems:
        raise ConfigError(f"the sentiment overrides file {source} has {len(problems)} bad "
                          "entr" + ("y" if len(problems) == 1 else "ies") + ": "
                          + "; ".join(problems) + "; correct them and load it again",
                          code="SA-C098", source=source)
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
