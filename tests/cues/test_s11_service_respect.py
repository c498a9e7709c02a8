"""The service and respect families of session 11 (issue 19): forms of each codebook
meaning that must hit, beside near misses that must not (questions about the
customer's own steps, the agent's own contact, conditionals, customer words, links
that back up an answer, quoted earlier contacts).

The families are pattern data (``src/serviceart/cues/patterns/service.jsonl`` and
``respect.jsonl``, the lines after each "session 11" comment), so these tests run the
patterns alone (``make_nlp(model=False)``). A cue counts only for the role of its
codebook row, as in the evidence table. The sentences are made up.
"""

from __future__ import annotations

from typing import Any

from tests.cues._families import AGENT, CUSTOMER, cues, family_tests

HITS = [
    # redirect: an article, guide or set of steps offered as the answer
    (AGENT, "redirect", "Here's an article that walks you through it: example.com/kb/42"),
    (AGENT, "redirect", "Here is a quick guide for resetting the router: example.com/r"),
    (AGENT, "redirect", "Hi Sam. Here's how: example.com/kb/backup"),
    (AGENT, "redirect", "We have a support article for exactly this: example.com/a/7"),
    (AGENT, "redirect", "We have some troubleshooting tips on that: example.com/tips"),
    (AGENT, "redirect", "Please try these steps and tell us what happens: example.com/s"),
    (AGENT, "redirect", "Try the troubleshooting in this guide first: example.org/g"),
    (AGENT, "redirect", "Review the next article for the details: example.com/next"),
    (AGENT, "redirect", "Give these steps a try when you have a moment: example.com/x"),
    (AGENT, "redirect", "For the payout schedule, please see: example.com/payouts"),
    (AGENT, "redirect", "Please refer to: example.com/connection-help"),
    (AGENT, "redirect", "Find out how: example.com/how-to-download"),
    (AGENT, "redirect", "Please have a look at our \"Problems signing in\" documentation."),
    (AGENT, "redirect", "You can request a repair for the headset here: example.com/repair"),
    (AGENT, "redirect", "You can start a return here: example.com/returns"),
    # redirect: a form to fill in elsewhere
    (AGENT, "redirect", "Please share your details here: example.com/form and we'll be in touch."),
    (AGENT, "redirect", "Could you send us a few details here so we can check? example.com/f"),
    # redirect: another forum, site or person the customer must ask themselves
    (AGENT, "redirect", "This is a coding question, so please ask at stackoverflow.com."),
    (AGENT, "redirect", "Try posting your question in the LibreOffice forums."),
    (AGENT, "redirect", "You might ask on the distro's mailing list instead."),
    (AGENT, "redirect", "The vendor's forum might be a better place for that question."),
    (AGENT, "redirect", "I'm afraid you're posting in the wrong section."),
    (AGENT, "redirect", "Perhaps email the extension's author about that."),
    (AGENT, "redirect", "Try asking your network administrator whether the port is open."),
    (AGENT, "redirect", "I would email support and tell them what you plan to do."),
    (AGENT, "redirect", "You can get in touch with the artist team at example.com/contact"),
    (AGENT, "redirect", "Please reach back out to us through the help centre."),
    (AGENT, "redirect", "Please chat with an agent by following the prompts at example.com/c"),
    (AGENT, "redirect", "Open the page and click the \"Call Me\" button to be rung back."),
    (AGENT, "redirect", "We can be reached around the clock here: example.com/help"),
    (AGENT, "redirect", "Please write in to them and they will sort it out."),
    # redirect: advice to go to another party or channel, hedged or plain
    (AGENT, "redirect", "You might want to contact the seller about a refund."),
    (AGENT, "redirect", "You'll need to talk to your bank about that charge."),
    (AGENT, "redirect", "It's best to check with HR before you sign."),
    (AGENT, "redirect", "The quickest way to reach them is through their app."),
    (AGENT, "redirect", "dana: try asking in #kde-help, they know the panel code"),
    # action_taken: the agent's own finished steps and reproduction attempts
    (AGENT, "action_taken", "I spoke to the branch and they have the parcel."),
    (AGENT, "action_taken", "I tried your page on two phones and it loads for me."),
    (AGENT, "action_taken", "I've looked at both bug reports this morning."),
    (AGENT, "action_taken", "I just checked your booking and the seat is confirmed."),
    (AGENT, "action_taken", "I can reproduce your error on my own laptop."),
    (AGENT, "action_taken", "We could not reproduce the crash on version 12."),
    (AGENT, "action_taken", "I tried the following steps: open the menu, then tap Share."),
    (AGENT, "action_taken", "Also, I have tested the add-on on an older tablet."),
    (AGENT, "action_taken", "I finally filed a bug for this: example.org/bug/12"),
    (AGENT, "action_taken", "I'm looking into it and have sent you a DM with the details."),
    (AGENT, "action_taken", "This is the same question as last week, therefore locking."),
    (AGENT, "action_taken", "Closing because this is a duplicate of an older thread."),
    (AGENT, "action_taken", "I've granted you access to the shared drive."),
    (AGENT, "action_taken", "I have restarted the print server, please try again."),
    # transfer: a ticket or call assigned or routed to another team
    (AGENT, "transfer", "I have assigned your ticket to the network team."),
    (AGENT, "transfer", "Your case has been routed to our billing team."),
    # escalation: people brought in to look at the case, described at any length
    (AGENT, "escalation", "I emailed some people on the payroll team to look at your question."),
    (AGENT, "escalation", "I've asked the engineer who wrote the sync code to try it."),
    (AGENT, "escalation", "I'll try to get developer attention on this one."),
    # anything_else: the closing offer of further help
    (AGENT, "anything_else", "Locking this thread. If it comes back, please open a new question."),
    (AGENT, "anything_else", "Please start a new thread if you have other problems."),
    (AGENT, "anything_else", "Your table is booked. Can I assist you any further?"),
    (AGENT, "anything_else", "Let us know if there are any further issues with the card."),
    (AGENT, "anything_else", "If it comes back, you know where to find us."),
    (AGENT, "anything_else", "Glad it works! Just reach out again if you need help."),
    (AGENT, "anything_else", "If you ever need us again, give us a shout."),
    (AGENT, "anything_else", "Dry cleaning is not offered there. Is that all?"),
    # active_listening: quoting and restating the customer, checking a reading
    (AGENT, "active_listening", "You asked the following: can I keep my old tabs?"),
    (AGENT, "active_listening", "You asked \"does the export keep my folders?\" It does."),
    (AGENT, "active_listening", "You also mentioned that the printer worked last week."),
    (AGENT, "active_listening", "Is it safe to assume you mean the new desktop app?"),
    (AGENT, "active_listening", "So just to be clear, you did restart it twice, right?"),
    (AGENT, "active_listening", "As you have already tried, the policy does not apply here."),
    (AGENT, "active_listening", "Here is what you wrote, with my results in brackets."),
    (AGENT, "active_listening", "Totally understand. We'll look at the invoice."),
    (AGENT, "active_listening", "We hear you! The dark mode request is noted."),
    (AGENT, "active_listening", "You are right that the editor has no link button."),
    (AGENT, "active_listening", "If I understand you correctly, the sync stops after an hour?"),
    (AGENT, "active_listening", "From what I gather, you updated the phone last night."),
    (AGENT, "active_listening", "I understand you were only trying to print a label."),
    (AGENT, "active_listening", "So you're asking whether the backup keeps your photos?"),
    # empathy: what the problem does to the customer, in other words
    (AGENT, "empathy", "That sounds like it must be really stressful before a trip."),
    (AGENT, "empathy", "We don't want you feeling this way about your order!"),
    (AGENT, "empathy", "It's unfortunate that this has been your experience."),
]

