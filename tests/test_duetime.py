"""Tests of serviceart.clock.due: resolving the due time of an agent's promise."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.clock.calendar import BusinessCalendar
from serviceart.clock.due import DueTime, find_all_due, find_due, find_due_phrase

UTC = timezone.utc
WED = "2026-03-04T10:00:00+00:00"  # a Wednesday
FRI = "2026-03-06T16:00:00+00:00"  # a Friday
NY_FRI = "2026-03-06T23:30:00+00:00"  # 18:30 on Friday in New York; DST starts on Sunday 8th
NY_SAT = "2026-03-07T17:00:00+00:00"  # 12:00 on Saturday in New York (EST, UTC-5)
NY = "America/New_York"

CASES: list[tuple[str, str, str, str | None, str | None]] = [
    # (what the agent wrote, ref, tz, expected due in UTC, expected kind)
    ("I'll call you back tomorrow before noon.", WED, "UTC", "2026-03-05T12:00:00", "part_of_day"),
    ("You'll hear from us within 24 hours.", WED, "UTC", "2026-03-05T10:00:00", "duration"),
    ("I'll email you by Friday.", WED, "UTC", "2026-03-06T23:59:59", "weekday"),
    ("We'll have it fixed by end of day.", WED, "UTC", "2026-03-04T17:00:00", "end_of_day"),
    ("The refund lands in 2 business days.", WED, "UTC", "2026-03-06T23:59:59", "business_days"),
    ("I'll look at it first thing Monday morning.", WED, "UTC", "2026-03-09T10:00:00",
     "part_of_day"),
    ("I'll send the label by 3pm.", WED, "UTC", "2026-03-04T15:00:00", "clock_time"),
    ("The engineer comes on March 5th.", WED, "UTC", "2026-03-05T23:59:59", "absolute_date"),
    ("I'll call you back within the hour.", WED, "UTC", "2026-03-04T11:00:00", "duration"),
    ("I'll get back to you later today!", WED, "UTC", "2026-03-04T23:59:59", "relative_day"),
    ("I'll ring you this afternoon.", WED, "UTC", "2026-03-04T17:00:00", "part_of_day"),
    ("I'll email it tonight.", WED, "UTC", "2026-03-04T21:00:00", "part_of_day"),
    ("You'll receive it next week.", WED, "UTC", "2026-03-13T23:59:59", "week"),
    ("It should arrive in a couple of days.", WED, "UTC", "2026-03-06T23:59:59", "duration"),
    ("Payment is due by the 15th.", WED, "UTC", "2026-03-15T23:59:59", "absolute_date"),
    ("I'll call you in 30 minutes.", WED, "UTC", "2026-03-04T10:30:00", "duration"),
    ("We'll confirm by close of business.", WED, "UTC", "2026-03-04T17:00:00", "end_of_day"),
    ("Will update you EOD.", WED, "UTC", "2026-03-04T17:00:00", "end_of_day"),
    ("I'll have it for you by Monday 10am.", WED, "UTC", "2026-03-09T10:00:00", "clock_time"),
    ("We'll ship it early next week.", WED, "UTC", "2026-03-10T23:59:59", "week"),
    ("I'll call you next Friday.", WED, "UTC", "2026-03-13T23:59:59", "weekday"),
    ("I'll call you this Friday.", WED, "UTC", "2026-03-06T23:59:59", "weekday"),
    ("I'll call you Friday next week.", WED, "UTC", "2026-03-13T23:59:59", "weekday"),
    ("I'll call you tomorrow at 9.", WED, "UTC", "2026-03-05T09:00:00", "clock_time"),
    ("I'll call you tomorrow at 3.", WED, "UTC", "2026-03-05T15:00:00", "clock_time"),
    ("I'll call you tomorrow at 6.", WED, "UTC", "2026-03-05T18:00:00", "clock_time"),
    ("I'll call you tomorrow at 7.", WED, "UTC", "2026-03-05T07:00:00", "clock_time"),
    ("We can talk tonight at 8.", WED, "UTC", "2026-03-04T20:00:00", "clock_time"),
    ("Monday afternoon at 3:30 works.", WED, "UTC", "2026-03-09T15:30:00", "clock_time"),
    ("I'll call you at 3:30 pm.", WED, "UTC", "2026-03-04T15:30:00", "clock_time"),
    ("Expect it by 15:00.", WED, "UTC", "2026-03-04T15:00:00", "clock_time"),
    ("Expect it by 5:30.", WED, "UTC", "2026-03-04T17:30:00", "clock_time"),
    ("I'll call you at 3 o'clock.", WED, "UTC", "2026-03-04T15:00:00", "clock_time"),
    ("I'll call at 9am.", WED, "UTC", "2026-03-05T09:00:00", "clock_time"),  # passed: tomorrow
    ("I'll send it by 3pm.", "2026-03-04T15:30:00+00:00", "UTC", "2026-03-05T15:00:00",
     "clock_time"),
    ("I'll call you 3pm tomorrow.", WED, "UTC", "2026-03-05T15:00:00", "clock_time"),
    ("At 3pm on Friday, then.", WED, "UTC", "2026-03-06T15:00:00", "clock_time"),
    ("We'll deliver on 5 March.", "2026-03-10T12:00:00+00:00", "UTC", "2027-03-05T23:59:59",
     "absolute_date"),
    ("Your card arrives by January 10.", WED, "UTC", "2027-01-10T23:59:59", "absolute_date"),
    ("The plan starts March 5, 2027.", WED, "UTC", "2027-03-05T23:59:59", "absolute_date"),
    ("It is booked for 2026-03-20.", WED, "UTC", "2026-03-20T23:59:59", "absolute_date"),
    ("I'll call you on the 31st.", "2026-04-05T09:00:00+00:00", "UTC", "2026-05-31T23:59:59",
     "absolute_date"),
    ("I'll call you on the 15th.", "2026-03-20T09:00:00+00:00", "UTC", "2026-04-15T23:59:59",
     "absolute_date"),
    ("It renews on February 29.", "2026-03-01T09:00:00+00:00", "UTC", "2028-02-29T23:59:59",
     "absolute_date"),
    ("I'll text you in a few minutes.", WED, "UTC", "2026-03-04T10:15:00", "duration"),
    ("It will be back in a few days.", WED, "UTC", "2026-03-07T23:59:59", "duration"),
    ("We'll reply within 48 hrs.", WED, "UTC", "2026-03-06T10:00:00", "duration"),
    ("Let me check, I'll call in 10 mins.", WED, "UTC", "2026-03-04T10:10:00", "duration"),
    ("Refunds arrive within 3-5 business days.", WED, "UTC", "2026-03-11T23:59:59",
     "business_days"),
    ("Replies come within 24-48 hours.", WED, "UTC", "2026-03-06T10:00:00", "duration"),
    ("I'll be back to you in a day or two.", WED, "UTC", "2026-03-06T23:59:59", "duration"),
    ("It'll be done two weeks from now.", WED, "UTC", "2026-03-18T23:59:59", "duration"),
    ("I'll call you in half an hour.", WED, "UTC", "2026-03-04T10:30:00", "duration"),
    ("You'll have it in twenty-four hours.", WED, "UTC", "2026-03-05T10:00:00", "duration"),
    ("It will reach you in a month.", WED, "UTC", "2026-04-04T23:59:59", "duration"),
    ("I'll finish by the end of the week.", WED, "UTC", "2026-03-06T17:00:00", "week"),
    ("We'll send it end of next week.", WED, "UTC", "2026-03-13T17:00:00", "week"),
    ("I'll sort it later this week.", WED, "UTC", "2026-03-06T23:59:59", "week"),
    ("We'll fix it over the weekend.", WED, "UTC", "2026-03-08T23:59:59", "week"),
    ("You'll get it next month.", WED, "UTC", "2026-04-30T23:59:59", "month"),
    ("It will be invoiced by the end of the month.", WED, "UTC", "2026-03-31T17:00:00", "month"),
    ("The fix lands end of day Friday.", WED, "UTC", "2026-03-06T17:00:00", "end_of_day"),
    ("I'll call you first thing tomorrow.", WED, "UTC", "2026-03-05T10:00:00", "part_of_day"),
    ("I'll sort it first thing.", WED, "UTC", "2026-03-05T10:00:00", "part_of_day"),
    ("You'll have it by lunchtime.", WED, "UTC", "2026-03-04T12:00:00", "part_of_day"),
    ("I'll call you tomorrow evening.", WED, "UTC", "2026-03-05T21:00:00", "part_of_day"),
    ("We'll call you by noon.", "2026-03-04T13:00:00+00:00", "UTC", "2026-03-05T12:00:00",
     "part_of_day"),
    ("I'll ring you this afternoon.", "2026-03-04T18:00:00+00:00", "UTC", "2026-03-04T23:59:59",
     "part_of_day"),
    ("Will update you EOD.", "2026-03-04T18:00:00+00:00", "UTC", "2026-03-04T23:59:59",
     "end_of_day"),
    # a weekday said on that weekday is the one a week later ("today" names today)
    ("I'll send it by Friday.", "2026-03-06T09:00:00+00:00", "UTC", "2026-03-13T23:59:59",
     "weekday"),
    ("I'll call you next Monday.", "2026-03-08T12:00:00+00:00", "UTC", "2026-03-09T23:59:59",
     "weekday"),
    ("I'll call you next Friday.", FRI, "UTC", "2026-03-13T23:59:59", "weekday"),
    # business days across a weekend
    ("It will be refunded in 2 business days.", FRI, "UTC", "2026-03-10T23:59:59",
     "business_days"),
    ("It ships the next business day.", FRI, "UTC", "2026-03-09T23:59:59", "business_days"),
    ("We will respond within 3 working days.", "2026-03-07T09:00:00+00:00", "UTC",
     "2026-03-11T23:59:59", "business_days"),
    # time zones and the DST change in New York (2026-03-08 02:00 local)
    ("You'll have it tomorrow.", NY_FRI, NY, "2026-03-08T04:59:59", "relative_day"),
    ("I'll have it for you by Monday 10am.", NY_FRI, NY, "2026-03-09T14:00:00", "clock_time"),
    ("It will be refunded in 2 business days.", NY_FRI, NY, "2026-03-11T03:59:59",
     "business_days"),
    ("You'll hear from us within 24 hours.", NY_SAT, NY, "2026-03-08T17:00:00", "duration"),
    ("I'll call you tomorrow at noon.", NY_SAT, NY, "2026-03-08T16:00:00", "part_of_day"),
    ("I'll call you Sunday at 2:30am.", NY_FRI, NY, "2026-03-08T07:30:00", "clock_time"),
    ("Will update you EOD.", WED, "Asia/Tokyo", "2026-03-04T14:59:59", "end_of_day"),
    ("I'll send the label by 3pm.", WED, "America/Los_Angeles", "2026-03-04T23:00:00",
     "clock_time"),
    # vague: no due time
    ("I'll get back to you soon.", WED, "UTC", None, None),
    ("Someone will contact you shortly.", WED, "UTC", None, None),
    ("We'll fix it as soon as possible.", WED, "UTC", None, None),
    ("I'll escalate it ASAP.", WED, "UTC", None, None),
    ("We'll sort it at some point.", WED, "UTC", None, None),
    ("You'll hear from us in due course.", WED, "UTC", None, None),
    ("We'll call you back when we can.", WED, "UTC", None, None),
    ("I'll do it later.", WED, "UTC", None, None),
    ("We'll be in touch within days.", WED, "UTC", None, None),
    # numbers that are not time phrases, and ambiguous ones
    ("Your order 24 hours fitness is confirmed.", WED, "UTC", None, None),
    ("That comes to $24.", WED, "UTC", None, None),
    ("You have 2 items in your basket.", WED, "UTC", None, None),
    ("The model 3 is back in stock.", WED, "UTC", None, None),
    ("Please call before 5.", WED, "UTC", None, None),
    ("I can do it by 12/03.", WED, "UTC", None, None),
    ("It was due by March 5, 2020.", WED, "UTC", None, None),
    ("I'll send the 2nd item.", WED, "UTC", None, None),
    # -- word clocks, bare hours with a day, and other phrasings (all refs are WED 10:00)
    ("I'll ring you tomorrow morning before ten.", WED, "UTC", "2026-03-05T10:00:00",
     "clock_time"),
    ("The courier will be with you by ten tomorrow.", WED, "UTC", "2026-03-05T10:00:00",
     "clock_time"),
    ("I'll get the quote over no later than half past four.", WED, "UTC", "2026-03-04T16:30:00",
     "clock_time"),
    ("Our tech will call before 10 on Monday.", WED, "UTC", "2026-03-09T10:00:00", "clock_time"),
    ("I'll have the replacement approved by noon Friday.", WED, "UTC", "2026-03-06T12:00:00",
     "part_of_day"),
    ("The credit note goes out by the end of next week.", WED, "UTC", "2026-03-13T17:00:00",
     "week"),
    ("I'll chase the warehouse later this afternoon.", WED, "UTC", "2026-03-04T17:00:00",
     "part_of_day"),
    ("Someone from billing will ring in the next hour or so.", WED, "UTC", "2026-03-04T11:00:00",
     "duration"),
    ("Your new router ships within 2 working days.", WED, "UTC", "2026-03-06T23:59:59",
     "business_days"),
    ("I'll confirm the booking COB.", WED, "UTC", "2026-03-04T17:00:00", "end_of_day"),
    ("You'll get the updated contract EOD Thursday.", WED, "UTC", "2026-03-05T17:00:00",
     "end_of_day"),
    ("Statements are issued at the end of the month.", WED, "UTC", "2026-03-31T17:00:00",
     "month"),
    ("The engineer can come by the 3rd.", WED, "UTC", "2026-04-03T23:59:59", "absolute_date"),
    ("We'll have the part in a fortnight.", WED, "UTC", "2026-03-18T23:59:59", "duration"),
    ("We'll refund the fee within 48hrs.", WED, "UTC", "2026-03-06T10:00:00", "duration"),
    ("Please allow 24-48 hours for the change to show.", WED, "UTC", "2026-03-06T10:00:00",
     "duration"),
    ("It usually takes 3-5 working days to clear.", WED, "UTC", "2026-03-11T23:59:59",
     "business_days"),
    ("I can't do it by Friday, sorry.", WED, "UTC", "2026-03-06T23:59:59", "weekday"),
    ("I'll update you tomorrow by 10.", WED, "UTC", "2026-03-05T10:00:00", "clock_time"),
    ("I'll call you back at quarter past three.", WED, "UTC", "2026-03-04T15:15:00",
     "clock_time"),
    ("The driver arrives at a quarter to five.", WED, "UTC", "2026-03-04T16:45:00",
     "clock_time"),
    ("I'll have it ready by half four.", WED, "UTC", "2026-03-04T16:30:00", "clock_time"),
    ("We'll pick it up by 9 tomorrow morning.", WED, "UTC", "2026-03-05T09:00:00", "clock_time"),
    ("You'll hear back from the team at eleven o'clock.", WED, "UTC", "2026-03-04T11:00:00",
     "clock_time"),
    ("I'll ring you at 8 on Friday.", WED, "UTC", "2026-03-06T08:00:00", "clock_time"),
    ("I'll call at 4:30 this afternoon.", WED, "UTC", "2026-03-04T16:30:00", "clock_time"),
    ("I'll check in again this time tomorrow.", WED, "UTC", "2026-03-05T10:00:00",
     "relative_day"),
    ("We'll send the engineer's report within a fortnight.", WED, "UTC", "2026-03-18T23:59:59",
     "duration"),
    ("I'll have a decision for you on 13/03.", WED, "UTC", "2026-03-13T23:59:59",
     "absolute_date"),
    ("The visit is booked for 3/25.", WED, "UTC", "2026-03-25T23:59:59", "absolute_date"),
    ("Your technician will come by 3pm on 16/03/2026.", WED, "UTC", "2026-03-16T15:00:00",
     "clock_time"),
    ("We'll get back to you within 16 business hours.", WED, "UTC", "2026-03-06T10:00:00",
     "business_hours"),
    ("I'll escalate it and call you by eleven tomorrow.", WED, "UTC", "2026-03-05T11:00:00",
     "clock_time"),
    ("Give us 20 minutes and we'll call back.", WED, "UTC", "2026-03-04T10:20:00", "duration"),
    ("The callback is scheduled for tomorrow at five.", WED, "UTC", "2026-03-05T17:00:00",
     "clock_time"),
    # ambiguous or not a time: no due time
    ("We're open 24/7.", WED, "UTC", None, None),
    ("Please call by eleven.", WED, "UTC", None, None),
    ("Your order number is 48 hours old.", WED, "UTC", None, None),
    ("Prices went up by ten percent.", WED, "UTC", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "ref", "tz", "expected", "kind"), CASES)
def test_resolves(text: str, ref: str, tz: str, expected: str | None, kind: str | None) -> None:
    found = find_due(text, datetime.fromisoformat(ref), tz=tz)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert found.due == datetime.fromisoformat(expected).replace(tzinfo=UTC)
    assert found.due.tzinfo is UTC
    assert found.kind == kind
    assert text[found.start_char : found.end_char] == found.phrase


def test_table_is_large_and_distinct() -> None:
    assert len({c[0] for c in CASES}) >= 45


def test_span_is_exact() -> None:
    text = "Thanks for waiting! I'll call you back tomorrow before noon, promise."
    found = find_due(text, datetime(2026, 3, 4, 10, 0))
    assert found == DueTime(
        39, 59, "tomorrow before noon", datetime(2026, 3, 5, 12, 0, tzinfo=UTC), "part_of_day"
    )
    assert text[39:59] == "tomorrow before noon"


def test_find_all_in_order() -> None:
    text = "I will call at 5pm today, email by Friday and ship within 2 business days."
    found = find_all_due(text, datetime(2026, 3, 4, 10, 0))
    assert [(d.start_char, d.end_char, d.phrase, d.kind) for d in found] == [
        (12, 24, "at 5pm today", "clock_time"),
        (32, 41, "by Friday", "weekday"),
        (51, 73, "within 2 business days", "business_days"),
    ]
    assert [d.due.isoformat() for d in found] == [
        "2026-03-04T17:00:00+00:00",
        "2026-03-06T23:59:59+00:00",
        "2026-03-06T23:59:59+00:00",
    ]
    assert find_due(text, datetime(2026, 3, 4, 10, 0)) == found[0]


def test_longest_phrase_wins() -> None:
    ref = datetime(2026, 3, 4, 10, 0)
    assert [d.phrase for d in find_all_due("ok, by 3pm tomorrow then", ref)] == ["by 3pm tomorrow"]
    assert [d.phrase for d in find_all_due("By the end of next week.", ref)] == [
        "By the end of next week"
    ]
    assert [d.phrase for d in find_all_due("first thing Monday morning", ref)] == [
        "first thing Monday morning"
    ]


def test_case_and_punctuation() -> None:
    ref = datetime(2026, 3, 4, 10, 0)
    for text in ("BY FRIDAY!!", "by friday...", "(by Friday)", "by\u00a0Friday"):
        found = find_due(text, ref)
        assert found is not None and found.due == datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC)
    found = find_due("we'll have it done by end-of-day", ref)
    assert found is not None and found.phrase == "by end-of-day"


def test_naive_ref_is_utc() -> None:
    naive = find_due("in 2 hours", datetime(2026, 3, 4, 10, 0))
    aware = find_due("in 2 hours", datetime(2026, 3, 4, 11, 0, tzinfo=timezone(timedelta(hours=1))))
    assert naive is not None and aware is not None
    assert naive.due == aware.due == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_tzinfo_object() -> None:
    found = find_due("tomorrow", datetime(2026, 3, 4, 10, 0), tz=timezone(timedelta(hours=5.5)))
    assert found is not None
    assert found.due == datetime(2026, 3, 5, 18, 29, 59, tzinfo=UTC)


def test_options() -> None:
    ref = datetime(2026, 3, 4, 10, 0)
    eod = find_due("EOD", ref, eod_hour=18)
    assert eod is not None and eod.due == datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
    thursday = datetime(2026, 3, 5, 10, 0)
    sun_thu = find_due("in 2 business days", thursday, workdays=frozenset({6, 0, 1, 2, 3}))
    assert sun_thu is not None and sun_thu.due == datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC)
    friday = datetime(2026, 3, 6, 16, 0)
    holiday = find_due("in 2 business days", friday, holidays=frozenset({date(2026, 3, 9)}))
    assert holiday is not None and holiday.due == datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC)


EASTER = BusinessCalendar(
    hours={"mon-fri": "09:00-17:30"},
    tz="Europe/London",
    holidays=["2026-04-03", "2026-04-06"],  # Good Friday, Easter Monday
)
MAUNDY_THU = datetime(2026, 4, 2, 15, 0, tzinfo=UTC)  # 16:00 BST


@pytest.mark.parametrize(
    ("text", "ref", "calendar", "expected", "kind"),
    [
        # Thursday -> (Good Friday, weekend, Easter Monday) -> Tue 7 -> Wed 8, end of day BST
        ("It will be refunded in 2 business days.", MAUNDY_THU, EASTER, "2026-04-08T22:59:59",
         "business_days"),
        ("It ships the next working day.", MAUNDY_THU, EASTER, "2026-04-07T22:59:59",
         "business_days"),
        # 1.5 h on Thursday, 8.5 h on Tuesday, 6 h on Wednesday: 15:00 BST
        ("You'll have an answer within 16 business hours.", MAUNDY_THU, EASTER,
         "2026-04-08T14:00:00", "business_hours"),
        ("We reply within 2 working hours.", MAUNDY_THU, EASTER, "2026-04-07T08:30:00",
         "business_hours"),
        # a shop open on Saturdays: Friday -> Saturday -> Monday
        ("It will be ready in 2 working days.", datetime(2026, 3, 6, 16, 0),
         BusinessCalendar(hours={"mon-sat": "09:00-17:00"}), "2026-03-09T23:59:59",
         "business_days"),
        # without a calendar: Mon-Fri, 09:00-17:00 (eod_hour) in tz, holidays skipped
        ("You'll have an answer within 16 business hours.", MAUNDY_THU, None,
         "2026-04-06T15:00:00", "business_hours"),
        ("It will be refunded in 2 business days.", MAUNDY_THU, None, "2026-04-06T23:59:59",
         "business_days"),
        # elapsed durations and named days ignore the calendar
        ("I'll call you back within 24 hours.", MAUNDY_THU, EASTER, "2026-04-03T15:00:00",
         "duration"),
        ("I'll call you tomorrow at 9.", MAUNDY_THU, EASTER, "2026-04-03T08:00:00", "clock_time"),
    ],
)  # fmt: skip
def test_calendar(
    text: str, ref: datetime, calendar: BusinessCalendar | None, expected: str, kind: str
) -> None:
    found = find_due(text, ref, calendar=calendar)
    assert found is not None
    assert (found.due, found.kind) == (datetime.fromisoformat(expected).replace(tzinfo=UTC), kind)


def test_calendar_zone_and_extra_holidays() -> None:
    # an explicit tz wins over the calendar's for reading days; holidays add up
    found = find_due("in 1 business day", MAUNDY_THU, calendar=EASTER, tz="UTC")
    assert found is not None and found.due == datetime(2026, 4, 7, 23, 59, 59, tzinfo=UTC)
    extra = frozenset({date(2026, 4, 7)})
    found = find_due("in 1 business day", MAUNDY_THU, calendar=EASTER, holidays=extra)
    assert found is not None and found.due == datetime(2026, 4, 8, 22, 59, 59, tzinfo=UTC)
    found = find_due("within 2 business hours", MAUNDY_THU, calendar=EASTER, holidays=extra)
    assert found is not None and found.due == datetime(2026, 4, 8, 8, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="BusinessCalendar"):
        find_due("in 1 business day", MAUNDY_THU, calendar="Europe/London")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("on 12/03", True, "2026-03-12T23:59:59"),
        ("on 12/03", False, "2026-12-03T23:59:59"),
        ("on 12/03", None, None),  # ambiguous: not read by default
        ("on 13/03", None, "2026-03-13T23:59:59"),  # only one reading is a date
        ("on 13/03", False, None),
        ("by 3/13/2027", None, "2027-03-13T23:59:59"),
        ("by 05/05/26", None, "2026-05-05T23:59:59"),  # both readings agree
        ("on 31/02", True, None),
        ("open 24/7", True, None),  # needs on/by/before/until/due/for
        ("on 1/2 of the orders", None, None),
    ],
)
def test_slashed_dates(text: str, dayfirst: bool | None, expected: str | None) -> None:
    found = find_due(text, datetime(2026, 3, 4, 10, 0), dayfirst=dayfirst)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.kind == "absolute_date"
        assert found.due == datetime.fromisoformat(expected).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs",
    [{"tz": "Mars/Olympus_Mons"}, {"tz": ""}, {"workdays": frozenset()}, {"eod_hour": 24}],
)
def test_bad_options_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"time zone|workdays|eod_hour"):
        find_due("tomorrow", datetime(2026, 3, 4), **kwargs)  # type: ignore[arg-type]


def test_long_text_completes() -> None:
    chunk = "in the next by the end of 24 hours 3:30 on the 15th tomorrow, a few "
    text = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    found = find_all_due(text, datetime(2026, 3, 4, 10, 0))
    assert len(found) > 1000
    assert all(a.end_char <= b.start_char for a, b in pairwise(found))
    assert find_all_due(" " * 100_000 + "1" * 100_000, datetime(2026, 3, 4)) == []


TEMPLATES = [
    "tomorrow", "by Friday", "next Monday", "this Sunday", "Friday next week", "later today",
    "tonight", "tonight at 8", "this afternoon", "in the morning", "by noon", "by midnight",
    "first thing", "first thing tomorrow", "EOD", "end of day Friday", "by close of business",
    "by 3pm", "at 9:15 am", "by 17:45", "tomorrow at 9", "by Monday 10am", "3pm tomorrow",
    "within the hour", "in 30 minutes", "within 24 hours", "in a few days", "in 3 weeks",
    "in 2 months", "in 2 business days", "within 3-5 working days", "the next business day",
    "on March 5th", "5 March", "on the 31st", "by February 29", "next week", "early next week",
    "later this week", "by the end of the week", "end of next week", "this weekend",
    "next month", "by the end of the month", "end of next month", "two days from now",
    "by ten tomorrow", "tomorrow morning before ten", "no later than half past four",
    "within 16 business hours", "in a fortnight", "this time tomorrow", "before 10 on Monday",
]  # fmt: skip
ZONES = ["UTC", NY, "Europe/London", "Asia/Tokyo", "Asia/Kolkata", "America/Santiago",
         "Australia/Lord_Howe", "Pacific/Chatham"]  # fmt: skip
REFS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 12, 31),
    timezones=st.sampled_from([UTC, *(ZoneInfo(z) for z in ZONES[1:])]),
)


@settings(max_examples=300, database=None, deadline=None)
@given(ref=REFS, template=st.sampled_from(TEMPLATES), tz=st.sampled_from(ZONES))
def test_due_never_before_ref(ref: datetime, template: str, tz: str) -> None:
    found = find_due(f"I promise: {template}.", ref, tz=tz)
    assert found is not None
    assert found.phrase.lower().endswith(template.lower().split()[-1])
    assert found.due >= ref
    assert found.due.tzinfo is UTC


FRAGMENTS = [
    *TEMPLATES, "soon", "ASAP", "$24", "2 items", "12/03", "at", "by", "the", "in", "a", "few",
    "5", "pm", ":", ",", "-", "next", "week", "of", "o'clock", "2099-02-29",
]  # fmt: skip


@settings(max_examples=300, database=None, deadline=None)
@given(
    text=st.one_of(st.text(max_size=200), st.lists(st.sampled_from(FRAGMENTS)).map(" ".join)),
    ref=REFS,
    tz=st.sampled_from(ZONES),
)
def test_random_text_never_raises(text: str, ref: datetime, tz: str) -> None:
    found = find_all_due(text, ref, tz=tz)
    for d in found:
        assert isinstance(d, DueTime)
        assert text[d.start_char : d.end_char] == d.phrase
        assert d.due >= ref and d.due.tzinfo is UTC
    assert all(a.end_char <= b.start_char for a, b in pairwise(found))
    first = find_due(text, ref, tz=tz)
    assert first == (found[0] if found else None)


# -- one calendar: the results of the former built-in workday calendar, kept ------------

EASTER_DAYS = frozenset({date(2026, 4, 3), date(2026, 4, 6)})
LUNCH = BusinessCalendar(hours={"mon-fri": "09:00-12:30, 13:30-18:00"}, tz=NY,
                         holidays=["2026-11-26"])  # Thanksgiving
THANKSGIVING_EVE = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # Wed 15:00 EST


@pytest.mark.parametrize(
    ("text", "ref", "options", "expected", "kind"),
    [
        # no calendar: Mon-Fri 09:00-17:00 in tz, closed on holidays (Thu 16:00 BST: 1 h,
        # then Tue and Wed 8 h each, less 1 h)
        ("within 16 business hours", MAUNDY_THU, {"tz": "Europe/London", "holidays": EASTER_DAYS},
         "2026-04-08T15:00:00", "business_hours"),
        ("in 2 business days", MAUNDY_THU, {"tz": "Europe/London", "holidays": EASTER_DAYS},
         "2026-04-08T22:59:59", "business_days"),
        # the week's last workday is the Thursday when Friday is a holiday
        ("by the end of the week", MAUNDY_THU, {"tz": "Europe/London", "holidays": EASTER_DAYS},
         "2026-04-02T16:00:00", "week"),
        # eod_hour sets the closing hour; the clocks go forward on Sunday 29 March
        ("within 10 business hours", datetime(2026, 3, 27, 15, 0, tzinfo=UTC),
         {"tz": "Europe/London", "eod_hour": 18}, "2026-03-30T15:00:00", "business_hours"),
        # a fixed-offset tzinfo (no IANA name): business hours on its wall clock
        ("within 3 business hours", datetime(2026, 3, 6, 16, 30, tzinfo=UTC),
         {"tz": timezone(timedelta(hours=-2))}, "2026-03-09T11:30:00", "business_hours"),
        ("within 3 business hours", datetime(2026, 3, 6, 12, 0, tzinfo=UTC),
         {"tz": timezone(timedelta(hours=5, minutes=30))}, "2026-03-09T06:30:00",
         "business_hours"),
        # eod_hour 9 leaves no business hours, but business days still count
        ("within 3 business hours", datetime(2026, 3, 6, 12, 0, tzinfo=UTC), {"eod_hour": 9},
         None, None),
        ("in 2 business days", datetime(2026, 3, 6, 12, 0, tzinfo=UTC), {"eod_hour": 9},
         "2026-03-10T23:59:59", "business_days"),
        # Sunday-Thursday workdays with a holiday on Thursday 5 March
        ("end of the week", datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
         {"workdays": frozenset({6, 0, 1, 2, 3}), "holidays": frozenset({date(2026, 3, 5)})},
         "2026-03-08T17:00:00", "week"),
        ("end of the month", datetime(2026, 7, 10, 12, 0, tzinfo=UTC),
         {"workdays": frozenset({6, 0, 1, 2, 3}), "holidays": frozenset({date(2026, 7, 30)})},
         "2026-07-29T17:00:00", "month"),
        # a calendar with a lunch break and a holiday, plus extra holidays
        ("within 4 business hours", THANKSGIVING_EVE, {"calendar": LUNCH},
         "2026-11-27T15:00:00", "business_hours"),
        ("within 4 business hours", THANKSGIVING_EVE,
         {"calendar": LUNCH, "holidays": frozenset({date(2026, 11, 27)})},
         "2026-11-30T15:00:00", "business_hours"),
        ("end of the month", THANKSGIVING_EVE,
         {"calendar": LUNCH, "holidays": frozenset({date(2026, 11, 30)})},
         "2026-11-27T22:00:00", "month"),
        ("next business day", THANKSGIVING_EVE, {"calendar": LUNCH},
         "2026-11-28T04:59:59", "business_days"),
    ],
)  # fmt: skip
def test_workdays_and_holidays_come_from_one_calendar(
    text: str, ref: datetime, options: dict, expected: str | None, kind: str | None
) -> None:
    # the expected values are those of the former built-in workday calendar
    found = find_due(f"I'll sort it out {text}.", ref, **options)
    if expected is None:
        assert found is None
        return
    assert found is not None and (found.phrase, found.kind) == (text, kind)
    assert found.due == datetime.fromisoformat(expected).replace(tzinfo=UTC)


@settings(max_examples=150, deadline=None, database=None)
@given(
    # texts that name a year are left out: whether their date is past depends on the time
    text=st.sampled_from([c[0] for c in CASES if not re.search(r"[0-9]{4}|/[0-9]+/", c[0])]),
    minutes=st.integers(0, 3 * 365 * 24 * 60),
    tz=st.sampled_from(["UTC", NY, "Europe/London", "Asia/Kolkata"]),
)
def test_the_phrase_of_an_untimed_turn_is_the_one_found_at_any_time(
    text: str, minutes: int, tz: str
) -> None:
    ref = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    dated = find_due(text, ref, tz=tz)
    undated = find_due_phrase(text)
    if dated is None:
        assert undated is None
    else:
        assert undated is not None
        assert (undated.start_char, undated.end_char, undated.phrase) == (
            dated.start_char, dated.end_char, dated.phrase)


def test_a_phrase_with_a_past_year_is_kept_when_the_time_is_unknown() -> None:
    text = "The refund was due by March 5, 2025."
    assert find_due(text, datetime(2026, 3, 4, 10, 0)) is None  # past when said in 2026
    found = find_due_phrase(text)
    assert found is not None and (found.phrase, found.kind) == ("by March 5, 2025",
                                                                 "absolute_date")


def test_the_documented_import_path_still_finds_due_times():
    """``serviceart.duetime`` (the path other tools call) is the clock's due-time reader."""
    from serviceart import duetime
    from serviceart.clock import due

    assert duetime.find_due is due.find_due
    found = duetime.find_due("I'll call you back tomorrow before noon",
                             datetime(2026, 3, 4, 9, 0))
    assert found is not None and found.due.isoformat().startswith("2026-03-05T12:00")
