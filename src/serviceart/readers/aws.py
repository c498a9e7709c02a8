"""Readers of Amazon call-analytics exports: ``transcribe`` and ``contact_lens``.

One JSON file is one interaction. Two layouts are read here; the AWS
Post-Call Analytics sample's output has its own reader in :mod:`.pca`:

``transcribe``
    Amazon Transcribe Call Analytics output (post-call analytics JSON).
``contact_lens``
    Amazon Connect Contact Lens conversational-analytics output, voice and chat.
    It has the same ``Transcript[]`` shape as Transcribe's, with a
    ``Participants[]`` table and ``CustomerMetadata``; both readers share one
    parser and differ in what they sniff.
``pca``
    The output of the AWS sample "Amazon Transcribe Post-Call Analytics" (PCA):
    ``ConversationAnalytics`` + ``SpeechSegments[]``, times in seconds, speakers
    as ``spk_N`` labels. A different format, hence its own reader.

Sources of the field names
--------------------------
[T] Amazon Transcribe Developer Guide, "Post-call analytics output"
    (``tca-output-batch``, compiled example; older ``call-analytics-output``). The
    published example elides the top-level ``JobName``, ``AccountId`` and ``Channel``;
    they are read when present.
[C] Amazon Connect Administrator Guide, "Example Contact Lens output files" (voice)
    and "Example Contact Lens output files for a chat".
[R] Amazon Connect API, ``ParticipantRole``: AGENT | CUSTOMER | SYSTEM | CUSTOM_BOT |
    SUPERVISOR.
[P] aws-samples/amazon-transcribe-post-call-analytics, ``docs/output_json_structure.md``
    and ``pca-server/src/pca/pcaresults.py`` / ``pca-aws-sf-process-turn-by-turn.py``.
[K] Amazon Connect contact records (``InitialContactId``, ``PreviousContactId``). They
    are not in the published Contact Lens examples; they are used if a pipeline
    copied them into the file.

Mapping, ``transcribe`` and ``contact_lens``
--------------------------------------------
============================  ==============================================================
serviceart                    export
============================  ==============================================================
interaction_id                ``CustomerMetadata.ContactId`` [C], else ``JobName`` [T],
                              else the file stem
channel                       ``Channel``: VOICE -> call, CHAT -> chat [C]; other values
                              are passed on (the validator rejects them by name); absent:
                              call when items have ``BeginOffsetMillis``, else chat
case_id                       ``InitialContactId``, else ``PreviousContactId`` (in
                              ``CustomerMetadata`` or at the top) [K], else ContactId
started_at                    chat: earliest ``AbsoluteTime`` of any item [C]; voice: none
                              in the file; else the ``started_at=`` option
turn record                   ``Transcript[i]``
role                          item ``ParticipantRole`` [T][C chat], else the role of its
                              ``ParticipantId`` in ``Participants[]`` [C]; AGENT and
                              SUPERVISOR -> agent, CUSTOMER -> customer, SYSTEM, IVR and
                              CUSTOM_BOT -> system [R]; others passed on raw
speaker                       item ``ParticipantId`` [C] (none in Transcribe output); none
                              when the id is a role slot (``AGENT``, ``CUSTOMER``... in
                              voice files), so those give no ``agent_id``/``customer_id``
text                          ``Content`` [T][C]
start_s, end_s                ``BeginOffsetMillis`` / 1000, ``EndOffsetMillis`` / 1000
                              (required for voice, optional for chat)
timestamp                     ``AbsoluteTime`` (chat) [C], UTC
(skipped)                     chat items whose ``Type`` is not MESSAGE (join/leave events,
                              attachments) or whose ``ContentType`` is not text/* [C]
aws_job_name                  ``JobName``
aws_contact_id                ``CustomerMetadata.ContactId``
aws_instance_id               ``CustomerMetadata.InstanceId``
aws_account_id                ``AccountId``
aws_language                  ``LanguageCode``
aws_categories                ``Categories.MatchedCategories``, comma-joined
aws_duration_s                ``ConversationCharacteristics.TotalConversationDurationMillis``
aws_talk_time_s               ``...TalkTime.TotalTimeMillis``
aws_talk_time_agent_s         ``...TalkTime.DetailsByParticipant.AGENT.TotalTimeMillis``
aws_talk_time_customer_s      ``...TalkTime.DetailsByParticipant.CUSTOMER.TotalTimeMillis``
aws_non_talk_time_s           ``...NonTalkTime.TotalTimeMillis``
aws_interruptions             ``...Interruptions.TotalCount``
aws_interruption_time_s       ``...Interruptions.TotalTimeMillis``
aws_sentiment_agent           ``...Sentiment.OverallSentiment.AGENT`` (voice) or
                              ``...OverallSentiment.DetailsByParticipantRole.AGENT`` (chat)
aws_sentiment_customer        the same for CUSTOMER
aws_agent_greeting_time_s     ``...ResponseTime.AgentGreetingTimeMillis`` (chat)
previous_contact_id           ``PreviousContactId`` [K]: chains of contacts become one case
                              (see :mod:`serviceart.cases.linking`)
initiation_method             ``InitiationMethod`` [K] (``INBOUND``, ``OUTBOUND``,
                              ``TRANSFER``, ``CALLBACK``...): a ``TRANSFER`` contact counts
                              as a transfer of the case (``transfer_in``)
============================  ==============================================================

Bad records become rejects and reading goes on: an item that is not an object
(``malformed_record``), a missing field (``missing_field``), an offset that is not
a finite number (``bad_number``), a text field that is not a string
(``bad_value``), a ``ParticipantId`` not in ``Participants`` (``unknown_participant``),
an ``AbsoluteTime`` that is not a time (``bad_timestamp``). Unknown roles, negative
or reversed times and empty texts are rejected by the validator (``unknown_role``,
``negative_time``, ``end_before_start``, ``empty_text``); a file with no usable
turn is rejected as ``no_turns``. A file that is not JSON, or not one of these
layouts, raises :class:`~serviceart.errors.FormatError` naming it.

Examples
--------
>>> import serviceart as sa
>>> conv = sa.read("tests/readers/fixtures/aws/transcribe_call.json")
>>> conv.interactions.loc[0, ["interaction_id", "channel", "aws_categories"]].tolist()
['support-call-0007', 'call', 'positive-resolution,billing']
"""

