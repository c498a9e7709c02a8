"""The ``pca`` reader: output of the AWS sample "Amazon Transcribe Post-Call Analytics".

One JSON file is one call: ``ConversationAnalytics`` + ``SpeechSegments[]``,
times in seconds, speakers as ``spk_N`` labels. Interaction metadata uses the
same ``aws_*`` columns as the :mod:`.aws` readers.

Source of the field names
-------------------------
[P] aws-samples/amazon-transcribe-post-call-analytics, ``docs/output_json_structure.md``
    and ``pca-server/src/pca/pcaresults.py`` / ``pca-aws-sf-process-turn-by-turn.py``.

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

Bad segments become rejects as in :mod:`.aws`; a file that is not JSON or not
this layout raises :class:`~serviceart.errors.FormatError` naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    to_utc,
    user_roles,
)
from .aws import META_COLUMNS, _role
from .base import RawFrames, register_reader

__all__ = ["PcaReader"]

log = logging.getLogger(__name__)


def _pca_start(ca: dict[str, Any]) -> pd.Timestamp | None:
    """Call start from ConversationTime in ConversationLocation (None when it is a copy
    of ProcessTime or unreadable)."""
    raw = given(ca.get("ConversationTime"))
    if raw is None or raw == given(ca.get("ProcessTime")):
        return None
    zone_name = given(ca.get("ConversationLocation")) or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        log.info("unknown ConversationLocation %r; ConversationTime taken as UTC", zone_name)
        zone = ZoneInfo("UTC")
    try:
        return to_utc(raw, zone)
    except (ValueError, TypeError, OverflowError):
        log.info("PCA ConversationTime %r is not a date and time; started_at left empty", raw)
        return None


def _pca_meta(ca: dict[str, Any], label_role: Callable[[str], str],
              segments: list[Any]) -> dict[str, Any]:
    """The ``aws_*`` columns of a PCA file."""
    talk: dict[str, float] = {}
    spk_time = ca.get("SpeakerTime")
    for spk, block in (spk_time.items() if isinstance(spk_time, dict) else []):
        secs = number(dig(block, "TotalTimeSecs"))
        if spk != "NonTalkTime" and secs is not None:
            role = label_role(spk)
            talk[role] = talk.get(role, 0.0) + secs
    sentiment: dict[str, float] = {}
    trends = ca.get("SentimentTrends")
    for spk, block in (trends.items() if isinstance(trends, dict) else []):
        score = number(dig(block, "SentimentScore"))
        if score is not None:
            sentiment.setdefault(label_role(spk), score)
    cats = ca.get("CategoriesDetected")
    names = [dig(c, "Name") for c in cats] if isinstance(cats, list) else None
    return {
        "aws_job_name": given(_pca_job(ca)),
        "aws_language": given(ca.get("LanguageCode")),
        "aws_categories": joined(names),
        "aws_duration_s": number(ca.get("Duration")),
        "aws_talk_time_s": sum(talk.values()) if talk else None,
        "aws_talk_time_agent_s": talk.get("agent"),
        "aws_talk_time_customer_s": talk.get("customer"),
        "aws_non_talk_time_s": number(dig(spk_time, "NonTalkTime", "TotalTimeSecs")),
        "aws_interruptions": float(sum(1 for s in segments
                                       if dig(s, "SegmentInterruption") is True)),
        "aws_sentiment_agent": sentiment.get("agent"),
        "aws_sentiment_customer": sentiment.get("customer"),
    }


def _pca_job(ca: dict[str, Any]) -> Any:
    sources = ca.get("SourceInformation")
    first = sources[0] if isinstance(sources, list) and sources else None
    return dig(first, "TranscribeJobInfo", "TranscriptionJobName")


def _pca_frames(path: Path, doc: dict[str, Any], options: Mapping[str, Any]) -> RawFrames:
    """Parse a Post-Call Analytics document."""
    ca, segments = doc.get("ConversationAnalytics"), doc.get("SpeechSegments")
    if not isinstance(ca, dict) or not isinstance(segments, list):
        raise FormatError("not a Post-Call Analytics file: it needs a 'ConversationAnalytics' "
                          "object and a 'SpeechSegments' list", source=str(path), code="SA-F024")
    iid = given(ca.get("GUID")) or given(_pca_job(ca)) or path.stem
    out = JsonFrames(path, iid, "SpeechSegments", len(segments), META_COLUMNS)
    labels: dict[str, tuple[Any, str | None]] = {}
    speaker_labels = ca.get("SpeakerLabels")
    for lab in speaker_labels if isinstance(speaker_labels, list) else []:
        spk = dig(lab, "Speaker")
        if spk is not None:
            labels[str(spk)] = (dig(lab, "DisplayText"), given(dig(lab, "UserId")))
    agent, cust = given(ca.get("Agent")), given(ca.get("Cust"))

    user = user_roles(options)

    def label_of(spk: str) -> Any:
        shown = labels.get(spk, (None, None))[0]
        return spk if shown is None else shown

    def label_role(spk: str) -> str:  # the vendor's view, for its metadata
        return _role(label_of(spk))

    for n, seg in enumerate(segments):
        rec = f"SpeechSegments[{n}]"
        if not isinstance(seg, dict):
            out.reject(rec, None, RejectCode.MALFORMED_RECORD,
                       f"a speech segment must be an object, not a {type(seg).__name__}")
            continue
        try:
            if seg.get("SegmentSpeaker") is None:
                raise BadValue(RejectCode.MISSING_FIELD, "the segment has no SegmentSpeaker",
                                "SegmentSpeaker")
            spk = str(seg["SegmentSpeaker"])
            role = _role("system" if seg.get("IVRSegment") is True else label_of(spk), user)
            text = item_text(seg, "DisplayText", "OriginalText")
            times = []
            for key in ("SegmentStartTime", "SegmentEndTime"):
                if key not in seg:
                    raise BadValue(RejectCode.MISSING_FIELD, f"the segment has no {key}", key)
                times.append(seconds(seg[key], 1, key))
        except BadValue as exc:
            out.reject(rec, exc.field, exc.code, exc.reason)
            continue
        speaker = labels.get(spk, (None, None))[1] or (
            agent if role == "agent" else cust if role == "customer" else None)
        out.turn(rec, role, speaker, text, times[0], times[1])

    interaction = {"channel": "call", "started_at": _pca_start(ca), "agent_id": agent,
                   "customer_id": cust, **_pca_meta(ca, label_role, segments)}
    return out.build(interaction, options)



@register_reader
class PcaReader(JsonDocReader):
    """Read the output of the AWS "Post-Call Analytics" sample (one call per file).

    Roles come from ``SpeakerLabels`` as the file states them; if the channels were
    swapped when the call was processed, swap them back with
    ``roles={"agent": "customer", "customer": "agent"}``. See the module docstring
    for the field mapping.

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
    >>> conv = sa.read("tests/readers/fixtures/aws/pca_call.json")
    >>> conv.interactions.loc[0, ["interaction_id", "agent_id"]].tolist()
    ['7f3c2a1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b', 'AnaR']
    """

    name = "pca"

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return has_keys(head, "ConversationAnalytics", "SpeechSegments")

    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        return _pca_frames(path, doc, self.options)
