"""The batch run folder's safety: one run at a time, write errors that say what to do,
part markers that prove their files, and tables checked against the markers.

A part's marker (``parts/part-NNNNN.json``) records the rows and the sha256 of
each of the part's files. A rerun keeps only the parts whose marker reads and
whose files match it (:func:`verified_parts`); the others are scored again. At
the end of a run :func:`check_tables` compares the tables with the markers and
the input (Parquet metadata and the ``interaction_id`` columns only), so a run
never reports counts its tables do not hold.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..errors import OutputError
from ..rejects import RejectCode
from .pool import process_alive

__all__ = ["LOCK_NAME", "PartCheck", "check_tables", "clean_stale_spills", "file_sha256",
           "is_regular", "is_regular_inside", "lock_folder", "output_error", "spill_prefix",
           "verified_parts", "writing"]

#: the lock file a run holds in its output folder (``fcntl.flock``)
LOCK_NAME = ".serviceart.lock"

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_DENIED = {errno.EROFS, errno.EACCES, errno.EPERM}


def output_error(exc: OSError, path: str | Path) -> OutputError:
    """An :class:`OutputError` for an ``OSError`` met writing ``path``, saying what to do."""
    text = exc.strerror or str(exc)
    code = exc.errno
    if code in _FULL or "No space left" in text or "Disk quota" in text:
        todo = ("the disk is full: free some space (or choose an --output folder on another "
                "disk), then run the same command again to resume")
    elif code in _DENIED or "Read-only file system" in text or "Permission denied" in text:
        todo = ("the folder cannot be written here (read-only or not yours): choose a "
                "writable --output folder or fix its permissions, then run the command again")
    else:
        todo = "check the output folder, then run the same command again to resume"
    return OutputError(f"cannot write: {text}; {todo}", source=str(path), code="SA-O001")


@contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside into an :class:`OutputError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise output_error(exc, path) from exc


def lock_folder(out: Path) -> IO[str] | None:
    """Hold ``out``'s lock file for this run (released when the file is closed or the
    process ends, however it ends).

    Returns
    -------
    file or None
        The open lock file (keep it open for the run); ``None`` where the platform has
        no ``fcntl`` (no lock is taken there).

    Raises
    ------
    OutputError
        When another run holds the lock, or the lock file cannot be written.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind
        return None
    path = out / LOCK_NAME
    with writing(path):
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (kept open: the lock)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OutputError(f"another serviceart run (process {holder}) is writing this "
                              "output folder; wait for it to finish, or choose another "
                              "--output folder", source=str(out), code="SA-O002") from exc
        raise output_error(exc, path) from exc
    with writing(path):
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
    return handle


def spill_prefix(out: Path) -> str:
    """The name every spill folder of ``out`` starts with (``.<out>.spill-<pid>``)."""
    return f".{out.name}.spill-"


def clean_stale_spills(out: Path) -> list[Path]:
    """Remove the spill folders of ``out`` left by runs that were killed (their process
    is gone); returns what was removed. Call it holding ``out``'s lock."""
    parent = out.resolve().parent
    prefix = spill_prefix(out)
    removed = []
    for folder in parent.glob(f"{prefix}*"):
        pid = folder.name[len(prefix):]
        if not pid.isdigit() or int(pid) == os.getpid() or process_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_regular(path: Path) -> bool:
    """Whether ``path`` is a regular file (after symlinks): not a FIFO or a device,
    which could block a reader or never end. Never blocks."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_regular_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is a regular file (after symlinks) inside ``folder``: never a
    FIFO, a device or a file elsewhere. Never blocks."""
    try:
        real = path.resolve()
        if not real.is_relative_to(folder.resolve()):
            return False
        return stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, RuntimeError, ValueError):
        return False


def _part_file(out: Path, table: str, index: int) -> Path:
    return out / table / f"part-{index:05d}.parquet"


def _marker_ok(out: Path, marker: Any, index: int) -> bool:
    """Whether a marker is whole and every file it names matches its checksum."""
    if not isinstance(marker, dict) or marker.get("part") != index:
        return False
    sums, rows = marker.get("sha256"), marker.get("rows")
    if not isinstance(sums, dict) or not isinstance(rows, dict) or set(sums) != set(rows):
        return False
    for table, digest in sums.items():
        path = _part_file(out, str(table), index)
        if not is_regular_inside(path, out) or file_sha256(path) != digest:
            return False
    return True


@dataclass
class PartCheck:
    """What :func:`verified_parts` found in a run folder."""

    #: the markers of the parts kept, by part number
    done: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: parts dropped because their marker was unreadable or their files missing or changed
    repaired: list[int] = field(default_factory=list)
    #: failed parts dropped to be tried again
    retried: list[int] = field(default_factory=list)


