"""The ``insights`` reader: Google Contact Center AI Insights conversation JSON.

One JSON file is one conversation, in either of two layouts:

upload format (``entries[]``)
    The JSON a text conversation is uploaded to Insights in: ``entries[]`` with
    ``text``, ``user_id``, ``role`` and ``start_timestamp_usec`` [U]. Read as a chat.
    ``start_timestamp_usec`` may be absent (Google's devkit sample [D] has none):
    the turns are then read in file order with unknown times (NaT).
``Conversation`` resource
    A conversation as the Insights API returns or exports it: ``name``,
    ``startTime``, ``medium``, ``agentId``, ``transcript.transcriptSegments[]`` with
    ``segmentParticipant.role``, ``messageTime`` (chats) and ``words[]`` with
    ``startOffset``/``endOffset`` (calls) [R].

Sources of the field names
--------------------------
[U] Google Cloud, Contact Center AI Insights, "Conversation data format"
    (https://cloud.google.com/contact-center/insights/docs/conversation-data-format):
    ``conversation_info.categories[].display_name``; entry ``text``, ``user_id``
    (integer), ``role`` ("AGENT", "AUTOMATED_AGENT", "CUSTOMER", "END_USER"),
    ``start_timestamp_usec`` (microseconds of UTC time since the Unix epoch).
[D] GoogleCloudPlatform/conversational-insights-devkit, ``tests/unit/data/
    sample_conversation.json`` (entries without times) and its converters
    (AWS and Genesys to the upload format), which write ``user_id`` 1 for the agent
    and 2 for the customer in every conversation; contact-center-ai-samples'
    ``generate-call-logs.py`` writes 1 and 2 the other way round.
[R] Insights REST reference, resource ``projects.locations.conversations``
    (https://cloud.google.com/contact-center/insights/docs/reference/rest/v1/
    projects.locations.conversations) and the client libraries' ``Conversation``,
    ``Conversation.Transcript.TranscriptSegment`` (``messageTime``, ``text``,
    ``confidence``, ``words``, ``languageCode``, ``channelTag``, ``segmentParticipant``)
    and ``ConversationParticipant`` (``dialogflowParticipantName``, ``userId``,
    ``obfuscatedExternalUserId``, ``role``: HUMAN_AGENT | AUTOMATED_AGENT | END_USER |
    ANY_AGENT | ROLE_UNSPECIFIED). Durations and offsets are protobuf JSON durations
    ("3.500s"), times RFC 3339 UTC.

Mapping, ``insights``
---------------------
============================  ==============================================================
serviceart                    export
============================  ==============================================================
interaction_id, case_id       last path segment of ``name`` [R], else the file stem
channel                       ``medium``: PHONE_CALL -> call, CHAT -> chat [R]; other values
                              passed on; absent or MEDIUM_UNSPECIFIED: call when segments
                              have word offsets, else chat; ``entries[]`` files: chat
started_at                    ``startTime`` [R], else the earliest turn time, else
                              ``createTime`` (when Insights stored it); else the
                              ``started_at=`` option
agent_id                      ``agentId``, else ``qualityMetadata.agentInfo[0].agentId`` [R]
customer_id                   ``obfuscatedUserId`` [R]
turn record                   ``entries[i]`` or ``transcript.transcriptSegments[i]``
role                          entry ``role`` [U] or ``segmentParticipant.role`` [R], else
                              the segment's ``channelTag`` against
                              ``callMetadata.agentChannel`` / ``customerChannel``: AGENT,
                              HUMAN_AGENT, ANY_AGENT -> agent; CUSTOMER, END_USER ->
                              customer; AUTOMATED_AGENT -> system; others passed on raw
speaker                       entry ``user_id`` [U], except 1 and 2: Google's tools write
                              these as the two sides of every conversation [D], so they
                              are no person's id and give no speaker and no
                              ``agent_id``/``customer_id``; segment
                              ``segmentParticipant.userId``, else
                              ``dialogflowParticipantName``, else
                              ``obfuscatedExternalUserId``
text                          ``text``
start_s, end_s (calls)        first word's ``startOffset``, last word's ``endOffset``
                              (seconds from the start of the audio) [R]; without words,
                              ``messageTime`` minus ``startTime``
timestamp                     ``start_timestamp_usec`` [U] (NaT when absent [D]);
                              ``messageTime`` [R]; on calls ``startTime`` + start_s
insights_name                 ``name``
insights_language             ``languageCode``, else the first segment's
insights_duration_s           ``duration``
insights_turn_count           ``turnCount``
insights_labels               ``labels`` as ``key=value`` pairs, comma-joined
insights_categories           ``conversation_info.categories[].display_name``, comma-joined
============================  ==============================================================

Bad records become rejects and reading goes on: an entry or segment that is not an
object (``malformed_record``), a missing role or text, a segment's missing chat time
(``missing_field``),
an offset or timestamp that is not a number (``bad_number``), a text that is not a
string (``bad_value``), a time that is not a date and time (``bad_timestamp``).
Unknown roles (``ROLE_UNSPECIFIED``), negative or reversed times and empty texts are
rejected by the validator; a file with no usable turn is rejected as ``no_turns``. A
file that is not JSON or holds neither layout raises
:class:`~serviceart.errors.FormatError` naming it.
"""

