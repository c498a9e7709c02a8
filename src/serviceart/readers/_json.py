"""Shared pieces of the JSON export readers (one interaction per file).

Field access that tolerates missing keys, value coercion that raises
:class:`BadValue` (a reject code, a reason and the field), UTC time parsing,
the ``roles=`` and ``started_at=`` options, and :class:`JsonFrames`, which
collects one file's turns, rejects and interaction row into
:class:`~serviceart.readers.base.RawFrames`.
"""

from __future__ import annotations

import json
import math
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..errors import ConfigError, FormatError
from ..ingest.validate import INTERACTION_KEY, in_time_range, out_of_range_note
from ..rejects import RejectCode
from ._text import read_text
from .base import RawFrames, Reader, reject_rows

__all__ = [
    "NONE_TEXTS",
    "BadValue",
    "JsonDocReader",
    "JsonFrames",
    "StartTimes",
    "dig",
    "given",
    "has_keys",
    "item_text",
    "joined",
    "load_json",
    "loads",
    "number",
    "option_start",
    "seconds",
    "to_utc",
    "user_roles",
    "utc",
    "vendor_role",
]

#: identifier values that mean "none"
NONE_TEXTS = {"", "none", "null", "nan"}

#: the ``started_at=`` option: one time (ISO-8601 text or a datetime) for every
#: interaction, or a mapping ``interaction_id -> time``
StartTimes = str | datetime | Mapping[str, str | datetime]


class BadValue(ValueError):
    """A field's value cannot be used; carries the reject code and the field."""

    def __init__(self, code: RejectCode, reason: str, fld: str | None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.field = fld


# ---------------------------------------------------------------- small helpers


def loads(text: str) -> Any:
    """:func:`json.loads`, keeping integers too long to convert (over Python's limit of
    4,300 digits) as their digit strings: as an id they are text, and where a number
    is needed they are rejected (``bad_number``) instead of stopping the read.

    Raises the errors of :func:`json.loads` for text that is not JSON.

    Examples
    --------
    >>> len(loads('{"id": ' + "7" * 5000 + '}')["id"])
    5000
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # only the int-str conversion limit raises a plain ValueError
        if "integer string conversion" not in str(exc):
            raise
        return json.loads(text, parse_int=_int_or_digits)


def _int_or_digits(digits: str) -> int | str:
    try:
        return int(digits)
    except ValueError:
        return digits


def dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...`` through dicts, or None when any step is missing."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def given(value: Any) -> str | None:
    """A usable identifier string, or None for missing, empty or "None"."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return None if text.lower() in NONE_TEXTS else text


def number(value: Any) -> float | None:
    """A finite float from a JSON number or numeric string, else None (for metadata)."""
    try:
        return seconds(value, 1, "value")
    except BadValue:
        return None


def seconds(value: Any, per_second: int, name: str) -> float:
    """``value / per_second`` as a finite float; raises :class:`BadValue` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue(RejectCode.BAD_NUMBER, f"{name} {value!r} is not a number", name)
    try:
        out = float(value) / per_second
    except (ValueError, OverflowError) as exc:
        raise BadValue(RejectCode.BAD_NUMBER, f"{name} {value!r} is not a number", name) from exc
    if not math.isfinite(out):
        raise BadValue(RejectCode.BAD_NUMBER, f"{name} {value!r} is not a finite number", name)
    return out


def to_utc(value: Any, zone: tzinfo | str = "UTC") -> pd.Timestamp:
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
        try:
            local = ts.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        except NotImplementedError as exc:  # pandas cannot localise years past 9999
            raise OutOfRange(f"{value!r} {out_of_range_note()}") from exc
        if not isinstance(local, pd.Timestamp) or pd.isna(local):
            raise ValueError(f"{value!r} does not exist or is ambiguous in {zone}")
        ts = local
    ts = ts.tz_convert("UTC")
    if not in_time_range(ts):
        raise OutOfRange(f"{value!r} {out_of_range_note()}")
    return ts.as_unit("ns")


class OutOfRange(ValueError):
    """A date and time outside :data:`serviceart.ingest.validate.TIME_RANGE`."""


def utc(value: Any, name: str) -> pd.Timestamp:
    """An ISO-8601 time of an export field as UTC; raises :class:`BadValue`."""
    try:
        if not isinstance(value, str):
            raise TypeError(type(value).__name__)
        return to_utc(value)
    except OutOfRange as exc:
        raise BadValue(RejectCode.BAD_TIMESTAMP, f"{name} {exc}", name) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadValue(RejectCode.BAD_TIMESTAMP, f"{name} {value!r} is not a date and time",
                        name) from exc




def user_roles(options: Mapping[str, Any]) -> dict[str, str]:
    """The ``roles={...}`` option with lower-cased keys."""
    given = options.get("roles") or {}
    if not isinstance(given, Mapping):
        raise ConfigError(f"roles= must be a mapping of labels to roles, got {given!r}",
                          field="roles", code="SA-C074")
    return {str(k).strip().lower(): str(v) for k, v in given.items()}


def joined(names: Any) -> str | None:
    """Comma-joined non-empty names of a list, or None when it is not a list."""
    if not isinstance(names, list):
        return None
    return ",".join(s for s in (str(n).strip() for n in names if n is not None) if s)


def item_text(item: dict[str, Any], *keys: str) -> str:
    """The first present text field of ``keys`` (a :class:`BadValue` when it is not a
    string, or when none is present)."""
    for key in keys:
        if key in item and item[key] is not None:
            value = item[key]
            if not isinstance(value, str):
                raise BadValue(RejectCode.BAD_VALUE,
                                f"{key} is a {type(value).__name__}, not a string", key)
            return value
    raise BadValue(RejectCode.MISSING_FIELD, f"the item has no {keys[0]}", keys[0])


def vendor_role(raw: Any, table: Mapping[str, str], user: Mapping[str, str],
                *aliases: Any) -> str:
    """The serviceart role of a vendor label.

    The user's ``roles={...}`` mapping (keys lower-cased) wins, matched on the vendor
    label, then on its ``aliases`` (other labels of the same record), then on its
    default role, applied once (so a swap swaps); else ``table`` (lower-case keys);
    unknown labels come back unchanged for the validator to reject by name.

    Examples
    --------
    >>> table = {"ivr": "system", "external": "customer"}
    >>> vendor_role("IVR", table, {}), vendor_role("external", table, {"customer": "agent"})
    ('system', 'agent')
    """
    text = str(raw).strip()
    mapped = table.get(text.lower(), text)
    for key in (text.lower(), *(str(a).strip().lower() for a in aliases), mapped.lower()):
        if key in user:
            return user[key]
    return mapped


def load_json(path: Path, encoding: str | None = None) -> dict[str, Any]:
    """The file's top-level JSON object; FormatError for anything else."""
    text = read_text(path, encoding)
    if not text.strip():
        raise FormatError("the file is empty; expected an exported JSON object",
                          source=str(path), code="SA-F003")
    try:
        doc = loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) else ""
        raise FormatError(f"not valid JSON: {exc.msg} at {where}{hint}",
                          source=str(path), code="SA-F004") from exc
    except RecursionError as exc:
        raise FormatError("the JSON is nested too deeply to read", source=str(path),
                          code="SA-F005") from exc
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object at the top, found a {type(doc).__name__}",
                          source=str(path), code="SA-F006")
    return doc


