"""``latency_table`` computes every interaction's latency measures at once; it must give
exactly what the rule gives when applied to one interaction at a time, turn by turn.

``_one`` below is that rule written as a plain loop over one interaction's turns (it is
how the scorer computed the measures until session 11): calls wait from the end of the
customer's last turn before the reply, messages from the first unanswered one; the first
response answers the first customer turn that asks for something (else the first one);
written channels count business time when a calendar is given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.clock.calendar import BusinessCalendar
from serviceart.scorers.latency import latency_table

MEASURES = ["first_response_s", "median_reply_s", "max_reply_s", "replies_over_sla",
            "agent_replies", "unanswered_customer_turns"]
CALENDAR = BusinessCalendar(hours={"mon-fri": "09:00-17:00"}, tz="Europe/London")
NAN = float("nan")


def _one(rows: pd.DataFrame, sla_s: float, calendar: BusinessCalendar | None) -> dict:
    """The measures of one interaction's turns (in turn order), turn by turn."""
    timed = not rows["_untimed"].iloc[0]
    stamped = not timed and not rows["_unstamped"].iloc[0]
    start = rows["start_s"].to_numpy(float) if timed else rows["_epoch_s"].to_numpy(float)
    end = rows["end_s"].to_numpy(float) if timed else rows["_epoch_s"].to_numpy(float)
    waits, asked = [], []
    pending = None
    last_agent = request = -1
    first = None
    for i, role in enumerate(rows["role"]):
        if role == "customer":
            if request < 0 and rows["_asks"].iloc[i]:
                request = i
            if timed or pending is None:
                pending = end[i]
        elif role == "agent":
            last_agent = i
            if pending is not None:
                waits.append(max(0.0, start[i] - pending))
                asked.append(pending)
                if first is None and request >= 0:
                    since = pending if timed else end[request]
                    first = (since, max(0.0, start[i] - since))
                pending = None
    out = {"unanswered_customer_turns":
           float(sum(r == "customer" for r in rows["role"].iloc[last_agent + 1:])),
           "agent_replies": float(len(waits))}
    if not (timed or stamped) or not waits:
        out.update(first_response_s=NAN, median_reply_s=NAN, max_reply_s=NAN,
                   replies_over_sla=0.0 if (timed or stamped) else NAN)
        if not (timed or stamped):
            out["agent_replies"] = NAN
        return out
    if request < 0:
        first = (asked[0], waits[0])
    arr = np.asarray(waits if first is None else [*waits, first[1]])
    if calendar is not None and stamped:
        t0 = pd.to_datetime(np.asarray(asked if first is None else [*asked, first[0]]),
                            unit="s", utc=True)
        t1 = t0 + pd.to_timedelta(arr, unit="s")
        arr = np.maximum(calendar.business_seconds_many(pd.Series(t0), pd.Series(t1)), 0.0)
    first_response = NAN if first is None else float(arr[-1])
    if first is not None:
        arr = arr[:-1]
    out.update(first_response_s=first_response, median_reply_s=float(np.median(arr)),
               max_reply_s=float(arr.max()), replies_over_sla=float((arr > sla_s).sum()))
    return out


# (role, asks, seconds since the previous turn ended, length): some waits run overnight
_turn = st.tuples(st.sampled_from(["customer", "agent", "system"]), st.booleans(),
                  st.one_of(st.integers(0, 4000), st.integers(20_000, 90_000)),
                  st.integers(0, 300))


