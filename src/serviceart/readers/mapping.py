"""Reader options from the command line: ``--columns``, ``--roles``... and ``--mapping``.

The options a Python user passes to :func:`serviceart.read` as keywords are given
on the command line as flags, or all at once in a mapping file (TOML) whose
top-level keys are reader options::

    # map.toml
    agent_domains = ["acme.com"]
    company = "Acme"
    encoding = "cp1252"

    [columns]            # their column = our column
    conversation_id = "interaction_id"
    speaker_type = "role"
    message = "text"
    sent_at = "timestamp"

    [roles]              # their label = agent, customer or system
    rep = "agent"

Flags add to the file: ``--columns`` and ``--roles`` pairs are merged into the
file's tables (a flag wins over the file for the same key), and list options
(``--agent-domain``, ``--agent-id``, ``--agent-address``, ``--company``) are
added to the file's lists. :func:`read_options` checks every key against the
readers' options (:mod:`serviceart.readers.options`) before any input is read.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomllib

from ..errors import ConfigError
from .base import READERS

__all__ = ["load_mapping", "pairs", "read_options"]

#: options whose values are tables of strings
_TABLES = ("columns", "roles")
#: the command line's list flags and the options they fill
_LISTS = {"agent_domains": "--agent-domain", "agent_ids": "--agent-id",
          "agent_addresses": "--agent-address", "company": "--company"}


def pairs(values: Iterable[str] | None, flag: str, example: str) -> dict[str, str]:
    """``KEY=VALUE`` items of a repeatable flag (each may hold several, comma-separated)
    as a mapping.

    Raises
    ------
    ConfigError
        For an item that is not ``KEY=VALUE`` with both sides given.

    Examples
    --------
    >>> pairs(["message=text,speaker_type=role", "sent_at=timestamp"], "--columns", "")
    {'message': 'text', 'speaker_type': 'role', 'sent_at': 'timestamp'}
    """
    out: dict[str, str] = {}
    for value in values or ():
        for item in value.split(","):
            key, sep, val = item.rpartition("=")
            if not sep or not key.strip() or not val.strip():
                raise ConfigError(
                    f"{flag} {value!r}: {item.strip()!r} is not KEY=VALUE; write e.g. "
                    f"{flag} {example} (repeat the flag or separate pairs with commas; a "
                    "name holding a comma goes in a --mapping file)",
                    field=flag.lstrip("-"), code="SA-C250")
            out[key.strip()] = val.strip()
    return out


def load_mapping(path: str | Path) -> dict[str, Any]:
    """The reader options of a mapping file (see the module docstring).

    Raises
    ------
    ConfigError
        When the file cannot be read, is not TOML (the message gives the line),
        or a value has the wrong type; unknown keys are checked by
        :func:`read_options`.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"cannot read the mapping file: {reason}", source=str(p),
                          code="SA-C251") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the mapping file is not valid TOML: {exc}", source=str(p),
                          code="SA-C252") from exc
    for key in _TABLES:
        table = data.get(key)
        if table is not None and not (isinstance(table, dict) and all(
                isinstance(v, str) for v in table.values())):
            raise ConfigError(
                f"[{key}] must be a table of names, e.g. [{key}] then "
                + ("message = \"text\"" if key == "columns" else "rep = \"agent\"")
                + f"; it holds {table!r}", source=str(p), field=key, code="SA-C253")
    for key in _LISTS:
        value = data.get(key)
        if value is not None and not (isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, (str, int)) for v in value))):
            raise ConfigError(f"{key} must be a name or a list of names, e.g. {key} = "
                              f"[\"a\", \"b\"]; it holds {value!r}", source=str(p), field=key,
                              code="SA-C255")
    return data


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, (str, int)) else list(value)


def read_options(*, mapping: str | Path | None = None, format: str | None = None,
                 columns: Iterable[str] | None = None, roles: Iterable[str] | None = None,
                 **lists: Iterable[str] | None) -> dict[str, Any]:
    """The reader options of a command: the mapping file's, with the flags added.

    Parameters
    ----------
    mapping
        A mapping file (TOML), or ``None``.
    format
        The reader named by ``--format``: then every key must be one of its options.
    columns, roles
        ``--columns`` and ``--roles`` values (``THEIRS=OURS`` pairs).
    **lists
        ``agent_domains``, ``agent_ids``, ``agent_addresses``, ``company``: the list
        flags' values.

    Returns
    -------
    dict
        Options for :func:`serviceart.read` (empty ones left out).

    Raises
    ------
    ConfigError
        For a malformed pair or mapping file, or a key of the file no reader
        (or not the ``--format`` reader) takes, naming the closest option.

    Examples
    --------
    >>> read_options(columns=["message=text"], agent_domains=["acme.com"])
    {'columns': {'message': 'text'}, 'agent_domains': ['acme.com']}
    """
    options = load_mapping(mapping) if mapping is not None else {}
    if mapping is not None:
        _check_keys(options, format, Path(mapping))
    for key, flag, given, example in (("columns", "--columns", columns, "message=text"),
                                      ("roles", "--roles", roles, "rep=agent")):
        extra = pairs(given, flag, example)
        if extra:
            options[key] = {**options.get(key, {}), **extra}
    for key, values in lists.items():
        if key not in _LISTS:
            raise TypeError(f"read_options() got an unexpected keyword argument {key!r}")
        if values:
            options[key] = list(dict.fromkeys(_listed(options.get(key)) + list(values)))
    return {k: v for k, v in options.items() if v not in (None, {}, [])}


def _check_keys(options: Mapping[str, Any], format: str | None, path: Path) -> None:
    """Refuse keys of the mapping file that no reader (or not the chosen one) takes."""
    if format is not None:
        valid = set(READERS.get(format).option_names() or ())
        whose = f"the {format} reader takes"
    else:
        valid = {n for _, cls in READERS for n in cls.option_names() or ()}
        whose = "a reader takes"
    unknown = [k for k in options if k not in valid]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(valid), n=1)
        hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise ConfigError(f"the mapping file has keys that are not options {whose}: "
                      f"{', '.join(hints)}; its keys may be {sorted(valid)}",
                      source=str(path), field=", ".join(unknown), code="SA-C254")