from __future__ import annotations

import logging
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
)
from .base import RawFrames, register_reader

__all__ = ["ContactLensReader", "TranscribeReader"]

log = logging.getLogger(__name__)

#: Vendor participant roles to serviceart roles ([R], plus IVR).
ROLE_MAP: dict[str, str] = {
    "AGENT": "agent",
    "SUPERVISOR": "agent",
    "CUSTOMER": "customer",
    "SYSTEM": "system",
    "IVR": "system",
    "CUSTOM_BOT": "system",
}

_CHANNELS = {"VOICE": "call", "CHAT": "chat"}

#: Interaction metadata columns every reader here fills (NaN/NA when absent), in order.
META_COLUMNS: dict[str, str] = {
    "aws_job_name": "string",
    "aws_contact_id": "string",
    "aws_instance_id": "string",
    "aws_account_id": "string",
    "aws_language": "string",
    "aws_categories": "string",
    "aws_duration_s": "float64",
    "aws_talk_time_s": "float64",
    "aws_talk_time_agent_s": "float64",
    "aws_talk_time_customer_s": "float64",
    "aws_non_talk_time_s": "float64",
    "aws_interruptions": "float64",
    "aws_interruption_time_s": "float64",
    "aws_sentiment_agent": "float64",
    "aws_sentiment_customer": "float64",
    "aws_agent_greeting_time_s": "float64",
    "previous_contact_id": "string",
    "initiation_method": "string",
}


# ---------------------------------------------------------------- small helpers

def _role(raw: Any, user: Mapping[str, str] | None = None) -> str:
    """The serviceart role of a vendor role value.

    The user's ``roles={...}`` mapping (keys lower-cased) wins, matched on the vendor
    value and then on its default role, and is applied once (so a swap swaps);
    else :data:`ROLE_MAP`; unknown values come back unchanged for the validator to
    reject by name.
    """
    text = str(raw).strip()
    mapped = ROLE_MAP.get(text.upper(), text)
    if user:
        for key in (text.lower(), mapped.lower()):
            if key in user:
                return user[key]
    return mapped


# ---------------------------------------------------------------- Transcribe / Contact Lens


def _participants(doc: dict[str, Any]) -> dict[str, str]:
    """``ParticipantId`` -> raw ``ParticipantRole`` from ``Participants[]``."""
    out: dict[str, str] = {}
    parts = doc.get("Participants")
    for p in parts if isinstance(parts, list) else []:
        pid, role = dig(p, "ParticipantId"), dig(p, "ParticipantRole")
        if pid is not None and role is not None and not isinstance(pid, (dict, list)):
            out[str(pid)] = str(role)
    return out


def _is_chat_noise(item: dict[str, Any]) -> bool:
    """Chat items that are not messages: events, attachments, non-text content."""
    kind = item.get("Type")
    if kind is not None and str(kind).upper() != "MESSAGE":
        return True
    ctype = item.get("ContentType")
    return ctype is not None and not str(ctype).lower().startswith("text/")


