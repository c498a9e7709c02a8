"""The ``turns`` reader: a turn table in CSV, TSV, Parquet, JSON Lines or Excel.

Columns are the canonical ones (``interaction_id``, ``role``, ``text`` and the
optional turn and interaction columns), or any columns renamed with
``columns={"their_name": "our_name"}``; role values are mapped with
``roles={"rep": "agent"}``. An Excel workbook (``.xlsx``, which needs the
``excel`` extra) is read from its first sheet, or the one named with
``sheet=`` (see :mod:`serviceart.readers._excel`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FormatError
from ..ingest.validate import non_scalar
from ..rejects import RejectCode
from ._csvcheck import BadRecord, RecordCheck, RecordLocator, python_blocks
from ._excel import EXCEL_EXT, excel_blocks, excel_header, is_excel
from ._json import loads
from ._text import decide_encoding, open_text, read_text
from .base import RawFrames, Reader, register_reader, reject_rows

__all__ = ["TurnsReader"]

log = logging.getLogger(__name__)

_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")
_TABLE_EXT = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", *EXCEL_EXT)


def _member(values: pd.Series, among: pd.Series | list[str]) -> np.ndarray:
    """``values.isin(among)`` for a few values (the rejects waiting for their
    interaction) among many ids: pandas' ``isin`` on Arrow strings turns every one of
    ``among`` into a scalar, which cost a third of reading a large file."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    pool = {v for v in among if isinstance(v, str)}
    return np.fromiter((isinstance(v, str) and v in pool for v in values), dtype=bool,
                       count=len(values))


@register_reader
class TurnsReader(Reader):
    """Read a turn table.

    Parameters
    ----------
    columns
        Renames applied to the file's columns before validation, e.g.
        ``{"msg": "text"}``.
    roles
        Mapping of the file's role values to ``agent``, ``customer``, ``system``.
    encoding
        The text encoding of a CSV, TSV or JSON Lines file, tried first after a
        byte-order mark (by default the encoding is detected).
    sheet
        The sheet of an Excel workbook to read: its name, or its position from
        0 (default: the first sheet). Other files ignore it.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples/calls.csv", format="turns")
    >>> len(conv), sorted(conv.interactions["team"].unique())[:2]
    (5, ['billing', 'retention'])
    """

    name = "turns"
    extensions = _TABLE_EXT

    def __init__(self, *, columns: Mapping[str, str] | None = None,
                 roles: Mapping[str, str] | None = None, encoding: str | None = None,
                 sheet: str | int | None = None) -> None:
        super().__init__(columns=columns, roles=roles, encoding=encoding, sheet=sheet)

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """Likely a turn table when the extension fits and the header names the columns."""
        ext = path.suffix.lower()
        if ext not in _TABLE_EXT:
            return 0.0
        if ext in (".parquet", ".pq"):
            return 0.8
        if ext in EXCEL_EXT:
            names = excel_header(path)
            return 0.9 if names is not None and {"role", "text"} <= set(names) else 0.5
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
        blocks: Iterable[tuple[pd.DataFrame, pd.DataFrame]]
        if is_excel(path):  # a sheet is read whole: read it once
            blocks = list(self._blocks(path, block))
            last = _last_rows(blocks, id_name)
        else:
            blocks = self._blocks(path, block)
            if path.suffix.lower() in (".jsonl", ".ndjson"):
                last = _jsonl_last_rows(path, id_name, self.options.get("encoding"))
            else:
                last = _last_rows(self._blocks(path, block, usecols=id_name), id_name)
        pending: list[pd.DataFrame] = []
        bad: list[pd.DataFrame] = []
        read = 0
        for frame, rejects in blocks:
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
            # a reject travels with its interaction's rows, so no chunk counts it twice;
            # rejects of no interaction handed on now go with the first piece
            waiting = _concat(bad).reset_index(drop=True)
            ids_of = waiting["interaction_id"].astype("string")
            open_ids: pd.Series | list[str] = (
                pending[0]["interaction_id"].astype("string")
                if "interaction_id" in pending[0].columns else [])
            free = ~(ids_of.map(last).ge(read).fillna(False).to_numpy()
                     | _member(ids_of, open_ids))
            done_ids = (done["interaction_id"].astype("string") if "interaction_id"
                        in done.columns else pd.Series([], dtype="string"))
            orphan = free & ~_member(ids_of, done_ids)
            sent = np.zeros(len(waiting), dtype=bool)
            for piece in _split_ids(done, chunk_size):
                mine = orphan | (free & _member(ids_of, piece["interaction_id"].astype(
                    "string"))) if "interaction_id" in piece.columns else orphan
                yield self._finish(path, piece, waiting[mine].reset_index(drop=True))
                sent |= mine
                free, orphan = free & ~mine, orphan & False
            bad = [waiting[~sent]]
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
        columns: dict[str, str] = dict(self.options.get("columns") or {})
        raw = {v: k for k, v in columns.items()}
        if ext in (".parquet", ".pq"):
            yield from _parquet_blocks(path, rows, usecols)
        elif ext in EXCEL_EXT:
            yield from excel_blocks(path, rows, usecols, self.options.get("sheet"))
        elif ext in (".jsonl", ".ndjson"):
            yield from _jsonl_blocks(path, rows, usecols, self.options.get("encoding"),
                                     id_key=raw.get("interaction_id", "interaction_id"))
        else:
            yield from _csv_blocks(path, "\t" if ext == ".tsv" else ",", rows, usecols,
                                   self.options.get("encoding"),
                                   id_col=raw.get("interaction_id", "interaction_id"),
                                   role_col=raw.get("role", "role"),
                                   roles=(self.options.get("roles") or {}).keys())


