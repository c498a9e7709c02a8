"""Reader options: which reader takes which, and the error for an unknown one.

Each reader declares its options as keyword-only parameters of its
constructor (:meth:`~serviceart.readers.Reader.option_names`). With
``format=`` every option must be one that reader takes. A read whose format is
sniffed per file may mix readers: an option is accepted when a reader takes
it, and each file's reader is given the options it takes. An unknown option
is a :class:`~serviceart.errors.ConfigError` raised before any file is read,
naming the readers in play, their options and the closest spelling.
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
    """Raise :class:`ConfigError` for every given option that is not a reader option.

    With ``chosen`` (the reader named by ``format=``), an option must be one that
    reader takes. Otherwise the readers are those sniffed for the files, and an
    option must be one that some registered reader takes: an engine that reads
    each file on its own (one task per file, as Dask does) gives every file the
    options of the whole input, so an option of another file's reader is not an
    error there; a misspelled one is, everywhere.

    Parameters
    ----------
    options
        The reader options given to a read.
    readers
        The names of the readers in play: the one chosen with ``format=``, or
        those sniffed for the files (their options are listed in the message).
    chosen
        Whether the reader was chosen with ``format=``.

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
    judges = in_play if chosen else {name: cls.option_names() for name, cls in READERS}
    if not options or any(names is None for names in judges.values()):
        return  # a reader taking any keyword cannot tell a wrong option
    valid = {n for names in judges.values() for n in names or ()}
    unknown = [k for k in options if k not in valid]
    if not unknown:
        return
    near = {n for names in in_play.values() for n in names or ()}
    if chosen:
        whose = f"the {', '.join(in_play)} reader has no option"
    else:
        whose = "no reader has an option"
    problems = [f"{whose} {k}={_hint(k, near, valid)}" for k in unknown]
    if in_play:
        listing = "; ".join(f"{name}: {', '.join(sorted(names or ())) or 'none'}"
                            for name, names in in_play.items())
        listing = (f"the options of {listing}" if chosen else
                   f"the options of the readers of these files: {listing}")
    else:
        listing = "each reader lists its options: READERS.get(name).option_names()"
    raise ConfigError(f"{'; '.join(problems)}; {listing}", field=", ".join(unknown),
                      code="SA-C093")


def _hint(option: str, near: set[str], valid: set[str]) -> str:
    """What to say after an unknown option: its closest spelling among the options of
    the readers in play (``near``), else among all ``valid`` ones, else the readers
    that would take it."""
    close = (difflib.get_close_matches(option, sorted(near), n=1)
             or difflib.get_close_matches(option, sorted(valid), n=1))
    if close:
        return f" (did you mean {close[0]}=?)"
    elsewhere = [name for name, cls in READERS if option in (cls.option_names() or ())]
    if elsewhere:
        return f" (it is an option of the {', '.join(elsewhere)} reader(s) only)"
    return " (no reader has it; check the spelling)"