def _analytics_meta(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``aws_*`` columns of a Transcribe / Contact Lens file."""
    cc = doc.get("ConversationCharacteristics")

    def millis(*keys: str) -> float | None:
        v = number(dig(cc, *keys))
        return None if v is None else v / 1000

    overall = dig(cc, "Sentiment", "OverallSentiment")
    by_role = dig(overall, "DetailsByParticipantRole")
    sentiment = by_role if isinstance(by_role, dict) else overall
    return {
        "aws_job_name": given(doc.get("JobName")),
        "aws_contact_id": given(dig(doc, "CustomerMetadata", "ContactId")),
        "aws_instance_id": given(dig(doc, "CustomerMetadata", "InstanceId")),
        "aws_account_id": given(doc.get("AccountId")),
        "aws_language": given(doc.get("LanguageCode")),
        "aws_categories": joined(dig(doc, "Categories", "MatchedCategories")),
        "aws_duration_s": millis("TotalConversationDurationMillis"),
        "aws_talk_time_s": millis("TalkTime", "TotalTimeMillis"),
        "aws_talk_time_agent_s": millis("TalkTime", "DetailsByParticipant", "AGENT",
                                        "TotalTimeMillis"),
        "aws_talk_time_customer_s": millis("TalkTime", "DetailsByParticipant", "CUSTOMER",
                                           "TotalTimeMillis"),
        "aws_non_talk_time_s": millis("NonTalkTime", "TotalTimeMillis"),
        "aws_interruptions": number(dig(cc, "Interruptions", "TotalCount")),
        "aws_interruption_time_s": millis("Interruptions", "TotalTimeMillis"),
        "aws_sentiment_agent": number(dig(sentiment, "AGENT")),
        "aws_sentiment_customer": number(dig(sentiment, "CUSTOMER")),
        "aws_agent_greeting_time_s": millis("ResponseTime", "AgentGreetingTimeMillis"),
    }


def _analytics_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any],
                      kind: str) -> RawFrames:
    """Parse a Transcribe Call Analytics or Contact Lens document."""
    items = doc.get("Transcript")
    if not isinstance(items, list):
        status = given(doc.get("JobStatus"))
        found = "no 'Transcript'" if items is None else \
            f"'Transcript' is a {type(items).__name__}, not a list"
        raise FormatError(
            f"{found}; not a {kind} output file"
            + (f" (JobStatus {status})" if status else ""), source=str(path), code="SA-F007")
    iid = (given(dig(doc, "CustomerMetadata", "ContactId")) or given(doc.get("JobName"))
           or path.stem)
    out = JsonFrames(path, iid, "Transcript", len(items), META_COLUMNS)
    roles_by_id = _participants(doc)
    user = user_roles(options)

    raw_channel = given(doc.get("Channel"))
    if raw_channel is not None:
        channel = _CHANNELS.get(raw_channel.upper(), raw_channel.lower())
    else:
        timed = any(isinstance(i, dict) and "BeginOffsetMillis" in i for i in items)
        channel = "call" if timed else "chat"

    stamps: list[pd.Timestamp] = []
    for n, item in enumerate(items):
        rec = f"Transcript[{n}]"
        if not isinstance(item, dict):
            out.reject(rec, None, RejectCode.MALFORMED_RECORD,
                       f"a transcript item must be an object, not a {type(item).__name__}")
            continue
        stamp: pd.Timestamp | None = None
        if "AbsoluteTime" in item:
            try:
                stamp = utc(item["AbsoluteTime"], "AbsoluteTime")
                stamps.append(stamp)
            except BadValue as exc:
                if not _is_chat_noise(item):
                    out.reject(rec, "AbsoluteTime", exc.code, exc.reason)
                    continue
        if channel == "chat" and _is_chat_noise(item):
            continue
        try:
            role = _item_role(item, roles_by_id, user)
            text = item_text(item, "Content")
            start = end = None
            for key in ("BeginOffsetMillis", "EndOffsetMillis"):
                if key in item:
                    value = seconds(item[key], 1000, key)
                    start, end = (value, end) if key == "BeginOffsetMillis" else (start, value)
                elif channel == "call":
                    raise BadValue(RejectCode.MISSING_FIELD,
                                    f"the voice transcript item has no {key}", key)
        except BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        out.turn(rec, role, _speaker(item.get("ParticipantId")), text, start, end, stamp)

    metadata = doc.get("CustomerMetadata")
    case = None
    for key in ("InitialContactId", "PreviousContactId"):
        case = case or given(dig(metadata, key)) or given(doc.get(key))
    previous = given(dig(metadata, "PreviousContactId")) or given(doc.get("PreviousContactId"))
    method = given(dig(metadata, "InitiationMethod")) or given(doc.get("InitiationMethod"))
    interaction = {"channel": channel, "case_id": case or iid,
                   "started_at": min(stamps) if stamps else None, **_analytics_meta(doc),
                   "previous_contact_id": previous, "initiation_method": method}
    return out.build(interaction, options)


def _speaker(pid: Any) -> str | None:
    """The speaker id of a ``ParticipantId``, or None when it is a role slot.

    Contact Lens voice files name their two channels ``AGENT`` and ``CUSTOMER``
    [C]: these say which side spoke, not who. Taken as ids, every agent would
    be one agent and every customer one customer (linking unrelated calls into
    one case), so they give no speaker, and no ``agent_id``/``customer_id``.

    Examples
    --------
    >>> _speaker("AGENT"), _speaker(" customer "), _speaker("f36a545d-67b2")
    (None, None, 'f36a545d-67b2')
    """
    speaker = given(pid) if pid is not None else None
    return None if speaker is None or speaker.upper() in ROLE_MAP else speaker


def _item_role(item: dict[str, Any], roles_by_id: Mapping[str, str],
               user: Mapping[str, str]) -> str:
    """Role of a transcript item from its own ParticipantRole or its ParticipantId."""
    if item.get("ParticipantRole") is not None:
        return _role(item["ParticipantRole"], user)
    pid = item.get("ParticipantId")
    if pid is None:
        raise BadValue(RejectCode.MISSING_FIELD,
                        "the transcript item has no ParticipantRole and no ParticipantId",
                        "ParticipantRole")
    key = str(pid)
    if key in roles_by_id:
        return _role(roles_by_id[key], user)
    if key.strip().upper() in ROLE_MAP:  # redacted files use the role as the id [C]
        return _role(key, user)
    raise BadValue(RejectCode.UNKNOWN_PARTICIPANT,
                    f"ParticipantId {key!r} is not listed in Participants", "ParticipantId")


# ---------------------------------------------------------------- readers


_CL_VERSION = re.compile(r'"(?:Version"\s*:\s*"(?:CHAT|VOICE)-|Channel"\s*:\s*"CHAT")')


def _contact_lens_head(head: str) -> bool:
    return bool(has_keys(head, "CustomerMetadata", "ParticipantId", "ChatTranscriptVersion")
                or _CL_VERSION.search(head))


@register_reader
class TranscribeReader(JsonDocReader):
    """Read Amazon Transcribe Call Analytics output JSON (one call per file).

    See the module docstring for the field mapping.

    Parameters
    ----------
    roles
        Role labels (``agent``, ``customer``, ``system``) or the file's speaker
        labels mapped to serviceart roles, e.g. ``{"agent": "customer",
        "customer": "agent"}`` to swap channels processed the wrong way round.
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/aws/transcribe_call.json", format="transcribe")
    >>> conv.turns["role"].astype(str).value_counts().to_dict()
    {'agent': 6, 'customer': 5}
    """

    name = "transcribe"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return (not _contact_lens_head(head) and has_keys(head, "Transcript", "JobStatus")
                and has_keys(head, "ParticipantRole", "ConversationCharacteristics",
                         "LoudnessScores", "BeginOffsetMillis"))

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _analytics_frames(path, doc, self.options, "Transcribe Call Analytics")


@register_reader
class ContactLensReader(JsonDocReader):
    """Read Amazon Connect Contact Lens output JSON, voice or chat (one contact per file).

    Turns take their role from ``Participants[]`` by ``ParticipantId`` (voice) or
    from the item's ``ParticipantRole`` (chat); the speaker is the ``ParticipantId``,
    so two agents on one contact count as a handoff, except where the id is only a
    role slot (``AGENT``, ``CUSTOMER`` in voice files): those turns have no speaker
    and the contact no ``agent_id``/``customer_id``. See the module docstring for
    the field mapping.

    Parameters
    ----------
    roles
        Role labels (``agent``, ``customer``, ``system``) or the file's speaker
        labels mapped to serviceart roles, e.g. ``{"agent": "customer",
        "customer": "agent"}`` to swap channels processed the wrong way round.
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/aws/contact_lens_chat.json")
    >>> conv.interactions.loc[0, "channel"], str(conv.interactions.loc[0, "started_at"])
    ('chat', '2024-03-12 14:02:10.118000+00:00')
    """

    name = "contact_lens"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return _contact_lens_head(head) and has_keys(
            head, "Transcript", "Participants", "ConversationCharacteristics", "JobStatus")

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _analytics_frames(path, doc, self.options, "Contact Lens")
