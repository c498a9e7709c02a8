"""The respect and service families of session 10 (issue 19): forms of each codebook
meaning that must hit, beside near misses that must not (offers, conditionals,
customer words, negations, questions, compliments, time phrases).

The families are pattern data (``src/serviceart/cues/patterns/respect.jsonl`` and
``service.jsonl``, the lines after each "session 10" comment), so these tests run the
patterns alone (``make_nlp(model=False)``). A cue counts only for the role of its
codebook row, as in the evidence table. The sentences are made up.
"""

from __future__ import annotations

from typing import Any

from tests.cues._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # escalation: a developer, engineer or specialist is brought in, in any tense
    (AGENT, "escalation", "I'll get one of our engineers to look at your account."),
    (AGENT, "escalation", "We will send this to a specialist and see what they find."),
    (AGENT, "escalation", "I emailed one of the billing folks to look at your invoice."),
    (AGENT, "escalation", "I've asked a senior developer to take a look at the crash."),
    (AGENT, "escalation", "I am going to message the platform experts to take a look."),
    # transfer: handing the case to colleagues or a department at the same level
    (AGENT, "transfer", "We'll pass this on to our mortgage colleagues, who can help."),
    (AGENT, "transfer", "I have forwarded your request to the lettings department."),
    (AGENT, "transfer", "I'm handing your case over to our travel desk now."),
    (AGENT, "transfer", "I have forwarded your query to Dana Reyes, who handles leases."),
    # action_taken: more finished first-person steps
    (AGENT, "action_taken", "I have answered your email, please check your inbox."),
    (AGENT, "action_taken", "I searched the tracker for a matching report."),
    (AGENT, "action_taken", "We invited you to the beta programme this morning."),
    (AGENT, "action_taken", "I did a quick test on my own laptop."),
    (AGENT, "action_taken", "We've reopened the ticket for you."),
    (AGENT, "action_taken", "Good news: your refund has been processed."),
    # anything_else: the open offer of further help
    (AGENT, "anything_else", "Can I be of further assistance today?"),
    (AGENT, "anything_else", "Do you need any further help with your order?"),
    (AGENT, "anything_else", "What else can I help you with?"),
    (AGENT, "anything_else", "What else would you like to ask about?"),
    (AGENT, "anything_else", "Remember, we're here for you!"),
    (AGENT, "anything_else", "Would you like any other information about your stay?"),
    # disrespect: telling the customer they were already told, belittling the question
    (AGENT, "disrespect", "As I already mentioned, the fee cannot be waived."),
    (AGENT, "disrespect", "Like we just explained, the store is closed on Sundays."),
    (AGENT, "disrespect", "As we said in our previous reply, this is expected."),
    (AGENT, "disrespect", "I just said that the update fixes it."),
    (AGENT, "disrespect", "That is a pointless question if you have not read the guide."),
    # redirect: the customer must use another channel or team themselves
    (AGENT, "redirect", "Please reach out to the PlayBox billing support for that."),
    (AGENT, "redirect", "We recommend getting in touch with your card issuer."),
    (AGENT, "redirect", "I'd suggest that you call the warranty line first."),
    (AGENT, "redirect", "You can file an appeal if you think the strike was a mistake."),
    (AGENT, "redirect", "Please file a new bug with the crash report attached."),
    # greeting: a self-introduction with "here"
    (AGENT, "greeting", "Priya here! Let me see what happened with the order."),
    (AGENT, "greeting", "Hi, Marco here. I can help with that."),
]

