"""When each turn was said and when each contact took place, vectorised, in UTC.

Rules
-----
* **Time of a turn** (:func:`turn_times`): its ``timestamp``; else its
  interaction's ``started_at`` + ``start_s`` (calls); else, for the first
  non-system turn of its interaction, ``started_at`` (that turn opened it); else
  unknown (NaT). No time is guessed from turn order: a later turn with no
  timestamp and no ``start_s`` is unknown even when ``started_at`` is known.
* **Reference time of a turn** (:func:`reference_times`): what its words ("tomorrow",
  "by Friday") are read against and when a promise in it was made: its time; else,
  in a live conversation (:data:`LIVE_CHANNELS`: a call or a chat, one sitting of
  minutes) that has a ``started_at``, that start (the turn was said during the
  sitting that began then). In threads (email, social, forum) messages can be
  days apart, so an undated message has no reference time.
* **End of a turn** (:func:`turn_end_times`): ``started_at`` + ``end_s``; else the
  time of the turn.
* **Time of a contact** (:func:`contact_times`): ``started`` is ``started_at``,
  else the earliest known turn time; ``ended`` is the latest known turn end, else
  ``started``; ``opened_by`` is the role of the first agent or customer turn.

All times are ``datetime64[ns, UTC]``. The functions take the conformed ``turns``
and ``interactions`` tables (:class:`serviceart.Conversations`) and never change
them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LIVE_CHANNELS", "contact_times", "reference_times", "turn_end_times",
           "turn_times"]

#: Channels whose interaction is one sitting (minutes, not days): a call or a chat.
LIVE_CHANNELS: frozenset[str] = frozenset({"call", "chat"})

_UTC = pd.DatetimeTZDtype(tz="UTC")


def _started_at(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """Each turn's interaction ``started_at``, aligned with ``turns``."""
    started = interactions.set_index("interaction_id")["started_at"]
    return turns["interaction_id"].map(started).astype(_UTC)


def _opens(turns: pd.DataFrame) -> pd.Series:
    """True for the first non-system turn (lowest ``turn_index``) of each interaction."""
    people = turns["role"].astype("string").ne("system").fillna(False).astype(bool)
    index = turns["turn_index"].where(people)
    first = index.groupby(turns["interaction_id"], sort=False).transform("min")
    return people & index.eq(first).fillna(False).astype(bool)


def turn_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """When each turn was said, UTC, or NaT when the data cannot tell.

    The ``timestamp``; else ``started_at`` + ``start_s``; else, for the first
    non-system turn of its interaction, ``started_at``; else NaT.

    Parameters
    ----------
    turns, interactions
        Conformed tables (see :class:`serviceart.Conversations`).

    Returns
    -------
    pandas.Series
        Aligned with ``turns`` (same index), dtype ``datetime64[ns, UTC]``.

    Examples
    --------
    A chat with a start time and no time stamps: the turn that opened it was said at
    the start; the later ones have no time.

    >>> import serviceart as sa
    >>> conv = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "c1", "role": ["agent", "customer"],
    ...     "text": ["Hello.", "Hi."]}),
    ...     pd.DataFrame({"interaction_id": ["c1"], "started_at": ["2026-03-02 10:00Z"]}))
    >>> turn_times(conv.turns, conv.interactions).tolist()
    [Timestamp('2026-03-02 10:00:00+0000', tz='UTC'), NaT]

    A call: the start plus each turn's offset.

    >>> call = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "k1", "role": ["agent", "customer"],
    ...     "text": ["Hello.", "Hi."], "start_s": [0.0, 4.5], "end_s": [4.0, 6.0]}),
    ...     pd.DataFrame({"interaction_id": ["k1"], "started_at": ["2026-03-02 10:00Z"]}))
    >>> [str(t) for t in turn_times(call.turns, call.interactions)]
    ['2026-03-02 10:00:00+00:00', '2026-03-02 10:00:04.500000+00:00']
    """
    return _turn_times(turns, _started_at(turns, interactions))


def reference_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """The time each turn's words refer to, UTC, or NaT (see the module's rules).

    :func:`turn_times`; else, for a turn of a call or chat with a ``started_at``,
    that start. Due times ("tomorrow") are resolved against it and a promise's
    ``made_at`` is it, in the evidence and the ledger alike.

    Parameters
    ----------
    turns, interactions
        Conformed tables (see :class:`serviceart.Conversations`).

    Returns
    -------
    pandas.Series
        Aligned with ``turns``, dtype ``datetime64[ns, UTC]``.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "c1", "channel": "chat", "role": ["customer", "agent"],
    ...     "text": ["Hello.", "I'll call you tomorrow."]}),
    ...     pd.DataFrame({"interaction_id": ["c1"], "started_at": ["2026-03-02 10:00Z"]}))
    >>> reference_times(conv.turns, conv.interactions).tolist()
    [Timestamp('2026-03-02 10:00:00+0000', tz='UTC'), Timestamp('2026-03-02 10:00:00+0000', tz='UTC')]
    """  # noqa: E501
    started = _started_at(turns, interactions)
    said = _turn_times(turns, started)
    channel = turns["interaction_id"].map(
        interactions.set_index("interaction_id")["channel"].astype("string"))
    live = channel.isin(LIVE_CHANNELS).fillna(False).astype(bool)
    return said.where(said.notna() | ~live, started)


