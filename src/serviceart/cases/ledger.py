"""The promise ledger: was each promise an agent made kept on the case?

:func:`promise_ledger` is a pure function over the turn, interaction and evidence
tables. It returns the PROMISES table (:data:`serviceart.schema.PROMISES`): one row
per ``promise`` cue, with its due time, a status (``kept``, ``broken``, ``open`` or
``unverifiable``), the contact that settled it, the lateness, the customer
``chasing`` cues linked to it and, on every row, the reason in words.
:func:`ledger_measures` turns a ledger into the measures ``promises_kept``,
``promises_broken`` and ``promises_open`` per interaction.

Rules
-----
* **Time of a turn** (:func:`serviceart.clock.turn_times`, the same for evidence and
  due times): its ``timestamp``; else its interaction's ``started_at`` + ``start_s``
  (calls); else, for the first non-system turn of an interaction, the interaction's
  ``started_at`` (that turn opened it); else unknown. No time is ever guessed from
  turn order alone. A promise whose turn has no time has no due time either, even
  when it states one (its ``due_phrase`` is kept).
* **made_at** is the promise turn's reference time
  (:func:`serviceart.clock.reference_times`: its time, else the start of the call
  or chat it was said in). **due** is the promise's evidence
  ``due_at`` when one was stated and resolved (``due_source="stated"``);
  else ``made_at`` + the channel's default horizon (``due_source="default"``, see
  :data:`DEFAULT_HORIZONS`, replaced channel by channel with ``horizons=``); else
  there is none (``due_source="none"``: no time, no channel, or a channel whose
  horizon is ``None``).
* **Default horizons with a calendar** count business time: a horizon of *d* days
  is *d* typical business days, where a typical business day is the calendar's
  weekly open seconds divided by its number of open weekdays (8 h for Monday to
  Friday 09:00-17:00). The due time is then
  ``calendar.add_business(made_at, d * typical_day_seconds)``: a 2-day email horizon
  from Friday 16:00 ends on Tuesday 16:00, or Wednesday 16:00 when Monday is a
  holiday. With :meth:`~serviceart.clock.calendar.BusinessCalendar.always_open` this
  is wall-clock time. Stated due times are never moved by the calendar.
* **Settling events** are agent turns on the same ``case_id``, strictly after
  ``made_at`` (and not after ``as_of``):

  - ``agent_contact``: the first non-system turn of another interaction of the
    case, when it is the agent's (the agent opened that contact);
  - ``follow_up``: an agent turn carrying a ``follow_up`` cue, in another
    interaction, or later in the same thread;
  - ``agent_reply``: a later agent turn in the same interaction when it is a
    *thread*, or an agent turn of another thread of the case that answers a
    customer turn before it in that thread. Threads are the asynchronous channels
    (:data:`THREAD_CHANNELS`: email, social, forum), where each agent message is a
    contact of its own. Calls and chats are live: their later turns are part of the
    same sitting ("I'll call you back tomorrow" cannot be kept inside the call, nor
    "I'll phone you by 11am tomorrow" by the next line of the chat), and the agent
    answering a call or chat the customer opened is not coming back, unless the
    turn carries a ``follow_up`` cue. ``thread_channels=`` changes the set (pass
    :data:`WRITTEN_CHANNELS` to count chats as threads). An interaction without a
    channel is not a thread.

  A turn that is several of these is labelled ``agent_contact``, else ``follow_up``,
  else ``agent_reply``. The earliest event (ties: interaction order, then turn)
  settles the promise: at or before ``due`` it is ``kept``; after ``due`` it is
  ``broken`` (late). With no event the promise is ``broken`` when ``due`` is before
  ``as_of`` and ``open`` otherwise (``due`` at or after ``as_of``).
* ``as_of`` defaults to the latest known turn time or ``started_at`` in the tables
  passed. The engine passes the end of the whole dataset, so that a chunk of cases
  is judged against the same instant as all the others. Events and chasing cues
  after ``as_of`` are not seen.
* **unverifiable**, with the reason, when the data cannot tell: the promise turn has
  no time; there is no due time; or a possible settling event on the case has no
  time (it could have come by the due time) and no timed event settles the promise
  in time. A promise kept by a timed event stays ``kept`` whatever untimed turns the
  case also has: they could change which contact settled it, never the status.
  ``settled_*`` and ``lateness_s`` are empty for unverifiable promises.
* **lateness_s** is ``settled_at - due`` for settled promises (negative: early),
  ``as_of - due`` for unsettled broken and open ones (negative: time left). With a
  ``calendar`` it is in business seconds
  (``calendar.business_seconds(due, settled_at)``), else in wall-clock seconds.
  Kept/broken is always decided on instants, so a contact on a holiday Monday after
  a Friday due time is late by 0 business seconds and still ``broken``.
* **Chasing**: each customer ``chasing`` cue of the case with a known time *c* is
  linked to the most recent promise of the case made before *c* (latest
  ``made_at``; ties: interaction order, turn, character) that was not settled before
  *c*, i.e. whose first settling event, if any, is at or after *c*. A chasing cue
  with no such promise, or without a time, is linked to none. ``chased`` counts the
  linked cues; ``chased_by`` lists their ``"interaction_id:turn_index"`` as JSON, one
  entry per cue, in time order (``"[]"`` when none).
* One row per promise cue, several per turn when a turn makes several promises;
  ``promise_id`` is ``"interaction_id:turn_index:start_char"``. Rows are in the
  order of ``interactions``, then ``turn_index``, then ``start_char``. Work is done
  case by case: the cost grows with promises × agent turns within each case, and
  linearly with the number of cases.

Examples
--------
>>> import pandas as pd
>>> import serviceart as sa
>>> turns = pd.DataFrame({
...     "interaction_id": ["c1", "c1", "c2"], "case_id": "k1", "channel": "call",
...     "role": ["customer", "agent", "agent"],
...     "text": ["My refund hasn't arrived.", "I'll call you back tomorrow before noon.",
...              "Hello, I'm calling back as promised about your refund."],
...     "timestamp": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:01",
...                                  "2026-03-03 09:10"], utc=True)})
>>> conv = sa.Conversations.from_frames(turns)
>>> evidence = pd.DataFrame({
...     "interaction_id": ["c1"], "turn_index": [1], "role": ["agent"], "cue": ["promise"],
...     "start_char": [0], "end_char": [18], "text": ["I'll call you back"],
...     "detail": ['{"action": "I\\'ll call you back", "due_phrase": "tomorrow before noon"}'],
...     "due_at": [pd.Timestamp("2026-03-03 12:00Z")]})
>>> ledger = promise_ledger(conv.turns, conv.interactions, evidence)
>>> ledger[["promise_id", "status", "settled_by", "settled_how", "lateness_s"]]
  promise_id status settled_by    settled_how  lateness_s
0     c1:1:0   kept       c2:0  agent_contact    -10200.0
>>> print(ledger["reason"][0])
kept: agent contact c2:0 at 2026-03-03 09:10 UTC, 2 h 50 min before the due time \
2026-03-03 12:00 UTC (stated: 'tomorrow before noon')
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from .._ids import member
from ..clock import reference_times, turn_times
from ..clock.calendar import BusinessCalendar
from ..codebook import CHANNELS
from ..errors import ConfigError, InputError
from ..schema import EVIDENCE, INTERACTIONS, PROMISES, TURNS, conform, empty

# turn_times is re-exported from serviceart.clock, where it is defined
__all__ = ["DEFAULT_HORIZONS", "STATUSES", "THREAD_CHANNELS", "WRITTEN_CHANNELS",
           "ledger_measures", "promise_ledger", "turn_times"]

#: When a promise states no due time, it falls due this long after it was made.
#: The values follow typical published service levels: phone callbacks within two
#: working days, chat and social media answered within a day, e-mail within two
#: days, community forums (moderated, often answered by peers first) within three.
DEFAULT_HORIZONS: dict[str, pd.Timedelta] = {
    "call": pd.Timedelta(days=2),
    "chat": pd.Timedelta(days=1),
    "email": pd.Timedelta(days=2),
    "social": pd.Timedelta(days=1),
    "forum": pd.Timedelta(days=3),
}

#: Asynchronous channels: each agent message in a thread is a contact of its own, so
#: a later agent message in the same interaction can keep a promise. Calls and chats
#: are live conversations: their later turns belong to the same sitting.
THREAD_CHANNELS: frozenset[str] = frozenset({"email", "social", "forum"})

#: Every written channel, chats included (``thread_channels=WRITTEN_CHANNELS`` counts
#: a chat's later agent lines as replies that can keep its promises).
WRITTEN_CHANNELS: frozenset[str] = frozenset({"chat", "email", "social", "forum"})

#: The statuses a promise can have.
STATUSES: tuple[str, ...] = ("kept", "broken", "open", "unverifiable")

_HOW_WORDS = {"agent_contact": "agent contact", "follow_up": "agent follow-up",
              "agent_reply": "agent reply"}
_DAY_S = 86_400.0


# -- small helpers ---------------------------------------------------------------------


def _fmt_ts(ts: pd.Timestamp) -> str:
    fmt = "%Y-%m-%d %H:%M:%S" if ts.second or ts.microsecond else "%Y-%m-%d %H:%M"
    return ts.strftime(fmt) + " UTC"


def _fmt_dur(seconds: float) -> str:
    """``9000`` -> ``"2 h 30 min"``; sign dropped, whole seconds."""
    rest = round(abs(seconds))
    if rest == 0:
        return "0 s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60), ("s", 1)):
        n, rest = divmod(rest, size)
        if n:
            parts.append(f"{n} {unit}")
    return " ".join(parts)


def _utc(value: pd.Timestamp | datetime | str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _horizons(horizons: Mapping[str, pd.Timedelta | str | None] | None
              ) -> dict[str, pd.Timedelta | None]:
    """The default horizons with the caller's replacements, validated."""
    out: dict[str, pd.Timedelta | None] = dict(DEFAULT_HORIZONS)
    if horizons is None:
        return out
    if not isinstance(horizons, Mapping):
        raise ConfigError(f"horizons must be a mapping of channel to duration, got "
                          f"{type(horizons).__name__}", field="horizons", code="SA-C060")
    for channel, value in horizons.items():
        if channel not in CHANNELS:
            raise ConfigError(f"unknown channel {channel!r} in horizons: use one of "
                              f"{list(CHANNELS)}", field="horizons", code="SA-C061")
        if value is None:
            out[channel] = None
            continue
        try:
            td = pd.Timedelta(value)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"bad horizon {value!r} for {channel}: give a duration such "
                              "as '2 days' or '36h'", field="horizons", code="SA-C062") from exc
        if td is pd.NaT or td <= pd.Timedelta(0):
            raise ConfigError(f"the horizon for {channel} must be a positive duration, got "
                              f"{value!r}", field="horizons", code="SA-C063")
        out[channel] = td
    return out


