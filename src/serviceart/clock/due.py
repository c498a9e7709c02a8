"""Resolve the due time of an agent's promise to an absolute UTC timestamp.

``find_due("I'll call you back tomorrow before noon", ref)`` finds the phrase that
says *when* ("tomorrow before noon") and turns it into a UTC :class:`~datetime.datetime`,
counted from ``ref``, the moment the turn was said.

Rules
-----
* ``ref`` may be naive (read as UTC) or aware. It is converted to ``tz`` (an IANA name or
  a :class:`~datetime.tzinfo`; by default the ``calendar``'s zone, else UTC); calendar
  arithmetic is done on local dates and wall clocks, and ``due`` is returned in UTC.
  Elapsed durations ("in 2 hours") are added to the instant, so they are unaffected by
  DST changes. A wall time that a DST change skips or repeats is read with ``fold=0``
  (PEP 495): the offset before the change. Time zones written in the text ("3pm EST")
  are ignored; ``tz`` rules.
* A day without a time of day ("tomorrow", "by Friday", "on March 5th") is due at the end
  of that local day, 23:59:59.
* ``end_of_day``: "end of day", "EOD", "COB", "close/end of business", "close of play" =
  ``eod_hour``:00 today (or of the day named: "EOD Friday"); once past, 23:59:59 today.
* ``part_of_day``: morning, noon, midday, lunchtime = 12:00; afternoon = 17:00; evening,
  night, tonight = 21:00; midnight = 23:59:59; "first thing" = 10:00. Alone, "first
  thing" means tomorrow; "this afternoon", "tonight" mean today (once past: 23:59:59
  today); "in the morning", "by noon" mean the next such time (today, or tomorrow once
  past).
* ``clock_time``: "3pm", "3:30 p.m.", "15:00", "at 3 o'clock"; hh:mm without am/pm is
  a 24-hour clock, except that a one-digit hour 1-6 means the afternoon ("by 5:30" =
  17:30), and any hour below 12 does after an afternoon or evening ("tonight at 8" =
  20:00). Word clocks: "ten o'clock", "half past four", "a quarter to five", and after
  by/at/before/until the British "half four" (= 4:30). A bare hour, in digits or words,
  counts only next to a day: after the day and at/by/before/until ("tomorrow at 9" =
  09:00, "tomorrow by ten", "Friday before 5" = 17:00), or before it after a
  preposition ("by ten tomorrow", "before 10 on Monday"); a morning keeps it before
  noon ("tomorrow morning before ten" = 10:00, "by 9 tomorrow morning" = 09:00). Alone
  it is too ambiguous ("before 5", "by eleven" do not match). A clock time followed by
  "this afternoon/evening/morning" or "tonight" is today's and sets am/pm ("at 4:30
  this afternoon").
  A clock time that has passed today means tomorrow; with a day named ("today at
  3pm", "by Friday 10am" said on Friday at noon) it never rolls: 23:59:59 that day.
* ``weekday``: "Friday", "by Friday", "this (coming) Friday" = the first such day on or
  after today ("by Friday" said on a Friday is today). "next Friday" and "Friday next
  week" = that weekday in the next Monday-based calendar week.
* ``relative_day``: "today", "later today", "tomorrow", "the day after tomorrow";
  "this time tomorrow" / "same time next week" = the same local wall time then.
* ``absolute_date``: "March 5th", "5 March", "the 5th of March", "March 5, 2027",
  "2026-03-05", "on/by the 15th" (a bare "the 15th" needs on/by/before/until). Without
  a year: the next occurrence not before today ("the 31st" skips short months); with a
  year in the past: no match. The month "May" must be capitalised ("you may 5..." is not
  a date). Slashed dates ("on 12/03", "by 3/25/2027") are read only after on, by,
  before, until, till, due or for (so "24/7" is not a date), in the order given by
  ``dayfirst``: True = day/month (en_GB), False = month/day (en_US). The default, None,
  reads a slashed date only when a single reading is a valid date ("13/03", "3/25",
  "05/05"); "12/03" is ambiguous and does not match.
* ``duration``: "in"/"within"/"inside of"/"allow"/"takes"/"give us" + number +
  minutes/hours/days/weeks/fortnights/months, or "... from now". A bare number of hours
  ("48hrs" with no preposition) does not match. Numbers are digits, words (a, an,
  one..twelve, twenty-four...), "a couple" = 2, "a few" = 3 (15 for minutes), "half an
  hour" = 30 min; ranges take the upper bound ("24-48 hours", "a day or two"). "within
  the hour" = 1 hour. Minutes and hours are exact; days, weeks and months land at the
  end of the local day.
* ``business_days``: "in 2 business/working days", "(the) next business day" count only
  ``workdays`` (Monday=0) that are not in ``holidays``, and land at the end of that day.
  With a ``calendar`` (:class:`~serviceart.clock.calendar.BusinessCalendar`) the days
  counted are the calendar's business days (open hours, not a calendar holiday nor in
  ``holidays``); ``workdays`` is then ignored. This also sets the workdays of ``week``
  and ``month`` phrases.
* ``business_hours``: "within 48 business/working hours" = the instant when that many
  open hours have elapsed on the ``calendar`` (exact, DST-aware; see
  :meth:`~serviceart.clock.calendar.BusinessCalendar.add_business`); without one, on
  a BusinessCalendar open 09:00-``eod_hour`` on ``workdays``, closed on ``holidays``,
  in ``tz`` (a tzinfo with no IANA name counts on its wall clock at its offset at
  ``ref``). With ``eod_hour`` 9 or earlier there are no business hours: no match.
* ``week``: "this week", "later this week" = end of this week's last workday; "next
  week" = end of next week's last workday; "early next week" = end of next week's
  second workday (Tuesday); "end of the week", "EOW" = this week's last workday at
  ``eod_hour``; "end of next week" likewise; "this/the weekend" = end of this week's
  Sunday, "next weekend" = end of next week's Sunday. Weeks start on Monday.
* ``month``: "this month" = end of its last day; "next month" = end of the last day of
  next month; "end of the month", "EOM" = last workday of the month at ``eod_hour``.
* A named day or period whose time has already passed today ("this afternoon" at 6pm,
  "end of the week" on a Saturday) is due at 23:59:59 today: a due time is never
  before ``ref``.
* Vague phrases have no due time: "soon", "shortly", "ASAP", "in due course", "later".
  Numbers that are not time phrases ("$24", "2 items", "model 3") never match.

Spans include a leading preposition ("by Friday", "within 24 hours", "on or before
Monday"). Overlapping matches are resolved leftmost-longest: "by 3pm tomorrow" is one
phrase. Known limits: "on the 2nd floor" reads as a date; fractions other than "half"
("in 1.5 hours") and ordinal words ("the fifteenth") are not read; "ten tomorrow"
without a preposition reads only "tomorrow"; EOD/COB use ``eod_hour`` even with a
``calendar``. Whether a phrase is a promise (or a negated one, "I can't do it by
Friday") is not decided here: the phrase is resolved all the same.

Examples
--------
>>> from datetime import datetime
>>> find_due("I'll email you by Friday.", datetime(2026, 3, 4, 10, 0)).due.isoformat()
'2026-03-06T23:59:59+00:00'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import MO, relativedelta

from .calendar import BusinessCalendar

__all__ = ["DuePhrase", "DueTime", "find_all_due", "find_due", "find_due_phrase"]

UTC = timezone.utc
WORKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})
WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "twenty-four": 24, "thirty": 30, "forty-five": 45,
    "forty-eight": 48, "sixty": 60, "seventy-two": 72, "couple": 2, "few": 3, "half": 0.5,
}  # fmt: skip
PART_HOURS: dict[str, tuple[int, int, int]] = {
    "morning": (12, 0, 0), "noon": (12, 0, 0), "midday": (12, 0, 0), "lunch": (12, 0, 0),
    "afternoon": (17, 0, 0), "evening": (21, 0, 0), "night": (21, 0, 0),
    "tonight": (21, 0, 0), "midnight": (23, 59, 59), "first": (10, 0, 0),
}  # fmt: skip

# -- patterns (bounded whitespace and no nested quantifiers: matching stays linear) --
_S = r"[\s\u00a0\u202f]{1,4}"  # a gap between words
_O = r"[\s\u00a0\u202f]{0,4}"  # an optional gap
_H = r"[\s\u00a0\u202f-]{1,4}"  # a gap, or a hyphen ("end-of-day")
_NB = r"(?<![\w$£€#.,:/-])"  # a number starts here, not inside "$24" or "1.5"
_WD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)\b"
)
_MON = (
    r"(?:january|february|march|april|(?-i:May|MAY)|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
)
_N = r"(?:[12][0-9]|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)"
_YEAR = rf"(?:,?{_S}(?P<year>[0-9]{{4}})(?![0-9]))?"
_ABS_MD = (  # (Friday,) March (the) 5th(, 2027)
    rf"(?:{_WD},?{_S}(?:the{_S})?)?(?P<mon>{_MON})\.?{_S}(?:the{_S})?"
    rf"(?P<day>{_N}){_ORD}?(?![\w:]){_YEAR}"
)
_ABS_DM = (  # (Friday) (the) 5th (of) March(, 2027)
    rf"(?:{_WD},?{_S})?(?:the{_S})?{_NB}(?P<day>{_N}){_ORD}?{_S}(?:of{_S})?(?P<mon>{_MON}){_YEAR}"
)
_ABS_TH = (
    rf"(?:{_WD},?{_S}|(?<=by\s)|(?<=on\s)|(?<=before\s)|(?<=until\s))"
    rf"the{_S}(?P<day>{_N}){_ORD}(?![\w:])"
)
_ISO = (
    r"(?<![\w.:/-])(?P<year>[0-9]{4})-(?P<mon>0[1-9]|1[0-2])-(?P<day>[0-2][0-9]|3[01])(?![\w:/-])"
)
_SLASH = (  # 13/03, 3/13/2027: read by ``dayfirst``; only after on/by/before/until/due
    r"(?:(?<=on\s)|(?<=by\s)|(?<=before\s)|(?<=until\s)|(?<=till\s)|(?<=due\s)|(?<=for\s))"
    rf"{_NB}(?P<sa>[0-3]?[0-9])/(?P<sb>[0-3]?[0-9])(?:/(?P<sy>[0-9]{{4}}|[0-9]{{2}}))?"
    r"(?![\w/]|[.,][0-9])"
)
_REL = (
    rf"(?P<later>later{_S})?(?P<rel>today|tonight|tomorrow|tomorow|tommorr?ow|tmrw|tmr"
    rf"|(?:the{_S})?day{_S}after{_S}tomorrow|(?:the{_S})?next{_S}(?:business|working|work){_S}day)\b"
)
_WKDAY = (
    rf"(?:(?P<mod>this{_S}coming|this|coming|next){_S})?(?P<wd>{_WD})"
    rf"(?P<nw>{_S}(?:of{_S})?next{_S}week\b)?"
)
_MER = r"(?P<mer>[ap]m\b|[ap]\.m\.?)"
_HOURW = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
_HOUR = rf"(?:{_NB}(?:1[0-2]|0?[1-9])(?![\w:%]|\.[0-9]|\s?%)|{_HOURW})"
_BY = r"(?:(?<=by\s)|(?<=at\s)|(?<=before\s)|(?<=until\s)|(?<=till\s)|(?<=than\s))"
_CLOCK = (
    rf"{_NB}(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5][0-9]))?\s?{_MER}"
    rf"|{_NB}(?P<h24>[01]?[0-9]|2[0-3]):(?P<m24>[0-5][0-9])(?![0-9:])"
    rf"|{_NB}(?P<hoc>1[0-2]|0?[1-9]|{_HOURW}){_O}o['’]clock\b"
    rf"|(?P<frac>half|(?:a{_S})?quarter){_S}(?P<rel>past|after|to|till?){_S}(?P<fh>{_HOUR})"
    rf"|{_BY}half{_S}(?P<bh>{_HOUR})"
    rf"|(?P<word>noon|midday|midnight|lunch{_O}time|(?:(?<=by\s)|(?<=before\s)|(?<=at\s))lunch)\b"
)
_FIRST = rf"first{_H}thing(?:{_S}in{_S}the{_S}morning)?\b"
_EOD = (
    rf"(?:(?:the{_S})?(?:end|close){_H}of{_H}(?:the{_H})?(?:business|working|work){_H}day"
    rf"|(?:the{_S})?end{_H}of{_H}(?:the{_H})?day|(?:the{_S})?(?:close|end){_H}of{_H}(?:business|play)"
    r"|eod|cob|eob)\b"
)
_PP = rf"(?:(?:later{_S})?this|in{_S}the|by(?:{_S}the)?|before(?:{_S}the)?)"
_PART = rf"(?:{_PP}{_S})?(?P<part>morning|afternoon|evening|night)\b"
_PREP = (
    rf"(?:(?:(?:by{_S})?(?:no|not){_S}later{_S}than|on{_S}or{_S}before|by|before|on|until|till"
    rf"|at|around){_S})"
)
_NUMW = (
    rf"(?:[0-9]{{1,3}}(?![0-9])|(?:a{_S})?(?:couple(?:{_S}of)?|few)\b|half(?:{_S}an?)?\b|a{_S}half\b"
    r"|(?:twenty[\s-]four|forty[\s-]five|forty[\s-]eight|seventy[\s-]two|one|two|three|four|five"
    r"|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|an|a)\b)"
)
_RANGE = rf"(?P<n1>{_NUMW})(?:\s{{0,2}}(?:-|–|to|or)\s{{0,2}}(?P<n2>{_NUMW}))?[\s-]{{0,2}}"
_UNIT = (
    rf"(?P<unit>(?:business|working|work){_H}(?:days?|hours?|hrs?)|minutes?|mins?|hours?|hrs?|h"
    r"|days?|weeks?|wks?|fortnights?|months?)(?!\w)"
)
_QUAL = (
    r"(?:(?:about|around|approximately|approx\.?|roughly|less\s+than|under|up\s+to|just"
    rf"|max(?:imum)?){_S}){{0,2}}"
)


def _bare(pattern: str) -> str:
    """Drop group names, so that sub-patterns can be combined in one pattern."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_DAY = "|".join(_bare(p) for p in (_ABS_MD, _ABS_DM, _ABS_TH, _ISO, _SLASH, _REL, _WKDAY))
