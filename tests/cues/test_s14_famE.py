"""Session 14 (famE) families and gates of ``active_listening`` and ``empathy``
(``patterns/respect.jsonl``), ``next_steps`` and ``chasing``
(``patterns/follow_through.jsonl``) and the ``bad_news`` gate beside the new empathy
form (``patterns/integrity.jsonl``): the lines after each "session 14" comment. Forms
of each codebook meaning that must hit, beside near misses that must not (the agent
doubting its own facts, a belief about the product, a condition, an offer of help,
advice, a plan of the customer's own).

The sentences are written for these tests from the codebook's definitions and the cue
corpus rules; the patterns run alone (``make_nlp(model=False)``), and a cue counts only
for the role of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from typing import Any

from tests.cues._families import AGENT, CUSTOMER, assert_hit, family_tests

HITS = [
    # active_listening: checking the agent's reading of the customer aloud
    (AGENT, "active_listening", "Correct me if I'm wrong, but you were charged twice for "
                                "one order?"),
    (AGENT, "active_listening", "Am I right that the error only shows on the tablet?"),
    (AGENT, "active_listening", "Am I correct in thinking that the parcel went to your old "
                                "address?"),
    (AGENT, "active_listening", "Let me make sure I have this right: the parcel never "
                                "arrived?"),
    (AGENT, "active_listening", "Just to see if I've got this straight, you were billed "
                                "twice."),
    (AGENT, "active_listening", "My understanding is that you moved house in May."),
    (AGENT, "active_listening", "What I'm hearing is that the wait has been too long."),
    # what the customer described, the customer's question named
    (AGENT, "active_listening", "Based on what you said, the error started after the "
                                "update."),
    (AGENT, "active_listening", "From what you've mentioned, the card works in other "
                                "shops."),
    (AGENT, "active_listening", "Your question is whether the plan covers roaming."),
    (AGENT, "active_listening", "So your concern is about the second charge?"),
    # an acknowledgement with the customer's need, the need as a statement
    (AGENT, "active_listening", "Understood, you need the invoice before Friday."),
    (AGENT, "active_listening", "Gotcha - you wanted the blue one, not the red one."),
    (AGENT, "active_listening", "You're looking for a way to export your contacts."),
    # a 'So ...?' statement read back as a question
    (AGENT, "active_listening", "So only the tablet app logs you out?"),
    (AGENT, "active_listening", "OK, so the card works online but not in shops?"),
    (AGENT, "active_listening", "So, the reset link arrives but it has already expired?"),
    # "... right?" without a comma
    (AGENT, "active_listening", "You are using the version from the app store right?"),
    (AGENT, "active_listening", "I assume you mean the 2019 model right?"),
    # empathy: what the agent would feel, the trouble named, nobody liking it
    (AGENT, "empathy", "We'd be upset too if our parcel went missing."),
    (AGENT, "empathy", "I would be really frustrated as well."),
    (AGENT, "empathy", "What a hassle, let's get this sorted."),
    (AGENT, "empathy", "Moving house is such a headache."),
    (AGENT, "empathy", "Nobody likes waiting on hold."),
    (AGENT, "empathy", "No one wants to lose their photos."),
    # wanting the customer back to enjoying it, a spoilt moment
    (AGENT, "empathy", "We want you to get back to enjoying your music."),
    (AGENT, "empathy", "That's no way to start your weekend!"),
    # next_steps: what to watch for, an arrival with a time, hearing back
    (AGENT, "next_steps", "Keep an eye out for an email from our courier."),
    (AGENT, "next_steps", "Watch for a text with the tracking link."),
    (AGENT, "next_steps", "Your parcel should reach you within 5 days."),
    (AGENT, "next_steps", "It should be with you by Friday."),
    (AGENT, "next_steps", "You'll be hearing from the billing team shortly."),
    # chasing: a promise dated back, calling out, contacting again
    (CUSTOMER, "chasing", "My driver hasn't moved since 2pm. That was three hours ago."),
    (CUSTOMER, "chasing", "Hello?? Anyone there?"),
    (CUSTOMER, "chasing", "I've had to call you again about the same bill."),
    (CUSTOMER, "chasing", "Having to email you yet again about my deposit."),
    # a reply asked for the customer's earlier message, following up, an earlier contact
    (CUSTOMER, "chasing", "Can someone please respond to my DM?"),
    (CUSTOMER, "chasing", "Please answer my email from Monday."),
    (CUSTOMER, "chasing", "Just following up on my refund request."),
    (CUSTOMER, "chasing", "I contacted you last week about this and nothing happened."),
    (CUSTOMER, "chasing", "I emailed you on Monday."),
    # empathy (more): the feeling granted, feeling the same, the situation judged
    (AGENT, "empathy", "You have every right to be upset about the missed pickup."),
    (AGENT, "empathy", "Your frustration is completely understandable."),
    (AGENT, "empathy", "I don't blame you for being annoyed."),
    (AGENT, "empathy", "I can tell how worried you are about the booking."),
    (AGENT, "empathy", "Honestly, I'd feel exactly the same."),
    (AGENT, "empathy", "That's the last thing you need before a holiday."),
    (AGENT, "empathy", "Three days is a long time to be without internet."),
    (AGENT, "empathy", "The new menu can be really confusing at first."),
    (AGENT, "empathy", "I know that's not the answer you were hoping for."),
    (AGENT, "empathy", "We know it's not what you wanted to hear."),
    (AGENT, "empathy", "We'd hate for you to miss your connection."),
    # next_steps (more): a state restored with a time, a release due, a retry with a time
    (AGENT, "next_steps", "Service should be restored by 6pm tonight."),
    (AGENT, "next_steps", "It'll be available again tomorrow."),
    (AGENT, "next_steps", "Your account will be reactivated within 24 hours."),
    (AGENT, "next_steps", "Version 12 is due out next month."),
    (AGENT, "next_steps", "The fix is expected later this week."),
    (AGENT, "next_steps", "The dark theme is coming in version 12."),
    (AGENT, "next_steps", "You can try again in 24 hours."),
    # chasing (more): an update on the customer's case, nobody getting back, passed around
    (CUSTOMER, "chasing", "Is there an update on my ticket?"),
    (CUSTOMER, "chasing", "Any progress on my claim?"),
    (CUSTOMER, "chasing", "Why is no one answering my emails?"),
    (CUSTOMER, "chasing", "Nobody ever gets back to me."),
    (CUSTOMER, "chasing", "I was transferred 4 times and nobody could help."),
    (CUSTOMER, "chasing", "I got passed from one department to another."),
    (CUSTOMER, "chasing", "I've reported this twice already."),
    (CUSTOMER, "chasing", "I was meant to get a call back on Friday."),
    (CUSTOMER, "chasing", "I still haven't had a reply from your complaints team."),
]

NEAR_MISSES = [
    # active_listening: the agent doubting its own facts, a belief, advice, fact-finding
    (AGENT, "active_listening", "That fee is $20 a month, someone correct me if I'm wrong."),
    (AGENT, "active_listening", "Am I right? Let me know."),
    (AGENT, "active_listening", "I want to make sure you get the right size this time."),
    (AGENT, "active_listening", "My understanding is that the feature was removed in "
                                "version 9."),
    (AGENT, "active_listening", "It's not clear to me from your description what happens."),
    (AGENT, "active_listening", "Please tell us what you saw on the screen."),
    (AGENT, "active_listening", "Your request is being processed."),
    (AGENT, "active_listening", "Understood. Please send us a DM with your order number."),
    (AGENT, "active_listening", "If you're looking for a way to export contacts, see "
                                "Settings."),
    (AGENT, "active_listening", "So, what happened next?"),
    (AGENT, "active_listening", "So did you try restarting it?"),
    (AGENT, "active_listening", "So is it working now?"),
    (AGENT, "active_listening", "Did you do it right?"),
    (AGENT, "active_listening", "You made it, are you all right?"),
    # empathy: an offer of help, praise, a fact, help promised
    (AGENT, "empathy", "We'd be happy to look into this."),
    (AGENT, "empathy", "I would be glad to help."),
    (AGENT, "empathy", "What a great photo!"),
    (AGENT, "empathy", "No one has reported this issue before."),
    (AGENT, "empathy", "Our support team will get you back to gaming in no time."),
    (AGENT, "empathy", "There is no way to change the name on the ticket."),
    # the bad_news gate: a spoilt moment refuses nothing; a real refusal stays
    (AGENT, "bad_news", "That's no way to start your weekend!"),
    # next_steps: offers in general, a check asked for
    (AGENT, "next_steps", "Keep an eye out for future promotions!"),
    (AGENT, "next_steps", "Let us know if it works for you."),
    # chasing: the customer's own purchase, a question to other travellers, own plans
    (CUSTOMER, "chasing", "I bought it last week. It worked then."),
    (CUSTOMER, "chasing", "Is anyone there who knows the bus times in Faro?"),
    (CUSTOMER, "chasing", "I will have to call my bank."),
    (CUSTOMER, "chasing", "Please check my order and tell me the date."),
    (CUSTOMER, "chasing", "I will be following up on the invoice with my manager."),
    (CUSTOMER, "chasing", "I emailed you the photos so you can see the damage."),
    (CUSTOMER, "chasing", "I'll call you back if it breaks again."),
    # empathy (more): a right that is a policy, an offer to explain, fact-finding
    (AGENT, "empathy", "You have every right to cancel within 14 days."),
    (AGENT, "empathy", "I can tell you how to reset it."),
    (AGENT, "empathy", "Is that not what you wanted?"),
    (AGENT, "empathy", "If that's not what you are asking, please clarify."),
    (AGENT, "empathy", "That is not good practice for passwords."),
    (AGENT, "empathy", "It can be found under Settings."),
    # next_steps (more): no time given, a place rather than a time, advice
    (AGENT, "next_steps", "It will be available in the app store."),
    (AGENT, "next_steps", "The feature will be available on Android too."),
    (AGENT, "next_steps", "Your order is coming from our Leeds warehouse."),
    (AGENT, "next_steps", "Please try again and let us know."),
    # chasing (more): a first question about an order, a version, a plan's rules
    (CUSTOMER, "chasing", "Could you give me an update on my order?"),
    (CUSTOMER, "chasing", "Can I get an update to the latest firmware?"),
    (CUSTOMER, "chasing", "I was transferred to a new team at work."),
    (CUSTOMER, "chasing", "Why is one app slower than the other?"),
    (CUSTOMER, "chasing", "I haven't received a confirmation email for my order."),
    (CUSTOMER, "chasing", "So why put 4 in the bin when 6 are cheaper?"),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, NEAR_MISSES)


def test_refusal_with_no_way_to_stays_bad_news(patterns: Any) -> None:
    """The gate removes only the spoilt-moment form: a plain refusal keeps its cue."""
    assert_hit(AGENT, "bad_news", "There is no way to change the name on the ticket.", patterns)
