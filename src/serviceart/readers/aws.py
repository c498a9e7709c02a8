"""Readers of Amazon call-analytics exports: ``transcribe``, ``contact_lens`` and ``pca``.

One JSON file is one interaction. Three layouts are read:

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
speaker                       item ``ParticipantId`` [C] (none in Transcribe output)
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
============================  ==============================================================

Mapping, ``pca`` [P]
--------------------
============================  ==============================================================
interaction_id                ``ConversationAnalytics.GUID`` (PCA writes "None" when it found
                              none), else ``SourceInformation[0].TranscribeJobInfo.
                              TranscriptionJobName``, else the file stem
channel                       call
started_at                    ``ConversationTime`` as wall time in ``ConversationLocation``
                              (a tz database name); none when it equals ``ProcessTime``
                              (PCA copies the processing time when it could not find the
                              call's time); else the ``started_at=`` option
agent_id, customer_id         ``Agent``, ``Cust`` unless "None"
turn record                   ``SpeechSegments[i]``
role                          system when ``IVRSegment`` is true, else ``SpeakerLabels``
                              ``DisplayText`` of ``SegmentSpeaker`` ("Agent" -> agent,
                              "Customer" -> customer, others passed on raw); a speaker
                              with no label is passed on as its ``spk_N``
speaker                       the label's ``UserId``, else ``Agent``/``Cust`` by role
text                          ``DisplayText`` (the UI's, possibly edited), else
                              ``OriginalText``
start_s, end_s                ``SegmentStartTime``, ``SegmentEndTime`` (seconds)
aws_job_name                  ``TranscriptionJobName``
aws_language                  ``LanguageCode``
aws_categories                ``CategoriesDetected[].Name``, comma-joined
aws_duration_s                ``Duration``
aws_talk_time_agent_s,        ``SpeakerTime.<spk_N>.TotalTimeSecs`` summed by role
aws_talk_time_customer_s
aws_talk_time_s               the sum over all speakers
aws_non_talk_time_s           ``SpeakerTime.NonTalkTime.TotalTimeSecs``
aws_interruptions             segments with ``SegmentInterruption`` true
aws_sentiment_agent, ...      ``SentimentTrends.<spk_N>.SentimentScore`` by role
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

import json
import logging
import math
import re
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ..errors import ConfigError, FormatError
from .base import RawFrames, Reader, register_reader, reject_rows
from .turns import _open_text

__all__ = ["ContactLensReader", "PcaReader", "TranscribeReader"]

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
_NONE_TEXTS = {"", "none", "null", "nan"}

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
}


class _BadValue(ValueError):
    """A field's value cannot be used; carries the reject code and the field."""

    def __init__(self, code: str, reason: str, fld: str | None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.field = fld


# ---------------------------------------------------------------- small helpers


def _dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...`` through dicts, or None when any step is missing."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _given(value: Any) -> str | None:
    """A usable identifier string, or None for missing, empty or "None"."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return None if text.lower() in _NONE_TEXTS else text


def _number(value: Any) -> float | None:
    """A finite float from a JSON number or numeric string, else None (for metadata)."""
    try:
        return _seconds(value, 1, "value")
    except _BadValue:
        return None


def _seconds(value: Any, per_second: int, name: str) -> float:
    """``value / per_second`` as a finite float; raises :class:`_BadValue` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _BadValue("bad_number", f"{name} {value!r} is not a number", name)
    try:
        out = float(value) / per_second
    except (ValueError, OverflowError) as exc:
        raise _BadValue("bad_number", f"{name} {value!r} is not a number", name) from exc
    if not math.isfinite(out):
        raise _BadValue("bad_number", f"{name} {value!r} is not a finite number", name)
    return out


def _to_utc(value: Any, zone: tzinfo | str = "UTC") -> pd.Timestamp:
    """A time (ISO-8601 text or a datetime) as a UTC nanosecond timestamp.

    Naive times are wall time in ``zone``. Raises ValueError, TypeError or
    OverflowError when it is not a representable date and time.
    """
    if isinstance(value, str):
        ts = pd.Timestamp(pd.to_datetime(value.strip(), format="ISO8601"))
    else:
        ts = pd.Timestamp(value)
    if not isinstance(ts, pd.Timestamp) or pd.isna(ts):
        raise ValueError(f"{value!r} is not a date and time")
    if ts.tzinfo is None:
        local = ts.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        if not isinstance(local, pd.Timestamp) or pd.isna(local):
            raise ValueError(f"{value!r} does not exist or is ambiguous in {zone}")
        ts = local
    return ts.tz_convert("UTC").as_unit("ns")


def _utc(value: Any, name: str) -> pd.Timestamp:
    """An ISO-8601 time of an export field as UTC; raises :class:`_BadValue`."""
    try:
        if not isinstance(value, str):
            raise TypeError(type(value).__name__)
        return _to_utc(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise _BadValue("bad_timestamp", f"{name} {value!r} is not a date and time",
                        name) from exc


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


def _user_roles(options: Mapping[str, Any]) -> dict[str, str]:
    """The ``roles={...}`` option with lower-cased keys."""
    given = options.get("roles") or {}
    if not isinstance(given, Mapping):
        raise ConfigError(f"roles= must be a mapping of labels to roles, got {given!r}",
                          field="roles")
    return {str(k).strip().lower(): str(v) for k, v in given.items()}


def _joined(names: Any) -> str | None:
    """Comma-joined non-empty names of a list, or None when it is not a list."""
    if not isinstance(names, list):
        return None
    return ",".join(s for s in (str(n).strip() for n in names if n is not None) if s)


def _load_json(path: Path) -> dict[str, Any]:
    """The file's top-level JSON object; FormatError for anything else."""
    with _open_text(path) as fh:
        text = fh.read()
    if not text.strip():
        raise FormatError("the file is empty; expected an exported JSON object",
                          source=str(path))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) else ""
        raise FormatError(f"not valid JSON: {exc.msg} at {where}{hint}",
                          source=str(path)) from exc
    except RecursionError as exc:
        raise FormatError("the JSON is nested too deeply to read", source=str(path)) from exc
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object at the top, found a {type(doc).__name__}",
                          source=str(path))
    return doc


