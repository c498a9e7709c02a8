"""Hypothesis strategies for cases, channels and start times, and a fixed sample.

A *case* is several contacts about one issue. These strategies draw sets of
contacts the way exports hold them, and say which case each contact must end
up in after :func:`serviceart.cases.linking.link_cases`:

- :func:`channels`: every channel the model allows (:data:`serviceart.codebook.CHANNELS`).
- :func:`time_zones` and :func:`start_times`: aware start times in several time
  zones (daylight-saving changes included), or ``None`` for an unknown start.
- :func:`clocks`: how a contact's turns are timed: ``offsets`` (``start_s`` and
  ``end_s`` from ``started_at``), ``offsets_only`` (the same without
  ``started_at``), ``stamps`` (a ``timestamp`` on every turn), ``partial``
  (timestamps on some turns only), ``started`` (``started_at`` and no turn
  times) and ``none``.
- :func:`cases`: a :class:`CaseSet`, contacts of several stories, interleaved:
  contacts sharing an exported ``case_id``, chains of ``previous_contact_id``,
  and contacts of one ``customer_id`` within or outside the linking window.

:func:`sample_cases` is a fixed, hand-written set of the same kinds (calls,
chats, emails, a social post and a forum thread; promises kept, broken and
open; a warm transfer) for checks that run without hypothesis.

Examples
--------
>>> cs = sample_cases()
>>> len(cs.interactions), len(cs.cases)
(12, 8)
>>> sorted(cs.conversations().interactions["channel"].astype(str).unique())
['call', 'chat', 'email', 'forum', 'social']
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import CHANNELS
from ..ingest.model import Conversations

__all__ = [
    "CLOCKS",
    "TIME_ZONES",
    "CaseSet",
    "Contact",
    "Turn",
    "build_cases",
    "cases",
    "channels",
    "clocks",
    "sample_cases",
    "start_times",
    "time_zones",
]

TIME_ZONES: tuple[str, ...] = ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata",
                               "Australia/Adelaide", "Pacific/Chatham", "America/St_Johns")
"""Zones of contact times: whole, half and three-quarter hour offsets, both hemispheres'
daylight-saving rules."""

CLOCKS: tuple[str, ...] = ("offsets", "offsets_only", "stamps", "partial", "started", "none")
"""How a contact's turns are timed (see the module docstring)."""

_KNOWN_START = frozenset({"offsets", "stamps", "partial", "started"})
_WRITTEN = ("chat", "email", "social", "forum")
_AGENTS = ("agent-ann", "agent-bob", "agent-chidi")

_AGENT_LINES = (
    "Hi, thanks for contacting us, this is Ann.",
    "I'm sorry about the wait.",
    "Let me check that for you.",
    "I've processed the refund; it shows in 3-5 days.",
    "I'll call you back tomorrow before noon.",
    "I'll email you the return label by Friday.",
    "I will send you an update.",
    "I'm following up on your refund request from yesterday.",
    "I understand you're calling about your bill.",
    "Let me transfer you to billing.",
    "Unfortunately we can't refund opened items.",
    "That happened because the trial ended.",
    "Is there anything else I can help with?",
    "Does that fix it for you?",
    "Please DM us your order number.",
    "I don't know offhand, but I'll find out.",
    "I guarantee it will never happen again.",
    "calm down",
    "Thank you for your patience while we looked into this. I have checked your account "
    "and the second charge was a temporary hold, which your bank will release within three "
    "working days. If it is still there on Friday, reply to this email and I will refund it.",
)
_CUSTOMER_LINES = (
    "My internet keeps dropping since Tuesday.",
    "It's still not working.",
    "That worked, thanks!",
    "As I said, my account number is 1234.",
    "I still haven't heard back from anyone.",
    "This is the third time I'm contacting you.",
    "Why was I charged twice?",
    "Okay.",
)
_SYSTEM_LINES = ("This call may be recorded for training purposes.",
                 "The customer joined the chat.")


