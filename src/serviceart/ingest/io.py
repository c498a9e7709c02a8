"""``read()``: files or folders of exports to validated conversations."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, FormatError, InputError, ServiceartError
from ..readers import READERS, RawFrames, Reader
from ..readers.base import reject_rows
from ..readers.options import check_options, options_for
from ..rejects import RejectCode
from ..schema import TURNS
from .files import FileLog
from .model import Conversations, concat_rejects
from .roles import infer_roles as infer_speaker_roles
from .validate import non_scalar

__all__ = ["expand_paths", "read", "sniff", "stream"]

log = logging.getLogger(__name__)

_HEAD_BYTES = 8192


def _claimed(path: Path) -> bool:
    return any(path.suffix.lower() in cls.extensions for _, cls in READERS)


def expand_paths(paths: str | Path | Iterable[str | Path],
                 file_log: FileLog | None = None) -> list[Path]:
    """Files named, and the files inside folders named (sorted; hidden files are
    left out, and files no reader claims by extension are skipped with a
    warning and listed in ``file_log``).

    Symbolic links to folders are followed; a link back to a folder already
    being read (a cycle), a file reached twice through links and a broken link
    are skipped with a warning naming them. Documentation files (``README``,
    ``*.md``...) are skipped and listed without a warning.
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[Path] = []
    seen_files: dict[Path, Path] = {}
    for item in items:
        p = Path(item)
        if p.is_dir():
            for f in _walk(p):
                if f.name.startswith("."):
                    continue
                if not f.exists():
                    log.warning("skipping %s: a broken symbolic link (its target %s does not "
                                "exist)", f, os.readlink(f))
                elif not _claimed(f):
                    reason = f"no reader for {f.suffix or 'extension-less'} files"
                    log.log(logging.INFO if _documentation(f) else logging.WARNING,
                            "skipping %s: %s", f, reason)
                    if file_log is not None:
                        file_log.skip(f, reason, document=_documentation(f))
                elif (real := f.resolve()) in seen_files:
                    log.warning("skipping %s: the same file as %s (reached through a "
                                "symbolic link)", f, seen_files[real])
                else:
                    seen_files[real] = f
                    out.append(f)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or folder", source=str(p), code="SA-I017")
    if not out:
        raise InputError("no input files found", source=", ".join(map(str, items)), code="SA-I018")
    return out


#: files that document a folder of exports rather than hold one: skipped without a warning
_DOC_SUFFIXES = frozenset({".md", ".rst", ".adoc"})
_DOC_STEMS = frozenset({"readme", "license", "licence", "notice", "changelog", "copying"})


def _documentation(path: Path) -> bool:
    return path.suffix.lower() in _DOC_SUFFIXES or path.stem.lower() in _DOC_STEMS


def _walk(root: Path) -> list[Path]:
    """Every entry under ``root`` that is not a folder, sorted by path, following
    links to folders but entering each real folder once (so a link cycle ends)."""
    found: list[Path] = []
    visited = {root.resolve()}
    for top, dirs, files in os.walk(root, followlinks=True):
        here = Path(top)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            sub = here / d
            real = sub.resolve()
            if real in visited:
                log.warning("skipping %s: it leads to %s, which is read already (a "
                            "symbolic link cycle or a second link to one folder)", sub, real)
                continue
            visited.add(real)
            keep.append(d)
        dirs[:] = keep
        found.extend(here / f for f in files)
    return sorted(found)


