"""Hypothesis strategies of malformed values, and helpers that put them into valid files.

Real exports hold values outside what the data model can represent: placeholder
dates (``9999-12-31``, ``0001-01-01``), infinite or absurd offsets, integers too
long for Python's int-str conversion, lists where an id belongs, and charsets
that are no text encoding. The strategies here produce such values; the helpers
write them into one record of an otherwise valid file (JSON documents, JSON
Lines, CSV) so that a test can check that every reader turns them into rejects
and reads on.

Examples
--------
>>> doc = {"items": [{"id": "a", "at": "2024-01-01T00:00:00Z"}]}
>>> dumps(replaced(doc, ("items", 0, "at"), HugeInt("7" * 5000)))[:31]
'{"items": [{"id": "a", "at": 77'
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "NON_TEXT_CODECS",
    "SENTINEL_DATES",
    "HugeInt",
    "bad_charsets",
    "bad_number_texts",
    "bad_numbers",
    "dumps",
    "huge_ints",
    "leaves",
    "malformed_values",
    "non_scalar_ids",
    "out_of_range_dates",
    "replaced",
    "with_charset",
]

SENTINEL_DATES = (
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "9999-12-31 23:59:59.999999",
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "1000-01-01T00:00:00+00:00",
    "2999-12-31T00:00:00Z",
)
"""Placeholder dates seen in real exports, all outside pandas' nanosecond range."""

NON_TEXT_CODECS = ("zlib", "bz2", "base64", "rot13", "hex", "uu", "quopri", "undefined",
                   "zlib_codec", "bz2_codec", "base64_codec", "hex_codec", "uu_codec",
                   "quopri_codec", "rot_13")
"""Codec names Python knows that do not decode bytes to text."""


@dataclass(frozen=True)
class HugeInt:
    """A JSON integer too long for Python's int-str conversion (over 4,300 digits).

    Python cannot even build such an ``int`` from text, so it is carried as its
    digits and written raw by :func:`dumps`.
    """

    digits: str


def out_of_range_dates() -> st.SearchStrategy[str]:
    """ISO-8601 dates and times outside pandas' range (years 1-1677 and 2263-9999)."""
    early = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1677, 1, 1))
    late = st.datetimes(min_value=datetime(2263, 1, 1), max_value=datetime(9999, 12, 31))
    return st.sampled_from(SENTINEL_DATES) | (early | late).map(
        lambda d: d.isoformat(timespec="seconds") + "Z")


def huge_ints() -> st.SearchStrategy[HugeInt]:
    """Integers of 4,301 to 6,000 digits."""
    return st.builds(lambda first, n: HugeInt(first + "0" * (n - 1)),
                     st.sampled_from("123456789"), st.integers(4301, 6000))


def bad_numbers() -> st.SearchStrategy[float | HugeInt]:
    """Numbers no offset, duration or epoch time can be: infinite, NaN, absurd, huge."""
    return st.one_of(
        st.sampled_from([math.inf, -math.inf, math.nan]),
        st.floats(min_value=1e18, max_value=1e308),
        st.floats(min_value=-1e308, max_value=-1e18),
        huge_ints(),
    )


def bad_number_texts() -> st.SearchStrategy[str]:
    """The same as text (as a CSV cell or a string field holds them)."""
    return st.one_of(
        st.sampled_from(["inf", "-inf", "Infinity", "NaN", "nan", "1e400", "-1e400", "1e308"]),
        st.integers(4301, 6000).map(lambda n: "9" * n),
    )


def non_scalar_ids() -> st.SearchStrategy[list[Any] | dict[str, Any]]:
    """Lists and objects where one id belongs."""
    scalar = st.one_of(st.text(max_size=6), st.integers(-10, 10_000))
    return st.one_of(st.lists(scalar, max_size=3),
                     st.dictionaries(st.text(max_size=4), scalar, max_size=2))


def bad_charsets() -> st.SearchStrategy[str]:
    """Charset names that Python knows but that are no text encoding."""
    return st.sampled_from(NON_TEXT_CODECS)


def malformed_values() -> st.SearchStrategy[Any]:
    """Any malformed value of this module, for fields of any kind."""
    return st.one_of(out_of_range_dates(), bad_numbers(), bad_number_texts(),
                     non_scalar_ids())


# ---------------------------------------------------------------- putting them into files


def _raw(value: Any) -> Any:
    """Values :func:`json.dumps` can write, with each HugeInt as a marker string."""
    if isinstance(value, HugeInt):
        return f"\x00huge:{value.digits}\x00"
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    return value


def dumps(doc: Any, **kwargs: Any) -> str:
    """JSON text of ``doc``; :class:`HugeInt` values are written as raw digits and
    non-finite floats as ``Infinity``/``NaN`` (which Python's JSON reader accepts)."""
    text = json.dumps(_raw(doc), allow_nan=True, **kwargs)
    while (start := text.find('"\\u0000huge:')) >= 0:
        end = text.index('\\u0000"', start)
        text = text[:start] + text[start + len('"\\u0000huge:'):end] + text[end + 7:]
    return text


Path_ = tuple[str | int, ...]


def leaves(doc: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """``(path, value)`` of every scalar (not list or object) inside ``doc``."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from leaves(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from leaves(value, (*path, i))
    else:
        yield path, doc


def replaced(doc: Any, path: Path_, value: Any) -> Any:
    """A deep copy of ``doc`` with the item at ``path`` set to ``value``."""
    out = copy.deepcopy(doc)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def with_charset(data: bytes, anchor: bytes, charset: str) -> bytes:
    """``data`` made invalid UTF-8 and declaring ``charset``: the first ``anchor`` (a word
    of some text field) is followed by ``charset=<charset>`` and a Latin-1 ``é`` byte."""
    at = data.index(anchor) + len(anchor)
    return data[:at] + b" charset=" + charset.encode("ascii") + b" caf\xe9" + data[at:]
