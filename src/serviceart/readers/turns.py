"""The ``turns`` reader: a turn table in CSV, TSV, Parquet or JSON Lines.

Columns are the canonical ones (``interaction_id``, ``role``, ``text`` and the
optional turn and interaction columns), or any columns renamed with
``columns={"their_name": "our_name"}``; role values are mapped with
``roles={"rep": "agent"}``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .._validate import non_scalar
from ..errors import FormatError
from ._json import loads
from ._text import decide_encoding, open_text, read_text
from .base import RawFrames, Reader, register_reader, reject_rows

__all__ = ["TurnsReader"]

log = logging.getLogger(__name__)

_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")
_TABLE_EXT = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson")


@register_reader
class TurnsReader(Reader):
    """Read a turn table.

    Parameters
    ----------
    columns
        Renames applied to the file's columns before validation.
    roles
        Mapping of the file's role values to ``agent``, ``customer``, ``system``.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples/calls.csv", format="turns")
    >>> len(conv), sorted(conv.interactions["team"].unique())[:2]
    (5, ['billing', 'retention'])
    """

    name = "turns"
    extensions = _TABLE_EXT

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """Likely a turn table when the extension fits and the header names the columns."""
        ext = path.suffix.lower()
        if ext not in _TABLE_EXT:
            return 0.0
        if ext in (".parquet", ".pq"):
            return 0.8
        first = head.splitlines()[0] if head else ""
        if ext in (".jsonl", ".ndjson"):
            try:
                obj = json.loads(first)
            except ValueError:
                return 0.3
            return 0.9 if isinstance(obj, dict) and {"role", "text"} <= set(obj) else 0.5
        return 0.9 if {"role", "text"} <= {c.strip().lower() for c in re.split(r"[,\t]", first)} \
            else 0.5

    def load(self, path: Path) -> RawFrames:
        """Read the file; malformed lines become rejects with their line number."""
        parts = list(self.iter_load(path, chunk_size=_ALL))
        if not parts:
            return self._finish(path, pd.DataFrame(columns=["interaction_id", "role", "text",
                                                            "record"]), reject_rows([]))
        if len(parts) == 1:
            return parts[0]
        turns = pd.concat([p.turns for p in parts], ignore_index=True)
        return RawFrames(turns=turns, rejects=pd.concat([p.rejects for p in parts],
                                                        ignore_index=True))

    def iter_load(self, path: Path, chunk_size: int = 1000) -> Iterator[RawFrames]:
        """Stream the file in pieces of about ``chunk_size`` whole interactions.

        A first pass reads only the interaction id column to learn where each
        interaction's last row is; the second pass reads blocks of rows and
        hands on the interactions whose rows are all read. Rows of one
        interaction may be anywhere in the file; memory holds the id index and
        the rows of interactions still open.
        """
        columns: dict[str, str] = dict(self.options.get("columns") or {})
        id_name = next((k for k, v in columns.items() if v == "interaction_id"),
                       "interaction_id")
        block = min(max(_MIN_BLOCK_ROWS, chunk_size * 20), _MAX_BLOCK_ROWS)
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            last = _jsonl_last_rows(path, id_name, self.options.get("encoding"))
        else:
            last = _last_rows(self._blocks(path, block, usecols=id_name), id_name)
        pending: list[pd.DataFrame] = []
        bad: list[pd.DataFrame] = []
        read = 0
        for frame, rejects in self._blocks(path, block):
            bad.append(rejects)
            if columns:
                frame = frame.rename(columns=columns)
            read += len(frame)
            pending.append(frame)
            buf = pd.concat(pending, ignore_index=True) if len(pending) > 1 else frame
            ids = buf["interaction_id"] if "interaction_id" in buf.columns else \
                pd.Series(pd.NA, index=buf.index, dtype="object")
            # a list or mapping is no id (the validator rejects it as bad_id)
            ends = ids.mask(non_scalar(ids)).map(last)
            complete = (ends.isna() | (ends < read)).to_numpy()
            done, pending = buf[complete], [buf[~complete]]
            for piece in _split_ids(done, chunk_size):
                yield self._finish(path, piece, _concat(bad))
                bad = []
        rest = pd.concat(pending, ignore_index=True) if pending else pd.DataFrame()
        if len(rest) or any(len(r) for r in bad):
            yield self._finish(path, rest, _concat(bad))

    def _finish(self, path: Path, frame: pd.DataFrame, rejects: pd.DataFrame) -> RawFrames:
        roles = {str(k).strip().lower(): v for k, v in (self.options.get("roles") or {}).items()}
        frame = frame.copy()
        if roles and "role" in frame.columns:
            lowered = frame["role"].astype("string").str.strip().str.lower()
            frame["role"] = lowered.map(roles).fillna(frame["role"].astype("string"))
        frame["source"] = str(path)
        return RawFrames(turns=frame.reset_index(drop=True), rejects=rejects)

    def _blocks(self, path: Path, rows: int, usecols: str | None = None
                ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Blocks of raw rows (with ``record``) and the rejects of their bad lines."""
        ext = path.suffix.lower()
        if ext in (".parquet", ".pq"):
            yield from _parquet_blocks(path, rows, usecols)
        elif ext in (".jsonl", ".ndjson"):
            yield from _jsonl_blocks(path, rows, usecols, self.options.get("encoding"))
        else:
            yield from _csv_blocks(path, "\t" if ext == ".tsv" else ",", rows, usecols,
                                   self.options.get("encoding"))