def _thread_channels(channels: Collection[str] | None) -> frozenset[str]:
    if channels is None:
        return THREAD_CHANNELS
    if isinstance(channels, str):
        channels = [channels]
    out = frozenset(channels)
    unknown = sorted(out - set(CHANNELS))
    if unknown:
        raise ConfigError(f"unknown channel(s) {unknown} in thread_channels: use "
                          f"{list(CHANNELS)}", field="thread_channels", code="SA-C064")
    return out


def _typical_day_s(calendar: BusinessCalendar) -> float:
    """Open seconds of a typical business day: weekly open seconds / open weekdays."""
    open_days = sum(1 for day in calendar.hours if day)
    if not open_days:
        raise ConfigError("the business calendar has no opening hours, so no default "
                          "horizon can elapse: give hours such as {'mon-fri': '09:00-17:00'}",
                          field="calendar", code="SA-C065")
    return calendar.weekly_seconds() / open_days


def _detail(raw: Any) -> dict[str, Any]:
    if raw is None or raw is pd.NA or (isinstance(raw, float) and np.isnan(raw)):
        return {}
    try:
        value = json.loads(str(raw))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# -- the ledger ------------------------------------------------------------------------


def _keys(frame: pd.DataFrame, iid: str = "interaction_id", turn: str = "turn_index"
          ) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([frame[iid].astype(str).to_numpy(dtype=object),
                                      frame[turn].to_numpy(dtype="int64")])