def _option_start(options: Mapping[str, Any], iid: str) -> pd.Timestamp | None:
    """The ``started_at=`` option for one interaction: a time, or a mapping id -> time."""
    value = options.get("started_at")
    if isinstance(value, Mapping):
        value = value.get(iid)
    if value is None:
        return None
    try:
        return _to_utc(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConfigError(f"started_at={value!r} is not a date and time",
                          field="started_at") from exc


# ---------------------------------------------------------------- frames builder


@dataclass
class _Frames:
    """Collects one file's turns, rejects and interaction row."""

    path: Path
    iid: str
    container: str
    n_items: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, record: str, fld: str | None, code: str, reason: str) -> None:
        """Record one rejected item."""
        self.bad.append({"source": str(self.path), "record": record,
                         "interaction_id": self.iid, "field": fld, "code": code,
                         "reason": reason})

    def turn(self, record: str, role: str, speaker: str | None, text: str,
             start_s: float | None = None, end_s: float | None = None,
             timestamp: pd.Timestamp | None = None) -> None:
        """Add one turn."""
        self.rows.append({"record": record, "role": role, "speaker": speaker, "text": text,
                          "start_s": math.nan if start_s is None else start_s,
                          "end_s": math.nan if end_s is None else end_s,
                          "timestamp": pd.NaT if timestamp is None else timestamp})

    def build(self, interaction: dict[str, Any], options: Mapping[str, Any]) -> RawFrames:
        """The raw frames: typed turns, one interaction row, rejects.

        A file without any usable turn gives no interaction row but a ``no_turns``
        reject naming the file.
        """
        n = len(self.rows)
        if not n:
            why = (f"{self.container} is empty" if not self.n_items else
                   f"none of the {self.n_items} items of {self.container} is a usable turn")
            self.reject(self.container, self.container, "no_turns",
                        f"{why}; the interaction has no turns")

        def col(name: str) -> list[Any]:
            return [r[name] for r in self.rows]

        turns = pd.DataFrame({
            "interaction_id": pd.Series([self.iid] * n, dtype="string"),
            "role": pd.Series(col("role"), dtype="object"),
            "speaker": pd.Series(col("speaker"), dtype="string"),
            "text": pd.Series(col("text"), dtype="string"),
            "start_s": pd.Series(col("start_s"), dtype="float64"),
            "end_s": pd.Series(col("end_s"), dtype="float64"),
            "timestamp": pd.Series(col("timestamp"), dtype="datetime64[ns, UTC]"),
            "source": pd.Series([str(self.path)] * n, dtype="string"),
            "record": pd.Series(col("record"), dtype="string"),
        })
        started = interaction.get("started_at")
        if started is None:
            started = _option_start(options, self.iid)
        row: dict[str, pd.Series] = {
            "interaction_id": pd.Series([self.iid], dtype="string"),
            "channel": pd.Series([interaction.get("channel")], dtype="string"),
            "case_id": pd.Series([interaction.get("case_id")], dtype="string"),
            "customer_id": pd.Series([interaction.get("customer_id")], dtype="string"),
            "agent_id": pd.Series([interaction.get("agent_id")], dtype="string"),
            "started_at": pd.Series([pd.NaT if started is None else started],
                                    dtype="datetime64[ns, UTC]"),
        }
        for name, dtype in META_COLUMNS.items():
            value = interaction.get(name)
            if dtype == "float64":
                row[name] = pd.Series([math.nan if value is None else value], dtype=dtype)
            else:
                row[name] = pd.Series([value], dtype=dtype)
        return RawFrames(turns=turns, interactions=pd.DataFrame(row) if n else None,
                         rejects=reject_rows(self.bad))