def option_start(options: Mapping[str, Any], iid: str) -> pd.Timestamp | None:
    """The ``started_at=`` option for one interaction: a time, or a mapping id -> time."""
    value = options.get("started_at")
    if isinstance(value, Mapping):
        value = value.get(iid)
    if value is None:
        return None
    try:
        return to_utc(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConfigError(f"started_at={value!r} is not a date and time",
                          field="started_at", code="SA-C075") from exc


# ---------------------------------------------------------------- frames builder


@dataclass
class JsonFrames:
    """Collects one file's turns, rejects and interaction row."""

    path: Path
    iid: str
    container: str
    n_items: int
    #: interaction metadata columns (name -> dtype) filled for every file, NA when absent
    meta_columns: Mapping[str, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, record: str, fld: str | None, code: RejectCode, reason: str) -> None:
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
            self.reject(self.container, self.container, RejectCode.NO_TURNS,
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
            # one interaction per file: the file tells it apart from a repeated id
            INTERACTION_KEY: pd.Series([str(self.path)] * n, dtype="string"),
        })
        started = interaction.get("started_at")
        if started is None:
            started = option_start(options, self.iid)
        row: dict[str, pd.Series] = {
            "interaction_id": pd.Series([self.iid], dtype="string"),
            "channel": pd.Series([interaction.get("channel")], dtype="string"),
            "case_id": pd.Series([interaction.get("case_id")], dtype="string"),
            "customer_id": pd.Series([interaction.get("customer_id")], dtype="string"),
            "agent_id": pd.Series([interaction.get("agent_id")], dtype="string"),
            "started_at": pd.Series([pd.NaT if started is None else started],
                                    dtype="datetime64[ns, UTC]"),
            INTERACTION_KEY: pd.Series([str(self.path)], dtype="string"),
        }
        for name, dtype in self.meta_columns.items():
            value = interaction.get(name)
            if dtype == "float64":
                row[name] = pd.Series([math.nan if value is None else value], dtype=dtype)
            else:
                row[name] = pd.Series([value], dtype=dtype)
        return RawFrames(turns=turns, interactions=pd.DataFrame(row) if n else None,
                         rejects=reject_rows(self.bad))


class JsonDocReader(Reader):
    """Shared sniffing and loading of one-interaction JSON exports.

    Subclasses say which keys they recognise in the head of the file and turn
    the parsed document into frames.

    Parameters
    ----------
    roles
        The vendor's role labels (or the default roles) mapped to ``agent``,
        ``customer`` or ``system``, case-insensitive.
    started_at
        The interaction's start (a time, or a mapping ``interaction_id -> time``),
        used where the export gives none. Naive times are taken as UTC.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).
    """

    extensions: ClassVar[tuple[str, ...]] = (".json",)

    def __init__(self, *, roles: Mapping[str, str] | None = None,
                 started_at: StartTimes | None = None, encoding: str | None = None) -> None:
        super().__init__(roles=roles, started_at=started_at, encoding=encoding)

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
        return self._frames(path, load_json(path, self.options.get("encoding")))

    @abstractmethod
    def _frames(self, path: Path, doc: dict[str, Any]) -> RawFrames:
        """Turn the parsed document into raw frames."""


def has_keys(head: str, *keys: str) -> bool:
    """Whether any of the keys appears quoted (as a JSON key or value) in the head."""
    return any(f'"{k}"' in head for k in keys)