def _turn_table(turns: pd.DataFrame, inter: pd.DataFrame, follow_ups: pd.MultiIndex,
                threads: frozenset[str]) -> pd.DataFrame:
    """Turns with time, case, channel, order and the event labels they can carry."""
    order = pd.Series(np.arange(len(inter)), index=inter["interaction_id"].to_numpy())
    iid = turns["interaction_id"].astype("string")
    t = pd.DataFrame({
        "iid": iid.to_numpy(dtype=object),
        "turn": turns["turn_index"].to_numpy(dtype="int64"),
        "role": turns["role"].astype("string").to_numpy(dtype=object),
        "speaker": turns["speaker"].astype("string").to_numpy(dtype=object),
        "time": turn_times(turns, inter).array,
        "said": reference_times(turns, inter).array,
        "order": iid.map(order).to_numpy(),
    })
    t["order"] = t["order"].astype("int64")  # every turn has its row: _of_promise_cases
    case = inter["case_id"].astype("string").fillna(inter["interaction_id"].astype("string"))
    t["case"] = t["iid"].map(dict(zip(inter["interaction_id"], case, strict=True)))
    t["channel"] = t["iid"].map(dict(zip(inter["interaction_id"],
                                         inter["channel"].astype("string"), strict=True)))
    t = t.sort_values(["order", "turn"], kind="stable").reset_index(drop=True)
    nonsys = t["role"] != "system"
    first = t[nonsys].groupby("iid", sort=False)["turn"].transform("min")
    t["first"] = False
    t.loc[first.index, "first"] = t.loc[first.index, "turn"] == first
    cust = (t["role"] == "customer").astype("int64")
    t["after_customer"] = (cust.groupby(t["iid"], sort=False).cumsum() - cust) > 0
    t["thread"] = t["channel"].isin(threads).fillna(False).astype(bool)
    t["follow_up"] = _keys(t, "iid", "turn").isin(follow_ups)
    agent = t["role"] == "agent"
    # the label an agent turn carries for a promise made in *another* interaction
    other = np.where(t["first"], "agent_contact",
                     np.where(t["follow_up"], "follow_up",
                              np.where(t["thread"] & t["after_customer"], "agent_reply", "")))
    t["other_label"] = np.where(agent, other, "")
    # ... and for a promise made earlier in the *same* interaction
    same = np.where(t["follow_up"], "follow_up", "agent_reply")
    t["same_label"] = np.where(agent & t["thread"], same, "")
    return t