def turn_end_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """When each turn ended, UTC: ``started_at`` + ``end_s``, else the turn's time.

    Parameters
    ----------
    turns, interactions
        Conformed tables.

    Returns
    -------
    pandas.Series
        Aligned with ``turns``, dtype ``datetime64[ns, UTC]``; NaT where neither
        is known.

    Examples
    --------
    >>> import serviceart as sa
    >>> call = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "k1", "role": ["agent", "customer"],
    ...     "text": ["Hello.", "Hi."], "start_s": [0.0, 4.5], "end_s": [4.0, 6.0]}),
    ...     pd.DataFrame({"interaction_id": ["k1"], "started_at": ["2026-03-02 10:00Z"]}))
    >>> [str(t) for t in turn_end_times(call.turns, call.interactions)]
    ['2026-03-02 10:00:04+00:00', '2026-03-02 10:00:06+00:00']
    """
    started = _started_at(turns, interactions)
    return _turn_end_times(turns, started, _turn_times(turns, started))


def _turn_times(turns: pd.DataFrame, started: pd.Series) -> pd.Series:
    """:func:`turn_times`, given each turn's ``started_at``."""
    offset = pd.to_timedelta(turns["start_s"].astype("float64"), unit="s")
    times = turns["timestamp"].astype(_UTC)
    times = times.where(times.notna(), started + offset)
    return times.where(times.notna() | ~_opens(turns), started)


def _turn_end_times(turns: pd.DataFrame, started: pd.Series, said: pd.Series) -> pd.Series:
    """:func:`turn_end_times`, given each turn's ``started_at`` and time."""
    ends = started + pd.to_timedelta(turns["end_s"].astype("float64"), unit="s")
    return ends.where(ends.notna(), said)


def contact_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Per interaction: when it ``started`` and ``ended`` (UTC, NaT when unknown) and
    who ``opened_by`` it (the role of its first agent or customer turn).

    ``started`` is ``started_at``, else the earliest turn time
    (:func:`turn_times`); ``ended`` is the latest turn end
    (:func:`turn_end_times`), else ``started``.

    Parameters
    ----------
    turns, interactions
        Conformed tables.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``interaction_id`` in the order of ``interactions``; columns
        ``started``, ``ended`` (``datetime64[ns, UTC]``) and ``opened_by``
        (string, NA without agent or customer turns).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.Conversations.from_frames(pd.DataFrame({
    ...     "interaction_id": "e1", "channel": "email", "role": ["customer", "agent"],
    ...     "text": ["Where is my refund?", "It was sent today."],
    ...     "timestamp": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 11:30"], utc=True)}))
    >>> times = contact_times(conv.turns, conv.interactions)
    >>> [str(x) for x in times.loc["e1"]]
    ['2026-03-02 09:00:00+00:00', '2026-03-02 11:30:00+00:00', 'customer']
    """
    ids = interactions["interaction_id"]
    given = interactions["started_at"].astype(_UTC).reset_index(drop=True)
    # each turn's interaction as a position in ``interactions`` (-1: not there)
    pos = pd.Index(ids).get_indexer(turns["interaction_id"])
    started_at = pd.Series(given.reindex(pos).array, index=turns.index)
    said = _turn_times(turns, started_at)
    ended = _turn_end_times(turns, started_at, said)
    n = len(ids)
    out = pd.DataFrame(index=pd.Index(ids, name="interaction_id"))
    out["started"] = given.fillna(said.groupby(pos).min().reindex(range(n))).array
    out["ended"] = ended.groupby(pos).max().reindex(range(n)).fillna(
        out["started"].reset_index(drop=True)).array
    role = turns["role"].astype("string").fillna("").to_numpy(dtype=object)
    people = (pos >= 0) & np.isin(role, ["agent", "customer"])
    order = np.lexsort((turns["turn_index"].to_numpy()[people], pos[people]))
    at, first = np.unique(pos[people][order], return_index=True)
    opened = np.full(n, None, dtype=object)
    opened[at] = role[people][order][first]
    out["opened_by"] = pd.array(opened, dtype="string")
    return out
