"""Reader options as the user of the command line writes them.

Messages from the readers and the validation (errors, warnings, reject
reasons) advise reader options in Python's spelling, for the user of
:func:`serviceart.read`: ``columns={'speaker_type': 'role'}``,
``agent_domains=['acme.com']``, ``format=``. :func:`for_cli` rewrites such
advice for the user of ``serviceart`` on the command line:
``--columns speaker_type=role``, ``--agent-domain acme.com``, ``--format``; an
option without a flag of its own becomes a key of the ``--mapping`` file. Only
the spellings ``name=`` of reader options (and ``format=``) are rewritten;
everything else in the message is left as it is.
"""

from __future__ import annotations

import ast
import re
import shlex
from typing import Any

from .base import READERS

__all__ = ["CLI_FLAGS", "for_cli"]

#: reader options with a command-line flag of their own: the flag and what it takes
CLI_FLAGS: dict[str, tuple[str, str]] = {
    "format": ("--format", "NAME"),
    "columns": ("--columns", "THEIRS=OURS"),
    "roles": ("--roles", "LABEL=ROLE"),
    "agent_ids": ("--agent-id", "ID"),
    "agent_domains": ("--agent-domain", "DOMAIN"),
    "agent_addresses": ("--agent-address", "ADDRESS"),
    "company": ("--company", "NAME"),
}

_CLOSE = {"{": "}", "[": "]", "(": ")"}


def _option_names() -> list[str]:
    names = set(CLI_FLAGS)
    for _, cls in READERS:
        names.update(cls.option_names() or ())
    return sorted(names, key=len, reverse=True)


def _value_end(text: str, start: int) -> int:
    """The end of the Python literal at ``text[start]`` (a bracketed or quoted value),
    or ``start`` when none starts there."""
    if start >= len(text):
        return start
    if text.startswith("...", start):
        return start + 3
    first = text[start]
    if first in "'\"":
        end = text.find(first, start + 1)
        return start if end < 0 else end + 1
    if first not in _CLOSE:
        return start
    depth, i, quote = 0, start, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in _CLOSE:
            depth += 1
        elif c in _CLOSE.values():
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return start


def _literal(text: str) -> tuple[Any, bool]:
    """The value of a Python literal with ``...`` standing for more items, and whether
    it had them; ``(None, True)`` when it is only ``...`` or cannot be read."""
    more = "..." in text
    cleaned = re.sub(r",?\s*\.\.\.\s*", "", text)
    try:
        return ast.literal_eval(cleaned), more
    except (ValueError, SyntaxError):
        return None, True


def _word(value: object) -> str:
    return shlex.quote(str(value))


def _flag(name: str, literal: str) -> str:
    """One option with its value as the command line writes it."""
    flag, meta = CLI_FLAGS[name]
    if not literal:
        return flag
    value, more = _literal(literal)
    tail = " ..." if more and value else ""
    if isinstance(value, dict) and value:
        return " ".join(f"{flag} {_word(f'{k}={v}')}" for k, v in value.items()) + tail
    if isinstance(value, (list, tuple, set)) and value:
        return " ".join(f"{flag} {_word(v)}" for v in value) + tail
    if isinstance(value, (str, int, float)) and str(value) and not more:
        return f"{flag} {_word(value)}"
    return f"{flag} {meta}"


def _mapping_key(name: str, literal: str) -> str:
    """An option without a flag, as a key of the ``--mapping`` file."""
    value, more = _literal(literal) if literal else (None, True)
    if literal and not more and isinstance(value, (str, int, float, bool)):
        shown = f'"{value}"' if isinstance(value, str) else str(value).lower()
        return f"{name} = {shown} in a --mapping file"
    return f"{name} = ... in a --mapping file"


def for_cli(message: str) -> str:
    """``message`` with reader options in Python's spelling rewritten as command-line
    options (see the module docstring).

    Examples
    --------
    >>> for_cli("map it with columns={'speaker_type': 'role'} to the reader")
    'map it with --columns speaker_type=role'
    >>> for_cli("give agent_domains=['acme.com'] and/or agent_addresses=[...]")
    'give --agent-domain acme.com and/or --agent-address ADDRESS'
    >>> for_cli("cannot tell the format; pass format= one of ['text', 'turns']")
    "cannot tell the format; pass --format one of ['text', 'turns']"
    >>> for_cli("Pass encoding= (e.g. encoding='cp1252')")
    'Pass encoding = ... in a --mapping file (e.g. encoding = "cp1252" in a --mapping file)'
    """
    pattern = re.compile(r"(?<![\w.\-])(" + "|".join(map(re.escape, _option_names()))
                         + r")=(?!=)")
    out: list[str] = []
    pos, changed = 0, False
    while (m := pattern.search(message, pos)) is not None:
        name = m.group(1)
        end = _value_end(message, m.end())
        literal = message[m.end():end]
        out.append(message[pos:m.start()])
        out.append(_flag(name, literal) if name in CLI_FLAGS else _mapping_key(name, literal))
        pos, changed = end, True
    out.append(message[pos:])
    text = "".join(out)
    return text.replace(" to the reader", "") if changed else text