@dataclass(frozen=True)
class Turn:
    """One turn of a :class:`Contact`.

    Attributes
    ----------
    role
        ``agent``, ``customer`` or ``system``.
    speaker
        The agent's or customer's id; ``None`` for system turns.
    text
        What was said or written.
    gap_s
        Seconds from the end of the previous turn (from the contact's start for
        the first turn) to this one's start; negative gaps make overlapping speech.
    duration_s
        Seconds the turn lasts (calls); written turns take no time.
    """

    role: str
    speaker: str | None
    text: str
    gap_s: float = 0.0
    duration_s: float = 0.0


@dataclass(frozen=True)
class Contact:
    """One interaction of a :class:`CaseSet`, before it is written into tables.

    Attributes
    ----------
    interaction_id, channel, customer_id
        As in the interactions table (``channel`` ``None``: left to be guessed).
    start
        When the contact really started (aware, in the zone its times are
        written in), whether or not ``clock`` lets the export show it.
    clock
        One of :data:`CLOCKS`.
    turns
        The turns, in time order.
    case_id, previous_contact_id
        What the export says about the case, if anything.
    started_at_given
        Whether the export has ``started_at`` on a contact timed by timestamps
        (``stamps``, ``partial``); without it the start is the first timestamp.
        Contacts timed by ``offsets`` or ``started`` always have it, those timed
        by ``offsets_only`` or ``none`` never.
    """

    interaction_id: str
    channel: str | None
    customer_id: str
    start: pd.Timestamp
    clock: str
    turns: tuple[Turn, ...]
    case_id: str | None = None
    previous_contact_id: str | None = None
    started_at_given: bool = True

    @property
    def start_known(self) -> bool:
        """Whether the export shows when the contact started."""
        return self.clock in _KNOWN_START


@dataclass(frozen=True)
class CaseSet:
    """Contacts written as input tables, and the cases they must be linked into.

    Attributes
    ----------
    turns
        The turn table as an export gives it (times as ISO-8601 text with the
        zone's offset, missing values as ``None``/NaN).
    interactions
        Interaction metadata: ``interaction_id``, ``channel``, ``case_id``,
        ``customer_id``, ``started_at`` and ``previous_contact_id``.
    window
        The customer linking window the expected cases assume.
    cases
        The expected cases: each a set of interaction ids.
    contacts
        The contacts the tables were written from.
    """

    turns: pd.DataFrame
    interactions: pd.DataFrame
    window: pd.Timedelta
    cases: tuple[frozenset[str], ...]
    contacts: tuple[Contact, ...]

    def conversations(self) -> Conversations:
        """The validated :class:`~serviceart.Conversations` of the set (cases not linked)."""
        return Conversations.from_frames(self.turns, self.interactions, source="<cases>")


def build_cases(contacts: Sequence[Contact], window: pd.Timedelta) -> CaseSet:
    """Write contacts into turn and interaction tables and work out their cases.

    Parameters
    ----------
    contacts
        The contacts, in the order the tables should list them.
    window
        The customer linking window.

    Returns
    -------
    CaseSet
    """
    rows: list[dict[str, Any]] = []
    for c in contacts:
        rows.extend(_turn_rows(c))
    turns = pd.DataFrame.from_records(rows, columns=["interaction_id", "role", "speaker",
                                                     "text", "start_s", "end_s", "timestamp"])
    inter = pd.DataFrame({
        "interaction_id": [c.interaction_id for c in contacts],
        "channel": pd.Series([c.channel for c in contacts], dtype="object"),
        "case_id": pd.Series([c.case_id for c in contacts], dtype="object"),
        "customer_id": [c.customer_id for c in contacts],
        "started_at": pd.Series([_iso(c.start) if _shows_start(c) else None
                                 for c in contacts], dtype="object"),
        "previous_contact_id": pd.Series([c.previous_contact_id for c in contacts],
                                         dtype="object"),
    })
    return CaseSet(turns, inter, window, _expected_cases(contacts, window), tuple(contacts))


