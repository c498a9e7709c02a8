"""Tests of serviceart.clock.calendar: business-hour calendars."""

from __future__ import annotations

import pickle
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from serviceart.clock.calendar import BusinessCalendar
from serviceart.errors import ConfigError

UTC = timezone.utc
LONDON = BusinessCalendar(hours={"mon-fri": "09:00-18:00"}, tz="Europe/London")
NY = BusinessCalendar(hours={"mon-fri": "09:00-17:00"}, tz="America/New_York")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def bs(cal: BusinessCalendar, a: str, b: str) -> float:
    return cal.business_seconds(ts(a), ts(b))


# -- worked examples ----------------------------------------------------------------


def test_friday_evening_to_monday_morning_is_ten_minutes() -> None:
    # 2026-03-06 is a Friday; London is on GMT (UTC+0) in early March
    assert bs(LONDON, "2026-03-06 17:55", "2026-03-09 09:05") == 600.0
    assert LONDON.add_business(ts("2026-03-06 17:55"), 600) == ts("2026-03-09 09:05")


def test_friday_evening_to_monday_morning_in_summer_time() -> None:
    # June: London is on BST (UTC+1), so 17:55 local is 16:55 UTC
    assert bs(LONDON, "2026-06-05 16:55", "2026-06-08 08:05") == 600.0


def test_bank_holiday_monday() -> None:
    cal = BusinessCalendar(
        hours={"mon-fri": "09:00-18:00"}, tz="Europe/London", holidays=["2026-05-04"]
    )
    # Friday 1 May 17:55 BST -> Tuesday 5 May 09:05 BST: the Monday does not count
    assert bs(cal, "2026-05-01 16:55", "2026-05-05 08:05") == 600.0
    assert bs(LONDON, "2026-05-01 16:55", "2026-05-05 08:05") == 600.0 + 9 * 3600
    assert bs(cal, "2026-05-04 08:00", "2026-05-04 17:00") == 0.0
    assert not cal.is_open(ts("2026-05-04 12:00"))
    assert cal.next_open(ts("2026-05-02 12:00")) == ts("2026-05-05 08:00")