# ---------------------------------------------------------------- Transcribe / Contact Lens


def _participants(doc: dict[str, Any]) -> dict[str, str]:
    """``ParticipantId`` -> raw ``ParticipantRole`` from ``Participants[]``."""
    out: dict[str, str] = {}
    parts = doc.get("Participants")
    for p in parts if isinstance(parts, list) else []:
        pid, role = _dig(p, "ParticipantId"), _dig(p, "ParticipantRole")
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
        v = _number(_dig(cc, *keys))
        return None if v is None else v / 1000

    overall = _dig(cc, "Sentiment", "OverallSentiment")
    by_role = _dig(overall, "DetailsByParticipantRole")
    sentiment = by_role if isinstance(by_role, dict) else overall
    return {
        "aws_job_name": _given(doc.get("JobName")),
        "aws_contact_id": _given(_dig(doc, "CustomerMetadata", "ContactId")),
        "aws_instance_id": _given(_dig(doc, "CustomerMetadata", "InstanceId")),
        "aws_account_id": _given(doc.get("AccountId")),
        "aws_language": _given(doc.get("LanguageCode")),
        "aws_categories": _joined(_dig(doc, "Categories", "MatchedCategories")),
        "aws_duration_s": millis("TotalConversationDurationMillis"),
        "aws_talk_time_s": millis("TalkTime", "TotalTimeMillis"),
        "aws_talk_time_agent_s": millis("TalkTime", "DetailsByParticipant", "AGENT",
                                        "TotalTimeMillis"),
        "aws_talk_time_customer_s": millis("TalkTime", "DetailsByParticipant", "CUSTOMER",
                                           "TotalTimeMillis"),
        "aws_non_talk_time_s": millis("NonTalkTime", "TotalTimeMillis"),
        "aws_interruptions": _number(_dig(cc, "Interruptions", "TotalCount")),
        "aws_interruption_time_s": millis("Interruptions", "TotalTimeMillis"),
        "aws_sentiment_agent": _number(_dig(sentiment, "AGENT")),
        "aws_sentiment_customer": _number(_dig(sentiment, "CUSTOMER")),
        "aws_agent_greeting_time_s": millis("ResponseTime", "AgentGreetingTimeMillis"),
    }