def _iso(ts: pd.Timestamp) -> str:
    return ts.isoformat()


def _shows_start(c: Contact) -> bool:
    """Whether the interactions table shows ``started_at`` for ``c``."""
    if c.clock in ("stamps", "partial"):
        return c.started_at_given
    return c.clock in ("offsets", "started")


def _turn_rows(c: Contact) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    t = 0.0
    prev_start = -1.0
    first = 0.0
    for k, turn in enumerate(c.turns):
        start = max(t + turn.gap_s, prev_start + 0.5)
        end = start + turn.duration_s
        prev_start, t = start, max(t, end)
        first = start if k == 0 else first
        row: dict[str, Any] = {"interaction_id": c.interaction_id, "role": turn.role,
                               "speaker": turn.speaker, "text": turn.text,
                               "start_s": np.nan, "end_s": np.nan, "timestamp": None}
        if c.clock in ("offsets", "offsets_only"):
            row["start_s"], row["end_s"] = round(start, 3), round(end, 3)
        elif c.clock == "stamps" or (c.clock == "partial" and (k == 0 or k % 2)):
            stamp = c.start + pd.Timedelta(seconds=start - first)
            row["timestamp"] = _iso(stamp)
        out.append(row)
    return out


def _expected_cases(contacts: Sequence[Contact], window: pd.Timedelta
                    ) -> tuple[frozenset[str], ...]:
    """The cases the linking rules give (see :mod:`serviceart.cases.linking`)."""
    ids = {c.interaction_id for c in contacts}
    root: dict[str, str] = {}
    by_id = {c.interaction_id: c for c in contacts}
    groups: dict[str, set[str]] = {}
    chained = {c.previous_contact_id for c in contacts if c.previous_contact_id in ids}
    loose: list[Contact] = []
    for c in contacts:
        if c.case_id is not None and c.case_id != c.interaction_id:
            groups.setdefault(f"export:{c.case_id}", set()).add(c.interaction_id)
        elif c.previous_contact_id in ids or c.interaction_id in chained:
            first = c
            while first.previous_contact_id in ids:
                first = by_id[str(first.previous_contact_id)]
            root[c.interaction_id] = first.interaction_id
            groups.setdefault(f"chain:{first.interaction_id}", set()).add(c.interaction_id)
        else:
            loose.append(c)
    by_customer: dict[str, list[Contact]] = {}
    for c in loose:
        if c.start_known:
            by_customer.setdefault(c.customer_id, []).append(c)
        else:
            groups[f"single:{c.interaction_id}"] = {c.interaction_id}
    for customer, mine in by_customer.items():
        mine = sorted(mine, key=lambda c: c.start)
        n = 0
        for k, c in enumerate(mine):
            if k and c.start - mine[k - 1].start > window:
                n += 1
            groups.setdefault(f"customer:{customer}:{n}", set()).add(c.interaction_id)
    return tuple(sorted((frozenset(g) for g in groups.values()), key=sorted))


# ---------------------------------------------------------------- strategies


def channels() -> Any:
    """A strategy of channel names: every channel the model allows."""
    from hypothesis import strategies as st

    return st.sampled_from(CHANNELS)


def time_zones() -> Any:
    """A strategy of time zones (``zoneinfo.ZoneInfo``) from :data:`TIME_ZONES`."""
    from hypothesis import strategies as st

    return st.sampled_from(TIME_ZONES).map(zoneinfo.ZoneInfo)


def start_times(*, missing: bool = True) -> Any:
    """A strategy of contact start times: aware ``pandas.Timestamp`` values in 2025-2026,
    whole seconds, in one of :data:`TIME_ZONES` (times that a clock change skips are
    never drawn); ``None`` (an unknown start) too when ``missing``."""
    from hypothesis import strategies as st

    times = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31),
                         timezones=time_zones(), allow_imaginary=False).map(
        _whole_seconds)
    return st.one_of(st.none(), times) if missing else times


