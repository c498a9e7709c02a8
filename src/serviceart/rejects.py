"""The reject codes of the REJECTS table.

Every row of the REJECTS table (a record or interaction that was not scored) has
a ``code`` saying why. The codes are the members of :class:`RejectCode`; the
table stores their string values, so ``rejects[rejects["code"] == "no_turns"]``
and ``rejects[rejects["code"] == RejectCode.NO_TURNS]`` select the same rows.
The meaning of each code is in the catalogue file ``data/errors.toml`` (see
:func:`serviceart.errors.reject_meanings` and ``docs/errors.md``).
"""

from __future__ import annotations

from enum import StrEnum

from .errors import reject_meanings

__all__ = ["RejectCode"]


class RejectCode(StrEnum):
    """Why a record or interaction was rejected; the value is what REJECTS stores.

    Examples
    --------
    >>> RejectCode.NO_TURNS == "no_turns"
    True
    >>> RejectCode("no_turns").meaning
    'the interaction has no valid turn left'
    """

    BAD_ID = "bad_id"
    BAD_NUMBER = "bad_number"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_TURN_INDEX = "bad_turn_index"
    BAD_VALUE = "bad_value"
    DUPLICATE_ID = "duplicate_id"
    DUPLICATE_INTERACTION = "duplicate_interaction"
    DUPLICATE_TURN = "duplicate_turn"
    EMPTY_TEXT = "empty_text"
    END_BEFORE_START = "end_before_start"
    FILE_UNREADABLE = "file_unreadable"
    FLATTENED_HEADERS = "flattened_headers"
    MALFORMED_CUE = "malformed_cue"
    MALFORMED_LINE = "malformed_line"
    MALFORMED_RECORD = "malformed_record"
    MISSING_FIELD = "missing_field"
    MISSING_ID = "missing_id"
    MISSING_SENDER = "missing_sender"
    NEGATIVE_TIME = "negative_time"
    NO_HEADERS = "no_headers"
    NO_TURNS = "no_turns"
    ONLY_QUOTED = "only_quoted"
    REPLY_CYCLE = "reply_cycle"
    SCORING_FAILED = "scoring_failed"
    SPLIT_INTERACTION = "split_interaction"
    STRAY_QUOTE = "stray_quote"
    TEXT_TOO_LONG = "text_too_long"
    THREAD_TOO_DEEP = "thread_too_deep"
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    UNKNOWN_ROLE = "unknown_role"
    UNPARSEABLE = "unparseable"

    @property
    def meaning(self) -> str:
        """What a reject row with this code says about the record."""
        return reject_meanings()[self.value]
