"""The ``genesys`` reader: Genesys Cloud Speech and Text Analytics transcript JSON.

One JSON file is one conversation: the document the pre-signed URL of
``GET /api/v2/speechandtextanalytics/conversations/{conversationId}/communications/
{communicationId}/transcripturl`` points to. Its ``transcripts[]`` hold ``phrases[]``
spoken (or written) by an ``internal`` or ``external`` party; several transcripts in
one file belong to the same conversation and are read together, in time order.

Sources of the field names
--------------------------
[G] Genesys Cloud Developer Center, "Transcript URL"
    (https://developer.genesys.cloud/api/rest/v2/speechtextanalytics/transcript_url) and its
    transcript schema (.../analyticsdatamanagement/speechtextanalytics/transcript-url
    #transcript-schema): top level ``organizationId``, ``conversationId``,
    ``communicationId``, ``mediaType``, ``conversationStartTime``, ``startTime``,
    ``duration``, ``transcripts[]``, ``participants[]``; a transcript has
    ``transcriptId``, ``language``, ``startTime``, ``duration``, ``phrases[]``,
    ``analytics``; a phrase has ``text``, ``participantPurpose``, ``startTimeMs``,
    ``offset``, ``duration``, ``words[]``, ``phraseIndex``; a participant has
    ``participantPurpose``, ``userId``, ``queueId``, ``startTimeMs``, ``endTimeMs``.
[M] MakingChatbots/genesys-cloud-mcp-server, ``src/tools/conversationTranscription/``
    (``TranscriptResponse.ts`` typed from [G]; notes ``decoratedText``, present in real
    files but missing from the schema; matches phrases to ``participants[]`` by time;
    names ``acd`` and ``ivr`` purposes; its test data has phrase ``startTimeMs`` and
    ``conversationStartTime`` as epoch milliseconds).
[I] GoogleCloudPlatform contact-center-insights tooling, ``conidk/workflow/format.py``
    ``from_genesys_cloud`` ("Genesys Cloud contains the timestamps in milliseconds of
    epochtime"; ``external`` -> customer, anything else -> agent).

Mapping, ``genesys``
--------------------
============================  ==============================================================
serviceart                    export
============================  ==============================================================
interaction_id, case_id       ``conversationId`` [G], else the file stem
channel                       ``mediaType``: call, voice, callback -> call; chat, message,
                              messaging, webmessaging -> chat; email -> email; other values
                              passed on (the validator rejects them by name); absent: call
started_at                    ``conversationStartTime``, else the top ``startTime``, else
                              the earliest ``transcripts[].startTime`` (epoch ms) [G][M],
                              else the earliest phrase time; else the ``started_at=`` option
agent_id                      ``userId`` of the first ``participants[]`` entry whose purpose
                              is agent-like [G]
turn record                   ``transcripts[i].phrases[j]``
role                          the purpose of the ``participants[]`` entry on the phrase's
                              side (internal or external) whose ``startTimeMs`` ..
                              ``endTimeMs`` holds the phrase [M], else the phrase's
                              ``participantPurpose``: internal, agent, user -> agent;
                              external, customer -> customer; acd, ivr, workflow, bot,
                              voicemail, system -> system; others passed on raw
speaker                       that participant's ``userId`` (agents; none for customers)
text                          ``decoratedText`` when it is non-blank [M], else ``text`` [G]
start_s                       phrase ``startTimeMs`` minus ``started_at``, in seconds (epoch
                              ms, [I][M]); values below 1e11 (before 1973) are taken as
                              offsets from the transcript's ``startTime``; without
                              ``startTimeMs``, ``offset.milliseconds`` the same way [G]
end_s                         start_s + ``duration.milliseconds`` / 1000 [G]
timestamp                     the phrase's absolute time, UTC
(chat, email)                 turns keep ``timestamp`` only; start_s/end_s stay empty
genesys_organization_id       ``organizationId``
genesys_communication_id      ``communicationId``
genesys_media_type            ``mediaType`` as exported
genesys_language              ``transcripts[0].language``
genesys_queue_id              first ``participants[].queueId``
genesys_duration_s            ``duration.milliseconds`` / 1000
============================  ==============================================================

Bad records become rejects and reading goes on: a phrase or transcript that is not
an object (``malformed_record``), a missing purpose or, on calls, time
(``missing_field``), a time or duration that is not a finite number
(``bad_number``), a text that is not a string (``bad_value``), a time outside the
representable range (``bad_timestamp``). Unknown purposes, negative or reversed
times and empty texts are rejected by the validator; a file with no usable phrase
is rejected as ``no_turns``. A file that is not JSON or has no ``transcripts`` list
raises :class:`~serviceart.errors.FormatError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import FormatError
from ..rejects import RejectCode
from ._json import (
    BadValue,
    JsonDocReader,
    JsonFrames,
    dig,
    given,
    has_keys,
    item_text,
    number,
    seconds,
    user_roles,
    vendor_role,
)
from .base import RawFrames, register_reader

__all__ = ["GenesysReader"]

#: Genesys participant purposes to serviceart roles ([G][M]).
ROLE_MAP: dict[str, str] = {
    "internal": "agent",
    "agent": "agent",
    "user": "agent",
    "external": "customer",
    "customer": "customer",
    "acd": "system",
    "ivr": "system",
    "workflow": "system",
    "bot": "system",
    "voicemail": "system",
    "system": "system",
}

_CHANNELS = {"call": "call", "voice": "call", "callback": "call", "chat": "chat",
             "message": "chat", "messaging": "chat", "webmessaging": "chat", "email": "email"}

#: Phrase times at or above this many milliseconds are epoch times, below it offsets.
EPOCH_MS_MIN = 1e11

META_COLUMNS: dict[str, str] = {
    "genesys_organization_id": "string",
    "genesys_communication_id": "string",
    "genesys_media_type": "string",
    "genesys_language": "string",
    "genesys_queue_id": "string",
    "genesys_duration_s": "float64",
}


def _epoch(value: Any) -> float | None:
    """Epoch milliseconds from a number, or None when absent, bad or an offset."""
    ms = number(value)
    return ms if ms is not None and ms >= EPOCH_MS_MIN else None


def _stamp(ms: float, name: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(round(ms), unit="ms", tz="UTC").as_unit("ns")
    except (ValueError, OverflowError) as exc:
        raise BadValue(RejectCode.BAD_TIMESTAMP, f"{name} {ms!r} is not a representable time",
                       name) from exc


class _Participants:
    """``participants[]``: purpose, user and time window of each party."""

    def __init__(self, parts: Any) -> None:
        self.rows: list[tuple[str, str | None, float | None, float | None]] = []
        for p in parts if isinstance(parts, list) else []:
            purpose = given(dig(p, "participantPurpose"))
            if purpose is not None:
                self.rows.append((purpose, given(dig(p, "userId")),
                                  number(dig(p, "startTimeMs")), number(dig(p, "endTimeMs"))))

    def at(self, side: str, ms: float | None) -> tuple[str, str | None] | None:
        """Purpose and user of the participant on ``side`` (agent/customer) at ``ms``."""
        if ms is None:
            return None
        for purpose, uid, start, end in self.rows:
            this_side = "customer" if ROLE_MAP.get(purpose.lower()) == "customer" else "agent"
            if (this_side == side and start is not None and end is not None
                    and start <= ms <= end):
                return purpose, uid
        return None

    def first_agent(self) -> str | None:
        for purpose, uid, _, _ in self.rows:
            if ROLE_MAP.get(purpose.lower()) == "agent" and uid is not None:
                return uid
        return None


def _origin(doc: dict[str, Any], transcripts: list[Any]) -> float | None:
    """The conversation's start in epoch ms, from the document's own times."""
    for value in (doc.get("conversationStartTime"), doc.get("startTime")):
        ms = _epoch(value)
        if ms is not None:
            return ms
    starts = [ms for t in transcripts if (ms := _epoch(dig(t, "startTime"))) is not None]
    if starts:
        return min(starts)
    times = [ms for t in transcripts for p in _phrases(t)
             if (ms := _epoch(dig(p, "startTimeMs"))) is not None]
    return min(times) if times else None


def _phrases(transcript: Any) -> list[Any]:
    phrases = dig(transcript, "phrases")
    return phrases if isinstance(phrases, list) else []


def _phrase_times(phrase: dict[str, Any], t_start: float | None, origin: float | None,
                  timed: bool) -> tuple[float | None, float | None, float | None]:
    """(start_s, end_s, epoch ms) of a phrase; raises :class:`BadValue`."""
    rel = absolute = None
    if phrase.get("startTimeMs") is not None:
        ms = seconds(phrase["startTimeMs"], 1, "startTimeMs")
        absolute, rel = (ms, None) if ms >= EPOCH_MS_MIN else (None, ms)
    elif dig(phrase, "offset", "milliseconds") is not None:
        rel = seconds(dig(phrase, "offset", "milliseconds"), 1, "offset.milliseconds")
    elif timed:
        raise BadValue(RejectCode.MISSING_FIELD, "the phrase has no startTimeMs", "startTimeMs")
    else:
        return None, None, None
    if absolute is None and rel is not None and t_start is not None:
        absolute = t_start + rel
    if absolute is not None and origin is not None:
        start = (absolute - origin) / 1000
    else:
        start = (rel or 0.0) / 1000
    end = None
    dur = dig(phrase, "duration", "milliseconds")
    if dur is not None:
        end = start + seconds(dur, 1000, "duration.milliseconds")
    return start, end, absolute


def _phrase_text(phrase: dict[str, Any]) -> str:
    decorated = phrase.get("decoratedText")
    if isinstance(decorated, str) and decorated.strip():
        return decorated
    return item_text(phrase, "text")


def _genesys_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any]) -> RawFrames:
    transcripts = doc.get("transcripts")
    if not isinstance(transcripts, list):
        found = "no 'transcripts'" if transcripts is None else \
            f"'transcripts' is a {type(transcripts).__name__}, not a list"
        raise FormatError(f"{found}; not a Genesys Cloud transcript file", source=str(path),
                          code="SA-F012")
    iid = given(doc.get("conversationId")) or path.stem
    n_phrases = sum(len(_phrases(t)) for t in transcripts)
    out = JsonFrames(path, iid, "transcripts", n_phrases, META_COLUMNS)
    user = user_roles(options)
    parts = _Participants(doc.get("participants"))

    raw_channel = given(doc.get("mediaType"))
    channel = "call" if raw_channel is None else _CHANNELS.get(raw_channel.lower(),
                                                               raw_channel.lower())
    timed = channel == "call"
    origin = _origin(doc, transcripts)

    for i, transcript in enumerate(transcripts):
        rec = f"transcripts[{i}]"
        if not isinstance(transcript, dict):
            out.reject(rec, None, RejectCode.MALFORMED_RECORD,
                       f"a transcript must be an object, not a {type(transcript).__name__}")
            continue
        phrases = transcript.get("phrases")
        if not isinstance(phrases, list):
            if phrases is not None:
                out.reject(rec, "phrases", RejectCode.MALFORMED_RECORD,
                           f"phrases is a {type(phrases).__name__}, not a list")
            continue
        t_start = _epoch(transcript.get("startTime"))
        for j, phrase in enumerate(phrases):
            prec = f"{rec}.phrases[{j}]"
            if not isinstance(phrase, dict):
                out.reject(prec, None, RejectCode.MALFORMED_RECORD,
                           f"a phrase must be an object, not a {type(phrase).__name__}")
                continue
            try:
                purpose = phrase.get("participantPurpose")
                if purpose is None:
                    raise BadValue(RejectCode.MISSING_FIELD, "the phrase has no participantPurpose",
                                   "participantPurpose")
                text = _phrase_text(phrase)
                start, end, absolute = _phrase_times(phrase, t_start, origin, timed)
                stamp = None if absolute is None else _stamp(absolute, "startTimeMs")
            except BadValue as exc:
                out.reject(prec, exc.field, exc.code, exc.reason)
                continue
            side = ROLE_MAP.get(str(purpose).strip().lower())
            who = parts.at(side, absolute) if side in ("agent", "customer") else None
            role = (vendor_role(who[0], ROLE_MAP, user, purpose) if who
                    else vendor_role(purpose, ROLE_MAP, user))
            speaker = who[1] if who and role == "agent" else None
            if not timed:
                start = end = None
            out.turn(prec, role, speaker, text, start, end, stamp)

    first = transcripts[0] if transcripts else None
    queues = doc.get("participants")
    queue = next((q for p in queues if (q := given(dig(p, "queueId")))), None) \
        if isinstance(queues, list) else None
    duration = number(dig(doc, "duration", "milliseconds"))
    interaction = {
        "channel": channel, "case_id": iid, "agent_id": parts.first_agent(),
        "started_at": None if origin is None else _stamp_or_none(origin),
        "genesys_organization_id": given(doc.get("organizationId")),
        "genesys_communication_id": given(doc.get("communicationId")),
        "genesys_media_type": raw_channel,
        "genesys_language": given(dig(first, "language")),
        "genesys_queue_id": queue,
        "genesys_duration_s": None if duration is None else duration / 1000,
    }
    return out.build(interaction, options)


def _stamp_or_none(ms: float) -> pd.Timestamp | None:
    try:
        return _stamp(ms, "conversationStartTime")
    except BadValue:
        return None


@register_reader
class GenesysReader(JsonDocReader):
    """Read Genesys Cloud Speech and Text Analytics transcript JSON (one conversation a file).

    Agent phrases are attributed to the agent (``userId``) whose ``participants[]``
    window holds them, so a transfer between two agents counts as a handoff and IVR
    or ACD prompts become ``system`` turns. See the module docstring for the field
    mapping.

    Parameters
    ----------
    roles
        Mapping of Genesys purposes (``internal``, ``external``, ``ivr``, ...) or
        default roles to serviceart roles, e.g. ``{"ivr": "agent"}``.
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).

    Examples
    --------
    >>> import serviceart as sa
    >>> import serviceart.readers.genesys
    >>> conv = sa.read("tests/readers/fixtures/genesys/call_transfer.json")
    >>> conv.turns["role"].astype(str).value_counts().to_dict()
    {'agent': 8, 'customer': 7, 'system': 3}
    >>> conv.interactions.loc[0, ["channel", "agent_id"]].tolist()
    ['call', '3f6a1c2e-8d4b-4e7a-9c15-2b7e0d9a4f61']
    """

    name = "genesys"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return has_keys(head, "participantPurpose") or (
            has_keys(head, "phrases")
            and has_keys(head, "conversationId", "communicationId", "transcriptId"))

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _genesys_frames(path, doc, self.options)