def test_christmas() -> None:
    # 25 Dec 2026 is a Friday; Boxing Day (Sat) is observed on Monday 28th
    cal = BusinessCalendar(
        hours={"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=[date(2026, 12, 25), "2026-12-28"],
    )
    assert bs(cal, "2026-12-24 16:50", "2026-12-29 09:10") == 20 * 60
    assert cal.next_open(ts("2026-12-24 17:00")) == ts("2026-12-29 09:00")
    assert cal.add_business(ts("2026-12-24 16:00"), 2 * 3600) == ts("2026-12-29 10:00")
    assert cal.is_business_day(date(2026, 12, 24))
    assert not cal.is_business_day(date(2026, 12, 25))


def test_lunch_break() -> None:
    cal = BusinessCalendar(
        hours={"mon-fri": [("09:00", "12:30"), ("13:30", "18:00")]}, tz="Europe/London"
    )
    # 12:00 -> 14:00 on a Wednesday: 30 minutes before lunch, 30 after
    assert bs(cal, "2026-03-04 12:00", "2026-03-04 14:00") == 3600.0
    assert bs(cal, "2026-03-04 12:40", "2026-03-04 13:20") == 0.0
    assert not cal.is_open(ts("2026-03-04 12:30"))
    assert cal.is_open(ts("2026-03-04 12:29:59"))
    assert cal.next_open(ts("2026-03-04 12:45")) == ts("2026-03-04 13:30")
    assert cal.add_business(ts("2026-03-04 12:00"), 3600) == ts("2026-03-04 14:00")
    assert cal.weekly_seconds() == 5 * 8 * 3600


def test_closed_to_closed_is_zero() -> None:
    assert bs(LONDON, "2026-03-07 10:00", "2026-03-08 15:00") == 0.0  # Saturday -> Sunday
    assert bs(LONDON, "2026-03-04 19:00", "2026-03-05 08:59") == 0.0  # overnight
    assert bs(LONDON, "2026-03-06 18:00", "2026-03-09 09:00") == 0.0  # closing -> opening


def test_same_instant_and_antisymmetry() -> None:
    assert bs(LONDON, "2026-03-04 10:00", "2026-03-04 10:00") == 0.0
    assert bs(LONDON, "2026-03-09 09:05", "2026-03-06 17:55") == -600.0


def test_datetimes_and_strings() -> None:
    naive = LONDON.business_seconds(datetime(2026, 3, 6, 17, 55), datetime(2026, 3, 9, 9, 5))
    paris = timezone(timedelta(hours=1))
    aware = LONDON.business_seconds(
        datetime(2026, 3, 6, 18, 55, tzinfo=paris), datetime(2026, 3, 9, 10, 5, tzinfo=paris)
    )
    text = LONDON.business_seconds("2026-03-06T17:55:00Z", "2026-03-09 09:05")
    assert naive == aware == text == 600.0


def test_subsecond_precision() -> None:
    a = pd.Timestamp("2026-03-04 10:00:00.000000001", tz="UTC")
    assert LONDON.business_seconds(a, ts("2026-03-04 10:00:01")) == pytest.approx(1 - 1e-9)


# -- time zones and DST ---------------------------------------------------------------

SUNDAY_24H_LONDON = BusinessCalendar(hours={"sun": "24h"}, tz="Europe/London")
SUNDAY_24H_NY = BusinessCalendar(hours={"sun": "24h"}, tz="America/New_York")


@pytest.mark.parametrize(
    ("cal", "day", "hours"),
    [
        (SUNDAY_24H_LONDON, "2026-03-29", 23),  # spring forward, 01:00 -> 02:00
        (SUNDAY_24H_LONDON, "2026-10-25", 25),  # fall back, 02:00 -> 01:00
        (SUNDAY_24H_LONDON, "2026-03-22", 24),
        (SUNDAY_24H_NY, "2026-03-08", 23),  # spring forward, 02:00 -> 03:00
        (SUNDAY_24H_NY, "2026-11-01", 25),  # fall back, 02:00 -> 01:00
        (SUNDAY_24H_NY, "2026-11-08", 24),
    ],
)
def test_dst_days_last_23_or_25_hours(cal: BusinessCalendar, day: str, hours: int) -> None:
    week = bs(cal, f"{day} 00:00", f"{day} 00:00")
    assert week == 0
    d = date.fromisoformat(day)
    total = bs(cal, str(d - timedelta(days=1)), str(d + timedelta(days=2)))
    assert total == hours * 3600


def test_dst_spring_forward_partial_intervals_london() -> None:
    # on 2026-03-29 local 01:00-02:00 does not exist; 01:00 GMT = 01:00 UTC is the jump
    cal = BusinessCalendar(hours={"sun": "00:30-02:30"}, tz="Europe/London")
    assert bs(cal, "2026-03-28", "2026-03-30") == 3600.0  # 00:30 GMT -> 02:30 BST
    gap = BusinessCalendar(hours={"sun": "01:30-03:00"}, tz="Europe/London")
    assert bs(gap, "2026-03-28", "2026-03-30") == 3600.0  # opens when the clocks jump
    assert gap.next_open(ts("2026-03-29 00:00")) == ts("2026-03-29 01:00")
    inside = BusinessCalendar(hours={"sun": "01:10-01:50"}, tz="Europe/London")
    assert bs(inside, "2026-03-28", "2026-03-30") == 0.0  # never on the wall clock
    assert bs(inside, "2026-03-21", "2026-03-23") == 40 * 60  # the Sunday before


def test_dst_fall_back_partial_intervals_london() -> None:
    # on 2026-10-25 01:00-02:00 happens twice: BST (00:00-01:00 UTC), then GMT
    cal = BusinessCalendar(hours={"sun": "01:00-02:00"}, tz="Europe/London")
    assert bs(cal, "2026-10-24", "2026-10-26") == 2 * 3600.0
    assert cal.next_open(ts("2026-10-24 12:00")) == ts("2026-10-25 00:00")


def test_ny_friday_to_monday_over_spring_forward() -> None:
    # Fri 6 Mar 16:55 EST (21:55 UTC) -> Mon 9 Mar 09:05 EDT (13:05 UTC)
    assert bs(NY, "2026-03-06 21:55", "2026-03-09 13:05") == 600.0
    assert NY.add_business(ts("2026-03-06 21:55"), 600) == ts("2026-03-09 13:05")
    # and over fall back: Fri 30 Oct 16:55 EDT -> Mon 2 Nov 09:05 EST
    assert bs(NY, "2026-10-30 20:55", "2026-11-02 14:05") == 600.0


def test_ny_night_shift_over_fall_back() -> None:
    cal = BusinessCalendar(
        hours={"sat": "22:00-24:00", "sun": "00:00-06:00"}, tz="America/New_York"
    )
    # Sat 31 Oct 22:00 EDT -> Sun 1 Nov 06:00 EST: 8 wall hours, 9 elapsed
    assert bs(cal, "2026-10-31", "2026-11-02") == 9 * 3600.0
    assert cal.add_business(ts("2026-10-31 12:00"), 9 * 3600) == ts("2026-11-01 11:00")


def test_zone_where_midnight_is_skipped() -> None:
    # Santiago springs forward at 24:00 -> 01:00 (2026-09-06); 24h days stay seamless
    cal = BusinessCalendar.always_open("America/Santiago")
    a, b = ts("2026-09-05 00:00"), ts("2026-09-08 00:00")
    assert cal.business_seconds(a, b) == (b - a).total_seconds()


def test_always_open_is_wall_time() -> None:
    for tz in ("UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe"):
        cal = BusinessCalendar.always_open(tz)
        a, b = ts("2026-01-01 03:17"), ts("2026-12-31 21:01:05")
        assert cal.business_seconds(a, b) == (b - a).total_seconds()
        assert cal.is_open(a)
        assert cal.next_open(a) == a
        assert cal.add_business(a, 12345.5) == a + pd.Timedelta(seconds=12345.5)


# -- vectorised ---------------------------------------------------------------------


def test_many_matches_scalar_with_nat() -> None:
    starts = pd.Series(pd.to_datetime(["2026-03-06 17:55", None, "2026-12-24 16:50"], utc=True))
    ends = pd.Series(pd.to_datetime(["2026-03-09 09:05", "2026-03-09 10:00", None], utc=True))
    out = LONDON.business_seconds_many(starts, ends)
    assert out.dtype == np.float64
    assert out[0] == 600.0
    assert np.isnan(out[1:]).all()


def test_many_accepts_naive_other_zones_and_empty() -> None:
    naive = pd.Series(pd.to_datetime(["2026-03-06 17:55"]))
    paris = pd.Series(pd.to_datetime(["2026-03-09 10:05"]).tz_localize("Europe/Paris"))
    assert LONDON.business_seconds_many(naive, paris).tolist() == [600.0]
    empty = pd.Series([], dtype="datetime64[ns, UTC]")
    assert LONDON.business_seconds_many(empty, empty).shape == (0,)
    allnat = pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]")
    assert np.isnan(LONDON.business_seconds_many(allnat, allnat)).all()
    with pytest.raises(ValueError, match="length"):
        LONDON.business_seconds_many(naive, pd.concat([naive, naive]))


