"""Reader options: which reader takes which, and the error for an option none takes.

Each reader declares its options as keyword-only parameters of its
constructor (:meth:`~serviceart.readers.Reader.option_names`). A read whose
format is sniffed per file may mix readers: an option is accepted when one
reader in play takes it, and each reader is given the options it takes.
An option that no reader in play takes is a :class:`~serviceart.errors.ConfigError`
raised before any file is read, naming the readers, their options and the
closest spelling.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ConfigError
from .base import READERS, Reader

__all__ = ["check_options", "options_for"]


def options_for(reader: type[Reader], options: Mapping[str, Any]) -> dict[str, Any]:
    """The options, of those given to a read, that ``reader`` takes.

    Examples
    --------
    >>> from serviceart.readers import TextReader, TurnsReader
    >>> given = {"columns": {"msg": "text"}, "company": "Acme"}
    >>> options_for(TurnsReader, given), options_for(TextReader, given)
    ({'columns': {'msg': 'text'}}, {'company': 'Acme'})
    """
    names = reader.option_names()
    if names is None:
        return dict(options)
    return {k: v for k, v in options.items() if k in names}


def check_options(options: Mapping[str, Any], readers: Iterable[str], *,
                  chosen: bool = False) -> None:
    """Raise :class:`ConfigError` for the options that none of ``readers`` takes.

    Parameters
    ----------
    options
        The reader options given to a read.
    readers
        The names of the readers in play: the one chosen with ``format=``, or
        those sniffed for the files.
    chosen
        Whether the reader was chosen with ``format=`` (only changes the wording).

    Raises
    ------
    ConfigError
        Naming each unknown option with the closest valid spelling, the readers
        in play and the options they take; ``field`` names the unknown options.

    Examples
    --------
    >>> try:
    ...     check_options({"agent_domain": ["acme.com"]}, ["eml"], chosen=True)
    ... except ConfigError as exc:
    ...     print(exc.message)
    the eml reader has no option agent_domain= (did you mean agent_domains=?); the ...
    """
    in_play = {name: READERS.get(name).option_names() for name in sorted(set(readers))}
    if not options or any(names is None for names in in_play.values()):
        return  # a reader taking any keyword cannot tell a wrong option
    valid = {n for names in in_play.values() for n in names or ()}
    unknown = [k for k in options if k not in valid]
    if not unknown:
        return
    readers_text = ", ".join(in_play)
    if chosen or len(in_play) == 1:
        whose = f"the {readers_text} reader has no option"
    else:
        whose = f"none of the readers of these files ({readers_text}) has an option"
    problems = [f"{whose} {k}={_hint(k, valid)}" for k in unknown]
    listing = "; ".join(f"the options of {name}: {', '.join(sorted(names or ())) or 'none'}"
                        for name, names in in_play.items())
    raise ConfigError(f"{'; '.join(problems)}; {listing}", field=", ".join(unknown),
                      code="SA-C093")


def _hint(option: str, valid: set[str]) -> str:
    """What to say after an unknown option: its closest valid spelling, or the
    readers that would take it."""
    close = difflib.get_close_matches(option, sorted(valid), n=1)
    if close:
        return f" (did you mean {close[0]}=?)"
    elsewhere = [name for name, cls in READERS if option in (cls.option_names() or ())]
    if elsewhere:
        return f" (it is an option of the {', '.join(elsewhere)} reader(s) only)"
    return " (no reader has it; check the spelling)"