def table_blocks(path: Path, rows: int, encoding: str | None = None, *,
                 lineterminator: str | None = None
                 ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Blocks of ``rows`` rows of a CSV/TSV/JSONL/Parquet table, each with ``record``
    and the rejects of its malformed lines.

    ``lineterminator="\\n"`` makes only line feeds end CSV rows (texts holding bare
    carriage returns, as in the Twitter export); a ``\\r`` left at the end of a
    row's last value by CRLF line ends is removed.
    """
    ext = path.suffix.lower()
    if ext in (".parquet", ".pq"):
        yield from _parquet_blocks(path, rows, None)
    elif ext in (".jsonl", ".ndjson"):
        yield from _jsonl_blocks(path, rows, None, encoding)
    else:
        yield from _csv_blocks(path, "\t" if ext == ".tsv" else ",", rows, None, encoding,
                               lineterminator=lineterminator)


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A whole CSV/TSV/JSONL/Parquet table with ``record`` and its malformed-line rejects.

    CSV and TSV values are strings; the encoding is decided as in
    :func:`serviceart.readers._text.decide_encoding`.
    """
    reader = TurnsReader(encoding=encoding)
    blocks = list(reader._blocks(path, _MAX_BLOCK_ROWS))
    if not blocks:
        return pd.DataFrame(columns=["record"]), reject_rows([])
    frames = [f for f, _ in blocks]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame, pd.concat([r for _, r in blocks], ignore_index=True)


def _concat(rejects: list[pd.DataFrame]) -> pd.DataFrame:
    found = [r for r in rejects if len(r)]
    return pd.concat(found, ignore_index=True) if found else reject_rows([])


_ALL = 1 << 62
_MIN_BLOCK_ROWS = 20_000
_MAX_BLOCK_ROWS = 200_000


def _last_rows(blocks: Iterable[tuple[pd.DataFrame, pd.DataFrame]], id_name: str
               ) -> dict[Any, int]:
    """Interaction id -> 1 + the index of its last row (rows counted over the file)."""
    last: dict[Any, int] = {}
    base = 0
    for frame, _ in blocks:
        if id_name in frame.columns and len(frame):
            pos = pd.Series(range(base + 1, base + len(frame) + 1), index=frame.index)
            ends = pos.groupby(frame[id_name].to_numpy(), dropna=True, sort=False).max()
            last.update(zip(ends.index, ends.to_numpy().tolist(), strict=True))
        base += len(frame)
    return last


def _jsonl_last_rows(path: Path, key: str, encoding: str | None) -> dict[Any, int]:
    """:func:`_last_rows` of a JSONL file, without building frames: one pass over
    the lines that reads only ``key`` (see :func:`_id_value`).

    Rows are counted as the second pass counts them (blank lines, lines that
    are not JSON and lines that are not objects are no rows), except that a
    line whose id can be read without parsing is counted even if it is broken
    further on; counting such a row can only make an interaction wait longer
    before it is handed on, never split it.
    """
    quick = _id_value(key)
    last: dict[Any, int] = {}
    row = 0
    with open_text(path, encoding) as fh:
        for line in fh:
            if not line.strip():
                continue
            value = quick(line)
            if value is _UNSURE:
                try:
                    obj = loads(line)
                except (json.JSONDecodeError, RecursionError):
                    continue
                if not isinstance(obj, dict):
                    continue
                value = obj.get(key)
            row += 1
            if value is not None and not isinstance(value, (dict, list)):
                last[value] = row
    return last


def _split_ids(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    """``frame`` in pieces of at most ``size`` interactions (rows without an id go first)."""
    if not len(frame):
        return
    if "interaction_id" not in frame.columns or size >= _ALL:
        yield frame
        return
    ids = frame["interaction_id"]
    codes, _ = pd.factorize(ids.mask(non_scalar(ids)), use_na_sentinel=True)
    group = pd.Series(codes, index=frame.index) // size
    group[codes < 0] = 0
    for _, piece in frame.groupby(group.to_numpy(), sort=True):
        yield piece


def _parquet_blocks(path: Path, rows: int, usecols: str | None
                    ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        cols = None if usecols is None else [c for c in [usecols] if c in names]
        base = 0
        for batch in pf.iter_batches(batch_size=rows, columns=cols):
            frame = batch.to_pandas()
            frame["record"] = [f"row {i}" for i in range(base + 1, base + len(frame) + 1)]
            base += len(frame)
            yield frame, reject_rows([])
    except Exception as exc:  # pyarrow raises many types for a broken file
        raise FormatError(f"cannot read Parquet: {exc}", source=str(path)) from exc


def _jsonl_blocks(path: Path, rows: int, usecols: str | None, encoding: str | None
                  ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    records: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []

    def block() -> tuple[pd.DataFrame, pd.DataFrame]:
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(
            columns=["interaction_id", "role", "text", "record"])
        return frame, reject_rows(bad)

    with open_text(path, encoding) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = loads(line)
            except json.JSONDecodeError as exc:
                bad.append({"source": str(path), "record": f"line {lineno}",
                            "code": "malformed_line",
                            "reason": f"not valid JSON: {exc.msg} at column {exc.colno}"})
                continue
            except RecursionError:
                bad.append({"source": str(path), "record": f"line {lineno}",
                            "code": "malformed_line", "reason": "JSON nested too deeply"})
                continue
            if not isinstance(obj, dict):
                bad.append({"source": str(path), "record": f"line {lineno}",
                            "code": "malformed_line",
                            "reason": f"a JSON {type(obj).__name__}, not an object"})
                continue
            if usecols is not None:
                obj = {usecols: obj.get(usecols)}
            obj["record"] = f"line {lineno}"
            records.append(obj)
            if len(records) >= rows:
                yield block()
                records, bad = [], []
    if records or bad:
        yield block()


_UNSURE = object()
_JSON_VALUE = re.compile(r'\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?'
                         r'|null|true|false)\s*[,}]')


def _id_value(key: str) -> Callable[[str], Any]:
    """Reads the value of ``"key"`` in a JSON line without parsing the line.

    Used by the id pass of :meth:`TurnsReader.iter_load`, which only needs to
    know where each interaction's rows end. When the quoted key occurs exactly
    once and is followed by a plain value, it is the top-level key (a nested
    copy would make two, and a quote inside a string is escaped); otherwise
    the result is ``_UNSURE`` and the line is parsed whole. A line that is not
    valid JSON is rejected by the second pass, which parses every line whole.
    """
    quoted = json.dumps(key)

    def value(line: str) -> Any:
        if line.count(quoted) != 1:
            return _UNSURE
        at = line.find(quoted)
        if at > 0 and line[at - 1] == "\\":
            return _UNSURE
        m = _JSON_VALUE.match(line, at + len(quoted))
        if m is None:
            return _UNSURE
        raw = m.group(1)
        if raw[0] == '"' and "\\" not in raw:
            return raw[1:-1]
        return loads(raw)

    return value


def _csv_blocks(path: Path, sep: str, rows: int, usecols: str | None,
                encoding: str | None, lineterminator: str | None = None
                ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    enc, errors = decide_encoding(path, encoding)
    base = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reader = pd.read_csv(
                path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                on_bad_lines="warn", encoding=enc, encoding_errors=errors,
                quoting=csv.QUOTE_MINIMAL, chunksize=rows, lineterminator=lineterminator,
                usecols=None if usecols is None else (lambda c: c == usecols))
            for frame in reader:
                if lineterminator is not None and len(frame.columns):
                    frame.columns = [*frame.columns[:-1], str(frame.columns[-1]).rstrip("\r")]
                    last = frame.columns[-1]
                    frame[last] = frame[last].str.removesuffix("\r")
                frame["record"] = [f"row {i}" for i in range(base + 1, base + len(frame) + 1)]
                base += len(frame)
                found = list(caught)
                caught.clear()
                yield frame, reject_rows(malformed_lines(found, path) if usecols is None
                                         else [])
        except pd.errors.EmptyDataError as exc:
            raise FormatError("the file is empty; a turn table needs a header and rows",
                              source=str(path)) from exc
        except pd.errors.ParserError as exc:
            raise FormatError(f"cannot parse as CSV: {exc}", source=str(path)) from exc
    if base == 0:  # a header without rows: one empty block so the caller sees the columns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header = pd.read_csv(path, sep=sep, dtype=str, nrows=0, encoding=enc,
                                 encoding_errors=errors, on_bad_lines="skip")
        header["record"] = pd.Series(dtype="string")
        yield header, reject_rows([])


def malformed_lines(caught: list[warnings.WarningMessage], path: Path) -> list[dict[str, Any]]:
    """Reject rows for the lines pandas skipped (its "Skipping line N" warnings)."""
    return [{"source": str(path), "record": f"line {m.group(1)}", "code": "malformed_line",
             "reason": m.group(2).strip()}
            for w in caught for m in _BAD_LINE.finditer(str(w.message))]


def _open_text(path: Path, encoding: str | None = None) -> io.StringIO:
    """The file's whole text (see :func:`serviceart.readers._text.read_text`)."""
    return io.StringIO(read_text(path, encoding))