def _of_promise_cases(turns: pd.DataFrame, inter: pd.DataFrame, prom: pd.DataFrame
                      ) -> pd.DataFrame:
    """The turns of the cases that hold a promise: only their turns can make, keep or
    chase one (every turn is still checked to belong to an interaction)."""
    ids = inter["interaction_id"].astype("string")
    iid = turns["interaction_id"].astype("string")
    known = member(iid, ids)
    if not known.all():
        bad = iid[~known].iloc[0]
        raise InputError(f"turn of interaction {bad!r} has no row in the interactions "
                         "table: pass conformed tables of whole cases", field="interaction_id",
                         code="SA-I015")
    case = inter["case_id"].astype("string").fillna(ids)
    cases = case[ids.isin(prom["interaction_id"].astype("string")).to_numpy(dtype=bool)]
    keep = ids[case.isin(cases).to_numpy(dtype=bool)]
    if len(keep) == len(ids):
        return turns
    return turns[iid.isin(keep).to_numpy(dtype=bool)]


def _check_named(rows: pd.DataFrame, turns: pd.DataFrame, what: str) -> None:
    """Raise when an evidence row names a turn that ``turns`` lacks."""
    iids = rows["interaction_id"].astype("string")
    theirs = turns[turns["interaction_id"].astype("string").isin(iids).to_numpy(dtype=bool)]
    named = _keys(rows)
    missing = ~named.isin(_keys(theirs))
    if missing.any():
        iid, turn = named[np.flatnonzero(missing)[0]]
        raise _unnamed_turn(what, iid, turn)


def _unnamed_turn(what: str, iid: str, turn: int) -> InputError:
    return InputError(f"{what} evidence names turn {turn} of interaction {iid!r}, "
                      "which the turns table lacks: pass the evidence of these turns",
                      record=f"{iid}:{turn}", code="SA-I016")


class _Event:
    __slots__ = ("how", "iid", "order", "time", "turn")

    def __init__(self, iid: str, turn: int, order: int, time: pd.Timestamp, how: str) -> None:
        self.iid, self.turn, self.order, self.time, self.how = iid, turn, order, time, how

    @property
    def ref(self) -> str:
        return f"{self.iid}:{self.turn}"


