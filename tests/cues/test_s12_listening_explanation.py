"""Session 12 families and gates of ``active_listening`` (``patterns/respect.jsonl``) and
``explanation`` (``patterns/integrity.jsonl``), the lines after each "session 12"
comment: forms of each codebook meaning that must hit, beside near misses that must
not (conditions, fact-finding questions, questions about a cause, the agent's own
habits).

The sentences are written for these tests from the codebook's definitions; the
patterns run alone (``make_nlp(model=False)``), and a cue counts only for the role
of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from tests.cues._families import AGENT, family_tests

HITS = [
    # active_listening: the customer's need restated as a statement
    (AGENT, "active_listening", "It seems like you are trying to merge two accounts."),
    (AGENT, "active_listening", "You'd like to move the delivery to Friday."),
    # a restatement opened by "if I understand": not the "if you mean" condition
    (AGENT, "active_listening", "If I understand correctly, you mean the parcel never came?"),
    (AGENT, "active_listening", "So if I've got this right, you mean the second payment."),
    (AGENT, "active_listening", "You would like to swap the blue jacket for a larger size."),
    (AGENT, "active_listening", "You're looking to close the joint account, is that it?"),
    (AGENT, "active_listening", "You are hoping to keep your old number when you switch."),
    (AGENT, "active_listening", "So you'd like to cancel the second subscription only."),
    (AGENT, "active_listening", "So, you are planning to travel with the bike in March."),
    # just to confirm, you want ...
    (AGENT, "active_listening", "Just to confirm, you want the refund on the original card?"),
    (AGENT, "active_listening", "To confirm: you were charged twice for the same order."),
    (AGENT, "active_listening", "Just to verify, you need the invoice in your company's name?"),
    (AGENT, "active_listening", "To recap, you are still getting the login error on the tablet."),
    (AGENT, "active_listening", "To be 100% clear, when you open the app it shows a blank page?"),
    (AGENT, "active_listening", "Just to be sure: your order never arrived at all?"),
    # what the customer mentioned or wonders
    (AGENT, "active_listening", "You've mentioned that the noise starts after ten minutes."),
    (AGENT, "active_listening", "You have also said the charger works with another phone."),
    (AGENT, "active_listening", "You're wondering whether the voucher can be used online."),
    (AGENT, "active_listening", "I know you are curious about when the bill is due."),
    # checking a reading of the customer's words
    (AGENT, "active_listening", "Do you mean you can't see the download button at all?"),
    (AGENT, "active_listening", "Does that mean your card was charged but no ticket came?"),
    (AGENT, "active_listening", "When you say it froze, do you mean that the screen went black?"),
    # explanation: the reason for closing a thread
    (AGENT, "explanation", "Nobody has replied in a month, so I am locking this thread."),
    (AGENT, "explanation", "Fixed in version 12. Therefore we are closing this question."),
    (AGENT, "explanation", "Closing this topic since the problem is solved."),
    (AGENT, "explanation", "I'm locking the question as it was answered in the other thread."),
    # causes named as events: works going on, weather, a fault not diagnosable remotely
    (AGENT, "explanation", "Engineering works are underway on the line this weekend."),
    (AGENT, "explanation", "Maintenance is happening now, but we can still help by phone."),
    (AGENT, "explanation", "There has been heavy snow around the depot since Monday."),
    (AGENT, "explanation", "There was a strike at the port, so the container is late."),
    (AGENT, "explanation", "It is hard to diagnose the fault remotely, so a visit is booked."),
    # a fault someone had, a problem of a named kind, a rule of expiry
    (AGENT, "explanation", "The depot told me they had a fault with the loading crane."),
    (AGENT, "explanation", "We experienced a technical issue with our booking site."),
    (AGENT, "explanation", "This is a firmware problem with the older routers."),
    (AGENT, "explanation", "It's a driver issue with that graphics card."),
    (AGENT, "explanation", "Discount codes expire after 30 days, so yours no longer works."),
    # what happens in the cases just described
    (AGENT, "explanation", "A few old meters have no modem. In these cases, the meter "
                           "sends no readings."),
    (AGENT, "explanation", "Older meters can't send readings. In such cases the bill is "
                           "estimated from last year's use."),
]

NEAR_MISSES = [
    # active_listening: conditions, questions for facts, offers
    (AGENT, "active_listening", "If you'd like to change the date, reply here."),
    (AGENT, "active_listening", "Would you like to move the delivery to Friday?"),
    (AGENT, "active_listening", "Just to confirm, did you restart the router?"),
    (AGENT, "active_listening", "We need to verify you are the account holder."),
    (AGENT, "active_listening", "If you mean the desktop version, then yes, it syncs."),
    (AGENT, "active_listening", "If by slow you mean over a minute, please clear the cache."),
    (AGENT, "active_listening", "Which invoice do you mean?"),
    (AGENT, "active_listening", "To be sure, please restart the phone first."),
    (AGENT, "active_listening", "It sounds like you are fairly technical, so try the beta."),
    (AGENT, "active_listening", "If you're wondering why, here are a few common reasons."),
    (AGENT, "explanation", "Is there any maintenance happening on your side?"),
    (AGENT, "explanation", "There is no snow forecast for your delivery day."),
    (AGENT, "explanation", "We can troubleshoot it remotely if you share your screen."),
    (AGENT, "active_listening", "It looks like you are using an older version."),
    (AGENT, "explanation", "Have you ever had a problem with this card before?"),
    (AGENT, "explanation", "If you had an issue with the delivery, reply here."),
    (AGENT, "explanation", "Let us check if it's a wiring problem with the socket."),
    (AGENT, "explanation", "Is it a network problem with your router?"),
    (AGENT, "explanation", "That offer expired yesterday, sorry."),
    (AGENT, "explanation", "Your code expires in ten minutes."),
    # explanation: closing without a reason, offers to close, own habits
    (AGENT, "explanation", "Would you like me to close this ticket?"),
    (AGENT, "explanation", "In these cases, please contact the store directly."),
    (AGENT, "explanation", "I don't use the password manager because I prefer a notebook."),
    (AGENT, "explanation", "We don't normally install beta builds since they can be unstable."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, NEAR_MISSES)