@st.composite
def _turns(draw: st.DrawFn) -> pd.DataFrame:
    """Interactions of every timing kind: calls (offsets on every turn), messages
    (a time on every turn), and either with some timing missing."""
    rows = []
    for k in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["call", "message", "none"]))
        # early March 2026: weekdays, nights and a weekend
        clock = 1_772_442_000.0 + draw(st.integers(0, 400_000))
        gap_missing = draw(st.integers(-1, 7))
        for j, (role, asks, gap, length) in enumerate(draw(st.lists(_turn, max_size=9))):
            clock += gap
            missing = j == gap_missing
            rows.append({
                "interaction_id": f"i{k}", "role": role, "_asks": asks and role == "customer",
                "start_s": NAN if kind != "call" or missing else clock - 1_772_442_000.0,
                "end_s": NAN if kind != "call" else clock - 1_772_442_000.0 + length,
                "_epoch_s": NAN if kind == "none" or (kind == "message" and missing)
                else clock})
            clock += length
    frame = pd.DataFrame(rows, columns=["interaction_id", "role", "_asks", "start_s", "end_s",
                                        "_epoch_s"])
    frame["_untimed"] = frame["start_s"].isna() | frame["end_s"].isna()
    frame["_unstamped"] = frame["_epoch_s"].isna()
    by = frame.groupby("interaction_id", sort=False)
    frame[["_untimed", "_unstamped"]] = by[["_untimed", "_unstamped"]].transform("any")
    # interleave the interactions' rows, each keeping its turn order: shuffle the rows,
    # then give each interaction's places back to its rows in order
    shuffled = np.asarray(draw(st.permutations(range(len(frame)))), dtype=int)
    place = np.empty(len(frame), dtype=int)
    for _, rows in frame.groupby("interaction_id", sort=False).indices.items():
        place[rows] = np.sort(np.flatnonzero(np.isin(shuffled, rows)))
    return frame.iloc[np.argsort(place)].reset_index(drop=True)


def _same(got: float, want: float) -> bool:
    return (math.isnan(got) and math.isnan(want)) or got == want


@settings(max_examples=200, deadline=None)
@given(turns=_turns(), sla=st.sampled_from([0.0, 60.0, 900.0]), business=st.booleans())
def test_the_table_equals_the_turn_by_turn_rule(turns: pd.DataFrame, sla: float,
                                                business: bool) -> None:
    calendar = CALENDAR if business else None
    ids = pd.unique(turns["interaction_id"])
    targets = pd.Series(sla, index=pd.Index(ids, dtype=object))
    table = latency_table(turns, targets, calendar)
    assert table.index.tolist() == list(ids)
    for iid in ids:
        want = _one(turns[turns["interaction_id"] == iid], sla, calendar)
        got = table.loc[iid]
        wrong = {m: (got[m], want[m]) for m in MEASURES if not _same(float(got[m]), want[m])}
        assert not wrong, (iid, wrong)


def test_a_chat_and_a_call_by_hand() -> None:
    """A chat whose first message asks nothing, and a call whose agent speaks twice."""
    turns = pd.DataFrame({
        "interaction_id": ["chat"] * 5 + ["call"] * 4,
        "role": ["customer", "customer", "agent", "customer", "agent",
                 "customer", "agent", "agent", "customer"],
        "_asks": [False, True, False, True, False, True, False, False, False],
        "start_s": [NAN] * 5 + [0.0, 12.0, 20.0, 30.0],
        "end_s": [NAN] * 5 + [10.0, 18.0, 25.0, 31.0],
        "_epoch_s": [0.0, 30.0, 100.0, 200.0, 900.0] + [NAN] * 4,
    })
    turns["_untimed"] = turns["interaction_id"] == "chat"
    turns["_unstamped"] = turns["interaction_id"] == "call"
    table = latency_table(turns, pd.Series({"chat": 600.0, "call": 1.0}))
    chat, call = table.loc["chat"], table.loc["call"]
    # waits from the first unanswered message: 100 - 0 and 900 - 200; the first response
    # answers the first message that asks (30): 70 s
    assert (chat["first_response_s"], chat["median_reply_s"], chat["max_reply_s"]) == (
        70.0, 400.0, 700.0)
    assert (chat["replies_over_sla"], chat["agent_replies"],
            chat["unanswered_customer_turns"]) == (1.0, 2.0, 0.0)
    # one reply (the second agent turn has no customer turn before it), 12 - 10 = 2 s,
    # over the 1 s target; the customer's last turn is unanswered
    assert (call["first_response_s"], call["agent_replies"], call["replies_over_sla"],
            call["unanswered_customer_turns"]) == (2.0, 1.0, 1.0, 1.0)