MISSES = [
    # redirect: a question about the customer's own use of the steps
    (AGENT, "redirect", "Have you already tried the steps in this article? example.com/a"),
    (AGENT, "redirect", "Did you follow the instructions on the next page?"),
    # redirect: the agent's own call or message, a reply already sent privately
    (AGENT, "redirect", "I will call the store and ask about the stock."),
    (AGENT, "redirect", "I'll have to ask our developers about that first."),
    (AGENT, "redirect", "We have responded via DM, see you there!"),
    (AGENT, "redirect", "We're following up with you in a private message now."),
    (AGENT, "redirect", "Did you buy this in store or online?"),
    # redirect: a status or news link, the same forum, the customer's words
    (AGENT, "redirect", "You can view more on our latest announcement here: example.com/news"),
    (AGENT, "redirect", "Here is an article with the steps we are taking: example.com/news"),
    (AGENT, "redirect", "Could you post it here so we can take a look?"),
    (AGENT, "redirect", "You've reached the right place for help with that."),
    (CUSTOMER, "redirect", "Please try these steps, they told me, and nothing changed."),
    # redirect: checking the customer's own settings, hashtags, the same thread
    (AGENT, "redirect", "You should check your router settings first."),
    (AGENT, "redirect", "You should post the log in this thread so we can read it."),
    (AGENT, "redirect", "Our crew loved it! Join the fun with #BestCrew today."),
    (AGENT, "redirect", "The best way to fix it is to restart the app."),
    # redirect: a question to the customer about their own check
    (AGENT, "redirect", "Could you check your internet provider's settings for a proxy?"),
    # action_taken: the customer's steps, a condition, a question
    (CUSTOMER, "action_taken", "I tried the reset twice and I spoke to the store."),
    (AGENT, "action_taken", "Have you tried clearing the cache?"),
    (AGENT, "action_taken", "If you tried the update already, restart the phone."),
    (AGENT, "action_taken", "Send me a page where I can reproduce the problem."),
    (AGENT, "action_taken", "If I can reproduce it, I'll file a bug."),
    (AGENT, "action_taken", "Have you tested the add-on on another phone?"),
    (AGENT, "action_taken", "We never sent you a DM about this."),
    (AGENT, "action_taken", "Closing the app and opening it again may help."),
    # transfer: a ticket assigned to the customer, the customer's account, a higher tier
    (AGENT, "transfer", "Your ticket has been assigned a reference number."),
    (CUSTOMER, "transfer", "My case was passed to another team three times."),
    (AGENT, "transfer", "I have assigned your ticket to the tier 2 team."),
    # escalation: asking the customer, or an offer
    (AGENT, "escalation", "I asked you to try the safe mode steps earlier."),
    (AGENT, "escalation", "I can escalate this to my manager if you'd like."),
    # anything_else: a new question because the problem differs, a task question
    (AGENT, "anything_else", "Please create a new question since yours is a different problem."),
    (AGENT, "anything_else", "I can help with any issues you're having with the bill."),
    (AGENT, "anything_else", "Send me a DM with any questions about the plan."),
    (AGENT, "anything_else", "Is that all of the luggage you are checking in?"),
    (CUSTOMER, "anything_else", "If it happens again, I'm cancelling my subscription."),
    # active_listening: the customer's words, a question about what they meant
    (CUSTOMER, "active_listening", "You said that the refund would take three days."),
    (AGENT, "active_listening", "We understand this has taken a while."),
    (AGENT, "active_listening", "Which page are you referring to?"),
    (AGENT, "active_listening", "If you're wondering why the app was rejected, see our policy."),
    (AGENT, "active_listening", "If I understand the policy correctly, it ends in May."),
    # empathy: a status line and a process line name no feeling of the customer's
    (AGENT, "empathy", "Setting up the server can be hard for the first time."),
    (CUSTOMER, "empathy", "That sounds really stressful, I know, but I need an answer."),
]


test_family_form_hits, test_near_miss_does_not_hit = family_tests(HITS, MISSES)


def test_a_redirect_keeps_its_courtesy(patterns: Any) -> None:
    """The redirect's span is what is pointed to, so the "please" before it stays a
    courtesy."""
    found = cues("Please try the troubleshooting here: example.com/t", AGENT, patterns)
    assert found["courtesy"] == "Please"
    assert "redirect" in found


def test_an_escalation_is_not_also_an_action_taken(patterns: Any) -> None:
    """The codebook: handing the case to developers is an ``escalation`` only."""
    found = cues("I've asked the developers on the sync team to look at your profile.",
                 AGENT, patterns)
    assert "escalation" in found
    assert "action_taken" not in found


def test_totally_understand_is_listening_not_empathy(patterns: Any) -> None:
    """"Totally understand." confirms the customer's point (corpus rule), so the
    ``empathy`` match on "understand" gives way to ``active_listening``."""
    found = cues("Totally understand. Please check your messages.", AGENT, patterns)
    assert "active_listening" in found
    assert "empathy" not in found
