"""Business-hour calendars: elapsed time counted only while a business is open.

A :class:`BusinessCalendar` holds opening hours per weekday (several intervals a day,
e.g. a lunch break; closed days; 24/7), an IANA time zone and a set of holidays. It
measures how many *business seconds* lie between two instants, so that a reply on
Monday 09:05 to a message sent on Friday 17:55 (opening hours 09:00-18:00) took
600 business seconds, and finds the instant when N business seconds have elapsed
(due times such as "within 48 business hours").

Rules
-----
* Opening hours are wall-clock hours in the calendar's zone. A day's intervals are
  half-open, ``[start, end)``; ``"24:00"`` may end an interval. Intervals may not
  cross midnight: write ``fri = "22:00-24:00"`` and ``sat = "00:00-02:00"``.
* Instants are UTC: :class:`pandas.Timestamp` or :class:`datetime.datetime`, naive
  ones read as UTC, aware ones converted. Business seconds are *elapsed* seconds while
  open, exact across DST changes: on the night clocks go back an interval
  ``00:00-24:00`` lasts 25 hours. A wall time skipped by a DST change (01:30 on a
  spring-forward night in London) means the moment the clocks jump; a repeated wall
  time means its first occurrence (``fold=0``).
* Holidays are local dates on which the business is closed all day. Half days are not
  modelled: give such a day its own hours by not listing it as a holiday.
* :meth:`BusinessCalendar.business_seconds` is antisymmetric and additive:
  ``bs(a, b) == -bs(b, a)`` and ``bs(a, b) + bs(b, c) == bs(a, c)``; with
  :meth:`BusinessCalendar.always_open` it equals wall-clock seconds.
* Supported instants are those of :class:`pandas.Timestamp` (years 1678-2261); results
  are exact to the nanosecond.

Configuration files (TOML) look like this; days not listed are closed::

    tz = "Europe/London"
    holidays = ["2026-12-25", "2026-12-28"]

    [hours]
    mon-fri = "09:00-12:30, 13:30-18:00"
    sat = "10:00-14:00"
    sun = "closed"

Examples
--------
>>> import pandas as pd
>>> cal = BusinessCalendar(hours={"mon-fri": "09:00-18:00"}, tz="Europe/London")
>>> cal.business_seconds(pd.Timestamp("2026-03-06 17:55Z"), pd.Timestamp("2026-03-09 09:05Z"))
600.0
>>> cal.add_business(pd.Timestamp("2026-03-06 17:55Z"), 600)
Timestamp('2026-03-09 09:05:00+0000', tz='UTC')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import tomllib

from ..errors import ConfigError

__all__ = ["BusinessCalendar"]

UTC = timezone.utc
DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES: dict[str, int] = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1, "thur": 3, "thurs": 3,
}  # fmt: skip
_DAY_GROUPS: dict[str, tuple[int, ...]] = {
    "weekdays": (0, 1, 2, 3, 4), "weekend": (5, 6), "daily": tuple(range(7)),
    "everyday": tuple(range(7)), "all": tuple(range(7)),
}  # fmt: skip
_CLOSED = frozenset({"closed", "", "none", "off", "-"})
_ALL_DAY = frozenset({"24h", "24/7", "open", "all day", "always", "00:00-24:00"})
_TIME_RX = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DAY = 86_400
_NS = 1_000_000_000
_MIN_YEAR, _MAX_YEAR = 1678, 2261

Interval = tuple[int, int]  # seconds after local midnight, [start, end)
Instant = pd.Timestamp | datetime | str
HoursSpec = str | Iterable[tuple[str | time, str | time] | str] | None


def _fmt(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _parse_time(value: str | time | int, day: str, *, end: bool) -> int:
    """Seconds after midnight of "HH:MM[:SS]" (or a :class:`datetime.time`)."""
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _DAY:
        return value  # seconds after midnight, as stored in BusinessCalendar.hours
    m = _TIME_RX.fullmatch(str(value).strip())
    if m is None:
        raise ConfigError(
            f"bad time {value!r} for {day}: write a 24-hour clock time such as '09:00' or '17:30'",
            field=day, code="SA-C014"
        )
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if (h, mi, s) == (24, 0, 0) and end:
        return _DAY
    if h > 23 or mi > 59 or s > 59:
        what = "an end time of at most '24:00'" if end else "a start time of '00:00'-'23:59'"
        raise ConfigError(f"bad time {value!r} for {day}: give {what}", field=day, code="SA-C015")
    return h * 3600 + mi * 60 + s


def _parse_day(day: str, spec: HoursSpec) -> tuple[Interval, ...]:
    """Sorted, merged opening intervals of one weekday."""
    if spec is None:
        return ()
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text in _CLOSED:
            return ()
        if text in _ALL_DAY:
            return ((0, _DAY),)
        parts: list[Any] = [p for p in re.split(r"[,;]", spec) if p.strip()]
    else:
        parts = list(spec)
    intervals: list[Interval] = []
    for part in parts:
        if isinstance(part, str):
            pieces = re.split(r"\s*(?:-|–|to)\s*", part.strip())
            if len(pieces) != 2:
                raise ConfigError(
                    f"bad opening hours {part!r} for {day}: write 'HH:MM-HH:MM', e.g. "
                    "'09:00-17:30', several separated by commas, or 'closed'",
                    field=day, code="SA-C016"
                )
            start_raw, end_raw = pieces
        else:
            try:
                start_raw, end_raw = part
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"bad opening hours {part!r} for {day}: give (start, end) pairs such as "
                    "('09:00', '17:30')",
                    field=day, code="SA-C017"
                ) from exc
        start = _parse_time(start_raw, day, end=False)
        end = _parse_time(end_raw, day, end=True)
        if end <= start:
            raise ConfigError(
                f"opening hours {_fmt(start)}-{_fmt(end)} on {day} end before they start: "
                "intervals cannot cross midnight, split them over two days "
                "(e.g. '22:00-24:00' and '00:00-02:00')",
                field=day, code="SA-C018"
            )
        intervals.append((start, end))
    intervals.sort()
    merged: list[Interval] = []
    for start, end in intervals:
        if merged and start < merged[-1][1]:
            prev = merged[-1]
            raise ConfigError(
                f"overlapping opening hours on {day}: {_fmt(prev[0])}-{_fmt(prev[1])} and "
                f"{_fmt(start)}-{_fmt(end)}; make the intervals disjoint",
                field=day, code="SA-C019"
            )
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _day_indices(key: object) -> tuple[int, ...]:
    """Weekday numbers (Monday=0) named by a key: "mon", "Monday", "mon-fri", "weekend"."""
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return (key,)
    name = str(key).strip().lower()
    if name in _DAY_ALIASES:
        return (_DAY_ALIASES[name],)
    if name in _DAY_GROUPS:
        return _DAY_GROUPS[name]
    ends = re.split(r"\s*(?:-|–|to)\s*", name)
    if len(ends) == 2 and ends[0] in _DAY_ALIASES and ends[1] in _DAY_ALIASES:
        a, b = _DAY_ALIASES[ends[0]], _DAY_ALIASES[ends[1]]
        return tuple((a + i) % 7 for i in range((b - a) % 7 + 1))
    raise ConfigError(
        f"unknown weekday {key!r}: use mon, tue, wed, thu, fri, sat, sun, a range such as "
        "'mon-fri', or 'weekdays', 'weekend', 'daily'",
        field="hours", code="SA-C020"
    )


def _parse_hours(hours: Mapping[Any, HoursSpec]) -> tuple[tuple[Interval, ...], ...]:
    if not isinstance(hours, Mapping):
        raise ConfigError(
            f"hours must map weekdays to opening hours, e.g. {{'mon-fri': '09:00-17:00'}}, "
            f"got {type(hours).__name__}",
            field="hours", code="SA-C021"
        )
    week: list[tuple[Interval, ...] | None] = [None] * 7
    for key, spec in hours.items():
        for i in _day_indices(key):
            if week[i] is not None:
                raise ConfigError(
                    f"{DAY_NAMES[i]} is given opening hours twice (key {key!r}); name each "
                    "day once",
                    field="hours", code="SA-C022"
                )
            week[i] = _parse_day(DAY_NAMES[i], spec)
    return tuple(day or () for day in week)


def _parse_holidays(holidays: Iterable[date | str] | None) -> frozenset[date]:
    if holidays is None:
        return frozenset()
    if isinstance(holidays, (str, date)):
        holidays = [holidays]
    out: set[date] = set()
    for h in holidays:
        if isinstance(h, datetime):
            out.add(h.date())
        elif isinstance(h, date):
            out.add(h)
        else:
            try:
                out.add(date.fromisoformat(str(h).strip()))
            except ValueError as exc:
                raise ConfigError(
                    f"bad holiday {h!r}: write dates as 'YYYY-MM-DD', e.g. '2026-12-25'",
                    field="holidays", code="SA-C023"
                ) from exc
    return frozenset(out)


def _zone_name(tz: str | tzinfo) -> str:
    if isinstance(tz, ZoneInfo):
        return tz.key
    if tz is UTC or (isinstance(tz, tzinfo) and tz == UTC):
        return "UTC"
    if not isinstance(tz, str):
        raise ConfigError(
            f"time zone must be an IANA name such as 'Europe/London', got {tz!r}", field="tz",
            code="SA-C024"
        )
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(
            f"unknown time zone {tz!r}: give an IANA name such as 'Europe/London' or "
            "'America/New_York'",
            field="tz", code="SA-C025"
        ) from exc
    return tz


def _to_ns(ts: Instant) -> int:
    """Nanoseconds since the epoch of an instant; naive values are UTC."""
    try:
        stamp = pd.Timestamp(ts)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"not a timestamp: {ts!r}") from exc
    if stamp is pd.NaT:
        raise ValueError("a timestamp is NaT; use business_seconds_many for missing values")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.as_unit("ns").value)


def _many_ns(values: Any) -> np.ndarray:
    """int64 nanoseconds of many instants; NaT as numpy's NaT integer."""
    idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    return np.asarray(idx.as_unit("ns").asi8, dtype=np.int64)