_TIME = "|".join(_bare(p) for p in (_FIRST, _EOD, _CLOCK))
_PRE = rf"(?P<pre>{_TIME}|(?:the{_S})?end{_H}of){_S}(?:on{_S})?"
_POST = (  # "tomorrow", then maybe "evening", then maybe "at 8"
    rf"(?:,?{_S}(?P<ppart>{_bare(_PART)}))?(?:,?{_S}(?:(?:at|by|before|around|@){_O})?"
    rf"(?P<post>{_TIME})|{_S}(?:at|around|@|by|before|until|till|(?:no|not){_S}later{_S}than)"
    rf"{_O}(?P<bare>{_HOUR}))?"
)
_FLAGS = re.IGNORECASE | re.ASCII
_COMBO_RX = re.compile(
    rf"(?<!\w)(?:{_PREP}(?P<prebare>{_HOUR}){_S}(?:on{_S})?|{_PREP}?(?:{_PRE})?)(?P<day>{_DAY}){_POST}",
    _FLAGS,
)
_ALONE_RX = re.compile(
    rf"(?<!\w){_PREP}?(?P<t>{_TIME}|{_PP}{_S}(?:morning|afternoon|evening))"
    rf"(?:{_S}(?P<tpart>(?:this|in{_S}the){_S}(?:morning|afternoon|evening)|tonight)\b)?",
    _FLAGS,
)
_PERIOD_RX = re.compile(
    rf"(?<!\w){_PREP}?(?:the{_S})?(?:(?P<eonw>end{_H}of{_H}next{_H}week)"
    rf"|(?P<eow>end{_H}of{_H}(?:the{_H}|this{_H})?(?:(?:working|work|business){_H})?week|eow"
    rf"|week['’]s{_S}end)"
    rf"|(?P<early>(?:early|(?:the{_S})?(?:beginning|start){_H}of){_S}next{_S}week)"
    rf"|(?P<nwe>next{_S}weekend)|(?P<we>(?<=the\s)weekend|this{_S}weekend)|(?P<nw>next{_S}week)"
    rf"|(?P<tw>(?:later{_S})?this{_S}week)|(?P<eonm>end{_H}of{_H}next{_H}month)"
    rf"|(?P<eom>end{_H}of{_H}(?:the{_H}|this{_H})?month|eom|month{_H}end)|(?P<nm>next{_S}month)"
    rf"|(?P<tm>(?:later{_S})?this{_S}month))\b",
    _FLAGS,
)
_DUR_RX = re.compile(
    rf"(?<!\w)(?:within|in|inside(?:{_S}of)?|over|during|allow|takes?|taking"
    rf"|give{_S}(?:us|me|it|them)){_S}"
    rf"(?:(?P<the>the){_S}(?:(?:next|coming){_S})?)?{_QUAL}(?:{_RANGE})?{_UNIT}"
    rf"(?:{_S}or{_S}(?P<n3>two|three|so|2|3)\b)?(?:['’]s?{_S}time\b|{_S}time\b)?",
    _FLAGS,
)
_SAME_TIME_RX = re.compile(
    rf"(?<!\w)(?:by{_S})?(?:this|same|the{_S}same){_S}time{_S}(?P<when>tomorrow|next{_S}week)\b",
    _FLAGS,
)
_FROM_NOW_RX = re.compile(rf"{_NB}{_RANGE}{_UNIT}{_S}from{_S}(?:now|today)\b", _FLAGS)
_SUB = {name: re.compile(p, _FLAGS) for name, p in [
    ("md", _ABS_MD), ("dm", _ABS_DM), ("th", _ABS_TH), ("iso", _ISO), ("slash", _SLASH),
    ("rel", _REL), ("wk", _WKDAY), ("first", _FIRST), ("eod", _EOD), ("clock", _CLOCK),
    ("part", _PART), ("endof", rf"(?:the{_S})?end{_H}of"),
]}  # fmt: skip