def _analytics_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any],
                      kind: str) -> RawFrames:
    """Parse a Transcribe Call Analytics or Contact Lens document."""
    items = doc.get("Transcript")
    if not isinstance(items, list):
        status = _given(doc.get("JobStatus"))
        found = "no 'Transcript'" if items is None else \
            f"'Transcript' is a {type(items).__name__}, not a list"
        raise FormatError(
            f"{found}; not a {kind} output file"
            + (f" (JobStatus {status})" if status else ""), source=str(path))
    iid = (_given(_dig(doc, "CustomerMetadata", "ContactId")) or _given(doc.get("JobName"))
           or path.stem)
    out = _Frames(path, iid, "Transcript", len(items))
    roles_by_id = _participants(doc)
    user = _user_roles(options)

    raw_channel = _given(doc.get("Channel"))
    if raw_channel is not None:
        channel = _CHANNELS.get(raw_channel.upper(), raw_channel.lower())
    else:
        timed = any(isinstance(i, dict) and "BeginOffsetMillis" in i for i in items)
        channel = "call" if timed else "chat"

    stamps: list[pd.Timestamp] = []
    for n, item in enumerate(items):
        rec = f"Transcript[{n}]"
        if not isinstance(item, dict):
            out.reject(rec, None, "malformed_record",
                       f"a transcript item must be an object, not a {type(item).__name__}")
            continue
        stamp: pd.Timestamp | None = None
        if "AbsoluteTime" in item:
            try:
                stamp = _utc(item["AbsoluteTime"], "AbsoluteTime")
                stamps.append(stamp)
            except _BadValue as exc:
                if not _is_chat_noise(item):
                    out.reject(rec, "AbsoluteTime", exc.code, exc.reason)
                    continue
        if channel == "chat" and _is_chat_noise(item):
            continue
        try:
            role = _item_role(item, roles_by_id, user)
            text = _item_text(item, "Content")
            start = end = None
            for key in ("BeginOffsetMillis", "EndOffsetMillis"):
                if key in item:
                    value = _seconds(item[key], 1000, key)
                    start, end = (value, end) if key == "BeginOffsetMillis" else (start, value)
                elif channel == "call":
                    raise _BadValue("missing_field",
                                    f"the voice transcript item has no {key}", key)
        except _BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        pid = item.get("ParticipantId")
        speaker = _given(pid) if pid is not None else None
        out.turn(rec, role, speaker, text, start, end, stamp)

    metadata = doc.get("CustomerMetadata")
    case = None
    for key in ("InitialContactId", "PreviousContactId"):
        case = case or _given(_dig(metadata, key)) or _given(doc.get(key))
    interaction = {"channel": channel, "case_id": case or iid,
                   "started_at": min(stamps) if stamps else None, **_analytics_meta(doc)}
    return out.build(interaction, options)


def _item_role(item: dict[str, Any], roles_by_id: Mapping[str, str],
               user: Mapping[str, str]) -> str:
    """Role of a transcript item from its own ParticipantRole or its ParticipantId."""
    if item.get("ParticipantRole") is not None:
        return _role(item["ParticipantRole"], user)
    pid = item.get("ParticipantId")
    if pid is None:
        raise _BadValue("missing_field",
                        "the transcript item has no ParticipantRole and no ParticipantId",
                        "ParticipantRole")
    key = str(pid)
    if key in roles_by_id:
        return _role(roles_by_id[key], user)
    if key.strip().upper() in ROLE_MAP:  # redacted files use the role as the id [C]
        return _role(key, user)
    raise _BadValue("unknown_participant",
                    f"ParticipantId {key!r} is not listed in Participants", "ParticipantId")


def _item_text(item: dict[str, Any], *keys: str) -> str:
    """The first present text field of ``keys``."""
    for key in keys:
        if key in item and item[key] is not None:
            value = item[key]
            if not isinstance(value, str):
                raise _BadValue("bad_value",
                                f"{key} is a {type(value).__name__}, not a string", key)
            return value
    raise _BadValue("missing_field", f"the item has no {keys[0]}", keys[0])


# ---------------------------------------------------------------- PCA