_NAT = np.iinfo(np.int64).min


def _utc_ns(zone: ZoneInfo, day: date, seconds: int) -> int:
    """UTC nanoseconds of a local wall time; skipped times map to the DST jump itself."""
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    local = wall.replace(tzinfo=zone)
    u0 = int(local.timestamp())  # fold=0: the offset before a change
    back = datetime.fromtimestamp(u0, zone).replace(tzinfo=None)
    if back == wall:
        return u0 * _NS
    # a gap: the jump lies in (fold=1 instant, fold=0 instant]; find it
    lo = int(local.replace(fold=1).timestamp())
    hi = u0
    off = zone.utcoffset(datetime.fromtimestamp(lo, UTC).replace(tzinfo=None))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(zone).utcoffset() == off:
            lo = mid
        else:
            hi = mid
    return hi * _NS


@lru_cache(maxsize=1024)
def _year_table(cal: BusinessCalendar, year: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanosecond starts and ends of the opening intervals of one local year."""
    zone = ZoneInfo(cal.tz)
    starts: list[int] = []
    ends: list[int] = []
    day = date(year, 1, 1)
    step = timedelta(days=1)
    while day.year == year:
        if day not in cal.holidays:
            for s, e in cal.hours[day.weekday()]:
                a = _utc_ns(zone, day, s)
                b = _utc_ns(zone, day, e)
                if b > a:
                    starts.append(a)
                    ends.append(b)
        day += step
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


@dataclass(frozen=True)
class _Table:
    """Open intervals over a span of years, with cumulative business nanoseconds."""

    starts: np.ndarray  # int64 ns, sorted
    ends: np.ndarray
    before: np.ndarray  # business ns before each interval

    def cum(self, t: np.ndarray) -> np.ndarray:
        """Business nanoseconds from ``lo`` to each instant in ``t``."""
        if len(self.starts) == 0:
            return np.zeros(np.shape(t), dtype=np.int64)
        i = np.searchsorted(self.starts, t, side="right") - 1
        j = np.maximum(i, 0)
        inside = np.clip(t - self.starts[j], 0, self.ends[j] - self.starts[j])
        return np.where(i >= 0, self.before[j] + inside, 0)


@lru_cache(maxsize=64)
def _table(cal: BusinessCalendar, y0: int, y1: int) -> _Table:
    parts = [_year_table(cal, y) for y in range(y0, y1 + 1)]
    starts = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    ends = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    if len(starts) > 1:  # merge intervals that abut (24/7, or open across midnight)
        keep = np.ones(len(starts), dtype=bool)
        keep[1:] = starts[1:] != ends[:-1]
        run = np.cumsum(keep) - 1
        new_ends = np.zeros(int(keep.sum()), dtype=np.int64)
        np.maximum.at(new_ends, run, ends)
        starts, ends = starts[keep], new_ends
    lengths = ends - starts
    before = (np.cumsum(lengths) - lengths).astype(np.int64)
    return _Table(starts, ends, before)


def _year_of(ns: int) -> int:
    return int(np.datetime64(ns, "ns").astype("datetime64[Y]").astype(int)) + 1970


def _span(lo_ns: int, hi_ns: int) -> tuple[int, int]:
    y0, y1 = _year_of(lo_ns) - 1, _year_of(hi_ns) + 1
    return max(y0, _MIN_YEAR), min(y1, _MAX_YEAR)


def _stamp(ns: int) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC")


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday in a time zone, with holidays.

    Parameters
    ----------
    hours
        Weekday -> opening hours. Keys: ``"mon"``..``"sun"`` (or full names, or ranges
        such as ``"mon-fri"``, or ``"weekdays"``, ``"weekend"``, ``"daily"``). Values: a
        string ``"09:00-12:30, 13:30-18:00"``, ``"closed"`` or ``"24h"``, or a list of
        ``(start, end)`` pairs of ``"HH:MM"`` strings or :class:`datetime.time`.
        Weekdays not given are closed. ``None`` (the default) means Monday to Friday,
        09:00-17:00. After construction, a tuple of seven tuples of
        ``(start, end)`` seconds after local midnight, Monday first.
    tz
        An IANA time zone name (or a :class:`zoneinfo.ZoneInfo`) in which the hours
        are read.
    holidays
        Local dates (or ``"YYYY-MM-DD"`` strings) on which the business is closed.

    Raises
    ------
    ConfigError
        On a bad time ("25:00"), an interval that ends before it starts, overlapping
        intervals, an unknown weekday, a weekday named twice, a bad holiday date or an
        unknown time zone.

    Examples
    --------
    >>> cal = BusinessCalendar(
    ...     hours={"mon-fri": [("09:00", "12:30"), ("13:30", "18:00")], "sat": "10:00-14:00"},
    ...     tz="America/New_York", holidays=["2026-12-25"])
    >>> cal.to_dict()["hours"]["mon"]
    '09:00-12:30, 13:30-18:00'
    >>> cal.weekly_seconds() / 3600
    44.0
    >>> BusinessCalendar(hours={"mon": "09:00-25:00"})
    Traceback (most recent call last):
    ...
    serviceart.errors.ConfigError: [SA-C015] field mon: bad time '25:00' for mon: give an end time of at most '24:00'
    """  # noqa: E501

    hours: Any = None
    tz: str = "UTC"
    holidays: Any = frozenset()

    def __post_init__(self) -> None:
        hours = {"mon-fri": "09:00-17:00"} if self.hours is None else self.hours
        if not (
            isinstance(hours, tuple)
            and len(hours) == 7
            and all(isinstance(d, tuple) for d in hours)
        ):
            hours = _parse_hours(hours)
        else:
            hours = _parse_hours(dict(enumerate(list(hours))))
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "tz", _zone_name(self.tz))
        object.__setattr__(self, "holidays", _parse_holidays(self.holidays))

    # -- construction -------------------------------------------------------------

    @classmethod
    def always_open(cls, tz: str = "UTC") -> BusinessCalendar:
        """A calendar open 24 hours a day, 7 days a week: business seconds = wall seconds.

        Examples
        --------
        >>> import pandas as pd
        >>> BusinessCalendar.always_open("Europe/London").business_seconds(
        ...     pd.Timestamp("2026-10-24 12:00Z"), pd.Timestamp("2026-10-26 12:00Z")) / 3600
        48.0
        """
        return cls(hours={"daily": "24h"}, tz=tz)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> BusinessCalendar:
        """Build a calendar from a mapping with keys ``hours``, ``tz`` and ``holidays``.

        ``timezone`` is accepted for ``tz``; ``tz`` and ``holidays`` may also sit inside
        ``hours`` (as they do when a TOML file lists them after its ``[hours]`` header).

        Examples
        --------
        >>> cal = BusinessCalendar.from_dict(
        ...     {"tz": "Europe/Paris", "hours": {"mon-fri": "08:30-17:00"},
        ...      "holidays": ["2026-05-01"]})
        >>> BusinessCalendar.from_dict(cal.to_dict()) == cal
        True
        """
        if not isinstance(mapping, Mapping):
            raise ConfigError(
                f"a business calendar must be a mapping with 'hours', 'tz' and 'holidays', "
                f"got {type(mapping).__name__}", code="SA-C026"
            )
        data = dict(mapping)
        for wrapper in ("business_hours", "calendar", "business_calendar"):
            if set(data) == {wrapper} and isinstance(data[wrapper], Mapping):
                data = dict(data[wrapper])
        hours = data.pop("hours", None)
        if isinstance(hours, Mapping):
            hours = dict(hours)
            for key in ("tz", "timezone", "holidays"):
                if key in hours and key not in data:
                    data[key] = hours.pop(key)
        tz = data.pop("tz", data.pop("timezone", "UTC"))
        holidays = data.pop("holidays", ())
        if data:
            raise ConfigError(
                f"unknown business calendar key(s) {sorted(data)}: use 'hours', 'tz' and "
                "'holidays'", code="SA-C027"
            )
        return cls(hours=hours, tz=tz, holidays=holidays)

    @classmethod
    def from_toml(cls, source: str | Path) -> BusinessCalendar:
        """Build a calendar from TOML text or a path to a TOML file.

        Examples
        --------
        >>> cal = BusinessCalendar.from_toml('''
        ... tz = "Europe/London"
        ... holidays = ["2026-12-25"]
        ... [hours]
        ... mon-fri = "09:00-18:00"
        ... sat = "closed"
        ... ''')
        >>> cal.hours[0], cal.hours[5]
        (((32400, 64800),), ())
        """
        if isinstance(source, Path) or (
            isinstance(source, str) and "\n" not in source and "=" not in source
        ):
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(
                    f"cannot read business calendar: {exc}", source=str(path),
                    code="SA-C028"
                ) from exc
            where: str | None = str(path)
        else:
            text, where = str(source), None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", source=where, code="SA-C029") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (strings and lists) that :meth:`from_dict` reads back.

        Examples
        --------
        >>> BusinessCalendar(hours={"sat": "10:00-14:00"}).to_dict()["hours"]["sat"]
        '10:00-14:00'
        """
        hours = {
            name: ", ".join(f"{_fmt(s)}-{_fmt(e)}" for s, e in day) if day else "closed"
            for name, day in zip(DAY_NAMES, self.hours, strict=True)
        }
        return {
            "tz": self.tz,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "hours": hours,
        }

    def to_toml(self) -> str:
        """The calendar as TOML text, read back by :meth:`from_toml`."""
        import tomli_w

        return str(tomli_w.dumps(self.to_dict()))

    # -- facts ----------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.tz)

    def weekly_seconds(self) -> int:
        """Wall-clock seconds open in a week without holidays or DST changes."""
        return sum(e - s for day in self.hours for s, e in day)

    def is_business_day(self, day: date) -> bool:
        """Whether a local date has opening hours and is not a holiday.

        Examples
        --------
        >>> cal = BusinessCalendar(holidays=["2026-12-25"])
        >>> [cal.is_business_day(date(2026, 12, d)) for d in (24, 25, 26)]
        [True, False, False]
        """
        return bool(self.hours[day.weekday()]) and day not in self.holidays

    def closing_time(self, day: date) -> datetime | None:
        """The UTC instant when a local date's last opening interval ends (None if closed).

        Examples
        --------
        >>> BusinessCalendar(tz="Europe/London").closing_time(date(2026, 7, 1))
        datetime.datetime(2026, 7, 1, 16, 0, tzinfo=datetime.timezone.utc)
        """
        if not self.is_business_day(day):
            return None
        ns = _utc_ns(self.zone, day, self.hours[day.weekday()][-1][1])
        return datetime.fromtimestamp(ns / _NS, UTC)

    # -- arithmetic -----------------------------------------------------------------

    def _table_for(self, lo_ns: int, hi_ns: int) -> _Table:
        return _table(self, *_span(lo_ns, hi_ns))

    def business_seconds(self, start: Instant, end: Instant) -> float:
        """Business seconds between two instants; negative when ``end`` < ``start``.

        Parameters
        ----------
        start, end
            Instants (:class:`pandas.Timestamp`, :class:`datetime.datetime` or ISO
            strings); naive values are UTC.

        Returns
        -------
        float
            Seconds during which the business was open in ``[start, end)``.

        Examples
        --------
        >>> cal = BusinessCalendar(hours={"mon-fri": "09:00-18:00"}, tz="Europe/London")
        >>> cal.business_seconds(datetime(2026, 3, 6, 17, 55), datetime(2026, 3, 9, 9, 5))
        600.0
        >>> cal.business_seconds(datetime(2026, 3, 9, 9, 5), datetime(2026, 3, 6, 17, 55))
        -600.0
        """
        a, b = _to_ns(start), _to_ns(end)
        table = self._table_for(min(a, b), max(a, b))
        ca, cb = table.cum(np.array([a, b], dtype=np.int64))
        return float(cb - ca) / _NS

    def business_seconds_many(self, starts: Any, ends: Any) -> np.ndarray:
        """Business seconds between pairs of instants, vectorised; NaT gives NaN.

        Parameters
        ----------
        starts, ends
            Same-length sequences of instants (pandas Series, DatetimeIndex, numpy
            ``datetime64`` arrays or lists); naive values are UTC, aware ones are
            converted.

        Returns
        -------
        numpy.ndarray
            float64 seconds, NaN where either instant is missing.

        Examples
        --------
        >>> import pandas as pd
        >>> cal = BusinessCalendar(hours={"mon-fri": "09:00-18:00"}, tz="Europe/London")
        >>> cal.business_seconds_many(
        ...     pd.Series(pd.to_datetime(["2026-03-06 17:55", None], utc=True)),
        ...     pd.Series(pd.to_datetime(["2026-03-09 09:05", "2026-03-09 10:00"], utc=True)))
        array([600.,  nan])
        """
        a, b = _many_ns(starts), _many_ns(ends)
        if a.shape != b.shape:
            raise ValueError(f"starts and ends differ in length: {len(a)} != {len(b)}")
        out = np.full(a.shape, np.nan)
        ok = (a != _NAT) & (b != _NAT)
        if not ok.any():
            return out
        a, b = a[ok], b[ok]
        table = self._table_for(int(min(a.min(), b.min())), int(max(a.max(), b.max())))
        out[ok] = (table.cum(b) - table.cum(a)) / _NS
        return out

    def add_business(self, start: Instant, seconds: float) -> pd.Timestamp:
        """The instant when ``seconds`` business seconds have elapsed after ``start``.

        A result that falls on a closing time stays there ("within 9 business hours"
        from opening ends at closing, not at the next opening); ``seconds=0`` returns
        ``start``.

        Raises
        ------
        ValueError
            If ``seconds`` is negative or not finite.
        ConfigError
            If the calendar has no opening hours at all.

        Examples
        --------
        >>> cal = BusinessCalendar(hours={"mon-fri": "09:00-17:00"}, tz="Europe/London")
        >>> cal.add_business(datetime(2026, 3, 6, 16, 0), 48 * 3600)
        Timestamp('2026-03-16 16:00:00+0000', tz='UTC')
        """
        if not np.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        a = _to_ns(start)
        if seconds == 0:
            return _stamp(a)
        self._require_open()
        delta = round(seconds * _NS)
        y0, y1 = _span(a, a)
        while True:
            table = _table(self, y0, y1)
            target = int(table.cum(np.array([a], dtype=np.int64))[0]) + delta
            after = table.before + (table.ends - table.starts)
            i = int(np.searchsorted(after, target, side="left"))
            if i < len(after):
                return _stamp(int(table.starts[i] + (target - table.before[i])))
            if y1 >= _MAX_YEAR:
                raise ValueError(
                    f"{seconds} business seconds after {_stamp(a)} fall beyond year {_MAX_YEAR}"
                )
            y1 = min(_MAX_YEAR, y1 + max(2, (y1 - y0)))

    def is_open(self, ts: Instant) -> bool:
        """Whether the business is open at an instant.

        Examples
        --------
        >>> cal = BusinessCalendar(tz="Europe/London")
        >>> cal.is_open(datetime(2026, 7, 1, 8, 30)), cal.is_open(datetime(2026, 7, 1, 16, 0))
        (True, False)
        """
        t = _to_ns(ts)
        table = self._table_for(t, t)
        i = int(np.searchsorted(table.starts, t, side="right")) - 1
        return i >= 0 and t < int(table.ends[i])

    def next_open(self, ts: Instant) -> pd.Timestamp:
        """The first instant at or after ``ts`` when the business is open.

        Raises
        ------
        ConfigError
            If the calendar has no opening hours at all.

        Examples
        --------
        >>> cal = BusinessCalendar(tz="Europe/London", holidays=["2026-12-25", "2026-12-28"])
        >>> cal.next_open(datetime(2026, 12, 24, 18, 0))  # Christmas, a weekend, a holiday
        Timestamp('2026-12-29 09:00:00+0000', tz='UTC')
        """
        t = _to_ns(ts)
        self._require_open()
        y0, y1 = _span(t, t)
        while True:
            table = _table(self, y0, y1)
            i = int(np.searchsorted(table.starts, t, side="right")) - 1
            if i >= 0 and t < int(table.ends[i]):
                return _stamp(t)
            if i + 1 < len(table.starts):
                return _stamp(int(table.starts[i + 1]))
            if y1 >= _MAX_YEAR:
                raise ValueError(f"the business does not open after {_stamp(t)} before {_MAX_YEAR}")
            y1 = min(_MAX_YEAR, y1 + max(2, (y1 - y0)))

    def _require_open(self) -> None:
        if not any(self.hours):
            raise ConfigError(
                "the business calendar has no opening hours on any weekday, so no business "
                "time ever elapses: give hours such as {'mon-fri': '09:00-17:00'}",
                field="hours", code="SA-C030"
            )