@dataclass(frozen=True)
class DueTime:
    """A due phrase found in a text and the time it resolves to.

    Attributes
    ----------
    start_char, end_char
        The span of the phrase in the text searched.
    phrase
        ``text[start_char:end_char]``.
    due
        The due time, timezone-aware, in UTC.
    kind
        The rule that matched: ``relative_day``, ``weekday``, ``absolute_date``,
        ``clock_time``, ``part_of_day``, ``end_of_day``, ``duration``,
        ``business_days``, ``week`` or ``month``. With a day and a time of day
        ("tomorrow at 3pm") the kind is the time's.

    Examples
    --------
    >>> d = find_due("We will call you tomorrow at 3pm.", datetime(2026, 3, 4, 9, 0))
    >>> (d.phrase, d.kind, d.due.isoformat())
    ('tomorrow at 3pm', 'clock_time', '2026-03-05T15:00:00+00:00')
    """

    start_char: int
    end_char: int
    phrase: str
    due: datetime
    kind: str


@dataclass(frozen=True)
class _Ctx:
    ref: datetime  # aware, UTC
    zone: tzinfo
    today: date  # ref's local date
    calendar: BusinessCalendar  # workdays, holidays and (unless shifted) business hours
    eod_hour: int
    dayfirst: bool | None = None
    shift: timedelta | None = None  # fixed offset of a zone that is no IANA zone
    open_hours: bool = True  # False: no business hours (eod_hour 9 or earlier)
    undated: bool = False  # finding phrases only: a date with a year may be past

    def at(self, day: date, h: int, m: int = 0, s: int = 0) -> datetime:
        return datetime.combine(day, time(h, m, s), tzinfo=self.zone).astimezone(UTC)

    def end(self, day: date) -> datetime:
        return self.at(day, 23, 59, 59)

    def clamp(self, due: datetime) -> datetime:
        """A time already past on an explicit day means the end of today."""
        return due if due >= self.ref else max(self.end(self.today), self.ref)

    def is_workday(self, day: date) -> bool:
        return self.calendar.is_business_day(day)

    def add_business_hours(self, hours: float) -> datetime:
        """``ref`` plus business hours on the calendar."""
        if not self.open_hours:
            raise ValueError("no business hours when eod_hour is 9 or earlier")
        if self.shift is None:
            return self.calendar.add_business(self.ref, hours * 3600).to_pydatetime()
        # the calendar counts local wall-clock time as if it were UTC
        wall = self.calendar.add_business(self.ref + self.shift, hours * 3600)
        return (wall.to_pydatetime() - self.shift).astimezone(UTC)

    def add_workdays(self, day: date, n: int) -> date:
        for _ in range(n):
            day += relativedelta(days=1)
            while not self.is_workday(day):
                day += relativedelta(days=1)
        return day

    def week_workdays(self, monday: date) -> list[date]:
        days = [monday + relativedelta(days=i) for i in range(7)]
        return [d for d in days if self.is_workday(d)] or [days[-1]]

    def last_workday_of_month(self, day: date) -> date:
        last = day + relativedelta(day=31)
        days = [last - relativedelta(days=i) for i in range(last.day)]
        return next((d for d in days if self.is_workday(d)), last)