def test_many_spans_years() -> None:
    rng = np.random.default_rng(7)
    base = ts("2019-01-01").value
    a = base + rng.integers(0, 8 * 365 * 86400, 500) * 10**9
    b = a + rng.integers(-30 * 86400, 30 * 86400, 500) * 10**9
    sa, sb = pd.Series(pd.to_datetime(a, utc=True)), pd.Series(pd.to_datetime(b, utc=True))
    out = NY.business_seconds_many(sa, sb)
    expected = [NY.business_seconds(x, y) for x, y in zip(sa, sb, strict=True)]
    assert out.tolist() == expected


# -- construction, validation, round trips --------------------------------------------


def test_spec_forms_agree() -> None:
    a = BusinessCalendar(hours={"mon": [("09:00", "12:30"), ("13:30", "18:00")]})
    b = BusinessCalendar(hours={"Monday": "09:00-12:30, 13:30-18:00", "sun": "closed"})
    c = BusinessCalendar(hours={0: [(time(9), time(12, 30)), ("13:30", "18:00")]})
    assert a == b == c
    assert a.hours[0] == ((9 * 3600, 12 * 3600 + 1800), (13 * 3600 + 1800, 18 * 3600))
    assert a.hours[1:] == ((),) * 6


def test_default_hours_and_24h() -> None:
    assert BusinessCalendar().hours == (((9 * 3600, 17 * 3600),),) * 5 + ((), ())
    assert BusinessCalendar.always_open().hours == (((0, 86400),),) * 7
    adjacent = BusinessCalendar(hours={"mon": "09:00-12:00, 12:00-17:00"})
    assert adjacent.hours[0] == ((9 * 3600, 17 * 3600),)