MISSES = [
    # escalation: an offer, a negation, a request for information only, the customer
    (AGENT, "escalation", "I can escalate this to my manager if you'd like."),
    (AGENT, "escalation", "Would you like me to escalate it?"),
    (AGENT, "escalation", "We didn't get a developer to look at it in time."),
    (AGENT, "escalation", "I will pass this request on to engineering as a suggestion."),
    (CUSTOMER, "escalation", "I asked one of your engineers to look at it last week."),
    (AGENT, "escalation", "I asked the developers and they said it is expected."),
    (AGENT, "escalation", "I would ask a web developer about that markup."),
    # transfer: passing on feedback is not a transfer; nor is the customer's account
    (AGENT, "transfer", "We have passed your feedback to the product team."),
    (CUSTOMER, "transfer", "They forwarded my request to another department twice."),
    (AGENT, "transfer", "I will pass this request on to Engineering as a suggestion."),
    # action_taken: a negated or hypothetical step, the customer's own step
    (AGENT, "action_taken", "I have not answered that yet, sorry."),
    (CUSTOMER, "action_taken", "I searched your website for an hour."),
    (AGENT, "action_taken", "Here are three workarounds, none of which I have tested."),
    (AGENT, "action_taken", "We want to make sure your order has been delivered."),
    (AGENT, "action_taken", "Please check whether the refund was processed on your statement."),
    # anything_else: a redirect for assistance, a task question, an opening offer
    (AGENT, "anything_else", "Send us a DM for further assistance."),
    (AGENT, "anything_else", "Please contact the manufacturer for further help."),
    (AGENT, "anything_else", "What else are you looking for in the city centre?"),
    (AGENT, "anything_else", "What else can I tell you about the hotel?"),
    (AGENT, "anything_else", "We're here to help. Which phone do you have?"),
    (AGENT, "anything_else", "Please create a new question since yours is a different problem."),
    # disrespect: a neutral back-reference, a reassurance, the customer's own words
    (AGENT, "disrespect", "As I mentioned, the new version should fix it."),
    (AGENT, "disrespect", "There is no such thing as a stupid question."),
    (AGENT, "disrespect", "This might be a silly question, but is it plugged in?"),
    (CUSTOMER, "disrespect", "As I already said, my order never arrived."),
    # empathy: a retention line names no feeling
    (AGENT, "empathy", "We don't want you to go! Let us see what we can do."),
    # active_listening: a compliment on the customer's skill restates nothing
    (AGENT, "active_listening", "Sounds like you know a lot about routers already."),
    (AGENT, "active_listening", "It sounds like you are technical, so please file a bug."),
    # greeting: words before "here" that are not names, a time of day after "your"
    (AGENT, "greeting", "You can find the instructions here: example.com/help"),
    (AGENT, "greeting", "I use a Centrino here."),
    (AGENT, "greeting", "Got it. From here, let's update the app."),
    (AGENT, "greeting", "Your request will be answered soon. Enjoy your evening."),
    # redirect: the agent's own contact, the customer's earlier contact
    (AGENT, "redirect", "We are talking to the warehouse team about it today."),
    (AGENT, "redirect", "Have you had a chance to contact us about the missing parcel?"),
    (AGENT, "redirect", "Sorry about the trouble you had trying to reach us yesterday."),
    (AGENT, "redirect", "Did you already call the bank about the charge?"),
    (AGENT, "redirect", "I'll file a bug for you if you are not technical."),
    # redirect: a help link that backs up an answer already given
    (AGENT, "redirect", "The ads follow your ad settings. More information here: example.com"),
]


test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_a_colleague_referral_is_a_transfer_not_an_escalation(patterns: Any) -> None:
    """The codebook: to a team at the same level is ``transfer``, to a specialist
    ``escalation``; "refer this to" alone no longer decides."""
    found = cues("We'll refer this to our business colleagues since we handle "
                 "personal accounts.", AGENT, patterns)
    assert "transfer" in found
    assert "escalation" not in found


def test_further_assistance_keeps_its_courtesy(patterns: Any) -> None:
    """The offer's span is the offer, so the "please" before it stays a courtesy."""
    found = cues("Please let us know if you need any further assistance.", AGENT, patterns)
    assert found["courtesy"] == "Please"
    assert "anything_else" in found