@lru_cache(maxsize=256)
def _default_calendar(workdays: frozenset[int], eod_hour: int, tz: str,
                      holidays: frozenset[date]) -> BusinessCalendar:
    """The calendar used without one: 09:00-``eod_hour`` on ``workdays``, in ``tz``.

    With ``eod_hour`` 9 or earlier the workdays are open all day, so that they still
    count as business days; business hours are then refused (``_Ctx.open_hours``).
    """
    day = f"09:00-{eod_hour:02d}:00" if eod_hour > 9 else "24h"
    return BusinessCalendar(hours=dict.fromkeys(sorted(workdays), day), tz=tz,
                            holidays=holidays)


@lru_cache(maxsize=256)
def _with_holidays(calendar: BusinessCalendar, holidays: frozenset[date]) -> BusinessCalendar:
    """``calendar`` closed on ``holidays`` too."""
    if holidays <= calendar.holidays:
        return calendar
    return BusinessCalendar(calendar.hours, calendar.tz, calendar.holidays | holidays)


def _zone_key(zone: tzinfo) -> str | None:
    """The IANA name of a zone, or None for a tzinfo that has none."""
    if isinstance(zone, ZoneInfo) and zone.key:
        return zone.key
    if zone is UTC or (isinstance(zone, timezone) and zone.utcoffset(None) == timedelta(0)):
        return "UTC"
    return None


