"""Rows of a CSV table that cannot be trusted, found so that none is lost silently.

Two kinds of damage shift or swallow records without pandas noticing:

- a row with more fields than the header (an unquoted delimiter in a value):
  pandas skips it with a warning naming only its number; the csv module finds
  that record again (:class:`RecordLocator`) so it is rejected with its id and
  line (``malformed_line``);
- an unbalanced quote: the quoted value runs on over the following lines, so
  the records on them become text of the row holding the quote. A value with
  line breaks is suspect when a line inside it looks like a record of its own
  (an id, then a role the file uses, in the header's positions). That row is
  rejected (``stray_quote``), and so is every record it swallowed, under the
  swallowed record's own id, so that each one is counted.

Only rows holding a line break, and the records pandas skipped, are examined
one by one, so the cost follows the damaged part of the file, not its size.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd

from ..codebook import ROLES
from ..rejects import RejectCode

__all__ = ["BadRecord", "RecordCheck", "RecordLocator", "python_blocks"]

#: each line of a value after its first (the line ends a CSV record may have)
_NEXT_LINE = re.compile(r"(?:\r\n|\r|\n)([^\r\n]*)")


@dataclass(frozen=True)
class BadRecord:
    """A record with more fields than the header: its first line and its fields."""

    line: int
    fields: list[str]


class RecordLocator:
    """Finds records by the number pandas gives them in its "Skipping line N"
    warnings (it counts line ends outside quotes, blank lines included, which
    is what the csv module yields a record or an empty list for).

    Numbers asked for must grow; the file is read once, as far as the last one.
    """

    def __init__(self, path: Path, sep: str, encoding: str, errors: str) -> None:
        self.path, self.sep, self.encoding, self.errors = path, sep, encoding, errors
        self._fh: IO[str] | None = None
        self._reader: Any = None
        self._item = 0
        self._line = 0

    def __enter__(self) -> RecordLocator:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fh is not None:
            self._fh.close()

    def __call__(self, number: int) -> BadRecord:
        """The record pandas numbers ``number``."""
        if self._fh is None:
            self._fh = self.path.open(encoding=self.encoding, errors=self.errors, newline="")
            self._reader = csv.reader(self._fh, delimiter=self.sep, strict=False)
        fields: list[str] = []
        start = self._line + 1
        while self._item < number:
            start = self._line + 1
            try:
                fields = next(self._reader)
            except (StopIteration, csv.Error):
                return BadRecord(line=number, fields=[])
            self._item += 1
            self._line = self._reader.line_num
        return BadRecord(line=start, fields=fields)


class RecordCheck:
    """Finds the untrustworthy rows of blocks of one CSV file.

    Parameters
    ----------
    path
        The file (named in rejects).
    header
        The file's column names, in order.
    id_col, role_col
        The file's interaction id and role columns (None when it has none).
    roles
        Role labels besides the canonical ones (the keys of ``roles={...}``).
    sep
        The field delimiter.
    """

    def __init__(self, path: Path, header: list[str], *, id_col: str | None,
                 role_col: str | None, roles: Iterable[str] = (), sep: str = ",") -> None:
        self.source = str(path)
        self.header = header
        self.id_col = id_col if id_col is not None and id_col in header else None
        self.id_pos = header.index(self.id_col) if self.id_col is not None else None
        self.role_col = role_col if role_col is not None and role_col in header else None
        self.role_pos = header.index(self.role_col) if self.role_col is not None else None
        self.roles = {*ROLES, *(str(r).strip().lower() for r in roles)}
        self.sep = sep

    def split(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        """The trustworthy rows of ``frame`` and reject rows for the others (rows
        whose values swallowed records, and those records)."""
        if self.id_pos is None:
            return frame, []
        bad = pd.Series(False, index=frame.index)
        ids = frame[self.id_col].astype("string")
        rows = self._stray_quotes(frame, ids, bad)
        return frame[~bad.to_numpy()], rows

    def extra_fields(self, rec: BadRecord) -> list[dict[str, Any]]:
        """Reject rows for a record with more fields than the header (and for any
        records its values swallowed)."""
        n = len(self.header)
        iid = _id(rec.fields[self.id_pos]) if self.id_pos is not None and \
            len(rec.fields) > self.id_pos else None
        extra = rec.fields[n:]
        record = f"line {rec.line}"
        rows: list[dict[str, Any]] = [{
            "source": self.source, "record": record, "interaction_id": iid, "field": None,
            "code": RejectCode.MALFORMED_LINE,
            "reason": (f"expected {n} fields, saw {len(rec.fields)} (the first "
                       f"extra one is {extra[0]!r}): a value holding an unquoted "
                       f"{self.sep!r}? Quote that value or remove the extra fields")
            if extra else "the record could not be split into the header's fields"}]
        if self.id_pos is not None:
            for pos, value in enumerate(rec.fields):
                rows.extend(self._swallowed(value, record, self.header[pos] if pos < n
                                            else f"field {pos + 1}", self.roles))
        return rows

    def _stray_quotes(self, frame: pd.DataFrame, ids: pd.Series, bad: pd.Series
                      ) -> list[dict[str, Any]]:
        """Rejects of rows whose values swallowed records; marks them in ``bad``."""
        texts = [c for c in self.header
                 if c in frame.columns and pd.api.types.is_string_dtype(frame[c].dtype)]
        broken = pd.Series(False, index=frame.index)
        for c in texts:
            broken |= frame[c].str.contains("\n", regex=False, na=False)
        broken &= ~bad
        if not broken.any():
            return []
        seen_roles = set(self.roles)
        if self.role_col is not None:
            seen_roles |= set(frame[self.role_col].dropna().astype(str).str.strip().str.lower())
        rows: list[dict[str, Any]] = []
        for i in frame.index[broken.to_numpy()]:
            record = str(frame.at[i, "record"])
            for c in texts:
                value = frame.at[i, c]
                if not isinstance(value, str) or "\n" not in value:
                    continue
                swallowed = self._swallowed(value, record, c, seen_roles)
                if not swallowed:
                    continue
                bad[i] = True
                names = ", ".join(repr(r["interaction_id"]) for r in swallowed)
                rows.append({
                    "source": self.source, "record": record, "interaction_id": _id(ids[i]),
                    "field": c, "code": RejectCode.STRAY_QUOTE,
                    "reason": f"the {c} value opens a quote that runs over "
                              f"{sum(1 for _ in _NEXT_LINE.finditer(value.rstrip()))} more "
                              "line(s), "
                              "swallowing "
                              f"{len(swallowed)} record(s) of interaction(s) {names}: the "
                              "quote is unbalanced; double it (\"\") or close it"})
                rows.extend(swallowed)
                break
        return rows

    def _swallowed(self, value: str, record: str, column: str, roles: set[str]
                   ) -> list[dict[str, Any]]:
        """Reject rows for the lines of ``value`` (after its first) that look like
        records of this file."""
        if "\n" not in value and "\r" not in value:
            return []
        if self.role_pos is not None and not _may_hold_role(value, roles, self.sep,
                                                            self.role_pos == 0):
            return []  # no line of it can hold a role: skip the line by line look
        return [{"source": self.source, "record": f"{record}, line {k} of its {column}",
                 "interaction_id": sid, "field": column, "code": RejectCode.STRAY_QUOTE,
                 "reason": f"this record was swallowed into the {column} of {record} by an "
                           "unbalanced quote there; fix that quote and read the file again"}
                for k, m in enumerate(_NEXT_LINE.finditer(value), 2)
                if (sid := self._record_id(m.group(1), roles)) is not None]

    def _record_id(self, line: str, roles: set[str]) -> str | None:
        """The id of ``line`` when it looks like a record of this file, else None."""
        if self.sep not in line:
            return None
        assert self.id_pos is not None
        if '"' not in line:  # no quoting: a plain split is the csv split, and cheaper
            most = -1 if self.role_pos is None else max(self.id_pos, self.role_pos) + 1
            fields = line.split(self.sep, most)
        else:
            try:
                fields = next(csv.reader([line], delimiter=self.sep), [])
            except csv.Error:
                return None
        if len(fields) <= self.id_pos or not fields[self.id_pos].strip():
            return None
        if self.role_pos is not None:
            if len(fields) <= self.role_pos or fields[self.role_pos].strip().lower() not in roles:
                return None
        elif len(fields) != len(self.header):
            return None
        return fields[self.id_pos].strip()


def _may_hold_role(value: str, roles: set[str], sep: str, first: bool) -> bool:
    """Whether ``value`` holds a role label where a record's role field would start
    (after ``sep``, or after a line end when the role is the ``first`` field), in
    lower, title or upper case: plain substring searches, fast on long texts."""
    lead = ("\n", "\r") if first else (sep,)
    return any(f"{lo}{form}" in value for r in roles
               for form in {r, r.title(), r.upper()} for lo in lead)


def _id(value: Any) -> Any:
    return None if value is None or value is pd.NA else str(value).strip() or None


def python_blocks(path: Path, sep: str, encoding: str, errors: str, header: list[str],
                  skip: int, rows: int) -> Iterator[tuple[pd.DataFrame, list[BadRecord]]]:
    """Blocks of ``rows`` records after the first ``skip`` data records, read with the
    csv module (which, unlike pandas, ends a quote left open at the end of the file
    with the file), and the records with more fields than the header.

    Values are as pandas gives them: strings, empty ones missing.
    """
    n = len(header)
    records: list[list[Any]] = []
    bad: list[BadRecord] = []

    def block() -> tuple[pd.DataFrame, list[BadRecord]]:
        return pd.DataFrame.from_records(records, columns=header), bad

    with path.open(encoding=encoding, errors=errors, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, strict=False)
        seen = -1  # the header is record 0
        line = 0
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not fields:
                continue
            seen += 1
            if seen <= skip:
                continue
            if len(fields) > n:
                bad.append(BadRecord(line=start, fields=fields))
                continue
            row: list[Any] = [f if f != "" else None for f in fields]
            records.append(row + [None] * (n - len(row)))
            if len(records) >= rows:
                yield block()
                records, bad = [], []
    if records or bad:
        yield block()
