"""``read()``: files or folders of exports to validated conversations."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import FormatError, InputError
from .model import Conversations, concat_rejects
from .readers import READERS, RawFrames, Reader
from .roles import infer_roles as infer_speaker_roles

__all__ = ["expand_paths", "read", "sniff"]

log = logging.getLogger(__name__)

_HEAD_BYTES = 8192


def _claimed(path: Path) -> bool:
    return any(path.suffix.lower() in cls.extensions for _, cls in READERS)


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files named, and the files inside folders named (sorted; hidden files and
    files no reader claims by extension are skipped, with a log message)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.parts[-1:]):
                    if _claimed(f):
                        out.append(f)
                    else:
                        log.info("skipping %s: no reader for %s files", f, f.suffix or "such")
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or folder", source=str(p))
    if not out:
        raise InputError("no input files found", source=", ".join(map(str, items)))
    return out


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
        raise InputError(f"cannot open: {exc.strerror}", source=str(p)) from exc
    scored = sorted(((cls.sniff(p, head), name) for name, cls in READERS), reverse=True)
    best_score, best = scored[0]
    if best_score < 0.25:
        raise FormatError(
            f"cannot tell the format; pass format= one of {READERS.names()}", source=str(p))
    return best


def read(
    paths: str | Path | Iterable[str | Path],
    format: str | None = None,
    *,
    infer_roles: bool = True,
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
        infer the agent from the cues (see :mod:`serviceart.roles`), mark the
        interaction ``roles_inferred`` and warn when confidence is low. ``False``
        leaves such turns to be rejected as ``unknown_role``.
    **options
        Reader options, e.g. ``columns={...}``, ``roles={...}``.

    Returns
    -------
    Conversations
        Valid turns and interactions, and every rejected record with its reason.

    Raises
    ------
    FormatError
        When a file's format cannot be sniffed or the file cannot be read at all.

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples")
    >>> len(conv), len(conv.rejects)
    (13, 0)
    """
    files = expand_paths(paths)
    if format is not None:
        READERS.get(format)
    parts: list[RawFrames] = []
    for f in files:
        name = format or sniff(f)
        reader: Reader = READERS.get(name)(**options)
        parts.append(reader.load(f))
    if infer_roles:
        for p in parts:
            if p.labels_as_roles:
                p.turns = infer_speaker_roles(p.turns)
    turns = pd.concat([p.turns for p in parts], ignore_index=True) if len(parts) > 1 \
        else parts[0].turns
    given = [p.interactions for p in parts if p.interactions is not None]
    interactions = pd.concat(given, ignore_index=True) if given else None
    rejects = concat_rejects(p.rejects for p in parts)
    source = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    # readers apply roles={...} themselves (label and name mappings differ by format)
    turn_columns = tuple(dict.fromkeys(c for p in parts for c in p.turn_columns))
    return Conversations.from_frames(turns, interactions, source=source, rejects=rejects,
                                     turn_columns=turn_columns)
