"""Explanation and unresolved families and gates of session 14, helper famD (issue 19):
forms of the codebook meaning for the two cues that the phrase lists lacked, each beside
the near misses it must not hit. See docs/codebook.md, "explanation and unresolved
(session 14)". The sentences are made up."""

from __future__ import annotations

from ._families import AGENT, CUSTOMER, family_tests

HITS = [
    # explanation: a limit given as the reason, after since / as / because
    (AGENT, "explanation", "Not on the tablet, since the widget can only run on Android 9."),
    (AGENT, "explanation", "We can refund it because the voucher is only valid online."),
    # explanation: a known fault acknowledged as observed or identified
    (AGENT, "explanation", "Hi Dana, we've identified an issue with the login page this morning."),
    (AGENT, "explanation", "We have seen similar reports from other members on older routers."),
    # explanation: no access to another party's systems, as the reason for a redirect
    (AGENT, "explanation", "Call the courier; we don't have access to their tracking system."),
    # explanation: a diagnosis after 'sounds / looks like' naming where the fault is
    (AGENT, "explanation", "Thanks! This sounds like a problem with the bank's website."),
    (AGENT, "explanation", "It looks like it's an issue with the older graphics driver."),
    # explanation: 'as a result of' is no longer removed by the 'as a' gate
    (AGENT, "explanation", "Your parcel was held as a result of the customs check."),
    # explanation: the reason for a named thing; when a message appears
    (AGENT, "explanation", "The reason for the extra charge is the late return fee."),
    (AGENT, "explanation", "That warning shows up when the card on file has expired."),
    # explanation: another party's rule named as the reason
    (AGENT, "explanation", "Sadly the phone maker won't let you change the default keyboard."),
    # unresolved: an attempt followed by nothing
    (CUSTOMER, "unresolved", "I requested the reset email twice, then nothing."),
    (CUSTOMER, "unresolved", "Unplugged the router for a minute and nothing still."),
    # unresolved: told to wait, with the advice in quotes
    (CUSTOMER, "unresolved", 'I phoned on Monday and was told to "wait a few more days".'),
    # unresolved: a named fix tried, written apart or with a hyphen
    (CUSTOMER, "unresolved", "The game won't start, I've tried re installing it twice."),
    (CUSTOMER, "unresolved", "Tried re-booting the console, same black screen."),
    # unresolved: nobody has fixed it
    (CUSTOMER, "unresolved", "Three weeks of emails and no one has fixed my meter."),
    (CUSTOMER, "unresolved", "Nobody has ever helped with this billing mess."),
    (CUSTOMER, "unresolved", "I've rung four times and no one has been able to fix it."),
    # unresolved: the replacement has the same fault; none of the suggestions worked
    (CUSTOMER, "unresolved", "The replacement kettle has exactly the same fault."),
    (CUSTOMER, "unresolved", "Nothing you suggested has worked so far."),
    (CUSTOMER, "unresolved", "Nothing the agent told me helped."),
    # unresolved: the fix not made yet
    (CUSTOMER, "unresolved", "You said last week it would be done but it's not yet fixed."),
    # unresolved: the fault still there or back, in other words
    (CUSTOMER, "unresolved", "I cleared the cache and the error is still there."),
    (CUSTOMER, "unresolved", "Updated the firmware, the problem remains."),
    (CUSTOMER, "unresolved", "After the patch the glitch reappeared on my laptop."),
    # unresolved: the company said it was fixed
    (CUSTOMER, "unresolved", "Your agent told me it was fixed, but the app crashes on launch."),
    (CUSTOMER, "unresolved", "They said the line had been repaired and I have no signal."),
]

MISSES = [
    # explanation: 'as long as' / 'as soon as' are no reasons; a limit on its own is no
    # reason after 'since'
    (AGENT, "explanation", "You can keep the plan as long as you only use one device."),
    (AGENT, "explanation", "We'll reply as soon as the team is back."),
    # explanation: no fault observed, or a fix observed
    (AGENT, "explanation", "We haven't seen any issues on our side."),
    (AGENT, "explanation", "We have found a workaround for you."),
    # explanation: no access to information about the customer's own item
    (AGENT, "explanation", "I'm afraid I do not have access to that."),
    # explanation: a problem asked about or in a condition, not diagnosed
    (AGENT, "explanation", "If you have a problem with the order, reply here."),
    (AGENT, "explanation", "Do you have any problem with the new app?"),
    # explanation: what a suggested step does not allow
    (AGENT, "explanation", "This gets you part way but doesn't allow you to set a home page."),
    # explanation: 'as a' still gated; a consequence, not a reason
    (AGENT, "explanation", "As a reminder, the store closes at 8."),
    (AGENT, "explanation", "The reason I ask is to find the right team."),
    (AGENT, "explanation", "Does that message appear every time?"),
    # unresolved: a forum 'me too' and another customer's same problem
    (CUSTOMER, "unresolved", "I have the same problem on my new laptop."),
    (CUSTOMER, "unresolved", "A new user has the same problem in the other thread."),
    (CUSTOMER, "unresolved", "Nothing you suggested sounded hard, I'll try tonight."),
    # unresolved: 'and nothing else' and 'nothing at' are limits, not failed attempts
    (CUSTOMER, "unresolved", "I want a refund and nothing else."),
    (CUSTOMER, "unresolved", "I ordered the cable and nothing at the store matched."),
    # unresolved: told something other than to wait, or the customer's own plan
    (CUSTOMER, "unresolved", "I was told you are open until six."),
    (CUSTOMER, "unresolved", "I tried to install the new version yesterday for the first time."),
    # unresolved: no one has answered is chasing; nobody can be helped generally
    (CUSTOMER, "unresolved", "It's been a week and no one has answered my email."),
    # unresolved: not yet available is no fix
    (CUSTOMER, "unresolved", "Is the dark mode not yet available on Android?"),
    # unresolved: still pending or still there of a place is no fault
    (CUSTOMER, "unresolved", "My refund is still pending since Monday."),
    (CUSTOMER, "unresolved", "Is your shop on King Street still open?"),
    # unresolved: the fault persisting or coming back inside a condition
    (CUSTOMER, "unresolved", "If the problem returns, I'll ring you again."),
    (CUSTOMER, "unresolved", "I'll let you know if the issue remains after the weekend."),
    # unresolved: told how it will be fixed, not that it was
    (CUSTOMER, "unresolved", "They told me how the outage would be fixed, thanks for the info."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_no_one_has_called_back_stays_chasing(patterns: object) -> None:
    from ._families import cues
    found = cues("No one has called me back about the leak.", CUSTOMER, patterns)
    assert "chasing" in found
    assert "unresolved" not in found