# an agent turn of a case: (iid, turn, order, time or None, other_label, same_label)
_AgentTurn = tuple[str, int, int, "pd.Timestamp | None", str, str]


def _events_for(p: dict[str, Any], agent_turns: list[_AgentTurn], as_of: pd.Timestamp | None
                ) -> tuple[_Event | None, list[str]]:
    """The earliest timed settling event of a promise, and the untimed candidates."""
    best: _Event | None = None
    untimed: list[str] = []
    for iid, turn, order, time, other, same in agent_turns:
        if iid == p["iid"]:
            if turn <= p["turn"] or not same:
                continue
            how = same
        elif other:
            how = other
        else:
            continue
        if time is None:
            untimed.append(f"{iid}:{turn}")
            continue
        if time <= p["made_at"] or (as_of is not None and time > as_of):
            continue
        if best is None or (time, order, turn) < (best.time, best.order, best.turn):
            best = _Event(iid, turn, order, time, how)
    return best, untimed


def _lateness(due: pd.Timestamp, when: pd.Timestamp, calendar: BusinessCalendar | None
              ) -> float:
    if calendar is not None:
        return float(calendar.business_seconds(due, when))
    return float((when - due).total_seconds())


def _judge(p: dict[str, Any], event: _Event | None, untimed: list[str],
           as_of: pd.Timestamp | None, calendar: BusinessCalendar | None) -> dict[str, Any]:
    """Status, settling contact, lateness and reason of one promise."""
    out: dict[str, Any] = {"status": "unverifiable", "settled_by": None, "settled_how": None,
                           "settled_at": pd.NaT, "lateness_s": np.nan}
    biz = " of business time" if calendar is not None else ""
    due, made = p["due"], p["made_at"]
    if made is None:
        out["reason"] = f"unverifiable: {p['no_time']}"
        return out
    if due is None:
        where = (f"the {p['channel']} channel" if p["channel"]
                 else "an interaction without a channel")
        seen = (f"; the first agent contact after it was {_HOW_WORDS[event.how]} {event.ref} "
                f"at {_fmt_ts(event.time)}" if event is not None else "")
        out["reason"] = ("unverifiable: no due time was stated and there is no default "
                         f"horizon for {where}{seen}")
        return out
    due_txt = f"the due time {_fmt_ts(due)} ({p['due_words']})"
    if event is not None and event.time <= due:
        late = _lateness(due, event.time, calendar)
        when = ("exactly at" if late == 0 else f"{_fmt_dur(late)}{biz} before")
        note = (f"; agent turns without a time ({', '.join(untimed[:3])}) cannot change that"
                if untimed else "")
        out.update(status="kept", settled_by=event.ref, settled_how=event.how,
                   settled_at=event.time, lateness_s=late,
                   reason=f"kept: {_HOW_WORDS[event.how]} {event.ref} at {_fmt_ts(event.time)}, "
                          f"{when} {due_txt}{note}")
        return out
    if untimed:
        more = f" and {len(untimed) - 3} more" if len(untimed) > 3 else ""
        out["reason"] = (f"unverifiable: agent turns on case {p['case']} have no time "
                         f"({', '.join(untimed[:3])}{more}), so the data cannot tell whether "
                         f"the agent came back by {due_txt}")
        return out
    if event is not None:
        late = _lateness(due, event.time, calendar)
        out.update(status="broken", settled_by=event.ref, settled_how=event.how,
                   settled_at=event.time, lateness_s=late,
                   reason=f"broken: the first agent contact came late: "
                          f"{_HOW_WORDS[event.how]} {event.ref} at {_fmt_ts(event.time)}, "
                          f"{_fmt_dur(late)}{biz} after {due_txt}")
        return out
    if as_of is None:
        out["reason"] = (f"unverifiable: no agent contact followed and the data has no time "
                         f"to compare {due_txt} with")
        return out
    late = _lateness(due, as_of, calendar)
    if due < as_of:
        out.update(status="broken", lateness_s=late,
                   reason=f"broken: no agent contact or reply on case {p['case']} after the "
                          f"promise by {due_txt}; the data ends {_fmt_dur(late)}{biz} after it, "
                          f"at {_fmt_ts(as_of)}")
    else:
        out.update(status="open", lateness_s=late,
                   reason=f"open: {due_txt} is not before the end of the data "
                          f"({_fmt_ts(as_of)}), and no agent contact has come yet")
    return out


