"""The ``vtt`` and ``srt`` readers: call captions, one turn per cue.

WebVTT (``.vtt``)::

    WEBVTT
    X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000

    NOTE Exported from the call recorder.

    intro
    00:00:00.500 --> 00:00:04.000 align:start position:10%
    <v Agent Dana>Thank you for calling Acme Broadband,
    this is Dana. How can I help?</v>

    00:04.500 --> 00:07.000
    <v Customer>Hi, my internet keeps dropping &amp; the lights blink.

SubRip (``.srt``)::

    1
    00:00:01,000 --> 00:00:03,500
    Agent: Good afternoon, Acme Broadband.

    2
    00:00:04,000 --> 00:00:08,000
    Customer: Hi. I was charged twice.

Reading rules
-------------
- One file is one interaction on the ``call`` channel; its ``interaction_id`` is
  the file's stem unless ``interaction_id=`` is given. Each file gives an
  interaction row, so ``a/call.vtt`` and ``b/call.srt`` read together are caught
  as a ``duplicate_interaction`` (pass ``interaction_id=`` to tell them apart),
  and a file none of whose cues is a turn is rejected as ``no_turns``.
- A cue is a timing line ``start --> end`` (cue settings after it are ignored)
  and the text lines up to the next blank line. Times are ``hh:mm:ss.mmm`` or
  ``mm:ss.mmm``; both formats accept ``.`` or ``,`` before the milliseconds.
  The line just before a timing line is the cue identifier (the SRT index).
  A missing blank line between cues is tolerated: every line holding ``-->``
  starts a new cue, and a number on the line before it is that cue's index.
- Cue ``N`` is the ``N``-th timing line of the file (the SRT index in a
  well-formed file); turns carry ``record`` ``"cue N"``.
- The ``WEBVTT`` header block and ``NOTE``, ``STYLE`` and ``REGION`` blocks are
  skipped. Text is cleaned: tags (``<v ...>``, ``<c.x>``, ``<i>``, ``<b>``,
  ``<font ...>``, timestamps such as ``<00:00:14.600>``) and SRT ``{\\an8}``
  codes are removed, entities (``&amp;``, ``&lt;``, ``&nbsp;``...) are decoded,
  and the lines of a cue are joined with a space.
- Speaker: the VTT voice ``<v Name>``; otherwise a ``Label:`` prefix at the
  start of the cue text, with a label of at most three words (plus an optional
  ``(Name)``). A prefix is taken when its label maps to a role or looks like a
  name (every word capitalised or a number), so that "The thing is: ..." stays
  text. A diarisation marker ``[speaker N]`` on a line of its own (Deepgram's
  captions write one where the speaker changes) or before the text
  (``[SPEAKER_00]: Hello``) names the speaker ``speaker N`` and is removed from
  the text; other bracketed text (``[laughter]``) stays text. A cue whose text
  is a JSON object with ``speakerName`` and ``spokenText`` (Microsoft Teams'
  ``metadataContent``) is that speaker saying that text, and the first cue's
  ``startDateTime`` minus its offset is the call's ``started_at``. A cue with several
  voices (or several role prefixes on its lines) becomes one turn per voice,
  sharing the cue's time in proportion to their text lengths.
- Role: ``roles={...}`` maps labels or speaker names (case-insensitive) to
  roles; otherwise a role word decides (``Agent``, ``Rep``, ``Support``,
  ``Customer Service`` -> agent; ``Customer``, ``Caller``, ``Client``, ``User``
  -> customer; ``System``, ``IVR`` -> system) when it is the whole label, has a
  number (``Caller 2``: a slot, no speaker), is in parentheses or has the name
  in parentheses (``Dana (Agent)``, ``Agent (Dana)``), or is a title before a
  name (``Agent Dana`` -> agent, speaker "Dana"; the titles are listed in
  ``data/role_evidence.json``). A role word elsewhere is part of a display
  name: Teams' ``<v User Name>`` is the speaker "User Name". A label that
  maps to no role is a name: its role is inferred (see
  :mod:`serviceart.ingest.roles`) when every speaker of the file is a name,
  else validation rejects the turn naming it (code ``unknown_role``; map it
  with ``roles=``).
- A cue without any speaker continues the previous cue's speaker when that cue
  ended less than ``continue_gap_s`` (1 s) before it starts, or whatever the
  gap after a ``[speaker N]`` marker (it holds until the next one). Otherwise
  it is rejected (code ``unknown_role``, reason naming its line and the role
  ``'unknown'``): captions without speaker labels (Zoom's ``.cc.vtt``) are
  not read as one speaker. Pass ``roles={"unknown": "customer"}`` to keep such
  cues under that role, with no speaker.
- Consecutive cues by the same speaker less than ``merge_gap_s`` (0.5 s) apart
  are merged into one turn (captions split sentences across cues): texts are
  joined, the turn spans first start to last end (so the short gaps count as
  talk time) and its record names the range, e.g. ``"cues 3-5"``.
- Bad cues become rejects naming the cue and its line: ``bad_timestamp``,
  ``end_before_start``, ``empty_text``; text outside any cue is a
  ``malformed_cue`` reject naming its line. A file without a single timing
  line raises :class:`~serviceart.errors.FormatError`.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..errors import ConfigError, FormatError
from ..ingest.roles import name_titles
from ..rejects import RejectCode
from ._json import to_utc
from ._text import read_text
from .base import Names, RawFrames, Reader, register_reader, reject_rows
from .text import DEFAULT_ROLES

__all__ = ["UNKNOWN_ROLE", "SrtReader", "VttReader"]

log = logging.getLogger(__name__)

#: The role given to a cue with no speaker that does not continue the previous one.
UNKNOWN_ROLE = "unknown"

_NEWLINE = re.compile(r"\r\n|\r|\n")
_VTT_BLOCK = re.compile(r"(?:\ufeff)?(?:WEBVTT|NOTE|STYLE|REGION)(?:[ \t]|$)")
_TIME = re.compile(r"(?:(\d{1,9}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?", re.ASCII)
_INDEX = re.compile(r"[ \t]*\d+[ \t]*", re.ASCII)
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t]+([^<>]*))?>")
_TAG = re.compile(r"</?(?:[A-Za-z][\w.-]*(?:[ \t][^<>]*)?|\d[\d:.]*)>")
_ASS_CODE = re.compile(r"\{\\[^{}]*\}")
_INVISIBLE = str.maketrans("", "", "\u200e\u200f\ufeff")
_HAS_INVISIBLE = re.compile("[\u200e\u200f\ufeff]")
_SPACES = re.compile(r"\s+")  # the whitespace str.split() splits on
_UNTIDY = re.compile(r"^\s|\s$|[^\S ]|  ")  # whitespace " ".join(text.split()) would change
_PREFIX = re.compile(
    r"(?P<label>[^\W\d_][\w.'&-]*(?: [\w.'&-]+){0,2}(?: ?\([^()]{1,40}\))?) ?:(?: (?P<rest>.*))?"
)
#: a diarisation label on its own line (Deepgram's captions write ``[speaker 0]`` where
#: the speaker changes), or before the text (``[SPEAKER_00]: Hello``)
_MARKER = re.compile(r"\[(?P<label>speaker[ _]?\d+)\]:?(?:\s+(?P<rest>.*))?", re.IGNORECASE)
_NUMBER = re.compile(r"#?\d+")
_DESK = re.compile(r"\bcustomer[ _-]?(?:service|care|support|success)\b", re.IGNORECASE)
_SRT_HEAD = re.compile(
    r"^\ufeff?[ \t]*\d+[ \t]*\r?\n[ \t]*\d+:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->[ \t]*"
    r"\d+:\d{2}:\d{2}[,.]\d{1,3}",
    re.MULTILINE | re.ASCII,
)
_VTT_HEAD = re.compile(r"\ufeff?WEBVTT(?:[ \t\r\n]|$)")


@dataclass
class _RawCue:
    """A timing line and the text lines under it, before any parsing."""

    number: int
    line: int
    timing: str
    text: list[str]


@dataclass
class _Turn:
    """A turn being built: one cue, a voice within a cue, or merged cues."""

    first: int
    last: int
    role: str
    speaker: str | None
    text: str
    start: float
    end: float
    #: the speaker comes from a label (not from mapping ``unknown``)
    labelled: bool = True
    #: the label was a change marker: it holds until the next label, whatever the gap
    sticky: bool = False

    @property
    def record(self) -> str:
        return f"cue {self.first}" if self.first == self.last else \
            f"cues {self.first}-{self.last}"


class _BadCue(Exception):
    """A cue that cannot become a turn (internal; turned into a reject row)."""

    def __init__(self, code: RejectCode, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.code, self.field, self.reason = code, field, reason


def _seconds(stamp: str) -> float | None:
    """Seconds from a caption time, or None when it is not one.

    Examples
    --------
    >>> _seconds("01:02:03.450"), _seconds("02:03.5"), _seconds("00:00:07,250")
    (3723.45, 123.5, 7.25)
    >>> _seconds("00:61:00,000") is None, _seconds("00:00:6,5OO") is None
    (True, True)
    """
    m = _TIME.fullmatch(stamp)
    if m is None:
        return None
    hours, minutes, seconds, frac = m.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    millis = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
    return (millis + int((frac or "0").ljust(3, "0"))) / 1000


def _timing(cue: _RawCue) -> tuple[float, float]:
    """Start and end seconds of a cue's timing line (cue settings ignored)."""
    left, _, right = cue.timing.partition("-->")
    stamps = {"start_s": left.strip(), "end_s": (right.split() or [""])[0]}
    times: dict[str, float] = {}
    for col, stamp in stamps.items():
        value = _seconds(stamp)
        if value is None:
            what = f"{stamp!r} is not a time" if stamp else "the time is missing"
            raise _BadCue(RejectCode.BAD_TIMESTAMP, col,
                          f"line {cue.line}: in the timing line {_short(cue.timing)!r}, {what}"
                          " (expected hh:mm:ss.mmm or mm:ss.mmm)")
        times[col] = value
    if times["end_s"] < times["start_s"]:
        raise _BadCue(RejectCode.END_BEFORE_START, "end_s",
                      f"line {cue.line}: the cue ends at {stamps['end_s']} before it starts "
                      f"at {stamps['start_s']}")
    return times["start_s"], times["end_s"]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clean(text: str) -> str:
    """Caption text without tags, with entities decoded and whitespace collapsed.

    Examples
    --------
    >>> _clean("<c.hi>It</c> <00:00:14.600><c>looks</c> &lt;ok&gt; &amp; <i>fine</i>")
    'It looks <ok> & fine'
    """
    text = _ASS_CODE.sub("", _TAG.sub("", text))
    text = html.unescape(text)
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return _collapse(text)


