"""Cases: contacts about one issue, linked over a whole dataset
(:mod:`~serviceart.cases.linking`), and the promise ledger that follows a promise
from the contact that made it to the one that kept or broke it
(:mod:`~serviceart.cases.ledger`)."""

from __future__ import annotations

from .linking import (
    CONTACT_ID_COLUMNS,
    DEFAULT_WINDOW,
    LINK_COLUMNS,
    assign_cases,
    case_summary,
    link_cases,
    parse_window,
    repeat_contacts,
    repeat_from_times,
)

__all__ = ["CONTACT_ID_COLUMNS", "DEFAULT_WINDOW", "LINK_COLUMNS", "assign_cases",
           "case_summary", "link_cases", "parse_window", "repeat_contacts",
           "repeat_from_times"]