def _context(ref: datetime, tz: str | tzinfo | None, workdays: frozenset[int], eod_hour: int,
             holidays: frozenset[date], calendar: BusinessCalendar | None,
             dayfirst: bool | None, undated: bool = False) -> _Ctx:
    """Validate the settings and build the context rules resolve against."""
    if not workdays or not workdays <= frozenset(range(7)):
        raise ValueError(f"workdays must be a non-empty set of weekdays 0-6, got {set(workdays)}")
    if not 0 <= eod_hour <= 23:
        raise ValueError(f"eod_hour must be 0-23, got {eod_hour}")
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise ValueError(f"calendar must be a BusinessCalendar, got {type(calendar).__name__}")
    zone = _zone(tz if tz is not None else calendar.tz if calendar is not None else "UTC")
    naive = ref.tzinfo is None or ref.utcoffset() is None
    ref_utc = (ref.replace(tzinfo=UTC) if naive else ref).astimezone(UTC)
    shift: timedelta | None = None
    if calendar is not None:
        cal = _with_holidays(calendar, frozenset(holidays))
    else:
        key = _zone_key(zone)
        if key is None:  # a tzinfo with no IANA name: count business hours on its wall clock
            shift = ref_utc.astimezone(zone).utcoffset()
        cal = _default_calendar(frozenset(workdays), eod_hour, key or "UTC", frozenset(holidays))
    return _Ctx(ref_utc, zone, ref_utc.astimezone(zone).date(), cal, eod_hour, dayfirst,
                shift, calendar is not None or eod_hour > 9, undated)


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r}: give an IANA name such as 'Europe/London' or a tzinfo"
        ) from exc


HOUR_WORDS: dict[str, str] = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip


def _hour(raw: str, mer: str | None, pm: bool = False, am: bool = False) -> int:
    """24-hour value of a clock hour (digits or a word); without am/pm a one-digit 1-6
    is afternoon, and so is any hour below 12 in the afternoon or evening ("tonight at
    8"), but not in the morning ("tomorrow morning before ten")."""
    raw = HOUR_WORDS.get(raw.lower(), raw)
    h = int(raw)
    if mer:
        return h % 12 + (12 if mer[0].lower() == "p" else 0)
    if am:
        return h
    return h + 12 if (pm or (len(raw) == 1 and h <= 6)) and 1 <= h < 12 else h


