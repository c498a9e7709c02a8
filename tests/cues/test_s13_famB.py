"""Follow-through and service families and gates of session 13, helper famB (issue 19):
forms of the codebook meaning for unresolved, vague_stall, resolution_check, next_steps
and action_taken that the phrase lists lacked, each beside the near misses it must not
hit. See docs/codebook.md, "unresolved, next_steps, vague_stall, promise,
resolution_check, action_taken (session 13)"."""

from __future__ import annotations

from typing import Any

from ._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # unresolved: an attempt that came to nothing
    (CUSTOMER, "unresolved", "I reset the modem twice, but to no avail."),
    (CUSTOMER, "unresolved", "Tried the recovery page without any success."),
    # unresolved: after the customer's tries, nothing helps
    (CUSTOMER, "unresolved", "Cleared the cookies, logged out, rebooted - nothing works."),
    (CUSTOMER, "unresolved", "I followed the steps and nothing seems to help."),
    (CUSTOMER, "unresolved", "None of the suggested fixes worked for me."),
    # unresolved: the fault came back, said with 'do'
    (CUSTOMER, "unresolved", "I restarted the console and it did it again."),
    (CUSTOMER, "unresolved", "The printer is doing the same thing again after the update."),
    # unresolved: a charge or block that goes on
    (CUSTOMER, "unresolved", "I cancelled in March, why am I still being billed?"),
    # unresolved: nobody could or would fix it; a refusal without an object
    (CUSTOMER, "unresolved", "I rang the helpline twice and no one could help."),
    (CUSTOMER, "unresolved", "The shop said they will not refund because the box was opened."),
    # unresolved: a named fix already made
    (CUSTOMER, "unresolved", "I have already reinstalled the app and the error is there."),
    (CUSTOMER, "unresolved", "We already rebooted the router this morning."),
    # unresolved: the fault stays even when the customer undoes it
    (CUSTOMER, "unresolved", "The alerts switch off again even when I turn them back on."),
    # vague_stall: investigating or actively reviewing with no time
    (AGENT, "vague_stall", "Thanks for the report. We're investigating and will post an update."),
    (AGENT, "vague_stall", "Our team is currently investigating."),
    (AGENT, "vague_stall", "We are actively monitoring sellers who raise prices."),
    # vague_stall: work in the process of being done, with no time
    (AGENT, "vague_stall", "We are in the process of updating the help pages."),
    (AGENT, "vague_stall", "The old vouchers are in the process of being removed."),
    # vague_stall: a fix or feature being developed with no time
    (AGENT, "vague_stall", "Offline mode is being developed, but there is no date yet."),
    (AGENT, "vague_stall", "This is being looked into by the app team."),
    # vague_stall: hopes about when or what
    (AGENT, "vague_stall", "The widget will hopefully return in a later build."),
    (AGENT, "vague_stall", "Hopefully by the end of the summer, but that is a guess."),
    (AGENT, "vague_stall", "Hopefully we will hear back from the vendor this week."),
    # vague_stall: a stall on its own keeps its cue beside the redirect gate
    (AGENT, "vague_stall", "We will fix the display as soon as possible."),
    # resolution_check: hearing back if the fault is still there
    (AGENT, "resolution_check", "Try the steps above and let us know if there's still an issue."),
    (AGENT, "resolution_check", "Let me know if you are still seeing the error after that."),
    (AGENT, "resolution_check", "Update the app first, and tell us if the problem persists."),
    # resolution_check: the scheduling gate no longer removes 'if that works'
    (AGENT, "resolution_check", "Please install the new driver and let us know if that works."),
    (AGENT, "resolution_check", "Try the guide above. Let me know if this works!"),
    # resolution_check: 'letting us know', and the report asked after a fix that fails
    (AGENT, "resolution_check", "I'd suggest a restart and letting us know if that helps."),
    (AGENT, "resolution_check", "Here's our guide: example.com/wifi. DM us if that doesn't help."),
    (AGENT, "resolution_check", "Tell us if these steps don't work."),
    # next_steps: a release with a date
    (AGENT, "next_steps", "The fix is in version 12, which will be released on March 3."),
    (AGENT, "next_steps", "You can wait until it gets released on August 14."),
    # next_steps: the customer's money released or credited at a stage
    (AGENT, "next_steps", "Once the buyer confirms receipt, your funds will be released."),
    (AGENT, "next_steps", "Your refund should be credited within 3 days."),
    # promise: an effort on a concrete step stays beside the 'see what we can do' gate
    (AGENT, "promise", "We'll see what we can suggest for the router."),
    # action_taken: a reproduction attempt reported as its result on the agent's device
    (AGENT, "action_taken", "The page works fine on my two laptops with the latest version."),
    (AGENT, "action_taken", "That video plays fine for me on my tablet."),
    (AGENT, "action_taken", "Printing works fine for me here."),
    # action_taken: no fault seen on the agent's own device
    (AGENT, "action_taken", "I don't see this problem on my Mac running the same build."),
    (AGENT, "action_taken", "I've had no issues printing from my tablet."),
    (AGENT, "action_taken", "We don't have any problems with the app on our test phones."),
]