_WINDOW = 1 << 20


def _collapse(text: str) -> str:
    """``" ".join(text.split())`` in bounded extra memory: a long text is done in
    windows cut inside words, so no list of all its words is ever built.

    Examples
    --------
    >>> _collapse('  a \\t b\\n\\nc  ')
    'a b c'
    """
    if not _UNTIDY.search(text):
        return text  # nothing to change: no copy of a long text
    if len(text) <= _WINDOW:
        return _SPACES.sub(" ", text).strip()
    pieces: list[str] = []
    start = 0
    while start < len(text):
        stop = min(start + _WINDOW, len(text))
        while stop < len(text) and (text[stop - 1].isspace() or text[stop].isspace()):
            stop += 1
        pieces.append(_SPACES.sub(" ", text[start:stop]))
        start = stop
    return "".join(pieces).strip()


def _key(word: str) -> str:
    return word.lower().strip(".,;:'\"-_[]")


def _role_word(word: str) -> str | None:
    """The role a single role word gives (``Agent`` -> agent), else None."""
    return DEFAULT_ROLES.get(_key(word))


def _label_role(label: str) -> tuple[str | None, str | None]:
    """The role a label states and the speaker name left beside it.

    A role word gives the role when it is the whole label ("Customer"), has a
    number ("Caller 2": a slot, no speaker), is in parentheses or has the name
    in parentheses ("Dana (Agent)", "Agent (Dana)"), or is a title before a name
    ("Agent Dana"; titles are listed in ``data/role_evidence.json``). Elsewhere a
    role word is part of a display name ("User Name", "Guest User"): no role.

    Examples
    --------
    >>> _label_role("Agent Dana"), _label_role("Caller 2"), _label_role("Dana (Agent)")
    (('agent', 'Dana'), ('customer', None), ('agent', 'Dana'))
    >>> _label_role("User Name"), _label_role("User")
    ((None, 'User Name'), ('customer', None))
    """
    if _DESK.search(label):
        words = re.findall(r"[^\s()]+", _DESK.sub(" ", label))
        return "agent", " ".join(w for w in words if _role_word(w) is None) or None
    paren = re.fullmatch(r"(?P<out>[^()]*?) ?\((?P<in>[^()]*)\)", label)
    if paren:
        outside, inside = paren["out"].strip(), paren["in"].strip()
        if (role := _role_word(inside)) and len(inside.split()) == 1:
            return role, outside or None
        if (role := _role_word(outside)) and len(outside.split()) == 1:
            return role, inside or None
        return None, label
    words = label.split()
    role = _role_word(words[0]) if words else None
    if role is None:
        return None, label
    rest = words[1:]
    if not rest or all(_NUMBER.fullmatch(w) for w in rest):
        return role, None
    if _key(words[0]) in name_titles():
        return role, " ".join(rest)
    return None, label