def promise_ledger(
    turns: pd.DataFrame,
    interactions: pd.DataFrame,
    evidence: pd.DataFrame,
    *,
    as_of: pd.Timestamp | datetime | str | None = None,
    horizons: Mapping[str, pd.Timedelta | str | None] | None = None,
    calendar: BusinessCalendar | None = None,
    thread_channels: Collection[str] | None = None,
) -> pd.DataFrame:
    """One row per promise cue (the PROMISES table): due time, status and evidence.

    The rules are in the module docstring (:mod:`serviceart.cases.ledger`).

    Parameters
    ----------
    turns, interactions
        Conformed tables (see :class:`serviceart.Conversations`) of whole cases: every
        interaction of a case must be present.
    evidence
        The EVIDENCE table of those turns (:func:`serviceart.cues.evidence.extract_evidence`):
        ``promise``, ``follow_up`` and ``chasing`` rows are used.
    as_of
        The end of the data: unsettled promises due before it are broken, others open;
        later events are not seen. Default: the latest known turn time or
        ``started_at`` in ``turns``/``interactions``. The engine passes the end of the
        whole dataset.
    horizons
        Default horizons per channel for promises without a stated due time, replacing
        those of :data:`DEFAULT_HORIZONS` channel by channel (durations or strings
        such as ``"36h"``; ``None`` gives a channel no default).
    calendar
        Business hours: default horizons count business days and ``lateness_s`` is in
        business seconds.
    thread_channels
        Channels whose agent messages are contacts of their own (a later agent message
        in the same interaction, or an agent answer in another one, can keep a
        promise). Default :data:`THREAD_CHANNELS` (email, social, forum).

    Returns
    -------
    pandas.DataFrame
        The PROMISES table, in the order of ``interactions``, then turn, then character.

    Raises
    ------
    ConfigError
        On a bad ``horizons`` mapping, an unknown thread channel or a calendar without
        opening hours.
    InputError
        When evidence or turns name an interaction or turn the tables lack.

    Examples
    --------
    A chat promise with no stated due time falls due a day later; nothing followed:

    >>> import pandas as pd
    >>> import serviceart as sa
    >>> conv = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "ch1", "channel": "chat", "role": ["customer", "agent"],
    ...     "text": ["Where is my label?", "I'll send you the return label."],
    ...     "timestamp": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:05"], utc=True)}))
    >>> ev = pd.DataFrame({"interaction_id": ["ch1"], "turn_index": [1], "role": ["agent"],
    ...     "cue": ["promise"], "start_char": [0], "end_char": [13], "text": ["I'll send you"],
    ...     "detail": ['{"action": "I\\'ll send you"}']})
    >>> row = promise_ledger(conv.turns, conv.interactions, ev,
    ...                      as_of=pd.Timestamp("2026-03-04 09:05Z")).iloc[0]
    >>> row["due_source"], str(row["due"]), row["status"], float(row["lateness_s"]) / 3600
    ('default', '2026-03-03 09:05:00+00:00', 'broken', 24.0)
    """
    turns = conform(turns, TURNS)
    inter = conform(interactions, INTERACTIONS)
    evidence = conform(evidence, EVIDENCE)
    hz = _horizons(horizons)
    threads = _thread_channels(thread_channels)
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise ConfigError(f"calendar must be a BusinessCalendar, got {type(calendar).__name__}",
                          field="calendar", code="SA-C066")
    day_s = _typical_day_s(calendar) if calendar is not None else None
    cue = evidence["cue"].astype("string")
    role = evidence["role"].astype("string")
    prom = evidence[(cue == "promise") & (role == "agent")]
    if prom.empty:
        return empty(PROMISES)
    fu = evidence[(cue == "follow_up") & (role == "agent")]
    ch = evidence[(cue == "chasing") & (role == "customer")]
    as_of_ts = _utc(as_of)
    if as_of_ts is None:  # the latest time of all the turns, not only the cases' below
        latest = [x for x in (turn_times(turns, inter).max(), inter["started_at"].max())
                  if pd.notna(x)]
        as_of_ts = max(latest) if latest else None
    sub = _of_promise_cases(turns, inter, prom)
    if len(sub) < len(turns):  # chasing in the other cases: only checked to name a turn
        elsewhere = ~member(ch["interaction_id"], sub["interaction_id"])
        if elsewhere.any():
            _check_named(ch[elsewhere], turns, "chasing")
            ch = ch[~elsewhere]
    t = _turn_table(sub, inter, _keys(fu), threads)
    # the turns that matter (agent turns, chasing turns) as plain Python columns
    t = t[(t["role"] == "agent").to_numpy() | _keys(t, "iid", "turn").isin(_keys(ch))]
    # times are read one at a time, only for the turns that need one (a Timestamp per
    # agent turn of a large chunk costs more than the rest of the ledger)
    times, saids = t["time"].array, t["said"].array

    def t_time(n: int) -> pd.Timestamp | None:
        x = times[n]
        return None if x is pd.NaT else x

    def t_said(n: int) -> pd.Timestamp | None:
        x = saids[n]
        return None if x is pd.NaT else x
    t_case = t["case"].tolist()
    t_order = t["order"].tolist()
    t_channel = [None if pd.isna(x) else str(x) for x in t["channel"].to_numpy(dtype=object)]
    t_speaker = [None if pd.isna(x) else str(x) for x in t["speaker"].to_numpy(dtype=object)]
    tpos = {(i, k): n for n, (i, k) in enumerate(zip(t["iid"].tolist(), t["turn"].tolist(),
                                                     strict=True))}
    started = dict(zip(inter["interaction_id"], inter["started_at"], strict=True))

    def locate(iid: str, turn: int, what: str) -> int:
        n = tpos.get((iid, turn))
        if n is None:
            raise _unnamed_turn(what, iid, turn)
        return n

    # -- one record per promise --------------------------------------------------------
    promises: list[dict[str, Any]] = []
    for iid, turn, start_char, text, raw, due_at in zip(
            prom["interaction_id"].astype(str), prom["turn_index"].astype(int),
            prom["start_char"].astype(int), prom["text"].astype(str), prom["detail"],
            prom["due_at"], strict=True):
        n = locate(iid, turn, "promise")
        detail = _detail(raw)
        made, channel = t_said(n), t_channel[n]
        # a stated due time counts from the promise's time: none when that is unknown
        stated = None if made is None or pd.isna(due_at) else due_at
        p: dict[str, Any] = {
            "iid": iid, "turn": turn, "start_char": start_char, "order": t_order[n],
            "case": t_case[n], "channel": channel, "made_at": made, "agent": t_speaker[n],
            "action": detail.get("action", text), "due_phrase": detail.get("due_phrase"),
        }
        horizon = hz.get(channel) if channel is not None else None
        if stated is not None:
            p.update(due=stated, due_source="stated",
                     due_words=f"stated: {detail.get('due_phrase')!r}")
        elif made is not None and horizon is not None:
            if calendar is not None and day_s is not None:
                days = horizon.total_seconds() / _DAY_S
                due = calendar.add_business(made, days * day_s)
                words = (f"no due time stated: default {channel} horizon of {days:g} "
                         f"business day(s), {_fmt_dur(days * day_s)} of business time")
            else:
                due = made + horizon
                words = (f"no due time stated: default {channel} horizon of "
                         f"{_fmt_dur(horizon.total_seconds())}")
            p.update(due=due, due_source="default", due_words=words)
        else:
            p.update(due=None, due_source="none", due_words="")
        if made is None:
            p["no_time"] = (
                f"the promise turn has no time: no timestamp, and interaction {iid} has no "
                "start time (started_at)" if pd.isna(started.get(iid)) else
                f"the promise turn has no time: no timestamp and no start_s offset into "
                f"interaction {iid} (its started_at dates only the turn that opened it)")
            if p["due_phrase"]:
                p["no_time"] += f", so the due time {p['due_phrase']!r} cannot be resolved"
        promises.append(p)

    # -- settling events and chasing cues, case by case -------------------------------
    agent_turns: dict[Any, list[_AgentTurn]] = {}
    with_promises = {p["case"] for p in promises}  # only their agent turns can settle one
    for n, (iid, turn, role_n, other, same) in enumerate(zip(
            t["iid"].tolist(), t["turn"].tolist(), t["role"].tolist(),
            t["other_label"].tolist(), t["same_label"].tolist(), strict=True)):
        if role_n == "agent" and t_case[n] in with_promises:
            agent_turns.setdefault(t_case[n], []).append(
                (iid, turn, t_order[n], t_time(n), other, same))
    chases: dict[Any, list[tuple[pd.Timestamp, int, int, str]]] = {}
    for iid, turn in zip(ch["interaction_id"].astype(str), ch["turn_index"].astype(int),
                         strict=True):
        n = locate(iid, turn, "chasing")
        c_time = t_time(n)
        if c_time is not None and (as_of_ts is None or c_time <= as_of_ts):
            chases.setdefault(t_case[n], []).append((c_time, t_order[n], turn, f"{iid}:{turn}"))

    by_case: dict[Any, list[int]] = {}
    for k, p in enumerate(promises):
        by_case.setdefault(p["case"], []).append(k)
    for case, ks in by_case.items():
        for k in ks:
            p = promises[k]
            event, untimed = (_events_for(p, agent_turns.get(case, []), as_of_ts)
                              if p["made_at"] is not None else (None, []))
            p["cutoff"] = event.time if event is not None else None
            p.update(_judge(p, event, untimed, as_of_ts, calendar))
            p["chased_by"] = []
        for c_time, *_, ref in sorted(chases.get(case, [])):
            best: tuple[Any, ...] | None = None
            for k in ks:
                p = promises[k]
                if p["made_at"] is None or not p["made_at"] < c_time:
                    continue
                if p["cutoff"] is not None and p["cutoff"] < c_time:
                    continue
                key = (p["made_at"], p["order"], p["turn"], p["start_char"], k)
                if best is None or key > best:
                    best = key
            if best is not None:
                promises[best[-1]]["chased_by"].append(ref)

    promises.sort(key=lambda p: (p["order"], p["turn"], p["start_char"]))
    frame = pd.DataFrame({
        "promise_id": [f"{p['iid']}:{p['turn']}:{p['start_char']}" for p in promises],
        "interaction_id": [p["iid"] for p in promises],
        "case_id": [p["case"] for p in promises],
        "turn_index": [p["turn"] for p in promises],
        "agent": [p["agent"] for p in promises],
        "action": [p["action"] for p in promises],
        "due_phrase": [p["due_phrase"] for p in promises],
        "made_at": pd.to_datetime([p["made_at"] for p in promises], utc=True),
        "due": pd.to_datetime([p["due"] for p in promises], utc=True),
        "due_source": [p["due_source"] for p in promises],
        "status": [p["status"] for p in promises],
        "settled_by": [p["settled_by"] for p in promises],
        "settled_how": [p["settled_how"] for p in promises],
        "settled_at": pd.to_datetime([p["settled_at"] for p in promises], utc=True),
        "lateness_s": np.array([p["lateness_s"] for p in promises], dtype="float64"),
        "chased": [len(p["chased_by"]) for p in promises],
        "chased_by": [json.dumps(p["chased_by"]) for p in promises],
        "reason": [p["reason"] for p in promises],
    })
    return conform(frame, PROMISES)