def test_pickle_and_hash() -> None:
    cal = BusinessCalendar(
        hours={"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=["2026-12-25"]
    )
    again = pickle.loads(pickle.dumps(cal))
    assert again == cal and hash(again) == hash(cal)
    assert again.business_seconds(ts("2026-03-04 08:00"), ts("2026-03-04 10:00")) == 3600.0
    with pytest.raises(AttributeError):
        cal.tz = "UTC"  # type: ignore[misc]


def test_dict_and_toml_round_trip(tmp_path: Path) -> None:
    cal = BusinessCalendar(
        hours={"mon-thu": "08:30-12:00, 13:00-17:30", "fri": "08:30-16:00", "sat": "24h"},
        tz="America/New_York",
        holidays=["2026-11-26", "2026-12-25"],
    )
    data = cal.to_dict()
    assert data == {
        "tz": "America/New_York",
        "holidays": ["2026-11-26", "2026-12-25"],
        "hours": {
            "mon": "08:30-12:00, 13:00-17:30", "tue": "08:30-12:00, 13:00-17:30",
            "wed": "08:30-12:00, 13:00-17:30", "thu": "08:30-12:00, 13:00-17:30",
            "fri": "08:30-16:00", "sat": "00:00-24:00", "sun": "closed",
        },
    }  # fmt: skip
    assert BusinessCalendar.from_dict(data) == cal
    assert BusinessCalendar.from_toml(cal.to_toml()) == cal
    path = tmp_path / "hours.toml"
    path.write_text(cal.to_toml(), encoding="utf-8")
    assert BusinessCalendar.from_toml(path) == cal
    assert BusinessCalendar.from_toml(str(path)) == cal


def test_toml_as_written_in_the_issue() -> None:
    # "holidays" after the [hours] header lands inside the table; it is accepted there
    cal = BusinessCalendar.from_toml(
        'timezone = "Europe/London"\n'
        "[hours]\n"
        'mon = "09:00-18:00"\n'
        'sat = "closed"\n'
        'holidays = ["2026-12-25"]\n'
    )
    assert cal.tz == "Europe/London"
    assert cal.holidays == frozenset({date(2026, 12, 25)})
    assert cal.hours[0] == ((9 * 3600, 18 * 3600),)
    wrapped = BusinessCalendar.from_dict({"business_hours": {"hours": {"mon": "09:00-18:00"}}})
    assert wrapped.hours[0] == ((9 * 3600, 18 * 3600),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {"mon": "09:00-25:00"}}, r"bad time '25:00'.*at most '24:00'"),
        ({"hours": {"mon": "24:00-24:00"}}, r"bad time '24:00'.*start time"),
        ({"hours": {"mon": "9am-5pm"}}, r"bad time '9am'.*24-hour"),
        ({"hours": {"mon": "09:60-17:00"}}, r"bad time '09:60'"),
        ({"hours": {"mon": "18:00-09:00"}}, r"end before they start.*split them"),
        ({"hours": {"mon": "09:00-09:00"}}, r"end before they start"),
        ({"hours": {"mon": "09:00-13:00, 12:00-17:00"}}, r"overlapping.*09:00-13:00"),
        ({"hours": {"mon": "09:00"}}, r"'HH:MM-HH:MM'"),
        ({"hours": {"mon": [("09:00",)]}}, r"\(start, end\) pairs"),
        ({"hours": {"funday": "09:00-17:00"}}, r"unknown weekday 'funday'.*mon, tue"),
        ({"hours": {"mon-fri": "09:00-17:00", "fri": "09:00-16:00"}}, r"fri.*twice"),
        ({"hours": ["09:00-17:00"]}, r"hours must map weekdays"),
        ({"tz": "Mars/Olympus_Mons"}, r"unknown time zone 'Mars/Olympus_Mons'.*IANA"),
        ({"tz": ""}, r"unknown time zone"),
        ({"tz": 5}, r"IANA name"),
        ({"holidays": ["25/12/2026"]}, r"bad holiday '25/12/2026'.*YYYY-MM-DD"),
    ],
)
def test_validation_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_config_errors_from_files() -> None:
    with pytest.raises(ConfigError, match="unknown business calendar key"):
        BusinessCalendar.from_dict({"hours": {}, "zone": "UTC"})
    with pytest.raises(ConfigError, match="invalid TOML"):
        BusinessCalendar.from_toml("[hours\nmon = 1")
    with pytest.raises(ConfigError, match="cannot read"):
        BusinessCalendar.from_toml("/no/such/hours.toml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        BusinessCalendar.from_dict(["mon"])  # type: ignore[arg-type]


def test_never_open() -> None:
    closed = BusinessCalendar(hours={})
    assert closed.business_seconds(ts("2026-01-01"), ts("2027-01-01")) == 0.0
    assert not closed.is_open(ts("2026-01-01"))
    with pytest.raises(ConfigError, match=r"no opening hours.*give hours"):
        closed.add_business(ts("2026-01-01"), 60)
    with pytest.raises(ConfigError, match="no opening hours"):
        closed.next_open(ts("2026-01-01"))
    assert closed.add_business(ts("2026-01-01"), 0) == ts("2026-01-01")


def test_add_business_edges() -> None:
    # landing exactly on closing time stays at closing time
    assert LONDON.add_business(ts("2026-03-04 09:00"), 9 * 3600) == ts("2026-03-04 18:00")
    # from a closed moment, counting starts at the next opening
    assert LONDON.add_business(ts("2026-03-07 12:00"), 1) == ts("2026-03-09 09:00:01")
    # far ahead: 2000 business hours is about a year
    far = LONDON.add_business(ts("2026-03-04 09:00"), 2000 * 3600)
    assert LONDON.business_seconds(ts("2026-03-04 09:00"), far) == 2000 * 3600
    with pytest.raises(ValueError, match=">= 0"):
        LONDON.add_business(ts("2026-03-04"), -1)
    with pytest.raises(ValueError, match="finite"):
        LONDON.add_business(ts("2026-03-04"), float("nan"))
    with pytest.raises(ValueError, match="NaT"):
        LONDON.business_seconds(pd.NaT, ts("2026-03-04"))


def test_closing_time() -> None:
    assert LONDON.closing_time(date(2026, 3, 4)) == datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
    assert LONDON.closing_time(date(2026, 7, 1)) == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert LONDON.closing_time(date(2026, 3, 7)) is None


# -- properties -----------------------------------------------------------------------

ZONES = ["UTC", "Europe/London", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "Pacific/Chatham"]  # fmt: skip


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    hours: dict[str, list[tuple[str, str]]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        cuts = sorted(set(draw(st.lists(st.integers(0, 96), max_size=4))))
        cuts = cuts[: len(cuts) // 2 * 2]
        pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
        hours[day] = [(f"{a // 4:02d}:{a % 4 * 15:02d}", f"{b // 4:02d}:{b % 4 * 15:02d}")
                      for a, b in pairs]  # fmt: skip
    holidays = draw(st.lists(st.dates(date(2025, 12, 1), date(2027, 1, 31)), max_size=20))
    return BusinessCalendar(hours=hours, tz=draw(st.sampled_from(ZONES)), holidays=holidays)


FIXED = st.sampled_from([
    LONDON, NY, BusinessCalendar.always_open("Europe/London"),
    BusinessCalendar(hours={"mon-fri": "09:00-12:30, 13:30-18:00", "sat": "10:00-14:00"},
                     tz="Europe/London", holidays=["2026-05-04", "2026-12-25", "2026-12-28"]),
    BusinessCalendar(hours={"daily": "01:00-03:00"}, tz="America/New_York"),
    BusinessCalendar(hours={"weekend": "00:00-24:00"}, tz="America/Santiago"),
])  # fmt: skip
CALS = st.one_of(FIXED, calendars())
# whole seconds, so that sums of business seconds are exact in float
INSTANTS = st.integers(ts("2026-01-01").value // 10**9, ts("2027-01-01").value // 10**9).map(
    lambda s: pd.Timestamp(s, unit="s", tz="UTC")
)


@settings(max_examples=200, deadline=None, database=None)
@given(cal=CALS, a=INSTANTS, b=INSTANTS)
def test_bounded_by_wall_time_and_antisymmetric(
    cal: BusinessCalendar, a: pd.Timestamp, b: pd.Timestamp
) -> None:
    x = cal.business_seconds(a, b)
    assert x == -cal.business_seconds(b, a)
    lo, hi = min(a, b), max(a, b)
    assert 0 <= cal.business_seconds(lo, hi) <= (hi - lo).total_seconds()


@settings(max_examples=200, deadline=None, database=None)
@given(cal=CALS, a=INSTANTS, b=INSTANTS, c=INSTANTS)
def test_additive(cal: BusinessCalendar, a: pd.Timestamp, b: pd.Timestamp, c: pd.Timestamp) -> None:
    ab, bc, ac = cal.business_seconds(a, b), cal.business_seconds(b, c), cal.business_seconds(a, c)
    assert ab + bc == ac


@settings(max_examples=200, deadline=None, database=None)
@given(cal=CALS, a=INSTANTS, s=st.integers(0, 400 * 3600))
def test_add_business_inverts(cal: BusinessCalendar, a: pd.Timestamp, s: int) -> None:
    assume(any(cal.hours))
    due = cal.add_business(a, s)
    assert due >= a
    assert cal.business_seconds(a, due) == s
    if s > 0:  # and it is the first such instant: the business is open just before it
        assert cal.is_open(due - pd.Timedelta(seconds=1e-9))


@settings(max_examples=100, deadline=None, database=None)
@given(cal=CALS, pairs=st.lists(st.tuples(INSTANTS, INSTANTS), max_size=30), nat=st.data())
def test_vectorised_equals_scalar(
    cal: BusinessCalendar, pairs: list[tuple[pd.Timestamp, pd.Timestamp]], nat: st.DataObject
) -> None:
    starts = pd.Series([p[0] for p in pairs], dtype="datetime64[ns, UTC]")
    ends = pd.Series([p[1] for p in pairs], dtype="datetime64[ns, UTC]")
    holes = nat.draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    starts[np.array(holes, dtype=bool)] = pd.NaT
    out = cal.business_seconds_many(starts, ends)
    for got, (a, b), hole in zip(out, pairs, holes, strict=True):
        if hole:
            assert np.isnan(got)
        else:
            assert got == cal.business_seconds(a, b)


@settings(max_examples=100, deadline=None, database=None)
@given(tz=st.sampled_from(ZONES), a=INSTANTS, b=INSTANTS)
def test_always_open_equals_wall_time(tz: str, a: pd.Timestamp, b: pd.Timestamp) -> None:
    cal = BusinessCalendar.always_open(tz)
    assert cal.business_seconds(a, b) == (b - a).total_seconds()


@settings(max_examples=100, deadline=None, database=None)
@given(cal=calendars())
def test_round_trips(cal: BusinessCalendar) -> None:
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal
    assert pickle.loads(pickle.dumps(cal)) == cal
