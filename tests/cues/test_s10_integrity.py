"""Session 10 families and gates of the integrity cues (``patterns/integrity.jsonl``,
the lines after each "session 10" comment): forms of each codebook meaning that must
hit, beside near misses that must not (the agent's own reasoning, conditions,
restated customer problems, negations, customer words).

The sentences are written for these tests from the codebook's definitions; the
patterns run alone (``make_nlp(model=False)``), and a cue counts only for the role
of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from typing import Any

from tests.cues._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # explanation: why a thread is closed or an outcome came about
    (AGENT, "explanation", "This crash was fixed in version 44, so I'm closing the thread."),
    (AGENT, "explanation", "The freeze has been resolved in the latest release."),
    (AGENT, "explanation", "Closing: this is a duplicate of the thread linked below."),
    (AGENT, "explanation", "Duplicate - locking."),
    (AGENT, "explanation", "This board is meant for account questions, not for API help."),
    (AGENT, "explanation", "We only offer support here in English, so please use the form."),
    (AGENT, "explanation", "That's a network issue on the carrier's side, not the app."),
    (AGENT, "explanation", "It sounds like a browser compatibility problem."),
    (AGENT, "explanation", "The booking page is currently in maintenance mode."),
    (AGENT, "explanation", "The portal is under maintenance until 6am."),
    (AGENT, "explanation", "We need to be fair to every passenger on the waiting list."),
    (AGENT, "explanation", "The code failed since the promotion had ended."),
    (AGENT, "explanation", "The card was declined because the billing postcode differs."),
    (AGENT, "explanation", "Refunds can take up to five working days to show on a statement."),
    (AGENT, "explanation", "There was a signal failure at Leeds this morning."),
    (AGENT, "explanation", "We had a system outage overnight, so the emails went out late."),
    (AGENT, "explanation", "Unclaimed parcels go back, which is probably why it came back."),
    # the evidential gate needs a verb of belief: "make sure" and "looks like" are not
    (AGENT, "explanation", "Make sure the app is updated, as the old version no longer syncs."),
    (AGENT, "explanation", "It looks like the payment failed because the card had expired."),
    # bad_news: what the customer cannot do, a limit to a group, not being entitled
    (AGENT, "bad_news", "You can't combine two vouchers on one order."),
    (AGENT, "bad_news", "No, you cannot transfer the ticket to another name."),
    (AGENT, "bad_news", "You are unable to merge the two accounts."),
    (AGENT, "bad_news", "You won't be able to downgrade during the contract."),
    (AGENT, "bad_news", "Phone support is only available to business customers."),
    (AGENT, "bad_news", "The lounge is currently only open to gold members."),
    (AGENT, "bad_news", "In this case you are not entitled to compensation."),
    (AGENT, "bad_news", "The guest house doesn't let guests bring pets."),
    (AGENT, "bad_news", "The restaurant cannot accommodate a party of twelve tonight."),
    (AGENT, "bad_news", "The developers have decided not to support the old tablets."),
    (AGENT, "bad_news", "Unfortunately the sale price ended yesterday."),
    (AGENT, "bad_news", "The campsite does not have a laundry."),
    (AGENT, "bad_news", "Breakfast isn't currently being offered at that hotel."),
    (AGENT, "bad_news", "We can't make an exception for late returns."),
    # admits_unknown: not familiar with the matter, no way of knowing
    (AGENT, "admits_unknown", "I'm not familiar with that router model, sorry."),
    (AGENT, "admits_unknown", "We have no way of knowing when the courier will arrive."),
    (AGENT, "admits_unknown", "I don't know if this is a bug or a setting."),
    (AGENT, "admits_unknown", "We couldn't say when the stock will be back."),
    (AGENT, "admits_unknown", "We can't be sure the part fits the 2015 model."),
    (AGENT, "admits_unknown", "It's hard to tell what caused the reset."),
    (AGENT, "admits_unknown", "The cause of the outage is still unknown."),
    # vague_stall: a wait with no owner or time
    (AGENT, "vague_stall", "The queue should ease over the coming weeks."),
    (AGENT, "vague_stall", "Your claim will be reviewed in due time."),
    (AGENT, "vague_stall", "Online banking should be back to normal shortly."),
    (AGENT, "vague_stall", "Someone will review the claim and reply."),
    (AGENT, "vague_stall", "The engineers will look at it when they can."),
    (AGENT, "vague_stall", "We're still waiting to hear back from the manufacturer."),
    (AGENT, "vague_stall", "We're waiting on an update from the courier."),
    # hedge: doubt about a fact or an outcome stays a hedge beside the new gates
    (AGENT, "hedge", "We might have to reinstall the driver if the update fails."),
    (AGENT, "hedge", "Perhaps the add-on is blocking the page."),
    (AGENT, "hedge", "It may be a problem with the cache."),
    (AGENT, "hedge", "It looks like the order was split in two."),
]

NEAR_MISSES = [
    # explanation: a reason for the agent's own belief, a cause inside a condition,
    # a hedged fix, a consequence, a list joined by "as well as"
    (AGENT, "explanation", "I doubt it is a server fault because mine syncs fine."),
    (AGENT, "explanation", "I suspect it's the router since the other laptop connects."),
    (AGENT, "explanation", "Not sure it's the cache, as the private window fails too."),
    (AGENT, "explanation", "I think you're right because the error went away."),
    (AGENT, "explanation", "I'm surprised it closes due to the update; mine is fine."),
    (AGENT, "explanation", "If your order was cancelled due to a payment issue, use the form."),
    (AGENT, "explanation", "I believe this may have been fixed in the beta."),
    (AGENT, "explanation", "See the prices as well as the opening hours here."),
    (AGENT, "explanation", "Please make sure the issue is addressed with your manager."),
    # a reason asked, a pointer to reasons
    (AGENT, "explanation", "Could it be due to the new router?"),
    (AGENT, "explanation", "Was it because of the firmware update, do you think?"),
    (AGENT, "explanation", "Here are a few reasons why this can happen: see the help page."),
    (AGENT, "explanation", "Some of the causes are listed in the article below."),
    # "since" of time
    (AGENT, "explanation", "The app has crashed since the last update, you say?"),
    (AGENT, "explanation", "It has been slow ever since we moved offices."),
    (AGENT, "explanation", "We're sorry you're having a technical problem with the app."),
    # bad_news: a restated customer problem, a condition, an idiom, a guess,
    # not understanding what the customer sent, not reaching the customer
    (AGENT, "bad_news", "Sorry to hear that you can't log in to the app."),
    (AGENT, "bad_news", "I see you are unable to open the attachment."),
    (AGENT, "bad_news", "If you are not able to see the code, restart the app."),
    (AGENT, "bad_news", "If you can not find the receipt, send us a photo."),
    (AGENT, "bad_news", "The shop is on the corner, you can't miss it."),
    (AGENT, "bad_news", "Unfortunately this looks like a bug in the last update."),
    (AGENT, "bad_news", "Unfortunately, I don't think that setting exists."),
    (AGENT, "bad_news", "I can't see your screenshot, could you attach it again?"),
    (AGENT, "bad_news", "I can't figure out which page you mean."),
    (AGENT, "bad_news", "We were not able to reach you on the number given."),
    (AGENT, "bad_news", "Your message does not have enough detail for us to check."),
    (CUSTOMER, "bad_news", "You can't combine two vouchers on one order?"),
    # admits_unknown: not following the customer, a condition on knowing
    (AGENT, "admits_unknown", "It's not clear to me from your post what happens next."),
    (AGENT, "admits_unknown", "If we have no info on the order, we can't refund it."),
    (AGENT, "admits_unknown", "If you are not familiar with the menu, start at Settings."),
    (AGENT, "admits_unknown", "I don't know if this helps, but try a restart."),
    (CUSTOMER, "admits_unknown", "I'm not familiar with your app at all."),
    # the customer's words quoted back by the agent
    (AGENT, "admits_unknown", 'You wrote: "I don\'t know why it stopped syncing." Which phone?'),
    (AGENT, "bad_news", "You said \u201cunfortunately the export is not available\u201d - where?"),
    (AGENT, "hedge", 'You asked "maybe it is the battery?" and the answer is no.'),
    (CUSTOMER, "admits_unknown", "I can't say when I ordered it."),
    (AGENT, "admits_unknown", "It's unclear if you restarted the router first."),
    # vague_stall: a purpose clause after a request, a dated return, the customer's wait
    (AGENT, "vague_stall", "Please share the order number so someone can assist."),
    (AGENT, "vague_stall", "The site will be back at 6am tomorrow."),
    (CUSTOMER, "vague_stall", "I'm still waiting to hear back from your team."),
    # hedge: suggestions, permissions, duties and polite forms are not doubt
    (AGENT, "hedge", "Maybe try the desktop site instead."),
    (AGENT, "hedge", "Perhaps email the seller about the missing part."),
    (AGENT, "hedge", "Perhaps another date would suit?"),
    (AGENT, "hedge", "You may also pay by bank transfer."),
    (AGENT, "hedge", "On older phones you may have to open Settings first."),
    (AGENT, "hedge", "We'd like to fix any faults you may be experiencing."),
    (AGENT, "hedge", "Let me know if I may be of further assistance."),
    (AGENT, "hedge", "Please send a photo of what the error screen looks like."),
]


test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, NEAR_MISSES)


def test_gate_keeps_a_plain_reason_beside_a_guess(patterns: Any) -> None:
    # The evidential gate covers its own sentence only: the next sentence's reason stays.
    text = "I think it's the cache. The page failed because the session expired."
    found = cues(text, AGENT, patterns)
    assert found.get("explanation") == "because"


def test_quote_gate_ends_at_the_closing_quote(patterns: Any) -> None:
    # The agent's own words after the quoted ones keep their cue.
    text = 'You wrote: "it stopped". I don\'t know why it does that on this model.'
    assert "admits_unknown" in cues(text, AGENT, patterns)


def test_refusal_span_is_the_refusal(patterns: Any) -> None:
    text = "Thanks for asking. You can't pool miles between two accounts, sorry."
    found = cues(text, AGENT, patterns)
    assert found["bad_news"] == "You can't pool"