def ledger_measures(ledger: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Promises kept, broken and open per interaction (where each promise was made).

    Parameters
    ----------
    ledger
        A PROMISES table from :func:`promise_ledger`.
    interactions
        The interactions to report, in order; one row each.

    Returns
    -------
    pandas.DataFrame
        ``interaction_id``, ``promises_kept``, ``promises_broken``, ``promises_open``
        (float counts; 0 where an interaction made no promise; unverifiable promises
        count in none of the three).

    Examples
    --------
    >>> import pandas as pd
    >>> ledger = pd.DataFrame({"interaction_id": ["a", "a", "b"],
    ...                        "status": ["kept", "unverifiable", "open"]})
    >>> ledger_measures(ledger, pd.DataFrame({"interaction_id": ["a", "b", "c"]}))
      interaction_id  promises_kept  promises_broken  promises_open
    0              a            1.0              0.0            0.0
    1              b            0.0              0.0            1.0
    2              c            0.0              0.0            0.0
    """
    ids = interactions["interaction_id"].astype("string").reset_index(drop=True)
    out: dict[str, Any] = {"interaction_id": ids}
    status = ledger["status"].astype("string")
    by = ledger["interaction_id"].astype("string")
    for name in ("kept", "broken", "open"):
        counts = (status == name).groupby(by).sum()
        out[f"promises_{name}"] = ids.map(counts).fillna(0).astype("float64")
    return pd.DataFrame(out)
