"""Follow-through families and gates of session 12 (issue 19): forms of the codebook
meaning for promise, next_steps, unresolved and chasing that the phrase lists lacked,
each beside the near misses it must not hit (negations, the speaker's own tasks,
steps in an interface, comparisons, other people's waits). See docs/codebook.md,
"Follow-through families (session 12)"."""

from __future__ import annotations

from typing import Any

from ._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # promise: a reassurance before the commitment ('not'/'no' must not negate it)
    (AGENT, "promise", "Don't worry, we'll pass your comments on to the store manager."),
    (AGENT, "promise", "Do not worry, I will call the depot first thing tomorrow."),
    (AGENT, "promise", "Don't worry - we'll be sure to share this with the app team."),
    (AGENT, "promise", "No problem, I'll send the invoice over this afternoon."),
    (AGENT, "promise", "No worries! We will check the booking and email you back."),
    # promise: the commitment in the progressive
    (AGENT, "promise", "I'll still be checking with the warehouse about the parcel."),
    (AGENT, "promise", "We will be sending you a replacement charger this week."),
    (AGENT, "promise", "I shall be reviewing your claim myself today."),
    # promise: the second half of the agent's sentence, no repeated subject
    (AGENT, "promise", "We have no report from the lab yet but will certainly pass it on."),
    (AGENT, "promise", "We're reviewing the claim and will email you before Friday."),
    (AGENT, "promise", "We're looking at your messages now and will reply there shortly."),
    # promise: a first-person plan with a time in the present progressive
    (AGENT, "promise", "We are introducing a refund form by the end of the month."),
    (AGENT, "promise", "I'm sending the signed forms over this afternoon."),
    # next_steps: a named third party's stated plan, who collects the customer, staff
    (AGENT, "next_steps", "Maria said that she will be sending the signed contract."),
    (AGENT, "next_steps", "The landlord confirmed he will fix the boiler on Tuesday."),
    (AGENT, "next_steps", "A silver Skoda will be picking you up at the hotel."),
    (AGENT, "next_steps", "It will be a white Tesla collecting you from the station."),
    (AGENT, "next_steps", "Our staff will be there to assist you at the gate."),
    (AGENT, "next_steps", "The technician will be on site to meet you at ten."),
    # next_steps: a commitment in its own sentence after a redirect stays (sentence scope)
    (AGENT, "next_steps",
     "Our opening hours are on this page: example.com/hours. "
     "The fix is scheduled to be released next Tuesday."),
    (AGENT, "next_steps", "You should see the refund on your card within 5 days."),
    # chasing: time since the first or last contact, no news since a date
    (CUSTOMER, "chasing", "It's been three days since my first email about this."),
    (CUSTOMER, "chasing", "Two weeks since the initial complaint and nothing."),
    (CUSTOMER, "chasing", "There has been no update at all since the 3rd of May."),
    (CUSTOMER, "chasing", "No reply since last Tuesday, what is going on?"),
    # chasing: asking whether the company will act at last
    (CUSTOMER, "chasing", "Are you ever going to answer my messages?"),
    (CUSTOMER, "chasing", "Is anyone actually going to fix my broadband?"),
    (CUSTOMER, "chasing", "You promised a refund, so how about actually paying it?"),
    (CUSTOMER, "chasing", "How about you finally send the parcel?"),
    # chasing: still needing the help asked for; a complaint raised a while ago
    (CUSTOMER, "chasing", "I still need help with my locked account."),
    (CUSTOMER, "chasing", "We still need an answer about the deposit."),
    (CUSTOMER, "chasing", "I opened a ticket about the leak three weeks ago."),
    (CUSTOMER, "chasing", "I lodged a formal complaint with you a few months back."),
    # chasing: counted people, the company ending the call
    (CUSTOMER, "chasing", "I've spoken to 6 different agents and none could help."),
    (CUSTOMER, "chasing", "Talked w/ 4 reps today and got 4 different answers."),
    (CUSTOMER, "chasing", "I waited twenty minutes and then the line hung up."),
    (CUSTOMER, "chasing", "Your agent just hung up on me."),
    # unresolved: the fault persisting with the thing named between
    (CUSTOMER, "unresolved", "Reinstalled the app and still my phone crashes on start."),
    (CUSTOMER, "unresolved", "New router, and still the connection drops every hour."),
    # beside the gates: a chase about an earlier request and a refusal of a fix stay
    (CUSTOMER, "chasing", "What is going on with my refund? I asked two weeks ago."),
    (CUSTOMER, "unresolved", "I asked for a replacement and they refuse to send one."),
]

