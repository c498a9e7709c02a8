"""Session 13 families and gates of ``active_listening`` and ``empathy``
(``patterns/respect.jsonl``) and of ``explanation``, ``admits_unknown`` and ``bad_news``
(``patterns/integrity.jsonl``), the lines after each "session 13" comment: forms of each
codebook meaning that must hit, beside near misses that must not (either/or questions,
conditions, beliefs, not following the customer's post).

The sentences are written for these tests from the codebook's definitions and the cue
corpus rules; the patterns run alone (``make_nlp(model=False)``), and a cue counts only
for the role of its codebook row, as in the evidence table.
"""

from __future__ import annotations

from tests.cues._families import AGENT, family_tests

HITS = [
    # active_listening: quoting the customer back
    (AGENT, "active_listening", 'Hi Maria, you wrote: "the sync stopped after the update".'),
    (AGENT, "active_listening", 'You wrote "my invoice shows two charges". Let me look.'),
    (AGENT, "active_listening", "Your questions: 1. can I keep my number? 2. is there a fee?"),
    # a yes/no check of what the customer refers to
    (AGENT, "active_listening", "Are you talking about the reminder email from last week?"),
    (AGENT, "active_listening", "Are you referring to your business account?"),
    (AGENT, "active_listening", "Perhaps you are referring to this older thread: <link>"),
    (AGENT, "active_listening", "Are you comparing the tablet app with the web version?"),
    (AGENT, "active_listening", "Is that what you mean by 'the grey bar'?"),
    # agreeing in words that restate the customer's point
    (AGENT, "active_listening", "You are right about the desktop form, it does not save."),
    (AGENT, "active_listening", "You're right, the delivery window on the app is confusing."),
    (AGENT, "active_listening", "Yes you are right we are missing a dark mode on tablets."),
    # asking whether a summary is right, restating a step the customer took
    (AGENT, "active_listening", "Is my understanding correct? You moved house in May."),
    (AGENT, "active_listening", "Is the following summary accurate? 1. you ordered twice"),
    (AGENT, "active_listening", "So you reinstalled the app and the error came back?"),
    (AGENT, "active_listening", "Thanks for clarifying that it's the 2019 model."),
    # empathy: the situation judged in plain words, knowing what the customer wants
    (AGENT, "empathy", "Hi Sam, that does not sound good at all. Which model is it?"),
    (AGENT, "empathy", "Frozen screens are no fun, so let's fix this together."),
    (AGENT, "empathy", "We know you want to start using your new watch right away."),
    # explanation: the forum's scope as the reason, the kind of issue as the reason
    (AGENT, "explanation", "This is a Thunderbird user support forum; we can't debug your "
                           "server code."),
    (AGENT, "explanation", "Moving this thread since this appears to be a Windows issue."),
    (AGENT, "explanation", "I'm closing this because it is a billing question for the "
                           "shop."),
    # a known fault acknowledged, a usual cause, a fault placed in a product
    (AGENT, "explanation", "We are aware of an issue with our login service this morning."),
    (AGENT, "explanation", "This is usually the result of an expired card on the account."),
    (AGENT, "explanation", "It's a problem with your router, not with the app."),
    (AGENT, "explanation", "The share button was re-added in version 12 of the app."),
    (AGENT, "explanation", "Offline maps were introduced back into the app in the spring "
                           "update."),
    # things classed as a kind, a normal part of how it works, a requirement of the law
    (AGENT, "explanation", "That scanner is classified as a business product, so our "
                           "business team handles it."),
    (AGENT, "explanation", "Please don't message people privately. It's considered rude "
                           "here."),
    (AGENT, "explanation", "The pause is a normal part of how we check new sellers."),
    (AGENT, "explanation", "The 14-day wait is a requirement of the law in your state."),
    # admits_unknown: no schedule to give, the end of what the agent knows
    (AGENT, "admits_unknown", "We don't have a firm release date for dark mode yet."),
    (AGENT, "admits_unknown", "Unfortunately I have no schedule for the tablet version."),
    (AGENT, "admits_unknown", "I don't have a timeline for that feature."),
    (AGENT, "admits_unknown", "That's all I know about the old plans, sorry."),
    (AGENT, "admits_unknown", "Try the forum, that's all I can think of."),
    (AGENT, "admits_unknown", "Why it resets every night? Beats me."),
    (AGENT, "admits_unknown", "This one has stumped me, I'll ask the team."),
]

NEAR_MISSES = [
    # active_listening: choosing between readings, offering another one, conditions
    (AGENT, "active_listening", "Are you referring to the Android app or the iPhone app?"),
    (AGENT, "active_listening", "Are you talking about the web app? or something else?"),
    (AGENT, "active_listening", "Are you talking about some other piece of software?"),
    (AGENT, "active_listening", "If you're referring to something else, let us know."),
    (AGENT, "active_listening", "Which account are you referring to?"),
    (AGENT, "active_listening", "Perhaps you are right, the cache may not be the cause."),
    (AGENT, "active_listening", 'When you wrote "it crashed", what did the screen show?'),
    (AGENT, "active_listening", "So you can reset it from the settings page."),
    (AGENT, "active_listening", "Thanks for clarifying."),
    (AGENT, "active_listening", "Thank you for confirming the version number."),
    (AGENT, "active_listening", "Not sure what you mean by the grey bar."),
    # empathy: a fact doubted, a caveat on a fix, the purpose of a request
    (AGENT, "empathy", "That doesn't sound right, please send us the receipt."),
    (AGENT, "empathy", "It's not ideal, but a clean reinstall should help."),
    (AGENT, "empathy", "Let us know more details to better understand your concern."),
    # explanation: a fact with no reason, conditions, a belief, what a step leads to
    (AGENT, "explanation", "This forum has a search box at the top."),
    (AGENT, "explanation", "If so then that's a bug in the app."),
    (AGENT, "explanation", "If you think it's a bug in the add-on, please report it."),
    (AGENT, "explanation", "I believe the crash (bug 4411) was fixed in version 30."),
    (AGENT, "explanation", "This will result in you losing your saved settings."),
    (AGENT, "explanation", "What you saw is not default behaviour as far as I can tell."),
    (AGENT, "explanation", "Never had a problem with my two phones on that network."),
    (AGENT, "explanation", "We are aware of your request and will reply shortly."),
    (AGENT, "explanation", "Your order is considered for the next delivery slot."),
    (AGENT, "explanation", "Regular backups are part of good practice."),
    (AGENT, "explanation", "There is no requirement to print the ticket."),
    # admits_unknown: a release plan given, not following the customer's post
    (AGENT, "admits_unknown", "We have a release date: it ships on Monday."),
    (AGENT, "admits_unknown", "That's all I can do today, the rest is on the courier."),
    (AGENT, "admits_unknown", "It's unclear to me what your steps were. Please list them."),
    (AGENT, "admits_unknown", "It's NOT clear to me what your problem is."),
    (AGENT, "bad_news", "Unfortunately it's unclear what your question is."),
]

test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, NEAR_MISSES)
