"""Outcome measures: was the customer answered, helped, and what did it cost them.

The cue counts say what was said; these measures say how the contact went for
the customer (issue 18): whether each of their messages got a reply, how many
times they had to write again, whether the agent's replies carried substance
or only a link, whether their last word says it is sorted, and which of their
complaints are about earlier contacts rather than this one.

Phrase families are data (``serviceart/data/outcome.toml``), read once per
process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import tomllib

from ._timeline import customer_start_end
from .base import Scorer, ScoringContext, register_scorer

__all__ = ["OutcomeScorer", "outcome_patterns"]

#: cues that carry substance in an agent's reply: an action, a reason, a plan, a plain answer
SUBSTANCE_CUES = ("action_taken", "explanation", "next_steps", "promise", "bad_news",
                  "admits_unknown", "extra_mile", "escalation")
#: customer cues that may be about an earlier contact when said before the agent spoke
CONTEXT_CUES = ("chasing", "unresolved", "repeat_request")
_URL_TEXT = r"https?://\S+|www\.\S+"
_HANDLE_TEXT = r"@\w+"
_GROUP = re.compile(r"(?<!\\)\((?!\?)")
_WORD_TEXT = "[A-Za-zÀ-ɏ]{2,}"
#: an agent reply with a link and fewer words than this around it replaces an answer
BARE_LINK_WORDS = 15


@lru_cache(maxsize=1)
def outcome_patterns() -> dict[str, re.Pattern[str]]:
    """The phrase families of ``outcome.toml``, one compiled alternation per family."""
    text = resources.files("serviceart.data").joinpath("outcome.toml").read_text("utf-8")
    data = tomllib.loads(text)
    # groups are made non-capturing: the families are only tested, never extracted
    return {name: re.compile("|".join(f"(?:{_GROUP.sub('(?:', p)})" for p in family["patterns"]),
                             re.IGNORECASE)
            for name, family in data.items()}


def _arrow(text: pd.Series) -> pa.Array:
    """Lower-cased text as one Arrow array ("" for missing)."""
    return pc.utf8_lower(pa.array(text.to_numpy(dtype=object, na_value=""), type=pa.string()))


def _clean(text: pa.Array) -> pa.Array:
    """Text without links and @handles (they sway neither words nor phrases)."""
    return pc.replace_substring_regex(pc.replace_substring_regex(text, _URL_TEXT, " "),
                                      _HANDLE_TEXT, " ")


def _matches(text: pa.Array, pattern: re.Pattern[str], where: pd.Series | None = None
             ) -> pd.Series:
    """``pattern`` found in (lower-cased) ``text``, false outside ``where``.

    Arrow's regular expressions (RE2) search every row in one call, in linear
    time, which is some 30 times faster than Python's ``re`` row by row; the
    phrase families are written in the syntax both engines share.
    """
    if where is None:
        found = pc.match_substring_regex(text, pattern.pattern).to_numpy(zero_copy_only=False)
        return pd.Series(found.astype(bool))
    out = np.zeros(len(text), dtype=bool)
    rows = np.flatnonzero(where.to_numpy(dtype=bool))
    if len(rows):  # only the rows that count are searched
        out[rows] = pc.match_substring_regex(text.take(pa.array(rows)), pattern.pattern
                                             ).to_numpy(zero_copy_only=False)
    return pd.Series(out)


@register_scorer
class OutcomeScorer(Scorer):
    """How the contact went for the customer.

    Measures (per interaction)
    --------------------------
    customer_messages
        Customer messages: runs of consecutive customer turns count once.
    answered_share
        Share of those messages that an agent turn followed (NaN: none). A
        closing message that says it is sorted or thanks needs no reply and
        is left out.
    customer_followups
        Customer messages after the agent's first reply: how often they had to
        write again.
    agent_link_share
        Share of agent turns that carry a link (NaN: no agent turn).
    bare_link_replies
        Agent turns where a link stands in for the answer: a link with fewer
        than ``BARE_LINK_WORDS`` words around it.
    substantive_share
        Share of agent turns with substance: a cue of action, reason, plan or
        plain answer, or a step or specific (``outcome.toml`` ``specifics``).
    private_redirects
        ``redirect`` cues that move the customer to the organisation's own
        private messages ("please DM us"): normal on social media.
    chasing_after_reply, unresolved_after_reply, repeat_request_after_reply
        Those customer cues once the agent had spoken in this contact.
    earlier_contact_complaints
        Those cues before the agent spoke: about earlier contacts, context for
        this one rather than its fault.
    customer_outcome
        The customer's last message (consecutive turns count as one) after the
        agent's first reply: 1 when it
        says it is sorted or thanks (``resolution_confirmed`` or
        ``customer_satisfied``), 0 when it says it is not (``unresolved``,
        ``chasing`` or ``customer_unsatisfied``), NaN when they said neither
        or did not write again.
    """

    name = "outcome"
    columns = ("customer_messages", "answered_share", "customer_followups",
               "agent_link_share", "bare_link_replies", "substantive_share",
               "private_redirects", "chasing_after_reply", "unresolved_after_reply",
               "repeat_request_after_reply", "earlier_contact_complaints",
               "customer_outcome")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute the outcome measures for every interaction of ``ctx``."""
        pats = outcome_patterns()
        t = ctx.turns
        iid = t["interaction_id"].astype("string").to_numpy(dtype=object)
        role = t["role"].astype("string").fillna("").to_numpy(dtype=object)
        key = pd.Series(iid)
        idx = pd.Series(t["turn_index"].to_numpy(dtype="int64"))
        is_agent = pd.Series(role == "agent")
        is_cust = pd.Series(role == "customer")
        raw = _arrow(t["text"])
        clean = _clean(raw)
        clean_text = pd.Series(clean.to_numpy(zero_copy_only=False))

        # the agent's first turn per interaction (turn_index), +inf where none spoke
        first_agent = idx.where(is_agent).groupby(key).transform("min").fillna(np.inf)
        after = idx > first_agent
        # the customer's words count only once the agent has replied (searched there only)
        satisfied = _matches(clean, pats["customer_satisfied"], is_cust & after)
        unsatisfied = _matches(clean, pats["customer_unsatisfied"], is_cust & after)

        # customer messages: a customer turn whose previous turn (same interaction) was not
        prev_role = pd.Series(role).groupby(key).shift(1)
        next_role = pd.Series(role).groupby(key).shift(-1)
        starts = is_cust & (prev_role != "customer")
        ends = is_cust & (next_role != "customer")
        answered = ends & (next_role == "agent")
        # a closing "thanks, that worked" needs no reply: it is left out of the share
        closing = ends & next_role.isna() & after & satisfied & ~unsatisfied

        links = pd.Series(pc.or_(pc.match_substring(raw, "://"), pc.match_substring(raw, "www."))
                          .to_numpy(zero_copy_only=False).astype(bool))
        # words are counted only in the agent's turns with a link (the few that can be bare)
        linked = (is_agent & links).to_numpy()
        n_words = np.full(len(linked), BARE_LINK_WORDS, dtype="int64")
        if linked.any():
            n_words[linked] = pc.count_substring_regex(
                clean.filter(pa.array(linked)), _WORD_TEXT).to_numpy(zero_copy_only=False)
        bare = pd.Series(linked & (n_words < BARE_LINK_WORDS))

        ev = ctx.evidence
        ev_key = ev["interaction_id"].astype("string")
        ev_turn = pd.MultiIndex.from_arrays([ev_key, ev["turn_index"].astype("int64")])
        turn_key = pd.MultiIndex.from_arrays([key.astype("string"), idx])
        cue = ev["cue"].astype("string")
        substance_turns = set(ev_turn[cue.isin(SUBSTANCE_CUES).to_numpy()])
        has_cue = pd.Series(turn_key.isin(substance_turns))
        specific = _matches(clean, pats["specifics"], is_agent & ~has_cue & ~bare)
        substantive = is_agent & (has_cue | specific)

        # redirects into private messages: the redirect's own turn names a private channel
        red = ev[cue == "redirect"]
        red_text = red["text"].astype("string").fillna("")
        red_turn = pd.MultiIndex.from_arrays([red["interaction_id"].astype("string"),
                                              red["turn_index"].astype("int64")])
        turn_text = pd.Series(clean_text.to_numpy(), index=turn_key)
        whole = pd.Series(turn_text.reindex(red_turn).to_numpy(), index=red.index).fillna("")
        private = (red_text.str.contains(pats["private_channel"], regex=True)
                   | whole.str.contains(pats["private_channel"], regex=True))

        # customer cues before / after the agent's first turn
        first_by_id = pd.Series(first_agent.to_numpy(), index=key).groupby(level=0).first()
        ev_first = ev_key.map(first_by_id).astype("float64").fillna(np.inf)
        ev_after = ev["turn_index"].astype("float64") > ev_first
        ctx_cue = cue.isin(CONTEXT_CUES) & (ev["role"].astype("string") == "customer")

        def count(mask: pd.Series) -> pd.Series:
            return mask.groupby(ev_key).sum().astype("float64")

        # the customer's last word: their turns since the agent last spoke, once it has
        is_last = pd.Series(customer_start_end(key, role)[1])
        cust_cues = ev[cue.isin(("resolution_confirmed", "unresolved", "chasing"))]
        cc_key = pd.MultiIndex.from_arrays([cust_cues["interaction_id"].astype("string"),
                                            cust_cues["turn_index"].astype("int64")])
        confirmed = set(cc_key[(cust_cues["cue"] == "resolution_confirmed").to_numpy()])
        complained = set(cc_key[(cust_cues["cue"] != "resolution_confirmed").to_numpy()])
        good = pd.Series(turn_key.isin(confirmed)) | satisfied
        bad = pd.Series(turn_key.isin(complained)) | unsatisfied
        said_bad = bad[is_last].groupby(key[is_last]).any()
        said_good = good[is_last].groupby(key[is_last]).any()
        outcome = pd.Series(np.where(said_bad, 0.0, np.where(said_good, 1.0, np.nan)),
                            index=said_bad.index)

        def per(mask: pd.Series) -> pd.Series:
            return mask.astype("float64").groupby(key).sum()

        n_agent = per(is_agent)
        n_msgs = per(starts)
        share = lambda num, den: (num / den).where(den > 0)  # noqa: E731
        return ctx.frame({
            "customer_messages": n_msgs,
            "answered_share": share(per(answered), n_msgs - per(closing)),
            "customer_followups": per(starts & after),
            "agent_link_share": share(per(is_agent & links), n_agent),
            "bare_link_replies": per(bare),
            "substantive_share": share(per(substantive), n_agent),
            "private_redirects": count(private),
            "chasing_after_reply": count((cue == "chasing") & ev_after),
            "unresolved_after_reply": count((cue == "unresolved") & ev_after),
            "repeat_request_after_reply": count((cue == "repeat_request") & ev_after),
            "earlier_contact_complaints": count(ctx_cue & ~ev_after),
            "customer_outcome": outcome,
        }).fillna({c: 0.0 for c in ("customer_messages", "customer_followups",
                                      "bare_link_replies", "private_redirects",
                                      "chasing_after_reply", "unresolved_after_reply",
                                      "repeat_request_after_reply",
                                      "earlier_contact_complaints")})
