"""Per-file accounting of a read: what each input file gave, and what became of it.

A read of several files (a folder, a list) records in a :class:`FileLog`, for
every file found, the reader that read it, the turn records it held and the
interactions it brought in; a file no reader handles is listed as ``skipped``,
one that failed as a whole (invalid JSON, an unknown format, no usable
columns) as ``unreadable`` with the reason. :meth:`FileLog.table` then says, per
file, how many of its interactions were scored (or valid), out of scope and
rejected, so that nothing read is lost without a line naming its file.

An interaction belongs to the first file that names it (in reading order):
the same id in a later file adds turns to it (counted as ``merged`` for that
file) and no interaction. Ids that files of different readers share (ticket
``1`` of a Zendesk and of a Freshdesk export) are listed by
:meth:`FileLog.clashes`: their turns were read as one interaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..readers.base import RawFrames
from .validate import non_scalar

__all__ = ["FILE_COLUMNS", "FileEntry", "FileLog"]

#: the columns of :meth:`FileLog.table`, in order
FILE_COLUMNS = ("file", "reader", "status", "interactions", "turns", "rejects", "scored",
                "out_of_scope", "rejected", "unaccounted", "merged", "reason")


@dataclass
class FileEntry:
    """One input file: its reader, status and what it held."""

    path: str
    #: the reader that read it (``None``: skipped, or its format could not be told)
    reader: str | None = None
    #: ``read``, ``unreadable`` (failed as a whole), ``skipped`` (no reader handles it) or
    #: ``document`` (a README or ``.md`` file beside the exports, skipped without a warning)
    status: str = "read"
    #: why it is unreadable or skipped
    reason: str | None = None
    #: turn records read (a record a reader rejected counts, as in ``counts``)
    turns: int = 0
    #: interactions of an earlier file that this file adds turns to
    merged: int = 0


def _ids(raw: RawFrames) -> pd.Series:
    """The interaction ids a reader's frames name (scalars, stripped, not empty), as
    :meth:`Conversations.from_frames <serviceart.ingest.model.Conversations.from_frames>`
    counts them."""
    cols = [raw.turns["interaction_id"] if "interaction_id" in raw.turns.columns else None,
            raw.interactions["interaction_id"] if raw.interactions is not None
            and "interaction_id" in raw.interactions.columns else None,
            raw.rejects["interaction_id"]]
    found = [_unique_scalars(c) for c in cols if c is not None and len(c)]
    if not found:
        return pd.Series(dtype=str)
    ids = pd.concat(found, ignore_index=True).astype(str).str.strip()
    return ids[ids != ""].drop_duplicates()


def _unique_scalars(col: pd.Series) -> pd.Series:
    """The distinct single values of a column (lists and dicts left out), without
    looking at every row when the values can be hashed."""
    try:
        col = pd.Series(col.unique())
    except TypeError:  # a list or dict among the values: drop them first
        col = pd.Series(col[~non_scalar(col)].unique())
    else:
        col = col[~non_scalar(col)]
    return col.dropna()


def _strings(values: Iterable[str]) -> np.ndarray:
    """Ids as an array of Python strings (missing values left out)."""
    if isinstance(values, pd.Series):
        return values.dropna().astype(str).to_numpy(dtype=object)
    return np.array([str(v) for v in values], dtype=object)


class FileLog:
    """What each file of a read gave (see the module docstring).

    Give one to :func:`serviceart.read` or :func:`serviceart.stream` as
    ``file_log=``; it is filled as the files are read.

    Examples
    --------
    >>> import serviceart as sa
    >>> from serviceart.ingest.files import FileLog
    >>> log = FileLog()
    >>> conv = sa.read("data/samples", file_log=log)
    >>> table = log.table(valid=conv.interactions["interaction_id"], rejects=conv.rejects)
    >>> for row in table.itertuples():
    ...     print(row.file, row.reader, row.status, row.interactions, row.scored)
    data/samples/README.md <NA> document 0 0
    data/samples/calls.csv turns read 5 5
    data/samples/chats.jsonl turns read 5 5
    data/samples/transcripts.txt text read 3 3
    """

    def __init__(self) -> None:
        self.entries: dict[str, FileEntry] = {}
        self._owner: dict[str, str] = {}
        self._clashes: dict[str, list[str]] = {}
        self._merged: set[tuple[str, str]] = set()

    def skip(self, path: Path, reason: str, *, document: bool = False) -> None:
        """List a file that no reader handles (``document``: one that documents the
        folder, such as a README, listed with the status ``document``)."""
        self.entries[str(path)] = FileEntry(str(path), status="document" if document
                                            else "skipped", reason=reason)

    def record(self, path: Path, reader: str | None, raw: RawFrames,
               unreadable: str | None = None) -> None:
        """Count a reader's frames for ``path`` (one call per piece of the file);
        ``unreadable`` is the reason when the file failed as a whole."""
        key = str(path)
        entry = self.entries.setdefault(key, FileEntry(key, reader))
        entry.reader = entry.reader or reader
        entry.turns += len(raw.turns) + len(raw.rejects)
        if unreadable is not None:
            entry.status, entry.reason = "unreadable", unreadable
        ids = _ids(raw).tolist()
        if not self._owner.keys() & set(ids):  # the common case: all new
            self._owner.update(dict.fromkeys(ids, key))
            return
        for iid in ids:
            first = self._owner.setdefault(iid, key)
            if first == key or (iid, key) in self._merged:
                continue
            self._merged.add((iid, key))
            entry.merged += 1
            if self.entries[first].reader != entry.reader:
                self._clashes.setdefault(iid, [first]).append(key)

    def clashes(self) -> dict[str, list[str]]:
        """Interaction ids named by files of different readers, with those files (the
        first is the one the interaction is counted in)."""
        return {iid: list(files) for iid, files in self._clashes.items()}

    @property
    def files(self) -> list[str]:
        """The files listed, sorted."""
        return sorted(self.entries)

    def owner(self, interaction_ids: pd.Series) -> pd.Series:
        """The file each interaction id belongs to (missing where none)."""
        return interaction_ids.astype(object).map(self._owner).astype("string")

    def attribute(self, rejects: pd.DataFrame) -> pd.DataFrame:
        """``rejects`` with each row's ``source`` set to its interaction's file where
        the row names no file read (rejects found when several files are validated
        together name the set, e.g. ``"3 files"``)."""
        if rejects.empty:
            return rejects
        source = rejects["source"].astype("string")
        stray = ~source.isin(list(self.entries))
        fill = self.owner(rejects["interaction_id"])
        if not (stray & fill.notna()).any():
            return rejects
        return rejects.assign(source=source.mask(stray & fill.notna(), fill))

    def table(self, *, valid: Iterable[str] = (), out_of_scope: Iterable[str] = (),
              rejects: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per file (see :data:`FILE_COLUMNS`), sorted by file.

        Parameters
        ----------
        valid
            The ids scored (or, for a read, valid).
        out_of_scope
            The ids read but out of scope (not scored).
        rejects
            The REJECTS table of the read or run: its rows are counted per file
            (by ``source``, else by interaction), and an interaction that is
            neither valid nor out of scope but has a reject is ``rejected``.

        Returns
        -------
        pandas.DataFrame
            ``interactions`` = ``scored`` + ``out_of_scope`` + ``rejected`` +
            ``unaccounted`` for each file; ``unaccounted`` is 0 unless an
            interaction was lost.
        """
        ids = np.fromiter(self._owner.keys(), dtype=object, count=len(self._owner))
        files = np.fromiter(self._owner.values(), dtype=object, count=len(self._owner))
        index = pd.Index(ids, dtype=object)  # object: a hash table lookup, not a scan
        is_valid = index.isin(_strings(valid))
        is_out = index.isin(_strings(out_of_scope)) & ~is_valid
        rejected_ids = np.array([], dtype=object)
        reject_rows = pd.Series(dtype="int64")
        if rejects is not None and len(rejects):
            attributed = self.attribute(rejects)
            rejected_ids = _strings(attributed["interaction_id"].dropna())
            reject_rows = attributed["source"].astype(object).value_counts()
        is_rejected = index.isin(rejected_ids) & ~is_valid & ~is_out
        per_id = pd.DataFrame({"file": files, "scored": is_valid,
                               "out_of_scope": is_out, "rejected": is_rejected,
                               "unaccounted": ~(is_valid | is_out | is_rejected)})
        sums = per_id.groupby("file").sum()
        sizes = per_id.groupby("file").size()
        rows = []
        for key in self.files:
            e = self.entries[key]
            rows.append({
                "file": key, "reader": e.reader, "status": e.status,
                "interactions": int(sizes.get(key, 0)), "turns": e.turns,
                "rejects": int(reject_rows.get(key, 0)),
                **{c: int(sums[c].get(key, 0)) if c in sums else 0
                   for c in ("scored", "out_of_scope", "rejected", "unaccounted")},
                "merged": e.merged, "reason": e.reason})
        table = pd.DataFrame(rows, columns=list(FILE_COLUMNS))
        return table.astype({"file": "string", "reader": "string", "status": "string",
                             "reason": "string"})
