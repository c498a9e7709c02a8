"""Follow-through families and gates of session 11 (issue 19): forms of the codebook
meaning the phrase lists lacked on unseen conversations, each beside the near misses
it must not hit (negations, customer words, questions, earlier contacts, other
people's plans). See docs/codebook.md, "Follow-through families (session 11)"."""

from __future__ import annotations

from typing import Any

import serviceart as sa

from ._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # next_steps: a release or arrival with a schedule, a target time, stock on its way
    (AGENT, "next_steps", "Version 12 is scheduled to be released next Tuesday."),
    (AGENT, "next_steps", "The spare part is due to arrive at the depot on Friday."),
    (AGENT, "next_steps", "The new colours are expected to be back in stock by March."),
    (AGENT, "next_steps", "We aim to respond to every complaint within ten working days."),
    (AGENT, "next_steps", "We expect to have the blue model in stock by the weekend."),
    (AGENT, "next_steps", "We'll be receiving new stock in most branches on Thursday."),
    (AGENT, "next_steps", "We are expecting a fresh delivery of printer ink next week."),
    # next_steps: where the answer arrives; money showing up later on the account
    (AGENT, "next_steps", "Please check your DMs for the next instructions."),
    (AGENT, "next_steps", "We've replied privately, be on the lookout for our message."),
    (AGENT, "next_steps", "The pending charge will drop off your statement in a few days."),
    (AGENT, "next_steps", "The voucher will be credited to your wallet after checkout."),
    (AGENT, "next_steps", "You won't see the discount until your next bill is issued."),
    # next_steps: what follows a step, a contact at a stated time, a release in a version
    (AGENT, "next_steps", "Once the courier scans it, you'll receive a tracking link."),
    (AGENT, "next_steps", "After that, the technician should confirm the visit by text."),
    (AGENT, "next_steps", "Someone will be calling you tomorrow between 9 and 11."),
    (AGENT, "next_steps", "Dark mode will be available in the next update of the app."),
    (AGENT, "next_steps", "That crash should be fixed in version 4.2."),
    # promise: a named role of the organisation, the speaker's own effort, chat forms
    (AGENT, "promise", "A billing specialist will contact you about the overcharge."),
    (AGENT, "promise", "An engineer from our network team will be visiting on Monday."),
    (AGENT, "promise", "I'll see if I can track down the original invoice for you."),
    (AGENT, "promise", "We'll see what we can find out about the refund."),
    (AGENT, "promise", "I'll be happy to check the order history for you."),
    (AGENT, "promise", "I'll try to send the replacement this afternoon."),
    (AGENT, "promise", "I will try and test it on Windows 11 tomorrow."),
    (AGENT, "promise", "Ok, will try it on my Pixel tablet tonight."),
    (AGENT, "promise", "Sure, will do!"),
    (AGENT, "promise", "Okay will do, thanks for the reminder."),
    (AGENT, "promise", "If not, I'll file a bug report for you."),
    (AGENT, "promise", "I'll suggest this to the product team."),
    (AGENT, "promise", "I will stop by the warehouse later today."),
    (AGENT, "promise", "I will use the new template from now on."),
    # resolution_check: hearing back about a named fix, in more forms
    (AGENT, "resolution_check", "Let us know if switching off the VPN works."),
    (AGENT, "resolution_check", "Please let me know if options 1 or 2 help."),
    (AGENT, "resolution_check", "This should fix the sync. If it doesn't, please let us know!"),
    (AGENT, "resolution_check",
     "If you're still seeing the error after the update, contact us again."),
    (AGENT, "resolution_check", "Try it in private mode and let us know what you find."),
    (AGENT, "resolution_check", "Here is the guide to cancel. Let us know the result."),
    (AGENT, "resolution_check", "Did this get sorted by the engineer?"),
    (AGENT, "resolution_check", "Were you able to fix it with the new driver?"),
    (AGENT, "resolution_check", "Is everything working properly with the new router?"),
    # unresolved: the customer's failed fix, the fault coming back, an earlier contact
    (CUSTOMER, "unresolved", "Still the same problem after the update."),
    (CUSTOMER, "unresolved", "Same error again, nothing changed."),
    (CUSTOMER, "unresolved", "Nothing happened."),
    (CUSTOMER, "unresolved", "I ran the command but nothing changed."),
    (CUSTOMER, "unresolved", "I have done all the troubleshooting steps on your site."),
    (CUSTOMER, "unresolved", "This bug never gets fixed."),
    (CUSTOMER, "unresolved", "They have my old phone but can't seem to refund me."),
    (CUSTOMER, "unresolved", "Still no luck with the verification code."),
    (CUSTOMER, "unresolved", "The player froze up again halfway through the film."),
    (CUSTOMER, "unresolved", "I called yesterday and was told to wait another week."),
    (CUSTOMER, "unresolved", "Unplugging the modem doesn't help either."),
    (CUSTOMER, "unresolved", "The new cable didn't make any difference."),
    (CUSTOMER, "unresolved", "I swapped the cable and that didn't change anything."),
    (CUSTOMER, "unresolved", "I still get the same message when I log in."),
    (CUSTOMER, "unresolved", "Even after reinstalling the app it won't open."),
    (CUSTOMER, "unresolved", "I tried the reset link, but it gives a blank page."),
    (CUSTOMER, "unresolved", "I rang their office and they said there is nothing they can do."),
    # chasing: held on the line, counted contacts, promises not kept, asking after it
    (CUSTOMER, "chasing", "I've been on hold for 40 minutes now."),
    (CUSTOMER, "chasing", "This is my third email about the same invoice."),
    (CUSTOMER, "chasing", "I have made over 10 calls to get this sorted."),
    (CUSTOMER, "chasing", "We were promised a callback within two days."),
    (CUSTOMER, "chasing", "You told me the points would be added, yet they never were."),
    (CUSTOMER, "chasing", "Did my complaint ever get looked at?"),
    (CUSTOMER, "chasing", "Can you look into my claim again?"),
    (CUSTOMER, "chasing", "I'm checking where we are on the contract renewal."),
    # next_steps: booked plans, release timing, how long the next stage takes
    (AGENT, "next_steps", "The fix is planned for the next release."),
    (AGENT, "next_steps", "The technician is booked for Thursday morning."),
    (AGENT, "next_steps", "Offline maps won't be available for a few months."),
    (AGENT, "next_steps", "The redesign lands in version 9."),
    (AGENT, "next_steps", "The patch rolls out to all users over the next two weeks."),
    (AGENT, "next_steps", "The new firmware should be out by the end of May."),
    (AGENT, "next_steps", "It can take up to 5 working days for the credit to show."),
    (AGENT, "next_steps", "Expect a reply from the claims desk within two days."),
    (AGENT, "next_steps", "I've sent it to our billing team, who will contact you this week."),
    # promise: 'go ahead and', the subjectless forum form, a reproduction attempt
    (AGENT, "promise", "I'll go ahead and cancel the duplicate order."),
    (AGENT, "promise", "Will report back after testing on the beta."),
    (AGENT, "promise", "Will check the logs tomorrow."),
    (AGENT, "promise", "I'll try on Fedora next."),
    # unresolved: a fix of the customer's own, then the fault in the same sentence
    (CUSTOMER, "unresolved", "I cleared the cookies but the error persists."),
    (CUSTOMER, "unresolved", "I restarted the router but it's still not connecting."),
    (CUSTOMER, "unresolved", "Reinstalled the driver, but the sound does not work."),
    # chasing: the waits that stay chasing beside the new gates
    (CUSTOMER, "chasing", "It's taking far too long to get a reply from you."),
    (CUSTOMER, "chasing", "It has been 3 days since I emailed you."),
    (CUSTOMER, "chasing", "I'm still waiting for you to refund me."),
    # resolution_confirmed: the customer says it is solved now
    (CUSTOMER, "resolution_confirmed", "This is resolved now, thanks for the help."),
    (CUSTOMER, "resolution_confirmed", "Everything is working again."),
    # promise: chat and forum helpers' own actions, plans in the first person
    (AGENT, "promise", "I'll paste the config in a minute."),
    (AGENT, "promise", "I'll reproduce it on my test machine."),
    (AGENT, "promise", "I'm going to file a bug for this."),
    (AGENT, "promise", "I plan to test the patch this weekend."),
    # unresolved: named fixes tried, a fix that does not fix it, the fault back
    (CUSTOMER, "unresolved", "I have tried reinstalling and resetting the modem."),
    (CUSTOMER, "unresolved", "Rebooting doesn't fix it."),
    (CUSTOMER, "unresolved", "Nope, same thing."),
    (CUSTOMER, "unresolved", "I phoned them and they can't do anything."),
    (CUSTOMER, "unresolved", "The problem is back after the latest update."),
]

