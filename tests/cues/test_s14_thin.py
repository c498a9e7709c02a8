"""Session 14's changes for the thin cues (issue 19): resolution_confirmed's clauses,
hedges and things that work, the report after a tweet's @-handles, a forum question
moved to another product's forum (transfer), an update on the earlier issue and
waiting on the customer's answer (follow_up), "please bear with us" after a stall (no
hold), "no problem" / "no worries" as set phrases, not negations, and "nonsense" /
"ridiculous" as disrespect only when they dismiss what the customer said. Each beside the
near misses it must not hit. See docs/codebook.md, "Thin cues (session 14)"."""

from __future__ import annotations

from typing import Any

import serviceart as sa

from ._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # resolution_confirmed: the plain report stays
    (CUSTOMER, "resolution_confirmed", "I rebooted the router and it works now, thanks!"),
    (CUSTOMER, "resolution_confirmed", "Great news, it works for me now."),
    # resolution_confirmed: the report after the @-handles a tweet opens with
    (CUSTOMER, "resolution_confirmed", "@AcmeHelp This is resolved now, thanks for the help"),
    (CUSTOMER, "resolution_confirmed", "@AcmeHelp @AcmeRail It's working again. Cheers"),
    # transfer: a question moved to another product's forum or team
    (AGENT, "transfer", "I moved your question over to the Thunderbird forum."),
    (AGENT, "transfer", "Moving this thread to Firefox for Android since it is about the app."),
    (AGENT, "transfer", "We have reassigned your ticket to the billing team."),
    # follow_up: an update on the earlier issue, waiting on the customer's answer
    (AGENT, "follow_up", "Hi Dana: a quick update on your case. The fix shipped today."),
    (AGENT, "follow_up", "An update on this bug: it is fixed in version 52."),
    (AGENT, "follow_up", "We're still awaiting your response to close the complaint."),
    # hold: a wait on a call, with no stall before it
    (AGENT, "hold", "Please bear with me while I pull up your account."),
    # negation: "no problem" and "no worries" do not negate what follows
    (AGENT, "action_taken", "No worries, I have refunded the order."),
    (AGENT, "transfer", "No problem I moved your question over to Firefox Desktop."),
    (AGENT, "promise", "No problem, I'll call you back tomorrow morning."),
    # disrespect: dismissing what the customer said
    (AGENT, "disrespect", "That is complete nonsense, the app never charges twice."),
    (AGENT, "disrespect", "You are being ridiculous, the limit is on the website."),
    (AGENT, "disrespect", "Nonsense! The update fixed that months ago."),
    (AGENT, "disrespect", "Stop talking nonsense and read the manual."),
]

MISSES = [
    # resolution_confirmed: inside a clause of reason, time or condition
    (CUSTOMER, "resolution_confirmed", "Leave the settings alone as it is working on my laptop."),
    (CUSTOMER, "resolution_confirmed", "Once it works I will let you know."),
    (CUSTOMER, "resolution_confirmed", "Since it worked last week, why is it broken today?"),
    # resolution_confirmed: hedged or taken back
    (CUSTOMER, "resolution_confirmed", "I reinstalled it and it works... sort of."),
    (CUSTOMER, "resolution_confirmed", "I mean it works, but the sound keeps cutting out."),
    # resolution_confirmed: said of a thing, a version or a device
    (CUSTOMER, "resolution_confirmed", "The old driver works fine for version 12 of the app."),
    # transfer: moving house or a payment is no hand-over
    (AGENT, "transfer", "If you are moving house, you can update your address online."),
    (AGENT, "transfer", "I moved the payment date to the 5th as you asked."),
    # follow_up: asking for an update, waiting on a delivery
    (AGENT, "follow_up", "Can you give us an update on the error message you see?"),
    (AGENT, "follow_up", "We're waiting for the courier to confirm the delivery."),
    # hold: "please bear with us" closing a stall is part of the stall
    (AGENT, "hold", "We are working on this to get it resolved. Please bear with us."),
    # negation still holds where "no" negates
    (AGENT, "promise", "No, I will not call you back today."),
    (AGENT, "action_taken", "There is no way I have refunded that order."),
    # disrespect: the words describing a topic or agreeing with the customer
    (AGENT, "disrespect", "Honestly it's all nonsense because no two phones are alike."),
    (AGENT, "disrespect", "That's ridiculous that you had to wait so long, I am sorry."),
    (AGENT, "disrespect", "What a ridiculous delay, I apologise for it."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_a_cue_span_starts_after_the_handles(patterns: Any) -> None:
    text = "@AcmeHelp @AcmeRail This is resolved now, thanks!"
    found = cues(text, CUSTOMER, patterns)
    assert found["resolution_confirmed"] == "This is resolved now"


def test_the_idioms_are_read_from_the_rules(patterns: Any) -> None:
    rules = patterns.get_pipe("serviceart_cues").patterns
    assert {"problem", "worries"} <= rules.negation_idioms["no"]
    # a negator outside its idioms still negates the cue after it
    assert sa.detect(["No, I have not refunded it."], nlp=patterns) == [[]]
