"""Session 11 families and gates of the integrity cues (``patterns/integrity.jsonl``,
the lines after each "session 11" comment): forms of each codebook meaning that must
hit, beside near misses that must not (questions, conditions, negations, the customer
addressed, customer words).

The sentences are written for these tests from the codebook's definitions; the
patterns run alone (``make_nlp(model=False)``), and a cue counts only for the role
of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from tests.cues._families import AGENT, CUSTOMER, family_tests

HITS = [
    # explanation: a thing happening when or because of something
    (AGENT, "explanation", "That usually happens when the browser cache is full."),
    (AGENT, "explanation", "This occurred because the card on file had expired."),
    (AGENT, "explanation", "It can happen if two devices sign in at once."),
    (AGENT, "explanation", "This tends to occur after a large software update."),
    # the reason given in other words
    (AGENT, "explanation", "The main reason for this is a change in the carrier's rules."),
    (AGENT, "explanation", "We closed the line early, reason being the storm warning."),
    (AGENT, "explanation", "The reason you were charged twice is a duplicate authorisation."),
    # by design, expected, how it works
    (AGENT, "explanation", "The button is greyed out by design until the form is complete."),
    (AGENT, "explanation", "The sync works as intended: only open tabs are copied."),
    (AGENT, "explanation", "Showing the old price for a day is expected behaviour."),
    (AGENT, "explanation", "The filter is designed to hide messages from unknown senders."),
    (AGENT, "explanation", "That is completely normal for a new account."),
    (AGENT, "explanation", "That's how the loyalty scheme works, points arrive monthly."),
    # a cause named by its kind or place
    (AGENT, "explanation", "There was a problem on the carrier's end with the tracking feed."),
    (AGENT, "explanation", "The issue is with the payment provider, not your card."),
    (AGENT, "explanation", "We have a known bug with video playback on older tablets."),
    (AGENT, "explanation", "This is a bug in the latest version of the app."),
    (AGENT, "explanation", "There was an issue with our payment system this morning."),
    (AGENT, "explanation", "There can be a delay of an hour before the points appear."),
    (AGENT, "explanation", "There have been delays at the depot all week."),
    (AGENT, "explanation", "The slow replies are down to the high number of calls today."),
    (AGENT, "explanation", "The missing emails are a side effect of the spam filter."),
    (AGENT, "explanation", "The outage stemmed from a failed network switch."),
    (AGENT, "explanation", "Your delivery was delayed by the snow in the north."),
    (AGENT, "explanation", "Trains are stopping short while the bridge is closed."),
    # what a setting does, what a message means
    (AGENT, "explanation", "That setting prevents other apps from opening links."),
    (AGENT, "explanation", "The red icon means the payment is still pending."),
    (AGENT, "explanation", "This error usually indicates a blocked port."),
    # reasons of security or privacy, a mistake or oversight, what explains it
    (AGENT, "explanation", "We ask for the code for security reasons."),
    (AGENT, "explanation", "The card is locked for your protection."),
    (AGENT, "explanation", "The parcel was sent to the old address by mistake."),
    (AGENT, "explanation", "Your booking was accidentally cancelled by our system."),
    (AGENT, "explanation", "Leaving that out of the guide was an oversight."),
    (AGENT, "explanation", "The wrong price was shown due to a clerical error."),
    (AGENT, "explanation", "That would explain why the total looked different."),
    (AGENT, "explanation", "We turned off the online shop for the stock count tonight."),
    (AGENT, "explanation", "We have temporarily disabled gift card payments."),
    # the redirect's reason: what the other team can do
    (AGENT, "explanation", "Please call the billing desk, as they can see your invoices."),
    (AGENT, "explanation", "Contact the bank since they are responsible for the card."),
    # bad_news: nothing there, none found, an attempt that failed
    (AGENT, "bad_news", "There is no laundry service at the harbour hotel."),
    (AGENT, "bad_news", "There are no pets allowed in the apartments."),
    (AGENT, "bad_news", "There's no dark mode in the tablet version."),
    (AGENT, "bad_news", "I'm not finding any rooms in that price range."),
    (AGENT, "bad_news", "We are not showing any flights on that date."),
    (AGENT, "bad_news", "I'm sorry, your reservation was unsuccessful."),
    # only some choices left to the customer, limits, plans, nothing more to do
    (AGENT, "bad_news", "After check-in you can only change the seat at the desk."),
    (AGENT, "bad_news", "You may only bring one bag into the lounge."),
    (AGENT, "bad_news", "We're afraid the offer has ended."),
    (AGENT, "bad_news", "I wish I could extend the deadline for you."),
    (AGENT, "bad_news", "There is nothing further we can do with the fare."),
    (AGENT, "bad_news", "There are no plans to bring the feature back."),
    (AGENT, "bad_news", "A desktop version is not planned."),
    (AGENT, "bad_news", "Chat support is limited to account holders."),
    (AGENT, "bad_news", "The reading mode was removed in version 12."),
    # admits_unknown: no answer or fix, having to ask, knowing nothing about it
    (AGENT, "admits_unknown", "I don't have a good answer for that one."),
    (AGENT, "admits_unknown", "We don't have a workaround yet."),
    (AGENT, "admits_unknown", "Sorry, I don't know how to fix that without a reinstall."),
    (AGENT, "admits_unknown", "Don't know how I can help further with that model."),
    (AGENT, "admits_unknown", "I wish I knew why the app does that."),
    (AGENT, "admits_unknown", "I wish I had an answer for you."),
    (AGENT, "admits_unknown", "I'll have to ask our developers about that."),
    (AGENT, "admits_unknown", "We would need to check with the warehouse team."),
    (AGENT, "admits_unknown", "I know nothing about the enterprise edition, I'm afraid."),
    (AGENT, "admits_unknown", "I am unaware of any add-on that does that."),
    (AGENT, "admits_unknown", "Honestly, I'm stumped by this one."),
    (AGENT, "admits_unknown", "I'm at a loss as to why the code fails."),
    (AGENT, "admits_unknown", "dunno which package has it"),
    (AGENT, "admits_unknown", "I couldn't find a workaround for the older model."),
    (AGENT, "admits_unknown", "We can't give an exact date for the restock."),
    (AGENT, "admits_unknown", "I didn't know about this problem with the printer."),
    # vague_stall: in progress with no time, until someone is available, considered
    (AGENT, "vague_stall", "Your complaint is currently in progress."),
    (AGENT, "vague_stall", "The claim is in hand, please bear with us."),
    (AGENT, "vague_stall", "An advisor will reply once one is available."),
    (AGENT, "vague_stall", "The product team is currently considering this."),
    (AGENT, "vague_stall", "We're exploring ways to add the feature."),
    (AGENT, "vague_stall", "It should be fixed in a future software update."),
    (AGENT, "vague_stall", "Hopefully someday the menu will return."),
    # explanation: renamed or replaced, a limitation, an outcome based on something,
    # a rule's purpose, a diagnosis after "sounds like"
    (AGENT, "explanation", "The old sync menu was renamed to Connected Devices."),
    (AGENT, "explanation", "That plan has been replaced by the family tier."),
    (AGENT, "explanation", "The reader is now part of the main app."),
    (AGENT, "explanation", "This is a limitation of the tablet's operating system."),
    (AGENT, "explanation", "Your suggestions are based on what you watched last week."),
    (AGENT, "explanation", "The fare is calculated by distance, not by time."),
    (AGENT, "explanation", "We limit sales to two tickets to prevent scalping."),
    (AGENT, "explanation", "The check helps combat fraud on new accounts."),
    (AGENT, "explanation", "Sounds like your profile folder was corrupted by the crash."),
    (AGENT, "explanation", "It looks like the extension was disabled by the update."),
    # admits_unknown: not able to work out why, nobody knows, no release date
    (AGENT, "admits_unknown", "We can't figure out why the sync stops."),
    (AGENT, "admits_unknown", "I haven't been able to work out how it happened."),
    (AGENT, "admits_unknown", "None of us here know much about the server edition."),
    (AGENT, "admits_unknown", "There's no firm release date for the new model yet."),
    (AGENT, "admits_unknown", "We have no set timeline for the repair."),
    (AGENT, "admits_unknown", "Is there a way? Not that I know of."),
    (AGENT, "admits_unknown", "Not that I'm aware of, but I'll ask around."),
    # vague_stall: on a list with no date, in the works, monitored, time will tell
    (AGENT, "vague_stall", "Dark mode is on our roadmap."),
    (AGENT, "vague_stall", "I've added it to the wishlist for the team."),
    (AGENT, "vague_stall", "A fix is in the works."),
    (AGENT, "vague_stall", "Our engineers are closely monitoring the network."),
    (AGENT, "vague_stall", "Time will tell whether the change sticks."),
    # bad_news: none of a kind to offer, a step that will not restore something
    (AGENT, "bad_news", "I do not have any cheap hotels in the centre."),
    (AGENT, "bad_news", "We don't have any tables left for eight."),
    (AGENT, "bad_news", "The new version won't restore the deleted photos."),
    # the gates leave plain refusals alone
    (AGENT, "bad_news", "While we cannot guarantee a seat, we'll pass the request on."),
    (AGENT, "bad_news", "Unfortunately we can't refund opened items."),
    # explanation: a reason stated beside a question in another sentence
    (AGENT, "explanation", "The app closed because the update failed. Can you retry?"),
    (AGENT, "explanation", "I think this might be caused by the new driver."),
    # explanation: rules of the law and their reasons, personalised results
    (AGENT, "explanation", "We are complying with the new state pricing regulations."),
    (AGENT, "explanation", "Stores are required by law to check ID for these items."),
    (AGENT, "explanation", "The limit is there to keep our staff and customers safe."),
    (AGENT, "explanation", "Seating is reduced for the safety of passengers."),
    (AGENT, "explanation", "We can't share the details, as this could help scammers."),
    (AGENT, "explanation", "The offers you get are personalised to your past orders."),
    (AGENT, "explanation", "Hours are shorter given the current health situation."),
    # bad_news: software limits
    (AGENT, "bad_news", "That driver is deprecated and gets no fixes."),
    (AGENT, "bad_news", "Version 14 reached end of life last April."),
    (AGENT, "bad_news", "That package is not in the official repositories."),
    # admits_unknown and vague_stall in chat forms
    (AGENT, "admits_unknown", "idk, maybe ask in the server channel"),
    (AGENT, "admits_unknown", "I have no experience with that router."),
    (AGENT, "vague_stall", "Thanks for your patience while we work on a fix."),
]

NEAR_MISSES = [
    # explanation: a question, a reason asked, a condition, a plain description
    (AGENT, "explanation", "Does it happen when you use another browser?"),
    (AGENT, "explanation", "Does this happen with other sites as well?"),
    (AGENT, "explanation", "May I ask the reason for the return?"),
    (AGENT, "explanation", "We're not seeing any issues on our end right now."),
    (AGENT, "explanation", "There are no problems on our side today."),
    (AGENT, "explanation", "If there is an issue with the payment, we'll email you."),
    (AGENT, "explanation", "Please check whether there is a problem with the cable."),
    (AGENT, "explanation", "Are you getting an error message or an error code?"),
    (AGENT, "explanation", "Here is a resource that explains what to do next."),
    (AGENT, "explanation", "If you think this was done in error, you can appeal."),
    (AGENT, "explanation", "There might be a short wait for the next agent."),
    (AGENT, "explanation", "Is anyone else around you affected by this?"),
    (AGENT, "explanation", "We recommend keeping the settings as they are."),
    (CUSTOMER, "explanation", "The issue is on your end, not mine."),
    # bad_news: no charge, no need, no problem are good news or nothing
    (AGENT, "bad_news", "There is no charge for the second bag."),
    (AGENT, "bad_news", "There's no need to send the receipt again."),
    (AGENT, "bad_news", "There is no problem with your account."),
    (AGENT, "bad_news", "There are no fees for changing the date."),
    (AGENT, "bad_news", "Is there no option for a later train?"),
    (AGENT, "bad_news", "If the booking was unsuccessful, you won't be charged."),
    (AGENT, "bad_news", "You can only imagine how busy the lines were."),
    (CUSTOMER, "bad_news", "There is no kitchen in the room I booked."),
    # admits_unknown: asking the customer, a question to them, a condition
    (AGENT, "admits_unknown", "We need to ask a few questions before we start."),
    (AGENT, "admits_unknown", "Don't know how to reset it? Follow these steps."),
    (AGENT, "admits_unknown", "Many users don't know how to change the default."),
    (AGENT, "admits_unknown", "I wish I had a spare unit to test it on."),
    (AGENT, "admits_unknown", "I will have to ask you for the order number."),
    (AGENT, "admits_unknown", "If you don't have a workaround, restart the router."),
    (CUSTOMER, "admits_unknown", "I know nothing about computers."),
    # vague_stall: an event, not a wait for the customer's case
    (AGENT, "vague_stall", "The sale is in progress until Sunday."),
    (AGENT, "vague_stall", "The update arrives in version 9 on Monday."),
    (CUSTOMER, "vague_stall", "My complaint is still in progress after a month."),
    # explanation: a condition, a question, a guess about something else
    (AGENT, "explanation", "If you find a page that violates our rules, report it here."),
    (AGENT, "explanation", "Is your plan based on minutes or data?"),
    (AGENT, "explanation", "It looks like there was a bug once, but it was fixed."),
    (AGENT, "explanation", "It sounds like you have been very patient with us."),
    # admits_unknown: not following the customer, a condition, asking the customer
    (AGENT, "admits_unknown", "I can't figure out what your issue is from the post."),
    (AGENT, "admits_unknown", "If nobody knows the answer, nobody will reply."),
    (AGENT, "admits_unknown", "It's not that we are right and they are wrong."),
    # vague_stall: a list that is not a plan of work
    (AGENT, "vague_stall", "Your name is on the list for the tour."),
    # bad_news: details the customer did not give, a failed reproduction, never seen,
    # a closing regret, a concessive wish, no promises
    (AGENT, "bad_news", "Unfortunately your post does not have enough detail to go on."),
    (AGENT, "bad_news", "Sadly you didn't give us enough information to help."),
    (AGENT, "bad_news", "We can't troubleshoot it without a public link."),
    (AGENT, "bad_news", "I couldn't reproduce the crash on my phone."),
    (AGENT, "bad_news", "Unfortunately, we were not able to reproduce it here."),
    (AGENT, "bad_news", "Unfortunately I have never seen this error before."),
    (AGENT, "bad_news", "Sorry that we weren't able to solve it this time."),
    (AGENT, "bad_news", "While we wish we could be there, we'll cheer from afar."),
    (AGENT, "bad_news", "We can't make any promises, but we've passed it on."),
    # explanation: a reason inside a question, a fix believed or awaited
    (AGENT, "explanation", "Is it slow because you enter the password every time?"),
    (AGENT, "explanation", "Perhaps you opened the desktop site by accident?"),
    (AGENT, "explanation", "Have you asked them, since it only happens on their site?"),
    (AGENT, "explanation", "I believe this was fixed in version 42."),
    (AGENT, "explanation", "Here is a workaround until it's fixed in a later build."),
    # explanation: a description of a rule's wording, not a reason; a setting's value
    (AGENT, "explanation", "Is the address tailored?"),
    (AGENT, "explanation", "Only one gift card can be used per order."),
    # bad_news: an ordinary description of what works where
    (AGENT, "bad_news", "Is the package in the official repositories?"),
    (CUSTOMER, "bad_news", "That driver is deprecated, so why do you still ship it?"),
    # admits_unknown: experience of the customer
    (AGENT, "admits_unknown", "Do you have any experience with routers?"),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, NEAR_MISSES)
