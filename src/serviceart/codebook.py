"""The codebook: every cue and measure serviceart knows, by its contract name.

Names here are the ones used in pattern files, evidence rows, the measures table
and rubrics (see ``docs/codebook.md``). Nothing else in the package lists cues.

Examples
--------
>>> CUES["promise"].principle, CUES["promise"].role
('follow_through', 'agent')
>>> cues_for("customer")[:3]
('repeat_request', 'resolution_confirmed', 'unresolved')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CUES",
    "EVIDENCE_CUES",
    "EVIDENCE_MARKERS",
    "MEASURES",
    "PRINCIPLES",
    "ROLES",
    "SCOPES",
    "SCORER_CUES",
    "SCORER_CUE_MEASURES",
    "Cue",
    "Measure",
    "cues_for",
]

Principle = Literal["respect", "service", "integrity", "follow_through"]
Role = Literal["agent", "customer", "system"]

PRINCIPLES: tuple[str, ...] = ("respect", "service", "integrity", "follow_through")
ROLES: tuple[str, ...] = ("agent", "customer", "system")
CHANNELS: tuple[str, ...] = ("call", "chat", "email", "social", "forum")

#: The scope of an interaction: ``service`` is scored; ``no_agent`` (no agent turn with
#: text) and ``non_service`` (banter, praise, marketing: no request or problem) get no
#: agent scores (see :mod:`serviceart.scope`).
SCOPES: tuple[str, ...] = ("service", "no_agent", "non_service")

#: Evidence rows that are not pattern cues: the name, and what the row says. A
#: ``scope`` row quotes what put an interaction out of scope; its ``detail`` says why. A
#: ``category`` row is a hit of a category file's category
#: (:mod:`serviceart.cues.categories`); its ``detail`` names the category.
EVIDENCE_MARKERS: dict[str, str] = {
    "scope": "what put the interaction out of scope (detail: the rule and its reason)",
    "category": "a hit of a QA lead's category (detail: its name; see docs/categories.md)",
}


@dataclass(frozen=True)
class Cue:
    """A cue: a span of one turn's text with a codebook meaning."""

    name: str
    principle: str
    role: str
    meaning: str


@dataclass(frozen=True)
class Measure:
    """A number computed for a whole interaction (or case)."""

    name: str
    principle: str
    unit: str
    meaning: str


_CUE_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("greeting", "respect", "agent", "opens with a greeting or introduction"),
    ("courtesy", "respect", "agent", "please / thank you / you're welcome"),
    ("apology", "respect", "agent", "apologises for the problem or the wait"),
    ("empathy", "respect", "agent", "acknowledges the customer's feeling or impact"),
    ("active_listening", "respect", "agent", "paraphrases or confirms understanding"),
    ("disrespect", "respect", "agent", "dismissive, condescending or rude wording"),
    ("transfer", "service", "agent", "hands the customer to another person or team"),
    ("escalation", "service", "agent", "raises it to a supervisor or specialist team"),
    ("redirect", "service", "agent", "tells the customer to go elsewhere themselves"),
    ("hold", "service", "agent", "puts the customer on hold or asks them to wait"),
    ("action_taken", "service", "agent", "reports a concrete action done for the customer"),
    ("extra_mile", "service", "agent", "proactive help beyond the request"),
    ("anything_else", "service", "agent", "offers further help before closing"),
    ("repeat_request", "service", "customer", "has to repeat themselves"),
    ("admits_unknown", "integrity", "agent", "says they don't know (and will find out)"),
    ("bad_news", "integrity", "agent", "states plainly what cannot be done"),
    ("explanation", "integrity", "agent", "gives the reason behind an outcome"),
    ("overpromise", "integrity", "agent", "absolute guarantee beyond their control"),
    ("deflection", "integrity", "agent", "passes the buck with no path forward"),
    ("vague_stall", "integrity", "agent", "non-committal wait with no owner or time"),
    ("hedge", "integrity", "agent", "uncertainty marker"),
    ("promise", "follow_through", "agent", "first-person commitment to a future action"),
    ("next_steps", "follow_through", "agent", "tells the customer what happens next"),
    ("resolution_check", "follow_through", "agent", "asks whether the problem is solved"),
    ("follow_up", "follow_through", "agent", "opens by following up an earlier contact"),
    ("resolution_confirmed", "follow_through", "customer", "says the problem is solved"),
    ("unresolved", "follow_through", "customer", "says the problem is not solved"),
    ("chasing", "follow_through", "customer", "has had to chase the company"),
)

CUES: dict[str, Cue] = {row[0]: Cue(*row) for row in _CUE_TABLE}