def table_blocks(path: Path, rows: int, encoding: str | None = None, *,
                 lineterminator: str | None = None, sheet: str | int | None = None
                 ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Blocks of ``rows`` rows of a CSV/TSV/JSONL/Parquet/Excel table, each with
    ``record`` and the rejects of its malformed lines.

    ``lineterminator="\\n"`` makes only line feeds end CSV rows (texts holding bare
    carriage returns, as in the Twitter export); a ``\\r`` left at the end of a
    row's last value by CRLF line ends is removed. ``sheet`` picks the sheet of
    an Excel workbook (default: the first).
    """
    ext = path.suffix.lower()
    if ext in (".parquet", ".pq"):
        yield from _parquet_blocks(path, rows, None)
    elif ext in EXCEL_EXT:
        yield from excel_blocks(path, rows, None, sheet)
    elif ext in (".jsonl", ".ndjson"):
        yield from _jsonl_blocks(path, rows, None, encoding)
    else:
        yield from _csv_blocks(path, "\t" if ext == ".tsv" else ",", rows, None, encoding,
                               lineterminator=lineterminator)


def read_table(path: Path, encoding: str | None = None, sheet: str | int | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A whole CSV/TSV/JSONL/Parquet/Excel table with ``record`` and its malformed-line
    rejects.

    CSV and TSV values are strings; the encoding is decided as in
    :func:`serviceart.readers._text.decide_encoding`. ``sheet`` picks the sheet
    of an Excel workbook (default: the first).
    """
    reader = TurnsReader(encoding=encoding, sheet=sheet)
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
        raise FormatError(f"cannot read Parquet: {exc}", source=str(path), code="SA-F025") from exc


def _jsonl_blocks(path: Path, rows: int, usecols: str | None, encoding: str | None,
                  id_key: str = "interaction_id"
                  ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    records: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    quick = _id_value(id_key)

    def line_id(line: str) -> Any:
        """The id of a broken line when it can still be read (see :func:`_id_value`)."""
        try:
            value = quick(line)
        except (ValueError, RecursionError):
            return None
        return None if value is _UNSURE or value is None else str(value)

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
                            "interaction_id": line_id(line), "code": RejectCode.MALFORMED_LINE,
                            "reason": f"not valid JSON: {exc.msg} at column {exc.colno}"})
                continue
            except RecursionError:
                bad.append({"source": str(path), "record": f"line {lineno}",
                            "code": RejectCode.MALFORMED_LINE, "reason": "JSON nested too deeply"})
                continue
            if not isinstance(obj, dict):
                bad.append({"source": str(path), "record": f"line {lineno}",
                            "code": RejectCode.MALFORMED_LINE,
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
                encoding: str | None, lineterminator: str | None = None, *,
                id_col: str | None = "interaction_id", role_col: str | None = "role",
                roles: Iterable[str] = ()) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Blocks of a CSV/TSV file with ``record``, and the rejects of their bad rows.

    No record is lost or shifted silently: a row with more fields than the
    header is rejected (``malformed_line``) with its id and line, and a quoted
    value that runs over lines which look like records of their own (an
    unbalanced quote) is rejected (``stray_quote``) together with the ids of
    the records it swallowed (see :mod:`serviceart.readers._csvcheck`).
    ``id_col`` and ``role_col`` name the file's id and role columns, ``roles``
    extra role labels, for that check.
    """
    enc, errors = decide_encoding(path, encoding)
    header = _csv_header(path, sep, enc, errors, lineterminator)
    check = RecordCheck(path, header, id_col=id_col, role_col=role_col, roles=roles, sep=sep)
    base = 0
    reader = None
    # the header is read as data (then dropped) so that a first row with extra
    # fields cannot make pandas take the first column as the index
    with warnings.catch_warnings(record=True) as caught, \
            RecordLocator(path, sep, enc, errors) as locate:
        warnings.simplefilter("always")
        try:
            reader = pd.read_csv(
                path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                on_bad_lines="warn", encoding=enc, encoding_errors=errors,
                quoting=csv.QUOTE_MINIMAL, iterator=True, lineterminator=lineterminator,
                header=None, names=header,
                usecols=None if usecols is None else (lambda c: c == usecols))
            for frame in _chunks(reader, rows):
                found = list(caught)
                caught.clear()
                records = [] if usecols is not None else [
                    locate(int(m.group(1))) for w in found
                    for m in _BAD_LINE.finditer(str(w.message))]
                n = len(frame)
                yield _checked(frame, base, lineterminator, check, records, usecols)
                base += n
        except pd.errors.EmptyDataError as exc:
            raise FormatError("the file is empty; a turn table needs a header and rows",
                              source=str(path), code="SA-F026") from exc
        except pd.errors.ParserError as exc:
            if "EOF inside string" not in str(exc):
                raise FormatError(f"cannot parse as CSV: {exc}", source=str(path),
                                  code="SA-F027") from exc
            # an unbalanced quote runs to the end of the file: the rest is read by the
            # csv module, whose last record holds everything the quote swallowed
            for frame, records in python_blocks(path, sep, enc, errors, header, base, rows):
                if usecols is not None:
                    frame, records = frame[[c for c in frame.columns if c == usecols]], []
                n = len(frame)
                yield _checked(frame, base, lineterminator, check, records, usecols)
                base += n
        finally:  # also when the consumer stops early (the file is closed now, not by GC)
            if reader is not None:
                reader.close()
    if base == 0:  # a header without rows: one empty block so the caller sees the columns
        header_frame = pd.DataFrame(columns=[c for c in header
                                             if usecols is None or c == usecols])
        header_frame["record"] = pd.Series(dtype="string")
        yield header_frame, reject_rows([])


def _chunks(reader: Any, rows: int) -> Iterator[pd.DataFrame]:
    """Blocks of ``rows`` data rows from a pandas CSV reader whose first row is the header."""
    with reader:
        size = rows + 1
        while True:
            try:
                frame = reader.get_chunk(size)
            except StopIteration:
                return
            if size > rows:
                frame, size = frame.iloc[1:], rows
            yield frame


def _checked(frame: pd.DataFrame, base: int, lineterminator: str | None,
             check: RecordCheck, records: list[BadRecord], usecols: str | None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One block numbered from ``base``, with its bad rows moved into rejects."""
    frame = frame.reset_index(drop=True)
    if lineterminator is not None and len(frame.columns):
        frame.columns = [*frame.columns[:-1], str(frame.columns[-1]).rstrip("\r")]
        last = frame.columns[-1]
        frame[last] = frame[last].str.removesuffix("\r")
    frame["record"] = [f"row {i}" for i in range(base + 1, base + len(frame) + 1)]
    if usecols is not None:
        return frame, reject_rows([])
    kept, rows = check.split(frame)
    for rec in records:
        rows.extend(check.extra_fields(rec))
    return kept.reset_index(drop=True), reject_rows(rows)


def _csv_header(path: Path, sep: str, enc: str, errors: str, lineterminator: str | None
                ) -> list[str]:
    """The column names of the file's header as pandas names them (repeated names
    numbered ``x.1``, ``x.2``...). Read with the csv module, so that a quote left
    open further down cannot stop it."""
    with path.open(encoding=enc, errors=errors, newline="") as fh:
        try:
            names = next((r for r in csv.reader(fh, delimiter=sep, strict=False) if r), None)
        except csv.Error as exc:
            raise FormatError(f"cannot parse the CSV header: {exc}", source=str(path),
                              code="SA-F028") from exc
    if not names:
        raise FormatError("the file is empty; a turn table needs a header and rows",
                          source=str(path), code="SA-F029")
    if lineterminator is not None:
        names[-1] = names[-1].rstrip("\r")
    out: list[str] = []
    for name in names:
        base, k = name, 0
        while name in out:
            k += 1
            name = f"{base}.{k}"
        out.append(name)
    return out


def malformed_lines(caught: list[warnings.WarningMessage], path: Path) -> list[dict[str, Any]]:
    """Reject rows for the lines pandas skipped (its "Skipping line N" warnings)."""
    return [{"source": str(path), "record": f"line {m.group(1)}", "code": RejectCode.MALFORMED_LINE,
             "reason": m.group(2).strip()}
            for w in caught for m in _BAD_LINE.finditer(str(w.message))]


def _open_text(path: Path, encoding: str | None = None) -> io.StringIO:
    """The file's whole text (see :func:`serviceart.readers._text.read_text`)."""
    return io.StringIO(read_text(path, encoding))
