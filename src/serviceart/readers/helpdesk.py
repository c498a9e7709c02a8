"""Shared code of the help-desk readers ``zendesk``, ``intercom`` and ``freshdesk``.

A help-desk export is a file of tickets (or conversations), each with its
messages embedded. This module streams those records out of a file, turns
message bodies into plain text, decides roles, and collects turns, one
interaction row per ticket and rejects into
:class:`~serviceart.readers.base.RawFrames`; each vendor module only says how
one record maps onto serviceart.

File layouts (all three readers)
    - JSON Lines (``.jsonl``, ``.ndjson``, or a ``.json`` whose first line is a
      complete object followed by more lines, as Zendesk's JSON export is): one
      record (or one API response) per line, read line by line in bounded
      memory. Bulk exports should be in this layout.
    - One JSON document (``.json``): a single record, an API response wrapping
      several (``{"tickets": [...]}``...), or an array of either. The document
      is parsed whole, then yielded in chunks.

Options (all three readers)
    ``roles={...}``
        Author ids, or the vendor's role labels (Zendesk user roles
        ``end-user``/``agent``/``admin``; Intercom author types; Freshdesk
        ``incoming``/``outgoing``), mapped to ``agent``/``customer``/``system``.
        An author id wins over a label.
    ``agent_ids=[...]``
        Authors who are agents, whatever the export says.
    ``private_notes="skip"|"system"``
        Private (internal) notes are skipped by default and counted in the
        ``private_notes`` interaction column; ``"system"`` keeps them as
        ``system`` turns.
    ``strip_quotes=True``
        On the email channel, quoted earlier replies and signatures are removed
        from bodies (:func:`serviceart.readers.email.strip_reply`) and kept in
        the ``removed_text`` turn column. ``False`` keeps bodies whole.
    ``channel=``
        Force the interactions' channel (``email``, ``chat``...).

Rejects
    ``malformed_line`` (a JSON Lines line that is not JSON), ``malformed_record``
    (a record or message that is not an object), ``missing_field``,
    ``bad_timestamp``, ``bad_value`` (a text that is not a string),
    ``only_quoted`` (an email body holding only quoted text) and ``no_turns``
    (a record without any usable message). An empty file, a file that is not
    JSON and a truncated JSON document raise
    :class:`~serviceart.errors.FormatError` naming the file.
"""

from __future__ import annotations

import json
import math
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..errors import ConfigError, FormatError
from ..ingest.validate import INTERACTION_KEY
from ..rejects import RejectCode
from ._json import BadValue, given, load_json, loads, number, user_roles, utc
from .base import RawFrames, Reader, reject_rows
from .email import html_to_text, strip_reply
from .turns import _open_text

__all__ = ["HelpdeskReader", "Item", "Record", "Settings", "epoch_or_iso", "message_text",
           "records"]

_LINE_EXT = (".jsonl", ".ndjson")
_ROLES = ("agent", "customer", "system")
_TURN_COLS = ("interaction_id", "role", "speaker", "text", "timestamp", "source", "record",
              "removed_text")


# ---------------------------------------------------------------- records of a file


@dataclass(frozen=True)
class Item:
    """One object found in a file: where it is, the object, the response's shared data."""

    where: str
    obj: Any
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Bad:
    """A line of a JSON Lines file that is not JSON."""

    where: str
    reason: str


def _first_line(path: Path) -> tuple[bytes | None, bool]:
    """The first non-blank line of the file and whether more non-blank lines follow."""
    first: bytes | None = None
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            if first is None:
                first = raw
                continue
            return first, True
    return first, False


def _decode_line(raw: bytes, n: int) -> Any:
    text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
    return loads(text)


def _is_lines(path: Path) -> bool:
    """Whether the file is JSON Lines (by extension, or a first line that is a whole object)."""
    if path.suffix.lower() in _LINE_EXT:
        return True
    first, more = _first_line(path)
    if first is None or not more:
        return False
    try:
        return isinstance(_decode_line(first, 1), dict)
    except (ValueError, RecursionError):
        return False


