"""Service measures of responsiveness: reply latency, SLA breaches, unanswered turns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import turn_times
from ..clock.calendar import BusinessCalendar
from ._timeline import Group, split_groups
from .base import Scorer, ScoringContext, register_scorer
from .requests import asks_for_something

__all__ = ["LatencyScorer"]

_NAN = float("nan")


def _clock(group: Group) -> tuple[str, np.ndarray, np.ndarray]:
    """('timed', starts, ends) for calls, ('stamped', t, t) for messages, else ('none', ..).

    ``_untimed`` and ``_unstamped`` say, on every row of the group, whether some
    turn of it lacks ``start_s`` or ``end_s``, or its time (:meth:`LatencyScorer.score`
    finds them for all interactions at once).
    """
    start = np.asarray(group["start_s"], dtype="float64")
    end = np.asarray(group["end_s"], dtype="float64")
    if len(group) and not group["_untimed"][0]:
        return "timed", start, end
    secs = np.asarray(group["_epoch_s"], dtype="float64")
    if len(group) and not group["_unstamped"][0]:
        return "stamped", secs, secs
    nan = np.full(len(group), np.nan)
    return "none", nan, nan


def _latency(group: Group, sla_s: float,
             calendar: BusinessCalendar | None = None) -> dict[str, float]:
    kind, start, end = _clock(group)
    roles = np.asarray(group["role"], dtype=object)
    asks = group["_asks"]
    waits: list[float] = []
    asked: list[float] = []
    pending: float | None = None
    last_agent = -1
    request = -1  # the first customer turn that asks for something
    first: tuple[float, float] | None = None  # (from, wait) of the reply to it
    for i, role in enumerate(roles):
        if role == "customer":
            if request < 0 and asks[i]:
                request = i
            if kind == "timed":
                pending = end[i]  # a call: the gap after the customer stops speaking
            elif pending is None:
                pending = end[i]  # a message: from the first unanswered one
        elif role == "agent":
            last_agent = i
            if pending is not None:
                waits.append(max(0.0, float(start[i] - pending)))
                asked.append(pending)
                if first is None and request >= 0:
                    # a message is answered from the request itself, a call from the
                    # end of the customer's speech, as every reply is
                    since = pending if kind == "timed" else end[request]
                    first = (since, max(0.0, float(start[i] - since)))
                pending = None
    unanswered = float(sum(1 for r in roles[last_agent + 1:] if r == "customer"))
    out = {"unanswered_customer_turns": unanswered, "agent_replies": float(len(waits))}
    if kind == "none" or not waits:
        out.update(first_response_s=_NAN, median_reply_s=_NAN, max_reply_s=_NAN,
                   replies_over_sla=0.0 if kind != "none" else _NAN)
        if kind == "none":
            out["agent_replies"] = _NAN
        return out
    # no customer turn asks for anything: the first response answers the first turn
    if request < 0:
        first = (asked[0], waits[0])
    arr = np.asarray(waits if first is None else [*waits, first[1]])
    if calendar is not None and kind == "stamped":
        # written channels wait across nights and weekends: count business time only
        t0 = pd.to_datetime(np.asarray(asked if first is None else [*asked, first[0]]),
                            unit="s", utc=True)
        t1 = t0 + pd.to_timedelta(arr, unit="s")
        arr = np.maximum(calendar.business_seconds_many(pd.Series(t0), pd.Series(t1)), 0.0)
    first_response = _NAN if first is None else float(arr[-1])
    if first is not None:
        arr = arr[:-1]
    # np.median of one or two values is that value or their sum halved: skip its overhead
    median = (float(arr[0]) if len(arr) == 1 else float((arr[0] + arr[1]) / 2)
              if len(arr) == 2 else float(np.median(arr)))
    out.update(first_response_s=first_response, median_reply_s=median,
               max_reply_s=float(arr.max()), replies_over_sla=float((arr > sla_s).sum()))
    return out


@register_scorer
class LatencyScorer(Scorer):
    """Reply latency, replies over the SLA and unanswered customer turns.

    ``first_response_s`` runs from the first customer message that asks for
    something (a question, a request or a problem statement:
    :func:`serviceart.scorers.requests.asks_for_something`) to the agent's
    reply to it; NaN when that message is never answered. When no customer
    message asks for anything, it runs from the first customer message. Each
    interaction's SLA is its channel's (``sla_s``, from
    :attr:`ScoringContext.sla`), and ``first_response_sla_ratio`` is
    ``first_response_s / sla_s``.

    On written channels (every turn has a time: :func:`serviceart.clock.turn_times`,
    its ``timestamp`` or, for the turn that opened the interaction, ``started_at``)
    a reply's latency runs from the first unanswered customer message to the
    agent's reply. On timed
    calls it runs from the end of the customer's turn to the start of the
    agent's. Latency measures are NaN when the interaction has no timing. With
    a business calendar (``sa.score(..., calendar=...)``), written-channel
    waits count business time only (a Friday 17:55 message answered Monday
    9:05 waited 10 minutes) and ``sla_s`` applies to that clock; calls keep
    wall time.

    Parameters
    ----------
    sla_s
        Reply-time target in seconds for every channel; ``None`` takes the
        engine's targets by channel.
    """

    name = "latency"
    columns = ("first_response_s", "median_reply_s", "max_reply_s", "replies_over_sla",
               "agent_replies", "unanswered_customer_turns", "sla_s",
               "first_response_sla_ratio")

    def __init__(self, *, sla_s: float | None = None) -> None:
        self.sla_s = sla_s

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """Compute the latency measures for every interaction of ``ctx``."""
        ids = ctx.interactions["interaction_id"]
        sla = (ctx.sla_seconds() if self.sla_s is None
               else np.full(len(ids), float(self.sla_s)))
        sla_of = dict(zip(ids.tolist(), sla.tolist(), strict=True))
        turns = ctx.turns[["interaction_id", "start_s", "end_s"]].copy()
        turns["role"] = ctx.turns["role"].astype(object)
        customer = (turns["role"] == "customer").to_numpy()
        asks = np.zeros(len(turns), dtype=bool)
        asks[customer] = asks_for_something(ctx.turns["text"][customer])
        turns["_asks"] = asks
        # message times; a turn with an offset is call timing, which counts only when
        # every turn of the call has start_s and end_s, so such a turn keeps its timestamp
        said = turn_times(ctx.turns, ctx.interactions).where(
            ctx.turns["start_s"].isna(), ctx.turns["timestamp"])
        turns["_epoch_s"] = (said - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
        # per interaction, whether some turn lacks its call timing or its time
        turns["_untimed"] = turns["start_s"].isna() | turns["end_s"].isna()
        turns["_unstamped"] = turns["_epoch_s"].isna()
        by = turns.groupby("interaction_id", sort=False, dropna=False, observed=True)
        turns[["_untimed", "_unstamped"]] = by[["_untimed", "_unstamped"]].transform("any")
        rows = {iid: _latency(g, sla_of.get(iid, ctx.sla_s), ctx.calendar)
                for iid, g in split_groups(turns, ["role", "start_s", "end_s", "_epoch_s",
                                                   "_asks", "_untimed", "_unstamped"])}
        table = pd.DataFrame.from_dict(rows, orient="index")
        measured = {c: table[c] if c in table else pd.Series(dtype="float64")
                    for c in self.columns[:6]}
        out = ctx.frame(measured)
        out["sla_s"] = sla
        with np.errstate(invalid="ignore", divide="ignore"):
            out["first_response_sla_ratio"] = out["first_response_s"].to_numpy() / sla
        return out
