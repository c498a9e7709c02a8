"""Hypothesis strategies for timing: cases of calls, chats and e-mails whose turns are
timed in every way the clock reads (time stamps, start offsets, a start time only,
nothing), with system turns and gaps.

Needs ``hypothesis``. Used by the tests of :mod:`serviceart.clock`. The tables are
conformed (:data:`serviceart.schema.TURNS`, :data:`~serviceart.schema.INTERACTIONS`)
and valid: :meth:`serviceart.Conversations.from_frames` keeps them as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..schema import INTERACTIONS, TURNS, UTC_TIME, conform

__all__ = ["timed_conversations"]

_BASE = pd.Timestamp("2026-03-02T08:00:00Z")
_LINES = {
    "agent": ("Hello, this is Sam.", "I'll call you back tomorrow.", "Let me check that.",
              "I'll send you the label by Friday."),
    "customer": ("My parcel never arrived.", "Any update?", "Thanks."),
    "system": ("Chat started.", "The customer joined.", "Transferred to billing."),
}


def timed_conversations(max_interactions: int = 5, max_turns: int = 8) -> Any:
    """A strategy of conformed ``(turns, interactions)`` tables with every kind of timing.

    Each interaction is one of:

    - ``call``: turns with ``start_s``/``end_s`` offsets (some missing);
    - ``stamped``: turns with ``timestamp`` (some missing), in time order;
    - ``bare``: turns without any time.

    An interaction has a ``started_at`` (at or before all its turns) or none, a
    channel and a case shared with others at random; turns are agent, customer or
    system turns. Times never run backwards within an interaction, so every known
    turn time lies within its contact's span.
    """
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        n = draw(st.integers(1, max_interactions))
        rows: list[dict[str, Any]] = []
        inter: list[dict[str, Any]] = []
        for k in range(n):
            kind = draw(st.sampled_from(["call", "stamped", "bare"]))
            start = _BASE + pd.Timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
            has_start = draw(st.integers(0, 3)) > 0
            channel = {"call": "call", "stamped": draw(st.sampled_from(["chat", "email"])),
                       "bare": draw(st.sampled_from(["chat", "call"]))}[kind]
            inter.append({"interaction_id": f"i{k}", "channel": channel,
                          "case_id": f"k{draw(st.integers(0, max(0, n // 2)))}",
                          "started_at": start if has_start else pd.NaT})
            offset = 0.0
            for j in range(draw(st.integers(1, max_turns))):
                role = draw(st.sampled_from(["agent", "customer", "customer", "agent", "system"]))
                offset += draw(st.floats(0.0, 3600.0 if kind == "stamped" else 60.0,
                                         allow_nan=False))
                row: dict[str, Any] = {
                    "interaction_id": f"i{k}", "turn_index": j, "role": role,
                    "speaker": {"agent": f"agent{draw(st.integers(1, 2))}",
                                "customer": f"cust{k}", "system": None}[role],
                    "text": draw(st.sampled_from(_LINES[role])),
                    "start_s": np.nan, "end_s": np.nan, "timestamp": pd.NaT,
                }
                if kind == "call" and draw(st.integers(0, 4)):
                    dur = draw(st.floats(0.5, 30.0, allow_nan=False))
                    row["start_s"] = offset
                    row["end_s"] = offset + dur if draw(st.integers(0, 4)) else np.nan
                    offset += dur
                elif kind == "stamped" and draw(st.integers(0, 4)):
                    row["timestamp"] = start + pd.Timedelta(seconds=offset)
                rows.append(row)
        turns = pd.DataFrame(rows)
        turns["timestamp"] = pd.to_datetime(turns["timestamp"], utc=True).astype(UTC_TIME)
        interactions = pd.DataFrame(inter)
        # as validation does: no started_at means the first time stamp
        first = turns.groupby("interaction_id", sort=False)["timestamp"].min()
        started = pd.to_datetime(interactions["started_at"], utc=True).astype(UTC_TIME)
        interactions["started_at"] = started.fillna(interactions["interaction_id"].map(first))
        return conform(turns, TURNS), conform(interactions, INTERACTIONS)

    return build()
