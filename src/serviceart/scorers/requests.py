"""Which customer messages ask for something (``first_response_s`` runs from the first).

The rules are data: ``serviceart/data/requests.toml`` (a question with enough words,
request phrases, problem statements). Matching is vectorised over a text column.

Examples
--------
>>> texts = pd.Series(["Getting that 3 buck burrito is becoming a tradition",
...                    "@AmazonHelp my parcel never arrived", "hello??",
...                    "is there an SMS outage?"], dtype="string")
>>> asks_for_something(texts).tolist()
[False, True, False, True]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import tomllib

from ..errors import ConfigError

__all__ = ["RequestRules", "asks_for_something", "request_rules"]

_FILE = "requests.toml"
#: how the request pattern opens and closes (a phrase between non-word characters,
#: never inside a handle or hashtag)
_OPEN, _CLOSE = r"(?:^|[^\w@#])", r"(?:\W|$)"
#: Python's ``\s`` (every character ``str.isspace`` takes) as an RE2 class; RE2's own
#: ``\s`` is ASCII only and leaves out ``\v``
_RE2_SPACE = (r"[\t\n\x0b\f\r \x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}"
              r"\x{2029}\x{202f}\x{205f}\x{3000}]")


@dataclass(frozen=True)
class RequestRules:
    """The request rules, compiled.

    Attributes
    ----------
    min_words
        Words a message with a question mark needs to count as a question.
    phrases
        Every request and problem phrase, lower case.
    pattern
        One regular expression matching any phrase as whole words (never inside a
        handle or hashtag) in lower-cased text.
    ignore
        A regular expression of the phrases taken out before ``pattern`` is looked
        for, or ``""``.
    """

    min_words: int
    phrases: tuple[str, ...]
    pattern: str
    ignore: str = ""


def _phrase_regex(phrase: str) -> str:
    """A phrase as a regex: any spacing between words, any apostrophe (or none)."""
    words = [re.escape(w).replace("'", "['’]?") for w in phrase.split()]
    return r"\s+".join(words)


def _bad(message: str) -> ConfigError:
    return ConfigError(f"{message}; see the comments at the top of the file for its layout",
                       source=_FILE, code="SA-C095")


def _rules_from(data: dict[str, Any]) -> RequestRules:
    """Check and compile the parsed rules file."""
    question = data.get("question")
    min_words = question.get("min_words") if isinstance(question, dict) else None
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
        raise _bad(f"[question] min_words must be a whole number >= 1, got {min_words!r}")
    ignore = data.get("ignore", {"phrases": []})
    ignored = ignore.get("phrases") if isinstance(ignore, dict) else None
    if not isinstance(ignored, list) or not all(isinstance(p, str) and p.strip()
                                                for p in ignored):
        raise _bad("[ignore] phrases must be a list of non-empty strings")
    groups = data.get("phrases")
    if not isinstance(groups, dict) or not groups:
        raise _bad("a [phrases] table of phrase lists is needed")
    phrases: list[str] = []
    for name, items in groups.items():
        if not isinstance(items, list) or not all(isinstance(p, str) and p.strip()
                                                  for p in items):
            raise _bad(f"phrases.{name} must be a list of non-empty strings")
        phrases += [" ".join(p.lower().split()) for p in items]
    unique = tuple(dict.fromkeys(phrases))
    # longest first, so that a longer phrase wins where one is a prefix of another
    alternatives = "|".join(_phrase_regex(p) for p in sorted(unique, key=len, reverse=True))
    # a phrase starts at the text's start or after a character that is neither a word
    # character nor @ or # (no look-behind: the pattern also runs on Arrow's RE2)
    # matched on lower-cased text: a case-insensitive pattern is some three times slower
    pattern = rf"{_OPEN}(?:{alternatives}){_CLOSE}"
    skip = "|".join(_phrase_regex(" ".join(p.lower().split()))
                    for p in sorted(ignored, key=len, reverse=True))
    return RequestRules(min_words=min_words, phrases=unique, pattern=pattern,
                        ignore=rf"\b(?:{skip})\b" if skip else "")


@functools.cache
def request_rules() -> RequestRules:
    """The shipped request rules (read and checked once per process).

    Raises
    ------
    ConfigError
        When the rules file is malformed.
    """
    path = resources.files("serviceart") / "data" / _FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _bad(f"not valid TOML: {exc}") from exc
    return _rules_from(data)


def asks_for_something(texts: pd.Series, rules: RequestRules | None = None) -> np.ndarray:
    """For each text, whether it asks for something: a question or a request or
    problem phrase (see ``serviceart/data/requests.toml``).

    Parameters
    ----------
    texts
        Message texts (missing texts ask for nothing).
    rules
        The rules; the shipped ones by default.

    Returns
    -------
    numpy.ndarray
        Booleans, one per text.
    """
    rules = rules or request_rules()
    if texts.empty:
        return np.zeros(0, dtype=bool)
    text = texts.astype("string")
    low = text.str.lower()
    if rules.ignore:
        low = _python_where(low, rules.ignore, lambda part: part.str.replace(
            rules.ignore, " ", regex=True))
    asks = np.zeros(len(low), dtype=bool)
    start = _first_at(low, rules.pattern)
    maybe = start >= 0
    if maybe.any():  # Python's ``re`` from where a match can begin at the earliest
        search = re.compile(rules.pattern).search
        asks[maybe] = [search(t, at) is not None for t, at in
                       zip(low[maybe].to_numpy(dtype=object), start[maybe].tolist(), strict=True)]
    question = text.str.contains("?", regex=False).to_numpy(dtype=bool, na_value=False)
    question &= ~asks
    if question.any():  # words are counted only where they decide
        words = text[question].str.count(r"\w+").to_numpy(dtype="float64", na_value=0.0)
        question[question] = words >= rules.min_words
    return asks | question


@functools.lru_cache(maxsize=16)
def _re2_superset(pattern: str) -> str | None:
    """A pattern (built by :func:`_rules_from`) in a form Arrow's RE2 takes that
    matches wherever Python's ``re`` finds it, or None when there is none here.

    Between the opening and closing of :func:`_rules_from`'s patterns only escaped
    punctuation and ``\\s`` are allowed. RE2's ``\\w`` is ASCII only, so its
    ``[^\\w@#]`` and ``\\W`` match every character Python's do and more; ``\\b`` is
    left out and ``\\s`` widened to Python's white space. A text the wider pattern
    finds nothing in holds no match.
    """
    if pattern.startswith(_OPEN) and pattern.endswith(_CLOSE):
        opening, body, closing = _OPEN, pattern[len(_OPEN):-len(_CLOSE)], _CLOSE
    elif pattern.startswith(r"\b") and pattern.endswith(r"\b"):
        opening, body, closing = "", pattern[2:-2], ""
    else:
        return None
    # an escaped backslash, another class or anchor: not the phrases of _rules_from
    if "\\\\" in body or re.search(r"\\[^\W_s]|[$^]|\[[^\]]*\\s", body):
        return None
    wider = opening + body.replace(r"\s", _RE2_SPACE) + closing
    try:
        pc.match_substring_regex(pa.array([""]), wider)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return wider


def _maybe(low: pd.Series, pattern: str) -> np.ndarray:
    """Which texts of ``low`` may hold a match of ``pattern``: RE2 checks them all at
    once, so that Python's ``re`` runs only where a match is possible (every text
    when RE2 cannot take the pattern)."""
    return _first_at(low, pattern) >= 0


def _first_at(low: pd.Series, pattern: str) -> np.ndarray:
    """Where in each text of ``low`` a match of ``pattern`` can begin at the earliest
    (a character offset), -1 where none can, found by RE2 for all texts at once.

    The wider pattern matches wherever ``pattern`` does, so its first match begins
    at or before ``pattern``'s: Python's ``re`` need search only from there. RE2
    gives the offset in bytes, the same as in characters for an ASCII text; other
    texts are searched from their start. Missing texts: -1. When RE2 cannot take
    the pattern, every other text is searched from its start.
    """
    wider = _re2_superset(pattern)
    if wider is None:
        return np.where(low.isna().to_numpy(dtype=bool), -1, 0)
    texts = pa.array(low, type=pa.large_string(), from_pandas=True)
    at = pc.find_substring_regex(texts, wider).fill_null(-1).to_numpy(zero_copy_only=False)
    ascii_text = pc.string_is_ascii(texts).fill_null(True).to_numpy(zero_copy_only=False)
    return np.where(ascii_text | (at < 0), at, 0).astype(np.int64)


def _python_where(low: pd.Series, pattern: str, change: Any) -> pd.Series:
    """``low`` with ``change`` (a function of a part of it) applied to the texts that
    may hold a match of ``pattern`` (see :func:`_maybe`); the others are left as they are."""
    maybe = _maybe(low, pattern)
    if not maybe.any():
        return low
    out = low.copy()
    out.iloc[np.flatnonzero(maybe)] = change(low[maybe]).to_numpy()
    return out
