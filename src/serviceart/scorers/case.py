"""Case-level measures: contacts, handoffs and duration across a case, transfers in,
and the promise ledger's kept / broken / open counts.

Chunks always hold whole cases, so each chunk can compute these on its own.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..clock import contact_times  # noqa: F401  (still importable from here)
from .base import Scorer, ScoringContext, register_scorer

__all__ = ["CaseScorer", "LedgerScorer", "RepeatScorer", "context_opening"]

TRANSFER_GAP = pd.Timedelta(minutes=10)
"""A contact that starts this soon after the previous one of its case ended, with a
different agent, started as a transfer."""


@lru_cache(maxsize=1)
def context_opening() -> re.Pattern[str]:
    """Openings that show the new agent knows the context (``data/transfer_context.json``).

    Examples
    --------
    >>> bool(context_opening().search("Hi, I understand you're calling about your bill"))
    True
    >>> bool(context_opening().search("Hi, how can I help?"))
    False
    """
    data = json.loads(resources.files("serviceart").joinpath(
        "data/transfer_context.json").read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{p})" for p in data["context_openings"]), re.IGNORECASE)


@register_scorer
class CaseScorer(Scorer):
    """Contacts, agents and duration of the case; whether a contact started as a transfer.

    - ``contacts_in_case``: interactions sharing this one's ``case_id``.
    - ``case_handoffs``: distinct agents across the case (turn speakers, else the
      interaction's ``agent_id``), minus one.
    - ``case_resolution_s``: from the case's first contact start to its last
      contact's end (NaN without times).
    - ``case_channel_switches``: distinct channels across the case, minus one
      (customer effort: a chat that had to become a call, then an email).
    - ``transfer_in``: 1 when the export says the contact was initiated by a
      transfer (an ``initiation_method`` column equal to ``TRANSFER``), or when it
      starts within :data:`TRANSFER_GAP` of the end of the case's previous contact
      with a different agent; 0 otherwise; NaN when the timing cannot tell
      (no start time in a case of several contacts, or an untimed previous contact).
    - ``transfer_warm``: for transfers, 1 when one of the new agent's first two
      turns shows the context ("I understand you're calling about..."), else 0
      when the customer had to repeat themselves (a ``repeat_request`` cue); NaN
      when the text shows neither, and for contacts that are not transfers.
    """

    name = "case"
    columns = ("contacts_in_case", "case_handoffs", "case_resolution_s", "transfer_in",
               "transfer_warm", "case_channel_switches")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute the case measures for every interaction of ``ctx``."""
        inter = ctx.interactions.set_index("interaction_id")
        case = inter["case_id"].astype("string").fillna(inter.index.to_series().astype("string"))
        times = ctx.contact_times
        size = case.map(case.value_counts())

        agents = ctx.turns[ctx.turns["role"] == "agent"]  # (categories compare as they are)
        who = agents["speaker"].astype("string").fillna(
            agents["interaction_id"].map(inter["agent_id"]).astype("string"))
        per_case = pd.DataFrame({"case": agents["interaction_id"].map(case).to_numpy(),
                                 "who": who.to_numpy()}).dropna()
        distinct = per_case.groupby("case")["who"].nunique()
        handoffs = (case.map(distinct).fillna(1) - 1).clip(lower=0)

        first = times["started"].groupby(case).min()
        last = times["ended"].groupby(case).max()
        span = (last - first).dt.total_seconds()
        resolution = case.map(span)

        transfer_in, warm = self._transfers(ctx, inter, case, times, agents)
        channels = inter["channel"].astype("string").groupby(case).nunique()
        return ctx.frame({
            "contacts_in_case": size.astype("float64"),
            "case_handoffs": handoffs.astype("float64"),
            "case_resolution_s": resolution.astype("float64"),
            "transfer_in": transfer_in,
            "transfer_warm": warm,
            "case_channel_switches": (case.map(channels).fillna(1) - 1).clip(lower=0)
            .astype("float64"),
        })

    @staticmethod
    def _transfers(ctx: ScoringContext, inter: pd.DataFrame, case: pd.Series,
                   times: pd.DataFrame, agents: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Per interaction: whether it was transferred in, and whether warmly
        (``agents``: the agent turns of ``ctx.turns``)."""
        ids = inter.index
        flag = pd.Series(np.nan, index=ids, dtype="float64")
        method = next((c for c in inter.columns
                       if str(c).lower() in ("initiation_method", "initiationmethod")), None)
        said = (inter[method].astype("string").str.upper().str.strip() == "TRANSFER"
                if method is not None else pd.Series(False, index=ids))
        first_agent = agents.groupby("interaction_id", sort=False)["speaker"].first()
        agent = first_agent.reindex(ids).astype("string").fillna(
            inter["agent_id"].astype("string"))
        order = pd.DataFrame({"case": case, "started": times["started"],
                              "ended": times["ended"], "agent": agent,
                              "id": ids.astype("string")})
        # ties in time are broken by id, not by row order, so any order gives one result
        order = order.sort_values(["case", "started", "ended", "id"], kind="mergesort")
        prev_end = order.groupby("case")["ended"].shift()
        prev_agent = order.groupby("case")["agent"].shift()
        has_prev = prev_end.notna() | prev_agent.notna()
        gap = order["started"] - prev_end
        quick = (gap >= pd.Timedelta(0)) & (gap <= TRANSFER_GAP)
        other = order["agent"].notna() & prev_agent.notna() & (order["agent"] != prev_agent)
        by_timing = pd.Series(np.where(quick & other, 1.0, 0.0), index=order.index)
        # a contact without a start time cannot be placed among the others of its case
        shared = order.groupby("case")["case"].transform("size") > 1
        unknown = (has_prev & (order["started"].isna() | prev_end.isna())) | (
            shared & order["started"].isna())
        by_timing[unknown] = np.nan
        flag.loc[order.index] = by_timing
        flag[said.fillna(False).to_numpy(dtype=bool)] = 1.0

        warm = pd.Series(np.nan, index=ids, dtype="float64")
        moved = flag[flag == 1.0].index
        if len(moved):
            head = agents[agents["interaction_id"].isin(moved)].groupby(
                "interaction_id", sort=False).head(2)
            pattern = context_opening()
            shows = head.groupby("interaction_id")["text"].agg(
                lambda s: any(pattern.search(str(x)) for x in s))
            ev = ctx.evidence
            repeated = set(ev.loc[ev["cue"] == "repeat_request",
                                  "interaction_id"].astype(str))
            for iid in moved:
                if bool(shows.get(iid, False)):
                    warm[iid] = 1.0
                elif str(iid) in repeated:
                    warm[iid] = 0.0
        return flag, warm


@register_scorer
class LedgerScorer(Scorer):
    """``promises_kept``, ``promises_broken``, ``promises_open`` from the promise ledger.

    NaN when the engine built no ledger (a scorer run on its own).
    """

    name = "ledger"
    columns = ("promises_kept", "promises_broken", "promises_open")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Count each interaction's promises by ledger status."""
        if ctx.promises is None:
            return ctx.frame({c: np.full(len(ctx.interactions), np.nan) for c in self.columns})
        from ..cases.ledger import ledger_measures

        counts = ledger_measures(ctx.promises, ctx.interactions).set_index("interaction_id")
        return ctx.frame({c: counts[c] for c in self.columns})


@register_scorer
class RepeatScorer(Scorer):
    """``repeat_contact``: 1 when the customer contacted again later about the same issue.

    A later contact opened by the customer on the same case, or by the same
    ``customer_id`` within the case window, makes this contact a repeat; 0
    otherwise; NaN without a start time (see :func:`serviceart.cases.linking.repeat_contacts`).
    Repeats span the whole dataset, so the run plan finds them before scoring
    (:mod:`serviceart.run.plan`) and puts a ``repeat_contact`` column on the
    interactions, which this scorer reports; without that column (a scorer run on
    its own) they are found within the context's interactions.
    """

    name = "repeat"
    columns = ("repeat_contact",)

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Report (or, on its own, find) each interaction's repeat contact flag."""
        inter = ctx.interactions
        if "repeat_contact" in inter.columns:
            return ctx.frame({"repeat_contact": inter["repeat_contact"].to_numpy(
                dtype="float64", na_value=np.nan)})
        from ..cases.linking import repeat_contacts

        found = repeat_contacts(ctx.turns, inter, ctx.case_window)
        return ctx.frame({"repeat_contact": found})
