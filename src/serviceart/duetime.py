"""Promise due times: :func:`find_due` and the phrases it reads.

The rules live in :mod:`serviceart.clock.due`; this module keeps the import path
that earlier releases documented (and that other tools call)::

    from serviceart.duetime import find_due
    find_due("I'll call you back tomorrow before noon", ref)
"""

from __future__ import annotations

from .clock.due import DuePhrase, DueTime, find_all_due, find_due, find_due_phrase

__all__ = ["DuePhrase", "DueTime", "find_all_due", "find_due", "find_due_phrase"]