def _resolve(label: str, roles: Mapping[str, str]) -> tuple[str | None, str, bool]:
    """Speaker, role and whether the role is known, from a voice name or a prefix label.

    ``roles={...}`` is matched on the whole label, then on the speaker name;
    else the role the label states (:func:`_label_role`); else the label is a
    name, passed on as the role for inference or validation.

    Examples
    --------
    >>> _resolve("Agent Dana", {}), _resolve("Customer", {})
    (('Dana', 'agent', True), (None, 'customer', True))
    >>> _resolve("Customer Service", {}), _resolve("Priya", {"priya": "agent"})
    ((None, 'agent', True), ('Priya', 'agent', True))
    >>> _resolve("Speaker 3", {}), _resolve("User Name", {})
    (('Speaker 3', 'Speaker 3', False), ('User Name', 'User Name', False))
    """
    label = " ".join(label.split())
    role, speaker = _label_role(label)
    for name in (label, speaker):
        if name and name.lower() in roles:
            return speaker, roles[name.lower()], True
    if role is not None:
        return speaker, role, True
    return label, label, False


def _name_like(label: str) -> bool:
    words = label.replace("(", " ").replace(")", " ").split()
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def _prefixed(chunk: str, roles: Mapping[str, str], out: list[list[Any]]) -> None:
    """Append [label, text, sticky] segments for a chunk of text without a voice."""
    for line in chunk.split("\n"):
        clean = _clean(line)
        if not clean:
            continue
        marker = _MARKER.fullmatch(clean)
        m = None if marker else _PREFIX.fullmatch(clean)
        if marker:
            out.append([marker["label"], marker["rest"] or "", True])
        elif m and (_resolve(m["label"], roles)[2] or (not out and _name_like(m["label"]))):
            out.append([m["label"], m["rest"] or "", False])
        elif out:
            out[-1][1] = f"{out[-1][1]} {clean}".strip()
        else:
            out.append([None, clean, False])