from __future__ import annotations

import re
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
    joined,
    number,
    seconds,
    user_roles,
    utc,
    vendor_role,
)
from .base import RawFrames, register_reader

__all__ = ["InsightsReader"]

#: Insights participant roles to serviceart roles ([U][R]).
ROLE_MAP: dict[str, str] = {
    "agent": "agent",
    "human_agent": "agent",
    "any_agent": "agent",
    "customer": "customer",
    "end_user": "customer",
    "automated_agent": "system",
}

_CHANNELS = {"PHONE_CALL": "call", "CHAT": "chat"}

#: ``user_id`` values that Google's tools write as role slots, not people [D]
SLOT_USER_IDS = frozenset({"1", "2"})

META_COLUMNS: dict[str, str] = {
    "insights_name": "string",
    "insights_language": "string",
    "insights_duration_s": "float64",
    "insights_turn_count": "float64",
    "insights_labels": "string",
    "insights_categories": "string",
}

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)s\s*$")
_NAME = re.compile(r'"name"\s*:\s*"projects/[^"]*/conversations/')
#: the upload format's list of entries (objects with ``role`` and ``user_id``) [U]
_ENTRIES = re.compile(r'"entries"\s*:\s*\[\s*\{')


def _duration_s(value: Any, name: str) -> float:
    """A protobuf JSON duration ("3.500s", or seconds/nanos, or a number) in seconds."""
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return seconds(m.group(1), 1, name)
    elif isinstance(value, dict) and ("seconds" in value or "nanos" in value):
        return (seconds(value.get("seconds", 0), 1, name)
                + seconds(value.get("nanos", 0), 10**9, name))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return seconds(value, 1, name)
    raise BadValue(RejectCode.BAD_NUMBER, f"{name} {value!r} is not a duration", name)


def _usec(value: Any, name: str) -> pd.Timestamp:
    """Microseconds since the epoch as a UTC time; raises :class:`BadValue`."""
    us = seconds(value, 1, name)
    try:
        return pd.Timestamp(round(us), unit="us", tz="UTC").as_unit("ns")
    except (ValueError, OverflowError) as exc:
        raise BadValue(RejectCode.BAD_TIMESTAMP, f"{name} {value!r} is not a representable time",
                       name) from exc


def _optional_time(value: Any) -> pd.Timestamp | None:
    try:
        return None if value is None else utc(value, "time")
    except BadValue:
        return None


def _user_id(value: Any) -> str | None:
    """The speaker id of an entry's ``user_id``, or None for a role slot.

    The format says a ``user_id`` identifies a person across conversations [U],
    but Google's own samples, generator and converters [D] number the two sides
    of every conversation 1 and 2. Those values are role slots: taken as ids,
    every agent would be one agent and unrelated chats one customer's case.

    Examples
    --------
    >>> _user_id(1), _user_id("2"), _user_id(2001)
    (None, None, '2001')
    """
    speaker = given(value)
    return None if speaker in SLOT_USER_IDS else speaker