def _pca_start(ca: dict[str, Any]) -> pd.Timestamp | None:
    """Call start from ConversationTime in ConversationLocation (None when it is a copy
    of ProcessTime or unreadable)."""
    raw = _given(ca.get("ConversationTime"))
    if raw is None or raw == _given(ca.get("ProcessTime")):
        return None
    zone_name = _given(ca.get("ConversationLocation")) or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        log.info("unknown ConversationLocation %r; ConversationTime taken as UTC", zone_name)
        zone = ZoneInfo("UTC")
    try:
        return _to_utc(raw, zone)
    except (ValueError, TypeError, OverflowError):
        log.info("PCA ConversationTime %r is not a date and time; started_at left empty", raw)
        return None


def _pca_meta(ca: dict[str, Any], label_role: Callable[[str], str],
              segments: list[Any]) -> dict[str, Any]:
    """The ``aws_*`` columns of a PCA file."""
    talk: dict[str, float] = {}
    spk_time = ca.get("SpeakerTime")
    for spk, block in (spk_time.items() if isinstance(spk_time, dict) else []):
        secs = _number(_dig(block, "TotalTimeSecs"))
        if spk != "NonTalkTime" and secs is not None:
            role = label_role(spk)
            talk[role] = talk.get(role, 0.0) + secs
    sentiment: dict[str, float] = {}
    trends = ca.get("SentimentTrends")
    for spk, block in (trends.items() if isinstance(trends, dict) else []):
        score = _number(_dig(block, "SentimentScore"))
        if score is not None:
            sentiment.setdefault(label_role(spk), score)
    cats = ca.get("CategoriesDetected")
    names = [_dig(c, "Name") for c in cats] if isinstance(cats, list) else None
    return {
        "aws_job_name": _given(_pca_job(ca)),
        "aws_language": _given(ca.get("LanguageCode")),
        "aws_categories": _joined(names),
        "aws_duration_s": _number(ca.get("Duration")),
        "aws_talk_time_s": sum(talk.values()) if talk else None,
        "aws_talk_time_agent_s": talk.get("agent"),
        "aws_talk_time_customer_s": talk.get("customer"),
        "aws_non_talk_time_s": _number(_dig(spk_time, "NonTalkTime", "TotalTimeSecs")),
        "aws_interruptions": float(sum(1 for s in segments
                                       if _dig(s, "SegmentInterruption") is True)),
        "aws_sentiment_agent": sentiment.get("agent"),
        "aws_sentiment_customer": sentiment.get("customer"),
    }


def _pca_job(ca: dict[str, Any]) -> Any:
    sources = ca.get("SourceInformation")
    first = sources[0] if isinstance(sources, list) and sources else None
    return _dig(first, "TranscribeJobInfo", "TranscriptionJobName")


def _pca_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any]) -> RawFrames:
    """Parse a Post-Call Analytics document."""
    ca, segments = doc.get("ConversationAnalytics"), doc.get("SpeechSegments")
    if not isinstance(ca, dict) or not isinstance(segments, list):
        raise FormatError("not a Post-Call Analytics file: it needs a 'ConversationAnalytics' "
                          "object and a 'SpeechSegments' list", source=str(path))
    iid = _given(ca.get("GUID")) or _given(_pca_job(ca)) or path.stem
    out = _Frames(path, iid, "SpeechSegments", len(segments))
    labels: dict[str, tuple[Any, str | None]] = {}
    speaker_labels = ca.get("SpeakerLabels")
    for lab in speaker_labels if isinstance(speaker_labels, list) else []:
        spk = _dig(lab, "Speaker")
        if spk is not None:
            labels[str(spk)] = (_dig(lab, "DisplayText"), _given(_dig(lab, "UserId")))
    agent, cust = _given(ca.get("Agent")), _given(ca.get("Cust"))

    user = _user_roles(options)

    def label_of(spk: str) -> Any:
        shown = labels.get(spk, (None, None))[0]
        return spk if shown is None else shown

    def label_role(spk: str) -> str:  # the vendor's view, for its metadata
        return _role(label_of(spk))

    for n, seg in enumerate(segments):
        rec = f"SpeechSegments[{n}]"
        if not isinstance(seg, dict):
            out.reject(rec, None, "malformed_record",
                       f"a speech segment must be an object, not a {type(seg).__name__}")
            continue
        try:
            if seg.get("SegmentSpeaker") is None:
                raise _BadValue("missing_field", "the segment has no SegmentSpeaker",
                                "SegmentSpeaker")
            spk = str(seg["SegmentSpeaker"])
            role = _role("system" if seg.get("IVRSegment") is True else label_of(spk), user)
            text = _item_text(seg, "DisplayText", "OriginalText")
            times = []
            for key in ("SegmentStartTime", "SegmentEndTime"):
                if key not in seg:
                    raise _BadValue("missing_field", f"the segment has no {key}", key)
                times.append(_seconds(seg[key], 1, key))
        except _BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        speaker = labels.get(spk, (None, None))[1] or (
            agent if role == "agent" else cust if role == "customer" else None)
        out.turn(rec, role, speaker, text, times[0], times[1])

    interaction = {"channel": "call", "started_at": _pca_start(ca), "agent_id": agent,
                   "customer_id": cust, **_pca_meta(ca, label_role, segments)}
    return out.build(interaction, options)


