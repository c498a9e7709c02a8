"""Exceptions raised by serviceart.

Every error the library raises on purpose derives from :class:`ServiceartError`,
carries a stable ``code`` and says what to do. Errors from third-party libraries
(pandas, pyarrow, spaCy) are wrapped with ``raise ... from`` so that callers can
catch one tree::

    ServiceartError
    ├── InputError          unusable input: a file, a record or a field
    │   ├── FormatError     the format cannot be read or sniffed
    │   └── SchemaError     a table lacks required columns or has wrong types
    ├── ConfigError         bad options, rubric or pattern files
    │   └── RubricError     a rubric file or expression is invalid
    ├── OutputError         an output folder cannot be written (full, read-only, in use)
    └── RegistryError       an unknown reader, scorer or rubric name

All exceptions pickle, so that worker processes can send them back.

Every message has its own stable code, ``SA-`` then a family letter and three
digits (``[SA-C025] unknown time zone ...``). The letter is the family: ``I``
input, ``F`` format, ``S`` schema, ``C`` config, ``R`` rubric, ``O`` output,
``G`` registry, ``E`` the test kit's checks. The catalogue of codes (class, what
happened, what to do) is the data file ``data/errors.toml``, read by
:func:`catalogue`; ``docs/errors.md`` is generated from it. A code, once given,
is never reused for another message.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CatalogueEntry",
    "ConfigError",
    "FormatError",
    "InputError",
    "OutputError",
    "RegistryError",
    "RubricError",
    "SchemaError",
    "ServiceartError",
    "catalogue",
]


class ServiceartError(Exception):
    """Base class of every serviceart error.

    Parameters
    ----------
    message
        What went wrong and what to do about it.
    code
        The message's stable code from the catalogue (``"SA-C025"``...), shown
        in brackets before the message. Raises not yet in the catalogue get
        their class's ``default_code`` (``"E-CONFIG"``...).
    source
        The file (or frame) concerned, when there is one.
    record
        The record inside it (line, row, JSON path), when there is one.
    field
        The field concerned, when there is one.
    """

    default_code = "E-SERVICEART"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        source: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.code = code or self.default_code
        self.source = source
        self.record = record
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = [
            f"{label} {value}"
            for label, value in (("file", self.source), ("record", self.record),
                                 ("field", self.field))
            if value is not None
        ]
        prefix = f"[{self.code}] "
        return prefix + (f"{', '.join(where)}: " if where else "") + self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (type(self), self.message, self.code, self.source, self.record, self.field),
        )


def _rebuild(
    cls: type[ServiceartError],
    message: str,
    code: str,
    source: str | None,
    record: str | None,
    field: str | None,
) -> ServiceartError:
    return cls(message, code=code, source=source, record=record, field=field)


class InputError(ServiceartError):
    """The input cannot be used as given (a file, a record or a field)."""

    default_code = "E-INPUT"


class FormatError(InputError):
    """A file's format is unknown, cannot be sniffed, or is malformed as a whole."""

    default_code = "E-FORMAT"


class SchemaError(InputError):
    """A table lacks required columns or has columns of the wrong type."""

    default_code = "E-SCHEMA"


class ConfigError(ServiceartError):
    """An option, a pattern file or a configuration value is invalid."""

    default_code = "E-CONFIG"


class RubricError(ConfigError):
    """A rubric file or one of its expressions is invalid."""

    default_code = "E-RUBRIC"


class RegistryError(ServiceartError):
    """An unknown reader, scorer or rubric name was asked for."""

    default_code = "E-REGISTRY"


class OutputError(ServiceartError):
    """An output folder or file cannot be written: the disk is full, the folder is
    read-only or not ours, or another run is writing it."""

    default_code = "E-OUTPUT"


@dataclass(frozen=True)
class CatalogueEntry:
    """One error of the catalogue.

    Attributes
    ----------
    code
        The stable code, e.g. ``"SA-C025"``.
    cls
        The name of the exception class raised with this code.
    title
        What happened, in one line.
    todo
        What to do about it.
    retired
        The message is no longer raised; its code stays taken.
    """

    code: str
    cls: str
    title: str
    todo: str
    retired: bool = False


@functools.cache
def _catalogue_file() -> dict[str, Any]:
    # imported here: every module imports errors.py, and only docs and tests read the file
    from importlib import resources

    import tomllib

    text = resources.files("serviceart").joinpath("data/errors.toml").read_text("utf-8")
    return tomllib.loads(text)


def catalogue() -> Mapping[str, CatalogueEntry]:
    """The error catalogue: every error code with its class, title and what to do.

    Returns
    -------
    Mapping[str, CatalogueEntry]
        Entries by code, in the order of the catalogue file, retired ones included.

    Examples
    --------
    >>> entry = catalogue()["SA-C025"]
    >>> entry.cls, entry.title
    ('ConfigError', 'unknown time zone in the business calendar')
    """
    return {code: CatalogueEntry(code, e["class"], e["title"], e["todo"],
                                 bool(e.get("retired", False)))
            for code, e in _catalogue_file()["errors"].items()}


def reject_meanings() -> Mapping[str, str]:
    """What each reject code of the REJECTS table means, by code (from the catalogue).

    Returns
    -------
    Mapping[str, str]
        One line for each reject code, e.g. ``"bad_timestamp"``.
    """
    return {code: e["meaning"] for code, e in _catalogue_file()["rejects"].items()}
