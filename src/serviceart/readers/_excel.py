"""Excel workbooks (``.xlsx``, ``.xlsm``) as tables for the ``turns`` and ``messages`` readers.

A sheet is read through pandas with openpyxl, the optional dependency of the
``excel`` extra (``pip install 'serviceart[excel]'``). The table is the first
sheet, or the one named by the readers' ``sheet=`` option (a name, or a
0-based position). Its first non-empty row is the header; rows that are empty
in every cell are no records. Cells keep the types Excel gives them (text,
numbers, dates); Excel stores no time zone, so dates and times are taken as UTC
like any naive time. Each record is named by its sheet and its row as Excel
numbers it (``sheet 'Chats' row 5``), so that a reject points at the cell row
an analyst sees.
"""

from __future__ import annotations

import functools
import importlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, FormatError
from .base import reject_rows

__all__ = ["EXCEL_EXT", "excel_blocks", "excel_header", "is_excel"]

EXCEL_EXT = (".xlsx", ".xlsm")
"""File name extensions read as Excel workbooks."""

_INSTALL = ("install the excel extra: pip install 'serviceart[excel]' (it adds openpyxl), "
            "or save the sheet as CSV")


def is_excel(path: Path) -> bool:
    """Whether the file is named as an Excel workbook."""
    return path.suffix.lower() in EXCEL_EXT


def _openpyxl(path: Path) -> Any:
    """The openpyxl module; :class:`ConfigError` naming the extra when it is missing.

    The error names the file in its message but not as its source: the installation
    is at fault, not the file, so a folder run stops here instead of rejecting every
    workbook as unreadable."""
    try:
        return importlib.import_module("openpyxl")
    except ImportError as exc:
        raise ConfigError(f"reading Excel files such as {path.name} needs openpyxl, which is "
                          f"not installed; {_INSTALL}", code="SA-C220") from exc


def _workbook(path: Path) -> pd.ExcelFile:
    """The workbook, opened once for its sheet names and the sheet read;
    :class:`FormatError` when it is not a workbook."""
    _openpyxl(path)
    try:
        return pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # zipfile, KeyError and openpyxl's InvalidFileException...
        raise FormatError(f"cannot read it as an Excel workbook ({type(exc).__name__}: {exc}); "
                          "check that it is a complete .xlsx file, or save it again from Excel",
                          source=str(path), code="SA-F120") from exc


def _pick(path: Path, names: list[str], sheet: str | int | None) -> str:
    """The name of the sheet to read (``None``: the first)."""
    if not names:
        raise FormatError("the workbook has no sheets", source=str(path), code="SA-F121")
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise ConfigError(f"sheet={sheet} is out of range: the workbook has {len(names)} "
                          f"sheet(s) {names} (positions count from 0)", source=str(path),
                          field="sheet", code="SA-C222")
    if str(sheet) in names:
        return str(sheet)
    folded = {n.strip().lower(): n for n in names}
    if str(sheet).strip().lower() in folded:
        return folded[str(sheet).strip().lower()]
    raise ConfigError(f"sheet={sheet!r} is not in the workbook; its sheets are {names}",
                      source=str(path), field="sheet", code="SA-C221")


def _names(cells: list[Any]) -> list[str]:
    """Header cells as column names, numbered like pandas when repeated (``x.1``)."""
    out: list[str] = []
    for k, cell in enumerate(cells):
        blank = cell is None or (isinstance(cell, float) and cell != cell) or \
            str(cell).strip() == ""
        name = base = f"Unnamed: {k}" if blank else str(cell).strip()
        n = 0
        while name in out:
            n += 1
            name = f"{base}.{n}"
        out.append(name)
    return out


def _sheet(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    """The sheet's records (with ``record``) and the sheet's name."""
    with _workbook(path) as book:
        name = _pick(path, [str(n) for n in book.sheet_names], sheet)
        try:
            raw = pd.read_excel(book, sheet_name=name, header=None, dtype=object,
                                keep_default_na=False, na_values=[""])
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise FormatError(f"cannot read sheet {name!r} ({type(exc).__name__}: {exc}); "
                              "check that the workbook is complete, or save it again from "
                              "Excel", source=str(path), code="SA-F123") from exc
    rows = [] if raw.empty else np.flatnonzero(raw.notna().any(axis=1).to_numpy()).tolist()
    if not rows:
        raise FormatError(f"sheet {name!r} is empty; a table needs a header row and rows",
                          source=str(path), code="SA-F122")
    head = rows[0]
    frame = raw.iloc[rows[1:]].copy()
    frame.columns = _names(raw.iloc[head].tolist())
    frame = frame.reset_index(drop=True)
    frame["record"] = [f"sheet {name!r} row {i + 1}" for i in rows[1:]]
    return frame, name


def excel_blocks(path: Path, rows: int, usecols: str | None, sheet: str | int | None
                 ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Blocks of ``rows`` records of one sheet, each with ``record`` (and no rejects:
    a sheet has no malformed lines). The sheet is read whole, as Excel files are.

    Raises
    ------
    ConfigError
        When openpyxl is not installed, or ``sheet`` names no sheet of the workbook.
    FormatError
        When the file is not a readable workbook, or the sheet is empty.
    """
    frame, _ = _sheet(path, sheet)
    if usecols is not None:
        frame = frame[[c for c in frame.columns if c in (usecols, "record")]]
    if not len(frame):
        yield frame, reject_rows([])
        return
    for start in range(0, len(frame), rows):
        yield frame.iloc[start:start + rows].reset_index(drop=True), reject_rows([])


def excel_header(path: Path) -> list[str] | None:
    """The column names of the first sheet, for sniffing; None when they cannot be read
    (openpyxl missing, not a workbook): reading the file then says why. A header
    read is remembered for the file as it is now, since each reader sniffs it."""
    try:
        stat = path.stat()
        return list(_header(str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    except Exception:  # sniffing never fails; the reader raises the clear error
        return None


@functools.lru_cache(maxsize=64)
def _header(path_text: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """:func:`excel_header` of one version of a file (its time and size in the key);
    raises when there is none, so that a failure is not remembered."""
    path = Path(path_text)
    book = _openpyxl(path).load_workbook(path, read_only=True)
    try:
        for row in book.worksheets[0].iter_rows(max_row=50, values_only=True):
            if any(c is not None and str(c).strip() for c in row):
                return tuple(str(c).strip().lower() for c in row if c is not None)
    finally:
        book.close()
    raise LookupError("no header row in the first 50 rows of the first sheet")