def _entries_frames(path: Path, doc: dict[str, Any], entries: list[Any],
                    options: Mapping[str, Any]) -> RawFrames:
    """The upload format: ``entries[]`` of a chat [U]."""
    out = JsonFrames(path, path.stem, "entries", len(entries), META_COLUMNS)
    user = user_roles(options)
    raw_medium = given(doc.get("medium"))
    channel = "chat" if raw_medium is None else _CHANNELS.get(raw_medium.upper(),
                                                              raw_medium.lower())
    stamps: list[pd.Timestamp] = []
    for n, entry in enumerate(entries):
        rec = f"entries[{n}]"
        if not isinstance(entry, dict):
            out.reject(rec, None, RejectCode.MALFORMED_RECORD,
                       f"an entry must be an object, not a {type(entry).__name__}")
            continue
        try:
            if entry.get("role") is None:
                raise BadValue(RejectCode.MISSING_FIELD, "the entry has no role", "role")
            text = item_text(entry, "text")
            raw_stamp = entry.get("start_timestamp_usec")
            stamp = None if raw_stamp is None else _usec(raw_stamp, "start_timestamp_usec")
        except BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        if stamp is not None:
            stamps.append(stamp)
        out.turn(rec, vendor_role(entry["role"], ROLE_MAP, user), _user_id(entry.get("user_id")),
                 text, timestamp=stamp)
    cats = dig(doc, "conversation_info", "categories")
    interaction = {
        "channel": channel, "case_id": path.stem,
        "started_at": min(stamps) if stamps else None,
        "insights_categories": joined([dig(c, "display_name") for c in cats])
        if isinstance(cats, list) else None,
    }
    return out.build(interaction, options)


def _segment_role(seg: dict[str, Any], call_meta: Any, user: Mapping[str, str]) -> str:
    role = dig(seg, "segmentParticipant", "role")
    if role is not None:
        return vendor_role(role, ROLE_MAP, user)
    tag = number(seg.get("channelTag"))
    if tag is not None:
        for key, label in (("agentChannel", "HUMAN_AGENT"), ("customerChannel", "END_USER")):
            if number(dig(call_meta, key)) == tag:
                return vendor_role(label, ROLE_MAP, user)
    raise BadValue(RejectCode.MISSING_FIELD, "the segment has no segmentParticipant.role and its "
                   "channelTag matches no callMetadata channel", "segmentParticipant.role")


def _segment_times(seg: dict[str, Any], start: pd.Timestamp | None
                   ) -> tuple[float | None, float | None]:
    """(start_s, end_s) of a call segment from its words, else from messageTime."""
    words = seg.get("words")
    if isinstance(words, list) and words and all(isinstance(w, dict) for w in words):
        first, last = words[0], words[-1]
        s = e = None
        if first.get("startOffset") is not None:
            s = _duration_s(first["startOffset"], "words[0].startOffset")
        if last.get("endOffset") is not None:
            e = _duration_s(last["endOffset"], "words[-1].endOffset")
        if s is not None or e is not None:
            return s, e
    if seg.get("messageTime") is not None and start is not None:
        at = utc(seg["messageTime"], "messageTime")
        return (at - start).total_seconds(), None
    return None, None


