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
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FormatError",
    "InputError",
    "OutputError",
    "RegistryError",
    "RubricError",
    "SchemaError",
    "ServiceartError",
]


class ServiceartError(Exception):
    """Base class of every serviceart error.

    Parameters
    ----------
    message
        What went wrong and what to do about it.
    code
        A stable, machine-readable code (``"E-INPUT"``, ``"E-SCHEMA"``...).
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
