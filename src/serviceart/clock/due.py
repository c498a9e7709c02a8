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
  (PEP 495): the offset before the change.
* A time zone written after a time ("5pm EST", "17:00 (CET)", "3pm UTC+2", "at 5pm ET on
  July 10") replaces ``tz`` for that phrase. The abbreviations are data
  (``data/time_words.toml``): most are fixed offsets read literally all year ("9am BST"
  is 08:00 UTC even in February); ET, CT, MT and PT are the US zones, with DST. An
  abbreviation that names several zones ("IST") or none known ("ICT"), or "UK time",
  gives no due time.
* Right or absent: a phrase read only in part gives no due time rather than a wrong
  one, and hides the words it covers from the other rules. That is the case when it
  is followed by a number ("Friday 19", "at 4pm on 25"), by "after next", "week",
  "of this/next/the ..." or an ordinal word that no rule read, or by a zone as above;
  when it follows a date that is not read ("4/25 at 4pm", "25th at 4pm") or "after" /
  "past" ("after 3pm" is no deadline); and when it names no real day ("Friday 19th"
  where the 19th is no Friday, "the 31st of next month" in a 30-day month, "Monday of
  this week" said on Wednesday).
* A day without a time of day ("tomorrow", "by Friday", "on March 5th") is due at the end
  of that local day, 23:59:59.
* ``end_of_day``: "end of day", "EOD", "COB", "close/end of business", "close of play" =
  ``eod_hour``:00 today (or of the day named: "EOD Friday"); once past, 23:59:59 today.
* ``part_of_day``: morning, noon, midday, lunch(time) = 12:00; early morning = 09:00;
  afternoon, after lunch = 17:00; evening, night, tonight = 21:00; midnight = 00:00 at
  the end of the day; "first thing" = 10:00. Alone, "first thing" means tomorrow;
  "this afternoon", "tonight" mean today (once past: 23:59:59 today); "in the
  morning", "by noon" mean the next such time (today, or tomorrow once past). "The
  morning of the 15th" is that day's morning.
* ``clock_time``: "3pm", "3:30 p.m.", "15:00", "at 3 o'clock"; hh:mm without am/pm is
  a 24-hour clock, except that a one-digit hour 1-6 means the afternoon ("by 5:30" =
  17:30), and any hour below 12 does after an afternoon or evening ("tonight at 8" =
  20:00). Word clocks: "ten o'clock", "half past four", "a quarter to five", and after
  by/at/before/until the British "half four" (= 4:30). A bare hour, in digits or words,
  counts only next to a day: after the day and at/by/before/until ("tomorrow at 9" =
  09:00, "tomorrow by ten", "Friday before 5" = 17:00), or before it after a
  preposition ("by ten tomorrow", "before 10 on Monday"); a morning keeps it before
  noon ("tomorrow morning before ten" = 10:00, "by 9 tomorrow morning" = 09:00). Alone
  it is too ambiguous ("before 5", "by eleven" do not match), except just before a
  day after the person called ("I'll call you 9 tomorrow" = 09:00; "send the other 2
  tomorrow" is no hour). A clock time, or a bare hour, followed by "this
  afternoon/evening/morning" or "tonight" is today's and sets am/pm ("at 4:30 this
  afternoon"); followed by "in the morning/afternoon/evening" or "at night" it is the
  next such time ("3 in the morning" said at 04:30 = 03:00 tomorrow). A part of the
  day followed by a time sets am/pm the same way ("this evening at 11" = 23:00, "this
  morning at 10am"). Minutes past or to the hour: half, (a) quarter, three quarters,
  five, ten, twenty, twenty-five, or "N minutes", then past/after/to/till, then an
  hour with or without am/pm, noon or midnight ("a quarter past 3pm" = 15:15, "twenty
  to 5" = 16:40, "20 minutes to 2pm tomorrow", "a quarter to noon" = 11:45; "from ten
  to five" is opening hours, not 4:50).
  A clock time that has passed today means tomorrow; with a day named ("today at
  3pm" said at 4pm) it never rolls: 23:59:59 that day.
* ``weekday``: "Friday", "by Friday", "this (coming) Friday" = the first such day after
  today. **The same weekday is a week later**: "Tuesday", "by Tuesday", "this Tuesday"
  said on a Tuesday mean the Tuesday a week on, as in Duckling and ctparse (someone
  who means today says "today" or "end of day"); "Tuesday of this week" is today.
  "next Friday", "the following Friday" and "Friday (of) next week" = that weekday in
  the next Monday-based calendar week; "Friday after next" = a week after the first
  Friday after today; "Monday of this week" = this week's Monday, none once past.
* ``relative_day``: "today", "later today", "tomorrow", "the day after tomorrow";
  "this time tomorrow" / "same time next week" = the same local wall time then.
* ``absolute_date``: "March 5th", "5 March", "the 5th of March", "March 5, 2027",
  "2026-03-05", "2026/03/05", "on/by the 15th" (a bare "the 15th" needs
  on/by/before/until). Ordinal words count as day numbers ("the first of March", "March
  twenty-first", "on the third."), but a bare "the first" only at the end of a clause
  or before at/by/of... ("on the first call" is no date). A weekday with a day number
  ("Sat, Sep 21", "Tuesday 19th", "Tuesday the 19th") is that date, and no date at all
  when the weekday does not match. "The 20th of next month", "20 of this month", "the
  9th of the current month" = that day of that month (none when it is past). Without
  a year: the next occurrence not before today ("the 31st" skips short months); with a
  year in the past: no match. The month "May" must be capitalised ("you may 5..." is not
  a date). Slashed dates ("on 12/03", "by 3/25/2027") are read only after on, by,
  before, until, till, due or for (so "24/7" is not a date), in the order given by
  ``dayfirst``: True = day/month (en_GB), False = month/day (en_US). The default, None,
  reads a slashed date only when a single reading is a valid date ("13/03", "3/25",
  "05/05"); "12/03" is ambiguous and does not match. A slashed date with a four-digit
  year needs no preposition ("call you back 15/3/2026").
* ``duration``: "in"/"within"/"inside of"/"allow"/"takes"/"give us" + number +
  minutes/hours/days/weeks/fortnights/months, or "... from now". A bare number of hours
  ("48hrs" with no preposition) does not match. Numbers are digits, words (a, an,
  one..twelve, twenty-four...), "a couple" = 2, "a few" = 3 (15 for minutes), "half an
  hour" = 30 min, decimals ("2.5 hours"), "a quarter of an hour", "three-quarters of an
  hour", "one and a half hours", "an hour and a half"; ranges take the upper bound
  ("24-48 hours", "a day or two"). "within the hour" = 1 hour. "(over) the next 3 days",
  "next few hours" need no preposition. Minutes and hours are exact, and so are
  fractions of days and weeks; whole days, weeks and months land at the end of the
  local day, or at the time given after them ("in 3 days at 9am"; after minutes or
  hours a time gives no due time).
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
  "the following week", "(the) coming week", "upcoming week" = "next week", and "end
  of the following/coming week" = "end of next week" ("this coming week" is ambiguous
  and does not match).
* ``month``: "this month" = end of its last day; "next month" = end of the last day of
  next month; "end of the month", "EOM" = last workday of the month at ``eod_hour``.
  A month named: "in/during March" = end of its last day, "early March" (and
  "beginning/start of March") = end of the 10th, "mid(-)March" = end of the 20th, "late
  March" = end of its last day, "(by) the end of April" = its last workday at
  ``eod_hour``; the next such month not before this one (a year may be given), none
  once that part of this month is past. A month alone or after "by" ("by March":
  before March, or during it?) does not match.
* ``year``: "end of the year", "EOY", "year end" = last workday of December at
  ``eod_hour``.
* A named day or period whose time has already passed today ("this afternoon" at 6pm,
  "end of the week" on a Saturday) is due at 23:59:59 today: a due time is never
  before ``ref``.
* Vague phrases have no due time: "soon", "shortly", "ASAP", "in due course", "later".
  Numbers that are not time phrases ("$24", "2 items", "model 3") never match.

Spans include a leading preposition ("by Friday", "within 24 hours", "on or before
Monday") and a written zone. Overlapping matches are resolved leftmost-longest: "by 3pm
tomorrow" is one phrase. The rules are tried only where a word a phrase can start with
begins (``data/time_words.toml``, ``[search]``), which keeps the search fast. Known
limits: "on the 2nd floor" reads as a date; "in 7 days" is due at the end of the
seventh day, not at this time then (Duckling reads the instant); a bare slashed date
("back 2/15") and a lower-case "may 8" are not read; EOD/COB use ``eod_hour`` even
with a ``calendar``. Whether a phrase is a promise (or a negated one, "I can't do it
by Friday") is not decided here: the phrase is resolved all the same.

Examples
--------
>>> from datetime import datetime
>>> wednesday = datetime(2026, 3, 4, 10, 0)
>>> find_due("I'll email you by Friday.", wednesday).due.isoformat()
'2026-03-06T23:59:59+00:00'
>>> find_due("I'll call you Wednesday.", wednesday).due.isoformat()  # a week on
'2026-03-11T23:59:59+00:00'
>>> find_due("I'll call you at a quarter past 3pm EST.", wednesday).due.isoformat()
'2026-03-04T20:15:00+00:00'
>>> find_due("I'll call you after 3pm.", wednesday) is None  # no deadline
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomllib
from dateutil.relativedelta import MO, relativedelta

from .calendar import BusinessCalendar

__all__ = ["DuePhrase", "DueTime", "find_all_due", "find_due", "find_due_phrase"]

UTC = timezone.utc
WORKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})
WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
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
    "tonight": (21, 0, 0), "midnight": (24, 0, 0), "first": (10, 0, 0),
    "early morning": (9, 0, 0), "after lunch": (17, 0, 0),
}  # fmt: skip
MINUTE_WORDS: dict[str, int] = {
    "half": 30, "quarter": 15, "a quarter": 15, "three quarters": 45, "five": 5, "ten": 10,
    "twenty": 20, "twenty five": 25,
}  # fmt: skip


def _time_words() -> dict[str, Any]:
    """The ordinal words and written time zones of ``data/time_words.toml``."""
    text = resources.files("serviceart").joinpath("data/time_words.toml").read_text("utf-8")
    return tomllib.loads(text)


_WORDS = _time_words()
ORDINALS: dict[str, int] = {k: int(str(v)) for k, v in _WORDS["ordinals"].items()}
ZONES: dict[str, str | float] = {
    k: v if isinstance(v, str) else float(str(v)) for k, v in _WORDS["zones"].items()
}
AMBIGUOUS_ZONES: tuple[str, ...] = tuple(str(z) for z in _WORDS["ambiguous"]["zones"])

# -- patterns (bounded whitespace and no nested quantifiers: matching stays linear) --
_S = r"[\s\u00a0\u202f]{1,4}"  # a gap between words
_O = r"[\s\u00a0\u202f]{0,4}"  # an optional gap
_H = r"[\s\u00a0\u202f-]{1,4}"  # a gap, or a hyphen ("end-of-day")
_NB = r"(?<![\w$£€#.,:/-])"  # a number starts here, not inside "$24" or "1.5"
_WD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)\b"
)
_WDD = rf"(?:{_WD}|(?-i:Sat|SAT|Sun|SUN)\b)"  # in a date only: "Sat, Sep 21", not "Sun Fun Sea"
_MON = (
    r"(?:january|february|march|april|(?-i:May|MAY)|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
)
_N = r"(?:[12][0-9]|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)"
_ORDW = "(?:" + "|".join(  # ordinal words, longest first: "twenty-first" before "first"
    k.replace("-", r"[\s-]") for k in sorted(ORDINALS, key=len, reverse=True)) + r")\b"
# what may follow "the first" for it to be a date ("on the first." but not "on the first call")
_ORDW_END = (
    rf"(?={_O}(?:[.,;:!?)]|$)|{_S}(?:at|by|before|around|then|and|or|of{_S}(?:next|this|the))\b)"
)
_DN = rf"(?:{_NB}(?P<day>{_N}){_ORD}?|(?P<dayw>{_ORDW}))"  # a day of the month
_YEAR = rf"(?:,?{_S}(?P<year>[0-9]{{4}})(?![0-9]))?"
_ABS_MD = (  # (Friday,) March (the) 5th(, 2027), March first
    rf"(?:(?P<wd>{_WDD})\.?,?{_S}(?:the{_S})?)?(?P<mon>{_MON})\.?{_S}(?:the{_S})?"
    rf"(?:(?P<day>{_N}){_ORD}?(?![\w:])|(?P<dayw>{_ORDW})){_YEAR}"
)
_ABS_DM = (  # (Friday) (the) 5th (of) March(, 2027), the first of March
    rf"(?:(?P<wd>{_WDD})\.?,?{_S})?(?:the{_S})?(?:{_NB}(?P<day>{_N}){_ORD}?{_S}(?:of{_S})?"
    rf"|(?P<dayw>{_ORDW}){_S}of{_S})(?P<mon>{_MON}){_YEAR}"
)
_ABS_TH = (  # Friday (the) 19th, on the 15th, on the first
    rf"(?:(?P<wd>{_WDD})\.?,?{_S}(?:the{_S})?|(?:(?<=by\s)|(?<=on\s)|(?<=before\s)|(?<=until\s))"
    rf"the{_S})(?:(?P<day>{_N}){_ORD}(?![\w:])|(?P<dayw>{_ORDW}){_ORDW_END})"
)
_ABS_NM = (  # the 20th of next month, 20 of this month
    rf"(?:the{_S})?{_DN}{_S}of{_S}(?:the{_S})?"
    rf"(?P<which>next|this|current|coming|following){_S}month\b"
)
_ISO = (
    r"(?<![\w.:/-])(?P<year>[0-9]{4})[-/](?P<mon>0[1-9]|1[0-2])[-/]"
    r"(?P<day>[0-2][0-9]|3[01])(?![\w:/-])"
)
_SLASH = (  # 13/03, 3/13/2027: read by ``dayfirst``; after on/by/before/until/due, or with a year
    r"(?:(?<=on\s)|(?<=by\s)|(?<=before\s)|(?<=until\s)|(?<=till\s)|(?<=due\s)|(?<=for\s)"
    r"|(?=[0-3]?[0-9]/[0-3]?[0-9]/[0-9]{4}(?![\w/]|[.,][0-9])))"
    rf"{_NB}(?P<sa>[0-3]?[0-9])/(?P<sb>[0-3]?[0-9])(?:/(?P<sy>[0-9]{{4}}|[0-9]{{2}}))?"
    r"(?![\w/]|[.,][0-9])"
)
_REL = (
    rf"(?P<later>later{_S})?(?P<rel>today|tonight|tomorrow|tomorow|tommorr?ow|tmrw|tmr"
    rf"|(?:the{_S})?day{_S}after{_S}tomorrow|(?:the{_S})?next{_S}(?:business|working|work){_S}day)\b"
)
_WKDAY = (  # (this/next/the following) Friday (next week / after next / of this week)
    rf"(?:(?P<mod>this{_S}coming|this|coming|next|(?:the{_S})?following){_S})?(?P<wd>{_WD})"
    rf"(?:(?P<nw>{_S}(?:of{_S})?next{_S}week\b)|(?P<an>{_S}after{_S}next\b)"
    rf"|(?P<tw>{_S}of{_S}this{_S}week\b))?"
)
_MER = r"(?P<mer>[ap]m\b|[ap]\.m\.?)"
_HOURW = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
_HOUR = rf"(?:{_NB}(?:1[0-2]|0?[1-9])(?![\w:%]|\.[0-9]|\s?%)|{_HOURW})"
_BY = r"(?:(?<=by\s)|(?<=at\s)|(?<=before\s)|(?<=until\s)|(?<=till\s)|(?<=than\s))"
_TPART = (  # a part of the day that sets am/pm after a clock time
    rf"(?:(?:this|in{_S}the){_S}(?:morning|afternoon|evening)|at{_S}night|tonight)\b"
)
_MINS = (  # minutes before "past" or "to": half, a quarter, 20 minutes, twenty
    rf"(?P<frac>half|(?:a{_S})?quarter|three[\s-]quarters|(?<!from\s)(?:twenty[\s-]five|twenty"
    rf"|ten|five)|{_NB}[1-5]?[0-9](?={_S}min))(?:{_S}(?:minutes?|mins?))?"
)
_CLOCK = (
    rf"{_MINS}{_S}(?P<rel>past|after|to|till?){_S}(?:{_NB}(?P<fh>1[0-2]|0?[1-9])\s?"
    r"(?P<fmer>[ap]m\b|[ap]\.m\.?)"
    rf"|(?P<fw>noon|midday|midnight)\b|(?P<fb>{_HOUR}))"
    rf"|{_NB}(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5][0-9]))?\s?{_MER}"
    rf"|{_NB}(?P<h24>[01]?[0-9]|2[0-3]):(?P<m24>[0-5][0-9])(?![0-9:])"
    rf"|{_NB}(?P<hoc>1[0-2]|0?[1-9]|{_HOURW}){_O}o['’]clock\b"
    rf"|{_BY}half{_S}(?P<bh>{_HOUR})"
    rf"|{_NB}(?P<hx>1[0-2]|0?[1-9]|{_HOURW})(?={_S}{_TPART})"
    rf"|(?P<word>noon|midday|midnight|lunch{_O}time|after{_S}lunch(?:{_O}time)?"
    r"|(?:(?<=by\s)|(?<=before\s)|(?<=at\s))lunch)\b"
)
_FIRST = rf"first{_H}thing(?:{_S}in{_S}the{_S}morning)?\b"
_EOD = (
    rf"(?:(?:the{_S})?(?:end|close){_H}of{_H}(?:the{_H})?(?:business|working|work){_H}day"
    rf"|(?:the{_S})?end{_H}of{_H}(?:the{_H})?day|(?:the{_S})?(?:close|end){_H}of{_H}(?:business|play)"
    r"|eod|cob|eob)\b"
)
_PP = rf"(?:(?:later{_S})?this|in{_S}the|by(?:{_S}the)?|before(?:{_S}the)?)"
_PART = (
    rf"(?:{_PP}{_S})?(?P<part>early{_S}morning|morning|afternoon|evening|night"
    rf"|(?<!by\s)(?<!at\s)lunch(?:{_O}time)?)\b"
)
_PARTOF = rf"(?:the{_S})?(?P<part>morning|afternoon|evening|night){_S}of"  # morning of the 15th
_PREP = (
    rf"(?:(?:(?:by{_S})?(?:no|not){_S}later{_S}than|on{_S}or{_S}before|by|before|on|until|till"
    rf"|at|around){_S})"
)
_NUMW = (
    rf"(?:(?:[0-9]{{1,3}}(?:\.[0-9]{{1,2}})?(?![0-9.])|an?|one|two|three){_S}and{_S}a{_S}half\b"
    rf"|[0-9]{{1,3}}(?:\.[0-9]{{1,2}})?(?![0-9.])"
    rf"|(?:a{_S})?(?:couple(?:{_S}of)?|few)\b|half(?:{_S}an?)?\b|a{_S}half\b"
    rf"|(?:(?:a{_S})?quarter|three[\s-]quarters)(?:{_S}of)?(?:{_S}an?)?\b"
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


_DAY = "|".join(
    _bare(p) for p in (_ABS_MD, _ABS_DM, _ABS_TH, _ABS_NM, _ISO, _SLASH, _REL, _WKDAY)
)
_TIME = "|".join(_bare(p) for p in (_FIRST, _EOD, _CLOCK))
_ZONE = (  # a time zone written after a time: "5pm EST", "17:00 (CET)", "UTC+2"
    r"[\s\u00a0]{0,2}\(?(?-i:(?P<off>(?:UTC|GMT)[\s]?(?P<sign>[+-])(?P<oh>[01]?[0-9])"
    r"(?::?(?P<om>[0-5][0-9]))?)|(?P<zone>"
    + "|".join(sorted(ZONES, key=len, reverse=True))
    + r")|(?P<unknown>"
    + "|".join(AMBIGUOUS_ZONES)
    + r"|(?!(?:NOT|BUT|GOT|LAST|FIRST|JUST|MUST|PAST|NEXT|THAT|WHAT|ABOUT)\b)[A-Z]{2,4}T))"
    r"\)?(?![\w+-])"
)
_PRE = (
    rf"(?P<pre>{_TIME}|(?:the{_S})?end{_H}of|{_bare(_PARTOF)})(?P<prezone>{_bare(_ZONE)})?"
    rf"{_S}(?:on{_S})?"
)
_POST = (  # "tomorrow", then maybe "evening", then maybe "at 8"
    rf"(?:,?{_S}(?:at{_S})?(?P<ppart>{_bare(_PART)}))?(?:,?{_S}(?:(?:at|by|before|around|@){_O})?"
    rf"(?P<post>{_TIME})|{_S}(?:at|around|@|by|before|until|till|(?:no|not){_S}later{_S}than)"
    rf"{_O}(?P<bare>{_HOUR}))?"
)
# "9 tomorrow": a bare hour just before a day, after the person called ("call you 9 tomorrow")
_OBJ = (
    r"(?:(?<=\bback\s)|(?<=\byou\s)|(?<=\bme\s)|(?<=\bus\s)|(?<=\bhim\s)|(?<=\bher\s)"
    r"|(?<=\bthem\s))"
)
_ATTIME = rf"(?:,?{_S}(?:at|by|before|around|@){_O}(?P<at>{_TIME}|{_HOUR}))"  # "... at 5pm"
_FLAGS = re.IGNORECASE | re.ASCII
_COMBO_RX = re.compile(
    rf"(?<!\w)(?:(?:{_PREP}|{_OBJ})(?P<prebare>{_HOUR}){_S}(?:on{_S})?(?={_DAY})"
    rf"|{_PREP}?(?:{_PRE})?)(?P<day>{_DAY}){_POST}",
    _FLAGS,
)
_ALONE_RX = re.compile(
    rf"(?<!\w){_PREP}?(?:(?P<t>{_TIME})(?:{_S}(?P<tpart>{_TPART}))?"
    rf"|(?P<p>{_PP}{_S}(?:morning|afternoon|evening)){_ATTIME}?)",
    _FLAGS,
)
_PERIOD_RX = re.compile(
    rf"(?<!\w){_PREP}?(?:the{_S})?(?:(?P<eonw>end{_H}of{_H}(?:the{_H})?"
    rf"(?:next|following|coming|upcoming){_H}week)"
    rf"|(?P<eow>end{_H}of{_H}(?:the{_H}|this{_H})?(?:(?:working|work|business){_H})?week|eow"
    rf"|week['’]s{_S}end)"
    rf"|(?P<early>(?:early|(?:the{_S})?(?:beginning|start){_H}of){_S}next{_S}week)"
    rf"|(?P<nwe>next{_S}weekend)|(?P<we>(?<=the\s)weekend|this{_S}weekend)"
    rf"|(?P<nw>(?:next|(?<!this\s)(?:following|coming|upcoming)){_S}week)"
    rf"|(?P<tw>(?:later{_S})?this{_S}week)|(?P<eonm>end{_H}of{_H}next{_H}month)"
    rf"|(?P<eom>end{_H}of{_H}(?:the{_H}|this{_H})?month|eom|month{_H}end)|(?P<nm>next{_S}month)"
    rf"|(?P<tm>(?:later{_S})?this{_S}month)"
    rf"|(?P<eoy>end{_H}of{_H}(?:the{_H}|this{_H})?year|eoy|year{_H}end))\b",
    _FLAGS,
)
_DUR_RX = re.compile(
    rf"(?<!\w)(?:within|in|inside(?:{_S}of)?|over|during|allow|takes?|taking"
    rf"|give{_S}(?:us|me|it|them)){_S}"
    rf"(?:(?P<the>the){_S}(?:(?:next|coming){_S})?)?{_QUAL}(?:{_RANGE})?{_UNIT}"
    rf"(?P<half>{_S}and{_S}a{_S}half\b)?(?:{_S}or{_S}(?P<n3>two|three|so|2|3)\b)?"
    rf"(?:['’]s?{_S}time\b|{_S}time\b)?{_ATTIME}?",
    _FLAGS,
)
_NEXT_N_RX = re.compile(  # "(over) the next 3 days", "next few hours"
    rf"(?<!\w)(?:(?:over|during|for){_S})?(?:the{_S})?(?:next|coming){_S}{_QUAL}{_RANGE}{_UNIT}"
    rf"(?P<half>{_S}and{_S}a{_S}half\b)?",
    _FLAGS,
)
_MONTH_RX = re.compile(  # in March, early March, mid-March, by the end of April (2027)
    rf"(?<!\w)(?:{_PREP}|(?:in|during){_S})?(?:the{_S})?"
    rf"(?:(?P<pos>early|mid|middle{_S}of|late|(?:beginning|start|end){_H}of(?:{_S}the)?)"
    rf"[\s-]{{1,4}})?(?P<mon>{_MON})(?:,?{_S}(?P<year>[0-9]{{4}})(?![0-9]))?"
    rf"(?!\.?{_S}(?:the{_S})?(?:[0-9]|{_ORDW}))",
    _FLAGS,
)
_SAME_TIME_RX = re.compile(
    rf"(?<!\w)(?:by{_S})?(?:this|same|the{_S}same){_S}time{_S}(?P<when>tomorrow|next{_S}week)\b",
    _FLAGS,
)
_FROM_NOW_RX = re.compile(
    rf"{_NB}{_RANGE}{_UNIT}(?P<half>{_S}and{_S}a{_S}half\b)?{_S}from{_S}(?:now|today)\b{_ATTIME}?",
    _FLAGS,
)
_ZONE_RX = re.compile(_ZONE, _FLAGS)
# what, right after a phrase, shows that it was only partly read: "Friday 19", "4pm on"
_CONT_RX = re.compile(
    rf"{_S}(?:(?:on{_S}|at{_S})?[0-9]|(?:after{_S}next|weeks?|months?|years?|of{_S}(?:this|next|the|that|{_MON}|{_WD})"
    rf"|(?!first\b|second\b){_ORDW}|(?:uk|british|london|european|eastern|central|mountain"
    rf"|pacific|atlantic|indian?|[a-z]+{_S}standard|[a-z]+{_S}daylight){_S}time)(?![\w:]))",
    _FLAGS,
)
# what, right before a phrase, shows the same: "4/25 at 4pm", "twelve past 3pm", "after 3pm"
_LEFT_RX = re.compile(
    rf"(?:(?:[0-9]{{1,2}}/[0-9]{{1,2}}(?:/[0-9]{{2,4}})?|[0-9]{{1,2}}{_ORD}|{_ORDW}){_S}"
    rf"(?:(?:at|on){_S})?|(?<!\w)(?:past|after){_S})$",
    _FLAGS,
)
_SUB = {name: re.compile(p, _FLAGS) for name, p in [
    ("md", _ABS_MD), ("dm", _ABS_DM), ("th", _ABS_TH), ("iso", _ISO), ("slash", _SLASH),
    ("rel", _REL), ("wk", _WKDAY), ("first", _FIRST), ("eod", _EOD), ("clock", _CLOCK),
    ("part", _PART), ("endof", rf"(?:the{_S})?end{_H}of"), ("nm", _ABS_NM), ("partof", _PARTOF),
    ("tpart", _TPART), ("hour", _HOUR),
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
        ``business_days``, ``business_hours``, ``week``, ``month`` or ``year``. With
        a day and a time of day ("tomorrow at 3pm") the kind is the time's.

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
        """Local wall time ``h:m:s`` on ``day`` in UTC; hour 24 is 00:00 the next day."""
        day += timedelta(days=h // 24)
        return datetime.combine(day, time(h % 24, m, s), tzinfo=self.zone).astimezone(UTC)

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
        days = [monday + timedelta(days=i) for i in range(7)]
        return [d for d in days if self.is_workday(d)] or [days[-1]]

    def last_workday_of_month(self, day: date) -> date:
        last = day + relativedelta(day=31)
        days = (last - timedelta(days=i) for i in range(last.day))
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
            return PART_HOURS[_words(m["word"]).removesuffix("time").strip()], "part_of_day"
        if m["h24"]:
            return (_hour(m["h24"], None, pm, am), int(m["m24"]), 0), "clock_time"
        if m["bh"]:  # British "half four" = 4:30
            return (_hour(m["bh"], None, pm, am), 30, 0), "clock_time"
        if m["frac"]:  # "half past four", "a quarter to five", "20 minutes to 2pm"
            frac = _words(m["frac"])
            minutes = int(frac) if frac.isdigit() else MINUTE_WORDS[frac]
            if m["fw"]:
                hour = PART_HOURS[_words(m["fw"])][0] if "night" in m["fw"].lower() else 12
            else:
                hour = _hour(m["fh"] or m["fb"], m["fmer"], pm, am)
            before = m["rel"].lower().startswith("t")
            hour += 12 if before and pm and hour == 12 else 0  # "twenty to twelve tonight"
            total = hour * 60 + (-minutes if before else minutes)
            return (total // 60, total % 60, 0), "clock_time"
        h = _hour(m["h"] or m["hoc"] or m["hx"], m["mer"], pm, am)
        return (h, int(m["m"] or 0), 0), "clock_time"
    if (m := _SUB["part"].fullmatch(text, s, e)) or (m := _SUB["partof"].fullmatch(text, s, e)):
        return PART_HOURS[_words(m["part"]).removesuffix("time").strip()], "part_of_day"
    return None


def _words(raw: str) -> str:
    """Lower case, one space between words, hyphens as spaces: a key of the word tables."""
    return " ".join(re.split(r"[\s-]+", raw.lower().strip()))


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
            groups = m.groupdict()
            mon = groups.get("mon")
            month = None if mon is None else (int(mon) if mon.isdigit() else MONTHS[mon.lower()])
            year = groups.get("year")
            day = int(m["day"]) if m["day"] else ORDINALS[_words(m["dayw"]).replace(" ", "-")]
            when = _abs_date(today, month, day, None if year is None else int(year), ctx.undated)
            if when is None:
                raise ValueError("no such date")
            wd = groups.get("wd")
            if wd and WEEKDAYS[wd.lower()] != when.weekday() and not ctx.undated:
                raise ValueError("the weekday named is not the weekday of the date")
            return when, "absolute_date", None
    if m := _SUB["nm"].fullmatch(text, s, e):  # "the 20th of next month"
        day = int(m["day"]) if m["day"] else ORDINALS[_words(m["dayw"]).replace(" ", "-")]
        months = 0 if m["which"].lower() in ("this", "current") else 1
        when = today + relativedelta(months=months, day=day)
        if when.day != day or (when < today and not ctx.undated):
            raise ValueError("no such day in that month, or it is past")
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
    mod = (m["mod"] or "").lower()
    monday = today + relativedelta(weekday=MO(-1))
    if m["tw"]:  # "Tuesday of this week": this Monday-based week, today included
        when = monday + relativedelta(days=wd)
        if when < today and not ctx.undated:
            raise ValueError("that day of this week is past")
        return when, "weekday", None
    if m["nw"] or mod == "next" or mod.endswith("following"):  # the next Monday-based week
        return monday + relativedelta(weeks=1, days=wd), "weekday", None
    when = today + relativedelta(days=1, weekday=wd)  # the first such day after today
    if m["an"]:  # "Friday after next": the one after that
        when += relativedelta(weeks=1)
    return when, "weekday", None


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
    if m["p"]:  # "this afternoon", "this evening at 11"
        s, e = m.span("p")
        part = text[s:e].lower()
        if m["at"]:
            found = _time(ctx, text, *m.span("at"), pm="morning" not in part,
                          am="morning" in part)  # fmt: skip
            if found is None:
                found = ((_hour(m["at"], None, "morning" not in part, "morning" in part), 0, 0),
                         "clock_time")
            s, e = m.span("at")
        else:
            found = _time(ctx, text, s, e)
    else:
        s, e = m.span("t")
        part = _words(m["tpart"] or "")
        pm, am = part.endswith(("afternoon", "evening", "night")), part.endswith("morning")
        found = _time(ctx, text, s, e, pm, am)
        if found is None and part and _SUB["hour"].fullmatch(text, s, e):  # "3 in the morning"
            found = (_hour(text[s:e], None, pm, am), 0, 0), "clock_time"
    if found is None:
        return None
    hms, kind = found
    if kind == "clock_time" and part and not part.startswith("in"):
        return ctx.clamp(ctx.at(ctx.today, *hms)), kind  # "at 4:30 this afternoon": today
    if kind == "clock_time" and part:  # "3 in the morning": the next such time
        due = ctx.at(ctx.today, *hms)
        return (due if due >= ctx.ref else ctx.at(ctx.today + relativedelta(days=1), *hms)), kind
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
    today = ctx.today
    monday = today - timedelta(days=today.weekday())
    week = {"eow": monday, "tw": monday}.get(g, monday + timedelta(weeks=1))
    month = {"eonm": today + relativedelta(months=1), "eoy": today + relativedelta(month=12)}.get(
        g, today)
    due = {  # each rule computes only its own due time
        "eow": lambda: ctx.at(ctx.week_workdays(week)[-1], ctx.eod_hour),
        "eonw": lambda: ctx.at(ctx.week_workdays(week)[-1], ctx.eod_hour),
        "early": lambda: ctx.end(ctx.week_workdays(week)[min(1, len(ctx.week_workdays(week)) - 1)]),
        "nw": lambda: ctx.end(ctx.week_workdays(week)[-1]),
        "tw": lambda: ctx.end(ctx.week_workdays(week)[-1]),
        "we": lambda: ctx.end(monday + timedelta(days=6)),
        "nwe": lambda: ctx.end(monday + timedelta(days=13)),
        "tm": lambda: ctx.end(today + relativedelta(day=31)),
        "nm": lambda: ctx.end(today + relativedelta(months=1, day=31)),
        "eom": lambda: ctx.at(ctx.last_workday_of_month(month), ctx.eod_hour),
        "eonm": lambda: ctx.at(ctx.last_workday_of_month(month), ctx.eod_hour),
        "eoy": lambda: ctx.at(ctx.last_workday_of_month(month), ctx.eod_hour),
    }[g]()  # fmt: skip
    return ctx.clamp(due), {"eoy": "year"}.get(g, "month" if g.endswith("m") else "week")


def _month(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str] | None:
    """Due of a month named: "in March" (its last day), "early/mid/late March" (the 10th,
    the 20th, the last day), "the end of April" (its last workday at ``eod_hour``)."""
    pos = _words(m["pos"] or "")
    if not pos and not re.match(r"(?:in|during)\b", m[0], re.IGNORECASE):
        return None  # "by March" (before or during March?) and a bare "March": no due time
    month = MONTHS[m["mon"].lower()]
    year = int(m["year"]) if m["year"] else ctx.today.year + (month < ctx.today.month)
    first = date(year, month, 1)
    if pos.startswith("end"):
        due = ctx.at(ctx.last_workday_of_month(first), ctx.eod_hour)
    else:
        day = {"early": 10, "beginning of": 10, "start of": 10, "mid": 20, "middle of": 20}
        due = ctx.end(first + relativedelta(day=day.get(pos.removesuffix(" the"), 31)))
    if due < ctx.ref and not ctx.undated:
        return None  # "early March" said on 20 March
    return due, "month"


def _number(token: str, unit: str) -> float:
    words = re.sub(r"[\s-]+", "-", token.lower()).split("-")
    if words[-3:] == ["and", "a", "half"]:  # "one and a half", "2 and a half"
        return _number("-".join(words[:-3]), unit) + 0.5
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", token):
        return float(token) if "." in token else int(token)
    if "few" in words:
        return 15 if unit == "minute" else 3
    if "quarter" in words or "quarters" in words:
        return 0.75 if "three" in words else 0.25
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
    n += 0.5 if m.groupdict().get("half") else 0  # "an hour and a half"
    at = m.span("at") if m.groupdict().get("at") else None
    if at is not None:  # "in 7 days at 5pm": that day at that time
        found = _time(ctx, text, *at)
        if unit not in ("day", "week") or business or n != int(n) or found is None:
            return _BLOCKED
        day = ctx.today + relativedelta(days=int(n) * (7 if unit == "week" else 1))
        return ctx.at(day, *found[0]), found[1]
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


_BLOCKED = (datetime.max.replace(tzinfo=UTC), "")  # a phrase read only in part: no due time


def _same_time(ctx: _Ctx, text: str, m: re.Match[str]) -> tuple[datetime, str]:
    """Due of "this time tomorrow": the same local wall time a day (or a week) later."""
    local = ctx.ref.astimezone(ctx.zone)
    days = 7 if "week" in m["when"].lower() else 1
    when = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=ctx.zone)
    return when.astimezone(UTC), "relative_day"


_RULES = (
    (_COMBO_RX, _combo), (_PERIOD_RX, _period), (_DUR_RX, _duration), (_SAME_TIME_RX, _same_time),
    (_FROM_NOW_RX, _duration), (_ALONE_RX, _alone), (_NEXT_N_RX, _duration), (_MONTH_RX, _month),
)  # fmt: skip
_ZONED = frozenset({_combo, _alone, _period, _month})  # rules whose time a written zone sets
#: The words a due phrase can start with (besides a number; ``data/time_words.toml``):
#: the rules are tried only where one of these starts, which keeps the search fast.
_FIRST_WORDS: frozenset[str] = (
    frozenset(_WORDS["search"]["first_words"])
    | {w.split("-")[0] for w in ORDINALS} | set(WEEKDAYS) | set(MONTHS)
)  # fmt: skip
_WORD_RX = re.compile(r"[0-9A-Za-z_]+")


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
    starts = [w.start() for w in _WORD_RX.finditer(text)
              if w[0][0].isdigit() or w[0].lower() in _FIRST_WORDS]  # fmt: skip
    for rx, rule in _RULES:
        for m in _matches(rx, text, starts):
            s, e = m.span()
            zoned: _Ctx | None = ctx
            z = _ZONE_RX.match(text, m.start("prezone") if rule is _combo and m["prezone"] else e)
            if z is not None:  # "5pm EST", "5pm EST on Friday"
                e = max(e, z.end())
                zone = _written_zone(z)
                zoned = replace(ctx, zone=zone, today=ctx.ref.astimezone(zone).date()) if (
                    zone is not None and rule in _ZONED) else None  # fmt: skip
            try:
                res = rule(zoned or ctx, text, m)
            except (ValueError, OverflowError):  # "February 30", or beyond year 9999
                res = _BLOCKED  # a phrase that names no real day
            if res is None:  # not a due phrase ("within days", "by March")
                continue
            if zoned is None or _CONT_RX.match(text, e) or _LEFT_RX.search(text, max(0, s - 24), s):
                res = _BLOCKED  # read only in part: "4pm IST", "Tuesday 19", "4/25 at 4pm"
            found.append((s, e, max(res[0], ctx.ref).astimezone(UTC), res[1]))
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[tuple[int, int, datetime, str]] = []
    for hit in found:
        if not out or hit[0] >= out[-1][1]:
            out.append(hit)
    return [hit for hit in out if hit[3]]


def _matches(rx: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """The matches of ``rx.finditer(text)``, tried only at ``starts`` (where they can begin)."""
    found: list[re.Match[str]] = []
    end = 0
    for pos in starts:
        if pos >= end and (m := rx.match(text, pos)) is not None:
            found.append(m)
            end = m.end()
    return found


def _written_zone(z: re.Match[str]) -> tzinfo | None:
    """The zone of a written time zone ("EST", "UTC+2"); None when it is ambiguous or unknown."""
    if z["off"]:
        sign = -1 if z["sign"] == "-" else 1
        hours = int(z["oh"])
        return timezone(sign * timedelta(hours=hours, minutes=int(z["om"] or 0))) if (
            hours <= 14) else None  # fmt: skip
    if z["zone"] is None:
        return None
    value = ZONES[z["zone"]]
    return ZoneInfo(value) if isinstance(value, str) else timezone(timedelta(hours=value))


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