def _document(path: Path) -> Any:
    """The file's JSON document (an object or an array); FormatError otherwise."""
    text = _open_text(path).getvalue()
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        return load_json(path)
    if not text.strip():
        raise FormatError("the file is empty; expected an exported JSON document",
                          source=str(path), code="SA-F013")
    if start != "[":
        raise FormatError("not JSON: a help-desk export starts with '{' or '['",
                          source=str(path), code="SA-F014")
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) else ""
        raise FormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column "
                          f"{exc.colno}{hint}", source=str(path), code="SA-F015") from exc
    except RecursionError as exc:
        raise FormatError("the JSON is nested too deeply to read", source=str(path),
                          code="SA-F016") from exc


def records(path: Path, unwrap: Any, whole: Any = None) -> Iterator[Item | Bad]:
    """Every record of a file, in file order, never holding a JSON Lines file whole.

    Parameters
    ----------
    path
        The file.
    unwrap
        ``unwrap(obj, where) -> list[Item]``: the records inside one parsed
        object (a record itself, or an API response wrapping several).
    whole
        ``whole(array, where) -> list[Item] | None``: the records of a JSON array
        that is read as a whole (a list of one ticket's messages), or None to
        read its elements one by one with ``unwrap``.

    Raises
    ------
    FormatError
        When the file is empty, not JSON, a truncated document, or JSON Lines of
        which no line is JSON.
    """
    try:
        lines = _is_lines(path)
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror}", source=str(path),
                          code="SA-F017") from exc
    if not lines:
        doc = _document(path)
        items = whole(doc, "") if whole is not None and isinstance(doc, list) else None
        if items is not None:
            yield from items
        elif isinstance(doc, list):
            for i, obj in enumerate(doc):
                yield from unwrap(obj, f"[{i}]")
        else:
            yield from unwrap(doc, "")
        return
    good = bad = 0
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = _decode_line(raw, n)
            except UnicodeDecodeError as exc:
                bad += 1
                yield Bad(f"line {n}", f"the line is not UTF-8 text: {exc.reason}")
                continue
            except json.JSONDecodeError as exc:
                bad += 1
                yield Bad(f"line {n}", f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            except RecursionError:
                bad += 1
                yield Bad(f"line {n}", "the JSON is nested too deeply to read")
                continue
            good += 1
            items = (whole(obj, f"line {n}") if whole is not None and isinstance(obj, list)
                     else None)
            yield from unwrap(obj, f"line {n}") if items is None else items
    if not good:
        why = "the file is empty" if not bad else f"none of its {bad} lines is JSON"
        raise FormatError(f"{why}; expected JSON Lines with one exported record per line",
                          source=str(path), code="SA-F018")


# ---------------------------------------------------------------- values


def at(where: str, what: str) -> str:
    """A record locator: ``line 3: ticket 101 comment 5``."""
    return f"{where}: {what}" if where else what


def epoch_or_iso(value: Any, name: str) -> pd.Timestamp:
    """A Unix time in seconds (number or numeric text) or an ISO-8601 time, as UTC.

    Raises :class:`~serviceart.readers._json.BadValue` (``bad_timestamp``).
    """
    secs = number(value)
    if secs is None:
        return utc(value, name)
    try:
        ts = pd.Timestamp(secs, unit="s", tz="UTC")
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise BadValue(RejectCode.BAD_TIMESTAMP, f"{name} {value!r} is not a Unix time",
                       name) from exc
    return ts.as_unit("ns")


def required_time(obj: Mapping[str, Any], key: str, *, epoch: bool = False,
                  label: str | None = None) -> pd.Timestamp:
    """``obj[key]`` as a UTC time; ``missing_field`` or ``bad_timestamp`` otherwise."""
    name = label or key
    value = obj.get(key)
    if value is None:
        raise BadValue(RejectCode.MISSING_FIELD, f"the {name.split('.')[0]} has no {key}", name)
    return epoch_or_iso(value, name) if epoch else utc(value, name)


def message_text(obj: Mapping[str, Any], plain: Iterable[str], html: Iterable[str],
                 what: str) -> str:
    """A message's text: the first non-empty plain-text field, else HTML converted.

    Raises :class:`~serviceart.readers._json.BadValue`: ``bad_value`` when a text
    field is not a string, ``missing_field`` when none is present.
    """
    fields = [(k, False) for k in plain] + [(k, True) for k in html]
    found: str | None = None
    for key, is_html in fields:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BadValue(RejectCode.BAD_VALUE,
                           f"{key} is a {type(value).__name__}, not a string", key)
        text = html_to_text(value) if is_html else value.strip()
        if text:
            return text
        found = found if found is not None else key
    if found is not None:
        return ""
    names = [k for k, _ in fields]
    raise BadValue(RejectCode.MISSING_FIELD, f"the {what} has none of the text fields {names}",
                   names[0])


# ---------------------------------------------------------------- options and roles


@dataclass(frozen=True)
class Settings:
    """The reader options, checked once per file."""

    roles: Mapping[str, str]
    agent_ids: frozenset[str] | None
    keep_notes: bool
    strip_quotes: bool
    channel: str | None

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> Settings:
        """Check and normalise the options; :class:`ConfigError` names a bad one."""
        roles = user_roles(options)
        for key, value in roles.items():
            if value not in _ROLES:
                raise ConfigError(f"roles= maps {key!r} to {value!r}; use one of "
                                  f"{list(_ROLES)}", field="roles", code="SA-C081")
        ids = options.get("agent_ids")
        if isinstance(ids, (str, int)):
            ids = [ids]
        if ids is not None and not isinstance(ids, Iterable):
            raise ConfigError(f"agent_ids= must be a list of author ids, got {ids!r}",
                              field="agent_ids", code="SA-C082")
        agents = None if ids is None else frozenset(
            s.lower() for s in (given(i) for i in ids) if s is not None)
        notes = str(options.get("private_notes", "skip")).strip().lower()
        if notes not in ("skip", "system"):
            raise ConfigError(f"private_notes={options.get('private_notes')!r}; use 'skip' "
                              "(count them in the private_notes column) or 'system' (keep "
                              "them as system turns)", field="private_notes", code="SA-C083")
        channel = options.get("channel")
        return cls(roles=roles, agent_ids=agents, keep_notes=notes == "system",
                   strip_quotes=bool(options.get("strip_quotes", True)),
                   channel=None if channel is None else str(channel).strip().lower())

    def role(self, author: str | None, label: str | None, default: str) -> str:
        """An author's role: ``roles`` by author id, then by label; ``agent_ids``; default."""
        if author is not None and author.lower() in self.roles:
            return self.roles[author.lower()]
        if label is not None and label.strip().lower() in self.roles:
            return self.roles[label.strip().lower()]
        if self.agent_ids is not None and author is not None and author.lower() in self.agent_ids:
            return "agent"
        return default


# ---------------------------------------------------------------- one record's frames


@dataclass
class Record:
    """Turns and rejects of one ticket/conversation, before it is committed."""

    iid: str
    where: str
    channel: str
    settings: Settings
    turns: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[str, str | None, RejectCode, str]] = field(default_factory=list)
    private_notes: int = 0
    n_messages: int = 0

    def reject(self, record: str, fld: str | None, code: RejectCode, reason: str) -> None:
        """Reject one message of the record."""
        self.bad.append((record, fld, code, reason))

    def message(self, record: str, *, role: str, speaker: str | None, text: str,
                timestamp: pd.Timestamp, private: bool = False) -> None:
        """Add one message: a turn, a counted private note, or a reject when only quoted."""
        self.n_messages += 1
        if private:
            self.private_notes += 1
            if not self.settings.keep_notes:
                return
            role = "system"
        removed = ""
        if self.channel == "email" and self.settings.strip_quotes and text:
            kept, removed = strip_reply(text)
            if not kept:
                self.reject(record, "text", RejectCode.ONLY_QUOTED,
                            f"the message holds only quoted text or a signature "
                            f"({len(removed)} characters, none written by its author)")
                return
            text = kept
        self.turns.append({"interaction_id": self.iid, "role": role, "speaker": speaker,
                           "text": text, "timestamp": timestamp, "record": record,
                           "removed_text": removed, "key": self.key})

    @property
    def key(self) -> str:
        """What tells this record apart from another one with the same id in the file
        (see :data:`serviceart.ingest.validate.INTERACTION_KEY`)."""
        return f"{self.where}\x1f{self.iid}"


