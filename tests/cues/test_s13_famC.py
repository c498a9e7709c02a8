"""Families of session 13 for redirect, anything_else, chasing and hedge (issue 19):
forms of the codebook meaning that the phrase lists lacked, each beside the near misses
it must not hit (an answer given in words, an instruction inside the product, an opener,
an order awaited, a certainty with no degree). See docs/codebook.md, "redirect,
chasing, anything_else, hedge, disrespect (session 13)"."""

from __future__ import annotations

from typing import Any

from ._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # redirect: a resource with 'may help' offered as the answer, with a tail
    (AGENT, "redirect", "Sorry about that. These tips may help: https://example.com/reset"),
    (AGENT, "redirect", "This guide may also help you recover the files: https://example.com/g"),
    (AGENT, "redirect", "The following article should help https://example.com/kb/123"),
    (AGENT, "redirect", "Our troubleshooting steps might help here: https://example.com/ts"),
    # redirect: steps behind a link followed as the answer
    (AGENT, "redirect", "You can switch sync off by following the steps here: https://ex.com/s"),
    (AGENT, "redirect", "We recommend following the steps in this article: https://ex.com/a"),
    (AGENT, "redirect", "Please try using the instructions provided below."),
    (AGENT, "redirect", "Would you mind reviewing the troubleshooting steps on this page?"),
    (AGENT, "redirect", "We'd suggest reading this help article before you reinstall."),
    # redirect: a forum, a help page, a report sent through a named place
    (AGENT, "redirect", "Please go to the Acme Music ideas forum and post it there."),
    (AGENT, "redirect", "Please ask in an Android developer forum instead."),
    (AGENT, "redirect", "Please refer to our branch locator for opening hours."),
    (AGENT, "redirect", "Kindly refer to the following help article for the fees."),
    (AGENT, "redirect", "Could you send us a feedback report using the app menu?"),
    (AGENT, "redirect", "You can submit your suggestions here: https://ideas.example.com"),
    # redirect: another account the customer must write to
    (AGENT, "redirect", "Official console support is just an @ away!"),
    # anything_else: the closing offer to come back
    (AGENT, "anything_else", "Take your time with the reinstall. We'll be here."),
    (AGENT, "anything_else", "If the game acts up again, we're just an @ away!"),
    # chasing: waiting on a reply in the formal style, contacts left unanswered
    (CUSTOMER, "chasing", "Awaiting response on the ticket I raised on Monday."),
    (CUSTOMER, "chasing", "Still awaiting a reply to my email about the deposit."),
    (CUSTOMER, "chasing", "I have two complaints that have not been addressed yet."),
    (CUSTOMER, "chasing", "My emails were never answered."),
    (CUSTOMER, "chasing", "Several attempts to reach your billing team and nothing."),
    # hedge: a guess with a modal or a progressive, a stated degree of certainty
    (AGENT, "hedge", "I'd imagine the update will fix the sound."),
    (AGENT, "hedge", "I am assuming you're on the newest version."),
    (AGENT, "hedge", "We're guessing the cable is loose."),
    (AGENT, "hedge", "I'm 95% sure there's a setting for that."),
    (AGENT, "hedge", "I'm fairly certain the card was charged once."),
]

MISSES = [
    # redirect: 'may help' with no pointer after it closes an answer given in words
    (AGENT, "redirect", "Restart the router and clear the cache. These tips may help."),
    (AGENT, "redirect", "I hope these steps help you."),
    # redirect: steps inside the product, not behind a link
    (AGENT, "redirect", "You can finish the setup by following the steps in the app."),
    (AGENT, "redirect", "Try completing the steps on the screen of your TV."),
    # redirect: referring to something of the customer's; feedback with no place
    (AGENT, "redirect", "Please refer to your order number when you reply."),
    (AGENT, "redirect", "Thanks for sending us your feedback!"),
    (AGENT, "redirect", "We're just an @ away if you need us."),
    # anything_else: an opener before a request, a wait tied to the customer's step
    (AGENT, "anything_else", "We're here to help! What's the order number?"),
    (AGENT, "anything_else", "We're happy to help. Which phone are you using?"),
    (AGENT, "anything_else", "We'll be here when you're ready to share the details."),
    # chasing: an order awaited, instructions awaited, a first description
    (CUSTOMER, "chasing", "Awaiting delivery of the new sofa on Friday."),
    (CUSTOMER, "chasing", "Multiple attempts to log in and the app keeps crashing."),
    (CUSTOMER, "chasing", "The emails were sent to the wrong address by my landlord."),
    # hedge: certainty with no degree, a duty, a plan
    (AGENT, "hedge", "I am sure you will love the new colour."),
    (AGENT, "hedge", "Please make sure the cable is plugged in."),
    (AGENT, "hedge", "We are presenting the new plans next week."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_the_hedge_inside_a_self_service_reply_stays(patterns: Any) -> None:
    # the codebook's second-round rule: the resource is a redirect, "may help" a hedge
    found = cues("These tips may help: https://example.com/tips", AGENT, patterns)
    assert "redirect" in found and found["hedge"] == "may help"