MISSES = [
    # promise: reassurance with no concrete action, a refusal, a customer's task
    (AGENT, "promise", "Don't worry, we'll be in touch."),
    (AGENT, "promise", "No problem, we won't charge you for the late return."),
    (AGENT, "promise", "Don't worry about it, these things happen."),
    # promise: following up and working on it stay with follow_up and vague_stall
    (AGENT, "promise", "We'll be working on it."),
    # promise: subjectless 'and will' with a thing, not the agent, doing it
    (AGENT, "promise", "Your order has shipped and will arrive on Friday."),
    (AGENT, "promise", "The update is out and will fix the crash."),
    (AGENT, "promise", "The parcel left the depot and will be with you on Monday."),
    # promise: a present plan without a time is no commitment ('we're adding staff')
    (AGENT, "promise", "We are adding more staff to the helpline."),
    # next_steps: what a step shows in the interface or a terminal
    (AGENT, "next_steps", "Run it from a terminal and you will get the full output."),
    (AGENT, "next_steps", "Open the folder, then you will see the files ending in .json."),
    (AGENT, "next_steps", "Tap Settings and you should see the option for dark mode."),
    (AGENT, "next_steps", "Pick your country. You should see the phone support number."),
    (AGENT, "next_steps", "You will find the clear history button under Privacy."),
    # next_steps: someone 'available' without a named role or time is vague_stall
    (AGENT, "next_steps", "Someone will be available to help you."),
    # next_steps: tied to a redirect in the same sentence stays the redirect's
    (AGENT, "next_steps", "Email us the photos and you will receive a label within 2 days."),
    # next_steps: the customer's own report, no plan of a third party
    (AGENT, "next_steps", "She said that it was fine yesterday."),
    # chasing: the speaker's own tasks and wishes, not waiting on the company
    (CUSTOMER, "chasing", "I still need to send you the photos."),
    (CUSTOMER, "chasing", "I still need a bigger size, can I swap it?"),
    (CUSTOMER, "chasing", "How about we try that tomorrow?"),
    # chasing: a first question, a count of things that are not contacts
    (CUSTOMER, "chasing", "Are you going to stock the red one?"),
    (CUSTOMER, "chasing", "I've dealt with 3 boxes of faulty bulbs."),
    (CUSTOMER, "chasing", "Since the first day I bought it the screen flickers."),
    (CUSTOMER, "chasing", "I hung up the phone and went to bed."),
    # chasing: asking about a fault is a first report
    (CUSTOMER, "chasing", "What is going on with these constant app crashes?"),
    (CUSTOMER, "chasing", "What's going on with the website today?"),
    # unresolved: doubt or thought after 'still', comparison, a first report
    (CUSTOMER, "unresolved", "I still think it fails because of the cable."),
    (CUSTOMER, "unresolved", "Which of the ads didn't work as well as the others?"),
    (CUSTOMER, "unresolved", "The new version does not work as well as the old one did."),
    # unresolved: a feature that was never there, not a fault persisting
    (CUSTOMER, "unresolved", "Another update and still no option to hide the sidebar."),
    (CUSTOMER, "unresolved", "Still no dark mode on the tablet app?"),
    # unresolved: asking the reason for a policy
    (CUSTOMER, "unresolved", "Is there a reason you refuse to open the branch on Saturdays?"),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_the_reassured_promise_span_starts_at_the_reassurance(patterns: Any) -> None:
    # the span takes in "Don't worry" so that its 'not' does not negate the promise
    found = cues("Don't worry, we'll pass this on to the team.", AGENT, patterns)
    assert found["promise"].startswith("Don't worry")


def test_a_refusal_after_a_reassurance_is_still_negated(patterns: Any) -> None:
    found = cues("No worries, we will not call you again.", AGENT, patterns)
    assert "promise" not in found
