"""The reader contract and registry.

A reader turns one file into raw frames (turns, optional interactions, rejects)
with ``source`` and ``record`` provenance on every turn. It collects bad records
into rejects and keeps going; only a file that cannot be read at all raises
:class:`~serviceart.errors.FormatError`.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..registry import Registry
from ..schema import REJECTS, conform, empty

__all__ = ["READERS", "Names", "RawFrames", "Reader", "register_reader", "reject_rows"]

#: a reader option naming one thing or several (``"acme.com"`` or ``["acme.com", ...]``)
Names = str | Iterable[str]


@dataclass
class RawFrames:
    """What a reader returns for one file, before validation."""

    turns: pd.DataFrame
    interactions: pd.DataFrame | None = None
    rejects: pd.DataFrame = field(default_factory=lambda: empty(REJECTS))
    #: extra turn columns that stay on turns even when constant within an interaction
    turn_columns: tuple[str, ...] = ()
    #: the role column may hold speaker names (``Dana:``) whose roles can be inferred
    labels_as_roles: bool = False


def reject_rows(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A REJECTS table from a list of dicts (missing keys are left empty)."""
    if not rows:
        return empty(REJECTS)
    return conform(pd.DataFrame.from_records(list(rows)), REJECTS)


class Reader(ABC):
    """Base class of readers.

    Subclasses set ``name`` and ``extensions``, define :meth:`sniff` and
    :meth:`load`, and declare their options as typed keyword-only parameters of
    their ``__init__``, which hands them all to this one (defaults included).
    :func:`serviceart.read` gives a reader only the options it declares, and
    rejects before reading an option that no reader declares, or with
    ``format=`` one that reader does not (see :meth:`option_names`).

    Parameters
    ----------
    **options
        The reader's options, as its ``__init__`` declares them.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **options: Any) -> None:
        #: every declared option: the value given, else its default
        self.options: dict[str, Any] = options

    @classmethod
    def option_names(cls) -> frozenset[str] | None:
        """The options the reader declares: the keyword-only parameters of its
        ``__init__``; ``None`` when that takes any keyword (``**options``), as the
        base class does, so that no option can be judged unknown to it.

        Examples
        --------
        >>> from serviceart.readers import TurnsReader
        >>> sorted(TurnsReader.option_names())
        ['columns', 'encoding', 'roles', 'sheet']
        """
        return _declared_options(cls)

    @classmethod
    @abstractmethod
    def sniff(cls, path: Path, head: str) -> float:
        """How likely (0..1) the file is in this format, from its name and first bytes."""

    #: interactions of this format may continue in other files (e.g. an email thread
    #: spread over ``.eml`` files): streaming reads all such files of one run together
    threads_across_files: ClassVar[bool] = False

    @abstractmethod
    def load(self, path: Path) -> RawFrames:
        """Read one file into raw frames."""

    def iter_load(self, path: Path, chunk_size: int = 1000) -> Iterator[RawFrames]:
        """Read one file as a sequence of raw frames, in bounded memory.

        Each item holds whole interactions (about ``chunk_size`` of them; never
        an interaction split across two items) with their rejects. The default
        yields :meth:`load` once, which suits one-interaction-per-file formats;
        readers of files holding many interactions override it so that a
        multi-gigabyte export is never loaded at once.

        Parameters
        ----------
        path
            The file.
        chunk_size
            About how many interactions each item holds.
        """
        yield self.load(path)


@functools.cache
def _declared_options(cls: type[Reader]) -> frozenset[str] | None:
    params = inspect.signature(cls).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    by_name = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return frozenset(p.name for p in params if p.kind in by_name)


READERS: Registry[type[Reader]] = Registry("reader")


def register_reader(cls: type[Reader]) -> type[Reader]:
    """Class decorator registering a reader under its ``name``."""
    return READERS.register(cls.name)(cls)
