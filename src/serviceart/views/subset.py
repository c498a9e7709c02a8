"""A result cut down to some interactions: by agent, team, channel and dates, or by id.

:func:`subset` keeps the interactions whose metadata match every filter given
(an agent, team or channel in the lists given; ``started_at`` on or after
``start`` and on or before the end of ``end``) and every row of every table that
belongs to them. :class:`Slicer` cuts one interaction out of a result in time
proportional to that interaction's rows, not to the whole run's (the report
draws hundreds of scorecards from one result).

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples"))
>>> part = subset(res, team="billing", start="2026-03-05")
>>> sorted(part.interactions["interaction_id"])
['chat-0005', 'text-0001']
>>> part.run_info["subset"]["interactions"], part.run_info["subset"]["of"]
(2, 13)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..result import TABLES, Result

__all__ = ["Slicer", "subset"]

#: The filters of :func:`subset`: argument name -> interaction column.
FILTER_COLUMNS = {"agent": "agent_id", "team": "team", "channel": "channel"}


def _values(name: str, given: str | Sequence[str] | None) -> list[str] | None:
    if given is None:
        return None
    values = [given] if isinstance(given, str) else list(given)
    if not values or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{name}= must be a non-empty name or list of names (got {given!r})",
                          code="SA-C280")
    return values


def _when(name: str, value: str | dt.date | dt.datetime | pd.Timestamp | None,
          *, end: bool) -> pd.Timestamp | None:
    """A bound as a UTC time stamp; a bare date as an ``end`` bound means its whole day."""
    if value is None:
        return None
    try:
        ts: Any = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ConfigError(f"{name}= is not a date or time: {value!r}; give e.g. 2026-03-05 "
                          "or 2026-03-05T14:00Z", code="SA-C281")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    whole_day = (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (
        isinstance(value, str) and len(value.strip()) == 10)
    if end and whole_day:
        ts = ts + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return ts


def subset(result: Result, *, agent: str | Sequence[str] | None = None,
           team: str | Sequence[str] | None = None,
           channel: str | Sequence[str] | None = None,
           start: str | dt.date | pd.Timestamp | None = None,
           end: str | dt.date | pd.Timestamp | None = None) -> Result:
    """The part of a result whose interactions match every filter given.

    Parameters
    ----------
    result
        A scored run.
    agent, team, channel
        One name or a list of names each; an interaction is kept when its
        ``agent_id``, ``team`` or ``channel`` is one of them.
    start, end
        Keep interactions whose ``started_at`` is on or after ``start`` and on or
        before ``end`` (a date without a time means the whole day; times without
        a zone are UTC). Interactions without ``started_at`` are left out when
        either is given.

    Returns
    -------
    Result
        Every table cut to the kept interactions (rejects with no interaction id
        are kept: they belong to no interaction). ``run_info["subset"]`` records
        the filters, how many interactions were kept and out of how many.

    Raises
    ------
    ConfigError
        When a filter is empty or not text, a date cannot be read, ``start`` is
        after ``end``, the interactions have no column for a filter, a name is
        in no interaction (with the closest names), or nothing matches.
    """
    inter = result.interactions
    if inter is None or "interaction_id" not in inter.columns:
        raise ConfigError("the result has no interaction table, so it cannot be cut by agent, "
                          "team, channel or date; score with sa.score() or read a run folder",
                          code="SA-C282")
    keep = np.ones(len(inter), dtype=bool)
    filters: dict[str, Any] = {}
    for name, given in (("agent", agent), ("team", team), ("channel", channel)):
        values = _values(name, given)
        if values is None:
            continue
        col = FILTER_COLUMNS[name]
        if col not in inter.columns:
            raise ConfigError(f"the interactions have no {col} column, so there is nothing to "
                              f"match {name}= against; the columns are "
                              f"{', '.join(map(str, inter.columns))}", code="SA-C283")
        known = inter[col].dropna().astype(str)
        names = sorted(set(known))
        for v in values:
            if v not in names:
                close = difflib.get_close_matches(v, names, n=3, cutoff=0.5)
                raise ConfigError(f"no interaction has {col} {v!r}"
                                  + (f"; did you mean {', '.join(map(repr, close))}?" if close
                                     else f"; {len(names)} {col} values are known"),
                                  code="SA-C284")
        keep &= inter[col].astype("string").isin(values).fillna(False).to_numpy(dtype=bool)
        filters[name] = values
    lo, hi = _when("start", start, end=False), _when("end", end, end=True)
    if lo is not None and hi is not None and lo > hi:
        raise ConfigError(f"start= {start!r} is after end= {end!r}", code="SA-C285")
    if lo is not None or hi is not None:
        if "started_at" not in inter.columns:
            raise ConfigError("the interactions have no started_at, so there are no dates to "
                              "cut by; leave out start= and end=", code="SA-C288")
        when = pd.to_datetime(inter["started_at"], utc=True)
        inside = when.notna()
        if lo is not None:
            inside &= when >= lo
            filters["start"] = lo.isoformat()
        if hi is not None:
            inside &= when <= hi
            filters["end"] = hi.isoformat()
        keep &= inside.to_numpy(dtype=bool)
    if not keep.any():
        raise ConfigError(f"no interaction matches {_describe(filters)}; widen the filters",
                          code="SA-C286")
    ids = set(inter.loc[keep, "interaction_id"].astype(str))
    tables = {}
    for name in (*TABLES, "interactions"):
        frame = getattr(result, name)
        if frame is None or "interaction_id" not in getattr(frame, "columns", ()):
            continue
        mask = frame["interaction_id"].astype("string").isin(ids).fillna(False)
        if name == "rejects":
            mask |= frame["interaction_id"].isna()
        tables[name] = frame[mask.to_numpy(dtype=bool)].reset_index(drop=True)
    info = {**result.run_info, "subset": {"filters": filters, "label": _describe(filters),
                                          "interactions": len(ids),
                                          "of": int(inter["interaction_id"].nunique())}}
    return dataclasses.replace(result, run_info=info, **tables)


def _describe(filters: dict[str, Any]) -> str:
    """``agent ann, bob; channel chat; from 2026-03-05`` for the filters used."""
    parts = [f"{k} {', '.join(v)}" for k, v in filters.items() if isinstance(v, list)]
    if "start" in filters:
        parts.append(f"from {filters['start'][:10]}")
    if "end" in filters:
        parts.append(f"to {filters['end'][:10]}")
    return "; ".join(parts) or "no filter"


class Slicer:
    """Cuts single interactions out of a result quickly.

    The row positions of every interaction in every table are found once, so
    :meth:`one` costs the size of the interaction, not of the run.
    """

    def __init__(self, result: Result) -> None:
        self._at: dict[str, dict[str, np.ndarray]] = {}
        tables = {}
        for name in (*TABLES, "interactions"):
            frame = getattr(result, name)
            if frame is None or "interaction_id" not in getattr(frame, "columns", ()):
                continue
            # text columns as Python objects: taking a few rows of Arrow-backed strings
            # costs far more per call, and scorecards take a few rows many times
            text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
            frame = frame.astype(dict.fromkeys(text, object)) if text else frame
            tables[name] = frame
            keys = frame["interaction_id"].astype(str)
            self._at[name] = {str(k): np.asarray(v) for k, v in
                              pd.Series(np.arange(len(frame))).groupby(keys.to_numpy()
                                                                       ).groups.items()}
        self.result = dataclasses.replace(result, **tables)

    def one(self, interaction_id: str) -> Result:
        """The result holding only ``interaction_id``'s rows (every table)."""
        empty = np.zeros(0, dtype=np.int64)
        tables = {name: getattr(self.result, name).iloc[at.get(interaction_id, empty)]
                  for name, at in self._at.items()}
        return dataclasses.replace(self.result, **tables)