# ---------------------------------------------------------------- readers


class _AwsJsonReader(Reader):
    """Shared sniffing and loading of one-interaction JSON exports.

    Parameters
    ----------
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    """

    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    @abstractmethod
    def _recognises(cls, head: str) -> bool:
        """Whether the head of a JSON file holds this vendor's distinctive keys."""

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.9 when the head has the format's keys, 0.1 for other ``.json``, else 0."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        is_object = head.lstrip("\ufeff \t\r\n").startswith("{")
        return 0.9 if is_object and cls._recognises(head) else 0.1

    def load(self, path: Path) -> RawFrames:
        """Read one exported file (one interaction)."""
        return self._frames(path, _load_json(path))

    @abstractmethod
    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        """Turn the parsed document into raw frames."""


def _has(head: str, *keys: str) -> bool:
    return any(f'"{k}"' in head for k in keys)


_CL_VERSION = re.compile(r'"(?:Version"\s*:\s*"(?:CHAT|VOICE)-|Channel"\s*:\s*"CHAT")')


def _contact_lens_head(head: str) -> bool:
    return bool(_has(head, "CustomerMetadata", "ParticipantId", "ChatTranscriptVersion")
                or _CL_VERSION.search(head))


@register_reader
class TranscribeReader(_AwsJsonReader):
    """Read Amazon Transcribe Call Analytics output JSON (one call per file).

    See the module docstring for the field mapping.

    Parameters
    ----------
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.

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
        return (not _contact_lens_head(head) and _has(head, "Transcript", "JobStatus")
                and _has(head, "ParticipantRole", "ConversationCharacteristics",
                         "LoudnessScores", "BeginOffsetMillis"))

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _analytics_frames(path, doc, self.options, "Transcribe Call Analytics")


@register_reader
class ContactLensReader(_AwsJsonReader):
    """Read Amazon Connect Contact Lens output JSON, voice or chat (one contact per file).

    Turns take their role from ``Participants[]`` by ``ParticipantId`` (voice) or
    from the item's ``ParticipantRole`` (chat); the speaker is the ``ParticipantId``,
    so two agents on one contact count as a handoff. See the module docstring for
    the field mapping.

    Parameters
    ----------
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.

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
        return _contact_lens_head(head) and _has(
            head, "Transcript", "Participants", "ConversationCharacteristics", "JobStatus")

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _analytics_frames(path, doc, self.options, "Contact Lens")


@register_reader
class PcaReader(_AwsJsonReader):
    """Read the output of the AWS "Post-Call Analytics" sample (one call per file).

    Roles come from ``SpeakerLabels`` as the file states them; if the channels were
    swapped when the call was processed, swap them back with
    ``roles={"agent": "customer", "customer": "agent"}``. See the module docstring
    for the field mapping.

    Parameters
    ----------
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/aws/pca_call.json")
    >>> conv.interactions.loc[0, ["interaction_id", "agent_id"]].tolist()
    ['7f3c2a1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b', 'AnaR']
    """

    name = "pca"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return _has(head, "ConversationAnalytics", "SpeechSegments")

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _pca_frames(path, doc, self.options)
