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

from .._ids import arrow_strings
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
    own = arrow_strings(text)
    if own is not None:
        return pc.utf8_lower(pc.fill_null(own, ""))
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


class _Groups:
    """Rows grouped by interaction id, factorized once: counts per id as
    arrays (one pandas groupby per measure factorized the ids again every time).

    Sums are of 0/1 flags, so their order of addition cannot change them; rows
    with a missing id belong to no group, as in a groupby.
    """

    def __init__(self, ids: pd.Series) -> None:
        codes, uniques = pd.factorize(ids)
        self.index = pd.Index(uniques)
        self._rows = np.flatnonzero(codes >= 0)
        self._codes = codes[self._rows]
        self.codes = codes

    def sum(self, mask: pd.Series | np.ndarray) -> pd.Series:
        """How many rows of each id ``mask`` marks (missing flags: none), as float64 by id."""
        flags = (mask.to_numpy(dtype="float64", na_value=0.0) if isinstance(mask, pd.Series)
                 else np.asarray(mask, dtype="float64"))
        weights = flags[self._rows]
        return pd.Series(np.bincount(self._codes, weights=weights, minlength=len(self.index)),
                         index=self.index)

    def beside(self, values: np.ndarray, step: int) -> np.ndarray:
        """``values`` of each row's neighbour ``step`` rows on within its id's rows (in
        row order; -1: the one before), ``None`` where there is none: as a groupby's
        ``shift(-step)``."""
        order = np.argsort(self.codes, kind="stable")
        ranked = self.codes[order]
        there = np.roll(order, -step)
        same = (np.roll(ranked, -step) == ranked) & (ranked >= 0)
        if step > 0:
            same[len(same) - step:] = False
        else:
            same[:-step] = False
        out = np.full(len(values), None, dtype=object)
        out[order[same]] = values[there[same]]
        return out

    def any(self, mask: np.ndarray) -> np.ndarray:
        """Whether some row of each id is marked, by position in :attr:`index`."""
        return self.sum(mask).to_numpy() > 0


def _private(red: pd.DataFrame, turn_text: pa.Array, at: np.ndarray,
             pattern: re.Pattern[str]) -> np.ndarray:
    """Which redirect rows name a private channel, in their own words (as said) or in
    their turn's (``turn_text[at]``, cleaned; "" where ``at`` is -1).

    Python's ``re`` row by row, as ``Series.str.contains`` runs a compiled pattern,
    on the few redirect rows only; a turn's text is searched only when the
    redirect's own words do not say it.
    """
    own = red["text"].astype("string").fillna("").to_numpy(dtype=object)
    whole = turn_text.take(pa.array(np.maximum(at, 0))).to_pylist() if len(at) else []
    search = pattern.search
    return np.array([search(o) is not None or search(w if a >= 0 else "") is not None
                     for o, w, a in zip(own, whole, at.tolist(), strict=True)], dtype=bool)


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
        role = t["role"].to_numpy(dtype=object, na_value="")
        key = pd.Series(iid)
        idx = pd.Series(t["turn_index"].to_numpy(dtype="int64"))
        is_agent = pd.Series(role == "agent")
        is_cust = pd.Series(role == "customer")
        raw = _arrow(t["text"])
        clean = _clean(raw)
        groups = _Groups(key)

        # the agent's first turn per interaction (turn_index), +inf where none spoke
        first = np.full(len(groups.index), np.inf)
        agent_rows = np.flatnonzero(is_agent.to_numpy() & (groups.codes >= 0))
        np.minimum.at(first, groups.codes[agent_rows], idx.to_numpy()[agent_rows])
        first_agent = pd.Series(np.where(groups.codes >= 0, first[groups.codes], np.inf))
        after = idx > first_agent
        # the customer's words count only once the agent has replied (searched there only)
        satisfied = _matches(clean, pats["customer_satisfied"], is_cust & after)
        unsatisfied = _matches(clean, pats["customer_unsatisfied"], is_cust & after)

        # customer messages: a customer turn whose previous turn (same interaction) was not
        prev_role = pd.Series(groups.beside(role, -1))
        next_role = pd.Series(groups.beside(role, 1))
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
        ev_groups = _Groups(ev_key)
        ev_turn = pd.MultiIndex.from_arrays([ev_key, ev["turn_index"].astype("int64")])
        turn_key = pd.MultiIndex.from_arrays([key.astype("string"), idx])
        # the cue and role columns compared as they are (categories): no string copy
        cue = ev["cue"]
        substance_turns = set(ev_turn[cue.isin(SUBSTANCE_CUES).to_numpy()])
        has_cue = pd.Series(turn_key.isin(substance_turns))
        specific = _matches(clean, pats["specifics"], is_agent & ~has_cue & ~bare)
        substantive = is_agent & (has_cue | specific)

        # redirects into private messages: the redirect's own turn names a private channel
        is_red = (cue == "redirect").to_numpy(dtype=bool, na_value=False)
        red = ev[is_red]
        red_turn = pd.MultiIndex.from_arrays([red["interaction_id"].astype("string"),
                                              red["turn_index"].astype("int64")])
        private = np.zeros(len(ev), dtype=bool)
        private[is_red] = _private(red, clean, turn_key.get_indexer(red_turn),
                                   pats["private_channel"])

        # customer cues before / after the agent's first turn
        at_first = groups.index.get_indexer(ev_key)
        ev_first = np.where(at_first >= 0, first[at_first], np.inf)
        ev_after = ev["turn_index"].astype("float64") > ev_first
        ctx_cue = cue.isin(CONTEXT_CUES) & (ev["role"] == "customer")
        count = ev_groups.sum

        # the customer's last word: their turns since the agent last spoke, once it has
        is_last = customer_start_end(key, role)[1]
        cust_cues = ev[cue.isin(("resolution_confirmed", "unresolved", "chasing"))]
        cc_key = pd.MultiIndex.from_arrays([cust_cues["interaction_id"].astype("string"),
                                            cust_cues["turn_index"].astype("int64")])
        confirmed = set(cc_key[(cust_cues["cue"] == "resolution_confirmed").to_numpy()])
        complained = set(cc_key[(cust_cues["cue"] != "resolution_confirmed").to_numpy()])
        good = pd.Series(turn_key.isin(confirmed)) | satisfied
        bad = pd.Series(turn_key.isin(complained)) | unsatisfied
        said_bad = groups.any(is_last & bad.to_numpy())
        said_good = groups.any(is_last & good.to_numpy())
        # NaN for an interaction without a last word: it said neither
        outcome = pd.Series(np.where(said_bad, 0.0, np.where(said_good, 1.0, np.nan)),
                            index=groups.index)

        per = groups.sum
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