def _time(
    ctx: _Ctx, text: str, s: int, e: int, pm: bool = False, am: bool = False
) -> tuple[tuple[int, int, int], str] | None:
    """Clock time of a time-of-day token, and its kind."""
    if _SUB["first"].fullmatch(text, s, e):
        return PART_HOURS["first"], "part_of_day"
    if _SUB["eod"].fullmatch(text, s, e) or _SUB["endof"].fullmatch(text, s, e):
        return (ctx.eod_hour, 0, 0), "end_of_day"
    if m := _SUB["clock"].fullmatch(text, s, e):
        if m["word"]:
            return PART_HOURS[re.sub(r"\W*time$", "", m["word"].lower())], "part_of_day"
        if m["h24"]:
            return (_hour(m["h24"], None, pm, am), int(m["m24"]), 0), "clock_time"
        if m["bh"]:  # British "half four" = 4:30
            return (_hour(m["bh"], None, pm, am), 30, 0), "clock_time"
        if m["frac"]:  # "half past four", "a quarter to five"
            minutes = 30 if m["frac"].lower() == "half" else 15
            total = _hour(m["fh"], None, pm, am) * 60
            total += -minutes if m["rel"].lower().startswith("t") else minutes
            return (total // 60 % 24, total % 60, 0), "clock_time"
        h = _hour(m["h"] or m["hoc"], m["mer"], pm, am)
        return (h, int(m["m"] or 0), 0), "clock_time"
    if m := _SUB["part"].fullmatch(text, s, e):
        return PART_HOURS[m["part"].lower()], "part_of_day"
    return None


def _abs_date(today: date, month: int | None, day: int, year: int | None,
              any_year: bool = False) -> date | None:
    """The date meant, rolled forward to the next occurrence when no year is given;
    a date with a year before ``today`` is none, unless ``any_year``."""
    if year is not None and month is not None:
        try:
            when = date(year, month, day)
        except ValueError:
            return None
        return when if when >= today or any_year else None
    for k in range(13 if month is None else 9):
        try:
            if month is None:
                when = today + relativedelta(months=k, day=day)
                if when.day != day:
                    continue
            else:
                when = date(today.year + k, month, day)
        except ValueError:
            continue
        if when >= today:
            return when
    return None


def _slash(ctx: _Ctx, a: int, b: int, year_raw: str | None) -> date:
    """The date of "a/b(/year)": day-first, month-first, or whichever is the only valid
    reading when ``dayfirst`` is None."""
    year = None if year_raw is None else int(year_raw) + (2000 if len(year_raw) == 2 else 0)
    orders = {True: [(b, a)], False: [(a, b)], None: [(b, a), (a, b)]}[ctx.dayfirst]
    found = {
        when
        for month, day in orders
        if 1 <= month <= 12
        and (when := _abs_date(ctx.today, month, day, year, ctx.undated)) is not None
    }
    if len(found) != 1:
        raise ValueError("no such date, or day and month are ambiguous")
    return found.pop()


def _day(ctx: _Ctx, text: str, s: int, e: int) -> tuple[date, str, tuple[int, int, int] | None]:
    """Date of a day token, its kind, and its own time of day (tonight) if any."""
    today = ctx.today
    if m := _SUB["slash"].fullmatch(text, s, e):
        return _slash(ctx, int(m["sa"]), int(m["sb"]), m["sy"]), "absolute_date", None
    for key in ("md", "dm", "th", "iso"):
        if m := _SUB[key].fullmatch(text, s, e):
            mon = m.groupdict().get("mon")
            month = None if mon is None else (int(mon) if mon.isdigit() else MONTHS[mon.lower()])
            year = m.groupdict().get("year")
            when = _abs_date(today, month, int(m["day"]), None if year is None else int(year),
                             ctx.undated)
            if when is None:
                raise ValueError("no such date")
            return when, "absolute_date", None
    if m := _SUB["rel"].fullmatch(text, s, e):
        rel = m["rel"].lower()
        if "next" in rel:
            return ctx.add_workdays(today, 1), "business_days", None
        if rel == "tonight":
            return today, "part_of_day", PART_HOURS["tonight"]
        offset = 0 if rel == "today" else 2 if "after" in rel else 1
        return today + relativedelta(days=offset), "relative_day", None
    if (m := _SUB["wk"].fullmatch(text, s, e)) is None:
        raise ValueError("not a day")
    wd = WEEKDAYS[m["wd"].lower()]
    if m["nw"] or (m["mod"] or "").lower() == "next":  # in the next Monday-based week
        today += relativedelta(weekday=MO(-1), weeks=1)
    return today + relativedelta(weekday=wd), "weekday", None


def _combo(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str]:
    day, kind, hms = _day(ctx, text, *m.span("day"))
    if m["ppart"] and (found := _time(ctx, text, *m.span("ppart"))):
        hms, kind = found
    pm = hms is not None and hms[0] >= 17  # "tonight at 8", "Monday afternoon at 3:30"
    am = bool(m["ppart"]) and "morning" in m["ppart"].lower()  # "tomorrow morning by ten"
    if m["prebare"]:  # "by ten tomorrow", "before 10 on Monday"
        hms, kind = (_hour(m["prebare"], None, pm, am), 0, 0), "clock_time"
    elif m["pre"] and (found := _time(ctx, text, *m.span("pre"), pm, am)):
        hms, kind = found  # "first thing Monday morning": the first time wins
    elif m["post"] and (found := _time(ctx, text, *m.span("post"), pm, am)):
        hms, kind = found
    elif m["bare"]:
        hms, kind = (_hour(m["bare"], None, pm, am), 0, 0), "clock_time"
    return ctx.clamp(ctx.end(day) if hms is None else ctx.at(day, *hms)), kind


def _alone(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str] | None:
    s, e = m.span("t")
    part = (m["tpart"] or "").lower()
    found = _time(ctx, text, s, e, pm="afternoon" in part or "evening" in part or part == "tonight",
                  am="morning" in part)  # fmt: skip
    if found is None:
        return None
    hms, kind = found
    if part and kind == "clock_time":  # "by 4:30 this afternoon": today, never rolled
        return ctx.clamp(ctx.at(ctx.today, *hms)), kind
    tomorrow = ctx.today + relativedelta(days=1)
    if _SUB["first"].fullmatch(text, s, e):
        return ctx.at(tomorrow, *hms), kind
    due = ctx.at(ctx.today, *hms)
    if due >= ctx.ref:
        return due, kind
    if kind == "end_of_day" or text[s:e].lower().startswith(("this", "later")):
        return ctx.clamp(due), kind
    return ctx.at(tomorrow, *hms), kind


def _period(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str]:
    g = m.lastgroup or ""
    monday = ctx.today + relativedelta(weekday=MO(-1))
    this_week = ctx.week_workdays(monday)
    next_week = ctx.week_workdays(monday + relativedelta(weeks=1))
    month_end = ctx.today + relativedelta(day=31)
    due = {
        "eow": ctx.at(this_week[-1], ctx.eod_hour), "eonw": ctx.at(next_week[-1], ctx.eod_hour),
        "early": ctx.end(next_week[min(1, len(next_week) - 1)]), "nw": ctx.end(next_week[-1]),
        "tw": ctx.end(this_week[-1]), "we": ctx.end(monday + relativedelta(days=6)),
        "nwe": ctx.end(monday + relativedelta(days=13)), "tm": ctx.end(month_end),
        "nm": ctx.end(ctx.today + relativedelta(months=1, day=31)),
        "eom": ctx.at(ctx.last_workday_of_month(ctx.today), ctx.eod_hour),
        "eonm": ctx.at(ctx.last_workday_of_month(month_end + relativedelta(days=1)), ctx.eod_hour),
    }[g]  # fmt: skip
    return ctx.clamp(due), "month" if g.endswith("m") else "week"


def _number(token: str, unit: str) -> float:
    words = re.sub(r"[\s-]+", "-", token.lower()).split("-")
    if token.isdigit():
        return int(token)
    if "few" in words:
        return 15 if unit == "minute" else 3
    key = next((w for w in ("couple", "half") if w in words), "-".join(words))
    return NUMBERS[key]


def _duration(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str] | None:
    words = re.sub(r"[\s-]+", " ", m["unit"].lower()).split()
    business = words[0] in ("business", "working", "work")
    unit = {"min": "minute", "hr": "hour", "h": "hour", "wk": "week", "fortnight": "week"}.get(
        words[-1].rstrip("s"), words[-1].rstrip("s")
    )
    n3 = m.groupdict().get("n3")
    nums = [_number(m[g], unit) for g in ("n1", "n2") if m[g]]
    nums += [2 if n3.lower() in ("2", "two") else 3] if n3 and n3.lower() != "so" else []
    if not nums and (not m.groupdict().get("the") or words[-1].endswith("s")):
        return None  # "in days", "within hours": vague
    n = max(nums, default=1) * (2 if words[-1].startswith("fortnight") else 1)
    if business and unit == "hour":
        return ctx.add_business_hours(n), "business_hours"
    if business:
        return ctx.end(ctx.add_workdays(ctx.today, math.ceil(n))), "business_days"
    if unit in ("minute", "hour") or (unit in ("day", "week") and n != int(n)):
        return ctx.ref + timedelta(**{unit + "s": n}), "duration"
    if n != int(n):
        return None
    k = int(n)
    step = {"day": relativedelta(days=k), "week": relativedelta(weeks=k)}
    return ctx.end(ctx.today + step.get(unit, relativedelta(months=k))), "duration"


def _same_time(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str]:
    """Due of "this time tomorrow": the same local wall time a day (or a week) later."""
    local = ctx.ref.astimezone(ctx.zone)
    days = 7 if "week" in m["when"].lower() else 1
    when = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=ctx.zone)
    return when.astimezone(UTC), "relative_day"


