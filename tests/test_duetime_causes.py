"""Due times that are right or absent: one test per cause of a wrong due time (issue 20),
properties of the search, and the floors reached on the peer suites (Duckling, ctparse)."""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart.clock.due as due_module
from serviceart.clock.due import find_all_due, find_due, find_due_phrase

UTC = timezone.utc
WED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # Wednesday 4 March 2026, 10:00
THU_12 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # Thursday 12 November 2026


def due_of(text: str, ref: datetime = WED, tz: str = "UTC") -> tuple[str, str] | None:
    """(phrase, local due time as "YYYY-MM-DD HH:MM") of the first due phrase, or None."""
    found = find_due(text, ref, tz=tz)
    if found is None:
        return None
    return found.phrase, found.due.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def check(cases: list[tuple[str, str | None, str | None]], ref: datetime = WED) -> None:
    for text, phrase, expected in cases:
        got = due_of(text, ref)
        want = None if phrase is None else (phrase, expected)
        assert got == want, text


def test_day_of_month_with_weekday() -> None:
    check([
        ("I'll ring you back by Thursday 19th.", "by Thursday 19th", "2026-11-19 23:59"),
        ("I'll ring you back on Thursday the 19th.", "on Thursday the 19th", "2026-11-19 23:59"),
        ("The parts arrive Thu, 19 November.", "Thu, 19 November", "2026-11-19 23:59"),
        ("You'll have it Sat, Nov 21.", "Sat, Nov 21", "2026-11-21 23:59"),
        # the 19th is not a Friday: the phrase contradicts itself, so no due time
        ("I'll ring you back by Friday 19th.", None, None),
        ("I'll ring you back by Friday the 19th.", None, None),
        # a weekday and a day number without an ordinal is read only in part: no due time
        ("I'll ring you back on Thursday 19.", None, None),
        ("I'll ring you back Friday week.", None, None),
        ("I'll ring you back by Thursday nineteenth.", "by Thursday nineteenth",
         "2026-11-19 23:59"),
        ("I'll ring you back by Friday nineteenth.", None, None),
    ], ref=THU_12)  # fmt: skip
    check([("The engineer can come at 2:45 PM on Fri, Mar 13.", "at 2:45 PM on Fri, Mar 13",
            "2026-03-13 14:45")])  # fmt: skip


def test_sat_and_sun_are_weekdays_only_in_a_date() -> None:
    check([
        ("I'll call you on Sun, 8 March.", "on Sun, 8 March", "2026-03-08 23:59"),
        ("I'll call you Sat 7th.", "Sat 7th", "2026-03-07 23:59"),
        ("I sat with the engineer and we'll call you later.", None, None),
        ("The sun is out, I'll call you when the tech is done.", None, None),
        ("Sun Fun Sea is the shop I mean.", None, None),
    ])  # fmt: skip


def test_upper_case_words() -> None:
    check([
        ("I'LL CALL YOU BY LUNCHTIME.", "BY LUNCHTIME", "2026-03-04 12:00"),
        ("I'LL CALL YOU TOMORROW AT LUNCH TIME.", "TOMORROW AT LUNCH TIME", "2026-03-05 12:00"),
        ("I'LL CALL YOU AT A QUARTER PAST 3PM EST.", "AT A QUARTER PAST 3PM EST",
         "2026-03-04 20:15"),
        ("WE'LL HAVE IT IN MARCH.", "IN MARCH", "2026-03-31 23:59"),
    ])  # fmt: skip


def test_minutes_past_and_to_the_hour() -> None:
    check([
        ("The courier comes at a quarter past 2pm.", "at a quarter past 2pm", "2026-03-04 14:15"),
        ("I'll call you at twenty to 5.", "at twenty to 5", "2026-03-04 16:40"),
        ("I'll call you at ten past four.", "at ten past four", "2026-03-04 16:10"),
        ("We'll call at twenty-five to six.", "at twenty-five to six", "2026-03-04 17:35"),
        ("I'll call you 10 minutes to noon.", "10 minutes to noon", "2026-03-04 11:50"),
        ("You'll have it by a quarter to noon.", "by a quarter to noon", "2026-03-04 11:45"),
        ("Expect the call at five past 11am.", "at five past 11am", "2026-03-04 11:05"),
        ("We'll call you three quarters past 9pm.", "three quarters past 9pm",
         "2026-03-04 21:45"),
        ("The slot is 20 minutes past 4pm tomorrow.", "20 minutes past 4pm tomorrow",
         "2026-03-05 16:20"),
        ("We'll call you twenty to twelve tonight.", "twenty to twelve tonight",
         "2026-03-04 23:40"),
        # said after 11:00: the next such time is tomorrow
        ("I'll call at a quarter past 9am.", "at a quarter past 9am", "2026-03-05 09:15"),
        # "from ten to five" is a range of opening hours, not 4:50
        ("We're open from ten to five.", None, None),
    ])  # fmt: skip


