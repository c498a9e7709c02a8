"""The ``messages`` reader: message logs with reply pointers, rebuilt into threads.

Social support threads (Customer Support on Twitter), forum posts and ticket
comments come as one row per message with a pointer to the message it answers.
The reader follows those pointers up to each thread's root and makes one
interaction per root.

Columns (defaults match the Twitter export; rename others with
``columns={"their_name": "our_name"}``):

- ``id`` (``tweet_id``, ``message_id``, ``post_id``, ``comment_id``)
- ``author`` (``author_id``, ``user``, ``user_id``): the turn's ``speaker``
- ``inbound``: true for the customer's messages
- ``role``: ``agent``/``customer``/``system`` or labels mapped with ``roles={...}``
- ``created_at`` (``timestamp``, ``date``): the turn's ``timestamp``
- ``text`` (``body``, ``message``)
- ``in_reply_to`` (``in_response_to_tweet_id``, ``parent_id``, ``reply_to``)

Roles come from ``role`` when the file has it, else from ``inbound``, else from
``agent_ids=[...]`` (those authors are agents, everyone else a customer).
``roles={...}`` maps role labels, and also maps author names to roles.

Texts are HTML-unescaped once: the Twitter API (and so the Customer Support on
Twitter corpus) writes ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and
``&gt;``, and forum exports use the same entities. A text that shows an entity
literally (``&amp;amp;``) keeps it (``&amp;``). ``unescape=False`` keeps texts as
exported.

A message with no parent, or whose parent is not in the file, is a thread root.
Messages in a reply cycle (or replying into one) and self-replies are rejected
with ``reply_cycle``; threads deeper than ``max_depth`` (10,000) with
``thread_too_deep``; repeated ids with ``duplicate_id`` (the first one is kept).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, FormatError
from ..rejects import RejectCode
from ._excel import EXCEL_EXT, excel_header, is_excel
from .base import RawFrames, Reader, register_reader, reject_rows
from .text import DEFAULT_ROLES
from .turns import _open_text, malformed_lines, read_table, table_blocks

__all__ = ["MAX_DEPTH", "MessagesReader"]

_STREAM_MIN_BYTES = 64 << 20
_BLOCK_ROWS = 50_000
MAX_DEPTH = 10_000
"""Threads with a reply chain deeper than this are rejected (``thread_too_deep``)."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("tweet_id", "message_id", "post_id", "comment_id", "id"),
    "author": ("author_id", "author", "user_id", "user", "username"),
    "inbound": ("inbound",),
    "role": ("role",),
    "created_at": ("created_at", "timestamp", "date", "time"),
    "text": ("text", "body", "message", "content"),
    "in_reply_to": ("in_response_to_tweet_id", "in_reply_to", "parent_id", "reply_to",
                    "in_reply_to_id"),
}
_ID_NAMES = frozenset({"tweet_id", "id", "message_id", "post_id", "comment_id"})
_REPLY_NAMES = frozenset({"in_response_to_tweet_id", "in_reply_to", "parent_id"})
_EXT = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq", *EXCEL_EXT)
_NOT_TEXT = (".parquet", ".pq", *EXCEL_EXT)  # tables that are no CSV text
_INT_FLOAT = re.compile(r"^(-?\d+)\.0*$")
_TRUE = frozenset({"true", "t", "1", "yes", "y", "inbound", "customer"})
_FALSE = frozenset({"false", "f", "0", "no", "n", "outbound", "agent"})
_ROLE_VALUES = ("agent", "customer", "system")
_BARE_CR = re.compile(rb"\r(?!\n)")
_CYCLE = -1  # root markers in the resolver
_INTO_CYCLE = -2


def _nested_pointer(frame: pd.DataFrame) -> list[tuple[str, Any] | None]:
    """Per row, ``(column, value)`` when its ``id`` or ``in_reply_to`` is a list or
    mapping (JSON Lines may hold any value there), else None."""
    out: list[tuple[str, Any] | None] = [None] * len(frame)
    for col in ("in_reply_to", "id"):
        if col in frame.columns and frame[col].dtype == object:
            for i, v in enumerate(frame[col].tolist()):
                if isinstance(v, (list, dict)):
                    out[i] = (col, v)
    return out


