"""The date range of a run, ignoring a few stray dates far from the rest.

Exports often hold a handful of interactions far from the others (the Twitter
support corpus has threads from 2011 and 2016 among two months of 2017): a
trend drawn over every date is a flat line over six years. :func:`date_window`
takes the ``low`` and ``high`` quantiles of the dates (by default the 1st and
99th percentiles) and widens that range on each side by a tenth of its length,
or by ``pad`` when that is longer (a trend passes one period). Dates outside
are stray: the caller leaves them out and says how many.

Examples
--------
>>> import pandas as pd
>>> when = pd.Series(pd.to_datetime(["2011-08-29"] + ["2017-10-02"] * 100
...                                 + ["2017-11-20"] * 99, utc=True))
>>> w = date_window(when, pad=pd.Timedelta(days=7))
>>> str(w.start.date()), str(w.end.date()), w.before, w.after
('2017-09-25', '2017-11-27', 1, 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import pandas as pd

from ..errors import ConfigError

__all__ = ["DateWindow", "date_window"]


@dataclass(frozen=True)
class DateWindow:
    """The dates kept (``start`` to ``end``, inclusive) and how many were left out."""

    start: pd.Timestamp
    end: pd.Timestamp
    before: int
    after: int

    @property
    def left_out(self) -> int:
        """Dates outside the window."""
        return self.before + self.after

    def note(self, what: str = "interaction(s)") -> str:
        """``3 interaction(s) outside 2017-09-25 to 2017-11-27 left out (2 before, 1
        after)``, or ``""`` when none was."""
        if not self.left_out:
            return ""
        return (f"{self.left_out} {what} outside {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} "
                f"left out ({self.before} before, {self.after} after)")


def date_window(when: pd.Series, *, low: float = 0.01, high: float = 0.99,
                pad: pd.Timedelta | None = None) -> DateWindow:
    """The window of ``when`` (time stamps; missing ones are ignored) without stray dates.

    Parameters
    ----------
    when
        Time stamps (timezone-aware or naive).
    low, high
        Quantiles of the dates that bound the core of the range (0 and 1 keep
        every date).
    pad
        The least widening on each side of the core (e.g. one trend period).

    Returns
    -------
    DateWindow
        ``start`` and ``end`` of the window and the count of dates before and
        after it. Without any date, ``start`` and ``end`` are ``NaT``. Dates
        can be left out only when fewer than ``low`` (or ``1 - high``) of them
        lie on that side.

    Raises
    ------
    ConfigError
        When the quantiles are not ``0 <= low < high <= 1``.
    """
    if not 0.0 <= low < high <= 1.0:
        raise ConfigError(f"the quantiles of the date window need 0 <= low < high <= 1 (got "
                          f"low={low}, high={high})", code="SA-C287")
    t = pd.to_datetime(when.dropna(), utc=True)
    if t.empty:
        missing = cast(pd.Timestamp, pd.NaT)
        return DateWindow(missing, missing, 0, 0)
    ordered = t.sort_values(ignore_index=True)
    last = len(ordered) - 1
    core_lo = pd.Timestamp(ordered.iloc[math.floor(low * last)])
    core_hi = pd.Timestamp(ordered.iloc[math.ceil(high * last)])
    widen = (core_hi - core_lo) / 10
    if pad is not None and pad > widen:
        widen = pad
    start, end = core_lo - widen, core_hi + widen
    if low == 0.0:
        start = core_lo
    if high == 1.0:
        end = core_hi
    return DateWindow(start, end, int((t < start).sum()), int((t > end).sum()))