def test_a_clock_time_after_a_part_of_the_day() -> None:
    check([
        ("I'll ring you this evening at 11.", "this evening at 11", "2026-03-04 23:00"),
        ("I'll ring you this afternoon at 3.", "this afternoon at 3", "2026-03-04 15:00"),
        ("Expect a call this afternoon at 4:45.", "this afternoon at 4:45", "2026-03-04 16:45"),
        ("I'll call this morning at 11am.", "this morning at 11am", "2026-03-04 11:00"),
        # "in the morning" is the next morning once this one's time has passed
        ("I'll call in the morning at 9.", "in the morning at 9", "2026-03-05 09:00"),
        ("I'll call you at 8 in the morning.", "at 8 in the morning", "2026-03-05 08:00"),
        ("The engineer comes at 4 in the afternoon.", "at 4 in the afternoon",
         "2026-03-04 16:00"),
        ("I'll call you 7 tomorrow evening.", "7 tomorrow evening", "2026-03-05 19:00"),
        ("I'll call you back 8 tomorrow.", "8 tomorrow", "2026-03-05 08:00"),
        # a number before a day, said of things rather than to a person, is no hour
        ("I'll send the other 2 tomorrow.", "tomorrow", "2026-03-05 23:59"),
    ])  # fmt: skip


def test_parts_of_the_day() -> None:
    check([
        ("We'll ring you back Friday at lunchtime.", "Friday at lunchtime", "2026-03-06 12:00"),
        ("We'll ring you back tomorrow lunch.", "tomorrow lunch", "2026-03-05 12:00"),
        ("I'll call you Thursday early morning.", "Thursday early morning", "2026-03-05 09:00"),
        ("I'll call you the morning of the 9th of March.", "the morning of the 9th of March",
         "2026-03-09 12:00"),
        ("I'll get back to you after lunch.", "after lunch", "2026-03-04 17:00"),
        ("I'll get back to you tomorrow after lunch.", "tomorrow after lunch",
         "2026-03-05 17:00"),
        # midnight is 00:00 at the end of the day
        ("It will be fixed by midnight.", "by midnight", "2026-03-05 00:00"),
        ("It will be fixed at a quarter past midnight.", "at a quarter past midnight",
         "2026-03-05 00:15"),
    ])  # fmt: skip


def test_weekdays_after_next_and_following() -> None:
    check([
        ("I'll call you Thursday after next.", "Thursday after next", "2026-03-12 23:59"),
        ("I'll call you on the following Monday.", "on the following Monday",
         "2026-03-09 23:59"),
        ("I'll call you Thursday of this week.", "Thursday of this week", "2026-03-05 23:59"),
        ("I'll call you Wednesday of this week.", "Wednesday of this week",
         "2026-03-04 23:59"),
        # a day of this week that is past names no day: nothing, not "this week"
        ("I'll call you Monday of this week.", None, None),
    ])  # fmt: skip


def test_the_same_weekday_is_a_week_later() -> None:
    """A weekday said on that weekday is the one a week later; "today" names today."""
    check([
        ("I'll call you Wednesday.", "Wednesday", "2026-03-11 23:59"),
        ("I'll call you by Wednesday.", "by Wednesday", "2026-03-11 23:59"),
        ("I'll call you this Wednesday.", "this Wednesday", "2026-03-11 23:59"),
        ("I'll call you on Wednesday at 3pm.", "on Wednesday at 3pm", "2026-03-11 15:00"),
        ("I'll call you next Wednesday.", "next Wednesday", "2026-03-11 23:59"),
        ("I'll call you Wednesday after next.", "Wednesday after next", "2026-03-18 23:59"),
        ("I'll call you today.", "today", "2026-03-04 23:59"),
        ("I'll call you Thursday.", "Thursday", "2026-03-05 23:59"),
    ])  # fmt: skip