def _norm_id(value: Any) -> str | None:
    """A message id as a clean string; ``3.0`` (a float-typed id column) becomes ``3``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    if not text:
        return None
    m = _INT_FLOAT.match(text)
    return m.group(1) if m else text


def _flag(value: Any) -> bool | None:
    """``inbound`` as a bool, or None when missing or not a yes/no value."""
    if isinstance(value, bool):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _csv_bare_cr(path: Path, sep: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CSV whose texts hold bare carriage returns (the Twitter export does, unquoted).

    Only line feeds end rows here, so a bare CR stays inside its message's text.
    """
    text = _open_text(path).getvalue().replace("\r\n", "\n")
    bad: list[dict[str, Any]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                na_values=[""], on_bad_lines="warn", lineterminator="\n",
                                quoting=csv.QUOTE_MINIMAL)
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise FormatError(f"cannot parse as CSV: {exc}", source=str(path),
                              code="SA-F022") from exc
    bad.extend(malformed_lines(caught, path))
    frame["record"] = [f"row {i + 1}" for i in range(len(frame))]
    return frame, reject_rows(bad)


def _cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    found = [f for f in frames if len(f)]
    return pd.concat(found, ignore_index=True) if found else reject_rows([])


def _has_bare_cr(path: Path) -> bool:
    """Whether the file holds a carriage return not followed by a line feed (read in blocks)."""
    tail = b""
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            data = tail + block
            if _BARE_CR.search(data[:-1] if data.endswith(b"\r") else data):
                return True
            tail = data[-1:]
    return False