def _graph_entry(text: str) -> tuple[str | None, str] | None:
    """Speaker and text of a Microsoft Teams ``metadataContent`` cue, else None.

    The Graph API's call transcript metadata is WebVTT whose cue text is a JSON
    object with ``speakerName`` and ``spokenText``.

    Examples
    --------
    >>> _graph_entry('{"speakerName":"User Name","spokenText":"Hi."}')
    ('User Name', 'Hi.')
    >>> _graph_entry("{not json}") is None
    True
    """
    if not text.startswith("{") or "spokenText" not in text:
        return None
    try:
        entry = json.loads(text)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("spokenText"), str):
        return None
    name = entry.get("speakerName")
    return (name.strip() or None) if isinstance(name, str) else None, entry["spokenText"]


def _graph_start(cues: list[_RawCue]) -> pd.Timestamp | None:
    """The call's start from a Teams ``metadataContent`` file: the first cue's
    ``startDateTime`` minus its offset; None for other files or without a usable time."""
    first = next((cue for cue in cues if cue.text), None)
    if first is None:
        return None
    text = "\n".join(first.text).strip()
    if not text.startswith("{") or _graph_entry(text) is None:
        return None
    try:
        at = to_utc(json.loads(text).get("startDateTime"))
        offset, _ = _timing(first)
    except (ValueError, TypeError, OverflowError, _BadCue):
        return None
    return at - pd.Timedelta(round(offset * 1000), unit="ms")  # cue times are whole ms


