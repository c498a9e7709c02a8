"""Reply-time targets (SLAs) by channel: reading them, the built-in ones, and which wins.

An SLA is given as a number of seconds (``600``), a duration (``"10m"``, ``"1h30m"``,
``"1d"``) or a mapping of channel to either (``{"chat": "2m", "email": "1d"}``); a
``default`` entry applies to channels not named. A single value means every channel.

The SLA of a run is built in layers, each replacing what it names:

1. the built-in targets (:data:`DEFAULT_SLA`);
2. the rubric's ``[sla]`` table;
3. the explicit settings: ``sla_s=`` (every channel), then ``sla=`` (every channel when
   a single value, else the channels it names).

Examples
--------
>>> parse_duration("1h30m"), parse_duration("2m"), parse_duration(90)
(5400.0, 120.0, 90.0)
>>> table = resolve_sla({"email": "2d"}, None, {"chat": "90s"})
>>> table["chat"], table["email"], table["social"], table["default"]
(90.0, 172800.0, 3600.0, 600.0)
>>> resolve_sla(None, 300, None)
{'default': 300.0}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import CHANNELS

__all__ = ["DEFAULT_SLA", "SLA_KEYS", "format_duration", "parse_duration", "parse_sla",
           "resolve_sla", "sla_per_interaction"]

#: The built-in reply-time targets in seconds, by channel (sources in docs/rubric.md,
#: "Reply-time targets"): a live chat reply within 2 minutes, a social media reply
#: within an hour, an e-mail or forum reply within a day; calls and any other channel
#: keep the codebook's 600 seconds.
DEFAULT_SLA: dict[str, float] = {
    "default": 600.0, "call": 600.0, "chat": 120.0, "social": 3600.0,
    "email": 86_400.0, "forum": 86_400.0,
}

#: The keys an SLA mapping may have: the data model's channels and ``default``.
SLA_KEYS: tuple[str, ...] = ("default", *CHANNELS)

_UNITS: dict[str, float] = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86_400.0, "day": 86_400.0, "days": 86_400.0,
    "w": 604_800.0, "week": 604_800.0, "weeks": 604_800.0,
}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*")
_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def parse_duration(value: Any) -> float:
    """Seconds from a number of seconds, a numeric string or a duration string.

    A duration is one or more number-unit parts (``"2m"``, ``"1h30m"``, ``"1.5 hours"``);
    the units are s, m, h, d and w and their long names, in any case.

    Raises
    ------
    ValueError
        When the value is not a duration, or not positive and finite; the message
        says why.

    Examples
    --------
    >>> parse_duration("1d"), parse_duration("600"), parse_duration("45 Seconds")
    (86400.0, 600.0, 45.0)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is not a duration (give seconds or e.g. '2m', '1h', '1d')")
    if isinstance(value, str):
        text = value.strip().lower()
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        elif text.startswith("-"):
            raise ValueError(f"{value!r} must be a positive, finite duration")
        else:
            parts = _PART.findall(text)
            if not parts or "".join(f"{n}{u}" for n, u in parts) != re.sub(r"\s+", "", text):
                raise ValueError(f"{value!r} is not a duration (give seconds or e.g. '2m', "
                                 "'1h', '1d')")
            unknown = sorted({u for _, u in parts if u not in _UNITS})
            if unknown:
                raise ValueError(f"{value!r} has an unknown unit {unknown[0]!r} (use s, m, h, "
                                 "d or w)")
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        seconds = float(value)
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{value!r} must be a positive, finite duration")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact duration string for a number of seconds (``120`` -> ``"2m"``).

    Examples
    --------
    >>> format_duration(120.0), format_duration(86400.0), format_duration(90.0)
    ('2m', '1d', '90s')
    """
    for unit in ("w", "d", "h", "m"):
        n = seconds / _UNITS[unit]
        if n >= 1 and n == int(n):
            return f"{int(n)}{unit}"
    return f"{seconds:g}s"


def parse_sla(value: Any) -> float | dict[str, float]:
    """An SLA as seconds for every channel, or as seconds by channel.

    Parameters
    ----------
    value
        Seconds or a duration (every channel), or a mapping of channel (or
        ``default``) to seconds or a duration.

    Raises
    ------
    ValueError
        Listing every bad entry (unknown channel, not a duration, not positive).

    Examples
    --------
    >>> parse_sla({"Chat": "2m", "email": 86400})
    {'chat': 120.0, 'email': 86400.0}
    """
    if not isinstance(value, Mapping):
        return parse_duration(value)
    out: dict[str, float] = {}
    bad: list[str] = []
    for key, raw in value.items():
        channel = str(key).strip().lower()
        if channel not in SLA_KEYS:
            bad.append(f"unknown channel {str(key)!r} (channels: {', '.join(SLA_KEYS)})")
            continue
        try:
            out[channel] = parse_duration(raw)
        except ValueError as exc:
            bad.append(f"{channel}: {exc}")
    if bad:
        raise ValueError("; ".join(bad))
    return out


def resolve_sla(*layers: float | Mapping[str, Any] | None) -> dict[str, float]:
    """The SLA table that applies: :data:`DEFAULT_SLA`, then each layer in turn.

    A single value replaces every channel (the table becomes ``{"default": value}``); a
    mapping replaces the channels it names; ``None`` changes nothing.

    Raises
    ------
    ValueError
        When a layer is not a valid SLA (see :func:`parse_sla`).
    """
    table = dict(DEFAULT_SLA)
    for layer in layers:
        if layer is None:
            continue
        parsed = parse_sla(layer)
        if isinstance(parsed, dict):
            table.update(parsed)
        else:
            table = {"default": parsed}
    return dict(sorted(table.items()))


def sla_per_interaction(channels: pd.Series, table: Mapping[str, float]) -> np.ndarray:
    """The SLA in seconds of each interaction, from its channel (``default`` otherwise).

    Examples
    --------
    >>> sla_per_interaction(pd.Series(["chat", None, "email"]), {"default": 600.0,
    ...                                                          "chat": 120.0}).tolist()
    [120.0, 600.0, 600.0]
    """
    named = {k: float(v) for k, v in table.items() if k != "default"}
    keys = channels.astype("string").str.lower()
    out = keys.map(named).to_numpy(dtype="float64", na_value=np.nan).copy()
    out[np.isnan(out)] = float(table["default"])
    return out
