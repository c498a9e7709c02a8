"""When things happened: the one answer to "when was this turn said" and "when was
this contact" (:mod:`serviceart.clock.times`).

Every module that needs the time of a turn or of a contact (evidence and due times,
the promise ledger, the case measures, reply latency) asks this package, so that a
turn has the same time everywhere.
"""

from __future__ import annotations

from .times import LIVE_CHANNELS, contact_times, reference_times, turn_end_times, turn_times

__all__ = ["LIVE_CHANNELS", "contact_times", "reference_times", "turn_end_times",
           "turn_times"]
