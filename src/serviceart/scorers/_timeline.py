"""Interval helpers shared by the timing scorers."""

from __future__ import annotations

import numpy as np

__all__ = ["intersection_length", "union"]


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