def verified_parts(out: Path, *, retry_failed: bool = True) -> PartCheck:
    """The parts of ``out`` that are complete and intact; the others lose their marker
    (and are scored again by the run).

    A part is kept when its marker reads as JSON, names its files' rows and
    checksums, and every file is there, a regular file, with that checksum. A
    part that failed to score is dropped too when ``retry_failed``.
    """
    check = PartCheck()
    for path in sorted((out / "parts").glob("part-*.json")):
        try:
            index = int(path.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        try:
            marker = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            marker = None
        if not _marker_ok(out, marker, index):
            check.repaired.append(index)
        elif retry_failed and marker.get("failed"):
            check.retried.append(index)
        else:
            check.done[index] = marker
            continue
        with writing(path):
            path.unlink(missing_ok=True)
    return check


def _ids(out: Path, table: str, parts: list[int], columns: list[str]) -> pd.DataFrame:
    """Some columns of a table's part files, with the ``part`` each row is in."""
    frames = [pd.read_parquet(_part_file(out, table, i), columns=columns).assign(part=i)
              for i in parts]
    return (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame({**{c: pd.Series(dtype="string") for c in columns},
                               "part": pd.Series(dtype="int64")}))


def check_tables(out: Path, markers: Mapping[int, Mapping[str, Any]], parts: int,
                 valid_ids: pd.Index, read_rejected: int) -> tuple[int, int]:
    """Check the tables of a finished run against its markers and its input.

    Every part ``0..parts-1`` must have a marker; each table folder must hold
    exactly the markers' files with the rows the markers record (Parquet
    metadata); every valid input interaction must be in exactly one part's
    ``scores`` or ``scoring_failed`` rejects, and nothing else may be there.

    Returns
    -------
    tuple of int
        Interactions scored and rejected (``read_rejected`` plus the failed parts').

    Raises
    ------
    OutputError
        Naming what does not match. The markers of the parts concerned are
        removed, so that running the same command again scores them anew.
    """
    import pyarrow.parquet as pq

    problems: list[str] = []
    bad: set[int] = set()
    missing = sorted(set(range(parts)) - set(markers))
    if missing:
        problems.append(f"parts without a marker: {missing[:10]}")
    tables = sorted({str(t) for m in markers.values() for t in m.get("rows", {})})
    for table in tables:
        expected = {f"part-{i:05d}.parquet" for i in markers}
        present = {p.name for p in (out / table).glob("*.parquet")} - {"read.parquet"}
        if present - expected:
            problems.append(f"{table}: files no marker accounts for: "
                            f"{sorted(present - expected)[:5]}")
        for index, marker in markers.items():
            path = _part_file(out, table, index)
            try:
                rows = pq.ParquetFile(path).metadata.num_rows
            except Exception:  # missing, unreadable or not Parquet
                rows = -1
            if rows != marker["rows"].get(table):
                problems.append(f"{path.relative_to(out)} holds {rows} rows, its marker "
                                f"says {marker['rows'].get(table)}")
                bad.add(index)
    if problems:
        _drop(out, bad)
        raise OutputError("the run folder does not match its part markers: "
                          + "; ".join(problems[:5]) + "; run the same command again to "
                          "score the parts concerned anew", source=str(out), code="SA-O003")
    ok = sorted(markers)
    scores = _ids(out, "scores", ok, ["interaction_id"])
    rejects = _ids(out, "rejects", ok, ["interaction_id", "code"])
    failed = rejects[rejects["code"] == RejectCode.SCORING_FAILED].drop_duplicates(
        ["part", "interaction_id"])
    found = pd.concat([scores["interaction_id"].astype(str),
                       failed["interaction_id"].astype(str)], ignore_index=True)
    twice = found[found.duplicated()].unique().tolist()
    valid = pd.Index(valid_ids.astype(str))
    lost = valid.difference(pd.Index(found)).tolist()
    extra = pd.Index(found).difference(valid).unique().tolist()
    held = (scores["part"].value_counts().add(failed["part"].value_counts(), fill_value=0)
            .reindex(ok, fill_value=0).astype(int))
    for index in ok:
        if int(held[index]) != int(markers[index]["interactions"]):
            problems.append(f"part {index} holds {int(held[index])} interactions, its "
                            f"marker says {markers[index]['interactions']}")
            bad.add(index)
    if twice:
        problems.append(f"{len(twice)} interactions are in the tables twice "
                        f"(e.g. {twice[:3]})")
    if lost:
        problems.append(f"{len(lost)} input interactions are in no table (e.g. {lost[:3]})")
    if extra:
        problems.append(f"{len(extra)} interactions in the tables are not in the input "
                        f"(e.g. {extra[:3]})")
    if problems:
        _drop(out, bad)
        raise OutputError("the run's tables do not hold exactly its input: "
                          + "; ".join(problems[:5]) + "; run the same command again to "
                          "score the parts concerned anew (or use a new --output folder)",
                          source=str(out), code="SA-O004")
    return len(scores), read_rejected + len(failed)


def _drop(out: Path, parts: set[int]) -> None:
    """Remove the markers of ``parts``, so that the next run scores them again."""
    for index in parts:
        path = out / "parts" / f"part-{index:05d}.json"
        with writing(path):
            path.unlink(missing_ok=True)