def test_weeks_months_and_years() -> None:
    check([
        ("The refund goes out the following week.", "the following week", "2026-03-13 23:59"),
        ("I'll sort it out coming week.", "coming week", "2026-03-13 23:59"),
        # "in the coming week" is a duration, like "in the next week": within 7 days
        ("The refund goes out in the coming week.", "in the coming week", "2026-03-11 23:59"),
        ("The refund goes out upcoming week.", "upcoming week", "2026-03-13 23:59"),
        ("We'll finish by the end of the following week.", "by the end of the following week",
         "2026-03-13 17:00"),
        ("The new card comes in April.", "in April", "2026-04-30 23:59"),
        ("The new card comes in February.", "in February", "2027-02-28 23:59"),
        ("The new card comes in March.", "in March", "2026-03-31 23:59"),
        ("The new card comes early April.", "early April", "2026-04-10 23:59"),
        ("The new card comes mid-April.", "mid-April", "2026-04-20 23:59"),
        ("The new card comes late April.", "late April", "2026-04-30 23:59"),
        ("The contract is signed by the end of May.", "by the end of May", "2026-05-29 17:00"),
        ("The contract is signed at the end of June 2027.", "at the end of June 2027",
         "2027-06-30 17:00"),
        ("We'll settle it by the end of the year.", "by the end of the year",
         "2026-12-31 17:00"),
        ("We'll settle it by EOY.", "by EOY", "2026-12-31 17:00"),
        ("We'll settle it by year-end.", "by year-end", "2026-12-31 17:00"),
        # "by April" is before or during April: no due time; so is "this coming week"
        ("The new card comes by April.", None, None),
        ("The refund goes out this coming week.", None, None),
    ])  # fmt: skip
    # early March said after early March is past: no due time
    check([("The new card comes early March.", None, None)],
          ref=datetime(2026, 3, 20, 9, 0, tzinfo=UTC))  # fmt: skip


def test_day_of_a_relative_month_and_ordinal_words() -> None:
    check([
        ("We'll bill you the 20th of next month.", "the 20th of next month", "2026-04-20 23:59"),
        ("We'll bill you 15 of this month.", "15 of this month", "2026-03-15 23:59"),
        ("We'll bill you the 9th of the current month.", "the 9th of the current month",
         "2026-03-09 23:59"),
        ("We'll bill you the first of next month.", "the first of next month",
         "2026-04-01 23:59"),
        ("The visit is on the first of April.", "on the first of April", "2026-04-01 23:59"),
        ("The visit is on April the twenty-first.", "on April the twenty-first",
         "2026-04-21 23:59"),
        ("The visit is April fifth.", "April fifth", "2026-04-05 23:59"),
        ("The visit is on the third.", "on the third", "2026-04-03 23:59"),
        ("The visit is on the tenth, at 9am.", "on the tenth, at 9am", "2026-03-10 09:00"),
        # an ordinal word before a noun is no date
        ("I'll fix it on the first call.", None, None),
        ("It is on the second floor.", None, None),
        # April has no 31st; the 2nd of this month is past: no due time, and not "next month"
        ("We'll bill you the 31st of next month.", None, None),
        ("We'll bill you the 2nd of this month.", None, None),
    ])  # fmt: skip


def test_fractions_of_hours_and_days() -> None:
    check([
        ("I'll call you in a quarter of an hour.", "in a quarter of an hour", "2026-03-04 10:15"),
        ("I'll call you in three-quarters of an hour.", "in three-quarters of an hour",
         "2026-03-04 10:45"),
        ("I'll call you in an hour and a half.", "in an hour and a half", "2026-03-04 11:30"),
        ("I'll call you in one and a half hours.", "in one and a half hours",
         "2026-03-04 11:30"),
        ("I'll call you within 2.5 hours.", "within 2.5 hours", "2026-03-04 12:30"),
        ("I'll call you in 1.5 days.", "in 1.5 days", "2026-03-05 22:00"),
        ("It takes a day and a half.", "takes a day and a half", "2026-03-05 22:00"),
        ("I'll call you over the next 2 hours.", "over the next 2 hours", "2026-03-04 12:00"),
        ("You'll hear from us next three days.", "next three days", "2026-03-07 23:59"),
        ("I'll call you in 3 days at 9am.", "in 3 days at 9am", "2026-03-07 09:00"),
        # a clock time after minutes or hours makes no sense: no due time
        ("I'll call you in 2 hours at 5pm.", None, None),
        # "the next 2 items" is no duration
        ("Thanks for the next 2 items.", None, None),
    ])  # fmt: skip