_MEASURE_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("customer_talk_share", "respect", "share", "customer's share of talk time (words untimed)"),
    ("agent_talk_share", "respect", "share", "agent's share of talk time (words untimed)"),
    ("longest_agent_monologue_s", "respect", "s", "longest uninterrupted agent speech"),
    ("agent_questions", "respect", "count", "questions the agent asked"),
    ("interruptions_by_agent", "respect", "count", "agent turns starting over the customer"),
    ("interruptions_by_customer", "respect", "count", "customer turns starting over the agent"),
    ("overlap_s", "respect", "s", "seconds both sides spoke at once"),
    ("silence_share", "respect", "share", "non-talk time over the call's length"),
    ("first_response_s", "service", "s", "first customer message to first agent reply"),
    ("median_reply_s", "service", "s", "median agent reply latency"),
    ("max_reply_s", "service", "s", "slowest agent reply"),
    ("replies_over_sla", "service", "count", "agent replies slower than the SLA"),
    ("agent_replies", "service", "count", "agent replies to a customer turn (SLA denominator)"),
    ("unanswered_customer_turns", "service", "count", "customer turns never answered"),
    ("handoffs", "service", "count", "distinct agents who spoke, minus one"),
    ("hold_s", "service", "s", "seconds on hold, where timing shows it"),
    ("agent_reading_ease", "service", "score", "Flesch reading ease of the agent's text"),
    ("promises", "follow_through", "count", "promise cues"),
    ("promises_with_due", "follow_through", "count", "promises with a resolved due time"),
    ("promises_kept", "follow_through", "count",
     "promises followed by an agent contact or reply on the case by their due time"),
    ("promises_broken", "follow_through", "count",
     "promises whose due time passed with no agent contact or reply (or a late one)"),
    ("promises_open", "follow_through", "count", "promises whose due time is after the data"),
    ("repeat_contact", "follow_through", "flag",
     "the customer contacted again on the same case or within the window (default 7 days)"),
    ("contacts_in_case", "follow_through", "count", "interactions in this one's case"),
    ("case_handoffs", "service", "count", "distinct agents across the case, minus one"),
    ("case_resolution_s", "follow_through", "s", "first contact of the case to its last"),
    ("transfer_in", "service", "flag",
     "the contact started as a transfer (metadata, or a new agent on the case within minutes)"),
    ("transfer_warm", "service", "flag",
     "for a transfer: 1 when the new agent showed the context, 0 when the customer repeated"),
    ("customer_messages", "service", "count",
     "customer messages (a run of consecutive customer turns counts once)"),
    ("answered_share", "service", "share", "share of customer messages an agent turn followed"),
    ("customer_followups", "service", "count",
     "customer messages after the agent's first reply (effort)"),
    ("agent_link_share", "service", "share", "share of agent turns that carry a link"),
    ("bare_link_replies", "service", "count", "agent turns where a link stands in for the answer"),
    ("substantive_share", "service", "share",
     "share of agent turns with an action, reason, plan, answer, step or specific"),
    ("private_redirects", "service", "count",
     "redirects into the organisation's own private messages ('please DM us')"),
    ("chasing_after_reply", "follow_through", "count", "chasing cues once the agent had spoken"),
    ("unresolved_after_reply", "follow_through", "count",
     "unresolved cues once the agent had spoken"),
    ("repeat_request_after_reply", "service", "count",
     "repeat_request cues once the agent had spoken"),
    ("earlier_contact_complaints", "follow_through", "count",
     "chasing, unresolved or repeat_request before the agent spoke: about earlier contacts"),
    ("case_channel_switches", "service", "count",
     "distinct channels across the case, minus one (customer effort)"),
    ("customer_outcome", "follow_through", "flag",
     "customer's last message after the reply: 1 sorted or thanks, 0 still not, NaN neither"),
    ("sla_s", "service", "s", "the reply-time target that applied (the SLA of the channel)"),
    ("first_response_sla_ratio", "service", "ratio",
     "first_response_s / sla_s: 1 is exactly on target, above 1 missed it"),
    ("customer_sentiment_start", "service", "score",
     "customer's sentiment before the agent first spoke (else their first turn), -1..1"),
    ("customer_sentiment_end", "follow_through", "score",
     "customer's sentiment in their last turns after the agent spoke, -1..1"),
    ("customer_sentiment_shift", "follow_through", "score",
     "customer_sentiment_end minus customer_sentiment_start"),
    ("conversation_sentiment", "service", "score",
     "sentiment of every agent and customer turn together, -1..1"),
    ("case_sentiment_shift", "follow_through", "score",
     "customer's sentiment at the end of the case's last contact minus the start of its first"),
)

MEASURES: dict[str, Measure] = {row[0]: Measure(*row) for row in _MEASURE_TABLE}

#: Evidence that scorers add beside the pattern cues: spans behind a measure (the
#: words that moved a sentiment score), found by the scorer, not by pattern files.
_SCORER_CUE_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("customer_sentiment", "follow_through", "customer",
     "words that moved the customer's sentiment; detail holds their valence"),
)

SCORER_CUES: dict[str, Cue] = {row[0]: Cue(*row) for row in _SCORER_CUE_TABLE}

#: The measures each scorer cue is evidence for (``explain`` quotes the cue's rows
#: under the criteria that read one of them).
SCORER_CUE_MEASURES: dict[str, tuple[str, ...]] = {
    "customer_sentiment": ("customer_sentiment_start", "customer_sentiment_end",
                           "customer_sentiment_shift", "case_sentiment_shift"),
}

#: Every name an evidence row's ``cue`` may hold: the cues, then the scorer cues.
EVIDENCE_CUES: dict[str, Cue] = {**CUES, **SCORER_CUES}


def cues_for(role: str) -> tuple[str, ...]:
    """Cue names that may be said by ``role``, in codebook order.

    Parameters
    ----------
    role
        ``"agent"``, ``"customer"`` or ``"system"``.

    Returns
    -------
    tuple of str
        The cue names whose codebook row names that role.

    Examples
    --------
    >>> "courtesy" in cues_for("agent"), "courtesy" in cues_for("customer")
    (True, False)
    """
    return tuple(name for name, cue in CUES.items() if cue.role == role)
