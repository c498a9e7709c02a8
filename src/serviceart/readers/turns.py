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
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import FormatError
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
        ext = path.suffix.lower()
        if ext in (".parquet", ".pq"):
            frame, rejects = self._parquet(path), reject_rows([])
        elif ext in (".jsonl", ".ndjson"):
            frame, rejects = self._jsonl(path)
        else:
            frame, rejects = self._csv(path, sep="\t" if ext == ".tsv" else ",")
        columns: dict[str, str] = dict(self.options.get("columns") or {})
        if columns:
            frame = frame.rename(columns=columns)
        roles = {str(k).strip().lower(): v for k, v in (self.options.get("roles") or {}).items()}
        if roles and "role" in frame.columns:
            lowered = frame["role"].astype("string").str.strip().str.lower()
            frame["role"] = lowered.map(roles).fillna(frame["role"].astype("string"))
        frame["source"] = str(path)
        return RawFrames(turns=frame, rejects=rejects)

    def _parquet(self, path: Path) -> pd.DataFrame:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a broken file
            raise FormatError(f"cannot read Parquet: {exc}", source=str(path)) from exc
        frame["record"] = [f"row {i + 1}" for i in range(len(frame))]
        return frame

    def _jsonl(self, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
        records: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    bad.append({"source": str(path), "record": f"line {lineno}",
                                "code": "malformed_line",
                                "reason": f"not valid JSON: {exc.msg} at column {exc.colno}"})
                    continue
                if not isinstance(obj, dict):
                    bad.append({"source": str(path), "record": f"line {lineno}",
                                "code": "malformed_line",
                                "reason": f"a JSON {type(obj).__name__}, not an object"})
                    continue
                obj["record"] = f"line {lineno}"
                records.append(obj)
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(
            columns=["interaction_id", "role", "text", "record"])
        return frame, reject_rows(bad)

    def _csv(self, path: Path, sep: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        bad: list[dict[str, Any]] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                frame = _read_csv(path, sep, "strict")
            except UnicodeDecodeError:
                log.warning("%s is not valid UTF-8; undecodable bytes were replaced", path)
                frame = _read_csv(path, sep, "replace")
        bad.extend(malformed_lines(caught, path))
        frame["record"] = [f"row {i + 1}" for i in range(len(frame))]
        return frame, reject_rows(bad)


def malformed_lines(caught: list[warnings.WarningMessage], path: Path) -> list[dict[str, Any]]:
    """Reject rows for the lines pandas skipped (its "Skipping line N" warnings)."""
    return [{"source": str(path), "record": f"line {m.group(1)}", "code": "malformed_line",
             "reason": m.group(2).strip()}
            for w in caught for m in _BAD_LINE.finditer(str(w.message))]


def _read_csv(path: Path, sep: str, errors: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                           on_bad_lines="warn", encoding="utf-8", encoding_errors=errors,
                           quoting=csv.QUOTE_MINIMAL)
    except pd.errors.EmptyDataError as exc:
        raise FormatError("the file is empty; a turn table needs a header and rows",
                          source=str(path)) from exc
    except pd.errors.ParserError as exc:
        raise FormatError(f"cannot parse as CSV: {exc}", source=str(path)) from exc


def _open_text(path: Path) -> io.StringIO:
    """The file's text: UTF-8 (with or without BOM), else UTF-8 with replacement characters."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s is not valid UTF-8; undecodable bytes were replaced", path)
        text = raw.decode("utf-8", errors="replace")
    return io.StringIO(text)