_RULES = (
    (_COMBO_RX, _combo), (_PERIOD_RX, _period), (_DUR_RX, _duration), (_SAME_TIME_RX, _same_time),
    (_FROM_NOW_RX, _duration), (_ALONE_RX, _alone),
)  # fmt: skip


def find_all_due(
    text: str,
    ref: datetime,
    *,
    tz: str | tzinfo | None = None,
    workdays: frozenset[int] = WORKDAYS,
    eod_hour: int = 17,
    holidays: frozenset[date] = frozenset(),
    calendar: BusinessCalendar | None = None,
    dayfirst: bool | None = None,
) -> list[DueTime]:
    """Every due phrase in ``text``, in order, resolved against ``ref``.

    Parameters
    ----------
    text
        The turn, or a sentence of it.
    ref
        When it was said; a naive datetime is read as UTC.
    tz
        The time zone of the people concerned: an IANA name or a tzinfo.
    workdays
        The working weekdays, Monday=0.
    eod_hour
        The local hour at which "end of day" and "close of business" fall.
    holidays
        Local dates that are not workdays (added to the calendar's, if any).
    calendar
        A :class:`~serviceart.clock.calendar.BusinessCalendar` for "N business days" and
        "N business hours"; its zone is the default ``tz``.
    dayfirst
        How to read slashed dates: True = day/month, False = month/day, None = only
        when one reading is valid.

    Returns
    -------
    list[DueTime]
        Non-overlapping phrases, leftmost-longest, in text order.

    Raises
    ------
    ValueError
        On an unknown time zone, empty or invalid ``workdays`` or ``eod_hour``, or a
        ``calendar`` that is not a BusinessCalendar.

    Examples
    --------
    >>> ref = datetime(2026, 3, 6, 16, 0)  # a Friday
    >>> [(d.phrase, d.due.isoformat()) for d in find_all_due(
    ...     "I'll call at 5pm and it ships in 2 business days", ref)]
    [('at 5pm', '2026-03-06T17:00:00+00:00'), ('in 2 business days', '2026-03-10T23:59:59+00:00')]
    >>> from serviceart.clock.calendar import BusinessCalendar
    >>> cal = BusinessCalendar(hours={"mon-fri": "09:00-17:30"}, tz="Europe/London",
    ...                        holidays=["2026-03-09"])
    >>> [d.due.isoformat() for d in find_all_due(
    ...     "within 4 business hours, and the refund in 2 working days", ref, calendar=cal)]
    ['2026-03-10T11:30:00+00:00', '2026-03-11T23:59:59+00:00']
    """
    ctx = _context(ref, tz, workdays, eod_hour, holidays, calendar, dayfirst)
    return [DueTime(s, e, text[s:e], due, kind) for s, e, due, kind in _search(text, ctx)]


