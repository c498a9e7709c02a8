"""Session 15's phrase families (issue 19), written from the third round's errors once
the fourth round had been labelled to check them: the customer's own fixes repeated,
loops and circles, nobody able to help (unresolved); help "already", no answers and
no follow-ups (chasing); busy times and a rule as the reason (explanation); "would not
be able to", "there would be no way" (bad_news), and the agent's own search that found
nothing, which is no refusal; moderation done in the post, a failed reproduction, a
check that found nothing, following the customer, an article written (action_taken).
Each beside the near misses it must not hit. See docs/codebook.md, "Session 15
families"."""

from __future__ import annotations

from ._families import AGENT, CUSTOMER, family_tests

HITS = [
    # unresolved: the customer's own fixes, repeated
    (CUSTOMER, "unresolved", "I have restarted the router four times and it still drops."),
    (CUSTOMER, "unresolved", "Uninstalled the game multiple times, same crash."),
    (CUSTOMER, "unresolved", "Cleared the cache 3 times, still the same error."),
    # unresolved: loops and circles, nobody able to help
    (CUSTOMER, "unresolved", "Your chat bot keeps me in a never ending loop."),
    (CUSTOMER, "unresolved", "I'm going round in circles with your phone menu."),
    (CUSTOMER, "unresolved", "Nobody seems to be able to fix my router."),
    (CUSTOMER, "unresolved", "Nobody could explain the extra charge on my bill."),
    # chasing
    (CUSTOMER, "chasing", "Can I get an answer already?!"),
    (CUSTOMER, "chasing", "Two weeks now: no response and no callback."),
    # explanation: busy times
    (AGENT, "explanation", "Apologies for the delay, we're much busier than normal today."),
    (AGENT, "explanation", "It has been quite hectic with the holiday sales."),
    # explanation: a rule as the reason
    (AGENT, "explanation", "Our terms require a receipt for any exchange."),
    (AGENT, "explanation", "Seats cannot be held as per our booking policy."),
    # bad_news
    (AGENT, "bad_news", "We won't be able to change the delivery address now."),
    (AGENT, "bad_news", "There wouldn't be any option to split the payment."),
    # action_taken: moderation, a failed reproduction, a check, following, an article
    (AGENT, "action_taken", "Locking this thread as a duplicate of the other one."),
    (AGENT, "action_taken", "I could not get the video to play on my Mac either."),
    (AGENT, "action_taken", "We're not seeing any outages on your line right now."),
    (AGENT, "action_taken", "We've followed you so you can DM us."),
    (AGENT, "action_taken", "I have written a new help article on exporting bookmarks."),
]

MISSES = [
    # unresolved: a step the customer is told to repeat, a count of other things
    (CUSTOMER, "unresolved", "How many times should I reset it?"),
    (CUSTOMER, "unresolved", "I've used this app many times before and love it."),
    (CUSTOMER, "unresolved", "The loop cable is too short for my desk."),
    (CUSTOMER, "unresolved", "Nobody told me the store closes at six, but that's fine."),
    # chasing: "already" elsewhere, a plain question
    (CUSTOMER, "chasing", "I already got help from the store, thanks."),
    (CUSTOMER, "chasing", "Is there any way to get a reply by email?"),
    # explanation: busy as a wish, a speed that disappointed, a request followed
    (AGENT, "explanation", "We're sorry the Wi-Fi was slower than expected."),
    (AGENT, "explanation", "As per your request, the order is cancelled."),
    (AGENT, "explanation", "Hope you're not too busy this weekend!"),
    # bad_news: the agent's own search that came up empty
    (AGENT, "bad_news", "I couldn't find any reports of that error on our side."),
    (AGENT, "bad_news", "We were not able to reproduce the crash on our devices."),
    # action_taken: moderation not done, following asked of the customer
    (AGENT, "action_taken", "Closing an account takes five working days."),
    (AGENT, "action_taken", "Are you following us yet? We need that to DM you."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)