def _segments(lines: list[str], roles: Mapping[str, str]
              ) -> list[tuple[str | None, str, bool]]:
    """The (speaker label or None, clean text, sticky) parts of one cue's text, in order."""
    joined = "\n".join(lines)
    graph = _graph_entry(joined.strip())
    if graph is not None:
        return [(graph[0], _collapse(graph[1]), False)] if graph[1].strip() else []
    pieces = _VOICE.split(joined)
    out: list[list[Any]] = []
    chunks: list[tuple[str | None, str]] = [(None, pieces[0])]
    chunks += list(zip(pieces[1::2], pieces[2::2], strict=True))
    for voice, chunk in chunks:
        name = " ".join(voice.split()) if voice else ""
        if name:
            out.append([name, _clean(chunk), False])
        else:
            _prefixed(chunk, roles, out)
    return [(label, text, sticky) for label, text, sticky in out if text]


def _shares(start: float, end: float, texts: list[str]) -> list[tuple[float, float]]:
    """The cue's time split between its parts in proportion to their text lengths."""
    if len(texts) == 1:
        return [(start, end)]
    total = sum(len(t) for t in texts)
    bounds, done = [start], 0
    for text in texts[:-1]:
        done += len(text)
        bounds.append(round(start + (end - start) * done / total, 3))
    bounds.append(end)
    return list(pairwise(bounds))


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines with the number (from 1) of their first line."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            current = None
        elif current is None:
            current = [line]
            out.append((number, current))
        else:
            current.append(line)
    return out


def _scan(lines: list[str], vtt: bool) -> tuple[list[_RawCue], list[tuple[int, list[str]]]]:
    """Cue candidates, and runs of text outside any cue with their first line number."""
    cues: list[_RawCue] = []
    stray: list[tuple[int, list[str]]] = []
    for first, block in _blocks(lines):
        timings = [k for k, line in enumerate(block) if "-->" in line]
        head = block[: timings[0]] if timings else block
        if head and not (vtt and _VTT_BLOCK.match(head[0])):
            loose = head[:-1] if timings else head  # the line before a timing line is its id
            if loose:
                stray.append((first, loose))
        for j, k in enumerate(timings):
            stop = timings[j + 1] if j + 1 < len(timings) else len(block)
            text = block[k + 1 : stop]
            if j + 1 < len(timings) and text and _INDEX.fullmatch(text[-1]):
                text = text[:-1]  # no blank line before the next cue: this is its index
            cues.append(_RawCue(len(cues) + 1, first + k, block[k], text))
    return cues, stray


