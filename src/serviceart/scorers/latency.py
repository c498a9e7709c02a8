"""Service measures of responsiveness: reply latency, SLA breaches, unanswered turns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import turn_times
from ..clock.calendar import BusinessCalendar
from .base import Scorer, ScoringContext, register_scorer
from .requests import asks_for_something

__all__ = ["LatencyScorer", "latency_table"]


def _first_per(keys: np.ndarray, rows: np.ndarray, n: int, last: bool = False) -> np.ndarray:
    """For each key in ``0..n-1``, the smallest (or largest) of ``rows`` with that key,
    else -1.

    Examples
    --------
    >>> _first_per(np.array([1, 0, 1]), np.array([4, 5, 6]), 3).tolist()
    [5, 4, -1]
    >>> _first_per(np.array([1, 0, 1]), np.array([4, 5, 6]), 3, last=True).tolist()
    [5, 6, -1]
    """
    if last:
        out = np.full(n, -1, dtype="int64")
        np.maximum.at(out, keys, rows)
        return out
    big = np.iinfo(np.int64).max
    out = np.full(n, big, dtype="int64")
    np.minimum.at(out, keys, rows)
    out[out == big] = -1
    return out


def latency_table(turns: pd.DataFrame, sla: pd.Series,
                  calendar: BusinessCalendar | None = None) -> pd.DataFrame:
    """The six latency measures of every interaction, computed for all at once.

    Parameters
    ----------
    turns
        In turn order within each interaction: ``interaction_id``, ``role``,
        ``start_s``, ``end_s`` (call timing), ``_epoch_s`` (message time, epoch
        seconds), ``_asks`` (a customer turn that asks for something), and
        ``_untimed`` / ``_unstamped`` (on every row: whether some turn of the
        interaction lacks its call timing / its time).
    sla
        The reply-time target of each interaction (index: interaction ids).
    calendar
        Count written-channel waits in business time.

    Returns
    -------
    pandas.DataFrame
        One row per interaction with turns (index: its id), the measures
        ``unanswered_customer_turns``, ``agent_replies``, ``first_response_s``,
        ``median_reply_s``, ``max_reply_s`` and ``replies_over_sla``.
    """
    codes, uniques = pd.factorize(turns["interaction_id"], sort=False)
    order = np.argsort(codes, kind="stable")
    g = codes[order]
    n, n_groups = len(g), len(uniques)
    role = np.asarray(turns["role"], dtype=object)[order]
    agent, customer = role == "agent", role == "customer"
    opens = np.r_[True, g[1:] != g[:-1]] if n else np.zeros(0, dtype=bool)
    heads = np.flatnonzero(opens)
    timed = ~np.asarray(turns["_untimed"], dtype=bool)[order][heads]
    stamped = ~timed & ~np.asarray(turns["_unstamped"], dtype=bool)[order][heads]
    clocked = timed | stamped  # else no timing: latency measures are NaN
    secs = np.asarray(turns["_epoch_s"], dtype="float64")[order]
    row_timed = timed[g]
    start = np.where(row_timed, np.asarray(turns["start_s"], dtype="float64")[order], secs)
    end = np.where(row_timed, np.asarray(turns["end_s"], dtype="float64")[order], secs)
    # segments: the turns after an agent turn up to and including the next one
    seg = np.cumsum(opens | np.r_[False, agent[:-1]]) - 1 if n else np.zeros(0, "int64")
    n_seg = int(seg[-1]) + 1 if n else 0
    cust_rows = np.flatnonzero(customer)
    first_cust = _first_per(seg[cust_rows], cust_rows, n_seg)
    last_cust = _first_per(seg[cust_rows], cust_rows, n_seg, last=True)
    # a reply: an agent turn whose segment holds a customer turn; it waited from the
    # end of the customer's last turn (calls) or from their first unanswered one
    reply = np.flatnonzero(agent & (first_cust[seg] >= 0))
    since_row = np.where(row_timed[reply], last_cust[seg[reply]], first_cust[seg[reply]])
    asked = end[since_row]
    wait = np.maximum(start[reply] - asked, 0.0)
    rg = g[reply]
    # the first response: the first reply after the first customer turn that asks
    asks = np.asarray(turns["_asks"], dtype=bool)[order] & customer
    ask_rows = np.flatnonzero(asks)
    request = _first_per(g[ask_rows], ask_rows, n_groups)
    after = reply > request[rg]
    answered = _first_per(rg[after & (request[rg] >= 0)],
                          np.flatnonzero(after & (request[rg] >= 0)), n_groups)
    first_reply = _first_per(rg, np.arange(len(reply)), n_groups)  # index into reply
    has_first = answered >= 0
    no_request = request < 0
    f_since = np.full(n_groups, np.nan)
    f_wait = np.full(n_groups, np.nan)
    k = answered[has_first]
    grp = np.flatnonzero(has_first)
    f_since[grp] = np.where(timed[grp], asked[k], end[request[grp]])
    f_wait[grp] = np.maximum(start[reply[k]] - f_since[grp], 0.0)
    use_first = no_request & (first_reply >= 0)
    f_since[use_first] = asked[first_reply[use_first]]
    f_wait[use_first] = wait[first_reply[use_first]]
    if calendar is not None:
        # written channels wait across nights and weekends: count business time only
        on = stamped[rg]
        fg = np.flatnonzero(stamped & ~np.isnan(f_wait))
        t0 = pd.to_datetime(np.r_[asked[on], f_since[fg]], unit="s", utc=True)
        t1 = t0 + pd.to_timedelta(np.r_[wait[on], f_wait[fg]], unit="s")
        busy = np.maximum(calendar.business_seconds_many(pd.Series(t0), pd.Series(t1)), 0.0)
        wait = wait.copy()
        wait[on] = busy[:int(on.sum())]
        f_wait[fg] = busy[int(on.sum()):]
    replies = np.bincount(rg, minlength=n_groups).astype("float64")
    last_agent = _first_per(g[agent], np.flatnonzero(agent), n_groups, last=True)
    late = customer & (np.arange(n) > last_agent[g])
    unanswered = np.bincount(g[late], minlength=n_groups).astype("float64")
    by = pd.Series(wait).groupby(rg)
    median = by.median().reindex(range(n_groups)).to_numpy()
    longest = by.max().reindex(range(n_groups)).to_numpy()
    limit = np.asarray(sla.reindex(pd.Index(uniques, dtype=object)).to_numpy(), dtype="float64")
    over = np.bincount(rg[wait > limit[rg]], minlength=n_groups).astype("float64")
    measured = clocked & (replies > 0)
    nan = np.full(n_groups, np.nan)
    return pd.DataFrame({
        "first_response_s": np.where(measured, f_wait, nan),
        "median_reply_s": np.where(measured, median, nan),
        "max_reply_s": np.where(measured, longest, nan),
        "replies_over_sla": np.where(clocked, np.where(measured, over, 0.0), nan),
        "agent_replies": np.where(clocked, replies, nan),
        "unanswered_customer_turns": unanswered,
    }, index=pd.Index(uniques, dtype=object))


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
        targets = pd.Series(sla, index=pd.Index(ids.tolist(), dtype=object))
        table = latency_table(turns, targets, ctx.calendar)
        measured = {c: table[c] if c in table else pd.Series(dtype="float64")
                    for c in self.columns[:6]}
        out = ctx.frame(measured)
        out["sla_s"] = sla
        with np.errstate(invalid="ignore", divide="ignore"):
            out["first_response_sla_ratio"] = out["first_response_s"].to_numpy() / sla
        return out