def _split_roots(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    if not len(frame):
        return
    codes, _ = pd.factorize(frame["_root"])
    for _, piece in frame.groupby(codes // size, sort=True):
        yield piece


def _pieces(raw: RawFrames, size: int) -> Iterator[RawFrames]:
    """A loaded file's frames in pieces of at most ``size`` interactions."""
    turns = raw.turns
    if not len(turns):
        yield raw
        return
    codes, _ = pd.factorize(turns["interaction_id"])
    groups = list(turns.groupby(codes // size, sort=True))
    for k, (_, piece) in enumerate(groups):
        yield RawFrames(turns=piece.reset_index(drop=True),
                        rejects=raw.rejects if k == 0 else reject_rows([]),
                        turn_columns=raw.turn_columns, labels_as_roles=raw.labels_as_roles)


def resolve_threads(parents: Mapping[str, str | None]) -> dict[str, tuple[str | int, int]]:
    """The root and depth of every message, following reply pointers without recursion.

    Parameters
    ----------
    parents
        Each message id mapped to the id it replies to (``None``: no parent). A
        parent that is not a key makes its child a root.

    Returns
    -------
    dict
        ``id -> (root_id, depth)`` (the root has depth 0); messages in a reply
        cycle map to ``(-1, -1)``, those whose chain leads into a cycle to
        ``(-2, -1)``.

    Examples
    --------
    >>> resolve_threads({"1": None, "2": "1", "3": "3", "4": "9"})
    {'1': ('1', 0), '2': ('1', 1), '3': (-1, -1), '4': ('4', 0)}
    """
    done: dict[str, tuple[str | int, int]] = {}
    for start in parents:
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str = start
        while True:
            if node in done:
                root, depth = done[node]
                break
            if node in on_path:  # a cycle: node .. end of path
                for n in path[on_path[node]:]:
                    done[n] = (_CYCLE, -1)
                path = path[:on_path[node]]
                root, depth = _INTO_CYCLE, -1
                break
            on_path[node] = len(path)
            path.append(node)
            parent = parents[node]
            if parent is None or parent not in parents:
                path.pop()
                done[node] = (node, 0)
                root, depth = node, 0
                break
            node = parent
        for n in reversed(path):
            if isinstance(root, str):
                depth += 1
                done[n] = (root, depth)
            else:
                done[n] = (_INTO_CYCLE, -1)
    return done


@register_reader
class MessagesReader(Reader):
    """Read message logs with reply pointers into one interaction per thread.

    Parameters
    ----------
    columns
        Renames of the file's columns onto ``id``, ``author``, ``inbound``,
        ``role``, ``created_at``, ``text``, ``in_reply_to``.
    roles
        Role labels (or author names) mapped to ``agent``, ``customer``, ``system``.
    agent_ids
        Authors who are agents (all other authors are customers), for files with
        neither a ``role`` nor an ``inbound`` column.
    channel
        The interactions' channel (default ``social``; ``forum`` for forums).
    id_prefix
        Prefix of interaction ids before the root message id (default ``thread-``).
    max_depth
        Deepest reply chain accepted (default 10,000).
    encoding
        The text encoding of a CSV, TSV or JSON Lines file, tried first after a
        byte-order mark (by default the encoding is detected).
    stream_min_bytes
        Files smaller than this (default 64 MB) are read at once when streamed;
        larger ones in two passes (see :meth:`iter_load`).
    unescape
        Turn HTML entities in texts (``&amp;``, ``&gt;``, ``&#39;``) into the
        characters they stand for, once (default True).
    sheet
        The sheet of an Excel workbook (``.xlsx``, read with the ``excel`` extra):
        its name, or its position from 0 (default: the first sheet).

    Raises
    ------
    ConfigError
        When the file has no ``role`` or ``inbound`` column and no ``agent_ids``
        were given, or when the id or text column is missing.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("tests/readers/fixtures/messages/forum.jsonl", channel="forum")
    >>> conv.interactions["interaction_id"].tolist()
    ['thread-p1', 'thread-p5']
    """

    name = "messages"
    extensions = _EXT

    def __init__(self, *, columns: Mapping[str, str] | None = None,
                 roles: Mapping[str, str] | None = None,
                 agent_ids: Iterable[str | int] | None = None, channel: str = "social",
                 id_prefix: str = "thread-", max_depth: int = MAX_DEPTH,
                 encoding: str | None = None,
                 stream_min_bytes: int = _STREAM_MIN_BYTES, unescape: bool = True,
                 sheet: str | int | None = None) -> None:
        super().__init__(columns=columns, roles=roles, agent_ids=agent_ids, channel=channel,
                         id_prefix=id_prefix, max_depth=max_depth, encoding=encoding,
                         stream_min_bytes=stream_min_bytes, unescape=unescape, sheet=sheet)

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.95 when the header (or first JSON record) has an id and a reply-pointer column."""
        first = next((line for line in head.splitlines() if line.strip()), "")
        names: set[str]
        if is_excel(path):
            names = set(excel_header(path) or ())
        elif first.lstrip().startswith("{"):
            try:
                obj = json.loads(first)
            except ValueError:
                return 0.0
            names = {str(k).strip().lower() for k in obj} if isinstance(obj, dict) else set()
        else:
            names = {c.strip().strip('"').lower() for c in re.split(r"[,\t]", first)}
        return 0.95 if names & _ID_NAMES and names & _REPLY_NAMES else 0.0

    # ------------------------------------------------------------------ load
    def load(self, path: Path) -> RawFrames:
        """Read the file and rebuild its threads; bad messages become rejects."""
        frame, early = self._table(path)
        return self._threads(self._canonical(frame, path), early, path)

    def iter_load(self, path: Path, chunk_size: int = 1000) -> Iterator[RawFrames]:
        """Stream the file: about ``chunk_size`` whole threads per item.

        Files under ``stream_min_bytes`` (64 MB) are read at once and handed on
        in pieces. Larger ones are read twice in blocks of rows: the first pass
        keeps only message ids and reply pointers (memory grows with the number
        of messages, not with their text) to learn every message's thread and
        where each thread's last message is; the second pass hands on threads as
        soon as all their messages are read. Messages in reply cycles and
        repeated ids are rejected exactly as :meth:`load` rejects them.
        """
        if chunk_size < 1:
            raise ConfigError(f"chunk_size must be >= 1, got {chunk_size}", field="chunk_size",
                              code="SA-C084")
        if path.stat().st_size < int(self.options.get("stream_min_bytes", _STREAM_MIN_BYTES)):
            yield from _pieces(self.load(path), chunk_size)
            return
        parents: dict[str, str | None] = {}
        row_of: dict[str, int] = {}
        repeated: set[str] = set()
        n = 0
        for frame, _ in self._blocks(path):
            frame = self._canonical(frame, path)
            ids = [_norm_id(v) for v in frame["id"].tolist()]
            replies = ([_norm_id(v) for v in frame["in_reply_to"].tolist()]
                       if "in_reply_to" in frame.columns else [None] * len(ids))
            for k, (mid, parent) in enumerate(zip(ids, replies, strict=True)):
                if mid is None:
                    continue
                if mid not in parents:
                    parents[mid], row_of[mid] = parent, n + k
                else:
                    repeated.add(mid)
            n += len(ids)
        threads = resolve_threads(parents)
        last: dict[str, int] = {}
        for mid, (root, _) in threads.items():
            if isinstance(root, str):
                last[root] = max(last.get(root, -1), row_of[mid])
        del parents
        pending: list[pd.DataFrame] = []
        early: list[pd.DataFrame] = []
        first_record: dict[str, str] = {}
        n = 0
        for frame, bad in self._blocks(path):
            early.append(bad)
            frame = self._canonical(frame, path)
            rows = np.arange(n, n + len(frame))
            n += len(frame)
            ids = [_norm_id(v) for v in frame["id"].tolist()]
            # the thread root, or "\0<row>" for messages settled at once (missing or
            # repeated ids, reply cycles)
            roots = [threads[m][0] if m is not None and row_of.get(m) == r else None
                     for m, r in zip(ids, rows.tolist(), strict=True)]
            for m, r, rec in zip(ids, rows.tolist(), frame["record"].tolist(), strict=True):
                if m in repeated and row_of.get(m) == r:
                    first_record[m] = str(rec)
            frame = frame.assign(_root=pd.Series(
                [x if isinstance(x, str) else f"\0{r}" for x, r in zip(roots, rows, strict=True)],
                index=frame.index, dtype="object"))
            pending.append(frame)
            buf = pd.concat(pending, ignore_index=True) if len(pending) > 1 else frame
            done_mask = np.fromiter(
                (x.startswith("\0") or last[x] < n for x in buf["_root"].tolist()),
                dtype=bool, count=len(buf))
            done, rest = buf[done_mask], buf[~done_mask]
            pending = [rest]
            if done["_root"].nunique() >= chunk_size:
                yield from self._emit(done, early, path, chunk_size, threads, row_of,
                                      first_record)
                early = []
        left = pd.concat(pending, ignore_index=True) if pending else pd.DataFrame()
        if len(left) or any(len(e) for e in early):
            yield from self._emit(left, early, path, chunk_size, threads, row_of,
                                  first_record)

    def _emit(self, done: pd.DataFrame, early: list[pd.DataFrame], path: Path,
              chunk_size: int, threads: dict[str, tuple[str | int, int]],
              row_of: dict[str, int], first_record: dict[str, str]
              ) -> Iterator[RawFrames]:
        """Whole threads of ``done`` through :meth:`_threads`, ``chunk_size`` at a time.

        Repeated ids and messages in (or into) reply cycles are rejected here with
        the reasons :meth:`_threads` gives, since their partners may be in other
        blocks of the file.
        """
        src = str(path)
        bad: list[dict[str, Any]] = []
        keep = np.ones(len(done), dtype=bool)
        records = done["record"].astype(str).tolist() if len(done) else []
        for k, (mid_raw, rid) in enumerate(zip(done["id"].tolist() if len(done) else [],
                                               done["_root"].tolist() if len(done) else [],
                                               strict=True)):
            mid = _norm_id(mid_raw)
            if mid is None or not str(rid).startswith("\0"):
                continue
            keep[k] = False
            row = int(str(rid)[1:])
            if row_of.get(mid) != row:
                bad.append(self._reject(
                    src, records[k], None, "id", RejectCode.DUPLICATE_ID,
                    f"message id {mid!r} already appears at {first_record.get(mid, '?')}; "
                    "the first one is kept"))
            else:
                root = threads[mid][0]
                reason = (f"message {mid!r} is in a reply cycle (it replies to itself, "
                          "directly or through other messages)" if root == _CYCLE else
                          f"message {mid!r} replies into a reply cycle; its thread has no root")
                bad.append(self._reject(src, records[k], None, "in_reply_to",
                                        RejectCode.REPLY_CYCLE, reason))
        good = done[keep]
        extra = [reject_rows(bad)] if bad else []
        first = True
        for piece in _split_roots(good, chunk_size):
            raw = self._threads(piece.drop(columns=["_root"]),
                                _cat([*early, *extra] if first else []), path)
            first = False
            yield raw
        if first and (extra or any(len(e) for e in early)):
            yield RawFrames(turns=pd.DataFrame(columns=["interaction_id", "role", "text"]),
                            rejects=_cat([*early, *extra]))

    def _blocks(self, path: Path) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Blocks of raw rows; CSV texts with bare carriage returns keep them."""
        ext = path.suffix.lower()
        bare = ext not in (*_NOT_TEXT, ".jsonl", ".ndjson") and _has_bare_cr(path)
        yield from table_blocks(path, _BLOCK_ROWS, self.options.get("encoding"),
                                lineterminator="\n" if bare else None,
                                sheet=self.options.get("sheet"))

    def _threads(self, frame: pd.DataFrame, early: pd.DataFrame, path: Path) -> RawFrames:
        """Threads of a canonical frame holding whole threads; bad messages become rejects."""
        src = str(path)
        roles_opt = {str(k).strip().lower(): str(v).strip().lower()
                     for k, v in (self.options.get("roles") or {}).items()}
        agent_ids = self.options.get("agent_ids")
        agents = None if agent_ids is None else {_norm_id(a) for a in agent_ids}
        if "role" not in frame.columns and "inbound" not in frame.columns and agents is None:
            raise ConfigError(
                "cannot tell agents from customers: the file has no 'role' or 'inbound' "
                f"column (it has {[str(c) for c in frame.columns]}). Map one with "
                "columns={'your_column': 'role'} (and roles={'staff': 'agent', ...}) or "
                "columns={'your_flag': 'inbound'} (true = customer), or list the agents' "
                "authors with agent_ids=[...]", source=src, code="SA-C085")
        prefix = str(self.options.get("id_prefix", "thread-"))
        channel = str(self.options.get("channel", "social"))
        max_depth = int(self.options.get("max_depth", MAX_DEPTH))

        rejects: list[dict[str, Any]] = []
        records = frame["record"].astype(str).tolist()
        ids = [_norm_id(v) for v in frame["id"].tolist()]
        nothing: list[str | None] = [None] * len(frame)
        replies = ([_norm_id(v) for v in frame["in_reply_to"].tolist()]
                   if "in_reply_to" in frame.columns else nothing)
        authors = ([_norm_id(v) for v in frame["author"].tolist()]
                   if "author" in frame.columns else nothing)

        nested = _nested_pointer(frame)
        parents: dict[str, str | None] = {}
        first_row: dict[str, int] = {}
        keep: list[int] = []
        for i, mid in enumerate(ids):
            pointer = nested[i]
            if pointer is not None:
                fld, value = pointer
                shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                rejects.append(self._reject(src, records[i], None, fld, RejectCode.BAD_ID,
                                            f"{fld} {shown} is a list or mapping, not one id"))
            elif mid is None:
                rejects.append(self._reject(src, records[i], None, "id", RejectCode.MISSING_ID,
                                            "the message has no id"))
            elif mid in parents:
                rejects.append(self._reject(
                    src, records[i], None, "id", RejectCode.DUPLICATE_ID,
                    f"message id {mid!r} already appears at {records[first_row[mid]]}; "
                    "the first one is kept"))
            else:
                parents[mid] = replies[i]
                first_row[mid] = i
                keep.append(i)
        threads = resolve_threads(parents)
        deepest: dict[str, int] = {}
        for root, depth in threads.values():
            if isinstance(root, str):
                deepest[root] = max(deepest.get(root, 0), depth)

        roles = self._roles(frame, authors, roles_opt, agents)
        turn_rows: list[int] = []
        thread_of: list[str] = []
        for i in keep:
            mid = ids[i]
            assert mid is not None
            root, _ = threads[mid]
            if not isinstance(root, str):
                reason = (f"message {mid!r} is in a reply cycle (it replies to itself, "
                          "directly or through other messages)" if root == _CYCLE else
                          f"message {mid!r} replies into a reply cycle; its thread has no root")
                rejects.append(self._reject(src, records[i], None, "in_reply_to",
                                            RejectCode.REPLY_CYCLE, reason))
                continue
            iid = prefix + root
            if deepest[root] > max_depth:
                rejects.append(self._reject(
                    src, records[i], iid, "in_reply_to", RejectCode.THREAD_TOO_DEEP,
                    f"the thread's reply chain is {deepest[root]} messages deep, over the "
                    f"limit of {max_depth}; raise it with max_depth=..."))
                continue
            if roles[i] not in _ROLE_VALUES:
                rejects.append(self._reject(src, records[i], iid, "role", RejectCode.UNKNOWN_ROLE,
                                            str(roles[i])))
                continue
            turn_rows.append(i)
            thread_of.append(root)

        root_role = {ids[i]: roles[i] for i in keep}
        root_author = {ids[i]: authors[i] for i in keep}
        sub = frame.iloc[turn_rows]
        turns = pd.DataFrame({
            "interaction_id": pd.Series([prefix + r for r in thread_of], dtype="string"),
            "role": pd.Series([roles[i] for i in turn_rows], dtype="string"),
            "speaker": pd.Series([authors[i] for i in turn_rows], dtype="string"),
            "text": (self._text(sub["text"]) if "text" in sub.columns
                     else pd.Series(pd.NA, index=range(len(sub)), dtype="string")),
            "timestamp": (sub["created_at"].reset_index(drop=True)
                          if "created_at" in sub.columns else pd.Series(
                              pd.NaT, index=range(len(sub)), dtype="datetime64[ns, UTC]")),
            "channel": pd.Series([channel] * len(sub), dtype="string"),
            "case_id": pd.Series([prefix + r for r in thread_of], dtype="string"),
            "customer_id": pd.Series(
                [root_author[r] if root_role[r] == "customer" else None for r in thread_of],
                dtype="string"),
            "source": pd.Series([src] * len(sub), dtype="string"),
            "record": pd.Series([records[i] for i in turn_rows], dtype="string"),
        })
        return RawFrames(turns=turns, rejects=_cat([early, reject_rows(rejects)]))

    # --------------------------------------------------------------- helpers
    def _text(self, values: pd.Series) -> pd.Series:
        """The texts as strings, HTML entities unescaped once unless ``unescape=False``."""
        text = values.astype("string").reset_index(drop=True)
        if not self.options.get("unescape", True):
            return text
        has = text.str.contains("&", regex=False, na=False).to_numpy()
        if has.any():
            text[has] = text[has].map(html.unescape).astype("string")
        return text

    @staticmethod
    def _reject(source: str, record: str, iid: str | None, field: str, code: RejectCode,
                reason: str) -> dict[str, Any]:
        return {"source": source, "record": record, "interaction_id": iid, "field": field,
                "code": code, "reason": reason}

    def _table(self, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The raw table (strings for CSV) with a ``record`` column, and malformed lines."""
        ext = path.suffix.lower()
        if ext not in (*_NOT_TEXT, ".jsonl", ".ndjson") and \
                _BARE_CR.search(path.read_bytes()):
            return _csv_bare_cr(path, "\t" if ext == ".tsv" else ",")
        return read_table(path, self.options.get("encoding"), self.options.get("sheet"))

    def _canonical(self, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
        """Columns renamed onto the canonical names (user renames first, then aliases)."""
        renames: dict[Hashable, str] = dict(self.options.get("columns") or {})
        frame = frame.rename(columns=renames)
        lower = {str(c).strip().lower(): c for c in frame.columns if c != "record"}
        for ours, aliases in _ALIASES.items():
            if ours in frame.columns:
                continue
            for alias in aliases:
                if alias in lower and lower[alias] not in renames.values():
                    frame = frame.rename(columns={lower[alias]: ours})
                    lower = {str(c).strip().lower(): c for c in frame.columns
                             if c != "record"}
                    break
        if "id" not in frame.columns:
            if frame.empty and len(frame.columns) <= 1:
                raise FormatError("no messages found; the file is empty", source=str(path),
                                  code="SA-F023")
            raise ConfigError(
                f"no message id column among {[str(c) for c in frame.columns if c != 'record']}"
                "; name it with columns={'your_id_column': 'id'}", source=str(path), code="SA-C086")
        return frame

    @staticmethod
    def _roles(frame: pd.DataFrame, authors: list[str | None], roles_opt: dict[str, str],
               agents: set[str | None] | None) -> list[str]:
        """Each message's role, or a reason why it has none (not one of the role values)."""
        given = (frame["role"].tolist() if "role" in frame.columns else [None] * len(frame))
        inbound = (frame["inbound"].tolist() if "inbound" in frame.columns
                   else [None] * len(frame))
        lowered_agents = None if agents is None else {str(a).lower() for a in agents}
        out: list[str] = []
        for label, flag, author in zip(given, inbound, authors, strict=True):
            text = _norm_id(label)
            if text is not None:
                key = text.lower()
                role = roles_opt.get(key, DEFAULT_ROLES.get(key, key))
                out.append(role if role in _ROLE_VALUES else
                           f"role {text!r} is not one of {list(_ROLE_VALUES)}; "
                           "map it with roles={...}")
                continue
            if author is not None and author.lower() in roles_opt:
                role = roles_opt[author.lower()]
                out.append(role if role in _ROLE_VALUES else
                           f"roles maps author {author!r} to {role!r}, not one of "
                           f"{list(_ROLE_VALUES)}")
                continue
            is_in = _flag(flag)
            if is_in is not None:
                out.append("customer" if is_in else "agent")
            elif lowered_agents is not None and author is not None:
                out.append("agent" if author.lower() in lowered_agents else "customer")
            elif flag is not None and _norm_id(flag) is not None:
                out.append(f"inbound {flag!r} is not true or false")
            else:
                out.append("the message has no role, inbound flag or known author; "
                           "give roles={...} or agent_ids=[...]")
        return out