def _gap_option(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigError(f"{name} must be a number of seconds >= 0, or None; got {value!r}",
                          field=name, code="SA-C077")
    return float(value)


def _roles_option(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"roles must be a mapping of labels to roles, got {value!r}",
                          field="roles", code="SA-C078")
    return {" ".join(str(k).split()).lower(): str(v).strip().lower() for k, v in value.items()}


def _turns(cues: list[_RawCue], roles: Mapping[str, str], continue_gap: float | None,
           bad: list[tuple[int, dict[str, Any]]]) -> list[_Turn]:
    """One turn per cue (or per voice in a cue), with speakers and roles assigned."""
    out: list[_Turn] = []
    for cue in cues:
        try:
            start, end = _timing(cue)
            parts = _segments(cue.text, roles)
            if not parts:
                raise _BadCue(RejectCode.EMPTY_TEXT, "text",
                              f"line {cue.line}: the cue has no text")
        except _BadCue as exc:
            bad.append((cue.line, {"record": f"cue {cue.number}", "field": exc.field,
                                   "code": exc.code, "reason": exc.reason}))
            continue
        times = _shares(start, end, [text for _, text, _ in parts])
        for (label, text, sticky), (s, e) in zip(parts, times, strict=True):
            prev = out[-1] if out else None
            labelled = True
            if label is not None:
                speaker, role, _ = _resolve(label, roles)
            elif prev is not None and prev.labelled and (prev.sticky or (
                    continue_gap is not None and start - prev.end < continue_gap)):
                # a voiceless part is a cue's first: it continues the previous speaker
                speaker, role, sticky = prev.speaker, prev.role, prev.sticky
            elif UNKNOWN_ROLE in roles:
                speaker, role, labelled = None, roles[UNKNOWN_ROLE], False
            else:
                bad.append((cue.line, {"record": f"cue {cue.number}", "field": "role",
                                       "code": RejectCode.UNKNOWN_ROLE,
                                       "reason": _no_speaker(cue, continue_gap)}))
                continue
            out.append(_Turn(cue.number, cue.number, role, speaker, text, s, e,
                             labelled=labelled, sticky=sticky))
    return out


def _no_speaker(cue: _RawCue, continue_gap: float | None) -> str:
    """The reject reason of a cue without a speaker."""
    after = ("it does not follow a speaker's cue within continue_gap_s "
             f"({continue_gap:g} s)" if continue_gap is not None
             else "continue_gap_s is None")
    return (f"line {cue.line}: the cue has no speaker (no '<v Name>' voice, 'Name:' prefix "
            f"or '[speaker N]' line) and {after}, so its role is {UNKNOWN_ROLE!r}; "
            "pass roles={'unknown': 'customer'} (or another role) to keep such cues")


def _merge(turns: list[_Turn], gap: float | None) -> list[_Turn]:
    """Consecutive turns of one speaker less than ``gap`` seconds apart, joined."""
    if gap is None:
        return turns
    out: list[_Turn] = []
    for turn in turns:
        last = out[-1] if out else None
        if (last is not None and (last.role, last.speaker) == (turn.role, turn.speaker)
                and turn.start - last.end < gap):
            last.text = f"{last.text} {turn.text}"
            last.end = max(last.end, turn.end)
            last.last = turn.last
        else:
            out.append(turn)
    return out


def read_captions(path: Path, *, vtt: bool, interaction_id: str | None = None,
                  roles: Mapping[str, str] | None = None, merge_gap_s: float | None = 0.5,
                  continue_gap_s: float | None = 1.0,
                  encoding: str | None = None) -> RawFrames:
    """Read one caption file into raw frames (see the module docstring for the rules).

    Parameters
    ----------
    path
        A WebVTT or SubRip file.
    vtt
        Whether the file is WebVTT (header, ``NOTE``/``STYLE``/``REGION`` blocks).
    interaction_id, roles, merge_gap_s, continue_gap_s, encoding
        As for :class:`VttReader`.

    Returns
    -------
    RawFrames
        Turns with ``record`` ``"cue N"`` (or ``"cues N-M"`` when merged) and the
        rejected cues.

    Raises
    ------
    FormatError
        When the file holds no timing line at all.
    ConfigError
        When an option has the wrong type.
    """
    source = str(path)
    iid = str(interaction_id or "").strip() or path.stem
    labels = _roles_option(roles)
    merge_gap = _gap_option(merge_gap_s, "merge_gap_s")
    continue_gap = _gap_option(continue_gap_s, "continue_gap_s")
    lines = _NEWLINE.split(read_text(path, encoding))
    kind = "WebVTT" if vtt else "SubRip"
    if vtt and not _VTT_HEAD.match(lines[0]):
        log.warning("%s has no WEBVTT header line; reading its cues anyway", path)
    cues, stray = _scan(lines, vtt)
    if not cues:
        raise FormatError(f"no caption cues found: a {kind} file needs cues with a "
                          "'00:00:01.000 --> 00:00:04.000' timing line", source=source,
                          code="SA-F008")
    bad: list[tuple[int, dict[str, Any]]] = [
        (line, {"record": f"line {line}", "code": RejectCode.MALFORMED_CUE,
                "reason": f"line {line}: {len(text)} line(s) outside any cue, starting "
                          f"{_short(text[0].strip())!r}; a cue needs a 'start --> end' "
                          "timing line, and a blank line ends a cue"})
        for line, text in stray
    ]
    started = _graph_start(cues) if vtt else None
    turns = _merge(_turns(cues, labels, continue_gap, bad), merge_gap)
    del lines, cues, stray  # a long cue's raw text is no longer needed: free it before the frame
    rows = [{"interaction_id": iid, "role": t.role, "speaker": t.speaker, "text": t.text,
             "start_s": t.start, "end_s": t.end, "channel": "call", "record": t.record}
            for t in turns]
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(
        columns=["interaction_id", "role", "speaker", "text", "start_s", "end_s", "channel",
                 "record"])
    frame["source"] = source
    rejects = [{"source": source, "interaction_id": iid, **row}
               for _, row in sorted(bad, key=lambda item: item[0])]
    # the file's interaction row: a call whose cues are all rejected is rejected as a whole
    # (no_turns), and two files giving one interaction_id are caught as duplicates
    interaction = pd.DataFrame({
        "interaction_id": pd.Series([iid], dtype="string"),
        "channel": pd.Series(["call"], dtype="string"),
        "started_at": pd.Series([pd.NaT if started is None else started],
                                dtype="datetime64[ns, UTC]")})
    return RawFrames(turns=frame, interactions=interaction, rejects=reject_rows(rejects),
                     labels_as_roles=True)


class _CaptionReader(Reader):
    """Options and loading shared by the caption readers (not registered itself)."""

    _vtt: ClassVar[bool] = False

    def __init__(self, *, interaction_id: str | None = None,
                 roles: Mapping[str, str] | None = None, merge_gap_s: float | None = 0.5,
                 continue_gap_s: float | None = 1.0, encoding: str | None = None,
                 agent_ids: Names | None = None, agent_domains: Names | None = None,
                 company: Names | None = None) -> None:
        super().__init__(interaction_id=interaction_id, roles=roles, merge_gap_s=merge_gap_s,
                         continue_gap_s=continue_gap_s, encoding=encoding,
                         agent_ids=agent_ids, agent_domains=agent_domains, company=company)

    def load(self, path: Path) -> RawFrames:
        """Parse the cues; bad cues become rejects naming the cue and its line."""
        o = self.options  # agent_ids, agent_domains and company serve role inference
        return read_captions(path, vtt=self._vtt, interaction_id=o["interaction_id"],
                             roles=o["roles"], merge_gap_s=o["merge_gap_s"],
                             continue_gap_s=o["continue_gap_s"], encoding=o["encoding"])


@register_reader
class VttReader(_CaptionReader):
    """Read WebVTT captions of a call (rules in :mod:`serviceart.readers.captions`).

    Parameters
    ----------
    interaction_id
        The interaction's id (default: the file's stem).
    roles
        Voice names or labels to roles, case-insensitive, e.g. ``{"Dana": "agent"}``.
    merge_gap_s
        Merge consecutive cues of one speaker closer than this (default 0.5 s);
        ``None`` keeps every cue a turn.
    continue_gap_s
        A cue without a speaker continues the previous cue's speaker when it starts
        less than this after it ends (default 1 s); ``None`` never continues.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).
    agent_ids, agent_domains, company
        Evidence for inferring roles where voices are names, not roles (see
        :func:`serviceart.read`'s ``infer_roles``): agents' speaker names or ids,
        their mail domains, the company's name(s).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/captions/call.vtt")
    >>> conv.turns[["role", "speaker", "record"]].head(2).values.tolist()
    [['agent', 'Dana', 'cue 1'], ['customer', <NA>, 'cues 2-3']]
    """

    name = "vtt"
    extensions = (".vtt",)
    _vtt = True

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.95 for a ``.vtt`` file starting ``WEBVTT``, 0.3 for another ``.vtt``, else 0."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        return 0.95 if _VTT_HEAD.match(head) else 0.3


@register_reader
class SrtReader(_CaptionReader):
    """Read SubRip captions of a call (rules in :mod:`serviceart.readers.captions`).

    Parameters
    ----------
    interaction_id
        The interaction's id (default: the file's stem).
    roles
        Labels or names to roles, case-insensitive, e.g. ``{"Sam": "agent"}``.
    merge_gap_s
        Merge consecutive cues of one speaker closer than this (default 0.5 s);
        ``None`` keeps every cue a turn.
    continue_gap_s
        A cue without a speaker continues the previous cue's speaker when it starts
        less than this after it ends (default 1 s); ``None`` never continues.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).
    agent_ids, agent_domains, company
        Evidence for inferring roles where voices are names, not roles (see
        :func:`serviceart.read`'s ``infer_roles``): agents' speaker names or ids,
        their mail domains, the company's name(s).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/captions/billing.srt")
    >>> conv.turns["record"].tolist()
    ['cue 1', 'cues 2-3', 'cue 4', 'cue 5', 'cue 6']
    >>> conv.turns["end_s"].tolist()
    [3.5, 10.0, 15.0, 16.0, 20.0]
    """

    name = "srt"
    extensions = (".srt",)

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.9 for a ``.srt`` file whose head holds an index and timing line, 0.3 for
        another ``.srt``, else 0."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        return 0.9 if _SRT_HEAD.search(head) else 0.3