def _whole_seconds(d: datetime) -> pd.Timestamp:
    """``d`` as a Timestamp in its own zone, cut to whole seconds (in UTC: a local time
    that a clock change repeats is cut without ambiguity)."""
    ts = pd.Timestamp(d)
    return ts.tz_convert("UTC").floor("s").tz_convert(ts.tz)


def clocks(channel: str | None = None) -> Any:
    """A strategy of :data:`CLOCKS` that fit ``channel``: calls are timed by offsets,
    written channels by timestamps; any contact may be partly or wholly untimed."""
    from hypothesis import strategies as st

    if channel == "call":
        return st.sampled_from(("offsets", "offsets", "offsets_only", "started", "none"))
    if channel in _WRITTEN:
        return st.sampled_from(("stamps", "stamps", "partial", "started", "none"))
    return st.sampled_from(CLOCKS)


def _turns(draw: Any, channel: str | None, customer: str, max_turns: int) -> tuple[Turn, ...]:
    from hypothesis import strategies as st

    n = draw(st.integers(1, max_turns))
    written = channel in _WRITTEN
    out: list[Turn] = []
    for k in range(n):
        role = draw(st.sampled_from(("customer", "agent", "agent", "customer", "system"))
                    if k else st.sampled_from(("customer", "agent", "system")))
        if role == "agent":
            speaker: str | None = draw(st.sampled_from(_AGENTS))
            text = draw(st.sampled_from(_AGENT_LINES))
        elif role == "customer":
            speaker, text = customer, draw(st.sampled_from(_CUSTOMER_LINES))
        else:
            speaker, text = None, draw(st.sampled_from(_SYSTEM_LINES))
        if written:
            gap = draw(st.sampled_from((5.0, 40.0, 300.0, 900.0, 4_000.0, 90_000.0)))
            out.append(Turn(role, speaker, text, gap_s=0.0 if k == 0 else gap))
        else:
            gap = draw(st.floats(-2.0, 45.0, allow_nan=False))
            dur = draw(st.floats(0.5, 30.0, allow_nan=False))
            out.append(Turn(role, speaker, text, gap_s=abs(gap) if k == 0 else gap,
                            duration_s=dur))
    return tuple(out)


_STORIES = ("customer", "customer", "export", "chain")


def cases(*, max_stories: int = 4, max_contacts: int = 3, max_turns: int = 6,
          window: pd.Timedelta | None = None) -> Any:
    """A strategy of :class:`CaseSet`: the contacts of a few stories, interleaved.

    Each story is one customer's issue, told in 1 to ``max_contacts`` contacts
    on any channel, each with its own clock and time zone: a ``customer`` story
    gives no case id (contacts link by customer when within ``window`` of the
    previous one; the gaps are drawn inside and outside it), an ``export``
    story shares a ticket id, and a ``chain`` story points each contact at the
    previous one with ``previous_contact_id``.

    Parameters
    ----------
    max_stories, max_contacts, max_turns
        Size limits.
    window
        The linking window; drawn from 1, 2 and 7 days when ``None``.
    """
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> CaseSet:
        win = window if window is not None else draw(st.sampled_from(
            (pd.Timedelta(days=1), pd.Timedelta(days=2), pd.Timedelta(days=7))))
        contacts: list[Contact] = []
        n_stories = draw(st.integers(1, max_stories))
        n_total = 0
        plans = []
        for s in range(n_stories):
            kind = draw(st.sampled_from(_STORIES))
            k = draw(st.integers(1, max_contacts))
            plans.append((s, kind, k))
            n_total += k
        names = draw(st.permutations(range(n_total)))
        pos = 0
        for s, kind, k in plans:
            customer = f"cust-{s}"
            at = draw(start_times(missing=False))
            prev: str | None = None
            for _ in range(k):
                iid = f"int-{names[pos]:02d}"
                pos += 1
                channel = draw(st.one_of(channels(), st.none()) if pos % 5 == 0
                               else channels())
                clock = draw(clocks(channel))
                zone = draw(time_zones())
                contacts.append(Contact(
                    interaction_id=iid, channel=channel, customer_id=customer,
                    start=at.tz_convert(zone), clock=clock,
                    turns=_turns(draw, channel, customer, max_turns),
                    case_id=f"TICKET-{1000 + s}" if kind == "export" else None,
                    previous_contact_id=prev if kind == "chain" else None,
                    started_at_given=draw(st.booleans())))
                prev = iid
                inside = draw(st.booleans())
                gap = (draw(st.integers(60, int(win.total_seconds()) - 60)) if inside
                       else draw(st.integers(int(win.total_seconds()) + 3600,
                                             int(win.total_seconds()) + 30 * 86_400)))
                at = at + pd.Timedelta(seconds=gap)
        order = draw(st.permutations(range(len(contacts))))
        return build_cases([contacts[i] for i in order], win)

    return build()