def sniff(path: str | Path) -> str:
    """The name of the reader most likely to read ``path``.

    Raises
    ------
    FormatError
        When no reader recognises the file; the message lists the readers.

    Examples
    --------
    >>> sniff("data/samples/chats.jsonl"), sniff("data/samples/transcripts.txt")
    ('turns', 'text')
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", source=str(p), code="SA-I019") from exc
    scored = sorted(((cls.sniff(p, head), name) for name, cls in READERS), reverse=True)
    best_score, best = scored[0]
    if best_score < 0.25:
        raise FormatError(
            f"cannot tell the format; pass format= one of {READERS.names()}", source=str(p),
            code="SA-F001")
    return best


def read(
    paths: str | Path | Iterable[str | Path],
    format: str | None = None,
    *,
    infer_roles: bool = True,
    file_log: FileLog | None = None,
    **options: Any,
) -> Conversations:
    """Read export files into validated :class:`Conversations`.

    Parameters
    ----------
    paths
        A file, a folder, or a list of them.
    format
        A reader name (see :func:`serviceart.list_readers`); sniffed per file when
        ``None``.
    infer_roles
        For readers whose labels may be names (``text``, ``vtt``, ``srt``): where
        every turn of an interaction is labelled with a name instead of a role,
        infer the agent (see :mod:`serviceart.ingest.roles`: from ``agent_ids=``,
        ``agent_domains=``, else from the cues and openings naming the company,
        ``company=``), mark the interaction ``roles_inferred`` with its
        ``role_basis`` and warn when confidence is low. ``False`` leaves such
        turns to be rejected as ``unknown_role``.
    file_log
        Filled with what each file gave: its reader, turns and interactions, or
        why it was skipped or unreadable (see :mod:`serviceart.ingest.files`).
    **options
        Reader options, e.g. ``columns={...}``, ``roles={...}``: the keyword
        parameters of the reader classes (:meth:`Reader.option_names
        <serviceart.readers.Reader.option_names>`). When the format is sniffed per
        file, an option is accepted when a reader takes it, and each file's
        reader is given the options it takes.

    Returns
    -------
    Conversations
        Valid turns and interactions, and every rejected record with its reason.

    Raises
    ------
    ConfigError
        Before any file is read, for an option that the reader named by
        ``format`` does not take or, when the format is sniffed, that no reader
        takes; the message names the closest spelling and the options of the
        readers in play.
    FormatError
        When the one file named cannot be read at all (its format cannot be
        sniffed, it is empty or truncated, none of its columns maps to the
        required ``interaction_id``, ``role`` and ``text``...). When a folder or
        several files are read, such a file becomes one ``file_unreadable``
        reject naming it and saying what went wrong (so does a file whose
        content the options cannot read, e.g. email without ``agent_domains=``),
        and the other files are read; the rejects found when the files are
        validated together name the file of their interaction.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples")
    >>> len(conv), len(conv.rejects)
    (13, 0)
    """
    file_log = FileLog() if file_log is None else file_log
    files = expand_paths(paths, file_log)
    readers = _readers_of(files, format, options)
    alone = _one_file(paths, files)
    parts: list[RawFrames] = []
    for f, name in zip(files, readers, strict=True):
        try:
            raw = _checked(_reader(name, options).load(f), f)
        except Exception as exc:  # the file's failure; _unreadable re-raises the rest
            parts.append(_unreadable(f, exc, alone, file_log=file_log, reader=name))
        else:
            file_log.record(f, str(name), raw)
            parts.append(raw)
    source = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    _warn_clashes(file_log)
    return _attributed(_build(parts, source, infer_roles, _role_options(options)), file_log)


def _warn_clashes(file_log: FileLog) -> None:
    """Warn when files of different readers name the same interaction id: their turns
    are read as one interaction."""
    clashes = file_log.clashes()
    if clashes:
        shown = "; ".join(f"{iid!r} in {', '.join(files)}"
                          for iid, files in list(clashes.items())[:3])
        log.warning("%d interaction id(s) are named by files of different formats, and "
                    "each was read as one interaction: %s%s; read such files separately "
                    "(or give their ids a prefix) if they are different contacts",
                    len(clashes), shown, " ..." if len(clashes) > 3 else "")


def _attributed(conv: Conversations, file_log: FileLog) -> Conversations:
    """``conv`` with its rejects naming the file of their interaction where they name
    the set of files validated together (see :meth:`FileLog.attribute`)."""
    rejects = file_log.attribute(conv.rejects)
    if rejects is conv.rejects:
        return conv
    c = conv.counts
    return Conversations(conv.turns, conv.interactions, rejects,
                         interactions_in=c["interactions_in"], turns_in=c["turns_in"])


def _checked(raw: RawFrames, path: Path) -> RawFrames:
    """A reader's frames, refused as a whole when the turns lack a required column
    (a table whose columns map to none of ours is the file's problem, not one
    ``missing_id`` reject per row)."""
    missing = [c for c in TURNS.required if c not in raw.turns.columns]
    if missing and len(raw.turns):  # no rows: the reader's rejects say why
        have = [str(c) for c in raw.turns.columns if c not in ("record", "source")]
        raise FormatError(
            f"no column of the file is read as {', '.join(missing)} (its columns are "
            f"{have}); name them with columns={{'your_column': '{missing[0]}', ...}}",
            source=str(path), field=missing[0], code="SA-F150")
    return raw


def _readers_of(files: list[Path], format: str | None,
                options: Mapping[str, Any]) -> list[str | Exception]:
    """The reader name for each file, after checking ``options``
    (:func:`~serviceart.readers.options.check_options`).

    With ``format`` every file has that reader; else each is sniffed, and a file
    whose format cannot be told gets the error instead, raised when it is read
    (see :func:`_unreadable`).
    """
    if format is not None:
        READERS.get(format)
        check_options(options, [format], chosen=True)
        return [format] * len(files)
    names: list[str | Exception] = []
    for f in files:
        try:
            names.append(sniff(f))
        except Exception as exc:  # the file's failure, raised again when it is read
            names.append(exc)
    check_options(options, [n for n in names if isinstance(n, str)])
    return names


def _reader(name: str | Exception, options: Mapping[str, Any]) -> Reader:
    """The reader of one file with the options it takes (or the file's sniffing error)."""
    if isinstance(name, Exception):
        raise name
    cls = READERS.get(name)
    return cls(**options_for(cls, options))


_ROLE_OPTIONS = ("agent_ids", "agent_domains", "company")


def _role_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The reader options that are also evidence for role inference."""
    return {k: options[k] for k in _ROLE_OPTIONS if options.get(k) is not None}


def _build(parts: list[RawFrames], source: str, infer_roles: bool,
           role_options: dict[str, Any] | None = None) -> Conversations:
    """Validated conversations from raw frames of one or more files."""
    if infer_roles:
        for p in parts:
            if p.labels_as_roles:
                p.turns = infer_speaker_roles(p.turns, **(role_options or {}))
    turns = pd.concat([p.turns for p in parts], ignore_index=True) if len(parts) > 1 \
        else parts[0].turns
    given = [p.interactions for p in parts if p.interactions is not None]
    interactions = pd.concat(given, ignore_index=True) if given else None
    rejects = concat_rejects(p.rejects for p in parts)
    # readers apply roles={...} themselves (label and name mappings differ by format)
    turn_columns = tuple(dict.fromkeys(c for p in parts for c in p.turn_columns))
    return Conversations.from_frames(turns, interactions, source=source, rejects=rejects,
                                     turn_columns=turn_columns)


def _one_file(paths: str | Path | Iterable[str | Path], files: list[Path]) -> bool:
    """Whether the caller named exactly one file (not a folder): its failure is an error."""
    return len(files) == 1 and isinstance(paths, (str, Path)) and Path(paths).is_file()


def _unreadable(path: Path, exc: Exception, alone: bool, after: str = "", *,
                file_log: FileLog | None = None,
                reader: str | Exception | None = None) -> RawFrames:
    """A file that failed as a whole, as one ``file_unreadable`` reject (listed in
    ``file_log`` as unreadable, with its reason).

    Errors about the options (:class:`ConfigError`, :class:`RegistryError`),
    warnings turned into errors and ``MemoryError`` are raised again: they are
    not the file's fault, or not safe to go on from. A :class:`ConfigError`
    naming this file as its source is the file's: its content is what the
    options cannot read (email without ``agent_domains=``, a table without a
    role column). When the caller named only this file (``alone``), a
    serviceart error is raised as it is, and any other failure as a
    :class:`FormatError` naming the file.
    """
    file_level = isinstance(exc, ConfigError) and exc.source == str(path)
    if isinstance(exc, (Warning, MemoryError)) or (
            isinstance(exc, ServiceartError) and not isinstance(exc, InputError)
            and not file_level):
        raise exc
    if isinstance(exc, ServiceartError):
        reason = exc.message
    else:
        reason = (f"reading failed unexpectedly ({type(exc).__name__}: {exc}); check that "
                  "the file is a complete export in a supported format, or pass format=")
    if alone:
        if isinstance(exc, ServiceartError):
            raise exc
        raise FormatError(reason, source=str(path), code="SA-F002") from exc
    log.warning("%s: cannot be read%s: %s", path, after, reason)
    raw = RawFrames(
        turns=pd.DataFrame({c: pd.Series(dtype="string")
                            for c in ("interaction_id", "role", "text", "source", "record")}),
        rejects=reject_rows([{"source": str(path), "code": RejectCode.FILE_UNREADABLE,
                              "reason": f"the file cannot be read{after}: {reason}; fix or "
                                        "re-export it and read it again"}]))
    if file_log is not None:
        file_log.record(path, reader if isinstance(reader, str) else None, raw,
                        unreadable=f"{reason}{after}")
    return raw


def _n_interactions(raw: RawFrames) -> int:
    if "interaction_id" not in raw.turns.columns:
        return 0
    ids = raw.turns["interaction_id"]
    return int(ids[~non_scalar(ids)].nunique())  # a list as id is rejected, not counted


def stream(
    paths: str | Path | Iterable[str | Path],
    format: str | None = None,
    *,
    chunk_size: int = 1000,
    infer_roles: bool = True,
    file_log: FileLog | None = None,
    **options: Any,
) -> Iterator[Conversations]:
    """Read export files as a sequence of validated chunks, in bounded memory.

    The streaming counterpart of :func:`read`: readers hand over their files in
    pieces of whole interactions (see :meth:`~serviceart.readers.Reader.iter_load`),
    small one-interaction files are grouped, and each chunk of about
    ``chunk_size`` interactions is validated on its own. Concatenating the chunks
    gives what :func:`read` gives, with two documented exceptions:

    - formats whose interactions continue across files (``eml``: a thread spread
      over several messages) are read together after the other files, so the
      memory they need grows with that part of the input (use ``mbox`` for bulk
      mail);
    - an interaction whose rows continue in a later file after its chunk was
      handed on cannot be merged any more: those later rows are rejected with
      code ``split_interaction`` naming the file (read such inputs with
      :func:`read`, or sort the export by interaction).

    Parameters
    ----------
    paths, format, infer_roles, file_log, **options
        As for :func:`read`.
    chunk_size
        About how many interactions each chunk holds.

    Yields
    ------
    Conversations
        Chunks in input order; every input interaction is in exactly one
        chunk's ``interactions`` or ``rejects``.

    Raises
    ------
    ConfigError
        At the call, before any file is read: a ``chunk_size`` below 1, or an
        unknown option (as for :func:`read`).

    Examples
    --------
    >>> import serviceart as sa
    >>> [len(c) for c in sa.stream("data/samples/calls.csv", chunk_size=2)]
    [2, 2, 1]
    """
    if chunk_size < 1:
        raise ConfigError(f"chunk_size must be >= 1, got {chunk_size}", field="chunk_size",
                          code="SA-C067")
    file_log = FileLog() if file_log is None else file_log
    files = expand_paths(paths, file_log)
    readers = _readers_of(files, format, options)
    return _chunks(files, readers, _one_file(paths, files), chunk_size, infer_roles, options,
                   file_log)


def _chunks(files: list[Path], readers: list[str | Exception], alone: bool, chunk_size: int,
            infer_roles: bool, options: Mapping[str, Any],
            file_log: FileLog) -> Iterator[Conversations]:
    """The chunks :func:`stream` yields, from files whose readers are decided."""
    seen: set[str] = set()
    buffer: list[RawFrames] = []
    together: list[tuple[Path, Reader]] = []

    count = [0]  # interactions in the buffer

    def flush() -> Iterator[Conversations]:
        count[0] = 0
        if buffer:
            parts = [_drop_seen(p, seen) for p in buffer]
            buffer.clear()
            names = {str(p.turns["source"].iloc[0]) for p in parts
                     if "source" in p.turns.columns and len(p.turns)}
            conv = _attributed(_build(parts, names.pop() if len(names) == 1
                                      else f"{len(names)} files",
                                      infer_roles, _role_options(options)), file_log)
            seen.update(conv.interactions["interaction_id"].astype(str))
            yield conv

    for f, name in zip(files, readers, strict=True):
        for raw in _iter_file(f, name, chunk_size, options, alone, together, file_log):
            n = _n_interactions(raw)
            if buffer and count[0] + n > chunk_size:
                yield from flush()
            buffer.append(raw)
            count[0] += n
            if count[0] >= chunk_size:
                yield from flush()
    yield from flush()
    if together:
        for f, reader in together:
            try:
                raw = _checked(reader.load(f), f)
            except Exception as exc:  # see _unreadable
                buffer.append(_unreadable(f, exc, alone, file_log=file_log, reader=reader.name))
            else:
                file_log.record(f, reader.name, raw)
                buffer.append(raw)
        parts = [_drop_seen(p, seen) for p in buffer]
        buffer.clear()
        conv = _attributed(_build(parts, f"{len(together)} files", infer_roles,
                                  _role_options(options)), file_log)
        yield from conv.iter_cases(chunk_size)
    _warn_clashes(file_log)


def _iter_file(path: Path, name: str | Exception, chunk_size: int,
               options: Mapping[str, Any], alone: bool,
               together: list[tuple[Path, Reader]], file_log: FileLog) -> Iterator[RawFrames]:
    """The raw pieces of one file for :func:`stream`; a failure ends the file with a
    ``file_unreadable`` reject (see :func:`_unreadable`). Files of formats whose
    interactions continue across files are put in ``together`` instead."""
    pieces = 0
    try:
        reader = _reader(name, options)
        if reader.threads_across_files:
            together.append((path, reader))
            return
        for raw in reader.iter_load(path, chunk_size):
            _checked(raw, path)
            pieces += 1
            file_log.record(path, str(name), raw)
            yield raw
    except Exception as exc:  # see _unreadable
        after = f" after its first {pieces} piece(s) were read" if pieces else ""
        yield _unreadable(path, exc, alone, after, file_log=file_log, reader=name)


def _drop_seen(raw: RawFrames, seen: set[str]) -> RawFrames:
    """Move rows of interactions already handed on into ``split_interaction`` rejects."""
    if not seen or "interaction_id" not in raw.turns.columns:
        return raw
    ids = raw.turns["interaction_id"]
    late = ids.notna() & _in(ids, seen)
    if not late.any():
        return raw
    turns = raw.turns[late]
    rows = [{"source": str(r.get("source", "")), "record": r.get("record"),
             "interaction_id": str(r["interaction_id"]), "field": "interaction_id",
             "code": RejectCode.SPLIT_INTERACTION,
             "reason": f"interaction {r['interaction_id']!r} continues here after its chunk "
                       "was already handed on; read these files with read() or sort the "
                       "export by interaction"}
            for r in turns.to_dict("records")]
    kept = raw.interactions
    if kept is not None and "interaction_id" in kept.columns:
        kept = kept[~_in(kept["interaction_id"], seen)]
    return RawFrames(turns=raw.turns[~late], interactions=kept,
                     rejects=concat_rejects([raw.rejects, reject_rows(rows)]),
                     turn_columns=raw.turn_columns, labels_as_roles=raw.labels_as_roles)


def _in(ids: pd.Series, seen: set[str]) -> pd.Series:
    """Which ids (as strings) are in ``seen``: a set lookup per row, so the cost
    follows the chunk, not everything read so far (``Series.isin`` would copy the
    whole set each time)."""
    values = ids.astype(str).tolist()
    return pd.Series([v in seen for v in values], index=ids.index, dtype=bool)