class Collector:
    """Turns, interaction rows and rejects of several records, emptied into RawFrames."""

    def __init__(self, path: Path, meta: Mapping[str, str]) -> None:
        self.path = path
        self.meta = meta
        self.size = 0
        self._turns: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._bad: list[dict[str, Any]] = []

    def reject(self, record: str, iid: str | None, fld: str | None, code: RejectCode,
               reason: str) -> None:
        """Reject a whole record (or a line)."""
        self.size += 1
        self._bad.append({"source": str(self.path), "record": record, "interaction_id": iid,
                          "field": fld, "code": code, "reason": reason})

    def commit(self, rec: Record, row: dict[str, Any], what: str) -> None:
        """Add one record's turns and interaction row (or its ``no_turns`` reject)."""
        self.size += 1
        for record, fld, code, reason in rec.bad:
            self._bad.append({"source": str(self.path), "record": record,
                              "interaction_id": rec.iid, "field": fld, "code": code,
                              "reason": reason})
        if not rec.turns:
            why = (f"the {what} has no messages" if not rec.n_messages else
                   f"none of the {rec.n_messages} messages of the {what} is a usable "
                   f"public message ({rec.private_notes} private notes)")
            self._bad.append({"source": str(self.path), "record": at(rec.where, what),
                              "interaction_id": rec.iid, "field": None, "code": RejectCode.NO_TURNS,
                              "reason": f"{why}; the interaction has no turns"})
            return
        self._turns.extend(rec.turns)
        self._rows.append({**row, "interaction_id": rec.iid, "channel": rec.channel,
                           "private_notes": rec.private_notes, "key": rec.key})

    def frames(self) -> RawFrames:
        """The collected frames; the collector is emptied."""
        rows, turns, bad = self._rows, self._turns, self._bad
        self._rows, self._turns, self._bad, self.size = [], [], [], 0
        n = len(turns)

        def col(name: str) -> list[Any]:
            return [t[name] for t in turns]

        tframe = pd.DataFrame({
            "interaction_id": pd.Series(col("interaction_id"), dtype="string"),
            "role": pd.Series(col("role"), dtype="object"),
            "speaker": pd.Series(col("speaker"), dtype="string"),
            "text": pd.Series(col("text"), dtype="string"),
            "timestamp": pd.Series(col("timestamp"), dtype="datetime64[ns, UTC]"),
            "source": pd.Series([str(self.path)] * n, dtype="string"),
            "record": pd.Series(col("record"), dtype="string"),
            "removed_text": pd.Series(col("removed_text"), dtype="string"),
            INTERACTION_KEY: pd.Series([f"{self.path}\x1f{k}" for k in col("key")],
                                       dtype="string"),
        })
        columns: dict[str, pd.Series] = {}
        base = {"interaction_id": "string", "channel": "string", "case_id": "string",
                "customer_id": "string", "agent_id": "string",
                "started_at": "datetime64[ns, UTC]", "private_notes": "Int64", **self.meta}
        for name, dtype in base.items():
            values = [r.get(name) for r in rows]
            if dtype == "float64":
                values = [math.nan if v is None else v for v in values]
            elif dtype.startswith("datetime"):
                values = [pd.NaT if v is None else v for v in values]
            columns[name] = pd.Series(values, dtype=dtype)
        columns[INTERACTION_KEY] = pd.Series([f"{self.path}\x1f{r['key']}" for r in rows],
                                             dtype="string")
        return RawFrames(turns=tframe, interactions=pd.DataFrame(columns) if rows else None,
                         rejects=reject_rows(bad), turn_columns=("removed_text",))