MISSES = [
    # unresolved: a first description, a plea, a wish, a comparison, a state of mind
    (CUSTOMER, "unresolved", "My new speaker arrived today and I can't pair it."),
    (CUSTOMER, "unresolved", "The map app doesn't help as much as the old one did."),
    (CUSTOMER, "unresolved", "I changed my password but I'm still worried about my account."),
    (CUSTOMER, "unresolved", "Still deciding between the two plans, any advice?"),
    (CUSTOMER, "unresolved", "There is nothing to fix on my side, it's your server."),
    (CUSTOMER, "unresolved", "I did it the same way last year."),
    (CUSTOMER, "unresolved", "I already ordered the bigger size."),
    (CUSTOMER, "unresolved", "They will not open until Monday."),
    (CUSTOMER, "unresolved", "I have tried for two days and it says the page is down."),
    (CUSTOMER, "unresolved", "Even when I was little I loved this shop."),
    # vague_stall: the reply that follows a redirect, a plan with a time, advice hoped to help
    (AGENT, "vague_stall",
     "Please contact us here: example.com/help and we'll assist as soon as possible."),
    (AGENT, "vague_stall", "Send us a DM and we will follow up shortly."),
    (AGENT, "vague_stall", "I was investigating the logs and found the cause."),
    (AGENT, "vague_stall", "Hopefully this helps!"),
    (AGENT, "vague_stall", "Let me see what we can do for you."),
    (AGENT, "vague_stall", "Your refund is being processed today."),
    # resolution_check: not about a fault
    (AGENT, "resolution_check", "Let me know if you are still interested in the offer."),
    (AGENT, "resolution_check", "Let us know if there is still room on the Friday tour."),
    # resolution_check: scheduling stays out (session 11's gate, narrowed)
    (AGENT, "resolution_check", "Let me know if 3:30 works."),
    (AGENT, "resolution_check", "Let us know if Tuesday works for you."),
    (AGENT, "resolution_check", "Let us know if the booking works for your group."),
    (AGENT, "resolution_check", "Tell us if the parcel does not arrive by Friday."),
    # next_steps: no date
    (AGENT, "next_steps", "It will be released soon."),
    (AGENT, "next_steps", "Your money is safe with us."),
    # promise: no concrete action
    (AGENT, "promise", "Send us a few more details and we'll see what we can do."),
    (AGENT, "promise", "I will see what I can do for you."),
    # action_taken: a claim about software, not the agent's own test; the customer's device
    (AGENT, "action_taken", "Firefox works fine in most cases on newer phones."),
    (AGENT, "action_taken", "Does it work fine on your laptop?"),
    (AGENT, "action_taken", "If it works fine on your phone, the problem is the tablet."),
    (AGENT, "action_taken", "I don't have any information about the release."),
    # action_taken, promise: the customer's words quoted back
    (AGENT, "action_taken", 'You wrote: "I tried it with the new update." Which phone?'),
    (AGENT, "promise", 'You said: "I will send the logs tomorrow." Did they go out?'),
    (AGENT, "action_taken", 'Hi Sam,\n"I also tried two other browsers" - which ones?'),
    (AGENT, "action_taken", 'You wrote:\n"when I checked, the file was empty." How did you check?'),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_the_agents_own_step_after_a_quote_stays(patterns: Any) -> None:
    found = cues('You wrote: "it froze again." I tried it on my tablet and it works fine.',
                 AGENT, patterns)
    assert "action_taken" in found


def test_a_step_after_a_closing_quote_stays(patterns: Any) -> None:
    found = cues('You asked "does it sync?" - I tested it on my phone and it syncs.',
                 AGENT, patterns)
    assert "action_taken" in found


def test_a_stall_after_a_redirect_is_the_redirects(patterns: Any) -> None:
    found = cues("Please email us at help@example.com and we'll respond as soon as possible.",
                 AGENT, patterns)
    assert "vague_stall" not in found
    assert "redirect" in found


def test_released_on_a_weekday_keeps_the_short_span(patterns: Any) -> None:
    # session 10's span for 'will be released on Monday' is unchanged
    found = cues("The patch will be released on Monday.", AGENT, patterns)
    assert found["next_steps"] == "will be released on"