def test_written_time_zones() -> None:
    check([
        ("I'll call you at 5pm EST.", "at 5pm EST", "2026-03-04 22:00"),
        ("I'll call you tomorrow at 17:00 CET.", "tomorrow at 17:00 CET", "2026-03-05 16:00"),
        ("The window closes 9am (PST) on Friday.", "9am (PST) on Friday", "2026-03-06 17:00"),
        ("I'll call you by 3pm UTC+2.", "by 3pm UTC+2", "2026-03-04 13:00"),
        ("I'll call you by 3pm GMT-05:30.", "by 3pm GMT-05:30", "2026-03-04 20:30"),
        ("We'll confirm by EOD EST.", "by EOD EST", "2026-03-04 22:00"),
        # ET is New York's time: EDT (UTC-4) in July
        ("I'll call you at 5pm ET on July 10.", "at 5pm ET on July 10", "2026-07-10 21:00"),
        # a zone that names more than one place, or none we know: no due time
        ("I'll call you at 4pm IST.", None, None),
        ("I'll call you at 4pm ICT.", None, None),
        ("I'll call you by 5pm UK time.", None, None),
        # a zone after a duration is read only in part
        ("I'll call you within 2 hours GMT.", None, None),
    ])  # fmt: skip


def test_dates_with_a_year_and_slashes() -> None:
    check([
        ("The plan renews 2026/11/01.", "2026/11/01", "2026-11-01 23:59"),
        ("I'll call you back 15/3/2026.", "15/3/2026", "2026-03-15 23:59"),
        # 3 September or 9 March: ambiguous without dayfirst, no due time
        ("I'll call you back 3/9/2026.", None, None),
    ])  # fmt: skip
    found = find_due("I'll call you back 3/9/2026.", WED, dayfirst=False)
    assert found is not None and found.due == datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC)


def test_partly_understood_phrases_have_no_due_time() -> None:
    """The principle: where only part of a phrase is read, give none rather than a wrong one."""
    check([
        ("I'll call you after 3pm.", None, None),  # after, not by
        ("I'll call you after Friday.", None, None),
        ("I'll call you back 4/25 at 4pm.", None, None),  # the date is not read without "on"
        ("I'll call you back 25th at 4pm.", None, None),
        ("I'll call you twelve past 3pm.", None, None),
        ("I'll call you at 4pm on 25.", None, None),
        ("I'll call you Friday 3.", None, None),
        ("I'll call you in 2 days 3 hours.", None, None),
        ("I'll call you the Friday after next week.", None, None),
    ])  # fmt: skip


def test_a_hidden_phrase_does_not_hide_the_next_one() -> None:
    found = find_all_due("I'll call you after 3pm, and the refund lands by Friday.", WED)
    assert [(d.phrase, d.due) for d in found] == [
        ("by Friday", datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC))
    ]


# -- properties -------------------------------------------------------------------------

#: phrases whose due time does not depend on the month or the year they are said in
WEEKLY = [
    "tomorrow", "by Friday", "next Monday", "Friday after next", "the following Tuesday",
    "Thursday of next week", "this evening at 11", "this afternoon at 2", "in the morning at 9",
    "a quarter past 3pm", "twenty to 5", "at 8 in the morning", "by midnight", "after lunch",
    "tomorrow lunch", "Monday early morning", "in an hour and a half", "in 2.5 hours",
    "in a quarter of an hour", "in 3 days at 9am", "the next 3 days", "next few hours",
    "the following week", "the coming week", "end of the following week", "by EOD",
    "at 5pm EST", "tomorrow at 17:00 CET", "Friday 9am PST", "by 3pm UTC+2", "in 2 business days",
    "within 10 business hours", "this weekend", "end of the week", "tuesday", "on Sunday",
    "this Wednesday", "9 tomorrow morning",
]  # fmt: skip
FIXED_ZONES = [UTC, timezone(timedelta(hours=-2)), timezone(timedelta(hours=5, minutes=30))]
REFS = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31),
                    timezones=st.sampled_from(FIXED_ZONES))  # fmt: skip


@settings(max_examples=300, database=None, deadline=None)
@given(ref=REFS, phrase=st.sampled_from(WEEKLY), tz=st.sampled_from(FIXED_ZONES))
def test_a_due_time_is_never_before_the_promise(ref: datetime, phrase: str, tz: timezone) -> None:
    found = find_due(f"I'll call you back {phrase}.", ref, tz=tz)
    assert found is not None and found.phrase.lower().endswith(phrase.lower().split()[-1])
    assert found.due >= ref


