"""The phrase families of issue 19 for the weak cues: forms of each codebook meaning
that must hit, beside near misses that must not (negations, customer words, questions,
conditionals, quotes of earlier contacts).

The families are pattern data (``src/serviceart/cues/patterns/*.jsonl``, the lines
after each "issue 19 families" comment), so these tests run the patterns alone
(``make_nlp(model=False)``): the learned component is tested in ``test_learned.py``.
A cue counts only for the role of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from typing import Any

from tests.cues._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # action_taken: a concrete step already taken, simple past and passive forms
    (AGENT, "action_taken", "I just refunded the second charge to your Visa."),
    (AGENT, "action_taken", "We reissued the voucher this morning."),
    (AGENT, "action_taken", "I filed a bug for this against version 12."),
    (AGENT, "action_taken", "I was able to reproduce the crash on my own tablet."),
    (AGENT, "action_taken", "We were able to rebook you onto the 6pm service."),
    (AGENT, "action_taken", "Closing this thread as the question has been answered."),
    (AGENT, "action_taken", "I'm locking this topic now; please start a new one if needed."),
    (AGENT, "action_taken", "Your reservation was successful, the reference is 7QX2."),
    (AGENT, "action_taken", "The cancellation has been confirmed."),
    (AGENT, "action_taken", "You're now booked on the earlier flight."),
    (AGENT, "action_taken", "That's all taken care of for you."),
    # next_steps: what happens next, with the customer as the one acted on
    (AGENT, "next_steps", "You'll be picked up from the main entrance."),
    (AGENT, "next_steps", "You should be contacted by the installer."),
    (AGENT, "next_steps", "The patch will be released on the 14th."),
    (AGENT, "next_steps", "The new range should be available next month."),
    (AGENT, "next_steps", "We're planning to restock the blue one in spring."),
    (AGENT, "next_steps", "The plan is to open the new branch in June."),
    (AGENT, "next_steps", "She'll give you a ring once the part is in."),
    (AGENT, "next_steps", "You should hear back from our claims team within a week."),
    (AGENT, "next_steps", "Please check your inbox for the confirmation."),
    (AGENT, "next_steps", "Keep an eye on your email for the tracking link."),
    # resolution_check
    (AGENT, "resolution_check", "If that fixes it, please let us know."),
    (AGENT, "resolution_check", "Let me know if there's any change after the reboot."),
    (AGENT, "resolution_check", "Let us know if anything improves."),
    (AGENT, "resolution_check", "Are you still in need of help with the router?"),
    # promise
    (AGENT, "promise", "I will be handling your claim from here."),
    # chasing (customer)
    (CUSTOMER, "chasing", "Why haven't you dispatched my order yet?"),
    (CUSTOMER, "chasing", "Why hasn't anyone replied to my complaint?"),
    (CUSTOMER, "chasing", "I've spoken to your customer services twice already."),
    (CUSTOMER, "chasing", "This is taking way too long."),
    (CUSTOMER, "chasing", "Just checking on the status of my refund."),
    # unresolved (customer)
    (CUSTOMER, "unresolved", "I rang them and they were unable to help."),
    (CUSTOMER, "unresolved", "Your agent couldn't seem to find my booking."),
    (CUSTOMER, "unresolved", "The store refused to exchange it."),
    # admits_unknown
    (AGENT, "admits_unknown", "I can't remember which version added that."),
    (AGENT, "admits_unknown", "Don't know why it does that, to be honest."),
    (AGENT, "admits_unknown", "We don't have any specifics on the release date yet."),
    (AGENT, "admits_unknown", "I have no clue about the cause."),
    (AGENT, "admits_unknown", "This is beyond my expertise."),
    # vague_stall
    (AGENT, "vague_stall", "Our engineers are currently looking into it."),
    (AGENT, "vague_stall", "The issue is still being investigated."),
    (AGENT, "vague_stall", "We hope to bring it back next season."),
    (AGENT, "vague_stall", "Hopefully things will improve over the weekend."),
    (AGENT, "vague_stall", "Please allow some time for the team to respond."),
    # bad_news
    (AGENT, "bad_news", "The hotel doesn't offer airport transfers."),
    (AGENT, "bad_news", "They don't have any tables left on Friday."),
    (AGENT, "bad_news", "There are no seats available on that train."),
    (AGENT, "bad_news", "Gift cards can't be refunded."),
    (AGENT, "bad_news", "The old app is not going to be supported."),
    # explanation
    (AGENT, "explanation", "This is a known issue with the last update."),
    (AGENT, "explanation", "The site is down for scheduled maintenance."),
    (AGENT, "explanation", "As this is related to billing, the payments team owns it."),
    # active_listening
    (AGENT, "active_listening", "We hear you about the missing folders."),
    (AGENT, "active_listening", "You'd like to know when the sale starts?"),
    (AGENT, "active_listening", "Do I understand correctly that it stopped after the update?"),
    (AGENT, "active_listening", "Your question: can the app run offline?"),
    # empathy
    (AGENT, "empathy", "I completely get your frustration with the delays."),
    (AGENT, "empathy", "We understand needing the car for work."),
    (AGENT, "empathy", "I sympathise, that's a long wait."),
    (AGENT, "empathy", "We don't want you to miss your flight over this."),
    (AGENT, "empathy", "That is really disheartening to hear."),
]

MISSES = [
    # negated, future, conditional or questions: nothing done yet
    (AGENT, "action_taken", "I never refunded that order."),
    (AGENT, "action_taken", "Have you contacted the courier?"),
    (AGENT, "action_taken", "I'll lock this thread if it goes off topic."),
    # customer words about what they did are not the agent's action
    (CUSTOMER, "action_taken", "I updated the app and I filed a complaint."),
    # next_steps: a present reason, a location, or a vague time is not a next step
    (AGENT, "next_steps", "The delay is due to the weather."),
    (AGENT, "next_steps", "It will be available on our website."),
    (AGENT, "next_steps", "It will be released soon."),
    (AGENT, "next_steps", "If you don't hear back from us, message us again."),
    # resolution_check: an offer of help is not a check on a fix
    (AGENT, "resolution_check", "Let us know if there's anything else we can do."),
    (AGENT, "resolution_check", "If that doesn't work for you, we can call instead."),
    # chasing: a first question, a wait still to come, or the agent's words
    (CUSTOMER, "chasing", "How long does delivery usually take?"),
    (CUSTOMER, "chasing", "Why is the blue one not in stock?"),
    (AGENT, "chasing", "Why haven't you received it yet? Let me check."),
    # unresolved: their own failure, or a hope, is not the company failing them
    (CUSTOMER, "unresolved", "I was unable to attend the appointment."),
    (CUSTOMER, "unresolved", "I hope they can help me with this."),
    # admits_unknown: a question or an instruction about what the customer knows
    (AGENT, "admits_unknown", "If you don't know your PIN, reset it here."),
    (AGENT, "admits_unknown", "I don't know if you've seen our latest email?"),
    (AGENT, "admits_unknown", "Don't know how to reset it? Follow these steps."),
    (CUSTOMER, "admits_unknown", "I don't remember my password."),
    # vague_stall: a hope about the advice given is not a stall
    (AGENT, "vague_stall", "Hopefully this will be helpful."),
    (AGENT, "vague_stall", "I'll do my best to help."),
    (AGENT, "vague_stall", "Please press and hold the button for 10 seconds."),
    # bad_news: no obligation, a conditional, a closing regret, a stock opener
    (AGENT, "bad_news", "You don't have to return the old one."),
    (AGENT, "bad_news", "If you're unable to receive a code, try these tips."),
    (AGENT, "bad_news", "Sorry I couldn't be of more help."),
    (AGENT, "bad_news", "We can't read your mind, so please tell us the model."),
    (CUSTOMER, "bad_news", "The hotel doesn't offer airport transfers?"),
    # explanation: the stock opener is no reason for an outcome
    (AGENT, "explanation", "Since we can't read minds, please send the details."),
    # active_listening: fact-finding, a conditional offer
    (AGENT, "active_listening", "If you'd like to know more, see our help page."),
    (AGENT, "active_listening", "Just to confirm, did you restart it?"),
    # empathy: a wish for the experience is not a feeling named
    (AGENT, "empathy", "We want you to have the best experience possible."),
    (CUSTOMER, "empathy", "I completely get your frustration, but I need a refund."),
]


test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_spans_stay_short(patterns: Any) -> None:
    """A family marks the words that carry the meaning, not the sentence around them."""
    text = "Hi Dana. I don't know the specifics yet, but the patch will be released on Monday."
    assert cues(text, AGENT, patterns) == {
        "greeting": "Hi", "admits_unknown": "I don't know",
        "next_steps": "will be released on"}
