"""Interval helpers shared by the timing scorers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Group", "customer_start_end", "intersection_length", "split_groups", "union"]


class Group(dict[str, np.ndarray]):
    """One interaction's columns as numpy arrays (cheaper than a pandas group)."""

    def __len__(self) -> int:
        return len(next(iter(self.values()))) if dict.__len__(self) else 0


def split_groups(frame: pd.DataFrame, columns: list[str], by: str = "interaction_id"
                 ) -> Iterator[tuple[Any, Group]]:
    """``(key, Group)`` per value of ``by``, in order of first appearance.

    The columns are converted to numpy once and sliced per group, which avoids
    pandas' per-group overhead (a scorer loops over thousands of interactions).

    Examples
    --------
    >>> f = pd.DataFrame({"interaction_id": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]})
    >>> [(k, g["x"].tolist()) for k, g in split_groups(f, ["x"])]
    [('a', [1.0, 3.0]), ('b', [2.0])]
    """
    if frame.empty:
        return
    codes, uniques = pd.factorize(frame[by], sort=False)
    order = np.argsort(codes, kind="stable")
    arrays = {c: frame[c].to_numpy()[order] for c in columns}
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(order)]))
    # keys as Python objects once (indexing an Arrow-backed array one by one is slow)
    keys = uniques.tolist() if isinstance(uniques, pd.api.extensions.ExtensionArray) else uniques
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        yield keys[sorted_codes[s]], Group({c: a[s:e] for c, a in arrays.items()})


def customer_start_end(iid: pd.Series | np.ndarray, role: pd.Series | np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Which turns make the customer's opening and which their last word (boolean arrays).

    The turns are in turn order within each interaction. Start: the customer's
    turns before the first agent turn, or else their first turn. End: the
    customer's turns after the first agent turn that follow the last agent turn
    before any of them (their last run of turns since the agent last spoke;
    system turns in between do not split it). The sentiment and outcome scorers
    both read the customer's last word from here.

    Examples
    --------
    >>> start, end = customer_start_end(["a"] * 5, ["customer", "agent", "customer",
    ...                                             "system", "customer"])
    >>> start.tolist(), end.tolist()
    ([True, False, False, False, False], [False, False, True, False, True])
    """
    codes = pd.factorize(np.asarray(iid, dtype=object))[0]
    roles = np.asarray(role, dtype=object)
    n = len(codes)
    # the turns grouped by interaction (turn order kept), each group's rows together
    order = np.argsort(codes, kind="stable")
    group = codes[order]
    agent = (roles == "agent")[order]
    customer = (roles == "customer")[order]
    opens = np.ones(n, dtype=bool)
    opens[1:] = group[1:] != group[:-1]
    segment = np.cumsum(opens) - 1  # each row's group, 0, 1, ... in sorted order
    heads = np.flatnonzero(opens)

    def before_in_group(flags: np.ndarray) -> np.ndarray:
        """How many rows of the same group before each row have ``flags``."""
        total = np.cumsum(flags) - flags
        return total - total[heads][segment]

    agents_before = before_in_group(agent)
    before = customer & (agents_before == 0)
    first = customer & (before_in_group(customer) == 0)
    any_before = np.zeros(len(heads), dtype=bool)
    any_before[segment[before]] = True
    start = before | (first & ~any_before[segment])
    after = customer & (agents_before > 0)
    last_run = np.full(len(heads), -1, dtype=np.int64)
    np.maximum.at(last_run, segment[after], agents_before[after])
    end = after & (agents_before == last_run[segment])
    out_start = np.empty(n, dtype=bool)
    out_end = np.empty(n, dtype=bool)
    out_start[order] = start
    out_end[order] = end
    return out_start, out_end


def union(starts: np.ndarray, ends: np.ndarray) -> list[tuple[float, float]]:
    """Merged, sorted intervals covering the given ones.

    Examples
    --------
    >>> union(np.array([0.0, 1.0, 5.0]), np.array([2.0, 3.0, 6.0]))
    [(0.0, 3.0), (5.0, 6.0)]
    """
    merged: list[tuple[float, float]] = []
    for s, e in sorted(zip(starts.tolist(), ends.tolist(), strict=False)):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def intersection_length(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """Total length where two sorted, merged interval lists overlap.

    Examples
    --------
    >>> intersection_length([(0.0, 3.0)], [(2.0, 5.0), (6.0, 7.0)])
    1.0
    """
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total