@settings(max_examples=300, database=None, deadline=None)
@given(ref=REFS, phrase=st.sampled_from(WEEKLY), tz=st.sampled_from(FIXED_ZONES),
       weeks=st.integers(-100, 100))  # fmt: skip
def test_shifting_the_moment_by_whole_weeks_shifts_the_due_time_alike(
    ref: datetime, phrase: str, tz: timezone, weeks: int
) -> None:
    text = f"I'll call you back {phrase}."
    shift = timedelta(weeks=weeks)
    here, there = find_due(text, ref, tz=tz), find_due(text, ref + shift, tz=tz)
    assert here is not None and there is not None
    assert there.phrase == here.phrase
    assert there.due - here.due == shift


FRAGMENTS = [
    *WEEKLY, "the first", "of", "next month", "March", "in", "by", "at", "on", "the", "20th",
    "4pm", "EST", "IST", "UK time", "after", "past", "to", "a quarter", "twenty", "half",
    "3", "12/03", "2026/11/01", "5/4/2027", "end of", "year", "early", "mid", "late", "Sat",
    "sun", "LUNCHTIME", "Lunch Time", "AFTER LUNCH", "MIDNIGHT", "Early Morning",
    "Fri,", "Sep 21", "minutes", "an hour", "and a half", "days", ",", ".", "you",
    "back", "9", "tomorrow", "morning", "evening", "this", "week", "following", "coming",
]  # fmt: skip


def _plain_matches(rx: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    return list(rx.finditer(text))


@settings(max_examples=300, database=None, deadline=None)
@given(text=st.one_of(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join),
                      st.text(alphabet="aeinorst 0123456789:/,.-APMEST", max_size=60)),
       ref=REFS)  # fmt: skip
def test_trying_rules_only_where_a_phrase_can_start_finds_what_every_position_finds(
    text: str, ref: datetime
) -> None:
    fast = find_all_due(text, ref)
    original = due_module._matches
    due_module._matches = _plain_matches  # every position, as re.finditer
    try:
        plain = find_all_due(text, ref)
    finally:
        due_module._matches = original
    assert fast == plain


@settings(max_examples=200, database=None, deadline=None)
@given(phrase=st.sampled_from([p for p in WEEKLY if not p[0].isdigit()]),
       minutes=st.integers(0, 5 * 365 * 24 * 60))  # fmt: skip
def test_the_phrase_found_does_not_depend_on_when_it_was_said(phrase: str, minutes: int) -> None:
    text = f"Thanks for waiting. I'll call you back {phrase}."
    ref = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    dated, undated = find_due(text, ref), find_due_phrase(text)
    assert dated is not None and undated is not None
    assert (dated.start_char, dated.end_char) == (undated.start_char, undated.end_char)


# -- the peer suites --------------------------------------------------------------------

PEERS = Path(__file__).resolve().parents[1].parent / "shared" / "peers" / "duetime"


def _harness():  # type: ignore[no-untyped-def]
    """The peer suite's own harness (its match rule, sentences and cases)."""
    if not (PEERS / "run_duetime.py").is_file():
        pytest.skip(f"the peer suite {PEERS} is not beside the project")
    spec = importlib.util.spec_from_file_location("run_duetime", PEERS / "run_duetime.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("corpus", "min_accuracy", "max_wrong"),
    [("duckling", 0.95, 0.03), ("ctparse", 0.90, 0.06)],
)
def test_peer_suite_floors(corpus: str, min_accuracy: float, max_wrong: float) -> None:
    """Due times on Duckling's and ctparse's corpora, judged by the suite's own rule: right
    (inside the corpus interval) on at least ``min_accuracy`` of the phrases, and wrong (a
    due time outside it) on at most ``max_wrong``, in both promise sentences."""
    harness = _harness()
    cases = harness.load(corpus)
    assert len(cases) > 30
    for template in ("A", "B"):
        verdicts = []
        for case in cases:
            ref = harness.ref_of(case)
            found = find_due(harness.sentences(case)[template], ref, tz=ref.tzinfo)
            due = found.due.astimezone(ref.tzinfo).isoformat() if found else None
            verdicts.append(harness.judge(case, due))
        right = verdicts.count("match") / len(cases)
        wrong = (verdicts.count("early") + verdicts.count("late")) / len(cases)
        assert right >= min_accuracy, (corpus, template, right)
        assert wrong <= max_wrong, (corpus, template, wrong)