def _search(text: str, ctx: _Ctx) -> list[tuple[int, int, datetime, str]]:
    """Resolved phrases of ``text``: non-overlapping, leftmost-longest, in text order."""
    found: list[tuple[int, int, datetime, str]] = []
    for rx, rule in _RULES:
        for m in rx.finditer(text):
            try:
                res = rule(ctx, text, m)
            except (ValueError, OverflowError):  # "February 30", or beyond year 9999
                res = None
            if res is not None:
                found.append((m.start(), m.end(), max(res[0], ctx.ref).astimezone(UTC), res[1]))
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[tuple[int, int, datetime, str]] = []
    for hit in found:
        if not out or hit[0] >= out[-1][1]:
            out.append(hit)
    return out


def find_due(
    text: str,
    ref: datetime,
    *,
    tz: str | tzinfo | None = None,
    workdays: frozenset[int] = WORKDAYS,
    eod_hour: int = 17,
    holidays: frozenset[date] = frozenset(),
    calendar: BusinessCalendar | None = None,
    dayfirst: bool | None = None,
) -> DueTime | None:
    """The first due phrase in ``text`` resolved against ``ref``, or None.

    Takes the same parameters as :func:`find_all_due`; the longest phrase wins where
    phrases overlap ("by 3pm tomorrow" rather than "by 3pm").

    Examples
    --------
    >>> ref = datetime(2026, 3, 6, 23, 30)  # 18:30 on Friday in New York
    >>> find_due("You'll have it tomorrow.", ref, tz="America/New_York").due.isoformat()
    '2026-03-08T04:59:59+00:00'
    >>> find_due("We'll get back to you as soon as possible.", ref) is None
    True
    """
    found = find_all_due(
        text, ref, tz=tz, workdays=workdays, eod_hour=eod_hour, holidays=holidays,
        calendar=calendar, dayfirst=dayfirst,
    )  # fmt: skip
    return found[0] if found else None


#: Where phrase-only searches anchor their date arithmetic. Which phrases match does
#: not depend on it (``_Ctx.undated`` keeps past years), and no time is kept from it.
_ANCHOR = datetime(2001, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DuePhrase:
    """A due phrase found in a text said at an unknown time.

    Attributes
    ----------
    start_char, end_char
        The span of the phrase in the text searched.
    phrase
        ``text[start_char:end_char]``.
    kind
        The rule that matched (see :class:`DueTime`).
    """

    start_char: int
    end_char: int
    phrase: str
    kind: str


def find_due_phrase(
    text: str,
    *,
    workdays: frozenset[int] = WORKDAYS,
    eod_hour: int = 17,
    holidays: frozenset[date] = frozenset(),
    calendar: BusinessCalendar | None = None,
    dayfirst: bool | None = None,
) -> DuePhrase | None:
    """The first due phrase in ``text`` when the moment it was said is unknown.

    The phrase is the one :func:`find_due` finds at any moment, except that a date
    with a year is kept even when it may be past ("by March 5, 2020"): whether it
    is depends on when it was said. No due time is resolved. The keyword parameters
    are those of :func:`find_all_due`.

    Examples
    --------
    >>> find_due_phrase("I'll call you back tomorrow before noon.").phrase
    'tomorrow before noon'
    >>> find_due_phrase("We'll get back to you soon.") is None
    True
    """
    ctx = _context(_ANCHOR, None, workdays, eod_hour, holidays, calendar, dayfirst,
                   undated=True)
    found = _search(text, ctx)
    if not found:
        return None
    s, e, _, kind = found[0]
    return DuePhrase(s, e, text[s:e], kind)