# ---------------------------------------------------------------- the reader base


class HelpdeskReader(Reader):
    """Shared sniffing, streaming and option handling of the help-desk readers.

    Subclasses set ``name``, ``record_name`` and ``meta_columns``, and define
    :meth:`_recognises`, :meth:`_unwrap` and :meth:`_read`; their docstrings
    describe the options.
    """

    extensions: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson")
    #: what one record is called in records and messages ("ticket", "conversation")
    record_name: ClassVar[str] = "ticket"
    #: vendor metadata columns of the interactions table (name -> dtype)
    meta_columns: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *, roles: Mapping[str, str] | None = None,
                 agent_ids: str | int | Iterable[str | int] | None = None,
                 private_notes: str = "skip", strip_quotes: bool = True,
                 channel: str | None = None) -> None:
        super().__init__(roles=roles, agent_ids=agent_ids, private_notes=private_notes,
                         strip_quotes=strip_quotes, channel=channel)

    @classmethod
    @abstractmethod
    def _recognises(cls, head: str) -> bool:
        """Whether the head of the file holds this vendor's distinctive keys."""

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.9 when the head shows the vendor's keys, 0.1 for other JSON files, else 0."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        start = head.lstrip("\ufeff \t\r\n")[:1]
        return 0.9 if start in ("{", "[") and cls._recognises(head) else 0.1

    @abstractmethod
    def _unwrap(self, obj: Any, where: str) -> list[Item]:
        """The records inside one parsed object (a record, or an API response)."""

    def _unwrap_array(self, array: list[Any], where: str) -> list[Item] | None:
        """The records of a JSON array read as a whole, or None (the default) to read
        its elements one by one with :meth:`_unwrap`."""
        return None

    @abstractmethod
    def _read(self, item: Item, settings: Settings, out: Collector) -> None:
        """Turn one record into a committed :class:`Record` (or a reject) in ``out``."""

    def load(self, path: Path) -> RawFrames:
        """Read every record of the file."""
        parts = list(self.iter_load(path, chunk_size=1 << 62))
        if len(parts) == 1:
            return parts[0]
        given_rows = [p.interactions for p in parts if p.interactions is not None]
        bad = [p.rejects for p in parts if not p.rejects.empty]
        return RawFrames(
            turns=pd.concat([p.turns for p in parts], ignore_index=True),
            interactions=pd.concat(given_rows, ignore_index=True) if given_rows else None,
            rejects=pd.concat(bad, ignore_index=True) if bad else parts[0].rejects,
            turn_columns=("removed_text",))

    def iter_load(self, path: Path, chunk_size: int = 1000) -> Iterator[RawFrames]:
        """Read the file in items of about ``chunk_size`` records (JSON Lines streamed).

        Parameters
        ----------
        path
            The file.
        chunk_size
            About how many records (interactions, rejected ones included) each
            item holds.
        """
        settings = Settings.of(self.options)
        out = Collector(path, self.meta_columns)
        size = max(1, int(chunk_size))
        emitted = seen = False
        for item in records(path, self._unwrap, self._unwrap_array):
            seen = True
            if isinstance(item, Bad):
                out.reject(item.where, None, None, RejectCode.MALFORMED_LINE, item.reason)
            elif not isinstance(item.obj, dict):
                out.reject(item.where or self.record_name, None, None, RejectCode.MALFORMED_RECORD,
                           f"a {self.record_name} must be a JSON object, not "
                           f"{type(item.obj).__name__}")
            else:
                self._read(item, settings, out)
            if out.size >= size:
                emitted = True
                yield out.frames()
        if not seen:
            raise FormatError(f"no {self.record_name}s found in the export", source=str(path),
                              code="SA-F019")
        if out.size or not emitted:
            yield out.frames()