MISSES = [
    # next_steps: steps in the interface, another person's timetable, no time at all
    (AGENT, "next_steps", "Open Settings and you'll see the Export button."),
    (AGENT, "next_steps", "Someone will be in touch."),
    (AGENT, "next_steps", "You are expected to be at the gate 30 minutes before departure."),
    # promise: offers, best efforts, waiting to see, conditions on the customer, ability
    (AGENT, "promise", "We would be happy to look into that."),
    (AGENT, "promise", "I'll be glad to help."),
    (AGENT, "promise", "I will try my best."),
    (AGENT, "promise", "We will try to help where we can."),
    (AGENT, "promise", "We'll see if it improves after the weekend."),
    (AGENT, "promise", "That will do, thanks."),
    (AGENT, "promise", "If not, I won't be able to change the booking."),
    (AGENT, "promise", "An agent will be happy to take a look at your bag."),
    (CUSTOMER, "promise", "Sure, will do!"),
    # resolution_check: scheduling, asking a third party, facts
    (AGENT, "resolution_check", "Let me know if 3:30 works for you."),
    (AGENT, "resolution_check", "Let us know if Tuesday works."),
    (AGENT, "resolution_check", "Let us know if we can help with anything else."),
    (AGENT, "resolution_check", "If it doesn't, please let the add-on author know."),
    # unresolved: a forum 'me too', questions of fact, plain facts, own searching
    (CUSTOMER, "unresolved", "I have the same problem as the original poster."),
    (CUSTOMER, "unresolved", "No change to the schedule this week."),
    (CUSTOMER, "unresolved", "Are they still flying the old planes on that route?"),
    (CUSTOMER, "unresolved", "Is it still the same price as last year?"),
    (CUSTOMER, "unresolved", "I booked the tickets but could not find the reward number."),
    (CUSTOMER, "unresolved", "Nothing happened to my bag in the end, all good."),
    (CUSTOMER, "unresolved", "I did not make any changes to the account."),
    (CUSTOMER, "unresolved", "I didn't change anything and the screen went black."),
    # chasing: third companies on a public forum, trip counts, how long a fault lasted
    (CUSTOMER, "chasing", "I've emailed the airline three times and had no reply."),
    (CUSTOMER, "chasing", "I called their customer service twice, still waiting for an answer."),
    (CUSTOMER, "chasing", "We phoned the hotel several times but nobody picked up."),
    (CUSTOMER, "chasing", "This is my 2nd time in a year travelling to the States."),
    (CUSTOMER, "chasing", "The app has been unusable for months now."),
    (CUSTOMER, "chasing", "Were you able to see the 3rd call option in the menu?"),
    # next_steps: a plan with no time, a date that has passed
    (AGENT, "next_steps", "Autofill is scheduled for a future release, no date yet."),
    (AGENT, "next_steps", "The parcel should be out for delivery by now."),
    # promise: a question, not a commitment
    (AGENT, "promise", "Will you check the logs tomorrow?"),
    # unresolved: a fix followed by a question or doubt that is not a fault
    (CUSTOMER, "unresolved", "I updated the app but I'm not sure how to use the new menu."),
    (CUSTOMER, "unresolved", "I reinstalled it and it works, but I miss the old theme."),
    # chasing: waiting for a machine, a late order without a contact, a wait on a trip
    (CUSTOMER, "chasing", "Still waiting for the download to finish."),
    (CUSTOMER, "chasing", "The settings page took forever to load."),
    (CUSTOMER, "chasing", "It took ages to even get off the plane."),
    (CUSTOMER, "chasing", "It has been 4 days since I ordered and the theme hasn't appeared."),
    (CUSTOMER, "chasing", "We've been waiting for an hour at the gate."),
    # resolution_confirmed: what should have fixed it, a status page, a question
    (CUSTOMER, "resolution_confirmed", "The last update should have fixed it, but no."),
    (CUSTOMER, "resolution_confirmed", "The status page says everything is up and running."),
    (CUSTOMER, "resolution_confirmed", "Is it working again?"),
    # promise: hoping is no commitment; a plan of releases is next_steps, not a promise
    (AGENT, "promise", "I hope to check it tomorrow."),
    (AGENT, "promise", "We plan to release the fix next month."),
    # unresolved: a first description, a forum 'me too', an agent's explanation
    (CUSTOMER, "unresolved", "I have tried to find the setting for this."),
    (CUSTOMER, "unresolved", "Same here, following this thread."),
    (AGENT, "unresolved", "Restarting doesn't fix it; you need the new driver."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_the_conditional_promise_span_starts_at_if(patterns: Any) -> None:
    # the span starts at 'if' so that 'not' does not negate the commitment after it
    found = cues("If not, I'll file a bug report for you.", AGENT, patterns)
    assert found["promise"].startswith("If not")


def test_chasing_to_the_company_stays_beside_the_third_company_gate(patterns: Any) -> None:
    # the gate reads the third company's sentence only; a chase of the addressee stays
    text = ("I've emailed the airline three times and had no reply. "
            "I have called you three times and nobody called me back.")
    spans = [text[s:e] for c, s, e in sa.detect([text], nlp=patterns)[0] if c == "chasing"]
    assert spans and all("airline" not in s for s in spans)
    assert any("called you three times" in s for s in spans)


def test_a_scheduling_question_keeps_the_fix_check_after_it(patterns: Any) -> None:
    text = "Let me know if 3:30 works for a call. Let me know if the new driver works."
    spans = [text[s:e] for c, s, e in sa.detect([text], nlp=patterns)[0]
             if c == "resolution_check"]
    assert spans == ["Let me know if the new driver works"]