# ---------------------------------------------------------------- the fixed sample


def _t(role: str, speaker: str | None, text: str, gap_s: float = 0.0,
       duration_s: float = 0.0) -> Turn:
    return Turn(role, speaker, text, gap_s, duration_s)


def sample_cases() -> CaseSet:
    """A fixed, realistic :class:`CaseSet` of twelve contacts in eight cases.

    - ``call-1`` / ``call-2``: a call (New York, offsets) and the callback the
      next day (London), one customer, linked by the window; the callback keeps
      the first call's promise.
    - ``chat-1``: a chat with ``started_at`` and no turn times, a promise in
      turn 2 (due "tomorrow").
    - ``mail-1`` / ``mail-2``: an email thread sharing ticket ``T-77`` (Kolkata,
      then Adelaide), with a long agent answer (reading ease) and a chase.
    - ``call-3`` / ``call-4``: a call and a warm transfer two minutes after it
      ends, in exported case ``T-78``, with different agents.
    - ``call-5``: a call with offsets but no start time.
    - ``post-1``: a social post timed by timestamps; ``forum-1``: a forum thread
      with no times at all.
    - ``chat-2``: the first call's customer again, 20 days after the callback
      (outside the window: a case of its own), timestamps on some turns only.
    - ``chat-3``: a follow-up chat chained to ``chat-1`` by
      ``previous_contact_id``, its start shown by turn timestamps only.
    """
    ny, ldn = zoneinfo.ZoneInfo("America/New_York"), zoneinfo.ZoneInfo("Europe/London")
    kol, adl = zoneinfo.ZoneInfo("Asia/Kolkata"), zoneinfo.ZoneInfo("Australia/Adelaide")
    utc = zoneinfo.ZoneInfo("UTC")

    def at(text: str, zone: zoneinfo.ZoneInfo) -> pd.Timestamp:
        return pd.Timestamp(text, tz="UTC").tz_convert(zone)

    contacts = [
        Contact("call-1", "call", "cust-dara", at("2026-03-02T14:00:00", ny), "offsets", (
            _t("system", None, "This call may be recorded for training purposes.", 0.0, 3.0),
            _t("agent", "agent-ann", "Hi, thanks for calling, this is Ann.", 0.5, 2.5),
            _t("customer", "cust-dara", "My internet keeps dropping since Tuesday.", 0.8, 3.0),
            _t("agent", "agent-ann", "I'm sorry about that. Let me check that for you.",
               -0.6, 3.5),
            _t("agent", "agent-ann", "I'll call you back tomorrow before noon.", 42.0, 2.5),
            _t("customer", "cust-dara", "Okay.", 0.4, 0.6),
        )),
        Contact("call-2", "call", "cust-dara", at("2026-03-03T10:30:00", ldn), "offsets", (
            _t("agent", "agent-ann", "I'm following up on your internet issue from yesterday.",
               1.0, 3.5),
            _t("customer", "cust-dara", "That worked, thanks!", 0.7, 1.5),
            _t("agent", "agent-ann", "Is there anything else I can help with?", 0.5, 2.0),
        )),
        Contact("chat-1", "chat", "cust-eli", at("2026-03-02T09:00:00", utc), "started", (
            _t("customer", "cust-eli", "Why was I charged twice?"),
            _t("agent", "agent-bob", "I'll email you the refund confirmation tomorrow."),
            _t("customer", "cust-eli", "Okay."),
        )),
        Contact("mail-1", "email", "cust-fay", at("2026-03-04T05:10:00", kol), "stamps", (
            _t("customer", "cust-fay", "Why was I charged twice? My account number is 1234."),
            _t("agent", "agent-chidi", _AGENT_LINES[-1], 7_200.0),
        ), case_id="T-77"),
        Contact("mail-2", "email", "cust-fay", at("2026-03-09T23:45:00", adl), "stamps", (
            _t("customer", "cust-fay", "I still haven't heard back from anyone. As I said, "
               "the charge is still there."),
            _t("agent", "agent-chidi", "I've processed the refund; it shows in 3-5 days.",
               86_400.0),
        ), case_id="T-77"),
        Contact("call-3", "call", "cust-gus", at("2026-03-05T16:00:00", utc), "offsets", (
            _t("customer", "cust-gus", "Why was I charged twice?", 2.0, 2.0),
            _t("agent", "agent-bob", "Let me transfer you to billing.", 1.0, 2.0),
        ), case_id="T-78"),
        Contact("call-4", "call", "cust-gus", at("2026-03-05T16:02:05", utc), "offsets", (
            _t("agent", "agent-chidi", "Hi, I understand you're calling about your bill.",
               0.5, 3.0),
            _t("customer", "cust-gus", "Yes, I was charged twice.", 0.5, 2.0),
            _t("agent", "agent-chidi", "That happened because the trial ended. "
               "Unfortunately we can't refund the first month.", 0.5, 5.0),
        ), case_id="T-78"),
        Contact("call-5", "call", "cust-hal", at("2026-03-06T12:00:00", utc), "offsets_only", (
            _t("customer", "cust-hal", "This is the third time I'm contacting you.", 0.0, 3.0),
            _t("agent", "agent-ann", "calm down", 0.2, 1.0),
            _t("customer", "cust-hal", "It's still not working.", -0.4, 2.0),
        )),
        Contact("post-1", "social", "cust-ivy", at("2026-03-07T18:20:00", ny), "stamps", (
            _t("customer", "cust-ivy", "@support my parcel never arrived"),
            _t("agent", "agent-bob", "Please DM us your order number.", 1_800.0),
        )),
        Contact("forum-1", "forum", "cust-jo", at("2026-03-08T08:00:00", utc), "none", (
            _t("customer", "cust-jo", "Does anyone know why sync stopped working?"),
            _t("agent", "agent-ann", "I don't know offhand, but I'll find out."),
        )),
        Contact("chat-2", "chat", "cust-dara", at("2026-03-23T11:00:00", ldn), "partial", (
            _t("customer", "cust-dara", "My internet keeps dropping since Tuesday."),
            _t("agent", "agent-bob", "I will send you an update.", 60.0),
            _t("customer", "cust-dara", "Okay.", 30.0),
            _t("agent", "agent-bob", "Does that fix it for you?", 90.0),
        )),
        Contact("chat-3", "chat", "cust-eli", at("2026-03-03T08:15:00", ldn), "stamps", (
            _t("agent", "agent-bob", "I'm following up on your refund request from yesterday."),
            _t("customer", "cust-eli", "It's still not working.", 120.0),
            _t("agent", "agent-bob", "Let me check that for you.", 40.0),
        ), previous_contact_id="chat-1", started_at_given=False),
    ]
    return build_cases(contacts, pd.Timedelta(days=7))