def _resource_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any]
                     ) -> RawFrames:
    """The ``Conversation`` resource [R]."""
    segments = dig(doc, "transcript", "transcriptSegments")
    if not isinstance(segments, list):
        found = ("no 'transcript.transcriptSegments'" if segments is None else
                 f"'transcript.transcriptSegments' is a {type(segments).__name__}, not a list")
        raise FormatError(f"{found} and no 'entries'; not a Contact Center AI Insights "
                          "conversation (or it has no transcript yet)", source=str(path),
                          code="SA-F020")
    name = given(doc.get("name"))
    iid = (name.rstrip("/").rsplit("/", 1)[-1] if name else None) or path.stem
    out = JsonFrames(path, iid, "transcript.transcriptSegments", len(segments), META_COLUMNS)
    user = user_roles(options)
    start = _optional_time(doc.get("startTime"))

    raw_medium = given(doc.get("medium"))
    if raw_medium is not None and raw_medium.upper() != "MEDIUM_UNSPECIFIED":
        channel = _CHANNELS.get(raw_medium.upper(), raw_medium.lower())
    else:
        timed = any(isinstance(dig(s, "words"), list) and any(
            dig(w, "startOffset") is not None for w in s["words"]) for s in segments)
        channel = "call" if timed else "chat"

    stamps: list[pd.Timestamp] = []
    for n, seg in enumerate(segments):
        rec = f"transcript.transcriptSegments[{n}]"
        if not isinstance(seg, dict):
            out.reject(rec, None, RejectCode.MALFORMED_RECORD,
                       f"a transcript segment must be an object, not a {type(seg).__name__}")
            continue
        try:
            role = _segment_role(seg, doc.get("callMetadata"), user)
            text = item_text(seg, "text")
            begin = end = None
            stamp = None
            if channel == "call":
                begin, end = _segment_times(seg, start)
                if begin is not None and start is not None:
                    stamp = start + pd.Timedelta(seconds=begin)
                elif seg.get("messageTime") is not None:
                    stamp = utc(seg["messageTime"], "messageTime")
            elif seg.get("messageTime") is not None:
                stamp = utc(seg["messageTime"], "messageTime")
            elif channel == "chat":
                raise BadValue(RejectCode.MISSING_FIELD, "the chat segment has no messageTime",
                               "messageTime")
        except BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        except (OverflowError, ValueError) as exc:
            out.reject(rec, "startOffset", RejectCode.BAD_NUMBER,
                       f"the segment time is out of range: {exc}")
            continue
        if stamp is not None:
            stamps.append(stamp)
        part = seg.get("segmentParticipant")
        speaker = (given(dig(part, "userId")) or given(dig(part, "dialogflowParticipantName"))
                   or given(dig(part, "obfuscatedExternalUserId")))
        out.turn(rec, role, speaker, text, begin, end, stamp)

    labels = doc.get("labels")
    agents = dig(doc, "qualityMetadata", "agentInfo")
    first_agent = agents[0] if isinstance(agents, list) and agents else None
    duration = doc.get("duration")
    try:
        duration_s = None if duration is None else _duration_s(duration, "duration")
    except BadValue:
        duration_s = None
    first_lang = next((lang for s in segments if (lang := given(dig(s, "languageCode")))), None)
    interaction = {
        "channel": channel, "case_id": iid,
        "started_at": start if start is not None else min(stamps) if stamps
        else _optional_time(doc.get("createTime")),
        "agent_id": given(doc.get("agentId")) or given(dig(first_agent, "agentId")),
        "customer_id": given(doc.get("obfuscatedUserId")),
        "insights_name": name,
        "insights_language": given(doc.get("languageCode")) or first_lang,
        "insights_duration_s": duration_s,
        "insights_turn_count": number(doc.get("turnCount")),
        "insights_labels": ",".join(f"{k}={v}" for k, v in labels.items())
        if isinstance(labels, dict) else None,
    }
    return out.build(interaction, options)


@register_reader
class InsightsReader(JsonDocReader):
    """Read Google Contact Center AI Insights conversation JSON (one conversation a file).

    Reads both the upload format (``entries[]``, chats) and the ``Conversation``
    resource the API returns (``transcript.transcriptSegments[]``, calls and chats).
    Virtual agents (``AUTOMATED_AGENT``) become ``system`` turns. See the module
    docstring for the field mapping.

    Parameters
    ----------
    roles
        Mapping of Insights roles (``AUTOMATED_AGENT``, ``END_USER``, ...) or default
        roles to serviceart roles, e.g. ``{"automated_agent": "agent"}``.
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).

    Examples
    --------
    >>> import serviceart as sa
    >>> import serviceart.readers.insights
    >>> conv = sa.read("tests/readers/fixtures/insights/call_conversation.json")
    >>> conv.interactions.loc[0, ["interaction_id", "channel", "agent_id"]].tolist()
    ['8414926193551138561', 'call', 'agent-0417']
    >>> first = conv.turns.iloc[0]
    >>> str(first["role"]), float(first["start_s"]), float(first["end_s"])
    ('system', 0.4, 5.9)
    """

    name = "insights"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return bool(has_keys(head, "start_timestamp_usec", "transcriptSegments",
                             "segmentParticipant") or _NAME.search(head)
                    or (_ENTRIES.search(head) and has_keys(head, "user_id")
                    and has_keys(head, "role")))

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        entries = doc.get("entries")
        if isinstance(entries, list):
            return _entries_frames(path, doc, entries, self.options)
        if entries is not None and "transcript" not in doc:
            raise FormatError(f"'entries' is a {type(entries).__name__}, not a list; not a "
                              "Contact Center AI Insights conversation", source=str(path),
                              code="SA-F021")
        return _resource_frames(path, doc, self.options)
